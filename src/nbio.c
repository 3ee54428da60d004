/*
 * nbio.c - reads and writes on a descriptor that the calling shell may
 * share, from the loop, without a thread and without touching the
 * shared file description's flags.
 *
 * mprun's stdin, stdout and stderr are open file descriptions that the
 * shell and the other programs of a pipeline share: O_NONBLOCK set on one
 * of them (what a uv_pipe_t, a uv_tty_t or even uv_poll_init does) is set
 * for all of them, and they then fail with EAGAIN.  libuv's answer,
 * uv_fs_read and uv_fs_write, does blocking calls in a thread pool; but
 * the pool's threads count against the process limit (RLIMIT_NPROC counts
 * threads), and libuv aborts when it cannot start them.  So mprun starts
 * no thread at all, and each descriptor is handled by what it is:
 *
 * - A regular file, a block device, or anything epoll refuses (/dev/null,
 *   /dev/zero) never makes a caller wait for another program: it is read
 *   and written with plain blocking calls (NBIO_PLAIN), and a regular
 *   file keeps the offset it shares with the shell.
 * - A pipe, FIFO, terminal or other device is reopened through
 *   /proc/self/fd as a file description of our own, which may be made
 *   non-blocking, and watched with uv_poll (NBIO_OWN).  A file mprun
 *   opened itself is its own already.
 * - A socket cannot be reopened; recv and send take MSG_DONTWAIT, which is
 *   non-blocking per call (NBIO_SOCKET).
 * - A pipe or terminal that cannot be reopened (no /proc; another user's
 *   pipe or terminal: the reopen checks permissions again) is read only
 *   as far as FIONREAD says, and a pipe written only PIPE_BUF bytes at a
 *   time, once poll says it may be (NBIO_SHARED): such a call does not
 *   block unless another program drains the pipe at the same moment.
 *   Writes to a terminal we may not reopen are plain blocking ones.
 *
 * A socket or a shared descriptor is watched through an epoll set of our
 * own, which uv_poll watches in turn: uv_poll_init on the descriptor
 * itself would set O_NONBLOCK on it.  Each of these modes but PLAIN holds
 * one descriptor (nbio_fds() says so in advance, for limits.c).
 */

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

enum nbio_mode {
	NBIO_PLAIN,		/* blocking calls never wait for long */
	NBIO_OWN,		/* our own non-blocking description */
	NBIO_SOCKET,		/* MSG_DONTWAIT per call */
	NBIO_SHARED		/* bounded calls once poll says so */
};

struct nbio {
	enum nbio_mode	 mode;
	int		 dir;		/* NBIO_READ or NBIO_WRITE */
	int		 fd;		/* where the calls go */
	int		 ownfd;		/* ours to close, or -1 */
	int		 epfd;		/* our epoll set, or -1 */
	int		 pipe;		/* a pipe or FIFO (NBIO_SHARED) */
	uv_poll_t	 poll;		/* on ownfd or epfd */
	uv_idle_t	 idle;		/* NBIO_PLAIN: next turn of the loop */
	int		 handle;	/* which of the two is initialised */
	int		 waiting;
	void		(*cb)(void *);
	void		*arg;
};

static int	 nbio_reopen(int, int);
static int	 nbio_epoll(int, int);
static int	 nbio_ready(struct nbio *);
static void	 nbio_poll_cb(uv_poll_t *, int, int);
static void	 nbio_idle_cb(uv_idle_t *);
static void	 nbio_close_cb(uv_handle_t *);

/*
 * Opens fd through /proc/self/fd as a new, non-blocking description for
 * dir.  Returns the new fd or -1.
 */
