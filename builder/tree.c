/* tree.c: walking recipes/ into packages and versions (see tree.h). */
#include "tree-impl.h"

#include "metadata.h"
#include "version.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

/* ---- walking recipes/ ---------------------------------------------------- */

static DIR *open_dir_at(int dirfd, const char *rel)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* Names in a directory (no dot files), sorted; only subdirectories when
 * dirs, else only names ending in suffix. */
static void list_dir(DIR *d, bool dirs, const char *suffix,
		     struct gild_strv *out)
{
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		bool is_dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
			struct stat st;
			is_dir = fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
				 S_ISDIR(st.st_mode);
		}
		if (dirs ? is_dir : (!is_dir && gild_endswith(e->d_name, suffix)))
			gild_strv_add(out, e->d_name);
	}
	gild_strv_sort(out);
}

static int cmp_versions(const void *a, const void *b)
{
	const struct recipe *x = *(struct recipe *const *)a;
	const struct recipe *y = *(struct recipe *const *)b;
	return version_cmp(x->pvr, y->pvr);
}

static void keep_error(struct tree *t, const struct gild_err *err)
{
	gild_grow(&t->errors, &t->errcap, t->nerrors + 1, sizeof(*t->errors));
	t->errors[t->nerrors++] = *err;
}

/* Load recipes/<cat>/<pn>/<pf>.recipe into one package (none: no package). */
static int load_pkg(struct tree *t, struct recipe_loader *l, const char *cat,
		    const char *pn, struct gild_err *err)
{
	char rel[1024];
	_cleanup_strv_ struct gild_strv files = GILD_STRV_INIT;
	struct tree_pkg pkg = {0};
	size_t cap = 0;
	int r = 0;

	snprintf(rel, sizeof(rel), "recipes/%s/%s", cat, pn);
	DIR *d = open_dir_at(t->rootfd, rel);
	if (!d)
		return gild_fail_errno(err, rel, "cannot read");
	list_dir(d, false, ".recipe", &files);
	closedir(d);
	for (size_t i = 0; i < files.n; i++) {
		struct recipe *rec = NULL;
		if ((r = recipe_load(l, cat, pn, files.v[i], &rec, err)) < 0) {
			if (!(t->flags & TREE_LOAD_KEEP_GOING))
				break;
			keep_error(t, err);
			gild_err_clear(err);
			r = 0;
			continue;
		}
		gild_grow(&pkg.versions, &cap, pkg.n_versions + 1,
			  sizeof(*pkg.versions));
		pkg.versions[pkg.n_versions++] = rec;
	}
	if (pkg.n_versions == 0 || r < 0) {
		for (size_t i = 0; i < pkg.n_versions; i++)
			recipe_free(pkg.versions[i]);
		free(pkg.versions);
		return r;
	}
	qsort(pkg.versions, pkg.n_versions, sizeof(*pkg.versions), cmp_versions);
	/* names point into the first recipe: it lives as long as the tree */
	pkg.category = pkg.versions[0]->category;
	pkg.pn = pkg.versions[0]->pn;
	gild_grow(&t->pkgs, &t->pkgcap, t->npkgs + 1, sizeof(*t->pkgs));
	t->pkgs[t->npkgs++] = pkg;
	t->nrecipes += pkg.n_versions;
	return 0;
}

static int load_category(struct tree *t, struct recipe_loader *l,
			 const char *cat, struct gild_err *err)
{
	char rel[512];
	_cleanup_strv_ struct gild_strv pns = GILD_STRV_INIT;
	int r;

	snprintf(rel, sizeof(rel), "recipes/%s", cat);
	DIR *d = open_dir_at(t->rootfd, rel);
	if (!d)
		return 0; /* listed in profiles/categories but empty here */
	list_dir(d, true, NULL, &pns);
	closedir(d);
	for (size_t i = 0; i < pns.n; i++)
		if ((r = load_pkg(t, l, cat, pns.v[i], err)) < 0)
			return r;
	return 0;
}

/* profiles/categories, else the directories of recipes/ but classes/. */
static int read_categories(struct tree *t, struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	bool exists;
	int r;

	if ((r = tree_read_optional(t, "profiles/categories", &b, &exists,
				    err)) < 0)
		return r;
	if (exists) {
		const char *p = b.p ? b.p : "";
		while (*p) {
			size_t n = strcspn(p, "\n");
			gild_str w = {p, n};
			while (w.n && strchr(" \t\r", w.p[w.n - 1]))
				w.n--;
			while (w.n && strchr(" \t", w.p[0])) {
				w.p++;
				w.n--;
			}
			if (w.n && w.p[0] != '#')
				gild_strv_push(&t->categories, gild_str_dup(w));
			p += n + (p[n] == '\n');
		}
		gild_strv_sort(&t->categories);
		return 0;
	}
	DIR *d = open_dir_at(t->rootfd, "recipes");
	if (!d)
		return 0;
	struct gild_strv all = GILD_STRV_INIT;
	list_dir(d, true, NULL, &all);
	closedir(d);
	for (size_t i = 0; i < all.n; i++)
		if (strcmp(all.v[i], "classes") != 0)
			gild_strv_add(&t->categories, all.v[i]);
	gild_strv_release(&all);
	return 0;
}

