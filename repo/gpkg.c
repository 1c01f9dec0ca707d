/* gpkg.c: package metadata, CONTENTS, and writing GLEP 78 GPKG files. */
#include "repo-impl.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/stat.h>

/* ---- metadata ------------------------------------------------------------ */

void gpkg_meta_set(struct gpkg_meta *m, const char *key, const char *value)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0) {
			free(m->kv[i].value);
			m->kv[i].value = xstrdup(value);
			return;
		}
	gild_grow(&m->kv, &m->cap, m->n + 1, sizeof(*m->kv));
	m->kv[m->n++] = (struct gpkg_kv){xstrdup(key), xstrdup(value)};
}

const char *gpkg_meta_get(const struct gpkg_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0)
			return m->kv[i].value;
	return NULL;
}

void gpkg_meta_release(struct gpkg_meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->kv[i].key);
		free(m->kv[i].value);
	}
	free(m->kv);
	free(m->recipe);
	*m = (struct gpkg_meta)GPKG_META_INIT;
}

/* ---- CONTENTS ------------------------------------------------------------ */

static const char *const ftype_names[] = {"dir", "obj", "sym"};

const char *gpkg_ftype_name(enum gpkg_ftype t)
{
	return ftype_names[t];
}

void gpkg_contents_release(struct gpkg_contents *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].owner);
		free(c->e[i].path);
		free(c->e[i].target);
	}
	free(c->e);
	*c = (struct gpkg_contents)GPKG_CONTENTS_INIT;
}

int gpkg_contents_format(const struct gpkg_contents *c, struct gild_buf *out)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct gpkg_entry *e = &c->e[i];
		gild_buf_printf(out, "%s %04o %s %s %s", ftype_names[e->type],
				e->mode, e->owner ? e->owner : "root:root",
				e->sha256[0] ? e->sha256 : "-", e->path);
		if (e->target)
			gild_buf_printf(out, " -> %s", e->target);
		gild_buf_addc(out, '\n');
	}
	return 0;
}

static int parse_ftype(const char *s, enum gpkg_ftype *t)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(ftype_names); i++)
		if (strcmp(s, ftype_names[i]) == 0) {
			*t = (enum gpkg_ftype)i;
			return 0;
		}
	return -1;
}

/* "type mode owner sha path[ -> target]" */
static int parse_contents_line(char *line, struct gpkg_entry *e)
{
	char *f[4], *rest = line, *arrow;
	char *end;

	for (int i = 0; i < 4; i++) {
		f[i] = strsep(&rest, " ");
		if (!rest)
			return -1;
	}
	if (parse_ftype(f[0], &e->type) < 0 || rest[0] != '/')
		return -1;
	e->mode = (unsigned)strtoul(f[1], &end, 8);
	if (*end || end == f[1] || e->mode > 07777)
		return -1;
	if ((strcmp(f[3], "-") == 0) != (e->type != GPKG_OBJ) ||
	    (e->type == GPKG_OBJ && strlen(f[3]) != 64))
		return -1;
	snprintf(e->sha256, sizeof(e->sha256), "%s",
		 e->type == GPKG_OBJ ? f[3] : "");
	e->owner = xstrdup(f[2]);
	arrow = e->type == GPKG_SYM ? strstr(rest, " -> ") : NULL;
	if (e->type == GPKG_SYM && !arrow)
		return -1;
	if (arrow) {
		e->target = xstrdup(arrow + 4);
		*arrow = '\0';
	}
	e->path = xstrdup(rest);
	return 0;
}

int gpkg_contents_parse(const char *text, struct gpkg_contents *out,
			struct gild_err *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *rest = copy, *line;
	unsigned lineno = 0;

	while ((line = strsep(&rest, "\n"))) {
		struct gpkg_entry *e;

		lineno++;
		if (!line[0])
			continue;
		gild_grow(&out->e, &out->cap, out->n + 1, sizeof(*out->e));
		e = &out->e[out->n++];
		memset(e, 0, sizeof(*e));
		if (parse_contents_line(line, e) < 0) {
			struct gild_loc loc = {"CONTENTS", lineno, 0};
			return gild_fail(err, -GILD_E_SYNTAX, &loc,
					 "malformed CONTENTS line");
		}
	}
	return 0;
}

