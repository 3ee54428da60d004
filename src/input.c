/*
 * input.c - turns the input sources into the arguments of each task.
 *
 * Sources are grouped: a source linked with :::+ or ::::+ joins the group
 * of the source before it, and a group's n-th values go together (the
 * shortest source of a group sets its length).  Tasks are the cartesian
 * product of the groups, the last group varying fastest.
 *
 * The product needs every group but the first in memory, so those are
 * loaded before the loop starts.  The first group is streamed when it is a
 * single file (stdin being the common case): it is read lazily, a
 * bounded window ahead of dispatch, so endless input works and memory
 * stays flat.  The reads go through nbio.c, which never blocks the loop
 * on a pipe or a terminal, starts no thread, and leaves the file
 * description of our stdin as the calling shell left it (a uv_pipe_t would
 * set O_NONBLOCK on it, for the shell too).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define INPUT_READ_SIZE		(64 * 1024)
/* A record longer than this is an error rather than unbounded memory. */
#define INPUT_RECORD_MAX	(256 * 1024 * 1024)

/* One source's values, all in memory. */
struct input_values {
	char		**v;
	size_t		 *len;
	size_t		  n;
	char		 *storage;	/* a file's contents, or NULL */
};

struct input_group {
	int		  first;	/* index of its first source */
	int		  count;	/* sources in it */
	size_t		  n;		/* values (shortest source) */
};

struct input {
	const struct options	*o;
	uv_loop_t		*loop;
	void			(*ready)(void *);
	void			*arg;

	struct input_values	*vals;	/* per source (loaded ones) */
	struct input_group	*groups;
	int			 ngroups;

	/* The streamed first group, if any. */
	int			 streaming;
	int			 fd;
	const char		*path;
	struct nbio		*nb;
	int			 reading;
	int			 eof;
	int			 error;
	struct buf		 rbuf;
	size_t			 scanned;	/* bytes of rbuf searched */
	char			*rec;		/* current first-group record */
	size_t			 reclen;
	int			 have_rec;

	/* Odometer over the groups. */
	size_t			*idx;
	int			 started;
	int			 finished;

	/* -n/-N: the records gathered for the next task. */
	char			**batch;
	size_t			*batchlen;
	size_t			 nbatch;
};

/*
 * Which of fds 0-2 the caller left closed (main.c has put /dev/null
 * there): reading such a stdin is an error, not an empty input.
 */
int	 mprun_closed[3];

static void	 input_load(struct input *, int);
static void	 input_read(struct input *);
static void	 input_ready_cb(void *);
static int	 input_stream_record(struct input *);
static int	 input_advance(struct input *);
static struct args *input_build(struct input *, char **, const size_t *,
		     int);
static size_t	 input_columns(const struct options *, const char *, size_t,
		     const char **, size_t *, size_t);

/*
 * Finds the first record in data[0, len): the bytes before the first
 * delimiter, or at EOF what is left.  Returns NULL when more data is
 * needed.
 */
const char *
input_split(const char *data, size_t len, char delim, int eof,
    size_t *reclen, size_t *consumed)
{
	const char	*p;

	if (len == 0)
		return (NULL);	/* data may be NULL: no memchr on it */
	if ((p = memchr(data, delim, len)) != NULL) {
		*reclen = (size_t)(p - data);
		*consumed = *reclen + 1;
		return (data);
	}
	if (eof && len > 0) {
		*reclen = *consumed = len;
		return (data);
	}
	return (NULL);
}

/*
 * How many descriptors input_new() keeps open while the run goes on, for
 * limits.c: the streamed source's, and nbio's for stdin.
 */
int
input_fds(const struct options *o)
{
	const struct source	*s = &o->sources[0];

	if (s->kind != SOURCE_FILE || (o->nsources > 1 && o->sources[1].linked))
		return (0);	/* nothing streamed */
	if (strcmp(s->path, "-") != 0)
		return (1);	/* a file of our own: nbio adds none */
	return (nbio_fds(STDIN_FILENO, NBIO_READ, 0));
}

