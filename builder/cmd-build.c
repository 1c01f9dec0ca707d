/* cmd-build.c: `gild build TARGET...`: build binary packages, one at a
 * time in order, reusing what the binary repository already holds (as
 * `emerge --buildpkgonly`). Each target is an atom; its build-time
 * dependencies must already be built (or provided by the stage), else the
 * error names every missing one. */
#include "build.h"

enum {
	OPT_KEEP_WORK = 0x2000,
	OPT_REBUILD,
	OPT_FETCHONLY,
	OPT_TIMEOUT,
};

static int parse_build_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct build_opts *o, int *status)
{
	static const struct option opts[] = {
		GILD_TREE_LONGOPT,
		GILD_COMMON_LONGOPTS,
		{"keep-work", no_argument, NULL, OPT_KEEP_WORK},
		{"rebuild", no_argument, NULL, OPT_REBUILD},
		{"fetchonly", no_argument, NULL, OPT_FETCHONLY},
		{"phase-timeout", required_argument, NULL, OPT_TIMEOUT},
		{0}};
	int c, h;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if ((h = gild_ctx_common_opt(ctx, c, optarg, status)) < 0)
			return -1;
		if (h > 0)
			continue;
		switch (c) {
		case OPT_KEEP_WORK: o->keep_work = true; break;
		case OPT_REBUILD: o->rebuild = true; break;
		case OPT_FETCHONLY: o->fetch_only = true; break;
		case OPT_TIMEOUT:
			if (atoi(optarg) <= 0) {
				*status = gild_ctx_usage_error(
					ctx, "--phase-timeout needs seconds, not '%s'", optarg);
				return -1;
			}
			o->phase_timeout = (unsigned)atoi(optarg);
			break;
		}
	}
	if (optind >= argc) {
		*status = gild_ctx_usage_error(ctx, "no target given");
		return -1;
	}
	return 0;
}

/* On a failed phase: the last lines of the log, so the cause is on the
 * screen (Portage prints the same, then the log's path). */
static void print_log_tail(struct gild_ctx *ctx, const struct gild_err *err)
{
	const char *p = strstr(err->msg, "; log: ");
	_cleanup_free_ char *text = NULL;
	size_t n, lines = 0, i;

	if (!p || gild_read_file(p + 7, &text, &n, NULL) < 0)
		return;
	for (i = n; i > 0; i--)
		if (text[i - 1] == '\n' && ++lines > 30)
			break;
	fprintf(ctx->diag, "--- last lines of %s ---\n%s", p + 7, text + i);
	if (n && text[n - 1] != '\n')
		fputc('\n', ctx->diag);
}

static const char *outcome_word(enum build_outcome o)
{
	switch (o) {
	case BUILD_BUILT: return "built";
	case BUILD_REUSED: return "reused";
	default: return "fetched";
	}
}

int cmd_build(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	struct build_opts o = {0};
	int status = 0, r;

	if (parse_build_opts(argc, argv, ctx, &o, &status) < 0)
		return status;
	if ((r = build_env_open(ctx, &env, &ctx->err)) < 0)
		return r;
	for (int i = optind; i < argc; i++) {
		const struct recipe *rc;
		enum build_outcome out;
		_cleanup_free_ char *pkg = NULL;

		if ((r = build_find_recipe(env, argv[i], &rc, &ctx->err)) < 0)
			return r;
		r = build_recipe(env, rc, &o, &out, &pkg, &ctx->err);
		if (r < 0) {
			if (r == -GILD_E_BUILD)
				print_log_tail(ctx, &ctx->err);
			return r;
		}
		fprintf(ctx->out, ">>> %s/%s: %s%s%s\n", rc->category, rc->pf,
			outcome_word(out), pkg ? " " : "", pkg ? pkg : "");
	}
	return 0;
}
