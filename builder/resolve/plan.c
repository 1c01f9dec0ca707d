/* plan.c: from libsolv's decisions to an ordered build plan, and its output.
 *
 * Order: BDEPEND, DEPEND and IDEPEND are hard edges (the
 * dependency must be merged first); RDEPEND is a soft edge (merged first
 * unless a cycle forbids it); PDEPEND is a soft edge the other way (PMS
 * 8.1: merged after the package). Strongly connected components are
 * ordered dependencies-first; inside a component the hard edges decide and
 * a runtime edge that cannot be honoured is dropped and reported. A cycle
 * of hard edges is a build-time cycle: reported as a problem, broken at
 * the edge that closes it so that a plan is still printed (like emerge).
 */
#include "resolve-impl.h"

/* ---- collecting ---------------------------------------------------------- */

struct collect {
	struct resolver *r;
	struct plan *p;
	bool *chosen;
	int *idx; /* candidate -> plan index, -1 */
	size_t cap;
};

/* The chosen candidate matching an atom (the newest if several), or -1. */
static int chosen_match(const struct collect *c, int atom)
{
	const struct rs_atom *a = &c->r->atoms[atom];
	int best = -1;

	for (size_t i = 0; i < a->nmatch; i++) {
		int k = a->match[i];
		if (c->chosen[k] &&
		    (best < 0 ||
		     c->r->pkgs[k].pub.vrank > c->r->pkgs[best].pub.vrank))
			best = k;
	}
	return best;
}

static bool alt_satisfied(const struct collect *c, const int *alt)
{
	for (; *alt; alt++)
		if (chosen_match(c, *alt) < 0)
			return false;
	return true;
}

static int plan_add(struct collect *c, int pkg, int parent, int depth,
		    char *reason)
{
	struct plan_entry *e;
	static const enum plan_action act[] = {PLAN_BUILD, PLAN_BINARY,
					       PLAN_KEEP, PLAN_KEEP};

	gild_grow(&c->p->v, &c->cap, c->p->n + 1, sizeof(*c->p->v));
	e = &c->p->v[c->p->n];
	memset(e, 0, sizeof(*e));
	e->pkg = pkg;
	e->parent = parent;
	e->depth = depth;
	e->reason = reason;
	e->action = act[c->r->pkgs[pkg].pub.origin];
	c->idx[pkg] = (int)c->p->n;
	return (int)c->p->n++;
}

static void add_edge(struct plan_entry *e, enum dep_class cls, int dep)
{
	for (size_t i = 0; i < e->ndeps[cls]; i++)
		if (e->deps[cls][i] == dep)
			return;
	e->deps[cls] =
	    xrealloc(e->deps[cls], (e->ndeps[cls] + 1) * sizeof(int));
	e->deps[cls][e->ndeps[cls]++] = dep;
}

/* Resolve one requirement of plan entry ei to chosen candidates: the first
 * satisfied alternative, as Portage reads `|| ( )`. */
static void resolve_req(struct collect *c, int ei, const struct rs_req *q)
{
	const int *alt = q->atoms;

	for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt)) {
		if (!alt_satisfied(c, alt))
			continue;
		for (const int *a = alt; *a; a++) {
			int k = chosen_match(c, *a);
			int pi = c->p->v[ei].pkg;
			if (k == pi)
				continue;
			if (c->idx[k] < 0)
				plan_add(c, k, pi, c->p->v[ei].depth + 1,
					 xasprintf("%s of %s",
						   dep_class_name(q->cls),
						   c->r->pkgs[pi].cpv));
			add_edge(&c->p->v[ei], q->cls, k);
		}
		return;
	}
}

static void collect_targets(struct collect *c)
{
	for (size_t i = 0; i < c->r->ntargets; i++) {
		int k = chosen_match(c, c->r->targets[i].atom);
		if (k >= 0 && c->idx[k] < 0)
			plan_add(
			    c, k, -1, 0,
			    xasprintf("target '%s'", c->r->targets[i].text));
	}
}

