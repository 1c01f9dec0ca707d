/* build-env.c: what one `gild build` run shares: configuration, tree,
 * binary repository, directories and the toolchain stage's identity. */
#include "build/build.h"

#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "config/config.h"
#include "fetch/fetch.h"
#include "pms/pms.h"
#include "repo/repo.h"
#include "sandbox/sandbox.h"

/* Run a version command of the host toolchain and keep its first line:
 * the stage identity must change when the compiler, binutils or libc do. */
static void add_tool_version(struct gild_buf *b, const char *cmd)
{
	char line[256] = "";
	FILE *p = popen(cmd, "r");

	if (p) {
		if (!fgets(line, sizeof(line), p))
			line[0] = '\0';
		pclose(p);
	}
	line[strcspn(line, "\n")] = '\0';
	gild_buf_printf(b, "%s\n", line[0] ? line : "(none)");
}

static int host_stage_identity(struct build_env *e)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	char hex[65];

	add_tool_version(&b, "cc --version 2>/dev/null");
	add_tool_version(&b, "ld --version 2>/dev/null");
	add_tool_version(&b, "ldd --version 2>&1");
	add_tool_version(&b, "make --version 2>/dev/null");
	gpkg_hash_mem("SHA256", b.p, b.n, hex, sizeof(hex));
	e->stage_id = xasprintf("host-%s", hex);
	e->stage_desc = gild_buf_steal(&b);
	for (char *s = e->stage_desc; *s; s++)
		if (*s == '\n' && s[1])
			*s = ';';
	return 0;
}

/* ---- STAGE= in gild.conf: a stage directory or tarball ------------------- */

/* What a stage directory is made of that decides a build's output: the
 * versions its compiler, linker and C library report, asked inside the
 * stage (its own tools, not the host's). */
static const char stage_probe_sh[] =
    "v() { out=$(\"$@\" 2>&1 | grep -m1 '[0-9]\\.[0-9]'); echo "
    "\"${out:-(none)}\"; }\n"
    "if command -v cc >/dev/null; then v cc --version; else echo '(no cc)'; "
    "fi\n"
    "if command -v ld >/dev/null; then v ld --version; else echo '(no ld)'; "
    "fi\n"
    "libc='(no libc)'\n"
    "for l in /lib*/ld-linux*.so.* /lib/ld-musl-*.so.1; do\n"
    "  [ -e \"$l\" ] && { libc=$(v \"$l\" --version); break; }\n"
    "done\n"
    "echo \"$libc\"\n";

static int probe_stage_dir(const char *dir, struct gild_buf *out,
			   struct gild_err *err)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	_cleanup_fclose_ FILE *f = tmpfile();
	const char *argv[] = {"sh", "-c", stage_probe_sh, NULL};
	struct sandbox_status st;
	char line[256];
	int r;

	if (!f)
		return gild_fail_errno(err, NULL,
				       "cannot create a temporary file");
	sandbox_spec_set_root(s, dir);
	if (geteuid() == 0)
		sandbox_spec_set_host_range(s, 100000, 100000, 65536);
	sandbox_spec_set_stdio(s, fileno(f), fileno(f));
	sandbox_spec_set_timeout(s, 60);
	sandbox_spec_set_argv(s, argv);
	if ((r = sandbox_run(s, &st, err)) < 0)
		return r;
	rewind(f);
	while (fgets(line, sizeof(line), f))
		gild_buf_adds(out, line);
	if (st.status != 0)
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "STAGE '%s': cannot run its sh to read its toolchain "
		    "versions (status %d): %s",
		    dir, st.status, out->n ? gild_buf_str(out) : "no output");
	return 0;
}

static void set_identity(struct build_env *e, const char *kind,
			 struct gild_buf *desc)
{
	char hex[65];

	gpkg_hash_mem("SHA256", desc->p, desc->n, hex, sizeof(hex));
	e->stage_id = xasprintf("%s-%s", kind, hex);
	e->stage_desc = gild_buf_steal(desc);
	for (char *c = e->stage_desc; *c; c++)
		if (*c == '\n')
			*c = c[1] ? ';' : '\0';
}

/* The first directory of a stage the build user cannot enter (nftw has
 * no context argument). */
static _Thread_local char stage_closed_dir[PATH_MAX];
static _Thread_local mode_t stage_closed_mode;

