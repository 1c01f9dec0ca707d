/* mounts.c: the sandbox's root, built from nothing.
 *
 * Runs in the child, pid 1 of the new pid namespace, with every capability
 * of its new user namespace. The order follows bubblewrap's
 * setup_newroot(): make every mount private, put a tmpfs over /tmp as a
 * scratch base, pivot_root into it (the host root is then at /oldroot),
 * build /newroot from binds of /oldroot/..., detach /oldroot and pivot a
 * second time so that nothing of the host that was not listed stays
 * reachable.
 *
 * The child runs between clone and exec of a caller that may have threads:
 * nothing here allocates (a malloc lock another thread held at clone time
 * would never be released in the child), so paths live in stack buffers
 * and the host paths are resolved by the caller beforehand
 * (sandbox_sources_resolve).
 *
 * As root, the caller also opens every source as a detached mount tree
 * (open_tree) before the user namespace exists, and the child attaches
 * those (move_mount): the mapped uid, an unprivileged host uid, then needs
 * no search permission on the directories above a source, so that a tree
 * in /root or in a 0700 mktemp -d directory builds as anywhere else
 * whatever the caller's umask. The child still resolves nothing of the host by
 * path but the tool directories and /dev nodes, which every uid may reach. */
#include "sandbox-impl.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#define BASE "/tmp"

/* Host tool directories bound read-only when there is no --root,
 * plus the two /etc entries the tools in /usr read (Debian's alternatives
 * symlinks and the loader cache). */
static const char *const host_tools[] = {
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc/alternatives",
    "/etc/ld.so.cache",
};

/* Docker's masked and read-only /proc paths (moby oci/defaults.go). */
static const char *const proc_masked[] = {
    "asound",	     "acpi",	      "kcore",	     "keys",
    "latency_stats", "timer_list",    "timer_stats", "sched_debug",
    "scsi",	     "sysrq-trigger", "kallsyms",
};
static const char *const proc_readonly[] = {"bus", "fs", "irq", "sys"};

static const char *const dev_nodes[] = {"null",	  "zero",    "full",
					"random", "urandom", "tty"};

/* Paths in messages as the caller names them: "/usr/x", not the
 * "/newroot/usr/x" the root is built under. */
static int fail_mount(struct gild_err *err, const char *what, const char *path)
{
	if (gild_startswith(path, "/newroot/"))
		path += strlen("/newroot");
	return gild_fail(err, -GILD_E_SANDBOX, NULL, "cannot %s '%s': %s", what,
			 path, strerror(errno));
}

typedef char path_t[PATH_MAX];

static int path_fmt(char *buf, struct gild_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int path_fmt(char *buf, struct gild_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(path_t), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(path_t))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "sandbox path '%.64s...' is too long", buf);
	return 0;
}

