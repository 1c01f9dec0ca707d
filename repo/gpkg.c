/* gpkg.c: package metadata, CONTENTS, and writing GLEP 78 GPKG files. */
#include "repo-int.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>

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

const char *gpkg_ftype_name(enum gpkg_ftype t) { return ftype_names[t]; }

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

/* ---- temporary members ------------------------------------------------------ */

/* A compressed member written to an unnamed temporary (O_TMPFILE), so a
 * killed writer leaves nothing behind, hashed on the way through. */
struct member {
	int fd;
	uint64_t size;
	char blake2b[129], sha512[129];
	struct gpkg_hash *b2, *s5;
	struct stage *st; /* hashes and writes off the compression thread */
};

static void member_release(struct member *m)
{
	stage_free(m->st);
	m->st = NULL;
	if (m->fd >= 0)
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

static int member_open(struct member *m, const char *dir, struct gild_err *err)
{
	*m = (struct member){.fd = -1};
	m->fd = open_unnamed_tmp(dir, err);
	if (m->fd < 0)
		return m->fd;
	m->b2 = gpkg_hash_new("BLAKE2B");
	m->s5 = gpkg_hash_new("SHA512");
	return 0;
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
			return gild_fail_errno(err, NULL,
					       "cannot write package temporary");
		p += w;
		left -= (size_t)w;
	}
	m->size += n;
	return 0;
}

static void member_finish(struct member *m);

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

/* Wait for the hashing stage, then finish the digests. */
static int member_flush(struct member *m, struct gild_err *err)
{
	struct stage *st = TAKE_PTR(m->st);
	int r = st ? stage_finish(st, err) : 0;

	if (r == 0)
		member_finish(m);
	return r;
}

static void member_finish(struct member *m)
{
	gpkg_hash_hex(m->b2, m->blake2b, sizeof(m->blake2b));
	gpkg_hash_hex(m->s5, m->sha512, sizeof(m->sha512));
}

/* ---- writing --------------------------------------------------------------- */

static struct tarw_opts member_opts(const struct gpkg_meta *meta, int level)
{
	return (struct tarw_opts){.zstd_level = level,
				  .source_date_epoch = meta->source_date_epoch,
				  .keep_owners = meta->keep_owners,
				  .attrs = meta->attrs, .n_attrs = meta->n_attrs};
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

	return r < 0 ? r : member_flush(m, err);
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
		_cleanup_free_ char *name = xasprintf("metadata/%s", kv[i]->key);
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
	if ((r = tarw_add_dir(t, "metadata", err)) == 0)
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

/* <PF>-<buildid12> (brief), else the file's basename less ".gpkg.tar"
 * (GLEP 78: "a single directory whose name matches the basename"). */
static char *package_dirname(const struct gpkg_meta *meta, const char *out_path)
{
	const char *pf = gpkg_meta_get(meta, "PF");
	const char *bid = gpkg_meta_get(meta, "BUILD_ID");
	const char *base = strrchr(out_path, '/');

	if (pf && bid && bid[0])
		return xasprintf("%s-%.12s", pf, bid);
	base = base ? base + 1 : out_path;
	if (gild_endswith(base, ".gpkg.tar"))
		return xstrndup(base, strlen(base) - strlen(".gpkg.tar"));
	return xstrdup(base);
}

/* Start writeback every this many bytes, so the fsync before the rename
 * waits for the last stretch only, not for the whole package. */
#define OUTER_WRITEBACK (8 * 1024 * 1024)

struct outer_sink {
	int fd;
	uint64_t written, flushed;
};

static void start_writeback(struct outer_sink *s)
{
	if (s->written - s->flushed < OUTER_WRITEBACK)
		return;
	/* Asynchronous and advisory: gild_atomic_commit's fsync is what
	 * makes the package durable. */
	(void)sync_file_range(s->fd, (off_t)s->flushed,
			      (off_t)(s->written - s->flushed),
			      SYNC_FILE_RANGE_WRITE);
	s->flushed = s->written;
}

static int fd_sink(void *ud, const void *buf, size_t n, struct gild_err *err)
{
	struct outer_sink *s = ud;
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gild_fail_errno(err, NULL, "cannot write package");
		p += w;
		n -= (size_t)w;
		s->written += (uint64_t)w;
	}
	start_writeback(s);
	return 0;
}

