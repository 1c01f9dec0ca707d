/* test-atom.c: PMS 3.1 names, cpv splitting and PMS 8.3 atoms. */
#include "base/base.h"
#include "pms/pms.h"
#include "tap.h"

static struct atom *parse(const char *s, int eapi, struct gild_err *err)
{
	struct atom *a = NULL;

	if (atom_parse(s, strlen(s), eapi, &a, err) < 0)
		return NULL;
	return a;
}

TEST(atom_parse_accepts_pms_forms_and_formats_them_back)
{
	static const char *const good[] = {
	    "dev-libs/foo",
	    "dev-libs/foo-bar",
	    "dev-libs/foo-bar2",
	    "x11-libs/gtk+",
	    "dev-libs/foo_1",
	    "_a/_b",
	    "a.b/c",
	    "=dev-libs/foo-1.0",
	    "=dev-libs/foo-1.0-r1",
	    "<dev-libs/foo-1",
	    "<=dev-libs/foo-1",
	    ">dev-libs/foo-1_p2",
	    ">=dev-libs/foo-1a",
	    "~dev-libs/foo-1.0",
	    "~dev-libs/foo-1.0-r3",
	    "=dev-libs/foo-1.2*",
	    "=dev-libs/foo-1*",
	    "!dev-libs/foo",
	    "!!dev-libs/foo",
	    "!dev-libs/foo:*",
	    "!<dev-libs/foo-2",
	    "dev-libs/foo:0",
	    "dev-libs/foo:2.4",
	    "dev-libs/foo:0/1.2",
	    "dev-libs/foo:*",
	    "dev-libs/foo:=",
	    "dev-libs/foo:3=",
	    "dev-libs/foo:3/4=",
	    "dev-libs/foo[a]",
	    "dev-libs/foo[a,-b,c?,!d?,e=,!f=]",
	    "dev-libs/foo[a(+),-b(-),c(+)?,!d(-)=]",
	    "dev-libs/foo:0[a]",
	    "=dev-libs/foo-1-r2:0/1=[a,b]",
	    "dev-libs/foo-1a-bar",
	    "dev-libs/foo-r1",
	    "dev-libs/foo[a@b,c+d,e_f,g-h]",
	    "=dev-libs/foo-bar-1.0",
	    "=dev-libs/foo-2-bar-1.0_rc2",
	    "dev-libs/foo[x_y_z]",
	    "=dev-libs/foo-99999999999999999999999",
	    "=dev-libs/foo-1-r99999999999999999999",
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(good); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_(atom_freep) struct atom *a = parse(good[i], 8, &err);
		_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
		if (!CHECK(a != NULL)) {
			tap_note("'%s': %s", good[i], err.msg);
			continue;
		}
		atom_format(a, &b);
		CHECK_STREQ(gild_buf_str(&b), good[i]);
		CHECK_STREQ(a->text, good[i]);
	}
}

TEST(atom_parse_fills_every_part)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(atom_freep) struct atom *a =
	    parse("!!>=dev-libs/foo-bar-1.2.3_rc1-r12:0/2.1[ssl,-x(+),!y(-)?]",
		  7, &err);

	if (!CHECK(a != NULL))
		return;
	CHECK_INTEQ(a->blocker, 2);
	CHECK_INTEQ(a->op, ATOM_OP_GE);
	CHECK_STREQ(a->category, "dev-libs");
	CHECK_STREQ(a->package, "foo-bar");
	CHECK_STREQ(a->version, "1.2.3_rc1");
	CHECK_STREQ(a->pvr, "1.2.3_rc1-r12");
	CHECK_INTEQ(a->revision, 12);
	CHECK_STREQ(a->slot, "0");
	CHECK_STREQ(a->subslot, "2.1");
	CHECK_INTEQ(a->slot_op, ATOM_SLOT_OP_NONE);
	if (!CHECK_INTEQ(a->n_use, 3))
		return;
	CHECK_STREQ(a->use[0].flag, "ssl");
	CHECK_INTEQ(a->use[0].kind, USE_DEP_ENABLED);
	CHECK_STREQ(a->use[1].flag, "x");
	CHECK_INTEQ(a->use[1].kind, USE_DEP_DISABLED);
	CHECK_INTEQ(a->use[1].def, USE_DEFAULT_PLUS);
	CHECK_STREQ(a->use[2].flag, "y");
	CHECK_STREQ(a->use[2].text, "!y(-)?");
	CHECK_INTEQ(a->use[2].kind, USE_DEP_IF_NOT);
	CHECK_INTEQ(a->use[2].def, USE_DEFAULT_MINUS);
}

