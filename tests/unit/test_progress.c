/*
 * test_progress.c - progress_format(): the --progress, --eta and --bar
 * texts, the rate and ETA arithmetic and formats, and the bar's width.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

static void	 test_counts(void);
static void	 test_eta(void);
static void	 test_bar(void);
static void	 test_bar_width(void);
static void	 check(enum progress_kind, uint64_t, uint64_t, uint64_t,
		     uint64_t, uint64_t, double, unsigned, const char *);

/* Formats one line and compares it with want. */
static void
check(enum progress_kind kind, uint64_t done, uint64_t failed,
    uint64_t running, uint64_t queued, uint64_t total, double elapsed,
    unsigned width, const char *want)
{
	struct progress_stats	 st;
	struct buf		 b;

	st.done = done;
	st.failed = failed;
	st.running = running;
	st.queued = queued;
	st.total = total;
	st.elapsed = elapsed;
	buf_init(&b);
	progress_format(&b, kind, &st, width);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, want, strlen(want));
	buf_free(&b);
}

/* --progress: the counters and a rate with one decimal. */
static void
test_counts(void)
{
	tap_context("progress");
	check(PROGRESS_PROGRESS, 0, 0, 0, 0, 0, 0, 80,
	    "mprun: 0 done, 0 failed, 0 running, 0 queued, 0.0/s");
	check(PROGRESS_PROGRESS, 10, 2, 4, 100, 0, 2.0, 80,
	    "mprun: 10 done, 2 failed, 4 running, 100 queued, 5.0/s");
	check(PROGRESS_PROGRESS, 123, 0, 8, 7, 1000, 10.0, 80,
	    "mprun: 123 done, 0 failed, 8 running, 7 queued, 12.3/s");
	check(PROGRESS_PROGRESS, 1, 1, 0, 0, 0, 3.0, 80,
	    "mprun: 1 done, 1 failed, 0 running, 0 queued, 0.3/s");
	check(PROGRESS_PROGRESS, 5, 0, 0, 0, 0, 0, 80,
	    "mprun: 5 done, 0 failed, 0 running, 0 queued, 0.0/s");
	check(PROGRESS_PROGRESS, 18446744073709551615ULL, 0, 0, 0, 0, 1e30,
	    80, "mprun: 18446744073709551615 done, 0 failed, 0 running, "
	    "0 queued, 0.0/s");
	/* The width does not cut --progress. */
	check(PROGRESS_PROGRESS, 1, 0, 0, 0, 0, 1, 10,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 1.0/s");

	tap_context("none");
	check(PROGRESS_NONE, 1, 0, 0, 0, 10, 1, 80, "");

	tap_context("bar without a total");
	check(PROGRESS_BAR, 3, 1, 2, 0, 0, 1.5, 80,
	    "mprun: 3 done, 1 failed, 2 running, 0 queued, 2.0/s");
	tap_context(NULL);
}

/* --eta: added only with a total and something done; its formats. */
static void
test_eta(void)
{
	tap_context("eta");
	check(PROGRESS_ETA, 0, 0, 4, 96, 100, 5, 80,
	    "mprun: 0 done, 0 failed, 4 running, 96 queued, 0.0/s");
	check(PROGRESS_ETA, 10, 0, 4, 86, 0, 5, 80,
	    "mprun: 10 done, 0 failed, 4 running, 86 queued, 2.0/s");
	/* 90 left at 2/s. */
	check(PROGRESS_ETA, 10, 0, 4, 86, 100, 5, 80,
	    "mprun: 10 done, 0 failed, 4 running, 86 queued, 2.0/s, ETA 45s");
	/* 83 s. */
	check(PROGRESS_ETA, 1, 0, 0, 0, 84, 1, 80,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 1.0/s, "
	    "ETA 1m23s");
	/* 60 s and 59.5 s round to a minute; 59.4 s does not. */
	check(PROGRESS_ETA, 1, 0, 0, 0, 61, 1, 80,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 1.0/s, "
	    "ETA 1m00s");
	check(PROGRESS_ETA, 2, 0, 0, 0, 121, 1, 80,
	    "mprun: 2 done, 0 failed, 0 running, 0 queued, 2.0/s, "
	    "ETA 1m00s");
	check(PROGRESS_ETA, 10, 0, 0, 0, 604, 1, 80,
	    "mprun: 10 done, 0 failed, 0 running, 0 queued, 10.0/s, "
	    "ETA 59s");
	/* 2 h 5 min 30 s. */
	check(PROGRESS_ETA, 1, 0, 0, 0, 7531, 1, 80,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 1.0/s, "
	    "ETA 2h05m");
	check(PROGRESS_ETA, 1, 0, 0, 0, 360001, 1, 80,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 1.0/s, "
	    "ETA 100h00m");
	/* All done, or more done than the total: nothing left. */
	check(PROGRESS_ETA, 100, 3, 0, 0, 100, 8, 80,
	    "mprun: 100 done, 3 failed, 0 running, 0 queued, 12.5/s, "
	    "ETA 0s");
	check(PROGRESS_ETA, 101, 0, 0, 0, 100, 1, 80,
	    "mprun: 101 done, 0 failed, 0 running, 0 queued, 101.0/s, "
	    "ETA 0s");
	/* No time elapsed yet. */
	check(PROGRESS_ETA, 1, 0, 0, 0, 100, 0, 80,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 0.0/s, ETA 0s");
	/* An absurd estimate is capped, not overflowed. */
	check(PROGRESS_ETA, 1, 0, 0, 0, 18446744073709551615ULL, 1e10, 80,
	    "mprun: 1 done, 0 failed, 0 running, 0 queued, 0.0/s, "
	    "ETA 277777777h46m");
	tap_context(NULL);
}

/* --bar with a total: the bar, percent, counts, ETA. */
static void
test_bar(void)
{
	tap_context("bar");
	/* rest "0% 0/10, 0 failed" is 17: 80 - 17 - 3 = 60 cells. */
	check(PROGRESS_BAR, 0, 0, 4, 6, 10, 1, 80,
	    "[............................................................] "
	    "0% 0/10, 0 failed");
	/* rest "45% 45/100, 2 failed, ETA 11s" is 29: 48 cells, 21 full. */
	check(PROGRESS_BAR, 45, 2, 4, 51, 100, 9, 80,
	    "[#####################...........................] "
	    "45% 45/100, 2 failed, ETA 11s");
	/* All done: rest is 28, 60 - 28 - 3 = 29 cells. */
	check(PROGRESS_BAR, 10, 0, 0, 0, 10, 10, 60,
	    "[#############################] 100% 10/10, 0 failed, ETA 0s");
	/* Almost done: never a full bar or 100% before the end. */
	check(PROGRESS_BAR, 999, 0, 1, 0, 1000, 999, 40,
	    "[#########.] 99% 999/1000, 0 failed, ETA 1s");
	check(PROGRESS_BAR, 999, 0, 1, 0, 1000, 999, 63,
	    "[#############################.] 99% 999/1000, 0 failed, "
	    "ETA 1s");
	/* Narrow: at least ten cells, even if the line is too long. */
	check(PROGRESS_BAR, 5, 1, 0, 0, 10, 5, 20,
	    "[#####.....] 50% 5/10, 1 failed, ETA 5s");
	check(PROGRESS_BAR, 5, 1, 0, 0, 10, 5, 0,
	    "[#####.....] 50% 5/10, 1 failed, ETA 5s");
	/* Exactly ten cells fit (rest is 26), then eleven. */
	check(PROGRESS_BAR, 5, 1, 0, 0, 10, 5, 39,
	    "[#####.....] 50% 5/10, 1 failed, ETA 5s");
	check(PROGRESS_BAR, 5, 1, 0, 0, 10, 5, 40,
	    "[#####......] 50% 5/10, 1 failed, ETA 5s");
	/* More done than the total (a total that was low): clamped. */
	check(PROGRESS_BAR, 12, 0, 0, 0, 10, 1, 40,
	    "[##########] 100% 12/10, 0 failed, ETA 0s");
	/* Huge counts (the percentage goes through a double). */
	check(PROGRESS_BAR, 9223372036854775807ULL, 0, 0, 0,
	    18446744073709551615ULL, 0, 0,
	    "[#####.....] 50% 9223372036854775807/18446744073709551615, "
	    "0 failed, ETA 0s");
	tap_context(NULL);
}

/* Whatever the width, a line with a total is exactly width long. */
static void
test_bar_width(void)
{
	struct progress_stats	 st;
	struct buf		 b;
	unsigned		 width;
	size_t			 i, hashes;
	int			 bad = 0;

	tap_context("bar width");
	buf_init(&b);
	for (width = 50; width <= 400; width++) {
		memset(&st, 0, sizeof st);
		st.done = width;
		st.failed = 1;
		st.total = 400;
		st.elapsed = 3.7;
		buf_reset(&b);
		progress_format(&b, PROGRESS_BAR, &st, width);
		if (b.len != width)
			bad++;
		hashes = 0;
		for (i = 0; i < b.len && BUF_PTR(&b)[i] != ']'; i++)
			hashes += BUF_PTR(&b)[i] == '#';
		/* Filled cells are done/total of the cells, rounded down. */
		if (hashes != (size_t)width * (i - 1) / 400)
			bad++;
		if (memchr(BUF_PTR(&b), '\r', b.len) != NULL ||
		    memchr(BUF_PTR(&b), '\033', b.len) != NULL)
			bad++;
	}
	ASSERT_INT_EQ(bad, 0);
	buf_free(&b);
	tap_context(NULL);
}

int
main(void)
{
	test_counts();
	test_eta();
	test_bar();
	test_bar_width();
	return (tap_done());
}
