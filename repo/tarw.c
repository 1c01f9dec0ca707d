/* tarw.c: a deterministic tar (+zstd) writer.
 *
 * Reproducible-builds.org "Archive metadata": members sorted by name,
 * mtimes clamped to SOURCE_DATE_EPOCH, owners normalised, no atime/ctime,
 * no xattrs. Entries are built by hand from lstat() (never from
 * archive_read_disk, which would copy atime, ctime and xattrs), and the
 * restricted pax format writes plain ustar headers unless a name or size
 * needs an extension (GLEP 78 "Permitted .tar format features").
 */
#include "repo-impl.h"
#include "repo.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zstd.h>

#define TARW_BUFSZ (256 * 1024)
/* Uncompressed tar handed to the compression thread in chunks this big. */
#define TARW_ZCHUNK (1024 * 1024)
/* Window for copying a member from a mapping (page-aligned, and below
 * archive_write_data's INT_MAX). */
#define TARW_MAPCHUNK (64 * 1024 * 1024)
/* Zeros fed per call by tarw_add_zeros (more than one output block). */
#define TARW_ZEROCHUNK (4 * 1024 * 1024)
/* tar's default record size (libarchive's default block). */
#define TARW_RECORD 10240

struct tarw_link {
	dev_t dev;
	ino_t ino;
	char *name; /* archive name of the first occurrence */
	char sha256[65];
};

struct tarw {
	struct archive *a;
	struct tarw_opts o;
	tarw_sink_fn sink;
	tarw_swap_fn swap_sink; /* or NULL */
	void *ud;
	int sink_rc;
	struct gild_err sink_err;
	uint64_t payload;
	uint64_t bytes_out; /* raw archive bytes produced so far */
	struct tarw_link *links;
	size_t nlinks, caplinks;
	char *buf;
	/* zstd_level > 0: raw tar collects in zin, a stage compresses it;
	 * the stage (a thread) starts with the first full buffer: an archive
	 * smaller than one is compressed at the end in one call, which lets
	 * zstd size its tables to it (a package of a few files took 1.5 ms
	 * of clearing tables made for a large stream). */
	struct stage *zstage;
	bool zstreamed; /* a full buffer went out: a stream, not one call */
	ZSTD_CCtx *zctx;
	char *zin, *zout;
	size_t zin_n, zin_cap, zout_n, zout_cap;
};

/* Give the filled output buffer to the sink: swapped for a spare one if
 * the sink can take buffers (no copy), else copied by the sink. */
static int zstd_hand_on(struct tarw *t, struct gild_err *err)
{
	size_t n = t->zout_n;
	int r;

	t->zout_n = 0;
	if (!t->swap_sink)
		return t->sink(t->ud, t->zout, n, err);
	if ((r = t->swap_sink(t->ud, &t->zout, &t->zout_cap, n, err)) < 0)
		return r;
	if (t->zout_cap < TARW_ZCHUNK) {
		free(t->zout);
		t->zout = xmalloc(TARW_ZCHUNK);
		t->zout_cap = TARW_ZCHUNK;
	}
	return 0;
}

/* Compression thread: zstd at a fixed level, single-threaded, so the
 * frame depends only on the input (reproducible-builds.org). */
