/* resolve.h: from a tree, a configuration and targets to a build plan
 * (libsolv), the resolver cache and resolver cases.  The one public
 * header of builder/resolve/. */
#ifndef GILD_RESOLVE_H
#define GILD_RESOLVE_H

#include "base/base.h"
#include "config/config.h"
#include "ctx/ctx.h"
#include "pms/pms.h"

/* ---- resolve ----
 * the libsolv-backed resolver and the build plan.
 *
 * The resolver works on an abstract input so that it needs neither the
 * recipe parser nor the profile code: a caller (the tree glue in
 * resolve-tree.c, or the case runner in resolve-case.c) adds
 *  - candidates: one per visible package version, its USE already fixed
 *    (USE is configuration, not something the solver flips);
 *  - atoms: the text of a dependency atom after USE-conditional evaluation
 *    against its parent (PMS 8.3.4), with the exact set of candidates that
 *    match it (version, slot, USE dependencies and their (+)/(-) defaults
 *    already checked by the caller against each candidate's effective USE);
 *  - dependencies per class: a list of requirements, each an any-of over
 *    alternatives, each alternative an all-of over atoms; blockers;
 *  - targets.
 * The resolver then solves (resolve.c), orders (plan.c) and explains.
 *
 * Why "every atom is the exact set of matching candidates": PMS
 * version ordering, `=...*`, slot and USE dependencies then mean exactly
 * what the caller's atom code says; libsolv's own EVR comparison is only
 * used to prefer the newest candidate, through a rank the caller computes
 * with version_cmp.
 */

enum dep_class {
	DEP_BDEPEND,
	DEP_DEPEND,
	DEP_RDEPEND,
	DEP_PDEPEND,
	DEP_IDEPEND,
	DEP_NCLASS
};

/* "BDEPEND", ... and "bdepend", ... */
const char *dep_class_name(enum dep_class c);
const char *dep_class_key(enum dep_class c);

/* Where a candidate comes from. Installed and provided candidates are kept
 * as they are (libsolv's installed repo); binary ones are preferred over
 * building from the tree. */
enum rs_origin { RS_TREE, RS_BINARY, RS_INSTALLED, RS_PROVIDED };

struct rs_pkg {
	const char *cpn;     /* category/name */
	const char *pvr;     /* version with -rN */
	const char *slot;    /* "0" when empty */
	const char *subslot; /* NULL: same as slot */
	unsigned vrank; /* PMS order among candidates of cpn, higher newer */
	const char *const *use; /* enabled flags, NULL-terminated (or NULL) */
	const char *const
	    *iuse; /* IUSE flag names, NULL-terminated (or NULL) */
	enum rs_origin origin;
};

struct resolver;

/* Why candidates of an atom were refused (masked, keywords, USE, ...),
 * asked only when an explanation needs it: add one line per refused
 * candidate to reasons ("dev-libs/foo-2: masked by profiles/base/
 * package.mask:3") and concrete edits that would help to fixes ("add
 * 'dev-libs/foo ssl' to etc/package.use"). */
typedef void (*rs_refusal_fn)(void *userdata, const char *atom,
			      struct gild_strv *reasons,
			      struct gild_strv *fixes);

struct resolver *resolver_new(void);
void resolver_free(struct resolver *r);
GILD_DEFINE_CLEANUP(struct resolver *, resolver_free)

void resolver_set_refusal_fn(struct resolver *r, rs_refusal_fn fn,
			     void *userdata);

/* Add a candidate; returns its index (0, 1, ...). Strings are copied. */
int resolver_add_pkg(struct resolver *r, const struct rs_pkg *pkg);
size_t resolver_npkgs(const struct resolver *r);
const struct rs_pkg *resolver_pkg(const struct resolver *r, int idx);
/* "cat/pn-pvr" of a candidate (owned by the resolver). */
const char *resolver_cpv(const struct resolver *r, int idx);

/* An atom's handle, or 0 when this text has not been defined yet: lets a
 * caller skip matching atoms it already described. */
int resolver_atom_lookup(struct resolver *r, const char *text);
/* Define an atom: its text and the candidates matching it. Returns its
 * handle (> 0). Defining the same text twice keeps the first match set. */
int resolver_atom_define(struct resolver *r, const char *text, const int *match,
			 size_t nmatch);

/* Dependencies of candidate pkg in class cls. A requirement is an any-of
 * (PMS 8.2.3 `|| ( )`, preferring the first alternative that can be
 * satisfied); each alternative is an all-of over atom handles, ended by 0.
 * A plain atom is one alternative holding one atom. */
