/* unpack.c: safe extraction with libarchive (see unpack.h). */
#include "fetch/fetch.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

/* Besides our own checks, let libarchive refuse the same things at write
 * time: paths through symlinks, `..`, absolute paths. */
#define EXTRACT_FLAGS                                                          \
	(ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |                         \
	 ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |   \
	 ARCHIVE_EXTRACT_UNLINK)

/* One extraction: members are written under dest, a path without
 * symlinks (realpath), so that SECURE_SYMLINKS can check every component
 * and no chdir is needed (threads may unpack side by side). */
struct unpack_job {
	const char *archive; /* as given, for messages */
	const char *dest;    /* realpath of the destination */
	unsigned flags;
};

static void read_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static void write_freep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

/* Whether a path has a `..` component. */
static bool has_dotdot(const char *p)
{
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return true;
		s += n;
		while (*s == '/')
			s++;
	}
	return false;
}

/* Depth of the directory holding member (real directories only, since
 * SECURE_SYMLINKS refuses extracting through a symlink). */
static int parent_depth(const char *member)
{
	int depth = 0;

	for (const char *s = member; *s;) {
		size_t n = strcspn(s, "/");
		bool last = s[n] == '\0' || s[n + strspn(s + n, "/")] == '\0';
		if (!last && !(n == 1 && s[0] == '.'))
			depth++;
		s += n;
		while (*s == '/')
			s++;
	}
	return depth;
}

/* A target may climb with leading `..` as far as the member's own depth,
 * then only descend. A `..` after a name is refused: the name could be a
 * symlink itself, and then `name/..` is not where it seems (lexical
 * resolution would let `a -> x/..` chains escape). */
bool unpack_symlink_is_safe(const char *member, const char *target)
{
	int depth = parent_depth(member);
	bool descended = false;

	if (target[0] == '/' || !target[0])
		return false;
	for (const char *s = target; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (descended || --depth < 0)
				return false;
		} else if (n && !(n == 1 && s[0] == '.')) {
			descended = true;
		}
		s += n;
		while (*s == '/')
			s++;
	}
	return true;
}

static int refuse(struct gild_err *err, const char *archive, const char *member,
		  const char *why)
{
	return gild_fail(err, -GILD_E_INVALID, NULL, "'%s': member '%s' %s",
			 archive, member, why);
}

static int check_entry(struct archive_entry *e, const char *archive,
		       unsigned flags, struct gild_err *err)
{
	const char *p = archive_entry_pathname(e);
	const char *sl = archive_entry_symlink(e);
	const char *hl = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);

	if (!p || !*p)
		return refuse(err, archive, "", "has no name");
	if (p[0] == '/')
		return refuse(err, archive, p, "has an absolute path");
	if (has_dotdot(p))
		return refuse(err, archive, p, "has a '..' component");
	if ((type == AE_IFCHR || type == AE_IFBLK) && (flags & UNPACK_ROOTFS))
		return 1; /* skipped: only the kernel's devtmpfs makes them */
	if (type == AE_IFCHR || type == AE_IFBLK)
		return refuse(err, archive, p, "is a device node");
	if (hl && (hl[0] == '/' || has_dotdot(hl)))
		return refuse(err, archive, p,
			      "is a hard link to outside the work directory");
	if (type == AE_IFLNK && sl && !(flags & UNPACK_ROOTFS) &&
	    !unpack_symlink_is_safe(p, sl)) {
		char why[512];
		snprintf(why, sizeof(why),
			 "is a symlink to '%s', outside the work directory",
			 sl);
		return refuse(err, archive, p, why);
	}
	/* no setuid/setgid from a distfile */
	archive_entry_set_perm(e, archive_entry_perm(e) & 01777);
	return 0;
}

/* A write that failed: the work directory's problem (a full disk: exit 1
 * with errno's text), not the archive's. libarchive reports a failed or
 * short write(2) as ARCHIVE_WARN "Write failed", without errno's text. */
static int fail_write(struct archive *out, const char *archive,
		      const char *what, const char *member,
		      struct gild_err *err)
{
	int e = archive_errno(out);

	if (e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS ||
	    e == EACCES || e == EMFILE || e == ENFILE || e == ENOMEM)
		return gild_fail(err, -e, NULL, "'%s': cannot %s '%s': %s",
				 archive, what, member, strerror(e));
	return gild_fail(err, -GILD_E_INVALID, NULL, "'%s': cannot %s '%s': %s",
			 archive, what, member, archive_error_string(out));
}

static int copy_data(struct archive *in, struct archive *out,
		     const char *archive, const char *member,
		     struct gild_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &off)) ==
	       ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, off) < ARCHIVE_OK)
			return fail_write(out, archive, "write", member, err);
	if (r != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s': cannot read '%s': %s", archive, member,
				 archive_error_string(in));
	return 0;
}

