/* test-recipe.c: recipes and classes, on tests/fixtures/tree-basic. */
#include "pms/pms.h"
#include "tap.h"

#define FIXTURE "tests/fixtures/tree-basic"

static struct recipe *load(struct recipe_loader *l, const char *cat,
			   const char *pn, const char *file)
{
	struct gild_err err = GILD_ERR_INIT;
	struct recipe *r = NULL;

	if (recipe_load(l, cat, pn, file, &r, &err) < 0)
		tap_note("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	return r;
}

/* Parse text as recipes/app-misc/t/<file>; "file:line:col: msg" or "ok",
 * then "; qa: file:line:col: msg" per QA note. */
static char *parse_err(const char *file, const char *text)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, 0, NULL);
	struct gild_err err = GILD_ERR_INIT;
	struct recipe *r = NULL;
	char *path = xasprintf("recipes/app-misc/t/%s", file);
	char *out;

	if (recipe_parse(l, "app-misc", path, text, strlen(text), &r, &err) < 0)
		out = err.line ? xasprintf("%s:%u:%u: %s", err.file, err.line,
					   err.col, err.msg)
			       : xasprintf("%s: %s", err.file, err.msg);
	else {
		struct gild_buf b = GILD_BUF_INIT;
		gild_buf_adds(&b, "ok");
		for (size_t i = 0; i < r->n_qa; i++)
			gild_buf_printf(&b, "; qa: %s", r->qa[i]);
		out = gild_buf_steal(&b);
	}
	recipe_free(r);
	free(path);
	return out;
}

static void check_err(const char *file, const char *text, const char *want,
		      int line)
{
	char *got = parse_err(file, text);
	tap_check_str(got, want, text, __FILE__, line);
	free(got);
}
#define CHECK_ERR(file, text, want) check_err(file, text, want, __LINE__)

#define T "recipes/app-misc/t/t-1.recipe"

TEST(recipe_sets_standard_variables_from_the_path)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, 0, NULL);
	_cleanup_(recipe_freep) struct recipe *r =
	    load(l, "app-misc", "hello", "hello-1.2-r1.recipe");

	if (!CHECK(r))
		return;
	CHECK_STREQ(r->path, "recipes/app-misc/hello/hello-1.2-r1.recipe");
	CHECK_STREQ(r->category, "app-misc");
	CHECK_STREQ(r->pn, "hello");
	CHECK_STREQ(r->pv, "1.2");
	CHECK_STREQ(r->pr, "r1");
	CHECK_STREQ(r->pvr, "1.2-r1");
	CHECK_STREQ(r->pf, "hello-1.2-r1");
	CHECK_STREQ(r->p, "hello-1.2");
	CHECK_STREQ(r->vars[RECIPE_SRC_URI],
		    "mirror://gnu/hello/hello-1.2.tar.gz");
}