int gpkg_contents_parse_pkg(const char *pkg, const char *text,
			    struct gpkg_contents *out, struct gild_err *err)
{
	struct gild_err e = GILD_ERR_INIT;
	struct gild_loc loc = {pkg, 0, 0};
	int r = gpkg_contents_parse(text, out, &e);

	if (r < 0)
		return gild_fail(err, r, &loc, "%s %u", e.msg, e.line);
	return 0;
}

/* ---- temporary members ------------------------------------------------------
 */

/* A compressed member written to an unnamed temporary (O_TMPFILE), so a
 * killed writer leaves nothing behind, hashed on the way through. */
struct member {
	int fd;
	bool borrowed; /* fd belongs to someone else (the package file) */
	uint64_t size, flushed;
	char blake2b[129], sha512[129];
	struct gpkg_hash *b2, *s5;
	struct stage *st; /* hashes and writes off the compression thread */
	const char *path; /* the package it is part of, for messages */
};

static void member_release(struct member *m)
{
	stage_free(m->st);
	m->st = NULL;
	if (m->fd >= 0 && !m->borrowed)
		close(m->fd);
	gpkg_hash_free(m->b2);
	gpkg_hash_free(m->s5);
	m->fd = -1;
	m->b2 = m->s5 = NULL;
}

static int open_unnamed_tmp(const char *dir, struct gild_err *err)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	_cleanup_free_ char *tmpl = NULL;

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd >= 0 ? fd
			       : gild_fail_errno(err, dir,
						 "cannot create temporary in");
	/* Filesystems without O_TMPFILE: create, then unlink at once. */
	tmpl = gild_path_join(dir, ".gpkg.XXXXXX");
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return gild_fail_errno(err, dir, "cannot create temporary in");
	(void)unlink(tmpl);
	return fd;
}

/* A member written to fd if fd >= 0 (not closed by member_release),
 * else to a new unnamed temporary in dir. */
static int member_open(struct member *m, int fd, const char *dir,
		       struct gild_err *err)
{
	*m = (struct member){.fd = fd, .borrowed = fd >= 0};
	if (fd < 0)
		m->fd = open_unnamed_tmp(dir, err);
	if (m->fd < 0)
		return m->fd;
	m->b2 = gpkg_hash_new("BLAKE2B");
	m->s5 = gpkg_hash_new("SHA512");
	return 0;
}

/* Start writeback every this many bytes, so the fsync before the rename
 * waits for the last stretch only, not for the whole package. */
#define WRITEBACK_STEP (8 * 1024 * 1024)

/* Asynchronous and advisory: gild_atomic_commit's fsync is what makes
 * the package durable. */
static void start_writeback(int fd, uint64_t *flushed, uint64_t end)
{
	if (end - *flushed < WRITEBACK_STEP)
		return;
	(void)sync_file_range(fd, (off_t)*flushed, (off_t)(end - *flushed),
			      SYNC_FILE_RANGE_WRITE);
	*flushed = end;
}

static int member_write(void *ud, const void *buf, size_t n,
			struct gild_err *err)
{
	struct member *m = ud;
	const char *p = buf;
	size_t left = n;

	if (!buf)
		return 0; /* end of input */
	gpkg_hash_update(m->b2, buf, n);
	gpkg_hash_update(m->s5, buf, n);
	while (left > 0) {
		ssize_t w = write(m->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gild_fail_errno(
			    err, m->path,
			    "cannot write the temporary of package");
		p += w;
		left -= (size_t)w;
	}
	m->size += n;
	start_writeback(m->fd, &m->flushed, m->size);
	return 0;
}

static int member_sink(void *ud, const void *buf, size_t n,
		       struct gild_err *err)
{
	struct member *m = ud;

