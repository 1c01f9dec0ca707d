/* build-predict.c: what `gild build` would do with a plan, for `gild
 * pretend`: each entry's build-id computed as the build would, and
 * whether PKGDIR has it, or why it is built again. */
#include "build/build-sched-impl.h"

#include "repo/repo.h"
#include "resolve/resolve.h"

/* A forecast package added to the in-memory repository, so the
 * forecasts of what is built against it find it as the build will. */
static void add_forecast(struct binrepo *repo, const char *relpath,
			 struct build_forecast *f)
{
	struct binrepo_pkg *b;

	if (repo->n == repo->cap) {
		repo->cap = repo->cap ? repo->cap * 2 : 16;
		repo->pkgs = xrealloc(repo->pkgs, repo->cap * sizeof(*b));
	}
	b = &repo->pkgs[repo->n++];
	*b = (struct binrepo_pkg){
	    .relpath = xstrdup(relpath),
	    .category = xstrdup(gpkg_meta_get(&f->meta, "CATEGORY")),
	    .pf = xstrdup(gpkg_meta_get(&f->meta, "PF")),
	    .build_id = xstrdup(f->build_id),
	    .meta = f->meta};
	f->meta = (struct gpkg_meta)GPKG_META_INIT;
}

static bool same_use(const struct binrepo_pkg *b, const char *use)
{
	const char *u = gpkg_meta_get(&b->meta, "USE");

	return !strcmp(u ? u : "", use);
}

/* The package of the same version to say what changed against: of those
 * with the same USE the newest, else the newest. */
static const struct binrepo_pkg *same_version(const struct binrepo *repo,
					      const char *cpv, const char *use)
{
	const struct binrepo_pkg *best = NULL;
	const char *slash = strchr(cpv, '/');

	for (size_t k = 0; slash && k < repo->n; k++) {
		const struct binrepo_pkg *b = &repo->pkgs[k];
		if (b->error || strcmp(b->pf, slash + 1) ||
		    strlen(b->category) != (size_t)(slash - cpv) ||
		    strncmp(b->category, cpv, slash - cpv))
			continue;
		if (!best || same_use(b, use) > same_use(best, use) ||
		    (same_use(b, use) == same_use(best, use) &&
		     b->mtime > best->mtime))
			best = b;
	}
	return best;
}

/* "pf-<id12>.gpkg.tar" without the id: which package a dependency is. */
static char *dep_name(const char *relpath)
{
	const char *dash = strrchr(relpath, '-');

	return dash ? xstrndup(relpath, (size_t)(dash - relpath))
		    : xstrdup(relpath);
}

/* Why the build-id differs from the one of the package `old` of the same
 * version, in words: the first reason found of flags, USE, the stage,
 * a dependency built anew, or else the recipe and its files. */
static char *why_rebuild(const struct build_env *env,
			 const struct binrepo_pkg *old,
			 const struct build_forecast *f)
{
	static const char *const flags[] = {"CFLAGS", "CXXFLAGS", "LDFLAGS",
					    "CHOST", "FEATURES"};
	const char *olddeps = gpkg_meta_get(&old->meta, "BUILD_DEPS");
	const char *stage = gpkg_meta_get(&old->meta, "STAGE");

	for (size_t k = 0; k < GILD_ARRAY_SIZE(flags); k++) {
		const char *was = gpkg_meta_get(&old->meta, flags[k]);
		if (was && strcmp(was, config_get(env->cfg, flags[k])))
			return xasprintf("%s changed", flags[k]);
	}
	if (strcmp(gpkg_meta_get(&old->meta, "USE") ?: "",
		   gpkg_meta_get(&f->meta, "USE") ?: ""))
		return xstrdup("USE changed");
	if (stage && env->stage_id && strcmp(stage, env->stage_id))
		return xstrdup("the stage changed");
	for (size_t k = 0; olddeps && k < f->deps.n; k++)
		if (!gild_has_word(olddeps, f->deps.v[k])) {
			_cleanup_free_ char *name = dep_name(f->deps.v[k]);
			return xasprintf("dependency %s rebuilt", name);
		}
	return xstrdup("the recipe, its classes, files/ or distfiles "
		       "changed");
}

