/* index-read.c: reading the binary repository's Packages index (Portage's
 * binhost format, as binrepo_index_write writes it): a header block, then
 * one block per package of "KEY: value" lines, blocks separated by an
 * empty line. Reading it costs one file, where binrepo_open opens every
 * package. */
#include "repo-impl.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

/* A block: a package, or the header (its PACKAGES count into *count). */
static void pkg_from_block(struct binrepo *r, struct gpkg_meta *m, long *count)
{
	struct binrepo_pkg *p;
	const char *cpv = gpkg_meta_get(m, "CPV"), *slash, *v;

	if (!cpv && (v = gpkg_meta_get(m, "PACKAGES")))
		*count = strtol(v, NULL, 10);
	if (!cpv || !(slash = strchr(cpv, '/'))) {
		gpkg_meta_release(m);
		return; /* not a package: the header, or damaged */
	}
	gild_grow(&r->pkgs, &r->cap, r->n + 1, sizeof(*r->pkgs));
	p = &r->pkgs[r->n++];
	*p = (struct binrepo_pkg){.meta = *m};
	*m = (struct gpkg_meta)GPKG_META_INIT;
	p->category = xstrndup(cpv, (size_t)(slash - cpv));
	p->pf = xstrdup(slash + 1);
	gpkg_meta_set(&p->meta, "CATEGORY", p->category);
	gpkg_meta_set(&p->meta, "PF", p->pf);
	v = gpkg_meta_get(&p->meta, "PATH");
	p->relpath =
	    v ? xstrdup(v) : xasprintf("%s/%s.gpkg.tar", p->category, p->pf);
	v = gpkg_build_id(&p->meta);
	p->build_id = xstrdup(v ? v : "");
	/* the index's REPO is the package's "repository" (Portage's names) */
	if ((v = gpkg_meta_get(&p->meta, "REPO")))
		gpkg_meta_set(&p->meta, "repository", v);
	v = gpkg_meta_get(&p->meta, "SIZE");
	p->size = v ? strtoull(v, NULL, 10) : 0;
	v = gpkg_meta_get(&p->meta, "MTIME");
	p->mtime = v ? strtoll(v, NULL, 10) : 0;
}

/* Returns the header's package count, -1 without one. */
static long parse_index(struct binrepo *r, char *text)
{
	struct gpkg_meta m = GPKG_META_INIT;
	long count = -1;

	for (char *s = text, *nl; s && *s; s = nl) {
		char *colon;
		if ((nl = strchr(s, '\n')))
			*nl++ = 0;
		if (!*s) {
			pkg_from_block(r, &m, &count);
			continue;
		}
		if (!(colon = strstr(s, ": ")))
			continue;
		*colon = 0;
		gpkg_meta_set(&m, s, colon + 2);
	}
	pkg_from_block(r, &m, &count);
	return count;
}

/* Whether a category directory changed after the index was written (a
 * package added without rewriting the index). */
static bool index_stale(const char *pkgdir, const struct stat *idx)
{
	DIR *d = opendir(pkgdir);
	struct dirent *de;
	bool stale = false;

	if (!d)
		return false;
	while (!stale && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		/* the same time too: a package added in the clock tick the
		 * index was written in may not be in it */
		stale = st.st_mtim.tv_sec > idx->st_mtim.tv_sec ||
			(st.st_mtim.tv_sec == idx->st_mtim.tv_sec &&
			 st.st_mtim.tv_nsec >= idx->st_mtim.tv_nsec);
	}
	closedir(d);
	return stale;
}

int binrepo_index_read(const char *pkgdir, struct binrepo **out,
		       struct gild_err *err)
{
	_cleanup_(binrepo_freep) struct binrepo *r = xcalloc(1, sizeof(*r));
	_cleanup_free_ char *path = gild_path_join(pkgdir, "Packages");
	_cleanup_free_ char *text = NULL;
	struct stat st;
	int rc;

	if (stat(path, &st) < 0)
		return errno == ENOENT
			   ? -ENOENT
			   : gild_fail_errno(err, path, "cannot read");
	if (index_stale(pkgdir, &st))
		return -ESTALE;
	if ((rc = gild_read_file(path, &text, NULL, err)) < 0)
		return rc;
	r->pkgdir = xstrdup(pkgdir);
	/* written without fsync (derived data): after a crash it may be
	 * empty or short, which its header's count tells (an index written
	 * by other tools may list more than it counts) */
	long count = parse_index(r, text);
	if (count < 0 || count > (long)r->n)
		return -ESTALE;
	*out = TAKE_PTR(r);
	return 0;
}

int binrepo_load(const char *pkgdir, struct binrepo **out, struct gild_err *err)
{
	struct gild_err ignored = GILD_ERR_INIT;
	int rc = binrepo_index_read(pkgdir, out, err);

	if (rc != -ENOENT && rc != -ESTALE)
		return rc;
	if ((rc = binrepo_open(pkgdir, out, err)) < 0)
		return rc;
	/* the index scanned again (what was read is kept) and written under
	 * its lock, so a package added meanwhile is not left out of an index
	 * that looks newer than it; a repository we may not write to is
	 * still read */
	if ((*out)->n && binrepo_reindex(pkgdir, out, &ignored) < 0 && !*out)
		return binrepo_open(pkgdir, out, err);
	return 0;
}
