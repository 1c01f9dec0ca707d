/* cmd-build.c: `gild build TARGET...`: build binary packages, one at a
 * time in order, reusing what the binary repository already holds (as
 * `emerge --buildpkgonly`). Each target is an atom; its build-time
 * dependencies must already be built (or provided by the stage), else the
 * error names every missing one. */
#include "build/build.h"
#include "cli/cli.h"
#include "resolve/resolve.h"

#include <sys/stat.h>

enum {
	OPT_KEEP_WORK = 0x2000,
	OPT_REBUILD,
	OPT_FETCHONLY,
	OPT_TIMEOUT,
	OPT_NODEPS,
};

static int parse_build_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct build_opts *o, bool *nodeps, int *status)
{
	static const struct option opts[] = {
	    GILD_TREE_LONGOPT,
	    GILD_COMMON_LONGOPTS,
	    {"keep-work", no_argument, NULL, OPT_KEEP_WORK},
	    {"rebuild", no_argument, NULL, OPT_REBUILD},
	    {"fetchonly", no_argument, NULL, OPT_FETCHONLY},
	    {"phase-timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"nodeps", no_argument, NULL, OPT_NODEPS},
	    {0}};
	int c, h;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if ((h = gild_ctx_common_opt(ctx, c, optarg, status)) < 0)
			return -1;
		if (h > 0)
			continue;
		switch (c) {
		case OPT_KEEP_WORK:
			o->keep_work = true;
			break;
		case OPT_REBUILD:
			o->rebuild = true;
			break;
		case OPT_FETCHONLY:
			o->fetch_only = true;
			break;
		case OPT_NODEPS:
			*nodeps = true;
			break;
		case OPT_TIMEOUT: {
			uint64_t v;
			if ((*status =
				 gild_ctx_number_opt(ctx, "--phase-timeout",
						     optarg, 7 * 86400, &v)))
				return -1;
			o->phase_timeout = (unsigned)v;
			break;
		}
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
	case BUILD_BUILT:
		return "built";
	case BUILD_REUSED:
		return "reused";
	default:
		return "fetched";
	}
}

static int build_one(struct gild_ctx *ctx, struct build_env *env,
		     const struct build_opts *o, const struct recipe *rc,
		     enum build_outcome *out)
{
	_cleanup_free_ char *pkg = NULL;
	int r;

	r = build_recipe(env, rc, o, out, &pkg, &ctx->err);
	if (r < 0) {
		if (r == -GILD_E_BUILD)
			print_log_tail(ctx, &ctx->err);
		return r;
	}
	fprintf(ctx->out, ">>> %s/%s: %s%s%s\n", rc->category, rc->pf,
		outcome_word(*out), pkg ? " " : "", pkg ? pkg : "");
	fflush(ctx->out);
	return 0;
}

/* --nodeps: exactly the named packages; their build-time dependencies
 * must already be in the binary repository. */
static int build_named(struct gild_ctx *ctx, struct build_env *env,
		       const struct build_opts *o, char **targets, int n)
{
	int r;

	for (int i = 0; i < n; i++) {
		const struct recipe *rc;
		enum build_outcome out;
		if ((r = build_find_recipe(env, targets[i], &rc, &ctx->err)) <
			0 ||
		    (r = build_one(ctx, env, o, rc, &out)) < 0)
			return r;
	}
	return 0;
}

static void report_done(void *ud, const struct build_done *d)
{
	struct gild_ctx *ctx = ud;

	fprintf(ctx->out, ">>> %s: %s%s%s\n", d->cpv, outcome_word(d->outcome),
		d->pkg_path ? " " : "", d->pkg_path ? d->pkg_path : "");
	if (d->note)
		fprintf(ctx->out, "note: %s was %s\n", d->cpv, d->note);
	fflush(ctx->out);
}

/* The resolver's plan (as `gild pretend` shows it) built in order. */
static int build_planned(struct gild_ctx *ctx, struct build_env *env,
			 const struct build_opts *o, char **targets, int n)
{
	_cleanup_(build_result_freep) struct build_result *res = NULL;
	int r =
	    build_plan(env, targets, n, o, report_done, ctx, &res, &ctx->err);

	if (r == -GILD_E_BUILD)
		print_log_tail(ctx, &ctx->err);
	return r;
}

int cmd_build(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	struct build_opts o = {0};
	bool nodeps = false;
	int status = 0, r;

	if (parse_build_opts(argc, argv, ctx, &o, &nodeps, &status) < 0)
		return status;
	/* What gild creates for a build (the work area, an unpacked stage,
	 * the packages a binhost serves) has the same modes whatever the
	 * caller's umask (CIS asks 027 or 077 of root): the build user, an
	 * unprivileged uid, must read it, and a build must not depend on who
	 * ran it. emerge sets 022 the same way. */
	umask(022);
	if ((r = build_env_open(ctx, &env, &ctx->err)) < 0)
		return r;
	if (nodeps)
		return build_named(ctx, env, &o, argv + optind, argc - optind);
	return build_planned(ctx, env, &o, argv + optind, argc - optind);
}
