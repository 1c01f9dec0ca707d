/* use.c: the evaluation environment and effective USE (see use.h). */
#include "use-impl.h"

#include <ctype.h>

/* ---- building the environment ------------------------------------------- */

static void env_groups(struct use_env *env, const struct config *c)
{
	_cleanup_strv_ struct gild_strv hidden = GILD_STRV_INIT;

	incr_positive(config_get(c, "USE_EXPAND"), &env->groups);
	incr_positive(config_get(c, "USE_EXPAND_HIDDEN"), &hidden);
	env->hidden = xcalloc(env->groups.n + 1, sizeof(bool));
	env->managed = xcalloc(env->groups.n + 1, sizeof(bool));
	for (size_t g = 0; g < env->groups.n; g++) {
		char *p = xasprintf("%s_", env->groups.v[g]);
		for (char *q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		gild_strv_push(&env->prefixes, p);
		env->hidden[g] = gild_strv_contains(&hidden, env->groups.v[g]);
		env->managed[g] =
		    varlist_get(&c->eff, env->groups.v[g]) != NULL;
	}
}

static void add_ops(struct use_env *env, struct delta *d, const char *ops,
		    const char *prefix)
{
	_cleanup_strv_ struct gild_strv w = GILD_STRV_INIT;
	_cleanup_free_ char *pfx = prefix ? xasprintf("%s:", prefix) : NULL;

	if (pfx)
		gild_strv_add(&w, pfx);
	for (const char *s = ops; s && *s;) {
		size_t n;
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n)
			gild_strv_push(&w, xstrndup(s, n));
		s += n;
	}
	delta_add_words(env, d, w.v, w.n);
}

/* One layer (profile, gild.conf or environment): its USE ops, then for
 * each USE_EXPAND variable it sets, the variable's stacked value replaces
 * the group's flags (portage expands USE_EXPAND into USE that way). */
static void build_layer(struct use_env *env, struct delta *d,
			const struct varlist *layer, struct varlist *stacked)
{
	add_ops(env, d, varlist_get(layer, "USE"), NULL);
	for (size_t g = 0; g < env->groups.n; g++) {
		const char *v = varlist_get(layer, env->groups.v[g]);
		_cleanup_free_ char *acc = NULL;
		_cleanup_strv_ struct gild_strv pos = GILD_STRV_INIT;
		if (!v)
			continue;
		acc = xstrdup(varlist_get(stacked, env->groups.v[g]) ?: "");
		incr_stack(&acc, v);
		varlist_set(stacked, env->groups.v[g], acc, NULL, 0);
		idset_add(&d->resets, (int)g);
		incr_positive(acc, &pos);
		for (size_t i = 0; i < pos.n; i++) {
			_cleanup_free_ char *f =
			    xasprintf("%s%s", env->prefixes.v[g], pos.v[i]);
			idset_add(&d->plus, use_flag_id(env, f));
		}
	}
}

/* USE_EXPAND_UNPREFIXED values (ARCH=amd64) are plain flags that are
 * always on (forced: USE="-*" does not drop the arch flag), and the
 * implicit ones count as if in IUSE (PMS 5.2.4 IUSE_IMPLICIT,
 * USE_EXPAND_IMPLICIT, USE_EXPAND_VALUES_*). */
