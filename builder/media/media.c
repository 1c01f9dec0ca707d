/* media.c: what every boot medium starts with: the role's image, the work
 * directory, the kernel command line and the boot packages (the flow is
 * in media.h). */
#include "media-impl.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* What boots a medium when the profile does not say (BOOT_PACKAGES). */
#define MEDIA_DEFAULT_PACKAGES "sys-kernel/gild-kernel sys-boot/grub"
#define MEDIA_DEFAULT_CMDLINE "console=ttyS0,115200"

void media_release(struct media *m)
{
	image_result_release(&m->img);
	free(m->workdir);
	free(m->cmdline);
	free(m->kernel);
	free(m->eltorito);
	free(m->mbr);
	free(m->bootimg);
	free(m->coreimg);
	free(m->efi);
	free(m->grubcfg);
	free(m->esp);
	gild_strv_release(&m->sbom_pkgs);
}

void media_result_release(struct media_result *r)
{
	free(r->label);
	for (size_t i = 0; i < r->nout; i++)
		free(r->out[i].path);
	memset(r, 0, sizeof(*r));
}

static const char *config_or(const struct media *m, const char *name,
			     const char *dflt)
{
	const char *v = config_get(m->env->cfg, name);

	return v && *v ? v : dflt;
}

int media_check_tools(const char *const (*tools)[2], size_t n,
		      struct gild_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (!image_have_tool(tools[i][0]))
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "'%s' is not installed (Debian "
					 "package '%s')",
					 tools[i][0], tools[i][1]);
	return 0;
}

char *media_log(const struct media *m, const char *what)
{
	return xasprintf("%s/%s.log", m->workdir, what);
}

char *media_sde_env(const struct media *m)
{
	return xasprintf("SOURCE_DATE_EPOCH=%lld", (long long)m->sde);
}

uint64_t media_file_size(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

void media_uuid(const struct media *m, int salt, char out[37])
{
	image_uuid(m->img.image_id, salt, out);
}

int media_write_file(struct media *m, const char *out,
		     int (*write)(struct media *m, const char *tmp, void *ud,
				  struct gild_err *err),
		     void *ud, struct gild_err *err)
{
	_cleanup_free_ char *dir = xstrdup(out);
	_cleanup_free_ char *tmp = NULL;
	char *slash = strrchr(dir, '/');
	int r;

	if (slash)
		*slash = 0;
	tmp =
	    xasprintf("%s/.%s.tmp", slash ? dir : ".", slash ? slash + 1 : out);
	if ((r = gild_mkdir_p(slash ? dir : ".", 0755, err)) < 0)
		return r;
	unlink(tmp);
	if ((r = write(m, tmp, ud, err)) < 0) {
		unlink(tmp);
		return r;
	}
	if (rename(tmp, out) != 0) {
		r = gild_fail_errno(err, out, "cannot rename '%s' to", tmp);
		unlink(tmp);
		return r;
	}
	return 0;
}

int media_add_output(struct media_result *res, const char *path,
		     struct gild_err *err)
{
	struct media_output *o = &res->out[res->nout++];

	o->path = xstrdup(path);
	o->size = media_file_size(path);
	return gpkg_hash_file("SHA256", path, o->sha256, sizeof(o->sha256),
			      NULL, err);
}

int media_disk_rootfs(const struct media *m, const char **out,
		      struct gild_err *err)
{
	const char *v = config_get(m->env->cfg, "DISK_ROOTFS");

	if (!v || !*v || !strcmp(v, "ext4"))
		*out = "rootfs.ext4";
	else if (!strcmp(v, "erofs"))
		*out = "rootfs.erofs";
	else
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "DISK_ROOTFS=\"%s\" of profile '%s': give "
				 "ext4 or erofs",
				 v, m->env->cfg->profile->name);
	return 0;
}

/* ---- reproducibility -------------------------------------------------- */

