/*
 * test_joblog.c - joblog.c: the exact text of rows (rounding, padding,
 * escaping), parsing rows ours and GNU parallel's, opening with and
 * without append, writes to a full device, and the --resume sets (last
 * row wins, failed rows, bad rows exit with a message).
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"
#include "tap.h"

#define HEADER	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\t" \
		"Exitval\tSignal\tCommand\n"

static char	 tmpdir[] = "/tmp/test_joblog.XXXXXX";

static void	 test_format(void);
static void	 test_parse(void);
static void	 test_open_write(void);
static void	 test_write_error(void);
static void	 test_resume(void);
static void	 test_resume_errors(void);
static void	 put_file(const char *, const char *);
static char	*get_file(const char *, size_t *);
static int	 run_child(void (*)(const char *), const char *, char *,
		     size_t);
static void	 child_resume(const char *);
static void	 child_open(const char *);

/* Writes a file with the given text. */
static void
put_file(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* Reads a whole file, NUL-terminated. */
static char *
get_file(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*p;
	size_t	 n;

	p = xcalloc(1, 65536);
	if ((f = fopen(path, "r")) == NULL) {
		*lenp = 0;
		return (p);
	}
	n = fread(p, 1, 65535, f);
	fclose(f);
	*lenp = n;
	return (p);
}

/*
 * Runs fn(arg) in a child with stderr on a pipe; returns its exit status
 * and what it wrote on stderr.
 */
static int
run_child(void (*fn)(const char *), const char *arg, char *err, size_t size)
{
	int	 fds[2], status;
	pid_t	 pid;
	ssize_t	 n;
	size_t	 off = 0;

	if (pipe(fds) == -1)
		return (-1);
	fflush(stdout);
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while (off < size - 1 &&
	    (n = read(fds[0], err + off, size - 1 - off)) > 0)
		off += (size_t)n;
	err[off] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return (-1);
	return (WEXITSTATUS(status));
}

/* Child: reads a joblog for --resume. */
static void
child_resume(const char *path)
{
	seqset_free(joblog_resume(path, 0));
}

/* Child: opens a joblog. */
static void
child_open(const char *path)
{
	joblog_close(joblog_open(path, 0));
}

/* Rows have GNU's layout, exact decimals and an escaped command. */
static void
test_format(void)
{
	static const struct {
		struct joblog_row	 row;
		const char		*want;
	} rows[] = {
		{ { 1, 1795308069801000, 3000, 0, 0, "echo 0", 6, NULL },
		    "1\t:\t1795308069.801\t     0.003\t0\t0\t0\t0\techo 0\n" },
		{ { 2, 1000500, 1000500, 1, 0, "exit 1", 6, NULL },
		    "2\t:\t1.001\t     1.001\t0\t0\t1\t0\texit 1\n" },
		{ { 3, 1000499, 999499, 0, 9, "kill", 4, NULL },
		    "3\t:\t1.000\t     0.999\t0\t0\t0\t9\tkill\n" },
		{ { 4, 999500, 999999, -1, 15, "sleep 9", 7, NULL },
		    "4\t:\t1.000\t     1.000\t0\t0\t-1\t15\tsleep 9\n" },
		{ { 5, 0, 0, 0, 0, "", 0, NULL },
		    "5\t:\t0.000\t     0.000\t0\t0\t0\t0\t\n" },
		{ { 6, 0, 1234567890123, 255, 0, "x", 1, NULL },
		    "6\t:\t0.000\t1234567.890\t0\t0\t255\t0\tx\n" },
		{ { 7, 0, 12345678, 0, 0, "a\tb\nc\\d\\t", 9, NULL },
		    "7\t:\t0.000\t    12.346\t0\t0\t0\t0\t"
		    "a\\tb\\nc\\\\d\\\\t\n" },
		{ { 18446744073709551615ULL, 5, 500, 0, 0, "\r'q'", 4, NULL },
		    "18446744073709551615\t:\t0.000\t     0.001\t0\t0\t0\t0\t"
		    "\r'q'\n" },
		{ { 9, 0, 0, 0, 0, "x", 1, "node1" },
		    "9\tnode1\t0.000\t     0.000\t0\t0\t0\t0\tx\n" },
	};
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("format row %zu", i);
		buf_reset(&b);
		joblog_format(&b, &rows[i].row);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, rows[i].want,
		    strlen(rows[i].want));
	}

	/* It appends. */
	tap_context("format appends");
	buf_reset(&b);
	buf_adds(&b, "x");
	joblog_format(&b, &rows[0].row);
	ASSERT(b.len == 1 + strlen(rows[0].want) && BUF_PTR(&b)[0] == 'x');
	buf_free(&b);
	tap_context(NULL);
}

