/* resolve-cache.h: the evaluated tree kept as a libsolv .solv file.
 *
 * Parsing 40,000 recipes and evaluating their USE and visibility takes
 * seconds; reading them back from a .solv file (repo_write/repo_add_solv,
 * the way zypper and dnf cache repositories) takes milliseconds. A global
 * stamp (profiles, configuration, classes, category directories, the
 * profile name, the cache format and the gild binary) is checked on every
 * open; each version carries the stamp of its package directory and
 * recipe, checked when the resolver first looks at the package, which is
 * then read again from the tree when it changed. So a stale cache never
 * changes an answer (issue 3); resolve-cache.c says why.
 */
#ifndef GILD_RESOLVE_CACHE_H
#define GILD_RESOLVE_CACHE_H

#include <stdint.h>

#include "resolve-input.h"

/* The time (ns since the epoch) before which a file's mtime and ctime are
 * trusted: a file changed after it is stamped "racy" and read again next
 * time (see resolve-cache.c). Take it before reading what is stamped. */
int64_t rcache_racy_limit(void);

/* The global stamp of the inputs (see resolve-cache.c). Allocated. */
char *rcache_stamp(const char *tree, const char *confdir, const char *profile,
		   int64_t racy);
/* Make the line of a tree path (e.g. "recipes/dev-libs") never match: its
 * contents could not all be cached (a recipe that does not load). */
void rcache_stamp_spoil(char *stamp, const char *rel);

/* The package stamp of a version (rs_recipe.stamp): its package
 * directory and recipe file under the tree directory treefd. Allocated. */
char *rcache_pkg_stamp(int treefd, const char *category, const char *pn,
		       const char *pvr, int64_t racy);

/* Open the cache at path when the global stamp still holds, and add its
 * versions to in as stubs, loaded from the cache when first used
 * (*out must then outlive in's use). Returns 1 when it was used, 0 when it
 * is missing, stale or unreadable (never an error: the caller then loads
 * the tree). */
struct rcache;
int rcache_open(const char *path, const char *tree, const char *confdir,
		const char *profile, struct rs_input *in, struct rcache **out);
void rcache_free(struct rcache *c);
/* Whether a stub's package stamp still holds (rs_source.current). */
bool rcache_current(struct rcache *c, long handle);
/* The global stamp the cache was opened with. */
const char *rcache_global_stamp(const struct rcache *c);

/* Write every version of in to path (atomically), with the global stamp
 * taken before the tree was read; the records of versions still stubs of
 * the cache from are copied as they are. Returns 0 or a negative code. */
int rcache_save(const char *path, const char *stamp, const struct rs_input *in,
		const struct rcache *from, struct gild_err *err);

#endif