/* The plan entry whose weak blocker matches installed candidate k. */
static int blocker_of(const struct collect *c, int k)
{
	for (size_t ei = 0; ei < c->p->n; ei++) {
		const struct rs_cand *cand = &c->r->pkgs[c->p->v[ei].pkg];
		for (size_t q = cand->req_first; q < cand->req_end; q++) {
			const struct rs_req *rq = &c->r->reqs[q];
			const struct rs_atom *a = &c->r->atoms[rq->atoms[0]];
			if (rq->blocker != 1)
				continue;
			for (size_t m = 0; m < a->nmatch; m++)
				if (a->match[m] == k)
					return c->p->v[ei].pkg;
		}
	}
	return -1;
}

/* Installed candidates libsolv erased without a replacement in their
 * slot: what the plan's weak blockers uninstall. */
static void collect_removed(struct collect *c)
{
	const struct resolver *r = c->r;

	for (size_t k = 0; k < r->npkgs; k++) {
		Id name = r->pool->solvables[r->pkgs[k].sid].name;
		bool replaced = false;
		int by;
		if (r->pkgs[k].pub.origin != RS_INSTALLED || c->chosen[k])
			continue;
		for (size_t o = 0; o < r->npkgs && !replaced; o++)
			replaced =
			    c->chosen[o] &&
			    r->pool->solvables[r->pkgs[o].sid].name == name;
		if (replaced || (by = blocker_of(c, (int)k)) < 0)
			continue;
		c->p->removed =
		    xrealloc(c->p->removed, (c->p->nremoved + 1) * sizeof(int));
		c->p->removed_by = xrealloc(c->p->removed_by,
					    (c->p->nremoved + 1) * sizeof(int));
		c->p->removed[c->p->nremoved] = (int)k;
		c->p->removed_by[c->p->nremoved++] = by;
	}
}

void rs_collect_plan(struct resolver *r, Solver *solv, struct plan *p)
{
	struct collect c = {r, p, xcalloc(r->npkgs + 1, sizeof(bool)),
			    xmalloc((r->npkgs + 1) * sizeof(int)), 0};
	Queue dq;

	queue_init(&dq);
	solver_get_decisionqueue(solv, &dq);
	for (int i = 0; i < dq.count; i++) {
		Id id = dq.elements[i];
		if (id > 0 && id < r->pool->nsolvables && r->sid2pkg[id] >= 0)
			c.chosen[r->sid2pkg[id]] = true;
	}
	queue_free(&dq);
	for (size_t i = 0; i < r->npkgs; i++)
		c.idx[i] = -1;
	collect_targets(&c);
	/* breadth first, so reasons and depths name the shortest chain */
	for (size_t ei = 0; ei < p->n; ei++) {
		const struct rs_cand *cand = &r->pkgs[p->v[ei].pkg];
		if (p->v[ei].action == PLAN_KEEP)
			continue;
		for (size_t k = cand->req_first; k < cand->req_end; k++)
			if (!r->reqs[k].blocker)
				resolve_req(&c, (int)ei, &r->reqs[k]);
	}
	if (r->repo[RS_INSTALLED]->nsolvables)
		collect_removed(&c);
	free(c.chosen);
	free(c.idx);
}

int plan_find(const struct plan *p, int pkg)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].pkg == pkg)
			return (int)i;
	return -1;
}

/* ---- ordering ------------------------------------------------------------ */

struct edge {
	int from; /* must come first */
	int to;
	enum dep_class cls;
	bool hard;
	bool dropped;
};

struct order {
	struct plan *p;
	const struct resolver *r;
	struct edge *e;
	size_t ne, ecap;
	int **in; /* per node: indices of edges ending there */
	size_t *nin;
	/* Tarjan */
	int *index, *low, *stack, nstack, counter;
	bool *onstack;
	int *out;
	size_t nout;
	bool *placed;
};

static void order_add_edge(struct order *o, int from, int to,
			   enum dep_class cls)
{
	struct edge *e;

