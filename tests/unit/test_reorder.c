/*
 * test_reorder.c - reorder.c: put/get/remove/peek/pop, growth while the
 * window has wrapped around the ring, a randomized run against a simple
 * model, and the fatal errors (checked in a forked child).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"
#include "tap.h"

#define NITEMS	5000

static int	items[NITEMS];

/* Returns a distinct non-NULL pointer for seq. */
static void *
item(uint64_t seq)
{
	return (&items[seq % NITEMS]);
}

/* Checks the basic operations. */
static void
test_basic(void)
{
	struct reorder	*r;

	r = reorder_new(1);
	ASSERT_INT_EQ(reorder_head(r), 1);
	ASSERT_INT_EQ(reorder_count(r), 0);
	ASSERT(reorder_peek(r) == NULL);
	ASSERT(reorder_pop(r) == NULL);
	ASSERT_INT_EQ(reorder_head(r), 1);

	reorder_put(r, 3, item(3));
	reorder_put(r, 2, item(2));
	ASSERT_INT_EQ(reorder_count(r), 2);
	ASSERT(reorder_get(r, 3) == item(3));
	ASSERT(reorder_get(r, 2) == item(2));
	ASSERT(reorder_get(r, 1) == NULL);
	ASSERT(reorder_get(r, 0) == NULL);
	ASSERT(reorder_get(r, 4) == NULL);
	ASSERT(reorder_get(r, 1000000) == NULL);
	ASSERT(reorder_peek(r) == NULL);
	ASSERT(reorder_pop(r) == NULL);

	reorder_put(r, 1, item(1));
	ASSERT(reorder_peek(r) == item(1));
	ASSERT(reorder_pop(r) == item(1));
	ASSERT_INT_EQ(reorder_head(r), 2);
	ASSERT(reorder_get(r, 1) == NULL);

	/* remove() does not move head. */
	ASSERT(reorder_remove(r, 2) == item(2));
	ASSERT(reorder_remove(r, 2) == NULL);
	ASSERT(reorder_remove(r, 1) == NULL);
	ASSERT(reorder_remove(r, 999999) == NULL);
	ASSERT_INT_EQ(reorder_head(r), 2);
	ASSERT_INT_EQ(reorder_count(r), 1);
	ASSERT(reorder_pop(r) == NULL);
	reorder_put(r, 2, item(2));
	ASSERT(reorder_pop(r) == item(2));
	ASSERT(reorder_pop(r) == item(3));
	ASSERT_INT_EQ(reorder_head(r), 4);
	ASSERT_INT_EQ(reorder_count(r), 0);
	reorder_free(r);
	reorder_free(NULL);
}

/* Grows the ring while head is not at slot 0 and checks nothing moved. */
static void
test_grow(void)
{
	struct reorder	*r;
	uint64_t	 s;
	int		 ok = 1;

	r = reorder_new(0);
	/* Move head to 50 so the window wraps in a 64-slot ring. */
	for (s = 0; s < 50; s++) {
		reorder_put(r, s, item(s));
		if (reorder_pop(r) != item(s))
			ok = 0;
	}
	ASSERT(ok);
	for (s = 50; s < 110; s++)
		reorder_put(r, s, item(s));
	/* Far beyond the window: several doublings at once. */
	reorder_put(r, 50 + 3000, item(3050));
	ASSERT_INT_EQ(reorder_count(r), 61);
	for (s = 50; s < 110; s++)
		if (reorder_get(r, s) != item(s))
			ok = 0;
	ASSERT(ok);
	ASSERT(reorder_get(r, 3050) == item(3050));
	for (s = 50; s < 110; s++)
		if (reorder_pop(r) != item(s))
			ok = 0;
	ASSERT(ok);
	ASSERT(reorder_pop(r) == NULL);
	ASSERT_INT_EQ(reorder_head(r), 110);
	ASSERT(reorder_remove(r, 3050) == item(3050));
	ASSERT_INT_EQ(reorder_count(r), 0);
	reorder_free(r);

	/* A large first seq. */
	r = reorder_new(UINT64_C(1) << 40);
	reorder_put(r, (UINT64_C(1) << 40) + 70, item(70));
	ASSERT(reorder_get(r, (UINT64_C(1) << 40) + 70) == item(70));
	ASSERT(reorder_get(r, 70) == NULL);
	reorder_free(r);
}

/* Completes tasks in random order within a sliding window, like the pool. */
static void
test_random(void)
{
	static char	 present[NITEMS];
	struct reorder	*r;
	uint64_t	 next = 0, emitted = 0, s;
	size_t		 count = 0;
	void		*p;
	int		 ok = 1, window;

	srandom(4242);
	r = reorder_new(0);
	memset(present, 0, sizeof present);
	while (emitted < NITEMS) {
		/* Complete a random not-yet-complete seq in the window. */
		window = 1 + (int)(random() % 200);
		s = emitted + (uint64_t)(random() % window);
		if (s < NITEMS && !present[s]) {
			reorder_put(r, s, item(s));
			present[s] = 1;
			count++;
			if (s >= next)
				next = s + 1;
		}
		/* Sometimes withdraw one (a retried task). */
		if (random() % 50 == 0) {
			s = emitted + (uint64_t)(random() % 100);
			p = reorder_remove(r, s);
			if (s < NITEMS && present[s]) {
				if (p != item(s))
					ok = 0;
				present[s] = 0;
				count--;
			} else if (p != NULL)
				ok = 0;
		}
		while ((p = reorder_pop(r)) != NULL) {
			if (p != item(emitted) || !present[emitted])
				ok = 0;
			present[emitted] = 0;
			emitted++;
			count--;
		}
		if (reorder_count(r) != count || reorder_head(r) != emitted)
			ok = 0;
	}
	ASSERT(ok);
	ASSERT_INT_EQ(reorder_count(r), 0);
	ASSERT_INT_EQ(reorder_head(r), NITEMS);
	reorder_free(r);
}

/* Runs fn in a child with stderr silenced; returns its exit status. */
static int
child_status(void (*fn)(void))
{
	pid_t	 pid;
	int	 status, fd;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, 2);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		return (-1);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 1000);
}

/* Stores two items under one seq. */
static void
put_twice(void)
{
	struct reorder	*r = reorder_new(0);

	reorder_put(r, 5, item(5));
	reorder_put(r, 5, item(5));
}

/* Stores an item before head. */
static void
put_before_head(void)
{
	struct reorder	*r = reorder_new(10);

	reorder_put(r, 9, item(9));
}

/* Stores NULL. */
static void
put_null(void)
{
	struct reorder	*r = reorder_new(0);

	reorder_put(r, 0, NULL);
}

/* Checks that misuse is fatal. */
static void
test_fatal(void)
{
	ASSERT_INT_EQ(child_status(put_twice), 255);
	ASSERT_INT_EQ(child_status(put_before_head), 255);
	ASSERT_INT_EQ(child_status(put_null), 255);
}

int
main(void)
{
	test_basic();
	test_grow();
	test_random();
	test_fatal();
	return (tap_done());
}
