/*
 * options.c - the command line.  One getopt_long table, sorted; parsing
 * stops at the first word that is not an option (the command), then the
 * rest of argv is split into the command template and the input sources
 * (::: :::+ :::: ::::+).  Every setting lands in struct options; every
 * number goes through strnum.c so that its error names the option.
 *
 * The options of MPRUN_OPTS, split into words by words.c, are parsed first,
 * in a pass of their own, as GNU parallel parses $PARALLEL: so they are
 * defaults that the command line overrides, an option there cannot take
 * its argument from the command line, and an error in them says so.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

/* Long-only options count up from CHAR_MAX + 1. */
enum {
	OPT_BAR = CHAR_MAX + 1,
	OPT_CHUNKSIZE,
	OPT_COLSEP,
	OPT_DELAY,
	OPT_DRY_RUN,
	OPT_ETA,
	OPT_GROUP,
	OPT_HALT,
	OPT_INIT,
	OPT_JOBLOG,
	OPT_JUNIT,
	OPT_JSON,
	OPT_LAUNCHER,
	OPT_LINE_BUFFER,
	OPT_MAXTASKS,
	OPT_MEMFREE,
	OPT_NICE,
	OPT_PROGRESS,
	OPT_PROGRESS_FORCE,
	OPT_REMOTE_MPRUN,
	OPT_RESUME,
	OPT_RESUME_FAILED,
	OPT_RETRIES,
	OPT_SSH,
	OPT_SSHLOGINFILE,
	OPT_TAG,
	OPT_TAGSTRING,
	OPT_TERMSEQ,
	OPT_TIMEOUT,
	OPT_UNORDERED,
	OPT_WORKER,
	OPT_WORKER_EOT,
	OPT_WORKER_PROTOCOL
};

/* Sorted by long name. */
static const struct option options_long[] = {
	{ "arg-file",		required_argument,	NULL, 'a' },
	{ "bar",		no_argument,		NULL, OPT_BAR },
	{ "chunksize",		required_argument,	NULL, OPT_CHUNKSIZE },
	{ "colsep",		required_argument,	NULL, OPT_COLSEP },
	{ "delay",		required_argument,	NULL, OPT_DELAY },
	{ "delimiter",		required_argument,	NULL, 'd' },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "eta",		no_argument,		NULL, OPT_ETA },
	{ "group",		no_argument,		NULL, OPT_GROUP },
	{ "halt",		required_argument,	NULL, OPT_HALT },
	{ "help",		no_argument,		NULL, 'h' },
	{ "init",		required_argument,	NULL, OPT_INIT },
	{ "joblog",		required_argument,	NULL, OPT_JOBLOG },
	{ "jobs",		required_argument,	NULL, 'j' },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "junit",		required_argument,	NULL, OPT_JUNIT },
	{ "keep-order",		no_argument,		NULL, 'k' },
	{ "launcher",		required_argument,	NULL, OPT_LAUNCHER },
	{ "lb",			no_argument,		NULL, OPT_LINE_BUFFER },
	{ "line-buffer",	no_argument,		NULL, OPT_LINE_BUFFER },
	{ "max-args",		required_argument,	NULL, 'n' },
	{ "maxtasksperchild",	required_argument,	NULL, OPT_MAXTASKS },
	{ "memfree",		required_argument,	NULL, OPT_MEMFREE },
	{ "nice",		required_argument,	NULL, OPT_NICE },
	{ "null",		no_argument,		NULL, '0' },
	{ "progress",		no_argument,		NULL, OPT_PROGRESS },
	{ "progress-force",	no_argument,		NULL, OPT_PROGRESS_FORCE },
	{ "quote",		no_argument,		NULL, 'q' },
	{ "remote-mprun",	required_argument,	NULL, OPT_REMOTE_MPRUN },
	{ "resume",		no_argument,		NULL, OPT_RESUME },
	{ "resume-failed",	no_argument,		NULL, OPT_RESUME_FAILED },
	{ "retries",		required_argument,	NULL, OPT_RETRIES },
	{ "ssh",		required_argument,	NULL, OPT_SSH },
	{ "sshlogin",		required_argument,	NULL, 'S' },
	{ "sshloginfile",	required_argument,	NULL, OPT_SSHLOGINFILE },
	{ "tag",		no_argument,		NULL, OPT_TAG },
	{ "tagstring",		required_argument,	NULL, OPT_TAGSTRING },
	{ "termseq",		required_argument,	NULL, OPT_TERMSEQ },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "ungroup",		no_argument,		NULL, 'u' },
	{ "unordered",		no_argument,		NULL, OPT_UNORDERED },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "worker",		required_argument,	NULL, OPT_WORKER },
	{ "worker-eot",		required_argument,	NULL, OPT_WORKER_EOT },
	{ "worker-protocol",	required_argument,	NULL,
	    OPT_WORKER_PROTOCOL },
	{ NULL,			0,			NULL, 0 }
};
static const char options_short[] = "+:0a:d:hI:j:kN:n:P:qS:uVv";

