/*
 * spawn.c - starts one task process for the worker.  posix_spawn is used
 * rather than fork: glibc implements it with CLONE_VFORK, which is fast
 * whatever the worker's size, and it returns exec errors (ENOENT, EACCES,
 * ...) as its own return value, so no error pipe is needed.  Each task
 * gets its own process group, default signal dispositions, an empty signal
 * mask, stdin on /dev/null, the worker's environ (which the worker points
 * at an array holding MPRUN_SEQ and friends for the task about to start),
 * and its stdout and stderr on new pipes whose read ends go back to the
 * caller (or, for --init, both on mprun's own stderr), and make's
 * jobserver fds, if any (jobserver_task_fds()), at their own numbers.
 * When the parent's stdout and stderr are one file, stderr shares the
 * stdout pipe instead: the kernel then keeps the order of the task's
 * writes to the two, which no reader of two pipes can recover.  Every
 * other fd of the worker is close-on-exec.  When no process can be
 * started, the caller gets the exit status to report (127 for a command
 * not found, 126 otherwise) and the message for the task's stderr.
 *
 * Linux's execve takes no string of MAX_ARG_STRLEN (32 pages) bytes or
 * more, and no argv and environment of more than ARG_MAX in all.  A shell
 * command line too long for one argument goes to the shell in pieces, as
 * its positional parameters, and a short script joins them back and
 * eval's the result (spawn_join).  Before a task is sent to a worker, the
 * parent asks spawn_check() whether this machine could run it at all.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

/*
 * The most the kernel ever allows for argv and the environment: 3/4 of
 * _STK_LIM (8 MiB), whatever the stack limit, which sysconf(_SC_ARG_MAX)
 * does not know.
 */
#define SPAWN_ARGMAX_CAP	(6UL * 1024 * 1024)
/*
 * What the worker adds to the environment for each task (worker_env()):
 * MPRUN_SLOT and PARALLEL_JOBSLOT of at most 32 bytes, MPRUN_SEQ and
 * PARALLEL_SEQ of at most 48, and their four pointers.
 */
#define SPAWN_ENV_RESERVE	(2 * 32 + 2 * 48 + 4 * sizeof(char *))

/*
 * Runs a shell command line given in pieces, as "sh -c" would run it
 * whole: "$*" with an empty IFS joins the pieces byte for byte; IFS goes
 * back to the default every shell starts with (none takes IFS from the
 * environment), and the eval'd text starts by emptying the positional
 * parameters, so the command sees no variable of ours.  $0 is "sh" both
 * ways.  dash runs the last command of "sh -c" and of eval alike, as a
 * child it waits for, so exit statuses and signals are the same too; only
 * the shell's own error messages say "eval:".
 */
static char spawn_join[] =
    "IFS=; set -- \"$*\"; IFS=' \t\n'; eval \"set --; $1\"";

static int		 spawn_devnull = -1;
static int		 spawn_ready;
static posix_spawnattr_t spawn_attr;
static int		 spawn_nullw = -1;	/* /dev/null for writing */
static int		 spawn_discard;		/* SPAWN_DISCARD_* */
static size_t		 spawn_argmax;		/* 0: not known yet */
static size_t		 spawn_strmax;		/* MAX_ARG_STRLEN */
static size_t		 spawn_envsize;		/* environ, as exec counts it */
static int		 spawn_jsr = -1;	/* make's jobserver fds */
static int		 spawn_jsw = -1;
static int		 spawn_merge;		/* stderr on the stdout pipe */

static int	 spawn_run(pid_t *, int, char **,
		     const posix_spawn_file_actions_t *);
static int	 spawn_script(pid_t *, char **,
		     const posix_spawn_file_actions_t *);
static char	*spawn_search(const char *);
static void	 spawn_close(int *);
static void	 spawn_limits(void);

/*
 * Opens /dev/null and sets up the attributes every task shares.  Returns 0,
 * or -1 with errno set.
 */
