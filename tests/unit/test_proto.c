/*
 * test_proto.c - the frame codec: round trips of every frame type, the
 * exact byte layout, decoding a byte at a time, malformed headers and task
 * lists, and many frames back to back.
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

static void	 put_le32(char *, uint32_t);
static void	 put_le64(char *, uint64_t);
static void	 raw_task(struct buf *, uint64_t, int, int, uint32_t,
		     uint32_t, const char *, size_t);
static int	 decode_one(const struct buf *, struct proto_frame *);
static void	 test_layout(void);
static void	 test_roundtrips(void);
static void	 test_bytewise(void);
static void	 test_malformed(void);
static void	 test_back_to_back(void);
static void	 test_tasks(void);
static void	 test_bad_tasks(void);
static void	 test_begin_end(void);
static void	 test_end_line(void);

/* Stores a u32 little-endian. */
static void
put_le32(char *p, uint32_t v)
{
	int	 i;

	for (i = 0; i < 4; i++)
		p[i] = (char)((v >> (8 * i)) & 0xff);
}

/* Stores a u64 little-endian. */
static void
put_le64(char *p, uint64_t v)
{
	int	 i;

	for (i = 0; i < 8; i++)
		p[i] = (char)((v >> (8 * i)) & 0xff);
}

/* Appends a task header and bytes as given, right or wrong. */
static void
raw_task(struct buf *b, uint64_t seq, int mode, int pad, uint32_t argc,
    uint32_t argslen, const char *args, size_t len)
{
	char	 h[20];

	put_le64(h, seq);
	h[8] = (char)mode;
	h[9] = (char)pad;
	h[10] = h[11] = 0;
	put_le32(h + 12, argc);
	put_le32(h + 16, argslen);
	buf_add(b, h, sizeof h);
	buf_add(b, args, len);
}

/* Decodes the single frame a buffer must hold exactly. */
static int
decode_one(const struct buf *b, struct proto_frame *f)
{
	const char	*errstr = NULL;
	ssize_t		 n;

	n = proto_decode(BUF_PTR(b), b->len, f, &errstr);
	return (n == (ssize_t)b->len);
}

/* The header is little-endian whatever the host. */
static void
test_layout(void)
{
	struct buf	 b;
	const char	 want[] = "\x02\x00\x00\x00\x05\x00\x00\x00"
	    "\x08\x07\x06\x05\x04\x03\x02\x01" "ab";
	const char	 done[] = "\xff\xff\xff\xff\x09\x00\x00\x00"
	    "\x01\x02\x00\x00\x00\x00\x00\x00"
	    "\xfe\xff\xff\xff\xff\xff\xff\xff";
	struct proto_done d;

	tap_context("layout");
	buf_init(&b);
	proto_put(&b, PROTO_DONE, 0x0102030405060708ULL, "ab", 2);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, want, sizeof want - 1);

	buf_reset(&b);
	d.status = -1;
	d.sig = 9;
	d.start_us = 0x0201;
	d.runtime_us = -2;
	proto_put_done(&b, 7, &d);
	ASSERT_INT_EQ(b.len, PROTO_HDRLEN + 24);
	ASSERT_MEM_EQ(BUF_PTR(&b) + PROTO_HDRLEN, b.len - PROTO_HDRLEN, done,
	    sizeof done - 1);

	buf_reset(&b);
	proto_put_start(&b, 1, 0x01020304);
	ASSERT_MEM_EQ(BUF_PTR(&b) + PROTO_HDRLEN, b.len - PROTO_HDRLEN,
	    "\x04\x03\x02\x01", 4);

	buf_reset(&b);
	proto_put_signal(&b, 18);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "\x04\0\0\0\x09\0\0\0"
	    "\0\0\0\0\0\0\0\0" "\x12\0\0\0", PROTO_HDRLEN + 4);

	buf_reset(&b);
	proto_put(&b, PROTO_KILL, 0x0102, NULL, 0);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "\0\0\0\0\x08\0\0\0"
	    "\x02\x01\0\0\0\0\0\0", PROTO_HDRLEN);
	buf_free(&b);
	tap_context(NULL);
}

