/* image-write.c: the staging root into each format, every output by
 * write-to-temporary-then-rename so a failure or a full disk leaves the
 * previous image whole. Reproducible: every time from the image's
 * SOURCE_DATE_EPOCH, UUIDs and hash seeds from the image-id, entries
 * sorted, no host identity. The traps of Debian 12's tools:
 *  - mksquashfs: -mkfs-time and -all-time (it reads SOURCE_DATE_EPOCH
 *    only when those are not given, and then refuses both: keep it unset);
 *  - mkfs.erofs: -T for every time, -U for the UUID;
 *  - mke2fs ignores SOURCE_DATE_EPOCH: -U, -E hash_seed=, and
 *    E2FSPROGS_FAKE_TIME for the superblock; the inodes' ctimes come
 *    from the staging files, so a debugfs pass sets every inode's times. */
#include "image-impl.h"

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool image_have_tool(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path ? path : "/usr/bin:/bin");

	for (char *save = NULL, *d = strtok_r(copy, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = xasprintf("%s/%s", d, name);
		if (access(p, X_OK) == 0)
			return true;
	}
	/* the sbin directories, where Debian keeps mke2fs and debugfs */
	for (const char *const *d =
		 (const char *const[]){"/usr/sbin", "/sbin", NULL};
	     *d; d++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", *d, name);
		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

/* PATH first (a test may hide a tool), then the sbin directories. */
static char *tool_path(const char *name)
{
	static const char *const sbin[] = {"/usr/sbin", "/sbin"};
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path ? path : "/usr/bin:/bin");

	for (char *save = NULL, *d = strtok_r(copy, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", sbin[i], name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(name);
}

/* Whether the "NAME=value" entry e sets a variable that one of env sets. */
static bool overridden(const char *e, const char *const *env)
{
	size_t n = strcspn(e, "=");

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], e, n) && env[i][n] == '=')
			return true;
	return false;
}

/* The environment of a tool: ours without SOURCE_DATE_EPOCH (the tools
 * are given every time explicitly), plus env, whose entries replace ours
 * (TZ=UTC for a tool that writes local times, say). */
static char **tool_env(const char *const *env)
{
	size_t n = 0, k = 0, m = 0;
	char **out;

	while (environ[n])
		n++;
	while (env && env[m])
		m++;
	out = xcalloc(n + m + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if (!gild_startswith(environ[i], "SOURCE_DATE_EPOCH=") &&
		    !overridden(environ[i], env))
			out[k++] = environ[i];
	for (size_t i = 0; i < m; i++)
		out[k++] = (char *)env[i];
	return out;
}

int image_run_tool(const char *const *argv, const char *const *env,
		   const char *debian_pkg, const char *log,
		   struct gild_err *err)
{
	return image_run_tool_input(argv, env, "/dev/null", debian_pkg, log,
				    err);
}

int image_run_tool_input(const char *const *argv, const char *const *env,
			 const char *input, const char *debian_pkg,
			 const char *log, struct gild_err *err)
{
	_cleanup_free_ char **envp = NULL;
	_cleanup_free_ char *prog = NULL;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, r;

	if (!image_have_tool(argv[0]))
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "'%s' is not installed (Debian package '%s')",
				 argv[0], debian_pkg);
	prog = tool_path(argv[0]);
	envp = tool_env(env);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
					 O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, input, O_RDONLY, 0);
	r = posix_spawnp(&pid, prog, &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		return gild_fail_errno(err, argv[0], "cannot run");
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return gild_fail_errno(err, argv[0], "cannot wait for");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return gild_fail(err, -GILD_E_BUILD, NULL,
				 "'%s' failed (status %d); its output is in "
				 "'%s'",
				 argv[0],
				 WIFEXITED(status) ? WEXITSTATUS(status)
						   : 128 + WTERMSIG(status),
				 log);
	return 0;
}

/* ---- times ------------------------------------------------------------ */

static int64_t clamp_to;

static int clamp_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	struct timespec ts[2] = {{clamp_to, 0}, {clamp_to, 0}};

	(void)st;
	(void)flag;
	(void)ftw;
	return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
}

int image_clamp_times(struct image *im, struct gild_err *err)
{
	clamp_to = im->sde;
	/* depth first: a directory after its entries, whose changes would
	 * move its mtime */
	if (nftw(im->root, clamp_entry, 32, FTW_PHYS | FTW_DEPTH) < 0)
		return gild_fail_errno(err, im->root,
				       "cannot set the times in");
	return 0;
}

/* ---- formats ---------------------------------------------------------- */

static void uuid_from(const struct image *im, char salt, char out[37])
{
	image_uuid(im->image_id, salt, out);
}

static const char *owner_name(void *ud, bool is_group, unsigned id);

struct sinkf {
	FILE *f;
};

static int file_sink(void *ud, const void *buf, size_t n, struct gild_err *err)
{
	struct sinkf *s = ud;

	if (fwrite(buf, 1, n, s->f) != n)
		return gild_fail_errno(err, "rootfs.tar.zst", "cannot write");
	return 0;
}

