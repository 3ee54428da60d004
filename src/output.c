/*
 * output.c - the one writer of mprun's stdout and stderr.
 *
 * Everything the tasks print reaches the user through a single FIFO of
 * pieces, each for fd 1 or fd 2, and one write is in flight at a time, so
 * what goes to the two descriptors keeps its relative order even when both
 * are the same terminal.  Small pieces for the same descriptor are
 * coalesced into one buffer, so a thousand one-line tasks cost a handful of
 * writes.
 *
 * Writes are uv_fs_write requests, done by blocking write(2) calls in
 * libuv's thread pool.  The alternative, a uv_pipe_t or uv_tty_t on fd 1,
 * would put O_NONBLOCK on a file description shared with the calling shell
 * and the programs after mprun in a pipeline.  A slow reader therefore
 * holds one pool thread; the pending byte count rises and the collector
 * stops reading from the workers (back-pressure) until it drains.
 *
 * Pieces spilled to a temporary file are queued by file range and read
 * back a block at a time just before they are written.
 */

#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define OUTPUT_COALESCE_MAX	(1024 * 1024)
#define OUTPUT_FILE_BLOCK	(1024 * 1024)
#define OUTPUT_IOV_MAX		64
/* Back-pressure: pause the workers above HIGH, resume below LOW. */
#define OUTPUT_HIGH		(8 * 1024 * 1024)
#define OUTPUT_LOW		(1024 * 1024)

struct output_piece {
	int				 fd;
	int				 file;	/* a spill-file range */
	int				 spillfd;
	off_t				 off;
	char				*data;
	size_t				 len;	/* bytes left to write */
	size_t				 done;	/* bytes of data written */
	size_t				 size;
	int				 busy;	/* in the write in flight */
	TAILQ_ENTRY(output_piece)	 entry;
};
TAILQ_HEAD(output_queue, output_piece);

static struct output_queue	 output_q = TAILQ_HEAD_INITIALIZER(output_q);
static uv_loop_t		*output_loop;
static void			(*output_drain_cb)(int);
static uv_fs_t			 output_req;
static int			 output_busy;	/* a write is in flight */
static int			 output_nbusy;	/* pieces in that write */
static size_t			 output_bytes;	/* queued, not yet written */
static int			 output_paused;
static int			 output_failed;
static const char		*output_spilldir;	/* for messages */
/* Every byte ever queued and written, for what waits on delivery. */
static uint64_t			 output_nqueued;
static uint64_t			 output_nwritten;
static void			(*output_written_cb)(void);

static void	 output_start(void);
static void	 output_write_cb(uv_fs_t *);
static int	 output_load(struct output_piece *);
static void	 output_check_high(void);
static void	 output_piece_free(struct output_piece *);

/* Whether fd is /dev/null: what is written there is lost anyway. */
int
output_is_null(int fd)
{
	struct stat	 st, null;

	if (fstat(fd, &st) == -1 || stat("/dev/null", &null) == -1)
		return (0);
	return (S_ISCHR(st.st_mode) && S_ISCHR(null.st_mode) &&
	    st.st_rdev == null.st_rdev);
}

/*
 * Whether our stdout and stderr are one file (the same device and inode:
 * 2>&1, both the terminal, both one pipe).  When fstat fails, they are
 * taken to be apart, which keeps every byte and only loses their order.
 */
int
output_same_file(void)
{
	struct stat	 out, err;

	if (fstat(STDOUT_FILENO, &out) == -1 ||
	    fstat(STDERR_FILENO, &err) == -1)
		return (0);
	return (out.st_dev == err.st_dev && out.st_ino == err.st_ino);
}

/*
 * Names the spill file's directory for a read error's message; the
 * string must outlive every spill-file piece.
 */
void
output_spill_dir(const char *dir)
{
	output_spilldir = dir;
}

/*
 * Sets the loop, what to call when back-pressure changes, and what to call
 * when bytes have been written (or NULL).
 */
void
output_init(uv_loop_t *loop, void (*drain_cb)(int), void (*written_cb)(void))
{
	output_loop = loop;
	output_drain_cb = drain_cb;
	output_written_cb = written_cb;
}

