/*
 * words.c - splits a string into words the way a POSIX shell would, minus
 * every expansion: what MPRUN_OPTS needs.  Blanks (space, tab, newline)
 * separate words; single quotes keep everything up to the next single
 * quote; double quotes keep everything up to the next double quote, a
 * backslash in them escaping only $ ` " \ and newline; outside quotes a
 * backslash makes the next character literal.  A backslash-newline is
 * removed altogether (a line continuation).  Nothing else is special: no
 * $, `, ~, globs or comments.  The words come back in one allocation.
 */

#include <stdlib.h>
#include <string.h>

#include "mprun.h"

static int	 words_blank(char);
static size_t	 words_skip(const char *, size_t);
static size_t	 words_one(const char *, size_t, char *, size_t *,
		     const char **);

/* Whether c separates words. */
static int
words_blank(char c)
{
	return (c == ' ' || c == '\t' || c == '\n');
}

/* Skips blanks and line continuations from s[i]; returns the new index. */
static size_t
words_skip(const char *s, size_t i)
{
	for (;;) {
		if (words_blank(s[i]))
			i++;
		else if (s[i] == '\\' && s[i + 1] == '\n')
			i += 2;
		else
			return (i);
	}
}

/*
 * Copies the word starting at s[i] to out + *outlen, without its quotes,
 * and returns the index just after it, or 0 with *errstr set.  The output
 * is never longer than the input it came from, as quoting only removes.
 */
static size_t
words_one(const char *s, size_t i, char *out, size_t *outlen,
    const char **errstr)
{
	size_t	 n = *outlen;

	while (s[i] != '\0' && !words_blank(s[i])) {
		switch (s[i]) {
		case '\\':
			if (s[i + 1] == '\n')
				i += 2;
			else if (s[i + 1] == '\0')
				out[n++] = s[i++];	/* as sh: literal */
			else {
				out[n++] = s[i + 1];
				i += 2;
			}
			break;
		case '\'':
			for (i++; s[i] != '\''; i++) {
				if (s[i] == '\0')
					goto unterminated;
				out[n++] = s[i];
			}
			i++;
			break;
		case '"':
			for (i++; s[i] != '"'; i++) {
				if (s[i] == '\0')
					goto unterminated;
				if (s[i] == '\\' && s[i + 1] != '\0' &&
				    strchr("$`\"\\\n", s[i + 1]) != NULL) {
					i++;
					if (s[i] == '\n')
						continue;
				}
				out[n++] = s[i];
			}
			i++;
			break;
		default:
			out[n++] = s[i++];
			break;
		}
	}
	out[n++] = '\0';
	*outlen = n;
	return (i);

unterminated:
	*errstr = "unterminated quote";
	return (0);
}

/*
 * Splits s into words: returns a NULL-terminated vector, strings included,
 * that one free() releases, with the count in *nwords; or NULL with
 * *errstr set ("unterminated quote").
 */
char **
words_split(const char *s, int *nwords, const char **errstr)
{
	char	**v, *text, *p;
	size_t	 len, i, textlen = 0;
	int	 n = 0, k;

	*errstr = NULL;
	len = strlen(s);
	/*
	 * Quoting only removes bytes, and every word but the last ends at a
	 * blank that is not copied: len + 1 bytes hold the words and NULs.
	 */
	text = xmalloc(len + 1);
	i = words_skip(s, 0);
	while (s[i] != '\0') {
		if ((i = words_one(s, i, text, &textlen, errstr)) == 0) {
			free(text);
			return (NULL);
		}
		n++;
		i = words_skip(s, i);
	}

	v = xmalloc(((size_t)n + 1) * sizeof *v + textlen);
	p = (char *)(v + n + 1);
	if (textlen != 0)
		memcpy(p, text, textlen);
	free(text);
	for (k = 0; k < n; k++) {
		v[k] = p;
		p += strlen(p) + 1;
	}
	v[n] = NULL;
	*nwords = n;
	return (v);
}
