/* build-clean.c: what `gild clean` may remove from the work area, DISTDIR
 * and PKGDIR, and removing it (eclean's two passes: list, then remove).
 *
 * Nothing a running gild uses is removed, and each kind of thing has its
 * own way of telling whether it is in use:
 *  - a build's work directory <tmpdir>/CAT/PF: the build's flock on
 *    <tmpdir>/CAT/.PF.lock (build.c), likewise under <tmpdir>/.repro;
 *  - an image's work directory <tmpdir>/image/PROFILE: its flock on
 *    .lock inside it (image.c); its contents go, the lock file stays;
 *  - what holds no lock of its own (the media's <tmpdir>/iso|disk/P,
 *    `gild image run`'s <tmpdir>/image/run.PID, half-unpacked stages
 *    <tmpdir>/stage/HASH.tmp.PID, the builds' shared /gild of other gild
 *    versions and half-written ones (<tmpdir>/lib/NAME), <tmpdir>/.repro's
 *    packages and comparisons): every gild that opens a build environment
 *    holds a shared flock on <tmpdir>/.area.lock (build-env.c), so
 *    these go only when `gild clean` can take it exclusively: no other
 *    gild runs;
 *  - a partial download DISTDIR/NAME.__download__: the fetch's OFD lock
 *    on DISTDIR/.locks/NAME (fetch.c);
 *  - a package's temporaries PKGDIR/CAT/.NAME.tmp.*: the writer's flock
 *    on PKGDIR/CAT/.NAME.lock (gpkg.c), the index's on PKGDIR/.gild.lock.
 * Lock files stay: removing one while a waiter has it open would let two
 * holders in. */
#include "build/build.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/file.h>

/* ---- sizes -------------------------------------------------------------- */

static uint64_t du_total; /* nftw passes no user data */

static int du_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)path, (void)flag, (void)ftw;
	du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

/* The disk space path takes (du's count, not the lengths). */
static uint64_t disk_usage(const char *path)
{
	du_total = 0;
	(void)nftw(path, du_entry, 16, FTW_PHYS);
	return du_total;
}

/* ---- locks -------------------------------------------------------------- */

/* Take the lock a user of an item holds, without waiting. Returns the fd
 * (>= 0) holding it, -1 when it is held, or -2 when there is no lock
 * (CLEAN_LOCK_NONE, CLEAN_LOCK_AREA) or the file is missing (nothing
 * holds it). With create, a missing lock file is made and taken, so that
 * a build starting meanwhile waits for the removal (builds create theirs
 * the same way). A lock file we may only read is tested, not taken. */
static int try_lock(enum clean_lock kind, const char *path, bool create)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd;

	if (kind == CLEAN_LOCK_NONE || kind == CLEAN_LOCK_AREA)
		return -2;
	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
	if (fd < 0 && errno != ENOENT)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	if (kind == CLEAN_LOCK_FLOCK && flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (kind == CLEAN_LOCK_OFD && fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return fd;
	/* read-only: F_WRLCK needs a writable fd; ask who holds one */
	if (kind == CLEAN_LOCK_OFD && errno == EBADF &&
	    fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK)
		return fd;
	close(fd);
	return -1;
}

/* ---- the plan ----------------------------------------------------------- */

struct collect {
	struct build_env *e;
	struct clean_plan *plan;
	bool area_free; /* we hold <tmpdir>/.area.lock exclusively */
};

static struct clean_item *add_item(struct collect *c, char *path,
				   const char *what, enum clean_lock kind,
				   char *lock)
{
	struct clean_plan *p = c->plan;
	struct clean_item *it;
	int fd;

	gild_grow(&p->v, &p->cap, p->n + 1, sizeof(*p->v));
	it = &p->v[p->n++];
	*it = (struct clean_item){
	    .path = path, .what = what, .lock_kind = kind, .lock = lock};
	if (kind == CLEAN_LOCK_AREA && !c->area_free)
		it->in_use = "another gild is using the work area";
	else if ((fd = try_lock(kind, lock, false)) == -1)
		it->in_use = "in use: its lock is held";
	else if (fd >= 0)
		close(fd);
	if (!it->in_use)
		it->bytes = disk_usage(path);
	return it;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The sorted names in dir (no "." or ".."); empty when it cannot be read. */
static void list_dir(const char *dir, struct gild_strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			gild_strv_add(out, de->d_name);
	closedir(d);
	gild_strv_sort(out);
}

/* <area>/CAT/PF of builds, each under its flock <area>/CAT/.PF.lock. */
static void collect_builds(struct collect *c, const char *area, const char *cat)
{
	_cleanup_free_ char *dir = gild_path_join(area, cat);
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++) {
		char *path = gild_path_join(dir, names.v[i]);
		if (names.v[i][0] == '.' || !is_dir(path)) {
			free(path);
			continue;
		}
		add_item(c, path, "build work directory", CLEAN_LOCK_FLOCK,
			 xasprintf("%s/.%s.lock", dir, names.v[i]));
	}
}

/* Does dir hold anything but its ".lock"? */
static bool has_more_than_lock(const char *dir)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;

	list_dir(dir, &names);
	return names.n > 1 || (names.n == 1 && strcmp(names.v[0], ".lock"));
}