/*
 * How many bytes have been queued so far: once output_written() reaches
 * this mark, everything queued before it is out of mprun's hands.
 */
uint64_t
output_mark(void)
{
	return (output_nqueued);
}

/* How many bytes have been written so far. */
uint64_t
output_written(void)
{
	return (output_nwritten);
}

/* Frees a piece. */
static void
output_piece_free(struct output_piece *p)
{
	free(p->data);
	free(p);
}

/* Drops everything queued; nothing will be written any more. */
void
output_discard(void)
{
	struct output_piece	*p, *next;

	for (p = TAILQ_FIRST(&output_q); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->busy)
			continue;	/* the write still owns it */
		TAILQ_REMOVE(&output_q, p, entry);
		output_bytes -= p->len;
		output_piece_free(p);
	}
	output_failed = 1;
	/*
	 * Nothing will be written any more, so nothing may hold the workers
	 * back: a worker blocked on its frames could never report that its
	 * task stopped, and the run would never end.
	 */
	if (output_paused) {
		output_paused = 0;
		output_drain_cb(0);
	}
}

/* Queues n bytes for fd, copying them. */
void
output_write(int fd, const char *data, size_t n)
{
	struct output_piece	*p;

	if (n == 0 || output_failed)
		return;
	if (fd == STDOUT_FILENO && mprun_closed[STDOUT_FILENO]) {
		/* /dev/null stands in for it; the output would be lost. */
		log_warnx("write error on stdout: %s", strerror(EBADF));
		output_discard();
		mprun_shutdown(MPRUN_EXIT_ERROR);
		return;
	}
	p = TAILQ_LAST(&output_q, output_queue);
	if (p != NULL && !p->busy && !p->file && p->fd == fd &&
	    p->len + n <= OUTPUT_COALESCE_MAX) {
		if (p->len + n > p->size) {
			p->size = p->len + n < 4096 ? 4096 : (p->len + n) * 2;
			if (p->size > OUTPUT_COALESCE_MAX)
				p->size = OUTPUT_COALESCE_MAX;
			p->data = xrealloc(p->data, p->size);
		}
		memcpy(p->data + p->len, data, n);
		p->len += n;
	} else {
		p = xcalloc(1, sizeof *p);
		p->fd = fd;
		p->size = n < 4096 ? 4096 : n;
		p->data = xmalloc(p->size);
		memcpy(p->data, data, n);
		p->len = n;
		TAILQ_INSERT_TAIL(&output_q, p, entry);
	}
	output_bytes += n;
	output_nqueued += n;
	output_check_high();
	output_start();
}

/*
 * Pauses the producers as soon as too much waits: checking only when a
 * write completes is too late while that write blocks on a stalled
 * reader, and the workers' output would pile up here without bound.
 */
static void
output_check_high(void)
{
	if (!output_paused && output_bytes > OUTPUT_HIGH) {
		output_paused = 1;
		output_drain_cb(1);
	}
}

/* Queues n bytes at off of a spill file for fd. */
void
output_write_file(int fd, int spillfd, off_t off, size_t n)
{
	struct output_piece	*p;

	if (n == 0 || output_failed)
		return;
	p = xcalloc(1, sizeof *p);
	p->fd = fd;
	p->file = 1;
	p->spillfd = spillfd;
	p->off = off;
	p->len = n;
	TAILQ_INSERT_TAIL(&output_q, p, entry);
	output_bytes += n;
	output_nqueued += n;
	output_check_high();
	output_start();
}

/* Bytes queued and not yet written. */
size_t
output_pending(void)
{
	return (output_bytes);
}

/* Whether everything queued has been written. */
int
output_flushed(void)
{
	if (output_failed)
		return (!output_busy);
	return (TAILQ_EMPTY(&output_q) && !output_busy);
}

/*
 * Reads the next block of a spill-file piece into memory.  This is a
 * blocking pread of a local file we just wrote, usually still in the page
 * cache; it is not worth a round trip through the thread pool.
 */
