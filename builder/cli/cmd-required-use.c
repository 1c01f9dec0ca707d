/* cmd-required-use.c: `gild required-use --iuse "a b c" --use "a" STRING`
 * exits 0 when REQUIRED_USE holds, 1 (saying why) when not, 2 on a syntax
 * error or a flag outside IUSE. */
#include "cli/cli.h"
#include "pms/pms.h"

struct iuse_check {
	const struct gild_strv *iuse;
	struct gild_ctx *ctx;
};

static int flag_in_iuse(void *ud, const char *flag,
			const struct dep_node *where)
{
	struct iuse_check *ic = ud;

	if (gild_strv_contains(ic->iuse, flag))
		return 0;
	return gild_fail(&ic->ctx->err, -GILD_E_INVALID, NULL,
			 "USE flag '%s' in REQUIRED_USE is not in IUSE", flag);
}

/* IUSE words may carry a default ("+a", "-b"); the flag is the rest. */
static void strip_iuse_defaults(struct gild_strv *iuse)
{
	for (size_t i = 0; i < iuse->n; i++)
		if (iuse->v[i][0] == '+' || iuse->v[i][0] == '-')
			memmove(iuse->v[i], iuse->v[i] + 1, strlen(iuse->v[i]));
}

static int check_use_in_iuse(struct gild_ctx *ctx, const struct gild_strv *use,
			     const struct gild_strv *iuse)
{
	for (size_t i = 0; i < use->n; i++)
		if (!gild_strv_contains(iuse, use->v[i]))
			return gild_fail(&ctx->err, -GILD_E_INVALID, NULL,
					 "USE flag '%s' is not in IUSE",
					 use->v[i]);
	return 0;
}

struct requse_args {
	struct gild_strv *use, *iuse;
	int *eapi;
};

static int requse_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct requse_args *a = ud;

	if (c == 'u')
		gild_split_words(arg, a->use);
	else if (c == 'i')
		gild_split_words(arg, a->iuse);
	else if (c == 'e')
		return gild_parse_eapi_opt(ctx, arg, a->eapi);
	return 0;
}

int cmd_required_use(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"use", required_argument, NULL, 'u'},
	    {"iuse", required_argument, NULL, 'i'},
	    {"eapi", required_argument, NULL, 'e'},
	    {0}};
	_cleanup_strv_ struct gild_strv use = GILD_STRV_INIT;
	_cleanup_strv_ struct gild_strv iuse = GILD_STRV_INIT;
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	_cleanup_buf_ struct gild_buf why = GILD_BUF_INIT;
	struct iuse_check ic = {&iuse, ctx};
	int status, eapi = 8, r;
	struct requse_args a = {&use, &iuse, &eapi};
	struct cli_opts o = {.opts = opts, .fn = requse_opt, .ud = &a};

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	if (argc - optind != 1)
		return gild_ctx_usage_error(ctx,
					    "needs one REQUIRED_USE string");
	strip_iuse_defaults(&iuse);
	/* strict: this is the linter, where the tree loader is lenient */
	r = depstr_parse(argv[optind], strlen(argv[optind]),
			 DEPSTR_REQUIRED_USE | DEPSTR_STRICT, eapi, NULL, &tree,
			 &ctx->err);
	if (r < 0)
		return r;
	if ((r = depstr_foreach_flag(tree, flag_in_iuse, &ic)) < 0)
		return r;
	if ((r = check_use_in_iuse(ctx, &use, &iuse)) < 0)
		return r;
	if (requse_check(tree, depstr_use_in_list, &use, &why))
		return 0;
	fprintf(ctx->out, "%s\n", gild_buf_str(&why));
	return 1;
}
