/* gpkg-read.c: reading, verifying and extracting GLEP 78 GPKG files. */
#include "repo-impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#define READ_BUFSZ (256 * 1024)
/* A metadata value larger than this is not a metadata value. */
#define META_MAX (64u << 20)

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define _cleanup_archive_ _cleanup_(archive_freep)

/* Locate an error in the package file ("pkg.gpkg.tar: error: ..."). */
static int set_err_file(struct gild_err *err, const char *path, int r)
{
	if (r < 0 && err && !err->file[0])
		snprintf(err->file, sizeof(err->file), "%s", path);
	return r;
}

struct archive *gpkg_outer_open(const char *path, struct gild_err *err)
{
	struct archive *a = archive_read_new();

	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, READ_BUFSZ) != ARCHIVE_OK) {
		if (access(path, R_OK) < 0)
			gild_fail_errno(err, path, "cannot open package");
		else
			gild_fail(err, -GILD_E_SYNTAX, NULL,
				  "not a readable gpkg file: %s",
				  archive_error_string(a));
		if (err && err->code == -GILD_E_SYNTAX)
			set_err_file(err, path, -1);
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The member's bytes as they are read, for the Manifest's digests (NULL
 * when nobody asks). With a worker, the digests are computed in a thread
 * beside the reader: for an image, BLAKE2b and SHA-512 of the compressed
 * stream cost about as much as its decompression. */
struct member_hash {
	struct gpkg_hash *b2, *s5;
	uint64_t size;
	struct stage *worker;
};

static int hash_chunk(void *ud, const void *buf, size_t n, struct gild_err *err)
{
	struct member_hash *h = ud;

	(void)err;
	if (buf) {
		gpkg_hash_update(h->b2, buf, n);
		gpkg_hash_update(h->s5, buf, n);
	}
	return 0;
}

static void member_hash_update(struct member_hash *h, const void *p, size_t n)
{
	h->size += n;
	/* hash_chunk never fails, so neither does the push */
	if (h->worker)
		(void)stage_push(h->worker, p, n, NULL);
	else
		hash_chunk(h, p, n, NULL);
}

struct inner_src {
	struct archive *outer;
	struct member_hash *hash;
	char buf[READ_BUFSZ];
};

static la_ssize_t inner_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct inner_src *s = ud;
	la_ssize_t n = archive_read_data(s->outer, s->buf, sizeof(s->buf));

	if (n < 0)
		archive_set_error(a, EIO, "%s", archive_error_string(s->outer));
	else if (n > 0 && s->hash)
		member_hash_update(s->hash, s->buf, (size_t)n);
	*buf = s->buf;
	return n;
}

static int inner_close_cb(struct archive *a, void *ud)
{
	free(ud);
	return ARCHIVE_OK;
}

static struct archive *inner_open(struct archive *outer, const char *name,
				  struct member_hash *hash,
				  struct gild_err *err)
{
	struct archive *a = archive_read_new();
	/* not calloc: clearing the 256 KiB buffer cost 0.5 ms a package */
	struct inner_src *s = xmalloc(sizeof(*s));

	s->outer = outer;
	s->hash = hash;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, s, NULL, inner_read_cb, inner_close_cb) !=
	    ARCHIVE_OK) {
		gild_fail(err, -GILD_E_SYNTAX, NULL,
			  "cannot read inner archive: %s",
			  archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	/* both inner members are named .tar.zst (GLEP 78 names the
	 * compression by the suffix): anything else is a damaged package,
	 * whatever libarchive could make of it. The filter is chosen at
	 * open. */
	if (archive_filter_code(a, 0) != ARCHIVE_FILTER_ZSTD) {
		gild_fail(err, -GILD_E_MANIFEST, NULL,
			  "'%s' is not zstd-compressed", name);
		archive_read_free(a);
		return NULL;
	}
	return a;
}

struct archive *gpkg_inner_open(struct archive *outer, const char *name,
				struct gild_err *err)
{
	return inner_open(outer, name, NULL, err);
}

/* A member's name; "" when the header has none (libarchive's NULL). */
static const char *entry_name(struct archive_entry *e)
{
	return archive_entry_pathname(e) ?: "";
}

const char *gpkg_member_base(const char *name)
{
	const char *slash = strchr(name, '/');
	return slash ? slash + 1 : name;
}

static int read_entry_data(struct archive *a, const char *name, char **out,
			   struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	char buf[16384];
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (b.n + (size_t)n > META_MAX)
			return gild_fail(err, -GILD_E_LIMIT, NULL,
					 "metadata file '%s' is too large",
					 name);
		gild_buf_add(&b, buf, (size_t)n);
	}
	if (n < 0)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "cannot read '%s': %s", name,
				 archive_error_string(a));
	*out = gild_buf_steal(&b);
	return 0;
}

/* metadata/KEY -> key/value (one trailing newline dropped), and
 * metadata/<PF>.ebuild -> the recipe text. */
