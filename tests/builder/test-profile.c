/* test-profile.c: the profile stack, make.defaults stacking and the
 * user configuration, against tests/fixtures/profiles-basic. */
#include "config/config.h"
#include "tap.h"

static const char *fixture(void)
{
	static char path[4096];
	const char *top = getenv("GILD_TOP");

	snprintf(path, sizeof(path), "%s/tests/fixtures/profiles-basic",
		 top ? top : ".");
	return path;
}

static struct profile *load(const char *name, struct gild_err *err)
{
	struct profile *p = NULL;
	if (profile_load(fixture(), name, &p, err) < 0)
		return NULL;
	return p;
}

static char *words_of(const struct plines *pl)
{
	struct gild_buf b = GILD_BUF_INIT;

	for (size_t i = 0; i < pl->n; i++) {
		if (i)
			gild_buf_addc(&b, '|');
		for (size_t k = 0; k < pl->v[i].nw; k++)
			gild_buf_printf(&b, "%s%s", k ? " " : "",
					pl->v[i].w[k]);
	}
	return gild_buf_steal(&b);
}

TEST(profile_walk_puts_parents_first)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p =
	    load("default/linux/amd64", &err);

	if (!CHECK(p != NULL))
		return;
	CHECK_INTEQ(p->nodes.n, 3);
	CHECK_STREQ(p->nodes.v[0], "profiles/base");
	CHECK_STREQ(p->nodes.v[1], "profiles/default/linux");
	CHECK_STREQ(p->nodes.v[2], "profiles/default/linux/amd64");
	CHECK_STREQ(p->repo_name, "test");
}

TEST(profile_repo_colon_path_parent_resolves_in_this_tree)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p =
	    load("targets/desktop", &err);

	if (!CHECK(p != NULL))
		return;
	CHECK_INTEQ(p->nodes.n, 4);
	CHECK_STREQ(p->nodes.v[3], "profiles/targets/desktop");
	CHECK_STREQ(profile_var(p, "USE"), "ssl -debug -zlib ipv6 X");
}

TEST(profile_make_defaults_stack_incrementally)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p =
	    load("default/linux/amd64", &err);

	if (!CHECK(p != NULL))
		return;
	CHECK_STREQ(profile_var(p, "USE"), "ssl -debug -zlib ipv6");
	CHECK_STREQ(profile_var(p, "PYTHON_TARGETS"),
		    "python3_12 -python3_11 python3_13");
	CHECK_STREQ(profile_var(p, "CFLAGS"), "-O2 -pipe -march=x86-64");
	CHECK_STREQ(profile_var(p, "CXXFLAGS"), "-O2 -pipe");
	CHECK_STREQ(profile_var(p, "ARCH"), "amd64");
	CHECK_STREQ(profile_var(p, "ACCEPT_LICENSE"), "-* @FREE");
}

TEST(profile_lists_apply_minus_lines)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p =
	    load("default/linux/amd64", &err);
	_cleanup_free_ char *mask = NULL, *use_mask = NULL, *sys = NULL,
			    *puse = NULL;

	if (!CHECK(p != NULL))
		return;
	mask = words_of(&p->lists[PL_PACKAGE_MASK]);
	use_mask = words_of(&p->lists[PL_USE_MASK]);
	sys = words_of(&p->lists[PL_PACKAGES]);
	puse = words_of(&p->lists[PL_PACKAGE_USE]);
	CHECK_STREQ(mask, "=app-misc/old-1|>=app-misc/bar-3");
	CHECK_STREQ(use_mask, "debug");
	CHECK_STREQ(sys, "sys-libs/musl|sys-apps/busybox");
	CHECK_STREQ(puse, "app-misc/bar gtk|app-misc/bar -gtk qt");
}

TEST(profile_lines_remember_file_and_line)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p =
	    load("default/linux/amd64", &err);
	const struct pline *l;

	if (!CHECK(p != NULL))
		return;
	l = &p->lists[PL_PACKAGE_MASK].v[0];
	CHECK_STREQ(l->file, "profiles/package.mask");
	CHECK_INTEQ(l->line, 3);
	l = &p->lists[PL_PACKAGE_MASK].v[1];
	CHECK_STREQ(l->file, "profiles/base/package.mask");
	CHECK_INTEQ(l->line, 2);
	l = &p->lists[PL_PACKAGE_USE].v[1];
	CHECK_STREQ(l->file,
		    "profiles/default/linux/amd64/package.use/20-second");
	CHECK_INTEQ(l->col[1], 14);
}

