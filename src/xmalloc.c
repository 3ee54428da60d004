/*
 * xmalloc.c - allocation wrappers.  Running out of memory is not something
 * mprun can recover from in a useful way, so each wrapper exits with a
 * message and callers never test for NULL.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"

/* Reports exhaustion; the message avoids allocating. */
static void __attribute__((noreturn))
xmalloc_fail(size_t n)
{
	errno = ENOMEM;
	fatal("allocating %zu bytes", n);
}

/* Allocates n bytes. */
void *
xmalloc(size_t n)
{
	void	*p;

	if (n == 0)
		n = 1;
	if ((p = malloc(n)) == NULL)
		xmalloc_fail(n);
	return (p);
}

/* Allocates a zeroed array of nmemb elements of size bytes. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_fail(nmemb * size);
	return (p);
}

/* Resizes p to n bytes. */
void *
xrealloc(void *p, size_t n)
{
	void	*q;

	if (n == 0)
		n = 1;
	if ((q = realloc(p, n)) == NULL)
		xmalloc_fail(n);
	return (q);
}

/* Resizes p to nmemb elements, failing on overflow. */
void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > ((size_t)-1) / size)
		xmalloc_fail((size_t)-1);
	return (xrealloc(p, nmemb * size));
}

/* Copies a string. */
char *
xstrdup(const char *s)
{
	return (xstrndup(s, strlen(s)));
}

/* Copies n bytes, NULs and all, and terminates the copy. */
char *
xmemdup(const void *s, size_t n)
{
	char	*p;

	if (n == SIZE_MAX)
		fatalx("xmemdup: too large");
	p = xmalloc(n + 1);
	if (n != 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

/* Copies at most n bytes of a string, always terminated. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

/* Formats into a new string. */
int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_fail(strlen(fmt));
	return (n);
}
