/* ctx-opt.c: what every command shares: usage errors and the common
 * options.  Linked into both halves of gild:
 * the front binary (main.c) and the core library (see main-core.c). */
#include "cli/cli.h"

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
		return gild_ctx_usage_error(ctx,
					    "%s wants a whole number from 1 "
					    "to %" PRIu64 ", not '%s'",
					    opt, max, arg);
	return 0;
}

int gild_parse_eapi_opt(struct gild_ctx *ctx, const char *arg, int *eapi)
{
	if (strcmp(arg, "7") != 0 && strcmp(arg, "8") != 0)
		return gild_fail(&ctx->err, -GILD_E_UNSUPPORTED, NULL,
				 "unsupported EAPI '%s'", arg);
	*eapi = arg[0] - '0';
	return 0;
}
