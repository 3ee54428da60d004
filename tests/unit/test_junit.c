/*
 * test_junit.c - junit.c's pure parts: XML escaping of character data and
 * attribute values (markup, control characters, every kind of invalid or
 * forbidden UTF-8), the stderr tail (what is kept, where a cut tail
 * starts), and the exact text of <testcase> elements and the <testsuite>
 * start tag.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

#define R	"\357\277\275"		/* U+FFFD */

static void	 test_escape(void);
static void	 test_tail(void);
static void	 test_tail_cut(void);
static void	 test_case(void);
static void	 test_long_name(void);
static void	 test_head(void);

/* Escaping: input, as character data, as an attribute value. */
static void
test_escape(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		const char	*text;
		const char	*attr;
	} t[] = {
		{ "plain", 0, "plain", "plain" },
		{ "", 0, "", "" },
		{ "<a href=\"x\">&'</a>", 0,
		    "&lt;a href=\"x\"&gt;&amp;'&lt;/a&gt;",
		    "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;" },
		{ "]]>", 0, "]]&gt;", "]]&gt;" },
		{ "a\tb\nc\rd", 0, "a\tb\nc&#13;d", "a&#9;b&#10;c&#13;d" },
		{ "\033[31mred\033[0m", 0, R "[31mred" R "[0m",
		    R "[31mred" R "[0m" },
		{ "nul\0byte", 8, "nul" R "byte", "nul" R "byte" },
		{ "\001\010\013\014\037 \177", 0, R R R R R " \177",
		    R R R R R " \177" },
		/* Valid UTF-8 passes: 2, 3 and 4 bytes, the edges. */
		{ "caf\303\251 \342\202\254 \360\237\230\200", 0,
		    "caf\303\251 \342\202\254 \360\237\230\200",
		    "caf\303\251 \342\202\254 \360\237\230\200" },
		{ "\302\200\337\277\340\240\200\355\237\277\356\200\200"
		    "\357\277\275\360\220\200\200\364\217\277\277", 0,
		    "\302\200\337\277\340\240\200\355\237\277\356\200\200"
		    "\357\277\275\360\220\200\200\364\217\277\277",
		    "\302\200\337\277\340\240\200\355\237\277\356\200\200"
		    "\357\277\275\360\220\200\200\364\217\277\277" },
		/* A stray continuation byte, a lone lead byte. */
		{ "a\200b", 0, "a" R "b", "a" R "b" },
		{ "a\303", 0, "a" R, "a" R },
		{ "a\303b", 0, "a" R "b", "a" R "b" },
		/* Latin-1, not UTF-8: each byte replaced. */
		{ "caf\351 \374ber", 0, "caf" R " " R "ber",
		    "caf" R " " R "ber" },
		/* Overlong forms, C0 and C1 leads, F5 and up. */
		{ "\300\257", 0, R R, R R },
		{ "\301\277", 0, R R, R R },
		{ "\340\200\257", 0, R R R, R R R },
		{ "\360\200\200\257", 0, R R R R, R R R R },
		{ "\365\200\200\200", 0, R R R R, R R R R },
		{ "\377\376", 0, R R, R R },
		/* Surrogates, past U+10FFFF, U+FFFE and U+FFFF. */
		{ "\355\240\200", 0, R R R, R R R },
		{ "\355\277\277", 0, R R R, R R R },
		{ "\364\220\200\200", 0, R R R R, R R R R },
		{ "\357\277\276", 0, R R R, R R R },
		{ "\357\277\277", 0, R R R, R R R },
		/* A sequence cut short by the end, or by ASCII. */
		{ "\342\202", 0, R R, R R },
		{ "\360\237\230", 0, R R R, R R R },
		{ "\342\202<", 0, R R "&lt;", R R "&lt;" },
	};
	struct buf	 b;
	size_t		 i, len;

	buf_init(&b);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		len = t[i].len != 0 ? t[i].len : strlen(t[i].in);
		tap_context("escape %zu text", i);
		buf_reset(&b);
		junit_escape(&b, t[i].in, len, 0);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, t[i].text,
		    strlen(t[i].text));
		tap_context("escape %zu attr", i);
		buf_reset(&b);
		junit_escape(&b, t[i].in, len, 1);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, t[i].attr,
		    strlen(t[i].attr));
	}
	tap_context(NULL);
	buf_free(&b);
}

