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

#define MPRUN_VERSION	"0.1.0"

/* Bumped whenever a frame's layout or meaning changes. */
#define PROTO_VERSION	1

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

/* One termseq step: send signal, then wait ms before the next step. */
struct termstep {
	int		sig;
	unsigned	ms;
};
#define TERMSEQ_MAX	16

/* Every setting of a run, filled in by options_parse(). */
struct options {
	unsigned	 jobs;		/* pool size, >= 1 */
	unsigned	 chunksize;	/* 0: adaptive */
	unsigned	 maxtasks;	/* --maxtasksperchild, 0: unlimited */
	const char	*init;		/* --init CMD or NULL */

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
 * task.
 */
struct args {
	char		**v;
	int		  n;
	char		**whole;
	int		  nwhole;
};

/* xmalloc.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
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
int		 log_get_verbose(void);
void		 log_set_fatal_hook(void (*)(void));
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

/* ncpu.c */
int		 ncpu_parse_cpumax(const char *, unsigned *);
int		 ncpu_parse_cfs(const char *, const char *, unsigned *);
unsigned	 ncpu_available(void);

/* options.c */
void		 options_parse(struct options *, int, char **);
__attribute__((noreturn)) void usage(void);
__attribute__((noreturn)) void usage_error(const char *, ...)
		     __attribute__((format(printf, 1, 2)));

/* template.c */
#define TEMPLATE_EXEC	0	/* argv words, run with execvp */
#define TEMPLATE_SHELL	1	/* one command string, run with /bin/sh -c */
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
struct input;
const char	*input_split(const char *, size_t, char, int, size_t *,
		     size_t *);
struct input	*input_new(const struct options *);
void		 input_free(struct input *);
int		 input_next(struct input *, struct args **);
int		 input_total(const struct input *, uint64_t *);
void		 input_args_free(struct args *);

/* chunk.c */
unsigned	 chunk_size(unsigned, unsigned, unsigned, unsigned);

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
	PROTO_STOP		/* parent -> worker: termseq, drop queue, exit */
};
struct proto_frame {
	int		 type;
	uint64_t	 seq;
	const char	*payload;
	uint32_t	 len;
};
/* One task of a TASKS frame; argv[] point into the frame's payload. */
struct proto_task {
	uint64_t	 seq;
	int		 mode;		/* TEMPLATE_EXEC or TEMPLATE_SHELL */
	int		 argc;
	char		**argv;		/* argc entries + NULL, caller frees */
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

/* json.c */
/* The run's settings a worker needs, sent in the parent's HELLO. */
struct hello {
	int		 version;
	unsigned	 slot;
	unsigned	 maxtasks;
	char		*init;		/* --init, {%} expanded, or NULL */
	struct termstep	 termseq[TERMSEQ_MAX];
	int		 ntermseq;
};
/* What a worker says of itself in its HELLO reply. */
struct hello_reply {
	int		 version;
	pid_t		 pid;
	unsigned	 ncpu;
};
char		*json_hello_encode(const struct hello *);
int		 json_hello_decode(const char *, size_t, struct hello *,
		     const char **);
void		 json_hello_free(struct hello *);
char		*json_reply_encode(const struct hello_reply *);
int		 json_reply_decode(const char *, size_t, struct hello_reply *,
		     const char **);

/* worker.c */
int		 worker_main(int, char **);

/* spawn.c */
struct spawn;
struct spawn	*spawn_start(int, char **, int, int, const char **);
void		 spawn_free(struct spawn *);

/* output.c */
int		 output_init(void);
void		 output_free(void);
void		 output_write(int, const char *, size_t);
void		 output_write_file(int, int, off_t, size_t);
size_t		 output_pending(void);
int		 output_flushed(void);

/* Everything below runs in the parent, on its one loop. */

/* main.c */
extern struct options	 opts;
void		 mprun_shutdown(int);

#endif /* MPRUN_H */
