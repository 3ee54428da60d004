/*
 * dispatch.c - feeds the pool.
 *
 * dispatch_pump() is called whenever something changed (input arrived, a
 * task finished, a worker came or went, output drained).  It reads input
 * into the run queue, never more than a bounded window ahead, then gives
 * chunks of queued tasks to the workers that want work, starting workers
 * in empty slots as needed.  Commands are expanded here, per worker,
 * because {%} is the worker's slot.  When the input is exhausted and the
 * queue empty, idle workers are told to exit by closing their pipe.
 * With --worker, pworker.c feeds its persistent workers instead, taking
 * the queued tasks one by one through dispatch_next().
 *
 * Under a make jobserver (jobserver.c), a task starts only when a job
 * slot is free for it: chunks are one task, sent to idle workers only, so
 * a task sent is a task about to run, and every pump ends by giving back
 * the tokens that the tasks the workers still hold do not need.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

/* Tasks read ahead of dispatch, per worker. */
#define DISPATCH_AHEAD		128
/* The same for --worker, whose chunks grow to 4096 tasks. */
#define DISPATCH_WORKER_AHEAD	8192
/* Tasks between the ordered output's head and the newest read. */
#define DISPATCH_WINDOW		65536
/* A chunk's frame ends once it is this big (PROTO_MAXLEN is the limit). */
#define DISPATCH_FRAME_MAX	(PROTO_MAXLEN / 4)
/* A worker whose queue holds less than this much work gets more. */
#define DISPATCH_PREFETCH_US	2000.0

static const struct options	*dopts;
static struct input		*din;
static struct template		*dtpl;
static struct template		*dtagtpl;
static char			*dtagword;
static struct jobs		 runq = TAILQ_HEAD_INITIALIZER(runq);
static unsigned			 nqueued;
static uint64_t			 nextseq = 1;
static int			 input_eof;
static int			 stopping;
static int			 pumping;
static int			 again;
static double			 avg_us;
static struct buf		 argvbuf;
static struct buf		 cmdbuf;
static struct seqset		*dresume;	/* --resume: seqs done */
static int			 dneedcmd;	/* keep each command line */
static uv_timer_t		 dtimer;	/* --delay, --memfree */
static int			 dtimer_armed;
static uint64_t			 dlast_start;	/* --delay: ms, loop time */
static uint64_t			 dwait_seq;	/* --delay: not started yet */
static uv_loop_t		*dloop;

static void	 dispatch_ready(void *);
static void	 dispatch_fill(void);
static int	 dispatch_wants(struct worker *);
static void	 dispatch_send(struct worker *, unsigned);
static void	 dispatch_tag(struct job *, unsigned);
static void	 dispatch_timer_cb(uv_timer_t *);
static uint64_t	 dispatch_memavailable(void);
static void	 dispatch_dry_run(void);
static void	 dispatch_nul_msg(char *, size_t, uint64_t);
static uint64_t	 dispatch_running(void);

/* Opens the input and parses the command template. */
void
dispatch_init(uv_loop_t *loop, const struct options *o)
{
	int	 r;

	dopts = o;
	dloop = loop;
	if (o->resume)
		dresume = joblog_resume(o->joblog, o->resume == 2);
	dneedcmd = o->joblog != NULL || o->json || o->verbose ||
	    o->timeout_ms != 0 || o->timeout_pct != 0 ||
	    o->halt_when != HALT_NEVER || o->junit != NULL;
	if ((r = uv_timer_init(loop, &dtimer)) != 0)
		diex("uv_timer_init: %s", uv_strerror(r));
	din = input_new(o, loop, dispatch_ready, NULL);
	dtpl = template_new(o->cmd, o->ncmd, o->replace, o->quote_cmd);
	if (o->tagstring != NULL) {
		dtagword = xstrdup(o->tagstring);
		dtagtpl = template_new(&dtagword, 1, o->replace, 0);
	}
	buf_init(&argvbuf);
	buf_init(&cmdbuf);
}

