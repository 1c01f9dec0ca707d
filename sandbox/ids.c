/* ids.c: which host ids the sandbox's inside ids map to.
 *
 * Inside uid 0 must never be host uid 0. As root we write a
 * range map directly (user_namespaces(7): a writer with CAP_SETUID in the
 * parent namespace may map any ids): inside 0..count-1 -> host
 * base..base+count-1, the base taken from the caller's /etc/subuid entry
 * (what newuidmap would grant) or a fixed default. An unprivileged caller
 * can only map its own uid, so the inside build uid is mapped to it. */
#include "sandbox-impl.h"

#include <fcntl.h>
#include <pwd.h>

/* Look up NAME's or UID's first range in /etc/subuid-format FILE; *seen
 * says whether the file had any entry at all. */
static bool subid_lookup(const char *file, const char *name, unsigned id,
			 unsigned *base, unsigned *count, bool *seen)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[256], idbuf[16], *save;

	if (!f)
		return false;
	snprintf(idbuf, sizeof(idbuf), "%u", id);
	while (fgets(line, sizeof(line), f)) {
		char *who = strtok_r(line, ":\n", &save),
		     *b = strtok_r(NULL, ":\n", &save),
		     *c = strtok_r(NULL, ":\n", &save);
		if (!who || !b || !c)
			continue;
		*seen = true;
		if (strcmp(who, idbuf) != 0 &&
		    (!name || strcmp(who, name) != 0))
			continue;
		*base = (unsigned)strtoul(b, NULL, 10);
		*count = (unsigned)strtoul(c, NULL, 10);
		return *base != 0 && *count != 0;
	}
	return false;
}

static bool subid_ranges(const char *subuid, const char *subgid,
			 const char *name, unsigned uid,
			 struct sandbox_ids *ids, bool *seen)
{
	unsigned ubase, ucount, gbase, gcount;

	if (!subid_lookup(subuid, name, uid, &ubase, &ucount, seen) ||
	    !subid_lookup(subgid, name, uid, &gbase, &gcount, seen))
		return false;
	ids->host_uid = ubase;
	ids->host_gid = gbase;
	ids->count = ucount < gcount ? ucount : gcount;
	return true;
}

bool sandbox_ids_subid_range(const char *subuid, const char *subgid,
			     unsigned uid, struct sandbox_ids *ids)
{
	struct passwd pwbuf, *pw = NULL;
	char buf[1024];
	bool seen = false;

	/* by number first: the user name costs an NSS lookup (nsswitch.conf,
	 * nscd's socket, /etc/passwd), worth it only when the files have
	 * entries it could match */
	if (subid_ranges(subuid, subgid, NULL, uid, ids, &seen))
		return true;
	/* getpwuid_r: the builder may run sandboxes from several threads */
	if (!seen || getpwuid_r(uid, &pwbuf, buf, sizeof(buf), &pw) != 0 || !pw)
		return false;
	return subid_ranges(subuid, subgid, pw->pw_name, uid, ids, &seen);
}

static void resolve_range(const struct sandbox_spec *s, struct sandbox_ids *ids)
{
	ids->host_uid = SANDBOX_DEFAULT_HOST_BASE;
	ids->host_gid = SANDBOX_DEFAULT_HOST_BASE;
	ids->count = SANDBOX_DEFAULT_HOST_COUNT;
	if (s->host_count) {
		ids->host_uid = s->host_uid;
		ids->host_gid = s->host_gid;
		ids->count = s->host_count;
		return;
	}
	(void)sandbox_ids_subid_range("/etc/subuid", "/etc/subgid", getuid(),
				      ids);
}

int sandbox_ids_resolve(const struct sandbox_spec *s, struct sandbox_ids *ids,
			struct gild_err *err)
{
	memset(ids, 0, sizeof(*ids));
	ids->privileged = geteuid() == 0;
	if (!ids->privileged) {
		ids->host_uid = getuid();
		ids->host_gid = getgid();
		ids->count = 1;
		snprintf(ids->uid_map, sizeof(ids->uid_map), "%u %u 1\n",
			 s->inside_uid, ids->host_uid);
		snprintf(ids->gid_map, sizeof(ids->gid_map), "%u %u 1\n",
			 s->inside_gid, ids->host_gid);
		return 0;
	}
	resolve_range(s, ids);
	if (ids->host_uid == 0 || ids->host_gid == 0)
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "refusing to map the sandbox to host uid/gid 0");
	if (s->inside_uid >= ids->count || s->inside_gid >= ids->count)
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "inside uid %u is outside the mapped range of %u ids",
		    s->inside_uid, ids->count);
	snprintf(ids->uid_map, sizeof(ids->uid_map), "0 %u %u\n", ids->host_uid,
		 ids->count);
	snprintf(ids->gid_map, sizeof(ids->gid_map), "0 %u %u\n", ids->host_gid,
		 ids->count);
	return 0;
}

static int write_proc(pid_t pid, const char *file, const char *text,
		      struct gild_err *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	size_t n = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		return gild_fail_errno(err, path, "cannot write the id map");
	return 0;
}

/* user_namespaces(7): an unprivileged writer must deny setgroups before
 * it may write gid_map. */
int sandbox_ids_write(pid_t pid, const struct sandbox_ids *ids,
		      struct gild_err *err)
{
	int r;

	if (!ids->privileged &&
	    (r = write_proc(pid, "setgroups", "deny", err)) < 0)
		return r;
	if ((r = write_proc(pid, "uid_map", ids->uid_map, err)) < 0)
		return r;
	return write_proc(pid, "gid_map", ids->gid_map, err);
}
