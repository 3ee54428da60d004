/*
 * remote.c - workers on other machines: -S/--sshlogin, --sshloginfile and
 * --launcher.
 *
 * A remote worker is the same "mprun --worker-mode" with a transport in
 * front of it: "ssh HOST mprun --worker-mode" or "LAUNCHER mprun
 * --worker-mode", started by pool.c with uv_spawn, speaking the same
 * frames over the transport's stdin and stdout.  Before the loop starts,
 * remote_init() turns the host list into a table of hosts, each owning a
 * range of slots: a host without an explicit N/ is probed once (a worker
 * is started, sent a HELLO, and its reply's CPU count read) and gets that
 * many slots.  The run's -j becomes the sum of all slots, so slots ({%})
 * number every worker on every host.  The ":" host is this machine, run
 * by the local pool as before.  pool.c reports how each remote worker
 * ended; a host whose workers fail POOL_HOST_FAILS times in a row is
 * taken out of the rotation.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

#define REMOTE_DEFAULT_SSH	"ssh -o BatchMode=yes -T"
#define REMOTE_DEFAULT_MPRUN	"mprun"
/* Failures in a row before a host is dropped. */
#define REMOTE_HOST_FAILS	3
/* How long a probe waits for a host's HELLO reply. */
#define REMOTE_PROBE_MS		60000

/* One entry of the host list. */
struct host {
	char		*name;		/* ":" for this machine */
	int		 local;
	unsigned	 nslots;	/* 0: not known yet */
	unsigned	 first;		/* its first slot */
	unsigned	 fails;		/* failures in a row */
	int		 dead;
	char		**argv;		/* how to start a worker there */
};

static struct host	*rhosts;
static unsigned		 rnhosts;
static unsigned		 rnslots;
static int		 ractive;
static char		**renv;		/* for transports; NULL: not yet */
static char		**rnodes;	/* host names launched workers said */
static unsigned		 rnnodes;
static char		*renvnew[2];	/* its entries that are ours */

static void	 remote_add(const char *, const char *);
static void	 remote_add_file(const char *);
static char	**remote_make_argv(const struct options *, const char *);
static int	 remote_probe(struct host *, const char **);

/* Adds the hosts of one [N/]HOST[,...] list. */
static void
remote_add(const char *spec, const char *what)
{
	struct host	*h;
	char		*copy, *item, *next, *end, *slash;
	const char	*errstr;
	long long	 n;

	copy = xstrdup(spec);
	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r'))
			*--end = '\0';
		if (*item == '\0')
			continue;
		rhosts = xreallocarray(rhosts, rnhosts + 1, sizeof *rhosts);
		h = &rhosts[rnhosts++];
		memset(h, 0, sizeof *h);
		if ((slash = strchr(item, '/')) != NULL &&
		    strspn(item, "0123456789") == (size_t)(slash - item)) {
			*slash = '\0';
			n = strnum(item, 1, 100000, &errstr);
			if (errstr != NULL)
				usage_error("%s: '%s' %s", what, item, errstr);
			h->nslots = (unsigned)n;
			item = slash + 1;
		}
		if (*item == '\0' || strpbrk(item, " \t") != NULL)
			usage_error("%s: bad host '%s'", what, item);
		h->name = xstrdup(item);
		h->local = strcmp(item, ":") == 0;
	}
	free(copy);
}

/* Adds the hosts of an --sshloginfile, one list a line, # comments. */
static void
remote_add_file(const char *path)
{
	FILE	*f;
	char	*line = NULL, *p;
	size_t	 size = 0;

	if ((f = fopen(path, "re")) == NULL)
		die("--sshloginfile: %s", path);
	while (getline(&line, &size, f) != -1) {
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		if ((p = strchr(line, '\n')) != NULL)
			*p = '\0';
		remote_add(line, "--sshloginfile");
	}
	if (ferror(f))
		die("--sshloginfile: %s", path);
	fclose(f);
	free(line);
}

/* The argv of a worker behind prefix (the ssh command and host, or the
 * launcher). */
