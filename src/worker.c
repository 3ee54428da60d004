/*
 * worker.c - the worker process: mprun re-run as "mprun --worker-mode" by
 * the parent (or, later, over ssh).  Frames from the parent arrive on fd 0
 * and frames for it leave on fd 1; fd 2 is mprun's own stderr.  The first
 * frame is the parent's HELLO, answered at once with ours; --init, if
 * given, runs next (after the worker set its own niceness, which --init
 * and the tasks inherit).  TASKS frames append to a FIFO queue, and the
 * tasks run one at a time: for each, START when it runs, OUT frames as its
 * stdout and stderr arrive, and DONE once both pipes reached EOF, its
 * exit status is in and nothing it started is left in its process group:
 * what is, once it has exited and closed its output, gets the termseq
 * first (worker_check()).  (When the HELLO asks for it, the task's stderr
 * shares its stdout pipe, and everything it writes comes as stdout, in
 * order.)  A STOP frame, EOF on fd 0 or EPIPE on fd 1 stop the
 * running task with the termseq and end the worker; a KILL frame stops
 * one task (the termseq if it runs, dropped from the queue if it waits)
 * and the worker goes on; a SIGNAL frame is passed on to the running
 * process group (the parent's SIGTSTP and SIGCONT).  After maxtasks tasks
 * the worker sends RETIRE and ends.  Each task's environment is the
 * worker's plus MPRUN_SEQ, MPRUN_SLOT, PARALLEL_SEQ and PARALLEL_JOBSLOT,
 * from one envp array built at HELLO whose two SEQ entries are rewritten
 * for each task.
 *
 * One task at a time needs at most six fds, so this is a plain poll(2)
 * loop: the parent's two pipes, the task's two output pipes, a pidfd that
 * becomes readable when the task exits (none on kernels without
 * pidfd_open) and a SIGCHLD self-pipe.  The worker is the subreaper of
 * everything its tasks start, so the self-pipe also tells of a process
 * left behind (a daemon, what a sweep killed) that exited and must be
 * reaped.  It is also there because a task that stops does not make its
 * pidfd readable: a task stopped by SIGTTIN or SIGTTOU (it used the
 * terminal, which it can never have: its group is not the foreground
 * one) would hang the run, so it is killed.  Outgoing frames collect in
 * one buffer that is written as fd 1 accepts it; while more than
 * WORKER_HIGHWATER bytes wait there the task's pipes are not read, so the
 * task blocks on its own writes and memory stays bounded.
 */

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "mprun.h"

#define WORKER_READ		(64 * 1024)	/* task output per read */
#define WORKER_INREAD		(256 * 1024)	/* parent input per read */
#define WORKER_HIGHWATER	(1024 * 1024)	/* stop reading the task */

/* Where each fd sits in the poll array. */
enum {
	PFD_IN,
	PFD_OUT,
	PFD_TASKOUT,
	PFD_TASKERR,
	PFD_CHILD,
	PFD_SIGCHLD,
	PFD_COUNT
};

enum init_state {
	INIT_NONE,		/* no --init, or it succeeded */
	INIT_RUNNING,
	INIT_FAILED		/* every task is answered with 255 */
};

/* A queued task: argv and its strings share the allocation. */
struct worker_task {
	struct worker_task	 *next;
	uint64_t		  seq;
	int			  mode;
	char			**argv;
};

/* The process running now: a task, or the --init command. */
struct worker_job {
	int		 active;
	int		 init;		/* this is --init, not a task */
	uint64_t	 seq;
	pid_t		 pid;		/* also its process group */
	int		 pidfd;		/* -1 when exited or SIGCHLD is used */
	int		 out;		/* -1 after EOF */
	int		 err;
	int		 exited;
	int		 wstatus;
	int		 ttysig;	/* killed for this SIGTTIN/SIGTTOU */
	int64_t		 start_us;	/* CLOCK_REALTIME */
	int64_t		 start_mono;	/* CLOCK_MONOTONIC, microseconds */
	int64_t		 runtime_us;

	int		 stopping;	/* the termseq is under way */
	int		 sweeping;	/* for what it left in its group */
	int64_t		 grace_end;	/* CLOCK_MONOTONIC ms, then termseq */
	struct termseq	 term;		/* where the termseq is */
	int64_t		 deadline;	/* CLOCK_MONOTONIC ms, end of step */
};

static struct {
	struct hello	 hello;
	int		 have_hello;
	enum init_state	 init;
	unsigned	 ndone;		/* tasks that sent DONE */

	struct buf	 in;		/* bytes read from fd 0 */
	struct buf	 out;		/* frames waiting for fd 1 */
	struct worker_task *head;	/* the queue */
	struct worker_task **tail;
	struct worker_job job;		/* the running process */

	int		 reading;	/* fd 0 is still read */
	int		 quit;		/* exit once no process runs */
	int		 status;	/* the exit status then */
	int		 orphan;	/* the parent is gone: send nothing */

	int		 nopidfd;	/* pidfd_open failed: SIGCHLD only */
	int		 sigpipe[2];	/* SIGCHLD self-pipe */

	char		**envp;		/* the tasks' environment, or NULL */
	char		**oldenv;	/* environ before envp replaced it */
	size_t		 nseqenv;	/* where envp's two SEQ entries go */
	char		 slotenv[2][32];
	char		 seqenv[2][48];
} w;

