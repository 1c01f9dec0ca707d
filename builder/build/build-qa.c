/* build-qa.c: what happens to ${D} between src_install and packaging:
 * INSTALL_MASK and the QA checks (the build's sandbox has stripped it
 * already: ebuild.sh's _eb_strip_image). Each check has a name; QA_FATAL
 * (profile or gild.conf, default below) lists the ones that fail the
 * build, the others warn.
 *
 *   outside         a file outside the hierarchy QA_ALLOWED_DIRS allows
 *   world-writable  a world-writable file or directory (not sticky)
 *   setuid          a setuid/setgid file not listed in QA_SETUID_ALLOWED
 *   builddir        a file that names the build directory (RPATH, paths)
 *   broken-symlink  a symlink whose target is in neither image nor stage
 *   empty-dir       an empty directory (use keepdir)
 *   elf-deps        an ELF file whose interpreter or library neither the
 *                   package nor its runtime dependencies ship
 *                   (build-elfdeps.c)
 */
#include "build/build.h"

#include <dirent.h>
#include <fnmatch.h>
#include <ftw.h>
#include <sys/stat.h>

#define QA_FATAL_DEFAULT "outside world-writable setuid builddir elf-deps"
#define QA_ALLOWED_DEFAULT "bin sbin lib lib32 lib64 usr etc var opt srv"

struct qa {
	struct build_job *j;
	const char *image;
	size_t image_len;
	struct gild_strv errors; /* fatal findings */
	unsigned warnings;
};

static const char *cfg(struct qa *q, const char *name, const char *def)
{
	const char *v = config_get(q->j->env->cfg, name);
	return v[0] ? v : def;
}

static void finding(struct qa *q, const char *check, const char *path,
		    const char *what)
{
	bool fatal = gild_has_word(cfg(q, "QA_FATAL", QA_FATAL_DEFAULT), check);

	fprintf(q->j->log, " * QA %s: %s: '%s' %s\n",
		fatal ? "error" : "warning", check, path, what);
	if (fatal)
		gild_strv_push(&q->errors,
			       xasprintf("%s: '%s' %s", check, path, what));
	else {
		q->warnings++;
		gild_ctx_warn(q->j->env->ctx, "%s/%s: QA %s: '%s' %s",
			      q->j->r->category, q->j->r->pf, check, path,
			      what);
	}
}

/* Does a regular file contain the fixed build paths? (An RPATH or an
 * embedded path into /build/work is useless, and breaks reproducibility
 * when the path is the host's.) */
static bool names_builddir(const char *path, const char *host_root)
{
	_cleanup_free_ char *buf = NULL;
	size_t n;

	if (gild_read_file(path, &buf, &n, NULL) < 0)
		return false;
	return memmem(buf, n, "/build/work", 11) ||
	       memmem(buf, n, "/build/image", 12) ||
	       memmem(buf, n, host_root, strlen(host_root));
}

