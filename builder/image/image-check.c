/* image-check.c: the staging root checked before anything is written:
 * every ELF's interpreter and libraries are in the image, no file comes
 * from nowhere, no link points at nothing, every owner exists, nothing is
 * world-writable without the sticky bit, setuid only where allowed. Each
 * failure names the file and the rule. */
#include "image-impl.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

/* Link targets that exist only on a running system. */
static bool runtime_path(const char *p)
{
	static const char *const dirs[] = {"/proc", "/dev", "/sys", "/run",
					   "/tmp"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		size_t n = strlen(dirs[i]);
		if (!strncmp(p, dirs[i], n) && (p[n] == '/' || !p[n]))
			return true;
	}
	return false;
}

/* Join a link target onto the directory of the link, inside the image,
 * normalising "." and ".." (never above "/"). */
static char *image_join(const char *dir, const char *target)
{
	_cleanup_free_ char *full = target[0] == '/'
					? xstrdup(target)
					: xasprintf("%s/%s", dir, target);
	char *out = xcalloc(1, strlen(full) + 2);
	size_t n = 0;

	for (char *save = NULL, *c = strtok_r(full, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			out[n] = '\0';
			continue;
		}
		n += (size_t)sprintf(out + n, "/%s", c);
	}
	if (!n)
		strcpy(out, "/");
	return out;
}

/* Does image path p exist, following links inside the image? 1 yes, 0
 * no, -1 it leaves for a runtime-only place (/proc, /dev, ...). */
static int image_exists(const struct image *im, const char *p, int depth)
{
	_cleanup_free_ char *h = image_host_path(im, p);
	struct stat st;
	char target[4096];
	ssize_t n;

	if (runtime_path(p))
		return -1;
	if (depth > 40 || lstat(h, &st) < 0)
		return 0;
	if (!S_ISLNK(st.st_mode))
		return 1;
	if ((n = readlink(h, target, sizeof(target) - 1)) < 0)
		return 0;
	target[n] = '\0';
	_cleanup_free_ char *dir = xstrdup(p);
	*strrchr(dir, '/') = '\0';
	_cleanup_free_ char *next = image_join(dir, target);
	return image_exists(im, next, depth + 1);
}

static int check_link(const struct image *im, const char *path,
		      struct gild_err *err)
{
	_cleanup_free_ char *h = image_host_path(im, path);
	char target[4096];
	ssize_t n = readlink(h, target, sizeof(target) - 1);

	if (n < 0)
		return gild_fail_errno(err, h, "cannot read link");
	target[n] = '\0';
	if (image_exists(im, path, 0) != 0)
		return 0;
	return gild_fail(err, -GILD_E_INVALID, NULL,
			 "'%s' points at '%s', which is not in the image "
			 "(a dangling link)",
			 path, target);
}

static bool find_library(const struct image *im, const char *name,
			 const char *runpath, const char *origin)
{
	static const char *const std[] = {"/lib", "/lib64", "/usr/lib",
					  "/usr/lib64", "/usr/local/lib"};
	_cleanup_free_ char *rp = runpath ? xstrdup(runpath) : NULL;

	if (strchr(name, '/'))
		return image_exists(im, name, 0) == 1;
	for (char *save = NULL, *d = rp ? strtok_r(rp, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *dir =
		    !strncmp(d, "$ORIGIN", 7) ? xasprintf("%s%s", origin, d + 7)
					      : xstrdup(d);
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
		if (image_exists(im, p, 0) == 1)
			return true;
	}
	for (size_t i = 0; i < sizeof(std) / sizeof(*std); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", std[i], name);
		if (image_exists(im, p, 0) == 1)
			return true;
	}
	return false;
}

static int check_elf(const struct image *im, const struct image_file *f,
		     struct gild_err *err)
{
	_cleanup_free_ char *h = image_host_path(im, f->path);
	_cleanup_(gild_elf_release) struct gild_elf e = {0};
	_cleanup_free_ char *origin = xstrdup(f->path);
	int r;

	if ((r = gild_elf_read(h, &e, err)) < 0 || !e.is_elf)
		return r;
	*strrchr(origin, '/') = '\0';
	if (e.interp && image_exists(im, e.interp, 0) != 1)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' (from %s) is run by '%s', which is not "
				 "in the image",
				 f->path, f->origin, e.interp);
	for (size_t i = 0; i < e.needed.n; i++)
		if (!find_library(im, e.needed.v[i], e.runpath, origin))
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "'%s' (from %s) needs '%s', which is "
					 "not in the image (a package of its "
					 "RDEPEND should ship it)",
					 f->path, f->origin, e.needed.v[i]);
	return 0;
}

