/*
 * test_template.c - template.c: every replacement string against GNU
 * parallel's results, quoting of nasty bytes, the EXEC/SHELL decision,
 * -q, -I, no-command mode and appended arguments.  Then, by execution,
 * that the execvp argv and the shell command line run the very same words
 * for tricky values: the binary re-runs itself as an argument dumper
 * (TEST_TEMPLATE_DUMP set) both directly and through /bin/sh -c.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"
#include "tap.h"

#define MAXW	12

struct tcase {
	const char	*words[MAXW];	/* NULL-terminated; none: no command */
	const char	*replace;
	int		 quote;
	const char	*whole[MAXW];	/* NULL-terminated */
	const char	*v[MAXW];	/* NULL-terminated; none: as whole */
	int		 mode;
	const char	*cmdline;
	const char	*argv[MAXW];	/* TEMPLATE_EXEC: expected words */
};

#define E	TEMPLATE_EXEC
#define S	TEMPLATE_SHELL

static const struct tcase cases[] = {
	/* Builtins go to the shell; values are quoted. */
	{ { "echo", "{}" }, NULL, 0, { "a b" }, { NULL }, E,
	    "echo 'a b'", { "echo", "a b" } },
	{ { "/bin/echo", "{}" }, NULL, 0, { "a b" }, { NULL }, E,
	    "/bin/echo 'a b'", { "/bin/echo", "a b" } },
	/* No replacement string: appended, each quoted, even empty. */
	{ { "ls" }, NULL, 0, { "a" }, { NULL }, E,
	    "ls a", { "ls", "a" } },
	{ { "ls", "-l" }, NULL, 0, { "a", "b c", "" }, { NULL }, E,
	    "ls -l a 'b c' ''", { "ls", "-l", "a", "b c", "" } },
	{ { "ls" }, NULL, 0, { NULL }, { NULL }, E,
	    "ls", { "ls" } },
	/* Every form of {}. */
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { "/x/y.z" }, { NULL }, E,
	    "cmd /x/y.z /x/y y.z /x y",
	    { "cmd", "/x/y.z", "/x/y", "y.z", "/x", "y" } },
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { "a" }, { NULL }, E, "cmd a a a . a",
	    { "cmd", "a", "a", "a", ".", "a" } },
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { "./q" }, { NULL }, E, "cmd ./q ./q q . q",
	    { "cmd", "./q", "./q", "q", ".", "q" } },
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { ".hidden" }, { NULL }, E, "cmd .hidden '' .hidden . ''",
	    { "cmd", ".hidden", "", ".hidden", ".", "" } },
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { "a.b/c" }, { NULL }, E, "cmd a.b/c a.b/c c a.b c",
	    { "cmd", "a.b/c", "a.b/c", "c", "a.b", "c" } },
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { "x y.z/w.v" }, { NULL }, E,
	    "cmd 'x y.z/w.v' 'x y.z/w' w.v 'x y.z' w",
	    { "cmd", "x y.z/w.v", "x y.z/w", "w.v", "x y.z", "w" } },
	{ { "cmd", "{}", "{.}", "{/}", "{//}", "{/.}" }, NULL, 0,
	    { "" }, { NULL }, E, "cmd '' '' '' . ''",
	    { "cmd", "", "", "", ".", "" } },
	/* Against GNU parallel: x{}x x{.}x x{/}x x{//}x x{/.}x. */
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "/" }, { NULL }, E, "c x/x x/x x''x x/x x''x",
	    { "c", "x/x", "x/x", "xx", "x/x", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "//" }, { NULL }, E, "c x//x x//x x''x x/x x''x",
	    { "c", "x//x", "x//x", "xx", "x/x", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "a/" }, { NULL }, E, "c xa/x xa/x x''x x.x x''x",
	    { "c", "xa/x", "xa/x", "xx", "x.x", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "a/b/" }, { NULL }, E, "c xa/b/x xa/b/x x''x xax x''x",
	    { "c", "xa/b/x", "xa/b/x", "xx", "xax", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "/a" }, { NULL }, E, "c x/ax x/ax xax x/x xax",
	    { "c", "x/ax", "x/ax", "xax", "x/x", "xax" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { ".." }, { NULL }, E, "c x..x x.x x..x x.x x.x",
	    { "c", "x..x", "x.x", "x..x", "x.x", "x.x" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "../x" }, { NULL }, E, "c x../xx x../xx xxx x..x xxx",
	    { "c", "x../xx", "x../xx", "xxx", "x..x", "xxx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "a." }, { NULL }, E, "c xa.x xax xa.x x.x xax",
	    { "c", "xa.x", "xax", "xa.x", "x.x", "xax" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "a.b." }, { NULL }, E, "c xa.b.x xa.bx xa.b.x x.x xa.bx",
	    { "c", "xa.b.x", "xa.bx", "xa.b.x", "x.x", "xa.bx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "x/.y" }, { NULL }, E, "c xx/.yx xx/x x.yx xxx x''x",
	    { "c", "xx/.yx", "xx/x", "x.yx", "xxx", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "/a/b//" }, { NULL }, E, "c x/a/b//x x/a/b//x x''x x/ax x''x",
	    { "c", "x/a/b//x", "x/a/b//x", "xx", "x/ax", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "a//b" }, { NULL }, E, "c xa//bx xa//bx xbx xax xbx",
	    { "c", "xa//bx", "xa//bx", "xbx", "xax", "xbx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "." }, { NULL }, E, "c x.x x''x x.x x.x x''x",
	    { "c", "x.x", "xx", "x.x", "x.x", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "./" }, { NULL }, E, "c x./x x./x x''x x.x x''x",
	    { "c", "x./x", "x./x", "xx", "x.x", "xx" } },
	{ { "c", "x{}x", "x{.}x", "x{/}x", "x{//}x", "x{/.}x" }, NULL, 0,
	    { "a/b.c.d" }, { NULL }, E, "c xa/b.c.dx xa/b.cx xb.c.dx xax xb.cx",
	    { "c", "xa/b.c.dx", "xa/b.cx", "xb.c.dx", "xax", "xb.cx" } },
	{ { "c", "{/}", "{//}" }, NULL, 0, { "//a" }, { NULL }, E,
	    "c a /", { "c", "a", "/" } },
	/* Perl's s:.*\/:: does not cross newlines; GNU parallel agrees. */
	{ { "c", "{/}", "{//}", "{.}", "{/.}" }, NULL, 0, { "a/b\nc/d" },
	    { NULL }, E, "c 'b\nc/d' 'a/b\nc' 'a/b\nc/d' 'b\nc/d'",
	    { "c", "b\nc/d", "a/b\nc", "a/b\nc/d", "b\nc/d" } },
	{ { "c", "{/}", "{//}", "{.}", "{/.}" }, NULL, 0, { "x\ny/z" },
	    { NULL }, E, "c 'x\nz' 'x\ny' 'x\ny/z' 'x\nz'",
	    { "c", "x\nz", "x\ny", "x\ny/z", "x\nz" } },
	{ { "c", "{/}", "{//}", "{.}", "{/.}" }, NULL, 0, { "a.b\n" },
	    { NULL }, E, "c 'a.b\n' . a a",
	    { "c", "a.b\n", ".", "a", "a" } },
	{ { "c", "{/.}" }, NULL, 0, { "x\ny/z.w" }, { NULL }, E,
	    "c 'x\nz'", { "c", "x\nz" } },
	/* {} with several values: each its own word, each quoted. */
	{ { "cmd", "{}", "{.}" }, NULL, 0, { "a.x", "b c.y" }, { NULL }, E,
	    "cmd a.x 'b c.y' a 'b c'",
	    { "cmd", "a.x", "b c.y", "a", "b c" } },
	{ { "cmd", "x{}y" }, NULL, 0, { "p q", "c" }, { NULL }, E,
	    "cmd x'p q' cy", { "cmd", "xp q", "cy" } },
	{ { "cmd", "{}{}" }, NULL, 0, { "p q", "c" }, { NULL }, E,
	    "cmd 'p q' c'p q' c", { "cmd", "p q", "cp q", "c" } },
	/* -q: each word quoted as a whole, literal syntax included. */
	{ { "cmd", "x{}y", "a  b" }, NULL, 1, { "p q", "c" }, { NULL }, E,
	    "cmd 'xp q' cy 'a  b'", { "cmd", "xp q", "cy", "a  b" } },
	{ { "cmd", "", "{}" }, NULL, 1, { "x" }, { NULL }, E,
	    "cmd '' x", { "cmd", "", "x" } },
	{ { "cmd", "a;b", "$HOME" }, NULL, 1, { "it's" }, { NULL }, E,
	    "cmd 'a;b' '$HOME' 'it'\\''s'",
	    { "cmd", "a;b", "$HOME", "it's" } },
	{ { "cmd", "x{}'y" }, NULL, 1, { "a'b" }, { NULL }, E,
	    "cmd 'xa'\\''b'\\''y'", { "cmd", "xa'b'y" } },
	{ { "echo", "{}" }, NULL, 1, { "a b" }, { NULL }, E,
	    "echo 'a b'", { "echo", "a b" } },
	{ { "cmd", "{}" }, NULL, 1, { "" }, { NULL }, E,
	    "cmd ''", { "cmd", "" } },
	/* Without -q literal text is split and interpreted by the shell. */
	{ { "cmd", "a  b", "{}" }, NULL, 0, { "v" }, { NULL }, E,
	    "cmd a  b v", { "cmd", "a", "b", "v" } },
	{ { "cmd", "", "{}" }, NULL, 0, { "x" }, { NULL }, E,
	    "cmd  x", { "cmd", "x" } },
	{ { "cmd a", "\tb\t", "{}" }, NULL, 0, { "x" }, { NULL }, E,
	    "cmd a \tb\t x", { "cmd", "a", "b", "x" } },
	{ { "cmd", "a;b" }, NULL, 0, { "x" }, { NULL }, S,
	    "cmd a;b x", { NULL } },
	/* {n}: in range, out of range, negative. */
	{ { "cmd", "{1}", "{2}", "{3}", "{-1}", "{-2}", "{-3}" }, NULL, 0,
	    { "a b" }, { "a", "b" }, E, "cmd a b '' b a ''",
	    { "cmd", "a", "b", "", "b", "a", "" } },
	{ { "cmd", "{1.}", "{2/}", "{1//}", "{2/.}", "{-1.}", "{-2//}" },
	    NULL, 0, { "w" }, { "d/a.b", "e/f.g" }, E,
	    "cmd d/a f.g d f e/f d",
	    { "cmd", "d/a", "f.g", "d", "f", "e/f", "d" } },
	{ { "cmd", "{01}", "{1000000000000}", "{-99999999999}" }, NULL, 0,
	    { "w" }, { "a" }, E, "cmd a '' ''", { "cmd", "a", "", "" } },
	{ { "cmd", "{1}" }, NULL, 0, { "w" }, { "it's $x" }, E,
	    "cmd 'it'\\''s $x'", { "cmd", "it's $x" } },
	/* {#} and {%} count as replacement strings: nothing appended. */
	{ { "cmd", "{#}", "x{%}y" }, NULL, 0, { "a" }, { NULL }, E,
	    "cmd 42 x3y", { "cmd", "42", "x3y" } },
	/* Anything else in braces is literal (and needs the shell). */
	{ { "cmd", "{x}", "{0}", "{-0}", "{1x}", "{/./}", "{-}", "{..}" },
	    NULL, 0, { "a" }, { NULL }, S,
	    "cmd {x} {0} {-0} {1x} {/./} {-} {..} a", { NULL } },
	{ { "cmd", "{{}}" }, NULL, 0, { "a" }, { NULL }, S,
	    "cmd {a}", { NULL } },
	{ { "cmd", "{", "}" }, NULL, 0, { "a" }, { NULL }, S,
	    "cmd { } a", { NULL } },
	/* -I renames {} only. */
	{ { "cmd", "XX", "{}" }, "XX", 0, { "a" }, { NULL }, S,
	    "cmd a {}", { NULL } },
	{ { "cmd", "XX.{.}", "{1}" }, "XX", 0, { "a.b" }, { NULL }, E,
	    "cmd a.b.a a.b", { "cmd", "a.b.a", "a.b" } },
	{ { "cmd", "@" }, "@", 0, { "x y", "z" }, { NULL }, E,
	    "cmd 'x y' z", { "cmd", "x y", "z" } },
	{ { "cmd", "x{.}" }, "{.}", 0, { "a.b" }, { NULL }, E,
	    "cmd xa.b", { "cmd", "xa.b" } },
	/* The first word decides too. */
	{ { "cd", "{}" }, NULL, 0, { "d" }, { NULL }, S, "cd d", { NULL } },
	{ { "true" }, NULL, 0, { "a" }, { NULL }, S, "true a", { NULL } },
	{ { "if" }, NULL, 0, { "a" }, { NULL }, S, "if a", { NULL } },
	{ { "." }, NULL, 0, { "f" }, { NULL }, S, ". f", { NULL } },
	{ { "A=1", "env" }, NULL, 0, { "a" }, { NULL }, S,
	    "A=1 env a", { NULL } },
	{ { "cmd=x" }, NULL, 1, { "a" }, { NULL }, S, "'cmd=x' a",
	    { NULL } },
	/* Values in the command word are always quoted. */
	{ { "{}", "x" }, NULL, 0, { "/bin/echo" }, { NULL }, E,
	    "'/bin/echo' x", { "/bin/echo", "x" } },
	{ { "{}", "x" }, NULL, 0, { "echo" }, { NULL }, E,
	    "'echo' x", { "echo", "x" } },
	{ { "{}", "x" }, NULL, 0, { "printf" }, { NULL }, S,
	    "'printf' x", { NULL } },
	{ { "{}", "x" }, NULL, 0, { "a b" }, { NULL }, E,
	    "'a b' x", { "a b", "x" } },
	{ { "{}", "x" }, NULL, 0, { "" }, { NULL }, S, "'' x", { NULL } },
	{ { "{}", "x" }, NULL, 0, { "A=b" }, { NULL }, S,
	    "'A=b' x", { NULL } },
	{ { "{}" }, NULL, 0, { "if" }, { NULL }, S, "'if'", { NULL } },
	{ { "i{}", "{}" }, NULL, 0, { "f" }, { NULL }, S, "i'f' f",
	    { NULL } },
	{ { "x{}", "y" }, NULL, 0, { "=" }, { NULL }, S, "x'=' y", { NULL } },
	{ { "{} {}", "{}" }, NULL, 0, { "a" }, { NULL }, E,
	    "'a' a a", { "a", "a", "a" } },
	{ { "{}" }, NULL, 0, { "p=1", "q=2" }, { NULL }, S,
	    "'p=1' 'q=2'", { NULL } },
	/* Anywhere, values with '=' and reserved words are quoted. */
	{ { "true;", "{}", "&&", "{}" }, NULL, 0, { "if" }, { NULL }, S,
	    "true; 'if' && 'if'", { NULL } },
	{ { "/bin/x", "{}", "{1}" }, NULL, 0, { "a=b" }, { NULL }, E,
	    "/bin/x 'a=b' 'a=b'", { "/bin/x", "a=b", "a=b" } },
	{ { "/bin/x" }, NULL, 0, { "a=b", "fi", "fix" }, { NULL }, E,
	    "/bin/x 'a=b' 'fi' fix", { "/bin/x", "a=b", "fi", "fix" } },
	{ { "/bin/x", "{/}" }, NULL, 0, { "d/a=b" }, { NULL }, E,
	    "/bin/x 'a=b'", { "/bin/x", "a=b" } },
	{ { "/bin/x", "{/}" }, NULL, 0, { "x\nd/case" }, { NULL }, E,
	    "/bin/x 'x\ncase'", { "/bin/x", "x\ncase" } },
	{ { "{}" }, NULL, 0, { NULL }, { NULL }, S, "", { NULL } },
	{ { "if" }, NULL, 1, { "a" }, { NULL }, S, "'if' a", { NULL } },
	{ { "{}" }, NULL, 1, { "then" }, { NULL }, S, "'then'", { NULL } },
	{ { "{}", "if" }, NULL, 1, { "/bin/x" }, { NULL }, E,
	    "/bin/x if", { "/bin/x", "if" } },
	/* Safe literal bytes keep EXEC. */
	{ { "cmd", "_-./,:@+%^=", "-x=y" }, NULL, 0, { "a=" }, { NULL }, E,
	    "cmd _-./,:@+%^= -x=y 'a='",
	    { "cmd", "_-./,:@+%^=", "-x=y", "a=" } },
	/* No command: the record is the command line, unquoted. */
	{ { NULL }, NULL, 0, { "echo hi; echo 'x'" }, { NULL }, S,
	    "echo hi; echo 'x'", { NULL } },
	{ { NULL }, NULL, 0, { "echo a", "echo b" }, { NULL }, S,
	    "echo a echo b", { NULL } },
	{ { NULL }, NULL, 1, { "ls" }, { NULL }, S, "ls", { NULL } },
	{ { NULL }, NULL, 0, { "" }, { NULL }, S, "", { NULL } },
};

/* Nasty values and how template_quote() must write them. */
static const struct {
	const char	*in;
	const char	*out;
} quotes[] = {
	{ "", "''" },
	{ "abc", "abc" },
	{ "AZaz09_./,:@+%^=-", "AZaz09_./,:@+%^=-" },
	{ "a b", "'a b'" },
	{ "it's", "'it'\\''s'" },
	{ "'", "''\\'''" },
	{ "''", "''\\'''\\'''" },
	{ "\"", "'\"'" },
	{ "$HOME", "'$HOME'" },
	{ "`id`", "'`id`'" },
	{ "$(id)", "'$(id)'" },
	{ "a\\b", "'a\\b'" },
	{ "a\nb", "'a\nb'" },
	{ "\t", "'\t'" },
	{ "~", "'~'" },
	{ "#", "'#'" },
	{ "!", "'!'" },
	{ "*?[]", "'*?[]'" },
	{ "{}", "'{}'" },
	{ "a;b|c&d<e>f(g)h", "'a;b|c&d<e>f(g)h'" },
	{ "\377\376", "'\377\376'" },
	{ "\001", "'\001'" },
	{ "-n", "-n" },
};

/* Values for the execution check: everything the shell might misread. */
static const char *const nasty[] = {
	"plain", "a b", "", " ", "  lead", "trail  ", "'", "''", "\"",
	"it's", "a'b\"c$d`e\\f", "$HOME", "${HOME}", "$(echo pwned)",
	"`echo pwned`", "a;b", "a|b", "a&b", "a&&b", "a>b", "a<b", "(x)",
	"\\", "\\'", "\n", "a\nb", "\t", "*", "?", "[a]", "~", "~root", "#x",
	"x#", "!", "!!", "{}", "{a,b}", "\377\376", "\001\002", "\200\201",
	"-n", "--", "-e", "%s", "=", "A=b", "a=b c", "*.c", ".", "..", "/",
	"./x", "/x/y.z", "a.b/c.d", ".hidden", "x\ny/z.w", "\033[1m",
};

static char	*self;

/* Makes struct args from NULL-terminated lists; v defaults to whole. */
static void
mkargs(struct args *a, const char *const *whole, const char *const *v)
{
	int	 i;

	for (a->nwhole = 0; whole[a->nwhole] != NULL; a->nwhole++)
		/* nothing */;
	a->whole = xcalloc(a->nwhole + 1, sizeof *a->whole);
	a->wlen = xcalloc(a->nwhole + 1, sizeof *a->wlen);
	for (i = 0; i < a->nwhole; i++) {
		a->whole[i] = xstrdup(whole[i]);
		a->wlen[i] = strlen(whole[i]);
	}
	if (v[0] == NULL)
		v = whole;
	for (a->n = 0; v[a->n] != NULL; a->n++)
		/* nothing */;
	a->v = xcalloc(a->n + 1, sizeof *a->v);
	a->vlen = xcalloc(a->n + 1, sizeof *a->vlen);
	for (i = 0; i < a->n; i++) {
		a->v[i] = xstrdup(v[i]);
		a->vlen[i] = strlen(v[i]);
	}
}

/* Frees what mkargs() made. */
static void
freeargs(struct args *a)
{
	int	 i;

	for (i = 0; i < a->nwhole; i++)
		free(a->whole[i]);
	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->whole);
	free(a->wlen);
	free(a->v);
	free(a->vlen);
}

/* Makes a template from a NULL-terminated word list. */
static struct template *
mktemplate(const char *const *words, const char *replace, int quote)
{
	struct template	*t;
	char		**w;
	int		  n, i;

	for (n = 0; words[n] != NULL; n++)
		/* nothing */;
	w = xcalloc(n + 1, sizeof *w);
	for (i = 0; i < n; i++)
		w[i] = xstrdup(words[i]);
	t = template_new(w, n, replace, quote);
	/* The template must keep its own copy. */
	for (i = 0; i < n; i++) {
		memset(w[i], 'Z', strlen(w[i]));
		free(w[i]);
	}
	free(w);
	return (t);
}

/* Renders a case's words for the TAP context line. */
static void
context(int i, const struct tcase *c)
{
	char	 s[200];
	size_t	 off = 0;
	int	 j;

	s[0] = '\0';
	for (j = 0; c->words[j] != NULL && off < sizeof s - 1; j++)
		off += snprintf(s + off, sizeof s - off, "%s%s",
		    j ? " " : "", c->words[j]);
	tap_context("case %d [%s]%s", i, s, c->quote ? " -q" : "");
}

/* Checks the table: mode, words, command line, raw form. */
static void
test_cases(void)
{
	const struct tcase	*c;
	struct template		*t;
	struct args		 a;
	struct buf		 argv, cmd, cmd2;
	const char		*p;
	size_t			 i, n, k;
	int			 argc, mode;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		context((int)i, c);
		mkargs(&a, c->whole, c->v);
		t = mktemplate(c->words, c->replace, c->quote);
		buf_init(&argv);
		buf_init(&cmd);
		buf_init(&cmd2);

		/* A prefix already in argv must be kept. */
		buf_add(&argv, "PRE", 4);
		mode = template_expand(t, &a, 42, 3, &argv, &argc, &cmd);
		ASSERT_INT_EQ(mode, c->mode);
		ASSERT_MEM_EQ(BUF_PTR(&cmd), cmd.len, c->cmdline,
		    strlen(c->cmdline));
		ASSERT_MEM_EQ(BUF_PTR(&argv), 4, "PRE", 4);
		if (c->mode == TEMPLATE_SHELL) {
			ASSERT_INT_EQ(argc, 1);
			ASSERT_MEM_EQ(BUF_PTR(&argv) + 4, argv.len - 4,
			    c->cmdline, strlen(c->cmdline) + 1);
		} else {
			for (n = 0; c->argv[n] != NULL; n++)
				/* nothing */;
			ASSERT_INT_EQ(argc, n);
			p = BUF_PTR(&argv) + 4;
			for (k = 0; k < n && (int)k < argc; k++) {
				ASSERT_STR_EQ(p, c->argv[k]);
				p += strlen(p) + 1;
			}
			ASSERT_INT_EQ(p - BUF_PTR(&argv), argv.len);
		}

		/* Without cmdline, the same words. */
		buf_reset(&cmd2);
		buf_add(&cmd2, "PRE", 4);
		ASSERT_INT_EQ(template_expand(t, &a, 42, 3, &cmd2, &argc,
		    NULL), c->mode);
		ASSERT_MEM_EQ(BUF_PTR(&cmd2), cmd2.len, BUF_PTR(&argv),
		    argv.len);


		template_free(t);
		freeargs(&a);
		buf_free(&argv);
		buf_free(&cmd);
		buf_free(&cmd2);
	}
	tap_context(NULL);
}

