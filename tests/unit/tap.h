/*
 * tap.h - a tiny header-only TAP producer for the unit tests.  Every
 * ASSERT*() is one numbered test: it prints "ok N - name" or "not ok N -
 * name # file:line: what" on stdout at once (flushed, so output survives a
 * crash and is never duplicated by a fork), and tap_done() prints the plan
 * "1..N" last and returns the exit status.  The name is the asserted
 * expression, prefixed by the context set with tap_context() so that
 * table-driven tests say which row failed.
 */

#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	tap_count;
static int	tap_failed;
static char	tap_ctx[256];

/* Sets the context printed before each test name; NULL or "" clears it. */
static inline void __attribute__((format(printf, 1, 2)))
tap_context(const char *fmt, ...)
{
	va_list	 ap;

	tap_ctx[0] = '\0';
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(tap_ctx, sizeof tap_ctx, fmt, ap);
	va_end(ap);
}

/* Prints a diagnostic line ("# ..."), which TAP consumers ignore. */
static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list	 ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Prints s without letting newlines or other bytes break the TAP line. */
static inline void
tap_print_escaped(const char *s, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			fputc(c, stdout);
	}
}

/* Prints a string in double quotes, escaped, or NULL. */
static inline void
tap_print_quoted(const char *s)
{
	if (s == NULL) {
		fputs("NULL", stdout);
		return;
	}
	fputc('"', stdout);
	tap_print_escaped(s, strlen(s));
	fputc('"', stdout);
}

/* Prints the start of a result line: "ok N - name" or "not ok N - name". */
static inline void
tap_begin(int ok, const char *name)
{
	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_count);
	if (tap_ctx[0] != '\0') {
		tap_print_escaped(tap_ctx, strlen(tap_ctx));
		fputs(": ", stdout);
	}
	tap_print_escaped(name, strlen(name));
}

/* Records one boolean test. */
static inline int
tap_ok(int ok, const char *file, int line, const char *name)
{
	tap_begin(ok, name);
	if (!ok)
		printf(" # %s:%d: assertion failed", file, line);
	fputc('\n', stdout);
	fflush(stdout);
	return (ok);
}

/* Records one integer comparison. */
static inline int
tap_int_eq(long long a, long long b, const char *file, int line,
    const char *name)
{
	int	 ok = (a == b);

	tap_begin(ok, name);
	if (!ok)
		printf(" # %s:%d: got %lld, expected %lld", file, line, a, b);
	fputc('\n', stdout);
	fflush(stdout);
	return (ok);
}

/* Records one byte-string comparison. */
static inline int
tap_mem_eq(const void *a, size_t alen, const void *b, size_t blen,
    const char *file, int line, const char *name)
{
	int	 ok;

	/* A NULL pointer is an empty buffer; a NULL string is not "". */
	if (alen != blen)
		ok = 0;
	else if (alen == 0)
		ok = 1;
	else
		ok = (a != NULL && b != NULL && memcmp(a, b, alen) == 0);
	tap_begin(ok, name);
	if (!ok) {
		printf(" # %s:%d: got \"", file, line);
		if (a != NULL)
			tap_print_escaped(a, alen);
		fputs("\", expected \"", stdout);
		if (b != NULL)
			tap_print_escaped(b, blen);
		fputc('"', stdout);
	}
	fputc('\n', stdout);
	fflush(stdout);
	return (ok);
}

/* Records one string comparison; NULL equals only NULL. */
static inline int
tap_str_eq(const char *a, const char *b, const char *file, int line,
    const char *name)
{
	int	 ok;

	if (a != NULL && b != NULL)
		return (tap_mem_eq(a, strlen(a), b, strlen(b), file, line,
		    name));
	ok = (a == b);
	tap_begin(ok, name);
	if (!ok) {
		printf(" # %s:%d: got ", file, line);
		tap_print_quoted(a);
		fputs(", expected ", stdout);
		tap_print_quoted(b);
	}
	fputc('\n', stdout);
	fflush(stdout);
	return (ok);
}

/* Records a skipped test. */
static inline void
tap_skip(const char *name, const char *why)
{
	tap_begin(1, name);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

/* Prints the plan and returns the exit status: 0 if every test passed. */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed != 0)
		printf("# %d of %d tests failed\n", tap_failed, tap_count);
	fflush(stdout);
	return (tap_failed == 0 ? 0 : 1);
}

/* Each macro evaluates its arguments once and returns whether it passed. */
#define ASSERT(c)							\
	tap_ok(!!(c), __FILE__, __LINE__, #c)
#define ASSERT_INT_EQ(a, b)						\
	tap_int_eq((long long)(a), (long long)(b), __FILE__, __LINE__,	\
	    #a " == " #b)
#define ASSERT_STR_EQ(a, b)						\
	tap_str_eq((a), (b), __FILE__, __LINE__, #a " == " #b)
#define ASSERT_MEM_EQ(a, alen, b, blen)					\
	tap_mem_eq((a), (alen), (b), (blen), __FILE__, __LINE__,	\
	    #a " == " #b)
#define SKIP(name, why)							\
	tap_skip((name), (why))

#endif /* TAP_H */
