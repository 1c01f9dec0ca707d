/* resolve-case.c: resolver test cases as data (libsolv's testcases, apk's
 * test/solver/NAME.test).
 *
 * A case file, one directive per line ('#' comments, the first says what
 * is checked):
 *   recipe    CAT/PN-PVR [VAR="value"]...   SLOT IUSE KEYWORDS REQUIRED_USE
 *                                           EAPI DEPEND BDEPEND RDEPEND
 *                                           PDEPEND IDEPEND
 *   useflags  FLAG...          global USE (x, -x)
 *   use       ATOM FLAG...     a package.use line
 *   profile_use ATOM FLAG...   a profile's package.use line: applied before
 *                              useflags and use lines (PMS 5.3 layers)
 *   mask      ATOM             a package.mask line
 *   unmask    ATOM             a package.unmask line
 *   keywords  KW...            ACCEPT_KEYWORDS (default "amd64")
 *   accept_keywords ATOM [KW...]  a package.accept_keywords line (~amd64)
 *   provided  CAT/PN-PVR       package.provided: counts as installed
 *   installed CAT/PN-PVR[:SLOT[/SUB]] [VAR="value"]...   already installed
 *   binary    CAT/PN-PVR[:SLOT[/SUB]] [VAR="value"]...   in the binary
 *                              repository; both take the recipe variables
 *                              and USE (the flags it was built with; else
 *                              what the configuration gives), and their
 *                              dependencies are as recorded (`:SLOT/SUB=`)
 *   emptytree                  ignore installed packages (not provided)
 *   target    TEXT...          what to resolve
 *   expect    LINE             the output, line by line: the plan as
 *                              `gild pretend` prints it, then problems
 * A recipe without KEYWORDS is keyworded "amd64".
 */
#include "resolve/resolve.h"

#include <fcntl.h>

#include "pms/pms.h"

struct flag_origin {
	char *flag;
	char *where;
};

struct case_recipe {
	char *cpv;
	struct cpv parts; /* views into cpv */
	char *vars[V_NVARS];
	unsigned line;
	enum rs_origin origin;
	struct gild_strv iuse, use, refused, fixes;
	struct flag_origin *origins;
	size_t norigins;
};

struct rcase {
	const char *path, *name;
	struct gild_err *err;
	struct case_recipe *recs;
	size_t nrecs, rcap;
	/* the configuration lines, in order: kind word, args, line */
	struct gild_strv cfg_kind, cfg_args;
	unsigned *cfg_line;
	size_t cfg_cap;
	struct gild_strv targets;
	struct gild_strv expect;
	struct gild_strv accept; /* ACCEPT_KEYWORDS */
	bool emptytree, have_keywords;
};

static const char *const case_vars[V_NVARS] = {
    "SLOT",   "IUSE",	 "KEYWORDS", "REQUIRED_USE", "EAPI", "BDEPEND",
    "DEPEND", "RDEPEND", "PDEPEND",  "IDEPEND",	     "USE"};

static int var_index(const char *name, size_t n)
{
	for (int i = 0; i < V_NVARS; i++)
		if (strlen(case_vars[i]) == n && !memcmp(case_vars[i], name, n))
			return i;
	return -1;
}

static int case_fail(struct rcase *c, unsigned line, const char *fmt,
		     const char *arg)
{
	struct gild_loc loc = {c->path, line, 0};

	return gild_fail(c->err, -GILD_E_SYNTAX, &loc, fmt, arg);
}

static void recipe_release(struct case_recipe *r)
{
	free(r->cpv);
	for (int i = 0; i < V_NVARS; i++)
		free(r->vars[i]);
	gild_strv_release(&r->iuse);
	gild_strv_release(&r->use);
	gild_strv_release(&r->refused);
	gild_strv_release(&r->fixes);
	for (size_t i = 0; i < r->norigins; i++) {
		free(r->origins[i].flag);
		free(r->origins[i].where);
	}
	free(r->origins);
}

static void case_release(struct rcase *c)
{
	for (size_t i = 0; i < c->nrecs; i++)
		recipe_release(&c->recs[i]);
	free(c->recs);
	gild_strv_release(&c->cfg_kind);
	gild_strv_release(&c->cfg_args);
	free(c->cfg_line);
	gild_strv_release(&c->targets);
	gild_strv_release(&c->expect);
	gild_strv_release(&c->accept);
}