static int write_outer(const struct gpkg_meta *meta, const char *dir,
		       struct member *meta_m, struct member *img_m, int fd,
		       struct gild_err *err)
{
	struct tarw_opts o = member_opts(meta, 0);
	struct outer_sink s = {fd, 0, 0};
	_cleanup_buf_ struct gild_buf manifest = GILD_BUF_INIT;
	struct member empty = {.fd = -1};
	_cleanup_free_ char *n1 = xasprintf("%s/gpkg-1", dir);
	_cleanup_free_ char *n2 = xasprintf("%s/metadata.tar.zst", dir);
	_cleanup_free_ char *n3 = xasprintf("%s/image.tar.zst", dir);
	_cleanup_free_ char *n4 = xasprintf("%s/Manifest", dir);
	struct tarw *t;
	int r;

	empty.b2 = gpkg_hash_new("BLAKE2B");
	empty.s5 = gpkg_hash_new("SHA512");
	member_finish(&empty);
	member_release(&empty);
	manifest_line(&manifest, "gpkg-1", &empty);
	manifest_line(&manifest, "image.tar.zst", img_m);
	manifest_line(&manifest, "metadata.tar.zst", meta_m);
	if ((r = tarw_open(&t, &o, fd_sink, &s, err)) < 0)
		return r;
	/* GLEP 78 member order: gpkg-1 first (a magic for file(1)), then
	 * metadata (readable from a partial download), image, Manifest. */
	if ((r = tarw_add_mem(t, n1, "", 0, err)) < 0 ||
	    (r = tarw_add_fd(t, n2, meta_m->fd, meta_m->size, err)) < 0 ||
	    (r = tarw_add_fd(t, n3, img_m->fd, img_m->size, err)) < 0 ||
	    (r = tarw_add_mem(t, n4, manifest.p, manifest.n, err)) < 0) {
		tarw_free(t);
		return r;
	}
	return tarw_close(t, err);
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
			 const char *dir, struct member *mm, struct member *im,
			 struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta full = GPKG_META_INIT;
	_cleanup_(gpkg_contents_releasep) struct gpkg_contents c =
		GPKG_CONTENTS_INIT;
	_cleanup_(tarw_freep) struct tarw *t = NULL;
	uint64_t size = 0;
	int r;

	if ((r = member_open(im, dir, err)) < 0 ||
	    (r = member_open(mm, dir, err)) < 0)
		return r;
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

int gpkg_write(const struct gpkg_meta *meta, const char *imagedir,
	       const char *out_path, struct gild_err *err)
{
	_cleanup_free_ char *dcopy = xstrdup(out_path), *bcopy = xstrdup(out_path);
	const char *outdir = dirname(dcopy), *base = basename(bcopy);
	_cleanup_free_ char *dir = package_dirname(meta, out_path);
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	struct member mm = {.fd = -1}, im = {.fd = -1};
	_cleanup_close_ int dirfd = -1, lockfd = -1;
	int r;

	dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return gild_fail_errno(err, outdir, "cannot open directory");
	if ((lockfd = lock_package(dirfd, base, out_path, err)) < 0)
		return lockfd;
	remove_stale_temps(dirfd, base);
	r = write_members(meta, imagedir, outdir, &mm, &im, err);
	if (r == 0)
		r = gild_atomic_open(&af, dirfd, base, 0644, err);
	if (r == 0)
		r = write_outer(meta, dir, &mm, &im, af.fd, err);
	member_release(&mm);
	member_release(&im);
	if (r < 0)
		return r;
	return gild_atomic_commit(&af, err);
}