static bool symlink_resolves(struct qa *q, const char *path, const char *rel)
{
	char target[4096];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	_cleanup_free_ char *in_image = NULL, *dir = NULL;

	if (n < 0)
		return false;
	target[n] = '\0';
	if (target[0] == '/') {
		in_image = gild_path_join(q->image, target);
		/* the stage (host /usr, libc) may provide it */
		return access(in_image, F_OK) == 0 || access(target, F_OK) == 0;
	}
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	in_image = gild_path_join(dir, target);
	(void)rel;
	return access(in_image, F_OK) == 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

static struct qa *cur_qa; /* nftw has no user data pointer */

static void check_top(struct qa *q, const char *rel)
{
	const char *slash = strchr(rel + 1, '/');
	_cleanup_free_ char *top = xstrndup(
	    rel + 1, slash ? (size_t)(slash - rel - 1) : strlen(rel + 1));
	if (!gild_has_word(cfg(q, "QA_ALLOWED_DIRS", QA_ALLOWED_DEFAULT), top))
		finding(q, "outside", rel, "is outside the allowed hierarchy");
}

/* The mode the package will record: what fperms asked (the sandbox
 * cannot set setuid bits itself), else the file's. */
static unsigned effective_mode(struct qa *q, const struct stat *st,
			       const char *rel)
{
	int m = build_job_attr_mode(q->j, rel);
	return m >= 0 ? (unsigned)m : st->st_mode & 07777;
}

static int qa_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	struct qa *q = cur_qa;
	const char *rel = path + q->image_len;

	if (ftw->level == 0)
		return 0;
	if (ftw->level == 1)
		check_top(q, rel);
	if (flag == FTW_SL) {
		if (!symlink_resolves(q, path, rel))
			finding(q, "broken-symlink", rel, "points nowhere");
		return 0;
	}
	if ((st->st_mode & S_IWOTH) &&
	    !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
		finding(q, "world-writable", rel, "is world-writable");
	if (S_ISREG(st->st_mode) &&
	    (effective_mode(q, st, rel) & (S_ISUID | S_ISGID)) &&
	    !gild_has_word(cfg(q, "QA_SETUID_ALLOWED", ""), rel) &&
	    !gild_strv_contains(&q->j->setuid_allowed, rel))
		finding(q, "setuid", rel,
			"is setuid/setgid (allow it in QA_SETUID_ALLOWED)");
	/* splitdebug's files name the (fixed) build directory by design:
	 * DWARF's compilation directory, which debuggers need */
	if (S_ISREG(st->st_mode) && !gild_startswith(rel, "/usr/lib/debug/") &&
	    names_builddir(path, q->j->workroot))
		finding(q, "builddir", rel,
			"contains the build directory's path");
	if (S_ISDIR(st->st_mode) && dir_is_empty(path))
		finding(q, "empty-dir", rel,
			"is an empty directory (use keepdir)");
	return 0;
}

/* INSTALL_MASK: a pattern with a '/' is matched against the installed
 * path, one without against the file's name in any directory (as Portage's
 * make.conf(5): INSTALL_MASK="charset.alias"); fnmatch, and a pattern
 * naming a directory removes it whole. */
/* The strip ran before INSTALL_MASK: with splitdebug, what a mask removed
 * left its debug information at /usr/lib/debug/PATH.debug (under
 * /usr/lib/debug/PATH for a directory), which goes with it. */
static void remove_split_debug(struct qa *q, const char *rel, bool dir)
{
	_cleanup_free_ char *dbg =
	    xasprintf("%.*s/usr/lib/debug%s%s", (int)q->image_len, q->image,
		      rel, dir ? "" : ".debug");
	struct stat st;

	if (!gild_startswith(rel, "/usr/lib/debug/") && lstat(dbg, &st) == 0)
		(void)gild_rm_rf(dbg, NULL);
}

static int mask_entry(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	struct qa *q = cur_qa;
	const char *rel = path + q->image_len;
	const char *masks = cfg(q, "INSTALL_MASK", "");
	_cleanup_free_ char *copy = xstrdup(masks);
	char *save = NULL;

	(void)st;
	(void)flag;
	if (ftw->level == 0)
		return 0;
	for (char *m = strtok_r(copy, " \t\n", &save); m;
	     m = strtok_r(NULL, " \t\n", &save))
		if (fnmatch(m, strchr(m, '/') ? rel : strrchr(rel, '/') + 1,
			    0) == 0) {
			fprintf(q->j->log, ">>> INSTALL_MASK %s: removing %s\n",
				m, rel);
			(void)gild_rm_rf(path, NULL);
			remove_split_debug(q, rel, flag == FTW_DP);
			return 0;
		}
	return 0;
}

static int elf_findings(struct qa *q, struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv f = GILD_STRV_INIT;
	int rc;

	if ((rc = build_job_elf_deps(q->j, &f, err)) < 0)
		return rc;
	for (size_t i = 0; i < f.n; i++) {
		char *tab = strchr(f.v[i], '\t');
		if (!tab)
			continue;
		*tab = '\0';
		finding(q, "elf-deps", f.v[i], tab + 1);
	}
	return 0;
}

int build_job_qa(struct build_job *j, struct gild_err *err)
{
	_cleanup_free_ char *image = gild_path_join(j->workroot, "image");
	struct qa q = {.j = j, .image = image, .image_len = strlen(image)};
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	int rc;

	cur_qa = &q;
	if (cfg(&q, "INSTALL_MASK", "")[0])
		(void)nftw(image, mask_entry, 16, FTW_PHYS | FTW_DEPTH);
	if ((rc = build_job_load_attrs(j, err)) < 0)
		return rc;
	(void)nftw(image, qa_entry, 16, FTW_PHYS);
	cur_qa = NULL;
	if ((rc = elf_findings(&q, err)) < 0)
		return rc;
	if (q.errors.n == 0)
		return 0;
	for (size_t i = 0; i < q.errors.n; i++)
		gild_buf_printf(&b, "%s%s", i ? "; " : "", q.errors.v[i]);
	gild_strv_release(&q.errors);
	return gild_fail(err, -GILD_E_INVALID, NULL, "'%s/%s' fails QA: %s",
			 j->r->category, j->r->pf, b.p);
}
