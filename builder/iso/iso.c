/* iso.c: gild iso, a role's live ISO (the flow is in iso.h). */
#include "iso-impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the ISO boots with when the profile does not say (ISO_PACKAGES). */
#define ISO_DEFAULT_PACKAGES "sys-kernel/gild-kernel sys-boot/grub"
#define ISO_DEFAULT_CMDLINE "console=ttyS0,115200"

static void iso_release(struct iso *iso)
{
	image_result_release(&iso->img);
	free(iso->workdir);
	free(iso->label);
	free(iso->cmdline);
	free(iso->kernel);
	free(iso->eltorito);
	free(iso->mbr);
	free(iso->efi);
	free(iso->initramfs);
	free(iso->grubcfg);
	free(iso->esp);
}

void iso_result_release(struct iso_result *r)
{
	free(r->path);
	free(r->label);
	memset(r, 0, sizeof(*r));
}

static const char *config_or(const struct iso *iso, const char *name,
			     const char *dflt)
{
	const char *v = config_get(iso->env->cfg, name);

	return v && *v ? v : dflt;
}

/* The host tools, checked before anything is built: a missing one would
 * otherwise fail the run after the kernel's build. */
static int check_tools(struct gild_err *err)
{
	static const char *const tools[][2] = {{"mformat", "mtools"},
					       {"mmd", "mtools"},
					       {"mcopy", "mtools"},
					       {"xorriso", "xorriso"}};

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!image_have_tool(tools[i][0]))
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "'%s' is not installed (Debian "
					 "package '%s')",
					 tools[i][0], tools[i][1]);
	return 0;
}

/* ---- the image -------------------------------------------------------- */

/* The image's SOURCE_DATE_EPOCH, as image.json records it (the image may
 * be up to date, and then only its outputs tell). */
static int read_sde(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *path =
	    gild_path_join(iso->img.outdir, "image.json");
	_cleanup_free_ char *text = NULL;
	const char *key = "\"source_date_epoch\": ";
	char *p;
	size_t len;
	int r;

	if ((r = gild_read_file(path, &text, &len, err)) < 0)
		return r;
	if (!(p = strstr(text, key)))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' has no source_date_epoch", path);
	iso->sde = strtoll(p + strlen(key), NULL, 10);
	return 0;
}

static int build_image(struct iso *iso, struct gild_err *err)
{
	struct image_opts io = {.report = iso->opts->report,
				.report_ud = iso->opts->report_ud,
				.build = iso->opts->build};
	_cleanup_free_ char *sq = NULL;
	int r;

	if ((r = image_build(iso->env, &io, &iso->img, err)) < 0)
		return r;
	sq = gild_path_join(iso->img.outdir, "rootfs.squashfs");
	if (access(sq, R_OK) != 0)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "the image in '%s' has no rootfs.squashfs "
				 "(IMAGE_FORMATS must include squashfs)",
				 iso->img.outdir);
	return read_sde(iso, err);
}

/* ---- the boot packages ------------------------------------------------ */

/* The first entry of dir whose name starts with prefix, or NULL. */
static char *find_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (e = readdir(d)))
		if (gild_startswith(e->d_name, prefix))
			found = gild_path_join(dir, e->d_name);
	closedir(d);
	return found;
}

/* Set *out to the first of the extracted packages holding rel. */
static void find_in(const struct gild_strv *dirs, const char *rel, char **out)
{
	for (size_t i = 0; i < dirs->n && !*out; i++) {
		char *p = gild_path_join(dirs->v[i], rel);
		if (access(p, R_OK) == 0)
			*out = p;
		else
			free(p);
	}
}

static int find_kernel(struct iso *iso, const struct gild_strv *dirs,
		       struct gild_err *err)
{
	for (size_t i = 0; i < dirs->n && !iso->kernel; i++) {
		_cleanup_free_ char *boot = gild_path_join(dirs->v[i], "boot");
		iso->kernel = find_prefixed(boot, "vmlinuz-");
	}
	if (!iso->kernel)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no package of ISO_PACKAGES installs "
				 "/boot/vmlinuz-* (a kernel: "
				 "sys-kernel/gild-kernel)");
	return 0;
}