TEST(profile_parent_cycle_names_the_files)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p = load("cycle-a", &err);

	CHECK(p == NULL);
	CHECK_INTEQ(err.code, -GILD_E_CYCLE);
	CHECK_STREQ(err.file, "profiles/cycle-b/parent");
	CHECK_INTEQ(err.line, 1);
	CHECK_STREQ(err.msg, "profile parent cycle: profiles/cycle-a/parent -> "
			     "profiles/cycle-b/parent -> profiles/cycle-a");
}

TEST(profile_missing_parent_is_an_error_at_its_line)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p = load("broken", &err);

	CHECK(p == NULL);
	CHECK_INTEQ(err.code, -GILD_E_NOTFOUND);
	CHECK_STREQ(err.file, "profiles/broken/parent");
	CHECK_INTEQ(err.line, 2);
	CHECK_STREQ(err.msg, "parent profile '../nope' not found");
}

TEST(profile_unknown_eapi_is_unsupported)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p = load("eapi9", &err);

	CHECK(p == NULL);
	CHECK_INTEQ(err.code, -GILD_E_UNSUPPORTED);
	CHECK_STREQ(err.msg, "unsupported profile EAPI '9'");
}

TEST(profile_unknown_name_is_not_found)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p = load("no/such", &err);

	CHECK(p == NULL);
	CHECK_INTEQ(err.code, -GILD_E_NOTFOUND);
	CHECK(strstr(err.msg, "profile 'no/such' not found") != NULL);
}

/* ---- assignments ------------------------------------------------------------
 */

static const struct {
	const char *text, *name, *want;
} assign_cases[] = {
    {"A=plain", "A", "plain"},
    {"A='single $X \"q\"'", "A", "single $X \"q\""},
    {"A=\"dq \\\"x\\\" \\$X\"", "A", "dq \"x\" $X"},
    {"X=1\nA=\"${X}-$X\"", "A", "1-1"},
    {"export A=\"multi\nline\" # comment", "A", "multi\nline"},
    {"A=\"cont\\\nined\"", "A", "contined"},
    {"A=a'b'\"c\"", "A", "abc"},
    {"A=", "A", ""},
    {"A=\"${UNSET}\"", "A", ""},
};

TEST(vars_parse_follows_bash_quoting)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(assign_cases); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_(varlist_release) struct varlist vl = {0};
		int r = vars_parse(assign_cases[i].text, "t", NULL, &vl, &err);
		if (!CHECK_INTEQ(r, 0))
			tap_note("case %zu: %s", i, err.msg);
		CHECK_STREQ(varlist_get(&vl, assign_cases[i].name) ?: "(null)",
			    assign_cases[i].want);
	}
}

/* The messages come from the shared shvars lexer; these check that
 * make.defaults and gild.conf report them at file:line:col. */
static const struct {
	const char *text, *msg;
	int code;
	unsigned line, col;
} bad_assign_cases[] = {
    {"A=$(date)", "command substitution '$(' needs a shell", -GILD_E_INVALID, 1,
     3},
    {"\nA=\"open", "unterminated", -GILD_E_SYNTAX, 2, 3},
    {"A=b c", "command 'c' at top level needs a shell", -GILD_E_INVALID, 1, 5},
    {"inherit foo", "'inherit' is only allowed in recipes", -GILD_E_INVALID, 1,
     9},
    {"f() { :; }", "function 'f' is only allowed in recipes", -GILD_E_INVALID,
     1, 1},
    {"A=( a b )", "'A' cannot be an array here", -GILD_E_INVALID, 1, 4},
};

TEST(vars_parse_rejects_what_needs_a_shell_at_its_column)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(bad_assign_cases); i++) {
		struct gild_err err = GILD_ERR_INIT;
		_cleanup_(varlist_release) struct varlist vl = {0};
		int r =
		    vars_parse(bad_assign_cases[i].text, "f", NULL, &vl, &err);
		tap_note("case %zu: %u:%u: %s", i, err.line, err.col, err.msg);
		CHECK_INTEQ(r, bad_assign_cases[i].code);
		CHECK(gild_startswith(err.msg, bad_assign_cases[i].msg));
		CHECK_STREQ(err.file, "f");
		CHECK_INTEQ(err.line, bad_assign_cases[i].line);
		CHECK_INTEQ(err.col, bad_assign_cases[i].col);
	}
}

static const struct {
	const char *acc, *add, *want;
} incr_cases[] = {
    {"", "a b", "a b"},	     {"a b", "-a c", "b -a c"},
    {"a b", "-* c", "-* c"}, {"-* c", "d -c", "-* d -c"},
    {"a", "a", "a"},
};

