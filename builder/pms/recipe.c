/* recipe.c: loading recipes and their classes (see recipe.h). */
#include "recipe-impl.h"

#include <fcntl.h>

static const char *const var_names[RECIPE_NVARS] = {
    "EAPI",	  "DESCRIPTION", "HOMEPAGE", "SRC_URI",	     "LICENSE",
    "SLOT",	  "KEYWORDS",	 "IUSE",     "REQUIRED_USE", "RESTRICT",
    "PROPERTIES", "DEPEND",	 "BDEPEND",  "RDEPEND",	     "PDEPEND",
    "IDEPEND",	  "S",		 "PATCHES"};

const char *recipe_var_name(enum recipe_var v)
{
	return var_names[v];
}

int recipe_var_by_name(gild_str name)
{
	for (int i = 0; i < RECIPE_NVARS; i++)
		if (gild_str_eq(name, var_names[i]))
			return i;
	return -1;
}

bool recipe_var_is_incremental(enum recipe_var v)
{
	switch (v) {
	case RECIPE_IUSE:
	case RECIPE_REQUIRED_USE:
	case RECIPE_RESTRICT:
	case RECIPE_PROPERTIES:
	case RECIPE_DEPEND:
	case RECIPE_BDEPEND:
	case RECIPE_RDEPEND:
	case RECIPE_PDEPEND:
	case RECIPE_IDEPEND:
		return true;
	default:
		return false;
	}
}

/* ---- the loader ---------------------------------------------------------- */

struct recipe_loader *recipe_loader_new(const char *root, unsigned flags,
					struct gild_err *err)
{
	struct recipe_loader *l = xcalloc(1, sizeof(*l));

	l->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->rootfd < 0) {
		gild_fail_errno(err, root, "cannot open tree");
		free(l);
		return NULL;
	}
	l->flags = flags;
	return l;
}

void recipe_loader_free(struct recipe_loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nclasses; i++) {
		free(l->classes[i].name);
		free(l->classes[i].path);
		free(l->classes[i].text);
	}
	free(l->classes);
	for (size_t i = 0; i < l->varcap; i++) {
		gild_buf_release(&l->vars[i].name);
		gild_buf_release(&l->vars[i].val);
	}
	free(l->vars);
	for (size_t i = 0; i < RECIPE_NVARS; i++)
		gild_buf_release(&l->accum[i]);
	gild_buf_release(&l->path);
	gild_buf_release(&l->text);
	gild_strv_release(&l->qa);
	free(l->funcs);
	free(l->inherited);
	gild_closep(&l->rootfd);
	free(l);
}

