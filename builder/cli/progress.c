/* progress.c: what a person (or a CI log, or a front end) sees while a
 * plan builds.
 *
 * Results stay where scripts read them: one line per package on stdout,
 * ">>> cat/pf: built PATH". Progress goes to stderr: on a terminal a
 * status line at the bottom, redrawn in place, with the finished
 * packages' lines scrolling above it (as ninja and cargo do); elsewhere
 * one plain line per event, nothing that redraws. --json-events adds one
 * JSON object per event on a descriptor of the caller's choice. */
#include "build/build.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sys/ioctl.h>
#include <unistd.h>

void cli_sched_apply(const struct cli_sched *s, struct build_opts *o)
{
	o->jobs = s->jobs;
	o->load_average = s->load_average;
	o->keep_going = s->keep_going;
}

/* ---- progress --------------------------------------------------------- */

static bool is_live_terminal(FILE *f)
{
	const char *term = getenv("TERM");

	return isatty(fileno(f)) && term && *term && strcmp(term, "dumb");
}

void cli_progress_init(struct cli_progress *p, struct gild_ctx *ctx, FILE *json)
{
	*p = (struct cli_progress){.ctx = ctx, .json = json};
	p->live = ctx->verbosity >= 0 && is_live_terminal(ctx->diag);
	p->plain = ctx->verbosity >= 0 && !p->live;
	p->failures = (struct gild_strv)GILD_STRV_INIT;
}

void cli_progress_release(struct cli_progress *p)
{
	gild_strv_release(&p->failures);
}

