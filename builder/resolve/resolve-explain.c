/* resolve-explain.c: libsolv's problems rewritten for a person.
 *
 * For each problem: what cannot be met (the atom, who needs it and in
 * which class), the chain from a target to there, every candidate that was
 * considered and why it was refused (asked from the caller, who knows
 * masks, keywords and package.use lines), and the ways out as concrete
 * edits: libsolv's solutions become "remove target" or "mask =CPV", and
 * refusals become "add ... to etc/package.use" and the like.
 */
#include "resolve-impl.h"

#include <solv/problems.h>
#include <solv/rules.h>

struct explain {
	struct resolver *r;
	Solver *solv;
	Queue *job;
	struct gild_buf out;
	struct gild_strv fixes;
	struct gild_strv asked; /* atoms whose refusals were listed */
	int *parent;		/* candidate -> candidate that needs it */
	int *via; /* ... through this requirement, or -1 - target */
};

static int pkg_of(const struct explain *x, Id sid)
{
	if (sid <= 0 || sid >= x->r->pool->nsolvables)
		return -1;
	return x->r->sid2pkg[sid];
}

static void visit_atom(struct explain *x, int atom, int from, int req,
		       int *queue, size_t *tail)
{
	const struct rs_atom *at = &x->r->atoms[atom];

	for (size_t i = 0; i < at->nmatch; i++) {
		int w = at->match[i];
		if (x->parent[w] != -2)
			continue;
		x->parent[w] = from;
		x->via[w] = req;
		queue[(*tail)++] = w;
	}
}

/* Breadth first from the targets over every requirement's candidates, so
 * each candidate knows one shortest chain that pulls it in. */
static void find_chains(struct explain *x)
{
	struct resolver *r = x->r;
	int *queue = xmalloc((r->npkgs + 1) * sizeof(int));
	size_t head = 0, tail = 0;

	x->parent = xmalloc((r->npkgs + 1) * sizeof(int));
	x->via = xmalloc((r->npkgs + 1) * sizeof(int));
	for (size_t i = 0; i < r->npkgs; i++)
		x->parent[i] = -2;
	for (size_t t = 0; t < r->ntargets; t++) {
		const struct rs_atom *a = &r->atoms[r->targets[t].atom];
		for (size_t i = 0; i < a->nmatch; i++)
			if (x->parent[a->match[i]] == -2) {
				x->parent[a->match[i]] = -1;
				x->via[a->match[i]] = -1 - (int)t;
				queue[tail++] = a->match[i];
			}
	}
	while (head < tail) {
		int v = queue[head++];
		for (size_t k = r->pkgs[v].req_first; k < r->pkgs[v].req_end;
		     k++) {
			const struct rs_req *q = &r->reqs[k];
			if (q->blocker)
				continue;
			const int *a = q->atoms;
			for (size_t n = 0; n < q->nalts; n++, a++)
				for (; *a; a++)
					visit_atom(x, *a, v, (int)k, queue,
						   &tail);
		}
	}
	free(queue);
}

static void chain_text(struct explain *x, struct gild_buf *b, int pkg)
{
	int via;

	if (pkg < 0 || x->parent[pkg] == -2) {
		gild_buf_printf(b, "%s%s", pkg < 0 ? "?" : x->r->pkgs[pkg].cpv,
				pkg >= 0 && x->r->pkgs[pkg].pub.origin ==
						RS_INSTALLED
				    ? " (installed)"
				    : "");
		return;
	}
	via = x->via[pkg];
	if (x->parent[pkg] == -1) {
		gild_buf_printf(b, "target '%s' -> %s",
				x->r->targets[-1 - via].text,
				x->r->pkgs[pkg].cpv);
		return;
	}
	chain_text(x, b, x->parent[pkg]);
	gild_buf_printf(b, " -%s-> %s", dep_class_name(x->r->reqs[via].cls),
			x->r->pkgs[pkg].cpv);
}

/* The requirement of pkg written as libsolv dependency dep. */
static const struct rs_req *find_req(const struct explain *x, int pkg, Id dep)
{
	const struct rs_cand *c;

	if (pkg < 0)
		return NULL;
	c = &x->r->pkgs[pkg];
	for (size_t k = c->req_first; k < c->req_end; k++)
		if (x->r->reqs[k].dep == dep)
			return &x->r->reqs[k];
	return NULL;
}

/* "'a' or 'b c'" for a requirement. */
static void req_text(const struct explain *x, struct gild_buf *b,
		     const struct rs_req *q)
{
	const int *alt = q->atoms;

	for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt)) {
		gild_buf_adds(b, i ? " or '" : "'");
		for (const int *a = alt; *a; a++)
			gild_buf_printf(b, "%s%s", a == alt ? "" : " ",
					x->r->atoms[*a].text);
		gild_buf_addc(b, '\'');
	}
}

