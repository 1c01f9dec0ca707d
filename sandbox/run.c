/* run.c: sandbox_run(), carried out top-down (bubblewrap's main()).
 *
 *   gild (caller)                 child = pid 1 of the new namespaces
 *   -------------                 ------------------------------------
 *   clone(NEWUSER|NEWNS|...) ---> joins its cgroups; hostname,
 *                                  loopback; waits for "go"
 *   write uid_map/gid_map
 *   "go" ----------------------->  become inside root, build the root,
 *                                  new cgroup ns
 *                                  clone(VM|VFORK) -> the command's process:
 *                                             setsid, stdio, close fds,
 *                                             rlimits, drop privileges,
 *                                             seccomp (built in), exec
 *   wait with the timeout          reap every child; when the command
 *                                  ends, report its status and exit:
 *   read the status <------------  the kernel then kills everything
 *                                  left in the namespace (daemons too)
 *   read setup errors <----------------------- (error pipe, closed at exec)
 *
 * `gild sandbox -v` prints when each step ended (trace.c). */
#include "sandbox-impl.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

/* What the child needs; everything allocated before clone. */
struct child_args {
	const struct sandbox_spec *spec;
	const struct sandbox_ids *ids;
	const struct sandbox_sources *so;
	char **envp;
	const struct sandbox_trace *tr;
	bool have_mem_cgroup, have_pids_cgroup;
	int join_fd[2]; /* the groups' tasks files, opened by gild, or -1 */
	int sync_rd, err_wr, stat_wr;
	int rep_wr; /* the report channel's write end, or -1 */
	int *keep;  /* the fds pid 1 keeps: the pipes, stdio, the sources' */
	size_t n_keep;
};

/* The code an exec failure is reported with: not a setup failure, the
 * command's status becomes 127 as in a shell. */
#define EXEC_FAILED (-GILD_E_NOTFOUND)

/* The command's process runs on a stack of its own (spawn_command), which
 * AddressSanitizer takes for a stack overflow at every call of a
 * _Noreturn function and warns about on the command's stderr: the
 * functions on that path are left uninstrumented. */
#define ON_COMMAND_STACK __attribute__((no_sanitize_address))

ON_COMMAND_STACK
static _Noreturn void child_fail(const struct child_args *a,
				 const struct gild_err *err)
{
	ssize_t n = write(a->err_wr, err, sizeof(*err));

	(void)n;
	_exit(127);
}

static int bring_up_loopback(struct gild_err *err)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};

	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot read the loopback interface: %s",
				 strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot bring up the loopback interface: %s",
				 strerror(errno));
	return 0;
}

/* Hostname and loopback need the capabilities we have in our namespaces
 * from the start, not the id map: done while gild writes the map. */
static int setup_uts_and_net(const struct child_args *a, struct gild_err *err)
{
	if (sethostname("localhost", 9) < 0 || setdomainname("(none)", 6) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot set the hostname: %s",
				 strerror(errno));
	if (!a->spec->allow_net)
		return bring_up_loopback(err);
	return 0;
}

/* As root we mapped a range: become inside root so that the files we
 * create belong to a mapped id (an unmapped fsuid gets EOVERFLOW). */
static int become_inside_root(const struct child_args *a, struct gild_err *err)
{
	if (a->ids->privileged &&
	    (sandbox_setresgid(0) < 0 || sandbox_setresuid(0) < 0))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot become root in the user namespace: %s",
				 strerror(errno));
	return 0;
}

/* Our cgroups (with --mem/--nproc), joined first of all, while we are one
 * thread: writing "0" to a v1 group's tasks file moves the writing thread
 * alone, which needs no threadgroup lock, whereas moving a process by its
 * pid through cgroup.procs (as gild did) waits for an RCU grace period,
 * 10-20 ms at every start. gild opened the files: the kernel checks the
 * permission of the opener. Everything we start is born in them. */
static int join_cgroups(const struct child_args *a, struct gild_err *err)
{
	static const char *const names[] = {"memory", "pids"};

	for (size_t i = 0; i < GILD_ARRAY_SIZE(a->join_fd); i++)
		if (a->join_fd[i] >= 0 && write(a->join_fd[i], "0", 1) != 1)
			return gild_fail(err, -GILD_E_SANDBOX, NULL,
					 "cannot join the sandbox's %s cgroup: "
					 "%s",
					 names[i], strerror(errno));
	return 0;
}

