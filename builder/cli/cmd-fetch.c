/* cmd-fetch.c: `gild fetch ATOM...`: get and verify distfiles without
 * building ("Fetch and verify"); `emerge --fetchonly`.
 *
 * For each ATOM the best matching recipe of the tree is taken, its SRC_URI
 * and RESTRICT reduced under its effective USE, and every distfile made
 * present and verified in DISTDIR against the package's Manifest.
 * `--src-uri TEXT --manifest FILE` does the same for a SRC_URI value
 * without a recipe (USE from --use).
 */
#include "cli/cli.h"
#include "config/config.h"
#include "fetch/fetch.h"
#include "pms/pms.h"
#include "resolve/resolve.h"

struct fetch_args {
	const char *distdir;
	const char *mirrors;
	const char *manifest;
	const char *src_uri;
	const char *tpm_path;
	struct gild_strv use; /* --use: flags for SRC_URI conditionals */
	bool deps;	      /* --deps: the whole build plan of the targets */
	struct fetch_opts o;
	/* filled from the options and the configuration */
	struct fetch_settings fs;
	char *tpm_default;
	struct config *cfg; /* the run's (borrowed); NULL for a bare tree */
	struct fetch_tpm *tpm;
	struct fetch_mirrors mirrors_list;
};

static void fetch_args_release(struct fetch_args *a)
{
	gild_strv_release(&a->use);
	fetch_settings_release(&a->fs);
	free(a->tpm_default);
	fetch_tpm_free(a->tpm);
	fetch_mirrors_release(&a->mirrors_list);
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
	OPT_DEPS,
};

/* Seconds, up to a day. */
static int parse_seconds(struct gild_ctx *ctx, const char *opt, const char *arg,
			 long *out)
{
	uint64_t v;
	int st = gild_ctx_number_opt(ctx, opt, arg, 86400, &v);

	if (!st)
		*out = (long)v;
	return st;
}

static int fetch_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct fetch_args *a = ud;

	switch (c) {
	case OPT_DISTDIR:
		a->distdir = arg;
		break;
	case OPT_MIRRORS:
		a->mirrors = arg;
		break;
	case OPT_MANIFEST:
		a->manifest = arg;
		break;
	case OPT_SRC_URI:
		a->src_uri = arg;
		break;
	case OPT_TPM:
		a->tpm_path = arg;
		break;
	case OPT_USE:
		gild_split_words(arg, &a->use);
		break;
	case OPT_DEPS:
		a->deps = true;
		break;
	case OPT_CONNECT_TIMEOUT:
		return parse_seconds(ctx, "--connect-timeout", arg,
				     &a->o.connect_timeout);
	case OPT_TIMEOUT:
		return parse_seconds(ctx, "--timeout", arg, &a->o.timeout);
	}
	return 0;
}

static int parse_fetch_opts(int argc, char **argv, struct gild_ctx *ctx,
			    struct fetch_args *a, int *status)
{
	static const struct option opts[] = {
	    {"distdir", required_argument, NULL, OPT_DISTDIR},
	    {"mirrors", required_argument, NULL, OPT_MIRRORS},
	    {"manifest", required_argument, NULL, OPT_MANIFEST},
	    {"src-uri", required_argument, NULL, OPT_SRC_URI},
	    {"thirdpartymirrors", required_argument, NULL, OPT_TPM},
	    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"use", required_argument, NULL, OPT_USE},
	    {"deps", no_argument, NULL, OPT_DEPS},
	    {0}};
	struct cli_opts o = {.opts = opts, .fn = fetch_opt, .ud = a};

	return cli_parse_opts(ctx, argc, argv, &o, status) < 0 ? -1 : 0;
}

/* The candidate URLs of one distfile: GILD_MIRRORS first, then upstream
 * (RESTRICT=mirror, once recipes carry it, skips the mirrors). */
