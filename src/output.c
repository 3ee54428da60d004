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
 * Writes go through nbio.c, from the loop and never blocking it on a pipe
 * or a terminal: a uv_pipe_t or uv_tty_t on fd 1 would put O_NONBLOCK on
 * a file description shared with the calling shell and the programs after
 * mprun in a pipeline, and libuv's uv_fs_write would need a thread.  A
 * write starts on the loop's next turn (or when the descriptor is ready),
 * never inside the call that queued it, so queueing output never runs
 * the drain callback under the caller's feet.  When the reader is slow,
 * the pending byte count rises and the collector stops reading from the
 * workers (back-pressure) until it drains.
 *
 * Pieces spilled to a temporary file are queued by file range and read
 * back a block at a time just before they are written.
 */

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/uio.h>

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
	TAILQ_ENTRY(output_piece)	 entry;
};
TAILQ_HEAD(output_queue, output_piece);

static struct output_queue	 output_q = TAILQ_HEAD_INITIALIZER(output_q);
static uv_loop_t		*output_loop;
static void			(*output_drain_cb)(int);
static struct nbio		*output_nb[3];	/* for fds 1 and 2 */
static int			 output_busy;	/* waiting to write */
static size_t			 output_bytes;	/* queued, not yet written */
static int			 output_paused;
static int			 output_failed;
static const char		*output_spilldir;	/* for messages */
/* Every byte ever queued and written, for what waits on delivery. */
static uint64_t			 output_nqueued;
static uint64_t			 output_nwritten;
static void			(*output_written_cb)(void);

static void	 output_start(void);
static void	 output_ready_cb(void *);
static void	 output_wrote(ssize_t, int);
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
	output_nb[STDOUT_FILENO] = nbio_new(loop, STDOUT_FILENO, NBIO_WRITE,
	    0);
	output_nb[STDERR_FILENO] = nbio_new(loop, STDERR_FILENO, NBIO_WRITE,
	    0);
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

/* How many descriptors output_init() opens, for limits.c. */
int
output_fds(void)
{
	return (nbio_fds(STDOUT_FILENO, NBIO_WRITE, 0) +
	    nbio_fds(STDERR_FILENO, NBIO_WRITE, 0));
}

/* Lets go of the descriptors; nothing is written any more. */
void
output_free(void)
{
	nbio_free(output_nb[STDOUT_FILENO]);
	nbio_free(output_nb[STDERR_FILENO]);
	output_nb[STDOUT_FILENO] = output_nb[STDERR_FILENO] = NULL;
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
		TAILQ_REMOVE(&output_q, p, entry);
		output_bytes -= p->len;
		output_piece_free(p);
	}
	output_failed = 1;
	/* Writes are made whole in one callback: none is in flight. */
	output_busy = 0;
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
	/* Not onto a piece partly written: its bytes start at done. */
	if (p != NULL && !p->file && p->done == 0 && p->fd == fd &&
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

/* Whether everything queued has been written. */
int
output_flushed(void)
{
	if (output_failed)
		return (1);
	return (TAILQ_EMPTY(&output_q) && !output_busy);
}

/*
 * Reads the next block of a spill-file piece into memory.  This is a
 * blocking pread of a local file we just wrote, usually still in the page
 * cache, and it never waits for another program.
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

/*
 * Starts a write of the pieces at the head of the queue, if none runs: it
 * is made when nbio says the descriptor takes it.
 */
static void
output_start(void)
{
	int	 r, fd;

	if (output_busy || output_failed || TAILQ_EMPTY(&output_q))
		return;
	fd = TAILQ_FIRST(&output_q)->fd;
	if ((r = nbio_wait(output_nb[fd], output_ready_cb, NULL)) != 0) {
		log_warnx("%s: %s", fd == 1 ? "stdout" : "stderr",
		    uv_strerror(r));
		output_discard();
		mprun_shutdown(MPRUN_EXIT_ERROR);
		return;
	}
	output_busy = 1;
}

/* The descriptor at the head of the queue takes a write: make it. */
static void
output_ready_cb(void *arg)
{
	struct output_piece	*p;
	struct iovec		 iov[OUTPUT_IOV_MAX];
	ssize_t			 w;
	int			 r, n = 0, fd;

	if (output_failed || TAILQ_EMPTY(&output_q)) {
		output_busy = 0;
		return;
	}
	p = TAILQ_FIRST(&output_q);
	fd = p->fd;
	if (p->file) {
		if ((r = output_load(p)) == -1) {
			output_busy = 0;
			output_discard();
			mprun_shutdown(MPRUN_EXIT_ERROR);
			return;
		}
		iov[n].iov_base = p->data;
		iov[n++].iov_len = (size_t)r;
	} else {
		TAILQ_FOREACH(p, &output_q, entry) {
			if (p->fd != fd || p->file || n == OUTPUT_IOV_MAX)
				break;
			iov[n].iov_base = p->data + p->done;
			iov[n++].iov_len = p->len;
		}
	}
	w = nbio_writev(output_nb[fd], iov, n);
	if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* Not ready after all (a shared pipe another fills). */
		if ((r = nbio_wait(output_nb[fd], output_ready_cb,
		    NULL)) != 0) {
			output_busy = 0;
			log_warnx("%s: %s", fd == 1 ? "stdout" : "stderr",
			    uv_strerror(r));
			output_discard();
			mprun_shutdown(MPRUN_EXIT_ERROR);
		}
		return;
	}
	output_wrote(w == -1 ? -errno : w, n);
}

/*
 * A write of n pieces returned r (bytes, or -errno): drop what it wrote,
 * report errors, start the next.
 */
static void
output_wrote(ssize_t r, int n)
{
	struct output_piece	*p;
	size_t			 left, take, before;
	int			 fd, i;

	output_busy = 0;
	fd = TAILQ_FIRST(&output_q)->fd;
	if (r < 0) {
		output_discard();
		if (r == -EPIPE) {
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
		take = left < p->len ? left : p->len;
		if (p->file)
			p->off += (off_t)take;	/* the next block reads on */
		else
			p->done += take;
		p->len -= take;
		output_bytes -= take;
		left -= take;
		if (p->len != 0)
			break;		/* a short write: the rest next time */
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