/* Frees what dispatch holds; the run queue is empty by now. */
void
dispatch_free(void)
{
	struct job	*j;

	while ((j = TAILQ_FIRST(&runq)) != NULL) {
		TAILQ_REMOVE(&runq, j, entry);
		input_args_free(j->args);
		free(j->tag);
		free(j->cmd);
		free(j);
	}
	if (dresume != NULL)
		seqset_free(dresume);
	uv_close((uv_handle_t *)&dtimer, NULL);
	if (din != NULL) {
		input_free(din);
		din = NULL;
	}
	template_free(dtpl);
	if (dtagtpl != NULL)
		template_free(dtagtpl);
	free(dtagword);
	buf_free(&argvbuf);
	buf_free(&cmdbuf);
}

/* Input arrived (or ended): pump. */
static void
dispatch_ready(void *arg)
{
	dispatch_pump();
}

/* Whether the input is exhausted and every task handed out. */
int
dispatch_busy(void)
{
	return (!(input_eof || stopping) || nqueued != 0);
}

/* Whether mprun is stopping: nothing new starts. */
int
dispatch_stopping(void)
{
	return (stopping);
}

/* Feeds a finished task's runtime into the average the chunk size uses. */
void
dispatch_task_time(int64_t us)
{
	if (us < 1)
		us = 1;
	avg_us = avg_us == 0 ? (double)us : avg_us * 0.9 + (double)us * 0.1;
}

/* Reads input into the run queue, up to the read-ahead and the window. */
static void
dispatch_fill(void)
{
	struct job	*j;
	struct args	*a;
	unsigned	 ahead;
	int		 r;

	ahead = dopts->jobs * (dopts->worker != NULL ?
	    DISPATCH_WORKER_AHEAD : DISPATCH_AHEAD);
	while (!input_eof && !stopping && nqueued < ahead &&
	    collect_window() < DISPATCH_WINDOW) {
		r = input_next(din, &a);
		if (r == 0)
			return;		/* a read is under way */
		if (r == -1) {
			input_eof = 1;
			return;
		}
		if (r == -2) {
			input_eof = 1;
			mprun_shutdown(MPRUN_EXIT_ERROR);
			return;
		}
		j = xcalloc(1, sizeof *j);
		j->seq = nextseq++;
		j->state = JOB_QUEUED;
		j->args = a;
		collect_add(j);
		if (dresume != NULL && seqset_has(dresume, j->seq)) {
			collect_skip(j);	/* done in an earlier run */
			continue;
		}
		TAILQ_INSERT_TAIL(&runq, j, entry);
		nqueued++;
	}
}

/* Whether a worker should be sent another chunk now. */
static int
dispatch_wants(struct worker *w)
{
	if (w->state != WORKER_ACTIVE)
		return (0);
	if (dopts->maxtasks != 0 && w->sent >= dopts->maxtasks)
		return (0);
	if (w->njobs == 0)
		return (1);
	/*
	 * --delay and --memfree gate each start, and a jobserver's token is
	 * for a task that runs: no queue in the workers.
	 */
	if (dopts->delay_ms != 0 || dopts->memfree != 0 || jobserver_active())
		return (0);
	/* Send before it runs dry, when its queue is short in time. */
	return (avg_us > 0 && w->njobs * avg_us < DISPATCH_PREFETCH_US);
}

/* Builds the --tag / --tagstring line prefix of a task. */
static void
dispatch_tag(struct job *j, unsigned slot)
{
	struct buf	 b;
	int		 i;

	if (!dopts->tag && dtagtpl == NULL)
		return;
	buf_init(&b);
	if (dtagtpl != NULL)
		template_expand_raw(dtagtpl, j->args, j->seq, slot, &b);
	else {
		for (i = 0; i < j->args->nwhole; i++) {
			if (i > 0)
				buf_addc(&b, ' ');
			buf_add(&b, j->args->whole[i], j->args->wlen[i]);
		}
	}
	buf_addc(&b, '\t');
	j->tag = buf_take(&b, &j->taglen);
}

