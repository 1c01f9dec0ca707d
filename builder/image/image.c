/* image.c: `gild image`'s flow, one step per line (see image.h). */
#include "image-impl.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void image_result_release(struct image_result *r)
{
	free(r->image_id);
	free(r->outdir);
	free(r->role);
	free(r->profile);
	for (size_t i = 0; i < r->nout; i++) {
		free(r->out[i].name);
		free(r->out[i].format);
		free(r->out[i].skipped);
	}
	free(r->out);
	gild_strv_release(&r->hardening);
	*r = (struct image_result){0};
}

static void image_release(struct image *im)
{
	for (size_t i = 0; i < im->npkgs; i++) {
		struct image_pkg *p = &im->pkgs[i];
		free(p->cpv);
		free(p->category);
		free(p->pf);
		free(p->pkg_path);
		gpkg_meta_release(&p->meta);
		gpkg_contents_release(&p->contents);
		for (size_t k = 0; k < p->ndeps; k++)
			free(p->deps[k]);
		free(p->deps);
		recipe_free(p->recipe);
	}
	free(im->pkgs);
	image_role_release(&im->role);
	free(im->workdir);
	free(im->root);
	free(im->image_id);
	image_files_release(&im->files);
	gild_strv_release(&im->origins);
	gild_strv_release(&im->hardening);
	gild_strv_release(&im->users);
	gild_strv_release(&im->services);
	free(im->mask_files);
	free(im->mask_bytes);
	if (im->lock_fd >= 0)
		close(im->lock_fd);
	gild_strv_release(&im->id_names[0]);
	gild_strv_release(&im->id_names[1]);
}

char *image_root_dir(const struct build_env *env)
{
	_cleanup_free_ char *p = xstrdup(env->cfg->profile->name);

	for (char *s = p; *s; s++)
		if (*s == '/')
			*s = '_';
	return xasprintf("%s/image/%s/root", env->tmpdir, p);
}

/* ---- the closure ----------------------------------------------------------
 */

static int cmp_pkg(const void *a, const void *b)
{
	return strcmp(((const struct image_pkg *)a)->cpv,
		      ((const struct image_pkg *)b)->cpv);
}

static void mark(const struct build_result *res, size_t i, bool *in)
{
	if (in[i] || res->v[i].provided)
		return;
	in[i] = true;
	for (size_t k = 0; k < res->v[i].n_rdeps; k++)
		mark(res, res->v[i].rdeps[k], in);
}

/* What the targets need at run time: RDEPEND, PDEPEND and IDEPEND from
 * the targets on, never BDEPEND or DEPEND (no compiler, no headers). */
static int runtime_closure(struct image *im, const struct build_result *res,
			   struct gild_err *err)
{
	_cleanup_free_ bool *in = xcalloc(res->n + 1, sizeof(bool));

	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].target)
			mark(res, i, in);
	im->pkgs = xcalloc(res->n + 1, sizeof(*im->pkgs));
	for (size_t i = 0; i < res->n; i++) {
		if (!in[i])
			continue;
		struct image_pkg *p = &im->pkgs[im->npkgs++];
		const char *slash = strchr(res->v[i].cpv, '/');
		if (!res->v[i].pkg_path || !slash)
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "'%s' has no binary package",
					 res->v[i].cpv);
		p->cpv = xstrdup(res->v[i].cpv);
		p->category = xstrndup(res->v[i].cpv, slash - res->v[i].cpv);
		p->pf = xstrdup(slash + 1);
		p->pkg_path = xstrdup(res->v[i].pkg_path);
		p->meta = (struct gpkg_meta)GPKG_META_INIT;
		p->contents = (struct gpkg_contents)GPKG_CONTENTS_INIT;
		p->deps = xcalloc(res->v[i].n_rdeps + 1, sizeof(char *));
		for (size_t k = 0; k < res->v[i].n_rdeps; k++)
			if (in[res->v[i].rdeps[k]])
				p->deps[p->ndeps++] =
				    xstrdup(res->v[res->v[i].rdeps[k]].cpv);
	}
	qsort(im->pkgs, im->npkgs, sizeof(*im->pkgs), cmp_pkg);
	return 0;
}

