/* sandbox.h: the build sandbox, the one public header of sandbox/.
 *
 * A caller describes the sandbox as a `struct sandbox_spec` (bubblewrap's
 * list of setup operations: binds, tmpfs, environment, limits, ids), then
 * `sandbox_run()` carries it out top-down and runs one command in it:
 *
 *   _cleanup_(sandbox_spec_freep) struct sandbox_spec *s = sandbox_spec_new();
 *   sandbox_spec_set_root(s, stage);                 // read-only "/"
 *   sandbox_spec_add_rw(s, workdir, "/var/tmp/gild/work");
 *   sandbox_spec_setenv(s, "P", "foo-1.0");
 *   sandbox_spec_set_timeout(s, 3600);
 *   sandbox_spec_set_argv(s, (const char *[]){"bash", "-c", script, NULL});
 *   struct sandbox_status st;
 *   if ((r = sandbox_run(s, &st, err)) < 0)
 *           return r;                      // setup failed: err says what
 *   if (st.status != 0) ...                // st.end says why it ended
 *
 * What the sandbox always does (not configurable): new user, mount, pid,
 * ipc, uts (hostname "localhost") and cgroup namespaces, and a net
 * namespace with only loopback up unless allow_net; a root built from a
 * tmpfs (or a read-only overlay of the given root) with pivot_root; a
 * minimal /dev, a fresh /proc with /proc/sys read-only and Docker's masked
 * paths, no /sys; synthetic /etc/passwd, /etc/group, /etc/hosts; inside
 * uid 0 never maps to host uid 0; all capabilities dropped, no_new_privs,
 * a seccomp filter (x86-64, x86, x32); pid 1 reaps and dies with the
 * caller; stdin /dev/null, fds above 2 closed, setsid; the environment is
 * cleared to an allow-list.  Every refusal at setup is an error naming what
 * failed, never a weaker sandbox.
 */
#ifndef GILD_SANDBOX_H
#define GILD_SANDBOX_H

#include "base/base.h"

struct sandbox_spec;

enum sandbox_mount_kind {
	SANDBOX_MOUNT_RO,    /* read-only bind, nosuid,nodev */
	SANDBOX_MOUNT_RW,    /* read-write bind, nosuid,nodev */
	SANDBOX_MOUNT_TMPFS, /* sized tmpfs, nosuid,nodev */
	SANDBOX_MOUNT_LAYER, /* read-only overlay of src over dest, nosuid,nodev
			      */
};

/* One setup operation, in the order the caller gave them. */
struct sandbox_mount {
	enum sandbox_mount_kind kind;
	char *src;     /* host path (NULL for tmpfs) */
	char *dest;    /* absolute path inside */
	uint64_t size; /* tmpfs size in bytes */
};

/* Why the command ended. */
enum sandbox_end {
	SANDBOX_END_EXIT,    /* exited by itself: status is its exit code */
	SANDBOX_END_SIGNAL,  /* killed by a signal it got: status 128+sig */
	SANDBOX_END_TIMEOUT, /* the wall-clock timeout killed everything */
	SANDBOX_END_MEMORY,  /* the memory limit (cgroup OOM) killed it */
	SANDBOX_END_FSIZE,   /* the file size limit (SIGXFSZ) killed it */
	SANDBOX_END_CPU,     /* the CPU time limit (SIGXCPU) killed it */
};

struct sandbox_status {
	int status;	      /* exit code, or 128+signal when killed */
	enum sandbox_end end; /* why it ended */
	bool pids_limit_hit;  /* a fork was refused by the process limit */
	char message[160];    /* "" for a normal exit, else a clear reason */
};

/* Where the limits are enforced (sandbox_check and the status). */
struct sandbox_check_item {
	const char *name; /* "user namespace", "seccomp", ... */
	bool ok;
	bool needed; /* a build cannot run without it */
	char detail[160];
};

/* ---- building a spec (no syscalls; tests inspect the result) ---------- */

