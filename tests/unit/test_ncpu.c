/*
 * test_ncpu.c - ncpu.c: the cpu.max and cfs parsers, then
 * ncpu_available() against fake cgroup v1 and v2 trees built in a
 * temporary directory (MPRUN_CGROUP_ROOT) with a fake /proc/self/cgroup
 * (MPRUN_PROC_CGROUP), and against a narrowed affinity mask.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"
#include "tap.h"

static const struct {
	const char	*text;
	int		 ret;
	unsigned	 cpus;
} cpumax[] = {
	{ "max 100000\n", 0, 0 },
	{ "max 100000", 0, 0 },
	{ "150000 100000\n", 0, 2 },
	{ "100000 100000\n", 0, 1 },
	{ "100001 100000\n", 0, 2 },
	{ "250000 100000\n", 0, 3 },
	{ "1000 100000\n", 0, 1 },
	{ "0 100000\n", 0, 1 },
	{ "400000 50000\n", 0, 8 },
	{ "", -1, 0 },
	{ "\n", -1, 0 },
	{ "max", -1, 0 },
	{ "max\n", -1, 0 },
	{ "max 0\n", -1, 0 },
	{ "100000\n", -1, 0 },
	{ "abc 100000\n", -1, 0 },
	{ "100000 abc\n", -1, 0 },
	{ "-1 100000\n", -1, 0 },
	{ "100000  100000\n", -1, 0 },
	{ "100000 100000 1\n", -1, 0 },
	{ "100000 100000\n\n", -1, 0 },
	{ "maxi 100000\n", -1, 0 },
	{ "99999999999999999999999 1\n", -1, 0 },
};

static const struct {
	const char	*quota;
	const char	*period;
	int		 ret;
	unsigned	 cpus;
} cfs[] = {
	{ "-1\n", "100000\n", 0, 0 },
	{ "-1", "100000", 0, 0 },
	{ "150000\n", "100000\n", 0, 2 },
	{ "50000\n", "100000\n", 0, 1 },
	{ "300000\n", "100000\n", 0, 3 },
	{ "", "100000\n", -1, 0 },
	{ "x\n", "100000\n", -1, 0 },
	{ "-2\n", "100000\n", -1, 0 },
	{ "-12\n", "100000\n", -1, 0 },
	{ "100000\n", "0\n", -1, 0 },
	{ "100000\n", "\n", -1, 0 },
	{ "100000\n", "-1\n", -1, 0 },
	{ "100000 \n", "100000\n", -1, 0 },
};

static char	 tmpdir[256];

/* Counts the CPUs of the current affinity mask the simple way. */
static unsigned
affinity(void)
{
	cpu_set_t	 set;

	if (sched_getaffinity(0, sizeof set, &set) == -1)
		return ((unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	return ((unsigned)CPU_COUNT(&set));
}

/* Writes text to tmpdir/rel, creating the directories on the way. */
static void
put(const char *rel, const char *text)
{
	char	 path[PATH_MAX], *p;
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	for (p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL;
	    p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			fatal("mkdir %s", path);
		*p = '/';
	}
	if ((f = fopen(path, "w")) == NULL)
		fatal("%s", path);
	fputs(text, f);
	if (fclose(f) != 0)
		fatal("%s", path);
}

/* Makes a fresh fake tree: tmpdir/tN/root and tmpdir/tN/cgroup. */
static void
tree(int n, const char *proc)
{
	char	 s[PATH_MAX];

	snprintf(s, sizeof s, "t%d/cgroup", n);
	put(s, proc);
	snprintf(s, sizeof s, "%s/t%d/cgroup", tmpdir, n);
	setenv("MPRUN_PROC_CGROUP", s, 1);
	snprintf(s, sizeof s, "%s/t%d/root", tmpdir, n);
	mkdir(s, 0755);
	setenv("MPRUN_CGROUP_ROOT", s, 1);
}

/* Expected result: the affinity capped by limit (0: none), at least 1. */
static unsigned
capped(unsigned limit)
{
	unsigned	 n = affinity();

	if (limit != 0 && limit < n)
		n = limit;
	return (n == 0 ? 1 : n);
}

/* Checks the two parsers. */
static void
test_parsers(void)
{
	unsigned	 n;
	size_t		 i;

	for (i = 0; i < sizeof cpumax / sizeof cpumax[0]; i++) {
		tap_context("cpu.max \"%s\"", cpumax[i].text);
		n = 777;
		ASSERT_INT_EQ(ncpu_parse_cpumax(cpumax[i].text, &n),
		    cpumax[i].ret);
		ASSERT_INT_EQ(n, cpumax[i].ret == 0 ? cpumax[i].cpus : 777);
	}
	for (i = 0; i < sizeof cfs / sizeof cfs[0]; i++) {
		tap_context("cfs \"%s\" \"%s\"", cfs[i].quota, cfs[i].period);
		n = 777;
		ASSERT_INT_EQ(ncpu_parse_cfs(cfs[i].quota, cfs[i].period, &n),
		    cfs[i].ret);
		ASSERT_INT_EQ(n, cfs[i].ret == 0 ? cfs[i].cpus : 777);
	}
	tap_context(NULL);
}

/* Checks ncpu_available() on fake trees. */
static void
test_trees(void)
{
	/* v2: the parent's limit is the smaller one. */
	tree(1, "0::/a/b\n");
	put("t1/root/a/b/cpu.max", "max 100000\n");
	put("t1/root/a/cpu.max", "100000 100000\n");
	put("t1/root/cpu.max", "max 100000\n");
	tap_context("v2 parent limit");
	ASSERT_INT_EQ(ncpu_available(), capped(1));

	/* v2: the leaf's limit; a trailing slash is harmless. */
	tree(2, "0::/a/b/\n");
	put("t2/root/a/b/cpu.max", "150000 100000\n");
	put("t2/root/a/cpu.max", "max 100000\n");
	tap_context("v2 leaf limit");
	ASSERT_INT_EQ(ncpu_available(), capped(2));

	/* v2: no limit anywhere. */
	tree(3, "0::/a\n");
	put("t3/root/a/cpu.max", "max 100000\n");
	tap_context("v2 no limit");
	ASSERT_INT_EQ(ncpu_available(), capped(0));

	/* v2: a container seeing its own cgroup as the root. */
	tree(4, "0::/docker/0123abcd\n");
	put("t4/root/cpu.max", "50000 100000\n");
	tap_context("v2 container root");
	ASSERT_INT_EQ(ncpu_available(), capped(1));

	/* v2: garbage and directories are no limit. */
	tree(5, "0::/a\n");
	put("t5/root/a/cpu.max", "garbage\n");
	put("t5/root/cpu.max/x", "");
	tap_context("v2 garbage");
	ASSERT_INT_EQ(ncpu_available(), capped(0));

	/* v1: cpu,cpuacct with a quota. */
	tree(6, "12:memory:/m\n4:cpu,cpuacct:/grp\n1:name=systemd:/x\n");
	put("t6/root/cpu,cpuacct/grp/cpu.cfs_quota_us", "100000\n");
	put("t6/root/cpu,cpuacct/grp/cpu.cfs_period_us", "100000\n");
	tap_context("v1 cpu,cpuacct");
	ASSERT_INT_EQ(ncpu_available(), capped(1));

	/* v1: the plain cpu hierarchy, limit on an ancestor. */
	tree(7, "3:cpuacct:/\n2:cpu:/p/q\n");
	put("t7/root/cpu/p/q/cpu.cfs_quota_us", "-1\n");
	put("t7/root/cpu/p/q/cpu.cfs_period_us", "100000\n");
	put("t7/root/cpu/p/cpu.cfs_quota_us", "150000\n");
	put("t7/root/cpu/p/cpu.cfs_period_us", "100000\n");
	tap_context("v1 cpu ancestor");
	ASSERT_INT_EQ(ncpu_available(), capped(2));

	/* v1: a cpuacct-only line is not the cpu controller. */
	tree(8, "3:cpuacct:/g\n");
	put("t8/root/cpuacct/g/cpu.cfs_quota_us", "100000\n");
	put("t8/root/cpuacct/g/cpu.cfs_period_us", "100000\n");
	put("t8/root/cpuacct,cpu/g/cpu.cfs_quota_us", "-1\n");
	tap_context("v1 cpuacct only");
	ASSERT_INT_EQ(ncpu_available(), capped(0));

	/* v1: quota without period is no limit. */
	tree(9, "2:cpu:/g\n");
	put("t9/root/cpu/g/cpu.cfs_quota_us", "100000\n");
	tap_context("v1 no period");
	ASSERT_INT_EQ(ncpu_available(), capped(0));

	/* Hybrid: v1 and v2 lines, the smaller limit wins. */
	tree(10, "0::/u\n5:cpu,cpuacct:/v\n");
	put("t10/root/u/cpu.max", "300000 100000\n");
	put("t10/root/cpuacct,cpu/v/cpu.cfs_quota_us", "100000\n");
	put("t10/root/cpuacct,cpu/v/cpu.cfs_period_us", "100000\n");
	tap_context("hybrid");
	ASSERT_INT_EQ(ncpu_available(), capped(1));

	/* A huge limit does not raise the count above the affinity. */
	tree(11, "0::/\n");
	put("t11/root/cpu.max", "100000000 1000\n");
	tap_context("limit above affinity");
	ASSERT_INT_EQ(ncpu_available(), capped(0));

	/* Missing and malformed /proc/self/cgroup. */
	tree(12, "garbage\n::\n0:\n");
	tap_context("garbage proc file");
	ASSERT_INT_EQ(ncpu_available(), capped(0));
	setenv("MPRUN_PROC_CGROUP", "/nonexistent/cgroup", 1);
	tap_context("missing proc file");
	ASSERT_INT_EQ(ncpu_available(), capped(0));
	tap_context(NULL);
}

/* Checks that a narrowed affinity mask is honoured. */
static void
test_affinity(void)
{
	cpu_set_t	 set, one;
	int		 cpu;

	tree(13, "0::/\n");
	tap_context("affinity");
	ASSERT(ncpu_available() >= 1);
	ASSERT_INT_EQ(ncpu_available(), affinity());
	if (sched_getaffinity(0, sizeof set, &set) == -1) {
		SKIP("one CPU", "sched_getaffinity failed");
		return;
	}
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		/* nothing */;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) == -1) {
		SKIP("one CPU", "sched_setaffinity failed");
		return;
	}
	ASSERT_INT_EQ(ncpu_available(), 1);
	sched_setaffinity(0, sizeof set, &set);
	tap_context(NULL);
}

/* Removes the fake trees. */
static void
cleanup(void)
{
	char	 cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpdir);
}

int
main(void)
{
	const char	*t;

	test_parsers();

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test_ncpu.XXXXXX", t);
	if (mkdtemp(tmpdir) == NULL || strchr(tmpdir, '\'') != NULL)
		fatal("mkdtemp");
	test_trees();
	test_affinity();
	cleanup();
	return (tap_done());
}
