/* use-origin.c: which configuration line gave a version's flag its state,
 * for explanations ("USE flag 'ssl' is disabled by
 * profiles/base/package.use:3"). The layers are those of use.h, looked at
 * from the strongest: a mask (package.use.mask, use.mask) for a disabled
 * flag and a force (package.use.force, use.force) for an enabled one,
 * then the user's package.use, then the profiles' package.use (portage(5):
 * the last matching line wins within a layer). */
#include "use-impl.h"

#include "pms/pms.h"

#include <ctype.h>

static bool line_matches(const struct pline *l, const struct use_pkg *pkg)
{
	_cleanup_(atom_freep) struct atom *a = NULL;

	if (atom_parse(l->w[0], strlen(l->w[0]), 8, &a, NULL) < 0)
		return false;
	return atom_match_cpv(a, pkg->category, pkg->pn, pkg->pvr) &&
	       atom_match_slot(a, pkg->slot && *pkg->slot ? pkg->slot : "0",
			       pkg->subslot);
}

/* Whether word names flag; after a USE_EXPAND "VAR:" word (portage(5)
 * package.use) the flag is var_word: "python3_12" after
 * "PYTHON_TARGETS:" is python_targets_python3_12. */
static bool flag_is(const char *flag, const char *var, size_t nvar,
		    const char *word)
{
	for (size_t i = 0; i < nvar; i++, flag++)
		if (*flag != tolower((unsigned char)var[i]))
			return false;
	if (nvar && *flag++ != '_')
		return false;
	return !strcmp(flag, word);
}

/* The last line of a package list naming flag for pkg, with the sign it
 * gives (-flag: false); NULL when none. */
static const struct pline *last_pkg_line(const struct plines *pl,
					 const struct use_pkg *pkg,
					 const char *flag, bool *on)
{
	const struct pline *hit = NULL;

	for (size_t i = 0; i < pl->n; i++) {
		const struct pline *l = &pl->v[i];
		const char *var = NULL;
		size_t nvar = 0;
		if (!line_matches(l, pkg))
			continue;
		for (size_t k = 1; k < l->nw; k++) {
			const char *w = l->w[k];
			size_t n = strlen(w);
			if (n > 1 && w[n - 1] == ':') { /* "PYTHON_TARGETS:" */
				var = w;
				nvar = n - 1;
				continue;
			}
			if (flag_is(flag, var, nvar, w + (*w == '-'))) {
				hit = l;
				*on = *w != '-';
			}
		}
	}
	return hit;
}

/* The last use.mask/use.force line naming flag (or -flag). */
static const struct pline *last_flag_line(const struct plines *pl,
					  const char *flag, bool *on)
{
	const struct pline *hit = NULL;

	for (size_t i = 0; i < pl->n; i++)
		if (!strcmp(pl->v[i].w[0] + (pl->v[i].w[0][0] == '-'), flag)) {
			hit = &pl->v[i];
			*on = pl->v[i].w[0][0] != '-';
		}
	return hit;
}

/* A mask (enabled false) or force (true) of flag for pkg, or NULL. */
static const struct pline *mask_or_force(const struct profile *p,
					 const struct use_pkg *pkg,
					 const char *flag, bool enabled)
{
	enum profile_list pkg_list =
	    enabled ? PL_PACKAGE_USE_FORCE : PL_PACKAGE_USE_MASK;
	enum profile_list flag_list = enabled ? PL_USE_FORCE : PL_USE_MASK;
	const struct pline *l;
	bool on = false;

	if ((l = last_pkg_line(&p->lists[pkg_list], pkg, flag, &on)))
		return on ? l : NULL;
	l = last_flag_line(&p->flag_lines[flag_list], flag, &on);
	return l && on ? l : NULL;
}

char *use_flag_origin(const struct use_env *env, const struct use_pkg *pkg,
		      const char *flag, bool enabled)
{
	const struct config *cfg = env->cfg;
	const struct pline *l;
	bool on = false;

	if ((l = mask_or_force(cfg->profile, pkg, flag, enabled)) ||
	    ((l = last_pkg_line(&cfg->pkg_use, pkg, flag, &on)) &&
	     on == enabled) ||
	    ((l = last_pkg_line(&cfg->profile->lists[PL_PACKAGE_USE], pkg, flag,
				&on)) &&
	     on == enabled))
		return xasprintf("%s:%u", l->file, l->line);
	return NULL;
}
