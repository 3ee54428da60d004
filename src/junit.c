/*
 * junit.c - the --junit FILE report: one JUnit XML <testsuite> with one
 * <testcase> per task that ran, for the test report views of CI systems.
 *
 * The file is created (or truncated) before the loop, so a path that
 * cannot be written fails the run before any task starts.  While the run
 * goes on, report.c hands over each running task's stderr bytes, of
 * which only the last JUNIT_TAIL_MAX are kept (in a table keyed by
 * sequence number, dropped when a --retries attempt fails), and each
 * final result, which is formatted at once into its <testcase> element:
 * that text (the stderr tail is in it only for a failure) is all a task
 * leaves behind.  At the end the elements are sorted into input order and
 * written, after the <testsuite> line and its counts, to a temporary file
 * beside FILE that is then renamed over it, so a reader never sees half a
 * report.  Where that cannot be done or would change what FILE is (a
 * device, a FIFO, a symbolic link, a file with other links or another
 * owner, a directory mprun cannot write to), the report goes straight
 * into the file opened at the start.
 *
 * Every byte of a name or of stderr passes through junit_escape(): markup
 * characters become references, and invalid UTF-8 and the control
 * characters XML 1.0 forbids become U+FFFD, so the file is well-formed
 * whatever the tasks printed.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mprun.h"

/* The replacement character U+FFFD, in UTF-8. */
#define JUNIT_REPLACEMENT	"\357\277\275"
/* The stderr tails of running tasks, by seq modulo this. */
#define JUNIT_BUCKETS		256
/* Bytes gathered before each write of the report. */
#define JUNIT_WRITE_CHUNK	65536

/* The stderr tail of a task that is running. */
struct junit_run {
	uint64_t		 seq;
	struct junit_tail	 tail;
	struct junit_run	*next;
};

/* A finished task's <testcase> element, formatted. */
struct junit_rec {
	uint64_t	 seq;
	char		*xml;
	size_t		 len;
};

static const struct options	*jo;
static char			*jpath;
static int			 jfd = -1;
static struct stat		 jst;		/* of jfd, at the start */
static char			 jstamp[32];	/* the start, local time */
static struct timespec		 jstart;	/* the start, monotonic */
static struct junit_run		*jruns[JUNIT_BUCKETS];
static struct junit_rec		*jrecs;
static size_t			 jnrecs;
static size_t			 jsize;
static uint64_t			 jfailures;
static uint64_t			 jerrors;
static struct buf		 jscratch;	/* a testcase being made */

static size_t	 junit_utf8(const unsigned char *, size_t);
static struct junit_run **junit_find(uint64_t);
static int	 junit_rec_cmp(const void *, const void *);
static int	 junit_write_report(int);
static int	 junit_tempfile(char **);
static void	 junit_free(void);

/*
 * Returns the length of the valid UTF-8 character XML allows at p (n
 * bytes available, p[0] >= 0x80), or 0 when there is none: overlong forms,
 * surrogates, code points past U+10FFFF, and U+FFFE and U+FFFF are not.
 */
static size_t
junit_utf8(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (n < len || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	}
	if (len == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return (0);
	return (len);
}

/*
 * Appends n bytes as XML character data, or as an attribute value when
 * attr is set (where tabs and newlines must be references to survive).
 * Each byte that is not part of a character XML 1.0 allows becomes one
 * U+FFFD.
 */
void
junit_escape(struct buf *b, const char *p, size_t n, int attr)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 i = 0, len;

	while (i < n) {
		switch (s[i]) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, attr ? "&quot;" : "\"");
			break;
		case '\'':
			buf_adds(b, attr ? "&apos;" : "'");
			break;
		case '\t':
			buf_adds(b, attr ? "&#9;" : "\t");
			break;
		case '\n':
			buf_adds(b, attr ? "&#10;" : "\n");
			break;
		case '\r':
			/* A parser would turn a raw CR into a newline. */
			buf_adds(b, "&#13;");
			break;
		default:
			if (s[i] < 0x20) {
				buf_adds(b, JUNIT_REPLACEMENT);
				break;
			}
			if (s[i] < 0x80) {
				buf_addc(b, (char)s[i]);
				break;
			}
			if ((len = junit_utf8(s + i, n - i)) == 0) {
				buf_adds(b, JUNIT_REPLACEMENT);
				break;
			}
			buf_add(b, s + i, len);
			i += len;
			continue;
		}
		i++;
	}
}

