/* media-initramfs.c: the live ISO's initramfs, written by gild: a newc cpio
 * (the format the kernel unpacks, Documentation/driver-api/early-userspace/
 * buffer-format.rst) through libarchive, compressed with gzip without a
 * name or time in its header. Members sorted, owners 0, every time the
 * image's epoch, inode numbers in member order: the same inputs give the
 * same bytes (reproducible-builds.org: archives). */
#include "media-impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/sysmacros.h>

/* /init, builder/media/init.sh, and /bin/gild-install,
 * builder/media/gild-install.sh (media-embed.c). */
extern const char gild_iso_init_sh[];
extern const char gild_install_sh[];

/* One member; data is NULL for directories and devices. */
struct cpio_member {
	const char *name;
	unsigned mode; /* with the type bits */
	const void *data;
	size_t size;
	unsigned rdev_major, rdev_minor;
};

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

static int ar_fail(struct gild_err *err, struct archive *a, const char *out)
{
	return gild_fail(err, -EIO, NULL, "cannot write '%s': %s", out,
			 archive_error_string(a));
}

static int add_member(struct archive *a, const struct cpio_member *m,
		      int64_t ino, int64_t sde, const char *out,
		      struct gild_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	archive_entry_set_pathname(e, m->name);
	archive_entry_set_mode(e, m->mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, sde, 0);
	archive_entry_set_ino(e, ino);
	archive_entry_set_nlink(e, S_ISDIR(m->mode) ? 2 : 1);
	archive_entry_set_size(e, S_ISREG(m->mode) ? (la_int64_t)m->size : 0);
	if (S_ISCHR(m->mode))
		archive_entry_set_rdev(e,
				       makedev(m->rdev_major, m->rdev_minor));
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (S_ISREG(m->mode) && m->size &&
	     archive_write_data(a, m->data, m->size) != (la_ssize_t)m->size))
		r = ar_fail(err, a, out);
	archive_entry_free(e);
	return r;
}

static int open_cpio(struct archive **a, const char *out, struct gild_err *err)
{
	*a = archive_write_new();
	if (archive_write_set_format_cpio_newc(*a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(*a) != ARCHIVE_OK ||
	    /* gzip -n: no time in the header ("!timestamp") */
	    archive_write_set_filter_option(*a, "gzip", "timestamp", NULL) !=
		ARCHIVE_OK ||
	    archive_write_set_filter_option(*a, "gzip", "compression-level",
					    "9") != ARCHIVE_OK ||
	    archive_write_open_filename(*a, out) != ARCHIVE_OK)
		return ar_fail(err, *a, out);
	return 0;
}

/* The members, sorted by name (the order of the table). The mount points
 * are the ones init.sh uses; /dev/console is there so that /init has a
 * console before it mounts devtmpfs (the kernel opens it for init). */
static size_t initramfs_members(struct cpio_member *v, const char *busybox,
				size_t bsize, bool installer)
{
	static const char *const dirs[] = {"lower", "media", "newroot",
					   "proc",  "rw",    "sys"};
	size_t n = 0;

	v[n++] = (struct cpio_member){.name = "bin", .mode = S_IFDIR | 0755};
	v[n++] = (struct cpio_member){.name = "bin/busybox",
				      .mode = S_IFREG | 0755,
				      .data = busybox,
				      .size = bsize};
	if (installer)
		v[n++] = (struct cpio_member){.name = "bin/gild-install",
					      .mode = S_IFREG | 0755,
					      .data = gild_install_sh,
					      .size = strlen(gild_install_sh)};
	v[n++] = (struct cpio_member){.name = "dev", .mode = S_IFDIR | 0755};
	v[n++] = (struct cpio_member){.name = "dev/console",
				      .mode = S_IFCHR | 0600,
				      .rdev_major = 5,
				      .rdev_minor = 1};
	v[n++] = (struct cpio_member){.name = "init",
				      .mode = S_IFREG | 0755,
				      .data = gild_iso_init_sh,
				      .size = strlen(gild_iso_init_sh)};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		v[n++] = (struct cpio_member){.name = dirs[i],
					      .mode = S_IFDIR | 0755};
	return n;
}

int iso_write_initramfs(const char *busybox, bool installer, int64_t sde,
			const char *out, struct gild_err *err)
{
	__attribute__((cleanup(archive_freep))) struct archive *a = NULL;
	_cleanup_free_ char *data = NULL;
	struct cpio_member m[16];
	size_t len, n;
	int r;

	if ((r = gild_read_file(busybox, &data, &len, err)) < 0 ||
	    (r = open_cpio(&a, out, err)) < 0)
		return r;
	n = initramfs_members(m, data, len, installer);
	for (size_t i = 0; i < n; i++)
		if ((r = add_member(a, &m[i], (int64_t)i + 1, sde, out, err)) <
		    0)
			return r;
	if (archive_write_close(a) != ARCHIVE_OK)
		return ar_fail(err, a, out);
	return 0;
}
