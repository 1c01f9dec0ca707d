/* config.h: the effective configuration: the profile stack, the user's
 * configuration, USE evaluation and visibility, and per-version queries.
 * The one public header of builder/config/. */
#ifndef GILD_CONFIG_H
#define GILD_CONFIG_H

#include "base/base.h"
#include "ctx/ctx.h"
#include "pms/pms.h"

/* ---- profile ----
 * the profile stack (PMS chapter 5, portage(5) "profiles").
 *
 * A profile is a directory under profiles/ with an optional `parent` file
 * naming its parents (relative paths or `repo:path`), read depth-first so
 * that parents come before children. Each node may hold make.defaults,
 * packages, package.mask, package.unmask, package.use, use.force, use.mask,
 * use.stable.{force,mask}, package.use.{force,mask},
 * package.use.stable.{force,mask} and package.provided; with the portage-2
 * layout these may be directories of files read in sorted order. The
 * repository-wide profiles/package.mask applies below every profile.
 *
 * Every line keeps its file and line so that a decision (a mask, a forced
 * flag) can name where it came from.
 */

/* One line of a line-based file: words split on blanks, comments removed. */
struct pline {
	char **w;      /* NULL-terminated words; w[0] is the atom or flag */
	unsigned *col; /* column of each word */
	size_t nw;
	const char *file; /* display path, owned by the profile or config */
	unsigned line;
	unsigned level; /* profiles: 1 + the node's index in the stack
			   (0: repository-wide or user configuration) */
};

struct plines {
	struct pline *v;
	size_t n, cap;
};

void pline_release(struct pline *l);
void pline_copy(struct pline *to, const struct pline *from);
void plines_release(struct plines *pl);

/* Read a line-based file, or every file of a directory in sorted order
 * (skipping names starting with '.' and ending in '~'), appending to out.
 * path is opened as given; display (kept in files, which owns it) is
 * used in locations. A missing path is no error. Returns 0 or -errno. */
int plines_read(const char *path, const char *display, struct gild_strv *files,
		struct plines *out, struct gild_err *err);

enum profile_list {
	PL_PACKAGES,
	PL_PACKAGE_MASK,
	PL_PACKAGE_UNMASK,
	PL_PACKAGE_USE,
	PL_USE_FORCE,
	PL_USE_MASK,
	PL_USE_STABLE_FORCE,
	PL_USE_STABLE_MASK,
	PL_PACKAGE_USE_FORCE,
	PL_PACKAGE_USE_MASK,
	PL_PACKAGE_USE_STABLE_FORCE,
	PL_PACKAGE_USE_STABLE_MASK,
	PL_PACKAGE_PROVIDED,
	PL_MAX
};

/* The file name of a list ("package.use.force"). */
const char *profile_list_name(enum profile_list l);

struct varlist;

struct profile {
	char *tree;		/* the tree directory */
	char *name;		/* e.g. "default/linux/amd64" */
	char *repo_name;	/* from profiles/repo_name, or "gild" */
	struct gild_strv nodes; /* node directories, relative to the tree,
				   parents first (a node may repeat) */
	/* The stacked lists. For flag lists (use.force, ...) `-flag` lines
	 * have removed earlier ones; for package.mask `-atom` lines have
	 * removed the same atom; packages holds the system set (`*atom`,
	 * with `-*atom` applied) without the `*`. Package lists with flags
	 * keep every line in stack order: their `-flag` words apply when
	 * evaluated. */
	struct plines lists[PL_MAX];
	/* use.force, use.mask and their stable variants as read, `-flag`
	 * lines included, each with its level: portage applies them node by
	 * node, interleaved with the package.use.* lines of the same node. */
	struct plines flag_lines[PL_MAX];
	struct varlist *vars; /* make.defaults, stacked; incremental ones
				 as normalised op lists (see incr_stack) */
	/* each node's make.defaults as read (values expanded), one per node
	 * of nodes: portage stacks USE node by node, each node's package.use
	 * lines right after its make.defaults (use.c) */
	struct varlist *node_vars;
	struct gild_strv files; /* display paths owned here */
};

/* Load the profile stack of profiles/<name> in tree.
 * Returns 0, or:
 *   -GILD_E_NOTFOUND  the profile or a parent does not exist (err at the
 *                     parent file's line);
 *   -GILD_E_CYCLE     a parent cycle (the message names the files);
 *   -GILD_E_SYNTAX    a bad make.defaults or list line (file:line:col);
 *   -GILD_E_UNSUPPORTED an eapi file naming an unknown EAPI;
 *   -errno            a file could not be read. */
int profile_load(const char *tree, const char *name, struct profile **out,
		 struct gild_err *err);