static int read_meta_inner(struct archive *in, struct gpkg_meta *out,
			   struct gild_err *err)
{
	struct archive_entry *e;
	int r, ar;

	while ((ar = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *name = entry_name(e);
		_cleanup_free_ char *val = NULL;
		size_t len;

		if (!gild_startswith(name, "metadata/") ||
		    archive_entry_filetype(e) != AE_IFREG)
			continue;
		name += strlen("metadata/");
		if ((r = read_entry_data(in, name, &val, err)) < 0)
			return r;
		if (gild_endswith(name, ".ebuild")) {
			free(out->recipe);
			out->recipe = TAKE_PTR(val);
			continue;
		}
		len = strlen(val);
		if (len && val[len - 1] == '\n')
			val[len - 1] = '\0';
		gpkg_meta_set(out, name, val);
	}
	if (ar != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "damaged metadata archive: %s",
				 archive_error_string(in));
	return 0;
}

int gpkg_read_meta(const char *path, struct gpkg_meta *out,
		   struct gild_err *err)
{
	_cleanup_archive_ struct archive *a = gpkg_outer_open(path, err);
	struct archive_entry *e;
	int ar;

	if (!a)
		return err ? err->code : -EIO;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		_cleanup_archive_ struct archive *in = NULL;

		if (strcmp(gpkg_member_base(entry_name(e)),
			   "metadata.tar.zst") != 0)
			continue;
		if (!(in = gpkg_inner_open(a, "metadata.tar.zst", err)))
			return set_err_file(err, path,
					    err ? err->code : -GILD_E_SYNTAX);
		return set_err_file(err, path, read_meta_inner(in, out, err));
	}
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "'%s' is not a gpkg: no metadata.tar.zst member",
			 path);
}

/* ---- Manifest ------------------------------------------------------------ */

struct member_sum {
	char *name;
	uint64_t size;
	char blake2b[129], sha512[129];
	bool listed;
};

struct sums {
	struct member_sum *m;
	size_t n, cap;
	char *manifest;
};

static void sums_release(struct sums *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->m[i].name);
	free(s->m);
	free(s->manifest);
}

static void member_hash_start(struct member_hash *h)
{
	*h = (struct member_hash){gpkg_hash_new("BLAKE2B"),
				  gpkg_hash_new("SHA512"), 0, NULL};
}

/* The same, hashing in a worker thread (inline when none can start); h
 * must stay where it is until member_hash_finish or member_hash_release. */
static void member_hash_start_worker(struct member_hash *h)
{
	member_hash_start(h);
	h->worker = stage_try_new(hash_chunk, h);
}

/* The member's digests into ms (and the hashes freed). */
static void member_hash_finish(struct member_hash *h, struct member_sum *ms)
{
	if (h->worker)
		(void)stage_finish(TAKE_PTR(h->worker), NULL);
	ms->size = h->size;
	gpkg_hash_hex(h->b2, ms->blake2b, sizeof(ms->blake2b));
	gpkg_hash_hex(h->s5, ms->sha512, sizeof(ms->sha512));
	gpkg_hash_free(h->b2);
	gpkg_hash_free(h->s5);
	*h = (struct member_hash){0};
}

static void member_hash_release(struct member_hash *h)
{
	if (h->worker)
		stage_free(TAKE_PTR(h->worker));
	gpkg_hash_free(h->b2);
	gpkg_hash_free(h->s5);
	*h = (struct member_hash){0};
}

/* The rest of the current outer member into h (what an inner archive
 * did not read: the end of its compressed stream). */
static int hash_rest(struct archive *a, const char *name, struct member_hash *h,
		     struct gild_err *err)
{
	_cleanup_free_ char *buf = xmalloc(READ_BUFSZ);
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, READ_BUFSZ)) > 0)
		member_hash_update(h, buf, (size_t)n);
	if (n < 0)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "truncated member '%s': %s", name,
				 archive_error_string(a));
	return 0;
}

static int hash_member(struct archive *a, const char *name,
		       struct member_sum *ms, struct gild_err *err)
{
	struct member_hash h;
	int r;

	member_hash_start(&h);
	if ((r = hash_rest(a, name, &h, err)) < 0) {
		member_hash_release(&h);
		return r;
	}
	member_hash_finish(&h, ms);
	return 0;
}

/* A new member of s, or NULL when it is there already (GLEP 78:
 * duplicates are an error). */
static struct member_sum *new_member(struct sums *s, const char *base,
				     struct gild_err *err)
{
	struct member_sum *ms;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->m[i].name, base) == 0) {
			gild_fail(err, -GILD_E_MANIFEST, NULL,
				  "duplicate member '%s'", base);
			return NULL;
		}
	gild_grow(&s->m, &s->cap, s->n + 1, sizeof(*s->m));
	ms = &s->m[s->n++];
	*ms = (struct member_sum){.name = xstrdup(base)};
	return ms;
}

