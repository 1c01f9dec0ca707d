/* use-force.c: forced and masked flags (PMS 5.2.11-5.2.12, portage(5)).
 *
 * Portage applies the use.force/use.mask families node by node: for each
 * profile in the stack, its use.force and (for stable versions)
 * use.stable.force, then its package.use.force and
 * package.use.stable.force lines that match; likewise for masks. So a
 * child's use.mask re-masks what a parent's package.use.mask unmasked,
 * and a child's package.use.mask `-flag` unmasks a parent's use.mask.
 * Most versions match no package line: their sets are precomputed.
 */
#include "use-impl.h"

enum { FM_FORCE, FM_MASK, FM_STABLE_FORCE, FM_STABLE_MASK, FM_MAX };

static const enum profile_list fm_list[FM_MAX] = {
    PL_USE_FORCE, PL_USE_MASK, PL_USE_STABLE_FORCE, PL_USE_STABLE_MASK};
static const enum entry_kind fm_kind[FM_MAX] = {E_FORCE, E_MASK, E_STABLE_FORCE,
						E_STABLE_MASK};

void use_env_release_levels(struct use_env *env)
{
	for (size_t k = 0; k < FM_MAX; k++) {
		for (size_t l = 0; env->levels[k] && l < env->nlevels; l++)
			delta_release(&env->levels[k][l]);
		free(env->levels[k]);
	}
}

/* Apply one level: the profile lines of kind k, then the package lines. */
static void apply_level(const struct use_env *env, const struct use_pkg *pkg,
			size_t lo, size_t hi, int k, size_t level,
			struct idset *s)
{
	delta_apply(env, &env->levels[k][level], s);
	for (size_t i = lo; pkg && i < hi; i++) {
		const struct pkg_entry *e = &env->ents[i];
		if (e->kind == fm_kind[k] && e->line->level == level &&
		    entry_matches(e, pkg))
			delta_apply(env, &e->d, s);
	}
}

static void compute(const struct use_env *env, const struct use_pkg *pkg,
		    size_t lo, size_t hi, bool stable, struct idset *force,
		    struct idset *mask)
{
	idset_copy(force, &env->always);
	idset_clear(mask);
	for (size_t l = 0; l < env->nlevels; l++) {
		apply_level(env, pkg, lo, hi, FM_FORCE, l, force);
		if (stable)
			apply_level(env, pkg, lo, hi, FM_STABLE_FORCE, l,
				    force);
		apply_level(env, pkg, lo, hi, FM_MASK, l, mask);
		if (stable)
			apply_level(env, pkg, lo, hi, FM_STABLE_MASK, l, mask);
	}
}

void use_env_build_levels(struct use_env *env, const struct profile *p)
{
	env->nlevels = p->nodes.n + 1;
	for (size_t k = 0; k < FM_MAX; k++) {
		const struct plines *pl = &p->flag_lines[fm_list[k]];
		env->levels[k] = xcalloc(env->nlevels, sizeof(struct delta));
		for (size_t i = 0; i < pl->n; i++)
			delta_add_words(env, &env->levels[k][pl->v[i].level],
					pl->v[i].w, pl->v[i].nw);
	}
	compute(env, NULL, 0, 0, false, &env->force, &env->mask);
	compute(env, NULL, 0, 0, true, &env->sforce, &env->smask);
}

void use_force_mask(const struct use_env *env, const struct use_pkg *pkg,
		    size_t lo, size_t hi, bool stable, struct idset *force,
		    struct idset *mask)
{
	bool per_pkg = false;

	for (size_t i = lo; i < hi && !per_pkg; i++)
		per_pkg = env->ents[i].kind >= E_FORCE &&
			  env->ents[i].kind <= E_STABLE_MASK;
	if (per_pkg) {
		compute(env, pkg, lo, hi, stable, force, mask);
		return;
	}
	idset_copy(force, stable ? &env->sforce : &env->force);
	idset_copy(mask, stable ? &env->smask : &env->mask);
}
