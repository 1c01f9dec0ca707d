/* resolve-input.h: package versions with fixed USE and dependency strings,
 * turned into the resolver's candidates, atoms and requirements.
 *
 * Both front ends fill this: the tree (resolve-tree.c: recipes, profile,
 * user configuration) and the resolver cases (resolve-case.c). Here the
 * PMS meaning of atoms is applied: version operators and slots through
 * atom.h, USE dependencies evaluated against the parent's USE first and
 * then checked against each candidate's effective USE with the (+)/(-)
 * defaults (PMS 8.3.4), versions ranked with version_cmp (PMS 3.3).
 */
#ifndef GILD_RESOLVE_INPUT_H
#define GILD_RESOLVE_INPUT_H

#include "resolve.h"

struct rs_recipe {
	const char *category, *pn, *pvr;
	const char *slot, *subslot; /* subslot NULL: the slot */
	const char *const *iuse;    /* flag names, no +/- */
	size_t n_iuse;
	const char *const *use;	    /* enabled flags (within IUSE) */
	size_t n_use;
	const char *deps[DEP_NCLASS]; /* dependency strings, NULL if none */
	struct gild_loc dep_loc[DEP_NCLASS]; /* where each was written */
	int eapi;
	enum rs_origin origin;
	/* Not visible: why (one string each) and the edits that would help.
	 * Invisible versions are not candidates; they explain refusals. */
	const char *const *refused;
	size_t n_refused;
	const char *const *fixes;
	size_t n_fixes;
	/* Binary and installed versions: the `:=` dependencies as recorded
	 * when they were built, "cat/pn:SLOT/SUBSLOT" (PMS 8.3.3); deps[]
	 * then hold those atoms without the sub-slot (see rs_slotdeps_split) */
	const char *const *slotdeps;
	size_t n_slotdeps;
	void *user; /* handed back to the flag-origin callback */
};

/* Where a flag's value for a version was set ("etc/package.use:3"), or
 * NULL when it is a default. */
typedef const char *(*rs_flag_origin_fn)(void *ud, const struct rs_recipe *rec,
					 const char *flag, bool enabled);

struct rs_input;

struct rs_input *rs_input_new(void);
void rs_input_free(struct rs_input *in);
GILD_DEFINE_CLEANUP(struct rs_input *, rs_input_free)

void rs_input_set_flag_origin(struct rs_input *in, rs_flag_origin_fn fn,
			      void *ud);
/* Add a version (all strings copied). */
void rs_input_add(struct rs_input *in, const struct rs_recipe *rec);
/* A version known by its names and origin only: its other fields come
 * from the loader the first time its package is looked at (the cache
 * keeps 40,000 versions; a plan looks at a few hundred). */
typedef void (*rs_load_fn)(void *ud, long handle, struct rs_recipe *out);
void rs_input_set_loader(struct rs_input *in, rs_load_fn fn, void *ud);
void rs_input_add_stub(struct rs_input *in, const char *category,
		       const char *pn, const char *pvr, enum rs_origin origin,
		       long handle);

/* A cache that may be stale per package (resolve-cache.c): before a
 * package's stubs are first used, current() says whether each still
 * matches the tree; when one does not, the solve finishes, the package's
 * versions are dropped, refresh() adds them again from the tree (with
 * rs_input_add) and the solve starts over, so a stale cache never changes
 * an answer. refreshed() is called once after a solve that needed it. */
struct rs_source {
	bool (*current)(void *ud, long handle);
	int (*refresh)(void *ud, struct rs_input *in, const char *category,
		       const char *pn, struct gild_err *err);
	void (*refreshed)(void *ud, struct rs_input *in);
	void *ud;
};
void rs_input_set_source(struct rs_input *in, const struct rs_source *src);


/* Resolve a user's target to an atom text: atoms as they are, a bare
 * package name to its only category ("zlib" -> "sys-libs/zlib").
 * Returns 0 and *atom (allocated), or
 *   -GILD_E_NOTFOUND  no package of that name;
 *   -GILD_E_AMBIGUOUS several; err lists the candidates;
 *   -GILD_E_SYNTAX    not an atom. */
int rs_input_target_atom(struct rs_input *in, const char *text, char **atom,
			 struct gild_err *err);
/* Add a target (text as the user wrote it, for messages). */
int rs_input_add_target(struct rs_input *in, const char *text,
			struct gild_err *err);

/* Build the pool from everything added, solve and order.
 * Returns 0 with *plan (see struct plan), or a negative code when a
 * dependency string does not parse (err located in the recipe). *r gets
 * the resolver the plan refers to (owned by in). */
int rs_input_solve(struct rs_input *in, struct plan **plan,
		   struct resolver **r, struct gild_err *err);

/* A recorded dependency string of a binary or installed package: every
 * `cat/pn:SLOT/SUB=` atom is appended to slotdeps as "cat/pn:SLOT/SUB"
 * and written to out as `cat/pn:SLOT=`, so that the version matches
 * whatever sub-slot is there and the plan decides whether it must be
 * rebuilt (rs_reuse_check_slots). */
void rs_slotdeps_split(const char *deps, struct gild_buf *out,
		       struct gild_strv *slotdeps);

/* The candidate index of cat/pn-pvr in the solved pool, or -1. */
int rs_input_find(struct rs_input *in, const char *atom);

#endif /* GILD_RESOLVE_INPUT_H */