static int collect_sums(const char *path, struct sums *s, struct gild_err *err)
{
	_cleanup_archive_ struct archive *a = gpkg_outer_open(path, err);
	struct archive_entry *e;
	int ar, r;

	if (!a)
		return err ? err->code : -EIO;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *base = gpkg_member_base(entry_name(e));
		struct member_sum *ms;

		if (strcmp(base, "Manifest") == 0) {
			if (s->manifest)
				return gild_fail(err, -GILD_E_MANIFEST, NULL,
						 "duplicate member 'Manifest'");
			if ((r = read_entry_data(a, base, &s->manifest, err)) <
			    0)
				return r;
			continue;
		}
		if (!(ms = new_member(s, base, err)))
			return err ? err->code : -GILD_E_MANIFEST;
		if ((r = hash_member(a, base, ms, err)) < 0)
			return r;
	}
	if (ar != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "damaged package archive: %s",
				 archive_error_string(a));
	return 0;
}

static int check_manifest_line(struct sums *s, char *line, unsigned lineno,
			       struct gild_err *err)
{
	char *f[7], *rest = line;
	int nf = 0;

	while (nf < 7 && (f[nf] = strsep(&rest, " ")))
		nf++;
	if (nf != 7 || rest || strcmp(f[0], "DATA") ||
	    strcmp(f[3], "BLAKE2B") || strcmp(f[5], "SHA512"))
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "malformed Manifest line %u", lineno);
	for (size_t i = 0; i < s->n; i++) {
		struct member_sum *ms = &s->m[i];
		if (strcmp(ms->name, f[1]) != 0)
			continue;
		if (ms->listed)
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "'%s' listed twice", f[1]);
		ms->listed = true;
		if (strtoull(f[2], NULL, 10) != ms->size)
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "size mismatch for '%s'", f[1]);
		if (strcmp(f[4], ms->blake2b) || strcmp(f[6], ms->sha512))
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "BLAKE2B/SHA512 mismatch for '%s'",
					 f[1]);
		return 0;
	}
	return gild_fail(err, -GILD_E_MANIFEST, NULL, "missing member '%s'",
			 f[1]);
}

/* GLEP 78: "detect checksum mismatches, as well as missing, duplicate,
 * or extraneous files within the container". */
static int check_sums(struct sums *sp, struct gild_err *err);

static int verify_manifest(const char *path, struct gild_err *err)
{
	_cleanup_(sums_release) struct sums s = {0};
	int r;

	if ((r = collect_sums(path, &s, err)) < 0)
		return r;
	return check_sums(&s, err);
}

/* The Manifest against the members' digests. */
static int check_sums(struct sums *sp, struct gild_err *err)
{
	struct sums s = *sp;
	char *rest, *line;
	unsigned lineno = 0;
	int r;

	if (!s.manifest)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "no Manifest member");
	rest = s.manifest;
	while ((line = strsep(&rest, "\n"))) {
		lineno++;
		if (line[0] &&
		    (r = check_manifest_line(&s, line, lineno, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < s.n; i++)
		if (!s.m[i].listed)
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "member '%s' not in the Manifest",
					 s.m[i].name);
	for (const char *need = "gpkg-1"; need; need = NULL) {
		bool found = false;
		for (size_t i = 0; i < s.n; i++)
			found |= strcmp(s.m[i].name, need) == 0;
		if (!found)
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "no 'gpkg-1' member: not a gpkg");
	}
	return 0;
}

/* ---- walking the image ------------------------------------------------------
 */

typedef int (*image_fn)(void *ud, struct archive *in, struct archive_entry *e,
			struct gild_err *err);

/* fn for every member of the opened image archive in, to its end. */
static int each_entry_of(struct archive *in, image_fn fn, void *ud,
			 struct gild_err *err)
{
	struct archive_entry *ie;
	int ar, r;

	while ((ar = archive_read_next_header(in, &ie)) == ARCHIVE_OK)
		if ((r = fn(ud, in, ie, err)) < 0)
			return r;
	if (ar != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "damaged image archive: %s",
				 archive_error_string(in));
	return 0;
}

static int each_image_entry(const char *path, image_fn fn, void *ud,
			    struct gild_err *err)
{
	_cleanup_archive_ struct archive *a = gpkg_outer_open(path, err);
	struct archive_entry *e;
	int ar;

	if (!a)
		return err ? err->code : -EIO;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		_cleanup_archive_ struct archive *in = NULL;

		if (strcmp(gpkg_member_base(entry_name(e)), "image.tar.zst") !=
		    0)
			continue;
		if (!(in = gpkg_inner_open(a, "image.tar.zst", err)))
			return err ? err->code : -GILD_E_SYNTAX;
		return each_entry_of(in, fn, ud, err);
	}
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "no image.tar.zst member");
}

/* "image/usr/bin/x" -> "/usr/bin/x"; "image/" and "image" -> "" */
static const char *image_rel(const char *name)
{
	if (gild_startswith(name, "image/"))
		return name + strlen("image");
	if (strcmp(name, "image") == 0)
		return "";
	return NULL;
}

/* ---- verify: CONTENTS against the image
 * ---------------------------------------- */

