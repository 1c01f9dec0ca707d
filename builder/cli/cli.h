/* cli.h: the gild command line and its shared context.
 *
 * How to add a command (git's builtin.h style):
 *  1. write `int cmd_NAME(int argc, char **argv, struct gild_ctx *ctx)` in
 *     builder/cli/cmd-NAME.c; argv[0] is the command name;
 *  2. declare it below and add one row to `commands[]` in builder/cli/main.c
 *     (kept sorted by name), with a one-line summary, a usage line and
 *     what it needs (GILD_NEED_TREE: a recipe tree, checked for it);
 *  3. parse its options with cli_parse_opts(): a table of its own options
 *     and a function taking each; the common ones (--tree, -C, --profile,
 *     --config, --json, -v, -q, --help) and, when asked, the scheduling
 *     ones are handled there;
 *  4. return an exit status (0 done, 1 the work failed, 2 bad usage/input),
 *     or a negative code after filling ctx->err, which main() prints once
 *     and maps to 1 or 2 (gild_err_exit_status).
 * Library code below the commands never prints; commands print results to
 * ctx->out and diagnostics through gild_ctx_warn()/gild_ctx_info().
 */
#ifndef GILD_CLI_H
#define GILD_CLI_H

#include <getopt.h>

#include "ctx/ctx.h"

typedef int gild_cmd_fn(int argc, char **argv, struct gild_ctx *ctx);

/* ---- the core library (main-core.c) ------------------------------------ *
 * Every command but sandbox, help and version lives in gild-core.so, which
 * the front binary loads on first use.  It is found through $GILD_CORE,
 * else beside the running binary (a build tree), else in GILD_PKGLIBDIR
 * (an installed gild). */

/* What the core was built as; the front refuses a core of another build,
 * whose struct gild_ctx may differ. */
struct gild_core_abi {
	const char *version;
	size_t ctx_size;
	/* opens what a command needs (setup_for_ctx, config/config.h) */
	int (*open_setup)(struct gild_ctx *ctx, struct gild_err *err);
};
extern const struct gild_core_abi gild_core_abi; /* in the core */

/* The command function `sym` (e.g. "cmd_pretend") from the core library,
 * loading it on first use, and the core's ctx->open_setup; NULL with
 * ctx->err filled when it cannot be loaded. */
gild_cmd_fn *gild_core_cmd(const char *sym, struct gild_ctx *ctx);

/* Option codes shared by every command (values above any short option). */
enum {
	GILD_OPT_TREE = 0x1000,
	GILD_OPT_PROFILE,
	GILD_OPT_CONFIG,
	GILD_OPT_JSON,
	GILD_OPT_HELP,
	GILD_OPT_QUIET = 'q',
	GILD_OPT_VERBOSE = 'v',
};

/* Entries for a command's struct option table (then its own, then {0}).
 * `--tree-dir` is an alias of `--tree` for commands (pretend) where
 * `--tree` is emerge's display flag. */
#define GILD_COMMON_LONGOPTS                                                   \
	{"tree-dir", required_argument, NULL, GILD_OPT_TREE},                  \
	    {"profile", required_argument, NULL, GILD_OPT_PROFILE},            \
	    {"config", required_argument, NULL, GILD_OPT_CONFIG},              \
	    {"json", no_argument, NULL, GILD_OPT_JSON},                        \
	    {"help", no_argument, NULL, GILD_OPT_HELP},                        \
	    {"verbose", no_argument, NULL, GILD_OPT_VERBOSE},                  \
	{                                                                      \
		"quiet", no_argument, NULL, GILD_OPT_QUIET                     \
	}
/* The `--tree DIR` entry, for every command that has no `--tree` flag. */
#define GILD_TREE_LONGOPT                                                      \
	{                                                                      \
		"tree", required_argument, NULL, GILD_OPT_TREE                 \
	}
#define GILD_COMMON_SHORTOPTS "vqC:"

