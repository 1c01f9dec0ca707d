/* cmd-clean.c: `gild clean [--pretend] [--distfiles] [--packages]`: remove
 * what failed or killed runs left in the work area, DISTDIR and PKGDIR
 * (eclean's two passes: list what may go, then remove it; with --pretend
 * only the list). What a running gild uses is skipped and named
 * (build/build-clean.c says how each kind is recognised). */
#include "build/build.h"
#include "cli/cli.h"

#include "repo/repo.h"

enum { OPT_DISTFILES = 0x2200, OPT_PACKAGES };

struct clean_cli {
	unsigned what;
	bool pretend;
};

static int clean_opt(struct gild_ctx *ctx, int c, const char *arg, void *ud)
{
	struct clean_cli *o = ud;

	(void)ctx, (void)arg;
	if (c == 'p')
		o->pretend = true;
	else if (c == OPT_DISTFILES)
		o->what |= CLEAN_DISTFILES;
	else if (c == OPT_PACKAGES)
		o->what |= CLEAN_PACKAGES;
	return 0;
}

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= (1u << 30))
		snprintf(buf, len, "%.1f GiB", (double)n / (1u << 30));
	else if (n >= (1u << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (1u << 20));
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)n);
}

static void print_item(struct gild_ctx *ctx, const struct clean_item *it,
		       bool pretend)
{
	char sz[32];

	if (ctx->json) {
		fputs("{\"path\":", ctx->out);
		gild_json_str(ctx->out, it->path, (size_t)-1);
		fputs(",\"what\":", ctx->out);
		gild_json_str(ctx->out, it->what, (size_t)-1);
		fprintf(ctx->out, ",\"bytes\":%llu,\"action\":",
			(unsigned long long)it->bytes);
		gild_json_str(ctx->out,
			      it->in_use ? "skipped"
			      : pretend	 ? "would-remove"
					 : "removed",
			      (size_t)-1);
		if (it->in_use) {
			fputs(",\"reason\":", ctx->out);
			gild_json_str(ctx->out, it->in_use, (size_t)-1);
		}
		fputc('}', ctx->out);
		return;
	}
	if (it->in_use) {
		fprintf(ctx->out, "skipped %s (%s, %s)\n", it->path, it->what,
			it->in_use);
		return;
	}
	human_size(it->bytes, sz, sizeof(sz));
	fprintf(ctx->out, "%s %s (%s, %s)\n",
		pretend ? "would remove" : "removed", it->path, it->what, sz);
}

/* What clean_items did, for the summary. */
struct clean_counts {
	uint64_t freed;
	size_t done, skipped;
	bool packages; /* a package went: the index is rewritten */
};

/* Remove (or with --pretend list) each item. A removal that fails is
 * reported and the rest go on; returns the first failure's code. */
static int clean_items(struct gild_ctx *ctx, struct clean_plan *p, bool pretend,
		       struct clean_counts *n)
{
	int first = 0, r;
	size_t shown = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct clean_item *it = &p->v[i];
		struct gild_err e = GILD_ERR_INIT;
		if (!pretend && (r = build_clean_remove(it, &e)) < 0) {
			gild_ctx_warn(ctx, "%s", e.msg);
			first = first ? first : r;
			continue;
		}
		if (ctx->json)
			fputs(shown++ ? ",\n " : "[", ctx->out);
		print_item(ctx, it, pretend);
		if (it->in_use) {
			n->skipped++;
			continue;
		}
		n->freed += it->bytes;
		n->done++;
		n->packages |= it->package;
	}
	if (ctx->json)
		fputs(shown ? "]\n" : "[]\n", ctx->out);
	return first;
}

/* The last line, on ctx->out with the list (not with --json): what was
 * (or would be) freed. */
static void print_summary(struct gild_ctx *ctx, const struct clean_plan *p,
			  bool pretend, const struct clean_counts *n)
{
	char sz[32];

	if (ctx->json)
		return;
	human_size(n->freed, sz, sizeof(sz));
	if (n->done == 0 && n->skipped == 0) {
		fprintf(ctx->out, "nothing to clean\n");
		return;
	}
	fprintf(ctx->out, "%s %s: %zu %s, %zu skipped (in use)\n",
		pretend ? "would free" : "freed", sz, n->done,
		pretend ? "to remove" : "removed", n->skipped);
	if (n->skipped && !p->area_exclusive)
		gild_ctx_info(ctx, "what holds no lock of its own is skipped "
				   "while another gild runs: run 'gild clean' "
				   "again when it is done");
}

int cmd_clean(int argc, char **argv, struct gild_ctx *ctx)
{
	static const struct option opts[] = {
	    {"pretend", no_argument, NULL, 'p'},
	    {"distfiles", no_argument, NULL, OPT_DISTFILES},
	    {"packages", no_argument, NULL, OPT_PACKAGES},
	    GILD_TREE_LONGOPT,
	    {0}};
	struct clean_cli o = {0};
	struct cli_opts co = {.opts = opts,
			      .shortopts = "p",
			      .no_operands = true,
			      .fn = clean_opt,
			      .ud = &o};
	_cleanup_(build_env_freep) struct build_env *env = NULL;
	_cleanup_(binrepo_freep) struct binrepo *repo = NULL;
	_cleanup_(clean_plan_releasep) struct clean_plan plan = {0};
	struct clean_counts n = {0};
	int status, r, failed;

	if (cli_parse_opts(ctx, argc, argv, &co, &status) < 0)
		return status;
	if ((r = build_env_open(ctx, &env, &ctx->err)) < 0 ||
	    (r = build_clean_plan(env, o.what, &plan, &ctx->err)) < 0)
		return r;
	failed = clean_items(ctx, &plan, o.pretend, &n);
	print_summary(ctx, &plan, o.pretend, &n);
	/* the index must not list what is gone */
	if (n.packages &&
	    (r = binrepo_reindex(env->pkgdir, &repo, &ctx->err)) < 0)
		return r;
	return failed < 0 ? 1 : 0;
}
