/* query.c: selecting and evaluating versions for query, deps and info. */
#include "config/config.h"

#include "pms/pms.h"

#include <dirent.h>
#include <sys/stat.h>

int query_init(struct query *q, struct gild_ctx *ctx, struct gild_err *err)
{
	int r;

	*q = (struct query){0};
	if ((r = config_for_ctx(ctx, &q->cfg, err)) < 0 ||
	    (r = use_env_new(q->cfg, &q->env, err)) < 0)
		return r;
	q->loader = recipe_loader_new(ctx->tree, 0, err);
	return q->loader ? 0 : err->code;
}

static void qver_release(struct qver *v)
{
	recipe_free(v->r);
	free(v->iuse);
	use_state_release(&v->st);
	gild_strv_release(&v->why);
}

void query_release(struct query *q)
{
	for (size_t i = 0; i < q->n; i++)
		qver_release(&q->v[i]);
	free(q->v);
	free(q->errors);
	recipe_loader_free(q->loader);
	use_env_free(q->env);
	/* q->cfg is the run's (config_for_ctx) */
	*q = (struct query){0};
}

void query_pkg_from_recipe(const struct recipe *r, struct use_iuse *iuse,
			   struct use_pkg *pkg)
{
	for (size_t i = 0; i < r->n_iuse; i++)
		iuse[i] = (struct use_iuse){r->iuse[i].flag, r->iuse[i].def};
	*pkg = (struct use_pkg){
	    .category = r->category,
	    .pn = r->pn,
	    .pvr = r->pvr,
	    .slot = r->slot,
	    .subslot = r->subslot,
	    .iuse = iuse,
	    .n_iuse = r->n_iuse,
	    .keywords = r->keywords,
	    .n_keywords = r->n_keywords,
	    .license = r->vars[RECIPE_LICENSE],
	};
}

/* ---- selecting ----------------------------------------------------------- */

/* An atom without a category ("zlib", ">=zlib-1.3") gets a placeholder
 * one, so that the PMS parser checks the rest; it then matches any. */
#define ANY_CATEGORY "_"

static int parse_query_atom(const char *text, struct atom **out,
			    struct gild_err *err)
{
	_cleanup_free_ char *full = NULL;
	size_t ops = strspn(text, "<>=~!");

	if (strchr(text, '/'))
		return atom_parse(text, strlen(text), 8, out, err);
	full = xasprintf("%.*s" ANY_CATEGORY "/%s", (int)ops, text, text + ops);
	return atom_parse(full, strlen(full), 8, out, err);
}

static int cmp_qver(const void *a, const void *b)
{
	const struct recipe *x = ((const struct qver *)a)->r;
	const struct recipe *y = ((const struct qver *)b)->r;
	int c = strcmp(x->category, y->category);

	if (!c)
		c = strcmp(x->pn, y->pn);
	return c ? c : version_cmp(x->pvr, y->pvr);
}

static void add_version(struct query *q, struct recipe *r)
{
	struct qver *v;

	gild_grow(&q->v, &q->cap, q->n + 1, sizeof(*q->v));
	v = &q->v[q->n++];
	*v = (struct qver){.r = r};
	v->iuse = xcalloc(r->n_iuse + 1, sizeof(*v->iuse));
	query_pkg_from_recipe(r, v->iuse, &v->pkg);
	use_eval(q->env, &v->pkg, &v->st);
	v->visible = use_visible(q->env, &v->pkg, &v->st, &v->why);
}

static int cmp_pvr(const void *a, const void *b)
{
	return version_cmp(*(char *const *)a, *(char *const *)b);
}

static bool version_wanted(const struct atom *a, const struct recipe *r)
{
	const char *cat =
	    strcmp(a->category, ANY_CATEGORY) == 0 ? ANY_CATEGORY : r->category;
	return atom_match_cpv(a, cat, r->pn, r->pvr) &&
	       atom_match_slot(a, r->slot, r->subslot);
}

/* Whether a recipe file that does not load may be one the atom wants:
 * its version from the file name, when that has one. */
static bool file_wanted(const struct atom *a, const char *cat, const char *pn,
			const char *file)
{
	size_t n = strlen(pn), len = strlen(file) - strlen(".recipe");
	_cleanup_free_ char *pvr = NULL;

	if (len <= n + 1 || strncmp(file, pn, n) != 0 || file[n] != '-')
		return true;
	pvr = xstrndup(file + n + 1, len - n - 1);
	if (strcmp(a->category, ANY_CATEGORY) == 0)
		cat = ANY_CATEGORY;
	return !version_valid(pvr, strlen(pvr)) ||
	       atom_match_cpv(a, cat, pn, pvr);
}

