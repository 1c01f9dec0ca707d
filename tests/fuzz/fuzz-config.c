/* fuzz-config.c: libFuzzer target for the user configuration: gild.conf
 * (make.conf assignments through the shvars lexer: quoting, ${VAR},
 * NAME+=, incremental variables, USE_EXPAND) and the user's package.*
 * files. An input is split (fuzz-files.h) into a scratch configuration
 * directory: text before the first header is gild.conf, "--- NAME" starts
 * the file NAME (package.use, package.mask, package.unmask,
 * package.accept_keywords, package.license, or a file in a directory of
 * that name). It is loaded over tests/fixtures/profiles-basic (its
 * default profile, or the PROFILE gild.conf names), and the effective
 * settings and one version's USE and visibility evaluated.
 *
 *   make fuzz && .build-fuzz/tests/fuzz/fuzz-config tests/fuzz/corpus/config
 *
 * tests/builder/test-config-corpus.c replays the corpus in make check. */
#include <stdint.h>

#include "config/config.h"
#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool fz_config_first(const char *first, size_t n)
{
	static const char *const ok[] = {"gild.conf",
					 "package.use",
					 "package.mask",
					 "package.unmask",
					 "package.accept_keywords",
					 "package.license"};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(ok); i++)
		if (strlen(ok[i]) == n && memcmp(first, ok[i], n) == 0)
			return true;
	return false;
}

static void fz_config_evaluate(struct config *c)
{
	static const struct use_iuse iuse[] = {
	    {"ssl", 1}, {"user", 0}, {"test", -1}, {"python_targets_py3", 0}};
	static const char *const kw[] = {"~amd64"};
	const struct use_pkg p = {"app-misc", "bar", "3", "0", NULL,
				  iuse,	      4,     kw,  1,   "GPL-2"};
	_cleanup_(use_env_freep) struct use_env *env = NULL;
	_cleanup_strv_ struct gild_strv why = GILD_STRV_INIT;
	struct gild_err err = GILD_ERR_INIT;
	struct use_state st = {0};
	uint64_t n;

	for (size_t i = 0; config_env_vars[i]; i++)
		(void)config_get(c, config_env_vars[i]);
	(void)config_get_number(c, "GILD_FETCH_TIMEOUT", false, 0, &n, &err);
	(void)config_get_number(c, "GILD_BUILD_MEM", true, 0, &n, &err);
	free(config_distdir(c));
	free(config_pkgdir(c));
	if (use_env_new(c, &env, &err) < 0)
		return;
	use_eval(env, &p, &st);
	(void)use_visible(env, &p, &st, &why);
	(void)use_state_enabled(env, &st, "user");
	use_state_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const env[] = {"USE=-user", NULL};
	const char *top = getenv("GILD_TOP");
	_cleanup_free_ char *tree =
	    xasprintf("%s/tests/fixtures/profiles-basic", top ? top : ".");
	_cleanup_(config_freep) struct config *c = NULL;
	struct gild_err err = GILD_ERR_INIT;
	char *dir;

	if (size > 65536 || !(dir = fz_scratch_new()))
		return 0;
	fz_split((const char *)data, size, dir, "gild.conf", fz_config_first);
	if (config_load(tree, dir, NULL, env, &c, &err) == 0)
		fz_config_evaluate(c);
	fz_scratch_remove(dir);
	return 0;
}
