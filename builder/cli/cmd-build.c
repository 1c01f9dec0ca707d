/* cmd-build.c: `gild build TARGET...`: the targets' plan built into
 * binary packages, several at once as the dependency graph allows,
 * reusing what the binary repository already holds (as `emerge
 * --buildpkgonly --jobs`). With --nodeps, exactly the named packages: their
 * build-time dependencies must already be built (or provided by the
 * stage), else the error names every missing one. */
#include "build/build.h"
#include "cli/cli.h"
#include "resolve/resolve.h"

#include <errno.h>
#include <sys/stat.h>

enum {
	OPT_KEEP_WORK = 0x2000,
	OPT_REBUILD,
	OPT_FETCHONLY,
	OPT_TIMEOUT,
	OPT_NODEPS,
	OPT_VERIFY,
};

struct build_cli {
	struct build_opts o;
	struct cli_sched sched;
	bool nodeps;
};

static int build_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct build_cli *b = ud;
	uint64_t v;
	int st;

	switch (c) {
	case OPT_KEEP_WORK:
		b->o.keep_work = true;
		break;
	case OPT_REBUILD:
		b->o.rebuild = true;
		break;
	case OPT_FETCHONLY:
		b->o.fetch_only = true;
		break;
	case OPT_NODEPS:
		b->nodeps = true;
		break;
	case OPT_VERIFY:
		b->o.verify_reproducible = true;
		break;
	case OPT_TIMEOUT:
		if ((st = gild_ctx_number_opt(ctx, "--phase-timeout", arg,
					      7 * 86400, &v)))
			return st;
		b->o.phase_timeout = (unsigned)v;
		break;
	}
	return 0;
}

