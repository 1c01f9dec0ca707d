/* cmd-fetch.c: `gild fetch`: get and verify distfiles without building.
 *
 * Until the recipe tree loader is on main, the sources come from
 * `--src-uri` (an evaluated SRC_URI) and `--manifest`; the options and the
 * fetch order are what `gild fetch ATOM` will use.
 */
#include "builder.h"
#include "depstr.h"
#include "fetch.h"

struct fetch_args {
	const char *distdir;
	const char *mirrors;
	const char *manifest;
	const char *src_uri;
	const char *tpm_path;
	struct gild_strv use; /* --use: flags for SRC_URI conditionals */
	struct fetch_opts o;
};

static void fetch_args_release(struct fetch_args *a)
{
	gild_strv_release(&a->use);
}

enum {
	OPT_DISTDIR = 0x2000,
	OPT_MIRRORS,
	OPT_MANIFEST,
	OPT_SRC_URI,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_TPM,
	OPT_USE,
};

static int parse_seconds(struct gild_ctx *ctx, const char *opt,
			 const char *arg, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (end == arg || *end || v <= 0)
		return gild_ctx_usage_error(ctx, "%s needs a number of seconds, "
					    "not '%s'", opt, arg);
	*out = v;
	return 0;
}

static int parse_fetch_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct fetch_args *a, int *status)
{
	static const struct option opts[] = {
		GILD_TREE_LONGOPT,
		GILD_COMMON_LONGOPTS,
		{"distdir", required_argument, NULL, OPT_DISTDIR},
		{"mirrors", required_argument, NULL, OPT_MIRRORS},
		{"manifest", required_argument, NULL, OPT_MANIFEST},
		{"src-uri", required_argument, NULL, OPT_SRC_URI},
		{"thirdpartymirrors", required_argument, NULL, OPT_TPM},
		{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"use", required_argument, NULL, OPT_USE},
		{0}};
	int c, h;

	while ((c = getopt_long(argc, argv, GILD_COMMON_SHORTOPTS, opts,
				NULL)) != -1) {
		if ((h = gild_ctx_common_opt(ctx, c, optarg, status)) < 0)
			return -1;
		if (h > 0)
			continue;
		switch (c) {
		case OPT_DISTDIR: a->distdir = optarg; break;
		case OPT_MIRRORS: a->mirrors = optarg; break;
		case OPT_MANIFEST: a->manifest = optarg; break;
		case OPT_SRC_URI: a->src_uri = optarg; break;
		case OPT_TPM: a->tpm_path = optarg; break;
		case OPT_USE: gild_split_words(optarg, &a->use); break;
		case OPT_CONNECT_TIMEOUT:
			if ((*status = parse_seconds(ctx, "--connect-timeout",
						     optarg,
						     &a->o.connect_timeout)))
				return -1;
			break;
		case OPT_TIMEOUT:
			if ((*status = parse_seconds(ctx, "--timeout", optarg,
						     &a->o.timeout)))
				return -1;
			break;
		}
	}
	return 0;
}

/* The candidate URLs of one distfile: GILD_MIRRORS first, then upstream
 * (RESTRICT=mirror, once recipes carry it, skips the mirrors). */
static int candidate_urls(const struct fetch_mirrors *ms,
			  const struct fetch_tpm *tpm,
			  const struct fetch_src *src, struct gild_strv *urls,
			  struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < ms->n; i++)
		fetch_mirror_urls(&ms->v[i], src->name, urls);
	for (size_t i = 0; i < src->uris.n; i++)
		if ((r = fetch_expand_uri(tpm, src->uris.v[i], urls, err)) < 0)
			return r;
	return 0;
}

static void report_failure(struct gild_ctx *ctx, const struct gild_err *err,
			   const struct fetch_log *log)
{
	gild_err_print(ctx->diag, err);
	for (size_t i = 0; i < log->n; i++)
		fprintf(ctx->diag, "  %s: %s\n", log->v[i].url, log->v[i].why);
}

/* Fetch one distfile; returns 0, 1 when it failed (reported), or <0 for
 * an error that stops the command (in ctx->err). */
