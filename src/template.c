/*
 * template.c - the command template.  template_new() parses the command
 * words once into parts: literal text and replacement strings ({} {.} {/}
 * {//} {/.} {#} {%} and the {n} column forms).  template_expand() then
 * renders one task's command from its struct args, with no allocation
 * beyond growing the caller's buffers, in one of two shapes:
 *
 *  - a shell command line, as GNU parallel builds it: the words joined by
 *    single spaces, literal text as written (so the shell splits it and
 *    interprets its syntax), every inserted value quoted for /bin/sh so
 *    that input can never inject syntax;
 *  - an argv for execvp, when that gives exactly what the shell would: the
 *    literal text holds no shell syntax, only word separators, and the
 *    first word is neither a builtin nor a reserved word nor an assignment.
 *    Values are then inserted raw and never split.
 *
 * With -q the literal text of each word is quoted as well, so each word
 * stays one argument.  With no replacement string at all the values are
 * appended as arguments; with no command words each record is itself the
 * command line.  Both renderings walk the parts with the same emitter.
 *
 * A value is put in quotes even when its bytes are safe if it is in the
 * command word, holds '=' or is a reserved word: unquoted, "A=b" could be
 * an assignment and "if" a reserved word where the shell expects a
 * command; quoted, they are plain words everywhere.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"

/* What a part is. */
enum tpart_kind {
	TPART_LIT,		/* literal text */
	TPART_ALL,		/* {} and its forms: every whole[] value */
	TPART_POS,		/* {n} and its forms: v[n - 1] */
	TPART_SEQ,		/* {#} */
	TPART_SLOT		/* {%} */
};

/* What a replacement string does to its value. */
enum tpart_mod {
	TMOD_NONE,		/* {} */
	TMOD_NOEXT,		/* {.} */
	TMOD_BASE,		/* {/} */
	TMOD_DIR,		/* {//} */
	TMOD_BASENOEXT		/* {/.} */
};

struct tpart {
	enum tpart_kind	 kind;
	enum tpart_mod	 mod;
	int		 n;		/* TPART_POS: 1-based, < 0 from end */
	size_t		 off;		/* TPART_LIT: text in t->text */
	size_t		 len;
};

struct tword {
	size_t		 first;		/* index of its first part */
	size_t		 nparts;
};

struct template {
	char		*text;		/* copy of every word, NUL-separated */
	struct tpart	*parts;
	size_t		 nparts;
	struct tword	*words;
	int		 nwords;	/* 0: each record is the command */
	int		 quote;		/* -q */
	int		 hasrepl;	/* any part but TPART_LIT */
	int		 safe;		/* literal text is free of syntax */
};

/*
 * A value after a replacement string's transformation: the bytes of p1
 * then those of p2.  Two pieces are needed because GNU parallel's {/}
 * does not cross newlines (see template_base) and may cut out the middle.
 */
struct tval {
	const char	*p1;
	size_t		 l1;
	const char	*p2;
	size_t		 l2;
};

/* How the emitter renders. */
enum temit_mode {
	TEMIT_SHELL,		/* a /bin/sh command line */
	TEMIT_RAW,		/* nothing quoted: --tagstring */
	TEMIT_ARGV		/* NUL-terminated words for execvp */
};

struct temit {
	enum temit_mode	 mode;
	int		 quote;		/* -q */
	struct buf	*out;
	int		 argc;		/* TEMIT_ARGV: words finished */
	int		 inword;	/* TEMIT_ARGV: a word is open */
	size_t		 piece;		/* TEMIT_SHELL + quote: piece start */
	int		 first;		/* still in the command word */
	int		 nul;		/* a value held a NUL byte */
};

/* Reserved words that quoting takes away from a command word. */
static const char *const template_reserved_words[] = {
	"case", "do", "done", "elif", "else", "esac", "fi", "for",
	"function", "if", "in", "select", "then", "time", "until", "while"
};

