/* cmd-sandbox.c: `gild sandbox`, the build sandbox for users and tests
 *, and `gild sandbox --check`. */
#include "cli/cli.h"

#include "sandbox/sandbox.h"

#include <fcntl.h>

enum {
	OPT_ROOT = 0x2000,
	OPT_RO,
	OPT_RW,
	OPT_TMPFS,
	OPT_SETENV,
	OPT_TIMEOUT,
	OPT_MEM,
	OPT_NPROC,
	OPT_FSIZE,
	OPT_ALLOW_NET,
	OPT_CHECK,
};

static const struct option sandbox_opts[] = {
    {"root", required_argument, NULL, OPT_ROOT},
    {"ro", required_argument, NULL, OPT_RO},
    {"rw", required_argument, NULL, OPT_RW},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"setenv", required_argument, NULL, OPT_SETENV},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"mem", required_argument, NULL, OPT_MEM},
    {"nproc", required_argument, NULL, OPT_NPROC},
    {"fsize", required_argument, NULL, OPT_FSIZE},
    {"allow-net", no_argument, NULL, OPT_ALLOW_NET},
    {"check", no_argument, NULL, OPT_CHECK},
    {0},
};

static int number_opt(struct gild_ctx *ctx, struct sandbox_spec *s, int c,
		      const char *arg)
{
	static const char *const names[] = {"--timeout", "--mem", "--nproc",
					    "--fsize"};
	uint64_t v;
	int st =
	    gild_ctx_number_opt(ctx, names[c - OPT_TIMEOUT], arg, 1u << 30, &v);

	if (st)
		return st;
	if (c == OPT_TIMEOUT)
		sandbox_spec_set_timeout(s, (unsigned)v);
	else if (c == OPT_MEM)
		sandbox_spec_set_mem(s, v << 20);
	else if (c == OPT_NPROC)
		sandbox_spec_set_nproc(s, (unsigned)v);
	else
		sandbox_spec_set_fsize(s, v << 20);
	return 0;
}

struct sandbox_cli {
	struct sandbox_spec *s;
	bool check;
};

/* Returns 0 when the option was taken, else an exit status. */
static int sandbox_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct sandbox_cli *u = ud;
	struct sandbox_spec *s = u->s;
	struct gild_err err = GILD_ERR_INIT;
	int r = 0;

	switch (c) {
	case OPT_ROOT:
		sandbox_spec_set_root(s, arg);
		return 0;
	case OPT_RO:
		r = sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RO, arg, &err);
		break;
	case OPT_RW:
		r = sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RW, arg, &err);
		break;
	case OPT_TMPFS:
		r = sandbox_spec_parse_tmpfs(s, arg, &err);
		break;
	case OPT_SETENV:
		r = sandbox_spec_putenv(s, arg, &err);
		break;
	case OPT_ALLOW_NET:
		sandbox_spec_set_allow_net(s, true);
		return 0;
	case OPT_CHECK:
		u->check = true;
		return 0;
	default:
		return number_opt(ctx, s, c, arg);
	}
	return r < 0 ? gild_ctx_usage_error(ctx, "%s", err.msg) : 0;
}

static void print_check_json(struct gild_ctx *ctx,
			     const struct sandbox_check_item *items, size_t n,
			     bool all)
{
	fprintf(ctx->out, "{\"ok\": %s, \"protections\": [",
		all ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		fprintf(ctx->out, "%s\n  {\"name\": ", i ? "," : "");
		gild_json_str(ctx->out, items[i].name, (size_t)-1);
		fprintf(ctx->out, ", \"ok\": %s, \"needed\": %s, \"detail\": ",
			items[i].ok ? "true" : "false",
			items[i].needed ? "true" : "false");
		gild_json_str(ctx->out, items[i].detail, (size_t)-1);
		fputc('}', ctx->out);
	}
	fprintf(ctx->out, "\n]}\n");
}

static int run_check(struct gild_ctx *ctx)
{
	struct sandbox_check_item items[32];
	bool all;
	size_t n = sandbox_check(items, GILD_ARRAY_SIZE(items), &all);

	if (ctx->json)
		print_check_json(ctx, items, n, all);
	else
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%-20s %-7s %s\n", items[i].name,
				items[i].ok	  ? "ok"
				: items[i].needed ? "MISSING"
						  : "no",
				items[i].detail);
	return all ? 0 : 1;
}

int cmd_sandbox(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	struct sandbox_status st;
	struct sandbox_cli u = {s, false};
	/* options end at the command */
	struct cli_opts o = {.opts = sandbox_opts,
			     .stop_at_operand = true,
			     .fn = sandbox_opt,
			     .ud = &u};
	int status, r, trace_fd = -1;

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	if (u.check)
		return optind < argc ? gild_ctx_usage_error(
					   ctx, "--check takes no command")
				     : run_check(ctx);
	if (optind >= argc)
		return gild_ctx_usage_error(ctx, "no command given");
	sandbox_spec_set_argv(s, (const char *const *)argv + optind);
	sandbox_spec_set_caller_exits(s, true);
	fflush(ctx->out);
	fflush(ctx->diag);
	/* a copy above 2: pid 1 points its own 0-2 at /dev/null */
	if (ctx->verbosity > 0 &&
	    (trace_fd = fcntl(fileno(ctx->diag), F_DUPFD_CLOEXEC, 3)) >= 0)
		sandbox_spec_set_trace_fd(s, trace_fd);
	r = sandbox_run(s, &st, &ctx->err);
	if (trace_fd >= 0)
		close(trace_fd);
	if (r < 0)
		return r;
	if (st.message[0])
		fprintf(ctx->diag, "gild sandbox: %s\n", st.message);
	return st.status;
}
