/* config.h: user configuration and the effective configuration variables.
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
#ifndef GILD_CONFIG_H
#define GILD_CONFIG_H

#include "base.h"
#include "profile.h"

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
	char *tree;	   /* the tree directory */
	char *config_dir;  /* the user configuration directory */
	struct profile *profile;
	struct varlist user;	/* gild.conf as read */
	struct varlist eff;	/* effective variables (profile+user+env) */
	struct varlist envl;	/* the environment's overrides as read */
	struct plines pkg_use, pkg_mask, pkg_unmask, pkg_keywords,
		pkg_license;
	struct gild_strv files; /* display paths owned here */
};

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

#endif /* GILD_CONFIG_H */
