/*
 * joblog.c - the --joblog file, in GNU parallel's TSV layout, and the set
 * of tasks --resume and --resume-failed skip.  The parent opens the file
 * before the loop (writing the header when the file is empty), formats
 * one row per finished task and writes it with write(2) at once when
 * report.c says the task's output has been written, so a row on disk
 * means a task done and delivered; rows come in output order.  On a
 * later run joblog_resume() reads the rows back into a
 * sorted set of sequence numbers that dispatch looks tasks up in.  Nothing
 * here uses the loop: the file is small and a row is one short write.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define JOBLOG_HEADER	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\t" \
			"Exitval\tSignal\tCommand\n"

/* An open joblog file. */
struct joblog {
	int		 fd;
	char		*path;
	struct buf	 row;		/* reused for each row */
};

/* The sequence numbers of the tasks already done, sorted, unique. */
struct seqset {
	uint64_t	*v;
	size_t		 n;
};

/* A row as joblog_resume() collects it, before sorting. */
struct joblog_seen {
	uint64_t	 seq;
	size_t		 line;		/* file order: the last row wins */
	int		 done;
};

static void	 joblog_seconds(struct buf *, int64_t, int);
static const char *joblog_field(const char *, const char *, size_t *);
static int	 joblog_number(const char *, size_t, int, long long,
		     long long, long long *);
static int	 joblog_seen_cmp(const void *, const void *);

/*
 * Appends microseconds as seconds with three decimals, rounded half up to
 * the millisecond, right-aligned in width columns (0: no padding).
 * Integer arithmetic keeps 1.0005 s from printing as 1.000.
 */
static void
joblog_seconds(struct buf *b, int64_t us, int width)
{
	char		 text[48], padded[64];

	strnum_seconds(text, sizeof text, us);
	if (width > 0) {
		snprintf(padded, sizeof padded, "%*s", width, text);
		buf_adds(b, padded);
	} else
		buf_adds(b, text);
}

/* Appends one joblog row, newline included, for a finished task. */
void
joblog_format(struct buf *b, const struct joblog_row *r)
{
	char	 text[128];
	size_t	 i;

	snprintf(text, sizeof text, "%llu\t", (unsigned long long)r->seq);
	buf_adds(b, text);
	buf_adds(b, r->host != NULL ? r->host : ":");
	buf_addc(b, '\t');
	joblog_seconds(b, r->start_us, 0);
	buf_addc(b, '\t');
	joblog_seconds(b, r->runtime_us, 10);
	snprintf(text, sizeof text, "\t0\t0\t%d\t%d\t", r->exitval, r->sig);
	buf_adds(b, text);

	/* GNU writes the command raw; escaping keeps a row on one line. */
	for (i = 0; i < r->cmdlen; i++) {
		switch (r->cmd[i]) {
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\0':
			buf_add(b, "\\0", 2);
			break;
		default:
			buf_addc(b, r->cmd[i]);
			break;
		}
	}
	buf_addc(b, '\n');
}

/*
 * Returns the end of the tab-separated field starting at p (a tab or
 * end), or NULL when p is already at end; *len is the field's length.
 */
static const char *
joblog_field(const char *p, const char *end, size_t *len)
{
	const char	*tab;

	if (p > end)
		return (NULL);
	if ((tab = memchr(p, '\t', end - p)) == NULL)
		tab = end;
	*len = tab - p;
	return (tab);
}

/*
 * Parses a field that must be a decimal integer in [min, max], with a
 * leading '-' when sign is set.  Returns 0 or -1.
 */
static int
joblog_number(const char *p, size_t len, int sign, long long min,
    long long max, long long *v)
{
	char		 word[32];
	const char	*errstr;

	if (len == 0 || len >= sizeof word)
		return (-1);
	if (p[0] == '+' || (p[0] == '-' && !sign))
		return (-1);
	memcpy(word, p, len);
	word[len] = '\0';
	*v = strnum(word, min, max, &errstr);
	return (errstr == NULL ? 0 : -1);
}

/*
 * Parses one line of a joblog (a trailing newline is allowed): 1 and the
 * Seq, Exitval and Signal fields for a row, 0 for the header line, -1 for
 * anything else.  Only the first eight fields are read, so rows GNU
 * parallel wrote (tabs in the command, padded runtimes) are fine.
 */
int
joblog_parse_row(const char *line, size_t len, uint64_t *seq, int *exitval,
    int *sig)
{
	const char	*p = line, *end, *next;
	const char	*field[9];
	size_t		 flen[9];
	long long	 v[3];
	int		 i;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	end = line + len;
	for (i = 0; i < 9; i++) {
		if ((next = joblog_field(p, end, &flen[i])) == NULL)
			return (-1);
		field[i] = p;
		p = next + 1;
		if (i < 8 && next == end)
			return (-1);
	}
	if (flen[0] == 3 && memcmp(field[0], "Seq", 3) == 0)
		return (0);
	if (joblog_number(field[0], flen[0], 0, 1, LLONG_MAX, &v[0]) != 0 ||
	    joblog_number(field[6], flen[6], 1, INT_MIN, INT_MAX,
	    &v[1]) != 0 ||
	    joblog_number(field[7], flen[7], 0, 0, INT_MAX, &v[2]) != 0)
		return (-1);
	*seq = (uint64_t)v[0];
	*exitval = (int)v[1];
	*sig = (int)v[2];
	return (1);
}