	if (from == to)
		return;
	gild_grow(&o->e, &o->ecap, o->ne + 1, sizeof(*o->e));
	e = &o->e[o->ne];
	e->from = from;
	e->to = to;
	e->cls = cls;
	e->hard = cls == DEP_BDEPEND || cls == DEP_DEPEND || cls == DEP_IDEPEND;
	e->dropped = false;
	o->in[to] = xrealloc(o->in[to], (o->nin[to] + 1) * sizeof(int));
	o->in[to][o->nin[to]++] = (int)o->ne++;
}

static void build_edges(struct order *o)
{
	int *idx = xmalloc((o->r->npkgs + 1) * sizeof(int));

	for (size_t i = 0; i < o->r->npkgs; i++)
		idx[i] = -1;
	for (size_t i = 0; i < o->p->n; i++)
		idx[o->p->v[i].pkg] = (int)i;
	for (size_t i = 0; i < o->p->n; i++) {
		const struct plan_entry *pe = &o->p->v[i];
		for (int c = 0; c < DEP_NCLASS; c++)
			for (size_t k = 0; k < pe->ndeps[c]; k++) {
				int d = idx[pe->deps[c][k]];
				if (o->p->v[d].action == PLAN_KEEP)
					continue;
				if (c == DEP_PDEPEND) /* after the package */
					order_add_edge(o, (int)i, d, c);
				else
					order_add_edge(o, d, (int)i, c);
			}
	}
	free(idx);
}

static void scc_place(struct order *o, int *comp, size_t n);

/* Tarjan's strongly connected components over "must come before" edges
 * reversed (node -> what must precede it), so components come out
 * predecessors first. */
static void tarjan(struct order *o, int v)
{
	o->index[v] = o->low[v] = ++o->counter;
	o->stack[o->nstack++] = v;
	o->onstack[v] = true;
	for (size_t k = 0; k < o->nin[v]; k++) {
		int w = o->e[o->in[v][k]].from;
		if (!o->index[w]) {
			tarjan(o, w);
			if (o->low[w] < o->low[v])
				o->low[v] = o->low[w];
		} else if (o->onstack[w] && o->index[w] < o->low[v]) {
			o->low[v] = o->index[w];
		}
	}
	if (o->low[v] == o->index[v]) {
		int start = o->nstack;
		do
			o->onstack[o->stack[--start]] = false;
		while (o->stack[start] != v);
		scc_place(o, o->stack + start, (size_t)(o->nstack - start));
		o->nstack = start;
	}
}

static bool in_comp(const int *comp, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (comp[i] == v)
			return true;
	return false;
}

/* Can v be placed now: every hard edge into v from the component done? */
static int unmet(const struct order *o, const int *comp, size_t n, int v,
		 bool hard)
{
	int count = 0;

	for (size_t k = 0; k < o->nin[v]; k++) {
		const struct edge *e = &o->e[o->in[v][k]];
		if (e->dropped || e->hard != hard || o->placed[e->from])
			continue;
		if (in_comp(comp, n, e->from))
			count++;
	}
	return count;
}

static const char *node_cpv(const struct order *o, int v)
{
	return o->r->pkgs[o->p->v[v].pkg].cpv;
}

/* No node of the component is free of unplaced hard predecessors: walk
 * hard edges backwards from start until a node repeats, report that cycle
 * and drop the edge that closes it. */