/* Checks template_has_replacement() on its own. */
static void
test_has_replacement(void)
{
	static const struct {
		const char	*word;
		const char	*replace;
		int		 has;
	} t[] = {
		{ "echo", NULL, 0 }, { "{}", NULL, 1 }, { "a{.}b", NULL, 1 },
		{ "{/}", NULL, 1 }, { "{//}", NULL, 1 }, { "{/.}", NULL, 1 },
		{ "{#}", NULL, 1 }, { "{%}", NULL, 1 }, { "{3}", NULL, 1 },
		{ "{-2/.}", NULL, 1 }, { "{x}", NULL, 0 }, { "{0}", NULL, 0 },
		{ "{}", "XX", 0 }, { "aXXb", "XX", 1 }, { "{1}", "XX", 1 },
		{ "{", NULL, 0 }, { "}{", NULL, 0 }, { "{ }", NULL, 0 },
	};
	const char	*w[2];
	struct template	*tp;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tap_context("has_replacement %s", t[i].word);
		w[0] = t[i].word;
		w[1] = NULL;
		tp = mktemplate(w, t[i].replace, 0);
		ASSERT_INT_EQ(template_has_replacement(tp), t[i].has);
		template_free(tp);
	}
	w[0] = NULL;
	tp = mktemplate(w, NULL, 0);
	tap_context("has_replacement: no command");
	ASSERT_INT_EQ(template_has_replacement(tp), 0);
	template_free(tp);
	tap_context(NULL);
}