/* The variables the worker sets for each task, replacing inherited ones. */
static const char *const worker_envnames[] = {
	"MPRUN_SEQ=", "MPRUN_SLOT=", "PARALLEL_SEQ=", "PARALLEL_JOBSLOT="
};
#define WORKER_NENV	(sizeof worker_envnames / sizeof worker_envnames[0])

static int64_t	 worker_clock(clockid_t);
static int	 worker_setup(void);
static void	 worker_cleanup(void);
static void	 worker_fatal_hook(void);
static void	 worker_sigchld(int);
static void	 worker_drop_queue(void);
static void	 worker_fail(const char *);
static void	 worker_gone(void);
static void	 worker_next(void);
static void	 worker_input(void);
static void	 worker_frame(const struct proto_frame *);
static void	 worker_hello(const struct proto_frame *);
static void	 worker_env(void);
static void	 worker_tasks(const struct proto_frame *);
static void	 worker_kill(const struct proto_frame *);
static void	 worker_sigframe(const struct proto_frame *);
static void	 worker_write(void);
static int	 worker_raw(int);
static void	 worker_flush(void);
static int	 worker_poll(void);
static void	 worker_unrun(struct worker_task *);
static void	 worker_again(uint64_t);
static void	 worker_run(struct worker_task *);
static void	 worker_run_init(void);
static void	 worker_watch(void);
static void	 worker_reap(void);
static void	 worker_stopped(int);
static const char *worker_ttyname(int);
static void	 worker_read(int *, int);
static void	 worker_check(void);
static void	 worker_finish(void);
static void	 worker_stop(void);
static void	 worker_step(void);
static void	 worker_signal(int);
static void	 worker_killpg(int);
static int	 worker_group_alive(void);
static void	 worker_close(int *);

/* The CPU count for the HELLO reply, when known before the worker starts. */
static unsigned	 worker_ncpu;

/* Records the CPU count, so a forked worker need not read the cgroups. */
void
worker_set_ncpu(unsigned n)
{
	worker_ncpu = n;
}

/* Returns a clock's time in microseconds. */
static int64_t
worker_clock(clockid_t id)
{
	struct timespec	 ts;

	if (clock_gettime(id, &ts) == -1)
		fatal("clock_gettime");
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * Runs the worker until the parent stops it, goes away or the task quota
 * is reached; returns the exit status.
 */
int
worker_main(int argc, char **argv)
{
	if (worker_setup() != 0) {
		worker_cleanup();
		return (MPRUN_EXIT_ERROR);
	}
	for (;;) {
		if (w.job.active)
			worker_check();
		if (!w.job.active) {
			worker_next();
			if (!w.job.active && w.quit)
				break;
		}
		worker_write();
		if (worker_poll() != 0) {
			/* Nothing can be trusted any more. */
			worker_fail(NULL);
		}
	}
	worker_flush();
	worker_cleanup();
	return (w.status);
}

/* Makes terminal fd pass bytes as they are.  Returns 0, or -1. */
static int
worker_raw(int fd)
{
	struct termios	 t;

	if (tcgetattr(fd, &t) == -1) {
		log_warn("worker: tcgetattr fd %d", fd);
		return (-1);
	}
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) == -1) {
		log_warn("worker: tcsetattr fd %d", fd);
		return (-1);
	}
	return (0);
}

/*
 * Checks the fds, sets up the signals and /dev/null.  Returns 0, or -1
 * after saying what is wrong.
 */
