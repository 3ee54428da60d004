/*
 * collect.c - takes the workers' result frames and turns them into output.
 *
 * START, OUT and DONE frames always concern the first unfinished task of
 * the worker's chunk, as a worker runs its tasks in order; anything else is
 * a protocol error.  OUT bytes go through the tagger (--tag, --tagstring)
 * and then to the output writer or into the task's held-back segments:
 *
 *  - ordered (the default): the task at the head of the order streams
 *    live; the others hold their output until they reach the head.  The
 *    reorder buffer maps sequence numbers to tasks from the moment they are
 *    read until they are emitted, so the head is always known.
 *  - --unordered: the first task to print becomes live; the others hold
 *    their output and are emitted whole as they finish (after the live
 *    one, if they finish while it runs).
 *  - --line-buffer: complete lines go out at once, partial lines wait.
 *  - --ungroup: everything goes out as it comes.
 *
 * Held output lives in memory up to COLLECT_MEM_MAX bytes in all, then in
 * an unlinked temporary file in $TMPDIR (checked at start-up, /tmp when it
 * is unusable), so a slow head task never makes memory grow without bound.
 *
 * What a task's end means for the counts, --halt, --joblog, --junit and
 * --json is report.c's: the collector tells it when a task finished
 * (report_done()) and when its output was all queued (report_queued()).
 */

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define COLLECT_MEM_MAX		(64 * 1024 * 1024)

static const struct options	*co;
static struct reorder		*collect_table;	/* ordered mode only */
static struct job		*collect_live;	/* unordered group mode */
static struct jobs		 collect_waitq =
				     TAILQ_HEAD_INITIALIZER(collect_waitq);
static size_t			 collect_held;	/* bytes held in memory */
static int			 collect_spillfd = -1;
static char			*collect_spilldir;	/* where it goes */
static off_t			 collect_spill_end;
static struct buf		 collect_scratch;
/* The latest runtimes, for --timeout N%. */
#define COLLECT_RUNTIMES	255
static int64_t			 collect_runtimes[COLLECT_RUNTIMES];
static unsigned			 collect_nruntimes;
static unsigned			 collect_rtnext;

static void	 collect_out(struct job *, int, const char *, size_t);
static void	 collect_route(struct job *, int, const char *, size_t);
static void	 collect_hold(struct job *, int, const char *, size_t);
static void	 collect_spill_dir(void);
static int	 collect_spill(const char *, size_t, off_t *);
static void	 collect_flush(struct job *);
static void	 collect_finish(struct job *);
static void	 collect_emit(struct job *);
static void	 collect_drop(struct job *);
static int	 collect_cmp_rt(const void *, const void *);
static void	 collect_advance(void);
static void	 collect_release(struct job *);
static void	 collect_line_out(struct job *, int, const char *, size_t);
static int	 collect_may_stream(void);
static void	 collect_retry(struct job *);
static void	 collect_runtime(const struct job *);
static void	 collect_json(struct job *);
static void	 collect_gather(struct job *, struct buf *, struct buf *);

/* Sets up the collector for a run. */
void
collect_init(const struct options *o)
{
	co = o;
	if (o->ordered)
		collect_table = reorder_new(1);
	buf_init(&collect_scratch);
	collect_spill_dir();
}

/* Frees what the collector holds. */
void
collect_free(void)
{
	if (collect_table != NULL)
		reorder_free(collect_table);
	collect_table = NULL;
	buf_free(&collect_scratch);
	if (collect_spillfd != -1)
		close(collect_spillfd);
	collect_spillfd = -1;
	output_spill_dir(NULL);
	free(collect_spilldir);
	collect_spilldir = NULL;
}

/*
 * Whether a task's output may go out before it has finished: not when a
 * failed attempt's output must vanish (--retries) nor when the output
 * becomes one JSON object (--json).
 */
static int
collect_may_stream(void)
{
	return (co->retries <= 1 && !co->json);
}

/* Keeps a finished task's runtime for the median of --timeout N%. */
static void
collect_runtime(const struct job *j)
{
	collect_runtimes[collect_rtnext] = j->done.runtime_us;
	collect_rtnext = (collect_rtnext + 1) % COLLECT_RUNTIMES;
	if (collect_nruntimes < COLLECT_RUNTIMES)
		collect_nruntimes++;
}