/* The candidates of an atom that were refused, and the caller's fixes. */
static void refusals(struct explain *x, const char *atom)
{
	struct gild_strv reasons = GILD_STRV_INIT;

	if (gild_strv_contains(&x->asked, atom))
		return;
	gild_strv_add(&x->asked, atom);
	if (x->r->refusal_fn)
		x->r->refusal_fn(x->r->refusal_ud, atom, &reasons, &x->fixes);
	if (!reasons.n) {
		gild_buf_printf(
		    &x->out, "  no package in the tree matches '%s'\n", atom);
	} else {
		gild_buf_printf(&x->out,
				"  candidates for '%s' that were refused:\n",
				atom);
		for (size_t i = 0; i < reasons.n; i++)
			gild_buf_printf(&x->out, "    %s\n", reasons.v[i]);
	}
	gild_strv_release(&reasons);
}

static void req_refusals(struct explain *x, const struct rs_req *q)
{
	const int *alt = q->atoms;

	for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt))
		for (const int *a = alt; *a; a++)
			if (!x->r->atoms[*a].nmatch)
				refusals(x, x->r->atoms[*a].text);
}

static void candidates_list(struct explain *x, const struct rs_req *q)
{
	const int *alt = q->atoms;
	bool first = true;

	gild_buf_adds(&x->out, " (matched by ");
	for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt))
		for (const int *a = alt; *a; a++)
			for (size_t m = 0; m < x->r->atoms[*a].nmatch; m++) {
				gild_buf_printf(
				    &x->out, "%s%s", first ? "" : ", ",
				    x->r->pkgs[x->r->atoms[*a].match[m]].cpv);
				first = false;
			}
	gild_buf_adds(&x->out, first ? "nothing)" : ")");
}

static void describe_requires(struct explain *x, int src, Id dep, bool none)
{
	const struct rs_req *q = find_req(x, src, dep);

	if (!q) {
		gild_buf_printf(&x->out, "  %s needs '%s'\n",
				x->r->pkgs[src].cpv,
				pool_dep2str(x->r->pool, dep));
		return;
	}
	gild_buf_printf(&x->out, "  %s needs ", x->r->pkgs[src].cpv);
	req_text(x, &x->out, q);
	gild_buf_printf(&x->out, " (%s)", dep_class_name(q->cls));
	if (!none)
		candidates_list(x, q);
	gild_buf_addc(&x->out, '\n');
	gild_buf_adds(&x->out, "    chain: ");
	chain_text(x, &x->out, src);
	gild_buf_addc(&x->out, '\n');
	req_refusals(x, q);
}

static const struct rs_target *target_of_dep(const struct explain *x, Id dep)
{
	for (size_t t = 0; t < x->r->ntargets; t++) {
		const struct rs_atom *a = &x->r->atoms[x->r->targets[t].atom];
		if (a->provide == dep || a->best == dep ||
		    (x->r->targets[t].job_what &&
		     x->r->targets[t].job_what == dep))
			return &x->r->targets[t];
	}
	return NULL;
}

static void describe_job(struct explain *x, Id dep, bool none)
{
	const struct rs_target *t = target_of_dep(x, dep);

	if (!t)
		return;
	if (none) {
		gild_buf_printf(&x->out,
				"  target '%s' matches no usable package\n",
				t->text);
		refusals(x, x->r->atoms[t->atom].text);
	} else {
		gild_buf_printf(&x->out, "  target '%s' is wanted\n", t->text);
	}
}

static void describe_blocker(struct explain *x, int src, int tgt, Id dep)
{
	const struct rs_req *q = find_req(x, src, dep);

	gild_buf_printf(&x->out, "  %s blocks '%s' (%s), which %s matches\n",
			x->r->pkgs[src].cpv,
			q ? x->r->atoms[q->atoms[0]].text
			  : pool_dep2str(x->r->pool, dep),
			q ? dep_class_name(q->cls) : "?",
			tgt >= 0 ? x->r->pkgs[tgt].cpv : "?");
	gild_buf_adds(&x->out, "    chain: ");
	chain_text(x, &x->out, src);
	gild_buf_adds(&x->out, "\n    chain: ");
	chain_text(x, &x->out, tgt);
	gild_buf_addc(&x->out, '\n');
}

