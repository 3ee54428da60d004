/*
 * fuzz_template.c - libFuzzer target for the command template in
 * template.c.  The input is a small header and then NUL-separated strings:
 *
 *	byte 0	flags: 0x01 -q; 0x06 the -I string (0 none, 1 "{}", 2 "",
 *		3 the first string); 0x08 {1}..{n} name other values than
 *		{} (as with --colsep); 0x10 append to buffers that already
 *		hold data; 0x20 no command line wanted
 *	byte 1	low 3 bits: command words; high 5 bits: values of {} when
 *		0x08 is set
 *	byte 2	the sequence number ({#}), byte 3 the slot ({%})
 *	rest	[-I string] words... values...
 *
 * Each input is parsed with template_new() and expanded with
 * template_expand() and template_expand_raw(), as dispatch.c does; nothing
 * is executed.  Besides memory errors (ASan) and leaks, the checks are the
 * ones the module promises: an expansion appends exactly argc strings and
 * leaves what the buffer held; a shell expansion is one string, the
 * command line itself; template_quote() output means its input to
 * /bin/sh.  And when the literal text of the template holds no shell
 * syntax (or -q quotes it), the command line is words of safe bytes and
 * single quotes only, whatever the values: no value can inject syntax.  An
 * execvp expansion then gives exactly the words /bin/sh would make of the
 * command line, which is what lets mprun skip the shell.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "fuzz.h"

#define FUZZ_MAXSTRINGS	64

static const char *fuzz_ptr(const struct buf *);
static int	 fuzz_safe(unsigned char);
static int	 fuzz_sh_words(const char *, size_t, struct buf *, int *);
static int	 fuzz_brace(const char *, size_t);
static int	 fuzz_safe_template(char **, int, const char *, int);
static void	 fuzz_quote(const char *);

/* Returns the data of b; an empty buffer may have none (NULL + 0 is UB). */
static const char *
fuzz_ptr(const struct buf *b)
{
	return (b->data == NULL ? "" : BUF_PTR(b));
}

/* Bytes template.c leaves unquoted, as /bin/sh reads them literally. */
static int
fuzz_safe(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("_./,:@+%^=-", c) != NULL);
}

/*
 * Splits a command line into words the way /bin/sh would, for the small
 * language a safe template may produce: blanks, safe bytes, '...' and
 * \x.  Appends each word with a NUL to out and counts them; returns -1 on
 * anything else (a byte the shell would interpret, an unclosed quote).
 */
static int
fuzz_sh_words(const char *s, size_t len, struct buf *out, int *nwords)
{
	const char	*q;
	size_t		 i = 0;
	int		 inword = 0;

	*nwords = 0;
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t') {
			if (inword) {
				buf_addc(out, '\0');
				(*nwords)++;
				inword = 0;
			}
			i++;
		} else if (s[i] == '\'') {
			q = memchr(s + i + 1, '\'', len - i - 1);
			if (q == NULL)
				return (-1);
			buf_add(out, s + i + 1, q - (s + i + 1));
			inword = 1;
			i = q - s + 1;
		} else if (s[i] == '\\') {
			if (i + 1 == len)
				return (-1);
			buf_addc(out, s[i + 1]);
			inword = 1;
			i += 2;
		} else if (fuzz_safe(s[i])) {
			buf_addc(out, s[i]);
			inword = 1;
			i++;
		} else
			return (-1);
	}
	if (inword) {
		buf_addc(out, '\0');
		(*nwords)++;
	}
	return (0);
}

/*
 * Says whether c[0, len), the inside of a brace pair, is surely a
 * replacement string: a subset of what template.c takes ({#} {%} {.} {/}
 * {//} {/.} and {n} with its forms for one digit n, maybe negative).
 */
