/* caps.c: the build runs with nothing: every capability set empty
 * (bounding and ambient included), securebits that stop uid 0 from
 * regaining capabilities at exec, the inside build uid/gid, and
 * no_new_privs so that no setuid binary or file capability can raise
 * anything again. Called in the command's process, before seccomp. */
#include "sandbox-impl.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static int fail(struct gild_err *err, const char *what)
{
	return gild_fail(err, -GILD_E_SANDBOX, NULL, "cannot %s: %s", what,
			 strerror(errno));
}

/* What a system image's processes keep inside their user namespace (the
 * set container engines give by default): enough for daemons to bind a
 * low port and drop to their own users; nothing that reaches the host. */
#define CONTAINER_CAPS                                                         \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) |                    \
	 (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | (1ULL << CAP_KILL) |    \
	 (1ULL << CAP_SETGID) | (1ULL << CAP_SETUID) |                         \
	 (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_AUDIT_WRITE))

/* The bounding set needs CAP_SETPCAP, so it goes while we still have it.
 * Capabilities are numbered without gaps: the first EINVAL is the first
 * number past this kernel's last one (prctl(2)). A system root keeps
 * CONTAINER_CAPS, and uid 0 gets them back at exec (no SECBIT_NOROOT). */
static int drop_bounding_set(uint64_t keep, struct gild_err *err)
{
	for (int cap = 0; cap <= 63; cap++)
		if (!(keep & (1ULL << cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL) /* cap > CAP_LAST_CAP */
				break;
			return fail(err, "drop the capability bounding set");
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail(err, "clear the ambient capabilities");
	if (prctl(PR_SET_SECUREBITS,
		  (keep ? 0 : SECBIT_NOROOT | SECBIT_NOROOT_LOCKED) |
		      SECBIT_NO_CAP_AMBIENT_RAISE |
		      SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
		  0, 0, 0) < 0)
		return fail(err, "set securebits");
	return 0;
}

static int clear_caps(uint64_t keep, struct gild_err *err)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0}};

	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail(err, "clear the capabilities");
	if (syscall(SYS_capget, &hdr, data) < 0)
		return fail(err, "read back the capabilities");
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		if ((data[i].effective & ~k) || (data[i].permitted & ~k) ||
		    data[i].inheritable)
			return gild_fail(
			    err, -GILD_E_SANDBOX, NULL,
			    "capabilities are left after dropping them");
	}
	return 0;
}

int sandbox_drop_privileges(const struct sandbox_spec *s,
			    const struct sandbox_ids *ids, struct gild_err *err)
{
	uint64_t keep = s->system ? CONTAINER_CAPS : 0;
	int r;

	if ((r = drop_bounding_set(keep, err)) < 0)
		return r;
	/* an unprivileged map denied setgroups (user_namespaces(7)) */
	if (ids->privileged && syscall(SYS_setgroups, 0, NULL) < 0)
		return fail(err, "clear the supplementary groups");
	if (sandbox_setresgid(s->inside_gid) < 0 ||
	    sandbox_setresuid(s->inside_uid) < 0)
		return fail(err, "become the build user");
	if ((r = clear_caps(keep, err)) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, "set no_new_privs");
	return 0;
}
