/* build-repro.c: `gild build --verify-reproducible`: each package built a
 * second time from the same inputs, in another work area, at another
 * time, with another MAKEOPTS, umask, time zone and locale in the
 * caller's environment, into a scratch directory; the two GPKGs must be the
 * same bytes. When they are not, the difference is named as precisely as the
 * two packages allow: the metadata key, or the file of the image and the
 * first offset where the contents part, or else the member of the GPKG
 * and the byte offset (archive headers, ordering). */
#include "build/build.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- comparing two packages --------------------------------------------- */

/* The first offset where two files differ; -1 when they are the same. */
static int64_t first_difference(const char *a, const char *b)
{
	_cleanup_fclose_ FILE *fa = fopen(a, "re");
	_cleanup_fclose_ FILE *fb = fopen(b, "re");
	int64_t off = 0;
	int ca, cb;

	if (!fa || !fb)
		return 0;
	do {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb)
			return off;
		off++;
	} while (ca != EOF);
	return -1;
}

/* The outer tar member of a GPKG holding byte off (POSIX ustar: 512-byte
 * headers, contents padded to 512). */
static char *member_at(const char *path, int64_t off)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char h[512];
	int64_t pos = 0;

	while (f && fread(h, 1, sizeof(h), f) == sizeof(h) && h[0]) {
		uint64_t size = strtoull(h + 124, NULL, 8);
		int64_t end = pos + 512 + (int64_t)((size + 511) / 512 * 512);
		if (off < end)
			return xstrndup(h, strnlen(h, 100));
		if (fseeko(f, end, SEEK_SET) < 0)
			break;
		pos = end;
	}
	return xstrdup("(the end of the archive)");
}

static int compare_meta(const char *cpv, const char *a, const char *b,
			struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta ma = GPKG_META_INIT;
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta mb = GPKG_META_INIT;
	int r;

	if ((r = gpkg_read_meta(a, &ma, err)) < 0 ||
	    (r = gpkg_read_meta(b, &mb, err)) < 0)
		return r;
	for (size_t i = 0; i < ma.n; i++) {
		const char *vb = gpkg_meta_get(&mb, ma.kv[i].key);
		if (!vb || strcmp(vb, ma.kv[i].value))
			return gild_fail(err, -GILD_E_BUILD, NULL,
					 "'%s' is not reproducible: its "
					 "metadata '%s' differs",
					 cpv, ma.kv[i].key);
	}
	return ma.n == mb.n
		   ? 0
		   : gild_fail(err, -GILD_E_BUILD, NULL,
			       "'%s' is not reproducible: its metadata "
			       "has other keys",
			       cpv);
}

struct tree_walk {
	const char *cpv;
	const char *ra, *rb; /* the two extracted roots */
	struct gild_err *err;
};

static int differs(const struct tree_walk *w, const char *rel, const char *what)
{
	return gild_fail(w->err, -GILD_E_BUILD, NULL,
			 "'%s' is not reproducible: /%s %s", w->cpv, rel, what);
}

static int compare_entry(const struct tree_walk *w, const char *rel);

/* Both directories' entries, sorted, must be the same names. */
static int compare_dir(const struct tree_walk *w, const char *rel)
{
	_cleanup_free_ char *da = gild_path_join(w->ra, rel);
	_cleanup_free_ char *db = gild_path_join(w->rb, rel);
	struct dirent **na = NULL, **nb = NULL;
	int ka = scandir(da, &na, NULL, alphasort);
	int kb = scandir(db, &nb, NULL, alphasort);
	int r = 0;

	for (int i = 0; r == 0 && i < ka && i < kb; i++) {
		const char *n = na[i]->d_name;
		_cleanup_free_ char *sub = NULL;
		if (strcmp(n, nb[i]->d_name)) {
			_cleanup_free_ char *p = gild_path_join(rel, n);
			r = differs(w, p, "is in one build only");
			break;
		}
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		sub = *rel ? gild_path_join(rel, n) : xstrdup(n);
		r = compare_entry(w, sub);
	}
	if (r == 0 && ka != kb)
		r = differs(w, rel, "holds other files in each build");
	for (int i = 0; i < ka; i++)
		free(na[i]);
	for (int i = 0; i < kb; i++)
		free(nb[i]);
	free(na);
	free(nb);
	return r;
}