void resolver_require(struct resolver *r, int pkg, enum dep_class cls,
		      const int *const *alts, size_t nalts);
void resolver_require_atom(struct resolver *r, int pkg, enum dep_class cls,
			   int atom);
/* A blocker (`!atom` weak, `!!atom` strong; PMS 8.3.2): no candidate
 * matching atom may be in the plan beside pkg. */
void resolver_block(struct resolver *r, int pkg, enum dep_class cls, int atom,
		    bool strong);

/* A target: text as the user wrote it (for messages) and its atom. */
void resolver_add_target(struct resolver *r, const char *text, int atom);

/* ---- the plan ------------------------------------------------------------ */

enum plan_action {
	PLAN_BUILD,  /* N: new, built from the tree */
	PLAN_BINARY, /* taken from the binary repository */
	PLAN_KEEP,   /* already installed or provided: not printed */
};

/* What merging an entry does to the installed root, emerge's letters:
 * N new, NS new slot, R the same version again, U upgrade, UD downgrade
 * (portage's resolver/output.py). */
enum plan_op {
	PLAN_OP_NEW,
	PLAN_OP_NEW_SLOT,
	PLAN_OP_REPLACE,
	PLAN_OP_UPGRADE,
	PLAN_OP_DOWNGRADE
};

struct plan_entry {
	int pkg; /* candidate index */
	enum plan_action action;
	enum plan_op op; /* set by the caller that knows the root (N) */
	char *old_pvr;	 /* U/D: the version installed in the slot */
	/* flags whose state differs from the build it replaces ('*' after
	 * the flag, emerge -pv) and flags added to or gone from IUSE ('%') */
	struct gild_strv changed, iuse_changed;
	char *rebuild; /* why an existing build is not reused, or NULL:
			* "rebuild for dev-libs/foo:0/2 (sub-slot changed)" */
	char *reason;  /* "target 'x'" or "RDEPEND of cat/pn-1" */
	int parent;    /* candidate that first pulled it in, or -1 */
	int depth;     /* for --tree: 0 for targets */
	/* candidate indices of the resolved packages it depends on */
	int *deps[DEP_NCLASS];
	size_t ndeps[DEP_NCLASS];
};

struct plan {
	struct plan_entry *v; /* in build order */
	size_t n;
	struct gild_strv problems; /* human text: no solution, build cycles */
	struct gild_strv notes;	   /* runtime cycles broken, and how */
	/* installed packages a weak blocker of the plan removes (PMS 8.3.2:
	 * the package manager uninstalls them): candidate indices, and the
	 * candidate whose blocker it is */
	int *removed, *removed_by;
	size_t nremoved;
	bool unsolvable;  /* no plan at all: problems say why */
	bool build_cycle; /* a plan, but with a build-time cycle */
	/* seconds spent, for `-v` and the benchmarks */
	double t_pool, t_solve, t_order, t_explain;
};

/* The timings above are gild_now()'s (base.h): monotonic seconds. */

void plan_free(struct plan *p);
GILD_DEFINE_CLEANUP(struct plan *, plan_free)

/* Solve for the targets and order the result.
 * Returns 0 with *out set (check (*out)->unsolvable and build_cycle), or a
 * negative code on an internal libsolv failure. */
int resolver_solve(struct resolver *r, struct plan **out, struct gild_err *err);

/* Order plan entries (plan.c): build-time dependencies strictly before
 * their dependents, runtime ones before when no cycle forbids it. Fills
 * p->notes for runtime cycles and p->problems for build-time cycles. */
void plan_order(struct plan *p, const struct resolver *r);

/* Check a plan against the pool it came from (the property test): every
 * dependency of every package met inside the plan, no blocker violated,
 * one version per slot, build-time dependencies ordered first. Adds one
 * line per violation; returns how many requirements were checked. */
size_t plan_verify(const struct plan *p, const struct resolver *r,
		   struct gild_strv *violations);

/* Output (plan.c). */
enum plan_style { PLAN_TEXT, PLAN_TREE, PLAN_JSON };
void plan_print(FILE *f, const struct plan *p, const struct resolver *r,
		enum plan_style style);
/* "N", "NS", "R", "U" or "UD". */
const char *plan_op_letters(enum plan_op op);
/* Plan entry index of a candidate, or -1. */
int plan_find(const struct plan *p, int pkg);
/* `gild why`: every chain (via first parents and all dependents) that
 * pulls candidate pkg in, one per line. */
