/* config.c: the user configuration and the effective variables.
 *
 * Layers stack as emerge stacks them (make.conf(5) "variables"): profile
 * make.defaults, then gild.conf, then the environment, incremental
 * variables with `-x`/`-*` and others by replacement.
 */
#include "config/config.h"

#include <sys/stat.h>

const char *const config_env_vars[] = {
    "USE",
    "ACCEPT_KEYWORDS",
    "ACCEPT_LICENSE",
    "FEATURES",
    "MAKEOPTS",
    "CFLAGS",
    "CXXFLAGS",
    "LDFLAGS",
    "CHOST",
    "DISTDIR",
    "PKGDIR",
    "GILD_MIRRORS",
    "GILD_FETCH_TIMEOUT",
    "GILD_FETCH_CONNECT_TIMEOUT",
    "GILD_JOBS",
    NULL,
};

void config_free(struct config *c)
{
	if (!c)
		return;
	profile_free(c->profile);
	varlist_release(&c->user);
	varlist_release(&c->eff);
	varlist_release(&c->envl);
	plines_release(&c->pkg_use);
	plines_release(&c->pkg_mask);
	plines_release(&c->pkg_unmask);
	plines_release(&c->pkg_keywords);
	plines_release(&c->pkg_license);
	gild_strv_release(&c->files);
	free(c->tree);
	free(c->config_dir);
	free(c);
}

const char *config_get(const struct config *c, const char *name)
{
	const char *v = varlist_get(&c->eff, name);
	return v ? v : "";
}

int config_get_number(const struct config *c, const char *name, bool size,
		      uint64_t def, uint64_t *out, struct gild_err *err)
{
	const struct var *v = varlist_var(&c->eff, name);
	struct gild_loc loc = {0};

	if (!v || !v->value[0]) {
		*out = def;
		return 0;
	}
	if (gild_parse_u64(v->value, size, out) == 0)
		return 0;
	loc.file = v->file;
	loc.line = v->line;
	return gild_fail(err, -GILD_E_INVALID, v->line ? &loc : NULL,
			 "%s%s'%s' is not a whole number%s: '%s'",
			 v->line   ? ""
			 : v->file ? v->file
				   : "",
			 v->line ? "" : ": ", name,
			 size ? " (with an optional k, m or g suffix)" : "",
			 v->value);
}

/* Paths inside the tree are shown relative to it, as in
 * "etc/package.mask:3". */
static char *display_path(const char *tree, const char *path)
{
	size_t n = strlen(tree);

	if (strncmp(path, tree, n) == 0 && path[n] == '/')
		path += n + 1;
	while (strncmp(path, "./", 2) == 0)
		path += 2;
	return xstrdup(path);
}

static int read_user_conf(struct config *c, struct gild_err *err)
{
	_cleanup_free_ char *path = gild_path_join(c->config_dir, "gild.conf");
	_cleanup_free_ char *text = NULL;
	int r;

	if (access(path, F_OK) < 0)
		return 0;
	if ((r = gild_read_file(path, &text, NULL, err)) < 0)
		return r;
	gild_strv_push(&c->files, display_path(c->tree, path));
	return vars_parse(text, c->files.v[c->files.n - 1], NULL, &c->user,
			  err);
}

static int read_user_list(struct config *c, const char *name,
			  struct plines *out, struct gild_err *err)
{
	_cleanup_free_ char *path = gild_path_join(c->config_dir, name);
	_cleanup_free_ char *disp = display_path(c->tree, path);

	return plines_read(path, disp, &c->files, out, err);
}

static int read_user_lists(struct config *c, struct gild_err *err)
{
	int r;

	if ((r = read_user_list(c, "package.use", &c->pkg_use, err)) < 0 ||
	    (r = read_user_list(c, "package.mask", &c->pkg_mask, err)) < 0 ||
	    (r = read_user_list(c, "package.unmask", &c->pkg_unmask, err)) <
		0 ||
	    (r = read_user_list(c, "package.accept_keywords", &c->pkg_keywords,
				err)) < 0 ||
	    (r = read_user_list(c, "package.license", &c->pkg_license, err)) <
		0)
		return r;
	return 0;
}

static const char *env_lookup(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* The environment overrides last (emerge: "USE=... emerge"), for the
 * listed variables and every USE_EXPAND one. */
static void read_env(struct config *c, char *const *env)
{
	_cleanup_strv_ struct gild_strv ue = GILD_STRV_INIT;
	const char *v;

	incr_positive(config_get(c, "USE_EXPAND"), &ue);
	for (size_t i = 0; config_env_vars[i]; i++)
		if ((v = env_lookup(env, config_env_vars[i])))
			varlist_set(&c->envl, config_env_vars[i], v,
				    "environment", 0);
	for (size_t i = 0; i < ue.n; i++)
		if ((v = env_lookup(env, ue.v[i])))
			varlist_set(&c->envl, ue.v[i], v, "environment", 0);
}

static int choose_profile(struct config *c, const char *profile, char **out,
			  struct gild_err *err)
{
	const char *p = profile ? profile : varlist_get(&c->user, "PROFILE");

	if (p && *p) {
		*out = xstrdup(p);
		return 0;
	}
	return profile_default(c->tree, out, err);
}

int config_load(const char *tree, const char *config_dir, const char *profile,
		char *const *env, struct config **out, struct gild_err *err)
{
	_cleanup_(config_freep) struct config *c = xcalloc(1, sizeof(*c));
	_cleanup_free_ char *pname = NULL;
	int r;

	c->tree = xstrdup(tree);
	c->config_dir =
	    config_dir ? xstrdup(config_dir) : gild_path_join(tree, "etc");
	if ((r = read_user_conf(c, err)) < 0 ||
	    (r = choose_profile(c, profile, &pname, err)) < 0 ||
	    (r = profile_load(tree, pname, &c->profile, err)) < 0)
		return r;
	/* profile, then gild.conf, then the environment */
	vars_merge(&c->eff, c->profile->vars);
	vars_merge(&c->eff, &c->user);
	read_env(c, env);
	vars_merge(&c->eff, &c->envl);
	if ((r = read_user_lists(c, err)) < 0)
		return r;
	*out = TAKE_PTR(c);
	return 0;
}

static char *tree_dir(const struct config *c, const char *var, const char *def)
{
	const char *v = config_get(c, var);

	if (!*v)
		v = def;
	if (v[0] == '/')
		return xstrdup(v);
	return gild_path_join(c->tree, v);
}

char *config_distdir(const struct config *c)
{
	return tree_dir(c, "DISTDIR", "var/distfiles");
}

char *config_pkgdir(const struct config *c)
{
	return tree_dir(c, "PKGDIR", "var/packages");
}