/* Opens the sources and loads every one the product needs in memory. */
struct input *
input_new(const struct options *o, uv_loop_t *loop, void (*ready)(void *),
    void *arg)
{
	struct input		*in;
	struct input_group	*g;
	const struct source	*s;
	int			 i, j;
	size_t			 n;

	in = xcalloc(1, sizeof *in);
	in->o = o;
	in->loop = loop;
	in->ready = ready;
	in->arg = arg;
	in->fd = -1;
	buf_init(&in->rbuf);
	in->vals = xcalloc(o->nsources, sizeof *in->vals);

	for (i = 0; i < o->nsources; i++) {
		if (i == 0 || !o->sources[i].linked) {
			in->groups = xreallocarray(in->groups,
			    in->ngroups + 1, sizeof *in->groups);
			g = &in->groups[in->ngroups++];
			g->first = i;
			g->count = 0;
		}
		in->groups[in->ngroups - 1].count++;
	}

	g = &in->groups[0];
	s = &o->sources[0];
	if (g->count == 1 && s->kind == SOURCE_FILE) {
		in->streaming = 1;
		in->path = strcmp(s->path, "-") == 0 ? "stdin" : s->path;
		if (strcmp(s->path, "-") == 0) {
			if (mprun_closed[STDIN_FILENO]) {
				errno = EBADF;
				die("stdin");
			}
			in->fd = STDIN_FILENO;
		}
		else if ((in->fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1)
			die("%s", s->path);
		in->nb = nbio_new(loop, in->fd, NBIO_READ,
		    in->fd != STDIN_FILENO);
	}
	for (i = in->streaming ? 1 : 0; i < o->nsources; i++)
		input_load(in, i);

	for (j = in->streaming ? 1 : 0; j < in->ngroups; j++) {
		g = &in->groups[j];
		n = (size_t)-1;
		for (i = g->first; i < g->first + g->count; i++) {
			if (in->vals[i].n < n)
				n = in->vals[i].n;
		}
		g->n = n;
		if (n == 0)
			in->finished = 1;	/* an empty factor */
	}
	in->idx = xcalloc(in->ngroups, sizeof *in->idx);
	if (o->maxargs != 0) {
		in->batch = xcalloc(o->maxargs, sizeof *in->batch);
		in->batchlen = xcalloc(o->maxargs, sizeof *in->batchlen);
	}
	return (in);
}

/* Reads source i whole, before the loop runs, and splits it. */
static void
input_load(struct input *in, int i)
{
	const struct source	*s = &in->o->sources[i];
	struct input_values	*iv = &in->vals[i];
	struct buf		 b;
	const char		*rec;
	size_t			 reclen, used, off;
	ssize_t			 r;
	int			 fd, k;

	if (s->kind == SOURCE_ARGS) {
		iv->n = (size_t)s->nvalues;
		iv->v = xcalloc(iv->n, sizeof *iv->v);
		iv->len = xcalloc(iv->n, sizeof *iv->len);
		for (k = 0; k < s->nvalues; k++) {
			iv->v[k] = s->values[k];
			iv->len[k] = strlen(s->values[k]);
		}
		return;
	}

	if (strcmp(s->path, "-") == 0) {
		if (mprun_closed[STDIN_FILENO]) {
			errno = EBADF;
			die("stdin");
		}
		fd = STDIN_FILENO;
	} else if ((fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1)
		die("%s", s->path);
	buf_init(&b);
	for (;;) {
		r = read(fd, buf_reserve(&b, INPUT_READ_SIZE),
		    INPUT_READ_SIZE);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die("%s", strcmp(s->path, "-") == 0 ? "stdin" :
			    s->path);
		if (r == 0)
			break;
		buf_commit(&b, (size_t)r);
	}
	if (fd != STDIN_FILENO)
		close(fd);

	/* Values point into the kept buffer, each terminated in place. */
	off = 0;
	while ((rec = input_split(BUF_PTR(&b) + off, b.len - off,
	    in->o->delim, 1, &reclen, &used)) != NULL) {
		iv->v = xreallocarray(iv->v, iv->n + 1, sizeof *iv->v);
		iv->len = xreallocarray(iv->len, iv->n + 1, sizeof *iv->len);
		iv->v[iv->n] = (char *)(uintptr_t)(off);
		iv->len[iv->n] = reclen;
		iv->n++;
		off += used;
	}
	buf_addc(&b, '\0');
	iv->storage = b.data;
	for (used = 0; used < iv->n; used++) {
		off = (size_t)(uintptr_t)iv->v[used];
		iv->v[used] = BUF_PTR(&b) + off;
		iv->v[used][iv->len[used]] = '\0';
	}
}

/*
 * Reads more of the streamed source: at once if there is something to
 * read (or the end, or an error), else in->reading is set until nbio says
 * to try again.
 */
static void
input_read(struct input *in)
{
	ssize_t	 n;
	int	 r;

	if (in->reading || in->eof || in->error)
		return;
	n = nbio_read(in->nb, buf_reserve(&in->rbuf, INPUT_READ_SIZE),
	    INPUT_READ_SIZE);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		if ((r = nbio_wait(in->nb, input_ready_cb, in)) != 0) {
			log_warnx("%s: %s", in->path, uv_strerror(r));
			in->error = 1;
			return;
		}
		in->reading = 1;
		return;
	}
	if (n == -1) {
		log_warn("%s", in->path);
		in->error = 1;
	} else if (n == 0)
		in->eof = 1;
	else
		buf_commit(&in->rbuf, (size_t)n);
}

/* The source may be read now: dispatch pulls the records it needs. */
static void
input_ready_cb(void *arg)
{
	struct input	*in = arg;

	in->reading = 0;
	in->ready(in->arg);
}

/*
 * Makes the next first-group record current.  Returns 1, 0 when a read is
 * under way, -1 at the end, -2 on error.
 */
static int
input_stream_record(struct input *in)
{
	const char	*rec;
	size_t		 reclen, used;
	char		*p;

	if (in->have_rec) {
		buf_consume(&in->rbuf, in->reclen + 1 <= in->rbuf.len ?
		    in->reclen + 1 : in->rbuf.len);
		in->have_rec = 0;
		in->scanned = 0;
	}
	for (;;) {
		if (in->error)
			return (-2);
		/* Search only the bytes not yet searched (none: no data). */
		p = in->rbuf.len == in->scanned ? NULL :
		    memchr(BUF_PTR(&in->rbuf) + in->scanned, in->o->delim,
		    in->rbuf.len - in->scanned);
		if (p != NULL || in->eof) {
			rec = input_split(BUF_PTR(&in->rbuf), in->rbuf.len,
			    in->o->delim, in->eof, &reclen, &used);
			if (rec == NULL)
				return (-1);
			/* Terminate in place; the separator's byte is ours. */
			if (used == reclen)
				buf_addc(&in->rbuf, '\0');
			BUF_PTR(&in->rbuf)[reclen] = '\0';
			in->rec = BUF_PTR(&in->rbuf);
			in->reclen = reclen;
			in->have_rec = 1;
			return (1);
		}
		in->scanned = in->rbuf.len;
		if (in->rbuf.len > INPUT_RECORD_MAX) {
			log_warnx("%s: a record is longer than %d bytes",
			    in->path, INPUT_RECORD_MAX);
			in->error = 1;
			return (-2);
		}
		if (in->reading)
			return (0);
		input_read(in);
		if (in->reading)
			return (0);
	}
}

/*
 * Moves the odometer to the next combination.  Returns 1, 0 when waiting
 * for input, -1 at the end, -2 on error.
 */
static int
input_advance(struct input *in)
{
	int	 j, r;

	if (in->finished)
		return (-1);
	if (!in->started) {
		in->started = 1;
		if (in->streaming) {
			in->started = 0;
			if ((r = input_stream_record(in)) != 1)
				return (r);
			in->started = 1;
		} else if (in->groups[0].n == 0) {
			in->finished = 1;
			return (-1);
		}
		return (1);
	}
	for (j = in->ngroups - 1; j >= 1; j--) {
		if (++in->idx[j] < in->groups[j].n)
			return (1);
		in->idx[j] = 0;
	}
	if (in->streaming) {
		in->started = 0;
		if ((r = input_stream_record(in)) != 1) {
			if (r == -1)
				in->finished = 1;
			return (r);
		}
		in->started = 1;
		return (1);
	}
	if (++in->idx[0] < in->groups[0].n)
		return (1);
	in->finished = 1;
	return (-1);
}

/* Splits one value at --colsep; fills up to max columns, returns count. */
static size_t
input_columns(const struct options *o, const char *s, size_t len,
    const char **col, size_t *collen, size_t max)
{
	size_t		 n = 0, seplen = strlen(o->colsep);
	const char	*p, *end = s + len;

	for (;;) {
		p = memmem(s, (size_t)(end - s), o->colsep, seplen);
		if (n < max) {
			col[n] = s;
			collen[n] = p == NULL ? (size_t)(end - s) :
			    (size_t)(p - s);
		}
		n++;
		if (p == NULL)
			return (n);
		s = p + seplen;
	}
}

/* Builds one task's arguments in a single allocation. */
static struct args *
input_build(struct input *in, char **whole, const size_t *wlen, int nwhole)
{
	const struct options	*o = in->o;
	struct args		*a;
	const char		**col = NULL;
	size_t			*collen = NULL, ncol = 0, total = 0, k, n;
	char			*p;
	int			 i;

	if (o->colsep != NULL) {
		for (i = 0; i < nwhole; i++)
			ncol += input_columns(o, whole[i], wlen[i], NULL, NULL,
			    0);
		col = xcalloc(ncol, sizeof *col);
		collen = xcalloc(ncol, sizeof *collen);
		for (i = 0, k = 0; i < nwhole; i++)
			k += input_columns(o, whole[i], wlen[i], col + k,
			    collen + k, ncol - k);
	}
	for (i = 0; i < nwhole; i++)
		total += wlen[i] + 1;
	for (k = 0; k < ncol; k++)
		total += collen[k] + 1;
	n = (size_t)nwhole + ncol;

	/* The struct, n pointers, n lengths, then the bytes. */
	a = xmalloc(sizeof *a + n * (sizeof(char *) + sizeof(size_t)) +
	    total);
	a->whole = (char **)(a + 1);
	a->wlen = (size_t *)(a->whole + n);
	a->nwhole = nwhole;
	p = (char *)(a->wlen + n);
	for (i = 0; i < nwhole; i++) {
		a->whole[i] = p;
		a->wlen[i] = wlen[i];
		memcpy(p, whole[i], wlen[i]);
		p[wlen[i]] = '\0';
		p += wlen[i] + 1;
	}
	if (o->colsep == NULL) {
		a->v = a->whole;
		a->vlen = a->wlen;
		a->n = nwhole;
	} else {
		a->v = a->whole + nwhole;
		a->vlen = a->wlen + nwhole;
		a->n = (int)ncol;
		for (k = 0; k < ncol; k++) {
			a->v[k] = p;
			a->vlen[k] = collen[k];
			memcpy(p, col[k], collen[k]);
			p[collen[k]] = '\0';
			p += collen[k] + 1;
		}
	}
	free(col);
	free(collen);
	return (a);
}

/*
 * Produces the next task's arguments.  Returns 1 with *ap set, 0 when a
 * read is under way (the ready callback fires when it ends), -1 when the
 * input is exhausted, -2 on a read error (already reported).
 */
int
input_next(struct input *in, struct args **ap)
{
	const struct options	*o = in->o;
	char			*whole[64], **wv = whole;
	const char		*rec;
	size_t			 wlen[64] = { 0 }, *wl = wlen, reclen;
	int			 r, j, i, k, n;

	if (o->maxargs != 0) {
		/* One source, no columns: gather up to maxargs records. */
		while (in->nbatch < o->maxargs) {
			if ((r = input_advance(in)) == 0 || r == -2)
				return (r);
			if (r == -1)
				break;
			if (in->streaming) {
				rec = in->rec;
				reclen = in->reclen;
			} else {
				rec = in->vals[0].v[in->idx[0]];
				reclen = in->vals[0].len[in->idx[0]];
			}
			/* All reclen bytes: a record may hold a NUL. */
			in->batch[in->nbatch] = xmalloc(reclen + 1);
			memcpy(in->batch[in->nbatch], rec, reclen);
			in->batch[in->nbatch][reclen] = '\0';
			in->batchlen[in->nbatch] = reclen;
			in->nbatch++;
		}
		if (in->nbatch == 0)
			return (-1);
		*ap = input_build(in, in->batch, in->batchlen, (int)in->nbatch);
		for (k = 0; k < (int)in->nbatch; k++)
			free(in->batch[k]);
		in->nbatch = 0;
		return (1);
	}

	if ((r = input_advance(in)) != 1)
		return (r);
	n = o->nsources;
	if (n > (int)(sizeof whole / sizeof *whole)) {
		wv = xcalloc(n, sizeof *wv);
		wl = xcalloc(n, sizeof *wl);
	}
	for (j = 0, i = 0; j < in->ngroups; j++) {
		for (k = 0; k < in->groups[j].count; k++, i++) {
			if (j == 0 && in->streaming) {
				wv[i] = in->rec;
				wl[i] = in->reclen;
			} else {
				wv[i] = in->vals[i].v[in->idx[j]];
				wl[i] = in->vals[i].len[in->idx[j]];
			}
		}
	}
	*ap = input_build(in, wv, wl, n);
	if (wv != whole) {
		free(wv);
		free(wl);
	}
	return (1);
}

/* Says how many tasks there will be, when that is known in advance. */
int
input_total(const struct input *in, uint64_t *total)
{
	uint64_t	 t = 1;
	int		 j;

	if (in->streaming)
		return (-1);
	for (j = 0; j < in->ngroups; j++)
		t *= in->groups[j].n;
	if (in->o->maxargs != 0)
		t = (t + in->o->maxargs - 1) / in->o->maxargs;
	*total = t;
	return (0);
}

/* Frees one task's arguments. */
void
input_args_free(struct args *a)
{
	free(a);
}

/* Frees the input state; a read it waits for is abandoned. */
void
input_free(struct input *in)
{
	int	 i;

	for (i = in->streaming ? 1 : 0; i < in->o->nsources; i++) {
		free(in->vals[i].storage);
		free(in->vals[i].v);
		free(in->vals[i].len);
	}
	nbio_free(in->nb);
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	buf_free(&in->rbuf);
	free(in->vals);
	free(in->groups);
	free(in->idx);
	free(in->batch);
	free(in->batchlen);
	free(in);
}
