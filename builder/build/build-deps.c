/* build-deps.c: the build-time dependencies (DEPEND, BDEPEND) of a job,
 * found among the binary packages already built, or provided by the
 * toolchain stage (package.provided). Without a plan from the resolver
 * this is what `gild build ATOM` can use: every missing one is named. */
#include "build/build.h"

#include <sys/stat.h>

#include "pms/pms.h"
#include "repo/repo.h"

struct dep_search {
	struct build_job *j;
	const char *cls;	  /* "DEPEND" or "BDEPEND", for messages */
	struct gild_strv missing; /* "'atom' (DEPEND)" */
};

/* PMS 8.3.4: a USE dependency, after the parent's conditionals are
 * applied, requires the flag on or off in the candidate. */
static bool use_deps_ok(struct build_job *j, const struct atom *a,
			const char *use, const char *iuse)
{
	for (size_t i = 0; i < a->n_use; i++) {
		const struct use_dep *u = &a->use[i];
		bool parent = build_job_use_fn(j, u->flag), want;
		bool has = gild_has_word(use, u->flag);

		switch (u->kind) {
		case USE_DEP_ENABLED:
			want = true;
			break;
		case USE_DEP_DISABLED:
			want = false;
			break;
		case USE_DEP_IF:
			if (!parent)
				continue;
			want = true;
			break;
		case USE_DEP_IF_NOT:
			if (parent)
				continue;
			want = false;
			break;
		case USE_DEP_EQ:
			want = parent;
			break;
		case USE_DEP_NEQ:
			want = !parent;
			break;
		default:
			continue;
		}
		if (!gild_has_word(iuse, u->flag) && u->def != USE_DEFAULT_NONE)
			has = u->def == USE_DEFAULT_PLUS;
		if (has != want)
			return false;
	}
	return true;
}

/* Of two packages of one version (built from different inputs), the one
 * written last: it is the one built from the tree as it is now. */
static bool newer_file(struct build_job *j, const struct binrepo_pkg *a,
		       const struct binrepo_pkg *b)
{
	_cleanup_free_ char *pa = gild_path_join(j->env->pkgdir, a->relpath);
	_cleanup_free_ char *pb = gild_path_join(j->env->pkgdir, b->relpath);
	struct stat sa, sb;

	if (stat(pa, &sa) < 0 || stat(pb, &sb) < 0)
		return false;
	if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec)
		return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec;
	return sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool sorted_has(const struct gild_strv *v, const char *key)
{
	return v && v->n &&
	       bsearch(&key, v->v, v->n, sizeof(*v->v), cmp_str) != NULL;
}

/* Inside a plan's build, of a package the plan has only the builds the
 * plan made before this one count (build_env.visible); of others, and
 * elsewhere, every package of PKGDIR. pn is the package's name. */
static bool visible(const struct build_job *j, const struct binrepo_pkg *p,
		    const char *pn)
{
	_cleanup_free_ char *cpn = NULL;

	if (!j->env->visible)
		return true;
	cpn = xasprintf("%s/%s", p->category, pn);
	return !sorted_has(j->env->plan_names, cpn) ||
	       sorted_has(j->env->visible, p->relpath);
}

/* The highest binary package matching a; NULL when none. */
static const struct binrepo_pkg *
best_binpkg(struct build_job *j, const struct atom *a, bool check_use)
{
	const struct binrepo *repo = j->env->repo;
	const struct binrepo_pkg *best = NULL;
	_cleanup_free_ char *best_pvr = NULL;

	for (size_t i = 0; i < repo->n; i++) {
		const struct binrepo_pkg *p = &repo->pkgs[i];
		_cleanup_free_ char *pn = NULL, *pvr = NULL;
		const char *slot, *use, *iuse;
		_cleanup_free_ char *s = NULL;
		char *sub;

		if (p->error || gpkg_split_pf(p->pf, &pn, &pvr, NULL) < 0 ||
		    !visible(j, p, pn))
			continue;
		if (!atom_match_cpv(a, p->category, pn, pvr))
			continue;
		slot = gpkg_meta_get(&p->meta, "SLOT");
		s = xstrdup(slot ? slot : "0");
		sub = strchr(s, '/');
		if (sub)
			*sub++ = '\0';
		if (!atom_match_slot(a, s, sub))
			continue;
		use = gpkg_meta_get(&p->meta, "USE");
		iuse = gpkg_meta_get(&p->meta, "IUSE");
		if (check_use &&
		    !use_deps_ok(j, a, use ? use : "", iuse ? iuse : ""))
			continue;
		int c = best ? version_cmp(pvr, best_pvr) : 1;
		if (c > 0 || (c == 0 && newer_file(j, p, best))) {
			best = p;
			free(best_pvr);
			best_pvr = TAKE_PTR(pvr);
		}
	}
	return best;
}