/* Every frame type survives encoding and decoding. */
static void
test_roundtrips(void)
{
	struct buf		 b;
	struct proto_frame	 f;
	struct proto_done	 d, d2;
	const char		*json = "{\"version\":1}";
	const char		*data;
	static const int	 badsigs[] = { 0, 65, 255, 256, -1, INT_MAX,
				     INT_MIN };
	size_t			 len;
	int			 stream, sig, i;
	pid_t			 pid;

	buf_init(&b);

	tap_context("HELLO");
	proto_put(&b, PROTO_HELLO, 0, json, strlen(json));
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_HELLO);
	ASSERT_INT_EQ(f.seq, 0);
	ASSERT_MEM_EQ(f.payload, f.len, json, strlen(json));

	tap_context("START");
	buf_reset(&b);
	proto_put_start(&b, 42, 31337);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_START);
	ASSERT_INT_EQ(f.seq, 42);
	ASSERT_INT_EQ(proto_get_start(&f, &pid), 0);
	ASSERT_INT_EQ(pid, 31337);
	buf_reset(&b);
	proto_put_start(&b, 43, 0);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_start(&f, &pid), 0);
	ASSERT_INT_EQ(pid, 0);

	tap_context("OUT");
	buf_reset(&b);
	proto_put_out(&b, UINT64_MAX, STREAM_STDERR, "x\0y\n\377", 5);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_OUT);
	ASSERT(f.seq == UINT64_MAX);
	ASSERT_INT_EQ(proto_get_out(&f, &stream, &data, &len), 0);
	ASSERT_INT_EQ(stream, STREAM_STDERR);
	ASSERT_MEM_EQ(data, len, "x\0y\n\377", 5);
	buf_reset(&b);
	proto_put_out(&b, 1, STREAM_STDOUT, "z", 1);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_out(&f, &stream, &data, &len), 0);
	ASSERT_INT_EQ(stream, STREAM_STDOUT);
	ASSERT_MEM_EQ(data, len, "z", 1);
	buf_reset(&b);
	proto_put_out(&b, 1, STREAM_STDOUT, "", 0);
	ASSERT_INT_EQ(b.len, 0);

	/*
	 * Read in place: the same bytes as proto_put_out(), after a frame
	 * already queued, and nothing at all for 0 bytes.
	 */
	tap_context("OUT in place");
	{
		struct buf	 want;
		char		*p;

		buf_init(&want);
		buf_reset(&b);
		proto_put_start(&b, 6, 77);
		proto_put_start(&want, 6, 77);
		p = proto_out_reserve(&b, 65536);
		memcpy(p, "in\0place", 8);
		proto_out_commit(&b, 6, STREAM_STDERR, 8);
		proto_put_out(&want, 6, STREAM_STDERR, "in\0place", 8);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, BUF_PTR(&want), want.len);
		(void)proto_out_reserve(&b, 100);
		proto_out_commit(&b, 7, STREAM_STDOUT, 0);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, BUF_PTR(&want), want.len);
		buf_free(&want);
	}

	tap_context("DONE");
	d.status = 3;
	d.sig = 0;
	d.start_us = 1700000000123456LL;
	d.runtime_us = 987654;
	buf_reset(&b);
	proto_put_done(&b, 5, &d);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_DONE);
	ASSERT_INT_EQ(f.seq, 5);
	memset(&d2, 0xa5, sizeof d2);
	ASSERT_INT_EQ(proto_get_done(&f, &d2), 0);
	ASSERT_INT_EQ(d2.status, 3);
	ASSERT_INT_EQ(d2.sig, 0);
	ASSERT_INT_EQ(d2.start_us, 1700000000123456LL);
	ASSERT_INT_EQ(d2.runtime_us, 987654);
	d.status = -1;
	d.sig = 15;
	d.start_us = INT64_MIN;
	d.runtime_us = INT64_MAX;
	buf_reset(&b);
	proto_put_done(&b, 6, &d);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_done(&f, &d2), 0);
	ASSERT_INT_EQ(d2.status, -1);
	ASSERT_INT_EQ(d2.sig, 15);
	ASSERT(d2.start_us == INT64_MIN);
	ASSERT(d2.runtime_us == INT64_MAX);

	tap_context("RETIRE");
	buf_reset(&b);
	proto_put(&b, PROTO_RETIRE, 0, NULL, 0);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_RETIRE);
	ASSERT_INT_EQ(f.len, 0);
	ASSERT_INT_EQ(b.len, PROTO_HDRLEN);

	tap_context("STOP");
	buf_reset(&b);
	proto_put(&b, PROTO_STOP, 9, NULL, 0);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_STOP);
	ASSERT_INT_EQ(f.seq, 9);

	tap_context("KILL");
	buf_reset(&b);
	proto_put(&b, PROTO_KILL, 12345678901ULL, NULL, 0);
	ASSERT_INT_EQ(b.len, PROTO_HDRLEN);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_KILL);
	ASSERT(f.seq == 12345678901ULL);
	ASSERT_INT_EQ(f.len, 0);

	tap_context("AGAIN");
	buf_reset(&b);
	proto_put(&b, PROTO_AGAIN, 77, NULL, 0);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_AGAIN);
	ASSERT_INT_EQ(f.seq, 77);
	ASSERT_INT_EQ(f.len, 0);

	tap_context("SIGNAL");
	buf_reset(&b);
	proto_put_signal(&b, 20);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_SIGNAL);
	ASSERT_INT_EQ(f.seq, 0);
	sig = 0;
	ASSERT_INT_EQ(proto_get_signal(&f, &sig), 0);
	ASSERT_INT_EQ(sig, 20);
	for (i = 1; i <= 64; i++) {
		buf_reset(&b);
		proto_put_signal(&b, i);
		sig = 0;
		if (!decode_one(&b, &f) || f.type != PROTO_SIGNAL ||
		    proto_get_signal(&f, &sig) != 0 || sig != i)
			break;
	}
	ASSERT_INT_EQ(i, 65);

	tap_context("wrong payload lengths");
	buf_reset(&b);
	proto_put(&b, PROTO_DONE, 1, "12345678901234567890123", 23);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_done(&f, &d2), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_DONE, 1, "1234567890123456789012345", 25);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_done(&f, &d2), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_START, 1, "12345", 5);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_start(&f, &pid), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_START, 1, "", 0);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_start(&f, &pid), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_OUT, 1, "\001", 1);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_out(&f, &stream, &data, &len), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_OUT, 1, "\003x", 2);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_out(&f, &stream, &data, &len), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_OUT, 1, "\000x", 2);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_out(&f, &stream, &data, &len), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_SIGNAL, 0, "\017\0\0", 3);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_signal(&f, &sig), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_SIGNAL, 0, "\017\0\0\0\0", 5);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_signal(&f, &sig), -1);
	buf_reset(&b);
	proto_put(&b, PROTO_SIGNAL, 0, NULL, 0);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(proto_get_signal(&f, &sig), -1);

	tap_context("signal numbers out of range");
	for (i = 0; i < (int)(sizeof badsigs / sizeof badsigs[0]); i++) {
		buf_reset(&b);
		proto_put_signal(&b, badsigs[i]);
		ASSERT(decode_one(&b, &f));
		sig = 12345;
		ASSERT_INT_EQ(proto_get_signal(&f, &sig), -1);
		ASSERT_INT_EQ(sig, 12345);
	}

	buf_free(&b);
	tap_context(NULL);
}

