/* pms.h: the Package Manager Specification building blocks and the tree
 * model: versions, atoms, dependency strings, REQUIRED_USE, static shell
 * variables, recipes, the tree, metadata.xml, Manifests and the installed
 * package database.  The one public header of builder/pms/. */
#ifndef GILD_PMS_H
#define GILD_PMS_H

#include "base/base.h"
#include "repo/repo.h"

/* ---- version ----
 * package versions as PMS chapter 3 defines them.
 *
 * Syntax (PMS 3.2): one or more numeric components separated by '.', an
 * optional letter [a-z], zero or more suffixes _alpha _beta _pre _rc _p each
 * with an optional number, and an optional revision -rN.  Numbers may have
 * any length: comparison never converts them to machine integers, so
 * nothing overflows and nothing is allocated.
 */

/* Whether s[0..n) is a valid version, revision included (PMS 3.2). */
bool version_valid(const char *s, size_t n);

/* Length of the version without its revision: the offset of "-rN" in a valid
 * version s[0..n), or n when there is none. */
size_t version_rev_offset(const char *s, size_t n);

/* Compare two valid versions by PMS 3.3 (algorithms 3.1-3.7).  Returns <0,
 * 0 or >0.  Invalid input gives an unspecified but consistent order. */
int version_cmp(const char *a, const char *b);
int version_cmp_n(const char *a, size_t an, const char *b, size_t bn);

/* The same ignoring the revisions (the '~' operator, PMS 8.3.1). */
int version_cmp_norev(const char *a, const char *b);

/* The '=VER*' match of PMS 8.3.1: v (with or without revision) matches when
 * it begins with pattern (without the '*') and the match ends at a
 * component boundary, so "1.2" matches 1.2, 1.2.3, 1.2a, 1.2_rc1 and
 * 1.2-r1 but not 1.20 (Portage's reading, Gentoo bug 560466).  Leading
 * zeros of the first component do not count. */
bool version_glob_match(const char *pattern, const char *v);

/* ---- atom ----
 * names (PMS 3.1) and package dependency specifications (PMS 8.3).
 *
 * An atom is parsed from a (pointer, length) view into one allocation that
 * holds the struct, its USE dependencies and all its strings, so
 * atom_free() is a single free() and a tree of 40,000 recipes does not pay
 * one malloc per field.
 */

/* ---- names (PMS 3.1) ------------------------------------------------------
 */

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

/* ---- atoms (PMS 8.3) ------------------------------------------------------
 */

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
	int blocker; /* 0, 1 for '!', 2 for '!!' */
	enum atom_op op;
	const char *category;
	const char *package;
	const char *version; /* without revision (and without '*'); or NULL */
	const char *pvr; /* the version with its revision as written, or NULL */
	unsigned long long revision; /* 0 when none; saturates at ULLONG_MAX
				      * (pvr keeps the exact digits) */
	const char *slot;	     /* NULL when none */
	const char *subslot;	     /* NULL when none */
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

/* ---- depstr ----
 * dependency specifications (PMS 8.2) as a tree.
 *
 * One parser serves every specification-style variable; the kind decides
 * which leaves and groups are allowed (PMS 8.2):
 *
 *   kind                 leaves                        groups
 *   DEPSTR_DEPEND        atoms                         ( ) || ( ) flag? ( )
 *   DEPSTR_SRC_URI       URIs [-> name], file names    ( ) flag? ( )
 *   DEPSTR_LICENSE       license names                 ( ) || ( ) flag? ( )
 *   DEPSTR_RESTRICT      plain words (also PROPERTIES) ( ) flag? ( )
 *   DEPSTR_REQUIRED_USE  flag, !flag                   ( ) || ^^ ?? flag? ( )
 *
 * The whole string must follow the grammar whatever USE is set. PMS 8.2
 * says a group holds "one or more of" its items; with DEPSTR_STRICT (the
 * PMS building-block commands, which are the linter) that is enforced,
 * and so are ':=' outside '|| ( )' and SRC_URI file names without a '/'.
 * Without it the parser accepts what Portage and pkgcore load, because
 * real trees hold such leftovers (an eclass writing 'python? ( )' for an
 * empty list): an empty group in REQUIRED_USE, kept and evaluated
 * (requse_check: an empty '||' or '^^' fails from EAPI 7 on, as in
 * Portage; in every other string it stays an error, since Portage's
 * use_reduce refuses "( )" there too); ':=' inside '|| ( )', kept;
 * a SRC_URI file name with a '/', whose distfile is the last part (as
 * Portage's os.path.basename). depstr_parse_qa reports the first of these.
 */