/* Sends the next n queued tasks to worker w as one TASKS frame. */
static void
dispatch_send(struct worker *w, unsigned n)
{
	struct job	*j;
	size_t		 mark, start;
	ssize_t		 r;
	int		 argc, mode;
	char		 msg[256];

	start = w->wbuf.len;
	mark = proto_begin(&w->wbuf, PROTO_TASKS, 0);
	while (n-- > 0 && (j = TAILQ_FIRST(&runq)) != NULL) {
		if (w->wbuf.len - start > DISPATCH_FRAME_MAX)
			break;		/* the rest goes in the next chunk */
		TAILQ_REMOVE(&runq, j, entry);
		nqueued--;
		buf_reset(&argvbuf);
		buf_reset(&cmdbuf);
		mode = template_expand(dtpl, j->args, j->seq, w->slot,
		    &argvbuf, &argc, dneedcmd ? &cmdbuf : NULL);
		if (dneedcmd) {
			free(j->cmd);
			j->cmd = xmemdup(BUF_PTR(&cmdbuf), cmdbuf.len);
			j->cmdlen = cmdbuf.len;
		}
		/*
		 * What no exec here could take (a NUL in an argument, E2BIG)
		 * fails now, saying why; anything that passes is at most
		 * ARG_MAX (6 MiB), so it fits in a frame.
		 */
		if (mode == TEMPLATE_NUL)
			dispatch_nul_msg(msg, sizeof msg, j->seq);
		if (mode == TEMPLATE_NUL || spawn_check(j->seq, mode,
		    BUF_PTR(&argvbuf), argvbuf.len, argc, msg,
		    sizeof msg) != 0) {
			j->slot = w->slot;
			/* An attempt all the same: --retries must not loop. */
			j->attempts++;
			collect_fail(j, 126, msg);
			continue;
		}
		proto_put_task(&w->wbuf, j->seq, mode, BUF_PTR(&argvbuf),
		    argvbuf.len, argc);
		if (dopts->verbose) {
			/* Like xargs -t: the command, on stderr, as sent. */
			buf_addc(&cmdbuf, '\n');
			do
				r = write(STDERR_FILENO, BUF_PTR(&cmdbuf),
				    cmdbuf.len);
			while (r == -1 && errno == EINTR);
		}
		dispatch_tag(j, w->slot);
		if (dopts->delay_ms != 0)
			dwait_seq = j->seq;
		j->attempts++;
		j->state = JOB_SENT;
		j->worker = w;
		j->slot = w->slot;
		TAILQ_INSERT_TAIL(&w->jobs, j, entry);
		w->njobs++;
		w->sent++;
	}
	proto_end(&w->wbuf, mark);
	pool_flush(w);
}

/*
 * Takes the next queued task for a --worker in slot, booked as sent to
 * it, or returns NULL when the queue is empty.
 */
struct job *
dispatch_next(unsigned slot)
{
	struct job	*j;
	ssize_t		 r;
	int		 i;

	if (TAILQ_EMPTY(&runq))
		dispatch_fill();
	if ((j = TAILQ_FIRST(&runq)) == NULL)
		return (NULL);
	if (jobserver_active() && !jobserver_take(dispatch_running()))
		return (NULL);
	TAILQ_REMOVE(&runq, j, entry);
	nqueued--;
	if (dneedcmd && j->cmd == NULL) {
		buf_reset(&cmdbuf);
		for (i = 0; i < j->args->nwhole; i++) {
			if (i > 0)
				buf_addc(&cmdbuf, ' ');
			buf_add(&cmdbuf, j->args->whole[i],
			    j->args->wlen[i]);
		}
		j->cmd = xmemdup(BUF_PTR(&cmdbuf), cmdbuf.len);
		j->cmdlen = cmdbuf.len;
	}
	if (dopts->verbose) {
		/* Like xargs -t: the record, on stderr, as sent. */
		buf_reset(&cmdbuf);
		buf_add(&cmdbuf, j->cmd, j->cmdlen);
		buf_addc(&cmdbuf, '\n');
		do
			r = write(STDERR_FILENO, BUF_PTR(&cmdbuf), cmdbuf.len);
		while (r == -1 && errno == EINTR);
	}
	dispatch_tag(j, slot);
	j->attempts++;
	j->state = JOB_SENT;
	j->slot = slot;
	return (j);
}

