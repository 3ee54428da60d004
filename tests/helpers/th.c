/*
 * th.c - the test helper program for the end-to-end tests.  Its options
 * are actions run in the order given, so they compose:
 *
 *	th [-p] [-o TEXT] [-e TEXT] [-n BYTES] [-s MS] [-x CODE] [-k SIG]
 *	   [-r] [--] [args...]
 *
 * -p prints each arg on its own line; -o/-e write TEXT and a newline to
 * stdout/stderr; -n writes BYTES bytes of 'x' with a newline as every 64th
 * byte; -s sleeps MS milliseconds; -x exits with CODE; -k kills th with
 * signal SIG; -r reports how th was started: stdin=devnull|other,
 * pgrp=own|inherited, mask=empty|nonempty, sigdfl=yes|no (SIGINT, SIGTERM
 * and SIGPIPE at their default disposition).  Output goes straight to the
 * file descriptors with write(2), unbuffered, so stdout and stderr lines
 * come out in the order the options ask for them.  With nothing else to
 * do th exits 0; a failed write exits 1 (unless SIGPIPE kills it first).
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char	*th_opt;

static void	th_usage(void) __attribute__((noreturn));
static void	th_write(int, const void *, size_t);
static void	th_line(int, const char *);
static long long th_number(const char *, long long, long long);
static void	th_bytes(long long);
static void	th_sleep(long long);
static void	th_kill(int);
static void	th_report(void);

/* Reports a usage error and exits 2. */
static void
th_usage(void)
{
	static const char usage[] = "usage: th [-p] [-o text] [-e text] "
	    "[-n bytes] [-s ms] [-x code] [-k sig] [-r] [--] [args...]\n";

	(void)write(STDERR_FILENO, usage, sizeof usage - 1);
	exit(2);
}

/* Writes all of p to fd, or exits 1. */
static void
th_write(int fd, const void *p, size_t len)
{
	const char	*s = p;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "th: write: %s\n", strerror(errno));
			exit(1);
		}
		s += n;
		len -= (size_t)n;
	}
}

/* Writes s and a newline to fd in one write. */
static void
th_line(int fd, const char *s)
{
	size_t	 len = strlen(s);
	char	*line;

	if ((line = malloc(len + 1)) == NULL) {
		fprintf(stderr, "th: out of memory\n");
		exit(1);
	}
	memcpy(line, s, len);
	line[len] = '\n';
	th_write(fd, line, len + 1);
	free(line);
}

/* Parses the argument of the current option as a number in [min, max]. */
static long long
th_number(const char *s, long long min, long long max)
{
	long long	 v;
	char		*end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, "th: %s: bad number '%s'\n", th_opt, s);
		exit(2);
	}
	return (v);
}

/* Writes n bytes: 'x', with a newline as every 64th byte. */
static void
th_bytes(long long n)
{
	static char	 block[64 * 1024];
	size_t		 i, chunk;

	/* The block is a whole number of lines, so the pattern continues. */
	for (i = 0; i < sizeof block; i++)
		block[i] = (i % 64 == 63) ? '\n' : 'x';
	while (n > 0) {
		chunk = n > (long long)sizeof block ? sizeof block : (size_t)n;
		th_write(STDOUT_FILENO, block, chunk);
		n -= (long long)chunk;
	}
}

/* Sleeps ms milliseconds, resuming after signals. */
static void
th_sleep(long long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "th: nanosleep: %s\n",
			    strerror(errno));
			exit(1);
		}
	}
}

/*
 * Kills th with sig; the disposition and mask are reset first so that an
 * inherited ignore or block cannot keep it alive.  A signal whose default
 * action is to ignore it leaves th running, on to the next option.
 */
static void
th_kill(int sig)
{
	sigset_t	 set;

	if (sig != SIGKILL && sig != SIGSTOP && signal(sig, SIG_DFL) ==
	    SIG_ERR) {
		fprintf(stderr, "th: signal %d: %s\n", sig, strerror(errno));
		exit(1);
	}
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) == -1 ||
	    kill(getpid(), sig) == -1) {
		fprintf(stderr, "th: kill %d: %s\n", sig, strerror(errno));
		exit(1);
	}
}

/* Reports stdin, process group, signal mask and dispositions. */
static void
th_report(void)
{
	struct stat		 in, null;
	struct sigaction	 sa;
	sigset_t		 mask;
	const int		 sigs[] = { SIGINT, SIGTERM, SIGPIPE };
	size_t			 i;
	int			 sig, empty = 1, dfl = 1, devnull = 0;

	if (fstat(STDIN_FILENO, &in) == 0 && stat("/dev/null", &null) == 0 &&
	    S_ISCHR(in.st_mode) && in.st_rdev == null.st_rdev)
		devnull = 1;
	th_line(STDOUT_FILENO, devnull ? "stdin=devnull" : "stdin=other");

	th_line(STDOUT_FILENO, getpgrp() == getpid() ? "pgrp=own" :
	    "pgrp=inherited");

	if (sigprocmask(SIG_BLOCK, NULL, &mask) == -1) {
		fprintf(stderr, "th: sigprocmask: %s\n", strerror(errno));
		exit(1);
	}
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&mask, sig) == 1)
			empty = 0;
	th_line(STDOUT_FILENO, empty ? "mask=empty" : "mask=nonempty");

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (sigaction(sigs[i], NULL, &sa) == -1) {
			fprintf(stderr, "th: sigaction: %s\n",
			    strerror(errno));
			exit(1);
		}
		if (sa.sa_handler != SIG_DFL)
			dfl = 0;
	}
	th_line(STDOUT_FILENO, dfl ? "sigdfl=yes" : "sigdfl=no");
}

int
main(int argc, char **argv)
{
	const char	*arg;
	int		 i, first, args, j;

	/* Find where the options end, since -p prints what follows. */
	for (first = 1; first < argc; first++) {
		arg = argv[first];
		if (strcmp(arg, "--") == 0)
			break;
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		if (strchr("oensxk", arg[1]) != NULL && arg[2] == '\0')
			first++;
	}
	if (first > argc)
		th_usage();
	args = first;
	if (args < argc && strcmp(argv[args], "--") == 0)
		args++;

	for (i = 1; i < first; i++) {
		th_opt = argv[i];
		if (argv[i][0] != '-' || argv[i][1] == '\0' ||
		    strchr("prensxko", argv[i][1]) == NULL)
			th_usage();
		/* An option's argument: the next word, or attached. */
		arg = NULL;
		if (strchr("oensxk", argv[i][1]) != NULL)
			arg = argv[i][2] != '\0' ? argv[i] + 2 : argv[++i];
		else if (argv[i][2] != '\0')
			th_usage();
		switch (th_opt[1]) {
		case 'p':
			for (j = args; j < argc; j++)
				th_line(STDOUT_FILENO, argv[j]);
			break;
		case 'o':
			th_line(STDOUT_FILENO, arg);
			break;
		case 'e':
			th_line(STDERR_FILENO, arg);
			break;
		case 'n':
			th_bytes(th_number(arg, 0, LLONG_MAX));
			break;
		case 's':
			th_sleep(th_number(arg, 0, LLONG_MAX / 1000));
			break;
		case 'x':
			exit((int)th_number(arg, 0, 255));
		case 'k':
			th_kill((int)th_number(arg, 1, NSIG - 1));
			break;
		case 'r':
			th_report();
			break;
		}
	}
	return (0);
}