/* Words that must run through the shell when they come first. */
static const char *const template_shellwords[] = {
	/* Reserved words (POSIX, bash and ksh). */
	"!", "[[", "]]", "case", "do", "done", "elif", "else", "esac", "fi",
	"for", "function", "if", "in", "select", "then", "time", "until",
	"while", "{", "}",
	/*
	 * dash builtins.  echo is left out on purpose: dash's echo expands
	 * backslash escapes, while GNU parallel under bash and xargs (which
	 * runs /bin/echo) print them as they are, so the direct exec of
	 * /bin/echo is what users of either peer expect.
	 */
	".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command",
	"continue", "eval", "exec", "exit", "export", "false", "fc",
	"fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd",
	"read", "readonly", "return", "set", "shift", "test", "times", "trap",
	"true", "type", "ulimit", "umask", "unalias", "unset", "wait"
};

static int	 template_safe_char(unsigned char);
static void	 template_add_part(struct template *, enum tpart_kind,
		     enum tpart_mod, int, size_t, size_t);
static int	 template_parse_brace(const char *, size_t, enum tpart_kind *,
		     enum tpart_mod *, int *);
static void	 template_parse_word(struct template *, size_t, const char *);
static size_t	 template_tval_len(const struct tval *);
static char	 template_tval_at(const struct tval *, size_t);
static void	 template_tval_truncate(struct tval *, size_t);
static void	 template_noext(struct tval *);
static void	 template_base(struct tval *, const char *, size_t);
static void	 template_dir(struct tval *, const char *, size_t);
static size_t	 template_strip_slashes(const char *, size_t);
static void	 template_transform(struct tval *, const char *, size_t,
		     enum tpart_mod);
static void	 template_quote2(struct buf *, const struct tval *, int);
static int	 template_reserved(const char *, size_t);
static int	 template_risky(const struct tval *);
static void	 template_quote_tail(struct buf *, size_t, int);
static void	 template_emit_init(struct temit *, enum temit_mode, int,
		     struct buf *);
static void	 template_emit_endword(struct temit *);
static void	 template_emit_wordbegin(struct temit *, int);
static void	 template_emit_wordend(struct temit *);
static void	 template_emit_lit(struct temit *, const char *, size_t);
static void	 template_emit_value(struct temit *, const struct tval *);
static void	 template_emit_valsep(struct temit *);
static void	 template_emit_number(struct temit *, uint64_t);
static void	 template_render(const struct template *, const struct args *,
		     uint64_t, unsigned, struct temit *);
static int	 template_render_nocmd(const struct args *, struct buf *);
static int	 template_execable(const char *);

/* Says whether c needs no quoting for the shell anywhere in a word. */
static int
template_safe_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("_./,:@+%^=-", c) != NULL);
}

/* Appends a part to the template. */
static void
template_add_part(struct template *t, enum tpart_kind kind,
    enum tpart_mod mod, int n, size_t off, size_t len)
{
	struct tpart	*p;

	t->parts = xreallocarray(t->parts, t->nparts + 1, sizeof *t->parts);
	p = &t->parts[t->nparts++];
	p->kind = kind;
	p->mod = mod;
	p->n = n;
	p->off = off;
	p->len = len;
	if (kind != TPART_LIT)
		t->hasrepl = 1;
}

/*
 * Recognizes the inside of a brace pair: # % . / // /. and the {n} forms
 * n n. n/ n// n/. with n >= 1 or negative.  Returns 0 for anything else,
 * which stays literal text; {} itself is matched as the -I string.
 */
static int
template_parse_brace(const char *c, size_t len, enum tpart_kind *kind,
    enum tpart_mod *mod, int *n)
{
	size_t		 i = 0, ndigits;
	long long	 v = 0;
	int		 neg = 0;

	if (len == 1 && c[0] == '#') {
		*kind = TPART_SEQ;
		*mod = TMOD_NONE;
		return (1);
	}
	if (len == 1 && c[0] == '%') {
		*kind = TPART_SLOT;
		*mod = TMOD_NONE;
		return (1);
	}
	if (i < len && c[i] == '-') {
		neg = 1;
		i++;
	}
	ndigits = 0;
	while (i < len && c[i] >= '0' && c[i] <= '9') {
		/* Any n this large is out of range: keep it large. */
		if (v < 100000000)
			v = v * 10 + (c[i] - '0');
		ndigits++;
		i++;
	}
	if (neg && ndigits == 0)
		return (0);
	if (ndigits != 0 && v == 0)
		return (0);

