/*
 * test_buf.c - buf.c: appending, reserving and committing, consuming from
 * the front, compaction, growth past many doublings, buf_take(), and that
 * over-consuming is fatal (checked in a forked child).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"
#include "tap.h"

/* Checks the simple appenders and reset. */
static void
test_add(void)
{
	struct buf	 b;

	buf_init(&b);
	ASSERT_INT_EQ(b.len, 0);
	ASSERT_INT_EQ(b.off, 0);
	buf_add(&b, "abc", 3);
	buf_addc(&b, '\0');
	buf_adds(&b, "de");
	buf_add(&b, NULL, 0);
	buf_adds(&b, "");
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "abc\0de", 6);
	ASSERT(b.size >= b.len);
	buf_reset(&b);
	ASSERT_INT_EQ(b.len, 0);
	buf_adds(&b, "x");
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "x", 1);
	buf_free(&b);
	ASSERT(b.data == NULL);
	ASSERT_INT_EQ(b.len, 0);
	ASSERT_INT_EQ(b.size, 0);
	/* A freed buffer is usable again. */
	buf_adds(&b, "again");
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "again", 5);
	buf_free(&b);
}

/* Checks reserve/commit, including a partial commit. */
static void
test_reserve(void)
{
	struct buf	 b;
	char		*p;

	buf_init(&b);
	p = buf_reserve(&b, 10);
	memcpy(p, "0123456789", 10);
	buf_commit(&b, 4);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "0123", 4);
	p = buf_reserve(&b, 100000);
	ASSERT(p == BUF_PTR(&b) + b.len);
	ASSERT(b.size >= b.len + 100000);
	memset(p, 'z', 100000);
	buf_commit(&b, 100000);
	ASSERT_INT_EQ(b.len, 100004);
	ASSERT(BUF_PTR(&b)[100003] == 'z' && BUF_PTR(&b)[3] == '3');
	buf_free(&b);
}

/* Checks consuming, compaction and reclaiming space on reserve. */
static void
test_consume(void)
{
	struct buf	 b;
	size_t		 size;
	char		*p;

	buf_init(&b);
	buf_adds(&b, "hello world");
	buf_consume(&b, 6);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "world", 5);
	ASSERT_INT_EQ(b.off, 6);
	buf_compact(&b);
	ASSERT_INT_EQ(b.off, 0);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "world", 5);
	buf_compact(&b);
	ASSERT_MEM_EQ(BUF_PTR(&b), b.len, "world", 5);

	/* Consuming everything resets the offset. */
	buf_consume(&b, 5);
	ASSERT_INT_EQ(b.len, 0);
	ASSERT_INT_EQ(b.off, 0);
	buf_consume(&b, 0);
	ASSERT_INT_EQ(b.len, 0);

	/* Space consumed at the front is reused before growing. */
	buf_reset(&b);
	size = 256;
	p = buf_reserve(&b, size);
	memset(p, 'a', size);
	buf_commit(&b, b.size);
	size = b.size;
	buf_consume(&b, 100);
	p = buf_reserve(&b, 50);
	ASSERT_INT_EQ(b.size, size);
	ASSERT_INT_EQ(b.off, 0);
	memset(p, 'b', 50);
	buf_commit(&b, 50);
	ASSERT_INT_EQ(b.len, size - 100 + 50);
	ASSERT(BUF_PTR(&b)[0] == 'a' && BUF_PTR(&b)[b.len - 1] == 'b' &&
	    BUF_PTR(&b)[b.len - 51] == 'a');

	/* Growing with an offset keeps the unread bytes. */
	buf_consume(&b, 10);
	buf_add(&b, "END", 3);
	p = buf_reserve(&b, 10 * size);
	ASSERT(b.size >= b.len + 10 * size);
	ASSERT_MEM_EQ(BUF_PTR(&b) + b.len - 3, 3, "END", 3);
	ASSERT(BUF_PTR(&b)[0] == 'a');
	buf_free(&b);
}

/* Checks that many small appends build the right contents. */
static void
test_grow(void)
{
	struct buf	 b;
	size_t		 i;
	int		 ok = 1;

	buf_init(&b);
	for (i = 0; i < 1000000; i++)
		buf_addc(&b, (char)(i % 251));
	ASSERT_INT_EQ(b.len, 1000000);
	for (i = 0; i < 1000000; i++)
		if (BUF_PTR(&b)[i] != (char)(i % 251))
			ok = 0;
	ASSERT(ok);
	/* Interleave consumption and appends, like a frame reader. */
	for (i = 0; i < 999990; i++) {
		buf_consume(&b, 1);
		if (i % 3 == 0)
			buf_addc(&b, 'q');
	}
	ASSERT_INT_EQ(b.len, 10 + 333330);
	ASSERT(BUF_PTR(&b)[0] == (char)(999990 % 251));
	ASSERT(BUF_PTR(&b)[b.len - 1] == 'q');
	buf_free(&b);
}

/* Checks buf_take(): a NUL-terminated copy, and the buffer left empty. */
static void
test_take(void)
{
	struct buf	 b;
	char		*s;
	size_t		 len;

	buf_init(&b);
	buf_adds(&b, "xxabc");
	buf_consume(&b, 2);
	s = buf_take(&b, &len);
	ASSERT_STR_EQ(s, "abc");
	ASSERT_INT_EQ(len, 3);
	ASSERT(b.data == NULL && b.len == 0 && b.size == 0);
	free(s);

	s = buf_take(&b, NULL);
	ASSERT_STR_EQ(s, "");
	free(s);

	buf_add(&b, "a\0b", 3);
	s = buf_take(&b, &len);
	ASSERT_MEM_EQ(s, len + 1, "a\0b", 4);
	free(s);
}

/* Consumes more than there is. */
static void
overconsume(void)
{
	struct buf	 b;

	buf_init(&b);
	buf_adds(&b, "ab");
	buf_consume(&b, 3);
}

/* Checks that over-consuming is fatal. */
static void
test_fatal(void)
{
	pid_t	 pid;
	int	 status, fd;

	fflush(stdout);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, 2);
		overconsume();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 255);
}

int
main(void)
{
	test_add();
	test_reserve();
	test_consume();
	test_grow();
	test_take();
	test_fatal();
	return (tap_done());
}