static int mkdir_p(const char *path, struct gild_err *err)
{
	char buf[PATH_MAX];

	/* most parents exist already: one call instead of one per level */
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "path '%s' is too long", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return fail_mount(err, "create directory", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return fail_mount(err, "create directory", buf);
	return 0;
}

/* A mount point for a file is an empty file; for anything else a dir. */
static int make_mountpoint(const char *path, bool is_file, struct gild_err *err)
{
	path_t parent;
	char *slash;
	int fd, r;

	if (!is_file)
		return mkdir_p(path, err);
	if ((r = path_fmt(parent, err, "%s", path)) < 0)
		return r;
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if ((r = mkdir_p(parent, err)) < 0)
			return r;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0 && errno != EEXIST)
		return fail_mount(err, "create mount point", path);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int write_text(const char *path, const char *text, struct gild_err *err)
{
	_cleanup_close_ int fd = -1;
	size_t n = strlen(text);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		return fail_mount(err, "write", path);
	return 0;
}

/* Per-mount flags that a user namespace may not clear (they are locked
 * from the host): keep them on every remount, as bubblewrap does. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

/* Attach SRC at DEST: the caller's detached tree when it made one, else a
 * bind of the path under /oldroot. */
static int attach_source(const char *src, int tree, const char *dest)
{
	char from[PATH_MAX];

	if (tree >= 0)
		return move_mount(tree, "", AT_FDCWD, dest,
				  MOVE_MOUNT_F_EMPTY_PATH);
	if (snprintf(from, sizeof(from), "/oldroot%s", src) >=
	    (int)sizeof(from))
		return errno = ENAMETOOLONG, -1;
	return mount(from, dest, NULL, MS_BIND, NULL);
}

/* The advice for a path the mapped uid cannot reach (only when the caller
 * is not root: as root every source is a detached tree). */
static int fail_bind(struct gild_err *err, const char *src, const char *dest)
{
	int e = errno;

	if (e == EACCES)
		return gild_fail(
		    err, -GILD_E_SANDBOX, NULL,
		    "cannot bind '%s' at '%s': %s (uid %u cannot search a "
		    "directory above it: give it search permission, or run as "
		    "root)",
		    src, dest, strerror(e), (unsigned)getuid());
	return gild_fail(err, -GILD_E_SANDBOX, NULL,
			 "cannot bind '%s' at '%s': %s", src, dest,
			 strerror(e));
}

/* Non-recursive on purpose (open_tree without AT_RECURSIVE, MS_BIND
 * without MS_REC): submounts of a source stay invisible rather than
 * writable. SRC is the host path, DEST under /newroot. */
static int bind_mount(const char *src, int tree, const char *dest,
		      unsigned long flags, struct gild_err *err)
{
	if (attach_source(src, tree, dest) < 0)
		return fail_bind(err, src, dest + strlen("/newroot"));
	flags |= locked_flags(dest) | MS_BIND | MS_REMOUNT;
	if (mount(NULL, dest, NULL, flags, NULL) < 0)
		return fail_mount(err, "remount", dest + strlen("/newroot"));
	return 0;
}

static int mount_tmpfs(const char *dest, uint64_t size, unsigned mode,
		       unsigned long flags, struct gild_err *err)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%llu,mode=%o",
		 (unsigned long long)size, mode);
	if (mount("tmpfs", dest, "tmpfs", flags, opts) < 0)
		return fail_mount(err, "mount a tmpfs at", dest);
	return 0;
}

/* The mount points every sandbox needs under TOP (the new root, or the
 * skeleton layer over a --root). */
static int make_skeleton(const struct sandbox_spec *s, const char *top,
			 const struct sandbox_sources *so, struct gild_err *err)
{
	static const char *const dirs[] = {"/proc", "/dev", "/tmp", "/etc"};
	path_t p;
	int r;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(dirs); i++)
		if ((r = path_fmt(p, err, "%s%s", top, dirs[i])) < 0 ||
		    (r = mkdir_p(p, err)) < 0)
			return r;
	for (size_t i = 0; i < s->n_mounts; i++)
		if ((r = path_fmt(p, err, "%s%s", top, s->mounts[i].dest)) <
			0 ||
		    (r = make_mountpoint(p, so->src[i] && so->is_file[i],
					 err)) < 0)
			return r;
	return 0;
}

static int write_etc(const struct sandbox_spec *s, const char *top,
		     struct gild_err *err)
{
	unsigned u = s->inside_uid, g = s->inside_gid;
	char user[128] = "", grp[64] = "", passwd[512], group[256];
	path_t pp, gp, hp;
	int r;

	if (u)
		snprintf(user, sizeof(user),
			 "builder:x:%u:%u:gild builder:%s:/bin/sh\n", u, g,
			 SANDBOX_HOME);
	if (g)
		snprintf(grp, sizeof(grp), "builder:x:%u:\n", g);
	snprintf(passwd, sizeof(passwd),
		 "root:x:0:0:root:/root:/bin/sh\n%s"
		 "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		 user);
	snprintf(group, sizeof(group), "root:x:0:\n%snogroup:x:65534:\n", grp);
	if ((r = path_fmt(pp, err, "%s/etc/passwd", top)) < 0 ||
	    (r = path_fmt(gp, err, "%s/etc/group", top)) < 0 ||
	    (r = path_fmt(hp, err, "%s/etc/hosts", top)) < 0 ||
	    (r = write_text(pp, passwd, err)) < 0 ||
	    (r = write_text(gp, group, err)) < 0)
		return r;
	return write_text(hp, "127.0.0.1\tlocalhost\n::1\tlocalhost\n", err);
}

/* Without --root: a tmpfs with the host's tool directories. A symlink
 * (/bin -> usr/bin on merged-/usr systems) is recreated, not followed. */
static int build_tool_root(struct gild_err *err)
{
	int r;

	if ((r = mount_tmpfs("/newroot", 1 << 20, 0755, MS_NOSUID | MS_NODEV,
			     err)) < 0)
		return r;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(host_tools); i++) {
		path_t src, dest, link;
		struct stat st;
		ssize_t n;

		if ((r = path_fmt(src, err, "/oldroot%s", host_tools[i])) < 0 ||
		    (r = path_fmt(dest, err, "/newroot%s", host_tools[i])) < 0)
			return r;
		if (lstat(src, &st) < 0)
			continue; /* optional: not every host has /lib32 */
		if (S_ISLNK(st.st_mode)) {
			n = readlink(src, link, sizeof(link) - 1);
			if (n < 0)
				return fail_mount(err, "read link", src);
			link[n] = 0;
			if (symlink(link, dest) < 0)
				return fail_mount(err, "create link", dest);
			continue;
		}
		if ((r = make_mountpoint(dest, !S_ISDIR(st.st_mode), err)) <
			0 ||
		    (r = bind_mount(host_tools[i], -1, dest,
				    MS_RDONLY | MS_NOSUID | MS_NODEV, err)) < 0)
			return r;
	}
	return 0;
}