static bool provided(struct build_job *j, const struct atom *a)
{
	const struct plines *pl =
	    &j->env->cfg->profile->lists[PL_PACKAGE_PROVIDED];

	for (size_t i = 0; i < pl->n; i++) {
		struct cpv c;
		_cleanup_free_ char *cat = NULL, *pn = NULL, *pvr = NULL;
		const char *w = pl->v[i].w[0];
		if (cpv_split(w, strlen(w), &c, NULL) < 0)
			continue;
		cat = gild_str_dup(c.category);
		pn = gild_str_dup(c.package);
		pvr = gild_str_dup(c.pvr);
		if (atom_match_cpv(a, cat, pn, pvr))
			return true;
	}
	return false;
}

static void record(struct build_job *j, const struct binrepo_pkg *p)
{
	if (gild_strv_contains(&j->deps, p->relpath))
		return;
	gild_strv_add(&j->deps, p->relpath);
	gild_strv_add(&j->dep_ids, p->build_id ? p->build_id : "");
}

/* Whether an atom can be met; records the package when it can. */
static bool meet_atom(struct dep_search *ds, const struct atom *a, bool commit)
{
	const struct binrepo_pkg *p;

	if (a->blocker)
		return true; /* blockers matter when installing, not here */
	if (provided(ds->j, a))
		return true;
	if (!(p = best_binpkg(ds->j, a, true)))
		return false;
	if (commit)
		record(ds->j, p);
	return true;
}

static bool meet(struct dep_search *ds, const struct dep_node *n, bool commit);

/* || ( ): the first alternative that can be met, as Portage prefers. */
static bool meet_any(struct dep_search *ds, const struct dep_node *n,
		     bool commit)
{
	for (size_t i = 0; i < n->n_kids; i++)
		if (meet(ds, &n->kids[i], false))
			return commit ? meet(ds, &n->kids[i], true) : true;
	return false;
}

static bool meet(struct dep_search *ds, const struct dep_node *n, bool commit)
{
	bool ok = true;

	switch (n->kind) {
	case DEP_ATOM:
		ok = meet_atom(ds, n->atom, commit);
		if (!ok && commit)
			gild_strv_push(
			    &ds->missing,
			    xasprintf("'%s' (%s)", n->atom->text, ds->cls));
		return ok;
	case DEP_ANY:
		ok = meet_any(ds, n, commit);
		if (!ok && commit) {
			struct gild_buf b = GILD_BUF_INIT;
			depstr_format(n, &b);
			gild_strv_push(
			    &ds->missing,
			    xasprintf("'%s' (%s)", gild_buf_str(&b), ds->cls));
			gild_buf_release(&b);
		}
		return ok;
	default:
		for (size_t i = 0; i < n->n_kids; i++)
			ok = meet(ds, &n->kids[i], commit) && ok;
		return ok;
	}
}

/* One `:=` atom with the slot and sub-slot of the binary package it is
 * built against, PMS 8.3.3 ("cat/pn:0/1="); as written when none. */
static void add_slot_op_atom(struct build_job *j, struct gild_buf *b,
			     struct atom *a)
{
	const struct binrepo_pkg *p = best_binpkg(j, a, true);
	const char *slot = p ? gpkg_meta_get(&p->meta, "SLOT") : NULL;
	_cleanup_free_ char *s = xstrdup(slot && *slot ? slot : "0");
	char *sub = strchr(s, '/');