	if (!m->st)
		m->st = stage_new(member_write, m);
	return stage_push(m->st, buf, n, err);
}

static int member_swap_sink(void *ud, char **buf, size_t *cap, size_t n,
			    struct gild_err *err)
{
	struct member *m = ud;

	if (!m->st)
		m->st = stage_new(member_write, m);
	return stage_push_swap(m->st, buf, cap, n, err);
}

/* Open a compressed member archive whose output goes to m. */
static int member_tarw_open(struct tarw **t, const struct tarw_opts *o,
			    struct member *m, struct gild_err *err)
{
	int r = tarw_open(t, o, member_sink, m, err);

	if (r == 0)
		tarw_set_swap_sink(*t, member_swap_sink);
	return r;
}

/* Wait for the hashing stage (member_finish ends the digests). */
static int member_flush(struct member *m, struct gild_err *err)
{
	struct stage *st = TAKE_PTR(m->st);

	return st ? stage_finish(st, err) : 0;
}

/* Append a zstd skippable frame of n bytes (RFC 8878 3.1.2: magic
 * 0x184D2A5?, 4-byte little-endian length, then that many bytes that
 * decoders skip), n >= 8. */
static int member_pad(struct member *m, size_t n, struct gild_err *err)
{
	_cleanup_free_ unsigned char *f = xcalloc(1, n);
	uint32_t len = (uint32_t)(n - 8);

	f[0] = 0x50, f[1] = 0x2a, f[2] = 0x4d, f[3] = 0x18;
	for (int i = 0; i < 4; i++)
		f[4 + i] = (unsigned char)(len >> (8 * i));
	return member_write(m, f, n, err);
}

static void member_finish(struct member *m)
{
	gpkg_hash_hex(m->b2, m->blake2b, sizeof(m->blake2b));
	gpkg_hash_hex(m->s5, m->sha512, sizeof(m->sha512));
}

/* ---- writing ---------------------------------------------------------------
 */

static struct tarw_opts member_opts(const struct gpkg_meta *meta, int level)
{
	return (struct tarw_opts){.zstd_level = level,
				  .source_date_epoch = meta->source_date_epoch,
				  .keep_owners = meta->keep_owners,
				  .attrs = meta->attrs,
				  .n_attrs = meta->n_attrs};
}

/* Archive imagedir into an image tarw, filling contents and size. The
 * compression thread may still be busy when this returns: the caller
 * finishes with image_close. */
static int image_open(const struct gpkg_meta *meta, const char *imagedir,
		      struct member *m, struct tarw **t,
		      struct gpkg_contents *contents, uint64_t *size,
		      struct gild_err *err)
{
	struct tarw_opts o = member_opts(meta, GPKG_ZSTD_LEVEL);
	int r;

	if ((r = member_tarw_open(t, &o, m, err)) < 0)
		return r;
	if ((r = tarw_add_tree(*t, imagedir, "image", contents, err)) < 0) {
		tarw_free(TAKE_PTR(*t));
		return r;
	}
	*size = tarw_payload_size(*t);
	return 0;
}

static int image_close(struct tarw *t, struct member *m, struct gild_err *err)
{
	int r = tarw_close(t, err);

	if (r == 0 && (r = member_flush(m, err)) == 0)
		member_finish(m);
	return r;
}

static int cmp_kv_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct gpkg_kv *const *)a)->key,
		      (*(const struct gpkg_kv *const *)b)->key);
}

/* metadata/<KEY> files, one value each with a trailing newline (as
 * Portage writes them), sorted by key. */
static int write_meta_keys(struct tarw *t, const struct gpkg_meta *meta,
			   struct gild_err *err)
{
	_cleanup_free_ const struct gpkg_kv **kv =
	    xcalloc(meta->n + 1, sizeof(*kv));
	int r;

	for (size_t i = 0; i < meta->n; i++)
		kv[i] = &meta->kv[i];
	qsort(kv, meta->n, sizeof(*kv), cmp_kv_ptr);
	for (size_t i = 0; i < meta->n; i++) {
		_cleanup_free_ char *name =
		    xasprintf("metadata/%s", kv[i]->key);
		_cleanup_free_ char *val = xasprintf("%s\n", kv[i]->value);
		if (strchr(kv[i]->key, '/') || kv[i]->key[0] == '.')
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "bad metadata key '%s'", kv[i]->key);
		if ((r = tarw_add_mem(t, name, val, strlen(val), err)) < 0)
			return r;
	}
	return 0;
}

