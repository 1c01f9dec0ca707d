/* seccomp.c: the system calls a build never needs, denied with
 * EPERM by a libseccomp filter on x86-64, x86 and x32 (without the other
 * ABIs a 32-bit or x32 syscall would pass unfiltered). The lists follow
 * Docker's default profile, Flatpak's and Nix's (setuid/setgid bits).
 *
 * libseccomp compiles these rules once, at build time (sandbox/gen/, into
 * the program seccomp-load.c loads): compiling them at every start cost
 * about 1 ms of CPU, more than the rest of gild's side of the setup. */
#include "sandbox-impl.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Denied whatever the arguments. */
static const char *const deny_always[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "clock_settime",
    "clock_settime64",
    "settimeofday",
    "stime",
    "adjtimex",
    "clock_adjtime",
    "clock_adjtime64",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "open_by_handle_at",
    "name_to_handle_at",
    "syslog",
    "uselib",
    "lookup_dcookie",
    "quotactl",
    "nfsservctl",
    "vm86",
    "vm86old",
    "iopl",
    "ioperm",
    "kcmp",
    "pidfd_getfd",
    "landlock_create_ruleset",
    "lsm_set_self_attr",
};

/* clone with any CLONE_NEW* flag (the low byte of clone's flags is the exit
 * signal, so CLONE_NEWTIME, 0x80, cannot be told apart there; unshare and
 * clone3 are refused whole). */
static const unsigned long clone_new_flags[] = {
    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
};

static int add_rule(scmp_filter_ctx ctx, int errno_val, const char *name,
		    unsigned n_cmp, const struct scmp_arg_cmp *cmp,
		    struct gild_err *err)
{
	int nr = seccomp_syscall_resolve_name(name), r;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a syscall of any of our ABIs */
	r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(errno_val), nr, n_cmp,
				   cmp);
	if (r < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot add the seccomp rule for '%s': %s",
				 name, strerror(-r));
	return 0;
}

static int add_one(scmp_filter_ctx ctx, const char *name, unsigned arg,
		   enum scmp_compare op, uint64_t a, uint64_t b,
		   struct gild_err *err)
{
	struct scmp_arg_cmp c = {arg, op, a, b};

	return add_rule(ctx, EPERM, name, 1, &c, err);
}

static int add_clone_rules(scmp_filter_ctx ctx, struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(clone_new_flags); i++)
		if ((r = add_one(ctx, "clone", 0, SCMP_CMP_MASKED_EQ,
				 clone_new_flags[i], clone_new_flags[i], err)) <
		    0)
			return r;
	/* clone3 passes its flags in memory seccomp cannot read: ENOSYS
	 * makes glibc fall back to clone, which is checked above. */
	return add_rule(ctx, ENOSYS, "clone3", 0, NULL, err);
}

/* ioctl(fd, TIOCSTI|TIOCLINUX): the kernel compares the request as an int,
 * so compare only its low 32 bits (CVE-2019-10063 in Flatpak). */
static int add_ioctl_rules(scmp_filter_ctx ctx, struct gild_err *err)
{
	int r;

	if ((r = add_one(ctx, "ioctl", 1, SCMP_CMP_MASKED_EQ, 0xffffffffu,
			 TIOCSTI, err)) < 0)
		return r;
	return add_one(ctx, "ioctl", 1, SCMP_CMP_MASKED_EQ, 0xffffffffu,
		       TIOCLINUX, err);
}

/* Raw IP and packet sockets; netlink other than NETLINK_ROUTE. Netlink
 * sockets are SOCK_RAW too, and glibc reads interfaces over NETLINK_ROUTE
 * (getifaddrs), so raw is refused for the IP families only; changing
 * routes or addresses over NETLINK_ROUTE needs CAP_NET_ADMIN, which the
 * build never has, and its netns is its own anyway. */
static int add_socket_rules(scmp_filter_ctx ctx, struct gild_err *err)
{
	static const int ip[] = {AF_INET, AF_INET6};
	struct scmp_arg_cmp nl[2] = {
	    SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
	    SCMP_A2(SCMP_CMP_NE, NETLINK_ROUTE),
	};
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(ip); i++) {
		struct scmp_arg_cmp raw[2] = {
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)ip[i]),
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW),
		};
		struct scmp_arg_cmp pkt[2] = {
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)ip[i]),
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_PACKET),
		};
		if ((r = add_rule(ctx, EPERM, "socket", 2, raw, err)) < 0 ||
		    (r = add_rule(ctx, EPERM, "socket", 2, pkt, err)) < 0)
			return r;
	}
	if ((r = add_one(ctx, "socket", 0, SCMP_CMP_EQ, AF_PACKET, 0, err)) <
		0 ||
	    (r = add_rule(ctx, EPERM, "socket", 2, nl, err)) < 0)
		return r;
	/* i386's multiplexer hides the arguments: glibc uses the direct
	 * socket calls since Linux 4.3, so socketcall is refused whole. */
	return add_rule(ctx, EPERM, "socketcall", 0, NULL, err);
}

