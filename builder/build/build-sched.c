/* build-sched.c: a plan built as a graph, several packages at once.
 *
 * Entry i of the plan may start once everything it is built against is
 * there: its DEPEND, BDEPEND and IDEPEND packages and what those need at
 * run time (RDEPEND, PDEPEND, IDEPEND, followed through), as far as the
 * plan orders them before i. Each package is built in a child process
 * (fork, then build_recipe) that tells the parent, line by line on a pipe,
 * which phase it is in and how it ended; the parent starts the next
 * packages as slots free up, the one with the longest path to the end of
 * the plan first (recorded build times as weights), and reports every
 * event to its caller's progress display.
 *
 * A package's build sees exactly the binary packages the plan built
 * before it (build_env.visible): parallel builds finishing in another
 * order, or older builds in PKGDIR, never change what it is built
 * against, so its build-id is what a one-at-a-time build gives.
 */
#include "build/build.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "repo/repo.h"
#include "resolve/resolve.h"

#include "build/build-sched-impl.h"

/* ---- signals --------------------------------------------------------- */

static volatile sig_atomic_t caught_signal, signal_count;
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;

	caught_signal = sig;
	signal_count++;
	if (signal_pipe[1] >= 0)
		(void)!write(signal_pipe[1], "", 1);
	errno = saved;
}

int build_interrupted(void)
{
	return caught_signal;
}

static int catch_signals(struct gild_err *err)
{
	struct sigaction sa = {.sa_handler = on_signal};

	if (signal_pipe[0] < 0 && pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK))
		return gild_fail_errno(err, NULL, "cannot create a pipe");
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		return gild_fail_errno(err, NULL, "cannot catch signals");
	return 0;
}

static void release_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t unblock;

	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGINT);
	sigaddset(&unblock, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

/* ---- recorded build times -------------------------------------------- */

static void times_load(struct times *t, const char *tmpdir)
{
	_cleanup_free_ char *text = NULL;
	size_t n;

	t->path = gild_path_join(tmpdir, ".build-times");
	if (gild_read_file(t->path, &text, &n, NULL) < 0)
		return;
	for (char *l = text, *next; l && *l; l = next) {
		char *sp;
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (!(sp = strrchr(l, ' ')))
			continue;
		*sp = '\0';
		t->secs = xrealloc(t->secs, (t->keys.n + 1) * sizeof(double));
		t->secs[t->keys.n] = strtod(sp + 1, NULL);
		gild_strv_add(&t->keys, l);
	}
}

static double *times_find(struct times *t, const char *cpv)
{
	for (size_t i = 0; i < t->keys.n; i++)
		if (!strcmp(t->keys.v[i], cpv))
			return &t->secs[i];
	return NULL;
}

/* Written whole under a new name and renamed: two runs at once may lose
 * one another's newest figure, never the file. */
static void times_record(struct times *t, const char *cpv, double secs)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	double *have = times_find(t, cpv);

	if (have)
		*have = secs;
	else {
		t->secs = xrealloc(t->secs, (t->keys.n + 1) * sizeof(double));
		t->secs[t->keys.n] = secs;
		gild_strv_add(&t->keys, cpv);
	}
	af.no_sync = true; /* an estimate: not worth an fsync per package */
	if (gild_atomic_open(&af, AT_FDCWD, t->path, 0644, NULL) < 0)
		return;
	for (size_t i = 0; i < t->keys.n; i++)
		fprintf(af.f, "%s %.1f\n", t->keys.v[i], t->secs[i]);
	(void)gild_atomic_commit(&af, NULL);
}

static void times_release(struct times *t)
{
	free(t->path);
	gild_strv_release(&t->keys);
	free(t->secs);
}

/* ---- the graph ------------------------------------------------------- */

static void add_index(size_t **v, size_t *n, size_t x)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = x;
}

/* Plan indices reachable from entry i's build-time edges through runtime
 * edges; mark[k] == stamp when k is reached. */