static const char options_usage[] =
"usage: mprun [-0kqv] [-a file] [-d delim] [-I replstr] [-j jobs] [-n max-args]\n"
"             [-N max-args] [-S [n/]host[,...]] [--bar] [--chunksize n]\n"
"             [--colsep sep] [--delay duration] [--dry-run] [--eta]\n"
"             [--halt spec] [--init cmd] [--joblog file] [--json]\n"
"             [--junit file] [--launcher cmd] [--line-buffer]\n"
"             [--maxtasksperchild n] [--memfree size] [--nice n] [--progress]\n"
"             [--progress-force] [--remote-mprun path] [--resume]\n"
"             [--resume-failed] [--retries n] [--ssh cmd] [--sshloginfile file]\n"
"             [--tag] [--tagstring str] [--termseq seq] [--timeout duration]\n"
"             [--ungroup] [--unordered] [--worker cmd] [--worker-eot str]\n"
"             [--worker-protocol line | json] [command [arg ...]] [::: arg ...]\n"
"             [:::: file ...]\n"
"       mprun -h | --help | -V | --version\n";

/* Where default options come from, and the most -a files in all. */
#define OPTIONS_ENV		"MPRUN_OPTS"
#define OPTIONS_AFILES_MAX	64

/*
 * What the getopt passes gather that is only settled after the last one:
 * -a files add up, and -j is parsed once, from the last one given.
 */
struct options_pass {
	const char	*afiles[OPTIONS_AFILES_MAX];
	int		 nafiles;
	const char	*jobs_arg;
	int		 jobs_set;
	int		 jobs_env;	/* jobs_arg came from MPRUN_OPTS */
};

/* OPTIONS_ENV while its options are parsed: usage errors name it. */
static const char	*options_origin;

#define OPTIONS_JOBS_MAX	256

static unsigned	 options_number(const char *, const char *, long long,
		     long long);
static unsigned	 options_jobs(const char *);
static char	 options_delim(const char *);
static int	 options_separator(const char *, enum source_kind *, int *);
static void	 options_sources(struct options *, int, char **);
static void	 options_halt(struct options *, const char *);
static void	 options_timeout(struct options *, const char *);
static void	 options_worker(struct options *);
static void	 options_bad(int, const char *) __attribute__((noreturn));
static int	 options_getopt(struct options *, struct options_pass *, int,
		     char **);
static void	 options_env(struct options *, struct options_pass *,
		     char *);

/* Prints the usage to stdout and exits 0: what --help does. */
void
usage(void)
{
	if (fputs(options_usage, stdout) == EOF || fflush(stdout) == EOF)
		die("stdout");
	exit(MPRUN_EXIT_OK);
}

/* Reports a usage error and exits. */
void
usage_error(const char *fmt, ...)
{
	char	*msg;
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (options_origin != NULL)
		log_warnx("%s: %s", options_origin, msg != NULL ? msg :
		    "usage error");
	else
		log_warnx("%s", msg != NULL ? msg : "usage error");
	free(msg);
	fputs("Try 'mprun --help'.\n", stderr);
	exit(MPRUN_EXIT_ERROR);
}

/* Parses a whole number for option opt, or exits naming it. */
static unsigned
options_number(const char *opt, const char *s, long long min, long long max)
{
	const char	*errstr;
	long long	 n;

	n = strnum(s, min, max, &errstr);
	if (errstr != NULL)
		usage_error("%s: '%s' %s", opt, s, errstr);
	return ((unsigned)n);
}

