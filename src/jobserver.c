/*
 * jobserver.c - a client of GNU make's jobserver.
 *
 * Under "make -jN", make shares N job slots among everything it runs:
 * each command it starts holds one implicit slot, and the other N - 1
 * are tokens, one byte each, in a pipe that MAKEFLAGS names with
 * --jobserver-auth=R,W (inherited fds; --jobserver-fds=R,W before make
 * 4.2) or --jobserver-auth=fifo:PATH (a named pipe, make 4.4).  mprun
 * runs its first task on its implicit slot; every further task that runs
 * at the same time holds a token read from the pipe, and the very byte
 * goes back when a task ends.
 *
 * jobserver_parse() finds the auth in MAKEFLAGS; it does no I/O, so it
 * is unit-tested.  jobserver_init() opens the pipe before any other
 * process starts, jobserver_start() hooks it to the loop.  Dispatch calls
 * jobserver_take(n) before it starts a task while n tasks run: it says
 * whether a slot is free, reading a token if need be, and when none is
 * there it watches the pipe and calls the ready callback once one may
 * be.  After each pump, jobserver_sync(n) gives back the tokens beyond
 * the n - 1 that n running tasks need.  The count of running tasks comes
 * from dispatch, which derives it from the tasks the workers hold, so a
 * task that ends any way at all (done, failed, timed out, killed with
 * its worker, requeued) frees its slot.
 *
 * Reads never block and never change make's own file description: the
 * fifo is opened here, and an inherited read fd is reopened through
 * /proc/self/fd as a description of our own, non-blocking, watched with
 * uv_poll.  The tokens held are a stack of the bytes read, and
 * jobserver_release_all() writes them back on every way out: the end of
 * the run, exit() (atexit), fatal() (the hook) and death by a signal.
 *
 * The tasks get the jobserver as make's recursive children do, so that a
 * sub-make shares make's slots: the token mprun holds for a running task
 * is that task's implicit slot.  The fifo form needs nothing: a task opens
 * the path MAKEFLAGS names.  For the R,W form, jobserver_task_fds() finds
 * the two fds, in the parent before any process starts and again in each
 * worker, and makes them close-on-exec; the zygote keeps them, pool.c
 * passes them to a worker it starts with exec at the same numbers, and
 * spawn.c to each task (a dup2 onto itself).  Nothing else mprun starts
 * gets them.  A worker on another machine cannot be given fds, nor use a
 * fifo here: jobserver_strip() takes the jobserver (and -j) out of the
 * MAKEFLAGS its transport starts with, as make does for a child it cannot
 * pass its jobserver to.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define JS_OPT_AUTH	"--jobserver-auth="
#define JS_OPT_FDS	"--jobserver-fds="
#define JS_OPT_FIFO	"fifo:"

static int		 js_active;
static int		 js_rfd = -1;	/* ours, non-blocking */
static int		 js_wfd = -1;	/* where tokens go back */
static int		 js_own_wfd;	/* js_wfd is ours to close */
static char		*js_tokens;	/* the bytes held, a stack */
static size_t		 js_ntokens;
static size_t		 js_size;
static uv_poll_t	 js_poll;
static int		 js_poll_init;
static int		 js_polling;
static int		 js_want;	/* a take failed since the last sync */
static int		 js_lost;	/* the pipe broke: no more tokens */
static pid_t		 js_owner;	/* not the zygote's copy of us */
static void		(*js_ready)(void);
static int		 js_task_checked;
static int		 js_task_rfd = -1;	/* make's fds the tasks get */
static int		 js_task_wfd = -1;

static int	 jobserver_word(const char **, struct buf *);
static int	 jobserver_value(const char *, struct jobserver_auth *,
		     const char **);
static int	 jobserver_open_fifo(const char *, const char **);
static int	 jobserver_check_fds(int, int, const char **);
static int	 jobserver_drop(const char *);
static int	 jobserver_open_fds(int, int, const char **);
static int	 jobserver_put(char);
static void	 jobserver_lose(const char *);
static void	 jobserver_poll_cb(uv_poll_t *, int, int);
static void	 jobserver_atexit(void);
static void	 jobserver_close_cb(uv_handle_t *);
static void	 jobserver_close_fds(void);

