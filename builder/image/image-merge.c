/* image-merge.c: the closure's binary packages into the staging root, as
 * Portage merges them: each package verified (Manifest, CONTENTS against
 * the image) before its files count as merged (in one pass straight into
 * the root, or before anything is written on the moving path), a file shipped
 * by two packages refused (collision-protect), INSTALL_MASK applied, and the
 * installed-package database written in Portage's layout. */
#include "image-impl.h"
#include "pms/pms.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

/* INSTALL_MASK (make.conf(5)): an absolute pattern masks that path and
 * everything below it; a pattern without '/' matches file names. */
int image_install_mask_index(const struct gild_strv *mask, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < mask->n; i++) {
		const char *m = mask->v[i];
		size_t n = strlen(m);
		while (n > 1 && m[n - 1] == '/') /* "/usr/share/doc/" */
			n--;
		if (m[0] != '/') {
			if (fnmatch(m, base, 0) == 0)
				return (int)i;
			continue;
		}
		if (fnmatch(m, path, 0) == 0 ||
		    (!strncmp(path, m, n) && (path[n] == '/' || !path[n])))
			return (int)i;
		/* a glob naming a directory masks what is below it */
		_cleanup_free_ char *dir = xstrdup(path);
		for (char *s = strrchr(dir, '/'); s && s != dir;
		     s = strrchr(dir, '/')) {
			*s = '\0';
			if (fnmatch(m, dir, 0) == 0)
				return (int)i;
		}
	}
	return -1;
}

int image_mask_index(const struct image *im, const char *path)
{
	return image_install_mask_index(&im->role.install_mask, path);
}

bool image_masked(const struct image *im, const char *path)
{
	return image_mask_index(im, path) >= 0;
}

static int load_pkg(struct image_pkg *p, struct gild_err *err)
{
	const char *contents;
	int r;

	/* gpkg_extract verifies the Manifest and CONTENTS before it
	 * writes anything; the metadata is enough for the collision check */
	if ((r = gpkg_read_meta(p->pkg_path, &p->meta, err)) < 0)
		return r;
	contents = gpkg_meta_get(&p->meta, "CONTENTS");
	if (!contents)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' has no CONTENTS", p->pkg_path);
	return gpkg_contents_parse(contents, &p->contents, err);
}

struct claim {
	const char *path;
	enum gpkg_ftype type;
	size_t pkg;
};

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->pkg > y->pkg) - (x->pkg < y->pkg);
}

/* Two packages may share directories, nothing else (Portage's
 * collision-protect). Checked over every package before any is merged. */
static int check_collisions(struct image *im, struct gild_err *err)
{
	_cleanup_free_ struct claim *c = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < im->npkgs; i++)
		for (size_t k = 0; k < im->pkgs[i].contents.n; k++) {
			const struct gpkg_entry *e = &im->pkgs[i].contents.e[k];
			gild_grow(&c, &cap, n + 1, sizeof(*c));
			c[n++] = (struct claim){e->path, e->type, i};
		}
	if (n)
		qsort(c, n, sizeof(*c), cmp_claim);
	for (size_t k = 1; k < n; k++) {
		if (strcmp(c[k - 1].path, c[k].path) ||
		    (c[k - 1].type == GPKG_DIR && c[k].type == GPKG_DIR))
			continue;
		if (image_masked(im, c[k].path))
			continue;
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' is shipped by both %s and %s "
				 "(collision-protect: one file, one owner)",
				 c[k].path, im->pkgs[c[k - 1].pkg].cpv,
				 im->pkgs[c[k].pkg].cpv);
	}
	return 0;
}

/* One entry of an unpacked package moved into the root. */
static int move_entry(struct image *im, const char *from,
		      const struct gpkg_entry *e, const char *origin,
		      struct gild_err *err)
{
	_cleanup_free_ char *src = xasprintf("%s%s", from, e->path);
	_cleanup_free_ char *dst = image_host_path(im, e->path);
	struct stat st;

