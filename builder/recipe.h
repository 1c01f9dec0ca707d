/* recipe.h: recipes and classes (static ebuild-style metadata).
 *
 * A recipe is recipes/<category>/<name>/<name>-<version>.recipe, read with
 * the shvars lexer: P PN PV PR PVR PF CATEGORY come from the path (PMS
 * 11.1), the metadata variables from top-level assignments (PMS 7.1-7.3),
 * and `inherit NAME...` pulls recipes/classes/NAME.class. A class's IUSE,
 * REQUIRED_USE, *DEPEND, RESTRICT and PROPERTIES add to the recipe's (PMS
 * 7.3 "incremental metadata"); its other assignments are seen by the rest
 * of the recipe; its phase functions are defaults the recipe may override.
 *
 * Everything a recipe holds lives in one allocation: recipe_free() is one
 * free() (dependency trees parsed later are freed with it).
 */
#ifndef GILD_RECIPE_H
#define GILD_RECIPE_H

#include "base.h"

struct dep_node;

/* The metadata variables, in the order PMS 7.1-7.3 lists them. */
enum recipe_var {
	RECIPE_EAPI,
	RECIPE_DESCRIPTION,
	RECIPE_HOMEPAGE,
	RECIPE_SRC_URI,
	RECIPE_LICENSE,
	RECIPE_SLOT,
	RECIPE_KEYWORDS,
	RECIPE_IUSE,
	RECIPE_REQUIRED_USE,
	RECIPE_RESTRICT,
	RECIPE_PROPERTIES,
	RECIPE_DEPEND,
	RECIPE_BDEPEND,
	RECIPE_RDEPEND,
	RECIPE_PDEPEND,
	RECIPE_IDEPEND,
	RECIPE_S,
	RECIPE_PATCHES,
	RECIPE_NVARS
};

/* "EAPI", "DESCRIPTION", ...; recipe_var_by_name returns -1 if none. */
const char *recipe_var_name(enum recipe_var v);
int recipe_var_by_name(gild_str name);
/* Whether classes add to this variable (PMS 7.3). */
bool recipe_var_is_incremental(enum recipe_var v);

struct recipe_iuse {
	const char *flag;
	int def; /* +1 for +flag, -1 for -flag, 0 for no default */
};

struct recipe_func {
	const char *name;
	const char *body;   /* the text between the braces */
	struct gild_loc loc; /* the function's name */
	const char *origin; /* the class that defined it, NULL: the recipe */
};

struct recipe {
	const char *path; /* recipes/<cat>/<pn>/<pf>.recipe, tree-relative */
	const char *category, *pn, *pv, *pr, *pvr, *pf, *p;
	int eapi; /* 7 or 8 */
	/* Final values ("" when unset), classes' additions included. */
	const char *vars[RECIPE_NVARS];
	/* Where the recipe itself last set each variable (line 0: never). */
	struct gild_loc var_loc[RECIPE_NVARS];
	const char *slot, *subslot; /* subslot == slot when SLOT has none */
	struct recipe_iuse *iuse;   /* recipe's and classes', no duplicates */
	size_t n_iuse;
	const char **keywords;
	size_t n_keywords;
	const char **inherited; /* every class, depth first, each once */
	size_t n_inherited;
	struct recipe_func *funcs; /* only with RECIPE_LOAD_FUNCTIONS */
	size_t n_funcs;
	/* private: dependency trees parsed on demand (recipe_deps) */
	struct dep_node *deps[RECIPE_NVARS];
};

enum {
	RECIPE_LOAD_FUNCTIONS = 1 << 0, /* keep phase function bodies */
};

/* A loader for one tree: the class cache and scratch space, reused from
 * recipe to recipe (not thread-safe: one loader per thread). */
struct recipe_loader;

/* root: the tree directory (its recipes/ holds categories and classes/).
 * Returns NULL only when root cannot be opened (err filled). */
struct recipe_loader *recipe_loader_new(const char *root, unsigned flags,
					struct gild_err *err);
void recipe_loader_free(struct recipe_loader *l);
GILD_DEFINE_CLEANUP(struct recipe_loader *, recipe_loader_free)

/* Load recipes/<category>/<pn>/<file>.
 * Returns 0 and *out, or (err located at file:line:col when the problem
 * is in a file):
 *   -GILD_E_SYNTAX       bad text, a bad name or version in the path, a
 *                        bad token in IUSE, SLOT, KEYWORDS or a
 *                        dependency string;
 *   -GILD_E_INVALID      metadata that needs a shell to evaluate;
 *   -GILD_E_UNSUPPORTED  EAPI unset or not 7 or 8;
 *   -GILD_E_NOTFOUND     an inherited class does not exist;
 *   -GILD_E_CYCLE        classes inherit each other;
 *   -errno               a file could not be read. */
int recipe_load(struct recipe_loader *l, const char *category, const char *pn,
		const char *file, struct recipe **out, struct gild_err *err);

/* The same from text in memory (tests, fuzzing); path is
 * recipes/<cat>/<pn>/<pf>.recipe, or just <pf>.recipe with category. */
int recipe_parse(struct recipe_loader *l, const char *category,
		 const char *path, const char *text, size_t len,
		 struct recipe **out, struct gild_err *err);

void recipe_free(struct recipe *r);
GILD_DEFINE_CLEANUP(struct recipe *, recipe_free)

/* The parsed tree of a dependency-style variable (SRC_URI LICENSE
 * REQUIRED_USE RESTRICT PROPERTIES *DEPEND), parsed on first use and kept
 * with the recipe (so one thread at a time per recipe). Returns 0, or
 * -GILD_E_INVALID for another variable, or depstr_parse()'s error. */
int recipe_deps(const struct recipe *r, enum recipe_var var,
		const struct dep_node **out, struct gild_err *err);

/* The same without the cache: *out is the caller's (dep_node_free). For
 * walks over a whole tree: 30,000 recipes' cached trees take ~300 MB. */
int recipe_deps_parse(const struct recipe *r, enum recipe_var var,
		      struct dep_node **out, struct gild_err *err);

/* The IUSE entry for flag, or NULL. */
const struct recipe_iuse *recipe_iuse_find(const struct recipe *r,
					   const char *flag);

/* The function named name (the recipe's own, else the last class's), or
 * NULL. Needs RECIPE_LOAD_FUNCTIONS. */
const struct recipe_func *recipe_func_find(const struct recipe *r,
					   const char *name);

#endif /* GILD_RECIPE_H */
