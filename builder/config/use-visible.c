/* use-visible.c: which versions may be installed, and why not.
 *
 * A version is visible when no package.mask line matches it (unless a
 * package.unmask line does), one of its KEYWORDS is accepted
 * (ACCEPT_KEYWORDS, package.accept_keywords; portage(5) and
 * make.conf(5)), and its LICENSE is accepted (ACCEPT_LICENSE with
 * @GROUPs from profiles/license_groups, package.license; GLEP 23).
 */
#include "use-impl.h"

/* Groups may nest (@FREE = @FREE-SOFTWARE @FREE-DOCUMENTS ...). */
#define LICENSE_GROUP_DEPTH 16

/* ---- license groups
 * ---------------------------------------------------------- */

void use_env_release_licenses(struct use_env *env)
{
	for (size_t i = 0; i < env->lgroup_names.n; i++)
		gild_strv_release(&env->lgroup_members[i]);
	free(env->lgroup_members);
	gild_strv_release(&env->lgroup_names);
	for (size_t i = 0; i < env->nlic; i++)
		gild_strv_release(&env->lic[i].names);
	free(env->lic);
}

static const struct gild_strv *lgroup(const struct use_env *env,
				      const char *name)
{
	for (size_t i = 0; i < env->lgroup_names.n; i++)
		if (strcmp(env->lgroup_names.v[i], name) == 0)
			return &env->lgroup_members[i];
	return NULL;
}

static void expand_license(const struct use_env *env, const char *name,
			   unsigned depth, struct gild_strv *out)
{
	const struct gild_strv *g;

	if (name[0] != '@') {
		if (!gild_strv_contains(out, name))
			gild_strv_add(out, name);
		return;
	}
	if (depth >= LICENSE_GROUP_DEPTH || !(g = lgroup(env, name + 1)))
		return;
	for (size_t i = 0; i < g->n; i++)
		expand_license(env, g->v[i], depth + 1, out);
}

static int read_license_groups(struct use_env *env, struct gild_err *err)
{
	_cleanup_(plines_release) struct plines pl = {0};
	_cleanup_free_ char *path =
	    gild_path_join(env->cfg->tree, "profiles/license_groups");
	_cleanup_strv_ struct gild_strv files = GILD_STRV_INIT;
	int r;

	if ((r = plines_read(path, "profiles/license_groups", &files, &pl,
			     err)) < 0)
		return r;
	env->lgroup_members = xcalloc(pl.n + 1, sizeof(*env->lgroup_members));
	for (size_t i = 0; i < pl.n; i++) {
		gild_strv_add(&env->lgroup_names, pl.v[i].w[0]);
		for (size_t k = 1; k < pl.v[i].nw; k++)
			gild_strv_add(&env->lgroup_members[i], pl.v[i].w[k]);
	}
	return 0;
}

static void lic_ops(const struct use_env *env, const char *ops,
		    struct lic_op **v, size_t *n)
{
	_cleanup_strv_ struct gild_strv w = GILD_STRV_INIT;

	for (const char *s = ops; s && *s;) {
		size_t len;
		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (len)
			gild_strv_push(&w, xstrndup(s, len));
		s += len;
	}
	*v = xrealloc(*v, (*n + w.n + 1) * sizeof(**v));
	for (size_t i = 0; i < w.n; i++) {
		struct lic_op *o = &(*v)[(*n)++];
		const char *name = w.v[i] + (w.v[i][0] == '-');
		*o = (struct lic_op){.neg = w.v[i][0] == '-',
				     .all = strcmp(name, "*") == 0};
		if (!o->all)
			expand_license(env, name, 0, &o->names);
	}
}

int use_env_load_licenses(struct use_env *env, struct gild_err *err)
{
	int r;

	const char *acc = varlist_get(&env->cfg->eff, "ACCEPT_LICENSE");

	if ((r = read_license_groups(env, err)) < 0)
		return r;
	/* unset anywhere: portage's make.globals default */
	lic_ops(env, acc ? acc : "* -@EULA", &env->lic, &env->nlic);
	return 0;
}

static bool lic_ops_accept(const struct lic_op *ops, size_t n, const char *lic,
			   bool acc)
{
	for (size_t i = 0; i < n; i++)
		if (ops[i].all || gild_strv_contains(&ops[i].names, lic))
			acc = !ops[i].neg;
	return acc;
}

/* ---- LICENSE strings (PMS 7.3.2: || ( ), flag? ( ), groups)
 * -------------------- */

struct lic_eval {
	struct use_env *env;
	const struct use_state *use;
	const struct lic_op *pkg_ops; /* package.license for this version */
	size_t n_pkg_ops;
	const char *p;
};

