/*
 * test_termseq.c - termseq.c: the step machine fed by hand (every step in
 * order, the final SIGKILL, zero waits, a group that empties early or
 * that a kill finds empty), the machine driven against a model process
 * group, the default and the total of the waits.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

/*
 * Each row: a --termseq (NULL: none given, so the default), then one call
 * of termseq_next() per character of feed: '1' something is still there,
 * '0' it is gone, 'e' a kill found the group empty (termseq_end()) and
 * then '1'.  want is what the calls answered: "TERM 200" a signal and its
 * wait, "KILL!" the final SIGKILL, "over" nothing to do.
 */
static const struct {
	const char	*seq;
	const char	*feed;
	const char	*want;
} steps[] = {
	/* The default, every step in order, then SIGKILL, then nothing. */
	{ NULL, "111111",
	  "TERM 200, TERM 100, TERM 50, KILL 25, KILL!, over" },
	{ "TERM,200,TERM,100,TERM,50,KILL,25", "1111111",
	  "TERM 200, TERM 100, TERM 50, KILL 25, KILL!, over, over" },
	/* Gone after the last step's wait: no final SIGKILL. */
	{ NULL, "111101", "TERM 200, TERM 100, TERM 50, KILL 25, over, over" },
	/* The group empties early: over, and it stays over. */
	{ NULL, "110", "TERM 200, TERM 100, over" },
	{ NULL, "1101", "TERM 200, TERM 100, over, over" },
	{ NULL, "0", "over" },
	{ NULL, "01", "over, over" },
	/* A kill found the group empty. */
	{ NULL, "1e", "TERM 200, over" },
	{ NULL, "e", "over" },
	/* Zero waits, and a last signal without a delay. */
	{ "TERM,0,TERM,0,KILL", "1111", "TERM 0, TERM 0, KILL 0, KILL!" },
	{ "INT,0", "111", "INT 0, KILL!, over" },
	/* One step that is not SIGKILL is still followed by one. */
	{ "HUP,1000", "11", "HUP 1000, KILL!" },
	{ "KILL", "11", "KILL 0, KILL!" },
	{ "15,5,9,0", "111", "TERM 5, KILL 0, KILL!" },
	/* The longest sequence there is. */
	{ "TERM,1,TERM,2,TERM,3,TERM,4,TERM,5,TERM,6,TERM,7,TERM,8,"
	  "TERM,9,TERM,10,TERM,11,TERM,12,TERM,13,TERM,14,TERM,15,KILL,16",
	  "11111111111111111",
	  "TERM 1, TERM 2, TERM 3, TERM 4, TERM 5, TERM 6, TERM 7, TERM 8, "
	  "TERM 9, TERM 10, TERM 11, TERM 12, TERM 13, TERM 14, TERM 15, "
	  "KILL 16, KILL!" },
};

/*
 * Against a model group: its processes leave on the first signal named
 * dies (0: none does, as a process that ignores TERM and outlived
 * SIGKILL's reach by holding a pipe from outside the group), and the
 * caller feeds the machine as worker.c and pworker.c do.  sent is every
 * signal sent, waited the sum of the waits that ran out in full.
 */
static const struct {
	const char	*seq;
	int		 dies;
	const char	*sent;
	unsigned	 waited;
} model[] = {
	{ NULL, SIGTERM, "TERM", 0 },
	{ NULL, SIGKILL, "TERM TERM TERM KILL", 350 },
	{ NULL, 0, "TERM TERM TERM KILL KILL", 375 },
	{ "INT,100,TERM,100", SIGTERM, "INT TERM", 100 },
	{ "INT,100,TERM,100", SIGKILL, "INT TERM KILL", 200 },
	{ "TERM,0,TERM,0", SIGKILL, "TERM TERM KILL", 0 },
	{ "USR1,10,USR2,20,KILL,30", SIGUSR2, "USR1 USR2", 10 },
};

/* Appends s to the string in out. */
static void
cat(char *out, const char *s, size_t size)
{
	size_t	 len = strlen(out);

	snprintf(out + len, size - len, "%s", s);
}

/* Appends a signal's name (or number) to a transcript. */
static void
sigcat(char *out, size_t size, int sig)
{
	static const struct {
		int		 sig;
		const char	*name;
	} names[] = {
		{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGKILL, "KILL" },
		{ SIGTERM, "TERM" }, { SIGUSR1, "USR1" }, { SIGUSR2, "USR2" },
	};
	char	 num[16];
	size_t	 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].sig == sig) {
			cat(out, names[i].name, size);
			return;
		}
	}
	snprintf(num, sizeof num, "%d", sig);
	cat(out, num, size);
}

/* Parses a row's termseq into steps; NULL gives none at all. */
static int
parse(const char *seq, struct termstep *st, int *n)
{
	const char	*err;

	*n = 0;
	if (seq == NULL)
		return (0);
	return (strnum_termseq(seq, st, n, &err));
}