/* VAR="value with spaces" or VAR=word, after the cpv. */
static int parse_vars(struct rcase *c, struct case_recipe *r, const char *s,
		      unsigned line)
{
	while (*s) {
		const char *eq, *v, *end;
		int k;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (!(eq = strchr(s, '=')) ||
		    (k = var_index(s, (size_t)(eq - s))) < 0)
			return case_fail(c, line,
					 "unknown recipe variable in '%s'", s);
		v = eq + 1;
		if (*v == '"') {
			if (!(end = strchr(++v, '"')))
				return case_fail(
				    c, line, "unterminated quote in '%s'", s);
		} else {
			end = v + strcspn(v, " \t");
		}
		free(r->vars[k]);
		r->vars[k] = xstrndup(v, (size_t)(end - v));
		s = *end == '"' ? end + 1 : end;
	}
	return 0;
}

static int add_recipe(struct rcase *c, const char *args, unsigned line,
		      enum rs_origin origin)
{
	struct case_recipe *r;
	size_t n = strcspn(args, " \t");
	char *colon;
	struct gild_loc loc = {c->path, line, 0};

	gild_grow(&c->recs, &c->rcap, c->nrecs + 1, sizeof(*c->recs));
	r = &c->recs[c->nrecs++];
	memset(r, 0, sizeof(*r));
	r->cpv = xstrndup(args, n);
	r->line = line;
	r->origin = origin;
	if ((colon = strchr(r->cpv, ':'))) { /* installed CPV:SLOT[/SUB] */
		r->vars[V_SLOT] = xstrdup(colon + 1);
		*colon = 0;
	}
	if (cpv_split(r->cpv, strlen(r->cpv), &r->parts, c->err) < 0) {
		c->err->line = loc.line;
		snprintf(c->err->file, sizeof(c->err->file), "%s", c->path);
		return -GILD_E_SYNTAX;
	}
	return parse_vars(c, r, args + n, line);
}

static void add_cfg(struct rcase *c, const char *kind, const char *args,
		    unsigned line)
{
	gild_grow(&c->cfg_line, &c->cfg_cap, c->cfg_kind.n + 1,
		  sizeof(unsigned));
	c->cfg_line[c->cfg_kind.n] = line;
	gild_strv_add(&c->cfg_kind, kind);
	gild_strv_add(&c->cfg_args, args);
}

static void split_words(const char *s, struct gild_strv *out)
{
	while (*s) {
		size_t n;
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n)
			gild_strv_push(out, xstrndup(s, n));
		s += n;
	}
}

static int parse_line(struct rcase *c, char *s, unsigned line)
{
	size_t n = strcspn(s, " \t");
	char *args = s + n + strspn(s + n, " \t");

	s[n] = 0;
	if (!strcmp(s, "recipe"))
		return add_recipe(c, args, line, RS_TREE);
	if (!strcmp(s, "installed"))
		return add_recipe(c, args, line, RS_INSTALLED);
	if (!strcmp(s, "binary"))
		return add_recipe(c, args, line, RS_BINARY);
	if (!strcmp(s, "provided"))
		return add_recipe(c, args, line, RS_PROVIDED);
	if (!strcmp(s, "target"))
		split_words(args, &c->targets);
	else if (!strcmp(s, "emptytree"))
		c->emptytree = true;
	else if (!strcmp(s, "keywords")) {
		c->have_keywords = true;
		split_words(args, &c->accept);
	} else if (!strcmp(s, "useflags") || !strcmp(s, "use") ||
		   !strcmp(s, "profile_use") || !strcmp(s, "mask") ||
		   !strcmp(s, "unmask") || !strcmp(s, "accept_keywords"))
		add_cfg(c, s, args, line);
	else
		return case_fail(c, line, "unknown directive '%s'", s);
	return 0;
}

