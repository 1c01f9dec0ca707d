/* iso-media.c: GRUB's configuration, the ESP and the hybrid ISO. Each
 * is reproducible: times from the image's SOURCE_DATE_EPOCH (mtools and
 * xorriso read it; xorriso's dates are also set explicitly), the FAT
 * serial and the GPT disk GUID from the image-id. */
#include "iso-impl.h"

#include <sys/stat.h>
#include <time.h>

/* The layout the firmware and GRUB look for. */
#define ISO_KERNEL "boot/vmlinuz"
#define ISO_INITRAMFS "boot/initramfs.img"
#define ISO_GRUBCFG "boot/grub/gild.cfg"
#define ISO_ELTORITO "boot/grub/i386-pc/eltorito.img"
/* The EFI System Partition's GPT type (UEFI 2.x, 5.3.3), as xorriso
 * takes it: the first three fields byte-swapped. */
#define ESP_TYPE_GUID "28732ac11ff8d211ba4b00a0c93ec93b"
/* The ISO's own partition as "Linux filesystem data"
 * (0FC63DAF-8483-4772-8E79-3D69D8477DE4), swapped likewise. */
#define ISO_PART_GUID "af3dc60f838472478e793d69d8477de4"

static char *log_path(const struct iso *iso, const char *what)
{
	return xasprintf("%s/%s.log", iso->workdir, what);
}

static char *sde_env(const struct iso *iso)
{
	return xasprintf("SOURCE_DATE_EPOCH=%lld", (long long)iso->sde);
}

int iso_write_grubcfg(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *text = xasprintf(
	    "# The live system of role %s (image-id %s), written by gild iso.\n"
	    "# early.cfg, built into GRUB's images, found this file.\n"
	    "serial --unit=0 --speed=115200\n"
	    "terminal_input console serial\n"
	    "terminal_output console serial\n"
	    "set timeout=1\n"
	    "set default=0\n"
	    "menuentry 'gild %s (live)' {\n"
	    "\tlinux /%s %s gild.live=%s\n"
	    "\tinitrd /%s\n"
	    "}\n",
	    iso->img.role, iso->img.image_id, iso->img.role, ISO_KERNEL,
	    iso->cmdline, iso->label, ISO_INITRAMFS);
	_cleanup_fclose_ FILE *f = NULL;

	iso->grubcfg = gild_path_join(iso->workdir, "gild.cfg");
	if (!(f = fopen(iso->grubcfg, "we")))
		return gild_fail_errno(err, iso->grubcfg, "cannot create");
	if (fputs(text, f) < 0 || fflush(f) != 0)
		return gild_fail_errno(err, iso->grubcfg, "cannot write");
	return 0;
}

/* ---- the ESP -------------------------------------------------------- */

/* Sectors of 512 bytes for a FAT holding BOOTX64.EFI, with room for the
 * FAT and directories; at least a 1.44 MB floppy's, which mformat sizes
 * as FAT12 without further geometry. */
static unsigned long esp_sectors(const char *efi)
{
	struct stat st;
	unsigned long n = 2880;

	if (stat(efi, &st) == 0 && (unsigned long)st.st_size / 512 + 256 > n)
		n = (unsigned long)st.st_size / 512 + 256;
	return (n + 63) / 64 * 64;
}

int iso_write_esp(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *log = log_path(iso, "esp");
	_cleanup_free_ char *env0 = sde_env(iso);
	_cleanup_free_ char *sectors = xasprintf("%lu", esp_sectors(iso->efi));
	/* the FAT volume serial: the image-id's first 32 bits */
	_cleanup_free_ char *serial = xasprintf("%.8s", iso->img.image_id);
	/* FAT keeps local times: mtools converts the epoch with TZ */
	const char *env[] = {env0, "TZ=UTC", NULL};
	int r;

	iso->esp = gild_path_join(iso->workdir, "esp.img");
	const char *mformat[] = {"mformat", "-i",	iso->esp, "-C",
				 "-T",	    sectors,	"-N",	  serial,
				 "-v",	    "GILD_ESP", "::",	  NULL};
	const char *mmd[] = {"mmd",    "-i",	      iso->esp,
			     "::/EFI", "::/EFI/BOOT", NULL};
	const char *mcopy[] = {
	    "mcopy", "-i", iso->esp, iso->efi, "::/EFI/BOOT/BOOTX64.EFI", NULL};

	if ((r = image_run_tool(mformat, env, "mtools", log, err)) < 0 ||
	    (r = image_run_tool(mmd, env, "mtools", log, err)) < 0)
		return r;
	return image_run_tool(mcopy, env, "mtools", log, err);
}

/* ---- the ISO -------------------------------------------------------- */

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

int iso_write_image(struct iso *iso, const char *path, struct gild_err *err)
{
	_cleanup_free_ char *log = log_path(iso, "xorriso");
	_cleanup_free_ char *env0 = sde_env(iso);
	_cleanup_free_ char *date = iso_date(iso->sde);
	_cleanup_free_ char *moddate =
	    xasprintf("--modification-date=%s", date);
	_cleanup_free_ char *guid = xasprintf("%.32s", iso->img.image_id);
	_cleanup_free_ char *sq =
	    gild_path_join(iso->img.outdir, "rootfs.squashfs");
	_cleanup_free_ char *g1 = graft(ISO_KERNEL, iso->kernel);
	_cleanup_free_ char *g2 = graft(ISO_INITRAMFS, iso->initramfs);
	_cleanup_free_ char *g3 = graft(ISO_GRUBCFG, iso->grubcfg);
	_cleanup_free_ char *g4 = graft(ISO_ELTORITO, iso->eltorito);
	_cleanup_free_ char *g5 = graft("rootfs.squashfs", sq);
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
			      iso->mbr,
			      "-partition_offset",
			      "16",
			      "--mbr-force-bootable",
			      "-append_partition",
			      "2",
			      ESP_TYPE_GUID,
			      iso->esp,
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
			      NULL};

	return image_run_tool(argv, env, "xorriso", log, err);
}
