/* profile.c: the profile stack (PMS 5.2 "profile directory layout",
 * portage(5)).
 *
 * Nodes are walked depth-first, parents in the order their `parent` file
 * lists them and before the node itself (PMS 5.2.2), so that later nodes
 * override earlier ones. A node may appear twice (diamond inheritance);
 * only a node that is its own ancestor is an error.
 */
#include "config/config.h"

#include <sys/stat.h>

/* Deeper than any real profile (Gentoo's deepest is about 10 levels). */
#define PROFILE_MAX_DEPTH 64

static const char *const list_names[PL_MAX] = {
    [PL_PACKAGES] = "packages",
    [PL_PACKAGE_MASK] = "package.mask",
    [PL_PACKAGE_UNMASK] = "package.unmask",
    [PL_PACKAGE_USE] = "package.use",
    [PL_USE_FORCE] = "use.force",
    [PL_USE_MASK] = "use.mask",
    [PL_USE_STABLE_FORCE] = "use.stable.force",
    [PL_USE_STABLE_MASK] = "use.stable.mask",
    [PL_PACKAGE_USE_FORCE] = "package.use.force",
    [PL_PACKAGE_USE_MASK] = "package.use.mask",
    [PL_PACKAGE_USE_STABLE_FORCE] = "package.use.stable.force",
    [PL_PACKAGE_USE_STABLE_MASK] = "package.use.stable.mask",
    [PL_PACKAGE_PROVIDED] = "package.provided",
};

const char *profile_list_name(enum profile_list l)
{
	return list_names[l];
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (int i = 0; i < PL_MAX; i++) {
		plines_release(&p->lists[i]);
		plines_release(&p->flag_lines[i]);
	}
	if (p->vars) {
		varlist_release(p->vars);
		free(p->vars);
	}
	for (size_t i = 0; p->node_vars && i < p->nodes.n; i++)
		varlist_release(&p->node_vars[i]);
	free(p->node_vars);
	gild_strv_release(&p->nodes);
	gild_strv_release(&p->files);
	free(p->tree);
	free(p->name);
	free(p->repo_name);
	free(p);
}

const char *profile_var(const struct profile *p, const char *name)
{
	return varlist_get(p->vars, name);
}

static bool is_dir(const char *tree, const char *rel)
{
	_cleanup_free_ char *path = gild_path_join(tree, rel);
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- resolving parent entries ---------------------------------------------
 */

/* Join dir and a relative path, folding "." and ".." lexically. */
static char *path_fold(const char *dir, const char *rel)
{
	_cleanup_free_ char *joined = gild_path_join(dir, rel);
	_cleanup_strv_ struct gild_strv parts = GILD_STRV_INIT;
	struct gild_buf b = GILD_BUF_INIT;
	char *save = NULL, *tok;

	for (tok = strtok_r(joined, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0 && parts.n &&
		    strcmp(parts.v[parts.n - 1], "..") != 0) {
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
			continue;
		}
		gild_strv_add(&parts, tok);
	}
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			gild_buf_addc(&b, '/');
		gild_buf_adds(&b, parts.v[i]);
	}
	return gild_buf_steal(&b);
}

/* A parent line: `repo:path` (PMS 5.2.2 with portage-2, path relative to
 * that repository's profiles/) or a path relative to the node. */
static int parent_node(const struct profile *p, const char *node,
		       const struct pline *l, char **out, struct gild_err *err)
{
	const char *entry = l->w[0], *colon = strchr(entry, ':');
	struct gild_loc loc = {l->file, l->line, l->col[0]};

	if (!colon) {
		*out = path_fold(node, entry);
		return 0;
	}
	if (strncmp(entry, p->repo_name, colon - entry) != 0 ||
	    p->repo_name[colon - entry] != '\0') {
		if (strncmp(entry, "gentoo:", 7) != 0)
			return gild_fail(
			    err, -GILD_E_NOTFOUND, &loc,
			    "unknown repository '%.*s' in parent '%s'",
			    (int)(colon - entry), entry, entry);
	}
	*out = path_fold("profiles", colon + 1);
	return 0;
}

/* ---- the walk
 * ---------------------------------------------------------------- */