/* Compares runtimes, for the median. */
static int
collect_cmp_rt(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The --timeout for a task starting now, in ms (0: none).  N% is of the
 * median runtime of the latest finished tasks, once three have finished.
 */
uint64_t
collect_timeout_ms(void)
{
	int64_t		 rt[COLLECT_RUNTIMES];
	uint64_t	 ms;

	if (co->timeout_ms != 0)
		return (co->timeout_ms);
	if (co->timeout_pct == 0 || collect_nruntimes < 3)
		return (0);
	memcpy(rt, collect_runtimes, collect_nruntimes * sizeof *rt);
	qsort(rt, collect_nruntimes, sizeof *rt, collect_cmp_rt);
	ms = (uint64_t)rt[collect_nruntimes / 2] * co->timeout_pct / 100000;
	return (ms == 0 ? 1 : ms);
}

/* A task ran past its --timeout: ask its worker to stop it. */
void
collect_timeout(struct worker *w)
{
	struct job	*j = TAILQ_FIRST(&w->jobs);

	if (j == NULL || j->state != JOB_RUNNING || j->timed_out)
		return;
	j->timed_out = 1;
	log_warnx("task %llu timed out after %g s: %.*s",
	    (unsigned long long)j->seq, (double)j->timeout_ms / 1000.0,
	    j->cmd != NULL ? (int)j->cmdlen : 0, j->cmd != NULL ? j->cmd : "");
	proto_put(&w->wbuf, PROTO_KILL, j->seq, NULL, 0);
	pool_flush(w);
	pool_deadline(w);
}

/* Takes a newly read task into the table (ordered mode). */
void
collect_add(struct job *j)
{
	j->bol[STREAM_STDOUT] = j->bol[STREAM_STDERR] = 1;
	j->segtail = &j->segs;
	if (collect_table != NULL)
		reorder_put(collect_table, j->seq, j);
}

/* How many tasks are between being read and being emitted (ordered). */
uint64_t
collect_window(void)
{
	return (collect_table != NULL ? reorder_count(collect_table) : 0);
}

/* Whether nothing is waiting to be emitted. */
int
collect_idle(void)
{
	if (collect_table != NULL)
		return (reorder_count(collect_table) == 0);
	return (collect_live == NULL && TAILQ_EMPTY(&collect_waitq));
}

/* Handles one frame from worker w.  Returns -1 on a protocol error. */
int
collect_frame(struct worker *w, const struct proto_frame *f)
{
	struct hello_reply	 reply;
	struct job		*j;
	const char		*errstr, *data;
	pid_t			 pid;
	uint64_t		 ms;
	size_t			 len;
	int			 stream;

	j = TAILQ_FIRST(&w->jobs);
	switch (f->type) {
	case PROTO_HELLO:
		if (json_reply_decode(f->payload, f->len, &reply,
		    &errstr) == -1) {
			log_warnx("worker in slot %u: bad hello: %s", w->slot,
			    errstr);
			return (-1);
		}
		if (reply.version != PROTO_VERSION) {
			log_warnx("worker in slot %u (host %s): protocol "
			    "version %d, expected %d", w->slot,
			    remote_worker_name(w), reply.version,
			    PROTO_VERSION);
			return (-1);
		}
		remote_worker_node(w, reply.node);
		w->hello = 1;
		return (0);
	case PROTO_START:
		if (j == NULL || j->seq != f->seq || j->state != JOB_SENT ||
		    proto_get_start(f, &pid) == -1)
			break;
		j->pid = pid;
		j->state = JOB_RUNNING;
		j->where = remote_worker_name(w);
		report_start();
		dispatch_started(j->seq);
		limits_settled();
		if ((ms = collect_timeout_ms()) != 0) {
			j->timeout_ms = ms;
			pool_timer_start(w, ms);
		}
		return (0);
	case PROTO_OUT:
		if (j == NULL || j->seq != f->seq || j->state != JOB_RUNNING ||
		    proto_get_out(f, &stream, &data, &len) == -1)
			break;
		collect_out(j, stream, data, len);
		return (0);
	case PROTO_DONE:
		if (j == NULL || j->seq != f->seq || j->state != JOB_RUNNING ||
		    proto_get_done(f, &j->done) == -1)
			break;
		TAILQ_REMOVE(&w->jobs, j, entry);
		w->njobs--;
		w->ndone++;
		j->worker = NULL;
		report_stop();
		pool_timer_stop(w);
		dispatch_task_time(j->done.runtime_us);
		collect_finish(j);
		/* Its slot is gone (fewer processes): idle now, it goes. */
		if (w->draining && w->njobs == 0)
			pool_retire(w);
		return (0);
	case PROTO_RETIRE:
		if (j != NULL)
			break;
		pool_retire(w);
		return (0);
	case PROTO_AGAIN:
		/* Its next task, or --init (0), found no process to run in. */
		if (f->seq != 0 && (j == NULL || j->seq != f->seq ||
		    j->state != JOB_SENT))
			break;
		pool_noproc(w);
		return (0);
	}
	log_warnx("worker in slot %u: unexpected frame (type %d, task %llu)",
	    w->slot, f->type, (unsigned long long)f->seq);
	return (-1);
}

/*
 * Settles the tasks of a worker that has gone: the one it was running
 * failed, the ones it had not started go back to the queue (or are dropped
 * when mprun is stopping).
 */
void
collect_worker_gone(struct worker *w)
{
	struct job	*j;
	char		 how[64];
	char		 msg[256];
	int		 n;

	log_exit_how(how, sizeof how, w->exit_status, w->term_signal);
	while ((j = TAILQ_FIRST(&w->jobs)) != NULL) {
		TAILQ_REMOVE(&w->jobs, j, entry);
		w->njobs--;
		j->worker = NULL;
		if (j->state == JOB_RUNNING) {
			/*
			 * Its process group may have outlived the worker
			 * (a remote one's pid means nothing here).
			 */
			if (w->host == NULL && j->pid > 0 &&
			    kill(-j->pid, SIGKILL) == -1 &&
			    errno != ESRCH)
				log_warn("kill task %llu",
				    (unsigned long long)j->seq);
			if (w->host != NULL)
				n = snprintf(msg, sizeof msg, "mprun: worker "
				    "in slot %u on %s died (%s): task %llu "
				    "failed\n", w->slot,
				    remote_worker_name(w), how,
				    (unsigned long long)j->seq);
			else
				n = snprintf(msg, sizeof msg, "mprun: worker "
				    "in slot %u died (%s): task %llu failed\n",
				    w->slot, how, (unsigned long long)j->seq);
			if (!dispatch_stopping() || w->term_signal != 0)
				collect_out(j, STREAM_STDERR, msg, (size_t)n);
			j->done.status = -1;
			j->done.sig = 0;
			report_stop();
			collect_finish(j);
		} else if (dispatch_stopping())
			collect_skip(j);
		else {
			/* Never started: that was no attempt (--retries). */
			j->attempts--;
			dispatch_requeue(j);
		}
	}
}

/*
 * Fails a task that could not be sent to a worker at all, with a message
 * on its stderr, as if it had run and failed.
 */
void
collect_fail(struct job *j, int status, const char *msg)
{
	struct timeval	 tv;

	/* A task that never started failed now, as far as the joblog says. */
	if (j->done.start_us == 0 && gettimeofday(&tv, NULL) == 0)
		j->done.start_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	j->state = JOB_RUNNING;
	collect_out(j, STREAM_STDERR, msg, strlen(msg));
	j->done.status = status;
	j->done.sig = 0;
	collect_finish(j);
}

/*
 * Settles a task a --worker answered: what START, OUT and DONE frames do
 * for a task run by an mprun worker.
 */
void
collect_result(struct job *j, const char *out, size_t len, int status)
{
	j->state = JOB_RUNNING;
	if (len != 0)
		collect_out(j, STREAM_STDOUT, out, len);
	j->done.status = status;
	j->done.sig = 0;
	dispatch_task_time(j->done.runtime_us);
	collect_finish(j);
}

/* Marks a task that will never run as finished with nothing to say. */
void
collect_skip(struct job *j)
{
	j->skip = 1;
	j->state = JOB_DONE;
	collect_finish(j);
}

/* Tags output lines if asked, then routes the bytes. */
static void
collect_out(struct job *j, int stream, const char *p, size_t n)
{
	const char	*nl, *end = p + n;

	if (stream == STREAM_STDERR)
		report_stderr(j, p, n);
	if (j->tag == NULL) {
		collect_route(j, stream, p, n);
		return;
	}
	buf_reset(&collect_scratch);
	while (p < end) {
		if (j->bol[stream])
			buf_add(&collect_scratch, j->tag, j->taglen);
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			buf_add(&collect_scratch, p, (size_t)(end - p));
			j->bol[stream] = 0;
			break;
		}
		buf_add(&collect_scratch, p, (size_t)(nl + 1 - p));
		j->bol[stream] = 1;
		p = nl + 1;
	}
	collect_route(j, stream, BUF_PTR(&collect_scratch),
	    collect_scratch.len);
}

