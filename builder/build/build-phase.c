/* build-phase.c: running the PMS phases of a job in the sandbox.
 *
 * The phases of a build run in one sandbox, one bash: /gild/phase.sh
 * sources the helper library (builder/ebuild.sh, embedded in gild), then
 * the recipe (its `inherit` line sources the classes, so their functions
 * are the defaults the recipe overrides, as with eclasses), then calls
 * ebuild_run_phase for each phase it is given. A phase's variables reach
 * the later phases, as PMS 11.2 wants of the environment, and a package
 * pays for one sandbox start and one sourcing of the recipe, not one per
 * phase. The script names each phase as it starts on the sandbox's report
 * channel (fd 3, closed for the phase itself): the progress display and
 * the step timings follow it, and the phase timeout counts per phase.
 * What one phase leaves running (a server started for src_test) lives on
 * into the next, and an EXIT trap fires after the last; the sandbox's end
 * kills everything. Order and defaults are PMS chapter 9. */
#include "build/build.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include "repo/repo.h"
#include "sandbox/sandbox.h"

const char build_phase_sh[] =
    "# phase.sh: written by gild, the same for every build\n"
    "source /gild/ebuild.sh || exit 1\n"
    "_gild_inherited=' '\n"
    "inherit() {\n"
    "\tlocal c\n"
    "\tfor c in \"$@\"; do\n"
    "\t\t[[ ${_gild_inherited} == *\" ${c} \"* ]] && continue\n"
    "\t\t_gild_inherited+=\"${c} \"\n"
    "\t\tsource \"/gild/pkg/classes/${c}.class\" ||\n"
    "\t\t\tdie \"inherit: cannot source class '${c}'\"\n"
    "\tdone\n"
    "}\n"
    "EXPORT_FUNCTIONS() { :; }\n"
    "source /gild/pkg/recipe || die 'cannot source the recipe'\n"
    "{ : >&3; } 2>/dev/null && _gild_report=1\n"
    "for _gild_phase in \"$@\"; do\n"
    "\tprintf '>>> %s/%s: %s\\n' \"${CATEGORY}\" \"${PF}\" "
    "\"${_gild_phase}\"\n"
    "\t[[ -n ${_gild_report} ]] && printf 'phase %s\\n' \"${_gild_phase}\" "
    ">&3\n"
    "\t[[ -z ${GILD_UMASK} ]] || umask \"${GILD_UMASK}\"\n"
    /* not `|| exit`: that would turn a recipe's set -e off in the phase */
    "\tebuild_run_phase \"${_gild_phase}\" 3>&-\n"
    "\t_gild_rc=$?\n"
    "\t[[ ${_gild_rc} == 0 ]] || exit \"${_gild_rc}\"\n"
    "done\n"
    "if [[ -n ${GILD_STRIP} ]]; then\n"
    "\t[[ -n ${_gild_report} ]] && printf 'phase strip\\n' >&3\n"
    /* the recipe's shell state is not the strip's */
    "\tset +e +f +u\n"
    "\tGLOBIGNORE=\n"
    "\tshopt -u failglob\n"
    "\t[[ -z ${GILD_UMASK} ]] || umask \"${GILD_UMASK}\"\n"
    "\tEBUILD_PHASE=strip _eb_strip_image 3>&- || exit\n"
    "fi\n"
    /* the end reached: an `exit 0` in a phase would skip the rest */
    "[[ -z ${_gild_report} ]] || printf 'done\\n' >&3\n";

