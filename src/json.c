/*
 * json.c - the JSON texts of the HELLO frames, and the only module that
 * touches cJSON.  The parent encodes a struct hello (the run's settings a
 * worker needs) and the worker decodes it; the worker answers with a
 * struct hello_reply the same way.  For --json, the parent encodes each
 * finished task as one line (json_task_encode()); bytes that are not
 * UTF-8 text go there as base64 under a "_base64" key, so every line is
 * valid JSON whatever a task printed.  Encoders return a malloc'd string the
 * caller frees; decoders fill in the struct and return 0, or -1 with an
 * error that names the field.  cJSON trees are built and freed here and
 * never leave this file.  cJSON allocates through xmalloc, so it cannot
 * fail half way through building a tree.
 */

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mprun.h"

static void	 json_init(void);
static char	*json_print(cJSON *);
static cJSON	*json_parse(const char *, size_t, const char **);
static int	 json_number(const cJSON *, const char *, long long,
		     long long, long long *, const char **);
static const char *json_error(const char *, const char *);
static int	 json_integral(double, double, double);
static int	 json_utf8(const char *, size_t);
static char	*json_base64(const char *, size_t);
static void	 json_add_bytes(cJSON *, const char *, const char *, size_t);
static void	 json_add_seconds(cJSON *, const char *, int64_t);
static void	 json_add_args(cJSON *, char **, const size_t *, int);

/* Makes cJSON allocate with xmalloc; idempotent. */
static void
json_init(void)
{
	static int	 done;
	cJSON_Hooks	 hooks;

	if (done)
		return;
	hooks.malloc_fn = xmalloc;
	hooks.free_fn = free;
	cJSON_InitHooks(&hooks);
	done = 1;
}

/* Prints a tree compactly and frees it. */
static char *
json_print(cJSON *root)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(root)) == NULL)
		fatalx("json: cannot print");
	cJSON_Delete(root);
	return (s);
}

/* Parses len bytes that must hold exactly one JSON object. */
static cJSON *
json_parse(const char *data, size_t len, const char **errstr)
{
	cJSON		*root;
	const char	*end = NULL;

	json_init();
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (root == NULL) {
		*errstr = "not JSON";
		return (NULL);
	}
	while (end < data + len && strchr(" \t\r\n", *end) != NULL)
		end++;
	if (end != data + len) {
		cJSON_Delete(root);
		*errstr = "not JSON";
		return (NULL);
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		*errstr = "not a JSON object";
		return (NULL);
	}
	return (root);
}

/*
 * Formats an error about a field.  The text lives in a static buffer until
 * the next error.
 */
static const char *
json_error(const char *what, const char *name)
{
	static char	 text[64];

	snprintf(text, sizeof text, "%s field '%s'", what, name);
	return (text);
}

/* Says whether d is a whole number in [min, max] (NaN is not). */
static int
json_integral(double d, double min, double max)
{
	if (!(d >= min && d <= max))
		return (0);
	return (d == (double)(long long)d);
}

/* Gets the required integer member name of obj, in [min, max]. */
static int
json_number(const cJSON *obj, const char *name, long long min,
    long long max, long long *v, const char **errstr)
{
	const cJSON	*item;
	double		 d;

	item = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (item == NULL) {
		*errstr = json_error("missing", name);
		return (-1);
	}
	if (!cJSON_IsNumber(item)) {
		*errstr = json_error("bad", name);
		return (-1);
	}
	d = item->valuedouble;
	if (!json_integral(d, (double)min, (double)max)) {
		*errstr = json_error("bad", name);
		return (-1);
	}
	*v = (long long)d;
	return (0);
}

/* Encodes the parent's HELLO; the caller frees the string. */
char *
json_hello_encode(const struct hello *h)
{
	cJSON	*root, *seq, *step;
	int	 i;

	json_init();
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", h->version);
	cJSON_AddNumberToObject(root, "slot", h->slot);
	cJSON_AddNumberToObject(root, "maxtasks", h->maxtasks);
	if (h->nice != 0)
		cJSON_AddNumberToObject(root, "nice", h->nice);
	if (h->init != NULL)
		cJSON_AddStringToObject(root, "init", h->init);
	if (h->discard != 0)
		cJSON_AddNumberToObject(root, "discard", h->discard);
	if (h->merge != 0)
		cJSON_AddNumberToObject(root, "merge", h->merge);
	if (h->relay != 0)
		cJSON_AddNumberToObject(root, "relay", h->relay);
	seq = cJSON_AddArrayToObject(root, "termseq");
	for (i = 0; i < h->ntermseq; i++) {
		step = cJSON_CreateArray();
		cJSON_AddItemToArray(step,
		    cJSON_CreateNumber(h->termseq[i].sig));
		cJSON_AddItemToArray(step,
		    cJSON_CreateNumber(h->termseq[i].ms));
		cJSON_AddItemToArray(seq, step);
	}
	return (json_print(root));
}

