/* repo.h: binary packages (GLEP 78 GPKG) and the binary repository.
 *
 * A GPKG is an uncompressed tar holding, in this order (GLEP 78,
 * "The container format"):
 *   <dir>/gpkg-1              empty format identifier
 *   <dir>/metadata.tar.zst    metadata/<KEY> files, metadata/<PF>.ebuild,
 *                             metadata/CONTENTS
 *   <dir>/image.tar.zst       image/<files as installed>
 *   <dir>/Manifest            "DATA name size BLAKE2B hex SHA512 hex" lines
 * where <dir> is "<PF>-<first 12 hex digits of BUILD_ID>". The data of
 * image.tar.zst starts at a multiple of 4096 in the file: metadata.tar.zst
 * ends with a zstd skippable frame (RFC 8878 3.1.2) of the length needed,
 * so the image can be written first and slid into place (gpkg.c).
 *
 * Archives are deterministic (reproducible-builds.org): members sorted by
 * path (per directory, like `tar --sort=name`), mtimes clamped to
 * SOURCE_DATE_EPOCH, owner root:0 unless asked to keep the image's owners,
 * no atime/ctime/xattrs, restricted pax (plain ustar headers unless a name
 * is too long), zstd at a fixed level, single-threaded.
 *
 * Device nodes, FIFOs and sockets in an image are refused: a build that
 * runs unprivileged cannot create them, and an image that needs /dev
 * nodes gets them when the image (not the package) is assembled.
 *
 * The binary repository is PKGDIR/<category>/<PF>-<buildid12>.gpkg.tar,
 * with the index PKGDIR/Packages (Portage's binhost format) and the
 * libsolv cache PKGDIR/Packages.solv.
 *
 * Every function returning int returns 0 or a negative code and fills err:
 *   -errno            a system call failed (err names the path)
 *   -GILD_E_SYNTAX    a package or index is malformed
 *   -GILD_E_MANIFEST  a checksum does not match (err names the member)
 *   -GILD_E_INVALID   unsafe or unsupported content (err names the path)
 *   -GILD_E_NOTFOUND  a required member or key is missing
 */
#ifndef GILD_REPO_H
#define GILD_REPO_H

#include "base/base.h"

/* zstd level of metadata.tar.zst and image.tar.zst (zstd's default). */
#define GPKG_ZSTD_LEVEL 3

/* ---- package metadata ---------------------------------------------------- */

struct gpkg_kv {
	char *key;
	char *value;
};

/* An ordered key/value list plus the recipe text; the builder fills it.
 * Keys are Portage's binpkg keys (CATEGORY, PF, SLOT, EAPI, IUSE, USE,
 * DEPEND, RDEPEND, PDEPEND, BDEPEND, IDEPEND, KEYWORDS, LICENSE, CFLAGS,
 * CXXFLAGS, LDFLAGS, CHOST, DESCRIPTION, BUILD_ID, STAGE, ...). gpkg_write
 * adds SIZE and CONTENTS itself. */
/* What a recipe asked for one path of its image (fowners, fperms) that
 * the build sandbox cannot do itself: the writer records it in the image
 * archive (owner by name and number) and in CONTENTS. */
struct gpkg_attr {
	const char *path; /* absolute in the image: "/usr/bin/su" */
	const char *user; /* NULL: keep the owner */
	unsigned uid;
	const char *group; /* NULL: keep the group */
	unsigned gid;
	int mode; /* permission bits with setuid/setgid/sticky, -1: keep */
};

struct gpkg_meta {
	struct gpkg_kv *kv;
	size_t n, cap;
	char *recipe;		   /* the recipe text, or NULL */
	int64_t source_date_epoch; /* mtimes are clamped to this (>= 0) */
	bool keep_owners;	   /* record the image's uid/gid, not root */
	const struct gpkg_attr *attrs; /* sorted by path (strcmp); borrowed */
	size_t n_attrs;
};

#define GPKG_META_INIT                                                         \
	{                                                                      \
		NULL, 0, 0, NULL, 0, false, NULL, 0                            \
	}

/* Set key to value (replacing an earlier value, keeping its position). */
void gpkg_meta_set(struct gpkg_meta *m, const char *key, const char *value);
/* The value of key, or NULL. */
const char *gpkg_meta_get(const struct gpkg_meta *m, const char *key);
void gpkg_meta_release(struct gpkg_meta *m);