TEST(recipe_reads_metadata_and_class_additions)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, 0, NULL);
	_cleanup_(recipe_freep) struct recipe *r =
	    load(l, "app-misc", "hello", "hello-1.0.recipe");

	if (!CHECK(r))
		return;
	CHECK_INTEQ(r->eapi, 8);
	CHECK_STREQ(r->pr, "r0");
	CHECK_STREQ(r->vars[RECIPE_DESCRIPTION], "A friendly greeting program");
	CHECK_INTEQ(r->var_loc[RECIPE_DESCRIPTION].line, 6);
	CHECK_INTEQ(r->var_loc[RECIPE_DESCRIPTION].col, 13);
	CHECK_STREQ(r->var_loc[RECIPE_DESCRIPTION].file, r->path);
	CHECK_INTEQ(r->var_loc[RECIPE_BDEPEND].line, 0);
	CHECK_STREQ(r->vars[RECIPE_BDEPEND], "sys-devel/make");
	CHECK_STREQ(
	    r->vars[RECIPE_RDEPEND],
	    "\n\tssl? ( dev-libs/libfoo:0= )\n\tnls? ( sys-libs/zlib )\n");
	CHECK_STREQ(r->vars[RECIPE_DEPEND], r->vars[RECIPE_RDEPEND]);
	CHECK_STREQ(r->slot, "0");
	CHECK_STREQ(r->subslot, "0");
	if (CHECK_INTEQ(r->n_iuse, 3)) {
		CHECK_STREQ(r->iuse[0].flag, "nls");
		CHECK_INTEQ(r->iuse[0].def, 1);
		CHECK_STREQ(r->iuse[1].flag, "ssl");
		CHECK_INTEQ(r->iuse[1].def, 0);
		CHECK_STREQ(r->iuse[2].flag, "static");
	}
	CHECK_STREQ(r->vars[RECIPE_IUSE], "+nls ssl static");
	if (CHECK_INTEQ(r->n_keywords, 2)) {
		CHECK_STREQ(r->keywords[0], "amd64");
		CHECK_STREQ(r->keywords[1], "~arm64");
	}
	if (CHECK_INTEQ(r->n_inherited, 2)) {
		CHECK_STREQ(r->inherited[0], "autotools");
		CHECK_STREQ(r->inherited[1], "toolchain-funcs");
	}
	CHECK_INTEQ(r->n_funcs, 0);
	CHECK(recipe_iuse_find(r, "static") != NULL);
	CHECK(recipe_iuse_find(r, "nope") == NULL);
}

TEST(recipe_keeps_slots_arrays_and_phase_variables)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, 0, NULL);
	_cleanup_(recipe_freep) struct recipe *r =
	    load(l, "dev-libs", "libfoo", "libfoo-2.0.recipe");

	if (!CHECK(r))
		return;
	CHECK_INTEQ(r->eapi, 7);
	CHECK_STREQ(r->slot, "0");
	CHECK_STREQ(r->subslot, "2");
	CHECK_STREQ(r->vars[RECIPE_S], "${WORKDIR}/foo-2.0");
	CHECK_STREQ(r->vars[RECIPE_PATCHES],
		    "${FILESDIR}/libfoo-2.0-fix-build.patch");
	CHECK_STREQ(r->vars[RECIPE_SRC_URI],
		    "https://foo.invalid/libfoo-2.0.tar.xz -> foo-2.0.tar.xz");
	CHECK_STREQ(r->vars[RECIPE_DESCRIPTION], "The foo library");
}

TEST(recipe_appends_class_values_after_its_own)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, 0, NULL);
	_cleanup_(recipe_freep) struct recipe *r =
	    load(l, "app-misc", "needs-py", "needs-py-0.1.recipe");

	if (!CHECK(r))
		return;
	CHECK_STREQ(r->vars[RECIPE_RDEPEND],
		    " sys-libs/zlib python_targets_python3_12? ( "
		    "dev-lang/python:3.12 )");
	CHECK_STREQ(
	    r->vars[RECIPE_REQUIRED_USE],
	    "|| ( python_targets_python3_12 python_targets_python3_13 )");
	CHECK_STREQ(r->vars[RECIPE_IUSE],
		    "doc python_targets_python3_12 +python_targets_python3_13");
	const struct recipe_iuse *u =
	    recipe_iuse_find(r, "python_targets_python3_13");
	CHECK(u && u->def == 1);
}

TEST(recipe_functions_from_classes_are_defaults)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, RECIPE_LOAD_FUNCTIONS, NULL);
	_cleanup_(recipe_freep) struct recipe *r =
	    load(l, "app-misc", "hello", "hello-1.0.recipe");
	const struct recipe_func *f;

	if (!CHECK(r))
		return;
	CHECK_INTEQ(r->n_funcs, 4);
	f = recipe_func_find(r, "src_install");
	CHECK(f && f->origin == NULL && f->loc.line == 21);
	f = recipe_func_find(r, "src_compile");
	CHECK(f && f->origin && strcmp(f->origin, "autotools") == 0);
	CHECK(f && strcmp(f->body, "\n\temake\n") == 0);
	f = recipe_func_find(r, "tc_getCC");
	CHECK(f && strcmp(f->loc.file,
			  "recipes/classes/toolchain-funcs.class") == 0);
	CHECK(recipe_func_find(r, "pkg_setup") == NULL);
}