	if (!p) {
		gild_buf_adds(b, a->text);
		return;
	}
	if (sub)
		*sub++ = 0;
	a->slot = s;
	a->subslot = sub ? sub : s;
	atom_format(a, b);
}

/* An evaluated dependency string with its `:=` atoms recorded, so that
 * a later plan can tell the package was built against a sub-slot that
 * changed (resolve-reuse.c). */
static char *record_slot_ops(struct build_job *j, const char *deps)
{
	struct gild_buf b = GILD_BUF_INIT;

	for (const char *s = deps; *s;) {
		_cleanup_(atom_freep) struct atom *a = NULL;
		size_t n;
		s += strspn(s, " \t\n");
		if (!*s)
			break;
		n = strcspn(s, " \t\n");
		if (b.n)
			gild_buf_addc(&b, ' ');
		if (atom_parse(s, n, j->r->eapi, &a, NULL) == 0 &&
		    !a->blocker && a->slot_op == ATOM_SLOT_OP_EQ && !a->subslot)
			add_slot_op_atom(j, &b, a);
		else
			gild_buf_add(&b, s, n);
		s += n;
	}
	return gild_buf_steal(&b);
}

static void record_all_slot_ops(struct build_job *j)
{
	static const enum recipe_var vars[] = {RECIPE_BDEPEND, RECIPE_DEPEND,
					       RECIPE_RDEPEND, RECIPE_PDEPEND,
					       RECIPE_IDEPEND};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(vars); i++) {
		char *s = j->evaluated[vars[i]];
		if (s && strstr(s, ":=")) {
			j->evaluated[vars[i]] = record_slot_ops(j, s);
			free(s);
		}
	}
}

static const struct binrepo_pkg *pkg_by_relpath(struct build_job *j,
						const char *relpath)
{
	const struct binrepo *repo = j->env->repo;

	for (size_t i = 0; i < repo->n; i++)
		if (!strcmp(repo->pkgs[i].relpath, relpath))
			return &repo->pkgs[i];
	return NULL;
}

/* p into out: into j->deps with its build-id, elsewhere by relpath. */
static void collect(struct build_job *j, const struct binrepo_pkg *p,
		    struct gild_strv *out)
{
	if (out == &j->deps)
		record(j, p);
	else if (!gild_strv_contains(out, p->relpath))
		gild_strv_add(out, p->relpath);
}

/* One node of a dependency's recorded RDEPEND (already USE-reduced when
 * it was built): an atom's best binary package, the first alternative of
 * || ( ) that has one. Returns whether the node could be met. */
static bool add_runtime_node(struct build_job *j, const struct dep_node *n,
			     struct gild_strv *out)
{
	const struct binrepo_pkg *p;
	bool ok = true;

	switch (n->kind) {
	case DEP_ATOM:
		if (n->atom->blocker || provided(j, n->atom))
			return true;
		if (!(p = best_binpkg(j, n->atom, false)))
			return false;
		collect(j, p, out);
		return true;
	case DEP_ANY:
		for (size_t i = 0; i < n->n_kids; i++)
			if (add_runtime_node(j, &n->kids[i], out))
				return true;
		return false;
	default:
		for (size_t i = 0; i < n->n_kids; i++)
			ok = add_runtime_node(j, &n->kids[i], out) && ok;
		return ok;
	}
}

/* What the packages of out need at run time, recursively, added to out:
 * the list grows while it is walked; what is not built is left out (a
 * plan builds the runtime dependencies too, but may order them later). */
static void add_runtime_closure(struct build_job *j, struct gild_strv *out)
{
	for (size_t i = 0; i < out->n; i++) {
		const struct binrepo_pkg *p = pkg_by_relpath(j, out->v[i]);
		const char *rdep =
		    p ? gpkg_meta_get(&p->meta, "RDEPEND") : NULL;
		const char *eapi = p ? gpkg_meta_get(&p->meta, "EAPI") : NULL;
		_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
		struct gild_loc loc = {p ? p->relpath : "", 1, 1};

		if (!rdep || !*rdep ||
		    depstr_parse(rdep, strlen(rdep),
				 DEPSTR_DEPEND | DEPSTR_REDUCED,
				 eapi ? atoi(eapi) : 8, &loc, &tree, NULL) < 0)
			continue;
		(void)add_runtime_node(j, tree, out);
	}
}

