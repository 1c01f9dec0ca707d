/* config-vars.c: make.conf-style assignment files and incremental stacking.
 *
 * make.defaults (PMS 5.2.4) and gild.conf are lists of shell assignments
 * with bash quoting; only literal values and ${VAR} expansion are allowed,
 * so they are read without a shell. Incremental variables stack as
 * make.conf(5) "incremental variables" describes.
 */
#include "config/config.h"

#include "pms/pms.h"

/* ---- varlist ------------------------------------------------------------- */

void varlist_release(struct varlist *vl)
{
	for (size_t i = 0; i < vl->n; i++) {
		free(vl->v[i].name);
		free(vl->v[i].value);
	}
	free(vl->v);
	*vl = (struct varlist){0};
}

static struct var *varlist_find(const struct varlist *vl, const char *name)
{
	for (size_t i = vl->n; i-- > 0;)
		if (strcmp(vl->v[i].name, name) == 0)
			return &vl->v[i];
	return NULL;
}

const struct var *varlist_var(const struct varlist *vl, const char *name)
{
	return vl ? varlist_find(vl, name) : NULL;
}

const char *varlist_get(const struct varlist *vl, const char *name)
{
	const struct var *v = vl ? varlist_find(vl, name) : NULL;
	return v ? v->value : NULL;
}

void varlist_set(struct varlist *vl, const char *name, const char *value,
		 const char *file, unsigned line)
{
	struct var *v = varlist_find(vl, name);

	if (!v) {
		gild_grow(&vl->v, &vl->cap, vl->n + 1, sizeof(*vl->v));
		v = &vl->v[vl->n++];
		v->name = xstrdup(name);
	} else {
		free(v->value);
	}
	v->value = xstrdup(value);
	v->file = file;
	v->line = line;
}

/* ---- assignments, through the shared shvars lexer ---------------------------
 */

struct vparse {
	const struct varlist *scope;
	struct varlist *out;
	struct gild_buf tmp;
};

static int vp_assign(void *ud, const struct shvars_assign *a,
		     struct gild_err *err)
{
	struct vparse *vp = ud;
	_cleanup_free_ char *name = gild_str_dup(a->name);
	const char *old = varlist_get(vp->out, name);

	if (a->array)
		return gild_fail(err, -GILD_E_INVALID, &a->loc,
				 "'%s' cannot be an array here", name);
	gild_buf_reset(&vp->tmp);
	if (a->append && old)
		gild_buf_adds(&vp->tmp, old);
	gild_buf_add(&vp->tmp, a->value.p, a->value.n);
	varlist_set(vp->out, name, gild_buf_str(&vp->tmp), a->loc.file,
		    a->loc.line);
	return 0;
}

static bool vp_lookup(void *ud, gild_str name, gild_str *val)
{
	struct vparse *vp = ud;
	_cleanup_free_ char *n = gild_str_dup(name);
	const char *v = varlist_get(vp->out, n);

	if (!v)
		v = varlist_get(vp->scope, n);
	if (!v)
		return false;
	*val = GILD_STR_C(v);
	return true;
}

static int vp_inherit(void *ud, gild_str name, const struct gild_loc *loc,
		      struct gild_err *err)
{
	return gild_fail(err, -GILD_E_INVALID, loc,
			 "'inherit' is only allowed in recipes");
}

static int vp_function(void *ud, gild_str name, gild_str body,
		       const struct gild_loc *loc, struct gild_err *err)
{
	return gild_fail(err, -GILD_E_INVALID, loc,
			 "function '%.*s' is only allowed in recipes",
			 GILD_STR_ARG(name));
}

int vars_parse(const char *text, const char *file, const struct varlist *scope,
	       struct varlist *out, struct gild_err *err)
{
	static const struct shvars_ops ops = {
	    .assign = vp_assign,
	    .inherit = vp_inherit,
	    .function = vp_function,
	    .lookup = vp_lookup,
	};
	struct vparse vp = {scope, out, GILD_BUF_INIT};
	int r = shvars_parse(text, strlen(text), file, &ops, &vp, err);

	gild_buf_release(&vp.tmp);
	return r;
}

/* ---- incremental variables ----------------------------------------------- */

/* make.conf(5): "USE, USE_EXPAND, USE_EXPAND_HIDDEN, CONFIG_PROTECT*,
 * FEATURES, ACCEPT_KEYWORDS, ACCEPT_LICENSE, ..." plus every USE_EXPAND
 * variable. Mirror lists (GILD_MIRRORS, like GENTOO_MIRRORS) replace. */
static const char *const incrementals[] = {
    "USE",
    "USE_EXPAND",
    "USE_EXPAND_HIDDEN",
    "USE_EXPAND_IMPLICIT",
    "USE_EXPAND_UNPREFIXED",
    "IUSE_IMPLICIT",
    "FEATURES",
    "ACCEPT_KEYWORDS",
    "ACCEPT_LICENSE",
    "ACCEPT_PROPERTIES",
    "ACCEPT_RESTRICT",
    "CONFIG_PROTECT",
    "CONFIG_PROTECT_MASK",
    "PROFILE_ONLY_VARIABLES",
    "ENV_UNSET",
    "INSTALL_MASK",
    "PKG_INSTALL_MASK",
};

bool var_is_incremental(const char *name, const struct gild_strv *use_expand)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(incrementals); i++)
		if (strcmp(name, incrementals[i]) == 0)
			return true;
	return use_expand && gild_strv_contains(use_expand, name);
}

static void ops_remove(struct gild_strv *ops, const char *tok)
{
	size_t j = 0;

	for (size_t i = 0; i < ops->n; i++) {
		const char *o = ops->v[i];
		const char *bare = o[0] == '-' ? o + 1 : o;
		if (strcmp(bare, tok) == 0)
			free(ops->v[i]);
		else
			ops->v[j++] = ops->v[i];
	}
	ops->n = j;
	if (ops->v)
		ops->v[j] = NULL;
}

static void ops_split(const char *s, struct gild_strv *out)
{
	while (s && *s) {
		size_t n;
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n)
			gild_strv_push(out, xstrndup(s, n));
		s += n;
	}
}

void incr_stack(char **acc, const char *value)
{
	_cleanup_strv_ struct gild_strv ops = GILD_STRV_INIT;
	_cleanup_strv_ struct gild_strv add = GILD_STRV_INIT;
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;

	ops_split(*acc, &ops);
	ops_split(value, &add);
	for (size_t i = 0; i < add.n; i++) {
		const char *t = add.v[i];
		if (strcmp(t, "-*") == 0) {
			gild_strv_release(&ops);
			gild_strv_add(&ops, "-*");
			continue;
		}
		ops_remove(&ops, t[0] == '-' ? t + 1 : t);
		gild_strv_add(&ops, t);
	}
	for (size_t i = 0; i < ops.n; i++) {
		if (i)
			gild_buf_addc(&b, ' ');
		gild_buf_adds(&b, ops.v[i]);
	}
	free(*acc);
	*acc = gild_buf_steal(&b);
}

void incr_positive(const char *ops, struct gild_strv *out)
{
	_cleanup_strv_ struct gild_strv v = GILD_STRV_INIT;

	ops_split(ops, &v);
	for (size_t i = 0; i < v.n; i++)
		if (v.v[i][0] != '-')
			gild_strv_add(out, v.v[i]);
}
