/*
 * test_chunk.c - the chunk size rule: fair (1) until a task time is known,
 * then about 5 ms of work, capped by 64, by a 1/(2 x jobs) share of the
 * queue, by the worker's quota and by what is queued.
 */

#include "mprun.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		unsigned	 queued, jobs;
		double		 avg_us;
		unsigned	 quota, want;
	} t[] = {
		{ 0, 2, 0, 0, 0 },		/* nothing queued */
		{ 1000, 2, 0, 0, 1 },		/* no runtime known yet */
		{ 1000, 2, 1000, 0, 5 },	/* 5 ms of 1 ms tasks */
		{ 1000, 2, 10, 0, 64 },		/* capped at 64 */
		{ 1000, 2, 1e6, 0, 1 },		/* slow tasks: one at a time */
		{ 40, 2, 10, 0, 10 },		/* a quarter share of 40 */
		{ 3, 2, 10, 0, 1 },		/* share rounds down, at least 1 */
		{ 1000, 2, 10, 7, 7 },		/* --maxtasksperchild quota */
		{ 1000, 0, 10, 0, 64 },		/* jobs 0 treated as 1 */
		{ 2, 1, 10, 0, 1 },		/* never more than a half share */
	};
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tap_context("chunk_size(%u, %u, %g, %u)", t[i].queued,
		    t[i].jobs, t[i].avg_us, t[i].quota);
		ASSERT_INT_EQ(chunk_size(t[i].queued, t[i].jobs, t[i].avg_us,
		    t[i].quota), t[i].want);
	}
	return (tap_done());
}
