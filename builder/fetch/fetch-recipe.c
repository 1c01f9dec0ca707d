/* fetch-recipe.c: a recipe's distfiles and fetch restrictions under its
 * effective USE (see fetch.h). */
#include "config/config.h"
#include "ctx/ctx.h" /* gild_split_words */
#include "fetch/fetch.h"
#include "pms/pms.h"

/* How USE conditionals in SRC_URI and RESTRICT are decided. */
struct use_ctx {
	const struct recipe *r;
	struct use_env *env; /* NULL: IUSE defaults, then use_over */
	const char *use_over;
	struct use_state st;
};

/* +1 when words turns flag on, -1 off, 0 when it does not say (the last
 * mention counts, as in an incremental USE). */
static int use_word(const char *words, const char *flag)
{
	_cleanup_strv_ struct gild_strv w = GILD_STRV_INIT;
	int v = 0;

	gild_split_words(words ? words : "", &w);
	for (size_t i = 0; i < w.n; i++) {
		if (strcmp(w.v[i], "-*") == 0)
			v = -1;
		else if (w.v[i][0] == '-' && strcmp(w.v[i] + 1, flag) == 0)
			v = -1;
		else if (strcmp(w.v[i], flag) == 0)
			v = 1;
	}
	return v;
}

static bool use_enabled(void *ud, const char *flag)
{
	struct use_ctx *u = ud;
	const struct recipe_iuse *iu;

	int over;

	if (u->env)
		return use_state_enabled(u->env, &u->st, flag);
	if (!(iu = recipe_iuse_find(u->r, flag)))
		return false;
	over = use_word(u->use_over, flag);
	return over ? over > 0 : iu->def > 0;
}

static void eval_use(struct use_ctx *u)
{
	_cleanup_free_ struct use_iuse *iuse =
	    xcalloc(u->r->n_iuse + 1, sizeof(*iuse));
	struct use_pkg pkg;

	query_pkg_from_recipe(u->r, iuse, &pkg);
	use_eval(u->env, &pkg, &u->st);
}

static int restrict_flags_of(const struct recipe *r, struct use_ctx *u,
			     unsigned *flags, struct gild_err *err)
{
	const struct dep_node *tree;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	_cleanup_buf_ struct gild_buf words = GILD_BUF_INIT;
	int rc;

	*flags = 0;
	if ((rc = recipe_deps(r, RECIPE_RESTRICT, &tree, err)) < 0)
		return rc;
	reduced = depstr_reduce(tree, use_enabled, u);
	depstr_format(reduced, &words);
	if (fetch_restrict_has(gild_buf_str(&words), "fetch"))
		*flags |= FETCH_RESTRICT_FETCH;
	if (fetch_restrict_has(gild_buf_str(&words), "mirror"))
		*flags |= FETCH_RESTRICT_MIRROR;
	return 0;
}

int fetch_recipe_sources(const struct recipe *r, struct use_env *env,
			 const char *use_over, struct fetch_srclist *out,
			 unsigned *restrict_flags, struct gild_err *err)
{
	struct use_ctx u = {.r = r, .env = env, .use_over = use_over};
	const struct dep_node *tree;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	int rc;

	if (env)
		eval_use(&u);
	if ((rc = recipe_deps(r, RECIPE_SRC_URI, &tree, err)) < 0 ||
	    (rc = restrict_flags_of(r, &u, restrict_flags, err)) < 0) {
		use_state_release(&u.st);
		return rc;
	}
	reduced = depstr_reduce(tree, use_enabled, &u);
	rc = fetch_srclist_add_tree(out, reduced, err);
	use_state_release(&u.st);
	return rc;
}

bool fetch_recipe_visible(const struct recipe *r, struct use_env *env)
{
	struct use_ctx u = {.r = r, .env = env};
	_cleanup_free_ struct use_iuse *iuse = NULL;
	_cleanup_strv_ struct gild_strv why = GILD_STRV_INIT;
	struct use_pkg pkg;
	bool visible;

	if (!env)
		return true;
	iuse = xcalloc(r->n_iuse + 1, sizeof(*iuse));
	query_pkg_from_recipe(r, iuse, &pkg);
	use_eval(env, &pkg, &u.st);
	visible = use_visible(env, &pkg, &u.st, &why);
	use_state_release(&u.st);
	return visible;
}