struct verify_state {
	struct gpkg_contents c;
	bool *seen;
	char (*sha)[65]; /* computed hashes, for hard links */
	char *buf;
};

static int cmp_entry_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct gpkg_entry *)elem)->path);
}

static int entry_sha256(struct archive *in, char *buf, char out[65],
			struct gild_err *err)
{
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *h =
	    gpkg_hash_new("SHA256");
	la_ssize_t n;

	while ((n = archive_read_data(in, buf, READ_BUFSZ)) > 0)
		gpkg_hash_update(h, buf, (size_t)n);
	if (n < 0)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "damaged image archive: %s",
				 archive_error_string(in));
	gpkg_hash_hex(h, out, 65);
	return 0;
}

static struct gpkg_entry *find_contents(struct verify_state *v, const char *p)
{
	if (!v->c.n)
		return NULL;
	return bsearch(p, v->c.e, v->c.n, sizeof(*v->c.e), cmp_entry_path);
}

static int verify_obj(struct verify_state *v, struct archive *in,
		      struct archive_entry *e, size_t idx, struct gild_err *err)
{
	const char *hl = archive_entry_hardlink(e);
	int r;

	if (hl) {
		const char *rel = image_rel(hl);
		struct gpkg_entry *t = rel ? find_contents(v, rel) : NULL;
		if (!t || !v->seen[t - v->c.e])
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "hard link '%s' to unknown '%s'",
					 v->c.e[idx].path, hl);
		memcpy(v->sha[idx], v->sha[t - v->c.e], 65);
	} else if ((r = entry_sha256(in, v->buf, v->sha[idx], err)) < 0) {
		return r;
	}
	if (strcmp(v->sha[idx], v->c.e[idx].sha256) != 0)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "SHA-256 mismatch for '%s'", v->c.e[idx].path);
	return 0;
}

/* CONTENTS says "user:group" as the tar header names them. */
static bool owner_matches(struct archive_entry *e, const char *owner)
{
	const char *u = archive_entry_uname(e), *g = archive_entry_gname(e);
	size_t ul = u ? strlen(u) : 0;

	return u && g && strncmp(owner, u, ul) == 0 && owner[ul] == ':' &&
	       strcmp(owner + ul + 1, g) == 0;
}

/* One image member's header against CONTENTS: *idx is its entry, *type
 * its type. 1 for the image's root (nothing to check). */
static int verify_header(struct verify_state *v, struct archive_entry *e,
			 size_t *idx_out, enum gpkg_ftype *type,
			 struct gild_err *err)
{
	const char *rel = image_rel(entry_name(e));
	struct gpkg_entry *ce;
	size_t idx;
	mode_t ft = archive_entry_filetype(e);
	enum gpkg_ftype want;

	if (!rel)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "image member '%s' outside image/",
				 entry_name(e));
	if (!rel[0] || strcmp(rel, "/") == 0)
		return 1;
	_cleanup_free_ char *p = xstrdup(rel);
	if (strlen(p) > 1 && p[strlen(p) - 1] == '/')
		p[strlen(p) - 1] = '\0';
	if (!(ce = find_contents(v, p)))
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "'%s' is not in CONTENTS", p);
	idx = (size_t)(ce - v->c.e);
	v->seen[idx] = true;
	want = ft == AE_IFDIR ? GPKG_DIR : ft == AE_IFLNK ? GPKG_SYM : GPKG_OBJ;
	if (want != ce->type || (archive_entry_perm(e) & 07777) != ce->mode)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "type or mode of '%s' differs from CONTENTS",
				 p);
	if (!owner_matches(e, ce->owner))
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "owner of '%s' differs from CONTENTS", p);
	/* a symlink header may carry no target at all (NULL), and no
	 * file system makes a symlink to "" */
	if (want == GPKG_SYM && !*(archive_entry_symlink(e) ?: ""))
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "symlink '%s' without a target", p);
	if (want == GPKG_SYM && strcmp(archive_entry_symlink(e), ce->target))
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "symlink target of '%s' differs from CONTENTS",
				 p);
	*idx_out = idx;
	*type = want;
	return 0;
}

static int verify_entry(void *ud, struct archive *in, struct archive_entry *e,
			struct gild_err *err)
{
	struct verify_state *v = ud;
	enum gpkg_ftype type = GPKG_DIR;
	size_t idx = 0;
	int r = verify_header(v, e, &idx, &type, err);

	if (r != 0)
		return r < 0 ? r : 0;
	return type == GPKG_OBJ ? verify_obj(v, in, e, idx, err) : 0;
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct gpkg_entry *)a)->path,
		      ((const struct gpkg_entry *)b)->path);
}

/* v from the metadata's CONTENTS. */
static int verify_start(struct verify_state *v, const char *path,
			const struct gpkg_meta *m, struct gild_err *err)
{
	const char *text = gpkg_meta_get(m, "CONTENTS");
	int r;

	if (!text)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no CONTENTS in the metadata");
	if ((r = gpkg_contents_parse_pkg(path, text, &v->c, err)) < 0)
		return r;
	if (v->c.n)
		qsort(v->c.e, v->c.n, sizeof(*v->c.e), cmp_entries);
	v->seen = xcalloc(v->c.n + 1, sizeof(*v->seen));
	v->sha = xcalloc(v->c.n + 1, sizeof(*v->sha));
	v->buf = xmalloc(READ_BUFSZ);
	return 0;
}

