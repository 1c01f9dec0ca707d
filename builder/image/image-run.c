/* image-run.c: `gild image run`: a command inside an image, in the
 * sandbox (as `mkosi shell` does). The image's rootfs.tar.zst is unpacked
 * into a run directory with its owners moved into the sandbox's subordinate
 * id range (so uid 0 of the image is uid 0 inside, never the host's), then
 * used as a system root: its own /etc, writes going to a tmpfs, the
 * network only on loopback unless asked. */
#include "image-impl.h"
#include "sandbox/sandbox.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

/* The sandbox maps inside 0.. to these host ids when gild runs as root. */
#define RUN_ID_BASE 100000u
#define RUN_ID_COUNT 65536u

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_free(*a);
}

static int archive_fail(struct archive *a, const char *path,
			struct gild_err *err)
{
	return gild_fail(err, -GILD_E_INVALID, NULL, "'%s': %s", path,
			 archive_error_string(a) ? archive_error_string(a)
						 : "cannot read");
}

/* rootfs.tar.zst into dir, owners shifted by RUN_ID_BASE. */
static int unpack_shifted(const char *tarball, const char *dir,
			  struct gild_err *err)
{
	_cleanup_(archive_freep) struct archive *in = archive_read_new();
	_cleanup_(archive_freep) struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	int r;

	archive_read_support_filter_zstd(in);
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(
	    out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
		     ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_filename(in, tarball, 1 << 16) != ARCHIVE_OK)
		return archive_fail(in, tarball, err);
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		_cleanup_free_ char *p =
		    gild_path_join(dir, archive_entry_pathname(e));
		if (archive_entry_uid(e) >= RUN_ID_COUNT ||
		    archive_entry_gid(e) >= RUN_ID_COUNT)
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "'%s': an owner id above %u",
					 archive_entry_pathname(e),
					 RUN_ID_COUNT);
		const char *hl = archive_entry_hardlink(e);
		_cleanup_free_ char *hp = NULL;
		if (hl) {
			/* the link's target is a member of the image too */
			if (hl[0] == '/' || strstr(hl, ".."))
				return gild_fail(err, -GILD_E_INVALID, NULL,
						 "'%s': hard link to '%s' "
						 "leaves the image",
						 tarball, hl);
			hp = gild_path_join(dir, hl);
			archive_entry_copy_hardlink(e, hp);
		}
		archive_entry_set_uid(e, archive_entry_uid(e) + RUN_ID_BASE);
		archive_entry_set_gid(e, archive_entry_gid(e) + RUN_ID_BASE);
		archive_entry_copy_pathname(e, p);
		if (archive_write_header(out, e) < ARCHIVE_OK)
			return archive_fail(out, p, err);
		const void *buf;
		size_t n;
		int64_t off;
		while ((r = archive_read_data_block(in, &buf, &n, &off)) ==
		       ARCHIVE_OK)
			if (archive_write_data_block(out, buf, n, off) !=
			    ARCHIVE_OK)
				return archive_fail(out, p, err);
		if (r != ARCHIVE_EOF)
			return archive_fail(in, tarball, err);
		if (archive_write_finish_entry(out) < ARCHIVE_OK)
			return archive_fail(out, p, err);
	}
	return r == ARCHIVE_EOF ? 0 : archive_fail(in, tarball, err);
}

/* --init: the image's boot scripts, then its supervisor; with a command,
 * the command once the services had a moment to start, then the
 * supervisor stopped (SIGHUP: runsvdir stops every service first). busybox
 * init itself runs only as pid 1, which the sandbox keeps for itself. */
static const char init_script[] = "run-parts /etc/init.d >/dev/null 2>&1\n"
				  "/usr/bin/runsvdir -P /etc/service &\n"
				  "sv=$!\n"
				  "[ $# -gt 0 ] || { wait $sv; exit $?; }\n"
				  "sleep \"${GILD_INIT_SETTLE:-2}\"\n"
				  "\"$@\"\n"
				  "rc=$?\n"
				  "kill -HUP $sv\n"
				  "wait $sv\n"
				  "exit $rc\n";

static int run_in(const char *root, const struct image_run_opts *o, int *status,
		  struct gild_err *err)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	_cleanup_free_ const char **argv =
	    xcalloc((size_t)o->argc + 6, sizeof(char *));
	struct sandbox_status st;
	size_t n = 0;
	int r;

	if (o->init) {
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = init_script;
		argv[n++] = "init";
	}
	for (int i = 0; i < o->argc; i++)
		argv[n++] = o->argv[i];
	if (!n)
		argv[n++] = "/bin/sh";
	sandbox_spec_set_system_root(s, root, o->rw_size);
	sandbox_spec_set_inside_ids(s, 0, 0);
	sandbox_spec_set_host_range(s, RUN_ID_BASE, RUN_ID_BASE, RUN_ID_COUNT);
	sandbox_spec_set_allow_net(s, o->network);
	sandbox_spec_set_argv(s, argv);
	if (o->timeout)
		sandbox_spec_set_timeout(s, o->timeout);
	if ((r = sandbox_run(s, &st, err)) < 0)
		return r;
	*status = st.status;
	return 0;
}

int image_run(const char *imagedir, const char *workdir,
	      const struct image_run_opts *o, int *status, struct gild_err *err)
{
	_cleanup_free_ char *tarball =
	    gild_path_join(imagedir, "rootfs.tar.zst");
	_cleanup_free_ char *root =
	    xasprintf("%s/run.%ld", workdir, (long)getpid());
	int r;

	if (geteuid() != 0)
		return gild_fail(err, -GILD_E_UNSUPPORTED, NULL,
				 "gild image run runs as root: the image's "
				 "files belong to several users (run it with "
				 "sudo)");
	if (access(tarball, R_OK) < 0)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "'%s' has no rootfs.tar.zst (build the image "
				 "with the tar format first)",
				 imagedir);
	mode_t old = umask(022); /* the run root is entered by mapped ids */

	if ((r = gild_rm_rf(root, err)) < 0 ||
	    (r = gild_mkdir_p(root, 0755, err)) < 0 || chmod(root, 0755) < 0) {
		umask(old);
		return r < 0 ? r : gild_fail_errno(err, root, "cannot chmod");
	}
	r = unpack_shifted(tarball, root, err);
	umask(old);
	if (r == 0)
		r = run_in(root, o, status, err);
	struct gild_err ignored = {0};
	(void)gild_rm_rf(root, &ignored);
	return r;
}

char *image_outdir(const struct build_env *env, struct gild_err *err)
{
	struct image im = {.env = (struct build_env *)env};
	char *out = NULL;

	if (image_role_load(&im, err) == 0)
		out = xasprintf("%s/out/%s/%s", env->cfg->tree,
				im.role.base_profile, im.role.name);
	image_role_release(&im.role);
	return out;
}