static int case_read(struct rcase *c, char *text)
{
	unsigned line = 0;

	for (char *s = text, *nl; s && *s; s = nl) {
		size_t len;
		int r;
		line++;
		if ((nl = strchr(s, '\n')))
			*nl++ = 0;
		len = strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			s[--len] = 0;
		if (!strncmp(s, "expect", 6) && (s[6] == ' ' || !s[6])) {
			gild_strv_add(&c->expect, s[6] ? s + 7 : "");
			continue;
		}
		if (!*s || *s == '#')
			continue;
		if ((r = parse_line(c, s, line)) < 0)
			return r;
	}
	if (!c->have_keywords)
		gild_strv_add(&c->accept, "amd64");
	return 0;
}

/* ---- configuration applied to one recipe ------------------------------------
 */

static bool atom_hits(const char *text, const struct case_recipe *r)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	struct gild_err err = GILD_ERR_INIT;
	gild_str cat = r->parts.category, pn = r->parts.package;
	_cleanup_free_ char *c = gild_str_dup(cat), *p = gild_str_dup(pn),
			    *v = gild_str_dup(r->parts.pvr);
	const char *slot = r->vars[V_SLOT] ? r->vars[V_SLOT] : "0";
	_cleanup_free_ char *s = xstrdup(slot), *sub = strchr(s, '/');

	if (sub)
		*sub++ = 0;
	sub = sub ? xstrdup(sub) : NULL;
	if (atom_parse(text, strlen(text), 8, &a, &err) < 0)
		return false;
	return atom_match_cpv(a, c, p, v) && atom_match_slot(a, s, sub);
}

static void set_origin(struct case_recipe *r, const char *flag,
		       const char *where)
{
	for (size_t i = 0; i < r->norigins; i++)
		if (!strcmp(r->origins[i].flag, flag)) {
			free(r->origins[i].where);
			r->origins[i].where = xstrdup(where);
			return;
		}
	r->origins =
	    xrealloc(r->origins, (r->norigins + 1) * sizeof(*r->origins));
	r->origins[r->norigins].flag = xstrdup(flag);
	r->origins[r->norigins++].where = xstrdup(where);
}

/* x turns a flag on, -x off (make.conf(5) USE, portage(5) package.use). */
static void apply_flags(struct case_recipe *r, struct gild_strv *on,
			const struct gild_strv *words, size_t from,
			const char *where)
{
	for (size_t i = from; i < words->n; i++) {
		const char *w = words->v[i];
		bool neg = *w == '-';
		struct gild_strv keep = GILD_STRV_INIT;
		for (size_t k = 0; k < on->n; k++)
			if (strcmp(on->v[k], w + neg))
				gild_strv_add(&keep, on->v[k]);
		if (!neg)
			gild_strv_add(&keep, w);
		gild_strv_release(on);
		*on = keep;
		if (where)
			set_origin(r, w + neg, where);
	}
}

/* Configuration line i when it is of kind use_kind ("use" also takes
 * the global "useflags" lines, in order). */
static void apply_cfg_line(struct rcase *c, struct case_recipe *r,
			   struct gild_strv *on, size_t i, const char *use_kind)
{
	struct gild_strv w = GILD_STRV_INIT;
	_cleanup_free_ char *where =
	    xasprintf("%s:%u", c->name, c->cfg_line[i]);
	const char *kind = c->cfg_kind.v[i];

	split_words(c->cfg_args.v[i], &w);
	if (!strcmp(kind, "useflags") && !strcmp(use_kind, "use"))
		apply_flags(r, on, &w, 0, where);
	else if (!strcmp(kind, use_kind) && w.n && atom_hits(w.v[0], r))
		apply_flags(r, on, &w, 1, where);
	gild_strv_release(&w);
}

/* IUSE defaults, then the profiles' package.use, then global USE and the
 * user's package.use lines in order. */
