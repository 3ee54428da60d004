/*
 * report.c - the reports of finished tasks: the counts the exit status
 * and the progress line come from, the --halt condition, the --joblog
 * rows, the --junit testcases and the --json records.
 *
 * The collector says what happens to a task: it started or stopped on an
 * mprun worker (report_start(), report_stop()), wrote to its stderr
 * (report_stderr()), failed an attempt that runs again (report_retry()),
 * has its final result (report_done()) and has all its output queued for
 * the writer (report_queued()).  joblog.c, junit.c and json.c write the
 * formats; this module decides what goes into them, and when.
 *
 * A --joblog row says that its task's output was delivered: it is written
 * once the output writer has written every byte queued up to the task's
 * release (report_written()), in output order, as GNU parallel -k does.
 * So --resume after any kill, even kill -9, runs again exactly the tasks
 * whose output did not get out.
 *
 * A --halt condition met by a task is acted on only once the collector has
 * emitted what that task's turn allows (report_settled()), as stopping may
 * free tasks, that one too.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

static const struct options	*ro;
static struct joblog		*report_joblog;
static int			 report_joblog_failed;
/* A joblog row waiting for its task's output to be written. */
struct report_row {
	struct joblog_row	 row;
	uint64_t		 mark;	/* output_mark() at its release */
	TAILQ_ENTRY(report_row)	 entry;
};
static TAILQ_HEAD(, report_row)	 report_rows =
				     TAILQ_HEAD_INITIALIZER(report_rows);
static uint64_t			 report_nfailed;
static uint64_t			 report_nsucceeded;
static uint64_t			 report_ndone;		/* skips aside */
static uint64_t			 report_nrunning;
static int			 report_halting;
/* What a finished task asks for, done once its output is settled. */
static int			 report_pending;	/* 0, HALT_*, -2 */
static int			 report_pending_status;

static void	 report_row_free(struct report_row *);
static void	 report_rows_free(void);
static void	 report_halt(struct job *, int);

/*
 * Opens the reports a run asks for, before the loop: a path that cannot be
 * written stops the run before any task starts.
 */
void
report_init(const struct options *o)
{
	ro = o;
	if (o->junit != NULL)
		junit_open(o);
	if (o->joblog != NULL)
		report_joblog = joblog_open(o->joblog,
		    o->joblog_append || o->resume);
}

/* Writes the --junit report at the end of the run; -1 if it failed. */
int
report_close(void)
{
	return (junit_close());
}

/* Frees what the reports hold. */
void
report_free(void)
{
	report_rows_free();
	if (report_joblog != NULL)
		joblog_close(report_joblog);
	report_joblog = NULL;
}

/* Frees a row. */
static void
report_row_free(struct report_row *r)
{
	free((char *)(uintptr_t)r->row.cmd);
	free(r);
}

/* Drops the rows whose output was never written: they are not done. */
static void
report_rows_free(void)
{
	struct report_row	*r;

	while ((r = TAILQ_FIRST(&report_rows)) != NULL) {
		TAILQ_REMOVE(&report_rows, r, entry);
		report_row_free(r);
	}
}

/*
 * The output writer has written more: the rows of the tasks whose output
 * is all out go to the joblog.  A write error there stops the run.
 */
void
report_written(void)
{
	struct report_row	*r;
	uint64_t		 written = output_written();

	while ((r = TAILQ_FIRST(&report_rows)) != NULL &&
	    r->mark <= written) {
		TAILQ_REMOVE(&report_rows, r, entry);
		if (!report_joblog_failed &&
		    joblog_write(report_joblog, &r->row) == -1) {
			log_warn("--joblog %s", joblog_path(report_joblog));
			report_joblog_failed = 1;
			report_halting = 1;
			report_row_free(r);
			report_rows_free();
			mprun_shutdown(MPRUN_EXIT_ERROR);
			return;
		}
		report_row_free(r);
	}
}

/*
 * Whether a halt (or a joblog error) is under way: dispatch starts nothing
 * more, even before the stop itself is applied.
 */
int
report_halted(void)
{
	return (report_halting);
}

/* Fills in the figures of the progress line. */
void
report_stats(struct progress_stats *ps)
{
	ps->done = report_ndone;
	ps->failed = report_nfailed;
	ps->running = report_nrunning;
}

/* How many tasks failed. */
uint64_t
report_failed(void)
{
	return (report_nfailed);
}

/* A task has started on an mprun worker. */
void
report_start(void)
{
	report_nrunning++;
}

/* A task that started on an mprun worker has stopped, however it ended. */
void
report_stop(void)
{
	report_nrunning--;
}

/* A task wrote to its stderr: --junit keeps the tail. */
void
report_stderr(const struct job *j, const char *p, size_t n)
{
	if (ro->junit != NULL)
		junit_stderr(j->seq, p, n);
}

/* A failed attempt that --retries runs again leaves nothing behind. */
void
report_retry(const struct job *j)
{
	if (ro->junit != NULL)
		junit_retry(j->seq);
}

