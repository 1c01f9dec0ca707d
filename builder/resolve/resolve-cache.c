/* resolve-cache.c: see resolve-cache.h. */
#include "resolve-cache-impl.h"

#include <dlfcn.h>

#include <dirent.h>
#include <fcntl.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/repodata.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#define RCACHE_FORMAT "gild-resolve-7"

/* ---- the stamp: what the cache was built from
 * ----------------------------------
 *
 * Like git's index, the stat of the inputs (size, mtime and ctime in ns,
 * inode), in two parts:
 *
 *  - the global stamp, checked on every open: an identity line (cache
 *    format, the gild binary), then one line per tree path ("0\tPATH\t
 *    STAT"): recipes/ itself, every category directory recipes/CAT (not
 *    what is inside), recipes/classes and its classes, and the files the
 *    tree's loading reads besides recipes (profiles/categories,
 *    profiles/repo_name, metadata/layout.conf);
 *  - a package stamp per version, in its record: the stat of its package
 *    directory recipes/CAT/PN and of its recipe file, checked only when the
 *    resolver first looks at the package (rs_source.current).
 *
 * The cache holds versions as parsed, not as evaluated: USE, visibility
 * and REQUIRED_USE depend on the profile and the configuration and are
 * evaluated when a version is used (resolve-tree.c), so neither a profile
 * nor a configuration edit makes the cache stale, and another profile
 * uses the same cache.
 *
 * Why that is enough for "a stale cache never changes an answer" (issue
 * 3): what the cache holds depends on the classes, which packages exist,
 * and the recipes; an answer uses only the recipes of the packages the
 * resolver looks at (the pool is built lazily from the targets; a bare
 * name only needs the names). Adding, removing or renaming a package changes
 * its category directory's mtime (global stamp); adding, removing or replacing
 * (rename over it, as editors and git do) a version changes its package
 * directory's mtime; editing a recipe in place changes its own mtime,
 * ctime and usually size. Every such input of a looked-at package is
 * compared before its cached versions are used, and a package that does
 * not match is read again from the tree (resolve-tree.c) before the
 * answer is given. ctime counts too: tools that restore an old mtime
 * (cp -p, touch -r) cannot set it.
 *
 * Timestamps are coarse (a clock tick, or a second on some file systems):
 * a file changed again within the tick it was stamped in would keep its
 * stamp. As git does with its "racy" entries, a path whose mtime or
 * ctime lies within RACY_SECONDS before the stamp was taken is recorded
 * as "racy", which never matches: it is read again next time. */

#define RACY_SECONDS 1

static int64_t ts_ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int64_t rcache_racy_limit(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return rcache_racy_limit_at(ts_ns(now));
}

int64_t rcache_racy_limit_at(int64_t read_at)
{
	return read_at - (int64_t)RACY_SECONDS * 1000000000;
}

/* "SIZE MTIME CTIME INO", "-1" for a missing path, "racy" (see above);
 * racy_limit INT64_MAX: the path as it is now. */
static void stat_text(struct gild_buf *b, const struct stat *st,
		      int64_t racy_limit)
{
	if (!st) {
		gild_buf_add(b, "-1", 2);
		return;
	}
	if (ts_ns(st->st_mtim) >= racy_limit ||
	    ts_ns(st->st_ctim) >= racy_limit) {
		gild_buf_add(b, "racy", 4);
		return;
	}
	gild_buf_printf(b, "%lld %lld %lld %llu", (long long)st->st_size,
			(long long)ts_ns(st->st_mtim),
			(long long)ts_ns(st->st_ctim),
			(unsigned long long)st->st_ino);
}

static void stamp_line(struct gild_buf *b, char root, const char *rel,
		       const struct stat *st, int64_t racy_limit)
{
	gild_buf_printf(b, "%c\t%s\t", root, rel);
	stat_text(b, st, racy_limit);
	gild_buf_addc(b, '\n');
}

/* recipes/, each directory in it (categories, classes) and the classes;
 * package directories and recipes have their own stamps. */
