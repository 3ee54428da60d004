/*
 * reorder.c - the reorder buffer that turns completion order back into
 * input order.  Results arrive keyed by their task's sequence number; the
 * buffer keeps them in a ring indexed by seq modulo its capacity, for the
 * moving window [head, head + capacity), and the output side pops them at
 * head, one after the other.  The ring's capacity is a power of two and
 * doubles when a seq falls beyond the window, so the window is as wide as
 * the dispatcher lets tasks run ahead of the oldest unfinished one.  The
 * buffer never owns its items: freeing them is the caller's business.
 */

#include <stdlib.h>

#include "mprun.h"

#define REORDER_MINCAP	64

struct reorder {
	void		**ring;
	size_t		  cap;		/* a power of two */
	uint64_t	  head;
	size_t		  count;
};

static void	reorder_grow(struct reorder *, uint64_t);

/* Makes an empty buffer whose window starts at seq first. */
struct reorder *
reorder_new(uint64_t first)
{
	struct reorder	*r;

	r = xcalloc(1, sizeof *r);
	r->cap = REORDER_MINCAP;
	r->ring = xcalloc(r->cap, sizeof *r->ring);
	r->head = first;
	return (r);
}

/* Frees the buffer but not the items still in it. */
void
reorder_free(struct reorder *r)
{
	if (r == NULL)
		return;
	free(r->ring);
	free(r);
}

/* Doubles the ring until the window reaches past seq. */
static void
reorder_grow(struct reorder *r, uint64_t seq)
{
	void		**ring;
	size_t		  cap, i;
	uint64_t	  s;

	cap = r->cap;
	while (seq - r->head >= cap) {
		if (cap > SIZE_MAX / 2 / sizeof *ring)
			fatalx("reorder: seq %llu too far beyond %llu",
			    (unsigned long long)seq,
			    (unsigned long long)r->head);
		cap *= 2;
	}
	ring = xcalloc(cap, sizeof *ring);
	for (i = 0; i < r->cap; i++) {
		s = r->head + i;
		ring[s & (cap - 1)] = r->ring[s & (r->cap - 1)];
	}
	free(r->ring);
	r->ring = ring;
	r->cap = cap;
}

/* Stores item under seq, which must be at or past head and free. */
void
reorder_put(struct reorder *r, uint64_t seq, void *item)
{
	void	**slot;

	if (seq < r->head)
		fatalx("reorder: seq %llu before head %llu",
		    (unsigned long long)seq, (unsigned long long)r->head);
	if (item == NULL)
		fatalx("reorder: NULL item for seq %llu",
		    (unsigned long long)seq);
	if (seq - r->head >= r->cap)
		reorder_grow(r, seq);
	slot = &r->ring[seq & (r->cap - 1)];
	if (*slot != NULL)
		fatalx("reorder: seq %llu stored twice",
		    (unsigned long long)seq);
	*slot = item;
	r->count++;
}

/* Returns the item stored under seq, or NULL. */
void *
reorder_get(const struct reorder *r, uint64_t seq)
{
	if (seq < r->head || seq - r->head >= r->cap)
		return (NULL);
	return (r->ring[seq & (r->cap - 1)]);
}

/* Removes and returns the item stored under seq (or NULL); head stays. */
void *
reorder_remove(struct reorder *r, uint64_t seq)
{
	void	**slot, *item;

	if (seq < r->head || seq - r->head >= r->cap)
		return (NULL);
	slot = &r->ring[seq & (r->cap - 1)];
	if ((item = *slot) != NULL) {
		*slot = NULL;
		r->count--;
	}
	return (item);
}

/* Returns the seq at the start of the window: the next one in order. */
uint64_t
reorder_head(const struct reorder *r)
{
	return (r->head);
}

/* Returns the item at head, or NULL when it has not arrived. */
void *
reorder_peek(const struct reorder *r)
{
	return (r->ring[r->head & (r->cap - 1)]);
}

/* Removes the item at head and moves head on; NULL and no move if empty. */
void *
reorder_pop(struct reorder *r)
{
	void	**slot, *item;

	slot = &r->ring[r->head & (r->cap - 1)];
	if ((item = *slot) == NULL)
		return (NULL);
	*slot = NULL;
	r->count--;
	r->head++;
	return (item);
}

/* Returns how many items are stored. */
size_t
reorder_count(const struct reorder *r)
{
	return (r->count);
}
