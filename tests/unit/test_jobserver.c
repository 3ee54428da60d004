/*
 * test_jobserver.c - finding make's jobserver in MAKEFLAGS: the fifo:PATH
 * and R,W forms of --jobserver-auth, the older --jobserver-fds, the last
 * one winning, make's quoting, the "--" that ends the flags, and what is
 * malformed.  And taking it out, with -j, for a worker on another
 * machine: the rest kept as it is.
 */

#include <stdlib.h>

#include "mprun.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char		*makeflags;
		int			 ret;
		enum jobserver_form	 form;
		const char		*path;
		int			 rfd, wfd;
	} t[] = {
		/* Absent. */
		{ NULL, 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ "", 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ " -j3", 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ "ks -- VAR=x", 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-authx=3,4", 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth", 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ "-jobserver-auth=3,4", 0, JOBSERVER_NONE, NULL, -1, -1 },

		/* The forms. */
		{ "--jobserver-auth=3,4", 0, JOBSERVER_FDS, NULL, 3, 4 },
		{ " -j3 --jobserver-auth=3,4 -- VAR=x", 0, JOBSERVER_FDS,
		    NULL, 3, 4 },
		{ "ks -j --jobserver-auth=10,11", 0, JOBSERVER_FDS, NULL,
		    10, 11 },
		{ "--jobserver-fds=5,6", 0, JOBSERVER_FDS, NULL, 5, 6 },
		{ " -j2 --jobserver-fds=5,6 -j2", 0, JOBSERVER_FDS, NULL,
		    5, 6 },
		{ "--jobserver-auth=fifo:/tmp/GMfifo123", 0, JOBSERVER_FIFO,
		    "/tmp/GMfifo123", -1, -1 },
		{ "-j4 --jobserver-auth=fifo:/tmp/GMfifo1 -- A=b", 0,
		    JOBSERVER_FIFO, "/tmp/GMfifo1", -1, -1 },
		{ "\t-j4\t--jobserver-auth=fifo:/x\n", 0, JOBSERVER_FIFO,
		    "/x", -1, -1 },
		/* make quotes spaces and backslashes in its words. */
		{ "--jobserver-auth=fifo:/tmp/a\\ b/f", 0, JOBSERVER_FIFO,
		    "/tmp/a b/f", -1, -1 },
		{ "--jobserver-auth=fifo:/t\\\\x", 0, JOBSERVER_FIFO,
		    "/t\\x", -1, -1 },
		/* Negative fds: make says the jobserver is not for us. */
		{ "--jobserver-auth=-1,-1", 0, JOBSERVER_FDS, NULL, -1, -1 },
		{ "--jobserver-auth=-2,5", 0, JOBSERVER_FDS, NULL, -2, 5 },

		/* Several: the last one wins. */
		{ "--jobserver-fds=3,4 --jobserver-auth=5,6", 0,
		    JOBSERVER_FDS, NULL, 5, 6 },
		{ "--jobserver-auth=3,4 --jobserver-fds=7,8", 0,
		    JOBSERVER_FDS, NULL, 7, 8 },
		{ "--jobserver-auth=3,4 --jobserver-auth=fifo:/f", 0,
		    JOBSERVER_FIFO, "/f", -1, -1 },
		{ "--jobserver-auth=fifo:/f --jobserver-auth=3,4", 0,
		    JOBSERVER_FDS, NULL, 3, 4 },
		{ "--jobserver-auth=bad --jobserver-auth=3,4", 0,
		    JOBSERVER_FDS, NULL, 3, 4 },
		{ "--jobserver-auth=3,4 --jobserver-auth=bad", -1,
		    JOBSERVER_NONE, NULL, -1, -1 },
		/* Variable definitions after "--" are not flags. */
		{ "--jobserver-auth=3,4 -- X=--jobserver-auth=5,6", 0,
		    JOBSERVER_FDS, NULL, 3, 4 },
		{ "-- --jobserver-auth=3,4", 0, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=3,4 --- --jobserver-auth=5,6", 0,
		    JOBSERVER_FDS, NULL, 5, 6 },

		/* Malformed. */
		{ "--jobserver-auth=", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=3", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=3,", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=,4", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=3,4,5", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=3x,4", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=a,b", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=99999999999,4", -1, JOBSERVER_NONE, NULL,
		    -1, -1 },
		{ "--jobserver-auth=fifo:", -1, JOBSERVER_NONE, NULL, -1, -1 },
		{ "--jobserver-auth=sem:foo", -1, JOBSERVER_NONE, NULL,
		    -1, -1 },
		{ "--jobserver-fds=fifo", -1, JOBSERVER_NONE, NULL, -1, -1 },
	};
	static const struct {
		const char	*flags;
		const char	*want;		/* NULL: no change needed */
	} st[] = {
		{ NULL, NULL },
		{ "", NULL },
		{ " -j4", NULL },
		{ "ks -- V=1", NULL },
		{ " -j4 --jobserver-auth=3,4", "" },
		{ "ks -j4 --jobserver-auth=3,4 -- W=a\\ b V=1",
		    "ks -- W=a\\ b V=1" },
		{ "i -j3 --jobserver-auth=3,4 --no-print-directory",
		    "i --no-print-directory" },
		{ "-ks -j4 --jobserver-auth=3,4", "-ks" },
		{ " -j4 --jobserver-auth=fifo:/tmp/GMfifo1", "" },
		{ " -j2 --jobserver-fds=5,6 -j2", "" },
		{ "k -j --jobs=3 --jobs --jobserver-auth=-2,-2 -js", "k -js" },
		{ "--jobserver-auth=fifo:/tmp/a\\ b -k", " -k" },
		/* After "--", variables, whatever they hold. */
		{ "--jobserver-auth=3,4 -- X=-j4 Y=--jobserver-auth=5,6",
		    " -- X=-j4 Y=--jobserver-auth=5,6" },
		{ "-j4 -- X=--jobserver-auth=5,6", NULL },
	};
	struct jobserver_auth	 a;
	const char		*errstr;
	char			*v;
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tap_context("MAKEFLAGS=\"%s\"", t[i].makeflags != NULL ?
		    t[i].makeflags : "(unset)");
		r = jobserver_parse(t[i].makeflags, &a, &errstr);
		ASSERT_INT_EQ(r, t[i].ret);
		if (r == -1) {
			ASSERT(errstr != NULL);
			free(a.path);
			continue;
		}
		ASSERT(errstr == NULL);
		ASSERT_INT_EQ(a.form, t[i].form);
		ASSERT_STR_EQ(a.path, t[i].path);
		ASSERT_INT_EQ(a.rfd, t[i].rfd);
		ASSERT_INT_EQ(a.wfd, t[i].wfd);
		free(a.path);
	}

	for (i = 0; i < sizeof st / sizeof st[0]; i++) {
		tap_context("strip \"%s\"", st[i].flags != NULL ?
		    st[i].flags : "(unset)");
		v = jobserver_strip(st[i].flags);
		ASSERT_STR_EQ(v, st[i].want);
		free(v);
	}
	return (tap_done());
}