/* Rows parse, ours and GNU's; the header is 0; garbage is -1. */
static void
test_parse(void)
{
	static const struct {
		const char	*line;
		int		 want;
		uint64_t	 seq;
		int		 exitval;
		int		 sig;
	} rows[] = {
		{ HEADER, 0, 0, 0, 0 },
		{ "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\t"
		    "Signal\tCommand", 0, 0, 0, 0 },
		{ "1\t:\t1795308069.801\t     0.003\t0\t2\t0\t0\techo 0; "
		    "exit 0\n", 1, 1, 0, 0 },
		{ "3\t:\t1795308069.810\t     0.000\t0\t2\t2\t0\techo 2",
		    1, 3, 2, 0 },
		{ "1\t:\t1795308069.933\t     0.000\t0\t0\t0\t9\tkill -9 $$ x",
		    1, 1, 0, 9 },
		{ "1\t:\t1795308070.043\t     0.000\t0\t6\t0\t0\tprintf "
		    "\"%s\\t\" a 'x\ty'", 1, 1, 0, 0 },
		{ "12\t:\t0.000\t     0.000\t0\t0\t-1\t15\t", 1, 12, -1, 15 },
		{ "18446744073709551615\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ "9223372036854775807\t:\t0\t0\t0\t0\t0\t0\tx", 1,
		    9223372036854775807ULL, 0, 0 },
		{ "5\t:\t0\t0\t0\t0\t2147483647\t0\tx", 1, 5, 2147483647, 0 },
		{ "5\t:\t0\t0\t0\t0\t2147483648\t0\tx", -1, 0, 0, 0 },
		{ "", -1, 0, 0, 0 },
		{ "\n", -1, 0, 0, 0 },
		{ "garbage", -1, 0, 0, 0 },
		{ "1\t:\t0\t0\t0\t0\t0\t0", -1, 0, 0, 0 },	/* 8 fields */
		{ "0\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ "-1\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ "+1\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ " 1\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ "1x\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ "\t:\t0\t0\t0\t0\t0\t0\tx", -1, 0, 0, 0 },
		{ "1\t:\t0\t0\t0\t0\tx\t0\tx", -1, 0, 0, 0 },
		{ "1\t:\t0\t0\t0\t0\t\t0\tx", -1, 0, 0, 0 },
		{ "1\t:\t0\t0\t0\t0\t0\t-1\tx", -1, 0, 0, 0 },
		{ "1\t:\t0\t0\t0\t0\t0\t\tx", -1, 0, 0, 0 },
		{ "1\t:\t0\t0\t0\t0\t0\t9 \tx", -1, 0, 0, 0 },
		{ "Seq\tHost", -1, 0, 0, 0 },
	};
	uint64_t	 seq;
	int		 exitval, sig, r;
	size_t		 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("parse row %zu", i);
		seq = 77;
		exitval = sig = 77;
		r = joblog_parse_row(rows[i].line, strlen(rows[i].line), &seq,
		    &exitval, &sig);
		ASSERT_INT_EQ(r, rows[i].want);
		if (r == 1) {
			ASSERT(seq == rows[i].seq);
			ASSERT_INT_EQ(exitval, rows[i].exitval);
			ASSERT_INT_EQ(sig, rows[i].sig);
		}
	}

	/* Only len bytes are read. */
	tap_context("parse reads len bytes");
	r = joblog_parse_row("4\t:\t0\t0\t0\t0\t3\t0\tx\tGARBAGE", 17, &seq,
	    &exitval, &sig);
	ASSERT_INT_EQ(r, 1);
	r = joblog_parse_row("4\t:\t0\t0\t0\t0\t3\t0\tx", 14, &seq, &exitval,
	    &sig);
	ASSERT_INT_EQ(r, -1);

	/* What joblog_format() writes parses back. */
	{
		struct joblog_row	 row = { 42, 1000, 2000, -1, 15,
		    "a\tb\nc", 5, NULL };
		struct buf		 b;

		tap_context("parse formatted row");
		buf_init(&b);
		joblog_format(&b, &row);
		ASSERT_INT_EQ(joblog_parse_row(BUF_PTR(&b), b.len, &seq,
		    &exitval, &sig), 1);
		ASSERT(seq == 42);
		ASSERT_INT_EQ(exitval, -1);
		ASSERT_INT_EQ(sig, 15);
		buf_free(&b);
	}
	tap_context(NULL);
}

