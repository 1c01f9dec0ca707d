/* fuzz-gpkg.c: libFuzzer target for the GPKG reader (GLEP 78), every
 * path of `gild pkg show`, `pkg files`, `pkg verify` and `pkg extract`.
 *
 * Each input is read twice as a package file in a scratch directory:
 *   1. as it is;
 *   2. repaired, so that mutations get past the checksums into the
 *      metadata, CONTENTS and image checks: tar header checksums are
 *      fixed (outer and inner archives), an inner member named *.tar.zst
 *      that is not zstd data (a plain tar, as the corpus holds them) is
 *      compressed, and the Manifest is computed for the members there are.
 * Each time: gpkg_read_meta and the CONTENTS parser (show, files),
 * gpkg_verify, and gpkg_extract into a new directory and into an
 * existing one. Invariants: extract never takes a package verify
 * refuses, and a refused extraction into a new directory leaves nothing.
 *
 *   make fuzz && .build-fuzz/tests/fuzz/fuzz-gpkg tests/fuzz/corpus/gpkg
 *
 * tests/repo/test-gpkg-corpus.c replays the corpus in make check. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdint.h>
#include <zstd.h>

#include "fuzz-files.h"
#include "repo/repo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ASSERT(c)                                                           \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

#define FZ_MAX_MEMBERS 16

/* ---- repairing an input ------------------------------------------------ */

static uint64_t fz_octal(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n && (*p == ' ' || *p == '0')) {
		p++;
		n--;
	}
	for (; n && *p >= '0' && *p <= '7' && v < (1ull << 40); p++, n--)
		v = v * 8 + (uint64_t)(*p - '0');
	return v;
}

/* Recompute the checksum of every ustar header in p, walking the headers
 * by their size fields (a mutated header is then read as a header). */
static void fz_tar_fix_sums(unsigned char *p, size_t n)
{
	size_t off = 0;

	while (off + 512 <= n) {
		unsigned char *h = p + off;
		unsigned sum = 0;
		bool zero = true;
		uint64_t sz;

		for (size_t i = 0; i < 512 && zero; i++)
			zero = h[i] == 0;
		if (zero) {
			off += 512;
			continue;
		}
		memset(h + 148, ' ', 8);
		for (size_t i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 7, "%06o", sum & 0777777);
		h[154] = '\0';
		sz = (h[124] & 0x80) ? 0 : fz_octal(h + 124, 12);
		if (sz > n)
			break;
		off += 512 + (size_t)((sz + 511) & ~(uint64_t)511);
	}
}

struct fz_member {
	struct archive_entry *e;
	struct gild_buf data;
};

struct fz_pkg {
	struct fz_member m[FZ_MAX_MEMBERS];
	size_t n;
};

static void fz_pkg_release(struct fz_pkg *p)
{
	for (size_t i = 0; i < p->n; i++) {
		archive_entry_free(p->m[i].e);
		gild_buf_release(&p->m[i].data);
	}
}

static void fz_archive_freep(struct archive **a)
{
	if (*a)
		archive_free(*a);
}

/* The members of an outer tar in memory (as many as read cleanly). */
static void fz_read_members(unsigned char *buf, size_t n, struct fz_pkg *p)
{
	_cleanup_(fz_archive_freep) struct archive *r = archive_read_new();
	struct archive_entry *e;
	char chunk[16384];
	la_ssize_t got;

	archive_read_support_format_tar(r);
	if (archive_read_open_memory(r, buf, n) != ARCHIVE_OK)
		return;
	while (p->n < FZ_MAX_MEMBERS &&
	       archive_read_next_header(r, &e) == ARCHIVE_OK) {
		struct fz_member *m = &p->m[p->n++];
		m->e = archive_entry_clone(e);
		m->data = (struct gild_buf)GILD_BUF_INIT;
		while ((got = archive_read_data(r, chunk, sizeof(chunk))) > 0)
			gild_buf_add(&m->data, chunk, (size_t)got);
		/* the header's size is what was there: a directory claiming
		 * 2 GiB would be written as 2 GiB of zeros */
		archive_entry_set_size(m->e, (la_int64_t)m->data.n);
		if (got < 0)
			break;
	}
}

/* A plain tar as an inner member: checksums fixed, zstd-compressed. */
static void fz_compress_inner(struct fz_member *m)
{
	static const unsigned char magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
	struct gild_buf z = GILD_BUF_INIT;
	size_t cap, zn;

	if (!gild_endswith(archive_entry_pathname(m->e) ?: "", ".tar.zst") ||
	    (m->data.n >= 4 && memcmp(m->data.p, magic, 4) == 0))
		return;
	fz_tar_fix_sums((unsigned char *)m->data.p, m->data.n);
	cap = ZSTD_compressBound(m->data.n);
	z.p = xmalloc(cap + 1);
	z.cap = cap + 1;
	zn = ZSTD_compress(z.p, cap, m->data.p ?: "", m->data.n, 1);
	if (ZSTD_isError(zn)) {
		gild_buf_release(&z);
		return;
	}
	z.n = zn;
	gild_buf_release(&m->data);
	m->data = z;
	archive_entry_set_size(m->e, (la_int64_t)zn);
}

