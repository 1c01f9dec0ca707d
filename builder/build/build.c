/* build.c: one recipe version from source to a binary package (build.h
 * lists the steps; this file holds the top-level flow, USE, the work
 * directory and packaging). */
#include "build/build.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "config/config.h"
#include "fetch/fetch.h"
#include "pms/pms.h"
#include "repo/repo.h"

/* ---- effective USE --------------------------------------------------------
 */

bool build_job_use_fn(void *ud, const char *flag)
{
	struct build_job *j = ud;
	return use_state_enabled(j->env->use, &j->use, flag);
}

static void collect_flags(struct use_env *env, const struct idset *s,
			  struct gild_strv *out)
{
	for (size_t i = 0; i < s->n; i++)
		gild_strv_add(out, use_flag_name(env, s->v[i]));
	gild_strv_sort(out);
}

/* use_decide_tests' question: does RESTRICT, under j's USE as it stands,
 * hold "test"? (A USE-conditional string: "!test? ( test )" restricts only
 * without USE=test.) */
static int restrict_has_test(void *ud)
{
	struct build_job *j = ud;
	int r;

	if ((r = build_job_reduce(j, RECIPE_RESTRICT, NULL, NULL,
				  j->tests_err)) < 0)
		return r;
	return gild_has_word(j->evaluated[RECIPE_RESTRICT], "test");
}

/* FEATURES=test (use_decide_tests); j->run_tests is the outcome. The
 * evaluated RESTRICT is left as the final USE gives it. */
static int decide_tests(struct build_job *j, struct gild_err *err)
{
	bool features =
	    gild_has_word(config_get(j->env->cfg, "FEATURES"), "test");
	int r;

	j->tests_err = err;
	r = use_decide_tests(j->env->use, &j->use, features, restrict_has_test,
			     j);
	if (r < 0)
		return r;
	j->run_tests = r;
	return build_job_reduce(j, RECIPE_RESTRICT, NULL, NULL, err);
}

int build_job_eval_use(struct build_job *j, struct gild_err *err)
{
	const struct recipe *r = j->r;
	_cleanup_free_ struct use_iuse *iuse =
	    xcalloc(r->n_iuse + 1, sizeof(*iuse));
	_cleanup_(dep_node_freep) struct dep_node *ru = NULL;
	_cleanup_buf_ struct gild_buf why = GILD_BUF_INIT;
	struct use_pkg p;
	int rc;

	query_pkg_from_recipe(r, iuse, &p);
	use_eval(j->env->use, &p, &j->use);
	if ((rc = decide_tests(j, err)) < 0)
		return rc;
	collect_flags(j->env->use, &j->use.enabled, &j->use_flags);
	collect_flags(j->env->use, &j->use.iuse, &j->iuse_flags);
	if (!r->vars[RECIPE_REQUIRED_USE][0])
		return 0;
	if ((rc = depstr_parse(r->vars[RECIPE_REQUIRED_USE],
			       strlen(r->vars[RECIPE_REQUIRED_USE]),
			       DEPSTR_REQUIRED_USE, r->eapi,
			       &r->var_loc[RECIPE_REQUIRED_USE], &ru, err)) < 0)
		return rc;
	if (requse_check(ru, build_job_use_fn, j, &why) == 1)
		return 0;
	return gild_fail(err, -GILD_E_INVALID, &r->var_loc[RECIPE_REQUIRED_USE],
			 "REQUIRED_USE of '%s/%s' not satisfied: %s",
			 r->category, r->pf, gild_buf_str(&why));
}

static enum depstr_kind var_kind(enum recipe_var v)
{
	switch (v) {
	case RECIPE_SRC_URI:
		return DEPSTR_SRC_URI;
	case RECIPE_LICENSE:
		return DEPSTR_LICENSE;
	case RECIPE_RESTRICT:
	case RECIPE_PROPERTIES:
		return DEPSTR_RESTRICT;
	case RECIPE_REQUIRED_USE:
		return DEPSTR_REQUIRED_USE;
	default:
		return DEPSTR_DEPEND;
	}
}

/* Parse a metadata variable and reduce it under the job's USE; the
 * formatted result is kept in j->evaluated[v]. With orig and red, the
 * parsed and the reduced trees are handed over (red borrows from orig:
 * free red first). */