/* The tail: pieces of various sizes added, the last bytes kept. */
static void
test_tail(void)
{
	static const size_t	 pieces[][4] = {
		{ 10, 0 },
		{ JUNIT_TAIL_MAX, 0 },
		{ JUNIT_TAIL_MAX + 1, 0 },
		{ 100, JUNIT_TAIL_MAX, 0 },
		{ JUNIT_TAIL_MAX - 1, 1, 0 },
		{ JUNIT_TAIL_MAX - 1, 2, 0 },
		{ 3000, 3000, 3000, 0 },
		{ 1, 10000, 5, 0 },
	};
	struct junit_tail	*t;
	char			*all, *p;
	size_t			 i, k, n, total, want, len;
	const char		*text;

	for (i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
		t = xcalloc(1, sizeof *t);
		total = 0;
		for (k = 0; k < 4 && pieces[i][k] != 0; k++)
			total += pieces[i][k];
		/* Distinct ASCII bytes, so an offset error shows. */
		all = xmalloc(total);
		for (n = 0; n < total; n++)
			all[n] = 'A' + (char)(n % 26);
		for (p = all, k = 0; k < 4 && pieces[i][k] != 0; k++) {
			junit_tail_add(t, p, pieces[i][k]);
			p += pieces[i][k];
		}
		want = total < JUNIT_TAIL_MAX ? total : JUNIT_TAIL_MAX;
		tap_context("tail %zu (%zu bytes)", i, total);
		ASSERT_INT_EQ(t->cut, total > JUNIT_TAIL_MAX);
		text = junit_tail_text(t, &len);
		ASSERT_MEM_EQ(text, len, all + total - want, want);
		free(all);
		free(t);
	}
	tap_context(NULL);
}

/* A cut tail starts at a character: continuation bytes are left out. */
static void
test_tail_cut(void)
{
	static const struct {
		const char	*head;	/* added first, then the filler */
		const char	*last;	/* added last */
		size_t		 skip;	/* leading bytes then left out */
	} t[] = {
		{ "", "", 0 },
		{ "", "\303\251", 1 },		/* é cut after its lead */
		{ "", "\342\202\254", 2 },	/* € cut after its lead */
		{ "", "\360\237\230\200", 3 },	/* 😀 cut after its lead */
	};
	struct junit_tail	*tl;
	char			 fill[JUNIT_TAIL_MAX];
	const char		*text;
	size_t			 i, len, llen;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tl = xcalloc(1, sizeof *tl);
		llen = strlen(t[i].last);
		/* Put the multibyte character at the very front once cut. */
		junit_tail_add(tl, t[i].last, llen);
		memset(fill, 'x', sizeof fill);
		junit_tail_add(tl, fill, JUNIT_TAIL_MAX - (llen > 0 ?
		    llen - 1 : 0));
		tap_context("tail cut %zu", i);
		text = junit_tail_text(tl, &len);
		ASSERT_INT_EQ(len, JUNIT_TAIL_MAX - t[i].skip);
		ASSERT(len == 0 || text[0] == 'x' || llen == 0);
		free(tl);
	}
	/* Not cut: a leading continuation byte is the task's own. */
	tl = xcalloc(1, sizeof *tl);
	junit_tail_add(tl, "\251abc", 4);
	text = junit_tail_text(tl, &len);
	tap_context("tail uncut");
	ASSERT_MEM_EQ(text, len, "\251abc", 4);
	free(tl);
	tap_context(NULL);
}