static int
worker_setup(void)
{
	struct sigaction	 sa;
	struct stat		 st;
	sigset_t		 empty;
	int			 fd, flags;
	const int		 ign[] = { SIGINT, SIGQUIT, SIGHUP, SIGPIPE,
				     SIGTTOU };
	size_t			 i;

	memset(&w, 0, sizeof w);
	buf_init(&w.in);
	buf_init(&w.out);
	w.tail = &w.head;
	w.job.pidfd = w.job.out = w.job.err = -1;
	w.sigpipe[0] = w.sigpipe[1] = -1;
	w.reading = 1;

	/*
	 * fd 0 and fd 1 become non-blocking, which is only right for the
	 * private pipes the parent made, or a terminal a launcher made for
	 * this worker's output alone (srun -u gives a pty): never for a
	 * file.  That terminal is made raw first, so that it passes every
	 * byte as it is (no CR/LF mapping).  A terminal on stdin cannot be
	 * trusted: until we make it raw it echoes the parent's frames into
	 * our output and mangles their control bytes.
	 */
	for (fd = STDIN_FILENO; fd <= STDOUT_FILENO; fd++) {
		if (fstat(fd, &st) == -1) {
			log_warn("worker: fd %d", fd);
			return (-1);
		}
		if (fd == STDOUT_FILENO && S_ISCHR(st.st_mode) &&
		    isatty(fd)) {
			if (worker_raw(fd) == -1)
				return (-1);
		} else if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
			log_warnx("--worker-mode is internal to mprun: "
			    "its stdin must be a pipe, its stdout a pipe or a "
			    "terminal");
			return (-1);
		}
		if ((flags = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
			log_warn("worker: fcntl fd %d", fd);
			return (-1);
		}
	}

	/*
	 * Leave mprun's process group, staying in its session.  Whatever
	 * kills that group at once (a CI timeout, kill -9 -PGID) then kills
	 * only the parent, and this worker, seeing its pipe close, still
	 * stops its task: otherwise worker and parent would die together
	 * and the task, in a group of its own, would be orphaned.  A
	 * background group must not be stopped for writing to a terminal
	 * that has TOSTOP set, hence SIGTTOU below.  A session leader (a
	 * worker sshd started) leads its group already and may not move.
	 */
	if (setpgid(0, 0) == -1 &&
	    !(errno == EPERM && getpgrp() == getpid())) {
		log_warn("worker: setpgid");
		return (-1);
	}

	/*
	 * Become the reaper of our tasks' descendants: a process a task
	 * left behind is re-parented to us, not to init, when its parent
	 * exits.  We learn of its end by SIGCHLD (so the sweep of a
	 * finished task's group, worker_check(), ends as soon as the group
	 * is empty) and we must reap it (worker_reap()).  Not inherited by
	 * the tasks.  Without it (Linux before 3.4) the sweep still works,
	 * by its timeouts, and init reaps.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == -1)
		log_debug("worker: PR_SET_CHILD_SUBREAPER: %s",
		    strerror(errno));

	/* The parent decides what a Ctrl-C or a hangup means. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof ign / sizeof ign[0]; i++) {
		if (sigaction(ign[i], &sa, NULL) == -1)
			fatal("sigaction");
	}
	if (spawn_init() != 0) {
		log_warn("worker: /dev/null");
		return (-1);
	}
	if (pipe2(w.sigpipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("worker: pipe");
		return (-1);
	}
	/*
	 * An ignored SIGCHLD would make the kernel reap our tasks.  Without
	 * SA_NOCLDSTOP a task that stops wakes the loop too.
	 */
	sa.sa_handler = worker_sigchld;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		fatal("sigaction");
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) == -1)
		fatal("sigprocmask");
	log_set_fatal_hook(worker_fatal_hook);
	return (0);
}

/* Frees everything before the worker returns. */
static void
worker_cleanup(void)
{
	worker_drop_queue();
	worker_close(&w.sigpipe[0]);
	worker_close(&w.sigpipe[1]);
	buf_free(&w.in);
	buf_free(&w.out);
	if (w.envp != NULL) {
		environ = w.oldenv;
		free(w.envp);
		w.envp = NULL;
	}
	json_hello_free(&w.hello);
	spawn_free();
	log_set_fatal_hook(NULL);
}

/* Kills the running process group when the worker dies of a bug. */
static void
worker_fatal_hook(void)
{
	if (w.job.active && w.job.pid > 0)
		kill(-w.job.pid, SIGKILL);
}

/* Wakes the poll loop when a child exits, stops or continues. */
static void
worker_sigchld(int sig)
{
	int	 saved = errno;

	if (write(w.sigpipe[1], "", 1) == -1) {
		/* A full pipe already holds a wakeup. */
	}
	errno = saved;
}

/* Forgets the queued tasks. */
static void
worker_drop_queue(void)
{
	struct worker_task	*t;

	while ((t = w.head) != NULL) {
		w.head = t->next;
		free(t);
	}
	w.tail = &w.head;
}

/*
 * Ends the worker with status 255 after stopping its process; why, if not
 * NULL, is what was wrong with the parent's frames.
 */
static void
worker_fail(const char *why)
{
	if (why != NULL)
		log_warnx("worker: bad frame from parent: %s", why);
	w.status = MPRUN_EXIT_ERROR;
	w.quit = 1;
	w.reading = 0;
	worker_drop_queue();
	worker_stop();
}

/* The parent is gone: stop the process, send nothing more, exit 0. */
static void
worker_gone(void)
{
	w.orphan = 1;
	w.quit = 1;
	w.reading = 0;
	buf_reset(&w.out);
	worker_drop_queue();
	worker_stop();
}

/*
 * Starts the next task while none runs; answers tasks at once when none
 * can run, and retires when the quota is reached.
 */
static void
worker_next(void)
{
	struct worker_task	*t;

	while (!w.job.active && !w.quit) {
		if (w.hello.maxtasks > 0 && w.ndone >= w.hello.maxtasks) {
			proto_put(&w.out, PROTO_RETIRE, 0, NULL, 0);
			w.quit = 1;
			break;
		}
		if (w.init == INIT_RUNNING)
			break;
		if ((t = w.head) == NULL) {
			/* EOF while idle is the normal end. */
			if (!w.reading)
				w.quit = 1;
			break;
		}
		if ((w.head = t->next) == NULL)
			w.tail = &w.head;
		if (w.init == INIT_FAILED)
			worker_unrun(t);
		else
			worker_run(t);
		free(t);
	}
}

/*
 * No process could be had for task seq (0: --init): the user's process
 * limit is reached.  The task has not failed and must not be dropped, so
 * the worker says AGAIN and exits, giving back its own process and every
 * task it holds, none of them started; the parent runs them elsewhere
 * and makes the pool smaller.
 */
static void
worker_again(uint64_t seq)
{
	proto_put(&w.out, PROTO_AGAIN, seq, NULL, 0);
	w.quit = 1;
	w.reading = 0;
	worker_drop_queue();
}