enum depstr_kind {
	DEPSTR_DEPEND, /* DEPEND BDEPEND RDEPEND PDEPEND IDEPEND */
	DEPSTR_SRC_URI,
	DEPSTR_LICENSE,
	DEPSTR_RESTRICT, /* RESTRICT and PROPERTIES */
	DEPSTR_REQUIRED_USE,
	DEPSTR_STRICT = 1 << 8, /* or-ed into a kind: PMS's grammar exactly */
	/* or-ed into a kind: a string gild wrote after USE reduction (the
	 * evaluated dependencies of a build, a binary package or the
	 * resolver's cache), where "|| ( )" is what is left of an any-of
	 * whose alternatives were all conditional and off: kept */
	DEPSTR_REDUCED = 1 << 9,
};

enum dep_kind {
	DEP_ALL,	 /* ( ... ), and the top level */
	DEP_ANY,	 /* || ( ... ) */
	DEP_EXACTLY_ONE, /* ^^ ( ... ) */
	DEP_AT_MOST_ONE, /* ?? ( ... ) */
	DEP_USE_COND,	 /* flag? ( ... ) or !flag? ( ... ) */
	DEP_ATOM,
	DEP_TEXT,
};

struct dep_node {
	enum dep_kind kind;
	struct gild_loc loc; /* of the node's first character */
	bool top;	     /* the top level: printed without parentheses */
	bool negated;	   /* USE_COND "!flag?"; TEXT in REQUIRED_USE "!flag" */
	bool borrowed;	   /* strings and atom belong to another tree */
	char *flag;	   /* USE_COND: the flag */
	struct atom *atom; /* ATOM */
	char *text;	   /* TEXT: the word (REQUIRED_USE: the flag, no '!') */
	char *rename;	   /* TEXT in SRC_URI: the name after "->", or NULL */
	struct dep_node *kids; /* groups and USE_COND: the children */
	size_t n_kids, cap_kids;
};

/* Parse s[0..n) of the given kind.  start is the location of s[0] (file,
 * line, column; NULL for "line 1, column 1" of nothing): the tokens' and the
 * errors' locations are computed from it, newlines included.  eapi is 7 or
 * 8.  Returns 0 and *out (a DEP_ALL node with top set), or:
 *   -GILD_E_SYNTAX      a token is wrong; the message names it;
 *   -GILD_E_UNSUPPORTED eapi is not 7 or 8. */
int depstr_parse(const char *s, size_t n, int kind, int eapi,
		 const struct gild_loc *start, struct dep_node **out,
		 struct gild_err *err);
/* depstr_parse, and in qa (when not NULL) the first thing accepted only
 * because Portage accepts it (qa->code is then -GILD_E_SYNTAX, the message
 * and location name it; else qa->code stays 0). */
int depstr_parse_qa(const char *s, size_t n, int kind, int eapi,
		    const struct gild_loc *start, struct dep_node **out,
		    struct gild_err *qa, struct gild_err *err);

void dep_node_free(struct dep_node *node);
GILD_DEFINE_CLEANUP(struct dep_node *, dep_node_free)

/* Whether a USE flag is enabled; the caller owns the USE representation. */
typedef bool (*depstr_use_fn)(void *ud, const char *flag);

/* The tree reduced under USE (never NULL).  Its leaves borrow the atoms
 * and strings of `node`, so free the result (dep_node_free) before node.
 *  - a conditional whose condition is false is removed;
 *  - a true one is replaced by its children, except that directly inside an
 *    any-of, exactly-one-of or at-most-one-of group a true conditional with
 *    more than one child becomes one all-of group;
 *  - an all-of group left empty is removed;
 *  - an any-of (^^, ??) group left empty stays, as "|| ( )": PMS says an
 *    empty any-of group is not satisfied (EAPI 7 and later);
 *  - nothing else is flattened. */
struct dep_node *depstr_reduce(const struct dep_node *node, depstr_use_fn use,
			       void *ud);

