/* tree-impl.h: private to tree*.c. */
#ifndef GILD_TREE_IMPL_H
#define GILD_TREE_IMPL_H

#include "pms/pms.h"

struct tree_desc {
	char *flag, *desc;
};

struct tree_mirror {
	char *name;
	struct gild_strv urls;
};

struct tree {
	char *root;
	int rootfd;
	unsigned flags;
	char *repo_name;
	struct gild_strv categories, arches;
	struct gild_strv layout; /* key, value, key, value, ... */
	struct tree_desc *descs; /* sorted by flag */
	size_t ndescs, desccap;
	struct tree_mirror *mirrors;
	size_t nmirrors, mirrorcap;
	struct tree_pkg *pkgs; /* sorted by category, pn */
	size_t npkgs, pkgcap, nrecipes;
	struct gild_err *errors;
	size_t nerrors, errcap;
	struct gild_strv err_recipes; /* tree_error_recipe */
};

/* tree-repo.c: the repository files under profiles/ and metadata/. */
int tree_read_repo_files(struct tree *t, struct gild_err *err);
void tree_release_repo_files(struct tree *t);

/* Read a small file relative to the tree; a missing file gives 0 and an
 * empty buffer with *exists false. */
int tree_read_optional(struct tree *t, const char *rel, struct gild_buf *b,
		       bool *exists, struct gild_err *err);

#endif
