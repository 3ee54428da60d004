/*
 * test_strnum.c - strnum.c: integers with ranges and exact error strings,
 * durations with units and rounding, sizes with suffixes, and --termseq
 * lists.
 */

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "mprun.h"
#include "tap.h"

static const struct {
	const char	*s;
	long long	 min;
	long long	 max;
	long long	 want;
	const char	*err;
} nums[] = {
	{ "0", 0, 10, 0, NULL },
	{ "10", 0, 10, 10, NULL },
	{ "11", 0, 10, 0, "is too large" },
	{ "-1", 0, 10, 0, "is too small" },
	{ "+5", 0, 10, 5, NULL },
	{ "-5", -10, 10, -5, NULL },
	{ "007", 0, 10, 7, NULL },
	{ "", 0, 10, 0, "is not a number" },
	{ "x", 0, 10, 0, "is not a number" },
	{ "1x", 0, 10, 0, "is not a number" },
	{ " 1", 0, 10, 0, "is not a number" },
	{ "1 ", 0, 10, 0, "is not a number" },
	{ "-", 0, 10, 0, "is not a number" },
	{ "+", 0, 10, 0, "is not a number" },
	{ "--1", -10, 10, 0, "is not a number" },
	{ "+-1", -10, 10, 0, "is not a number" },
	{ "0x10", 0, 100, 0, "is not a number" },
	{ "1.5", 0, 10, 0, "is not a number" },
	{ "1e3", 0, 10000, 0, "is not a number" },
	{ "9223372036854775807", 0, LLONG_MAX, LLONG_MAX, NULL },
	{ "9223372036854775808", 0, LLONG_MAX, 0, "is too large" },
	{ "99999999999999999999999", 0, LLONG_MAX, 0, "is too large" },
	{ "-9223372036854775808", LLONG_MIN, 0, LLONG_MIN, NULL },
	{ "-9223372036854775809", LLONG_MIN, 0, 0, "is too small" },
	{ "-99999999999999999999999", LLONG_MIN, 0, 0, "is too small" },
	{ "5", 10, 0, 0, "is not a number" },
};

static const struct {
	const char	*s;
	int		 ok;
	uint64_t	 ms;
} durations[] = {
	{ "30", 1, 30000 },
	{ "0", 1, 0 },
	{ "1.5", 1, 1500 },
	{ "1.5s", 1, 1500 },
	{ "500ms", 1, 500 },
	{ "2m", 1, 120000 },
	{ "1h", 1, 3600000 },
	{ "1d", 1, 86400000 },
	{ "0.5ms", 1, 1 },		/* rounded to nearest, half up */
	{ "0.4999ms", 1, 0 },
	{ "0.0005", 1, 1 },
	{ "0.00049999999999999999999", 1, 0 },
	{ "1.0004", 1, 1000 },
	{ "1.0005", 1, 1001 },
	{ ".25", 1, 250 },
	{ "2.", 1, 2000 },
	{ "0.001d", 1, 86400 },
	{ "1.5m", 1, 90000 },
	{ "1h30m", 1, 5400000 },
	{ "1m30s", 1, 90000 },
	{ "1d2h3m4s5ms", 1, 93784005 },
	{ "18446744073709551615ms", 1, UINT64_MAX },
	{ "18446744073709551616ms", 0, 0 },
	{ "18446744073709551615s", 0, 0 },
	{ "213503982334601d", 0, 0 },
	{ "", 0, 0 },
	{ "-1", 0, 0 },
	{ "-1s", 0, 0 },
	{ "+1", 0, 0 },
	{ "s", 0, 0 },
	{ ".", 0, 0 },
	{ ".s", 0, 0 },
	{ "1x", 0, 0 },
	{ "1 s", 0, 0 },
	{ " 1", 0, 0 },
	{ "1s ", 0, 0 },
	{ "1.2.3", 0, 0 },
	{ "1m30", 0, 0 },
	{ "1S", 0, 0 },
	{ "abc", 0, 0 },
};

