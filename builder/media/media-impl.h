/* media-impl.h: what the steps of a boot medium's assembly share (private
 * to builder/media/): the image, the boot packages' files, the ESP. */
#ifndef GILD_MEDIA_IMPL_H
#define GILD_MEDIA_IMPL_H

#include "media/media.h"

/* The files a medium is made of, found or written in the work directory. */
struct media {
	struct build_env *env;
	const char *kind;	      /* "iso", "disk": names the work dir */
	const char *rootfs;	      /* the image output it carries */
	const struct media_common *o; /* the caller's options */
	struct image_result img;      /* the role's image */
	int64_t sde;		      /* the image's SOURCE_DATE_EPOCH */
	char *workdir;		      /* <tmpdir>/<kind>/<profile> */
	char *cmdline;		      /* the kernel's, from BOOT_CMDLINE */
	char *kernel;		    /* /boot/vmlinuz-* of the kernel package */
	char *eltorito;		    /* GRUB's El Torito image (BIOS CD) */
	char *mbr;		    /* GRUB's boot_hybrid.img (ISO, BIOS) */
	char *bootimg;		    /* GRUB's boot.img (disk MBR, BIOS) */
	char *coreimg;		    /* GRUB's core.img (BIOS boot partition) */
	char *efi;		    /* GRUB's BOOTX64.EFI */
	char *grubcfg;		    /* boot/grub/gild.cfg */
	char *esp;		    /* the ESP, a FAT image */
	struct gild_strv sbom_pkgs; /* the boot packages' GPKG paths */
};

/* One file of the ESP: host path, path in the FAT ("EFI/BOOT/X.EFI"). */
struct esp_file {
	const char *host, *path;
};

/* media.c */
void media_release(struct media *m);
/* The host tools, checked before anything is built (each {tool, Debian
 * package}); a missing one would otherwise fail after the kernel's build. */
int media_check_tools(const char *const (*tools)[2], size_t n,
		      struct gild_err *err);
/* The image (built or up to date, with m->rootfs among its outputs), the
 * work directory, the command line and the boot packages, extracted. */
int media_prepare(struct media *m, struct gild_err *err);
/* Build (or reuse) the packages the profile variable var names (def when
 * it is unset) through the plan builder, with the caller's scheduling and
 * progress; the targets' GPKGs join the medium's SBOM. */
int media_build_packages(struct media *m, const char *var, const char *def,
			 struct build_result **res, struct gild_err *err);
char *media_log(const struct media *m, const char *what);
char *media_sde_env(const struct media *m);
/* The size of path, 0 when it is NULL or missing. */
uint64_t media_file_size(const char *path);
/* out (a final path) written by write(m, tmp, ud, err) under a temporary
 * name beside it, renamed when complete, removed when not. */
int media_write_file(struct media *m, const char *out,
		     int (*write)(struct media *m, const char *tmp, void *ud,
				  struct gild_err *err),
		     void *ud, struct gild_err *err);
/* The image output a disk's root partition holds: DISK_ROOTFS of the
 * role (ext4, the default, or erofs), else -GILD_E_INVALID. */
int media_disk_rootfs(const struct media *m, const char **out,
		      struct gild_err *err);
/* "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx" for the medium's identifiers. */
void media_uuid(const struct media *m, int salt, char out[37]);

int media_add_output(struct media_result *res, const char *path,
		     struct gild_err *err);
/* fn writes the medium into dir. With --verify-reproducible it runs again
 * in another work directory, umask and time zone, and the outputs must be
 * the same bytes (-GILD_E_BUILD names the file and the first offset). */
typedef int (*media_assemble_fn)(struct media *m, const void *opts,
				 const char *dir, struct media_result *res,
				 struct gild_err *err);
int media_assemble(struct media *m, media_assemble_fn fn, const void *opts,
		   struct media_result *res, struct gild_err *err);

/* media-esp.c */
/* boot/grub/gild.cfg: one menu entry booting the kernel with args and,
 * if initrd is set, that initramfs (both paths on the medium). */
int media_write_grubcfg(struct media *m, const char *title, const char *kernel,
			const char *args, const char *initrd,
			struct gild_err *err);
/* The ESP, a FAT image of at least min_bytes holding files, into
 * m->esp, the work directory's name. */
int media_write_esp(struct media *m, const char *name,
		    const struct esp_file *files, size_t n, uint64_t min_bytes,
		    struct gild_err *err);

/* media-sbom.c */
/* DIR/<role>.<kind>.cdx.xml, added to res's outputs; initramfs: the
 * medium's, or NULL. */
int media_write_sbom(struct media *m, const char *dir, struct media_result *res,
		     const char *initramfs, struct gild_err *err);

/* media-tools.c */
/* The installer's tools (INSTALLER_PACKAGES: sfdisk, e2fsck, resize2fs,
 * tune2fs) built, merged into *root (workdir/tools) without what the image
 * masks, and checked: the tools gild-install calls are there, and every
 * library they load is in *root or the image. */
int media_prepare_tools(struct media *m, char **root, struct gild_err *err);

/* disk.c */
/* The raw GPT disk into out (temporary + rename), of size bytes (0: what
 * it holds); res (if set) gets the parts and the disk's GUID. */
int disk_write_raw(struct media *m, const char *out, uint64_t size,
		   struct media_result *res, struct gild_err *err);

/* media-bios.c */
/* GRUB's BIOS boot on a GPT disk (grub-bios-setup's work for a BIOS boot
 * partition): write core.img at sector first (of 512 bytes) with its
 * block list pointing at its own sectors, and boot.img into the MBR
 * pointing at core.img, keeping the disk's partition table. fd is the
 * disk; core must fit in max_sectors. */
int media_grub_bios_setup(int fd, const char *disk, const char *bootimg,
			  const char *coreimg, uint64_t first,
			  uint64_t max_sectors, struct gild_err *err);

/* The ISO's layout, shared with the installer's payload. */
#define MEDIA_KERNEL "boot/vmlinuz"
#define MEDIA_INITRAMFS "boot/initramfs.img"
#define MEDIA_GRUBCFG "boot/grub/gild.cfg"

#endif /* GILD_MEDIA_IMPL_H */
