/*
 * progress.c - the --progress, --eta and --bar line on stderr.  A timer on
 * the parent's loop fires every 100 ms, asks the caller for the run's
 * counters (the statsfn given to progress_start()), formats them with
 * progress_format() and redraws the line in place with one write(2):
 * "\r", the text, then "erase to the end of the line".  The timer is
 * unreferenced, so the line never keeps the loop alive, and
 * progress_stop() erases it at the end.  progress_format() is pure so
 * the unit tests can check the text.
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mprun.h"

/* How often the line is redrawn, in milliseconds. */
#define PROGRESS_INTERVAL	100

/* The fewest cells a --bar bar has, however narrow the terminal. */
#define PROGRESS_MINBAR		10

/* The line's state: one per process, like the terminal it draws on. */
static struct {
	int		 started;
	int		 used;		/* the timer handle was initialized */
	enum progress_kind kind;
	void		(*statsfn)(struct progress_stats *);
	uv_timer_t	 timer;
	struct buf	 line;
} progress;

static void	 progress_eta(char *, size_t, double);
static void	 progress_counts(struct buf *, enum progress_kind,
		     const struct progress_stats *);
static unsigned	 progress_width(void);
static void	 progress_put(const char *, size_t);
static void	 progress_timer_cb(uv_timer_t *);

/* Formats a remaining time: "45s", "1m23s", "2h05m". */
static void
progress_eta(char *text, size_t size, double t)
{
	unsigned long long	 s;

	/* A huge or bogus estimate is shown as the most we can print. */
	if (!(t >= 0))
		t = 0;
	if (t > 1e12)
		t = 1e12;
	s = (unsigned long long)(t + 0.5);
	if (s < 60)
		snprintf(text, size, "%llus", s);
	else if (s < 3600)
		snprintf(text, size, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(text, size, "%lluh%02llum", s / 3600, s / 60 % 60);
}

/*
 * Appends the counters line of --progress and --eta (and of --bar when
 * the total is unknown): "mprun: D done, F failed, R running, Q queued,
 * X.Y/s", and for --eta ", ETA t" when it can be estimated.
 */
static void
progress_counts(struct buf *b, enum progress_kind kind,
    const struct progress_stats *st)
{
	char	 text[256], eta[32];
	double	 rate = 0;

	if (st->elapsed > 0)
		rate = (double)st->done / st->elapsed;
	snprintf(text, sizeof text, "mprun: %llu done, %llu failed, "
	    "%llu running, %llu queued, %.1f/s",
	    (unsigned long long)st->done, (unsigned long long)st->failed,
	    (unsigned long long)st->running, (unsigned long long)st->queued,
	    rate);
	buf_adds(b, text);
	if (kind == PROGRESS_ETA && st->total != 0 && st->done > 0) {
		progress_eta(eta, sizeof eta, (double)(st->total > st->done ?
		    st->total - st->done : 0) * st->elapsed /
		    (double)st->done);
		buf_adds(b, ", ETA ");
		buf_adds(b, eta);
	}
}

/*
 * Appends the progress line for kind, without "\r" or escape codes.  With
 * --bar and a known total it is "[####......] 45% D/T, F failed, ETA t",
 * the bar taking what width leaves (at least ten cells).
 */
void
progress_format(struct buf *b, enum progress_kind kind,
    const struct progress_stats *st, unsigned width)
{
	char		 rest[256], eta[32];
	uint64_t	 done;
	size_t		 restlen, cells, filled, i;
	unsigned	 pct;

	if (kind == PROGRESS_NONE)
		return;
	if (kind != PROGRESS_BAR || st->total == 0) {
		progress_counts(b, kind, st);
		return;
	}

	done = st->done < st->total ? st->done : st->total;
	/* Exact for any count: done * 100 could overflow, the double not. */
	pct = (unsigned)((double)done * 100 / (double)st->total);
	if (done < st->total && pct > 99)
		pct = 99;
	snprintf(rest, sizeof rest, "%u%% %llu/%llu, %llu failed", pct,
	    (unsigned long long)st->done, (unsigned long long)st->total,
	    (unsigned long long)st->failed);
	if (st->done > 0) {
		progress_eta(eta, sizeof eta, (double)(st->total - done) *
		    st->elapsed / (double)st->done);
		restlen = strlen(rest);
		snprintf(rest + restlen, sizeof rest - restlen, ", ETA %s",
		    eta);
	}
	restlen = strlen(rest);

	/* "[", the bar, "] ", then the rest: the whole fits width. */
	if (width > restlen + 3 + PROGRESS_MINBAR)
		cells = width - restlen - 3;
	else
		cells = PROGRESS_MINBAR;
	filled = (size_t)((double)done * (double)cells / (double)st->total);
	if (done < st->total && filled == cells)
		filled--;
	buf_addc(b, '[');
	for (i = 0; i < cells; i++)
		buf_addc(b, i < filled ? '#' : '.');
	buf_add(b, "] ", 2);
	buf_add(b, rest, restlen);
}

/* Returns stderr's width in columns, or 80 when it is unknown. */
static unsigned
progress_width(void)
{
	struct winsize	 ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == -1 || ws.ws_col == 0)
		return (80);
	return (ws.ws_col);
}

