/*
 * pool.c - the worker processes.
 *
 * A worker is mprun's own executable re-run as "mprun --worker-mode" with
 * uv_spawn (fork and exec: the parent has a loop, signal handlers and
 * descriptors that a worker must not inherit).  Its stdin and stdout are pipes
 * carrying frames; its stderr is ours.  Each slot 1..jobs has at most one
 * active worker; a retiring or dying worker leaves its slot at once so a
 * fresh one can take it, and is freed when its three handles have closed.
 *
 * A slot remote.c assigns to another host (or to --launcher) starts its
 * worker as that host's command instead, always with uv_spawn; such a
 * worker's task pids are not ours to signal, and how it ends is reported
 * to remote.c, which drops a host that keeps failing.
 *
 * A worker is gone when both its exit status and the EOF of its frames
 * have arrived (in either order): only then is every frame it sent known
 * to have been read, and collect.c can settle its unfinished tasks.
 *
 * When the user's process limit is reached (fork fails with EAGAIN), the
 * pool shrinks rather than fail: a slot that never had a worker lowers
 * -j to the slots below it; a fresh worker for a slot that had one waits
 * until some worker has exited (which frees a process); a worker that
 * cannot start its task says AGAIN and exits, its tasks go to the others
 * and -j goes down by one.  Only when no worker is left to wait for, or
 * the last one keeps finding no process for its task, does the run fail.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define POOL_READ_SIZE		(64 * 1024)
/* Workers that die before saying hello, in a row, before we give up. */
#define POOL_START_FAILS	3
/* A remote worker gets this long, after the termseq, to answer a kill. */
#define POOL_STUCK_MS		2000
/* What a slot has seen, for pool_again(). */
#define POOL_SLOT_NEW		0	/* never had a worker */
#define POOL_SLOT_HAD		1	/* had one */
#define POOL_SLOT_WAITED	2	/* had one, waited for a process once */

static uv_loop_t		*ploop;
static const struct options	*popts;
static struct worker		**pslots;
static TAILQ_HEAD(, worker)	 pall = TAILQ_HEAD_INITIALIZER(pall);
static unsigned			 pcount;
static char			 pexe[PATH_MAX];
static int			 ppaused;
static unsigned			 pstartfails;
static uv_poll_t		 pzpoll;	/* the zygote's exit reports */
static int			 pzpolling;
static unsigned			 pzwaiting;	/* forked, exit not in */
static int			 pdiscard;	/* SPAWN_DISCARD_* */
static int			 pmerge;	/* tasks' stderr on stdout */
static char			*pever;		/* POOL_SLOT_*, per slot */
static int			 pblocked;	/* no process: wait for an exit */
static unsigned			 pnoproc;	/* AGAINs in a row at -j 1 */

static void	 pool_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void	 pool_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void	 pool_write_cb(uv_write_t *, int);
static void	 pool_exit_cb(uv_process_t *, int64_t, int);
static void	 pool_exited(struct worker *, int64_t, int);
static void	 pool_zygote_cb(uv_poll_t *, int, int);
static void	 pool_zygote_lost(void);
static int	 pool_fork(struct worker *);
static void	 pool_close_cb(uv_handle_t *);
static void	 pool_timer_cb(uv_timer_t *);
static void	 pool_stuck_cb(uv_timer_t *);
static void	 pool_check_gone(struct worker *);
static void	 pool_close_input(struct worker *);
static void	 pool_fail(struct worker *);
static void	 pool_unslot(struct worker *);
static char	*pool_init_cmd(unsigned);
static int	 pool_again(unsigned);
static void	 pool_lower(unsigned);

