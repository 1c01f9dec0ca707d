/* resolve-tree.c: the loaded tree under the effective configuration as
 * resolver input, and the targets (atoms, names, sets) of a command line.
 *
 * Every recipe version becomes an rs_recipe: its effective USE (use.h),
 * visibility with the reasons (masks, keywords, licenses: use.h), its
 * REQUIRED_USE checked under that USE (PMS 7.3.3), and its dependency
 * strings with the location they were written at. package.provided lines
 * are installed candidates (the toolchain stage, issue 3).
 */
#include "resolve-tree.h"

#include <unistd.h>

#include "resolve-cache.h"

#include <dirent.h>
#include <fcntl.h>

#include "atom.h"
#include "depstr.h"
#include "requse.h"

struct rtree_use {
	struct use_env *env;
	const struct use_state *st;
};

void rtree_free(struct rtree *rt)
{
	if (!rt)
		return;
	rs_input_free(rt->in);
	rcache_free(rt->cache); /* after the input that loads from it */
	for (size_t i = 0; i < rt->nfresh; i++)
		recipe_free(rt->fresh[i]);
	free(rt->fresh);
	recipe_loader_free(rt->loader);
	if (rt->treefd >= 0)
		close(rt->treefd);
	free(rt->cache_path);
	free(rt->origin_buf);
	use_env_free(rt->env);
	config_free(rt->cfg);
	tree_free(rt->tree);
	free(rt);
}

static bool use_on(void *ud, const char *flag)
{
	const struct rtree_use *u = ud;

	return use_state_enabled(u->env, u->st, flag);
}

/* Where a flag of a version got its state: a mask or force, a
 * package.use line of the user's or of the profiles (use_flag_origin). */
static const char *flag_origin(void *ud, const struct rs_recipe *r,
			       const char *flag, bool enabled)
{
	struct rtree *rt = ud;
	struct use_pkg p = {.category = r->category, .pn = r->pn,
			    .pvr = r->pvr, .slot = r->slot,
			    .subslot = r->subslot};

	free(rt->origin_buf);
	rt->origin_buf = use_flag_origin(rt->env, &p, flag, enabled);
	return rt->origin_buf;
}

/* The edit that would make a refused version visible, from the reason. */
static char *fix_for(const struct recipe *r, const char *reason)
{
	const char *q;

	if (gild_startswith(reason, "masked"))
		return xasprintf("unmask it: add '=%s/%s-%s' to etc/package.unmask",
				 r->category, r->pn, r->pvr);
	if (gild_startswith(reason, "keyword") && (q = strchr(reason, '\''))) {
		size_t n = strcspn(q + 1, "'");
		return xasprintf("add '=%s/%s-%s %.*s' to "
				 "etc/package.accept_keywords",
				 r->category, r->pn, r->pvr, (int)n, q + 1);
	}
	if (gild_startswith(reason, "license") && (q = strchr(reason, '\''))) {
		size_t n = strcspn(q + 1, "'");
		return xasprintf("add '%s/%s %.*s' to etc/package.license",
				 r->category, r->pn, (int)n, q + 1);
	}
	return NULL;
}

static int check_required_use(const struct recipe *r, struct rtree_use *u,
			      struct gild_strv *refused, struct gild_strv *fixes,
			      struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	const char *s = r->vars[RECIPE_REQUIRED_USE];
	struct gild_loc loc = r->var_loc[RECIPE_REQUIRED_USE];
	struct gild_buf why = GILD_BUF_INIT;
	int rc;

	if (!s || !*s)
		return 0;
	if ((rc = depstr_parse(s, strlen(s), DEPSTR_REQUIRED_USE, r->eapi,
			       loc.line ? &loc : NULL, &tree, err)) < 0)
		return rc;
	if (!requse_check(tree, use_on, u, &why)) {
		gild_strv_push(refused, xasprintf("REQUIRED_USE \"%s\" is not "
						  "met: %s", s, gild_buf_str(&why)));
		gild_strv_push(fixes, xasprintf("set USE for '%s/%s' in "
						"etc/package.use so that "
						"REQUIRED_USE \"%s\" holds",
						r->category, r->pn, s));
	}
	gild_buf_release(&why);
	return 0;
}

static void fill_use_pkg(const struct recipe *r, struct use_pkg *p,
			 struct use_iuse *iuse)
{
	for (size_t i = 0; i < r->n_iuse; i++)
		iuse[i] = (struct use_iuse){r->iuse[i].flag, r->iuse[i].def};
	*p = (struct use_pkg){
		.category = r->category, .pn = r->pn, .pvr = r->pvr,
		.slot = r->slot, .subslot = r->subslot,
		.iuse = iuse, .n_iuse = r->n_iuse,
		.keywords = r->keywords, .n_keywords = r->n_keywords,
		.license = r->vars[RECIPE_LICENSE]};
}