/*
 * Books a task's final result: the counts, the joblog row (written once
 * its output is, report_queued()), the --junit testcase, and the --halt
 * condition.
 */
void
report_done(struct job *j, int failed)
{
	struct report_row	*r;

	report_ndone++;
	if (failed)
		report_nfailed++;
	else
		report_nsucceeded++;

	if (report_joblog != NULL && !report_joblog_failed) {
		j->row = r = xcalloc(1, sizeof *r);
		r->row.seq = j->seq;
		r->row.start_us = j->done.start_us;
		r->row.runtime_us = j->done.runtime_us;
		r->row.exitval = j->timed_out ? -1 :
		    j->done.sig != 0 ? 0 : j->done.status;
		r->row.sig = j->done.sig;
		r->row.cmdlen = j->cmd != NULL ? j->cmdlen : 0;
		r->row.cmd = xmemdup(j->cmd != NULL ? j->cmd : "",
		    r->row.cmdlen);
		/* remote.c keeps host names until the run is over. */
		r->row.host = j->where != NULL ? j->where :
		    remote_slot_name(j->slot);
	}
	if (ro->junit != NULL)
		junit_record(j);
	report_halt(j, failed);
}

/* Checks the --halt condition after a task's final result. */
static void
report_halt(struct job *j, int failed)
{
	uint64_t	 n, need, total;
	const char	*verb;
	int		 status;

	if (ro->halt_when == HALT_NEVER || report_halting)
		return;
	switch (ro->halt_why) {
	case HALT_FAIL:
		if (!failed)
			return;
		n = report_nfailed;
		verb = "failed";
		break;
	case HALT_SUCCESS:
		if (failed)
			return;
		n = report_nsucceeded;
		verb = "succeeded";
		break;
	default:
		n = report_ndone;
		verb = "finished";
		break;
	}
	if (ro->halt_pct != 0) {
		if (dispatch_total(&total) != 0)
			total = report_ndone;
		need = (total * ro->halt_pct + 99) / 100;
		if (need == 0)
			need = 1;
	} else
		need = ro->halt_count;
	if (n < need)
		return;

	report_halting = 1;
	if (ro->halt_why == HALT_SUCCESS)
		status = 0;
	else if (j->done.sig != 0)
		status = 128 + j->done.sig;
	else if (j->done.status < 0 || j->done.status > 255)
		status = MPRUN_EXIT_ERROR;
	else
		status = j->done.status;
	log_warnx("halting: task %llu %s: %.*s", (unsigned long long)j->seq,
	    verb, j->cmd != NULL ? (int)j->cmdlen : 0,
	    j->cmd != NULL ? j->cmd : "");
	if (ro->halt_when == HALT_SOON && report_nrunning > 0)
		log_warnx("starting no more tasks, waiting for %llu running",
		    (unsigned long long)report_nrunning);
	if (report_pending == 0) {
		report_pending = ro->halt_when;
		report_pending_status = status;
	}
}

/*
 * The collector has emitted what a finished task's turn allows: a --halt
 * it met stops the run now, once.
 */
void
report_settled(void)
{
	int	 pending;

	if ((pending = report_pending) == 0 || pending == -2)
		return;
	report_pending = -2;	/* once */
	if (pending == HALT_SOON)
		mprun_drain(report_pending_status);
	else
		mprun_shutdown(report_pending_status);
}

/*
 * A task's output is all queued for the writer: its joblog row waits for
 * the writer to reach this point.  A task whose held output was lost
 * delivered none of it, so it gets no row.
 */
void
report_queued(struct job *j)
{
	if (j->row != NULL && j->lost)
		report_row_free(j->row);
	else if (j->row != NULL) {
		j->row->mark = output_mark();
		TAILQ_INSERT_TAIL(&report_rows, j->row, entry);
		report_written();
	}
	j->row = NULL;
}

/*
 * --json: writes a finished task as one JSON object on a line, with the
 * output it held (out, err).
 */
void
report_json(const struct job *j, const struct buf *out,
    const struct buf *err)
{
	struct json_task	 t;
	char			*line;
	size_t			 len;

	memset(&t, 0, sizeof t);
	t.seq = j->seq;
	t.args = j->args->whole;
	t.arglens = j->args->wlen;
	t.nargs = j->args->nwhole;
	t.cmd = j->cmd != NULL ? j->cmd : "";
	t.cmdlen = j->cmd != NULL ? j->cmdlen : 0;
	t.exit = j->timed_out || j->done.sig != 0 ? -1 : j->done.status;
	t.sig = j->done.sig;
	t.start_us = j->done.start_us;
	t.runtime_us = j->done.runtime_us;
	t.slot = j->slot;
	t.out = out->len != 0 ? BUF_PTR(out) : "";
	t.outlen = out->len;
	t.err = err->len != 0 ? BUF_PTR(err) : "";
	t.errlen = err->len;
	line = json_task_encode(&t, &len);
	line = xrealloc(line, len + 1);
	line[len] = '\n';
	output_write(STDOUT_FILENO, line, len + 1);
	free(line);
}
