/* cmd-query.c: `gild query [--json] ATOM...`: the versions an atom
 * matches, with slot, keywords, visibility (and why not) and effective
 * USE. */
#include "cli/cli.h"
#include "config/config.h"

static void json_strv(FILE *f, char *const *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		gild_json_str(f, v[i], (size_t)-1);
	}
	fputc(']', f);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of a flag set, sorted by name. */
static void json_flags(struct query *q, const struct idset *s, FILE *f)
{
	const char **v = xcalloc(s->n + 1, sizeof(*v));

	for (size_t i = 0; i < s->n; i++)
		v[i] = use_flag_name(q->env, s->v[i]);
	qsort(v, s->n, sizeof(*v), cmp_name);
	json_strv(f, (char *const *)v, s->n);
	free(v);
}

/* "USE flag 'ssl' is disabled by profiles/base/package.use:3" for each
 * IUSE flag a configuration line (not a default, not global USE) set,
 * sorted by flag; as JSON pairs with json. */
static void print_origins(struct query *q, const struct qver *v, FILE *f,
			  bool json)
{
	struct gild_strv names = GILD_STRV_INIT;
	bool first = true;

	for (size_t i = 0; i < v->st.iuse.n; i++)
		gild_strv_add(&names, use_flag_name(q->env, v->st.iuse.v[i]));
	gild_strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		bool on = use_state_enabled(q->env, &v->st, names.v[i]);
		_cleanup_free_ char *where =
		    use_flag_origin(q->env, &v->pkg, names.v[i], on);
		if (!where)
			continue;
		if (json) {
			fputs(first ? "" : ", ", f);
			gild_json_str(f, names.v[i], (size_t)-1);
			fputs(": ", f);
			gild_json_str(f, where, (size_t)-1);
		} else {
			fprintf(f, "    USE flag '%s' is %s by %s\n",
				names.v[i], on ? "enabled" : "disabled", where);
		}
		first = false;
	}
	gild_strv_release(&names);
}

static void print_json_version(struct query *q, const struct qver *v, FILE *f)
{
	const struct recipe *r = v->r;
	_cleanup_free_ char *cpv =
	    xasprintf("%s/%s-%s", r->category, r->pn, r->pvr);
	_cleanup_(idset_release) struct idset use = {0};

	/* `use` lists enabled IUSE flags; implicit ones (ARCH) are left out */
	for (size_t i = 0; i < v->st.enabled.n; i++)
		if (idset_has(&v->st.iuse, v->st.enabled.v[i]))
			idset_add(&use, v->st.enabled.v[i]);
	fputs("{\"cpv\": ", f);
	gild_json_str(f, cpv, (size_t)-1);
	fputs(", \"slot\": ", f);
	gild_json_str(f, r->slot, (size_t)-1);
	fputs(", \"subslot\": ", f);
	gild_json_str(f, r->subslot ? r->subslot : r->slot, (size_t)-1);
	fputs(", \"keywords\": ", f);
	json_strv(f, (char *const *)r->keywords, r->n_keywords);
	fprintf(f, ", \"visible\": %s, \"masked_by\": ",
		v->visible ? "true" : "false");
	json_strv(f, v->why.v, v->why.n);
	fputs(", \"iuse\": ", f);
	json_flags(q, &v->st.iuse, f);
	fputs(", \"use\": ", f);
	json_flags(q, &use, f);
	fputs(", \"forced\": ", f);
	json_flags(q, &v->st.forced, f);
	fputs(", \"masked\": ", f);
	json_flags(q, &v->st.masked, f);
	fputs(", \"use_set_by\": {", f);
	print_origins(q, v, f, true);
	fputs("}}", f);
}

/* -v adds the line that set each flag (print_origins). */
static void print_text_version(struct query *q, const struct qver *v, FILE *f,
			       bool origins)
{
	const struct recipe *r = v->r;

	fprintf(f, "%s/%s-%s:%s", r->category, r->pn, r->pvr, r->slot);
	if (r->subslot && strcmp(r->subslot, r->slot) != 0)
		fprintf(f, "/%s", r->subslot);
	fputc('\n', f);
	fputs("    keywords:", f);
	for (size_t i = 0; i < r->n_keywords; i++)
		fprintf(f, " %s", r->keywords[i]);
	fputc('\n', f);
	if (v->visible) {
		fputs("    visible: yes\n", f);
	} else {
		fputs("    visible: no\n", f);
		for (size_t i = 0; i < v->why.n; i++)
			fprintf(f, "    why: %s\n", v->why.v[i]);
	}
	fputs("    ", f);
	query_print_use(q, v, f);
	fputc('\n', f);
	if (origins)
		print_origins(q, v, f, false);
}

static int parse_opts(int argc, char **argv, struct gild_ctx *ctx, int *status)
{
	struct cli_opts co = {0};

	return cli_parse_opts(ctx, argc, argv, &co, status);
}

/* A recipe that does not load: where and why, for "errors". */
static void print_json_error(const struct gild_err *e, FILE *f)
{
	fputs("{\"file\": ", f);
	gild_json_str(f, e->file, (size_t)-1);
	fprintf(f, ", \"line\": %u, \"column\": %u, \"message\": ", e->line,
		e->col);
	gild_json_str(f, e->msg[0] ? e->msg : gild_strerror(e->code),
		      (size_t)-1);
	fputc('}', f);
}

static void print_json(struct query *q, FILE *f)
{
	fputs("{\"versions\": [", f);
	for (size_t i = 0; i < q->n; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		print_json_version(q, &q->v[i], f);
	}
	fputs("\n], \"errors\": [", f);
	for (size_t i = 0; i < q->nerrors; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		print_json_error(&q->errors[i], f);
	}
	fputs(q->nerrors ? "\n]}\n" : "]}\n", f);
}

/* Every recipe that did not load fails the command (after the answer for
 * the others): the first is the error, the rest warnings. */
static int report_errors(struct query *q, struct gild_ctx *ctx)
{
	if (!q->nerrors)
		return 0;
	for (size_t i = 1; i < q->nerrors; i++) {
		const struct gild_err *e = &q->errors[i];
		gild_ctx_warn(ctx, "%s:%u:%u: %s", e->file, e->line, e->col,
			      e->msg);
	}
	ctx->err = q->errors[0];
	return ctx->err.code ? ctx->err.code : -GILD_E_SYNTAX;
}

int cmd_query(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(query_release) struct query q = {0};
	int status = 2, first, r;

	if ((first = parse_opts(argc, argv, ctx, &status)) < 0)
		return status;
	if (first >= argc)
		return gild_ctx_usage_error(ctx, "needs at least one ATOM");
	if ((r = query_init(&q, ctx, &ctx->err)) < 0)
		return r;
	for (int i = first; i < argc; i++) {
		size_t errors = q.nerrors;
		if ((r = query_add(&q, argv[i], &ctx->err)) < 0 &&
		    q.nerrors > errors)
			continue; /* only recipes that do not load: reported */
		if (r < 0)
			return r;
		if (r == 0)
			return query_not_found(&q, argv[i], &ctx->err);
	}
	if (ctx->json)
		print_json(&q, ctx->out);
	for (size_t i = 0; i < q.n && !ctx->json; i++)
		print_text_version(&q, &q.v[i], ctx->out, ctx->verbosity > 0);
	return report_errors(&q, ctx);
}