/* Open writes the header only into an empty file; writes add rows. */
static void
test_open_write(void)
{
	struct joblog_row	 row = { 1, 1500000, 250000, 0, 0, "true", 4,
	    NULL };
	struct joblog		*j;
	struct stat		 st;
	char			 path[256], err[1024], *text;
	size_t			 len;
	int			 fd;

	snprintf(path, sizeof path, "%s/log", tmpdir);

	tap_context("open new");
	j = joblog_open(path, 0);
	ASSERT_STR_EQ(joblog_path(j), path);
	ASSERT_INT_EQ(joblog_write(j, &row), 0);
	joblog_close(j);
	text = get_file(path, &len);
	ASSERT_STR_EQ(text, HEADER
	    "1\t:\t1.500\t     0.250\t0\t0\t0\t0\ttrue\n");
	free(text);
	/* main() set the umask to 022. */
	ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);

	tap_context("open append");
	row.seq = 2;
	j = joblog_open(path, 1);
	ASSERT_INT_EQ(joblog_write(j, &row), 0);
	row.seq = 3;
	ASSERT_INT_EQ(joblog_write(j, &row), 0);
	joblog_close(j);
	text = get_file(path, &len);
	ASSERT_STR_EQ(text, HEADER
	    "1\t:\t1.500\t     0.250\t0\t0\t0\t0\ttrue\n"
	    "2\t:\t1.500\t     0.250\t0\t0\t0\t0\ttrue\n"
	    "3\t:\t1.500\t     0.250\t0\t0\t0\t0\ttrue\n");
	free(text);

	tap_context("open truncates");
	j = joblog_open(path, 0);
	joblog_close(j);
	text = get_file(path, &len);
	ASSERT_STR_EQ(text, HEADER);
	free(text);

	tap_context("append to an empty file writes the header");
	put_file(path, "");
	j = joblog_open(path, 1);
	ASSERT_INT_EQ(joblog_write(j, &row), 0);
	joblog_close(j);
	text = get_file(path, &len);
	ASSERT_STR_EQ(text, HEADER
	    "3\t:\t1.500\t     0.250\t0\t0\t0\t0\ttrue\n");
	free(text);

	tap_context("open is close-on-exec");
	j = joblog_open(path, 1);
	/* The fd is the lowest free one after stdio in this test. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT(fd > 2);
	ASSERT_INT_EQ(fcntl(fd - 1, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	joblog_close(j);

	tap_context("write to a full device");
	if (access("/dev/full", W_OK) == 0) {
		ASSERT_INT_EQ(run_child(child_open, "/dev/full", err,
		    sizeof err), 255);
		ASSERT_STR_EQ(err, "mprun: --joblog /dev/full: "
		    "No space left on device\n");
	} else
		SKIP("/dev/full", "no /dev/full");

	tap_context("open error");
	snprintf(path, sizeof path, "%s/no/such/dir", tmpdir);
	ASSERT_INT_EQ(run_child(child_open, path, err, sizeof err), 255);
	snprintf(path, sizeof path, "mprun: %s/no/such/dir: No such file or "
	    "directory\n", tmpdir);
	ASSERT_STR_EQ(err, path);

	tap_context("open -");
	ASSERT_INT_EQ(run_child(child_open, "-", err, sizeof err), 255);
	ASSERT_STR_EQ(err, "mprun: --joblog: '-' is not supported: give a "
	    "file\n");
	tap_context(NULL);
}

/* joblog_write() on /dev/full returns -1 with ENOSPC. */
static void
test_write_error(void)
{
	struct joblog_row	 row = { 1, 0, 0, 0, 0, "x", 1, NULL };
	struct joblog		*j;
	char			 path[256];
	int			 fd;

	tap_context("write error");
	snprintf(path, sizeof path, "%s/log", tmpdir);
	put_file(path, "not empty\n");
	j = joblog_open(path, 1);
	/* Swap the file for /dev/full behind its back. */
	if ((fd = open("/dev/full", O_WRONLY | O_CLOEXEC)) == -1) {
		SKIP("write error", "no /dev/full");
		joblog_close(j);
		return;
	}
	ASSERT(dup3(fd, fd - 1, O_CLOEXEC) == fd - 1);
	close(fd);
	errno = 0;
	ASSERT_INT_EQ(joblog_write(j, &row), -1);
	ASSERT_INT_EQ(errno, ENOSPC);
	joblog_close(j);
	tap_context(NULL);
}

