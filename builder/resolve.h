/* resolve.h: the libsolv-backed resolver and the build plan.
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
 * Why "every atom is the exact set of matching candidates" (issue 3): PMS
 * version ordering, `=...*`, slot and USE dependencies then mean exactly
 * what the caller's atom code says; libsolv's own EVR comparison is only
 * used to prefer the newest candidate, through a rank the caller computes
 * with version_cmp.
 */
#ifndef GILD_RESOLVE_H
#define GILD_RESOLVE_H

#include "base.h"

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
	unsigned vrank;	     /* PMS order among candidates of cpn, higher newer */
	const char *const *use;	 /* enabled flags, NULL-terminated (or NULL) */
	const char *const *iuse; /* IUSE flag names, NULL-terminated (or NULL) */
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
int resolver_atom_define(struct resolver *r, const char *text,
			 const int *match, size_t nmatch);

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
void resolver_block(struct resolver *r, int pkg, enum dep_class cls,
		    int atom, bool strong);

/* A target: text as the user wrote it (for messages) and its atom. */
void resolver_add_target(struct resolver *r, const char *text, int atom);

/* ---- the plan ------------------------------------------------------------ */

enum plan_action {
	PLAN_BUILD,   /* N: new, built from the tree */
	PLAN_BINARY,  /* taken from the binary repository */
	PLAN_KEEP,    /* already installed or provided: not printed */
};

/* What merging an entry does to the installed root, emerge's letters:
 * N new, NS new slot, R the same version again, U upgrade, UD downgrade
 * (portage's resolver/output.py). */
enum plan_op { PLAN_OP_NEW, PLAN_OP_NEW_SLOT, PLAN_OP_REPLACE,
	       PLAN_OP_UPGRADE, PLAN_OP_DOWNGRADE };

struct plan_entry {
	int pkg;	     /* candidate index */
	enum plan_action action;
	enum plan_op op;     /* set by the caller that knows the root (N) */
	char *old_pvr;	     /* U/D: the version installed in the slot */
	/* flags whose state differs from the build it replaces ('*' after
	 * the flag, emerge -pv) and flags added to or gone from IUSE ('%') */
	struct gild_strv changed, iuse_changed;
	char *rebuild;	     /* why an existing build is not reused, or NULL:
			      * "rebuild for dev-libs/foo:0/2 (sub-slot changed)" */
	char *reason;	     /* "target 'x'" or "RDEPEND of cat/pn-1" */
	int parent;	     /* candidate that first pulled it in, or -1 */
	int depth;	     /* for --tree: 0 for targets */
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
	bool unsolvable;	   /* no plan at all: problems say why */
	bool build_cycle;	   /* a plan, but with a build-time cycle */
	/* seconds spent, for `-v` and the benchmarks */
	double t_pool, t_solve, t_order, t_explain;
};

/* Monotonic seconds, for the timings above. */
double gild_now(void);

void plan_free(struct plan *p);
GILD_DEFINE_CLEANUP(struct plan *, plan_free)

/* Solve for the targets and order the result.
 * Returns 0 with *out set (check (*out)->unsolvable and build_cycle), or a
 * negative code on an internal libsolv failure. */
int resolver_solve(struct resolver *r, struct plan **out,
		   struct gild_err *err);

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

#endif /* GILD_RESOLVE_H */