/* Every strict prefix of a stream of frames is incomplete, never wrong. */
static void
test_bytewise(void)
{
	struct buf		 b;
	struct proto_frame	 f;
	struct proto_done	 d = { 1, 0, 2, 3 };
	const char		*errstr;
	size_t			 off, i, mark, ends[10];
	int			 nframes = 0, bad = 0, k;
	ssize_t			 n;

	tap_context("byte by byte");
	buf_init(&b);
	proto_put(&b, PROTO_HELLO, 0, "{}", 2);
	ends[nframes++] = b.len;
	mark = proto_begin(&b, PROTO_TASKS, 0);
	proto_put_task(&b, 1, TEMPLATE_EXEC, "echo\0a\0", 7, 2);
	proto_end(&b, mark);
	ends[nframes++] = b.len;
	proto_put_start(&b, 1, 100);
	ends[nframes++] = b.len;
	proto_put_out(&b, 1, STREAM_STDOUT, "a\n", 2);
	ends[nframes++] = b.len;
	proto_put_done(&b, 1, &d);
	ends[nframes++] = b.len;
	proto_put(&b, PROTO_RETIRE, 0, NULL, 0);
	ends[nframes++] = b.len;
	proto_put(&b, PROTO_KILL, 3, NULL, 0);
	ends[nframes++] = b.len;
	proto_put_signal(&b, 19);
	ends[nframes++] = b.len;

	/* Feed the stream one byte more at a time, like a slow pipe. */
	off = 0;
	k = 0;
	for (i = 1; i <= b.len; i++) {
		n = proto_decode(BUF_PTR(&b) + off, i - off, &f, &errstr);
		if (n < 0) {
			bad++;
			break;
		}
		if (n == 0) {
			if (k < nframes && i == ends[k])
				bad++;
			continue;
		}
		if (k >= nframes || off + (size_t)n != ends[k] ||
		    i != ends[k])
			bad++;
		off += (size_t)n;
		k++;
	}
	ASSERT_INT_EQ(bad, 0);
	ASSERT_INT_EQ(k, nframes);
	ASSERT_INT_EQ(off, b.len);

	/* A complete header with part of the payload is still incomplete. */
	buf_reset(&b);
	proto_put(&b, PROTO_OUT, 1, "\001abcdef", 7);
	ASSERT_INT_EQ(proto_decode(BUF_PTR(&b), PROTO_HDRLEN + 3, &f,
	    &errstr), 0);
	ASSERT_INT_EQ(proto_decode(BUF_PTR(&b), 0, &f, &errstr), 0);
	buf_free(&b);
	tap_context(NULL);
}

