/*
 * test_json.c - the HELLO texts: round trips of the parent's settings and
 * the worker's reply, the exact encoding, another protocol version, missing
 * and bad fields, and text that is not JSON at all; and the --json task
 * lines: exact text, escaping, UTF-8 validation and base64.
 */

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

static int	 decode(const char *, struct hello *, const char **);
static void	 test_hello_roundtrip(void);
static void	 test_hello_exact(void);
static void	 test_hello_errors(void);
static void	 test_reply(void);
static char	*task(const struct json_task *);
static void	 test_task_exact(void);
static void	 test_task_utf8(void);
static void	 test_task_base64(void);

/* Decodes a NUL-terminated text. */
static int
decode(const char *s, struct hello *h, const char **errstr)
{
	return (json_hello_decode(s, strlen(s), h, errstr));
}

/* Settings survive encoding and decoding, whatever bytes init holds. */
static void
test_hello_roundtrip(void)
{
	static const char *inits[] = {
		NULL,
		"",
		"echo \"quoted\" 'single' \\back\\slash",
		"line1\nline2\ttab\r\x01\x1f",
		"caf\xc3\xa9 \xe2\x82\xac",
		"invalid \xff\xfe utf-8 \xc3",
		"{\"json\": [1, 2]}",
	};
	struct hello	 h, g;
	const char	*errstr;
	char		*s;
	size_t		 i;
	int		 k;

	for (i = 0; i < sizeof inits / sizeof inits[0]; i++) {
		tap_context("hello round trip %zu", i);
		memset(&h, 0, sizeof h);
		h.version = PROTO_VERSION;
		h.slot = (unsigned)i * 1000;
		h.maxtasks = i == 0 ? 0 : UINT_MAX - (unsigned)i;
		h.init = (char *)(uintptr_t)inits[i];
		h.ntermseq = (int)i * 2 + 1;
		if (h.ntermseq > TERMSEQ_MAX)
			h.ntermseq = TERMSEQ_MAX;
		for (k = 0; k < h.ntermseq; k++) {
			h.termseq[k].sig = 1 + (k * 7) % 64;
			h.termseq[k].ms = k == 0 ? UINT_MAX : (unsigned)k * 25;
		}
		s = json_hello_encode(&h);
		ASSERT(s != NULL);
		errstr = NULL;
		ASSERT_INT_EQ(decode(s, &g, &errstr), 0);
		ASSERT(errstr == NULL);
		ASSERT_INT_EQ(g.version, PROTO_VERSION);
		ASSERT_INT_EQ(g.slot, h.slot);
		ASSERT_INT_EQ(g.maxtasks, h.maxtasks);
		ASSERT_STR_EQ(g.init, h.init);
		ASSERT_INT_EQ(g.ntermseq, h.ntermseq);
		ASSERT_MEM_EQ(g.termseq, sizeof g.termseq[0] * g.ntermseq,
		    h.termseq, sizeof h.termseq[0] * h.ntermseq);
		json_hello_free(&g);
		ASSERT(g.init == NULL);
		free(s);
	}
	tap_context(NULL);
}

