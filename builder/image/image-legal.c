/* image-legal.c: `gild image --legal-info` (Buildroot's legal-info): the
 * text of every licence of the image's packages, a list of packages with
 * their licences and sources, and with --with-sources the distfiles,
 * recipe and patches of every package under a copyleft licence, which its
 * licence obliges the distributor of the image to offer. */
#include "fetch/fetch.h"
#include "image-impl.h"
#include "pms/pms.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Licence tokens of a LICENSE string (operators and USE conditionals
 * left out). */
static void licence_names(const char *license, struct gild_strv *out)
{
	_cleanup_(gild_strv_releasep) struct gild_strv w = GILD_STRV_INIT;

	gild_split_words(license ? license : "", &w);
	for (size_t i = 0; i < w.n; i++)
		if (strcmp(w.v[i], "||") && strcmp(w.v[i], "(") &&
		    strcmp(w.v[i], ")") && !gild_endswith(w.v[i], "?") &&
		    !gild_strv_contains(out, w.v[i]))
			gild_strv_add(out, w.v[i]);
}

/* The licences whose terms ask for the source to be offered. */
static bool copyleft(const char *name)
{
	static const char *const prefixes[] = {"GPL", "LGPL", "AGPL", "MPL",
					       "EPL", "CDDL", "EUPL"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (gild_startswith(name, prefixes[i]))
			return true;
	return false;
}

static int copy_file(const char *src, const char *dst, struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r;

	if ((r = gild_read_file(src, &text, &n, err)) < 0)
		return r;
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	if ((r = gild_atomic_open(&af, AT_FDCWD, dst, 0644, err)) < 0)
		return r;
	af.no_sync = true;
	fwrite(text, 1, n, af.f);
	return gild_atomic_commit(&af, err);
}

static int copy_licences(struct image *im, const char *tmp,
			 struct gild_err *err)
{
	_cleanup_free_ char *dir = gild_path_join(tmp, "licenses");
	int r;

	if ((r = gild_mkdir_p(dir, 0755, err)) < 0)
		return r;
	for (size_t i = 0; i < im->npkgs; i++) {
		_cleanup_(gild_strv_releasep) struct gild_strv l =
		    GILD_STRV_INIT;
		licence_names(gpkg_meta_get(&im->pkgs[i].meta, "LICENSE"), &l);
		for (size_t k = 0; k < l.n; k++) {
			if (strspn(l.v[k],
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
				   "lmnopqrstuvwxyz0123456789._+-") !=
				strlen(l.v[k]) ||
			    l.v[k][0] == '.')
				return gild_fail(err, -GILD_E_INVALID, NULL,
						 "%s: '%s' is not a licence "
						 "name",
						 im->pkgs[i].cpv, l.v[k]);
			_cleanup_free_ char *src = xasprintf(
			    "%s/licenses/%s", im->env->cfg->tree, l.v[k]);
			_cleanup_free_ char *dst = gild_path_join(dir, l.v[k]);
			if (access(dst, F_OK) == 0)
				continue;
			if (access(src, R_OK) < 0)
				return gild_fail(err, -GILD_E_NOTFOUND, NULL,
						 "licence '%s' of %s has no "
						 "text: add licenses/%s to "
						 "the tree",
						 l.v[k], im->pkgs[i].cpv,
						 l.v[k]);
			if ((r = copy_file(src, dst, err)) < 0)
				return r;
		}
	}
	return 0;
}

/* A package's distfiles (name and first URL) from its recipe. */
static int pkg_sources(struct image *im, const struct image_pkg *p,
		       struct fetch_srclist *l, const struct recipe **rec,
		       struct gild_err *err)
{
	_cleanup_free_ char *pn = NULL, *pvr = NULL;
	unsigned rf = 0;
	int r;

	if ((r = gpkg_split_pf(p->pf, &pn, &pvr, err)) < 0)
		return r;
	*rec = tree_find_recipe(im->env->tree, p->category, pn, pvr);
	if (!*rec)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "%s: the tree no longer has its recipe, so "
				 "its sources cannot be listed",
				 p->cpv);
	return fetch_recipe_sources(
	    *rec, im->env->use, gpkg_meta_get(&p->meta, "USE"), l, &rf, err);
}

