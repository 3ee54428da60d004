/*
 * limits.c - what the system lets a run have: descriptors and processes.
 *
 * limits_fds() runs once, before mprun opens anything of its own or
 * starts any process.  It counts, in one place, every descriptor the run
 * will hold at its peak: those open already (below the limit: what the
 * caller left open, make's jobserver), the event loop's, the reports',
 * the input's and output's, the spill file, each worker's pipes, and the
 * extra ones while a worker starts.  Then the pool is as big as -j asks,
 * or lowered to what fits (with a warning), or, if not even one worker
 * fits, the run is refused at once with the number it needs: never a
 * run that fails half-way for want of a descriptor.  The soft limit is
 * raised towards the hard one first, as far as the run needs.
 *
 * A new descriptor gets the lowest free number, and none at or above the
 * limit can be had: so what counts is how many numbers below the limit
 * are taken, whatever is open above it.
 *
 * Processes cannot be counted ahead: RLIMIT_NPROC (and a cgroup's
 * pids.max) counts every process of the user on the machine.  So pool.c
 * and pworker.c find out when a fork fails with EAGAIN, and
 * limits_lower() lowers the pool, one step at a time (a fork fails
 * while others are between two tasks, so the count of running ones says
 * little).  It says so once, when the pool has settled: after a few
 * tasks per worker started with no fork failing (limits_settled()), or
 * at the end of a run that did not fail (limits_report()).  A run that
 * can start nothing at all ends with one message, its error, not a
 * warning before it.
 */

#include <sys/resource.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

/*
 * libuv's own: its epoll set, the eventfd of its async wake-ups, two
 * signal pipes (one for the process, one for the loop), and the
 * descriptor it opens with the first stream and gives up on EMFILE.
 */
#define LIMITS_LOOP_FDS		7
/* The fork server's two sockets. */
#define LIMITS_ZYGOTE_FDS	2
/* A worker's pipes: mprun's worker two, a --worker CMD three. */
#define LIMITS_WORKER_FDS	2
#define LIMITS_PWORKER_FDS	3
/*
 * While a worker starts: the child's ends of its pipes, and with
 * uv_spawn the pipe on which libuv waits for the exec.  Everything else
 * opened for a moment while the run goes on (the joblog read by
 * --resume, /proc/meminfo for --memfree, the --junit report's temporary
 * file) is opened when no worker starts, and is fewer.
 */
#define LIMITS_FORK_FDS		2
#define LIMITS_SPAWN_FDS(n)	((n) + 2)
/*
 * Tasks started per worker, with no fork failing, before a pool lowered
 * for want of processes is taken to be settled and the warning given.
 */
#define LIMITS_SETTLE		4

static struct options	*lopts;
static unsigned		 lasked;	/* -j as asked for */
static unsigned		 lsaid;		/* -j the last warning gave */
static int		 lerr;		/* why processes ran short */
static unsigned		 lstarts;	/* tasks started since lowered */

static unsigned	 limits_open(rlim_t);

/*
 * How many descriptors are open with a number below lim (all of them for
 * RLIM_INFINITY).
 */
static unsigned
limits_open(rlim_t lim)
{
	DIR		*d;
	struct dirent	*de;
	const char	*errstr;
	unsigned	 n = 0;
	long long	 fd;
	int		 dfd, probe;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		dfd = dirfd(d);
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			fd = strnum(de->d_name, 0, INT_MAX, &errstr);
			if (errstr != NULL || fd == dfd)
				continue;
			if (lim == RLIM_INFINITY || (rlim_t)fd < lim)
				n++;
		}
		closedir(d);
		return (n);
	}
	/* No /proc: ask each number in turn. */
	probe = lim == RLIM_INFINITY || lim > 65536 ? 65536 : (int)lim;
	for (fd = 0; fd < probe; fd++) {
		if (fcntl((int)fd, F_GETFD) != -1)
			n++;
	}
	return (n);
}

/*
 * Fits the pool into the open file limit, as the top of this file says;
 * zygote says that workers will come from the fork server.  Sets o->jobs,
 * or exits.
 */
void
limits_fds(struct options *o, int zygote)
{
	struct rlimit	 rl;
	rlim_t		 fixed, per, need, max;
	unsigned	 started, open;

	lopts = o;
	lasked = lsaid = o->jobs;
	if (o->dry_run)
		return;		/* no worker, no pipe */

	started = limits_open(RLIM_INFINITY);
	fixed = LIMITS_LOOP_FDS + 1;	/* the loop's, the spill file */
	if (o->joblog != NULL)
		fixed++;
	if (o->junit != NULL)
		fixed++;
	fixed += (rlim_t)input_fds(o) + (rlim_t)output_fds();
	/*
	 * With --maxtasksperchild, a slot's fresh worker starts while the
	 * old one exits (pool.c, pworker.c): two workers' pipes a slot.
	 */
	if (o->worker != NULL) {
		per = LIMITS_PWORKER_FDS * (o->maxtasks != 0 ? 2 : 1);
		fixed += LIMITS_SPAWN_FDS(LIMITS_PWORKER_FDS);
	} else {
		per = LIMITS_WORKER_FDS * (o->maxtasks != 0 ? 2 : 1);
		if (zygote)
			fixed += LIMITS_ZYGOTE_FDS;
		/* Remote workers start with uv_spawn even then. */
		fixed += zygote && !remote_active() ? LIMITS_FORK_FDS :
		    LIMITS_SPAWN_FDS(LIMITS_WORKER_FDS);
	}

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit");
	need = started + fixed + per * o->jobs;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_debug("setrlimit: %s", strerror(errno));
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
			die("getrlimit");
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return;
	/* Only the numbers below the limit are taken from it. */
	open = limits_open(rl.rlim_cur);
	need = open + fixed + per;
	if (rl.rlim_cur < need)
		diex("the open file limit (%llu) is too low: mprun needs %llu "
		    "(%u of them open when it started)",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)need,
		    open);
	max = (rl.rlim_cur - open - fixed) / per;
	if (max >= o->jobs)
		return;
	log_warnx("-j %u: lowered to %u (open file limit %llu)", o->jobs,
	    (unsigned)max, (unsigned long long)rl.rlim_cur);
	o->jobs = lsaid = (unsigned)max;
}

/*
 * A process could not be started (err): lowers the pool to jobs workers
 * (at least 1).  Returns the pool's size now.
 */
unsigned
limits_lower(unsigned jobs, int err)
{
	if (jobs < 1)
		jobs = 1;
	if (jobs < lopts->jobs) {
		lopts->jobs = jobs;
		lerr = err;
		lstarts = 0;
	}
	return (lopts->jobs);
}

/*
 * Whether the pool was lowered for want of processes and no task has
 * started since: a worker that then finds no process for its task was
 * likely caught by the same shortage, and lowering again for it would
 * overshoot.
 */
int
limits_unsettled(void)
{
	return (lerr != 0 && lstarts == 0);
}

/*
 * A task started.  Once LIMITS_SETTLE tasks per worker have started
 * since the pool was last lowered for want of processes, says so.
 */
void
limits_settled(void)
{
	if (lopts == NULL || lerr == 0)
		return;
	if (++lstarts >= LIMITS_SETTLE * lopts->jobs)
		limits_report();
}

/* Says that the pool was lowered for want of processes, if not said. */
void
limits_report(void)
{
	if (lopts == NULL || lopts->jobs >= lsaid)
		return;
	lsaid = lopts->jobs;
	log_warnx("-j %u: lowered to %u (cannot start more processes: %s)",
	    lasked, lsaid, strerror(lerr));
}