static int note_closed_dir(const char *path, const struct stat *st, int flag,
			   struct FTW *ftw)
{
	const unsigned id = BUILD_HOST_ID_BASE + BUILD_UID;
	mode_t x = st->st_uid == id   ? S_IXUSR
		   : st->st_gid == id ? S_IXGRP
				      : S_IXOTH;

	(void)ftw;
	if (flag != FTW_D || (st->st_mode & x))
		return 0;
	snprintf(stage_closed_dir, sizeof(stage_closed_dir), "%s", path);
	stage_closed_mode = st->st_mode & 07777;
	return 1;
}

/* As root the build runs as an unprivileged host uid, which gild cannot
 * give the directories of a stage it does not own (a stage made under
 * umask 077): say which one, and what to change, instead of a bare
 * "Permission denied" from inside the sandbox. */
static int check_stage_searchable(const char *dir, struct gild_err *err)
{
	if (geteuid() != 0 ||
	    nftw(dir, note_closed_dir, 16, FTW_PHYS | FTW_MOUNT) != 1)
		return 0;
	return gild_fail(err, -GILD_E_INVALID, NULL,
			 "STAGE '%s': the build user (host uid %u) cannot "
			 "enter '%s' (mode %04o): make the stage's "
			 "directories searchable by all (chmod -R o+rX '%s')",
			 dir, BUILD_HOST_ID_BASE + BUILD_UID, stage_closed_dir,
			 (unsigned)stage_closed_mode, dir);
}

static int dir_stage_identity(struct build_env *e, const char *dir,
			      struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	int r;

	if ((r = check_stage_searchable(dir, err)) < 0 ||
	    (r = probe_stage_dir(dir, &b, err)) < 0)
		return r;
	e->stage_root = xstrdup(dir);
	set_identity(e, "stagedir", &b);
	return 0;
}

/* Unpack a tarball into <tmpdir>/stage/<hash> once: into a private
 * temporary, then renamed, so that two builds unpacking the same stage at
 * once both end up with one complete copy. */
static int unpack_stage(struct build_env *e, const char *tarball,
			const char *hex, struct gild_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	int r;

	e->stage_root = xasprintf("%s/stage/%.32s", e->tmpdir, hex);
	if (access(e->stage_root, F_OK) == 0)
		return 0;
	tmp = xasprintf("%s.tmp.%ld", e->stage_root, (long)getpid());
	(void)gild_rm_rf(tmp, NULL);
	if ((r = gild_mkdir_p(tmp, 0755, err)) < 0)
		return r;
	gild_ctx_info(e->ctx, "unpacking the stage %s", tarball);
	if ((r = unpack_file_flags(tarball, tmp, UNPACK_ROOTFS, err)) < 0) {
		(void)gild_rm_rf(tmp, NULL);
		return r;
	}
	/* another build may have unpacked it first */
	return (r = gild_publish_dir(tmp, e->stage_root, err)) < 0 ? r : 0;
}

static int tarball_stage_identity(struct build_env *e, const char *tarball,
				  struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	const char *base =
	    strrchr(tarball, '/') ? strrchr(tarball, '/') + 1 : tarball;
	char hex[65];
	int r;

	if (!gild_endswith(base, ".tar") && !gild_endswith(base, ".tar.xz") &&
	    !gild_endswith(base, ".tar.zst") && !gild_endswith(base, ".tar.gz"))
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "STAGE '%s' is neither a directory nor a .tar, "
		    ".tar.gz, .tar.xz or .tar.zst stage tarball",
		    tarball);
	if ((r = gpkg_hash_file("SHA256", tarball, hex, sizeof(hex), NULL,
				err)) < 0 ||
	    (r = unpack_stage(e, tarball, hex, err)) < 0)
		return r;
	e->stage_id = xasprintf("stage-%s", hex);
	/* only the file name: the same stage elsewhere gives the same bytes */
	gild_buf_printf(&b, "%s (sha256 %s)", base, hex);
	e->stage_desc = gild_buf_steal(&b);
	return 0;
}

/* STAGE= (gild.conf or the environment): builds run in that stage; its
 * identity goes into every package and build-id. */
static int named_stage_identity(struct build_env *e, const char *stage,
				struct gild_err *err)
{
	struct stat st;

	if (stage[0] != '/')
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "STAGE '%s' is not an absolute path", stage);
	if (stat(stage, &st) < 0)
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "STAGE '%s' names no stage directory or tarball: %s", stage,
		    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return dir_stage_identity(e, stage, err);
	return tarball_stage_identity(e, stage, err);
}

