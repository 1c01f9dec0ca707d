/* setup.c: what a command opens for its whole run (git's RUN_SETUP): the
 * configuration of each profile it asks for and the recipe tree. Each is
 * loaded the first time anything asks (the command table's GILD_NEED_*
 * before the command runs, else the resolver, the builder, query or fetch
 * when they need it) and shared by everything after, so a run reads its
 * configuration and its recipes once. ctx owns them until
 * gild_ctx_release. */
#include "config/config.h"

#include <time.h>

/* One per profile asked for: a command that switches to a role's profile
 * keeps the first alive (something may still hold it). */
struct run_setup {
	struct {
		char *profile; /* NULL: the default */
		struct config *cfg;
	} v[4];
	size_t n;
	struct tree *tree;    /* NULL until asked for */
	int64_t tree_read_at; /* CLOCK_REALTIME ns its reading began */
};

static void release_setup(void *setup)
{
	struct run_setup *s = setup;

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].profile);
		config_free(s->v[i].cfg);
	}
	tree_free(s->tree);
	free(s);
}

static struct run_setup *run_setup(struct gild_ctx *ctx)
{
	if (!ctx->setup) {
		ctx->setup = xcalloc(1, sizeof(struct run_setup));
		ctx->release_setup = release_setup;
	}
	return ctx->setup;
}

static bool same_profile(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int config_for_ctx(struct gild_ctx *ctx, struct config **out,
		   struct gild_err *err)
{
	extern char **environ;
	struct run_setup *s = run_setup(ctx);
	_cleanup_free_ char *tree = NULL, *confdir = NULL;
	struct config *c = NULL;
	int r;

	for (size_t i = 0; i < s->n; i++)
		if (same_profile(s->v[i].profile, ctx->profile)) {
			*out = s->v[i].cfg;
			return 0;
		}
	if (!(tree = realpath(ctx->tree, NULL)))
		return gild_fail_errno(err, ctx->tree, "cannot open tree");
	/* <tree>/etc as absolute as the tree (messages name its files
	 * relative to the tree); --config as the user wrote it */
	confdir =
	    ctx->config ? xstrdup(ctx->config) : gild_path_join(tree, "etc");
	if ((r = config_load(tree, confdir, ctx->profile, environ, &c, err)) <
	    0)
		return r;
	if (s->n == GILD_ARRAY_SIZE(s->v))
		GILD_BUG("a run asked for more than %zu profiles", s->n);
	s->v[s->n].profile = ctx->profile ? xstrdup(ctx->profile) : NULL;
	s->v[s->n++].cfg = c;
	*out = c;
	return 0;
}

int tree_for_ctx(struct gild_ctx *ctx, struct tree **out, int64_t *read_at,
		 struct gild_err *err)
{
	struct run_setup *s = run_setup(ctx);
	_cleanup_free_ char *tree = NULL;
	struct timespec now;
	double t0;
	int r;

	if (!s->tree) {
		if (!(tree = realpath(ctx->tree, NULL)))
			return gild_fail_errno(err, ctx->tree,
					       "cannot open tree");
		clock_gettime(CLOCK_REALTIME, &now);
		s->tree_read_at =
		    (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
		t0 = gild_now();
		/* phase bodies kept: the builder, fetch (pkg_nofetch) and
		 * the image's pkg_* phases run them */
		if ((r = tree_load(tree,
				   TREE_LOAD_FUNCTIONS | TREE_LOAD_KEEP_GOING,
				   &s->tree, err)) < 0)
			return r;
		gild_ctx_debug(ctx,
			       "read the recipe tree in %.3f s (%zu recipes "
			       "left out)",
			       gild_now() - t0, tree_nerrors(s->tree));
	}
	*out = s->tree;
	if (read_at)
		*read_at = s->tree_read_at;
	return 0;
}

int setup_for_ctx(struct gild_ctx *ctx, struct gild_err *err)
{
	struct config *c;
	struct tree *t;
	int r;

	if ((ctx->needs & GILD_NEED_CONFIG) &&
	    (r = config_for_ctx(ctx, &c, err)) < 0)
		return r;
	if ((ctx->needs & GILD_NEED_RECIPES) &&
	    (r = tree_for_ctx(ctx, &t, NULL, err)) < 0)
		return r;
	return 0;
}
