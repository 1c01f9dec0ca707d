/* test-seccomp.c: the seccomp filter checked from outside (bubblewrap's
 * try-syscall idea): each case runs in a forked child that loads the
 * filter and reports the errno of one system call as its exit status. */
#include "tap.h"

#include "sandbox/sandbox-impl.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* Fork; the child loads the built-in filter (as the command's process in
 * sandbox_run does) and exits with fn's errno (0 when the call
 * succeeded); -1 on load failure. */
static int in_filtered_child(long (*fn)(unsigned long), unsigned long arg)
{
	int ws;
	pid_t pid = fork();

	if (pid == 0) {
		struct gild_err err = GILD_ERR_INIT;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    sandbox_seccomp_load(&err) < 0)
			_exit(255);
		errno = 0;
		_exit(fn(arg) < 0 ? errno : 0);
	}
	if (pid < 0)
		return -1;
	waitpid(pid, &ws, 0);
	return WIFEXITED(ws) && WEXITSTATUS(ws) != 255 ? WEXITSTATUS(ws) : -1;
}

static long do_personality(unsigned long v)
{
	return syscall(SYS_personality, v);
}
static long do_unshare(unsigned long f)
{
	return unshare((int)f);
}
static long do_socket_type(unsigned long t)
{
	return socket(AF_INET, (int)t, 0);
}
static long do_socket_domain(unsigned long d)
{
	return socket((int)d, SOCK_DGRAM, 0);
}
static long do_socket_domain6_raw(unsigned long unused)
{
	(void)unused;
	return socket(AF_INET6, SOCK_RAW, 58 /* ICMPv6 */);
}
static long do_netlink(unsigned long proto)
{
	return socket(AF_NETLINK, SOCK_RAW, (int)proto);
}
static long do_ioctl(unsigned long req)
{
	char c = 0;
	return syscall(SYS_ioctl, 0, req, &c);
}
static long do_chmod(unsigned long mode)
{
	char path[] = "/tmp/gild-test-seccomp-XXXXXX";
	int fd = mkstemp(path);
	long r = fchmod(fd, (mode_t)mode);
	int e = errno;

	unlink(path);
	errno = e;
	return r;
}
static long do_clone(unsigned long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static const struct {
	const char *what;
	long (*fn)(unsigned long);
	unsigned long arg;
	int want; /* errno, 0 = allowed */
} cases[] = {
    {"personality(PER_LINUX)", do_personality, 0, 0},
    {"personality(PER_LINUX32)", do_personality, 8, 0},
    {"personality(query)", do_personality, 0xffffffffu, 0},
    {"personality(1)", do_personality, 1, EPERM},
    {"personality(9)", do_personality, 9, EPERM},
    {"personality(ADDR_NO_RANDOMIZE)", do_personality, ADDR_NO_RANDOMIZE,
     EPERM},
    {"personality(READ_IMPLIES_EXEC)", do_personality, READ_IMPLIES_EXEC,
     EPERM},
    {"personality(0xfffffff7)", do_personality, 0xfffffff7u, EPERM},
    {"personality(1<<32 | ADDR_NO_RANDOMIZE)", do_personality,
     0x100000000ul | ADDR_NO_RANDOMIZE, EPERM},
    {"unshare(CLONE_NEWUSER)", do_unshare, CLONE_NEWUSER, EPERM},
    {"unshare(CLONE_FILES)", do_unshare, CLONE_FILES, EPERM},
    {"clone(CLONE_NEWNET)", do_clone, CLONE_NEWNET, EPERM},
    {"clone(CLONE_NEWUSER)", do_clone, CLONE_NEWUSER, EPERM},
    {"clone() plain fork", do_clone, 0, 0},
    {"socket(SOCK_RAW)", do_socket_type, SOCK_RAW, EPERM},
    {"socket(SOCK_RAW|SOCK_CLOEXEC)", do_socket_type, SOCK_RAW | SOCK_CLOEXEC,
     EPERM},
    {"socket(SOCK_STREAM)", do_socket_type, SOCK_STREAM, 0},
    {"socket(AF_PACKET)", do_socket_domain, AF_PACKET, EPERM},
    {"socket(AF_INET6, SOCK_RAW)", do_socket_domain6_raw, 0, EPERM},
    {"socket(AF_NETLINK, NETLINK_AUDIT)", do_netlink, 9, EPERM},
    {"socket(AF_NETLINK, NETLINK_ROUTE)", do_netlink, 0, 0},
    {"ioctl(TIOCSTI)", do_ioctl, TIOCSTI, EPERM},
    {"ioctl(1<<32 | TIOCSTI)", do_ioctl, 0x100000000ul | TIOCSTI, EPERM},
    {"ioctl(TIOCLINUX)", do_ioctl, TIOCLINUX, EPERM},
    {"fchmod(04755)", do_chmod, 04755, EPERM},
    {"fchmod(02755)", do_chmod, 02755, EPERM},
    {"fchmod(0755)", do_chmod, 0755, 0},
};

TEST(filter_allows_and_denies_as_the_table_says)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(cases); i++) {
		int got = in_filtered_child(cases[i].fn, cases[i].arg);
		if (!CHECK_INTEQ(got, cases[i].want))
			tap_note("case: %s", cases[i].what);
	}
}

/* The array built into gild is what the rules in seccomp.c give today:
 * a rule changed without regenerating would otherwise go unnoticed. */
TEST(the_built_in_filter_is_the_compiled_rules)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_free_ struct sock_filter *prog = NULL;
	size_t len;

	CHECK_INTEQ(sandbox_seccomp_compile(&prog, &len, &err), 0);
	CHECK_INTEQ(len, sandbox_seccomp_prog_len);
	if (len == sandbox_seccomp_prog_len)
		CHECK(memcmp(prog, sandbox_seccomp_prog, len * sizeof(*prog)) ==
		      0);
	CHECK(len > 100); /* three ABIs, ~80 rules */
}

TEST(every_rule_compiles_for_three_abis)
{
	struct gild_err err = GILD_ERR_INIT;
	const char *arches[4];
	size_t n;

	CHECK_INTEQ(sandbox_seccomp_try(arches, 4, &n, &err), 0);
	CHECK_INTEQ(n, 3);
	CHECK_STREQ(arches[1], "x86");
	CHECK_STREQ(arches[2], "x32");
}
