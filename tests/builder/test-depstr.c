/* test-depstr.c: PMS 8.2 dependency specifications: grammar per kind,
 * locations, reduction under USE, printing, SRC_URI helpers. */
#include "base/base.h"
#include "pms/pms.h"
#include "tap.h"

static bool use_in(void *ud, const char *flag)
{
	/* ud: " a b " with spaces around each flag */
	char key[128];

	snprintf(key, sizeof(key), " %s ", flag);
	return strstr(ud, key) != NULL;
}

static char *reduce_str(const char *s, const char *use, enum depstr_kind kind,
			struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *t = NULL;
	_cleanup_(dep_node_freep) struct dep_node *r = NULL;
	struct gild_buf b = GILD_BUF_INIT;
	char spaced[256];

	if (depstr_parse(s, strlen(s), kind, 8, NULL, &t, err) < 0)
		return NULL;
	snprintf(spaced, sizeof(spaced), " %s ", use);
	r = depstr_reduce(t, use_in, spaced);
	depstr_format(r, &b);
	return gild_buf_steal(&b);
}

TEST(depstr_reduce_follows_the_issue_rules)
{
	static const struct {
		const char *in, *use, *out;
	} rows[] = {
	    {"a/b", "", "a/b"},
	    {"a/b   c/d\n\te/f", "", "a/b c/d e/f"},
	    {"x? ( a/b ) c/d", "", "c/d"},
	    {"x? ( a/b ) c/d", "x", "a/b c/d"},
	    {"!x? ( a/b ) c/d", "x", "c/d"},
	    {"!x? ( a/b ) c/d", "", "a/b c/d"},
	    {"x? ( a/b c/d )", "x", "a/b c/d"},
	    {"x? ( y? ( a/b ) c/d )", "x", "c/d"},
	    {"x? ( y? ( a/b ) c/d )", "x y", "a/b c/d"},
	    {"|| ( a/b c/d )", "", "|| ( a/b c/d )"},
	    {"|| ( a/b )", "", "|| ( a/b )"},
	    {"|| ( x? ( a/b ) c/d )", "", "|| ( c/d )"},
	    {"|| ( x? ( a/b ) c/d )", "x", "|| ( a/b c/d )"},
	    {"|| ( x? ( a/b e/f ) c/d )", "x", "|| ( ( a/b e/f ) c/d )"},
	    {"|| ( x? ( a/b y? ( e/f ) ) c/d )", "x", "|| ( a/b c/d )"},
	    {"|| ( x? ( a/b ) )", "", "|| ( )"},
	    {"( a/b c/d )", "", "( a/b c/d )"},
	    {"( x? ( a/b ) )", "", ""},
	    {"( ( x? ( a/b ) ) ) c/d", "", "c/d"},
	    {"( x? ( a/b ) c/d )", "", "( c/d )"},
	    {"|| ( ( a/b c/d ) e/f )", "", "|| ( ( a/b c/d ) e/f )"},
	    {"|| ( ( x? ( a/b ) ) e/f )", "", "|| ( e/f )"},
	    {"x? ( || ( a/b c/d ) )", "x", "|| ( a/b c/d )"},
	    {"|| ( x? ( || ( a/b c/d ) ) )", "x", "|| ( || ( a/b c/d ) )"},
	    {"!!a/b >=c/d-1:0=[x?] =e/f-1*", "",
	     "!!a/b >=c/d-1:0=[x?] =e/f-1*"},
	    {"|| ( a/b:* c/d:0 ) e/f:=", "", "|| ( a/b:* c/d:0 ) e/f:="},
	    {"", "", ""},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_free_ char *got =
		    reduce_str(rows[i].in, rows[i].use, DEPSTR_DEPEND, &err);
		if (!CHECK(got != NULL)) {
			tap_note("'%s': %s", rows[i].in, err.msg);
			continue;
		}
		if (!CHECK_STREQ(got, rows[i].out))
			tap_note("input '%s' USE '%s'", rows[i].in,
				 rows[i].use);
	}
}