/* The first byte at which the files a and b differ. */
static int first_difference(const char *a, const char *b, uint64_t *at,
			    struct gild_err *err)
{
	_cleanup_fclose_ FILE *fa = fopen(a, "re");
	_cleanup_fclose_ FILE *fb = fopen(b, "re");
	int ca, cb;

	if (!fa || !fb)
		return gild_fail_errno(err, fa ? b : a, "cannot open");
	for (*at = 0;; (*at)++) {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb || ca == EOF)
			return 0;
	}
}

static int compare_results(const struct media_result *a,
			   const struct media_result *b, struct gild_err *err)
{
	uint64_t at = 0;
	int r;

	if (a->nout != b->nout)
		return gild_fail(err, -GILD_E_BUILD, NULL,
				 "not reproducible: the second assembly wrote "
				 "%zu files, the first %zu",
				 b->nout, a->nout);
	for (size_t i = 0; i < a->nout; i++) {
		if (!strcmp(a->out[i].sha256, b->out[i].sha256))
			continue;
		if ((r = first_difference(a->out[i].path, b->out[i].path, &at,
					  err)) < 0)
			return r;
		return gild_fail(err, -GILD_E_BUILD, NULL,
				 "not reproducible: '%s' and its second "
				 "assembly '%s' differ first at byte %llu",
				 a->out[i].path, b->out[i].path,
				 (unsigned long long)at);
	}
	return 0;
}

/* The assembly again in another work directory, under another umask and
 * time zone, and its outputs compared byte for byte with the first's. */
static int assemble_again(struct media *m, media_assemble_fn fn,
			  const void *opts, const struct media_result *first,
			  struct gild_err *err)
{
	_cleanup_(media_result_releasep) struct media_result again = {0};
	_cleanup_free_ char *tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	char *workdir = m->workdir;
	_cleanup_free_ char *dir = NULL;
	mode_t old;
	int r;

	m->workdir = gild_path_join(workdir, "repro");
	dir = gild_path_join(m->workdir, "out");
	if ((r = gild_mkdir_p(dir, 0755, err)) == 0) {
		old = umask(077);
		setenv("TZ", "Pacific/Kiritimati", 1);
		r = fn(m, opts, dir, &again, err);
		umask(old);
		if (tz)
			setenv("TZ", tz, 1);
		else
			unsetenv("TZ");
	}
	free(m->workdir);
	m->workdir = workdir;
	return r < 0 ? r : compare_results(first, &again, err);
}

int media_assemble(struct media *m, media_assemble_fn fn, const void *opts,
		   struct media_result *res, struct gild_err *err)
{
	const char *dir = m->o->outdir ? m->o->outdir : m->img.outdir;
	int r;

	if ((r = fn(m, opts, dir, res, err)) < 0 || !m->o->verify_reproducible)
		return r;
	return assemble_again(m, fn, opts, res, err);
}

/* ---- the image -------------------------------------------------------- */

/* The image's SOURCE_DATE_EPOCH, as image.json records it (the image may
 * be up to date, and then only its outputs tell). */
static int read_sde(struct media *m, struct gild_err *err)
{
	_cleanup_free_ char *path = gild_path_join(m->img.outdir, "image.json");
	_cleanup_free_ char *text = NULL;
	const char *key = "\"source_date_epoch\": ";
	char *p;
	size_t len;
	int r;

	if ((r = gild_read_file(path, &text, &len, err)) < 0)
		return r;
	if (!(p = strstr(text, key)))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' has no source_date_epoch", path);
	m->sde = strtoll(p + strlen(key), NULL, 10);
	/* xorriso and mtools read SOURCE_DATE_EPOCH=0 as unset and date some
	 * entries with the time of day: the epoch 0 (packages dated 1970)
	 * is written as 1 */
	if (m->sde < 1)
		m->sde = 1;
	return 0;
}

