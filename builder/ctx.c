/* ctx.c: what every command shares through struct gild_ctx: diagnostics,
 * usage errors and the common options.  Linked into both halves of gild:
 * the front binary (main.c) and the core library (see main-core.c). */
#include "builder.h"

#include <inttypes.h>

void gild_ctx_usage(const struct gild_ctx *ctx, FILE *f)
{
	if (ctx->usage)
		ctx->usage(ctx, f);
}

int gild_ctx_usage_error(struct gild_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->diag, "gild %s: ", ctx->cmdname);
	va_start(ap, fmt);
	vfprintf(ctx->diag, fmt, ap);
	va_end(ap);
	fprintf(ctx->diag, " (see 'gild %s --help')\n", ctx->cmdname);
	return 2;
}

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

int gild_ctx_common_opt(struct gild_ctx *ctx, int c, const char *arg,
			int *status)
{
	switch (c) {
	case GILD_OPT_TREE:
	case 'C':
		ctx->tree = arg;
		return 1;
	case GILD_OPT_PROFILE:
		ctx->profile = arg;
		return 1;
	case GILD_OPT_CONFIG:
		ctx->config = arg;
		return 1;
	case GILD_OPT_JSON:
		ctx->json = true;
		return 1;
	case GILD_OPT_VERBOSE:
		ctx->verbosity++;
		return 1;
	case GILD_OPT_QUIET:
		ctx->verbosity--;
		return 1;
	case GILD_OPT_HELP:
		gild_ctx_usage(ctx, ctx->out);
		*status = 0;
		return -1;
	case '?':
	case ':':
		/* getopt_long already printed which option was wrong */
		fprintf(ctx->diag, "(see 'gild %s --help')\n", ctx->cmdname);
		*status = 2;
		return -1;
	default:
		return 0;
	}
}

int gild_ctx_number_opt(struct gild_ctx *ctx, const char *opt, const char *arg,
			uint64_t max, uint64_t *out)
{
	if (gild_parse_u64(arg, false, out) < 0 || *out == 0 || *out > max)
		return gild_ctx_usage_error(ctx, "%s wants a whole number from 1 "
					    "to %" PRIu64 ", not '%s'", opt,
					    max, arg);
	return 0;
}