static int write_metadata(const struct gpkg_meta *meta, struct member *m,
			  struct gild_err *err)
{
	struct tarw_opts o = member_opts(meta, GPKG_ZSTD_LEVEL);
	const char *pf = gpkg_meta_get(meta, "PF");
	struct tarw *t;
	int r;

	o.keep_owners = false;
	o.attrs = NULL;
	o.n_attrs = 0;
	if ((r = member_tarw_open(&t, &o, m, err)) < 0)
		return r;
	/* every member is metadata/KEY, with no directory entry: GLEP 78
	 * and Portage's writer put none there, and Portage's reader
	 * (gpkg.py) refuses one ("Invalid metadata path: metadata") */
	r = write_meta_keys(t, meta, err);
	if (r == 0 && meta->recipe && pf) {
		_cleanup_free_ char *name = xasprintf("metadata/%s.ebuild", pf);
		r = tarw_add_mem(t, name, meta->recipe, strlen(meta->recipe),
				 err);
	}
	if (r < 0) {
		tarw_free(t);
		return r;
	}
	if ((r = tarw_close(t, err)) < 0)
		return r;
	return member_flush(m, err);
}

static void manifest_line(struct gild_buf *b, const char *name,
			  const struct member *m)
{
	gild_buf_printf(b, "DATA %s %llu BLAKE2B %s SHA512 %s\n", name,
			(unsigned long long)m->size, m->blake2b, m->sha512);
}

const char *gpkg_build_id(const struct gpkg_meta *m)
{
	const char *v = gpkg_meta_get(m, GPKG_BUILD_ID_KEY);

	if (v && *v)
		return v;
	v = gpkg_meta_get(m, "BUILD_ID");
	if (v && strlen(v) >= 12 && strspn(v, "0123456789abcdef") == strlen(v))
		return v;
	return NULL;
}

/* <PF>-<buildid12> (brief), else the file's basename less ".gpkg.tar"
 * (GLEP 78: "a single directory whose name matches the basename"). */
static char *package_dirname(const struct gpkg_meta *meta, const char *out_path)
{
	const char *pf = gpkg_meta_get(meta, "PF");
	const char *bid = gpkg_build_id(meta);
	const char *base = strrchr(out_path, '/');

	if (pf && bid && bid[0])
		return xasprintf("%s-%.12s", pf, bid);
	base = base ? base + 1 : out_path;
	if (gild_endswith(base, ".gpkg.tar"))
		return xstrndup(base, strlen(base) - strlen(".gpkg.tar"));
	return xstrdup(base);
}

/* ---- the outer tar ----------------------------------------------------------
 */

/* The image's data starts at a multiple of this in the package file: a
 * filesystem with FALLOC_FL_INSERT_RANGE (ext4, XFS: block sizes up to
 * 4096) can then slide the image, written first at the start of the
 * file, behind the headers without copying it. Fixed, so the bytes do
 * not depend on the filesystem. */
#define IMAGE_ALIGN 4096

/* Writes the outer tar at its offsets in fd. Bytes in [skip_lo, skip_hi)
 * are the image data, already in place: they are not written. */
struct outer_sink {
	int fd;
	uint64_t pos, skip_lo, skip_hi, flushed;
	const char *path; /* the package, for messages */
};

static int pwrite_all(int fd, const char *path, const char *p, size_t n,
		      uint64_t off, struct gild_err *err)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gild_fail_errno(
			    err, path, "cannot write the temporary of package");
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int outer_sink_write(void *ud, const void *buf, size_t n,
			    struct gild_err *err)
{
	struct outer_sink *s = ud;
	const char *p = buf;
	uint64_t lo = s->pos, hi = s->pos + n;
	uint64_t a =
	    hi < s->skip_lo ? hi : s->skip_lo; /* end of the part before */
	uint64_t b =
	    lo > s->skip_hi ? lo : s->skip_hi; /* start of the part after */
	int r = 0;

