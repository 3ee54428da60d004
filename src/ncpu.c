/*
 * ncpu.c - how many CPUs this process may really use: the CPUs of its
 * sched affinity mask, capped by the CPU quota of its cgroup (cgroup v2
 * cpu.max, cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us) on this cgroup
 * and every ancestor, so that the default pool size is right inside
 * containers and CI runners.  The cgroup paths come from
 * /proc/self/cgroup and are looked up under /sys/fs/cgroup; the
 * environment variables MPRUN_PROC_CGROUP and MPRUN_CGROUP_ROOT replace
 * those two so the tests can fake a whole tree.  A file that is missing or
 * unreadable means "no limit there", never an error.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define NCPU_CGROUP_ROOT	"/sys/fs/cgroup"
#define NCPU_PROC_CGROUP	"/proc/self/cgroup"

/* Largest affinity mask tried, in CPUs. */
#define NCPU_MAXMASK		(1 << 20)

static int	 ncpu_read(const char *, char *, size_t);
static int	 ncpu_number(const char **, unsigned long long *);
static unsigned	 ncpu_quota(unsigned long long, unsigned long long);
static unsigned	 ncpu_affinity(void);
static void	 ncpu_min(unsigned *, unsigned);
static unsigned	 ncpu_walk(const char *, const char *, int);
static int	 ncpu_has_cpu(const char *, size_t);
static unsigned	 ncpu_cgroup(void);