/* Append the tree with single spaces: "a/b || ( c/d e/f ) x? ( g/h )".
 * A top node is written without its parentheses. */
void depstr_format(const struct dep_node *node, struct gild_buf *out);

/* SRC_URI helpers (PMS 8.2, EAPI 8 adds "fetch+" and "mirror+" prefixes). */

/* The distfile name of a SRC_URI TEXT node: the "-> name", else the part of
 * the URI after its last '/'. */
gild_str depstr_distfile(const struct dep_node *node);

/* The URI of a SRC_URI TEXT node without any "fetch+"/"mirror+" prefix. */
gild_str depstr_uri(const struct dep_node *node);

/* For "mirror://NAME/path": true and the NAME and path views. */
bool src_uri_mirror(gild_str uri, gild_str *name, gild_str *path);

/* A depstr_use_fn over a struct gild_strv * of enabled flags. */
bool depstr_use_in_list(void *ud, const char *flag);

/* ---- requse ----
 * checking REQUIRED_USE (PMS 8.2 and the EAPI 7 empty-group rule).
 *
 * Semantics for EAPI 7 and 8: a conditional group whose condition is false
 * is satisfied and, directly inside ||, ^^ or ??, does not count as a member;
 * an all-of group needs all members; || needs at least one and ^^ exactly
 * one (both unsatisfied when empty); ?? needs at most one (satisfied when
 * empty).
 */

/* Check a REQUIRED_USE tree (from depstr_parse with DEPSTR_REQUIRED_USE)
 * against USE.  Returns 1 when satisfied, 0 when not; then `why` (may be
 * NULL) gets the first failing constraint in words, e.g.
 * "exactly one of 'a', 'b' must be enabled, but both are". */
int requse_check(const struct dep_node *node, depstr_use_fn use, void *ud,
		 struct gild_buf *why);

/* Call fn for every flag the tree mentions, in text order, with the node
 * naming it: the flag of each conditional and the word of each TEXT leaf
 * (in a REQUIRED_USE tree those are flags).  Stops and returns fn's value
 * when it is non-zero.  For checking the flags against IUSE. */
int depstr_foreach_flag(const struct dep_node *node,
			int (*fn)(void *ud, const char *flag,
				  const struct dep_node *where),
			void *ud);

/* ---- shvars ----
 * a lexer for static bash-style metadata.
 *
 * Shared by recipes, classes, profiles' make.defaults and gild.conf. It
 * reads what a shell would do for a file of top-level assignments without
 * running one:
 *
 *   # comment
 *   NAME=value  export NAME=value  NAME+=value  NAME=( a b c )
 *   inherit NAME...
 *   name() { ...opaque body... }   function name { ... }
 *
 * Values follow bash quoting: '...' is literal; "..." keeps everything but
 * the escapes \\ \" \$ \` and \<newline>; unquoted words take \c as c and
 * \<newline> as nothing. `$NAME` and `${NAME}` expand through ops->lookup
 * (an unknown variable expands to nothing, as in bash).
 *
 * Anything that needs a shell to evaluate (command substitution, `$((..))`,
 * `${VAR:-x}`-style operators, `if`/`case`/`[[` or any other command at top
 * level) is an error located at file:line:col with the hint
 * SHVARS_STATIC_HINT.
 *
 * The parser allocates nothing per character: values are built in one
 * scratch buffer reused across the file and handed to the callbacks as
 * views valid only during the call.
 */

#define SHVARS_STATIC_HINT                                                     \
	"metadata must be static: compute it in a phase function or write "    \
	"the value literally"

struct shvars_seg; /* private: maps value offsets back to the file */

/* One assignment as handed to ops->assign. */
struct shvars_assign {
	gild_str name;	/* view into the file buffer */
	gild_str value; /* expanded; NUL-terminated; valid during the call */
	struct gild_loc loc; /* first character of the value as written */
	bool append;	     /* NAME+=value */
	bool exported;	     /* export NAME=value */
	bool array;	     /* NAME=( ... ): elements joined by single '\n' */
	/* private, for shvars_value_loc() */
	const char *src_start;
	const struct shvars_seg *segs;
	size_t nsegs;
};