static void keep_error(struct query *q, const struct gild_err *e)
{
	gild_grow(&q->errors, &q->errcap, q->nerrors + 1, sizeof(*q->errors));
	q->errors[q->nerrors++] = *e;
}

static int add_package(struct query *q, const struct atom *a, const char *cat,
		       const char *pn, struct gild_err *err)
{
	_cleanup_free_ char *dir =
	    xasprintf("%s/recipes/%s/%s", q->cfg->tree, cat, pn);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), added = 0;

	(void)err;
	for (int i = 0; i < n; i++) {
		const char *file = names[i]->d_name;
		struct gild_err lerr = GILD_ERR_INIT;
		struct recipe *rec = NULL;
		if (gild_endswith(file, ".recipe")) {
			if (recipe_load(q->loader, cat, pn, file, &rec, &lerr) <
			    0) {
				if (file_wanted(a, cat, pn, file))
					keep_error(q, &lerr);
			} else if (version_wanted(a, rec)) {
				add_version(q, rec);
				added++;
			} else {
				recipe_free(rec);
			}
		}
		free(names[i]);
	}
	free(names);
	return added;
}

static bool is_category_dir(const char *recipes, const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", recipes, name);
	struct stat st;

	return name[0] != '.' && strcmp(name, "classes") != 0 &&
	       stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add_any_category(struct query *q, const struct atom *a,
			    struct gild_err *err)
{
	_cleanup_free_ char *recipes = gild_path_join(q->cfg->tree, "recipes");
	struct dirent **names = NULL;
	int n = scandir(recipes, &names, NULL, alphasort), r = 0, added = 0;

	for (int i = 0; i < n; i++) {
		if (r >= 0 && is_category_dir(recipes, names[i]->d_name)) {
			r = add_package(q, a, names[i]->d_name, a->package,
					err);
			added += r > 0 ? r : 0;
		}
		free(names[i]);
	}
	free(names);
	return r < 0 ? r : added;
}

int query_add(struct query *q, const char *text, struct gild_err *err)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	size_t before = q->n, errors_before = q->nerrors;
	int r;

	if ((r = parse_query_atom(text, &a, err)) < 0)
		return r;
	if (strcmp(a->category, ANY_CATEGORY) == 0)
		r = add_any_category(q, a, err);
	else
		r = add_package(q, a, a->category, a->package, err);
	if (r < 0)
		return r;
	if (q->n == before && q->nerrors > errors_before) {
		*err = q->errors[errors_before];
		return err->code ? err->code : -GILD_E_SYNTAX;
	}
	if (q->n > before)
		qsort(q->v + before, q->n - before, sizeof(*q->v), cmp_qver);
	return (int)(q->n - before);
}

/* Every "cat/pn" below recipes/ into all, those named name (in cat, or
 * any category) into matches. */
static void scan_names(struct query *q, const char *cat, const char *name,
		       struct gild_strv *all, struct gild_strv *matches)
{
	_cleanup_free_ char *recipes = gild_path_join(q->cfg->tree, "recipes");
	struct dirent **cats = NULL;
	int nc = scandir(recipes, &cats, NULL, alphasort);

	for (int i = 0; i < nc; i++) {
		const char *c = cats[i]->d_name;
		_cleanup_free_ char *cdir = gild_path_join(recipes, c);
		struct dirent **pkgs = NULL;
		int np = is_category_dir(recipes, c)
			     ? scandir(cdir, &pkgs, NULL, alphasort)
			     : 0;
		for (int k = 0; k < np; k++) {
			const char *pn = pkgs[k]->d_name;
			if (pn[0] != '.') {
				gild_strv_push(all, xasprintf("%s/%s", c, pn));
				if (!strcmp(pn, name) &&
				    (!cat || !strcmp(c, cat)))
					gild_strv_push(
					    matches, xasprintf("%s/%s", c, pn));
			}
			free(pkgs[k]);
		}
		free(pkgs);
		free(cats[i]);
	}
	free(cats);
}

static void versions_of(struct query *q, const char *cpn, struct gild_strv *out)
{
	_cleanup_free_ char *dir =
	    xasprintf("%s/recipes/%s", q->cfg->tree, cpn);
	const char *pn = strchr(cpn, '/') + 1;
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t l = strlen(pn);
		if (!strncmp(f, pn, l) && f[l] == '-' &&
		    gild_endswith(f, ".recipe"))
			gild_strv_push(
			    out, xstrndup(f + l + 1, strlen(f) - l - 1 -
							 strlen(".recipe")));
		free(names[i]);
	}
	free(names);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_pvr);
}