void plan_print_why(FILE *f, const struct plan *p, const struct resolver *r,
		    int pkg);

/* ---- resolve-input ----
 * package versions with fixed USE and dependency strings,
 * turned into the resolver's candidates, atoms and requirements.
 *
 * Both front ends fill this: the tree (resolve-tree.c: recipes, profile,
 * user configuration) and the resolver cases (resolve-case.c). Here the
 * PMS meaning of atoms is applied: version operators and slots through
 * atom.h, USE dependencies evaluated against the parent's USE first and
 * then checked against each candidate's effective USE with the (+)/(-)
 * defaults (PMS 8.3.4), versions ranked with version_cmp (PMS 3.3).
 */

struct rs_recipe {
	const char *category, *pn, *pvr;
	const char *slot, *subslot; /* subslot NULL: the slot */
	const char *const *iuse;    /* flag names, no +/- */
	size_t n_iuse;
	const char *const *use; /* enabled flags (within IUSE) */
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

/* Atoms (space separated) that every recipe is built against as if its
 * BDEPEND named them (a profile's GILD_IMPLICIT_BDEPEND: its libc, which
 * Portage builds first for the same reason); a recipe of a package they
 * name does not get them. Binary versions get them too (a reused package
 * must have been built against the plan's libc); installed ones do not. */
void rs_input_set_implicit_bdepend(struct rs_input *in, const char *atoms);
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
int rs_input_solve(struct rs_input *in, struct plan **plan, struct resolver **r,
		   struct gild_err *err);

/* A recorded dependency string of a binary or installed package: every
 * `cat/pn:SLOT/SUB=` atom is appended to slotdeps as "cat/pn:SLOT/SUB"
 * and written to out as `cat/pn:SLOT=`, so that the version matches
 * whatever sub-slot is there and the plan decides whether it must be
 * rebuilt (rs_reuse_check_slots). */
void rs_slotdeps_split(const char *deps, struct gild_buf *out,
		       struct gild_strv *slotdeps);

/* The candidate index of cat/pn-pvr in the solved pool, or -1. */
int rs_input_find(struct rs_input *in, const char *atom);

/* ---- resolve-tree ----
 * the tree, profile and user configuration as resolver
 * input, and command-line targets (atoms, names, @sets). */

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
	int64_t racy; /* see rcache_racy_limit */
	struct recipe_loader *loader;
	struct recipe **fresh; /* the recipes read again */
	size_t nfresh, fresh_cap;
	/* recipes read again that do not load, for the cache's rewrite:
	 * path, stamp and message, three strings each */
	struct gild_strv broken;
	struct gild_strv skipped;   /* "file:line:col: why" of recipes that do
				     * not load, left out of the plan */
	struct gild_strv qa;	    /* QA notes of the recipes read this run
				     * (recipe.h), warned about once: a run
				     * served from the cache reads none */
	struct gild_strv refreshed; /* their "cat/pn" */
	struct gild_strv changed;   /* categories read from the tree */
	struct gild_strv stale_cls; /* packages whose classes changed, sorted */
	struct rcache_writer *writer; /* while the tree is loaded */
	bool defer;		      /* ... into a cache used right after */
	struct rtree_scratch scratch; /* the last cached version loaded */
	size_t nrefreshed; /* packages read again (stale in the cache) */
	/* gild_now() after each loading step, for -v */
	double t_start, t_config, t_fingerprint, t_versions;
};

/* Load tree, configuration and every version as resolver input.
 * Returns 0 and *out, or the error of tree_load, config_load or
 * use_env_new, or -GILD_E_SYNTAX for a REQUIRED_USE that does not parse. */
int rtree_load(struct gild_ctx *ctx, bool emptytree, struct rtree **out,
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

/* ---- resolve-case ----
 * run a resolver case file (see resolve-case.c). */

enum {
	V_SLOT,
	V_IUSE,
	V_KEYWORDS,
	V_REQUIRED_USE,
	V_EAPI,
	V_DEPS,
	V_USE = V_DEPS + 5,
	V_NVARS
};

/* Run the case at path; print a diff of expected and actual output to out
 * when they differ. With update, rewrite the file's expect lines instead.
 * Returns 0 when the output matched (or was updated), 1 when it did not,
 * or a negative code with err at the case file's line. */
int resolve_case_run(const char *path, bool update, FILE *out,
		     struct gild_err *err);

/* The output a case compares: the plan as `gild pretend` prints it, then
 * every problem. */
void resolve_report(FILE *f, const struct plan *p, const struct resolver *r);

#endif /* GILD_RESOLVE_H */
