/*
 * benchjob - the job and measuring helper of scripts/bench.sh.
 *
 * bench.sh compiles this file once per run and uses it four ways:
 *
 *   benchjob emit BYTES ID	write BYTES bytes of 64-byte lines naming ID to
 *				stdout, in 64 KiB writes (a job with a lot of
 *				output; each job's lines differ, so output
 *				that is reordered changes the checksum)
 *   benchjob burn MS [ID]	spin until this process has used MS ms of CPU
 *				(a CPU-bound job whose cost does not depend on
 *				the scheduler; ID, the runner's argument, is
 *				ignored)
 *   benchjob spawn N J PROG	the "limit" row: J forked processes, process k
 *				running tasks i = k+1, k+1+J, ... <= N, each as
 *				posix_spawn(PROG, [PROG, "i"]) and waitpid, the
 *				least any runner can do to run N jobs
 *   benchjob rss CMD...	run CMD (one word: /bin/sh -c CMD; several: an
 *				argv), wait, print on stdout the peak RSS in KiB
 *				of the largest process among its descendants,
 *				and exit with CMD's status
 *
 * Every failure of a system call is reported and makes the exit status 1
 * (or 2 for a usage error), so bench.sh never times a broken helper.
 */

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_LEN	64
#define WRITE_LEN	65536

extern char **environ;

static long long	 number(const char *, long long);
static void		 usage(void);
static int		 write_all(const char *, size_t);
static int		 do_emit(long long, const char *);
static double		 cpu_ms(void);
static int		 do_burn(long long);
static int		 run_one(const char *, long long);
static int		 do_spawn(long long, long long, const char *);
static int		 status_code(int);
static int		 do_rss(int, char **);

/* Parse a decimal argument between 0 and max, or exit with a usage error. */
static long long
number(const char *s, long long max)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0 || n > max) {
		fprintf(stderr, "benchjob: bad number: %s\n", s);
		exit(2);
	}
	return (n);
}

/* Print the usage and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: benchjob emit BYTES ID | burn MS [ID] | "
	    "spawn N J PROG | rss CMD...\n");
	exit(2);
}

/* Write all of buf to stdout, retrying short writes and EINTR. */
static int
write_all(const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("benchjob: write");
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Write bytes bytes of identical 64-byte lines naming id. */
static int
do_emit(long long bytes, const char *id)
{
	static char	buf[WRITE_LEN];
	char		line[LINE_LEN + 1];
	size_t		i, n;

	/* Whole lines per write: concurrent writers never tear a line. */
	snprintf(line, sizeof line, "job %-59.59s\n", id);
	for (i = 0; i < sizeof buf; i += LINE_LEN)
		memcpy(buf + i, line, LINE_LEN);
	while (bytes > 0) {
		n = bytes < WRITE_LEN ? (size_t)bytes : WRITE_LEN;
		if (write_all(buf, n) != 0)
			return (1);
		bytes -= (long long)n;
	}
	return (0);
}

/* Return the CPU time this process has used, in milliseconds. */
static double
cpu_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == -1) {
		perror("benchjob: clock_gettime");
		exit(1);
	}
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* Spin until ms milliseconds of CPU time are used. */
static int
do_burn(long long ms)
{
	volatile unsigned long	x = 1;
	int			i;

	/* CPU time, not wall time: a job that waits for a CPU burns no less. */
	while (cpu_ms() < (double)ms) {
		for (i = 0; i < 20000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	}
	return (0);
}

/* Run prog with the single argument i and wait for it; 0 if it succeeded. */
static int
run_one(const char *prog, long long i)
{
	char	 arg[32];
	char	*argv[3];
	pid_t	 pid;
	int	 error, status;

	snprintf(arg, sizeof arg, "%lld", i);
	argv[0] = (char *)(uintptr_t)prog;
	argv[1] = arg;
	argv[2] = NULL;
	error = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
	if (error != 0) {
		fprintf(stderr, "benchjob: %s: %s\n", prog, strerror(error));
		return (-1);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			perror("benchjob: waitpid");
			return (-1);
		}
	}
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1);
}

/* Run tasks 1..n as j forked loops of posix_spawn and waitpid. */
static int
do_spawn(long long n, long long j, const char *prog)
{
	long long	k, i;
	pid_t		pid;
	int		status, failed = 0;

	for (k = 0; k < j; k++) {
		switch (pid = fork()) {
		case -1:
			perror("benchjob: fork");
			return (1);
		case 0:
			for (i = k + 1; i <= n; i += j) {
				if (run_one(prog, i) != 0)
					failed = 1;
			}
			_exit(failed);
		}
	}
	for (;;) {
		if (wait(&status) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			perror("benchjob: wait");
			return (1);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	return (failed);
}

/* Turn a wait status into an exit code the way the shell does. */
static int
status_code(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (1);
}

/* Run argv (or sh -c argv[0]), print its peak RSS, return its status. */
static int
do_rss(int argc, char **argv)
{
	struct rusage	 ru, ruc;
	char		*shargv[4];
	pid_t		 pid;
	long		 peak;
	int		 error, status;

	if (argc == 1) {
		shargv[0] = (char *)(uintptr_t)"sh";
		shargv[1] = (char *)(uintptr_t)"-c";
		shargv[2] = argv[0];
		shargv[3] = NULL;
		argv = shargv;
	}
	error = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (error != 0) {
		fprintf(stderr, "benchjob: %s: %s\n", argv[0], strerror(error));
		return (127);
	}
	while (wait4(pid, &status, 0, &ru) == -1) {
		if (errno != EINTR) {
			perror("benchjob: wait4");
			return (1);
		}
	}
	/*
	 * ru_maxrss of a waited-for child already covers the descendants it
	 * waited for; RUSAGE_CHILDREN says the same for all of ours.  Either
	 * is the largest single process, not a sum.
	 */
	if (getrusage(RUSAGE_CHILDREN, &ruc) == -1) {
		perror("benchjob: getrusage");
		return (1);
	}
	peak = ru.ru_maxrss > ruc.ru_maxrss ? ru.ru_maxrss : ruc.ru_maxrss;
	printf("%ld\n", peak);
	return (status_code(status));
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "emit") == 0 && argc == 4)
		return (do_emit(number(argv[2], LLONG_MAX), argv[3]));
	if (strcmp(argv[1], "burn") == 0 && (argc == 3 || argc == 4))
		return (do_burn(number(argv[2], LLONG_MAX / 2)));
	if (strcmp(argv[1], "spawn") == 0 && argc == 5 &&
	    number(argv[3], 4096) > 0)
		return (do_spawn(number(argv[2], LLONG_MAX / 2),
		    number(argv[3], 4096), argv[4]));
	if (strcmp(argv[1], "rss") == 0 && argc >= 3)
		return (do_rss(argc - 2, argv + 2));
	usage();
	/* NOTREACHED */
	return (2);
}