static int
nbio_reopen(int fd, int dir)
{
	char	 path[64];

	(void)snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return (open(path, (dir == NBIO_READ ? O_RDONLY : O_WRONLY) |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
}

/* Makes an epoll set watching fd for dir.  Returns it, or -1. */
static int
nbio_epoll(int fd, int dir)
{
	struct epoll_event	 ev;
	int			 epfd, saved;

	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return (-1);
	memset(&ev, 0, sizeof ev);
	ev.events = dir == NBIO_READ ? EPOLLIN : EPOLLOUT;
	ev.data.fd = fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		saved = errno;
		close(epfd);
		errno = saved;
		return (-1);
	}
	return (epfd);
}

/*
 * How many descriptors nbio_new(fd, dir, own) would open: 0 or 1.  It
 * may open (and close) one while it finds out.
 */
int
nbio_fds(int fd, int dir, int own)
{
	struct stat	 st;
	int		 epfd;

	if (fstat(fd, &st) == -1 || S_ISREG(st.st_mode) ||
	    S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode))
		return (0);
	if (own && !S_ISSOCK(st.st_mode))
		return (0);
	/* Whatever the mode, epoll must take it, or it is PLAIN. */
	if ((epfd = nbio_epoll(fd, dir)) == -1)
		return (errno == EPERM ? 0 : 1);
	close(epfd);
	return (1);
}

/*
 * Sets up reads (dir NBIO_READ) or writes (NBIO_WRITE) on fd; own says
 * that mprun opened fd itself, so its description is nobody else's.  The
 * caller still owns fd.  Errors other than a lack of descriptors are not
 * reported here: the descriptor then gets plain calls, whose errors are.
 */
