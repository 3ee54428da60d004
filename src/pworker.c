/*
 * pworker.c - persistent workers (--worker CMD).
 *
 * Each slot 1..jobs runs "/bin/sh -c CMD" once, started here with uv_spawn
 * in its own session (so kill(-pid) reaches everything it started), with
 * pipes on its stdin, stdout and stderr.  dispatch.c hands over queued
 * tasks through dispatch_next(); they are written to the worker's stdin a
 * chunk at a time (one record a line, or a {"seq","args"} JSON line) and
 * kept, in order, on the worker's list of outstanding tasks.  Each line
 * the worker prints is the result of the oldest one (the JSON protocol
 * names the task by seq instead), handed to collect_result() like any
 * other finished task.  Stderr lines go to mprun's stderr whole.
 *
 * A worker is gone once it has exited and both its output pipes are at
 * EOF: the tasks it had not answered go back to the queue, and dispatch
 * starts a fresh worker in the slot.  When it died (a signal, a status
 * other than 0, stopped by mprun) or answered nothing at all, the oldest
 * of them fails instead, so that no task can go round for ever; so does
 * a task that PW_UNANSWERED_MAX workers in turn exited cleanly without
 * answering.  A worker that exits 0 after a few records, unread ones in
 * its pipe, is how a worker recycles itself: it loses nothing.
 *
 * A worker that cannot be started for want of a process (EAGAIN: the
 * user's process limit) lowers -j to the slots below it, if its slot
 * never had one; a fresh one for a slot that had waits until some worker
 * has exited; with no worker left to wait for, the run fails.
 *
 * The line protocol pairs answers with records by counting, so nothing
 * may upset the count.  A record that holds the protocol's separator (or
 * the --worker-eot line) is refused before it is sent.  An answer that
 * comes when the worker holds no task means that it answered some record
 * twice and every later answer went to the wrong task: the worker broke
 * the protocol, and the run fails (mprun_fail()) after it is replaced.
 * Filters that buffer their output (sed, grep, awk) answer only at EOF:
 * when the input ends, each worker's stdin is closed once it has been sent
 * its last record, and a worker stays in its slot until it has answered
 * all it holds.
 */

#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define PW_READ_SIZE		(64 * 1024)
#define PW_CHUNK_MAX		4096
#define PW_START_FAILS		3
/* Clean exits that left one task the oldest unanswered: it fails. */
#define PW_UNANSWERED_MAX	3
#define PW_GRACE_MS		1000
/* Silent this long while it holds tasks: it may be buffering. */
#define PW_QUIET_MS		5000

enum pw_state {
	PW_ACTIVE,		/* takes tasks */
	PW_RETIRING,		/* stdin closed or being stopped */
	PW_GONE			/* handles closing */
};

struct pworker {
	unsigned		 slot;
	pid_t			 pid;
	enum pw_state		 state;
	uv_process_t		 proc;
	uv_pipe_t		 in;
	uv_pipe_t		 out;
	uv_pipe_t		 err;
	uv_timer_t		 timer;		/* --timeout of the oldest */
	uv_timer_t		 ktimer;	/* grace and termseq steps */
	int			 open_handles;
	int			 exited;
	int64_t			 exit_status;
	int			 term_signal;
	int			 out_eof;
	int			 err_eof;
	int			 reading;
	int			 discard;	/* results no longer wanted */
	int			 answered;
	int			 closing_in;
	int			 broken;	/* broke the protocol */
	uint64_t		 first_seq;	/* first task it answered */
	struct termseq		 kseq;		/* stopping the worker */
	int			 sweeping;	/* gone; its group is not */
	struct termseq		 sweepseq;	/* stopping what it left */
	uint64_t		 sweepnext;	/* loop ms: the next step */
	struct buf		 rbuf;
	struct buf		 ebuf;
	struct buf		 wbuf;
	struct buf		 wbusy;
	struct buf		 result;	/* --worker-eot: lines so far */
	uv_write_t		 wreq;
	int			 writing;
	struct jobs		 jobs;		/* written, not answered */
	unsigned		 njobs;
	unsigned		 sent;
	unsigned		 ndone;
	unsigned		 chunk;
	int64_t			 last_us;	/* last result, epoch us */
	TAILQ_ENTRY(pworker)	 entry;
};

static uv_loop_t		*pwloop;
static const struct options	*pwo;
static struct pworker		**pwslots;
static TAILQ_HEAD(, pworker)	 pwall = TAILQ_HEAD_INITIALIZER(pwall);
static unsigned			 pwcount;
static int			 pwpaused;
static unsigned			 pwstartfails;
static char			*pwever;	/* slots that had a worker */
static int			 pwblocked;	/* no process: wait for an exit */
static int			 pwinput_done;	/* all read, all sent */
static uv_timer_t		 pwquiet;	/* looks for silent workers */
static int			 pwquiet_warned;

static struct pworker *pworker_spawn(unsigned);
static int	 pworker_again(unsigned);
static int64_t	 pworker_now(void);
static void	 pworker_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void	 pworker_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void	 pworker_err_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void	 pworker_exit_cb(uv_process_t *, int64_t, int);
static void	 pworker_close_cb(uv_handle_t *);
static void	 pworker_write_cb(uv_write_t *, int);
static void	 pworker_flush(struct pworker *);
static unsigned	 pworker_send(struct pworker *, unsigned);
static void	 pworker_pump_gated(void);
static struct pworker *pworker_slot(unsigned);
static void	 pworker_line(struct pworker *, const char *, size_t);
static void	 pworker_json(struct pworker *, const char *, size_t);
static void	 pworker_done(struct pworker *, struct job *, const char *,
		     size_t);