static int
fuzz_brace(const char *c, size_t len)
{
	size_t	 i = 0;

	if (len == 1 && (c[0] == '#' || c[0] == '%'))
		return (1);
	if (i < len && c[i] == '-') {
		i++;
		if (i == len || c[i] < '1' || c[i] > '9')
			return (0);
	}
	if (i < len && c[i] >= '1' && c[i] <= '9')
		i++;
	else if (len == 0)
		return (0);	/* {} is only ever the -I string */
	len -= i;
	c += i;
	return (len == 0 || (len == 1 && (c[0] == '.' || c[0] == '/')) ||
	    (len == 2 && c[0] == '/' && (c[1] == '/' || c[1] == '.')));
}

/*
 * Says whether the literal text of the words surely holds no shell
 * syntax: only safe bytes and blanks around the replacement strings (or
 * -q).  It scans as template.c does, the -I string first, and gives up
 * (says no) at any brace pair fuzz_brace() does not know.
 */
static int
fuzz_safe_template(char **words, int nwords, const char *replace,
    int quote)
{
	const char	*s, *close;
	size_t		 rlen;
	int		 w;

	if (quote)
		return (1);
	if (replace == NULL || *replace == '\0')
		replace = "{}";
	rlen = strlen(replace);
	for (w = 0; w < nwords; w++) {
		for (s = words[w]; *s != '\0';) {
			if (strncmp(s, replace, rlen) == 0)
				s += rlen;
			else if (*s == '{' && (close = strchr(s + 1, '}')) !=
			    NULL && fuzz_brace(s + 1, close - (s + 1)))
				s = close + 1;
			else if (*s == ' ' || *s == '\t' || fuzz_safe(*s))
				s++;
			else
				return (0);
		}
	}
	return (1);
}

