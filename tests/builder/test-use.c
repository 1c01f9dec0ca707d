/* test-use.c: effective USE, force/mask precedence and visibility against
 * tests/fixtures/profiles-basic (profile default/linux/amd64). */
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

struct world {
	struct config *cfg;
	struct use_env *env;
};

static bool setup(struct world *w, char **env)
{
	struct gild_err err = GILD_ERR_INIT;

	*w = (struct world){0};
	if (config_load(fixture(), NULL, NULL, env, &w->cfg, &err) < 0 ||
	    use_env_new(w->cfg, &w->env, &err) < 0) {
		tap_note("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
		return false;
	}
	return true;
}

static void teardown(struct world *w)
{
	use_env_free(w->env);
	config_free(w->cfg);
}

/* Split "a b c" into a NULL-terminated static array (test helper). */
static size_t split(char *s, const char **out, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(s, " ", &save); t && n < max;
	     t = strtok_r(NULL, " ", &save))
		out[n++] = t;
	return n;
}

/* "flag flag ..." for a set */
static char *names(struct use_env *env, const struct idset *s)
{
	struct gild_buf b = GILD_BUF_INIT;
	struct gild_strv v = GILD_STRV_INIT;

	for (size_t i = 0; i < s->n; i++)
		gild_strv_add(&v, use_flag_name(env, s->v[i]));
	gild_strv_sort(&v);
	for (size_t i = 0; i < v.n; i++)
		gild_buf_printf(&b, "%s%s", i ? " " : "", v.v[i]);
	gild_strv_release(&v);
	return gild_buf_steal(&b);
}

struct eval {
	char iuse[512], kw[128];
	const char *iusev[64], *kwv[16];
	struct use_iuse iu[64];
	struct use_pkg pkg;
	struct use_state st;
};

static void eval(struct world *w, struct eval *e, const char *cpv_pn,
		 const char *pvr, const char *iuse, const char *keywords,
		 const char *license)
{
	char cat[64];
	const char *slash = strchr(cpv_pn, '/');

	snprintf(cat, sizeof(cat), "%.*s", (int)(slash - cpv_pn), cpv_pn);
	snprintf(e->iuse, sizeof(e->iuse), "%s", iuse);
	snprintf(e->kw, sizeof(e->kw), "%s", keywords);
	e->pkg = (struct use_pkg){.category = xstrdup(cat),
				  .pn = slash + 1,
				  .pvr = pvr,
				  .slot = "0",
				  .iuse = e->iu,
				  .keywords = e->kwv,
				  .license = license};
	e->pkg.n_iuse = split(e->iuse, e->iusev, 64);
	for (size_t i = 0; i < e->pkg.n_iuse; i++) {
		const char *f = e->iusev[i];
		int def = f[0] == '+' ? 1 : f[0] == '-' ? -1 : 0;
		e->iu[i] = (struct use_iuse){f + (def != 0), def};
	}
	e->pkg.n_keywords = split(e->kw, e->kwv, 16);
	use_eval(w->env, &e->pkg, &e->st);
}

static void eval_done(struct eval *e)
{
	free((char *)e->pkg.category);
	use_state_release(&e->st);
}

#define CHECK_SET(w, set, want)                                                \
	do {                                                                   \
		char *got_ = names((w)->env, (set));                           \
		CHECK_STREQ(got_, want);                                       \
		free(got_);                                                    \
	} while (0)

TEST(use_layers_iuse_defaults_profile_user_and_use_expand)
{
	struct world w;
	struct eval e = {0};

	if (!CHECK(setup(&w, NULL)))
		return;
	eval(&w, &e, "app-misc/baz", "1",
	     "+zlib ssl debug test ipv6 doc +python_targets_python3_11 "
	     "python_targets_python3_12 python_targets_python3_13",
	     "", "MIT");
	/* -zlib (profile) beats +zlib; PYTHON_TARGETS replaces the group's
	 * IUSE defaults; ARCH is an implicit flag; user's "user" is not in
	 * IUSE; test is forced, debug masked. */
	CHECK_SET(&w, &e.st.enabled,
		  "amd64 ipv6 python_targets_python3_12 "
		  "python_targets_python3_13 ssl test");
	CHECK_SET(&w, &e.st.forced, "test");
	CHECK_SET(&w, &e.st.masked, "debug");
	CHECK(!e.st.stable);
	eval_done(&e);
	teardown(&w);
}