/* The new cgroup namespace, so that our groups are the root of what the
 * sandbox sees; the command starts in them. */
static int enter_cgroup_ns(const struct child_args *a, struct gild_err *err)
{
	close(a->sync_rd);
	if (unshare(CLONE_NEWCGROUP) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot create the cgroup namespace: %s",
				 strerror(errno));
	return 0;
}

/* The report channel at fd 3, open across exec (a dup2 onto itself would
 * keep its close-on-exec flag). */
ON_COMMAND_STACK
static int setup_report_fd(const struct child_args *a)
{
	if (a->rep_wr < 0)
		return 0;
	if (a->rep_wr != 3)
		return dup2(a->rep_wr, 3) < 0 ? -1 : 0;
	return fcntl(3, F_SETFD, 0);
}

ON_COMMAND_STACK
static int setup_stdio(const struct child_args *a, struct gild_err *err)
{
	const struct sandbox_spec *s = a->spec;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	unsigned first = a->rep_wr >= 0 ? 4 : 3;

	if (null < 0 || dup2(null, 0) < 0 || dup2(s->out_fd, 1) < 0 ||
	    dup2(s->err_fd, 2) < 0 || setup_report_fd(a) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot set up stdin/stdout/stderr: %s",
				 strerror(errno));
	if (null > 3 || (null == 3 && a->rep_wr < 0))
		close(null);
	/* every other fd goes at exec, the error pipe with them */
	if (syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot close inherited fds: %s",
				 strerror(errno));
	return 0;
}

/* An ignored signal stays ignored across exec, and the mask is inherited:
 * a caller that ignores SIGPIPE or blocks SIGCHLD in its threads must not
 * pass that on to the build. The raw call, because glibc refuses to touch
 * its internal real-time signals (32, 33), which a caller may have had
 * ignored by its own parent. */
static void reset_signals(void)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = {0}; /* SIG_DFL */
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL,
				      sizeof(dfl.mask));
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

ON_COMMAND_STACK
static _Noreturn void run_command(const struct child_args *a)
{
	const struct sandbox_spec *s = a->spec;
	struct gild_err err = GILD_ERR_INIT;

	sandbox_trace_step(a->tr, "cmd", "started");
	if (setsid() < 0)
		gild_fail(&err, -GILD_E_SANDBOX, NULL, "cannot setsid: %s",
			  strerror(errno));
	else if (setup_stdio(a, &err) == 0 &&
		 sandbox_rlimits_apply(s, a->have_mem_cgroup,
				       a->have_pids_cgroup, &err) == 0 &&
		 sandbox_drop_privileges(s, a->ids, &err) == 0 &&
		 (sandbox_trace_step(a->tr, "cmd", "privileges dropped"), 1) &&
		 sandbox_seccomp_load(&err) == 0) {
		sandbox_trace_step(a->tr, "cmd", "seccomp loaded, exec");
		environ = a->envp;
		execvp(s->argv.v[0], s->argv.v);
		gild_fail(&err, EXEC_FAILED, NULL, "cannot run '%s': %s",
			  s->argv.v[0], strerror(errno));
	}
	child_fail(a, &err);
}

ON_COMMAND_STACK
static int command_main(void *arg)
{
	run_command(arg);
}

/* The command's process shares pid 1's memory until its exec
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): pid 1 sleeps meanwhile,
 * and the copy of gild's page tables that a fork made took 0.1-0.3 ms.
 * It runs on a stack of its own, from mmap (no malloc here: see
 * mounts.c), unmapped once it has exec'd or failed; 8 MB like a main
 * thread's, as execvp copies argv onto it for a script without "#!" (only
 * the pages touched cost anything). */
#define COMMAND_STACK_SIZE (8u << 20)

static pid_t spawn_command(const struct child_args *a)
{
	void *stack = mmap(NULL, COMMAND_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)
		return -1;
	pid = clone(command_main, (char *)stack + COMMAND_STACK_SIZE,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)a);
	munmap(stack, COMMAND_STACK_SIZE);
	return pid;
}