static void	 pworker_check_gone(struct pworker *);
static void	 pworker_retire(struct pworker *, int);
static int64_t	 pworker_term(struct pworker *, struct termseq *, int);
static void	 pworker_kstep(struct pworker *);
static void	 pworker_killpg(struct pworker *, int);
static void	 pworker_ktimer_cb(uv_timer_t *);
static void	 pworker_timer_cb(uv_timer_t *);
static void	 pworker_arm(struct pworker *);
static void	 pworker_requeue(struct pworker *);
static int	 pworker_refuse(struct job *);
static void	 pworker_broke(struct pworker *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
static void	 pworker_answered(struct pworker *, struct job *);
static void	 pworker_quiet_cb(uv_timer_t *);
static int	 pworker_group_alive(struct pworker *);
static void	 pworker_sweep_cb(uv_timer_t *);

/* Makes the slots, and the timer that looks for silent workers. */
void
pworker_init(uv_loop_t *loop, const struct options *o)
{
	int	 r;

	pwloop = loop;
	pwo = o;
	pwslots = xcalloc(o->jobs, sizeof *pwslots);
	pwever = xcalloc(o->jobs, sizeof *pwever);
	if ((r = uv_timer_init(loop, &pwquiet)) != 0)
		diex("uv_timer_init: %s", uv_strerror(r));
	if (o->worker != NULL) {
		if ((r = uv_timer_start(&pwquiet, pworker_quiet_cb,
		    PW_QUIET_MS / 5, PW_QUIET_MS / 5)) != 0)
			diex("uv_timer_start: %s", uv_strerror(r));
		/* It only looks: it must not keep the loop running. */
		uv_unref((uv_handle_t *)&pwquiet);
	}
}

/* Frees the slots; every worker is gone by now. */
void
pworker_free(void)
{
	uv_close((uv_handle_t *)&pwquiet, NULL);
	free(pwslots);
	pwslots = NULL;
	free(pwever);
	pwever = NULL;
}

/*
 * Once a run, says why a worker that holds tasks may have answered none
 * for a while: a filter that buffers its output answers only when its
 * buffer fills or its input ends, and its input ends with mprun's.
 */
static void
pworker_quiet_cb(uv_timer_t *t)
{
	struct pworker	*w;
	int64_t		 now;

	if (pwinput_done || pwquiet_warned) {
		uv_timer_stop(t);
		return;
	}
	now = pworker_now();
	TAILQ_FOREACH(w, &pwall, entry) {
		if (w->state != PW_ACTIVE || w->njobs == 0 ||
		    now - w->last_us < (int64_t)PW_QUIET_MS * 1000)
			continue;
		log_warnx("--worker in slot %u holds %u task%s and has "
		    "answered nothing for %d s.  If it is only slow, ignore "
		    "this; if it buffers its output (sed, grep, tr, awk, "
		    "python without -u), it answers only when its input "
		    "ends: make it flush after each answer (sed -u, grep "
		    "--line-buffered, awk's fflush(), python -u)", w->slot,
		    w->njobs, w->njobs == 1 ? "" : "s", PW_QUIET_MS / 1000);
		pwquiet_warned = 1;
		uv_timer_stop(t);
		return;
	}
}

/* How many worker processes still have open handles. */
unsigned
pworker_count(void)
{
	return (pwcount);
}

/*
 * How many tasks the workers hold and have not answered: the progress
 * line's "running" (a persistent worker sends no START).
 */
uint64_t
pworker_running(void)
{
	struct pworker	*w;
	uint64_t	 n = 0;

	TAILQ_FOREACH(w, &pwall, entry)
		n += w->njobs;
	return (n);
}

/* The wall clock in microseconds, for the joblog. */
static int64_t
pworker_now(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return ((int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
}

/* Starts CMD in a slot. */
static struct pworker *
pworker_spawn(unsigned slot)
{
	struct pworker		*w;
	uv_process_options_t	 po;
	uv_stdio_container_t	 stdio[3];
	char			*args[4];
	int			 r, again;
	unsigned		 n = 0;

	if (pwblocked)
		return (NULL);	/* until a worker exits */
	/*
	 * limits.c counts the pipes of one worker per slot, and of one
	 * more with --maxtasksperchild, whose fresh worker starts while the
	 * old one exits: beyond that, the slot waits for the old one to go.
	 */
	TAILQ_FOREACH(w, &pwall, entry) {
		if (w->slot == slot && w->state != PW_GONE)
			n++;
	}
	if (n > (pwo->maxtasks != 0 ? 1U : 0U))
		return (NULL);
	w = xcalloc(1, sizeof *w);
	w->slot = slot;
	w->state = PW_ACTIVE;
	w->chunk = 1;
	buf_init(&w->rbuf);
	buf_init(&w->ebuf);
	buf_init(&w->wbuf);
	buf_init(&w->wbusy);
	buf_init(&w->result);
	TAILQ_INIT(&w->jobs);
	if ((r = uv_pipe_init(pwloop, &w->in, 0)) != 0 ||
	    (r = uv_pipe_init(pwloop, &w->out, 0)) != 0 ||
	    (r = uv_pipe_init(pwloop, &w->err, 0)) != 0 ||
	    (r = uv_timer_init(pwloop, &w->timer)) != 0 ||
	    (r = uv_timer_init(pwloop, &w->ktimer)) != 0)
		fatalx("uv_*_init: %s", uv_strerror(r));
	w->in.data = w->out.data = w->err.data = w->proc.data = w;
	w->timer.data = w->ktimer.data = w;

	stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	stdio[0].data.stream = (uv_stream_t *)&w->in;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&w->out;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&w->err;
	args[0] = "/bin/sh";
	args[1] = "-c";
	args[2] = (char *)(uintptr_t)pwo->worker;
	args[3] = NULL;
	memset(&po, 0, sizeof po);
	po.file = "/bin/sh";
	po.args = args;
	po.exit_cb = pworker_exit_cb;
	po.stdio = stdio;
	po.stdio_count = 3;
	po.flags = UV_PROCESS_DETACHED;
	/*
	 * It gets no jobserver fds, so its MAKEFLAGS must not name them,
	 * as for a remote worker: a make it runs then runs one job at a
	 * time, silently, rather than warn "jobserver unavailable".
	 */
	po.env = remote_env();
	w->open_handles = 6;
	TAILQ_INSERT_TAIL(&pwall, w, entry);
	pwcount++;
	if ((r = uv_spawn(pwloop, &w->proc, &po)) != 0) {
		w->state = PW_GONE;	/* not alive, for pworker_again() */
		again = r == UV_EAGAIN && pworker_again(slot);
		if (!again)
			log_warnx("--worker: cannot start /bin/sh: %s",
			    uv_strerror(r));
		uv_close((uv_handle_t *)&w->in, pworker_close_cb);
		uv_close((uv_handle_t *)&w->out, pworker_close_cb);
		uv_close((uv_handle_t *)&w->err, pworker_close_cb);
		uv_close((uv_handle_t *)&w->timer, pworker_close_cb);
		uv_close((uv_handle_t *)&w->ktimer, pworker_close_cb);
		uv_close((uv_handle_t *)&w->proc, pworker_close_cb);
		if (!again)
			mprun_shutdown(MPRUN_EXIT_ERROR);
		return (NULL);
	}
	w->pid = w->proc.pid;
	pwslots[slot - 1] = w;
	pwever[slot - 1] = 1;
	if ((r = uv_read_start((uv_stream_t *)&w->err, pworker_alloc_cb,
	    pworker_err_cb)) != 0)
		fatalx("uv_read_start: %s", uv_strerror(r));
	if (!pwpaused) {
		if ((r = uv_read_start((uv_stream_t *)&w->out,
		    pworker_alloc_cb, pworker_read_cb)) != 0)
			fatalx("uv_read_start: %s", uv_strerror(r));
		w->reading = 1;
	}
	log_debug("--worker %ld started in slot %u", (long)w->pid, slot);
	return (w);
}

/*
 * No process could be had for a worker in slot: lowers -j or waits, as
 * the top of this file says.  Returns 0 when no worker is left to wait
 * for.
 */
static int
pworker_again(unsigned slot)
{
	struct pworker	*w;
	unsigned	 alive = 0, jobs;

	TAILQ_FOREACH(w, &pwall, entry) {
		if (!w->exited && w->state != PW_GONE)
			alive++;
	}
	if (alive == 0)
		return (0);
	if (slot == 1 || pwever[slot - 1]) {
		pwblocked = 1;
		return (1);
	}
	jobs = limits_lower(slot - 1, EAGAIN);
	TAILQ_FOREACH(w, &pwall, entry) {
		if (w->state == PW_ACTIVE && w->slot > jobs)
			pworker_retire(w, 0);
	}
	return (1);
}

/*
 * Gives every slot its worker and the workers the tasks they want: a
 * chunk, once a worker has answered half of the one before.  With eof
 * (every task read), the queue is shared out among the slots at once, so
 * that each worker has all it will get and its stdin can be closed: a
 * filter that answers only at EOF must see every record before it.
 */
void
pworker_pump(int eof)
{
	struct pworker	*w;
	unsigned	 slot, n, low, share = 0;

	if (pwo->delay_ms != 0 || pwo->memfree != 0) {
		pworker_pump_gated();
		return;
	}
	if (eof)
		share = (unsigned)((dispatch_queued() + pwo->jobs - 1) /
		    pwo->jobs);
	for (slot = 1; slot <= pwo->jobs; slot++) {
		if (dispatch_queued() == 0)
			return;
		if ((w = pworker_slot(slot)) == NULL) {
			if (dispatch_stopping())
				return;
			continue;
		}
		low = w->chunk / 2 > 1 ? w->chunk / 2 : 1;
		if (w->njobs >= low && share == 0)
			continue;
		/* It got through half its chunk: it keeps up. */
		if (w->njobs < low && w->sent != 0 && w->chunk < PW_CHUNK_MAX)
			w->chunk *= 2;
		n = pwo->chunksize != 0 ? pwo->chunksize : w->chunk;
		if (n < share)
			n = share;
		if (pwo->maxtasks != 0 && n > pwo->maxtasks - w->sent)
			n = pwo->maxtasks - w->sent;
		pworker_send(w, n);
		/* Its last record is sent: it may see EOF now. */
		if (pwo->maxtasks != 0 && w->sent >= pwo->maxtasks)
			pworker_retire(w, 0);
	}
}

/*
 * The worker of a slot that may be sent records, started if the slot has
 * none; NULL when it may not (retiring), or none could be started (an
 * error, or no process for now: the other slots go on).
 */
static struct pworker *
pworker_slot(unsigned slot)
{
	struct pworker	*w;

	if ((w = pwslots[slot - 1]) == NULL &&
	    (w = pworker_spawn(slot)) == NULL)
		return (NULL);
	return (w->state == PW_ACTIVE ? w : NULL);
}

/*
 * Under --delay or --memfree, every record is a start that the gate must
 * let through: records go one at a time, each to the worker that holds
 * the fewest, and each starts when it is written.  Workers keep what they
 * were sent (no wait for the answer), so a filter that answers only at
 * EOF still gets every record and then its EOF.
 */
static void
pworker_pump_gated(void)
{
	struct pworker	*w, *best;
	unsigned	 slot;

	while (dispatch_queued() != 0) {
		best = NULL;
		for (slot = 1; slot <= pwo->jobs; slot++) {
			if ((w = pworker_slot(slot)) == NULL) {
				if (dispatch_stopping())
					return;
				continue;
			}
			if (best == NULL || w->njobs < best->njobs)
				best = w;
		}
		if (best == NULL || !dispatch_gate())
			return;
		if (pworker_send(best, 1) == 0)
			return;
		dispatch_started_now();
		if (pwo->maxtasks != 0 && best->sent >= pwo->maxtasks)
			pworker_retire(best, 0);
	}
}

/*
 * Fails a task whose record the line protocol cannot carry: its
 * separator, or the --worker-eot line, inside the record would split its
 * answer from its record.  Returns 1 when it did.
 */
static int
pworker_refuse(struct job *j)
{
	const struct args	*a = j->args;
	const char		*eot = pwo->worker_eot, *what = NULL;
	char			 sep, *msg;
	int			 i;

	if (pwo->worker_json)
		return (0);
	sep = pwo->delim == '\0' ? '\0' : '\n';
	for (i = 0; i < a->nwhole && what == NULL; i++) {
		if (memchr(a->whole[i], sep, a->wlen[i]) != NULL)
			what = sep == '\0' ? "a NUL byte" : "a newline";
		else if (eot != NULL && *eot != '\0' &&
		    memmem(a->whole[i], a->wlen[i], eot, strlen(eot)) != NULL)
			what = "the --worker-eot string";
	}
	if (what == NULL)
		return (0);
	xasprintf(&msg, "mprun: task %llu: its record holds %s, which the "
	    "--worker line protocol cannot carry; use --worker-protocol "
	    "json\n", (unsigned long long)j->seq, what);
	j->done.runtime_us = 0;
	collect_fail(j, 126, msg);
	free(msg);
	return (1);
}

/*
 * Writes up to n queued tasks to a worker's stdin as one chunk; returns
 * how many it wrote.
 */
static unsigned
pworker_send(struct pworker *w, unsigned n)
{
	struct job	*j;
	char		*line;
	int64_t		 now;
	unsigned	 sent = 0;
	int		 i;

	now = pworker_now();
	while (n > 0 && (j = dispatch_next(w->slot)) != NULL) {
		if (pworker_refuse(j))
			continue;
		n--;
		sent++;
		if (pwo->worker_json) {
			line = json_wtask_encode(j->seq, j->args->whole,
			    j->args->wlen, j->args->nwhole);
			buf_adds(&w->wbuf, line);
			free(line);
			buf_addc(&w->wbuf, '\n');
		} else {
			for (i = 0; i < j->args->nwhole; i++) {
				if (i > 0)
					buf_addc(&w->wbuf, ' ');
				buf_add(&w->wbuf, j->args->whole[i],
				    j->args->wlen[i]);
			}
			buf_addc(&w->wbuf, pwo->delim == '\0' ? '\0' : '\n');
		}
		j->done.start_us = now;
		TAILQ_INSERT_TAIL(&w->jobs, j, entry);
		if (w->njobs++ == 0) {
			w->last_us = now;
			pworker_arm(w);
		}
		w->sent++;
	}
	pworker_flush(w);
	return (sent);
}

/* Writes what is queued for a worker, one write in flight at a time. */
static void
pworker_flush(struct pworker *w)
{
	struct buf	 tmp;
	uv_buf_t	 ub;
	int		 r;

	if (w->writing || w->state == PW_GONE ||
	    uv_is_closing((uv_handle_t *)&w->in))
		return;
	if (w->wbuf.len == 0) {
		if (w->closing_in)
			uv_close((uv_handle_t *)&w->in, pworker_close_cb);
		return;
	}
	tmp = w->wbusy;
	w->wbusy = w->wbuf;
	w->wbuf = tmp;
	buf_reset(&w->wbuf);
	ub = uv_buf_init(BUF_PTR(&w->wbusy), (unsigned)w->wbusy.len);
	w->wreq.data = w;
	if ((r = uv_write(&w->wreq, (uv_stream_t *)&w->in, &ub, 1,
	    pworker_write_cb)) != 0) {
		/* It is gone; its exit settles its tasks. */
		buf_reset(&w->wbusy);
		return;
	}
	w->writing = 1;
}

/* A write to a worker finished. */
static void
pworker_write_cb(uv_write_t *req, int status)
{
	struct pworker	*w = req->data;

	w->writing = 0;
	buf_reset(&w->wbusy);
	if (status < 0)
		buf_reset(&w->wbuf);
	pworker_flush(w);
}

/*
 * Arms the --timeout of a worker's oldest outstanding task, from now: the
 * worker answers in order, so that task's time starts when the one
 * before it was answered (or it was sent), as its run time does.
 */
static void
pworker_arm(struct pworker *w)
{
	struct job	*j;
	uint64_t	 ms;
	int		 r;

	if ((pwo->timeout_ms == 0 && pwo->timeout_pct == 0) ||
	    w->state == PW_GONE)
		return;
	if ((j = TAILQ_FIRST(&w->jobs)) == NULL ||
	    (ms = collect_timeout_ms()) == 0) {
		uv_timer_stop(&w->timer);
		return;
	}
	j->timeout_ms = ms;
	if ((r = uv_timer_start(&w->timer, pworker_timer_cb, ms, 0)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
}

/* The oldest task ran past --timeout: fail it, replace the worker. */
static void
pworker_timer_cb(uv_timer_t *t)
{
	struct pworker	*w = t->data;
	struct job	*j;

	if ((j = TAILQ_FIRST(&w->jobs)) == NULL)
		return;
	TAILQ_REMOVE(&w->jobs, j, entry);
	w->njobs--;
	w->answered = 1;	/* a live worker, not a start-up death */
	log_warnx("task %llu timed out after %g s: %.*s",
	    (unsigned long long)j->seq, (double)j->timeout_ms / 1000.0,
	    j->cmd != NULL ? (int)j->cmdlen : 0, j->cmd != NULL ? j->cmd : "");
	j->timed_out = 1;
	/* Its time began when the one before it was answered. */
	if (j->done.start_us < w->last_us)
		j->done.start_us = w->last_us;
	j->done.runtime_us = pworker_now() - j->done.start_us;
	w->discard = 1;
	pworker_requeue(w);
	pworker_retire(w, 1);
	collect_fail(j, -1, "");
	dispatch_pump();
}

/* Puts a worker's outstanding tasks back in the queue (or drops them). */
static void
pworker_requeue(struct pworker *w)
{
	struct job	*j;

	while ((j = TAILQ_LAST(&w->jobs, jobs)) != NULL) {
		TAILQ_REMOVE(&w->jobs, j, entry);
		w->njobs--;
		/* Never answered, it was no attempt: --retries counts runs. */
		if (j->attempts > 0)
			j->attempts--;
		if (dispatch_stopping())
			collect_skip(j);
		else
			dispatch_requeue(j);
	}
}

/* Gives libuv room for the next read. */
static void
pworker_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *ub)
{
	struct pworker	*w = h->data;
	struct buf	*b = h == (uv_handle_t *)&w->out ? &w->rbuf : &w->ebuf;

	*ub = uv_buf_init(buf_reserve(b, PW_READ_SIZE), PW_READ_SIZE);
}

/* Results arrived: one line each (or up to the --worker-eot line). */
static void
pworker_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *ub)
{
	struct pworker	*w = s->data;
	const char	*p, *nl;
	size_t		 len;

	if (nread == 0)
		return;
	if (nread < 0) {
		uv_read_stop(s);
		w->reading = 0;
		w->out_eof = 1;
		/* A last answer without its newline is an answer still. */
		if (w->rbuf.len != 0 && !w->discard) {
			buf_addc(&w->rbuf, '\n');
			pworker_line(w, BUF_PTR(&w->rbuf), w->rbuf.len);
		}
		buf_reset(&w->rbuf);
		pworker_check_gone(w);
		dispatch_pump();
		return;
	}
	buf_commit(&w->rbuf, (size_t)nread);
	if (w->discard) {
		buf_reset(&w->rbuf);
		return;
	}
	p = BUF_PTR(&w->rbuf);
	len = w->rbuf.len;
	while ((nl = memchr(p, '\n', len)) != NULL) {
		pworker_line(w, p, (size_t)(nl + 1 - p));
		len -= (size_t)(nl + 1 - p);
		p = nl + 1;
		if (w->discard)
			break;
	}
	if (w->discard)
		buf_reset(&w->rbuf);
	else {
		buf_consume(&w->rbuf, w->rbuf.len - len);
		buf_compact(&w->rbuf);
	}
	dispatch_pump();
}

/* One line of results, with its newline. */
static void
pworker_line(struct pworker *w, const char *p, size_t n)
{
	struct job	*j;

	if (pwo->worker_json) {
		pworker_json(w, p, n);
		return;
	}
	if ((j = TAILQ_FIRST(&w->jobs)) == NULL) {
		pworker_broke(w, "it printed an answer when it held no task "
		    "(more answers than records): %.*s",
		    (int)(n - 1 > 200 ? 200 : n - 1), p);
		return;
	}
	if (pwo->worker_eot != NULL) {
		if (n - 1 != strlen(pwo->worker_eot) ||
		    memcmp(p, pwo->worker_eot, n - 1) != 0) {
			buf_add(&w->result, p, n);
			return;
		}
		pworker_done(w, j, BUF_PTR(&w->result), w->result.len);
		buf_reset(&w->result);
		return;
	}
	pworker_done(w, j, p, n);
}

/* Settles task j of worker w with its result. */
static void
pworker_done(struct pworker *w, struct job *j, const char *p, size_t n)
{
	int64_t	 now = pworker_now();

	if (j->done.start_us < w->last_us)
		j->done.start_us = w->last_us;
	j->done.runtime_us = now - j->done.start_us;
	w->last_us = now;
	pworker_answered(w, j);
	collect_result(j, p, n, 0);
	if (pwo->maxtasks != 0 && w->ndone >= pwo->maxtasks &&
	    w->state == PW_ACTIVE)
		pworker_retire(w, 0);
}

/*
 * Takes an answered task off a worker's list.  A retiring worker that
 * has answered all it held leaves its slot and gets its grace period.
 */
static void
pworker_answered(struct pworker *w, struct job *j)
{
	TAILQ_REMOVE(&w->jobs, j, entry);
	w->njobs--;
	if (w->ndone++ == 0)
		w->first_seq = j->seq;
	w->answered = 1;
	pwstartfails = 0;
	limits_settled();
	pworker_arm(w);
	if (w->state == PW_RETIRING && w->njobs == 0)
		pworker_retire(w, 0);
}

/*
 * A worker broke the protocol: what it answered may have gone to the
 * wrong tasks.  The run fails; the worker gets no more tasks and is
 * stopped.  The oldest task it holds fails, as when a worker dies (so a
 * task that makes every worker break cannot go round for ever); the rest
 * go to a fresh worker.
 */
static void
pworker_broke(struct pworker *w, const char *fmt, ...)
{
	va_list		 ap;
	struct job	*j;
	char		*what, *msg;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	mprun_fail();
	if (w->broken) {
		free(what);
		return;
	}
	w->broken = 1;
	if (w->ndone == 0)
		log_warnx("--worker in slot %u (pid %ld) broke the protocol: "
		    "%s; it is stopped, and a fresh worker takes the rest",
		    w->slot, (long)w->pid, what);
	else
		log_warnx("--worker in slot %u (pid %ld) broke the protocol: "
		    "%s; the results of the %u task%s it answered, from task "
		    "%llu on, may be wrong; it is stopped, and a fresh worker "
		    "takes the rest", w->slot, (long)w->pid, what, w->ndone,
		    w->ndone == 1 ? "" : "s",
		    (unsigned long long)w->first_seq);
	free(what);
	w->discard = 1;
	if ((j = TAILQ_FIRST(&w->jobs)) != NULL) {
		TAILQ_REMOVE(&w->jobs, j, entry);
		w->njobs--;
		xasprintf(&msg, "mprun: task %llu: not answered: the --worker "
		    "in slot %u broke the protocol\n",
		    (unsigned long long)j->seq, w->slot);
		j->done.runtime_us = pworker_now() - j->done.start_us;
		collect_fail(j, -1, msg);
		free(msg);
	}
	pworker_requeue(w);
	pworker_retire(w, 1);
	dispatch_pump();
}

/* --worker-protocol json: a {"seq","ok","result","error"} line. */
static void
pworker_json(struct pworker *w, const char *p, size_t n)
{
	struct job	*j;
	uint64_t	 seq;
	int		 ok;
	char		*text;
	const char	*errstr;
	size_t		 len;

	if (json_wresult_decode(p, n - 1, &seq, &ok, &text, &len,
	    &errstr) == -1) {
		pworker_broke(w, "bad result line: %s: %.*s", errstr,
		    (int)(n - 1 > 200 ? 200 : n - 1), p);
		return;
	}
	TAILQ_FOREACH(j, &w->jobs, entry) {
		if (j->seq == seq)
			break;
	}
	if (j == NULL) {
		pworker_broke(w, "it answered task %llu, which it does not "
		    "hold", (unsigned long long)seq);
		free(text);
		return;
	}
	if (ok) {
		pworker_done(w, j, text, len);
		free(text);
		return;
	}
	j->done.runtime_us = pworker_now() - j->done.start_us;
	w->last_us = pworker_now();
	pworker_answered(w, j);
	collect_fail(j, 1, text);
	free(text);
	if (pwo->maxtasks != 0 && w->ndone >= pwo->maxtasks &&
	    w->state == PW_ACTIVE)
		pworker_retire(w, 0);
}

/* Stderr from a worker: passed on a whole line at a time. */
static void
pworker_err_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *ub)
{
	struct pworker	*w = s->data;
	const char	*nl;

	if (nread == 0)
		return;
	if (nread < 0) {
		uv_read_stop(s);
		if (w->ebuf.len != 0)
			output_write(STDERR_FILENO, BUF_PTR(&w->ebuf),
			    w->ebuf.len);
		buf_reset(&w->ebuf);
		w->err_eof = 1;
		pworker_check_gone(w);
		dispatch_pump();
		return;
	}
	buf_commit(&w->ebuf, (size_t)nread);
	if ((nl = memrchr(BUF_PTR(&w->ebuf), '\n', w->ebuf.len)) == NULL)
		return;
	output_write(STDERR_FILENO, BUF_PTR(&w->ebuf),
	    (size_t)(nl + 1 - BUF_PTR(&w->ebuf)));
	buf_consume(&w->ebuf, (size_t)(nl + 1 - BUF_PTR(&w->ebuf)));
	buf_compact(&w->ebuf);
}

/* The worker process exited. */
static void
pworker_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct pworker	*w = p->data;

	w->exited = 1;
	w->exit_status = status;
	w->term_signal = sig;
	pwblocked = 0;		/* its process is free: try again */
	uv_timer_stop(&w->ktimer);
	pworker_check_gone(w);
	dispatch_pump();
}

/* Settles a worker once it has exited and its pipes are at EOF. */
static void
pworker_check_gone(struct pworker *w)
{
	struct job	*j;
	char		 how[64], msg[256];
	int		 early, clean, r;

	if (!w->exited || !w->out_eof || !w->err_eof || w->state == PW_GONE)
		return;
	/*
	 * Died on its own before answering anything, with tasks to do or
	 * while it could still be given some: it may never start right.
	 */
	early = !w->answered && !termseq_started(&w->kseq) && !w->broken &&
	    (w->state == PW_ACTIVE || w->njobs != 0);
	if (pwslots[w->slot - 1] == w)
		pwslots[w->slot - 1] = NULL;
	w->state = PW_GONE;
	log_exit_how(how, sizeof how, w->exit_status, w->term_signal);
	/*
	 * A clean exit of a worker that answered something, not one that
	 * mprun asked for with the termseq: the records it had not answered
	 * were most likely never read.  Only the oldest may have been, and
	 * may be what makes workers exit: it is counted, and fails when too
	 * many did.  Each fresh worker gets the oldest first, so the line
	 * protocol cannot pass it by; a worker that answers nothing fails
	 * it at once, below.
	 */
	clean = w->exit_status == 0 && w->term_signal == 0 &&
	    !termseq_started(&w->kseq) && w->ndone != 0;
	if ((j = TAILQ_FIRST(&w->jobs)) != NULL && clean &&
	    ++j->unanswered < PW_UNANSWERED_MAX) {
		log_debug("--worker in slot %u exited with %u task%s "
		    "unanswered: requeued", w->slot, w->njobs,
		    w->njobs == 1 ? "" : "s");
		j = NULL;
	}
	if (j != NULL) {
		TAILQ_REMOVE(&w->jobs, j, entry);
		w->njobs--;
		if (dispatch_stopping() && w->term_signal == 0)
			collect_skip(j);
		else {
			if (clean)
				snprintf(msg, sizeof msg, "mprun: --worker in "
				    "slot %u exited without answering task "
				    "%llu, as %u workers before it did\n",
				    w->slot, (unsigned long long)j->seq,
				    j->unanswered - 1);
			else if (w->exit_status == 0 && w->term_signal == 0)
				snprintf(msg, sizeof msg, "mprun: --worker in "
				    "slot %u exited without answering task "
				    "%llu\n", w->slot,
				    (unsigned long long)j->seq);
			else
				snprintf(msg, sizeof msg, "mprun: worker in "
				    "slot %u died (%s): task %llu failed\n",
				    w->slot, how, (unsigned long long)j->seq);
			j->done.runtime_us = pworker_now() - j->done.start_us;
			if (dispatch_stopping())
				msg[0] = '\0';
			collect_fail(j, -1, msg);
		}
	}
	pworker_requeue(w);
	if (early && !dispatch_stopping() &&
	    ++pwstartfails >= PW_START_FAILS) {
		log_warnx("--worker: '%s' keeps dying at start-up (%s)",
		    pwo->worker, how);
		mprun_shutdown(MPRUN_EXIT_ERROR);
	}
	uv_close((uv_handle_t *)&w->timer, pworker_close_cb);
	/*
	 * Whatever it left in its process group (its session's first) is
	 * stopped, as what a task leaves in its own: after a grace for a
	 * daemon on its way out, at once if the worker was being stopped.
	 * The ktimer, kept open meanwhile, keeps mprun from ending first.
	 */
	uv_timer_stop(&w->ktimer);
	if (pworker_group_alive(w)) {
		w->sweeping = 1;
		termseq_start(&w->sweepseq, pwo->termseq, pwo->ntermseq);
		w->sweepnext = uv_now(pwloop);
		if (!termseq_started(&w->kseq))
			w->sweepnext += TERMSEQ_SWEEP_GRACE_MS;
		log_debug("--worker %ld in slot %u left processes in its "
		    "group", (long)w->pid, w->slot);
		if ((r = uv_timer_start(&w->ktimer, pworker_sweep_cb, 0,
		    TERMSEQ_SWEEP_POLL_MS)) != 0)
			fatalx("uv_timer_start: %s", uv_strerror(r));
	} else
		uv_close((uv_handle_t *)&w->ktimer, pworker_close_cb);
	if (!uv_is_closing((uv_handle_t *)&w->in))
		uv_close((uv_handle_t *)&w->in, pworker_close_cb);
	uv_close((uv_handle_t *)&w->out, pworker_close_cb);
	uv_close((uv_handle_t *)&w->err, pworker_close_cb);
	uv_close((uv_handle_t *)&w->proc, pworker_close_cb);
}

/*
 * Whether anything is left in a worker's process group.  Its number is
 * not reused while the group has a member, so a signal sent while this
 * says yes reaches only what the worker started.  A group whose members
 * may all not be signalled is left alone: nothing here could end it.
 */
static int
pworker_group_alive(struct pworker *w)
{
	if (w->pid <= 0)
		return (0);
	if (kill(-w->pid, 0) == 0)
		return (1);
	if (errno != ESRCH && errno != EPERM)
		log_warn("kill --worker %ld", (long)w->pid);
	return (0);
}

/*
 * Sweeps the group of a worker that is gone: ends once it is empty;
 * after the grace, sends the termseq, a step at a time, then SIGKILL.
 */
static void
pworker_sweep_cb(uv_timer_t *t)
{
	struct pworker	*w = t->data;
	int64_t		 ms;

	if (!pworker_group_alive(w)) {
		/* Its number may be reused from now on: no more kills. */
		w->sweeping = 0;
		uv_close((uv_handle_t *)t, pworker_close_cb);
		return;
	}
	if (uv_now(pwloop) < w->sweepnext)
		return;
	if ((ms = pworker_term(w, &w->sweepseq, 1)) != -1) {
		w->sweepnext = uv_now(pwloop) + (uint64_t)ms;
		return;
	}
	w->sweeping = 0;
	uv_close((uv_handle_t *)t, pworker_close_cb);
}

/* Frees a worker when the last of its handles has closed. */
static void
pworker_close_cb(uv_handle_t *h)
{
	struct pworker	*w = h->data;

	if (--w->open_handles > 0)
		return;
	TAILQ_REMOVE(&pwall, w, entry);
	pwcount--;
	buf_free(&w->rbuf);
	buf_free(&w->ebuf);
	buf_free(&w->wbuf);
	buf_free(&w->wbusy);
	buf_free(&w->result);
	free(w);
}

/*
 * Lets a worker go: its stdin is closed, and the termseq follows, now
 * (stop) or after a grace period.  A worker let go gently keeps its slot
 * until it has answered what it holds (a filter answers at EOF), and its
 * grace period starts only then.
 */
static void
pworker_retire(struct pworker *w, int stop)
{
	int	 r;

	if (w->state == PW_GONE)
		return;
	if ((stop || w->njobs == 0) && pwslots[w->slot - 1] == w)
		pwslots[w->slot - 1] = NULL;
	w->state = PW_RETIRING;
	if (!w->closing_in) {
		w->closing_in = 1;
		pworker_flush(w);
	}
	if (w->exited)
		return;
	if (stop) {
		if (!termseq_started(&w->kseq)) {
			termseq_start(&w->kseq, pwo->termseq, pwo->ntermseq);
			pworker_kstep(w);
		}
		return;
	}
	if (w->njobs != 0)
		return;
	if (!termseq_started(&w->kseq) &&
	    !uv_is_active((uv_handle_t *)&w->ktimer) &&
	    (r = uv_timer_start(&w->ktimer, pworker_ktimer_cb, PW_GRACE_MS,
	    0)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
}

/*
 * Moves one of a worker's termseqs on (ts: the worker's own, or that of
 * what it left), alive saying whether what it ends is still there: sends
 * the step's signal to the worker's process group and returns how long
 * to wait, or sends the last SIGKILL, or nothing, and returns -1.
 */
static int64_t
pworker_term(struct pworker *w, struct termseq *ts, int alive)
{
	struct termstep	 step;

	switch (termseq_next(ts, alive, &step)) {
	case TERMSEQ_SIGNAL:
		log_debug("--worker %ld in slot %u: signal %d%s", (long)w->pid,
		    w->slot, step.sig, ts == &w->sweepseq ?
		    " to what it left" : "");
		pworker_killpg(w, step.sig);
		/* A stopped process would not act on it. */
		pworker_killpg(w, SIGCONT);
		return (step.ms);
	case TERMSEQ_KILL:
		/* The sequence is spent: make sure. */
		pworker_killpg(w, SIGKILL);
		break;
	case TERMSEQ_OVER:
		break;
	}
	return (-1);
}

/* Sends the next step of the worker's termseq until it has exited. */
static void
pworker_kstep(struct pworker *w)
{
	int64_t	 ms;
	int	 r;

	if ((ms = pworker_term(w, &w->kseq, !w->exited)) == -1)
		return;
	if ((r = uv_timer_start(&w->ktimer, pworker_ktimer_cb,
	    ms != 0 ? (uint64_t)ms : 1, 0)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
}

/* Sends sig to a worker's process group; an empty group is no error. */
static void
pworker_killpg(struct pworker *w, int sig)
{
	if (kill(-w->pid, sig) == -1 && errno != ESRCH)
		log_warn("kill --worker %ld", (long)w->pid);
}

/* The grace period or a termseq step ran out. */
static void
pworker_ktimer_cb(uv_timer_t *t)
{
	struct pworker	*w = t->data;

	if (!termseq_started(&w->kseq))
		termseq_start(&w->kseq, pwo->termseq, pwo->ntermseq);
	pworker_kstep(w);
}

/*
 * The input is exhausted and the queue empty: every worker has been sent
 * its last record, so its stdin is closed (a filter that buffers flushes
 * at EOF).  Tasks put back later go to fresh workers, closed in turn.
 */
void
pworker_input_done(void)
{
	struct pworker	*w;

	pwinput_done = 1;
	TAILQ_FOREACH(w, &pwall, entry) {
		if (w->state == PW_ACTIVE)
			pworker_retire(w, 0);
	}
}

/* Lets every idle worker go: there is nothing left to give them. */
void
pworker_close_idle(void)
{
	struct pworker	*w;

	TAILQ_FOREACH(w, &pwall, entry) {
		if (w->state == PW_ACTIVE && w->njobs == 0)
			pworker_retire(w, 0);
	}
}

/* Stops every worker with the termseq; their tasks are dropped. */
void
pworker_stop_all(void)
{
	struct pworker	*w;

	TAILQ_FOREACH(w, &pwall, entry) {
		/* A stop has no grace. */
		if (w->sweeping)
			w->sweepnext = uv_now(pwloop);
		if (w->state == PW_GONE)
			continue;
		w->discard = 1;
		pworker_retire(w, w->njobs != 0);
	}
}

/* Kills every worker's group at once: only kill(2), safe anywhere. */
void
pworker_kill_all(void)
{
	struct pworker	*w;

	TAILQ_FOREACH(w, &pwall, entry) {
		if ((!w->exited || w->sweeping) && w->pid > 0)
			kill(-w->pid, SIGKILL);
	}
}

/*
 * Sends a signal to every worker's process group (SIGTSTP, SIGCONT): a
 * persistent worker is the task, so Ctrl-Z and fg reach it directly.  A
 * worker runs in a session of its own, where its group is orphaned, and
 * the kernel discards SIGTSTP sent to an orphaned group: SIGSTOP does the
 * same job there.
 */
void
pworker_signal_all(int sig)
{
	struct pworker	*w;

	if (sig == SIGTSTP)
		sig = SIGSTOP;
	TAILQ_FOREACH(w, &pwall, entry) {
		if (!w->exited && w->pid > 0 && kill(-w->pid, sig) == -1 &&
		    errno != ESRCH)
			log_warn("kill worker in slot %u", w->slot);
	}
}

/* Stops or resumes reading results (output back-pressure). */
void
pworker_pause(int pause)
{
	struct pworker	*w;
	int		 r;

	pwpaused = pause;
	TAILQ_FOREACH(w, &pwall, entry) {
		if (w->out_eof || w->state == PW_GONE)
			continue;
		if (pause && w->reading) {
			uv_read_stop((uv_stream_t *)&w->out);
			w->reading = 0;
		} else if (!pause && !w->reading) {
			if ((r = uv_read_start((uv_stream_t *)&w->out,
			    pworker_alloc_cb, pworker_read_cb)) != 0)
				fatalx("uv_read_start: %s", uv_strerror(r));
			w->reading = 1;
		}
	}
}
