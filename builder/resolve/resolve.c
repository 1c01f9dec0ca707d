/* resolve.c: candidates, atoms and dependencies into a libsolv pool; solve.
 *
 * Model:
 *  - one solvable per candidate, named "cat/pn:slot": libsolv never
 *    installs two solvables of one name, which is exactly PMS's "one
 *    version per slot", while other slots co-install;
 *  - its EVR is the caller's PMS rank, so libsolv's "newest first" policy
 *    follows version_cmp and never libsolv's own comparison;
 *  - every atom is a provide "@TEXT" added to exactly the candidates it
 *    matches; requirements are those provides, `|| ( )` a REL_OR, an
 *    all-of inside it a REL_AND; blockers are conflicts;
 *  - preferences are recommends (with SOLVER_FLAG_IGNORE_RECOMMENDED, so
 *    they never pull anything in, but libsolv's choice policy still prunes
 *    to recommended candidates): the first alternative of an any-of
 *    (Portage's rule), and the newest slot when an atom spans slots.
 */
#include "resolve-impl.h"

#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/repo.h>
#include <solv/rules.h>
#include <time.h>

static const char *const class_names[DEP_NCLASS] = {
    "BDEPEND", "DEPEND", "RDEPEND", "PDEPEND", "IDEPEND"};
static const char *const class_keys[DEP_NCLASS] = {
    "bdepend", "depend", "rdepend", "pdepend", "idepend"};

const char *dep_class_name(enum dep_class c)
{
	return class_names[c];
}
const char *dep_class_key(enum dep_class c)
{
	return class_keys[c];
}

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	char **out;

	while (v && v[n])
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

struct resolver *resolver_new(void)
{
	struct resolver *r = xcalloc(1, sizeof(*r));

	r->pool = pool_create();
	pool_setdisttype(r->pool, DISTTYPE_RPM);
	r->repo[RS_TREE] = repo_create(r->pool, "tree");
	r->repo[RS_BINARY] = repo_create(r->pool, "binary");
	r->repo[RS_INSTALLED] = repo_create(r->pool, "installed");
	/* package.provided entries live in the installed repo too: they count
	 * as installed and are never rebuilt (toolchain stage) */
	r->repo[RS_PROVIDED] = r->repo[RS_INSTALLED];
	/* same version in the binary repo and the tree: take the binary */
	r->repo[RS_BINARY]->subpriority = 1;
	pool_set_installed(r->pool, r->repo[RS_INSTALLED]);
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npkgs; i++) {
		struct rs_cand *c = &r->pkgs[i];
		free((char *)c->pub.cpn);
		free((char *)c->pub.pvr);
		free((char *)c->pub.slot);
		free((char *)c->pub.subslot);
		strv_free((char **)c->pub.use);
		strv_free((char **)c->pub.iuse);
		free(c->cpv);
		queue_free(&c->provides);
		queue_free(&c->recommends);
	}
	for (size_t i = 0; i < r->nreqs; i++)
		free(r->reqs[i].atoms);
	for (size_t i = 1; i < r->natoms; i++) {
		free(r->atoms[i].text);
		free(r->atoms[i].match);
	}
	for (size_t i = 0; i < r->ntargets; i++)
		free(r->targets[i].text);
	free(r->targets);
	free(r->pkgs);
	free(r->reqs);
	free(r->atoms);
	free(r->atom_hash);
	free(r->sid2pkg);
	pool_free(r->pool);
	free(r);
}

void resolver_set_refusal_fn(struct resolver *r, rs_refusal_fn fn,
			     void *userdata)
{
	r->refusal_fn = fn;
	r->refusal_ud = userdata;
}

