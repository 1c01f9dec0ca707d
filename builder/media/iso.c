/* iso.c: gild iso, a role's live ISO, and with --installer the disk the
 * installer writes (the flow is in media.h). */
#include "media-impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Where the installer finds the disk and its tools on the medium
 * (gild-install.sh, init.sh). */
#define ISO_DISK "gild/disk.raw"
#define ISO_TOOLS "gild/tools.squashfs"
/* The EFI System Partition's GPT type (UEFI 2.x, 5.3.3), as xorriso
 * takes it: the first three fields byte-swapped. */
#define ESP_TYPE_GUID "28732ac11ff8d211ba4b00a0c93ec93b"
/* The ISO's own partition as "Linux filesystem data"
 * (0FC63DAF-8483-4772-8E79-3D69D8477DE4), swapped likewise. */
#define ISO_PART_GUID "af3dc60f838472478e793d69d8477de4"
#define ISO_ELTORITO "boot/grub/i386-pc/eltorito.img"

/* What an ISO adds to the medium's files. */
struct iso {
	struct media m;
	const struct iso_opts *opts;
	char *label;	 /* ISO 9660 volume label */
	char *initramfs; /* written by iso_write_initramfs */
	char *disk;	 /* the installer's disk, or NULL */
	char *tools;	 /* the installer's tools' root, or NULL */
	char *tools_sq;	 /* their squashfs */
};

static const char *const iso_tools[][2] = {{"mformat", "mtools"},
					   {"mmd", "mtools"},
					   {"mcopy", "mtools"},
					   {"xorriso", "xorriso"}};

static void iso_release(struct iso *iso)
{
	media_release(&iso->m);
	free(iso->label);
	free(iso->initramfs);
	free(iso->disk);
	free(iso->tools);
	free(iso->tools_sq);
}

/* ---- busybox from the image ------------------------------------------- */

static void read_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

/* Copy the member name of the tar at tarpath into out. */
static int tar_member(const char *tarpath, const char *name, const char *out,
		      struct gild_err *err)
{
	__attribute__((cleanup(read_freep))) struct archive *a =
	    archive_read_new();
	struct archive_entry *e;
	_cleanup_close_ int fd = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tarpath, 1 << 16) != ARCHIVE_OK)
		return gild_fail(err, -EIO, NULL, "cannot read '%s': %s",
				 tarpath, archive_error_string(a));
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		if (gild_startswith(p, "./"))
			p += 2;
		if (strcmp(p, name) || !S_ISREG(archive_entry_mode(e)))
			continue;
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0)
			return gild_fail_errno(err, out, "cannot create");
		if (archive_read_data_into_fd(a, fd) != ARCHIVE_OK)
			return gild_fail(
			    err, -EIO, NULL, "cannot extract '%s' of '%s': %s",
			    name, tarpath, archive_error_string(a));
		return 0;
	}
	return gild_fail(err, -GILD_E_NOTFOUND, NULL, "'%s' has no '%s'",
			 tarpath, name);
}

/* A static executable has no program interpreter (PT_INTERP). */
static int check_static(const char *path, struct gild_err *err)
{
	_cleanup_free_ char *data = NULL;
	const Elf64_Ehdr *eh;
	size_t len;
	int r;

	if ((r = gild_read_file(path, &data, &len, err)) < 0)
		return r;
	eh = (const Elf64_Ehdr *)data;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "the image's /bin/busybox is no 64-bit ELF "
				 "file");
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (((const Elf64_Phdr *)(data + eh->e_phoff))[i].p_type ==
		    PT_INTERP)
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "the image's /bin/busybox is "
					 "dynamically linked; the initramfs "
					 "needs it static (USE=static)");
	return 0;
}

static int write_initramfs(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *tar =
	    gild_path_join(iso->m.img.outdir, "rootfs.tar.zst");
	_cleanup_free_ char *bb = gild_path_join(iso->m.workdir, "busybox");
	int r;

	free(iso->initramfs);
	iso->initramfs = gild_path_join(iso->m.workdir, "initramfs.img");
	if ((r = tar_member(tar, "bin/busybox", bb, err)) < 0 ||
	    (r = check_static(bb, err)) < 0)
		return r;
	return iso_write_initramfs(bb, iso->opts->installer, iso->m.sde,
				   iso->initramfs, err);
}

