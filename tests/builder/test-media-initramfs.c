/* test-media-initramfs.c: the live ISO's initramfs is a gzip'd newc cpio
 * written reproducibly: sorted members, owners 0, every time the epoch,
 * no time in the gzip header, busybox and /init inside, a console node;
 * the same inputs give the same bytes. */
#include "media/media.h"
#include "tap.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define SDE 1700000000

static char tmpdir[64];

static const char *scratch(void)
{
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/gild-test-initramfs.XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	return tmpdir;
}

/* A stand-in for busybox: the writer copies whatever file it is given. */
static char *fake_busybox(void)
{
	char *p = gild_path_join(scratch(), "busybox");
	FILE *f = fopen(p, "w");

	if (!f || fputs("\177ELF not really busybox\n", f) < 0 || fclose(f))
		abort();
	return p;
}

static char *write_one(const char *name, bool installer)
{
	_cleanup_free_ char *bb = fake_busybox();
	char *out = gild_path_join(scratch(), name);
	struct gild_err err = {0};

	CHECK(iso_write_initramfs(bb, installer, SDE, out, &err) == 0);
	return out;
}

TEST(initramfs_is_the_same_bytes_twice)
{
	_cleanup_free_ char *a = write_one("a.img", false);
	_cleanup_free_ char *b = write_one("b.img", false);
	_cleanup_free_ char *da = NULL, *db = NULL;
	size_t la, lb;

	CHECK(gild_read_file(a, &da, &la, NULL) == 0);
	CHECK(gild_read_file(b, &db, &lb, NULL) == 0);
	CHECK(la == lb && la > 20 && !memcmp(da, db, la));
	/* gzip -n: the header's MTIME (bytes 4-7) is zero */
	CHECK((unsigned char)da[0] == 0x1f && (unsigned char)da[1] == 0x8b);
	CHECK(!da[4] && !da[5] && !da[6] && !da[7]);
}

TEST(initramfs_members_sorted_owned_by_root_at_the_epoch)
{
	static const char *const want[] = {
	    "bin",   "bin/busybox", "dev",  "dev/console", "init", "lower",
	    "media", "newroot",	    "proc", "rw",	   "sys"};
	_cleanup_free_ char *img = write_one("c.img", false);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t n = 0;
	char buf[64];

	archive_read_support_filter_gzip(a);
	archive_read_support_format_cpio(a);
	CHECK(archive_read_open_filename(a, img, 4096) == ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		CHECK(n < 11 && !strcmp(name, want[n]));
		CHECK(archive_entry_uid(e) == 0 && archive_entry_gid(e) == 0);
		CHECK(archive_entry_mtime(e) == SDE);
		if (!strcmp(name, "dev/console"))
			CHECK(S_ISCHR(archive_entry_mode(e)) &&
			      archive_entry_rdev(e) == makedev(5, 1));
		if (!strcmp(name, "init")) {
			la_ssize_t k = archive_read_data(a, buf, 17);
			CHECK(k == 17 && !memcmp(buf, "#!/bin/busybox sh", 17));
			CHECK((archive_entry_mode(e) & 0777) == 0755);
		}
		n++;
	}
	CHECK(archive_format(a) == ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);
	CHECK(n == 11);
	archive_read_free(a);
}

TEST(installer_initramfs_carries_gild_install)
{
	_cleanup_free_ char *img = write_one("e.img", true);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool found = false;
	char buf[64];

	archive_read_support_filter_gzip(a);
	archive_read_support_format_cpio(a);
	CHECK(archive_read_open_filename(a, img, 4096) == ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), "bin/gild-install"))
			continue;
		la_ssize_t k = archive_read_data(a, buf, 17);
		CHECK(k == 17 && !memcmp(buf, "#!/bin/busybox sh", 17));
		CHECK((archive_entry_mode(e) & 0777) == 0755);
		found = true;
	}
	CHECK(found);
	archive_read_free(a);
}

TEST(initramfs_missing_busybox_names_the_file)
{
	_cleanup_free_ char *out = gild_path_join(scratch(), "d.img");
	struct gild_err err = {0};

	CHECK(iso_write_initramfs("/nonexistent/busybox", false, SDE, out,
				  &err) < 0);
	CHECK(strstr(err.msg, "/nonexistent/busybox") != NULL);
}

TEST(cleanup)
{
	CHECK(gild_rm_rf(scratch(), NULL) == 0);
}