TEST(atom_parse_reads_glob_and_plain_names)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(atom_freep) struct atom *g = parse("=a/b-1.2*", 8, &err);
	_cleanup_(atom_freep) struct atom *p = parse("a/b", 8, &err);

	if (!CHECK(g && p))
		return;
	CHECK_INTEQ(g->op, ATOM_OP_GLOB);
	CHECK_STREQ(g->version, "1.2");
	CHECK(p->version == NULL && p->pvr == NULL && p->slot == NULL);
	CHECK_INTEQ(p->revision, 0);
	CHECK_STREQ(atom_op_str(g->op), "=*");
}

TEST(atom_parse_rejects_malformed_with_column)
{
	static const struct {
		const char *atom, *msg;
	} bad[] = {
	    {"", "invalid atom '': expected 'category/package' at column 1"},
	    {"foo",
	     "invalid atom 'foo': expected 'category/package' at column 1"},
	    {"/foo", "invalid atom '/foo': empty category at column 1"},
	    {"a/", "invalid atom 'a/': empty package name at column 3"},
	    {"-a/b", "invalid atom '-a/b': invalid character '-' in category "
		     "'-a' at column 1"},
	    {"a/+b", "invalid atom 'a/+b': invalid character '+' in package "
		     "name '+b' at column 3"},
	    {"a/b.c", "invalid atom 'a/b.c': invalid character '.' in package "
		      "name 'b.c' at column 4"},
	    {"a/b/c", "invalid atom 'a/b/c': invalid character '/' in package "
		      "name 'b/c' at column 4"},
	    {"a/b-1",
	     "invalid atom 'a/b-1': package name 'b-1' ends in a version (a "
	     "version needs an operator such as '=') at column 3"},
	    {"a/b-1-r1",
	     "invalid atom 'a/b-1-r1': package name 'b-1-r1' ends in a version "
	     "(a version needs an operator such as '=') at column 3"},
	    {"=a/b", "invalid atom '=a/b': operator '=' needs a valid version "
		     "at column 4"},
	    {"=a/b-1.0x1", "invalid atom '=a/b-1.0x1': operator '=' needs a "
			   "valid version at column 4"},
	    {">=a/b-1-1.0", "invalid atom '>=a/b-1-1.0': package name 'b-1' "
			    "ends in a version at column 5"},
	    {"<a/b-1*", "invalid atom '<a/b-1*': '*' is only allowed after '=' "
			"versions at column 7"},
	    {"~a/b-1*", "invalid atom '~a/b-1*': '*' is only allowed after '=' "
			"versions at column 7"},
	    {"a/b*", "invalid atom 'a/b*': '*' is only allowed after '=' "
		     "versions at column 4"},
	    {"=a/b-1.*", "invalid atom '=a/b-1.*': operator '=' needs a valid "
			 "version at column 4"},
	    {"!!!a/b", "invalid atom '!!!a/b': invalid character '!' in "
		       "category '!a' at column 3"},
	    {"a/b:", "invalid atom 'a/b:': empty slot at column 5"},
	    {"a/b:/1", "invalid atom 'a/b:/1': empty slot at column 5"},
	    {"a/b:1/", "invalid atom 'a/b:1/': empty sub-slot at column 7"},
	    {"a/b:-1", "invalid atom 'a/b:-1': invalid character '-' in slot "
		       "'-1' at column 5"},
	    {"a/b:1/2/3", "invalid atom 'a/b:1/2/3': invalid character '/' in "
			  "sub-slot '2/3' at column 8"},
	    {"a/b::repo", "invalid atom 'a/b::repo': repository dependencies "
			  "('::') are not allowed at column 4"},
	    {"a/b:*=", "invalid atom 'a/b:*=': invalid character '*' in slot "
		       "'*' at column 5"},
	    {"!a/b:=", "invalid atom '!a/b:=': a blocker cannot have the ':=' "
		       "slot operator at column 5"},
	    {"a/b[", "invalid atom 'a/b[': missing ']' at column 4"},
	    {"a/b[]", "invalid atom 'a/b[]': empty USE dependency at column 5"},
	    {"a/b[a,]",
	     "invalid atom 'a/b[a,]': empty USE dependency at column 7"},
	    {"a/b[a]x",
	     "invalid atom 'a/b[a]x': unexpected text after ']' at column 7"},
	    {"a/b[a][b]",
	     "invalid atom 'a/b[a][b]': unexpected text after ']' at column 7"},
	    {"a/b[!a]", "invalid atom 'a/b[!a]': '!flag' needs '?' or '=' in "
			"USE dependency '!a' at column 5"},
	    {"a/b[-a?]", "invalid atom 'a/b[-a?]': '-flag' cannot take '?' or "
			 "'=' in USE dependency '-a?' at column 5"},
	    {"a/b[-a=]", "invalid atom 'a/b[-a=]': '-flag' cannot take '?' or "
			 "'=' in USE dependency '-a=' at column 5"},
	    {"a/b[a(x)]", "invalid atom 'a/b[a(x)]': unexpected text after the "
			  "flag in USE dependency 'a(x)' at column 5"},
	    {"a/b[a?(+)]", "invalid atom 'a/b[a?(+)]': unexpected text after "
			   "the flag in USE dependency 'a?(+)' at column 5"},
	    {"a/b[@a]", "invalid atom 'a/b[@a]': invalid USE flag name in USE "
			"dependency '@a' at column 5"},
	    {"a/b[a b]", "invalid atom 'a/b[a b]': unexpected text after the "
			 "flag in USE dependency 'a b' at column 5"},
	    {"a/b[a]:1",
	     "invalid atom 'a/b[a]:1': unexpected text after ']' at column 7"},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(bad); i++) {
		struct gild_err err = GILD_ERR_INIT;
		struct atom *a = parse(bad[i].atom, 8, &err);
		if (!CHECK(a == NULL)) {
			tap_note("accepted '%s'", bad[i].atom);
			atom_free(a);
			continue;
		}
		CHECK_INTEQ(err.code, -GILD_E_SYNTAX);
		CHECK_STREQ(err.msg, bad[i].msg);
	}
}