/* Every entry of CONTENTS was in the image. */
static int verify_all_seen(const struct verify_state *v, struct gild_err *err)
{
	for (size_t i = 0; i < v->c.n; i++)
		if (!v->seen[i])
			return gild_fail(
			    err, -GILD_E_MANIFEST, NULL,
			    "'%s' from CONTENTS is missing in the image",
			    v->c.e[i].path);
	return 0;
}

static void verify_release(struct verify_state *v)
{
	gpkg_contents_release(&v->c);
	free(v->seen);
	free(v->sha);
	free(v->buf);
	*v = (struct verify_state){GPKG_CONTENTS_INIT, NULL, NULL, NULL};
}

static int verify_contents(const char *path, struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	struct verify_state v = {GPKG_CONTENTS_INIT, NULL, NULL, NULL};
	int r;

	if ((r = gpkg_read_meta(path, &m, err)) < 0)
		return r;
	if ((r = verify_start(&v, path, &m, err)) == 0 &&
	    (r = each_image_entry(path, verify_entry, &v, err)) == 0)
		r = verify_all_seen(&v, err);
	verify_release(&v);
	return r;
}

int gpkg_verify(const char *path, struct gild_err *err)
{
	int r = verify_manifest(path, err);

	if (r == 0)
		r = verify_contents(path, err);
	return set_err_file(err, path, r);
}

/* ---- extract ----------------------------------------------------------------
 */

int gpkg_check_member_path(const char *name, struct gild_err *err)
{
	const char *p = name;

	if (name[0] == '/')
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "refusing absolute member name '%s'", name);
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "refusing member name with '..': '%s'",
					 name);
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

/* A relative target is resolved from the link's directory; it must not
 * climb above the image root. Absolute targets are interpreted relative
 * to the root the package is installed into. */
int gpkg_check_symlink(const char *name, const char *target,
		       struct gild_err *err)
{
	int depth = 0;
	const char *p = name;

	if (target[0] == '/')
		return 0;
	for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/'))
		if (s[1] && s[1] != '/')
			depth++;
	for (p = target; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (n && !(n == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "refusing symlink '%s' -> '%s' that "
					 "leaves the image",
					 name, target);
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

struct extract_state {
	struct archive *disk;
	const char *destdir;
	gpkg_keep_fn keep; /* NULL: every entry is written */
	void *keep_ud;
};

/* Whether x writes the member (its CONTENTS path rel). */
static bool x_keeps(const struct extract_state *x, struct archive_entry *e,
		    const char *rel, enum gpkg_ftype type)
{
	if (!x->keep || !rel[0] || strcmp(rel, "/") == 0)
		return true;
	_cleanup_free_ char *p = xstrdup(rel);
	size_t n = strlen(p);
	if (n > 1 && p[n - 1] == '/')
		p[n - 1] = '\0';
	return x->keep(x->keep_ud, p, type, (uint64_t)archive_entry_size(e));
}

static enum gpkg_ftype member_type(struct archive_entry *e)
{
	mode_t ft = archive_entry_filetype(e);

	return ft == AE_IFDIR ? GPKG_DIR : ft == AE_IFLNK ? GPKG_SYM : GPKG_OBJ;
}

static int check_extract_entry(struct archive_entry *e, const char *rel,
			       struct gild_err *err)
{
	const char *name = entry_name(e);
	const char *hl = archive_entry_hardlink(e);
	mode_t ft = archive_entry_filetype(e);
	int r;

	if (!rel)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "refusing member '%s' outside image/", name);
	if ((r = gpkg_check_member_path(name, err)) < 0)
		return r;
	if (hl && (!image_rel(hl) || (r = gpkg_check_member_path(hl, err)) < 0))
		return hl && !image_rel(hl)
			   ? gild_fail(err, -GILD_E_INVALID, NULL,
				       "refusing hard link '%s' outside "
				       "image/",
				       name)
			   : r;
	if (hl)
		return 0;
	/* libarchive gives NULL for a symlink header without a target */
	if (ft == AE_IFLNK &&
	    (!archive_entry_symlink(e) || !*archive_entry_symlink(e)))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "refusing symlink '%s' without a target",
				 name);
	if (ft == AE_IFLNK)
		return gpkg_check_symlink(rel + 1, archive_entry_symlink(e),
					  err);
	if (ft != AE_IFREG && ft != AE_IFDIR)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "refusing special file '%s'", name);
	return 0;
}

/* libarchive reports a failed or short write(2) as ARCHIVE_WARN ("Write
 * failed"), so anything but ARCHIVE_OK is an error: a full disk must not
 * leave a file of zeros behind a success. */