/* Where overlayfs finds SRC, a lower directory: its detached tree
 * attached at AT in the scratch tmpfs (overlayfs takes lower directories
 * by path only), else its path under /oldroot. */
static int layer_source(const char *src, int tree, const char *at, char *out,
			struct gild_err *err)
{
	int r;

	if (tree < 0)
		return path_fmt(out, err, "/oldroot%s", src);
	if ((r = path_fmt(out, err, "%s", at)) < 0)
		return r;
	if (mkdir(out, 0700) < 0 ||
	    move_mount(tree, "", AT_FDCWD, out, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot attach '%s' in the sandbox: %s", src,
				 strerror(errno));
	return 0;
}

/* With --root: a read-only overlay of the skeleton layer (mount points,
 * synthetic /etc files) over the root, so that nothing is created in the
 * caller's tree and the root stays read-only. */
/* A system root's writes go to a tmpfs upper layer of size bytes. */
static int make_upper(uint64_t size, struct gild_err *err)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "mode=0755,size=%llu",
		 (unsigned long long)size);
	if (mkdir("/rw", 0755) < 0 ||
	    mount("tmpfs", "/rw", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0 ||
	    mkdir("/rw/upper", 0755) < 0 || mkdir("/rw/work", 0755) < 0)
		return fail_mount(err, "prepare the writable layer at", "/rw");
	return 0;
}

static int build_overlay_root(const char *root, int tree, bool system,
			      uint64_t rw_size, struct gild_err *err)
{
	char opts[PATH_MAX + 96];
	path_t lower;
	int r;

	if (strpbrk(root, ":,\\"))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "root '%s' holds ':', ',' or '\\'", root);
	if (system && (r = make_upper(rw_size, err)) < 0)
		return r;
	if ((r = layer_source(root, tree, "/root-tree", lower, err)) < 0 ||
	    (r = path_fmt(opts, err,
			  system ? "lowerdir=/skel:%s,upperdir=/rw/upper,"
				   "workdir=/rw/work"
				 : "lowerdir=/skel:%s",
			  lower)) < 0)
		return r;
	if (mount("overlay", "/newroot", "overlay",
		  (system ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV, opts) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot mount the root '%s' (overlayfs): %s",
				 root, strerror(errno));
	return 0;
}

/* A bare bind, no remount: nosuid and noexec mean nothing on a device
 * node (exec refuses anything but a regular file, so a set-id bit on it
 * grants nothing), and the nodes must stay writable; the tmpfs around
 * them is remounted read-only, nosuid, noexec below. A remount each (as
 * bubblewrap does) cost 12 system calls per start. */
static int bind_dev_node(const char *name, struct gild_err *err)
{
	path_t src, dest;
	int fd, r;

	if ((r = path_fmt(src, err, "/oldroot/dev/%s", name)) < 0 ||
	    (r = path_fmt(dest, err, "/newroot/dev/%s", name)) < 0)
		return r;
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0444);
	if (fd < 0)
		return fail_mount(err, "create mount point", dest);
	close(fd);
	if (mount(src, dest, NULL, MS_BIND, NULL) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot bind '/dev/%s': %s", name,
				 strerror(errno));
	return 0;
}