static int
output_load(struct output_piece *p)
{
	size_t	 n;
	ssize_t	 r;

	n = p->len < OUTPUT_FILE_BLOCK ? p->len : OUTPUT_FILE_BLOCK;
	if (p->data == NULL) {
		p->data = xmalloc(OUTPUT_FILE_BLOCK);
		p->size = OUTPUT_FILE_BLOCK;
	}
	do
		r = pread(p->spillfd, p->data, n, p->off);
	while (r == -1 && errno == EINTR);
	if (r <= 0) {
		if (r == 0)
			errno = EIO;
		log_warn("reading the spill file in %s",
		    output_spilldir != NULL ? output_spilldir : "TMPDIR");
		return (-1);
	}
	return ((int)r);
}

/* Starts a write of the pieces at the head of the queue, if none runs. */
static void
output_start(void)
{
	struct output_piece	*p;
	uv_buf_t		 bufs[OUTPUT_IOV_MAX];
	unsigned		 n = 0;
	int			 r, fd;

	if (output_busy || output_failed || TAILQ_EMPTY(&output_q))
		return;
	p = TAILQ_FIRST(&output_q);
	fd = p->fd;
	if (p->file) {
		if ((r = output_load(p)) == -1) {
			output_discard();
			mprun_shutdown(MPRUN_EXIT_ERROR);
			return;
		}
		p->busy = 1;
		bufs[n++] = uv_buf_init(p->data, (unsigned)r);
	} else {
		TAILQ_FOREACH(p, &output_q, entry) {
			if (p->fd != fd || p->file || n == OUTPUT_IOV_MAX)
				break;
			p->busy = 1;
			bufs[n++] = uv_buf_init(p->data + p->done,
			    (unsigned)p->len);
		}
	}
	r = uv_fs_write(output_loop, &output_req, fd, bufs, n, -1,
	    output_write_cb);
	if (r != 0) {
		log_warnx("%s: %s", fd == 1 ? "stdout" : "stderr",
		    strerror(-r));
		output_discard();
		mprun_shutdown(MPRUN_EXIT_ERROR);
		return;
	}
	output_busy = 1;
	output_nbusy = (int)n;
}

/* A write finished: drop what it wrote, report errors, start the next. */
static void
output_write_cb(uv_fs_t *req)
{
	struct output_piece	*p;
	ssize_t			 r = req->result;
	size_t			 left, take, before;
	int			 fd, i, n = output_nbusy;

	uv_fs_req_cleanup(req);
	output_busy = 0;
	output_nbusy = 0;
	fd = TAILQ_FIRST(&output_q)->fd;
	if (r < 0) {
		TAILQ_FOREACH(p, &output_q, entry)
			p->busy = 0;
		output_discard();
		if (r == UV_EPIPE) {
			mprun_shutdown(-SIGPIPE);
			return;
		}
		log_warnx("write error on %s: %s", fd == 1 ? "stdout" :
		    "stderr", strerror((int)-r));
		mprun_shutdown(MPRUN_EXIT_ERROR);
		return;
	}
	before = output_bytes;
	output_nwritten += (uint64_t)r;
	left = (size_t)r;
	for (i = 0; i < n && (p = TAILQ_FIRST(&output_q)) != NULL; i++) {
		p->busy = 0;
		take = left < p->len ? left : p->len;
		if (p->file)
			p->off += (off_t)take;	/* the next block reads on */
		else
			p->done += take;
		p->len -= take;
		output_bytes -= take;
		left -= take;
		if (p->len != 0) {
			/* A short write: the rest goes next time. */
			TAILQ_FOREACH(p, &output_q, entry)
				p->busy = 0;
			break;
		}
		TAILQ_REMOVE(&output_q, p, entry);
		output_piece_free(p);
	}
	if (output_paused && output_bytes < OUTPUT_LOW) {
		output_paused = 0;
		output_drain_cb(0);
	} else
		output_check_high();
	output_start();
	if (before != 0 && output_flushed())
		output_drain_cb(0);
	if (output_written_cb != NULL)
		output_written_cb();
}