static char **
remote_make_argv(const struct options *o, const char *prefix)
{
	char		**words, **v;
	const char	 *errstr;
	int		  n, i;

	if ((words = words_split(prefix, &n, &errstr)) == NULL)
		usage_error("%s", errstr);
	if (n == 0)
		usage_error("an empty command to start workers with");
	v = xcalloc((size_t)n + 3, sizeof *v);
	/* words are one allocation: copy them to free each on its own. */
	for (i = 0; i < n; i++)
		v[i] = xstrdup(words[i]);
	v[n] = xstrdup(o->remote_mprun != NULL ? o->remote_mprun :
	    REMOTE_DEFAULT_MPRUN);
	v[n + 1] = xstrdup("--worker-mode");
	v[n + 2] = NULL;
	free(words);
	return (v);
}

/*
 * Starts one worker on a host, says HELLO and reads its CPU count from
 * the reply.  Returns the count, or 0 with *errstr set.
 */
static int
remote_probe(struct host *h, const char **errstr)
{
	static char		 msg[256], full[320];
	struct hello		 hl;
	struct hello_reply	 reply;
	struct proto_frame	 f;
	struct pollfd		 pfd;
	struct buf		 out, in;
	struct sigaction	 sa, osa;
	int			 to[2], from[2], status, r, ncpu = 0;
	pid_t			 pid;
	ssize_t			 n;
	char			*json, **env;
	const char		*err = NULL;

	env = remote_env();
	if (pipe2(to, O_CLOEXEC) == -1 || pipe2(from, O_CLOEXEC) == -1)
		die("pipe2");
	/* A host that is gone must not kill us with SIGPIPE. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, &osa) == -1)
		die("sigaction");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		if (dup2(to[0], STDIN_FILENO) == -1 ||
		    dup2(from[1], STDOUT_FILENO) == -1)
			_exit(127);
		sigaction(SIGPIPE, &osa, NULL);
		execvpe(h->argv[0], h->argv, env);
		dprintf(STDERR_FILENO, "mprun: %s: %s\n", h->argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(to[0]);
	close(from[1]);

	memset(&hl, 0, sizeof hl);
	hl.version = PROTO_VERSION;
	hl.slot = 0;
	termseq_default(hl.termseq, &hl.ntermseq);
	hl.relay = 1;
	json = json_hello_encode(&hl);
	buf_init(&out);
	buf_init(&in);
	proto_put(&out, PROTO_HELLO, 0, json, (uint32_t)strlen(json));
	proto_end_line(&out);
	free(json);
	if (fdio_write(to[1], BUF_PTR(&out), out.len) == -1)
		err = "cannot send HELLO";
	while (err == NULL) {
		pfd.fd = from[0];
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, REMOTE_PROBE_MS)) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (r == 0) {
			err = "no HELLO reply in time";
			break;
		}
		n = read(from[0], buf_reserve(&in, 4096), 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = "the connection closed before HELLO";
			break;
		}
		buf_commit(&in, (size_t)n);
		r = (int)proto_decode(BUF_PTR(&in), in.len, &f, &err);
		if (r == 0)
			continue;
		if (r < 0)
			break;
		if (f.type != PROTO_HELLO ||
		    json_reply_decode(f.payload, f.len, &reply, &err) == -1) {
			if (err == NULL)
				err = "no HELLO reply";
			break;
		}
		if (reply.version != PROTO_VERSION) {
			snprintf(msg, sizeof msg, "its mprun speaks protocol "
			    "version %d, this one %d", reply.version,
			    PROTO_VERSION);
			err = msg;
			break;
		}
		ncpu = reply.ncpu > 0 ? (int)reply.ncpu : 1;
		break;
	}
	close(to[1]);
	close(from[0]);
	if (err != NULL)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			die("waitpid");
	}
	if (sigaction(SIGPIPE, &osa, NULL) == -1)
		die("sigaction");
	buf_free(&out);
	buf_free(&in);
	if (err != NULL && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(full, sizeof full, "%s (exit %d)", err,
		    WEXITSTATUS(status));
		err = full;
	}
	*errstr = err;
	return (err != NULL ? 0 : ncpu);
}

/*
 * Reads the host list and the launcher from o, probes the hosts whose
 * slot count is not given, and sets o->jobs to the total of slots.  Runs
 * before the loop and before the zygote.
 */
void
remote_init(struct options *o)
{
	struct host	*h;
	const char	*ssh, *errstr;
	char		*prefix;
	unsigned	 i, slot;
	int		 n;

	if (o->launcher != NULL) {
		rhosts = xcalloc(1, sizeof *rhosts);
		rnhosts = 1;
		rhosts[0].name = xstrdup(":");
		rhosts[0].nslots = o->jobs;
		rhosts[0].argv = remote_make_argv(o, o->launcher);
	}
	for (i = 0; i < (unsigned)o->nsshlogins; i++)
		remote_add(o->sshlogins[i], "-S");
	for (i = 0; i < (unsigned)o->nsshloginfiles; i++)
		remote_add_file(o->sshloginfiles[i]);
	if (rnhosts == 0)
		return;
	ractive = 1;

	if ((ssh = o->ssh) == NULL && (ssh = getenv("MPRUN_SSH")) == NULL)
		ssh = REMOTE_DEFAULT_SSH;
	slot = 1;
	for (i = 0; i < rnhosts; i++) {
		h = &rhosts[i];
		if (h->local) {
			if (h->nslots == 0)
				h->nslots = o->jobs_explicit ? o->jobs :
				    ncpu_available();
		} else if (h->argv == NULL) {
			xasprintf(&prefix, "%s %s", ssh, h->name);
			h->argv = remote_make_argv(o, prefix);
			free(prefix);
		}
		if (h->nslots == 0 && o->dry_run)
			h->nslots = 1;
		if (h->nslots == 0) {
			if ((n = remote_probe(h, &errstr)) == 0) {
				log_warnx("host %s: cannot start a worker: "
				    "%s; not using it", h->name, errstr);
				h->dead = 1;
				continue;
			}
			h->nslots = (unsigned)n;
			log_debug("host %s: %u CPUs", h->name, h->nslots);
		}
		h->first = slot;
		slot += h->nslots;
	}
	rnslots = slot - 1;
	if (rnslots == 0)
		diex("no host to run tasks on");
	o->jobs = rnslots;
}

/* Whether workers start anywhere but through the local pool. */
int
remote_active(void)
{
	return (ractive);
}

/* How many slots run on this machine's local pool. */
unsigned
remote_local_slots(const struct options *o)
{
	unsigned	 i, n = 0;

	if (!ractive)
		return (o->jobs);
	for (i = 0; i < rnhosts; i++) {
		if (rhosts[i].local && !rhosts[i].dead)
			n += rhosts[i].nslots;
	}
	return (n);
}

/* The host of a slot: NULL when the local pool runs it. */
struct host *
remote_slot_host(unsigned slot)
{
	unsigned	 i;
	struct host	*h;

	for (i = 0; i < rnhosts; i++) {
		h = &rhosts[i];
		if (h->dead && h->nslots == 0)
			continue;
		if (slot >= h->first && slot < h->first + h->nslots)
			return (h->local ? NULL : h);
	}
	return (NULL);
}

/* The name of a slot's host, for the joblog: ":" for this machine. */
const char *
remote_slot_name(unsigned slot)
{
	struct host	*h;

	if ((h = remote_slot_host(slot)) == NULL)
		return (":");
	return (h->name);
}

/*
 * Where a worker runs, for messages and the joblog: its host's name as
 * given, or for --launcher, which picks the host itself, the name the
 * worker said in its HELLO ("--launcher" before it has).
 */
const char *
remote_worker_name(const struct worker *w)
{
	if (w->host == NULL)
		return (":");
	if (strcmp(w->host->name, ":") != 0)
		return (w->host->name);
	return (w->node != NULL ? w->node : "--launcher");
}

/*
 * Keeps the host name a launched worker said, until the run is over (a
 * joblog row may name it after the worker is gone).
 */
void
remote_worker_node(struct worker *w, const char *node)
{
	unsigned	 i;

	if (w->host == NULL || strcmp(w->host->name, ":") != 0 ||
	    *node == '\0')
		return;
	for (i = 0; i < rnnodes; i++) {
		if (strcmp(rnodes[i], node) == 0) {
			w->node = rnodes[i];
			return;
		}
	}
	rnodes = xreallocarray(rnodes, rnnodes + 1, sizeof *rnodes);
	rnodes[rnnodes] = xstrdup(node);
	w->node = rnodes[rnnodes++];
}

/* The argv that starts a worker on a host. */
char **
remote_host_argv(const struct host *h)
{
	return (h->argv);
}

/*
 * The environment a transport (ssh, --launcher), and so a worker there
 * and its tasks, start with: ours, but with no make jobserver in MAKEFLAGS
 * and MFLAGS (jobserver_strip()).  Its fds cannot go to another machine
 * and a fifo's path means nothing there, so a sub-make there runs one job
 * at a time on its task's slot, as make's own child would that make could
 * not pass the jobserver to, rather than warn "jobserver unavailable".  A
 * variable left with nothing in it goes.  Built once.
 */
char **
remote_env(void)
{
	static const char *const names[] = { "MAKEFLAGS=", "MFLAGS=" };
	char		**e, *v;
	size_t		  n = 0, k = 0, i, len;

	if (renv != NULL)
		return (renv);
	for (e = environ; *e != NULL; e++)
		n++;
	renv = xreallocarray(NULL, n + 1, sizeof *renv);
	for (e = environ; *e != NULL; e++) {
		for (i = 0; i < 2; i++) {
			len = strlen(names[i]);
			if (strncmp(*e, names[i], len) == 0)
				break;
		}
		if (i == 2 || renvnew[i] != NULL ||
		    (v = jobserver_strip(*e + len)) == NULL) {
			renv[k++] = *e;
			continue;
		}
		if (v[strspn(v, " \t\n")] != '\0') {
			xasprintf(&renvnew[i], "%.*s%s", (int)len, *e, v);
			renv[k++] = renvnew[i];
		}
		free(v);
	}
	renv[k] = NULL;
	return (renv);
}

/* Whether a host is still in the rotation. */
int
remote_host_usable(const struct host *h)
{
	return (!h->dead);
}

/*
 * Records how a host's worker ended (fatal: it can never work, as when
 * the ssh command is missing).  Returns 1 when no slot is left anywhere.
 */
int
remote_host_result(struct host *h, int ok, int fatal)
{
	unsigned	 i;

	if (ok) {
		h->fails = 0;
		return (0);
	}
	if (h->dead)
		return (0);
	if (!fatal && ++h->fails < REMOTE_HOST_FAILS)
		return (0);
	h->dead = 1;
	if (fatal)
		log_warnx("%s: cannot start workers; taking it out of the "
		    "rotation", strcmp(h->name, ":") == 0 ? "--launcher" :
		    h->name);
	else if (strcmp(h->name, ":") == 0)
		log_warnx("the launcher failed %u times in a row; giving up",
		    h->fails);
	else
		log_warnx("host %s failed %u times in a row; taking it out "
		    "of the rotation", h->name, h->fails);
	for (i = 0; i < rnhosts; i++) {
		if (!rhosts[i].dead && rhosts[i].nslots > 0)
			return (0);
	}
	return (1);
}

/* Frees the host table. */
void
remote_free(void)
{
	unsigned	 i;
	char		**v;

	for (i = 0; i < rnhosts; i++) {
		free(rhosts[i].name);
		if ((v = rhosts[i].argv) != NULL) {
			for (; *v != NULL; v++)
				free(*v);
			free(rhosts[i].argv);
		}
	}
	free(rhosts);
	rhosts = NULL;
	rnhosts = 0;
	for (i = 0; i < rnnodes; i++)
		free(rnodes[i]);
	free(rnodes);
	rnodes = NULL;
	rnnodes = 0;
	free(renv);
	free(renvnew[0]);
	free(renvnew[1]);
	renv = NULL;
	renvnew[0] = renvnew[1] = NULL;
}
