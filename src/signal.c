/*
 * signal.c - the parent's signal policy.
 *
 * SIGINT and SIGTERM stop the run: nothing new starts, running tasks get
 * the termination sequence (through their workers), what finished is
 * emitted, and mprun then dies by the same signal so the shell sees
 * 128 + N.  SIGHUP winds the run down gently: nothing new starts, running
 * tasks finish, and the exit status follows the usual rule.  A second
 * stopping signal kills every task group and mprun at once.
 *
 * Tasks run in process groups of their own, so a Ctrl-Z at the terminal
 * reaches only mprun: SIGTSTP is forwarded to every running task, then
 * mprun stops itself; SIGCONT (fg, bg) is forwarded back.
 *
 * SIGPIPE is ignored: a write to a closed stdout is handled where it
 * happens (output.c).  The handles are unreferenced so that they never
 * keep the loop alive by themselves.
 */

#include <signal.h>
#include <string.h>

#include "mprun.h"

static const int	 signal_list[] = {
	SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT
};
#define SIGNAL_COUNT	 (sizeof signal_list / sizeof signal_list[0])

static uv_signal_t	 signal_handles[SIGNAL_COUNT];
static int		 signal_got;

static void	 signal_cb(uv_signal_t *, int);

/* Installs the parent's handlers. */
void
signal_init(uv_loop_t *loop)
{
	struct sigaction	 sa;
	sigset_t		 empty;
	size_t			 i;
	int			 r;

	/*
	 * A mask inherited from whoever started us would hide SIGCHLD from
	 * libuv (no worker would ever be reaped) and our own signals too.
	 */
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) == -1)
		die("sigprocmask");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		die("sigaction");
	for (i = 0; i < SIGNAL_COUNT; i++) {
		if ((r = uv_signal_init(loop, &signal_handles[i])) != 0 ||
		    (r = uv_signal_start(&signal_handles[i], signal_cb,
		    signal_list[i])) != 0)
			diex("uv_signal: %s", uv_strerror(r));
		uv_unref((uv_handle_t *)&signal_handles[i]);
	}
}

/* Closes the handlers at the end of the run. */
void
signal_close(void)
{
	size_t	 i;

	for (i = 0; i < SIGNAL_COUNT; i++) {
		if (!uv_is_closing((uv_handle_t *)&signal_handles[i]))
			uv_close((uv_handle_t *)&signal_handles[i], NULL);
	}
}

/* Acts on a signal, as the comment at the top says. */
static void
signal_cb(uv_signal_t *h, int sig)
{
	struct sigaction	 sa;

	switch (sig) {
	case SIGTSTP:
		pool_signal_all(SIGTSTP);
		pworker_signal_all(SIGTSTP);
		raise(SIGSTOP);
		return;
	case SIGCONT:
		pool_signal_all(SIGCONT);
		pworker_signal_all(SIGCONT);
		return;
	}
	if (signal_got == 0) {
		signal_got = sig;
		log_debug("signal %d: stopping", sig);
		if (sig == SIGHUP)
			mprun_drain(MPRUN_STATUS_COUNT);
		else
			mprun_shutdown(-sig);
		return;
	}
	if (signal_got == SIGHUP && sig != SIGHUP) {
		/* INT or TERM after a HUP: stop as on the first. */
		signal_got = sig;
		mprun_shutdown(-sig);
		return;
	}
	pool_kill_all();
	pworker_kill_all();
	jobserver_release_all();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	raise(sig);
	_exit(128 + sig);
}