/* Member names were checked to be relative and without `..`: put them
 * under the destination. */
static void place_under_dest(struct archive_entry *e, const char *dest)
{
	_cleanup_free_ char *p =
	    gild_path_join(dest, archive_entry_pathname(e));
	const char *hl = archive_entry_hardlink(e);

	archive_entry_copy_pathname(e, p);
	if (hl) {
		_cleanup_free_ char *h = gild_path_join(dest, hl);
		archive_entry_copy_hardlink(e, h);
	}
}

static int extract_entry(struct archive *in, struct archive *out,
			 struct archive_entry *e, const struct unpack_job *job,
			 struct gild_err *err)
{
	_cleanup_free_ char *member = xstrdup(archive_entry_pathname(e) ?: "");
	const char *archive = job->archive;
	int r;

	if ((r = check_entry(e, archive, job->flags, err)) != 0)
		return r < 0 ? r : 0;
	place_under_dest(e, job->dest);
	if (archive_write_header(out, e) < ARCHIVE_OK)
		return fail_write(out, archive, "extract", member, err);
	if (archive_entry_size(e) > 0 &&
	    (r = copy_data(in, out, archive, member, err)) < 0)
		return r;
	if (archive_write_finish_entry(out) < ARCHIVE_OK)
		return fail_write(out, archive, "finish", member, err);
	return 0;
}

static int extract_all(struct archive *in, const struct unpack_job *job,
		       struct gild_err *err)
{
	_cleanup_(write_freep) struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	int r;

	archive_write_disk_set_options(out, EXTRACT_FLAGS);
	/* numeric owners are never applied (no ARCHIVE_EXTRACT_OWNER) */
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN)
		if ((r = extract_entry(in, out, e, job, err)) < 0)
			return r;
	if (r != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_INVALID, NULL, "'%s': %s",
				 job->archive, archive_error_string(in));
	if (archive_write_close(out) < ARCHIVE_OK)
		return gild_fail(err, -GILD_E_INVALID, NULL, "'%s': %s",
				 job->archive, archive_error_string(out));
	return 0;
}

static struct archive *new_reader(bool raw_ok)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_cpio(a);
	if (raw_ok)
		archive_read_support_format_raw(a);
	return a;
}

/* ---- .deb: extract the data.tar.* member of the ar archive ------------- */

struct member_src {
	struct archive *outer;
	char block[65536];
};

static la_ssize_t member_read(struct archive *a, void *ud, const void **buf)
{
	struct member_src *m = ud;

	(void)a;
	*buf = m->block;
	return archive_read_data(m->outer, m->block, sizeof(m->block));
}

static int extract_deb(struct archive *ar, const struct unpack_job *job,
		       struct gild_err *err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		/* src outlives in: cleanups run in reverse order */
		_cleanup_free_ struct member_src *src = NULL;
		_cleanup_(read_freep) struct archive *in = NULL;
		if (!gild_startswith(archive_entry_pathname(e), "data.tar"))
			continue;
		in = new_reader(false);
		src = xmalloc(sizeof(*src));
		src->outer = ar;
		if (archive_read_open(in, src, NULL, member_read, NULL) !=
		    ARCHIVE_OK)
			return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
					 "'%s': cannot read '%s': %s",
					 job->archive,
					 archive_entry_pathname(e),
					 archive_error_string(in));
		return extract_all(in, job, err);
	}
	return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
			 "'%s': no data.tar member in this .deb", job->archive);
}

static int open_reader(struct archive *a, const char *abs, const char *path,
		       struct gild_err *err)
{
	if (archive_read_open_filename(a, abs, 65536) == ARCHIVE_OK)
		return 0;
	if (archive_errno(a) > 0 && access(abs, R_OK) < 0)
		return gild_fail_errno(err, path, "cannot open");
	return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
			 "'%s': not an archive gild can unpack: %s", path,
			 archive_error_string(a));
}

int unpack_file(const char *path, const char *destdir, struct gild_err *err)
{
	return unpack_file_flags(path, destdir, 0, err);
}

int unpack_file_flags(const char *path, const char *destdir, unsigned flags,
		      struct gild_err *err)
{
	_cleanup_(read_freep) struct archive *a = new_reader(false);
	_cleanup_free_ char *abs = realpath(path, NULL);
	_cleanup_free_ char *dest = realpath(destdir, NULL);
	struct unpack_job job = {path, dest, flags};
	int r;

	if (!abs)
		return gild_fail_errno(err, path, "cannot open");
	if (!dest)
		return gild_fail_errno(err, destdir, "cannot use");
	if ((r = open_reader(a, abs, path, err)) < 0)
		return r;
	if (gild_endswith(path, ".deb"))
		return extract_deb(a, &job, err);
	return extract_all(a, &job, err);
}
