/* fuzz-profile.c: libFuzzer target for the profile stack (PMS 5.2,
 * portage(5)) and the configuration built on it: an input is split
 * (fuzz-files.h) into the files of a scratch tree, "--- profiles/NAME"
 * and "--- etc/NAME" (text before the first header is
 * profiles/t/child/make.defaults); then the profile t/child is loaded,
 * and with the user configuration in etc/, the USE, masks and visibility
 * of one version evaluated.
 *
 *   make fuzz && .build-fuzz/tests/fuzz/fuzz-profile tests/fuzz/corpus/profile
 *
 * tests/builder/test-config-corpus.c replays the corpus in make check. */
#include <stdint.h>

#include "config/config.h"
#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool fz_profile_first(const char *first, size_t n)
{
	return (n == 8 && memcmp(first, "profiles", 8) == 0) ||
	       (n == 3 && memcmp(first, "etc", 3) == 0);
}

/* Evaluate one version under the configuration, as query and the
 * resolver do. */
static void fz_evaluate(struct config *c)
{
	static const struct use_iuse iuse[] = {
	    {"ssl", 1}, {"nls", -1}, {"test", 0}, {"python_targets_py3", 0}};
	static const char *const kw[] = {"~amd64", "arm64"};
	const struct use_pkg p = {"app-misc", "foo",
				  "1.2-r1",   "0",
				  "1",	      iuse,
				  4,	      (const char *const *)kw,
				  2,	      "MIT || ( GPL-2 ZLIB )"};
	_cleanup_(use_env_freep) struct use_env *env = NULL;
	_cleanup_strv_ struct gild_strv why = GILD_STRV_INIT;
	struct gild_err err = GILD_ERR_INIT;
	struct use_state st = {0};
	uint64_t n;

	(void)config_get_number(c, "GILD_JOBS", false, 1, &n, &err);
	(void)config_get_number(c, "GILD_BUILD_MEM", true, 0, &n, &err);
	free(config_distdir(c));
	free(config_pkgdir(c));
	if (use_env_new(c, &env, &err) < 0)
		return;
	use_eval(env, &p, &st);
	(void)use_visible(env, &p, &st, &why);
	(void)use_provided(env, "sys-libs", "zlib", "1.3", NULL);
	for (size_t i = 0; i < st.enabled.n; i++) {
		bool hidden;
		(void)use_flag_group(env, st.enabled.v[i], &hidden);
		free(use_flag_origin(
		    env, &p, use_flag_name(env, st.enabled.v[i]), true));
	}
	(void)use_system_set(env);
	use_state_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dir = fz_scratch_new();
	static char *const env[] = {"USE=-nls test", "ACCEPT_KEYWORDS=~amd64",
				    NULL};
	struct gild_err err = GILD_ERR_INIT;

	if (!dir || size > 65536) {
		fz_scratch_remove(dir);
		return 0;
	}
	fz_split((const char *)data, size, dir,
		 "profiles/t/child/make.defaults", fz_profile_first);
	_cleanup_free_ char *child = xasprintf("%s/profiles/t/child", dir);
	_cleanup_free_ char *etc = xasprintf("%s/etc", dir);
	(void)gild_mkdir_p(child, 0755, NULL);
	{
		_cleanup_(profile_freep) struct profile *p = NULL;
		if (profile_load(dir, "t/child", &p, &err) == 0)
			(void)profile_var(p, "USE");
	}
	{
		_cleanup_(config_freep) struct config *c = NULL;
		if (config_load(dir, etc, "t/child", env, &c, &err) == 0)
			fz_evaluate(c);
	}
	fz_scratch_remove(dir);
	return 0;
}