int resolver_add_pkg(struct resolver *r, const struct rs_pkg *pkg)
{
	struct rs_cand *c;
	const char *slot = pkg->slot && *pkg->slot ? pkg->slot : "0";
	char evr[16];
	Solvable *s;

	gild_grow(&r->pkgs, &r->pkgs_cap, r->npkgs + 1, sizeof(*r->pkgs));
	c = &r->pkgs[r->npkgs];
	memset(c, 0, sizeof(*c));
	c->pub = *pkg;
	c->pub.cpn = xstrdup(pkg->cpn);
	c->pub.pvr = xstrdup(pkg->pvr);
	c->pub.slot = xstrdup(slot);
	c->pub.subslot =
	    xstrdup(pkg->subslot && *pkg->subslot ? pkg->subslot : slot);
	c->pub.use = (const char *const *)strv_copy(pkg->use);
	c->pub.iuse = (const char *const *)strv_copy(pkg->iuse);
	c->cpv = xasprintf("%s-%s", pkg->cpn, pkg->pvr);
	queue_init(&c->provides);
	queue_init(&c->recommends);

	r->has_built |= pkg->origin == RS_BINARY || pkg->origin == RS_INSTALLED;
	c->sid = repo_add_solvable(r->repo[pkg->origin]);
	s = pool_id2solvable(r->pool, c->sid);
	s->name =
	    pool_str2id(r->pool, pool_tmpjoin(r->pool, pkg->cpn, ":", slot), 1);
	snprintf(evr, sizeof(evr), "%u", pkg->vrank);
	s->evr = pool_str2id(r->pool, evr, 1);
	s->arch = ARCH_NOARCH;
	return (int)r->npkgs++;
}

size_t resolver_npkgs(const struct resolver *r)
{
	return r->npkgs;
}

const struct rs_pkg *resolver_pkg(const struct resolver *r, int idx)
{
	return &r->pkgs[idx].pub;
}

const char *resolver_cpv(const struct resolver *r, int idx)
{
	return r->pkgs[idx].cpv;
}

/* ---- atoms: an open-addressing table from text to handle ---------------- */

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void atom_hash_grow(struct resolver *r)
{
	size_t cap = r->hash_cap ? r->hash_cap * 2 : 1024;
	int *h = xcalloc(cap, sizeof(*h));

	for (size_t i = 1; i < r->natoms; i++) {
		size_t k = str_hash(r->atoms[i].text) & (cap - 1);
		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = (int)i;
	}
	free(r->atom_hash);
	r->atom_hash = h;
	r->hash_cap = cap;
}

static size_t atom_slot(const struct resolver *r, const char *text)
{
	size_t k = str_hash(text) & (r->hash_cap - 1);

	while (r->atom_hash[k] &&
	       strcmp(r->atoms[r->atom_hash[k]].text, text) != 0)
		k = (k + 1) & (r->hash_cap - 1);
	return k;
}

int resolver_atom_lookup(struct resolver *r, const char *text)
{
	if (!r->hash_cap)
		return 0;
	return r->atom_hash[atom_slot(r, text)];
}

/* The newest candidate's slot, when the match spans several slots: the
 * provide "@TEXT#best" on that slot's candidates is what parents recommend,
 * so that libsolv (which otherwise picks among names alphabetically) takes
 * the newest slot as Portage does. */
static Id best_slot_provide(struct resolver *r, struct rs_atom *a)
{
	const struct rs_cand *best = NULL;
	bool multi = false;
	Id id;

	for (size_t i = 0; i < a->nmatch; i++) {
		const struct rs_cand *c = &r->pkgs[a->match[i]];
		if (best && strcmp(best->pub.slot, c->pub.slot) != 0)
			multi = true;
		if (!best || c->pub.vrank > best->pub.vrank)
			best = c;
	}
	if (!multi)
		return 0;
	id = pool_str2id(r->pool, pool_tmpjoin(r->pool, "@", a->text, "#best"),
			 1);
	for (size_t i = 0; i < a->nmatch; i++) {
		struct rs_cand *c = &r->pkgs[a->match[i]];
		if (strcmp(best->pub.slot, c->pub.slot) == 0)
			queue_push(&c->provides, id);
	}
	return id;
}

