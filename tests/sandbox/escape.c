/* escape.c: escapes and abuses tried from inside `gild sandbox`.
 *
 *   gild sandbox [limits] -- escape [--port N] [--unix PATH] [--abstract NAME]
 *                [--outside PATH] [--host-pid PID] [--suid PATH]
 *
 * Each attempt prints TAP "ok N - refused: what" or "not ok N - what: how
 * it got through"; tests/t/4010-sandbox-escape.sh runs it as root and as
 * an unprivileged user and checks every line, and the host side of the
 * attempts (the outside file untouched, the host process alive).
 * Other modes: `escape --listen DIR` (the host listeners: TCP on
 * 127.0.0.1, a unix socket DIR/host.sock, an abstract socket; prints the
 * port), `escape --daemon FILE` (leaves a daemon that writes FILE a
 * second later), `escape --euid` (prints the effective uid).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static struct {
	int port;
	const char *unix_path, *abstract, *outside, *suid;
	pid_t host_pid;
} opt;

static char how[256]; /* what got through, for "not ok" */

#define LEAK(...) (snprintf(how, sizeof(how), __VA_ARGS__), false)

/* A syscall "refused" means it failed; got through otherwise. */
static bool failed(long r, const char *call)
{
	if (r < 0)
		return true;
	return LEAK("%s succeeded", call);
}

/* ---- network ------------------------------------------------------------ */

static bool tcp_connect(const char *ip, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	inet_pton(AF_INET, ip, &sa.sin_addr);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

static bool host_loopback(void)
{
	if (!opt.port)
		return LEAK("no --port given");
	return tcp_connect("127.0.0.1", opt.port)
		   ? LEAK("connected to 127.0.0.1:%d", opt.port)
		   : true;
}

static bool outside_address(void)
{
	return tcp_connect("1.1.1.1", 53) ? LEAK("connected to 1.1.1.1:53")
					  : true;
}

static bool dns(void)
{
	struct addrinfo *ai = NULL;
	int r = getaddrinfo("example.org", "80", NULL, &ai);

	if (ai)
		freeaddrinfo(ai);
	return r == 0 ? LEAK("resolved example.org") : true;
}

static bool raw_socket(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	return failed(fd, "socket(AF_INET, SOCK_RAW)");
}

static bool packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	return failed(fd, "socket(AF_PACKET)");
}

/* RTM_NEWADDR 10.9.9.9/8 on lo; the kernel's ack carries the error. */
static bool netlink_addr(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		struct rtattr rta;
		struct in_addr addr;
	} req = {0};
	char buf[512];
	struct nlmsgerr *e;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;

	if (fd < 0)
		return true;
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = 8;
	req.ifa.ifa_index = if_nametoindex("lo");
	req.rta.rta_type = IFA_LOCAL;
	req.rta.rta_len = RTA_LENGTH(sizeof(struct in_addr));
	inet_pton(AF_INET, "10.9.9.9", &req.addr);
	if (send(fd, &req, sizeof(req), 0) < 0)
		return close(fd), true;
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*e)))
		return true;
	e = NLMSG_DATA((struct nlmsghdr *)buf);
	return e->error == 0 ? LEAK("RTM_NEWADDR was accepted") : true;
}

static bool unix_connect(const char *path, bool abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), r;

	if (abstract) {
		snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "%s", path);
		len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		len = sizeof(sa);
	}
	r = connect(fd, (struct sockaddr *)&sa, len);
	close(fd);
	return r == 0;
}

static bool host_unix_socket(void)
{
	if (!opt.unix_path)
		return LEAK("no --unix given");
	return unix_connect(opt.unix_path, false)
		   ? LEAK("connected to %s", opt.unix_path)
		   : true;
}

static bool host_abstract_socket(void)
{
	if (!opt.abstract)
		return LEAK("no --abstract given");
	return unix_connect(opt.abstract, true)
		   ? LEAK("connected to @%s", opt.abstract)
		   : true;
}

static bool host_net_devices(void)
{
	FILE *f = fopen("/proc/net/dev", "r");
	char line[256];
	int devs = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strchr(line, ':') && !strstr(line, "lo:"))
			devs++;
	if (f)
		fclose(f);
	return devs ? LEAK("%d devices besides lo", devs) : true;
}