void profile_free(struct profile *p);
GILD_DEFINE_CLEANUP(struct profile *, profile_free)

/* The default profile of a tree (default/linux/amd64 when it exists).
 * Returns 0 or -GILD_E_NOTFOUND. *out is allocated. */
int profile_default(const char *tree, char **out, struct gild_err *err);

/* A make.defaults variable after stacking, or NULL when never set. */
const char *profile_var(const struct profile *p, const char *name);

/* ---- config ----
 * user configuration and the effective configuration variables.
 *
 * The user configuration directory (--config DIR, default <tree>/etc) holds
 * gild.conf (make.conf-like assignments) and package.use, package.mask,
 * package.unmask, package.accept_keywords, package.license, each a file or
 * a directory of files read in sorted order (portage(5)).
 *
 * Variables stack in portage's order: profile make.defaults, gild.conf,
 * then the environment. Incremental variables (USE, USE_EXPAND ones,
 * ACCEPT_KEYWORDS, ACCEPT_LICENSE, FEATURES, ...) stack with `-x` and `-*`
 * (PMS 5.3.1, make.conf(5)); all others are replaced by the later layer.
 */

/* ---- make.conf-style assignment files ------------------------------------ */

/* One assignment as written: NAME=value (value after quote removal and
 * ${VAR} expansion). */
struct var {
	char *name;
	char *value;
	const char *file; /* display path, not owned */
	unsigned line;
};

struct varlist {
	struct var *v;
	size_t n, cap;
};

void varlist_release(struct varlist *vl);
/* The value of the last assignment to name, or NULL. */
const char *varlist_get(const struct varlist *vl, const char *name);
/* That assignment with where it was made, or NULL. */
const struct var *varlist_var(const struct varlist *vl, const char *name);
/* Assign (replacing any earlier value); copies both strings. */
void varlist_set(struct varlist *vl, const char *name, const char *value,
		 const char *file, unsigned line);

/* Parse assignments in text with the shvars lexer (bash quoting, comments,
 * `export`, NAME+=) appending to out. ${VAR} and $VAR expand from earlier
 * assignments in out, then from scope (may be NULL). file is the display
 * path used in errors and must outlive out.
 * Returns 0, or -GILD_E_SYNTAX / -GILD_E_INVALID with err at
 * file:line:col (inherit, functions and arrays are recipe-only). */
int vars_parse(const char *text, const char *file, const struct varlist *scope,
	       struct varlist *out, struct gild_err *err);

/* Merge one file's assignments into acc: incremental variables stack
 * (incr_stack), others replace. */
void vars_merge(struct varlist *acc, const struct varlist *in);

/* True for portage's incremental variables (USE, ACCEPT_KEYWORDS, ...). */
bool var_is_incremental(const char *name, const struct gild_strv *use_expand);

/* Stack an incremental value onto *acc (a space-separated op list, owned):
 * `-*` drops all before it, `-x` drops x, `x` adds x; the result is
 * normalised: at most one op per token, `-*` first if present. */
void incr_stack(char **acc, const char *value);

/* The set an op list yields on an empty base: the `x` tokens, in order. */
void incr_positive(const char *ops, struct gild_strv *out);

/* ---- the user configuration ---------------------------------------------- */

struct config {
	char *tree;	  /* the tree directory */
	char *config_dir; /* the user configuration directory */
	struct profile *profile;
	struct varlist user; /* gild.conf as read */
	struct varlist eff;  /* effective variables (profile+user+env) */
	struct varlist envl; /* the environment's overrides as read */
	struct plines pkg_use, pkg_mask, pkg_unmask, pkg_keywords, pkg_license;
	struct gild_strv files; /* display paths owned here */
};

/* The configuration of ctx's run: ctx's tree, --profile and --config
 * directory and the environment, as config_load reads them. Loaded the
 * first time anything asks (the resolver, the builder, query, fetch) and
 * shared by everything after, so one command reads its configuration
 * once; a command that changes ctx->profile (--role) gets that profile's.
 * *out is borrowed: ctx owns it until gild_ctx_release. Returns 0 or
 * config_load's error. */
int config_for_ctx(struct gild_ctx *ctx, struct config **out,
		   struct gild_err *err);

/* The recipe tree of ctx's run (ctx->tree), loaded with phase bodies and
 * with broken recipes left out and recorded (TREE_LOAD_FUNCTIONS |
 * TREE_LOAD_KEEP_GOING) the first time anything asks, then shared like
 * the configuration. *out is borrowed; read_at (may be NULL) gets the
 * CLOCK_REALTIME, in ns, at which its reading began (what a cache
 * stamped from it must count as racy from). Returns 0 or tree_load's
 * error. */
