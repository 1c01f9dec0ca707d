/* recipe-parse.c: the lexer callbacks for recipes and classes: checking
 * metadata values where they are written (so errors point at the token),
 * the variable store, and inheritance. */
#include "recipe-impl.h"

struct frame {
	struct recipe_loader *l;
	const char *file;
	const char *origin; /* the class being read, NULL for the recipe */
};

static int parse_text(struct recipe_loader *l, const char *file,
		      const char *origin, const char *text, size_t len,
		      struct gild_err *err);

/* ---- checking values ----------------------------------------------------- */

typedef int (*token_fn)(const struct shvars_assign *a, gild_str tok, size_t off,
			struct gild_err *err);

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int each_token(const struct shvars_assign *a, token_fn fn,
		      struct gild_err *err)
{
	const char *s = a->value.p, *e = s + a->value.n, *p = s;
	int r;

	while (p < e) {
		while (p < e && is_space(*p))
			p++;
		const char *t = p;
		while (p < e && !is_space(*p))
			p++;
		if (p > t && (r = fn(a, (gild_str){t, (size_t)(p - t)},
				     (size_t)(t - s), err)) < 0)
			return r;
	}
	return 0;
}

static int fail_token(const struct shvars_assign *a, size_t off,
		      struct gild_err *err, const char *what, gild_str tok)
{
	struct gild_loc loc;
	shvars_value_loc(a, off, &loc);
	return gild_fail(err, -GILD_E_SYNTAX, &loc, "invalid %s '%.*s' in %.*s",
			 what, GILD_STR_ARG(tok), GILD_STR_ARG(a->name));
}

static int check_iuse_token(const struct shvars_assign *a, gild_str tok,
			    size_t off, struct gild_err *err)
{
	gild_str f = tok;
	if (f.n && (f.p[0] == '+' || f.p[0] == '-')) {
		f.p++;
		f.n--;
	}
	if (!use_flag_valid(f.p, f.n))
		return fail_token(a, off, err, "USE flag", tok);
	return 0;
}

/* PMS 7.3.3 KEYWORDS: arch, ~arch, -arch, or -*. */
static int check_keyword_token(const struct shvars_assign *a, gild_str tok,
			       size_t off, struct gild_err *err)
{
	gild_str k = tok;
	if (gild_str_eq(k, "-*"))
		return 0;
	if (k.n && (k.p[0] == '~' || k.p[0] == '-')) {
		k.p++;
		k.n--;
	}
	bool ok = k.n > 0;
	for (size_t i = 0; i < k.n && ok; i++) {
		char c = k.p[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		     (c >= '0' && c <= '9') || c == '_' ||
		     (i > 0 && (c == '-' || c == '+'));
	}
	if (!ok)
		return fail_token(a, off, err, "keyword", tok);
	return 0;
}

/* PMS 7.2: SLOT is one word, slot[/subslot]. */
static int check_slot(const struct shvars_assign *a, struct gild_err *err)
{
	gild_str v = a->value;
	struct gild_loc loc;
	const char *slash = memchr(v.p, '/', v.n);
	size_t sn = slash ? (size_t)(slash - v.p) : v.n;

	shvars_value_loc(a, 0, &loc);
	if (v.n == 0)
		return gild_fail(err, -GILD_E_SYNTAX, &loc, "SLOT is empty");
	if (!slot_name_valid(v.p, sn) ||
	    (slash && !slot_name_valid(slash + 1, v.n - sn - 1)))
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "invalid SLOT '%.*s' (want 'slot' or "
				 "'slot/subslot')",
				 GILD_STR_ARG(v));
	return 0;
}

static int check_eapi(struct frame *f, const struct shvars_assign *a,
		      struct gild_err *err)
{
	if (f->origin)
		return gild_fail(err, -GILD_E_INVALID, &a->loc,
				 "a class cannot set 'EAPI'");
	if (gild_str_eq(a->value, "7") || gild_str_eq(a->value, "8")) {
		f->l->eapi = a->value.p[0] - '0';
		return 0;
	}
	return gild_fail(err, -GILD_E_UNSUPPORTED, &a->loc,
			 "unsupported EAPI '%.*s' (gild supports EAPI 7 and 8)",
			 GILD_STR_ARG(a->value));
}

static int check_value(struct frame *f, int var, const struct shvars_assign *a,
		       struct gild_err *err)
{
	switch (var) {
	case RECIPE_EAPI:
		return check_eapi(f, a, err);
	case RECIPE_SLOT:
		return a->append ? 0 : check_slot(a, err);
	case RECIPE_IUSE:
		return each_token(a, check_iuse_token, err);
	case RECIPE_KEYWORDS:
		return each_token(a, check_keyword_token, err);
	default:
		return recipe_check_depvar(f->l->eapi ? f->l->eapi : 8, var, a,
					   &f->l->qa, err);
	}
}

/* ---- callbacks ----------------------------------------------------------- */

static int on_assign(void *ud, const struct shvars_assign *a,
		     struct gild_err *err)
{
	struct frame *f = ud;
	int var = recipe_var_by_name(a->name), r;

	if (var >= 0 && (r = check_value(f, var, a, err)) < 0)
		return r;
	var_set(f->l, a->name, a->value, a->append);
	if (var >= 0 && !f->origin)
		f->l->var_loc[var] = a->loc;
	return 0;
}

static int on_function(void *ud, gild_str name, gild_str body,
		       const struct gild_loc *loc, struct gild_err *err)
{
	struct frame *f = ud;
	struct recipe_loader *l = f->l;

	if (!(l->flags & RECIPE_LOAD_FUNCTIONS))
		return 0;
	gild_grow(&l->funcs, &l->funccap, l->nfuncs + 1, sizeof(*l->funcs));
	l->funcs[l->nfuncs++] =
	    (struct loader_func){name, body, *loc, f->origin};
	return 0;
}

