/* main.c: the gild command dispatcher (git.c style: one sorted table).
 *
 * gild is two files: this small front binary, which links only libc and
 * libseccomp, and the core library (gild-core.so, main-core.c) with every
 * other command and the heavy libraries (libsolv, libarchive and through
 * it libxml2 and ICU, libcrypto).  `gild sandbox`, `help` and `version`
 * never load the core, so a sandbox starts as fast as bwrap does: loading
 * and relocating those libraries costs about 2 ms per process here. */
#include "cli/cli.h"

#include <getopt.h>

struct cmd {
	const char *name;
	gild_cmd_fn *fn;      /* in the front binary, or */
	const char *core_sym; /* the function's name in gild-core.so */
	const char *summary;
	const char *usage; /* after "gild NAME " */
	/* GILD_NEED_* (ctx.h): what must exist and what is opened for the
	 * command before it runs (git's RUN_SETUP); a command whose operands
	 * decide (fetch --src-uri, manifest DIR, image run DIR) opens the
	 * rest when it needs it */
	unsigned needs;
};

#define FRONT(fn) fn, NULL
#define CORE(fn) NULL, #fn

/* Sorted by name; `gild help` prints it in this order. */
static const struct cmd commands[] = {
    {"atom", CORE(cmd_atom), "show the parts of a package dependency (PMS 8.3)",
     "[--json] [--eapi N] ATOM", 0},
    {"build", CORE(cmd_build),
     "build binary packages in the sandbox (emerge -B)",
     "[-j N] [-l LOAD] [--keep-going] [--json-events FD] [--nodeps] "
     "[--keep-work] [--rebuild] [--fetchonly] [--phase-timeout S] "
     "[--verify-reproducible] TARGET...",
     GILD_NEED_TREE | GILD_NEED_CONFIG | GILD_NEED_RECIPES},
    {"clean", CORE(cmd_clean),
     "remove work directories of builds not running, stale temporaries, "
     "unlisted distfiles and orphaned packages (eclean)",
     "[-p|--pretend] [--distfiles] [--packages]",
     GILD_NEED_TREE | GILD_NEED_CONFIG | GILD_NEED_RECIPES},
    {"depreduce", CORE(cmd_depreduce),
     "reduce a dependency string under USE (PMS 8.2)",
     "[--use \"FLAGS\"] [--kind KIND] [--eapi N] STRING", 0},
    {"deps", CORE(cmd_deps),
     "evaluated dependencies of the best visible version", "[--json] ATOM",
     GILD_NEED_TREE | GILD_NEED_CONFIG},
    {"disk", CORE(cmd_disk),
     "build a role's GPT disk image for VMs: GRUB (BIOS, UEFI), ESP, root",
     "[--role R] [--format raw,qcow2] [--size SIZE] [-o DIR] "
     "[--verify-reproducible] [-j N] [-l LOAD] [--keep-going] "
     "[--json-events FD] [--json]",
     GILD_NEED_TREE | GILD_NEED_RECIPES},
    {"fetch", CORE(cmd_fetch), "fetch and verify distfiles without building",
     "[--distdir DIR] [--mirrors URLS] [--timeout S] [--connect-timeout S] "
     "[--deps] ATOM|@SET... | [--use FLAGS] --manifest FILE --src-uri SRC_URI",
     0},
    {"help", FRONT(cmd_help), "list commands, or show one command's usage",
     "[COMMAND]", 0},
    {"image", CORE(cmd_image),
     "build a role's golden image: tar.zst, squashfs, erofs, ext4, SBOM",
     "[--role R] [--format tar,squashfs,erofs,ext4] [--size SIZE] [-o DIR] "
     "[--verify-reproducible] [--force] [--rebuild] [--legal-info "
     "[--with-sources]] [-j N] [-l LOAD] [--keep-going] [--json-events FD] "
     "[--json] | run [--role R "
     "| DIR] [--network] [--init] [--timeout S] [--rw-size SIZE] -- CMD...",
     GILD_NEED_TREE | GILD_NEED_RECIPES},
    {"info", CORE(cmd_info),
     "metadata.xml and USE flag descriptions with their state", "[--json] ATOM",
     GILD_NEED_TREE | GILD_NEED_CONFIG},
    {"iso", CORE(cmd_iso),
     "build a role's live ISO: kernel, initramfs, rootfs, GRUB (BIOS, UEFI)",
     "[--role R] [--installer] [-o DIR] [--verify-reproducible] [-j N] "
     "[-l LOAD] [--keep-going] [--json-events FD] [--json]",
     GILD_NEED_TREE | GILD_NEED_RECIPES},
    {"manifest", CORE(cmd_manifest),
     "write or update a package's Manifest from DISTDIR",
     "[--distdir DIR] CATEGORY/PN|ATOM|DIR [DISTFILE...]", 0},
    {"pkg", CORE(cmd_pkg),
     "show, list, verify, extract or create one binary package",
     "show|files|verify FILE | extract FILE DIR | create [--set K=V]... "
     "[--recipe FILE] [--source-date-epoch N] IMAGEDIR (OUT|--pkgdir DIR)",
     0},
    {"pretend", CORE(cmd_pretend),
     "show the build plan for targets (emerge -pv)",
     "[--emptytree] [--root DIR] [--tree] [--json] [-C DIR] TARGET...",
     GILD_NEED_TREE | GILD_NEED_CONFIG},
    {"query", CORE(cmd_query),
     "matching versions: slot, keywords, visibility, USE", "[--json] ATOM...",
     GILD_NEED_TREE | GILD_NEED_CONFIG},
    {"repo", CORE(cmd_repo), "index, verify or list the binary repository",
     "index|verify|list [--pkgdir DIR]", 0},
    {"required-use", CORE(cmd_required_use),
     "check REQUIRED_USE against USE: exit 0 holds, 1 not",
     "--iuse \"FLAGS\" [--use \"FLAGS\"] [--eapi N] STRING", 0},
    {"resolve", CORE(cmd_resolve), "run resolver test cases",
     "--case [--update] FILE...", 0},
    {"sandbox", FRONT(cmd_sandbox), "run a command in the build sandbox",
     "[--root DIR] [--ro SRC[:DEST]]... [--rw SRC[:DEST]]... "
     "[--tmpfs DEST[:SIZE]] [--setenv K=V]... [--timeout SECONDS] "
     "[--mem MB] [--nproc N] [--fsize MB] [--allow-net] -- COMMAND "
     "[ARG...] | --check",
     0},
    {"unpack", CORE(cmd_unpack), "extract archives safely into a directory",
     "ARCHIVE... DIR", 0},
    {"vercmp", CORE(cmd_vercmp), "compare two versions: prints <, = or >",
     "VERSION VERSION", 0},
    {"version", FRONT(cmd_version), "print gild's version", "", 0},
    {"why", CORE(cmd_why), "show the dependency chains that pull a package in",
     "[--emptytree] [--root DIR] ATOM [TARGET...]  (targets default to "
     "@system)",
     GILD_NEED_TREE | GILD_NEED_CONFIG},
};

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_cmd_usage(FILE *f, const struct cmd *c)
{
	fprintf(f, "usage: gild %s%s%s\n", c->name, c->usage[0] ? " " : "",
		c->usage);
	fprintf(f, "       %s\n", c->summary);
	fprintf(f, "common options: --tree DIR, --profile NAME, --config DIR, "
		   "-v/-q, --json\n");
}

