/* fuzz-atom.c: libFuzzer target for versions and atoms (PMS 3.2, 8.3).
 *
 * Besides "no crash, no leak", it checks invariants: a parsed atom prints
 * back to a string that parses to the same print; version_cmp is
 * antisymmetric. tests/builder/test-fuzz-corpus.c replays the corpus. */
#include <stdint.h>

#include "base/base.h"
#include "pms/pms.h"

#define FUZZ_ASSERT(c)                                                         \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

static void fuzz_atom_roundtrip(const char *s, size_t n, int eapi)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(atom_freep) struct atom *a = NULL;
	_cleanup_(atom_freep) struct atom *b = NULL;
	_cleanup_buf_ struct gild_buf p1 = GILD_BUF_INIT;
	_cleanup_buf_ struct gild_buf p2 = GILD_BUF_INIT;

	if (atom_parse(s, n, eapi, &a, &err) < 0) {
		FUZZ_ASSERT(err.code == -GILD_E_SYNTAX && err.msg[0]);
		return;
	}
	atom_format(a, &p1);
	FUZZ_ASSERT(atom_parse(p1.p, p1.n, eapi, &b, &err) == 0);
	atom_format(b, &p2);
	FUZZ_ASSERT(strcmp(gild_buf_str(&p1), gild_buf_str(&p2)) == 0);
	(void)atom_match_cpv(a, "dev-libs", "foo", "1.2.3-r1");
	(void)atom_match_slot(a, "0", "1");
	if (a->pvr)
		FUZZ_ASSERT(version_valid(a->pvr, strlen(a->pvr)));
}

static void fuzz_versions(const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	_cleanup_free_ char *a = NULL, *b = NULL;

	if (!sp)
		return;
	a = xstrndup(s, (size_t)(sp - s));
	b = xstrndup(sp + 1, n - (size_t)(sp - s) - 1);
	if (!version_valid(a, strlen(a)) || !version_valid(b, strlen(b)))
		return;
	int ab = version_cmp(a, b), ba = version_cmp(b, a);
	FUZZ_ASSERT((ab > 0) == (ba < 0) && (ab == 0) == (ba == 0));
	FUZZ_ASSERT(version_cmp(a, a) == 0);
	(void)version_glob_match(a, b);
	(void)version_cmp_norev(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	if (size > 4096)
		return 0;
	fuzz_atom_roundtrip(s, size, 8);
	fuzz_atom_roundtrip(s, size, 7);
	(void)version_valid(s, size);
	fuzz_versions(s, size);
	return 0;
}
