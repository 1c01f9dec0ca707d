/* media.h: boot media of a role: live (and installer) ISOs and GPT disk
 * images. The one public header of builder/media/.
 *
 * Both start the same way (media.c):
 *   1. the role's golden image, built or up to date      (image/image.h)
 *   2. the boot packages (BOOT_PACKAGES: the kernel and   (media.c)
 *      GRUB) built or reused, extracted
 * then gild iso (iso.c):
 *   3. the initramfs: the image's static busybox and      (media-initramfs.c)
 *      /init (builder/media/init.sh, embedded), a newc cpio
 *   4. GRUB's configuration and the ESP, a FAT image      (media-esp.c)
 *   5. with --installer, the disk the installer writes    (disk.c)
 *      and its tools (INSTALLER_PACKAGES: sfdisk,          (media-tools.c)
 *      resize2fs), a squashfs laid over the image's root
 *   6. xorriso: a hybrid ISO 9660 image (El Torito BIOS   (iso.c)
 *      and EFI, MBR and GPT), by temporary + rename
 * and gild disk (disk.c):
 *   3. GRUB's configuration and the ESP with the kernel   (media-esp.c)
 *   4. a GPT: BIOS boot partition (GRUB's core.img, boot  (disk.c,
 *      .img in the MBR), ESP, root (the image's ext4 or    media-bios.c)
 *      erofs); qcow2 converted from the raw disk
 * Each medium gets an SBOM beside it (media-sbom.c): the boot packages,
 * the files they put on the medium and the image's own components.
 * Every time is the image's SOURCE_DATE_EPOCH and every identifier (FAT
 * serial, GPT GUIDs, ISO label) comes from the image-id, so media are
 * reproducible; --verify-reproducible assembles twice and compares.
 *
 * Functions return 0 or a negative code with err filled:
 *   -GILD_E_NOTFOUND  a host tool is missing (err names its Debian
 *                     package), or a package lacks a file the medium needs
 *   -GILD_E_BUILD     a host tool failed (err names its log), or the two
 *                     assemblies of --verify-reproducible differ
 *   -GILD_E_INVALID   the rootfs has no static busybox, or --size is too
 *                     small for what the disk holds
 *   -errno            a system call failed (err names the path)
 * and whatever image_build and build_plan return.
 */
#ifndef GILD_MEDIA_H
#define GILD_MEDIA_H

#include "base/base.h"
#include "build/build.h"
#include "image/image.h"

/* What every medium takes. */
struct media_common {
	const char *outdir;	  /* NULL: the image's output directory */
	bool verify_reproducible; /* assemble twice and compare */
	build_report_fn report;	  /* every event of the plan's build, or NULL */
	void *report_ud;
	struct build_opts build; /* jobs, load average, keep going */
};

struct iso_opts {
	struct media_common c;
	bool installer; /* carry the disk and gild-install */
};

struct disk_opts {
	struct media_common c;
	bool raw, qcow2; /* the formats written (neither: raw) */
	uint64_t size;	 /* bytes of the disk; 0: what it holds */
};

/* One part of a medium, for the report. */
struct media_part {
	const char *name; /* "kernel", "initramfs", "rootfs", "esp" */
	uint64_t size;
};

/* One file written. */
struct media_output {
	char *path;
	uint64_t size;
	char sha256[65]; /* hex */
};

struct media_result {
	char *label; /* ISO: the ISO 9660 volume label; disk: the GPT GUID */
	struct media_output out[3]; /* the medium (ISO, raw, qcow2), then
				       its sbom.cdx.xml */
	size_t nout;
	struct media_part parts[7];
	size_t nparts;
};
void media_result_release(struct media_result *r);
static inline void media_result_releasep(struct media_result *r)
{
	media_result_release(r);
}

/* The live ISO of the role in env's profile: DIR/<role>.iso. */
int iso_build(struct build_env *env, const struct iso_opts *o,
	      struct media_result *res, struct gild_err *err);

/* The GPT disk image of the role in env's profile: DIR/<role>.raw and or
 * DIR/<role>.qcow2. */
int disk_build(struct build_env *env, const struct disk_opts *o,
	       struct media_result *res, struct gild_err *err);

/* A newc cpio of the initramfs into out (gzip -n: no name, no time):
 * busybox (a static binary, as /bin/busybox), the embedded /init and, if
 * installer is set, gild-install, members sorted, owners 0, every time
 * sde. */
int iso_write_initramfs(const char *busybox, bool installer, int64_t sde,
			const char *out, struct gild_err *err);

#endif /* GILD_MEDIA_H */
