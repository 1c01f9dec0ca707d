/* cmd-pkg.c: `gild pkg show|files|verify|extract|create`: one binary
 * package (GLEP 78 GPKG) at a time. */
#include "cli/cli.h"

#include "repo/repo.h"

#include <limits.h>

enum { OPT_SET = 0x2000, OPT_RECIPE, OPT_SDE, OPT_PKGDIR, OPT_KEEP_OWNERS };

/* Parse only the common options; the rest are positional. */
static int parse_common(int argc, char **argv, struct gild_ctx *ctx,
			int *status)
{
	struct cli_opts co = {0};

	return cli_parse_opts(ctx, argc, argv, &co, status);
}

static void print_value_line(FILE *f, const char *key, const char *val)
{
	fprintf(f, "%s: ", key);
	for (const char *p = val; *p; p++)
		fputc(*p == '\n' ? ' ' : *p, f);
	fputc('\n', f);
}

static void show_json(FILE *f, const struct gpkg_meta *m)
{
	fputc('{', f);
	for (size_t i = 0; i < m->n; i++) {
		if (i)
			fputc(',', f);
		gild_json_str(f, m->kv[i].key, (size_t)-1);
		fputc(':', f);
		gild_json_str(f, m->kv[i].value, (size_t)-1);
	}
	if (m->recipe) {
		fputs(m->n ? ",\"recipe\":" : "\"recipe\":", f);
		gild_json_str(f, m->recipe, (size_t)-1);
	}
	fputs("}\n", f);
}

static int pkg_show(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	int status = 0, first = parse_common(argc, argv, ctx, &status), r;

	if (first < 0)
		return status;
	if (argc - first != 1)
		return gild_ctx_usage_error(ctx, "'pkg show' takes one FILE");
	if ((r = gpkg_read_meta(argv[first], &m, &ctx->err)) < 0)
		return r;
	if (ctx->json) {
		show_json(ctx->out, &m);
		return 0;
	}
	/* CONTENTS is `gild pkg files`; everything else, one line each. */
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(m.kv[i].key, "CONTENTS") != 0)
			print_value_line(ctx->out, m.kv[i].key, m.kv[i].value);
	return 0;
}

static void files_json(FILE *f, const struct gpkg_contents *c)
{
	fputc('[', f);
	for (size_t i = 0; i < c->n; i++) {
		const struct gpkg_entry *e = &c->e[i];
		fprintf(f, "%s{\"type\":\"%s\",\"mode\":\"%04o\",\"owner\":",
			i ? "," : "", gpkg_ftype_name(e->type), e->mode);
		gild_json_str(f, e->owner, (size_t)-1);
		fputs(",\"sha256\":", f);
		if (e->sha256[0])
			gild_json_str(f, e->sha256, (size_t)-1);
		else
			fputs("null", f);
		fputs(",\"path\":", f);
		gild_json_str(f, e->path, (size_t)-1);
		if (e->target) {
			fputs(",\"target\":", f);
			gild_json_str(f, e->target, (size_t)-1);
		}
		fputc('}', f);
	}
	fputs("]\n", f);
}

static int pkg_files(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	_cleanup_(gpkg_contents_releasep) struct gpkg_contents c =
	    GPKG_CONTENTS_INIT;
	int status = 0, first = parse_common(argc, argv, ctx, &status), r;
	const char *text;

	if (first < 0)
		return status;
	if (argc - first != 1)
		return gild_ctx_usage_error(ctx, "'pkg files' takes one FILE");
	if ((r = gpkg_read_meta(argv[first], &m, &ctx->err)) < 0)
		return r;
	if (!(text = gpkg_meta_get(&m, "CONTENTS")))
		return gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
				 "'%s' has no CONTENTS", argv[first]);
	if ((r = gpkg_contents_parse_pkg(argv[first], text, &c, &ctx->err)) < 0)
		return r;
	if (ctx->json) {
		files_json(ctx->out, &c);
		return 0;
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct gpkg_entry *e = &c.e[i];
		fprintf(ctx->out, "%s %04o %s %s %s%s%s\n",
			gpkg_ftype_name(e->type), e->mode, e->owner,
			e->sha256[0] ? e->sha256 : "-", e->path,
			e->target ? " -> " : "", e->target ? e->target : "");
	}
	return 0;
}

static int pkg_verify(int argc, char **argv, struct gild_ctx *ctx)
{
	int status = 0, first = parse_common(argc, argv, ctx, &status), r;

	if (first < 0)
		return status;
	if (argc - first != 1)
		return gild_ctx_usage_error(ctx, "'pkg verify' takes one FILE");
	if ((r = gpkg_verify(argv[first], &ctx->err)) < 0)
		return r;
	gild_ctx_info(ctx, "%s: ok", argv[first]);
	return 0;
}

