/* test-manifest.c: Manifest parsing, digests, verification, writing;
 * SRC_URI lists, thirdpartymirrors and GLEP 75 mirror layouts. */
#include "fetch/fetch.h"
#include "pms/pms.h"
#include "tap.h"

#include <sys/stat.h>

/* BLAKE2B-512 and SHA512 of "hello\n" (b2sum, sha512sum). */
#define HELLO_B2                                                               \
	"f60ce482e5cc1229f39d71313171a8d9f4ca3a87d066bf4b205effb528192a75"     \
	"f14f3271e2c1a90e1de53f275b4d4793eef2f5e31ea90d2ce29d2e481c36435f"
#define HELLO_SHA512                                                           \
	"e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931"     \
	"f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629"

static char tmpdir[64];

static const char *scratch(void)
{
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/gild-test-manifest.XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	return tmpdir;
}

static char *write_tmp(const char *name, const char *content)
{
	char *p = gild_path_join(scratch(), name);
	FILE *f = fopen(p, "w");

	fputs(content, f);
	fclose(f);
	return p;
}

static const struct {
	const char *text;
	const char *error; /* NULL: parses */
} parse_cases[] = {
    {"DIST a.tar.gz 6 BLAKE2B " HELLO_B2 " SHA512 " HELLO_SHA512 "\n", NULL},
    {"EBUILD a-1.ebuild 10 SHA256 00ff\nAUX x.patch 3 SHA512 ab\n", NULL},
    {"\n\nMISC metadata.xml 1 BLAKE2B aa\n", NULL},
    {"DIST a 1 BLAKE2B 00\nFOO b 1 SHA512 00\n",
     "M:2: unknown Manifest entry type 'FOO'"},
    {"DIST a 1 BLAKE2B\n",
     "M:1: malformed DIST entry: expected 'NAME SIZE HASH VALUE...'"},
    {"DIST a -1 BLAKE2B 00\n", "M:1: bad size '-1' for 'a'"},
    {"DIST a 1 BLAKE2B zz\n", "M:1: bad BLAKE2B value for 'a'"},
    {"DIST a 1 BLAKE2B 00\nDIST a 2 SHA512 00\n",
     "M:2: duplicate DIST entry for 'a'"},
};

TEST(manifest_parse_accepts_gentoo_lines_and_locates_errors)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(parse_cases); i++) {
		struct gild_err err = GILD_ERR_INIT;
		struct manifest *m = NULL;
		const char *t = parse_cases[i].text;
		int r = manifest_parse("M", t, strlen(t), &m, &err);
		char got[700];

		if (!parse_cases[i].error) {
			CHECK_INTEQ(r, 0);
		} else {
			snprintf(got, sizeof(got), "%s:%u: %s", err.file,
				 err.line, err.msg);
			CHECK_INTEQ(r, -GILD_E_SYNTAX);
			CHECK_STREQ(got, parse_cases[i].error);
		}
		manifest_free(m);
	}
}

TEST(manifest_digest_file_gives_size_blake2b_and_sha512)
{
	_cleanup_free_ char *p = write_tmp("hello", "hello\n");
	struct manifest_digest d;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(manifest_digest_file(p, &d, &err), 0);
	CHECK_INTEQ(d.size, 6);
	CHECK_STREQ(d.blake2b, HELLO_B2);
	CHECK_STREQ(d.sha512, HELLO_SHA512);
}

TEST(manifest_verify_file_reports_mismatches_at_the_line)
{
	const char *text =
	    "EBUILD x 1 SHA512 00\n"
	    "DIST hello 6 BLAKE2B " HELLO_B2 " SHA512 " HELLO_SHA512 "\n"
	    "DIST big 7 BLAKE2B " HELLO_B2 "\n"
	    "DIST other 6 SHA512 00ab\n";
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_free_ char *p = write_tmp("hello2", "hello\n");
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(manifest_parse("Manifest", text, strlen(text), &m, &err),
		    0);
	CHECK_INTEQ(manifest_verify_file(m, "hello", p, &err), 0);
	CHECK_INTEQ(manifest_verify_file(m, "big", p, &err), -GILD_E_MANIFEST);
	CHECK_INTEQ(err.line, 3);
	CHECK_STREQ(err.msg, "size mismatch for 'big': expected 7, got 6");
	CHECK_INTEQ(manifest_verify_file(m, "other", p, &err),
		    -GILD_E_MANIFEST);
	CHECK_INTEQ(err.line, 4);
	CHECK_STREQ(
	    err.msg,
	    "SHA512 mismatch for 'other': expected 00ab, got " HELLO_SHA512);
	CHECK_INTEQ(manifest_verify_file(m, "x", p, &err), -GILD_E_NOTFOUND);
	CHECK_INTEQ(err.line, 0);
	CHECK_STREQ(err.file, "Manifest");
	CHECK_STREQ(err.msg, "no DIST entry for 'x'");
}