/* Finds our own executable and makes the slots. */
void
pool_init(uv_loop_t *loop, const struct options *o)
{
	size_t	 len = sizeof pexe;
	int	 r;

	ploop = loop;
	popts = o;
	pslots = xcalloc(o->jobs, sizeof *pslots);
	pever = xcalloc(o->jobs, sizeof *pever);
	/*
	 * Output that would only be written to our /dev/null goes to the
	 * tasks' own (not the /dev/null standing in for a closed fd:
	 * writing there is an error).  Not stderr with --json or --junit,
	 * which carry it (and anything else that reads a task's stderr must
	 * say so here).
	 */
	if (!mprun_closed[STDOUT_FILENO] && output_is_null(STDOUT_FILENO))
		pdiscard |= SPAWN_DISCARD_OUT;
	if (!o->json && o->junit == NULL && !mprun_closed[STDERR_FILENO] &&
	    output_is_null(STDERR_FILENO))
		pdiscard |= SPAWN_DISCARD_ERR;
	/*
	 * When our stdout and stderr are one file, a task's stderr goes down
	 * its stdout pipe and out on our stdout: its bytes then reach that
	 * file in the order the task wrote them, which two pipes read by a
	 * worker cannot promise (a write to one and a write to the other
	 * come back in whichever order poll(2) reports them).  Not when a
	 * task's stderr is wanted apart (--json and --junit carry it; the
	 * same list as above), nor with a closed fd's stand-in, where a
	 * write to stdout is an error and one to stderr is not.
	 */
	if (!o->json && o->junit == NULL && !mprun_closed[STDOUT_FILENO] &&
	    !mprun_closed[STDERR_FILENO] && output_same_file())
		pmerge = 1;
	/*
	 * /proc/self/exe names this very image even if the file was
	 * replaced or removed since mprun started.
	 */
	if (access("/proc/self/exe", X_OK) == 0)
		snprintf(pexe, sizeof pexe, "%s", "/proc/self/exe");
	else if ((r = uv_exepath(pexe, &len)) != 0)
		diex("cannot find mprun's own executable: %s",
		    uv_strerror(r));

	if (zygote_active()) {
		if ((r = uv_poll_init(loop, &pzpoll, zygote_event_fd())) != 0 ||
		    (r = uv_poll_start(&pzpoll, UV_READABLE,
		    pool_zygote_cb)) != 0)
			diex("uv_poll: %s", uv_strerror(r));
		/* It keeps the loop alive only while an exit is due. */
		uv_unref((uv_handle_t *)&pzpoll);
		pzpolling = 1;
	}
}

/*
 * Starts a worker through the zygote, on two fresh pipes.  Returns 0, or
 * a negative libuv error (UV_EPIPE when the zygote is gone).
 */
static int
pool_fork(struct worker *w)
{
	int	 to[2], from[2], r, saved;
	pid_t	 pid;

	if (pipe2(to, O_CLOEXEC) == -1)
		return (uv_translate_sys_error(errno));
	if (pipe2(from, O_CLOEXEC) == -1) {
		saved = errno;
		close(to[0]);
		close(to[1]);
		return (uv_translate_sys_error(saved));
	}
	pid = zygote_spawn(to[0], from[1]);
	saved = errno;
	close(to[0]);
	close(from[1]);
	if (pid == -1) {
		close(to[1]);
		close(from[0]);
		return (uv_translate_sys_error(saved));
	}
	if ((r = uv_pipe_open(&w->to, to[1])) != 0 ||
	    (r = uv_pipe_open(&w->from, from[0])) != 0)
		fatalx("uv_pipe_open: %s", uv_strerror(r));
	w->pid = pid;
	w->forked = 1;
	if (pzwaiting++ == 0)
		uv_ref((uv_handle_t *)&pzpoll);
	return (0);
}

/* The active worker of a slot, or NULL. */
struct worker *
pool_slot(unsigned slot)
{
	return (pslots[slot - 1]);
}

/* How many workers still have open handles. */
unsigned
pool_count(void)
{
	return (pcount);
}