struct nbio *
nbio_new(uv_loop_t *loop, int fd, int dir, int own)
{
	struct nbio	*nb;
	struct stat	 st;
	int		 flags, r;

	nb = xcalloc(1, sizeof *nb);
	nb->mode = NBIO_PLAIN;
	nb->dir = dir;
	nb->fd = fd;
	nb->ownfd = nb->epfd = -1;

	if (fstat(fd, &st) == -1 || S_ISREG(st.st_mode) ||
	    S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode))
		goto plain;
	if (S_ISSOCK(st.st_mode)) {
		if ((nb->epfd = nbio_epoll(fd, dir)) == -1)
			goto noepoll;
		nb->mode = NBIO_SOCKET;
		goto watch;
	}
	if (own) {
		if ((flags = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
			goto plain;
		nb->mode = NBIO_OWN;
	} else if ((nb->ownfd = nbio_reopen(fd, dir)) != -1) {
		nb->fd = nb->ownfd;
		nb->mode = NBIO_OWN;
	} else {
		log_debug("reopening fd %d: %s; reading and writing it in "
		    "bounded calls", fd, strerror(errno));
		if ((nb->epfd = nbio_epoll(fd, dir)) == -1)
			goto noepoll;
		nb->mode = NBIO_SHARED;
		nb->pipe = S_ISFIFO(st.st_mode);
	}

watch:
	r = uv_poll_init(loop, &nb->poll, nb->epfd != -1 ? nb->epfd : nb->fd);
	if (r == UV_EPERM) {
		/* epoll refuses what can never make a caller wait. */
		if (nb->ownfd != -1)
			close(nb->ownfd);
		nb->ownfd = -1;
		nb->fd = fd;
		goto plain;
	}
	if (r != 0)
		fatalx("uv_poll_init: %s", uv_strerror(r));
	nb->poll.data = nb;
	nb->handle = 1;
	return (nb);

noepoll:
	if (errno == EMFILE || errno == ENFILE)
		die("epoll");
	/* EPERM: epoll refuses what can never make a caller wait. */
plain:
	nb->mode = NBIO_PLAIN;
	if ((r = uv_idle_init(loop, &nb->idle)) != 0)
		fatalx("uv_idle_init: %s", uv_strerror(r));
	nb->idle.data = nb;
	nb->handle = 1;
	return (nb);
}

/*
 * Whether a shared descriptor is ready for dir now: it is blocking, so a
 * call may only be made when it is.
 */
static int
nbio_ready(struct nbio *nb)
{
	struct epoll_event	 ev;
	int			 n;

	do
		n = epoll_wait(nb->epfd, &ev, 1, 0);
	while (n == -1 && errno == EINTR);
	return (n != 0);	/* an error: let the call report it */
}

/*
 * Reads up to len bytes.  Returns the count, 0 at the end of the file, or
 * -1 with errno set; EAGAIN means: call nbio_wait() and try again then.
 */
ssize_t
nbio_read(struct nbio *nb, void *p, size_t len)
{
	ssize_t	 n;
	int	 avail;

	for (;;) {
		switch (nb->mode) {
		case NBIO_SOCKET:
			n = recv(nb->fd, p, len, MSG_DONTWAIT);
			break;
		case NBIO_SHARED:
			if (!nbio_ready(nb)) {
				errno = EAGAIN;
				return (-1);
			}
			/*
			 * Read only what is there.  Readable with nothing
			 * there is the end of the file (or a terminal's
			 * end-of-file character), which a read returns at
			 * once.
			 */
			if (ioctl(nb->fd, FIONREAD, &avail) != -1 &&
			    avail > 0 && (size_t)avail < len)
				len = (size_t)avail;
			n = read(nb->fd, p, len);
			break;
		default:
			n = read(nb->fd, p, len);
			break;
		}
		if (n != -1 || errno != EINTR)
			return (n);
	}
}

/*
 * Writes what it can of iov[0..n).  Returns the count or -1 with errno
 * set; EAGAIN means: call nbio_wait() and try again then.
 */
ssize_t
nbio_writev(struct nbio *nb, const struct iovec *iov, int n)
{
	struct msghdr	 mh;
	ssize_t		 w;

	for (;;) {
		switch (nb->mode) {
		case NBIO_SOCKET:
			memset(&mh, 0, sizeof mh);
			mh.msg_iov = (struct iovec *)(uintptr_t)iov;
			mh.msg_iovlen = (size_t)n;
			w = sendmsg(nb->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		case NBIO_SHARED:
			if (!nb->pipe) {
				/* A terminal: it drains by itself. */
				w = writev(nb->fd, iov, n);
				break;
			}
			if (!nbio_ready(nb)) {
				errno = EAGAIN;
				return (-1);
			}
			/* Writable means a free page: PIPE_BUF bytes fit. */
			w = write(nb->fd, iov[0].iov_base,
			    iov[0].iov_len < PIPE_BUF ? iov[0].iov_len :
			    PIPE_BUF);
			break;
		default:
			w = writev(nb->fd, iov, n);
			break;
		}
		if (w != -1 || errno != EINTR)
			return (w);
	}
}

/*
 * Calls cb(arg) once, from the loop, when a read or write may go on: when
 * the descriptor is ready, or on the next turn of the loop for one that
 * never waits.  Returns 0, or a libuv error.
 */
int
nbio_wait(struct nbio *nb, void (*cb)(void *), void *arg)
{
	int	 r;

	nb->cb = cb;
	nb->arg = arg;
	if (nb->waiting)
		return (0);
	if (nb->mode == NBIO_PLAIN)
		r = uv_idle_start(&nb->idle, nbio_idle_cb);
	else if (nb->epfd != -1) {
		/* An epoll set is readable when what it watches is ready. */
		r = uv_poll_start(&nb->poll, UV_READABLE, nbio_poll_cb);
	} else
		r = uv_poll_start(&nb->poll, nb->dir == NBIO_READ ?
		    UV_READABLE : UV_WRITABLE, nbio_poll_cb);
	if (r == 0)
		nb->waiting = 1;
	return (r);
}

/*
 * The descriptor is ready, or has an error or a hang-up, which the next
 * call will report better than libuv's status can.
 */
static void
nbio_poll_cb(uv_poll_t *h, int status, int events)
{
	struct nbio	*nb = h->data;

	(void)uv_poll_stop(h);
	nb->waiting = 0;
	nb->cb(nb->arg);
}

/* The next turn of the loop came. */
static void
nbio_idle_cb(uv_idle_t *h)
{
	struct nbio	*nb = h->data;

	(void)uv_idle_stop(h);
	nb->waiting = 0;
	nb->cb(nb->arg);
}

/*
 * Stops watching and frees nb once its handle has closed; the
 * descriptors it opened are closed then too.
 */
void
nbio_free(struct nbio *nb)
{
	if (nb == NULL)
		return;
	nb->waiting = 0;
	if (nb->mode == NBIO_PLAIN)
		uv_close((uv_handle_t *)&nb->idle, nbio_close_cb);
	else
		uv_close((uv_handle_t *)&nb->poll, nbio_close_cb);
}

/* The handle has closed: nothing watches the descriptors any more. */
static void
nbio_close_cb(uv_handle_t *h)
{
	struct nbio	*nb = h->data;

	if (nb->ownfd != -1)
		close(nb->ownfd);
	if (nb->epfd != -1)
		close(nb->epfd);
	free(nb);
}
