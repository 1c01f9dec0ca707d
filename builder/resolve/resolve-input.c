/* resolve-input.c: versions and dependency strings into resolver input. */
#include "resolve-input-impl.h"

#include "pms/pms.h"

/* A USE requirement after evaluation against the parent (PMS 8.3.4). */
struct use_req {
	const char *flag;
	bool want;
	enum use_dep_default def;
};

static char **strv_dup(const char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(*out));

	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct rs_input *rs_input_new(void)
{
	return xcalloc(1, sizeof(struct rs_input));
}

static void entry_release(struct entry *e)
{
	struct rs_recipe *c = &e->rec;

	free((char *)c->slot);
	free((char *)c->subslot);
	strv_free((char **)c->iuse, c->n_iuse);
	strv_free((char **)c->use, c->n_use);
	strv_free((char **)c->refused, c->n_refused);
	strv_free((char **)c->fixes, c->n_fixes);
	strv_free((char **)c->slotdeps, c->n_slotdeps);
	free(e->rebuild);
	for (int k = 0; k < DEP_NCLASS; k++) {
		free((char *)c->deps[k]);
		free((char *)c->dep_loc[k].file);
	}
	free(e->cpn); /* and the names in the same block (entry_new) */
}

void rs_input_free(struct rs_input *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++)
		entry_release(&in->v[i]);
	free(in->v);
	free(in->by_cpn);
	free(in->work);
	gild_strv_release(&in->stale);
	gild_strv_release(&in->targets);
	gild_strv_release(&in->rebuild_targets);
	gild_strv_release(&in->implicit_bdepend);
	resolver_free(in->r);
	gild_buf_release(&in->buf);
	free(in);
}

void rs_input_set_implicit_bdepend(struct rs_input *in, const char *atoms)
{
	gild_strv_release(&in->implicit_bdepend);
	gild_split_words(atoms, &in->implicit_bdepend);
}

void rs_input_set_flag_origin(struct rs_input *in, rs_flag_origin_fn fn,
			      void *ud)
{
	in->flag_origin = fn;
	in->flag_origin_ud = ud;
}

/* Everything but the names, copied from rec. */
static void entry_fill(struct entry *e, const struct rs_recipe *rec)
{
	struct rs_recipe *c = &e->rec;

	c->slot = xstrdup(rec->slot && *rec->slot ? rec->slot : "0");
	c->subslot = dup_or_null(rec->subslot);
	c->iuse = (const char *const *)strv_dup(rec->iuse, rec->n_iuse);
	c->n_iuse = rec->n_iuse;
	c->use = (const char *const *)strv_dup(rec->use, rec->n_use);
	c->n_use = rec->n_use;
	c->refused =
	    (const char *const *)strv_dup(rec->refused, rec->n_refused);
	c->n_refused = rec->n_refused;
	c->fixes = (const char *const *)strv_dup(rec->fixes, rec->n_fixes);
	c->n_fixes = rec->n_fixes;
	c->slotdeps =
	    (const char *const *)strv_dup(rec->slotdeps, rec->n_slotdeps);
	c->n_slotdeps = rec->n_slotdeps;
	for (int k = 0; k < DEP_NCLASS; k++) {
		c->deps[k] = dup_or_null(rec->deps[k]);
		c->dep_loc[k] = rec->dep_loc[k];
		c->dep_loc[k].file = dup_or_null(rec->dep_loc[k].file);
	}
	c->eapi = rec->eapi;
	c->user = rec->user;
}

static struct entry *entry_new(struct rs_input *in, const char *category,
			       const char *pn, const char *pvr,
			       enum rs_origin origin)
{
	struct entry *e;

	size_t nc = strlen(category), np = strlen(pn), nv = strlen(pvr);
	char *b;

	gild_grow(&in->v, &in->cap, in->n + 1, sizeof(*in->v));
	e = &in->v[in->n++];
	memset(e, 0, sizeof(*e));
	/* one block: "cat/pn\0cat\0pn\0pvr\0" (a cache holds 40,000) */
	e->cpn = b = xmalloc(2 * (nc + np) + nv + 5);
	memcpy(b, category, nc);
	b[nc] = '/';
	memcpy(b + nc + 1, pn, np + 1);
	b += nc + np + 2;
	e->rec.category = memcpy(b, category, nc + 1);
	b += nc + 1;
	e->rec.pn = memcpy(b, pn, np + 1);
	b += np + 1;
	e->rec.pvr = memcpy(b, pvr, nv + 1);
	e->rec.origin = origin;
	e->cand = -1;
	return e;
}