static int fail_disk_write(struct archive *disk, const char *dest,
			   struct gild_err *err)
{
	int e = archive_errno(disk);

	if (e > 0)
		return gild_fail(err, -e, NULL, "cannot write '%s': %s", dest,
				 strerror(e));
	return gild_fail(err, -EIO, NULL, "cannot write '%s': %s", dest,
			 archive_error_string(disk));
}

/* n zero bytes into h (the holes of a sparse member read as zeros). */
static void hash_zeros(struct gpkg_hash *h, uint64_t n)
{
	static const char zeros[4096];

	for (; n; n -= n < sizeof(zeros) ? n : sizeof(zeros))
		gpkg_hash_update(h, zeros,
				 n < sizeof(zeros) ? n : sizeof(zeros));
}

/* The member's data to disk; with h, its bytes as verify reads them. */
static int copy_to_disk(struct archive *in, struct archive *disk,
			const char *name, const char *dest, struct gpkg_hash *h,
			uint64_t size, struct gild_err *err)
{
	const void *buf;
	size_t n;
	la_int64_t off;
	uint64_t pos = 0;
	int ar;

	while ((ar = archive_read_data_block(in, &buf, &n, &off)) ==
	       ARCHIVE_OK) {
		if (archive_write_data_block(disk, buf, n, off) != ARCHIVE_OK)
			return fail_disk_write(disk, dest, err);
		if (!h)
			continue;
		if ((uint64_t)off > pos)
			hash_zeros(h, (uint64_t)off - pos);
		gpkg_hash_update(h, buf, n);
		pos = (uint64_t)off + n;
	}
	if (ar != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "cannot read '%s': %s", name,
				 archive_error_string(in));
	if (h && size > pos)
		hash_zeros(h, size - pos);
	return 0;
}

/* One checked member written under x->destdir; with h, the SHA-256 of a
 * regular file's data as it is written. */
static int write_entry(struct extract_state *x, struct archive *in,
		       struct archive_entry *e, struct gpkg_hash *h,
		       struct gild_err *err)
{
	const char *hl = archive_entry_hardlink(e);
	uint64_t size = (uint64_t)archive_entry_size(e);
	int r;

	/* a copy: setting the entry's pathname (and hard link) below frees
	 * the strings they point into, and the messages need the name */
	_cleanup_free_ char *rel = xstrdup(image_rel(entry_name(e)));
	if (!rel[0] || strcmp(rel, "/") == 0)
		return 0; /* image/ itself: leave destdir's own mode alone */
	_cleanup_free_ char *dest = xasprintf("%s%s", x->destdir, rel);
	_cleanup_free_ char *hdest =
	    hl ? xasprintf("%s%s", x->destdir, image_rel(hl)) : NULL;
	archive_entry_set_pathname(e, dest);
	if (hdest)
		archive_entry_set_hardlink(e, hdest);
	if (archive_write_header(x->disk, e) < ARCHIVE_WARN)
		return gild_fail(err, -EIO, NULL, "cannot extract '%s': %s",
				 rel, archive_error_string(x->disk));
	if (!hdest && archive_entry_filetype(e) == AE_IFREG &&
	    (r = copy_to_disk(in, x->disk, rel, dest, h, size, err)) < 0)
		return r;
	if (archive_write_finish_entry(x->disk) < ARCHIVE_WARN)
		return gild_fail(err, -EIO, NULL, "cannot extract '%s': %s",
				 rel, archive_error_string(x->disk));
	return 0;
}

static int extract_entry(void *ud, struct archive *in, struct archive_entry *e,
			 struct gild_err *err)
{
	struct extract_state *x = ud;
	const char *rel = image_rel(entry_name(e));
	int r = check_extract_entry(e, rel, err);

	if (r < 0)
		return r;
	return x_keeps(x, e, rel, member_type(e))
		   ? write_entry(x, in, e, NULL, err)
		   : 0;
}

/* The extraction checks of every member, without writing anything: a
 * refused package leaves nothing behind. */
static int check_entry_only(void *ud, struct archive *in,
			    struct archive_entry *e, struct gild_err *err)
{
	(void)ud;
	(void)in;
	return check_extract_entry(e, image_rel(entry_name(e)), err);
}

/* x writes under dir (*real keeps the resolved path x points into). */
static int disk_open(struct extract_state *x, const char *dir, char **real,
		     struct gild_err *err)
{
	if (!(*real = realpath(dir, NULL)))
		return gild_fail_errno(err, dir, "cannot resolve");
	x->destdir = strcmp(*real, "/") == 0 ? "" : *real;
	x->disk = archive_write_disk_new();
	archive_write_disk_set_options(
	    x->disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
			 ARCHIVE_EXTRACT_SECURE_SYMLINKS |
			 ARCHIVE_EXTRACT_SECURE_NODOTDOT |
			 (geteuid() == 0 ? ARCHIVE_EXTRACT_OWNER : 0));
	return 0;
}