/* Checks template_quote() on the nasty table. */
static void
test_quote(void)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof quotes / sizeof quotes[0]; i++) {
		tap_context("quote %zu", i);
		buf_reset(&b);
		template_quote(&b, quotes[i].in, strlen(quotes[i].in));
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, quotes[i].out,
		    strlen(quotes[i].out));
	}
	/* Appends, and a length, not a terminator, bounds the input. */
	buf_reset(&b);
	buf_adds(&b, "x=");
	template_quote(&b, "a b", 1);
	tap_context("quote appends");
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "x=a", 3);
	buf_free(&b);
	tap_context(NULL);
}

/* Checks template_expand_raw(): nothing quoted, nothing appended. */
static void
test_raw(void)
{
	static const struct {
		const char	*words[4];
		const char	*whole[4];
		const char	*v[4];
		const char	*out;
	} t[] = {
		{ { "{1}-{#}-{%}" }, { "a" }, { NULL }, "a-7-2" },
		{ { "foo" }, { "a" }, { NULL }, "foo" },
		{ { "{}" }, { "a b", "it's" }, { NULL }, "a b it's" },
		{ { "[{1.}]", "{2/}" }, { "w" }, { "x.y", "d/e" }, "[x] e" },
		{ { "[{.}]" }, { "w.v" }, { "x.y", "d/e" }, "[w]" },
		{ { "{3}" }, { "w" }, { "x" }, "" },
		{ { NULL }, { "echo a", "b" }, { NULL }, "echo a b" },
	};
	struct template	*tp;
	struct args	 a;
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tap_context("raw %zu", i);
		mkargs(&a, t[i].whole, t[i].v);
		tp = mktemplate(t[i].words, NULL, 0);
		buf_reset(&b);
		buf_adds(&b, ">");
		template_expand_raw(tp, &a, 7, 2, &b);
		ASSERT_MEM_EQ(BUF_PTR(&b) + 1, b.len - 1, t[i].out,
		    strlen(t[i].out));
		template_free(tp);
		freeargs(&a);
	}
	buf_free(&b);
	tap_context(NULL);
}

