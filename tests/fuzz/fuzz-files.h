/* fuzz-files.h: what the fuzz targets that read files share: a scratch
 * directory per input, and an input split into named files.
 *
 * An input is text with header lines "--- NAME": the bytes after a header
 * (up to the next one) are appended to the file NAME under the scratch
 * directory; bytes before the first header go to the target's default
 * file. NAME is taken only when the target allows its first component and
 * every component is a plain name (no "." or "..", no empty part), so a
 * fuzzer cannot write outside the scratch directory; any other header
 * line is data. */
#ifndef GILD_FUZZ_FILES_H
#define GILD_FUZZ_FILES_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define FZ_HEADER "--- "
#define FZ_MAX_PARTS 8

/* A new scratch directory (removed by fz_scratch_remove), or NULL. */
static inline char *fz_scratch_new(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir =
	    xasprintf("%s/gild-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static inline void fz_scratch_remove(char *dir)
{
	if (dir)
		(void)gild_rm_rf(dir, NULL);
	free(dir);
}

static inline bool fz_plain_part(const char *p, size_t n)
{
	if (n == 0 || n > 40 || (n == 1 && p[0] == '.') ||
	    (n == 2 && p[0] == '.' && p[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    p[i]) ||
		    !p[i])
			return false;
	return true;
}

/* Whether name (n bytes) is a file the target takes: allowed(first
 * component) and plain components, at most FZ_MAX_PARTS of them. */
static inline bool fz_name_ok(const char *name, size_t n,
			      bool (*allowed)(const char *first, size_t n))
{
	size_t parts = 0, i = 0;

	while (i <= n) {
		size_t j = i;
		while (j < n && name[j] != '/')
			j++;
		if (!fz_plain_part(name + i, j - i) || ++parts > FZ_MAX_PARTS)
			return false;
		if (parts == 1 && !allowed(name, j))
			return false;
		i = j + 1;
	}
	return true;
}

/* Append n bytes to dir/name, creating the directories on the way. */
static inline void fz_append(const char *dir, const char *name, const char *p,
			     size_t n)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	int fd;

	*slash = '\0';
	if (gild_mkdir_p(path, 0755, NULL) < 0)
		return;
	*slash = '/';
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* Split data into files under dir (see the top of this file); every file
 * named gets created, even when empty. */
static inline void fz_split(const char *data, size_t size, const char *dir,
			    const char *def,
			    bool (*allowed)(const char *first, size_t n))
{
	_cleanup_free_ char *cur = xstrdup(def);
	size_t start = 0, pos = 0;
	const size_t hl = strlen(FZ_HEADER);

	while (pos < size) {
		const char *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size;
		const char *name = data + pos + hl;
		size_t n = end - pos - hl;

		if (end - pos > hl && memcmp(data + pos, FZ_HEADER, hl) == 0 &&
		    fz_name_ok(name, n, allowed)) {
			fz_append(dir, cur, data + start, pos - start);
			free(cur);
			cur = xstrndup(name, n);
			start = nl ? end + 1 : size;
		}
		pos = nl ? end + 1 : size;
	}
	fz_append(dir, cur, data + start, size - start);
}

#endif
