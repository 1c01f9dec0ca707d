/* test-vdb.c: the installed-package database (ROOT/var/db/pkg) written
 * and read back, and recorded := dependencies split for the resolver. */
#include "pms/pms.h"
#include "resolve/resolve.h"
#include "tap.h"

static char root[64];

TEST(vdb_write_then_read_gives_the_keys_back)
{
	_cleanup_(vdb_freep) struct vdb *db = NULL;
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	struct gild_err err = GILD_ERR_INIT;

	strcpy(root, "/tmp/gild-test-vdb.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	gpkg_meta_set(&m, "CATEGORY", "dev-libs");
	gpkg_meta_set(&m, "PF", "foo-1-r1");
	gpkg_meta_set(&m, "SLOT", "0/1");
	gpkg_meta_set(&m, "USE", "amd64 ssl");
	gpkg_meta_set(&m, "RDEPEND", "sys-libs/zlib:0/1.3=");
	gpkg_meta_set(&m, "DESCRIPTION", "a library");
	gpkg_meta_set(&m, "STAGE_DESC", "not a vdb key");
	CHECK_INTEQ(vdb_write_pkg(root, &m, 0, &err), 0);
	CHECK_INTEQ(vdb_read(root, &db, &err), 0);
	CHECK_INTEQ(db->n, 1);
	CHECK_STREQ(db->v[0].category, "dev-libs");
	CHECK_STREQ(db->v[0].pf, "foo-1-r1");
	CHECK_STREQ(db->v[0].dir, "var/db/pkg/dev-libs/foo-1-r1");
	CHECK_STREQ(gpkg_meta_get(&db->v[0].meta, "SLOT"), "0/1");
	CHECK_STREQ(gpkg_meta_get(&db->v[0].meta, "USE"), "amd64 ssl");
	CHECK_STREQ(gpkg_meta_get(&db->v[0].meta, "DESCRIPTION"), "a library");
	CHECK(gpkg_meta_get(&db->v[0].meta, "STAGE_DESC") == NULL);
	CHECK(gpkg_meta_get(&db->v[0].meta, "IUSE") == NULL);
}

TEST(vdb_missing_root_is_empty_and_bad_meta_is_refused)
{
	_cleanup_(vdb_freep) struct vdb *db = NULL;
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta m = GPKG_META_INIT;
	struct gild_err err = GILD_ERR_INIT;

	CHECK_INTEQ(vdb_read("/nonexistent/gild-root", &db, &err), 0);
	CHECK_INTEQ(db->n, 0);
	gpkg_meta_set(&m, "CATEGORY", "dev-libs");
	gpkg_meta_set(&m, "PF", "../x");
	CHECK_INTEQ(vdb_write_pkg("/tmp", &m, 0, &err), -GILD_E_NOTFOUND);
	CHECK_STREQ(err.msg, "package metadata lacks a valid 'PF'");
}

TEST(slotdeps_split_records_subslots_and_strips_them)
{
	static const struct {
		const char *in, *out, *deps;
	} t[] = {
	    {"a/b:0/1= || ( c/d:2/3=[x] e/f )", "a/b:0= || ( c/d:2=[x] e/f )",
	     "a/b:0/1 c/d:2/3"},
	    {"a/b:= >=c/d-1:0 !e/f:1/2=", "a/b:= >=c/d-1:0 !e/f:1/2=", ""},
	    {"", "", ""},
	};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(t); i++) {
		struct gild_buf out = GILD_BUF_INIT, d = GILD_BUF_INIT;
		struct gild_strv deps = GILD_STRV_INIT;
		rs_slotdeps_split(t[i].in, &out, &deps);
		for (size_t k = 0; k < deps.n; k++)
			gild_buf_printf(&d, "%s%s", k ? " " : "", deps.v[k]);
		CHECK_STREQ(gild_buf_str(&out), t[i].out);
		CHECK_STREQ(gild_buf_str(&d), t[i].deps);
		gild_buf_release(&out);
		gild_buf_release(&d);
		gild_strv_release(&deps);
	}
}

TEST(vdb_cleanup)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INTEQ(system(cmd), 0);
}
