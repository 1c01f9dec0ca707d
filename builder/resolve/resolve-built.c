/* resolve-built.c: what exists already, as resolver input: the binary
 * repository (PKGDIR's Packages index, repo.h) and the packages installed
 * in a root (ROOT/var/db/pkg, vdb.h). Both record a version as it was
 * built: its slot and sub-slot, IUSE, USE and evaluated dependencies,
 * `:=` ones with the sub-slot they were built against. Whether each can
 * be reused is decided against the plan (resolve-reuse.c). */
#include "resolve/resolve.h"

#include "pms/pms.h"
#include "repo/repo.h"

static void split_words(const char *s, bool strip_default,
			struct gild_strv *out)
{
	while (s && *s) {
		size_t n;
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n && strip_default && (*s == '+' || *s == '-'))
			gild_strv_push(out, xstrndup(s + 1, n - 1));
		else if (n)
			gild_strv_push(out, xstrndup(s, n));
		s += n;
	}
}

struct built {
	struct gild_strv iuse, use, slotdeps;
	struct gild_buf deps[DEP_NCLASS];
	char *pn, *pvr, *slot, *dep_file;
};

static void built_release(struct built *b)
{
	gild_strv_release(&b->iuse);
	gild_strv_release(&b->use);
	gild_strv_release(&b->slotdeps);
	for (int k = 0; k < DEP_NCLASS; k++)
		gild_buf_release(&b->deps[k]);
	free(b->pn);
	free(b->pvr);
	free(b->slot);
	free(b->dep_file);
}

/* One recorded version (binary package or vdb entry) as input; where
 * names the place for messages ("var/db/pkg/cat/pf"). */
static int add_built(struct rtree *rt, const char *category, const char *pf,
		     const struct gpkg_meta *m, enum rs_origin origin,
		     const char *where)
{
	struct built b = {.iuse = GILD_STRV_INIT,
			  .use = GILD_STRV_INIT,
			  .slotdeps = GILD_STRV_INIT};
	struct gild_strv use = GILD_STRV_INIT;
	const char *v = gpkg_meta_get(m, "SLOT");
	struct rs_recipe rec = {.category = category, .origin = origin};
	char *sub;

	if (gpkg_split_pf(pf, &b.pn, &b.pvr, NULL) < 0)
		return 0; /* not a package version: nothing to reuse */
	b.slot = xstrdup(v && *v ? v : "0");
	if ((sub = strchr(b.slot, '/')))
		*sub++ = 0;
	split_words(gpkg_meta_get(m, "IUSE"), true, &b.iuse);
	split_words(gpkg_meta_get(m, "USE"), false, &use);
	for (size_t i = 0; i < use.n; i++) /* USE holds implicit flags too */
		if (gild_strv_contains(&b.iuse, use.v[i]))
			gild_strv_add(&b.use, use.v[i]);
	gild_strv_release(&use);
	b.dep_file = xstrdup(where);
	for (int k = 0; k < DEP_NCLASS; k++) {
		b.deps[k] = (struct gild_buf)GILD_BUF_INIT;
		rs_slotdeps_split(gpkg_meta_get(m, dep_class_name(k)),
				  &b.deps[k], &b.slotdeps);
		rec.deps[k] = gild_buf_str(&b.deps[k]);
		rec.dep_loc[k] = (struct gild_loc){b.dep_file, 1, 1};
	}
	v = gpkg_meta_get(m, "EAPI");
	rec.pn = b.pn;
	rec.pvr = b.pvr;
	rec.slot = b.slot;
	rec.subslot = sub;
	rec.iuse = (const char *const *)b.iuse.v;
	rec.n_iuse = b.iuse.n;
	rec.use = (const char *const *)b.use.v;
	rec.n_use = b.use.n;
	rec.slotdeps = (const char *const *)b.slotdeps.v;
	rec.n_slotdeps = b.slotdeps.n;
	rec.eapi = v && (atoi(v) == 7 || atoi(v) == 8) ? atoi(v) : 8;
	rs_input_add(rt->in, &rec);
	built_release(&b);
	return 0;
}

static int add_binary_repo(struct rtree *rt)
{
	_cleanup_free_ char *pkgdir = config_pkgdir(rt->cfg);
	_cleanup_(binrepo_freep) struct binrepo *repo = NULL;
	int rc;

	if ((rc = binrepo_load(pkgdir, &repo, rt->err)) < 0)
		return rc;
	for (size_t i = 0; i < repo->n; i++) {
		const struct binrepo_pkg *p = &repo->pkgs[i];
		_cleanup_free_ char *where = NULL;
		if (p->error)
			continue;
		where = gild_path_join(pkgdir, p->relpath);
		add_built(rt, p->category, p->pf, &p->meta, RS_BINARY, where);
	}
	return 0;
}

static int add_installed(struct rtree *rt, const char *root)
{
	_cleanup_(vdb_freep) struct vdb *db = NULL;
	int rc;

	if ((rc = vdb_read(root, &db, rt->err)) < 0)
		return rc;
	for (size_t i = 0; i < db->n; i++) {
		const struct vdb_pkg *p = &db->v[i];
		_cleanup_free_ char *where = gild_path_join(root, p->dir);
		add_built(rt, p->category, p->pf, &p->meta, RS_INSTALLED,
			  where);
	}
	return 0;
}

int rtree_add_built(struct rtree *rt, const char *root)
{
	int rc;

	if ((rc = add_binary_repo(rt)) < 0)
		return rc;
	return root ? add_installed(rt, root) : 0;
}