/* gild's build-id of a package, under a key of its own: in Portage's
 * formats BUILD_ID is the instance number of binpkg-multi-instance (an
 * integer), which gild does not use (a number that depends on what else
 * a repository holds would change a package's bytes). Packages written
 * before carry the hash as BUILD_ID, still read. NULL when neither. */
#define GPKG_BUILD_ID_KEY "GILD_BUILD_ID"
const char *gpkg_build_id(const struct gpkg_meta *m);
static inline void gpkg_meta_releasep(struct gpkg_meta *m)
{
	gpkg_meta_release(m);
}

/* ---- CONTENTS ------------------------------------------------------------ */

/* One line per image entry, sorted as in the image archive:
 *   dir 0755 root:root - /usr/bin
 *   obj 4755 root:root <sha256> /usr/bin/su
 *   sym 0777 root:root - /usr/lib/libz.so -> libz.so.1
 * (type mode owner sha256 path[ -> target]). Hard links are "obj" lines
 * with the hash of the file they link to. */
enum gpkg_ftype { GPKG_DIR, GPKG_OBJ, GPKG_SYM };

struct gpkg_entry {
	enum gpkg_ftype type;
	unsigned mode;	 /* permission bits, including setuid/setgid/sticky */
	char *owner;	 /* "user:group" */
	char sha256[65]; /* hex, "" for dir and sym */
	char *path;	 /* absolute ("/usr/bin/su") */
	char *target;	 /* symlink target, or NULL */
};

struct gpkg_contents {
	struct gpkg_entry *e;
	size_t n, cap;
};

#define GPKG_CONTENTS_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Parse a CONTENTS text. -GILD_E_SYNTAX names the bad line. */
int gpkg_contents_parse(const char *text, struct gpkg_contents *out,
			struct gild_err *err);
/* The same for the CONTENTS of the package at pkg: the error located at
 * the package ("PKG: error: malformed CONTENTS line N"). */
int gpkg_contents_parse_pkg(const char *pkg, const char *text,
			    struct gpkg_contents *out, struct gild_err *err);
void gpkg_contents_release(struct gpkg_contents *c);
static inline void gpkg_contents_releasep(struct gpkg_contents *c)
{
	gpkg_contents_release(c);
}
const char *gpkg_ftype_name(enum gpkg_ftype t);

/* ---- GPKG files ---------------------------------------------------------- */

/* Package imagedir (the ${D} of a build) as out_path. The compressed
 * image is written once, straight into the package's temporary, and
 * FALLOC_FL_INSERT_RANGE puts the headers and metadata before it (where
 * the filesystem cannot, the package is copied into a second temporary:
 * same bytes). The file appears by rename only when complete; an flock on
 * ".<name>.lock" beside it keeps concurrent writers of the same package apart,
 * and temporaries left by a killed writer are removed under that lock.
 * -GILD_E_INVALID for device nodes, FIFOs, sockets or names with newlines in
 * the image. */
int gpkg_write(const struct gpkg_meta *meta, const char *imagedir,
	       const char *out_path, struct gild_err *err);

/* Read the metadata of a package (every metadata/<KEY> file, including
 * CONTENTS, in archive order; metadata/<PF>.ebuild as out->recipe). Does
 * not check the Manifest: use gpkg_verify for that. out must be
 * initialised (GPKG_META_INIT). */
int gpkg_read_meta(const char *path, struct gpkg_meta *out,
		   struct gild_err *err);

/* Check the Manifest against every member (GLEP 78: missing, extra,
 * duplicate or mismatched members are errors), then the CONTENTS list
 * against the image. -GILD_E_MANIFEST names the first problem found. */
int gpkg_verify(const char *path, struct gild_err *err);

/* Extract image/ into destdir after every check gpkg_verify makes
 * (Manifest, metadata, CONTENTS against the image) and the extraction's
 * own. Into an existing destdir, all checks come before anything is
 * written. A destdir that does not exist is extracted beside it in one
 * pass that makes every check as it reads (the package is read once) and
 * renamed into place when all passed, or removed. Refuses absolute member
 * names, ".." components, hard links outside the image and relative symlinks
 * that climb above destdir
 * (-GILD_E_INVALID naming the member), what verify refuses (its codes),
 * and a failed or short write (-errno naming the file). */
