/* query.h: what `gild query`, `deps` and `info` share: loading the
 * configuration and the versions an atom names, and evaluating them.
 *
 * Only the package directories an atom names are read, so a query on a
 * large tree does not parse every recipe.
 */
#ifndef GILD_QUERY_H
#define GILD_QUERY_H

#include "builder.h"
#include "recipe.h"
#include "use.h"

/* One version with its effective USE and visibility. */
struct qver {
	struct recipe *r;
	struct use_iuse *iuse; /* r's IUSE as use_pkg wants it */
	struct use_pkg pkg;
	struct use_state st;
	bool visible;
	struct gild_strv why; /* reasons it is not visible */
};

struct query {
	struct config *cfg;
	struct use_env *env;
	struct recipe_loader *loader;
	struct qver *v; /* sorted by category, package, version */
	size_t n, cap;
};

/* Load the configuration of ctx (tree, --profile, --config, environment).
 * Returns 0 or the error of config_load/use_env_new/recipe_loader_new. */
int query_init(struct query *q, const struct gild_ctx *ctx,
	       struct gild_err *err);
void query_release(struct query *q);

/* Add every version matching atom (category optional: "zlib",
 * ">=zlib-1.3"), evaluated. Returns the number added (0 when none
 * match), or -GILD_E_SYNTAX for a bad atom, or a recipe's load error. */
int query_add(struct query *q, const char *atom, struct gild_err *err);

/* The best visible version among q->v[lo..hi), else the best one, else
 * NULL: the highest version, as emerge picks. */
struct qver *query_best(struct query *q, size_t lo, size_t hi);

/* The version a command about one package means: the only package the
 * atom matches (else -GILD_E_AMBIGUOUS, NULL returned), its best visible
 * version (an `=` atom names one). */
struct qver *query_pick(struct query *q, const char *atom, struct gild_err *err);

/* query_init + query_add + query_pick; -GILD_E_NOTFOUND when nothing
 * matches. */
int query_one(struct query *q, const struct gild_ctx *ctx, const char *atom,
	      struct qver **out, struct gild_err *err);

/* Print the flags emerge-style: `USE="a -b (c) (-d)"` then one
 * `GROUP="x -y"` per USE_EXPAND group (hidden groups left out). */
void query_print_use(struct query *q, const struct qver *v, FILE *f);

/* Fill pkg from a recipe (iuse is scratch owned by the caller, n_iuse
 * entries). */
void query_pkg_from_recipe(const struct recipe *r, struct use_iuse *iuse,
			   struct use_pkg *pkg);

#endif /* GILD_QUERY_H */