/* Handle a common option code from getopt_long (including 'C', 'v', 'q',
 * GILD_OPT_HELP and '?').  Returns 1 if handled, 0 if the code is the
 * command's own, or -1 when the command must stop: then *status holds the
 * exit status (0 after --help, 2 after a bad option, already reported). */
int gild_ctx_common_opt(struct gild_ctx *ctx, int c, const char *arg,
			int *status);

/* A command's options, parsed as git's parse_options does: the common
 * ones (and, with sched, the scheduling ones) are handled here, each of
 * the command's own goes to fn. */
struct cli_sched;
struct cli_opts {
	const struct option *opts; /* the command's own, {0}-ended, or NULL */
	const char *shortopts;	   /* its own short options, or NULL */
	bool stop_at_operand;	   /* options end at the first operand ("+") */
	bool no_operands;	   /* an operand is a usage error */
	bool own_tree_flag;	 /* --tree is the command's own flag (pretend's
				    display): the tree is --tree-dir or -C */
	struct cli_sched *sched; /* takes -j, -l, --keep-going, --json-events */
	const char **role; /* takes --role R (checked by cli_check_role) */
	/* one of the command's own options: 0, or the status to stop with
	 * (2 after a usage error, or a negative code with ctx->err filled) */
	int (*fn)(struct gild_ctx *ctx, int c, const char *arg, void *ud);
	/* after the options, before what the command needs is checked: the
	 * usage errors of their combination (0 or a status) */
	int (*check)(struct gild_ctx *ctx, void *ud);
	void *ud;
};

/* Returns the index of argv's first operand (argv[0] is the command), or
 * -1 with *status: 0 after --help, 2 after a bad option, or what fn
 * returned. */
int cli_parse_opts(struct gild_ctx *ctx, int argc, char **argv,
		   const struct cli_opts *o, int *status);

/* Print the command's usage line (from the table in main.c) to f. */
void gild_ctx_usage(const struct gild_ctx *ctx, FILE *f);