static int zstd_stage(void *ud, const void *buf, size_t n, struct gild_err *err)
{
	struct tarw *t = ud;
	ZSTD_inBuffer in = {buf, n, 0};
	ZSTD_EndDirective mode = buf ? ZSTD_e_continue : ZSTD_e_end;
	size_t left;
	int r;

	do {
		ZSTD_outBuffer out = {t->zout, t->zout_cap, t->zout_n};
		left = ZSTD_compressStream2(t->zctx, &out, &in, mode);
		if (ZSTD_isError(left))
			return gild_fail(err, -EIO, NULL, "zstd: %s",
					 ZSTD_getErrorName(left));
		t->zout_n = out.pos;
		/* Hand on whole buffers (fewer, larger pushes), the rest at
		 * the end of the frame. */
		if ((t->zout_n == t->zout_cap ||
		     (mode == ZSTD_e_end && left == 0)) &&
		    t->zout_n && (r = zstd_hand_on(t, err)) < 0)
			return r;
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int tarw_emit(struct tarw *t, const void *buf, size_t n)
{
	const char *p = buf;

	if (!t->zctx)
		return t->sink(t->ud, buf, n, &t->sink_err);
	while (n > 0) {
		size_t k =
		    TARW_ZCHUNK - t->zin_n < n ? TARW_ZCHUNK - t->zin_n : n;
		int r;
		/* Data read in place by tarw_data_buf is already there. */
		if (p != t->zin + t->zin_n)
			memcpy(t->zin + t->zin_n, p, k);
		t->zin_n += k;
		p += k;
		n -= k;
		if (t->zin_n == TARW_ZCHUNK) {
			t->zin_n = 0;
			if (!t->zstreamed)
				t->zstage = stage_try_new(zstd_stage, t);
			t->zstreamed = true;
			/* no thread to be had: compressed here, the same
			 * frame either way */
			if (!t->zstage) {
				if ((r = zstd_stage(t, t->zin, TARW_ZCHUNK,
						    &t->sink_err)) < 0)
					return r;
				continue;
			}
			if ((r = stage_push_swap(t->zstage, &t->zin,
						 &t->zin_cap, TARW_ZCHUNK,
						 &t->sink_err)) < 0)
				return r;
			if (t->zin_cap < TARW_ZCHUNK) {
				free(t->zin);
				t->zin = xmalloc(TARW_ZCHUNK);
				t->zin_cap = TARW_ZCHUNK;
			}
		}
	}
	return 0;
}

static la_ssize_t tarw_write_cb(struct archive *a, void *ud, const void *buf,
				size_t n)
{
	struct tarw *t = ud;

	if (t->sink_rc < 0)
		return -1;
	t->sink_rc = tarw_emit(t, buf, n);
	t->bytes_out += n;
	if (t->sink_rc < 0) {
		archive_set_error(a, EIO, "%s", t->sink_err.msg);
		return -1;
	}
	return (la_ssize_t)n;
}

/* A libarchive failure as a gild error; a sink failure keeps its own. */
static int tarw_fail(struct tarw *t, const char *what, struct gild_err *err)
{
	if (t->sink_rc < 0) {
		if (err)
			*err = t->sink_err;
		return t->sink_rc;
	}
	return gild_fail(err, -EIO, NULL,
			 "cannot write archive member '%s': %s", what,
			 archive_error_string(t->a));
}

void tarw_free(struct tarw *t)
{
	if (!t)
		return;
	if (t->a)
		archive_write_free(t->a);
	stage_free(t->zstage);
	ZSTD_freeCCtx(t->zctx);
	free(t->zin);
	free(t->zout);
	for (size_t i = 0; i < t->nlinks; i++)
		free(t->links[i].name);
	free(t->links);
	free(t->buf);
	free(t);
}

static int tarw_setup_zstd(struct tarw *t, struct gild_err *err)
{
	if (t->o.zstd_level <= 0)
		return 0;
	t->zctx = ZSTD_createCCtx();
	if (!t->zctx ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(
		t->zctx, ZSTD_c_compressionLevel, t->o.zstd_level)) ||
	    ZSTD_isError(
		ZSTD_CCtx_setParameter(t->zctx, ZSTD_c_checksumFlag, 1)))
		return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
				 "cannot set up zstd level %d",
				 t->o.zstd_level);
	t->zin = xmalloc(TARW_ZCHUNK);
	t->zin_cap = TARW_ZCHUNK;
	/* Unblocked: libarchive hands its writes straight to tarw_emit
	 * (no 10240-byte record copy; the stream is not padded at the end). */
	archive_write_set_bytes_per_block(t->a, 0);
	t->zout_cap = TARW_ZCHUNK;
	t->zout = xmalloc(t->zout_cap);
	return 0;
}

/* An uncompressed archive keeps tar's 10240-byte records (the file ends
 * padded to a multiple of 10240, as before), but libarchive hands large
 * data on in 1000 KiB writes instead of one write per record. */
static void tarw_setup_blocks(struct archive *a)
{
	archive_write_set_bytes_per_block(a, TARW_RECORD * 100);
	archive_write_set_bytes_in_last_block(a, TARW_RECORD);
}