static void env_implicit(struct use_env *env, const struct config *c)
{
	_cleanup_strv_ struct gild_strv v = GILD_STRV_INIT, un = GILD_STRV_INIT,
					imp = GILD_STRV_INIT;

	incr_positive(config_get(c, "IUSE_IMPLICIT"), &v);
	incr_positive(config_get(c, "USE_EXPAND_UNPREFIXED"), &un);
	incr_positive(config_get(c, "USE_EXPAND_IMPLICIT"), &imp);
	for (size_t i = 0; i < un.n; i++) {
		const char *val = config_get(c, un.v[i]);
		if (*val)
			idset_add(&env->always, use_flag_id(env, val));
	}
	for (size_t i = 0; i < imp.n; i++) {
		_cleanup_free_ char *var =
		    xasprintf("USE_EXPAND_VALUES_%s", imp.v[i]);
		_cleanup_strv_ struct gild_strv vals = GILD_STRV_INIT;
		_cleanup_free_ char *pfx = xstrdup(imp.v[i]);
		bool unprefixed = gild_strv_contains(&un, imp.v[i]);
		incr_positive(config_get(c, var), &vals);
		for (char *q = pfx; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		for (size_t k = 0; k < vals.n; k++)
			gild_strv_push(&v, unprefixed ? xstrdup(vals.v[k])
						      : xasprintf("%s_%s", pfx,
								  vals.v[k]));
	}
	for (size_t i = 0; i < v.n; i++)
		idset_add(&env->implicit, use_flag_id(env, v.v[i]));
}

/* The profiles' layer node by node (each node's make.defaults), and lp,
 * their composition: one answer whether or not a package has profile
 * package.use lines to apply between the nodes (eval_profile_layers). */
static void env_global_use(struct use_env *env, const struct config *c)
{
	_cleanup_(varlist_release) struct varlist stacked = {0};
	const struct profile *p = c->profile;

	env->nlnode = p->nodes.n;
	env->lnode = xcalloc(env->nlnode + 1, sizeof(*env->lnode));
	for (size_t i = 0; i < env->nlnode; i++) {
		build_layer(env, &env->lnode[i], &p->node_vars[i], &stacked);
		delta_compose(env, &env->lp, &env->lnode[i], &env->lp);
	}
	env_implicit(env, c);
	build_layer(env, &env->lu, &c->user, &stacked);
	build_layer(env, &env->le, &c->envl, &stacked);
	delta_compose(env, &env->lp, &env->lu, &env->all);
	delta_compose(env, &env->all, &env->le, &env->all);
	use_env_build_levels(env, p);
}

/* ---- per-package lines ------------------------------------------------------
 */

static bool kind_has_flags(enum entry_kind k)
{
	return k <= E_STABLE_MASK;
}

/* portage(5): these files name packages, so a blocker means nothing, and
 * USE dependencies are not allowed in the package.use files. */
static int check_entry_atom(const struct pkg_entry *e,
			    const struct gild_loc *loc, struct gild_err *err)
{
	if (e->atom->blocker)
		return gild_fail(err, -GILD_E_SYNTAX, loc,
				 "a blocker '%s' is not allowed here",
				 e->atom->text);
	if (e->atom->n_use && kind_has_flags(e->kind))
		return gild_fail(
		    err, -GILD_E_SYNTAX, loc,
		    "USE dependencies in '%s' are not allowed here",
		    e->atom->text);
	return 0;
}

static int add_entries(struct use_env *env, const struct plines *pl,
		       enum entry_kind kind, struct gild_err *err)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct pline *l = &pl->v[i];
		struct gild_loc loc = {l->file, l->line, l->col[0]};
		struct pkg_entry e = {
		    .kind = kind, .order = env->nents, .line = l};
		int r;

		if ((r = atom_parse_at(l->w[0], strlen(l->w[0]), 8, &loc,
				       &e.atom, err)) < 0 ||
		    (r = check_entry_atom(&e, &loc, err)) < 0) {
			atom_free(e.atom);
			return r;
		}
		e.key = xasprintf("%s/%s", e.atom->category, e.atom->package);
		if (kind_has_flags(kind))
			delta_add_words(env, &e.d, l->w + 1, l->nw - 1);
		gild_grow(&env->ents, &env->capents, env->nents + 1,
			  sizeof(*env->ents));
		env->ents[env->nents++] = e;
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pkg_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int env_entries(struct use_env *env, const struct config *c,
		       struct gild_err *err)
{
	const struct plines *pl = c->profile->lists;
	int r;

	if ((r = add_entries(env, &pl[PL_PACKAGE_USE], E_PROFILE_USE, err)) <
		0 ||
	    (r = add_entries(env, &c->pkg_use, E_USER_USE, err)) < 0 ||
	    (r = add_entries(env, &pl[PL_PACKAGE_USE_FORCE], E_FORCE, err)) <
		0 ||
	    (r = add_entries(env, &pl[PL_PACKAGE_USE_MASK], E_MASK, err)) < 0 ||
	    (r = add_entries(env, &pl[PL_PACKAGE_USE_STABLE_FORCE],
			     E_STABLE_FORCE, err)) < 0 ||
	    (r = add_entries(env, &pl[PL_PACKAGE_USE_STABLE_MASK],
			     E_STABLE_MASK, err)) < 0 ||
	    (r = add_entries(env, &pl[PL_PACKAGE_MASK], E_PROFILE_MASK, err)) <
		0 ||
	    (r = add_entries(env, &c->pkg_mask, E_USER_MASK, err)) < 0 ||
	    (r = add_entries(env, &pl[PL_PACKAGE_UNMASK], E_UNMASK, err)) < 0 ||
	    (r = add_entries(env, &c->pkg_unmask, E_UNMASK, err)) < 0 ||
	    (r = add_entries(env, &c->pkg_keywords, E_KEYWORDS, err)) < 0 ||
	    (r = add_entries(env, &c->pkg_license, E_LICENSE, err)) < 0)
		return r;
	if (env->nents)
		qsort(env->ents, env->nents, sizeof(*env->ents), cmp_entry);
	return 0;
}

void use_entries(const struct use_env *env, const char *category,
		 const char *pn, size_t *lo, size_t *hi)
{
	char key[512];
	size_t a = 0, b = env->nents;

	snprintf(key, sizeof(key), "%s/%s", category, pn);
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (strcmp(env->ents[mid].key, key) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (b < env->nents && strcmp(env->ents[b].key, key) == 0)
		b++;
	*hi = b < a ? a : b;
}

bool entry_matches(const struct pkg_entry *e, const struct use_pkg *pkg)
{
	return atom_match_cpv(e->atom, pkg->category, pkg->pn, pkg->pvr) &&
	       atom_match_slot(e->atom, pkg->slot, pkg->subslot);
}

/* ---- lifecycle
 * ----------------------------------------------------------------- */

void use_env_free(struct use_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->nflags; i++)
		free(env->names[i]);
	free(env->names);
	free(env->group);
	free(env->slots);
	gild_strv_release(&env->groups);
	gild_strv_release(&env->prefixes);
	free(env->hidden);
	free(env->managed);
	delta_release(&env->lp);
	for (size_t i = 0; i < env->nlnode; i++)
		delta_release(&env->lnode[i]);
	free(env->lnode);
	delta_release(&env->lu);
	delta_release(&env->le);
	delta_release(&env->all);
	idset_release(&env->implicit);
	idset_release(&env->always);
	use_env_release_levels(env);
	idset_release(&env->force);
	idset_release(&env->mask);
	idset_release(&env->sforce);
	idset_release(&env->smask);
	for (size_t i = 0; i < env->nents; i++) {
		free(env->ents[i].key);
		atom_free(env->ents[i].atom);
		delta_release(&env->ents[i].d);
	}
	free(env->ents);
	gild_strv_release(&env->accept_kw);
	use_env_release_licenses(env);
	free(env);
}

static void env_keywords(struct use_env *env, const struct config *c)
{
	incr_positive(config_get(c, "ACCEPT_KEYWORDS"), &env->accept_kw);
	if (!env->accept_kw.n && *env->arch)
		gild_strv_add(&env->accept_kw, env->arch);
}

int use_env_new(const struct config *cfg, struct use_env **out,
		struct gild_err *err)
{
	_cleanup_(use_env_freep) struct use_env *env = xcalloc(1, sizeof(*env));
	int r;

	env->cfg = cfg;
	env->arch = config_get(cfg, "ARCH");
	env_groups(env, cfg);
	env_global_use(env, cfg);
	env_keywords(env, cfg);
	if ((r = env_entries(env, cfg, err)) < 0 ||
	    (r = use_env_load_licenses(env, err)) < 0)
		return r;
	*out = TAKE_PTR(env);
	return 0;
}

/* ---- evaluation
 * ------------------------------------------------------------------- */

void use_state_release(struct use_state *st)
{
	idset_release(&st->iuse);
	idset_release(&st->enabled);
	idset_release(&st->forced);
	idset_release(&st->masked);
}

static bool pkg_is_stable(const struct use_env *env, const struct use_pkg *pkg)
{
	for (size_t i = 0; i < pkg->n_keywords; i++)
		if (strcmp(pkg->keywords[i], env->arch) == 0)
			return true;
	return false;
}

static void iuse_defaults(struct use_env *env, const struct use_pkg *pkg,
			  struct use_state *st, struct idset *on)
{
	for (size_t i = 0; i < pkg->n_iuse; i++) {
		int id = use_flag_id(env, pkg->iuse[i].flag);
		idset_add(&st->iuse, id);
		if (pkg->iuse[i].def > 0)
			idset_add(on, id);
	}
}

/* Apply the matching per-package lines of one kind; false when none. */
static bool apply_entries(const struct use_env *env, const struct use_pkg *pkg,
			  size_t lo, size_t hi, enum entry_kind kind,
			  struct idset *s)
{
	bool any = false;

	for (size_t i = lo; i < hi; i++) {
		const struct pkg_entry *e = &env->ents[i];
		if (e->kind != kind || !entry_matches(e, pkg))
			continue;
		delta_apply(env, &e->d, s);
		any = true;
	}
	return any;
}

static bool has_kind(const struct use_env *env, size_t lo, size_t hi,
		     enum entry_kind kind)
{
	for (size_t i = lo; i < hi; i++)
		if (env->ents[i].kind == kind)
			return true;
	return false;
}

/* The profiles' package.use lines of one level (1 + the node's index;
 * 0 for lines not in a node). */
static void apply_profile_level(const struct use_env *env,
				const struct use_pkg *pkg, size_t lo, size_t hi,
				unsigned level, struct idset *s)
{
	for (size_t i = lo; i < hi; i++) {
		const struct pkg_entry *e = &env->ents[i];
		if (e->kind == E_PROFILE_USE && e->line->level == level &&
		    entry_matches(e, pkg))
			delta_apply(env, &e->d, s);
	}
}

/* The profiles' USE for pkg: node by node, each node's make.defaults then
 * its package.use lines, as portage stacks them (config.setcpv), so that
 * "a/u -png" in an early node's package.use yields to USE="png" in a
 * later node's make.defaults. */
static void eval_profile_layers(struct use_env *env, const struct use_pkg *pkg,
				size_t lo, size_t hi, struct idset *on)
{
	if (!has_kind(env, lo, hi, E_PROFILE_USE)) {
		delta_apply(env, &env->lp, on);
		return;
	}
	apply_profile_level(env, pkg, lo, hi, 0, on);
	for (size_t i = 0; i < env->nlnode; i++) {
		delta_apply(env, &env->lnode[i], on);
		apply_profile_level(env, pkg, lo, hi, (unsigned)i + 1, on);
	}
}

static void eval_use_layers(struct use_env *env, const struct use_pkg *pkg,
			    size_t lo, size_t hi, struct idset *on)
{
	if (!has_kind(env, lo, hi, E_PROFILE_USE) &&
	    !has_kind(env, lo, hi, E_USER_USE)) {
		delta_apply(env, &env->all,
			    on); /* the precomputed common case */
		return;
	}
	eval_profile_layers(env, pkg, lo, hi, on);
	delta_apply(env, &env->lu, on);
	apply_entries(env, pkg, lo, hi, E_USER_USE, on);
	delta_apply(env, &env->le, on);
}

static void restrict_to(const struct idset *keep1, const struct idset *keep2,
			struct idset *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n; i++)
		if (idset_has(keep1, s->v[i]) ||
		    (keep2 && idset_has(keep2, s->v[i])))
			s->v[j++] = s->v[i];
	s->n = j;
}

