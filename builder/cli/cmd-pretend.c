/* cmd-pretend.c: `gild pretend` (emerge -pv) and `gild why`. */
#include "build/build.h"
#include "cli/cli.h"
#include "resolve/resolve.h"

/* Print the problems (no solution, build-time cycles) to diag. */
static void print_problems(struct gild_ctx *ctx, const struct plan *p)
{
	for (size_t i = 0; i < p->problems.n; i++)
		fprintf(ctx->diag, "%s%s\n",
			p->unsolvable ? "" : "error: ", p->problems.v[i]);
}

static int plan_status(struct gild_ctx *ctx, const struct plan *p)
{
	if (p->unsolvable)
		return gild_fail(&ctx->err, -GILD_E_NOSOLUTION, NULL,
				 "cannot resolve the targets: %zu problem%s",
				 p->problems.n, p->problems.n == 1 ? "" : "s");
	if (p->build_cycle)
		return gild_fail(&ctx->err, -GILD_E_CYCLE, NULL,
				 "the plan has a build-time dependency cycle");
	return 0;
}

/* Load, add targets, solve: the common part of pretend and why. */
static int solve_targets(struct gild_ctx *ctx, bool emptytree, const char *root,
			 char **targets, int n, struct rtree **rtp,
			 struct plan **plan, struct resolver **r)
{
	_cleanup_(rtree_freep) struct rtree *rt = NULL;
	double t0 = gild_now(), t_load;
	int rc;

	if ((rc = rtree_load(ctx, emptytree, &rt, &ctx->err)) < 0 ||
	    (!emptytree && (rc = rtree_add_built(rt, root)) < 0) ||
	    (rc = rtree_add_targets(rt, targets, n)) < 0)
		return rc;
	t_load = gild_now() - t0;
	gild_ctx_debug(ctx,
		       "timing: config %.3f s, stamp %.3f s, "
		       "versions from %s %.3f s",
		       rt->t_config - rt->t_start,
		       rt->t_fingerprint - rt->t_config,
		       rt->cache_hit ? "cache" : "tree",
		       rt->t_versions - rt->t_fingerprint);
	rc = rs_input_solve(rt->in, plan, r, &ctx->err);
	rtree_warn_skipped(rt, ctx);
	if (rc < 0)
		return rc;
	if (rt->cache_hit)
		gild_ctx_debug(ctx,
			       "cache: %zu package%s read again from the tree",
			       rt->nrefreshed, rt->nrefreshed == 1 ? "" : "s");
	gild_ctx_debug(ctx,
		       "timing: load %.3f s, pool %.3f s, solve %.3f s, "
		       "order %.3f s, explain %.3f s",
		       t_load, (*plan)->t_pool, (*plan)->t_solve,
		       (*plan)->t_order, (*plan)->t_explain);
	*rtp = TAKE_PTR(rt);
	return 0;
}

/* --verify: check the printed plan against every dependency (tests). */
static int verify_plan(struct gild_ctx *ctx, const struct plan *p,
		       const struct resolver *r)
{
	struct gild_strv bad = GILD_STRV_INIT;
	size_t n = plan_verify(p, r, &bad);

	for (size_t i = 0; i < bad.n; i++)
		fprintf(ctx->diag, "violation: %s\n", bad.v[i]);
	fprintf(ctx->diag,
		"verified: %zu packages, %zu requirements, %zu "
		"violations\n",
		p->n, n, bad.n);
	n = bad.n;
	gild_strv_release(&bad);
	if (n)
		return gild_fail(&ctx->err, -GILD_E_INVALID, NULL,
				 "the plan violates %zu requirement%s", n,
				 n == 1 ? "" : "s");
	return plan_status(ctx, p);
}

/* --root, else ROOT= (emerge's), else none: without an installed root
 * only the binary repository is reused. */
static const char *root_dir(const char *opt)
{
	const char *env = getenv("ROOT");

	if (opt)
		return opt;
	return env && *env && strcmp(env, "/") ? env : NULL;
}

/* The resolver reuses a binary package of the same version, USE and
 * sub-slots; `gild build` reuses one only of the same build-id (which
 * also covers the recipe, its files, the distfiles, the flags and the
 * dependencies' builds). The build-ids are computed as the build will,
 * so that what pretend shows is what build does. Only when the plan
 * reuses something: otherwise there is nothing to correct. */
static void predict_build_ids(struct gild_ctx *ctx, struct plan *p,
			      const struct resolver *r)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	struct gild_err err = GILD_ERR_INIT;
	size_t binary = 0;

	for (size_t i = 0; i < p->n; i++)
		binary += p->v[i].action == PLAN_BINARY;
	if (!binary)
		return;
	if (build_env_open(ctx, &env, &err) < 0 ||
	    build_predict_plan(env, p, r, &err) < 0)
		gild_ctx_warn(ctx,
			      "cannot tell which binary packages the build "
			      "will reuse (%s); [binary] shows the resolver's "
			      "view",
			      err.msg);
}

