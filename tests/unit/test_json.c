/*
 * test_json.c - the HELLO texts: round trips of the parent's settings and
 * the worker's reply, the exact encoding, another protocol version, missing
 * and bad fields, and text that is not JSON at all.
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
	char		 text[] = "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
	    "\"termseq\":[]}garbage after the length";

	tap_context("hello exact");
	memset(&h, 0, sizeof h);
	h.version = 1;
	h.slot = 3;
	h.maxtasks = 10;
	h.init = "true";
	h.termseq[0].sig = SIGTERM;
	h.termseq[0].ms = 200;
	h.termseq[1].sig = SIGKILL;
	h.termseq[1].ms = 25;
	h.ntermseq = 2;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":1,\"slot\":3,\"maxtasks\":10,"
	    "\"init\":\"true\",\"termseq\":[[15,200],[9,25]]}");
	free(s);
	h.init = NULL;
	h.ntermseq = 0;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":1,\"slot\":3,\"maxtasks\":10,"
	    "\"termseq\":[]}");
	free(s);
	tap_context("hello nice");
	h.nice = -5;
	s = json_hello_encode(&h);
	ASSERT_STR_EQ(s, "{\"version\":1,\"slot\":3,\"maxtasks\":10,"
	    "\"nice\":-5,\"termseq\":[]}");
	memset(&g, 0, sizeof g);
	ASSERT_INT_EQ(json_hello_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.nice, -5);
	json_hello_free(&g);
	free(s);
	s = "{\"version\":1,\"slot\":3,\"maxtasks\":0,\"nice\":20,"
	    "\"termseq\":[]}";
	memset(&g, 0, sizeof g);
	ASSERT_INT_EQ(json_hello_decode(s, strlen(s), &g, &errstr), -1);
	h.nice = 0;

	ASSERT_INT_EQ(json_hello_decode(text, strchr(text, 'g') - text, &g,
	    &errstr), 0);
	ASSERT_INT_EQ(g.ntermseq, 0);
	ASSERT(g.init == NULL);
	json_hello_free(&g);

	/* Whitespace around the object and an explicit null init are fine. */
	ASSERT_INT_EQ(decode(" \n{ \"termseq\" : [ [ 2 , 0 ] ] , \"init\" : "
	    "null, \"maxtasks\": 1, \"slot\": 7, \"version\": 1, \"extra\": "
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
	ASSERT_INT_EQ(decode("{\"version\":2,\"slot\":\"new\"}", &g,
	    &errstr), 0);
	ASSERT_INT_EQ(g.version, 2);
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
		{ "{\"version\":1} x", "not JSON" },
		{ "{\"version\":1}{}", "not JSON" },
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
		{ "{\"version\":1}", "missing field 'slot'" },
		{ "{\"version\":1,\"slot\":-1}", "bad field 'slot'" },
		{ "{\"version\":1,\"slot\":4294967296}", "bad field 'slot'" },
		{ "{\"version\":1,\"slot\":1e300}", "bad field 'slot'" },
		{ "{\"version\":1,\"slot\":null}", "bad field 'slot'" },
		{ "{\"version\":1,\"slot\":0}", "missing field 'maxtasks'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":true}",
		    "bad field 'maxtasks'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0}",
		    "missing field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,\"termseq\":{}}",
		    "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,\"termseq\":[15]}",
		    "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15,1,2]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[0,100]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[65,100]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15,-1]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[15,0.5]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,"
		    "\"termseq\":[[\"TERM\",100]]}", "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,\"termseq\":"
		    "[[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],"
		    "[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1]]}",
		    "bad field 'termseq'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,\"termseq\":[],"
		    "\"init\":3}", "bad field 'init'" },
		{ "{\"version\":1,\"slot\":0,\"maxtasks\":0,\"termseq\":[],"
		    "\"init\":[\"a\"]}", "bad field 'init'" },
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
	ASSERT_INT_EQ(decode("{\"version\":1,\"slot\":0,\"maxtasks\":0,"
	    "\"init\":\"x\",\"termseq\":[[1]]}", &g, &errstr), -1);
	ASSERT(g.init == NULL);

	/* Sixteen steps is the most, and is fine. */
	tap_context("hello 16 steps");
	ASSERT_INT_EQ(decode("{\"version\":1,\"slot\":0,\"maxtasks\":0,"
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
	r.version = PROTO_VERSION;
	r.pid = 2147483647;
	r.ncpu = 256;
	s = json_reply_encode(&r);
	ASSERT_STR_EQ(s, "{\"version\":1,\"pid\":2147483647,\"ncpu\":256}");
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.version, PROTO_VERSION);
	ASSERT_INT_EQ(g.pid, 2147483647);
	ASSERT_INT_EQ(g.ncpu, 256);
	free(s);

	s = "{\"version\":7}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), 0);
	ASSERT_INT_EQ(g.version, 7);

	s = "{\"version\":1,\"ncpu\":1}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "missing field 'pid'");
	s = "{\"version\":1,\"pid\":0,\"ncpu\":1}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "bad field 'pid'");
	s = "{\"version\":1,\"pid\":5}";
	ASSERT_INT_EQ(json_reply_decode(s, strlen(s), &g, &errstr), -1);
	ASSERT_STR_EQ(errstr, "missing field 'ncpu'");
	s = "{\"version\":1,\"pid\":5,\"ncpu\":0}";
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

int
main(void)
{
	test_hello_roundtrip();
	test_hello_exact();
	test_hello_errors();
	test_reply();
	return (tap_done());
}
