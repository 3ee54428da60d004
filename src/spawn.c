/*
 * spawn.c - starts one task process for the worker.  posix_spawn is used
 * rather than fork: glibc implements it with CLONE_VFORK, which is fast
 * whatever the worker's size, and it returns exec errors (ENOENT, EACCES,
 * ...) as its own return value, so no error pipe is needed.  Each task
 * gets its own process group, default signal dispositions, an empty signal
 * mask, stdin on /dev/null, the worker's environ (which the worker points
 * at an array holding MPRUN_SEQ and friends for the task about to start),
 * and its stdout and stderr on new pipes whose read ends go back to the
 * caller (or, for --init, both on mprun's own stderr).  When the parent's
 * stdout and stderr are one file, stderr shares the stdout pipe instead:
 * the kernel then keeps the order of the task's writes to the two, which
 * no reader of two pipes can recover.  Every other fd of the worker is
 * close-on-exec.  When no process can be started, the caller gets the
 * exit status to report (127 for a command not found, 126 otherwise) and
 * the message for the task's stderr.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

static int		 spawn_devnull = -1;
static int		 spawn_ready;
static posix_spawnattr_t spawn_attr;
static int		 spawn_nullw = -1;	/* /dev/null for writing */
static int		 spawn_discard;		/* SPAWN_DISCARD_* */
static int		 spawn_merge;		/* stderr on the stdout pipe */

static int	 spawn_run(pid_t *, int, char **,
		     const posix_spawn_file_actions_t *);
static int	 spawn_script(pid_t *, char **,
		     const posix_spawn_file_actions_t *);
static char	*spawn_search(const char *);
static void	 spawn_close(int *);

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
 * process runs (sp->pid, also its process group), or the exit status to
 * report when it could not be started, with the reason appended to msg.
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

/* Runs posix_spawnp or /bin/sh -c; returns 0 or an errno value. */
static int
spawn_run(pid_t *pid, int mode, char **argv,
    const posix_spawn_file_actions_t *fa)
{
	char	*shargv[4];

	if (mode == TEMPLATE_EXEC)
		return (posix_spawnp(pid, argv[0], fa, &spawn_attr, argv,
		    environ));
	shargv[0] = "sh";
	shargv[1] = "-c";
	shargv[2] = argv[0];
	shargv[3] = NULL;
	return (posix_spawn(pid, "/bin/sh", fa, &spawn_attr, shargv,
	    environ));
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
