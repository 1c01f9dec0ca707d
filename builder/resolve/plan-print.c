/* plan-print.c: the plan as emerge -pv lines, as a tree, as JSON; `why`. */
#include "resolve-impl.h"

static bool flag_on(const struct rs_pkg *k, const char *flag)
{
	for (size_t i = 0; k->use && k->use[i]; i++)
		if (strcmp(k->use[i], flag) == 0)
			return true;
	return false;
}

static const char *flag_mark(const struct plan_entry *e, const char *flag)
{
	if (gild_strv_contains(&e->changed, flag))
		return "*";
	if (gild_strv_contains(&e->iuse_changed, flag))
		return "%";
	return "";
}

/* IUSE sorted: enabled flags first, then "-flag" for disabled ones, the way
 * emerge -pv shows them; a flag whose state changed since the build this
 * one replaces is marked '*', one new in IUSE '%'. */
static void use_string(struct gild_buf *b, const struct rs_pkg *k,
		       const struct plan_entry *e)
{
	struct gild_strv on = GILD_STRV_INIT, off = GILD_STRV_INIT;

	for (size_t i = 0; k->iuse && k->iuse[i]; i++)
		gild_strv_add(flag_on(k, k->iuse[i]) ? &on : &off, k->iuse[i]);
	gild_strv_sort(&on);
	gild_strv_sort(&off);
	for (size_t i = 0; i < on.n; i++)
		gild_buf_printf(b, "%s%s%s", b->n ? " " : "", on.v[i],
				flag_mark(e, on.v[i]));
	for (size_t i = 0; i < off.n; i++)
		gild_buf_printf(b, "%s-%s%s", b->n ? " " : "", off.v[i],
				flag_mark(e, off.v[i]));
	gild_strv_release(&on);
	gild_strv_release(&off);
}

const char *plan_op_letters(enum plan_op op)
{
	static const char *const letters[] = {"N", "NS", "R", "U", "UD"};

	return letters[op];
}

/* emerge's columns: N (new), S or R (new slot, replacing the same
 * version), U (another version), D (a lower one). */
static void op_columns(char out[5], enum plan_op op)
{
	static const char *const cols[] = {"N   ", "NS  ", " R  ", "  U ",
					   "  UD"};

	memcpy(out, cols[op], 5);
}

static void print_line(FILE *f, const struct plan_entry *e,
		       const struct resolver *r, int indent)
{
	const struct rs_pkg *k = resolver_pkg(r, e->pkg);
	struct gild_buf use = GILD_BUF_INIT;
	char cols[5];

	op_columns(cols, e->op);
	fprintf(f, "[%-6s %s] %*s%s:%s",
		e->action == PLAN_BINARY ? "binary" : "build", cols, indent * 2,
		"", resolver_cpv(r, e->pkg), k->slot);
	if (strcmp(k->slot, k->subslot) != 0)
		fprintf(f, "/%s", k->subslot);
	use_string(&use, k, e);
	if (use.n)
		fprintf(f, " USE=\"%s\"", gild_buf_str(&use));
	if (e->old_pvr)
		fprintf(f, " [%s]", e->old_pvr);
	if (e->rebuild)
		fprintf(f, " (%s)", e->rebuild);
	fputc('\n', f);
	gild_buf_release(&use);
}

/* --tree: each package under the one that first pulled it in, children in
 * build order. */
static void print_subtree(FILE *f, const struct plan *p,
			  const struct resolver *r, int parent, int depth)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->v[i];
		if (e->parent != parent || e->action == PLAN_KEEP)
			continue;
		print_line(f, e, r, depth);
		print_subtree(f, p, r, e->pkg, depth + 1);
	}
}

/* "Total: 5 packages (2 new, 1 in new slot, 1 upgrade, 1 reinstall), 3
 * binary" (emerge's summary, with how many come from binary packages). */