TEST(manifest_write_sorts_and_keeps_other_entries)
{
	const char *text = "MISC metadata.xml 3 SHA512 aa\n"
			   "DIST z.tar 1 BLAKE2B 00 SHA512 11\n"
			   "AUX fix.patch 2 SHA256 bb\n";
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_free_ char *out = gild_path_join(scratch(), "Manifest");
	_cleanup_free_ char *got = NULL;
	struct manifest_digest d = {.size = 6};
	struct gild_err err = GILD_ERR_INIT;

	strcpy(d.blake2b, "b2");
	strcpy(d.sha512, "s5");
	CHECK_INTEQ(manifest_parse("M", text, strlen(text), &m, &err), 0);
	manifest_set_dist(m, "a.tar", &d);
	d.size = 9;
	manifest_set_dist(m, "z.tar", &d);
	CHECK_INTEQ(manifest_write(m, out, &err), 0);
	CHECK_INTEQ(gild_read_file(out, &got, NULL, &err), 0);
	CHECK_STREQ(got, "AUX fix.patch 2 SHA256 bb\n"
			 "DIST a.tar 6 BLAKE2B b2 SHA512 s5\n"
			 "DIST z.tar 9 BLAKE2B b2 SHA512 s5\n"
			 "MISC metadata.xml 3 SHA512 aa\n");
}

TEST(manifest_remove_drops_one_entry)
{
	const char *text = "DIST a 1 SHA512 00\nDIST b 2 SHA512 00\n"
			   "AUX b 3 SHA512 00\n";
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(manifest_parse("M", text, strlen(text), &m, &err), 0);
	CHECK(manifest_remove(m, "DIST", "b"));
	CHECK(!manifest_remove(m, "DIST", "b"));
	CHECK_INTEQ(m->n, 2);
	CHECK(manifest_find(m, "DIST", "a") != NULL);
	CHECK(manifest_find(m, "AUX", "b") != NULL);
}

TEST(manifest_move_aside_numbers_bad_copies)
{
	_cleanup_free_ char *a = write_tmp("bad", "1");
	_cleanup_free_ char *moved = NULL, *moved2 = NULL;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(manifest_move_aside(scratch(), a, "bad", &moved, &err), 0);
	CHECK(gild_endswith(moved, "/.bad/bad.1"));
	CHECK(access(a, F_OK) < 0);
	free(write_tmp("bad", "2"));
	CHECK_INTEQ(manifest_move_aside(scratch(), a, "bad", &moved2, &err), 0);
	CHECK(gild_endswith(moved2, "/.bad/bad.2"));
}

/* ---- SRC_URI and mirrors ------------------------------------------------ */

static bool use_ssl(void *ud, const char *flag)
{
	(void)ud;
	return strcmp(flag, "ssl") == 0;
}

static int srclist_of(struct fetch_srclist *l, const char *text,
		      struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *tree = NULL;
	_cleanup_(dep_node_freep) struct dep_node *reduced = NULL;
	int r = depstr_parse(text, strlen(text), DEPSTR_SRC_URI, 8, NULL, &tree,
			     err);

	if (r < 0)
		return r;
	reduced = depstr_reduce(tree, use_ssl, NULL);
	return fetch_srclist_add_tree(l, reduced, err);
}

TEST(fetch_srclist_add_tree_handles_renames_use_and_merges_names)
{
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist l =
	    FETCH_SRCLIST_INIT;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(srclist_of(&l,
			       "https://a/x-1.tar.gz\n"
			       "ssl? ( mirror://gnu/x/x-1.tar.gz "
			       "fetch+https://b/v1.tar.gz -> y-1.tar.gz )\n"
			       "!ssl? ( https://c/nossl.tar.gz ) bare.tar.gz",
			       &err),
		    0);
	CHECK_INTEQ(l.n, 3);
	CHECK_STREQ(l.v[0].name, "x-1.tar.gz");
	CHECK_INTEQ(l.v[0].uris.n, 2);
	CHECK_STREQ(l.v[0].uris.v[1], "mirror://gnu/x/x-1.tar.gz");
	CHECK_STREQ(l.v[1].name, "y-1.tar.gz");
	CHECK_STREQ(l.v[1].uris.v[0], "https://b/v1.tar.gz");
	CHECK_STREQ(l.v[2].name, "bare.tar.gz");
	CHECK_INTEQ(l.v[2].uris.n, 0);
}

TEST(fetch_srclist_add_rejects_bad_names)
{
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist l =
	    FETCH_SRCLIST_INIT;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(fetch_srclist_add(&l, "http://a/", NULL, &err),
		    -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "bad distfile name '' for 'http://a/'");
	CHECK_INTEQ(fetch_srclist_add(&l, "http://a/b", "..", &err),
		    -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "bad distfile name '..' for 'http://a/b'");
}