/* ---- the file system ------------------------------------------------------
 */

static bool create_fails(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return true;
	close(fd);
	unlink(path);
	return LEAK("created %s", path);
}

static bool write_toolchain(void)
{
	return create_fails("/usr/bin/gild-escape");
}

static bool write_root(void)
{
	return create_fails("/gild-escape");
}

static bool overwrite_tool(void)
{
	int fd = open("/usr/bin/env", O_WRONLY | O_APPEND);
	return failed(fd, "open(/usr/bin/env, O_WRONLY)");
}

static bool read_shadow(void)
{
	return failed(open("/etc/shadow", O_RDONLY), "open(/etc/shadow)");
}

static bool read_root_home(void)
{
	DIR *d = opendir("/root");

	if (!d)
		return true;
	closedir(d);
	return LEAK("opened /root");
}

static bool symlink_out(void)
{
	const char *target = opt.outside ? opt.outside : "/nonexistent-outside";
	int fd;

	unlink("/build/link-out");
	if (symlink(target, "/build/link-out") < 0)
		return true;
	fd = open("/build/link-out", O_WRONLY | O_TRUNC);
	if (fd < 0)
		return true;
	write(fd, "escaped\n", 8);
	close(fd);
	return LEAK("wrote through /build/link-out -> %s", target);
}

static bool hardlink_out(void)
{
	if (link("/usr/bin/env", "/build/hardlink-out") < 0)
		return true;
	return LEAK("hard-linked /usr/bin/env into /build");
}

static bool mknod_dev(void)
{
	return failed(mknod("/build/null", S_IFCHR | 0666, makedev(1, 3)),
		      "mknod");
}

static bool remount(void)
{
	return failed(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL),
		      "remount /");
}

static bool do_umount(void)
{
	return failed(umount2("/proc", MNT_DETACH), "umount2(/proc)");
}

static bool do_pivot_root(void)
{
	return failed(syscall(SYS_pivot_root, "/tmp", "/tmp"), "pivot_root");
}

static bool do_chroot(void)
{
	return failed(chroot("/tmp"), "chroot");
}

static bool new_mount_api(void)
{
	return failed(syscall(SYS_fsopen, "tmpfs", 0), "fsopen") &&
	       failed(syscall(SYS_open_tree, AT_FDCWD, "/tmp",
			      1 /* OPEN_TREE_CLONE */),
		      "open_tree");
}

static bool inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self = d ? dirfd(d) : -1, extra = -1;

	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 2 && atoi(e->d_name) != self)
			extra = atoi(e->d_name);
	if (d)
		closedir(d);
	return extra >= 0 ? LEAK("fd %d was inherited", extra) : true;
}

static bool mknod_via_tmpfs_setuid(void)
{
	int fd = open("/tmp/suid", O_WRONLY | O_CREAT, 0755), r;

	if (fd < 0)
		return LEAK("cannot create /tmp/suid to test");
	r = fchmod(fd, 04755);
	close(fd);
	return failed(r, "fchmod(04755)") &&
	       failed(chmod("/tmp/suid", 02755), "chmod(02755)") &&
	       failed(syscall(SYS_fchmodat, AT_FDCWD, "/tmp/suid", 06755, 0),
		      "fchmodat(06755)");
}

/* A setuid binary of the host (owned by host root, bit set) must not give
 * its owner: nosuid binds and no_new_privs. */
static bool setuid_use(void)
{
	char out[32] = "";
	int p[2], ws;
	pid_t pid;

	if (!opt.suid)
		return LEAK("no --suid given");
	if (pipe(p) < 0 || (pid = fork()) < 0)
		return LEAK("pipe/fork failed");
	if (pid == 0) {
		dup2(p[1], 1);
		execl(opt.suid, opt.suid, "--euid", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	waitpid(pid, &ws, 0);
	if (atoi(out) == (int)geteuid() || !out[0])
		return true;
	return LEAK("setuid binary ran with euid %s", out);
}

static bool no_sys(void)
{
	return access("/sys/kernel", F_OK) < 0 ? true : LEAK("/sys is visible");
}

/* ---- processes and /proc ---------------------------------------------------
 */

static bool host_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 0)
			n++;
	if (d)
		closedir(d);
	if (opt.host_pid && kill(opt.host_pid, 0) == 0)
		return LEAK("host pid %d is visible", (int)opt.host_pid);
	return n > 20 ? LEAK("%d processes visible", n) : true;
}