struct shvars_ops {
	/* Each callback may be NULL (the construct is then accepted and
	 * ignored). A negative return stops the parse and is returned by
	 * shvars_parse(); the callback fills err. */
	int (*assign)(void *ud, const struct shvars_assign *a,
		      struct gild_err *err);
	/* One call per name of an `inherit` line. */
	int (*inherit)(void *ud, gild_str name, const struct gild_loc *loc,
		       struct gild_err *err);
	/* body: the text between the braces, a view into the file buffer;
	 * loc: the function name. */
	int (*function)(void *ud, gild_str name, gild_str body,
			const struct gild_loc *loc, struct gild_err *err);
	/* Look a variable up for expansion: true and *val set when it is
	 * set. *val must stay valid until the assignment callback returns. */
	bool (*lookup)(void *ud, gild_str name, gild_str *val);
};

/* Parse buf[0..len) (need not be NUL-terminated). file names it in
 * locations and must outlive them.
 *
 * Returns 0, or:
 *  -GILD_E_SYNTAX   malformed text (unterminated quote, stray operator)
 *  -GILD_E_INVALID  something that needs a shell (message ends with the
 *                   SHVARS_STATIC_HINT)
 *  whatever a callback returned. */
int shvars_parse(const char *buf, size_t len, const char *file,
		 const struct shvars_ops *ops, void *ud, struct gild_err *err);

/* The file location of byte off of a->value (for errors found inside a
 * value, e.g. a dependency string): exact for text written literally, the
 * `$` of the expansion for text that came from a variable. Only valid
 * during the assign callback. */
void shvars_value_loc(const struct shvars_assign *a, size_t off,
		      struct gild_loc *out);

/* Is s a valid shell variable name ([A-Za-z_][A-Za-z0-9_]*)? */
bool shvars_is_name(gild_str s);

/* ---- recipe ----
 * recipes and classes (static ebuild-style metadata).
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
	const char *body;    /* the text between the braces */
	struct gild_loc loc; /* the function's name */
	const char *origin;  /* the class that defined it, NULL: the recipe */
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
	/* QA notes, "file:line:col: message": what PMS's grammar refuses but
	 * Portage loads (an empty group in REQUIRED_USE, ':=' inside
	 * '|| ( )', a '/' in a SRC_URI file name; see depstr_parse_qa), for
	 * a warning */
	const char **qa;
	size_t n_qa;
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

/* ---- tree ----
 * a recipe tree loaded into memory.
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

struct metadata;
struct tree;

struct tree_pkg {
	const char *category, *pn;
	struct recipe **versions; /* ascending by version_cmp */
	size_t n_versions;
	struct metadata *md; /* private: metadata.xml once read */
	bool md_read;	     /* private */
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
size_t tree_find_pn(const struct tree *t, const char *pn, struct tree_pkg **out,
		    size_t max);

/* ---- package names (pkgname.c) ----
 * One way from a name a user typed to a package, one message per failure:
 *   -GILD_E_AMBIGUOUS  "'bar' is ambiguous: 'app-misc/bar', 'dev-libs/bar'
 *                      (give the category)"
 *   -GILD_E_NOTFOUND   "no package named 'zlb' in the tree; did you mean
 *                      'sys-libs/zlib'?" (close names from all, may be NULL)
 * matches: the "cat/pn" that have the name, sorted; *pick the one. */
int pkgname_pick(const char *name, const struct gild_strv *matches,
		 const struct gild_strv *all, size_t *pick,
		 struct gild_err *err);
/* A package exists but none of its versions matches atom:
 * "no version of sys-libs/zlib matches '=sys-libs/zlib-9'; there is
 * 1.2.13" (versions as PVRs, ascending). Returns -GILD_E_NOTFOUND. */
int pkgname_no_version(const char *cpn, const char *atom,
		       const struct gild_strv *versions, struct gild_err *err);
/* pkgname_no_version over a package of the tree. */
int pkgname_no_version_in_tree(const struct tree_pkg *p, const char *atom,
			       struct gild_err *err);
/* Every "cat/pn" of the tree (for suggestions). */
void pkgname_tree_names(const struct tree *t, struct gild_strv *out);
/* pkgname_pick over the tree: *cpn "cat/pn" (allocated). */
int pkgname_in_tree(const struct tree *t, const char *name, char **cpn,
		    struct gild_err *err);

