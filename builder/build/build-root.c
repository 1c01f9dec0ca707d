/* build-root.c: the root a build runs in ("the toolchain stage
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
#include "build/build.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include "repo/repo.h"
#include "sandbox/sandbox.h"

/* Only where programs, libraries, headers and their data live are laid
 * over the stage. The rest belongs to the sandbox or the build: /etc
 * (synthetic passwd and hosts files, the host's loader cache bound there;
 * a dependency's configuration is not needed to build against it), /tmp
 * (writable), /dev and /proc, and the mount points baselayout ships
 * (/run, /sys, /home, ...). */
static bool layer_skipped(const char *name)
{
	static const char *const laid[] = {"usr",    "bin",   "sbin",
					   "lib",    "lib32", "lib64",
					   "libx32", "opt",   "var"};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(laid); i++)
		if (!strcmp(name, laid[i]))
			return false;
	return true;
}

/* Folding runs on the host, as root, over images a recipe made: nothing
 * in them may steer it. So it works on directory fds and never follows a
 * link: a dependency's own link in the way (lib -> /usr/lib, or usr ->
 * somewhere) is refused or dropped, never walked through. */

/* Open (creating as needed) the directory at relpath under dirfd, one
 * component at a time without following links. -1 with err set. */
static int open_dir_nofollow(int dirfd, const char *relpath, const char *shown,
			     struct gild_err *err)
{
	_cleanup_free_ char *copy = xstrdup(relpath);
	char *save = NULL;
	int fd = dup(dirfd);

	if (fd < 0)
		return gild_fail_errno(err, shown, "cannot open"), -1;
	for (char *c = strtok_r(copy, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		int next;
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			gild_fail_errno(err, shown,
					"cannot create a directory in");
			close(fd);
			return -1;
		}
		next = openat(fd, c,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0) {
			gild_fail(
			    err, -GILD_E_INVALID, NULL,
			    "a build dependency's '%s' in '%s' is a link or "
			    "not a directory: refused",
			    c, shown);
			return -1;
		}
		fd = next;
	}
	return fd;
}

static int fold_dir(int fromfd, int tofd, const char *shown,
		    struct gild_err *err);

/* Move entry name of fromfd into tofd: a directory present on both sides
 * is merged, anything else replaces what the target had (two images that
 * ship the same path: the later dependency wins, as with a merge). */
static int fold_entry(int fromfd, int tofd, const char *name, const char *shown,
		      struct gild_err *err)
{
	struct stat a, b;
	int r;

	if (fstatat(fromfd, name, &a, AT_SYMLINK_NOFOLLOW) < 0)
		return gild_fail_errno(err, shown, "cannot stat an entry of");
	if (fstatat(tofd, name, &b, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(a.st_mode) && S_ISDIR(b.st_mode)) {
			int f = openat(fromfd, name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
			int t = openat(tofd, name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
			r = f < 0 || t < 0
				? gild_fail_errno(err, shown, "cannot open")
				: fold_dir(f, t, shown, err);
			if (f >= 0)
				close(f);
			if (t >= 0)
				close(t);
			if (r == 0 && unlinkat(fromfd, name, AT_REMOVEDIR) < 0)
				return gild_fail_errno(
				    err, shown, "cannot remove a directory in");
			return r;
		}
		if (S_ISDIR(b.st_mode)) {
			/* the magic link names the open directory itself */
			_cleanup_free_ char *p =
			    xasprintf("/proc/self/fd/%d/%s", tofd, name);
			if ((r = gild_rm_rf(p, err)) < 0)
				return r;
		} else if (unlinkat(tofd, name, 0) < 0) {
			return gild_fail_errno(err, shown,
					       "cannot replace a file in");
		}
	}
	if (renameat(fromfd, name, tofd, name) < 0)
		return gild_fail_errno(
		    err, shown, "cannot move a build dependency's file to");
	return 0;
}

static int fold_dir(int fromfd, int tofd, const char *shown,
		    struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	int fd = dup(fromfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return gild_fail_errno(err, shown, "cannot read");
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			gild_strv_add(&names, de->d_name);
	closedir(d);
	for (size_t i = 0; r == 0 && i < names.n; i++)
		r = fold_entry(fromfd, tofd, names.v[i], shown, err);
	return r;
}

/* <deps>/name -> to, as the stage has it: a folded library's links that
 * climb to /lib (util-linux's /usr/lib/libuuid.so ->
 * ../../lib/libuuid.so.1.3.0) then resolve at /build/deps too, where
 * musl-gcc's -L points (the layers skip links: the stage's own stays). */
static int link_as_stage(int depsfd, const char *name, const char *to,
			 const char *deps, struct gild_err *err)
{
	if (symlinkat(to, depsfd, name) < 0)
		return gild_fail_errno(err, deps, "cannot create a link in");
	return 0;
}

/* Fold <deps>/name into <deps>/to (a path relative to deps). */
static int fold_tree(int depsfd, const char *name, const char *to,
		     const char *deps, struct gild_err *err)
{
	_cleanup_free_ char *shown = gild_path_join(deps, to);
	struct stat st;
	int from, into, r;

	if (fstatat(depsfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return gild_fail_errno(err, deps, "cannot stat an entry of");
	/* the dependency's own link (a merged-/usr baselayout's lib ->
	 * usr/lib) restates the stage's layout: the stage's link stays */
	if (S_ISLNK(st.st_mode)) {
		if (unlinkat(depsfd, name, 0) < 0)
			return gild_fail_errno(err, deps,
					       "cannot remove a link in");
		return link_as_stage(depsfd, name, to, deps, err);
	}
	if (!S_ISDIR(st.st_mode))
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "a build dependency ships '/%s' as a file where "
		    "the stage has a link to '%s': refused",
		    name, to);
	if ((into = open_dir_nofollow(depsfd, to, shown, err)) < 0)
		return err->code;
	from = openat(depsfd, name,
		      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = from < 0 ? gild_fail_errno(err, deps, "cannot open an entry of")
		     : fold_dir(from, into, shown, err);
	if (from >= 0)
		close(from);
	close(into);
	if (r == 0 && unlinkat(depsfd, name, AT_REMOVEDIR) < 0)
		return gild_fail_errno(err, deps,
				       "cannot remove a directory in");
	return r < 0 ? r : link_as_stage(depsfd, name, to, deps, err);
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
	_cleanup_close_ int depsfd =
	    open(deps, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = depsfd >= 0 ? dup(depsfd) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return gild_fail_errno(err, deps, "cannot open");
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			gild_strv_add(&names, de->d_name);
	closedir(d);
	gild_strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *at = stage_location(stage, names.v[i]);
		if (!at || !strcmp(at, names.v[i]))
			continue;
		if ((r = fold_tree(depsfd, names.v[i], at, deps, err)) < 0)
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
		_cleanup_free_ char *p =
		    gild_path_join(j->env->pkgdir, j->deps.v[i]);
		bool libc = gild_strv_contains(&j->libc, j->deps.v[i]);
		_cleanup_free_ char *to =
		    libc ? gild_path_join(j->workroot, "libc") : NULL;
		fprintf(j->log, ">>> Installing build dependency %s%s\n",
			j->deps.v[i],
			libc ? " (the libc, at /build/libc)" : "");
		if ((r = gpkg_extract(p, libc ? to : deps, err)) < 0)
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
