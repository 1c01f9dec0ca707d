/* image-impl.h: what the steps of an image assembly share (private to
 * builder/image/). */
#ifndef GILD_IMAGE_IMPL_H
#define GILD_IMAGE_IMPL_H

#include "image/image.h"

#include <sys/stat.h>

/* Where a path of the staging root comes from. */
struct image_file {
	char *path;	    /* absolute in the image: "/usr/bin/lighttpd" */
	const char *origin; /* "www-servers/lighttpd-1.4.69" or "image step:
			       users" (interned by the image) */
	enum gpkg_ftype type;
	bool shipped; /* from a package's CONTENTS (else an image step) */
};

struct image_files {
	struct image_file *v; /* sorted by path after image_files_sort */
	size_t n, cap;
	bool sorted;
};

/* One package of the closure. */
struct image_pkg {
	char *cpv; /* "cat/pf" */
	char *category, *pf;
	char *pkg_path; /* its GPKG */
	struct gpkg_meta meta;
	struct gpkg_contents contents;
	char **deps; /* cpvs of its runtime dependencies in the image */
	size_t ndeps;
	/* its recipe from the package (with the tree's classes), read for
	 * pkg_preinst/pkg_postinst; NULL when the package has no recipe */
	struct recipe *recipe;
	bool has_preinst, has_postinst;
	int64_t sde; /* newest mtime of its files (the phases' epoch) */
};

/* The role's text: files found in the role profiles of the stack, later
 * nodes overriding or adding to earlier ones. */
struct image_role {
	char *name;		  /* "web" (the last role node's name) */
	char *profile;		  /* "roles/web" */
	char *base_profile;	  /* the first non-role profile: output path */
	struct gild_strv nodes;	  /* absolute role node directories */
	struct gild_strv formats; /* IMAGE_FORMATS */
	uint64_t size;		  /* IMAGE_SIZE */
	struct gild_strv install_mask;
	struct gild_strv setuid_allowed; /* IMAGE_SETUID_ALLOWED */
	bool vdb;			 /* IMAGE_VDB (default yes) */
	bool strip;			 /* IMAGE_STRIP (default yes) */
};

struct image {
	struct build_env *env;
	struct gild_ctx *ctx;
	const struct image_opts *opts;
	struct image_role role;
	struct image_pkg *pkgs; /* sorted by cpv */
	size_t npkgs;
	char *workdir; /* <tmpdir>/image/<profile> */
	char *root;    /* the staging root */
	int64_t sde;   /* SOURCE_DATE_EPOCH of the image */
	char *image_id;
	struct image_files files;
	struct gild_strv origins;	   /* interned origin strings */
	struct gild_strv hardening;	   /* lines of hardening.txt */
	struct gild_strv users;		   /* account names of the image */
	struct gild_strv services;	   /* enabled services */
	uint64_t *mask_files, *mask_bytes; /* per INSTALL_MASK pattern */
	/* "ID NAME" of the image's passwd [0] and group [1], read once for
	 * the writers */
	struct gild_strv id_names[2];
	bool id_names_read;
	int lock_fd; /* flock on the work directory, -1 before prepare */
	/* the staging root's owners are in the package phases' id range
	 * (image-phase.c) */
	bool ids_shifted;
};

/* image-files.c */
const char *image_origin(struct image *im, const char *origin);
void image_files_add(struct image_files *f, const char *path,
		     const char *origin, enum gpkg_ftype type, bool shipped);
void image_files_sort(struct image_files *f);
struct image_file *image_files_find(struct image_files *f, const char *path);
void image_files_remove(struct image_files *f, const char *path);
void image_files_release(struct image_files *f);
/* Register a file an image step wrote (replacing what a package shipped
 * there keeps the package as its origin only in manifest.txt's history:
 * the step is the origin now). */
void image_step_file(struct image *im, const char *path, const char *step);
/* The host path of an image path (im->root + path). */
char *image_host_path(const struct image *im, const char *path);
/* path is absolute, without empty, "." or ".." parts, control
 * characters or '"'; -GILD_E_INVALID names it. */
int image_path_ok(const char *path, struct gild_err *err);
/* No directory above path is a link: what gild writes into the image
 * never follows one (an absolute link would lead onto the host).
 * -GILD_E_INVALID names the link. */
int image_check_parents(const struct image *im, const char *path,
			struct gild_err *err);
/* mkdir -p of an image path, each directory made registered as step's. */
int image_mkdirs(struct image *im, const char *path, unsigned mode,
		 const char *step, struct gild_err *err);
/* Write a file of the image (mode, owner 0:0, mtime the image's) and
 * register it as made by step. */