/* Sends bytes out now or holds them, as the output mode says. */
static void
collect_route(struct job *j, int stream, const char *p, size_t n)
{
	if (j->lost)
		return;		/* its start is gone: no tail either */
	switch (co->output) {
	case OUTPUT_UNGROUP:
		output_write(stream, p, n);
		return;
	case OUTPUT_LINE:
		collect_line_out(j, stream, p, n);
		return;
	case OUTPUT_GROUP:
		break;
	}
	if (!collect_may_stream()) {
		collect_hold(j, stream, p, n);
		return;
	}
	if (collect_table != NULL) {
		if (j == reorder_peek(collect_table))
			output_write(stream, p, n);
		else
			collect_hold(j, stream, p, n);
		return;
	}
	if (collect_live == NULL) {
		collect_live = j;
		collect_flush(j);
	}
	if (collect_live == j)
		output_write(stream, p, n);
	else
		collect_hold(j, stream, p, n);
}

/*
 * --line-buffer: writes the complete lines at once, keeping a partial
 * line until its end arrives.  Held partial lines live in the segments.
 */
static void
collect_line_out(struct job *j, int stream, const char *p, size_t n)
{
	const char	*nl;
	struct seg	*s, **sp;

	nl = memrchr(p, '\n', n);
	if (nl == NULL) {
		collect_hold(j, stream, p, n);
		return;
	}
	/*
	 * The partial line held for this stream comes first, from memory
	 * or from the spill file: queued back to back, nothing comes
	 * between its pieces.
	 */
	for (sp = &j->segs; (s = *sp) != NULL;) {
		if (s->stream != stream) {
			sp = &s->next;
			continue;
		}
		if (s->spilled)
			output_write_file(stream, collect_spillfd, s->off,
			    s->len);
		else {
			output_write(stream, s->data, s->len);
			collect_held -= s->len;
		}
		*sp = s->next;
		free(s->data);
		free(s);
	}
	j->segtail = &j->segs;
	while (*j->segtail != NULL)
		j->segtail = &(*j->segtail)->next;
	output_write(stream, p, (size_t)(nl + 1 - p));
	if ((size_t)(nl + 1 - p) < n)
		collect_hold(j, stream, nl + 1, n - (size_t)(nl + 1 - p));
}