/* --resume skips every row; --resume-failed only the last successes. */
static void
test_resume(void)
{
	struct seqset	*set;
	char		 path[256];
	uint64_t	 seq;

	snprintf(path, sizeof path, "%s/resume", tmpdir);

	tap_context("resume missing file");
	unlink(path);
	set = joblog_resume(path, 0);
	ASSERT(set != NULL);
	ASSERT(!seqset_has(set, 1));
	seqset_free(set);
	set = joblog_resume(path, 1);
	ASSERT(set != NULL && !seqset_has(set, 0));
	seqset_free(set);

	tap_context("resume empty file");
	put_file(path, "");
	set = joblog_resume(path, 0);
	ASSERT(set != NULL && !seqset_has(set, 1));
	seqset_free(set);

	tap_context("resume header only");
	put_file(path, HEADER);
	set = joblog_resume(path, 0);
	ASSERT(set != NULL && !seqset_has(set, 1));
	seqset_free(set);

	put_file(path, HEADER
	    "3\t:\t1.0\t     0.100\t0\t0\t0\t0\tok 3\n"
	    "1\t:\t1.0\t     0.100\t0\t0\t1\t0\tfail 1\n"
	    "7\t:\t1.0\t     0.100\t0\t0\t0\t9\tkilled 7\n"
	    "5\t:\t1.0\t     0.100\t0\t0\t-1\t15\ttimeout 5\n"
	    "1\t:\t1.0\t     0.100\t0\t0\t0\t0\tretried ok 1\n"
	    "9\t:\t1.0\t     0.100\t0\t0\t0\t0\tok then fail 9\n"
	    "9\t:\t1.0\t     0.100\t0\t0\t2\t0\tok then fail 9\n"
	    "1000000\t:\t1.0\t     0.100\t0\t0\t0\t0\tbig\ttab\n"
	    "11\t:\t1.0\t     0.100\t0\t0\t0\t0\tno newline");
	tap_context("resume");
	set = joblog_resume(path, 0);
	for (seq = 0; seq <= 12; seq++) {
		tap_context("resume seq %llu", (unsigned long long)seq);
		ASSERT_INT_EQ(seqset_has(set, seq), seq == 1 || seq == 3 ||
		    seq == 5 || seq == 7 || seq == 9 || seq == 11);
	}
	ASSERT(seqset_has(set, 1000000));
	ASSERT(!seqset_has(set, 999999));
	ASSERT(!seqset_has(set, UINT64_MAX));
	seqset_free(set);

	set = joblog_resume(path, 1);
	for (seq = 0; seq <= 12; seq++) {
		tap_context("resume-failed seq %llu",
		    (unsigned long long)seq);
		ASSERT_INT_EQ(seqset_has(set, seq), seq == 1 || seq == 3 ||
		    seq == 11);
	}
	ASSERT(seqset_has(set, 1000000));
	seqset_free(set);

	/* Many rows, shuffled, with duplicates: binary search holds. */
	{
		FILE		*f;
		uint64_t	 k;

		tap_context("resume many rows");
		if ((f = fopen(path, "w")) == NULL)
			return;
		for (k = 0; k < 5000; k++)
			fprintf(f, "%llu\t:\t0\t0\t0\t0\t%d\t0\tc\n",
			    (unsigned long long)((k * 7919) % 5000 + 1),
			    (int)(k % 3 == 0));
		for (k = 0; k < 5000; k += 2)
			fprintf(f, "%llu\t:\t0\t0\t0\t0\t0\t0\tc\n",
			    (unsigned long long)k + 1);
		fclose(f);
		set = joblog_resume(path, 0);
		for (k = 0; k <= 5001; k++) {
			if (seqset_has(set, k) != (k >= 1 && k <= 5000))
				break;
		}
		ASSERT(k == 5002);
		seqset_free(set);
		set = joblog_resume(path, 1);
		ASSERT(seqset_has(set, 1));	/* rewritten as success */
		ASSERT(!seqset_has(set, 3758));	/* failed, even: not */
		ASSERT(seqset_has(set, 3759));
		ASSERT(!seqset_has(set, 5001));
		seqset_free(set);
	}
	seqset_free(NULL);
	tap_context(NULL);
}