/* The exact <testcase> elements. */
static void
test_case(void)
{
	static const struct {
		const char	*name;
		int64_t		 us;
		int		 status, sig, timed_out;
		uint64_t	 timeout_ms;
		const char	*tail;
		int		 kind;
		const char	*xml;
	} t[] = {
		{ "echo a", 1234, 0, 0, 0, 0, NULL, JUNIT_PASS,
		    "  <testcase name=\"echo a\" classname=\"mprun\" "
		    "time=\"0.001\"/>\n" },
		/* A passing task's stderr is not shown. */
		{ "ok", 1500, 0, 0, 0, 0, "noise\n", JUNIT_PASS,
		    "  <testcase name=\"ok\" classname=\"mprun\" "
		    "time=\"0.002\"/>\n" },
		{ "false", 2000000, 1, 0, 0, 0, NULL, JUNIT_FAILURE,
		    "  <testcase name=\"false\" classname=\"mprun\" "
		    "time=\"2.000\">\n"
		    "    <failure message=\"exit status 1\" type=\"exit\"/>\n"
		    "  </testcase>\n" },
		{ "x <y> & \"z\"\n", 999, 3, 0, 0, 0, "a <b>\n&c\n",
		    JUNIT_FAILURE,
		    "  <testcase name=\"x &lt;y&gt; &amp; &quot;z&quot;&#10;\" "
		    "classname=\"mprun\" time=\"0.001\">\n"
		    "    <failure message=\"exit status 3\" type=\"exit\">"
		    "a &lt;b&gt;\n&amp;c\n</failure>\n"
		    "  </testcase>\n" },
		{ "k", 0, -1, SIGKILL, 0, 0, "bye\n", JUNIT_FAILURE,
		    "  <testcase name=\"k\" classname=\"mprun\" "
		    "time=\"0.000\">\n"
		    "    <failure message=\"killed by signal SIGKILL\" "
		    "type=\"signal\">bye\n</failure>\n"
		    "  </testcase>\n" },
		{ "seg", 0, -1, SIGSEGV, 0, 0, NULL, JUNIT_FAILURE,
		    "  <testcase name=\"seg\" classname=\"mprun\" "
		    "time=\"0.000\">\n"
		    "    <failure message=\"killed by signal SIGSEGV\" "
		    "type=\"signal\"/>\n"
		    "  </testcase>\n" },
		{ "rt", 0, -1, 200, 0, 0, NULL, JUNIT_FAILURE,
		    "  <testcase name=\"rt\" classname=\"mprun\" "
		    "time=\"0.000\">\n"
		    "    <failure message=\"killed by signal 200\" "
		    "type=\"signal\"/>\n"
		    "  </testcase>\n" },
		/* A timeout wins over the signal that ended the task. */
		{ "slow", 500000, -1, SIGTERM, 1, 500, "zzz", JUNIT_FAILURE,
		    "  <testcase name=\"slow\" classname=\"mprun\" "
		    "time=\"0.500\">\n"
		    "    <failure message=\"timed out after 0.5 s\" "
		    "type=\"timeout\">zzz</failure>\n"
		    "  </testcase>\n" },
		{ "slow2", 90000000, -1, 0, 1, 90000, NULL, JUNIT_FAILURE,
		    "  <testcase name=\"slow2\" classname=\"mprun\" "
		    "time=\"90.000\">\n"
		    "    <failure message=\"timed out after 90 s\" "
		    "type=\"timeout\"/>\n"
		    "  </testcase>\n" },
		{ "lost", 10, -1, 0, 0, 0, "mprun: worker died\n", JUNIT_ERROR,
		    "  <testcase name=\"lost\" classname=\"mprun\" "
		    "time=\"0.000\">\n"
		    "    <error message=\"its worker was lost\" type=\"lost\">"
		    "mprun: worker died\n</error>\n"
		    "  </testcase>\n" },
		{ "bad \377", 0, 2, 0, 0, 0, "\033[1m\377\r\n", JUNIT_FAILURE,
		    "  <testcase name=\"bad " R "\" classname=\"mprun\" "
		    "time=\"0.000\">\n"
		    "    <failure message=\"exit status 2\" type=\"exit\">"
		    R "[1m" R "&#13;\n</failure>\n"
		    "  </testcase>\n" },
	};
	struct junit_case	 c;
	struct buf		 b;
	size_t			 i;
	int			 kind;

	buf_init(&b);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&c, 0, sizeof c);
		c.name = t[i].name;
		c.namelen = strlen(t[i].name);
		c.runtime_us = t[i].us;
		c.status = t[i].status;
		c.sig = t[i].sig;
		c.timed_out = t[i].timed_out;
		c.timeout_ms = t[i].timeout_ms;
		c.tail = t[i].tail;
		c.taillen = t[i].tail != NULL ? strlen(t[i].tail) : 0;
		buf_reset(&b);
		tap_context("case %s", t[i].name);
		kind = junit_format_case(&b, &c);
		ASSERT_INT_EQ(kind, t[i].kind);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, t[i].xml, strlen(t[i].xml));
	}
	tap_context(NULL);
	buf_free(&b);
}