/* Checks that template_quote(s) is s to /bin/sh, as one word. */
static void
fuzz_quote(const char *s)
{
	struct buf	 q, w;
	size_t		 len = strlen(s);
	int		 n;

	buf_init(&q);
	buf_init(&w);
	template_quote(&q, s, len);
	CHECK(q.len >= len);
	CHECK(fuzz_sh_words(fuzz_ptr(&q), q.len, &w, &n) == 0);
	CHECK(n == 1);
	CHECK(w.len == len + 1 && memcmp(fuzz_ptr(&w), s, len + 1) == 0);
	buf_free(&w);
	buf_free(&q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template	*t;
	struct args	 a;
	struct buf	 argv, cmd, raw, words;
	char		*copy, *s, *end, *strings[FUZZ_MAXSTRINGS + 2];
	size_t		 lens[FUZZ_MAXSTRINGS + 2];
	const char	*replace;
	size_t		 start, cstart, i, len;
	uint64_t	 seq;
	unsigned	 slot;
	int		 flags, nwords, nwhole, nstrings, first, argc, mode;
	int		 quote, safe, n, k;

	if (size < 4)
		return (0);
	flags = data[0];
	nwords = data[1] & 7;
	nwhole = data[1] >> 3;
	seq = data[2];
	slot = data[3];
	quote = flags & 1;

	/* NUL-separated strings; the last one ends at the input's end. */
	len = size - 4;
	copy = malloc(len + 1);
	CHECK(copy != NULL);
	memcpy(copy, data + 4, len);
	copy[len] = '\0';
	nstrings = 0;
	for (s = copy, end = copy + len; nstrings < FUZZ_MAXSTRINGS;) {
		strings[nstrings++] = s;
		s += strlen(s) + 1;
		if (s > end)
			break;
	}

	first = 0;
	switch ((flags >> 1) & 3) {
	case 0:
		replace = NULL;
		break;
	case 1:
		replace = "{}";
		break;
	case 2:
		replace = "";
		break;
	default:
		replace = strings[first++];
		break;
	}
	if (nwords > nstrings - first)
		nwords = nstrings - first;
	/*
	 * input.c gives every task one value at least, and with --colsep
	 * one column at least per value.
	 */
	while (nstrings - first - nwords < ((flags & 0x08) ? 2 : 1))
		strings[nstrings++] = copy + len;
	for (i = 0; i < (size_t)nstrings; i++)
		lens[i] = strlen(strings[i]);
	a.whole = strings + first + nwords;
	a.wlen = lens + first + nwords;
	a.nwhole = nstrings - first - nwords;
	if (flags & 0x08) {
		/* Columns: {1}..{n} see other values than {}. */
		if (nwhole < 1)
			nwhole = 1;
		if (nwhole > a.nwhole - 1)
			nwhole = a.nwhole - 1;
		a.v = a.whole + nwhole;
		a.vlen = a.wlen + nwhole;
		a.n = a.nwhole - nwhole;
		a.nwhole = nwhole;
	} else {
		a.v = a.whole;
		a.vlen = a.wlen;
		a.n = a.nwhole;
	}

	t = template_new(strings + first, nwords, replace, quote);
	(void)template_has_replacement(t);

	buf_init(&argv);
	buf_init(&cmd);
	buf_init(&raw);
	buf_init(&words);
	if (flags & 0x10) {
		/* Data already there, some consumed: off is not 0. */
		buf_adds(&argv, "prefix");
		buf_consume(&argv, 2);
		buf_adds(&cmd, "cmd:");
	}
	start = argv.len;
	cstart = cmd.len;
	argc = -1;
	mode = template_expand(t, &a, seq, slot, &argv, &argc,
	    (flags & 0x20) ? NULL : &cmd);
	CHECK(mode == TEMPLATE_EXEC || mode == TEMPLATE_SHELL);
	CHECK(argc >= 1);
	CHECK(mode == TEMPLATE_EXEC || argc == 1);
	if (flags & 0x10) {
		CHECK(start == 4 && memcmp(BUF_PTR(&argv), "efix", 4) == 0);
		CHECK(cstart == 4 && memcmp(BUF_PTR(&cmd), "cmd:", 4) == 0);
	}

	/* Exactly argc NUL-terminated strings were appended. */
	CHECK(argv.len > start && BUF_PTR(&argv)[argv.len - 1] == '\0');
	n = 0;
	for (i = start; i < argv.len; i++) {
		if (BUF_PTR(&argv)[i] == '\0')
			n++;
	}
	CHECK(n == argc);

	if (flags & 0x20)
		CHECK(cmd.len == cstart);
	else if (mode == TEMPLATE_SHELL) {
		/* The one string is the command line. */
		CHECK(cmd.len - cstart == argv.len - start - 1);
		CHECK(memcmp(fuzz_ptr(&cmd) + cstart, BUF_PTR(&argv) + start,
		    cmd.len - cstart) == 0);
	}
	if (mode == TEMPLATE_EXEC) {
		/* execvp gets a real command word, never an assignment. */
		CHECK(BUF_PTR(&argv)[start] != '\0');
		CHECK(strchr(BUF_PTR(&argv) + start, '=') == NULL);
	}

	/*
	 * From a template without syntax, the shell sees only quoted values
	 * and, for execvp, exactly the argv words.
	 */
	safe = mode == TEMPLATE_EXEC || (nwords > 0 &&
	    fuzz_safe_template(strings + first, nwords, replace, quote));
	if (safe && !(flags & 0x20)) {
		CHECK(fuzz_sh_words(fuzz_ptr(&cmd) + cstart, cmd.len - cstart,
		    &words, &n) == 0);
		if (mode == TEMPLATE_EXEC) {
			CHECK(n == argc);
			CHECK(words.len == argv.len - start);
			CHECK(memcmp(fuzz_ptr(&words), BUF_PTR(&argv) + start,
			    words.len) == 0);
		}
	}

	/* --tagstring: nothing quoted, no NULs. */
	template_expand_raw(t, &a, seq, slot, &raw);
	CHECK(memchr(fuzz_ptr(&raw), '\0', raw.len) == NULL);

	for (k = 0; k < a.nwhole; k++)
		fuzz_quote(a.whole[k]);
	for (k = 0; k < a.n; k++)
		fuzz_quote(a.v[k]);

	buf_free(&words);
	buf_free(&raw);
	buf_free(&cmd);
	buf_free(&argv);
	template_free(t);
	free(copy);
	return (0);
}