TEST(use_package_use_profile_then_user_and_mask_beats_force)
{
	struct world w;
	struct eval e = {0};

	if (!CHECK(setup(&w, NULL)))
		return;
	eval(&w, &e, "app-misc/bar", "1",
	     "gtk qt zlib debug python_targets_python3_11 "
	     "python_targets_python3_13",
	     "amd64", "MIT");
	/* profile package.use: gtk, then "-gtk qt" (sorted directory);
	 * package.use.force: zlib; user package.use turns debug on but
	 * use.mask wins; "PYTHON_TARGETS: python3_11 -python3_13" */
	CHECK_SET(&w, &e.st.enabled, "amd64 python_targets_python3_11 qt zlib");
	CHECK_SET(&w, &e.st.forced, "zlib");
	CHECK_SET(&w, &e.st.masked, "debug");
	eval_done(&e);
	teardown(&w);
}

TEST(use_environment_overrides_last)
{
	struct world w;
	struct eval e = {0};
	char *env[] = {"USE=-qt doc", NULL};

	if (!CHECK(setup(&w, env)))
		return;
	eval(&w, &e, "app-misc/bar", "1", "gtk qt doc", "amd64", "MIT");
	CHECK_SET(&w, &e.st.enabled, "amd64 doc");
	eval_done(&e);
	teardown(&w);
}

TEST(use_minus_star_clears_all_but_set_use_expand_groups_and_arch)
{
	struct world w;
	struct eval e = {0}, f = {0};
	char *env[] = {"USE=-* qt", NULL};

	if (!CHECK(setup(&w, env)))
		return;
	/* PYTHON_TARGETS is set, so its flags survive USE="-*"; ARCH is
	 * always on; forced zlib stays forced */
	eval(&w, &e, "app-misc/bar", "1",
	     "gtk qt +zlib +doc debug python_targets_python3_11 "
	     "python_targets_python3_13 +video_cards_vesa",
	     "amd64", "MIT");
	CHECK_SET(&w, &e.st.enabled, "amd64 python_targets_python3_11 qt zlib");
	/* the precomputed path (no package.use lines) gives the same */
	eval(&w, &f, "app-misc/baz", "1",
	     "+ssl qt python_targets_python3_12 +video_cards_vesa", "amd64",
	     "MIT");
	CHECK_SET(&w, &f.st.enabled, "amd64 python_targets_python3_12 qt");
	eval_done(&e);
	eval_done(&f);
	teardown(&w);
}

TEST(use_package_use_mask_and_stable_mask)
{
	struct world w;
	struct eval e = {0}, s = {0}, t = {0};

	if (!CHECK(setup(&w, NULL)))
		return;
	eval(&w, &e, "sys-libs/foo", "1", "ssl", "~amd64", "MIT");
	CHECK_SET(&w, &e.st.enabled, "amd64");
	CHECK_SET(&w, &e.st.masked, "ssl");
	/* use.stable.mask applies only to stable-keyworded versions */
	eval(&w, &s, "app-misc/baz", "1", "ipv6", "amd64", "MIT");
	CHECK(s.st.stable);
	CHECK_SET(&w, &s.st.masked, "ipv6");
	eval(&w, &t, "app-misc/baz", "1", "ipv6", "~amd64", "MIT");
	CHECK_SET(&w, &t.st.enabled, "amd64 ipv6");
	eval_done(&e);
	eval_done(&s);
	eval_done(&t);
	teardown(&w);
}

/* Portage applies use.mask and package.use.mask node by node: a child's
 * use.mask re-masks what a parent's package.use.mask unmasked, and a
 * child's package.use.mask unmasks what a parent's use.mask masked. */
TEST(use_mask_levels_interleave_global_and_package_lines)
{
	struct world w;
	struct eval a = {0}, b = {0}, c = {0};

	if (!CHECK(setup(&w, NULL)))
		return;
	eval(&w, &a, "app-misc/inter", "1", "debug legacy", "amd64", "MIT");
	CHECK_SET(&w, &a.st.masked, "debug");
	eval(&w, &b, "app-misc/inter2", "1", "debug legacy", "amd64", "MIT");
	CHECK_SET(&w, &b.st.masked, "");
	eval(&w, &c, "app-misc/other", "1", "debug legacy", "amd64", "MIT");
	CHECK_SET(&w, &c.st.masked, "debug");
	eval_done(&a);
	eval_done(&b);
	eval_done(&c);
	teardown(&w);
}

/* ---- visibility ---------------------------------------------------------- */