int
spawn_init(void)
{
	sigset_t	 def, empty;
	int		 r;

	if (spawn_ready)
		return (0);
	if ((spawn_devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if ((spawn_nullw = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
		spawn_close(&spawn_devnull);
		return (-1);
	}
	/* The worker ignores SIGINT etc.; exec keeps ignored signals. */
	sigfillset(&def);
	sigdelset(&def, SIGKILL);
	sigdelset(&def, SIGSTOP);
	sigemptyset(&empty);
	if ((r = posix_spawnattr_init(&spawn_attr)) != 0)
		goto fail;
	if ((r = posix_spawnattr_setflags(&spawn_attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) != 0 ||
	    (r = posix_spawnattr_setpgroup(&spawn_attr, 0)) != 0 ||
	    (r = posix_spawnattr_setsigdefault(&spawn_attr, &def)) != 0 ||
	    (r = posix_spawnattr_setsigmask(&spawn_attr, &empty)) != 0) {
		posix_spawnattr_destroy(&spawn_attr);
		goto fail;
	}
	/*
	 * A sub-make must find make's fds where MAKEFLAGS says, and --init
	 * too: it runs on the slot of the worker's first task.
	 */
	(void)jobserver_task_fds(&spawn_jsr, &spawn_jsw);
	spawn_ready = 1;
	return (0);

fail:
	spawn_close(&spawn_devnull);
	spawn_close(&spawn_nullw);
	errno = r;
	return (-1);
}

/*
 * Which captured streams go straight to /dev/null: those the parent
 * would only write to its own /dev/null, where copying them through two
 * pipes changes nothing but the time it takes.
 */
void
spawn_set_discard(int discard)
{
	spawn_discard = discard;
}

/*
 * Whether a captured task's stderr goes down its stdout pipe: when the
 * parent writes both to one file, so that they reach it in the order the
 * task wrote them.
 */
void
spawn_set_merge(int merge)
{
	spawn_merge = merge;
}

/* Releases what spawn_init() set up. */
void
spawn_free(void)
{
	if (!spawn_ready)
		return;
	posix_spawnattr_destroy(&spawn_attr);
	spawn_close(&spawn_devnull);
	spawn_close(&spawn_nullw);
	spawn_ready = 0;
}

/* Closes *fd if it is open and marks it closed. */
static void
spawn_close(int *fd)
{
	if (*fd == -1)
		return;
	if (close(*fd) == -1)
		log_warn("worker: close");
	*fd = -1;
}

/*
 * Starts argv (mode TEMPLATE_EXEC: argv[0] looked up in PATH;
 * TEMPLATE_SHELL: argv[0] run by /bin/sh -c).  With SPAWN_CAPTURE its
 * stdout and stderr are new pipes whose read ends are left in sp->out and
 * sp->err (when merging, one pipe for both, in sp->out; sp->err is -1);
 * with SPAWN_STDERR both go to our fd 2.  Returns 0 when the
 * process runs (sp->pid, also its process group), SPAWN_AGAIN when no
 * process could be had (the process limit: the worker gives the task
 * back, it has not failed), or the exit status to report when it could
 * not be started, with the reason appended to msg.
 */
int
spawn_start(struct spawn *sp, int mode, char **argv, int how,
    struct buf *msg)
{
	posix_spawn_file_actions_t	 fa;
	int				 outp[2] = { -1, -1 };
	int				 errp[2] = { -1, -1 };
	const char			*name;
	char				*text;
	int				 r, outfd, errfd;

	sp->pid = 0;
	sp->out = sp->err = -1;
	name = mode == TEMPLATE_SHELL ? "/bin/sh" : argv[0];

	if (!spawn_ready && spawn_init() != 0) {
		r = errno;
		goto fail;
	}
	if (how == SPAWN_CAPTURE &&
	    ((~spawn_discard & SPAWN_DISCARD_OUT &&
	    pipe2(outp, O_CLOEXEC) == -1) ||
	    (!spawn_merge && ~spawn_discard & SPAWN_DISCARD_ERR &&
	    pipe2(errp, O_CLOEXEC) == -1))) {
		r = errno;
		goto fail;
	}
	outfd = outp[1] != -1 ? outp[1] : spawn_nullw;
	/* Merged, stderr is wherever stdout goes, /dev/null included. */
	errfd = spawn_merge ? outfd : errp[1] != -1 ? errp[1] : spawn_nullw;
	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail;
	if ((r = posix_spawn_file_actions_adddup2(&fa, spawn_devnull,
	    STDIN_FILENO)) != 0)
		goto fail_fa;
	if (how == SPAWN_CAPTURE) {
		if ((r = posix_spawn_file_actions_adddup2(&fa, outfd,
		    STDOUT_FILENO)) != 0 ||
		    (r = posix_spawn_file_actions_adddup2(&fa, errfd,
		    STDERR_FILENO)) != 0)
			goto fail_fa;
	} else if ((r = posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO,
	    STDOUT_FILENO)) != 0)
		goto fail_fa;
	/* A dup2 onto itself clears close-on-exec (POSIX, glibc 2.29). */
	if (spawn_jsr != -1 &&
	    ((r = posix_spawn_file_actions_adddup2(&fa, spawn_jsr,
	    spawn_jsr)) != 0 ||
	    (r = posix_spawn_file_actions_adddup2(&fa, spawn_jsw,
	    spawn_jsw)) != 0))
		goto fail_fa;

	r = spawn_run(&sp->pid, mode, argv, &fa);
	if (r == ENOEXEC && mode == TEMPLATE_EXEC)
		r = spawn_script(&sp->pid, argv, &fa);

fail_fa:
	posix_spawn_file_actions_destroy(&fa);
fail:
	/* Only the task keeps the write ends. */
	spawn_close(&outp[1]);
	spawn_close(&errp[1]);
	if (r == 0) {
		sp->out = outp[0];
		sp->err = errp[0];
		return (0);
	}
	sp->pid = 0;
	spawn_close(&outp[0]);
	spawn_close(&errp[0]);
	if (r == EAGAIN)
		return (SPAWN_AGAIN);
	if (r == ENOENT) {
		xasprintf(&text, "mprun: %s: command not found\n", name);
		buf_adds(msg, text);
		free(text);
		return (127);
	}
	xasprintf(&text, "mprun: %s: %s\n", name, strerror(r));
	buf_adds(msg, text);
	free(text);
	return (126);
}

/*
 * Finds out what execve takes here: ARG_MAX and MAX_ARG_STRLEN as the
 * kernel applies them, and how much of ARG_MAX the tasks' environment
 * uses.
 */
static void
spawn_limits(void)
{
	char	**e;
	long	  n;

	if (spawn_argmax != 0)
		return;
	/* The kernel's MAX_ARG_STRLEN is 32 pages. */
	if ((n = sysconf(_SC_PAGESIZE)) <= 0)
		n = 4096;
	spawn_strmax = (size_t)n * 32;
	/* glibc gives a quarter of the stack limit, but at least 128 KiB. */
	if ((n = sysconf(_SC_ARG_MAX)) <= 0)
		n = 131072;
	spawn_argmax = (unsigned long)n > SPAWN_ARGMAX_CAP ?
	    SPAWN_ARGMAX_CAP : (size_t)n;
	spawn_envsize = SPAWN_ENV_RESERVE;
	for (e = environ; *e != NULL; e++)
		spawn_envsize += strlen(*e) + 1 + sizeof *e;
}

/*
 * Checks that this machine can run task seq's command, as template_expand()
 * rendered it: argc NUL-terminated strings in len bytes, run as mode.  A
 * shell command line may be any length up to ARG_MAX, as it is handed over
 * in pieces; an exec'd command must also hold no string of MAX_ARG_STRLEN
 * bytes or more, which the command itself gets: going through the shell
 * would not help it.  ARG_MAX counts the strings with their NULs, one
 * pointer each, the file name exec is given and the environment.  Returns
 * 0, or -1 with the reason in msg.
 */
int
spawn_check(uint64_t seq, int mode, const char *args, size_t len, int argc,
    char *msg, size_t msglen)
{
	const char	*p, *end;
	size_t		 need, slen, npieces;

	spawn_limits();
	need = spawn_envsize;
	if (mode == TEMPLATE_EXEC) {
		for (p = args, end = args + len; p < end; p += slen + 1) {
			slen = strlen(p);
			if (slen + 1 > spawn_strmax) {
				snprintf(msg, msglen, "mprun: task %llu: an "
				    "argument of %zu bytes is over the "
				    "system's limit of %zu bytes for one "
				    "argument (MAX_ARG_STRLEN)\n",
				    (unsigned long long)seq, slen,
				    spawn_strmax - 1);
				return (-1);
			}
		}
		/*
		 * The file name is a PATH directory and the command, or,
		 * for a script without #!, "/bin/sh" and the path in argv.
		 */
		need += PATH_MAX + sizeof "/bin/sh" * 2 + len +
		    ((size_t)argc + 2) * sizeof(char *);
	} else {
		slen = len > 0 ? len - 1 : 0;
		need += sizeof "/bin/sh" + sizeof "sh" + sizeof "-c";
		if (slen + 1 <= spawn_strmax)
			need += len + 3 * sizeof(char *);
		else {
			npieces = (slen + spawn_strmax - 2) /
			    (spawn_strmax - 1);
			need += sizeof spawn_join + sizeof "sh" + slen +
			    npieces + (4 + npieces) * sizeof(char *);
		}
	}
	if (need <= spawn_argmax)
		return (0);
	snprintf(msg, msglen, "mprun: task %llu: command line of %zu bytes "
	    "is over the system's limit of %zu bytes (ARG_MAX, with the "
	    "environment)\n", (unsigned long long)seq, len > 0 ? len - 1 : 0,
	    spawn_argmax);
	return (-1);
}

/*
 * Runs posix_spawnp, or /bin/sh -c with the command line whole or, when it
 * is too long for one argument, in pieces.  Returns 0 or an errno value.
 */
static int
spawn_run(pid_t *pid, int mode, char **argv,
    const posix_spawn_file_actions_t *fa)
{
	char	*shargv[4], **pargv, *pieces, *cmd = argv[0];
	size_t	 len, max, n, i, off, m;
	int	 r;

	if (mode == TEMPLATE_EXEC)
		return (posix_spawnp(pid, argv[0], fa, &spawn_attr, argv,
		    environ));
	spawn_limits();
	len = strlen(cmd);
	if (len + 1 <= spawn_strmax) {
		shargv[0] = "sh";
		shargv[1] = "-c";
		shargv[2] = cmd;
		shargv[3] = NULL;
		return (posix_spawn(pid, "/bin/sh", fa, &spawn_attr, shargv,
		    environ));
	}
	max = spawn_strmax - 1;
	n = (len + max - 1) / max;
	pargv = xreallocarray(NULL, n + 5, sizeof *pargv);
	pieces = xmalloc(len + n);
	pargv[0] = "sh";
	pargv[1] = "-c";
	pargv[2] = spawn_join;
	pargv[3] = "sh";
	for (i = 0, off = 0; i < n; i++, off += m) {
		m = len - off < max ? len - off : max;
		pargv[4 + i] = pieces + off + i;
		memcpy(pargv[4 + i], cmd + off, m);
		pargv[4 + i][m] = '\0';
	}
	pargv[4 + n] = NULL;
	r = posix_spawn(pid, "/bin/sh", fa, &spawn_attr, pargv, environ);
	free(pieces);
	free(pargv);
	return (r);
}

/*
 * Runs a file the kernel would not execute (ENOEXEC: a script without #!)
 * as a /bin/sh script, as execvp does: "/bin/sh path args...".  glibc's
 * posix_spawnp no longer does this itself.  Returns 0 or an errno value.
 */
static int
spawn_script(pid_t *pid, char **argv, const posix_spawn_file_actions_t *fa)
{
	char	**shargv, *path;
	int	   argc, i, r;

	if ((path = spawn_search(argv[0])) == NULL)
		return (ENOEXEC);
	for (argc = 0; argv[argc] != NULL; argc++)
		/* nothing */;
	shargv = xreallocarray(NULL, (size_t)argc + 2, sizeof *shargv);
	shargv[0] = "/bin/sh";
	shargv[1] = path;
	for (i = 1; i <= argc; i++)
		shargv[i + 1] = argv[i];
	r = posix_spawn(pid, "/bin/sh", fa, &spawn_attr, shargv, environ);
	free(shargv);
	free(path);
	return (r);
}

/*
 * Finds the file posix_spawnp ran for name: the first executable regular
 * file along PATH.  Returns a new string or NULL.
 */
static char *
spawn_search(const char *name)
{
	const char	*path, *p, *end;
	char		*full;
	struct stat	 st;
	int		 len;

	if (strchr(name, '/') != NULL)
		return (xstrdup(name));
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		len = (int)(end - p);
		/* An empty PATH element means the current directory. */
		if (len == 0)
			xasprintf(&full, "./%s", name);
		else
			xasprintf(&full, "%.*s/%s", len, p, name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return (full);
		free(full);
		if (*end == '\0')
			break;
	}
	return (NULL);
}
