/* cmd-build.c: `gild build TARGET...`: build binary packages, one at a
 * time in order, reusing what the binary repository already holds (as
 * `emerge --buildpkgonly`). Each target is an atom; its build-time
 * dependencies must already be built (or provided by the stage), else the
 * error names every missing one. */
#include "build/build.h"
#include "cli/cli.h"
#include "resolve/resolve.h"

#include <sys/stat.h>

enum {
	OPT_KEEP_WORK = 0x2000,
	OPT_REBUILD,
	OPT_FETCHONLY,
	OPT_TIMEOUT,
	OPT_NODEPS,
};

static int parse_build_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct build_opts *o, bool *nodeps, int *status)
{
	static const struct option opts[] = {
	    GILD_TREE_LONGOPT,
	    GILD_COMMON_LONGOPTS,
	    {"keep-work", no_argument, NULL, OPT_KEEP_WORK},
	    {"rebuild", no_argument, NULL, OPT_REBUILD},
	    {"fetchonly", no_argument, NULL, OPT_FETCHONLY},
	    {"phase-timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"nodeps", no_argument, NULL, OPT_NODEPS},
	    {0}};
	int c, h;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if ((h = gild_ctx_common_opt(ctx, c, optarg, status)) < 0)
			return -1;
		if (h > 0)
			continue;
		switch (c) {
		case OPT_KEEP_WORK:
			o->keep_work = true;
			break;
		case OPT_REBUILD:
			o->rebuild = true;
			break;
		case OPT_FETCHONLY:
			o->fetch_only = true;
			break;
		case OPT_NODEPS:
			*nodeps = true;
			break;
		case OPT_TIMEOUT: {
			uint64_t v;
			if ((*status =
				 gild_ctx_number_opt(ctx, "--phase-timeout",
						     optarg, 7 * 86400, &v)))
				return -1;
			o->phase_timeout = (unsigned)v;
			break;
		}
		}
	}
	if (optind >= argc) {
		*status = gild_ctx_usage_error(ctx, "no target given");
		return -1;
	}
	return 0;
}

/* On a failed phase: the last lines of the log, so the cause is on the
 * screen (Portage prints the same, then the log's path). */
