/* test-spec.c: sandbox specs as the options build them, inspected without
 * creating any namespace (bubblewrap's SetupOp list, checked as data). */
#include "tap.h"

#include "sandbox/sandbox.h"

#define SPEC                                                                   \
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =                 \
	    sandbox_spec_new()

TEST(bind_without_dest_uses_the_source_path)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK_INTEQ(
	    sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RO, "/opt/tc", &err), 0);
	CHECK_INTEQ(sandbox_spec_n_mounts(s), 1);
	CHECK_INTEQ(sandbox_spec_mount(s, 0)->kind, SANDBOX_MOUNT_RO);
	CHECK_STREQ(sandbox_spec_mount(s, 0)->src, "/opt/tc");
	CHECK_STREQ(sandbox_spec_mount(s, 0)->dest, "/opt/tc");
}

TEST(bind_keeps_the_given_order_and_dest)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK_INTEQ(
	    sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RW, "/w/1:/build", &err),
	    0);
	CHECK_INTEQ(sandbox_spec_parse_tmpfs(s, "/build/tmp:8m", &err), 0);
	CHECK_INTEQ(sandbox_spec_n_mounts(s), 2);
	CHECK_STREQ(sandbox_spec_mount(s, 0)->dest, "/build");
	CHECK_INTEQ(sandbox_spec_mount(s, 0)->kind, SANDBOX_MOUNT_RW);
	CHECK_INTEQ(sandbox_spec_mount(s, 1)->kind, SANDBOX_MOUNT_TMPFS);
	CHECK_INTEQ(sandbox_spec_mount(s, 1)->size, 8 << 20);
	CHECK(sandbox_spec_mount(s, 2) == NULL);
}

TEST(ro_bind_at_root_sets_the_root)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK(sandbox_spec_root(s) == NULL);
	CHECK_INTEQ(
	    sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RO, "/stage:/", &err), 0);
	CHECK_STREQ(sandbox_spec_root(s), "/stage");
	CHECK_INTEQ(sandbox_spec_n_mounts(s), 0);
}

TEST(rw_bind_at_root_is_refused)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK_INTEQ(sandbox_spec_add_rw(s, "/stage", "/", &err),
		    -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "the root can only be bound read-only");
}

TEST(layer_is_kept_in_order_and_checked_like_a_bind)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK_INTEQ(sandbox_spec_add_layer(s, "/w/deps/usr", "/usr", &err), 0);
	CHECK_INTEQ(sandbox_spec_mount(s, 0)->kind, SANDBOX_MOUNT_LAYER);
	CHECK_STREQ(sandbox_spec_mount(s, 0)->src, "/w/deps/usr");
	CHECK_STREQ(sandbox_spec_mount(s, 0)->dest, "/usr");
	CHECK_INTEQ(sandbox_spec_add_layer(s, "/w/deps", "/", &err),
		    -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "a layer cannot be the root");
	CHECK_INTEQ(sandbox_spec_add_layer(s, "/w/a,b", "/usr", &err),
		    -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "layer '/w/a,b' at '/usr' holds ':', ',' or '\\'");
	CHECK_INTEQ(sandbox_spec_add_layer(s, "deps", "/usr", &err),
		    -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "layer source 'deps' is not absolute");
	CHECK_INTEQ(sandbox_spec_add_layer(s, "/w/deps", "/proc", &err),
		    -GILD_E_INVALID);
	CHECK_INTEQ(sandbox_spec_n_mounts(s), 1);
}

static const struct {
	const char *arg;
	int code;
	const char *msg;
} bad_binds[] = {
    {"", -GILD_E_USAGE, "bind '' has no source"},
    {":/x", -GILD_E_USAGE, "bind ':/x' has no source"},
    {"/a:/b:/c", -GILD_E_USAGE, "bind '/a:/b:/c' is not SRC[:DEST]"},
    {"/a:", -GILD_E_USAGE, "bind '/a:' is not SRC[:DEST]"},
    {"rel", -GILD_E_INVALID, "bind source 'rel' is not absolute"},
    {"/a:rel", -GILD_E_INVALID, "sandbox path 'rel' is not absolute"},
    {"/a:/x/../etc", -GILD_E_INVALID, "sandbox path '/x/../etc' contains '..'"},
    {"/a:/..", -GILD_E_INVALID, "sandbox path '/..' contains '..'"},
    {"/a:/proc/sys", -GILD_E_INVALID,
     "sandbox path '/proc/sys' is managed by the sandbox"},
    {"/a:/dev", -GILD_E_INVALID,
     "sandbox path '/dev' is managed by the sandbox"},
};

TEST(bad_binds_are_refused_with_a_clear_message)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(bad_binds); i++) {
		struct gild_err err = GILD_ERR_INIT;
		SPEC;
		CHECK_INTEQ(sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RO,
						    bad_binds[i].arg, &err),
			    bad_binds[i].code);
		CHECK_STREQ(err.msg, bad_binds[i].msg);
		CHECK_INTEQ(sandbox_spec_n_mounts(s), 0);
	}
}

TEST(dotdot_inside_a_name_is_fine)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK_INTEQ(
	    sandbox_spec_parse_bind(s, SANDBOX_MOUNT_RO, "/a:/x..y/..z", &err),
	    0);
}

static const struct {
	const char *arg;
	uint64_t size;
} tmpfs_sizes[] = {
    {"/t", 256ull << 20}, {"/t:4096", 4096},	 {"/t:64k", 64 << 10},
    {"/t:8M", 8 << 20},	  {"/t:2g", 2ull << 30},
};

