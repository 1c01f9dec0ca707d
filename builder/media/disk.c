/* disk.c: gild disk, a role's GPT disk image for VMs and clouds (the flow
 * is in media.h). The layout, in sectors of 512 bytes, 1 MiB aligned:
 *
 *   0         protective MBR holding GRUB's boot.img (BIOS)
 *   1-33      the GPT
 *   1 MiB     "BIOS boot" partition: GRUB's core.img          1 MiB
 *   2 MiB     EFI System Partition: BOOTX64.EFI, the kernel,  >= 16 MiB
 *             boot/grub/gild.cfg (FAT, made with mtools)
 *   ...       root: the image's rootfs.ext4 (or .erofs), of   the rest
 *             the type "Linux root (x86-64)" of the
 *             Discoverable Partitions Specification
 *   last MiB  the backup GPT
 *
 * The kernel mounts the root itself (root=PARTUUID=...): no initramfs.
 * The GPT, partition and file system identifiers all come from the
 * image-id, so two runs give the same bytes. */
#include "media-impl.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB_SECTORS 2048ULL /* sectors of 512 bytes in a MiB */
#define ESP_MIN (16ULL << 20)
/* GPT partition types (UEFI 2.x 5.3.3; the Discoverable Partitions
 * Specification for the root) */
#define TYPE_BIOS_BOOT "21686148-6E6F-744E-6564-656666696749"
#define TYPE_ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define TYPE_ROOT_X86_64 "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"

/* Where each partition goes. */
struct disk_layout {
	uint64_t bios_start, bios_len; /* sectors */
	uint64_t esp_start, esp_len;
	uint64_t root_start, root_len;
	uint64_t total;		 /* sectors of the disk */
	char guid[37];		 /* the disk's */
	char uuid[3][37];	 /* the partitions' */
	const char *root_fstype; /* "ext4", "erofs" */
	char *root;		 /* the root file system's image */
};

static const char *const disk_tools[][2] = {{"mformat", "mtools"},
					    {"mmd", "mtools"},
					    {"mcopy", "mtools"},
					    {"sfdisk", "fdisk"}};

static uint64_t mib_up(uint64_t bytes)
{
	return (bytes + (1ULL << 20) - 1) / (1ULL << 20) * MIB_SECTORS;
}

/* ---- the ESP and GRUB's configuration --------------------------------- */

static int write_boot_files(struct media *m, struct disk_layout *l,
			    struct gild_err *err)
{
	_cleanup_free_ char *args = xasprintf(
	    "root=PARTUUID=%s rootfstype=%s %s rootwait %s", l->uuid[2],
	    l->root_fstype, strcmp(l->root_fstype, "erofs") ? "rw" : "ro",
	    m->cmdline);
	int r;

	if ((r = media_write_grubcfg(m, "disk", MEDIA_KERNEL, args, NULL,
				     err)) < 0)
		return r;
	const struct esp_file files[] = {{m->efi, "EFI/BOOT/BOOTX64.EFI"},
					 {m->kernel, MEDIA_KERNEL},
					 {m->grubcfg, MEDIA_GRUBCFG}};
	return media_write_esp(m, "disk-esp.img", files, 3, ESP_MIN, err);
}

/* ---- the layout ------------------------------------------------------- */

/* The root file system: the image's, grown to fill a disk of size bytes
 * when one is asked for (ext4 only: erofs is read-only and fixed). */
static int root_image(struct media *m, struct disk_layout *l, uint64_t size,
		      struct gild_err *err)
{
	uint64_t fixed = l->root_start + MIB_SECTORS;
	uint64_t want;

	l->root = gild_path_join(m->img.outdir, m->rootfs);
	l->root_len = mib_up(media_file_size(l->root));
	if (!size)
		return 0;
	want = size / 512 / MIB_SECTORS * MIB_SECTORS;
	if (want < fixed + l->root_len)
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "--size %llu MiB is too small: the disk "
		    "needs %llu MiB",
		    (unsigned long long)(size >> 20),
		    (unsigned long long)((fixed + l->root_len) / MIB_SECTORS));
	if (want != fixed + l->root_len && strcmp(l->root_fstype, "ext4") != 0)
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "--size: the disk's root is %s, which "
		    "cannot grow (it needs %llu MiB)",
		    l->root_fstype,
		    (unsigned long long)((fixed + l->root_len) / MIB_SECTORS));
	if (want == fixed + l->root_len)
		return 0;
	l->root_len = want - fixed;
	return 0;
}

/* The root file system grown to its partition, in the work directory
 * (resize2fs writes no time but E2FSPROGS_FAKE_TIME). */
