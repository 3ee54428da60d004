/*
 * fdio.c - whole writes to a file descriptor, for the writers that must
 * not lose a byte (the joblog, the JUnit report): a short write or an
 * interrupted one is carried on, and any failure is the caller's to
 * report.
 */

#include <errno.h>
#include <unistd.h>

#include "mprun.h"

/* Writes all of len bytes.  Returns 0, or -1 with errno set. */
int
fdio_write(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (w == 0) {
			errno = EIO;
			return (-1);
		}
		p += w;
		len -= (size_t)w;
	}
	return (0);
}
