/* cmd-manifest.c: `gild manifest PKGDIR [DISTFILE...]`: write or update a
 * package's Manifest from the distfiles in DISTDIR (Portage's
 * `ebuild ... manifest`).
 *
 * PKGDIR is the package directory (recipes/CATEGORY/PN, relative to the
 * tree, or any path). The DIST entries written are the DISTFILEs named,
 * or, when none are, the DIST entries the Manifest already has, recomputed.
 * Other entries are kept; the file is written sorted and atomically.
 */
#include "builder.h"
#include "fetch.h"
#include "manifest.h"

#include <sys/stat.h>

enum { OPT_DISTDIR = 0x2000 };

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The package directory for arg: <tree>/recipes/ARG, else ARG itself. */
static char *package_dir(const struct gild_ctx *ctx, const char *arg)
{
	_cleanup_free_ char *recipes = gild_path_join(ctx->tree, "recipes");
	_cleanup_free_ char *in_tree = gild_path_join(recipes, arg);

	if (arg[0] != '/' && is_dir(in_tree))
		return TAKE_PTR(in_tree);
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

/* The DIST names to (re)compute: the arguments, else those present. */
static void dist_names(const struct manifest *m, int argc, char **argv,
		       struct gild_strv *names)
{
	for (int i = 0; i < argc; i++)
		gild_strv_add(names, argv[i]);
	if (argc)
		return;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].type, "DIST") == 0)
			gild_strv_add(names, m->v[i].name);
}

int cmd_manifest(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
		GILD_TREE_LONGOPT, GILD_COMMON_LONGOPTS,
		{"distdir", required_argument, NULL, OPT_DISTDIR}, {0}};
	_cleanup_free_ char *pkgdir = NULL, *path = NULL, *config_dir = NULL;
	_cleanup_(fetch_settings_release) struct fetch_settings fs = {0};
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	const char *distdir = NULL;
	int c, h, r, status = 0;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if ((h = gild_ctx_common_opt(ctx, c, optarg, &status)) < 0)
			return status;
		if (h == 0 && c == OPT_DISTDIR)
			distdir = optarg;
	}
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "needs a package directory");
	if (!(pkgdir = package_dir(ctx, argv[optind])))
		return gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
				 "no package directory '%s'", argv[optind]);
	config_dir = gild_ctx_config_dir(ctx);
	if (!distdir &&
	    (r = fetch_settings_load(ctx->tree, config_dir, ctx->profile, &fs,
				     NULL, &ctx->err)) < 0)
		return r;
	if (!distdir)
		distdir = fs.distdir;
	path = gild_path_join(pkgdir, "Manifest");
	if ((r = manifest_load(path, true, &m, &ctx->err)) < 0)
		return r;
	dist_names(m, argc - optind - 1, argv + optind + 1, &names);
	for (size_t i = 0; i < names.n; i++)
		if ((r = add_distfile(m, distdir, names.v[i], &ctx->err)) < 0)
			return r;
	if ((r = manifest_write(m, path, &ctx->err)) < 0)
		return r;
	fprintf(ctx->out, "%s: %zu DIST entr%s\n", path, names.n,
		names.n == 1 ? "y" : "ies");
	return 0;
}