static int tarw_open_mode(struct tarw **out, const struct tarw_opts *opts,
			  tarw_sink_fn sink, void *ud, bool unblocked,
			  struct gild_err *err);

int tarw_open(struct tarw **out, const struct tarw_opts *opts,
	      tarw_sink_fn sink, void *ud, struct gild_err *err)
{
	return tarw_open_mode(out, opts, sink, ud, false, err);
}

int tarw_open_unblocked(struct tarw **out, const struct tarw_opts *opts,
			tarw_sink_fn sink, void *ud, struct gild_err *err)
{
	return tarw_open_mode(out, opts, sink, ud, true, err);
}

static int tarw_open_mode(struct tarw **out, const struct tarw_opts *opts,
			  tarw_sink_fn sink, void *ud, bool unblocked,
			  struct gild_err *err)
{
	_cleanup_(tarw_freep) struct tarw *t = xcalloc(1, sizeof(*t));
	int r;

	t->o = *opts;
	if (t->o.source_date_epoch < 0)
		t->o.source_date_epoch = 0;
	t->sink = sink;
	t->ud = ud;
	t->buf = xmalloc(TARW_BUFSZ);
	t->a = archive_write_new();
	if (!t->a)
		return gild_fail(err, -ENOMEM, NULL, "cannot create archive");
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK)
		return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
				 "pax format unavailable");
	if ((r = tarw_setup_zstd(t, err)) < 0)
		return r;
	if (t->o.zstd_level <= 0 && unblocked)
		archive_write_set_bytes_per_block(t->a, 0);
	else if (t->o.zstd_level <= 0)
		tarw_setup_blocks(t->a);
	if (archive_write_open2(t->a, t, NULL, tarw_write_cb, NULL, NULL) !=
	    ARCHIVE_OK)
		return tarw_fail(t, "(start)", err);
	*out = TAKE_PTR(t);
	return 0;
}

static void entry_set_owner(struct tarw *t, struct archive_entry *e,
			    const struct stat *st, char **owner)
{
	char ubuf[32], gbuf[32];
	const char *uname = "root", *gname = "root";

	if (t->o.keep_owners && st && t->o.owner_name) {
		/* names from the tree being archived (an image's passwd), not
		 * from the host */
		const char *u =
		    t->o.owner_name(t->o.owner_ud, false, st->st_uid);
		const char *g =
		    t->o.owner_name(t->o.owner_ud, true, st->st_gid);
		snprintf(ubuf, sizeof(ubuf), "%u", (unsigned)st->st_uid);
		snprintf(gbuf, sizeof(gbuf), "%u", (unsigned)st->st_gid);
		uname = u ? u : ubuf;
		gname = g ? g : gbuf;
		archive_entry_set_uid(e, st->st_uid);
		archive_entry_set_gid(e, st->st_gid);
	} else if (t->o.keep_owners && st) {
		struct passwd *pw = getpwuid(st->st_uid);
		struct group *gr = getgrgid(st->st_gid);

		snprintf(ubuf, sizeof(ubuf), "%u", (unsigned)st->st_uid);
		snprintf(gbuf, sizeof(gbuf), "%u", (unsigned)st->st_gid);
		uname = pw ? pw->pw_name : ubuf;
		gname = gr ? gr->gr_name : gbuf;
		archive_entry_set_uid(e, st->st_uid);
		archive_entry_set_gid(e, st->st_gid);
	} else {
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
	}
	archive_entry_copy_uname(e, uname);
	archive_entry_copy_gname(e, gname);
	if (owner)
		*owner = xasprintf("%s:%s", uname, gname);
}

static int cmp_attr(const void *key, const void *elem)
{
	return strcmp(key, ((const struct gpkg_attr *)elem)->path);
}

/* What the recipe asked for path (fowners, fperms), or NULL. */
static const struct gpkg_attr *find_attr(const struct tarw *t, const char *path)
{
	if (!t->o.n_attrs)
		return NULL;
	return bsearch(path, t->o.attrs, t->o.n_attrs, sizeof(*t->o.attrs),
		       cmp_attr);
}