/*
 * Writes len bytes to stderr in one write(2) when it can.  A line that
 * cannot be written now (EAGAIN on a non-blocking terminal someone else
 * set up, or an error) is dropped: the next tick draws a fresh one.
 */
static void
progress_put(const char *p, size_t len)
{
	ssize_t	 w;

	while (len > 0) {
		w = write(STDERR_FILENO, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

/* Redraws the line with fresh counters. */
static void
progress_timer_cb(uv_timer_t *timer)
{
	struct progress_stats	 st;
	unsigned		 width;

	memset(&st, 0, sizeof st);
	progress.statsfn(&st);
	/*
	 * One column short of the terminal: a line that ends in its last
	 * column leaves the cursor pending a wrap, and "\033[K" there
	 * erases the last character on many terminals.
	 */
	width = progress_width();
	if (width > 1)
		width--;
	buf_reset(&progress.line);
	buf_addc(&progress.line, '\r');
	progress_format(&progress.line, progress.kind, &st, width);
	buf_adds(&progress.line, "\033[K");
	progress_put(BUF_PTR(&progress.line), progress.line.len);
}

/*
 * Starts redrawing the progress line every 100 ms, when kind asks for one
 * and stderr is a terminal or force is set.  Returns 0 (also when there
 * is nothing to do) or a libuv error code.
 */
int
progress_start(uv_loop_t *loop, enum progress_kind kind, int force,
    void (*statsfn)(struct progress_stats *))
{
	int	 error;

	/* Once only: a closed timer may still be closing on the loop. */
	if (kind == PROGRESS_NONE || progress.used)
		return (0);
	if (!force && !isatty(STDERR_FILENO))
		return (0);
	if ((error = uv_timer_init(loop, &progress.timer)) != 0)
		return (error);
	progress.used = 1;
	progress.kind = kind;
	progress.statsfn = statsfn;
	buf_init(&progress.line);
	if ((error = uv_timer_start(&progress.timer, progress_timer_cb,
	    PROGRESS_INTERVAL, PROGRESS_INTERVAL)) != 0) {
		uv_close((uv_handle_t *)&progress.timer, NULL);
		return (error);
	}
	uv_unref((uv_handle_t *)&progress.timer);
	progress.started = 1;
	return (0);
}

/* Stops the timer, closes it and erases the line; idempotent. */
void
progress_stop(void)
{
	if (!progress.started)
		return;
	progress.started = 0;
	/* Closing a timer stops it. */
	uv_close((uv_handle_t *)&progress.timer, NULL);
	buf_free(&progress.line);
	progress_put("\r\033[K", 4);
}
