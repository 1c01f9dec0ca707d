/* build-fetch.c: the distfiles of a job (SRC_URI under its USE), fetched
 * into DISTDIR and verified against the package's Manifest. Fetching runs
 * here, outside the sandbox; the build itself never has network. */
#include "build/build.h"

#include "fetch/fetch.h"

/* Variables a pkg_nofetch message may name. */
static const char *nofetch_var(void *ud, const char *name)
{
	const struct build_job *j = ud;
	const char *const vars[][2] = {
	    {"P", j->r->p},
	    {"PN", j->r->pn},
	    {"PV", j->r->pv},
	    {"PVR", j->r->pvr},
	    {"PF", j->r->pf},
	    {"CATEGORY", j->r->category},
	    {"DISTDIR", j->env->distdir},
	    {"HOMEPAGE", j->r->vars[RECIPE_HOMEPAGE]},
	};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(vars); i++)
		if (!strcmp(vars[i][0], name))
			return vars[i][1];
	return NULL;
}

/* RESTRICT="fetch": the user fetches by hand; say how (pkg_nofetch's
 * messages, read, never run). */
static int nofetch(struct build_job *j, const char *name, struct gild_err *err)
{
	const struct recipe_func *f = recipe_func_find(j->r, "pkg_nofetch");
	_cleanup_free_ char *text =
	    fetch_nofetch_text(f ? f->body : "", nofetch_var, j);

	fprintf(j->env->ctx->diag,
		"%s/%s: fetch restricted; pkg_nofetch says:\n%s\n",
		j->r->category, j->r->pf, text[0] ? text : "(nothing)");
	return gild_fail(err, -GILD_E_FETCH, NULL,
			 "'%s' must be placed in '%s' by hand (RESTRICT=fetch)",
			 name, j->env->distdir);
}

static int fetch_one(struct build_job *j, const struct fetch_src *src,
		     unsigned rflags, struct fetch_mirrors *ms,
		     const struct fetch_tpm *tpm, const struct manifest *m,
		     struct gild_err *err)
{
	static const struct fetch_opts def = FETCH_OPTS_INIT;
	struct fetch_opts o = def;
	_cleanup_strv_ struct gild_strv urls = GILD_STRV_INIT;
	_cleanup_(fetch_log_releasep) struct fetch_log log = FETCH_LOG_INIT;
	_cleanup_buf_ struct gild_buf why = GILD_BUF_INIT;
	uint64_t timeout, connect_timeout;
	int r;

	if ((r = fetch_timeouts_from_config(j->env->cfg, &timeout,
					    &connect_timeout, err)) < 0)
		return r;
	if (timeout)
		o.timeout = (long)timeout;
	if (connect_timeout)
		o.connect_timeout = (long)connect_timeout;

	if (rflags & FETCH_RESTRICT_FETCH) {
		_cleanup_free_ char *p =
		    gild_path_join(j->env->distdir, src->name);
		if (access(p, R_OK) != 0)
			return nofetch(j, src->name, err);
	} else {
		for (size_t i = 0;
		     !(rflags & FETCH_RESTRICT_MIRROR) && i < ms->n; i++)
			fetch_mirror_urls(&o, &ms->v[i], src->name, &urls,
					  &log);
		for (size_t i = 0; i < src->uris.n; i++)
			if ((r = fetch_expand_uri(tpm, src->uris.v[i], &urls,
						  err)) < 0)
				return r;
	}
	o.progress = isatty(STDERR_FILENO);
	o.progress_out = stderr;
	r = fetch_distfile(&o, j->env->distdir, m, src->name, &urls, &log, err);
	if (r == 0 || log.n == 0)
		return r;
	for (size_t i = 0; i < log.n; i++)
		gild_buf_printf(&why, "; %s: %s", log.v[i].url, log.v[i].why);
	gild_err_wrap(err, "%s/%s", j->r->category, j->r->pf);
	snprintf(err->msg + strlen(err->msg),
		 sizeof(err->msg) - strlen(err->msg), "%s", gild_buf_str(&why));
	return r;
}

int build_job_list_distfiles(struct build_job *j, struct gild_err *err)
{
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist srcs =
	    FETCH_SRCLIST_INIT;
	unsigned rflags = 0;
	int r;

	if ((r = fetch_recipe_sources(j->r, j->env->use, NULL, &srcs, &rflags,
				      err)) < 0)
		return r;
	for (size_t i = 0; i < srcs.n; i++)
		gild_strv_add(&j->distfiles, srcs.v[i].name);
	return 0;
}

int build_job_fetch(struct build_job *j, struct gild_err *err)
{
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist srcs =
	    FETCH_SRCLIST_INIT;
	_cleanup_(fetch_mirrors_releasep) struct fetch_mirrors ms =
	    FETCH_MIRRORS_INIT;
	_cleanup_(fetch_tpm_freep) struct fetch_tpm *tpm = NULL;
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	unsigned rflags = 0;
	_cleanup_free_ char *tpm_path = gild_path_join(
	    tree_root(j->env->tree), "profiles/thirdpartymirrors");
	_cleanup_free_ char *mpath =
	    xasprintf("%s/recipes/%s/%s/Manifest", tree_root(j->env->tree),
		      j->r->category, j->r->pn);
	int r;

	if ((r = fetch_recipe_sources(j->r, j->env->use, NULL, &srcs, &rflags,
				      err)) < 0)
		return r;
	if (!j->distfiles.n) /* build_job_list_distfiles may have run */
		for (size_t i = 0; i < srcs.n; i++)
			gild_strv_add(&j->distfiles, srcs.v[i].name);
	if (srcs.n == 0)
		return 0;
	if ((r = manifest_load(mpath, true, &m, err)) < 0 ||
	    (r = fetch_tpm_load(tpm_path, &tpm, err)) < 0)
		return r;
	fetch_mirrors_load(config_get(j->env->cfg, "GILD_MIRRORS"), &ms);
	for (size_t i = 0; i < srcs.n; i++)
		if ((r = fetch_one(j, &srcs.v[i], rflags, &ms, tpm, m, err)) <
		    0)
			return r;
	return 0;
}
