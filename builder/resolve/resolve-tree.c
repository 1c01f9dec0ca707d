/* resolve-tree.c: the loaded tree under the effective configuration as
 * resolver input, and the targets (atoms, names, sets) of a command line.
 *
 * Every recipe version becomes an rs_recipe: its effective USE (use.h),
 * visibility with the reasons (masks, keywords, licenses: use.h), its
 * REQUIRED_USE checked under that USE (PMS 7.3.3), and its dependency
 * strings with the location they were written at. package.provided lines
 * are installed candidates (the toolchain stage).
 */
#include "resolve/resolve.h"

#include <unistd.h>

#include "resolve-cache-impl.h"

#include <dirent.h>
#include <fcntl.h>

#include "pms/pms.h"

struct rtree_use {
	struct use_env *env;
	const struct use_state *st;
};

static void scratch_release(struct rtree_scratch *sc);

void rtree_free(struct rtree *rt)
{
	if (!rt)
		return;
	rs_input_free(rt->in);
	rcache_free(rt->cache); /* after the input that loads from it */
	rcache_writer_free(rt->writer);
	scratch_release(&rt->scratch);
	gild_strv_release(&rt->refreshed);
	gild_strv_release(&rt->skipped);
	gild_strv_release(&rt->qa);
	gild_strv_release(&rt->broken);
	gild_strv_release(&rt->changed);
	gild_strv_release(&rt->stale_cls);
	for (size_t i = 0; i < rt->nfresh; i++)
		recipe_free(rt->fresh[i]);
	free(rt->fresh);
	recipe_loader_free(rt->loader);
	if (rt->treefd >= 0)
		close(rt->treefd);
	free(rt->cache_path);
	free(rt->origin_buf);
	use_env_free(rt->env);
	/* rt->cfg is the run's (config_for_ctx) */
	/* rt->tree is the run's (tree_for_ctx) */
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
	struct use_pkg p = {.category = r->category,
			    .pn = r->pn,
			    .pvr = r->pvr,
			    .slot = r->slot,
			    .subslot = r->subslot};

	free(rt->origin_buf);
	rt->origin_buf = use_flag_origin(rt->env, &p, flag, enabled);
	return rt->origin_buf;
}

/* The edit that would make a refused version visible, from the reason. */
static char *fix_for(const struct rs_version *v, const char *reason)
{
	const char *q;

	if (gild_startswith(reason, "masked"))
		return xasprintf(
		    "unmask it: add '=%s/%s-%s' to etc/package.unmask",
		    v->category, v->pn, v->pvr);
	if (gild_startswith(reason, "keyword") && (q = strchr(reason, '\''))) {
		size_t n = strcspn(q + 1, "'");
		return xasprintf("add '=%s/%s-%s %.*s' to "
				 "etc/package.accept_keywords",
				 v->category, v->pn, v->pvr, (int)n, q + 1);
	}
	if (gild_startswith(reason, "license") && (q = strchr(reason, '\''))) {
		size_t n = strcspn(q + 1, "'");
		return xasprintf("add '%s/%s %.*s' to etc/package.license",
				 v->category, v->pn, (int)n, q + 1);
	}
	return NULL;
}

/* The configuration's state with one flag turned over. */
struct flipped {
	const struct rtree_use *u;
	const char *flag;
};

static bool flipped_on(void *ud, const char *flag)
{
	const struct flipped *f = ud;

	return use_on((void *)f->u, flag) != !strcmp(flag, f->flag);
}

/* The package.use lines that would each make REQUIRED_USE hold by turning
 * over one flag the profile neither masks nor forces; the general advice
 * when no single flag does. */
static void required_use_fixes(const struct rs_version *v,
			       const struct dep_node *tree, struct rtree_use *u,
			       struct gild_strv *fixes)
{
	size_t before = fixes->n;

	for (size_t i = 0; i < v->n_iuse; i++) {
		const char *flag = v->iuse[i].flag;
		struct flipped f = {u, flag};
		int id = use_flag_lookup(u->env, flag);
		bool on = use_on(u, flag);
		if (id >= 0 && (idset_has(&u->st->masked, id) ||
				idset_has(&u->st->forced, id)))
			continue;
		if (requse_check(tree, flipped_on, &f, NULL))
			gild_strv_push(fixes, xasprintf("add '%s/%s %s%s' to "
							"etc/package.use",
							v->category, v->pn,
							on ? "-" : "", flag));
	}
	if (fixes->n == before)
		gild_strv_push(fixes,
			       xasprintf("set USE for '%s/%s' in "
					 "etc/package.use so that "
					 "REQUIRED_USE \"%s\" holds",
					 v->category, v->pn, v->required_use));
}

