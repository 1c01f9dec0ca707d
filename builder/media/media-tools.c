/* media-tools.c: what gild-install needs beyond busybox, on an installer
 * ISO: the packages INSTALLER_PACKAGES names (sfdisk moves the backup GPT
 * to the end of the target disk, grows the root partition and gives new
 * GUIDs; e2fsck, resize2fs and tune2fs grow the ext4 and give it a new
 * UUID), built through the plan, merged into one directory without what
 * the role's image masks, and written as gild/tools.squashfs. init.sh
 * lays it over the image's root, read-only, as the tools' own root (the
 * image's libc is theirs): every library they need must come from them or
 * the image. */
#include "media-impl.h"
#include "repo/repo.h"

#include <dirent.h>
#include <sys/stat.h>

#define MEDIA_DEFAULT_INSTALLER "sys-apps/util-linux sys-fs/e2fsprogs"

/* What gild-install calls from the tools (gild-install.sh: tool). */
static const char *const needed_tools[] = {"sfdisk", "blkid", "e2fsck",
					   "resize2fs", "tune2fs"};

struct tools {
	struct media *m;
	struct gild_strv mask;	 /* INSTALL_MASK and IMAGE_INSTALL_MASK */
	struct gild_strv image;	 /* the image's paths (manifest.txt) */
	struct gild_strv needed; /* "path-of-elf\tlibrary" */
};

static void tools_release(struct tools *t)
{
	gild_strv_release(&t->mask);
	gild_strv_release(&t->image);
	gild_strv_release(&t->needed);
}

static bool keep_unmasked(void *ud, const char *path, enum gpkg_ftype type,
			  uint64_t size)
{
	const struct tools *t = ud;

	(void)type;
	(void)size;
	return image_install_mask_index(&t->mask, path) < 0;
}

/* The paths of the image's files, from its manifest.txt (the seventh
 * field of each line). */
static int read_image_paths(struct tools *t, struct gild_err *err)
{
	_cleanup_free_ char *path =
	    gild_path_join(t->m->img.outdir, "manifest.txt");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	if ((r = gild_read_file(path, &text, &len, err)) < 0)
		return r;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *f = l;
		if (*l == '#')
			continue;
		for (int i = 0; i < 5 && f; i++)
			f = strchr(f + 1, ' ');
		if (!f || f[1] != '/')
			continue;
		char *end = strchr(f + 1, ' ');
		gild_strv_push(&t->image,
			       end ? xstrndup(f + 1, (size_t)(end - f - 1))
				   : xstrdup(f + 1));
	}
	gild_strv_sort(&t->image);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_image(const struct tools *t, const char *path)
{
	return t->image.n &&
	       bsearch(&path, t->image.v, t->image.n, sizeof(char *), cmp_str);
}

/* Whether the library name is in the tools' root or the image's, in the
 * directories the dynamic loaders search. */
static bool library_found(const struct tools *t, const char *root,
			  const char *name)
{
	static const char *const dirs[] = {"/lib", "/usr/lib", "/lib64",
					   "/usr/lib64"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		_cleanup_free_ char *rel = xasprintf("%s/%s", dirs[i], name);
		_cleanup_free_ char *host = xasprintf("%s%s", root, rel);
		struct stat st;
		/* lstat: a link in the tools' root points into that root,
		 * not the host's (the libraries' soname links are relative
		 * and their targets are looked at too) */
		if (in_image(t, rel) || lstat(host, &st) == 0)
			return true;
	}
	return false;
}

/* Every ELF file below dir (rel: its path in the root) with each of its
 * DT_NEEDED libraries and its interpreter the tools' root or the image
 * does not have, as "path: library" into t->needed. */
static int scan_elf(struct tools *t, const char *root, const char *rel,
		    struct gild_err *err)
{
	_cleanup_free_ char *host = xasprintf("%s%s", root, rel);
	struct dirent **names = NULL;
	int n = scandir(host, &names, NULL, alphasort), r = 0;

	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		_cleanup_free_ char *p = xasprintf("%s/%s", rel, d);
		_cleanup_free_ char *hp = xasprintf("%s%s", root, p);
		struct gild_elf e = {0};
		struct stat st;