	if (a > lo)
		r = pwrite_all(s->fd, s->path, p, (size_t)(a - lo), lo, err);
	if (r == 0 && hi > b)
		r = pwrite_all(s->fd, s->path, p + (b - lo), (size_t)(hi - b),
			       b, err);
	s->pos = hi;
	start_writeback(s->fd, &s->flushed, s->pos);
	return r;
}

static int null_sink(void *ud, const void *buf, size_t n, struct gild_err *err)
{
	(void)ud, (void)buf, (void)n, (void)err;
	return 0;
}

struct outer {
	const struct gpkg_meta *meta;
	char *n1, *n2, *n3, *n4; /* <dir>/gpkg-1, metadata, image, Manifest */
	struct member *mm, *im;
	const char *path; /* the package, for messages */
};

static void outer_release(struct outer *o)
{
	free(o->n1), free(o->n2), free(o->n3), free(o->n4);
}

/* Where the image's data starts in the outer tar when the metadata
 * member has meta_size bytes: the same libarchive writer, unblocked,
 * into a sink that only counts (with the image's real size, which
 * decides whether its header needs a pax extension). */
static int outer_image_offset(const struct outer *o, uint64_t meta_size,
			      uint64_t *off, struct gild_err *err)
{
	struct tarw_opts opts = member_opts(o->meta, 0);
	_cleanup_(tarw_freep) struct tarw *t = NULL;
	int r;

	if ((r = tarw_open_unblocked(&t, &opts, null_sink, NULL, err)) < 0 ||
	    (r = tarw_add_mem(t, o->n1, "", 0, err)) < 0 ||
	    (r = tarw_add_zeros(t, o->n2, meta_size, err)) < 0 ||
	    (r = tarw_add_zeros(t, o->n3, o->im->size, err)) < 0)
		return r;
	/* Unblocked: the entry's padding is not written yet. */
	*off = tarw_bytes_out(t) - o->im->size;
	return 0;
}

/* Pad metadata.tar.zst with a skippable frame so that the image's data
 * starts at a multiple of IMAGE_ALIGN, finish its digests, and return
 * that offset. The padding depends only on the sizes: reproducible. */
static int align_image(struct outer *o, uint64_t *off, struct gild_err *err)
{
	uint64_t m0 = o->mm->size, delta;
	int r;

	if ((r = outer_image_offset(o, m0, off, err)) < 0)
		return r;
	delta = (IMAGE_ALIGN - *off % IMAGE_ALIGN) % IMAGE_ALIGN;
	if (delta) {
		/* Fill metadata's last 512-byte block, then delta more: tar
		 * offsets move in whole blocks, so the image moves by delta
		 * (>= 512, more than a skippable frame's 8-byte header). */
		uint64_t pad = (m0 + 511) / 512 * 512 - m0 + delta;
		if ((r = member_pad(o->mm, (size_t)pad, err)) < 0 ||
		    (r = outer_image_offset(o, o->mm->size, off, err)) < 0)
			return r;
	}
	member_finish(o->mm);
	return 0;
}

/* After the headers went around the image in place: the 512 bytes
 * before the image's data must be its ustar header (name field: the
 * whole name, or its last part when libarchive split it). A mistake
 * here would otherwise give a package that only verify notices. */
static int check_image_header(const struct outer *o,
			      const struct gild_atomic *af, uint64_t off,
			      struct gild_err *err)
{
	_cleanup_close_ int fd =
	    openat(af->dirfd, af->tmpname, O_RDONLY | O_CLOEXEC);
	char h[512];

	if (fd < 0 || off < 512 ||
	    pread(fd, h, sizeof(h), (off_t)off - 512) != (ssize_t)sizeof(h))
		return gild_fail_errno(err, af->display, "cannot read back");
	if (memcmp(h + 257, "ustar", 5) != 0 ||
	    (strncmp(h, o->n3, 100) != 0 &&
	     strncmp(h, gpkg_member_base(o->n3), 100) != 0))
		return gild_fail(err, -EIO, NULL,
				 "image.tar.zst not at offset %llu of '%s'",
				 (unsigned long long)off, af->display);
	return 0;
}