	if (len - i == 0)
		*mod = TMOD_NONE;
	else if (len - i == 1 && c[i] == '.')
		*mod = TMOD_NOEXT;
	else if (len - i == 1 && c[i] == '/')
		*mod = TMOD_BASE;
	else if (len - i == 2 && c[i] == '/' && c[i + 1] == '/')
		*mod = TMOD_DIR;
	else if (len - i == 2 && c[i] == '/' && c[i + 1] == '.')
		*mod = TMOD_BASENOEXT;
	else
		return (0);

	if (ndigits == 0) {
		if (*mod == TMOD_NONE)
			return (0);
		*kind = TPART_ALL;
		return (1);
	}
	*kind = TPART_POS;
	*n = neg ? -(int)v : (int)v;
	return (1);
}

/* Splits the word at t->text + off into literal and replacement parts. */
static void
template_parse_word(struct template *t, size_t off, const char *replace)
{
	const char	*w = t->text + off, *close;
	size_t		 len, rlen, i = 0, lit = 0;
	enum tpart_kind	 kind;
	enum tpart_mod	 mod;
	int		 n = 0;

	len = strlen(w);
	rlen = strlen(replace);
	while (i < len) {
		kind = TPART_LIT;
		if (strncmp(w + i, replace, rlen) == 0) {
			kind = TPART_ALL;
			mod = TMOD_NONE;
			close = w + i + rlen - 1;
		} else if (w[i] == '{' &&
		    (close = strchr(w + i + 1, '}')) != NULL &&
		    template_parse_brace(w + i + 1, close - (w + i + 1),
		    &kind, &mod, &n)) {
			/* kind and mod are set. */
		} else {
			i++;
			continue;
		}
		if (i > lit)
			template_add_part(t, TPART_LIT, TMOD_NONE, 0,
			    off + lit, i - lit);
		template_add_part(t, kind, mod, n, 0, 0);
		i = close - w + 1;
		lit = i;
	}
	if (len > lit)
		template_add_part(t, TPART_LIT, TMOD_NONE, 0, off + lit,
		    len - lit);
}

/*
 * Parses the command words: replace is what means {} (-I), quote is -q.
 * No words means each record is itself a command line.
 */
struct template *
template_new(char **words, int nwords, const char *replace, int quote)
{
	struct template	*t;
	struct tpart	*p;
	size_t		 total = 0, off, i, j;
	int		 w;

	if (replace == NULL || *replace == '\0')
		replace = "{}";
	t = xcalloc(1, sizeof *t);
	t->quote = quote;
	t->nwords = nwords > 0 ? nwords : 0;
	for (w = 0; w < t->nwords; w++)
		total += strlen(words[w]) + 1;
	t->text = xmalloc(total);
	t->words = xcalloc(t->nwords, sizeof *t->words);
	off = 0;
	for (w = 0; w < t->nwords; w++) {
		memcpy(t->text + off, words[w], strlen(words[w]) + 1);
		t->words[w].first = t->nparts;
		template_parse_word(t, off, replace);
		t->words[w].nparts = t->nparts - t->words[w].first;
		off += strlen(words[w]) + 1;
	}

	/*
	 * The literal text decides once and for all whether execvp can
	 * stand in for the shell; with -q it is quoted, so it always can.
	 */
	t->safe = 1;
	for (i = 0; i < t->nparts && !quote; i++) {
		p = &t->parts[i];
		if (p->kind != TPART_LIT)
			continue;
		for (j = 0; j < p->len; j++) {
			if (t->text[p->off + j] != ' ' &&
			    t->text[p->off + j] != '\t' &&
			    !template_safe_char(t->text[p->off + j]))
				t->safe = 0;
		}
	}
	return (t);
}

/* Frees a template. */
void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->parts);
	free(t->words);
	free(t);
}

/* Says whether the template has any replacement string. */
int
template_has_replacement(const struct template *t)
{
	return (t->hasrepl);
}

/* Returns the length of a value. */
static size_t
template_tval_len(const struct tval *v)
{
	return (v->l1 + v->l2);
}

/* Returns byte i of a value. */
static char
template_tval_at(const struct tval *v, size_t i)
{
	return (i < v->l1 ? v->p1[i] : v->p2[i - v->l1]);
}

/* Keeps the first n bytes of a value. */
static void
template_tval_truncate(struct tval *v, size_t n)
{
	if (n <= v->l1) {
		v->l1 = n;
		v->l2 = 0;
	} else
		v->l2 = n - v->l1;
}

/*
 * {.}: GNU parallel's s:\.[^/.]*$:: - drops the last '.' and what follows
 * it when no '/' follows it.
 */
