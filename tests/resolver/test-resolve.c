/* test-resolve.c: the resolver core on hand-built candidate sets. */
#include "tap.h"

#include "resolve/resolve.h"

static int pkg(struct resolver *r, const char *cpn, const char *pvr,
	       const char *slot, unsigned rank)
{
	struct rs_pkg k = {.cpn = cpn, .pvr = pvr, .slot = slot, .vrank = rank};
	return resolver_add_pkg(r, &k);
}

static char *plan_text(struct plan *p, struct resolver *r)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	plan_print(f, p, r, PLAN_TEXT);
	for (size_t i = 0; i < p->problems.n; i++)
		fprintf(f, "%s\n", p->problems.v[i]);
	fclose(f);
	return buf;
}

TEST(resolver_picks_newest_and_orders_dependency_first)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int b1 = pkg(r, "dev-libs/b", "1", "0", 1);
	int b2 = pkg(r, "dev-libs/b", "2", "0", 2);
	int m[] = {b1, b2}, ta = a;
	int atom = resolver_atom_define(r, "dev-libs/b", m, 2);
	_cleanup_free_ char *text = NULL;

	resolver_require_atom(r, a, DEP_DEPEND, atom);
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", &ta, 1));
	CHECK_INTEQ(resolver_solve(r, &p, NULL), 0);
	text = plan_text(p, r);
	CHECK_STREQ(text, "[build  N   ] dev-libs/b-2:0\n"
			  "[build  N   ] app-misc/a-1:0\n"
			  "\nTotal: 2 packages (2 new)\n");
}

TEST(resolver_reports_same_slot_conflict)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int c = pkg(r, "app-misc/c", "1", "0", 1);
	int b1 = pkg(r, "dev-libs/b", "1", "0", 1);
	int b2 = pkg(r, "dev-libs/b", "2", "0", 2);
	int t[] = {a, c};

	resolver_require_atom(r, a, DEP_RDEPEND,
			      resolver_atom_define(r, "=dev-libs/b-1", &b1, 1));
	resolver_require_atom(
	    r, c, DEP_RDEPEND,
	    resolver_atom_define(r, ">=dev-libs/b-2", &b2, 1));
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", t, 1));
	resolver_add_target(r, "app-misc/c",
			    resolver_atom_define(r, "app-misc/c", t + 1, 1));
	CHECK_INTEQ(resolver_solve(r, &p, NULL), 0);
	CHECK(p->unsolvable);
	tap_note("%s", p->problems.n ? p->problems.v[0] : "(none)");
}

TEST(resolver_any_of_prefers_first_alternative)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int z = pkg(r, "dev-libs/zzz", "1", "0", 1);
	int y = pkg(r, "dev-libs/aaa", "1", "0", 1);
	int az = resolver_atom_define(r, "dev-libs/zzz", &z, 1);
	int ay = resolver_atom_define(r, "dev-libs/aaa", &y, 1);
	int alt1[] = {az, 0}, alt2[] = {ay, 0};
	const int *alts[] = {alt1, alt2};
	_cleanup_free_ char *text = NULL;

	resolver_require(r, a, DEP_RDEPEND, alts, 2);
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", &a, 1));
	CHECK_INTEQ(resolver_solve(r, &p, NULL), 0);
	text = plan_text(p, r);
	CHECK_STREQ(text, "[build  N   ] dev-libs/zzz-1:0\n"
			  "[build  N   ] app-misc/a-1:0\n"
			  "\nTotal: 2 packages (2 new)\n");
}

static char *slot_plan(bool both)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int p11 = pkg(r, "dev-lang/py", "3.11", "3.11", 1);
	int p12 = pkg(r, "dev-lang/py", "3.12", "3.12", 2);
	int m[] = {p11, p12};

	resolver_require_atom(r, a, DEP_RDEPEND,
			      resolver_atom_define(r, "dev-lang/py", m, 2));
	if (both)
		resolver_require_atom(
		    r, a, DEP_RDEPEND,
		    resolver_atom_define(r, "dev-lang/py:3.11", &p11, 1));
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", &a, 1));
	if (resolver_solve(r, &p, NULL) < 0)
		return NULL;
	return plan_text(p, r);
}

