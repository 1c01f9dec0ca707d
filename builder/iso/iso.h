/* iso.h: live ISOs of a role. The one public header of builder/iso/.
 *
 * The flow of iso_build (each step a file of this folder):
 *   1. the role's golden image, built or up to date      (image/image.h)
 *   2. the boot packages (ISO_PACKAGES: the kernel and    (iso.c)
 *      GRUB) built or reused, extracted
 *   3. the initramfs: the image's static busybox and      (iso-initramfs.c)
 *      /init (builder/iso/init.sh, embedded), a newc cpio
 *   4. GRUB's configuration and the ESP, a FAT image      (iso-media.c)
 *   5. xorriso: a hybrid ISO 9660 image (El Torito BIOS   (iso-media.c)
 *      and EFI, MBR and GPT), by temporary + rename
 * Every time is the image's SOURCE_DATE_EPOCH and every identifier comes
 * from the image-id, so the ISO is reproducible.
 *
 * Functions return 0 or a negative code with err filled:
 *   -GILD_E_NOTFOUND  a host tool is missing (err names its Debian
 *                     package), or a package lacks a file the ISO needs
 *   -GILD_E_BUILD     a host tool failed (err names its log)
 *   -GILD_E_INVALID   the rootfs has no static busybox
 *   -errno            a system call failed (err names the path)
 * and whatever image_build and build_plan return.
 */
#ifndef GILD_ISO_H
#define GILD_ISO_H

#include "base/base.h"
#include "build/build.h"
#include "image/image.h"

struct iso_opts {
	const char *outdir;	/* NULL: the image's output directory */
	build_report_fn report; /* every event of the plan's build, or NULL */
	void *report_ud;
	struct build_opts build; /* jobs, load average, keep going */
};

/* One part of the ISO, for the report. */
struct iso_part {
	const char *name; /* "kernel", "initramfs", "rootfs", "esp" */
	uint64_t size;
};

struct iso_result {
	char *path;  /* DIR/<role>.iso */
	char *label; /* its ISO 9660 volume label */
	uint64_t size;
	char sha256[129]; /* hex */
	struct iso_part parts[4];
	size_t nparts;
};
void iso_result_release(struct iso_result *r);
static inline void iso_result_releasep(struct iso_result *r)
{
	iso_result_release(r);
}

/* The live ISO of the role in env's profile. */
int iso_build(struct build_env *env, const struct iso_opts *o,
	      struct iso_result *res, struct gild_err *err);

/* A newc cpio of the initramfs into out (gzip -n: no name, no time):
 * busybox (a static binary, as /bin/busybox) and the embedded /init,
 * members sorted, owners 0, every time sde. */
int iso_write_initramfs(const char *busybox, int64_t sde, const char *out,
			struct gild_err *err);

#endif /* GILD_ISO_H */
