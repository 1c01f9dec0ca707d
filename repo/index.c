/* index.c: the binary repository: scanning PKGDIR, the Portage-format
 * Packages index and the libsolv Packages.solv cache. */
#include "repo-impl.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_write.h>

/* ---- PF splitting (PMS 3.2 version syntax, loosely) ---------------------- */

int gpkg_split_pf(const char *pf, char **pn, char **pvr, struct gild_err *err)
{
	const char *v = NULL;

	/* The version is the last "-<digit>" component ("-r1" starts with a
	 * letter, so it stays with the version). */
	for (const char *p = pf; (p = strchr(p, '-')); p++)
		if (isdigit((unsigned char)p[1]))
			v = p;
	if (!v || v == pf)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "no version in package name '%s'", pf);
	*pn = xstrndup(pf, (size_t)(v - pf));
	*pvr = xstrdup(v + 1);
	return 0;
}

/* ---- scanning
 * ----------------------------------------------------------------- */

static void binrepo_pkg_release(struct binrepo_pkg *p)
{
	free(p->relpath);
	free(p->category);
	free(p->pf);
	free(p->build_id);
	free(p->error);
	gpkg_meta_release(&p->meta);
}

void binrepo_free(struct binrepo *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		binrepo_pkg_release(&r->pkgs[i]);
	free(r->pkgs);
	free(r->pkgdir);
	free(r);
}

static int cmp_relpath(const void *key, const void *elem)
{
	return strcmp(key, ((const struct binrepo_pkg *)elem)->relpath);
}

/* The earlier scan's entry for the same file, unchanged, or NULL. */
static struct binrepo_pkg *same_file(struct binrepo *prev, const char *relpath,
				     const struct stat *st)
{
	struct binrepo_pkg *q;

	if (!prev || !prev->n)
		return NULL;
	q = bsearch(relpath, prev->pkgs, prev->n, sizeof(*prev->pkgs),
		    cmp_relpath);
	/* an entry that could not be read is read again: the cause (EMFILE,
	 * EIO) may have passed */
	if (!q || q->ino == 0 || q->error || q->ino != (uint64_t)st->st_ino ||
	    q->size != (uint64_t)st->st_size || q->mtime != st->st_mtime ||
	    q->mtime_nsec != st->st_mtim.tv_nsec)
		return NULL;
	return q;
}

static void load_pkg(struct binrepo *r, struct binrepo *prev, const char *cat,
		     const char *file, const struct stat *st)
{
	struct binrepo_pkg *p, *q;
	_cleanup_free_ char *full = NULL;
	struct gild_err e = GILD_ERR_INIT;
	const char *v;

	gild_grow(&r->pkgs, &r->cap, r->n + 1, sizeof(*r->pkgs));
	p = &r->pkgs[r->n++];
	*p = (struct binrepo_pkg){.meta = GPKG_META_INIT};
	p->relpath = xasprintf("%s/%s", cat, file);
	p->category = xstrdup(cat);
	p->size = (uint64_t)st->st_size;
	p->mtime = st->st_mtime;
	p->ino = (uint64_t)st->st_ino;
	p->mtime_nsec = st->st_mtim.tv_nsec;
	if ((q = same_file(prev, p->relpath, st))) {
		/* taken over: prev is freed after the scan */
		p->meta = q->meta;
		q->meta = (struct gpkg_meta)GPKG_META_INIT;
	} else {
		full = gild_path_join(r->pkgdir, p->relpath);
		if (gpkg_read_meta(full, &p->meta, &e) < 0)
			p->error = xstrdup(e.msg);
	}
	v = gpkg_meta_get(&p->meta, "PF");
	p->pf =
	    v ? xstrdup(v) : xstrndup(file, strlen(file) - strlen(".gpkg.tar"));
	v = gpkg_build_id(&p->meta);
	p->build_id = xstrdup(v ? v : "");
	if (!p->error && !gpkg_meta_get(&p->meta, "CATEGORY"))
		p->error = xstrdup("no CATEGORY in the metadata");
}

