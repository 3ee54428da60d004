/*
 * mprun.h - the one internal header: shared types, exit codes and one
 * prototype section per module, in the order the data flows (tmux.h style).
 */

#ifndef MPRUN_H
#define MPRUN_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define MPRUN_VERSION	"0.1.0"

/* Bumped whenever a frame's layout or meaning changes. */
#define PROTO_VERSION	3

/* Exit statuses, as the man page's EXIT STATUS lists them. */
enum mprun_exit {
	MPRUN_EXIT_OK = 0,
	MPRUN_EXIT_MAXCOUNT = 100,	/* 1..100: that many tasks failed */
	MPRUN_EXIT_MANY = 101,		/* more than 100 tasks failed */
	MPRUN_EXIT_ERROR = 255		/* usage or internal error */
};

/* The output streams of a task, as carried in OUT frames. */
#define STREAM_STDOUT	1
#define STREAM_STDERR	2

/* Output modes. */
enum output_mode {
	OUTPUT_GROUP,		/* default: a task's output as one unit */
	OUTPUT_LINE,		/* --line-buffer: whole lines, as they come */
	OUTPUT_UNGROUP		/* --ungroup: bytes as they come */
};

/* --halt. */
enum halt_when {
	HALT_NEVER,
	HALT_SOON,		/* start nothing new, let running tasks end */
	HALT_NOW		/* stop the running tasks too */
};
enum halt_why {
	HALT_FAIL,
	HALT_SUCCESS,
	HALT_DONE
};

/* One termseq step: send signal, then wait ms before the next step. */
struct termstep {
	int		sig;
	unsigned	ms;
};
#define TERMSEQ_MAX	16
/*
 * What a task or a --worker left in its process group once it is gone
 * has TERMSEQ_SWEEP_GRACE_MS to leave the group (setsid: a daemon on its
 * way out) before it gets the termseq; the group is looked at every
 * TERMSEQ_SWEEP_POLL_MS meanwhile, as nothing says when a process leaves.
 */
#define TERMSEQ_SWEEP_GRACE_MS	500
#define TERMSEQ_SWEEP_POLL_MS	10

/*
 * Where one run of the termseq is (termseq.c).  Embedded by whoever runs
 * it; zeroed, it is not started.
 */
struct termseq {
	struct termstep	 steps[TERMSEQ_MAX];
	int		 n;
	int		 next;		/* the step to send next */
	int		 started;
	int		 over;		/* nothing more is sent */
};
enum termseq_act {
	TERMSEQ_SIGNAL,		/* send the step's signal, SIGCONT, wait */
	TERMSEQ_KILL,		/* steps spent, something left: SIGKILL */
	TERMSEQ_OVER		/* nothing to do, now or later */
};

/* Every setting of a run, filled in by options_parse(). */
struct options {
	unsigned	 jobs;		/* pool size, >= 1 */
	int		 jobs_explicit;	/* -j given (beats a make jobserver) */
	unsigned	 chunksize;	/* 0: adaptive */
	unsigned	 maxtasks;	/* --maxtasksperchild, 0: unlimited */
	const char	*init;		/* --init CMD or NULL */
	const char	*worker;	/* --worker CMD or NULL */
	const char	*worker_eot;	/* --worker-eot STR or NULL */
	int		 worker_json;	/* --worker-protocol json */
	const char	*launcher;	/* --launcher CMD or NULL */
	const char	*ssh;		/* --ssh CMD or NULL */
	const char	*remote_mprun;	/* --remote-mprun PATH or NULL */
	char		**sshlogins;	/* -S lists, in order */
	int		 nsshlogins;
	char		**sshloginfiles;	/* --sshloginfile FILEs */
	int		 nsshloginfiles;

	char		 delim;		/* record separator */
	const char	*colsep;	/* --colsep SEP or NULL */
	unsigned	 maxargs;	/* -n/-N: records per command line */
	int		 bind_args;	/* -N: {1}..{N} name records */
	const char	*replace;	/* -I STR, default "{}" */
	int		 quote_cmd;	/* -q */

	enum output_mode output;
	int		 ordered;	/* 0 with --unordered */
	int		 keep_order;	/* -k given explicitly */
	int		 tag;		/* --tag */
	const char	*tagstring;	/* --tagstring STR or NULL */

	int		 verbose;	/* -v count */

