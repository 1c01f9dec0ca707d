/* profile.h: the profile stack (PMS chapter 5, portage(5) "profiles").
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
#ifndef GILD_PROFILE_H
#define GILD_PROFILE_H

#include "base.h"

/* One line of a line-based file: words split on blanks, comments removed. */
struct pline {
	char **w;	  /* NULL-terminated words; w[0] is the atom or flag */
	unsigned *col;	  /* column of each word */
	size_t nw;
	const char *file; /* display path, owned by the profile or config */
	unsigned line;
	unsigned level;	  /* profiles: 1 + the node's index in the stack
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
	char *tree;	    /* the tree directory */
	char *name;	    /* e.g. "default/linux/amd64" */
	char *repo_name;    /* from profiles/repo_name, or "gild" */
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
	struct varlist *vars;	/* make.defaults, stacked; incremental ones
				   as normalised op lists (see incr_stack) */
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

#endif /* GILD_PROFILE_H */