/* Report a usage error ("gild NAME: msg" + usage hint); returns 2. */
int gild_ctx_usage_error(struct gild_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A numeric option: a whole number from 1 to max ("--timeout 30").
 * Returns 0 with *out set, or reports a usage error naming the option and
 * the value and returns its exit status (2). */
int gild_ctx_number_opt(struct gild_ctx *ctx, const char *opt, const char *arg,
			uint64_t max, uint64_t *out);

/* ---- commands ------------------------------------------------------------ */
int cmd_fetch(int argc, char **argv, struct gild_ctx *ctx);
int cmd_deps(int argc, char **argv, struct gild_ctx *ctx);
int cmd_help(int argc, char **argv, struct gild_ctx *ctx);
int cmd_info(int argc, char **argv, struct gild_ctx *ctx);
int cmd_query(int argc, char **argv, struct gild_ctx *ctx);
int cmd_manifest(int argc, char **argv, struct gild_ctx *ctx);
int cmd_unpack(int argc, char **argv, struct gild_ctx *ctx);
int cmd_sandbox(int argc, char **argv, struct gild_ctx *ctx);
int cmd_version(int argc, char **argv, struct gild_ctx *ctx);
int cmd_resolve(int argc, char **argv, struct gild_ctx *ctx);
int cmd_pretend(int argc, char **argv, struct gild_ctx *ctx);
int cmd_why(int argc, char **argv, struct gild_ctx *ctx);
int cmd_atom(int argc, char **argv, struct gild_ctx *ctx);
int cmd_build(int argc, char **argv, struct gild_ctx *ctx);
int cmd_clean(int argc, char **argv, struct gild_ctx *ctx);
int cmd_vercmp(int argc, char **argv, struct gild_ctx *ctx);
int cmd_depreduce(int argc, char **argv, struct gild_ctx *ctx);
int cmd_required_use(int argc, char **argv, struct gild_ctx *ctx);

/* "--eapi N" of the PMS commands (7 or 8); fills ctx->err otherwise. */
int gild_parse_eapi_opt(struct gild_ctx *ctx, const char *arg, int *eapi);
int cmd_pkg(int argc, char **argv, struct gild_ctx *ctx);
int cmd_image(int argc, char **argv, struct gild_ctx *ctx);
/* The progress of a plan's build (progress.c), for build, image and iso:
 * ">>> cat/pf: built PATH" per package on ctx->out (not with --json); on
 * ctx->diag a live status line on a terminal, else a line per event;
 * json (may be NULL) gets one JSON object per event. cli_progress_event
 * is a build_report_fn (build/build.h) with the struct as its ud. */
struct cli_progress {
	struct gild_ctx *ctx;
	FILE *json;
	bool live, plain, drawn;
	struct gild_strv failures; /* "cat/pf, log: PATH" */
};
struct build_event;
void cli_progress_init(struct cli_progress *p, struct gild_ctx *ctx,
		       FILE *json);

/* The options of every command that builds a plan (build, image, iso):
 * -j/--jobs N, -l/--load-average L, --keep-going, --json-events FD, as
 * emerge spells the first three. */
enum {
	GILD_OPT_JOBS = 'j',
	GILD_OPT_LOAD = 'l',
	GILD_OPT_KEEP_GOING = 0x1100,
	GILD_OPT_JSON_EVENTS,
	GILD_OPT_ROLE,
};
#define GILD_SCHED_LONGOPTS                                                    \
	{"jobs", required_argument, NULL, GILD_OPT_JOBS},                      \
	    {"load-average", required_argument, NULL, GILD_OPT_LOAD},          \
	    {"keep-going", no_argument, NULL, GILD_OPT_KEEP_GOING},            \
	{                                                                      \
		"json-events", required_argument, NULL, GILD_OPT_JSON_EVENTS   \
	}
#define GILD_SCHED_SHORTOPTS "j:l:"
struct cli_sched {
	unsigned jobs;
	double load_average;
	bool keep_going;
	FILE *json_events; /* fdopen'ed --json-events, or NULL */
};
/* Like gild_ctx_common_opt, for the options above. */
int cli_sched_opt(struct gild_ctx *ctx, int c, const char *arg,
		  struct cli_sched *s, int *status);
void cli_sched_release(struct cli_sched *s);
struct build_opts;
void cli_sched_apply(const struct cli_sched *s, struct build_opts *o);
void cli_progress_event(void *ud, const struct build_event *ev);
void cli_progress_release(struct cli_progress *p);
/* For a command whose library call builds a plan (image, iso): p set up
 * with s's --json-events, s's options in bo, and p as the report. */
struct cli_sched;
struct build_opts;
void cli_progress_start(struct cli_progress *p, struct gild_ctx *ctx,
			const struct cli_sched *s, struct build_opts *bo,
			void (**report)(void *, const struct build_event *),
			void **ud);
/* What a command returns for r, the result of a plan's build: after
 * SIGINT or SIGTERM 128 + the signal (the interruption said so); after
 * failed packages (each already printed with its error) their exit status
 * without printing the error again; else r. */
int cli_progress_status(struct cli_progress *p, int r);
/* The build environment of a role (role.c): --role R is the profile
 * roles/R, --profile names a role profile itself, neither: the configured
 * PROFILE when it is a role, else roles/minimal. *profile (the caller
 * frees it) holds ctx->profile's text while ctx is used. Returns 0, 2
 * after a usage error (both --role and --profile, a bad name), or the
 * error of build_env_open. */
struct build_env;
/* --role R with the options given: 0, or 2 after a usage error (both
 * --role and --profile, a bad name). */
int cli_check_role(struct gild_ctx *ctx, const char *role);
int cli_open_role_env(struct gild_ctx *ctx, const char *role,
		      struct build_env **env, char **profile);
int cmd_iso(int argc, char **argv, struct gild_ctx *ctx);
int cmd_disk(int argc, char **argv, struct gild_ctx *ctx);
int cmd_image_run(int argc, char **argv, struct gild_ctx *ctx);
int cmd_repo(int argc, char **argv, struct gild_ctx *ctx);

#endif /* GILD_CLI_H */
