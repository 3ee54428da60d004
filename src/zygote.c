/*
 * zygote.c - a fork server for the local workers.
 *
 * Starting a worker with fork+exec of mprun's own executable costs a whole
 * dynamic link and libc start-up (about 0.8 ms here: as much as the task
 * itself for a trivial one), and a fork of the parent once its loop runs
 * would inherit the loop's state.  So the parent forks this process once,
 * first thing, while it has no thread (it never starts one), no loop, signal
 * handler or open file of its own: it is a clean copy of a freshly
 * started mprun.  Each worker is then a plain fork of the zygote that
 * goes straight into worker_main(), as "mprun --worker-mode" would after
 * exec (Python's multiprocessing calls this the forkserver).
 *
 * Two SOCK_SEQPACKET pairs connect it to the parent.  On the request
 * socket the parent sends the worker's two pipe ends (SCM_RIGHTS) and
 * waits for the answer, the new pid or -errno, as uv_spawn waits for its
 * exec; or, once processes run short, a request without fds that says
 * to keep no spare worker any more (a spare holds a process that a task
 * could use).  On the event socket the zygote reports each worker it reaps, as
 * a pid and a wait status; the parent reads those from its loop.  The
 * workers are the zygote's children, so it is the one to reap them.
 *
 * The zygote lives in a process group of its own, like the workers, and
 * ignores the terminal's signals: the parent decides what they mean.
 * When the parent goes (its end of the request socket closes), the zygote
 * waits for its workers, which stop on their own once their pipes close,
 * and exits.
 */

#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

/* Room for the two fds of a spawn request, aligned for a cmsghdr. */
union zygote_cmsg {
	char		buf[CMSG_SPACE(2 * sizeof(int))];
	struct cmsghdr	align;
};

/* What the zygote reports when it reaps a worker. */
struct zygote_exit {
	int32_t	 pid;
	int32_t	 status;	/* as from waitpid */
};

/* In the parent. */
static pid_t	 zpid = -1;
static int	 zreq = -1;	/* our end: spawn requests */
static int	 zev = -1;	/* our end: exits */
static int	 zretired;	/* no more requests: its EOF is expected */
static int	 znospare;	/* told to keep no spare */

/* In the zygote: its ends, its SIGCHLD signalfd, the spare worker. */
static struct {
	int	 req;
	int	 ev;
	int	 sfd;
	unsigned jobs;		/* the pool size */
	unsigned maxtasks;	/* workers are recycled when not 0 */
	unsigned handed;	/* workers handed out so far */
	int	 nospare;	/* processes ran short: no more spares */
	pid_t	 spare;		/* forked, waiting for its pipes, or -1 */
	int	 spare_sock;	/* where its pipes go */
} z;

static const int zygote_ignored[] = { SIGINT, SIGQUIT, SIGHUP, SIGTSTP,
	SIGTTIN, SIGTTOU, SIGPIPE };

static void	 zygote_main(void) __attribute__((noreturn));
static int	 zygote_keep_fds(int, int);
static int	 zygote_request(void);
static void	 zygote_msg(struct msghdr *, struct iovec *, char *, char *,
		     size_t);
static int	 zygote_send_fds(int, const int *, int);
static int	 zygote_recv_fds(int, int *, char *);
static pid_t	 zygote_fork(const int *);
static void	 zygote_prefork(void);
static void	 zygote_reap(void);
static void	 zygote_report(pid_t, int);
static void	 zygote_worker(int, int) __attribute__((noreturn));

/*
 * Forks the zygote for a pool of jobs workers, recycled after maxtasks
 * tasks (0: never).  Must run before the parent has a thread, a loop or
 * a signal handler.  Returns 0, or -1 (with errno set) when workers must
 * be started with exec instead.
 */
int
zygote_start(unsigned jobs, unsigned maxtasks)
{
	int	 req[2], ev[2], saved;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req) == -1)
		return (-1);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ev) == -1) {
		saved = errno;
		close(req[0]);
		close(req[1]);
		errno = saved;
		return (-1);
	}
	switch (zpid = fork()) {
	case -1:
		saved = errno;
		close(req[0]);
		close(req[1]);
		close(ev[0]);
		close(ev[1]);
		errno = saved;
		return (-1);
	case 0:
		close(req[0]);
		close(ev[0]);
		z.req = req[1];
		z.ev = ev[1];
		z.jobs = jobs;
		z.maxtasks = maxtasks;
		zygote_main();
		/* NOTREACHED */
	}
	close(req[1]);
	close(ev[1]);
	zreq = req[0];
	zev = ev[0];
	if (fcntl(zev, F_SETFL, O_NONBLOCK) == -1) {
		saved = errno;
		zygote_close();
		errno = saved;
		return (-1);
	}
	return (0);
}

