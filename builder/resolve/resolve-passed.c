/* resolve-passed.c: say why a newer visible version was not chosen.
 *
 * A SAT solver quietly takes an older version when the newest one cannot be
 * installed (its dependency matches nothing, or it conflicts with the rest
 * of the plan). emerge would have stopped with an error there; gild keeps
 * the plan, but says what it passed over and why, so that a broken newest
 * recipe never goes unnoticed. */
#include "resolve-impl.h"

struct slot_key {
	const char *cpn, *slot;
	int entry; /* plan entry index */
	int newer; /* the newest visible version passed over, or -1 */
};

static int slot_key_cmp(const void *a, const void *b)
{
	const struct slot_key *x = a, *y = b;
	int c = strcmp(x->cpn, y->cpn);

	return c ? c : strcmp(x->slot, y->slot);
}

/* The first dependency of candidate c that nothing can satisfy: a
 * requirement each of whose alternatives holds an atom no visible version
 * matches. NULL when every requirement could be met by itself. */
static const struct rs_req *unsatisfiable_req(const struct resolver *r,
					      const struct rs_cand *c,
					      const char **atom)
{
	for (size_t k = c->req_first; k < c->req_end; k++) {
		const struct rs_req *q = &r->reqs[k];
		const int *alt = q->atoms;
		const char *first_dead = NULL;
		bool any_alive = false;

		if (q->blocker)
			continue;
		for (size_t a = 0; a < q->nalts; a++, alt = rs_next_alt(alt)) {
			const char *dead = NULL;
			for (const int *x = alt; *x; x++)
				if (r->atoms[*x].nmatch == 0 && !dead)
					dead = r->atoms[*x].text;
			if (!dead)
				any_alive = true;
			else if (!first_dead)
				first_dead = dead;
		}
		if (!any_alive && first_dead) {
			*atom = first_dead;
			return q;
		}
	}
	return NULL;
}

static bool atom_matches(const struct rs_atom *a, int pkg)
{
	for (size_t i = 0; i < a->nmatch; i++)
		if (a->match[i] == pkg)
			return true;
	return false;
}

/* Whether an atom that brought `chosen` in (a target, or a dependency of a
 * package in the plan) excludes `newer`: then the plan simply follows that
 * atom (`dev-libs/ssl:0/1.1`, `<dev-libs/foo-2`) and nothing needs saying. */
static bool excluded_by_an_atom(const struct resolver *r, const struct plan *p,
				int chosen, int newer)
{
	for (size_t t = 0; t < r->ntargets; t++) {
		const struct rs_atom *a = &r->atoms[r->targets[t].atom];
		if (atom_matches(a, chosen) && !atom_matches(a, newer))
			return true;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct rs_cand *c = &r->pkgs[p->v[i].pkg];
		for (size_t k = c->req_first; k < c->req_end; k++) {
			const struct rs_req *q = &r->reqs[k];
			const int *alt = q->atoms;
			if (q->blocker)
				continue;
			for (size_t n = 0; n < q->nalts;
			     n++, alt = rs_next_alt(alt))
				for (const int *x = alt; *x; x++)
					if (atom_matches(&r->atoms[*x],
							 chosen) &&
					    !atom_matches(&r->atoms[*x], newer))
						return true;
		}
	}
	return false;
}

static void note_passed_over(struct plan *p, const struct resolver *r,
			     int newer, int chosen)
{
	const struct rs_cand *c = &r->pkgs[newer];
	const char *atom = NULL;
	const struct rs_req *q = unsatisfiable_req(r, c, &atom);

	if (q)
		gild_strv_push(
		    &p->notes,
		    xasprintf("%s is newer but not chosen (%s is): its %s '%s' "
			      "matches no visible package",
			      c->cpv, r->pkgs[chosen].cpv,
			      dep_class_name(q->cls), atom));
	else
		gild_strv_push(
		    &p->notes,
		    xasprintf(
			"%s is newer but not chosen (%s is): it conflicts "
			"with the rest of the plan; 'gild pretend =%s' "
			"says why",
			c->cpv, r->pkgs[chosen].cpv, c->cpv));
}

void rs_note_passed_over(struct resolver *r, struct plan *p)
{
	_cleanup_free_ struct slot_key *keys = xcalloc(p->n + 1, sizeof(*keys));
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct rs_pkg *pk = &r->pkgs[p->v[i].pkg].pub;
		if (p->v[i].action != PLAN_BUILD)
			continue; /* reuse of what exists is its own policy */
		keys[n++] = (struct slot_key){pk->cpn, pk->slot, (int)i, -1};
	}
	if (!n)
		return;
	qsort(keys, n, sizeof(*keys), slot_key_cmp);
	for (size_t i = 0; i < r->npkgs; i++) {
		const struct rs_pkg *pk = &r->pkgs[i].pub;
		struct slot_key k = {pk->cpn, pk->slot, -1, -1}, *hit;

		if (pk->origin != RS_TREE ||
		    !(hit = bsearch(&k, keys, n, sizeof(*keys), slot_key_cmp)))
			continue;
		if (pk->vrank <= r->pkgs[p->v[hit->entry].pkg].pub.vrank)
			continue;
		if (hit->newer < 0 || pk->vrank > r->pkgs[hit->newer].pub.vrank)
			hit->newer = (int)i;
	}
	/* in the order of the keys (category/name), one note per slot */
	for (size_t i = 0; i < n; i++) {
		int chosen = p->v[keys[i].entry].pkg;
		if (keys[i].newer >= 0 &&
		    !excluded_by_an_atom(r, p, chosen, keys[i].newer))
			note_passed_over(p, r, keys[i].newer, chosen);
	}
}