/* Dumper mode: writes each argument as "length:bytes\n". */
static int
dump(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++)
		printf("%zu:%s\n", strlen(argv[i]), argv[i]);
	return (fflush(stdout) == 0 ? 0 : 1);
}

/* Runs argv (or sh -c line) and returns its output, NUL-terminated. */
static char *
run(char **argv, const char *line, size_t *lenp)
{
	struct buf	 out;
	char		*sh[4];
	pid_t		 pid;
	ssize_t		 n;
	int		 fd[2], status;

	if (pipe(fd) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		if (dup2(fd[1], 1) == -1)
			_exit(126);
		close(fd[0]);
		close(fd[1]);
		if (setenv("TEST_TEMPLATE_DUMP", "1", 1) == -1)
			_exit(126);
		if (line != NULL) {
			sh[0] = (char *)"sh";
			sh[1] = (char *)"-c";
			sh[2] = xstrdup(line);
			sh[3] = NULL;
			execv("/bin/sh", sh);
		} else
			execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	buf_init(&out);
	for (;;) {
		n = read(fd[0], buf_reserve(&out, 4096), 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_commit(&out, (size_t)n);
	}
	close(fd[0]);
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		buf_adds(&out, "[failed]");
	return (buf_take(&out, lenp));
}

/* Expands one template for one args and runs both forms; they must agree. */
static void
exec_compare(struct template *t, struct args *a, const char *what)
{
	struct buf	 argv, cmd, want;
	char		**av, *p, *o1, *o2;
	size_t		 l1, l2;
	int		 argc, mode, i;

	buf_init(&argv);
	buf_init(&cmd);
	buf_init(&want);
	mode = template_expand(t, a, 1, 1, &argv, &argc, &cmd);
	tap_context("exec %s", what);
	if (!ASSERT_INT_EQ(mode, TEMPLATE_EXEC))
		goto out;
	av = xcalloc(argc + 1, sizeof *av);
	p = BUF_PTR(&argv);
	for (i = 0; i < argc; i++) {
		av[i] = p;
		p += strlen(p) + 1;
	}
	for (i = 1; i < argc; i++) {
		char	 num[32];

		snprintf(num, sizeof num, "%zu:", strlen(av[i]));
		buf_adds(&want, num);
		buf_adds(&want, av[i]);
		buf_addc(&want, '\n');
	}
	buf_addc(&cmd, '\0');
	o1 = run(av, NULL, &l1);
	o2 = run(NULL, BUF_PTR(&cmd), &l2);
	ASSERT_MEM_EQ(o1, l1, BUF_PTR(&want), want.len);
	ASSERT_MEM_EQ(o2, l2, BUF_PTR(&want), want.len);
	free(o1);
	free(o2);
	free(av);
out:
	buf_free(&argv);
	buf_free(&cmd);
	buf_free(&want);
	tap_context(NULL);
}

/* Runs the nasty values through EXEC and SHELL forms of many templates. */
static void
test_exec(void)
{
	static const char *const forms[][6] = {
		{ "{}" },
		{ "x{}y", "{.}", "{/}", "{//}", "{/.}" },
		{ "{1}", "{-1}", "{2}" },
		{ "--", "{#}{}{%}", "a" },
	};
	const char	*words[8], *whole[4], *none[1] = { NULL };
	char		 what[64];
	struct template	*t;
	struct args	 a;
	size_t		 f, i, j;
	int		 q;

	for (q = 0; q <= 1; q++) {
		for (f = 0; f < sizeof forms / sizeof forms[0]; f++) {
			words[0] = self;
			for (j = 0; j < 6 && forms[f][j] != NULL; j++)
				words[j + 1] = forms[f][j];
			words[j + 1] = NULL;
			t = mktemplate(words, NULL, q);
			for (i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
				whole[0] = nasty[i];
				whole[1] = NULL;
				mkargs(&a, whole, none);
				snprintf(what, sizeof what,
				    "form %zu%s value %zu", f, q ? " -q" : "",
				    i);
				exec_compare(t, &a, what);
				freeargs(&a);
			}
			template_free(t);
		}
	}

	/* Several values at once: {} and appended arguments. */
	for (q = 0; q <= 1; q++) {
		words[0] = self;
		words[1] = "x{}y";
		words[2] = NULL;
		t = mktemplate(words, NULL, q);
		for (i = 0; i + 2 < sizeof nasty / sizeof nasty[0]; i++) {
			whole[0] = nasty[i];
			whole[1] = nasty[i + 1];
			whole[2] = nasty[i + 2];
			whole[3] = NULL;
			mkargs(&a, whole, none);
			snprintf(what, sizeof what, "multi%s %zu",
			    q ? " -q" : "", i);
			exec_compare(t, &a, what);
			freeargs(&a);
		}
		template_free(t);
		words[1] = NULL;
		t = mktemplate(words, NULL, q);
		for (i = 0; i + 2 < sizeof nasty / sizeof nasty[0]; i += 3) {
			whole[0] = nasty[i];
			whole[1] = nasty[i + 1];
			whole[2] = nasty[i + 2];
			whole[3] = NULL;
			mkargs(&a, whole, none);
			snprintf(what, sizeof what, "append%s %zu",
			    q ? " -q" : "", i);
			exec_compare(t, &a, what);
			freeargs(&a);
		}
		template_free(t);
	}
}

/* Quotes random byte strings and checks that sh reads them back intact. */
static void
test_random_quote(void)
{
	static const char special[] = "'\"\\$`!*?[]{}~#;&|<>() \t\n=";
	struct buf	 line, want;
	char		 value[64], num[32], *o;
	size_t		 len, l, k;
	int		 i;

	srandom(12345);
	buf_init(&line);
	buf_init(&want);
	buf_adds(&line, self);
	for (i = 0; i < 2000; i++) {
		len = (size_t)(random() % 40);
		for (k = 0; k < len; k++) {
			/* Favour the bytes a shell treats specially. */
			if (random() % 2)
				value[k] = special[random() %
				    (sizeof special - 1)];
			else
				value[k] = (char)(1 + random() % 255);
		}
		value[len] = '\0';
		buf_addc(&line, ' ');
		template_quote(&line, value, len);
		snprintf(num, sizeof num, "%zu:", len);
		buf_adds(&want, num);
		buf_add(&want, value, len);
		buf_addc(&want, '\n');
	}
	buf_addc(&line, '\0');
	o = run(NULL, BUF_PTR(&line), &l);
	ASSERT_MEM_EQ(o, l, BUF_PTR(&want), want.len);
	free(o);
	buf_free(&line);
	buf_free(&want);
}

/*
 * A value with a NUL byte: no command line can carry it, so expansion
 * says TEMPLATE_NUL whenever the NUL would be inserted, and only then.
 */
static void
test_nul(void)
{
	static const struct {
		const char	*words[4];
		int		 mode;
		const char	*argv;		/* EXEC: words, NUL-separated */
		size_t		 argvlen;
	} t[] = {
		{ { "echo", "{}", NULL }, TEMPLATE_NUL, NULL, 0 },
		{ { "echo", NULL }, TEMPLATE_NUL, NULL, 0 },
		{ { "echo", "x{.}y", NULL }, TEMPLATE_NUL, NULL, 0 },
		{ { "echo {} | cat", NULL }, TEMPLATE_NUL, NULL, 0 },
		{ { "echo", "{1}", NULL }, TEMPLATE_NUL, NULL, 0 },
		{ { "echo", "{/}", NULL }, TEMPLATE_EXEC,
		    "echo\0c.d\0x\0", 11 },
		{ { "echo", "{2}", "{#}", NULL }, TEMPLATE_EXEC,
		    "echo\0x\0" "5\0", 9 },
		{ { NULL }, TEMPLATE_NUL, NULL, 0 },
	};
	static char	 rec[] = "a\0b/c.d";
	char		*whole[2] = { rec, "x" };
	size_t		 wlen[2] = { 7, 1 };
	struct template	*tp;
	struct args	 a;
	struct buf	 argv, cmd;
	size_t		 i;
	int		 argc, mode;

	a.whole = a.v = whole;
	a.wlen = a.vlen = wlen;
	a.nwhole = a.n = 2;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tap_context("nul %zu", i);
		tp = mktemplate(t[i].words, NULL, 0);
		buf_init(&argv);
		buf_init(&cmd);
		mode = template_expand(tp, &a, 5, 1, &argv, &argc, &cmd);
		ASSERT_INT_EQ(mode, t[i].mode);
		if (mode == TEMPLATE_EXEC)
			ASSERT_MEM_EQ(BUF_PTR(&argv), argv.len, t[i].argv,
			    t[i].argvlen);
		/* The command line, for the joblog, holds every byte. */
		if (mode == TEMPLATE_NUL)
			ASSERT(cmd.len != 0 &&
			    memchr(BUF_PTR(&cmd), '\0', cmd.len) != NULL);
		buf_free(&argv);
		buf_free(&cmd);
		template_free(tp);
	}

	/* --tagstring is output, not a command: the bytes go through. */
	tap_context("nul raw");
	{
		const char	*w[] = { "<{}>", NULL };

		tp = mktemplate(w, NULL, 0);
		buf_init(&cmd);
		a.nwhole = 1;
		template_expand_raw(tp, &a, 5, 1, &cmd);
		ASSERT_MEM_EQ(BUF_PTR(&cmd), cmd.len, "<a\0b/c.d>", 9);
		buf_free(&cmd);
		template_free(tp);
	}
	tap_context(NULL);
}

int
main(int argc, char **argv)
{
	char	 path[PATH_MAX];
	ssize_t	 n;

	if (getenv("TEST_TEMPLATE_DUMP") != NULL)
		return (dump(argc, argv));

	test_cases();
	test_has_replacement();
	test_quote();
	test_raw();
	test_nul();

	n = readlink("/proc/self/exe", path, sizeof path - 1);
	path[n > 0 ? n : 0] = '\0';	/* readlink does not terminate */
	if (n > 0 && strspn(path, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-") == (size_t)n) {
		self = path;
		test_exec();
		test_random_quote();
	} else
		SKIP("execution checks", "path of the test binary has "
		    "characters that need quoting");
	return (tap_done());
}
