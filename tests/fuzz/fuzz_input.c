/*
 * fuzz_input.c - libFuzzer target for the record splitting of input.c.
 * The input is an 8-byte header and then the data of an input file:
 *
 *	byte 0	the delimiter: 0 '\n', 1 '\0', 2 ':', 3 byte 1 (low 2 bits);
 *		0x04 the file is the first of a :::+ group (loaded whole,
 *		not streamed); 0x08 and 0x10 add a ::: source, 0x20 and 0x40
 *		link it to the one before (:::+)
 *	byte 1	the delimiter, for 3
 *	bytes 2-3 where the data is cut in two (little-endian, modulo its
 *		length plus one)
 *	byte 4	--colsep: 0 none, 1 ":", 2 "\t", 3 " ", 4 "::", 5 "ab",
 *		6 bytes 5-6 (a NUL made 'x'); 7 -n byte 5 (1..4), no colsep
 *	bytes 5-6 --colsep or -n, byte 7 which ::: values
 *
 * Two passes.  The first drives input_split() as a reader would, over the
 * two pieces in turn, with and then without more data to come.  The
 * second runs the real reader: the data goes through a pipe, first piece
 * then second, to input_new() and input_next() on a libuv loop (the
 * pipe's /dev/fd path is the file source), with the ::: sources, --colsep
 * and -n it asks for.  Both must give the records a plain split of the
 * whole data gives, and the second the tasks (product, columns, batches)
 * that follow from them, one by one, then the end; input_total() must
 * count them when it can.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"
#include "fuzz.h"

#define FUZZ_HDRLEN	8
/* What a pipe holds without a reader, so that writes never block. */
#define FUZZ_MAXDATA	(60 * 1024)

/* A record: bytes of the input data. */
struct fuzz_rec {
	const char	*p;
	size_t		 len;
};

/* The records of the data, as a plain split finds them. */
struct fuzz_recs {
	struct fuzz_rec	*r;
	size_t		 n;
};

static void	 fuzz_reference(const char *, size_t, char,
		     struct fuzz_recs *);
static void	 fuzz_split(const char *, size_t, size_t, char,
		     const struct fuzz_recs *);
static int	 fuzz_memeq(const char *, size_t, const char *, size_t);
static void	 fuzz_check_task(const struct args *, const struct options *,
		     char **, const size_t *, int);
static void	 fuzz_ready(void *);
static void	 fuzz_write(int, const char *, size_t);
static void	 fuzz_reader(const char *, size_t, size_t,
		     const struct fuzz_recs *, struct options *);

static const char *const fuzz_values[] = {
	"a", "b:c", "", "d e", "f\tg", "::h", "ab", "i::"
};

/* Splits data at every delim; a last record without one counts if any. */
static void
fuzz_reference(const char *data, size_t len, char delim,
    struct fuzz_recs *out)
{
	size_t	 i, start = 0;

	out->r = NULL;
	out->n = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != delim)
			continue;
		if (i == len && i == start)
			break;
		out->r = realloc(out->r, (out->n + 1) * sizeof *out->r);
		CHECK(out->r != NULL);
		out->r[out->n].p = data + start;
		out->r[out->n].len = i - start;
		out->n++;
		start = i + 1;
	}
}

/*
 * Splits the data as a reader gets it, the bytes before cut and then the
 * rest, and checks each record input_split() finds against ref.
 */
static void
fuzz_split(const char *data, size_t len, size_t cut, char delim,
    const struct fuzz_recs *ref)
{
	struct buf	 b;
	const char	*rec;
	size_t		 n = 0, reclen, used;
	int		 step, eof;

	buf_init(&b);
	for (step = 0; step < 3; step++) {
		if (step == 0)
			buf_add(&b, data, cut);
		else if (step == 1)
			buf_add(&b, data + cut, len - cut);
		eof = step == 2;
		/* An empty buffer may have no storage: NULL + 0 is UB. */
		while (b.len > 0) {
			reclen = used = (size_t)-1;
			rec = input_split(BUF_PTR(&b), b.len, delim, eof,
			    &reclen, &used);
			if (rec == NULL)
				break;
			CHECK(rec == BUF_PTR(&b));
			CHECK(reclen <= b.len && used <= b.len);
			CHECK(memchr(rec, delim, reclen) == NULL);
			if (used == reclen + 1)
				CHECK(rec[reclen] == delim);
			else
				CHECK(eof && used == reclen && used == b.len);
			CHECK(n < ref->n);
			CHECK(ref->r[n].len == reclen);
			CHECK(memcmp(ref->r[n].p, rec, reclen) == 0);
			n++;
			buf_consume(&b, used);
		}
	}
	CHECK(n == ref->n);
	CHECK(b.len == 0);
	buf_free(&b);
}

/*
 * Says whether the value s of slen bytes is the bytes p[0, len), NULs
 * and all, and is terminated as input.c promises.
 */