void rs_input_add(struct rs_input *in, const struct rs_recipe *rec)
{
	if (rec->origin == RS_BINARY || rec->origin == RS_INSTALLED)
		in->n_reuse++;
	entry_fill(entry_new(in, rec->category, rec->pn, rec->pvr, rec->origin),
		   rec);
}

void rs_input_add_stub(struct rs_input *in, const char *category,
		       const char *pn, const char *pvr, enum rs_origin origin,
		       long handle)
{
	struct entry *e = entry_new(in, category, pn, pvr, origin);

	e->stub = true;
	e->handle = handle;
}

void rs_input_set_loader(struct rs_input *in, rs_load_fn fn, void *ud)
{
	in->loader = fn;
	in->loader_ud = ud;
}

/* A stub's other fields, the first time anything looks at them. */
void rs_input_materialize(struct rs_input *in, struct entry *e)
{
	struct rs_recipe rec = {0};

	if (!e->stub)
		return;
	/* Whether the cached version still matches the tree; when not, its
	 * package is noted for a refresh and this pass goes on with it (its
	 * answer is thrown away, see rs_input_solve). Every use of a cached
	 * version comes here first. */
	if (in->src.current && !in->src.current(in->src.ud, e->handle) &&
	    !gild_strv_contains(&in->stale, e->cpn))
		gild_strv_add(&in->stale, e->cpn);
	e->stub = false;
	in->loader(in->loader_ud, e->handle, &rec);
	entry_fill(e, &rec);
}

void rs_input_set_source(struct rs_input *in, const struct rs_source *src)
{
	in->src = *src;
}

/* ---- finding versions by name -------------------------------------------- */

static struct rs_input *sort_ctx;

static int by_cpn_cmp(const void *a, const void *b)
{
	const struct entry *x = &sort_ctx->v[*(const size_t *)a];
	const struct entry *y = &sort_ctx->v[*(const size_t *)b];
	int c = strcmp(x->cpn, y->cpn);

	if (c)
		return c;
	c = version_cmp(x->rec.pvr, y->rec.pvr);
	if (c)
		return c;
	/* same version: installed/binary after the tree one (higher rank) */
	return (int)x->rec.origin - (int)y->rec.origin;
}

/* Versions mostly come in order (the tree's, or the cache's, which kept
 * it): the run already sorted is kept, the rest sorted and merged in. */
static void index_by_cpn(struct rs_input *in)
{
	size_t *idx = xmalloc((in->n + 1) * sizeof(size_t)), k = 1;
	size_t *tmp, i, j, o;

	for (i = 0; i < in->n; i++)
		idx[i] = i;
	sort_ctx = in;
	while (k < in->n && by_cpn_cmp(&idx[k - 1], &idx[k]) <= 0)
		k++;
	if (k < in->n) {
		qsort(idx + k, in->n - k, sizeof(size_t), by_cpn_cmp);
		tmp = xmalloc((in->n + 1) * sizeof(size_t));
		for (i = 0, j = k, o = 0; o < in->n; o++)
			tmp[o] =
			    j >= in->n ||
				    (i < k && by_cpn_cmp(&idx[i], &idx[j]) <= 0)
				? idx[i++]
				: idx[j++];
		free(idx);
		idx = tmp;
	}
	sort_ctx = NULL;
	free(in->by_cpn);
	in->by_cpn = idx;
}

/* [*first, *end) of by_cpn holding cat/pn. */
void rs_input_cpn_range(const struct rs_input *in, const char *cat,
			const char *pn, size_t *first, size_t *end)
{
	size_t lo = 0, hi = in->n;
	size_t cl = strlen(cat);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *c = in->v[in->by_cpn[mid]].cpn;
		int d = strncmp(c, cat, cl);
		if (!d)
			d = c[cl] == '/' ? strcmp(c + cl + 1, pn)
					 : (c[cl] < '/' ? -1 : 1);
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo < in->n) {
		const struct entry *e = &in->v[in->by_cpn[lo]];
		if (strcmp(e->rec.category, cat) || strcmp(e->rec.pn, pn))
			break;
		lo++;
	}
	*end = lo;
}