/* Kill whatever the command left (daemons, stray children) and reap it
 * all. kill(-1) from pid 1 reaches every other process of our pid
 * namespace and nothing outside it; a fork racing with it fails, as the
 * forking process has SIGKILL pending (copy_process). Orphans are
 * re-parented to us, so waiting until ECHILD waits for them all. */
static void end_the_rest(void)
{
	(void)kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) >= 0 || errno == EINTR)
		;
}

/* pid 1: reap everything; when the command ends, end every other process
 * in the namespace, then report the command's wait status and exit (the
 * kernel then tears the namespaces down). gild learns the status without
 * waiting for that teardown (see wait_status). */
static _Noreturn void reap(pid_t cmd, int stat_wr,
			   const struct sandbox_trace *tr)
{
	int ws = 0, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t p;

	if (null >= 0) {
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
	}
	for (;;) {
		p = waitpid(-1, &ws, 0);
		if (p == cmd)
			break;
		if (p < 0 && errno != EINTR)
			_exit(126);
	}
	sandbox_trace_step(tr, "pid1", "command ended");
	end_the_rest();
	sandbox_trace_step(tr, "pid1", "every other process ended");
	if (write(stat_wr, &ws, sizeof(ws)) != sizeof(ws))
		_exit(126);
	_exit(0);
}

/* Close every inherited fd but those in keep (n small, no allocation).
 * A caller running sandboxes from several threads would otherwise leak
 * the pipes of one run into another's pid 1, and the first run would
 * never see EOF on its error pipe. */
static void close_all_except(int *keep, size_t n)
{
	unsigned lo = 3;

	for (size_t i = 1; i < n; i++) /* insertion sort */
		for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1], keep[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)lo) {
			lo = keep[i] >= 3 ? (unsigned)keep[i] + 1 : lo;
			continue;
		}
		if ((unsigned)keep[i] > lo)
			(void)syscall(SYS_close_range, lo, keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	(void)syscall(SYS_close_range, lo, ~0u, 0);
}

/* A change of credentials (becoming inside root) clears the parent-death
 * signal (prctl(2)), so it is set again; the caller keeps the sync pipe
 * open for the whole run, so a hang-up there means it died in between. */
static void rearm_death_signal(const struct child_args *a)
{
	struct pollfd pfd = {a->sync_rd, POLLIN, 0};

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    poll(&pfd, 1, 0) < 0 || (pfd.revents & (POLLHUP | POLLERR)))
		_exit(127);
}

static _Noreturn void child_main(const struct child_args *a)
{
	struct gild_err err = GILD_ERR_INIT;
	char go;
	pid_t cmd;

	sandbox_trace_step(a->tr, "pid1", "cloned");
	if (join_cgroups(a, &err) < 0)
		child_fail(a, &err);
	close_all_except(a->keep, a->n_keep);
	/* pid 1 needs SIGCHLD at its default to reap; the command inherits
	 * the rest from here */
	reset_signals();
	/* die with gild; the sync read also catches a parent that died
	 * before the prctl */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(127);
	if (setup_uts_and_net(a, &err) < 0)
		child_fail(a, &err);
	sandbox_trace_step(a->tr, "pid1", "hostname, loopback");
	if (read(a->sync_rd, &go, 1) != 1)
		_exit(127);
	sandbox_trace_step(a->tr, "pid1", "go received");
	if (become_inside_root(a, &err) < 0)
		child_fail(a, &err);
	rearm_death_signal(a);
	sandbox_trace_step(a->tr, "pid1", "inside root");
	if (sandbox_setup_root(a->spec, a->so, a->tr, &err) < 0 ||
	    enter_cgroup_ns(a, &err) < 0)
		child_fail(a, &err);
	sandbox_trace_step(a->tr, "pid1", "cgroup ns");
	/* nobody inside may look into pid 1 (/proc/1/root, /proc/1/fd) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		gild_fail(&err, -GILD_E_SANDBOX, NULL,
			  "cannot make pid 1 non-dumpable: %s",
			  strerror(errno));
		child_fail(a, &err);
	}
	cmd = spawn_command(a);
	if (cmd < 0) {
		gild_fail(&err, -GILD_E_SANDBOX, NULL,
			  "cannot start the command's process: %s",
			  strerror(errno));
		child_fail(a, &err);
	}
	close(a->err_wr);
	reap(cmd, a->stat_wr, a->tr);
}

/* ---- the caller's side -------------------------------------------------- */

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* Refuse what cannot work before creating anything (a clear
 * error naming the path, never a weaker sandbox). */
static int check_spec(const struct sandbox_spec *s, struct gild_err *err)
{
	struct stat st;

	if (s->argv.n == 0)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "no command to run in the sandbox");
	if (s->root && (stat(s->root, &st) < 0 || !S_ISDIR(st.st_mode)))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "root '%s' is not a directory", s->root);
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].src && stat(s->mounts[i].src, &st) < 0)
			return gild_fail(err, -GILD_E_SANDBOX, NULL,
					 "bind source '%s' does not exist",
					 s->mounts[i].src);
	return 0;
}