	struct termstep	 termseq[TERMSEQ_MAX];
	int		 ntermseq;

	const char	*joblog;	/* --joblog FILE or NULL */
	int		 joblog_append;	/* +FILE */
	int		 resume;	/* 1 --resume, 2 --resume-failed */
	unsigned	 retries;	/* attempts in all, >= 1 */
	uint64_t	 timeout_ms;	/* 0: none */
	unsigned	 timeout_pct;	/* N% of the median runtime */
	enum halt_when	 halt_when;
	enum halt_why	 halt_why;
	uint64_t	 halt_count;
	unsigned	 halt_pct;	/* X%, instead of halt_count */
	int		 dry_run;
	int		 json;
	const char	*junit;		/* --junit FILE or NULL */
	int		 progress;	/* enum progress_kind */
	int		 progress_force;
	uint64_t	 delay_ms;
	uint64_t	 memfree;	/* bytes, 0: none */
	int		 nice;

	char		**cmd;		/* the command template words */
	int		 ncmd;

	struct source	*sources;	/* input sources, in order */
	int		 nsources;
};

/* An input source: :::, ::::, -a, or stdin. */
enum source_kind {
	SOURCE_ARGS,		/* ::: values */
	SOURCE_FILE		/* ::::, -a FILE; "-" is stdin */
};
struct source {
	enum source_kind kind;
	int		 linked;	/* :::+ / ::::+ : zip with the previous */
	char		**values;	/* SOURCE_ARGS */
	int		 nvalues;
	const char	*path;		/* SOURCE_FILE */
};

/*
 * The arguments of one task.  v[] are the values {1}..{n} name: one per
 * input source, or one per column with --colsep, or one per record with
 * -n/-N.  whole[] are what {} joins: the unsplit value of each source (or
 * each record with -n/-N).  Both point into one allocation owned by the
 * task.  A value may hold any byte but its separator, a NUL included: its
 * length is vlen[i] or wlen[i], and a NUL follows it only for convenience.
 */
struct args {
	char		**v;
	size_t		 *vlen;
	int		  n;
	char		**whole;
	size_t		 *wlen;
	int		  nwhole;
};

/* fdio.c */
int		 fdio_write(int, const void *, size_t);

/* nbio.c */
#define NBIO_READ	0
#define NBIO_WRITE	1
struct iovec;
struct nbio;
int		 nbio_fds(int, int, int);
struct nbio	*nbio_new(uv_loop_t *, int, int, int);
ssize_t		 nbio_read(struct nbio *, void *, size_t);
ssize_t		 nbio_writev(struct nbio *, const struct iovec *, int);
int		 nbio_wait(struct nbio *, void (*)(void *), void *);
void		 nbio_free(struct nbio *);

/* xmalloc.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
char		*xmemdup(const void *, size_t);
int		 xasprintf(char **, const char *, ...)
		     __attribute__((format(printf, 2, 3)));

/* buf.c */
/*
 * A growable byte buffer.  Data lives in data[off, off + len): consuming
 * from the front only moves off, and buf_compact() reclaims the space.
 */
struct buf {
	char		*data;
	size_t		 off;
	size_t		 len;
	size_t		 size;
};
void		 buf_init(struct buf *);
void		 buf_free(struct buf *);
void		 buf_reset(struct buf *);
void		*buf_reserve(struct buf *, size_t);
void		 buf_commit(struct buf *, size_t);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_addc(struct buf *, char);
void		 buf_adds(struct buf *, const char *);
void		 buf_consume(struct buf *, size_t);
void		 buf_compact(struct buf *);
char		*buf_take(struct buf *, size_t *);
#define BUF_PTR(b)	((b)->data + (b)->off)