/* Parses -j: N, +N, -N, N% or 0. */
static unsigned
options_jobs(const char *s)
{
	unsigned	 def, n;
	long long	 v;
	size_t		 len;
	char		*copy;
	const char	*errstr;

	def = ncpu_available();
	len = strlen(s);
	if (len > 1 && s[len - 1] == '%') {
		copy = xstrndup(s, len - 1);
		v = strnum(copy, 1, 100000, &errstr);
		free(copy);
		if (errstr != NULL)
			usage_error("-j: '%s' %s", s, errstr);
		n = (unsigned)((def * (unsigned long long)v + 99) / 100);
	} else if (s[0] == '+' || s[0] == '-') {
		v = strnum(s + 1, 0, 100000, &errstr);
		if (errstr != NULL || s[1] == '+' || s[1] == '-')
			usage_error("-j: '%s' %s", s, errstr != NULL ? errstr :
			    "is not a number");
		if (s[0] == '+')
			n = def + (unsigned)v;
		else
			n = v >= def ? 1 : def - (unsigned)v;
	} else {
		n = options_number("-j", s, 0, 100000);
		if (n == 0)
			n = OPTIONS_JOBS_MAX;
	}
	return (n < 1 ? 1 : n);
}

/* Parses -d: one character or an escape. */
static char
options_delim(const char *s)
{
	const char	*errstr;
	long long	 v;
	char		 hex[3];

	if (s[0] != '\0' && s[1] == '\0')
		return (s[0]);
	if (s[0] == '\\' && s[2] == '\0') {
		switch (s[1]) {
		case 'n':
			return ('\n');
		case 't':
			return ('\t');
		case '0':
			return ('\0');
		case '\\':
			return ('\\');
		}
	}
	if (s[0] == '\\' && s[1] == 'x' && s[2] != '\0' && s[3] != '\0' &&
	    s[4] == '\0' && strspn(s + 2, "0123456789abcdefABCDEF") == 2) {
		hex[0] = s[2];
		hex[1] = s[3];
		hex[2] = '\0';
		v = strtol(hex, NULL, 16);
		return ((char)v);
	}
	errstr = "is not one character or \\n, \\t, \\0, \\\\, \\xHH";
	usage_error("-d: '%s' %s", s, errstr);
}

/* Says whether s is a source separator, and which. */
static int
options_separator(const char *s, enum source_kind *kind, int *linked)
{
	if (strcmp(s, ":::") == 0 || strcmp(s, ":::+") == 0) {
		*kind = SOURCE_ARGS;
		*linked = s[3] == '+';
		return (1);
	}
	if (strcmp(s, "::::") == 0 || strcmp(s, "::::+") == 0) {
		*kind = SOURCE_FILE;
		*linked = s[4] == '+';
		return (1);
	}
	return (0);
}

/* Parses --halt: never, 0, 1, 2, or WHEN,WHY=X with X a count or P%. */
static void
options_halt(struct options *o, const char *s)
{
	const char	*p, *errstr;
	char		*x;
	size_t		 n;
	long long	 v;

	if (strcmp(s, "never") == 0 || strcmp(s, "0") == 0) {
		o->halt_when = HALT_NEVER;
		return;
	}
	o->halt_why = HALT_FAIL;
	o->halt_count = 1;
	o->halt_pct = 0;
	if (strcmp(s, "1") == 0) {
		o->halt_when = HALT_SOON;
		return;
	}
	if (strcmp(s, "2") == 0) {
		o->halt_when = HALT_NOW;
		return;
	}
	if (strncmp(s, "now,", 4) == 0)
		o->halt_when = HALT_NOW;
	else if (strncmp(s, "soon,", 5) == 0)
		o->halt_when = HALT_SOON;
	else
		goto bad;
	p = strchr(s, ',') + 1;
	if (strncmp(p, "fail=", 5) == 0)
		o->halt_why = HALT_FAIL;
	else if (strncmp(p, "success=", 8) == 0)
		o->halt_why = HALT_SUCCESS;
	else if (strncmp(p, "done=", 5) == 0)
		o->halt_why = HALT_DONE;
	else
		goto bad;
	p = strchr(p, '=') + 1;
	n = strlen(p);
	if (n > 1 && p[n - 1] == '%') {
		x = xstrndup(p, n - 1);
		v = strnum(x, 1, 100, &errstr);
		free(x);
		if (errstr != NULL)
			goto bad;
		o->halt_pct = (unsigned)v;
		o->halt_count = 0;
		return;
	}
	v = strnum(p, 1, LLONG_MAX, &errstr);
	if (errstr != NULL)
		goto bad;
	o->halt_count = (uint64_t)v;
	return;
bad:
	usage_error("--halt: '%s' is not never, now,WHY=X or soon,WHY=X "
	    "(WHY: fail, success, done; X: a count or a percentage)", s);
}