int build_job_reduce(struct build_job *j, enum recipe_var v,
		     struct dep_node **orig, struct dep_node **red,
		     struct gild_err *err)
{
	const char *s = j->r->vars[v];
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	struct gild_buf b = GILD_BUF_INIT;
	int r;

	if ((r = depstr_parse(s, strlen(s), var_kind(v), j->r->eapi,
			      &j->r->var_loc[v], &tree, err)) < 0)
		return r;
	reduced = depstr_reduce(tree, build_job_use_fn, j);
	depstr_format(reduced, &b);
	free(j->evaluated[v]);
	j->evaluated[v] = gild_buf_steal(&b);
	if (orig && red) {
		*red = TAKE_PTR(reduced);
		*orig = TAKE_PTR(tree);
	}
	return 0;
}

#define BUILD_STEP_ID "deps and build-id"

void build_job_step(struct build_job *j, const char *step)
{
	double now = gild_now();

	if (j->step)
		gild_ctx_debug(j->env->ctx, "%s/%s: step time: %s %.3f s",
			       j->r->category, j->r->pf, j->step,
			       now - j->step_started);
	j->step = step;
	j->step_started = now;
	/* what comes before fetching is not a build yet: a package reused
	 * by its build-id shows no progress at all */
	if (step && strcmp(step, BUILD_STEP_ID) && j->env->on_phase)
		j->env->on_phase(j->env->on_phase_ud, step);
}

/* ---- the work directory ------------------------------------------------- */

/* Two gild processes building the same package must not share a work
 * directory: the second waits for the first (and then usually finds its
 * build-id in the repository). The lock dies with the process. Returns 1
 * when it had to wait. */
static int lock_workroot(struct build_job *j, struct gild_err *err)
{
	_cleanup_free_ char *dir =
	    gild_path_join(j->env->tmpdir, j->r->category);
	_cleanup_free_ char *path = xasprintf("%s/.%s.lock", dir, j->r->pf);
	int r;

	if ((r = gild_mkdir_p(dir, 0755, err)) < 0)
		return r;
	j->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (j->lock_fd < 0)
		return gild_fail_errno(err, path, "cannot create lock");
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		gild_ctx_info(j->env->ctx, "waiting for another build of %s/%s",
			      j->r->category, j->r->pf);
		if (flock(j->lock_fd, LOCK_EX) < 0)
			return gild_fail_errno(err, path, "cannot lock");
		return 1;
	}
	return 0;
}

static int make_workroot(struct build_job *j, struct gild_err *err)
{
	static const char *const sub[] = {"work", "image",	  "temp",
					  "gild", "gild/classes", "deps",
					  "libc", "home"};
	int r;

	j->workroot =
	    xasprintf("%s/%s/%s", j->env->tmpdir, j->r->category, j->r->pf);
	if ((r = gild_rm_rf(j->workroot, err)) < 0)
		return r;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(sub); i++) {
		_cleanup_free_ char *d = gild_path_join(j->workroot, sub[i]);
		if ((r = gild_mkdir_p(d, 0755, err)) < 0)
			return r;
	}
	j->log_path = gild_path_join(j->workroot, "build.log");
	j->log = fopen(j->log_path, "we");
	if (!j->log)
		return gild_fail_errno(err, j->log_path, "cannot create log");
	setvbuf(j->log, NULL, _IOLBF, 0);
	return 0;
}

/* PMS src_unpack default: every distfile in A, in order, into WORKDIR.
 * Done here with libarchive (safe extraction) unless the recipe has its
 * own src_unpack, which then runs in the sandbox. */
static int unpack_distfiles(struct build_job *j, struct gild_err *err)
{
	_cleanup_free_ char *work = gild_path_join(j->workroot, "work");
	int r;

	if (recipe_func_find(j->r, "src_unpack"))
		return 0;
	for (size_t i = 0; i < j->distfiles.n; i++) {
		_cleanup_free_ char *src =
		    gild_path_join(j->env->distdir, j->distfiles.v[i]);
		fprintf(j->log, ">>> Unpacking %s to /build/work\n",
			j->distfiles.v[i]);
		if ((r = unpack_file(src, work, err)) < 0)
			return r;
	}
	return 0;
}

static int64_t newest_mtime;
static int newest_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	if (st->st_mtime > newest_mtime)
		newest_mtime = st->st_mtime;
	return 0;
}

