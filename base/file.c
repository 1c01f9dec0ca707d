/* base-file.c: reading files, mkdir -p, atomic output (see base.h). */
#include "base.h"

#include <ftw.h>

#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <sys/stat.h>

int gild_read_file_at(int dirfd, const char *path, char **out, size_t *len,
		      struct gild_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t n = 0, cap = 0;
	struct stat st;

	if (fd < 0)
		return gild_fail_errno(err, path, "cannot open");
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		cap = (size_t)st.st_size + 1;
	if (cap < 4096)
		cap = 4096;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap)
			gild_grow(&buf, &cap, cap * 2, 1);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return gild_fail_errno(err, path, "cannot read");
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

int gild_read_file(const char *path, char **out, size_t *len,
		   struct gild_err *err)
{
	return gild_read_file_at(AT_FDCWD, path, out, len, err);
}

int gild_mkdir_p(const char *path, unsigned mode, struct gild_err *err)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return gild_fail_errno(err, p,
					       "cannot create directory");
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return gild_fail_errno(err, p, "cannot create directory");
	return 0;
}

char *gild_path_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	while (n > 1 && a[n - 1] == '/')
		n--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)n, a, b);
}

/* ---- atomic files ------------------------------------------------------ */

int gild_atomic_open(struct gild_atomic *af, int dirfd, const char *path,
		     unsigned mode, struct gild_err *err)
{
	_cleanup_free_ char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	static unsigned counter;

	af->display = xstrdup(path);
	af->dirfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (af->dirfd < 0)
		return gild_fail_errno(err, dir, "cannot open directory");
	af->name = xstrdup(base);
	/* A hidden name in the same directory, so rename() is atomic and a
	 * crash leaves only an obviously temporary file behind. */
	af->tmpname =
	    xasprintf(".%s.tmp.%d.%u", base, (int)getpid(), counter++);
	af->fd = openat(af->dirfd, af->tmpname,
			O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (af->fd < 0)
		return gild_fail_errno(err, path,
				       "cannot create temporary for");
	/* openat honours the umask; the caller asked for this exact mode. */
	(void)fchmod(af->fd, mode);
	af->f = fdopen(af->fd, "w");
	if (!af->f)
		return gild_fail_errno(err, path, "cannot open stream for");
	return 0;
}

int gild_atomic_commit(struct gild_atomic *af, struct gild_err *err)
{
	FILE *f = af->f;

	af->f = NULL;
	af->fd = -1;
	if (fflush(f) != 0 || ferror(f)) {
		int r = gild_fail_errno(err, af->display, "cannot write");
		fclose(f);
		return r;
	}
	if (!af->no_sync && fsync(fileno(f)) < 0) {
		int r = gild_fail_errno(err, af->display, "cannot sync");
		fclose(f);
		return r;
	}
	if (fclose(f) != 0)
		return gild_fail_errno(err, af->display, "cannot close");
	if (renameat(af->dirfd, af->tmpname, af->dirfd, af->name) < 0)
		return gild_fail_errno(err, af->display,
				       "cannot rename into place");
	if (!af->no_sync)
		(void)fsync(af->dirfd);
	free(af->tmpname);
	af->tmpname = NULL; /* committed: nothing left to unlink */
	return 0;
}

void gild_atomic_release(struct gild_atomic *af)
{
	if (af->f)
		fclose(af->f);
	else if (af->fd >= 0)
		close(af->fd);
	if (af->tmpname && af->dirfd >= 0)
		(void)unlinkat(af->dirfd, af->tmpname, 0);
	if (af->dirfd >= 0)
		close(af->dirfd);
	free(af->tmpname);
	free(af->name);
	free(af->display);
	*af = (struct gild_atomic)GILD_ATOMIC_INIT;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf; a build may leave read-only directories, so make them writable
 * first (we own them, or are root). */
static int chmod_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && !(st->st_mode & S_IWUSR))
		(void)chmod(path, (st->st_mode & 07777) | S_IRWXU);
	return 0;
}

int gild_rm_rf(const char *path, struct gild_err *err)
{
	if (access(path, F_OK) != 0)
		return 0;
	(void)nftw(path, chmod_entry, 16, FTW_PHYS);
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return gild_fail_errno(err, path, "cannot remove");
	return 0;
}

int gild_publish_dir(const char *tmp, const char *final, struct gild_err *err)
{
	int saved;

	if (rename(tmp, final) == 0)
		return 1;
	saved = errno;
	(void)gild_rm_rf(tmp, NULL);
	if (saved == EEXIST || saved == ENOTEMPTY)
		return 0;
	errno = saved;
	return gild_fail_errno(err, final, "cannot rename into");
}
