/* recipe-impl.h: private to recipe*.c. */
#ifndef GILD_RECIPE_IMPL_H
#define GILD_RECIPE_IMPL_H

#include "pms/pms.h"

/* A class file, read once per loader. */
struct loader_class {
	char *name;
	char *path; /* recipes/classes/NAME.class: locations point here */
	char *text;
	size_t len;
};

struct loader_var {
	struct gild_buf name, val;
};

struct loader_func {
	gild_str name, body; /* views into the recipe text or a class text */
	struct gild_loc loc;
	const char *origin; /* class name, NULL for the recipe */
};

/* Inheritance is at most this deep (a longer chain is surely a mistake). */
#define RECIPE_MAX_INHERIT_DEPTH 32

struct recipe_loader {
	int rootfd;
	unsigned flags;
	struct loader_class *classes;
	size_t nclasses, classcap;
	/* per recipe, reused */
	struct loader_var *vars;
	size_t nvars, varcap, n_std_vars;
	struct gild_buf accum[RECIPE_NVARS]; /* classes' incremental values */
	struct gild_loc var_loc[RECIPE_NVARS];
	struct gild_buf path, text;
	struct loader_func *funcs;
	size_t nfuncs, funccap;
	size_t *inherited; /* indices into classes */
	size_t ninherited, inhcap;
	size_t stack[RECIPE_MAX_INHERIT_DEPTH]; /* classes being read */
	size_t depth;
	int eapi; /* as set so far (0: not yet) */
	/* "file:line:col: message" of what only Portage's leniency accepts
	 * (depstr_parse_qa), for struct recipe's qa */
	struct gild_strv qa;
};

int recipe_read_file(int dirfd, const char *path, struct gild_buf *b,
		     struct gild_err *err);
struct loader_var *var_find(struct recipe_loader *l, gild_str name);
void var_set(struct recipe_loader *l, gild_str name, gild_str val, bool append);
gild_str var_get(struct recipe_loader *l, const char *name);
bool recipe_lookup(struct recipe_loader *l, gild_str name, gild_str *val);

/* recipe-deps.c: check a dependency-like value (SRC_URI LICENSE
 * REQUIRED_USE RESTRICT PROPERTIES *DEPEND) where it is assigned, so a
 * syntax error names its file:line:col. Other variables pass. */
int recipe_check_depvar(int eapi, int var, const struct shvars_assign *a,
			struct gild_strv *qa, struct gild_err *err);
/* Free the dependency trees recipe_deps() parsed. */
void recipe_free_deps(struct recipe *r);

/* recipe-parse.c: run the lexer over a recipe (and its classes). */
int recipe_parse_body(struct recipe_loader *l, const char *path,
		      const char *text, size_t len, struct gild_err *err);

/* recipe-finish.c: check what needs the whole recipe and build *out. */
int recipe_finish(struct recipe_loader *l, const char *path,
		  struct recipe **out, struct gild_err *err);

#endif