static char *abs_dir(const char *tree, const char *dir)
{
	if (dir[0] == '/')
		return xstrdup(dir);
	return gild_path_join(tree, dir);
}

/* Packages built at once by default: one per CPU the process may use. */
static uint64_t cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (uint64_t)n : 1;
}

/* A build must not take the host down with it: every phase runs under a
 * process, memory and file-size limit (cgroup memory and pids
 * where the kernel offers them, rlimits otherwise). The defaults leave a
 * normal build alone: 3 hours a phase, 4096 processes, three quarters of
 * the machine's memory, 32 GiB per file. 0 turns a limit off. */
static int read_limits(struct build_env *e, struct gild_err *err)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t ram =
	    pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
	uint64_t fetch_timeout, fetch_connect;
	int r;

	if ((r = config_get_number(e->cfg, "GILD_PHASE_TIMEOUT", false,
				   3 * 3600, &e->phase_timeout, err)) < 0 ||
	    (r = config_get_number(e->cfg, "GILD_BUILD_MEM", true, ram / 4 * 3,
				   &e->mem, err)) < 0 ||
	    (r = config_get_number(e->cfg, "GILD_BUILD_NPROC", false, 4096,
				   &e->nproc, err)) < 0 ||
	    (r = config_get_number(e->cfg, "GILD_BUILD_FSIZE", true,
				   (uint64_t)32 << 30, &e->fsize, err)) < 0 ||
	    (r = config_get_number(e->cfg, "GILD_JOBS", false, cpus(), &e->jobs,
				   err)) < 0)
		return r;
	/* checked once here, not by every package's fetch */
	if ((r = fetch_timeouts_from_config(e->cfg, &fetch_timeout,
					    &fetch_connect, err)) < 0)
		return r;
	if (e->jobs > 1024)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'GILD_JOBS' is too large: %" PRIu64
				 " (packages built at once)",
				 e->jobs);
	if (e->phase_timeout > UINT_MAX)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'GILD_PHASE_TIMEOUT' is too large: %" PRIu64,
				 e->phase_timeout);
	if (e->nproc > UINT_MAX)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'GILD_BUILD_NPROC' is too large: %" PRIu64,
				 e->nproc);
	return 0;
}

/* The shared flock on <tmpdir>/.area.lock that tells `gild clean`
 * (build-clean.c) this gild is using the work area. Without it (a work
 * area we cannot write to) gild clean removes nothing unlocked. It waits
 * only while a gild clean holds the lock exclusively to remove. */