static void stamp_recipes(struct gild_buf *b, const char *tree, int64_t racy)
{
	_cleanup_free_ char *path = gild_path_join(tree, "recipes");
	_cleanup_free_ char *classes = gild_path_join(tree, "recipes/classes");
	DIR *d = opendir(path);
	struct dirent *e;
	struct stat st;

	stamp_line(b, '0', "recipes", stat(path, &st) == 0 ? &st : NULL, racy);
	if (!d)
		return;
	while ((e = readdir(d))) {
		_cleanup_free_ char *rel = NULL;
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
			0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		rel = xasprintf("recipes/%s", e->d_name);
		stamp_line(b, '0', rel, &st, racy);
	}
	closedir(d);
	if (!(d = opendir(classes)))
		return;
	while ((e = readdir(d))) {
		_cleanup_free_ char *rel = NULL;
		if (!gild_endswith(e->d_name, ".class") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		rel = xasprintf("recipes/classes/%s", e->d_name);
		stamp_line(b, '0', rel, &st, racy);
	}
	closedir(d);
}

/* FNV-1a 64 of the stamp, kept in the .solv: the stamp itself is a plain
 * text file beside it (libsolv copies big strings on lookup). */
static void stamp_hash(const char *stamp, char out[17])
{
	uint64_t h = 14695981039346656037ull;

	for (const unsigned char *p = (const unsigned char *)stamp; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static void identity(struct gild_buf *b)
{
	struct stat self;

	Dl_info where;

	gild_buf_adds(b, RCACHE_FORMAT "\t");
	/* another gild build may parse differently: the file that holds the
	 * parser counts, which is gild-core.so (main.c), not the front binary
	 * that a rebuild of the core leaves alone */
	if (dladdr((void *)identity, &where) && where.dli_fname &&
	    stat(where.dli_fname, &self) == 0)
		stamp_line(b, 'B', "gild", &self, INT64_MAX);
	else
		gild_buf_addc(b, '\n');
}

char *rcache_stamp(const char *tree, int64_t racy)
{
	static const char *const files[] = {"profiles/categories",
					    "profiles/repo_name",
					    "metadata/layout.conf"};
	struct gild_buf b = GILD_BUF_INIT;
	struct stat st;

	identity(&b);
	stamp_recipes(&b, tree, racy);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		_cleanup_free_ char *path = gild_path_join(tree, files[i]);
		stamp_line(&b, '0', files[i], stat(path, &st) == 0 ? &st : NULL,
			   racy);
	}
	return gild_buf_steal(&b);
}

void rcache_stamp_spoil(char *stamp, const char *rel)
{
	_cleanup_free_ char *key = xasprintf("\n0\t%s\t", rel);
	char *at = strstr(stamp, key), *end;

	if (!at)
		return;
	at += strlen(key);
	end = strchr(at, '\n');
	/* "racy" padded: never matches, same length */
	for (char *p = at; p < end; p++)
		*p = p - at < 4 ? "racy"[p - at] : '_';
}

char *rcache_pkg_stamp(int treefd, const char *category, const char *pn,
		       const char *pvr, int64_t racy)
{
	struct gild_buf b = GILD_BUF_INIT;
	char rel[1024];
	struct stat st;

	snprintf(rel, sizeof(rel), "recipes/%s/%s", category, pn);
	stat_text(&b, fstatat(treefd, rel, &st, 0) == 0 ? &st : NULL, racy);
	gild_buf_addc(&b, '\n');
	snprintf(rel, sizeof(rel), "recipes/%s/%s/%s-%s.recipe", category, pn,
		 pn, pvr);
	stat_text(&b, fstatat(treefd, rel, &st, 0) == 0 ? &st : NULL, racy);
	return gild_buf_steal(&b);
}

/* The path of a stamp line ("0\tPATH\tSTAT"), as a view. */
static gild_str line_path(const char *line)
{
	const char *p = line + 2, *tab = strchr(p, '\t');

	return (gild_str){p, tab ? (size_t)(tab - p) : strlen(p)};
}

static int str_cmp(gild_str a, gild_str b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* The lines of text, sorted. */
static void sorted_lines(const char *text, struct gild_strv *out)
{
	for (const char *s = text, *nl; *s; s = nl + 1) {
		if (!(nl = strchr(s, '\n')))
			break;
		if (nl > s)
			gild_strv_push(out, xstrndup(s, (size_t)(nl - s)));
	}
	gild_strv_sort(out);
}

/* A class's name for "recipes/classes/NAME.class", else NULL. */
static char *class_of(gild_str path)
{
	if (path.n <= 22 || strncmp(path.p, "recipes/classes/", 16) ||
	    memcmp(path.p + path.n - 6, ".class", 6))
		return NULL;
	return xstrndup(path.p + 16, path.n - 22);
}

static void add_once(struct gild_strv *v, char *owned)
{
	if (gild_strv_contains(v, owned))
		free(owned);
	else
		gild_strv_push(v, owned);
}

/* A category directory's name, or NULL for any other path. */
static char *category_of(gild_str path)
{
	if (path.n <= 8 || strncmp(path.p, "recipes/", 8) ||
	    memchr(path.p + 8, '/', path.n - 8) ||
	    (path.n == 15 && !strncmp(path.p + 8, "classes", 7)))
		return NULL;
	return xstrndup(path.p + 8, path.n - 8);
}

/* Whether a cache written with the stamp old can be used now: the stamps
 * are equal, or differ only in category directories (packages added,
 * removed or renamed there), whose names go to changed, and in classes,
 * whose names go to classes (the versions that inherit them are stale;
 * recipes/classes itself changes with them). */
static bool stamp_usable(const char *old, const char *now,
			 struct gild_strv *changed, struct gild_strv *classes)
{
	_cleanup_strv_ struct gild_strv a = GILD_STRV_INIT, b = GILD_STRV_INIT;
	const char *ao = strchr(old, '\n'), *an = strchr(now, '\n');
	size_t i = 0, j = 0;

	if (!ao || !an || ao - old != an - now ||
	    memcmp(old, now, (size_t)(ao - old)))
		return false; /* another format or gild binary */
	sorted_lines(ao + 1, &a);
	sorted_lines(an + 1, &b);
	while (i < a.n || j < b.n) {
		gild_str pa = i < a.n ? line_path(a.v[i]) : (gild_str){0};
		gild_str pb = j < b.n ? line_path(b.v[j]) : (gild_str){0};
		int c = i >= a.n ? 1 : j >= b.n ? -1 : str_cmp(pa, pb);
		char *cat;
		/* "racy" never matches, not even "racy" */
		if (!c && !strcmp(a.v[i], b.v[j]) &&
		    !strstr(a.v[i], "\tracy")) {
			i++, j++;
			continue;
		}
		gild_str path = c <= 0 ? pa : pb;
		i += c <= 0;
		j += c >= 0;
		if ((cat = category_of(path)))
			add_once(changed, cat);
		else if ((cat = class_of(path)))
			add_once(classes, cat);
		else if (path.n != 15 || memcmp(path.p, "recipes/classes", 15))
			return false;
	}
	return true;
}

/* ---- the files
 * ------------------------------------------------------------------
 *
 * resolve.solv holds one solvable per version: its name (cat/pn), its
 * version and where its record starts in resolve.data; its meta data the
 * stamp's hash and the id of the resolve.data it goes with. resolve.data
 * is a header line ("gild-resolve-data ID\n") and a record per version:
 * NUL-terminated strings in a fixed order (R_*), lists joined by '\n', ""
 * for none. It is mapped, not read: opening the cache costs the names and
 * versions only, and a plan looks at a few hundred of 40,000 records
 * (libsolv's own paged storage decompresses a page per lookup, which is
 * slower for that). */

enum { K_DATA, K_FP, K_DATAID, K_BROKEN, K_N };

enum { /* the strings of a record */
       R_SLOT,
       R_SUBSLOT,
       R_EAPI,
       R_STAMP,
       R_IUSE,
       R_KEYWORDS,
       R_LICENSE,
       R_RESTRICT,
       R_REQUSE,
       R_REQUSE_FILE,
       R_REQUSE_LINE,
       R_INHERITED,
       R_DEP,
       R_LOCFILE = R_DEP + DEP_NCLASS,
       R_LOCLINE = R_LOCFILE + DEP_NCLASS,
       R_N = R_LOCLINE + DEP_NCLASS
};

static void intern_keys(Pool *pool, Id *key)
{
	static const char *const names[K_N] = {"gild:data", "gild:stamp-hash",
					       "gild:data-id", "gild:broken"};

	for (int i = 0; i < K_N; i++)
		key[i] = pool_str2id(pool, names[i], 1);
}

static void rec_str(struct gild_buf *b, const char *s)
{
	gild_buf_adds(b, s ? s : "");
	gild_buf_addc(b, 0);
}

static void rec_num(struct gild_buf *b, long n)
{
	gild_buf_printf(b, "%ld", n);
	gild_buf_addc(b, 0);
}

static void record(struct gild_buf *b, const struct rs_version *v)
{
	rec_str(b, v->slot);
	rec_str(b, v->subslot);
	rec_num(b, v->eapi);
	rec_str(b, v->stamp);
	/* "+flag", "-flag" or " flag": the IUSE default (PMS 7.2) */
	for (size_t i = 0; i < v->n_iuse; i++)
		gild_buf_printf(b, "%s%c%s", i ? "\n" : "",
				v->iuse[i].def > 0   ? '+'
				: v->iuse[i].def < 0 ? '-'
						     : ' ',
				v->iuse[i].flag);
	gild_buf_addc(b, 0);
	for (size_t i = 0; i < v->n_keywords; i++)
		gild_buf_printf(b, "%s%s", i ? "\n" : "", v->keywords[i]);
	gild_buf_addc(b, 0);
	rec_str(b, v->license);
	rec_str(b, v->restrict_);
	rec_str(b, v->required_use);
	rec_str(b, v->required_use_loc.file);
	rec_num(b, v->required_use_loc.line);
	for (size_t i = 0; i < v->n_inherited; i++)
		gild_buf_printf(b, "%s%s", i ? "\n" : "", v->inherited[i]);
	gild_buf_addc(b, 0);
	for (int k = 0; k < DEP_NCLASS; k++)
		rec_str(b, v->deps[k]);
	for (int k = 0; k < DEP_NCLASS; k++)
		rec_str(b, v->dep_loc[k].file);
	for (int k = 0; k < DEP_NCLASS; k++)
		rec_num(b, v->dep_loc[k].line);
}

struct rcache_writer {
	Pool *pool;
	Repo *repo;
	Repodata *d;
	Id key[K_N];
	struct gild_buf data;
	struct gild_buf broken; /* see rcache_writer_add_broken */
	char id[64];
};

struct rcache_writer *rcache_writer_new(void)
{
	struct rcache_writer *w = xcalloc(1, sizeof(*w));
	struct timespec now;

	w->pool = pool_create();
	w->repo = repo_create(w->pool, "gild-tree");
	w->d = repo_add_repodata(w->repo, 0);
	intern_keys(w->pool, w->key);
	/* a new id per save: the .solv names the data file it goes with */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(w->id, sizeof(w->id), "%lld.%ld.%d", (long long)now.tv_sec,
		 now.tv_nsec, (int)getpid());
	gild_buf_printf(&w->data, "gild-resolve-data %s\n", w->id);
	return w;
}

void rcache_writer_free(struct rcache_writer *w)
{
	if (!w)
		return;
	pool_free(w->pool);
	gild_buf_release(&w->data);
	gild_buf_release(&w->broken);
	free(w);
}

/* A solvable for cat/pn-pvr whose record starts here. */
static void writer_solvable(struct rcache_writer *w, const char *cpn,
			    const char *pvr)
{
	Id h = repo_add_solvable(w->repo);
	Solvable *s = pool_id2solvable(w->pool, h);

	s->name = pool_str2id(w->pool, cpn, 1);
	s->evr = pool_str2id(w->pool, pvr, 1);
	s->arch = ARCH_NOARCH;
	repodata_set_num(w->d, h, w->key[K_DATA], w->data.n);
}

void rcache_writer_add(struct rcache_writer *w, const struct rs_version *v)
{
	writer_solvable(w, pool_tmpjoin(w->pool, v->category, "/", v->pn),
			v->pvr);
	record(&w->data, v);
}

/* ---- recipes that do not load ----
 * Cached as failing, like a good version with its package stamp, so that
 * one broken recipe neither makes every run read the whole tree again
 * nor is forgotten: a warm run names it from the cache and reads it again
 * only when its stamp changed. One line each in the .solv's meta data:
 * "PATH\tSTAMP\tMESSAGE", the stamp's lines joined by ';'. */

char *rcache_file_stamp(int treefd, const char *recipe, int64_t racy)
{
	struct gild_buf b = GILD_BUF_INIT;
	_cleanup_free_ char *dir = xstrdup(recipe);
	struct stat st;

	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	stat_text(&b, fstatat(treefd, dir, &st, 0) == 0 ? &st : NULL, racy);
	gild_buf_addc(&b, ';');
	stat_text(&b, fstatat(treefd, recipe, &st, 0) == 0 ? &st : NULL, racy);
	return gild_buf_steal(&b);
}

/* text without the separators of a line */
static void add_field(struct gild_buf *b, const char *s)
{
	for (; *s; s++)
		gild_buf_addc(b, *s == '\t' || *s == '\n' ? ' ' : *s);
}

void rcache_writer_add_broken(struct rcache_writer *w, const char *recipe,
			      const char *stamp, const char *msg)
{
	add_field(&w->broken, recipe);
	gild_buf_addc(&w->broken, '\t');
	add_field(&w->broken, stamp);
	gild_buf_addc(&w->broken, '\t');
	add_field(&w->broken, msg);
	gild_buf_addc(&w->broken, '\n');
}

static int write_buf(const char *path, const struct gild_buf *b,
		     struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	int r;

	if ((r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return r;
	if (b->n && fwrite(b->p, 1, b->n, af.f) != b->n)
		return gild_fail_errno(err, path, "cannot write");
	return gild_atomic_commit(&af, err);
}

int rcache_writer_commit(struct rcache_writer *w, const char *path,
			 const char *stamp, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *dir = xstrdup(path);
	_cleanup_free_ char *dpath = xasprintf("%s.data", path);
	_cleanup_free_ char *spath = xasprintf("%s.stamp", path);
	struct gild_buf sb = GILD_BUF_INIT;
	char hash[17];
	int r;

	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	stamp_hash(stamp, hash);
	repodata_set_str(w->d, SOLVID_META, w->key[K_FP], hash);
	repodata_set_str(w->d, SOLVID_META, w->key[K_DATAID], w->id);
	if (w->broken.n)
		repodata_set_str(w->d, SOLVID_META, w->key[K_BROKEN],
				 w->broken.p);
	repodata_internalize(w->d);
	/* the data, then the .solv, then the stamp: a stamp never describes
	 * files not yet there */
	if ((r = gild_mkdir_p(dir, 0755, err)) < 0 ||
	    (r = write_buf(dpath, &w->data, err)) < 0 ||
	    (r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return r;
	if (repo_write(w->repo, af.f))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "cannot write the resolver cache '%s'", path);
	if ((r = gild_atomic_commit(&af, err)) < 0)
		return r;
	gild_buf_adds(&sb, stamp);
	r = write_buf(spath, &sb, err);
	gild_buf_release(&sb);
	return r;
}

/* ---- reading
 * ------------------------------------------------------------------- */

/* Split a '\n' list into *vp (allocated; the strings copied to *copy). */
static size_t split(const char *s, char **copy, char ***vp)
{
	size_t n = 0, cap = 1;
	char **v, *t;

	for (const char *q = s; *q; q++)
		cap += *q == '\n';
	*vp = v = xcalloc(cap + 1, sizeof(*v));
	*copy = t = xstrdup(s);
	while (*t && n < cap) {
		char *nl = strchr(t, '\n');
		v[n++] = t;
		if (!nl)
			break;
		*nl = 0;
		t = nl + 1;
	}
	return n;
}

struct rcache {
	Pool *pool;
	Repo *repo;
	Id key[K_N];
	int treefd;
	char *stamp;	  /* the global stamp it was opened with */
	const char *data; /* resolve.data, mapped (see record_read) */
	size_t data_len;
	int datafd;
	/* a record read by rcache_version, alive until the next; and one
	 * read by rcache_current */
	char *rec[2];
	size_t rec_cap[2];
	char *broken;		  /* the K_BROKEN lines, or NULL */
	struct gild_strv classes; /* changed since the cache was written */
	/* the last version's lists (rcache_version), alive until the next */
	char *str[3];
	char **arr[3];
	struct use_iuse *iuse;
	char category[256];
};

void rcache_free(struct rcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < 3; i++) {
		free(c->str[i]);
		free(c->arr[i]);
	}
	free(c->iuse);
	gild_strv_release(&c->classes);
	free(c->broken);
	if (c->treefd >= 0)
		close(c->treefd);
	if (c->data)
		munmap((void *)c->data, c->data_len);
	if (c->datafd >= 0)
		close(c->datafd);
	free(c->rec[0]);
	free(c->rec[1]);
	free(c->stamp);
	pool_free(c->pool);
	free(c);
}

/* The R_N strings of a record starting at s, before end. */
static bool record_split(const char *s, const char *end, const char *f[R_N])
{
	for (int i = 0; i < R_N; i++) {
		const char *z = memchr(s, 0, (size_t)(end - s));
		if (!z)
			return false;
		f[i] = s;
		s = z + 1;
	}
	return true;
}

/* The strings of a version's record, or false when it is damaged. */
static bool record_at(const struct rcache *c, Id p, const char *f[R_N])
{
	unsigned long long off = repo_lookup_num(c->repo, p, c->key[K_DATA], 0);

	if (!off || off >= c->data_len)
		return false;
	return record_split(c->data + off, c->data + c->data_len, f);
}

/* As record_at, read into the buffer slot with pread instead of through
 * the mapping: a plan looks at a few thousand of 40,000 records, spread
 * over the file, and the kernel maps the pages around each page fault of
 * a mapped file (fault-around, 64 KiB): touching 2,000 records in the
 * mapping made all of its 40 MB resident. Records are about 1 KiB. */
static bool record_read(struct rcache *c, Id p, int slot, const char *f[R_N])
{
	unsigned long long off = repo_lookup_num(c->repo, p, c->key[K_DATA], 0);
	size_t want = 4096;

	if (!off || off >= c->data_len)
		return false;
	for (;;) {
		size_t n = c->data_len - off < want ? c->data_len - off : want;
		if (c->rec_cap[slot] < n) {
			free(c->rec[slot]);
			c->rec[slot] = xmalloc(n);
			c->rec_cap[slot] = n;
		}
		if (pread(c->datafd, c->rec[slot], n, (off_t)off) != (ssize_t)n)
			return false;
		if (record_split(c->rec[slot], c->rec[slot] + n, f))
			return true;
		if (off + n >= c->data_len)
			return false;
		want *= 2;
	}
}

/* Whether a record's classes (its R_INHERITED list) include one that
 * changed since the cache was written. */
static bool inherits_changed(const struct rcache *c, const char *list)
{
	for (size_t i = 0; i < c->classes.n; i++) {
		size_t n = strlen(c->classes.v[i]);
		for (const char *p = list; (p = strstr(p, c->classes.v[i]));
		     p += n)
			if ((p == list || p[-1] == '\n') &&
			    (!p[n] || p[n] == '\n'))
				return true;
	}
	return false;
}

/* "cat/pn" of "recipes/cat/pn/file" (allocated), or NULL. */
static char *cpn_of_recipe(const char *recipe)
{
	const char *s = strncmp(recipe, "recipes/", 8) ? NULL : recipe + 8;
	const char *a = s ? strchr(s, '/') : NULL;
	const char *b = a ? strchr(a + 1, '/') : NULL;

	return b ? xstrndup(s, (size_t)(b - s)) : NULL;
}

/* The next K_BROKEN line of *p: its three fields (in buf, allocated). */
static bool next_broken(const char **p, char **buf, char *f[3])
{
	const char *nl;

	while (**p == '\n')
		++*p;
	if (!**p)
		return false;
	nl = strchr(*p, '\n');
	*buf = nl ? xstrndup(*p, (size_t)(nl - *p)) : xstrdup(*p);
	*p = nl ? nl + 1 : *p + strlen(*p);
	f[0] = *buf;
	f[1] = strchr(f[0], '\t');
	f[2] = f[1] ? strchr(f[1] + 1, '\t') : NULL;
	if (!f[2])
		return next_broken(p, (free(*buf), buf), f);
	*f[1]++ = 0;
	*f[2]++ = 0;
	return true;
}

static void copy_broken(struct rcache_writer *w, const struct rcache *from,
			bool (*skip)(void *ud, const char *cpn), void *ud)
{
	const char *p = from->broken ? from->broken : "";
	char *buf, *f[3];

	while (next_broken(&p, &buf, f)) {
		_cleanup_free_ char *cpn = cpn_of_recipe(f[0]);
		if (cpn && !(skip && skip(ud, cpn)))
			rcache_writer_add_broken(w, f[0], f[1], f[2]);
		free(buf);
	}
}

void rcache_broken_foreach(const struct rcache *c, rcache_broken_fn fn,
			   void *ud)
{
	const char *p = c->broken ? c->broken : "";
	char *buf, *f[3];

	while (next_broken(&p, &buf, f)) {
		_cleanup_free_ char *now =
		    rcache_file_stamp(c->treefd, f[0], INT64_MAX);
		_cleanup_free_ char *cpn = cpn_of_recipe(f[0]);
		/* a class edit may fix it: the classes are not in its stamp */
		bool current = !c->classes.n && !strcmp(now, f[1]);
		if (cpn)
			fn(ud, f[0], cpn, f[2], current);
		free(buf);
	}
}

void rcache_writer_copy(struct rcache_writer *w, const struct rcache *from,
			bool (*skip)(void *ud, const char *cpn), void *ud)
{
	Solvable *s;
	Id p;

	FOR_REPO_SOLVABLES(from->repo, p, s)
	{
		const char *cpn = pool_id2str(from->pool, s->name), *f[R_N];
		if ((skip && skip(ud, cpn)) || !record_at(from, p, f))
			continue;
		writer_solvable(w, cpn, pool_id2str(from->pool, s->evr));
		if (inherits_changed(from, f[R_INHERITED])) {
			/* read again when used: its class changed */
			for (int i = 0; i < R_N; i++)
				rec_str(&w->data, i == R_STAMP ? "racy" : f[i]);
			continue;
		}
		gild_buf_add(
		    &w->data, f[0],
		    (size_t)(f[R_N - 1] + strlen(f[R_N - 1]) + 1 - f[0]));
	}
	copy_broken(w, from, skip, ud);
}

void rcache_class_stale(const struct rcache *c, struct gild_strv *cpns)
{
	Solvable *s;
	Id p;

	if (!c->classes.n)
		return;
	FOR_REPO_SOLVABLES(c->repo, p, s)
	{
		const char *f[R_N];
		if (record_at(c, p, f) && inherits_changed(c, f[R_INHERITED]))
			gild_strv_add(cpns, pool_id2str(c->pool, s->name));
	}
}

static const char *or_null(const char *s)
{
	return *s ? s : NULL;
}

bool rcache_version(struct rcache *c, long handle, struct rs_version *v)
{
	Solvable *s = pool_id2solvable(c->pool, (Id)handle);
	const char *f[R_N];
	size_t n;

	const char *name = pool_id2str(c->pool, s->name);
	const char *slash = strchr(name, '/');

	memset(v, 0, sizeof(*v));
	if (!record_read(c, (Id)handle, 0, f) || !slash ||
	    (size_t)(slash - name) >= sizeof(c->category))
		return false;
	memcpy(c->category, name, (size_t)(slash - name));
	c->category[slash - name] = 0;
	v->category = c->category;
	v->pn = slash + 1;
	v->pvr = pool_id2str(c->pool, s->evr);
	v->slot = f[R_SLOT];
	v->subslot = or_null(f[R_SUBSLOT]);
	v->eapi = atoi(f[R_EAPI]);
	v->stamp = or_null(f[R_STAMP]);
	for (int i = 0; i < 3; i++) {
		free(c->str[i]);
		free(c->arr[i]);
	}
	n = split(f[R_IUSE], &c->str[0], &c->arr[0]);
	free(c->iuse);
	c->iuse = xcalloc(n + 1, sizeof(*c->iuse));
	for (size_t i = 0; i < n; i++)
		c->iuse[i] = (struct use_iuse){c->arr[0][i] + 1,
					       c->arr[0][i][0] == '+'	? 1
					       : c->arr[0][i][0] == '-' ? -1
									: 0};
	v->iuse = c->iuse;
	v->n_iuse = n;
	v->n_keywords = split(f[R_KEYWORDS], &c->str[1], &c->arr[1]);
	v->keywords = (const char *const *)c->arr[1];
	v->license = or_null(f[R_LICENSE]);
	v->restrict_ = or_null(f[R_RESTRICT]);
	v->required_use = or_null(f[R_REQUSE]);
	v->required_use_loc.file = or_null(f[R_REQUSE_FILE]);
	v->required_use_loc.line =
	    (unsigned)strtoul(f[R_REQUSE_LINE], NULL, 10);
	v->required_use_loc.col = 1;
	v->n_inherited = split(f[R_INHERITED], &c->str[2], &c->arr[2]);
	v->inherited = (const char *const *)c->arr[2];
	for (int k = 0; k < DEP_NCLASS; k++) {
		v->deps[k] = or_null(f[R_DEP + k]);
		v->dep_loc[k].file = or_null(f[R_LOCFILE + k]);
		v->dep_loc[k].line =
		    (unsigned)strtoul(f[R_LOCLINE + k], NULL, 10);
		v->dep_loc[k].col = 1;
	}
	return true;
}

bool rcache_current(struct rcache *c, long handle)
{
	Solvable *s = pool_id2solvable(c->pool, (Id)handle);
	const char *f[R_N], *have;
	const char *name = pool_id2str(c->pool, s->name);
	const char *slash = strchr(name, '/');
	_cleanup_free_ char *cat = NULL, *now = NULL;

	if (!record_read(c, (Id)handle, 1, f) || !*(have = f[R_STAMP]) ||
	    !slash || inherits_changed(c, f[R_INHERITED]))
		return false;
	cat = xstrndup(name, (size_t)(slash - name));
	now = rcache_pkg_stamp(c->treefd, cat, slash + 1,
			       pool_id2str(c->pool, s->evr), INT64_MAX);
	return strcmp(have, now) == 0;
}

const char *rcache_global_stamp(const struct rcache *c)
{
	return c->stamp;
}

/* Map resolve.data when it is the one the .solv was written with. */
static bool map_data(struct rcache *c, const char *path)
{
	_cleanup_free_ char *dpath = xasprintf("%s.data", path);
	_cleanup_free_ char *head = NULL;
	_cleanup_close_ int fd = open(dpath, O_RDONLY | O_CLOEXEC);
	const char *id =
	    repo_lookup_str(c->repo, SOLVID_META, c->key[K_DATAID]);
	struct stat st;
	void *m;

	if (fd < 0 || !id || fstat(fd, &st) != 0 || st.st_size == 0)
		return false;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return false;
	c->datafd = TAKE_FD(fd);
	c->data = m;
	c->data_len = (size_t)st.st_size;
	head = xasprintf("gild-resolve-data %s\n", id);
	return c->data_len > strlen(head) &&
	       memcmp(c->data, head, strlen(head)) == 0;
}

int rcache_open(const char *path, const char *tree, int64_t racy,
		struct gild_strv *changed, struct rcache **out)
{
	_cleanup_fclose_ FILE *f = fopen(path, "r");
	_cleanup_free_ char *spath = xasprintf("%s.stamp", path), *stamp = NULL;
	_cleanup_free_ char *now = NULL;
	_cleanup_strv_ struct gild_strv classes = GILD_STRV_INIT;
	struct gild_err err = GILD_ERR_INIT;
	struct rcache *c;
	const char *have;
	char hash[17];
	size_t len;

	*out = NULL;
	if (!f || gild_read_file(spath, &stamp, &len, &err) < 0)
		return 0;
	now = rcache_stamp(tree, racy);
	if (!stamp_usable(stamp, now, changed, &classes) || changed->n > 64) {
		/* many categories changed (a sync): reading all is as quick */
		gild_strv_release(changed);
		return 0;
	}
	stamp_hash(stamp, hash);
	c = xcalloc(1, sizeof(*c));
	c->datafd = -1;
	c->treefd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c->stamp = TAKE_PTR(now); /* what a rewrite stamps */
	c->classes = classes;
	classes = (struct gild_strv)GILD_STRV_INIT;
	c->pool = pool_create();
	c->repo = repo_create(c->pool, "gild-tree");
	intern_keys(c->pool, c->key);
	if (repo_add_solv(c->repo, f, 0) != 0 ||
	    !(have = repo_lookup_str(c->repo, SOLVID_META, c->key[K_FP])) ||
	    strcmp(have, hash) != 0 || !map_data(c, path)) {
		rcache_free(c);
		return 0;
	}
	if ((have = repo_lookup_str(c->repo, SOLVID_META, c->key[K_BROKEN])))
		c->broken = xstrdup(have);
	*out = c;
	return 1;
}

void rcache_foreach(const struct rcache *c, rcache_version_fn fn, void *ud)
{
	Solvable *s;
	Id p;

	FOR_REPO_SOLVABLES(c->repo, p, s)
	{
		const char *name = pool_id2str(c->pool, s->name);
		const char *slash = strchr(name, '/');
		char cat[256];
		if (!slash || (size_t)(slash - name) >= sizeof(cat))
			continue; /* not written by rcache_writer_add */
		memcpy(cat, name, (size_t)(slash - name));
		cat[slash - name] = 0;
		fn(ud, cat, slash + 1, pool_id2str(c->pool, s->evr), p);
	}
}