void use_eval(struct use_env *env, const struct use_pkg *pkg,
	      struct use_state *st)
{
	struct idset *on = &st->enabled;
	size_t lo, hi;

	/* reuse st's buffers: the resolver evaluates version after version */
	idset_clear(&st->iuse);
	idset_clear(&st->enabled);
	st->stable = pkg_is_stable(env, pkg);
	use_entries(env, pkg->category, pkg->pn, &lo, &hi);
	iuse_defaults(env, pkg, st, on);
	eval_use_layers(env, pkg, lo, hi, on);
	use_force_mask(env, pkg, lo, hi, st->stable, &st->forced, &st->masked);
	/* force turns on, then mask turns off: mask wins (PMS 5.2.11) */
	for (size_t i = 0; i < st->forced.n; i++)
		idset_add(on, st->forced.v[i]);
	for (size_t i = 0; i < st->masked.n; i++)
		idset_del(on, st->masked.v[i]);
	restrict_to(&st->iuse, &env->implicit, on);
	restrict_to(&st->iuse, NULL, &st->forced);
	restrict_to(&st->iuse, NULL, &st->masked);
}

int use_decide_tests(struct use_env *env, struct use_state *st, bool features,
		     int (*restricts)(void *ud), void *ud)
{
	int id = use_flag_id(env, "test");
	bool in_iuse = idset_has(&st->iuse, id);
	int r;

	if (in_iuse) {
		if (features)
			idset_add(&st->enabled, id);
		else
			idset_del(&st->enabled, id);
	}
	if ((r = restricts(ud)) < 0)
		return r;
	if (in_iuse && features && (r || idset_has(&st->masked, id))) {
		idset_del(&st->enabled, id);
		return 0;
	}
	return features && !r;
}

bool use_state_enabled(struct use_env *env, const struct use_state *st,
		       const char *flag)
{
	int id = use_flag_lookup(env, flag);

	/* a flag never interned is in no set: no need to intern it */
	return id >= 0 && idset_has(&st->enabled, id);
}

const struct plines *use_system_set(const struct use_env *env)
{
	return &env->cfg->profile->lists[PL_PACKAGES];
}