int image_write_file(struct image *im, const char *path, const char *text,
		     unsigned mode, const char *step, struct gild_err *err);

/* image-role.c */
int image_role_load(struct image *im, struct gild_err *err);
void image_role_release(struct image_role *r);
/* Lines of a role file over the stack (every node's, in order), comments
 * and blank lines dropped, each with its file and line for errors. */
struct role_line {
	char *text;
	char *file;
	unsigned line;
};
struct role_lines {
	struct role_line *v;
	size_t n, cap;
};
int image_role_lines(const struct image *im, const char *name,
		     struct role_lines *out, struct gild_err *err);
void role_lines_release(struct role_lines *l);
/* The last node's copy of a role file, or NULL. */
char *image_role_file(const struct image *im, const char *name);

/* image-modules.c */
/* depmod for each /lib/modules/VER holding modules (kmod's, on the host):
 * the index modprobe reads, with "depmod" as its origin. */
int image_kernel_modules(struct image *im, struct gild_err *err);

/* image-merge.c */
/* Remove the staging root a previous assembly left (before image_merge);
 * refuses to go on when not root. */
int image_clear_root(struct image *im, struct gild_err *err);
int image_merge(struct image *im, struct gild_err *err);
/* Portage's installed-package database, from the final files (after the
 * steps and hardening, so its MD5s are those of the image). */
int image_write_vdb(struct image *im, struct gild_err *err);
bool image_masked(const struct image *im, const char *path);
/* The INSTALL_MASK pattern that masks path, or -1. */
int image_mask_index(const struct image *im, const char *path);

/* image-phase.c: pkg_preinst and pkg_postinst in the sandbox. */
/* Whether p's recipe (or a class it inherits) has either function. */
int image_pkg_phases(struct image *im, struct image_pkg *p,
		     struct gild_err *err);
/* Before the first package is merged: the phase log emptied, and when
 * some package has a phase, the root's owners moved into the sandbox's
 * range (until image_phases_end). */
int image_phases_begin(struct image *im, struct gild_err *err);
/* An unpacked package's owners moved like the root's, when they are. */
int image_phases_shift(struct image *im, const char *dir, struct gild_err *err);
int image_phases_end(struct image *im, struct gild_err *err);
/* Run phase of p (image: its unpacked ${D} for pkg_preinst, else NULL);
 * what it writes is recorded as "<phase> of <cpv>". -GILD_E_BUILD names
 * the package, the phase and the log when it fails. */
int image_pkg_phase(struct image *im, const struct image_pkg *p,
		    const char *phase, const char *image, struct gild_err *err);

/* image-steps.c */
int image_steps(struct image *im, struct gild_err *err);

/* image-harden.c */
int image_harden(struct image *im, struct gild_err *err);

/* image-check.c */
int image_check(struct image *im, struct gild_err *err);

/* image-id.c */
int image_compute_id(struct image *im, struct gild_err *err);
/* Whether outdir holds a complete image of this image-id. */
bool image_is_current(const struct image *im, const char *outdir);

/* image-write.c: each format into dir (by temporary + rename). */
int image_write_outputs(struct image *im, const char *dir,
			struct image_result *res, struct gild_err *err);
/* im->id_names from the image's passwd and group, once (the checks and
 * the writers run after the last change to them). */
void image_read_id_names(struct image *im);
/* Clamp every mtime of the staging root to the image's epoch. */
int image_clamp_times(struct image *im, struct gild_err *err);

/* image-report.c */
int image_write_manifest(struct image *im, const char *dir,
			 struct gild_err *err);
int image_write_json(struct image *im, const char *dir,
		     const struct image_result *res, struct gild_err *err);
int image_write_hardening(struct image *im, const char *dir,
			  struct gild_err *err);
/* image-verify.c: every output of first (in dir a) against dir b; a
 * difference names the output, the first differing offset and, where it
 * can, the file inside it. -GILD_E_INVALID when they differ. */
int image_compare_outputs(const char *a, const char *b,
			  const struct image_result *first,
			  struct gild_err *err);

/* image-legal.c: DIR/legal-info/ (licenses/, packages.txt, with
 * sources the sources/ of copyleft packages), replaced whole. */
int image_write_legal(struct image *im, const char *outdir, bool sources,
		      struct gild_err *err);

/* image-sbom.c */
int image_write_sbom(struct image *im, const char *dir,
		     const struct image_result *res, struct gild_err *err);

/* sha256 of a file (hex). */
int image_sha256_file(const char *path, char out[65], struct gild_err *err);
/* A file written atomically into dir with the given text. */
int image_put_text(const char *dir, const char *name, const char *text,
		   struct gild_err *err);

#endif /* GILD_IMAGE_IMPL_H */