static void
template_noext(struct tval *v)
{
	size_t	 i;
	char	 c;

	for (i = template_tval_len(v); i > 0; i--) {
		c = template_tval_at(v, i - 1);
		if (c == '/')
			return;
		if (c == '.') {
			template_tval_truncate(v, i - 1);
			return;
		}
	}
}

/*
 * {/}: GNU parallel's s:.*\/:: - in Perl '.' does not match a newline, so
 * what is removed runs from the start of the first line that holds a '/'
 * to the last '/' of that line.  XXX: odd for names with newlines, but
 * this keeps results identical to GNU parallel's.
 */
static void
template_base(struct tval *v, const char *s, size_t len)
{
	size_t	 i, line = 0;
	ssize_t	 slash = -1;

	for (i = 0; i < len; i++) {
		if (s[i] == '/')
			slash = (ssize_t)i;
		else if (s[i] == '\n') {
			if (slash != -1)
				break;
			line = i + 1;
		}
	}
	v->p1 = s;
	if (slash == -1) {
		v->l1 = len;
		v->p2 = NULL;
		v->l2 = 0;
		return;
	}
	v->l1 = line;
	v->p2 = s + slash + 1;
	v->l2 = len - (size_t)slash - 1;
}

/*
 * {//}: Perl's File::Basename::dirname, which GNU parallel uses: "a" ->
 * ".", "a/" -> ".", "/x/y.z" -> "/x", "/" -> "/", "a/b//" -> "a".
 */
static void
template_dir(struct tval *v, const char *s, size_t len)
{
	const char	*slash;
	size_t		 dlen;

	v->p2 = NULL;
	v->l2 = 0;
	/* fileparse(): the directory is up to the last '/', or "./". */
	if ((slash = memrchr(s, '/', len)) == NULL) {
		v->p1 = "./";
		dlen = 2;
	} else {
		v->p1 = s;
		dlen = slash - s + 1;
	}
	dlen = template_strip_slashes(v->p1, dlen);
	/* With an empty basename, dirname() takes the parent of that. */
	if (slash == NULL ? len == 0 : (size_t)(slash - s) + 1 == len) {
		if ((slash = memrchr(v->p1, '/', dlen)) == NULL) {
			v->p1 = "./";
			dlen = 2;
		} else
			dlen = slash - v->p1 + 1;
		dlen = template_strip_slashes(v->p1, dlen);
	}
	v->l1 = dlen;
}

/* Perl's _strip_trailing_sep(): drops trailing slashes but the first. */
static size_t
template_strip_slashes(const char *s, size_t len)
{
	while (len > 1 && s[len - 1] == '/')
		len--;
	return (len);
}

/* Applies a replacement string's transformation to the len bytes at s. */
static void
template_transform(struct tval *v, const char *s, size_t len,
    enum tpart_mod mod)
{
	switch (mod) {
	case TMOD_NONE:
	case TMOD_NOEXT:
		v->p1 = s;
		v->l1 = len;
		v->p2 = NULL;
		v->l2 = 0;
		if (mod == TMOD_NOEXT)
			template_noext(v);
		break;
	case TMOD_BASE:
	case TMOD_BASENOEXT:
		template_base(v, s, len);
		if (mod == TMOD_BASENOEXT)
			template_noext(v);
		break;
	case TMOD_DIR:
		template_dir(v, s, len);
		break;
	}
}

/*
 * Appends a value quoted for /bin/sh, by template_quote's rules; force
 * puts it in quotes even when its bytes are safe.
 */
static void
template_quote2(struct buf *out, const struct tval *v, int force)
{
	const struct {
		const char	*p;
		size_t		 l;
	} piece[2] = { { v->p1, v->l1 }, { v->p2, v->l2 } };
	size_t		 i, j, start;
	int		 safe = !force, k;

	if (template_tval_len(v) == 0) {
		buf_add(out, "''", 2);
		return;
	}
	for (k = 0; k < 2 && safe; k++) {
		for (i = 0; i < piece[k].l; i++) {
			if (!template_safe_char(piece[k].p[i])) {
				safe = 0;
				break;
			}
		}
	}
	if (safe) {
		buf_add(out, v->p1, v->l1);
		buf_add(out, v->p2, v->l2);
		return;
	}
	buf_addc(out, '\'');
	for (k = 0; k < 2; k++) {
		if (piece[k].l == 0)
			continue;
		start = 0;
		for (j = 0; j < piece[k].l; j++) {
			if (piece[k].p[j] != '\'')
				continue;
			buf_add(out, piece[k].p + start, j - start);
			buf_add(out, "'\\''", 4);
			start = j + 1;
		}
		buf_add(out, piece[k].p + start, piece[k].l - start);
	}
	buf_addc(out, '\'');
}