/*
 * Copies the next word of MAKEFLAGS into b, undoing make's backslash
 * quoting, and advances *pp past it.  Returns 0 at the end of the string.
 */
static int
jobserver_word(const char **pp, struct buf *b)
{
	const char	*p = *pp;

	buf_reset(b);
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '\0') {
		*pp = p;
		return (0);
	}
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		buf_addc(b, *p++);
	}
	buf_addc(b, '\0');
	*pp = p;
	return (1);
}

/* Parses the value of --jobserver-auth or --jobserver-fds. */
static int
jobserver_value(const char *v, struct jobserver_auth *a,
    const char **errstr)
{
	const char	*comma, *e1, *e2;
	char		*r;
	long long	 rfd, wfd;

	if (strncmp(v, JS_OPT_FIFO, strlen(JS_OPT_FIFO)) == 0) {
		v += strlen(JS_OPT_FIFO);
		if (*v == '\0') {
			*errstr = "names no fifo path";
			return (-1);
		}
		a->form = JOBSERVER_FIFO;
		a->path = xstrdup(v);
		return (0);
	}
	if ((comma = strchr(v, ',')) == NULL) {
		*errstr = "is neither R,W nor fifo:PATH";
		return (-1);
	}
	r = xstrndup(v, (size_t)(comma - v));
	rfd = strnum(r, INT_MIN, INT_MAX, &e1);
	free(r);
	wfd = strnum(comma + 1, INT_MIN, INT_MAX, &e2);
	if (e1 != NULL || e2 != NULL) {
		*errstr = "is neither R,W nor fifo:PATH";
		return (-1);
	}
	a->form = JOBSERVER_FDS;
	a->rfd = (int)rfd;
	a->wfd = (int)wfd;
	return (0);
}

/*
 * Finds the jobserver in a MAKEFLAGS value: the last --jobserver-auth= or
 * --jobserver-fds= before the "--" that starts the variable definitions.
 * Fills in a (form JOBSERVER_NONE when there is none; path is allocated)
 * and returns 0, or returns -1 with *errstr set when the last one is
 * malformed.
 */
int
jobserver_parse(const char *makeflags, struct jobserver_auth *a,
    const char **errstr)
{
	struct buf	 w;
	char		*last = NULL;
	const char	*p = makeflags, *v;
	int		 r = 0;

	memset(a, 0, sizeof *a);
	a->form = JOBSERVER_NONE;
	a->rfd = a->wfd = -1;
	*errstr = NULL;
	if (makeflags == NULL)
		return (0);
	buf_init(&w);
	while (jobserver_word(&p, &w)) {
		v = BUF_PTR(&w);
		if (strcmp(v, "--") == 0)
			break;
		if (strncmp(v, JS_OPT_AUTH, strlen(JS_OPT_AUTH)) == 0)
			v += strlen(JS_OPT_AUTH);
		else if (strncmp(v, JS_OPT_FDS, strlen(JS_OPT_FDS)) == 0)
			v += strlen(JS_OPT_FDS);
		else
			continue;
		free(last);
		last = xstrdup(v);
	}
	buf_free(&w);
	if (last != NULL)
		r = jobserver_value(last, a, errstr);
	free(last);
	return (r);
}