int resolver_atom_define(struct resolver *r, const char *text, const int *match,
			 size_t nmatch)
{
	struct rs_atom *a;
	int h = resolver_atom_lookup(r, text);

	if (h)
		return h;
	if (!r->natoms)
		r->natoms = 1; /* handle 0 means "none" */
	gild_grow(&r->atoms, &r->atoms_cap, r->natoms + 1, sizeof(*r->atoms));
	if ((r->natoms + 1) * 2 > r->hash_cap)
		atom_hash_grow(r);
	a = &r->atoms[r->natoms];
	a->text = xstrdup(text);
	a->match = xmalloc((nmatch ? nmatch : 1) * sizeof(int));
	memcpy(a->match, match, nmatch * sizeof(int));
	a->nmatch = nmatch;
	a->provide =
	    pool_str2id(r->pool, pool_tmpjoin(r->pool, "@", text, 0), 1);
	for (size_t i = 0; i < nmatch; i++)
		queue_push(&r->pkgs[match[i]].provides, a->provide);
	a->best = best_slot_provide(r, a);
	r->atom_hash[atom_slot(r, text)] = (int)r->natoms;
	return (int)r->natoms++;
}

/* ---- dependencies -------------------------------------------------------- */

static struct rs_req *add_req(struct resolver *r, int pkg, enum dep_class cls)
{
	struct rs_req *q;

	gild_grow(&r->reqs, &r->reqs_cap, r->nreqs + 1, sizeof(*r->reqs));
	q = &r->reqs[r->nreqs++];
	memset(q, 0, sizeof(*q));
	q->pkg = pkg;
	q->cls = cls;
	r->sorted = false;
	return q;
}

void resolver_require(struct resolver *r, int pkg, enum dep_class cls,
		      const int *const *alts, size_t nalts)
{
	struct rs_req *q = add_req(r, pkg, cls);
	size_t n = 0;

	for (size_t i = 0; i < nalts; i++)
		for (const int *a = alts[i]; *a; a++)
			n++;
	q->atoms = xmalloc((n + nalts + 1) * sizeof(int));
	n = 0;
	for (size_t i = 0; i < nalts; i++) {
		for (const int *a = alts[i]; *a; a++)
			q->atoms[n++] = *a;
		q->atoms[n++] = 0;
	}
	q->nalts = nalts;
}

void resolver_require_atom(struct resolver *r, int pkg, enum dep_class cls,
			   int atom)
{
	const int alt[] = {atom, 0};
	const int *alts[] = {alt};

	resolver_require(r, pkg, cls, alts, 1);
}

void resolver_block(struct resolver *r, int pkg, enum dep_class cls, int atom,
		    bool strong)
{
	struct rs_req *q = add_req(r, pkg, cls);

	q->atoms = xmalloc(2 * sizeof(int));
	q->atoms[0] = atom;
	q->atoms[1] = 0;
	q->nalts = 1;
	q->blocker = strong ? 2 : 1;
}

void resolver_add_target(struct resolver *r, const char *text, int atom)
{
	gild_grow(&r->targets, &r->targets_cap, r->ntargets + 1,
		  sizeof(*r->targets));
	r->targets[r->ntargets].text = xstrdup(text);
	r->targets[r->ntargets].atom = atom;
	r->targets[r->ntargets].job_what = 0;
	r->ntargets++;
}

/* ---- the pool ------------------------------------------------------------ */

/* libsolv dependency of one alternative: the atom, or a REL_AND chain. */
static Id alt_dep(struct resolver *r, const int *alt)
{
	Id dep = r->atoms[alt[0]].provide;

	for (const int *a = alt + 1; *a; a++)
		dep =
		    pool_rel2id(r->pool, dep, r->atoms[*a].provide, REL_AND, 1);
	return dep;
}

/* Whether every atom of an alternative has a match that exists already
 * (a binary package, an installed or provided version). */
static bool alt_built(const struct resolver *r, const int *alt)
{
	for (; *alt; alt++) {
		const struct rs_atom *a = &r->atoms[*alt];
		bool built = false;
		for (size_t i = 0; i < a->nmatch && !built; i++)
			built = r->pkgs[a->match[i]].pub.origin != RS_TREE;
		if (!built)
			return false;
	}
	return true;
}

/* Whether every atom of an alternative has a candidate at all (a masked
 * or missing package has none). */
static bool alt_available(const struct resolver *r, const int *alt)
{
	for (; *alt; alt++)
		if (!r->atoms[*alt].nmatch)
			return false;
	return true;
}