/* Bad headers are refused as soon as the header is complete. */
static void
test_malformed(void)
{
	static const struct {
		const char	*name;
		int		 type;
		int		 pad;
		uint32_t	 len;
	} rows[] = {
		{ "type 0", 0, 0, 0 },
		{ "type 12", 12, 0, 0 },
		{ "type 255", 255, 0, 0 },
		{ "pad byte", PROTO_OUT, 1, 2 },
		{ "pad 0x80", PROTO_STOP, 0x80, 0 },
		{ "too long", PROTO_TASKS, 0, PROTO_MAXLEN + 1 },
		{ "way too long", PROTO_OUT, 0, UINT32_MAX },
	};
	struct proto_frame	 f;
	const char		*errstr;
	char			 h[PROTO_HDRLEN];
	size_t			 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("malformed %s", rows[i].name);
		memset(h, 0, sizeof h);
		put_le32(h, rows[i].len);
		h[4] = (char)rows[i].type;
		h[5 + i % 3] = (char)rows[i].pad;
		errstr = NULL;
		ASSERT_INT_EQ(proto_decode(h, sizeof h, &f, &errstr), -1);
		ASSERT(errstr != NULL && *errstr != '\0');
		/* One byte short of a header, nothing is known yet. */
		ASSERT_INT_EQ(proto_decode(h, sizeof h - 1, &f, &errstr), 0);
	}

	tap_context("largest payload accepted");
	memset(h, 0, sizeof h);
	put_le32(h, PROTO_MAXLEN);
	h[4] = PROTO_OUT;
	ASSERT_INT_EQ(proto_decode(h, sizeof h, &f, &errstr), 0);
	tap_context(NULL);
}

