/* cmd-media.c: `gild iso` and `gild disk`: a role's boot media (see
 * media/media.h). */
#include "cli/cli.h"
#include "media/media.h"

enum {
	OPT_VERIFY = 0x2000,
	OPT_INSTALLER,
	OPT_FORMAT,
	OPT_SIZE,
};

/* --format raw,qcow2 */
static int parse_disk_formats(struct gild_ctx *ctx, const char *arg,
			      struct disk_opts *o)
{
	_cleanup_free_ char *copy = xstrdup(arg);

	for (char *save = NULL, *f = strtok_r(copy, ", ", &save); f;
	     f = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(f, "raw"))
			o->raw = true;
		else if (!strcmp(f, "qcow2"))
			o->qcow2 = true;
		else
			return gild_ctx_usage_error(
			    ctx, "unknown disk format '%s' (raw, qcow2)", f);
	}
	return 0;
}

/* The options of both commands; ud is the struct media_common at the
 * start of iso_opts or disk_opts, and kind says which. */
struct media_cli {
	const char *kind;
	struct media_common *c;
	struct iso_opts *iso;
	struct disk_opts *disk;
};

static int media_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct media_cli *mc = ud;

	switch (c) {
	case 'o':
		mc->c->outdir = arg;
		break;
	case OPT_VERIFY:
		mc->c->verify_reproducible = true;
		break;
	case OPT_INSTALLER:
		mc->iso->installer = true;
		break;
	case OPT_FORMAT:
		return parse_disk_formats(ctx, arg, mc->disk);
	case OPT_SIZE:
		if (gild_parse_u64(arg, true, &mc->disk->size) < 0 ||
		    !mc->disk->size)
			return gild_ctx_usage_error(
			    ctx,
			    "--size '%s' is not a size (bytes with an "
			    "optional k, m or g)",
			    arg);
		break;
	}
	return 0;
}

static int parse_media_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct media_cli *mc, struct cli_sched *sched,
			    const char **role, int *status)
{
	static const struct option iso_opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"verify-reproducible", no_argument, NULL, OPT_VERIFY},
	    {"installer", no_argument, NULL, OPT_INSTALLER},
	    {0}};
	static const struct option disk_opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"verify-reproducible", no_argument, NULL, OPT_VERIFY},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"size", required_argument, NULL, OPT_SIZE},
	    {0}};
	struct cli_opts co = {.opts = mc->iso ? iso_opts : disk_opts,
			      .shortopts = "o:",
			      .no_operands = true,
			      .sched = sched,
			      .role = role,
			      .fn = media_opt,
			      .ud = mc};

	return cli_parse_opts(ctx, argc, argv, &co, status) < 0 ? -1 : 0;
}

static void print_text(struct gild_ctx *ctx, const char *kind,
		       const struct media_result *r)
{
	for (size_t i = 0; i < r->nout; i++)
		fprintf(ctx->out, "%s: %s, %.1f MiB, sha256 %.16s...\n",
			gild_endswith(r->out[i].path, ".cdx.xml") ? "sbom"
								  : kind,
			r->out[i].path, (double)r->out[i].size / (1 << 20),
			r->out[i].sha256);
	fprintf(ctx->out, "  %s %s\n",
		strcmp(kind, "iso") ? "GPT disk GUID" : "label", r->label);
	for (size_t i = 0; i < r->nparts; i++)
		fprintf(ctx->out, "  %-26s %8.1f KiB\n", r->parts[i].name,
			(double)r->parts[i].size / 1024);
}

static void print_json(struct gild_ctx *ctx, const struct media_result *r)
{
	fprintf(ctx->out, "{\"label\": \"%s\", \"outputs\": [", r->label);
	for (size_t i = 0; i < r->nout; i++) {
		fprintf(ctx->out, "%s{\"path\": ", i ? ", " : "");
		gild_json_str(ctx->out, r->out[i].path, (size_t)-1);
		fprintf(ctx->out, ", \"size\": %llu, \"sha256\": \"%s\"}",
			(unsigned long long)r->out[i].size, r->out[i].sha256);
	}
	fprintf(ctx->out, "], \"parts\": {");
	for (size_t i = 0; i < r->nparts; i++)
		fprintf(ctx->out, "%s\"%s\": %llu", i ? ", " : "",
			r->parts[i].name, (unsigned long long)r->parts[i].size);
	fprintf(ctx->out, "}}\n");
}

static int run_media(int argc, char **argv, struct gild_ctx *ctx,
		     struct media_cli *mc)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	_cleanup_(media_result_releasep) struct media_result res = {0};
	_cleanup_(cli_sched_release) struct cli_sched sched = {0};
	_cleanup_(cli_progress_release) struct cli_progress prog = {0};
	_cleanup_free_ char *profile = NULL;
	const char *role = NULL;
	int status = 0, r;

	if (parse_media_opts(argc, argv, ctx, mc, &sched, &role, &status) < 0)
		return status;
	cli_progress_start(&prog, ctx, &sched, &mc->c->build, &mc->c->report,
			   &mc->c->report_ud);
	if ((r = cli_open_role_env(ctx, role, &env, &profile)) != 0)
		return r;
	r = mc->iso ? iso_build(env, mc->iso, &res, &ctx->err)
		    : disk_build(env, mc->disk, &res, &ctx->err);
	if (r < 0)
		return cli_progress_status(&prog, r);
	if (ctx->json)
		print_json(ctx, &res);
	else
		print_text(ctx, mc->kind, &res);
	return 0;
}

int cmd_iso(int argc, char **argv, struct gild_ctx *ctx)
{
	struct iso_opts o = {0};
	struct media_cli mc = {.kind = "iso", .c = &o.c, .iso = &o};

	return run_media(argc, argv, ctx, &mc);
}

int cmd_disk(int argc, char **argv, struct gild_ctx *ctx)
{
	struct disk_opts o = {0};
	struct media_cli mc = {.kind = "disk", .c = &o.c, .disk = &o};

	return run_media(argc, argv, ctx, &mc);
}
