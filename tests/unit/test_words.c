/*
 * test_words.c - words.c: the MPRUN_OPTS word splitter.  Each row is an
 * input and either the words it must give or the error; every row that
 * sh(1) would split the same way was checked against it (the rows marked
 * "not sh" are where no shell is involved: expansions are not done).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

#define WORDS_MAX	6

static const struct {
	const char	*s;
	const char	*err;		/* or NULL, and then: */
	int		 n;
	const char	*w[WORDS_MAX];
} rows[] = {
	/* Blanks. */
	{ "", NULL, 0, { NULL } },
	{ " \t\n ", NULL, 0, { NULL } },
	{ "-j2", NULL, 1, { "-j2" } },
	{ "  -j2  ", NULL, 1, { "-j2" } },
	{ "-j 2 --tag", NULL, 3, { "-j", "2", "--tag" } },
	{ "-j\t2\n--tag", NULL, 3, { "-j", "2", "--tag" } },
	{ "a\r b", NULL, 2, { "a\r", "b" } },	/* CR is not a blank */
	/* Single quotes: nothing is special inside. */
	{ "--tagstring 'x {}' -j2", NULL, 3, { "--tagstring", "x {}",
	    "-j2" } },
	{ "'a\\b'", NULL, 1, { "a\\b" } },
	{ "'a\"b'", NULL, 1, { "a\"b" } },
	{ "'a\nb'", NULL, 1, { "a\nb" } },
	{ "''", NULL, 1, { "" } },
	{ "'' ''", NULL, 2, { "", "" } },
	{ "a'b c'd", NULL, 1, { "ab cd" } },
	{ "'a'\"b\"c", NULL, 1, { "abc" } },
	{ "'$HOME'", NULL, 1, { "$HOME" } },
	/* Double quotes: \ escapes only $ ` " \ and newline. */
	{ "\"x {}\"", NULL, 1, { "x {}" } },
	{ "\"\"", NULL, 1, { "" } },
	{ "\"a'b\"", NULL, 1, { "a'b" } },
	{ "\"a\\\"b\"", NULL, 1, { "a\"b" } },
	{ "\"a\\\\b\"", NULL, 1, { "a\\b" } },
	{ "\"a\\$b\"", NULL, 1, { "a$b" } },
	{ "\"a\\`b\"", NULL, 1, { "a`b" } },
	{ "\"a\\nb\"", NULL, 1, { "a\\nb" } },
	{ "\"a\\tb\"", NULL, 1, { "a\\tb" } },
	{ "\"a\\\nb\"", NULL, 1, { "ab" } },
	{ "\"a\nb\"", NULL, 1, { "a\nb" } },
	{ "\"$HOME\"", NULL, 1, { "$HOME" } },		/* not sh */
	/* Backslash outside quotes. */
	{ "a\\ b", NULL, 1, { "a b" } },
	{ "\\'a", NULL, 1, { "'a" } },
	{ "\\\"a", NULL, 1, { "\"a" } },
	{ "\\\\", NULL, 1, { "\\" } },
	{ "\\n", NULL, 1, { "n" } },
	{ "a\\", NULL, 1, { "a\\" } },		/* as sh: literal */
	{ "\\", NULL, 1, { "\\" } },
	{ "a\\\nb", NULL, 1, { "ab" } },	/* line continuation */
	{ "a \\\n b", NULL, 2, { "a", "b" } },
	{ "\\\n", NULL, 0, { NULL } },
	{ "a\\\n", NULL, 1, { "a" } },
	/* No expansion, no comments. */
	{ "$X ~ * #c", NULL, 4, { "$X", "~", "*", "#c" } },	/* not sh */
	{ "-- ::: x", NULL, 3, { "--", ":::", "x" } },
	/* Errors. */
	{ "'", "unterminated quote", 0, { NULL } },
	{ "\"", "unterminated quote", 0, { NULL } },
	{ "--tagstring 'x", "unterminated quote", 0, { NULL } },
	{ "--tagstring \"x", "unterminated quote", 0, { NULL } },
	{ "\"a\\\"", "unterminated quote", 0, { NULL } },
	{ "'a\\'", NULL, 1, { "a\\" } },
	{ "a 'b\" c", "unterminated quote", 0, { NULL } },
	{ "a \"b' c", "unterminated quote", 0, { NULL } },
};

int
main(void)
{
	const char	*err;
	char		**v;
	size_t		 i;
	int		 n, k;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("row %zu", i);
		n = -1;
		err = "unset";
		v = words_split(rows[i].s, &n, &err);
		ASSERT_STR_EQ(err, rows[i].err);
		if (rows[i].err != NULL) {
			ASSERT(v == NULL);
			continue;
		}
		if (!ASSERT(v != NULL))
			continue;
		ASSERT_INT_EQ(n, rows[i].n);
		for (k = 0; k < n && k < rows[i].n; k++)
			ASSERT_STR_EQ(v[k], rows[i].w[k]);
		ASSERT(v[n] == NULL);
		free(v);
	}

	/* A long input: the single allocation holds every word. */
	{
		char	 s[4096];
		size_t	 j;

		tap_context("long");
		for (j = 0; j + 2 < sizeof s; j += 2) {
			s[j] = 'x';
			s[j + 1] = ' ';
		}
		s[j] = '\0';
		v = words_split(s, &n, &err);
		if (ASSERT(v != NULL)) {
			ASSERT_INT_EQ(n, (long long)(j / 2));
			ASSERT_STR_EQ(v[n - 1], "x");
			free(v);
		}
		memset(s, '\'', 2 * 1000);
		s[2000] = '\0';
		v = words_split(s, &n, &err);
		if (ASSERT(v != NULL)) {
			ASSERT_INT_EQ(n, 1);
			ASSERT_STR_EQ(v[0], "");
			free(v);
		}
	}
	return (tap_done());
}
