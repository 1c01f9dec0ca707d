/* manifest.h: per-package Manifest files (Gentoo's format, GLEP 74).
 *
 * One entry per line: `TYPE NAME SIZE HASHNAME HEX [HASHNAME HEX]...`,
 * TYPE one of DIST, EBUILD, AUX, MISC (DATA and MANIFEST are accepted too
 * and kept).  gild writes DIST lines with BLAKE2B and SHA512, the hashes
 * Gentoo's metadata/layout.conf `manifest-hashes` names; entries of other
 * types and hashes gild does not compute are kept as read.
 */
#ifndef GILD_MANIFEST_H
#define GILD_MANIFEST_H

#include "base.h"

struct manifest_hash {
	char *name; /* "BLAKE2B", "SHA512", ... */
	char *hex;  /* lowercase hex digest */
};

struct manifest_entry {
	char *type; /* "DIST", "EBUILD", "AUX", "MISC", ... */
	char *name;
	uint64_t size;
	struct manifest_hash *hashes;
	size_t nhashes;
	unsigned line; /* 1-based line in the file it came from, 0 if new */
};

struct manifest {
	char *path; /* as given to manifest_load, for messages */
	struct manifest_entry *v;
	size_t n, cap;
};

/* The digests gild computes for a file. */
struct manifest_digest {
	uint64_t size;
	char blake2b[129]; /* BLAKE2B-512, hex */
	char sha512[129];
};

/* Parse Manifest text; path names the file in error locations.
 * Returns 0, or -GILD_E_SYNTAX with err at path:line (bad type, size,
 * odd hash list, duplicate entry). */
int manifest_parse(const char *path, const char *text, size_t len,
		   struct manifest **out, struct gild_err *err);

/* Read and parse path. A missing file gives an empty manifest when
 * missing_ok, else -ENOENT. */
int manifest_load(const char *path, bool missing_ok, struct manifest **out,
		  struct gild_err *err);

void manifest_free(struct manifest *m);
GILD_DEFINE_CLEANUP(struct manifest *, manifest_free)

/* The entry of that type and name, or NULL. */
const struct manifest_entry *manifest_find(const struct manifest *m,
					   const char *type, const char *name);

/* Add or replace the DIST entry for name with d's size and hashes. */
void manifest_set_dist(struct manifest *m, const char *name,
		       const struct manifest_digest *d);

/* Drop the entry of that type and name; false when there was none. */
bool manifest_remove(struct manifest *m, const char *type, const char *name);

/* Write m to path atomically, entries sorted by type then name (the order
 * Portage's `ebuild manifest` writes). */
int manifest_write(const struct manifest *m, const char *path,
		   struct gild_err *err);

/* Size, BLAKE2B-512 and SHA512 of a file, in one read (OpenSSL EVP). */
int manifest_digest_file(const char *path, struct manifest_digest *d,
			 struct gild_err *err);

/* Check the file at path against the DIST entry for name.
 * Returns 0 when size and every known hash match;
 * -GILD_E_NOTFOUND "no DIST entry for 'NAME'" located at the Manifest;
 * -GILD_E_MANIFEST "size mismatch for 'NAME': expected N, got M" or
 * "BLAKE2B mismatch for 'NAME': expected HEX, got HEX", located at the
 * Manifest line; -errno when the file cannot be read. */
int manifest_verify_file(const struct manifest *m, const char *name,
			 const char *path, struct gild_err *err);

/* Move a bad distfile out of the way: DISTDIR/.bad/NAME.N with the first
 * free N from 1, so it is never used again but stays for inspection.
 * *moved_to (may be NULL) receives the new path. */
int manifest_move_aside(const char *distdir, const char *path,
			const char *name, char **moved_to,
			struct gild_err *err);

#endif /* GILD_MANIFEST_H */
