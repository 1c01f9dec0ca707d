/* test-gpkg.c: GPKG layout, metadata round trip, determinism, verify,
 * extraction safety, and the repository index. */
#include "tap.h"

#include "repo/repo-impl.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_solv.h>

/* ---- helpers
 * ----------------------------------------------------------------- */

static char *tmp_root(void)
{
	char tmpl[] = "/tmp/gild-test-gpkg.XXXXXX";
	return xstrdup(mkdtemp(tmpl));
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(p);
}

static void rm_rf(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void write_text(const char *dir, const char *rel, const char *text,
		       unsigned mode)
{
	char *p = gild_path_join(dir, rel);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static void make_dir(const char *dir, const char *rel)
{
	char *p = gild_path_join(dir, rel);
	gild_mkdir_p(p, 0755, NULL);
	free(p);
}

/* A small image: nested dirs, an empty dir, setuid file, symlink, hard link. */
static void make_image(const char *img, time_t mtime)
{
	struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
	char *a, *b, *s;

	make_dir(img, "usr/bin");
	make_dir(img, "usr/lib");
	make_dir(img, "var/empty");
	write_text(img, "usr/bin/tool", "#!/bin/sh\necho hi\n", 04755);
	write_text(img, "usr/lib/libx.so.1", "ELF-ish\n", 0644);
	a = gild_path_join(img, "usr/lib/libx.so.1");
	b = gild_path_join(img, "usr/lib/libx-hard.so.1");
	s = gild_path_join(img, "usr/lib/libx.so");
	link(a, b);
	symlink("libx.so.1", s);
	utimes(a, tv);
	free(a);
	free(b);
	free(s);
}

static void fill_meta(struct gpkg_meta *m)
{
	gpkg_meta_set(m, "CATEGORY", "app-misc");
	gpkg_meta_set(m, "PF", "tool-1.2-r1");
	gpkg_meta_set(m, "SLOT", "0");
	gpkg_meta_set(m, "EAPI", "8");
	gpkg_meta_set(m, "USE", "ssl -test");
	gpkg_meta_set(m, "RDEPEND", ">=dev-libs/openssl-3:= sys-libs/zlib");
	gpkg_meta_set(m, "DESCRIPTION", "a tool\nwith two lines");
	gpkg_meta_set(m, "BUILD_ID", "abcdef0123456789abcdef");
	m->recipe = xstrdup("DESCRIPTION=\"a tool\"\nSLOT=0\n");
	m->source_date_epoch = 1700000000;
}

static int write_pkg(const char *img, const char *out, struct gild_err *err)
{
	struct gpkg_meta m = GPKG_META_INIT;
	int r;

	fill_meta(&m);
	r = gpkg_write(&m, img, out, err);
	gpkg_meta_release(&m);
	return r;
}

static bool files_equal(const char *a, const char *b)
{
	char *pa = NULL, *pb = NULL;
	size_t na = 0, nb = 0;
	bool eq;

	gild_read_file(a, &pa, &na, NULL);
	gild_read_file(b, &pb, &nb, NULL);
	eq = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return eq;
}

/* ---- pure functions
 * ------------------------------------------------------------ */

static const struct {
	const char *pf, *pn, *pvr;
} pf_cases[] = {
    {"foo-1.0", "foo", "1.0"},
    {"foo-bar-1.2-r1", "foo-bar", "1.2-r1"},
    {"x264-0_pre20230101", "x264", "0_pre20230101"},
    {"gtk+-3.24.38", "gtk+", "3.24.38"},
    {"nover", NULL, NULL},
};

TEST(split_pf_takes_the_last_dash_digit_as_version)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(pf_cases); i++) {
		char *pn = NULL, *pvr = NULL;
		int r = gpkg_split_pf(pf_cases[i].pf, &pn, &pvr, NULL);
		if (!pf_cases[i].pn) {
			CHECK(r < 0);
			continue;
		}
		CHECK_INTEQ(r, 0);
		CHECK_STREQ(pn, pf_cases[i].pn);
		CHECK_STREQ(pvr, pf_cases[i].pvr);
		free(pn);
		free(pvr);
	}
}

static const struct {
	const char *name;
	bool ok;
} path_cases[] = {
    {"image/usr/bin/x", true},	    {"image/a..b", true},
    {"image/../etc/passwd", false}, {"/etc/passwd", false},
    {"image/usr/../../x", false},   {"image/..", false},
};

