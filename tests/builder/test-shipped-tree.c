/* test-shipped-tree.c: the tree gild ships (recipes/, profiles/) is
 * consistent: every recipe loads, every dependency names a package of the
 * tree or of the stage (profiles/base/package.provided), every license is
 * in a license group, every distfile has a Manifest entry, every mirror://
 * is in thirdpartymirrors and every flag has a description. */
#include "pms/pms.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The words of a text file, without '#' comments, as one
 * space-separated string with a space at both ends (for strstr). */
static char *file_words(const char *path)
{
	FILE *f = fopen(path, "r");
	struct gild_buf b = {0};
	char line[4096];

	if (!f)
		return NULL;
	gild_buf_adds(&b, " ");
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (char *w = strtok(line, " \t\n"); w;
		     w = strtok(NULL, " \t\n")) {
			gild_buf_adds(&b, w);
			gild_buf_adds(&b, " ");
		}
	}
	fclose(f);
	return gild_buf_steal(&b);
}

static bool has_word(const char *words, const char *w)
{
	char key[512];

	snprintf(key, sizeof(key), " %s ", w);
	return words && strstr(words, key);
}

static struct tree *load_shipped(void)
{
	struct gild_err err = GILD_ERR_INIT;
	struct tree *t = NULL;

	if (tree_load(".", TREE_LOAD_FUNCTIONS, &t, &err) < 0)
		tap_note("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	return t;
}

static struct dep_node *parse_var(const struct recipe *r, enum recipe_var v,
				  enum depstr_kind kind)
{
	struct gild_err err = GILD_ERR_INIT;
	struct dep_node *n = NULL;
	const char *s = r->vars[v];

	if (depstr_parse(s, strlen(s), kind, r->eapi, NULL, &n, &err) < 0)
		tap_note("%s: %s: %s", r->path, recipe_var_name(v), err.msg);
	return n;
}

/* Call fn on every leaf (ATOM or TEXT) of a tree. */
static void each_leaf(const struct dep_node *n,
		      void (*fn)(const struct dep_node *, void *), void *ud)
{
	if (n->kind == DEP_ATOM || n->kind == DEP_TEXT) {
		fn(n, ud);
		return;
	}
	for (size_t i = 0; i < n->n_kids; i++)
		each_leaf(&n->kids[i], fn, ud);
}

struct ctx {
	const struct tree *t;
	const struct recipe *r;
	char *provided, *licenses, *manifest;
};

static void check_atom(const struct dep_node *n, void *ud)
{
	struct ctx *c = ud;
	char cp[256];

	snprintf(cp, sizeof(cp), "%s/%s", n->atom->category, n->atom->package);
	if (tree_find(c->t, n->atom->category, n->atom->package))
		return;
	/* package.provided lists cat/pn-version: match the prefix. */
	char key[260];
	snprintf(key, sizeof(key), " %s-", cp);
	if (!CHECK(c->provided && strstr(c->provided, key)))
		tap_note("%s: '%s' is neither in the tree nor provided",
			 c->r->path, cp);
}

static void check_license(const struct dep_node *n, void *ud)
{
	struct ctx *c = ud;

	if (!CHECK(has_word(c->licenses, n->text)))
		tap_note("%s: license '%s' is in no license group", c->r->path,
			 n->text);
}

static void check_distfile(const struct dep_node *n, void *ud)
{
	struct ctx *c = ud;
	gild_str name = depstr_distfile(n), mname, mpath;
	char key[512];

	snprintf(key, sizeof(key), " DIST %.*s ", GILD_STR_ARG(name));
	if (!CHECK(c->manifest && strstr(c->manifest, key)))
		tap_note("%s: no Manifest entry for '%.*s'", c->r->path,
			 GILD_STR_ARG(name));
	if (src_uri_mirror(depstr_uri(n), &mname, &mpath)) {
		char m[64];
		snprintf(m, sizeof(m), "%.*s", GILD_STR_ARG(mname));
		if (!CHECK(tree_mirror(c->t, m)))
			tap_note("%s: mirror '%s' not in thirdpartymirrors",
				 c->r->path, m);
	}
}

TEST(shipped_tree_loads_every_recipe_without_errors)
{
	_cleanup_(tree_freep) struct tree *t = load_shipped();

	if (!CHECK(t))
		return;
	CHECK_STREQ(tree_repo_name(t), "gild");
	CHECK_INTEQ(tree_nerrors(t), 0);
	CHECK(tree_nrecipes(t) >= 15);
	CHECK(tree_find(t, "sys-libs", "musl"));
	CHECK(tree_find(t, "www-servers", "lighttpd"));
	CHECK_STREQ(tree_layout(t, "thin-manifests"), "true");
}

static void check_recipe(struct ctx *c)
{
	const struct recipe *r = c->r;
	bool amd64 = false;

	CHECK_INTEQ(r->eapi, 8);
	for (size_t i = 0; i < r->n_keywords; i++)
		amd64 |= !strcmp(r->keywords[i], "amd64");
	if (!CHECK(amd64))
		tap_note("%s: not keyworded amd64", r->path);
	static const enum recipe_var deps[] = {RECIPE_DEPEND, RECIPE_BDEPEND,
					       RECIPE_RDEPEND, RECIPE_PDEPEND};
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++) {
		_cleanup_(dep_node_freep) struct dep_node *n =
		    parse_var(r, deps[i], DEPSTR_DEPEND);
		if (CHECK(n))
			each_leaf(n, check_atom, c);
	}
	_cleanup_(dep_node_freep) struct dep_node *lic =
	    parse_var(r, RECIPE_LICENSE, DEPSTR_LICENSE);
	if (CHECK(lic) && CHECK(lic->n_kids > 0))
		each_leaf(lic, check_license, c);
	_cleanup_(dep_node_freep) struct dep_node *src =
	    parse_var(r, RECIPE_SRC_URI, DEPSTR_SRC_URI);
	if (CHECK(src)) /* empty for recipes with files/ only */
		each_leaf(src, check_distfile, c);
}