static unsigned long clone_flags(const struct sandbox_spec *s)
{
	return CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
	       CLONE_NEWUTS | (s->allow_net ? 0 : CLONE_NEWNET);
}

struct run_state {
	pid_t pid;
	int sync[2], errp[2], statp[2];
	int rep[2]; /* the report channel (sandbox_spec_set_report) */
	struct gild_buf rep_in; /* what came on it, not yet a line */
	bool rep_skip;		/* dropping the rest of a cut line */
	struct sandbox_cgroup cg;
	struct sandbox_sources so;
	char **envp;
	struct sandbox_trace tr;
};

static void run_state_release(struct run_state *rs)
{
	if (rs->pid > 0) {
		kill(rs->pid, SIGKILL);
		waitpid(rs->pid, NULL, 0);
	}
	close_pair(rs->sync);
	close_pair(rs->errp);
	close_pair(rs->statp);
	close_pair(rs->rep);
	gild_buf_release(&rs->rep_in);
	sandbox_cgroup_destroy(&rs->cg);
	sandbox_trace_step(&rs->tr, "gild", "cleaned up");
	sandbox_sources_release(&rs->so);
	if (rs->envp)
		for (char **e = rs->envp; *e; e++)
			free(*e);
	free(rs->envp);
}

/* Allocated here: the child may not allocate (mounts.c). */
static int *child_keep_fds(const struct run_state *rs,
			   const struct sandbox_spec *s, size_t *n)
{
	int *keep = xcalloc(7 + rs->so.n + 1, sizeof(int));

	*n = 0;
	keep[(*n)++] = rs->sync[0];
	keep[(*n)++] = rs->errp[1];
	keep[(*n)++] = rs->statp[1];
	keep[(*n)++] = s->out_fd;
	keep[(*n)++] = s->err_fd;
	keep[(*n)++] = rs->tr.fd;
	keep[(*n)++] = rs->rep[1];
	for (size_t i = 0; i < rs->so.n; i++)
		if (rs->so.tree[i] >= 0)
			keep[(*n)++] = rs->so.tree[i];
	if (rs->so.root_tree >= 0)
		keep[(*n)++] = rs->so.root_tree;
	return keep;
}