/* Keeps the last JUNIT_TAIL_MAX bytes of what was added so far. */
void
junit_tail_add(struct junit_tail *t, const char *p, size_t n)
{
	size_t	 drop;

	if (n >= JUNIT_TAIL_MAX) {
		if (t->len != 0 || n > JUNIT_TAIL_MAX)
			t->cut = 1;
		memcpy(t->data, p + n - JUNIT_TAIL_MAX, JUNIT_TAIL_MAX);
		t->len = JUNIT_TAIL_MAX;
		return;
	}
	if (t->len + n > JUNIT_TAIL_MAX) {
		drop = t->len + n - JUNIT_TAIL_MAX;
		memmove(t->data, t->data + drop, t->len - drop);
		t->len -= drop;
		t->cut = 1;
	}
	memcpy(t->data + t->len, p, n);
	t->len += n;
}

/*
 * Returns the kept tail and its length.  When bytes were dropped it
 * starts at a character boundary: the continuation bytes of a character
 * cut in two are left out rather than shown as U+FFFD.
 */
const char *
junit_tail_text(const struct junit_tail *t, size_t *lenp)
{
	size_t	 i = 0;

	if (t->cut) {
		while (i < 3 && i < t->len &&
		    ((unsigned char)t->data[i] & 0xc0) == 0x80)
			i++;
	}
	*lenp = t->len - i;
	return (t->data + i);
}

/*
 * Appends a task's <testcase> element, with a <failure> (or an <error>,
 * for a task whose worker was lost) holding its stderr tail when it did
 * not succeed.  Returns JUNIT_PASS, JUNIT_FAILURE or JUNIT_ERROR.
 */
int
junit_format_case(struct buf *b, const struct junit_case *c)
{
	const char	*name;
	char		 text[128];
	size_t		 cut;
	int		 kind = JUNIT_FAILURE;

	buf_adds(b, "  <testcase name=\"");
	if (c->namelen > JUNIT_NAME_MAX) {
		/* Cut before a character, not inside one. */
		cut = JUNIT_NAME_MAX;
		while (cut > 0 && ((unsigned char)c->name[cut] & 0xc0) == 0x80)
			cut--;
		junit_escape(b, c->name, cut, 1);
		buf_adds(b, "...");
	} else
		junit_escape(b, c->name, c->namelen, 1);
	strnum_seconds(text, sizeof text, c->runtime_us);
	buf_adds(b, "\" classname=\"mprun\" time=\"");
	buf_adds(b, text);
	buf_addc(b, '"');

	if (c->timed_out) {
		snprintf(text, sizeof text, "<failure message=\"timed out "
		    "after %g s\" type=\"timeout\"",
		    (double)c->timeout_ms / 1000.0);
	} else if (c->sig != 0) {
		if ((name = sigabbrev_np(c->sig)) != NULL)
			snprintf(text, sizeof text, "<failure message=\"killed "
			    "by signal SIG%s\" type=\"signal\"", name);
		else
			snprintf(text, sizeof text, "<failure message=\"killed "
			    "by signal %d\" type=\"signal\"", c->sig);
	} else if (c->status < 0) {
		snprintf(text, sizeof text, "<error message=\"its worker "
		    "was lost\" type=\"lost\"");
		kind = JUNIT_ERROR;
	} else if (c->status != 0) {
		snprintf(text, sizeof text, "<failure message=\"exit status "
		    "%d\" type=\"exit\"", c->status);
	} else {
		buf_adds(b, "/>\n");
		return (JUNIT_PASS);
	}
	buf_adds(b, ">\n    ");
	buf_adds(b, text);
	if (c->taillen == 0)
		buf_adds(b, "/>\n");
	else {
		buf_addc(b, '>');
		junit_escape(b, c->tail, c->taillen, 0);
		buf_adds(b, kind == JUNIT_ERROR ? "</error>\n" :
		    "</failure>\n");
	}
	buf_adds(b, "  </testcase>\n");
	return (kind);
}

/*
 * Appends the XML declaration and the <testsuite> start tag, with the
 * counts, the run's duration and its start (local time, as JUnit's
 * schema has it: no zone).
 */