/* reproducible-builds.org: SOURCE_DATE_EPOCH from the environment, else
 * the newest date inside the unpacked sources (they come from the
 * archives, so every rebuild gets the same), else 0. */
static void choose_source_date(struct build_job *j)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	_cleanup_free_ char *work = gild_path_join(j->workroot, "work");
	DIR *d;
	struct dirent *de;

	if (env && *env) {
		j->sde = strtoll(env, NULL, 10);
		return;
	}
	newest_mtime = 0;
	if ((d = opendir(work))) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") &&
			    strcmp(de->d_name, "..")) {
				_cleanup_free_ char *p =
				    gild_path_join(work, de->d_name);
				(void)nftw(p, newest_entry, 16, FTW_PHYS);
			}
		closedir(d);
	}
	j->sde = newest_mtime;
}

/* ---- packaging ----------------------------------------------------------- */

static void meta_set_list(struct gpkg_meta *m, const char *key,
			  const struct gild_strv *sv)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;

	for (size_t i = 0; i < sv->n; i++)
		gild_buf_printf(&b, "%s%s", i ? " " : "", sv->v[i]);
	gpkg_meta_set(m, key, gild_buf_str(&b));
}

static void fill_meta(struct build_job *j, struct gpkg_meta *m)
{
	static const enum recipe_var deps[] = {
	    RECIPE_DEPEND,  RECIPE_RDEPEND, RECIPE_PDEPEND, RECIPE_BDEPEND,
	    RECIPE_IDEPEND, RECIPE_LICENSE, RECIPE_RESTRICT};
	static const char *const vars[] = {"CFLAGS", "CXXFLAGS", "LDFLAGS",
					   "CHOST", "FEATURES"};
	const struct recipe *r = j->r;
	_cleanup_free_ char *slot =
	    strcmp(r->slot, r->subslot)
		? xasprintf("%s/%s", r->slot, r->subslot)
		: xstrdup(r->slot);
	_cleanup_free_ char *eapi = xasprintf("%d", r->eapi);

	gpkg_meta_set(m, "CATEGORY", r->category);
	gpkg_meta_set(m, "PF", r->pf);
	gpkg_meta_set(m, "SLOT", slot);
	gpkg_meta_set(m, "EAPI", eapi);
	meta_set_list(m, "IUSE", &j->iuse_flags);
	meta_set_list(m, "USE", &j->use_flags);
	for (size_t i = 0; i < GILD_ARRAY_SIZE(deps); i++)
		gpkg_meta_set(m, recipe_var_name(deps[i]),
			      j->evaluated[deps[i]] ? j->evaluated[deps[i]]
						    : "");
	gpkg_meta_set(m, "KEYWORDS", r->vars[RECIPE_KEYWORDS]);
	gpkg_meta_set(m, "DESCRIPTION", r->vars[RECIPE_DESCRIPTION]);
	gpkg_meta_set(m, "HOMEPAGE", r->vars[RECIPE_HOMEPAGE]);
	for (size_t i = 0; i < GILD_ARRAY_SIZE(vars); i++)
		gpkg_meta_set(m, vars[i], config_get(j->env->cfg, vars[i]));
	gpkg_meta_set(m, "INHERITED", "");
	for (size_t i = 0; i < r->n_inherited; i++) {
		const char *old = gpkg_meta_get(m, "INHERITED");
		_cleanup_free_ char *v =
		    xasprintf("%s%s%s", old, *old ? " " : "", r->inherited[i]);
		gpkg_meta_set(m, "INHERITED", v);
	}
	gpkg_meta_set(m, GPKG_BUILD_ID_KEY, j->build_id);
	/* Portage's name of the key (and the index's REPO): without it
	 * emerge shows the package as ::__unknown__ */
	gpkg_meta_set(m, "repository", j->env->cfg->profile->repo_name);
	gpkg_meta_set(m, "STAGE", j->env->stage_id);
	gpkg_meta_set(m, "STAGE_DESC", j->env->stage_desc);
	meta_set_list(m, "BUILD_DEPS", &j->deps);
	m->source_date_epoch = j->sde;
}