TEST(depstr_parse_rejects_bad_grammar_naming_the_token)
{
	static const struct {
		enum depstr_kind kind;
		const char *in, *msg;
	} rows[] = {
	    {DEPSTR_DEPEND, "( )", "empty group '( )' at column 1"},
	    {DEPSTR_DEPEND, "a/b || ( )", "empty group '|| ( )' at column 5"},
	    {DEPSTR_DEPEND, "x? ( )", "empty group 'x? ( )' at column 1"},
	    {DEPSTR_DEPEND, "!x? (\n)", "empty group '!x? ( )' at column 1"},
	    {DEPSTR_DEPEND, "( a/b", "missing ')' for '(' at column 1"},
	    {DEPSTR_DEPEND, "a/b )", "unexpected ')' at column 5"},
	    {DEPSTR_DEPEND, "|| a/b", "expected '(' after '||' at column 1"},
	    {DEPSTR_DEPEND, "||", "expected '(' after '||' at column 1"},
	    {DEPSTR_DEPEND, "x? a/b", "expected '(' after 'x?' at column 1"},
	    {DEPSTR_DEPEND, "(a/b )",
	     "invalid atom '(a/b': invalid character '(' in category '(a' at "
	     "column 1"},
	    {DEPSTR_DEPEND, "a/b\n  =c/d",
	     "invalid atom '=c/d': operator '=' needs a valid version at line "
	     "2, column 6"},
	    {DEPSTR_DEPEND, "^^ ( a/b )",
	     "'^^' is not allowed in a dependency string at column 1"},
	    {DEPSTR_DEPEND, "?? ( a/b )",
	     "'?\?' is not allowed in a dependency string at column 1"},
	    {DEPSTR_DEPEND, "_x? ( a/b )",
	     "invalid USE flag name in '_x?' at column 1"},
	    {DEPSTR_DEPEND, "? ( a/b )",
	     "invalid USE flag name in '?' at column 1"},
	    {DEPSTR_DEPEND, "a/b -> c", "unexpected '->' at column 5"},
	    {DEPSTR_DEPEND, "|| ( x? ( ( a/b:= ) ) )",
	     "'a/b:=': the ':=' slot operator is not allowed inside '|| ( )' "
	     "at column 13"},
	    {DEPSTR_DEPEND, "|| ( a/b:0= )",
	     "'a/b:0=': the ':=' slot operator is not allowed inside '|| ( )' "
	     "at column 6"},
	    {DEPSTR_SRC_URI, "|| ( a )",
	     "'||' is not allowed in SRC_URI at column 1"},
	    {DEPSTR_SRC_URI, "-> a", "unexpected '->' at column 1"},
	    {DEPSTR_SRC_URI, "a.tgz -> b", "unexpected '->' at column 7"},
	    {DEPSTR_SRC_URI, "http://x/a -> b -> c",
	     "unexpected '->' at column 17"},
	    {DEPSTR_SRC_URI, "http://x/a ->",
	     "expected a file name after '->' at column 12"},
	    {DEPSTR_SRC_URI, "http://x/a -> d/b",
	     "expected a file name after '->' at column 12"},
	    {DEPSTR_SRC_URI, "x? ( http://x/a ) -> b",
	     "unexpected '->' at column 19"},
	    {DEPSTR_SRC_URI, "dir/a.tgz",
	     "SRC_URI file name 'dir/a.tgz' holds a '/' (its distfile is the "
	     "part after the last '/') at column 1"},
	    {DEPSTR_SRC_URI, "mirror://gnu",
	     "'mirror://gnu': expected 'mirror://NAME/path' at column 1"},
	    {DEPSTR_SRC_URI, "mirror:///a",
	     "'mirror:///a': expected 'mirror://NAME/path' at column 1"},
	    {DEPSTR_LICENSE, "GPL-2 -BSD",
	     "invalid license name '-BSD' at column 7"},
	    {DEPSTR_RESTRICT, "|| ( test )",
	     "'||' is not allowed in RESTRICT or PROPERTIES at column 1"},
	    {DEPSTR_RESTRICT, "test)", "unexpected 'test)' at column 1"},
	    {DEPSTR_REQUIRED_USE, "a !!b",
	     "invalid USE flag name '!!b' at column 3"},
	    {DEPSTR_REQUIRED_USE, "-a",
	     "invalid USE flag name '-a' at column 1"},
	    {DEPSTR_REQUIRED_USE, "^^ ( )", "empty group '^^ ( )' at column 1"},
	    {DEPSTR_REQUIRED_USE, "?? ( )", "empty group '?? ( )' at column 1"},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT;
		struct dep_node *t = NULL;
		int r = depstr_parse(rows[i].in, strlen(rows[i].in),
				     rows[i].kind | DEPSTR_STRICT, 8, NULL, &t,
				     &err);
		if (!CHECK_INTEQ(r, -GILD_E_SYNTAX)) {
			tap_note("accepted '%s'", rows[i].in);
			dep_node_free(t);
			continue;
		}
		CHECK_STREQ(err.msg, rows[i].msg);
	}
}

