/* fetch-settings.c: DISTDIR, mirrors and timeouts from the configuration
 * (see fetch.h). */
#include "config.h"
#include "fetch.h"

extern char **environ;

void fetch_settings_release(struct fetch_settings *fs)
{
	free(fs->distdir);
	free(fs->mirrors);
	*fs = (struct fetch_settings){0};
}

static long seconds_var(const struct config *c, const char *name)
{
	const char *v = config_get(c, name);
	char *end;
	long n = strtol(v, &end, 10);

	return (*v && !*end && n > 0) ? n : 0;
}

static bool user_config_exists(const char *config_dir)
{
	_cleanup_free_ char *conf = gild_path_join(config_dir, "gild.conf");

	return access(conf, F_OK) == 0;
}

static void settings_from_env(const char *tree, struct fetch_settings *fs)
{
	const char *d = getenv("DISTDIR"), *m = getenv("GILD_MIRRORS");

	fs->distdir = d && *d ? xstrdup(d) : gild_path_join(tree, "var/distfiles");
	fs->mirrors = xstrdup(m ? m : "");
}

int fetch_settings_load(const char *tree, const char *config_dir,
			const char *profile, struct fetch_settings *fs,
			struct config **cfg_out, struct gild_err *err)
{
	_cleanup_(config_freep) struct config *c = NULL;
	int r = config_load(tree, config_dir, profile, environ, &c, err);

	if (cfg_out)
		*cfg_out = NULL;
	if (r < 0) {
		if (profile || user_config_exists(config_dir))
			return r;
		/* a bare tree (tests, a single package): no profile needed
		 * just to fetch */
		gild_err_clear(err);
		settings_from_env(tree, fs);
		return 0;
	}
	fs->distdir = config_distdir(c);
	fs->mirrors = xstrdup(config_get(c, "GILD_MIRRORS"));
	fs->timeout = seconds_var(c, "GILD_FETCH_TIMEOUT");
	fs->connect_timeout = seconds_var(c, "GILD_FETCH_CONNECT_TIMEOUT");
	if (cfg_out)
		*cfg_out = TAKE_PTR(c);
	return 0;
}