/* Parses --timeout: a duration, or N% of the median task runtime. */
static void
options_timeout(struct options *o, const char *s)
{
	const char	*errstr;
	char		*x;
	size_t		 n = strlen(s);
	long long	 v;

	if (n > 1 && s[n - 1] == '%') {
		x = xstrndup(s, n - 1);
		v = strnum(x, 1, 1000000, &errstr);
		free(x);
		if (errstr != NULL)
			usage_error("--timeout: '%s' %s", s, errstr);
		o->timeout_pct = (unsigned)v;
		return;
	}
	if (strnum_duration(s, &o->timeout_ms, &errstr) == -1)
		usage_error("--timeout: '%s' %s", s, errstr);
	if (o->timeout_ms == 0)
		usage_error("--timeout: '%s' is too small", s);
}

/* Rejects what makes no sense with (or without) --worker. */
static void
options_worker(struct options *o)
{
	int	 remote;

	remote = o->nsshlogins + o->nsshloginfiles > 0;
	if (o->launcher != NULL && remote)
		usage_error("--launcher cannot be combined with %s",
		    o->nsshlogins > 0 ? "-S" : "--sshloginfile");
	if (o->worker != NULL && (o->launcher != NULL || remote))
		usage_error("--worker cannot be combined with %s: "
		    "persistent workers run on this machine only",
		    o->launcher != NULL ? "--launcher" : o->nsshlogins > 0 ?
		    "-S" : "--sshloginfile");
	if (o->worker == NULL) {
		if (o->worker_eot != NULL)
			usage_error("--worker-eot needs --worker");
		if (o->worker_json)
			usage_error("--worker-protocol needs --worker");
		return;
	}
	if (o->ncmd != 0)
		usage_error("--worker takes no command: '%s'", o->cmd[0]);
	if (o->maxargs != 0)
		usage_error("--worker cannot be combined with %s: a record "
		    "is one line of the worker's input", o->bind_args ? "-N" :
		    "-n");
	if (o->init != NULL)
		usage_error("--worker cannot be combined with --init: the "
		    "worker command does its own setup");
	if (o->quote_cmd)
		usage_error("--worker cannot be combined with -q: the worker "
		    "is the command, and records go to it as they are");
	if (o->worker_eot != NULL && o->worker_json)
		usage_error("--worker-eot cannot be combined with "
		    "--worker-protocol json");
	if (strstr(o->worker, o->replace) != NULL)
		usage_error("--worker: no replacement strings in the "
		    "command: '%s'", o->worker);
}

/* Splits what follows the options into the command and the sources. */
static void
options_sources(struct options *o, int argc, char **argv)
{
	enum source_kind	 kind;
	struct source		*s;
	int			 i, linked;

	for (i = 0; i < argc; i++) {
		if (options_separator(argv[i], &kind, &linked))
			break;
	}
	o->cmd = argv;
	o->ncmd = i;

	while (i < argc) {
		options_separator(argv[i], &kind, &linked);
		if (linked && o->nsources == 0)
			usage_error("%s: no input source before it to link to",
			    argv[i]);
		i++;
		if (kind == SOURCE_ARGS) {
			o->sources = xreallocarray(o->sources,
			    o->nsources + 1, sizeof *o->sources);
			s = &o->sources[o->nsources++];
			memset(s, 0, sizeof *s);
			s->kind = SOURCE_ARGS;
			s->linked = linked;
			s->values = argv + i;
			while (i < argc &&
			    !options_separator(argv[i], &kind, &linked))
				i++;
			s->nvalues = (int)(argv + i - s->values);
			continue;
		}
		if (i == argc || options_separator(argv[i], &kind, &linked))
			usage_error("%s: no file named after it",
			    argv[i - 1]);
		while (i < argc &&
		    !options_separator(argv[i], &kind, &linked)) {
			o->sources = xreallocarray(o->sources,
			    o->nsources + 1, sizeof *o->sources);
			s = &o->sources[o->nsources++];
			memset(s, 0, sizeof *s);
			s->kind = SOURCE_FILE;
			s->path = argv[i++];
			/* Only the first file of a ::::+ group is linked. */
			s->linked = linked;
			linked = 0;
		}
	}
}

