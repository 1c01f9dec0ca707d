/* image-files.c: the origin of every path of the staging root, and the
 * small file-writing helpers the image steps share. */
#include "image-impl.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *image_origin(struct image *im, const char *origin)
{
	for (size_t i = 0; i < im->origins.n; i++)
		if (!strcmp(im->origins.v[i], origin))
			return im->origins.v[i];
	gild_strv_add(&im->origins, origin);
	return im->origins.v[im->origins.n - 1];
}

void image_files_add(struct image_files *f, const char *path,
		     const char *origin, enum gpkg_ftype type, bool shipped)
{
	gild_grow(&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n++] = (struct image_file){.path = xstrdup(path),
					   .origin = origin,
					   .type = type,
					   .shipped = shipped};
	f->sorted = false;
}

static int cmp_file(const void *a, const void *b)
{
	const struct image_file *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* Sorted by path; of several entries for one path the last added wins
 * (an image step rewriting a package's file). qsort is not stable, so
 * this is a bottom-up merge sort, which keeps the order of addition. */
void image_files_sort(struct image_files *f)
{
	size_t w = 0;

	if (f->sorted)
		return;
	if (f->n > 1) {
		struct image_file *tmp = xmalloc(f->n * sizeof(*tmp));
		for (size_t width = 1; width < f->n; width *= 2) {
			for (size_t lo = 0; lo < f->n; lo += 2 * width) {
				size_t mid =
				    lo + width < f->n ? lo + width : f->n;
				size_t hi = lo + 2 * width < f->n
						? lo + 2 * width
						: f->n;
				size_t a = lo, b = mid, k = lo;
				while (a < mid && b < hi)
					tmp[k++] =
					    cmp_file(&f->v[b], &f->v[a]) < 0
						? f->v[b++]
						: f->v[a++];
				while (a < mid)
					tmp[k++] = f->v[a++];
				while (b < hi)
					tmp[k++] = f->v[b++];
			}
			memcpy(f->v, tmp, f->n * sizeof(*tmp));
		}
		free(tmp);
	}
	for (size_t i = 0; i < f->n; i++) {
		if (w && !strcmp(f->v[w - 1].path, f->v[i].path)) {
			free(f->v[w - 1].path);
			f->v[w - 1] = f->v[i];
			continue;
		}
		f->v[w++] = f->v[i];
	}
	f->n = w;
	f->sorted = true;
}

struct image_file *image_files_find(struct image_files *f, const char *path)
{
	struct image_file key = {.path = (char *)path};

	image_files_sort(f);
	return f->n ? bsearch(&key, f->v, f->n, sizeof(*f->v), cmp_file) : NULL;
}

void image_files_remove(struct image_files *f, const char *path)
{
	struct image_file *e = image_files_find(f, path);

	if (!e)
		return;
	free(e->path);
	memmove(e, e + 1, (size_t)(f->v + f->n - (e + 1)) * sizeof(*e));
	f->n--;
}

void image_files_release(struct image_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	*f = (struct image_files){0};
}

void image_step_file(struct image *im, const char *path, const char *step)
{
	_cleanup_free_ char *origin = xasprintf("image step: %s", step);
	_cleanup_free_ char *host = image_host_path(im, path);
	struct stat st;
	enum gpkg_ftype t = GPKG_OBJ;

	if (lstat(host, &st) == 0)
		t = S_ISDIR(st.st_mode)	  ? GPKG_DIR
		    : S_ISLNK(st.st_mode) ? GPKG_SYM
					  : GPKG_OBJ;
	image_files_add(&im->files, path, image_origin(im, origin), t, false);
}

char *image_host_path(const struct image *im, const char *path)
{
	return xasprintf("%s%s", im->root, path);
}

/* An image path gild may write: absolute, no empty, "." or ".."
 * component (role text could otherwise reach out of the root), no control
 * character or '"' (debugfs reads paths in quotes). */
int image_path_ok(const char *path, struct gild_err *err)
{
	bool bad = path[0] != '/';

	for (const char *c = path; *c && !bad; c++)
		bad = (unsigned char)*c < 0x20 || *c == 0x7f || *c == '"';
	for (const char *c = path; *c && !bad; c++)
		if (*c == '/') {
			size_t n = strcspn(c + 1, "/");
			bad = (n == 0 && c[1]) || (n == 1 && c[1] == '.') ||
			      (n == 2 && c[1] == '.' && c[2] == '.');
		}
	return bad ? gild_fail(err, -GILD_E_INVALID, NULL,
			       "'%s' is not a path gild writes into an image "
			       "(absolute, no '.', '..', empty part, control "
			       "character or '\"')",
			       path)
		   : 0;
}

int image_check_parents(const struct image *im, const char *path,
			struct gild_err *err)
{
	_cleanup_free_ char *p = xstrdup(path);
	int r;

	if ((r = image_path_ok(path, err)) < 0)
		return r;

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		_cleanup_free_ char *h = image_host_path(im, p);
		struct stat st;
		if (lstat(h, &st) == 0 && S_ISLNK(st.st_mode))
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "cannot write '%s': '%s' is a link in "
					 "the image, and gild never writes "
					 "through one (it could leave the "
					 "image)",
					 path, p);
		*s = '/';
	}
	return 0;
}

