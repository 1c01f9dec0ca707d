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

struct inner_src {
	struct archive *outer;
	char buf[READ_BUFSZ];
};

static la_ssize_t inner_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct inner_src *s = ud;
	la_ssize_t n = archive_read_data(s->outer, s->buf, sizeof(s->buf));

	if (n < 0)
		archive_set_error(a, EIO, "%s", archive_error_string(s->outer));
	*buf = s->buf;
	return n;
}

static int inner_close_cb(struct archive *a, void *ud)
{
	free(ud);
	return ARCHIVE_OK;
}

struct archive *gpkg_inner_open(struct archive *outer, const char *name,
				struct gild_err *err)
{
	struct archive *a = archive_read_new();
	struct inner_src *s = xcalloc(1, sizeof(*s));

	s->outer = outer;
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

static int hash_member(struct archive *a, const char *name,
		       struct member_sum *ms, struct gild_err *err)
{
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *b2 =
	    gpkg_hash_new("BLAKE2B");
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *s5 =
	    gpkg_hash_new("SHA512");
	_cleanup_free_ char *buf = xmalloc(READ_BUFSZ);
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, READ_BUFSZ)) > 0) {
		gpkg_hash_update(b2, buf, (size_t)n);
		gpkg_hash_update(s5, buf, (size_t)n);
		ms->size += (uint64_t)n;
	}
	if (n < 0)
		return gild_fail(err, -GILD_E_MANIFEST, NULL,
				 "truncated member '%s': %s", name,
				 archive_error_string(a));
	gpkg_hash_hex(b2, ms->blake2b, sizeof(ms->blake2b));
	gpkg_hash_hex(s5, ms->sha512, sizeof(ms->sha512));
	return 0;
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
			free(s->manifest);
			if ((r = read_entry_data(a, base, &s->manifest, err)) <
			    0)
				return r;
			continue;
		}
		for (size_t i = 0; i < s->n; i++)
			if (strcmp(s->m[i].name, base) == 0)
				return gild_fail(err, -GILD_E_MANIFEST, NULL,
						 "duplicate member '%s'", base);
		gild_grow(&s->m, &s->cap, s->n + 1, sizeof(*s->m));
		ms = &s->m[s->n++];
		*ms = (struct member_sum){.name = xstrdup(base)};
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
static int verify_manifest(const char *path, struct gild_err *err)
{
	_cleanup_(sums_release) struct sums s = {0};
	char *rest, *line;
	unsigned lineno = 0;
	int r;

	if ((r = collect_sums(path, &s, err)) < 0)
		return r;
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

static int each_image_entry(const char *path, image_fn fn, void *ud,
			    struct gild_err *err)
{
	_cleanup_archive_ struct archive *a = gpkg_outer_open(path, err);
	struct archive_entry *e;
	int ar, r;

	if (!a)
		return err ? err->code : -EIO;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		_cleanup_archive_ struct archive *in = NULL;
		struct archive_entry *ie;

		if (strcmp(gpkg_member_base(entry_name(e)), "image.tar.zst") !=
		    0)
			continue;
		if (!(in = gpkg_inner_open(a, "image.tar.zst", err)))
			return err ? err->code : -GILD_E_SYNTAX;
		while ((ar = archive_read_next_header(in, &ie)) == ARCHIVE_OK)
			if ((r = fn(ud, in, ie, err)) < 0)
				return r;
		if (ar != ARCHIVE_EOF)
			return gild_fail(err, -GILD_E_MANIFEST, NULL,
					 "damaged image archive: %s",
					 archive_error_string(in));
		return 0;
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

static int verify_entry(void *ud, struct archive *in, struct archive_entry *e,
			struct gild_err *err)
{
	struct verify_state *v = ud;
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
		return 0;
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
	return want == GPKG_OBJ ? verify_obj(v, in, e, idx, err) : 0;
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct gpkg_entry *)a)->path,
		      ((const struct gpkg_entry *)b)->path);
}

