/* resolve-cache.c: see resolve-cache.h. */
#include "resolve-cache.h"

#include <fcntl.h>
#include <dirent.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/repodata.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#define RCACHE_FORMAT "gild-resolve-3"

/* ---- the stamp: what the cache was built from ----------------------------------
 *
 * Like git's index, the stat of the inputs (size, mtime and ctime in ns,
 * inode), in two parts:
 *
 *  - the global stamp, checked on every open: an identity line (cache
 *    format, the gild binary, the profile name), then one line per path
 *    ("ROOT\tPATH\tSTAT", ROOT 0 the tree, 1 the configuration directory)
 *    for everything under profiles/ and the configuration directory,
 *    recipes/ itself, recipes/classes and its classes, and every category
 *    directory recipes/CAT (not what is inside);
 *  - a package stamp per version, in the .solv: the stat of its package
 *    directory recipes/CAT/PN and of its recipe file, checked only when the
 *    resolver first looks at the package (rs_source.current).
 *
 * Why that is enough for "a stale cache never changes an answer" (issue
 * 3): an answer depends on the configuration, the profiles, the classes,
 * which packages exist, and the recipes of the packages the resolver looks
 * at (the pool is built lazily from the targets; a bare name only needs
 * the names). Adding, removing or renaming a package changes its category
 * directory's mtime (global stamp); adding, removing or replacing (rename
 * over it, as editors and git do) a version changes its package
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
	return ts_ns(now) - (int64_t)RACY_SECONDS * 1000000000;
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
	if (ts_ns(st->st_mtim) >= racy_limit || ts_ns(st->st_ctim) >= racy_limit) {
		gild_buf_add(b, "racy", 4);
		return;
	}
	gild_buf_printf(b, "%lld %lld %lld %llu", (long long)st->st_size,
			(long long)ts_ns(st->st_mtim), (long long)ts_ns(st->st_ctim),
			(unsigned long long)st->st_ino);
}

static void stamp_line(struct gild_buf *b, char root, const char *rel,
		       const struct stat *st, int64_t racy_limit)
{
	gild_buf_printf(b, "%c\t%s\t", root, rel);
	stat_text(b, st, racy_limit);
	gild_buf_addc(b, '\n');
}

/* Everything below a directory of profiles/ or the configuration. */
static void stamp_walk(struct gild_buf *b, char root, int dfd,
		       const char *rel, int depth, int64_t racy)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;

	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		_cleanup_free_ char *sub = NULL;
		if (n[0] == '.')
			continue;
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, n) : xstrdup(n);
		stamp_line(b, root, sub, &st, racy);
		if (S_ISDIR(st.st_mode) && depth < 16) {
			int fd = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0)
				stamp_walk(b, root, fd, sub, depth + 1, racy);
		}
	}
	closedir(d);
}

