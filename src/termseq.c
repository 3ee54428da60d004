/*
 * termseq.c - the termination sequence (--termseq) as a step machine.
 *
 * Whatever ends a process group with the termseq (a worker ending its
 * task or what a task left behind, mprun ending a --worker or what one
 * left behind) feeds one struct termseq: termseq_start() when it begins,
 * then termseq_next() at once and each time the wait it was told ran
 * out, saying whether what it ends is still there.  The machine answers
 * with the signal to send and how long to wait, then, after the last
 * step, with one SIGKILL if anything is still there, and then that the
 * sequence is over.  The callers own the timers, the clocks and the
 * kill(2) calls; nothing here makes a system call, so it is unit-tested
 * without a loop.  Parsing --termseq stays with the other numbers in
 * strnum.c.
 */

#include <signal.h>
#include <string.h>

#include "mprun.h"

/* GNU parallel's default --termseq. */
static const struct termstep termseq_def[] = {
	{ SIGTERM, 200 }, { SIGTERM, 100 }, { SIGTERM, 50 }, { SIGKILL, 25 }
};
#define TERMSEQ_NDEF	((int)(sizeof termseq_def / sizeof termseq_def[0]))

/* Fills in the default termseq. */
void
termseq_default(struct termstep *steps, int *n)
{
	memcpy(steps, termseq_def, sizeof termseq_def);
	*n = TERMSEQ_NDEF;
}

/* Returns the sum of the waits of a termseq: its longest run. */
uint64_t
termseq_total_ms(const struct termstep *steps, int n)
{
	uint64_t	 ms = 0;
	int		 i;

	for (i = 0; i < n; i++)
		ms += steps[i].ms;
	return (ms);
}

/*
 * Begins a sequence of the n steps (the default when n is 0: a peer of
 * another version may send none).  The steps are copied, so the caller's
 * array may change or go away meanwhile.
 */
void
termseq_start(struct termseq *ts, const struct termstep *steps, int n)
{
	memset(ts, 0, sizeof *ts);
	if (n <= 0 || n > TERMSEQ_MAX)
		termseq_default(ts->steps, &ts->n);
	else {
		memcpy(ts->steps, steps, n * sizeof steps[0]);
		ts->n = n;
	}
	ts->started = 1;
}

/* Whether termseq_start() was called: a zeroed struct is not started. */
int
termseq_started(const struct termseq *ts)
{
	return (ts->started);
}

/* Whether the sequence is over: nothing more will be sent. */
int
termseq_over(const struct termseq *ts)
{
	return (ts->over);
}

/* What the sequence ends is gone (a kill found the group empty). */
void
termseq_end(struct termseq *ts)
{
	ts->over = 1;
}

/*
 * Decides the next move, at the start and whenever the last wait ran
 * out; alive says whether anything the sequence ends is still there.
 * TERMSEQ_SIGNAL: send step->sig, then SIGCONT (a stopped process acts on
 * no other signal until it is continued), and wait up to step->ms, less
 * if it goes.  TERMSEQ_KILL: the steps are spent and something is left,
 * so send SIGKILL; the sequence is over.  TERMSEQ_OVER: nothing to do,
 * now or later.  A step's own SIGKILL does not end the sequence: its wait
 * is kept, and the last word is still the final SIGKILL if something
 * outlived it (a process that is not in the group any more but holds a
 * pipe, or one that a kill did not reach).
 */
enum termseq_act
termseq_next(struct termseq *ts, int alive, struct termstep *step)
{
	if (!ts->started || ts->over)
		return (TERMSEQ_OVER);
	if (!alive) {
		ts->over = 1;
		return (TERMSEQ_OVER);
	}
	if (ts->next < ts->n) {
		*step = ts->steps[ts->next++];
		return (TERMSEQ_SIGNAL);
	}
	ts->over = 1;
	step->sig = SIGKILL;
	step->ms = 0;
	return (TERMSEQ_KILL);
}