static void describe_same_slot(struct explain *x, int a, int b)
{
	const struct rs_pkg *k = &x->r->pkgs[a].pub;

	gild_buf_printf(&x->out,
			"  %s and %s cannot both be installed: one version "
			"per slot, and both are in slot '%s' of %s\n",
			x->r->pkgs[a].cpv, x->r->pkgs[b].cpv, k->slot, k->cpn);
}

static void describe_rule(struct explain *x, Id rid)
{
	Id src = 0, tgt = 0, dep = 0;
	SolverRuleinfo type = solver_ruleinfo(x->solv, rid, &src, &tgt, &dep);
	int ps = pkg_of(x, src), pt = pkg_of(x, tgt);

	switch (type) {
	case SOLVER_RULE_JOB:
	case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP:
		describe_job(x, dep, type != SOLVER_RULE_JOB);
		break;
	case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
	case SOLVER_RULE_PKG_REQUIRES:
		if (ps >= 0)
			describe_requires(
			    x, ps, dep,
			    type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP);
		break;
	case SOLVER_RULE_PKG_CONFLICTS:
		if (ps >= 0)
			describe_blocker(x, ps, pt, dep);
		break;
	case SOLVER_RULE_PKG_SAME_NAME:
		if (ps >= 0 && pt >= 0)
			describe_same_slot(x, ps, pt);
		break;
	case SOLVER_RULE_UPDATE:
	case SOLVER_RULE_FEATURE:
		if (ps >= 0) { /* libsolv keeps what is installed */
			gild_buf_printf(&x->out,
					"  %s is installed and is kept\n",
					x->r->pkgs[ps].cpv);
			break;
		}
		/* fall through */
	default:
		gild_buf_printf(
		    &x->out, "  %s\n",
		    solver_problemruleinfo2str(x->solv, type, src, tgt, dep));
	}
}

/* libsolv's solutions as edits: dropping a job is removing a target; not
 * installing a package is masking that version. */
static void solution_fixes(struct explain *x, Id problem)
{
	unsigned ns = solver_solution_count(x->solv, problem);

	for (Id s = 1; s <= (Id)ns; s++) {
		struct gild_buf b = GILD_BUF_INIT;
		Id p, rp, e = 0;
		while ((e = solver_next_solutionelement(x->solv, problem, s, e,
							&p, &rp)) != 0) {
			int k = pkg_of(x, p);
			if (b.n)
				gild_buf_adds(&b, " and ");
			if (p == SOLVER_SOLUTION_JOB &&
			    rp / 2 < (Id)x->r->ntargets)
				gild_buf_printf(&b, "remove target '%s'",
						x->r->targets[rp / 2].text);
			else if (k >= 0 && !rp &&
				 x->r->pkgs[k].pub.origin == RS_INSTALLED)
				gild_buf_printf(
				    &b, "uninstall '%s' from the root first",
				    x->r->pkgs[k].cpv);
			else if (k >= 0 && !rp)
				gild_buf_printf(
				    &b,
				    "mask it: add '=%s' to etc/package.mask",
				    x->r->pkgs[k].cpv);
			else
				gild_buf_adds(&b, solver_solutionelement2str(
						      x->solv, p, rp));
		}
		if (b.n && !gild_strv_contains(&x->fixes, gild_buf_str(&b)))
			gild_strv_push(&x->fixes, gild_buf_steal(&b));
		gild_buf_release(&b);
	}
}

static void explain_one(struct explain *x, Id problem, unsigned nproblems)
{
	Queue rules;

	queue_init(&rules);
	solver_findallproblemrules(x->solv, problem, &rules);
	gild_buf_printf(&x->out, "problem %d of %u:\n", problem, nproblems);
	for (int i = 0; i < rules.count; i++)
		describe_rule(x, rules.elements[i]);
	queue_free(&rules);
	solution_fixes(x, problem);
	if (x->fixes.n) {
		gild_buf_adds(&x->out, "  possible fixes:\n");
		for (size_t i = 0; i < x->fixes.n; i++)
			gild_buf_printf(&x->out, "    - %s\n", x->fixes.v[i]);
	}
}

void rs_explain_problems(struct resolver *r, Solver *solv, Queue *job,
			 struct plan *p)
{
	struct explain x = {.r = r, .solv = solv, .job = job};
	unsigned n = solver_problem_count(solv);

	find_chains(&x);
	for (Id i = 1; i <= (Id)n; i++) {
		explain_one(&x, i, n);
		if (x.out.n && x.out.p[x.out.n - 1] == '\n')
			x.out.p[--x.out.n] = 0;
		gild_strv_push(&p->problems, gild_buf_steal(&x.out));
		gild_strv_release(&x.fixes);
		gild_strv_release(&x.asked);
	}
	gild_buf_release(&x.out);
	free(x.parent);
	free(x.via);
}