enum { OPT_EMPTYTREE = 0x2000, OPT_TREE_DISPLAY, OPT_VERIFY, OPT_ROOT };

/* pretend's and why's own options */
struct pretend_args {
	const char *root;
	bool emptytree, tree, verify;
};

static int pretend_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct pretend_args *a = ud;

	(void)ctx;
	if (c == OPT_EMPTYTREE || c == 'e')
		a->emptytree = true;
	else if (c == OPT_TREE_DISPLAY || c == 't')
		a->tree = true;
	else if (c == OPT_VERIFY)
		a->verify = true;
	else if (c == OPT_ROOT)
		a->root = arg;
	return 0;
}

int cmd_pretend(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"emptytree", no_argument, NULL, OPT_EMPTYTREE},
	    {"tree", no_argument, NULL, OPT_TREE_DISPLAY},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"verify", no_argument, NULL, OPT_VERIFY},
	    {0}};
	_cleanup_(rtree_freep) struct rtree *rt = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct resolver *r = NULL;
	struct pretend_args a = {0};
	/* --tree is emerge's display flag here: the tree is -C/--tree-dir */
	struct cli_opts o = {.opts = opts,
			     .shortopts = "et",
			     .own_tree_flag = true,
			     .fn = pretend_opt,
			     .ud = &a};
	const char *root;
	bool emptytree, tree, verify;
	int status, rc;

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	root = a.root;
	emptytree = a.emptytree;
	tree = a.tree;
	verify = a.verify;
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "no target given");
	if ((rc = solve_targets(ctx, emptytree, root_dir(root), argv + optind,
				argc - optind, &rt, &p, &r)) < 0)
		return rc;
	/* --verify checks the resolver's own plan: shown as it made it */
	if (!emptytree && !verify && !p->unsolvable && !p->build_cycle)
		predict_build_ids(ctx, p, r);
	plan_print(ctx->out, p, r,
		   ctx->json ? PLAN_JSON
		   : tree    ? PLAN_TREE
			     : PLAN_TEXT);
	if (!ctx->json)
		print_problems(ctx, p);
	if (verify && !p->unsolvable)
		return verify_plan(ctx, p, r);
	return plan_status(ctx, p);
}

/* After the chains: which configuration line set each flag of the
 * package (use_flag_origin), so `why` also says why it is built so. */
static void print_use_origins(struct gild_ctx *ctx, struct rtree *rt,
			      const struct rs_pkg *k)
{
	_cleanup_free_ char *cat = xstrdup(k->cpn);
	char *pn = strchr(cat, '/');
	struct use_pkg p = {.category = cat,
			    .pn = pn + 1,
			    .pvr = k->pvr,
			    .slot = k->slot,
			    .subslot = k->subslot};

	*pn = 0;
	for (size_t i = 0; k->iuse && k->iuse[i]; i++) {
		bool on = false;
		_cleanup_free_ char *where = NULL;
		for (size_t u = 0; k->use && k->use[u]; u++)
			on |= !strcmp(k->use[u], k->iuse[i]);
		if ((where = use_flag_origin(rt->env, &p, k->iuse[i], on)))
			fprintf(ctx->out, "USE flag '%s' is %s by %s\n",
				k->iuse[i], on ? "enabled" : "disabled", where);
	}
}

int cmd_why(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"emptytree", no_argument, NULL, OPT_EMPTYTREE},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {0}};
	_cleanup_(rtree_freep) struct rtree *rt = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct resolver *r = NULL;
	char *deflt[] = {"@system", NULL};
	struct pretend_args a = {0};
	struct cli_opts o = {
	    .opts = opts, .shortopts = "e", .fn = pretend_opt, .ud = &a};
	const char *root;
	bool emptytree;
	int status, rc, pkg;

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	root = a.root;
	emptytree = a.emptytree;
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "no package given");
	if ((rc = solve_targets(ctx, emptytree, root_dir(root),
				optind + 1 < argc ? argv + optind + 1 : deflt,
				optind + 1 < argc ? argc - optind - 1 : 1, &rt,
				&p, &r)) < 0)
		return rc;
	if (p->unsolvable) {
		print_problems(ctx, p);
		return plan_status(ctx, p);
	}
	pkg = rs_input_find(rt->in, argv[optind]);
	if (pkg < 0 || plan_find(p, pkg) < 0)
		return gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
				 "'%s' is not in the plan", argv[optind]);
	plan_print_why(ctx->out, p, r, pkg);
	print_use_origins(ctx, rt, resolver_pkg(r, pkg));
	return 0;
}
