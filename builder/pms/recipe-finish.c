/* recipe-finish.c: checks that need the whole recipe, then one allocation
 * holding the struct, its arrays and every string. */
#include "recipe-impl.h"

/* Two passes over the same fill function: the first (base NULL) only
 * measures, the second copies. */
struct arena {
	char *base;
	size_t used;
};

static void *arena_take(struct arena *a, size_t n, size_t align)
{
	a->used = (a->used + align - 1) & ~(align - 1);
	void *p = a->base ? a->base + a->used : NULL;
	a->used += n;
	return p;
}

static const char *arena_str(struct arena *a, gild_str s)
{
	char *p = arena_take(a, s.n + 1, 1);
	if (p) {
		memcpy(p, s.p, s.n);
		p[s.n] = '\0';
	}
	return p;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next whitespace-separated token of *s, or an empty view at the end. */
static gild_str next_token(gild_str *s)
{
	while (s->n && is_space(*s->p)) {
		s->p++;
		s->n--;
	}
	gild_str t = {s->p, 0};
	while (t.n < s->n && !is_space(s->p[t.n]))
		t.n++;
	s->p += t.n;
	s->n -= t.n;
	return t;
}

static size_t count_tokens(gild_str s)
{
	size_t n = 0;
	while (next_token(&s).n)
		n++;
	return n;
}

/* What finish() needs from the loader, computed once. */
struct final {
	gild_str vars[RECIPE_NVARS];
	struct gild_buf joined[RECIPE_NVARS]; /* recipe's + classes' values */
	size_t n_iuse_max, n_keywords;
};

static gild_str iuse_flag(gild_str tok, int *def)
{
	*def = 0;
	if (tok.n && (tok.p[0] == '+' || tok.p[0] == '-')) {
		*def = tok.p[0] == '+' ? 1 : -1;
		tok.p++;
		tok.n--;
	}
	return tok;
}

static void fill_iuse(struct recipe *r, struct arena *a, gild_str iuse,
		      size_t max)
{
	struct recipe_iuse *v = arena_take(a, max * sizeof(*v), sizeof(void *));
	size_t n = 0;

	/* duplicates found through a hash of the flags seen: a linear
	 * search made 100,000 flags take 45 s */
	size_t cap = 16;
	while (cap < 2 * max)
		cap *= 2;
	_cleanup_free_ size_t *slot = v ? xcalloc(cap, sizeof(size_t)) : NULL;

	r->iuse = v;
	for (gild_str t; (t = next_token(&iuse)).n;) {
		int def;
		gild_str f = iuse_flag(t, &def);
		size_t h = 14695981039346656037ULL;
		for (size_t i = 0; i < f.n; i++)
			h = (h ^ (unsigned char)f.p[i]) * 1099511628211ULL;
		/* the first mention wins: the recipe's own comes first */
		bool dup = false;
		for (h &= cap - 1; slot && slot[h]; h = (h + 1) & (cap - 1))
			if ((dup = gild_str_eq(f, v[slot[h] - 1].flag)))
				break;
		if (dup)
			continue;
		const char *s = arena_str(a, f);
		if (v) {
			v[n] = (struct recipe_iuse){s, def};
			slot[h] = n + 1;
		}
		n++;
	}
	/* the measuring pass cannot see duplicates: it reserved max */
	r->n_iuse = n;
}

static void fill_tokens(struct arena *a, gild_str s, size_t n,
			const char ***out, size_t *nout)
{
	const char **v = arena_take(a, n * sizeof(*v), sizeof(void *));
	size_t i = 0;

	for (gild_str t; (t = next_token(&s)).n; i++) {
		const char *p = arena_str(a, t);
		if (v)
			v[i] = p;
	}
	*out = v;
	*nout = i;
}

static void fill_tokens_v(struct arena *a, const struct gild_strv *sv,
			  const char ***out, size_t *nout)
{
	const char **v = arena_take(a, sv->n * sizeof(*v), sizeof(void *));

	for (size_t i = 0; i < sv->n; i++) {
		const char *p = arena_str(a, GILD_STR_C(sv->v[i]));
		if (v)
			v[i] = p;
	}
	*out = v;
	*nout = sv->n;
}

static void fill_funcs(struct recipe *r, struct arena *a,
		       struct recipe_loader *l)
{
	struct recipe_func *v =
	    arena_take(a, l->nfuncs * sizeof(*v), sizeof(void *));
	r->funcs = v;
	r->n_funcs = l->nfuncs;
	for (size_t i = 0; i < l->nfuncs; i++) {
		const struct loader_func *lf = &l->funcs[i];
		const char *name = arena_str(a, lf->name);
		const char *body = arena_str(a, lf->body);
		if (v)
			v[i] = (struct recipe_func){name, body, lf->loc,
						    lf->origin};
	}
}

static void fill(struct recipe *r, struct arena *a, struct recipe_loader *l,
		 const char *path, const struct final *fin)
{
	r->path = arena_str(a, GILD_STR_C(path));
	r->category = arena_str(a, var_get(l, "CATEGORY"));
	r->pn = arena_str(a, var_get(l, "PN"));
	r->pv = arena_str(a, var_get(l, "PV"));
	r->pr = arena_str(a, var_get(l, "PR"));
	r->pvr = arena_str(a, var_get(l, "PVR"));
	r->pf = arena_str(a, var_get(l, "PF"));
	r->p = arena_str(a, var_get(l, "P"));
	for (int v = 0; v < RECIPE_NVARS; v++) {
		r->vars[v] = arena_str(a, fin->vars[v]);
		r->var_loc[v] = l->var_loc[v];
		r->var_loc[v].file = l->var_loc[v].line ? r->path : NULL;
	}
	gild_str slot = fin->vars[RECIPE_SLOT];
	const char *slash = memchr(slot.p, '/', slot.n);
	r->slot = arena_str(
	    a, (gild_str){slot.p, slash ? (size_t)(slash - slot.p) : slot.n});
	r->subslot =
	    slash ? arena_str(a,
			      (gild_str){slash + 1,
					 slot.n - (size_t)(slash + 1 - slot.p)})
		  : r->slot;
	fill_iuse(r, a, fin->vars[RECIPE_IUSE], fin->n_iuse_max);
	fill_tokens(a, fin->vars[RECIPE_KEYWORDS], fin->n_keywords,
		    &r->keywords, &r->n_keywords);
	const char **inh =
	    arena_take(a, l->ninherited * sizeof(*inh), sizeof(void *));
	r->inherited = inh;
	r->n_inherited = l->ninherited;
	for (size_t i = 0; i < l->ninherited; i++) {
		const char *s =
		    arena_str(a, GILD_STR_C(l->classes[l->inherited[i]].name));
		if (inh)
			inh[i] = s;
	}
	fill_funcs(r, a, l);
	fill_tokens_v(a, &l->qa, &r->qa, &r->n_qa);
	r->eapi = l->eapi;
}

/* The final value of each variable: the recipe's, then the classes'
 * additions for the incremental ones. */
static void final_values(struct recipe_loader *l, struct final *fin)
{
	for (int v = 0; v < RECIPE_NVARS; v++) {
		gild_str own = var_get(l, recipe_var_name(v));
		if (!l->accum[v].n) {
			fin->vars[v] = own;
			continue;
		}
		struct gild_buf *b = &fin->joined[v];
		gild_buf_add(b, own.p, own.n);
		if (own.n)
			gild_buf_addc(b, ' ');
		gild_buf_add(b, l->accum[v].p, l->accum[v].n);
		fin->vars[v] = (gild_str){b->p, b->n};
	}
	fin->n_iuse_max = count_tokens(fin->vars[RECIPE_IUSE]);
	fin->n_keywords = count_tokens(fin->vars[RECIPE_KEYWORDS]);
}

static int check_required(struct recipe_loader *l, const char *path,
			  const struct final *fin, struct gild_err *err)
{
	struct gild_loc loc = {.file = path};

	/* PMS 7.3.1: EAPI unset means EAPI 0, which gild does not support */
	if (!l->eapi)
		return gild_fail(err, -GILD_E_UNSUPPORTED, &loc,
				 "EAPI is not set (that means EAPI 0; gild "
				 "supports EAPI 7 and 8)");
	/* PMS 7.2: SLOT is mandatory */
	if (!fin->vars[RECIPE_SLOT].n)
		return gild_fail(err, -GILD_E_SYNTAX, &loc, "SLOT is not set");
	return 0;
}

int recipe_finish(struct recipe_loader *l, const char *path,
		  struct recipe **out, struct gild_err *err)
{
	struct final fin = {0};
	struct recipe measure = {0};
	struct arena a = {NULL, sizeof(struct recipe)};
	int r;

	final_values(l, &fin);
	if ((r = check_required(l, path, &fin, err)) == 0) {
		fill(&measure, &a, l, path, &fin);
		struct recipe *rec = xcalloc(1, a.used);
		a = (struct arena){(char *)rec, sizeof(struct recipe)};
		fill(rec, &a, l, path, &fin);
		*out = rec;
	}
	for (int v = 0; v < RECIPE_NVARS; v++)
		gild_buf_release(&fin.joined[v]);
	return r;
}

void recipe_free(struct recipe *r)
{
	if (!r)
		return;
	recipe_free_deps(r);
	free(r);
}