/* Opens make's named pipe.  Returns 0, or -1 with *why set. */
static int
jobserver_open_fifo(const char *path, const char **why)
{
	struct stat	 sb;
	int		 fd;

	/*
	 * Read and write: then the open never waits for a writer, a read
	 * never sees EOF, and the description is ours to make non-blocking.
	 */
	if ((fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*why = strerror(errno);
		return (-1);
	}
	if (fstat(fd, &sb) == -1 || !S_ISFIFO(sb.st_mode)) {
		*why = "not a named pipe";
		close(fd);
		return (-1);
	}
	js_rfd = js_wfd = fd;
	js_own_wfd = 1;
	return (0);
}

/*
 * Checks that fds r and w are the two ends of one open pipe.  Returns 0,
 * or -1 with *why set.
 */
static int
jobserver_check_fds(int r, int w, const char **why)
{
	struct stat	 rsb, wsb;
	int		 rfl, wfl;

	if ((rfl = fcntl(r, F_GETFL)) == -1 ||
	    (wfl = fcntl(w, F_GETFL)) == -1) {
		*why = "not open";
		return (-1);
	}
	/* A fd that make did not pass may be open on something else. */
	if (fstat(r, &rsb) == -1 || fstat(w, &wsb) == -1 ||
	    !S_ISFIFO(rsb.st_mode) || rsb.st_dev != wsb.st_dev ||
	    rsb.st_ino != wsb.st_ino || (rfl & O_ACCMODE) == O_WRONLY ||
	    (wfl & O_ACCMODE) == O_RDONLY) {
		*why = "not the two ends of a pipe";
		return (-1);
	}
	return (0);
}

/*
 * Takes over the inherited pipe fds r and w.  Returns 0, or -1 with *why
 * set when they are not both ends of one open pipe.
 */
static int
jobserver_open_fds(int r, int w, const char **why)
{
	char		 path[64];
	int		 fd;

	if (jobserver_check_fds(r, w, why) == -1)
		return (-1);
	/*
	 * make's read end is blocking and shared with make and every other
	 * client: a description of our own can be non-blocking.
	 */
	snprintf(path, sizeof path, "/proc/self/fd/%d", r);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*why = strerror(errno);
		return (-1);
	}
	/* Only the tasks get make's fds (jobserver_task_fds()). */
	if (fcntl(r, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(w, F_SETFD, FD_CLOEXEC) == -1) {
		*why = strerror(errno);
		close(fd);
		return (-1);
	}
	js_rfd = fd;
	js_wfd = w;
	js_own_wfd = 0;
	return (0);
}

/*
 * Finds the fds of make's pipe that the tasks inherit, as make's recursive
 * children do: the R,W of the last --jobserver-auth in MAKEFLAGS, when
 * they are open here as the two ends of one pipe and are none of fds 0-2
 * (which every task gets of its own).  Whether mprun itself takes tokens
 * (no -j) or not, its tasks share make's slots for the jobs they start
 * beyond their first.  The fds become close-on-exec, so that only the
 * tasks get them.  The answer is found once, before any process starts
 * (the parent, a worker started with exec) or inherited with the memory
 * (the zygote's workers).  Returns 0 with *rfd and *wfd set, or -1 with
 * both -1.
 */
int
jobserver_task_fds(int *rfd, int *wfd)
{
	struct jobserver_auth	 a;
	const char		*errstr, *why;

	if (!js_task_checked) {
		js_task_checked = 1;
		if (jobserver_parse(getenv("MAKEFLAGS"), &a, &errstr) == 0 &&
		    a.form == JOBSERVER_FDS && a.rfd > STDERR_FILENO &&
		    a.wfd > STDERR_FILENO &&
		    jobserver_check_fds(a.rfd, a.wfd, &why) == 0 &&
		    fcntl(a.rfd, F_SETFD, FD_CLOEXEC) != -1 &&
		    fcntl(a.wfd, F_SETFD, FD_CLOEXEC) != -1) {
			js_task_rfd = a.rfd;
			js_task_wfd = a.wfd;
		}
		free(a.path);
	}
	*rfd = js_task_rfd;
	*wfd = js_task_wfd;
	return (js_task_rfd == -1 ? -1 : 0);
}

/* Whether a word of MAKEFLAGS names the jobserver or the job count. */
static int
jobserver_drop(const char *w)
{
	const char	*p;

	if (strncmp(w, JS_OPT_AUTH, strlen(JS_OPT_AUTH)) == 0 ||
	    strncmp(w, JS_OPT_FDS, strlen(JS_OPT_FDS)) == 0)
		return (1);
	if (strncmp(w, "-j", 2) == 0)
		p = w + 2;
	else if (strcmp(w, "--jobs") == 0 || strncmp(w, "--jobs=", 7) == 0)
		p = w + (w[6] == '=' ? 7 : 6);
	else
		return (0);
	while (*p >= '0' && *p <= '9')
		p++;
	return (*p == '\0');
}

/*
 * Takes make's jobserver out of a MAKEFLAGS (or MFLAGS) value, with the
 * -j that goes with it, as make does for a child it cannot pass its
 * jobserver to: that child then runs one job at a time, silently, rather
 * than warn "jobserver unavailable" or start -jN jobs of its own.  The
 * rest is kept as it is, make's quoting and the variable definitions after
 * "--" included.  Returns a new string, possibly empty, or NULL when the
 * value names no jobserver (it needs no change).
 */
char *
jobserver_strip(const char *flags)
{
	struct buf	 out, w;
	const char	*p, *start;
	int		 found = 0;

	if (flags == NULL)
		return (NULL);
	buf_init(&out);
	buf_init(&w);
	for (p = flags; *p != '\0'; ) {
		/* Copy the blanks, then look at the word after them. */
		start = p;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!jobserver_word(&p, &w)) {
			buf_add(&out, start, (size_t)(p - start));
			break;
		}
		if (strcmp(BUF_PTR(&w), "--") == 0) {
			buf_adds(&out, start);
			break;
		}
		if (jobserver_drop(BUF_PTR(&w))) {
			if (strncmp(BUF_PTR(&w), "--jobserver-", 12) == 0)
				found = 1;
			continue;
		}
		buf_add(&out, start, (size_t)(p - start));
	}
	buf_free(&w);
	if (!found) {
		buf_free(&out);
		return (NULL);
	}
	buf_addc(&out, '\0');
	return (buf_take(&out, NULL));
}