/* Call fn for every recipe (packages in order, versions ascending); a
 * non-zero return stops the walk and is returned. */
int tree_foreach_recipe(const struct tree *t,
			int (*fn)(const struct recipe *r, void *ud), void *ud);

/* Recipes skipped under TREE_LOAD_KEEP_GOING, with their errors. */
size_t tree_nerrors(const struct tree *t);
const struct gild_err *tree_error_at(const struct tree *t, size_t i);
/* The recipe ("recipes/CAT/PN/FILE") whose load failed with error i, or
 * NULL when the error is not one recipe's (a directory). The error itself
 * may point into a class the recipe inherits. */
const char *tree_error_recipe(const struct tree *t, size_t i);
/* The error of the first recipe of category/pn that did not load, or
 * NULL: what to tell a user who named a package whose recipes are all
 * broken, rather than "no such package". */
const struct gild_err *tree_pkg_error(const struct tree *t,
				      const char *category, const char *pn);

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

/* ---- metadata ----
 * a package's metadata.xml (Gentoo's format, GLEP 68).
 *
 * Read with libxml2 only when asked (gild info): the long description,
 * maintainers, upstream information and per-package USE flag
 * descriptions. Text is given with whitespace runs folded to one space;
 * inline markup such as <pkg> keeps its text.
 */

struct metadata_maintainer {
	char *type; /* "person" or "project" ("" when not given) */
	char *email, *name, *description; /* NULL when not given */
};

struct metadata_remote_id {
	char *type, *id; /* e.g. "github", "madler/zlib" */
};

struct metadata_flag {
	char *name, *desc;
};

struct metadata {
	char *longdescription; /* the English one (or untagged); NULL if none */
	struct metadata_maintainer *maintainers;
	size_t n_maintainers;
	struct metadata_remote_id *remote_ids;
	size_t n_remote_ids;
	char *bugs_to, *doc, *changelog; /* upstream; NULL when not given */
	struct metadata_flag *flags;	 /* in file order */
	size_t n_flags;
};

/* Parse a metadata.xml held in memory; display names it in errors.
 * Returns 0, or -GILD_E_SYNTAX (malformed XML, err at the line; or the root
 * element is not <pkgmetadata>). */
int metadata_parse(const char *buf, size_t len, const char *display,
		   struct metadata **out, struct gild_err *err);

/* Read dirfd/path. A missing file is no error: *out is NULL. */
int metadata_load_at(int dirfd, const char *path, struct metadata **out,
		     struct gild_err *err);

void metadata_free(struct metadata *md);
GILD_DEFINE_CLEANUP(struct metadata *, metadata_free)

/* The description of a USE flag, or NULL. */
const char *metadata_flag_desc(const struct metadata *md, const char *flag);

/* ---- manifest ----
 * per-package Manifest files (Gentoo's format, GLEP 74).
 *
 * One entry per line: `TYPE NAME SIZE HASHNAME HEX [HASHNAME HEX]...`,
 * TYPE one of DIST, EBUILD, AUX, MISC (DATA and MANIFEST are accepted too
 * and kept).  gild writes DIST lines with BLAKE2B and SHA512, the hashes
 * Gentoo's metadata/layout.conf `manifest-hashes` names; entries of other
 * types and hashes gild does not compute are kept as read.
 */

struct manifest_hash {
	char *name; /* "BLAKE2B", "SHA512", ... */
	char *hex;  /* lowercase hex digest */
};

struct manifest_entry {
	char *type; /* "DIST", "EBUILD", "AUX", "MISC", ... */
	char *name;
	uint64_t size;
	struct manifest_hash *hashes;
	size_t nhashes;
	unsigned line; /* 1-based line in the file it came from, 0 if new */
};

struct manifest {
	char *path; /* as given to manifest_load, for messages */
	struct manifest_entry *v;
	size_t n, cap;
};

/* The digests gild computes for a file. */
struct manifest_digest {
	uint64_t size;
	char blake2b[129]; /* BLAKE2B-512, hex */
	char sha512[129];
};

/* Parse Manifest text; path names the file in error locations.
 * Returns 0, or -GILD_E_SYNTAX with err at path:line (bad type, size,
 * odd hash list, duplicate entry). */