int tree_for_ctx(struct gild_ctx *ctx, struct tree **out, int64_t *read_at,
		 struct gild_err *err);

/* Open what ctx->needs names (GILD_NEED_CONFIG, GILD_NEED_RECIPES) before
 * the command runs, so every command reports a broken configuration or an
 * unreadable tree the same way, before doing anything. Returns 0 or the
 * error of config_for_ctx or tree_for_ctx. */
int setup_for_ctx(struct gild_ctx *ctx, struct gild_err *err);

/* The variables the environment may override (as emerge does). */
extern const char *const config_env_vars[];

/* Load the configuration: user gild.conf (PROFILE), the profile (profile
 * argument, else PROFILE from gild.conf, else the tree's default), the
 * user package.* files, then the environment (getenv; env may be NULL to
 * ignore the environment, as unit tests do, or a NULL-terminated
 * "NAME=value" list).
 * Returns 0; -GILD_E_NOTFOUND (no such profile, no default), -GILD_E_SYNTAX
 * (file:line:col of a bad line), -GILD_E_CYCLE, or -errno. */
int config_load(const char *tree, const char *config_dir, const char *profile,
		char *const *env, struct config **out, struct gild_err *err);
void config_free(struct config *c);
GILD_DEFINE_CLEANUP(struct config *, config_free)

/* An effective variable ("" when unset). */
const char *config_get(const struct config *c, const char *name);

/* A numeric variable (GILD_PHASE_TIMEOUT, GILD_BUILD_MEM): def when unset
 * or empty, else a whole number, with a k, m or g suffix when size is true.
 * Anything else is -GILD_E_INVALID naming where it was set
 * ("etc/gild.conf:3" or "environment") and what a valid value looks like. */
int config_get_number(const struct config *c, const char *name, bool size,
		      uint64_t def, uint64_t *out, struct gild_err *err);

/* DISTDIR and PKGDIR (defaults var/distfiles, var/packages), made absolute
 * against the tree when relative. Allocated. */
char *config_distdir(const struct config *c);
char *config_pkgdir(const struct config *c);

/* ---- use ----
 * effective USE and visibility of package versions.
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

/* ---- query ----
 * what `gild query`, `deps` and `info` share: loading the
 * configuration and the versions an atom names, and evaluating them.
 *
 * Only the package directories an atom names are read, so a query on a
 * large tree does not parse every recipe.
 */

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
	/* recipes an atom may match that do not load: left out, their
	 * versions still answered for (a broken one costs only itself) */
	struct gild_err *errors;
	size_t nerrors, errcap;
};

/* Load the configuration of ctx (tree, --profile, --config, environment).
 * Returns 0 or the error of config_load/use_env_new/recipe_loader_new. */
int query_init(struct query *q, struct gild_ctx *ctx, struct gild_err *err);
void query_release(struct query *q);

/* Add every version matching atom (category optional: "zlib",
 * ">=zlib-1.3"), evaluated. A recipe that may match but does not load is
 * added to q->errors instead. Returns the number added (0 when none
 * match), or -GILD_E_SYNTAX for a bad atom, or, when none was added and
 * a recipe did not load, its load error. */
int query_add(struct query *q, const char *atom, struct gild_err *err);

/* The error for an atom query_add found nothing for: no such package
 * (with close names), ambiguous, or no matching version (naming those
 * there are). Returns -GILD_E_NOTFOUND or -GILD_E_AMBIGUOUS. */
int query_not_found(struct query *q, const char *atom, struct gild_err *err);

/* The best visible version among q->v[lo..hi), else the best one, else
 * NULL: the highest version, as emerge picks. */
struct qver *query_best(struct query *q, size_t lo, size_t hi);

/* The version a command about one package means: the only package the
 * atom matches (else -GILD_E_AMBIGUOUS, NULL returned), its best visible
 * version (an `=` atom names one). */
struct qver *query_pick(struct query *q, const char *atom,
			struct gild_err *err);

/* query_init + query_add + query_pick; -GILD_E_NOTFOUND when nothing
 * matches. */
int query_one(struct query *q, struct gild_ctx *ctx, const char *atom,
	      struct qver **out, struct gild_err *err);

/* Print the flags emerge-style: `USE="a -b (c) (-d)"` then one
 * `GROUP="x -y"` per USE_EXPAND group (hidden groups left out). */
void query_print_use(struct query *q, const struct qver *v, FILE *f);

/* Fill pkg from a recipe (iuse is scratch owned by the caller, n_iuse
 * entries). */
void query_pkg_from_recipe(const struct recipe *r, struct use_iuse *iuse,
			   struct use_pkg *pkg);

#endif /* GILD_CONFIG_H */