/*
 * Task seq started (or ended without starting): under --delay, the next
 * start is counted from now.
 */
void
dispatch_started(uint64_t seq)
{
	if (seq == 0 || seq != dwait_seq)
		return;
	dwait_seq = 0;
	uv_update_time(dloop);
	dlast_start = uv_now(dloop) == 0 ? 1 : uv_now(dloop);
}

/*
 * A task started now, one that no START frame reports: a --worker's
 * record starts when it is written.
 */
void
dispatch_started_now(void)
{
	uv_update_time(dloop);
	dlast_start = uv_now(dloop) == 0 ? 1 : uv_now(dloop);
}

/* Puts a task that a lost worker never started back in the queue. */
void
dispatch_requeue(struct job *j)
{
	struct job	*q;

	dispatch_started(j->seq);
	j->state = JOB_QUEUED;
	j->worker = NULL;
	j->pid = 0;
	free(j->tag);
	j->tag = NULL;
	TAILQ_FOREACH(q, &runq, entry) {
		if (q->seq > j->seq)
			break;
	}
	if (q != NULL)
		TAILQ_INSERT_BEFORE(q, j, entry);
	else
		TAILQ_INSERT_TAIL(&runq, j, entry);
	nqueued++;
}

/*
 * Stops dispatching: drops the queue; with kill, the workers stop their
 * tasks too, otherwise what they hold runs to its end (--halt soon, HUP).
 */
void
dispatch_stop(int kill)
{
	struct job	*j;

	if (stopping)
		return;
	stopping = 1;
	while ((j = TAILQ_FIRST(&runq)) != NULL) {
		TAILQ_REMOVE(&runq, j, entry);
		nqueued--;
		collect_skip(j);
	}
	if (dtimer_armed) {
		uv_timer_stop(&dtimer);
		dtimer_armed = 0;
	}
	if (kill) {
		pool_stop_all();
		pworker_stop_all();
	} else {
		pool_close_idle();
		pworker_close_idle();
	}
}

/* How many tasks are read and waiting for a worker. */
uint64_t
dispatch_queued(void)
{
	return (nqueued);
}

/* The number of tasks of the run, when the input tells in advance. */
int
dispatch_total(uint64_t *total)
{
	return (input_total(din, total));
}

/* The gate timer ran out: try to dispatch again. */
static void
dispatch_timer_cb(uv_timer_t *t)
{
	dtimer_armed = 0;
	dispatch_pump();
}

/* MemAvailable from /proc/meminfo, in bytes (max when unknown). */
static uint64_t
dispatch_memavailable(void)
{
	FILE			*f;
	char			 line[256];
	unsigned long long	 kb;
	uint64_t		 avail = UINT64_MAX;

	if ((f = fopen("/proc/meminfo", "re")) == NULL)
		return (avail);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			avail = (uint64_t)kb * 1024;
			break;
		}
	}
	fclose(f);
	return (avail);
}

/*
 * Whether a task may start now under --delay and --memfree; if not, arms
 * the timer that tries again (and pumps then).
 */
int
dispatch_gate(void)
{
	uint64_t	 now, wait = 0;
	int		 r;

	if (dopts->delay_ms == 0 && dopts->memfree == 0)
		return (1);
	/*
	 * --delay spaces the starts, not the sends: the next task waits for
	 * the last one to start (dispatch_started()), then for the delay.
	 */
	if (dtimer_armed || dwait_seq != 0)
		return (0);
	uv_update_time(dloop);
	now = uv_now(dloop);
	if (dopts->delay_ms != 0 && dlast_start != 0 &&
	    now - dlast_start < dopts->delay_ms)
		wait = dopts->delay_ms - (now - dlast_start);
	else if (dopts->memfree != 0 &&
	    dispatch_memavailable() < dopts->memfree)
		wait = 100;
	if (wait == 0)
		return (1);
	if ((r = uv_timer_start(&dtimer, dispatch_timer_cb, wait, 0)) != 0)
		fatalx("uv_timer_start: %s", uv_strerror(r));
	dtimer_armed = 1;
	return (0);
}

/*
 * The message of a task whose command would hold a NUL byte: an argument
 * ends at the first NUL, so running it would run a shortened record.
 */