/* Apply a recipe's owner and mode to the entry and to its CONTENTS
 * owner ("owner and group recorded by name and number as the
 * recipe set them"). */
static void entry_apply_attr(struct archive_entry *e, const struct gpkg_attr *a,
			     struct stat *st, char **owner)
{
	_cleanup_free_ char *user =
	    xstrdup(a->user ? a->user : archive_entry_uname(e));
	_cleanup_free_ char *group =
	    xstrdup(a->group ? a->group : archive_entry_gname(e));

	if (a->mode >= 0) {
		st->st_mode =
		    (st->st_mode & S_IFMT) | ((unsigned)a->mode & 07777);
		archive_entry_set_mode(e, st->st_mode);
	}
	if (a->user)
		archive_entry_set_uid(e, a->uid);
	if (a->group)
		archive_entry_set_gid(e, a->gid);
	if (owner) {
		char *o = xasprintf("%s:%s", user, group);
		free(*owner);
		*owner = o;
	}
	archive_entry_copy_uname(e, user);
	archive_entry_copy_gname(e, group);
}

static int64_t tarw_clamp(const struct tarw *t, int64_t mtime)
{
	return mtime > t->o.source_date_epoch ? t->o.source_date_epoch : mtime;
}

static int tarw_write_entry(struct tarw *t, struct archive_entry *e,
			    const char *name, struct gild_err *err)
{
	if (archive_write_header(t->a, e) < ARCHIVE_WARN)
		return tarw_fail(t, name, err);
	return 0;
}

/* The header of a regular file of size bytes (mode 0644, root). */
static int tarw_file_header(struct tarw *t, const char *path, uint64_t size,
			    struct gild_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, t->o.source_date_epoch, 0);
	entry_set_owner(t, e, NULL, NULL);
	r = tarw_write_entry(t, e, path, err);
	archive_entry_free(e);
	return r;
}

int tarw_add_mem(struct tarw *t, const char *path, const void *data, size_t n,
		 struct gild_err *err)
{
	int r = tarw_file_header(t, path, n, err);

	if (r < 0)
		return r;
	if (n && archive_write_data(t->a, data, n) != (la_ssize_t)n)
		return tarw_fail(t, path, err);
	return 0;
}

int tarw_add_dir(struct tarw *t, const char *path, struct gild_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFDIR);
	archive_entry_set_perm(e, 0755);
	archive_entry_set_mtime(e, t->o.source_date_epoch, 0);
	entry_set_owner(t, e, NULL, NULL);
	r = tarw_write_entry(t, e, path, err);
	archive_entry_free(e);
	return r;
}

void tarw_set_swap_sink(struct tarw *t, tarw_swap_fn fn)
{
	t->swap_sink = fn;
}

uint64_t tarw_bytes_out(const struct tarw *t)
{
	return t->bytes_out;
}

uint64_t tarw_payload_size(const struct tarw *t)
{
	return t->payload;
}

/* The whole raw tar, still in zin, as one frame that records its size. */
static int tarw_compress_whole(struct tarw *t, struct gild_err *err)
{
	size_t bound = ZSTD_compressBound(t->zin_n), n;

	if (t->zout_cap < bound) {
		free(t->zout);
		t->zout = xmalloc(bound);
		t->zout_cap = bound;
	}
	n = ZSTD_compress2(t->zctx, t->zout, t->zout_cap, t->zin, t->zin_n);
	if (ZSTD_isError(n))
		return gild_fail(err, -EIO, NULL, "zstd: %s",
				 ZSTD_getErrorName(n));
	t->zout_n = n;
	return zstd_hand_on(t, err);
}

int tarw_close(struct tarw *t, struct gild_err *err)
{
	_cleanup_(tarw_freep) struct tarw *owned = t;

	struct stage *zs;
	int r;

	/* Closing flushes libarchive's last blocks into the stage. */
	if (archive_write_close(t->a) != ARCHIVE_OK)
		return tarw_fail(t, "(end)", err);
	if (!t->zctx)
		return 0;
	if (!t->zstreamed)
		return tarw_compress_whole(t, err);
	if (!(zs = TAKE_PTR(t->zstage))) /* streamed without a thread */
		return (r = zstd_stage(t, t->zin, t->zin_n, err)) < 0
			   ? r
			   : zstd_stage(t, NULL, 0, err);
	/* The rest of the raw tar, then let the stage end the frame. */
	if (t->zin_n && (r = stage_push(zs, t->zin, t->zin_n, err)) < 0) {
		stage_free(zs);
		return r;
	}
	return stage_finish(zs, err);
}

