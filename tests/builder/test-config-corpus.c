/* test-config-corpus.c: replay the Manifest, profile and gild.conf fuzz
 * corpora (tests/fuzz/corpus/{manifest,profile,config}) through their
 * fuzz targets, so that what a fuzzer once found stays fixed. */
#include "tap.h"

#define LLVMFuzzerTestOneInput fuzz_manifest_one
#include "../fuzz/fuzz-manifest.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_profile_one
#include "../fuzz/fuzz-profile.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_config_one
#include "../fuzz/fuzz-config.c"
#undef LLVMFuzzerTestOneInput

#include "../fuzz/fuzz-replay.h"

TEST(manifest_corpus_replays_cleanly)
{
	int n = fz_replay_dir("manifest", fuzz_manifest_one);

	CHECK(n >= 5);
	tap_note("%d Manifest inputs", n);
}

TEST(profile_corpus_replays_cleanly)
{
	int n = fz_replay_dir("profile", fuzz_profile_one);

	CHECK(n >= 5);
	tap_note("%d profile inputs", n);
}

TEST(gild_conf_corpus_replays_cleanly)
{
	int n = fz_replay_dir("config", fuzz_config_one);

	CHECK(n >= 5);
	tap_note("%d gild.conf inputs", n);
}
