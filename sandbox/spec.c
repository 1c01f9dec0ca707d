/* spec.c: building and inspecting a struct sandbox_spec. Nothing here makes
 * a syscall, so tests/sandbox/test-spec.c can check specs without
 * namespaces (bubblewrap's option parsing only appends SetupOps too). */
#include "sandbox-impl.h"

#include <ctype.h>

struct sandbox_spec *sandbox_spec_new(void)
{
	struct sandbox_spec *s = xcalloc(1, sizeof(*s));

	s->inside_uid = SANDBOX_DEFAULT_UID;
	s->inside_gid = SANDBOX_DEFAULT_UID;
	s->out_fd = 1;
	s->err_fd = 2;
	s->trace_fd = -1;
	return s;
}

void sandbox_spec_free(struct sandbox_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].src);
		free(s->mounts[i].dest);
	}
	free(s->mounts);
	free(s->root);
	free(s->cwd);
	gild_strv_release(&s->env);
	gild_strv_release(&s->argv);
	free(s);
}

void sandbox_spec_set_root(struct sandbox_spec *s, const char *dir)
{
	free(s->root);
	s->root = dir ? xstrdup(dir) : NULL;
}

/* A destination must be absolute and must not climb out with "..": the
 * mount code joins it under the new root. */
static int check_dest(const char *dest, struct gild_err *err)
{
	const char *p;

	if (dest[0] != '/')
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "sandbox path '%s' is not absolute", dest);
	for (p = dest; (p = strstr(p, "..")); p += 2)
		if ((p == dest || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "sandbox path '%s' contains '..'",
					 dest);
	if (strcmp(dest, "/proc") == 0 || gild_startswith(dest, "/proc/") ||
	    strcmp(dest, "/dev") == 0 || gild_startswith(dest, "/dev/"))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "sandbox path '%s' is managed by the sandbox",
				 dest);
	return 0;
}

static void push_mount(struct sandbox_spec *s, enum sandbox_mount_kind kind,
		       const char *src, const char *dest, uint64_t size)
{
	struct sandbox_mount *m;

	gild_grow(&s->mounts, &s->cap_mounts, s->n_mounts + 1,
		  sizeof(*s->mounts));
	m = &s->mounts[s->n_mounts++];
	m->kind = kind;
	m->src = src ? xstrdup(src) : NULL;
	m->dest = xstrdup(dest);
	m->size = size;
}

static int add_bind(struct sandbox_spec *s, enum sandbox_mount_kind kind,
		    const char *src, const char *dest, struct gild_err *err)
{
	int r;

	if (!dest)
		dest = src;
	if (src[0] != '/')
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "bind source '%s' is not absolute", src);
	if (kind == SANDBOX_MOUNT_RO && strcmp(dest, "/") == 0) {
		sandbox_spec_set_root(s, src);
		return 0;
	}
	if ((r = check_dest(dest, err)) < 0)
		return r;
	if (strcmp(dest, "/") == 0)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "the root can only be bound read-only");
	push_mount(s, kind, src, dest, 0);
	return 0;
}

int sandbox_spec_add_ro(struct sandbox_spec *s, const char *src,
			const char *dest, struct gild_err *err)
{
	return add_bind(s, SANDBOX_MOUNT_RO, src, dest, err);
}

int sandbox_spec_add_rw(struct sandbox_spec *s, const char *src,
			const char *dest, struct gild_err *err)
{
	return add_bind(s, SANDBOX_MOUNT_RW, src, dest, err);
}

int sandbox_spec_add_tmpfs(struct sandbox_spec *s, const char *dest,
			   uint64_t size, struct gild_err *err)
{
	int r;

	if ((r = check_dest(dest, err)) < 0)
		return r;
	if (strcmp(dest, "/") == 0)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "a tmpfs cannot be the root");
	push_mount(s, SANDBOX_MOUNT_TMPFS, NULL, dest,
		   size ? size : SANDBOX_TMP_SIZE);
	return 0;
}

