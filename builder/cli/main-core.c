/* main-core.c: finding and loading gild-core.so, the library that holds
 * every command but sandbox, help and version (see main.c for why). */
#include "cli/cli.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>

#ifndef GILD_PKGLIBDIR
#define GILD_PKGLIBDIR "/usr/local/lib/gild"
#endif
#define CORE_NAME "gild-core.so"

/* Beside the running binary: a build tree, or an install that keeps both
 * files in one directory.  Returns false when there is no such file. */
static bool core_beside_exe(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	if ((size_t)snprintf(path, size, "%s/%s", dirname(exe), CORE_NAME) >=
	    size)
		return false;
	return access(path, F_OK) == 0;
}

static void core_path(char *path, size_t size)
{
	const char *env = getenv("GILD_CORE");

	if (env && *env)
		snprintf(path, size, "%s", env);
	else if (!core_beside_exe(path, size))
		snprintf(path, size, "%s/%s", GILD_PKGLIBDIR, CORE_NAME);
}

/* The core's stamp when it is this build's, else NULL with err filled. */
static const struct gild_core_abi *check_core_abi(void *core, const char *path,
						  struct gild_err *err)
{
	const struct gild_core_abi *abi = dlsym(core, "gild_core_abi");

	if (!abi) {
		gild_fail(err, -GILD_E_INVALID, NULL,
			  "'%s' is not gild's core library (no "
			  "'gild_core_abi')",
			  path);
		return NULL;
	}
	if (strcmp(abi->version, GILD_VERSION) != 0 ||
	    abi->ctx_size != sizeof(struct gild_ctx)) {
		gild_fail(err, -GILD_E_INVALID, NULL,
			  "'%s' belongs to gild %s, not to this gild %s "
			  "(install both from one build)",
			  path, abi->version, GILD_VERSION);
		return NULL;
	}
	return abi;
}

static void *load_core(const struct gild_core_abi **abi, struct gild_err *err)
{
	static void *core;
	static const struct gild_core_abi *stamp;
	char path[PATH_MAX];
	void *h;

	*abi = stamp;
	if (core)
		return core;
	core_path(path, sizeof(path));
	/* RTLD_LAZY: a command binds only the functions it calls. */
	h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		gild_fail(err, -GILD_E_INVALID, NULL,
			  "cannot load gild's core library: %s", dlerror());
		return NULL;
	}
	if (!(stamp = check_core_abi(h, path, err))) {
		dlclose(h);
		return NULL;
	}
	*abi = stamp;
	return core = h;
}

gild_cmd_fn *gild_core_cmd(const char *sym, struct gild_ctx *ctx)
{
	struct gild_err *err = &ctx->err;
	const struct gild_core_abi *abi = NULL;
	void *core = load_core(&abi, err);
	gild_cmd_fn *fn;

	if (!core)
		return NULL;
	ctx->open_setup = abi->open_setup;
	/* POSIX dlsym returns void *; a function pointer round-trips. */
	*(void **)&fn = dlsym(core, sym);
	if (!fn)
		gild_fail(err, -GILD_E_INVALID, NULL,
			  "gild's core library has no '%s': %s", sym,
			  dlerror());
	return fn;
}