static void break_build_cycle(struct order *o, const int *comp, size_t n,
			      int start)
{
	int *path = xmalloc((n + 1) * sizeof(int)),
	    *via = xmalloc((n + 1) * sizeof(int));
	size_t len = 0, first = 0;
	int v = start;
	struct gild_buf b = GILD_BUF_INIT;

	for (;;) {
		size_t k;
		for (first = 0; first < len && path[first] != v; first++)
			;
		if (first < len)
			break;
		path[len] = v;
		for (k = 0; k < o->nin[v]; k++) {
			const struct edge *e = &o->e[o->in[v][k]];
			if (e->hard && !e->dropped && !o->placed[e->from] &&
			    in_comp(comp, n, e->from))
				break;
		}
		via[len++] = o->in[v][k];
		v = o->e[o->in[v][k]].from;
	}
	/* path[first..len): each needs the next one built first */
	gild_buf_printf(&b, "build-time dependency cycle: %s",
			node_cpv(o, path[first]));
	for (size_t i = first; i < len; i++)
		gild_buf_printf(&b, " -%s-> %s",
				dep_class_name(o->e[via[i]].cls),
				node_cpv(o, o->e[via[i]].from));
	o->e[via[len - 1]].dropped = true;
	gild_strv_push(&o->p->problems, gild_buf_steal(&b));
	o->p->build_cycle = true;
	free(path);
	free(via);
}

static void place(struct order *o, int v)
{
	o->placed[v] = true;
	o->out[o->nout++] = v;
}

/* Soft edges into v from the component that are still unplaced are broken
 * by placing v first: say so. */
static void note_dropped_runtime(struct order *o, const int *comp, size_t n,
				 int v)
{
	for (size_t k = 0; k < o->nin[v]; k++) {
		struct edge *e = &o->e[o->in[v][k]];
		if (e->hard || e->dropped || o->placed[e->from] ||
		    !in_comp(comp, n, e->from))
			continue;
		e->dropped = true;
		if (e->cls == DEP_PDEPEND)
			continue; /* PDEPEND cycles are what PDEPEND is for */
		gild_strv_push(&o->p->notes,
			       xasprintf("runtime cycle: %s is merged before "
					 "its %s %s (the %s edge is dropped "
					 "for ordering)",
					 node_cpv(o, v), dep_class_name(e->cls),
					 node_cpv(o, e->from),
					 dep_class_name(e->cls)));
	}
}

/* Order one component: hard edges strictly; among free nodes the one with
 * the fewest unplaced runtime predecessors, then plan (BFS) order. */
static void scc_place(struct order *o, int *comp, size_t n)
{
	for (size_t left = n; left > 0;) {
		int pick = -1, pick_soft = 0;
		for (size_t i = 0; i < n; i++) {
			int v = comp[i], soft;
			if (o->placed[v] || unmet(o, comp, n, v, true))
				continue;
			soft = unmet(o, comp, n, v, false);
			if (pick < 0 || soft < pick_soft ||
			    (soft == pick_soft && v < pick))
				pick = v, pick_soft = soft;
		}
		if (pick < 0) {
			int start = -1;
			for (size_t i = 0; i < n && start < 0; i++)
				if (!o->placed[comp[i]])
					start = comp[i];
			break_build_cycle(o, comp, n, start);
			continue;
		}
		note_dropped_runtime(o, comp, n, pick);
		place(o, pick);
		left--;
	}
}