static int build_image(struct media *m, struct gild_err *err)
{
	struct image_opts io = {.report = m->o->report,
				.report_ud = m->o->report_ud,
				.build = m->o->build,
				.verify_reproducible =
				    m->o->verify_reproducible};
	_cleanup_free_ char *fs = NULL;
	int r;

	if ((r = image_build(m->env, &io, &m->img, err)) < 0)
		return r;
	fs = gild_path_join(m->img.outdir, m->rootfs);
	if (access(fs, R_OK) != 0)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "the image in '%s' has no %s (the role's "
				 "IMAGE_FORMATS must include %s)",
				 m->img.outdir, m->rootfs,
				 strchr(m->rootfs, '.') + 1);
	return read_sde(m, err);
}

/* ---- the boot packages ------------------------------------------------ */

/* The first entry of dir, in name order, whose name starts with prefix,
 * or NULL (name order: readdir's depends on the file system). */
static char *find_prefixed(const char *dir, const char *prefix)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	char *found = NULL;

	for (int i = 0; i < n; i++) {
		if (!found && gild_startswith(names[i]->d_name, prefix))
			found = gild_path_join(dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return found;
}

/* Set *out to the first of the extracted packages holding rel. */
static void find_in(const struct gild_strv *dirs, const char *rel, char **out)
{
	for (size_t i = 0; i < dirs->n && !*out; i++) {
		char *p = gild_path_join(dirs->v[i], rel);
		if (access(p, R_OK) == 0)
			*out = p;
		else
			free(p);
	}
}

static int find_kernel(struct media *m, const struct gild_strv *dirs,
		       struct gild_err *err)
{
	for (size_t i = 0; i < dirs->n && !m->kernel; i++) {
		_cleanup_free_ char *boot = gild_path_join(dirs->v[i], "boot");
		m->kernel = find_prefixed(boot, "vmlinuz-");
	}
	if (!m->kernel)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no package of BOOT_PACKAGES installs "
				 "/boot/vmlinuz-* (a kernel: "
				 "sys-kernel/gild-kernel)");
	return 0;
}

/* A kernel with modules boots a root that has them: the image carries
 * the same kernel package (the role lists it), whose modules got their
 * index (depmod) when the image was assembled. Without, modprobe would
 * find nothing on the running system. */
static int check_modules(struct media *m, struct gild_err *err)
{
	const char *ver = strrchr(m->kernel, '/') + strlen("/vmlinuz-");
	_cleanup_free_ char *pkgroot =
	    xstrndup(m->kernel, (size_t)(strrchr(m->kernel, '/') - m->kernel));
	_cleanup_free_ char *mods =
	    xasprintf("%s/../lib/modules/%s", pkgroot, ver);
	_cleanup_free_ char *manifest =
	    gild_path_join(m->img.outdir, "manifest.txt");
	_cleanup_free_ char *want =
	    xasprintf(" /lib/modules/%s/modules.dep ", ver);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	if (access(mods, F_OK) != 0)
		return 0;
	if ((r = gild_read_file(manifest, &text, &len, err)) < 0)
		return r;
	if (strstr(text, want))
		return 0;
	return gild_fail(err, -GILD_E_INVALID, NULL,
			 "the kernel of BOOT_PACKAGES has modules "
			 "(/lib/modules/%s), but the image of role '%s' does "
			 "not carry them: add the kernel package to the "
			 "role's packages (role.set), so that its modules "
			 "and their index are in the root file system",
			 ver, m->img.role);
}

static int find_grub(struct media *m, const struct gild_strv *dirs,
		     struct gild_err *err)
{
	static const char *const rel[] = {
	    "usr/lib/grub/i386-pc/eltorito.img",
	    "usr/lib/grub/i386-pc/boot_hybrid.img",
	    "usr/lib/grub/i386-pc/boot.img", "usr/lib/grub/i386-pc/core.img",
	    "usr/lib/grub/x86_64-efi/BOOTX64.EFI"};
	char **out[] = {&m->eltorito, &m->mbr, &m->bootimg, &m->coreimg,
			&m->efi};

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		find_in(dirs, rel[i], out[i]);
		if (!*out[i])
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "no package of BOOT_PACKAGES installs "
					 "/%s (the boot loader: "
					 "sys-boot/grub)",
					 rel[i]);
	}
	return 0;
}