TEST(atom_parse_at_points_into_the_file)
{
	struct gild_err err = GILD_ERR_INIT;
	struct gild_loc loc = {"recipes/a/b/b-1.recipe", 7, 10};
	struct atom *a = NULL;

	CHECK(atom_parse_at("a/b[!x]", 7, 8, &loc, &a, &err) == -GILD_E_SYNTAX);
	CHECK_STREQ(err.file, "recipes/a/b/b-1.recipe");
	CHECK_INTEQ(err.line, 7);
	CHECK_INTEQ(err.col, 14);
	CHECK_STREQ(err.msg, "invalid atom 'a/b[!x]': '!flag' needs '?' or '=' "
			     "in USE dependency '!x'");
}

TEST(atom_parse_knows_eapi_7_and_8_only)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(atom_freep) struct atom *a7 =
	    parse("a/b:0/1=[x(+)]", 7, &err);
	_cleanup_(atom_freep) struct atom *a8 =
	    parse("a/b:0/1=[x(+)]", 8, &err);

	CHECK(a7 != NULL && a8 != NULL);
	CHECK(parse("a/b", 6, &err) == NULL);
	CHECK_INTEQ(err.code, -GILD_E_UNSUPPORTED);
	CHECK_STREQ(err.msg, "unsupported EAPI '6'");
	CHECK(parse("a/b", 9, &err) == NULL);
}

TEST(atom_match_cpv_applies_the_operator)
{
	static const struct {
		const char *atom, *cat, *pn, *pvr;
		bool match;
	} rows[] = {
	    {"a/b", "a", "b", "1", true},
	    {"a/b", "a", "c", "1", false},
	    {"a/b", "x", "b", "1", false},
	    {"=a/b-1.0", "a", "b", "1.0", true},
	    {"=a/b-1.0", "a", "b", "1.0-r0", true},
	    {"=a/b-1.0", "a", "b", "1.00", true},
	    {"=a/b-1.0", "a", "b", "1.0-r1", false},
	    {"~a/b-1.0", "a", "b", "1.0-r5", true},
	    {"~a/b-1.0-r2", "a", "b", "1.0", true},
	    {"~a/b-1.0", "a", "b", "1.0.1", false},
	    {"<a/b-2", "a", "b", "1.9", true},
	    {"<a/b-2", "a", "b", "2", false},
	    {"<=a/b-2", "a", "b", "2-r0", true},
	    {"<=a/b-2", "a", "b", "2-r1", false},
	    {">a/b-2", "a", "b", "2_p1", true},
	    {">a/b-2", "a", "b", "2_rc1", false},
	    {">=a/b-2", "a", "b", "2", true},
	    {">=a/b-2", "a", "b", "1.99", false},
	    {"=a/b-1.2*", "a", "b", "1.2.5", true},
	    {"=a/b-1.2*", "a", "b", "1.20", false},
	    {"=a/b-1*", "a", "b", "1", true},
	    {"=a/b-1*", "a", "b", "10", false},
	    {"!a/b", "a", "b", "1", true},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_(atom_freep) struct atom *a =
		    parse(rows[i].atom, 8, &err);
		if (!CHECK(a != NULL))
			continue;
		if (!CHECK(atom_match_cpv(a, rows[i].cat, rows[i].pn,
					  rows[i].pvr) == rows[i].match))
			tap_note("%s vs %s/%s-%s", rows[i].atom, rows[i].cat,
				 rows[i].pn, rows[i].pvr);
	}
}

