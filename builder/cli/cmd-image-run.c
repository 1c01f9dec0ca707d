/* cmd-image-run.c: `gild image run`: a command inside a role's image in
 * the sandbox, like `mkosi shell` (see image_run in image/image.h). */
#include "cli/cli.h"
#include "image/image.h"

int cmd_image_run(int argc, char **argv, struct gild_ctx *ctx)
{
	(void)argc;
	(void)argv;
	return gild_ctx_usage_error(ctx, "image run: not built yet");
}