static void print_ctx_usage(const struct gild_ctx *ctx, FILE *f)
{
	const struct cmd *c = find_cmd(ctx->cmdname);

	if (c)
		print_cmd_usage(f, c);
}

int cmd_help(int argc, char **argv, struct gild_ctx *ctx)
{
	const struct cmd *c;

	if (argc > 2)
		return gild_ctx_usage_error(ctx, "too many arguments");
	if (argc == 2 && strcmp(argv[1], "--help") != 0) {
		if (!(c = find_cmd(argv[1])))
			return gild_ctx_usage_error(ctx, "unknown command '%s'",
						    argv[1]);
		print_cmd_usage(ctx->out, c);
		return 0;
	}
	fprintf(ctx->out,
		"usage: gild [--tree DIR] [--profile NAME] [--config DIR] "
		"[-v|-q] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < GILD_ARRAY_SIZE(commands); i++)
		fprintf(ctx->out, "  %-14s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(ctx->out,
		"\n'gild COMMAND --help' shows one command's usage.\n");
	return 0;
}

int cmd_version(int argc, char **argv, struct gild_ctx *ctx)
{
	struct cli_opts o = {0};
	int status;

	if (cli_parse_opts(ctx, argc, argv, &o, &status) < 0)
		return status;
	if (optind < argc)
		return gild_ctx_usage_error(ctx, "takes no arguments");
	fprintf(ctx->out, "gild %s\n", GILD_VERSION);
	return 0;
}

/* Options before the command name. */
static int parse_global_opts(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    GILD_TREE_LONGOPT, GILD_COMMON_LONGOPTS, {0}};
	int c, status = 0;

	ctx->cmdname = "help";
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+" GILD_COMMON_SHORTOPTS "h", opts,
				NULL)) != -1) {
		if (c == 'h')
			c = GILD_OPT_HELP;
		if (c == GILD_OPT_HELP) {
			cmd_help(1, argv, ctx);
			return -1; /* exit status 0 */
		}
		if (gild_ctx_common_opt(ctx, c, optarg, &status) < 0)
			return -1 - status;
	}
	return optind;
}

/* git's run_builtin: after the command, make sure its output really left,
 * so that a full disk or closed pipe fails loudly instead of truncating. */
static int finish_output(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gild: error: cannot write output: %s\n",
			strerror(errno));
		return status ? status : 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct gild_ctx ctx = {.tree = ".", .out = stdout, .diag = stderr};
	const struct cmd *c;
	gild_cmd_fn *fn;
	int first, status;

	first = parse_global_opts(argc, argv, &ctx);
	if (first < 0)
		return finish_output(-1 - first);
	if (first >= argc) {
		cmd_help(1, argv, &ctx);
		return finish_output(2); /* no command is a usage error */
	}
	c = find_cmd(argv[first]);
	if (!c) {
		fprintf(stderr,
			"gild: error: unknown command '%s' (see 'gild help')\n",
			argv[first]);
		return 2;
	}
	ctx.cmdname = c->name;
	ctx.needs = c->needs;
	ctx.usage = print_ctx_usage;
	fn = c->fn;
	if (!fn && !(fn = gild_core_cmd(c->core_sym, &ctx))) {
		gild_err_print(stderr, &ctx.err);
		return 1;
	}
	optind = 0; /* glibc: 0 fully resets getopt for the command */
	status = fn(argc - first, argv + first, &ctx);
	if (status < 0) {
		if (!ctx.err.code)
			ctx.err.code = status;
		gild_err_print(stderr, &ctx.err);
		status = gild_err_exit_status(status);
	}
	/* after the error: its location may be a file the setup names */
	gild_ctx_release(&ctx);
	return finish_output(status);
}
