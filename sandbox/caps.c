/* caps.c: the build runs with nothing (issue 4): every capability set empty
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

/* The bounding set needs CAP_SETPCAP, so it goes while we still have it.
 * Capabilities are numbered without gaps: the first EINVAL is the first
 * number past this kernel's last one (prctl(2)). */
static int drop_bounding_set(struct gild_err *err)
{
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL) /* cap > CAP_LAST_CAP */
				break;
			return fail(err, "drop the capability bounding set");
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail(err, "clear the ambient capabilities");
	if (prctl(PR_SET_SECUREBITS,
		  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		      SECBIT_NO_CAP_AMBIENT_RAISE |
		      SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
		  0, 0, 0) < 0)
		return fail(err, "set securebits");
	return 0;
}

static int clear_caps(struct gild_err *err)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0}};

	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail(err, "clear the capabilities");
	if (syscall(SYS_capget, &hdr, data) < 0)
		return fail(err, "read back the capabilities");
	for (int i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted ||
		    data[i].inheritable)
			return gild_fail(
			    err, -GILD_E_SANDBOX, NULL,
			    "capabilities are left after dropping them");
	return 0;
}

int sandbox_drop_privileges(const struct sandbox_spec *s,
			    const struct sandbox_ids *ids, struct gild_err *err)
{
	int r;

	if ((r = drop_bounding_set(err)) < 0)
		return r;
	/* an unprivileged map denied setgroups (user_namespaces(7)) */
	if (ids->privileged && syscall(SYS_setgroups, 0, NULL) < 0)
		return fail(err, "clear the supplementary groups");
	if (sandbox_setresgid(s->inside_gid) < 0 ||
	    sandbox_setresuid(s->inside_uid) < 0)
		return fail(err, "become the build user");
	if ((r = clear_caps(err)) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, "set no_new_privs");
	return 0;
}
