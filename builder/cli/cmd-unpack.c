/* cmd-unpack.c: `gild unpack ARCHIVE... DIR`: extract distfiles the way a
 * build's src_unpack does (safe extraction, see unpack.h). */
#include "cli/cli.h"
#include "fetch/fetch.h"

int cmd_unpack(int argc, char **argv, struct gild_ctx *ctx)
{
	struct cli_opts co = {0};
	const char *dest;
	int r, status;

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status; /* 0 after --help */
	if (argc - optind < 2)
		return gild_ctx_usage_error(ctx, "needs an archive and a "
						 "directory");
	dest = argv[argc - 1];
	if ((r = gild_mkdir_p(dest, 0755, &ctx->err)) < 0)
		return r;
	for (int i = optind; i < argc - 1; i++) {
		if ((r = unpack_file(argv[i], dest, &ctx->err)) < 0)
			return r;
		gild_ctx_debug(ctx, "unpacked '%s'", argv[i]);
	}
	return 0;
}