/* ---- USE dependencies (PMS 8.3.4) ---------------------------------------- */

static bool has_flag(const char *const *v, size_t n, const char *flag)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], flag) == 0)
			return true;
	return false;
}

/* Evaluate the conditional forms against the parent: `flag?` needs flag
 * when the parent has it, `flag=` the parent's value, and so on. */
static size_t eval_use_deps(const struct atom *a,
			    const struct rs_recipe *parent, struct use_req *out)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_use; i++) {
		const struct use_dep *u = &a->use[i];
		bool on =
		    parent && has_flag(parent->use, parent->n_use, u->flag);
		struct use_req q = {u->flag, true, u->def};
		switch (u->kind) {
		case USE_DEP_ENABLED:
			break;
		case USE_DEP_DISABLED:
			q.want = false;
			break;
		case USE_DEP_IF:
			if (!on)
				continue;
			break;
		case USE_DEP_IF_NOT:
			if (on)
				continue;
			q.want = false;
			break;
		case USE_DEP_EQ:
			q.want = on;
			break;
		case USE_DEP_NEQ:
			q.want = !on;
			break;
		}
		out[n++] = q;
	}
	return n;
}

/* Whether a candidate meets one USE requirement; a flag outside its IUSE
 * takes the (+)/(-) default and fails without one (PMS 8.3.4). */
static bool use_req_met(const struct rs_recipe *c, const struct use_req *q)
{
	bool on;

	if (has_flag(c->iuse, c->n_iuse, q->flag))
		on = has_flag(c->use, c->n_use, q->flag);
	else if (q->def == USE_DEFAULT_NONE)
		return false;
	else
		on = q->def == USE_DEFAULT_PLUS;
	return on == q->want;
}

/* The atom's text with its USE dependencies replaced by the evaluated
 * ones: the key under which the resolver interns it. */
static void eval_text(struct gild_buf *b, const struct atom *a,
		      const struct use_req *q, size_t nq)
{
	const char *t = a->text, *br;

	while (*t == '!') /* a blocker and a requirement share the atom */
		t++;
	br = a->n_use ? strchr(t, '[') : NULL;
	gild_buf_reset(b);
	gild_buf_add(b, t, br ? (size_t)(br - t) : strlen(t));
	for (size_t i = 0; i < nq; i++)
		gild_buf_printf(b, "%s%s%s%s", i ? "," : "[",
				q[i].want ? "" : "-", q[i].flag,
				q[i].def == USE_DEFAULT_PLUS	? "(+)"
				: q[i].def == USE_DEFAULT_MINUS ? "(-)"
								: "");
	if (nq)
		gild_buf_addc(b, ']');
}

static bool entry_matches(const struct entry *e, const struct atom *a)
{
	return atom_match_cpv(a, e->rec.category, e->rec.pn, e->rec.pvr) &&
	       atom_match_slot(a, e->rec.slot, e->rec.subslot);
}

/* The pool is built lazily: a package's versions become candidates the
 * first time an atom names it, and their dependencies are added from the
 * work list, so only what the targets can reach is ever matched (a 40,000
 * recipe tree, a 700 package plan). Versions are added in (cpn, version)
 * order, so the rank is the PMS order. */
static void add_cpn(struct rs_input *in, size_t first, size_t end)
{
	unsigned rank = 0;

	if (first == end || in->v[in->by_cpn[first]].cpn_added)
		return;
	in->v[in->by_cpn[first]].cpn_added = true;
	for (size_t i = first; i < end; i++)
		rs_input_materialize(in, &in->v[in->by_cpn[i]]);
	for (size_t i = first; i < end; i++) {
		struct entry *e = &in->v[in->by_cpn[i]];
		struct rs_pkg k = {.cpn = e->cpn,
				   .pvr = e->rec.pvr,
				   .slot = e->rec.slot,
				   .subslot = e->rec.subslot,
				   .use = e->rec.use,
				   .iuse = e->rec.iuse,
				   .origin = e->rec.origin,
				   .vrank = ++rank};
		if (e->rec.n_refused)
			continue;
		e->cand = resolver_add_pkg(in->r, &k);
		if (e->rec.origin == RS_INSTALLED ||
		    e->rec.origin == RS_PROVIDED)
			continue;
		gild_grow(&in->work, &in->work_cap, in->nwork + 1,
			  sizeof(size_t));
		in->work[in->nwork++] = in->by_cpn[i];
	}
}