static const struct {
	const char	*s;
	int		 ok;
	uint64_t	 bytes;
} sizes[] = {
	{ "0", 1, 0 },
	{ "1024", 1, 1024 },
	{ "10k", 1, 10240 },
	{ "10K", 1, 10240 },
	{ "1m", 1, 1048576 },
	{ "1M", 1, 1048576 },
	{ "2G", 1, 2147483648ULL },
	{ "2g", 1, 2147483648ULL },
	{ "1T", 1, 1099511627776ULL },
	{ "1t", 1, 1099511627776ULL },
	{ "1.5G", 1, 1610612736ULL },
	{ "1.5", 1, 1 },		/* a fraction of a byte is dropped */
	{ "0.999", 1, 0 },
	{ ".5k", 1, 512 },
	{ "2.k", 1, 2048 },
	{ "0.0009765625k", 1, 1 },
	{ "0.0009765624k", 1, 0 },
	{ "0.1k", 1, 102 },		/* 102.4 rounded down */
	{ "1.99999999999999999999999k", 1, 2047 },
	{ "007", 1, 7 },
	{ "18446744073709551615", 1, UINT64_MAX },
	{ "18446744073709551616", 0, 0 },
	{ "16777215T", 1, 16777215ULL << 40 },
	{ "16777215.9999999999T", 1, UINT64_MAX - 109 },
	{ "16777216T", 0, 0 },
	{ "17179869184G", 0, 0 },
	{ "99999999999999999999999", 0, 0 },
	{ "", 0, 0 },
	{ "k", 0, 0 },
	{ ".", 0, 0 },
	{ ".k", 0, 0 },
	{ "-1", 0, 0 },
	{ "-1k", 0, 0 },
	{ "+1", 0, 0 },
	{ " 1", 0, 0 },
	{ "1 ", 0, 0 },
	{ "1 k", 0, 0 },
	{ "1kk", 0, 0 },
	{ "1kB", 0, 0 },
	{ "1B", 0, 0 },
	{ "1P", 0, 0 },
	{ "1x", 0, 0 },
	{ "1.2.3", 0, 0 },
	{ "1e3", 0, 0 },
	{ "0x10", 0, 0 },
	{ "abc", 0, 0 },
};

static const struct {
	const char	*s;
	int		 n;		/* -1: error */
	struct termstep	 steps[4];
} termseqs[] = {
	{ "TERM,200,TERM,100,TERM,50,KILL,25", -1, { { 0, 0 } } },
	{ "TERM", 1, { { SIGTERM, 0 } } },
	{ "SIGTERM,5", 1, { { SIGTERM, 5 } } },
	{ "INT,10,KILL", 2, { { SIGINT, 10 }, { SIGKILL, 0 } } },
	{ "HUP,1,QUIT,2,USR1,3,USR2", 4, { { SIGHUP, 1 }, { SIGQUIT, 2 },
	    { SIGUSR1, 3 }, { SIGUSR2, 0 } } },
	{ "15,0,9,0", 2, { { 15, 0 }, { 9, 0 } } },
	{ "ALRM,4294967295", 1, { { SIGALRM, 4294967295U } } },
	{ "sigkill", 1, { { SIGKILL, 0 } } },
	{ "64", 1, { { 64, 0 } } },
	{ "", -1, { { 0, 0 } } },
	{ ",", -1, { { 0, 0 } } },
	{ "TERM,", -1, { { 0, 0 } } },
	{ "TERM,200,", -1, { { 0, 0 } } },
	{ ",TERM", -1, { { 0, 0 } } },
	{ "TERM,,KILL", -1, { { 0, 0 } } },
	{ "TERM,x", -1, { { 0, 0 } } },
	{ "TERM,-1", -1, { { 0, 0 } } },
	{ "TERM,+1", -1, { { 0, 0 } } },
	{ "TERM,4294967296", -1, { { 0, 0 } } },
	{ "TERM,1.5", -1, { { 0, 0 } } },
	{ "FOO", -1, { { 0, 0 } } },
	{ "SIG", -1, { { 0, 0 } } },
	{ "0", -1, { { 0, 0 } } },
	{ "65", -1, { { 0, 0 } } },
	{ "-9", -1, { { 0, 0 } } },
	{ "TERM 200", -1, { { 0, 0 } } },
	{ " TERM", -1, { { 0, 0 } } },
};

/* Checks strnum() against the table. */
static void
test_strnum(void)
{
	const char	*err;
	long long	 v;
	size_t		 i;

	for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		tap_context("strnum \"%s\" [%lld,%lld]", nums[i].s,
		    nums[i].min, nums[i].max);
		err = "unset";
		v = strnum(nums[i].s, nums[i].min, nums[i].max, &err);
		ASSERT_INT_EQ(v, nums[i].want);
		ASSERT_STR_EQ(err, nums[i].err);
	}
	tap_context(NULL);
}

/* Checks strnum_duration() against the table. */
static void
test_duration(void)
{
	const char	*err;
	uint64_t	 ms;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		tap_context("duration \"%s\"", durations[i].s);
		ms = 12345;
		err = "unset";
		r = strnum_duration(durations[i].s, &ms, &err);
		if (durations[i].ok) {
			ASSERT_INT_EQ(r, 0);
			ASSERT_STR_EQ(err, NULL);
			ASSERT(ms == durations[i].ms);
		} else {
			ASSERT_INT_EQ(r, -1);
			ASSERT_STR_EQ(err, "is not a duration");
			ASSERT(ms == 12345);
		}
	}
	tap_context(NULL);
}

