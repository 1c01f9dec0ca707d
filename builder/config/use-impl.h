/* use-impl.h: private to use*.c. */
#ifndef GILD_USE_IMPL_H
#define GILD_USE_IMPL_H

#include "config/config.h"
#include "pms/pms.h"

/* An incremental USE layer: S -> (reset ? {} : S - minus - groups(resets))
 * + plus. resets holds USE_EXPAND group numbers whose flags a layer
 * setting that variable replaces. */
struct delta {
	bool reset;
	struct idset resets, plus, minus;
};

enum entry_kind {
	E_PROFILE_USE,
	E_USER_USE,
	E_FORCE,
	E_MASK,
	E_STABLE_FORCE,
	E_STABLE_MASK,
	E_PROFILE_MASK,
	E_USER_MASK,
	E_UNMASK,
	E_KEYWORDS,
	E_LICENSE,
};

/* One per-package line, indexed by "category/package". */
struct pkg_entry {
	char *key;
	enum entry_kind kind;
	size_t order; /* stack order, for a stable sort */
	struct atom *atom;
	const struct pline *line;
	struct delta d; /* USE-like kinds: the line's flags */
};

struct lic_op {
	bool neg, all;
	struct gild_strv names; /* licenses, groups expanded */
};

struct use_env {
	const struct config *cfg;
	/* interned flags: open addressing table of id+1 */
	char **names;
	int *group;
	size_t nflags, capflags;
	unsigned *slots;
	size_t nslots;
	/* USE_EXPAND groups */
	struct gild_strv groups, prefixes;
	bool *hidden;
	bool *managed; /* the group's variable is set: USE="-*" spares it */
	const char *arch;
	/* global layers */
	struct delta lp, lu, le, all;
	/* lp node by node (profile nodes' make.defaults), for versions with
	 * profile package.use lines: portage applies each node's lines right
	 * after its make.defaults (config.setcpv), so a later node's USE
	 * overrides an earlier node's package.use */
	struct delta *lnode;
	size_t nlnode;
	struct idset implicit;
	struct idset always; /* the arch flag: forced whatever USE says */
	/* use.force, use.mask, use.stable.force, use.stable.mask per profile
	 * level, and the sets they give versions matching no package line
	 * (force/mask for others, sforce/smask for stable versions) */
	struct delta *levels[4];
	size_t nlevels;
	struct idset force, mask, sforce, smask;
	/* per-package lines, sorted by key then order */
	struct pkg_entry *ents;
	size_t nents, capents;
	struct gild_strv accept_kw;
	struct lic_op *lic;
	size_t nlic;
	/* profiles/license_groups */
	struct gild_strv lgroup_names;
	struct gild_strv *lgroup_members;
};

/* use-set.c */
void idset_clear(struct idset *s);
void idset_copy(struct idset *to, const struct idset *from);
void delta_release(struct delta *d);
/* Parse words (USE ops; "VAR:" switches to VAR's prefix) into d. */
void delta_add_words(struct use_env *env, struct delta *d, char *const *w,
		     size_t n);
void delta_apply(const struct use_env *env, const struct delta *d,
		 struct idset *s);
/* *to = g after f (f applied first) */
void delta_compose(const struct use_env *env, const struct delta *f,
		   const struct delta *g, struct delta *to);

/* use.c */
/* The entries for category/package: [*lo, *hi) of env->ents. */
void use_entries(const struct use_env *env, const char *category,
		 const char *pn, size_t *lo, size_t *hi);
bool entry_matches(const struct pkg_entry *e, const struct use_pkg *pkg);

/* use-force.c */
void use_env_build_levels(struct use_env *env, const struct profile *p);
void use_env_release_levels(struct use_env *env);
void use_force_mask(const struct use_env *env, const struct use_pkg *pkg,
		    size_t lo, size_t hi, bool stable, struct idset *force,
		    struct idset *mask);

/* use-visible.c */
int use_env_load_licenses(struct use_env *env, struct gild_err *err);
void use_env_release_licenses(struct use_env *env);

#endif /* GILD_USE_IMPL_H */
