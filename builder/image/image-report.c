/* image-report.c: what an image is, as text a person or a program reads:
 * manifest.txt (every path with its type, mode, owner, size, SHA-256 and
 * origin), image.json (profile, role, packages, outputs, image-id) and
 * hardening.txt. */
#include "image-impl.h"

#include <sys/stat.h>
#include <unistd.h>

int image_sha256_file(const char *path, char out[65], struct gild_err *err)
{
	char hex[129];
	int r = gpkg_hash_file("SHA256", path, hex, sizeof(hex), NULL, err);

	if (r == 0)
		memcpy(out, hex, 65);
	return r;
}

static const char *type_word(mode_t m)
{
	return S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "sym" : "obj";
}

static int manifest_line(struct image *im, const struct image_file *f,
			 struct gild_buf *b, struct gild_err *err)
{
	_cleanup_free_ char *h = image_host_path(im, f->path);
	char sha[65] = "-", target[4096] = "";
	struct stat st;
	int r;

	if (lstat(h, &st) < 0)
		return gild_fail_errno(err, h, "cannot stat");
	if (S_ISREG(st.st_mode) && (r = image_sha256_file(h, sha, err)) < 0)
		return r;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(h, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
	}
	gild_buf_printf(
	    b, "%s %04o %u:%u %llu %s %s%s%s %s\n", type_word(st.st_mode),
	    st.st_mode & 07777, st.st_uid, st.st_gid,
	    S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0ULL, sha,
	    f->path, *target ? " -> " : "", target, f->origin);
	return 0;
}

int image_write_manifest(struct image *im, const char *dir,
			 struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	int r;

	image_files_sort(&im->files);
	gild_buf_printf(&b,
			"# gild image manifest: role %s, image-id %s\n"
			"# type mode uid:gid size sha256 path origin\n",
			im->role.profile, im->image_id);
	for (size_t i = 0; i < im->files.n; i++)
		if ((r = manifest_line(im, &im->files.v[i], &b, err)) < 0)
			return r;
	return image_put_text(dir, "manifest.txt", gild_buf_str(&b), err);
}

static void json_kv(struct gild_buf *b, const char *key, const char *val,
		    bool comma)
{
	_cleanup_free_ char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	gild_json_str(f, val ? val : "", strlen(val ? val : ""));
	fclose(f);
	gild_buf_printf(b, "\"%s\": %s%s", key, s, comma ? ", " : "");
}

static void json_packages(struct image *im, struct gild_buf *b)
{
	gild_buf_adds(b, "  \"packages\": [\n");
	for (size_t i = 0; i < im->npkgs; i++) {
		const struct image_pkg *p = &im->pkgs[i];
		gild_buf_adds(b, "    {");
		json_kv(b, "cpv", p->cpv, true);
		json_kv(b, "slot", gpkg_meta_get(&p->meta, "SLOT"), true);
		json_kv(b, "use", gpkg_meta_get(&p->meta, "USE"), true);
		json_kv(b, "license", gpkg_meta_get(&p->meta, "LICENSE"), true);
		json_kv(b, "build_id", gpkg_build_id(&p->meta), false);
		gild_buf_printf(b, "}%s\n", i + 1 < im->npkgs ? "," : "");
	}
	gild_buf_adds(b, "  ],\n");
}

static void json_outputs(const struct image_result *res, struct gild_buf *b)
{
	gild_buf_adds(b, "  \"outputs\": [\n");
	for (size_t i = 0; i < res->nout; i++) {
		const struct image_output *o = &res->out[i];
		gild_buf_adds(b, "    {");
		json_kv(b, "name", o->name, true);
		json_kv(b, "format", o->format, true);
		if (o->skipped)
			json_kv(b, "skipped", o->skipped, false);
		else {
			gild_buf_printf(b, "\"size\": %llu, ",
					(unsigned long long)o->size);
			json_kv(b, "sha256", o->sha256, false);
		}
		gild_buf_printf(b, "}%s\n", i + 1 < res->nout ? "," : "");
	}
	gild_buf_adds(b, "  ],\n");
}

int image_write_json(struct image *im, const char *dir,
		     const struct image_result *res, struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;

	gild_buf_adds(&b, "{\n  ");
	json_kv(&b, "image_id", im->image_id, true);
	json_kv(&b, "profile", im->role.profile, true);
	json_kv(&b, "base_profile", im->role.base_profile, true);
	json_kv(&b, "role", im->role.name, true);
	json_kv(&b, "gild_version", GILD_VERSION, false);
	gild_buf_printf(&b,
			",\n  \"source_date_epoch\": %lld,\n"
			"  \"files\": %zu,\n  \"bytes\": %llu,\n",
			(long long)im->sde, im->files.n,
			(unsigned long long)res->bytes);
	json_packages(im, &b);
	json_outputs(res, &b);
	gild_buf_adds(&b, "  \"services\": [");
	for (size_t i = 0; i < im->services.n; i++) {
		_cleanup_free_ char *s = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&s, &n);
		gild_json_str(f, im->services.v[i], strlen(im->services.v[i]));
		fclose(f);
		gild_buf_printf(&b, "%s%s", i ? ", " : "", s);
	}
	gild_buf_adds(&b, "]\n}\n");
	return image_put_text(dir, "image.json", gild_buf_str(&b), err);
}

int image_write_hardening(struct image *im, const char *dir,
			  struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;

	gild_buf_printf(&b,
			"# what gild image did to harden role %s "
			"(image-id %s)\n",
			im->role.profile, im->image_id);
	for (size_t i = 0; i < im->hardening.n; i++)
		gild_buf_printf(&b, "%s\n", im->hardening.v[i]);
	return image_put_text(dir, "hardening.txt", gild_buf_str(&b), err);
}