static int write_file_synced(const char *path, const char *text, size_t n,
			     bool sync, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	int r;

	if ((r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return r;
	af.no_sync = !sync;
	fwrite(text, 1, n, af.f);
	return gild_atomic_commit(&af, err);
}

/* A file of the work area: scratch, never worth an fsync. */
static int write_file(const char *path, const char *text, size_t n,
		      struct gild_err *err)
{
	return write_file_synced(path, text, n, false, err);
}

static int copy_file(const char *from, const char *to, struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r;

	if ((r = gild_read_file(from, &text, &n, err)) < 0)
		return r;
	return write_file(to, text, n, err);
}

/* FILESDIR copied into the work area with modes of its own (0755
 * directories, 0644 files, 0755 where the tree's file is executable):
 * the tree may be a clone made under umask 077 whose 0600 files the
 * build user could not read through a bind. */
static int copy_files_dir(const char *from, const char *to,
			  struct gild_err *err)
{
	struct dirent **names = NULL;
	int n = scandir(from, &names, NULL, alphasort), r = 0;

	if (n < 0)
		return gild_fail_errno(err, from, "cannot read directory");
	if (mkdir(to, 0755) < 0 && errno != EEXIST)
		r = gild_fail_errno(err, to, "cannot create directory");
	else if (chmod(to, 0755) < 0)
		r = gild_fail_errno(err, to, "cannot set the mode of");
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		_cleanup_free_ char *s = gild_path_join(from, name);
		_cleanup_free_ char *d = gild_path_join(to, name);
		struct stat st;
		if (r == 0 && strcmp(name, ".") && strcmp(name, "..") &&
		    lstat(s, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = copy_files_dir(s, d, err);
			else if (S_ISREG(st.st_mode) &&
				 (r = copy_file(s, d, err)) == 0 &&
				 chmod(d, st.st_mode & 0111 ? 0755 : 0644) < 0)
				r = gild_fail_errno(err, d,
						    "cannot set the mode of");
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* DIR/helpers/NAME for each helper ebuild.sh lists in _EB_HELPERS (the
 * list read from the embedded text itself, so the two never differ): a
 * script running `bash /gild/ebuild.sh NAME "$@"`, which PMS wants callable
 * as a program (from xargs). Made here, the build's bash spends no
 * process on them. */
static const char helper_text[] =
    "#!/bin/bash\nexec bash /gild/ebuild.sh %s \"$@\"\n";

static int write_helpers(const char *gdir, struct gild_err *err)
{
	static const char key[] = "\n_EB_HELPERS=(";
	const char *p = strstr(gild_ebuild_sh, key);
	_cleanup_free_ char *dir = gild_path_join(gdir, "helpers");
	int r;

	if (!p)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "ebuild.sh lists no helpers");
	if (mkdir(dir, 0755) < 0 || chmod(dir, 0755) < 0)
		return gild_fail_errno(err, dir, "cannot create directory");
	for (p += sizeof(key) - 1; *p && *p != ')';) {
		size_t n = strcspn(p, " \t\n)");
		if (n == 0) {
			p++;
			continue;
		}
		_cleanup_free_ char *name = xstrndup(p, n);
		_cleanup_free_ char *path = gild_path_join(dir, name);
		_cleanup_free_ char *text = xasprintf(helper_text, name);
		if ((r = write_file_synced(path, text, strlen(text), true,
					   err)) < 0)
			return r;
		if (chmod(path, 0755) < 0)
			return gild_fail_errno(err, path,
					       "cannot set the mode of");
		p += n;
	}
	return 0;
}

static int sync_dir(const char *dir, struct gild_err *err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return gild_fail_errno(err, dir, "cannot sync");
	return 0;
}

/* What every build's /gild holds, the same for all of them: ebuild.sh,
 * phase.sh, the helpers, and `pkg`, where the build's own recipe and
 * classes are mounted. */
static int write_shared_lib(const char *dir, struct gild_err *err)
{
	_cleanup_free_ char *p1 = gild_path_join(dir, "ebuild.sh");
	_cleanup_free_ char *p2 = gild_path_join(dir, "phase.sh");
	_cleanup_free_ char *pkg = gild_path_join(dir, "pkg");
	int r;

	if ((r = gild_mkdir_p(dir, 0755, err)) < 0)
		return r;
	if (chmod(dir, 0755) < 0 || mkdir(pkg, 0755) < 0 ||
	    chmod(pkg, 0755) < 0)
		return gild_fail_errno(err, pkg, "cannot create directory");
	if ((r = write_file_synced(p1, gild_ebuild_sh, strlen(gild_ebuild_sh),
				   true, err)) < 0 ||
	    (r = write_file_synced(p2, build_phase_sh, strlen(build_phase_sh),
				   true, err)) < 0 ||
	    (r = write_helpers(dir, err)) < 0)
		return r;
	/* every later build trusts the directory by its name: its files
	 * are on disk before it gets that name (gild_atomic_commit synced
	 * each file and the entries beside it) */
	return sync_dir(dir, err);
}

/* The name of the shared /gild: a hash of what goes into it (the two
 * scripts, the helpers' text, the layout's version), so a gild that
 * writes any of them differently never takes another's. */
char *build_lib_name(void)
{
	static const char layout[] = "lib 1: ebuild.sh phase.sh helpers/ pkg/";
	struct gpkg_hash *h = gpkg_hash_new("SHA256");
	char hex[65];

	/* each with its NUL: one text cannot pass for the others */
	gpkg_hash_update(h, layout, sizeof(layout));
	gpkg_hash_update(h, helper_text, sizeof(helper_text));
	gpkg_hash_update(h, gild_ebuild_sh, strlen(gild_ebuild_sh) + 1);
	gpkg_hash_update(h, build_phase_sh, strlen(build_phase_sh) + 1);
	gpkg_hash_hex(h, hex, sizeof(hex));
	gpkg_hash_free(h);
	return xstrndup(hex, 16);
}

/* <libroot>/NAME: written once, by whichever build needs it first (into
 * a private temporary, synced, then renamed, so that builds racing for it
 * all end up with one complete copy), then mounted read-only as every
 * build's /gild. Writing the 35 files for each build cost it 2 ms of its
 * start. */
int build_shared_lib_dir(const struct build_env *env, char **out,
			 struct gild_err *err)
{
	_cleanup_free_ char *name = build_lib_name();
	_cleanup_free_ char *dir = gild_path_join(env->libroot, name);
	_cleanup_free_ char *tmp = NULL;
	int r;

	if (access(dir, F_OK) == 0) {
		*out = TAKE_PTR(dir);
		return 0;
	}
	tmp = xasprintf("%s.tmp.%ld", dir, (long)getpid());
	(void)gild_rm_rf(tmp, NULL);
	if ((r = write_shared_lib(tmp, err)) < 0) {
		(void)gild_rm_rf(tmp, NULL);
		return r;
	}
	if ((r = gild_publish_dir(tmp, dir, err)) < 0 ||
	    (r == 1 && (r = sync_dir(env->libroot, err)) < 0))
		return r;
	*out = TAKE_PTR(dir);
	return 0;
}

/* The build's own part of /gild (mounted at /gild/pkg): the recipe and its
 * classes; FILESDIR beside it. */
static int stage_gild_dir(struct build_job *j, struct gild_err *err)
{
	const char *root = tree_root(j->env->tree);
	_cleanup_free_ char *g = gild_path_join(j->workroot, "gild");
	_cleanup_free_ char *p3 = gild_path_join(g, "recipe");
	_cleanup_free_ char *src = gild_path_join(root, j->r->path);
	int r;

	if ((r = copy_file(src, p3, err)) < 0)
		return r;
	_cleanup_free_ char *files =
	    xasprintf("%s/recipes/%s/%s/files", root, j->r->category, j->r->pn);
	_cleanup_free_ char *fcopy = gild_path_join(j->workroot, "files");
	if (access(files, F_OK) == 0 &&
	    (r = copy_files_dir(files, fcopy, err)) < 0)
		return r;
	for (size_t i = 0; i < j->r->n_inherited; i++) {
		_cleanup_free_ char *from = xasprintf(
		    "%s/recipes/classes/%s.class", root, j->r->inherited[i]);
		_cleanup_free_ char *to =
		    xasprintf("%s/classes/%s.class", g, j->r->inherited[i]);
		if ((r = copy_file(from, to, err)) < 0)
			return r;
	}
	return 0;
}

static int chown_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, BUILD_HOST_ID_BASE + BUILD_UID,
		      BUILD_HOST_ID_BASE + BUILD_UID);
}

/* As root, the build user inside is an unprivileged host uid: give it the
 * directories it writes, with the sources unpacked into them (Portage
 * chowns to its portage user the same way). */
static int chown_writable(struct build_job *j, struct gild_err *err)
{
	static const char *const rw[] = {"work", "image", "temp", "home"};

	if (geteuid() != 0)
		return 0;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rw); i++) {
		_cleanup_free_ char *p = gild_path_join(j->workroot, rw[i]);
		if (nftw(p, chown_entry, 16, FTW_PHYS) != 0)
			return gild_fail_errno(err, p, "cannot hand over");
	}
	return 0;
}

