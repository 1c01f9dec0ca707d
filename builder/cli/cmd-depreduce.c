/* cmd-depreduce.c: `gild depreduce --use "a b" STRING` prints a dependency
 * string reduced under USE (PMS 8.2). */
#include "cli/cli.h"
#include "pms/pms.h"

/* USE given on the command line: a sorted list of words. */
static const struct {
	const char *name;
	enum depstr_kind kind;
} kinds[] = {
    {"depend", DEPSTR_DEPEND},	     {"src-uri", DEPSTR_SRC_URI},
    {"license", DEPSTR_LICENSE},     {"restrict", DEPSTR_RESTRICT},
    {"properties", DEPSTR_RESTRICT}, {"required-use", DEPSTR_REQUIRED_USE},
};

static int parse_kind(struct gild_ctx *ctx, const char *arg,
		      enum depstr_kind *kind)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i].name, arg) == 0)
			return *kind = kinds[i].kind, 0;
	return gild_ctx_usage_error(ctx, "unknown kind '%s'", arg);
}

struct depreduce_args {
	struct gild_strv use;
	enum depstr_kind kind;
	int eapi;
};

static void depreduce_args_release(struct depreduce_args *a)
{
	gild_strv_release(&a->use);
}

static int depreduce_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct depreduce_args *a = ud;

	if (c == 'u')
		gild_split_words(arg, &a->use);
	else if (c == 'e')
		return gild_parse_eapi_opt(ctx, arg, &a->eapi);
	else if (c == 'k' && parse_kind(ctx, arg, &a->kind) != 0)
		return 2;
	return 0;
}

int cmd_depreduce(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"use", required_argument, NULL, 'u'},
	    {"eapi", required_argument, NULL, 'e'},
	    {"kind", required_argument, NULL, 'k'},
	    {0}};
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	_cleanup_buf_ struct gild_buf out = GILD_BUF_INIT;
	_cleanup_(depreduce_args_release) struct depreduce_args a = {
	    GILD_STRV_INIT, DEPSTR_DEPEND, 8};
	struct cli_opts co = {.opts = opts, .fn = depreduce_opt, .ud = &a};
	int status, r;

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status;
	if (argc - optind != 1)
		return gild_ctx_usage_error(ctx, "needs one dependency string");
	/* strict: this is the linter, where the tree loader is lenient */
	r = depstr_parse(argv[optind], strlen(argv[optind]),
			 a.kind | DEPSTR_STRICT, a.eapi, NULL, &tree,
			 &ctx->err);
	if (r < 0)
		return r;
	reduced = depstr_reduce(tree, depstr_use_in_list, &a.use);
	depstr_format(reduced, &out);
	fprintf(ctx->out, "%s\n", gild_buf_str(&out));
	return 0;
}