TEST(incr_stack_handles_minus_and_minus_star)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(incr_cases); i++) {
		_cleanup_free_ char *acc = xstrdup(incr_cases[i].acc);
		incr_stack(&acc, incr_cases[i].add);
		CHECK_STREQ(acc, incr_cases[i].want);
	}
}

/* ---- user configuration
 * ------------------------------------------------------ */

TEST(config_layers_profile_user_and_environment)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(config_freep) struct config *c = NULL;
	char *env[] = {"USE=-ipv6 env", "PYTHON_TARGETS=python3_14", "HOME=/x",
		       NULL};
	_cleanup_free_ char *distdir = NULL, *pkgdir = NULL;

	if (!CHECK_INTEQ(config_load(fixture(), NULL, NULL, env, &c, &err),
			 0)) {
		tap_note("%s:%u: %s", err.file, err.line, err.msg);
		return;
	}
	CHECK_STREQ(c->profile->name, "default/linux/amd64");
	CHECK_STREQ(config_get(c, "USE"), "ssl -debug -zlib user -ipv6 env");
	CHECK_STREQ(config_get(c, "PYTHON_TARGETS"),
		    "python3_12 -python3_11 python3_13 python3_14");
	CHECK_STREQ(config_get(c, "MAKEOPTS"), "-j8");
	CHECK_STREQ(config_get(c, "HOME"), "");
	distdir = config_distdir(c);
	pkgdir = config_pkgdir(c);
	CHECK(gild_endswith(distdir, "profiles-basic/var/distfiles"));
	CHECK(gild_endswith(pkgdir, "/srv/packages"));
	CHECK_INTEQ(c->pkg_mask.n, 1);
	CHECK_STREQ(c->pkg_mask.v[0].file, "etc/package.mask");
}

TEST(config_profile_argument_wins_over_gild_conf)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(config_freep) struct config *c = NULL;

	if (!CHECK_INTEQ(
		config_load(fixture(), NULL, "targets/desktop", NULL, &c, &err),
		0))
		return;
	CHECK_STREQ(c->profile->name, "targets/desktop");
}

/* Every profile the shipped tree lists in profiles.desc loads. */
TEST(profile_every_shipped_profile_loads)
{
	const char *top = getenv("GILD_TOP") ?: ".";
	_cleanup_free_ char *desc =
	    gild_path_join(top, "profiles/profiles.desc");
	_cleanup_(plines_release) struct plines pl = {0};
	_cleanup_strv_ struct gild_strv files = GILD_STRV_INIT;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(plines_read(desc, "profiles.desc", &files, &pl, &err), 0);
	CHECK(pl.n > 0);
	for (size_t i = 0; i < pl.n; i++) {
		_cleanup_(profile_freep) struct profile *p = NULL;
		if (pl.v[i].nw < 2)
			continue;
		if (!CHECK_INTEQ(profile_load(top, pl.v[i].w[1], &p, &err), 0))
			tap_note("%s: %s:%u:%u: %s", pl.v[i].w[1], err.file,
				 err.line, err.col, err.msg);
	}
}

TEST(profile_parent_in_an_unknown_repository_is_an_error)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p = load("badrepo", &err);

	CHECK(p == NULL);
	CHECK_INTEQ(err.code, -GILD_E_NOTFOUND);
	CHECK_STREQ(err.file, "profiles/badrepo/parent");
	CHECK_STREQ(err.msg,
		    "unknown repository 'other' in parent 'other:base'");
}

TEST(profile_default_is_default_linux_amd64_when_present)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_free_ char *name = NULL;

	CHECK_INTEQ(profile_default(fixture(), &name, &err), 0);
	CHECK_STREQ(name, "default/linux/amd64");
	CHECK_INTEQ(profile_default("/nonexistent", &name, &err),
		    -GILD_E_NOTFOUND);
}

TEST(profile_flag_lines_keep_every_line_with_its_level)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(profile_freep) struct profile *p =
	    load("default/linux/amd64", &err);
	const struct plines *pl;

	if (!CHECK(p != NULL))
		return;
	pl = &p->flag_lines[PL_USE_MASK];
	CHECK_INTEQ(pl->n, 4); /* debug legacy (base), -legacy debug (amd64) */
	CHECK_INTEQ(pl->v[0].level, 1);
	CHECK_STREQ(pl->v[2].w[0], "-legacy");
	CHECK_INTEQ(pl->v[2].level, 3);
}