static int
fuzz_memeq(const char *s, size_t slen, const char *p, size_t len)
{
	return (slen == len && memcmp(s, p, len) == 0 && s[slen] == '\0');
}

/*
 * Checks a task's arguments: whole[] are the n expected values, every
 * byte of them, and v[] their columns.
 */
static void
fuzz_check_task(const struct args *a, const struct options *o, char **exp,
    const size_t *explen, int n)
{
	const char	*s, *end, *p;
	size_t		 seplen;
	int		 i, col = 0;

	CHECK(a->nwhole == n);
	for (i = 0; i < n; i++)
		CHECK(fuzz_memeq(a->whole[i], a->wlen[i], exp[i], explen[i]));
	if (o->colsep == NULL) {
		CHECK(a->v == a->whole && a->vlen == a->wlen &&
		    a->n == a->nwhole);
		return;
	}
	/* Columns are split from the whole bytes, NULs and all. */
	seplen = strlen(o->colsep);
	for (i = 0; i < n; i++) {
		s = exp[i];
		end = s + explen[i];
		for (;;) {
			p = memmem(s, end - s, o->colsep, seplen);
			CHECK(col < a->n);
			CHECK(fuzz_memeq(a->v[col], a->vlen[col], s,
			    (p == NULL ? end : p) - s));
			col++;
			if (p == NULL)
				break;
			s = p + seplen;
		}
	}
	CHECK(col == a->n);
}

/* The ready callback of input_new(): a read has finished. */
static void
fuzz_ready(void *arg)
{
	*(int *)arg = 1;
}

/* Writes all of p to fd. */
static void
fuzz_write(int fd, const char *p, size_t len)
{
	ssize_t	 r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		CHECK(r > 0);
		p += r;
		len -= (size_t)r;
	}
}

/*
 * Runs input.c's reader over the data through a pipe: the first piece is
 * in the pipe before reading starts, the second is written when input
 * asks for more (so a record may straddle the two reads).
 */