/* <tmpdir>/image/NAME: a role's (under its .lock), or an `image run`'s. */
static void collect_images(struct collect *c, const char *dir)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++) {
		char *path = gild_path_join(dir, names.v[i]);
		char *lock = gild_path_join(path, ".lock");
		/* a link there is no work directory of ours: following it
		 * would empty its target */
		if (!is_dir(path)) {
			free(path);
			free(lock);
			continue;
		}
		if (access(lock, F_OK) == 0 && !has_more_than_lock(path)) {
			free(path);
			free(lock);
			continue;
		}
		if (access(lock, F_OK) == 0) {
			struct clean_item *it =
			    add_item(c, path, "image work directory",
				     CLEAN_LOCK_FLOCK, lock);
			it->keep_lock_file = true;
			continue;
		}
		free(lock);
		add_item(c, path, "image run directory", CLEAN_LOCK_AREA, NULL);
	}
}

/* Everything under dir, each as one item that needs the area lock. */
static void collect_unlocked(struct collect *c, const char *dir,
			     const char *what, const char *suffix)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++)
		if (!suffix || strstr(names.v[i], suffix))
			add_item(c, gild_path_join(dir, names.v[i]), what,
				 CLEAN_LOCK_AREA, NULL);
}

/* <tmpdir>/lib/NAME: the builds' shared /gild, one per version of its
 * scripts. Every one but this gild's goes (another gild of another
 * version may use its own: hence the area lock), and half-written ones. */
static void collect_old_libs(struct collect *c, const char *dir)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	_cleanup_free_ char *current = build_lib_name();

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++)
		if (strcmp(names.v[i], current))
			add_item(c, gild_path_join(dir, names.v[i]),
				 strstr(names.v[i], ".tmp.")
				     ? "half-written build library"
				     : "build library of another gild version",
				 CLEAN_LOCK_AREA, NULL);
}

/* A work area: tmpdir itself, or the second builds' <tmpdir>/.repro. */
static void collect_area(struct collect *c, const char *area, bool repro)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;

	list_dir(area, &names);
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		_cleanup_free_ char *path = gild_path_join(area, n);
		if (n[0] == '.' || !is_dir(path))
			continue;
		if (repro && !strcmp(n, "packages"))
			collect_unlocked(c, path, "second build's package",
					 NULL);
		else if (repro && !strcmp(n, "compare"))
			add_item(c, xstrdup(path), "comparison directory",
				 CLEAN_LOCK_AREA, NULL);
		else if (!repro && !strcmp(n, "stage"))
			/* the unpacked stages are a cache; only half-unpacked
			 * ones (stage/HASH.tmp.PID) are left-overs */
			collect_unlocked(c, path, "half-unpacked stage",
					 ".tmp.");
		else if (!strcmp(n, "lib"))
			collect_old_libs(c, path);
		else if (!repro && !strcmp(n, "image"))
			collect_images(c, path);
		else if (!repro && (!strcmp(n, "iso") || !strcmp(n, "disk")))
			collect_unlocked(c, path, "boot media work directory",
					 NULL);
		else
			collect_builds(c, area, n);
	}
}