static void eval_use(struct rcase *c, struct case_recipe *r)
{
	struct gild_strv iuse = GILD_STRV_INIT, on = GILD_STRV_INIT;

	split_words(r->vars[V_IUSE] ? r->vars[V_IUSE] : "", &iuse);
	for (size_t i = 0; i < iuse.n; i++) {
		const char *f =
		    iuse.v[i] + (*iuse.v[i] == '+' || *iuse.v[i] == '-');
		gild_strv_add(&r->iuse, f);
		if (*iuse.v[i] == '+')
			gild_strv_add(&on, f);
	}
	if (r->vars[V_USE]) { /* as recorded when it was built */
		gild_strv_release(&on);
		split_words(r->vars[V_USE], &on);
	}
	for (int pass = 0; pass < 2 && !r->vars[V_USE]; pass++)
		for (size_t i = 0; i < c->cfg_kind.n; i++)
			apply_cfg_line(c, r, &on, i,
				       pass == 0 ? "profile_use" : "use");
	for (size_t i = 0; i < on.n; i++)
		if (gild_strv_contains(&r->iuse, on.v[i]))
			gild_strv_add(&r->use, on.v[i]);
	gild_strv_release(&iuse);
	gild_strv_release(&on);
}

/* The last configuration line of a kind whose atom matches, or -1. */
static int cfg_hit(struct rcase *c, const char *kind, struct case_recipe *r)
{
	int hit = -1;

	for (size_t i = 0; i < c->cfg_kind.n; i++) {
		struct gild_strv w = GILD_STRV_INIT;
		split_words(c->cfg_args.v[i], &w);
		if (!strcmp(c->cfg_kind.v[i], kind) && w.n &&
		    atom_hits(w.v[0], r))
			hit = (int)i;
		gild_strv_release(&w);
	}
	return hit;
}

static bool keyword_accepted(struct rcase *c, struct case_recipe *r,
			     const struct gild_strv *kw)
{
	struct gild_strv acc = GILD_STRV_INIT;
	bool ok = false;

	for (size_t i = 0; i < c->accept.n; i++)
		gild_strv_add(&acc, c->accept.v[i]);
	for (size_t i = 0; i < c->cfg_kind.n; i++) {
		struct gild_strv w = GILD_STRV_INIT;
		split_words(c->cfg_args.v[i], &w);
		if (!strcmp(c->cfg_kind.v[i], "accept_keywords") && w.n &&
		    atom_hits(w.v[0], r)) {
			if (w.n == 1)
				gild_strv_add(&acc, "~amd64");
			for (size_t k = 1; k < w.n; k++)
				gild_strv_add(&acc, w.v[k]);
		}
		gild_strv_release(&w);
	}
	for (size_t i = 0; i < kw->n && !ok; i++)
		ok = gild_strv_contains(&acc, kw->v[i]);
	gild_strv_release(&acc);
	return ok;
}

static bool case_use_on(void *ud, const char *flag)
{
	return gild_strv_contains(&((struct case_recipe *)ud)->use, flag);
}

static int check_required_use(struct rcase *c, struct case_recipe *r)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	struct gild_buf why = GILD_BUF_INIT;
	const char *s = r->vars[V_REQUIRED_USE];
	struct gild_loc loc = {c->path, r->line, 1};
	int rc;

	if (!s || !*s)
		return 0;
	if ((rc = depstr_parse(s, strlen(s), DEPSTR_REQUIRED_USE, 8, &loc,
			       &tree, c->err)) < 0)
		return rc;
	if (!requse_check(tree, case_use_on, r, &why)) {
		gild_strv_push(&r->refused,
			       xasprintf("REQUIRED_USE \"%s\" is not met: %s",
					 s, gild_buf_str(&why)));
		gild_strv_push(
		    &r->fixes,
		    xasprintf("set USE for '%.*s/%.*s' in etc/package.use "
			      "so that REQUIRED_USE \"%s\" holds",
			      GILD_STR_ARG(r->parts.category),
			      GILD_STR_ARG(r->parts.package), s));
	}
	gild_buf_release(&why);
	return 0;
}

static void check_visible(struct rcase *c, struct case_recipe *r)
{
	struct gild_strv kw = GILD_STRV_INIT;
	int m = cfg_hit(c, "mask", r);

	if (m >= 0 && cfg_hit(c, "unmask", r) < 0) {
		gild_strv_push(&r->refused, xasprintf("masked by %s:%u",
						      c->name, c->cfg_line[m]));
		gild_strv_push(&r->fixes, xasprintf("unmask it: add '=%s' to "
						    "etc/package.unmask",
						    r->cpv));
	}
	split_words(r->vars[V_KEYWORDS] ? r->vars[V_KEYWORDS] : "amd64", &kw);
	if (!keyword_accepted(c, r, &kw)) {
		gild_strv_push(
		    &r->refused,
		    xasprintf("keyword%s '%s' not accepted",
			      kw.n > 1 ? "s" : "",
			      r->vars[V_KEYWORDS] ? r->vars[V_KEYWORDS] : ""));
		gild_strv_push(
		    &r->fixes,
		    xasprintf("add '=%s %s' to etc/package.accept_keywords",
			      r->cpv, kw.n ? kw.v[0] : "**"));
	}
	gild_strv_release(&kw);
}