static void walk_runtime(const struct plan *p, size_t k, unsigned *mark,
			 unsigned stamp)
{
	static const enum dep_class rt[] = {DEP_RDEPEND, DEP_PDEPEND,
					    DEP_IDEPEND};
	size_t *stack = NULL, n = 0;

	add_index(&stack, &n, k);
	mark[k] = stamp;
	while (n) {
		const struct plan_entry *e = &p->v[stack[--n]];
		for (size_t c = 0; c < GILD_ARRAY_SIZE(rt); c++)
			for (size_t d = 0; d < e->ndeps[rt[c]]; d++) {
				int x = plan_find(p, e->deps[rt[c]][d]);
				if (x >= 0 && mark[x] != stamp) {
					mark[x] = stamp;
					add_index(&stack, &n, (size_t)x);
				}
			}
	}
	free(stack);
}

/* pre[i]: what entry i is built against, restricted to the entries the
 * plan orders before it (a runtime cycle through i would otherwise make
 * i wait for itself; a one-at-a-time build lacks those too). */
static void collect_plan_names(struct sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *cpv = s->res->v[i].cpv, *slash = strchr(cpv, '/');
		_cleanup_free_ char *pn = NULL, *pvr = NULL;
		if (!slash || gpkg_split_pf(slash + 1, &pn, &pvr, NULL) < 0)
			continue;
		gild_strv_push(
		    &s->plan_names,
		    xasprintf("%.*s/%s", (int)(slash - cpv), cpv, pn));
	}
	gild_strv_sort(&s->plan_names);
}

void link_prerequisites(struct sched *s)
{
	collect_plan_names(s);
	static const enum dep_class bt[] = {DEP_DEPEND, DEP_BDEPEND,
					    DEP_IDEPEND};
	_cleanup_free_ unsigned *mark = xcalloc(s->n + 1, sizeof(unsigned));

	for (size_t i = 0; i < s->n; i++) {
		const struct plan_entry *e = &s->p->v[i];
		unsigned stamp = (unsigned)i + 1;
		for (size_t c = 0; c < GILD_ARRAY_SIZE(bt); c++)
			for (size_t d = 0; d < e->ndeps[bt[c]]; d++) {
				int x = plan_find(s->p, e->deps[bt[c]][d]);
				if (x >= 0 && mark[x] != stamp)
					walk_runtime(s->p, (size_t)x, mark,
						     stamp);
			}
		for (size_t k = 0; k < i; k++)
			if (mark[k] == stamp) {
				add_index(&s->v[i].pre, &s->v[i].n_pre, k);
				add_index(&s->v[k].post, &s->v[k].n_post, i);
			}
		s->v[i].waiting = s->v[i].n_pre;
	}
}

/* Weights: a package's recorded build time, else the mean of the
 * recorded ones (else 1): the longest path to the end of the plan is
 * then what to start first. */
static void set_priorities(struct sched *s)
{
	double sum = 0, mean = 1;
	size_t known = 0;

	for (size_t i = 0; i < s->n; i++) {
		double *t =
		    s->v[i].rc ? times_find(&s->times, s->res->v[i].cpv) : NULL;
		if (t) {
			s->v[i].weight = *t > 0.1 ? *t : 0.1;
			s->v[i].timed = true;
			sum += s->v[i].weight;
			known++;
		}
	}
	if (known)
		mean = sum / (double)known;
	for (size_t i = s->n; i-- > 0;) {
		struct sp *e = &s->v[i];
		double longest = 0;
		if (!e->timed)
			e->weight = e->rc ? mean : 0;
		for (size_t k = 0; k < e->n_post; k++)
			if (s->v[e->post[k]].prio > longest)
				longest = s->v[e->post[k]].prio;
		e->prio = e->weight + longest;
	}
}

/* ---- progress -------------------------------------------------------- */

static void update_progress(struct sched *s)
{
	double now = gild_now() - s->t0, work = 0, path = 0;
	bool partial = false, any = false;
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct sp *e = &s->v[i];
		double left;
		if (e->state != SP_WAITING && e->state != SP_RUNNING)
			continue;
		if (!e->rc)
			continue;
		left = e->weight;
		if (e->state == SP_RUNNING) {
			s->running[k++] = (struct build_running){
			    s->res->v[i].cpv, e->phase ? e->phase : "",
			    e->started};
			left -= now - e->started;
			if (left < 0)
				left = 0;
		}
		partial |= !e->timed;
		any |= e->timed;
		work += left;
		if (e->prio - e->weight + left > path)
			path = e->prio - e->weight + left;
	}
	s->prog.running = s->running;
	s->prog.n_running = k;
	s->prog.elapsed = now;
	s->prog.jobs = s->jobs;
	s->prog.eta_partial = partial;
	s->prog.eta = any || !partial
			  ? (work / s->jobs > path ? work / s->jobs : path)
			  : -1;
}

