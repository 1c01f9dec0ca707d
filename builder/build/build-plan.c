/* build-plan.c: a whole plan built (`gild build TARGET...`, and what
 * `gild image` builds before it installs): the resolver's plan, as
 * `gild pretend` shows it, handed to the scheduler (build-sched.c), each
 * package built or reused by build-id. The
 * result keeps, per package, its binary package and its runtime
 * dependencies inside the plan, which is what an image needs. */
#include "build/build.h"
#include "repo/repo.h"
#include "resolve/resolve.h"

void build_result_free(struct build_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->v[i].cpv);
		free(res->v[i].pkg_path);
		free(res->v[i].rdeps);
	}
	free(res->v);
	free(res);
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

/* A binary package of the plan whose recipe the tree no longer has: its
 * file, found by category and PF among the repository's packages. */
static char *binary_path(struct build_env *env, const char *cpv)
{
	const char *slash = strchr(cpv, '/');

	for (size_t i = 0; slash && i < env->repo->n; i++) {
		const struct binrepo_pkg *b = &env->repo->pkgs[i];
		if (!b->error && strlen(b->category) == (size_t)(slash - cpv) &&
		    !strncmp(b->category, cpv, slash - cpv) &&
		    !strcmp(b->pf, slash + 1))
			return gild_path_join(env->pkgdir, b->relpath);
	}
	return NULL;
}

/* The runtime edges of entry e (RDEPEND, PDEPEND, IDEPEND), as indices
 * into the result, which holds the plan's entries in plan order. */
static void runtime_edges(const struct plan *p, const struct plan_entry *e,
			  struct build_pkg *out)
{
	static const enum dep_class runtime[] = {DEP_RDEPEND, DEP_PDEPEND,
						 DEP_IDEPEND};

	for (size_t c = 0; c < sizeof(runtime) / sizeof(*runtime); c++)
		for (size_t k = 0; k < e->ndeps[runtime[c]]; k++) {
			int d = plan_find(p, e->deps[runtime[c]][k]);
			if (d < 0)
				continue;
			out->rdeps = xrealloc(out->rdeps, (out->n_rdeps + 1) *
							      sizeof(size_t));
			out->rdeps[out->n_rdeps++] = (size_t)d;
		}
}

static int solve_targets(struct build_env *env, const struct build_opts *o,
			 char **targets, int n, struct rtree **rt,
			 struct plan **p, struct resolver **rs,
			 struct gild_err *err)
{
	struct gild_ctx *ctx = env->ctx;
	int r;

	if ((r = rtree_load(ctx, o->rebuild, rt, err)) < 0 ||
	    (!o->rebuild && (r = rtree_add_built(*rt, NULL)) < 0) ||
	    (r = rtree_add_targets(*rt, targets, n)) < 0)
		return r;
	r = rs_input_solve((*rt)->in, p, rs, err);
	rtree_warn_skipped(*rt, ctx);
	if (r < 0)
		return r;
	for (size_t i = 0; i < (*p)->problems.n; i++)
		fprintf(ctx->diag, "%s\n", (*p)->problems.v[i]);
	if ((*p)->unsolvable || (*p)->build_cycle)
		return gild_fail(
		    err, -GILD_E_NOSOLUTION, NULL,
		    "no build plan for the targets (see 'gild pretend')");
	return 0;
}

/* What the scheduler needs of entry i: its recipe, or nothing to build
 * (provided, or a binary package whose recipe the tree no longer has). */
static int entry_recipe(struct build_env *env, const struct resolver *rs,
			const struct plan_entry *e, struct build_pkg *bp,
			const struct recipe **out, struct gild_err *err)
{
	*out = NULL;
	if (e->action == PLAN_KEEP) {
		bp->provided = true;
		return 0;
	}
	if ((*out = plan_recipe(env, rs, e->pkg)))
		return 0;
	if (e->action == PLAN_BINARY &&
	    (bp->pkg_path = binary_path(env, bp->cpv)))
		return 0;
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "planned '%s' is not in the tree", bp->cpv);
}

/* The result's entries (cpv, runtime edges, provided) and the recipe of
 * each entry that has something to build. */
static int plan_entries(struct build_env *env, const struct plan *p,
			const struct resolver *rs, struct build_result *res,
			const struct recipe ***recipes, struct gild_err *err)
{
	int r;

	res->v = xcalloc(p->n ? p->n : 1, sizeof(*res->v));
	res->n = p->n;
	*recipes = xcalloc(p->n + 1, sizeof(**recipes));
	for (size_t i = 0; i < p->n; i++) {
		struct build_pkg *bp = &res->v[i];
		bp->target = p->v[i].depth == 0;
		bp->cpv = xstrdup(resolver_cpv(rs, p->v[i].pkg));
		runtime_edges(p, &p->v[i], bp);
		if ((r = entry_recipe(env, rs, &p->v[i], bp, &(*recipes)[i],
				      err)) < 0)
			return r;
	}
	return 0;
}

int build_plan(struct build_env *env, char **targets, int n,
	       const struct build_opts *o, build_report_fn report, void *ud,
	       struct build_result **out, struct gild_err *err)
{
	_cleanup_(rtree_freep) struct rtree *rt = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	_cleanup_(build_result_freep) struct build_result *res =
	    xcalloc(1, sizeof(*res));
	_cleanup_free_ const struct recipe **recipes = NULL;
	struct resolver *rs = NULL;
	int r;

	if ((r = solve_targets(env, o, targets, n, &rt, &p, &rs, err)) < 0 ||
	    (r = plan_entries(env, p, rs, res, &recipes, err)) < 0 ||
	    (r = build_sched_run(env, o, p, recipes, report, ud, res, err)) < 0)
		return r;
	*out = TAKE_PTR(res);
	return 0;
}

int build_predict_plan(struct build_env *env, struct plan *p,
		       const struct resolver *rs, struct gild_err *err)
{
	_cleanup_(build_result_freep) struct build_result *res =
	    xcalloc(1, sizeof(*res));
	_cleanup_free_ const struct recipe **recipes = NULL;
	struct build_opts o = {0};
	int r;

	if ((r = plan_entries(env, p, rs, res, &recipes, err)) < 0)
		return r;
	return build_sched_predict(env, &o, p, recipes, res, err);
}