static void join_strv(struct gild_buf *b, const struct gild_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		gild_buf_printf(b, "%s%s", i ? " " : "", sv->v[i]);
}

static int set_env(struct sandbox_spec *s, const char *k, const char *v,
		   struct gild_err *err)
{
	return sandbox_spec_setenv(s, k, v ? v : "", err);
}

/* The process's umask as octal text (read by setting it back: the build
 * process is single-threaded here, so nothing creates a file meanwhile). */
static void current_umask(char text[8])
{
	mode_t mask = umask(022);

	umask(mask);
	snprintf(text, 8, "%04o", (unsigned)mask);
}

static int phase_env_names(struct build_job *j, struct sandbox_spec *s,
			   struct gild_err *err)
{
	const struct recipe *r = j->r;
	_cleanup_free_ char *sdir = xasprintf("/build/work/%s", r->p);
	_cleanup_free_ char *slot = xstrdup(r->slot);
	_cleanup_free_ char *eapi = xasprintf("%d", r->eapi);
	_cleanup_free_ char *sde = xasprintf("%lld", (long long)j->sde);
	/* PMS ebuild-vars, "trailing-slash" (EAPI 7+): D, ED, ROOT and EROOT
	 * end without a slash, so ROOT and EROOT are empty for / */
	bool slash = r->eapi < 7;
	const char *image = slash ? "/build/image/" : "/build/image";
	const char *root = slash ? "/" : "";
	char umask_text[8];
	const char *kv[][2] = {
	    {"P", r->p},
	    {"PN", r->pn},
	    {"PV", r->pv},
	    {"PR", r->pr},
	    {"PVR", r->pvr},
	    {"PF", r->pf},
	    {"CATEGORY", r->category},
	    {"SLOT", slot},
	    {"EAPI", eapi},
	    {"WORKDIR", "/build/work"},
	    {"S", sdir},
	    {"T", "/build/temp"},
	    {"D", image},
	    {"ED", image},
	    {"EPREFIX", ""},
	    {"ROOT", root},
	    {"EROOT", root},
	    {"FILESDIR", "/build/files"},
	    {"DISTDIR", "/build/distdir"},
	    {"HOME", "/build/home"},
	    {"TMPDIR", "/build/temp"},
	    {"SOURCE_DATE_EPOCH", sde},
	    {"GILD_HELPERS", "/gild/helpers"},
	    /* each phase starts with it, whatever the last one set */
	    {"GILD_UMASK", umask_text},
	};
	int rc;