static int grow_root(struct media *m, struct disk_layout *l,
		     struct gild_err *err)
{
	_cleanup_free_ char *copy = gild_path_join(m->workdir, "root.img");
	_cleanup_free_ char *log = media_log(m, "resize2fs");
	_cleanup_free_ char *fake = image_e2fs_fake_time(m->sde);
	/* e2fsck has a clock of its own ("Last checked") */
	_cleanup_free_ char *fsck_time =
	    xasprintf("E2FSCK_TIME=%lld", (long long)m->sde);
	_cleanup_free_ char *size =
	    xasprintf("%lluK", (unsigned long long)(l->root_len * 512 / 1024));
	const char *env[] = {fake, fsck_time, NULL};
	const char *cp[] = {"cp", "--sparse=always", l->root, copy, NULL};
	const char *fsck[] = {"e2fsck", "-fy", copy, NULL};
	const char *rs[] = {"resize2fs", copy, size, NULL};
	int r;

	if (mib_up(media_file_size(l->root)) == l->root_len)
		return 0;
	if ((r = image_run_tool(cp, NULL, "coreutils", log, err)) < 0 ||
	    (r = image_run_tool(fsck, env, "e2fsprogs", log, err)) < 0 ||
	    (r = image_run_tool(rs, env, "e2fsprogs", log, err)) < 0)
		return r;
	free(l->root);
	l->root = xstrdup(copy);
	return 0;
}

static int plan_layout(struct media *m, struct disk_layout *l, uint64_t size,
		       struct gild_err *err)
{
	int r;

	l->bios_start = MIB_SECTORS;
	l->bios_len = MIB_SECTORS;
	l->esp_start = l->bios_start + l->bios_len;
	l->esp_len = mib_up(media_file_size(m->esp));
	l->root_start = l->esp_start + l->esp_len;
	if ((r = root_image(m, l, size, err)) < 0)
		return r;
	l->total = l->root_start + l->root_len + MIB_SECTORS;
	return 0;
}

/* ---- the disk --------------------------------------------------------- */

/* sfdisk's script of the layout (sfdisk(8), "Input format"). */
static int write_sfdisk_script(const struct media *m,
			       const struct disk_layout *l, const char *path,
			       struct gild_err *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");

	if (!f)
		return gild_fail_errno(err, path, "cannot create");
	fprintf(f,
		"label: gpt\nlabel-id: %s\nunit: sectors\nfirst-lba: 34\n"
		"start=%llu, size=%llu, type=%s, uuid=%s, name=\"BIOS boot\"\n"
		"start=%llu, size=%llu, type=%s, uuid=%s, name=\"ESP\"\n"
		"start=%llu, size=%llu, type=%s, uuid=%s, name=\"%s\"\n",
		l->guid, (unsigned long long)l->bios_start,
		(unsigned long long)l->bios_len, TYPE_BIOS_BOOT, l->uuid[0],
		(unsigned long long)l->esp_start,
		(unsigned long long)l->esp_len, TYPE_ESP, l->uuid[1],
		(unsigned long long)l->root_start,
		(unsigned long long)l->root_len, TYPE_ROOT_X86_64, l->uuid[2],
		m->img.role);
	if (fflush(f) != 0 || ferror(f))
		return gild_fail_errno(err, path, "cannot write");
	return 0;
}

/* Copy the file from to the disk at sector start, leaving holes where
 * from has them (an ext4 image is mostly empty). */
static int copy_into(int fd, const char *disk, const char *from, uint64_t start,
		     struct gild_err *err)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	off_t pos = 0, end;

	if (in < 0)
		return gild_fail_errno(err, from, "cannot open");
	end = lseek(in, 0, SEEK_END);
	while (pos < end) {
		off_t data = lseek(in, pos, SEEK_DATA), hole;
		if (data < 0)
			break; /* only a hole is left */
		hole = lseek(in, data, SEEK_HOLE);
		while (data < hole) {
			loff_t src = data, dst = (loff_t)(start * 512) + data;
			ssize_t n = copy_file_range(in, &src, fd, &dst,
						    (size_t)(hole - data), 0);
			if (n <= 0)
				return gild_fail_errno(
				    err, disk, "cannot copy '%s' into", from);
			data += n;
		}
		pos = hole;
	}
	return 0;
}