static void emit(struct sched *s, struct build_event ev)
{
	if (!s->report)
		return;
	update_progress(s);
	ev.progress = &s->prog;
	s->report(s->ud, &ev);
}

/* ---- the child ------------------------------------------------------- */

static void child_line(int fd, char kind, const char *text)
{
	_cleanup_free_ char *l = xasprintf("%c %s\n", kind, text);

	for (char *c = l + 2; *c && c[1]; c++)
		if (*c == '\n')
			*c = ' ';
	(void)!write(fd, l, strlen(l));
}

static bool child_done_sent; /* "D" went out: no more phases */

static void child_phase(void *ud, const char *phase)
{
	if (!child_done_sent)
		child_line(*(int *)ud, 'P', phase);
}

static void child_done(int fd, enum build_outcome outcome, const char *pkg)
{
	_cleanup_free_ char *t =
	    xasprintf("%d %s", (int)outcome, pkg ? pkg : "");

	child_line(fd, 'D', t);
	child_done_sent = true;
}

/* The package is written: the parent may give the slot to the next
 * build while this one removes its work directory. */
static void child_packaged(void *ud, const char *pkg)
{
	child_done(*(int *)ud, BUILD_BUILT, pkg);
}

struct diag_cookie {
	struct gild_buf line;
	int fd;
};

/* The build's messages (ctx->diag: "waiting for another build", a
 * package moved aside) go to the parent as lines, so they scroll above
 * the progress display instead of through it. */
static ssize_t diag_write(void *cookie, const char *buf, size_t n)
{
	struct diag_cookie *dc = cookie;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			gild_buf_addc(&dc->line, buf[i]);
			continue;
		}
		child_line(dc->fd, 'M', gild_buf_str(&dc->line));
		dc->line.n = 0;
	}
	return (ssize_t)n;
}

/* An error crosses the pipe as one line: "code line col file<US>msg". */
#define ERR_SEP '\x1f'

static const char *encode_err(const struct gild_err *e)
{
	static char line[sizeof(e->file) + sizeof(e->msg) + 64];

	snprintf(line, sizeof(line), "%d %u %u %s%c%s", e->code, e->line,
		 e->col, e->file, ERR_SEP, e->msg);
	return line;
}

static void decode_err(const char *line, struct gild_err *e)
{
	const char *sep = strchr(line, ERR_SEP);
	char *end;

	*e = (struct gild_err)GILD_ERR_INIT;
	e->code = (int)strtol(line, &end, 10);
	e->line = (unsigned)strtoul(end, &end, 10);
	e->col = (unsigned)strtoul(end, &end, 10);
	if (*end == ' ')
		end++;
	if (!sep || !e->code) {
		e->code = e->code ? e->code : -GILD_E_BUILD;
		snprintf(e->msg, sizeof(e->msg), "%s", line);
		return;
	}
	snprintf(e->file, sizeof(e->file), "%.*s", (int)(sep - end), end);
	snprintf(e->msg, sizeof(e->msg), "%s", sep + 1);
}

