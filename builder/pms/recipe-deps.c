/* recipe-deps.c: dependency-like metadata (PMS 8.2), checked where it is
 * written and parsed again on demand for the resolver. */
#include "recipe-impl.h"

#include "pms/pms.h"

/* The depstr grammar of a variable, or -1 for plain variables. */
static int depstr_kind_of(int var)
{
	switch (var) {
	case RECIPE_SRC_URI:
		return DEPSTR_SRC_URI;
	case RECIPE_LICENSE:
		return DEPSTR_LICENSE;
	case RECIPE_RESTRICT:
	case RECIPE_PROPERTIES:
		return DEPSTR_RESTRICT;
	case RECIPE_REQUIRED_USE:
		return DEPSTR_REQUIRED_USE;
	case RECIPE_DEPEND:
	case RECIPE_BDEPEND:
	case RECIPE_RDEPEND:
	case RECIPE_PDEPEND:
	case RECIPE_IDEPEND:
		return DEPSTR_DEPEND;
	default:
		return -1;
	}
}

/* Byte offset of line:col (1-based) in s. */
static size_t offset_of(gild_str s, unsigned line, unsigned col)
{
	size_t off = 0;
	for (unsigned l = 1; l < line && off < s.n; off++)
		if (s.p[off] == '\n')
			l++;
	off += col ? col - 1 : 0;
	return off < s.n ? off : s.n;
}

/* A QA note at the place in the file that rel points to. */
static void add_qa(const struct shvars_assign *a, const struct gild_err *qa,
		   struct gild_strv *out)
{
	struct gild_loc loc;

	shvars_value_loc(a, offset_of(a->value, qa->line, qa->col), &loc);
	gild_strv_push(out,
		       xasprintf("%s:%u:%u: %s in %.*s", loc.file, loc.line,
				 loc.col, qa->msg, GILD_STR_ARG(a->name)));
}

int recipe_check_depvar(int eapi, int var, const struct shvars_assign *a,
			struct gild_strv *qa, struct gild_err *err)
{
	int kind = depstr_kind_of(var);
	/* positions relative to the value, mapped back through the lexer
	 * afterwards because expansions and escapes move text around */
	struct gild_loc rel = {"", 1, 1};
	struct gild_err note = GILD_ERR_INIT;
	struct dep_node *node = NULL;
	int r;

	if (kind < 0)
		return 0;
	r = depstr_parse_qa(a->value.p, a->value.n, kind, eapi, &rel, &node,
			    &note, err);
	dep_node_free(node);
	if (r == 0 && note.code && qa)
		add_qa(a, &note, qa);
	if (r < 0 && err) {
		struct gild_loc loc;
		shvars_value_loc(a, offset_of(a->value, err->line, err->col),
				 &loc);
		char msg[sizeof(err->msg)];
		memcpy(msg, err->msg, sizeof(msg));
		gild_fail(err, r, &loc, "%s in %.*s", msg,
			  GILD_STR_ARG(a->name));
	}
	return r;
}

int recipe_deps_parse(const struct recipe *r, enum recipe_var var,
		      struct dep_node **out, struct gild_err *err)
{
	int kind = depstr_kind_of(var);

	if (kind < 0)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' is not a dependency-style variable",
				 recipe_var_name(var));
	struct gild_loc start = r->var_loc[var];
	if (!start.line)
		start = (struct gild_loc){r->path, 0, 0};
	return depstr_parse(r->vars[var], strlen(r->vars[var]), kind, r->eapi,
			    &start, out, err);
}

int recipe_deps(const struct recipe *rc, enum recipe_var var,
		const struct dep_node **out, struct gild_err *err)
{
	struct recipe *r =
	    (struct recipe *)rc; /* the cache is logically const */
	int ret;

	if (!r->deps[var] &&
	    (ret = recipe_deps_parse(r, var, &r->deps[var], err)) < 0)
		return ret;
	*out = r->deps[var];
	return 0;
}

void recipe_free_deps(struct recipe *r)
{
	for (int v = 0; v < RECIPE_NVARS; v++)
		dep_node_free(r->deps[v]);
}