static int compare_entry(const struct tree_walk *w, const char *rel)
{
	_cleanup_free_ char *a = gild_path_join(w->ra, rel);
	_cleanup_free_ char *b = gild_path_join(w->rb, rel);
	char la[4096], lb[4096];
	struct stat sa, sb;
	ssize_t n;
	int64_t off;

	if (lstat(a, &sa) < 0 || lstat(b, &sb) < 0)
		return differs(w, rel, "is in one build only");
	if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT))
		return differs(w, rel, "is a different kind of file");
	if (sa.st_mode != sb.st_mode)
		return differs(w, rel, "has another mode");
	if (sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)
		return differs(w, rel, "has another owner");
	if (S_ISDIR(sa.st_mode))
		return compare_dir(w, rel);
	if (S_ISLNK(sa.st_mode)) {
		n = readlink(a, la, sizeof(la) - 1);
		la[n < 0 ? 0 : n] = 0;
		n = readlink(b, lb, sizeof(lb) - 1);
		lb[n < 0 ? 0 : n] = 0;
		return strcmp(la, lb) ? differs(w, rel, "points elsewhere") : 0;
	}
	if (S_ISREG(sa.st_mode) && (off = first_difference(a, b)) >= 0) {
		_cleanup_free_ char *what =
		    xasprintf("differs from byte %lld (sizes %lld and %lld)",
			      (long long)off, (long long)sa.st_size,
			      (long long)sb.st_size);
		return differs(w, rel, what);
	}
	return 0;
}

int build_compare_packages(const char *cpv, const char *a, const char *b,
			   const char *scratch, struct gild_err *err)
{
	_cleanup_free_ char *xa = gild_path_join(scratch, "a");
	_cleanup_free_ char *xb = gild_path_join(scratch, "b");
	struct tree_walk w = {cpv, xa, xb, err};
	int64_t off = first_difference(a, b);
	int r;

	if (off < 0)
		return 0;
	(void)gild_rm_rf(xa, NULL);
	(void)gild_rm_rf(xb, NULL);
	if ((r = gild_mkdir_p(scratch, 0755, err)) < 0)
		return r;
	/* the files first: a file that differs also differs in CONTENTS */
	if ((r = gpkg_extract(a, xa, err)) < 0 ||
	    (r = gpkg_extract(b, xb, err)) < 0 ||
	    (r = compare_dir(&w, "")) < 0 ||
	    (r = compare_meta(cpv, a, b, err)) < 0)
		return r;
	{
		_cleanup_free_ char *m = member_at(a, off);
		return gild_fail(err, -GILD_E_BUILD, NULL,
				 "'%s' is not reproducible: the packages "
				 "differ from byte %lld, in member '%s', "
				 "though their files and metadata are the same",
				 cpv, (long long)off, m);
	}
}

/* ---- the second build --------------------------------------------------- */

/* What the host may still leak into a build: its time zone, locale and
 * umask (the sandbox fixes user, host name, paths and the environment
 * of the phases, so those cannot vary). Put back afterwards. */
static const char *const varied[][2] = {
    {"TZ", "Pacific/Kiritimati"}, {"LC_ALL", "C.UTF-8"}, {"LANG", "C.UTF-8"}};

struct host_state {
	char *env[GILD_ARRAY_SIZE(varied)];
	mode_t umask;
	char *tmpdir;
};

static void vary_host(struct build_env *e, const char *area,
		      struct host_state *h)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(varied); i++) {
		const char *v = getenv(varied[i][0]);
		h->env[i] = v ? xstrdup(v) : NULL;
		setenv(varied[i][0], varied[i][1], 1);
	}
	h->umask = umask(077);
	h->tmpdir = e->tmpdir;
	e->tmpdir = xstrdup(area);
}

static void restore_host(struct build_env *e, struct host_state *h)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(varied); i++) {
		if (h->env[i])
			setenv(varied[i][0], h->env[i], 1);
		else
			unsetenv(varied[i][0]);
		free(h->env[i]);
	}
	umask(h->umask);
	free(e->tmpdir);
	e->tmpdir = h->tmpdir;
}

int build_verify_reproducible(struct build_env *e, const struct recipe *r,
			      const struct build_opts *opts, const char *first,
			      struct gild_err *err)
{
	_cleanup_free_ char *area = xasprintf("%s/.repro", e->tmpdir);
	_cleanup_free_ char *out = gild_path_join(area, "packages");
	/* one per package: builds verified at once must not share it */
	_cleanup_free_ char *scratch =
	    xasprintf("%s/compare/%s/%s", area, r->category, r->pf);
	_cleanup_free_ char *second = NULL;
	_cleanup_free_ char *cpv = xasprintf("%s/%s", r->category, r->pf);
	struct build_opts o = *opts;
	struct host_state h;
	enum build_outcome outcome;
	int rc;

	/* a later second, so the wall clock differs too */
	sleep(1);
	o.rebuild = true;
	o.output_pkgdir = out;
	/* another number of make jobs: output must not depend on it */
	o.makeopts =
	    strstr(config_get(e->cfg, "MAKEOPTS"), "-j1") ? "-j3" : "-j1";
	vary_host(e, area, &h);
	rc = build_recipe(e, r, &o, &outcome, &second, err);
	restore_host(e, &h);
	if (rc < 0)
		return rc;
	rc = build_compare_packages(cpv, first, second, scratch, err);
	if (rc < 0 && access("/usr/bin/diffoscope", X_OK) == 0) {
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n,
			 "; compare them with: diffoscope %s %s", first,
			 second);
	} else if (rc < 0) {
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n,
			 "; the second build is %s", second);
	}
	(void)gild_rm_rf(scratch, NULL);
	if (rc == 0)
		(void)unlink(second);
	return rc;
}