/* Define the atom (as seen from parent, NULL for a target) in the
 * resolver, with the visible candidates it matches. */
static int define_atom(struct rs_input *in, const struct atom *a,
		       const struct rs_recipe *parent)
{
	_cleanup_free_ struct use_req *q = xmalloc((a->n_use + 1) * sizeof(*q));
	size_t nq = eval_use_deps(a, parent, q), first, end, n = 0;
	int h, *match;

	eval_text(&in->buf, a, q, nq);
	if ((h = resolver_atom_lookup(in->r, gild_buf_str(&in->buf))))
		return h;
	rs_input_cpn_range(in, a->category, a->package, &first, &end);
	add_cpn(in, first, end);
	match = xmalloc((end - first + 1) * sizeof(int));
	for (size_t i = first; i < end; i++) {
		const struct entry *e = &in->v[in->by_cpn[i]];
		bool ok = e->cand >= 0 && entry_matches(e, a);
		for (size_t k = 0; ok && k < nq; k++)
			ok = use_req_met(&e->rec, &q[k]);
		if (ok)
			match[n++] = e->cand;
	}
	h = resolver_atom_define(in->r, gild_buf_str(&in->buf), match, n);
	free(match);
	return h;
}

/* ---- dependency trees ---------------------------------------------------- */

struct alts {
	int **v;
	size_t n, cap;
	int *cur;
	size_t ncur, curcap;
};

static void alt_push_atom(struct alts *al, int atom)
{
	gild_grow(&al->cur, &al->curcap, al->ncur + 2, sizeof(int));
	al->cur[al->ncur++] = atom;
	al->cur[al->ncur] = 0;
}

static void alt_finish(struct alts *al)
{
	if (!al->ncur)
		return;
	gild_grow(&al->v, &al->cap, al->n + 1, sizeof(int *));
	al->v[al->n++] = al->cur;
	al->cur = NULL;
	al->ncur = al->curcap = 0;
}

/* Every atom under an all-of inside an any-of joins one alternative; a
 * nested any-of there contributes its first alternative's atoms (the one
 * Portage would try first). Blockers inside any-of are not expressible as
 * a choice and are left out. */
static void alt_collect(struct rs_input *in, const struct dep_node *n,
			const struct rs_recipe *parent, struct alts *al)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		const struct dep_node *k = &n->kids[i];
		if (k->kind == DEP_ATOM && !k->atom->blocker)
			alt_push_atom(al, define_atom(in, k->atom, parent));
		else if (k->kind == DEP_ALL)
			alt_collect(in, k, parent, al);
		else if (k->kind == DEP_ANY && k->n_kids) {
			struct dep_node first = *k;
			first.n_kids = 1;
			alt_collect(in, &first, parent, al);
		}
	}
}

static void add_any_of(struct rs_input *in, int cand, enum dep_class cls,
		       const struct dep_node *n, const struct rs_recipe *parent)
{
	struct alts al = {0};

	for (size_t i = 0; i < n->n_kids; i++) {
		const struct dep_node *k = &n->kids[i];
		if (k->kind ==
		    DEP_ANY) { /* || ( || ( a b ) c ) is || ( a b c ) */
			add_any_of(in, cand, cls, k, parent);
			continue;
		}
		if (k->kind == DEP_ATOM && !k->atom->blocker)
			alt_push_atom(&al, define_atom(in, k->atom, parent));
		else if (k->kind == DEP_ALL)
			alt_collect(in, k, parent, &al);
		alt_finish(&al);
	}
	if (!al.n) { /* "|| ( )" is never satisfied (PMS 8.2.3, EAPI 7+) */
		alt_push_atom(&al,
			      resolver_atom_define(in->r, "|| ( )", NULL, 0));
		alt_finish(&al);
	}
	resolver_require(in->r, cand, cls, (const int *const *)al.v, al.n);
	for (size_t i = 0; i < al.n; i++)
		free(al.v[i]);
	free(al.v);
}