static void stamp_root(struct gild_buf *b, char root, const char *base,
		       const char *rel, int64_t racy)
{
	_cleanup_free_ char *path = *rel ? gild_path_join(base, rel) : xstrdup(base);
	struct stat st;
	int fd;

	if (stat(path, &st) != 0) {
		stamp_line(b, root, *rel ? rel : ".", NULL, racy);
		return;
	}
	stamp_line(b, root, *rel ? rel : ".", &st, racy);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		stamp_walk(b, root, fd, rel, 0, racy);
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
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
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

static void identity(struct gild_buf *b, const char *profile)
{
	struct stat self;

	gild_buf_printf(b, "%s\t%s", RCACHE_FORMAT, profile ? profile : "");
	/* another gild build may evaluate differently: its binary counts */
	if (stat("/proc/self/exe", &self) == 0)
		stamp_line(b, 'B', "gild", &self, INT64_MAX);
	else
		gild_buf_addc(b, '\n');
}

char *rcache_stamp(const char *tree, const char *confdir, const char *profile,
		   int64_t racy)
{
	struct gild_buf b = GILD_BUF_INIT;

	identity(&b, profile);
	stamp_recipes(&b, tree, racy);
	stamp_root(&b, '0', tree, "profiles", racy);
	stamp_root(&b, '1', confdir, "", racy);
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

static bool line_current(const char *line, int tfd, int cfd, struct gild_buf *tmp)
{
	const char *tab = strchr(line + 2, '\t'), *nl;
	_cleanup_free_ char *rel = NULL;
	struct stat st;
	int rc;

	if (!tab || (line[0] != '0' && line[0] != '1'))
		return false;
	rel = xstrndup(line + 2, (size_t)(tab - line - 2));
	rc = fstatat(line[0] == '0' ? tfd : cfd, rel, &st, AT_SYMLINK_NOFOLLOW);
	gild_buf_reset(tmp);
	stat_text(tmp, rc == 0 ? &st : NULL, INT64_MAX);
	nl = strchr(tab, '\n');
	return nl && (size_t)(nl - tab - 1) == tmp->n &&
	       memcmp(tab + 1, gild_buf_str(tmp), tmp->n) == 0;
}

/* Whether every line of a stored stamp still holds. */
static bool stamp_current(const char *stamp, const char *tree,
			  const char *confdir, const char *profile)
{
	struct gild_buf id = GILD_BUF_INIT, tmp = GILD_BUF_INIT;
	_cleanup_close_ int tfd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int cfd = open(confdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;
	const char *s;

	identity(&id, profile);
	ok = tfd >= 0 && strncmp(stamp, gild_buf_str(&id), id.n) == 0;
	for (s = stamp + id.n; ok && *s; s = strchr(s, '\n') + 1) {
		if (!strchr(s, '\n'))
			break;
		/* a missing configuration directory is a line like any other */
		ok = line_current(s, tfd, cfd >= 0 ? cfd : AT_FDCWD, &tmp);
		if (!ok && s[0] == '1' && cfd < 0 && strstr(s, "\t-1\n") &&
		    strstr(s, "\t-1\n") < strchr(s, '\n') + 1)
			ok = true;
	}
	gild_buf_release(&id);
	gild_buf_release(&tmp);
	return ok;
}

/* ---- the files ------------------------------------------------------------------
 *
 * resolve.solv holds one solvable per version: its name (cat/pn), its
 * version and two numbers, its origin and where its record starts in
 * resolve.data; its meta data the stamp's hash and the id of the
 * resolve.data it goes with. resolve.data is a header line
 * ("gild-resolve-data ID\n") and a record per version: NUL-terminated
 * strings in a fixed order (slot, subslot, EAPI, package stamp, IUSE,
 * USE, refusals, fixes, then each class's dependencies, file and line),
 * lists joined by '\n', "" for none. It is mapped, not read: opening the
 * cache costs the names and versions only, and a plan looks at a few
 * hundred of 40,000 records (libsolv's own paged storage decompresses a
 * page per lookup, which is slower for that). */

enum { K_ORIGIN, K_DATA, K_FP, K_DATAID, K_N };

enum { /* the strings of a record */
	R_SLOT, R_SUBSLOT, R_EAPI, R_STAMP, R_IUSE, R_USE, R_REFUSED, R_FIXES,
	R_DEP, R_LOCFILE = R_DEP + DEP_NCLASS, R_LOCLINE = R_LOCFILE + DEP_NCLASS,
	R_N = R_LOCLINE + DEP_NCLASS
};

static void intern_keys(Pool *pool, Id *key)
{
	static const char *const names[K_N] = {"gild:origin", "gild:data",
					       "gild:stamp-hash", "gild:data-id"};

	for (int i = 0; i < K_N; i++)
		key[i] = pool_str2id(pool, names[i], 1);
}

static void rec_str(struct gild_buf *b, const char *s)
{
	gild_buf_adds(b, s ? s : "");
	gild_buf_addc(b, 0);
}

/* Lists are stored as one string, items separated by '\n'. */
static void rec_list(struct gild_buf *b, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			gild_buf_addc(b, '\n');
		gild_buf_adds(b, v[i]);
	}
	gild_buf_addc(b, 0);
}

static void record(struct gild_buf *b, const struct rs_recipe *c)
{
	char num[32];

	rec_str(b, c->slot);
	rec_str(b, c->subslot);
	snprintf(num, sizeof(num), "%d", c->eapi);
	rec_str(b, num);
	rec_str(b, c->stamp);
	rec_list(b, c->iuse, c->n_iuse);
	rec_list(b, c->use, c->n_use);
	rec_list(b, c->refused, c->n_refused);
	rec_list(b, c->fixes, c->n_fixes);
	for (int k = 0; k < DEP_NCLASS; k++)
		rec_str(b, c->deps[k]);
	for (int k = 0; k < DEP_NCLASS; k++)
		rec_str(b, c->dep_loc[k].file);
	for (int k = 0; k < DEP_NCLASS; k++) {
		snprintf(num, sizeof(num), "%u", c->dep_loc[k].line);
		rec_str(b, num);
	}
}

static bool record_at(const struct rcache *c, Id p, const char *f[]);
static size_t record_len(const char *const f[]);

/* One version; raw: its record as the old cache has it (a stub). */
static void save_one(Pool *pool, Repo *repo, Repodata *d, const Id *key,
		     const struct rs_recipe *c, const char *const *raw,
		     struct gild_buf *data)
{
	Id h = repo_add_solvable(repo);
	Solvable *s = pool_id2solvable(pool, h);

	s->name = pool_str2id(pool, pool_tmpjoin(pool, c->category, "/", c->pn), 1);
	s->evr = pool_str2id(pool, c->pvr, 1);
	s->arch = ARCH_NOARCH;
	repodata_set_num(d, h, key[K_ORIGIN], (unsigned)c->origin + 1);
	repodata_set_num(d, h, key[K_DATA], data->n);
	if (raw)
		gild_buf_add(data, raw[0], record_len(raw));
	else
		record(data, c);
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

int rcache_save(const char *path, const char *stamp, const struct rs_input *in,
		const struct rcache *from, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *dir = xstrdup(path);
	_cleanup_free_ char *dpath = xasprintf("%s.data", path);
	_cleanup_free_ char *spath = xasprintf("%s.stamp", path);
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "gild-tree");
	Repodata *d = repo_add_repodata(repo, 0);
	struct gild_buf data = GILD_BUF_INIT, sb = GILD_BUF_INIT;
	struct timespec now;
	char hash[17], id[64];
	Id key[K_N];
	int r;

	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	/* a new id per save: the .solv names the data file it goes with */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(id, sizeof(id), "%lld.%ld.%d", (long long)now.tv_sec,
		 now.tv_nsec, (int)getpid());
	gild_buf_printf(&data, "gild-resolve-data %s\n", id);
	intern_keys(pool, key);
	for (size_t i = 0; i < rs_input_count(in); i++) {
		const struct rs_recipe *c = rs_input_at(in, i);
		long stub = rs_input_stub_at(in, i);
		const char *raw[R_N];
		/* the tree's and the profile's; not the binary and installed
		 * versions, which have files of their own */
		if (c->origin != RS_TREE && c->origin != RS_PROVIDED)
			continue;
		if (stub >= 0 && (!from || !record_at(from, (Id)stub, raw)))
			continue; /* cannot happen: stubs come from a cache */
		save_one(pool, repo, d, key, c, stub >= 0 ? raw : NULL, &data);
	}
	stamp_hash(stamp, hash);
	repodata_set_str(d, SOLVID_META, key[K_FP], hash);
	repodata_set_str(d, SOLVID_META, key[K_DATAID], id);
	repodata_internalize(d);
	/* the data, then the .solv, then the stamp: a stamp never describes
	 * files not yet there */
	if ((r = gild_mkdir_p(dir, 0755, err)) < 0 ||
	    (r = write_buf(dpath, &data, err)) < 0 ||
	    (r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		goto out;
	if (repo_write(repo, af.f)) {
		r = gild_fail(err, -GILD_E_INVALID, NULL,
			      "cannot write the resolver cache '%s'", path);
		goto out;
	}
	if ((r = gild_atomic_commit(&af, err)) < 0)
		goto out;
	gild_buf_adds(&sb, stamp);
	r = write_buf(spath, &sb, err);
out:
	pool_free(pool);
	gild_buf_release(&data);
	gild_buf_release(&sb);
	return r;
}

/* ---- reading ------------------------------------------------------------------- */

/* Split a '\n' list into *vp (allocated; the strings copied). */
static size_t split(const char *s, char **copy, const char ***vp)
{
	size_t n = 0, cap = 1;
	const char **v;
	char *t;

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
	char *stamp; /* the global stamp it was opened with */
	const char *data; /* resolve.data, mapped */
	size_t data_len;
	/* the last loaded version's lists, alive until the next load */
	char *str[4];
	const char **arr[4];
};

void rcache_free(struct rcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < 4; i++) {
		free(c->str[i]);
		free(c->arr[i]);
	}
	if (c->treefd >= 0)
		close(c->treefd);
	if (c->data)
		munmap((void *)c->data, c->data_len);
	free(c->stamp);
	pool_free(c->pool);
	free(c);
}

/* The strings of a version's record, or false when it is damaged. */
static bool record_at(const struct rcache *c, Id p, const char *f[])
{
	unsigned long long off = repo_lookup_num(c->repo, p, c->key[K_DATA], 0);
	const char *s, *end = c->data + c->data_len;

	if (!off || off >= c->data_len)
		return false;
	s = c->data + off;
	for (int i = 0; i < R_N; i++) {
		const char *z = memchr(s, 0, (size_t)(end - s));
		if (!z)
			return false;
		f[i] = s;
		s = z + 1;
	}
	return true;
}

/* The bytes of a record, from its strings. */
static size_t record_len(const char *const f[])
{
	return (size_t)(f[R_N - 1] + strlen(f[R_N - 1]) + 1 - f[0]);
}

static const char *or_null(const char *s) { return *s ? s : NULL; }

/* rs_load_fn: a stub's fields from its record (a damaged one: no fields,
 * and a stamp that never holds). */
static void load_one(void *ud, long handle, struct rs_recipe *rec)
{
	struct rcache *c = ud;
	const char *f[R_N];
	const char *const **lists[4] = {&rec->iuse, &rec->use, &rec->refused,
					&rec->fixes};
	size_t *counts[4] = {&rec->n_iuse, &rec->n_use, &rec->n_refused,
			     &rec->n_fixes};

	if (!record_at(c, (Id)handle, f))
		return;
	rec->slot = f[R_SLOT];
	rec->subslot = or_null(f[R_SUBSLOT]);
	rec->eapi = atoi(f[R_EAPI]);
	rec->stamp = or_null(f[R_STAMP]);
	for (int i = 0; i < 4; i++) {
		free(c->str[i]);
		free(c->arr[i]);
		*counts[i] = split(f[R_IUSE + i], &c->str[i], &c->arr[i]);
		*lists[i] = c->arr[i];
	}
	for (int k = 0; k < DEP_NCLASS; k++) {
		rec->deps[k] = or_null(f[R_DEP + k]);
		rec->dep_loc[k].file = or_null(f[R_LOCFILE + k]);
		rec->dep_loc[k].line = (unsigned)strtoul(f[R_LOCLINE + k], NULL, 10);
		rec->dep_loc[k].col = 1;
	}
}

/* rs_source.current: the version's package stamp against the tree. */
bool rcache_current(struct rcache *c, long handle)
{
	Solvable *s = pool_id2solvable(c->pool, (Id)handle);
	const char *f[R_N], *have;
	const char *name = pool_id2str(c->pool, s->name);
	const char *slash = strchr(name, '/');
	_cleanup_free_ char *cat = NULL, *now = NULL;

	if (!record_at(c, (Id)handle, f) || !*(have = f[R_STAMP]) || !slash)
		return false;
	cat = xstrndup(name, (size_t)(slash - name));
	now = rcache_pkg_stamp(c->treefd, cat, slash + 1,
			       pool_id2str(c->pool, s->evr), INT64_MAX);
	return strcmp(have, now) == 0;
}

const char *rcache_global_stamp(const struct rcache *c) { return c->stamp; }

/* Map resolve.data when it is the one the .solv was written with. */
static bool map_data(struct rcache *c, const char *path)
{
	_cleanup_free_ char *dpath = xasprintf("%s.data", path);
	_cleanup_free_ char *head = NULL;
	_cleanup_close_ int fd = open(dpath, O_RDONLY | O_CLOEXEC);
	const char *id = repo_lookup_str(c->repo, SOLVID_META, c->key[K_DATAID]);
	struct stat st;
	void *m;

	if (fd < 0 || !id || fstat(fd, &st) != 0 || st.st_size == 0)
		return false;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return false;
	c->data = m;
	c->data_len = (size_t)st.st_size;
	head = xasprintf("gild-resolve-data %s\n", id);
	return c->data_len > strlen(head) &&
	       memcmp(c->data, head, strlen(head)) == 0;
}

int rcache_open(const char *path, const char *tree, const char *confdir,
		const char *profile, struct rs_input *in, struct rcache **out)
{
	_cleanup_fclose_ FILE *f = fopen(path, "r");
	_cleanup_free_ char *spath = xasprintf("%s.stamp", path), *stamp = NULL;
	struct gild_err err = GILD_ERR_INIT;
	struct rcache *c;
	const char *have;
	char hash[17];
	size_t len;
	Solvable *s;
	Id p;

	*out = NULL;
	if (!f || gild_read_file(spath, &stamp, &len, &err) < 0 ||
	    !stamp_current(stamp, tree, confdir, profile))
		return 0;
	stamp_hash(stamp, hash);
	c = xcalloc(1, sizeof(*c));
	c->treefd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c->stamp = TAKE_PTR(stamp);
	c->pool = pool_create();
	c->repo = repo_create(c->pool, "gild-tree");
	intern_keys(c->pool, c->key);
	if (repo_add_solv(c->repo, f, 0) != 0 ||
	    !(have = repo_lookup_str(c->repo, SOLVID_META, c->key[K_FP])) ||
	    strcmp(have, hash) != 0 || !map_data(c, path)) {
		rcache_free(c);
		return 0;
	}
	FOR_REPO_SOLVABLES(c->repo, p, s) {
		const char *name = pool_id2str(c->pool, s->name);
		const char *slash = strchr(name, '/');
		char cat[256];
		enum rs_origin o = (enum rs_origin)(
			repo_lookup_num(c->repo, p, c->key[K_ORIGIN], 1) - 1);
		if (!slash || (size_t)(slash - name) >= sizeof(cat))
			continue; /* not written by rcache_save */
		memcpy(cat, name, (size_t)(slash - name));
		cat[slash - name] = 0;
		rs_input_add_stub(in, cat, slash + 1, pool_id2str(c->pool, s->evr),
				  o, p);
	}
	rs_input_set_loader(in, load_one, c);
	*out = c;
	return 1;
}