/*
 * Reports a bad option: unknown, ambiguous, or with an argument missing
 * or unwanted.  getopt_long leaves only optopt, which for a long option
 * is its value, not a letter; word, the argument being parsed, says what
 * was typed.
 */
static void
options_bad(int c, const char *word)
{
	const struct option	*lo, *found = NULL;
	const char		*name, *eq;
	struct buf		 b;
	size_t			 len;
	int			 ambiguous = 0;

	if (strncmp(word, "--", 2) != 0) {
		if (c == ':')
			usage_error("option requires an argument -- '%c'",
			    optopt);
		usage_error("invalid option -- '%c'", optopt);
	}
	name = word + 2;
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	/* As getopt_long: an exact name wins, else a prefix of one option. */
	for (lo = options_long; lo->name != NULL; lo++) {
		if (strncmp(lo->name, name, len) != 0)
			continue;
		if (lo->name[len] == '\0') {
			found = lo;
			ambiguous = 0;
			break;
		}
		if (found == NULL)
			found = lo;
		else if (lo->val != found->val ||
		    lo->has_arg != found->has_arg)
			ambiguous = 1;
	}
	if (found != NULL && ambiguous) {
		buf_init(&b);
		for (lo = options_long; lo->name != NULL; lo++) {
			if (strncmp(lo->name, name, len) != 0)
				continue;
			buf_adds(&b, " '--");
			buf_adds(&b, lo->name);
			buf_addc(&b, '\'');
		}
		buf_addc(&b, '\0');
		usage_error("option '--%.*s' is ambiguous; possibilities:%s",
		    (int)len, name, BUF_PTR(&b));
	}
	if (found != NULL && c == ':')
		usage_error("option '--%s' requires an argument", found->name);
	if (found != NULL && eq != NULL && found->has_arg == no_argument)
		usage_error("option '--%s' doesn't allow an argument",
		    found->name);
	usage_error("unrecognized option '%s'", word);
}

/*
 * Parses the options at the start of argv into o and p, one getopt pass
 * from argv[1]; returns the index just past the last option, where the
 * command starts (optind is past a "--" too).
 */