/* DISTDIR/NAME.__download__, under the fetch's OFD lock .locks/NAME. */
static void collect_downloads(struct collect *c, const char *distdir)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	static const char suffix[] = ".__download__";

	list_dir(distdir, &names);
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		if (!gild_endswith(n, suffix) || n[0] == '.')
			continue;
		add_item(c, gild_path_join(distdir, n), "partial download",
			 CLEAN_LOCK_OFD,
			 xasprintf("%s/.locks/%.*s", distdir,
				   (int)(strlen(n) - strlen(suffix)), n));
	}
}

/* PKGDIR's temporaries: the index's, and each package writer's. */
static void collect_pkg_temps(struct collect *c, const char *pkgdir)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;

	list_dir(pkgdir, &names);
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		_cleanup_free_ char *path = gild_path_join(pkgdir, n);
		if (gild_startswith(n, ".Packages.tmp") ||
		    gild_startswith(n, ".Packages.solv.tmp")) {
			add_item(c, xstrdup(path), "stale index temporary",
				 CLEAN_LOCK_FLOCK,
				 gild_path_join(pkgdir, ".gild.lock"));
			continue;
		}
		if (n[0] == '.' || !is_dir(path))
			continue;
		_cleanup_strv_ struct gild_strv files = GILD_STRV_INIT;
		list_dir(path, &files);
		for (size_t k = 0; k < files.n; k++) {
			const char *f = files.v[k], *t = strstr(f, ".tmp.");
			if (f[0] != '.' || !t || t == f)
				continue;
			add_item(
			    c, gild_path_join(path, f),
			    "stale package temporary", CLEAN_LOCK_FLOCK,
			    xasprintf("%s/%.*s.lock", path, (int)(t - f), f));
		}
	}
}

/* ---- the tree on disk ---------------------------------------------------- *
 * Read from recipes/ as files, not from the loaded tree: a recipe that
 * fails to load is still there, and its package and distfiles stay. */

/* The DIST names of every recipes/CAT/PN/Manifest, sorted. */
static int manifest_dists(const char *tree, struct gild_strv *out,
			  struct gild_err *err)
{
	_cleanup_free_ char *top = gild_path_join(tree, "recipes");
	_cleanup_strv_ struct gild_strv cats = GILD_STRV_INIT;

	list_dir(top, &cats);
	for (size_t i = 0; i < cats.n; i++) {
		_cleanup_free_ char *cdir = gild_path_join(top, cats.v[i]);
		_cleanup_strv_ struct gild_strv pns = GILD_STRV_INIT;
		list_dir(cdir, &pns);
		for (size_t k = 0; k < pns.n; k++) {
			_cleanup_free_ char *mf =
			    xasprintf("%s/%s/Manifest", cdir, pns.v[k]);
			_cleanup_(manifest_freep) struct manifest *m = NULL;
			int r;
			if (access(mf, F_OK) != 0)
				continue;
			/* an unreadable Manifest would make its distfiles
			 * look unlisted: stop rather than remove them */
			if ((r = manifest_load(mf, false, &m, err)) < 0)
				return r;
			for (size_t d = 0; d < m->n; d++)
				if (!strcmp(m->v[d].type, "DIST"))
					gild_strv_add(out, m->v[d].name);
		}
	}
	gild_strv_sort(out);
	return 0;
}