/* Holds bytes back in the task's segments, in memory or spilled. */
static void
collect_hold(struct job *j, int stream, const char *p, size_t n)
{
	struct seg	*s;
	off_t		 off;

	if (j->lost)
		return;
	s = j->segs == NULL ? NULL :
	    (struct seg *)((char *)j->segtail - offsetof(struct seg, next));
	if (collect_held + n > COLLECT_MEM_MAX) {
		if (collect_spill(p, n, &off) == -1) {
			/*
			 * Its output can no longer be whole: none of it is
			 * written, rather than a shortened part (the run
			 * stops with 255 and the reason).
			 */
			j->lost = 1;
			collect_drop(j);
			return;
		}
		if (s != NULL && s->spilled && s->stream == stream &&
		    s->off + (off_t)s->len == off) {
			s->len += n;
			return;
		}
		s = xcalloc(1, sizeof *s);
		s->stream = stream;
		s->spilled = 1;
		s->off = off;
		s->len = n;
	} else {
		collect_held += n;
		if (s != NULL && !s->spilled && s->stream == stream) {
			if (s->len + n > s->size) {
				s->size = (s->len + n) * 2;
				s->data = xrealloc(s->data, s->size);
			}
			memcpy(s->data + s->len, p, n);
			s->len += n;
			return;
		}
		s = xcalloc(1, sizeof *s);
		s->stream = stream;
		s->size = n < 256 ? 256 : n;
		s->data = xmalloc(s->size);
		memcpy(s->data, p, n);
		s->len = n;
	}
	*j->segtail = s;
	j->segtail = &s->next;
}