/*
 * Decodes the parent's HELLO into h (free h->init with json_hello_free()).
 * When the version is not PROTO_VERSION, only h->version is filled in and
 * 0 is returned: the caller reports the mismatch, the rest may mean
 * something else.
 */
int
json_hello_decode(const char *data, size_t len, struct hello *h,
    const char **errstr)
{
	cJSON		*root;
	const cJSON	*item, *step, *sig, *ms;
	long long	 v;
	int		 n;

	memset(h, 0, sizeof *h);
	if ((root = json_parse(data, len, errstr)) == NULL)
		return (-1);
	if (json_number(root, "version", 0, INT_MAX, &v, errstr) != 0)
		goto fail;
	h->version = (int)v;
	if (h->version != PROTO_VERSION) {
		cJSON_Delete(root);
		return (0);
	}
	if (json_number(root, "slot", 0, UINT_MAX, &v, errstr) != 0)
		goto fail;
	h->slot = (unsigned)v;
	if (json_number(root, "maxtasks", 0, UINT_MAX, &v, errstr) != 0)
		goto fail;
	h->maxtasks = (unsigned)v;
	/* Optional: absent means leave the priority alone. */
	if (cJSON_GetObjectItemCaseSensitive(root, "nice") != NULL) {
		if (json_number(root, "nice", -20, 19, &v, errstr) != 0)
			goto fail;
		h->nice = (int)v;
	}
	/* Optional: absent means every stream is captured. */
	if (cJSON_GetObjectItemCaseSensitive(root, "discard") != NULL) {
		if (json_number(root, "discard", 0, SPAWN_DISCARD_OUT |
		    SPAWN_DISCARD_ERR, &v, errstr) != 0)
			goto fail;
		h->discard = (int)v;
	}
	/*
	 * Optional: absent means two pipes.  A worker older than this field
	 * ignores it and keeps the streams apart, which loses their
	 * relative order and nothing else.
	 */
	if (cJSON_GetObjectItemCaseSensitive(root, "merge") != NULL) {
		if (json_number(root, "merge", 0, 1, &v, errstr) != 0)
			goto fail;
		h->merge = (int)v;
	}
	/* Optional: absent means the worker's pipes reach the parent. */
	if (cJSON_GetObjectItemCaseSensitive(root, "relay") != NULL) {
		if (json_number(root, "relay", 0, 1, &v, errstr) != 0)
			goto fail;
		h->relay = (int)v;
	}

	item = cJSON_GetObjectItemCaseSensitive(root, "init");
	if (item != NULL && !cJSON_IsNull(item)) {
		if (!cJSON_IsString(item)) {
			*errstr = json_error("bad", "init");
			goto fail;
		}
		h->init = xstrdup(item->valuestring);
	}

	item = cJSON_GetObjectItemCaseSensitive(root, "termseq");
	if (item == NULL) {
		*errstr = json_error("missing", "termseq");
		goto fail;
	}
	if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > TERMSEQ_MAX) {
		*errstr = json_error("bad", "termseq");
		goto fail;
	}
	n = 0;
	cJSON_ArrayForEach(step, item) {
		if (!cJSON_IsArray(step) || cJSON_GetArraySize(step) != 2) {
			*errstr = json_error("bad", "termseq");
			goto fail;
		}
		sig = cJSON_GetArrayItem(step, 0);
		ms = cJSON_GetArrayItem(step, 1);
		if (!cJSON_IsNumber(sig) || !cJSON_IsNumber(ms) ||
		    !json_integral(sig->valuedouble, 1, NSIG - 1) ||
		    !json_integral(ms->valuedouble, 0, UINT_MAX)) {
			*errstr = json_error("bad", "termseq");
			goto fail;
		}
		h->termseq[n].sig = (int)sig->valuedouble;
		h->termseq[n].ms = (unsigned)ms->valuedouble;
		n++;
	}
	h->ntermseq = n;
	cJSON_Delete(root);
	return (0);

fail:
	cJSON_Delete(root);
	json_hello_free(h);
	return (-1);
}