static int pkg_extract(int argc, char **argv, struct gild_ctx *ctx)
{
	int status = 0, first = parse_common(argc, argv, ctx, &status);

	if (first < 0)
		return status;
	if (argc - first != 2)
		return gild_ctx_usage_error(
		    ctx, "'pkg extract' takes FILE and DESTDIR");
	return gpkg_extract(argv[first], argv[first + 1], &ctx->err);
}

/* --set KEY=VALUE */
static int set_meta_arg(struct gild_ctx *ctx, struct gpkg_meta *m,
			const char *arg)
{
	const char *eq = strchr(arg, '=');
	_cleanup_free_ char *key = NULL;

	if (!eq || eq == arg)
		return gild_ctx_usage_error(
		    ctx, "--set wants KEY=VALUE, not '%s'", arg);
	key = xstrndup(arg, (size_t)(eq - arg));
	gpkg_meta_set(m, key, eq + 1);
	return 0;
}

struct create_opts {
	const char *pkgdir;
	const char *recipe;
};

/* SOURCE_DATE_EPOCH (reproducible-builds.org): whole seconds since 1970,
 * 0 included; anything else is a usage error naming where it came from. */
static int parse_sde(struct gild_ctx *ctx, const char *what, const char *arg,
		     int64_t *out)
{
	uint64_t v;

	if (gild_parse_u64(arg, false, &v) < 0 || v > INT64_MAX) {
		gild_ctx_usage_error(ctx,
				     "%s wants whole seconds since 1970, "
				     "not '%s'",
				     what, arg);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

struct create_args {
	struct gpkg_meta *m;
	struct create_opts *co;
};

static int create_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct create_args *a = ud;

	if (c == OPT_SET && set_meta_arg(ctx, a->m, arg))
		return 2;
	if (c == OPT_RECIPE)
		a->co->recipe = arg;
	if (c == OPT_SDE && parse_sde(ctx, "--source-date-epoch", arg,
				      &a->m->source_date_epoch) < 0)
		return 2;
	if (c == OPT_PKGDIR)
		a->co->pkgdir = arg;
	if (c == OPT_KEEP_OWNERS)
		a->m->keep_owners = true;
	return 0;
}

static int parse_create(int argc, char **argv, struct gild_ctx *ctx,
			struct gpkg_meta *m, struct create_opts *co)
{
	static const struct option opts[] = {
	    {"set", required_argument, NULL, OPT_SET},
	    {"recipe", required_argument, NULL, OPT_RECIPE},
	    {"source-date-epoch", required_argument, NULL, OPT_SDE},
	    {"pkgdir", required_argument, NULL, OPT_PKGDIR},
	    {"keep-owners", no_argument, NULL, OPT_KEEP_OWNERS},
	    {0}};
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct create_args a = {m, co};
	struct cli_opts o = {.opts = opts, .fn = create_opt, .ud = &a};
	int status, first;

	m->source_date_epoch = 0;
	if (sde && *sde &&
	    parse_sde(ctx, "SOURCE_DATE_EPOCH", sde, &m->source_date_epoch) < 0)
		return -1 - 2;
	if ((first = cli_parse_opts(ctx, argc, argv, &o, &status)) < 0)
		return -1 - status;
	return first;
}

/* gild pkg create [--set K=V]... [--recipe FILE] [--source-date-epoch N]
 *                 IMAGEDIR (OUT.gpkg.tar | --pkgdir DIR) */
static int pkg_create(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	struct create_opts co = {0};
	int first = parse_create(argc, argv, ctx, &m, &co), r;
	size_t len;

	if (first < 0)
		return -1 - first;
	if (argc - first != (co.pkgdir ? 1 : 2))
		return gild_ctx_usage_error(
		    ctx, "'pkg create' takes IMAGEDIR and OUT (or --pkgdir)");
	if (co.recipe &&
	    (r = gild_read_file(co.recipe, &m.recipe, &len, &ctx->err)) < 0)
		return r;
	if (co.pkgdir)
		return binrepo_add(co.pkgdir, &m, argv[first], &ctx->err);
	return gpkg_write(&m, argv[first], argv[first + 1], &ctx->err);
}

static const struct {
	const char *name;
	int (*fn)(int, char **, struct gild_ctx *);
} pkg_cmds[] = {
    {"create", pkg_create}, {"extract", pkg_extract}, {"files", pkg_files},
    {"show", pkg_show},	    {"verify", pkg_verify},
};

int cmd_pkg(int argc, char **argv, struct gild_ctx *ctx)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		gild_ctx_usage(ctx, argc < 2 ? ctx->diag : ctx->out);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(pkg_cmds); i++)
		if (strcmp(argv[1], pkg_cmds[i].name) == 0)
			return pkg_cmds[i].fn(argc - 1, argv + 1, ctx);
	return gild_ctx_usage_error(ctx, "unknown subcommand '%s'", argv[1]);
}