/* --init with {%} replaced by the slot. */
static char *
pool_init_cmd(unsigned slot)
{
	struct buf	 b;
	const char	*p, *q;
	char		 num[16];

	if (popts->init == NULL)
		return (NULL);
	buf_init(&b);
	snprintf(num, sizeof num, "%u", slot);
	for (p = popts->init; (q = strstr(p, "{%}")) != NULL; p = q + 3) {
		buf_add(&b, p, (size_t)(q - p));
		buf_adds(&b, num);
	}
	buf_adds(&b, p);
	return (buf_take(&b, NULL));
}

/* Starts a worker in a slot and queues its HELLO. */
struct worker *
pool_spawn(unsigned slot)
{
	struct worker			*w, *o;
	uv_process_options_t		 po;
	uv_stdio_container_t		*stdio;
	struct hello			 h;
	struct host			*host;
	char				*args[3], *json;
	int				 r, nstdio = 3, jr = -1, jw = -1;
	int				 again = 0;
	unsigned			 n;

	host = remote_slot_host(slot);
	if (host != NULL && !remote_host_usable(host))
		return (NULL);
	if (pblocked)
		return (NULL);	/* until a worker exits */
	/*
	 * limits.c counts the pipes of one worker per slot, and of one
	 * more with --maxtasksperchild, whose fresh worker starts while the
	 * old one exits: beyond that, the slot waits for the old one to go.
	 */
	n = 0;
	TAILQ_FOREACH(o, &pall, entry) {
		if (o->slot == slot && o->state != WORKER_GONE)
			n++;
	}
	if (n > (popts->maxtasks != 0 ? 1U : 0U))
		return (NULL);

	w = xcalloc(1, sizeof *w);
	w->slot = slot;
	w->state = WORKER_ACTIVE;
	buf_init(&w->rbuf);
	buf_init(&w->wbuf);
	buf_init(&w->wbusy);
	TAILQ_INIT(&w->jobs);
	if ((r = uv_pipe_init(ploop, &w->to, 0)) != 0 ||
	    (r = uv_pipe_init(ploop, &w->from, 0)) != 0)
		fatalx("uv_pipe_init: %s", uv_strerror(r));
	if ((r = uv_timer_init(ploop, &w->timer)) != 0)
		fatalx("uv_timer_init: %s", uv_strerror(r));
	w->to.data = w->from.data = w->proc.data = w->timer.data = w;
	w->host = host;

	r = UV_EPIPE;
	if (host == NULL && zygote_active())
		r = pool_fork(w);
	if (r == 0)
		goto started;
	if (r != UV_EPIPE) {
		if (r != UV_EAGAIN || !(again = pool_again(slot)))
			log_warnx("cannot start a worker: %s",
			    uv_strerror(r));
		w->open_handles = 3;
		goto failed;
	}

	/*
	 * A local worker gets make's jobserver fds at their own numbers,
	 * for its tasks (jobserver_task_fds()); the fds between are left
	 * alone (UV_IGNORE, 0), and close on exec as ever.
	 */
	if (host == NULL && jobserver_task_fds(&jr, &jw) == 0)
		nstdio = (jr > jw ? jr : jw) + 1;
	stdio = xcalloc((size_t)nstdio, sizeof *stdio);
	if (jr != -1) {
		stdio[jr].flags = UV_INHERIT_FD;
		stdio[jr].data.fd = jr;
		stdio[jw].flags = UV_INHERIT_FD;
		stdio[jw].data.fd = jw;
	}
	/* Pipe directions are from the worker's point of view. */
	stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	stdio[0].data.stream = (uv_stream_t *)&w->to;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&w->from;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = STDERR_FILENO;
	args[0] = "mprun";
	args[1] = "--worker-mode";
	args[2] = NULL;
	memset(&po, 0, sizeof po);
	po.file = pexe;
	po.args = args;
	if (host != NULL) {
		/* Found in PATH, like execvp. */
		po.args = remote_host_argv(host);
		po.file = po.args[0];
		/*
		 * Out of our session, as a local worker leaves our group: a
		 * Ctrl-C must reach the tasks as a STOP, not kill the
		 * transport, and if we die its stdin closes anyway.
		 */
		po.flags = UV_PROCESS_DETACHED;
		/* No jobserver: make's fds cannot go there. */
		po.env = remote_env();
	}
	po.exit_cb = pool_exit_cb;
	po.stdio = stdio;
	po.stdio_count = nstdio;
	r = uv_spawn(ploop, &w->proc, &po);
	free(stdio);
	if (r != 0) {
		if (r == UV_EAGAIN && (again = pool_again(slot)))
			;	/* the pool shrinks, or waits */
		else if (host != NULL)
			log_warnx("cannot start a worker with %s: %s",
			    po.file, uv_strerror(r));
		else
			log_warnx("cannot start a worker: %s",
			    uv_strerror(r));
		/* The handles are initialised even so, and must close. */
		w->open_handles = 4;
		uv_close((uv_handle_t *)&w->proc, pool_close_cb);
		goto failed;
	}
	w->pid = w->proc.pid;
started:
	w->open_handles = w->forked ? 3 : 4;
	w->alone = 1;
	TAILQ_FOREACH(o, &pall, entry) {
		if (!o->exited)
			w->alone = 0;
	}
	TAILQ_INSERT_TAIL(&pall, w, entry);
	pcount++;
	pslots[slot - 1] = w;
	pever[slot - 1] = POOL_SLOT_HAD;
	log_debug("worker %ld started in slot %u", (long)w->pid, slot);

	if (!ppaused) {
		if ((r = uv_read_start((uv_stream_t *)&w->from, pool_alloc_cb,
		    pool_read_cb)) != 0)
			fatalx("uv_read_start: %s", uv_strerror(r));
		w->reading = 1;
	}

	memset(&h, 0, sizeof h);
	h.version = PROTO_VERSION;
	h.slot = slot;
	h.maxtasks = popts->maxtasks;
	h.nice = popts->nice;
	h.init = pool_init_cmd(slot);
	memcpy(h.termseq, popts->termseq, sizeof h.termseq);
	h.ntermseq = popts->ntermseq;
	h.discard = pdiscard;
	h.merge = pmerge;
	h.relay = host != NULL;
	json = json_hello_encode(&h);
	free(h.init);
	proto_put(&w->wbuf, PROTO_HELLO, 0, json, (uint32_t)strlen(json));
	free(json);
	pool_flush(w);
	return (w);

failed:
	w->state = WORKER_GONE;
	TAILQ_INSERT_TAIL(&pall, w, entry);
	pcount++;
	uv_close((uv_handle_t *)&w->timer, pool_close_cb);
	uv_close((uv_handle_t *)&w->to, pool_close_cb);
	uv_close((uv_handle_t *)&w->from, pool_close_cb);
	if (again)
		return (NULL);
	/* A transport that cannot even start will not start later. */
	if (host == NULL || remote_host_result(host, 0, 1))
		mprun_shutdown(MPRUN_EXIT_ERROR);
	return (NULL);
}

