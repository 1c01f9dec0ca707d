/* cmd-manifest.c: `gild manifest PACKAGE [DISTFILE...]`: write or update a
 * package's Manifest from the distfiles in DISTDIR (Portage's
 * `ebuild ... manifest`).
 *
 * PACKAGE is CATEGORY/PN, an atom naming it (`=cat/pn-1.0`, `zlib`), or
 * the path of a package directory. Without DISTFILEs, the DIST entries are
 * every distfile any recipe of the package can use (SRC_URI under any USE,
 * as Portage does): computed from DISTDIR when the file is there, else the
 * existing entry is kept; DIST entries no recipe uses are dropped. With
 * DISTFILEs, exactly those are (re)computed. Other entry types are kept;
 * the file is written sorted and atomically.
 */
#include "cli/cli.h"
#include "fetch/fetch.h"
#include "pms/pms.h"

#include <dirent.h>
#include <glob.h>
#include <sys/stat.h>

enum { OPT_DISTDIR = 0x2000 };

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* CATEGORY/PN of an atom-like argument ("=cat/pn-1.0", "zlib"), found
 * under <tree>/recipes; NULL when it names no package directory. */
static char *atom_package_dir(const struct gild_ctx *ctx, const char *arg)
{
	const char *name = arg + strspn(arg, "<>=~");
	_cleanup_free_ char *pattern = NULL;
	_cleanup_free_ char *pn = NULL;
	struct cpv cpv;
	glob_t g;
	char *dir = NULL;

	if (cpv_split(name, strlen(name), &cpv, NULL) == 0)
		pn = xasprintf("%.*s/%.*s", GILD_STR_ARG(cpv.category),
			       GILD_STR_ARG(cpv.package));
	else if (cpv_split_pf(name, strlen(name), &cpv, NULL) == 0)
		pn = xasprintf("*/%.*s", GILD_STR_ARG(cpv.package));
	else
		pn = xasprintf("%s%s", strchr(name, '/') ? "" : "*/", name);
	pattern = xasprintf("%s/recipes/%s", ctx->tree, pn);
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g) == 0 && g.gl_pathc == 1)
		dir = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	return dir;
}

/* The package directory for arg: <tree>/recipes/ARG, an atom's package,
 * else ARG itself as a path. */
static char *package_dir(const struct gild_ctx *ctx, const char *arg)
{
	_cleanup_free_ char *recipes = gild_path_join(ctx->tree, "recipes");
	_cleanup_free_ char *in_tree = gild_path_join(recipes, arg);
	char *d;

	if (arg[0] != '/' && is_dir(in_tree))
		return strcmp(ctx->tree, ".") == 0
			   ? gild_path_join("recipes", arg)
			   : TAKE_PTR(in_tree);
	if (arg[0] != '/' && (d = atom_package_dir(ctx, arg))) {
		if (gild_startswith(d, "./"))
			memmove(d, d + 2, strlen(d + 2) + 1);
		return d;
	}
	if (is_dir(arg))
		return xstrdup(arg);
	return NULL;
}

static int add_distfile(struct manifest *m, const char *distdir,
			const char *name, struct gild_err *err)
{
	_cleanup_free_ char *path = gild_path_join(distdir, name);
	struct manifest_digest d;
	int r;

	if (strchr(name, '/'))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "bad distfile name '%s'", name);
	if (access(path, F_OK) < 0)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "'%s' is not in DISTDIR '%s' (fetch it first)",
				 name, distdir);
	if ((r = manifest_digest_file(path, &d, err)) < 0)
		return r;
	manifest_set_dist(m, name, &d);
	return 0;
}

static int add_recipe_srcs(struct recipe_loader *l, const char *cat,
			   const char *pn, const char *file,
			   struct fetch_srclist *srcs, struct gild_err *err)
{
	_cleanup_(recipe_freep) struct recipe *r = NULL;
	const struct dep_node *tree;
	int rc;

	if ((rc = recipe_load(l, cat, pn, file, &r, err)) < 0 ||
	    (rc = recipe_deps(r, RECIPE_SRC_URI, &tree, err)) < 0)
		return rc;
	/* unreduced: every distfile under any USE */
	return fetch_srclist_add_tree(srcs, tree, err);
}

/* Every distfile of every recipe in pkgdir (CATEGORY/PN are its last two
 * path components). Returns the number of recipes read, or <0. */
static int package_distfiles(const struct gild_ctx *ctx, const char *pkgdir,
			     struct fetch_srclist *srcs, struct gild_err *err)
{
	_cleanup_free_ char *copy = xstrdup(pkgdir);
	_cleanup_(recipe_loader_freep) struct recipe_loader *l = NULL;
	char *pn = strrchr(copy, '/'), *cat;
	struct dirent **ents = NULL;
	int n, rc = 0, found = 0;