/* Checks strnum_size() against the table. */
static void
test_size(void)
{
	const char	*err;
	uint64_t	 bytes;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		tap_context("size \"%s\"", sizes[i].s);
		bytes = 12345;
		err = "unset";
		r = strnum_size(sizes[i].s, &bytes, &err);
		if (sizes[i].ok) {
			ASSERT_INT_EQ(r, 0);
			ASSERT_STR_EQ(err, NULL);
			ASSERT(bytes == sizes[i].bytes);
		} else {
			ASSERT_INT_EQ(r, -1);
			ASSERT_STR_EQ(err, "is not a size");
			ASSERT(bytes == 12345);
		}
	}
	tap_context(NULL);
}

/* Checks strnum_termseq() against the table, and the length limit. */
static void
test_termseq(void)
{
	struct termstep	 steps[TERMSEQ_MAX];
	char		 s[512];
	const char	*err;
	size_t		 i;
	int		 n, r, k;

	for (i = 0; i < sizeof termseqs / sizeof termseqs[0]; i++) {
		tap_context("termseq \"%s\"", termseqs[i].s);
		n = 99;
		err = "unset";
		memset(steps, 0xff, sizeof steps);
		r = strnum_termseq(termseqs[i].s, steps, &n, &err);
		if (i == 0) {
			/* GNU parallel's default. */
			ASSERT_INT_EQ(r, 0);
			ASSERT_INT_EQ(n, 4);
			ASSERT_INT_EQ(steps[0].sig, SIGTERM);
			ASSERT_INT_EQ(steps[0].ms, 200);
			ASSERT_INT_EQ(steps[1].ms, 100);
			ASSERT_INT_EQ(steps[2].sig, SIGTERM);
			ASSERT_INT_EQ(steps[2].ms, 50);
			ASSERT_INT_EQ(steps[3].sig, SIGKILL);
			ASSERT_INT_EQ(steps[3].ms, 25);
			continue;
		}
		if (termseqs[i].n == -1) {
			ASSERT_INT_EQ(r, -1);
			ASSERT_STR_EQ(err, "is not a termination sequence");
			ASSERT_INT_EQ(n, 99);
			continue;
		}
		ASSERT_INT_EQ(r, 0);
		ASSERT_STR_EQ(err, NULL);
		ASSERT_INT_EQ(n, termseqs[i].n);
		for (k = 0; k < termseqs[i].n && k < n; k++) {
			ASSERT_INT_EQ(steps[k].sig, termseqs[i].steps[k].sig);
			ASSERT_INT_EQ(steps[k].ms, termseqs[i].steps[k].ms);
		}
	}

	/* TERMSEQ_MAX steps fit, one more does not. */
	s[0] = '\0';
	for (k = 0; k < TERMSEQ_MAX; k++)
		snprintf(s + strlen(s), sizeof s - strlen(s), "%sTERM,%d",
		    k ? "," : "", k);
	tap_context("termseq of %d steps", TERMSEQ_MAX);
	ASSERT_INT_EQ(strnum_termseq(s, steps, &n, &err), 0);
	ASSERT_INT_EQ(n, TERMSEQ_MAX);
	ASSERT_INT_EQ(steps[TERMSEQ_MAX - 1].ms, TERMSEQ_MAX - 1);
	strcat(s, ",KILL");
	tap_context("termseq of %d steps", TERMSEQ_MAX + 1);
	ASSERT_INT_EQ(strnum_termseq(s, steps, &n, &err), -1);

	/* Every POSIX name, with and without SIG. */
	{
		static const struct {
			const char	*name;
			int		 sig;
		} names[] = {
			{ "HUP", SIGHUP }, { "INT", SIGINT },
			{ "QUIT", SIGQUIT }, { "ILL", SIGILL },
			{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
			{ "BUS", SIGBUS }, { "FPE", SIGFPE },
			{ "KILL", SIGKILL }, { "USR1", SIGUSR1 },
			{ "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
			{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
			{ "TERM", SIGTERM }, { "CHLD", SIGCHLD },
			{ "CONT", SIGCONT }, { "STOP", SIGSTOP },
			{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
			{ "TTOU", SIGTTOU }, { "URG", SIGURG },
			{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
			{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
			{ "SYS", SIGSYS }, { "WINCH", SIGWINCH },
		};

		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			tap_context("signal %s", names[i].name);
			snprintf(s, sizeof s, "%s,1,SIG%s", names[i].name,
			    names[i].name);
			r = strnum_termseq(s, steps, &n, &err);
			ASSERT(r == 0 && n == 2 &&
			    steps[0].sig == names[i].sig &&
			    steps[1].sig == names[i].sig);
		}
	}
	tap_context(NULL);
}

int
main(void)
{
	test_strnum();
	test_duration();
	test_size();
	test_termseq();
	return (tap_done());
}
