/* ctx-opt.c: what every command shares: usage errors and the common
 * options.  Linked into both halves of gild:
 * the front binary (main.c) and the core library (see main-core.c). */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int json_events_fd(struct gild_ctx *ctx, const char *arg,
			  struct cli_sched *s)
{
	uint64_t fd;

	if (gild_parse_u64(arg, false, &fd) < 0 || fd > INT_MAX ||
	    fcntl((int)fd, F_GETFL) < 0)
		return gild_ctx_usage_error(
		    ctx,
		    "--json-events wants an open file descriptor, not "
		    "'%s'",
		    arg);
	/* a copy the builds do not inherit: a reader of a pipe must see its
	 * end when gild ends */
	int copy = fcntl((int)fd, F_DUPFD_CLOEXEC, 3);

	if (s->json_events)
		fclose(s->json_events);
	s->json_events = copy >= 0 ? fdopen(copy, "w") : NULL;
	if (!s->json_events) {
		int e = errno;
		if (copy >= 0)
			close(copy);
		return gild_ctx_usage_error(
		    ctx, "--json-events: cannot write to descriptor %s: %s",
		    arg, strerror(e));
	}
	return 0;
}

int cli_sched_opt(struct gild_ctx *ctx, int c, const char *arg,
		  struct cli_sched *s, int *status)
{
	uint64_t v;
	char *end;

	switch (c) {
	case GILD_OPT_JOBS:
		if ((*status =
			 gild_ctx_number_opt(ctx, "--jobs", arg, 1024, &v)))
			return -1;
		s->jobs = (unsigned)v;
		return 1;
	case GILD_OPT_LOAD:
		s->load_average = strtod(arg, &end);
		if (*end || end == arg || !isfinite(s->load_average) ||
		    s->load_average <= 0) {
			*status = gild_ctx_usage_error(
			    ctx,
			    "--load-average wants a positive number, "
			    "not '%s'",
			    arg);
			return -1;
		}
		return 1;
	case GILD_OPT_KEEP_GOING:
		s->keep_going = true;
		return 1;
	case GILD_OPT_JSON_EVENTS:
		if ((*status = json_events_fd(ctx, arg, s)))
			return -1;
		return 1;
	default:
		return 0;
	}
}

void cli_sched_release(struct cli_sched *s)
{
	if (s->json_events)
		fclose(s->json_events);
	s->json_events = NULL;
}

static bool is_tree(const char *dir)
{
	_cleanup_free_ char *p = gild_path_join(dir, "profiles");
	_cleanup_free_ char *r = gild_path_join(dir, "recipes");
	struct stat st;

	return (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) ||
	       (stat(r, &st) == 0 && S_ISDIR(st.st_mode));
}

int cli_check_role(struct gild_ctx *ctx, const char *role)
{
	if (role && ctx->profile)
		return gild_ctx_usage_error(ctx, "--role and --profile both "
						 "name the role's profile: "
						 "give one");
	if (role && (!*role || strchr(role, '/') || role[0] == '.'))
		return gild_ctx_usage_error(ctx, "bad role name '%s'", role);
	return 0;
}

static size_t count_opts(const struct option *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

int cli_parse_opts(struct gild_ctx *ctx, int argc, char **argv,
		   const struct cli_opts *o, int *status)
{
	static const struct option tree[] = {GILD_TREE_LONGOPT};
	static const struct option common[] = {GILD_COMMON_LONGOPTS};
	static const struct option sched[] = {GILD_SCHED_LONGOPTS};
	static const struct option role[] = {
	    {"role", required_argument, NULL, GILD_OPT_ROLE}};
	size_t n = 0, own = count_opts(o->opts);
	_cleanup_free_ struct option *all =
	    xcalloc(GILD_ARRAY_SIZE(tree) + GILD_ARRAY_SIZE(common) +
			GILD_ARRAY_SIZE(sched) + own + 1,
		    sizeof(*all));
	_cleanup_free_ char *shorts = xasprintf(
	    "%s%s%s%s", o->stop_at_operand ? "+" : "", GILD_COMMON_SHORTOPTS,
	    o->sched ? GILD_SCHED_SHORTOPTS : "",
	    o->shortopts ? o->shortopts : "");
	int c, h;

	if (!o->own_tree_flag)
		all[n++] = tree[0];
	memcpy(all + n, common, sizeof(common));
	n += GILD_ARRAY_SIZE(common);
	if (o->sched) {
		memcpy(all + n, sched, sizeof(sched));
		n += GILD_ARRAY_SIZE(sched);
	}
	if (o->role)
		all[n++] = role[0];
	memcpy(all + n, o->opts ? o->opts : all + n, own * sizeof(*all));
	*status = 0;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		if ((h = gild_ctx_common_opt(ctx, c, optarg, status)) < 0)
			return -1;
		if (h > 0)
			continue;
		if (o->sched && (h = cli_sched_opt(ctx, c, optarg, o->sched,
						   status)) != 0) {
			if (h < 0)
				return -1;
			continue;
		}
		if (o->role && c == GILD_OPT_ROLE) {
			*o->role = optarg;
			continue;
		}
		if (o->fn && (*status = o->fn(ctx, c, optarg, o->ud)) != 0)
			return -1;
	}
	if (o->no_operands && optind < argc) {
		*status =
		    gild_ctx_usage_error(ctx, "unexpected '%s'", argv[optind]);
		return -1;
	}
	if (o->role && (*status = cli_check_role(ctx, *o->role)) != 0)
		return -1;
	if (o->check && (*status = o->check(ctx, o->ud)) != 0)
		return -1;
	if ((ctx->needs & GILD_NEED_TREE) && !is_tree(ctx->tree)) {
		*status = gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
				    "'%s' is not a recipe tree (it has no "
				    "profiles/ or recipes/ directory): run "
				    "gild in one, or name it with -C DIR",
				    ctx->tree);
		return -1;
	}
	if (ctx->open_setup && (*status = ctx->open_setup(ctx, &ctx->err)) != 0)
		return -1;
	return optind;
}