static int check_required_use(const struct rs_version *v, struct rtree_use *u,
			      struct gild_strv *refused,
			      struct gild_strv *fixes, struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	const char *s = v->required_use;
	struct gild_loc loc = v->required_use_loc;
	struct gild_buf why = GILD_BUF_INIT;
	int rc;

	if (!s || !*s)
		return 0;
	if ((rc = depstr_parse(s, strlen(s), DEPSTR_REQUIRED_USE, v->eapi,
			       loc.line ? &loc : NULL, &tree, err)) < 0)
		return rc;
	if (!requse_check(tree, use_on, u, &why)) {
		gild_strv_push(refused, xasprintf("REQUIRED_USE \"%s\" is not "
						  "met: %s",
						  s, gild_buf_str(&why)));
		required_use_fixes(v, tree, u, fixes);
	}
	gild_buf_release(&why);
	return 0;
}

/* A recipe as the cache keeps it; iuse has room for its IUSE. */
static void version_of(const struct recipe *r, struct use_iuse *iuse,
		       struct rs_version *v)
{
	static const enum recipe_var var[DEP_NCLASS] = {
	    RECIPE_BDEPEND, RECIPE_DEPEND, RECIPE_RDEPEND, RECIPE_PDEPEND,
	    RECIPE_IDEPEND};

	for (size_t i = 0; i < r->n_iuse; i++)
		iuse[i] = (struct use_iuse){r->iuse[i].flag, r->iuse[i].def};
	*v = (struct rs_version){.category = r->category,
				 .pn = r->pn,
				 .pvr = r->pvr,
				 .slot = r->slot,
				 .subslot = r->subslot,
				 .eapi = r->eapi,
				 .iuse = iuse,
				 .n_iuse = r->n_iuse,
				 .keywords = (const char *const *)r->keywords,
				 .n_keywords = r->n_keywords,
				 .license = r->vars[RECIPE_LICENSE],
				 .restrict_ = r->vars[RECIPE_RESTRICT],
				 .required_use = r->vars[RECIPE_REQUIRED_USE],
				 .required_use_loc =
				     r->var_loc[RECIPE_REQUIRED_USE],
				 .inherited = (const char *const *)r->inherited,
				 .n_inherited = r->n_inherited};
	for (int k = 0; k < DEP_NCLASS; k++) {
		v->deps[k] = r->vars[var[k]];
		v->dep_loc[k] = r->var_loc[var[k]];
		if (!v->dep_loc[k].line)
			v->dep_loc[k].file = NULL;
	}
}

static void scratch_release(struct rtree_scratch *sc)
{
	gild_strv_release(&sc->names);
	gild_strv_release(&sc->use);
	gild_strv_release(&sc->refused);
	gild_strv_release(&sc->fixes);
}

/* A version under the configuration: its effective USE, visibility (with
 * the reasons and fixes when refused) and REQUIRED_USE (PMS 7.3.3). The
 * strings of *rec live in sc until it is released.
 * Returns 0, or the error of a REQUIRED_USE that does not parse. */
/* PMS 11.1.1: flags of IUSE_IMPLICIT and USE_EXPAND_IMPLICIT (elibc_musl,
 * kernel_linux, amd64) are enabled without being in IUSE, and dependency
 * conditionals on them (elibc_musl? ( ... )) must see them, as gild build
 * does. The plan shows IUSE flags only, so they stay out of sight. */
static void add_implicit_flags(struct use_env *env, const struct use_state *st,
			       struct gild_strv *use)
{
	for (size_t i = 0; i < st->enabled.n; i++) {
		const char *f = use_flag_name(env, st->enabled.v[i]);
		if (!gild_strv_contains(use, f))
			gild_strv_add(use, f);
	}
}

/* use_decide_tests' question for a version: its RESTRICT reduced under the
 * USE of st as it stands. A RESTRICT that does not parse restricts
 * nothing here; gild build reports it. */
struct restrict_q {
	struct rtree *rt;
	const struct rs_version *v;
	const struct use_state *st;
};

