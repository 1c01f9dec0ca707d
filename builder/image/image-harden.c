/* image-harden.c: the profile's hardening applied to the staging root and
 * said in hardening.txt: what INSTALL_MASK left out, symbols stripped
 * where the build did not, setuid/setgid bits outside
 * IMAGE_SETUID_ALLOWED removed, no login shell for service accounts,
 * /tmp and /var/tmp mounted nosuid,nodev,noexec, the enabled services. */
#include "image-impl.h"

#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

static void report_mask(struct image *im)
{
	for (size_t i = 0; i < im->role.install_mask.n; i++)
		gild_strv_push(&im->hardening,
			       xasprintf("INSTALL_MASK %s: %" PRIu64
					 " files, %" PRIu64 " bytes left out",
					 im->role.install_mask.v[i],
					 im->mask_files[i], im->mask_bytes[i]));
}

/* FEATURES=strip strips at build time; a package built without it (or a
 * file the build's strip missed) is stripped here. */
static int strip_file(struct image *im, const char *path, const char *host,
		      struct gild_err *err)
{
	_cleanup_free_ char *log = gild_path_join(im->workdir, "strip.log");
	const char *argv[] = {"strip", "--strip-unneeded", "-p", host, NULL};
	int r;

	if ((r = image_run_tool(argv, NULL, "binutils", log, err)) < 0)
		return r;
	gild_strv_push(&im->hardening, xasprintf("strip: %s", path));
	return 0;
}

static int strip_and_setuid(struct image *im, struct gild_err *err)
{
	image_files_sort(&im->files);
	for (size_t i = 0; i < im->files.n; i++) {
		const struct image_file *f = &im->files.v[i];
		_cleanup_free_ char *h = image_host_path(im, f->path);
		_cleanup_(gild_elf_release) struct gild_elf elf = {0};
		struct stat st;
		int r;
		if (f->type != GPKG_OBJ || lstat(h, &st) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (im->role.strip) {
			if ((r = gild_elf_read(h, &elf, err)) < 0)
				return r;
			/* a kernel module keeps the symbols it is linked
			 * by at load time (modules_install strips debug) */
			if (elf.is_elf && elf.has_symtab && !elf.relocatable &&
			    (r = strip_file(im, f->path, h, err)) < 0)
				return r;
		}
		if (!(st.st_mode & (S_ISUID | S_ISGID)))
			continue;
		const char *what = st.st_mode & S_ISUID ? "setuid" : "setgid";
		if (gild_strv_contains(&im->role.setuid_allowed, f->path)) {
			gild_strv_push(&im->hardening,
				       xasprintf("%s kept: %s %04o (listed in "
						 "IMAGE_SETUID_ALLOWED)",
						 what, f->path,
						 st.st_mode & 07777));
			continue;
		}
		if (chmod(h, st.st_mode & 01777) < 0)
			return gild_fail_errno(err, h,
					       "cannot change the mode of");
		gild_strv_push(&im->hardening,
			       xasprintf("%s removed: %s (not in "
					 "IMAGE_SETUID_ALLOWED)",
					 what, f->path));
	}
	return 0;
}

/* A service account (uid 1-999) gets no login shell unless the role's
 * users file gives it one. */
static bool role_gives_shell(struct image *im, const char *name)
{
	_cleanup_(role_lines_release) struct role_lines l = {0};
	struct gild_err e = {0};

	if (image_role_lines(im, "users", &l, &e) < 0)
		return false;
	for (size_t i = 0; i < l.n; i++) {
		size_t n = strcspn(l.v[i].text, " \t");
		if (n == strlen(name) && !strncmp(l.v[i].text, name, n))
			return true;
	}
	return false;
}

/* "a:b:c" into at most max fields (in place). */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t k = 0;

	for (char *p = line; p && k < max; k++) {
		f[k] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	return k;
}

static int nologin_shells(struct image *im, struct gild_err *err)
{
	_cleanup_free_ char *h = image_host_path(im, "/etc/passwd");
	_cleanup_free_ char *nologin = image_host_path(im, "/sbin/nologin");
	_cleanup_free_ char *text = NULL;
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	const char *none =
	    access(nologin, F_OK) == 0 ? "/sbin/nologin" : "/bin/false";
	bool changed = false;
	size_t n;
	int r;

	if ((r = gild_read_file(h, &text, &n, err)) < 0)
		return r == -ENOENT ? (gild_err_clear(err), 0) : r;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *f[7] = {0}, *copy = xstrdup(line);
		size_t k = split_fields(copy, f, 7);
		unsigned uid = k > 2 ? (unsigned)strtoul(f[2], NULL, 10) : 0;
		if (k == 7 && uid >= 1 && uid < 1000 &&
		    strcmp(f[6], "/sbin/nologin") &&
		    strcmp(f[6], "/bin/false") && !role_gives_shell(im, f[0])) {
			gild_buf_printf(&b, "%s:%s:%s:%s:%s:%s:%s\n", f[0],
					f[1], f[2], f[3], f[4], f[5], none);
			gild_strv_push(
			    &im->hardening,
			    xasprintf("shell: %s %s -> %s", f[0], f[6], none));
			changed = true;
		} else {
			gild_buf_printf(&b, "%s\n", line);
		}
		free(copy);
	}
	return changed ? image_write_file(im, "/etc/passwd", gild_buf_str(&b),
					  0644, "hardening", err)
		       : 0;
}