/* The encoding is compact and stable; the decoder reads only len bytes. */
static void
test_hello_exact(void)
{
	struct hello	 h, g;
	const char	*errstr;
	char		*s;
	char		 text[] = "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
	    "\"termseq\":[]}garbage after the length";

	tap_context("hello exact");
	memset(&h, 0, sizeof h);
	h.version = 3;
	h.slot = 3;
	h.maxtasks = 10;
	h.init = "true";
	h.termseq[0].sig = SIGTERM;
	h.termseq[0].ms = 200;
	h.termseq[1].sig = SIGKILL;
	h.termseq[1].ms = 25;
	h.ntermseq = 2;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":3,\"slot\":3,\"maxtasks\":10,"
	    "\"init\":\"true\",\"termseq\":[[15,200],[9,25]]}");
	free(s);
	h.init = NULL;
	h.ntermseq = 0;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":3,\"slot\":3,\"maxtasks\":10,"
	    "\"termseq\":[]}");
	free(s);
	tap_context("hello nice");
	h.nice = -5;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":3,\"slot\":3,\"maxtasks\":10,"
	    "\"nice\":-5,\"termseq\":[]}");
	memset(&g, 0, sizeof g);
	ASSERT_INT_EQ(json_hello_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.nice, -5);
	json_hello_free(&g);
	free(s);
	s = "{\"version\":3,\"slot\":3,\"maxtasks\":0,\"nice\":20,"
	    "\"termseq\":[]}";
	memset(&g, 0, sizeof g);
	ASSERT_INT_EQ(json_hello_decode(s, strlen(s), &g, &errstr), -1);
	h.nice = 0;
	tap_context("hello merge");
	h.merge = 1;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":3,\"slot\":3,\"maxtasks\":10,"
	    "\"merge\":1,\"termseq\":[]}");
	memset(&g, 0, sizeof g);
	ASSERT_INT_EQ(json_hello_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.merge, 1);
	json_hello_free(&g);
	free(s);
	h.merge = 0;
	/* Absent (a parent that predates it) means two pipes. */
	ASSERT_INT_EQ(json_hello_decode(text, strchr(text, 'g') - text, &g,
	    &errstr), 0);
	ASSERT_INT_EQ(g.merge, 0);
	json_hello_free(&g);

	ASSERT_INT_EQ(json_hello_decode(text, strchr(text, 'g') - text, &g,
	    &errstr), 0);
	ASSERT_INT_EQ(g.ntermseq, 0);
	ASSERT(g.init == NULL);
	json_hello_free(&g);

	/* Whitespace around the object and an explicit null init are fine. */
	ASSERT_INT_EQ(decode(" \n{ \"termseq\" : [ [ 2 , 0 ] ] , \"init\" : "
	    "null, \"maxtasks\": 1, \"slot\": 7, \"version\": 3, \"extra\": "
	    "{\"x\": [1]} }\n ", &g, &errstr), 0);
	ASSERT_INT_EQ(g.slot, 7);
	ASSERT_INT_EQ(g.maxtasks, 1);
	ASSERT(g.init == NULL);
	ASSERT_INT_EQ(g.ntermseq, 1);
	ASSERT_INT_EQ(g.termseq[0].sig, 2);
	ASSERT_INT_EQ(g.termseq[0].ms, 0);
	json_hello_free(&g);

	/* Another version: only the version is read, the rest may differ. */
	tap_context("hello other version");
	ASSERT_INT_EQ(decode("{\"version\":99,\"slot\":\"new\"}", &g,
	    &errstr), 0);
	ASSERT_INT_EQ(g.version, 99);
	ASSERT(g.init == NULL);
	json_hello_free(&g);
	tap_context(NULL);
}