static int disk_close(struct extract_state *x, int r, struct gild_err *err)
{
	if (r == 0 && archive_write_close(x->disk) != ARCHIVE_OK)
		r = gild_fail(err, -EIO, NULL, "cannot finish extraction: %s",
			      archive_error_string(x->disk));
	archive_write_free(x->disk);
	return r;
}

static int extract_into(const char *path, const char *dir, struct gild_err *err)
{
	_cleanup_free_ char *real = NULL;
	struct extract_state x = {0};
	int r;

	if ((r = disk_open(&x, dir, &real, err)) < 0)
		return r;
	return disk_close(&x, each_image_entry(path, extract_entry, &x, err),
			  err);
}

/* ---- extract in one pass ------------------------------------------------
 * Into a new directory, every check of verify is made while the package
 * is read once: the members' digests as they stream by (the Manifest
 * comes last), each image member against CONTENTS (from the metadata,
 * which comes before the image) before it is written, each file's
 * SHA-256 as it is written. A failure removes the directory, so nothing
 * of a refused package stays; the three passes of verify-then-extract
 * cost a merge 2.4x of tar -x. Members in another order: -EAGAIN, and
 * the caller verifies first. */

struct pass {
	const char *path; /* the package, for messages */
	struct sums s;
	struct verify_state v;
	bool have_contents, have_image;
	struct extract_state x;
};

static int pass_image_entry(void *ud, struct archive *in,
			    struct archive_entry *e, struct gild_err *err)
{
	struct pass *p = ud;
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *h = NULL;
	enum gpkg_ftype type = GPKG_DIR;
	size_t idx = 0;
	int r;

	if ((r = check_extract_entry(e, image_rel(entry_name(e)), err)) < 0 ||
	    (r = verify_header(&p->v, e, &idx, &type, err)) < 0)
		return r;
	bool keep = r == 1 || x_keeps(&p->x, e, image_rel(entry_name(e)), type);
	if (!keep && type == GPKG_OBJ)
		return verify_obj(&p->v, in, e, idx,
				  err); /* read, not written */
	if (!keep)
		return 0;
	if (r == 1 || type != GPKG_OBJ)
		return write_entry(&p->x, in, e, NULL, err);
	if (archive_entry_hardlink(e)) {
		/* a hard link has its target's digest, and no data */
		r = verify_obj(&p->v, in, e, idx, err);
		return r < 0 ? r : write_entry(&p->x, in, e, NULL, err);
	}
	h = gpkg_hash_new("SHA256");
	if ((r = write_entry(&p->x, in, e, h, err)) < 0)
		return r;
	gpkg_hash_hex(h, p->v.sha[idx], 65);
	if (strcmp(p->v.sha[idx], p->v.c.e[idx].sha256) != 0)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "SHA-256 mismatch for '%s'",
				 p->v.c.e[idx].path);
	return 0;
}

static int pass_metadata(struct pass *p, struct archive *a,
			 struct member_hash *h, struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	_cleanup_archive_ struct archive *in =
	    inner_open(a, "metadata.tar.zst", h, err);
	int r;

	if (!in)
		return err ? err->code : -GILD_E_SYNTAX;
	if (p->have_contents)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "duplicate member 'metadata.tar.zst'");
	if ((r = read_meta_inner(in, &m, err)) < 0 ||
	    (r = verify_start(&p->v, p->path, &m, err)) < 0)
		return r;
	p->have_contents = true;
	return 0;
}

static int pass_image(struct pass *p, struct archive *a, struct member_hash *h,
		      struct gild_err *err)
{
	_cleanup_archive_ struct archive *in = NULL;

	if (!p->have_contents)
		return -EAGAIN;
	if (!(in = inner_open(a, "image.tar.zst", h, err)))
		return err ? err->code : -GILD_E_SYNTAX;
	p->have_image = true;
	return each_entry_of(in, pass_image_entry, p, err);
}

static int pass_member(struct pass *p, struct archive *a,
		       struct archive_entry *e, struct gild_err *err)
{
	const char *base = gpkg_member_base(entry_name(e));
	struct member_sum *ms;
	struct member_hash h;
	int r = 0;

	if (strcmp(base, "Manifest") == 0) {
		if (p->s.manifest)
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "duplicate member 'Manifest'");
		return read_entry_data(a, base, &p->s.manifest, err);
	}
	if (!(ms = new_member(&p->s, base, err)))
		return err ? err->code : -GILD_E_MANIFEST;
	if (strcmp(base, "image.tar.zst") == 0)
		member_hash_start_worker(&h);
	else
		member_hash_start(&h);
	if (strcmp(base, "metadata.tar.zst") == 0)
		r = pass_metadata(p, a, &h, err);
	else if (strcmp(base, "image.tar.zst") == 0)
		r = pass_image(p, a, &h, err);
	if (r == 0)
		r = hash_rest(a, base, &h, err);
	if (r == 0)
		member_hash_finish(&h, ms);
	else
		member_hash_release(&h);
	return r;
}