static bool proc1_root(void)
{
	DIR *d = opendir("/proc/1/root");

	if (!d)
		return true;
	closedir(d);
	return LEAK("opened /proc/1/root");
}

static bool proc1_exe(void)
{
	return failed(open("/proc/1/exe", O_WRONLY),
		      "open(/proc/1/exe, O_WRONLY)");
}

static bool sysctl_write(void)
{
	return failed(open("/proc/sys/kernel/hostname", O_WRONLY),
		      "open(/proc/sys/kernel/hostname)") &&
	       failed(open("/proc/sys/kernel/core_pattern", O_WRONLY),
		      "open(core_pattern)");
}

static bool sysrq(void)
{
	return failed(open("/proc/sysrq-trigger", O_WRONLY),
		      "open(/proc/sysrq-trigger)");
}

static bool masked_proc(void)
{
	char buf[16];
	int fd = open("/proc/kcore", O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf));

	if (fd >= 0)
		close(fd);
	return n > 0 ? LEAK("read /proc/kcore") : true;
}

static bool kill_host(void)
{
	if (!opt.host_pid)
		return LEAK("no --host-pid given");
	return failed(kill(opt.host_pid, SIGKILL), "kill(host pid)");
}

static bool do_ptrace(void)
{
	pid_t pid = fork();
	long r;

	if (pid == 0) {
		pause();
		_exit(0);
	}
	r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return failed(r, "ptrace(PTRACE_ATTACH)") &&
	       failed(syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0,
			      0),
		      "process_vm_readv");
}

/* ---- privileges ------------------------------------------------------------
 */

static bool capabilities(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256], name[32];
	unsigned long long v;
	int nnp = 0, checked = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Cap%31[^:]: %llx", name, &v) == 2) {
			checked++;
			if (v)
				return fclose(f),
				       LEAK("Cap%s is %llx", name, v);
		}
		if (sscanf(line, "NoNewPrivs: %d", &nnp) == 1 && nnp != 1)
			return fclose(f), LEAK("NoNewPrivs is %d", nnp);
	}
	if (f)
		fclose(f);
	return checked == 5 && nnp == 1
		   ? true
		   : LEAK("cannot read the capability sets");
}

static bool new_userns(void)
{
	pid_t pid;

	if (unshare(CLONE_NEWUSER) == 0)
		return LEAK("unshare(CLONE_NEWUSER) succeeded");
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL,
			     NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		return waitpid(pid, NULL, 0),
		       LEAK("clone(CLONE_NEWUSER) succeeded");
	return true;
}

static bool clone3_newns(void)
{
	struct clone_args ca = {.flags = CLONE_NEWUSER | CLONE_NEWNS,
				.exit_signal = SIGCHLD};
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		return waitpid(pid, NULL, 0), LEAK("clone3 succeeded");
	return true;
}

static bool do_setns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY);

	return failed(setns(fd, 0), "setns");
}

/* The same unshare through the x32 and the i386 entry points: without a
 * filter for those ABIs they would pass. */
static bool other_abis(void)
{
	long r = syscall(0x40000000 | SYS_unshare, CLONE_NEWUSER);
	long r32;

	if (r == 0)
		return LEAK("x32 unshare succeeded");
	if (errno != EPERM && errno != ENOSYS)
		return LEAK("x32 unshare failed with %s, not EPERM",
			    strerror(errno));
	__asm__ volatile("int $0x80"
			 : "=a"(r32)
			 : "a"(310), "b"(CLONE_NEWUSER)
			 : "memory");
	if (r32 == 0)
		return LEAK("i386 unshare succeeded");
	return r32 == -EPERM || r32 == -ENOSYS
		   ? true
		   : LEAK("i386 unshare gave %ld", r32);
}

/* ---- kernel interfaces a build never needs ----------------------------------
 */

static bool eperm(long r, const char *call)
{
	if (r == 0 || r > 0)
		return LEAK("%s succeeded", call);
	return errno == EPERM
		   ? true
		   : LEAK("%s failed with %s, not EPERM (no filter?)", call,
			  strerror(errno));
}