/* Missing fields, bad values and garbage are refused with a reason. */
static void
test_hello_errors(void)
{
	static const struct {
		const char	*text;
		const char	*err;
	} rows[] = {
		{ "", "not JSON" },
		{ "   ", "not JSON" },
		{ "{", "not JSON" },
		{ "nope", "not JSON" },
		{ "{\"version\":3} x", "not JSON" },
		{ "{\"version\":3}{}", "not JSON" },
		{ "\xff\xfe", "not JSON" },
		{ "[1,2]", "not a JSON object" },
		{ "\"version\"", "not a JSON object" },
		{ "42", "not a JSON object" },
		{ "null", "not a JSON object" },
		{ "{}", "missing field 'version'" },
		{ "{\"Version\":1}", "missing field 'version'" },
		{ "{\"version\":\"1\"}", "bad field 'version'" },
		{ "{\"version\":1.5}", "bad field 'version'" },
		{ "{\"version\":-1}", "bad field 'version'" },
		{ "{\"version\":3}", "missing field 'slot'" },
		{ "{\"version\":3,\"slot\":-1}", "bad field 'slot'" },
		{ "{\"version\":3,\"slot\":4294967296}", "bad field 'slot'" },
		{ "{\"version\":3,\"slot\":1e300}", "bad field 'slot'" },
		{ "{\"version\":3,\"slot\":null}", "bad field 'slot'" },
		{ "{\"version\":3,\"slot\":0}", "missing field 'maxtasks'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":true}",
		    "bad field 'maxtasks'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0}",
		    "missing field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":{}}",
		    "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":[15]}",
		    "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15,1,2]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[0,100]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[65,100]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15,-1]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15,0.5]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[\"TERM\",100]]}", "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":"
		    "[[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],"
		    "[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1]]}",
		    "bad field 'termseq'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":[],"
		    "\"init\":3}", "bad field 'init'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":[],"
		    "\"init\":[\"a\"]}", "bad field 'init'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":[],"
		    "\"merge\":2}", "bad field 'merge'" },
		{ "{\"version\":3,\"slot\":0,\"maxtasks\":0,\"termseq\":[],"
		    "\"merge\":true}", "bad field 'merge'" },
	};
	struct hello	 g;
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("hello error %zu", i);
		errstr = NULL;
		ASSERT_INT_EQ(decode(rows[i].text, &g, &errstr), -1);
		ASSERT_STR_EQ(errstr, rows[i].err);
		ASSERT(g.init == NULL);
	}

	/* A bad termseq after a good init frees the init. */
	tap_context("hello error frees init");
	ASSERT_INT_EQ(decode("{\"version\":3,\"slot\":0,\"maxtasks\":0,"
	    "\"init\":\"x\",\"termseq\":[[1]]}", &g, &errstr), -1);
	ASSERT(g.init == NULL);

	/* Sixteen steps is the most, and is fine. */
	tap_context("hello 16 steps");
	ASSERT_INT_EQ(decode("{\"version\":3,\"slot\":0,\"maxtasks\":0,"
	    "\"termseq\":[[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],"
	    "[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[64,1]]}", &g,
	    &errstr), 0);
	ASSERT_INT_EQ(g.ntermseq, TERMSEQ_MAX);
	ASSERT_INT_EQ(g.termseq[15].sig, 64);
	json_hello_free(&g);
	tap_context(NULL);
}

/* The worker's reply: round trip, exact text, errors. */
static void
test_reply(void)
{
	struct hello_reply	 r, g;
	const char		*errstr;
	char			*s;

	tap_context("reply");
	memset(&r, 0, sizeof r);
	r.version = PROTO_VERSION;
	r.pid = 2147483647;
	r.ncpu = 256;
	s = json_reply_encode(&r);
	ASSERT_STR_EQ(s, "{\"version\":3,\"pid\":2147483647,\"ncpu\":256}");
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.version, PROTO_VERSION);
	ASSERT_INT_EQ(g.pid, 2147483647);
	ASSERT_INT_EQ(g.ncpu, 256);
	ASSERT_STR_EQ(g.node, "");
	free(s);
	/* The host name a launched worker gives, optional. */
	snprintf(r.node, sizeof r.node, "node-7");
	s = json_reply_encode(&r);
	ASSERT_STR_EQ(s, "{\"version\":3,\"pid\":2147483647,\"ncpu\":256,"
	    "\"node\":\"node-7\"}");
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_STR_EQ(g.node, "node-7");
	free(s);
	s = "{\"version\":3,\"pid\":5,\"ncpu\":1,\"node\":5}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_STR_EQ(g.node, "");

	s = "{\"version\":7}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.version, 7);

	s = "{\"version\":3,\"ncpu\":1}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "missing field 'pid'");
	s = "{\"version\":3,\"pid\":0,\"ncpu\":1}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "bad field 'pid'");
	s = "{\"version\":3,\"pid\":5}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "missing field 'ncpu'");
	s = "{\"version\":3,\"pid\":5,\"ncpu\":0}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "bad field 'ncpu'");
	s = "{\"pid\":5,\"ncpu\":1}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "missing field 'version'");
	s = "pid=5";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "not JSON");
	ASSERT_INT_EQ(json_reply_decode(s, 0, &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "not JSON");
	tap_context(NULL);
}

/*
 * Encodes a task and checks the returned length.  Without arglens, each
 * arg is a C string.
 */
static char *
task(const struct json_task *t)
{
	struct json_task	 c = *t;
	size_t			 lens[16];
	char			*s;
	size_t			 len = 12345;
	int			 i;

	if (c.arglens == NULL) {
		ASSERT(c.nargs <= 16);
		for (i = 0; i < c.nargs && i < 16; i++)
			lens[i] = strlen(c.args[i]);
		c.arglens = lens;
	}
	s = json_task_encode(&c, &len);
	ASSERT(s != NULL && len == strlen(s));
	return (s);
}

