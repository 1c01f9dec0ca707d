/* cmd-resolve.c: `gild resolve --case FILE...`: run resolver cases. */
#include "cli/cli.h"
#include "resolve/resolve.h"

enum { OPT_CASE = 0x2000, OPT_UPDATE };

struct resolve_args {
	bool is_case, update;
};

static int resolve_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct resolve_args *a = ud;

	(void)ctx;
	(void)arg;
	if (c == OPT_CASE)
		a->is_case = true;
	else if (c == OPT_UPDATE)
		a->update = true;
	return 0;
}

int cmd_resolve(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"case", no_argument, NULL, OPT_CASE},
	    {"update", no_argument, NULL, OPT_UPDATE},
	    {0}};
	struct resolve_args a = {0};
	struct cli_opts o = {.opts = opts, .fn = resolve_opt, .ud = &a};
	int status, failed = 0;

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	if (!a.is_case)
		return gild_ctx_usage_error(ctx,
					    "only '--case FILE...' is "
					    "supported (see 'gild pretend')");
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "no case file given");
	for (int i = optind; i < argc; i++) {
		int r =
		    resolve_case_run(argv[i], a.update, ctx->out, &ctx->err);
		if (r < 0)
			return r;
		failed += r;
	}
	return failed ? 1 : 0;
}