struct sandbox_spec *sandbox_spec_new(void);
void sandbox_spec_free(struct sandbox_spec *s);
GILD_DEFINE_CLEANUP(struct sandbox_spec *, sandbox_spec_free)

/* The read-only root ("/"). Without one, the host's /usr, /bin, /sbin and
 * /lib* (plus /etc/alternatives and /etc/ld.so.cache, which the tools in
 * /usr need) are bound read-only into an empty root. */
void sandbox_spec_set_root(struct sandbox_spec *s, const char *dir);

/* Binds and tmpfs. dest NULL means the same path as src. An --ro with
 * dest "/" sets the root. Returns 0, or -GILD_E_INVALID when dest is not
 * absolute, contains "..", or names a place the sandbox owns (/proc,
 * /dev); err says which. */
int sandbox_spec_add_ro(struct sandbox_spec *s, const char *src,
			const char *dest, struct gild_err *err);
int sandbox_spec_add_rw(struct sandbox_spec *s, const char *src,
			const char *dest, struct gild_err *err);
int sandbox_spec_add_tmpfs(struct sandbox_spec *s, const char *dest,
			   uint64_t size, struct gild_err *err);
/* A read-only layer: what dest shows at this point of the setup (the
 * stage's /usr, say) with the host directory src laid over it (overlayfs,
 * src wins), so that files added by src appear where programs look for
 * them. Same dest checks as a bind; src may not hold ':', ',' or '\\'
 * (overlayfs option syntax): -GILD_E_INVALID. */
int sandbox_spec_add_layer(struct sandbox_spec *s, const char *src,
			   const char *dest, struct gild_err *err);

/* Parse the command line forms "SRC[:DEST]" and "DEST[:SIZE]" (SIZE in
 * bytes with an optional k, m, g suffix). -GILD_E_USAGE on bad syntax. */
int sandbox_spec_parse_bind(struct sandbox_spec *s, enum sandbox_mount_kind k,
			    const char *arg, struct gild_err *err);
int sandbox_spec_parse_tmpfs(struct sandbox_spec *s, const char *arg,
			     struct gild_err *err);

/* Environment: cleared to an allow-list (SOURCE_DATE_EPOCH from the
 * caller's environment) plus fixed TZ=UTC, LC_ALL=C.UTF-8, HOME, PATH,
 * USER, LOGNAME, and what is set here (which wins). -GILD_E_INVALID for
 * an empty key or one with '='. */
int sandbox_spec_setenv(struct sandbox_spec *s, const char *key,
			const char *value, struct gild_err *err);
/* "K=V" form; -GILD_E_USAGE when there is no '='. */
int sandbox_spec_putenv(struct sandbox_spec *s, const char *kv,
			struct gild_err *err);

/* Limits; 0 means the default (none for timeout). */
void sandbox_spec_set_timeout(struct sandbox_spec *s, unsigned seconds);
void sandbox_spec_set_mem(struct sandbox_spec *s, uint64_t bytes);
void sandbox_spec_set_nproc(struct sandbox_spec *s, unsigned n);
void sandbox_spec_set_fsize(struct sandbox_spec *s, uint64_t bytes);

/* The root is a whole system image (gild image run): its own /etc (no
 * synthetic passwd, group, hosts), writable through an overlay whose
 * upper layer is a tmpfs (writes vanish with the sandbox), and the
 * command keeps a container's capabilities inside its user namespace
 * (chown, setuid/setgid, kill, bind below 1024, ...: what daemons need to
 * drop to their users), never more; no_new_privs and seccomp stay. */
#define SANDBOX_RW_SIZE_DEFAULT (512ULL << 20)
/* rw_size bounds the tmpfs of the writes (0: SANDBOX_RW_SIZE_DEFAULT), so a
 * command that writes without end fills its layer (ENOSPC), not the
 * host's memory. */
void sandbox_spec_set_system_root(struct sandbox_spec *s, const char *dir,
				  uint64_t rw_size);

/* Keep the host network (the fetch step only). Off by default. */
void sandbox_spec_set_allow_net(struct sandbox_spec *s, bool allow);

