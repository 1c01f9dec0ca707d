/* fuzz-replay.h: run every file of tests/fuzz/corpus/NAME through a fuzz
 * target, for the unit tests that keep what a fuzzer once found fixed
 * (a broken invariant aborts the test; `make asan` also checks leaks). */
#ifndef GILD_FUZZ_REPLAY_H
#define GILD_FUZZ_REPLAY_H

#include <dirent.h>
#include <stdint.h>

#include "base/base.h"

/* The number of inputs replayed, or -1 when the corpus is missing. */
static inline int fz_replay_dir(const char *name,
				int (*fn)(const uint8_t *, size_t))
{
	const char *top = getenv("GILD_TOP");
	_cleanup_free_ char *dir =
	    xasprintf("%s/tests/fuzz/corpus/%s", top ? top : ".", name);
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		_cleanup_free_ char *path = NULL, *buf = NULL;
		size_t len;
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (gild_read_file(path, &buf, &len, NULL) < 0)
			continue;
		fn((const uint8_t *)buf, len);
		count++;
	}
	closedir(d);
	return count;
}

#endif