/* Find or read recipes/classes/NAME.class. Returns its index or <0. */
static int class_get(struct recipe_loader *l, gild_str name,
		     const struct gild_loc *loc, struct gild_err *err)
{
	struct gild_buf text = GILD_BUF_INIT;
	struct gild_err e = GILD_ERR_INIT;

	for (size_t i = 0; i < l->nclasses; i++)
		if (gild_str_eq(name, l->classes[i].name))
			return (int)i;
	char *path =
	    xasprintf("recipes/classes/%.*s.class", GILD_STR_ARG(name));
	int r = recipe_read_file(l->rootfd, path, &text, &e);
	if (r < 0) {
		gild_buf_release(&text);
		r = gild_fail(err, r == -ENOENT ? -GILD_E_NOTFOUND : r, loc,
			      "class '%.*s' not found: cannot read '%s'",
			      GILD_STR_ARG(name), path);
		free(path);
		return r;
	}
	gild_grow(&l->classes, &l->classcap, l->nclasses + 1,
		  sizeof(*l->classes));
	struct loader_class *c = &l->classes[l->nclasses];
	c->name = gild_str_dup(name);
	c->path = path;
	c->len = text.n;
	c->text = gild_buf_steal(&text);
	return (int)l->nclasses++;
}

static int fail_cycle(struct recipe_loader *l, size_t ci,
		      const struct gild_loc *loc, struct gild_err *err)
{
	struct gild_buf chain = GILD_BUF_INIT;
	size_t i = 0;

	while (i < l->depth && l->stack[i] != ci)
		i++;
	for (; i < l->depth; i++)
		gild_buf_printf(&chain, "'%s' -> ",
				l->classes[l->stack[i]].name);
	gild_buf_printf(&chain, "'%s'", l->classes[ci].name);
	int r = gild_fail(err, -GILD_E_CYCLE, loc,
			  "class inheritance cycle: %s", chain.p);
	gild_buf_release(&chain);
	return r;
}

static bool already_inherited(struct recipe_loader *l, size_t ci)
{
	for (size_t i = 0; i < l->ninherited; i++)
		if (l->inherited[i] == ci)
			return true;
	return false;
}

/* Portage keeps an eclass's DEPEND & co apart from the ebuild's and adds
 * them at the end (E_DEPEND ...): the class starts with these empty, its
 * values go to accum[], and the recipe's are put back afterwards. */
static int read_class(struct recipe_loader *l, size_t ci, struct gild_err *err)
{
	char *saved[RECIPE_NVARS] = {0};
	int r;

	for (int v = 0; v < RECIPE_NVARS; v++) {
		if (!recipe_var_is_incremental(v))
			continue;
		gild_str cur = var_get(l, recipe_var_name(v));
		saved[v] = cur.n ? gild_str_dup(cur) : NULL;
		if (cur.n)
			var_set(l, GILD_STR_C(recipe_var_name(v)),
				(gild_str){"", 0}, false);
	}
	l->stack[l->depth++] = ci;
	r = parse_text(l, l->classes[ci].path, l->classes[ci].name,
		       l->classes[ci].text, l->classes[ci].len, err);
	l->depth--;
	for (int v = 0; v < RECIPE_NVARS; v++) {
		if (!recipe_var_is_incremental(v))
			continue;
		gild_str mine = var_get(l, recipe_var_name(v));
		if (r == 0 && mine.n) {
			if (l->accum[v].n)
				gild_buf_addc(&l->accum[v], ' ');
			gild_buf_add(&l->accum[v], mine.p, mine.n);
		}
		if (saved[v] || mine.n)
			var_set(l, GILD_STR_C(recipe_var_name(v)),
				saved[v] ? GILD_STR_C(saved[v])
					 : (gild_str){"", 0},
				false);
		free(saved[v]);
	}
	return r;
}

static int on_inherit(void *ud, gild_str name, const struct gild_loc *loc,
		      struct gild_err *err)
{
	struct frame *f = ud;
	struct recipe_loader *l = f->l;
	int ci = class_get(l, name, loc, err);

	if (ci < 0)
		return ci;
	for (size_t i = 0; i < l->depth; i++)
		if (l->stack[i] == (size_t)ci)
			return fail_cycle(l, (size_t)ci, loc, err);
	if (already_inherited(l, (size_t)ci))
		return 0;
	if (l->depth == RECIPE_MAX_INHERIT_DEPTH)
		return gild_fail(err, -GILD_E_LIMIT, loc,
				 "classes inherit more than %d deep",
				 RECIPE_MAX_INHERIT_DEPTH);
	gild_grow(&l->inherited, &l->inhcap, l->ninherited + 1,
		  sizeof(*l->inherited));
	l->inherited[l->ninherited++] = (size_t)ci;
	return read_class(l, (size_t)ci, err);
}

static bool on_lookup(void *ud, gild_str name, gild_str *val)
{
	struct frame *f = ud;
	return recipe_lookup(f->l, name, val);
}

static const struct shvars_ops recipe_ops = {
    .assign = on_assign,
    .inherit = on_inherit,
    .function = on_function,
    .lookup = on_lookup,
};

static int parse_text(struct recipe_loader *l, const char *file,
		      const char *origin, const char *text, size_t len,
		      struct gild_err *err)
{
	struct frame f = {l, file, origin};
	return shvars_parse(text, len, file, &recipe_ops, &f, err);
}

int recipe_parse_body(struct recipe_loader *l, const char *path,
		      const char *text, size_t len, struct gild_err *err)
{
	return parse_text(l, path, NULL, text, len, err);
}