/*
 * Appends s quoted for /bin/sh: as is when every byte is safe, '' when
 * empty, otherwise in single quotes with each ' written as '\''.
 */
void
template_quote(struct buf *out, const char *s, size_t len)
{
	struct tval	 v;

	v.p1 = s;
	v.l1 = len;
	v.p2 = NULL;
	v.l2 = 0;
	template_quote2(out, &v, 0);
}

/* Says whether s[0, len) is a reserved word of some shell. */
static int
template_reserved(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof template_reserved_words /
	    sizeof template_reserved_words[0]; i++) {
		if (strlen(template_reserved_words[i]) == len &&
		    memcmp(s, template_reserved_words[i], len) == 0)
			return (1);
	}
	return (0);
}

/* Says whether a value holds '=' or is a reserved word. */
static int
template_risky(const struct tval *v)
{
	char	 word[16];
	size_t	 len = template_tval_len(v);

	if ((v->l1 != 0 && memchr(v->p1, '=', v->l1) != NULL) ||
	    (v->l2 != 0 && memchr(v->p2, '=', v->l2) != NULL))
		return (1);
	if (len >= sizeof word)
		return (0);
	if (v->l1 != 0)
		memcpy(word, v->p1, v->l1);
	if (v->l2 != 0)
		memcpy(word + v->l1, v->p2, v->l2);
	return (template_reserved(word, len));
}

/*
 * Quotes, in place, the bytes of out from start to its end: -q quotes a
 * word as a whole only once all of it is known.  Working backwards from
 * the new end moves each byte once and needs no scratch space.  In the
 * command word, an assignment or a reserved word is quoted too.
 */
static void
template_quote_tail(struct buf *out, size_t start, int first)
{
	char	*p;
	size_t	 n, i, j, quotes = 0, extra;
	int	 safe;

	p = BUF_PTR(out) + start;
	n = out->len - start;
	safe = n != 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '\'')
			quotes++;
		if (!template_safe_char(p[i]))
			safe = 0;
	}
	if (safe && first && (memchr(p, '=', n) != NULL ||
	    template_reserved(p, n)))
		safe = 0;
	if (safe)
		return;
	if (n == 0) {
		buf_add(out, "''", 2);
		return;
	}
	extra = 2 + 3 * quotes;
	buf_reserve(out, extra);
	buf_commit(out, extra);
	p = BUF_PTR(out) + start;
	j = n + extra;
	p[--j] = '\'';
	for (i = n; i > 0; i--) {
		if (p[i - 1] == '\'') {
			p[--j] = '\'';
			p[--j] = '\'';
			p[--j] = '\\';
			p[--j] = '\'';
		} else
			p[--j] = p[i - 1];
	}
	p[--j] = '\'';
}

/* Starts an emitter writing to out. */
static void
template_emit_init(struct temit *e, enum temit_mode mode, int quote,
    struct buf *out)
{
	e->mode = mode;
	e->quote = quote;
	e->out = out;
	e->argc = 0;
	e->inword = 0;
	e->piece = 0;
	e->first = 1;
	e->nul = 0;
}

/* TEMIT_ARGV: closes the open word, if any. */
static void
template_emit_endword(struct temit *e)
{
	if (!e->inword)
		return;
	buf_addc(e->out, '\0');
	e->argc++;
	e->inword = 0;
}

/* Starts template word number w. */
static void
template_emit_wordbegin(struct temit *e, int w)
{
	if (e->mode == TEMIT_ARGV) {
		/* With -q a word is an argument even when it is empty. */
		if (e->quote)
			e->inword = 1;
		else if (w > 0)
			template_emit_endword(e);
		return;
	}
	if (w > 0) {
		buf_addc(e->out, ' ');
		e->first = 0;
	}
	e->piece = e->out->len;
}