static bool restrict_use_on(void *ud, const char *flag)
{
	const struct restrict_q *q = ud;
	return use_state_enabled(q->rt->env, q->st, flag);
}

static int restrict_has_test(void *ud)
{
	const struct restrict_q *q = ud;
	const char *s = q->v->restrict_;
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL, *red = NULL;
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	struct gild_err err = GILD_ERR_INIT;

	if (!s || !strstr(s, "test"))
		return 0;
	if (depstr_parse(s, strlen(s), DEPSTR_RESTRICT, q->v->eapi, NULL, &tree,
			 &err) < 0)
		return 0;
	red = depstr_reduce(tree, restrict_use_on, ud);
	depstr_format(red, &b);
	return gild_has_word(gild_buf_str(&b), "test");
}

/* FEATURES=test turns USE=test on as gild build does (use_decide_tests). */
static void apply_features_test(struct rtree *rt, const struct rs_version *v,
				struct use_state *st)
{
	struct restrict_q q = {rt, v, st};

	use_decide_tests(rt->env, st,
			 gild_has_word(config_get(rt->cfg, "FEATURES"), "test"),
			 restrict_has_test, &q);
}

static int evaluate(struct rtree *rt, const struct rs_version *v,
		    struct rs_recipe *rec, struct rtree_scratch *sc)
{
	struct use_state st = {0};
	struct rtree_use u = {rt->env, &st};
	struct use_pkg up = {.category = v->category,
			     .pn = v->pn,
			     .pvr = v->pvr,
			     .slot = v->slot,
			     .subslot = v->subslot,
			     .iuse = v->iuse,
			     .n_iuse = v->n_iuse,
			     .keywords = v->keywords,
			     .n_keywords = v->n_keywords,
			     .license = v->license};
	int rc;

	scratch_release(sc);
	use_eval(rt->env, &up, &st);
	apply_features_test(rt, v, &st);
	for (size_t i = 0; i < v->n_iuse; i++) {
		gild_strv_add(&sc->names, v->iuse[i].flag);
		if (use_state_enabled(rt->env, &st, v->iuse[i].flag))
			gild_strv_add(&sc->use, v->iuse[i].flag);
	}
	add_implicit_flags(rt->env, &st, &sc->use);
	if (!use_visible(rt->env, &up, &st, &sc->refused))
		for (size_t i = 0; i < sc->refused.n; i++) {
			char *f = fix_for(v, sc->refused.v[i]);
			if (f)
				gild_strv_push(&sc->fixes, f);
		}
	rc = check_required_use(v, &u, &sc->refused, &sc->fixes, rt->err);
	use_state_release(&st);
	*rec = (struct rs_recipe){.category = v->category,
				  .pn = v->pn,
				  .pvr = v->pvr,
				  .slot = v->slot,
				  .subslot = v->subslot,
				  .iuse = (const char *const *)sc->names.v,
				  .n_iuse = sc->names.n,
				  .use = (const char *const *)sc->use.v,
				  .n_use = sc->use.n,
				  .eapi = v->eapi,
				  .origin = RS_TREE,
				  .refused = (const char *const *)sc->refused.v,
				  .n_refused = sc->refused.n,
				  .fixes = (const char *const *)sc->fixes.v,
				  .n_fixes = sc->fixes.n};
	for (int k = 0; k < DEP_NCLASS; k++) {
		rec->deps[k] = v->deps[k];
		rec->dep_loc[k] = v->dep_loc[k];
	}
	return rc;
}

/* A REQUIRED_USE that does not parse fails the load, as when it is
 * evaluated. */
static int check_syntax(const struct rs_version *v, struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	const char *s = v->required_use;
	const struct gild_loc *loc = &v->required_use_loc;

	if (!s || !*s)
		return 0;
	return depstr_parse(s, strlen(s), DEPSTR_REQUIRED_USE, v->eapi,
			    loc->line ? loc : NULL, &tree, err);
}

/* tree_foreach_recipe: a version evaluated as input, and kept for the
 * cache when one is being written. */
