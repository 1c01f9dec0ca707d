/* test-fuzz-corpus.c: replay every file of the atom and depstr fuzz corpora
 * through the fuzz targets, so an input a fuzzer once found keeps failing
 * the build if it regresses (a broken invariant aborts this test). */
#include <dirent.h>

#include "base/base.h"
#include "tap.h"

#define LLVMFuzzerTestOneInput fuzz_atom_one
#include "../fuzz/fuzz-atom.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_depstr_one
#include "../fuzz/fuzz-depstr.c"
#undef LLVMFuzzerTestOneInput

static int replay_dir(const char *name, int (*fn)(const uint8_t *, size_t))
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
		struct gild_err err = GILD_ERR_INIT;
		size_t len;
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (gild_read_file(path, &buf, &len, &err) < 0)
			continue;
		fn((const uint8_t *)buf, len);
		count++;
	}
	closedir(d);
	return count;
}

TEST(atom_corpus_replays_cleanly)
{
	int n = replay_dir("atom", fuzz_atom_one);

	CHECK(n >= 10);
	tap_note("%d atom inputs", n);
}

TEST(depstr_corpus_replays_cleanly)
{
	int n = replay_dir("depstr", fuzz_depstr_one);

	CHECK(n >= 10);
	tap_note("%d depstr inputs", n);
}