/* Answers a task that cannot run because --init failed. */
static void
worker_unrun(struct worker_task *t)
{
	struct proto_done	 d;
	char			*text;
	int			 len;

	proto_put_start(&w.out, t->seq, 0);
	len = xasprintf(&text, "mprun: task not run: --init failed in slot "
	    "%u\n", w.hello.slot);
	proto_put_out(&w.out, t->seq, STREAM_STDERR, text, (size_t)len);
	free(text);
	d.status = MPRUN_EXIT_ERROR;
	d.sig = 0;
	d.start_us = worker_clock(CLOCK_REALTIME);
	d.runtime_us = 0;
	proto_put_done(&w.out, t->seq, &d);
	w.ndone++;
}

/*
 * Polls once and handles what happened.  Returns 0, or -1 when poll
 * itself failed.
 */
static int
worker_poll(void)
{
	struct pollfd		 pfd[PFD_COUNT];
	struct worker_job	*j = &w.job;
	int64_t			 left;
	int			 timeout = -1, rd, i;
	char			 drain[64];

	for (i = 0; i < PFD_COUNT; i++) {
		pfd[i].fd = -1;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (w.reading)
		pfd[PFD_IN].fd = STDIN_FILENO;
	if (w.out.len > 0 && !w.orphan) {
		pfd[PFD_OUT].fd = STDOUT_FILENO;
		pfd[PFD_OUT].events = POLLOUT;
	}
	if (j->active) {
		/* Back-pressure: the task waits while the parent lags. */
		rd = w.orphan || w.out.len <= WORKER_HIGHWATER;
		if (rd) {
			pfd[PFD_TASKOUT].fd = j->out;
			pfd[PFD_TASKERR].fd = j->err;
		}
		if (!j->exited)
			pfd[PFD_CHILD].fd = j->pidfd;
		if (j->stopping && !termseq_over(&j->term)) {
			left = j->deadline - worker_clock(CLOCK_MONOTONIC) /
			    1000;
			timeout = left < 0 ? 0 : left > INT_MAX ? INT_MAX :
			    (int)left;
		} else if (j->sweeping && !j->stopping) {
			/* Nothing says when a process leaves the group. */
			left = j->grace_end - worker_clock(CLOCK_MONOTONIC) /
			    1000;
			timeout = left < 0 ? 0 :
			    left > TERMSEQ_SWEEP_POLL_MS ?
			    TERMSEQ_SWEEP_POLL_MS : (int)left;
		}
	}

	/*
	 * Always: besides the task, a process it left behind may exit at
	 * any time, re-parented to us, and must not stay a zombie.
	 */
	pfd[PFD_SIGCHLD].fd = w.sigpipe[0];

	if (poll(pfd, PFD_COUNT, timeout) == -1) {
		if (errno == EINTR)
			return (0);
		log_warn("worker: poll");
		return (-1);
	}

	if (pfd[PFD_IN].revents != 0)
		worker_input();
	if (pfd[PFD_OUT].revents != 0)
		worker_write();
	if (pfd[PFD_TASKOUT].revents != 0)
		worker_read(&j->out, STREAM_STDOUT);
	if (pfd[PFD_TASKERR].revents != 0)
		worker_read(&j->err, STREAM_STDERR);
	if (pfd[PFD_SIGCHLD].revents != 0) {
		while (read(w.sigpipe[0], drain, sizeof drain) > 0)
			/* nothing */;
	}
	if (pfd[PFD_CHILD].revents != 0 || pfd[PFD_SIGCHLD].revents != 0)
		worker_reap();
	return (0);
}

/* Reads from the parent and handles every complete frame. */
static void
worker_input(void)
{
	struct proto_frame	 f;
	const char		*errstr = NULL;
	ssize_t			 n;

	n = read(STDIN_FILENO, buf_reserve(&w.in, WORKER_INREAD),
	    WORKER_INREAD);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		log_warn("worker: read");
		worker_gone();
		return;
	}
	if (n == 0) {
		/* Idle, this is the normal end; else the parent is gone. */
		w.reading = 0;
		if (w.job.active)
			worker_gone();
		else {
			worker_drop_queue();
			w.quit = 1;
		}
		return;
	}
	buf_commit(&w.in, (size_t)n);
	while (w.reading) {
		n = proto_decode(BUF_PTR(&w.in), w.in.len, &f, &errstr);
		if (n == 0)
			break;
		if (n == -1) {
			worker_fail(errstr);
			break;
		}
		if (f.type != PROTO_NOP)
			worker_frame(&f);
		buf_consume(&w.in, (size_t)n);
	}
}

/* Acts on one frame from the parent. */
static void
worker_frame(const struct proto_frame *f)
{
	if (!w.have_hello) {
		if (f->type != PROTO_HELLO) {
			worker_fail("expected HELLO");
			return;
		}
		worker_hello(f);
		return;
	}
	switch (f->type) {
	case PROTO_TASKS:
		worker_tasks(f);
		break;
	case PROTO_STOP:
		/* The running task still gets its DONE. */
		w.reading = 0;
		w.quit = 1;
		worker_drop_queue();
		worker_stop();
		break;
	case PROTO_KILL:
		worker_kill(f);
		break;
	case PROTO_SIGNAL:
		worker_sigframe(f);
		break;
	case PROTO_HELLO:
		worker_fail("second HELLO");
		break;
	default:
		worker_fail("unexpected frame type");
		break;
	}
}

