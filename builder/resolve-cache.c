/* resolve-cache.c: see resolve-cache.h. */
#include "resolve-cache.h"

#include <fcntl.h>
#include <dirent.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/repodata.h>
#include <sys/stat.h>

#define RCACHE_FORMAT "gild-resolve-2"

/* ---- the stamp: what the cache was built from ----------------------------------
 *
 * Like git's index: the stat of every input file and directory, one line
 * each ("ROOT\tPATH\tSIZE\tMTIME\tINO", ROOT 0 the tree, 1 the
 * configuration directory), after an identity line (cache format, the gild
 * binary, the profile name). Checking a stamp stats each path again
 * without reading any directory; a file added or removed changes its
 * directory's mtime, an edit its own. */

static void stamp_line(struct gild_buf *b, char root, const char *rel,
		       const struct stat *st)
{
	if (!st) {
		gild_buf_printf(b, "%c\t%s\t-1\t0.0\t0\n", root, rel);
		return;
	}
	gild_buf_printf(b, "%c\t%s\t%lld\t%lld.%ld\t%llu\n", root, rel,
			(long long)st->st_size, (long long)st->st_mtim.tv_sec,
			st->st_mtim.tv_nsec, (unsigned long long)st->st_ino);
}

/* Only what the resolver reads: recipes and classes under recipes/ (not
 * metadata.xml, Manifest or files/), everything under profiles/ and the
 * configuration. */
static void stamp_walk(struct gild_buf *b, char root, int dfd,
		       const char *rel, bool only_meta, int depth)
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
		bool dir = e->d_type == DT_DIR;
		if (n[0] == '.')
			continue;
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		dir = S_ISDIR(st.st_mode);
		if (only_meta && (dir ? !strcmp(n, "files")
				      : !gild_endswith(n, ".recipe") &&
						!gild_endswith(n, ".class")))
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, n) : xstrdup(n);
		stamp_line(b, root, sub, &st);
		if (dir && depth < 16) {
			int fd = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0)
				stamp_walk(b, root, fd, sub, only_meta, depth + 1);
		}
	}
	closedir(d);
}

static void stamp_root(struct gild_buf *b, char root, const char *base,
		       const char *rel, bool only_meta)
{
	_cleanup_free_ char *path = *rel ? gild_path_join(base, rel) : xstrdup(base);
	struct stat st;
	int fd;

	if (stat(path, &st) != 0) {
		stamp_line(b, root, *rel ? rel : ".", NULL);
		return;
	}
	stamp_line(b, root, *rel ? rel : ".", &st);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		stamp_walk(b, root, fd, rel, only_meta, 0);
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
		stamp_line(b, 'B', "gild", &self);
	else
		gild_buf_addc(b, '\n');
}

char *rcache_stamp(const char *tree, const char *confdir, const char *profile)
{
	struct gild_buf b = GILD_BUF_INIT;

	identity(&b, profile);
	stamp_root(&b, '0', tree, "recipes", true);
	stamp_root(&b, '0', tree, "profiles", false);
	stamp_root(&b, '1', confdir, "", false);
	return gild_buf_steal(&b);
}

static bool line_current(const char *line, int tfd, int cfd, struct gild_buf *tmp)
{
	const char *tab = strchr(line + 2, '\t');
	_cleanup_free_ char *rel = NULL;
	struct stat st;
	int rc;

	if (!tab || (line[0] != '0' && line[0] != '1'))
		return false;
	rel = xstrndup(line + 2, (size_t)(tab - line - 2));
	rc = fstatat(line[0] == '0' ? tfd : cfd, rel, &st, AT_SYMLINK_NOFOLLOW);
	gild_buf_reset(tmp);
	stamp_line(tmp, line[0], rel, rc == 0 ? &st : NULL);
	return strncmp(gild_buf_str(tmp), line, tmp->n) == 0;
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
		if (!ok && s[0] == '1' && cfd < 0 && strstr(s, "\t-1\t"))
			ok = true;
	}
	gild_buf_release(&id);
	gild_buf_release(&tmp);
	return ok;
}

/* ---- the keys ----------------------------------------------------------------- */