static void
dispatch_nul_msg(char *msg, size_t size, uint64_t seq)
{
	snprintf(msg, size, "mprun: task %llu: its input holds a NUL byte, "
	    "which a command line cannot carry\n", (unsigned long long)seq);
}

/*
 * --dry-run: prints each queued command line in order, runs nothing; a
 * command that could not run fails as it would in a real run.
 */
static void
dispatch_dry_run(void)
{
	struct job	*j;
	int		 argc;
	char		 msg[128];

	while ((j = TAILQ_FIRST(&runq)) != NULL) {
		TAILQ_REMOVE(&runq, j, entry);
		nqueued--;
		buf_reset(&argvbuf);
		buf_reset(&cmdbuf);
		if (template_expand(dtpl, j->args, j->seq, 1, &argvbuf, &argc,
		    &cmdbuf) == TEMPLATE_NUL) {
			dispatch_nul_msg(msg, sizeof msg, j->seq);
			j->slot = 1;
			j->attempts++;
			collect_fail(j, 126, msg);
			continue;
		}
		buf_addc(&cmdbuf, '\n');
		output_write(STDOUT_FILENO, BUF_PTR(&cmdbuf), cmdbuf.len);
		collect_skip(j);
	}
}

/*
 * How many tasks hold a job slot: sent to a worker or running.  While
 * stopping, a stopped worker's task may have started unseen: each worker
 * left counts, until it has gone.
 */
static uint64_t
dispatch_running(void)
{
	struct progress_stats	 ps;
	struct worker		*w;
	struct job		*j;
	uint64_t		 n;
	unsigned		 slot;

	if (stopping)
		n = pool_count();
	else {
		memset(&ps, 0, sizeof ps);
		report_stats(&ps);
		n = ps.running;
		for (slot = 1; slot <= dopts->jobs; slot++) {
			if ((w = pool_slot(slot)) == NULL)
				continue;
			TAILQ_FOREACH(j, &w->jobs, entry) {
				if (j->state == JOB_SENT)
					n++;
			}
		}
	}
	return (n + pworker_running());
}

/* Reads, dispatches and ends the run as far as it can go now. */
void
dispatch_pump(void)
{
	struct worker	*w;
	uint64_t	 running = 0;
	unsigned	 slot, n, quota, before;

	if (pumping) {
		again = 1;
		return;
	}
	pumping = 1;
	do {
		again = 0;
		if (stopping || report_halted()) {
			pool_close_idle();
			pworker_close_idle();
			break;
		}
		dispatch_fill();
		if (dopts->dry_run) {
			dispatch_dry_run();
			continue;
		}
		if (dopts->worker != NULL) {
			pworker_pump(input_eof);
			if (input_eof && nqueued == 0)
				pworker_input_done();
			continue;
		}
		if (jobserver_active())
			running = dispatch_running();
		for (slot = 1; slot <= dopts->jobs && nqueued > 0; slot++) {
			if ((w = pool_slot(slot)) != NULL &&
			    !dispatch_wants(w))
				continue;
			if (!jobserver_take(running))
				break;
			if (!dispatch_gate())
				break;
			/* NULL: an error, or a host out of the rotation. */
			if (w == NULL && (w = pool_spawn(slot)) == NULL) {
				if (stopping)
					break;
				continue;
			}
			quota = dopts->maxtasks == 0 ? 0 :
			    dopts->maxtasks - w->sent;
			n = dopts->chunksize != 0 ? dopts->chunksize :
			    chunk_size(nqueued, dopts->jobs, avg_us, quota);
			if (dopts->delay_ms != 0 || dopts->memfree != 0 ||
			    jobserver_active())
				n = 1;
			if (quota != 0 && n > quota)
				n = quota;
			before = w->njobs;
			dispatch_send(w, n);
			running += w->njobs - before;
			dispatch_fill();
		}
		if (input_eof && nqueued == 0)
			pool_close_idle();
	} while (again);
	/* Whatever ended since, the slots of tasks gone go back to make. */
	if (jobserver_active())
		jobserver_sync(dispatch_running());
	pumping = 0;
}
