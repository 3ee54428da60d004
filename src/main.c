/*
 * main.c - startup order, the loop, and the final exit status.
 *
 * The same executable is both the parent and, started by the parent as
 * "mprun --worker-mode", every worker.  The parent parses the command
 * line, installs its signal handlers before any child exists, opens the
 * input, and then runs one libuv loop until every task has been emitted
 * and every worker has gone.  Whatever stops the run early goes through
 * mprun_shutdown(), which records why and lets the loop wind down: tasks
 * stopped, finished output written, then the exit status (or the signal
 * mprun dies by).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

struct options		 opts;

static uv_loop_t	 main_loop;
static int		 main_stopping;
static int		 main_status;	/* >= 0 exit code, < 0 -signal */
static int		 main_failed;	/* an error the run went on after */
static uint64_t		 main_start;	/* loop time at the start, ms */
static uv_timer_t	 main_deadline;	/* bounds a stop, whatever runs */
static uint64_t		 main_deadline_ms;	/* 0: not armed */
static int		 main_deadline_killed;

/*
 * How long past the termseq a stop may take: whatever still runs half
 * way is killed, and what the reader has not taken by the end is left.
 */
#define MAIN_STOP_MARGIN_MS	1000

static void	 main_fds(void);
static void	 main_kill_all(void);
static void	 main_fatal(void);
static void	 main_deadline_start(void);
static void	 main_deadline_cb(uv_timer_t *);
static int	 main_done(void);
static void	 main_die(void) __attribute__((noreturn));
static void	 main_stats(struct progress_stats *);
static void	 main_drain_cb(int);
static int	 main_exit_status(void);

/*
 * Puts /dev/null on any of fds 0-2 that the caller left closed, before
 * anything else opens a file: a pipe or libuv's own descriptors landing
 * there would be taken for stdin, stdout or stderr.  Reading a closed
 * stdin or writing to a closed stdout is still an error, later.
 */
static void
main_fds(void)
{
	int	 fd, nfd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		mprun_closed[fd] = 1;
		nfd = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY :
		    O_WRONLY);
		if (nfd == -1)
			_exit(MPRUN_EXIT_ERROR);
		if (nfd != fd)
			_exit(MPRUN_EXIT_ERROR);	/* lower fds are open */
	}
}

/* Kills every worker of either kind at once (the fatal path). */
static void
main_kill_all(void)
{
	pool_kill_all();
	pworker_kill_all();
}

/* fatal()'s last act: kill everything, give make its tokens back. */
static void
main_fatal(void)
{
	main_kill_all();
	jobserver_release_all();
}

/*
 * Arms the stop's deadline: the workers run the termseq on their tasks;
 * whatever still runs half a margin after it (a worker that was stopped
 * or is stuck, a task that outlived its KILL) is killed from here, and a
 * margin after it mprun leaves even if its reader is not taking the
 * output that is left.
 */