/* Thousands of frames of every size in one buffer decode in order. */
static void
test_back_to_back(void)
{
	struct buf		 b;
	struct proto_frame	 f;
	struct proto_done	 d;
	const char		*errstr, *data;
	char			 payload[3000];
	size_t			 off, len;
	ssize_t			 n;
	int			 i, bad = 0, stream;
	pid_t			 pid;

	buf_init(&b);
	for (i = 0; i < (int)sizeof payload; i++)
		payload[i] = (char)(i * 7);
	for (i = 0; i < 3000; i++) {
		switch (i % 3) {
		case 0:
			proto_put_out(&b, i, 1 + i % 2, payload, 1 + i);
			break;
		case 1:
			proto_put_start(&b, i, i);
			break;
		case 2:
			d.status = i;
			d.sig = i % 64;
			d.start_us = -i;
			d.runtime_us = (int64_t)i << 40;
			proto_put_done(&b, i, &d);
			break;
		}
	}
	off = 0;
	for (i = 0; i < 3000; i++) {
		n = proto_decode(BUF_PTR(&b) + off, b.len - off, &f, &errstr);
		if (n <= 0 || f.seq != (uint64_t)i) {
			bad++;
			break;
		}
		off += (size_t)n;
		switch (i % 3) {
		case 0:
			if (f.type != PROTO_OUT ||
			    proto_get_out(&f, &stream, &data, &len) != 0 ||
			    stream != 1 + i % 2 || len != (size_t)i + 1 ||
			    memcmp(data, payload, len) != 0)
				bad++;
			break;
		case 1:
			if (f.type != PROTO_START ||
			    proto_get_start(&f, &pid) != 0 || pid != i)
				bad++;
			break;
		case 2:
			if (f.type != PROTO_DONE ||
			    proto_get_done(&f, &d) != 0 || d.status != i ||
			    d.sig != i % 64 || d.start_us != -i ||
			    d.runtime_us != (int64_t)i << 40)
				bad++;
			break;
		}
	}
	tap_context("back to back");
	ASSERT_INT_EQ(bad, 0);
	ASSERT_INT_EQ(off, b.len);
	ASSERT_INT_EQ(proto_decode(BUF_PTR(&b) + off, 0, &f, &errstr), 0);
	buf_free(&b);
	tap_context(NULL);
}

/* A TASKS frame with awkward arguments decodes to the same strings. */
static void
test_tasks(void)
{
	static const char	 args1[] = "printf\0%s|\0\0a b\n\377\001\0\0";
	static const char	 args2[] = "echo $HOME; exit 3\0";
	static const char	 args3[] = "\0";
	struct buf		 b;
	struct proto_frame	 f;
	struct proto_task	 t;
	const char		*errstr;
	size_t			 mark, off;
	int			 i;

	tap_context("TASKS");
	buf_init(&b);
	/* Something already consumed in front: the mark is relative. */
	buf_add(&b, "junk", 4);
	buf_consume(&b, 4);
	mark = proto_begin(&b, PROTO_TASKS, 0);
	proto_put_task(&b, 10, TEMPLATE_EXEC, args1, sizeof args1 - 1, 5);
	proto_put_task(&b, 11, TEMPLATE_SHELL, args2, sizeof args2 - 1, 1);
	proto_put_task(&b, 1ULL << 63, TEMPLATE_EXEC, args3, 1, 1);
	for (i = 0; i < 100; i++)
		proto_put_task(&b, 100 + i, TEMPLATE_EXEC, "true\0", 5, 1);
	proto_end(&b, mark);
	ASSERT(decode_one(&b, &f));
	ASSERT_INT_EQ(f.type, PROTO_TASKS);

	off = 0;
	memset(&t, 0, sizeof t);
	if (!ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), 1))
		return;
	ASSERT_INT_EQ(t.seq, 10);
	ASSERT_INT_EQ(t.mode, TEMPLATE_EXEC);
	ASSERT_INT_EQ(t.argc, 5);
	ASSERT_INT_EQ(t.argslen, sizeof args1 - 1);
	ASSERT_STR_EQ(t.argv[0], "printf");
	ASSERT_STR_EQ(t.argv[1], "%s|");
	ASSERT_STR_EQ(t.argv[2], "");
	ASSERT_STR_EQ(t.argv[3], "a b\n\377\001");
	ASSERT_STR_EQ(t.argv[4], "");
	ASSERT(t.argv[5] == NULL);
	free(t.argv);

	ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), 1);
	ASSERT_INT_EQ(t.seq, 11);
	ASSERT_INT_EQ(t.mode, TEMPLATE_SHELL);
	ASSERT_INT_EQ(t.argc, 1);
	ASSERT_STR_EQ(t.argv[0], "echo $HOME; exit 3");
	ASSERT(t.argv[1] == NULL);
	free(t.argv);

	ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), 1);
	ASSERT(t.seq == 1ULL << 63);
	ASSERT_INT_EQ(t.argc, 1);
	ASSERT_STR_EQ(t.argv[0], "");
	free(t.argv);

	for (i = 0; i < 100; i++) {
		if (proto_next_task(&f, &off, &t, &errstr) != 1)
			break;
		if (t.seq != (uint64_t)(100 + i) || t.argc != 1 ||
		    strcmp(t.argv[0], "true") != 0) {
			free(t.argv);
			break;
		}
		free(t.argv);
	}
	ASSERT_INT_EQ(i, 100);
	ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), 0);
	ASSERT_INT_EQ(off, f.len);

	/* An empty TASKS frame holds no task. */
	buf_reset(&b);
	mark = proto_begin(&b, PROTO_TASKS, 0);
	proto_end(&b, mark);
	ASSERT(decode_one(&b, &f));
	off = 0;
	ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), 0);
	buf_free(&b);
	tap_context(NULL);
}