static _Noreturn void child_main(struct sched *s, size_t i, int fd)
{
	static struct diag_cookie dc = {GILD_BUF_INIT, -1};
	cookie_io_functions_t io = {.write = diag_write};
	struct gild_err err = GILD_ERR_INIT;
	enum build_outcome outcome;
	_cleanup_free_ char *pkg = NULL;
	struct build_opts o = *s->o;
	FILE *diag;
	int r;

	o.defer_index = true; /* written once, at the end (build_sched_run) */
	release_signals();
	/* a parent killed outright (SIGKILL) takes its builds along; each
	 * build's sandbox follows its builder the same way */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != s->parent)
		_exit(1);
	dc.fd = fd;
	if ((diag = fopencookie(&dc, "w", io))) {
		setvbuf(diag, NULL, _IOLBF, 0);
		s->env->ctx->diag = diag;
	}
	s->env->on_phase = child_phase;
	s->env->on_phase_ud = &dc.fd;
	/* a second build (verify_reproducible) comes after the first's
	 * package: only then is it done */
	if (!o.verify_reproducible)
		s->env->on_packaged = child_packaged;
	r = build_recipe(s->env, s->v[i].rc, &o, &outcome, &pkg, &err);
	if (r == 0 && o.verify_reproducible && outcome != BUILD_FETCHED) {
		child_phase(&dc.fd, "second build");
		r = build_verify_reproducible(s->env, s->v[i].rc, &o, pkg,
					      &err);
	}
	if (diag)
		fflush(diag);
	if (r < 0 && child_done_sent) {
		/* the parent has its result: a failure after it is news */
		child_line(fd, 'M', err.msg);
		_exit(1);
	}
	if (r < 0) {
		if (!err.code)
			err.code = r;
		child_line(fd, 'E', encode_err(&err));
		_exit(1);
	}
	if (!child_done_sent)
		child_done(fd, outcome, pkg);
	_exit(0);
}

/* ---- starting -------------------------------------------------------- */

/* fork with SIGINT and SIGTERM blocked, so that a child cannot take one
 * with the parent's handler before release_signals() resets it (it would
 * swallow the SIGTERM meant to stop it); the parent restores its mask
 * (sched.mask) after, the child in release_signals(). */
static pid_t fork_blocked(void)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	return fork();
}

/* The relpaths (sorted) of what entry i is built against. */
static void visible_set(struct sched *s, size_t i, struct gild_strv *out)
{
	size_t plen = strlen(s->env->pkgdir);

	for (size_t k = 0; k < s->v[i].n_pre; k++) {
		const char *path = s->res->v[s->v[i].pre[k]].pkg_path;
		if (path && !strncmp(path, s->env->pkgdir, plen) &&
		    path[plen] == '/')
			gild_strv_add(out, path + plen + 1);
	}
	gild_strv_sort(out);
}

static int start(struct sched *s, size_t i, struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv vis = GILD_STRV_INIT;
	struct sp *e = &s->v[i];
	int fds[2], r;
	pid_t pid;

	if (s->repo_stale) {
		if ((r = build_env_reload_repo(s->env, err)) < 0)
			return r;
		s->repo_stale = false;
	}
	visible_set(s, i, &vis);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return gild_fail_errno(err, NULL, "cannot create a pipe");
	fflush(NULL); /* nothing buffered is written twice */
	s->env->visible = &vis;
	s->env->plan_names = &s->plan_names;
	pid = fork_blocked();
	if (pid == 0) {
		close(fds[0]);
		child_main(s, i, fds[1]);
	}
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
	s->env->visible = NULL;
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return gild_fail_errno(err, NULL, "cannot start a build");
	}
	(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
	e->pid = pid;
	e->fd = fds[0];
	e->state = SP_RUNNING;
	e->started = gild_now() - s->t0;
	s->n_running++;
	return 0;
}

static bool load_too_high(struct sched *s)
{
	double load;

	return s->o->load_average > 0 && s->n_running > 0 &&
	       getloadavg(&load, 1) == 1 && load > s->o->load_average;
}

/* The waiting entry with everything built and the longest path ahead. */
static ssize_t next_ready(struct sched *s)
{
	ssize_t best = -1;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].state == SP_WAITING && !s->v[i].waiting &&
		    (best < 0 || s->v[i].prio > s->v[best].prio))
			best = (ssize_t)i;
	return best;
}

static void finish_ok(struct sched *s, size_t i);

static int start_ready(struct sched *s, struct gild_err *err)
{
	ssize_t i;
	int r;

	while (!s->stop && !caught_signal && s->n_running < s->jobs &&
	       !load_too_high(s) && (i = next_ready(s)) >= 0) {
		if (!s->v[i].rc) { /* provided, or a binary package only */
			finish_ok(s, (size_t)i);
			continue;
		}
		if ((r = start(s, (size_t)i, err)) < 0)
			return r;
	}
	return 0;
}

