/* test-fuzz-corpus.c: replay every file of the atom and depstr fuzz corpora
 * through the fuzz targets, so an input a fuzzer once found keeps failing
 * the build if it regresses (a broken invariant aborts this test). */
#include "base/base.h"
#include "tap.h"

#define LLVMFuzzerTestOneInput fuzz_atom_one
#include "../fuzz/fuzz-atom.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_depstr_one
#include "../fuzz/fuzz-depstr.c"
#undef LLVMFuzzerTestOneInput

#include "../fuzz/fuzz-replay.h"

TEST(atom_corpus_replays_cleanly)
{
	int n = fz_replay_dir("atom", fuzz_atom_one);

	CHECK(n >= 10);
	tap_note("%d atom inputs", n);
}

TEST(depstr_corpus_replays_cleanly)
{
	int n = fz_replay_dir("depstr", fuzz_depstr_one);

	CHECK(n >= 10);
	tap_note("%d depstr inputs", n);
}
