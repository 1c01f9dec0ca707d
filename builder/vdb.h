/* vdb.h: the installed-package database of a root, in Portage's layout
 * (the "vdb"): ROOT/var/db/pkg/<category>/<PF>/ holds one file per key,
 * the file's text its value (one trailing newline dropped), as Portage
 * writes it after merging a package:
 *   CATEGORY PF SLOT (SLOT or SLOT/SUBSLOT) EAPI
 *   IUSE     the flags, "+"/"-" defaults allowed
 *   USE      the enabled flags (flags outside IUSE are ignored)
 *   DEPEND RDEPEND BDEPEND PDEPEND IDEPEND   evaluated under that USE, a
 *            `:=` dependency recorded as `cat/pn:SLOT/SUBSLOT=` (PMS 8.3.3)
 *   BUILD_ID the gild build-id of the binary package it came from
 *   CONTENTS the binary package's CONTENTS list
 * A missing file is an empty value. gild image writes these (issue 7);
 * gild pretend --root reads them. */
#ifndef GILD_VDB_H
#define GILD_VDB_H

#include "base.h"

#include "../repo/repo.h"

struct vdb_pkg {
	char *category, *pf;
	char *dir;		/* "var/db/pkg/<category>/<PF>", for messages */
	struct gpkg_meta meta;	/* every key file read */
};

struct vdb {
	struct vdb_pkg *v;	/* sorted by category, then PF */
	size_t n, cap;
};

/* The keys vdb_write_pkg writes and vdb_read reads, in this order. */
extern const char *const vdb_keys[];

/* Read ROOT's database. A root without var/db/pkg has no packages.
 * Returns 0, or -errno when a directory cannot be read (err names it). */
int vdb_read(const char *root, struct vdb **out, struct gild_err *err);
void vdb_free(struct vdb *v);
GILD_DEFINE_CLEANUP(struct vdb *, vdb_free)

/* Record a package (the metadata of its binary package: CATEGORY and PF
 * required, else -GILD_E_NOTFOUND) as installed in root, each key file
 * written atomically. */
int vdb_write_pkg(const char *root, const struct gpkg_meta *meta,
		  struct gild_err *err);

#endif
