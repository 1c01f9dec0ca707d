/* image-phase.c: the packages' pkg_preinst and pkg_postinst (PMS 9.1.x)
 * run during the merge, in the sandbox, as Portage runs them at merge
 * time: pkg_preinst with ${D} the package's image before it is merged,
 * pkg_postinst once its files are in the staging root.
 *
 * Where they run: on the build stage (the root the build phases use),
 * with the staging root bound at the fixed /build/root and ROOT naming it,
 * as Portage runs them for ROOT != / (emerge --root), not chrooted into
 * the image as catalyst does: a golden image is minimal and often has no
 * bash, and a phase needs bash and ebuild.sh. The fixed path keeps the
 * host's work directory out of anything a phase writes.
 *
 * Owners: inside uid 0 is never host uid 0, so while a package with these
 * phases is merged the staging root's owners are moved into the sandbox's
 * range (host BUILD_HOST_ID_BASE + id), as image-run.c does for a run, and
 * moved back once the merge is done; packages without them cost nothing.
 *
 * What a phase writes into the staging root gets "pkg_postinst of cat/pf"
 * (or pkg_preinst) as its origin in struct image_files. A failing phase
 * fails the image (Portage only warns for pkg_postinst): a golden image
 * must not silently differ from the text that describes it. */
#include "image-impl.h"
#include "sandbox/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#define PHASE_ID_BASE BUILD_HOST_ID_BASE
#define PHASE_ID_COUNT 65536u

/* ---- which packages have them ------------------------------------------ */

int image_pkg_phases(struct image *im, struct image_pkg *p,
		     struct gild_err *err)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l = NULL;
	_cleanup_free_ char *path = xasprintf("%s.recipe", p->pf);
	const char *text = p->meta.recipe;
	int r;

	if (!text)
		return 0;
	l = recipe_loader_new(tree_root(im->env->tree), RECIPE_LOAD_FUNCTIONS,
			      err);
	if (!l)
		return -GILD_E_NOTFOUND;
	/* the recipe's functions and those of the classes it inherits, as
	 * the build saw them (the classes come from the tree) */
	if ((r = recipe_parse(l, p->category, path, text, strlen(text),
			      &p->recipe, err)) < 0) {
		gild_err_wrap(err, "reading the recipe of %s", p->cpv);
		return r;
	}
	p->has_preinst = recipe_func_find(p->recipe, "pkg_preinst") != NULL;
	p->has_postinst = recipe_func_find(p->recipe, "pkg_postinst") != NULL;
	return 0;
}

/* ---- owners moved into the sandbox's range and back -------------------- */

static long shift_delta;
static const char *shift_bad;

static int shift_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	long uid = (long)st->st_uid + shift_delta;
	long gid = (long)st->st_gid + shift_delta;

	(void)flag;
	(void)ftw;
	/* a hard link's inode was moved at its first name already (the
	 * original ids are below PHASE_ID_BASE, the moved ones above) */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1 &&
	    (st->st_uid >= PHASE_ID_BASE) == (shift_delta > 0))
		return 0;
	if (uid < 0 || gid < 0 || uid >= PHASE_ID_BASE + PHASE_ID_COUNT ||
	    gid >= PHASE_ID_BASE + PHASE_ID_COUNT ||
	    (shift_delta > 0 && (uid < PHASE_ID_BASE || gid < PHASE_ID_BASE))) {
		shift_bad = xstrdup(path);
		errno = ERANGE;
		return -1;
	}
	if (lchown(path, (uid_t)uid, (gid_t)gid) < 0)
		return -1;
	/* chown clears setuid and setgid: put them back */
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    chmod(path, st->st_mode & 07777) < 0)
		return -1;
	return 0;
}