/* A name past JUNIT_NAME_MAX is cut, at a character, and ends "...". */
static void
test_long_name(void)
{
	static const size_t	 lens[] = {
		JUNIT_NAME_MAX, JUNIT_NAME_MAX + 1, 3 * JUNIT_NAME_MAX
	};
	struct junit_case	 c;
	struct buf		 b, want;
	char			*name;
	size_t			 i, k, n;

	buf_init(&b);
	buf_init(&want);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		n = lens[i];
		name = xmalloc(n);
		memset(name, 'n', n);
		memset(&c, 0, sizeof c);
		c.name = name;
		c.namelen = n;
		buf_reset(&b);
		junit_format_case(&b, &c);
		buf_reset(&want);
		buf_adds(&want, "  <testcase name=\"");
		buf_add(&want, name, n > JUNIT_NAME_MAX ? JUNIT_NAME_MAX : n);
		if (n > JUNIT_NAME_MAX)
			buf_adds(&want, "...");
		buf_adds(&want, "\" classname=\"mprun\" time=\"0.000\"/>\n");
		tap_context("name of %zu bytes", n);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, BUF_PTR(&want), want.len);
		free(name);
	}
	/* A 3-byte character across the limit is left out whole. */
	for (k = 0; k <= 3; k++) {
		n = JUNIT_NAME_MAX + 10;
		name = xmalloc(n);
		memset(name, 'n', n);
		memcpy(name + JUNIT_NAME_MAX - k, "\342\202\254", 3);
		memset(&c, 0, sizeof c);
		c.name = name;
		c.namelen = n;
		buf_reset(&b);
		junit_format_case(&b, &c);
		buf_reset(&want);
		buf_adds(&want, "  <testcase name=\"");
		buf_add(&want, name, k == 1 || k == 2 ? JUNIT_NAME_MAX - k :
		    JUNIT_NAME_MAX);
		buf_adds(&want, "...");
		buf_adds(&want, "\" classname=\"mprun\" time=\"0.000\"/>\n");
		tap_context("euro sign at the limit - %zu", k);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, BUF_PTR(&want), want.len);
		free(name);
	}
	tap_context(NULL);
	buf_free(&b);
	buf_free(&want);
}

/* The declaration and the <testsuite> start tag. */
static void
test_head(void)
{
	struct buf	 b;
	const char	*want =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuite name=\"mprun\" tests=\"12\" failures=\"3\" "
	    "errors=\"1\" skipped=\"0\" time=\"61.235\" "
	    "timestamp=\"2024-02-29T23:59:59\">\n";

	buf_init(&b);
	junit_format_head(&b, 12, 3, 1, 61234567, "2024-02-29T23:59:59");
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, want, strlen(want));
	buf_free(&b);
}

int
main(void)
{
	test_escape();
	test_tail();
	test_tail_cut();
	test_case();
	test_long_name();
	test_head();
	return (tap_done());
}