/* The alternative of an any-of to prefer: the first one already built or
 * installed ("prefer what is already built or installed"), else the
 * first one that has candidates (Portage's rule: the written order). */
static size_t preferred_alt(const struct resolver *r, const struct rs_req *q)
{
	const int *alt = q->atoms;

	if (q->nalts < 2)
		return 0;
	if (r->has_built)
		for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt))
			if (alt_built(r, alt))
				return i;
	alt = q->atoms;
	for (size_t i = 0; i < q->nalts; i++, alt = rs_next_alt(alt))
		if (alt_available(r, alt))
			return i;
	return 0;
}

/* A requirement's libsolv dependency; recommends the preferred
 * alternative and, inside it, every atom's newest slot (see the top of
 * the file). Only the preferred alternative is recommended: a second
 * recommended one would leave the choice to libsolv's tie-break, which
 * goes by name. */
static Id req_dep(struct resolver *r, struct rs_req *q, Queue *rec)
{
	const int *alt = q->atoms;
	Id dep = 0;

	if (!q->pref_moved)
		q->pref = preferred_alt(r, q);
	for (size_t i = 0; i < q->nalts; i++) {
		Id d = alt_dep(r, alt);
		dep = dep ? pool_rel2id(r->pool, dep, d, REL_OR, 1) : d;
		for (const int *a = alt; *a && i == q->pref; a++) {
			if (r->atoms[*a].best)
				queue_push(rec, r->atoms[*a].best);
			else if (q->nalts > 1)
				queue_push(rec, r->atoms[*a].provide);
		}
		while (*alt)
			alt++;
		alt++;
	}
	return dep;
}

/* By package, then in the order the caller added them (seq keeps qsort,
 * which is not stable, deterministic). */