/* ---- steps ------------------------------------------------------------ */

static int build_packages(struct image *im, struct gild_err *err)
{
	_cleanup_(build_result_freep) struct build_result *res = NULL;
	struct build_opts bo = im->opts->build;
	char *targets[] = {"@system", "@role"};
	int r;

	bo.rebuild = im->opts->rebuild;
	if ((r = build_plan(im->env, targets, 2, &bo, im->opts->report,
			    im->opts->report_ud, &res, err)) < 0)
		return r;
	return runtime_closure(im, res, err);
}

static char *default_outdir(const struct image *im)
{
	return xasprintf("%s/out/%s/%s", im->env->cfg->tree,
			 im->role.base_profile, im->role.name);
}

static uint64_t payload_bytes(struct image *im)
{
	uint64_t total = 0;

	for (size_t i = 0; i < im->files.n; i++) {
		_cleanup_free_ char *h =
		    image_host_path(im, im->files.v[i].path);
		struct stat st;
		if (lstat(h, &st) == 0 && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	return total;
}

/* One step, timed for `gild -v image` (and bench/image-assemble). */
static int timed(struct image *im, const char *what,
		 int (*step)(struct image *, struct gild_err *),
		 struct gild_err *err)
{
	double t0 = gild_now();
	int r = step(im, err);

	gild_ctx_debug(im->ctx, "image: %s: %.3f s", what, gild_now() - t0);
	return r;
}

/* The staging root, from the packages to the checked, clamped tree. */
static int assemble(struct image *im, struct gild_err *err)
{
	int r;

	/* its own step: removing the last image's root (every file of it)
	 * is no part of merging this one's packages */
	if ((r = timed(im, "previous root removed", image_clear_root, err)) <
		0 ||
	    (r = timed(im, "merge", image_merge, err)) < 0 ||
	    (r = timed(im, "role steps", image_steps, err)) < 0 ||
	    (r = timed(im, "hardening", image_harden, err)) < 0 ||
	    (r = timed(im, "installed-package database", image_write_vdb,
		       err)) < 0 ||
	    (r = timed(im, "checks", image_check, err)) < 0)
		return r;
	return timed(im, "times", image_clamp_times, err);
}

static int write_all(struct image *im, const char *dir,
		     struct image_result *res, struct gild_err *err)
{
	int r;

	res->bytes = payload_bytes(im);
	res->nfiles = im->files.n;
	if ((r = gild_mkdir_p(dir, 0755, err)) < 0 ||
	    (r = image_write_outputs(im, dir, res, err)) < 0 ||
	    (r = image_write_manifest(im, dir, err)) < 0 ||
	    (r = image_write_hardening(im, dir, err)) < 0 ||
	    (r = image_write_sbom(im, dir, res, err)) < 0)
		return r;
	/* last: image.json names a complete image (image_is_current) */
	return image_write_json(im, dir, res, err);
}

static void fill_result(struct image *im, const char *outdir,
			struct image_result *res)
{
	res->image_id = xstrdup(im->image_id);
	res->outdir = xstrdup(outdir);
	res->role = xstrdup(im->role.name);
	res->profile = xstrdup(im->role.profile);
	res->npkgs = im->npkgs;
}

/* Two `gild image` of one role share its work directory: the second
 * waits for the first (and then usually finds the image up to date). */
static int lock_workdir(struct image *im, struct gild_err *err)
{
	_cleanup_free_ char *path = gild_path_join(im->workdir, ".lock");
	int fd;

	if (im->lock_fd != -1)
		return 0; /* held already (or by the caller: -2) */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return gild_fail_errno(err, path, "cannot create lock");
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		gild_ctx_info(im->ctx, "waiting for another gild image of %s",
			      im->role.profile);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				close(fd);
				return gild_fail_errno(err, path,
						       "cannot lock");
			}
	}
	im->lock_fd = fd;
	return 0;
}

static int prepare(struct image *im, struct build_env *env,
		   const struct image_opts *o, const char *rootname,
		   struct gild_err *err)
{
	_cleanup_free_ char *root = image_root_dir(env);
	int r;