	if (e->type == GPKG_DIR) {
		if (lstat(dst, &st) == 0 && S_ISDIR(st.st_mode))
			return 0; /* shared: the first package's stays */
		/* made, not moved: its entries come one by one */
		if (lstat(src, &st) < 0)
			return gild_fail_errno(err, src, "cannot stat");
		if (mkdir(dst, 0700) < 0 ||
		    chmod(dst, st.st_mode & 07777) < 0 ||
		    lchown(dst, st.st_uid, st.st_gid) < 0)
			return gild_fail_errno(err, dst, "cannot create");
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		(void)utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW);
	} else if (rename(src, dst) < 0) {
		return gild_fail_errno(err, dst, "cannot merge");
	}
	image_files_add(&im->files, e->path, origin, e->type, true);
	return 0;
}

/* A masked entry is left out and counted for hardening.txt (a masked
 * directory's entries match its pattern too, so none is merged into a
 * missing parent). */
static bool skip_masked(struct image *im, const char *from,
			const struct gpkg_entry *e)
{
	int m = image_mask_index(im, e->path);

	if (m < 0)
		return false;
	if (e->type == GPKG_OBJ) {
		_cleanup_free_ char *src = xasprintf("%s%s", from, e->path);
		struct stat st;
		im->mask_files[m]++;
		if (lstat(src, &st) == 0)
			im->mask_bytes[m] += (uint64_t)st.st_size;
	}
	return true;
}

/* A package's epoch for its phases: the newest mtime of its files (its
 * build's SOURCE_DATE_EPOCH), never the clock. */
static int64_t pkg_epoch(const struct image_pkg *p, const char *from)
{
	int64_t t = 0;

	for (size_t k = 0; k < p->contents.n; k++) {
		const struct gpkg_entry *e = &p->contents.e[k];
		_cleanup_free_ char *src = xasprintf("%s%s", from, e->path);
		struct stat st;
		if (e->type != GPKG_DIR && lstat(src, &st) == 0 &&
		    st.st_mtime > t)
			t = st.st_mtime;
	}
	return t;
}

/* ---- straight into the root -------------------------------------------
 * A package without pkg_preinst (nothing needs its files apart from the
 * root) in an image without phases (no ids shifted for the sandbox) is
 * extracted into the staging root itself, read once: no temporary, no
 * second walk to move each entry. What is masked is written (a hard link
 * of the package may point at it) and removed after; a directory the root
 * has already stays the first package's. A package that fails its checks
 * half-way fails the image, whose staging root is made again from empty
 * by the next run. */

struct direct {
	struct image *im;
	const char *origin;
	struct gild_strv masked; /* written, to remove, in archive order */
};

static bool keep_entry(void *ud, const char *path, enum gpkg_ftype type,
		       uint64_t size)
{
	struct direct *d = ud;
	struct image *im = d->im;
	int m = image_mask_index(im, path);
	struct stat st;

	if (type == GPKG_DIR) {
		_cleanup_free_ char *h = image_host_path(im, path);
		if (lstat(h, &st) == 0 && S_ISDIR(st.st_mode))
			return false;
	}
	if (m >= 0) {
		if (type == GPKG_OBJ) {
			im->mask_files[m]++;
			im->mask_bytes[m] += size;
		}
		gild_strv_add(&d->masked, path);
		return true;
	}
	image_files_add(&im->files, path, d->origin, type, true);
	return true;
}

/* The masked entries out again, children before their directories. */
static int remove_masked(struct image *im, const struct gild_strv *masked,
			 struct gild_err *err)
{
	for (size_t i = masked->n; i-- > 0;) {
		_cleanup_free_ char *h = image_host_path(im, masked->v[i]);
		struct stat st;
		if (lstat(h, &st) < 0)
			continue;
		if ((S_ISDIR(st.st_mode) ? rmdir(h) : unlink(h)) < 0 &&
		    errno != ENOTEMPTY)
			return gild_fail_errno(err, h, "cannot remove");
	}
	return 0;
}

/* Whether a path of the package lies below a symlink the root has (a
 * merged /usr: /lib -> usr/lib): 1, and the package takes the moving path,
 * whose rename() follows a relative link inside the root as the running
 * system will (extraction never follows a symlink). Below an absolute
 * link, a rename would leave the staging root for the host's directory:
 * refused. CONTENTS lists every directory, so each entry's own parent is
 * enough. */