struct walk {
	struct profile *p;
	struct gild_strv stack; /* nodes being walked */
	struct gild_err *err;
};

static int cycle_error(struct walk *w, const char *node, const struct pline *l)
{
	struct gild_buf b = GILD_BUF_INIT;
	struct gild_loc loc = {l->file, l->line, l->col[0]};
	size_t i = 0;
	int r;

	while (strcmp(w->stack.v[i], node) != 0)
		i++;
	for (; i < w->stack.n; i++)
		gild_buf_printf(&b, "%s/parent -> ", w->stack.v[i]);
	gild_buf_adds(&b, node);
	r = gild_fail(w->err, -GILD_E_CYCLE, &loc, "profile parent cycle: %s",
		      gild_buf_str(&b));
	gild_buf_release(&b);
	return r;
}

static int check_eapi(struct walk *w, const char *node)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/eapi", w->p->tree, node);
	_cleanup_free_ char *text = NULL;
	struct gild_err ignored = GILD_ERR_INIT;
	size_t n;

	if (gild_read_file(path, &text, NULL, &ignored) < 0)
		return 0; /* no eapi file: EAPI 0 (PMS 5.2.1) */
	n = strcspn(text, " \t\r\n");
	text[n] = '\0';
	if (n == 1 && text[0] >= '0' && text[0] <= '8')
		return 0;
	_cleanup_free_ char *disp = xasprintf("%s/eapi", node);
	gild_strv_push(&w->p->files, TAKE_PTR(disp));
	struct gild_loc loc = {w->p->files.v[w->p->files.n - 1], 1, 1};
	return gild_fail(w->err, -GILD_E_UNSUPPORTED, &loc,
			 "unsupported profile EAPI '%s'", text);
}

static int walk_node(struct walk *w, const char *node, unsigned depth);

static int walk_parents(struct walk *w, const char *node, unsigned depth)
{
	_cleanup_(plines_release) struct plines parents = {0};
	_cleanup_free_ char *path = xasprintf("%s/%s/parent", w->p->tree, node);
	_cleanup_free_ char *disp = xasprintf("%s/parent", node);
	int r;

	if ((r = plines_read(path, disp, &w->p->files, &parents, w->err)) < 0)
		return r;
	for (size_t i = 0; i < parents.n; i++) {
		const struct pline *l = &parents.v[i];
		struct gild_loc loc = {l->file, l->line, l->col[0]};
		_cleanup_free_ char *pn = NULL;

		if ((r = parent_node(w->p, node, l, &pn, w->err)) < 0)
			return r;
		if (gild_strv_contains(&w->stack, pn))
			return cycle_error(w, pn, l);
		if (!is_dir(w->p->tree, pn))
			return gild_fail(w->err, -GILD_E_NOTFOUND, &loc,
					 "parent profile '%s' not found",
					 l->w[0]);
		if (depth >= PROFILE_MAX_DEPTH)
			return gild_fail(w->err, -GILD_E_LIMIT, &loc,
					 "profile stack deeper than %d",
					 PROFILE_MAX_DEPTH);
		if ((r = walk_node(w, pn, depth + 1)) < 0)
			return r;
	}
	return 0;
}

static int walk_node(struct walk *w, const char *node, unsigned depth)
{
	int r;

	if ((r = check_eapi(w, node)) < 0)
		return r;
	gild_strv_add(&w->stack, node);
	r = walk_parents(w, node, depth);
	free(w->stack.v[--w->stack.n]);
	w->stack.v[w->stack.n] = NULL;
	if (r < 0)
		return r;
	gild_strv_add(&w->p->nodes, node);
	return 0;
}

/* ---- stacking the lists ----------------------------------------------------
 */

static void plines_take(struct plines *to, struct pline *l)
{
	gild_grow(&to->v, &to->cap, to->n + 1, sizeof(*to->v));
	to->v[to->n++] = *l;
	*l = (struct pline){0};
}

/* Drop every earlier line whose first word is word. */
static void plines_drop(struct plines *pl, const char *word)
{
	size_t j = 0;

	for (size_t i = 0; i < pl->n; i++) {
		if (strcmp(pl->v[i].w[0], word) == 0)
			pline_release(&pl->v[i]);
		else
			pl->v[j++] = pl->v[i];
	}
	pl->n = j;
}

