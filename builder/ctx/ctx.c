/* ctx.c: diagnostics through struct gild_ctx.  Linked into both halves
 * of gild: the front binary and the core library (cli/main-core.c). */
#include "ctx/ctx.h"

#include <stdarg.h>

static void vdiag(struct gild_ctx *ctx, const char *kind, const char *fmt,
		  va_list ap)
{
	fprintf(ctx->diag, "gild: %s", kind);
	vfprintf(ctx->diag, fmt, ap);
	fputc('\n', ctx->diag);
}

void gild_ctx_warn(struct gild_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(ctx, "warning: ", fmt, ap);
	va_end(ap);
}

void gild_ctx_info(struct gild_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (ctx->verbosity < 0)
		return;
	va_start(ap, fmt);
	vdiag(ctx, "", fmt, ap);
	va_end(ap);
}

void gild_ctx_debug(struct gild_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (ctx->verbosity <= 0)
		return;
	va_start(ap, fmt);
	vdiag(ctx, "debug: ", fmt, ap);
	va_end(ap);
}

char *gild_ctx_config_dir(const struct gild_ctx *ctx)
{
	if (ctx->config)
		return xstrdup(ctx->config);
	return gild_path_join(ctx->tree, "etc");
}

void gild_ctx_release(struct gild_ctx *ctx)
{
	if (ctx->release_setup)
		ctx->release_setup(ctx->setup);
	ctx->setup = NULL;
	ctx->release_setup = NULL;
}