static int
options_getopt(struct options *o, struct options_pass *p, int argc,
    char **argv)
{
	const char	*errstr;
	int		 c, word, end = 1;

	/* glibc starts afresh on optind 0, forgetting a previous argv. */
	optind = 0;
	opterr = 0;
	for (;;) {
		/* The argument being parsed: optind moves on after it. */
		word = optind > 0 ? optind : 1;
		if ((c = getopt_long(argc, argv, options_short, options_long,
		    NULL)) == -1)
			break;
		end = optind;
		switch (c) {
		case '0':
			o->delim = '\0';
			break;
		case 'a':
			if (p->nafiles == OPTIONS_AFILES_MAX)
				usage_error("-a: too many files");
			p->afiles[p->nafiles++] = optarg;
			break;
		case 'd':
			o->delim = options_delim(optarg);
			break;
		case 'h':
			usage();
			/* NOTREACHED */
		case 'I':
			if (*optarg == '\0')
				usage_error("-I: the replacement string is "
				    "empty");
			o->replace = optarg;
			break;
		case 'j':
		case 'P':
			p->jobs_arg = optarg;
			p->jobs_set = 1;
			p->jobs_env = options_origin != NULL;
			break;
		case 'k':
			o->keep_order = 1;
			break;
		case 'N':
			o->bind_args = 1;
			/* FALLTHROUGH */
		case 'n':
			o->maxargs = options_number(c == 'n' ? "-n" : "-N",
			    optarg, 1, 100000);
			break;
		case 'q':
			o->quote_cmd = 1;
			break;
		case 'S':
			o->sshlogins = xreallocarray(o->sshlogins,
			    o->nsshlogins + 1, sizeof *o->sshlogins);
			o->sshlogins[o->nsshlogins++] = optarg;
			break;
		case 'u':
			o->output = OUTPUT_UNGROUP;
			break;
		case 'V':
			if (printf("mprun %s\n", MPRUN_VERSION) < 0 ||
			    fflush(stdout) == EOF)
				die("stdout");
			exit(MPRUN_EXIT_OK);
		case 'v':
			o->verbose++;
			break;
		case OPT_CHUNKSIZE:
			o->chunksize = options_number("--chunksize", optarg, 1,
			    1000000);
			break;
		case OPT_COLSEP:
			if (*optarg == '\0')
				usage_error("--colsep: the separator is "
				    "empty");
			o->colsep = optarg;
			break;
		case OPT_GROUP:
			o->output = OUTPUT_GROUP;
			break;
		case OPT_INIT:
			o->init = optarg;
			break;
		case OPT_LINE_BUFFER:
			o->output = OUTPUT_LINE;
			break;
		case OPT_MAXTASKS:
			o->maxtasks = options_number("--maxtasksperchild",
			    optarg, 0, 1000000000);
			break;
		case OPT_TAG:
			o->tag = 1;
			break;
		case OPT_TAGSTRING:
			o->tagstring = optarg;
			break;
		case OPT_TERMSEQ:
			if (strnum_termseq(optarg, o->termseq, &o->ntermseq,
			    &errstr) == -1)
				usage_error("--termseq: '%s' %s", optarg,
				    errstr);
			break;
		case OPT_UNORDERED:
			o->ordered = 0;
			break;
		case OPT_BAR:
			o->progress = PROGRESS_BAR;
			break;
		case OPT_DELAY:
			if (strnum_duration(optarg, &o->delay_ms, &errstr) == -1)
				usage_error("--delay: '%s' %s", optarg, errstr);
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_ETA:
			o->progress = PROGRESS_ETA;
			break;
		case OPT_HALT:
			options_halt(o, optarg);
			break;
		case OPT_JOBLOG:
			o->joblog_append = optarg[0] == '+';
			o->joblog = optarg + o->joblog_append;
			if (*o->joblog == '\0')
				usage_error("--joblog: no file name");
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			if (*o->junit == '\0' || strcmp(o->junit, "-") == 0)
				usage_error("--junit: '%s' is not a file name",
				    optarg);
			break;
		case OPT_MEMFREE:
			if (strnum_size(optarg, &o->memfree, &errstr) == -1)
				usage_error("--memfree: '%s' %s", optarg, errstr);
			break;
		case OPT_NICE:
			o->nice = (int)strnum(optarg, -20, 19, &errstr);
			if (errstr != NULL)
				usage_error("--nice: '%s' %s", optarg, errstr);
			break;
		case OPT_PROGRESS:
			o->progress = PROGRESS_PROGRESS;
			break;
		case OPT_PROGRESS_FORCE:
			o->progress_force = 1;
			break;
		case OPT_RESUME:
			o->resume = 1;
			break;
		case OPT_RESUME_FAILED:
			o->resume = 2;
			break;
		case OPT_RETRIES:
			o->retries = options_number("--retries", optarg, 1,
			    1000000);
			break;
		case OPT_LAUNCHER:
			o->launcher = optarg;
			break;
		case OPT_REMOTE_MPRUN:
			o->remote_mprun = optarg;
			break;
		case OPT_SSH:
			o->ssh = optarg;
			break;
		case OPT_SSHLOGINFILE:
			o->sshloginfiles = xreallocarray(o->sshloginfiles,
			    o->nsshloginfiles + 1, sizeof *o->sshloginfiles);
			o->sshloginfiles[o->nsshloginfiles++] = optarg;
			break;
		case OPT_TIMEOUT:
			options_timeout(o, optarg);
			break;
		case OPT_WORKER:
			if (*optarg == '\0')
				usage_error("--worker: the command is empty");
			o->worker = optarg;
			break;
		case OPT_WORKER_EOT:
			o->worker_eot = optarg;
			break;
		case OPT_WORKER_PROTOCOL:
			if (strcmp(optarg, "json") == 0)
				o->worker_json = 1;
			else if (strcmp(optarg, "line") == 0)
				o->worker_json = 0;
			else
				usage_error("--worker-protocol: '%s' is not "
				    "line or json", optarg);
			break;
		default:	/* '?' or ':' */
			options_bad(c, argv[word]);
		}
	}
	return (end);
}

