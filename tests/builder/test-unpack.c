/* test-unpack.c: every supported archive format extracts; unsafe members
 * are refused with the archive and member named. Archives are written
 * with libarchive here, so no compressor tools are needed. */
#include "fetch/fetch.h"
#include "tap.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

static char tmpdir[64];

static const char *scratch(void)
{
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/gild-test-unpack.XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	return tmpdir;
}

struct member {
	const char *path;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR; 0 = hardlink */
	unsigned perm;
	const char *data; /* file content, or link target */
};

/* Write members as format/filter into a fresh file; returns its path. */
static char *make_archive(const char *name, int format, int filter,
			  const struct member *m, size_t n)
{
	char *path = gild_path_join(scratch(), name);
	struct archive *a = archive_write_new();

	archive_write_set_format(a, format);
	if (filter)
		archive_write_add_filter(a, filter);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].path);
		archive_entry_set_mtime(e, 1000000000, 0);
		if (m[i].type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, m[i].data);
		} else {
			archive_entry_set_filetype(e, m[i].type);
		}
		archive_entry_set_perm(e, m[i].perm ? m[i].perm : 0644);
		if (m[i].type == AE_IFLNK)
			archive_entry_set_symlink(e, m[i].data);
		if (m[i].type == AE_IFREG)
			archive_entry_set_size(e,
					       (la_int64_t)strlen(m[i].data));
		archive_write_header(a, e);
		if (m[i].type == AE_IFREG)
			archive_write_data(a, m[i].data, strlen(m[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

static char *fresh_dest(const char *name)
{
	char *d = gild_path_join(scratch(), name);

	if (mkdir(d, 0755) < 0 && errno != EEXIST)
		abort();
	return d;
}

static char *read_in(const char *dir, const char *rel)
{
	_cleanup_free_ char *p = gild_path_join(dir, rel);
	char *s = NULL;

	if (gild_read_file(p, &s, NULL, NULL) < 0)
		return xstrdup("(missing)");
	return s;
}

static const struct member tree[] = {
    {"pkg-1/", AE_IFDIR, 0755, NULL},
    {"pkg-1/configure", AE_IFREG, 0755, "#!/bin/sh\n"},
    {"pkg-1/src/main.c", AE_IFREG, 0644, "int main;\n"},
    {"pkg-1/link", AE_IFLNK, 0777, "src/main.c"},
    {"pkg-1/src/up", AE_IFLNK, 0777, "../configure"},
    {"pkg-1/hard", 0, 0644, "pkg-1/src/main.c"},
};

static const struct {
	const char *name;
	int format, filter;
} formats[] = {
    {"a.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 0},
    {"a.tar.gz", ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_GZIP},
    {"a.tar.bz2", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_BZIP2},
    {"a.tar.xz", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ},
    {"a.tar.zst", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_ZSTD},
    {"a.tar.lz", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_LZIP},
    {"a.zip", ARCHIVE_FORMAT_ZIP, 0},
};

TEST(unpack_file_extracts_every_supported_format)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(formats); i++) {
		_cleanup_free_ char *arc = make_archive(
		    formats[i].name, formats[i].format, formats[i].filter, tree,
		    GILD_ARRAY_SIZE(tree));
		_cleanup_free_ char *d = fresh_dest(formats[i].name + 1);
		_cleanup_free_ char *c1 = NULL, *c2 = NULL, *c3 = NULL;
		_cleanup_free_ char *cfg = gild_path_join(d, "pkg-1/configure");
		struct gild_err err = GILD_ERR_INIT;
		struct stat st;

		tap_note("%s", formats[i].name);
		CHECK_INTEQ(unpack_file(arc, d, &err), 0);
		CHECK_STREQ(err.msg, "");
		c1 = read_in(d, "pkg-1/link");
		c2 = read_in(d, "pkg-1/src/up");
		c3 = read_in(d, "pkg-1/hard");
		CHECK_STREQ(c1, "int main;\n");
		CHECK_STREQ(c2, "#!/bin/sh\n");
		/* zip has no hard links: libarchive writes them empty */
		if (formats[i].format != ARCHIVE_FORMAT_ZIP)
			CHECK_STREQ(c3, "int main;\n");
		CHECK(stat(cfg, &st) == 0 && (st.st_mode & 0777) == 0755);
		CHECK(st.st_mtime == 1000000000);
	}
}

static const struct {
	struct member m;
	const char *msg;
} evil[] = {
    {{"/etc/passwd", AE_IFREG, 0, "x"},
     "member '/etc/passwd' has an absolute path"},
    {{"a/../../x", AE_IFREG, 0, "x"},
     "member 'a/../../x' has a '..' component"},
    {{"a/..", AE_IFDIR, 0755, NULL}, "member 'a/../' has a '..' component"},
    {{"esc", AE_IFLNK, 0, "/etc"},
     "member 'esc' is a symlink to '/etc', outside the work directory"},
    {{"d/esc", AE_IFLNK, 0, "../.."},
     "member 'd/esc' is a symlink to '../..', outside the work directory"},
    {{"d/esc", AE_IFLNK, 0, "x/../../.."},
     "member 'd/esc' is a symlink to 'x/../../..', outside the work "
     "directory"},
    {{"h", 0, 0, "../outside"},
     "member 'h' is a hard link to outside the work directory"},
    {{"h", 0, 0, "/etc/shadow"},
     "member 'h' is a hard link to outside the work directory"},
    {{"dev", AE_IFCHR, 0, NULL}, "member 'dev' is a device node"},
};

TEST(unpack_file_refuses_members_that_leave_the_work_directory)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(evil); i++) {
		_cleanup_free_ char *arc =
		    make_archive("evil.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
				 0, &evil[i].m, 1);
		_cleanup_free_ char *d = fresh_dest("evil");
		_cleanup_free_ char *want =
		    xasprintf("'%s': %s", arc, evil[i].msg);
		struct gild_err err = GILD_ERR_INIT;

		CHECK_INTEQ(unpack_file(arc, d, &err), -GILD_E_INVALID);
		CHECK_STREQ(err.msg, want);
	}
}

