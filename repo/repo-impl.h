/* repo-int.h: private helpers shared by the files of repo/. */
#ifndef GILD_REPO_INT_H
#define GILD_REPO_INT_H

#include "repo.h"

struct archive;

/* Digests through OpenSSL's libcrypto: "SHA256", "SHA512", "BLAKE2B"
 * (BLAKE2b-512, as Gentoo Manifests use). */

/* For a compressed archive: hand the compressed output to fn as whole
 * buffers to keep (*buf, *cap, n bytes used), getting a spare buffer
 * back (stage_push_swap's contract), instead of calling the sink. */
typedef int (*tarw_swap_fn)(void *ud, char **buf, size_t *cap, size_t n,
			    struct gild_err *err);
void tarw_set_swap_sink(struct tarw *t, tarw_swap_fn fn);

/* Like tarw_open for an uncompressed archive, but every piece libarchive
 * produces goes to the sink at once (no 10240-byte records, no padding
 * at the end), so tarw_bytes_out tells where each member starts. */
int tarw_open_unblocked(struct tarw **out, const struct tarw_opts *opts,
			tarw_sink_fn sink, void *ud, struct gild_err *err);
/* Bytes of archive handed to the sink so far (before compression). */
uint64_t tarw_bytes_out(const struct tarw *t);
/* Add a regular file of size zero bytes (a stand-in for data that is
 * already in place in the output, see gpkg.c). */
int tarw_add_zeros(struct tarw *t, const char *path, uint64_t size,
		   struct gild_err *err);

/* Add a regular file of size bytes read from fd (mode 0644, root). */
int tarw_add_fd(struct tarw *t, const char *path, int fd, uint64_t size,
		struct gild_err *err);

/* An archive reader over an inner member of an outer archive (its data
 * stream), for metadata.tar.zst and image.tar.zst. */
struct archive *gpkg_inner_open(struct archive *outer, const char *name,
				struct gild_err *err);

/* Open a GPKG's outer tar for reading. */
struct archive *gpkg_outer_open(const char *path, struct gild_err *err);

/* The member name without its "<dir>/" prefix. */
const char *gpkg_member_base(const char *name);

/* Safety checks for extraction (0 or -GILD_E_INVALID naming name). */
int gpkg_check_member_path(const char *name, struct gild_err *err);
int gpkg_check_symlink(const char *name, const char *target,
		       struct gild_err *err);

/* A worker thread that calls fn on each pushed buffer, in order, then
 * once with (NULL, 0) at the end. fn's first error stops it and is
 * returned by the next stage_push or by stage_finish. */
typedef int (*stage_fn)(void *ud, const void *buf, size_t n,
			struct gild_err *err);
struct stage;
struct stage *stage_new(stage_fn fn, void *ud);
/* The same, NULL when no thread can be started (RLIMIT_NPROC, pids.max):
 * for a caller that can do the work itself. */
struct stage *stage_try_new(stage_fn fn, void *ud);
/* Copy buf into the queue (blocks while the queue is full). */
int stage_push(struct stage *s, const void *buf, size_t n,
	       struct gild_err *err);
/* Like stage_push, but hand over *buf (of *cap bytes, n used) and get a
 * spare buffer back in *buf and *cap (NULL and 0 at first). */
int stage_push_swap(struct stage *s, char **buf, size_t *cap, size_t n,
		    struct gild_err *err);
/* End the input, wait for the worker, free s; returns fn's result. */
int stage_finish(struct stage *s, struct gild_err *err);
/* Abort: drop queued input, wait for the worker, free s. */
void stage_free(struct stage *s);
GILD_DEFINE_CLEANUP(struct stage *, stage_free)

int gpkg_contents_format(const struct gpkg_contents *c, struct gild_buf *out);

#endif