TEST(depstr_parse_accepts_what_portage_loads_with_a_qa_note)
{
	static const struct {
		enum depstr_kind kind;
		const char *in, *out, *qa;
	} rows[] = {
	    {DEPSTR_DEPEND, "|| ( a/b:= c/d )", "|| ( a/b:= c/d )",
	     "'a/b:=': the ':=' slot operator is not allowed inside '|| ( )'"},
	    {DEPSTR_SRC_URI, "dir/a.tgz", "dir/a.tgz",
	     "SRC_URI file name 'dir/a.tgz' holds a '/' (its distfile is the "
	     "part after the last '/')"},
	    {DEPSTR_REQUIRED_USE, "python? ( ) || ( ) a",
	     "python? ( ) || ( ) a", "empty group 'python? ( )'"},
	    {DEPSTR_DEPEND, "a/b", "a/b", ""},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT, qa = GILD_ERR_INIT;
		_cleanup_(dep_node_freep) struct dep_node *t = NULL;
		_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
		const struct gild_loc at = {"x.recipe", 3, 9};
		if (!CHECK(depstr_parse_qa(rows[i].in, strlen(rows[i].in),
					   rows[i].kind, 8, &at, &t, &qa,
					   &err) == 0)) {
			tap_note("'%s': %s", rows[i].in, err.msg);
			continue;
		}
		depstr_format(t, &b);
		CHECK_STREQ(gild_buf_str(&b), rows[i].out);
		CHECK_STREQ(qa.msg, rows[i].qa);
		CHECK_INTEQ(qa.code, rows[i].qa[0] ? -GILD_E_SYNTAX : 0);
	}
}

/* Portage's use_reduce refuses "( )" in every string but REQUIRED_USE
 * ("expected: dependency string, got: ')'"): a recipe with one does not
 * load there either, so leniency stops at REQUIRED_USE. */
TEST(depstr_parse_qa_still_refuses_empty_groups_outside_required_use)
{
	static const struct {
		enum depstr_kind kind;
		const char *in, *msg;
	} rows[] = {
	    {DEPSTR_DEPEND, "a/b || ( ) c/d",
	     "empty group '|| ( )' at column 5"},
	    {DEPSTR_DEPEND, "x? ( ) a/b", "empty group 'x? ( )' at column 1"},
	    {DEPSTR_DEPEND, "|| ( x? ( ) ) a/b",
	     "empty group 'x? ( )' at column 6"},
	    {DEPSTR_LICENSE, "MIT || ( )", "empty group '|| ( )' at column 5"},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT, qa = GILD_ERR_INIT;
		_cleanup_(dep_node_freep) struct dep_node *t = NULL;

		CHECK_INTEQ(depstr_parse_qa(rows[i].in, strlen(rows[i].in),
					    rows[i].kind, 8, NULL, &t, &qa,
					    &err),
			    -GILD_E_SYNTAX);
		CHECK_STREQ(err.msg, rows[i].msg);
	}
}

