/* test-base.c: the shared vocabulary (errors, buffers, atomic files). */
#include "base/base.h"
#include "tap.h"

#include <fcntl.h>
#include <sys/stat.h>

TEST(gild_fail_fills_code_location_and_message)
{
	struct gild_err err = GILD_ERR_INIT;
	struct gild_loc loc = {"recipes/a/b/b-1.recipe", 14, 9};
	int r = gild_fail(&err, -GILD_E_SYNTAX, &loc, "unknown USE flag '%s'",
			  "sslx");
	CHECK_INTEQ(r, -GILD_E_SYNTAX);
	CHECK_STREQ(err.file, "recipes/a/b/b-1.recipe");
	CHECK_INTEQ(err.line, 14);
	CHECK_STREQ(err.msg, "unknown USE flag 'sslx'");
	CHECK_INTEQ(gild_err_exit_status(r), 2);
}

TEST(gild_fail_errno_appends_path_and_strerror)
{
	struct gild_err err = GILD_ERR_INIT;
	char *buf = NULL;
	int r = gild_read_file("/nonexistent/file", &buf, NULL, &err);
	CHECK_INTEQ(r, -ENOENT);
	CHECK_STREQ(
	    err.msg,
	    "cannot open '/nonexistent/file': No such file or directory");
	CHECK(buf == NULL);
}

TEST(gild_err_wrap_prefixes_context)
{
	struct gild_err err = GILD_ERR_INIT;
	gild_fail(&err, -GILD_E_BUILD, NULL, "phase failed");
	gild_err_wrap(&err, "building %s", "foo-1");
	CHECK_STREQ(err.msg, "building foo-1: phase failed");
}

TEST(gild_buf_grows_and_formats)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	CHECK_STREQ(gild_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		gild_buf_printf(&b, "%d,", i);
	CHECK_INTEQ(b.n, strlen(b.p));
	CHECK(gild_startswith(b.p, "0,1,2,"));
	CHECK(gild_endswith(b.p, "998,999,"));
}

TEST(gild_atomic_leaves_nothing_when_not_committed)
{
	char dir[] = "/tmp/gild-test-XXXXXX";
	struct gild_err err = GILD_ERR_INIT;
	CHECK(mkdtemp(dir) != NULL);
	_cleanup_free_ char *path = gild_path_join(dir, "out.txt");
	{
		_cleanup_(gild_atomic_release) struct gild_atomic af =
		    GILD_ATOMIC_INIT;
		CHECK_INTEQ(gild_atomic_open(&af, AT_FDCWD, path, 0644, &err),
			    0);
		fputs("half", af.f);
	}
	CHECK(access(path, F_OK) != 0);
	{
		_cleanup_(gild_atomic_release) struct gild_atomic af =
		    GILD_ATOMIC_INIT;
		CHECK_INTEQ(gild_atomic_open(&af, AT_FDCWD, path, 0600, &err),
			    0);
		fputs("whole", af.f);
		CHECK_INTEQ(gild_atomic_commit(&af, &err), 0);
	}
	char *got = NULL;
	struct stat st;
	CHECK_INTEQ(gild_read_file(path, &got, NULL, &err), 0);
	CHECK_STREQ(got, "whole");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	free(got);
	unlink(path);
	CHECK(rmdir(dir) == 0); /* no stray temporaries */
}

TEST(gild_json_str_escapes_controls_and_quotes)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	gild_json_str(f, "a\"b\\c\n\x01", (size_t)-1);
	fclose(f);
	CHECK_STREQ(s, "\"a\\\"b\\\\c\\n\\u0001\"");
	free(s);
}

TEST(gild_has_word_matches_whole_words_only)
{
	CHECK(gild_has_word("strip test", "test"));
	CHECK(gild_has_word(" \tstrip\n", "strip"));
	CHECK(!gild_has_word("splitdebug", "debug"));
	CHECK(!gild_has_word("test-fail", "test"));
	CHECK(!gild_has_word(NULL, "test"));
	CHECK(!gild_has_word("", "test"));
}