static int setup_dev(struct gild_err *err)
{
	int r;

	if ((r = mount_tmpfs("/newroot/dev", 64 << 10, 0755,
			     MS_NOSUID | MS_NOEXEC, err)) < 0)
		return r;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(dev_nodes); i++)
		if ((r = bind_dev_node(dev_nodes[i], err)) < 0)
			return r;
	if (mkdir("/newroot/dev/pts", 0755) < 0 ||
	    mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0)
		return fail_mount(err, "mount devpts at", "/dev/pts");
	if (mkdir("/newroot/dev/shm", 01777) < 0 ||
	    (r = mount_tmpfs("/newroot/dev/shm", 64 << 20, 01777,
			     MS_NOSUID | MS_NODEV, err)) < 0)
		return r < 0 ? r : fail_mount(err, "create", "/dev/shm");
	if (symlink("pts/ptmx", "/newroot/dev/ptmx") < 0 ||
	    symlink("/proc/self/fd", "/newroot/dev/fd") < 0 ||
	    symlink("/proc/self/fd/0", "/newroot/dev/stdin") < 0 ||
	    symlink("/proc/self/fd/1", "/newroot/dev/stdout") < 0 ||
	    symlink("/proc/self/fd/2", "/newroot/dev/stderr") < 0)
		return fail_mount(err, "create links in", "/dev");
	/* nothing new may appear in /dev; the nodes stay writable */
	if (mount(NULL, "/newroot/dev", NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
		  NULL) < 0)
		return fail_mount(err, "remount", "/dev");
	return 0;
}

static int mask_proc_entry(const char *name, struct gild_err *err)
{
	struct stat st;
	path_t p;
	int r;

	if ((r = path_fmt(p, err, "/newroot/proc/%s", name)) < 0)
		return r;
	if (lstat(p, &st) < 0)
		return 0; /* not in this kernel */
	if (S_ISDIR(st.st_mode))
		return mount_tmpfs(p, 4096, 0555,
				   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				   err);
	if (mount("/oldroot/dev/null", p, NULL, MS_BIND, NULL) < 0)
		return fail_mount(err, "mask", p + strlen("/newroot"));
	return 0;
}

static int setup_proc(struct gild_err *err)
{
	int r;

	if (mount("proc", "/newroot/proc", "proc",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail_mount(err, "mount", "/proc");
	for (size_t i = 0; i < GILD_ARRAY_SIZE(proc_readonly); i++) {
		path_t p;
		if ((r = path_fmt(p, err, "/newroot/proc/%s",
				  proc_readonly[i])) < 0)
			return r;
		if (access(p, F_OK) < 0)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, p, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
			      MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return fail_mount(err, "make read-only",
					  p + strlen("/newroot"));
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(proc_masked); i++)
		if ((r = mask_proc_entry(proc_masked[i], err)) < 0)
			return r;
	return 0;
}

static bool has_mount_at(const struct sandbox_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].dest, dest) == 0)
			return true;
	return false;
}

/* A read-only overlay of SRC over what DEST shows now: overlayfs looks
 * its lower directories up before mounting, so DEST may be one of them.
 * N numbers the layer's place in the scratch tmpfs. */
static int mount_layer(const char *src, int tree, size_t n, const char *dest,
		       struct gild_err *err)
{
	char opts[2 * PATH_MAX + 16], at[32];
	path_t from;
	int r;

	snprintf(at, sizeof(at), "/layer%zu", n);
	if ((r = layer_source(src, tree, at, from, err)) < 0)
		return r;
	if (snprintf(opts, sizeof(opts), "lowerdir=%s:%s", from, dest) >=
	    (int)sizeof(opts))
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "layer path '%s' is too long", dest);
	if (mount("overlay", dest, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV,
		  opts) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot lay '%s' over '%s' (overlayfs): %s",
				 src, dest + strlen("/newroot"),
				 strerror(errno));
	return 0;
}

static int setup_user_mount(const struct sandbox_mount *m,
			    const struct sandbox_sources *so, size_t i,
			    struct gild_err *err)
{
	path_t dest;
	int r;

	if ((r = path_fmt(dest, err, "/newroot%s", m->dest)) < 0)
		return r;