static bool lic_accepted(struct lic_eval *le, const char *lic)
{
	bool acc = lic_ops_accept(le->env->lic, le->env->nlic, lic, false);
	return lic_ops_accept(le->pkg_ops, le->n_pkg_ops, lic, acc);
}

static char *lic_token(struct lic_eval *le)
{
	size_t n;

	le->p += strspn(le->p, " \t\n");
	n = strcspn(le->p, " \t\n");
	if (!n)
		return NULL;
	le->p += n;
	return xstrndup(le->p - n, n);
}

static bool lic_group(struct lic_eval *le, bool any, bool active,
		      struct gild_strv *bad);

static void strv_merge(struct gild_strv *to, const struct gild_strv *from)
{
	for (size_t i = 0; i < from->n; i++)
		if (!gild_strv_contains(to, from->v[i]))
			gild_strv_add(to, from->v[i]);
}

/* One item; returns whether it is satisfied, adding the licenses that
 * fail it to bad. Items in a false conditional are parsed but count as
 * satisfied and, in an any-of group, not at all, so that an any-of group
 * left empty is not satisfied (PMS 8.2). */
static bool lic_item(struct lic_eval *le, const char *tok, bool active,
		     bool *counted, struct gild_strv *bad)
{
	size_t n = strlen(tok);

	*counted = active;
	if (strcmp(tok, "||") == 0) {
		_cleanup_free_ char *open = lic_token(le);
		return lic_group(le, true, active, bad);
	}
	if (strcmp(tok, "(") == 0)
		return lic_group(le, false, active, bad);
	if (n > 1 && tok[n - 1] == '?') {
		bool neg = tok[0] == '!';
		_cleanup_free_ char *flag = xstrndup(tok + neg, n - 1 - neg);
		_cleanup_free_ char *open = lic_token(le);
		bool on = use_state_enabled(le->env, le->use, flag) != neg;
		*counted = active && on;
		return lic_group(le, false, active && on, bad);
	}
	if (!active || lic_accepted(le, tok))
		return true;
	gild_strv_add(bad, tok);
	return false;
}

static bool lic_group(struct lic_eval *le, bool any, bool active,
		      struct gild_strv *bad)
{
	_cleanup_strv_ struct gild_strv mine = GILD_STRV_INIT;
	bool all_ok = true, any_ok = false;
	char *tok;

	while ((tok = lic_token(le)) && strcmp(tok, ")") != 0) {
		_cleanup_strv_ struct gild_strv sub = GILD_STRV_INIT;
		bool counted, ok = lic_item(le, tok, active, &counted, &sub);
		if (!ok)
			strv_merge(&mine, &sub);
		all_ok &= ok;
		any_ok |= counted && ok;
		free(tok);
	}
	free(tok);
	if (!active || (any ? any_ok : all_ok))
		return true;
	strv_merge(bad, &mine);
	return false;
}

/* ---- visibility
 * ------------------------------------------------------------------ */

static void check_masks(struct use_env *env, const struct use_pkg *pkg,
			size_t lo, size_t hi, struct gild_strv *reasons)
{
	for (size_t i = lo; i < hi; i++)
		if (env->ents[i].kind == E_UNMASK &&
		    entry_matches(&env->ents[i], pkg))
			return;
	for (size_t i = lo; i < hi; i++) {
		const struct pkg_entry *e = &env->ents[i];
		if ((e->kind == E_PROFILE_MASK || e->kind == E_USER_MASK) &&
		    entry_matches(e, pkg))
			gild_strv_push(reasons,
				       xasprintf("masked by %s:%u",
						 e->line->file, e->line->line));
	}
}

/* portage's keyword check: `**` accepts anything, `*` any stable keyword,
 * `~*` any testing one; KEYWORDS "*" and "~*" match accepted keywords of
 * their kind; "-*" and "-arch" never match. */
static bool keyword_accepted(const struct gild_strv *acc, const char *kw)
{
	if (kw[0] == '-')
		return false;
	if (gild_strv_contains(acc, "**") || gild_strv_contains(acc, kw))
		return true;
	if (strcmp(kw, "*") == 0) {
		for (size_t i = 0; i < acc->n; i++)
			if (acc->v[i][0] != '~' && acc->v[i][0] != '-')
				return true;
		return false;
	}
	if (strcmp(kw, "~*") == 0) {
		for (size_t i = 0; i < acc->n; i++)
			if (acc->v[i][0] == '~')
				return true;
		return false;
	}
	if (kw[0] == '~')
		return gild_strv_contains(acc, "~*");
	return gild_strv_contains(acc, "*");
}