TEST(unpack_rootfs_keeps_absolute_symlinks_and_skips_devices)
{
	static const struct member m[] = {
	    {"bin", AE_IFLNK, 0777, "usr/bin"},
	    {"etc/", AE_IFDIR, 0755, NULL},
	    {"etc/mtab", AE_IFLNK, 0777, "/proc/self/mounts"},
	    {"dev/", AE_IFDIR, 0755, NULL},
	    {"dev/null", AE_IFCHR, 0666, NULL},
	    {"etc/esc", AE_IFLNK, 0777, "../../.."},
	};
	_cleanup_free_ char *arc = make_archive(
	    "root.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 0, m, 6);
	_cleanup_free_ char *d = fresh_dest("root");
	_cleanup_free_ char *mtab = gild_path_join(d, "etc/mtab");
	_cleanup_free_ char *null = gild_path_join(d, "dev/null");
	struct gild_err err = GILD_ERR_INIT;
	char target[64] = "";
	struct stat st;

	CHECK_INTEQ(unpack_file_flags(arc, d, UNPACK_ROOTFS, &err), 0);
	CHECK_STREQ(err.msg, "");
	CHECK(readlink(mtab, target, sizeof(target) - 1) > 0);
	CHECK_STREQ(target, "/proc/self/mounts");
	CHECK(lstat(null, &st) < 0);
}

TEST(unpack_file_drops_setuid_and_keeps_other_modes)
{
	static const struct member m[] = {
	    {"suid", AE_IFREG, 06755, "x"},
	    {"sticky", AE_IFDIR, 01777, NULL},
	    {"ro", AE_IFREG, 0444, "y"},
	};
	_cleanup_free_ char *arc = make_archive(
	    "modes.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 0, m, 3);
	_cleanup_free_ char *d = fresh_dest("modes");
	_cleanup_free_ char *p1 = gild_path_join(d, "suid");
	_cleanup_free_ char *p2 = gild_path_join(d, "sticky");
	_cleanup_free_ char *p3 = gild_path_join(d, "ro");
	struct gild_err err = GILD_ERR_INIT;
	struct stat st;
	mode_t old = umask(022);

	CHECK_INTEQ(unpack_file(arc, d, &err), 0);
	umask(old);
	CHECK(stat(p1, &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(stat(p2, &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(stat(p3, &st) == 0 && (st.st_mode & 07777) == 0444);
}

TEST(unpack_symlink_is_safe_allows_only_leading_dotdot)
{
	static const struct {
		const char *member, *target;
		bool safe;
	} cases[] = {
	    {"a", "b", true},	       {"a/b", "../c", true},
	    {"a/b", "../../c", false}, {"a/b/c", "../../x/y", true},
	    {"a", "/etc", false},      {"a", "", false},
	    {"a/b", "x/../y", false},  {"./a/b", "./../c", true},
	    {"a", "..", false},	       {"a/b", "..", true},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(cases); i++) {
		tap_note("%s -> %s", cases[i].member, cases[i].target);
		CHECK(unpack_symlink_is_safe(cases[i].member,
					     cases[i].target) == cases[i].safe);
	}
}

TEST(unpack_file_reports_a_file_that_is_no_archive)
{
	_cleanup_free_ char *p = gild_path_join(scratch(), "not-an-archive");
	_cleanup_free_ char *d = fresh_dest("none");
	_cleanup_free_ char *want = NULL;
	struct gild_err err = GILD_ERR_INIT;
	FILE *f = fopen(p, "w");

	fputs("just text\n", f);
	fclose(f);
	CHECK_INTEQ(unpack_file(p, d, &err), -GILD_E_UNSUPPORTED);
	want = xasprintf("'%s': not an archive gild can unpack", p);
	CHECK(gild_startswith(err.msg, want));
}

__attribute__((destructor)) static void remove_scratch(void)
{
	if (tmpdir[0]) {
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cannot remove %s\n", tmpdir);
	}
}