	switch (m->kind) {
	case SANDBOX_MOUNT_TMPFS:
		return mount_tmpfs(dest, m->size, 01777, MS_NOSUID | MS_NODEV,
				   err);
	case SANDBOX_MOUNT_RO:
		return bind_mount(so->src[i], so->tree[i], dest,
				  MS_RDONLY | MS_NOSUID | MS_NODEV, err);
	case SANDBOX_MOUNT_RW:
		return bind_mount(so->src[i], so->tree[i], dest,
				  MS_NOSUID | MS_NODEV, err);
	case SANDBOX_MOUNT_LAYER:
		return mount_layer(so->src[i], so->tree[i], i, dest, err);
	}
	return 0;
}

static int pivot_into_base(struct gild_err *err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail_mount(err, "make private", "/");
	if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV,
		  "size=1m,mode=0700") < 0)
		return fail_mount(err, "mount the scratch tmpfs at", BASE);
	if (chdir(BASE) < 0 || mkdir("newroot", 0755) < 0 ||
	    mkdir("oldroot", 0755) < 0 || mkdir("skel", 0755) < 0)
		return fail_mount(err, "prepare", BASE);
	if (syscall(SYS_pivot_root, BASE, "oldroot") < 0 || chdir("/") < 0)
		return fail_mount(err, "pivot_root into", BASE);
	return 0;
}

/* Make /newroot the root: pivot_root(".", ".") stacks the scratch root on
 * top of it, and one lazy unmount drops the scratch root together with
 * the host's tree mounted under its /oldroot. One, not two as bubblewrap
 * does (it detaches /oldroot first): every unmount waits for an RCU grace
 * period (namespace_unlock), 0.1 ms when idle and milliseconds under
 * load. */
