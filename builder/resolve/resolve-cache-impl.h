/* resolve-cache.h: the parsed tree kept as a libsolv .solv file.
 *
 * Parsing 40,000 recipes takes seconds; reading them back from a .solv
 * file (repo_write/repo_add_solv, the way zypper and dnf cache
 * repositories) takes milliseconds. The cache holds every version as
 * parsed (IUSE with defaults, keywords, LICENSE, REQUIRED_USE, dependency
 * strings): USE, visibility and REQUIRED_USE are evaluated per
 * configuration when a version is used (resolve-tree.c). A global stamp
 * (classes, category directories, the cache format and the gild binary)
 * is checked on every open; each version carries the stamp of its package
 * directory and recipe, checked when the resolver first looks at the
 * package, which is then read again from the tree when it changed. So a
 * stale cache never changes an answer; resolve-cache.c says why.
 */
#ifndef GILD_RESOLVE_CACHE_H
#define GILD_RESOLVE_CACHE_H

#include <stdint.h>

#include "config/config.h"
#include "resolve/resolve.h"

/* A version as the cache keeps it (views, borrowed). */
struct rs_version {
	const char *category, *pn, *pvr;
	const char *slot, *subslot; /* subslot NULL: the slot */
	int eapi;
	const struct use_iuse *iuse;
	size_t n_iuse;
	const char *const *keywords;
	size_t n_keywords;
	const char *license;	  /* as written, or NULL */
	const char *restrict_;	  /* RESTRICT as written, or NULL */
	const char *required_use; /* as written, or NULL */
	struct gild_loc required_use_loc;
	const char *const *inherited; /* every class, recipe.h */
	size_t n_inherited;
	const char *deps[DEP_NCLASS];
	struct gild_loc dep_loc[DEP_NCLASS];
	const char *stamp; /* rcache_pkg_stamp */
};

/* The time (ns since the epoch) before which a file's mtime and ctime are
 * trusted: a file changed after it is stamped "racy" and read again next
 * time (see resolve-cache.c). Take it before reading what is stamped. */
int64_t rcache_racy_limit(void);
/* The same for what was read from read_at (ns since the epoch) on. */
int64_t rcache_racy_limit_at(int64_t read_at);

/* The global stamp of the tree (see resolve-cache.c). Allocated. */
char *rcache_stamp(const char *tree, int64_t racy);
/* Make the line of a tree path (e.g. "recipes/dev-libs") never match: its
 * contents could not all be cached (a recipe that does not load). */
void rcache_stamp_spoil(char *stamp, const char *rel);

/* The package stamp of a version: its package directory and recipe file
 * under the tree directory treefd. Allocated. */
char *rcache_pkg_stamp(int treefd, const char *category, const char *pn,
		       const char *pvr, int64_t racy);

/* Open the cache at path when the global stamp still holds, or differs
 * only in some category directories (packages added or removed there):
 * their names are added to changed, and the caller reads those
 * categories from the tree instead; or in some classes: the versions that
 * inherit one are then not current (rcache_current). The global stamp is taken
 * anew with racy (rcache_racy_limit) for a rewrite. Returns 1 and *out, or 0
 * when it is missing, stale or unreadable (never an error: the caller then
 * loads the tree). */
struct rcache;
int rcache_open(const char *path, const char *tree, int64_t racy,
		struct gild_strv *changed, struct rcache **out);
void rcache_free(struct rcache *c);
/* Every version, with a handle for the calls below. */
typedef void (*rcache_version_fn)(void *ud, const char *category,
				  const char *pn, const char *pvr, long handle);
void rcache_foreach(const struct rcache *c, rcache_version_fn fn, void *ud);
/* A version's fields, valid until the next call; false when its record
 * is damaged. */
bool rcache_version(struct rcache *c, long handle, struct rs_version *v);
/* The packages ("cat/pn", once per version) with a version that inherits
 * a class changed since the cache was written. */
void rcache_class_stale(const struct rcache *c, struct gild_strv *cpns);
/* Whether a version's package stamp still holds. */
bool rcache_current(struct rcache *c, long handle);
/* The global stamp taken when the cache was opened. */
const char *rcache_global_stamp(const struct rcache *c);

/* Recipes that do not load, cached as failing (see resolve-cache.c):
 * the stamp of a recipe file "recipes/CAT/PN/FILE" and its package
 * directory (allocated); a failing recipe added to a cache being
 * written, with its stamp and its message ("file:line:col: why"); and
 * those of an open cache, each with whether its stamp still holds. */
char *rcache_file_stamp(int treefd, const char *recipe, int64_t racy);
struct rcache_writer;
void rcache_writer_add_broken(struct rcache_writer *w, const char *recipe,
			      const char *stamp, const char *msg);
typedef void (*rcache_broken_fn)(void *ud, const char *recipe, const char *cpn,
				 const char *msg, bool current);
void rcache_broken_foreach(const struct rcache *c, rcache_broken_fn fn,
			   void *ud);

/* Writing a cache: versions added one by one or copied from an open cache
 * (but for the packages "cat/pn" skip says to leave out), then written
 * atomically with the global stamp taken before the tree was read. */
struct rcache_writer;
struct rcache_writer *rcache_writer_new(void);
void rcache_writer_free(struct rcache_writer *w);
GILD_DEFINE_CLEANUP(struct rcache_writer *, rcache_writer_free)
void rcache_writer_add(struct rcache_writer *w, const struct rs_version *v);
void rcache_writer_copy(struct rcache_writer *w, const struct rcache *from,
			bool (*skip)(void *ud, const char *cpn), void *ud);
/* Returns 0 or a negative code. */
int rcache_writer_commit(struct rcache_writer *w, const char *path,
			 const char *stamp, struct gild_err *err);

#endif