TEST(member_paths_with_dotdot_or_absolute_are_refused)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(path_cases); i++) {
		int r = gpkg_check_member_path(path_cases[i].name, NULL);
		if (!CHECK_INTEQ(r == 0, path_cases[i].ok))
			tap_note("path '%s'", path_cases[i].name);
	}
}

static const struct {
	const char *name, *target;
	bool ok;
} link_cases[] = {
    {"usr/lib/libz.so", "libz.so.1", true},
    {"usr/lib/libz.so", "../../lib/libz.so.1", true},
    {"usr/lib/libz.so", "../../../etc/shadow", false},
    {"usr/bin/sh", "/bin/bash", true},
    {"x", "..", false},
    {"usr/x", "./../y", true},
};

TEST(symlinks_climbing_above_the_image_are_refused)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(link_cases); i++) {
		int r = gpkg_check_symlink(link_cases[i].name,
					   link_cases[i].target, NULL);
		if (!CHECK_INTEQ(r == 0, link_cases[i].ok))
			tap_note("%s -> %s", link_cases[i].name,
				 link_cases[i].target);
	}
}

TEST(contents_lines_round_trip)
{
	const char *text =
	    "dir 0755 root:root - /usr\n"
	    "obj 4755 root:root "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    " /usr/bin/su\n"
	    "sym 0777 root:root - /usr/lib/a b.so -> a b.so.1\n";
	struct gpkg_contents c = GPKG_CONTENTS_INIT;
	struct gild_buf b = GILD_BUF_INIT;

	CHECK_INTEQ(gpkg_contents_parse(text, &c, NULL), 0);
	CHECK_INTEQ(c.n, 3);
	CHECK_INTEQ(c.e[1].mode, 04755);
	CHECK_STREQ(c.e[2].path, "/usr/lib/a b.so");
	CHECK_STREQ(c.e[2].target, "a b.so.1");
	gpkg_contents_format(&c, &b);
	CHECK_STREQ(gild_buf_str(&b), text);
	gild_buf_release(&b);
	gpkg_contents_release(&c);
}

TEST(contents_rejects_a_bad_line_with_its_number)
{
	struct gpkg_contents c = GPKG_CONTENTS_INIT;
	struct gild_err err = GILD_ERR_INIT;

	CHECK(
	    gpkg_contents_parse("dir 0755 root:root - /usr\nobj 0644 root:root"
				" - /x\n",
				&c, &err) < 0);
	CHECK_INTEQ(err.line, 2);
	CHECK_STREQ(err.msg, "malformed CONTENTS line");
	gpkg_contents_release(&c);
}

/* ---- writing and reading
 * ------------------------------------------------------- */

TEST(gpkg_has_exactly_the_four_glep78_members_in_order)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *out = gild_path_join(root, "p.gpkg.tar");
	static const char *const want[] = {
	    "tool-1.2-r1-abcdef012345/gpkg-1",
	    "tool-1.2-r1-abcdef012345/metadata.tar.zst",
	    "tool-1.2-r1-abcdef012345/image.tar.zst",
	    "tool-1.2-r1-abcdef012345/Manifest"};
	struct archive *a;
	struct archive_entry *e;
	size_t n = 0;

	make_image(img, time(NULL));
	CHECK_INTEQ(write_pkg(img, out, NULL), 0);
	a = gpkg_outer_open(out, NULL);
	CHECK(a != NULL);
	while (a && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (n < 4)
			CHECK_STREQ(archive_entry_pathname(e), want[n]);
		n++;
	}
	CHECK_INTEQ(n, 4);
	if (a)
		archive_read_free(a);
	free(img);
	free(out);
	rm_rf(root);
}

