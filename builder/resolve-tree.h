/* resolve-tree.h: the tree, profile and user configuration as resolver
 * input, and command-line targets (atoms, names, @sets). */
#ifndef GILD_RESOLVE_TREE_H
#define GILD_RESOLVE_TREE_H

#include "builder.h"
#include "config.h"
#include "resolve-input.h"
#include "tree.h"
#include "use.h"

/* The evaluated lists of one version (resolve-tree.c). */
struct rtree_scratch {
	struct gild_strv names, use, refused, fixes;
};

struct rtree {
	struct tree *tree;
	struct config *cfg;
	struct use_env *env;
	struct rs_input *in;
	struct gild_err *err; /* where rtree functions report */
	bool emptytree;	      /* no installed root is read (none exists yet) */
	char *origin_buf;
	bool cache_hit;	      /* versions came from the .solv cache */
	struct rcache *cache; /* ... which stays open to load them lazily */
	/* reading packages again when their cache entries are stale */
	char *cache_path;
	int treefd;
	int64_t racy;	      /* see rcache_racy_limit */
	struct recipe_loader *loader;
	struct recipe **fresh; /* the recipes read again */
	size_t nfresh, fresh_cap;
	bool cache_bad;	      /* a recipe read again does not load */
	struct gild_strv skipped; /* "file:line:col: why" of recipes that do
				   * not load, left out of the plan */
	struct gild_strv refreshed; /* their "cat/pn" */
	struct gild_strv changed; /* categories read from the tree */
	struct gild_strv stale_cls; /* packages whose classes changed, sorted */
	struct rcache_writer *writer; /* while the tree is loaded */
	bool defer;	      /* ... into a cache used right after */
	struct rtree_scratch scratch; /* the last cached version loaded */
	size_t nrefreshed;    /* packages read again (stale in the cache) */
	/* gild_now() after each loading step, for -v */
	double t_start, t_config, t_fingerprint, t_versions;
};

/* Load tree, configuration and every version as resolver input.
 * Returns 0 and *out, or the error of tree_load, config_load or
 * use_env_new, or -GILD_E_SYNTAX for a REQUIRED_USE that does not parse. */
int rtree_load(const struct gild_ctx *ctx, bool emptytree, struct rtree **out,
	       struct gild_err *err);

/* A warning for each recipe that did not load and so was left out (emerge
 * masks such an ebuild as corrupt and says so); call after solving, since
 * stale packages are read again while the solver asks for them. */
void rtree_warn_skipped(const struct rtree *rt, struct gild_ctx *ctx);
void rtree_free(struct rtree *rt);
GILD_DEFINE_CLEANUP(struct rtree *, rtree_free)

/* Add what exists already (after rtree_load, so that the cache holds only
 * the tree): the binary repository's packages (the configuration's
 * PKGDIR; its Packages index, written first when missing or older than
 * the packages) and, with root, the packages installed there (vdb.h).
 * Returns 0, or -errno when PKGDIR or root's database cannot be read. */
int rtree_add_built(struct rtree *rt, const char *root);

/* Add targets: atoms, package names, @system (the profile's packages),
 * @world (CONFIG/world), @role (role.set files of the profile stack, see
 * profiles/README.md) and @NAME (CONFIG/sets/NAME).
 * Returns 0, -GILD_E_NOTFOUND (no such set, package or role),
 * -GILD_E_AMBIGUOUS or -GILD_E_SYNTAX (err set). */
int rtree_add_targets(struct rtree *rt, char **targets, int n);

#endif
