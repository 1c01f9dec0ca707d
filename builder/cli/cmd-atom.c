/* cmd-atom.c: `gild atom [--json] [--eapi N] ATOM` shows the parts of a
 * package dependency specification (PMS 8.3). */
#include "cli/cli.h"
#include "pms/pms.h"

static const char *blocker_str(int blocker)
{
	return blocker == 2 ? "!!" : blocker ? "!" : "";
}

static const char *slot_op_str(enum atom_slot_op op)
{
	return op == ATOM_SLOT_OP_EQ ? "=" : op == ATOM_SLOT_OP_STAR ? "*" : "";
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The revision as written, without leading zeros: exact at any length
 * (a->revision saturates). */
static const char *revision_digits(const struct atom *a)
{
	const char *d;

	if (!a->pvr || strlen(a->version) == strlen(a->pvr))
		return "0";
	d = a->pvr + strlen(a->version) + 2;
	while (d[0] == '0' && d[1])
		d++;
	return d;
}

static void print_json_field(FILE *f, const char *key, const char *value)
{
	gild_json_str(f, key, (size_t)-1);
	fputs(": ", f);
	gild_json_str(f, value, (size_t)-1);
	fputs(", ", f);
}

/* The keys and their order are fixed: scripts read them. */
static void print_atom_json(FILE *f, const struct atom *a)
{
	fputc('{', f);
	print_json_field(f, "blocker", blocker_str(a->blocker));
	print_json_field(f, "op", atom_op_str(a->op));
	print_json_field(f, "category", a->category);
	print_json_field(f, "package", a->package);
	print_json_field(f, "version", or_empty(a->version));
	fprintf(f, "\"revision\": %s, ", revision_digits(a));
	print_json_field(f, "slot", or_empty(a->slot));
	print_json_field(f, "subslot", or_empty(a->subslot));
	print_json_field(f, "slot_op", slot_op_str(a->slot_op));
	fputs("\"use_deps\": [", f);
	for (size_t i = 0; i < a->n_use; i++) {
		if (i)
			fputs(", ", f);
		gild_json_str(f, a->use[i].text, (size_t)-1);
	}
	fputs("]}\n", f);
}

static void print_atom_text(FILE *f, const struct atom *a)
{
	fprintf(f, "blocker:  %s\n", blocker_str(a->blocker));
	fprintf(f, "op:       %s\n", atom_op_str(a->op));
	fprintf(f, "category: %s\n", a->category);
	fprintf(f, "package:  %s\n", a->package);
	fprintf(f, "version:  %s\n", or_empty(a->version));
	fprintf(f, "revision: %s\n", revision_digits(a));
	fprintf(f, "slot:     %s\n", or_empty(a->slot));
	fprintf(f, "subslot:  %s\n", or_empty(a->subslot));
	fprintf(f, "slot_op:  %s\n", slot_op_str(a->slot_op));
	fprintf(f, "use_deps:");
	for (size_t i = 0; i < a->n_use; i++)
		fprintf(f, " %s", a->use[i].text);
	fputc('\n', f);
}

/* "--eapi N": only 7 and 8 exist for gild. */
static int eapi_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	return c == 'e' ? gild_parse_eapi_opt(ctx, arg, ud) : 0;
}

int cmd_atom(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"eapi", required_argument, NULL, 'e'}, {0}};
	_cleanup_(atom_freep) struct atom *a = NULL;
	int eapi = 8, status, r;
	struct cli_opts co = {.opts = opts, .fn = eapi_opt, .ud = &eapi};

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status;
	if (argc - optind != 1)
		return gild_ctx_usage_error(ctx, "needs one atom");
	r = atom_parse(argv[optind], strlen(argv[optind]), eapi, &a, &ctx->err);
	if (r < 0)
		return r;
	if (ctx->json)
		print_atom_json(ctx->out, a);
	else
		print_atom_text(ctx->out, a);
	return 0;
}
