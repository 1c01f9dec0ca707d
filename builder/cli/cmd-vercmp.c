/* cmd-vercmp.c: `gild vercmp A B` prints '<', '=' or '>' (PMS 3.3). */
#include "cli/cli.h"
#include "pms/pms.h"

int cmd_vercmp(int argc, char **argv, struct gild_ctx *ctx)
{
	struct cli_opts co = {0};
	int c, status;

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status;
	if (argc - optind != 2)
		return gild_ctx_usage_error(ctx, "needs two versions");
	for (int i = optind; i < argc; i++)
		if (!version_valid(argv[i], strlen(argv[i])))
			return gild_fail(&ctx->err, -GILD_E_SYNTAX, NULL,
					 "invalid version '%s'", argv[i]);
	c = version_cmp(argv[optind], argv[optind + 1]);
	fprintf(ctx->out, "%s\n", c < 0 ? "<" : c > 0 ? ">" : "=");
	return 0;
}
