/* fetch-settings.c: DISTDIR, mirrors and timeouts from the configuration
 * (see fetch.h). */
#include <limits.h>

#include "config/config.h"
#include "fetch/fetch.h"

void fetch_settings_release(struct fetch_settings *fs)
{
	free(fs->distdir);
	free(fs->mirrors);
	*fs = (struct fetch_settings){0};
}

static bool user_config_exists(const char *config_dir)
{
	_cleanup_free_ char *conf = gild_path_join(config_dir, "gild.conf");

	return access(conf, F_OK) == 0;
}

static int settings_from_env(const char *tree, struct fetch_settings *fs,
			     struct gild_err *err)
{
	static const char *const names[] = {"GILD_FETCH_TIMEOUT",
					    "GILD_FETCH_CONNECT_TIMEOUT"};
	const char *d = getenv("DISTDIR"), *m = getenv("GILD_MIRRORS");
	struct config env = {0};
	uint64_t timeout = 0, connect_timeout = 0;
	int r;

	fs->distdir =
	    d && *d ? xstrdup(d) : gild_path_join(tree, "var/distfiles");
	fs->mirrors = xstrdup(m ? m : "");
	/* the timeouts through the same parser as with a configuration */
	for (size_t i = 0; i < GILD_ARRAY_SIZE(names); i++)
		if (getenv(names[i]))
			varlist_set(&env.eff, names[i], getenv(names[i]),
				    "environment", 0);
	r = fetch_timeouts_from_config(&env, &timeout, &connect_timeout, err);
	varlist_release(&env.eff);
	fs->timeout = (long)timeout;
	fs->connect_timeout = (long)connect_timeout;
	return r;
}

int fetch_timeouts_from_config(const struct config *c, uint64_t *timeout,
			       uint64_t *connect_timeout, struct gild_err *err)
{
	int r;

	/* 0: fetch.c's defaults */
	if ((r = config_get_number(c, "GILD_FETCH_TIMEOUT", false, 0, timeout,
				   err)) < 0 ||
	    (r = config_get_number(c, "GILD_FETCH_CONNECT_TIMEOUT", false, 0,
				   connect_timeout, err)) < 0)
		return r;
	if (*timeout > LONG_MAX || *connect_timeout > LONG_MAX)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "a fetch timeout is too large");
	return 0;
}

int fetch_settings_load(struct gild_ctx *ctx, struct fetch_settings *fs,
			struct config **cfg_out, struct gild_err *err)
{
	_cleanup_free_ char *config_dir = gild_ctx_config_dir(ctx);
	struct config *c = NULL;
	int r = config_for_ctx(ctx, &c, err);
	uint64_t timeout, connect_timeout;

	if (cfg_out)
		*cfg_out = NULL;
	if (r < 0) {
		if (ctx->profile || user_config_exists(config_dir))
			return r;
		/* a bare tree (tests, a single package): no profile needed
		 * just to fetch */
		gild_err_clear(err);
		return settings_from_env(ctx->tree, fs, err);
	}
	if ((r = fetch_timeouts_from_config(c, &timeout, &connect_timeout,
					    err)) < 0)
		return r;
	fs->distdir = config_distdir(c);
	fs->mirrors = xstrdup(config_get(c, "GILD_MIRRORS"));
	fs->timeout = (long)timeout;
	fs->connect_timeout = (long)connect_timeout;
	if (cfg_out)
		*cfg_out = c;
	return 0;
}