static void strip_prefix(struct pline *l, size_t n)
{
	memmove(l->w[0], l->w[0] + n, strlen(l->w[0] + n) + 1);
	l->col[0] += n;
}

/* Flag lists (use.force, ...) and package.mask: `-x` removes x; x again
 * replaces the earlier x, so that the last line naming it is kept. */
static void stack_removable(struct plines *acc, struct plines *in)
{
	for (size_t i = 0; i < in->n; i++) {
		struct pline *l = &in->v[i];
		if (l->w[0][0] == '-') {
			plines_drop(acc, l->w[0] + 1);
			continue;
		}
		plines_drop(acc, l->w[0]);
		plines_take(acc, l);
	}
}

/* packages (PMS 5.2.6): `*atom` adds to the system set, `-*atom` removes;
 * other lines are profile packages, which gild does not use. */
static void stack_packages(struct plines *acc, struct plines *in)
{
	for (size_t i = 0; i < in->n; i++) {
		struct pline *l = &in->v[i];
		if (strncmp(l->w[0], "-*", 2) == 0) {
			plines_drop(acc, l->w[0] + 2);
		} else if (l->w[0][0] == '*') {
			strip_prefix(l, 1);
			plines_take(acc, l);
		}
	}
}

static void stack_list(enum profile_list kind, struct plines *acc,
		       struct plines *in)
{
	switch (kind) {
	case PL_PACKAGES:
		stack_packages(acc, in);
		break;
	case PL_PACKAGE_MASK:
	case PL_USE_FORCE:
	case PL_USE_MASK:
	case PL_USE_STABLE_FORCE:
	case PL_USE_STABLE_MASK:
		stack_removable(acc, in);
		break;
	default:
		for (size_t i = 0; i < in->n; i++)
			plines_take(acc, &in->v[i]);
	}
}

static bool is_flag_list(enum profile_list k)
{
	return k == PL_USE_FORCE || k == PL_USE_MASK ||
	       k == PL_USE_STABLE_FORCE || k == PL_USE_STABLE_MASK;
}

static void keep_flag_lines(struct plines *to, const struct plines *in)
{
	for (size_t i = 0; i < in->n; i++) {
		gild_grow(&to->v, &to->cap, to->n + 1, sizeof(*to->v));
		pline_copy(&to->v[to->n++], &in->v[i]);
	}
}

static int read_node_lists(struct profile *p, const char *node, unsigned level,
			   struct gild_err *err)
{
	int r;

	for (int k = 0; k < PL_MAX; k++) {
		_cleanup_(plines_release) struct plines in = {0};
		_cleanup_free_ char *disp =
		    xasprintf("%s/%s", node, list_names[k]);
		_cleanup_free_ char *path = gild_path_join(p->tree, disp);

		if ((r = plines_read(path, disp, &p->files, &in, err)) < 0)
			return r;
		for (size_t i = 0; i < in.n; i++)
			in.v[i].level = level;
		if (is_flag_list(k))
			keep_flag_lines(&p->flag_lines[k], &in);
		stack_list(k, &p->lists[k], &in);
	}
	return 0;
}

/* ---- make.defaults
 * ----------------------------------------------------------- */

/* USE_EXPAND variables are incremental (make.conf(5)); the unprefixed
 * ones (ARCH) are single values and are not. */
static void use_expand_names(const struct varlist *vl, struct gild_strv *out)
{
	incr_positive(varlist_get(vl, "USE_EXPAND"), out);
}

static void merge_var(struct varlist *acc, const struct var *v,
		      const struct gild_strv *use_expand)
{
	if (var_is_incremental(v->name, use_expand)) {
		_cleanup_free_ char *ops =
		    xstrdup(varlist_get(acc, v->name) ?: "");
		incr_stack(&ops, v->value);
		varlist_set(acc, v->name, ops, v->file, v->line);
	} else {
		varlist_set(acc, v->name, v->value, v->file, v->line);
	}
}

static bool is_expand_list(const char *name)
{
	return strcmp(name, "USE_EXPAND") == 0 ||
	       strcmp(name, "USE_EXPAND_UNPREFIXED") == 0;
}