static void
fuzz_reader(const char *data, size_t len, size_t cut,
    const struct fuzz_recs *ref, struct options *o)
{
	static uv_loop_t	 loop;
	static int		 loop_ready;
	struct input		*in;
	struct args		*a;
	char			 path[64], *exp[3];
	size_t			 explen[3], idx[3], sizes[3], ntasks, want;
	size_t			 nb, m, k;
	uint64_t		 total;
	int			 fds[2], ready = 0, written = 0, reads = 0;
	int			 r, i, g;
	int			 ngroups, gfirst[3], gcount[3], j;

	if (!loop_ready) {
		CHECK(uv_loop_init(&loop) == 0);
		loop_ready = 1;
	}
	CHECK(pipe2(fds, O_CLOEXEC) == 0);
	snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
	o->sources[0].path = path;

	/* The groups of sources, as input.c forms them. */
	ngroups = 0;
	for (i = 0; i < o->nsources; i++) {
		if (i == 0 || !o->sources[i].linked) {
			gfirst[ngroups] = i;
			gcount[ngroups++] = 0;
		}
		gcount[ngroups - 1]++;
		sizes[i] = i == 0 ? ref->n : (size_t)o->sources[i].nvalues;
	}

	/* A loaded file is read to its end before input_new() returns. */
	fuzz_write(fds[1], data, cut);
	if (gcount[0] > 1) {
		fuzz_write(fds[1], data + cut, len - cut);
		close(fds[1]);
		written = 1;
	}
	in = input_new(o, &loop, fuzz_ready, &ready);

	/* How many tasks: the product of the groups' shortest sources. */
	want = 1;
	for (g = 0; g < ngroups; g++) {
		m = (size_t)-1;
		for (i = gfirst[g]; i < gfirst[g] + gcount[g]; i++)
			m = sizes[i] < m ? sizes[i] : m;
		want *= m;
	}
	if (o->maxargs != 0)
		want = (want + o->maxargs - 1) / o->maxargs;
	if (input_total(in, &total) == 0)
		CHECK(gcount[0] > 1 && total == want);
	else
		CHECK(gcount[0] == 1);

	memset(idx, 0, sizeof idx);
	ntasks = 0;
	nb = 0;
	for (;;) {
		a = NULL;
		r = input_next(in, &a);
		if (r == 0) {
			/*
			 * Input waits for more.  It has read the first piece
			 * already, up to EAGAIN (it reads without a thread,
			 * and may need more than one piece to form a task, as
			 * with -n): now the rest, then EOF.
			 */
			CHECK(gcount[0] == 1);
			if (!written) {
				fuzz_write(fds[1], data + cut, len - cut);
				close(fds[1]);
				written = 1;
			}
			ready = 0;
			while (!ready)
				uv_run(&loop, UV_RUN_ONCE);
			reads++;
			continue;
		}
		if (r == -1)
			break;
		CHECK(r == 1 && a != NULL);
		CHECK(ntasks < want);
		if (o->maxargs != 0) {
			/* A batch of the next records of the one source. */
			for (k = 0; k < o->maxargs && nb < ref->n; k++, nb++) {
				exp[0] = (char *)(uintptr_t)ref->r[nb].p;
				explen[0] = ref->r[nb].len;
				CHECK((int)k < a->nwhole);
				CHECK(fuzz_memeq(a->whole[k], a->wlen[k],
				    exp[0], explen[0]));
			}
			CHECK(a->nwhole == (int)k);
			CHECK(a->v == a->whole && a->n == a->nwhole);
		} else {
			/* Combination idx[] of the groups, last fastest. */
			for (g = 0; g < ngroups; g++) {
				for (i = gfirst[g]; i < gfirst[g] + gcount[g];
				    i++) {
					if (i == 0) {
						exp[i] = (char *)(uintptr_t)
						    ref->r[idx[g]].p;
						explen[i] = ref->r[idx[g]].len;
					} else {
						exp[i] = o->sources[i].values[
						    idx[g]];
						explen[i] = strlen(exp[i]);
					}
				}
			}
			fuzz_check_task(a, o, exp, explen, o->nsources);
			for (g = ngroups - 1; g >= 0; g--) {
				m = (size_t)-1;
				for (j = gfirst[g]; j < gfirst[g] + gcount[g];
				    j++)
					m = sizes[j] < m ? sizes[j] : m;
				if (++idx[g] < m)
					break;
				idx[g] = 0;
			}
		}
		input_args_free(a);
		ntasks++;
	}
	CHECK(ntasks == want);
	/* The end stays the end. */
	CHECK(input_next(in, &a) == -1);
	input_free(in);
	if (!written)
		close(fds[1]);
	close(fds[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	struct options		 o;
	struct source		 src[3];
	struct fuzz_recs	 ref;
	const char		*data;
	char			 colsep[3], *vals[2][3];
	size_t			 len, cut;
	int			 flags, i, k, nvals;
	unsigned		 pick;

	if (size < FUZZ_HDRLEN || size - FUZZ_HDRLEN > FUZZ_MAXDATA)
		return (0);
	data = (const char *)bytes + FUZZ_HDRLEN;
	len = size - FUZZ_HDRLEN;
	cut = (bytes[2] | (size_t)bytes[3] << 8) % (len + 1);

	memset(&o, 0, sizeof o);
	flags = bytes[0];
	switch (flags & 3) {
	case 0:
		o.delim = '\n';
		break;
	case 1:
		o.delim = '\0';
		break;
	case 2:
		o.delim = ':';
		break;
	default:
		o.delim = (char)bytes[1];
		break;
	}

	fuzz_reference(data, len, o.delim, &ref);
	fuzz_split(data, len, cut, o.delim, &ref);

	/* The sources: the file, then up to two ::: lists. */
	memset(src, 0, sizeof src);
	src[0].kind = SOURCE_FILE;
	o.sources = src;
	o.nsources = 1;
	pick = bytes[7];
	for (i = 0; i < 2; i++) {
		if (!(flags & (0x08 << i)))
			continue;
		nvals = pick & 3;
		for (k = 0; k < nvals; k++)
			vals[i][k] = (char *)(uintptr_t)
			    fuzz_values[(pick >> (2 + k)) & 7];
		pick = (pick >> 3) | (pick << 5);
		src[o.nsources].kind = SOURCE_ARGS;
		src[o.nsources].values = vals[i];
		src[o.nsources].nvalues = nvals;
		src[o.nsources].linked = (flags & (0x20 << i)) != 0;
		o.nsources++;
	}
	/* A loaded file: link the next source to it, or a source of one. */
	if (flags & 0x04) {
		if (o.nsources == 1) {
			vals[0][0] = (char *)(uintptr_t)fuzz_values[0];
			src[1].kind = SOURCE_ARGS;
			src[1].values = vals[0];
			src[1].nvalues = 1;
			o.nsources = 2;
		}
		src[1].linked = 1;
	}

	switch (bytes[4] & 7) {
	case 1:
		o.colsep = ":";
		break;
	case 2:
		o.colsep = "\t";
		break;
	case 3:
		o.colsep = " ";
		break;
	case 4:
		o.colsep = "::";
		break;
	case 5:
		o.colsep = "ab";
		break;
	case 6:
		colsep[0] = bytes[5] != 0 ? (char)bytes[5] : 'x';
		colsep[1] = bytes[6] != 0 ? (char)bytes[6] : 'x';
		colsep[2] = '\0';
		o.colsep = colsep;
		break;
	case 7:
		/* -n: options.c allows it with one source only. */
		if (o.nsources == 1)
			o.maxargs = 1 + bytes[5] % 4;
		break;
	}

	fuzz_reader(data, len, cut, &ref, &o);
	free(ref.r);
	return (0);
}