static bool do_keyctl(void)
{
	return eperm(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
			     KEY_SPEC_SESSION_KEYRING, 0),
		     "keyctl") &&
	       eperm(syscall(SYS_add_key, "user", "gild", "x", 1,
			     KEY_SPEC_PROCESS_KEYRING),
		     "add_key");
}

static bool do_bpf(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	return eperm(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)),
		     "bpf");
}

static bool do_perf(void)
{
	struct perf_event_attr a = {.type = PERF_TYPE_SOFTWARE,
				    .size = sizeof(a),
				    .config = PERF_COUNT_SW_CPU_CLOCK};
	return eperm(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0),
		     "perf_event_open");
}

static bool do_userfaultfd(void)
{
	return eperm(syscall(SYS_userfaultfd, 0), "userfaultfd");
}

static bool do_io_uring(void)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	return eperm(syscall(SYS_io_uring_setup, 4, &p), "io_uring_setup");
}

static bool do_reboot(void)
{
	/* CAD_OFF is harmless should it ever get through */
	return eperm(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1,
			     LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF,
			     NULL),
		     "reboot");
}

static bool do_clock_settime(void)
{
	struct timespec ts;
	struct timeval tv;

	clock_gettime(CLOCK_REALTIME, &ts);
	gettimeofday(&tv, NULL);
	return eperm(clock_settime(CLOCK_REALTIME, &ts), "clock_settime") &&
	       eperm(settimeofday(&tv, NULL), "settimeofday");
}

static bool do_personality(void)
{
	int before = personality(0xffffffff);

	if (before < 0)
		return LEAK("personality query was refused");
	return eperm(personality(ADDR_NO_RANDOMIZE),
		     "personality(ADDR_NO_RANDOMIZE)") &&
	       eperm(personality(READ_IMPLIES_EXEC),
		     "personality(READ_IMPLIES_EXEC)") &&
	       eperm(
		   syscall(SYS_personality, 0x100000000ull | ADDR_NO_RANDOMIZE),
		   "personality with high bits");
}

static bool do_tiocsti(void)
{
	char c = 'x';
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);

	if (fd < 0)
		fd = 0;
	return eperm(ioctl(fd, TIOCSTI, &c), "ioctl(TIOCSTI)") &&
	       eperm(syscall(SYS_ioctl, fd, 0x100000000ull | TIOCSTI, &c),
		     "ioctl(TIOCSTI | 1<<32)") &&
	       eperm(ioctl(fd, TIOCLINUX, &c), "ioctl(TIOCLINUX)");
}

static bool modules_and_kexec(void)
{
	return eperm(syscall(SYS_init_module, NULL, 0, ""), "init_module") &&
	       eperm(syscall(SYS_kexec_load, 0, 0, NULL, 0), "kexec_load") &&
	       eperm(syscall(SYS_swapoff, "/tmp"), "swapoff") &&
	       eperm(syscall(SYS_acct, NULL), "acct") &&
	       eperm(syscall(SYS_syslog, 3, NULL, 0), "syslog");
}

static bool do_open_by_handle(void)
{
	char buf[sizeof(struct file_handle) + 128];
	struct file_handle *h = (struct file_handle *)buf;

	h->handle_bytes = 128;
	return eperm(syscall(SYS_open_by_handle_at, AT_FDCWD, h, O_RDONLY),
		     "open_by_handle_at");
}

/* ---- limits
 * ------------------------------------------------------------------ */

static bool fork_bomb(void)
{
	pid_t kids[4096];
	int n = 0, ws;
	bool stopped = false;

	for (; n < 4096; n++) {
		kids[n] = fork();
		if (kids[n] == 0) {
			pause();
			_exit(0);
		}
		if (kids[n] < 0) {
			stopped = true;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], &ws, 0);
	return stopped ? true : LEAK("forked %d processes", n);
}

/* Touch 1 GiB in a child: the memory limit must kill it or refuse it. */
static bool memory_hog(void)
{
	int ws;
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 64; i++) {
			char *p = malloc(16 << 20);
			if (!p)
				_exit(1);
			memset(p, i + 1, 16 << 20);
		}
		_exit(0);
	}
	waitpid(pid, &ws, 0);
	return WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? LEAK("touched 1 GiB")
						     : true;
}