/*
 * Opens the joblog for writing, appending or truncating, and writes the
 * header when the file is empty.  Called before the loop: errors exit.
 */
struct joblog *
joblog_open(const char *path, int append)
{
	struct joblog	*j;
	struct stat	 st;
	int		 fd, flags;

	if (strcmp(path, "-") == 0)
		diex("--joblog: '-' is not supported: give a file");
	flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
	if ((fd = open(path, flags, 0666)) == -1)
		die("%s", path);
	if (fstat(fd, &st) == -1)
		die("%s", path);
	if (st.st_size == 0 && fdio_write(fd, JOBLOG_HEADER,
	    sizeof JOBLOG_HEADER - 1) != 0)
		die("--joblog %s", path);

	j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->path = xstrdup(path);
	buf_init(&j->row);
	return (j);
}

/* Writes one row; returns 0, or -1 with errno set. */
int
joblog_write(struct joblog *j, const struct joblog_row *r)
{
	buf_reset(&j->row);
	joblog_format(&j->row, r);
	return (fdio_write(j->fd, BUF_PTR(&j->row), j->row.len));
}

/* Closes the file and frees the handle. */
void
joblog_close(struct joblog *j)
{
	if (j == NULL)
		return;
	/* Rows are already written; a late error (NFS) is only reported. */
	if (close(j->fd) == -1)
		log_warn("--joblog %s", j->path);
	buf_free(&j->row);
	free(j->path);
	free(j);
}

/* Returns the path the joblog was opened with. */
const char *
joblog_path(const struct joblog *j)
{
	return (j->path);
}

/* Orders collected rows by sequence number, then by file order. */
static int
joblog_seen_cmp(const void *a, const void *b)
{
	const struct joblog_seen	*x = a, *y = b;

	if (x->seq != y->seq)
		return (x->seq < y->seq ? -1 : 1);
	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (0);
}

/*
 * Reads a joblog for --resume (failed_too 0) or --resume-failed (1) and
 * returns the set of tasks not to run again: every task with a row, or
 * with --resume-failed only those whose last row shows success.  A
 * missing file is an empty set.  Called before the loop: errors exit.
 */
struct seqset *
joblog_resume(const char *path, int failed_too)
{
	struct seqset		*set;
	struct joblog_seen	*seen = NULL;
	struct buf		 b;
	const char		*p, *end, *nl;
	size_t			 nseen = 0, sizeseen = 0, lineno = 0, i;
	ssize_t			 r;
	uint64_t		 seq;
	int			 fd, exitval, sig, kind;

	set = xcalloc(1, sizeof *set);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return (set);
		die("%s", path);
	}
	buf_init(&b);
	for (;;) {
		r = read(fd, buf_reserve(&b, 65536), 65536);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			die("%s", path);
		}
		if (r == 0)
			break;
		buf_commit(&b, (size_t)r);
	}
	if (close(fd) == -1)
		die("%s", path);

	p = BUF_PTR(&b);
	end = p + b.len;
	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		kind = joblog_parse_row(p, nl - p, &seq, &exitval, &sig);
		if (kind == -1)
			diex("%s: line %zu: not a joblog row", path, lineno);
		p = nl + 1;
		if (kind == 0)
			continue;
		if (nseen == sizeseen) {
			sizeseen = sizeseen == 0 ? 64 : sizeseen * 2;
			seen = xreallocarray(seen, sizeseen, sizeof *seen);
		}
		seen[nseen].seq = seq;
		seen[nseen].line = lineno;
		seen[nseen].done = !failed_too || (exitval == 0 && sig == 0);
		nseen++;
	}
	buf_free(&b);

	/* After sorting, the last of each run of equal seqs is its last row. */
	if (nseen > 0)
		qsort(seen, nseen, sizeof *seen, joblog_seen_cmp);
	set->v = xreallocarray(NULL, nseen > 0 ? nseen : 1, sizeof *set->v);
	for (i = 0; i < nseen; i++) {
		if (i + 1 < nseen && seen[i + 1].seq == seen[i].seq)
			continue;
		if (seen[i].done)
			set->v[set->n++] = seen[i].seq;
	}
	free(seen);
	return (set);
}

/* Says whether seq is in the set. */
int
seqset_has(const struct seqset *set, uint64_t seq)
{
	size_t	 lo = 0, hi = set->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (set->v[mid] == seq)
			return (1);
		if (set->v[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (0);
}

/* Frees a set; NULL is fine. */
void
seqset_free(struct seqset *set)
{
	if (set == NULL)
		return;
	free(set->v);
	free(set);
}
