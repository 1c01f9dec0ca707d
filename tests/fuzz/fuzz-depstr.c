/* fuzz-depstr.c: libFuzzer target for dependency strings (PMS 8.2).
 *
 * The first byte picks the kind ('0' DEPEND, '1' SRC_URI, '2' LICENSE,
 * '3' RESTRICT, '4' REQUIRED_USE; bit 3 set means EAPI 7).  Invariants: a
 * parsed tree prints to a string that parses and prints the same; reducing
 * and checking REQUIRED_USE never fail. */
#include <stdint.h>

#include "base/base.h"
#include "pms/pms.h"

#define FUZZ_ASSERT_D(c)                                                       \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

/* A USE set that is arbitrary but fixed: a hash bit of the name. */
static bool fuzz_use(void *ud, const char *flag)
{
	unsigned h = 5381;

	(void)ud;
	while (*flag)
		h = h * 33 + (unsigned char)*flag++;
	return h & 4;
}

static void fuzz_reparse(const struct dep_node *t, enum depstr_kind kind,
			 int eapi)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t2 = NULL;
	_cleanup_buf_ struct gild_buf p1 = GILD_BUF_INIT;
	_cleanup_buf_ struct gild_buf p2 = GILD_BUF_INIT;

	depstr_format(t, &p1);
	FUZZ_ASSERT_D(depstr_parse(gild_buf_str(&p1), p1.n, kind, eapi, NULL,
				   &t2, &err) == 0);
	depstr_format(t2, &p2);
	FUZZ_ASSERT_D(strcmp(gild_buf_str(&p1), gild_buf_str(&p2)) == 0);
}

static void fuzz_src_uri(const struct dep_node *t)
{
	gild_str name, path;

	for (size_t i = 0; i < t->n_kids; i++) {
		const struct dep_node *k = &t->kids[i];
		if (k->kind != DEP_TEXT) {
			fuzz_src_uri(k);
			continue;
		}
		(void)depstr_distfile(k);
		(void)src_uri_mirror(depstr_uri(k), &name, &path);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gild_loc start = {"fuzz", 1, 1};
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(dep_node_freep) struct dep_node *t = NULL;
	_cleanup_(dep_node_freep) struct dep_node *r = NULL;
	_cleanup_buf_ struct gild_buf out = GILD_BUF_INIT;
	enum depstr_kind kind;
	int eapi;

	if (size < 1 || size > 8192)
		return 0;
	kind = (enum depstr_kind)((data[0] & 7) % 5);
	eapi = data[0] & 8 ? 7 : 8;
	if (depstr_parse((const char *)data + 1, size - 1, kind, eapi,
			 data[0] & 16 ? &start : NULL, &t, &err) < 0) {
		FUZZ_ASSERT_D(err.code == -GILD_E_SYNTAX && err.msg[0]);
		return 0;
	}
	fuzz_reparse(t, kind, eapi);
	r = depstr_reduce(t, fuzz_use, NULL);
	depstr_format(r, &out);
	if (kind == DEPSTR_REQUIRED_USE) {
		gild_buf_reset(&out);
		int ok = requse_check(t, fuzz_use, NULL, &out);
		FUZZ_ASSERT_D(ok == 1 || (ok == 0 && out.n > 0));
	}
	if (kind == DEPSTR_SRC_URI)
		fuzz_src_uri(t);
	return 0;
}