static bool fill(const char *path, long max_mb)
{
	static char block[1 << 20];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long mb = 0;

	if (fd < 0)
		return LEAK("cannot create %s", path);
	signal(SIGXFSZ, SIG_IGN);
	for (; mb < max_mb; mb++)
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			break;
	close(fd);
	unlink(path);
	signal(SIGXFSZ, SIG_DFL);
	return mb < max_mb ? true : LEAK("wrote %ld MB to %s", mb, path);
}

static bool fill_tmp(void)
{
	return fill("/tmp/fill", 512);
}

static bool fill_build(void)
{
	return fill("/build/fill", 512);
}

/* ---- what leaks in from the host
 * ------------------------------------------------ */

static bool hostname_leak(void)
{
	struct utsname u;
	char h[256] = "";

	gethostname(h, sizeof(h));
	uname(&u);
	return strcmp(h, "localhost") == 0 &&
		       strcmp(u.nodename, "localhost") == 0
		   ? true
		   : LEAK("hostname is '%s'", h);
}

static bool environment_leak(void)
{
	static const char *const allowed[] = {"HOME=",
					      "LC_ALL=",
					      "LOGNAME=",
					      "PATH=",
					      "PWD=",
					      "SHLVL=",
					      "SOURCE_DATE_EPOCH=",
					      "TZ=",
					      "USER=",
					      "_=",
					      "OLDPWD="};
	for (char **e = environ; *e; e++) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed); i++)
			ok |= strncmp(*e, allowed[i], strlen(allowed[i])) == 0;
		if (!ok)
			return LEAK("'%s' leaked in", *e);
	}
	return true;
}

static bool timezone_leak(void)
{
	const char *tz = getenv("TZ");
	time_t t = 0;
	struct tm tm;

	localtime_r(&t, &tm);
	if (!tz || strcmp(tz, "UTC") != 0 || tm.tm_gmtoff != 0)
		return LEAK("TZ is '%s', offset %ld", tz ? tz : "",
			    tm.tm_gmtoff);
	return access("/etc/localtime", F_OK) == 0
		   ? LEAK("/etc/localtime is visible")
		   : true;
}

static bool user_leak(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = getenv("USER");

	if (!pw || strcmp(pw->pw_name, "builder") != 0 || !user ||
	    strcmp(user, "builder") != 0)
		return LEAK("user is '%s'/'%s'", pw ? pw->pw_name : "?",
			    user ? user : "");
	return getuid() == 1000 ? true : LEAK("uid is %d", (int)getuid());
}

static bool machine_id_leak(void)
{
	if (access("/etc/machine-id", F_OK) == 0 ||
	    access("/var/lib/dbus/machine-id", F_OK) == 0)
		return LEAK("a machine-id is visible");
	return true;
}

/* ---- the table
 * ---------------------------------------------------------------- */