/*
 * No process could be had for a worker in slot: shrinks the pool, or
 * waits for a worker to exit, as the top of this file says.  A slot that
 * had a worker waits once (its old worker may still be exiting); if the
 * top slot still gets none after that, it goes too.  Returns 0 when no
 * worker is left to wait for: the run cannot go on.
 */
static int
pool_again(unsigned slot)
{
	struct worker	*w;
	unsigned	 alive = 0;

	TAILQ_FOREACH(w, &pall, entry) {
		if (!w->exited)
			alive++;
	}
	if (alive == 0)
		return (0);
	if (slot > 1 && (pever[slot - 1] == POOL_SLOT_NEW ||
	    (slot == popts->jobs && pever[slot - 1] == POOL_SLOT_WAITED)))
		pool_lower(slot - 1);
	else {
		if (pever[slot - 1] == POOL_SLOT_HAD)
			pever[slot - 1] = POOL_SLOT_WAITED;
		pblocked = 1;
	}
	return (1);
}

/*
 * Lowers the pool to jobs workers for want of processes: the workers
 * above it get no more tasks and exit once they have run what they hold
 * (an EOF while a task runs would mean "the parent is gone" to them), and
 * the zygote keeps no spare worker from now on.
 */
static void
pool_lower(unsigned jobs)
{
	struct worker	*w;

	jobs = limits_lower(jobs, EAGAIN);
	zygote_nospare();
	TAILQ_FOREACH(w, &pall, entry) {
		if (w->state != WORKER_ACTIVE || w->slot <= jobs)
			continue;
		if (w->njobs == 0)
			pool_retire(w);
		else {
			w->state = WORKER_RETIRING;
			w->draining = 1;
			pool_unslot(w);
		}
	}
}

