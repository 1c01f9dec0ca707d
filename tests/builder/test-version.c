/* test-version.c: PMS 3.2 syntax and the 3.3 ordering (table in
 * version.data), and the '=*' glob of PMS 8.3.1. */
#include "base/base.h"
#include "pms/pms.h"
#include "tap.h"

static int sgn(int c)
{
	return (c > 0) - (c < 0);
}

static int op_value(const char *op)
{
	return strcmp(op, "<") == 0 ? -1 : strcmp(op, ">") == 0 ? 1 : 0;
}

static FILE *open_data(const char *name)
{
	const char *top = getenv("GILD_TOP");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/builder/%s", top ? top : ".",
		 name);
	return fopen(path, "r");
}

TEST(version_cmp_follows_the_pms_table)
{
	_cleanup_fclose_ FILE *f = open_data("version.data");
	char line[512], a[200], op[8], b[200];
	int rows = 0;

	if (!CHECK(f != NULL))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!CHECK(sscanf(line, "%199s %7s %199s", a, op, b) == 3))
			continue;
		rows++;
		if (!CHECK(version_valid(a, strlen(a)) &&
			   version_valid(b, strlen(b))))
			tap_note("invalid version in: %s", line);
		if (!CHECK(sgn(version_cmp(a, b)) == op_value(op)) ||
		    !CHECK(sgn(version_cmp(b, a)) == -op_value(op)))
			tap_note("wrong order for: %s %s %s", a, op, b);
	}
	CHECK(rows > 50);
}

TEST(version_valid_accepts_pms_syntax)
{
	static const char *const good[] = {"0",
					   "1",
					   "1.0",
					   "01.002",
					   "1.0a",
					   "1.0_alpha",
					   "1.0_p1_pre2",
					   "1.0-r1",
					   "1.0a_rc3-r4",
					   "1_p",
					   "1.0-r0",
					   "2.3.4.5.6.7",
					   "12345678901234567890123.1"};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(good); i++)
		if (!CHECK(version_valid(good[i], strlen(good[i]))))
			tap_note("rejected '%s'", good[i]);
}

TEST(version_valid_rejects_malformed)
{
	static const char *const bad[] = {
	    "",	     "1.",	 ".1",	     "1..2",	  "1.0ab",
	    "1.0_",  "1.0_foo",	 "1.0-r",    "1.0-r1a",	  "1.0-1",
	    "a",     "1.0A",	 "1.0_p1.2", "1.0-r1-r2", "1.0 ",
	    "-r1",   "1.0_P1",	 "1.0-R1",   "1_pre_",	  "1.0_p_",
	    "1.0a1", "1.0_prea", "1.0-r-1",  "1.0*",	  "v1.0"};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(bad); i++)
		if (!CHECK(!version_valid(bad[i], strlen(bad[i]))))
			tap_note("accepted '%s'", bad[i]);
}

TEST(version_cmp_norev_ignores_the_revision)
{
	CHECK(version_cmp_norev("1.0-r3", "1.0") == 0);
	CHECK(version_cmp_norev("1.0-r3", "1.0-r1") == 0);
	CHECK(version_cmp_norev("1.1-r0", "1.0-r9") > 0);
	CHECK(version_cmp("1.0-r3", "1.0-r1") > 0);
}

TEST(version_rev_offset_finds_the_revision)
{
	CHECK_INTEQ(version_rev_offset("1.0-r3", 6), 3);
	CHECK_INTEQ(version_rev_offset("1.0", 3), 3);
	CHECK_INTEQ(version_rev_offset("1.0_p1-r10", 10), 6);
}

TEST(version_glob_match_stops_at_component_boundaries)
{
	static const struct {
		const char *pattern, *v;
		bool match;
	} rows[] = {
	    {"1.2", "1.2", true},	  {"1.2", "1.2.3", true},
	    {"1.2", "1.20", false},	  {"1", "10", false},
	    {"1", "1.0", true},		  {"1.2", "1.2a", true},
	    {"1.2", "1.2_rc1", true},	  {"1.2", "1.2-r1", true},
	    {"1.2_rc", "1.2_rc1", true},  {"1.2_p", "1.2_pre1", false},
	    {"01.2", "1.2.5", true},	  {"1.2", "01.2.5", true},
	    {"1.2.3", "1.2", false},	  {"1.0-r1", "1.0-r1", true},
	    {"1.0-r1", "1.0-r10", false}, {"2", "1.2", false},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++)
		if (!CHECK(version_glob_match(rows[i].pattern, rows[i].v) ==
			   rows[i].match))
			tap_note("%s* vs %s", rows[i].pattern, rows[i].v);
}