int tree_load(const char *path, unsigned flags, struct tree **out,
	      struct gild_err *err)
{
	_cleanup_(tree_freep) struct tree *t = xcalloc(1, sizeof(*t));
	int r;

	t->root = xstrdup(path);
	t->flags = flags;
	t->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0)
		return gild_fail_errno(err, path, "cannot open tree");
	if ((r = tree_read_repo_files(t, err)) < 0 ||
	    (r = read_categories(t, err)) < 0)
		return r;
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
		recipe_loader_new(path, flags & RECIPE_LOAD_FUNCTIONS, err);
	if (!l)
		return -GILD_E_NOTFOUND;
	/* categories are sorted and so are package names: pkgs stay sorted */
	for (size_t i = 0; i < t->categories.n; i++)
		if ((r = load_category(t, l, t->categories.v[i], err)) < 0)
			return r;
	*out = TAKE_PTR(t);
	return 0;
}

void tree_free(struct tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->npkgs; i++) {
		for (size_t j = 0; j < t->pkgs[i].n_versions; j++)
			recipe_free(t->pkgs[i].versions[j]);
		free(t->pkgs[i].versions);
		metadata_free(t->pkgs[i].md);
	}
	free(t->pkgs);
	free(t->errors);
	tree_release_repo_files(t);
	gild_closep(&t->rootfd);
	free(t->root);
	free(t);
}

/* ---- lookups ------------------------------------------------------------- */

const char *tree_root(const struct tree *t) { return t->root; }
const char *tree_repo_name(const struct tree *t) { return t->repo_name; }
const struct gild_strv *tree_categories(const struct tree *t)
{
	return &t->categories;
}
const struct gild_strv *tree_arches(const struct tree *t) { return &t->arches; }
size_t tree_npkgs(const struct tree *t) { return t->npkgs; }
struct tree_pkg *tree_pkg_at(const struct tree *t, size_t i)
{
	return i < t->npkgs ? &t->pkgs[i] : NULL;
}
size_t tree_nrecipes(const struct tree *t) { return t->nrecipes; }
size_t tree_nerrors(const struct tree *t) { return t->nerrors; }
const struct gild_err *tree_error_at(const struct tree *t, size_t i)
{
	return i < t->nerrors ? &t->errors[i] : NULL;
}

static int cmp_pkg(const char *cat, const char *pn, const struct tree_pkg *p)
{
	int c = strcmp(cat, p->category);
	return c ? c : strcmp(pn, p->pn);
}

struct tree_pkg *tree_find(const struct tree *t, const char *category,
			   const char *pn)
{
	size_t lo = 0, hi = t->npkgs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_pkg(category, pn, &t->pkgs[mid]);
		if (c == 0)
			return &t->pkgs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct recipe *tree_find_recipe(const struct tree *t,
				      const char *category, const char *pn,
				      const char *pvr)
{
	const struct tree_pkg *p = tree_find(t, category, pn);
	for (size_t i = 0; p && i < p->n_versions; i++)
		if (version_cmp(p->versions[i]->pvr, pvr) == 0)
			return p->versions[i];
	return NULL;
}

size_t tree_find_pn(const struct tree *t, const char *pn,
		    struct tree_pkg **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->npkgs; i++)
		if (strcmp(t->pkgs[i].pn, pn) == 0) {
			if (n < max)
				out[n] = &t->pkgs[i];
			n++;
		}
	return n;
}

int tree_foreach_recipe(const struct tree *t,
			int (*fn)(const struct recipe *r, void *ud), void *ud)
{
	for (size_t i = 0; i < t->npkgs; i++)
		for (size_t j = 0; j < t->pkgs[i].n_versions; j++) {
			int r = fn(t->pkgs[i].versions[j], ud);
			if (r)
				return r;
		}
	return 0;
}

int tree_pkg_metadata(const struct tree *t, struct tree_pkg *pkg,
		      const struct metadata **out, struct gild_err *err)
{
	if (!pkg->md_read) {
		char *rel = xasprintf("recipes/%s/%s/metadata.xml",
				      pkg->category, pkg->pn);
		int r = metadata_load_at(t->rootfd, rel, &pkg->md, err);
		free(rel);
		if (r < 0)
			return r;
		pkg->md_read = true;
	}
	*out = pkg->md;
	return 0;
}