static const char *case_flag_origin(void *ud, const struct rs_recipe *rec,
				    const char *flag, bool enabled)
{
	struct case_recipe *r = rec->user;

	(void)ud;
	(void)enabled;
	for (size_t i = 0; i < r->norigins; i++)
		if (!strcmp(r->origins[i].flag, flag))
			return r->origins[i].where;
	return NULL;
}

static void to_input(struct rcase *c, struct case_recipe *r,
		     struct rs_input *in)
{
	_cleanup_free_ char *cat = gild_str_dup(r->parts.category),
			    *pn = gild_str_dup(r->parts.package),
			    *pvr = gild_str_dup(r->parts.pvr),
			    *slot = xstrdup(r->vars[V_SLOT] ? r->vars[V_SLOT]
							    : "0");
	char *sub = strchr(slot, '/');
	struct rs_recipe rec = {.category = cat,
				.pn = pn,
				.pvr = pvr,
				.slot = slot,
				.iuse = (const char *const *)r->iuse.v,
				.n_iuse = r->iuse.n,
				.use = (const char *const *)r->use.v,
				.n_use = r->use.n,
				.eapi = 8,
				.origin = r->origin,
				.refused = (const char *const *)r->refused.v,
				.n_refused = r->refused.n,
				.fixes = (const char *const *)r->fixes.v,
				.n_fixes = r->fixes.n,
				.user = r};

	struct gild_buf deps[DEP_NCLASS];
	struct gild_strv slotdeps = GILD_STRV_INIT;

	if (sub)
		*sub++ = 0;
	rec.subslot = sub;
	for (int k = 0; k < DEP_NCLASS; k++) {
		deps[k] = (struct gild_buf)GILD_BUF_INIT;
		rec.deps[k] = r->vars[V_DEPS + k];
		rec.dep_loc[k] = (struct gild_loc){c->path, r->line, 1};
		if (r->origin == RS_BINARY || r->origin == RS_INSTALLED) {
			rs_slotdeps_split(rec.deps[k], &deps[k], &slotdeps);
			rec.deps[k] = gild_buf_str(&deps[k]);
		}
	}
	rec.slotdeps = (const char *const *)slotdeps.v;
	rec.n_slotdeps = slotdeps.n;
	rs_input_add(in, &rec);
	for (int k = 0; k < DEP_NCLASS; k++)
		gild_buf_release(&deps[k]);
	gild_strv_release(&slotdeps);
}

static int build_input(struct rcase *c, struct rs_input *in)
{
	int rc;

	rs_input_set_flag_origin(in, case_flag_origin, c);
	for (size_t i = 0; i < c->nrecs; i++) {
		struct case_recipe *r = &c->recs[i];
		if ((r->origin == RS_INSTALLED || r->origin == RS_BINARY) &&
		    c->emptytree)
			continue;
		eval_use(c, r);
		if (r->origin == RS_TREE) {
			check_visible(c, r);
			if ((rc = check_required_use(c, r)) < 0)
				return rc;
		}
		to_input(c, r, in);
	}
	for (size_t i = 0; i < c->targets.n; i++)
		if ((rc = rs_input_add_target(in, c->targets.v[i], c->err)) < 0)
			return rc;
	return 0;
}

/* ---- running and comparing
 * --------------------------------------------------- */

void resolve_report(FILE *f, const struct plan *p, const struct resolver *r)
{
	plan_print(f, p, r, PLAN_TEXT);
	for (size_t i = 0; i < p->problems.n; i++)
		fprintf(f, "%s%s\n",
			p->unsolvable ? "" : "error: ", p->problems.v[i]);
}