static int below_symlink(struct image *im, const struct image_pkg *p,
			 struct gild_err *err)
{
	for (size_t k = 0; k < p->contents.n; k++) {
		_cleanup_free_ char *dir = xstrdup(p->contents.e[k].path);
		char *slash = strrchr(dir, '/'), target[2] = "";
		struct stat st;
		if (!slash || slash == dir)
			continue;
		*slash = '\0';
		_cleanup_free_ char *h = image_host_path(im, dir);
		if (lstat(h, &st) < 0 || !S_ISLNK(st.st_mode))
			continue;
		if (readlink(h, target, 1) == 1 && target[0] == '/')
			return gild_fail(
			    err, -GILD_E_INVALID, NULL,
			    "'%s' of %s lies below the absolute "
			    "symlink '%s' of the image: merging it "
			    "would write outside the image (make "
			    "the link relative)",
			    p->contents.e[k].path, p->cpv, dir);
		return 1;
	}
	return 0;
}

static int merge_direct(struct image *im, struct image_pkg *p,
			struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv masked = {0};
	struct direct d = {im, image_origin(im, p->cpv), {0}};
	int r;

	r = gpkg_extract_scratch(p->pkg_path, im->root, keep_entry, &d, err);
	masked = d.masked;
	if (r < 0 || (r = remove_masked(im, &masked, err)) < 0)
		return r;
	p->sde = pkg_epoch(p, im->root);
	return p->has_postinst
		   ? image_pkg_phase(im, p, "pkg_postinst", NULL, err)
		   : 0;
}

static int merge_pkg(struct image *im, struct image_pkg *p,
		     struct gild_err *err)
{
	_cleanup_free_ char *tmp =
	    xasprintf("%s/unpack/%s/%s", im->workdir, p->category, p->pf);
	const char *origin = image_origin(im, p->cpv);
	int r;

	if ((r = below_symlink(im, p, err)) < 0)
		return r;
	if (!im->ids_shifted && !p->has_preinst && r == 0)
		return merge_direct(im, p, err);
	if ((r = gild_rm_rf(tmp, err)) < 0 ||
	    (r = gpkg_extract(p->pkg_path, tmp, err)) < 0 ||
	    (r = image_phases_shift(im, tmp, err)) < 0)
		return r;
	/* Portage's order (PMS 9.2): pkg_preinst on the image, the merge,
	 * then pkg_postinst on the root */
	p->sde = pkg_epoch(p, tmp);
	if (p->has_preinst &&
	    (r = image_pkg_phase(im, p, "pkg_preinst", tmp, err)) < 0)
		return r;
	for (size_t k = 0; k < p->contents.n; k++) {
		const struct gpkg_entry *e = &p->contents.e[k];
		if (skip_masked(im, tmp, e))
			continue;
		if ((r = move_entry(im, tmp, e, origin, err)) < 0)
			return r;
	}
	if ((r = gild_rm_rf(tmp, err)) < 0)
		return r;
	return p->has_postinst
		   ? image_pkg_phase(im, p, "pkg_postinst", NULL, err)
		   : 0;
}

/* The image's epoch: the newest mtime the packages gave their files
 * (each package's SOURCE_DATE_EPOCH), so that it comes from the inputs,
 * never from the clock. Directories do not count: merging entries into
 * them moved their mtimes to now. */
static int64_t newest_mtime(struct image *im)
{
	int64_t t = 0;

	for (size_t i = 0; i < im->files.n; i++) {
		/* what a package phase wrote has the clock's time */
		if (im->files.v[i].type == GPKG_DIR || !im->files.v[i].shipped)
			continue;
		_cleanup_free_ char *h =
		    image_host_path(im, im->files.v[i].path);
		struct stat st;
		if (lstat(h, &st) == 0 && st.st_mtime > t)
			t = st.st_mtime;
	}
	return t;
}

/* Portage's CONTENTS of an installed package: "dir PATH", "obj PATH MD5
 * MTIME", "sym PATH -> TARGET MTIME" (portage(5), vdb). */
