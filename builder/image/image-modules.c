/* image-modules.c: the kernel modules' index, made where the image is
 * assembled. A kernel package ships its modules under /lib/modules/VER
 * (with modules.order and modules.builtin); which of them the image keeps
 * is the image's business (INSTALL_MASK), so depmod runs on the image's
 * root, as catalyst and mkosi run it on theirs: modules.dep, the aliases
 * and symbol indexes that modprobe reads. depmod follows modules.order,
 * so the same modules give the same bytes. */
#include "image-impl.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#define MODULES_DIR "/lib/modules"

/* Whether the directory dir (recursively) holds a module file (.ko, or
 * compressed .ko.xz, .ko.gz, .ko.zst). */
static bool has_module(const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	bool found = false;

	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		if (!found && strcmp(d, ".") && strcmp(d, "..")) {
			_cleanup_free_ char *p = gild_path_join(dir, d);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				found = has_module(p);
			else if (fnmatch("*.ko", d, 0) == 0 ||
				 fnmatch("*.ko.*", d, 0) == 0)
				found = S_ISREG(st.st_mode);
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* What depmod wrote into dir (its files are named modules.*; the kernel's
 * own modules.order, modules.builtin and modules.builtin.modinfo stay the
 * package's), registered as the step's. */
static void register_index(struct image *im, const char *ver)
{
	static const char *const kernels[] = {
	    "modules.order", "modules.builtin", "modules.builtin.modinfo"};
	_cleanup_free_ char *rel = xasprintf(MODULES_DIR "/%s", ver);
	_cleanup_free_ char *dir = image_host_path(im, rel);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		bool own = gild_startswith(d, "modules.");
		for (size_t k = 0; own && k < GILD_ARRAY_SIZE(kernels); k++)
			own = strcmp(d, kernels[k]) != 0;
		if (own) {
			_cleanup_free_ char *p = xasprintf("%s/%s", rel, d);
			image_step_file(im, p, "depmod");
		}
		free(names[i]);
	}
	free(names);
}

static int depmod(struct image *im, const char *ver, struct gild_err *err)
{
	_cleanup_free_ char *log = gild_path_join(im->workdir, "depmod.log");
	/* -C: the image's configuration, not the host's /etc/depmod.d
	 * (-b roots only the modules) */
	_cleanup_free_ char *conf = image_host_path(im, "/etc/depmod.d");
	const char *argv[] = {"depmod", "-b", im->root, "-C", conf, ver, NULL};
	int r;

	if ((r = image_run_tool(argv, NULL, "kmod", log, err)) < 0)
		return r;
	register_index(im, ver);
	gild_strv_push(&im->hardening,
		       xasprintf("kernel modules: the index of %s made by "
				 "depmod (modprobe loads by it)",
				 ver));
	return 0;
}

int image_kernel_modules(struct image *im, struct gild_err *err)
{
	_cleanup_free_ char *top = image_host_path(im, MODULES_DIR);
	struct dirent **names = NULL;
	int n = scandir(top, &names, NULL, alphasort), r = 0;

	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		_cleanup_free_ char *p = gild_path_join(top, d);
		struct stat st;
		if (r == 0 && d[0] != '.' && lstat(p, &st) == 0 &&
		    S_ISDIR(st.st_mode) && has_module(p))
			r = depmod(im, d, err);
		free(names[i]);
	}
	free(names);
	return r;
}