void plan_order(struct plan *p, const struct resolver *r)
{
	struct order o = {.p = p, .r = r};
	size_t n = p->n;
	struct plan_entry *v;

	o.in = xcalloc(n + 1, sizeof(*o.in));
	o.nin = xcalloc(n + 1, sizeof(*o.nin));
	o.index = xcalloc(n + 1, sizeof(int));
	o.low = xcalloc(n + 1, sizeof(int));
	o.stack = xcalloc(n + 1, sizeof(int));
	o.onstack = xcalloc(n + 1, sizeof(bool));
	o.placed = xcalloc(n + 1, sizeof(bool));
	o.out = xcalloc(n + 1, sizeof(int));
	build_edges(&o);
	for (size_t i = 0; i < n; i++)
		if (!o.index[i])
			tarjan(&o, (int)i);
	v = xmalloc((n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = p->v[o.out[i]];
	free(p->v);
	p->v = v;
	for (size_t i = 0; i < n; i++)
		free(o.in[i]);
	free(o.in);
	free(o.nin);
	free(o.index);
	free(o.low);
	free(o.stack);
	free(o.onstack);
	free(o.placed);
	free(o.out);
	free(o.e);
}

/* ---- checking a plan (the property test) -------------------------------- */

struct verify {
	const struct plan *p;
	const struct resolver *r;
	int *pos; /* candidate -> plan position, -1 */
	struct gild_strv *out;
};

static bool atom_in_plan(const struct verify *v, int atom, int self)
{
	const struct rs_atom *a = &v->r->atoms[atom];

	for (size_t i = 0; i < a->nmatch; i++)
		if (v->pos[a->match[i]] >= 0 && a->match[i] != self)
			return true;
	return false;
}

static void verify_req(struct verify *v, int pkg, const struct rs_req *q)
{
	const int *alt = q->atoms;
	const char *cpv = v->r->pkgs[pkg].cpv;

	if (q->blocker) {
		if (atom_in_plan(v, q->atoms[0], pkg))
			gild_strv_push(
			    v->out,
			    xasprintf("%s: blocker '!%s' (%s) is violated", cpv,
				      v->r->atoms[q->atoms[0]].text,
				      dep_class_name(q->cls)));
		return;
	}
	for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt)) {
		bool ok = true;
		for (const int *a = alt; *a && ok; a++)
			ok = atom_in_plan(v, *a, -1);
		if (ok)
			return;
	}
	gild_strv_push(v->out, xasprintf("%s: %s on '%s' is not met", cpv,
					 dep_class_name(q->cls),
					 v->r->atoms[q->atoms[0]].text));
}

static void verify_order(struct verify *v, size_t i)
{
	const struct plan_entry *e = &v->p->v[i];
	static const enum dep_class hard[] = {DEP_BDEPEND, DEP_DEPEND,
					      DEP_IDEPEND};

	for (size_t h = 0; h < GILD_ARRAY_SIZE(hard); h++)
		for (size_t k = 0; k < e->ndeps[hard[h]]; k++) {
			int d = e->deps[hard[h]][k];
			if (v->pos[d] > (int)i &&
			    v->p->v[v->pos[d]].action != PLAN_KEEP)
				gild_strv_push(
				    v->out,
				    xasprintf("%s is built before its %s %s",
					      v->r->pkgs[e->pkg].cpv,
					      dep_class_name(hard[h]),
					      v->r->pkgs[d].cpv));
		}
}

static void verify_slots(struct verify *v)
{
	for (size_t i = 0; i < v->p->n; i++)
		for (size_t j = i + 1; j < v->p->n; j++) {
			const struct rs_pkg *a =
			    &v->r->pkgs[v->p->v[i].pkg].pub;
			const struct rs_pkg *b =
			    &v->r->pkgs[v->p->v[j].pkg].pub;
			if (!strcmp(a->cpn, b->cpn) &&
			    !strcmp(a->slot, b->slot))
				gild_strv_push(
				    v->out,
				    xasprintf("%s and %s share slot '%s'",
					      v->r->pkgs[v->p->v[i].pkg].cpv,
					      v->r->pkgs[v->p->v[j].pkg].cpv,
					      a->slot));
		}
}

size_t plan_verify(const struct plan *p, const struct resolver *r,
		   struct gild_strv *violations)
{
	struct verify v = {p, r, xmalloc((r->npkgs + 1) * sizeof(int)),
			   violations};
	size_t checked = 0;

	for (size_t i = 0; i < r->npkgs; i++)
		v.pos[i] = -1;
	for (size_t i = 0; i < p->n; i++)
		v.pos[p->v[i].pkg] = (int)i;
	for (size_t i = 0; i < p->n; i++) {
		const struct rs_cand *c = &r->pkgs[p->v[i].pkg];
		if (p->v[i].action == PLAN_KEEP)
			continue;
		for (size_t k = c->req_first; k < c->req_end; k++, checked++)
			verify_req(&v, p->v[i].pkg, &r->reqs[k]);
		if (!p->build_cycle)
			verify_order(&v, i);
	}
	verify_slots(&v);
	free(v.pos);
	return checked;
}