static void manifest_text(const struct outer *o, struct gild_buf *b)
{
	struct member empty = {.fd = -1};

	empty.b2 = gpkg_hash_new("BLAKE2B");
	empty.s5 = gpkg_hash_new("SHA512");
	member_finish(&empty);
	member_release(&empty);
	manifest_line(b, "gpkg-1", &empty);
	manifest_line(b, "image.tar.zst", o->im);
	manifest_line(b, "metadata.tar.zst", o->mm);
}

/* The outer tar into fd. src >= 0: the image's data is copied from src;
 * else it is already in fd at [s->skip_lo, s->skip_hi). */
static int write_outer(const struct outer *o, struct outer_sink *s, int src,
		       struct gild_err *err)
{
	struct tarw_opts opts = member_opts(o->meta, 0);
	_cleanup_buf_ struct gild_buf manifest = GILD_BUF_INIT;
	struct tarw *t;
	int r;

	manifest_text(o, &manifest);
	if ((r = tarw_open(&t, &opts, outer_sink_write, s, err)) < 0)
		return r;
	/* GLEP 78 member order: gpkg-1 first (a magic for file(1)), then
	 * metadata (readable from a partial download), image, Manifest. */
	if ((r = tarw_add_mem(t, o->n1, "", 0, err)) < 0 ||
	    (r = tarw_add_fd(t, o->n2, o->mm->fd, o->mm->size, err)) < 0 ||
	    (r = src >= 0 ? tarw_add_fd(t, o->n3, src, o->im->size, err)
			  : tarw_add_zeros(t, o->n3, o->im->size, err)) < 0 ||
	    (r = tarw_add_mem(t, o->n4, manifest.p, manifest.n, err)) < 0) {
		tarw_free(t);
		return r;
	}
	return tarw_close(t, err);
}

/* The image was written at the start of af's file: slide it behind the
 * headers (off bytes) and write the rest around it; where the filesystem
 * cannot insert a range, copy everything into a second temporary, which
 * replaces af. */
