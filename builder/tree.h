/* tree.h: a recipe tree loaded into memory.
 *
 * The layout follows a Gentoo repository (PMS chapter 4, portage(5)):
 *
 *   recipes/<category>/<pn>/<pn>-<version>.recipe   recipes
 *   recipes/<category>/<pn>/metadata.xml            read lazily (metadata.h)
 *   recipes/classes/<name>.class                    classes
 *   profiles/repo_name, profiles/categories, profiles/arch.list,
 *   profiles/use.desc, profiles/desc/<use_expand>.desc,
 *   profiles/thirdpartymirrors, metadata/layout.conf
 *
 * Profiles themselves (profiles/<name>/..., profiles/package.mask) belong
 * to profile.h; tree_root() gives the directory they live in.
 */
#ifndef GILD_TREE_H
#define GILD_TREE_H

#include "base.h"
#include "recipe.h"

struct metadata;
struct tree;

struct tree_pkg {
	const char *category, *pn;
	struct recipe **versions; /* ascending by version_cmp */
	size_t n_versions;
	struct metadata *md;	  /* private: metadata.xml once read */
	bool md_read;		  /* private */
};

enum {
	TREE_LOAD_FUNCTIONS = RECIPE_LOAD_FUNCTIONS, /* keep phase bodies */
	/* A recipe that fails to load is skipped and its error kept
	 * (tree_errors) instead of failing the whole load. */
	TREE_LOAD_KEEP_GOING = 1 << 8,
};

/* Load the tree at path (a directory holding recipes/ and profiles/).
 * Categories come from profiles/categories when it exists, else from the
 * directories under recipes/ (minus classes/).
 * Returns 0 and *out, or -errno (path unreadable) or the first recipe's
 * error (see recipe_load) unless TREE_LOAD_KEEP_GOING. */
int tree_load(const char *path, unsigned flags, struct tree **out,
	      struct gild_err *err);
void tree_free(struct tree *t);
GILD_DEFINE_CLEANUP(struct tree *, tree_free)

const char *tree_root(const struct tree *t);
/* profiles/repo_name, or "" when missing. */
const char *tree_repo_name(const struct tree *t);
const struct gild_strv *tree_categories(const struct tree *t);
const struct gild_strv *tree_arches(const struct tree *t); /* arch.list */

/* Packages sorted by category, then name. */
size_t tree_npkgs(const struct tree *t);
struct tree_pkg *tree_pkg_at(const struct tree *t, size_t i);
size_t tree_nrecipes(const struct tree *t);

/* Lookups; NULL when there is no such package or version. */
struct tree_pkg *tree_find(const struct tree *t, const char *category,
			   const char *pn);
const struct recipe *tree_find_recipe(const struct tree *t,
				      const char *category, const char *pn,
				      const char *pvr);
/* Every package named pn in any category (for atoms without a category):
 * fills out[0..max) and returns how many there are in all. */
size_t tree_find_pn(const struct tree *t, const char *pn,
		    struct tree_pkg **out, size_t max);

/* Call fn for every recipe (packages in order, versions ascending); a
 * non-zero return stops the walk and is returned. */
int tree_foreach_recipe(const struct tree *t,
			int (*fn)(const struct recipe *r, void *ud), void *ud);

/* Recipes skipped under TREE_LOAD_KEEP_GOING, with their errors. */
size_t tree_nerrors(const struct tree *t);
const struct gild_err *tree_error_at(const struct tree *t, size_t i);

/* The description of a USE flag from profiles/use.desc, or for a
 * USE_EXPAND flag (python_targets_python3_12) from
 * profiles/desc/python_targets.desc; NULL when none. */
const char *tree_use_desc(const struct tree *t, const char *flag);

/* The URLs of a mirror from profiles/thirdpartymirrors, or NULL. */
const struct gild_strv *tree_mirror(const struct tree *t, const char *name);

/* A metadata/layout.conf value ("thin-manifests"), or NULL. */
const char *tree_layout(const struct tree *t, const char *key);

/* The metadata.xml of a package, read on first use; *out is NULL when
 * the package has none. Returns 0 or the error of metadata_load(). */
int tree_pkg_metadata(const struct tree *t, struct tree_pkg *pkg,
		      const struct metadata **out, struct gild_err *err);

#endif /* GILD_TREE_H */