static int vdb_contents(struct image *im, const struct image_pkg *p,
			struct gild_buf *out, struct gild_err *err)
{
	for (size_t k = 0; k < p->contents.n; k++) {
		const struct gpkg_entry *e = &p->contents.e[k];
		char md5[129];
		if (image_masked(im, e->path))
			continue;
		if (e->type == GPKG_DIR) {
			gild_buf_printf(out, "dir %s\n", e->path);
		} else if (e->type == GPKG_SYM) {
			gild_buf_printf(out, "sym %s -> %s %lld\n", e->path,
					e->target, (long long)im->sde);
		} else {
			_cleanup_free_ char *h = image_host_path(im, e->path);
			int r = gpkg_hash_file("MD5", h, md5, sizeof(md5), NULL,
					       err);
			if (r < 0)
				return r;
			gild_buf_printf(out, "obj %s %s %lld\n", e->path, md5,
					(long long)im->sde);
		}
	}
	return 0;
}

/* var/db/pkg/<cat>/<pf>/, written as -MERGING-<pf> and renamed, as
 * Portage does, so a reader never sees half a package. */
static int write_vdb_pkg(struct image *im, const struct image_pkg *p,
			 struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	_cleanup_(gild_buf_releasep) struct gild_buf contents = GILD_BUF_INIT;
	int r;

	for (size_t i = 0; i < p->meta.n; i++)
		gpkg_meta_set(&m, p->meta.kv[i].key, p->meta.kv[i].value);
	m.recipe = p->meta.recipe ? xstrdup(p->meta.recipe) : NULL;
	if ((r = vdb_contents(im, p, &contents, err)) < 0)
		return r;
	gpkg_meta_set(&m, "CONTENTS", gild_buf_str(&contents));
	gpkg_meta_set(&m, "COUNTER", "0");
	gpkg_meta_set(&m, "repository", im->env->cfg->profile->repo_name);
	if ((r = vdb_write_pkg(im->root, &m, VDB_NO_SYNC, err)) < 0)
		return r;
	return 0;
}

static void register_tree(struct image *im, const char *dir, const char *step)
{
	_cleanup_free_ char *host = image_host_path(im, dir);
	DIR *d = opendir(host);
	struct dirent *de;

	image_step_file(im, dir, step);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			register_tree(im, sub, step);
		else
			image_step_file(im, sub, step);
	}
	closedir(d);
}

static int write_vdb(struct image *im, struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < im->npkgs; i++)
		if ((r = write_vdb_pkg(im, &im->pkgs[i], err)) < 0)
			return r;
	if (!image_files_find(&im->files, "/var/db"))
		image_step_file(im, "/var/db", "installed-package database");
	register_tree(im, "/var/db/pkg", "installed-package database");
	gild_strv_push(&im->hardening,
		       xasprintf("vdb: /var/db/pkg written for %zu packages "
				 "(IMAGE_VDB=\"no\" leaves it out)",
				 im->npkgs));
	return 0;
}

int image_merge(struct image *im, struct gild_err *err)
{
	int r;

	im->mask_files = xcalloc(im->role.install_mask.n + 1, sizeof(uint64_t));
	im->mask_bytes = xcalloc(im->role.install_mask.n + 1, sizeof(uint64_t));
	for (size_t i = 0; i < im->npkgs; i++)
		if ((r = load_pkg(&im->pkgs[i], err)) < 0 ||
		    (r = image_pkg_phases(im, &im->pkgs[i], err)) < 0)
			return r;
	if ((r = check_collisions(im, err)) < 0 ||
	    (r = gild_mkdir_p(im->root, 0755, err)) < 0)
		return r;
	if (chmod(im->root, 0755) < 0)
		return gild_fail_errno(err, im->root, "cannot set the mode of");
	if ((r = image_phases_begin(im, err)) < 0)
		return r;
	for (size_t i = 0; i < im->npkgs; i++)
		if ((r = merge_pkg(im, &im->pkgs[i], err)) < 0) {
			gild_err_wrap(err, "merging %s", im->pkgs[i].cpv);
			return r;
		}
	if ((r = image_phases_end(im, err)) < 0)
		return r;
	im->sde = newest_mtime(im);
	return 0;
}

int image_clear_root(struct image *im, struct gild_err *err)
{
	if (geteuid() != 0)
		return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
				 "gild image runs as root: the image's files "
				 "belong to other users than yours (run it "
				 "with sudo)");
	return gild_rm_rf(im->root, err);
}

int image_write_vdb(struct image *im, struct gild_err *err)
{
	if (!im->role.vdb) {
		gild_strv_add(&im->hardening,
			      "vdb: left out (IMAGE_VDB=\"no\")");
		return 0;
	}
	return write_vdb(im, err);
}