static int scan_category(struct binrepo *r, struct binrepo *prev, int pkgfd,
			 const char *cat, struct gild_err *err)
{
	_cleanup_close_ int fd =
	    openat(pkgfd, cat, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return 0; /* not a directory: not a category */
	if (!(d = fdopendir(fd)))
		return gild_fail_errno(err, cat, "cannot read directory");
	fd = -1; /* owned by d now */
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' ||
		    !gild_endswith(de->d_name, ".gpkg.tar") ||
		    fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		load_pkg(r, prev, cat, de->d_name, &st);
	}
	closedir(d);
	return 0;
}

static int cmp_pkgs(const void *a, const void *b)
{
	return strcmp(((const struct binrepo_pkg *)a)->relpath,
		      ((const struct binrepo_pkg *)b)->relpath);
}

static int scan_repo(const char *pkgdir, struct binrepo *prev,
		     struct binrepo **out, struct gild_err *err)
{
	_cleanup_(binrepo_freep) struct binrepo *r = xcalloc(1, sizeof(*r));
	_cleanup_close_ int fd = -1;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	r->pkgdir = xstrdup(pkgdir);
	fd = open(pkgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*out = TAKE_PTR(r);
		return 0;
	}
	if (fd < 0 || !(d = fdopendir(dup(fd))))
		return gild_fail_errno(err, pkgdir,
				       "cannot open package directory");
	while (rc == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			rc = scan_category(r, prev, fd, de->d_name, err);
	closedir(d);
	if (rc < 0)
		return rc;
	if (r->n)
		qsort(r->pkgs, r->n, sizeof(*r->pkgs), cmp_pkgs);
	*out = TAKE_PTR(r);
	return 0;
}

int binrepo_open(const char *pkgdir, struct binrepo **out, struct gild_err *err)
{
	return scan_repo(pkgdir, NULL, out, err);
}

const struct binrepo_pkg *binrepo_find_build_id(const struct binrepo *r,
						const char *build_id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->pkgs[i].error &&
		    strcmp(r->pkgs[i].build_id, build_id) == 0)
			return &r->pkgs[i];
	return NULL;
}

int binrepo_pkg_path(const char *pkgdir, const struct gpkg_meta *meta,
		     char **out, struct gild_err *err)
{
	static const char *const need[] = {"CATEGORY", "PF", GPKG_BUILD_ID_KEY};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(need); i++) {
		const char *v =
		    i == 2 ? gpkg_build_id(meta) : gpkg_meta_get(meta, need[i]);
		if (!v || !v[0] || strchr(v, '/'))
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "package metadata lacks a valid '%s'",
					 need[i]);
	}
	*out = xasprintf("%s/%s/%s-%.12s.gpkg.tar", pkgdir,
			 gpkg_meta_get(meta, "CATEGORY"),
			 gpkg_meta_get(meta, "PF"), gpkg_build_id(meta));
	return 0;
}

int binrepo_has(const char *pkgdir, const struct gpkg_meta *meta,
		struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta have = GPKG_META_INIT;
	_cleanup_free_ char *path = NULL;
	const char *bid;
	int r;

	if ((r = binrepo_pkg_path(pkgdir, meta, &path, err)) < 0)
		return r;
	if (access(path, F_OK) < 0)
		return errno == ENOENT
			   ? 0
			   : gild_fail_errno(err, path, "cannot access");
	if ((r = gpkg_read_meta(path, &have, err)) < 0)
		return r;
	bid = gpkg_build_id(&have);
	return bid && strcmp(bid, gpkg_build_id(meta)) == 0;
}

int binrepo_add(const char *pkgdir, const struct gpkg_meta *meta,
		const char *imagedir, struct gild_err *err)
{
	_cleanup_free_ char *path = NULL, *dir = NULL;
	int r;

	if ((r = binrepo_pkg_path(pkgdir, meta, &path, err)) < 0)
		return r;
	dir = gild_path_join(pkgdir, gpkg_meta_get(meta, "CATEGORY"));
	if ((r = gild_mkdir_p(dir, 0755, err)) < 0)
		return r;
	return gpkg_write(meta, imagedir, path, err);
}

/* ---- Packages (Portage's binhost index) ------------------------------------
 */

/* Per-package keys copied from the metadata, in Portage's sorted order. */
static const char *const index_keys[] = {
    "BDEPEND", "CHOST", "DEPEND",   "EAPI",    GPKG_BUILD_ID_KEY,
    "IDEPEND", "IUSE",	"KEYWORDS", "LICENSE", "PDEPEND",
    "RDEPEND", "SLOT",	"USE",
};

