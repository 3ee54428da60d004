/*
 * strnum.c - range-checked parsing of the numbers users type: integers
 * (like OpenBSD strtonum), durations ("1.5s", "500ms", "2m", "1h30m"),
 * sizes ("10k", "1.5G") and GNU parallel's --termseq lists.  Each parser
 * takes the whole string and either fills in its result or sets *errstr
 * to a short phrase that the caller prints after the option and the value
 * ("mprun: -j: 'x' is not a number").  Nothing here allocates or does I/O.
 */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mprun.h"

#define STRNUM_INVALID	"is not a number"
#define STRNUM_SMALL	"is too small"
#define STRNUM_LARGE	"is too large"
#define STRNUM_DURATION	"is not a duration"
#define STRNUM_TERMSEQ	"is not a termination sequence"
#define STRNUM_SIZE	"is not a size"

/* A duration unit and how many milliseconds it is. */
struct strnum_unit {
	const char	*name;
	uint64_t	 ms;
};

/* Longer names first, so "ms" is not read as "m" followed by "s". */
static const struct strnum_unit strnum_units[] = {
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
	{ "d", 24 * 60 * 60 * 1000 },
};

/* Signal names accepted by --termseq, with or without "SIG". */
static const struct {
	const char	*name;
	int		 sig;
} strnum_signals[] = {
	{ "HUP", SIGHUP },
	{ "INT", SIGINT },
	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },
	{ "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT },
#ifdef SIGIOT
	{ "IOT", SIGIOT },
#endif
	{ "BUS", SIGBUS },
	{ "FPE", SIGFPE },
	{ "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },
	{ "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },
	{ "ALRM", SIGALRM },
	{ "TERM", SIGTERM },
#ifdef SIGSTKFLT
	{ "STKFLT", SIGSTKFLT },
#endif
	{ "CHLD", SIGCHLD },
#ifdef SIGCLD
	{ "CLD", SIGCLD },
#endif
	{ "CONT", SIGCONT },
	{ "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },
	{ "URG", SIGURG },
	{ "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },
#ifdef SIGWINCH
	{ "WINCH", SIGWINCH },
#endif
#ifdef SIGIO
	{ "IO", SIGIO },
#endif
#ifdef SIGPOLL
	{ "POLL", SIGPOLL },
#endif
#ifdef SIGPWR
	{ "PWR", SIGPWR },
#endif
	{ "SYS", SIGSYS },
};

/* The highest signal number --termseq accepts as a number. */
#define STRNUM_SIGMAX	64

static int	strnum_isdigit(char);
static int	strnum_scaled(const char *, size_t, uint64_t, uint64_t *);
static const char *strnum_decimal(const char *, const char **, size_t *,
		    const char **, size_t *);
static int	strnum_signal(const char *, size_t);
static int	strnum_delay(const char *, size_t, unsigned *);

/* Says whether c is an ASCII digit, whatever the locale. */
static int
strnum_isdigit(char c)
{
	return (c >= '0' && c <= '9');
}

/*
 * Parses a decimal integer in [min, max].  Unlike strtoll, leading
 * whitespace and trailing garbage are errors.
 */
long long
strnum(const char *s, long long min, long long max, const char **errstr)
{
	long long	 ll;
	char		*end;
	const char	*p = s;

	*errstr = NULL;
	if (*p == '-' || *p == '+')
		p++;
	if (min > max || !strnum_isdigit(*p)) {
		*errstr = STRNUM_INVALID;
		return (0);
	}
	errno = 0;
	ll = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = STRNUM_INVALID;
		return (0);
	}
	if ((ll == LLONG_MIN && errno == ERANGE) || ll < min) {
		*errstr = STRNUM_SMALL;
		return (0);
	}
	if ((ll == LLONG_MAX && errno == ERANGE) || ll > max) {
		*errstr = STRNUM_LARGE;
		return (0);
	}
	return (ll);
}

/*
 * Scans a decimal number, digits with an optional '.' and more digits, at
 * p: sets where its integer and fraction digits are and how many, and
 * returns what follows, or NULL when there are no digits at all.
 */
static const char *
strnum_decimal(const char *p, const char **ip, size_t *ilen, const char **fp,
    size_t *flen)
{
	*ip = p;
	while (strnum_isdigit(*p))
		p++;
	*ilen = (size_t)(p - *ip);
	*fp = p;
	*flen = 0;
	if (*p == '.') {
		*fp = ++p;
		while (strnum_isdigit(*p))
			p++;
		*flen = (size_t)(p - *fp);
	}
	if (*ilen == 0 && *flen == 0)
		return (NULL);
	return (p);
}

/*
 * Computes the integer digits ip[0, ilen) times unit into *v, or -1 when
 * that overflows 64 bits.
 */
static int
strnum_scaled(const char *ip, size_t ilen, uint64_t unit, uint64_t *v)
{
	uint64_t	 ipart = 0;
	size_t		 i;

	for (i = 0; i < ilen; i++) {
		if (ipart > UINT64_MAX / 10 ||
		    ipart * 10 > UINT64_MAX - (uint64_t)(ip[i] - '0'))
			return (-1);
		ipart = ipart * 10 + (uint64_t)(ip[i] - '0');
	}
	if (ipart != 0 && ipart > UINT64_MAX / unit)
		return (-1);
	*v = ipart * unit;
	return (0);
}

/*
 * Formats microseconds as seconds with exactly three decimals, rounding
 * half up on whole microseconds ("1.001" for 1000500), as the joblog and
 * --json print times.
 */
void
strnum_seconds(char *text, size_t size, int64_t us)
{
	uint64_t	 mag, ms;
	int		 neg = us < 0;

	mag = neg ? (uint64_t)-(us + 1) + 1 : (uint64_t)us;
	ms = mag / 1000 + (mag % 1000 >= 500);
	snprintf(text, size, "%s%llu.%03llu", neg && ms != 0 ? "-" : "",
	    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

/*
 * Parses a duration into milliseconds, rounded to the nearest: a plain
 * number of seconds ("30", "1.5"), or one or more numbers each followed by
 * a unit ms, s, m, h or d ("500ms", "2m", "1h30m").
 */
int
strnum_duration(const char *s, uint64_t *ms, const char **errstr)
{
	const char	*p = s, *ip, *fp;
	size_t		 ilen, flen, i, u, nlen;
	uint64_t	 total = 0, unit, twice, v;
	int		 nunits = 0;

	*errstr = STRNUM_DURATION;
	if (*p == '\0')
		return (-1);
	while (*p != '\0') {
		/* One number: digits, optionally a '.' and more digits. */
		if ((p = strnum_decimal(p, &ip, &ilen, &fp, &flen)) == NULL)
			return (-1);

		/* Its unit; none means seconds, and only for a lone number. */
		unit = 0;
		for (u = 0; u < sizeof strnum_units / sizeof strnum_units[0];
		    u++) {
			nlen = strlen(strnum_units[u].name);
			if (strncmp(p, strnum_units[u].name, nlen) == 0) {
				unit = strnum_units[u].ms;
				p += nlen;
				break;
			}
		}
		if (unit == 0) {
			if (*p != '\0' || nunits != 0)
				return (-1);
			unit = 1000;
		}
		nunits++;

		if (strnum_scaled(ip, ilen, unit, &v) == -1)
			return (-1);

		/*
		 * The fraction times the unit, rounded half up, computed
		 * exactly whatever the number of digits: Horner's rule from
		 * the last digit, dividing by ten at each step, keeps the
		 * floor exact, and working with twice the unit gives the
		 * rounding bit.  The running value stays below 2 * unit.
		 */
		twice = 0;
		for (i = flen; i > 0; i--)
			twice = (twice + (uint64_t)(fp[i - 1] - '0') * 2 *
			    unit) / 10;
		if (v > UINT64_MAX - (twice + 1) / 2)
			return (-1);
		v += (twice + 1) / 2;
		if (total > UINT64_MAX - v)
			return (-1);
		total += v;
	}
	*ms = total;
	*errstr = NULL;
	return (0);
}

/* Returns the signal a --termseq word names (TERM, SIGTERM, 15), or -1. */
static int
strnum_signal(const char *s, size_t len)
{
	char		 word[16];
	const char	*name, *errstr;
	size_t		 i;
	long long	 n;

	if (len == 0 || len >= sizeof word)
		return (-1);
	memcpy(word, s, len);
	word[len] = '\0';
	if (strnum_isdigit(word[0])) {
		n = strnum(word, 1, STRNUM_SIGMAX, &errstr);
		return (errstr != NULL ? -1 : (int)n);
	}
	name = word;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < sizeof strnum_signals / sizeof strnum_signals[0];
	    i++) {
		if (strcasecmp(name, strnum_signals[i].name) == 0)
			return (strnum_signals[i].sig);
	}
	return (-1);
}

/* Parses a --termseq delay in milliseconds. */
static int
strnum_delay(const char *s, size_t len, unsigned *ms)
{
	char		 word[16];
	const char	*errstr;
	long long	 n;

	if (len == 0 || len >= sizeof word)
		return (-1);
	memcpy(word, s, len);
	word[len] = '\0';
	if (!strnum_isdigit(word[0]))
		return (-1);
	n = strnum(word, 0, UINT_MAX, &errstr);
	if (errstr != NULL)
		return (-1);
	*ms = (unsigned)n;
	return (0);
}

/*
 * Parses GNU parallel's --termseq: signal,ms,signal,ms,...; a last signal
 * without a delay waits 0 ms.  steps[] is written only on success.
 */
int
strnum_termseq(const char *s, struct termstep *steps, int *n,
    const char **errstr)
{
	struct termstep	 tmp[TERMSEQ_MAX];
	const char	*p = s, *comma;
	size_t		 len;
	int		 count = 0, sig;

	*errstr = STRNUM_TERMSEQ;
	for (;;) {
		if (count == TERMSEQ_MAX)
			return (-1);
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if ((sig = strnum_signal(p, len)) == -1)
			return (-1);
		tmp[count].sig = sig;
		tmp[count].ms = 0;
		count++;
		if (comma == NULL)
			break;
		p = comma + 1;
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (strnum_delay(p, len, &tmp[count - 1].ms) != 0)
			return (-1);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	memcpy(steps, tmp, count * sizeof tmp[0]);
	*n = count;
	*errstr = NULL;
	return (0);
}

/*
 * Parses a size in bytes: a number, optionally with a fraction, and an
 * optional suffix k, m, g or t in either case, each a power of 1024
 * ("1024", "10k", "1.5G").  A fraction of a byte is dropped.
 */
int
strnum_size(const char *s, uint64_t *bytes, const char **errstr)
{
	const char	*p = s, *ip, *fp;
	size_t		 ilen, flen, i;
	uint64_t	 unit = 1, frac = 0, v;

	*errstr = STRNUM_SIZE;
	if ((p = strnum_decimal(p, &ip, &ilen, &fp, &flen)) == NULL)
		return (-1);
	switch (*p) {
	case 't':
	case 'T':
		unit <<= 10;
		/* FALLTHROUGH */
	case 'g':
	case 'G':
		unit <<= 10;
		/* FALLTHROUGH */
	case 'm':
	case 'M':
		unit <<= 10;
		/* FALLTHROUGH */
	case 'k':
	case 'K':
		unit <<= 10;
		p++;
		break;
	}
	if (*p != '\0')
		return (-1);

	if (strnum_scaled(ip, ilen, unit, &v) == -1)
		return (-1);

	/*
	 * The fraction times the unit, rounded down, computed exactly by
	 * Horner's rule from the last digit: flooring at each step gives
	 * the floor of the whole, and the value stays below the unit.
	 */
	for (i = flen; i > 0; i--)
		frac = (frac + (uint64_t)(fp[i - 1] - '0') * unit) / 10;
	if (v > UINT64_MAX - frac)
		return (-1);
	*bytes = v + frac;
	*errstr = NULL;
	return (0);
}