TEST(recipe_rejects_bad_eapi)
{
	CHECK_ERR("t-1.recipe", "SLOT=0\n",
		  T ": EAPI is not set (that means EAPI 0; gild supports EAPI "
		    "7 and 8)");
	CHECK_ERR("t-1.recipe", "\nEAPI=6\nSLOT=0",
		  T ":2:6: unsupported EAPI '6' (gild supports EAPI 7 and 8)");
	CHECK_ERR("t-1.recipe", "EAPI=\"9\"",
		  T ":1:6: unsupported EAPI '9' (gild supports EAPI 7 and 8)");
	CHECK_ERR(
	    "t-1.recipe", "EAPI=8\ninherit bad-eapi\nSLOT=0",
	    "recipes/classes/bad-eapi.class:1:6: a class cannot set 'EAPI'");
	CHECK_ERR("t-1.recipe", "EAPI=7\nSLOT=0", "ok");
}

TEST(recipe_rejects_bad_tokens_where_they_are)
{
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nIUSE=\"a\n  +b% c\"",
		  T ":4:3: invalid USE flag '+b%' in IUSE");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nKEYWORDS=\"amd64 ~~x86\"",
		  T ":3:17: invalid keyword '~~x86' in KEYWORDS");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nKEYWORDS=\"-* ~amd64 -arm\"",
		  "ok");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=\"0/\"",
		  T ":2:7: invalid SLOT '0/' (want 'slot' or 'slot/subslot')");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=", T ":2:6: SLOT is empty");
	CHECK_ERR("t-1.recipe", "EAPI=8\n", T ": SLOT is not set");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nDESCRIPTION=\"$(date)\"",
		  T ":3:14: command substitution '$(' needs a "
		    "shell; " SHVARS_STATIC_HINT);
}

TEST(recipe_rejects_missing_and_cyclic_classes)
{
	CHECK_ERR("t-1.recipe", "EAPI=8\ninherit autotools nope\nSLOT=0",
		  T ":2:19: class 'nope' not found: cannot read "
		    "'recipes/classes/nope.class'");
	CHECK_ERR("t-1.recipe", "EAPI=8\ninherit cycle-a\nSLOT=0",
		  "recipes/classes/cycle-b.class:1:9: class inheritance cycle: "
		  "'cycle-a' -> 'cycle-b' -> 'cycle-a'");
	CHECK_ERR("t-1.recipe", "EAPI=8\ninherit autotools autotools\nSLOT=0",
		  "ok");
}

TEST(recipe_rejects_bad_paths)
{
	CHECK_ERR(
	    "u-1.recipe", "EAPI=8\nSLOT=0",
	    "recipes/app-misc/t/u-1.recipe: recipe 'u-1.recipe' is not in "
	    "a directory named 'u'");
	CHECK_ERR(
	    "t-1.ebuild", "EAPI=8\nSLOT=0",
	    "recipes/app-misc/t/t-1.ebuild: a recipe file name must end in "
	    "'.recipe'");
	char *got = parse_err("t.recipe", "EAPI=8\nSLOT=0");
	CHECK(gild_startswith(got,
			      "recipes/app-misc/t/t.recipe: invalid recipe "
			      "file name 't.recipe': "));
	free(got);
}

