/* metadata.h: a package's metadata.xml (Gentoo's format, GLEP 68).
 *
 * Read with libxml2 only when asked (gild info): the long description,
 * maintainers, upstream information and per-package USE flag
 * descriptions. Text is given with whitespace runs folded to one space;
 * inline markup such as <pkg> keeps its text.
 */
#ifndef GILD_METADATA_H
#define GILD_METADATA_H

#include "base.h"

struct metadata_maintainer {
	char *type; /* "person" or "project" ("" when not given) */
	char *email, *name, *description; /* NULL when not given */
};

struct metadata_remote_id {
	char *type, *id; /* e.g. "github", "madler/zlib" */
};

struct metadata_flag {
	char *name, *desc;
};

struct metadata {
	char *longdescription; /* the English one (or untagged); NULL if none */
	struct metadata_maintainer *maintainers;
	size_t n_maintainers;
	struct metadata_remote_id *remote_ids;
	size_t n_remote_ids;
	char *bugs_to, *doc, *changelog; /* upstream; NULL when not given */
	struct metadata_flag *flags;	 /* in file order */
	size_t n_flags;
};

/* Parse a metadata.xml held in memory; display names it in errors.
 * Returns 0, or -GILD_E_SYNTAX (malformed XML, err at the line; or the root
 * element is not <pkgmetadata>). */
int metadata_parse(const char *buf, size_t len, const char *display,
		   struct metadata **out, struct gild_err *err);

/* Read dirfd/path. A missing file is no error: *out is NULL. */
int metadata_load_at(int dirfd, const char *path, struct metadata **out,
		     struct gild_err *err);

void metadata_free(struct metadata *md);
GILD_DEFINE_CLEANUP(struct metadata *, metadata_free)

/* The description of a USE flag, or NULL. */
const char *metadata_flag_desc(const struct metadata *md, const char *flag);

#endif /* GILD_METADATA_H */