/* ---- finishing ------------------------------------------------------- */

static void release_dependents(struct sched *s, size_t i)
{
	for (size_t k = 0; k < s->v[i].n_post; k++)
		s->v[s->v[i].post[k]].waiting--;
}

static void finish_ok(struct sched *s, size_t i)
{
	struct sp *e = &s->v[i];

	e->state = SP_DONE;
	s->prog.done += !s->res->v[i].provided;
	release_dependents(s, i);
	if (!e->rc) {
		if (s->res->v[i].provided)
			return;
		s->prog.reused++;
		e->done = (struct build_done){
		    .cpv = s->res->v[i].cpv,
		    .outcome = BUILD_REUSED,
		    .pkg_path = s->res->v[i].pkg_path,
		    .note = "a binary package; the tree no longer has its "
			    "recipe"};
		emit(s, (struct build_event){.kind = BUILD_EV_DONE,
					     .cpv = s->res->v[i].cpv,
					     .done = &e->done});
		return;
	}
	if (e->done.outcome == BUILD_BUILT) {
		s->prog.built++;
		times_record(&s->times, s->res->v[i].cpv,
			     gild_now() - s->t0 - e->started);
	} else if (e->done.outcome == BUILD_FETCHED)
		s->prog.fetched++;
	else
		s->prog.reused++;
}

/* Everything built against a failed entry, transitively, is skipped. */
static void skip_dependents(struct sched *s, size_t i)
{
	for (size_t k = 0; k < s->v[i].n_post; k++) {
		size_t d = s->v[i].post[k];
		if (s->v[d].state != SP_WAITING)
			continue;
		s->v[d].state = SP_SKIPPED;
		s->prog.skipped++;
		emit(s, (struct build_event){.kind = BUILD_EV_SKIPPED,
					     .cpv = s->res->v[d].cpv,
					     .text = s->res->v[i].cpv});
		skip_dependents(s, d);
	}
}

static void fail(struct sched *s, size_t i, const struct gild_err *e)
{
	const char *log = strstr(e->msg, "; log: ");
	struct gild_err err = *e;

	s->v[i].state = SP_FAILED;
	s->prog.failed++;
	gild_strv_add(&s->failed, s->res->v[i].cpv);
	if (!s->first.code)
		s->first = err;
	emit(s, (struct build_event){.kind = BUILD_EV_FAILED,
				     .cpv = s->res->v[i].cpv,
				     .err = &err,
				     .log = log ? log + 7 : NULL,
				     .seconds =
					 gild_now() - s->t0 - s->v[i].started});
	if (s->o->keep_going)
		skip_dependents(s, i);
	else
		s->stop = true;
}

/* Whether the parent's view of PKGDIR has the package at path: another
 * gild may have built one that this run then reused. */
static bool repo_has(const struct build_env *env, const char *path)
{
	size_t plen = strlen(env->pkgdir);

	if (!path || strncmp(path, env->pkgdir, plen) || path[plen] != '/')
		return true;
	for (size_t k = 0; env->repo && k < env->repo->n; k++)
		if (!strcmp(env->repo->pkgs[k].relpath, path + plen + 1))
			return true;
	return false;
}

/* The child's last word: "D outcome path", "E code message". */
static void conclude(struct sched *s, size_t i, int status)
{
	struct sp *e = &s->v[i];
	const char *r = e->result;
	struct gild_err err;
	char *end;

	if (r && r[0] == 'D') {
		long outcome = strtol(r + 2, &end, 10);
		e->done.outcome = (enum build_outcome)outcome;
		e->done.cpv = s->res->v[i].cpv;
		e->done.recipe = e->rc;
		if (*end == ' ' && end[1])
			s->res->v[i].pkg_path = xstrdup(end + 1);
		e->done.pkg_path = s->res->v[i].pkg_path;
		if (s->p->v[i].action == PLAN_BINARY &&
		    e->done.outcome == BUILD_BUILT && !s->o->rebuild)
			e->done.note = "built again: its binary package came "
				       "from other inputs (recipe, distfiles, "
				       "flags or dependencies changed)";
		s->repo_stale |= !repo_has(s->env, s->res->v[i].pkg_path);
		finish_ok(s, i);
		emit(s, (struct build_event){.kind = BUILD_EV_DONE,
					     .cpv = s->res->v[i].cpv,
					     .done = &e->done,
					     .seconds = gild_now() - s->t0 -
							e->started});
		return;
	}
	if (r && r[0] == 'E') {
		decode_err(r + 2, &err);
		fail(s, i, &err);
		return;
	}
	if (WIFSIGNALED(status))
		(void)gild_fail(&err, -GILD_E_BUILD, NULL,
				"the build of '%s' was killed by signal %d",
				s->res->v[i].cpv, WTERMSIG(status));
	else
		(void)gild_fail(&err, -GILD_E_BUILD, NULL,
				"the build of '%s' ended (status %d) without "
				"a result",
				s->res->v[i].cpv, WEXITSTATUS(status));
	fail(s, i, &err);
}