static void lock_area(struct build_env *e)
{
	_cleanup_free_ char *path = gild_path_join(e->tmpdir, ".area.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	while (flock(fd, LOCK_SH) < 0)
		if (errno != EINTR) {
			close(fd);
			return;
		}
	e->area_lock = fd;
}

int build_env_open(struct gild_ctx *ctx, struct build_env **out,
		   struct gild_err *err)
{
	_cleanup_(build_env_freep) struct build_env *e = xcalloc(1, sizeof(*e));
	_cleanup_free_ char *config_dir = gild_ctx_config_dir(ctx);
	_cleanup_free_ char *tree = realpath(ctx->tree, NULL);
	const char *stage, *tmp;
	int r;

	e->area_lock = -1;
	if (!tree)
		return gild_fail_errno(err, ctx->tree, "cannot open tree");
	e->ctx = ctx;
	if ((r = config_for_ctx(ctx, &e->cfg, err)) < 0)
		return r;
	if ((r = use_env_new(e->cfg, &e->use, err)) < 0 ||
	    (r = read_limits(e, err)) < 0)
		return r;
	if ((r = tree_for_ctx(ctx, &e->tree, NULL, err)) < 0)
		return r;
	e->pkgdir = config_pkgdir(e->cfg);
	e->distdir = config_distdir(e->cfg);
	tmp = config_get(e->cfg, "PORTAGE_TMPDIR");
	e->tmpdir = abs_dir(tree, tmp[0] ? tmp : "var/tmp/gild");
	e->libroot = gild_path_join(e->tmpdir, "lib");
	if ((r = gild_mkdir_p(e->tmpdir, 0755, err)) < 0 ||
	    (r = gild_mkdir_p(e->distdir, 0755, err)) < 0 ||
	    (r = gild_mkdir_p(e->pkgdir, 0755, err)) < 0)
		return r;
	lock_area(e);
	stage = config_get(e->cfg, "STAGE");
	r = stage[0] ? named_stage_identity(e, stage, err)
		     : host_stage_identity(e);
	if (r < 0)
		return r;
	if ((r = binrepo_open(e->pkgdir, &e->repo, err)) < 0)
		return r;
	*out = TAKE_PTR(e);
	return 0;
}

int build_env_reload_repo(struct build_env *e, struct gild_err *err)
{
	/* the packages already read are not read again */
	return binrepo_rescan(e->pkgdir, &e->repo, err);
}

void build_env_free(struct build_env *e)
{
	if (!e)
		return;
	binrepo_free(e->repo);
	/* e->tree is the run's (tree_for_ctx) */
	use_env_free(e->use);
	/* e->cfg is the run's (config_for_ctx) */
	free(e->pkgdir);
	free(e->distdir);
	free(e->tmpdir);
	free(e->libroot);
	if (e->area_lock >= 0)
		close(e->area_lock);
	gild_strv_release(&e->verified);
	free(e->stage_root);
	free(e->stage_id);
	free(e->stage_desc);
	free(e);
}

/* ---- finding the recipe for an atom ---------------------------------------
 */

/* Visible? Fills reasons when not (the caller reports them). */
static bool recipe_visible(struct build_env *e, const struct recipe *r,
			   struct gild_strv *reasons)
{
	_cleanup_free_ struct use_iuse *iuse =
	    xcalloc(r->n_iuse + 1, sizeof(*iuse));
	struct use_pkg p;
	struct use_state st = {0};
	bool vis;

	query_pkg_from_recipe(r, iuse, &p);
	use_eval(e->use, &p, &st);
	vis = use_visible(e->use, &p, &st, reasons);
	use_state_release(&st);
	return vis;
}

static int find_pkgs(struct build_env *e, const struct atom *a,
		     struct tree_pkg **pkgs, size_t max, size_t *n,
		     struct gild_err *err)
{
	_cleanup_free_ char *cpn = NULL;
	int r;

	(void)max;
	if (a->category)
		cpn = xasprintf("%s/%s", a->category, a->package);
	else if ((r = pkgname_in_tree(e->tree, a->package, &cpn, err)) < 0)
		return r;
	*strchr(cpn, '/') = '\0';
	pkgs[0] = tree_find(e->tree, cpn, a->package);
	*n = pkgs[0] ? 1 : 0;
	if (!*n && tree_pkg_error(e->tree, cpn, a->package)) {
		*err = *tree_pkg_error(e->tree, cpn, a->package);
		return err->code;
	}
	if (!*n) {
		_cleanup_(
		    gild_strv_releasep) struct gild_strv none = GILD_STRV_INIT,
							 all = GILD_STRV_INIT;
		size_t pick;
		_cleanup_free_ char *full = xasprintf("%s/%s", cpn, a->package);
		pkgname_tree_names(e->tree, &all);
		return pkgname_pick(full, &none, &all, &pick, err);
	}
	return 0;
}

int build_find_recipe(struct build_env *e, const char *atom_text,
		      const struct recipe **out, struct gild_err *err)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	_cleanup_strv_ struct gild_strv why = GILD_STRV_INIT;
	struct tree_pkg *pkgs[8];
	size_t n;
	int r;

	if ((r = atom_parse(atom_text, strlen(atom_text), 8, &a, err)) < 0)
		return r;
	if ((r = find_pkgs(e, a, pkgs, GILD_ARRAY_SIZE(pkgs), &n, err)) < 0)
		return r;
	for (size_t i = pkgs[0]->n_versions; i-- > 0;) {
		const struct recipe *rc = pkgs[0]->versions[i];
		size_t before = why.n;
		if (!atom_match_cpv(a, rc->category, rc->pn, rc->pvr) ||
		    !atom_match_slot(a, rc->slot, rc->subslot))
			continue;
		if (recipe_visible(e, rc, &why)) {
			*out = rc;
			return 0;
		}
		for (size_t k = before; k < why.n; k++) {
			char *s = xasprintf("%s/%s-%s: %s", rc->category,
					    rc->pn, rc->pvr, why.v[k]);
			free(why.v[k]);
			why.v[k] = s;
		}
	}
	if (why.n == 0)
		return pkgname_no_version_in_tree(pkgs[0], a->text, err);
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "every version matching '%s' is masked: %s", a->text,
			 why.v[0]);
}