/* Task lines: keys in order, exact numbers, escapes, empty output. */
static void
test_task_exact(void)
{
	static char	*args1[] = { "a b", "c" };
	static char	*args2[] = { "caf\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9d\x84\x9e" };
	struct json_task t;
	char		*s;

	tap_context("task basic");
	memset(&t, 0, sizeof t);
	t.seq = 1;
	t.args = args1;
	t.nargs = 2;
	t.cmd = "echo 'a b' c";
	t.cmdlen = strlen(t.cmd);
	t.start_us = 1795308069801000LL;
	t.runtime_us = 3000;
	t.slot = 2;
	t.out = "a b c\n";
	t.outlen = 6;
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":1,\"args\":[\"a b\",\"c\"],\"command\":"
	    "\"echo 'a b' c\",\"exit\":0,\"signal\":0,\"start\":"
	    "1795308069.801,\"runtime\":0.003,\"slot\":2,\"stdout\":"
	    "\"a b c\\n\",\"stderr\":\"\"}");
	free(s);

	tap_context("task signalled, rounding, no args");
	memset(&t, 0, sizeof t);
	t.seq = 18446744073709551615ULL;
	t.cmd = "kill -9 $$";
	t.cmdlen = strlen(t.cmd);
	t.exit = -1;
	t.sig = 9;
	t.start_us = 1000500;
	t.runtime_us = 999499;
	t.slot = 1;
	t.err = "";
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":18446744073709551615,\"args\":[],"
	    "\"command\":\"kill -9 $$\",\"exit\":-1,\"signal\":9,\"start\":"
	    "1.001,\"runtime\":0.999,\"slot\":1,\"stdout\":\"\",\"stderr\":"
	    "\"\"}");
	free(s);

	tap_context("task zero and whole seconds");
	t.seq = 3;
	t.exit = 255;
	t.sig = 0;
	t.start_us = 0;
	t.runtime_us = 2999500;
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":3,\"args\":[],\"command\":\"kill -9 $$\","
	    "\"exit\":255,\"signal\":0,\"start\":0.000,\"runtime\":3.000,"
	    "\"slot\":1,\"stdout\":\"\",\"stderr\":\"\"}");
	free(s);

	tap_context("task escapes");
	memset(&t, 0, sizeof t);
	t.seq = 4;
	t.args = args1;
	t.nargs = 1;
	t.cmd = "printf '\\t\"x\"\\n'";
	t.cmdlen = strlen(t.cmd);
	t.out = "\x01\t\"\\/\x7f\r\b\f\n\x1f";
	t.outlen = strlen(t.out);
	t.err = "line1\nline2\n";
	t.errlen = strlen(t.err);
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":4,\"args\":[\"a b\"],\"command\":"
	    "\"printf '\\\\t\\\"x\\\"\\\\n'\",\"exit\":0,\"signal\":0,"
	    "\"start\":0.000,\"runtime\":0.000,\"slot\":0,\"stdout\":"
	    "\"\\u0001\\t\\\"\\\\/\x7f\\r\\b\\f\\n\\u001f\",\"stderr\":"
	    "\"line1\\nline2\\n\"}");
	free(s);

	tap_context("task UTF-8 kept as text");
	memset(&t, 0, sizeof t);
	t.seq = 5;
	t.args = args2;
	t.nargs = 3;
	t.cmd = "echo caf\xc3\xa9";
	t.cmdlen = strlen(t.cmd);
	t.out = "\xef\xbb\xbf\xf4\x8f\xbf\xbf\xe2\x80\xa8";
	t.outlen = strlen(t.out);
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":5,\"args\":[\"caf\xc3\xa9\",\"\xe2\x82\xac"
	    "\",\"\xf0\x9d\x84\x9e\"],\"command\":\"echo caf\xc3\xa9\","
	    "\"exit\":0,\"signal\":0,\"start\":0.000,\"runtime\":0.000,"
	    "\"slot\":0,\"stdout\":\"\xef\xbb\xbf\xf4\x8f\xbf\xbf\xe2\x80\xa8"
	    "\",\"stderr\":\"\"}");
	free(s);

	/* Only outlen bytes are read: the output is not NUL-terminated. */
	tap_context("task reads outlen bytes");
	memset(&t, 0, sizeof t);
	t.cmd = "xyz";
	t.cmdlen = 1;
	t.out = "abcdef";
	t.outlen = 3;
	t.err = "ERR";
	t.errlen = 2;
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":0,\"args\":[],\"command\":\"x\","
	    "\"exit\":0,\"signal\":0,\"start\":0.000,\"runtime\":0.000,"
	    "\"slot\":0,\"stdout\":\"abc\",\"stderr\":\"ER\"}");
	free(s);

	/* A NULL length pointer is allowed. */
	s = json_task_encode(&t, NULL);
	ASSERT(s != NULL);
	free(s);
	tap_context(NULL);
}

