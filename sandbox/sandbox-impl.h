/* sandbox-impl.h: private to sandbox/ (the spec's layout and the steps
 * sandbox_run is made of). */
#ifndef GILD_SANDBOX_IMPL_H
#define GILD_SANDBOX_IMPL_H

#include "sandbox.h"

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#define SANDBOX_DEFAULT_UID 1000
#define SANDBOX_DEFAULT_HOST_BASE 100000u
#define SANDBOX_DEFAULT_HOST_COUNT 65536u
#define SANDBOX_TMP_SIZE (256ull << 20)
#define SANDBOX_PATH                                                           \
	"/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
#define SANDBOX_HOME "/tmp"

struct sandbox_spec {
	char *root; /* NULL: bind the host's tool directories */
	struct sandbox_mount *mounts;
	size_t n_mounts, cap_mounts;
	struct gild_strv env; /* "K=V" set by the caller */
	unsigned timeout;     /* seconds, 0 none */
	uint64_t mem, fsize;  /* bytes, 0 none */
	uint64_t rw_size;     /* a system root's writable layer, bytes */
	unsigned nproc;	      /* 0 none */
	bool allow_net;
	bool system; /* root is a whole system: its own /etc, writable through
			a tmpfs, a container's capabilities (image run) */
	unsigned inside_uid, inside_gid;
	unsigned host_uid, host_gid, host_count; /* 0 count: default */
	char *cwd;
	int out_fd, err_fd;
	int trace_fd;		  /* -1: no step timings */
	bool caller_exits;	  /* do not wait for pid 1's own end */
	sandbox_report_fn report; /* NULL: no report channel (fd 3) */
	void *report_ud;
	struct gild_strv argv;
};

/* trace.c: one line per setup step, "sandbox: 1.234 ms pid1 step", the
 * time since sandbox_run began (clock_gettime through the vDSO is cheap
 * and async-signal-safe, and formatting allocates nothing: usable between
 * clone and exec). A no-op unless the caller set a trace fd. */
struct sandbox_trace {
	int fd;
	struct timespec t0;
};
void sandbox_trace_start(struct sandbox_trace *t, int fd);
void sandbox_trace_step(const struct sandbox_trace *t, const char *who,
			const char *step);

/* ids.c: the uid/gid maps. */
struct sandbox_ids {
	bool privileged;	     /* we can write a range map (root) */
	unsigned host_uid, host_gid; /* what inside 0 (or inside_uid) maps to */
	unsigned count;
	char uid_map[64], gid_map[64];
};
int sandbox_ids_resolve(const struct sandbox_spec *s, struct sandbox_ids *ids,
			struct gild_err *err);
int sandbox_ids_write(pid_t pid, const struct sandbox_ids *ids,
		      struct gild_err *err);
/* uid's first ranges in the two /etc/subuid-format files, by number or
 * user name: true and ids' host ids and count set, or false and ids
 * untouched. */
bool sandbox_ids_subid_range(const char *subuid, const char *subgid,
			     unsigned uid, struct sandbox_ids *ids);

/* mounts.c: the host paths, resolved by the caller before clone; then, in
 * the child as pid 1, the new root and the pivot into it (no allocation
 * there: see mounts.c). */
struct sandbox_sources {
	char **src;    /* per mount, realpath of its source; NULL for tmpfs */
	bool *is_file; /* per mount: the source is not a directory */
	int *tree; /* per mount, its detached mount tree (open_tree) or -1 */
	size_t n;
	char *root;    /* realpath of --root, or NULL */
	int root_tree; /* --root's detached mount tree, or -1 */
};
int sandbox_sources_resolve(const struct sandbox_spec *s,
			    struct sandbox_sources *so, struct gild_err *err);
void sandbox_sources_release(struct sandbox_sources *so);
int sandbox_setup_root(const struct sandbox_spec *s,
		       const struct sandbox_sources *so,
		       const struct sandbox_trace *tr, struct gild_err *err);

/* seccomp.c: the rules, compiled by libseccomp (at build time by
 * sandbox/gen/gen-seccomp, and by --check and tests); *prog is allocated. */
#include <linux/filter.h>
int sandbox_seccomp_compile(struct sock_filter **prog, size_t *len,
			    struct gild_err *err);
/* Build it only (for --check and tests): 0 or a negative code. */
int sandbox_seccomp_try(const char **arches, size_t max, size_t *n,
			struct gild_err *err);
/* seccomp-load.c: the program compiled at build time (seccomp-bpf.c),
 * loaded by the command's process as its last step before exec. */
extern const struct sock_filter sandbox_seccomp_prog[];
extern const size_t sandbox_seccomp_prog_len;
int sandbox_seccomp_load(struct gild_err *err);

/* limits.c: cgroup v1 memory/pids (parent side) and rlimits (child side). */
struct sandbox_cgroup {
	char *mem_dir, *pids_dir; /* NULL where not used */
};
int sandbox_cgroup_create(const struct sandbox_spec *s,
			  struct sandbox_cgroup *cg, struct gild_err *err);
int sandbox_cgroup_open_tasks(const struct sandbox_cgroup *cg, int fds[2],
			      struct gild_err *err);
bool sandbox_cgroup_oom_killed(const struct sandbox_cgroup *cg);
bool sandbox_cgroup_pids_hit(const struct sandbox_cgroup *cg);
void sandbox_cgroup_destroy(struct sandbox_cgroup *cg);
bool sandbox_cgroup_available(const char *controller, char *detail, size_t n);
int sandbox_rlimits_apply(const struct sandbox_spec *s, bool have_mem_cgroup,
			  bool have_pids_cgroup, struct gild_err *err);

/* Between clone and exec the child has one thread but glibc still
 * believes in the caller's others: its setresuid()/setgroups() would signal
 * them all (the setxid broadcast) and wait forever, and fork() would take
 * locks they may hold. The child uses the raw system calls instead (and
 * clone(), which takes no lock, for the command's process). */
#include <sys/syscall.h>
static inline int sandbox_setresuid(unsigned id)
{
	return (int)syscall(SYS_setresuid, id, id, id);
}
static inline int sandbox_setresgid(unsigned id)
{
	return (int)syscall(SYS_setresgid, id, id, id);
}

/* caps.c: drop every capability and privilege, then become the build user. */
int sandbox_drop_privileges(const struct sandbox_spec *s,
			    const struct sandbox_ids *ids,
			    struct gild_err *err);

#endif