	im->env = env;
	im->ctx = env->ctx;
	im->opts = o;
	im->workdir = xstrdup(root);
	*strrchr(im->workdir, '/') = '\0';
	im->root = gild_path_join(im->workdir, rootname);
	if ((r = image_role_load(im, err)) < 0 ||
	    (r = gild_mkdir_p(im->workdir, 0755, err)) < 0)
		return r;
	return lock_workdir(im, err);
}

/* Prepare, build what is missing, and compute the image-id. */
static int plan_image(struct image *im, struct build_env *env,
		      const struct image_opts *o, const char *rootname,
		      struct gild_err *err)
{
	int r;

	if ((r = prepare(im, env, o, rootname, err)) < 0 ||
	    (r = build_packages(im, err)) < 0)
		return r;
	return image_compute_id(im, err);
}

static int make_image(struct image *im, const char *outdir,
		      struct image_result *res, struct gild_err *err)
{
	int r;

	if ((r = assemble(im, err)) < 0 ||
	    (r = write_all(im, outdir, res, err)) < 0)
		return r;
	for (size_t i = 0; i < im->hardening.n; i++)
		gild_strv_add(&res->hardening, im->hardening.v[i]);
	return 0;
}

/* --verify-reproducible: the image again, in another root and output
 * directory, with another time zone and locale, then every output
 * compared byte for byte (image-verify.c). */
static int verify_again(struct build_env *env, const struct image_opts *o,
			const char *outdir, const struct image_result *first,
			struct gild_err *err)
{
	struct image im = {.lock_fd = -2}; /* the first build holds it */
	struct image_result res = {0};
	_cleanup_free_ char *dir = NULL;
	int r;

	/* another time zone and locale for the second build, put back after */
	_cleanup_free_ char *tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	_cleanup_free_ char *lc =
	    getenv("LC_ALL") ? xstrdup(getenv("LC_ALL")) : NULL;
	setenv("TZ", "Pacific/Kiritimati", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	r = plan_image(&im, env, o, "root-verify", err);
	if (r == 0) {
		dir = gild_path_join(im.workdir, "verify-out");
		r = gild_rm_rf(dir, err);
	}
	if (r == 0)
		r = make_image(&im, dir, &res, err);
	if (r == 0)
		r = image_compare_outputs(outdir, dir, first, err);
	image_result_release(&res);
	image_release(&im);
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	if (lc)
		setenv("LC_ALL", lc, 1);
	else
		unsetenv("LC_ALL");
	return r;
}

/* The packages' metadata (read by the merge, or here when the image was
 * up to date), then legal-info/. */
static int legal_info(struct image *im, const char *outdir,
		      struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < im->npkgs; i++)
		if (!im->pkgs[i].meta.n &&
		    (r = gpkg_read_meta(im->pkgs[i].pkg_path, &im->pkgs[i].meta,
					err)) < 0)
			return r;
	return image_write_legal(im, outdir, im->opts->with_sources, err);
}

static int build_image(struct image *im, struct build_env *env,
		       const struct image_opts *o, struct image_result *res,
		       struct gild_err *err)
{
	_cleanup_free_ char *outdir = NULL;
	int r;

	if ((r = plan_image(im, env, o, "root", err)) < 0)
		return r;
	outdir = o->outdir ? xstrdup(o->outdir) : default_outdir(im);
	fill_result(im, outdir, res);
	if (!o->force && !o->verify_reproducible &&
	    image_is_current(im, outdir)) {
		res->unchanged = true;
		return o->legal_info ? legal_info(im, outdir, err) : 0;
	}
	if ((r = make_image(im, outdir, res, err)) < 0 ||
	    (o->legal_info && (r = legal_info(im, outdir, err)) < 0))
		return r;
	return o->verify_reproducible ? verify_again(env, o, outdir, res, err)
				      : 0;
}

int image_build(struct build_env *env, const struct image_opts *o,
		struct image_result *res, struct gild_err *err)
{
	struct image im = {.lock_fd = -1};
	/* the image's modes are set explicitly; this keeps the tools'
	 * own files (mksquashfs' temporaries, say) independent of it too */
	mode_t old = umask(022);
	int r = build_image(&im, env, o, res, err);

	umask(old);
	image_release(&im);
	return r;
}