static int req_cmp(const void *a, const void *b)
{
	const struct rs_req *x = a, *y = b;

	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Group requirements by package and index each package's range. */
static void sort_reqs(struct resolver *r)
{
	if (r->sorted)
		return;
	for (size_t i = 0; i < r->nreqs; i++)
		r->reqs[i].seq = i;
	if (r->nreqs) /* qsort(NULL, 0) is undefined */
		qsort(r->reqs, r->nreqs, sizeof(*r->reqs), req_cmp);
	for (size_t i = 0; i < r->npkgs; i++)
		r->pkgs[i].req_first = r->pkgs[i].req_end = 0;
	for (size_t i = r->nreqs; i-- > 0;) {
		struct rs_cand *c = &r->pkgs[r->reqs[i].pkg];
		if (!c->req_end)
			c->req_end = i + 1;
		c->req_first = i;
	}
	r->sorted = true;
}

/* Write every candidate's provides, requires, conflicts and recommends,
 * in solvable order so that libsolv appends its id arrays cheaply. */
static void write_deps(struct resolver *r)
{
	Queue rec;

	queue_init(&rec);
	for (size_t i = 0; i < r->npkgs; i++) {
		struct rs_cand *c = &r->pkgs[i];
		Solvable *s = pool_id2solvable(r->pool, c->sid);
		Repo *repo = s->repo;

		s->provides = s->requires = s->conflicts = s->recommends = 0;
		/* libsolv finds same-name (same-slot) rivals through the name's
		 * providers, so every solvable provides itself */
		s->provides = repo_addid_dep(repo, s->provides,
					     solvable_selfprovidedep(s), 0);
		for (int k = 0; k < c->provides.count; k++)
			s->provides = repo_addid_dep(
			    repo, s->provides, c->provides.elements[k], 0);
		queue_empty(&rec);
		for (size_t k = c->req_first; k < c->req_end; k++) {
			struct rs_req *q = &r->reqs[k];
			q->dep = req_dep(r, q, &rec);
			if (q->blocker)
				s->conflicts = repo_addid_dep(
				    repo, s->conflicts, q->dep, 0);
			else
			s->requires =
			    repo_addid_dep(repo, s->requires, q->dep, 0);
		}
		for (int k = 0; k < rec.count; k++)
			s->recommends = repo_addid_dep(repo, s->recommends,
						       rec.elements[k], 0);
	}
	queue_free(&rec);
}

static void build_pool(struct resolver *r)
{
	sort_reqs(r);
	write_deps(r);
	for (int i = 0; i < RS_PROVIDED; i++)
		repo_internalize(r->repo[i]);
	pool_createwhatprovides(r->pool);
	r->sid2pkg = xrealloc(r->sid2pkg, r->pool->nsolvables * sizeof(int));
	for (int i = 0; i < r->pool->nsolvables; i++)
		r->sid2pkg[i] = -1;
	for (size_t i = 0; i < r->npkgs; i++)
		r->sid2pkg[r->pkgs[i].sid] = (int)i;
}

/* Whether candidate k is installed and another match of the target in
 * its slot is newer: a target is updated to the newest visible version
 * of its slot (emerge's --update for the packages named), while a
 * dependency keeps what is installed when that meets it. */
static bool outdated_installed(const struct resolver *r,
			       const struct rs_atom *a, int k)
{
	const struct rs_pkg *c = &r->pkgs[k].pub;

	if (c->origin != RS_INSTALLED)
		return false;
	for (size_t i = 0; i < a->nmatch; i++) {
		const struct rs_pkg *o = &r->pkgs[a->match[i]].pub;
		if (o->origin != RS_INSTALLED && o->origin != RS_PROVIDED &&
		    !strcmp(o->slot, c->slot) && o->vrank > c->vrank)
			return true;
	}
	return false;
}

/* A target with an installed match: one of its matches, minus installed
 * versions that a newer one of their slot outdates, in the newest slot
 * when the atom spans slots. */
static void target_one_of(struct resolver *r, struct rs_target *t, Queue *job)
{
	const struct rs_atom *a = &r->atoms[t->atom];
	Queue q;

	queue_init(&q);
	for (size_t i = 0; i < a->nmatch; i++) {
		int k = a->match[i];
		bool best_slot = true;
		if (a->best) {
			const Queue *pv = &r->pkgs[k].provides;
			best_slot = false;
			for (int n = 0; n < pv->count; n++)
				best_slot |= pv->elements[n] == a->best;
		}
		if (best_slot && !outdated_installed(r, a, k))
			queue_push(&q, r->pkgs[k].sid);
	}
	t->job_what = pool_queuetowhatprovides(r->pool, &q);
	queue_push2(job, SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF, t->job_what);
	queue_free(&q);
}

static bool matches_installed(const struct resolver *r, const struct rs_atom *a)
{
	for (size_t i = 0; i < a->nmatch; i++)
		if (r->pkgs[a->match[i]].pub.origin == RS_INSTALLED)
			return true;
	return false;
}

/* An installed package that a weak blocker names may go (PMS 8.3.2: the
 * blocked package is uninstalled when the blocking one is merged, as
 * emerge does); strong blockers and everything else leave the installed
 * packages alone. */
static void weak_blocker_jobs(struct resolver *r, Queue *job)
{
	for (size_t i = 0; i < r->nreqs; i++) {
		const struct rs_atom *a;
		if (r->reqs[i].blocker != 1)
			continue;
		a = &r->atoms[r->reqs[i].atoms[0]];
		for (size_t k = 0; k < a->nmatch; k++)
			if (r->pkgs[a->match[k]].pub.origin == RS_INSTALLED)
				queue_push2(job,
					    SOLVER_ALLOWUNINSTALL |
						SOLVER_SOLVABLE,
					    r->pkgs[a->match[k]].sid);
	}
}

/* One install job per target; an atom spanning slots asks for its newest
 * slot (emerge python installs the newest python). */
static void target_jobs(struct resolver *r, Queue *job)
{
	for (size_t i = 0; i < r->ntargets; i++) {
		const struct rs_atom *a = &r->atoms[r->targets[i].atom];
		if (matches_installed(r, a))
			target_one_of(r, &r->targets[i], job);
		else
			queue_push2(job,
				    SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES,
				    a->best ? a->best : a->provide);
	}
}

/* Whether every atom of an alternative is met by an installed solvable. */
static bool alt_met(const struct resolver *r, const int *alt,
		    const bool *chosen)
{
	for (; *alt; alt++) {
		const struct rs_atom *a = &r->atoms[*alt];
		bool met = false;
		for (size_t i = 0; i < a->nmatch && !met; i++)
			met = chosen[a->match[i]];
		if (!met)
			return false;
	}
	return true;
}

/* After a solve: an any-of of a chosen package that its preferred
 * alternative did not meet (it conflicts, or its own dependencies fail)
 * was met by whatever libsolv took next, which goes by name. Portage
 * tries the alternatives in the written order, so recommend the next
 * available one and solve again. Returns whether anything moved. */
static bool advance_prefs(struct resolver *r, Solver *solv)
{
	_cleanup_free_ bool *chosen = xcalloc(r->npkgs + 1, sizeof(bool));
	bool moved = false;
	Queue dq;

	queue_init(&dq);
	solver_get_decisionqueue(solv, &dq);
	for (int i = 0; i < dq.count; i++)
		if (dq.elements[i] > 0 && r->sid2pkg[dq.elements[i]] >= 0)
			chosen[r->sid2pkg[dq.elements[i]]] = true;
	queue_free(&dq);
	for (size_t k = 0; k < r->nreqs; k++) {
		struct rs_req *q = &r->reqs[k];
		const int *alt = q->atoms;
		size_t met = q->nalts, next = q->nalts;
		if (q->blocker || q->nalts < 2 || !chosen[q->pkg])
			continue;
		for (size_t i = 0; i < q->nalts && met == q->nalts;
		     i++, alt = rs_next_alt(alt)) {
			if (i > q->pref && next == q->nalts &&
			    alt_available(r, alt))
				next = i;
			if (alt_met(r, alt, chosen))
				met = i;
		}
		if (met > q->pref && next < met) {
			q->pref = next;
			q->pref_moved = moved = true;
		}
	}
	return moved;
}

/* How often a solve may be repeated to honour the order of any-of
 * alternatives; each round moves at least one preference forward. */
#define RS_MAX_ROUNDS 8

static Solver *solve_once(struct resolver *r, Queue *job, struct plan *p,
			  bool *ok)
{
	double t0 = gild_now(), t1;
	Solver *solv;

	build_pool(r);
	queue_empty(job);
	target_jobs(r, job);
	if (r->repo[RS_INSTALLED]->nsolvables)
		weak_blocker_jobs(r, job);
	solv = solver_create(r->pool);
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, 1);
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_UNINSTALL, 0);
	/* an atom only an older version meets replaces the installed one
	 * (emerge's downgrade, "UD") */
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_DOWNGRADE, 1);
	t1 = gild_now();
	p->t_pool += t1 - t0;
	*ok = solver_solve(solv, job) == 0;
	p->t_solve += gild_now() - t1;
	return solv;
}