/* ---- walking a tree --------------------------------------------------------
 */

struct walk {
	struct tarw *t;
	struct gpkg_contents *contents;
	const char *srcdir; /* for messages */
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory, sorted bytewise (locale-independent). */
static int list_dir_sorted(int dirfd, const char *display,
			   struct gild_strv *out, struct gild_err *err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return gild_fail_errno(err, display, "cannot read directory");
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			gild_strv_add(out, de->d_name);
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_names);
	return 0;
}

static struct gpkg_entry *contents_push(struct gpkg_contents *c)
{
	gild_grow(&c->e, &c->cap, c->n + 1, sizeof(*c->e));
	memset(&c->e[c->n], 0, sizeof(*c->e));
	return &c->e[c->n++];
}

static void record_entry(struct walk *w, enum gpkg_ftype type,
			 const struct stat *st, const char *cpath,
			 const char *sha, const char *target, char *owner)
{
	struct gpkg_entry *ce;

	if (!w->contents) {
		free(owner);
		return;
	}
	ce = contents_push(w->contents);
	ce->type = type;
	ce->mode = st->st_mode & 07777;
	ce->owner = owner;
	snprintf(ce->sha256, sizeof(ce->sha256), "%s", sha ? sha : "");
	ce->path = xstrdup(cpath);
	ce->target = target ? xstrdup(target) : NULL;
}

static struct tarw_link *find_link(struct tarw *t, const struct stat *st)
{
	for (size_t i = 0; i < t->nlinks; i++)
		if (t->links[i].dev == st->st_dev &&
		    t->links[i].ino == st->st_ino)
			return &t->links[i];
	return NULL;
}

/* Where to read the next piece of file data, and how much fits: for a
 * compressed archive the free end of the compression buffer itself, so
 * the data is not copied again on its way to zstd (tarw_emit sees it is
 * already in place). tarw_emit hands a full buffer on at once, so there
 * is always room. */
static char *tarw_data_buf(struct tarw *t, size_t *room)
{
	if (!t->zctx) {
		*room = TARW_BUFSZ;
		return t->buf;
	}
	*room = TARW_ZCHUNK - t->zin_n;
	return t->zin + t->zin_n;
}

/* Stream a regular file into the archive, hashing it (SHA-256). */
static int copy_file_data(struct tarw *t, int fd, const struct stat *st,
			  const char *name, char sha[65], struct gild_err *err)
{
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *h =
	    gpkg_hash_new("SHA256");
	uint64_t left = (uint64_t)st->st_size;

	while (left > 0) {
		size_t room;
		char *buf = tarw_data_buf(t, &room);
		ssize_t n = read(fd, buf, left < room ? left : room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gild_fail_errno(err, name, "cannot read");
		if (n == 0)
			return gild_fail(
			    err, -EIO, NULL,
			    "file '%s' shrank while being packaged", name);
		gpkg_hash_update(h, buf, (size_t)n);
		if (archive_write_data(t->a, buf, (size_t)n) != n)
			return tarw_fail(t, name, err);
		left -= (uint64_t)n;
	}
	gpkg_hash_hex(h, sha, 65);
	return 0;
}

static int add_regular(struct walk *w, int dirfd, const char *base,
		       struct archive_entry *e, const struct stat *st,
		       const char *name, const char *cpath,
		       struct gild_err *err)
{
	struct tarw *t = w->t;
	struct tarw_link *l = st->st_nlink > 1 ? find_link(t, st) : NULL;
	_cleanup_close_ int fd = -1;
	char sha[65] = "";
	int r;

	if (l) {
		/* A later name of a hard-linked inode: a tar hard link to
		 * the first name, so the link round-trips. */
		archive_entry_set_hardlink(e, l->name);
		archive_entry_set_size(e, 0);
		if ((r = tarw_write_entry(t, e, name, err)) < 0)
			return r;
		record_entry(w, GPKG_OBJ, st, cpath, l->sha256, NULL, NULL);
		return 0;
	}
	fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return gild_fail_errno(err, name, "cannot open");
	archive_entry_set_size(e, st->st_size);
	if ((r = tarw_write_entry(t, e, name, err)) < 0)
		return r;
	if ((r = copy_file_data(t, fd, st, name, sha, err)) < 0)
		return r;
	t->payload += (uint64_t)st->st_size;
	if (st->st_nlink > 1) {
		gild_grow(&t->links, &t->caplinks, t->nlinks + 1,
			  sizeof(*t->links));
		t->links[t->nlinks] = (struct tarw_link){.dev = st->st_dev,
							 .ino = st->st_ino,
							 .name = xstrdup(name)};
		memcpy(t->links[t->nlinks++].sha256, sha, 65);
	}
	record_entry(w, GPKG_OBJ, st, cpath, sha, NULL, NULL);
	return 0;
}

static int add_tree_at(struct walk *w, int dirfd, const char *prefix,
		       const char *cprefix, struct gild_err *err);

static int refuse_special(const char *cpath, const struct stat *st,
			  struct gild_err *err)
{
	const char *what = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)
			       ? "device node"
			   : S_ISFIFO(st->st_mode) ? "FIFO"
						   : "socket";
	return gild_fail(err, -GILD_E_INVALID, NULL,
			 "%s '%s' cannot be packaged (create it at image "
			 "assembly instead)",
			 what, cpath);
}