static int add_recipe(const struct recipe *r, void *ud)
{
	struct rtree *rt = ud;
	_cleanup_free_ struct use_iuse *iuse =
	    xcalloc(r->n_iuse + 1, sizeof(*iuse));
	_cleanup_free_ char *stamp = NULL;
	struct rtree_scratch sc = {0};
	struct rs_version v;
	struct rs_recipe rec;
	int rc = 0;

	for (size_t i = 0; i < r->n_qa; i++)
		if (!gild_strv_contains(&rt->qa, r->qa[i]))
			gild_strv_add(&rt->qa, r->qa[i]);
	version_of(r, iuse, &v);
	if (rt->writer) {
		v.stamp = stamp = rcache_pkg_stamp(rt->treefd, r->category,
						   r->pn, r->pvr, rt->racy);
		rcache_writer_add(rt->writer, &v);
		if (rt->defer) /* evaluated from the cache, when used */
			return check_syntax(&v, rt->err);
	}
	if (use_provided(rt->env, r->category, r->pn, r->pvr, NULL))
		return 0; /* added from package.provided */
	rc = evaluate(rt, &v, &rec, &sc);
	rec.user = (void *)r;
	if (rc >= 0)
		rs_input_add(rt->in, &rec);
	scratch_release(&sc);
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
		struct rs_recipe rec = {
		    .slot = "0", .eapi = 8, .origin = RS_PROVIDED};
		if (cpv_split(pl->v[i].w[0], strlen(pl->v[i].w[0]), &c,
			      rt->err) < 0)
			return gild_fail(rt->err, -GILD_E_SYNTAX, &loc, "%s",
					 rt->err->msg);
		rec.category = cat = gild_str_dup(c.category);
		rec.pn = pn = gild_str_dup(c.package);
		rec.pvr = pvr = gild_str_dup(c.pvr);
		rs_input_add(rt->in, &rec);
	}
	return 0;
}

/* ---- versions from the cache
 * ------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the sorted v holds s. */
static bool sorted_has(const struct gild_strv *v, const char *s)
{
	return v->n && bsearch(&s, v->v, v->n, sizeof(*v->v), cmp_str);
}

/* Sorted, each once. */
static void sort_unique(struct gild_strv *v)
{
	size_t k = 0;

	gild_strv_sort(v);
	for (size_t i = 0; i < v->n; i++) {
		if (k && !strcmp(v->v[k - 1], v->v[i]))
			free(v->v[i]);
		else
			v->v[k++] = v->v[i];
	}
	v->n = k;
	if (v->v)
		v->v[k] = NULL;
}

/* rcache_foreach: a stub, unless package.provided stands for it or it is
 * read from the tree instead (its category or a class it inherits
 * changed). */
static void add_stub(void *ud, const char *category, const char *pn,
		     const char *pvr, long handle)
{
	struct rtree *rt = ud;

	char cpn[512];

	snprintf(cpn, sizeof(cpn), "%s/%s", category, pn);
	if ((rt->changed.n && gild_strv_contains(&rt->changed, category)) ||
	    sorted_has(&rt->stale_cls, cpn))
		return; /* read from the tree instead */
	if (!use_provided(rt->env, category, pn, pvr, NULL))
		rs_input_add_stub(rt->in, category, pn, pvr, RS_TREE, handle);
}

/* rs_load_fn: a cached version evaluated, when the resolver first needs
 * it. Its REQUIRED_USE parsed when the cache was written; a damaged
 * record is a version nothing matches. */
static void load_version(void *ud, long handle, struct rs_recipe *rec)
{
	struct rtree *rt = ud;
	struct gild_err err = GILD_ERR_INIT;
	struct gild_err *keep = rt->err;
	struct rs_version v;

	memset(rec, 0, sizeof(*rec));
	scratch_release(&rt->scratch);
	if (!rcache_version(rt->cache, handle, &v)) {
		gild_strv_add(&rt->scratch.refused,
			      "its cache record is damaged");
		rec->refused = (const char *const *)rt->scratch.refused.v;
		rec->n_refused = 1;
		return;
	}
	rt->err = &err;
	if (evaluate(rt, &v, rec, &rt->scratch) < 0) {
		gild_strv_add(&rt->scratch.refused, err.msg);
		rec->refused = (const char *const *)rt->scratch.refused.v;
		rec->n_refused = rt->scratch.refused.n;
	}
	rt->err = keep;
}

/* ---- packages whose cache entries are stale ---------------------------------
 */

static bool pkg_current(void *ud, long handle)
{
	struct rtree *rt = ud;

	return rcache_current(rt->cache, handle);
}