/* Which byte strings count as UTF-8 text (RFC 3629). */
static void
test_task_utf8(void)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
		int		 valid;
	} rows[] = {
		{ "", 0, 1 },
		{ "plain ascii \x7f", 13, 1 },
		{ "\xc2\x80", 2, 1 },			/* U+0080 */
		{ "\xdf\xbf", 2, 1 },			/* U+07FF */
		{ "\xe0\xa0\x80", 3, 1 },		/* U+0800 */
		{ "\xed\x9f\xbf", 3, 1 },		/* U+D7FF */
		{ "\xee\x80\x80", 3, 1 },		/* U+E000 */
		{ "\xef\xbf\xbf", 3, 1 },		/* U+FFFF */
		{ "\xf0\x90\x80\x80", 4, 1 },		/* U+10000 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 },		/* U+10FFFF */
		{ "a\0b", 3, 0 },			/* NUL */
		{ "\0", 1, 0 },
		{ "\x80", 1, 0 },			/* lone continuation */
		{ "\xbf", 1, 0 },
		{ "\xc0\x80", 2, 0 },			/* overlong NUL */
		{ "\xc1\xbf", 2, 0 },			/* overlong */
		{ "\xe0\x80\x80", 3, 0 },		/* overlong */
		{ "\xe0\x9f\xbf", 3, 0 },		/* overlong */
		{ "\xf0\x80\x80\x80", 4, 0 },		/* overlong */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },		/* overlong */
		{ "\xed\xa0\x80", 3, 0 },		/* U+D800 */
		{ "\xed\xbf\xbf", 3, 0 },		/* U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },		/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xf8\x88\x80\x80\x80", 5, 0 },
		{ "\xfe", 1, 0 },
		{ "\xff", 1, 0 },
		{ "\xc3", 1, 0 },			/* truncated */
		{ "\xe2\x82", 2, 0 },
		{ "\xf0\x9d\x84", 3, 0 },
		{ "x\xe2\x82", 3, 0 },
		{ "\xc3\x28", 2, 0 },			/* bad continuation */
		{ "\xe2\x28\xa1", 3, 0 },
		{ "\xe2\x82\x28", 3, 0 },
		{ "\xf0\x90\x28\xbc", 4, 0 },
		{ "\xf0\x90\x80\xc0", 4, 0 },
		{ "\xc3\xa9\xc3", 3, 0 },
	};
	struct json_task t;
	char		*s;
	size_t		 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("utf8 row %zu", i);
		memset(&t, 0, sizeof t);
		t.cmd = "c";
		t.cmdlen = 1;
		t.out = rows[i].bytes;
		t.outlen = rows[i].len;
		t.err = rows[i].bytes;
		t.errlen = rows[i].len;
		s = task(&t);
		ASSERT_INT_EQ(strstr(s, "\"stdout_base64\":") == NULL,
		    rows[i].valid);
		ASSERT_INT_EQ(strstr(s, "\"stderr_base64\":") == NULL,
		    rows[i].valid);
		ASSERT_INT_EQ(strstr(s, "\"stdout\":") != NULL,
		    rows[i].valid);
		free(s);
	}
	tap_context(NULL);
}

