/*
 * chunk.c - how many tasks go to a worker in one dispatch.
 *
 * Sending tasks one at a time costs a round trip through the parent per
 * task; sending many at once leaves some workers idle at the end while
 * others still hold a queue.  The default therefore sizes a chunk by time:
 * about CHUNK_TARGET_US of work, judged by the average runtime of the tasks
 * finished so far, and never more than a 1/(2 x jobs) share of what is
 * queued, so the tail of a run is spread over every worker.
 */

#include "mprun.h"

#define CHUNK_MAX		64
#define CHUNK_TARGET_US		5000.0

/*
 * Returns the size of the next chunk for a worker, given the tasks queued,
 * the pool size, the average task runtime in microseconds (0 if none has
 * finished yet) and the worker's remaining quota (0 for no quota).
 */
unsigned
chunk_size(unsigned queued, unsigned jobs, double avg_us, unsigned quota)
{
	unsigned	 n, by_time;

	if (queued == 0)
		return (0);
	n = queued / (2 * (jobs ? jobs : 1));
	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	if (avg_us <= 0)
		n = 1;		/* nothing known yet: be fair first */
	else {
		by_time = CHUNK_TARGET_US / avg_us >= CHUNK_MAX ? CHUNK_MAX :
		    (unsigned)(CHUNK_TARGET_US / avg_us);
		if (n > by_time)
			n = by_time;
	}
	if (n < 1)
		n = 1;
	if (quota != 0 && n > quota)
		n = quota;
	if (n > queued)
		n = queued;
	return (n);
}
