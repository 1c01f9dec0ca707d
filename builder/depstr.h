/* depstr.h: dependency specifications (PMS 8.2) as a tree.
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
 * Every group written in the text needs at least one item (PMS 8.2: "one or
 * more of"); the whole string must follow the grammar whatever USE is set.
 */
#ifndef GILD_DEPSTR_H
#define GILD_DEPSTR_H

#include "atom.h"
#include "base.h"

enum depstr_kind {
	DEPSTR_DEPEND, /* DEPEND BDEPEND RDEPEND PDEPEND IDEPEND */
	DEPSTR_SRC_URI,
	DEPSTR_LICENSE,
	DEPSTR_RESTRICT, /* RESTRICT and PROPERTIES */
	DEPSTR_REQUIRED_USE,
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
	bool negated;	     /* USE_COND "!flag?"; TEXT in REQUIRED_USE "!flag" */
	bool borrowed;	     /* strings and atom belong to another tree */
	char *flag;	     /* USE_COND: the flag */
	struct atom *atom;   /* ATOM */
	char *text;	     /* TEXT: the word (REQUIRED_USE: the flag, no '!') */
	char *rename;	     /* TEXT in SRC_URI: the name after "->", or NULL */
	struct dep_node *kids; /* groups and USE_COND: the children */
	size_t n_kids, cap_kids;
};

/* Parse s[0..n) of the given kind.  start is the location of s[0] (file,
 * line, column; NULL for "line 1, column 1" of nothing): the tokens' and the
 * errors' locations are computed from it, newlines included.  eapi is 7 or
 * 8.  Returns 0 and *out (a DEP_ALL node with top set), or:
 *   -GILD_E_SYNTAX      a token is wrong; the message names it;
 *   -GILD_E_UNSUPPORTED eapi is not 7 or 8. */
int depstr_parse(const char *s, size_t n, enum depstr_kind kind, int eapi,
		 const struct gild_loc *start, struct dep_node **out,
		 struct gild_err *err);

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

#endif /* GILD_DEPSTR_H */