/* Takes the parent's settings, answers with ours and starts --init. */
static void
worker_hello(const struct proto_frame *f)
{
	struct hello_reply	 r;
	const char		*errstr;
	char			*s;

	if (json_hello_decode(f->payload, f->len, &w.hello, &errstr) != 0) {
		worker_fail(errstr);
		return;
	}
	w.have_hello = 1;
	r.version = PROTO_VERSION;
	r.pid = getpid();
	r.ncpu = worker_ncpu != 0 ? worker_ncpu : ncpu_available();
	/* The parent names a launched worker's host by it. */
	if (gethostname(r.node, sizeof r.node - 1) == -1)
		r.node[0] = '\0';
	s = json_reply_encode(&r);
	proto_put(&w.out, PROTO_HELLO, 0, s, (uint32_t)strlen(s));
	free(s);
	if (w.hello.version != PROTO_VERSION) {
		log_warnx("worker: protocol version %d, expected %d",
		    w.hello.version, PROTO_VERSION);
		w.status = MPRUN_EXIT_ERROR;
		w.quit = 1;
		w.reading = 0;
		return;
	}
	/* A remote worker's tasks must not outlive it (guard.c). */
	if (w.hello.relay)
		(void)guard_start(w.hello.termseq, w.hello.ntermseq);
	worker_env();
	spawn_set_discard(w.hello.discard);
	spawn_set_merge(w.hello.merge);
	/* Absolute, as --nice N promises; raising it needs privilege. */
	if (w.hello.nice != 0 &&
	    setpriority(PRIO_PROCESS, 0, w.hello.nice) == -1)
		log_warnx("--nice %d: %s", w.hello.nice, strerror(errno));
	if (w.hello.init != NULL)
		worker_run_init();
}

/*
 * Builds the tasks' environment once: ours without the variables we set,
 * then MPRUN_SLOT and PARALLEL_JOBSLOT, then room for the two SEQ entries
 * that worker_run() fills in (and worker_run_init() leaves out).  It
 * becomes environ, which spawn_start() hands to every task.
 */
static void
worker_env(void)
{
	char		**e;
	size_t		  n = 0, k = 0, i;

	for (e = environ; *e != NULL; e++)
		n++;
	w.envp = xreallocarray(NULL, n + 5, sizeof *w.envp);
	for (e = environ; *e != NULL; e++) {
		for (i = 0; i < WORKER_NENV; i++) {
			if (strncmp(*e, worker_envnames[i],
			    strlen(worker_envnames[i])) == 0)
				break;
		}
		if (i == WORKER_NENV)
			w.envp[k++] = *e;
	}
	snprintf(w.slotenv[0], sizeof w.slotenv[0], "MPRUN_SLOT=%u",
	    w.hello.slot);
	snprintf(w.slotenv[1], sizeof w.slotenv[1], "PARALLEL_JOBSLOT=%u",
	    w.hello.slot);
	w.envp[k++] = w.slotenv[0];
	w.envp[k++] = w.slotenv[1];
	w.nseqenv = k;
	w.envp[k] = w.envp[k + 1] = w.envp[k + 2] = NULL;
	w.oldenv = environ;
	environ = w.envp;
}

/* Queues the tasks of a TASKS frame, copying them out of the read buffer. */
static void
worker_tasks(const struct proto_frame *f)
{
	struct proto_task	 pt;
	struct worker_task	*t;
	const char		*errstr;
	char			*strings;
	size_t			 off = 0;
	int			 r, i;

	while ((r = proto_next_task(f, &off, &pt, &errstr)) == 1) {
		t = xmalloc(sizeof *t + ((size_t)pt.argc + 1) *
		    sizeof *t->argv + pt.argslen);
		t->next = NULL;
		t->seq = pt.seq;
		t->mode = pt.mode;
		t->argv = (char **)(t + 1);
		strings = (char *)(t->argv + pt.argc + 1);
		memcpy(strings, pt.argv[0], pt.argslen);
		for (i = 0; i < pt.argc; i++)
			t->argv[i] = strings + (pt.argv[i] - pt.argv[0]);
		t->argv[pt.argc] = NULL;
		free(pt.argv);
		*w.tail = t;
		w.tail = &t->next;
	}
	if (r == -1)
		worker_fail(errstr);
}

/*
 * Stops task seq: the termseq if it runs (the queue goes on afterwards),
 * an answer at once if it is queued, nothing if it is unknown (it may
 * have finished while the KILL was on its way).
 */
static void
worker_kill(const struct proto_frame *f)
{
	struct worker_task	**tp, *t;
	struct proto_done	  d;

	if (f->len != 0) {
		worker_fail("KILL with a payload");
		return;
	}
	if (w.job.active && !w.job.init && w.job.seq == f->seq) {
		worker_stop();
		return;
	}
	for (tp = &w.head; (t = *tp) != NULL; tp = &t->next) {
		if (t->seq == f->seq)
			break;
	}
	if (t == NULL)
		return;
	if ((*tp = t->next) == NULL)
		w.tail = tp;
	free(t);
	proto_put_start(&w.out, f->seq, 0);
	d.status = -1;
	d.sig = SIGTERM;
	d.start_us = worker_clock(CLOCK_REALTIME);
	d.runtime_us = 0;
	proto_put_done(&w.out, f->seq, &d);
	/* The parent sent it as part of our quota. */
	w.ndone++;
}