/* Setting setuid/setgid bits (Nix's sandbox: EPERM). */
static int add_chmod_rules(scmp_filter_ctx ctx, struct gild_err *err)
{
	static const struct {
		const char *name;
		unsigned arg;
	} calls[] = {
	    {"chmod", 1},
	    {"fchmod", 1},
	    {"fchmodat", 2},
	    {"fchmodat2", 2},
	};
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(calls); i++)
		if ((r = add_one(ctx, calls[i].name, calls[i].arg,
				 SCMP_CMP_MASKED_EQ, S_ISUID, S_ISUID, err)) <
			0 ||
		    (r = add_one(ctx, calls[i].name, calls[i].arg,
				 SCMP_CMP_MASKED_EQ, S_ISGID, S_ISGID, err)) <
			0)
			return r;
	return 0;
}

/* personality: only PER_LINUX (0), PER_LINUX32 (8) and the query
 * 0xffffffff; anything else (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...)
 * weakens the process. libseccomp takes one comparison per argument and
 * rule, so the complement is written as masked tests on the low 32 bits
 * (the kernel reads an unsigned int): a value outside the three has,
 * among the bits other than bit 3, a set bit followed (cyclically) by a
 * clear one, unless it is 0xfffffff7. */
static int add_personality_rules(scmp_filter_ctx ctx, struct gild_err *err)
{
	static const unsigned bits[] = {
	    0,	1,  2,	4,  5,	6,  7,	8,  9,	10, 11, 12, 13, 14, 15, 16,
	    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	};
	size_t n = GILD_ARRAY_SIZE(bits);
	int r;

	for (size_t i = 0; i < n; i++) {
		uint64_t set = 1ull << bits[i],
			 clear = 1ull << bits[(i + 1) % n];
		if ((r = add_one(ctx, "personality", 0, SCMP_CMP_MASKED_EQ,
				 set | clear, set, err)) < 0)
			return r;
	}
	return add_one(ctx, "personality", 0, SCMP_CMP_MASKED_EQ, 0xffffffffu,
		       0xfffffff7u, err);
}

static int add_arches(scmp_filter_ctx ctx, struct gild_err *err)
{
	static const struct {
		uint32_t arch;
		const char *name;
	} extra[] = {
	    {SCMP_ARCH_X86, "x86"},
	    {SCMP_ARCH_X32, "x32"},
	};
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(extra); i++) {
		r = seccomp_arch_add(ctx, extra[i].arch);
		if (r < 0 && r != -EEXIST)
			return gild_fail(err, -GILD_E_SANDBOX, NULL,
					 "cannot add the seccomp arch '%s': %s",
					 extra[i].name, strerror(-r));
	}
	return 0;
}

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int build_filter(scmp_filter_ctx *out, struct gild_err *err)
{
	__attribute__((cleanup(release_ctx))) scmp_filter_ctx ctx =
	    seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot create a seccomp filter");
	/* a binary tree of syscall numbers, not a list: loading the filter
	 * makes the kernel run it for every syscall of every ABI (to find
	 * the ones it may allow without running it, seccomp_cache_prepare),
	 * which took 0.25 ms through the list */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot ask libseccomp for a tree filter: %s",
				 strerror(-r));
	if ((r = add_arches(ctx, err)) < 0)
		return r;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(deny_always); i++)
		if ((r = add_rule(ctx, EPERM, deny_always[i], 0, NULL, err)) <
		    0)
			return r;
	if ((r = add_clone_rules(ctx, err)) < 0 ||
	    (r = add_ioctl_rules(ctx, err)) < 0 ||
	    (r = add_socket_rules(ctx, err)) < 0 ||
	    (r = add_chmod_rules(ctx, err)) < 0 ||
	    (r = add_personality_rules(ctx, err)) < 0)
		return r;
	*out = TAKE_PTR(ctx);
	return 0;
}

/* The program libseccomp makes of the rules, read back from a memfd (its
 * only output is an fd). */
int sandbox_seccomp_compile(struct sock_filter **prog, size_t *len,
			    struct gild_err *err)
{
	__attribute__((cleanup(release_ctx))) scmp_filter_ctx ctx = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	*prog = NULL;
	*len = 0;
	if ((r = build_filter(&ctx, err)) < 0)
		return r;
	fd = memfd_create("gild-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return gild_fail_errno(err, NULL, "cannot create a memfd");
	if ((r = seccomp_export_bpf(ctx, fd)) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot export the seccomp filter: %s",
				 strerror(-r));
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(**prog) != 0 ||
	    st.st_size > (off_t)(BPF_MAXINSNS * sizeof(**prog)))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "libseccomp exported no usable filter");
	*prog = xmalloc((size_t)st.st_size);
	if (pread(fd, *prog, (size_t)st.st_size, 0) != st.st_size) {
		free(*prog);
		*prog = NULL;
		return gild_fail_errno(err, NULL,
				       "cannot read the seccomp filter back");
	}
	*len = (size_t)st.st_size / sizeof(**prog);
	return 0;
}

int sandbox_seccomp_try(const char **arches, size_t max, size_t *n,
			struct gild_err *err)
{
	__attribute__((cleanup(release_ctx))) scmp_filter_ctx ctx = NULL;
	static const char *const names[] = {"x86-64", "x86", "x32"};
	int r;

	*n = 0;
	if ((r = build_filter(&ctx, err)) < 0)
		return r;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(names) && *n < max; i++)
		arches[(*n)++] = names[i];
	return 0;
}