/* The parent directories of an image path, made by step when missing. */
static int make_parents(struct image *im, const char *path, const char *step,
			struct gild_err *err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	_cleanup_free_ char *host = image_host_path(im, dir);
	struct stat st;
	if (lstat(host, &st) == 0)
		return 0;
	int r = make_parents(im, dir, step, err);
	if (r < 0)
		return r;
	if (mkdir(host, 0755) < 0 && errno != EEXIST)
		return gild_fail_errno(err, host, "cannot create directory");
	if (chmod(host, 0755) < 0)
		return gild_fail_errno(err, host, "cannot set the mode of");
	image_step_file(im, dir, step);
	return 0;
}

int image_mkdirs(struct image *im, const char *path, unsigned mode,
		 const char *step, struct gild_err *err)
{
	_cleanup_free_ char *host = image_host_path(im, path);
	struct stat st;
	int r;

	if ((r = image_check_parents(im, path, err)) < 0)
		return r;
	if (lstat(host, &st) == 0)
		return 0;
	if ((r = make_parents(im, path, step, err)) < 0)
		return r;
	if (mkdir(host, mode) < 0 || chmod(host, mode) < 0)
		return gild_fail_errno(err, host, "cannot create directory");
	image_step_file(im, path, step);
	return 0;
}

int image_write_file(struct image *im, const char *path, const char *text,
		     unsigned mode, const char *step, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *host = image_host_path(im, path);
	int r;

	if ((r = image_check_parents(im, path, err)) < 0 ||
	    (r = make_parents(im, path, step, err)) < 0)
		return r;
	/* a link there (a package's /etc/mtab, say) is replaced, never
	 * followed out of the root */
	if (unlink(host) < 0 && errno != ENOENT)
		return gild_fail_errno(err, host, "cannot replace");
	if ((r = gild_atomic_open(&af, AT_FDCWD, host, mode, err)) < 0)
		return r;
	fputs(text, af.f);
	if ((r = gild_atomic_commit(&af, err)) < 0)
		return r;
	/* explicit: the caller's umask must not shape the image */
	if (chmod(host, mode) < 0 || lchown(host, 0, 0) < 0)
		return gild_fail_errno(err, host, "cannot set the owner of");
	image_step_file(im, path, step);
	return 0;
}

int image_put_text(const char *dir, const char *name, const char *text,
		   struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ char *path = gild_path_join(dir, name);
	int r;

	if ((r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return r;
	fputs(text, af.f);
	if ((r = gild_atomic_commit(&af, err)) < 0)
		return r;
	return chmod(path, 0644) < 0
		   ? gild_fail_errno(err, path, "cannot set the mode of")
		   : 0;
}