/*
 * Picks the spill file's directory: $TMPDIR, or /tmp when it is unset or
 * empty.  When output can be held at all (--ungroup and --dry-run hold
 * none), a $TMPDIR that is no directory we may create files in is found
 * now, with a warning, and /tmp is used instead: otherwise the run would
 * fail only once 64 MiB of output had come, perhaps hours in.
 */
static void
collect_spill_dir(void)
{
	const char	*dir;
	struct stat	 st;
	int		 why = 0;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	else if (co->output != OUTPUT_UNGROUP && !co->dry_run) {
		/* As open(2) would see it: effective ids, search and write. */
		if (stat(dir, &st) == -1)
			why = errno;
		else if (!S_ISDIR(st.st_mode))
			why = ENOTDIR;
		else if (faccessat(AT_FDCWD, dir, W_OK | X_OK,
		    AT_EACCESS) == -1)
			why = errno;
		if (why != 0) {
			log_warnx("TMPDIR: %s: %s; spilling to /tmp instead",
			    dir, strerror(why));
			dir = "/tmp";
		}
	}
	collect_spilldir = xstrdup(dir);
}

/*
 * Appends bytes to the spill file, creating it (unlinked at once, so it
 * vanishes however mprun ends) on first use.  A failure names the
 * directory: the file itself has a random name and is gone.
 */
static int
collect_spill(const char *p, size_t n, off_t *offp)
{
	static int	 failed;
	char		*path;
	ssize_t		 r;

	if (failed)
		return (-1);	/* said once; the run is stopping */
	if (collect_spillfd == -1) {
		xasprintf(&path, "%s/mprun.XXXXXX", collect_spilldir);
		if ((collect_spillfd = mkostemp(path, O_CLOEXEC)) == -1) {
			log_warn("creating a spill file in %s",
			    collect_spilldir);
			free(path);
			failed = 1;
			mprun_shutdown(MPRUN_EXIT_ERROR);
			return (-1);
		}
		if (unlink(path) == -1)
			log_warn("unlink %s", path);
		free(path);
		output_spill_dir(collect_spilldir);
	}
	*offp = collect_spill_end;
	while (n > 0) {
		r = pwrite(collect_spillfd, p, n, collect_spill_end);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			log_warn("writing the spill file in %s",
			    collect_spilldir);
			failed = 1;
			mprun_shutdown(MPRUN_EXIT_ERROR);
			return (-1);
		}
		p += r;
		n -= (size_t)r;
		collect_spill_end += r;
	}
	return (0);
}

/* Writes out everything a task holds back (--json: as one object). */
static void
collect_flush(struct job *j)
{
	struct seg	*s, *next;

	if (co->json) {
		/* The object carries the output: the segments only go. */
		if (j->state != JOB_DONE)
			return;
		if (!j->skip && !j->lost)
			collect_json(j);
		collect_drop(j);
		return;
	}
	if (j->lost)
		return;
	for (s = j->segs; s != NULL; s = next) {
		next = s->next;
		if (s->spilled)
			output_write_file(s->stream, collect_spillfd, s->off,
			    s->len);
		else {
			output_write(s->stream, s->data, s->len);
			collect_held -= s->len;
		}
		free(s->data);
		free(s);
	}
	j->segs = NULL;
	j->segtail = &j->segs;
}

/* Frees a task's held-back output without writing it. */
static void
collect_drop(struct job *j)
{
	struct seg	*s, *next;

	for (s = j->segs; s != NULL; s = next) {
		next = s->next;
		if (!s->spilled)
			collect_held -= s->len;
		free(s->data);
		free(s);
	}
	j->segs = NULL;
	j->segtail = &j->segs;
}