static int add_symlink(struct walk *w, int dirfd, const char *base,
		       struct archive_entry *e, const struct stat *st,
		       const char *name, const char *cpath,
		       struct gild_err *err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, base, target, sizeof(target) - 1);
	int r;

	if (n < 0)
		return gild_fail_errno(err, name, "cannot read symlink");
	target[n] = '\0';
	if (strchr(target, '\n'))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "symlink target of '%s' contains a newline",
				 cpath);
	archive_entry_set_symlink(e, target);
	if ((r = tarw_write_entry(w->t, e, name, err)) < 0)
		return r;
	record_entry(w, GPKG_SYM, st, cpath, NULL, target, NULL);
	return 0;
}

static int add_one(struct walk *w, int dirfd, const char *base,
		   const char *prefix, const char *cprefix,
		   struct gild_err *err)
{
	_cleanup_free_ char *name =
	    prefix[0] ? xasprintf("%s/%s", prefix, base) : xstrdup(base);
	_cleanup_free_ char *cpath = xasprintf("%s/%s", cprefix, base);
	const struct gpkg_attr *attr;
	struct archive_entry *e;
	struct stat st;
	char *owner = NULL;
	int r;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return gild_fail_errno(err, cpath, "cannot stat");
	if (strchr(base, '\n'))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "file name with a newline cannot be packaged "
				 "in '%s'",
				 cprefix[0] ? cprefix : "/");
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    !S_ISLNK(st.st_mode))
		return refuse_special(cpath, &st, err);
	e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, st.st_mode & (S_IFMT | 07777));
	archive_entry_set_mtime(e, tarw_clamp(w->t, st.st_mtime), 0);
	entry_set_owner(w->t, e, &st, &owner);
	if ((attr = find_attr(w->t, cpath)))
		entry_apply_attr(e, attr, &st, &owner);
	if (S_ISDIR(st.st_mode)) {
		r = tarw_write_entry(w->t, e, name, err);
		record_entry(w, GPKG_DIR, &st, cpath, NULL, NULL, owner);
		owner = NULL;
		if (r == 0) {
			_cleanup_close_ int sub = openat(
			    dirfd, base,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? gild_fail_errno(err, cpath, "cannot open")
				    : add_tree_at(w, sub, name, cpath, err);
		}
	} else if (S_ISLNK(st.st_mode)) {
		r = add_symlink(w, dirfd, base, e, &st, name, cpath, err);
	} else {
		r = add_regular(w, dirfd, base, e, &st, name, cpath, err);
	}
	/* record_entry took owner for dirs; for the rest, set it here so
	 * the hash (computed while writing) is already known. */
	if (owner && w->contents && w->contents->n &&
	    !w->contents->e[w->contents->n - 1].owner)
		w->contents->e[w->contents->n - 1].owner = owner;
	else
		free(owner);
	archive_entry_free(e);
	return r;
}