/* Passes the parent's signal on to the running process group, if any. */
static void
worker_sigframe(const struct proto_frame *f)
{
	int	 sig;

	if (proto_get_signal(f, &sig) != 0) {
		worker_fail("bad SIGNAL frame");
		return;
	}
	if (w.job.active)
		worker_killpg(sig);
}

/* Writes what fd 1 takes now; EPIPE means the parent is gone. */
static void
worker_write(void)
{
	ssize_t	 n;

	if (w.orphan) {
		buf_reset(&w.out);
		return;
	}
	/* Through a relay that passes lines, every write ends one. */
	if (w.hello.relay)
		proto_end_line(&w.out);
	while (w.out.len > 0) {
		n = write(STDOUT_FILENO, BUF_PTR(&w.out), w.out.len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			if (errno != EPIPE)
				log_warn("worker: write");
			worker_gone();
			return;
		}
		buf_consume(&w.out, (size_t)n);
		/* A short write means the pipe is full: wait for POLLOUT. */
		if (w.out.len > 0)
			return;
	}
}

/* Writes out every queued frame before the worker exits. */
static void
worker_flush(void)
{
	struct pollfd	 pfd;

	worker_write();
	while (w.out.len > 0 && !w.orphan) {
		pfd.fd = STDOUT_FILENO;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("worker: poll");
			return;
		}
		worker_write();
	}
}

/* Starts a task and sends its START, or answers it at once if it fails. */
static void
worker_run(struct worker_task *t)
{
	struct worker_job	*j = &w.job;
	struct spawn		 sp;
	struct proto_done	 d;
	struct buf		 msg;
	int			 status;

	memset(j, 0, sizeof *j);
	j->pidfd = j->out = j->err = -1;
	j->seq = t->seq;
	j->start_us = worker_clock(CLOCK_REALTIME);
	j->start_mono = worker_clock(CLOCK_MONOTONIC);

	snprintf(w.seqenv[0], sizeof w.seqenv[0], "MPRUN_SEQ=%llu",
	    (unsigned long long)t->seq);
	snprintf(w.seqenv[1], sizeof w.seqenv[1], "PARALLEL_SEQ=%llu",
	    (unsigned long long)t->seq);
	w.envp[w.nseqenv] = w.seqenv[0];
	w.envp[w.nseqenv + 1] = w.seqenv[1];

	buf_init(&msg);
	status = spawn_start(&sp, t->mode, t->argv, SPAWN_CAPTURE, &msg);
	if (status == SPAWN_AGAIN) {
		buf_free(&msg);
		worker_again(t->seq);
		return;
	}
	if (status != 0) {
		proto_put_start(&w.out, t->seq, 0);
		proto_put_out(&w.out, t->seq, STREAM_STDERR, BUF_PTR(&msg),
		    msg.len);
		buf_free(&msg);
		d.status = status;
		d.sig = 0;
		d.start_us = j->start_us;
		d.runtime_us = worker_clock(CLOCK_MONOTONIC) - j->start_mono;
		proto_put_done(&w.out, t->seq, &d);
		w.ndone++;
		return;
	}
	buf_free(&msg);
	proto_put_start(&w.out, t->seq, sp.pid);
	guard_add(sp.pid);
	j->active = 1;
	j->pid = sp.pid;
	j->out = sp.out;
	j->err = sp.err;
	worker_watch();
}

/* Starts --init with /bin/sh -c, its output on our stderr. */
static void
worker_run_init(void)
{
	struct worker_job	*j = &w.job;
	struct spawn		 sp;
	struct buf		 msg;
	char			*argv[2];
	int			 status;

	memset(j, 0, sizeof *j);
	j->pidfd = j->out = j->err = -1;
	j->init = 1;
	j->start_us = worker_clock(CLOCK_REALTIME);
	j->start_mono = worker_clock(CLOCK_MONOTONIC);

	/* --init is no task: it has a slot but no sequence number. */
	w.envp[w.nseqenv] = NULL;
	argv[0] = w.hello.init;
	argv[1] = NULL;
	buf_init(&msg);
	status = spawn_start(&sp, TEMPLATE_SHELL, argv, SPAWN_STDERR, &msg);
	buf_free(&msg);
	if (status == SPAWN_AGAIN) {
		worker_again(0);
		return;
	}
	if (status != 0) {
		log_warnx("--init in slot %u failed: exit %d", w.hello.slot,
		    status);
		w.init = INIT_FAILED;
		return;
	}
	w.init = INIT_RUNNING;
	guard_add(sp.pid);
	j->active = 1;
	j->pid = sp.pid;
	worker_watch();
}

/*
 * Arranges to learn when the process exits: a pidfd, besides the SIGCHLD
 * self-pipe, unless the kernel has no pidfd_open (before 5.3) or a
 * seccomp filter refuses it.  The SIGCHLD handler was there before the
 * process, so no exit can be missed.
 */
static void
worker_watch(void)
{
	long	 fd;

	if (w.nopidfd)
		return;
	fd = syscall(SYS_pidfd_open, w.job.pid, 0);
	if (fd >= 0) {
		/* A pidfd is always close-on-exec. */
		w.job.pidfd = (int)fd;
		return;
	}
	log_debug("worker: pidfd_open: %s; using SIGCHLD", strerror(errno));
	w.nopidfd = 1;
}