/*
 * Joins the jobserver that MAKEFLAGS names, unless -j was given; called
 * before any other process starts.  Whatever is wrong with it, the run
 * goes on without (and says so under -v).
 */
void
jobserver_init(const struct options *o)
{
	struct jobserver_auth	 a;
	const char		*errstr, *why = NULL;
	int			 r, tr, tw;

	/* With or without us, the tasks get make's fds: mark them first. */
	(void)jobserver_task_fds(&tr, &tw);
	if (o->jobs_explicit || o->dry_run)
		return;
	if (jobserver_parse(getenv("MAKEFLAGS"), &a, &errstr) == -1) {
		if (o->verbose)
			log_warnx("jobserver in MAKEFLAGS %s: running "
			    "without it", errstr);
		return;
	}
	switch (a.form) {
	case JOBSERVER_NONE:
		return;
	case JOBSERVER_FIFO:
		r = jobserver_open_fifo(a.path, &why);
		if (r == -1 && o->verbose)
			log_warnx("jobserver fifo %s: %s: running without it",
			    a.path, why);
		free(a.path);
		break;
	case JOBSERVER_FDS:
		if (a.rfd < 0 || a.wfd < 0) {
			/* make's way of saying "not for you". */
			if (o->verbose)
				log_warnx("jobserver fds %d,%d: disabled: "
				    "running without it", a.rfd, a.wfd);
			return;
		}
		r = jobserver_open_fds(a.rfd, a.wfd, &why);
		if (r == -1 && o->verbose)
			log_warnx("jobserver fds %d,%d: %s: running without "
			    "it", a.rfd, a.wfd, why);
		break;
	default:
		return;
	}
	if (r == -1)
		return;
	js_active = 1;
	js_owner = getpid();
	js_size = o->jobs > 0 ? o->jobs : 1;
	js_tokens = xmalloc(js_size);
	if (atexit(jobserver_atexit) != 0)
		die("atexit");
	log_debug("jobserver: running tokens through fds %d,%d", js_rfd,
	    js_wfd);
}

/* Hooks the pipe to the loop: ready is called when a token may be there. */
void
jobserver_start(uv_loop_t *loop, void (*ready)(void))
{
	int	 r;

	if (!js_active)
		return;
	js_ready = ready;
	if ((r = uv_poll_init(loop, &js_poll, js_rfd)) != 0)
		diex("jobserver: uv_poll_init: %s", uv_strerror(r));
	js_poll_init = 1;
}

/* Whether mprun runs under a make jobserver. */
int
jobserver_active(void)
{
	return (js_active);
}

/*
 * Whether one more task may start while running tasks run: yes if a slot
 * held is free or a token could be read now.  If not, watches the pipe.
 */