static int write_tar(struct image *im, const char *tmp, struct gild_err *err)
{
	_cleanup_(gild_fclosep) FILE *f = fopen(tmp, "we");
	struct sinkf s = {f};
	struct tarw_opts o = {.zstd_level = 19,
			      .source_date_epoch = im->sde,
			      .keep_owners = true,
			      .owner_name = owner_name,
			      .owner_ud = im};
	_cleanup_(tarw_freep) struct tarw *t = NULL;
	int r;

	if (!f)
		return gild_fail_errno(err, tmp, "cannot create");
	if ((r = tarw_open(&t, &o, file_sink, &s, err)) < 0 ||
	    (r = tarw_add_tree(t, im->root, "", NULL, err)) < 0)
		return r;
	r = tarw_close(TAKE_PTR(t), err);
	if (r == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		return gild_fail_errno(err, tmp, "cannot write");
	return r;
}

int image_write_squashfs(const char *root, const char *out, int64_t sde,
			 const char *log, struct gild_err *err)
{
	_cleanup_free_ char *t = xasprintf("%lld", (long long)sde);
	const char *argv[] = {"mksquashfs",
			      root,
			      out,
			      "-noappend",
			      "-no-xattrs",
			      "-comp",
			      "xz",
			      "-mkfs-time",
			      t,
			      "-all-time",
			      t,
			      "-no-progress",
			      "-quiet",
			      "-processors",
			      "1",
			      NULL};

	return image_run_tool(argv, NULL, "squashfs-tools", log, err);
}

static int write_squashfs(struct image *im, const char *tmp, const char *log,
			  struct gild_err *err)
{
	return image_write_squashfs(im->root, tmp, im->sde, log, err);
}

static int write_erofs(struct image *im, const char *tmp, const char *log,
		       struct gild_err *err)
{
	_cleanup_free_ char *t = xasprintf("-T%lld", (long long)im->sde);
	char uuid[37];

	uuid_from(im, 1, uuid);
	_cleanup_free_ char *u = xasprintf("-U%s", uuid);
	const char *argv[] = {"mkfs.erofs", "-zlz4hc", t,	 u,   "-x-1",
			      "--quiet",    tmp,       im->root, NULL};
	return image_run_tool(argv, NULL, "erofs-utils", log, err);
}

/* The ext4 size: asked, else the payload plus a quarter and 16 MiB for
 * metadata and the journal, in whole MiB. */
static uint64_t ext4_size(const struct image *im, uint64_t payload)
{
	uint64_t s = im->opts->size ? im->opts->size : im->role.size;

	if (!s)
		s = payload + payload / 4 + (16u << 20);
	return (s + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
}

/* debugfs commands setting every inode's times to the epoch (mke2fs -d
 * copies ctime and atime from the staging files). */
static int64_t fix_epoch;
static FILE *fix_cmds;
static const char *fix_root;

static int fix_entry(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	const char *p = path + strlen(fix_root);
	static const char *const fields[] = {"atime", "ctime", "mtime",
					     "crtime"};

	(void)st;
	(void)flag;
	(void)ftw;
	for (size_t i = 0; i < 4; i++)
		fprintf(fix_cmds, "sif \"%s\" %s @%lld\n", *p ? p : "/",
			fields[i], (long long)fix_epoch);
	return 0;
}

/* E2FSPROGS_FAKE_TIME for an epoch: e2fsprogs takes 0 for "not set" and
 * then writes the current time into the superblock, so the epoch 0 (all
 * packages' files dated 1970) is written as 1. */
char *image_e2fs_fake_time(int64_t sde)
{
	return xasprintf("E2FSPROGS_FAKE_TIME=%lld",
			 (long long)(sde > 0 ? sde : 1));
}

static int write_ext4(struct image *im, const char *tmp, const char *log,
		      uint64_t payload, struct gild_err *err)
{
	_cleanup_free_ char *cmds = gild_path_join(im->workdir, "debugfs.cmds");
	_cleanup_free_ char *fake = image_e2fs_fake_time(im->sde);
	char uuid[37], seed[37];
	int fd, r;

	uuid_from(im, 2, uuid);
	uuid_from(im, 3, seed);
	_cleanup_free_ char *ext = xasprintf(
	    "hash_seed=%s,root_owner=0:0,lazy_itable_init=0,nodiscard", seed);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) <
	    0)
		return gild_fail_errno(err, tmp, "cannot create");
	r = ftruncate(fd, (off_t)ext4_size(im, payload));
	close(fd);
	if (r < 0)
		return gild_fail_errno(err, tmp, "cannot size");
	const char *env[] = {fake, NULL};
	const char *mk[] = {"mke2fs", "-q", "-F",	 "-t", "ext4", "-b",
			    "4096",   "-L", "gild-root", "-U", uuid,   "-E",
			    ext,      "-d", im->root,	 tmp,  NULL};
	if ((r = image_run_tool(mk, env, "e2fsprogs", log, err)) < 0)
		return r;
	if (!(fix_cmds = fopen(cmds, "we")))
		return gild_fail_errno(err, cmds, "cannot create");
	fix_epoch = im->sde;
	fix_root = im->root;
	r = nftw(im->root, fix_entry, 32, FTW_PHYS);
	fclose(fix_cmds);
	if (r < 0)
		return gild_fail_errno(err, im->root, "cannot walk");
	const char *fix[] = {"debugfs", "-w", "-f", cmds, tmp, NULL};
	return image_run_tool(fix, env, "e2fsprogs", log, err);
}

