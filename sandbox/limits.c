/* limits.c: resource limits. The cgroup v1 memory and pids
 * controllers where the kernel offers them and we may write them (root),
 * rlimits otherwise; RLIMIT_FSIZE and RLIMIT_CORE always. */
#include "sandbox-impl.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define CGROUP_V1 "/sys/fs/cgroup"

static char *controller_dir(const char *controller)
{
	return xasprintf(CGROUP_V1 "/%s", controller);
}

bool sandbox_cgroup_available(const char *controller, char *detail, size_t n)
{
	_cleanup_free_ char *dir = controller_dir(controller);
	_cleanup_free_ char *probe = xasprintf("%s/%s", dir,
					       strcmp(controller, "memory") == 0
						   ? "memory.limit_in_bytes"
						   : "cgroup.procs");
	bool have = access(probe, F_OK) == 0, may = access(dir, W_OK) == 0;

	if (!have)
		snprintf(detail, n, "no cgroup v1 %s controller", controller);
	else if (!may)
		snprintf(detail, n, "cgroup v1 %s not writable by this user",
			 controller);
	else
		snprintf(detail, n, "cgroup v1 at %s", dir);
	return have && may;
}

static int write_file(const char *dir, const char *file, const char *text,
		      struct gild_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot write '%s' to '%s': %s", text, path,
				 strerror(errno));
	return 0;
}

static char *make_group(const char *controller, struct gild_err *err)
{
	static unsigned counter;
	_cleanup_free_ char *top = xasprintf(CGROUP_V1 "/%s/gild", controller);
	char *dir;

	if (mkdir(top, 0755) < 0 && errno != EEXIST) {
		gild_fail_errno(err, top, "cannot create the cgroup");
		return NULL;
	}
	/* A gild killed with SIGKILL leaves its (empty) groups behind, and
	 * a later gild may get the same pid: a leftover is removed (rmdir
	 * only succeeds on an empty group), else the next name is tried. */
	for (unsigned tries = 0; tries < 64; tries++) {
		dir = xasprintf("%s/sandbox-%d-%u", top, (int)getpid(),
				counter++);
		if (mkdir(dir, 0755) == 0)
			return dir;
		if (errno == EEXIST && rmdir(dir) == 0 && mkdir(dir, 0755) == 0)
			return dir;
		if (errno != EEXIST && errno != EBUSY) {
			gild_fail_errno(err, dir, "cannot create the cgroup");
			free(dir);
			return NULL;
		}
		free(dir);
	}
	gild_fail(err, -GILD_E_SANDBOX, NULL,
		  "cannot create a cgroup under '%s': 64 names in use", top);
	return NULL;
}

int sandbox_cgroup_create(const struct sandbox_spec *s,
			  struct sandbox_cgroup *cg, struct gild_err *err)
{
	char detail[160], num[32];
	int r;

	memset(cg, 0, sizeof(*cg));
	if (s->mem &&
	    sandbox_cgroup_available("memory", detail, sizeof(detail))) {
		if (!(cg->mem_dir = make_group("memory", err)))
			return -GILD_E_SANDBOX;
		snprintf(num, sizeof(num), "%llu", (unsigned long long)s->mem);
		if ((r = write_file(cg->mem_dir, "memory.limit_in_bytes", num,
				    err)) < 0)
			return r;
		/* swap counts too where accounted, else a hog just swaps */
		(void)write_file(cg->mem_dir, "memory.memsw.limit_in_bytes",
				 num, NULL);
	}
	if (s->nproc &&
	    sandbox_cgroup_available("pids", detail, sizeof(detail))) {
		if (!(cg->pids_dir = make_group("pids", err)))
			return -GILD_E_SANDBOX;
		snprintf(num, sizeof(num), "%u", s->nproc);
		if ((r = write_file(cg->pids_dir, "pids.max", num, err)) < 0)
			return r;
	}
	return 0;
}

/* The groups' tasks files, for the sandbox's pid 1 to join them with
 * (run.c, join_cgroups); fds[i] -1 where there is no group. */
int sandbox_cgroup_open_tasks(const struct sandbox_cgroup *cg, int fds[2],
			      struct gild_err *err)
{
	const char *dirs[2] = {cg->mem_dir, cg->pids_dir};

	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *path =
		    dirs[i] ? xasprintf("%s/tasks", dirs[i]) : NULL;
		fds[i] = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
		if (path && fds[i] < 0) {
			int saved = errno;
			if (i == 1 && fds[0] >= 0)
				close(fds[0]), fds[0] = -1;
			errno = saved;
			return gild_fail_errno(err, path, "cannot open");
		}
	}
	return 0;
}

/* "key value" lines (memory.oom_control, pids.events). */
static unsigned long long read_key(const char *dir, const char *file,
				   const char *key)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char k[64];
	unsigned long long v;

	while (f && fscanf(f, "%63s %llu", k, &v) == 2)
		if (strcmp(k, key) == 0)
			return v;
	return 0;
}

bool sandbox_cgroup_oom_killed(const struct sandbox_cgroup *cg)
{
	return cg->mem_dir &&
	       read_key(cg->mem_dir, "memory.oom_control", "oom_kill") > 0;
}

bool sandbox_cgroup_pids_hit(const struct sandbox_cgroup *cg)
{
	return cg->pids_dir && read_key(cg->pids_dir, "pids.events", "max") > 0;
}

/* sandbox_run removes the groups once pid 1 is reaped, when they are
 * empty; a task still exiting would make rmdir fail with EBUSY for a
 * moment: retry in short steps (a 2 ms step cost every start 2 ms), up
 * to a second. */
static void remove_group(char *dir)
{
	struct timespec ts = {0, 100 * 1000};

	if (!dir)
		return;
	for (int i = 0; i < 10000 && rmdir(dir) < 0 && errno == EBUSY; i++)
		nanosleep(&ts, NULL);
	free(dir);
}

void sandbox_cgroup_destroy(struct sandbox_cgroup *cg)
{
	remove_group(cg->mem_dir);
	remove_group(cg->pids_dir);
	cg->mem_dir = cg->pids_dir = NULL;
}

static int set_limit(int resource, const char *name, uint64_t v,
		     struct gild_err *err)
{
	struct rlimit rl = {v, v};

	if (setrlimit(resource, &rl) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot set the %s limit: %s", name,
				 strerror(errno));
	return 0;
}

/* RLIMIT_NPROC always (with a pids cgroup too: it is counted per user
 * namespace, so concurrent sandboxes do not share it). RLIMIT_AS only
 * without a memory cgroup: address space is not memory, and builds that
 * reserve large mappings (sanitizers, Go, JVMs) would fail under it. */
int sandbox_rlimits_apply(const struct sandbox_spec *s, bool have_mem_cgroup,
			  bool have_pids_cgroup, struct gild_err *err)
{
	int r;

	(void)have_pids_cgroup;
	if ((r = set_limit(RLIMIT_CORE, "core size", 0, err)) < 0)
		return r;
	if (s->fsize &&
	    (r = set_limit(RLIMIT_FSIZE, "file size", s->fsize, err)) < 0)
		return r;
	if (s->mem && !have_mem_cgroup &&
	    (r = set_limit(RLIMIT_AS, "address space", s->mem, err)) < 0)
		return r;
	if (s->nproc &&
	    (r = set_limit(RLIMIT_NPROC, "process", s->nproc, err)) < 0)
		return r;
	return 0;
}