TEST(fetch_expand_uri_uses_thirdpartymirrors)
{
	_cleanup_free_ char *p = write_tmp(
	    "tpm", "# mirrors\ngnu https://ftp.gnu.org/gnu/ http://m/gnu\n");
	_cleanup_(fetch_tpm_freep) struct fetch_tpm *t = NULL;
	_cleanup_strv_ struct gild_strv urls = GILD_STRV_INIT;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(fetch_tpm_load(p, &t, &err), 0);
	CHECK_INTEQ(
	    fetch_expand_uri(t, "mirror://gnu/hello/h-1.tar.gz", &urls, &err),
	    0);
	CHECK_INTEQ(fetch_expand_uri(t, "https://x/y", &urls, &err), 0);
	CHECK_INTEQ(urls.n, 3);
	CHECK_STREQ(urls.v[0], "https://ftp.gnu.org/gnu/hello/h-1.tar.gz");
	CHECK_STREQ(urls.v[1], "http://m/gnu/hello/h-1.tar.gz");
	CHECK_STREQ(urls.v[2], "https://x/y");
	CHECK_INTEQ(fetch_expand_uri(t, "mirror://kde/a", &urls, &err),
		    -GILD_E_NOTFOUND);
}

TEST(fetch_filename_hash_dir_follows_glep75)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

	/* b2sum of "hello\n" starts f60c: 8 bits "f6", 4:8 "f/60" */
	a = fetch_filename_hash_dir("hello\n", "BLAKE2B", "8");
	b = fetch_filename_hash_dir("hello\n", "BLAKE2B", "4:8");
	c = fetch_filename_hash_dir("hello\n", "MD5", "8");
	CHECK_STREQ(a, "f6/");
	CHECK_STREQ(b, "f/60/");
	CHECK(c == NULL);
}

TEST(fetch_mirror_urls_defaults_to_the_flat_layout)
{
	_cleanup_strv_ struct gild_strv urls = GILD_STRV_INIT;
	struct fetch_mirror m = {"https://m.example/gentoo", GILD_STRV_INIT,
				 false, NULL};

	fetch_mirror_urls(NULL, &m, "a.tar", &urls, NULL);
	CHECK_INTEQ(urls.n, 1);
	CHECK_STREQ(urls.v[0], "https://m.example/gentoo/distfiles/a.tar");
}

__attribute__((destructor)) static void remove_scratch(void)
{
	if (tmpdir[0]) {
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cannot remove %s\n", tmpdir);
	}
}

TEST(fetch_mirror_urls_follow_the_mirror_layouts_in_order)
{
	_cleanup_strv_ struct gild_strv urls = GILD_STRV_INIT;
	struct fetch_mirror m = {"http://m", GILD_STRV_INIT, true, NULL};

	gild_strv_add(&m.layouts, "filename-hash BLAKE2B 8");
	gild_strv_add(&m.layouts, "content-hash SHA512 8:8:8");
	gild_strv_add(&m.layouts, "flat");
	fetch_mirror_urls(NULL, &m, "hello\n", &urls, NULL);
	CHECK_INTEQ(urls.n, 2);
	CHECK_STREQ(urls.v[0], "http://m/distfiles/f6/hello\n");
	CHECK_STREQ(urls.v[1], "http://m/distfiles/hello\n");
	gild_strv_release(&m.layouts);
}

static const char *lookup_test(void *ud, const char *name)
{
	(void)ud;
	if (strcmp(name, "DISTDIR") == 0)
		return "/var/distfiles";
	if (strcmp(name, "P") == 0)
		return "foo-1";
	return NULL;
}

TEST(fetch_nofetch_text_keeps_the_message_lines_expanded)
{
	const char *body = "\n\tlocal x=1\n"
			   "\teinfo \"Download ${P}.tar.gz from https://x/\"\n"
			   "\teinfo\n"
			   "\telog 'and put it into ${DISTDIR}' as $DISTDIR/\n"
			   "\tewarn \"costs \\$5 $UNSET.\"\n"
			   "\teinformation ignored\n";
	_cleanup_free_ char *t = fetch_nofetch_text(body, lookup_test, NULL);

	CHECK_STREQ(t, "Download foo-1.tar.gz from https://x/\n"
		       "\n"
		       "and put it into ${DISTDIR} as /var/distfiles/\n"
		       "costs $5 .\n");
}

TEST(fetch_restrict_has_matches_whole_words)
{
	CHECK(fetch_restrict_has("mirror fetch", "fetch"));
	CHECK(fetch_restrict_has("fetch", "fetch"));
	CHECK(!fetch_restrict_has("fetchy test", "fetch"));
	CHECK(!fetch_restrict_has("", "fetch"));
	CHECK(!fetch_restrict_has(NULL, "mirror"));
}