/* Base64 under the _base64 keys, with RFC 4648's test vectors. */
static void
test_task_base64(void)
{
	static char	*args[] = { "\xff", "f", "fo", "foo", "foob", "fooba",
	    "foobar", "" };
	static char	*ok[] = { "fine" };
	struct json_task t;
	char		*s, *big;
	size_t		 i;

	tap_context("task base64 args");
	memset(&t, 0, sizeof t);
	t.seq = 6;
	t.args = args;
	t.nargs = 8;
	t.cmd = "\xfe" "cmd";
	t.cmdlen = 4;
	t.out = "a\0b";
	t.outlen = 3;
	t.err = "\xc0\x80\xff\xfe\xfd";
	t.errlen = 5;
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":6,\"args_base64\":[\"/w==\",\"Zg==\","
	    "\"Zm8=\",\"Zm9v\",\"Zm9vYg==\",\"Zm9vYmE=\",\"Zm9vYmFy\",\"\"],"
	    "\"command_base64\":\"/mNtZA==\",\"exit\":0,\"signal\":0,"
	    "\"start\":0.000,\"runtime\":0.000,\"slot\":0,\"stdout_base64\":"
	    "\"YQBi\",\"stderr_base64\":\"wID//v0=\"}");
	free(s);

	tap_context("task one bad arg makes all base64");
	t.args = args;
	t.nargs = 2;
	t.cmd = "ok";
	t.cmdlen = 2;
	t.out = "\n";
	t.outlen = 1;
	t.err = "\xff";
	t.errlen = 1;
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":6,\"args_base64\":[\"/w==\",\"Zg==\"],"
	    "\"command\":\"ok\",\"exit\":0,\"signal\":0,\"start\":0.000,"
	    "\"runtime\":0.000,\"slot\":0,\"stdout\":\"\\n\",\"stderr_base64\":"
	    "\"/w==\"}");
	free(s);
	t.args = ok;
	t.nargs = 1;
	s = task(&t);
	ASSERT(strstr(s, "\"args\":[\"fine\"],") != NULL);
	free(s);

	/* Large output, both ways. */
	tap_context("task large output");
	big = xmalloc(300000);
	for (i = 0; i < 300000; i++)
		big[i] = 'a' + i % 26;
	t.out = big;
	t.outlen = 300000;
	s = task(&t);
	ASSERT(strlen(s) > 300000 && strstr(s, "\"stdout\":\"abc") != NULL);
	free(s);
	big[299999] = '\x80';
	s = task(&t);
	ASSERT(strstr(s, "\"stdout_base64\":\"YWJj") != NULL &&
	    strlen(s) > 400000);
	free(s);
	free(big);
	tap_context(NULL);
}

/* A NUL inside an arg: it is carried, as base64, never cut short. */
static void
test_args_nul(void)
{
	static char	 nul[] = "ab\0cd";
	char		*args[] = { nul, "ef" };
	size_t		 lens[] = { 5, 2 }, textlens[] = { 2, 2 };
	struct json_task t;
	char		*s;

	tap_context("task args with a NUL");
	memset(&t, 0, sizeof t);
	t.seq = 7;
	t.args = args;
	t.arglens = lens;
	t.nargs = 2;
	t.cmd = "x";
	t.cmdlen = 1;
	s = task(&t);
	ASSERT_STR_EQ(s, "{\"seq\":7,\"args_base64\":[\"YWIAY2Q=\",\"ZWY=\"],"
	    "\"command\":\"x\",\"exit\":0,\"signal\":0,\"start\":0.000,"
	    "\"runtime\":0.000,\"slot\":0,\"stdout\":\"\",\"stderr\":\"\"}");
	free(s);

	tap_context("worker task args with a NUL");
	s = json_wtask_encode(9, args, lens, 2);
	ASSERT_STR_EQ(s, "{\"seq\":9,\"args_base64\":[\"YWIAY2Q=\",\"ZWY=\"]}");
	free(s);
	s = json_wtask_encode(9, args, textlens, 2);
	ASSERT_STR_EQ(s, "{\"seq\":9,\"args\":[\"ab\",\"ef\"]}");
	free(s);
	s = json_wtask_encode(10, args, lens, 0);
	ASSERT_STR_EQ(s, "{\"seq\":10,\"args\":[]}");
	free(s);
	tap_context(NULL);
}

int
main(void)
{
	test_hello_roundtrip();
	test_hello_exact();
	test_hello_errors();
	test_reply();
	test_task_exact();
	test_task_utf8();
	test_task_base64();
	test_args_nul();
	return (tap_done());
}