/*
 * Reaps every child that has exited: the running process, whose exit
 * status is kept (or whose stop is acted on), and any process re-parented
 * to us (we are its subreaper) once a task's process that started it has
 * gone: a daemon in a session of its own, or what is left of a task's
 * group while it is swept.  Their statuses mean nothing to us, but
 * unreaped they would pile up as zombies for as long as the worker lives.
 */
static void
worker_reap(void)
{
	struct worker_job	*j = &w.job;
	pid_t			 r;
	int			 st;

	for (;;) {
		r = waitpid(-1, &st, WNOHANG | WUNTRACED);
		if (r == 0)
			return;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("worker: waitpid");
			break;
		}
		if (!j->active || j->exited || r != j->pid)
			continue;
		if (WIFSTOPPED(st)) {
			worker_stopped(WSTOPSIG(st));
			continue;
		}
		j->exited = 1;
		j->wstatus = st;
		j->runtime_us = worker_clock(CLOCK_MONOTONIC) - j->start_mono;
		worker_close(&j->pidfd);
	}
	if (j->active && !j->exited) {
		/*
		 * No child left, and ours not reaped: cannot happen unless
		 * someone reaped it for us.
		 */
		log_warnx("worker: process %ld is gone, its status unknown",
		    (long)j->pid);
		j->exited = 1;
		j->wstatus = MPRUN_EXIT_ERROR << 8;
		j->runtime_us = worker_clock(CLOCK_MONOTONIC) - j->start_mono;
		worker_close(&j->pidfd);
	}
}

/*
 * Handles the process stopping by sig.  SIGTTIN and SIGTTOU mean it used
 * the terminal, which no task may do (it would wait for a "fg" that never
 * comes), so its group is killed; SIGCONT lets any member that is stopped
 * too see the SIGKILL at once.  SIGTSTP and SIGSTOP are left to whoever
 * sent them (the parent forwards the user's Ctrl-Z, then SIGCONT).
 */
static void
worker_stopped(int sig)
{
	struct worker_job	*j = &w.job;

	if ((sig != SIGTTIN && sig != SIGTTOU) || j->ttysig != 0)
		return;
	log_debug("worker: process %ld stopped by signal %d: killing it",
	    (long)j->pid, sig);
	j->ttysig = sig;
	worker_killpg(SIGKILL);
	worker_killpg(SIGCONT);
}

/* Names the terminal signal a process was killed for. */
static const char *
worker_ttyname(int sig)
{
	return (sig == SIGTTIN ? "SIGTTIN" : "SIGTTOU");
}

/*
 * Reads what the task wrote on one stream, straight into an OUT frame at
 * the end of the outgoing frames.
 */
static void
worker_read(int *fd, int stream)
{
	static char	 sink[WORKER_READ];
	char		*data;
	ssize_t		 n;

	if (*fd == -1)
		return;
	/* An orphan reads only to let the task go on. */
	data = w.orphan ? sink : proto_out_reserve(&w.out, WORKER_READ);
	n = read(*fd, data, WORKER_READ);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		log_warn("worker: read from task %llu",
		    (unsigned long long)w.job.seq);
		worker_close(fd);
		return;
	}
	if (n == 0) {
		worker_close(fd);
		return;
	}
	if (!w.orphan)
		proto_out_commit(&w.out, w.job.seq, stream, (size_t)n);
}

/*
 * Finishes the process once it is complete: exited, its pipes at EOF and
 * nothing left in its process group.  What is left there once the process
 * has exited and its pipes are closed (a background child that closed its
 * output or never had it) is swept before the DONE goes out, so no task
 * outlives its DONE: the parent still counts it running, its slot stays
 * busy and the parent's own kills still reach its group.  The sweep
 * waits TERMSEQ_SWEEP_GRACE_MS ms first, as a daemon that the task
 * started just before it ended may not have left the group yet (daemon(3)
 * lets the parent exit before the child calls setsid), then sends the
 * termseq; it ends as soon as the group is empty.  Exited when its
 * termseq is over, it is finished even if something still holds a pipe
 * or outlived the SIGKILL.  Moves the termseq on when a step's time is
 * up.
 */
static void
worker_check(void)
{
	struct worker_job	*j = &w.job;
	int64_t			 now;

	if (j->stopping && !termseq_over(&j->term) &&
	    worker_clock(CLOCK_MONOTONIC) / 1000 >= j->deadline)
		worker_step();
	if (!j->exited)
		return;
	if (j->out != -1 || j->err != -1) {
		if (!termseq_over(&j->term))
			return;
		worker_close(&j->out);
		worker_close(&j->err);
	}
	if (!termseq_over(&j->term) && worker_group_alive()) {
		if (!j->stopping) {
			now = worker_clock(CLOCK_MONOTONIC) / 1000;
			if (!j->sweeping) {
				j->sweeping = 1;
				j->grace_end = now + TERMSEQ_SWEEP_GRACE_MS;
				log_debug("worker: %s %llu left processes in "
				    "its group", j->init ? "--init" : "task",
				    (unsigned long long)j->seq);
			}
			if (now < j->grace_end)
				return;
			log_debug("worker: stopping what %s %llu left",
			    j->init ? "--init" : "task",
			    (unsigned long long)j->seq);
			worker_stop();
		}
		if (!termseq_over(&j->term) && worker_group_alive())
			return;
	}
	worker_finish();
}

