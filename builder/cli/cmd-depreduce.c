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

int cmd_depreduce(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    GILD_TREE_LONGOPT,
	    GILD_COMMON_LONGOPTS,
	    {"use", required_argument, NULL, 'u'},
	    {"eapi", required_argument, NULL, 'e'},
	    {"kind", required_argument, NULL, 'k'},
	    {0}};
	_cleanup_strv_ struct gild_strv use = GILD_STRV_INIT;
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	_cleanup_buf_ struct gild_buf out = GILD_BUF_INIT;
	enum depstr_kind kind = DEPSTR_DEPEND;
	int c, status, eapi = 8, r;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if (c == 'u')
			gild_split_words(optarg, &use);
		else if (c == 'e' &&
			 (r = gild_parse_eapi_opt(ctx, optarg, &eapi)) < 0)
			return r;
		else if (c == 'k' && parse_kind(ctx, optarg, &kind) != 0)
			return 2;
		else if (c != 'u' && c != 'e' && c != 'k' &&
			 gild_ctx_common_opt(ctx, c, optarg, &status) <= 0)
			return status;
	}
	if (argc - optind != 1)
		return gild_ctx_usage_error(ctx, "needs one dependency string");
	/* strict: this is the linter, where the tree loader is lenient */
	r = depstr_parse(argv[optind], strlen(argv[optind]),
			 kind | DEPSTR_STRICT, eapi, NULL, &tree, &ctx->err);
	if (r < 0)
		return r;
	reduced = depstr_reduce(tree, depstr_use_in_list, &use);
	depstr_format(reduced, &out);
	fprintf(ctx->out, "%s\n", gild_buf_str(&out));
	return 0;
}