/* Ends a template word. */
static void
template_emit_wordend(struct temit *e)
{
	if (!e->quote)
		return;
	if (e->mode == TEMIT_ARGV)
		template_emit_endword(e);
	else if (e->mode == TEMIT_SHELL)
		template_quote_tail(e->out, e->piece, e->first);
}

/* Emits literal text; for execvp, blanks separate words as in the shell. */
static void
template_emit_lit(struct temit *e, const char *s, size_t len)
{
	size_t	 i, start;

	if (e->mode != TEMIT_ARGV || e->quote) {
		buf_add(e->out, s, len);
		e->inword = 1;
		/* A blank ends the command word, unless -q quotes it. */
		if (!e->quote && (memchr(s, ' ', len) != NULL ||
		    memchr(s, '\t', len) != NULL))
			e->first = 0;
		return;
	}
	start = 0;
	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t')
			continue;
		if (i > start) {
			buf_add(e->out, s + start, i - start);
			e->inword = 1;
		}
		template_emit_endword(e);
		start = i + 1;
	}
	if (len > start) {
		buf_add(e->out, s + start, len - start);
		e->inword = 1;
	}
}

/*
 * Emits one value of a replacement string: quoted, unless raw or -q.  A
 * NUL byte goes in as it is, but it is noted: no command line can carry
 * it (an argument ends at a NUL), so the caller must not run this one.
 */
static void
template_emit_value(struct temit *e, const struct tval *v)
{
	if ((v->l1 != 0 && memchr(v->p1, '\0', v->l1) != NULL) ||
	    (v->l2 != 0 && memchr(v->p2, '\0', v->l2) != NULL))
		e->nul = 1;
	if (e->mode == TEMIT_SHELL && !e->quote)
		template_quote2(e->out, v, e->first || template_risky(v));
	else {
		buf_add(e->out, v->p1, v->l1);
		buf_add(e->out, v->p2, v->l2);
	}
	e->inword = 1;
}

/* Separates the values of {}: they become separate words. */
static void
template_emit_valsep(struct temit *e)
{
	switch (e->mode) {
	case TEMIT_ARGV:
		template_emit_endword(e);
		break;
	case TEMIT_SHELL:
		if (e->quote)
			template_quote_tail(e->out, e->piece, e->first);
		buf_addc(e->out, ' ');
		e->piece = e->out->len;
		e->first = 0;
		break;
	case TEMIT_RAW:
		buf_addc(e->out, ' ');
		break;
	}
}

/* Emits a number ({#}, {%}): digits never need quoting. */
static void
template_emit_number(struct temit *e, uint64_t n)
{
	char	 s[32];
	int	 len;

	len = snprintf(s, sizeof s, "%llu", (unsigned long long)n);
	buf_add(e->out, s, (size_t)len);
	e->inword = 1;
}

/* Walks the template for one task, emitting through e. */
static void
template_render(const struct template *t, const struct args *a,
    uint64_t seq, unsigned slot, struct temit *e)
{
	const struct tpart	*p;
	struct tval		 v;
	size_t			 i;
	int			 w, k, idx;

	for (w = 0; w < t->nwords; w++) {
		template_emit_wordbegin(e, w);
		for (i = 0; i < t->words[w].nparts; i++) {
			p = &t->parts[t->words[w].first + i];
			switch (p->kind) {
			case TPART_LIT:
				template_emit_lit(e, t->text + p->off, p->len);
				break;
			case TPART_ALL:
				for (k = 0; k < a->nwhole; k++) {
					if (k > 0)
						template_emit_valsep(e);
					template_transform(&v, a->whole[k],
					    a->wlen[k], p->mod);
					template_emit_value(e, &v);
				}
				break;
			case TPART_POS:
				idx = p->n > 0 ? p->n - 1 : a->n + p->n;
				if (idx >= 0 && idx < a->n)
					template_transform(&v, a->v[idx],
					    a->vlen[idx], p->mod);
				else {
					v.p1 = v.p2 = NULL;
					v.l1 = v.l2 = 0;
				}
				template_emit_value(e, &v);
				break;
			case TPART_SEQ:
				template_emit_number(e, seq);
				break;
			case TPART_SLOT:
				template_emit_number(e, slot);
				break;
			}
		}
		template_emit_wordend(e);
	}

	/* No replacement string: the values are appended as arguments. */
	if (!t->hasrepl && e->mode != TEMIT_RAW) {
		for (k = 0; k < a->nwhole; k++) {
			template_transform(&v, a->whole[k], a->wlen[k],
			    TMOD_NONE);
			if (e->mode == TEMIT_ARGV) {
				template_emit_endword(e);
				template_emit_value(e, &v);
			} else {
				buf_addc(e->out, ' ');
				if (memchr(v.p1, '\0', v.l1) != NULL)
					e->nul = 1;
				template_quote2(e->out, &v,
				    template_risky(&v));
			}
		}
	}
	if (e->mode == TEMIT_ARGV)
		template_emit_endword(e);
}