/* ---- the installer's disk ----------------------------------------------- */

/* The role's disk, as gild disk writes it, for gild-install to copy. */
static int write_disk(struct iso *iso, struct gild_err *err)
{
	struct media *m = &iso->m;
	const char *live = m->rootfs, *want;
	_cleanup_free_ char *fs = NULL;
	int r;

	if (!iso->opts->installer)
		return 0;
	if ((r = media_disk_rootfs(m, &want, err)) < 0)
		return r;
	fs = gild_path_join(m->img.outdir, want);
	if (access(fs, R_OK) != 0)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "the image in '%s' has no %s for the "
				 "installer (the role's IMAGE_FORMATS must "
				 "include %s)",
				 m->img.outdir, want, want + 7);
	free(iso->disk);
	iso->disk = gild_path_join(m->workdir, "disk.raw");
	m->rootfs = want;
	r = disk_write_raw(m, iso->disk, 0, NULL, err);
	m->rootfs = live;
	return r;
}

/* The installer's tools as a squashfs the live root stacks (init.sh). */
static int write_tools(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *log = NULL;

	if (!iso->tools)
		return 0;
	log = media_log(&iso->m, "mksquashfs-tools");
	free(iso->tools_sq);
	iso->tools_sq = gild_path_join(iso->m.workdir, "tools.squashfs");
	return image_write_squashfs(iso->tools, iso->tools_sq, iso->m.sde, log,
				    err);
}

/* ---- the ISO ------------------------------------------------------------ */

/* YYYYMMDDhhmmss00 in UTC, xorriso's --modification-date= form. */
static char *iso_date(int64_t sde)
{
	time_t t = (time_t)sde;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d%H%M%S00", &tm);
	return xstrdup(buf);
}

/* "path-in-iso=host-path" for -graft-points. */
static char *graft(const char *in_iso, const char *host)
{
	return xasprintf("%s=%s", in_iso, host);
}

static int write_image(struct media *m, const char *path, void *ud,
		       struct gild_err *err)
{
	struct iso *iso = ud;
	_cleanup_free_ char *log = media_log(m, "xorriso");
	_cleanup_free_ char *env0 = media_sde_env(m);
	_cleanup_free_ char *date = iso_date(m->sde);
	_cleanup_free_ char *moddate =
	    xasprintf("--modification-date=%s", date);
	_cleanup_free_ char *guid = xasprintf("%.32s", m->img.image_id);
	_cleanup_free_ char *sq = gild_path_join(m->img.outdir, m->rootfs);
	_cleanup_free_ char *g1 = graft(MEDIA_KERNEL, m->kernel);
	_cleanup_free_ char *g2 = graft(MEDIA_INITRAMFS, iso->initramfs);
	_cleanup_free_ char *g3 = graft(MEDIA_GRUBCFG, m->grubcfg);
	_cleanup_free_ char *g4 = graft(ISO_ELTORITO, m->eltorito);
	_cleanup_free_ char *g5 = graft("rootfs.squashfs", sq);
	_cleanup_free_ char *g6 = iso->disk ? graft(ISO_DISK, iso->disk) : NULL;
	_cleanup_free_ char *g7 =
	    iso->tools_sq ? graft(ISO_TOOLS, iso->tools_sq) : NULL;
	const char *env[] = {env0, "TZ=UTC", NULL};
	/* The layout of GRUB-made hybrid images (as grub-mkrescue and
	 * Ubuntu's ISOs): El Torito BIOS (GRUB's eltorito.img) and EFI (the
	 * ESP appended as GPT partition 2), GRUB's MBR for USB sticks. */
	const char *argv[] = {"xorriso",
			      "-as",
			      "mkisofs",
			      "-o",
			      path,
			      "-V",
			      iso->label,
			      "-r",
			      moddate,
			      "--set_all_file_dates",
			      date,
			      "--gpt_disk_guid",
			      guid,
			      "--grub2-mbr",
			      m->mbr,
			      "-partition_offset",
			      "16",
			      "--mbr-force-bootable",
			      "-append_partition",
			      "2",
			      ESP_TYPE_GUID,
			      m->esp,
			      "-appended_part_as_gpt",
			      "-iso_mbr_part_type",
			      ISO_PART_GUID,
			      "-c",
			      "boot/boot.cat",
			      "-b",
			      ISO_ELTORITO,
			      "-no-emul-boot",
			      "-boot-load-size",
			      "4",
			      "-boot-info-table",
			      "--grub2-boot-info",
			      "-eltorito-alt-boot",
			      "-e",
			      "--interval:appended_partition_2:::",
			      "-no-emul-boot",
			      "-graft-points",
			      g1,
			      g2,
			      g3,
			      g4,
			      g5,
			      g6,
			      g7,
			      NULL};