static int place_outer(const struct outer *o, struct gild_atomic *af,
		       uint64_t off, struct gild_err *err)
{
	struct outer_sink s = {af->fd, 0, off, off + o->im->size, 0, o->path};
	struct gild_atomic copy = GILD_ATOMIC_INIT;
	_cleanup_close_ int src = -1;
	int r;

	if (fallocate(af->fd, FALLOC_FL_INSERT_RANGE, 0, (off_t)off) == 0) {
		r = write_outer(o, &s, -1, err);
		return r < 0 ? r : check_image_header(o, af, off, err);
	}
	src = openat(af->dirfd, af->tmpname, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return gild_fail_errno(err, af->display,
				       "cannot reopen temporary for");
	if ((r = gild_atomic_open(&copy, af->dirfd, af->name, 0644, err)) < 0) {
		gild_atomic_release(&copy);
		return r;
	}
	s = (struct outer_sink){copy.fd, 0, 0, 0, 0, o->path};
	r = write_outer(o, &s, src, err);
	gild_atomic_release(af);
	*af = copy;
	return r;
}

/* Lock ".<name>.lock" beside the package. flock dies with its holder, so
 * a killed writer never leaves a lock that blocks the next one. */
static int lock_package(int dirfd, const char *base, const char *display,
			struct gild_err *err)
{
	_cleanup_free_ char *name = xasprintf(".%s.lock", base);
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return gild_fail_errno(err, display, "cannot create lock for");
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return gild_fail_errno(err, display, "cannot lock");
	return TAKE_FD(fd);
}

/* Remove ".<name>.tmp.*" left by a writer that was killed: only the lock
 * holder writes these names, and we hold the lock. */
static void remove_stale_temps(int dirfd, const char *base)
{
	_cleanup_free_ char *prefix = xasprintf(".%s.tmp.", base);
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (gild_startswith(de->d_name, prefix))
			(void)unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

static int add_size_and_contents(struct gpkg_meta *full,
				 const struct gpkg_contents *c, uint64_t size)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
	gpkg_meta_set(full, "SIZE", num);
	gpkg_contents_format(c, &b);
	gpkg_meta_set(full, "CONTENTS", gild_buf_str(&b));
	return 0;
}

static void meta_copy(struct gpkg_meta *dst, const struct gpkg_meta *src)
{
	for (size_t i = 0; i < src->n; i++)
		gpkg_meta_set(dst, src->kv[i].key, src->kv[i].value);
	dst->recipe = src->recipe ? xstrdup(src->recipe) : NULL;
	dst->source_date_epoch = src->source_date_epoch;
	dst->keep_owners = src->keep_owners;
	dst->attrs = src->attrs;
	dst->n_attrs = src->n_attrs;
}

static int write_members(const struct gpkg_meta *meta, const char *imagedir,
			 const char *dir, int image_fd, const char *display,
			 struct member *mm, struct member *im,
			 struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta full = GPKG_META_INIT;
	_cleanup_(gpkg_contents_releasep) struct gpkg_contents c =
	    GPKG_CONTENTS_INIT;
	_cleanup_(tarw_freep) struct tarw *t = NULL;
	uint64_t size = 0;
	int r;

	if ((r = member_open(im, image_fd, dir, err)) < 0 ||
	    (r = member_open(mm, -1, dir, err)) < 0)
		return r;
	im->path = mm->path = display;
	if ((r = image_open(meta, imagedir, im, &t, &c, &size, err)) < 0)
		return r;
	/* Every file is read and hashed: write the metadata while the
	 * image's last buffers are still being compressed. */
	meta_copy(&full, meta);
	add_size_and_contents(&full, &c, size);
	if ((r = write_metadata(&full, mm, err)) < 0)
		return r;
	return image_close(TAKE_PTR(t), im, err);
}

/* The image member goes straight into the package's temporary (at its
 * start), the metadata member into an unnamed temporary; then the
 * headers, the metadata and the Manifest are put around the image. */
static int write_package(const struct gpkg_meta *meta, const char *imagedir,
			 const char *outdir, const char *out_path,
			 struct gild_atomic *af, struct gild_err *err)
{
	_cleanup_free_ char *dir = package_dirname(meta, out_path);
	struct member mm = {.fd = -1}, im = {.fd = -1};
	struct outer o = {meta,
			  xasprintf("%s/gpkg-1", dir),
			  xasprintf("%s/metadata.tar.zst", dir),
			  xasprintf("%s/image.tar.zst", dir),
			  xasprintf("%s/Manifest", dir),
			  &mm,
			  &im,
			  out_path};
	uint64_t off = 0;
	int r;

	r = write_members(meta, imagedir, outdir, af->fd, out_path, &mm, &im,
			  err);
	if (r == 0)
		r = align_image(&o, &off, err);
	if (r == 0)
		r = place_outer(&o, af, off, err);
	member_release(&mm);
	member_release(&im);
	outer_release(&o);
	return r;
}

int gpkg_write(const struct gpkg_meta *meta, const char *imagedir,
	       const char *out_path, struct gild_err *err)
{
	_cleanup_free_ char *dcopy = xstrdup(out_path),
			    *bcopy = xstrdup(out_path);
	const char *outdir = dirname(dcopy), *base = basename(bcopy);
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_close_ int dirfd = -1, lockfd = -1;
	int r;

	dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return gild_fail_errno(err, outdir, "cannot open directory");
	if ((lockfd = lock_package(dirfd, base, out_path, err)) < 0)
		return lockfd;
	remove_stale_temps(dirfd, base);
	if ((r = gild_atomic_open(&af, dirfd, base, 0644, err)) < 0 ||
	    (r = write_package(meta, imagedir, outdir, out_path, &af, err)) < 0)
		return r;
	return gild_atomic_commit(&af, err);
}