static void
main_deadline_start(void)
{
	uint64_t	 ms;
	int		 r;

	if (main_deadline_ms != 0)
		return;
	ms = termseq_total_ms(opts.termseq, opts.ntermseq) +
	    MAIN_STOP_MARGIN_MS / 2;
	if ((r = uv_timer_start(&main_deadline, main_deadline_cb, ms,
	    MAIN_STOP_MARGIN_MS / 2)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
	main_deadline_ms = ms;
}

/* The stop takes too long: kill what is left, then stop waiting at all. */
static void
main_deadline_cb(uv_timer_t *t)
{
	int	 status;

	if (!main_deadline_killed) {
		main_deadline_killed = 1;
		if (pool_count() == 0 && pworker_count() == 0)
			return;
		log_warnx("still running %llu ms after the stop: killing the "
		    "rest", (unsigned long long)main_deadline_ms);
		main_kill_all();
		return;
	}
	uv_timer_stop(t);
	if (output_flushed())
		return;
	log_warnx("output not taken %llu ms after the stop: leaving it",
	    (unsigned long long)main_deadline_ms + MAIN_STOP_MARGIN_MS / 2);
	main_kill_all();
	jobserver_release_all();
	if (main_status < 0)
		main_die();
	status = main_exit_status();
	_exit(status);
}

/* Stops the run: nothing new starts, the running tasks are stopped. */
void
mprun_shutdown(int status)
{
	if (main_stopping) {
		/* An error while draining still stops the tasks. */
		if (status == MPRUN_EXIT_ERROR || status < 0) {
			main_status = status;
			pool_stop_all();
			pworker_stop_all();
			main_deadline_start();
		}
		return;
	}
	main_stopping = 1;
	main_status = status;
	dispatch_stop(1);
	main_deadline_start();
}

/*
 * Records an error that the run survives (a --worker that broke its
 * protocol and was replaced): the run goes on, and its exit status is
 * MPRUN_EXIT_ERROR however the tasks ended.
 */
void
mprun_fail(void)
{
	main_failed = 1;
}

/*
 * Winds the run down gently: nothing new starts, running tasks finish.
 * status is the exit status, or MPRUN_STATUS_COUNT for the usual rule.
 */
void
mprun_drain(int status)
{
	if (main_stopping)
		return;
	main_stopping = 1;
	main_status = status;
	dispatch_stop(0);
}

/* Fills in the progress line's figures. */
static void
main_stats(struct progress_stats *ps)
{
	memset(ps, 0, sizeof *ps);
	report_stats(ps);
	ps->running += pworker_running();
	ps->queued = dispatch_queued();
	if (dispatch_total(&ps->total) != 0)
		ps->total = 0;
	uv_update_time(&main_loop);
	ps->elapsed = (double)(uv_now(&main_loop) - main_start) / 1000.0;
}

/* Output back-pressure changed, or the output drained. */
static void
main_drain_cb(int pause)
{
	pool_pause(pause);
	pworker_pause(pause);
	if (!pause)
		dispatch_pump();
}

/* Whether the run is over: nothing to read, run, emit or write. */
static int
main_done(void)
{
	if (dispatch_busy() || pool_count() != 0 || pworker_count() != 0 ||
	    !output_flushed())
		return (0);
	return (main_stopping || collect_idle());
}

/* The exit status: 0, the count of failed tasks, 101, or 255. */
static int
main_exit_status(void)
{
	uint64_t	 failed;

	if (main_stopping && main_status >= 0 &&
	    main_status != MPRUN_STATUS_COUNT)
		return (main_status);
	if (main_failed)
		return (MPRUN_EXIT_ERROR);
	failed = report_failed();
	if (failed == 0)
		return (MPRUN_EXIT_OK);
	if (failed <= MPRUN_EXIT_MAXCOUNT)
		return ((int)failed);
	return (MPRUN_EXIT_MANY);
}

int
main(int argc, char **argv)
{
	unsigned		 local;
	int			 r, status, zygote;

	if (argc > 1 && strcmp(argv[1], "--worker-mode") == 0)
		return (worker_main(argc, argv));

	main_fds();
	options_parse(&opts, argc, argv);
	/* Before any other process starts: make's fds become close-on-exec. */
	jobserver_init(&opts);
	/* Probing remote hosts sets -j to their total of slots. */
	remote_init(&opts);
	zygote = opts.worker == NULL && !opts.dry_run &&
	    getenv("MPRUN_EXEC_WORKERS") == NULL &&
	    remote_local_slots(&opts) > 0;
	/* Before anything of ours is open: -j fits, or we stop here. */
	limits_fds(&opts, zygote);
	/*
	 * Now, while this process has no loop or handler (and it never has
	 * a thread): workers are forked from the zygote, or started with
	 * exec if it cannot be.
	 */
	local = remote_local_slots(&opts);
	if (local > opts.jobs)
		local = opts.jobs;
	if (zygote && zygote_start(local, opts.maxtasks) == -1)
		log_debug("no worker fork server: %s", strerror(errno));
	if ((r = uv_loop_init(&main_loop)) != 0)
		diex("uv_loop_init: %s", uv_strerror(r));
	signal_init(&main_loop);
	if ((r = uv_timer_init(&main_loop, &main_deadline)) != 0)
		diex("uv_timer_init: %s", uv_strerror(r));
	/* Only what it waits for keeps the loop running. */
	uv_unref((uv_handle_t *)&main_deadline);
	log_set_fatal_hook(main_fatal);
	jobserver_start(&main_loop, dispatch_pump);
	output_init(&main_loop, main_drain_cb, report_written);
	report_init(&opts);
	collect_init(&opts);
	pool_init(&main_loop, &opts);
	pworker_init(&main_loop, &opts);
	dispatch_init(&main_loop, &opts);
	main_start = uv_now(&main_loop);
	if (progress_start(&main_loop, opts.progress, opts.progress_force,
	    main_stats) != 0)
		diex("cannot start the progress line");

	dispatch_pump();
	while (!main_done()) {
		if (uv_run(&main_loop, UV_RUN_ONCE) == 0 && !main_done())
			fatalx("the run stalled: %u workers, output %s",
			    pool_count(), output_flushed() ? "flushed" :
			    "pending");
	}

	progress_stop();
	signal_close();
	uv_close((uv_handle_t *)&main_deadline, NULL);
	status = main_exit_status();
	/* Said once the pool settled, or now; a failed run says why itself. */
	if (status != MPRUN_EXIT_ERROR)
		limits_report();
	/* The report covers what ran, however the run ended; it can fail. */
	if (report_close() == -1) {
		status = MPRUN_EXIT_ERROR;
		main_status = status;	/* not death by a signal, then */
	}
	dispatch_free();
	collect_free();
	report_free();
	pool_free();
	remote_free();
	pworker_free();
	jobserver_free();	/* every task has ended: all tokens go back */
	output_free();
	while (uv_run(&main_loop, UV_RUN_NOWAIT) != 0)
		;
	if ((r = uv_loop_close(&main_loop)) != 0)
		log_debug("uv_loop_close: %s", uv_strerror(r));

	if (main_stopping && main_status < 0)
		main_die();
	return (status);
}

/* Dies by the signal that stopped the run, as the shell expects. */
static void
main_die(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(-main_status, &sa, NULL);
	raise(-main_status);
	_exit(128 - main_status);
}