int resolver_solve(struct resolver *r, struct plan **out, struct gild_err *err)
{
	_cleanup_(plan_freep) struct plan *p = xcalloc(1, sizeof(*p));
	double t1;
	Solver *solv;
	Queue job;
	bool ok;

	queue_init(&job);
	solv = solve_once(r, &job, p, &ok);
	for (int round = 1;
	     ok && round < RS_MAX_ROUNDS && advance_prefs(r, solv); round++) {
		solver_free(solv);
		solv = solve_once(r, &job, p, &ok);
	}
	t1 = gild_now();
	if (!ok) {
		p->unsolvable = true;
		rs_explain_problems(r, solv, &job, p);
		p->t_explain = gild_now() - t1;
	} else {
		rs_collect_plan(r, solv, p);
		plan_order(p, r);
		rs_note_passed_over(r, p);
		p->t_order = gild_now() - t1;
	}
	solver_free(solv);
	queue_free(&job);
	(void)err;
	*out = TAKE_PTR(p);
	return 0;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].reason);
		free(p->v[i].old_pvr);
		free(p->v[i].rebuild);
		gild_strv_release(&p->v[i].changed);
		gild_strv_release(&p->v[i].iuse_changed);
		for (int c = 0; c < DEP_NCLASS; c++)
			free(p->v[i].deps[c]);
	}
	free(p->v);
	free(p->removed);
	free(p->removed_by);
	gild_strv_release(&p->problems);
	gild_strv_release(&p->notes);
	free(p);
}