	return image_run_tool(argv, env, "xorriso", log, err);
}

static void fill_parts(struct iso *iso, struct media_result *res)
{
	struct media *m = &iso->m;
	_cleanup_free_ char *sq = gild_path_join(m->img.outdir, m->rootfs);
	const struct media_part parts[] = {
	    {"kernel", media_file_size(m->kernel)},
	    {"initramfs", media_file_size(iso->initramfs)},
	    {"rootfs.squashfs", media_file_size(sq)},
	    {"esp (BOOTX64.EFI)", media_file_size(m->esp)},
	    {"eltorito.img", media_file_size(m->eltorito)},
	    {"disk.raw (installer)", media_file_size(iso->disk)},
	    {"tools.squashfs (installer)", media_file_size(iso->tools_sq)}};

	memcpy(res->parts, parts, sizeof(parts));
	res->nparts = iso->disk ? 7 : 5;
	res->label = xstrdup(iso->label);
}

static int iso_assemble(struct media *m, const void *opts, const char *dir,
			struct media_result *res, struct gild_err *err)
{
	struct iso *iso = (struct iso *)m; /* m is iso's first member */
	_cleanup_free_ char *path = xasprintf("%s/%s.iso", dir, m->img.role);
	_cleanup_free_ char *args =
	    xasprintf("%s gild.live=%s", m->cmdline, iso->label);
	const struct esp_file efi = {m->efi, "EFI/BOOT/BOOTX64.EFI"};
	int r;

	(void)opts;
	if ((r = write_disk(iso, err)) < 0 || (r = write_tools(iso, err)) < 0 ||
	    (r = write_initramfs(iso, err)) < 0 ||
	    (r = media_write_grubcfg(m, "live", MEDIA_KERNEL, args,
				     MEDIA_INITRAMFS, err)) < 0 ||
	    (r = media_write_esp(m, "esp.img", &efi, 1, 0, err)) < 0 ||
	    (r = media_write_file(m, path, write_image, iso, err)) < 0 ||
	    (r = media_add_output(res, path, err)) < 0)
		return r;
	fill_parts(iso, res);
	return media_write_sbom(m, dir, res, iso->initramfs, err);
}

/* ISO 9660 labels are upper case, at most 32 characters; the image-id
 * ties the label to this image. */
static void make_label(struct iso *iso)
{
	iso->label = xasprintf("GILD_%.12s", iso->m.img.image_id);
	for (char *s = iso->label; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

int iso_build(struct build_env *env, const struct iso_opts *o,
	      struct media_result *res, struct gild_err *err)
{
	struct iso iso = {.m = {.env = env,
				.kind = "iso",
				.rootfs = "rootfs.squashfs",
				.o = &o->c},
			  .opts = o};
	mode_t old = umask(022);
	int r;

	if ((r = media_check_tools(iso_tools, 4, err)) == 0 &&
	    (r = media_prepare(&iso.m, err)) == 0 &&
	    (!o->installer ||
	     (r = media_prepare_tools(&iso.m, &iso.tools, err)) == 0)) {
		make_label(&iso);
		r = media_assemble(&iso.m, iso_assemble, o, res, err);
	}
	umask(old);
	iso_release(&iso);
	return r;
}