/* A bad row exits 255 naming the file and line; so do read errors. */
static void
test_resume_errors(void)
{
	static const struct {
		const char	*text;
		int		 line;
	} rows[] = {
		{ HEADER "1\t:\t0\t0\t0\t0\t0\t0\tx\nbad\n", 3 },
		{ "garbage\n", 1 },
		{ HEADER "\n1\t:\t0\t0\t0\t0\t0\t0\tx\n", 2 },
		{ HEADER "1\t:\t0\t0\t0\t0\t0\t0\tx\n2\t:\t0\t0\t0\t0\t0\n",
		    3 },
		{ HEADER "x\t:\t0\t0\t0\t0\t0\t0\tx\n", 2 },
	};
	char		 path[256], err[1024], want[512];
	size_t		 i;

	snprintf(path, sizeof path, "%s/bad", tmpdir);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tap_context("resume error %zu", i);
		put_file(path, rows[i].text);
		ASSERT_INT_EQ(run_child(child_resume, path, err, sizeof err),
		    255);
		snprintf(want, sizeof want, "mprun: %s: line %d: not a joblog "
		    "row\n", path, rows[i].line);
		ASSERT_STR_EQ(err, want);
	}

	tap_context("resume a directory");
	ASSERT_INT_EQ(run_child(child_resume, tmpdir, err, sizeof err), 255);
	snprintf(want, sizeof want, "mprun: %s: Is a directory\n", tmpdir);
	ASSERT_STR_EQ(err, want);
	unlink(path);
	tap_context(NULL);
}

int
main(void)
{
	char	 path[256];

	umask(022);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	test_format();
	test_parse();
	test_open_write();
	test_write_error();
	test_resume();
	test_resume_errors();
	snprintf(path, sizeof path, "%s/log", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/resume", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return (tap_done());
}