TEST(tmpfs_sizes_parse_with_suffixes)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(tmpfs_sizes); i++) {
		struct gild_err err = GILD_ERR_INIT;
		SPEC;
		CHECK_INTEQ(
		    sandbox_spec_parse_tmpfs(s, tmpfs_sizes[i].arg, &err), 0);
		CHECK_INTEQ(sandbox_spec_mount(s, 0)->size,
			    tmpfs_sizes[i].size);
		CHECK_STREQ(sandbox_spec_mount(s, 0)->dest, "/t");
	}
}

TEST(bad_tmpfs_sizes_are_refused)
{
	static const char *const bad[] = {"/t:", "/t:x", "/t:0", "/t:5q",
					  "/t:-1"};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(bad); i++) {
		struct gild_err err = GILD_ERR_INIT;
		SPEC;
		CHECK_INTEQ(sandbox_spec_parse_tmpfs(s, bad[i], &err),
			    -GILD_E_USAGE);
		CHECK(strstr(err.msg, "bad tmpfs size '") == err.msg);
	}
}

static bool envp_has(char **envp, const char *kv)
{
	for (; *envp; envp++)
		if (strcmp(*envp, kv) == 0)
			return true;
	return false;
}

static void free_envp(char **envp)
{
	for (char **e = envp; *e; e++)
		free(*e);
	free(envp);
}

TEST(environment_is_the_allow_list_plus_fixed_values)
{
	SPEC;
	char **envp;

	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	setenv("SECRET_TOKEN", "leak", 1);
	setenv("HOME", "/root", 1);
	envp = sandbox_spec_envp(s);
	CHECK(envp_has(envp, "TZ=UTC"));
	CHECK(envp_has(envp, "LC_ALL=C.UTF-8"));
	CHECK(envp_has(envp, "HOME=/tmp"));
	CHECK(envp_has(envp, "USER=builder"));
	CHECK(envp_has(envp, "SOURCE_DATE_EPOCH=1700000000"));
	CHECK(envp_has(envp, "PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/"
			     "sbin:/usr/sbin:/sbin"));
	for (char **e = envp; *e; e++)
		CHECK(strncmp(*e, "SECRET_TOKEN=", 13) != 0);
	CHECK_INTEQ(strcmp(envp[0], envp[1]) < 0, 1); /* sorted */
	free_envp(envp);
	unsetenv("SOURCE_DATE_EPOCH");
	unsetenv("SECRET_TOKEN");
}

TEST(caller_env_wins_over_the_fixed_values)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;
	char **envp;

	CHECK_INTEQ(sandbox_spec_putenv(s, "HOME=/build/home", &err), 0);
	CHECK_INTEQ(sandbox_spec_setenv(s, "P", "foo-1", &err), 0);
	CHECK_INTEQ(sandbox_spec_setenv(s, "P", "foo-2", &err), 0);
	CHECK_STREQ(sandbox_spec_getenv(s, "P"), "foo-2");
	envp = sandbox_spec_envp(s);
	CHECK(envp_has(envp, "HOME=/build/home"));
	CHECK(!envp_has(envp, "HOME=/tmp"));
	CHECK(envp_has(envp, "P=foo-2"));
	CHECK(!envp_has(envp, "P=foo-1"));
	free_envp(envp);
}

TEST(bad_environment_entries_are_refused)
{
	struct gild_err err = GILD_ERR_INIT;
	SPEC;

	CHECK_INTEQ(sandbox_spec_putenv(s, "NOEQUALS", &err), -GILD_E_USAGE);
	CHECK_STREQ(err.msg, "'NOEQUALS' is not K=V");
	CHECK_INTEQ(sandbox_spec_putenv(s, "=v", &err), -GILD_E_USAGE);
	CHECK_INTEQ(sandbox_spec_setenv(s, "A=B", "v", &err), -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "bad environment variable name 'A=B'");
}

TEST(inside_root_is_named_root)
{
	SPEC;
	char **envp;

	sandbox_spec_set_inside_ids(s, 0, 0);
	envp = sandbox_spec_envp(s);
	CHECK(envp_has(envp, "USER=root"));
	free_envp(envp);
}

TEST(run_refuses_a_spec_without_command)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	SPEC;

	CHECK_INTEQ(sandbox_run(s, &st, &err), -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "no command to run in the sandbox");
}

TEST(run_refuses_a_missing_bind_source)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	SPEC;

	CHECK_INTEQ(sandbox_spec_add_ro(s, "/nonexistent/gild", "/x", &err), 0);
	sandbox_spec_set_argv(s, (const char *[]){"true", NULL});
	CHECK_INTEQ(sandbox_run(s, &st, &err), -GILD_E_SANDBOX);
	CHECK_STREQ(err.msg, "bind source '/nonexistent/gild' does not exist");
}

TEST(run_refuses_host_uid_zero_as_the_range)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	SPEC;

	if (geteuid() != 0) {
		tap_skip("only root maps a range");
		return;
	}
	sandbox_spec_set_host_range(s, 0, 0, 65536);
	sandbox_spec_set_argv(s, (const char *[]){"true", NULL});
	CHECK_INTEQ(sandbox_run(s, &st, &err), -GILD_E_INVALID);
	CHECK_STREQ(err.msg, "refusing to map the sandbox to host uid/gid 0");
}