static int package_image(struct build_job *j, char **pkg_path,
			 struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	_cleanup_free_ char *image = gild_path_join(j->workroot, "image");
	_cleanup_free_ char *recipe = NULL;
	_cleanup_free_ char *rpath =
	    gild_path_join(tree_root(j->env->tree), j->r->path);
	int r;

	if ((r = gild_read_file(rpath, &recipe, NULL, err)) < 0)
		return r;
	fill_meta(j, &m);
	m.recipe = TAKE_PTR(recipe);
	m.attrs = j->attrs;
	m.n_attrs = j->n_attrs;
	if (j->opts->output_pkgdir) /* a scratch build: not in PKGDIR */
		return (r = binrepo_pkg_path(j->opts->output_pkgdir, &m,
					     pkg_path, err)) < 0
			   ? r
			   : binrepo_add(j->opts->output_pkgdir, &m, image,
					 err);
	if ((r = binrepo_pkg_path(j->env->pkgdir, &m, pkg_path, err)) < 0)
		return r;
	if ((r = binrepo_add(j->env->pkgdir, &m, image, err)) < 0 ||
	    j->opts->defer_index)
		return r;
	/* the repository scanned again and indexed under one lock (the
	 * packages of the last scan not read again) */
	return binrepo_reindex(j->env->pkgdir, &j->env->repo, err);
}

/* ---- the flow -------------------------------------------------------------
 */

static void build_job_release(struct build_job *j)
{
	use_state_release(&j->use);
	gild_strv_release(&j->use_flags);
	gild_strv_release(&j->iuse_flags);
	gild_strv_release(&j->deps);
	gild_strv_release(&j->dep_ids);
	gild_strv_release(&j->libc);
	gild_strv_release(&j->distfiles);
	for (size_t i = 0; i < RECIPE_NVARS; i++)
		free(j->evaluated[i]);
	build_job_free_attrs(j);
	free(j->build_id);
	free(j->workroot);
	free(j->log_path);
	if (j->log)
		fclose(j->log);
	if (j->lock_fd > 0)
		close(j->lock_fd);
}

/* After waiting for another build's lock: did it make our package?
 * Returns 1 (reused), 0 (build it) or an error. */
static int built_meanwhile(struct build_job *j, enum build_outcome *outcome,
			   char **pkg_path, struct gild_err *err)
{
	const struct binrepo_pkg *have;
	int r;

	if (j->opts->rebuild)
		return 0;
	if ((r = build_env_reload_repo(j->env, err)) < 0)
		return r;
	if (!(have = binrepo_find_build_id(j->env->repo, j->build_id)))
		return 0;
	*outcome = BUILD_REUSED;
	*pkg_path = gild_path_join(j->env->pkgdir, have->relpath);
	return 1;
}

static int build_steps(struct build_job *j, enum build_outcome *outcome,
		       char **pkg_path, struct gild_err *err)
{
	int r;

	if ((r = lock_workroot(j, err)) < 0)
		return r;
	if (r == 1 && (r = built_meanwhile(j, outcome, pkg_path, err)) != 0)
		return r < 0 ? r : 0;
	if ((r = make_workroot(j, err)) < 0)
		return r;
	gild_ctx_debug(j->env->ctx, ">>> Building %s/%s (build-id %.12s)",
		       j->r->category, j->r->pf, j->build_id);
	build_job_step(j, "unpack");
	if ((r = unpack_distfiles(j, err)) < 0)
		return r;
	choose_source_date(j);
	if ((r = build_job_run_phases(j, err)) < 0)
		return r;
	build_job_step(j, "qa");
	if ((r = build_job_qa(j, err)) < 0)
		return r;
	build_job_step(j, "package");
	if ((r = package_image(j, pkg_path, err)) < 0)
		return r;
	*outcome = BUILD_BUILT;
	if (j->env->on_packaged)
		j->env->on_packaged(j->env->on_phase_ud, *pkg_path);
	build_job_step(j, "clean");
	if (!j->opts->keep_work)
		(void)gild_rm_rf(j->workroot, NULL);
	build_job_step(j, NULL);
	return 0;
}

/* Work directories of builds under tmpdir (CATEGORY/PF; stage/ holds the
 * unpacked stages, image/, iso/ and disk/ the images' and media's work):
 * up to max of them into out, the count returned. */