/* Sends the DONE of a finished task, or records how --init went. */
static void
worker_finish(void)
{
	struct worker_job	*j = &w.job;
	struct proto_done	 d;
	const char		*name;
	char			*text;
	int			 st = j->wstatus, len;

	worker_close(&j->pidfd);
	worker_close(&j->out);
	worker_close(&j->err);
	j->active = 0;
	guard_del(j->pid);

	if (j->init) {
		/* Stopped, it did not fail; swept, it had exited. */
		if (j->stopping && !j->sweeping)
			return;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			w.init = INIT_NONE;
			return;
		}
		w.init = INIT_FAILED;
		if (j->ttysig != 0) {
			log_warnx("--init in slot %u was stopped by %s (it "
			    "used the terminal): killed", w.hello.slot,
			    worker_ttyname(j->ttysig));
		} else if (WIFSIGNALED(st)) {
			if ((name = sigabbrev_np(WTERMSIG(st))) != NULL)
				log_warnx("--init in slot %u failed: killed "
				    "by SIG%s", w.hello.slot, name);
			else
				log_warnx("--init in slot %u failed: killed "
				    "by signal %d", w.hello.slot, WTERMSIG(st));
		} else
			log_warnx("--init in slot %u failed: exit %d",
			    w.hello.slot, WEXITSTATUS(st));
		return;
	}

	if (WIFSIGNALED(st)) {
		d.status = -1;
		d.sig = WTERMSIG(st);
	} else {
		d.status = WEXITSTATUS(st);
		d.sig = 0;
	}
	d.start_us = j->start_us;
	d.runtime_us = j->runtime_us;
	if (!w.orphan) {
		/* After all its output, so that it reads as its last words. */
		if (j->ttysig != 0) {
			len = xasprintf(&text, "mprun: task %llu was stopped "
			    "by %s (it used the terminal): killed\n",
			    (unsigned long long)j->seq,
			    worker_ttyname(j->ttysig));
			proto_put_out(&w.out, j->seq, STREAM_STDERR, text,
			    (size_t)len);
			free(text);
		}
		proto_put_done(&w.out, j->seq, &d);
	}
	w.ndone++;
}

/* Starts the termseq on the running process, once. */
static void
worker_stop(void)
{
	struct worker_job	*j = &w.job;

	if (!j->active || j->stopping)
		return;
	j->stopping = 1;
	termseq_start(&j->term, w.hello.termseq, w.hello.ntermseq);
	worker_step();
}

/*
 * Moves to the next termseq step: sends its signal to the process group
 * and waits up to its time.  After the last step the group gets SIGKILL if
 * the process has still not exited or a pipe is still open (whatever holds
 * it in the group must not outlive the task), and the sequence is over.
 */
static void
worker_step(void)
{
	struct worker_job	*j = &w.job;
	struct termstep		 step;
	int			 alive;

	alive = !j->exited || j->out != -1 || j->err != -1 ||
	    worker_group_alive();
	switch (termseq_next(&j->term, alive, &step)) {
	case TERMSEQ_SIGNAL:
		worker_signal(step.sig);
		if (termseq_over(&j->term))
			break;		/* the group is empty */
		/*
		 * A stopped process acts on no signal but SIGKILL until it
		 * is continued.  The leader's state would not do to decide:
		 * a child stopped between vfork and exec leaves its parent
		 * running (in D state), not stopped.
		 */
		worker_killpg(SIGCONT);
		j->deadline = worker_clock(CLOCK_MONOTONIC) / 1000 + step.ms;
		break;
	case TERMSEQ_KILL:
		worker_signal(SIGKILL);
		break;
	case TERMSEQ_OVER:
		break;
	}
}

/*
 * Signals the process group.  When the group is empty the sequence is over:
 * a pipe still open is held by a process that left the group.
 */
static void
worker_signal(int sig)
{
	if (kill(-w.job.pid, sig) == 0)
		return;
	if (errno == ESRCH)
		termseq_end(&w.job.term);
	else
		log_warn("worker: kill %ld", (long)-w.job.pid);
}

/* Sends sig to the running process group; an empty group is no error. */
static void
worker_killpg(int sig)
{
	if (kill(-w.job.pid, sig) == -1 && errno != ESRCH)
		log_warn("worker: kill %ld", (long)-w.job.pid);
}

/*
 * Whether anything is left in the running process's group, zombies
 * included.  Its number cannot be reused while the group has a member, so
 * a signal sent while this says yes reaches only what the task started.
 * A group whose members may all not be signalled (a set-user-ID program)
 * is left alone: nothing here could end it.
 */
static int
worker_group_alive(void)
{
	if (kill(-w.job.pid, 0) == 0)
		return (1);
	if (errno != ESRCH && errno != EPERM)
		log_warn("worker: kill %ld", (long)-w.job.pid);
	return (0);
}

/* Closes *fd if it is open and marks it closed. */
static void
worker_close(int *fd)
{
	if (*fd == -1)
		return;
	if (close(*fd) == -1)
		log_warn("worker: close");
	*fd = -1;
}
