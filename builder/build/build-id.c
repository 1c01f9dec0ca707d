/* build-id.c: the build-id, a SHA-256 over every input that decides a
 * package's output, so a binary package is content-addressed by its
 * inputs: the recipe and its classes (their text), the distfiles' Manifest
 * digests, the effective USE and IUSE, the profile variables that reach the
 * build, the stage identity and the build-ids of the build-time
 * dependencies. Each input is written as "key\0value\0" so no two
 * different input sets hash alike. */
#include "build/build.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "pms/pms.h"
#include "repo/repo.h"

static void put(struct gild_buf *b, const char *key, const char *value)
{
	gild_buf_adds(b, key);
	gild_buf_addc(b, '\0');
	gild_buf_adds(b, value ? value : "");
	gild_buf_addc(b, '\0');
}

static int put_file(struct gild_buf *b, const char *key, const char *path,
		    struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if ((r = gild_read_file(path, &text, NULL, err)) < 0)
		return r;
	put(b, key, text);
	return 0;
}

static void put_list(struct gild_buf *b, const char *key,
		     const struct gild_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		put(b, key, sv->v[i]);
}

/* The distfiles' digests as the Manifest records them: a changed tarball
 * needs a changed Manifest, and that changes the build-id. */
static int put_distfiles(struct build_job *j, struct gild_buf *b,
			 struct gild_err *err)
{
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_free_ char *mpath =
	    xasprintf("%s/recipes/%s/%s/Manifest", tree_root(j->env->tree),
		      j->r->category, j->r->pn);
	int r;

	if (j->distfiles.n == 0)
		return 0;
	if ((r = manifest_load(mpath, true, &m, err)) < 0)
		return r;
	for (size_t i = 0; i < j->distfiles.n; i++) {
		const struct manifest_entry *e =
		    manifest_find(m, "DIST", j->distfiles.v[i]);
		put(b, "distfile", j->distfiles.v[i]);
		for (size_t k = 0; e && k < e->nhashes; k++)
			put(b, e->hashes[k].name, e->hashes[k].hex);
	}
	return 0;
}

/* FILESDIR (recipes/<cat>/<pn>/files): patches and files the recipe
 * installs; every file's relative path and content, in sorted order. */
static int put_dir(struct gild_buf *b, const char *dir, const char *rel,
		   struct gild_err *err)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), r = 0;

	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		_cleanup_free_ char *p = gild_path_join(dir, nm);
		_cleanup_free_ char *rp = xasprintf("%s/%s", rel, nm);
		struct stat st;
		if (r == 0 && strcmp(nm, ".") && strcmp(nm, "..") &&
		    lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = put_dir(b, p, rp, err);
			else if (S_ISREG(st.st_mode) &&
				 (r = put_file(b, rp, p, err)) == 0)
				put(b, "mode", (st.st_mode & 0111) ? "x" : "-");
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* What of the configuration reaches a build (the phase environment) and
 * shapes its output. MAKEOPTS reaches it too, but a package must not
 * depend on how many jobs built it (--verify-reproducible varies it), so
 * it is no input. */
static const char *const build_vars[] = {
    "CFLAGS", "CXXFLAGS", "LDFLAGS",	  "CPPFLAGS", "CHOST",
    "CBUILD", "FEATURES", "INSTALL_MASK", "ARCH",
};

/* reproducible-builds.org: SOURCE_DATE_EPOCH is a non-negative decimal
 * integer; anything else would silently become 0 in the archive yet
 * change the build-id. */
static bool sde_valid(const char *s)
{
	char *end;

	if (*s == '-')
		return false;
	(void)strtoll(s, &end, 10);
	return *end == '\0';
}

int build_job_compute_id(struct build_job *j, struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	const char *root = tree_root(j->env->tree);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char hex[65];
	int r;

	if (sde && *sde && !sde_valid(sde))
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "SOURCE_DATE_EPOCH '%s' is not a number of seconds", sde);
	/* 3: MAKEOPTS is no input (2: build-time dependencies laid over
	 * the stage, not only at /build/deps) */
	put(&b, "gild-build-id", "3");
	put(&b, "cpv", j->r->pf);
	put(&b, "category", j->r->category);
	{
		_cleanup_free_ char *p = gild_path_join(root, j->r->path);
		if ((r = put_file(&b, "recipe", p, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < j->r->n_inherited; i++) {
		_cleanup_free_ char *p = xasprintf(
		    "%s/recipes/classes/%s.class", root, j->r->inherited[i]);
		if ((r = put_file(&b, "class", p, err)) < 0)
			return r;
	}
	if ((r = put_distfiles(j, &b, err)) < 0)
		return r;
	{
		_cleanup_free_ char *files = xasprintf(
		    "%s/recipes/%s/%s/files", root, j->r->category, j->r->pn);
		if ((r = put_dir(&b, files, "files", err)) < 0)
			return r;
	}
	put(&b, "helpers", gild_ebuild_sh);
	put(&b, "phase.sh", build_phase_sh);
	put_list(&b, "use", &j->use_flags);
	put_list(&b, "iuse", &j->iuse_flags);
	for (size_t i = 0; i < GILD_ARRAY_SIZE(build_vars); i++)
		put(&b, build_vars[i], config_get(j->env->cfg, build_vars[i]));
	put(&b, "stage", j->env->stage_id);
	put_list(&b, "dep", &j->dep_ids);
	if (sde && *sde)
		put(&b, "SOURCE_DATE_EPOCH", sde);
	gpkg_hash_mem("SHA256", b.p, b.n, hex, sizeof(hex));
	j->build_id = xstrdup(hex);
	return 0;
}
