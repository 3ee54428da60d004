/*
 * test_input.c - input_split() from input.c: one record per call, empty
 * records, the last record without a separator, "need more data", NUL and
 * other delimiters, and a stream fed a byte at a time giving the same
 * records as the whole buffer at once.
 */

#include <stdio.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

static const struct {
	const char	*data;
	size_t		 len;
	char		 delim;
	int		 eof;
	int		 found;
	size_t		 reclen;
	size_t		 consumed;
} splits[] = {
	{ "abc\ndef", 7, '\n', 0, 1, 3, 4 },
	{ "abc\ndef", 7, '\n', 1, 1, 3, 4 },
	{ "\nabc", 4, '\n', 0, 1, 0, 1 },
	{ "\n", 1, '\n', 0, 1, 0, 1 },
	{ "\n\n", 2, '\n', 1, 1, 0, 1 },
	{ "abc", 3, '\n', 0, 0, 0, 0 },
	{ "abc", 3, '\n', 1, 1, 3, 3 },
	{ "", 0, '\n', 0, 0, 0, 0 },
	{ "", 0, '\n', 1, 0, 0, 0 },
	{ "a\0b\0", 4, '\0', 0, 1, 1, 2 },
	{ "\0", 1, '\0', 1, 1, 0, 1 },
	{ "a\nb\0c", 5, '\0', 0, 1, 3, 4 },
	{ "a\nb", 3, '\0', 1, 1, 3, 3 },
	{ "x,y", 3, ',', 0, 1, 1, 2 },
	{ "\377\376\n", 3, '\n', 0, 1, 2, 3 },
	{ "ab\n", 2, '\n', 0, 0, 0, 0 },	/* the '\n' is beyond len */
};

/* Splits all of data[0, len) at once; returns the records, '|'-joined. */
static void
split_all(const char *data, size_t len, char delim, struct buf *out)
{
	const char	*rec;
	size_t		 off = 0, reclen, used;

	while ((rec = input_split(data + off, len - off, delim, 1, &reclen,
	    &used)) != NULL) {
		if (rec != data + off || used == 0 || used > len - off) {
			buf_adds(out, "[bad]");
			return;
		}
		buf_add(out, rec, reclen);
		buf_addc(out, '|');
		off += used;
	}
	if (off != len)
		buf_adds(out, "[left]");
}

/* Feeds data a byte at a time, as a reader would; same output format. */
static void
split_stream(const char *data, size_t len, char delim, struct buf *out)
{
	struct buf	 in;
	const char	*rec;
	size_t		 i, reclen, used;
	int		 eof;

	buf_init(&in);
	for (i = 0; i <= len; i++) {
		eof = (i == len);
		if (!eof)
			buf_addc(&in, data[i]);
		while ((rec = input_split(BUF_PTR(&in), in.len, delim, eof,
		    &reclen, &used)) != NULL) {
			buf_add(out, rec, reclen);
			buf_addc(out, '|');
			buf_consume(&in, used);
		}
	}
	if (in.len != 0)
		buf_adds(out, "[left]");
	buf_free(&in);
}

int
main(void)
{
	static const struct {
		const char	*data;
		size_t		 len;
		char		 delim;
		const char	*records;
	} streams[] = {
		{ "a\n\nb", 4, '\n', "a||b|" },
		{ "a\nb\n", 4, '\n', "a|b|" },
		{ "\n\n\n", 3, '\n', "|||" },
		{ "", 0, '\n', "" },
		{ "one", 3, '\n', "one|" },
		{ "a\0b\0\0c", 6, '\0', "a|b||c|" },
		{ "a b\tc\n", 6, '\n', "a b\tc|" },
		{ "x:y::", 5, ':', "x|y||" },
	};
	struct buf	 b;
	const char	*rec;
	size_t		 i, reclen, used;

	for (i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		tap_context("split %zu", i);
		reclen = used = 12345;
		rec = input_split(splits[i].data, splits[i].len,
		    splits[i].delim, splits[i].eof, &reclen, &used);
		if (!splits[i].found) {
			ASSERT(rec == NULL);
			continue;
		}
		ASSERT(rec == splits[i].data);
		ASSERT_INT_EQ(reclen, splits[i].reclen);
		ASSERT_INT_EQ(used, splits[i].consumed);
	}

	buf_init(&b);
	for (i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		tap_context("stream %zu", i);
		buf_reset(&b);
		split_all(streams[i].data, streams[i].len, streams[i].delim,
		    &b);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, streams[i].records,
		    strlen(streams[i].records));
		buf_reset(&b);
		split_stream(streams[i].data, streams[i].len,
		    streams[i].delim, &b);
		ASSERT_MEM_EQ(BUF_PTR(&b), b.len, streams[i].records,
		    strlen(streams[i].records));
	}
	buf_free(&b);
	tap_context(NULL);
	return (tap_done());
}
