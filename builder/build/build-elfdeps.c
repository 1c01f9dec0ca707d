/* build-elfdeps.c: QA "elf-deps". Nothing a package needs at run time may
 * come from the build stage: every ELF file of ${D} must find its program
 * interpreter (PT_INTERP) and each DT_NEEDED library among the package's
 * own files or the files of what it needs at run time (its RDEPEND,
 * followed through, and the profile's libc, GILD_IMPLICIT_BDEPEND),
 * looked up in the packages' CONTENTS in the directories the loader
 * searches (RUNPATH, then the standard ones). A library that only a
 * build-time dependency ships names that package (RDEPEND lacks it); one
 * that only the stage has is said to be so. A profile whose libc is the
 * stage's (no GILD_IMPLICIT_BDEPEND: arm64's glibc profile, a test's
 * tree) takes glibc's own libraries and loader from the stage. Link-
 * time pieces (crt files, static libraries) leave no DT_NEEDED and are
 * not looked at. */
#include "build/build.h"

#include <ftw.h>
#include <sys/stat.h>

/* glibc's libraries and loaders, for the profiles whose libc the stage
 * provides. */
static const char *const stage_libc[] = {"libc.so.6",
					 "libm.so.6",
					 "libpthread.so.0",
					 "libdl.so.2",
					 "librt.so.1",
					 "libresolv.so.2",
					 "libutil.so.1",
					 "libanl.so.1",
					 "libmvec.so.1",
					 "libnsl.so.1",
					 "ld-linux-x86-64.so.2",
					 "ld-linux-aarch64.so.1",
					 "libBrokenLocale.so.1"};

static const char *const std_dirs[] = {"/lib", "/lib64", "/usr/lib",
				       "/usr/lib64"};

/* A package the libraries may come from: its cpv and file list. */
struct provider {
	char *relpath, *cpv;
	struct gpkg_contents c;
	bool runtime; /* in the runtime closure (else build-time only) */
};

struct elfdeps {
	struct build_job *j;
	const char *image; /* the host path of ${D} */
	struct provider *p;
	size_t np;
	bool stage_libc; /* the profile's libc is the stage's */
	struct gild_strv *out;
};

static void providers_release(struct elfdeps *d)
{
	for (size_t i = 0; i < d->np; i++) {
		free(d->p[i].relpath);
		free(d->p[i].cpv);
		gpkg_contents_release(&d->p[i].c);
	}
	free(d->p);
}

static int add_provider(struct elfdeps *d, const char *relpath, bool runtime,
			struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	_cleanup_free_ char *path = gild_path_join(d->j->env->pkgdir, relpath);
	struct provider *pv;
	const char *contents, *cat, *pf;
	int r;

	for (size_t i = 0; i < d->np; i++)
		if (!strcmp(d->p[i].relpath, relpath))
			return 0;
	if ((r = gpkg_read_meta(path, &m, err)) < 0)
		return r;
	contents = gpkg_meta_get(&m, "CONTENTS");
	cat = gpkg_meta_get(&m, "CATEGORY");
	pf = gpkg_meta_get(&m, "PF");
	d->p = xrealloc(d->p, (d->np + 1) * sizeof(*d->p));
	pv = &d->p[d->np];
	*pv = (struct provider){.runtime = runtime,
				.c = (struct gpkg_contents)GPKG_CONTENTS_INIT};
	if (contents &&
	    (r = gpkg_contents_parse_pkg(path, contents, &pv->c, err)) < 0)
		return r;
	pv->cpv = xasprintf("%s/%s", cat ? cat : "?", pf ? pf : relpath);
	pv->relpath = xstrdup(relpath);
	d->np++;
	return 0;
}

static bool has_file(const struct provider *pv, const char *path)
{
	for (size_t i = 0; i < pv->c.n; i++)
		if (pv->c.e[i].type != GPKG_DIR &&
		    !strcmp(pv->c.e[i].path, path))
			return true;
	return false;
}

/* The directories the loader searches for elf's libraries: its RUNPATH
 * ($ORIGIN as the file's own directory), then the standard ones. */
static void search_dirs(const struct gild_elf *elf, const char *rel,
			struct gild_strv *dirs)
{
	_cleanup_free_ char *origin = xstrdup(rel);
	char *slash = strrchr(origin, '/');