static int start_child(struct run_state *rs, const struct sandbox_spec *s,
		       const struct sandbox_ids *ids, struct gild_err *err)
{
	_cleanup_free_ int *keep = NULL;
	struct child_args a = {
	    .spec = s,
	    .ids = ids,
	    .so = &rs->so,
	    .envp = rs->envp,
	    .tr = &rs->tr,
	    .have_mem_cgroup = rs->cg.mem_dir != NULL,
	    .have_pids_cgroup = rs->cg.pids_dir != NULL,
	    .join_fd = {-1, -1},
	};
	int r;

	if (pipe2(rs->sync, O_CLOEXEC) < 0 || pipe2(rs->errp, O_CLOEXEC) < 0 ||
	    pipe2(rs->statp, O_CLOEXEC) < 0 ||
	    (s->report && (pipe2(rs->rep, O_CLOEXEC) < 0 ||
			   fcntl(rs->rep[0], F_SETFL, O_NONBLOCK) < 0)))
		return gild_fail_errno(err, NULL, "cannot create pipes");
	/* the command writes a setup failure there until its exec, and fd 3
	 * is the report channel's: a pipe that got fd 3 moves up */
	if (s->report && rs->errp[1] == 3) {
		int up = fcntl(3, F_DUPFD_CLOEXEC, 4);
		if (up < 0)
			return gild_fail_errno(err, NULL,
					       "cannot create pipes");
		close(3);
		rs->errp[1] = up;
	}
	a.rep_wr = rs->rep[1];
	a.sync_rd = rs->sync[0];
	a.err_wr = rs->errp[1];
	a.stat_wr = rs->statp[1];
	a.keep = keep = child_keep_fds(rs, s, &a.n_keep);
	if ((r = sandbox_cgroup_open_tasks(&rs->cg, a.join_fd, err)) < 0)
		return r;
	/* raw clone: a fork that starts in the new namespaces (the child is
	 * pid 1 of the new pid namespace) */
	rs->pid = (pid_t)syscall(SYS_clone, clone_flags(s) | SIGCHLD, NULL,
				 NULL, NULL, NULL);
	if (rs->pid != 0)
		for (size_t i = 0; i < GILD_ARRAY_SIZE(a.join_fd); i++)
			if (a.join_fd[i] >= 0)
				close(a.join_fd[i]);
	if (rs->pid < 0) {
		rs->pid = 0;
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot create the sandbox namespaces (user, "
				 "mount, pid, ipc, uts%s): %s",
				 s->allow_net ? "" : ", net", strerror(errno));
	}
	if (rs->pid == 0)
		child_main(&a);
	sandbox_trace_step(&rs->tr, "gild", "cloned");
	/* sync[0] stays open: a child that failed before reading "go" must
	 * not turn our write into SIGPIPE */
	close(rs->errp[1]), close(rs->statp[1]);
	rs->errp[1] = rs->statp[1] = -1;
	if (rs->rep[1] >= 0)
		close(rs->rep[1]), rs->rep[1] = -1;
	return 0;
}

static int release_child(struct run_state *rs, const struct sandbox_ids *ids,
			 struct gild_err *err)
{
	int r;

	/* "g": the id maps are there. The write end stays open until the
	 * end: see rearm_death_signal. */
	if ((r = sandbox_ids_write(rs->pid, ids, err)) < 0)
		return r;
	if (write(rs->sync[1], "g", 1) != 1)
		return gild_fail_errno(err, NULL, "cannot start the sandbox");
	sandbox_trace_step(&rs->tr, "gild", "id maps written, go sent");
	return 0;
}

/* Setup errors wait in the error pipe; EOF means the command started.
 * Read once pid 1 has ended (its end kills every process in the
 * namespace, so no writer is left), not at exec: one wake-up of gild
 * fewer per start. */
static int read_setup_error(struct run_state *rs, struct gild_err *cerr)
{
	ssize_t n;

	do
		n = read(rs->errp[0], cerr, sizeof(*cerr));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*cerr) ? cerr->code : 0;
}

/* How the wait for the command's status ended. */
enum wait_end {
	WAIT_STATUS,  /* pid 1 reported the command's wait status */
	WAIT_NONE,    /* pid 1 ended without one (a setup error, killed) */
	WAIT_TIMEOUT, /* the deadline passed: pid 1 was killed */
};

/* Hand every complete line of the report channel to the caller; at the
 * end (last), also what is left without a newline. A line longer than
 * MAX_LINE is handed over cut, and the rest of it dropped up to its
 * newline. Nonblocking reads: the writers may still hold the pipe open.
 * Returns how many lines went to the caller. */