/* An entry's build ended ("D" or "E" came, or the process did): its
 * slot is free. */
static void slot_free(struct sched *s, size_t i)
{
	s->n_running--;
	s->prog.busy += gild_now() - s->t0 - s->v[i].started;
}

static void child_input(struct sched *s, size_t i, const char *line)
{
	struct sp *e = &s->v[i];

	/* done already: only what went wrong after still matters */
	if (e->tail && line[0] != 'M')
		return;
	switch (line[0]) {
	case 'D':
		/* done before the work directory is removed: the next
		 * build may start while this process ends */
		free(e->result);
		e->result = xstrdup(line);
		slot_free(s, i);
		e->tail = true;
		s->n_tail++;
		conclude(s, i, 0);
		break;
	case 'P':
		/* the first step of a real build (a reused package has
		 * none): from here on it is "building" */
		if (!e->phase) {
			s->prog.started++;
			emit(s, (struct build_event){.kind = BUILD_EV_START,
						     .cpv = s->res->v[i].cpv});
		}
		free(e->phase);
		e->phase = xstrdup(line + 2);
		emit(s, (struct build_event){.kind = BUILD_EV_PHASE,
					     .cpv = s->res->v[i].cpv,
					     .phase = e->phase});
		break;
	case 'M':
		emit(s, (struct build_event){
			    .kind = BUILD_EV_MESSAGE,
			    .cpv = s->res->v[i].cpv,
			    .text =
				line + 2 +
				(gild_startswith(line + 2, "gild: ") ? 6 : 0)});
		break;
	default:
		free(e->result);
		e->result = xstrdup(line);
	}
}