int sandbox_spec_add_layer(struct sandbox_spec *s, const char *src,
			   const char *dest, struct gild_err *err)
{
	int r;

	if (src[0] != '/')
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "layer source '%s' is not absolute", src);
	if (strpbrk(src, ":,\\") || strpbrk(dest, ":,\\"))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "layer '%s' at '%s' holds ':', ',' or '\\'",
				 src, dest);
	if ((r = check_dest(dest, err)) < 0)
		return r;
	if (strcmp(dest, "/") == 0)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "a layer cannot be the root");
	push_mount(s, SANDBOX_MOUNT_LAYER, src, dest, 0);
	return 0;
}

/* "SRC[:DEST]": a path may not hold ':' (it would be ambiguous). */
int sandbox_spec_parse_bind(struct sandbox_spec *s, enum sandbox_mount_kind k,
			    const char *arg, struct gild_err *err)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *src = NULL;

	if (!arg[0] || colon == arg)
		return gild_fail(err, -GILD_E_USAGE, NULL,
				 "bind '%s' has no source", arg);
	if (!colon)
		return add_bind(s, k, arg, NULL, err);
	if (strchr(colon + 1, ':') || !colon[1])
		return gild_fail(err, -GILD_E_USAGE, NULL,
				 "bind '%s' is not SRC[:DEST]", arg);
	src = xstrndup(arg, colon - arg);
	return add_bind(s, k, src, colon + 1, err);
}

int sandbox_spec_parse_tmpfs(struct sandbox_spec *s, const char *arg,
			     struct gild_err *err)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *dest = NULL;
	uint64_t size = 0;

	if (!colon)
		return sandbox_spec_add_tmpfs(s, arg, 0, err);
	if (gild_parse_u64(colon + 1, true, &size) < 0 || size == 0)
		return gild_fail(err, -GILD_E_USAGE, NULL,
				 "bad tmpfs size '%s'", colon + 1);
	dest = xstrndup(arg, colon - arg);
	return sandbox_spec_add_tmpfs(s, dest, size, err);
}

static ssize_t env_find(const struct gild_strv *env, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, n) == 0 && env->v[i][n] == '=')
			return (ssize_t)i;
	return -1;
}

int sandbox_spec_setenv(struct sandbox_spec *s, const char *key,
			const char *value, struct gild_err *err)
{
	ssize_t i;

	if (!key[0] || strchr(key, '='))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "bad environment variable name '%s'", key);
	i = env_find(&s->env, key);
	if (i < 0) {
		gild_strv_push(&s->env, xasprintf("%s=%s", key, value));
		return 0;
	}
	free(s->env.v[i]);
	s->env.v[i] = xasprintf("%s=%s", key, value);
	return 0;
}

int sandbox_spec_putenv(struct sandbox_spec *s, const char *kv,
			struct gild_err *err)
{
	const char *eq = strchr(kv, '=');
	_cleanup_free_ char *key = NULL;

	if (!eq || eq == kv)
		return gild_fail(err, -GILD_E_USAGE, NULL, "'%s' is not K=V",
				 kv);
	key = xstrndup(kv, eq - kv);
	return sandbox_spec_setenv(s, key, eq + 1, err);
}

void sandbox_spec_set_timeout(struct sandbox_spec *s, unsigned seconds)
{
	s->timeout = seconds;
}

void sandbox_spec_set_mem(struct sandbox_spec *s, uint64_t bytes)
{
	s->mem = bytes;
}

void sandbox_spec_set_nproc(struct sandbox_spec *s, unsigned n)
{
	s->nproc = n;
}

void sandbox_spec_set_fsize(struct sandbox_spec *s, uint64_t bytes)
{
	s->fsize = bytes;
}

void sandbox_spec_set_allow_net(struct sandbox_spec *s, bool allow)
{
	s->allow_net = allow;
}

