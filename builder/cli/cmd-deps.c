/* cmd-deps.c: `gild deps [--json] ATOM`: the dependencies of the best
 * visible version (or of the version an `=` atom names) reduced under its
 * effective USE (PMS 8.2), and whether REQUIRED_USE holds. */
#include "cli/cli.h"
#include "config/config.h"

#include "pms/pms.h"

static const enum recipe_var dep_vars[] = {
    RECIPE_BDEPEND, RECIPE_DEPEND,  RECIPE_RDEPEND,
    RECIPE_PDEPEND, RECIPE_IDEPEND,
};

struct use_ud {
	struct query *q;
	const struct qver *v;
};

static bool flag_on(void *ud, const char *flag)
{
	struct use_ud *u = ud;
	return use_state_enabled(u->q->env, &u->v->st, flag);
}

static const struct gild_loc *var_loc(const struct recipe *r, enum recipe_var v)
{
	return r->var_loc[v].line ? &r->var_loc[v] : NULL;
}

/* Parse one variable of the version into out. */
static int reduce_var(struct use_ud *u, enum recipe_var var,
		      enum depstr_kind kind, struct dep_node **out,
		      struct gild_err *err)
{
	const struct recipe *r = u->v->r;
	const char *s = r->vars[var];
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	int rc;

	if ((rc = depstr_parse(s, strlen(s), kind, r->eapi, var_loc(r, var),
			       &tree, err)) < 0)
		return rc;
	*out = TAKE_PTR(tree);
	return 0;
}

/* The reduced string of a dependency variable (the reduced tree borrows
 * from the parsed one, so format it before both are freed). */
static int format_var(struct use_ud *u, enum recipe_var var,
		      struct gild_buf *out, struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	struct dep_node *red;
	int rc;

	if ((rc = reduce_var(u, var, DEPSTR_DEPEND, &tree, err)) < 0)
		return rc;
	red = depstr_reduce(tree, flag_on, u);
	depstr_format(red, out);
	dep_node_free(red);
	return 0;
}

static int required_use(struct use_ud *u, bool *ok, struct gild_buf *why,
			struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	int r;

	if ((r = reduce_var(u, RECIPE_REQUIRED_USE, DEPSTR_REQUIRED_USE, &tree,
			    err)) < 0)
		return r;
	*ok = requse_check(tree, flag_on, u, why) == 1;
	return 0;
}

static int print_deps(struct use_ud *u, bool json, FILE *f,
		      struct gild_err *err)
{
	const struct recipe *r = u->v->r;
	_cleanup_buf_ struct gild_buf why = GILD_BUF_INIT;
	bool ok;
	int rc;

	if (json) {
		_cleanup_free_ char *cpv =
		    xasprintf("%s/%s-%s", r->category, r->pn, r->pvr);
		fputs("{\"cpv\": ", f);
		gild_json_str(f, cpv, (size_t)-1);
	} else {
		fprintf(f, "%s/%s-%s\n", r->category, r->pn, r->pvr);
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(dep_vars); i++) {
		_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
		const char *name = recipe_var_name(dep_vars[i]);
		if ((rc = format_var(u, dep_vars[i], &b, err)) < 0)
			return rc;
		if (json) {
			fprintf(f, ", \"%s\": ", name);
			gild_json_str(f, gild_buf_str(&b), (size_t)-1);
		} else {
			fprintf(f, "%s=\"%s\"\n", name, gild_buf_str(&b));
		}
	}
	if ((rc = required_use(u, &ok, &why, err)) < 0)
		return rc;
	if (json) {
		fprintf(f, ", \"required_use\": %s, \"required_use_why\": ",
			ok ? "true" : "false");
		gild_json_str(f, gild_buf_str(&why), (size_t)-1);
		fputs("}\n", f);
	} else if (ok) {
		fputs("REQUIRED_USE: satisfied\n", f);
	} else {
		fprintf(f, "REQUIRED_USE: not satisfied: %s\n",
			gild_buf_str(&why));
	}
	return 0;
}

int cmd_deps(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(query_release) struct query q = {0};
	struct qver *v;
	struct cli_opts co = {0};
	int status, r;

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status;
	if (optind + 1 != argc)
		return gild_ctx_usage_error(ctx, "needs exactly one ATOM");
	if ((r = query_one(&q, ctx, argv[optind], &v, &ctx->err)) < 0)
		return r;
	if (!v->visible)
		gild_ctx_warn(ctx, "%s/%s-%s is not visible (%s)",
			      v->r->category, v->r->pn, v->r->pvr, v->why.v[0]);
	struct use_ud u = {&q, v};
	return print_deps(&u, ctx->json, ctx->out, &ctx->err);
}
