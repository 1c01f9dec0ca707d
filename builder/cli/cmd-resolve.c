/* cmd-resolve.c: `gild resolve --case FILE...`: run resolver cases. */
#include "cli/cli.h"
#include "resolve/resolve.h"

int cmd_resolve(int argc, char **argv, struct gild_ctx *ctx)
{
	enum { OPT_CASE = 0x2000, OPT_UPDATE };
	static const struct option opts[] = {
	    GILD_TREE_LONGOPT,
	    GILD_COMMON_LONGOPTS,
	    {"case", no_argument, NULL, OPT_CASE},
	    {"update", no_argument, NULL, OPT_UPDATE},
	    {0}};
	bool is_case = false, update = false;
	int c, status, failed = 0;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if (c == OPT_CASE)
			is_case = true;
		else if (c == OPT_UPDATE)
			update = true;
		else if (gild_ctx_common_opt(ctx, c, optarg, &status) <= 0)
			return status;
	}
	if (!is_case)
		return gild_ctx_usage_error(ctx,
					    "only '--case FILE...' is "
					    "supported (see 'gild pretend')");
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "no case file given");
	for (int i = optind; i < argc; i++) {
		int r = resolve_case_run(argv[i], update, ctx->out, &ctx->err);
		if (r < 0)
			return r;
		failed += r;
	}
	return failed ? 1 : 0;
}