static int add_recipe(const struct recipe *r, void *ud)
{
	struct rtree *rt = ud;
	_cleanup_free_ struct use_iuse *iuse =
		xcalloc(r->n_iuse + 1, sizeof(*iuse));
	struct gild_strv names = GILD_STRV_INIT,
			 use = GILD_STRV_INIT, refused = GILD_STRV_INIT,
			 fixes = GILD_STRV_INIT;
	struct use_state st = {0};
	struct use_pkg up;
	struct rtree_use u = {rt->env, &st};
	struct rs_recipe rec = {0};
	int rc;

	if (use_provided(rt->env, r->category, r->pn, r->pvr, NULL))
		return 0; /* added from package.provided */
	fill_use_pkg(r, &up, iuse);
	use_eval(rt->env, &up, &st);
	for (size_t i = 0; i < r->n_iuse; i++) {
		gild_strv_add(&names, r->iuse[i].flag);
		if (use_state_enabled(rt->env, &st, r->iuse[i].flag))
			gild_strv_add(&use, r->iuse[i].flag);
	}
	if (!use_visible(rt->env, &up, &st, &refused))
		for (size_t i = 0; i < refused.n; i++) {
			char *f = fix_for(r, refused.v[i]);
			if (f)
				gild_strv_push(&fixes, f);
		}
	rc = check_required_use(r, &u, &refused, &fixes, rt->err);
	rec = (struct rs_recipe){
		.category = r->category, .pn = r->pn, .pvr = r->pvr,
		.slot = r->slot, .subslot = r->subslot,
		.iuse = (const char *const *)names.v, .n_iuse = names.n,
		.use = (const char *const *)use.v, .n_use = use.n,
		.eapi = r->eapi, .origin = RS_TREE,
		.refused = (const char *const *)refused.v, .n_refused = refused.n,
		.fixes = (const char *const *)fixes.v, .n_fixes = fixes.n,
		.user = (void *)r};
	for (int k = 0; k < DEP_NCLASS; k++) {
		static const enum recipe_var var[DEP_NCLASS] = {
			RECIPE_BDEPEND, RECIPE_DEPEND, RECIPE_RDEPEND,
			RECIPE_PDEPEND, RECIPE_IDEPEND};
		rec.deps[k] = r->vars[var[k]];
		rec.dep_loc[k] = r->var_loc[var[k]];
		if (!rec.dep_loc[k].line)
			rec.dep_loc[k].file = NULL;
	}
	rec.stamp = rcache_pkg_stamp(rt->treefd, r->category, r->pn, r->pvr,
				     rt->racy);
	if (rc >= 0)
		rs_input_add(rt->in, &rec);
	free((char *)rec.stamp);
	use_state_release(&st);
	gild_strv_release(&names);
	gild_strv_release(&use);
	gild_strv_release(&refused);
	gild_strv_release(&fixes);
	return rc;
}

/* package.provided (portage(5)): "cat/pn-pvr" lines, counted installed. */
static int add_provided(struct rtree *rt)
{
	const struct plines *pl = &rt->cfg->profile->lists[PL_PACKAGE_PROVIDED];

	for (size_t i = 0; i < pl->n; i++) {
		struct cpv c;
		_cleanup_free_ char *cat = NULL, *pn = NULL, *pvr = NULL;
		struct gild_loc loc = {pl->v[i].file, pl->v[i].line, 1};
		struct rs_recipe rec = {.slot = "0", .eapi = 8,
					.origin = RS_PROVIDED};
		if (cpv_split(pl->v[i].w[0], strlen(pl->v[i].w[0]), &c, rt->err) < 0)
			return gild_fail(rt->err, -GILD_E_SYNTAX, &loc, "%s",
					 rt->err->msg);
		rec.category = cat = gild_str_dup(c.category);
		rec.pn = pn = gild_str_dup(c.package);
		rec.pvr = pvr = gild_str_dup(c.pvr);
		rs_input_add(rt->in, &rec);
	}
	return 0;
}

/* ---- packages whose cache entries are stale --------------------------------- */

static bool pkg_current(void *ud, long handle)
{
	struct rtree *rt = ud;

	return rcache_current(rt->cache, handle);
}