static void add_deps(struct rs_input *in, int cand, enum dep_class cls,
		     const struct dep_node *n, const struct rs_recipe *parent)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		const struct dep_node *k = &n->kids[i];
		switch (k->kind) {
		case DEP_ATOM:
			if (k->atom->blocker)
				resolver_block(in->r, cand, cls,
					       define_atom(in, k->atom, parent),
					       k->atom->blocker == 2);
			else
				resolver_require_atom(
				    in->r, cand, cls,
				    define_atom(in, k->atom, parent));
			break;
		case DEP_ALL:
			add_deps(in, cand, cls, k, parent);
			break;
		case DEP_ANY:
			add_any_of(in, cand, cls, k, parent);
			break;
		default: /* conditionals are gone after depstr_reduce */
			break;
		}
	}
}

static bool rec_use_on(void *ud, const char *flag)
{
	const struct rs_recipe *c = ud;

	return has_flag(c->use, c->n_use, flag);
}

char *rs_input_reduced_deps(const struct rs_recipe *rec, int cls)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL, *red = NULL;
	struct gild_buf b = GILD_BUF_INIT;
	const char *s = rec->deps[cls];
	struct gild_err err = {0};

	if (!s || !*s)
		return xstrdup("");
	if (depstr_parse(s, strlen(s), DEPSTR_DEPEND, rec->eapi ? rec->eapi : 8,
			 NULL, &tree, &err) < 0)
		return xstrdup(s);
	red = depstr_reduce(tree, rec_use_on, (void *)rec);
	depstr_format(red, &b);
	return gild_buf_steal(&b);
}

/* GILD_IMPLICIT_BDEPEND of a recipe to build, and of a binary package
 * (which is reused only when built against the plan's libc): their
 * BDEPEND as well. */
static int entry_implicit_deps(struct rs_input *in, const struct entry *e,
			       struct gild_err *err)
{
	bool built = e->rec.origin == RS_TREE || e->rec.origin == RS_BINARY;

	for (size_t i = 0; built && i < in->implicit_bdepend.n; i++) {
		const char *text = in->implicit_bdepend.v[i];
		_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
		_cleanup_(atom_freep) struct atom *a = NULL;
		int r;
		if ((r = atom_parse(text, strlen(text), 8, &a, err)) < 0)
			return gild_fail(err, r, NULL,
					 "GILD_IMPLICIT_BDEPEND: '%s' is not "
					 "an atom",
					 text);
		if (!strcmp(a->category, e->rec.category) &&
		    !strcmp(a->package, e->rec.pn))
			continue;
		if ((r = depstr_parse(text, strlen(text), DEPSTR_DEPEND, 8,
				      NULL, &tree, err)) < 0)
			return r;
		add_deps(in, e->cand, DEP_BDEPEND, tree, &e->rec);
	}
	return 0;
}

static int entry_deps(struct rs_input *in, const struct entry *e,
		      struct gild_err *err)
{
	for (int cls = 0; cls < DEP_NCLASS; cls++) {
		_cleanup_(dep_node_freep) struct dep_node *tree = NULL,
							  *red = NULL;
		const char *s = e->rec.deps[cls];
		const struct gild_loc *loc =
		    e->rec.dep_loc[cls].file ? &e->rec.dep_loc[cls] : NULL;
		int r;
		if (!s || !*s)
			continue;
		r = depstr_parse(s, strlen(s), DEPSTR_DEPEND | DEPSTR_REDUCED,
				 e->rec.eapi ? e->rec.eapi : 8, loc, &tree,
				 err);
		if (r < 0)
			return r;
		red = depstr_reduce(tree, rec_use_on, (void *)&e->rec);
		add_deps(in, e->cand, cls, red, &e->rec);
	}
	return entry_implicit_deps(in, e, err);
}

/* ---- building and solving ------------------------------------------------ */

static void refusal_fn(void *ud, const char *atom, struct gild_strv *reasons,
		       struct gild_strv *fixes);