/* Read dirfd/path into b (reused). Returns 0 or -errno. */
int recipe_read_file(int dirfd, const char *path, struct gild_buf *b,
		     struct gild_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return gild_fail_errno(err, path, "cannot open");
	gild_buf_reset(b);
	for (;;) {
		gild_grow(&b->p, &b->cap, b->n + 8192 + 1, 1);
		ssize_t n = read(fd, b->p + b->n, b->cap - b->n - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gild_fail_errno(err, path, "cannot read");
		if (n == 0)
			break;
		b->n += (size_t)n;
	}
	b->p[b->n] = '\0';
	return 0;
}

/* ---- the variable store -------------------------------------------------- */

struct loader_var *var_find(struct recipe_loader *l, gild_str name)
{
	for (size_t i = 0; i < l->nvars; i++)
		if (l->vars[i].name.n == name.n &&
		    memcmp(l->vars[i].name.p, name.p, name.n) == 0)
			return &l->vars[i];
	return NULL;
}

void var_set(struct recipe_loader *l, gild_str name, gild_str val, bool append)
{
	struct loader_var *v = var_find(l, name);

	if (!v) {
		if (l->nvars == l->varcap) {
			size_t old = l->varcap;
			gild_grow(&l->vars, &l->varcap, l->nvars + 1,
				  sizeof(*l->vars));
			memset(l->vars + old, 0,
			       (l->varcap - old) * sizeof(*l->vars));
		}
		v = &l->vars[l->nvars++];
		gild_buf_reset(&v->name);
		gild_buf_add(&v->name, name.p, name.n);
		append = false;
	}
	if (!append)
		gild_buf_reset(&v->val);
	gild_buf_add(&v->val, val.p, val.n);
}

gild_str var_get(struct recipe_loader *l, const char *name)
{
	struct loader_var *v = var_find(l, GILD_STR_C(name));
	return v ? (gild_str){v->val.p, v->val.n} : (gild_str){"", 0};
}

/* Variables only the builder knows (PMS 11.1 "Defined variables" set
 * during phases) expand to themselves, so S="${WORKDIR}/${P}" keeps the
 * reference for the phase driver to fill in. */
static const char *const phase_vars[] = {
    "${WORKDIR}",  "${FILESDIR}", "${DISTDIR}", "${T}",	    "${D}",
    "${ED}",	   "${EPREFIX}",  "${ROOT}",	"${EROOT}", "${SYSROOT}",
    "${ESYSROOT}", "${BROOT}",	  "${HOME}",	"${TMPDIR}"};

bool recipe_lookup(struct recipe_loader *l, gild_str name, gild_str *val)
{
	struct loader_var *v = var_find(l, name);

	if (v) {
		*val = (gild_str){v->val.p ? v->val.p : "", v->val.n};
		return true;
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(phase_vars); i++) {
		const char *pv = phase_vars[i];
		if (strlen(pv) == name.n + 3 &&
		    memcmp(pv + 2, name.p, name.n) == 0) {
			*val = GILD_STR_C(pv);
			return true;
		}
	}
	return false;
}

/* ---- parsing one recipe -------------------------------------------------- */

/* Split recipes/<cat>/<pn>/<pf>.recipe (or <pf>.recipe with category)
 * into the standard variables (PMS 11.1.1). */
static int set_path_vars(struct recipe_loader *l, const char *category,
			 const char *path, struct gild_err *err)
{
	struct gild_loc loc = {.file = path};
	const char *base = strrchr(path, '/');
	struct cpv c;
	int r;

	base = base ? base + 1 : path;
	if (!gild_endswith(base, ".recipe"))
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "a recipe file name must end in '.recipe'");
	if (!category_valid(category, strlen(category)))
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "invalid category name '%s'", category);
	if ((r = cpv_split_pf(base, strlen(base) - 7, &c, err)) < 0) {
		struct gild_err e = *err;
		return gild_fail(err, r, &loc,
				 "invalid recipe file name '%s': %s", base,
				 e.msg);
	}
	/* the directory must be the package name (PMS 4.3) */
	const char *dir_end = base - 1, *dir = dir_end;
	while (dir > path && dir[-1] != '/')
		dir--;
	if (base != path && ((size_t)(dir_end - dir) != c.package.n ||
			     memcmp(dir, c.package.p, c.package.n) != 0))
		return gild_fail(
		    err, -GILD_E_SYNTAX, &loc,
		    "recipe '%s' is not in a directory named '%.*s'", base,
		    GILD_STR_ARG(c.package));
	gild_str pr = c.revision.n
			  ? (gild_str){c.revision.p - 1, c.revision.n + 1}
			  : GILD_STR_C("r0");
	char pbuf[512];
	int pn = snprintf(pbuf, sizeof(pbuf), "%.*s-%.*s",
			  GILD_STR_ARG(c.package), GILD_STR_ARG(c.version));
	if (pn < 0 || (size_t)pn >= sizeof(pbuf))
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "recipe name too long");
	var_set(l, GILD_STR_C("CATEGORY"), GILD_STR_C(category), false);
	var_set(l, GILD_STR_C("PN"), c.package, false);
	var_set(l, GILD_STR_C("PV"), c.version, false);
	var_set(l, GILD_STR_C("PR"), pr, false);
	var_set(l, GILD_STR_C("PVR"), c.pvr, false);
	var_set(l, GILD_STR_C("PF"), (gild_str){base, strlen(base) - 7}, false);
	var_set(l, GILD_STR_C("P"), (gild_str){pbuf, (size_t)pn}, false);
	l->n_std_vars = l->nvars;
	return 0;
}

static void loader_reset(struct recipe_loader *l)
{
	l->nvars = 0;
	for (size_t i = 0; i < RECIPE_NVARS; i++) {
		gild_buf_reset(&l->accum[i]);
		l->var_loc[i] = (struct gild_loc){0};
	}
	l->nfuncs = 0;
	l->ninherited = 0;
	l->depth = 0;
	l->eapi = 0;
	gild_strv_release(&l->qa);
}

int recipe_parse(struct recipe_loader *l, const char *category,
		 const char *path, const char *text, size_t len,
		 struct recipe **out, struct gild_err *err)
{
	int r;

	loader_reset(l);
	/* the path must stay put while locations point at it */
	if (l->path.p != path) {
		gild_buf_reset(&l->path);
		gild_buf_adds(&l->path, path);
	}
	path = l->path.p;
	if ((r = set_path_vars(l, category, path, err)) < 0)
		return r;
	if ((r = recipe_parse_body(l, path, text, len, err)) < 0)
		return r;
	return recipe_finish(l, path, out, err);
}

int recipe_load(struct recipe_loader *l, const char *category, const char *pn,
		const char *file, struct recipe **out, struct gild_err *err)
{
	int r;

	gild_buf_reset(&l->path);
	gild_buf_printf(&l->path, "recipes/%s/%s/%s", category, pn, file);
	if ((r = recipe_read_file(l->rootfd, l->path.p, &l->text, err)) < 0)
		return r;
	return recipe_parse(l, category, l->path.p, l->text.p, l->text.n, out,
			    err);
}

const struct recipe_iuse *recipe_iuse_find(const struct recipe *r,
					   const char *flag)
{
	for (size_t i = 0; i < r->n_iuse; i++)
		if (strcmp(r->iuse[i].flag, flag) == 0)
			return &r->iuse[i];
	return NULL;
}

const struct recipe_func *recipe_func_find(const struct recipe *r,
					   const char *name)
{
	for (size_t i = r->n_funcs; i-- > 0;)
		if (strcmp(r->funcs[i].name, name) == 0)
			return &r->funcs[i];
	return NULL;
}
