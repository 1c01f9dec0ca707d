/* base.c: errors, allocation, buffers, string vectors (see base.h). */
#include "base.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

/* ---- errors ------------------------------------------------------------ */

static void err_set_loc(struct gild_err *err, const struct gild_loc *loc)
{
	err->file[0] = '\0';
	err->line = err->col = 0;
	if (!loc)
		return;
	if (loc->file)
		snprintf(err->file, sizeof(err->file), "%s", loc->file);
	err->line = loc->line;
	err->col = loc->col;
}

int gild_fail(struct gild_err *err, int code, const struct gild_loc *loc,
	      const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err_set_loc(err, loc);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int gild_fail_errno(struct gild_err *err, const char *path, const char *fmt,
		    ...)
{
	int saved = errno ? errno : EIO;
	char head[384];
	va_list ap;

	if (!err)
		return -saved;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	err->code = -saved;
	err_set_loc(err, NULL);
	if (path)
		snprintf(err->msg, sizeof(err->msg), "%s '%s': %s", head, path,
			 strerror(saved));
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", head,
			 strerror(saved));
	errno = saved;
	return -saved;
}

void gild_err_wrap(struct gild_err *err, const char *fmt, ...)
{
	char head[256], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", head, old);
}

void gild_err_clear(struct gild_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static const char *const gild_errnames[] = {
    [GILD_E_SYNTAX - GILD_E_BASE] = "syntax error",
    [GILD_E_INVALID - GILD_E_BASE] = "invalid value",
    [GILD_E_NOTFOUND - GILD_E_BASE] = "not found",
    [GILD_E_AMBIGUOUS - GILD_E_BASE] = "ambiguous name",
    [GILD_E_CYCLE - GILD_E_BASE] = "cycle",
    [GILD_E_MANIFEST - GILD_E_BASE] = "Manifest check failed",
    [GILD_E_UNSUPPORTED - GILD_E_BASE] = "not supported",
    [GILD_E_NOSOLUTION - GILD_E_BASE] = "no solution",
    [GILD_E_BUILD - GILD_E_BASE] = "build failed",
    [GILD_E_FETCH - GILD_E_BASE] = "fetch failed",
    [GILD_E_SANDBOX - GILD_E_BASE] = "sandbox setup failed",
    [GILD_E_TIMEOUT - GILD_E_BASE] = "timed out",
    [GILD_E_LIMIT - GILD_E_BASE] = "resource limit reached",
    [GILD_E_USAGE - GILD_E_BASE] = "bad usage",
};

const char *gild_strerror(int code)
{
	int c = code < 0 ? -code : code;

	if (c > GILD_E_BASE && c < GILD_E_MAX && gild_errnames[c - GILD_E_BASE])
		return gild_errnames[c - GILD_E_BASE];
	return strerror(c);
}

void gild_err_print(FILE *f, const struct gild_err *err)
{
	const char *msg = err->msg[0] ? err->msg : gild_strerror(err->code);

	if (err->file[0] && err->line && err->col)
		fprintf(f, "%s:%u:%u: error: %s\n", err->file, err->line,
			err->col, msg);
	else if (err->file[0] && err->line)
		fprintf(f, "%s:%u: error: %s\n", err->file, err->line, msg);
	else if (err->file[0])
		fprintf(f, "%s: error: %s\n", err->file, msg);
	else
		fprintf(f, "gild: error: %s\n", msg);
}

int gild_err_exit_status(int code)
{
	switch (-code) {
	case GILD_E_SYNTAX:
	case GILD_E_INVALID:
	case GILD_E_USAGE:
	case GILD_E_UNSUPPORTED:
	case GILD_E_AMBIGUOUS:
		return 2;
	default:
		return 1;
	}
}

_Noreturn void gild_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gild: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- allocation -------------------------------------------------------- */

static _Noreturn void die_oom(void)
{
	fputs("gild: error: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die_oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die_oom();
	va_end(ap);
	return s;
}

void gild_grow(void *arrp, size_t *cap, size_t need, size_t elsize)
{
	void **arr = arrp;
	size_t c = *cap;

	if (need <= c)
		return;
	c = c ? c : 8;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elsize)
			die_oom();
		c *= 2;
	}
	*arr = xrealloc(*arr, c * elsize);
	*cap = c;
}

/* ---- strings ----------------------------------------------------------- */

bool gild_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool gild_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = list; s && *s;) {
		size_t len;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		len = strcspn(s, " \t\n");
		if (len == n && len && strncmp(s, word, n) == 0)
			return true;
		s += len;
	}
	return false;
}

int gild_parse_u64(const char *s, bool suffixes, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (suffixes && *end) {
		const char *units = "kmg",
			   *u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -1;
		shift = 10 * (unsigned)(u - units + 1);
		end++;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

bool gild_endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

void gild_buf_add(struct gild_buf *b, const void *data, size_t n)
{
	gild_grow(&b->p, &b->cap, b->n + n + 1, 1);
	if (n)
		memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void gild_buf_adds(struct gild_buf *b, const char *s)
{
	gild_buf_add(b, s, strlen(s));
}

void gild_buf_addc(struct gild_buf *b, char c)
{
	gild_buf_add(b, &c, 1);
}

void gild_buf_printf(struct gild_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		GILD_BUG("bad format '%s'", fmt);
	gild_grow(&b->p, &b->cap, b->n + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

const char *gild_buf_str(struct gild_buf *b)
{
	return b->p ? b->p : "";
}

char *gild_buf_steal(struct gild_buf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->n = b->cap = 0;
	return p;
}

void gild_buf_reset(struct gild_buf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

void gild_buf_release(struct gild_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

void gild_strv_push(struct gild_strv *sv, char *owned)
{
	gild_grow(&sv->v, &sv->cap, sv->n + 2, sizeof(char *));
	sv->v[sv->n++] = owned;
	sv->v[sv->n] = NULL;
}

void gild_strv_add(struct gild_strv *sv, const char *s)
{
	gild_strv_push(sv, xstrdup(s));
}

bool gild_strv_contains(const struct gild_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gild_strv_sort(struct gild_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(char *), cmp_strp);
}

void gild_strv_release(struct gild_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* ---- JSON -------------------------------------------------------------- */

void gild_json_str(FILE *f, const char *s, size_t n)
{
	if (n == (size_t)-1)
		n = strlen(s);
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void gild_split_words(const char *s, struct gild_strv *out)
{
	const char *p = s;

	while (*p) {
		size_t n;
		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n)
			gild_strv_push(out, xstrndup(p, n));
		p += n;
	}
}

double gild_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