static int add_targets(struct rs_input *in, struct gild_err *err)
{
	for (size_t i = 0; i < in->targets.n; i++) {
		_cleanup_free_ char *text = NULL;
		_cleanup_(atom_freep) struct atom *a = NULL;
		int r = rs_input_target_atom(in, in->targets.v[i], &text, err);
		if (r < 0)
			return r;
		if ((r = atom_parse(text, strlen(text), 8, &a, err)) < 0)
			return r;
		resolver_add_target(in->r, in->targets.v[i],
				    define_atom(in, a, NULL));
	}
	return 0;
}

/* Remove the tree versions of cpn (between passes only: nothing holds
 * entries then). */
static void drop_cpn(struct rs_input *in, const char *cpn)
{
	size_t k = 0;

	for (size_t i = 0; i < in->n; i++) {
		if (in->v[i].rec.origin == RS_TREE &&
		    !strcmp(in->v[i].cpn, cpn))
			entry_release(&in->v[i]);
		else
			in->v[k++] = in->v[i];
	}
	in->n = k;
	/* the binaries of cpn were compared with the stale versions */
	rs_reuse_forget(in, cpn);
}

/* The stale packages of the last pass, read again. */
static int refresh_stale(struct rs_input *in, struct gild_err *err)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < in->stale.n; i++) {
		const char *cpn = in->stale.v[i], *slash = strchr(cpn, '/');
		_cleanup_free_ char *cat = xstrndup(cpn, (size_t)(slash - cpn));
		drop_cpn(in, cpn);
		r = in->src.refresh(in->src.ud, in, cat, slash + 1, err);
	}
	gild_strv_release(&in->stale);
	return r;
}

/* One pass: the pool from the targets, lazily. */
static int build_pool(struct rs_input *in, struct gild_err *err)
{
	int r;

	resolver_free(in->r);
	in->r = resolver_new();
	resolver_set_refusal_fn(in->r, refusal_fn, in);
	index_by_cpn(in);
	for (size_t i = 0; i < in->n; i++) {
		in->v[i].cand = -1;
		in->v[i].cpn_added = false;
	}
	in->nwork = 0;
	if (in->n_reuse)
		rs_reuse_check_use(in);
	if ((r = add_targets(in, err)) < 0)
		return r;
	for (size_t w = 0; w < in->nwork; w++)
		if ((r = entry_deps(in, &in->v[in->work[w]], err)) < 0)
			return r;
	return 0;
}

/* The pool, with the stale cached packages read again first: a stale
 * package may only show once the packages that name it are current, so
 * passes repeat until one finds nothing stale (each refreshes at least
 * one package, and refreshed ones stay current). */
static int build_current_pool(struct rs_input *in, struct gild_err *err)
{
	bool refreshed = false;
	int r;

	for (;;) {
		r = build_pool(in, err);
		if (!in->stale.n)
			break;
		gild_err_clear(
		    err); /* the error may come from stale versions */
		if ((r = refresh_stale(in, err)) < 0)
			return r;
		refreshed = true;
	}
	if (r >= 0 && refreshed && in->src.refreshed)
		in->src.refreshed(in->src.ud, in);
	return r;
}

static int solve_once(struct rs_input *in, struct plan **plan,
		      struct gild_err *err)
{
	double t0 = gild_now();
	int r;

	if ((r = build_current_pool(in, err)) < 0)
		return r;
	t0 = gild_now() - t0;
	if ((r = resolver_solve(in->r, plan, err)) < 0)
		return r;
	(*plan)->t_pool += t0; /* atoms matched and dependencies added */
	return 0;
}

/* With binary or installed versions, a plan that changes a sub-slot they
 * were built against is solved again without them (each round removes at
 * least one, so this ends). */
int rs_input_solve(struct rs_input *in, struct plan **plan,
		   struct resolver **rp, struct gild_err *err)
{
	int r;

	while ((r = solve_once(in, plan, err)) == 0 && in->n_reuse &&
	       !(*plan)->unsolvable && rs_reuse_check_slots(in, *plan)) {
		plan_free(*plan);
		*plan = NULL;
	}
	if (r < 0)
		return r;
	if (in->n_reuse && !(*plan)->unsolvable)
		rs_reuse_annotate(in, *plan);
	*rp = in->r;
	return 0;
}

/* ---- targets ---------------------------------------------------------------
 */