static void split_lines(char *text, struct gild_strv *out)
{
	for (char *s = text, *nl; s && *s; s = nl) {
		if ((nl = strchr(s, '\n')))
			*nl++ = 0;
		gild_strv_add(out, s);
	}
}

/* A plain diff: the longest common subsequence, then -/+ lines. */
static void print_diff(FILE *out, const struct gild_strv *a,
		       const struct gild_strv *b)
{
	size_t n = a->n, m = b->n, i = 0, j = 0;
	unsigned *l = xcalloc((n + 1) * (m + 1), sizeof(unsigned));

	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			l[x * (m + 1) + y] =
			    !strcmp(a->v[x], b->v[y])
				? l[(x + 1) * (m + 1) + y + 1] + 1
			    : l[(x + 1) * (m + 1) + y] > l[x * (m + 1) + y + 1]
				? l[(x + 1) * (m + 1) + y]
				: l[x * (m + 1) + y + 1];
	fprintf(out, "--- expected\n+++ actual\n");
	while (i < n || j < m) {
		if (i < n && j < m && !strcmp(a->v[i], b->v[j])) {
			fprintf(out, " %s\n", a->v[i]);
			i++, j++;
		} else if (j < m && (i == n || l[i * (m + 1) + j + 1] >=
						   l[(i + 1) * (m + 1) + j])) {
			fprintf(out, "+%s\n", b->v[j++]);
		} else {
			fprintf(out, "-%s\n", a->v[i++]);
		}
	}
	free(l);
}

static bool strv_equal(const struct gild_strv *a, const struct gild_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

/* Keep every line but the expect ones, then the new expect lines. */
static int rewrite_expect(const char *path, const char *text,
			  const struct gild_strv *actual, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	int rc;

	if ((rc = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return rc;
	for (const char *s = text, *nl; *s; s = nl) {
		nl = strchr(s, '\n');
		nl = nl ? nl + 1 : s + strlen(s);
		if (!strncmp(s, "expect", 6) &&
		    (s[6] == ' ' || s[6] == '\n' || !s[6]))
			continue;
		fwrite(s, 1, (size_t)(nl - s), af.f);
	}
	for (size_t i = 0; i < actual->n; i++)
		fprintf(af.f, "expect%s%s\n", actual->v[i][0] ? " " : "",
			actual->v[i]);
	return gild_atomic_commit(&af, err);
}

static int solve_case(struct rcase *c, struct gild_strv *actual)
{
	_cleanup_(rs_input_freep) struct rs_input *in = rs_input_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct resolver *r = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if ((rc = build_input(c, in)) < 0 ||
	    (rc = rs_input_solve(in, &p, &r, c->err)) < 0) {
		/* errors in the case file fail the run; errors the user of
		 * `gild pretend` would see (ambiguous names) are the output */
		if (c->err->file[0])
			return rc;
		gild_strv_push(actual, xasprintf("error: %s", c->err->msg));
		gild_err_clear(c->err);
		return 0;
	}
	if (!(f = open_memstream(&buf, &len)))
		return gild_fail_errno(c->err, NULL,
				       "cannot open a memory stream");
	resolve_report(f, p, r);
	fclose(f);
	split_lines(buf, actual);
	free(buf);
	return 0;
}

int resolve_case_run(const char *path, bool update, FILE *out,
		     struct gild_err *err)
{
	_cleanup_free_ char *text = NULL, *copy = NULL;
	struct rcase c = {.path = path, .err = err};
	struct gild_strv actual = GILD_STRV_INIT;
	size_t len;
	int rc;

	c.name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if ((rc = gild_read_file(path, &text, &len, err)) < 0)
		return rc;
	copy = xstrdup(text);
	if ((rc = case_read(&c, copy)) < 0 ||
	    (rc = solve_case(&c, &actual)) < 0) {
		case_release(&c);
		gild_strv_release(&actual);
		return rc;
	}
	if (update)
		rc = strv_equal(&c.expect, &actual)
			 ? 0
			 : rewrite_expect(path, text, &actual, err);
	else if (!strv_equal(&c.expect, &actual)) {
		fprintf(out, "%s: output differs\n", path);
		print_diff(out, &c.expect, &actual);
		rc = 1;
	}
	case_release(&c);
	gild_strv_release(&actual);
	return rc;
}