static void print_summary(FILE *f, const struct plan *p)
{
	size_t total = 0, bin = 0, kinds[5] = {0};
	static const char *const words[] = {"new", "in new slot", "reinstall",
					    "upgrade", "downgrade"};
	static const int order[] = {PLAN_OP_NEW, PLAN_OP_NEW_SLOT,
				    PLAN_OP_UPGRADE, PLAN_OP_DOWNGRADE,
				    PLAN_OP_REPLACE};

	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].action == PLAN_KEEP)
			continue;
		total++;
		bin += p->v[i].action == PLAN_BINARY;
		kinds[p->v[i].op]++;
	}
	fprintf(f, "\nTotal: %zu package%s (", total, total == 1 ? "" : "s");
	for (int k = 0, first = 1; k < 5; k++)
		if (kinds[order[k]] || (k == 0 && !total)) {
			fprintf(f, "%s%zu %s", first ? "" : ", ",
				kinds[order[k]], words[order[k]]);
			first = 0;
		}
	if (p->nremoved)
		fprintf(f, ", %zu uninstall", p->nremoved);
	if (bin)
		fprintf(f, ", %zu binary", bin);
	fprintf(f, ")\n");
}

/* emerge's "[uninstall     ]": what a weak blocker removes. */
static void print_removed(FILE *f, const struct plan *p,
			  const struct resolver *r)
{
	for (size_t i = 0; i < p->nremoved; i++)
		fprintf(f, "[uninstall  ] %s:%s (blocked by %s)\n",
			resolver_cpv(r, p->removed[i]),
			resolver_pkg(r, p->removed[i])->slot,
			resolver_cpv(r, p->removed_by[i]));
}