static size_t read_reports(const struct sandbox_spec *s, struct run_state *rs,
			   bool last)
{
	enum { MAX_LINE = 4096 };
	struct gild_buf *in = &rs->rep_in;
	char chunk[MAX_LINE];
	size_t used = 0, lines = 0;
	ssize_t n;

	while ((n = read(rs->rep[0], chunk, sizeof(chunk))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			gild_buf_add(in, chunk, (size_t)n);
	while (used < in->n) {
		char *start = in->p + used;
		char *nl = memchr(start, '\n', in->n - used);
		size_t len = nl ? (size_t)(nl - start) : in->n - used;
		if (!nl && !last && len <= MAX_LINE)
			break; /* the rest of the line comes later */
		if (!rs->rep_skip) {
			_cleanup_free_ char *line =
			    xstrndup(start, len > MAX_LINE ? MAX_LINE : len);
			s->report(s->report_ud, line);
			lines++;
		}
		/* a cut line's rest, up to its newline, is not a line */
		rs->rep_skip = !nl && !last;
		used += len + (nl != NULL);
	}
	if (used > 0) {
		memmove(in->p, in->p + used, in->n - used);
		in->n -= used;
	}
	return lines;
}

static void deadline_from_now(struct timespec *end, unsigned timeout)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += timeout;
}

/* pid 1 writes the command's wait status once the command and every other
 * process in the namespace have ended (reap); EOF when pid 1 ends without
 * writing it. Kill pid 1 at the deadline: its end kills the rest. Lines
 * on the report channel go to the caller meanwhile, each restarting the
 * deadline. */
static enum wait_end wait_status(const struct sandbox_spec *s,
				 struct run_state *rs, int *cmd_ws)
{
	struct pollfd pfd[2] = {{rs->statp[0], POLLIN, 0},
				{rs->rep[0], POLLIN, 0}};
	nfds_t nfd = rs->rep[0] >= 0 ? 2 : 1;
	struct timespec now, end;
	long ms = -1;
	ssize_t n;

	deadline_from_now(&end, s->timeout);
	for (;;) {
		if (s->timeout) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			ms = (end.tv_sec - now.tv_sec) * 1000 +
			     (end.tv_nsec - now.tv_nsec) / 1000000;
			if (ms <= 0) {
				kill(rs->pid, SIGKILL);
				if (rs->rep[0] >= 0)
					read_reports(s, rs, true);
				return WAIT_TIMEOUT;
			}
		}
		if (poll(pfd, nfd, (int)ms) <= 0)
			continue;
		if (nfd == 2 && pfd[1].revents) {
			/* a whole line is a step: the time restarts */
			if (read_reports(s, rs, false) > 0)
				deadline_from_now(&end, s->timeout);
			if (pfd[1].revents & (POLLHUP | POLLERR))
				nfd = 1;
		}
		if (pfd[0].revents)
			break;
	}
	if (rs->rep[0] >= 0)
		read_reports(s, rs, true);
	do
		n = read(rs->statp[0], cmd_ws, sizeof(*cmd_ws));
	while (n < 0 && errno == EINTR);
	sandbox_trace_step(&rs->tr, "gild", "status read");
	return n == (ssize_t)sizeof(*cmd_ws) ? WAIT_STATUS : WAIT_NONE;
}

static void reap_pid1(struct run_state *rs, int *ws)
{
	while (waitpid(rs->pid, ws, 0) < 0 && errno == EINTR)
		;
	sandbox_trace_step(&rs->tr, "gild", "pid 1 reaped");
	rs->pid = 0;
}

static void describe_signal(const struct sandbox_spec *s,
			    const struct run_state *rs, int sig,
			    struct sandbox_status *st)
{
	st->status = 128 + sig;
	st->end = SANDBOX_END_SIGNAL;
	if (sig == SIGKILL && sandbox_cgroup_oom_killed(&rs->cg)) {
		st->end = SANDBOX_END_MEMORY;
		snprintf(st->message, sizeof(st->message),
			 "killed by the memory limit (%llu MB)",
			 (unsigned long long)(s->mem >> 20));
	} else if (sig == SIGXFSZ) {
		st->end = SANDBOX_END_FSIZE;
		snprintf(st->message, sizeof(st->message),
			 "killed by the file size limit (%llu MB)",
			 (unsigned long long)(s->fsize >> 20));
	} else if (sig == SIGXCPU) {
		st->end = SANDBOX_END_CPU;
		snprintf(st->message, sizeof(st->message),
			 "killed by the CPU time limit");
	} else {
		snprintf(st->message, sizeof(st->message),
			 "killed by signal %d (%s)", sig, strsignal(sig));
	}
}