TEST(shipped_recipes_name_known_packages_licenses_distfiles_and_mirrors)
{
	_cleanup_(tree_freep) struct tree *t = load_shipped();
	_cleanup_free_ char *provided =
	    file_words("profiles/base/package.provided");
	_cleanup_free_ char *licenses = file_words("profiles/license_groups");

	if (!CHECK(t) || !CHECK(provided) || !CHECK(licenses))
		return;
	for (size_t i = 0; i < tree_npkgs(t); i++) {
		struct tree_pkg *p = tree_pkg_at(t, i);
		char path[512];
		snprintf(path, sizeof(path), "recipes/%s/%s/Manifest",
			 p->category, p->pn);
		_cleanup_free_ char *manifest = file_words(path);
		for (size_t v = 0; v < p->n_versions; v++) {
			struct ctx c = {t, p->versions[v], provided, licenses,
					manifest};
			check_recipe(&c);
		}
	}
}

TEST(shipped_flags_all_have_descriptions)
{
	_cleanup_(tree_freep) struct tree *t = load_shipped();

	if (!CHECK(t))
		return;
	for (size_t i = 0; i < tree_npkgs(t); i++) {
		struct tree_pkg *p = tree_pkg_at(t, i);
		struct gild_err err = GILD_ERR_INIT;
		const struct metadata *md = NULL;
		if (!CHECK(tree_pkg_metadata(t, p, &md, &err) == 0 && md)) {
			tap_note("%s/%s: no metadata.xml (%s)", p->category,
				 p->pn, err.msg);
			continue;
		}
		CHECK(md->longdescription && md->n_maintainers > 0);
		const struct recipe *r = p->versions[p->n_versions - 1];
		for (size_t f = 0; f < r->n_iuse; f++) {
			const char *flag = r->iuse[f].flag;
			if (!CHECK(metadata_flag_desc(md, flag) ||
				   tree_use_desc(t, flag)))
				tap_note("%s: flag '%s' has no description",
					 r->path, flag);
		}
	}
}