TEST(metadata_round_trips_with_size_contents_and_recipe)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *out = gild_path_join(root, "p.gpkg.tar");
	struct gpkg_meta m = GPKG_META_INIT;
	struct gpkg_contents c = GPKG_CONTENTS_INIT;
	const char *contents;

	make_image(img, time(NULL));
	CHECK_INTEQ(write_pkg(img, out, NULL), 0);
	CHECK_INTEQ(gpkg_read_meta(out, &m, NULL), 0);
	CHECK_STREQ(gpkg_meta_get(&m, "CATEGORY"), "app-misc");
	CHECK_STREQ(gpkg_meta_get(&m, "DESCRIPTION"), "a tool\nwith two lines");
	CHECK_STREQ(gpkg_meta_get(&m, "RDEPEND"),
		    ">=dev-libs/openssl-3:= sys-libs/zlib");
	CHECK_STREQ(gpkg_meta_get(&m, "SIZE"), "26"); /* 18 + 8, link once */
	CHECK_STREQ(m.recipe, "DESCRIPTION=\"a tool\"\nSLOT=0\n");
	contents = gpkg_meta_get(&m, "CONTENTS");
	CHECK(contents != NULL);
	if (contents &&
	    CHECK_INTEQ(gpkg_contents_parse(contents, &c, NULL), 0)) {
		CHECK_INTEQ(c.n, 9);
		CHECK_STREQ(c.e[2].path, "/usr/bin/tool");
		CHECK_INTEQ(c.e[2].mode, 04755);
		CHECK_STREQ(c.e[5].path, "/usr/lib/libx.so");
		CHECK_STREQ(c.e[5].target, "libx.so.1");
		CHECK_STREQ(c.e[4].sha256, c.e[6].sha256); /* hard link */
		CHECK_STREQ(c.e[8].path, "/var/empty");
	}
	CHECK_INTEQ(gpkg_verify(out, NULL), 0);
	gpkg_contents_release(&c);
	gpkg_meta_release(&m);
	free(img);
	free(out);
	rm_rf(root);
}

TEST(same_tree_at_different_paths_and_times_gives_identical_bytes)
{
	char *root = tmp_root(), *img1 = gild_path_join(root, "a/img"),
	     *img2 = gild_path_join(root, "b/deeper/img2"),
	     *o1 = gild_path_join(root, "one.gpkg.tar"),
	     *o2 = gild_path_join(root, "two.gpkg.tar");

	make_image(img1, 1800000000);
	make_image(img2, 1900000000);
	CHECK_INTEQ(write_pkg(img1, o1, NULL), 0);
	sleep(1);
	CHECK_INTEQ(write_pkg(img2, o2, NULL), 0);
	CHECK(files_equal(o1, o2));
	free(img1);
	free(img2);
	free(o1);
	free(o2);
	rm_rf(root);
}

static void flip_byte_in_member(const char *path, const char *member)
{
	char *data = NULL;
	size_t n = 0;
	/* The member's data follows its 512-byte header; find the name. */
	gild_read_file(path, &data, &n, NULL);
	for (size_t off = 0; off + 1024 < n; off += 512)
		if (strstr(data + off, member) && data[off + 156] == '0') {
			int fd = open(path, O_WRONLY);
			char c = (char)(data[off + 512 + 40] ^ 0x55);
			pwrite(fd, &c, 1, (off_t)(off + 512 + 40));
			close(fd);
			break;
		}
	free(data);
}

TEST(a_flipped_byte_in_the_image_fails_verify_and_extract)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *out = gild_path_join(root, "p.gpkg.tar"),
	     *dest = gild_path_join(root, "dest");
	struct gild_err err = GILD_ERR_INIT;

	make_image(img, time(NULL));
	CHECK_INTEQ(write_pkg(img, out, NULL), 0);
	flip_byte_in_member(out, "image.tar.zst");
	CHECK_INTEQ(gpkg_verify(out, &err), -GILD_E_MANIFEST);
	CHECK_STREQ(err.msg, "BLAKE2B/SHA512 mismatch for 'image.tar.zst'");
	CHECK_STREQ(err.file, out);
	gild_err_clear(&err);
	CHECK_INTEQ(gpkg_extract(out, dest, &err), -GILD_E_MANIFEST);
	CHECK(access(dest, F_OK) != 0); /* nothing done before verifying */
	free(img);
	free(out);
	free(dest);
	rm_rf(root);
}

TEST(extract_restores_links_modes_and_empty_dirs)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *out = gild_path_join(root, "p.gpkg.tar"),
	     *dest = gild_path_join(root, "dest");
	char *tool = gild_path_join(dest, "usr/bin/tool"),
	     *lib = gild_path_join(dest, "usr/lib/libx.so.1"),
	     *hard = gild_path_join(dest, "usr/lib/libx-hard.so.1"),
	     *sym = gild_path_join(dest, "usr/lib/libx.so"),
	     *empty = gild_path_join(dest, "var/empty");
	struct stat a, b;
	char target[64] = "";

	make_image(img, time(NULL));
	CHECK_INTEQ(write_pkg(img, out, NULL), 0);
	CHECK_INTEQ(gpkg_extract(out, dest, NULL), 0);
	CHECK(stat(lib, &a) == 0 && stat(hard, &b) == 0 &&
	      a.st_ino == b.st_ino);
	CHECK(readlink(sym, target, sizeof(target) - 1) > 0);
	CHECK_STREQ(target, "libx.so.1");
	CHECK(stat(empty, &a) == 0 && S_ISDIR(a.st_mode));
	CHECK(stat(tool, &a) == 0 && (a.st_mode & 0777) == 0755);
	if (geteuid() == 0)
		CHECK((a.st_mode & 04000) != 0);
	free(tool), free(lib), free(hard), free(sym), free(empty);
	free(img);
	free(out);
	free(dest);
	rm_rf(root);
}

