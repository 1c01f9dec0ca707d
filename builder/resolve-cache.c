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

#define RCACHE_FORMAT "gild-resolve-1"

/* ---- fingerprint ------------------------------------------------------------ */

static uint64_t fp_hash;

static void fp_add(const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		fp_hash = (fp_hash ^ s[i]) * 1099511628211ull; /* FNV-1a 64 */
}

static void fp_stat(const char *name, const struct stat *st)
{
	fp_add(name, strlen(name) + 1);
	fp_add(&st->st_size, sizeof(st->st_size));
	fp_add(&st->st_mtim, sizeof(st->st_mtim));
	fp_add(&st->st_ino, sizeof(st->st_ino));
}

/* Only what the resolver reads counts: recipes and classes under recipes/
 * (not metadata.xml, Manifest or files/), everything under profiles/ and
 * the configuration. A directory's own mtime catches files added and
 * removed. Names are taken relative to an open directory, so the kernel
 * does not walk the whole path for every file (the walk is most of a warm
 * run). */
static int fp_walk_fd(int dfd, bool only_meta, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;

	if (!d)
		return -errno;
	if (fstat(dfd, &st) == 0)
		fp_stat(".", &st);
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		bool dir = e->d_type == DT_DIR;
		if (n[0] == '.')
			continue;
		if (e->d_type == DT_UNKNOWN && fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) == 0)
			dir = S_ISDIR(st.st_mode);
		if (dir) {
			int sub;
			if (depth > 16 || (only_meta && !strcmp(n, "files")))
				continue;
			fp_add(n, strlen(n) + 1);
			if ((sub = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				continue;
			fp_walk_fd(sub, only_meta, depth + 1);
			continue;
		}
		if (only_meta && !gild_endswith(n, ".recipe") &&
		    !gild_endswith(n, ".class"))
			continue;
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) == 0)
			fp_stat(n, &st);
	}
	closedir(d);
	return 0;
}

static int fp_walk(const char *dir, bool only_meta)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* readdir order is the directory's order: stable while unchanged */
	return fp_walk_fd(fd, only_meta, 0);
}

int rcache_fingerprint(const char *tree, const char *confdir,
		       const char *profile, char out[17], struct gild_err *err)
{
	const char *sub[] = {"recipes", "profiles"};
	int r;

	struct stat self;

	fp_hash = 14695981039346656037ull;
	fp_add(RCACHE_FORMAT, sizeof(RCACHE_FORMAT));
	/* another gild build may evaluate differently: its binary counts */
	if (stat("/proc/self/exe", &self) == 0)
		fp_stat("gild", &self);
	fp_add(profile ? profile : "", strlen(profile ? profile : "") + 1);
	for (size_t i = 0; i < GILD_ARRAY_SIZE(sub); i++) {
		_cleanup_free_ char *d = gild_path_join(tree, sub[i]);
		if ((r = fp_walk(d, i == 0)) < 0)
			return gild_fail_errno(err, d, "cannot fingerprint");
	}
	if ((r = fp_walk(confdir, false)) < 0)
		return gild_fail_errno(err, confdir, "cannot fingerprint");
	snprintf(out, 17, "%016llx", (unsigned long long)fp_hash);
	return 0;
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
	key[K_FP] = pool_str2id(pool, "gild:fingerprint", 1);
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

int rcache_save(const char *path, const char *fp, const struct rs_input *in,
		struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *dir = xstrdup(path);
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "gild-tree");
	Repodata *d = repo_add_repodata(repo, 0);
	Id key[K_N + 1];
	int r;

	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	intern_keys(pool, key);
	for (size_t i = 0; i < rs_input_count(in); i++)
		save_one(pool, repo, d, key, rs_input_at(in, i));
	repodata_set_str(d, SOLVID_META, key[K_FP], fp);
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
	return gild_atomic_commit(&af, err);
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

int rcache_open(const char *path, const char *fp, struct rs_input *in,
		struct rcache **out)
{
	_cleanup_fclose_ FILE *f = fopen(path, "r");
	struct rcache *c;
	const char *have;
	Solvable *s;
	Id p;

	*out = NULL;
	if (!f)
		return 0;
	c = xcalloc(1, sizeof(*c));
	c->pool = pool_create();
	c->repo = repo_create(c->pool, "gild-tree");
	intern_keys(c->pool, c->key);
	if (repo_add_solv(c->repo, f, 0) != 0 ||
	    !(have = repo_lookup_str(c->repo, SOLVID_META, c->key[K_FP])) ||
	    strcmp(have, fp) != 0) {
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