static int fetch_one(struct gild_ctx *ctx, const struct fetch_args *a,
		     const struct fetch_mirrors *ms,
		     const struct fetch_tpm *tpm, const struct manifest *m,
		     const struct fetch_src *src)
{
	_cleanup_strv_ struct gild_strv urls = GILD_STRV_INIT;
	_cleanup_(fetch_log_releasep) struct fetch_log log = FETCH_LOG_INIT;
	struct gild_err err = GILD_ERR_INIT;
	int r;

	if ((r = candidate_urls(ms, tpm, src, &urls, &ctx->err)) < 0)
		return r;
	r = fetch_distfile(&a->o, a->distdir, m, src->name, &urls, &log, &err);
	if (r == 0) {
		if (log.got_from)
			fprintf(ctx->out, "%s: fetched from %s\n", src->name,
				log.got_from);
		else
			fprintf(ctx->out, "%s: already in DISTDIR\n", src->name);
		for (size_t i = 0; i < log.n; i++)
			gild_ctx_info(ctx, "%s: %s", log.v[i].url, log.v[i].why);
		return 0;
	}
	if (gild_err_exit_status(r) == 2) {
		ctx->err = err;
		return r;
	}
	report_failure(ctx, &err, &log);
	return 1;
}

/* The distfiles of a SRC_URI value under USE (PMS 8.2). */
static int srclist_from_text(const char *text, int eapi,
			     const struct gild_strv *use,
			     struct fetch_srclist *l, struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	int r = depstr_parse(text, strlen(text), DEPSTR_SRC_URI, eapi, NULL,
			     &tree, err);

	if (r < 0)
		return r;
	reduced = depstr_reduce(tree, gild_use_list_has, (void *)use);
	return fetch_srclist_add_tree(l, reduced, err);
}

/* Command-line options over the configuration (fetch_settings_load). */
static int apply_settings(struct gild_ctx *ctx, struct fetch_args *a,
			  struct fetch_settings *fs, char **tpm)
{
	static const struct fetch_opts def = FETCH_OPTS_INIT;
	_cleanup_free_ char *config_dir = gild_ctx_config_dir(ctx);
	int r;

	if ((r = fetch_settings_load(ctx->tree, config_dir, ctx->profile, fs,
				     &ctx->err)) < 0)
		return r;
	if (!a->distdir)
		a->distdir = fs->distdir;
	if (!a->mirrors)
		a->mirrors = fs->mirrors;
	if (!a->tpm_path)
		a->tpm_path = *tpm = gild_path_join(
			ctx->tree, "profiles/thirdpartymirrors");
	if (!a->o.timeout)
		a->o.timeout = fs->timeout ? fs->timeout : def.timeout;
	if (!a->o.connect_timeout)
		a->o.connect_timeout =
			fs->connect_timeout ? fs->connect_timeout
					    : def.connect_timeout;
	a->o.progress = isatty(STDERR_FILENO) || ctx->verbosity > 0;
	if (ctx->verbosity < 0)
		a->o.progress = false;
	a->o.progress_out = ctx->diag;
	return 0;
}

int cmd_fetch(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(fetch_args_release) struct fetch_args a = {
		.o = FETCH_OPTS_INIT};
	_cleanup_(fetch_settings_release) struct fetch_settings fs = {0};
	_cleanup_free_ char *tpm_path = NULL;
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist srcs =
		FETCH_SRCLIST_INIT;
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_(fetch_tpm_freep) struct fetch_tpm *tpm = NULL;
	_cleanup_(fetch_mirrors_releasep) struct fetch_mirrors ms =
		FETCH_MIRRORS_INIT;
	int r, status = 0, failed = 0;

	a.o.timeout = a.o.connect_timeout = 0; /* 0: not given */
	if (parse_fetch_opts(argc, argv, ctx, &a, &status) < 0)
		return status;
	if (optind < argc)
		return gild_ctx_usage_error(ctx, "fetching by ATOM needs the "
					    "recipe tree loader; use "
					    "--src-uri and --manifest");
	if (!a.src_uri || !a.manifest)
		return gild_ctx_usage_error(ctx, "needs --src-uri and "
					    "--manifest");
	if ((r = apply_settings(ctx, &a, &fs, &tpm_path)) < 0)
		return r;
	if ((r = srclist_from_text(a.src_uri, 8, &a.use, &srcs,
				   &ctx->err)) < 0 ||
	    (r = manifest_load(a.manifest, true, &m, &ctx->err)) < 0 ||
	    (r = fetch_tpm_load(a.tpm_path, &tpm, &ctx->err)) < 0)
		return r;
	fetch_mirrors_load(&a.o, a.mirrors, &ms);
	for (size_t i = 0; i < srcs.n; i++) {
		if ((r = fetch_one(ctx, &a, &ms, tpm, m, &srcs.v[i])) < 0)
			return r;
		failed += r;
	}
	return failed ? 1 : 0;
}