static void index_line(FILE *f, const char *key, const char *val)
{
	/* Portage writes single-line values and omits empty ones. */
	if (!val || !val[0])
		return;
	fprintf(f, "%s: ", key);
	for (const char *p = val; *p; p++)
		fputc(*p == '\n' ? ' ' : *p, f);
	fputc('\n', f);
}

struct index_kv {
	const char *key, *val;
};

static int cmp_index_kv(const void *a, const void *b)
{
	return strcmp(((const struct index_kv *)a)->key,
		      ((const struct index_kv *)b)->key);
}

/* One block, keys in alphabetical order as Portage writes them. */
static void index_pkg(FILE *f, const struct binrepo_pkg *p)
{
	struct index_kv kv[GILD_ARRAY_SIZE(index_keys) + 5];
	char mtime[32], size[32];
	_cleanup_free_ char *cpv = xasprintf("%s/%s", p->category, p->pf);
	size_t n = 0;

	/* the build-id as the scan found it (packages written before
	 * GILD_BUILD_ID carry it as BUILD_ID) */
	for (size_t k = 0; k < GILD_ARRAY_SIZE(index_keys); k++)
		kv[n++] = (struct index_kv){
		    index_keys[k], strcmp(index_keys[k], GPKG_BUILD_ID_KEY)
				       ? gpkg_meta_get(&p->meta, index_keys[k])
				       : p->build_id};
	snprintf(mtime, sizeof(mtime), "%lld", (long long)p->mtime);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)p->size);
	kv[n++] = (struct index_kv){"CPV", cpv};
	kv[n++] = (struct index_kv){"MTIME", mtime};
	kv[n++] = (struct index_kv){"PATH", p->relpath};
	kv[n++] =
	    (struct index_kv){"REPO", gpkg_meta_get(&p->meta, "repository")};
	kv[n++] = (struct index_kv){"SIZE", size};
	qsort(kv, n, sizeof(*kv), cmp_index_kv);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++)
		index_line(f, kv[i].key, kv[i].val);
}

