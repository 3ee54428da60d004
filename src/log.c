/*
 * log.c - messages on stderr.  Every message is one line, "mprun: what:
 * why", formatted first and written with a single write(2) so that lines
 * from the parent and its workers (which share stderr) never mix.
 * die()/diex() are for errors before the loop runs; fatal()/fatalx() are
 * for broken invariants and run the fatal hook, which kills every task's
 * process group, before exiting.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

static int	  log_verbose;
static void	(*log_fatal_hook)(void);

static void	  log_vwrite(const char *, const char *, va_list, int);

/* Sets how many -v were given. */
void
log_set_verbose(int v)
{
	log_verbose = v;
}

/* Sets what fatal() runs before exiting. */
void
log_set_fatal_hook(void (*hook)(void))
{
	log_fatal_hook = hook;
}

/* Formats one message and writes it in one piece. */
static void
log_vwrite(const char *prefix, const char *fmt, va_list ap, int errnum)
{
	char	 line[4096];
	size_t	 off;
	int	 n;
	ssize_t	 w;

	n = snprintf(line, sizeof line, "mprun: %s", prefix);
	off = n < 0 ? 0 : (size_t)n;
	if (off < sizeof line) {
		n = vsnprintf(line + off, sizeof line - off, fmt, ap);
		if (n > 0)
			off += (size_t)n;
	}
	if (errnum != 0 && off < sizeof line) {
		n = snprintf(line + off, sizeof line - off, ": %s",
		    strerror(errnum));
		if (n > 0)
			off += (size_t)n;
	}
	if (off > sizeof line - 2)
		off = sizeof line - 2;
	line[off++] = '\n';
	/* Nothing sensible is left to do when stderr itself fails. */
	do
		w = write(STDERR_FILENO, line, off);
	while (w == -1 && errno == EINTR);
}

/* Says how a process ended, for messages: "exit 3", "killed by signal 9". */
void
log_exit_how(char *buf, size_t size, int64_t status, int sig)
{
	if (sig != 0)
		snprintf(buf, size, "killed by signal %d", sig);
	else
		snprintf(buf, size, "exit %lld", (long long)status);
}

/* Logs a message when -v was given at least twice. */
void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	log_vwrite("debug: ", fmt, ap, 0);
	va_end(ap);
}

/* Logs a warning with the current errno's text. */
void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

/* Logs a warning. */
void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, 0);
	va_end(ap);
}

/* Reports an error with errno's text and exits; only before the loop. */
void
die(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, saved);
	va_end(ap);
	exit(MPRUN_EXIT_ERROR);
}

/* Reports an error and exits; only before the loop. */
void
diex(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("", fmt, ap, 0);
	va_end(ap);
	exit(MPRUN_EXIT_ERROR);
}

/* Reports a broken invariant with errno's text, kills the tasks, exits. */
void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, saved);
	va_end(ap);
	if (log_fatal_hook != NULL)
		log_fatal_hook();
	_exit(MPRUN_EXIT_ERROR);
}

/* Reports a broken invariant, kills the tasks, exits. */
void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, 0);
	va_end(ap);
	if (log_fatal_hook != NULL)
		log_fatal_hook();
	_exit(MPRUN_EXIT_ERROR);
}