/* Every owner below dir moved by +base (up) or -base (down). */
static int shift_ids(const char *dir, bool up, struct gild_err *err)
{
	shift_delta = up ? (long)PHASE_ID_BASE : -(long)PHASE_ID_BASE;
	shift_bad = NULL;
	if (nftw(dir, shift_entry, 32, FTW_PHYS) == 0)
		return 0;
	if (shift_bad) {
		_cleanup_free_ char *bad = (char *)shift_bad;
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' has an owner outside the ids a package "
				 "phase can use (0..%u)",
				 bad, PHASE_ID_COUNT - 1);
	}
	return gild_fail_errno(err, dir, "cannot change the owners in");
}

int image_phases_shift(struct image *im, const char *dir, struct gild_err *err)
{
	return im->ids_shifted ? shift_ids(dir, true, err) : 0;
}

int image_phases_begin(struct image *im, struct gild_err *err)
{
	_cleanup_free_ char *log = gild_path_join(im->workdir, "phases.log");
	int r;

	if (unlink(log) < 0 && errno != ENOENT)
		return gild_fail_errno(err, log, "cannot remove");
	for (size_t i = 0; i < im->npkgs; i++)
		if (im->pkgs[i].has_preinst || im->pkgs[i].has_postinst)
			im->ids_shifted = true;
	if (!im->ids_shifted)
		return 0;
	if ((r = shift_ids(im->root, true, err)) < 0)
		return r;
	return 0;
}

int image_phases_end(struct image *im, struct gild_err *err)
{
	int r;

	if (!im->ids_shifted)
		return 0;
	if ((r = shift_ids(im->root, false, err)) < 0)
		return r;
	im->ids_shifted = false;
	return 0;
}

/* ---- the sandbox ------------------------------------------------------- */

/* <workdir>/phase/gild: the helpers, the phase script, the recipe text
 * from the package, and its classes from the tree. */