/*
 * Worker w found no process for its next task (or --init): it exits,
 * and its tasks, none started, go back to the queue when it has gone.
 * The pool shrinks by one (unless it shrank already and no task started
 * since: that worker was likely caught by the same shortage); at -j 1 a
 * fresh worker tries again once this one has gone, and when
 * POOL_START_FAILS workers in a row that ran alone could start no task,
 * the run fails.
 */
void
pool_noproc(struct worker *w)
{
	pool_retire(w);
	if (w->ndone > 0)
		pnoproc = 0;	/* it ran tasks before: a fresh start */
	/* Above the pool's size, or caught by the last shortage: no lower. */
	if (w->slot > popts->jobs || (popts->jobs > 1 && limits_unsettled()))
		return;
	if (popts->jobs > 1) {
		pool_lower(popts->jobs - 1);
		return;
	}
	zygote_nospare();
	/* The next worker starts once this one is gone, to have its process. */
	pblocked = 1;
	/* Another worker still held a process: that shortage proves little. */
	if (w->alone && ++pnoproc >= POOL_START_FAILS) {
		log_warnx("cannot start a task: %s", strerror(EAGAIN));
		mprun_shutdown(MPRUN_EXIT_ERROR);
	}
}

/* Gives libuv room for the next read of frames. */
static void
pool_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *ub)
{
	struct worker	*w = h->data;

	*ub = uv_buf_init(buf_reserve(&w->rbuf, POOL_READ_SIZE),
	    POOL_READ_SIZE);
}

/* Decodes and handles the frames that arrived. */
static void
pool_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *ub)
{
	struct worker		*w = s->data;
	struct proto_frame	 f;
	const char		*errstr;
	ssize_t			 r;

	if (nread == 0)
		return;
	if (nread < 0) {
		if (nread != UV_EOF)
			log_debug("worker in slot %u: %s", w->slot,
			    uv_strerror((int)nread));
		uv_read_stop(s);
		w->reading = 0;
		w->eof = 1;
		pool_check_gone(w);
		dispatch_pump();
		return;
	}
	buf_commit(&w->rbuf, (size_t)nread);
	while ((r = proto_decode(BUF_PTR(&w->rbuf), w->rbuf.len, &f,
	    &errstr)) > 0) {
		if (f.type != PROTO_NOP && collect_frame(w, &f) == -1) {
			pool_fail(w);
			return;
		}
		buf_consume(&w->rbuf, (size_t)r);
		if (w->eof)
			return;
	}
	if (r == -1) {
		log_warnx("worker in slot %u: bad frame: %s", w->slot, errstr);
		pool_fail(w);
		return;
	}
	dispatch_pump();
}

