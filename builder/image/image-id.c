/* image-id.c: the image-id, a SHA-256 of everything that decides the
 * image: gild itself, the packages' build-ids, every file of the role's
 * profiles, the options, and the versions of the tools that write the
 * formats. An output directory whose image.json carries the same id holds
 * this image already: nothing is written again. */
#include "image-impl.h"

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every file below dir (sorted, recursive) as "path sha256" lines. */
static int hash_tree(const char *dir, const char *rel, struct gild_buf *b,
		     struct gild_err *err)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), r = 0;

	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		_cleanup_free_ char *p = gild_path_join(dir, name);
		_cleanup_free_ char *q = xasprintf("%s/%s", rel, name);
		struct stat st;
		char sha[65];
		if (r == 0 && strcmp(name, ".") && strcmp(name, "..") &&
		    lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = hash_tree(p, q, b, err);
			else if (S_ISREG(st.st_mode) &&
				 (r = image_sha256_file(p, sha, err)) == 0)
				gild_buf_printf(b, "role-file %s %04o %s\n", q,
						st.st_mode & 0111 ? 0755 : 0644,
						sha);
			else if (S_ISLNK(st.st_mode)) {
				char t[4096];
				ssize_t k = readlink(p, t, sizeof(t) - 1);
				t[k > 0 ? k : 0] = '\0';
				gild_buf_printf(b, "role-link %s %s\n", q, t);
			}
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* The first line a tool prints about its version. */
static void tool_version(struct image *im, const char *tool, const char *opt,
			 struct gild_buf *b)
{
	_cleanup_free_ char *log = xasprintf("%s/version.log", im->workdir);
	_cleanup_free_ char *text = NULL;
	const char *argv[] = {tool, opt, NULL};
	struct gild_err e = {0};
	size_t n;

	(void)unlink(log);
	if (!image_have_tool(tool)) {
		gild_buf_printf(b, "tool %s missing\n", tool);
		return;
	}
	(void)image_run_tool(argv, NULL, tool, log, &e);
	if (gild_read_file(log, &text, &n, NULL) == 0)
		gild_buf_printf(b, "tool %s %.*s\n", tool,
				(int)strcspn(text, "\n"), text);
}

/* gild's own code: the core library this function is in. */
static int core_identity(struct gild_buf *b, struct gild_err *err)
{
	Dl_info info;
	char sha[65];
	int r;

	if (!dladdr((void *)core_identity, &info) || !info.dli_fname)
		return 0;
	if ((r = image_sha256_file(info.dli_fname, sha, err)) < 0)
		return r;
	gild_buf_printf(b, "gild-code %s\n", sha);
	return 0;
}

static void option_lines(struct image *im, struct gild_buf *b)
{
	static const char *const vars[] = {
	    "IMAGE_FORMATS",	   "IMAGE_SIZE", "INSTALL_MASK",
	    "IMAGE_INSTALL_MASK",  "IMAGE_VDB",	 "IMAGE_STRIP",
	    "IMAGE_SETUID_ALLOWED"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		const char *v = config_get(im->env->cfg, vars[i]);
		gild_buf_printf(b, "var %s=%s\n", vars[i], v ? v : "");
	}
	for (size_t i = 0; i < im->opts->formats.n; i++)
		gild_buf_printf(b, "format %s\n", im->opts->formats.v[i]);
	gild_buf_printf(b, "size %llu\n", (unsigned long long)im->opts->size);
}

int image_compute_id(struct image *im, struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *h =
	    gpkg_hash_new("SHA256");
	char hex[129];
	int r;

	gild_buf_printf(&b, "gild %s\nprofile %s\n", GILD_VERSION,
			im->role.profile);
	if ((r = core_identity(&b, err)) < 0)
		return r;
	for (size_t i = 0; i < im->npkgs; i++) {
		_cleanup_(gpkg_meta_releasep) struct gpkg_meta m =
		    GPKG_META_INIT;
		if ((r = gpkg_read_meta(im->pkgs[i].pkg_path, &m, err)) < 0)
			return r;
		const char *id = gpkg_build_id(&m);
		gild_buf_printf(&b, "pkg %s %s\n", im->pkgs[i].cpv,
				id ? id : "");
	}
	for (size_t i = 0; i < im->role.nodes.n; i++) {
		gild_buf_printf(&b, "role %s\n",
				im->role.nodes.v[i] +
				    strlen(im->env->cfg->tree));
		if ((r = hash_tree(im->role.nodes.v[i], "", &b, err)) < 0)
			return r;
	}
	option_lines(im, &b);
	tool_version(im, "mksquashfs", "-version", &b);
	tool_version(im, "mkfs.erofs", "-V", &b);
	tool_version(im, "mke2fs", "-V", &b);
	tool_version(im, "strip", "--version", &b);
	tool_version(im, "depmod", "--version", &b);
	gpkg_hash_update(h, b.p, b.n);
	gpkg_hash_hex(h, hex, sizeof(hex));
	im->image_id = xstrdup(hex);
	return image_put_text(im->workdir, "image-id.txt", gild_buf_str(&b),
			      err);
}

bool image_is_current(const struct image *im, const char *outdir)
{
	_cleanup_free_ char *path = gild_path_join(outdir, "image.json");
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *want =
	    xasprintf("\"image_id\": \"%s\"", im->image_id);
	size_t n;
	static const char *const always[] = {"manifest.txt", "sbom.cdx.xml",
					     "hardening.txt"};

	if (gild_read_file(path, &text, &n, NULL) < 0 || !strstr(text, want))
		return false;
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *p = gild_path_join(outdir, always[i]);
		if (access(p, F_OK) < 0)
			return false;
	}
	/* every output image.json lists is there */
	for (const char *s = text; (s = strstr(s, "\"name\": \""));) {
		s += 9;
		_cleanup_free_ char *name = xstrndup(s, strcspn(s, "\""));
		_cleanup_free_ char *obj = xstrndup(s, strcspn(s, "}"));
		_cleanup_free_ char *p = gild_path_join(outdir, name);
		if (access(p, F_OK) < 0 && !strstr(obj, "\"skipped\""))
			return false;
	}
	return true;
}

/* "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx" from the image-id (and a salt, so
 * that each identifier of one image differs). */
void image_uuid(const char *image_id, int salt, char out[37])
{
	char x[32];

	for (int i = 0; i < 32; i++)
		x[i] = image_id[(i + salt) % 64];
	x[12] = '4';
	x[16] = "89ab"[(x[16] - '0') & 3];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", x, x + 8, x + 12, x + 16,
		 x + 20);
}