static void clock_text(char *buf, size_t n, double secs)
{
	long s = secs < 0 ? 0 : (long)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

/* "src_compile" reads "compile" in the status line. */
static const char *short_phase(const char *ph)
{
	if (!strncmp(ph, "src_", 4) || !strncmp(ph, "pkg_", 4))
		return ph + 4;
	return ph;
}

/* "musl" of "sys-libs/musl-1.2.3": the status line is short. */
static void short_name(const char *cpv, struct gild_buf *b)
{
	const char *slash = strchr(cpv, '/');
	_cleanup_free_ char *pn = NULL, *pvr = NULL;

	if (gpkg_split_pf(slash ? slash + 1 : cpv, &pn, &pvr, NULL) == 0)
		gild_buf_adds(b, pn);
	else
		gild_buf_adds(b, slash ? slash + 1 : cpv);
}

static void status_text(const struct build_progress *g, struct gild_buf *b)
{
	char el[32], eta[32];

	gild_buf_printf(b, "[%zu/%zu] ", g->done, g->total);
	if (g->n_running)
		gild_buf_printf(b, "%zu building: ", g->n_running);
	for (size_t i = 0; i < g->n_running; i++) {
		const struct build_running *r = &g->running[i];
		clock_text(el, sizeof(el), g->elapsed - r->started);
		if (i)
			gild_buf_adds(b, ", ");
		short_name(r->cpv, b);
		gild_buf_printf(b, " (%s%s%s)",
				r->phase[0] ? short_phase(r->phase) : "",
				r->phase[0] ? " " : "", el);
	}
	clock_text(el, sizeof(el), g->elapsed);
	gild_buf_printf(b, "%s| %s", g->n_running ? " " : "", el);
	if (g->eta >= 0) {
		clock_text(eta, sizeof(eta), g->eta);
		gild_buf_printf(b, ", %s%s left", g->eta_partial ? ">" : "~",
				eta);
	}
}

static size_t terminal_width(FILE *f)
{
	struct winsize ws;

	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

static void clear_status(struct cli_progress *p)
{
	if (!p->drawn)
		return;
	fputs("\r\033[K", p->ctx->diag);
	p->drawn = false;
}

static void draw_status(struct cli_progress *p, const struct build_progress *g)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	size_t w = terminal_width(p->ctx->diag);

	status_text(g, &b);
	if (b.n >= w) /* one line, never wrapped: \r must reach its start */
		b.n = w - 1;
	fprintf(p->ctx->diag, "\r\033[K%.*s", (int)b.n, b.p);
	fflush(p->ctx->diag);
	p->drawn = true;
}

/* A line that stays: above the status line on a terminal. */
static void say(struct cli_progress *p, FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(struct cli_progress *p, FILE *f, const char *fmt, ...)
{
	va_list ap;

	clear_status(p);
	fflush(p->ctx->out);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fflush(f);
}

static const char *outcome_word(enum build_outcome o)
{
	switch (o) {
	case BUILD_BUILT:
		return "built";
	case BUILD_REUSED:
		return "reused";
	default:
		return "fetched";
	}
}

/* On a failed phase: the last lines of its log, so the cause is on the
 * screen (Portage prints the same, then the log's path). */
static void log_tail(struct cli_progress *p, const char *log)
{
	_cleanup_free_ char *text = NULL;
	size_t n, lines = 0, i;

	if (!log || gild_read_file(log, &text, &n, NULL) < 0)
		return;
	for (i = n; i > 0; i--)
		if (text[i - 1] == '\n' && ++lines > 30)
			break;
	say(p, p->ctx->diag, "--- last lines of %s ---\n%s%s", log, text + i,
	    n && text[n - 1] != '\n' ? "\n" : "");
}

/* "!!! cat/pf failed: file:line:col: error: ..." as main prints errors. */
static void say_failure(struct cli_progress *p, const struct build_event *ev)
{
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);

	if (!m)
		return;
	gild_err_print(m, ev->err);
	fclose(m);
	say(p, p->ctx->diag, "!!! %s failed: %s", ev->cpv, text);
	free(text);
}

static const char *event_name(enum build_event_kind k)
{
	static const char *const names[] = {
	    [BUILD_EV_START] = "start",	    [BUILD_EV_PHASE] = "phase",
	    [BUILD_EV_MESSAGE] = "message", [BUILD_EV_DONE] = "done",
	    [BUILD_EV_FAILED] = "failed",   [BUILD_EV_SKIPPED] = "skipped",
	    [BUILD_EV_TICK] = "tick",	    [BUILD_EV_END] = "end"};
	return names[k];
}

static void json_field(FILE *f, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(f, ",\"%s\":", key);
	gild_json_str(f, value, (size_t)-1);
}

static void json_event(struct cli_progress *p, const struct build_event *ev)
{
	const struct build_progress *g = ev->progress;
	FILE *f = p->json;

	if (ev->kind == BUILD_EV_TICK)
		return;
	fprintf(f, "{\"event\":\"%s\"", event_name(ev->kind));
	json_field(f, "cpv", ev->cpv);
	json_field(f, "phase", ev->phase);
	json_field(f, ev->kind == BUILD_EV_SKIPPED ? "held_back_by" : "text",
		   ev->text);
	json_field(f, "log", ev->log);
	if (ev->done) {
		json_field(f, "outcome", outcome_word(ev->done->outcome));
		json_field(f, "package", ev->done->pkg_path);
	}
	if (ev->err)
		json_field(f, "error", ev->err->msg);
	if (ev->kind == BUILD_EV_DONE || ev->kind == BUILD_EV_FAILED)
		fprintf(f, ",\"seconds\":%.1f", ev->seconds);
	fprintf(f,
		",\"done\":%zu,\"total\":%zu,\"built\":%zu,\"reused\":%zu,"
		"\"fetched\":%zu,"
		"\"failed\":%zu,\"skipped\":%zu,\"elapsed\":%.1f",
		g->done, g->total, g->built, g->reused, g->fetched, g->failed,
		g->skipped, g->elapsed);
	if (ev->kind == BUILD_EV_END)
		fprintf(f, ",\"jobs\":%u,\"busy\":%.1f", g->jobs, g->busy);
	fputs("}\n", f);
	fflush(f);
}

static void summary(struct cli_progress *p, const struct build_progress *g)
{
	char el[32];
	double slots = g->elapsed * g->jobs;

	if (!g->total || p->ctx->verbosity < 0)
		return;
	clock_text(el, sizeof(el), g->elapsed);
	if (g->fetched) /* --fetchonly */
		say(p, p->ctx->diag,
		    "*** %zu of %zu packages: sources fetched, %zu failed; "
		    "%s\n",
		    g->fetched, g->total, g->failed, el);
	else
		say(p, p->ctx->diag,
		    "*** %zu of %zu packages: %zu built, %zu reused, %zu "
		    "failed, %zu skipped; %s; slot use %.0f%% of %u job%s\n",
		    g->done, g->total, g->built, g->reused, g->failed,
		    g->skipped, el, slots > 0 ? 100.0 * g->busy / slots : 0.0,
		    g->jobs, g->jobs == 1 ? "" : "s");
	for (size_t i = 0; i < p->failures.n; i++)
		say(p, p->ctx->diag, "*** failed: %s\n", p->failures.v[i]);
}

static void plain_event(struct cli_progress *p, const struct build_event *ev)
{
	const struct build_progress *g = ev->progress;
	FILE *d = p->ctx->diag;

	switch (ev->kind) {
	case BUILD_EV_START:
		say(p, d, ">>> [%zu/%zu] Building %s\n", g->started, g->total,
		    ev->cpv);
		break;
	case BUILD_EV_DONE:
		if (ev->done->outcome == BUILD_BUILT)
			say(p, d, "<<< [%zu/%zu] %s built in %.*f s\n", g->done,
			    g->total, ev->cpv, ev->seconds < 10 ? 1 : 0,
			    ev->seconds);
		break;
	default:
		break;
	}
}

void cli_progress_start(struct cli_progress *p, struct gild_ctx *ctx,
			const struct cli_sched *s, struct build_opts *bo,
			void (**report)(void *, const struct build_event *),
			void **ud)
{
	cli_progress_init(p, ctx, s->json_events);
	cli_sched_apply(s, bo);
	*report = cli_progress_event;
	*ud = p;
}

int cli_progress_status(struct cli_progress *p, int r)
{
	if (r == -EINTR && build_interrupted()) {
		gild_err_print(p->ctx->diag, &p->ctx->err);
		return 128 + build_interrupted();
	}
	if (r < 0 && p->failures.n)
		return gild_err_exit_status(r);
	return r;
}

void cli_progress_event(void *ud, const struct build_event *ev)
{
	struct cli_progress *p = ud;
	struct gild_ctx *ctx = p->ctx;

	if (p->json)
		json_event(p, ev);
	if (p->plain)
		plain_event(p, ev);
	switch (ev->kind) {
	case BUILD_EV_DONE:
		if (!ctx->json)
			say(p, ctx->out, ">>> %s: %s%s%s\n", ev->cpv,
			    outcome_word(ev->done->outcome),
			    ev->done->pkg_path ? " " : "",
			    ev->done->pkg_path ? ev->done->pkg_path : "");
		if (ev->done->note)
			say(p, ctx->diag, "note: %s was %s\n", ev->cpv,
			    ev->done->note);
		break;
	case BUILD_EV_MESSAGE:
		say(p, ctx->diag, "%s: %s\n", ev->cpv, ev->text);
		break;
	case BUILD_EV_FAILED:
		log_tail(p, ev->log);
		say_failure(p, ev);
		gild_strv_push(&p->failures, xasprintf("%s%s%s", ev->cpv,
						       ev->log ? ", log: " : "",
						       ev->log ? ev->log : ""));
		break;
	case BUILD_EV_SKIPPED:
		say(p, ctx->diag, "!!! %s skipped: it is built against %s\n",
		    ev->cpv, ev->text);
		break;
	case BUILD_EV_END:
		clear_status(p);
		summary(p, ev->progress);
		return;
	default:
		break;
	}
	if (p->live)
		draw_status(p, ev->progress);
}