static int extract_one_pass(const char *path, const char *dir,
			    gpkg_keep_fn keep, void *ud, struct gild_err *err)
{
	_cleanup_archive_ struct archive *a = gpkg_outer_open(path, err);
	_cleanup_free_ char *real = NULL;
	struct pass p = {.path = path,
			 .v = {GPKG_CONTENTS_INIT, NULL, NULL, NULL}};
	struct archive_entry *e;
	int ar = ARCHIVE_OK, r;

	if (!a)
		return err ? err->code : -EIO;
	if ((r = disk_open(&p.x, dir, &real, err)) < 0)
		return r;
	p.x.keep = keep;
	p.x.keep_ud = ud;
	while (r == 0 && (ar = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		r = pass_member(&p, a, e, err);
	if (r == 0 && ar != ARCHIVE_EOF)
		r = gild_fail(err, -GILD_E_MANIFEST, NULL,
			      "damaged package archive: %s",
			      archive_error_string(a));
	if (r == 0 && !p.have_contents)
		r = gild_fail(err, -GILD_E_NOTFOUND, NULL,
			      "no metadata.tar.zst member");
	/* as verify: a package without an image is damaged, even when its
	 * CONTENTS is empty (found by tests/fuzz/fuzz-gpkg.c) */
	if (r == 0 && !p.have_image)
		r = gild_fail(err, -GILD_E_NOTFOUND, NULL,
			      "no image.tar.zst member");
	if (r == 0 && (r = check_sums(&p.s, err)) == 0)
		r = verify_all_seen(&p.v, err);
	r = disk_close(&p.x, r, err);
	sums_release(&p.s);
	verify_release(&p.v);
	return r;
}

/* GLEP 78: on a verification failure, "no subsequent operations on the
 * archive should be performed". Then everything 'pkg verify' checks
 * (metadata, CONTENTS against the image) and the extraction's own checks,
 * before anything is written into an existing directory (a build's
 * dependency root, '/'), where a half-written package could not be taken
 * back. */
static int verify_then_check(const char *path, struct gild_err *err)
{
	int r;

	if ((r = verify_manifest(path, err)) < 0 ||
	    (r = each_image_entry(path, check_entry_only, NULL, err)) < 0)
		return r;
	return verify_contents(path, err);
}

/* A new destination is extracted beside it and renamed into place, so a
 * failure (a full disk) leaves no half of a package there; into an
 * existing one (a build's dependency root, '/'), the checks above are
 * what keeps a refused package out. */
static int extract_new_dir(const char *path, const char *destdir,
			   struct gild_err *err)
{
	_cleanup_free_ char *tmp =
	    xasprintf("%s.gild-tmp.%ld", destdir, (long)getpid());
	int r;

	(void)gild_rm_rf(tmp, NULL);
	if ((r = gild_mkdir_p(tmp, 0755, err)) < 0)
		return r;
	if ((r = extract_one_pass(path, tmp, NULL, NULL, err)) == -EAGAIN) {
		/* members out of GLEP 78's order: verify, then extract */
		gild_err_clear(err);
		(void)gild_rm_rf(tmp, NULL);
		if ((r = verify_then_check(path, err)) < 0 ||
		    (r = gild_mkdir_p(tmp, 0755, err)) < 0)
			return r;
		r = extract_into(path, tmp, err);
	} else if (r < 0 && err) {
		/* a damaged package fails the one pass wherever its damage
		 * shows first (a zstd error in the middle of the image); say
		 * what verify says of it. Otherwise (a full disk) the pass's
		 * own error stands. */
		struct gild_err first = *err;
		gild_err_clear(err);
		if (verify_then_check(path, err) == 0)
			*err = first;
		r = err->code;
	}
	if (r == 0 && rename(tmp, destdir) < 0)
		r = gild_fail_errno(err, destdir, "cannot rename into place");
	if (r < 0)
		(void)gild_rm_rf(tmp, NULL);
	return r;
}

int gpkg_extract_scratch(const char *path, const char *destdir,
			 gpkg_keep_fn keep, void *ud, struct gild_err *err)
{
	_cleanup_free_ char *real = NULL;
	struct extract_state x = {0};
	int r = extract_one_pass(path, destdir, keep, ud, err);

	if (r != -EAGAIN)
		return set_err_file(err, path, r);
	/* members out of GLEP 78's order: verify, then extract */
	gild_err_clear(err);
	if ((r = verify_then_check(path, err)) == 0 &&
	    (r = disk_open(&x, destdir, &real, err)) == 0) {
		x.keep = keep;
		x.keep_ud = ud;
		r = disk_close(
		    &x, each_image_entry(path, extract_entry, &x, err), err);
	}
	return set_err_file(err, path, r);
}

int gpkg_extract(const char *path, const char *destdir, struct gild_err *err)
{
	struct stat st;
	int r;

	if (stat(destdir, &st) < 0 && errno == ENOENT)
		r = extract_new_dir(path, destdir, err);
	else if ((r = verify_then_check(path, err)) == 0)
		r = extract_into(path, destdir, err);
	return set_err_file(err, path, r);
}
