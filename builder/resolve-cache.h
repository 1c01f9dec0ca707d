/* resolve-cache.h: the evaluated tree kept as a libsolv .solv file.
 *
 * Parsing 40,000 recipes and evaluating their USE and visibility takes
 * seconds; reading them back from a .solv file (repo_write/repo_add_solv,
 * the way zypper and dnf cache repositories) takes milliseconds. The file
 * holds a stamp of every recipe, class, profile and configuration file
 * (path, size, mtime in nanoseconds, inode), the profile name, the cache
 * format and the gild binary, checked on every use, so any edit rebuilds
 * it: a stale cache never changes an answer (issue 3).
 */
#ifndef GILD_RESOLVE_CACHE_H
#define GILD_RESOLVE_CACHE_H

#include "resolve-input.h"

/* The stamp of the inputs (see resolve-cache.c): every recipe, class,
 * profile and configuration file with its stat. Allocated. */
char *rcache_stamp(const char *tree, const char *confdir, const char *profile);

/* Open the cache at path when every input still matches its stamp, and
 * add its versions to in as stubs, loaded from the cache when first used
 * (*out must then outlive in's use). Returns 1 when it was used, 0 when it
 * is missing, stale or unreadable (never an error: the caller then loads
 * the tree). */
struct rcache;
int rcache_open(const char *path, const char *tree, const char *confdir,
		const char *profile, struct rs_input *in, struct rcache **out);
void rcache_free(struct rcache *c);

/* Write every version of in to path (atomically), with the stamp taken
 * before the tree was read.
 * Returns 0 or a negative code. */
int rcache_save(const char *path, const char *stamp,
		const struct rs_input *in, struct gild_err *err);

#endif