static int verify_contents(const char *path, struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	struct verify_state v = {GPKG_CONTENTS_INIT, NULL, NULL, NULL};
	const char *text;
	int r;

	if ((r = gpkg_read_meta(path, &m, err)) < 0)
		return r;
	if (!(text = gpkg_meta_get(&m, "CONTENTS")))
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no CONTENTS in the metadata");
	if ((r = gpkg_contents_parse(text, &v.c, err)) == 0) {
		if (v.c.n)
			qsort(v.c.e, v.c.n, sizeof(*v.c.e), cmp_entries);
		v.seen = xcalloc(v.c.n + 1, sizeof(*v.seen));
		v.sha = xcalloc(v.c.n + 1, sizeof(*v.sha));
		v.buf = xmalloc(READ_BUFSZ);
		r = each_image_entry(path, verify_entry, &v, err);
	}
	for (size_t i = 0; r == 0 && i < v.c.n; i++)
		if (!v.seen[i])
			r = gild_fail(
			    err, -GILD_E_MANIFEST, NULL,
			    "'%s' from CONTENTS is missing in the image",
			    v.c.e[i].path);
	gpkg_contents_release(&v.c);
	free(v.seen);
	free(v.sha);
	free(v.buf);
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
};

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

static int copy_to_disk(struct archive *in, struct archive *disk,
			const char *name, const char *dest,
			struct gild_err *err)
{
	const void *buf;
	size_t n;
	la_int64_t off;
	int ar;

	while ((ar = archive_read_data_block(in, &buf, &n, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(disk, buf, n, off) != ARCHIVE_OK)
			return fail_disk_write(disk, dest, err);
	if (ar != ARCHIVE_EOF)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "cannot read '%s': %s", name,
				 archive_error_string(in));
	return 0;
}

static int extract_entry(void *ud, struct archive *in, struct archive_entry *e,
			 struct gild_err *err)
{
	struct extract_state *x = ud;
	const char *hl = archive_entry_hardlink(e);
	int r;

	if ((r = check_extract_entry(e, image_rel(entry_name(e)), err)) < 0)
		return r;
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
	    (r = copy_to_disk(in, x->disk, rel, dest, err)) < 0)
		return r;
	if (archive_write_finish_entry(x->disk) < ARCHIVE_WARN)
		return gild_fail(err, -EIO, NULL, "cannot extract '%s': %s",
				 rel, archive_error_string(x->disk));
	return 0;
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

static int extract_into(const char *path, const char *dir, struct gild_err *err)
{
	_cleanup_free_ char *real = realpath(dir, NULL);
	struct extract_state x = {0};
	int r;

	if (!real)
		return gild_fail_errno(err, dir, "cannot resolve");
	x.destdir = strcmp(real, "/") == 0 ? "" : real;
	x.disk = archive_write_disk_new();
	archive_write_disk_set_options(
	    x.disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
			ARCHIVE_EXTRACT_SECURE_SYMLINKS |
			ARCHIVE_EXTRACT_SECURE_NODOTDOT |
			(geteuid() == 0 ? ARCHIVE_EXTRACT_OWNER : 0));
	r = each_image_entry(path, extract_entry, &x, err);
	if (r == 0 && archive_write_close(x.disk) != ARCHIVE_OK)
		r = gild_fail(err, -EIO, NULL, "cannot finish extraction: %s",
			      archive_error_string(x.disk));
	archive_write_free(x.disk);
	return r;
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
	if ((r = extract_into(path, tmp, err)) == 0 && rename(tmp, destdir) < 0)
		r = gild_fail_errno(err, destdir, "cannot rename into place");
	if (r < 0)
		(void)gild_rm_rf(tmp, NULL);
	return r;
}

int gpkg_extract(const char *path, const char *destdir, struct gild_err *err)
{
	struct stat st;
	int r;

	/* GLEP 78: on a verification failure, "no subsequent operations on
	 * the archive should be performed". Then everything 'pkg verify'
	 * checks (metadata, CONTENTS against the image) before writing. */
	if ((r = verify_manifest(path, err)) < 0 ||
	    (r = each_image_entry(path, check_entry_only, NULL, err)) < 0 ||
	    (r = verify_contents(path, err)) < 0)
		return set_err_file(err, path, r);
	if (stat(destdir, &st) < 0 && errno == ENOENT)
		r = extract_new_dir(path, destdir, err);
	else
		r = extract_into(path, destdir, err);
	return set_err_file(err, path, r);
}