/* Identity: the inside uid/gid the command runs as (default 1000:1000,
 * "builder"; 0 for an inside root that owns installed files), and the host
 * range inside uid/gid 0.. maps to when gild runs as root (default: the
 * caller's /etc/subuid and /etc/subgid range, else 100000+65536). As an
 * unprivileged caller only the caller's own uid is mapped, to the inside
 * uid. host_uid 0 is refused by sandbox_run. */
void sandbox_spec_set_inside_ids(struct sandbox_spec *s, unsigned uid,
				 unsigned gid);
void sandbox_spec_set_host_range(struct sandbox_spec *s, unsigned host_uid,
				 unsigned host_gid, unsigned count);

/* Working directory inside (default "/"). */
void sandbox_spec_set_cwd(struct sandbox_spec *s, const char *dir);

/* stdout/stderr of the command (default the caller's 1 and 2). */
void sandbox_spec_set_stdio(struct sandbox_spec *s, int out_fd, int err_fd);

/* Write the time of each setup step to fd, one line each ("sandbox:
 * 1.234 ms pid1 root built"), for `gild sandbox -v` and the benchmark;
 * -1 (the default) writes nothing. */
void sandbox_spec_set_trace_fd(struct sandbox_spec *s, int fd);

/* For a caller that exits right after sandbox_run (the `gild sandbox`
 * command): return as soon as the command's status is known, without
 * waiting for pid 1's own exit, in which the kernel tears the namespaces
 * down (about 0.2 ms); init reaps it. Every other process of the sandbox
 * has ended by then either way. Default false: pid 1 is reaped. */
void sandbox_spec_set_caller_exits(struct sandbox_spec *s, bool exits);

/* A report channel: the command finds the write end of a pipe at fd 3,
 * and sandbox_run calls fn(ud, line) for each line written there (without
 * its newline; a line longer than 4 KiB is cut there, its rest dropped)
 * while it waits, so that a caller learns where a long command is without
 * starting one sandbox per step. Each whole line also restarts the
 * timeout: it then bounds each step the command reports, not the whole
 * run. The channel is for a cooperating command: anything in the sandbox
 * that can reach the fd can write to it. */
typedef void (*sandbox_report_fn)(void *ud, const char *line);
void sandbox_spec_set_report(struct sandbox_spec *s, sandbox_report_fn fn,
			     void *ud);

/* The command; copied. argv[0] is looked up in the fixed PATH inside. */
void sandbox_spec_set_argv(struct sandbox_spec *s, const char *const *argv);

/* ---- inspecting a spec (tests, --verbose) ------------------------------ */

size_t sandbox_spec_n_mounts(const struct sandbox_spec *s);
const struct sandbox_mount *sandbox_spec_mount(const struct sandbox_spec *s,
					       size_t i);
const char *sandbox_spec_root(const struct sandbox_spec *s);
/* The final environment as a NULL-terminated, sorted "K=V" vector. */
char **sandbox_spec_envp(const struct sandbox_spec *s);
const char *sandbox_spec_getenv(const struct sandbox_spec *s, const char *key);

/* ---- running ----------------------------------------------------------- */

/* Run the spec's command in a fresh sandbox and wait for it (and for the
 * timeout). Returns 0 when the command ran (st says how it ended), or:
 *  -GILD_E_SANDBOX  setup failed (a missing path, no permission to create a
 *                   namespace, a kernel feature missing): err names it;
 *  -GILD_E_INVALID  the spec is incomplete (no command, host uid 0);
 *  -errno           fork/pipe failures in the caller. */
int sandbox_run(const struct sandbox_spec *s, struct sandbox_status *st,
		struct gild_err *err);

/* What this kernel and this user give. Fills items (up to max) and returns
 * how many; *all_needed is false when a protection a build needs is
 * missing. */
size_t sandbox_check(struct sandbox_check_item *items, size_t max,
		     bool *all_needed);

#endif /* GILD_SANDBOX_H */
