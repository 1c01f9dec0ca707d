/* cmd-repo.c: `gild repo index|verify|list`: the binary repository. */
#include "cli/cli.h"

#include "config/config.h"

#include "repo/repo.h"

enum { OPT_PKGDIR = 0x2100 };

/* PKGDIR: --pkgdir, else the configuration's (gild.conf over the profile,
 * the environment over both), else, for a bare tree with no profile and
 * no gild.conf, $PKGDIR or <tree>/var/packages (DESIGN.md). */
static int repo_pkgdir(struct gild_ctx *ctx, const char *opt, char **out)
{
	_cleanup_free_ char *cdir = gild_ctx_config_dir(ctx);
	_cleanup_free_ char *conf = gild_path_join(cdir, "gild.conf");
	struct config *c = NULL;
	const char *env = getenv("PKGDIR");
	int r;

	if (opt) {
		*out = xstrdup(opt);
		return 0;
	}
	r = config_for_ctx(ctx, &c, &ctx->err);
	if (r == 0) {
		*out = config_pkgdir(c);
		return 0;
	}
	if (ctx->profile || access(conf, F_OK) == 0)
		return r;
	gild_err_clear(&ctx->err);
	*out = env && env[0] ? xstrdup(env)
			     : gild_path_join(ctx->tree, "var/packages");
	return 0;
}

static int pkgdir_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	(void)ctx;
	if (c == OPT_PKGDIR)
		*(const char **)ud = arg;
	return 0;
}

static int parse_repo_opts(int argc, char **argv, struct gild_ctx *ctx,
			   const char **pkgdir, int *status)
{
	static const struct option opts[] = {
	    {"pkgdir", required_argument, NULL, OPT_PKGDIR}, {0}};
	struct cli_opts o = {.opts = opts, .fn = pkgdir_opt, .ud = pkgdir};

	if (cli_parse_opts(ctx, argc, argv, &o, status) < 0)
		return -1;
	if (optind < argc) {
		*status = gild_ctx_usage_error(ctx, "unexpected argument '%s'",
					       argv[optind]);
		return -1;
	}
	return 0;
}

static int open_repo(int argc, char **argv, struct gild_ctx *ctx,
		     struct binrepo **out, int *status)
{
	const char *opt = NULL;
	_cleanup_free_ char *pkgdir = NULL;
	int r;

	if (parse_repo_opts(argc, argv, ctx, &opt, status) < 0)
		return -1;
	if ((r = repo_pkgdir(ctx, opt, &pkgdir)) < 0 ||
	    (r = binrepo_open(pkgdir, out, &ctx->err)) < 0) {
		*status = r;
		return -1;
	}
	return 0;
}

static void list_json(FILE *f, const struct binrepo *r)
{
	fputc('[', f);
	for (size_t i = 0; i < r->n; i++) {
		const struct binrepo_pkg *p = &r->pkgs[i];
		fputs(i ? ",{\"category\":" : "{\"category\":", f);
		gild_json_str(f, p->category, (size_t)-1);
		fputs(",\"pf\":", f);
		gild_json_str(f, p->pf, (size_t)-1);
		fputs(",\"build_id\":", f);
		gild_json_str(f, p->build_id, (size_t)-1);
		fputs(",\"path\":", f);
		gild_json_str(f, p->relpath, (size_t)-1);
		fprintf(f, ",\"size\":%llu", (unsigned long long)p->size);
		if (p->error) {
			fputs(",\"error\":", f);
			gild_json_str(f, p->error, (size_t)-1);
		}
		fputc('}', f);
	}
	fputs("]\n", f);
}

static int repo_list(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(binrepo_freep) struct binrepo *r = NULL;
	int status = 0;

	if (open_repo(argc, argv, ctx, &r, &status) < 0)
		return status;
	if (ctx->json) {
		list_json(ctx->out, r);
		return 0;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct binrepo_pkg *p = &r->pkgs[i];
		if (p->error)
			fprintf(ctx->out, "%s: unreadable: %s\n", p->relpath,
				p->error);
		else
			fprintf(ctx->out, "%s/%s %.12s %s\n", p->category,
				p->pf, p->build_id[0] ? p->build_id : "-",
				p->relpath);
	}
	return 0;
}

static int repo_index(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(binrepo_freep) struct binrepo *r = NULL;
	int status = 0, rc;
	size_t bad = 0;

	if (open_repo(argc, argv, ctx, &r, &status) < 0)
		return status;
	for (size_t i = 0; i < r->n; i++)
		if (r->pkgs[i].error) {
			bad++;
			gild_ctx_warn(ctx, "%s: %s, skipping",
				      r->pkgs[i].relpath, r->pkgs[i].error);
		}
	if ((rc = binrepo_index_write(r, &ctx->err)) < 0)
		return rc;
	gild_ctx_info(ctx, "indexed %zu packages in '%s'", r->n - bad,
		      r->pkgdir);
	return 0;
}

