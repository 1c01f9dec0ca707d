/* resolve-private.h: the resolver's internals, shared by resolve.c,
 * resolve-explain.c and plan.c only. */
#ifndef GILD_RESOLVE_PRIVATE_H
#define GILD_RESOLVE_PRIVATE_H

#include <solv/pool.h>
#include <solv/queue.h>
#include <solv/solver.h>

#include "resolve/resolve.h"

struct rs_cand {
	struct rs_pkg pub; /* strings owned */
	char *cpv;
	Id sid;		/* its solvable */
	Queue provides; /* atom provides, filled as atoms are defined */
	Queue recommends;
	size_t req_first, req_end; /* its range in resolver.reqs once sorted */
};

struct rs_atom {
	char *text;
	int *match; /* candidate indices */
	size_t nmatch;
	Id provide; /* "@TEXT" */
	Id best;    /* "@TEXT#best" when the match spans slots, else 0 */
};

struct rs_req {
	int pkg;
	enum dep_class cls;
	int blocker; /* 0 requirement, 1 weak `!`, 2 strong `!!` */
	int *atoms;  /* alternatives, each ended by 0 */
	size_t nalts;
	size_t seq; /* input order */
	Id dep;	    /* the libsolv dependency written for it */
	/* any-of: the alternative recommended to libsolv, and whether a
	 * solve has moved it past one that could not be taken */
	size_t pref;
	bool pref_moved;
};

struct rs_target {
	char *text;
	int atom;
	Id job_what; /* the job's SOLVER_SOLVABLE_ONE_OF set, when it has one */
};

struct resolver {
	Pool *pool;
	Repo *repo[RS_PROVIDED + 1];
	struct rs_cand *pkgs;
	size_t npkgs, pkgs_cap;
	struct rs_atom *atoms; /* [0] unused */
	size_t natoms, atoms_cap;
	int *atom_hash;
	size_t hash_cap;
	struct rs_req *reqs;
	size_t nreqs, reqs_cap;
	bool sorted;
	bool has_built; /* binary or installed candidates (any-of preference) */
	struct rs_target *targets;
	size_t ntargets, targets_cap;
	int *sid2pkg;
	rs_refusal_fn refusal_fn;
	void *refusal_ud;
};

/* The alternative after alt in a requirement's atom list. */
static inline const int *rs_next_alt(const int *alt)
{
	while (*alt)
		alt++;
	return alt + 1;
}

/* resolve-explain.c: fill p->problems from libsolv's problems. */
void rs_explain_problems(struct resolver *r, Solver *solv, Queue *job,
			 struct plan *p);
/* resolve-passed.c: a note for each slot of the plan where a newer visible
 * version was passed over, and why. */
void rs_note_passed_over(struct resolver *r, struct plan *p);
/* plan.c: the chosen candidates reachable from the targets, with their
 * resolved dependencies, reasons and depths (not yet ordered). */
void rs_collect_plan(struct resolver *r, Solver *solv, struct plan *p);

#endif
