/* resolve-cache.h: the evaluated tree kept as a libsolv .solv file.
 *
 * Parsing 40,000 recipes and evaluating their USE and visibility takes
 * seconds; reading them back from a .solv file (repo_write/repo_add_solv,
 * the way zypper and dnf cache repositories) takes milliseconds. The file
 * is keyed by a fingerprint of every file under recipes/ and profiles/ and
 * of the configuration directory (path, size, mtime in nanoseconds,
 * inode), of the profile name and of the cache format, so any edit
 * rebuilds it: a stale cache never changes an answer (issue 3).
 */
#ifndef GILD_RESOLVE_CACHE_H
#define GILD_RESOLVE_CACHE_H

#include "resolve-input.h"

/* The fingerprint, as 16 hex digits in out. Returns 0 or -errno. */
int rcache_fingerprint(const char *tree, const char *confdir,
		       const char *profile, char out[17], struct gild_err *err);

/* Open the cache at path when its fingerprint is fp and add its versions
 * to in as stubs, loaded from the cache when first used (*out must then
 * outlive in's use). Returns 1 when it was used, 0 when it is missing,
 * stale or unreadable (never an error: the caller then loads the tree). */
struct rcache;
int rcache_open(const char *path, const char *fp, struct rs_input *in,
		struct rcache **out);
void rcache_free(struct rcache *c);

/* Write every version of in to path (atomically), under fp.
 * Returns 0 or a negative code. */
int rcache_save(const char *path, const char *fp, const struct rs_input *in,
		struct gild_err *err);

#endif