/* Writes the worker's queued frames, one write in flight at a time. */
void
pool_flush(struct worker *w)
{
	struct buf	 tmp;
	uv_buf_t	 ub;
	int		 r;

	if (w->writing || w->state == WORKER_GONE)
		return;
	if (w->wbuf.len == 0) {
		if (w->closing_to && !uv_is_closing((uv_handle_t *)&w->to))
			uv_close((uv_handle_t *)&w->to, pool_close_cb);
		return;
	}
	if (uv_is_closing((uv_handle_t *)&w->to))
		return;
	/* A transport may relay a line at a time (see proto.c). */
	if (w->host != NULL)
		proto_end_line(&w->wbuf);
	tmp = w->wbusy;
	w->wbusy = w->wbuf;
	w->wbuf = tmp;
	buf_reset(&w->wbuf);
	ub = uv_buf_init(BUF_PTR(&w->wbusy), (unsigned)w->wbusy.len);
	w->wreq.data = w;
	r = uv_write(&w->wreq, (uv_stream_t *)&w->to, &ub, 1, pool_write_cb);
	if (r != 0) {
		/* The worker is gone; its exit settles its tasks. */
		log_debug("worker in slot %u: write: %s", w->slot,
		    uv_strerror(r));
		buf_reset(&w->wbusy);
		return;
	}
	w->writing = 1;
}

/* A write of frames finished. */
static void
pool_write_cb(uv_write_t *req, int status)
{
	struct worker	*w = req->data;

	w->writing = 0;
	buf_reset(&w->wbusy);
	if (status < 0) {
		log_debug("worker in slot %u: write: %s", w->slot,
		    uv_strerror(status));
		buf_reset(&w->wbuf);
	}
	pool_flush(w);
}

/* A worker started by uv_spawn exited. */
static void
pool_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	pool_exited(p->data, status, sig);
}

/* A worker exited: settle it if its frames have all been read too. */
static void
pool_exited(struct worker *w, int64_t status, int sig)
{
	if (w->forked && --pzwaiting == 0 && pzpolling)
		uv_unref((uv_handle_t *)&pzpoll);
	w->exited = 1;
	w->exit_status = status;
	w->term_signal = sig;
	pblocked = 0;		/* its process is free: try again */
	log_debug("worker %ld in slot %u exited: status %lld signal %d",
	    (long)w->pid, w->slot, (long long)status, sig);
	pool_check_gone(w);
	dispatch_pump();
}

/* The zygote reaped some of its workers. */
static void
pool_zygote_cb(uv_poll_t *h, int status, int events)
{
	struct worker	*w;
	pid_t		 pid;
	int		 ws, r;

	while ((r = zygote_event(&pid, &ws)) == 1) {
		TAILQ_FOREACH(w, &pall, entry) {
			if (w->forked && w->pid == pid && !w->exited)
				break;
		}
		if (w == NULL)
			continue;
		if (WIFSIGNALED(ws))
			pool_exited(w, 0, WTERMSIG(ws));
		else
			pool_exited(w, WEXITSTATUS(ws), 0);
	}
	if (r == -1)
		pool_zygote_lost();
	dispatch_pump();
}

/*
 * The zygote is gone.  Retired, it left after reporting its last worker.
 * Killed from outside, it can report nothing more: each of its workers
 * counts as exited and is settled when its frames end, and workers start
 * with exec from now on.
 */
static void
pool_zygote_lost(void)
{
	struct worker	*w;

	if (zygote_event_fd() == -1)
		return;
	if (!zygote_retired())
		log_warnx("the worker fork server went away; starting "
		    "workers with exec");
	if (pzpolling) {
		uv_close((uv_handle_t *)&pzpoll, NULL);
		pzpolling = 0;
	}
	zygote_close();
	TAILQ_FOREACH(w, &pall, entry) {
		if (w->forked && !w->exited) {
			pblocked = 0;
			w->exited = 1;
			w->exit_status = -1;
			pzwaiting--;
			pool_check_gone(w);
		}
	}
}

/* Takes a worker out of its slot so a fresh one can start there. */
static void
pool_unslot(struct worker *w)
{
	if (pslots[w->slot - 1] == w)
		pslots[w->slot - 1] = NULL;
}