static int parse_build_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct build_cli *b, int *status)
{
	static const struct option opts[] = {
	    {"keep-work", no_argument, NULL, OPT_KEEP_WORK},
	    {"rebuild", no_argument, NULL, OPT_REBUILD},
	    {"fetchonly", no_argument, NULL, OPT_FETCHONLY},
	    {"phase-timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"nodeps", no_argument, NULL, OPT_NODEPS},
	    {"verify-reproducible", no_argument, NULL, OPT_VERIFY},
	    {0}};
	struct cli_opts o = {
	    .opts = opts, .sched = &b->sched, .fn = build_opt, .ud = b};
	int first = cli_parse_opts(ctx, argc, argv, &o, status);

	if (first < 0)
		return -1;
	cli_sched_apply(&b->sched, &b->o);
	if (first >= argc) {
		*status = gild_ctx_usage_error(ctx, "no target given");
		return -1;
	}
	optind = first;
	return 0;
}

/* --nodeps reports as the scheduler does: the package's first step
 * makes it "building" (a reused package shows no progress), each step a
 * phase event. */
struct named_progress {
	struct cli_progress *prog;
	struct build_progress g;
	const char *cpv;
	bool started;
	double t0;
};

static const struct build_progress *named_now(struct named_progress *np)
{
	np->g.elapsed = gild_now() - np->t0;
	return &np->g;
}

static void named_phase(void *ud, const char *phase)
{
	struct named_progress *np = ud;

	if (!np->started) {
		np->started = true;
		np->g.started++;
		cli_progress_event(
		    np->prog, &(struct build_event){.kind = BUILD_EV_START,
						    .cpv = np->cpv,
						    .progress = named_now(np)});
	}
	cli_progress_event(np->prog,
			   &(struct build_event){.kind = BUILD_EV_PHASE,
						 .cpv = np->cpv,
						 .phase = phase,
						 .progress = named_now(np)});
}

static int build_one_named(struct build_env *env, const struct build_opts *o,
			   const char *target, struct named_progress *np,
			   struct gild_err *err)
{
	const struct recipe *rc;
	_cleanup_free_ char *pkg = NULL, *cpv = NULL;
	struct build_done d = {0};
	double t0 = gild_now();
	int r;

	if ((r = build_find_recipe(env, target, &rc, err)) < 0)
		return r;
	np->cpv = cpv = xasprintf("%s/%s", rc->category, rc->pf);
	np->started = false;
	r = build_recipe(env, rc, o, &d.outcome, &pkg, err);
	if (r == 0 && o->verify_reproducible)
		r = build_verify_reproducible(env, rc, o, pkg, err);
	if (r < 0) {
		np->cpv = NULL; /* freed on return */
		return r;
	}
	double secs = gild_now() - t0;

	np->g.done++;
	if (d.outcome == BUILD_BUILT) {
		np->g.built++;
		np->g.busy += secs;
	} else {
		np->g.reused++;
	}
	d.cpv = cpv;
	d.pkg_path = pkg;
	d.recipe = rc;
	cli_progress_event(np->prog,
			   &(struct build_event){.kind = BUILD_EV_DONE,
						 .cpv = cpv,
						 .done = &d,
						 .seconds = secs,
						 .progress = named_now(np)});
	np->cpv = NULL;
	return 0;
}

/* --nodeps: exactly the named packages, one after another; their
 * build-time dependencies must already be in the binary repository. */
static int build_named(struct gild_ctx *ctx, struct build_env *env,
		       const struct build_cli *b, char **targets, int n)
{
	struct cli_progress prog;
	struct named_progress np = {.prog = &prog,
				    .g = {.total = (size_t)n, .jobs = 1},
				    .t0 = gild_now()};
	int r = 0;

	cli_progress_init(&prog, ctx, b->sched.json_events);
	env->on_phase = named_phase;
	env->on_phase_ud = &np;
	for (int i = 0; i < n && r == 0; i++)
		r = build_one_named(env, &b->o, targets[i], &np, &ctx->err);
	env->on_phase = NULL;
	if (r == -GILD_E_BUILD) {
		const char *log = strstr(ctx->err.msg, "; log: ");
		np.g.failed++;
		cli_progress_event(
		    &prog, &(struct build_event){.kind = BUILD_EV_FAILED,
						 .cpv = "",
						 .err = &ctx->err,
						 .log = log ? log + 7 : NULL,
						 .progress = named_now(&np)});
	}
	cli_progress_event(&prog,
			   &(struct build_event){.kind = BUILD_EV_END,
						 .progress = named_now(&np)});
	cli_progress_release(&prog);
	return r;
}

/* The resolver's plan (as `gild pretend` shows it), built as a graph. */
static int build_planned(struct gild_ctx *ctx, struct build_env *env,
			 const struct build_cli *b, char **targets, int n)
{
	_cleanup_(build_result_freep) struct build_result *res = NULL;
	struct cli_progress prog;
	int r;

	cli_progress_init(&prog, ctx, b->sched.json_events);
	r = build_plan(env, targets, n, &b->o, cli_progress_event, &prog, &res,
		       &ctx->err);
	r = cli_progress_status(&prog, r);
	cli_progress_release(&prog);
	return r;
}

int cmd_build(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	struct build_cli b = {0};
	int status = 0, r;

	if (parse_build_opts(argc, argv, ctx, &b, &status) < 0) {
		cli_sched_release(&b.sched);
		return status;
	}
	/* What gild creates for a build (the work area, an unpacked stage,
	 * the packages a binhost serves) has the same modes whatever the
	 * caller's umask (CIS asks 027 or 077 of root): the build user, an
	 * unprivileged uid, must read it, and a build must not depend on who
	 * ran it. emerge sets 022 the same way. */
	umask(022);
	r = build_env_open(ctx, &env, &ctx->err);
	if (r == 0 && b.nodeps)
		r = build_named(ctx, env, &b, argv + optind, argc - optind);
	else if (r == 0)
		r = build_planned(ctx, env, &b, argv + optind, argc - optind);
	cli_sched_release(&b.sched);
	return r;
}
