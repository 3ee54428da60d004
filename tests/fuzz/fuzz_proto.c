/*
 * fuzz_proto.c - libFuzzer target for the frame decoder in proto.c.  The
 * input is taken as the bytes a pipe delivered: proto_decode() is called
 * over it frame after frame, as pool.c and worker.c do with their read
 * buffers, until it asks for more bytes or rejects a header.  Every frame
 * found is checked against the input (it lies inside it, its length is
 * the header's), decoded with every typed getter (TASKS tasks one by one
 * with proto_next_task(), DONE, START, OUT, SIGNAL), and encoded again
 * with the matching encoder, which must give back the very same bytes: a
 * frame the decoder accepts is one the encoder can write.  A broken
 * invariant aborts, which libFuzzer reports as a crash.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprun.h"
#include "fuzz.h"

static void	 fuzz_same(const struct buf *, size_t, const char *, size_t);
static void	 fuzz_tasks(const struct proto_frame *, const char *, size_t);
static void	 fuzz_getters(const struct proto_frame *, const char *,
		     size_t);
static void	 fuzz_frame(const char *, size_t);

/* Says that b from offset start holds exactly the len bytes at p. */
static void
fuzz_same(const struct buf *b, size_t start, const char *p, size_t len)
{
	CHECK(b->len >= start);
	CHECK(b->len - start == len);
	CHECK(memcmp(BUF_PTR(b) + start, p, len) == 0);
}

/*
 * Walks the tasks of a TASKS frame (whole: the frame's bytes, header
 * included) and, when all of them decode, rebuilds the frame the way
 * dispatch.c does, with proto_begin(), proto_put_task() and proto_end().
 */
static void
fuzz_tasks(const struct proto_frame *f, const char *whole, size_t wlen)
{
	struct proto_task	 t;
	struct buf		 b, one;
	const char		*errstr, *args;
	size_t			 off = 0, prev, mark, sum, i;
	int			 r;

	buf_init(&b);
	buf_init(&one);
	/* Something in front, so that the mark is not 0. */
	buf_adds(&b, "xyz");
	mark = proto_begin(&b, PROTO_TASKS, f->seq);
	CHECK(mark == 3);
	for (;;) {
		prev = off;
		errstr = NULL;
		memset(&t, 0xa5, sizeof t);
		r = proto_next_task(f, &off, &t, &errstr);
		if (r != 1) {
			CHECK(r == 0 || r == -1);
			CHECK(r == 0 || errstr != NULL);
			CHECK(r == -1 || off == f->len);
			CHECK(off == prev);
			break;
		}
		CHECK(off > prev && off <= f->len);
		CHECK(t.mode == TEMPLATE_EXEC || t.mode == TEMPLATE_SHELL);
		CHECK(t.argc >= 1);
		CHECK(t.mode == TEMPLATE_EXEC || t.argc == 1);
		CHECK(off - prev == 20 + t.argslen);

		/* The strings tile the argument bytes exactly. */
		args = f->payload + prev + 20;
		CHECK(t.argv[0] == args);
		CHECK(t.argv[t.argc] == NULL);
		sum = 0;
		for (i = 0; i < (size_t)t.argc; i++) {
			CHECK(t.argv[i] == args + sum);
			sum += strlen(t.argv[i]) + 1;
			CHECK(sum <= t.argslen);
		}
		CHECK(sum == t.argslen);

		/* Encoded alone, the task is the bytes it came from. */
		buf_reset(&one);
		proto_put_task(&one, t.seq, t.mode, t.argv[0], t.argslen,
		    t.argc);
		fuzz_same(&one, 0, f->payload + prev, off - prev);
		proto_put_task(&b, t.seq, t.mode, t.argv[0], t.argslen,
		    t.argc);
		free(t.argv);
	}
	if (r == 0) {
		proto_end(&b, mark);
		fuzz_same(&b, 3, whole, wlen);
	}
	buf_free(&one);
	buf_free(&b);
}

/*
 * Runs every typed getter on the frame, whatever its type (they must cope
 * with any payload), and checks that what the getter of the frame's own
 * type accepts encodes back to the frame.
 */