/* What gild writes after reduction reads back: an any-of whose
 * alternatives were all conditional and off is "|| ( )" */
TEST(depstr_reduced_strings_keep_an_empty_any_of)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t = NULL, *t2 = NULL;
	_cleanup_free_ char *red =
	    reduce_str("a/b || ( x? ( c/d ) )", "", DEPSTR_DEPEND, &err);

	if (!CHECK(red != NULL))
		return;
	CHECK_STREQ(red, "a/b || ( )");
	CHECK_INTEQ(
	    depstr_parse(red, strlen(red), DEPSTR_DEPEND, 8, NULL, &t, &err),
	    -GILD_E_SYNTAX);
	CHECK_INTEQ(depstr_parse(red, strlen(red),
				 DEPSTR_DEPEND | DEPSTR_REDUCED, 8, NULL, &t2,
				 &err),
		    0);
}

TEST(depstr_distfile_of_a_name_with_a_slash_is_its_last_part)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t = NULL;

	if (!CHECK(depstr_parse("sub/dir/a-1.tgz", 15, DEPSTR_SRC_URI, 8, NULL,
				&t, &err) == 0))
		return;
	CHECK_INTEQ((int)t->n_kids, 1);
	CHECK(gild_str_eq(depstr_distfile(&t->kids[0]), "a-1.tgz"));
}

TEST(depstr_parse_refuses_deep_nesting)
{
	struct gild_buf b = GILD_BUF_INIT;
	struct gild_err err = GILD_ERR_INIT;
	struct dep_node *t = NULL;

	for (int i = 0; i < 300; i++)
		gild_buf_adds(&b, "( ");
	gild_buf_adds(&b, "a/b");
	for (int i = 0; i < 300; i++)
		gild_buf_adds(&b, " )");
	CHECK(depstr_parse(b.p, b.n, DEPSTR_DEPEND, 8, NULL, &t, &err) ==
	      -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "groups nested too deeply at column 401");
	gild_buf_release(&b);
}

TEST(depstr_parse_locates_errors_in_the_file)
{
	struct gild_loc start = {"recipes/a/b/b-1.recipe", 12, 10};
	const char *s = "dev-libs/a\n\tx? ( dev-libs/b[!y] )";
	struct gild_err err = GILD_ERR_INIT;
	struct dep_node *t = NULL;

	CHECK(depstr_parse(s, strlen(s), DEPSTR_DEPEND, 8, &start, &t, &err) ==
	      -GILD_E_SYNTAX);
	CHECK_STREQ(err.file, "recipes/a/b/b-1.recipe");
	CHECK_INTEQ(err.line, 13);
	CHECK_INTEQ(err.col, 18);
	CHECK_STREQ(err.msg, "invalid atom 'dev-libs/b[!y]': '!flag' needs '?' "
			     "or '=' in USE dependency '!y'");
}

TEST(depstr_parse_gives_each_node_its_location)
{
	struct gild_loc start = {"f", 3, 7};
	const char *s = "a/b\n  || ( c/d\n e/f )";
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t = NULL;

	if (!CHECK(depstr_parse(s, strlen(s), DEPSTR_DEPEND, 7, &start, &t,
				&err) == 0))
		return;
	CHECK(t->top && t->kind == DEP_ALL);
	if (!CHECK_INTEQ(t->n_kids, 2))
		return;
	CHECK_INTEQ(t->kids[0].loc.line, 3);
	CHECK_INTEQ(t->kids[0].loc.col, 7);
	CHECK_INTEQ(t->kids[1].kind, DEP_ANY);
	CHECK_INTEQ(t->kids[1].loc.line, 4);
	CHECK_INTEQ(t->kids[1].loc.col, 3);
	if (!CHECK_INTEQ(t->kids[1].n_kids, 2))
		return;
	CHECK_INTEQ(t->kids[1].kids[1].loc.line, 5);
	CHECK_INTEQ(t->kids[1].kids[1].loc.col, 2);
	CHECK_STREQ(t->kids[1].kids[1].atom->package, "f");
}