static const struct {
	const char *pn, *pvr, *keywords, *license, *iuse, *why;
} vis_cases[] = {
    {"app-misc/ok", "1", "amd64", "MIT", "", ""},
    {"app-misc/old", "1", "amd64", "MIT", "",
     "masked by profiles/package.mask:3"},
    {"app-misc/old", "2", "amd64", "MIT", "", ""},
    {"app-misc/bar", "3", "amd64", "MIT", "",
     "masked by profiles/base/package.mask:2"},
    {"app-misc/bar", "2", "amd64", "MIT", "", "masked by etc/package.mask:1"},
    {"app-misc/bar", "4", "amd64", "MIT", "", ""},  /* etc/package.unmask */
    {"app-misc/gone", "1", "amd64", "MIT", "", ""}, /* -app-misc/gone */
    {"app-misc/ok", "1", "~amd64 x86", "MIT", "",
     "keyword '~amd64' not accepted"},
    {"app-misc/ok", "1", "-* arm64", "MIT", "", "keyword '-*' not accepted"},
    {"app-misc/ok", "1", "-amd64 x86", "MIT", "",
     "keyword '-amd64' not accepted"},
    {"app-misc/ok", "1", "", "MIT", "", "no keyword for 'amd64'"},
    {"app-misc/ok", "1", "*", "MIT", "", ""},
    {"app-misc/testing", "1", "~amd64", "MIT", "", ""},
    {"app-misc/live", "9999", "", "MIT", "", ""},
    {"app-misc/ok", "1", "amd64", "EULA", "", "license 'EULA' not accepted"},
    {"app-misc/ok", "1", "amd64", "|| ( EULA MIT )", "", ""},
    {"app-misc/ok", "1", "amd64", "|| ( EULA Other )", "",
     "license 'EULA' not accepted|license 'Other' not accepted"},
    {"app-misc/ok", "1", "amd64", "MIT bindist? ( EULA )", "bindist", ""},
    {"app-misc/ok", "1", "amd64", "MIT !bindist? ( EULA )", "bindist",
     "license 'EULA' not accepted"},
    {"app-misc/ok", "1", "amd64", "|| ( ( EULA GPL-2 ) BSD )", "", ""},
    {"app-misc/eula", "1", "amd64", "EULA", "", ""},
    {"app-misc/bin", "1", "amd64", "EULA", "", ""},
    {"app-misc/old", "1", "~amd64", "EULA", "",
     "masked by profiles/package.mask:3|keyword '~amd64' not accepted|"
     "license 'EULA' not accepted"},
};

TEST(use_visible_names_every_reason)
{
	struct world w;

	if (!CHECK(setup(&w, NULL)))
		return;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(vis_cases); i++) {
		struct eval e = {0};
		_cleanup_strv_ struct gild_strv why = GILD_STRV_INIT;
		struct gild_buf b = GILD_BUF_INIT;
		bool vis;

		eval(&w, &e, vis_cases[i].pn, vis_cases[i].pvr,
		     vis_cases[i].iuse, vis_cases[i].keywords,
		     vis_cases[i].license);
		vis = use_visible(w.env, &e.pkg, &e.st, &why);
		for (size_t k = 0; k < why.n; k++)
			gild_buf_printf(&b, "%s%s", k ? "|" : "", why.v[k]);
		if (!CHECK_STREQ(gild_buf_str(&b), vis_cases[i].why))
			tap_note("case %zu", i);
		CHECK(vis == !*vis_cases[i].why);
		gild_buf_release(&b);
		eval_done(&e);
	}
	teardown(&w);
}

TEST(use_provided_and_system_set_come_from_the_profile)
{
	struct world w;
	const struct pline *l = NULL;

	if (!CHECK(setup(&w, NULL)))
		return;
	CHECK(use_provided(w.env, "sys-libs", "glibc", "2.38", &l));
	CHECK(l && l->line == 1);
	CHECK(!use_provided(w.env, "sys-libs", "glibc", "2.39", NULL));
	CHECK_INTEQ(use_system_set(w.env)->n, 2);
	teardown(&w);
}