/* Reads what child i wrote; at its end, reaps it. */
static void drain(struct sched *s, size_t i)
{
	struct sp *e = &s->v[i];
	char buf[4096];
	ssize_t n;
	int status = 0;

	while ((n = read(e->fd, buf, sizeof(buf))) > 0)
		gild_buf_add(&e->in, buf, (size_t)n);
	for (char *nl; (nl = memchr(e->in.p, '\n', e->in.n));) {
		size_t len = (size_t)(nl - e->in.p);
		_cleanup_free_ char *line = xstrndup(e->in.p, len);
		memmove(e->in.p, nl + 1, e->in.n - len - 1);
		e->in.n -= len + 1;
		child_input(s, i, line);
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !s->stop_reading)
		return;
	if (n < 0) /* the pipe is unusable: do not wait for a build on */
		(void)kill(e->pid, SIGKILL);
	close(e->fd);
	e->fd = -1;
	while (waitpid(e->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (e->tail) {
		e->tail = false;
		s->n_tail--;
		return;
	}
	slot_free(s, i);
	conclude(s, i, status);
}

/* ---- fetching ahead -------------------------------------------------- */

/* While packages build, one more process fetches the sources of those
 * still waiting, in the order they will start, so a build rarely waits
 * for its download (emerge's parallel-fetch). A package whose build-id
 * is already in PKGDIR is skipped: it will be reused without sources.
 * Its failures are left to the build, which fetches again and reports. */
static _Noreturn void prefetch_main(struct sched *s, const size_t *order)
{
	struct build_opts o = *s->o;
	struct gild_err err = GILD_ERR_INIT;
	FILE *null = fopen("/dev/null", "we");

	release_signals();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != s->parent)
		_exit(1);
	if (null)
		s->env->ctx->diag = null;
	o.fetch_only = true;
	for (size_t k = 0; k < s->n; k++) {
		struct sp *e = &s->v[order[k]];
		_cleanup_(build_forecast_release) struct build_forecast f = {0};
		_cleanup_free_ char *pkg = NULL;
		enum build_outcome out;
		if (!e->rc)
			continue;
		if (build_recipe_forecast(s->env, e->rc, s->o, &f, &err) == 0 &&
		    binrepo_find_build_id(s->env->repo, f.build_id))
			continue;
		(void)build_recipe(s->env, e->rc, &o, &out, &pkg, &err);
	}
	_exit(0);
}

static int cmp_prio_desc(const void *a, const void *b, void *ud)
{
	const struct sched *s = ud;
	double pa = s->v[*(const size_t *)a].prio;
	double pb = s->v[*(const size_t *)b].prio;

	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

static pid_t start_prefetch(struct sched *s)
{
	_cleanup_free_ size_t *order = xcalloc(s->n + 1, sizeof(size_t));
	pid_t pid;

	for (size_t i = 0; i < s->n; i++)
		order[i] = i;
	qsort_r(order, s->n, sizeof(size_t), cmp_prio_desc, s);
	fflush(NULL);
	if ((pid = fork_blocked()) == 0)
		prefetch_main(s, order);
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
	return pid;
}

static void stop_prefetch(pid_t pid)
{
	if (pid <= 0)
		return;
	(void)kill(pid, SIGTERM);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ---- the loop -------------------------------------------------------- */

/* Builds get sig; one that is done and only removing its work directory
 * is left to finish, unless sig is SIGKILL (it does not end). */
static void stop_children(struct sched *s, int sig)
{
	for (size_t i = 0; i < s->n; i++)
		if ((s->v[i].state == SP_RUNNING ||
		     (s->v[i].tail && sig == SIGKILL)) &&
		    s->v[i].pid > 0)
			(void)kill(s->v[i].pid, sig);
}

static void wait_events(struct sched *s)
{
	size_t max = s->n_running + s->n_tail + 1;
	_cleanup_free_ struct pollfd *pf = xcalloc(max, sizeof(*pf));
	_cleanup_free_ size_t *idx = xcalloc(max, sizeof(*idx));
	size_t n = 0;
	int r;

	pf[n++] = (struct pollfd){.fd = signal_pipe[0], .events = POLLIN};
	for (size_t i = 0; i < s->n && n < max; i++)
		if ((s->v[i].state == SP_RUNNING || s->v[i].tail) &&
		    s->v[i].fd >= 0) {
			idx[n] = i;
			pf[n++] =
			    (struct pollfd){.fd = s->v[i].fd, .events = POLLIN};
		}
	r = poll(pf, n, 1000);
	if (r == 0) {
		emit(s, (struct build_event){.kind = BUILD_EV_TICK});
		return;
	}
	if (r < 0) {
		if (errno == EINTR)
			return; /* a signal: the loop looks at it */
		/* cannot wait for the builds any more: stop them */
		s->stop = s->stop_reading = true;
		stop_children(s, SIGKILL);
		for (size_t k = 1; k < n; k++)
			drain(s, idx[k]);
		return;
	}
	if (pf[0].revents) {
		char c[16];
		while (read(signal_pipe[0], c, sizeof(c)) > 0)
			;
	}
	for (size_t k = 1; k < n; k++)
		if (pf[k].revents)
			drain(s, idx[k]);
}

static int run_loop(struct sched *s, struct gild_err *err)
{
	int killed = 0;
	int r;

	for (;;) {
		/* the first signal stops the builds; a second one (a build
		 * that does not stop) kills them */
		if (signal_count > killed) {
			s->stop = true;
			stop_children(s, killed ? SIGKILL : SIGTERM);
			killed = signal_count;
		}
		if ((r = start_ready(s, err)) < 0) {
			s->stop = true;
			if (!s->first.code)
				s->first = *err;
		}
		if (!s->n_running && !s->n_tail)
			break;
		wait_events(s);
	}
	return 0;
}

void sched_release(struct sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].pre);
		free(s->v[i].post);
		free(s->v[i].phase);
		free(s->v[i].result);
		gild_buf_release(&s->v[i].in);
	}
	free(s->v);
	free(s->running);
	times_release(&s->times);
	gild_strv_release(&s->failed);
	gild_strv_release(&s->plan_names);
}