/* Feeds the machine by hand and checks each answer. */
static void
test_steps(void)
{
	struct termseq		 ts;
	struct termstep		 st[TERMSEQ_MAX], step;
	char			 got[512], num[32];
	const char		*p;
	enum termseq_act	 act;
	size_t			 i;
	int			 n, alive;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		tap_context("%s / %s", steps[i].seq != NULL ? steps[i].seq :
		    "(none)", steps[i].feed);
		if (!ASSERT(parse(steps[i].seq, st, &n) == 0))
			continue;
		memset(&ts, 0, sizeof ts);
		ASSERT(!termseq_started(&ts));
		termseq_start(&ts, st, n);
		ASSERT(termseq_started(&ts) && !termseq_over(&ts));
		got[0] = '\0';
		for (p = steps[i].feed; *p != '\0'; p++) {
			if (*p == 'e')
				termseq_end(&ts);
			alive = (*p != '0');
			step.sig = -1;
			step.ms = 12345;
			act = termseq_next(&ts, alive, &step);
			if (got[0] != '\0')
				cat(got, ", ", sizeof got);
			switch (act) {
			case TERMSEQ_SIGNAL:
				sigcat(got, sizeof got, step.sig);
				snprintf(num, sizeof num, " %u", step.ms);
				cat(got, num, sizeof got);
				break;
			case TERMSEQ_KILL:
				ASSERT_INT_EQ(step.sig, SIGKILL);
				cat(got, "KILL!", sizeof got);
				break;
			case TERMSEQ_OVER:
				cat(got, "over", sizeof got);
				break;
			}
			/* Over exactly when it said so or after SIGKILL. */
			ASSERT_INT_EQ(termseq_over(&ts), act != TERMSEQ_SIGNAL);
		}
		ASSERT_STR_EQ(got, steps[i].want);
	}
	tap_context(NULL);
}

/* Drives the machine against a model group, as the callers do. */
static void
test_model(void)
{
	struct termseq	 ts;
	struct termstep	 st[TERMSEQ_MAX], step;
	char		 sent[256];
	unsigned	 waited;
	size_t		 i;
	int		 n, gone, calls;

	for (i = 0; i < sizeof model / sizeof model[0]; i++) {
		tap_context("%s, leaves on %d", model[i].seq != NULL ?
		    model[i].seq : "(none)", model[i].dies);
		if (!ASSERT(parse(model[i].seq, st, &n) == 0))
			continue;
		termseq_start(&ts, st, n);
		sent[0] = '\0';
		waited = 0;
		gone = 0;
		for (calls = 0; calls < 2 * TERMSEQ_MAX; calls++) {
			switch (termseq_next(&ts, !gone, &step)) {
			case TERMSEQ_SIGNAL:
			case TERMSEQ_KILL:
				if (sent[0] != '\0')
					cat(sent, " ", sizeof sent);
				sigcat(sent, sizeof sent, step.sig);
				if (step.sig == model[i].dies)
					gone = 1;
				else if (!termseq_over(&ts))
					waited += step.ms;
				continue;
			case TERMSEQ_OVER:
				break;
			}
			break;
		}
		ASSERT(termseq_over(&ts));
		ASSERT_STR_EQ(sent, model[i].sent);
		ASSERT_INT_EQ(waited, model[i].waited);
	}
	tap_context(NULL);
}

/* A zeroed machine does nothing, and a restart begins afresh. */
static void
test_state(void)
{
	struct termseq	 ts;
	struct termstep	 step, st[1] = { { SIGINT, 7 } };

	memset(&ts, 0, sizeof ts);
	ASSERT(termseq_next(&ts, 1, &step) == TERMSEQ_OVER);
	ASSERT(!termseq_started(&ts));
	termseq_start(&ts, st, 1);
	ASSERT(termseq_next(&ts, 1, &step) == TERMSEQ_SIGNAL &&
	    step.sig == SIGINT && step.ms == 7);
	/* The caller's array may change: the machine has its own copy. */
	st[0].sig = SIGHUP;
	ASSERT(termseq_next(&ts, 1, &step) == TERMSEQ_KILL);
	termseq_start(&ts, st, 1);
	ASSERT(termseq_next(&ts, 1, &step) == TERMSEQ_SIGNAL &&
	    step.sig == SIGHUP && step.ms == 7);
}

/* The default is GNU parallel's, the same as parsing its spelling. */
static void
test_default(void)
{
	struct termstep	 def[TERMSEQ_MAX], parsed[TERMSEQ_MAX];
	const char	*err;
	int		 n = 0, m = 0, i;

	termseq_default(def, &n);
	ASSERT(strnum_termseq("TERM,200,TERM,100,TERM,50,KILL,25", parsed, &m,
	    &err) == 0);
	ASSERT(n == m && n == 4);
	for (i = 0; i < n && i < m; i++)
		ASSERT(def[i].sig == parsed[i].sig &&
		    def[i].ms == parsed[i].ms);
	/* The man page's worst case for a stop: 375 ms, plus one second. */
	ASSERT_INT_EQ(termseq_total_ms(def, n), 375);
	ASSERT_INT_EQ(termseq_total_ms(def, 0), 0);
}

int
main(void)
{
	test_steps();
	test_model();
	test_state();
	test_default();
	return (tap_done());
}