int query_not_found(struct query *q, const char *text, struct gild_err *err)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	_cleanup_(gild_strv_releasep) struct gild_strv all = GILD_STRV_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv m = GILD_STRV_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv v = GILD_STRV_INIT;
	bool any = false;
	size_t pick;
	int r;

	if ((r = parse_query_atom(text, &a, err)) < 0)
		return r;
	any = strcmp(a->category, ANY_CATEGORY) == 0;
	scan_names(q, any ? NULL : a->category, a->package, &all, &m);
	if (!m.n) {
		_cleanup_free_ char *name =
		    any ? xstrdup(a->package)
			: xasprintf("%s/%s", a->category, a->package);
		return pkgname_pick(name, &m, &all, &pick, err);
	}
	if ((r = pkgname_pick(a->package, &m, NULL, &pick, err)) < 0)
		return r;
	versions_of(q, m.v[pick], &v);
	return pkgname_no_version(m.v[pick], text, &v, err);
}

struct qver *query_best(struct query *q, size_t lo, size_t hi)
{
	for (size_t i = hi; i-- > lo;)
		if (q->v[i].visible)
			return &q->v[i];
	return hi > lo ? &q->v[hi - 1] : NULL;
}

/* ---- printing USE -----------------------------------------------------------
 */

struct flagtok {
	const char *group; /* NULL: plain USE */
	const char *name;  /* short name */
	bool on, forced, masked;
};

static int cmp_flagtok(const void *a, const void *b)
{
	const struct flagtok *x = a, *y = b;
	int c = strcmp(x->group ? x->group : "", y->group ? y->group : "");

	if (c)
		return c;
	if (x->on != y->on)
		return x->on ? -1 : 1; /* enabled first, as emerge -v */
	return strcmp(x->name, y->name);
}

static void print_tok(const struct flagtok *t, FILE *f)
{
	if (t->masked)
		fprintf(f, "(-%s)", t->name);
	else if (t->forced)
		fprintf(f, "(%s)", t->name);
	else
		fprintf(f, "%s%s", t->on ? "" : "-", t->name);
}

void query_print_use(struct query *q, const struct qver *v, FILE *f)
{
	struct flagtok *t = xcalloc(v->st.iuse.n + 1, sizeof(*t));
	size_t n = 0;

	for (size_t i = 0; i < v->st.iuse.n; i++) {
		int id = v->st.iuse.v[i];
		bool hidden;
		const char *g = use_flag_group(q->env, id, &hidden);
		if (hidden)
			continue;
		t[n++] = (struct flagtok){g, use_flag_short(q->env, id),
					  idset_has(&v->st.enabled, id),
					  idset_has(&v->st.forced, id),
					  idset_has(&v->st.masked, id)};
	}
	qsort(t, n, sizeof(*t), cmp_flagtok);
	fprintf(f, "USE=\"");
	for (size_t i = 0; i < n && !t[i].group; i++) {
		fprintf(f, i ? " " : "");
		print_tok(&t[i], f);
	}
	fprintf(f, "\"");
	for (size_t i = 0; i < n; i++) {
		if (!t[i].group)
			continue;
		bool first = i == 0 || !t[i - 1].group ||
			     strcmp(t[i - 1].group, t[i].group) != 0;
		if (first)
			fprintf(f, " %s=\"", t[i].group);
		else
			fputc(' ', f);
		print_tok(&t[i], f);
		if (i + 1 == n || strcmp(t[i + 1].group, t[i].group) != 0)
			fputc('"', f);
	}
	free(t);
}

struct qver *query_pick(struct query *q, const char *atom, struct gild_err *err)
{
	const char *name = atom + strspn(atom, "<>=~!");
	_cleanup_(gild_strv_releasep) struct gild_strv m = GILD_STRV_INIT;
	size_t pick;

	/* q->v is sorted by category and name: the distinct packages */
	for (size_t i = 0; i < q->n; i++) {
		_cleanup_free_ char *cpn =
		    xasprintf("%s/%s", q->v[i].r->category, q->v[i].r->pn);
		if (!m.n || strcmp(m.v[m.n - 1], cpn))
			gild_strv_add(&m, cpn);
	}
	if (pkgname_pick(name, &m, NULL, &pick, err) < 0)
		return NULL;
	return query_best(q, 0, q->n);
}

int query_one(struct query *q, struct gild_ctx *ctx, const char *atom,
	      struct qver **out, struct gild_err *err)
{
	int r;

	if ((r = query_init(q, ctx, err)) < 0 ||
	    (r = query_add(q, atom, err)) < 0)
		return r;
	if (r == 0)
		return query_not_found(q, atom, err);
	if (!(*out = query_pick(q, atom, err)))
		return err->code;
	return 0;
}