TEST(a_fifo_in_the_image_is_refused_by_name)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *out = gild_path_join(root, "p.gpkg.tar"),
	     *fifo = gild_path_join(root, "img/run.fifo");
	struct gild_err err = GILD_ERR_INIT;

	make_image(img, time(NULL));
	mkfifo(fifo, 0644);
	CHECK_INTEQ(write_pkg(img, out, &err), -GILD_E_INVALID);
	CHECK_STREQ(err.msg,
		    "FIFO '/run.fifo' cannot be packaged (create it at "
		    "image assembly instead)");
	CHECK(access(out, F_OK) != 0);
	free(fifo);
	free(img);
	free(out);
	rm_rf(root);
}

/* ---- the repository
 * ---------------------------------------------------------- */

TEST(index_writes_packages_and_a_solv_cache_libsolv_can_load)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *pkgdir = gild_path_join(root, "pkgs"),
	     *solv = gild_path_join(pkgdir, "Packages.solv"),
	     *idx = gild_path_join(pkgdir, "Packages");
	struct gpkg_meta m = GPKG_META_INIT;
	struct binrepo *r = NULL;
	char *text = NULL;
	size_t len;

	make_image(img, time(NULL));
	fill_meta(&m);
	CHECK_INTEQ(binrepo_has(pkgdir, &m, NULL), 0);
	CHECK_INTEQ(binrepo_add(pkgdir, &m, img, NULL), 0);
	CHECK_INTEQ(binrepo_has(pkgdir, &m, NULL), 1);
	gpkg_meta_set(&m, "BUILD_ID", "abcdef012345ffff"); /* same prefix */
	CHECK_INTEQ(binrepo_has(pkgdir, &m, NULL), 0);
	gpkg_meta_set(&m, "BUILD_ID", "abcdef0123456789abcdef");
	CHECK_INTEQ(binrepo_open(pkgdir, &r, NULL), 0);
	CHECK_INTEQ(r->n, 1);
	CHECK_STREQ(r->pkgs[0].relpath,
		    "app-misc/tool-1.2-r1-abcdef012345.gpkg.tar");
	CHECK(binrepo_find_build_id(r, "abcdef0123456789abcdef") ==
	      &r->pkgs[0]);
	CHECK(binrepo_find_build_id(r, "abcdef") == NULL);
	CHECK_INTEQ(binrepo_index_write(r, NULL), 0);
	CHECK_INTEQ(gild_read_file(idx, &text, &len, NULL), 0);
	/* the package carries the hash as BUILD_ID (written before
	 * GILD_BUILD_ID); the index names it with gild's own key */
	CHECK(text && strstr(text, "\n\nCPV: app-misc/tool-1.2-r1\n"));
	CHECK(text &&
	      strstr(text, "\nGILD_BUILD_ID: abcdef0123456789abcdef\n"));
	CHECK(text && !strstr(text, "\nBUILD_ID:"));
	CHECK(text && strstr(text, "PATH: app-misc/tool-1.2-r1-abcdef012345."
				   "gpkg.tar\n"));

	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "t");
	FILE *f = fopen(solv, "r");
	CHECK(f && repo_add_solv(repo, f, 0) == 0);
	if (f)
		fclose(f);
	CHECK_INTEQ(repo->nsolvables, 1);
	if (repo->nsolvables == 1) {
		Solvable *s = pool_id2solvable(pool, repo->start);
		CHECK_STREQ(pool_id2str(pool, s->name), "app-misc/tool");
		CHECK_STREQ(pool_id2str(pool, s->evr), "1.2-r1");
		CHECK_STREQ(solvable_lookup_str(s, SOLVABLE_BUILDVERSION),
			    "abcdef0123456789abcdef");
	}
	pool_free(pool);
	free(text);
	binrepo_free(r);
	gpkg_meta_release(&m);
	free(img), free(pkgdir), free(solv), free(idx);
	rm_rf(root);
}

/* A rescan reads a package again only when its file changed: the marker
 * put into the earlier scan's metadata survives for the unchanged one. */
