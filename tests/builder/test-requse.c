/* test-requse.c: REQUIRED_USE verdicts (PMS 8.2, EAPI 7+ empty groups). */
#include "base/base.h"
#include "pms/pms.h"
#include "tap.h"

static bool use_in(void *ud, const char *flag)
{
	char key[128];

	snprintf(key, sizeof(key), " %s ", flag);
	return strstr(ud, key) != NULL;
}

TEST(requse_check_gives_verdicts_and_reasons)
{
	static const struct {
		const char *req, *use;
		int ok;
		const char *why;
	} rows[] = {
	    {"a", "a", 1, ""},
	    {"a", "", 0, "'a' must be enabled"},
	    {"!a", "a", 0, "'a' must be disabled"},
	    {"a? ( b )", "", 1, ""},
	    {"a? ( b )", "a", 0, "'b' must be enabled when 'a' is enabled"},
	    {"!a? ( b )", "", 0, "'b' must be enabled when 'a' is disabled"},
	    {"a? ( !c? ( b ) )", "a", 0,
	     "'b' must be enabled when 'a' is enabled and 'c' is disabled"},
	    {"|| ( a b )", "b", 1, ""},
	    {"|| ( a b )", "", 0, "at least one of 'a', 'b' must be enabled"},
	    {"^^ ( a b )", "a", 1, ""},
	    {"^^ ( a b )", "a b", 0,
	     "exactly one of 'a', 'b' must be enabled, but both are"},
	    {"^^ ( a b )", "", 0,
	     "exactly one of 'a', 'b' must be enabled, but none is"},
	    {"^^ ( a b c )", "a b c", 0,
	     "exactly one of 'a', 'b', 'c' must be enabled, but 'a', 'b', 'c' "
	     "are"},
	    {"?? ( a b )", "", 1, ""},
	    {"?? ( a b )", "b", 1, ""},
	    {"?? ( a b c )", "a c", 0,
	     "at most one of 'a', 'b', 'c' may be enabled, but 'a', 'c' are"},
	    {"^^ ( a !b )", "a", 0,
	     "exactly one of 'a', '!b' must be satisfied, but both are"},
	    {"|| ( a ( b c ) )", "b", 0,
	     "at least one of 'a', '( b c )' must be satisfied"},
	    {"|| ( a ( b c ) )", "b c", 1, ""},
	    /* a false conditional is not a member of the group */
	    {"^^ ( a x? ( b ) )", "a b", 1, ""},
	    {"^^ ( a x? ( b ) )", "a b x", 0,
	     "exactly one of 'a', 'b' must be enabled, but both are"},
	    /* EAPI 7+: empty || and ^^ are not satisfied, empty ?? is */
	    {"|| ( x? ( a ) )", "a", 0,
	     "'|| ( x? ( a ) )' has no enabled member, so it is not satisfied"},
	    {"^^ ( x? ( a ) )", "a", 0,
	     "'^^ ( x? ( a ) )' has no enabled member, so it is not satisfied"},
	    {"?? ( x? ( a ) )", "", 1, ""},
	    {"a? ( || ( b c ) ) d? ( !a )", "a d", 0,
	     "at least one of 'b', 'c' must be enabled when 'a' is enabled"},
	    {"a? ( || ( b c ) ) d? ( !a )", "a b d", 0,
	     "'a' must be disabled when 'd' is enabled"},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_(dep_node_freep) struct dep_node *t = NULL;
		_cleanup_buf_ struct gild_buf why = GILD_BUF_INIT;
		char spaced[128];
		if (!CHECK(depstr_parse(rows[i].req, strlen(rows[i].req),
					DEPSTR_REQUIRED_USE, 8, NULL, &t,
					&err) == 0)) {
			tap_note("%s", err.msg);
			continue;
		}
		snprintf(spaced, sizeof(spaced), " %s ", rows[i].use);
		if (!CHECK_INTEQ(requse_check(t, use_in, spaced, &why),
				 rows[i].ok) |
		    !CHECK_STREQ(gild_buf_str(&why), rows[i].why))
			tap_note("REQUIRED_USE '%s' USE '%s'", rows[i].req,
				 rows[i].use);
	}
}

static int collect(void *ud, const char *flag, const struct dep_node *where)
{
	gild_buf_printf(ud, "%s@%u ", flag, where->loc.col);
	return strcmp(flag, "stop") == 0 ? 7 : 0;
}

TEST(depstr_foreach_flag_visits_conditions_and_leaves_in_order)
{
	const char *s = "a? ( !b ) || ( c d? ( e ) ) stop f";
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t = NULL;
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;

	if (!CHECK(depstr_parse(s, strlen(s), DEPSTR_REQUIRED_USE, 8, NULL, &t,
				&err) == 0))
		return;
	CHECK_INTEQ(depstr_foreach_flag(t, collect, &b), 7);
	CHECK_STREQ(gild_buf_str(&b), "a@1 b@6 c@16 d@18 e@23 stop@29 ");
}