static int pivot_into_newroot(const struct sandbox_spec *s,
			      struct gild_err *err)
{
	if (chdir("/newroot") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return fail_mount(err, "pivot_root into", "/newroot");
	if (!s->root &&
	    mount(NULL, "/", NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0)
		return fail_mount(err, "remount read-only", "/");
	if (chdir(s->cwd ? s->cwd : "/") < 0)
		return fail_mount(err, "enter", s->cwd ? s->cwd : "/");
	return 0;
}

/* Resolve a host path the way the caller sees it (bubblewrap resolves
 * sources before pivoting too), so absolute symlinks keep working. */
static int resolve_source(const char *src, char **out, bool *is_file,
			  struct gild_err *err)
{
	char buf[PATH_MAX];
	struct stat st;

	if (!realpath(src, buf) || stat(buf, &st) < 0)
		return gild_fail(err, -GILD_E_SANDBOX, NULL,
				 "cannot bind '%s': %s", src, strerror(errno));
	*is_file = !S_ISDIR(st.st_mode);
	*out = xstrdup(buf);
	return 0;
}

void sandbox_sources_release(struct sandbox_sources *so)
{
	for (size_t i = 0; i < so->n; i++) {
		free(so->src[i]);
		if (so->tree && so->tree[i] >= 0)
			close(so->tree[i]);
	}
	if (so->root && so->root_tree >= 0)
		close(so->root_tree);
	free(so->src);
	free(so->is_file);
	free(so->tree);
	free(so->root);
	memset(so, 0, sizeof(*so));
	so->root_tree = -1;
}

/* PATH as a detached copy of its mount (no submounts), or -1 when we may
 * not make one (not root in our mount namespace: the mapped uid is then
 * the caller's own, who reaches PATH as well as we do) or the kernel
 * predates open_tree (5.2). */
static int open_source_tree(const char *path, int *tree, struct gild_err *err)
{
	*tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (*tree >= 0 || errno == EPERM || errno == ENOSYS)
		return 0;
	return gild_fail(err, -GILD_E_SANDBOX, NULL, "cannot bind '%s': %s",
			 path, strerror(errno));
}

int sandbox_sources_resolve(const struct sandbox_spec *s,
			    struct sandbox_sources *so, struct gild_err *err)
{
	bool dummy;
	int r;

	so->n = s->n_mounts;
	so->src = xcalloc(so->n + 1, sizeof(char *));
	so->is_file = xcalloc(so->n + 1, sizeof(bool));
	so->tree = xcalloc(so->n + 1, sizeof(int));
	so->root_tree = -1;
	for (size_t i = 0; i < so->n; i++)
		so->tree[i] = -1;
	for (size_t i = 0; i < so->n; i++) {
		if (!s->mounts[i].src)
			continue;
		if ((r = resolve_source(s->mounts[i].src, &so->src[i],
					&so->is_file[i], err)) < 0 ||
		    (r = open_source_tree(so->src[i], &so->tree[i], err)) < 0)
			return r;
		/* a layer's path goes into overlayfs' option string: checked
		 * again as resolved, since a link on the way may add a ',' */
		if (s->mounts[i].kind == SANDBOX_MOUNT_LAYER &&
		    strpbrk(so->src[i], ":,\\"))
			return gild_fail(
			    err, -GILD_E_SANDBOX, NULL,
			    "layer '%s' resolves to '%s', which holds "
			    "':', ',' or '\\'",
			    s->mounts[i].src, so->src[i]);
	}
	if (s->root &&
	    ((r = resolve_source(s->root, &so->root, &dummy, err)) < 0 ||
	     (r = open_source_tree(so->root, &so->root_tree, err)) < 0))
		return r;
	return 0;
}

/* The new root: an overlay of the skeleton over --root, or a tmpfs with
 * the host's tools; both with the mount points and /etc files. */
static int build_root(const struct sandbox_spec *s,
		      const struct sandbox_sources *so, struct gild_err *err)
{
	int r;

	if (s->root) {
		if ((r = make_skeleton(s, "/skel", so, err)) < 0 ||
		    (!s->system && (r = write_etc(s, "/skel", err)) < 0))
			return r;
		return build_overlay_root(so->root, so->root_tree, s->system,
					  s->rw_size, err);
	}
	if ((r = build_tool_root(err)) < 0 ||
	    (r = make_skeleton(s, "/newroot", so, err)) < 0)
		return r;
	return write_etc(s, "/newroot", err);
}

static int setup_tmp(const struct sandbox_spec *s, struct gild_err *err)
{
	if (has_mount_at(s, "/tmp"))
		return 0; /* the caller's --tmpfs or bind */
	return mount_tmpfs("/newroot/tmp", SANDBOX_TMP_SIZE, 01777,
			   MS_NOSUID | MS_NODEV, err);
}

static int setup_user_mounts(const struct sandbox_spec *s,
			     const struct sandbox_sources *so,
			     struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < s->n_mounts; i++)
		if ((r = setup_user_mount(&s->mounts[i], so, i, err)) < 0)
			return r;
	return 0;
}

/* bubblewrap's setup_newroot order: what the caller lists goes last, so
 * that it may cover our defaults (/tmp) but not /dev or /proc (spec.c
 * refuses those). */
/* The directories and files made here get the modes written here, not
 * the caller's umask (a hardened host's 077 would make /dev and the mount
 * points unreachable for a build user who is not inside root). */
static int setup_root_steps(const struct sandbox_spec *s,
			    const struct sandbox_sources *so,
			    const struct sandbox_trace *tr,
			    struct gild_err *err)
{
	int r;

	if ((r = pivot_into_base(err)) < 0)
		return r;
	sandbox_trace_step(tr, "pid1", "pivoted into the scratch tmpfs");
	if ((r = build_root(s, so, err)) < 0)
		return r;
	sandbox_trace_step(tr, "pid1", "root and /etc built");
	if ((r = setup_dev(err)) < 0)
		return r;
	sandbox_trace_step(tr, "pid1", "/dev built");
	if ((r = setup_proc(err)) < 0)
		return r;
	sandbox_trace_step(tr, "pid1", "/proc mounted and masked");
	if ((r = setup_tmp(s, err)) < 0 ||
	    (r = setup_user_mounts(s, so, err)) < 0)
		return r;
	sandbox_trace_step(tr, "pid1", "/tmp and caller's mounts");
	if ((r = pivot_into_newroot(s, err)) < 0)
		return r;
	sandbox_trace_step(tr, "pid1", "pivoted into the new root");
	return 0;
}

int sandbox_setup_root(const struct sandbox_spec *s,
		       const struct sandbox_sources *so,
		       const struct sandbox_trace *tr, struct gild_err *err)
{
	mode_t caller_umask = umask(022);
	int r = setup_root_steps(s, so, tr, err);

	/* the command gets the caller's umask back */
	umask(caller_umask);
	return r;
}