/* Settles a worker once both its exit and its EOF are in. */
static void
pool_check_gone(struct worker *w)
{
	if (!w->exited || !w->eof || w->state == WORKER_GONE)
		return;
	pool_unslot(w);
	if (w->host != NULL) {
		/* A dropped connection is a failure; a clean exit is not. */
		if (remote_host_result(w->host, w->hello &&
		    ((w->exit_status == 0 && w->term_signal == 0) ||
		    dispatch_stopping()), 0)) {
			log_warnx("no host is left to run tasks on");
			mprun_shutdown(MPRUN_EXIT_ERROR);
		}
	} else if (w->hello)
		pstartfails = 0;
	else if (!dispatch_stopping() && ++pstartfails >= POOL_START_FAILS) {
		log_warnx("workers keep failing to start (last: %s %lld)",
		    w->term_signal ? "signal" : "exit",
		    (long long)(w->term_signal ? w->term_signal :
		    w->exit_status));
		mprun_shutdown(MPRUN_EXIT_ERROR);
	}
	w->state = WORKER_GONE;
	collect_worker_gone(w);
	uv_close((uv_handle_t *)&w->timer, pool_close_cb);
	if (!uv_is_closing((uv_handle_t *)&w->to))
		uv_close((uv_handle_t *)&w->to, pool_close_cb);
	uv_close((uv_handle_t *)&w->from, pool_close_cb);
	if (!w->forked)
		uv_close((uv_handle_t *)&w->proc, pool_close_cb);
}

/* Frees a worker when the last of its handles has closed. */
static void
pool_close_cb(uv_handle_t *h)
{
	struct worker	*w = h->data;

	if (--w->open_handles > 0)
		return;
	TAILQ_REMOVE(&pall, w, entry);
	pcount--;
	buf_free(&w->rbuf);
	buf_free(&w->wbuf);
	buf_free(&w->wbusy);
	free(w);
}

/* Closes the pipe to a worker once its frames are written: it exits. */
static void
pool_close_input(struct worker *w)
{
	w->closing_to = 1;
	pool_flush(w);
}

/* The worker reached its quota: it exits, and its slot is free now. */
void
pool_retire(struct worker *w)
{
	w->state = WORKER_RETIRING;
	pool_unslot(w);
	pool_close_input(w);
}

/* Lets every idle worker go: there is nothing left to give them. */
void
pool_close_idle(void)
{
	struct worker	*w;

	zygote_retire();
	TAILQ_FOREACH(w, &pall, entry) {
		if (w->state == WORKER_ACTIVE && w->njobs == 0) {
			w->state = WORKER_RETIRING;
			pool_unslot(w);
			pool_close_input(w);
		}
	}
}

/* Tells every worker to stop its task and exit. */
void
pool_stop_all(void)
{
	struct worker	*w;

	TAILQ_FOREACH(w, &pall, entry) {
		if (w->state == WORKER_GONE)
			continue;
		w->state = WORKER_RETIRING;
		pool_unslot(w);
		if (w->njobs > 0 && !w->stopped) {
			w->stopped = 1;
			proto_put(&w->wbuf, PROTO_STOP, 0, NULL, 0);
		}
		pool_close_input(w);
	}
}

/*
 * Kills every task's process group and every worker at once: the second
 * signal, and the fatal path.  Only kill(2), so it is safe anywhere.
 */
void
pool_kill_all(void)
{
	struct worker	*w;
	struct job	*j;

	TAILQ_FOREACH(w, &pall, entry) {
		TAILQ_FOREACH(j, &w->jobs, entry) {
			if (w->host == NULL && j->state == JOB_RUNNING &&
			    j->pid > 0)
				kill(-j->pid, SIGKILL);
		}
		if (!w->exited && w->pid > 0)
			kill(w->pid, SIGKILL);
	}
}

/* The --timeout of a worker's task fired. */
static void
pool_timer_cb(uv_timer_t *t)
{
	collect_timeout(t->data);
}