	current_umask(umask_text);
	for (size_t i = 0; i < GILD_ARRAY_SIZE(kv); i++)
		if ((rc = set_env(s, kv[i][0], kv[i][1], err)) < 0)
			return rc;
	return 0;
}

/* FEATURES as the phases see it: without test when the tests do not run
 * for this package (Portage drops it the same way for a restricted one,
 * so a recipe's own has test checks agree with src_test). */
static int set_features(struct build_job *j, struct sandbox_spec *s,
			struct gild_err *err)
{
	_cleanup_free_ char *copy =
	    xstrdup(config_get(j->env->cfg, "FEATURES"));
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	char *save = NULL;

	if (j->run_tests)
		return 0;
	for (char *w = strtok_r(copy, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save))
		if (strcmp(w, "test"))
			gild_buf_printf(&b, "%s%s", b.n ? " " : "", w);
	return set_env(s, "FEATURES", gild_buf_str(&b), err);
}

/* FEATURES=strip, unless the recipe restricts it: phase.sh then strips
 * the image after src_install (ebuild.sh's _eb_strip_image), splitdebug
 * keeping the debug information. */
static int set_strip(struct build_job *j, struct sandbox_spec *s,
		     struct gild_err *err)
{
	const char *features = config_get(j->env->cfg, "FEATURES");
	const char *restrict_ = j->evaluated[RECIPE_RESTRICT];
	bool strip = gild_has_word(features, "strip") &&
		     !gild_has_word(restrict_ ? restrict_ : "", "strip");
	int rc;

	if ((rc = set_env(s, "GILD_STRIP", strip ? "1" : "", err)) < 0)
		return rc;
	return set_env(s, "SPLITDEBUG",
		       gild_has_word(features, "splitdebug") ? "1" : "", err);
}

/* Toolchain variables from the configuration. The build-time
 * dependencies need no search paths: they are laid over the stage
 * (build-root.c). */
