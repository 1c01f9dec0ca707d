/* test-gpkg-corpus.c: replay the GPKG fuzz corpus (tests/fuzz/corpus/gpkg)
 * through the fuzz target: show, files, verify and extract of each input
 * as it is and repaired, with the target's invariants (extract never
 * takes what verify refuses; a refused extraction leaves nothing). */
#include "tap.h"

#include "../fuzz/fuzz-gpkg.c"
#include "../fuzz/fuzz-replay.h"

TEST(gpkg_corpus_replays_cleanly)
{
	int n = fz_replay_dir("gpkg", LLVMFuzzerTestOneInput);

	CHECK(n >= 5);
	tap_note("%d package inputs", n);
}