		if (r < 0 || !strcmp(d, ".") || !strcmp(d, "..") ||
		    lstat(hp, &st) != 0) {
		} else if (S_ISDIR(st.st_mode)) {
			r = scan_elf(t, root, p, err);
		} else if (S_ISREG(st.st_mode) &&
			   (r = gild_elf_read(hp, &e, err)) == 0 && e.is_elf) {
			const char *ld = e.interp && strrchr(e.interp, '/')
					     ? strrchr(e.interp, '/') + 1
					     : e.interp;
			if (e.interp && !in_image(t, e.interp) &&
			    !library_found(t, root, ld))
				gild_strv_push(
				    &t->needed,
				    xasprintf("%s: %s", p, e.interp));
			for (size_t k = 0; k < e.needed.n; k++)
				if (!library_found(t, root, e.needed.v[k]))
					gild_strv_push(
					    &t->needed,
					    xasprintf("%s: %s", p,
						      e.needed.v[k]));
		}
		gild_elf_release(&e);
		free(names[i]);
	}
	free(names);
	return r;
}

/* The tools gild-install calls are there, and what they load is. */
static int check_tools(struct tools *t, const char *root, struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < sizeof(needed_tools) / sizeof(needed_tools[0]);
	     i++) {
		_cleanup_free_ char *a =
		    xasprintf("%s/sbin/%s", root, needed_tools[i]);
		_cleanup_free_ char *b =
		    xasprintf("%s/usr/sbin/%s", root, needed_tools[i]);
		if (access(a, X_OK) != 0 && access(b, X_OK) != 0)
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "no package of INSTALLER_PACKAGES "
					 "(profile '%s') installs %s "
					 "(gild-install needs sfdisk and blkid "
					 "from sys-apps/util-linux and e2fsck, "
					 "resize2fs, tune2fs from "
					 "sys-fs/e2fsprogs)",
					 t->m->env->cfg->profile->name,
					 needed_tools[i]);
	}
	if ((r = read_image_paths(t, err)) < 0 ||
	    (r = scan_elf(t, root, "", err)) < 0)
		return r;
	if (t->needed.n)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "the installer's tools need what neither "
				 "INSTALLER_PACKAGES nor the image of role "
				 "'%s' has (%zu: first %s); add the package "
				 "that has it to INSTALLER_PACKAGES",
				 t->m->img.role, t->needed.n, t->needed.v[0]);
	return 0;
}

static int merge_tools(struct tools *t, const struct build_result *res,
		       const char *root, struct gild_err *err)
{
	int r;

	if ((r = gild_rm_rf(root, err)) < 0 ||
	    (r = gild_mkdir_p(root, 0755, err)) < 0)
		return r;
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].target && res->v[i].pkg_path &&
		    (r = gpkg_extract_scratch(res->v[i].pkg_path, root,
					      keep_unmasked, t, err)) < 0)
			return r;
	return 0;
}

static void mask_words(struct tools *t, const char *var)
{
	const char *v = config_get(t->m->env->cfg, var);

	if (v)
		gild_split_words(v, &t->mask);
}

int media_prepare_tools(struct media *m, char **root, struct gild_err *err)
{
	_cleanup_(build_result_freep) struct build_result *res = NULL;
	struct tools t = {.m = m};
	int r;

	mask_words(&t, "INSTALL_MASK");
	mask_words(&t, "IMAGE_INSTALL_MASK");
	free(*root);
	*root = gild_path_join(m->workdir, "tools");
	if ((r = media_build_packages(m, "INSTALLER_PACKAGES",
				      MEDIA_DEFAULT_INSTALLER, &res, err)) ==
		0 &&
	    (r = merge_tools(&t, res, *root, err)) == 0)
		r = check_tools(&t, *root, err);
	tools_release(&t);
	return r;
}