static const struct attempt {
	const char *what;
	bool (*fn)(void);
} attempts[] = {
    {"connect to a host loopback listener", host_loopback},
    {"connect to an outside address", outside_address},
    {"resolve a name (DNS)", dns},
    {"open a raw socket", raw_socket},
    {"open a packet socket", packet_socket},
    {"add an address over netlink", netlink_addr},
    {"connect to a host unix socket path", host_unix_socket},
    {"connect to a host abstract unix socket", host_abstract_socket},
    {"see host network devices", host_net_devices},
    {"create a file in the toolchain root", write_toolchain},
    {"create a file in /", write_root},
    {"open a tool for writing", overwrite_tool},
    {"read /etc/shadow", read_shadow},
    {"read /root", read_root_home},
    {"write through a symlink out of the build dir", symlink_out},
    {"hard-link a file into the build dir", hardlink_out},
    {"mknod a device", mknod_dev},
    {"remount /", remount},
    {"umount /proc", do_umount},
    {"pivot_root", do_pivot_root},
    {"chroot", do_chroot},
    {"use the new mount API", new_mount_api},
    {"use an inherited fd", inherited_fds},
    {"see /sys", no_sys},
    {"see host processes", host_processes},
    {"open /proc/1/root", proc1_root},
    {"write /proc/1/exe", proc1_exe},
    {"write a sysctl", sysctl_write},
    {"write /proc/sysrq-trigger", sysrq},
    {"read /proc/kcore", masked_proc},
    {"set setuid/setgid bits", mknod_via_tmpfs_setuid},
    {"gain privileges from a setuid binary", setuid_use},
    {"keep a capability", capabilities},
    {"create a user namespace", new_userns},
    {"clone3 into new namespaces", clone3_newns},
    {"setns", do_setns},
    {"unshare through the x32 and i386 ABIs", other_abis},
    {"ptrace and process_vm_readv", do_ptrace},
    {"kill a host process", kill_host},
    {"keyctl and add_key", do_keyctl},
    {"bpf", do_bpf},
    {"perf_event_open", do_perf},
    {"userfaultfd", do_userfaultfd},
    {"io_uring_setup", do_io_uring},
    {"reboot", do_reboot},
    {"set the clock", do_clock_settime},
    {"change the personality", do_personality},
    {"inject input with TIOCSTI/TIOCLINUX", do_tiocsti},
    {"load modules, kexec, swapoff, acct, syslog", modules_and_kexec},
    {"open_by_handle_at", do_open_by_handle},
    {"fork bomb", fork_bomb},
    {"memory hog", memory_hog},
    {"fill /tmp", fill_tmp},
    {"fill the build dir", fill_build},
    {"see the host hostname", hostname_leak},
    {"see the host environment", environment_leak},
    {"see the host time zone", timezone_leak},
    {"see the host user name", user_leak},
    {"see the host machine-id", machine_id_leak},
};

/* ---- helper modes
 * ---------------------------------------------------------------- */

static int listen_mode(const char *dir)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct sockaddr_un su = {.sun_family = AF_UNIX},
			   sab = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(sa);
	int t = socket(AF_INET, SOCK_STREAM, 0),
	    u = socket(AF_UNIX, SOCK_STREAM, 0),
	    a = socket(AF_UNIX, SOCK_STREAM, 0);
	char name[64];

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	snprintf(su.sun_path, sizeof(su.sun_path), "%s/host.sock", dir);
	snprintf(name, sizeof(name), "gild-escape-%d", (int)getpid());
	memcpy(sab.sun_path + 1, name, strlen(name));
	if (bind(t, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(t, 16) < 0 ||
	    getsockname(t, (struct sockaddr *)&sa, &len) < 0 ||
	    bind(u, (struct sockaddr *)&su, sizeof(su)) < 0 ||
	    listen(u, 16) < 0 ||
	    bind(a, (struct sockaddr *)&sab,
		 offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)) <
		0 ||
	    listen(a, 16) < 0) {
		perror("escape --listen");
		return 1;
	}
	printf("%d %s\n", ntohs(sa.sin_port), name);
	fflush(stdout);
	for (;;)
		pause();
}

static int daemon_mode(const char *file)
{
	if (fork() != 0)
		return 0;
	setsid();
	if (fork() != 0)
		_exit(0);
	sleep(1);
	int fd = open(file, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		write(fd, "alive\n", 6);
	_exit(0);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			opt.port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--unix"))
			opt.unix_path = argv[i + 1];
		else if (!strcmp(argv[i], "--abstract"))
			opt.abstract = argv[i + 1];
		else if (!strcmp(argv[i], "--outside"))
			opt.outside = argv[i + 1];
		else if (!strcmp(argv[i], "--host-pid"))
			opt.host_pid = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--suid"))
			opt.suid = argv[i + 1];
		else {
			fprintf(stderr, "escape: unknown option '%s'\n",
				argv[i]);
			exit(2);
		}
	}
}

int main(int argc, char **argv)
{
	size_t n = sizeof(attempts) / sizeof(*attempts);
	int failures = 0;

	if (argc == 3 && !strcmp(argv[1], "--listen"))
		return listen_mode(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--daemon"))
		return daemon_mode(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--euid"))
		return printf("%d\n", (int)geteuid()) < 0;
	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		how[0] = 0;
		if (attempts[i].fn()) {
			printf("ok %zu - refused: %s\n", i + 1,
			       attempts[i].what);
		} else {
			printf("not ok %zu - %s: %s\n", i + 1, attempts[i].what,
			       how);
			failures++;
		}
	}
	return failures ? 1 : 0;
}
