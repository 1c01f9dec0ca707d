/* atom.h: names (PMS 3.1) and package dependency specifications (PMS 8.3).
 *
 * An atom is parsed from a (pointer, length) view into one allocation that
 * holds the struct, its USE dependencies and all its strings, so
 * atom_free() is a single free() and a tree of 40,000 recipes does not pay
 * one malloc per field.
 */
#ifndef GILD_ATOM_H
#define GILD_ATOM_H

#include "base.h"

/* ---- names (PMS 3.1) ------------------------------------------------------ */

/* [A-Za-z0-9_][A-Za-z0-9+_.-]* */
bool category_valid(const char *s, size_t n);
/* [A-Za-z0-9_][A-Za-z0-9+_-]*, not ending in "-" + a valid version */
bool package_name_valid(const char *s, size_t n);
/* [A-Za-z0-9_][A-Za-z0-9+_.-]* */
bool slot_name_valid(const char *s, size_t n);
/* [A-Za-z0-9][A-Za-z0-9+_@-]* */
bool use_flag_valid(const char *s, size_t n);
/* [A-Za-z0-9_][A-Za-z0-9+_.-]* (PMS 3.1.7) */
bool license_name_valid(const char *s, size_t n);

/* ---- category/package-version ------------------------------------------- */

/* Views into a "cat/pn-pvr" string (or "pn-pvr" for cpv_split_pf). */
struct cpv {
	gild_str category; /* empty for cpv_split_pf */
	gild_str package;  /* PN */
	gild_str version;  /* PV: without revision */
	gild_str pvr;	   /* PVR: the version as written, with any revision */
	gild_str revision; /* the digits of -rN, empty when none (PR is r0) */
};

/* Split "cat/pn-pvr".  Returns 0, or -GILD_E_SYNTAX with err saying which
 * part is wrong. */
int cpv_split(const char *s, size_t n, struct cpv *out, struct gild_err *err);
/* Split "pn-pvr" (a recipe file's stem, PF).  Returns 0 or -GILD_E_SYNTAX. */
int cpv_split_pf(const char *s, size_t n, struct cpv *out,
		 struct gild_err *err);

/* ---- atoms (PMS 8.3) ------------------------------------------------------ */

enum atom_op {
	ATOM_OP_NONE,
	ATOM_OP_LT,    /* <  */
	ATOM_OP_LE,    /* <= */
	ATOM_OP_EQ,    /* =  */
	ATOM_OP_TILDE, /* ~  */
	ATOM_OP_GE,    /* >= */
	ATOM_OP_GT,    /* >  */
	ATOM_OP_GLOB,  /* =VER* */
};

enum atom_slot_op {
	ATOM_SLOT_OP_NONE,
	ATOM_SLOT_OP_EQ,   /* := or :slot= */
	ATOM_SLOT_OP_STAR, /* :* */
};

/* The six forms of PMS 8.3.4. */
enum use_dep_kind {
	USE_DEP_ENABLED,  /* flag   */
	USE_DEP_DISABLED, /* -flag  */
	USE_DEP_IF,	  /* flag?  */
	USE_DEP_IF_NOT,	  /* !flag? */
	USE_DEP_EQ,	  /* flag=  */
	USE_DEP_NEQ,	  /* !flag= */
};

enum use_dep_default {
	USE_DEFAULT_NONE,
	USE_DEFAULT_PLUS,  /* (+) */
	USE_DEFAULT_MINUS, /* (-) */
};

struct use_dep {
	const char *flag;
	enum use_dep_kind kind;
	enum use_dep_default def;
	const char *text; /* as written, e.g. "!foo(+)?" */
};

struct atom {
	int blocker;	  /* 0, 1 for '!', 2 for '!!' */
	enum atom_op op;
	const char *category;
	const char *package;
	const char *version; /* without revision (and without '*'); or NULL */
	const char *pvr;     /* the version with its revision as written, or NULL */
	unsigned long long revision; /* 0 when none; saturates at ULLONG_MAX
				      * (pvr keeps the exact digits) */
	const char *slot;    /* NULL when none */
	const char *subslot; /* NULL when none */
	enum atom_slot_op slot_op;
	size_t n_use;
	struct use_dep *use;
	const char *text; /* the whole atom as written */
};

/* Parse an EAPI 7 or 8 package dependency specification from s[0..n).
 * Returns 0 and *out, or:
 *   -GILD_E_SYNTAX      malformed; err says what and at which column
 *                       ("... at column N");
 *   -GILD_E_UNSUPPORTED eapi is not 7 or 8. */
int atom_parse(const char *s, size_t n, int eapi, struct atom **out,
	       struct gild_err *err);

/* Like atom_parse, for an atom found inside a file: start is the location of
 * s[0], and the error carries the exact file:line:col instead of a column in
 * the message.  start may be NULL (then this is atom_parse). */
int atom_parse_at(const char *s, size_t n, int eapi,
		  const struct gild_loc *start, struct atom **out,
		  struct gild_err *err);

void atom_free(struct atom *a);
GILD_DEFINE_CLEANUP(struct atom *, atom_free)

/* Whether cat/pn-pvr matches the atom's name and version operator (not its
 * blocker, slot or USE dependencies). */
bool atom_match_cpv(const struct atom *a, const char *cat, const char *pn,
		    const char *pvr);

/* Whether a package in slot/subslot satisfies the atom's slot restriction.
 * subslot NULL means the package's sub-slot equals its slot (PMS 7.2). */
bool atom_match_slot(const struct atom *a, const char *slot,
		     const char *subslot);

/* Append the atom in canonical form (equal to the text for valid input). */
void atom_format(const struct atom *a, struct gild_buf *out);

/* "", "<", "<=", "=", "~", ">=", ">" or "=*". */
const char *atom_op_str(enum atom_op op);

#endif /* GILD_ATOM_H */