static int write_text(const char *path, const char *text, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	int r;

	if ((r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return r;
	fputs(text, af.f);
	return gild_atomic_commit(&af, err);
}

static int stage_gild_dir(struct image *im, const struct image_pkg *p,
			  const char *g, struct gild_err *err)
{
	_cleanup_free_ char *classes = gild_path_join(g, "classes");
	const char *root = tree_root(im->env->tree);
	int r;

	if ((r = gild_rm_rf(g, err)) < 0 ||
	    (r = gild_mkdir_p(classes, 0755, err)) < 0)
		return r;
	/* the recipe and classes, for /gild/pkg; ebuild.sh and phase.sh
	 * are the builds' shared /gild */
	_cleanup_free_ char *p3 = gild_path_join(g, "recipe");
	if ((r = write_text(p3, p->meta.recipe, err)) < 0)
		return r;
	for (size_t i = 0; i < p->recipe->n_inherited; i++) {
		const char *c = p->recipe->inherited[i];
		_cleanup_free_ char *from =
		    xasprintf("%s/recipes/classes/%s.class", root, c);
		_cleanup_free_ char *to = xasprintf("%s/%s.class", classes, c);
		_cleanup_free_ char *text = NULL;
		size_t n;
		if ((r = gild_read_file(from, &text, &n, err)) < 0 ||
		    (r = write_text(to, text, err)) < 0)
			return r;
	}
	return 0;
}

/* The variables PMS gives pkg_preinst and pkg_postinst (EAPI 7 and 8:
 * ROOT, EROOT, D and ED without a trailing slash; D and ED only in
 * pkg_preinst, PMS table 11.2). */
static int phase_env(const struct image_pkg *p, const char *phase,
		     struct sandbox_spec *s, struct gild_err *err)
{
	const struct recipe *rc = p->recipe;
	_cleanup_free_ char *eapi = xasprintf("%d", rc->eapi);
	_cleanup_free_ char *sde = xasprintf("%lld", (long long)p->sde);
	const char *use = gpkg_meta_get(&p->meta, "USE");
	bool pre = !strcmp(phase, "pkg_preinst");
	const char *kv[][2] = {
	    {"P", rc->p},
	    {"PN", rc->pn},
	    {"PV", rc->pv},
	    {"PR", rc->pr},
	    {"PVR", rc->pvr},
	    {"PF", rc->pf},
	    {"CATEGORY", rc->category},
	    {"SLOT", rc->slot},
	    {"EAPI", eapi},
	    {"USE", use ? use : ""},
	    {"MERGE_TYPE", "binary"},
	    {"REPLACING_VERSIONS", ""},
	    {"T", "/build/temp"},
	    {"TMPDIR", "/build/temp"},
	    {"HOME", "/build/home"},
	    {"EPREFIX", ""},
	    {"ROOT", "/build/root"},
	    {"EROOT", "/build/root"},
	    {"SOURCE_DATE_EPOCH", sde},
	    {pre ? "D" : NULL, "/build/image"},
	    {pre ? "ED" : NULL, "/build/image"},
	};
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(kv); i++)
		if (kv[i][0] &&
		    (r = sandbox_spec_setenv(s, kv[i][0], kv[i][1], err)) < 0)
			return r;
	return 0;
}

static int phase_mounts(struct image *im, const char *g, const char *image,
			struct sandbox_spec *s, struct gild_err *err)
{
	const struct build_env *e = im->env;
	_cleanup_free_ char *lib = NULL;
	int r;

	if (e->stage_root)
		sandbox_spec_set_root(s, e->stage_root);
	if ((r = build_shared_lib_dir(e, &lib, err)) < 0 ||
	    (r = sandbox_spec_add_ro(s, lib, "/gild", err)) < 0 ||
	    (r = sandbox_spec_add_ro(s, g, "/gild/pkg", err)) < 0 ||
	    (r = sandbox_spec_add_rw(s, im->root, "/build/root", err)) < 0 ||
	    (r = sandbox_spec_add_tmpfs(s, "/build/temp", 256u << 20, err)) <
		0 ||
	    (r = sandbox_spec_add_tmpfs(s, "/build/home", 16u << 20, err)) < 0)
		return r;
	/* read-only: the image records the package as its Manifest and
	 * CONTENTS have it, so pkg_preinst may look at ${D}, not change it */
	if (image &&
	    (r = sandbox_spec_add_ro(s, image, "/build/image", err)) < 0)
		return r;
	sandbox_spec_set_timeout(s, (unsigned)e->phase_timeout);
	sandbox_spec_set_mem(s, e->mem);
	sandbox_spec_set_nproc(s, (unsigned)e->nproc);
	sandbox_spec_set_fsize(s, e->fsize);
	return 0;
}

/* ---- what a phase wrote ------------------------------------------------ */

/* Paths of the staging root that are new, or files changed after t0: by
 * ctime, which a phase cannot set back (touch -d sets the mtime). A
 * directory only counts when new: merging into it changes it too. */
static bool after(const struct timespec *a, const struct timespec *t0)
{
	return a->tv_sec > t0->tv_sec ||
	       (a->tv_sec == t0->tv_sec && a->tv_nsec > t0->tv_nsec);
}

static void find_written(struct image *im, const char *dir,
			 const struct timespec *t0, struct gild_strv *out)
{
	_cleanup_free_ char *host = image_host_path(im, dir[0] ? dir : "/");
	DIR *d = opendir(host);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		_cleanup_free_ char *h = image_host_path(im, sub);
		struct stat st;
		if (lstat(h, &st) < 0)
			continue;
		bool known = image_files_find(&im->files, sub) != NULL;
		if (!known || (!S_ISDIR(st.st_mode) && after(&st.st_ctim, t0)))
			gild_strv_add(out, sub);
		if (S_ISDIR(st.st_mode))
			find_written(im, sub, t0, out);
	}
	closedir(d);
}

