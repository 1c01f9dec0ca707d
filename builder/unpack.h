/* unpack.h: extracting distfiles into a work directory with libarchive.
 *
 * Formats: tar (plain, gz, bz2, xz, zstd, lz, lzma), zip, and .deb (the
 * data.tar.* member of the ar archive is what gets extracted, as Portage's
 * unpacker does for .deb).  Extraction is refused, naming the archive and
 * the member, for: absolute paths, `..` components, symlinks whose target
 * leaves the destination directory, hard links to outside it, and device
 * nodes. setuid/setgid bits are dropped; other modes and mtimes are kept.
 * A member is never written through a symlink the archive created earlier
 * (ARCHIVE_EXTRACT_SECURE_SYMLINKS): `lib -> lib64` then `lib/x` fails,
 * where GNU tar would follow the link; source tarballs do not do that.
 * The destination is made canonical (realpath) first, so extraction needs
 * no chdir and threads may unpack side by side.
 */
#ifndef GILD_UNPACK_H
#define GILD_UNPACK_H

#include "base.h"

/* Extract the archive at path into destdir (which must exist).
 * Returns 0; -GILD_E_INVALID "'ARCHIVE': member 'M' ..." for a refused
 * member (members before it stay extracted); -GILD_E_UNSUPPORTED for a
 * file libarchive cannot read; -errno for local errors. */
int unpack_file(const char *path, const char *destdir, struct gild_err *err);

enum {
	/* A root filesystem (a stage tarball): symlink targets are not
	 * checked, since absolute and climbing links are normal there and
	 * are resolved inside the root when used (nothing is ever written
	 * through a symlink while extracting); device nodes are skipped. */
	UNPACK_ROOTFS = 1 << 0,
};

/* unpack_file with flags (UNPACK_*). */
int unpack_file_flags(const char *path, const char *destdir, unsigned flags,
		      struct gild_err *err);

/* Whether a symlink at member path `member` with target `target` stays
 * inside the extraction root (lexically, with `..` only allowed as leading
 * components of the target: see unpack.c). Exposed for the unit tests. */
bool unpack_symlink_is_safe(const char *member, const char *target);

#endif /* GILD_UNPACK_H */