/* The metadata a package of the repository must have: CATEGORY and PF
 * that match where it lies, and a BUILD_ID. NULL when it does. */
static char *meta_problem(const struct binrepo_pkg *p)
{
	const char *cat = gpkg_meta_get(&p->meta, "CATEGORY");
	const char *pf = gpkg_meta_get(&p->meta, "PF");
	const char *base = strrchr(p->relpath, '/');

	if (!cat || !*cat)
		return xstrdup("its metadata has no CATEGORY");
	if (!pf || !*pf)
		return xstrdup("its metadata has no PF");
	if (strncmp(p->relpath, cat, strlen(cat)) ||
	    p->relpath[strlen(cat)] != '/')
		return xasprintf(
		    "CATEGORY '%s' but it lies in another category", cat);
	if (!base || strncmp(base + 1, pf, strlen(pf)))
		return xasprintf("PF '%s' does not match its file name", pf);
	if (!gpkg_build_id(&p->meta))
		return xstrdup("its metadata has no GILD_BUILD_ID (gild's "
			       "build-id)");
	return NULL;
}

static bool in_repo(const struct binrepo *r, const char *relpath)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->pkgs[i].relpath, relpath))
			return true;
	return false;
}

/* The Packages index against the files: what it lists must be there,
 * and what is there must be listed. Returns the number of differences. */
static size_t verify_index(struct gild_ctx *ctx, const struct binrepo *disk)
{
	_cleanup_(binrepo_freep) struct binrepo *idx = NULL;
	struct gild_err e = GILD_ERR_INIT;
	size_t bad = 0;
	int r = binrepo_index_read(disk->pkgdir, &idx, &e);

	if (r == -ENOENT || r == -ESTALE) {
		fprintf(ctx->out, "index: %s (run 'gild repo index')\n",
			r == -ENOENT ? "missing"
				     : "older than the packages, or cut short");
		return disk->n ? 1 : 0;
	}
	if (r < 0) {
		fprintf(ctx->out, "index: unreadable: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < idx->n; i++)
		if (!in_repo(disk, idx->pkgs[i].relpath) && ++bad)
			fprintf(ctx->out,
				"index: lists %s, which is not in "
				"PKGDIR\n",
				idx->pkgs[i].relpath);
	for (size_t i = 0; i < disk->n; i++)
		if (!disk->pkgs[i].error &&
		    !in_repo(idx, disk->pkgs[i].relpath) && ++bad)
			fprintf(ctx->out, "index: does not list %s\n",
				disk->pkgs[i].relpath);
	return bad;
}

/* Every package is checked, and the index against the files; each
 * problem is named, then exit 1. */
static int repo_verify(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(binrepo_freep) struct binrepo *r = NULL;
	int status = 0;
	size_t bad = 0;

	if (open_repo(argc, argv, ctx, &r, &status) < 0)
		return status;
	for (size_t i = 0; i < r->n; i++) {
		_cleanup_free_ char *path =
		    gild_path_join(r->pkgdir, r->pkgs[i].relpath);
		struct gild_err e = GILD_ERR_INIT;

		_cleanup_free_ char *why = NULL;

		if (gpkg_verify(path, &e) == 0 &&
		    !(why = meta_problem(&r->pkgs[i]))) {
			gild_ctx_debug(ctx, "%s: ok", r->pkgs[i].relpath);
			continue;
		}
		bad++;
		fprintf(ctx->out, "damaged: %s: %s\n", r->pkgs[i].relpath,
			why ? why : e.msg);
	}
	size_t idx = verify_index(ctx, r);
	fprintf(ctx->out, "%zu packages, %zu damaged, %zu index problems\n",
		r->n, bad, idx);
	return bad || idx ? 1 : 0;
}

int cmd_repo(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **, struct gild_ctx *);
	} sub[] = {
	    {"index", repo_index},
	    {"list", repo_list},
	    {"verify", repo_verify},
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		gild_ctx_usage(ctx, argc < 2 ? ctx->diag : ctx->out);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(sub); i++)
		if (strcmp(argv[1], sub[i].name) == 0)
			return sub[i].fn(argc - 1, argv + 1, ctx);
	return gild_ctx_usage_error(ctx, "unknown subcommand '%s'", argv[1]);
}