	if (!pn || pn == copy)
		return 0;
	*pn++ = '\0';
	cat = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
	if ((n = scandir(pkgdir, &ents, NULL, alphasort)) < 0)
		return gild_fail_errno(err, pkgdir, "cannot read");
	for (int i = 0; i < n; i++) {
		if (rc >= 0 && gild_endswith(ents[i]->d_name, ".recipe")) {
			if (!l && !(l = recipe_loader_new(ctx->tree, 0, err)))
				rc = err->code;
			else if ((rc = add_recipe_srcs(l, cat, pn,
						       ents[i]->d_name, srcs,
						       err)) == 0)
				found++;
		}
		free(ents[i]);
	}
	free(ents);
	return rc < 0 ? rc : found;
}

/* Recompute what DISTDIR has, keep what it lacks, drop what no recipe
 * uses. */
static int update_from_recipes(struct gild_ctx *ctx, struct manifest *m,
			       const char *distdir,
			       const struct fetch_srclist *srcs, size_t *count)
{
	_cleanup_strv_ struct gild_strv unused = GILD_STRV_INIT;
	int r;

	for (size_t i = 0; i < srcs->n; i++) {
		const char *name = srcs->v[i].name;
		_cleanup_free_ char *p = gild_path_join(distdir, name);
		if (access(p, F_OK) < 0 && manifest_find(m, "DIST", name)) {
			gild_ctx_info(ctx, "'%s' is not in DISTDIR: entry kept",
				      name);
			continue;
		}
		if ((r = add_distfile(m, distdir, name, &ctx->err)) < 0)
			return r;
	}
	for (size_t i = 0; i < m->n; i++) {
		bool used = false;
		for (size_t s = 0; s < srcs->n && !used; s++)
			used = strcmp(srcs->v[s].name, m->v[i].name) == 0;
		if (strcmp(m->v[i].type, "DIST") == 0 && !used)
			gild_strv_add(&unused, m->v[i].name);
	}
	for (size_t i = 0; i < unused.n; i++) {
		manifest_remove(m, "DIST", unused.v[i]);
		gild_ctx_info(ctx, "dropped '%s': no recipe uses it",
			      unused.v[i]);
	}
	*count = srcs->n;
	return 0;
}

/* The DIST names to (re)compute without recipes: the arguments, else
 * those present. */
static int update_named(struct gild_ctx *ctx, struct manifest *m,
			const char *distdir, int argc, char **argv,
			size_t *count)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	int r;

	for (int i = 0; i < argc; i++)
		gild_strv_add(&names, argv[i]);
	for (size_t i = 0; !argc && i < m->n; i++)
		if (strcmp(m->v[i].type, "DIST") == 0)
			gild_strv_add(&names, m->v[i].name);
	for (size_t i = 0; i < names.n; i++)
		if ((r = add_distfile(m, distdir, names.v[i], &ctx->err)) < 0)
			return r;
	*count = names.n;
	return 0;
}

static int update_manifest(struct gild_ctx *ctx, const char *pkgdir,
			   const char *distdir, int argc, char **argv)
{
	_cleanup_free_ char *path = gild_path_join(pkgdir, "Manifest");
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist srcs =
	    FETCH_SRCLIST_INIT;
	size_t count = 0;
	int r, nrecipes = 0;

	if ((r = manifest_load(path, true, &m, &ctx->err)) < 0)
		return r;
	if (!argc &&
	    (nrecipes = package_distfiles(ctx, pkgdir, &srcs, &ctx->err)) < 0)
		return nrecipes;
	if (nrecipes > 0)
		r = update_from_recipes(ctx, m, distdir, &srcs, &count);
	else
		r = update_named(ctx, m, distdir, argc, argv, &count);
	if (r < 0 || (r = manifest_write(m, path, &ctx->err)) < 0)
		return r;
	fprintf(ctx->out, "%s: %zu DIST entr%s\n", path, count,
		count == 1 ? "y" : "ies");
	return 0;
}

static int distdir_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	(void)ctx;
	if (c == OPT_DISTDIR)
		*(const char **)ud = arg;
	return 0;
}

int cmd_manifest(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"distdir", required_argument, NULL, OPT_DISTDIR}, {0}};
	_cleanup_free_ char *pkgdir = NULL;
	_cleanup_(fetch_settings_release) struct fetch_settings fs = {0};
	const char *distdir = NULL;
	struct cli_opts o = {.opts = opts, .fn = distdir_opt, .ud = &distdir};
	int r, status;

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "needs a package");
	if (!(pkgdir = package_dir(ctx, argv[optind])))
		return gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
				 "no package '%s'", argv[optind]);
	if (!distdir &&
	    (r = fetch_settings_load(ctx, &fs, NULL, &ctx->err)) < 0)
		return r;
	return update_manifest(ctx, pkgdir, distdir ? distdir : fs.distdir,
			       argc - optind - 1, argv + optind + 1);
}