enum {
	K_SLOT, K_SUBSLOT, K_IUSE, K_USE, K_REFUSED, K_FIXES, K_ORIGIN,
	K_EAPI, K_DEP, /* then one per class, then their locations */
	K_LOCFILE = K_DEP + DEP_NCLASS,
	K_LOCLINE = K_LOCFILE + DEP_NCLASS,
	K_N = K_LOCLINE + DEP_NCLASS,
	K_FP = K_N
};

static void intern_keys(Pool *pool, Id *key)
{
	static const char *const names[] = {"slot", "subslot", "iuse", "use",
					    "refused", "fixes", "origin", "eapi"};
	char buf[64];

	for (int i = 0; i < K_DEP; i++) {
		snprintf(buf, sizeof(buf), "gild:%s", names[i]);
		key[i] = pool_str2id(pool, buf, 1);
	}
	for (int c = 0; c < DEP_NCLASS; c++) {
		snprintf(buf, sizeof(buf), "gild:%s", dep_class_key(c));
		key[K_DEP + c] = pool_str2id(pool, buf, 1);
		snprintf(buf, sizeof(buf), "gild:%s.file", dep_class_key(c));
		key[K_LOCFILE + c] = pool_str2id(pool, buf, 1);
		snprintf(buf, sizeof(buf), "gild:%s.line", dep_class_key(c));
		key[K_LOCLINE + c] = pool_str2id(pool, buf, 1);
	}
	key[K_FP] = pool_str2id(pool, "gild:stamp-hash", 1);
}

/* Lists are stored as one string, items separated by '\n'. */
static char *join(const char *const *v, size_t n)
{
	struct gild_buf b = GILD_BUF_INIT;

	for (size_t i = 0; i < n; i++)
		gild_buf_printf(&b, "%s%s", i ? "\n" : "", v[i]);
	return gild_buf_steal(&b);
}

static void set_list(Repodata *d, Id h, Id key, const char *const *v, size_t n)
{
	_cleanup_free_ char *s = NULL;

	if (!n)
		return;
	s = join(v, n);
	repodata_set_str(d, h, key, s);
}

static void save_one(Pool *pool, Repo *repo, Repodata *d, const Id *key,
		     const struct rs_recipe *c)
{
	Id h = repo_add_solvable(repo);
	Solvable *s = pool_id2solvable(pool, h);
	_cleanup_free_ char *name = xasprintf("%s/%s", c->category, c->pn);

	s->name = pool_str2id(pool, name, 1);
	s->evr = pool_str2id(pool, c->pvr, 1);
	s->arch = ARCH_NOARCH;
	repodata_set_str(d, h, key[K_SLOT], c->slot);
	if (c->subslot)
		repodata_set_str(d, h, key[K_SUBSLOT], c->subslot);
	set_list(d, h, key[K_IUSE], c->iuse, c->n_iuse);
	set_list(d, h, key[K_USE], c->use, c->n_use);
	set_list(d, h, key[K_REFUSED], c->refused, c->n_refused);
	set_list(d, h, key[K_FIXES], c->fixes, c->n_fixes);
	repodata_set_num(d, h, key[K_ORIGIN], (unsigned)c->origin + 1);
	repodata_set_num(d, h, key[K_EAPI], (unsigned)c->eapi + 1);
	for (int k = 0; k < DEP_NCLASS; k++) {
		if (!c->deps[k] || !*c->deps[k])
			continue;
		repodata_set_str(d, h, key[K_DEP + k], c->deps[k]);
		if (c->dep_loc[k].file) {
			repodata_set_str(d, h, key[K_LOCFILE + k], c->dep_loc[k].file);
			repodata_set_num(d, h, key[K_LOCLINE + k],
					 c->dep_loc[k].line);
		}
	}
}