TEST(use_env_bad_atom_is_located_at_file_line_col)
{
	struct gild_err err = GILD_ERR_INIT;
	struct config *cfg = NULL;
	struct use_env *env = NULL;
	char dir[] = "/tmp/gild-test-use-XXXXXX";
	char path[512];
	FILE *f;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(path, sizeof(path), "%s/package.use", dir);
	f = fopen(path, "w");
	fputs("app-misc/bar gtk\n  >=app-misc/baz-x ssl\n", f);
	fclose(f);
	CHECK_INTEQ(config_load(fixture(), dir, NULL, NULL, &cfg, &err), 0);
	CHECK(use_env_new(cfg, &env, &err) < 0);
	CHECK_INTEQ(err.code, -GILD_E_SYNTAX);
	CHECK(gild_endswith(err.file, "/package.use"));
	CHECK_INTEQ(err.line, 2);
	tap_note("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	CHECK(err.col >= 3);
	use_env_free(env);
	config_free(cfg);
	unlink(path);
	rmdir(dir);
}

/* A stack shaped like Gentoo's own profiles/ (tests/fixtures/
 * profiles-gentoo): EAPI 5 nodes, `..` and `gentoo:` parents, base reached
 * through default/linux, arch and release mix-ins, a portage-2 directory,
 * USE="${USE} x" in make.defaults. */
TEST(use_gentoo_shaped_stack_evaluates_like_portage)
{
	static const char *want_nodes[] = {
	    "profiles/base",
	    "profiles/default/linux",
	    "profiles/arch/base",
	    "profiles/arch/amd64",
	    "profiles/default/linux/amd64",
	    "profiles/releases/23.0",
	    "profiles/features/multilib",
	    "profiles/default/linux/amd64/23.0",
	    "profiles/targets/desktop",
	    "profiles/default/linux/amd64/23.0/desktop",
	};
	static const struct use_iuse iu[] = {
	    {"X", 0},
	    {"ipv6", 1},
	    {"minizip", 0},
	    {"abi_x86_32", 0},
	    {"abi_x86_64", 0},
	    {"cpu_flags_x86_sse2", 0},
	    {"cpu_flags_x86_avx2", 0},
	    {"video_cards_radeonsi", 0},
	};
	static const char *kw[] = {"amd64"};
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(config_freep) struct config *c = NULL;
	_cleanup_(use_env_freep) struct use_env *env = NULL;
	_cleanup_free_ char *dir = xasprintf(
	    "%s/tests/fixtures/profiles-gentoo", getenv("GILD_TOP") ?: ".");
	struct use_pkg p = {
	    "sys-libs",		 "zlib", "1.2.13", "0",	  NULL, iu,
	    GILD_ARRAY_SIZE(iu), kw,	 1,	   "ZLIB"};
	struct use_state st = {0};
	struct world w;

	if (!CHECK_INTEQ(config_load(dir, NULL,
				     "default/linux/amd64/23.0/desktop", NULL,
				     &c, &err),
			 0) ||
	    !CHECK_INTEQ(use_env_new(c, &env, &err), 0)) {
		tap_note("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
		return;
	}
	CHECK_INTEQ(c->profile->nodes.n, GILD_ARRAY_SIZE(want_nodes));
	for (size_t i = 0;
	     i < GILD_ARRAY_SIZE(want_nodes) && i < c->profile->nodes.n; i++)
		CHECK_STREQ(c->profile->nodes.v[i], want_nodes[i]);
	CHECK_STREQ(config_get(c, "USE"),
		    "cxx xattr crypt ncurses nls pam readline "
		    "ssl zlib libtirpc cet X a52 alsa -ipv6 dbus gtk");
	CHECK_STREQ(config_get(c, "USE_EXPAND_HIDDEN"),
		    "KERNEL ELIBC -ABI_X86 -CPU_FLAGS_X86");
	CHECK_STREQ(config_get(c, "ACCEPT_KEYWORDS"), "amd64");
	CHECK_STREQ(config_get(c, "CXXFLAGS"), "-O2 -pipe");
	CHECK_STREQ(config_get(c, "BOOTSTRAP_USE"),
		    "cxx unicode internal-glib split-usr "
		    "python_targets_python3_12 cet");
	use_eval(env, &p, &st);
	w.env = env;
	/* -ipv6 (desktop) beats +ipv6; sse2 unmasked by arch/amd64 but avx2
	 * not; abi_x86_32 forced and masked: masked wins; ARCH, ELIBC, KERNEL
	 * and IUSE_IMPLICIT flags are implicit */
	CHECK_SET(
	    &w, &st.enabled,
	    "X abi_x86_64 amd64 cpu_flags_x86_sse2 elibc_glibc kernel_linux "
	    "minizip prefix-guest video_cards_radeonsi");
	CHECK_SET(&w, &st.forced, "abi_x86_32 abi_x86_64");
	CHECK_SET(&w, &st.masked, "abi_x86_32 cpu_flags_x86_avx2");
	CHECK_INTEQ(use_system_set(env)->n, 3);
	use_state_release(&st);
}
