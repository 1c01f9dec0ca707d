/* test-recipe-corpus.c: every input in tests/fuzz/corpus/recipe goes
 * through the fuzz target again, so what the fuzzer once found stays
 * fixed (under `make asan` this also checks for leaks and overflows). */
#include "tap.h"

#include "../fuzz/fuzz-recipe.c"

#include <dirent.h>

#define CORPUS "tests/fuzz/corpus/recipe"

TEST(recipe_fuzz_corpus_replays_cleanly)
{
	DIR *d = opendir(CORPUS);
	size_t n = 0;

	if (!CHECK(d))
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", CORPUS, e->d_name);
		char *buf = NULL;
		size_t len = 0;
		if (CHECK_INTEQ(gild_read_file(path, &buf, &len, NULL), 0))
			LLVMFuzzerTestOneInput((const unsigned char *)buf, len);
		free(buf);
		free(path);
		n++;
	}
	closedir(d);
	tap_note("%zu inputs", n);
	CHECK(n >= 10);
}