int rcache_save(const char *path, const char *stamp, const struct rs_input *in,
		struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *dir = xstrdup(path);
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "gild-tree");
	Repodata *d = repo_add_repodata(repo, 0);
	_cleanup_(gild_atomic_release) struct gild_atomic sf = GILD_ATOMIC_INIT;
	_cleanup_free_ char *spath = xasprintf("%s.stamp", path);
	char hash[17];
	Id key[K_N + 1];
	int r;

	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	intern_keys(pool, key);
	for (size_t i = 0; i < rs_input_count(in); i++)
		save_one(pool, repo, d, key, rs_input_at(in, i));
	stamp_hash(stamp, hash);
	repodata_set_str(d, SOLVID_META, key[K_FP], hash);
	repodata_internalize(d);
	if ((r = gild_mkdir_p(dir, 0755, err)) < 0 ||
	    (r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0) {
		pool_free(pool);
		return r;
	}
	r = repo_write(repo, af.f);
	pool_free(pool);
	if (r)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "cannot write the resolver cache '%s'", path);
	/* the .solv first: a stamp never describes a cache not yet there */
	if ((r = gild_atomic_commit(&af, err)) < 0 ||
	    (r = gild_atomic_open(&sf, AT_FDCWD, spath, 0644, err)) < 0)
		return r;
	fputs(stamp, sf.f);
	return gild_atomic_commit(&sf, err);
}

/* ---- reading ------------------------------------------------------------------- */

/* Split a '\n' list in place into *vp (allocated). */
static size_t split(char *s, const char ***vp)
{
	size_t n = 0, cap = 1;
	const char **v;

	for (const char *t = s; t && *t; t++)
		cap += *t == '\n';
	*vp = v = xcalloc(cap + 1, sizeof(*v));
	while (s && *s && n < cap) {
		char *nl = strchr(s, '\n');
		v[n++] = s;
		if (!nl)
			break;
		*nl = 0;
		s = nl + 1;
	}
	return n;
}

struct rcache {
	Pool *pool;
	Repo *repo;
	Id key[K_N + 1];
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
	pool_free(c->pool);
	free(c);
}

static size_t load_list(struct rcache *c, int slot, Id p, Id key,
			const char *const **out)
{
	const char *s = repo_lookup_str(c->repo, p, key);
	size_t n;

	free(c->str[slot]);
	free(c->arr[slot]);
	c->str[slot] = s ? xstrdup(s) : NULL;
	n = split(c->str[slot], &c->arr[slot]);
	*out = c->arr[slot];
	return n;
}

/* rs_load_fn: a stub's fields from its solvable. */
static void load_one(void *ud, long handle, struct rs_recipe *rec)
{
	struct rcache *c = ud;
	Repo *repo = c->repo;
	const Id *key = c->key;
	Id p = (Id)handle;

	rec->slot = repo_lookup_str(repo, p, key[K_SLOT]);
	rec->subslot = repo_lookup_str(repo, p, key[K_SUBSLOT]);
	rec->eapi = (int)repo_lookup_num(repo, p, key[K_EAPI], 9) - 1;
	rec->n_iuse = load_list(c, 0, p, key[K_IUSE], &rec->iuse);
	rec->n_use = load_list(c, 1, p, key[K_USE], &rec->use);
	rec->n_refused = load_list(c, 2, p, key[K_REFUSED], &rec->refused);
	rec->n_fixes = load_list(c, 3, p, key[K_FIXES], &rec->fixes);
	for (int k = 0; k < DEP_NCLASS; k++) {
		rec->deps[k] = repo_lookup_str(repo, p, key[K_DEP + k]);
		rec->dep_loc[k].file = repo_lookup_str(repo, p, key[K_LOCFILE + k]);
		rec->dep_loc[k].line =
			(unsigned)repo_lookup_num(repo, p, key[K_LOCLINE + k], 0);
		rec->dep_loc[k].col = 1;
	}
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
	c->pool = pool_create();
	c->repo = repo_create(c->pool, "gild-tree");
	intern_keys(c->pool, c->key);
	if (repo_add_solv(c->repo, f, 0) != 0 ||
	    !(have = repo_lookup_str(c->repo, SOLVID_META, c->key[K_FP])) ||
	    strcmp(have, hash) != 0) {
		rcache_free(c);
		return 0;
	}
	FOR_REPO_SOLVABLES(c->repo, p, s) {
		const char *name = pool_id2str(c->pool, s->name);
		const char *slash = strchr(name, '/');
		_cleanup_free_ char *cat = xstrndup(name, (size_t)(slash - name));
		enum rs_origin o = (enum rs_origin)(
			repo_lookup_num(c->repo, p, c->key[K_ORIGIN], 1) - 1);
		rs_input_add_stub(in, cat, slash + 1, pool_id2str(c->pool, s->evr),
				  o, p);
	}
	rs_input_set_loader(in, load_one, c);
	*out = c;
	return 1;
}