int manifest_parse(const char *path, const char *text, size_t len,
		   struct manifest **out, struct gild_err *err);

/* Read and parse path. A missing file gives an empty manifest when
 * missing_ok, else -ENOENT. */
int manifest_load(const char *path, bool missing_ok, struct manifest **out,
		  struct gild_err *err);

void manifest_free(struct manifest *m);
GILD_DEFINE_CLEANUP(struct manifest *, manifest_free)

/* The entry of that type and name, or NULL. */
const struct manifest_entry *manifest_find(const struct manifest *m,
					   const char *type, const char *name);

/* Add or replace the DIST entry for name with d's size and hashes. */
void manifest_set_dist(struct manifest *m, const char *name,
		       const struct manifest_digest *d);

/* Drop the entry of that type and name; false when there was none. */
bool manifest_remove(struct manifest *m, const char *type, const char *name);

/* Write m to path atomically, entries sorted by type then name (the order
 * Portage's `ebuild manifest` writes). */
int manifest_write(const struct manifest *m, const char *path,
		   struct gild_err *err);

/* Size, BLAKE2B-512 and SHA512 of a file, in one read (OpenSSL EVP). */
int manifest_digest_file(const char *path, struct manifest_digest *d,
			 struct gild_err *err);

/* Check the file at path against the DIST entry for name.
 * Returns 0 when size and every known hash match;
 * -GILD_E_NOTFOUND "no DIST entry for 'NAME'" located at the Manifest;
 * -GILD_E_MANIFEST "size mismatch for 'NAME': expected N, got M" or
 * "BLAKE2B mismatch for 'NAME': expected HEX, got HEX", located at the
 * Manifest line; -errno when the file cannot be read. */
int manifest_verify_file(const struct manifest *m, const char *name,
			 const char *path, struct gild_err *err);

/* Move a bad distfile out of the way: DISTDIR/.bad/NAME.N with the first
 * free N from 1, so it is never used again but stays for inspection.
 * *moved_to (may be NULL) receives the new path. */
int manifest_move_aside(const char *distdir, const char *path, const char *name,
			char **moved_to, struct gild_err *err);

/* ---- vdb ----
 * the installed-package database of a root, in Portage's layout
 * (the "vdb"): ROOT/var/db/pkg/<category>/<PF>/ holds one file per key,
 * the file's text its value (one trailing newline dropped), as Portage
 * writes it after merging a package:
 *   CATEGORY PF SLOT (SLOT or SLOT/SUBSLOT) EAPI
 *   IUSE     the flags, "+"/"-" defaults allowed
 *   USE      the enabled flags (flags outside IUSE are ignored)
 *   DEPEND RDEPEND BDEPEND PDEPEND IDEPEND   evaluated under that USE, a
 *            `:=` dependency recorded as `cat/pn:SLOT/SUBSLOT=` (PMS 8.3.3)
 *   BUILD_ID the gild build-id of the binary package it came from
 *   CONTENTS the binary package's CONTENTS list
 * A missing file is an empty value. gild image writes these;
 * gild pretend --root reads them. */

struct vdb_pkg {
	char *category, *pf;
	char *dir;	       /* "var/db/pkg/<category>/<PF>", for messages */
	struct gpkg_meta meta; /* every key file read */
};

struct vdb {
	struct vdb_pkg *v; /* sorted by category, then PF */
	size_t n, cap;
};

/* The keys vdb_write_pkg writes and vdb_read reads, in this order. */
extern const char *const vdb_keys[];

/* Read ROOT's database. A root without var/db/pkg has no packages.
 * Returns 0, or -errno when a directory cannot be read (err names it). */
int vdb_read(const char *root, struct vdb **out, struct gild_err *err);
void vdb_free(struct vdb *v);
GILD_DEFINE_CLEANUP(struct vdb *, vdb_free)

/* Record a package (the metadata of its binary package: CATEGORY and PF
 * required, else -GILD_E_NOTFOUND) as installed in root, each key file
 * written atomically. */
enum { VDB_NO_SYNC = 1 << 0 }; /* no fsync: a staging root */
int vdb_write_pkg(const char *root, const struct gpkg_meta *meta,
		  unsigned flags, struct gild_err *err);

#endif /* GILD_PMS_H */