/* A failed attempt that --retries runs again: its output vanishes. */
static void
collect_retry(struct job *j)
{
	collect_drop(j);
	report_retry(j);
	j->bol[STREAM_STDOUT] = j->bol[STREAM_STDERR] = 1;
	memset(&j->done, 0, sizeof j->done);
	j->timed_out = 0;
	j->pid = 0;
	log_debug("task %llu: attempt %u failed, retrying",
	    (unsigned long long)j->seq, j->attempts);
	dispatch_requeue(j);
}

/* Reads a task's held output back, spilled parts included. */
static void
collect_gather(struct job *j, struct buf *out, struct buf *err)
{
	struct seg	*s;
	struct buf	*b;
	size_t		 done;
	ssize_t		 r;

	for (s = j->segs; s != NULL; s = s->next) {
		b = s->stream == STREAM_STDOUT ? out : err;
		if (!s->spilled) {
			buf_add(b, s->data, s->len);
			continue;
		}
		for (done = 0; done < s->len; done += (size_t)r) {
			r = pread(collect_spillfd, buf_reserve(b, s->len - done),
			    s->len - done, s->off + (off_t)done);
			if (r == -1 && errno == EINTR) {
				r = 0;
				continue;
			}
			if (r <= 0) {
				if (r == 0)
					errno = EIO;
				log_warn("reading the spill file in %s",
				    collect_spilldir);
				mprun_shutdown(MPRUN_EXIT_ERROR);
				return;
			}
			buf_commit(b, (size_t)r);
		}
	}
}

/* --json: hands a finished task's held output to its record. */
static void
collect_json(struct job *j)
{
	struct buf	 out, err;

	buf_init(&out);
	buf_init(&err);
	collect_gather(j, &out, &err);
	report_json(j, &out, &err);
	buf_free(&out);
	buf_free(&err);
}

/* A task is finished: report it and emit what its turn allows. */
static void
collect_finish(struct job *j)
{
	int		 failed;

	j->state = JOB_DONE;
	dispatch_started(j->seq);	/* if it never did */
	if (!j->skip) {
		failed = j->done.status != 0 || j->done.sig != 0 ||
		    j->timed_out;
		if (failed && j->attempts < co->retries &&
		    !dispatch_stopping()) {
			collect_retry(j);
			return;
		}
		collect_runtime(j);
		report_done(j, failed);
	}
	collect_emit(j);
	/* Stopping may free tasks, j too: only now is it safe. */
	report_settled();
}

/* Emits what a finished task's turn allows. */
static void
collect_emit(struct job *j)
{
	struct job	*w;

	if (co->output != OUTPUT_GROUP) {
		collect_flush(j);	/* a partial last line, if any */
		collect_release(j);
		return;
	}
	if (collect_table != NULL) {
		if (j == reorder_peek(collect_table))
			collect_advance();
		return;
	}
	if (collect_live == j) {
		collect_live = NULL;
		collect_release(j);
		while ((w = TAILQ_FIRST(&collect_waitq)) != NULL) {
			TAILQ_REMOVE(&collect_waitq, w, entry);
			collect_flush(w);
			collect_release(w);
		}
	} else if (collect_live == NULL) {
		collect_flush(j);
		collect_release(j);
	} else
		TAILQ_INSERT_TAIL(&collect_waitq, j, entry);
}

/*
 * Ordered mode: emits finished tasks from the head of the order, and lets
 * the next unfinished one stream live after writing what it held.
 */
static void
collect_advance(void)
{
	struct job	*j;

	while ((j = reorder_peek(collect_table)) != NULL) {
		if (j->state != JOB_DONE) {
			/* It streams live from now on. */
			if (collect_may_stream())
				collect_flush(j);
			return;
		}
		collect_flush(j);
		reorder_pop(collect_table);
		collect_release(j);
	}
}

/* Frees a task that has been emitted: its output is all queued. */
static void
collect_release(struct job *j)
{
	report_queued(j);
	collect_drop(j);
	input_args_free(j->args);
	free(j->tag);
	free(j->cmd);
	free(j);
	dispatch_pump();
}
