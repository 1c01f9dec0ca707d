/* cmd-iso.c: `gild iso`: a role's live ISO (see iso/iso.h). */
#include "cli/cli.h"
#include "iso/iso.h"

static int iso_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	(void)ctx;
	if (c == 'o')
		((struct iso_opts *)ud)->outdir = arg;
	return 0;
}

static int parse_iso_opts(int argc, char **argv, struct gild_ctx *ctx,
			  struct iso_opts *o, struct cli_sched *sched,
			  const char **role, int *status)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'}, {0}};
	struct cli_opts co = {.opts = opts,
			      .shortopts = "o:",
			      .no_operands = true,
			      .sched = sched,
			      .role = role,
			      .fn = iso_opt,
			      .ud = o};

	return cli_parse_opts(ctx, argc, argv, &co, status) < 0 ? -1 : 0;
}

static void print_text(struct gild_ctx *ctx, const struct iso_result *r)
{
	fprintf(ctx->out, "iso: %s (label %s), %.1f MiB, sha256 %.16s...\n",
		r->path, r->label, (double)r->size / (1 << 20), r->sha256);
	for (size_t i = 0; i < r->nparts; i++)
		fprintf(ctx->out, "  %-20s %8.1f KiB\n", r->parts[i].name,
			(double)r->parts[i].size / 1024);
}

static void print_json(struct gild_ctx *ctx, const struct iso_result *r)
{
	fprintf(ctx->out, "{\"path\": ");
	gild_json_str(ctx->out, r->path, (size_t)-1);
	fprintf(ctx->out,
		", \"label\": \"%s\", \"size\": %llu, \"sha256\": \"%s\", "
		"\"parts\": {",
		r->label, (unsigned long long)r->size, r->sha256);
	for (size_t i = 0; i < r->nparts; i++)
		fprintf(ctx->out, "%s\"%s\": %llu", i ? ", " : "",
			r->parts[i].name, (unsigned long long)r->parts[i].size);
	fprintf(ctx->out, "}}\n");
}

int cmd_iso(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	_cleanup_(iso_result_releasep) struct iso_result res = {0};
	_cleanup_(cli_sched_release) struct cli_sched sched = {0};
	_cleanup_(cli_progress_release) struct cli_progress prog = {0};
	_cleanup_free_ char *profile = NULL;
	struct iso_opts o = {0};
	const char *role = NULL;
	int status = 0, r;

	if (parse_iso_opts(argc, argv, ctx, &o, &sched, &role, &status) < 0)
		return status;
	cli_progress_start(&prog, ctx, &sched, &o.build, &o.report,
			   &o.report_ud);
	if ((r = cli_open_role_env(ctx, role, &env, &profile)) != 0)
		return r;
	if ((r = iso_build(env, &o, &res, &ctx->err)) < 0)
		return cli_progress_status(&prog, r);
	if (ctx->json)
		print_json(ctx, &res);
	else
		print_text(ctx, &res);
	return 0;
}