/* A bare name: the categories that have it (pkgname_pick's messages). */
static int name_to_atom(struct rs_input *in, const char *name, char **atom,
			struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv found = GILD_STRV_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv all = GILD_STRV_INIT;
	size_t pick;
	int r;

	for (size_t i = 0; i < in->n; i++) {
		if (strcmp(in->v[i].rec.pn, name) == 0 &&
		    !gild_strv_contains(&found, in->v[i].cpn))
			gild_strv_add(&found, in->v[i].cpn);
	}
	gild_strv_sort(&found);
	if (!found.n)
		for (size_t i = 0; i < in->n; i++)
			if (!all.n || strcmp(all.v[all.n - 1], in->v[i].cpn))
				gild_strv_add(&all, in->v[i].cpn);
	if ((r = pkgname_pick(name, &found, &all, &pick, err)) < 0)
		return r;
	*atom = xstrdup(found.v[pick]);
	return 0;
}

int rs_input_target_atom(struct rs_input *in, const char *text, char **atom,
			 struct gild_err *err)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	int r;

	if (!strchr(text, '/'))
		return name_to_atom(in, text, atom, err);
	if ((r = atom_parse(text, strlen(text), 8, &a, err)) < 0)
		return r;
	if (a->blocker)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "a blocker cannot be a target: '%s'", text);
	*atom = xstrdup(text);
	return 0;
}

int rs_input_add_target(struct rs_input *in, const char *text,
			struct gild_err *err)
{
	_cleanup_free_ char *atom = NULL;
	int r = rs_input_target_atom(in, text, &atom, err);

	if (r < 0)
		return r;
	gild_strv_add(&in->targets, text);
	return 0;
}

int rs_input_find(struct rs_input *in, const char *text)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	_cleanup_free_ char *s = NULL;
	struct gild_err err = GILD_ERR_INIT;
	int best = -1;

	if (rs_input_target_atom(in, text, &s, &err) < 0 ||
	    atom_parse(s, strlen(s), 8, &a, &err) < 0)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		const struct entry *e = &in->v[i];
		if (e->cand >= 0 && entry_matches(e, a) &&
		    (best < 0 || resolver_pkg(in->r, e->cand)->vrank >
				     resolver_pkg(in->r, best)->vrank))
			best = e->cand;
	}
	return best;
}

/* ---- explaining refusals ---------------------------------------------------
 */

static void refuse_use(struct rs_input *in, const struct entry *e,
		       const struct use_req *q, struct gild_strv *reasons,
		       struct gild_strv *fixes)
{
	const char *where = NULL;

	if (!has_flag(e->rec.iuse, e->rec.n_iuse, q->flag)) {
		gild_strv_push(
		    reasons,
		    xasprintf("%s-%s: USE flag '%s' is not in its IUSE "
			      "%s",
			      e->cpn, e->rec.pvr, q->flag,
			      q->def == USE_DEFAULT_NONE
				  ? "and the atom gives no default"
			      : q->def == USE_DEFAULT_PLUS
				  ? "and (+) counts it enabled"
				  : "and (-) counts it disabled"));
		return;
	}
	if (in->flag_origin)
		where = in->flag_origin(in->flag_origin_ud, &e->rec, q->flag,
					!q->want);
	gild_strv_push(reasons,
		       xasprintf("%s-%s: USE flag '%s' is %s%s%s", e->cpn,
				 e->rec.pvr, q->flag,
				 q->want ? "disabled" : "enabled",
				 where ? " by " : "", where ? where : ""));
	_cleanup_free_ char *fix =
	    xasprintf("add '%s %s%s' to etc/package.use", e->cpn,
		      q->want ? "" : "-", q->flag);
	if (!gild_strv_contains(fixes, fix))
		gild_strv_add(fixes, fix);
}