/* Whether workers come from the zygote. */
int
zygote_active(void)
{
	return (zreq != -1);
}

/* The fd the parent watches for exits, or -1. */
int
zygote_event_fd(void)
{
	return (zev);
}

/*
 * Starts a worker whose stdin and stdout are fds in and out (the caller
 * still owns and closes them).  Returns its pid, or -1 with errno set;
 * EPIPE means the zygote is gone.
 */
pid_t
zygote_spawn(int in, int out)
{
	int		 fds[2] = { in, out };
	int32_t		 answer;
	ssize_t		 n;

	if (zreq == -1) {
		errno = EPIPE;
		return (-1);
	}
	n = zygote_send_fds(zreq, fds, 2) == 0 ? 1 : -1;
	if (n != -1) {
		do
			n = recv(zreq, &answer, sizeof answer, 0);
		while (n == -1 && errno == EINTR);
	}
	if (n != sizeof answer) {
		/*
		 * The zygote is gone.  The event socket stays open: its EOF
		 * tells the loop to settle the workers it leaves behind.
		 */
		close(zreq);
		zreq = -1;
		errno = EPIPE;
		return (-1);
	}
	if (answer < 0) {
		errno = -answer;
		return (-1);
	}
	return ((pid_t)answer);
}

/* Sets up a one-byte message with room for control data. */
static void
zygote_msg(struct msghdr *mh, struct iovec *iov, char *c, char *cbuf,
    size_t clen)
{
	memset(mh, 0, sizeof *mh);
	memset(cbuf, 0, clen);
	iov->iov_base = c;
	iov->iov_len = 1;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	mh->msg_control = cbuf;
	mh->msg_controllen = clen;
}

/* Sends n (1 or 2) fds over a socket.  Returns 0 or -1. */
static int
zygote_send_fds(int sock, const int *fds, int n)
{
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	union zygote_cmsg	 cbuf;
	char		 c = 'S';
	ssize_t		 r;

	zygote_msg(&mh, &iov, &c, cbuf.buf, CMSG_SPACE(n * sizeof(int)));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	return (r == -1 ? -1 : 0);
}

/*
 * Receives the two fds of a spawn request, and the request's byte in *c.
 * Returns 1, 0 at EOF, or -1; fds[] are -1 if the message carried none.
 */
static int
zygote_recv_fds(int sock, int *fds, char *c)
{
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	union zygote_cmsg	 cbuf;
	ssize_t		 n;

	fds[0] = fds[1] = -1;
	*c = '\0';
	zygote_msg(&mh, &iov, c, cbuf.buf, sizeof cbuf.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return ((int)n);
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(2 * sizeof(int)))
			memcpy(fds, CMSG_DATA(cm), 2 * sizeof(int));
	}
	return (1);
}

/*
 * Tells the zygote to keep no spare worker from now on, and to drop the
 * one it has: processes have run short.  Once is enough.
 */
void
zygote_nospare(void)
{
	int32_t		 answer;
	ssize_t		 n;
	char		 c = 'N';

	if (zreq == -1 || znospare)
		return;
	znospare = 1;
	do
		n = send(zreq, &c, 1, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == 1) {
		do
			n = recv(zreq, &answer, sizeof answer, 0);
		while (n == -1 && errno == EINTR);
	}
	/* A zygote that is gone shows at the next spawn, as ever. */
}

/*
 * Reads one exit report.  Returns 1 with pid and status filled in, 0 when
 * there is none for now, or -1 when the zygote is gone.
 */
