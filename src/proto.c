/*
 * proto.c - encodes and decodes the frames that parent and workers
 * exchange over their pipes.  A frame is a 16-byte header (u32 payload
 * length, u8 type, 3 zero bytes, u64 sequence number, all little-endian
 * whatever the host) followed by the payload.  Encoders append whole frames
 * to a struct buf, which the caller writes out; proto_decode() looks at the
 * bytes read so far and either finds one complete frame, whose payload
 * points into those bytes, or says that more are needed.  Typed payloads
 * (TASKS, START, OUT, DONE, SIGNAL) have their own put/get pairs; the
 * header-only frames (RETIRE, STOP, KILL) are built with proto_put().
 * NOP frames carry a newline and nothing else: a launcher may put a relay
 * between parent and worker that passes bytes on only at a newline (srun
 * without -u, any line-buffered filter), so each write to or from a
 * remote worker ends with one (proto_end_line()).
 * This module does no I/O and makes no libuv calls, so it can be
 * unit-tested and fuzzed.
 */

#include <stdint.h>
#include <string.h>

#include "mprun.h"

/* A task's header inside a TASKS payload: seq, mode, pad, argc, argslen. */
#define PROTO_TASKHDRLEN	20
#define PROTO_DONELEN		24
#define PROTO_STARTLEN		4
#define PROTO_SIGNALLEN		4
#define PROTO_SIGMAX		64	/* the highest Linux signal */

static void	 proto_le32(char *, uint32_t);
static void	 proto_le64(char *, uint64_t);
static uint32_t	 proto_get32(const char *);
static uint64_t	 proto_get64(const char *);
static void	 proto_header(char *, int, uint64_t, uint32_t);

/* Stores a u32 little-endian. */
static void
proto_le32(char *p, uint32_t v)
{
	unsigned char	*u = (unsigned char *)p;

	u[0] = v & 0xff;
	u[1] = (v >> 8) & 0xff;
	u[2] = (v >> 16) & 0xff;
	u[3] = (v >> 24) & 0xff;
}

/* Stores a u64 little-endian. */
static void
proto_le64(char *p, uint64_t v)
{
	proto_le32(p, v & 0xffffffffU);
	proto_le32(p + 4, v >> 32);
}