static int add_tree_at(struct walk *w, int dirfd, const char *prefix,
		       const char *cprefix, struct gild_err *err)
{
	_cleanup_strv_ struct gild_strv names = GILD_STRV_INIT;
	int r;

	if ((r = list_dir_sorted(dirfd, cprefix[0] ? cprefix : "/", &names,
				 err)) < 0)
		return r;
	for (size_t i = 0; i < names.n; i++)
		if ((r = add_one(w, dirfd, names.v[i], prefix, cprefix, err)) <
		    0)
			return r;
	return 0;
}

int tarw_add_tree(struct tarw *t, const char *srcdir, const char *prefix,
		  struct gpkg_contents *contents, struct gild_err *err)
{
	_cleanup_close_ int fd =
	    open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct walk w = {t, contents, srcdir};
	int r;

	if (fd < 0)
		return gild_fail_errno(err, srcdir, "cannot open directory");
	if (prefix[0] && (r = tarw_add_dir(t, prefix, err)) < 0)
		return r;
	return add_tree_at(&w, fd, prefix, "", err);
}

/* The member's data straight from the page cache: libarchive writes
 * whole blocks from the mapping, so the data is copied once (into the
 * output file), not read into a buffer and copied again. Mapped a window
 * at a time, so a member of many GiB never needs all its pages at once. */
static int tarw_copy_mapped(struct tarw *t, const char *path, int fd,
			    uint64_t size, struct gild_err *err)
{
	for (uint64_t off = 0; off < size; off += TARW_MAPCHUNK) {
		size_t k = size - off > TARW_MAPCHUNK ? TARW_MAPCHUNK
						      : (size_t)(size - off);
		const char *p = mmap(NULL, k, PROT_READ,
				     MAP_SHARED | MAP_POPULATE, fd, (off_t)off);
		la_ssize_t w;

		if (p == MAP_FAILED)
			return gild_fail_errno(err, path,
					       "cannot map temporary for");
		w = archive_write_data(t->a, p, k);
		munmap((void *)p, k);
		if (w != (la_ssize_t)k)
			return tarw_fail(t, path, err);
	}
	return 0;
}

static int tarw_copy_fd(struct tarw *t, const char *path, int fd, uint64_t size,
			struct gild_err *err)
{
	uint64_t left = size;

	if (size > 0)
		return tarw_copy_mapped(t, path, fd, size, err);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return gild_fail_errno(err, path,
				       "cannot rewind temporary for");
	while (left > 0) {
		ssize_t n =
		    read(fd, t->buf, left < TARW_BUFSZ ? left : TARW_BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return gild_fail_errno(err, path,
					       "cannot read temporary for");
		if (archive_write_data(t->a, t->buf, (size_t)n) != n)
			return tarw_fail(t, path, err);
		left -= (uint64_t)n;
	}
	return 0;
}

int tarw_add_fd(struct tarw *t, const char *path, int fd, uint64_t size,
		struct gild_err *err)
{
	int r = tarw_file_header(t, path, size, err);

	return r < 0 ? r : tarw_copy_fd(t, path, fd, size, err);
}

int tarw_add_zeros(struct tarw *t, const char *path, uint64_t size,
		   struct gild_err *err)
{
	/* Chunks larger than libarchive's block go to the sink directly. No
	 * more than size: glibc serves a calloc under its (grown) mmap
	 * threshold from the heap and clears it, 4 MB for a small package. */
	size_t chunk = size < TARW_ZEROCHUNK ? (size_t)size : TARW_ZEROCHUNK;
	_cleanup_free_ char *zeros = xcalloc(1, chunk ? chunk : 1);
	int r = tarw_file_header(t, path, size, err);

	for (uint64_t off = 0; r == 0 && off < size; off += chunk) {
		size_t k = size - off > chunk ? chunk : (size_t)(size - off);
		if (archive_write_data(t->a, zeros, k) != (la_ssize_t)k)
			r = tarw_fail(t, path, err);
	}
	return r;
}
