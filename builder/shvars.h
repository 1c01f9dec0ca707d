/* shvars.h: a lexer for static bash-style metadata.
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
#ifndef GILD_SHVARS_H
#define GILD_SHVARS_H

#include "base.h"

#define SHVARS_STATIC_HINT                                                     \
	"metadata must be static: compute it in a phase function or write "    \
	"the value literally"

struct shvars_seg; /* private: maps value offsets back to the file */

/* One assignment as handed to ops->assign. */
struct shvars_assign {
	gild_str name;	     /* view into the file buffer */
	gild_str value;	     /* expanded; NUL-terminated; valid during the call */
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

#endif /* GILD_SHVARS_H */