/* ---- outputs ------------------------------------------------------------ */

static const struct {
	const char *format, *name, *debian;
} formats[] = {
    {"tar", "rootfs.tar.zst", NULL},
    {"squashfs", "rootfs.squashfs", "squashfs-tools"},
    {"erofs", "rootfs.erofs", "erofs-utils"},
    {"ext4", "rootfs.ext4", "e2fsprogs"},
};

static struct image_output *add_output(struct image_result *res,
				       const char *format, const char *name)
{
	res->out = xrealloc(res->out, (res->nout + 1) * sizeof(*res->out));
	res->out[res->nout] = (struct image_output){.name = xstrdup(name),
						    .format = xstrdup(format)};
	return &res->out[res->nout++];
}

static int write_format(struct image *im, size_t k, const char *dir,
			const char *tmp, uint64_t payload, struct gild_err *err)
{
	_cleanup_free_ char *log =
	    xasprintf("%s/%s.log", im->workdir, formats[k].format);

	(void)dir;
	(void)unlink(log);
	switch (k) {
	case 0:
		return write_tar(im, tmp, err);
	case 1:
		return write_squashfs(im, tmp, log, err);
	case 2:
		return write_erofs(im, tmp, log, err);
	default:
		return write_ext4(im, tmp, log, payload, err);
	}
}

/* One format: made into ".NAME.tmp" beside its final name, renamed when
 * complete; a missing tool skips it (the others are still made). */
static int output_one(struct image *im, size_t k, const char *dir,
		      uint64_t payload, struct image_result *res,
		      struct gild_err *err)
{
	_cleanup_free_ char *tmp =
	    xasprintf("%s/.%s.tmp", dir, formats[k].name);
	_cleanup_free_ char *dst = gild_path_join(dir, formats[k].name);
	struct image_output *o =
	    add_output(res, formats[k].format, formats[k].name);
	int r;

	double t0 = gild_now();

	(void)unlink(tmp);
	r = write_format(im, k, dir, tmp, payload, err);
	gild_ctx_debug(im->ctx, "image: write %s: %.3f s", formats[k].name,
		       gild_now() - t0);
	if (r == -GILD_E_NOTFOUND) {
		o->skipped = xstrdup(err->msg);
		gild_err_clear(err);
		return 0;
	}
	if (r == 0)
		r = image_sha256_file(tmp, o->sha256, err);
	if (r == 0 && rename(tmp, dst) < 0)
		r = gild_fail_errno(err, dst, "cannot rename into place");
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	struct stat st;
	o->size = stat(dst, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static bool wanted(const struct image *im, const char *format)
{
	const struct gild_strv *f =
	    im->opts->formats.n ? &im->opts->formats : &im->role.formats;

	return !f->n || gild_strv_contains(f, format);
}

int image_write_outputs(struct image *im, const char *dir,
			struct image_result *res, struct gild_err *err)
{
	int r;

	for (size_t k = 0; k < sizeof(formats) / sizeof(*formats); k++)
		if (wanted(im, formats[k].format) &&
		    (r = output_one(im, k, dir, res->bytes, res, err)) < 0) {
			gild_err_wrap(err, "writing %s", formats[k].name);
			return r;
		}
	return 0;
}

/* ---- owner names from the image ---------------------------------------- */

static void read_id_names(struct image *im, const char *file,
			  struct gild_strv *out)
{
	_cleanup_free_ char *h = image_host_path(im, file);
	_cleanup_free_ char *text = NULL;
	size_t n;

	if (gild_read_file(h, &text, &n, NULL) < 0)
		return;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		if (b)
			gild_strv_push(
			    out, xasprintf("%u %.*s",
					   (unsigned)strtoul(b + 1, NULL, 10),
					   (int)(a - line), line));
	}
}

void image_read_id_names(struct image *im)
{
	if (im->id_names_read)
		return;
	read_id_names(im, "/etc/passwd", &im->id_names[0]);
	read_id_names(im, "/etc/group", &im->id_names[1]);
	im->id_names_read = true;
}

/* The name the image gives an id (passwd or group), or NULL. */
static const char *owner_name(void *ud, bool is_group, unsigned id)
{
	struct image *im = ud;
	char key[16];
	size_t n = (size_t)snprintf(key, sizeof(key), "%u ", id);

	image_read_id_names(im);
	for (size_t i = 0; i < im->id_names[is_group].n; i++)
		if (!strncmp(im->id_names[is_group].v[i], key, n))
			return im->id_names[is_group].v[i] + n;
	return NULL;
}