/* Arms the --timeout of the task a worker just started. */
void
pool_timer_start(struct worker *w, uint64_t ms)
{
	int	 r;

	if ((r = uv_timer_start(&w->timer, pool_timer_cb, ms, 0)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
}

/*
 * A remote worker was told to stop a timed-out task.  If its transport
 * hangs (a launcher whose far side died keeps our pipes open and never
 * exits), no DONE ever comes: once the worker has had the termseq's time
 * and POOL_STUCK_MS more, the transport process here is ended with the
 * termseq itself, and its exit settles the task.
 */
void
pool_deadline(struct worker *w)
{
	uint64_t	 ms;
	int		 r;

	if (w->host == NULL || w->exited)
		return;
	ms = termseq_total_ms(popts->termseq, popts->ntermseq) +
	    POOL_STUCK_MS;
	if ((r = uv_timer_start(&w->timer, pool_stuck_cb, ms, 0)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
}

/* The next step of the termseq on a stuck transport (its group). */
static void
pool_stuck_cb(uv_timer_t *t)
{
	struct worker	*w = t->data;
	struct termstep	 step;
	int		 r;

	if (w->exited || w->pid <= 0)
		return;
	if (!termseq_started(&w->stuck)) {
		log_warnx("worker in slot %u on %s did not answer after a "
		    "--timeout; ending its transport", w->slot,
		    remote_worker_name(w));
		termseq_start(&w->stuck, popts->termseq, popts->ntermseq);
	}
	switch (termseq_next(&w->stuck, 1, &step)) {
	case TERMSEQ_SIGNAL:
		kill(-w->pid, (int)step.sig);
		kill(-w->pid, SIGCONT);
		if ((r = uv_timer_start(&w->timer, pool_stuck_cb, step.ms,
		    0)) != 0)
			fatalx("uv_timer_start: %s", uv_strerror(r));
		break;
	case TERMSEQ_KILL:
		kill(-w->pid, SIGKILL);
		break;
	case TERMSEQ_OVER:
		break;
	}
}

/* Disarms it: the task has finished. */
void
pool_timer_stop(struct worker *w)
{
	uv_timer_stop(&w->timer);
}

/*
 * Sends a signal to the running task of every worker, through the worker
 * (which knows its process group, even when it is on another host).
 */
void
pool_signal_all(int sig)
{
	struct worker	*w;

	TAILQ_FOREACH(w, &pall, entry) {
		if (w->state == WORKER_GONE || w->njobs == 0)
			continue;
		proto_put_signal(&w->wbuf, sig);
		pool_flush(w);
	}
}

/* Stops or resumes reading from the workers (output back-pressure). */
void
pool_pause(int pause)
{
	struct worker	*w;
	int		 r;

	ppaused = pause;
	TAILQ_FOREACH(w, &pall, entry) {
		if (w->eof || w->state == WORKER_GONE)
			continue;
		if (pause && w->reading) {
			uv_read_stop((uv_stream_t *)&w->from);
			w->reading = 0;
		} else if (!pause && !w->reading) {
			if ((r = uv_read_start((uv_stream_t *)&w->from,
			    pool_alloc_cb, pool_read_cb)) != 0)
				fatalx("uv_read_start: %s", uv_strerror(r));
			w->reading = 1;
		}
	}
}

/*
 * A worker broke the protocol.  That is a bug in mprun, not in the task,
 * so the run ends rather than retrying on another worker.
 */
static void
pool_fail(struct worker *w)
{
	struct job	*j;

	uv_read_stop((uv_stream_t *)&w->from);
	w->reading = 0;
	w->eof = 1;
	TAILQ_FOREACH(j, &w->jobs, entry) {
		if (w->host == NULL && j->state == JOB_RUNNING && j->pid > 0)
			kill(-j->pid, SIGKILL);
	}
	if (!w->exited)
		kill(w->pid, SIGKILL);
	mprun_shutdown(MPRUN_EXIT_ERROR);
	pool_check_gone(w);
}

/* Frees the slots; every worker is gone by now. */
void
pool_free(void)
{
	free(pslots);
	pslots = NULL;
	free(pever);
	pever = NULL;
	if (pzpolling) {
		uv_close((uv_handle_t *)&pzpoll, NULL);
		pzpolling = 0;
	}
	zygote_close();
}