static void fz_set_manifest(struct fz_pkg *p)
{
	struct gild_buf text = GILD_BUF_INIT;
	struct fz_member *man = NULL;

	for (size_t i = 0; i < p->n; i++) {
		const char *name = archive_entry_pathname(p->m[i].e) ?: "";
		const char *slash = strchr(name, '/');
		const char *base = slash ? slash + 1 : name;
		char b2[129], s5[129];

		if (strcmp(base, "Manifest") == 0) {
			man = man ? man : &p->m[i];
			continue;
		}
		gpkg_hash_mem("BLAKE2B", p->m[i].data.p ?: "", p->m[i].data.n,
			      b2, sizeof(b2));
		gpkg_hash_mem("SHA512", p->m[i].data.p ?: "", p->m[i].data.n,
			      s5, sizeof(s5));
		gild_buf_printf(&text, "DATA %s %zu BLAKE2B %s SHA512 %s\n",
				base, p->m[i].data.n, b2, s5);
	}
	if (!man && p->n < FZ_MAX_MEMBERS) {
		man = &p->m[p->n++];
		man->e = archive_entry_new();
		archive_entry_set_pathname(man->e, "p-1/Manifest");
		archive_entry_set_filetype(man->e, AE_IFREG);
		archive_entry_set_perm(man->e, 0644);
		man->data = (struct gild_buf)GILD_BUF_INIT;
	}
	if (!man) {
		gild_buf_release(&text);
		return;
	}
	gild_buf_release(&man->data);
	man->data = text;
	archive_entry_set_size(man->e, (la_int64_t)text.n);
}

static la_ssize_t fz_write_cb(struct archive *a, void *ud, const void *buf,
			      size_t n)
{
	gild_buf_add(ud, buf, n);
	return (la_ssize_t)n;
}

/* The members as an outer tar into out; false when libarchive refuses. */
static bool fz_write_members(const struct fz_pkg *p, struct gild_buf *out)
{
	_cleanup_(fz_archive_freep) struct archive *w = archive_write_new();

	/* GNU tar: long names without pax headers, whose charset
	 * conversion can fail fatally (and libarchive then leaks) */
	archive_write_set_format_gnutar(w);
	archive_write_set_bytes_per_block(w, 0);
	if (archive_write_open2(w, out, NULL, fz_write_cb, NULL, NULL) !=
	    ARCHIVE_OK)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		if (archive_write_header(w, p->m[i].e) < ARCHIVE_WARN)
			return false;
		if (p->m[i].data.n &&
		    archive_write_data(w, p->m[i].data.p, p->m[i].data.n) < 0)
			return false;
	}
	return archive_write_close(w) == ARCHIVE_OK;
}

static bool fz_repair(const uint8_t *data, size_t size, struct gild_buf *out)
{
	_cleanup_free_ unsigned char *copy = xmalloc(size ? size : 1);
	_cleanup_(fz_pkg_release) struct fz_pkg p = {0};

	memcpy(copy, data, size);
	fz_tar_fix_sums(copy, size);
	fz_read_members(copy, size, &p);
	if (!p.n)
		return false;
	for (size_t i = 0; i < p.n; i++)
		fz_compress_inner(&p.m[i]);
	fz_set_manifest(&p);
	return fz_write_members(&p, out);
}

/* ---- reading a package as the commands do ------------------------------- */

/* No "x" nor "x.gild-tmp.*" in dir. */
static bool fz_nothing_left(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool clean = true;

	if (!d)
		return true;
	while ((e = readdir(d)))
		clean &= strcmp(e->d_name, "x") != 0 &&
			 strncmp(e->d_name, "x.", 2) != 0;
	closedir(d);
	return clean;
}

static void fz_show_files(const char *path)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	_cleanup_(gpkg_contents_releasep) struct gpkg_contents c =
	    GPKG_CONTENTS_INIT;
	struct gild_err err = GILD_ERR_INIT;
	const char *text;

	if (gpkg_read_meta(path, &m, &err) < 0) {
		FZ_ASSERT(err.code < 0 && err.msg[0]);
		return;
	}
	(void)gpkg_meta_get(&m, "CATEGORY");
	if ((text = gpkg_meta_get(&m, "CONTENTS")))
		(void)gpkg_contents_parse(text, &c, &err);
}

static void fz_read_pkg(const char *dir, const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = xasprintf("%s/p-1.gpkg.tar", dir);
	_cleanup_free_ char *fresh = xasprintf("%s/x", dir);
	_cleanup_free_ char *existing = xasprintf("%s/y", dir);
	struct gild_err err = GILD_ERR_INIT;
	bool verified;
	int r;

	(void)unlink(path);
	fz_append(dir, "p-1.gpkg.tar", (const char *)data, size);
	fz_show_files(path);
	verified = gpkg_verify(path, &err) == 0;
	gild_err_clear(&err);
	r = gpkg_extract(path, fresh, &err);
	/* extraction checks everything verify checks, before writing */
	FZ_ASSERT(r < 0 || verified);
	FZ_ASSERT(r == 0 || fz_nothing_left(dir));
	(void)gild_rm_rf(fresh, NULL);
	(void)gild_mkdir_p(existing, 0755, NULL);
	gild_err_clear(&err);
	r = gpkg_extract(path, existing, &err);
	FZ_ASSERT(r < 0 || verified);
	(void)gild_rm_rf(existing, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_buf_ struct gild_buf fixed = GILD_BUF_INIT;
	char *dir;

	if (size > 262144 || !(dir = fz_scratch_new()))
		return 0;
	fz_read_pkg(dir, data, size);
	if (fz_repair(data, size, &fixed)) {
		/* FZ_GPKG_DUMP=FILE: keep the repaired package, to look at
		 * what an input became (gild pkg verify FILE) */
		const char *dump = getenv("FZ_GPKG_DUMP");
		if (dump) {
			(void)unlink(dump);
			fz_append("/", dump, fixed.p, fixed.n);
		}
		fz_read_pkg(dir, (const uint8_t *)fixed.p, fixed.n);
	}
	fz_scratch_remove(dir);
	return 0;
}