int build_job_runtime_pkgs(struct build_job *j, struct gild_strv *out,
			   struct gild_err *err)
{
	const char *rdep = j->evaluated[RECIPE_RDEPEND];
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	int r;

	for (size_t i = 0; i < j->libc.n; i++)
		if (!gild_strv_contains(out, j->libc.v[i]))
			gild_strv_add(out, j->libc.v[i]);
	if (rdep && *rdep) {
		if ((r = depstr_parse(
			 rdep, strlen(rdep), DEPSTR_DEPEND | DEPSTR_REDUCED,
			 j->r->eapi, &j->r->var_loc[RECIPE_RDEPEND], &tree,
			 err)) < 0)
			return r;
		(void)add_runtime_node(j, tree, out);
	}
	add_runtime_closure(j, out);
	return 0;
}

/* The profile's GILD_IMPLICIT_BDEPEND (its libc), as the resolver adds
 * it: every recipe is built against it, but the package it names. */
static int meet_implicit(struct build_job *j, struct dep_search *ds,
			 struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv atoms = GILD_STRV_INIT;

	gild_split_words(config_get(j->env->cfg, "GILD_IMPLICIT_BDEPEND"),
			 &atoms);
	ds->cls = "GILD_IMPLICIT_BDEPEND";
	for (size_t i = 0; i < atoms.n; i++) {
		_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
		_cleanup_(atom_freep) struct atom *a = NULL;
		const char *t = atoms.v[i];
		int r;
		if ((r = atom_parse(t, strlen(t), 8, &a, err)) < 0)
			return r;
		if (!strcmp(a->category, j->r->category) &&
		    !strcmp(a->package, j->r->pn))
			continue;
		if ((r = depstr_parse(t, strlen(t), DEPSTR_DEPEND, 8, NULL,
				      &tree, err)) < 0)
			return r;
		if (meet(ds, tree, true)) {
			const struct binrepo_pkg *p = best_binpkg(j, a, true);
			if (p && !gild_strv_contains(&j->libc, p->relpath))
				gild_strv_add(&j->libc, p->relpath);
		}
	}
	return 0;
}

int build_job_find_deps(struct build_job *j, struct gild_err *err)
{
	static const enum recipe_var cls[] = {RECIPE_BDEPEND, RECIPE_DEPEND};
	struct dep_search ds = {.j = j, .missing = GILD_STRV_INIT};
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(cls); i++) {
		_cleanup_(dep_node_freep) struct dep_node *orig = NULL;
		struct dep_node *red = NULL;
		if ((r = build_job_reduce(j, cls[i], &orig, &red, err)) < 0) {
			gild_strv_release(&ds.missing);
			return r;
		}
		ds.cls = recipe_var_name(cls[i]);
		meet(&ds, red, true);
		dep_node_free(red);
	}
	if ((r = meet_implicit(j, &ds, err)) < 0) {
		gild_strv_release(&ds.missing);
		return r;
	}
	/* the other classes are recorded (evaluated) in the package */
	static const enum recipe_var rest[] = {RECIPE_RDEPEND, RECIPE_PDEPEND,
					       RECIPE_IDEPEND, RECIPE_LICENSE,
					       RECIPE_RESTRICT};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rest); i++)
		if ((r = build_job_reduce(j, rest[i], NULL, NULL, err)) < 0) {
			gild_strv_release(&ds.missing);
			return r;
		}
	if (ds.missing.n == 0) {
		record_all_slot_ops(j);
		add_runtime_closure(j, &j->deps);
		return 0;
	}
	for (size_t i = 0; i < ds.missing.n; i++)
		gild_buf_printf(&b, "%s%s", i ? ", " : "", ds.missing.v[i]);
	gild_strv_release(&ds.missing);
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "'%s/%s' needs build-time dependencies that are not "
			 "built yet: %s (build them first)",
			 j->r->category, j->r->pf, b.p);
}
