/* use.h: effective USE and visibility of package versions.
 *
 * A `struct use_env` is built once from a loaded configuration: it interns
 * every flag name to a small integer, precomputes the global part of USE
 * (profile make.defaults, gild.conf, environment, USE_EXPAND expansion)
 * and indexes every per-package line (package.use, package.use.force,
 * package.mask, package.accept_keywords, ...) by category/package, so that
 * evaluating one version costs a few sorted-array merges (the resolver
 * evaluates every visible version of a large tree).
 *
 * Order of USE layers (PMS 5.3, portage's config layering): IUSE defaults,
 * profile USE, profile package.use, gild.conf USE, user package.use,
 * environment USE; then use.force/package.use.force (and the stable
 * variants for stable-keyworded versions) turn flags on and
 * use.mask/package.use.mask turn them off, mask winning over force. Only
 * flags in IUSE and the implicit ones (IUSE_IMPLICIT, USE_EXPAND_IMPLICIT)
 * count.
 */
#ifndef GILD_USE_H
#define GILD_USE_H

#include "base.h"
#include "config.h"

/* A set of interned flags: sorted, no duplicates. */
struct idset {
	int *v;
	size_t n, cap;
};

void idset_release(struct idset *s);
bool idset_has(const struct idset *s, int id);
void idset_add(struct idset *s, int id);
void idset_del(struct idset *s, int id);

/* An IUSE entry (same meaning as struct recipe_iuse). */
struct use_iuse {
	const char *flag;
	int def; /* +1 for +flag, -1 for -flag, 0 for no default */
};

/* What evaluation needs to know of one version. Views are borrowed for
 * the call. */
struct use_pkg {
	const char *category, *pn, *pvr;
	const char *slot, *subslot; /* subslot may be NULL */
	const struct use_iuse *iuse;
	size_t n_iuse;
	const char *const *keywords;
	size_t n_keywords;
	const char *license; /* LICENSE as written (may be NULL) */
};

/* The effective USE of one version. */
struct use_state {
	struct idset iuse;    /* IUSE flags (not the implicit ones) */
	struct idset enabled; /* enabled flags of IUSE and the implicit ones */
	struct idset forced;  /* IUSE flags forced on */
	struct idset masked;  /* IUSE flags masked (off) */
	bool stable;	      /* KEYWORDS holds the stable ARCH keyword */
};

void use_state_release(struct use_state *st);

struct use_env;

/* Build the evaluation environment from a configuration (which must
 * outlive it). Reads profiles/license_groups of the tree.
 * Returns 0, or -GILD_E_SYNTAX with err at the file:line:col of an atom
 * that does not parse in a profile or user package.* file. */
int use_env_new(const struct config *cfg, struct use_env **out,
		struct gild_err *err);
void use_env_free(struct use_env *env);
GILD_DEFINE_CLEANUP(struct use_env *, use_env_free)

/* Intern a flag name (its id is stable for the environment's life).
 * Interning (use_flag_id, use_eval) changes the environment: use one
 * environment from one thread at a time. */
int use_flag_id(struct use_env *env, const char *flag);
/* The id of a flag already interned, or -1; changes nothing. */
int use_flag_lookup(const struct use_env *env, const char *flag);
const char *use_flag_name(const struct use_env *env, int id);
/* The USE_EXPAND variable a flag belongs to ("PYTHON_TARGETS"), or NULL;
 * *hidden set when the variable is in USE_EXPAND_HIDDEN (flag may be a
 * plain flag: then NULL and *hidden false). */
const char *use_flag_group(const struct use_env *env, int id, bool *hidden);
/* The flag without its USE_EXPAND prefix ("python3_12"). */
const char *use_flag_short(const struct use_env *env, int id);

/* Evaluate the effective USE of a version into *st, reusing its buffers
 * (start from a zeroed state; use_state_release when done). */
void use_eval(struct use_env *env, const struct use_pkg *pkg,
	      struct use_state *st);
/* Whether flag is enabled in st (does not intern: read-only). */
bool use_state_enabled(struct use_env *env, const struct use_state *st,
		       const char *flag);

/* FEATURES=test, as Portage's config.setcpv decides it: for a package with
 * test in IUSE, USE=test follows FEATURES=test, except that a RESTRICT
 * that still says "test" with USE=test on (or a masked USE=test) turns
 * both off for this package; without test in IUSE, src_test runs unless
 * RESTRICT says test. Changes st; restricts(ud) says whether RESTRICT,
 * reduced under st as it then stands, holds "test" (1, 0, or a negative
 * error, returned as is). Returns whether src_test runs (PMS 9.1.7).
 * gild build and the resolver both decide it here, so that a plan holds
 * the `test? ( )` dependencies the build then needs. */
int use_decide_tests(struct use_env *env, struct use_state *st, bool features,
		     int (*restricts)(void *ud), void *ud);

/* Visibility: append one string per reason the version is not visible
 * ("masked by profiles/base/package.mask:12", "keyword '~amd64' not
 * accepted", "license 'EULA' not accepted") to reasons. use supplies the
 * USE conditionals of LICENSE. Returns true when visible. */
bool use_visible(struct use_env *env, const struct use_pkg *pkg,
		 const struct use_state *use, struct gild_strv *reasons);

/* Whether a package.provided line lists cat/pn-pvr (toolchain packages
 * counted as installed); *line set to it when found. */
bool use_provided(const struct use_env *env, const char *category,
		  const char *pn, const char *pvr, const struct pline **line);

/* The configuration line that gave pkg's flag its state (enabled or
 * not): "profiles/base/package.use:3", "etc/package.use:1",
 * "profiles/base/use.mask:2" (masks and forces first, then the user's and
 * the profiles' package.use); NULL when the state comes from IUSE
 * defaults or a global USE. Allocated. */
char *use_flag_origin(const struct use_env *env, const struct use_pkg *pkg,
		      const char *flag, bool enabled);

/* The system set (profile `packages` lines with `*`), as atom texts. */
const struct plines *use_system_set(const struct use_env *env);

#endif /* GILD_USE_H */