static void record_written(struct image *im, const struct image_pkg *p,
			   const char *phase, const struct timespec *t0)
{
	_cleanup_(gild_strv_releasep) struct gild_strv w = GILD_STRV_INIT;
	_cleanup_free_ char *o = xasprintf("%s of %s", phase, p->cpv);
	const char *origin = image_origin(im, o);

	find_written(im, "", t0, &w);
	for (size_t i = 0; i < w.n; i++) {
		_cleanup_free_ char *h = image_host_path(im, w.v[i]);
		struct stat st;
		enum gpkg_ftype t = GPKG_OBJ;
		if (lstat(h, &st) == 0)
			t = S_ISDIR(st.st_mode)	  ? GPKG_DIR
			    : S_ISLNK(st.st_mode) ? GPKG_SYM
						  : GPKG_OBJ;
		image_files_add(&im->files, w.v[i], origin, t, false);
	}
}

/* The part of the log one phase wrote, for `gild -v image`. */
static void debug_log(struct image *im, const char *log, long from)
{
	FILE *f = fopen(log, "re");
	char line[1024];

	if (!f)
		return;
	if (fseek(f, from, SEEK_SET) == 0)
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			gild_ctx_debug(im->ctx, "  %s", line);
		}
	fclose(f);
}

static int open_log(const char *log, long *start, struct gild_err *err)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0)
		return gild_fail_errno(err, log, "cannot open");
	*start = fstat(fd, &st) == 0 ? (long)st.st_size : 0;
	return fd;
}

/* The time the file system gives a change now, from a marker beside the
 * staging root: the clock cannot stand in for it (file systems take the
 * coarse clock, or a finer one for a file whose times were just read), so
 * a change made before this point could look newer than clock_gettime. */
static int fs_now(struct image *im, struct timespec *t0, struct gild_err *err)
{
	_cleanup_free_ char *p = xasprintf("%s/phase/.now", im->workdir);
	_cleanup_close_ int fd =
	    open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0 || write(fd, "", 1) != 1 || fstat(fd, &st) < 0)
		return gild_fail_errno(err, p, "cannot write");
	*t0 = st.st_ctim;
	return 0;
}

int image_pkg_phase(struct image *im, const struct image_pkg *p,
		    const char *phase, const char *image, struct gild_err *err)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	_cleanup_free_ char *g = xasprintf("%s/phase/gild", im->workdir);
	_cleanup_free_ char *log = gild_path_join(im->workdir, "phases.log");
	_cleanup_close_ int fd = -1;
	const char *argv[] = {"bash", "/gild/phase.sh", phase, NULL};
	struct sandbox_status st;
	long start = 0;
	int r;

	gild_ctx_debug(im->ctx, "image: %s: %s", p->cpv, phase);
	if ((r = stage_gild_dir(im, p, g, err)) < 0 ||
	    (r = phase_mounts(im, g, image, s, err)) < 0 ||
	    (r = phase_env(p, phase, s, err)) < 0)
		return r;
	if ((fd = open_log(log, &start, err)) < 0)
		return fd;
	dprintf(fd, ">>> %s: %s\n", p->cpv, phase);
	sandbox_spec_set_host_range(s, PHASE_ID_BASE, PHASE_ID_BASE,
				    PHASE_ID_COUNT);
	sandbox_spec_set_inside_ids(s, 0, 0);
	sandbox_spec_set_cwd(s, "/build/temp");
	sandbox_spec_set_stdio(s, fd, fd);
	sandbox_spec_set_argv(s, argv);
	struct timespec t0;
	if ((r = fs_now(im, &t0, err)) < 0)
		return r;
	r = sandbox_run(s, &st, err);
	debug_log(im, log, start);
	if (r < 0)
		return r;
	record_written(im, p, phase, &t0);
	if (st.status == 0)
		return 0;
	return gild_fail(err, -GILD_E_BUILD, NULL,
			 "'%s': %s failed (%s%sstatus %d); log: %s", p->cpv,
			 phase, st.message, st.message[0] ? ", " : "",
			 st.status, log);
}