/* /tmp and /var/tmp as tmpfs without suid, devices or execution. */
static int tmp_mounts(struct image *im, struct gild_err *err)
{
	static const char *const dirs[] = {"/tmp", "/var/tmp"};
	_cleanup_free_ char *h = image_host_path(im, "/etc/fstab");
	_cleanup_free_ char *text = NULL;
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	size_t n;

	if (gild_read_file(h, &text, &n, NULL) < 0)
		text = xstrdup("");
	gild_buf_adds(&b, text);
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *pat = xasprintf("\t%s\t", dirs[i]);
		_cleanup_free_ char *pat2 = xasprintf(" %s ", dirs[i]);
		_cleanup_free_ char *dir = image_host_path(im, dirs[i]);
		if (strstr(text, pat) || strstr(text, pat2) ||
		    access(dir, F_OK) < 0)
			continue;
		gild_buf_printf(&b,
				"tmpfs\t\t%s\t\ttmpfs\t\tnosuid,nodev,noexec,"
				"mode=1777\t0 0\n",
				dirs[i]);
		gild_strv_push(
		    &im->hardening,
		    xasprintf("mount: %s tmpfs nosuid,nodev,noexec", dirs[i]));
	}
	return image_write_file(im, "/etc/fstab", gild_buf_str(&b), 0644,
				"hardening", err);
}

static void report_services(struct image *im)
{
	for (size_t i = 0; i < im->services.n; i++) {
		_cleanup_free_ char *run =
		    xasprintf("%s/etc/sv/%s/run", im->root, im->services.v[i]);
		_cleanup_free_ char *text = NULL;
		size_t n;
		const char *exec = NULL;
		if (gild_read_file(run, &text, &n, NULL) == 0)
			exec = strstr(text, "exec ");
		if (exec)
			((char *)exec)[strcspn(exec, "\n")] = '\0';
		gild_strv_push(&im->hardening,
			       xasprintf("service %s: %s", im->services.v[i],
					 exec ? exec : "(no exec line)"));
	}
}

int image_harden(struct image *im, struct gild_err *err)
{
	int r;

	report_mask(im);
	if ((r = strip_and_setuid(im, err)) < 0 ||
	    (r = nologin_shells(im, err)) < 0 || (r = tmp_mounts(im, err)) < 0)
		return r;
	report_services(im);
	return 0;
}