static unsigned choose_jobs(const struct build_env *env,
			    const struct build_opts *o)
{
	unsigned jobs = o->jobs ? o->jobs : (unsigned)env->jobs;

	if (o->fetch_only && jobs > 4)
		jobs = 4; /* a few connections at once, as a mirror likes */
	return jobs ? jobs : 1;
}

static int outcome(struct sched *s, struct gild_err *err)
{
	size_t left = 0;

	for (size_t i = 0; i < s->n; i++)
		left += s->v[i].state == SP_WAITING;
	if (caught_signal)
		return gild_fail(err, -EINTR, NULL,
				 "interrupted by signal %d (%s): %zu packages "
				 "not built; run the same command again to go "
				 "on",
				 (int)caught_signal, strsignal(caught_signal),
				 left + s->prog.failed);
	if (!s->first.code)
		return 0;
	if (s->prog.failed <= 1) { /* one failed, or gild itself (a fork) */
		*err = s->first;
		return err->code;
	}
	{
		_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
		for (size_t i = 0; i < s->failed.n; i++)
			gild_buf_printf(&b, "%s%s", i ? ", " : "",
					s->failed.v[i]);
		return gild_fail(err, -GILD_E_BUILD, NULL,
				 "%zu packages failed: %s", s->prog.failed,
				 gild_buf_str(&b));
	}
}

/* PKGDIR's index, which the build processes leave alone (defer_index),
 * written once for the plan's new packages, also after a failure or an
 * interruption. Not writing it loses nothing (a stale index is found
 * out and rebuilt by its next reader), so a failure is only a warning. */
static void write_index(struct sched *s)
{
	struct gild_err err = GILD_ERR_INIT;

	if (s->prog.built == 0 || s->o->output_pkgdir)
		return;
	if (binrepo_reindex(s->env->pkgdir, &s->env->repo, &err) < 0)
		gild_ctx_warn(s->env->ctx, "PKGDIR's index not written: %s",
			      err.msg);
}

int build_sched_run(struct build_env *env, const struct build_opts *o,
		    const struct plan *p, const struct recipe *const *recipes,
		    build_report_fn report, void *ud, struct build_result *res,
		    struct gild_err *err)
{
	struct sched s = {.env = env,
			  .o = o,
			  .p = p,
			  .res = res,
			  .report = report,
			  .ud = ud,
			  .n = p->n};
	pid_t prefetch;
	int r;

	s.v = xcalloc(p->n + 1, sizeof(*s.v));
	s.running = xcalloc(p->n + 1, sizeof(*s.running));
	s.jobs = choose_jobs(env, o);
	s.t0 = gild_now();
	s.parent = getpid();
	sigprocmask(SIG_SETMASK, NULL, &s.mask);
	caught_signal = signal_count = 0;
	for (size_t i = 0; i < p->n; i++) {
		s.v[i].fd = -1;
		s.v[i].in = (struct gild_buf)GILD_BUF_INIT;
		s.v[i].rc = recipes[i];
		s.prog.total += !res->v[i].provided;
	}
	times_load(&s.times, env->tmpdir);
	if (!o->fetch_only)
		link_prerequisites(&s);
	set_priorities(&s);
	if ((r = catch_signals(err)) < 0) {
		sched_release(&s);
		return r;
	}
	/* with one slot, or when fetching is all there is, nothing to
	 * overlap; a plan with one package to build neither */
	prefetch = !o->fetch_only && s.jobs > 1 && s.prog.total > 1
		       ? start_prefetch(&s)
		       : -1;
	run_loop(&s, err);
	stop_prefetch(prefetch);
	release_signals();
	write_index(&s);
	emit(&s, (struct build_event){.kind = BUILD_EV_END});
	r = outcome(&s, err);
	sched_release(&s);
	return r;
}