TEST(recipe_with_what_portage_loads_loads_with_located_qa_notes)
{
	CHECK_ERR("t-1.recipe",
		  "EAPI=8\nSLOT=0\nIUSE=\"python doc\"\n"
		  "REQUIRED_USE=\"python? ( ) doc? ( )\"\n",
		  "ok; qa: " T
		  ":4:15: empty group 'python? ( )' in REQUIRED_USE");
	CHECK_ERR(
	    "t-1.recipe",
	    "EAPI=8\nSLOT=0\nDEPEND=\"\n\t|| ( dev-libs/a:= dev-libs/b )\"",
	    "ok; qa: " T
	    ":4:7: 'dev-libs/a:=': the ':=' slot operator is not allowed "
	    "inside '|| ( )' in DEPEND");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nSRC_URI=\"x/t-1.tgz\"",
		  "ok; qa: " T
		  ":3:10: SRC_URI file name 'x/t-1.tgz' holds a '/' (its "
		  "distfile is the part after the last '/') in SRC_URI");
}

/* Portage refuses "( )" outside REQUIRED_USE (use_reduce): so does gild */
TEST(recipe_with_an_empty_group_outside_required_use_does_not_load)
{
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nRDEPEND=\"|| ( )\"\n",
		  T ":3:10: empty group '|| ( )' in RDEPEND");
	CHECK_ERR("t-1.recipe",
		  "EAPI=8\nSLOT=0\nIUSE=\"gif\"\nDEPEND=\"a/b gif? ( )\"\n",
		  T ":4:13: empty group 'gif? ( )' in DEPEND");
}

TEST(recipe_dependency_errors_point_into_the_file)
{
	CHECK_ERR("t-1.recipe",
		  "EAPI=8\nSLOT=0\nRDEPEND=\"\n\tdev-libs/a\n\t>=bad\n\"",
		  T ":5:4: invalid atom '>=bad': expected 'category/package' "
		    "in RDEPEND");
	CHECK_ERR(
	    "t-1.recipe",
	    "EAPI=8\nSLOT=0\nA='x/y'\nRDEPEND=\"${A} ssl? ( \\$x )\"",
	    T
	    ":4:23: invalid atom '$x': expected 'category/package' in RDEPEND");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nLICENSE=\"|| ( )\"",
		  T ":3:10: empty group '|| ( )' in LICENSE");
	CHECK_ERR("t-1.recipe", "EAPI=8\nSLOT=0\nREQUIRED_USE=\"^^ ( a b\"",
		  T ":3:15: missing ')' for '^^' in REQUIRED_USE");
	CHECK_ERR("t-1.recipe",
		  "EAPI=7\nSLOT=0\nSRC_URI=\"https://a.invalid/x -> \"",
		  T ":3:30: expected a file name after '->' in SRC_URI");
	CHECK_ERR("t-1.recipe",
		  "EAPI=8\nSLOT=0\nRDEPEND=\"a/b\"\nRDEPEND+=\" c/d\"", "ok");
}

TEST(recipe_deps_parses_on_demand)
{
	_cleanup_(recipe_loader_freep) struct recipe_loader *l =
	    recipe_loader_new(FIXTURE, 0, NULL);
	_cleanup_(recipe_freep) struct recipe *r =
	    load(l, "app-misc", "hello", "hello-1.0.recipe");
	struct gild_err err = GILD_ERR_INIT;
	const struct dep_node *n = NULL, *n2 = NULL;
	struct gild_buf b = GILD_BUF_INIT;

	if (!CHECK(r))
		return;
	CHECK_INTEQ(recipe_deps(r, RECIPE_RDEPEND, &n, &err), 0);
	CHECK_INTEQ(recipe_deps(r, RECIPE_RDEPEND, &n2, &err), 0);
	CHECK(n && n == n2);
	depstr_format(n, &b);
	CHECK_STREQ(gild_buf_str(&b),
		    "ssl? ( dev-libs/libfoo:0= ) nls? ( sys-libs/zlib )");
	CHECK_INTEQ(n->kids[0].loc.line, 16);
	CHECK_INTEQ(n->kids[0].loc.col, 2);
	gild_buf_release(&b);
	CHECK_INTEQ(recipe_deps(r, RECIPE_SLOT, &n, &err), -GILD_E_INVALID);
}