static int write_raw(struct media *m, const char *tmp, void *ud,
		     struct gild_err *err)
{
	struct disk_layout *l = ud;
	_cleanup_free_ char *script = gild_path_join(m->workdir, "gpt.sfdisk");
	_cleanup_free_ char *log = media_log(m, "sfdisk");
	_cleanup_close_ int fd = -1;
	const char *sfdisk[] = {"sfdisk", "--no-reread", "--no-tell-kernel",
				"-q",	  tmp,		 NULL};
	int r;

	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return gild_fail_errno(err, tmp, "cannot create");
	if (ftruncate(fd, (off_t)(l->total * 512)) < 0)
		return gild_fail_errno(err, tmp, "cannot size");
	if ((r = write_sfdisk_script(m, l, script, err)) < 0 ||
	    (r = image_run_tool_input(sfdisk, NULL, script, "fdisk", log,
				      err)) < 0 ||
	    (r = media_grub_bios_setup(fd, tmp, m->bootimg, m->coreimg,
				       l->bios_start, l->bios_len, err)) < 0 ||
	    (r = copy_into(fd, tmp, m->esp, l->esp_start, err)) < 0 ||
	    (r = copy_into(fd, tmp, l->root, l->root_start, err)) < 0)
		return r;
	if (fsync(fd) < 0)
		return gild_fail_errno(err, tmp, "cannot write");
	return 0;
}

static void layout_release(struct disk_layout *l)
{
	free(l->root);
}

int disk_write_raw(struct media *m, const char *out, uint64_t size,
		   struct media_result *res, struct gild_err *err)
{
	__attribute__((cleanup(layout_release))) struct disk_layout l = {0};
	int r;

	l.root_fstype = strchr(m->rootfs, '.') + 1;
	media_uuid(m, 5, l.guid);
	for (int i = 0; i < 3; i++)
		media_uuid(m, 6 + i, l.uuid[i]);
	if ((r = write_boot_files(m, &l, err)) < 0 ||
	    (r = plan_layout(m, &l, size, err)) < 0 ||
	    (r = grow_root(m, &l, err)) < 0 ||
	    (r = media_write_file(m, out, write_raw, &l, err)) < 0)
		return r;
	if (res) {
		const struct media_part parts[] = {
		    {"core.img (BIOS boot)", media_file_size(m->coreimg)},
		    {"esp (GRUB, kernel)", l.esp_len * 512},
		    {"kernel", media_file_size(m->kernel)},
		    {m->rootfs, l.root_len * 512}};
		memcpy(res->parts, parts, sizeof(parts));
		res->nparts = 4;
		res->label = xstrdup(l.guid);
	}
	return 0;
}

/* ---- gild disk -------------------------------------------------------- */

static int write_qcow2(struct media *m, const char *tmp, void *ud,
		       struct gild_err *err)
{
	_cleanup_free_ char *log = media_log(m, "qemu-img");
	const char *argv[] = {"qemu-img", "convert", "-f", "raw", "-O",
			      "qcow2",	  ud,	     tmp,  NULL};

	return image_run_tool(argv, NULL, "qemu-utils", log, err);
}

static int disk_assemble(struct media *m, const void *opts, const char *dir,
			 struct media_result *res, struct gild_err *err)
{
	const struct disk_opts *o = opts;
	_cleanup_free_ char *raw = xasprintf("%s/%s.raw", dir, m->img.role);
	_cleanup_free_ char *qcow = xasprintf("%s/%s.qcow2", dir, m->img.role);
	bool want_raw = o->raw || !o->qcow2;
	int r;

	if ((r = disk_write_raw(m, raw, o->size, res, err)) < 0)
		return r;
	if (o->qcow2 &&
	    (r = media_write_file(m, qcow, write_qcow2, raw, err)) < 0)
		return r;
	if (want_raw && (r = media_add_output(res, raw, err)) < 0)
		return r;
	if (!want_raw)
		unlink(raw);
	if (o->qcow2 && (r = media_add_output(res, qcow, err)) < 0)
		return r;
	return media_write_sbom(m, dir, res, NULL, err);
}

int disk_build(struct build_env *env, const struct disk_opts *o,
	       struct media_result *res, struct gild_err *err)
{
	static const char *const qemu_img[][2] = {{"qemu-img", "qemu-utils"}};
	struct media m = {.env = env, .kind = "disk", .o = &o->c};
	mode_t old = umask(022);
	int r;

	if ((r = media_disk_rootfs(&m, &m.rootfs, err)) == 0 &&
	    (r = media_check_tools(disk_tools, 4, err)) == 0 &&
	    (!o->qcow2 || (r = media_check_tools(qemu_img, 1, err)) == 0) &&
	    (r = media_prepare(&m, err)) == 0)
		r = media_assemble(&m, disk_assemble, o, res, err);
	umask(old);
	media_release(&m);
	return r;
}