/* Reads a small file into buf, NUL-terminated; -1 if it cannot. */
static int
ncpu_read(const char *path, char *buf, size_t size)
{
	ssize_t	 n;
	size_t	 off = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	while (off < size - 1) {
		n = read(fd, buf + off, size - 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return (-1);
		}
		if (n == 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return (0);
}

/* Reads an unsigned decimal number at *sp and moves *sp past it. */
static int
ncpu_number(const char **sp, unsigned long long *v)
{
	const char	*s = *sp;

	if (*s < '0' || *s > '9')
		return (-1);
	*v = 0;
	while (*s >= '0' && *s <= '9') {
		if (*v > ULLONG_MAX / 10 ||
		    *v * 10 > ULLONG_MAX - (unsigned long long)(*s - '0'))
			return (-1);
		*v = *v * 10 + (unsigned long long)(*s - '0');
		s++;
	}
	*sp = s;
	return (0);
}

/* Turns a quota and a period into whole CPUs, rounded up, at least 1. */
static unsigned
ncpu_quota(unsigned long long quota, unsigned long long period)
{
	unsigned long long	 n;

	n = quota / period + (quota % period != 0);
	if (n == 0)
		n = 1;
	if (n > UINT_MAX)
		n = UINT_MAX;
	return ((unsigned)n);
}

/*
 * Parses cgroup v2 cpu.max: "max PERIOD" (no limit, *cpus = 0) or "QUOTA
 * PERIOD", with an optional final newline.
 */
int
ncpu_parse_cpumax(const char *text, unsigned *cpus)
{
	const char		*s = text;
	unsigned long long	 quota = 0, period;
	int			 unlimited = 0;

	if (strncmp(s, "max", 3) == 0) {
		unlimited = 1;
		s += 3;
	} else if (ncpu_number(&s, &quota) != 0)
		return (-1);
	if (*s != ' ')
		return (-1);
	s++;
	if (ncpu_number(&s, &period) != 0 || period == 0)
		return (-1);
	if (*s == '\n')
		s++;
	if (*s != '\0')
		return (-1);
	*cpus = unlimited ? 0 : ncpu_quota(quota, period);
	return (0);
}

/*
 * Parses cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us: a quota of -1
 * means no limit (*cpus = 0).
 */
int
ncpu_parse_cfs(const char *quota, const char *period, unsigned *cpus)
{
	const char		*q = quota, *p = period;
	unsigned long long	 qv = 0, pv;
	int			 unlimited = 0;

	if (strncmp(q, "-1", 2) == 0) {
		unlimited = 1;
		q += 2;
	} else if (ncpu_number(&q, &qv) != 0)
		return (-1);
	if (*q == '\n')
		q++;
	if (*q != '\0')
		return (-1);
	if (ncpu_number(&p, &pv) != 0 || pv == 0)
		return (-1);
	if (*p == '\n')
		p++;
	if (*p != '\0')
		return (-1);
	*cpus = unlimited ? 0 : ncpu_quota(qv, pv);
	return (0);
}

/* Counts the CPUs in the affinity mask, growing the mask until it fits. */
static unsigned
ncpu_affinity(void)
{
	cpu_set_t	*set;
	size_t		 size;
	int		 n = 1024, count;
	long		 onln;

	for (;;) {
		if ((set = CPU_ALLOC(n)) == NULL)
			break;
		size = CPU_ALLOC_SIZE(n);
		if (sched_getaffinity(0, size, set) == 0) {
			count = CPU_COUNT_S(size, set);
			CPU_FREE(set);
			if (count > 0)
				return ((unsigned)count);
			break;
		}
		CPU_FREE(set);
		/* EINVAL: the kernel's mask is bigger than ours. */
		if (errno != EINVAL || n >= NCPU_MAXMASK)
			break;
		n *= 2;
	}
	onln = sysconf(_SC_NPROCESSORS_ONLN);
	if (onln < 1)
		return (1);
	if (onln > UINT_MAX)
		return (UINT_MAX);
	return ((unsigned)onln);
}

/* Lowers *limit to n when n is a limit (not 0) and a lower one. */
static void
ncpu_min(unsigned *limit, unsigned n)
{
	if (n != 0 && (*limit == 0 || n < *limit))
		*limit = n;
}

/*
 * Returns the smallest CPU limit set on the cgroup at root/path or any
 * ancestor up to and including root (0: none); v2 reads cpu.max, v1 the
 * cfs files.  Walking up also finds the limit when the path in
 * /proc/self/cgroup is not visible under root, as in a container that
 * sees its own cgroup as the root.
 */
static unsigned
ncpu_walk(const char *root, const char *path, int v2)
{
	char		 dir[PATH_MAX], file[PATH_MAX + 32];
	char		 text[128], text2[128];
	unsigned	 limit = 0, n;
	size_t		 rootlen;
	char		*slash;
	int		 len;

	len = snprintf(dir, sizeof dir, "%s/%s", root, path);
	if (len < 0 || (size_t)len >= sizeof dir)
		return (0);
	rootlen = strlen(root);
	/* Drop trailing slashes, keeping at least root itself. */
	while ((size_t)len > rootlen && dir[len - 1] == '/')
		dir[--len] = '\0';
	for (;;) {
		if (v2) {
			snprintf(file, sizeof file, "%s/cpu.max", dir);
			if (ncpu_read(file, text, sizeof text) == 0 &&
			    ncpu_parse_cpumax(text, &n) == 0)
				ncpu_min(&limit, n);
		} else {
			snprintf(file, sizeof file, "%s/cpu.cfs_quota_us",
			    dir);
			if (ncpu_read(file, text, sizeof text) == 0) {
				snprintf(file, sizeof file,
				    "%s/cpu.cfs_period_us", dir);
				if (ncpu_read(file, text2, sizeof text2) == 0 &&
				    ncpu_parse_cfs(text, text2, &n) == 0)
					ncpu_min(&limit, n);
			}
		}
		if ((size_t)len <= rootlen)
			break;
		slash = strrchr(dir + rootlen, '/');
		if (slash == NULL)
			break;
		/* Strip the last component and any slashes before it. */
		while (slash > dir + rootlen && slash[-1] == '/')
			slash--;
		*slash = '\0';
		len = slash - dir;
	}
	return (limit);
}

/* Says whether a comma-separated controller list names "cpu". */
static int
ncpu_has_cpu(const char *list, size_t len)
{
	const char	*end = list + len, *comma;

	while (list < end) {
		comma = memchr(list, ',', end - list);
		if (comma == NULL)
			comma = end;
		if (comma - list == 3 && strncmp(list, "cpu", 3) == 0)
			return (1);
		list = comma + 1;
	}
	return (0);
}

/* Returns the CPU limit of this process's cgroups, 0 if there is none. */
static unsigned
ncpu_cgroup(void)
{
	static const char *const v1dirs[] = {
		"cpu,cpuacct", "cpuacct,cpu", "cpu"
	};
	char		 text[8192], root1[PATH_MAX];
	const char	*root, *procfile, *line, *colon1, *colon2, *end;
	char		*path;
	unsigned	 limit = 0;
	size_t		 i, len;
	int		 n;

	if ((root = getenv("MPRUN_CGROUP_ROOT")) == NULL || *root == '\0')
		root = NCPU_CGROUP_ROOT;
	procfile = getenv("MPRUN_PROC_CGROUP");
	if (procfile == NULL || *procfile == '\0')
		procfile = NCPU_PROC_CGROUP;
	if (ncpu_read(procfile, text, sizeof text) != 0)
		return (0);

	/* Each line is "hierarchy-id:controller,list:/path". */
	for (line = text; *line != '\0'; line = end + (*end == '\n')) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line);
		colon1 = memchr(line, ':', end - line);
		if (colon1 == NULL)
			continue;
		colon2 = memchr(colon1 + 1, ':', end - colon1 - 1);
		if (colon2 == NULL)
			continue;
		path = xstrndup(colon2 + 1, end - colon2 - 1);
		len = colon2 - colon1 - 1;
		if (colon1 - line == 1 && line[0] == '0' && len == 0)
			ncpu_min(&limit, ncpu_walk(root, path, 1));
		else if (ncpu_has_cpu(colon1 + 1, len)) {
			for (i = 0; i < sizeof v1dirs / sizeof v1dirs[0];
			    i++) {
				n = snprintf(root1, sizeof root1, "%s/%s", root,
				    v1dirs[i]);
				if (n < 0 || (size_t)n >= sizeof root1)
					continue;
				ncpu_min(&limit, ncpu_walk(root1, path, 0));
			}
		}
		free(path);
	}
	return (limit);
}

/*
 * Returns how many CPUs this process may use: the affinity mask capped by
 * the cgroup quota, at least 1.
 */
unsigned
ncpu_available(void)
{
	unsigned	 n, limit;

	n = ncpu_affinity();
	limit = ncpu_cgroup();
	if (limit != 0 && limit < n)
		n = limit;
	return (n == 0 ? 1 : n);
}
