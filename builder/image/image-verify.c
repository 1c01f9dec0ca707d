/* image-verify.c: two builds of one image compared output by output
 * (`gild image --verify-reproducible`). A difference is named as exactly
 * as the format allows: the line of a text file, the member of the tar,
 * else the first differing offset; with diffoscope installed, the command
 * that shows the rest. */
#include "image-impl.h"

#include <archive.h>
#include <archive_entry.h>

static int first_difference(const char *a, size_t na, const char *b, size_t nb,
			    size_t *off)
{
	size_t n = na < nb ? na : nb, i = 0;

	while (i < n && a[i] == b[i])
		i++;
	*off = i;
	return i == n && na == nb ? 0 : 1;
}

/* The line of a text output where the two differ. */
static void text_hint(const char *a, size_t off, struct gild_buf *hint)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		line += a[i] == '\n';
	gild_buf_printf(hint, ", line %u", line);
}

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static struct archive *open_tar(const char *path)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static bool same_entry(struct archive *x, struct archive_entry *ex,
		       struct archive *y, struct archive_entry *ey)
{
	char bx[65536], by[65536];
	la_ssize_t nx, ny;

	if (strcmp(archive_entry_pathname(ex), archive_entry_pathname(ey)) ||
	    archive_entry_mode(ex) != archive_entry_mode(ey) ||
	    archive_entry_uid(ex) != archive_entry_uid(ey) ||
	    archive_entry_gid(ex) != archive_entry_gid(ey) ||
	    archive_entry_mtime(ex) != archive_entry_mtime(ey) ||
	    archive_entry_size(ex) != archive_entry_size(ey))
		return false;
	do {
		nx = archive_read_data(x, bx, sizeof(bx));
		ny = archive_read_data(y, by, sizeof(by));
		if (nx != ny || (nx > 0 && memcmp(bx, by, (size_t)nx)))
			return false;
	} while (nx > 0);
	return true;
}

/* The first member of two rootfs tarballs that differs. */
static void tar_hint(const char *pa, const char *pb, struct gild_buf *hint)
{
	_cleanup_(archive_freep) struct archive *x = open_tar(pa);
	_cleanup_(archive_freep) struct archive *y = open_tar(pb);
	struct archive_entry *ex, *ey;

	while (x && y) {
		int rx = archive_read_next_header(x, &ex);
		int ry = archive_read_next_header(y, &ey);
		if (rx != ARCHIVE_OK || ry != ARCHIVE_OK)
			return;
		if (!same_entry(x, ex, y, ey)) {
			gild_buf_printf(hint, ", file '/%s'",
					archive_entry_pathname(ex));
			return;
		}
	}
}

static int compare_one(const char *a, const char *b, const char *name,
		       struct gild_err *err)
{
	_cleanup_free_ char *pa = gild_path_join(a, name);
	_cleanup_free_ char *pb = gild_path_join(b, name);
	_cleanup_free_ char *da = NULL, *db = NULL;
	_cleanup_(gild_buf_releasep) struct gild_buf hint = GILD_BUF_INIT;
	size_t na, nb, off;
	int r;

	if ((r = gild_read_file(pa, &da, &na, err)) < 0 ||
	    (r = gild_read_file(pb, &db, &nb, err)) < 0)
		return r;
	if (!first_difference(da, na, db, nb, &off))
		return 0;
	if (gild_endswith(name, ".txt") || gild_endswith(name, ".json") ||
	    gild_endswith(name, ".xml"))
		text_hint(da, off, &hint);
	else if (gild_endswith(name, ".tar.zst"))
		tar_hint(pa, pb, &hint);
	if (image_have_tool("diffoscope"))
		gild_buf_printf(&hint, "; see 'diffoscope %s %s'", pa, pb);
	return gild_fail(err, -GILD_E_INVALID, NULL,
			 "not reproducible: '%s' differs from its second "
			 "build at byte %zu (sizes %zu and %zu)%s",
			 name, off, na, nb, gild_buf_str(&hint));
}

int image_compare_outputs(const char *a, const char *b,
			  const struct image_result *first,
			  struct gild_err *err)
{
	static const char *const reports[] = {"manifest.txt", "hardening.txt",
					      "sbom.cdx.xml", "image.json"};
	int r;

	for (size_t i = 0; i < first->nout; i++)
		if (!first->out[i].skipped &&
		    (r = compare_one(a, b, first->out[i].name, err)) < 0)
			return r;
	for (size_t i = 0; i < sizeof(reports) / sizeof(*reports); i++)
		if ((r = compare_one(a, b, reports[i], err)) < 0)
			return r;
	return 0;
}