/* Entry i's forecast against what the repository holds: [binary] only
 * when its build-id is there. Returns the relpath it will have. */
static char *predict_entry(struct sched *s, size_t i, struct plan_entry *pe,
			   struct gild_strv *vis, struct gild_err *err)
{
	_cleanup_(build_forecast_release) struct build_forecast f = {0};
	const struct binrepo_pkg *have, *old;
	char *rel;

	s->env->visible = vis;
	s->env->plan_names = &s->plan_names;
	if (build_recipe_forecast(s->env, s->v[i].rc, s->o, &f, err) < 0) {
		s->env->visible = NULL;
		return NULL;
	}
	s->env->visible = NULL;
	if ((have = binrepo_find_build_id(s->env->repo, f.build_id))) {
		pe->action = PLAN_BINARY;
		return xstrdup(have->relpath);
	}
	rel = xasprintf("%s/%s-%.12s.gpkg.tar",
			gpkg_meta_get(&f.meta, "CATEGORY"),
			gpkg_meta_get(&f.meta, "PF"), f.build_id);
	if (pe->action == PLAN_BINARY || !pe->rebuild) {
		old = same_version(s->env->repo, s->res->v[i].cpv,
				   gpkg_meta_get(&f.meta, "USE"));
		free(pe->rebuild);
		pe->rebuild = old ? why_rebuild(s->env, old, &f) : NULL;
	}
	pe->action = PLAN_BUILD;
	add_forecast(s->env->repo, rel, &f);
	return rel;
}

int build_sched_predict(struct build_env *env, const struct build_opts *o,
			struct plan *p, const struct recipe *const *recipes,
			struct build_result *res, struct gild_err *err)
{
	struct sched s = {.env = env, .o = o, .p = p, .res = res, .n = p->n};
	_cleanup_free_ char **rel = xcalloc(p->n + 1, sizeof(char *));
	int r = 0;

	_cleanup_free_ struct {
		enum plan_action action;
		char *rebuild;
	} *saved = xcalloc(p->n + 1, sizeof(*saved));

	s.v = xcalloc(p->n + 1, sizeof(*s.v));
	for (size_t i = 0; i < p->n; i++) {
		s.v[i].rc = recipes[i];
		saved[i].action = p->v[i].action;
		saved[i].rebuild =
		    p->v[i].rebuild ? xstrdup(p->v[i].rebuild) : NULL;
	}
	link_prerequisites(&s);
	for (size_t i = 0; i < p->n && r == 0; i++) {
		_cleanup_strv_ struct gild_strv vis = GILD_STRV_INIT;
		if (!s.v[i].rc) {
			rel[i] = res->v[i].pkg_path
				     ? xstrdup(res->v[i].pkg_path +
					       strlen(env->pkgdir) + 1)
				     : NULL;
			continue;
		}
		for (size_t k = 0; k < s.v[i].n_pre; k++)
			if (rel[s.v[i].pre[k]])
				gild_strv_add(&vis, rel[s.v[i].pre[k]]);
		gild_strv_sort(&vis);
		if (!(rel[i] = predict_entry(&s, i, &p->v[i], &vis, err)))
			r = err->code ? err->code : -GILD_E_BUILD;
	}
	for (size_t i = 0; i < p->n; i++) {
		free(rel[i]);
		/* on failure the plan stays as the resolver made it */
		if (r < 0) {
			free(p->v[i].rebuild);
			p->v[i].rebuild = saved[i].rebuild;
			p->v[i].action = saved[i].action;
		} else
			free(saved[i].rebuild);
	}
	sched_release(&s);
	/* the forecasts leave the in-memory repository */
	return r < 0 ? r : build_env_reload_repo(env, err);
}