/* log.c */
void		 log_set_verbose(int);
void		 log_set_fatal_hook(void (*)(void));
void		 log_exit_how(char *, size_t, int64_t, int);
void		 log_debug(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_warn(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_warnx(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void die(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void diex(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatal(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
		     __attribute__((format(printf, 1, 2)));

/* strnum.c */
long long	 strnum(const char *, long long, long long, const char **);
int		 strnum_duration(const char *, uint64_t *, const char **);
int		 strnum_termseq(const char *, struct termstep *, int *,
		     const char **);
int		 strnum_size(const char *, uint64_t *, const char **);
void		 strnum_seconds(char *, size_t, int64_t);

/* termseq.c */
void		 termseq_default(struct termstep *, int *);
uint64_t	 termseq_total_ms(const struct termstep *, int);
void		 termseq_start(struct termseq *, const struct termstep *, int);
int		 termseq_started(const struct termseq *);
int		 termseq_over(const struct termseq *);
void		 termseq_end(struct termseq *);
enum termseq_act termseq_next(struct termseq *, int, struct termstep *);

/* words.c */
char		**words_split(const char *, int *, const char **);

/* ncpu.c */
int		 ncpu_parse_cpumax(const char *, unsigned *);
int		 ncpu_parse_cfs(const char *, const char *, unsigned *);
unsigned	 ncpu_available(void);

/* limits.c */
void		 limits_fds(struct options *, int);
unsigned	 limits_lower(unsigned, int);
int		 limits_unsettled(void);
void		 limits_settled(void);
void		 limits_report(void);

/* options.c */
void		 options_parse(struct options *, int, char **);
__attribute__((noreturn)) void usage(void);
__attribute__((noreturn)) void usage_error(const char *, ...)
		     __attribute__((format(printf, 1, 2)));

/* template.c */
#define TEMPLATE_EXEC	0	/* argv words, run with execvp */
#define TEMPLATE_SHELL	1	/* one command string, run with /bin/sh -c */
#define TEMPLATE_NUL	(-1)	/* a value holds a NUL: it cannot be run */
struct template;
struct template	*template_new(char **, int, const char *, int);
void		 template_free(struct template *);
int		 template_has_replacement(const struct template *);
int		 template_expand(const struct template *, const struct args *,
		     uint64_t, unsigned, struct buf *, int *, struct buf *);
void		 template_expand_raw(const struct template *,
		     const struct args *, uint64_t, unsigned, struct buf *);
void		 template_quote(struct buf *, const char *, size_t);

/* input.c */
extern int	 mprun_closed[3];
struct input;
const char	*input_split(const char *, size_t, char, int, size_t *,
		     size_t *);
int		 input_fds(const struct options *);
struct input	*input_new(const struct options *, uv_loop_t *,
		     void (*)(void *), void *);
void		 input_free(struct input *);
int		 input_next(struct input *, struct args **);
int		 input_total(const struct input *, uint64_t *);
void		 input_args_free(struct args *);

/* chunk.c */
unsigned	 chunk_size(unsigned, unsigned, double, unsigned);

/* reorder.c */
struct reorder;
struct reorder	*reorder_new(uint64_t);
void		 reorder_free(struct reorder *);
void		 reorder_put(struct reorder *, uint64_t, void *);
void		*reorder_get(const struct reorder *, uint64_t);
void		*reorder_remove(struct reorder *, uint64_t);
uint64_t	 reorder_head(const struct reorder *);
void		*reorder_peek(const struct reorder *);
void		*reorder_pop(struct reorder *);
size_t		 reorder_count(const struct reorder *);

/* proto.c */
/*
 * Frame layout, little-endian: u32 payload length, u8 type, 3 zero bytes,
 * u64 sequence number, then the payload.
 */
#define PROTO_HDRLEN	16
#define PROTO_MAXLEN	(16U * 1024 * 1024)
enum proto_type {
	PROTO_HELLO = 1,	/* both ways: JSON settings / worker facts */
	PROTO_TASKS,		/* parent -> worker: a chunk of tasks */
	PROTO_START,		/* worker -> parent: task seq started, pid */
	PROTO_OUT,		/* worker -> parent: u8 stream, then bytes */
	PROTO_DONE,		/* worker -> parent: task seq finished */
	PROTO_RETIRE,		/* worker -> parent: quota reached, exiting */
	PROTO_STOP,		/* parent -> worker: termseq, drop queue, exit */
	PROTO_KILL,		/* parent -> worker: termseq task seq */
	PROTO_SIGNAL,		/* parent -> worker: u32 signal to the task */
	PROTO_AGAIN,		/* worker -> parent: task seq (0: --init) not
				   started, no process to be had; exiting */
	PROTO_NOP		/* both ways, through a relay: "\n", ignored */
};
struct proto_frame {
	int		 type;
	uint64_t	 seq;
	const char	*payload;
	uint32_t	 len;
};
/*
 * One task of a TASKS frame; argv[] point into the frame's payload, where
 * the argc strings take argslen bytes from argv[0] on.  A TEMPLATE_SHELL
 * task has exactly one string, the command line.
 */
struct proto_task {
	uint64_t	 seq;
	int		 mode;		/* TEMPLATE_EXEC or TEMPLATE_SHELL */
	int		 argc;
	char		**argv;		/* argc entries + NULL, caller frees */
	size_t		 argslen;
};
struct proto_done {
	int		 status;	/* exit code, or -1 when signalled */
	int		 sig;		/* terminating signal or 0 */
	int64_t		 start_us;	/* start, microseconds since epoch */
	int64_t		 runtime_us;
};
ssize_t		 proto_decode(const char *, size_t, struct proto_frame *,
		     const char **);
void		 proto_put(struct buf *, int, uint64_t, const void *,
		     uint32_t);
void		 proto_end_line(struct buf *);
size_t		 proto_begin(struct buf *, int, uint64_t);
void		 proto_end(struct buf *, size_t);
void		 proto_put_task(struct buf *, uint64_t, int, const char *,
		     size_t, int);
int		 proto_next_task(const struct proto_frame *, size_t *,
		     struct proto_task *, const char **);
void		 proto_put_done(struct buf *, uint64_t,
		     const struct proto_done *);
int		 proto_get_done(const struct proto_frame *,
		     struct proto_done *);
void		 proto_put_start(struct buf *, uint64_t, pid_t);
int		 proto_get_start(const struct proto_frame *, pid_t *);
void		 proto_put_out(struct buf *, uint64_t, int, const void *,
		     size_t);
char		*proto_out_reserve(struct buf *, size_t);
void		 proto_out_commit(struct buf *, uint64_t, int, size_t);
void		 proto_put_signal(struct buf *, int);
int		 proto_get_signal(const struct proto_frame *, int *);
int		 proto_get_out(const struct proto_frame *, int *,
		     const char **, size_t *);

/* guard.c */
int		 guard_start(const struct termstep *, int);
void		 guard_add(pid_t);
void		 guard_del(pid_t);

/* json.c */
/* The run's settings a worker needs, sent in the parent's HELLO. */
struct hello {
	int		 version;
	unsigned	 slot;
	unsigned	 maxtasks;
	int		 nice;		/* --nice, 0: leave alone */
	char		*init;		/* --init, {%} expanded, or NULL */
	struct termstep	 termseq[TERMSEQ_MAX];
	int		 ntermseq;
	int		 discard;	/* SPAWN_DISCARD_* */
	int		 merge;		/* stderr down the stdout pipe */
	int		 relay;		/* end each write with a newline */
};
/* What a worker says of itself in its HELLO reply. */
struct hello_reply {
	int		 version;
	pid_t		 pid;
	unsigned	 ncpu;
	char		 node[256];	/* its host name; "": not said */
};
char		*json_hello_encode(const struct hello *);
int		 json_hello_decode(const char *, size_t, struct hello *,
		     const char **);
void		 json_hello_free(struct hello *);
/* One finished task, for --json. */
struct json_task {
	uint64_t	 seq;
	char		**args;		/* the whole[] values */
	const size_t	*arglens;
	int		 nargs;
	const char	*cmd;		/* the command line */
	size_t		 cmdlen;
	int		 exit;		/* -1 when signalled or timed out */
	int		 sig;
	int64_t		 start_us;
	int64_t		 runtime_us;
	unsigned	 slot;
	const char	*out;
	size_t		 outlen;
	const char	*err;
	size_t		 errlen;
};
char		*json_task_encode(const struct json_task *, size_t *);
char		*json_reply_encode(const struct hello_reply *);
char		*json_wtask_encode(uint64_t, char **, const size_t *, int);
int		 json_wresult_decode(const char *, size_t, uint64_t *, int *,
		     char **, size_t *, const char **);
int		 json_reply_decode(const char *, size_t, struct hello_reply *,
		     const char **);

/* joblog.c */
/* One --joblog row. */
struct joblog_row {
	uint64_t	 seq;
	int64_t		 start_us;	/* epoch microseconds */
	int64_t		 runtime_us;
	int		 exitval;	/* GNU's: 0 if signalled, -1 timed out */
	int		 sig;
	const char	*cmd;
	size_t		 cmdlen;
	const char	*host;		/* NULL: ":" */
};
struct joblog;
struct seqset;
void		 joblog_format(struct buf *, const struct joblog_row *);
int		 joblog_parse_row(const char *, size_t, uint64_t *, int *,
		     int *);
struct joblog	*joblog_open(const char *, int);
int		 joblog_write(struct joblog *, const struct joblog_row *);
void		 joblog_close(struct joblog *);
const char	*joblog_path(const struct joblog *);
struct seqset	*joblog_resume(const char *, int);
int		 seqset_has(const struct seqset *, uint64_t);
void		 seqset_free(struct seqset *);

/* progress.c */
enum progress_kind {
	PROGRESS_NONE,
	PROGRESS_PROGRESS,	/* --progress */
	PROGRESS_ETA,		/* --eta */
	PROGRESS_BAR		/* --bar */
};
struct progress_stats {
	uint64_t	 done;		/* finished, failed included */
	uint64_t	 failed;
	uint64_t	 running;
	uint64_t	 queued;
	uint64_t	 total;		/* 0 when unknown */
	double		 elapsed;	/* seconds since the run started */
};
void		 progress_format(struct buf *, enum progress_kind,
		     const struct progress_stats *, unsigned);
int		 progress_start(uv_loop_t *, enum progress_kind, int,
		     void (*)(struct progress_stats *));
void		 progress_stop(void);

/* worker.c */
int		 worker_main(int, char **);
void		 worker_set_ncpu(unsigned);

/* spawn.c */
#define SPAWN_CAPTURE	0	/* stdout and stderr on new pipes (or one) */
#define SPAWN_STDERR	1	/* stdout and stderr on our fd 2 (--init) */
/* Streams whose output nobody reads: the task gets /dev/null, no pipe. */
#define SPAWN_DISCARD_OUT 0x1
#define SPAWN_DISCARD_ERR 0x2
/* spawn_start(): no process could be had (EAGAIN); nothing ran. */
#define SPAWN_AGAIN	(-1)
/* A process spawn_start() started; it leads its own process group. */
struct spawn {
	pid_t		 pid;
	int		 out;		/* read end of its stdout pipe, or -1 */
	int		 err;		/* read end of its stderr pipe, or -1 */
};
int		 spawn_init(void);
void		 spawn_free(void);
int		 spawn_start(struct spawn *, int, char **, int, struct buf *);
int		 spawn_check(uint64_t, int, const char *, size_t, int, char *,
		     size_t);
void		 spawn_set_discard(int);
void		 spawn_set_merge(int);

/* Everything below runs in the parent, on its one loop. */

#include <sys/queue.h>

/* A piece of a task's output held back until the task's turn. */
struct seg {
	int		 stream;
	int		 spilled;	/* in the spill file at off */
	off_t		 off;
	char		*data;
	size_t		 len;
	size_t		 size;
	struct seg	*next;
};

/* A task in the parent, from being read to being emitted. */
enum job_state {
	JOB_QUEUED,		/* read, waiting for a worker */
	JOB_SENT,		/* in a worker's chunk, not started */
	JOB_RUNNING,		/* START received */
	JOB_DONE		/* DONE received (or failed or skipped) */
};
struct job {
	uint64_t		 seq;
	enum job_state		 state;
	int			 skip;		/* never ran: nothing to emit */
	struct args		*args;
	struct worker		*worker;
	unsigned		 slot;
	const char		*where;		/* its host, once started */
	pid_t			 pid;
	struct proto_done	 done;
	char			*tag;		/* line prefix, or NULL */
	size_t			 taglen;
	char			*cmd;		/* command line, when needed */
	size_t			 cmdlen;
	unsigned		 attempts;	/* runs so far (--retries) */
	unsigned		 unanswered;	/* --workers that left it */
	uint64_t		 timeout_ms;	/* this run's --timeout */
	int			 timed_out;
	int			 bol[3];	/* at the start of a line */
	struct seg		*segs;		/* held-back output */
	struct seg		**segtail;
	int			 waiting;	/* on the unordered wait list */
	int			 lost;		/* held output lost: emit none */
	struct report_row	*row;		/* its joblog row, once final */
	TAILQ_ENTRY(job)	 entry;		/* run queue, worker or wait */
};
TAILQ_HEAD(jobs, job);

/* A worker process and the pipes to it. */
enum worker_state {
	WORKER_ACTIVE,		/* takes tasks */
	WORKER_RETIRING,	/* quota reached or being shut down */
	WORKER_GONE		/* exited or lost; handles closing */
};
struct worker {
	unsigned		 slot;
	pid_t			 pid;
	enum worker_state	 state;
	uv_process_t		 proc;
	uv_pipe_t		 to;		/* frames to the worker */
	uv_pipe_t		 from;		/* frames from the worker */
	uv_timer_t		 timer;		/* --timeout of its task */
	struct termseq		 stuck;		/* its transport, ended */
	int			 open_handles;
	int			 forked;	/* by the zygote */
	struct host		*host;		/* NULL: this machine */
	const char		*node;		/* --launcher: where it runs */
	int			 exited;
	int64_t			 exit_status;
	int			 term_signal;
	int			 eof;
	int			 hello;		/* its HELLO reply arrived */
	int			 stopped;	/* STOP sent */
	int			 draining;	/* pool lowered: exits when idle */
	int			 alone;		/* no other worker when it started */
	int			 closing_to;
	int			 reading;
	struct buf		 rbuf;
	struct buf		 wbuf;		/* frames not yet written */
	struct buf		 wbusy;		/* frames being written */
	uv_write_t		 wreq;
	int			 writing;
	struct jobs		 jobs;		/* sent, not done, in order */
	unsigned		 njobs;
	unsigned		 sent;		/* tasks sent in its life */
	unsigned		 ndone;
	TAILQ_ENTRY(worker)	 entry;
};

/* output.c */
void		 output_init(uv_loop_t *, void (*)(int), void (*)(void));
uint64_t	 output_mark(void);
uint64_t	 output_written(void);
int		 output_fds(void);
void		 output_free(void);
void		 output_write(int, const char *, size_t);
void		 output_write_file(int, int, off_t, size_t);
void		 output_discard(void);
int		 output_flushed(void);
int		 output_is_null(int);
int		 output_same_file(void);
void		 output_spill_dir(const char *);

/* pool.c */
void		 pool_init(uv_loop_t *, const struct options *);
struct worker	*pool_spawn(unsigned);
void		 pool_flush(struct worker *);
void		 pool_retire(struct worker *);
void		 pool_noproc(struct worker *);
void		 pool_pause(int);
void		 pool_stop_all(void);
void		 pool_kill_all(void);
void		 pool_close_idle(void);
void		 pool_deadline(struct worker *);
void		 pool_timer_start(struct worker *, uint64_t);
void		 pool_timer_stop(struct worker *);
void		 pool_signal_all(int);
struct worker	*pool_slot(unsigned);
unsigned	 pool_count(void);
void		 pool_free(void);

/* remote.c */
struct host;
void		 remote_init(struct options *);
int		 remote_active(void);
unsigned	 remote_local_slots(const struct options *);
struct host	*remote_slot_host(unsigned);
const char	*remote_slot_name(unsigned);
const char	*remote_worker_name(const struct worker *);
void		 remote_worker_node(struct worker *, const char *);
char		**remote_host_argv(const struct host *);
char		**remote_env(void);
int		 remote_host_usable(const struct host *);
int		 remote_host_result(struct host *, int, int);
void		 remote_free(void);

/* zygote.c */
int		 zygote_start(unsigned, unsigned);
int		 zygote_active(void);
int		 zygote_event_fd(void);
pid_t		 zygote_spawn(int, int);
int		 zygote_event(pid_t *, int *);
void		 zygote_nospare(void);
void		 zygote_retire(void);
int		 zygote_retired(void);
void		 zygote_close(void);

/* jobserver.c */
enum jobserver_form {
	JOBSERVER_NONE,		/* no jobserver in MAKEFLAGS */
	JOBSERVER_FIFO,		/* --jobserver-auth=fifo:PATH */
	JOBSERVER_FDS		/* --jobserver-auth=R,W, --jobserver-fds=R,W */
};
/* What MAKEFLAGS says of the jobserver. */
struct jobserver_auth {
	enum jobserver_form	 form;
	char			*path;	/* JOBSERVER_FIFO; caller frees */
	int			 rfd;	/* JOBSERVER_FDS; negative: disabled */
	int			 wfd;
};
int		 jobserver_parse(const char *, struct jobserver_auth *,
		     const char **);
char		*jobserver_strip(const char *);
int		 jobserver_task_fds(int *, int *);
void		 jobserver_init(const struct options *);
void		 jobserver_start(uv_loop_t *, void (*)(void));
int		 jobserver_active(void);
int		 jobserver_take(uint64_t);
void		 jobserver_sync(uint64_t);
void		 jobserver_release_all(void);
void		 jobserver_free(void);

/* dispatch.c */
void		 dispatch_init(uv_loop_t *, const struct options *);
void		 dispatch_free(void);
void		 dispatch_pump(void);
void		 dispatch_requeue(struct job *);
void		 dispatch_started(uint64_t);
void		 dispatch_started_now(void);
int		 dispatch_gate(void);
void		 dispatch_stop(int);
uint64_t	 dispatch_queued(void);
int		 dispatch_total(uint64_t *);
void		 dispatch_task_time(int64_t);
int		 dispatch_stopping(void);
int		 dispatch_busy(void);
struct job	*dispatch_next(unsigned);

/* pworker.c */
void		 pworker_init(uv_loop_t *, const struct options *);
void		 pworker_free(void);
unsigned	 pworker_count(void);
uint64_t	 pworker_running(void);
void		 pworker_pump(int);
void		 pworker_close_idle(void);
void		 pworker_input_done(void);
void		 pworker_stop_all(void);
void		 pworker_kill_all(void);
void		 pworker_signal_all(int);
void		 pworker_pause(int);

/* collect.c */
uint64_t	 collect_timeout_ms(void);
void		 collect_init(const struct options *);
void		 collect_free(void);
void		 collect_add(struct job *);
int		 collect_frame(struct worker *, const struct proto_frame *);
void		 collect_worker_gone(struct worker *);
void		 collect_skip(struct job *);
void		 collect_fail(struct job *, int, const char *);
void		 collect_result(struct job *, const char *, size_t, int);
int		 collect_idle(void);
void		 collect_timeout(struct worker *);
uint64_t	 collect_window(void);

/* report.c */
struct report_row;
void		 report_init(const struct options *);
int		 report_close(void);
void		 report_free(void);
void		 report_written(void);
int		 report_halted(void);
void		 report_stats(struct progress_stats *);
uint64_t	 report_failed(void);
void		 report_start(void);
void		 report_stop(void);
void		 report_stderr(const struct job *, const char *, size_t);
void		 report_retry(const struct job *);
void		 report_done(struct job *, int);
void		 report_settled(void);
void		 report_queued(struct job *);
void		 report_json(const struct job *, const struct buf *,
		     const struct buf *);

/* junit.c */
#define JUNIT_TAIL_MAX	4096	/* bytes of stderr a failure shows */
#define JUNIT_NAME_MAX	4096	/* bytes of a testcase name */
/* The last JUNIT_TAIL_MAX bytes of a task's stderr. */
struct junit_tail {
	char		 data[JUNIT_TAIL_MAX];
	size_t		 len;
	int		 cut;		/* earlier bytes were dropped */
};
/* A finished task, as its <testcase> tells it. */
struct junit_case {
	const char	*name;
	size_t		 namelen;
	int64_t		 runtime_us;
	int		 status;	/* exit code, -1: signalled or lost */
	int		 sig;
	int		 timed_out;
	uint64_t	 timeout_ms;	/* the --timeout it ran past */
	const char	*tail;		/* stderr tail */
	size_t		 taillen;
};
/* What junit_format_case() made of a case. */
#define JUNIT_PASS	0
#define JUNIT_FAILURE	1
#define JUNIT_ERROR	2
void		 junit_escape(struct buf *, const char *, size_t, int);
void		 junit_tail_add(struct junit_tail *, const char *, size_t);
const char	*junit_tail_text(const struct junit_tail *, size_t *);
int		 junit_format_case(struct buf *, const struct junit_case *);
void		 junit_format_head(struct buf *, uint64_t, uint64_t,
		     uint64_t, int64_t, const char *);
void		 junit_open(const struct options *);
void		 junit_stderr(uint64_t, const char *, size_t);
void		 junit_retry(uint64_t);
void		 junit_record(const struct job *);
int		 junit_close(void);

/* signal.c */
void		 signal_init(uv_loop_t *);
void		 signal_close(void);

/* main.c */
extern struct options	 opts;
/* mprun_drain(MPRUN_STATUS_COUNT): exit by the failure count. */
#define MPRUN_STATUS_COUNT	1000
void		 mprun_shutdown(int);
void		 mprun_drain(int);
void		 mprun_fail(void);

#endif /* MPRUN_H */