static void json_removed(FILE *f, const struct plan *p,
			 const struct resolver *r)
{
	fputs(",\n \"uninstall\": [", f);
	for (size_t i = 0; i < p->nremoved; i++) {
		fputs(i ? ", {\"cpv\": " : "{\"cpv\": ", f);
		gild_json_str(f, resolver_cpv(r, p->removed[i]), (size_t)-1);
		fputs(", \"blocked_by\": ", f);
		gild_json_str(f, resolver_cpv(r, p->removed_by[i]), (size_t)-1);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_strv(FILE *f, char **v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		gild_json_str(f, v[i], (size_t)-1);
	}
	fputc(']', f);
}

static void json_use(FILE *f, const struct rs_pkg *k)
{
	struct gild_strv use = GILD_STRV_INIT, iuse = GILD_STRV_INIT;

	for (size_t i = 0; k->iuse && k->iuse[i]; i++) {
		gild_strv_add(&iuse, k->iuse[i]);
		if (flag_on(k, k->iuse[i]))
			gild_strv_add(&use, k->iuse[i]);
	}
	gild_strv_sort(&use);
	gild_strv_sort(&iuse);
	fputs(", \"use\": ", f);
	json_strv(f, use.v, use.n);
	fputs(", \"iuse\": ", f);
	json_strv(f, iuse.v, iuse.n);
	gild_strv_release(&use);
	gild_strv_release(&iuse);
}

static void json_deps(FILE *f, const struct plan *p, const struct plan_entry *e,
		      const struct resolver *r)
{
	fputs(", \"deps\": {", f);
	for (int c = 0; c < DEP_NCLASS; c++) {
		bool first = true;
		fprintf(f, "%s\"%s\": [", c ? ", " : "", dep_class_key(c));
		for (size_t i = 0; i < e->ndeps[c]; i++) {
			int d = plan_find(p, e->deps[c][i]);
			if (d < 0 || p->v[d].action == PLAN_KEEP)
				continue;
			fputs(first ? "" : ", ", f);
			gild_json_str(f, resolver_cpv(r, e->deps[c][i]),
				      (size_t)-1);
			first = false;
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static void print_json(FILE *f, const struct plan *p, const struct resolver *r)
{
	bool first = true;

	fputs("{\"plan\": [", f);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->v[i];
		const struct rs_pkg *k = resolver_pkg(r, e->pkg);
		if (e->action == PLAN_KEEP)
			continue;
		fputs(first ? "\n  {\"cpv\": " : ",\n  {\"cpv\": ", f);
		first = false;
		gild_json_str(f, resolver_cpv(r, e->pkg), (size_t)-1);
		fputs(", \"slot\": ", f);
		gild_json_str(f, k->slot, (size_t)-1);
		fputs(", \"subslot\": ", f);
		gild_json_str(f, k->subslot, (size_t)-1);
		json_use(f, k);
		json_deps(f, p, e, r);
		fprintf(f, ", \"action\": \"%s\", \"op\": \"%s\"",
			e->action == PLAN_BINARY ? "binary" : "build",
			plan_op_letters(e->op));
		if (e->old_pvr) {
			fputs(", \"replaces\": ", f);
			gild_json_str(f, e->old_pvr, (size_t)-1);
		}
		if (e->rebuild) {
			fputs(", \"rebuild\": ", f);
			gild_json_str(f, e->rebuild, (size_t)-1);
		}
		if (e->changed.n) {
			fputs(", \"changed_use\": ", f);
			json_strv(f, e->changed.v, e->changed.n);
		}
		fputs(", \"reason\": ", f);
		gild_json_str(f, e->reason, (size_t)-1);
		fputc('}', f);
	}
	fputs(first ? "]" : "\n ]", f);
	if (p->nremoved)
		json_removed(f, p, r);
	fputs(",\n \"problems\": ", f);
	json_strv(f, p->problems.v, p->problems.n);
	fputs(",\n \"notes\": ", f);
	json_strv(f, p->notes.v, p->notes.n);
	fputs("}\n", f);
}

void plan_print(FILE *f, const struct plan *p, const struct resolver *r,
		enum plan_style style)
{
	if (style == PLAN_JSON) {
		print_json(f, p, r);
		return;
	}
	if (p->unsolvable)
		return;
	if (style == PLAN_TREE)
		print_subtree(f, p, r, -1, 0);
	else
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].action != PLAN_KEEP)
				print_line(f, &p->v[i], r, 0);
	print_removed(f, p, r);
	print_summary(f, p);
	for (size_t i = 0; i < p->notes.n; i++)
		fprintf(f, "note: %s\n", p->notes.v[i]);
}

/* "target 'x' -> a-1 -RDEPEND-> b-1 ..." up to and including pkg. */
static void chain(struct gild_buf *b, const struct plan *p,
		  const struct resolver *r, int pkg, int depth)
{
	int i = plan_find(p, pkg);
	const struct plan_entry *e = &p->v[i];

	if (e->parent < 0 || depth > 64) {
		gild_buf_printf(b, "%s -> %s", e->reason, resolver_cpv(r, pkg));
		return;
	}
	chain(b, p, r, e->parent, depth + 1);
	for (int c = 0; c < DEP_NCLASS; c++) {
		const struct plan_entry *pe = &p->v[plan_find(p, e->parent)];
		for (size_t k = 0; k < pe->ndeps[c]; k++)
			if (pe->deps[c][k] == pkg) {
				gild_buf_printf(b, " -%s-> %s",
						dep_class_name(c),
						resolver_cpv(r, pkg));
				return;
			}
	}
}

void plan_print_why(FILE *f, const struct plan *p, const struct resolver *r,
		    int pkg)
{
	struct gild_strv lines = GILD_STRV_INIT;
	int me = plan_find(p, pkg);
	struct gild_buf b = GILD_BUF_INIT;

	if (p->v[me].parent < 0) {
		chain(&b, p, r, pkg, 0);
		gild_strv_push(&lines, gild_buf_steal(&b));
	}
	/* every package that depends on it, each with its own first chain
	 * and every class it needs it in ("-DEPEND,RDEPEND->") */
	for (size_t i = 0; i < p->n; i++) {
		struct gild_buf cls = GILD_BUF_INIT;
		for (int c = 0; c < DEP_NCLASS; c++)
			for (size_t k = 0; k < p->v[i].ndeps[c]; k++)
				if (p->v[i].deps[c][k] == pkg)
					gild_buf_printf(&cls, "%s%s",
							cls.n ? "," : "",
							dep_class_name(c));
		if (cls.n) {
			chain(&b, p, r, p->v[i].pkg, 0);
			gild_buf_printf(&b, " -%s-> %s", gild_buf_str(&cls),
					resolver_cpv(r, pkg));
			gild_strv_push(&lines, gild_buf_steal(&b));
		}
		gild_buf_release(&cls);
	}
	for (size_t i = 0; i < lines.n; i++)
		fprintf(f, "%s\n", lines.v[i]);
	gild_strv_release(&lines);
}