/* --with-sources: distfiles, the recipe and files/ of a copyleft package. */
static int copy_sources(struct image *im, const struct image_pkg *p,
			const struct fetch_srclist *l, const struct recipe *rec,
			const char *tmp, struct gild_err *err)
{
	_cleanup_free_ char *dir =
	    xasprintf("%s/sources/%s/%s", tmp, p->category, p->pf);
	_cleanup_free_ char *recipe =
	    xasprintf("%s/recipes/%s/%s/%s-%s.recipe", im->env->cfg->tree,
		      p->category, rec->pn, rec->pn, rec->pvr);
	_cleanup_free_ char *rdst = xasprintf("%s/%s.recipe", dir, p->pf);
	int r;

	if ((r = gild_mkdir_p(dir, 0755, err)) < 0 ||
	    (r = copy_file(recipe, rdst, err)) < 0)
		return r;
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_free_ char *src =
		    gild_path_join(im->env->distdir, l->v[i].name);
		_cleanup_free_ char *dst = gild_path_join(dir, l->v[i].name);
		if (access(src, R_OK) < 0)
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "%s: distfile '%s' is not in DISTDIR "
					 "(run 'gild fetch =%s')",
					 p->cpv, l->v[i].name, p->cpv);
		if ((r = copy_file(src, dst, err)) < 0)
			return r;
	}
	_cleanup_free_ char *files = xasprintf(
	    "%s/recipes/%s/%s/files", im->env->cfg->tree, p->category, rec->pn);
	struct stat st;
	if (stat(files, &st) < 0)
		return 0;
	const char *argv[] = {"cp", "-r", files, dir, NULL};
	_cleanup_free_ char *log = gild_path_join(im->workdir, "legal.log");
	return image_run_tool(argv, NULL, "coreutils", log, err);
}

static int list_and_copy(struct image *im, const char *tmp, bool sources,
			 struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	int r;

	gild_buf_printf(&b,
			"# packages of role %s (image-id %s): licence, "
			"then each distfile with its URL\n",
			im->role.profile, im->image_id);
	for (size_t i = 0; i < im->npkgs; i++) {
		const struct image_pkg *p = &im->pkgs[i];
		const char *lic = gpkg_meta_get(&p->meta, "LICENSE");
		_cleanup_(fetch_srclist_releasep) struct fetch_srclist l =
		    FETCH_SRCLIST_INIT;
		_cleanup_(gild_strv_releasep) struct gild_strv names =
		    GILD_STRV_INIT;
		const struct recipe *rec = NULL;
		bool cl = false;
		if ((r = pkg_sources(im, p, &l, &rec, err)) < 0)
			return r;
		licence_names(lic, &names);
		for (size_t k = 0; k < names.n; k++)
			cl |= copyleft(names.v[k]);
		gild_buf_printf(&b, "%s\t%s%s\n", p->cpv, lic ? lic : "",
				cl ? "\t(copyleft)" : "");
		for (size_t k = 0; k < l.n; k++)
			gild_buf_printf(&b, "\t%s\t%s\n", l.v[k].name,
					l.v[k].uris.n ? l.v[k].uris.v[0] : "");
		if (sources && cl &&
		    (r = copy_sources(im, p, &l, rec, tmp, err)) < 0)
			return r;
	}
	return image_put_text(tmp, "packages.txt", gild_buf_str(&b), err);
}

int image_write_legal(struct image *im, const char *outdir, bool sources,
		      struct gild_err *err)
{
	_cleanup_free_ char *tmp = gild_path_join(outdir, ".legal-info.tmp");
	_cleanup_free_ char *dst = gild_path_join(outdir, "legal-info");
	_cleanup_free_ char *old = gild_path_join(outdir, ".legal-info.old");
	int r;

	if ((r = gild_rm_rf(tmp, err)) < 0 ||
	    (r = gild_mkdir_p(tmp, 0755, err)) < 0)
		return r;
	if ((r = copy_licences(im, tmp, err)) < 0 ||
	    (r = list_and_copy(im, tmp, sources, err)) < 0) {
		struct gild_err ignored = {0};
		(void)gild_rm_rf(tmp, &ignored);
		return r;
	}
	/* the old one goes only once the new one is complete */
	if ((r = gild_rm_rf(old, err)) < 0)
		return r;
	if (access(dst, F_OK) == 0 && rename(dst, old) < 0)
		return gild_fail_errno(err, dst, "cannot move aside");
	if (rename(tmp, dst) < 0)
		return gild_fail_errno(err, dst, "cannot rename into place");
	return gild_rm_rf(old, err);
}
