/* cmd-image-run.c: `gild image run [--role R | DIR] [--network] [--init]
 * [--timeout S] [--rw-size SIZE] [-- CMD...]`: a command inside a role's image.
 */
#include "cli/cli.h"
#include "image/image.h"

#include <sys/stat.h>

enum { OPT_NETWORK = 0x2000, OPT_INIT, OPT_TIMEOUT, OPT_RW_SIZE };

static int run_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct image_run_opts *o = ud;
	uint64_t v;
	int st;

	if (c == OPT_NETWORK)
		o->network = true;
	else if (c == OPT_INIT)
		o->init = true;
	else if (c == OPT_TIMEOUT) {
		if ((st =
			 gild_ctx_number_opt(ctx, "--timeout", arg, 86400, &v)))
			return st;
		o->timeout = (unsigned)v;
	} else if (c == OPT_RW_SIZE) {
		if (gild_parse_u64(arg, true, &o->rw_size) < 0 || !o->rw_size)
			return gild_ctx_usage_error(
			    ctx,
			    "--rw-size '%s' is not a size (bytes with an "
			    "optional k, m or g)",
			    arg);
	}
	return 0;
}

static int parse_run_opts(int argc, char **argv, struct gild_ctx *ctx,
			  struct image_run_opts *o, const char **role,
			  int *status)
{
	static const struct option opts[] = {
	    {"network", no_argument, NULL, OPT_NETWORK},
	    {"init", no_argument, NULL, OPT_INIT},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"rw-size", required_argument, NULL, OPT_RW_SIZE},
	    {0}};
	/* options end at the first word (DIR or the command) */
	struct cli_opts co = {.opts = opts,
			      .stop_at_operand = true,
			      .role = role,
			      .fn = run_opt,
			      .ud = o};

	/* `image run DIR` needs no recipe; a role's run opens the tree
	 * through its build environment */
	ctx->needs &= ~(unsigned)GILD_NEED_RECIPES;
	return cli_parse_opts(ctx, argc, argv, &co, status) < 0 ? -1 : 0;
}

static int image_dir(struct gild_ctx *ctx, const char *role,
		     struct build_env **env, char **dir)
{
	_cleanup_free_ char *profile = NULL;
	int r;

	if ((r = cli_open_role_env(ctx, role, env, &profile)) != 0)
		return r;
	ctx->profile = NULL; /* profile's storage ends here */
	*dir = image_outdir(*env, &ctx->err);
	return *dir ? 0 : ctx->err.code;
}

int cmd_image_run(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	_cleanup_free_ char *dir = NULL, *workdir = NULL;
	struct image_run_opts o = {0};
	const char *role = NULL;
	int status = 0, r;

	if (parse_run_opts(argc, argv, ctx, &o, &role, &status) < 0)
		return status;
	/* a first word before "--" that is a directory: the image's outputs */
	struct stat st;
	if (optind < argc && strcmp(argv[optind - 1], "--") &&
	    stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode) && !role) {
		dir = xstrdup(argv[optind++]);
		if (optind < argc && !strcmp(argv[optind], "--"))
			optind++;
	}
	o.argv = argv + optind;
	o.argc = argc - optind;
	if (!dir && (r = image_dir(ctx, role, &env, &dir)) != 0)
		return r;
	workdir = env ? gild_path_join(env->tmpdir, "image")
		      : gild_path_join(dir, ".run");
	if ((r = gild_mkdir_p(workdir, 0755, &ctx->err)) < 0 ||
	    (r = image_run(dir, workdir, &o, &status, &ctx->err)) < 0)
		return r;
	return status;
}