/*
 * Parses the default options of MPRUN_OPTS, as if they came before the
 * command line's; only options, each with its argument, may be there.
 */
static void
options_env(struct options *o, struct options_pass *p, char *argv0)
{
	/* Static: o keeps pointers into them (optarg) for the whole run. */
	static char	**words, **v;
	const char	*env, *errstr;
	int		 n, end;

	if ((env = getenv(OPTIONS_ENV)) == NULL)
		return;
	options_origin = OPTIONS_ENV;
	if ((words = words_split(env, &n, &errstr)) == NULL)
		usage_error("%s", errstr);
	v = xcalloc((size_t)n + 2, sizeof *v);
	v[0] = argv0;
	memcpy(v + 1, words, (size_t)n * sizeof *v);
	end = options_getopt(o, p, n + 1, v);
	/* A command, ::: or "--" would swallow the command line's options. */
	if (end < n + 1)
		usage_error("'%s' is not an option", v[end]);
	options_origin = NULL;
}

/* Fills o from MPRUN_OPTS and argv, or exits with a usage error. */
void
options_parse(struct options *o, int argc, char **argv)
{
	struct options_pass	 p;
	struct source		*s;
	int			 i;

	memset(o, 0, sizeof *o);
	memset(&p, 0, sizeof p);
	o->delim = '\n';
	o->replace = "{}";
	o->output = OUTPUT_GROUP;
	o->ordered = 1;

	options_env(o, &p, argv[0]);
	options_getopt(o, &p, argc, argv);
	log_set_verbose(o->verbose);

	if (p.jobs_env)
		options_origin = OPTIONS_ENV;
	o->jobs = p.jobs_set ? options_jobs(p.jobs_arg) : ncpu_available();
	options_origin = NULL;
	o->jobs_explicit = p.jobs_set;
	if (o->ntermseq == 0)
		termseq_default(o->termseq, &o->ntermseq);

	/* -a files come first, as options precede the command. */
	for (i = 0; i < p.nafiles; i++) {
		o->sources = xreallocarray(o->sources, o->nsources + 1,
		    sizeof *o->sources);
		s = &o->sources[o->nsources++];
		memset(s, 0, sizeof *s);
		s->kind = SOURCE_FILE;
		s->path = p.afiles[i];
	}
	options_sources(o, argc - optind, argv + optind);
	if (o->nsources == 0) {
		o->sources = xcalloc(1, sizeof *o->sources);
		o->sources[0].kind = SOURCE_FILE;
		o->sources[0].path = "-";
		o->nsources = 1;
	}

	if (o->resume && o->joblog == NULL)
		usage_error("%s needs --joblog", o->resume == 2 ?
		    "--resume-failed" : "--resume");
	if (o->json && (o->tag || o->tagstring != NULL))
		usage_error("--json cannot be combined with %s", o->tag ?
		    "--tag" : "--tagstring");
	if (o->json && o->output != OUTPUT_GROUP)
		usage_error("--json cannot be combined with %s",
		    o->output == OUTPUT_LINE ? "--line-buffer" : "--ungroup");
	if (o->retries == 0)
		o->retries = 1;
	if (o->maxargs != 0 && (o->nsources > 1 || o->colsep != NULL))
		usage_error("%s: only with one input source and no --colsep",
		    o->bind_args ? "-N" : "-n");
	options_worker(o);
	/* -k with --line-buffer asks for order; alone it means "as ready". */
	if (o->output == OUTPUT_LINE && o->keep_order)
		o->output = OUTPUT_GROUP;
	if (o->output != OUTPUT_GROUP)
		o->ordered = 0;
}
