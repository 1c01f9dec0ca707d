/* fuzz-manifest.c: libFuzzer target for per-package Manifests (GLEP 74):
 * parse; a Manifest that parses is written (gild's sorted form), read
 * back and must hold the same entries; every DIST entry is checked
 * against a scratch file, as fetch does; entries are set and removed.
 *
 *   make fuzz && .build-fuzz/tests/fuzz/fuzz-manifest
 * tests/fuzz/corpus/manifest
 *
 * tests/builder/test-config-corpus.c replays the corpus in make check. */
#include <stdint.h>

#include "fuzz-files.h"
#include "pms/pms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ASSERT(c)                                                           \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

static bool fz_same_entry(const struct manifest_entry *a,
			  const struct manifest_entry *b)
{
	if (strcmp(a->type, b->type) || strcmp(a->name, b->name) ||
	    a->size != b->size || a->nhashes != b->nhashes)
		return false;
	for (size_t i = 0; i < a->nhashes; i++)
		if (strcmp(a->hashes[i].name, b->hashes[i].name) ||
		    strcmp(a->hashes[i].hex, b->hashes[i].hex))
			return false;
	return true;
}

/* Written and read back, a Manifest holds the same entries. */
static void fz_roundtrip(const struct manifest *m, const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/Manifest", dir);
	_cleanup_(manifest_freep) struct manifest *back = NULL;
	struct gild_err err = GILD_ERR_INIT;

	FZ_ASSERT(manifest_write(m, path, &err) == 0);
	FZ_ASSERT(manifest_load(path, false, &back, &err) == 0);
	FZ_ASSERT(back->n == m->n);
	for (size_t i = 0; i < m->n; i++) {
		const struct manifest_entry *e =
		    manifest_find(back, m->v[i].type, m->v[i].name);
		FZ_ASSERT(e && fz_same_entry(e, &m->v[i]));
	}
}

/* What fetch does with a distfile: verify, move a bad one aside. */
static void fz_verify(struct manifest *m, const char *dir)
{
	_cleanup_free_ char *file = xasprintf("%s/distfile", dir);
	struct manifest_digest d;
	struct gild_err err = GILD_ERR_INIT;

	fz_append(dir, "distfile", "hello\n", 6);
	for (size_t i = 0; i < m->n && i < 16; i++) {
		if (strcmp(m->v[i].type, "DIST") != 0)
			continue;
		if (manifest_verify_file(m, m->v[i].name, file, &err) ==
		    -GILD_E_MANIFEST)
			FZ_ASSERT(err.line == m->v[i].line && err.msg[0]);
	}
	if (manifest_digest_file(file, &d, &err) == 0) {
		manifest_set_dist(m, "distfile", &d);
		FZ_ASSERT(manifest_verify_file(m, "distfile", file, &err) == 0);
	}
	(void)manifest_move_aside(dir, file, "distfile", NULL, &err);
	if (m->n)
		FZ_ASSERT(manifest_remove(m, m->v[0].type, m->v[0].name));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	struct gild_err err = GILD_ERR_INIT;
	char *dir;

	if (size > 65536)
		return 0;
	if (manifest_parse("Manifest", (const char *)data, size, &m, &err) <
	    0) {
		FZ_ASSERT(err.code == -GILD_E_SYNTAX && err.msg[0]);
		return 0;
	}
	if (!(dir = fz_scratch_new()))
		return 0;
	fz_roundtrip(m, dir);
	fz_verify(m, dir);
	fz_scratch_remove(dir);
	return 0;
}