static bool sorted_has(const struct gild_strv *sv, const char *s)
{
	size_t lo = 0, hi = sv->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(sv->v[mid], s);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Distfiles no Manifest lists (eclean-dist's default), and the bad
 * copies fetches moved aside to DISTDIR/.bad. */
static int collect_distfiles(struct collect *c, const char *distdir,
			     struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv listed = GILD_STRV_INIT;
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	_cleanup_free_ char *bad = gild_path_join(distdir, ".bad");
	int r;

	if ((r = manifest_dists(c->e->tree ? tree_root(c->e->tree) : ".",
				&listed, err)) < 0)
		return r;
	list_dir(distdir, &names);
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		_cleanup_free_ char *path = gild_path_join(distdir, n);
		struct stat st;
		if (n[0] == '.' || gild_endswith(n, ".__download__") ||
		    lstat(path, &st) < 0 || S_ISDIR(st.st_mode) ||
		    sorted_has(&listed, n))
			continue;
		add_item(c, xstrdup(path), "distfile no Manifest lists",
			 CLEAN_LOCK_OFD, xasprintf("%s/.locks/%s", distdir, n));
	}
	if (is_dir(bad))
		collect_unlocked(c, bad, "bad copy of a distfile", NULL);
	return 0;
}

/* Packages whose recipe file recipes/CAT/PN/PF.recipe is gone
 * (eclean-pkg's default), each under its writer's lock. */
static void collect_packages(struct collect *c)
{
	const struct binrepo *repo = c->e->repo;
	const char *tree = c->e->tree ? tree_root(c->e->tree) : ".";

	for (size_t i = 0; i < repo->n; i++) {
		const struct binrepo_pkg *p = &repo->pkgs[i];
		_cleanup_free_ char *pn = NULL, *pvr = NULL, *recipe = NULL;
		const char *base = strrchr(p->relpath, '/');
		if (p->error || !p->category[0] ||
		    gpkg_split_pf(p->pf, &pn, &pvr, NULL) < 0)
			continue; /* unreadable: not ours to judge */
		recipe = xasprintf("%s/recipes/%s/%s/%s.recipe", tree,
				   p->category, pn, p->pf);
		if (access(recipe, F_OK) == 0)
			continue;
		base = base ? base + 1 : p->relpath;
		add_item(c, gild_path_join(repo->pkgdir, p->relpath),
			 "package whose recipe is gone", CLEAN_LOCK_FLOCK,
			 xasprintf("%s/%s/.%s.lock", repo->pkgdir, p->category,
				   base))
		    ->package = true;
	}
}

int build_clean_plan(struct build_env *e, unsigned what, struct clean_plan *out,
		     struct gild_err *err)
{
	struct collect c = {.e = e, .plan = out};
	_cleanup_free_ char *repro = gild_path_join(e->tmpdir, ".repro");
	int r;

	/* every other gild holds .area.lock shared (build_env_open) */
	c.area_free =
	    e->area_lock >= 0 && flock(e->area_lock, LOCK_EX | LOCK_NB) == 0;
	out->area_exclusive = c.area_free;
	collect_area(&c, e->tmpdir, false);
	if (is_dir(repro))
		collect_area(&c, repro, true);
	collect_downloads(&c, e->distdir);
	collect_pkg_temps(&c, e->pkgdir);
	if ((what & CLEAN_DISTFILES) &&
	    (r = collect_distfiles(&c, e->distdir, err)) < 0)
		return r;
	if (what & CLEAN_PACKAGES)
		collect_packages(&c);
	return 0;
}

/* ---- removing ------------------------------------------------------------ */

/* Everything in dir but its ".lock". */
static int remove_contents(const char *dir, struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	int r;

	list_dir(dir, &names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *p = gild_path_join(dir, names.v[i]);
		if (strcmp(names.v[i], ".lock") && (r = gild_rm_rf(p, err)) < 0)
			return r;
	}
	return 0;
}

int build_clean_remove(struct clean_item *it, struct gild_err *err)
{
	_cleanup_close_ int fd = -1;

	if (it->in_use)
		return 1;
	/* taken again: a build may have started since the plan was made */
	if ((fd = try_lock(it->lock_kind, it->lock, true)) == -1) {
		it->in_use = "in use: its lock is held";
		return 1;
	}
	return it->keep_lock_file ? remove_contents(it->path, err)
				  : gild_rm_rf(it->path, err);
}

void clean_plan_release(struct clean_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].lock);
	}
	free(p->v);
	*p = (struct clean_plan){0};
}