/* Frees what json_hello_decode() allocated. */
void
json_hello_free(struct hello *h)
{
	free(h->init);
	h->init = NULL;
}

/*
 * Says whether len bytes are valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) without a NUL, which a C string and
 * so cJSON could not carry.
 */
static int
json_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	unsigned char		 lo, hi;

	while (i < len) {
		if (p[i] == 0x00)
			return (0);
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* The second byte's range depends on the first (RFC 3629). */
		lo = 0x80;
		hi = 0xbf;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			if (p[i] == 0xe0)
				lo = 0xa0;
			else if (p[i] == 0xed)
				hi = 0x9f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			if (p[i] == 0xf0)
				lo = 0x90;
			else if (p[i] == 0xf4)
				hi = 0x8f;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		if (p[i + 1] < lo || p[i + 1] > hi)
			return (0);
		for (k = 2; k <= n; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return (0);
		}
		i += n + 1;
	}
	return (1);
}

/* Returns len bytes in standard base64 with padding (RFC 4648). */
static char *
json_base64(const char *s, size_t len)
{
	static const char	 alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *q;
	size_t			 i;
	uint32_t		 v;

	if (len / 3 >= SIZE_MAX / 4 - 1)
		fatalx("json: output too large");
	out = q = xmalloc((len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*q++ = alphabet[v >> 18];
		*q++ = alphabet[(v >> 12) & 0x3f];
		*q++ = alphabet[(v >> 6) & 0x3f];
		*q++ = alphabet[v & 0x3f];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		*q++ = alphabet[v >> 18];
		*q++ = alphabet[(v >> 12) & 0x3f];
		*q++ = i + 1 < len ? alphabet[(v >> 6) & 0x3f] : '=';
		*q++ = '=';
	}
	*q = '\0';
	return (out);
}

/*
 * Adds len bytes as the string member name, or as name_base64 when they
 * are not UTF-8 text.
 */
static void
json_add_bytes(cJSON *obj, const char *name, const char *s, size_t len)
{
	char	*text, key[32];

	/* A NULL pointer with no bytes (no output) is the empty string. */
	if (len == 0)
		s = "";
	if (json_utf8(s, len)) {
		text = xstrndup(s, len);
		cJSON_AddStringToObject(obj, name, text);
	} else {
		snprintf(key, sizeof key, "%s_base64", name);
		text = json_base64(s, len);
		cJSON_AddStringToObject(obj, key, text);
	}
	free(text);
}

/*
 * Adds microseconds as seconds with exactly three decimals, rounded half
 * up to the millisecond; a double would print as many digits as it likes.
 */
static void
json_add_seconds(cJSON *obj, const char *name, int64_t us)
{
	char	 text[48];

	strnum_seconds(text, sizeof text, us);
	cJSON_AddRawToObject(obj, name, text);
}

/*
 * Adds the values of a task as "args", or, when one of them is not UTF-8
 * text (a NUL included), all of them as "args_base64", so that indexes
 * still match and every byte is carried.
 */
static void
json_add_args(cJSON *obj, char **args, const size_t *lens, int nargs)
{
	cJSON	*arr;
	char	*text;
	int	 i, valid = 1;

	for (i = 0; i < nargs && valid; i++)
		valid = json_utf8(args[i], lens[i]);
	arr = cJSON_AddArrayToObject(obj, valid ? "args" : "args_base64");
	for (i = 0; i < nargs; i++) {
		/* Valid text holds no NUL: it is the whole C string. */
		text = valid ? args[i] : json_base64(args[i], lens[i]);
		cJSON_AddItemToArray(arr, cJSON_CreateString(text));
		if (!valid)
			free(text);
	}
}

/*
 * Encodes one finished task as a --json line, without the newline; the
 * caller frees the string, which is *lenp bytes long.
 */
char *
json_task_encode(const struct json_task *t, size_t *lenp)
{
	cJSON	*root;
	char	 text[32], *s;

	json_init();
	root = cJSON_CreateObject();
	/* Raw, so a seq beyond 2^53 does not go through a double. */
	snprintf(text, sizeof text, "%llu", (unsigned long long)t->seq);
	cJSON_AddRawToObject(root, "seq", text);

	json_add_args(root, t->args, t->arglens, t->nargs);

	json_add_bytes(root, "command", t->cmd, t->cmdlen);
	cJSON_AddNumberToObject(root, "exit", t->exit);
	cJSON_AddNumberToObject(root, "signal", t->sig);
	json_add_seconds(root, "start", t->start_us);
	json_add_seconds(root, "runtime", t->runtime_us);
	cJSON_AddNumberToObject(root, "slot", t->slot);
	json_add_bytes(root, "stdout", t->out, t->outlen);
	json_add_bytes(root, "stderr", t->err, t->errlen);

	s = json_print(root);
	if (lenp != NULL)
		*lenp = strlen(s);
	return (s);
}

/* Encodes a worker's HELLO reply; the caller frees the string. */
char *
json_reply_encode(const struct hello_reply *r)
{
	cJSON	*root;

	json_init();
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", r->version);
	cJSON_AddNumberToObject(root, "pid", r->pid);
	cJSON_AddNumberToObject(root, "ncpu", r->ncpu);
	if (r->node[0] != '\0')
		cJSON_AddStringToObject(root, "node", r->node);
	return (json_print(root));
}

/*
 * Decodes a worker's HELLO reply.  As with json_hello_decode(), another
 * version fills in only r->version.
 */
int
json_reply_decode(const char *data, size_t len, struct hello_reply *r,
    const char **errstr)
{
	cJSON		*root;
	const cJSON	*item;
	long long	 v;

	memset(r, 0, sizeof *r);
	if ((root = json_parse(data, len, errstr)) == NULL)
		return (-1);
	if (json_number(root, "version", 0, INT_MAX, &v, errstr) != 0)
		goto fail;
	r->version = (int)v;
	if (r->version != PROTO_VERSION) {
		cJSON_Delete(root);
		return (0);
	}
	if (json_number(root, "pid", 1, INT_MAX, &v, errstr) != 0)
		goto fail;
	r->pid = (pid_t)v;
	if (json_number(root, "ncpu", 1, UINT_MAX, &v, errstr) != 0)
		goto fail;
	r->ncpu = (unsigned)v;
	/* Optional, and only a name to show: a bad one is left out. */
	item = cJSON_GetObjectItemCaseSensitive(root, "node");
	if (cJSON_IsString(item) && item->valuestring != NULL)
		snprintf(r->node, sizeof r->node, "%s", item->valuestring);
	cJSON_Delete(root);
	return (0);

fail:
	cJSON_Delete(root);
	return (-1);
}

/*
 * Encodes a task for --worker-protocol json, {"seq":N,"args":[...]} (or
 * "args_base64", as for --json), without the newline; the caller frees
 * the string.
 */
char *
json_wtask_encode(uint64_t seq, char **args, const size_t *lens, int nargs)
{
	cJSON	*root;
	char	 text[32];

	json_init();
	root = cJSON_CreateObject();
	snprintf(text, sizeof text, "%llu", (unsigned long long)seq);
	cJSON_AddRawToObject(root, "seq", text);
	json_add_args(root, args, lens, nargs);
	return (json_print(root));
}

/*
 * Decodes a --worker-protocol json result line.  *textp is what to print,
 * with a newline and a NUL after it: the result (a string as is, any other
 * value as compact JSON; nothing when absent) when *okp, else the error.
 */
int
json_wresult_decode(const char *data, size_t len, uint64_t *seqp, int *okp,
    char **textp, size_t *lenp, const char **errstr)
{
	cJSON		*root, *ok, *v;
	long long	 seq;
	char		*s;
	struct buf	 b;

	if ((root = json_parse(data, len, errstr)) == NULL)
		return (-1);
	if (json_number(root, "seq", 1, LLONG_MAX, &seq, errstr) != 0)
		goto fail;
	ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
	if (!cJSON_IsBool(ok)) {
		*errstr = json_error("missing or not a boolean", "ok");
		goto fail;
	}
	*seqp = (uint64_t)seq;
	*okp = cJSON_IsTrue(ok);
	v = cJSON_GetObjectItemCaseSensitive(root, *okp ? "result" : "error");
	buf_init(&b);
	if (cJSON_IsString(v))
		buf_adds(&b, v->valuestring);
	else if (v != NULL && !cJSON_IsNull(v)) {
		if ((s = cJSON_PrintUnformatted(v)) == NULL)
			fatalx("json: cannot print");
		buf_adds(&b, s);
		free(s);
	} else if (*okp) {
		*lenp = 0;
		*textp = xstrdup("");
		cJSON_Delete(root);
		return (0);
	}
	buf_addc(&b, '\n');
	buf_addc(&b, '\0');
	*textp = buf_take(&b, lenp);
	(*lenp)--;
	cJSON_Delete(root);
	return (0);

fail:
	cJSON_Delete(root);
	return (-1);
}