static void print_log_tail(struct gild_ctx *ctx, const struct gild_err *err)
{
	const char *p = strstr(err->msg, "; log: ");
	_cleanup_free_ char *text = NULL;
	size_t n, lines = 0, i;

	if (!p || gild_read_file(p + 7, &text, &n, NULL) < 0)
		return;
	for (i = n; i > 0; i--)
		if (text[i - 1] == '\n' && ++lines > 30)
			break;
	fprintf(ctx->diag, "--- last lines of %s ---\n%s", p + 7, text + i);
	if (n && text[n - 1] != '\n')
		fputc('\n', ctx->diag);
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

static int build_one(struct gild_ctx *ctx, struct build_env *env,
		     const struct build_opts *o, const struct recipe *rc,
		     enum build_outcome *out)
{
	_cleanup_free_ char *pkg = NULL;
	int r;

	r = build_recipe(env, rc, o, out, &pkg, &ctx->err);
	if (r < 0) {
		if (r == -GILD_E_BUILD)
			print_log_tail(ctx, &ctx->err);
		return r;
	}
	fprintf(ctx->out, ">>> %s/%s: %s%s%s\n", rc->category, rc->pf,
		outcome_word(*out), pkg ? " " : "", pkg ? pkg : "");
	fflush(ctx->out);
	return 0;
}

/* --nodeps: exactly the named packages; their build-time dependencies
 * must already be in the binary repository. */
static int build_named(struct gild_ctx *ctx, struct build_env *env,
		       const struct build_opts *o, char **targets, int n)
{
	int r;

	for (int i = 0; i < n; i++) {
		const struct recipe *rc;
		enum build_outcome out;
		if ((r = build_find_recipe(env, targets[i], &rc, &ctx->err)) <
			0 ||
		    (r = build_one(ctx, env, o, rc, &out)) < 0)
			return r;
	}
	return 0;
}

static const struct recipe *plan_recipe(struct build_env *env,
					const struct resolver *rs, int pkg)
{
	const struct rs_pkg *p = resolver_pkg(rs, pkg);
	_cleanup_free_ char *cpn = xstrdup(p->cpn);
	char *slash = strchr(cpn, '/');

	if (!slash)
		return NULL;
	*slash = '\0';
	return tree_find_recipe(env->tree, cpn, slash + 1, p->pvr);
}

/* One entry of the plan. pretend reuses a binary package of the same
 * version, USE and sub-slots; the build-id (which also covers the recipe,
 * distfiles, flags and the dependencies' builds) has the last word, and
 * a difference is said. */
static int build_entry(struct gild_ctx *ctx, struct build_env *env,
		       const struct build_opts *o, const struct resolver *rs,
		       const struct plan_entry *e)
{
	const struct recipe *rc = plan_recipe(env, rs, e->pkg);
	enum build_outcome out;
	int r;

	if (!rc && e->action == PLAN_BINARY) {
		fprintf(ctx->out,
			">>> %s: reused (a binary package; the tree "
			"no longer has its recipe)\n",
			resolver_cpv(rs, e->pkg));
		return 0;
	}
	if (!rc)
		return gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
				 "planned '%s' is not in the tree",
				 resolver_cpv(rs, e->pkg));
	if ((r = build_one(ctx, env, o, rc, &out)) < 0)
		return r;
	if (e->action == PLAN_BINARY && out == BUILD_BUILT && !o->rebuild)
		fprintf(ctx->out,
			"note: %s/%s was built again: its binary package "
			"came from other inputs (recipe, distfiles, "
			"flags or dependencies changed)\n",
			rc->category, rc->pf);
	return 0;
}

/* The resolver's plan (as `gild pretend` shows it: binary packages of the
 * same version and USE reused), built in order; packages whose build-id
 * is in the repository are reused. */
static int build_planned(struct gild_ctx *ctx, struct build_env *env,
			 const struct build_opts *o, char **targets, int n)
{
	_cleanup_(rtree_freep) struct rtree *rt = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct resolver *rs = NULL;
	int r;

	if ((r = rtree_load(ctx, o->rebuild, &rt, &ctx->err)) < 0 ||
	    (!o->rebuild && (r = rtree_add_built(rt, NULL)) < 0) ||
	    (r = rtree_add_targets(rt, targets, n)) < 0)
		return r;
	r = rs_input_solve(rt->in, &p, &rs, &ctx->err);
	rtree_warn_skipped(rt, ctx);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->problems.n; i++)
		fprintf(ctx->diag, "%s\n", p->problems.v[i]);
	if (p->unsolvable || p->build_cycle)
		return gild_fail(
		    &ctx->err, -GILD_E_NOSOLUTION, NULL,
		    "no build plan for the targets (see 'gild pretend')");
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].action != PLAN_KEEP &&
		    (r = build_entry(ctx, env, o, rs, &p->v[i])) < 0)
			return r;
	return 0;
}

int cmd_build(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	struct build_opts o = {0};
	bool nodeps = false;
	int status = 0, r;

	if (parse_build_opts(argc, argv, ctx, &o, &nodeps, &status) < 0)
		return status;
	/* What gild creates for a build (the work area, an unpacked stage,
	 * the packages a binhost serves) has the same modes whatever the
	 * caller's umask (CIS asks 027 or 077 of root): the build user, an
	 * unprivileged uid, must read it, and a build must not depend on who
	 * ran it. emerge sets 022 the same way. */
	umask(022);
	if ((r = build_env_open(ctx, &env, &ctx->err)) < 0)
		return r;
	if (nodeps)
		return build_named(ctx, env, &o, argv + optind, argc - optind);
	return build_planned(ctx, env, &o, argv + optind, argc - optind);
}