/* Each way a task list can be wrong is refused with a reason. */
static void
test_bad_tasks(void)
{
	static const struct {
		const char	*name;
		int		 mode, pad;
		uint32_t	 argc, argslen;
		const char	*args;
		size_t		 len;
	} rows[] = {
		{ "argc 0", 0, 0, 0, 0, "", 0 },
		{ "argc 0 with bytes", 0, 0, 0, 2, "a\0", 2 },
		{ "mode 2", 2, 0, 1, 2, "a\0", 2 },
		{ "mode 255", 255, 0, 1, 2, "a\0", 2 },
		{ "padding", 0, 1, 1, 2, "a\0", 2 },
		{ "too few NULs", 0, 0, 2, 2, "a\0", 2 },
		{ "too many NULs", 0, 0, 1, 4, "a\0b\0", 4 },
		{ "unterminated", 0, 0, 1, 2, "ab", 2 },
		{ "last unterminated", 0, 0, 2, 3, "a\0b", 3 },
		{ "argc > argslen", 0, 0, 3, 2, "\0\0", 2 },
		{ "argslen past payload", 0, 0, 1, 3, "a\0", 2 },
		{ "argslen huge", 0, 0, 1, UINT32_MAX, "a\0", 2 },
		{ "shell with 2 strings", 1, 0, 2, 4, "a\0b\0", 4 },
		{ "empty args", 0, 0, 1, 0, "", 0 },
	};
	struct buf		 b;
	struct proto_frame	 f;
	struct proto_task	 t;
	const char		*errstr;
	size_t			 i, off, mark;
	int			 bad;

	buf_init(&b);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("bad task %s", rows[i].name);
		buf_reset(&b);
		mark = proto_begin(&b, PROTO_TASKS, 0);
		/* A good task first: the error is found on the second. */
		proto_put_task(&b, 1, TEMPLATE_EXEC, "ok\0", 3, 1);
		raw_task(&b, 2, rows[i].mode, rows[i].pad, rows[i].argc,
		    rows[i].argslen, rows[i].args, rows[i].len);
		proto_end(&b, mark);
		ASSERT(decode_one(&b, &f));
		off = 0;
		t.argv = NULL;
		ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), 1);
		free(t.argv);
		errstr = NULL;
		ASSERT_INT_EQ(proto_next_task(&f, &off, &t, &errstr), -1);
		ASSERT(errstr != NULL);
	}

	/* A task header cut short, at every length. */
	tap_context("truncated task header");
	bad = 0;
	for (i = 1; i < 20; i++) {
		buf_reset(&b);
		mark = proto_begin(&b, PROTO_TASKS, 0);
		buf_add(&b, "\1\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\2\0\0\0", i);
		proto_end(&b, mark);
		off = 0;
		if (!decode_one(&b, &f) ||
		    proto_next_task(&f, &off, &t, &errstr) != -1)
			bad++;
	}
	ASSERT_INT_EQ(bad, 0);
	buf_free(&b);
	tap_context(NULL);
}

