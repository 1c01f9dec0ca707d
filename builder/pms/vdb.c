/* vdb.c: reading and writing ROOT/var/db/pkg (see vdb.h). */
#include "pms/pms.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define VDB_DIR "var/db/pkg"

const char *const vdb_keys[] = {
    "CATEGORY",	  "PF",		 "SLOT",     "EAPI",	      "IUSE",
    "USE",	  "DEPEND",	 "RDEPEND",  "BDEPEND",	      "PDEPEND",
    "IDEPEND",	  "KEYWORDS",	 "LICENSE",  "GILD_BUILD_ID", "CONTENTS",
    "COUNTER",	  "DESCRIPTION", "HOMEPAGE", "CHOST",	      "CFLAGS",
    "CXXFLAGS",	  "LDFLAGS",	 "FEATURES", "INHERITED",     "SIZE",
    "repository", NULL};

void vdb_free(struct vdb *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].category);
		free(v->v[i].pf);
		free(v->v[i].dir);
		gpkg_meta_release(&v->v[i].meta);
	}
	free(v->v);
	free(v);
}

/* Every key file of one package directory. */
static void read_pkg(struct vdb *v, int catfd, const char *cat, const char *pf)
{
	struct vdb_pkg *p;

	gild_grow(&v->v, &v->cap, v->n + 1, sizeof(*v->v));
	p = &v->v[v->n++];
	*p = (struct vdb_pkg){.category = xstrdup(cat),
			      .pf = xstrdup(pf),
			      .dir = xasprintf(VDB_DIR "/%s/%s", cat, pf),
			      .meta = GPKG_META_INIT};
	for (size_t k = 0; vdb_keys[k]; k++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", pf, vdb_keys[k]);
		_cleanup_free_ char *text = NULL;
		size_t n = 0;
		if (gild_read_file_at(catfd, path, &text, &n, NULL) < 0)
			continue;
		if (n && text[n - 1] == '\n')
			text[n - 1] = 0;
		gpkg_meta_set(&p->meta, vdb_keys[k], text);
	}
	gpkg_meta_set(&p->meta, "CATEGORY", cat);
	gpkg_meta_set(&p->meta, "PF", pf);
}

static int read_category(struct vdb *v, int dbfd, const char *cat,
			 struct gild_err *err)
{
	int fd = openat(dbfd, cat, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return 0; /* a file: not a category */
	if (!(d = fdopendir(fd))) {
		close(fd);
		return gild_fail_errno(err, cat, "cannot read directory");
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && de->d_name[0] != '-')
			read_pkg(v, dirfd(d), cat, de->d_name);
	closedir(d);
	return 0;
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct vdb_pkg *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	return c ? c : strcmp(x->pf, y->pf);
}

int vdb_read(const char *root, struct vdb **out, struct gild_err *err)
{
	_cleanup_(vdb_freep) struct vdb *v = xcalloc(1, sizeof(*v));
	_cleanup_free_ char *db = gild_path_join(root, VDB_DIR);
	_cleanup_close_ int fd = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dfd = -1;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (fd < 0 && errno == ENOENT) {
		*out = TAKE_PTR(v);
		return 0;
	}
	if (fd < 0 || (dfd = dup(fd)) < 0 || !(d = fdopendir(dfd)))
		return gild_fail_errno(err, db,
				       "cannot read the installed packages in");
	dfd = -1; /* the DIR owns it now */
	while (rc == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			rc = read_category(v, fd, de->d_name, err);
	closedir(d);
	if (rc < 0)
		return rc;
	if (v->n)
		qsort(v->v, v->n, sizeof(*v->v), cmp_pkg);
	*out = TAKE_PTR(v);
	return 0;
}

static int write_key(const char *dir, const char *key, const char *value,
		     unsigned flags, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *path = gild_path_join(dir, key);
	size_t n = strlen(value);
	int rc;

	if ((rc = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return rc;
	af.no_sync = flags & VDB_NO_SYNC;
	fputs(value, af.f);
	if (!n || value[n - 1] != '\n')
		fputc('\n', af.f);
	return gild_atomic_commit(&af, err);
}

/* A CATEGORY or PF that names one directory entry below var/db/pkg. */
static bool valid_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Every key into dir (created), then the recipe as <PF>.ebuild. */
static int write_keys(const char *dir, const struct gpkg_meta *meta,
		      const char *pf, unsigned flags, struct gild_err *err)
{
	int rc;

	if ((rc = gild_mkdir_p(dir, 0755, err)) < 0)
		return rc;
	for (size_t k = 0; vdb_keys[k]; k++) {
		const char *val = gpkg_meta_get(meta, vdb_keys[k]);
		if (val &&
		    (rc = write_key(dir, vdb_keys[k], val, flags, err)) < 0)
			return rc;
	}
	if (meta->recipe) {
		_cleanup_free_ char *name = xasprintf("%s.ebuild", pf);
		if ((rc = write_key(dir, name, meta->recipe, flags, err)) < 0)
			return rc;
	}
	return 0;
}

int vdb_write_pkg(const char *root, const struct gpkg_meta *meta,
		  unsigned flags, struct gild_err *err)
{
	const char *cat = gpkg_meta_get(meta, "CATEGORY");
	const char *pf = gpkg_meta_get(meta, "PF");
	_cleanup_free_ char *dir = NULL, *merging = NULL;
	int rc;

	if (!valid_name(cat) || !valid_name(pf))
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "package metadata lacks a valid '%s'",
				 !valid_name(cat) ? "CATEGORY" : "PF");
	/* Portage's own order: the entry is written as -MERGING-<PF>, which
	 * readers skip, and renamed into place complete. */
	dir = xasprintf("%s/" VDB_DIR "/%s/%s", root, cat, pf);
	merging = xasprintf("%s/" VDB_DIR "/%s/-MERGING-%s", root, cat, pf);
	if ((rc = gild_rm_rf(merging, err)) < 0 ||
	    (rc = write_keys(merging, meta, pf, flags, err)) < 0 ||
	    (rc = gild_rm_rf(dir, err)) < 0)
		return rc;
	if (rename(merging, dir) < 0)
		return gild_fail_errno(err, dir, "cannot rename into place");
	return 0;
}
