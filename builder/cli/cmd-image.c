/* cmd-image.c: `gild image`: a role's golden image (see image/image.h). */
#include "cli/cli.h"
#include "image/image.h"

enum {
	OPT_FORMAT = 0x2000,
	OPT_SIZE,
	OPT_VERIFY,
	OPT_FORCE,
	OPT_REBUILD,
	OPT_LEGAL,
	OPT_SOURCES,
};

static int parse_formats(struct gild_ctx *ctx, const char *arg,
			 struct gild_strv *out)
{
	static const char *const known[] = {"tar", "squashfs", "erofs", "ext4"};
	_cleanup_free_ char *copy = xstrdup(arg);

	for (char *save = NULL, *f = strtok_r(copy, ", ", &save); f;
	     f = strtok_r(NULL, ", ", &save)) {
		bool ok = false;
		for (size_t i = 0; i < 4; i++)
			ok |= !strcmp(f, known[i]);
		if (!ok)
			return gild_ctx_usage_error(
			    ctx,
			    "unknown format '%s' (tar, squashfs, erofs, "
			    "ext4)",
			    f);
		gild_strv_add(out, f);
	}
	return 0;
}

static int image_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct image_opts *o = ud;
	int st;

	switch (c) {
	case OPT_FORMAT:
		if ((st = parse_formats(ctx, arg, &o->formats)))
			return st;
		break;
	case OPT_SIZE:
		if (gild_parse_u64(arg, true, &o->size) < 0 || !o->size)
			return gild_ctx_usage_error(
			    ctx,
			    "--size '%s' is not a size (bytes "
			    "with an optional k, m or g)",
			    arg);
		break;
	case 'o':
		o->outdir = arg;
		break;
	case OPT_VERIFY:
		o->verify_reproducible = true;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_REBUILD:
		o->rebuild = true;
		break;
	case OPT_LEGAL:
		o->legal_info = true;
		break;
	case OPT_SOURCES:
		o->legal_info = o->with_sources = true;
		break;
	}
	return 0;
}

static int parse_image_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct image_opts *o, struct cli_sched *sched,
			    const char **role, int *status)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"size", required_argument, NULL, OPT_SIZE},
	    {"output", required_argument, NULL, 'o'},
	    {"verify-reproducible", no_argument, NULL, OPT_VERIFY},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"rebuild", no_argument, NULL, OPT_REBUILD},
	    {"legal-info", no_argument, NULL, OPT_LEGAL},
	    {"with-sources", no_argument, NULL, OPT_SOURCES},
	    {0}};
	struct cli_opts co = {.opts = opts,
			      .shortopts = "o:",
			      .no_operands = true,
			      .sched = sched,
			      .role = role,
			      .fn = image_opt,
			      .ud = o};

	return cli_parse_opts(ctx, argc, argv, &co, status) < 0 ? -1 : 0;
}

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= (1u << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
	else
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
}

static void print_text(struct gild_ctx *ctx, const struct image_result *r)
{
	char sz[32];

	if (r->unchanged) {
		fprintf(ctx->out,
			"image: %s is up to date (image-id %.12s) in %s; "
			"nothing written (--force writes it again)\n",
			r->profile, r->image_id, r->outdir);
		return;
	}
	human_size(r->bytes, sz, sizeof(sz));
	fprintf(ctx->out, "image: role %s (%s): %zu packages, %zu files, %s\n",
		r->role, r->profile, r->npkgs, r->nfiles, sz);
	for (size_t i = 0; i < r->nout; i++) {
		if (r->out[i].skipped) {
			fprintf(ctx->out, "  %-16s skipped: %s\n",
				r->out[i].name, r->out[i].skipped);
			continue;
		}
		human_size(r->out[i].size, sz, sizeof(sz));
		fprintf(ctx->out, "  %-16s %10s  sha256 %.16s...\n",
			r->out[i].name, sz, r->out[i].sha256);
	}
	fprintf(ctx->out,
		"  manifest.txt, image.json, sbom.cdx.xml, "
		"hardening.txt (%zu hardening actions)\n",
		r->hardening.n);
	fprintf(ctx->out, "image-id %s\nwritten to %s\n", r->image_id,
		r->outdir);
}

static void print_json(struct gild_ctx *ctx, const struct image_result *r)
{
	fprintf(ctx->out,
		"{\"image_id\": \"%s\", \"unchanged\": %s, "
		"\"outdir\": ",
		r->image_id, r->unchanged ? "true" : "false");
	gild_json_str(ctx->out, r->outdir, (size_t)-1);
	fprintf(ctx->out, ", \"outputs\": [");
	for (size_t i = 0; i < r->nout; i++) {
		fprintf(ctx->out, "%s{\"name\": \"%s\", ", i ? ", " : "",
			r->out[i].name);
		if (r->out[i].skipped) {
			fprintf(ctx->out, "\"skipped\": ");
			gild_json_str(ctx->out, r->out[i].skipped, (size_t)-1);
			fprintf(ctx->out, "}");
		} else
			fprintf(ctx->out, "\"size\": %llu, \"sha256\": \"%s\"}",
				(unsigned long long)r->out[i].size,
				r->out[i].sha256);
	}
	fprintf(ctx->out, "]}\n");
}

static void image_opts_releasep(struct image_opts *o)
{
	gild_strv_release(&o->formats);
}

int cmd_image(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	_cleanup_(image_result_releasep) struct image_result res = {0};
	_cleanup_(image_opts_releasep) struct image_opts o = {0};
	_cleanup_(cli_sched_release) struct cli_sched sched = {0};
	_cleanup_(cli_progress_release) struct cli_progress prog = {0};
	_cleanup_free_ char *profile = NULL;
	const char *role = NULL;
	int status = 0, r;

	if (argc > 1 && !strcmp(argv[1], "run"))
		return cmd_image_run(argc - 1, argv + 1, ctx);
	if (parse_image_opts(argc, argv, ctx, &o, &sched, &role, &status) < 0)
		return status;
	cli_progress_start(&prog, ctx, &sched, &o.build, &o.report,
			   &o.report_ud);
	if ((r = cli_open_role_env(ctx, role, &env, &profile)) != 0)
		return r;
	if ((r = image_build(env, &o, &res, &ctx->err)) < 0)
		return cli_progress_status(&prog, r);
	if (ctx->json)
		print_json(ctx, &res);
	else
		print_text(ctx, &res);
	return 0;
}