/* Whether "ID NAME" lines (image_id_names) have id. */
static bool has_id(const struct gild_strv *names, unsigned id)
{
	char key[16];
	size_t n = (size_t)snprintf(key, sizeof(key), "%u ", id);

	for (size_t i = 0; i < names->n; i++)
		if (!strncmp(names->v[i], key, n))
			return true;
	return false;
}

static int check_mode(const struct image *im, const struct image_file *f,
		      const struct stat *st, struct gild_err *err)
{
	char id[32];

	snprintf(id, sizeof(id), "%u", (unsigned)st->st_uid);
	if (!has_id(&im->id_names[0], st->st_uid))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' (from %s) belongs to uid %s, which the "
				 "image's /etc/passwd does not have",
				 f->path, f->origin, id);
	snprintf(id, sizeof(id), "%u", (unsigned)st->st_gid);
	if (!has_id(&im->id_names[1], st->st_gid))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' (from %s) belongs to gid %s, which the "
				 "image's /etc/group does not have",
				 f->path, f->origin, id);
	if (!S_ISLNK(st->st_mode) && (st->st_mode & S_IWOTH) &&
	    !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' (from %s) is world-writable without "
				 "the sticky bit (mode %04o)",
				 f->path, f->origin, st->st_mode & 07777);
	if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    !gild_strv_contains(&im->role.setuid_allowed, f->path))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' (from %s) is setuid/setgid but not in "
				 "IMAGE_SETUID_ALLOWED",
				 f->path, f->origin);
	return 0;
}

/* nftw has no user data: the image being walked. */
static struct image *walk_im;
static struct gild_err *walk_err;

static int stray_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	const char *p = path + strlen(walk_im->root);

	(void)st;
	(void)flag;
	if (ftw->level == 0 || image_files_find(&walk_im->files, p))
		return 0;
	gild_fail(walk_err, -GILD_E_INVALID, NULL,
		  "'%s' is in the image, but no package ships it and no "
		  "image step made it",
		  p);
	return 1;
}

static int check_strays(struct image *im, struct gild_err *err)
{
	int r;

	image_files_sort(&im->files);
	walk_im = im;
	walk_err = err;
	r = nftw(im->root, stray_entry, 32, FTW_PHYS);
	walk_im = NULL;
	if (r < 0)
		return gild_fail_errno(err, im->root, "cannot walk");
	return r ? -GILD_E_INVALID : 0;
}

int image_check(struct image *im, struct gild_err *err)
{
	int r;

	if ((r = check_strays(im, err)) < 0)
		return r;
	image_read_id_names(im);
	for (size_t i = 0; i < im->files.n; i++) {
		const struct image_file *f = &im->files.v[i];
		_cleanup_free_ char *h = image_host_path(im, f->path);
		struct stat st;
		if ((r = image_path_ok(f->path, err)) < 0)
			return r;
		if (lstat(h, &st) < 0)
			return gild_fail_errno(
			    err, h, "listed in the image but missing:");
		if ((r = check_mode(im, f, &st, err)) < 0 ||
		    (S_ISLNK(st.st_mode) &&
		     (r = check_link(im, f->path, err)) < 0) ||
		    (S_ISREG(st.st_mode) && (r = check_elf(im, f, err)) < 0))
			return r;
	}
	return 0;
}
