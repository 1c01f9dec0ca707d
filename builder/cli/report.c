/* report.c: what the commands that build a plan before their own work
 * (image, iso) print for each package of it. */
#include "build/build.h"
#include "cli/cli.h"

void cli_report_built(void *ud, const struct build_done *d)
{
	struct gild_ctx *ctx = ud;

	if (ctx->json)
		return;
	fprintf(ctx->out, ">>> %s: %s\n", d->cpv,
		d->outcome == BUILD_BUILT ? "built" : "reused");
	fflush(ctx->out);
}
