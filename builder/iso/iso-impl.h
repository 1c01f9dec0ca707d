/* iso-impl.h: what the steps of an ISO assembly share (private to
 * builder/iso/). */
#ifndef GILD_ISO_IMPL_H
#define GILD_ISO_IMPL_H

#include "iso/iso.h"

/* The files an ISO is made of, found or written in the work directory. */
struct iso {
	struct build_env *env;
	const struct iso_opts *opts;
	struct image_result img; /* the role's image */
	int64_t sde;		 /* the image's SOURCE_DATE_EPOCH */
	char *workdir;		 /* <tmpdir>/iso/<profile> */
	char *label;		 /* ISO 9660 volume label */
	char *cmdline;		 /* the kernel's, from ISO_CMDLINE */
	char *kernel;		 /* /boot/vmlinuz-* of the kernel package */
	char *eltorito;		 /* GRUB's El Torito image (BIOS) */
	char *mbr;		 /* GRUB's boot_hybrid.img (USB, BIOS) */
	char *efi;		 /* GRUB's BOOTX64.EFI */
	char *initramfs;	 /* written by iso_write_initramfs */
	char *grubcfg;		 /* boot/grub/gild.cfg */
	char *esp;		 /* the ESP, a FAT image */
};

/* iso-media.c */
int iso_write_grubcfg(struct iso *iso, struct gild_err *err);
int iso_write_esp(struct iso *iso, struct gild_err *err);
/* The hybrid ISO into path (a temporary name; the caller renames it). */
int iso_write_image(struct iso *iso, const char *path, struct gild_err *err);

#endif /* GILD_ISO_IMPL_H */