static int candidate_urls(const struct fetch_opts *o, struct fetch_mirrors *ms,
			  const struct fetch_tpm *tpm,
			  const struct fetch_src *src, struct gild_strv *urls,
			  struct fetch_log *log, struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < ms->n; i++)
		fetch_mirror_urls(o, &ms->v[i], src->name, urls, log);
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
static int fetch_one(struct gild_ctx *ctx, struct fetch_args *a,
		     bool use_mirrors, const struct manifest *m,
		     const struct fetch_src *src)
{
	struct fetch_mirrors none = FETCH_MIRRORS_INIT;
	struct fetch_mirrors *ms = use_mirrors ? &a->mirrors_list : &none;
	_cleanup_strv_ struct gild_strv urls = GILD_STRV_INIT;
	_cleanup_(fetch_log_releasep) struct fetch_log log = FETCH_LOG_INIT;
	struct gild_err err = GILD_ERR_INIT;
	int r;

	if ((r = candidate_urls(&a->o, ms, a->tpm, src, &urls, &log,
				&ctx->err)) < 0)
		return r;
	r = fetch_distfile(&a->o, a->distdir, m, src->name, &urls, &log, &err);
	if (r == 0) {
		if (log.got_from)
			fprintf(ctx->out, "%s: fetched from %s\n", src->name,
				log.got_from);
		else
			fprintf(ctx->out, "%s: already in DISTDIR\n",
				src->name);
		for (size_t i = 0; i < log.n; i++)
			gild_ctx_info(ctx, "%s: %s", log.v[i].url,
				      log.v[i].why);
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
	reduced = depstr_reduce(tree, depstr_use_in_list, (void *)use);
	return fetch_srclist_add_tree(l, reduced, err);
}

/* Command-line options over the configuration (fetch_settings_load). */
static int apply_settings(struct gild_ctx *ctx, struct fetch_args *a)
{
	static const struct fetch_opts def = FETCH_OPTS_INIT;
	struct fetch_settings *fs = &a->fs;
	int r;

	if ((r = fetch_settings_load(ctx, fs, &a->cfg, &ctx->err)) < 0)
		return r;
	if (!a->distdir)
		a->distdir = fs->distdir;
	if (!a->mirrors)
		a->mirrors = fs->mirrors;
	if (!a->tpm_path)
		a->tpm_path = a->tpm_default =
		    gild_path_join(ctx->tree, "profiles/thirdpartymirrors");
	if (!a->o.timeout)
		a->o.timeout = fs->timeout ? fs->timeout : def.timeout;
	if (!a->o.connect_timeout)
		a->o.connect_timeout = fs->connect_timeout
					   ? fs->connect_timeout
					   : def.connect_timeout;
	a->o.progress = isatty(STDERR_FILENO) || ctx->verbosity > 0;
	if (ctx->verbosity < 0)
		a->o.progress = false;
	a->o.progress_out = ctx->diag;
	if ((r = fetch_tpm_load(a->tpm_path, &a->tpm, &ctx->err)) < 0)
		return r;
	fetch_mirrors_load(a->mirrors, &a->mirrors_list);
	return 0;
}

static int fetch_srclist(struct gild_ctx *ctx, struct fetch_args *a,
			 const struct fetch_srclist *srcs,
			 const struct manifest *m, bool use_mirrors)
{
	int r, failed = 0;

	for (size_t i = 0; i < srcs->n; i++) {
		if ((r = fetch_one(ctx, a, use_mirrors, m, &srcs->v[i])) < 0)
			return r;
		failed += r;
	}
	return failed;
}

static int fetch_src_uri(struct gild_ctx *ctx, struct fetch_args *a)
{
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist srcs =
	    FETCH_SRCLIST_INIT;
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	int r;

	if (!a->manifest)
		return gild_ctx_usage_error(ctx, "--src-uri needs --manifest");
	if ((r = srclist_from_text(a->src_uri, 8, &a->use, &srcs, &ctx->err)) <
		0 ||
	    (r = manifest_load(a->manifest, true, &m, &ctx->err)) < 0)
		return r;
	r = fetch_srclist(ctx, a, &srcs, m, true);
	return r > 0 ? 1 : r;
}

/* ---- ATOM mode ------------------------------------------------------------
 */

/* "zlib" or ">=zlib-1.3" without a category: the one package so named. */
static int add_category(const struct tree *t, const char *arg, char **out,
			struct gild_err *err)
{
	size_t op = strspn(arg, "<>=~");
	const char *name = arg + op;
	_cleanup_free_ char *pn = NULL, *cpn = NULL;
	struct cpv cpv;
	int r;

	if (cpv_split_pf(name, strlen(name), &cpv, NULL) == 0)
		pn = gild_str_dup(cpv.package);
	else
		pn = xstrdup(name);
	if ((r = pkgname_in_tree(t, pn, &cpn, err)) < 0)
		return r;
	*strchr(cpn, '/') = '\0';
	*out = xasprintf("%.*s%s/%s", (int)op, arg, cpn, name);
	return 0;
}

/* An atom, or "cat/pn-ver" as emerge takes it (meaning "=cat/pn-ver"). */
static int parse_target(const struct tree *t, const char *arg,
			struct atom **out, struct gild_err *err)
{
	_cleanup_free_ char *text = NULL, *eq = NULL;
	int r;

	if (!strchr(arg, '/') && (r = add_category(t, arg, &text, err)) < 0)
		return r;
	if (!text)
		text = xstrdup(arg);
	if (atom_parse(text, strlen(text), 8, out, NULL) == 0)
		return 0;
	eq = xasprintf("=%s", text);
	if (!strchr("<>=~", text[0]) &&
	    atom_parse(eq, strlen(eq), 8, out, NULL) == 0)
		return 0;
	return atom_parse(text, strlen(text), 8, out, err);
}

/* The highest visible version matching the atom (name, version and
 * slot), else the highest matching one, as emerge picks. */
static const struct recipe *
best_match(const struct tree *t, struct use_env *env, const struct atom *at)
{
	struct tree_pkg *p = tree_find(t, at->category, at->package);
	const struct recipe *best = NULL;

	for (size_t i = p ? p->n_versions : 0; i-- > 0;) {
		const struct recipe *r = p->versions[i];
		if (!atom_match_cpv(at, r->category, r->pn, r->pvr) ||
		    !atom_match_slot(at, r->slot, r->subslot))
			continue;
		if (fetch_recipe_visible(r, env))
			return r;
		if (!best)
			best = r;
	}
	return best;
}

/* Nothing matched: the package's versions (or close names) in the error. */
static int no_match(const struct tree *t, const struct atom *at,
		    const char *text, struct gild_err *err)
{
	struct tree_pkg *p = tree_find(t, at->category, at->package);
	const struct gild_err *broken =
	    tree_pkg_error(t, at->category, at->package);
	_cleanup_(gild_strv_releasep) struct gild_strv none = GILD_STRV_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv all = GILD_STRV_INIT;
	_cleanup_free_ char *cpn = NULL;
	size_t pick;

	if (p)
		return pkgname_no_version_in_tree(p, text, err);
	if (broken) {
		*err = *broken;
		return err->code;
	}
	cpn = xasprintf("%s/%s", at->category, at->package);
	pkgname_tree_names(t, &all);
	return pkgname_pick(cpn, &none, &all, &pick, err);
}

struct nofetch_vars {
	const struct recipe *r;
	const char *distdir, *a;
};

static const char *nofetch_lookup(void *ud, const char *name)
{
	const struct nofetch_vars *v = ud;
	static const char *const names[] = {"P",   "PN", "PV",	    "PR",
					    "PVR", "PF", "CATEGORY"};
	const char *values[] = {v->r->p,   v->r->pn, v->r->pv,	    v->r->pr,
				v->r->pvr, v->r->pf, v->r->category};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return values[i];
	if (strcmp(name, "DISTDIR") == 0)
		return v->distdir;
	if (strcmp(name, "A") == 0)
		return v->a;
	return NULL;
}

/* RESTRICT="fetch" (PMS 7.3.6): never download; distfiles already in
 * DISTDIR are verified, for the others pkg_nofetch says what to do. */
static int fetch_by_hand(struct gild_ctx *ctx, const struct fetch_args *a,
			 const struct recipe *r,
			 const struct fetch_srclist *srcs,
			 const struct manifest *m)
{
	_cleanup_buf_ struct gild_buf missing = GILD_BUF_INIT;
	_cleanup_buf_ struct gild_buf all = GILD_BUF_INIT;
	const struct recipe_func *fn = recipe_func_find(r, "pkg_nofetch");
	_cleanup_free_ char *text = NULL;
	struct nofetch_vars v = {r, a->distdir, NULL};

	for (size_t i = 0; i < srcs->n; i++) {
		_cleanup_free_ char *p =
		    gild_path_join(a->distdir, srcs->v[i].name);
		gild_buf_printf(&all, "%s%s", i ? " " : "", srcs->v[i].name);
		if (access(p, F_OK) == 0 &&
		    manifest_verify_file(m, srcs->v[i].name, p, NULL) == 0) {
			fprintf(ctx->out, "%s: already in DISTDIR\n",
				srcs->v[i].name);
			continue;
		}
		gild_buf_printf(&missing, "  %s\n", srcs->v[i].name);
	}
	if (!missing.n)
		return 0;
	v.a = gild_buf_str(&all);
	text = fetch_nofetch_text(fn ? fn->body : NULL, nofetch_lookup, &v);
	fprintf(ctx->diag,
		"gild: error: %s/%s has RESTRICT=\"fetch\": put these files "
		"into '%s' by hand:\n%s",
		r->category, r->pf, a->distdir, gild_buf_str(&missing));
	fputs(text, ctx->diag);
	return 1;
}

static char *manifest_path(const struct gild_ctx *ctx, const struct recipe *r)
{
	_cleanup_free_ char *rel =
	    xasprintf("recipes/%s/%s/Manifest", r->category, r->pn);

	if (strcmp(ctx->tree, ".") == 0)
		return TAKE_PTR(rel);
	return gild_path_join(ctx->tree, rel);
}

static int fetch_recipe(struct gild_ctx *ctx, struct fetch_args *a,
			struct use_env *env, const struct recipe *r)
{
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist srcs =
	    FETCH_SRCLIST_INIT;
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_free_ char *mpath = manifest_path(ctx, r);
	unsigned rf = 0;
	int rc;

	if ((rc = fetch_recipe_sources(r, env, getenv("USE"), &srcs, &rf,
				       &ctx->err)) < 0 ||
	    (rc = manifest_load(mpath, true, &m, &ctx->err)) < 0)
		return rc;
	if (rf & FETCH_RESTRICT_FETCH)
		return fetch_by_hand(ctx, a, r, &srcs, m);
	return fetch_srclist(ctx, a, &srcs, m, !(rf & FETCH_RESTRICT_MIRROR));
}

static int fetch_atoms(struct gild_ctx *ctx, struct fetch_args *a, int n,
		       char **args)
{
	_cleanup_(use_env_freep) struct use_env *env = NULL;
	struct tree *t;
	int rc, failed = 0;

	if ((rc = tree_for_ctx(ctx, &t, NULL, &ctx->err)) < 0)
		return rc;
	if (a->cfg && (rc = use_env_new(a->cfg, &env, &ctx->err)) < 0)
		return rc;
	for (int i = 0; i < n; i++) {
		_cleanup_(atom_freep) struct atom *at = NULL;
		const struct recipe *r;
		if ((rc = parse_target(t, args[i], &at, &ctx->err)) < 0)
			return rc;
		if (!(r = best_match(t, env, at)))
			return no_match(t, at, args[i], &ctx->err);
		if ((rc = fetch_recipe(ctx, a, env, r)) < 0)
			return rc;
		failed += rc;
	}
	return failed ? 1 : 0;
}

/* The recipe of a planned candidate. */
static const struct recipe *plan_recipe(const struct tree *t,
					const struct resolver *rs, int pkg)
{
	const struct rs_pkg *p = resolver_pkg(rs, pkg);
	_cleanup_free_ char *cpn = xstrdup(p->cpn);
	char *slash = strchr(cpn, '/');

	if (!slash)
		return NULL;
	*slash = '\0';
	return tree_find_recipe(t, cpn, slash + 1, p->pvr);
}

/* Sets and --deps: every package of the build plan, as
 * `emerge --fetchonly --emptytree` fetches it. */
static int fetch_planned(struct gild_ctx *ctx, struct fetch_args *a, int n,
			 char **targets)
{
	_cleanup_(rtree_freep) struct rtree *rt = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct resolver *rs = NULL;
	struct tree *t;
	int rc, failed = 0;

	/* rt->tree is not loaded when the resolver's cache answers, and
	 * RESTRICT=fetch needs pkg_nofetch bodies: the run's tree */
	if ((rc = tree_for_ctx(ctx, &t, NULL, &ctx->err)) < 0 ||
	    (rc = rtree_load(ctx, true, &rt, &ctx->err)) < 0 ||
	    (rc = rtree_add_targets(rt, targets, n)) < 0)
		return rc;
	rc = rs_input_solve(rt->in, &p, &rs, &ctx->err);
	rtree_warn_skipped(rt, ctx);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < p->problems.n; i++)
		fprintf(ctx->diag, "%s\n", p->problems.v[i]);
	if (p->unsolvable)
		return gild_fail(
		    &ctx->err, -GILD_E_NOSOLUTION, NULL,
		    "no plan for the targets (see 'gild pretend')");
	for (size_t i = 0; i < p->n; i++) {
		const struct recipe *r;
		if (p->v[i].action == PLAN_KEEP)
			continue;
		if (!(r = plan_recipe(t, rs, p->v[i].pkg)))
			return gild_fail(&ctx->err, -GILD_E_NOTFOUND, NULL,
					 "planned '%s' is not in the tree",
					 resolver_cpv(rs, p->v[i].pkg));
		if ((rc = fetch_recipe(ctx, a, rt->env, r)) < 0)
			return rc;
		failed += rc;
	}
	return failed ? 1 : 0;
}

static bool any_set(int n, char **targets)
{
	for (int i = 0; i < n; i++)
		if (targets[i][0] == '@')
			return true;
	return false;
}

int cmd_fetch(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(fetch_args_release) struct fetch_args a = {
	    .o = FETCH_OPTS_INIT};
	int r, status = 0;

	a.o.timeout = a.o.connect_timeout = 0; /* 0: not given */
	if (parse_fetch_opts(argc, argv, ctx, &a, &status) < 0)
		return status;
	if (a.src_uri && optind < argc)
		return gild_ctx_usage_error(ctx, "--src-uri takes no ATOM");
	if (!a.src_uri && optind >= argc)
		return gild_ctx_usage_error(ctx, "needs an ATOM or --src-uri");
	if ((r = apply_settings(ctx, &a)) < 0)
		return r;
	if (a.src_uri)
		return fetch_src_uri(ctx, &a);
	if (a.deps || any_set(argc - optind, argv + optind))
		return fetch_planned(ctx, &a, argc - optind, argv + optind);
	return fetch_atoms(ctx, &a, argc - optind, argv + optind);
}