int gpkg_extract(const char *path, const char *destdir, struct gild_err *err);

/* Which entries of an image to write: path as CONTENTS has it, size of a
 * regular file. An entry left out is still verified. */
typedef bool (*gpkg_keep_fn)(void *ud, const char *path, enum gpkg_ftype type,
			     uint64_t size);

/* gpkg_extract into destdir, an existing directory that the caller throws
 * away when this fails (an image's staging root): in one pass, writing as
 * it verifies, with no temporary. keep (NULL: everything) chooses the
 * entries written. */
int gpkg_extract_scratch(const char *path, const char *destdir,
			 gpkg_keep_fn keep, void *ud, struct gild_err *err);

/* ---- deterministic tar (+zstd) writer (also for rootfs tarballs) ----------
 */

struct tarw;

/* Called with each chunk of output (after compression). Returns 0 or a
 * negative code after filling err. */
typedef int (*tarw_sink_fn)(void *ud, const void *buf, size_t n,
			    struct gild_err *err);

struct tarw_opts {
	int zstd_level;		   /* 0: no compression */
	int64_t source_date_epoch; /* clamp mtimes to this */
	bool keep_owners;	   /* false: every entry root:root 0:0 */
	const struct gpkg_attr
	    *attrs; /* per-path owner/mode, sorted; or NULL */
	size_t n_attrs;
	/* with keep_owners: the user (group when is_group) name of an id,
	 * or NULL for the number; without it, the host's names */
	const char *(*owner_name)(void *ud, bool is_group, unsigned id);
	void *owner_ud;
};

int tarw_open(struct tarw **out, const struct tarw_opts *opts,
	      tarw_sink_fn sink, void *ud, struct gild_err *err);
/* Add srcdir's tree under prefix ("image" gives "image/usr/..."; "" for
 * none). If contents is not NULL, append one entry per member to it. */
int tarw_add_tree(struct tarw *t, const char *srcdir, const char *prefix,
		  struct gpkg_contents *contents, struct gild_err *err);
/* Add a regular file with the given content (mode 0644, root). */
int tarw_add_mem(struct tarw *t, const char *path, const void *data, size_t n,
		 struct gild_err *err);
/* Add a directory entry (mode 0755, root). */
int tarw_add_dir(struct tarw *t, const char *path, struct gild_err *err);
/* Sum of regular file sizes added by tarw_add_tree (hard links once). */
uint64_t tarw_payload_size(const struct tarw *t);
/* Finish the archive and flush the sink; frees t in any case. */
int tarw_close(struct tarw *t, struct gild_err *err);
void tarw_free(struct tarw *t); /* abandon without finishing */
GILD_DEFINE_CLEANUP(struct tarw *, tarw_free)

/* ---- message digests (OpenSSL libcrypto) ---------------------------------
 * Names as Manifests and CONTENTS write them: "SHA256", "SHA512",
 * "BLAKE2B", and "MD5" (Portage's installed CONTENTS). */
struct gpkg_hash;
struct gpkg_hash *gpkg_hash_new(const char *name);
void gpkg_hash_update(struct gpkg_hash *h, const void *p, size_t n);
/* Finish and write lowercase hex (NUL-terminated) to out. */
void gpkg_hash_hex(struct gpkg_hash *h, char *out, size_t outsz);
void gpkg_hash_free(struct gpkg_hash *h);
GILD_DEFINE_CLEANUP(struct gpkg_hash *, gpkg_hash_free)
/* Whether gild computes the digest of that name. */
bool gpkg_hash_known(const char *name);
/* The digest of a buffer as hex into out (outsz >= 2 * digest size + 1). */
void gpkg_hash_mem(const char *name, const void *data, size_t n, char *out,
		   size_t outsz);
/* The digest of a whole file as hex into out (outsz >= 129); *size, when
 * not NULL, gets the file's length. -errno with err naming the path. */
int gpkg_hash_file(const char *name, const char *path, char *out, size_t outsz,
		   uint64_t *size, struct gild_err *err);