/* Merge one file's assignments: the USE_EXPAND lists first, since they
 * decide which other variables are incremental. */
void vars_merge(struct varlist *acc, const struct varlist *in)
{
	_cleanup_strv_ struct gild_strv ue = GILD_STRV_INIT;

	for (size_t i = 0; i < in->n; i++)
		if (is_expand_list(in->v[i].name))
			merge_var(acc, &in->v[i], NULL);
	use_expand_names(acc, &ue);
	for (size_t i = 0; i < in->n; i++)
		if (!is_expand_list(in->v[i].name))
			merge_var(acc, &in->v[i], &ue);
}

static int read_make_defaults(struct profile *p, size_t i, struct gild_err *err)
{
	const char *node = p->nodes.v[i];
	_cleanup_free_ char *disp = xasprintf("%s/make.defaults", node);
	_cleanup_free_ char *path = gild_path_join(p->tree, disp);
	_cleanup_free_ char *text = NULL;
	_cleanup_(varlist_release) struct varlist in = {0};
	int r;

	if (access(path, F_OK) < 0)
		return 0;
	if ((r = gild_read_file(path, &text, NULL, err)) < 0)
		return r;
	gild_strv_push(&p->files, TAKE_PTR(disp));
	if ((r = vars_parse(text, p->files.v[p->files.n - 1], p->vars, &in,
			    err)) < 0)
		return r;
	vars_merge(p->vars, &in);
	p->node_vars[i] = in;
	in = (struct varlist){0};
	return 0;
}

/* ---- loading
 * -------------------------------------------------------------------- */

static char *read_repo_name(const char *tree)
{
	_cleanup_free_ char *path = gild_path_join(tree, "profiles/repo_name");
	struct gild_err ignored = GILD_ERR_INIT;
	char *text = NULL;

	if (gild_read_file(path, &text, NULL, &ignored) < 0)
		return xstrdup("gild");
	text[strcspn(text, " \t\r\n")] = '\0';
	return text;
}

int profile_default(const char *tree, char **out, struct gild_err *err)
{
	static const char def[] = "default/linux/amd64";

	if (!is_dir(tree, "profiles/default/linux/amd64"))
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no profile given and no default profile "
				 "'profiles/%s' in the tree",
				 def);
	*out = xstrdup(def);
	return 0;
}

static int load_nodes(struct profile *p, struct gild_err *err)
{
	_cleanup_(plines_release) struct plines repo_mask = {0};
	_cleanup_free_ char *path =
	    gild_path_join(p->tree, "profiles/package.mask");
	int r;

	/* The repository-wide mask applies below every profile. */
	if ((r = plines_read(path, "profiles/package.mask", &p->files,
			     &repo_mask, err)) < 0)
		return r;
	stack_list(PL_PACKAGE_MASK, &p->lists[PL_PACKAGE_MASK], &repo_mask);
	p->node_vars = xcalloc(p->nodes.n + 1, sizeof(*p->node_vars));
	for (size_t i = 0; i < p->nodes.n; i++) {
		if ((r = read_make_defaults(p, i, err)) < 0 ||
		    (r = read_node_lists(p, p->nodes.v[i], (unsigned)i + 1,
					 err)) < 0)
			return r;
	}
	return 0;
}

int profile_load(const char *tree, const char *name, struct profile **out,
		 struct gild_err *err)
{
	_cleanup_(profile_freep) struct profile *p = xcalloc(1, sizeof(*p));
	_cleanup_free_ char *root = NULL;
	struct walk w = {.p = p, .err = err};
	int r;

	p->tree = xstrdup(tree);
	p->name = xstrdup(name);
	p->repo_name = read_repo_name(tree);
	p->vars = xcalloc(1, sizeof(*p->vars));
	root = path_fold("profiles", name);
	if (strncmp(root, "profiles/", 9) != 0 || !is_dir(tree, root))
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "profile '%s' not found under '%s/profiles'",
				 name, tree);
	r = walk_node(&w, root, 0);
	gild_strv_release(&w.stack);
	if (r < 0)
		return r;
	if ((r = load_nodes(p, err)) < 0)
		return r;
	*out = TAKE_PTR(p);
	return 0;
}