TEST(resolver_prefers_newest_slot_and_coinstalls_slots)
{
	_cleanup_free_ char *one = slot_plan(false), *two = slot_plan(true);

	CHECK_STREQ(one, "[build  N   ] dev-lang/py-3.12:3.12\n"
			 "[build  N   ] app-misc/a-1:0\n"
			 "\nTotal: 2 packages (2 new)\n");
	/* an atom already met by a slot in the plan adds no other slot */
	CHECK_STREQ(two, "[build  N   ] dev-lang/py-3.11:3.11\n"
			 "[build  N   ] app-misc/a-1:0\n"
			 "\nTotal: 2 packages (2 new)\n");
}

TEST(resolver_reports_build_cycle_and_still_plans)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int b = pkg(r, "app-misc/b", "1", "0", 1);
	int c = pkg(r, "app-misc/c", "1", "0", 1);

	resolver_require_atom(r, a, DEP_DEPEND,
			      resolver_atom_define(r, "app-misc/b", &b, 1));
	resolver_require_atom(r, b, DEP_BDEPEND,
			      resolver_atom_define(r, "app-misc/c", &c, 1));
	resolver_require_atom(r, c, DEP_DEPEND,
			      resolver_atom_define(r, "app-misc/a", &a, 1));
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", &a, 1));
	CHECK_INTEQ(resolver_solve(r, &p, NULL), 0);
	CHECK(p->build_cycle);
	CHECK_INTEQ(p->n, 3);
	CHECK_INTEQ(p->problems.n, 1);
	if (p->problems.n)
		tap_note("%s", p->problems.v[0]);
}

TEST(resolver_breaks_runtime_cycle_and_says_so)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int b = pkg(r, "app-misc/b", "1", "0", 1);
	_cleanup_free_ char *text = NULL;

	resolver_require_atom(r, a, DEP_DEPEND,
			      resolver_atom_define(r, "app-misc/b", &b, 1));
	resolver_require_atom(r, b, DEP_RDEPEND,
			      resolver_atom_define(r, "app-misc/a", &a, 1));
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", &a, 1));
	CHECK_INTEQ(resolver_solve(r, &p, NULL), 0);
	CHECK(!p->build_cycle);
	text = plan_text(p, r);
	CHECK_STREQ(
	    text,
	    "[build  N   ] app-misc/b-1:0\n"
	    "[build  N   ] app-misc/a-1:0\n"
	    "\nTotal: 2 packages (2 new)\n"
	    "note: runtime cycle: app-misc/b-1 is merged before its RDEPEND "
	    "app-misc/a-1 (the RDEPEND edge is dropped for ordering)\n");
}

TEST(plan_verify_finds_a_missing_dependency_and_bad_order)
{
	_cleanup_(resolver_freep) struct resolver *r = resolver_new();
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct gild_strv bad = GILD_STRV_INIT;
	int a = pkg(r, "app-misc/a", "1", "0", 1);
	int b = pkg(r, "dev-libs/b", "1", "0", 1);
	struct plan_entry tmp;

	resolver_require_atom(r, a, DEP_DEPEND,
			      resolver_atom_define(r, "dev-libs/b", &b, 1));
	resolver_add_target(r, "app-misc/a",
			    resolver_atom_define(r, "app-misc/a", &a, 1));
	CHECK_INTEQ(resolver_solve(r, &p, NULL), 0);
	CHECK_INTEQ(plan_verify(p, r, &bad), 1);
	CHECK_INTEQ(bad.n, 0);
	/* swap: the dependent first */
	tmp = p->v[0], p->v[0] = p->v[1], p->v[1] = tmp;
	plan_verify(p, r, &bad);
	CHECK_INTEQ(bad.n, 1);
	if (bad.n)
		CHECK_STREQ(
		    bad.v[0],
		    "app-misc/a-1 is built before its DEPEND dev-libs/b-1");
	gild_strv_release(&bad);
	/* drop the dependency (now second) from the plan */
	p->n = 1;
	plan_verify(p, r, &bad);
	CHECK_INTEQ(bad.n, 1);
	if (bad.n)
		CHECK_STREQ(bad.v[0],
			    "app-misc/a-1: DEPEND on 'dev-libs/b' is not met");
	gild_strv_release(&bad);
	p->n = 2; /* let plan_free release both entries */
}