static void pkg_accept_keywords(struct use_env *env, const struct use_pkg *pkg,
				size_t lo, size_t hi, struct gild_strv *acc)
{
	for (size_t i = 0; i < env->accept_kw.n; i++)
		gild_strv_add(acc, env->accept_kw.v[i]);
	for (size_t i = lo; i < hi; i++) {
		const struct pkg_entry *e = &env->ents[i];
		if (e->kind != E_KEYWORDS || !entry_matches(e, pkg))
			continue;
		/* portage(5): a line without keywords accepts ~ARCH */
		if (e->line->nw == 1)
			gild_strv_push(acc, xasprintf("~%s", env->arch));
		for (size_t k = 1; k < e->line->nw; k++)
			gild_strv_add(acc, e->line->w[k]);
	}
}

/* The keyword to name when none is accepted: this arch's entry. */
static char *missing_keyword(const struct use_env *env,
			     const struct use_pkg *pkg)
{
	const char *any = NULL;

	for (size_t i = 0; i < pkg->n_keywords; i++) {
		const char *k = pkg->keywords[i],
			   *bare = k + (k[0] == '~' || k[0] == '-');
		if (strcmp(bare, env->arch) == 0)
			return xasprintf("keyword '%s' not accepted", k);
		if (strcmp(k, "-*") == 0)
			any = k;
	}
	if (any)
		return xasprintf("keyword '%s' not accepted", any);
	return xasprintf("no keyword for '%s'", env->arch);
}

static void check_keywords(struct use_env *env, const struct use_pkg *pkg,
			   size_t lo, size_t hi, struct gild_strv *reasons)
{
	_cleanup_strv_ struct gild_strv own = GILD_STRV_INIT;
	const struct gild_strv *acc = &env->accept_kw;
	bool per_pkg = false;

	for (size_t i = lo; i < hi && !per_pkg; i++)
		per_pkg = env->ents[i].kind == E_KEYWORDS;
	if (per_pkg) { /* only then copy the global list */
		pkg_accept_keywords(env, pkg, lo, hi, &own);
		acc = &own;
	}
	if (gild_strv_contains(acc, "**"))
		return;
	for (size_t i = 0; i < pkg->n_keywords; i++)
		if (keyword_accepted(acc, pkg->keywords[i]))
			return;
	gild_strv_push(reasons, missing_keyword(env, pkg));
}

static void check_license(struct use_env *env, const struct use_pkg *pkg,
			  const struct use_state *use, size_t lo, size_t hi,
			  struct gild_strv *reasons)
{
	_cleanup_strv_ struct gild_strv bad = GILD_STRV_INIT;
	struct lic_op *ops = NULL;
	size_t nops = 0;
	struct lic_eval le = {env, use, NULL, 0, pkg->license ?: ""};

	for (size_t i = lo; i < hi; i++) {
		const struct pkg_entry *e = &env->ents[i];
		_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
		if (e->kind != E_LICENSE || !entry_matches(e, pkg))
			continue;
		for (size_t k = 1; k < e->line->nw; k++)
			gild_buf_printf(&b, "%s ", e->line->w[k]);
		lic_ops(env, gild_buf_str(&b), &ops, &nops);
	}
	le.pkg_ops = ops;
	le.n_pkg_ops = nops;
	lic_group(&le, false, true, &bad);
	for (size_t i = 0; i < bad.n; i++)
		gild_strv_push(
		    reasons, xasprintf("license '%s' not accepted", bad.v[i]));
	for (size_t i = 0; i < nops; i++)
		gild_strv_release(&ops[i].names);
	free(ops);
}

bool use_visible(struct use_env *env, const struct use_pkg *pkg,
		 const struct use_state *use, struct gild_strv *reasons)
{
	size_t before = reasons->n, lo, hi;

	use_entries(env, pkg->category, pkg->pn, &lo, &hi);
	check_masks(env, pkg, lo, hi, reasons);
	check_keywords(env, pkg, lo, hi, reasons);
	check_license(env, pkg, use, lo, hi, reasons);
	return reasons->n == before;
}

bool use_provided(const struct use_env *env, const char *category,
		  const char *pn, const char *pvr, const struct pline **line)
{
	const struct plines *pl =
	    &env->cfg->profile->lists[PL_PACKAGE_PROVIDED];
	_cleanup_free_ char *want = xasprintf("%s/%s-%s", category, pn, pvr);

	for (size_t i = 0; i < pl->n; i++)
		if (strcmp(pl->v[i].w[0], want) == 0) {
			if (line)
				*line = &pl->v[i];
			return true;
		}
	return false;
}
