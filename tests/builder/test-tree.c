/* test-tree.c: the tree loader, repository files and metadata.xml. */
#include "pms/pms.h"
#include "tap.h"

#include <fcntl.h>
#include <sys/stat.h>

#define FIXTURE "tests/fixtures/tree-basic"

static struct tree *load_fixture(unsigned flags)
{
	struct gild_err err = GILD_ERR_INIT;
	struct tree *t = NULL;

	if (tree_load(FIXTURE, flags, &t, &err) < 0)
		tap_note("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	return t;
}

TEST(tree_load_holds_packages_sorted_with_versions_ascending)
{
	_cleanup_(tree_freep) struct tree *t = load_fixture(0);

	if (!CHECK(t))
		return;
	CHECK_INTEQ(tree_npkgs(t), 4);
	CHECK_INTEQ(tree_nrecipes(t), 6);
	CHECK_STREQ(tree_pkg_at(t, 0)->pn, "hello");
	CHECK_STREQ(tree_pkg_at(t, 1)->pn, "needs-py");
	CHECK_STREQ(tree_pkg_at(t, 2)->category, "dev-libs");
	CHECK_STREQ(tree_pkg_at(t, 3)->category, "sys-libs");
	CHECK(tree_pkg_at(t, 4) == NULL);
	struct tree_pkg *p = tree_find(t, "dev-libs", "libfoo");
	if (CHECK(p) && CHECK_INTEQ(p->n_versions, 2)) {
		CHECK_STREQ(p->versions[0]->pvr, "1.9");
		CHECK_STREQ(p->versions[1]->pvr, "2.0");
	}
	CHECK(tree_find(t, "dev-libs", "nope") == NULL);
	CHECK(tree_find(t, "aaa", "libfoo") == NULL);
	const struct recipe *r =
	    tree_find_recipe(t, "app-misc", "hello", "1.2-r1");
	CHECK(r && strcmp(r->pf, "hello-1.2-r1") == 0);
	CHECK(tree_find_recipe(t, "app-misc", "hello", "1.1") == NULL);
	struct tree_pkg *found[2];
	CHECK_INTEQ(tree_find_pn(t, "zlib", found, 2), 1);
	CHECK_STREQ(found[0]->category, "sys-libs");
	CHECK_INTEQ(tree_find_pn(t, "none", found, 2), 0);
}

static int count_recipe(const struct recipe *r, void *ud)
{
	(*(int *)ud)++;
	return 0;
}

TEST(tree_foreach_recipe_visits_every_recipe)
{
	_cleanup_(tree_freep) struct tree *t = load_fixture(0);
	int n = 0;

	if (!CHECK(t))
		return;
	CHECK_INTEQ(tree_foreach_recipe(t, count_recipe, &n), 0);
	CHECK_INTEQ(n, 6);
}

TEST(tree_reads_repository_files)
{
	_cleanup_(tree_freep) struct tree *t = load_fixture(0);

	if (!CHECK(t))
		return;
	CHECK_STREQ(tree_repo_name(t), "basic");
	CHECK_INTEQ(tree_categories(t)->n, 3);
	CHECK_INTEQ(tree_arches(t)->n, 2);
	CHECK_STREQ(tree_arches(t)->v[1], "arm64");
	CHECK_STREQ(tree_use_desc(t, "ssl"),
		    "Add support for SSL/TLS connections");
	CHECK_STREQ(tree_use_desc(t, "python_targets_python3_13"),
		    "Build with Python 3.13");
	CHECK(tree_use_desc(t, "python3_13") == NULL);
	const struct gild_strv *m = tree_mirror(t, "gnu");
	if (CHECK(m) && CHECK_INTEQ(m->n, 2))
		CHECK_STREQ(m->v[1], "https://ftpmirror.gnu.org");
	CHECK(tree_mirror(t, "nope") == NULL);
	CHECK_STREQ(tree_layout(t, "thin-manifests"), "true");
	CHECK_STREQ(tree_layout(t, "masters"), "");
	CHECK(tree_layout(t, "nope") == NULL);
}

TEST(tree_reads_metadata_xml_lazily)
{
	_cleanup_(tree_freep) struct tree *t = load_fixture(0);
	const struct metadata *md = NULL;
	struct gild_err err = GILD_ERR_INIT;

	if (!CHECK(t))
		return;
	struct tree_pkg *p = tree_find(t, "app-misc", "hello");
	CHECK(!p->md_read);
	CHECK_INTEQ(tree_pkg_metadata(t, p, &md, &err), 0);
	if (!CHECK(md))
		return;
	CHECK_STREQ(md->longdescription,
		    "GNU Hello prints a friendly greeting. It "
		    "is an example of GNU coding standards.");
	if (CHECK_INTEQ(md->n_maintainers, 2)) {
		CHECK_STREQ(md->maintainers[0].type, "person");
		CHECK_STREQ(md->maintainers[0].email, "hello@gild.invalid");
		CHECK_STREQ(md->maintainers[0].name, "Hal Lo");
		CHECK_STREQ(md->maintainers[1].type, "project");
		CHECK(md->maintainers[1].name == NULL);
	}
	if (CHECK_INTEQ(md->n_remote_ids, 1)) {
		CHECK_STREQ(md->remote_ids[0].type, "savannah");
		CHECK_STREQ(md->remote_ids[0].id, "hello");
	}
	CHECK_STREQ(md->bugs_to, "mailto:bug-hello@gnu.org");
	CHECK_STREQ(md->doc, "https://www.gnu.org/software/hello/manual/");
	CHECK_STREQ(metadata_flag_desc(md, "nls"),
		    "Translate messages with sys-devel/gettext");
	CHECK_STREQ(metadata_flag_desc(md, "ssl"), "Greet over TLS");
	CHECK(metadata_flag_desc(md, "x") == NULL);
	p = tree_find(t, "sys-libs", "zlib");
	CHECK_INTEQ(tree_pkg_metadata(t, p, &md, &err), 0);
	CHECK(md == NULL);
}

TEST(metadata_parse_reports_malformed_xml_with_its_line)
{
	static const char bad[] = "<?xml version=\"1.0\"?>\n<pkgmetadata>\n"
				  "<maintainer>\n</pkgmetadata>";
	struct metadata *md = NULL;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(metadata_parse(bad, strlen(bad), "m.xml", &md, &err),
		    -GILD_E_SYNTAX);
	CHECK_STREQ(err.file, "m.xml");
	CHECK_INTEQ(err.line, 4);
	CHECK(gild_startswith(err.msg, "malformed metadata.xml: "));
	tap_note("%s", err.msg);
	static const char other[] = "<catmetadata/>";
	CHECK_INTEQ(metadata_parse(other, strlen(other), "m.xml", &md, &err),
		    -GILD_E_SYNTAX);
	CHECK_STREQ(err.msg, "the root element is not 'pkgmetadata'");
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	gild_mkdir_p(path, 0755, NULL);
	*slash = '/';
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	free(path);
}

TEST(tree_load_stops_at_a_bad_recipe_or_keeps_going)
{
	char dir[] = "/tmp/gild-test-tree-XXXXXX";
	struct gild_err err = GILD_ERR_INIT;
	struct tree *t = NULL;

	if (!CHECK(mkdtemp(dir)))
		return;
	write_file(dir, "recipes/a-b/good/good-1.recipe", "EAPI=8\nSLOT=0\n");
	write_file(dir, "recipes/a-b/bad/bad-1.recipe",
		   "EAPI=8\nSLOT=0\nx=$(y)\n");
	CHECK_INTEQ(tree_load(dir, 0, &t, &err), -GILD_E_INVALID);
	CHECK_STREQ(err.file, "recipes/a-b/bad/bad-1.recipe");
	CHECK_INTEQ(err.line, 3);
	CHECK(t == NULL);
	gild_err_clear(&err);
	CHECK_INTEQ(tree_load(dir, TREE_LOAD_KEEP_GOING, &t, &err), 0);
	if (CHECK(t)) {
		/* no profiles/categories: the directories are the categories */
		CHECK_INTEQ(tree_categories(t)->n, 1);
		CHECK_INTEQ(tree_nrecipes(t), 1);
		CHECK_INTEQ(tree_nerrors(t), 1);
		CHECK_STREQ(tree_error_at(t, 0)->file,
			    "recipes/a-b/bad/bad-1.recipe");
		CHECK_STREQ(tree_repo_name(t), "");
		tree_free(t);
	}
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_INTEQ(system(cmd), 0);
	free(cmd);
}

/* 96 packages in 3 categories; the bad ones at i == bad1 and i == bad2. */
static void write_big_tree(const char *dir, int bad1, int bad2)
{
	static const char *const cats[] = {"a-a", "b-b", "c-c"};
	for (int i = 0; i < 96; i++) {
		char *rel = xasprintf("recipes/%s/p%02d/p%02d-1.%d.recipe",
				      cats[i % 3], i, i, i);
		write_file(dir, rel,
			   i == bad1 || i == bad2 ? "EAPI=8\nSLOT=0\nA=$(x)\n"
						  : "EAPI=8\nSLOT=0\n");
		free(rel);
	}
}

static char *summary(const char *dir, const char *threads, unsigned flags)
{
	struct gild_err err = GILD_ERR_INIT;
	struct tree *t = NULL;
	struct gild_buf b = GILD_BUF_INIT;

	setenv("GILD_TREE_THREADS", threads, 1);
	int r = tree_load(dir, flags, &t, &err);
	unsetenv("GILD_TREE_THREADS");
	gild_buf_printf(&b, "r=%d %s:%u|", r, err.file, err.line);
	for (size_t i = 0; t && i < tree_npkgs(t); i++)
		gild_buf_printf(&b, "%s/%s ", tree_pkg_at(t, i)->category,
				tree_pkg_at(t, i)->versions[0]->pf);
	for (size_t i = 0; t && i < tree_nerrors(t); i++)
		gild_buf_printf(&b, "E:%s ", tree_error_at(t, i)->file);
	tree_free(t);
	return gild_buf_steal(&b);
}

TEST(tree_load_on_threads_gives_the_sequential_result)
{
	char dir[] = "/tmp/gild-test-tree-XXXXXX";

	if (!CHECK(mkdtemp(dir)))
		return;
	write_big_tree(dir, 70, 10);
	for (unsigned flags = 0; flags <= TREE_LOAD_KEEP_GOING;
	     flags += TREE_LOAD_KEEP_GOING) {
		char *one = summary(dir, "1", flags),
		     *two = summary(dir, "2", flags);
		char *four = summary(dir, "4", flags);
		CHECK_STREQ(two, one);
		CHECK_STREQ(four, one);
		free(one);
		free(two);
		free(four);
	}
	/* the first bad recipe in package order is the one reported */
	char *s = summary(dir, "2", 0);
	CHECK(gild_startswith(s, "r=-1026 recipes/b-b/p10/p10-1.10.recipe:3|"));
	tap_note("%.80s", s);
	free(s);
	s = summary(dir, "2", TREE_LOAD_KEEP_GOING);
	CHECK(strstr(s, "a-a/p00-1.0 a-a/p03-1.3 ") != NULL);
	CHECK(strstr(s, "E:recipes/b-b/p10/p10-1.10.recipe "
			"E:recipes/b-b/p70/p70-1.70.recipe") != NULL);
	free(s);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_INTEQ(system(cmd), 0);
	free(cmd);
}
