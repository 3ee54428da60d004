/*
 * buf.c - a growable byte buffer.  Producers reserve space at the end and
 * commit what they filled; consumers eat from the front by moving an
 * offset, so a frame decoder can work in place without a memmove per frame.
 * buf_compact() moves the unread bytes back to the start when it pays.
 */

#include <stdlib.h>
#include <string.h>

#include "mprun.h"

/* Makes an empty buffer; it allocates on first use. */
void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->off = b->len = b->size = 0;
}

/* Releases the storage. */
void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Empties the buffer, keeping its storage. */
void
buf_reset(struct buf *b)
{
	b->off = b->len = 0;
}

/* Returns room for n more bytes at the end; buf_commit() says how many. */
void *
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, size;

	if (b->off + b->len + n <= b->size)
		return (b->data + b->off + b->len);
	/* Reclaim consumed space first when that alone makes room. */
	if (b->off != 0 && b->len + n <= b->size) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
		return (b->data + b->len);
	}
	need = b->len + n;
	if (need < b->len)
		fatalx("buffer size overflow");
	size = b->size == 0 ? 256 : b->size;
	while (size < need)
		size = size * 2 < size ? need : size * 2;
	if (b->off != 0) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	b->data = xrealloc(b->data, size);
	b->size = size;
	return (b->data + b->len);
}

/* Adds n bytes, written into the space buf_reserve() returned, to len. */
void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
}

/* Appends n bytes. */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(buf_reserve(b, n), p, n);
	b->len += n;
}

/* Appends one byte. */
void
buf_addc(struct buf *b, char c)
{
	*(char *)buf_reserve(b, 1) = c;
	b->len++;
}

/* Appends a string without its terminator. */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Drops n bytes from the front. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n > b->len)
		fatalx("buf_consume: %zu > %zu", n, b->len);
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}

/* Moves the unread bytes to the start of the storage. */
void
buf_compact(struct buf *b)
{
	if (b->off == 0)
		return;
	memmove(b->data, b->data + b->off, b->len);
	b->off = 0;
}

/*
 * Hands the contents to the caller as a NUL-terminated allocation and
 * leaves the buffer empty.
 */
char *
buf_take(struct buf *b, size_t *lenp)
{
	char	*p;

	buf_compact(b);
	buf_addc(b, '\0');
	b->len--;
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	buf_init(b);
	return (p);
}