/* "file:line:col: why" of an error (allocated). */
static char *error_line(const struct gild_err *e)
{
	const char *msg = e->msg[0] ? e->msg : gild_strerror(e->code);

	return e->line
		   ? xasprintf("%s:%u:%u: %s", e->file, e->line, e->col, msg)
		   : xasprintf("%s: %s", e->file, msg);
}

/* A recipe that does not load, once (a run may meet it twice: in the
 * tree, then again when its stamp was racy). */
static void note_skipped_line(struct rtree *rt, const char *line)
{
	if (!gild_strv_contains(&rt->skipped, line))
		gild_strv_add(&rt->skipped, line);
}

static void note_skipped(struct rtree *rt, const struct gild_err *e)
{
	_cleanup_free_ char *line = error_line(e);

	note_skipped_line(rt, line);
}

/* A recipe that does not load, for the cache written next: it is kept
 * there as failing, with its stamp. */
static void note_broken(struct rtree *rt, struct rcache_writer *w,
			const char *recipe, const struct gild_err *e)
{
	_cleanup_free_ char *line = error_line(e);
	_cleanup_free_ char *stamp =
	    rcache_file_stamp(rt->treefd, recipe, rt->racy);

	note_skipped_line(rt, line);
	if (w)
		rcache_writer_add_broken(w, recipe, stamp, line);
	else {
		gild_strv_add(&rt->broken, recipe);
		gild_strv_add(&rt->broken, stamp);
		gild_strv_add(&rt->broken, line);
	}
}

/* rcache_broken_foreach: named again from the cache while its stamp
 * holds, else its package is read again. */
static void cached_broken(void *ud, const char *recipe, const char *cpn,
			  const char *msg, bool current)
{
	struct rtree *rt = ud;

	(void)recipe;
	if (current)
		note_skipped_line(rt, msg);
	else
		gild_strv_add(&rt->stale_cls, cpn);
}