static int find_grub(struct iso *iso, const struct gild_strv *dirs,
		     struct gild_err *err)
{
	static const char *const rel[] = {
	    "usr/lib/grub/i386-pc/eltorito.img",
	    "usr/lib/grub/i386-pc/boot_hybrid.img",
	    "usr/lib/grub/x86_64-efi/BOOTX64.EFI"};
	char **out[] = {&iso->eltorito, &iso->mbr, &iso->efi};

	for (size_t i = 0; i < 3; i++) {
		find_in(dirs, rel[i], out[i]);
		if (!*out[i])
			return gild_fail(err, -GILD_E_NOTFOUND, NULL,
					 "no package of ISO_PACKAGES installs "
					 "/%s (the boot loader: "
					 "sys-boot/grub)",
					 rel[i]);
	}
	return 0;
}

/* Each target package of the plan extracted under workdir/pkgs/. */
static int extract_targets(struct iso *iso, const struct build_result *res,
			   struct gild_strv *dirs, struct gild_err *err)
{
	_cleanup_free_ char *top = gild_path_join(iso->workdir, "pkgs");
	int r;

	if ((r = gild_rm_rf(top, err)) < 0 ||
	    (r = gild_mkdir_p(top, 0755, err)) < 0)
		return r;
	for (size_t i = 0; i < res->n; i++) {
		if (!res->v[i].target || !res->v[i].pkg_path)
			continue;
		char *d = xasprintf("%s/%zu", top, i);
		gild_strv_push(dirs, d);
		if ((r = gpkg_extract(res->v[i].pkg_path, d, err)) < 0)
			return r;
	}
	return 0;
}

static int boot_packages(struct iso *iso, struct gild_err *err)
{
	_cleanup_(build_result_freep) struct build_result *res = NULL;
	_cleanup_(gild_strv_releasep) struct gild_strv targets = {0};
	_cleanup_(gild_strv_releasep) struct gild_strv dirs = {0};
	struct build_opts bo = iso->opts->build;
	int r;

	gild_split_words(config_or(iso, "ISO_PACKAGES", ISO_DEFAULT_PACKAGES),
			 &targets);
	if ((r = build_plan(iso->env, targets.v, (int)targets.n, &bo,
			    iso->opts->report, iso->opts->report_ud, &res,
			    err)) < 0 ||
	    (r = extract_targets(iso, res, &dirs, err)) < 0 ||
	    (r = find_kernel(iso, &dirs, err)) < 0)
		return r;
	return find_grub(iso, &dirs, err);
}

/* ---- busybox from the image ------------------------------------------- */

static void read_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

/* Copy the member name of the tar at tarpath into out. */
static int tar_member(const char *tarpath, const char *name, const char *out,
		      struct gild_err *err)
{
	__attribute__((cleanup(read_freep))) struct archive *a =
	    archive_read_new();
	struct archive_entry *e;
	_cleanup_close_ int fd = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tarpath, 1 << 16) != ARCHIVE_OK)
		return gild_fail(err, -EIO, NULL, "cannot read '%s': %s",
				 tarpath, archive_error_string(a));
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		if (gild_startswith(p, "./"))
			p += 2;
		if (strcmp(p, name) || !S_ISREG(archive_entry_mode(e)))
			continue;
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0)
			return gild_fail_errno(err, out, "cannot create");
		if (archive_read_data_into_fd(a, fd) != ARCHIVE_OK)
			return gild_fail(
			    err, -EIO, NULL, "cannot extract '%s' of '%s': %s",
			    name, tarpath, archive_error_string(a));
		return 0;
	}
	return gild_fail(err, -GILD_E_NOTFOUND, NULL, "'%s' has no '%s'",
			 tarpath, name);
}

/* A static executable has no program interpreter (PT_INTERP). */
static int check_static(const char *path, struct gild_err *err)
{
	_cleanup_free_ char *data = NULL;
	const Elf64_Ehdr *eh;
	size_t len;
	int r;

	if ((r = gild_read_file(path, &data, &len, err)) < 0)
		return r;
	eh = (const Elf64_Ehdr *)data;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "the image's /bin/busybox is no 64-bit ELF "
				 "file");
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (((const Elf64_Phdr *)(data + eh->e_phoff))[i].p_type ==
		    PT_INTERP)
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "the image's /bin/busybox is "
					 "dynamically linked; the initramfs "
					 "needs it static (USE=static)");
	return 0;
}