int
zygote_event(pid_t *pid, int *status)
{
	struct zygote_exit	 ze;
	ssize_t			 n;

	if (zev == -1)
		return (-1);
	do
		n = recv(zev, &ze, sizeof ze, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return (0);
	if (n != sizeof ze)
		return (-1);
	*pid = ze.pid;
	*status = ze.status;
	return (1);
}

/*
 * Says no more workers will be asked for: the zygote drops its spare and
 * leaves as soon as its last worker has, while the run winds down.  A
 * worker needed after all (to retry a task whose worker died) is then
 * started with exec.
 */
void
zygote_retire(void)
{
	if (zreq != -1) {
		close(zreq);
		zretired = 1;
	}
	zreq = -1;
}

/* Whether the zygote was told no more workers will be asked for. */
int
zygote_retired(void)
{
	return (zretired);
}

/*
 * Closes the sockets, which tells the zygote to leave once its workers
 * have, and reaps it.  Called when every worker is gone (or the zygote
 * is), so it does not wait long.
 */
void
zygote_close(void)
{
	int	 status;

	if (zreq != -1)
		close(zreq);
	if (zev != -1)
		close(zev);
	zreq = zev = -1;
	if (zpid > 0) {
		while (waitpid(zpid, &status, 0) == -1 && errno == EINTR)
			;
		zpid = -1;
	}
}

/* The zygote itself: forks workers on request until the parent goes. */
static void
zygote_main(void)
{
	struct sigaction	 sa;
	struct pollfd		 pfd[2];
	sigset_t		 chld;
	size_t			 i;
	int			 devnull, status;
	pid_t			 pid;

	/*
	 * Hold nothing of the parent's: a pipe we kept open would hide its
	 * EOF from whoever reads it (fd 2 stays: the workers inherit it).
	 */
	if ((devnull = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(devnull, STDOUT_FILENO) == -1)
		_exit(MPRUN_EXIT_ERROR);
	if (devnull > STDERR_FILENO)
		close(devnull);
	if (zygote_keep_fds(z.req, z.ev) != 0)
		_exit(MPRUN_EXIT_ERROR);
	if (setpgid(0, 0) == -1)
		_exit(MPRUN_EXIT_ERROR);
	(void)prctl(PR_SET_NAME, "mprun-zygote");

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof zygote_ignored / sizeof zygote_ignored[0];
	    i++) {
		if (sigaction(zygote_ignored[i], &sa, NULL) == -1)
			_exit(MPRUN_EXIT_ERROR);
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_SETMASK, &chld, NULL) == -1 ||
	    (z.sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		_exit(MPRUN_EXIT_ERROR);

	/* Worked out once here rather than in each worker's HELLO. */
	worker_set_ncpu(ncpu_available());
	z.spare = -1;
	z.spare_sock = -1;
	zygote_prefork();

	for (;;) {
		pfd[0].fd = z.req;
		pfd[0].events = POLLIN;
		pfd[1].fd = z.sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(MPRUN_EXIT_ERROR);
		}
		if (pfd[1].revents != 0)
			zygote_reap();
		if (pfd[0].revents != 0 && zygote_request() == -1)
			break;
	}

	/*
	 * No more requests: the parent needs no new worker, or is gone.
	 * The spare goes; the workers' exits are still reported, then the
	 * zygote leaves with the last of them.
	 */
	if (z.spare_sock != -1) {
		close(z.spare_sock);
		z.spare_sock = -1;
	}
	for (;;) {
		if ((pid = waitpid(-1, &status, 0)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		zygote_report(pid, status);
	}
	_exit(0);
}

/*
 * Closes every close-on-exec fd but the two sockets and make's jobserver
 * fds, which the tasks get (jobserver_task_fds()).  Returns 0 or -1.
 */
static int
zygote_keep_fds(int a, int b)
{
	DIR		*d;
	struct dirent	*de;
	const char	*errstr;
	int		 fd, dfd, flags, jr, jw;

	(void)jobserver_task_fds(&jr, &jw);
	if ((d = opendir("/proc/self/fd")) == NULL)
		return (-1);
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = (int)strnum(de->d_name, 0, INT_MAX, &errstr);
		if (errstr != NULL)
			continue;
		if (fd <= STDERR_FILENO || fd == a || fd == b || fd == dfd ||
		    fd == jr || fd == jw)
			continue;
		/*
		 * mprun's own fds are close-on-exec: they go.  The others
		 * came from whoever started mprun (3>file): the tasks
		 * inherit them, as from xargs or a worker started by exec.
		 */
		if ((flags = fcntl(fd, F_GETFD)) == -1 || flags & FD_CLOEXEC)
			close(fd);
	}
	closedir(d);
	return (0);
}

/*
 * Answers one spawn request, with the spare if there is one.  Returns -1
 * when the parent has gone.
 */
static int
zygote_request(void)
{
	int32_t	 answer;
	int	 fds[2], r;
	pid_t	 pid = -1;
	char	 c;

	if ((r = zygote_recv_fds(z.req, fds, &c)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return (0);
	if (r <= 0)
		return (-1);
	if (c == 'N' && fds[0] == -1 && fds[1] == -1) {
		/* The spare sees its socket close and leaves. */
		z.nospare = 1;
		if (z.spare_sock != -1)
			close(z.spare_sock);
		z.spare_sock = -1;
		z.spare = -1;
		answer = 0;
	} else if (fds[0] == -1 || fds[1] == -1)
		answer = -EINVAL;
	else {
		if (z.spare != -1) {
			if (zygote_send_fds(z.spare_sock, fds, 2) == 0)
				pid = z.spare;
			close(z.spare_sock);
			z.spare_sock = -1;
			z.spare = -1;
		}
		if (pid == -1)
			pid = zygote_fork(fds);
		answer = pid == -1 ? -errno : (int32_t)pid;
		if (pid != -1)
			z.handed++;
	}
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	(void)send(z.req, &answer, sizeof answer, MSG_NOSIGNAL);
	/* The next one is forked now, while the parent is busy. */
	zygote_prefork();
	return (0);
}

/* Forks a worker on fds[0] and fds[1].  Returns its pid, or -1. */
static pid_t
zygote_fork(const int *fds)
{
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		if (z.spare_sock != -1)
			close(z.spare_sock);
		zygote_worker(fds[0], fds[1]);
	}
	return (pid);
}

/*
 * Forks a spare worker, which waits for its pipes, when the pool may
 * still want one: the fork and its copy-on-write faults are then paid
 * before the request comes rather than while the parent waits.
 */
static void
zygote_prefork(void)
{
	int	 sp[2], fds[2];
	pid_t	 pid;
	char	 c;

	if (z.spare != -1 || z.nospare ||
	    (z.handed >= z.jobs && z.maxtasks == 0))
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		return;
	if ((pid = fork()) == -1) {
		close(sp[0]);
		close(sp[1]);
		return;
	}
	if (pid == 0) {
		/* Nothing of the zygote's may outlive it in a spare. */
		close(sp[0]);
		close(z.req);
		close(z.ev);
		close(z.sfd);
		z.req = z.ev = z.sfd = -1;
		if (zygote_recv_fds(sp[1], fds, &c) != 1 || fds[0] == -1 ||
		    fds[1] == -1)
			_exit(0);	/* not needed after all */
		close(sp[1]);
		zygote_worker(fds[0], fds[1]);
	}
	close(sp[1]);
	z.spare = pid;
	z.spare_sock = sp[0];
}

/* Reaps the workers that exited and reports each to the parent. */
static void
zygote_reap(void)
{
	struct signalfd_siginfo	 si;
	pid_t			 pid;
	int			 status;

	while (read(z.sfd, &si, sizeof si) > 0)
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		zygote_report(pid, status);
}

/* Tells the parent a worker exited (the spare is no worker of its). */
static void
zygote_report(pid_t pid, int status)
{
	struct zygote_exit	 ze;

	if (pid == z.spare) {
		if (z.spare_sock != -1)
			close(z.spare_sock);
		z.spare_sock = -1;
		z.spare = -1;
		return;
	}
	ze.pid = (int32_t)pid;
	ze.status = status;
	/* A parent that is gone or not reading loses nothing. */
	(void)send(z.ev, &ze, sizeof ze, MSG_NOSIGNAL);
}

/* In the new worker: becomes "mprun --worker-mode" on fds in and out. */
static void
zygote_worker(int in, int out)
{
	struct sigaction	 sa;
	sigset_t		 empty;
	size_t			 i;
	char			*argv[] = { "mprun", "--worker-mode", NULL };

	if (z.req != -1) {
		close(z.req);
		close(z.ev);
		close(z.sfd);
	}
	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1)
		_exit(MPRUN_EXIT_ERROR);
	close(in);
	close(out);
	(void)prctl(PR_SET_NAME, "mprun-worker");
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof zygote_ignored / sizeof zygote_ignored[0];
	    i++)
		(void)sigaction(zygote_ignored[i], &sa, NULL);
	sigemptyset(&empty);
	(void)sigprocmask(SIG_SETMASK, &empty, NULL);
	_exit(worker_main(2, argv));
}