void
junit_format_head(struct buf *b, uint64_t tests, uint64_t failures,
    uint64_t errors, int64_t time_us, const char *stamp)
{
	char	 text[256], secs[48];

	strnum_seconds(secs, sizeof secs, time_us);
	snprintf(text, sizeof text,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuite name=\"mprun\" tests=\"%llu\" failures=\"%llu\" "
	    "errors=\"%llu\" skipped=\"0\" time=\"%s\" timestamp=\"%s\">\n",
	    (unsigned long long)tests, (unsigned long long)failures,
	    (unsigned long long)errors, secs, stamp);
	buf_adds(b, text);
}

/*
 * Creates or truncates the report file and notes when the run started.
 * Called before the loop: errors exit.
 */
void
junit_open(const struct options *o)
{
	struct tm	 tm;
	time_t		 now;

	jo = o;
	jpath = xstrdup(o->junit);
	if ((jfd = open(jpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) == -1 || fstat(jfd, &jst) == -1)
		die("--junit %s", jpath);
	if (clock_gettime(CLOCK_MONOTONIC, &jstart) == -1)
		die("clock_gettime");
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(jstamp, sizeof jstamp, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		diex("--junit: cannot format the time");
}

/* Finds the link to task seq's tail in its bucket, or to the chain's end. */
static struct junit_run **
junit_find(uint64_t seq)
{
	struct junit_run	**rp;

	for (rp = &jruns[seq % JUNIT_BUCKETS]; *rp != NULL;
	    rp = &(*rp)->next) {
		if ((*rp)->seq == seq)
			break;
	}
	return (rp);
}

/* Takes stderr bytes of running task seq into its tail. */
void
junit_stderr(uint64_t seq, const char *p, size_t n)
{
	struct junit_run	**rp, *r;

	if (n == 0)
		return;
	if ((r = *(rp = junit_find(seq))) == NULL) {
		r = xcalloc(1, sizeof *r);
		r->seq = seq;
		*rp = r;
	}
	junit_tail_add(&r->tail, p, n);
}

/* Forgets the stderr of task seq's failed attempt: --retries runs it again. */
void
junit_retry(uint64_t seq)
{
	struct junit_run	**rp, *r;

	if ((r = *(rp = junit_find(seq))) != NULL) {
		*rp = r->next;
		free(r);
	}
}

/* Books a task's final result as its formatted <testcase>. */
void
junit_record(const struct job *j)
{
	struct junit_case	 c;
	struct junit_run	**rp, *r;
	struct junit_rec	*rec;
	int			 kind;

	memset(&c, 0, sizeof c);
	if (jo->tagstring != NULL && j->tag != NULL) {
		c.name = j->tag;
		c.namelen = j->taglen;
		/* The tag is a line prefix: the string and a tab. */
		if (c.namelen > 0 && c.name[c.namelen - 1] == '\t')
			c.namelen--;
	} else if (j->cmd != NULL) {
		c.name = j->cmd;
		c.namelen = j->cmdlen;
	} else
		c.name = "";
	c.runtime_us = j->done.runtime_us;
	c.status = j->done.status;
	c.sig = j->done.sig;
	c.timed_out = j->timed_out;
	c.timeout_ms = j->timeout_ms;
	r = *(rp = junit_find(j->seq));
	if (r != NULL)
		c.tail = junit_tail_text(&r->tail, &c.taillen);

	buf_reset(&jscratch);
	kind = junit_format_case(&jscratch, &c);
	if (kind == JUNIT_FAILURE)
		jfailures++;
	else if (kind == JUNIT_ERROR)
		jerrors++;
	if (r != NULL) {
		*rp = r->next;
		free(r);
	}

	if (jnrecs == jsize) {
		jsize = jsize == 0 ? 256 : jsize * 2;
		jrecs = xreallocarray(jrecs, jsize, sizeof *jrecs);
	}
	/* Copied to fit: a million tasks may be kept until the end. */
	rec = &jrecs[jnrecs++];
	rec->seq = j->seq;
	rec->len = jscratch.len;
	rec->xml = xmalloc(rec->len);
	memcpy(rec->xml, BUF_PTR(&jscratch), rec->len);
}

/* Orders testcases by sequence number. */
static int
junit_rec_cmp(const void *a, const void *b)
{
	const struct junit_rec	*x = a, *y = b;

	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Writes the whole report to fd; returns 0, or -1 with errno set. */
static int
junit_write_report(int fd)
{
	struct timespec	 now;
	struct buf	 b;
	int64_t		 us;
	size_t		 i;
	int		 r = -1;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return (-1);
	us = (int64_t)(now.tv_sec - jstart.tv_sec) * 1000000 +
	    (now.tv_nsec - jstart.tv_nsec) / 1000;
	buf_init(&b);
	junit_format_head(&b, jnrecs, jfailures, jerrors, us, jstamp);
	for (i = 0; i < jnrecs; i++) {
		buf_add(&b, jrecs[i].xml, jrecs[i].len);
		if (b.len >= JUNIT_WRITE_CHUNK) {
			if (fdio_write(fd, BUF_PTR(&b), b.len) == -1)
				goto out;
			buf_reset(&b);
		}
	}
	buf_adds(&b, "</testsuite>\n");
	r = fdio_write(fd, BUF_PTR(&b), b.len);
out:
	buf_free(&b);
	return (r);
}

/*
 * Makes the temporary file the report is written to before it is renamed
 * over FILE, and returns its fd, or -1 when the report must go straight
 * into FILE: when FILE is not a plain file (a device, a FIFO), is a
 * symbolic link or has other links, or belongs to someone else (renaming
 * would change what it is), or when its directory is not writable.
 */
static int
junit_tempfile(char **tmpp)
{
	struct stat	 st;
	char		*tmp;
	int		 fd;

	*tmpp = NULL;
	if (!S_ISREG(jst.st_mode) || lstat(jpath, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_dev != jst.st_dev ||
	    st.st_ino != jst.st_ino || st.st_nlink != 1 ||
	    st.st_uid != geteuid())
		return (-1);
	xasprintf(&tmp, "%s.XXXXXX", jpath);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_debug("--junit %s: %s", tmp, strerror(errno));
		free(tmp);
		return (-1);
	}
	/* The report keeps the mode FILE was created with. */
	if (fchmod(fd, st.st_mode & 07777) == -1) {
		log_debug("--junit %s: %s", tmp, strerror(errno));
		if (unlink(tmp) == -1)
			log_warn("unlink %s", tmp);
		close(fd);
		free(tmp);
		return (-1);
	}
	*tmpp = tmp;
	return (fd);
}

/* Frees what the report holds. */
static void
junit_free(void)
{
	struct junit_run	*r;
	size_t			 i;

	for (i = 0; i < JUNIT_BUCKETS; i++) {
		while ((r = jruns[i]) != NULL) {
			jruns[i] = r->next;
			free(r);
		}
	}
	for (i = 0; i < jnrecs; i++)
		free(jrecs[i].xml);
	free(jrecs);
	jrecs = NULL;
	buf_free(&jscratch);
	jnrecs = jsize = 0;
	free(jpath);
	jpath = NULL;
	jo = NULL;
}

/*
 * Writes the report at the end of the run and closes the file.  Returns
 * 0, or -1 after saying why ("mprun: --junit FILE: why"); without
 * --junit it does nothing.
 */
int
junit_close(void)
{
	char	*tmp;
	int	 fd, saved, r = 0;

	if (jo == NULL)
		return (0);
	if (jnrecs > 1)
		qsort(jrecs, jnrecs, sizeof *jrecs, junit_rec_cmp);
	if ((fd = junit_tempfile(&tmp)) == -1) {
		/* Straight into FILE, truncated at the start. */
		if (junit_write_report(jfd) == -1)
			r = -1;
		if (close(jfd) == -1)
			r = -1;
	} else {
		if (junit_write_report(fd) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			r = -1;
		} else if (close(fd) == -1 || rename(tmp, jpath) == -1)
			r = -1;
		if (r == -1) {
			saved = errno;
			if (unlink(tmp) == -1)
				log_warn("unlink %s", tmp);
			errno = saved;
		}
		free(tmp);
		/* Nothing was written to it: an error here is no matter. */
		(void)close(jfd);
	}
	if (r == -1)
		log_warn("--junit %s", jpath);
	jfd = -1;
	junit_free();
	return (r);
}