	if (slash)
		*slash = '\0';
	for (const char *s = elf->runpath; s && *s;) {
		size_t n = strcspn(s, ":");
		_cleanup_free_ char *d = xstrndup(s, n);
		if (gild_startswith(d, "$ORIGIN"))
			gild_strv_push(dirs, xasprintf("%s%s", origin, d + 7));
		else if (d[0] == '/')
			gild_strv_add(dirs, d);
		s += n + (s[n] == ':');
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(std_dirs); i++)
		gild_strv_add(dirs, std_dirs[i]);
}

/* Where a file (an absolute path) is: 1 in the package itself, 2 in a
 * runtime provider, 3 only in a build-time one (*who names it), 0
 * nowhere. */
static int locate(struct elfdeps *d, const char *path, const char **who)
{
	_cleanup_free_ char *own = gild_path_join(d->image, path);
	int found = 0;

	if (access(own, F_OK) == 0)
		return 1;
	for (size_t i = 0; i < d->np; i++)
		if (has_file(&d->p[i], path)) {
			if (d->p[i].runtime)
				return 2;
			*who = d->p[i].cpv;
			found = 3;
		}
	return found;
}

static bool is_stage_libc(const struct elfdeps *d, const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	for (size_t i = 0; d->stage_libc && i < GILD_ARRAY_SIZE(stage_libc);
	     i++)
		if (!strcmp(base, stage_libc[i]))
			return true;
	return false;
}

static void report(struct elfdeps *d, const char *rel, const char *what,
		   const char *name, int where, const char *who)
{
	char *line;

	if (where == 3)
		line = xasprintf("%s\tneeds %s '%s', which only its build-time "
				 "dependency %s ships: add it to RDEPEND",
				 rel, what, name, who);
	else
		line = xasprintf("%s\tneeds %s '%s', which no package of its "
				 "RDEPEND (nor the profile's libc) ships: only "
				 "the build stage has it; the package that "
				 "provides it belongs in RDEPEND",
				 rel, what, name);
	gild_strv_push(d->out, line);
}

static void check_library(struct elfdeps *d, const char *rel,
			  const struct gild_strv *dirs, const char *name)
{
	const char *who = NULL;
	int best = 0;

	if (strchr(name, '/') || is_stage_libc(d, name))
		return;
	for (size_t i = 0; i < dirs->n && best != 1 && best != 2; i++) {
		_cleanup_free_ char *p = gild_path_join(dirs->v[i], name);
		const char *w = NULL;
		int where = locate(d, p, &w);
		if (where && (!best || where < best)) {
			best = where;
			if (where == 3)
				who = w;
		}
	}
	if (best == 1 || best == 2)
		return;
	report(d, rel, "library", name, best, who);
}

static void check_file(struct elfdeps *d, const char *host, const char *rel)
{
	_cleanup_(gild_strv_releasep) struct gild_strv dirs = GILD_STRV_INIT;
	struct gild_elf elf;
	const char *who = NULL;
	int where;

	if (gild_elf_read(host, &elf, NULL) < 0 || !elf.is_elf) {
		gild_elf_release(&elf);
		return;
	}
	if (elf.interp && !is_stage_libc(d, elf.interp) &&
	    (where = locate(d, elf.interp, &who)) != 1 && where != 2)
		report(d, rel, "the program interpreter", elf.interp, where,
		       who);
	search_dirs(&elf, rel, &dirs);
	for (size_t i = 0; i < elf.needed.n; i++)
		check_library(d, rel, &dirs, elf.needed.v[i]);
	gild_elf_release(&elf);
}

static struct elfdeps *cur; /* nftw has no user data pointer */

static int visit(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode) && st->st_size >= 64)
		check_file(cur, path, path + strlen(cur->image));
	return 0;
}

int build_job_elf_deps(struct build_job *j, struct gild_strv *out,
		       struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv rt = GILD_STRV_INIT;
	_cleanup_free_ char *image = gild_path_join(j->workroot, "image");
	struct elfdeps d = {.j = j, .image = image, .out = out};
	int r;

	d.stage_libc = !config_get(j->env->cfg, "GILD_IMPLICIT_BDEPEND")[0];
	if ((r = build_job_runtime_pkgs(j, &rt, err)) < 0)
		goto out;
	for (size_t i = 0; i < rt.n && r == 0; i++)
		r = add_provider(&d, rt.v[i], true, err);
	for (size_t i = 0; i < j->deps.n && r == 0; i++)
		if (!gild_strv_contains(&rt, j->deps.v[i]))
			r = add_provider(&d, j->deps.v[i], false, err);
	if (r < 0)
		goto out;
	cur = &d;
	(void)nftw(image, visit, 16, FTW_PHYS);
	cur = NULL;
out:
	providers_release(&d);
	return r;
}
