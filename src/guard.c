/*
 * guard.c - the guardian of a remote worker's tasks.
 *
 * A local worker that dies is replaced by the parent, which kills the
 * process group of the task it was running: it knows the pid.  A remote
 * worker's pid means nothing here, and a worker killed with SIGKILL (or
 * the OOM killer) cannot stop its task itself: the task would run on,
 * and with --retries run twice at once.  So a remote worker forks a
 * guardian at HELLO: a small process in a session of its own that holds
 * the read end of a pipe from the worker and the list of the process
 * groups of the worker's running tasks (the worker writes each pgid when
 * the task starts, and its negation when the group is empty).  When the
 * pipe reaches EOF, the worker is gone, however it went; the guardian
 * ends every group still listed with the termseq, then exits.  A worker
 * that exits normally has emptied the list, so its guardian just exits.
 *
 * The guardian closes every descriptor but its pipe, so the transport
 * sees EOF when the worker dies, and it is in its own session, so a kill
 * of the worker's process group does not take it too.
 */

#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mprun.h"

#define GUARD_MAX	16	/* groups at once: a task, --init, leftovers */
#define GUARD_POLL_MS	10

static int	 guard_fd = -1;

static void	 guard_main(int, const struct termstep *, int)
		     __attribute__((noreturn));
static int	 guard_alive(const pid_t *, int);
static void	 guard_sleep(int);

/*
 * Starts the guardian with the termseq it is to use.  Returns 0, or -1
 * (said why) when it could not: the worker then runs without one.
 */
int
guard_start(const struct termstep *steps, int nsteps)
{
	struct termstep	 def[TERMSEQ_MAX];
	int		 p[2], given = nsteps;
	pid_t		 pid;

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("worker: guardian pipe");
		return (-1);
	}
	if ((pid = fork()) == -1) {
		log_warn("worker: guardian fork");
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	if (pid == 0) {
		close(p[1]);
		if (nsteps == 0)
			termseq_default(def, &nsteps);
		guard_main(p[0], given != 0 ? steps : def, nsteps);
	}
	close(p[0]);
	guard_fd = p[1];
	return (0);
}

/* Tells the guardian of a group (pgid > 0) or that it is gone (< 0). */
static void
guard_send(int32_t v)
{
	ssize_t	 n;

	if (guard_fd == -1)
		return;
	do
		n = write(guard_fd, &v, sizeof v);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof v) {
		/* It died: tasks are only as safe as without it. */
		log_warnx("worker: the guardian of its tasks is gone");
		close(guard_fd);
		guard_fd = -1;
	}
}

/* A task's process group started. */
void
guard_add(pid_t pgid)
{
	if (pgid > 0)
		guard_send((int32_t)pgid);
}

/* A task's process group is empty. */
void
guard_del(pid_t pgid)
{
	if (pgid > 0)
		guard_send(-(int32_t)pgid);
}

/* Sleeps ms milliseconds. */
static void
guard_sleep(int ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* How many of the groups still have a process. */
static int
guard_alive(const pid_t *g, int n)
{
	int	 i, alive = 0;

	for (i = 0; i < n; i++) {
		if (g[i] > 0 && (kill(-g[i], 0) == 0 || errno == EPERM))
			alive++;
	}
	return (alive);
}

/* The guardian: keeps the list until EOF, then ends what is listed. */
static void
guard_main(int fd, const struct termstep *steps, int nsteps)
{
	struct rlimit	 rl;
	pid_t		 g[GUARD_MAX];
	int32_t		 v;
	ssize_t		 n;
	int		 i, s, null, waited, ng = 0;
	rlim_t		 top, f;

	/* Nothing of the worker's but the pipe: its fd 0 and 1 above all. */
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	top = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536 ?
	    rl.rlim_cur : 65536;
	for (f = 3; f < top; f++) {
		if ((int)f != fd)
			close((int)f);
	}
	setsid();
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);

	for (;;) {
		n = read(fd, &v, sizeof v);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof v)
			break;		/* EOF: the worker is gone */
		if (v > 0) {
			for (i = 0; i < ng && g[i] != v; i++)
				;
			if (i == ng && ng < GUARD_MAX)
				g[ng++] = v;
		} else {
			for (i = 0; i < ng; i++) {
				if (g[i] == -v)
					g[i] = g[--ng];
			}
		}
	}

	/* The termseq to every group left, step by step, then SIGKILL. */
	for (s = 0; s < nsteps && guard_alive(g, ng) > 0; s++) {
		for (i = 0; i < ng; i++) {
			kill(-g[i], steps[s].sig);
			kill(-g[i], SIGCONT);
		}
		for (waited = 0; (unsigned)waited < steps[s].ms &&
		    guard_alive(g, ng) > 0; waited += GUARD_POLL_MS)
			guard_sleep(GUARD_POLL_MS);
	}
	for (i = 0; i < ng; i++)
		kill(-g[i], SIGKILL);
	_exit(0);
}
