/* check.c: what this kernel and this user give (`gild sandbox --check`).
 * Each namespace is tried for real (a clone that exits at once), so the
 * answer holds for this user and this kernel, not only for its config. */
#include "sandbox-impl.h"

#include <linux/landlock.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static bool try_clone(unsigned long flags, int *error)
{
	pid_t pid =
	    (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	int ws;

	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		*error = errno;
		return false;
	}
	waitpid(pid, &ws, 0);
	return true;
}

static void item(struct sandbox_check_item *items, size_t max, size_t *n,
		 const char *name, bool ok, bool needed, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void item(struct sandbox_check_item *items, size_t max, size_t *n,
		 const char *name, bool ok, bool needed, const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return;
	items[*n].name = name;
	items[*n].ok = ok;
	items[*n].needed = needed;
	va_start(ap, fmt);
	vsnprintf(items[*n].detail, sizeof(items[*n].detail), fmt, ap);
	va_end(ap);
	(*n)++;
}

static void check_namespaces(struct sandbox_check_item *items, size_t max,
			     size_t *n)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} ns[] = {
	    {"mount namespace", CLONE_NEWNS},
	    {"pid namespace", CLONE_NEWPID},
	    {"net namespace", CLONE_NEWNET},
	    {"ipc namespace", CLONE_NEWIPC},
	    {"uts namespace", CLONE_NEWUTS},
	    {"cgroup namespace", CLONE_NEWCGROUP},
	};
	int e = 0;
	bool user = try_clone(CLONE_NEWUSER, &e);

	item(items, max, n, "user namespace", user, true, "%s",
	     user ? "yes" : strerror(e));
	for (size_t i = 0; i < GILD_ARRAY_SIZE(ns); i++) {
		bool ok = user && try_clone(CLONE_NEWUSER | ns[i].flag, &e);
		item(items, max, n, ns[i].name, ok, true, "%s",
		     ok	    ? "yes"
		     : user ? strerror(e)
			    : "needs a user namespace");
	}
}

static void check_ids(struct sandbox_check_item *items, size_t max, size_t *n)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_ids ids;
	bool ok = sandbox_ids_resolve(s, &ids, &err) == 0;

	if (!ok)
		item(items, max, n, "id map", false, true, "%s", err.msg);
	else if (ids.privileged)
		item(items, max, n, "id map", true, true,
		     "inside uid %u = host uid %u (range %u+%u)", s->inside_uid,
		     ids.host_uid + s->inside_uid, ids.host_uid, ids.count);
	else
		item(items, max, n, "id map", true, true,
		     "inside uid %u = host uid %u (unprivileged: one id)",
		     s->inside_uid, ids.host_uid);
}

static void check_seccomp(struct sandbox_check_item *items, size_t max,
			  size_t *n)
{
	struct gild_err err = GILD_ERR_INIT;
	const char *arches[4];
	size_t na = 0;
	bool kernel = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
	bool ok = kernel && sandbox_seccomp_try(arches, 4, &na, &err) == 0;

	if (!ok)
		item(items, max, n, "seccomp", false, true, "%s",
		     kernel ? err.msg : "the kernel has no seccomp");
	else
		item(items, max, n, "seccomp", true, true,
		     "filter for %s %s %s", arches[0], na > 1 ? arches[1] : "",
		     na > 2 ? arches[2] : "");
}

static void check_limits(struct sandbox_check_item *items, size_t max,
			 size_t *n)
{
	char d[160];

	if (sandbox_cgroup_available("memory", d, sizeof(d)))
		item(items, max, n, "memory limit", true, true, "%s", d);
	else
		item(items, max, n, "memory limit", true, true,
		     "rlimit fallback (RLIMIT_AS): %s", d);
	if (sandbox_cgroup_available("pids", d, sizeof(d)))
		item(items, max, n, "process limit", true, true, "%s", d);
	else
		item(items, max, n, "process limit", true, true,
		     "rlimit fallback (RLIMIT_NPROC): %s", d);
	item(items, max, n, "file size limit", true, true, "RLIMIT_FSIZE");
}

static bool have_filesystem(const char *name)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/filesystems", "re");
	char line[128];

	while (f && fgets(line, sizeof(line), f)) {
		char *tab = strrchr(line, '\t');
		line[strcspn(line, "\n")] = 0;
		if (tab && strcmp(tab + 1, name) == 0)
			return true;
	}
	return false;
}

size_t sandbox_check(struct sandbox_check_item *items, size_t max,
		     bool *all_needed)
{
	size_t n = 0;
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);
	bool ovl = have_filesystem("overlay");

	check_namespaces(items, max, &n);
	check_ids(items, max, &n);
	check_seccomp(items, max, &n);
	item(items, max, &n, "no_new_privs", true, true, "yes");
	check_limits(items, max, &n);
	item(items, max, &n, "overlayfs (--root)", ovl, true, "%s",
	     ovl ? "yes" : "not in /proc/filesystems");
	if (abi > 0)
		item(items, max, &n, "landlock", true, false,
		     "ABI %ld (not used: namespaces already hide the host)",
		     abi);
	else
		item(items, max, &n, "landlock", false, false, "not available");
	*all_needed = true;
	for (size_t i = 0; i < n; i++)
		if (items[i].needed && !items[i].ok)
			*all_needed = false;
	return n;
}