/* proto_begin/proto_end frame whatever is appended between them. */
static void
test_begin_end(void)
{
	struct buf		 b;
	struct proto_frame	 f;
	const char		*errstr;
	size_t			 mark;
	ssize_t			 n;
	int			 i;

	tap_context("begin/end");
	buf_init(&b);
	proto_put(&b, PROTO_STOP, 0, NULL, 0);
	mark = proto_begin(&b, PROTO_HELLO, 77);
	ASSERT_INT_EQ(mark, PROTO_HDRLEN);
	/* Enough to make the buffer move its storage. */
	for (i = 0; i < 10000; i++)
		buf_adds(&b, "0123456789");
	proto_end(&b, mark);
	n = proto_decode(BUF_PTR(&b), b.len, &f, &errstr);
	ASSERT_INT_EQ(n, PROTO_HDRLEN);
	ASSERT_INT_EQ(f.type, PROTO_STOP);
	buf_consume(&b, (size_t)n);
	n = proto_decode(BUF_PTR(&b), b.len, &f, &errstr);
	ASSERT_INT_EQ(n, PROTO_HDRLEN + 100000);
	ASSERT_INT_EQ(f.type, PROTO_HELLO);
	ASSERT_INT_EQ(f.seq, 77);
	ASSERT_INT_EQ(f.len, 100000);
	ASSERT_MEM_EQ(f.payload + 99990, 10, "0123456789", 10);
	buf_free(&b);
	tap_context(NULL);
}

/*
 * proto_end_line() ends a buffer with a newline, adding a NOP frame only
 * when the last byte is not one, and the frames still decode in order.
 */
static void
test_end_line(void)
{
	struct buf		 b;
	struct proto_frame	 f;
	const char		*errstr;
	ssize_t			 n;

	tap_context("end line");
	buf_init(&b);
	proto_end_line(&b);
	ASSERT_INT_EQ(b.len, 0);
	proto_put_out(&b, 5, STREAM_STDOUT, "hi\n", 3);
	n = (ssize_t)b.len;
	proto_end_line(&b);
	ASSERT_INT_EQ(b.len, n);
	proto_put(&b, PROTO_STOP, 0, NULL, 0);
	proto_end_line(&b);
	ASSERT_INT_EQ(b.len, n + 2 * PROTO_HDRLEN + 1);
	ASSERT_INT_EQ(BUF_PTR(&b)[b.len - 1], '\n');
	proto_end_line(&b);
	ASSERT_INT_EQ(b.len, n + 2 * PROTO_HDRLEN + 1);
	n = proto_decode(BUF_PTR(&b), b.len, &f, &errstr);
	ASSERT_INT_EQ(f.type, PROTO_OUT);
	buf_consume(&b, (size_t)n);
	n = proto_decode(BUF_PTR(&b), b.len, &f, &errstr);
	ASSERT_INT_EQ(f.type, PROTO_STOP);
	buf_consume(&b, (size_t)n);
	n = proto_decode(BUF_PTR(&b), b.len, &f, &errstr);
	ASSERT_INT_EQ(n, PROTO_HDRLEN + 1);
	ASSERT_INT_EQ(f.type, PROTO_NOP);
	ASSERT_MEM_EQ(f.payload, f.len, "\n", 1);
	buf_free(&b);
	tap_context(NULL);
}

int
main(void)
{
	test_layout();
	test_roundtrips();
	test_bytewise();
	test_malformed();
	test_back_to_back();
	test_tasks();
	test_bad_tasks();
	test_begin_end();
	test_end_line();
	return (tap_done());
}