TEST(atom_match_slot_uses_slot_and_subslot)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(atom_freep) struct atom *none = parse("a/b", 8, &err);
	_cleanup_(atom_freep) struct atom *slot = parse("a/b:2", 8, &err);
	_cleanup_(atom_freep) struct atom *sub = parse("a/b:2/3", 8, &err);
	_cleanup_(atom_freep) struct atom *op = parse("a/b:=", 8, &err);

	if (!CHECK(none && slot && sub && op))
		return;
	CHECK(atom_match_slot(none, "5", NULL));
	CHECK(atom_match_slot(slot, "2", "9"));
	CHECK(!atom_match_slot(slot, "3", NULL));
	CHECK(atom_match_slot(sub, "2", "3"));
	CHECK(!atom_match_slot(sub, "2", "4"));
	CHECK(!atom_match_slot(sub, "2", NULL)); /* implicit sub-slot 2 */
	CHECK(atom_match_slot(op, "7", NULL));
}

TEST(name_validators_follow_pms_3_1)
{
	CHECK(category_valid("dev-libs", 8));
	CHECK(category_valid("_x", 2));
	CHECK(!category_valid(".x", 2));
	CHECK(!category_valid("+x", 2));
	CHECK(!category_valid("", 0));
	CHECK(package_name_valid("gtk+", 4));
	CHECK(package_name_valid("foo-bar", 7));
	CHECK(package_name_valid("foo-1a-bar", 10));
	CHECK(!package_name_valid("foo-1", 5));
	CHECK(!package_name_valid("foo-1_p2-r3", 11));
	CHECK(!package_name_valid("-foo", 4));
	CHECK(!package_name_valid("foo.bar", 7));
	CHECK(slot_name_valid("2.4", 3));
	CHECK(!slot_name_valid("-2", 2));
	CHECK(use_flag_valid("ssl", 3));
	CHECK(use_flag_valid("python_targets_python3_12", 25));
	CHECK(use_flag_valid("a@b+c-d_e", 9));
	CHECK(use_flag_valid("0ssl", 4));
	CHECK(!use_flag_valid("_ssl", 4));
	CHECK(!use_flag_valid("-ssl", 4));
	CHECK(!use_flag_valid("s.l", 3));
	CHECK(license_name_valid("GPL-2+", 6));
	CHECK(license_name_valid("BSD-2.0", 7));
	CHECK(!license_name_valid("-GPL", 4));
}

TEST(cpv_split_gives_the_parts)
{
	struct gild_err err = GILD_ERR_INIT;
	struct cpv c;

	if (!CHECK(cpv_split("media-fonts/font-util-1.3.3-r2", 30, &c, &err) ==
		   0))
		return;
	CHECK(gild_str_eq(c.category, "media-fonts"));
	CHECK(gild_str_eq(c.package, "font-util"));
	CHECK(gild_str_eq(c.version, "1.3.3"));
	CHECK(gild_str_eq(c.pvr, "1.3.3-r2"));
	CHECK(gild_str_eq(c.revision, "2"));
	if (!CHECK(cpv_split_pf("zlib-1.3", 8, &c, &err) == 0))
		return;
	CHECK(gild_str_eq(c.package, "zlib"));
	CHECK(gild_str_eq(c.pvr, "1.3"));
	CHECK_INTEQ(c.revision.n, 0);
	CHECK(cpv_split("zlib-1.3", 8, &c, &err) == -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "no category in 'zlib-1.3'");
	CHECK(cpv_split("sys-libs/zlib", 13, &c, &err) == -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "no version in 'zlib'");
	CHECK(cpv_split("sys-libs/zl.b-1", 15, &c, &err) == -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "invalid package name 'zl.b'");
	CHECK(cpv_split(".x/a-1", 6, &c, &err) == -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "invalid category '.x'");
}
