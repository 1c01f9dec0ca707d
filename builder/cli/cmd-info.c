/* cmd-info.c: `gild info [--json] ATOM`: what metadata.xml says about a
 * package (GLEP 68): description, maintainers, upstream, and each USE
 * flag's description next to its effective state for the best visible
 * version. Flags metadata.xml does not describe fall back to
 * profiles/use.desc and profiles/desc/<group>.desc (portage(5)). */
#include "cli/cli.h"
#include "config/config.h"

#include "pms/pms.h"

#include <ctype.h>
#include <fcntl.h>

/* "flag - description" lines of a .desc file; NULL when absent. */
static char *desc_lookup(const char *path, const char *flag)
{
	_cleanup_free_ char *text = NULL;
	struct gild_err ignored = GILD_ERR_INIT;
	size_t n = strlen(flag);

	if (gild_read_file(path, &text, NULL, &ignored) < 0)
		return NULL;
	for (char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (strncmp(line, flag, n) == 0 &&
		    strncmp(line + n, " - ", 3) == 0)
			return xstrndup(line + n + 3, len - n - 3);
		line += len + (line[len] != '\0');
	}
	return NULL;
}

static char *flag_desc(struct query *q, const struct metadata *md, int id)
{
	const char *name = use_flag_name(q->env, id);
	const char *d = md ? metadata_flag_desc(md, name) : NULL;
	bool hidden;
	const char *group = use_flag_group(q->env, id, &hidden);
	_cleanup_free_ char *path = NULL;

	if (d)
		return xstrdup(d);
	if (!group) {
		path = gild_path_join(q->cfg->tree, "profiles/use.desc");
		return desc_lookup(path, name);
	}
	path = xasprintf("%s/profiles/desc/%s.desc", q->cfg->tree, group);
	for (char *p = path + strlen(q->cfg->tree); *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return desc_lookup(path, use_flag_short(q->env, id));
}

static const char *state_mark(const struct qver *v, int id)
{
	bool on = idset_has(&v->st.enabled, id);

	if (idset_has(&v->st.masked, id))
		return "(-)";
	if (idset_has(&v->st.forced, id))
		return on ? "(+)" : "(-)";
	return on ? "+" : "-";
}

static struct query *sort_q; /* qsort has no user data */

static int cmp_flag_id(const void *a, const void *b)
{
	return strcmp(use_flag_name(sort_q->env, *(const int *)a),
		      use_flag_name(sort_q->env, *(const int *)b));
}

/* The version's IUSE flags sorted by name; *width the longest name. */
static int *sorted_flags(struct query *q, const struct qver *v, int *width)
{
	int *ids = xcalloc(v->st.iuse.n + 1, sizeof(*ids));

	*width = 0;
	for (size_t i = 0; i < v->st.iuse.n; i++) {
		int n = (int)strlen(use_flag_name(q->env, v->st.iuse.v[i]));
		ids[i] = v->st.iuse.v[i];
		*width = n > *width ? n : *width;
	}
	sort_q = q;
	qsort(ids, v->st.iuse.n, sizeof(*ids), cmp_flag_id);
	return ids;
}

static void print_maintainer(const struct metadata_maintainer *m, FILE *f)
{
	fputs("    ", f);
	if (m->name)
		fprintf(f, "%s <%s>", m->name, m->email ? m->email : "");
	else
		fputs(m->email ? m->email : "", f);
	if (m->type && *m->type)
		fprintf(f, " (%s)", m->type);
	fputc('\n', f);
}

static void print_text(struct query *q, const struct qver *v,
		       const struct metadata *md, FILE *f)
{
	const struct recipe *r = v->r;

	fprintf(f, "%s/%s-%s\n", r->category, r->pn, r->pvr);
	fprintf(f, "description: %s\n", r->vars[RECIPE_DESCRIPTION]);
	if (*r->vars[RECIPE_HOMEPAGE])
		fprintf(f, "homepage: %s\n", r->vars[RECIPE_HOMEPAGE]);
	if (md && md->longdescription)
		fprintf(f, "long description: %s\n", md->longdescription);
	if (md && md->n_maintainers) {
		fputs("maintainers:\n", f);
		for (size_t i = 0; i < md->n_maintainers; i++)
			print_maintainer(&md->maintainers[i], f);
	}
	if (md && md->bugs_to)
		fprintf(f, "bugs: %s\n", md->bugs_to);
	if (!v->st.iuse.n)
		return;
	int width;
	_cleanup_free_ int *ids = sorted_flags(q, v, &width);
	fputs("USE flags:\n", f);
	for (size_t i = 0; i < v->st.iuse.n; i++) {
		_cleanup_free_ char *d = flag_desc(q, md, ids[i]);
		fprintf(f, "    %-3s %-*s  %s\n", state_mark(v, ids[i]), width,
			use_flag_name(q->env, ids[i]),
			d ? d : "(no description)");
	}
}

static void json_field(FILE *f, const char *key, const char *val, bool comma)
{
	fprintf(f, "%s\"%s\": ", comma ? ", " : "", key);
	if (val)
		gild_json_str(f, val, (size_t)-1);
	else
		fputs("null", f);
}

static void print_json(struct query *q, const struct qver *v,
		       const struct metadata *md, FILE *f)
{
	const struct recipe *r = v->r;
	_cleanup_free_ char *cpv =
	    xasprintf("%s/%s-%s", r->category, r->pn, r->pvr);

	fputc('{', f);
	json_field(f, "cpv", cpv, false);
	json_field(f, "description", r->vars[RECIPE_DESCRIPTION], true);
	json_field(f, "homepage", r->vars[RECIPE_HOMEPAGE], true);
	json_field(f, "longdescription", md ? md->longdescription : NULL, true);
	fputs(", \"maintainers\": [", f);
	for (size_t i = 0; md && i < md->n_maintainers; i++) {
		fputs(i ? ", {" : "{", f);
		json_field(f, "type", md->maintainers[i].type, false);
		json_field(f, "email", md->maintainers[i].email, true);
		json_field(f, "name", md->maintainers[i].name, true);
		fputc('}', f);
	}
	int width;
	_cleanup_free_ int *ids = sorted_flags(q, v, &width);
	fputs("], \"flags\": [", f);
	for (size_t i = 0; i < v->st.iuse.n; i++) {
		int id = ids[i];
		_cleanup_free_ char *d = flag_desc(q, md, id);
		fputs(i ? ", {" : "{", f);
		json_field(f, "name", use_flag_name(q->env, id), false);
		fprintf(f, ", \"enabled\": %s, \"forced\": %s, \"masked\": %s",
			idset_has(&v->st.enabled, id) ? "true" : "false",
			idset_has(&v->st.forced, id) ? "true" : "false",
			idset_has(&v->st.masked, id) ? "true" : "false");
		json_field(f, "description", d, true);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

int cmd_info(int argc, char **argv, struct gild_ctx *ctx)
{
	_cleanup_(query_release) struct query q = {0};
	_cleanup_(metadata_freep) struct metadata *md = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int treefd = -1;
	struct qver *v;
	struct cli_opts co = {0};
	int status, r;

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status;
	if (optind + 1 != argc)
		return gild_ctx_usage_error(ctx, "needs exactly one ATOM");
	if ((r = query_one(&q, ctx, argv[optind], &v, &ctx->err)) < 0)
		return r;
	/* relative to the tree, so that errors name recipes/.../metadata.xml */
	path =
	    xasprintf("recipes/%s/%s/metadata.xml", v->r->category, v->r->pn);
	if ((treefd = open(ctx->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return gild_fail_errno(&ctx->err, ctx->tree,
				       "cannot open tree");
	if ((r = metadata_load_at(treefd, path, &md, &ctx->err)) < 0)
		return r;
	if (ctx->json)
		print_json(&q, v, md, ctx->out);
	else
		print_text(&q, v, md, ctx->out);
	return 0;
}