static size_t list_work_dirs(const char *tmpdir, struct gild_strv *out,
			     size_t max)
{
	DIR *d = opendir(tmpdir);
	struct dirent *c;
	size_t n = 0;

	if (!d)
		return 0;
	while ((c = readdir(d))) {
		_cleanup_free_ char *cat = NULL;
		DIR *pd;
		struct dirent *p;
		if (c->d_name[0] == '.' || !strcmp(c->d_name, "stage") ||
		    !strcmp(c->d_name, "lib") || !strcmp(c->d_name, "image") ||
		    !strcmp(c->d_name, "iso") || !strcmp(c->d_name, "disk"))
			continue;
		cat = gild_path_join(tmpdir, c->d_name);
		if (!(pd = opendir(cat)))
			continue;
		while ((p = readdir(pd)))
			if (p->d_name[0] != '.' && p->d_type == DT_DIR &&
			    n++ < max)
				gild_strv_push(
				    out,
				    xasprintf("%s/%s", c->d_name, p->d_name));
		closedir(pd);
	}
	closedir(d);
	return n;
}

/* A build that failed on a full work area (ENOSPC, or a phase that
 * failed with less than 16 MiB left there) says what may go: failed
 * builds keep their work directories for inspection, and on a full disk
 * every later build would fail the same way. */
static void full_disk_hint(struct build_job *j, int r, struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv dirs = GILD_STRV_INIT;
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	struct statvfs vfs;
	size_t n, len;

	if (r != -ENOSPC && r != -EDQUOT &&
	    (statvfs(j->env->tmpdir, &vfs) < 0 ||
	     (uint64_t)vfs.f_bavail * vfs.f_frsize >= (16u << 20)))
		return;
	n = list_work_dirs(j->env->tmpdir, &dirs, 3);
	for (size_t i = 0; i < dirs.n; i++)
		gild_buf_printf(&b, "%s%s", i ? ", " : "", dirs.v[i]);
	if (n > dirs.n)
		gild_buf_printf(&b, " and %zu more", n - dirs.n);
	len = strlen(err->msg);
	if (n == 0)
		snprintf(err->msg + len, sizeof(err->msg) - len,
			 "; the work area '%s' is full: 'gild clean' removes "
			 "what failed and killed runs left",
			 j->env->tmpdir);
	else
		snprintf(err->msg + len, sizeof(err->msg) - len,
			 "; the work area '%s' is full: remove the work "
			 "directories failed builds left there for inspection "
			 "(%s), or run 'gild clean', which keeps those of "
			 "running builds",
			 j->env->tmpdir, gild_buf_str(&b));
}

/* The caller's umask must not reach the image (modes would differ from
 * one user to the next under one build-id): unpacking and every phase
 * run with 022, as Portage runs ebuilds. */
static int build_from_source(struct build_job *j, enum build_outcome *outcome,
			     char **pkg_path, struct gild_err *err)
{
	mode_t old = umask(022);
	int r = build_steps(j, outcome, pkg_path, err);

	umask(old);
	if (r < 0 && err)
		full_disk_hint(j, r, err);
	return r;
}

/* "path size mtime ino" of a package file as it was when it verified. */
static char *verified_key(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	return xasprintf("%s %lld %lld.%09ld %llu", path, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			 (unsigned long long)st.st_ino);
}

/* PKGDIR/.gild-verified remembers packages that verified, keyed by
 * their size, mtime and inode: a no-op build does not decompress every
 * package again, and a package changed since is verified again. */
static bool verified_before(struct build_env *e, const char *path)
{
	_cleanup_free_ char *key = verified_key(path);

	if (!e->verified_read) {
		_cleanup_free_ char *f =
		    gild_path_join(e->pkgdir, ".gild-verified");
		_cleanup_free_ char *text = NULL;
		size_t n;
		e->verified_read = true;
		if (gild_read_file(f, &text, &n, NULL) == 0)
			for (char *l = text, *next; l && *l; l = next) {
				next = strchr(l, '\n');
				if (next)
					*next++ = '\0';
				gild_strv_add(&e->verified, l);
			}
	}
	return key && gild_strv_contains(&e->verified, key);
}

static void note_verified(struct build_env *e, const char *path)
{
	_cleanup_free_ char *key = verified_key(path);
	_cleanup_free_ char *f = gild_path_join(e->pkgdir, ".gild-verified");
	_cleanup_close_ int fd = -1;

	if (!key || gild_strv_contains(&e->verified, key))
		return;
	gild_strv_add(&e->verified, key);
	/* one short O_APPEND write: concurrent builds cannot interleave */
	fd = open(f, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		_cleanup_free_ char *line = xasprintf("%s\n", key);
		(void)!write(fd, line, strlen(line));
	}
}

