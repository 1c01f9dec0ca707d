/* media-esp.c: GRUB's configuration and the ESP (a FAT image made with
 * mtools) of every medium. Reproducible: times from the image's
 * SOURCE_DATE_EPOCH (mtools reads it), the FAT serial from the image-id. */
#include "media-impl.h"

#include <sys/stat.h>
#include <time.h>

static void set_path(char **field, char *value)
{
	free(*field);
	*field = value;
}

int media_write_grubcfg(struct media *m, const char *title, const char *kernel,
			const char *args, const char *initrd,
			struct gild_err *err)
{
	_cleanup_free_ char *initrd_line =
	    initrd ? xasprintf("\tinitrd /%s\n", initrd) : xstrdup("");
	_cleanup_free_ char *text = xasprintf(
	    "# %s of role %s (image-id %s), written by gild.\n"
	    "# early.cfg, built into GRUB's images, found this file.\n"
	    "serial --unit=0 --speed=115200\n"
	    "terminal_input console serial\n"
	    "terminal_output console serial\n"
	    "set timeout=1\n"
	    "set default=0\n"
	    "menuentry 'gild %s (%s)' {\n"
	    "\tlinux /%s %s\n"
	    "%s"
	    "}\n",
	    title, m->img.role, m->img.image_id, m->img.role, title, kernel,
	    args, initrd_line);
	_cleanup_fclose_ FILE *f = NULL;

	set_path(&m->grubcfg, gild_path_join(m->workdir, "gild.cfg"));
	if (!(f = fopen(m->grubcfg, "we")))
		return gild_fail_errno(err, m->grubcfg, "cannot create");
	if (fputs(text, f) < 0 || fflush(f) != 0)
		return gild_fail_errno(err, m->grubcfg, "cannot write");
	return 0;
}

/* ---- the ESP -------------------------------------------------------- */

/* Sectors of 512 bytes for a FAT holding files of total bytes, with room
 * for the FAT and directories; at least a 1.44 MB floppy's, which mformat
 * sizes as FAT12 without further geometry; whole MiB above that. */
static unsigned long esp_sectors(uint64_t total, uint64_t min_bytes)
{
	uint64_t n = total / 512 + total / 512 / 16 + 256;

	if (n * 512 < min_bytes)
		n = min_bytes / 512;
	if (n <= 2880)
		return 2880;
	return (unsigned long)((n + 2047) / 2048 * 2048);
}

/* mmd for each directory of files' paths, parents first, once each. */
static int make_dirs(struct media *m, const struct esp_file *files, size_t n,
		     const char *const *env, const char *log,
		     struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv done = {0};
	int r;

	for (size_t i = 0; i < n; i++)
		for (const char *s = strchr(files[i].path, '/'); s;
		     s = strchr(s + 1, '/')) {
			_cleanup_free_ char *d = xasprintf(
			    "::/%.*s", (int)(s - files[i].path), files[i].path);
			if (gild_strv_contains(&done, d))
				continue;
			const char *mmd[] = {"mmd", "-i", m->esp, d, NULL};
			if ((r = image_run_tool(mmd, env, "mtools", log, err)) <
			    0)
				return r;
			gild_strv_push(&done, xstrdup(d));
		}
	return 0;
}

int media_write_esp(struct media *m, const char *name,
		    const struct esp_file *files, size_t n, uint64_t min_bytes,
		    struct gild_err *err)
{
	_cleanup_free_ char *log = media_log(m, "esp");
	_cleanup_free_ char *env0 = media_sde_env(m);
	uint64_t total = 0;
	char uuid[37];
	int r;

	for (size_t i = 0; i < n; i++)
		total += media_file_size(files[i].host);
	_cleanup_free_ char *sectors =
	    xasprintf("%lu", esp_sectors(total, min_bytes));
	/* the FAT volume serial: 32 bits of an identifier of the image */
	media_uuid(m, 4, uuid);
	_cleanup_free_ char *serial = xasprintf("%.8s", uuid);
	/* FAT keeps local times: mtools converts the epoch with TZ */
	const char *env[] = {env0, "TZ=UTC", NULL};

	set_path(&m->esp, gild_path_join(m->workdir, name));
	unlink(m->esp);
	const char *mformat[] = {"mformat", "-i",	m->esp, "-C",
				 "-T",	    sectors,	"-N",	serial,
				 "-v",	    "GILD_ESP", "::",	NULL};
	if ((r = image_run_tool(mformat, env, "mtools", log, err)) < 0 ||
	    (r = make_dirs(m, files, n, env, log, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *to = xasprintf("::/%s", files[i].path);
		const char *mcopy[] = {"mcopy",	      "-i", m->esp,
				       files[i].host, to,   NULL};
		if ((r = image_run_tool(mcopy, env, "mtools", log, err)) < 0)
			return r;
	}
	return 0;
}