static void collect_status(const struct sandbox_spec *s, struct run_state *rs,
			   enum wait_end w, int ws, int pid1_ws,
			   struct sandbox_status *st)
{
	st->pids_limit_hit = sandbox_cgroup_pids_hit(&rs->cg);
	if (w == WAIT_TIMEOUT) {
		st->status = 128 + SIGKILL;
		st->end = SANDBOX_END_TIMEOUT;
		snprintf(st->message, sizeof(st->message),
			 "timed out after %u s; every process in the sandbox "
			 "was killed",
			 s->timeout);
	} else if (w == WAIT_STATUS && WIFEXITED(ws)) {
		st->status = WEXITSTATUS(ws);
		st->end = SANDBOX_END_EXIT;
	} else if (w == WAIT_STATUS && WIFSIGNALED(ws)) {
		describe_signal(s, rs, WTERMSIG(ws), st);
	} else if (WIFSIGNALED(pid1_ws)) {
		/* pid 1 itself was killed (from outside, or by the OOM killer)
		 */
		describe_signal(s, rs, WTERMSIG(pid1_ws), st);
	} else {
		st->status = 128 + SIGKILL;
		st->end = SANDBOX_END_SIGNAL;
		snprintf(st->message, sizeof(st->message),
			 "the sandbox ended without a status");
	}
	if (!st->message[0] && st->status != 0 &&
	    sandbox_cgroup_oom_killed(&rs->cg))
		snprintf(st->message, sizeof(st->message),
			 "the memory limit (%llu MB) killed a process",
			 (unsigned long long)(s->mem >> 20));
	if (!st->message[0] && st->status != 0 && st->pids_limit_hit)
		snprintf(st->message, sizeof(st->message),
			 "the process limit (%u) refused a fork", s->nproc);
}

int sandbox_run(const struct sandbox_spec *s, struct sandbox_status *st,
		struct gild_err *err)
{
	_cleanup_(run_state_release) struct run_state rs = {
	    .sync = {-1, -1},
	    .errp = {-1, -1},
	    .statp = {-1, -1},
	    .rep = {-1, -1},
	    .rep_in = GILD_BUF_INIT,
	    .so = {.root_tree = -1}};
	struct gild_err cerr = GILD_ERR_INIT;
	struct sandbox_ids ids;
	enum wait_end w;
	int r, ws = 0, pid1_ws = 0;

	memset(st, 0, sizeof(*st));
	sandbox_trace_start(&rs.tr, s->trace_fd);
	if ((r = check_spec(s, err)) < 0 ||
	    (r = sandbox_ids_resolve(s, &ids, err)) < 0)
		return r;
	sandbox_trace_step(&rs.tr, "gild", "ids resolved");
	rs.envp = sandbox_spec_envp(s);
	if ((r = sandbox_sources_resolve(s, &rs.so, err)) < 0 ||
	    (r = sandbox_cgroup_create(s, &rs.cg, err)) < 0)
		return r;
	if (rs.cg.mem_dir || rs.cg.pids_dir)
		sandbox_trace_step(&rs.tr, "gild", "cgroups made");
	if ((r = start_child(&rs, s, &ids, err)) < 0)
		return r;
	if ((r = release_child(&rs, &ids, err)) < 0) {
		/* pid 1 may have failed first (joining its cgroups): its
		 * reason, not the echo of it in ours */
		kill(rs.pid, SIGKILL);
		reap_pid1(&rs, &pid1_ws);
		if (read_setup_error(&rs, &cerr) < 0) {
			if (err)
				*err = cerr;
			return cerr.code;
		}
		return r;
	}
	/* the timeout counts from here: setup that hangs (a bind of a dead
	 * network mount) ends with it too */
	w = wait_status(s, &rs, &ws);
	/* every process of the sandbox but pid 1 has ended by now; pid 1's
	 * own end, where the kernel tears the namespaces down, is not
	 * waited for when the caller exits next (it would cost 0.2 ms),
	 * unless our cgroups are to be removed (they must be empty) */
	if (w != WAIT_STATUS || !s->caller_exits || rs.cg.mem_dir ||
	    rs.cg.pids_dir)
		reap_pid1(&rs, &pid1_ws);
	else
		rs.pid = 0;
	r = read_setup_error(&rs, &cerr);
	if (r < 0 && r != EXEC_FAILED) {
		if (err)
			*err = cerr;
		return r;
	}
	collect_status(s, &rs, w, ws, pid1_ws, st);
	if (r == EXEC_FAILED) {
		st->status = 127;
		st->end = SANDBOX_END_EXIT;
		snprintf(st->message, sizeof(st->message), "%s", cerr.msg);
	}
	return 0;
}