/* Loads a little-endian u32. */
static uint32_t
proto_get32(const char *p)
{
	const unsigned char	*u = (const unsigned char *)p;

	return ((uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
	    (uint32_t)u[3] << 24);
}

/* Loads a little-endian u64. */
static uint64_t
proto_get64(const char *p)
{
	return ((uint64_t)proto_get32(p) | (uint64_t)proto_get32(p + 4) << 32);
}

/* Fills in a frame header. */
static void
proto_header(char *p, int type, uint64_t seq, uint32_t len)
{
	proto_le32(p, len);
	p[4] = (char)type;
	p[5] = p[6] = p[7] = 0;
	proto_le64(p + 8, seq);
}

/*
 * Ends what b holds with a newline, adding a NOP frame if its last byte
 * is not one already: a relay that passes bytes on a line at a time then
 * passes all of them.
 */
void
proto_end_line(struct buf *b)
{
	if (b->len == 0 || BUF_PTR(b)[b->len - 1] == '\n')
		return;
	proto_put(b, PROTO_NOP, 0, "\n", 1);
}

/*
 * Finds the frame at the start of data.  Returns the bytes it takes (header
 * and payload) with f filled in and f->payload pointing into data, 0 when
 * data holds only part of a frame, or -1 with *errstr set when the header
 * is malformed (checked as soon as the header is complete).
 */
ssize_t
proto_decode(const char *data, size_t len, struct proto_frame *f,
    const char **errstr)
{
	uint32_t	 plen;
	int		 type;

	if (len < PROTO_HDRLEN)
		return (0);
	plen = proto_get32(data);
	type = (unsigned char)data[4];
	if (type < PROTO_HELLO || type > PROTO_NOP) {
		*errstr = "unknown frame type";
		return (-1);
	}
	if (data[5] != 0 || data[6] != 0 || data[7] != 0) {
		*errstr = "nonzero padding in frame header";
		return (-1);
	}
	if (plen > PROTO_MAXLEN) {
		*errstr = "frame too long";
		return (-1);
	}
	if (len - PROTO_HDRLEN < plen)
		return (0);
	f->type = type;
	f->seq = proto_get64(data + 8);
	f->payload = data + PROTO_HDRLEN;
	f->len = plen;
	return ((ssize_t)(PROTO_HDRLEN + plen));
}

/* Appends a whole frame. */
void
proto_put(struct buf *b, int type, uint64_t seq, const void *payload,
    uint32_t len)
{
	if (len > PROTO_MAXLEN)
		fatalx("proto_put: payload of %u bytes", len);
	proto_header(buf_reserve(b, PROTO_HDRLEN), type, seq, len);
	buf_commit(b, PROTO_HDRLEN);
	buf_add(b, payload, len);
}

/*
 * Appends the header of a frame whose payload the caller appends next, and
 * returns where the header is: its offset from BUF_PTR(b) as it is now.
 * The mark stays valid as long as nothing is consumed from b until
 * proto_end().
 */
size_t
proto_begin(struct buf *b, int type, uint64_t seq)
{
	size_t	 mark = b->len;

	proto_header(buf_reserve(b, PROTO_HDRLEN), type, seq, 0);
	buf_commit(b, PROTO_HDRLEN);
	return (mark);
}

/* Sets the length of the frame begun at mark to what was appended since. */
void
proto_end(struct buf *b, size_t mark)
{
	size_t	 plen;

	if (mark + PROTO_HDRLEN > b->len)
		fatalx("proto_end: bad mark %zu", mark);
	plen = b->len - mark - PROTO_HDRLEN;
	if (plen > PROTO_MAXLEN)
		fatalx("proto_end: payload of %zu bytes", plen);
	proto_le32(BUF_PTR(b) + mark, (uint32_t)plen);
}

/*
 * Appends one task to a TASKS payload: args holds argc NUL-terminated
 * strings in argslen bytes.
 */
void
proto_put_task(struct buf *b, uint64_t seq, int mode, const char *args,
    size_t argslen, int argc)
{
	char	*p;

	if (argslen > PROTO_MAXLEN || argc <= 0)
		fatalx("proto_put_task: %d args in %zu bytes", argc, argslen);
	p = buf_reserve(b, PROTO_TASKHDRLEN);
	proto_le64(p, seq);
	p[8] = (char)mode;
	p[9] = p[10] = p[11] = 0;
	proto_le32(p + 12, (uint32_t)argc);
	proto_le32(p + 16, (uint32_t)argslen);
	buf_commit(b, PROTO_TASKHDRLEN);
	buf_add(b, args, argslen);
}

/*
 * Decodes the task at *off of a TASKS frame (start with *off = 0) and moves
 * *off past it.  Returns 1 with t filled in, 0 at the end of the payload,
 * or -1 with *errstr set.  t->argv is a new array of pointers into the
 * payload that the caller frees.
 */
int
proto_next_task(const struct proto_frame *f, size_t *off,
    struct proto_task *t, const char **errstr)
{
	const char	*p, *args, *s;
	size_t		 left, i, n;
	uint32_t	 argc, argslen;
	int		 mode;

	if (*off == f->len)
		return (0);
	if (*off > f->len) {
		*errstr = "task offset past the payload";
		return (-1);
	}
	p = f->payload + *off;
	left = f->len - *off;
	if (left < PROTO_TASKHDRLEN) {
		*errstr = "truncated task header";
		return (-1);
	}
	mode = (unsigned char)p[8];
	argc = proto_get32(p + 12);
	argslen = proto_get32(p + 16);
	if (mode != TEMPLATE_EXEC && mode != TEMPLATE_SHELL) {
		*errstr = "bad task mode";
		return (-1);
	}
	if (p[9] != 0 || p[10] != 0 || p[11] != 0) {
		*errstr = "nonzero padding in task header";
		return (-1);
	}
	if (argc == 0) {
		*errstr = "task without arguments";
		return (-1);
	}
	if (mode == TEMPLATE_SHELL && argc != 1) {
		*errstr = "shell task with more than one string";
		return (-1);
	}
	if (argslen > left - PROTO_TASKHDRLEN) {
		*errstr = "truncated task arguments";
		return (-1);
	}
	args = p + PROTO_TASKHDRLEN;

	/* Exactly argc strings, the last one ending at the last byte. */
	if (argc > argslen || argslen == 0 || args[argslen - 1] != '\0') {
		*errstr = "task arguments not terminated";
		return (-1);
	}
	n = 0;
	for (s = args; s < args + argslen; s++) {
		if ((s = memchr(s, '\0', args + argslen - s)) == NULL)
			break;
		n++;
	}
	if (n != argc) {
		*errstr = "wrong number of task arguments";
		return (-1);
	}

	t->seq = proto_get64(p);
	t->mode = mode;
	t->argc = (int)argc;
	t->argslen = argslen;
	t->argv = xreallocarray(NULL, (size_t)argc + 1, sizeof *t->argv);
	s = args;
	for (i = 0; i < argc; i++) {
		/* The strings live in the caller's read buffer. */
		t->argv[i] = (char *)(uintptr_t)s;
		s += strlen(s) + 1;
	}
	t->argv[argc] = NULL;
	*off += PROTO_TASKHDRLEN + argslen;
	return (1);
}

/* Appends a DONE frame. */
void
proto_put_done(struct buf *b, uint64_t seq, const struct proto_done *d)
{
	char	 p[PROTO_DONELEN];

	proto_le32(p, (uint32_t)d->status);
	proto_le32(p + 4, (uint32_t)d->sig);
	proto_le64(p + 8, (uint64_t)d->start_us);
	proto_le64(p + 16, (uint64_t)d->runtime_us);
	proto_put(b, PROTO_DONE, seq, p, sizeof p);
}

/* Decodes a DONE frame's payload. */
int
proto_get_done(const struct proto_frame *f, struct proto_done *d)
{
	if (f->len != PROTO_DONELEN)
		return (-1);
	d->status = (int32_t)proto_get32(f->payload);
	d->sig = (int32_t)proto_get32(f->payload + 4);
	d->start_us = (int64_t)proto_get64(f->payload + 8);
	d->runtime_us = (int64_t)proto_get64(f->payload + 16);
	return (0);
}

/* Appends a START frame: the task's pid, 0 when it could not be started. */
void
proto_put_start(struct buf *b, uint64_t seq, pid_t pid)
{
	char	 p[PROTO_STARTLEN];

	proto_le32(p, (uint32_t)pid);
	proto_put(b, PROTO_START, seq, p, sizeof p);
}

/* Decodes a START frame's payload. */
int
proto_get_start(const struct proto_frame *f, pid_t *pid)
{
	if (f->len != PROTO_STARTLEN)
		return (-1);
	*pid = (pid_t)proto_get32(f->payload);
	return (0);
}

/* Appends an OUT frame; an empty one would mean nothing, so none is sent. */
void
proto_put_out(struct buf *b, uint64_t seq, int stream, const void *data,
    size_t len)
{
	size_t	 mark;

	if (len == 0)
		return;
	if (len > PROTO_MAXLEN - 1)
		fatalx("proto_put_out: %zu bytes", len);
	mark = proto_begin(b, PROTO_OUT, seq);
	buf_addc(b, (char)stream);
	buf_add(b, data, len);
	proto_end(b, mark);
}

/*
 * Makes room at the end of b for an OUT frame of up to max bytes and
 * returns where the bytes go.  The caller reads a task's output straight
 * into it, then proto_out_commit() frames what it got: no copy of every
 * byte through a bounce buffer.
 */
char *
proto_out_reserve(struct buf *b, size_t max)
{
	if (max > PROTO_MAXLEN - 1)
		fatalx("proto_out_reserve: %zu bytes", max);
	return ((char *)buf_reserve(b, PROTO_HDRLEN + 1 + max) +
	    PROTO_HDRLEN + 1);
}

/* Frames the len bytes put where proto_out_reserve() said (none: no frame). */
void
proto_out_commit(struct buf *b, uint64_t seq, int stream, size_t len)
{
	char	*p;

	if (len == 0)
		return;
	/* The room is there already: the same place comes back. */
	p = buf_reserve(b, PROTO_HDRLEN + 1 + len);
	proto_header(p, PROTO_OUT, seq, (uint32_t)len + 1);
	p[PROTO_HDRLEN] = (char)stream;
	buf_commit(b, PROTO_HDRLEN + 1 + len);
}

/* Decodes an OUT frame's payload: the stream and the bytes. */
int
proto_get_out(const struct proto_frame *f, int *stream, const char **data,
    size_t *len)
{
	int	 s;

	if (f->len < 2)
		return (-1);
	s = (unsigned char)f->payload[0];
	if (s != STREAM_STDOUT && s != STREAM_STDERR)
		return (-1);
	*stream = s;
	*data = f->payload + 1;
	*len = f->len - 1;
	return (0);
}

/* Appends a SIGNAL frame: a signal for the running task's process group. */
void
proto_put_signal(struct buf *b, int sig)
{
	char	 p[PROTO_SIGNALLEN];

	proto_le32(p, (uint32_t)sig);
	proto_put(b, PROTO_SIGNAL, 0, p, sizeof p);
}

/* Decodes a SIGNAL frame's payload; only a real signal number is taken. */
int
proto_get_signal(const struct proto_frame *f, int *sig)
{
	uint32_t	 s;

	if (f->len != PROTO_SIGNALLEN)
		return (-1);
	s = proto_get32(f->payload);
	if (s < 1 || s > PROTO_SIGMAX)
		return (-1);
	*sig = (int)s;
	return (0);
}