static int write_packages(const struct binrepo *r, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *path = gild_path_join(r->pkgdir, "Packages");
	int64_t stamp = 0;
	size_t good = 0;
	int rc;

	if ((rc = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return rc;
	/* derived from the package files, and read again from them when it
	 * is older than a category: not worth two fsyncs per build */
	af.no_sync = true;
	for (size_t i = 0; i < r->n; i++)
		if (!r->pkgs[i].error) {
			good++;
			if (r->pkgs[i].mtime > stamp)
				stamp = r->pkgs[i].mtime;
		}
	/* Header block; TIMESTAMP is the newest package, so an unchanged
	 * repository gives an unchanged index. */
	fprintf(af.f, "PACKAGES: %zu\nTIMESTAMP: %lld\nVERSION: 0\n", good,
		(long long)stamp);
	for (size_t i = 0; i < r->n; i++)
		if (!r->pkgs[i].error)
			index_pkg(af.f, &r->pkgs[i]);
	return gild_atomic_commit(&af, err);
}

/* ---- Packages.solv (libsolv cache for the resolver)
 * ---------------------------- */

/* Each atom of a dependency string as a string dependency; operators
 * and parentheses are dropped (the resolver re-parses the real text). */
static Offset add_dep_strings(Repo *repo, Offset deps, const char *text)
{
	_cleanup_free_ char *copy = xstrdup(text ? text : "");
	char *rest = copy, *tok;

	while ((tok = strsep(&rest, " \t\n")))
		if (tok[0] && strcmp(tok, "(") && strcmp(tok, ")") &&
		    strcmp(tok, "||") && !gild_endswith(tok, "?"))
			deps = repo_addid_dep(
			    repo, deps, pool_str2id(repo->pool, tok, 1), 0);
	return deps;
}

static void solv_add_pkg(Repo *repo, Repodata *data,
			 const struct binrepo_pkg *p, const char *pn,
			 const char *pvr)
{
	Pool *pool = repo->pool;
	Id id = repo_add_solvable(repo);
	Solvable *s = pool_id2solvable(pool, id);
	_cleanup_free_ char *name = xasprintf("%s/%s", p->category, pn);

	s->name = pool_str2id(pool, name, 1);
	s->evr = pool_str2id(pool, pvr, 1);
	s->arch = ARCH_NOARCH;
	s->provides =
	    repo_addid_dep(repo, s->provides,
			   pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
	s->requires = add_dep_strings(repo, s->requires,
				      gpkg_meta_get(&p->meta, "RDEPEND"));
	repodata_set_str(data, id, SOLVABLE_BUILDVERSION, p->build_id);
	repodata_set_str(data, id, SOLVABLE_MEDIAFILE, p->relpath);
	repodata_set_num(data, id, SOLVABLE_DOWNLOADSIZE, p->size);
}

static int write_solv(const struct binrepo *r, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *path = gild_path_join(r->pkgdir, "Packages.solv");
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "gild-binrepo");
	Repodata *data = repo_add_repodata(repo, 0);
	int rc = 0;

	for (size_t i = 0; i < r->n; i++) {
		_cleanup_free_ char *pn = NULL, *pvr = NULL;
		if (r->pkgs[i].error ||
		    gpkg_split_pf(r->pkgs[i].pf, &pn, &pvr, NULL) < 0)
			continue;
		solv_add_pkg(repo, data, &r->pkgs[i], pn, pvr);
	}
	repodata_internalize(data);
	rc = gild_atomic_open(&af, AT_FDCWD, path, 0644, err);
	af.no_sync = true; /* derived, as Packages is */
	if (rc == 0 && repo_write(repo, af.f) != 0)
		rc = gild_fail(err, -EIO, NULL, "cannot write '%s': %s", path,
			       pool_errstr(pool));
	pool_free(pool);
	return rc < 0 ? rc : gild_atomic_commit(&af, err);
}

/* PKGDIR/.gild.lock, held by whoever writes the index. Returns the fd. */
static int lock_index(const char *pkgdir, struct gild_err *err)
{
	_cleanup_free_ char *lock = gild_path_join(pkgdir, ".gild.lock");
	_cleanup_close_ int fd = -1;
	int rc;

	if ((rc = gild_mkdir_p(pkgdir, 0755, err)) < 0)
		return rc;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return gild_fail_errno(err, lock, "cannot create lock");
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return gild_fail_errno(err, lock, "cannot lock");
	return TAKE_FD(fd);
}

/* Temporaries of the index (".Packages.tmp.*", ".Packages.solv.tmp.*")
 * left by a writer that was killed: under the lock no writer is at work,
 * so every one there is stale. */
static void remove_stale_temporaries(const char *pkgdir)
{
	DIR *d = opendir(pkgdir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (gild_startswith(de->d_name, ".Packages.tmp") ||
		    gild_startswith(de->d_name, ".Packages.solv.tmp"))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static int write_index_locked(const struct binrepo *r, struct gild_err *err)
{
	int rc;

	remove_stale_temporaries(r->pkgdir);
	if ((rc = write_packages(r, err)) < 0)
		return rc;
	return write_solv(r, err);
}

int binrepo_index_write(const struct binrepo *r, struct gild_err *err)
{
	_cleanup_close_ int fd = lock_index(r->pkgdir, err);

	if (fd < 0)
		return fd;
	return write_index_locked(r, err);
}

int binrepo_rescan(const char *pkgdir, struct binrepo **repo,
		   struct gild_err *err)
{
	struct binrepo *prev = *repo, *r = NULL;
	int rc;

	if (prev && (!prev->pkgdir || strcmp(prev->pkgdir, pkgdir)))
		prev = NULL;
	rc = scan_repo(pkgdir, prev, &r, err);
	binrepo_free(*repo);
	*repo = r;
	return rc;
}

int binrepo_reindex(const char *pkgdir, struct binrepo **repo,
		    struct gild_err *err)
{
	_cleanup_close_ int fd = lock_index(pkgdir, err);
	int rc;

	if (fd < 0)
		return fd;
	/* scanned under the lock: a package another writer added before it
	 * took the lock is in the index it writes, and in ours */
	if ((rc = binrepo_rescan(pkgdir, repo, err)) < 0)
		return rc;
	return write_index_locked(*repo, err);
}
