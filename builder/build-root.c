/* build-root.c: the root a build runs in (issue 5: "the toolchain stage
 * ... plus the package's build-time dependencies installed from their
 * binary packages (read-only, e.g. an overlay over the stage)").
 *
 * The dependencies' images are unpacked into <work>/deps, folded onto the
 * stage's layout (a merged-/usr stage has /lib -> usr/lib: a dependency's
 * /lib/libz.so.1 goes to usr/lib, or its directory would hide the stage's
 * link), and each top-level directory is laid read-only over the stage's
 * (sandbox_spec_add_layer, overlayfs). So a dependency's /usr/lib/libz.so
 * and /usr/include/zlib.h are where compilers, pkg-config and the dynamic
 * loader look by default, as in a Gentoo build root, while the stage and
 * the images stay unchanged. The images are also bound at /build/deps
 * (musl-gcc, which searches only its own libc's directories, is pointed
 * there). */
#include "build.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>

#include "../repo/repo.h"
#include "../sandbox/sandbox.h"

/* Only where programs, libraries, headers and their data live are laid
 * over the stage. The rest belongs to the sandbox or the build: /etc
 * (synthetic passwd and hosts files, the host's loader cache bound there;
 * a dependency's configuration is not needed to build against it), /tmp
 * (writable), /dev and /proc, and the mount points baselayout ships
 * (/run, /sys, /home, ...). */
static bool layer_skipped(const char *name)
{
	static const char *const laid[] = {"usr", "bin", "sbin", "lib", "lib32",
					   "lib64", "libx32", "opt", "var"};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(laid); i++)
		if (!strcmp(name, laid[i]))
			return false;
	return true;
}

static int fold_tree(const char *from, const char *to, struct gild_err *err);

/* Move one entry of a folded directory: a directory present on both sides
 * is merged, anything else replaces what the target had (two images that
 * ship the same path: the later dependency wins, as with a merge). */
static int fold_entry(const char *from, const char *to, struct gild_err *err)
{
	struct stat a, b;
	int r;

	if (lstat(to, &b) == 0) {
		if (lstat(from, &a) == 0 && S_ISDIR(a.st_mode) && S_ISDIR(b.st_mode))
			return fold_tree(from, to, err);
		if ((r = build_rm_rf(to, err)) < 0)
			return r;
	}
	if (rename(from, to) < 0)
		return gild_fail_errno(err, to, "cannot move a build dependency's file to");
	return 0;
}

static int fold_tree(const char *from, const char *to, struct gild_err *err)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if ((r = gild_mkdir_p(to, 0755, err)) < 0)
		return r;
	if (!(d = opendir(from)))
		return gild_fail_errno(err, from, "cannot open");
	while (r == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *f = gild_path_join(from, de->d_name);
		_cleanup_free_ char *t = gild_path_join(to, de->d_name);
		r = fold_entry(f, t, err);
	}
	closedir(d);
	if (r == 0 && rmdir(from) < 0)
		return gild_fail_errno(err, from, "cannot remove");
	return r;
}

/* Where the stage's top-level NAME really is, relative to its root: NAME
 * itself, or a link's target ("usr/lib" for Debian's /lib). NULL when the
 * link leaves the root or goes through "..". */
static char *stage_location(const char *stage, const char *name)
{
	_cleanup_free_ char *p = gild_path_join(stage, name);
	char link[256];
	struct stat st;
	ssize_t n;
	const char *t = link;

	if (lstat(p, &st) < 0 || !S_ISLNK(st.st_mode))
		return xstrdup(name);
	if ((n = readlink(p, link, sizeof(link) - 1)) <= 0)
		return NULL;
	link[n] = '\0';
	while (*t == '/')
		t++;
	if (!*t || strstr(t, ".."))
		return NULL;
	return xstrdup(t);
}

/* Fold <deps>/NAME onto the stage's layout for every top-level NAME that
 * is a link in the stage. */
static int fold_onto_stage(const char *deps, const char *stage,
			   struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	DIR *d = opendir(deps);
	struct dirent *de;
	int r;

	if (!d)
		return gild_fail_errno(err, deps, "cannot open");
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			gild_strv_add(&names, de->d_name);
	closedir(d);
	gild_strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *at = stage_location(stage, names.v[i]);
		if (!at || !strcmp(at, names.v[i]))
			continue;
		_cleanup_free_ char *from = gild_path_join(deps, names.v[i]);
		_cleanup_free_ char *to = gild_path_join(deps, at);
		if ((r = fold_tree(from, to, err)) < 0)
			return r;
	}
	return 0;
}

/* The images may hold setuid programs (fowners/fperms): in the work
 * directory on the host they would be setuid root for anyone who reaches
 * them, and in the sandbox the layers are nosuid anyway. */
static int drop_setuid(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode) &&
	    (st->st_mode & (S_ISUID | S_ISGID)))
		(void)chmod(path, st->st_mode & 0777);
	return 0;
}

int build_job_install_deps(struct build_job *j, struct gild_err *err)
{
	_cleanup_free_ char *deps = gild_path_join(j->workroot, "deps");
	const char *stage = j->env->stage_root ? j->env->stage_root : "/";
	int r;

	for (size_t i = 0; i < j->deps.n; i++) {
		_cleanup_free_ char *p = gild_path_join(j->env->pkgdir, j->deps.v[i]);
		fprintf(j->log, ">>> Installing build dependency %s\n", j->deps.v[i]);
		if ((r = gpkg_extract(p, deps, err)) < 0)
			return r;
	}
	if (j->deps.n)
		(void)nftw(deps, drop_setuid, 16, FTW_PHYS);
	return fold_onto_stage(deps, stage, err);
}

int build_job_add_layers(struct build_job *j, struct sandbox_spec *s,
			 struct gild_err *err)
{
	_cleanup_free_ char *deps = gild_path_join(j->workroot, "deps");
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	DIR *d = opendir(deps);
	struct dirent *de;
	int r;

	if (!d)
		return gild_fail_errno(err, deps, "cannot open");
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    !layer_skipped(de->d_name))
			gild_strv_add(&names, de->d_name);
	closedir(d);
	gild_strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *src = gild_path_join(deps, names.v[i]);
		_cleanup_free_ char *dest = xasprintf("/%s", names.v[i]);
		struct stat st;
		if (lstat(src, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if ((r = sandbox_spec_add_layer(s, src, dest, err)) < 0)
			return r;
	}
	return 0;
}