static int phase_env_toolchain(struct build_job *j, struct sandbox_spec *s,
			       struct gild_err *err)
{
	static const char *const cfgvars[] = {"CFLAGS",	  "CXXFLAGS", "LDFLAGS",
					      "CPPFLAGS", "CHOST",    "CBUILD",
					      "MAKEOPTS", "FEATURES", "ARCH"};
	int rc;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(cfgvars); i++) {
		const char *v = config_get(j->env->cfg, cfgvars[i]);
		if (!strcmp(cfgvars[i], "MAKEOPTS") && j->opts->makeopts)
			v = j->opts->makeopts;
		if ((rc = set_env(s, cfgvars[i], v, err)) < 0)
			return rc;
	}
	if ((rc = set_strip(j, s, err)) < 0)
		return rc;
	return set_features(j, s, err);
}

static int phase_env_use(struct build_job *j, struct sandbox_spec *s,
			 struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf use = GILD_BUF_INIT, iuse = GILD_BUF_INIT,
				      a = GILD_BUF_INIT;
	int rc;

	join_strv(&use, &j->use_flags);
	join_strv(&iuse, &j->iuse_flags);
	join_strv(&a, &j->distfiles);
	if ((rc = set_env(s, "USE", gild_buf_str(&use), err)) < 0 ||
	    (rc = set_env(s, "IUSE", gild_buf_str(&iuse), err)) < 0 ||
	    (rc = set_env(s, "IUSE_EFFECTIVE", gild_buf_str(&iuse), err)) < 0 ||
	    (rc = set_env(s, "A", gild_buf_str(&a), err)) < 0)
		return rc;
	return 0;
}

static int add_binds(struct build_job *j, struct sandbox_spec *s,
		     struct gild_err *err)
{
	static const char *const ro[][2] = {{"gild", "/gild/pkg"},
					    {"deps", "/build/deps"},
					    {"libc", "/build/libc"}};
	static const char *const rw[][2] = {{"work", "/build/work"},
					    {"image", "/build/image"},
					    {"temp", "/build/temp"},
					    {"home", "/build/home"}};
	_cleanup_free_ char *files = gild_path_join(j->workroot, "files");
	_cleanup_free_ char *lib = NULL;
	int rc;