static int write_initramfs(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *tar =
	    gild_path_join(iso->img.outdir, "rootfs.tar.zst");
	_cleanup_free_ char *bb = gild_path_join(iso->workdir, "busybox");
	int r;

	iso->initramfs = gild_path_join(iso->workdir, "initramfs.img");
	if ((r = tar_member(tar, "bin/busybox", bb, err)) < 0 ||
	    (r = check_static(bb, err)) < 0)
		return r;
	return iso_write_initramfs(bb, iso->sde, iso->initramfs, err);
}

/* ---- the ISO ---------------------------------------------------------- */

static int prepare(struct iso *iso, struct gild_err *err)
{
	_cleanup_free_ char *p = xstrdup(iso->env->cfg->profile->name);
	int r;

	for (char *s = p; *s; s++)
		if (*s == '/')
			*s = '_';
	iso->workdir = xasprintf("%s/iso/%s", iso->env->tmpdir, p);
	if ((r = gild_rm_rf(iso->workdir, err)) < 0)
		return r;
	/* ISO 9660 labels are upper case, at most 32 characters; the
	 * image-id ties the label to this image. */
	iso->label = xasprintf("GILD_%.12s", iso->img.image_id);
	for (char *s = iso->label; *s; s++)
		*s = (char)toupper((unsigned char)*s);
	iso->cmdline =
	    xstrdup(config_or(iso, "ISO_CMDLINE", ISO_DEFAULT_CMDLINE));
	return gild_mkdir_p(iso->workdir, 0755, err);
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void fill_result(struct iso *iso, const char *path,
			struct iso_result *res)
{
	_cleanup_free_ char *sq =
	    gild_path_join(iso->img.outdir, "rootfs.squashfs");
	const struct iso_part parts[] = {
	    {"kernel", file_size(iso->kernel)},
	    {"initramfs", file_size(iso->initramfs)},
	    {"rootfs.squashfs", file_size(sq)},
	    {"esp (BOOTX64.EFI)", file_size(iso->esp)}};

	res->path = xstrdup(path);
	res->label = xstrdup(iso->label);
	res->size = file_size(path);
	memcpy(res->parts, parts, sizeof(parts));
	res->nparts = 4;
}

/* xorriso writes a temporary beside the result, renamed when complete. */
static int write_iso(struct iso *iso, struct iso_result *res,
		     struct gild_err *err)
{
	const char *dir =
	    iso->opts->outdir ? iso->opts->outdir : iso->img.outdir;
	_cleanup_free_ char *path = xasprintf("%s/%s.iso", dir, iso->img.role);
	_cleanup_free_ char *tmp =
	    xasprintf("%s/.%s.iso.tmp", dir, iso->img.role);
	int r;

	if ((r = gild_mkdir_p(dir, 0755, err)) < 0)
		return r;
	unlink(tmp);
	if ((r = iso_write_image(iso, tmp, err)) < 0) {
		unlink(tmp);
		return r;
	}
	if (rename(tmp, path) != 0) {
		r = gild_fail_errno(err, path, "cannot rename '%s' to", tmp);
		unlink(tmp);
		return r;
	}
	fill_result(iso, path, res);
	return gpkg_hash_file("SHA256", path, res->sha256, sizeof(res->sha256),
			      NULL, err);
}

static int assemble(struct iso *iso, struct iso_result *res,
		    struct gild_err *err)
{
	int r;

	if ((r = check_tools(err)) < 0 || (r = build_image(iso, err)) < 0 ||
	    (r = prepare(iso, err)) < 0 || (r = boot_packages(iso, err)) < 0 ||
	    (r = write_initramfs(iso, err)) < 0 ||
	    (r = iso_write_grubcfg(iso, err)) < 0 ||
	    (r = iso_write_esp(iso, err)) < 0)
		return r;
	return write_iso(iso, res, err);
}

int iso_build(struct build_env *env, const struct iso_opts *o,
	      struct iso_result *res, struct gild_err *err)
{
	struct iso iso = {.env = env, .opts = o};
	mode_t old = umask(022);
	int r = assemble(&iso, res, err);

	umask(old);
	iso_release(&iso);
	return r;
}