/* ---- the binary repository ------------------------------------------------
 */

struct binrepo_pkg {
	char *relpath; /* "<category>/<PF>-<buildid12>.gpkg.tar" */
	char *category;
	char *pf;
	char *build_id; /* full BUILD_ID from the metadata, or "" */
	uint64_t size;	/* of the file */
	int64_t mtime;
	long mtime_nsec;
	uint64_t ino; /* 0: not from a scan (the Packages index) */
	struct gpkg_meta meta;
	char *error; /* why the metadata could not be read, or NULL */
};

struct binrepo {
	char *pkgdir;
	struct binrepo_pkg *pkgs; /* sorted by relpath */
	size_t n, cap;
};

/* Scan pkgdir for <category>/<name>.gpkg.tar and read each package's
 * metadata. A package that cannot be read is listed with ->error set. A
 * missing pkgdir is an empty repository. */
int binrepo_open(const char *pkgdir, struct binrepo **out,
		 struct gild_err *err);
void binrepo_free(struct binrepo *r);
GILD_DEFINE_CLEANUP(struct binrepo *, binrepo_free)

/* The package with this full build-id, or NULL ("already built?"). */
const struct binrepo_pkg *binrepo_find_build_id(const struct binrepo *r,
						const char *build_id);

/* Without scanning the repository: is the package for meta (CATEGORY, PF,
 * BUILD_ID) at its path, with that full BUILD_ID? Returns 1 yes, 0 no
 * (absent, or the 12-digit prefix collides), or a negative code when the
 * meta lacks a key or the file there cannot be read. */
int binrepo_has(const char *pkgdir, const struct gpkg_meta *meta,
		struct gild_err *err);

/* "PKGDIR/<category>/<PF>-<buildid12>.gpkg.tar" for meta (CATEGORY, PF,
 * BUILD_ID required: -GILD_E_NOTFOUND names the missing key). */
int binrepo_pkg_path(const char *pkgdir, const struct gpkg_meta *meta,
		     char **out, struct gild_err *err);

/* Write meta + imagedir into the repository at binrepo_pkg_path. */
int binrepo_add(const char *pkgdir, const struct gpkg_meta *meta,
		const char *imagedir, struct gild_err *err);

/* Write PKGDIR/Packages and PKGDIR/Packages.solv atomically, under an
 * flock on PKGDIR/.gild.lock. Packages with ->error are left out. */
int binrepo_index_write(const struct binrepo *r, struct gild_err *err);

/* Scan PKGDIR again into *repo. When *repo held an earlier scan of it, a
 * package file that is still the same (inode, size, mtime) keeps its
 * metadata from there instead of being read again (a build adding one
 * package to thousands); the earlier scan is freed. */
int binrepo_rescan(const char *pkgdir, struct binrepo **repo,
		   struct gild_err *err);

/* Scan PKGDIR (binrepo_rescan) and write its index, both under the lock,
 * so that two writers adding packages at once both end up in the index (a
 * scan before the lock lost the other's package). Stale temporaries of
 * the index are removed on the way. */
int binrepo_reindex(const char *pkgdir, struct binrepo **repo,
		    struct gild_err *err);

/* Read PKGDIR/Packages instead of every package: each package's metadata
 * holds the index's keys (CATEGORY, PF, SLOT, USE, IUSE, the evaluated
 * *DEPEND, BUILD_ID, ...). Returns 0, -ENOENT (no index), -ESTALE (a
 * category directory is newer than the index), or -errno. */
int binrepo_index_read(const char *pkgdir, struct binrepo **out,
		       struct gild_err *err);
/* The index when it is there and current, else a scan of PKGDIR whose
 * index is written on the way (when PKGDIR can be written to). A missing
 * PKGDIR is an empty repository. */
int binrepo_load(const char *pkgdir, struct binrepo **out,
		 struct gild_err *err);

/* Split "foo-bar-1.2-r1" into PN "foo-bar" and PVR "1.2-r1" (PMS 3.2:
 * the version starts after the last '-' followed by a digit that is not
 * the revision). -GILD_E_SYNTAX when there is no version. */
int gpkg_split_pf(const char *pf, char **pn, char **pvr, struct gild_err *err);

#endif /* GILD_REPO_H */