	if (j->env->stage_root)
		sandbox_spec_set_root(s, j->env->stage_root);
	if ((rc = build_job_add_layers(j, s, err)) < 0 ||
	    (rc = build_shared_lib_dir(j->env, &lib, err)) < 0 ||
	    (rc = sandbox_spec_add_ro(s, lib, "/gild", err)) < 0)
		return rc;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(ro); i++) {
		_cleanup_free_ char *p = gild_path_join(j->workroot, ro[i][0]);
		if ((rc = sandbox_spec_add_ro(s, p, ro[i][1], err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rw); i++) {
		_cleanup_free_ char *p = gild_path_join(j->workroot, rw[i][0]);
		if ((rc = sandbox_spec_add_rw(s, p, rw[i][1], err)) < 0)
			return rc;
	}
	if ((rc = sandbox_spec_add_ro(s, j->env->distdir, "/build/distdir",
				      err)) < 0)
		return rc;
	if (access(files, F_OK) == 0 &&
	    (rc = sandbox_spec_add_ro(s, files, "/build/files", err)) < 0)
		return rc;
	return 0;
}

static void set_limits(struct build_job *j, struct sandbox_spec *s)
{
	const struct build_env *e = j->env;

	sandbox_spec_set_timeout(s, j->opts->phase_timeout
					? j->opts->phase_timeout
					: (unsigned)e->phase_timeout);
	sandbox_spec_set_mem(s, e->mem);
	sandbox_spec_set_nproc(s, (unsigned)e->nproc);
	sandbox_spec_set_fsize(s, e->fsize);
}

static const char *const build_phases[] = {
    "pkg_setup",   "src_unpack", "src_prepare", "src_configure",
    "src_compile", "src_test",	 "src_install"};
/* the step after src_install when FEATURES=strip */
static const char strip_step[] = "strip";

/* What phase.sh reports on fd 3: "phase NAME" as each phase starts. Only
 * the names above are taken (the step is kept as a static string). */
struct phase_watch {
	struct build_job *j;
	const char *phase; /* the last one started */
	bool done;	   /* phase.sh reached its end */
};

static void phase_reported(void *ud, const char *line)
{
	struct phase_watch *w = ud;

	if (!strcmp(line, "done"))
		w->done = true;
	if (strncmp(line, "phase ", 6))
		return;
	if (!strcmp(line + 6, strip_step) && w->j->step != strip_step) {
		w->phase = strip_step;
		build_job_step(w->j, strip_step);
		return;
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(build_phases); i++)
		if (!strcmp(line + 6, build_phases[i]) &&
		    w->j->step != build_phases[i]) {
			w->phase = build_phases[i];
			build_job_step(w->j, w->phase);
			gild_ctx_debug(w->j->env->ctx, "%s/%s: %s",
				       w->j->r->category, w->j->r->pf,
				       w->phase);
		}
}

static int phases_spec(struct build_job *j, struct sandbox_spec *s,
		       const struct gild_strv *argv, struct phase_watch *w,
		       struct gild_err *err)
{
	int rc;

	if ((rc = add_binds(j, s, err)) < 0 ||
	    (rc = phase_env_names(j, s, err)) < 0 ||
	    (rc = phase_env_toolchain(j, s, err)) < 0 ||
	    (rc = phase_env_use(j, s, err)) < 0)
		return rc;
	if (geteuid() == 0)
		sandbox_spec_set_host_range(s, BUILD_HOST_ID_BASE,
					    BUILD_HOST_ID_BASE, 65536);
	sandbox_spec_set_inside_ids(s, BUILD_UID, BUILD_UID);
	set_limits(j, s);
	sandbox_spec_set_cwd(s, "/build/work");
	sandbox_spec_set_stdio(s, fileno(j->log), fileno(j->log));
	sandbox_spec_set_report(s, phase_reported, w);
	sandbox_spec_set_argv(s, (const char *const *)argv->v);
	return 0;
}

/* The phases in argv[3...], in one sandbox. */
static int run_phases(struct build_job *j, const struct gild_strv *argv,
		      struct gild_err *err)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	struct phase_watch w = {j, argv->v[2], false};
	struct sandbox_status st;
	int rc;

	fflush(j->log);
	if ((rc = phases_spec(j, s, argv, &w, err)) < 0 ||
	    (rc = sandbox_run(s, &st, err)) < 0)
		return rc;
	if (st.status == 0 && !w.done)
		/* Portage's "exited unexpectedly" */
		return gild_fail(
		    err, -GILD_E_BUILD, NULL,
		    "'%s/%s': %s ended the build early, without "
		    "a failure (an `exit` in the recipe? use die); "
		    "log: %s",
		    j->r->category, j->r->pf, w.phase, j->log_path);
	if (st.status == 0)
		return 0;
	return gild_fail(err, -GILD_E_BUILD, NULL,
			 "'%s/%s': %s failed (%s%sstatus %d); log: %s",
			 j->r->category, j->r->pf, w.phase, st.message,
			 st.message[0] ? ", " : "", st.status, j->log_path);
}

/* Which phases run: src_unpack ran in C (libarchive) unless the recipe
 * has one; pkg_setup's default does nothing (PMS 9.2.2); src_test only
 * with FEATURES=test, unless restricted (PMS 9.1.7, decided with USE in
 * build.c). */
static bool phase_runs(const struct build_job *j, const char *ph)
{
	if ((!strcmp(ph, "src_unpack") || !strcmp(ph, "pkg_setup")) &&
	    !recipe_func_find(j->r, ph))
		return false;
	return strcmp(ph, "src_test") || j->run_tests;
}

int build_job_run_phases(struct build_job *j, struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv argv = GILD_STRV_INIT;
	int rc;

	if ((rc = stage_gild_dir(j, err)) < 0 ||
	    (rc = build_job_install_deps(j, err)) < 0 ||
	    (rc = chown_writable(j, err)) < 0)
		return rc;
	gild_strv_add(&argv, "bash");
	gild_strv_add(&argv, "/gild/phase.sh");
	for (size_t i = 0; i < GILD_ARRAY_SIZE(build_phases); i++)
		if (phase_runs(j, build_phases[i])) {
			/* the first phase is the step from here: the
			 * sandbox's start is part of it */
			if (argv.n == 2)
				build_job_step(j, build_phases[i]);
			gild_strv_add(&argv, build_phases[i]);
		}
	return run_phases(j, &argv, err);
}