TEST(a_rescan_reads_only_the_packages_that_changed)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *pkgdir = gild_path_join(root, "pkgs");
	struct gpkg_meta m = GPKG_META_INIT;
	struct binrepo *r = NULL;

	make_image(img, time(NULL));
	fill_meta(&m);
	CHECK_INTEQ(binrepo_add(pkgdir, &m, img, NULL), 0);
	gpkg_meta_set(&m, "PF", "other-2");
	gpkg_meta_set(&m, "BUILD_ID", "0123456789abcdef");
	CHECK_INTEQ(binrepo_add(pkgdir, &m, img, NULL), 0);
	CHECK_INTEQ(binrepo_open(pkgdir, &r, NULL), 0);
	CHECK_INTEQ(r->n, 2);
	for (size_t i = 0; r && i < r->n; i++)
		gpkg_meta_set(&r->pkgs[i].meta, "MARK", "from the last scan");
	/* other-2 written again: a new file under the same name */
	gpkg_meta_set(&m, "DESCRIPTION", "rewritten");
	CHECK_INTEQ(binrepo_add(pkgdir, &m, img, NULL), 0);
	CHECK_INTEQ(binrepo_rescan(pkgdir, &r, NULL), 0);
	CHECK(r && r->n == 2);
	if (r && r->n == 2) {
		/* sorted by path: other-2 first */
		CHECK(gpkg_meta_get(&r->pkgs[0].meta, "MARK") == NULL);
		CHECK_STREQ(gpkg_meta_get(&r->pkgs[0].meta, "DESCRIPTION"),
			    "rewritten");
		CHECK_STREQ(gpkg_meta_get(&r->pkgs[1].meta, "MARK"),
			    "from the last scan");
	}
	binrepo_free(r);
	gpkg_meta_release(&m);
	free(img), free(pkgdir);
	rm_rf(root);
}

/* The index is written without fsync: one cut short by a crash (newer
 * than every category, so it looks current) is caught by its own count. */
TEST(an_index_cut_short_is_stale)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *pkgdir = gild_path_join(root, "pkgs"),
	     *idx = gild_path_join(pkgdir, "Packages");
	struct gpkg_meta m = GPKG_META_INIT;
	struct binrepo *r = NULL;
	char *text = NULL;
	size_t len;
	FILE *f;

	make_image(img, time(NULL));
	fill_meta(&m);
	CHECK_INTEQ(binrepo_add(pkgdir, &m, img, NULL), 0);
	CHECK_INTEQ(binrepo_reindex(pkgdir, &r, NULL), 0);
	binrepo_free(r);
	r = NULL;
	CHECK_INTEQ(binrepo_index_read(pkgdir, &r, NULL), 0);
	CHECK(r && r->n == 1);
	binrepo_free(r);
	r = NULL;
	/* the header alone, as if the rest never reached the disk */
	CHECK_INTEQ(gild_read_file(idx, &text, &len, NULL), 0);
	CHECK((f = fopen(idx, "w")) != NULL);
	if (f && text) {
		char *end = strstr(text, "\n\n");
		fwrite(text, 1, end ? (size_t)(end - text) + 2 : len, f);
	}
	if (f)
		fclose(f);
	CHECK_INTEQ(binrepo_index_read(pkgdir, &r, NULL), -ESTALE);
	CHECK(r == NULL);
	CHECK_INTEQ(binrepo_load(pkgdir, &r, NULL), 0);
	CHECK(r && r->n == 1);
	binrepo_free(r);
	free(text);
	gpkg_meta_release(&m);
	free(img), free(pkgdir), free(idx);
	rm_rf(root);
}

TEST(an_empty_image_packages_verifies_and_extracts)
{
	char *root = tmp_root(), *img = gild_path_join(root, "img"),
	     *out = gild_path_join(root, "p.gpkg.tar"),
	     *dest = gild_path_join(root, "dest");
	struct gpkg_meta m = GPKG_META_INIT;

	make_dir(root, "img");
	CHECK_INTEQ(write_pkg(img, out, NULL), 0);
	CHECK_INTEQ(gpkg_read_meta(out, &m, NULL), 0);
	CHECK_STREQ(gpkg_meta_get(&m, "CONTENTS"), "");
	CHECK_STREQ(gpkg_meta_get(&m, "SIZE"), "0");
	CHECK_INTEQ(gpkg_verify(out, NULL), 0);
	CHECK_INTEQ(gpkg_extract(out, dest, NULL), 0);
	gpkg_meta_release(&m);
	free(img);
	free(out);
	free(dest);
	rm_rf(root);
}