void rtree_warn_skipped(const struct rtree *rt, struct gild_ctx *ctx)
{
	for (size_t i = 0; i < rt->qa.n; i++)
		gild_ctx_warn(ctx,
			      "%s (QA: PMS refuses this, Portage loads it; "
			      "so does gild)",
			      rt->qa.v[i]);
	for (size_t i = 0; i < rt->skipped.n; i++)
		gild_ctx_warn(ctx, "%s (the recipe is left out)",
			      rt->skipped.v[i]);
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
	rt->nrefreshed++;
	gild_strv_add(&rt->refreshed, rel + strlen("recipes/"));
	if (!rt->loader &&
	    !(rt->loader = recipe_loader_new(rt->cfg->tree, 0, err)))
		return err->code ? err->code : -GILD_E_INVALID;
	if ((fd = openat(rt->treefd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
		0 ||
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
		 * and cached as failing */
		if (recipe_load(rt->loader, cat, pn, e->d_name, &r, &lerr) <
		    0) {
			_cleanup_free_ char *recipe =
			    xasprintf("%s/%s", rel, e->d_name);
			note_broken(rt, NULL, recipe, &lerr);
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

/* Whether the cache's versions of cpn were replaced by the tree's. */
static bool read_again(void *ud, const char *cpn)
{
	struct rtree *rt = ud;
	const char *slash = strchr(cpn, '/');
	_cleanup_free_ char *cat =
	    xstrndup(cpn, slash ? (size_t)(slash - cpn) : 0);

	return gild_strv_contains(&rt->changed, cat) ||
	       sorted_has(&rt->refreshed, cpn);
}

/* Packages read again from the tree (their stamps differ from the
 * cache's) before the cache is written again. Reading one again costs a
 * recipe's parse, about a millisecond; writing the cache costs all of it
 * (0.2 s and 120 MB at 40,000 recipes), so the edits of a working day
 * are read again until this many are, then written at once. */
#define REWRITE_AFTER_REFRESHED 32

/* rs_source.refreshed: the cache again, with the packages read again
 * (those that do not load as failing). Their stamps use the limit taken
 * before this run read anything. A few packages edited in place keep
 * the cache as it is (see REWRITE_AFTER_REFRESHED); packages added or
 * removed, a class changed (the global stamp), a recipe read again with
 * a QA warning (printed once) or one that no longer loads rewrite it at
 * once. */
static void refreshed(void *ud, struct rs_input *in)
{
	struct rtree *rt = ud;
	_cleanup_(rcache_writer_freep) struct rcache_writer *w = NULL;
	struct gild_err err = GILD_ERR_INIT;

	(void)in;
	if (!rt->changed.n && !rt->stale_cls.n && !rt->qa.n && !rt->broken.n &&
	    rt->nrefreshed < REWRITE_AFTER_REFRESHED)
		return;
	w = rcache_writer_new();
	sort_unique(&rt->refreshed); /* for read_again */
	rcache_writer_copy(w, rt->cache, read_again, rt);
	for (size_t i = 0; i < rt->nfresh; i++) {
		const struct recipe *r = rt->fresh[i];
		_cleanup_free_ struct use_iuse *iuse =
		    xcalloc(r->n_iuse + 1, sizeof(*iuse));
		_cleanup_free_ char *stamp = rcache_pkg_stamp(
		    rt->treefd, r->category, r->pn, r->pvr, rt->racy);
		struct rs_version v;
		version_of(r, iuse, &v);
		v.stamp = stamp;
		rcache_writer_add(w, &v);
	}
	for (size_t i = 0; i + 2 < rt->broken.n; i += 3)
		rcache_writer_add_broken(w, rt->broken.v[i],
					 rt->broken.v[i + 1],
					 rt->broken.v[i + 2]);
	if (rcache_writer_commit(w, rt->cache_path,
				 rcache_global_stamp(rt->cache), &err) < 0)
		unlink(rt->cache_path);
}

/* A recipe that did not load is cached as failing; an error that is no
 * recipe's (a directory) is not cached, so its category's stamp must fail
 * until it is gone (its fix would not show otherwise). */
static void cache_errors(struct rtree *rt, char *stamp)
{
	for (size_t i = 0; i < tree_nerrors(rt->tree); i++) {
		const char *f = tree_error_at(rt->tree, i)->file;
		const char *recipe = tree_error_recipe(rt->tree, i);
		const char *r = strstr(f, "recipes/");
		_cleanup_free_ char *rel = NULL;
		if (recipe) {
			note_broken(rt, rt->writer, recipe,
				    tree_error_at(rt->tree, i));
			continue;
		}
		note_skipped(rt, tree_error_at(rt->tree, i));
		if (!r || !strchr(r + 8, '/')) {
			rcache_stamp_spoil(stamp, "recipes");
			continue;
		}
		rel = xstrndup(r, (size_t)(strchr(r + 8, '/') - r));
		rcache_stamp_spoil(stamp, rel);
	}
}

/* The packages of the categories that changed (packages added, removed
 * or renamed) and those that inherit a class that changed, read from the
 * tree, and the cache written again. */
static int read_changed(struct rtree *rt)
{
	int rc = 0;

	for (size_t i = 0; rc >= 0 && i < rt->stale_cls.n; i++) {
		const char *cpn = rt->stale_cls.v[i], *slash = strchr(cpn, '/');
		_cleanup_free_ char *cat = xstrndup(cpn, (size_t)(slash - cpn));
		rc = refresh_pkg(rt, rt->in, cat, slash + 1, rt->err);
	}

	for (size_t i = 0; rc >= 0 && i < rt->changed.n; i++) {
		_cleanup_free_ char *rel =
		    xasprintf("recipes/%s", rt->changed.v[i]);
		int fd =
		    openat(rt->treefd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *e;
		if (!d) {
			if (fd >= 0)
				close(fd);
			continue; /* gone: no packages */
		}
		while (rc >= 0 && (e = readdir(d)))
			if (e->d_name[0] != '.' && e->d_type != DT_REG)
				rc = refresh_pkg(rt, rt->in, rt->changed.v[i],
						 e->d_name, rt->err);
		closedir(d);
	}
	if (rc >= 0)
		refreshed(rt, rt->in);
	return rc;
}

/* Packages read again up front; with more, the whole tree is read. */
#define MAX_CLASS_STALE 2000

/* Versions from the cache when it can be used: stubs, evaluated when
 * first used. Returns 1 when it was, 0 when not, or an error of a
 * changed category's recipes. */
static int use_cache(struct rtree *rt, const char *tree)
{
	struct rs_source src = {.current = pkg_current,
				.refresh = refresh_pkg,
				.refreshed = refreshed,
				.ud = rt};

	if (!rcache_open(rt->cache_path, tree, rt->racy, &rt->changed,
			 &rt->cache))
		return 0;
	rcache_class_stale(rt->cache, &rt->stale_cls);
	rcache_broken_foreach(rt->cache, cached_broken, rt);
	sort_unique(&rt->stale_cls);
	if (rt->stale_cls.n > MAX_CLASS_STALE) {
		/* a class most of the tree inherits: reading it all is as quick
		 */
		rcache_free(rt->cache);
		rt->cache = NULL;
		gild_strv_release(&rt->changed);
		gild_strv_release(&rt->stale_cls);
		return 0;
	}
	rt->cache_hit = true;
	rcache_foreach(rt->cache, add_stub, rt);
	rs_input_set_loader(rt->in, load_version, rt);
	rs_input_set_source(rt->in, &src);
	if (rt->changed.n || rt->stale_cls.n)
		return read_changed(rt) < 0 ? -1 : 1;
	return 1;
}

/* No usable cache: every recipe parsed and the cache written, then used
 * as on the next run; a tree that cannot be written to (or whose cache
 * cannot be trusted yet) has every version evaluated now. */
static int load_tree(struct rtree *rt, struct gild_ctx *ctx)
{
	_cleanup_free_ char *stamp = NULL;
	const char *tree = ctx->tree;
	int64_t read_at;
	bool saved;
	int rc;

	/* the run's tree, read once for everything (it may have been read
	 * before this: the stamp counts every file changed since its reading
	 * began as racy, so an edit in between is read again next time) */
	if ((rc = tree_for_ctx(ctx, &rt->tree, &read_at, rt->err)) < 0)
		return rc;
	if (rcache_racy_limit_at(read_at) < rt->racy)
		rt->racy = rcache_racy_limit_at(read_at);
	stamp = rcache_stamp(tree, rt->racy);
	rt->t_fingerprint = gild_now();
	rt->writer = rcache_writer_new();
	rt->defer = true;
	if ((rc = tree_foreach_recipe(rt->tree, add_recipe, rt)) < 0)
		return rc;
	cache_errors(rt, stamp);
	saved = rcache_writer_commit(rt->writer, rt->cache_path, stamp,
				     rt->err) >= 0;
	gild_err_clear(rt->err);
	rcache_writer_free(rt->writer);
	rt->writer = NULL;
	rt->defer = false;
	if (saved && (rc = use_cache(rt, tree)) != 0) {
		rt->cache_hit = false; /* for -v: this run read the tree */
		return rc < 0 ? rt->err->code : 0;
	}
	return tree_foreach_recipe(rt->tree, add_recipe, rt);
}

int rtree_load(struct gild_ctx *ctx, bool emptytree, struct rtree **out,
	       struct gild_err *err)
{
	_cleanup_(rtree_freep) struct rtree *rt = xcalloc(1, sizeof(*rt));
	int rc;

	rt->err = err;
	rt->emptytree = emptytree;
	rt->t_start = gild_now();
	rt->racy = rcache_racy_limit();
	rt->cache_path = xasprintf("%s/var/cache/gild/resolve.solv", ctx->tree);
	rt->treefd = open(ctx->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* the environment (USE=..., as emerge and gild build take it) */
	if ((rc = config_for_ctx(ctx, &rt->cfg, err)) < 0 ||
	    (rc = use_env_new(rt->cfg, &rt->env, err)) < 0)
		return rc;
	rt->in = rs_input_new();
	rs_input_set_flag_origin(rt->in, flag_origin, rt);
	rs_input_set_implicit_bdepend(
	    rt->in, config_get(rt->cfg, "GILD_IMPLICIT_BDEPEND"));
	rt->t_config = gild_now();
	if ((rc = use_cache(rt, ctx->tree)) < 0)
		return rt->err->code;
	rt->t_fingerprint = gild_now();
	if (!rc && (rc = load_tree(rt, ctx)) < 0)
		return rc;
	if ((rc = add_provided(rt)) < 0)
		return rc;
	rt->t_versions = gild_now();
	*out = TAKE_PTR(rt);
	return 0;
}

/* ---- sets ------------------------------------------------------------------
 */

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
		for (size_t n = strlen(s);
		     n && (s[n - 1] == ' ' || s[n - 1] == '\t');)
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
		_cleanup_free_ char *dir =
		    gild_path_join(rt->cfg->tree, nodes->v[i]);
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
	_cleanup_free_ char *confdir = xstrdup(rt->cfg->config_dir),
			    *path = NULL;
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
			if ((rc = rs_input_add_target(rt->in, targets[i],
						      rt->err)) < 0)
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