int media_build_packages(struct media *m, const char *var, const char *def,
			 struct build_result **res, struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv targets = {0};
	struct build_opts bo = m->o->build;
	int r;

	gild_split_words(config_or(m, var, def), &targets);
	if (!targets.n)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "%s of profile '%s' names no package", var,
				 m->env->cfg->profile->name);
	if ((r = build_plan(m->env, targets.v, (int)targets.n, &bo,
			    m->o->report, m->o->report_ud, res, err)) < 0)
		return r;
	for (size_t i = 0; i < (*res)->n; i++)
		if ((*res)->v[i].target && (*res)->v[i].pkg_path)
			gild_strv_add(&m->sbom_pkgs, (*res)->v[i].pkg_path);
	return 0;
}

/* Each target package of the plan extracted under workdir/pkgs/. */
static int extract_targets(struct media *m, const struct build_result *res,
			   struct gild_strv *dirs, struct gild_err *err)
{
	_cleanup_free_ char *top = gild_path_join(m->workdir, "pkgs");
	int r;

	if ((r = gild_rm_rf(top, err)) < 0 ||
	    (r = gild_mkdir_p(top, 0755, err)) < 0)
		return r;
	for (size_t i = 0; i < res->n; i++) {
		if (!res->v[i].target || !res->v[i].pkg_path)
			continue;
		char *d = xasprintf("%s/%zu", top, i);
		gild_strv_push(dirs, d);
		if ((r = gpkg_extract(res->v[i].pkg_path, d, err)) < 0)
			return r;
	}
	return 0;
}

static int boot_packages(struct media *m, struct gild_err *err)
{
	_cleanup_(build_result_freep) struct build_result *res = NULL;
	_cleanup_(gild_strv_releasep) struct gild_strv dirs = {0};
	int r;

	if ((r = media_build_packages(m, "BOOT_PACKAGES",
				      MEDIA_DEFAULT_PACKAGES, &res, err)) < 0 ||
	    (r = extract_targets(m, res, &dirs, err)) < 0 ||
	    (r = find_kernel(m, &dirs, err)) < 0 ||
	    (r = check_modules(m, err)) < 0)
		return r;
	return find_grub(m, &dirs, err);
}

/* The work directory of this kind of medium and profile, emptied. */
static int make_workdir(struct media *m, struct gild_err *err)
{
	_cleanup_free_ char *p = xstrdup(m->env->cfg->profile->name);
	int r;

	for (char *s = p; *s; s++)
		if (*s == '/')
			*s = '_';
	m->workdir = xasprintf("%s/%s/%s", m->env->tmpdir, m->kind, p);
	if ((r = gild_rm_rf(m->workdir, err)) < 0)
		return r;
	return gild_mkdir_p(m->workdir, 0755, err);
}

int media_prepare(struct media *m, struct gild_err *err)
{
	static const char *const renamed[][2] = {
	    {"ISO_PACKAGES", "BOOT_PACKAGES"}, {"ISO_CMDLINE", "BOOT_CMDLINE"}};
	int r;

	/* a profile written for an older gild would silently get the
	 * defaults */
	for (size_t i = 0; i < 2; i++) {
		const char *v = config_get(m->env->cfg, renamed[i][0]);
		if (v && *v)
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "%s is now %s (profile '%s')",
					 renamed[i][0], renamed[i][1],
					 m->env->cfg->profile->name);
	}

	if ((r = build_image(m, err)) < 0 || (r = make_workdir(m, err)) < 0)
		return r;
	m->cmdline =
	    xstrdup(config_or(m, "BOOT_CMDLINE", MEDIA_DEFAULT_CMDLINE));
	return boot_packages(m, err);
}