/* A package of the right build-id is reused only when it verifies (its
 * Manifest and CONTENTS): a damaged one would fail every package built
 * against it, later and far from the cause. It is moved aside into
 * PKGDIR/.bad/ and built again, saying so. 1 reuse, 0 build, <0 error. */
static int reusable(struct build_job *j, const struct binrepo_pkg *have,
		    struct gild_err *err)
{
	_cleanup_free_ char *path =
	    gild_path_join(j->env->pkgdir, have->relpath);
	_cleanup_free_ char *bad = gild_path_join(j->env->pkgdir, ".bad");
	_cleanup_free_ char *aside = NULL;
	struct gild_err verr = GILD_ERR_INIT;
	int r;

	if (verified_before(j->env, path) || gpkg_verify(path, &verr) == 0) {
		note_verified(j->env, path);
		return 1;
	}
	aside = xasprintf("%s/%s.%ld", bad, strrchr(have->relpath, '/') + 1,
			  (long)getpid());
	if ((r = gild_mkdir_p(bad, 0755, err)) < 0)
		return r;
	if (rename(path, aside) < 0)
		return gild_fail_errno(err, path, "cannot move aside");
	gild_ctx_warn(j->env->ctx,
		      "%s does not verify (%s): moved to %s, building it again",
		      path, verr.msg, aside);
	return 0;
}

static int build_job_run(struct build_job *j, enum build_outcome *outcome,
			 char **pkg_path, struct gild_err *err)
{
	const struct binrepo_pkg *have;
	int rc;

	build_job_step(j, BUILD_STEP_ID);
	if ((rc = build_job_eval_use(j, err)) < 0)
		return rc;
	/* sources need only USE: fetched before anything they build
	 * against exists (`gild build --fetchonly` of a whole plan) */
	if (j->opts->fetch_only) {
		*outcome = BUILD_FETCHED;
		return build_job_fetch(j, err);
	}
	if ((rc = build_job_find_deps(j, err)) < 0)
		return rc;
	/* the build-id first: a package already built needs no sources */
	if ((rc = build_job_list_distfiles(j, err)) < 0 ||
	    (rc = build_job_compute_id(j, err)) < 0)
		return rc;
	have = binrepo_find_build_id(j->env->repo, j->build_id);
	if (have && !j->opts->rebuild && (rc = reusable(j, have, err)) != 0) {
		if (rc < 0)
			return rc;
		*outcome = BUILD_REUSED;
		*pkg_path = gild_path_join(j->env->pkgdir, have->relpath);
		return 0;
	}
	build_job_step(j, "fetch");
	if ((rc = build_job_fetch(j, err)) < 0)
		return rc;
	*outcome = BUILD_BUILT;
	return build_from_source(j, outcome, pkg_path, err);
}

void build_forecast_release(struct build_forecast *f)
{
	free(f->build_id);
	gild_strv_release(&f->deps);
	gpkg_meta_release(&f->meta);
}

int build_recipe_forecast(struct build_env *e, const struct recipe *r,
			  const struct build_opts *opts,
			  struct build_forecast *out, struct gild_err *err)
{
	_cleanup_(build_job_release) struct build_job j = {
	    .env = e, .r = r, .opts = opts, .lock_fd = -1};
	int rc;

	if ((rc = build_job_eval_use(&j, err)) < 0 ||
	    (rc = build_job_find_deps(&j, err)) < 0 ||
	    (rc = build_job_list_distfiles(&j, err)) < 0 ||
	    (rc = build_job_compute_id(&j, err)) < 0)
		return rc;
	out->build_id = xstrdup(j.build_id);
	for (size_t i = 0; i < j.deps.n; i++)
		gild_strv_add(&out->deps, j.deps.v[i]);
	/* what a package built against this one reads of it (build-deps.c:
	 * slot, USE, RDEPEND), as its GPKG will carry it */
	out->meta = (struct gpkg_meta)GPKG_META_INIT;
	fill_meta(&j, &out->meta);
	return 0;
}

int build_recipe(struct build_env *e, const struct recipe *r,
		 const struct build_opts *opts, enum build_outcome *outcome,
		 char **pkg_path, struct gild_err *err)
{
	_cleanup_(build_job_release) struct build_job j = {
	    .env = e, .r = r, .opts = opts, .lock_fd = -1};

	*pkg_path = NULL;
	return build_job_run(&j, outcome, pkg_path, err);
}
