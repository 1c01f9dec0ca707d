/* tree.c: walking recipes/ into packages and versions (see tree.h). */
#include "tree-impl.h"

#include "pms/pms.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
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
		if (dirs ? is_dir
			 : (!is_dir && gild_endswith(e->d_name, suffix)))
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

/* One loading thread: a contiguous range of package directories, its own
 * recipe loader (class cache and scratch), its own errors. */
struct worker {
	struct tree *t;
	const char *const *cats; /* category of each package directory */
	char *const *pns;
	struct tree_pkg *slots; /* one per package directory; empty: none */
	size_t lo, hi;
	struct gild_err err;
	int r;
	struct gild_err *errors; /* kept under TREE_LOAD_KEEP_GOING */
	size_t nerrors, errcap;
	struct gild_strv err_recipes; /* the recipe of each ("" for none) */
};

static void keep_error(struct worker *w, const char *recipe)
{
	gild_grow(&w->errors, &w->errcap, w->nerrors + 1, sizeof(*w->errors));
	w->errors[w->nerrors++] = w->err;
	gild_strv_add(&w->err_recipes, recipe);
	gild_err_clear(&w->err);
}

/* Load recipes/<cat>/<pn>/<pf>.recipe into one package (none: no package). */
static int load_pkg(struct worker *w, struct recipe_loader *l, size_t idx)
{
	const char *cat = w->cats[idx], *pn = w->pns[idx];
	char rel[1024];
	_cleanup_strv_ struct gild_strv files = GILD_STRV_INIT;
	struct tree_pkg pkg = {0};
	size_t cap = 0;
	int r = 0;

	snprintf(rel, sizeof(rel), "recipes/%s/%s", cat, pn);
	DIR *d = open_dir_at(w->t->rootfd, rel);
	if (!d)
		return gild_fail_errno(&w->err, rel, "cannot read");
	list_dir(d, false, ".recipe", &files);
	closedir(d);
	for (size_t i = 0; i < files.n; i++) {
		struct recipe *rec = NULL;
		if ((r = recipe_load(l, cat, pn, files.v[i], &rec, &w->err)) <
		    0) {
			if (!(w->t->flags & TREE_LOAD_KEEP_GOING))
				break;
			char path[1280];
			snprintf(path, sizeof(path), "%s/%s", rel, files.v[i]);
			keep_error(w, path);
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
	qsort(pkg.versions, pkg.n_versions, sizeof(*pkg.versions),
	      cmp_versions);
	/* names point into the first recipe: it lives as long as the tree */
	pkg.category = pkg.versions[0]->category;
	pkg.pn = pkg.versions[0]->pn;
	w->slots[idx] = pkg;
	return 0;
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct recipe_loader *l = recipe_loader_new(
	    w->t->root, w->t->flags & RECIPE_LOAD_FUNCTIONS, &w->err);

	if (!l) {
		w->r = -GILD_E_NOTFOUND;
		return NULL;
	}
	for (size_t i = w->lo; i < w->hi && w->r == 0; i++)
		w->r = load_pkg(w, l, i);
	recipe_loader_free(l);
	return NULL;
}

/* Every recipes/<cat>/<pn> directory, in category then name order. */
static void list_pkg_dirs(struct tree *t, struct gild_strv *cats,
			  struct gild_strv *pns)
{
	char rel[512];

	for (size_t c = 0; c < t->categories.n; c++) {
		struct gild_strv names = GILD_STRV_INIT;
		snprintf(rel, sizeof(rel), "recipes/%s", t->categories.v[c]);
		DIR *d = open_dir_at(t->rootfd, rel);
		if (!d)
			continue; /* listed in profiles/categories, empty here
				   */
		list_dir(d, true, NULL, &names);
		closedir(d);
		for (size_t i = 0; i < names.n; i++) {
			gild_strv_push(cats, t->categories.v[c]); /* borrowed */
			gild_strv_push(pns, TAKE_PTR(names.v[i]));
		}
		gild_strv_release(&names);
	}
}

/* Two threads on this 2-core class of machine; GILD_TREE_THREADS=N
 * overrides (1 for a single-threaded load). */
static size_t thread_count(size_t npkgs)
{
	const char *env = getenv("GILD_TREE_THREADS");
	long n = env ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1 || npkgs < 64)
		n = 1;
	return (size_t)(n > 8 ? 8 : n);
}

/* Collect the workers' results in package order. The first error in that
 * order wins, as if the load had been sequential. */
static int collect(struct tree *t, struct worker *w, size_t nw, size_t npkgs,
		   struct tree_pkg *slots, struct gild_err *err)
{
	int r = 0;

	for (size_t i = 0; i < nw; i++) {
		for (size_t e = 0; e < w[i].nerrors; e++) {
			gild_grow(&t->errors, &t->errcap, t->nerrors + 1,
				  sizeof(*t->errors));
			t->errors[t->nerrors++] = w[i].errors[e];
			gild_strv_add(&t->err_recipes, w[i].err_recipes.v[e]);
		}
		free(w[i].errors);
		gild_strv_release(&w[i].err_recipes);
		if (w[i].r < 0 && r == 0) {
			r = w[i].r;
			*err = w[i].err;
		}
	}
	t->pkgs = xcalloc(npkgs ? npkgs : 1, sizeof(*t->pkgs));
	for (size_t i = 0; i < npkgs; i++) {
		if (!slots[i].n_versions)
			continue;
		t->pkgs[t->npkgs++] = slots[i];
		t->nrecipes += slots[i].n_versions;
	}
	return r;
}

static int load_pkgs(struct tree *t, struct gild_err *err)
{
	struct gild_strv cats = GILD_STRV_INIT, pns = GILD_STRV_INIT;
	list_pkg_dirs(t, &cats, &pns);
	size_t n = pns.n, nw = thread_count(n);
	struct tree_pkg *slots = xcalloc(n ? n : 1, sizeof(*slots));
	struct worker w[8];
	pthread_t tid[8];

	for (size_t i = 0; i < nw; i++)
		w[i] = (struct worker){.t = t,
				       .cats = (const char *const *)cats.v,
				       .pns = pns.v,
				       .slots = slots,
				       .lo = n * i / nw,
				       .hi = n * (i + 1) / nw};
	size_t started = 1;
	for (; started < nw; started++)
		if (pthread_create(&tid[started], NULL, run_worker,
				   &w[started]))
			break;
	run_worker(&w[0]);
	/* a thread that could not start: this one does its range too */
	for (size_t i = started; i < nw; i++)
		run_worker(&w[i]);
	for (size_t i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	int r = collect(t, w, nw, n, slots, err);
	free(slots);
	free(cats.v); /* the category names are borrowed */
	gild_strv_release(&pns);
	return r;
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
	/* categories are sorted and so are package names: pkgs stay sorted */
	if ((r = load_pkgs(t, err)) < 0)
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
	gild_strv_release(&t->err_recipes);
	tree_release_repo_files(t);
	gild_closep(&t->rootfd);
	free(t->root);
	free(t);
}

/* ---- lookups ------------------------------------------------------------- */

const char *tree_root(const struct tree *t)
{
	return t->root;
}
const char *tree_repo_name(const struct tree *t)
{
	return t->repo_name;
}
const struct gild_strv *tree_categories(const struct tree *t)
{
	return &t->categories;
}
const struct gild_strv *tree_arches(const struct tree *t)
{
	return &t->arches;
}
size_t tree_npkgs(const struct tree *t)
{
	return t->npkgs;
}
struct tree_pkg *tree_pkg_at(const struct tree *t, size_t i)
{
	return i < t->npkgs ? &t->pkgs[i] : NULL;
}
size_t tree_nrecipes(const struct tree *t)
{
	return t->nrecipes;
}
size_t tree_nerrors(const struct tree *t)
{
	return t->nerrors;
}
const struct gild_err *tree_error_at(const struct tree *t, size_t i)
{
	return i < t->nerrors ? &t->errors[i] : NULL;
}
const char *tree_error_recipe(const struct tree *t, size_t i)
{
	return i < t->err_recipes.n && t->err_recipes.v[i][0]
		   ? t->err_recipes.v[i]
		   : NULL;
}

const struct gild_err *tree_pkg_error(const struct tree *t,
				      const char *category, const char *pn)
{
	_cleanup_free_ char *dir = xasprintf("recipes/%s/%s/", category, pn);

	for (size_t i = 0; i < tree_nerrors(t); i++) {
		const char *r = tree_error_recipe(t, i);
		if (r && gild_startswith(r, dir))
			return tree_error_at(t, i);
	}
	return NULL;
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

size_t tree_find_pn(const struct tree *t, const char *pn, struct tree_pkg **out,
		    size_t max)
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