int
jobserver_take(uint64_t running)
{
	ssize_t	 n;
	char	 c;
	int	 r;

	if (!js_active || running < js_ntokens + 1)
		return (1);
	if (js_lost)
		return (0);
	for (;;) {
		n = read(js_rfd, &c, 1);
		if (n == 1) {
			if (js_ntokens == js_size) {
				js_size *= 2;
				js_tokens = xrealloc(js_tokens, js_size);
			}
			js_tokens[js_ntokens++] = c;
			return (1);
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* We hold a write end: EOF too means something broke. */
		jobserver_lose(n == 0 ? "end of file" : strerror(errno));
		return (0);
	}
	js_want = 1;
	if (!js_polling) {
		if ((r = uv_poll_start(&js_poll, UV_READABLE,
		    jobserver_poll_cb)) != 0) {
			jobserver_lose(uv_strerror(r));
			return (0);
		}
		js_polling = 1;
	}
	return (0);
}

/*
 * Gives back the tokens that running tasks do not need (the first runs
 * on the implicit slot), and stops watching the pipe if nobody waits.
 */
void
jobserver_sync(uint64_t running)
{
	uint64_t	 keep;

	if (!js_active)
		return;
	keep = running > 0 ? running - 1 : 0;
	while (js_ntokens > keep) {
		if (jobserver_put(js_tokens[js_ntokens - 1]) == -1)
			break;
		js_ntokens--;
	}
	if (js_polling && !js_want) {
		uv_poll_stop(&js_poll);
		js_polling = 0;
	}
	js_want = 0;
}

/* Writes one token back.  Returns 0, or -1 after a warning. */
static int
jobserver_put(char c)
{
	ssize_t	 n;

	do
		n = write(js_wfd, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n == 1)
		return (0);
	/* XXX A full pipe (EAGAIN) cannot be: it holds N - 1 bytes at most. */
	log_warn("jobserver: giving back a token");
	js_ntokens = 0;		/* a token lost, not a loop */
	return (-1);
}

/* The pipe broke: run on what is held, and take no more tokens. */
static void
jobserver_lose(const char *why)
{
	log_warnx("jobserver: reading a token: %s: taking no more", why);
	js_lost = 1;
	if (js_polling) {
		uv_poll_stop(&js_poll);
		js_polling = 0;
	}
}

/* The pipe is readable (a token may be there): dispatch tries again. */
static void
jobserver_poll_cb(uv_poll_t *h, int status, int events)
{
	uv_poll_stop(&js_poll);
	js_polling = 0;
	if (status < 0) {
		jobserver_lose(uv_strerror(status));
		return;
	}
	if (js_ready != NULL)
		js_ready();
}

/*
 * Writes back every token held, at once: the way out of every exit, so
 * it makes only write(2) calls (safe in a fatal path or before a signal).
 */
void
jobserver_release_all(void)
{
	ssize_t	 n;
	size_t	 off = 0;

	if (!js_active || js_ntokens == 0 || getpid() != js_owner)
		return;
	while (off < js_ntokens) {
		n = write(js_wfd, js_tokens + off, js_ntokens - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	js_ntokens = 0;
}

/* exit() with tokens held (die(), an early error): give them back. */
static void
jobserver_atexit(void)
{
	jobserver_release_all();
}

/* Closes our fds of the pipe (make's own W stays open). */
static void
jobserver_close_fds(void)
{
	if (js_rfd != -1)
		close(js_rfd);
	if (js_own_wfd && js_wfd != js_rfd && js_wfd != -1)
		close(js_wfd);
	js_rfd = js_wfd = -1;
}

/* The poll handle has closed: only now may its fd go. */
static void
jobserver_close_cb(uv_handle_t *h)
{
	jobserver_close_fds();
}

/* Gives back every token and lets go of the pipe, at the end of the run. */
void
jobserver_free(void)
{
	if (!js_active)
		return;
	jobserver_release_all();
	js_active = 0;
	free(js_tokens);
	js_tokens = NULL;
	js_size = 0;
	if (js_poll_init) {
		uv_close((uv_handle_t *)&js_poll, jobserver_close_cb);
		js_poll_init = 0;
		js_polling = 0;
	} else
		jobserver_close_fds();
}