void sandbox_spec_set_system_root(struct sandbox_spec *s, const char *dir,
				  uint64_t rw_size)
{
	sandbox_spec_set_root(s, dir);
	s->system = true;
	s->rw_size = rw_size ? rw_size : SANDBOX_RW_SIZE_DEFAULT;
}

void sandbox_spec_set_inside_ids(struct sandbox_spec *s, unsigned uid,
				 unsigned gid)
{
	s->inside_uid = uid;
	s->inside_gid = gid;
}

void sandbox_spec_set_host_range(struct sandbox_spec *s, unsigned host_uid,
				 unsigned host_gid, unsigned count)
{
	s->host_uid = host_uid;
	s->host_gid = host_gid;
	s->host_count = count;
}

void sandbox_spec_set_cwd(struct sandbox_spec *s, const char *dir)
{
	free(s->cwd);
	s->cwd = dir ? xstrdup(dir) : NULL;
}

void sandbox_spec_set_stdio(struct sandbox_spec *s, int out_fd, int err_fd)
{
	s->out_fd = out_fd;
	s->err_fd = err_fd;
}

void sandbox_spec_set_trace_fd(struct sandbox_spec *s, int fd)
{
	s->trace_fd = fd;
}

void sandbox_spec_set_report(struct sandbox_spec *s, sandbox_report_fn fn,
			     void *ud)
{
	s->report = fn;
	s->report_ud = ud;
}

void sandbox_spec_set_caller_exits(struct sandbox_spec *s, bool exits)
{
	s->caller_exits = exits;
}

void sandbox_spec_set_argv(struct sandbox_spec *s, const char *const *argv)
{
	gild_strv_release(&s->argv);
	for (; *argv; argv++)
		gild_strv_add(&s->argv, *argv);
}

size_t sandbox_spec_n_mounts(const struct sandbox_spec *s)
{
	return s->n_mounts;
}

const struct sandbox_mount *sandbox_spec_mount(const struct sandbox_spec *s,
					       size_t i)
{
	return i < s->n_mounts ? &s->mounts[i] : NULL;
}

const char *sandbox_spec_root(const struct sandbox_spec *s)
{
	return s->root;
}

/* Variables passed through from the caller when set
 * (reproducible-builds.org: SOURCE_DATE_EPOCH). */
static const char *const env_allow[] = {"SOURCE_DATE_EPOCH"};

static void env_default(struct gild_strv *env, const struct gild_strv *set,
			const char *key, const char *value)
{
	if (env_find(set, key) < 0 && env_find(env, key) < 0 && value)
		gild_strv_push(env, xasprintf("%s=%s", key, value));
}

char **sandbox_spec_envp(const struct sandbox_spec *s)
{
	struct gild_strv env = GILD_STRV_INIT;
	const char *user = s->inside_uid == 0 ? "root" : "builder";

	for (size_t i = 0; i < s->env.n; i++)
		gild_strv_add(&env, s->env.v[i]);
	for (size_t i = 0; i < GILD_ARRAY_SIZE(env_allow); i++)
		env_default(&env, &s->env, env_allow[i], getenv(env_allow[i]));
	env_default(&env, &s->env, "TZ", "UTC");
	env_default(&env, &s->env, "LC_ALL", "C.UTF-8");
	env_default(&env, &s->env, "HOME", SANDBOX_HOME);
	env_default(&env, &s->env, "PATH", SANDBOX_PATH);
	env_default(&env, &s->env, "USER", user);
	env_default(&env, &s->env, "LOGNAME", user);
	gild_strv_sort(&env);
	if (!env.v)
		gild_strv_push(&env, NULL);
	return env.v;
}

const char *sandbox_spec_getenv(const struct sandbox_spec *s, const char *key)
{
	ssize_t i = env_find(&s->env, key);

	return i < 0 ? NULL : s->env.v[i] + strlen(key) + 1;
}