/* rs_source.refresh: the versions of cat/pn, read from the tree again. */
static int refresh_pkg(void *ud, struct rs_input *in, const char *cat,
		       const char *pn, struct gild_err *err)
{
	struct rtree *rt = ud;
	_cleanup_free_ char *rel = xasprintf("recipes/%s/%s", cat, pn);
	int fd, rc = 0;
	DIR *d;
	struct dirent *e;

	(void)in; /* add_recipe adds to rt->in, which is in */
	rt->racy = rcache_racy_limit();
	rt->nrefreshed++;
	if (!rt->loader && !(rt->loader = recipe_loader_new(rt->cfg->tree, 0, err)))
		return err->code ? err->code : -GILD_E_INVALID;
	if ((fd = openat(rt->treefd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0; /* gone: its category's stamp no longer holds */
	}
	while (rc >= 0 && (e = readdir(d))) {
		struct recipe *r = NULL;
		struct gild_err lerr = GILD_ERR_INIT;
		if (e->d_name[0] == '.' || !gild_endswith(e->d_name, ".recipe"))
			continue;
		/* as the tree load: a recipe that does not load is left out,
		 * and then the cache cannot say when it is fixed */
		if (recipe_load(rt->loader, cat, pn, e->d_name, &r, &lerr) < 0) {
			rt->cache_bad = true;
			continue;
		}
		gild_grow(&rt->fresh, &rt->fresh_cap, rt->nfresh + 1,
			  sizeof(*rt->fresh));
		rt->fresh[rt->nfresh++] = r;
		rt->err = err;
		rc = add_recipe(r, rt);
	}
	closedir(d);
	return rc;
}

/* rs_source.refreshed: the cache again, with the packages read again (or
 * none, when one of them does not load: the next run reads the tree). */
static void refreshed(void *ud, struct rs_input *in)
{
	struct rtree *rt = ud;
	struct gild_err err = GILD_ERR_INIT;

	if (rt->cache_bad) {
		unlink(rt->cache_path);
		return;
	}
	if (rcache_save(rt->cache_path, rcache_global_stamp(rt->cache), in,
			rt->cache, &err) < 0)
		unlink(rt->cache_path);
}

/* A recipe that did not load is not cached, so its category's stamp must
 * fail until it does (its fix would not show otherwise). */
static void spoil_errors(struct rtree *rt, char *stamp)
{
	for (size_t i = 0; i < tree_nerrors(rt->tree); i++) {
		const char *f = tree_error_at(rt->tree, i)->file;
		const char *r = strstr(f, "recipes/");
		_cleanup_free_ char *rel = NULL;
		if (!r || !strchr(r + 8, '/')) {
			rcache_stamp_spoil(stamp, "recipes");
			continue;
		}
		rel = xstrndup(r, (size_t)(strchr(r + 8, '/') - r));
		rcache_stamp_spoil(stamp, rel);
	}
}

/* Whether the environment sets a variable that changes USE, keywords
 * or licenses (USE, ACCEPT_*, FEATURES for USE=test, USE_EXPAND ones),
 * which the cache evaluated without; CFLAGS, PKGDIR and the like do not. */
static bool env_changes_versions(const struct config *cfg)
{
	static const char *const harmless[] = {
		"MAKEOPTS", "CFLAGS", "CXXFLAGS", "LDFLAGS", "CHOST", "DISTDIR",
		"PKGDIR", "GILD_MIRRORS", NULL};

	for (size_t i = 0; i < cfg->envl.n; i++) {
		size_t k = 0;
		while (harmless[k] && strcmp(harmless[k], cfg->envl.v[i].name))
			k++;
		if (!harmless[k])
			return true;
	}
	return false;
}

int rtree_load(const struct gild_ctx *ctx, bool emptytree, struct rtree **out,
	       struct gild_err *err)
{
	_cleanup_(rtree_freep) struct rtree *rt = xcalloc(1, sizeof(*rt));
	_cleanup_free_ char *confdir = gild_ctx_config_dir(ctx);
	_cleanup_free_ char *stamp = NULL;
	int rc;

	rt->err = err;
	rt->emptytree = emptytree;
	rt->t_start = gild_now();
	rt->racy = rcache_racy_limit();
	rt->cache_path = xasprintf("%s/var/cache/gild/resolve.solv", ctx->tree);
	rt->treefd = open(ctx->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* the environment (USE=..., as emerge and gild build take it) */
	if ((rc = config_load(ctx->tree, confdir, ctx->profile, environ,
			      &rt->cfg, err)) < 0 ||
	    (rc = use_env_new(rt->cfg, &rt->env, err)) < 0)
		return rc;
	rt->in = rs_input_new();
	rs_input_set_flag_origin(rt->in, flag_origin, rt);
	rt->t_config = gild_now();
	/* the cache holds USE evaluated without the environment's variables:
	 * with any of them set, the tree is read and no cache written */
	rt->env_vars = env_changes_versions(rt->cfg);
	if (!rt->env_vars &&
	    rcache_open(rt->cache_path, ctx->tree, confdir, ctx->profile, rt->in,
			&rt->cache)) {
		struct rs_source src = {
			.current = pkg_current,
			.refresh = refresh_pkg, .refreshed = refreshed, .ud = rt};
		rt->cache_hit = true;
		rt->t_fingerprint = gild_now();
		rs_input_set_source(rt->in, &src);
	} else {
		/* the stamp first: an edit during the load makes it stale */
		stamp = rcache_stamp(ctx->tree, confdir, ctx->profile, rt->racy);
		rt->t_fingerprint = gild_now();
		if ((rc = tree_load(ctx->tree, TREE_LOAD_KEEP_GOING, &rt->tree,
				    err)) < 0 ||
		    (rc = tree_foreach_recipe(rt->tree, add_recipe, rt)) < 0 ||
		    (rc = add_provided(rt)) < 0)
			return rc;
		spoil_errors(rt, stamp);
		/* a tree that cannot be written to just goes without a cache */
		if (!rt->env_vars &&
		    rcache_save(rt->cache_path, stamp, rt->in, NULL, err) < 0)
			gild_err_clear(err);
	}
	rt->t_versions = gild_now();
	*out = TAKE_PTR(rt);
	return 0;
}

/* ---- sets ------------------------------------------------------------------ */

/* Lines of a set file: '#' comments, one atom per line; "-ATOM" removes an
 * earlier entry (profiles/README.md, role.set). A missing file is empty. */
static int read_set_file(const char *path, struct gild_strv *set,
			 struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int rc = gild_read_file(path, &text, &len, err);

	if (rc == -ENOENT) {
		gild_err_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	for (char *s = text, *nl; s && *s; s = nl) {
		char *h;
		if ((nl = strchr(s, '\n')))
			*nl++ = 0;
		if ((h = strchr(s, '#')))
			*h = 0;
		s += strspn(s, " \t");
		for (size_t n = strlen(s); n && (s[n - 1] == ' ' || s[n - 1] == '\t');)
			s[--n] = 0;
		if (!*s)
			continue;
		if (*s == '-') {
			struct gild_strv keep = GILD_STRV_INIT;
			for (size_t i = 0; i < set->n; i++)
				if (strcmp(set->v[i], s + 1))
					gild_strv_add(&keep, set->v[i]);
			gild_strv_release(set);
			*set = keep;
		} else if (!gild_strv_contains(set, s)) {
			gild_strv_add(set, s);
		}
	}
	return 0;
}

static int role_set(struct rtree *rt, struct gild_strv *set)
{
	const struct gild_strv *nodes = &rt->cfg->profile->nodes;
	int rc;

	for (size_t i = 0; i < nodes->n; i++) {
		_cleanup_free_ char *dir = gild_path_join(rt->cfg->tree, nodes->v[i]);
		_cleanup_free_ char *path = gild_path_join(dir, "role.set");
		if ((rc = read_set_file(path, set, rt->err)) < 0)
			return rc;
	}
	if (!set->n)
		return gild_fail(rt->err, -GILD_E_NOTFOUND, NULL,
				 "profile '%s' defines no role",
				 rt->cfg->profile->name);
	return 0;
}

static int expand_set(struct rtree *rt, const char *name, struct gild_strv *set)
{
	_cleanup_free_ char *confdir = xstrdup(rt->cfg->config_dir), *path = NULL;
	const struct plines *sys;
	int rc;

	if (!strcmp(name, "system")) {
		sys = use_system_set(rt->env);
		for (size_t i = 0; i < sys->n; i++)
			gild_strv_add(set, sys->v[i].w[0]);
		return 0;
	}
	if (!strcmp(name, "role"))
		return role_set(rt, set);
	path = !strcmp(name, "world") ? gild_path_join(confdir, "world")
				      : xasprintf("%s/sets/%s", confdir, name);
	if (strcmp(name, "world") && access(path, F_OK) != 0)
		return gild_fail(rt->err, -GILD_E_NOTFOUND, NULL,
				 "no set '@%s' (expected in '%s')", name, path);
	rc = read_set_file(path, set, rt->err);
	return rc;
}

int rtree_add_targets(struct rtree *rt, char **targets, int n)
{
	int rc;

	for (int i = 0; i < n; i++) {
		struct gild_strv set = GILD_STRV_INIT;
		if (targets[i][0] != '@') {
			if ((rc = rs_input_add_target(rt->in, targets[i], rt->err)) < 0)
				return rc;
			continue;
		}
		rc = expand_set(rt, targets[i] + 1, &set);
		for (size_t k = 0; rc >= 0 && k < set.n; k++)
			rc = rs_input_add_target(rt->in, set.v[k], rt->err);
		gild_strv_release(&set);
		if (rc < 0)
			return rc;
	}
	return 0;
}
