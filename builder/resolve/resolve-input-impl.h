/* resolve-input-impl.h: the internals of struct rs_input, shared by
 * resolve-input.c (versions and atoms into the resolver) and
 * resolve-reuse.c (binary and installed versions: what can be reused). */
#ifndef GILD_RESOLVE_INPUT_IMPL_H
#define GILD_RESOLVE_INPUT_IMPL_H

#include "resolve/resolve.h"

struct entry {
	struct rs_recipe rec; /* strings owned */
	char *cpn;	      /* category/pn */
	int cand;	      /* candidate index, -1 when not visible */
	bool cpn_added;	      /* on the first of its cpn: candidates added */
	bool stub;	      /* only names and origin so far (see loader) */
	long handle;	      /* the loader's handle of a stub */
	/* a binary or installed version that cannot be reused: why it must
	 * be rebuilt, for the entry that replaces it (resolve-reuse.c) */
	char *rebuild;
	bool reuse_checked; /* its USE was compared with the tree's */
};

struct rs_input {
	struct entry *v;
	size_t n, cap;
	size_t *by_cpn; /* entry indices sorted by cpn, then version */
	struct gild_strv targets;
	struct resolver *r;
	rs_flag_origin_fn flag_origin;
	void *flag_origin_ud;
	/* scratch for atom evaluation */
	struct gild_buf buf;
	rs_load_fn loader;
	void *loader_ud;
	/* entries whose dependencies are still to be added */
	size_t *work;
	size_t nwork, work_cap;
	size_t n_reuse; /* binary and installed versions among v */
	struct gild_strv rebuild_targets;  /* targets resolve-reuse.c added */
	struct gild_strv implicit_bdepend; /* atoms every recipe needs */
	struct rs_source src;	/* .current NULL: every stub is current */
	struct gild_strv stale; /* "cat/pn" of stubs found stale */
};

/* A stub's other fields, the first time anything looks at them. */
void rs_input_materialize(struct rs_input *in, struct entry *e);
/* [*first, *end) of in->by_cpn holding cat/pn (after indexing). */
void rs_input_cpn_range(const struct rs_input *in, const char *cat,
			const char *pn, size_t *first, size_t *end);

/* A version's dependencies of class cls reduced under its USE, written
 * as depstr_format does (the unparsed text if it does not parse). */
char *rs_input_reduced_deps(const struct rs_recipe *rec, int cls);

/* resolve-reuse.c. Before a solve: binary and installed versions whose
 * USE differs from the tree's for the same version are not candidates. */
void rs_reuse_check_use(struct rs_input *in);
/* The binary and installed versions of cpn to be compared again (their
 * tree versions were read again). */
void rs_reuse_forget(struct rs_input *in, const char *cpn);
/* After a solve: binary and installed versions built against a sub-slot
 * (`:=`, PMS 8.3.3) that the plan changes are not candidates any more;
 * installed ones become targets. Returns true when the plan must be
 * solved again. */
bool rs_reuse_check_slots(struct rs_input *in, const struct plan *p);
/* The final plan: emerge's operation letters against the installed
 * versions, changed flags, why an existing build is not reused. */
void rs_reuse_annotate(struct rs_input *in, struct plan *p);

#endif