static void
fuzz_getters(const struct proto_frame *f, const char *whole, size_t wlen)
{
	struct proto_done	 d;
	struct buf		 b;
	const char		*data;
	size_t			 len;
	pid_t			 pid;
	int			 stream, sig;

	buf_init(&b);
	if (proto_get_done(f, &d) == 0) {
		CHECK(f->len == 24);
		if (f->type == PROTO_DONE) {
			proto_put_done(&b, f->seq, &d);
			fuzz_same(&b, 0, whole, wlen);
		}
	}
	buf_reset(&b);
	if (proto_get_start(f, &pid) == 0) {
		CHECK(f->len == 4);
		if (f->type == PROTO_START) {
			proto_put_start(&b, f->seq, pid);
			fuzz_same(&b, 0, whole, wlen);
		}
	}
	buf_reset(&b);
	if (proto_get_out(f, &stream, &data, &len) == 0) {
		CHECK(stream == STREAM_STDOUT || stream == STREAM_STDERR);
		CHECK(len >= 1 && len + 1 == f->len);
		CHECK(data == f->payload + 1);
		if (f->type == PROTO_OUT) {
			proto_put_out(&b, f->seq, stream, data, len);
			fuzz_same(&b, 0, whole, wlen);
		}
	}
	buf_reset(&b);
	if (proto_get_signal(f, &sig) == 0) {
		CHECK(f->len == 4);
		CHECK(sig >= 1 && sig <= 64);
		if (f->type == PROTO_SIGNAL) {
			/* A SIGNAL frame is always sent with sequence 0. */
			proto_put_signal(&b, sig);
			CHECK(b.len == wlen);
			CHECK(memcmp(BUF_PTR(&b) + 16, whole + 16, 4) == 0);
			CHECK(f->seq != 0 || memcmp(BUF_PTR(&b), whole,
			    wlen) == 0);
		}
	}
	buf_free(&b);
}

/* Checks one frame the decoder found: whole[0, wlen) is all of it. */
static void
fuzz_frame(const char *whole, size_t wlen)
{
	struct proto_frame	 f, g;
	struct buf		 b;
	const char		*errstr;

	errstr = NULL;
	CHECK(proto_decode(whole, wlen, &f, &errstr) == (ssize_t)wlen);
	CHECK(f.type >= PROTO_HELLO && f.type <= PROTO_NOP);
	CHECK(f.len <= PROTO_MAXLEN);
	CHECK((size_t)f.len + PROTO_HDRLEN == wlen);
	CHECK(f.payload == whole + PROTO_HDRLEN);

	/* One byte short, the same frame is incomplete, not malformed. */
	CHECK(proto_decode(whole, wlen - 1, &g, &errstr) == 0);

	/* The generic encoder gives the frame back byte for byte. */
	buf_init(&b);
	proto_put(&b, f.type, f.seq, f.payload, f.len);
	fuzz_same(&b, 0, whole, wlen);
	buf_free(&b);

	fuzz_getters(&f, whole, wlen);
	if (f.type == PROTO_TASKS)
		fuzz_tasks(&f, whole, wlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *errstr;
	struct proto_frame	 f;
	size_t			 off = 0;
	ssize_t			 r;
	uint32_t		 plen;

	while (off < size) {
		errstr = NULL;
		r = proto_decode(p + off, size - off, &f, &errstr);
		if (r == -1) {
			CHECK(errstr != NULL);
			CHECK(size - off >= PROTO_HDRLEN);
			break;
		}
		CHECK(r >= 0);
		if (r == 0) {
			/* Incomplete: short header or a longer payload. */
			if (size - off >= PROTO_HDRLEN) {
				plen = (uint32_t)data[off] |
				    (uint32_t)data[off + 1] << 8 |
				    (uint32_t)data[off + 2] << 16 |
				    (uint32_t)data[off + 3] << 24;
				CHECK(size - off - PROTO_HDRLEN < plen);
			}
			break;
		}
		CHECK(r >= PROTO_HDRLEN && (size_t)r <= size - off);
		fuzz_frame(p + off, (size_t)r);
		off += (size_t)r;
	}
	return (0);
}