/*
 * With no command, the record itself is the command line: unquoted.
 * Returns 1 when it holds a NUL byte, which no command line can carry.
 */
static int
template_render_nocmd(const struct args *a, struct buf *out)
{
	int	 k, nul = 0;

	for (k = 0; k < a->nwhole; k++) {
		if (k > 0)
			buf_addc(out, ' ');
		buf_add(out, a->whole[k], a->wlen[k]);
		if (memchr(a->whole[k], '\0', a->wlen[k]) != NULL)
			nul = 1;
	}
	return (nul);
}

/* Says whether a first word may be run by execvp rather than the shell. */
static int
template_execable(const char *w)
{
	size_t	 i;

	if (*w == '\0' || strchr(w, '=') != NULL)
		return (0);
	for (i = 0; i < sizeof template_shellwords /
	    sizeof template_shellwords[0]; i++) {
		if (w[0] == template_shellwords[i][0] &&
		    strcmp(w, template_shellwords[i]) == 0)
			return (0);
	}
	return (1);
}

/*
 * Expands the template for one task.  Appends NUL-terminated words to argv
 * and returns TEMPLATE_EXEC, or appends one shell command line and returns
 * TEMPLATE_SHELL; *argc is the number of strings appended.  If cmdline is
 * not NULL the shell command line is appended to it too, without a NUL.
 * Returns TEMPLATE_NUL when a value it would insert holds a NUL byte: argv
 * is then not to be run, but cmdline is filled in all the same.
 */
int
template_expand(const struct template *t, const struct args *a,
    uint64_t seq, unsigned slot, struct buf *argv, int *argc,
    struct buf *cmdline)
{
	struct temit	 e;
	size_t		 start = argv->len;
	int		 nul;

	if (t->nwords == 0) {
		nul = template_render_nocmd(a, argv);
		/* Nothing appended may mean no storage: NULL + 0 is UB. */
		if (cmdline != NULL && argv->len != start)
			buf_add(cmdline, BUF_PTR(argv) + start,
			    argv->len - start);
		buf_addc(argv, '\0');
		*argc = 1;
		return (nul ? TEMPLATE_NUL : TEMPLATE_SHELL);
	}

	if (t->safe) {
		template_emit_init(&e, TEMIT_ARGV, t->quote, argv);
		template_render(t, a, seq, slot, &e);
		if (e.argc > 0 && !e.nul &&
		    template_execable(BUF_PTR(argv) + start)) {
			*argc = e.argc;
			if (cmdline != NULL) {
				template_emit_init(&e, TEMIT_SHELL, t->quote,
				    cmdline);
				template_render(t, a, seq, slot, &e);
			}
			return (TEMPLATE_EXEC);
		}
		/* Take the words back: the shell must run this one. */
		argv->len = start;
	}

	template_emit_init(&e, TEMIT_SHELL, t->quote, argv);
	template_render(t, a, seq, slot, &e);
	if (cmdline != NULL)
		buf_add(cmdline, BUF_PTR(argv) + start, argv->len - start);
	buf_addc(argv, '\0');
	*argc = 1;
	return (e.nul ? TEMPLATE_NUL : TEMPLATE_SHELL);
}

/*
 * Expands the template with nothing quoted and no NULs, for --tagstring.
 * Unlike template_expand() it never appends the values: a template with
 * no replacement string renders as its own text.
 */
void
template_expand_raw(const struct template *t, const struct args *a,
    uint64_t seq, unsigned slot, struct buf *out)
{
	struct temit	 e;

	if (t->nwords == 0) {
		template_render_nocmd(a, out);
		return;
	}
	template_emit_init(&e, TEMIT_RAW, t->quote, out);
	template_render(t, a, seq, slot, &e);
}