TEST(src_uri_gives_distfile_names)
{
	const char *s =
	    "https://e.org/a-1.tar.gz -> b-1.tgz mirror://gnu/c/c-2.tar.xz "
	    "x? ( fetch+https://e.org/d.zip ) local.patch";
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t = NULL;
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	gild_str name, path;

	if (!CHECK(depstr_parse(s, strlen(s), DEPSTR_SRC_URI, 8, NULL, &t,
				&err) == 0))
		return;
	if (!CHECK_INTEQ(t->n_kids, 4))
		return;
	CHECK(gild_str_eq(depstr_distfile(&t->kids[0]), "b-1.tgz"));
	CHECK_STREQ(t->kids[0].rename, "b-1.tgz");
	CHECK(gild_str_eq(depstr_distfile(&t->kids[1]), "c-2.tar.xz"));
	CHECK(src_uri_mirror(depstr_uri(&t->kids[1]), &name, &path));
	CHECK(gild_str_eq(name, "gnu"));
	CHECK(gild_str_eq(path, "c/c-2.tar.xz"));
	CHECK(gild_str_eq(depstr_uri(&t->kids[2].kids[0]),
			  "https://e.org/d.zip"));
	CHECK(gild_str_eq(depstr_distfile(&t->kids[2].kids[0]), "d.zip"));
	CHECK(gild_str_eq(depstr_distfile(&t->kids[3]), "local.patch"));
	CHECK(!src_uri_mirror(GILD_STR_C("https://x/y"), &name, &path));
	depstr_format(t, &b);
	CHECK_STREQ(gild_buf_str(&b), s);
}

TEST(src_uri_prefixes_need_eapi_8)
{
	const char *s = "mirror+https://e.org/a.tgz";
	struct gild_err err = GILD_ERR_INIT;
	struct dep_node *t = NULL;

	CHECK(depstr_parse(s, strlen(s), DEPSTR_SRC_URI, 7, NULL, &t, &err) ==
	      -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "'mirror+https://e.org/a.tgz': URI prefixes "
			     "'fetch+' and 'mirror+' need EAPI 8 at column 1");
	CHECK(depstr_parse(s, strlen(s), DEPSTR_SRC_URI, 8, NULL, &t, &err) ==
	      0);
	dep_node_free(t);
	CHECK(depstr_parse(s, strlen(s), DEPSTR_SRC_URI, 6, NULL, &t, &err) ==
	      -GILD_E_UNSUPPORTED);
}

TEST(depstr_format_prints_every_kind_with_single_spaces)
{
	static const struct {
		enum depstr_kind kind;
		const char *in, *out;
	} rows[] = {
	    {DEPSTR_LICENSE, " GPL-2+  || ( MIT BSD )\n",
	     "GPL-2+ || ( MIT BSD )"},
	    {DEPSTR_RESTRICT, "test? ( test ) !x? ( mirror )",
	     "test? ( test ) !x? ( mirror )"},
	    {DEPSTR_REQUIRED_USE, "^^ ( a b ) ?? ( c !d ) || ( e ( f g ) )",
	     "^^ ( a b ) ?? ( c !d ) || ( e ( f g ) )"},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(rows); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_(dep_node_freep) struct dep_node *t = NULL;
		_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
		if (!CHECK(depstr_parse(rows[i].in, strlen(rows[i].in),
					rows[i].kind, 8, NULL, &t,
					&err) == 0)) {
			tap_note("%s", err.msg);
			continue;
		}
		depstr_format(t, &b);
		CHECK_STREQ(gild_buf_str(&b), rows[i].out);
	}
}
