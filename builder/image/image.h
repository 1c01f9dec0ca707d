/* image.h: golden images. A role (a profile under profiles/roles/ plus
 * the image's text: files/, users, services, sysctl.conf, ...) becomes a
 * minimal, hardened root filesystem, written reproducibly as tar.zst,
 * squashfs, erofs and ext4 with manifest.txt, image.json, an SBOM and
 * hardening.txt. The one public header of builder/image/.
 *
 * The flow of image_build (each step a file of this folder):
 *   1. the plan of @system @role built or reused        (build/build-plan.c)
 *   2. the runtime closure of the targets               (image.c)
 *   3. the role's text read from the profile stack       (image-role.c)
 *   4. the image-id; unchanged: nothing to do            (image-id.c)
 *   5. packages verified, collisions refused, merged     (image-merge.c)
 *      into a staging root with Portage's database, each
 *      one's pkg_preinst/pkg_postinst in the sandbox      (image-phase.c)
 *   6. the role's steps: users, files, services, sysctl  (image-steps.c)
 *      (and the kernel modules' index, depmod)           (image-modules.c)
 *   7. hardening: INSTALL_MASK, setuid, mount options    (image-harden.c)
 *   8. checks: libraries, strays, links, owners, modes   (image-check.c)
 *   9. outputs, each by write-to-temporary-then-rename   (image-write.c,
 *                                                         image-report.c,
 *                                                         image-sbom.c)
 * Every file of the staging root has an origin: the package that ships it
 * or the image step that made it (struct image_files); manifest.txt lists
 * it, and a file without one is refused.
 *
 * Functions return 0 or a negative code with err filled:
 *   -GILD_E_INVALID   a check failed (err names the file and the rule),
 *                     or two packages ship the same file (err names both)
 *   -GILD_E_NOTFOUND  a tool is missing (err names the Debian package)
 *   -GILD_E_SYNTAX    a role file is malformed (err at file:line)
 *   -errno            a system call failed (err names the path)
 */
#ifndef GILD_IMAGE_H
#define GILD_IMAGE_H

#include "base/base.h"
#include "build/build.h"
#include "config/config.h"
#include "ctx/ctx.h"
#include "repo/repo.h"

/* What the user asked of one image. */
struct image_opts {
	struct gild_strv formats; /* "tar", "squashfs", "erofs", "ext4";
				     empty: IMAGE_FORMATS, else all */
	uint64_t size;	    /* ext4 bytes; 0: IMAGE_SIZE or content+margin */
	const char *outdir; /* NULL: out/<profile>/<role> */
	bool verify_reproducible; /* assemble twice and compare every output */
	bool force;	   /* write even when the image-id is unchanged */
	bool rebuild;	   /* build packages again (gild build --rebuild) */
	bool legal_info;   /* also DIR/legal-info/ (licence texts) */
	bool with_sources; /* ... and copyleft packages' sources */
	build_report_fn report; /* every event of the plan's build, or NULL */
	void *report_ud;
	struct build_opts build; /* jobs, load average, keep going */
};

/* One output written (or skipped, with why). */
struct image_output {
	char *name; /* "rootfs.squashfs" */
	char *format;
	uint64_t size;
	char sha256[65];
	char *skipped; /* NULL, or why it was not made */
};

struct image_result {
	char *image_id;
	char *outdir;
	char *role, *profile;
	bool unchanged; /* the image-id matched: nothing written */
	struct image_output *out;
	size_t nout;
	size_t npkgs, nfiles;
	uint64_t bytes;		    /* payload of the root */
	struct gild_strv hardening; /* one line per hardening action */
};
void image_result_release(struct image_result *r);
static inline void image_result_releasep(struct image_result *r)
{
	image_result_release(r);
}

/* Build the role's image (env's profile is the role). */
int image_build(struct build_env *env, const struct image_opts *o,
		struct image_result *res, struct gild_err *err);

/* `gild image run`: argv (none: /bin/sh) inside the image whose outputs
 * are in imagedir (its rootfs.tar.zst), in the sandbox with a writable
 * tmpfs layer over the image; init: the image's boot scripts and service
 * supervisor first. *status is the command's exit status. Needs root. */
struct image_run_opts {
	char **argv;
	int argc;
	bool init;
	bool network;	  /* the host's network, not only loopback */
	unsigned timeout; /* seconds, 0: none */
	uint64_t rw_size; /* the writable layer's bytes, 0: the sandbox's
			     default (512 MiB) */
};
int image_run(const char *imagedir, const char *workdir,
	      const struct image_run_opts *o, int *status,
	      struct gild_err *err);

/* The default output directory of the role in env's profile:
 * <tree>/out/<base profile>/<role>. NULL with err when it is no role. */
char *image_outdir(const struct build_env *env, struct gild_err *err);

/* Where the staging root of the role in env's profile is kept between
 * runs (for `gild image run`): <tmpdir>/image/<profile>/root. */
char *image_root_dir(const struct build_env *env);

/* Run a host tool (argv[0] searched in PATH, then the sbin directories;
 * env additions "K=V" or NULL; SOURCE_DATE_EPOCH is removed unless env
 * sets it); its output goes to log. -GILD_E_NOTFOUND names the Debian
 * package when it is missing, -GILD_E_BUILD names the log when it fails.
 * gild iso uses it too. */
int image_run_tool(const char *const *argv, const char *const *env,
		   const char *debian_pkg, const char *log,
		   struct gild_err *err);
bool image_have_tool(const char *name);
/* The pattern of mask (INSTALL_MASK words, make.conf(5): an absolute
 * pattern masks that path and everything below it, one without '/' file
 * names) that masks path, or -1. */
int image_install_mask_index(const struct gild_strv *mask, const char *path);
/* The squashfs of the directory root into out, as images have theirs:
 * reproducible (one compressor thread, every time sde, no xattrs). */
int image_write_squashfs(const char *root, const char *out, int64_t sde,
			 const char *log, struct gild_err *err);
/* "E2FSPROGS_FAKE_TIME=..." for the epoch sde (0 is written as 1:
 * e2fsprogs reads 0 as unset and takes the time of day). */
char *image_e2fs_fake_time(int64_t sde);
/* The same with input (a path) as the tool's standard input. */
int image_run_tool_input(const char *const *argv, const char *const *env,
			 const char *input, const char *debian_pkg,
			 const char *log, struct gild_err *err);

/* The CycloneDX component of the package at gpkg_path, as an image's SBOM
 * lists its packages, through writer (an xmlTextWriterPtr); *cpv is set to
 * its bom-ref, "cat/pf" (the caller frees it). */
int image_sbom_package(void *writer, struct build_env *env,
		       const char *gpkg_path, char **cpv, struct gild_err *err);

/* The start of a CycloneDX <metadata> that gild writes (its timestamp,
 * the epoch sde, and gild as the tool), through writer (an
 * xmlTextWriterPtr inside <metadata>). */
void image_sbom_head(void *writer, int64_t sde);

/* A UUID ("xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx") of an image: taken from
 * its image-id (64 hex digits) at an offset salt, so each identifier of an
 * image (file system UUID, hash seed, GPT GUIDs, FAT serial) is fixed by
 * the image and differs from the others. */
void image_uuid(const char *image_id, int salt, char out[37]);

#endif /* GILD_IMAGE_H */