static void refuse_entry(struct rs_input *in, const struct entry *e,
			 const struct atom *a, const struct use_req *q,
			 size_t nq, struct gild_strv *reasons,
			 struct gild_strv *fixes)
{
	if (!entry_matches(e, a)) {
		gild_strv_push(
		    reasons,
		    xasprintf("%s-%s:%s: version or slot does not match",
			      e->cpn, e->rec.pvr, e->rec.slot));
		return;
	}
	if (e->rec.n_refused) {
		for (size_t k = 0; k < e->rec.n_refused; k++)
			gild_strv_push(reasons, xasprintf("%s-%s: %s", e->cpn,
							  e->rec.pvr,
							  e->rec.refused[k]));
		for (size_t k = 0; k < e->rec.n_fixes; k++)
			if (!gild_strv_contains(fixes, e->rec.fixes[k]))
				gild_strv_add(fixes, e->rec.fixes[k]);
		return;
	}
	for (size_t k = 0; k < nq; k++)
		if (!use_req_met(&e->rec, &q[k]))
			refuse_use(in, e, &q[k], reasons, fixes);
}

static const char *origin_label(enum rs_origin o)
{
	return o == RS_BINARY	   ? "binary package"
	       : o == RS_INSTALLED ? "installed"
	       : o == RS_PROVIDED  ? "package.provided"
				   : "tree";
}

/* An atom no version matches at all, said as a person would: "no version
 * of sys-libs/zlib matches '=sys-libs/zlib-9'; there is 1.2.13". */
static bool refuse_no_version(struct rs_input *in, const struct atom *a,
			      const char *text, size_t first, size_t end,
			      struct gild_strv *reasons)
{
	_cleanup_strv_ struct gild_strv vers = GILD_STRV_INIT;
	struct gild_buf b = GILD_BUF_INIT;

	for (size_t i = first; i < end; i++) {
		const struct entry *e = &in->v[in->by_cpn[i]];
		if (entry_matches(e, a))
			return false;
		if (!gild_strv_contains(&vers, e->rec.pvr))
			gild_strv_add(&vers, e->rec.pvr);
	}
	if (!vers.n)
		return false;
	gild_buf_printf(&b, "no version of %s/%s matches '%s'; there %s ",
			a->category, a->package, text,
			vers.n > 1 ? "are" : "is");
	for (size_t i = 0; i < vers.n; i++)
		gild_buf_printf(&b, "%s%s",
				!i		 ? ""
				: i + 1 < vers.n ? ", "
						 : " and ",
				vers.v[i]);
	gild_strv_push(reasons, gild_buf_steal(&b));
	return true;
}

/* The resolver asks why an atom (evaluated text) has no candidate: every
 * version of that package, and what keeps each out, once per version: a
 * binary package or installed version refused for another reason than the
 * tree's says where it comes from. */
static void refusal_fn(void *ud, const char *text, struct gild_strv *reasons,
		       struct gild_strv *fixes)
{
	struct rs_input *in = ud;
	_cleanup_(atom_freep) struct atom *a = NULL;
	_cleanup_free_ struct use_req *q = NULL;
	struct gild_err err = GILD_ERR_INIT;
	size_t nq, first, end;

	if (atom_parse(text, strlen(text), 8, &a, &err) < 0)
		return;
	q = xmalloc((a->n_use + 1) * sizeof(*q));
	nq = eval_use_deps(a, NULL, q); /* already evaluated: plain forms */
	rs_input_cpn_range(in, a->category, a->package, &first, &end);
	for (size_t i = first; i < end; i++)
		rs_input_materialize(in, &in->v[in->by_cpn[i]]);
	if (refuse_no_version(in, a, text, first, end, reasons))
		return;
	/* the tree's versions first: the others repeat them, mostly */
	for (size_t n = 0; n < 2 * (end - first); n++) {
		const struct entry *e =
		    &in->v[in->by_cpn[first + n % (end - first)]];
		_cleanup_strv_ struct gild_strv mine = GILD_STRV_INIT;
		if ((e->rec.origin == RS_TREE) != (n < end - first))
			continue;
		refuse_entry(in, e, a, q, nq, &mine, fixes);
		for (size_t k = 0; k < mine.n; k++) {
			if (gild_strv_contains(reasons, mine.v[k]))
				continue; /* the same version, another origin */
			if (e->rec.origin != RS_TREE &&
			    !strstr(mine.v[k], origin_label(e->rec.origin)))
				gild_strv_push(
				    reasons,
				    xasprintf("%s (%s)", mine.v[k],
					      origin_label(e->rec.origin)));
			else
				gild_strv_add(reasons, mine.v[k]);
		}
	}
}
