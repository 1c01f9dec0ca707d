/* image-steps.c: the role's text applied to the staging root, each step
 * named as the origin of what it writes: the role's files, users and
 * groups, services, sysctl.conf, fstab, hostname, an empty machine-id and
 * the loader cache where the libc needs one. */
#include "image-impl.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files/ and files.list ------------------------------------------ */

static int copy_file(const char *src, const char *dst, unsigned mode,
		     struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	size_t n;
	int r;

	if ((r = gild_read_file(src, &text, &n, err)) < 0)
		return r;
	if (unlink(dst) < 0 && errno != ENOENT)
		return gild_fail_errno(err, dst, "cannot replace");
	if ((r = gild_atomic_open(&af, AT_FDCWD, dst, mode, err)) < 0)
		return r;
	fwrite(text, 1, n, af.f);
	if ((r = gild_atomic_commit(&af, err)) < 0)
		return r;
	if (chmod(dst, mode) < 0 || lchown(dst, 0, 0) < 0)
		return gild_fail_errno(err, dst, "cannot set the owner of");
	return 0;
}

/* One node's files/ over the root: directories 0755, files 0644 (0755
 * when executable in the tree), links as they are, all root:root until
 * files.list says otherwise. */
static int copy_tree(struct image *im, const char *src, const char *ipath,
		     const char *step, struct gild_err *err)
{
	DIR *d = opendir(src);
	struct dirent *de;
	int r = 0;

	if (!d)
		return gild_fail_errno(err, src, "cannot read directory");
	while (r == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *s = gild_path_join(src, de->d_name);
		_cleanup_free_ char *ip = xasprintf("%s/%s", ipath, de->d_name);
		_cleanup_free_ char *h = image_host_path(im, ip);
		struct stat st;
		if (lstat(s, &st) < 0) {
			r = gild_fail_errno(err, s, "cannot stat");
			break;
		}
		if ((r = image_check_parents(im, ip, err)) < 0)
			break;
		if (S_ISDIR(st.st_mode)) {
			struct stat hs;
			if (lstat(h, &hs) < 0) {
				if (mkdir(h, 0755) < 0 || chmod(h, 0755) < 0)
					r = gild_fail_errno(err, h,
							    "cannot create");
				else
					image_step_file(im, ip, step);
			}
			if (r == 0)
				r = copy_tree(im, s, ip, step, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(s, target, sizeof(target) - 1);
			if (n < 0) {
				r = gild_fail_errno(err, s, "cannot read link");
				break;
			}
			target[n] = '\0';
			(void)unlink(h);
			if (symlink(target, h) < 0)
				r = gild_fail_errno(err, h,
						    "cannot create link");
			else
				image_step_file(im, ip, step);
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file(s, h, (st.st_mode & 0111) ? 0755 : 0644,
				      err);
			if (r == 0)
				image_step_file(im, ip, step);
		} else {
			r = gild_fail(err, -GILD_E_INVALID, NULL,
				      "'%s': only files, directories and links "
				      "go into an image",
				      s);
		}
	}
	closedir(d);
	return r;
}

/* files.list: "PATH MODE OWNER:GROUP" per line, for what is not
 * root:root 0644/0755 (names resolved in the image's passwd/group). */
static int lookup_id(struct image *im, const char *file, const char *name,
		     unsigned *id, struct gild_err *err);

static int apply_files_list(struct image *im, struct gild_err *err)
{
	_cleanup_(role_lines_release) struct role_lines l = {0};
	int r;

	if ((r = image_role_lines(im, "files.list", &l, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		char path[4096], owner[256];
		unsigned mode, uid = 0, gid = 0;
		struct gild_loc loc = {l.v[i].file, l.v[i].line, 1};
		if (sscanf(l.v[i].text, "%4095s %o %255s", path, &mode,
			   owner) != 3 ||
		    path[0] != '/' || mode > 07777 || !strchr(owner, ':'))
			return gild_fail(
			    err, -GILD_E_SYNTAX, &loc,
			    "expected 'PATH MODE USER:GROUP' "
			    "(e.g. '/etc/app.conf 0640 root:app')");
		*strchr(owner, ':') = '\0';
		const char *group = owner + strlen(owner) + 1;
		if ((r = lookup_id(im, "/etc/passwd", owner, &uid, err)) < 0 ||
		    (r = lookup_id(im, "/etc/group", group, &gid, err)) < 0) {
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			return gild_fail(err, -GILD_E_INVALID, &loc, "%s", msg);
		}
		_cleanup_free_ char *h = image_host_path(im, path);
		struct stat st;
		if ((r = image_check_parents(im, path, err)) < 0)
			return r;
		if (lstat(h, &st) == 0 && S_ISLNK(st.st_mode))
			return gild_fail(err, -GILD_E_INVALID, &loc,
					 "'%s' is a link; files.list sets the "
					 "mode of files and directories only",
					 path);
		if (lchown(h, uid, gid) < 0 || chmod(h, mode) < 0)
			return gild_fail_errno(err, h,
					       "files.list: cannot apply to");
	}
	return 0;
}

static int role_files(struct image *im, struct gild_err *err)
{
	int r;

	for (size_t i = 0; i < im->role.nodes.n; i++) {
		_cleanup_free_ char *src =
		    gild_path_join(im->role.nodes.v[i], "files");
		_cleanup_free_ char *step = xasprintf(
		    "role files (%s)", strrchr(im->role.nodes.v[i], '/') + 1);
		struct stat st;
		if (stat(src, &st) < 0)
			continue;
		if ((r = copy_tree(im, src, "", step, err)) < 0)
			return r;
	}
	return 0;
}

/* ---- users and groups ------------------------------------------------ */

struct acct {
	char *name;
	unsigned id;
	char *rest; /* passwd: "x:UID:GID:GECOS:HOME:SHELL" fields after the
		       name; group: "x:GID:MEMBERS" */
};

struct accts {
	struct acct *v;
	size_t n, cap;
};

static void accts_release(struct accts *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].rest);
	}
	free(a->v);
}

static void accts_releasep(struct accts *a)
{
	accts_release(a);
}

static struct acct *acct_find(struct accts *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, name))
			return &a->v[i];
	return NULL;
}

static void acct_set(struct accts *a, const char *name, unsigned id, char *rest)
{
	struct acct *e = acct_find(a, name);

	if (!e) {
		gild_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v));
		e = &a->v[a->n++];
		e->name = xstrdup(name);
	} else {
		free(e->rest);
	}
	e->id = id;
	e->rest = rest;
}

/* passwd or group of the image as packages left it. */
static int read_accts(struct image *im, const char *path, struct accts *a,
		      struct gild_err *err)
{
	_cleanup_free_ char *h = image_host_path(im, path);
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r = gild_read_file(h, &text, &n, err);

	if (r == -ENOENT) {
		gild_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *colon = strchr(line, ':');
		if (!colon || !*line)
			continue;
		*colon = '\0';
		unsigned id = 0;
		const char *f = strchr(colon + 1, ':');
		if (f)
			id = (unsigned)strtoul(f + 1, NULL, 10);
		acct_set(a, line, id, xstrdup(colon + 1));
	}
	return 0;
}

static int lookup_id(struct image *im, const char *file, const char *name,
		     unsigned *id, struct gild_err *err)
{
	_cleanup_(accts_releasep) struct accts a = {0};
	int r = read_accts(im, file, &a, err);
	struct acct *e;

	if (r < 0)
		return r;
	e = acct_find(&a, name);
	if (e)
		*id = e->id;
	if (!e && strspn(name, "0123456789") == strlen(name) && *name) {
		*id = (unsigned)strtoul(name, NULL, 10);
		return 0;
	}
	return e ? 0
		 : gild_fail(err, -GILD_E_NOTFOUND, NULL,
			     "'%s' is not in the image's %s", name, file);
}

static int cmp_acct(const void *a, const void *b)
{
	const struct acct *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int write_accts(struct image *im, const char *path, struct accts *a,
		       unsigned mode, struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;

	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), cmp_acct);
	for (size_t i = 0; i < a->n; i++)
		gild_buf_printf(&b, "%s:%s\n", a->v[i].name, a->v[i].rest);
	return image_write_file(im, path, gild_buf_str(&b), mode,
				"users and groups", err);
}

/* groups: "NAME GID" per line. */
static int role_groups(struct image *im, struct accts *groups,
		       struct gild_err *err)
{
	_cleanup_(role_lines_release) struct role_lines l = {0};
	int r;

	if ((r = image_role_lines(im, "groups", &l, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		char name[64];
		unsigned gid;
		struct gild_loc loc = {l.v[i].file, l.v[i].line, 1};
		if (sscanf(l.v[i].text, "%63s %u", name, &gid) != 2)
			return gild_fail(err, -GILD_E_SYNTAX, &loc,
					 "expected 'NAME GID'");
		acct_set(groups, name, gid, xasprintf("x:%u:", gid));
	}
	return 0;
}

/* A user's home with its authorized_keys (the key file's path is relative
 * to the role directory that names it). */
static int make_home(struct image *im, const char *home, unsigned uid,
		     unsigned gid, const char *keyfile,
		     const struct role_line *rl, struct gild_err *err)
{
	_cleanup_free_ char *h = image_host_path(im, home);
	struct stat st;
	bool existed;
	int r;

	if ((r = image_check_parents(im, home, err)) < 0)
		return r;
	existed = lstat(h, &st) == 0;
	if (existed && !S_ISDIR(st.st_mode))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "home '%s' is in the image and not a "
				 "directory",
				 home);
	if ((r = image_mkdirs(im, home, 0700, "users and groups", err)) < 0)
		return r;
	/* a home the image has already (/, /var/empty) keeps its owner */
	if (!existed && (chmod(h, 0700) < 0 || lchown(h, uid, gid) < 0))
		return gild_fail_errno(err, h, "cannot set the owner of");
	if (!keyfile)
		return 0;
	_cleanup_free_ char *dir = xstrdup(rl->file);
	*strrchr(dir, '/') = '\0';
	if (keyfile[0] == '/' || strstr(keyfile, ".."))
		return gild_fail(err, -GILD_E_INVALID,
				 &(struct gild_loc){rl->file, rl->line, 1},
				 "key file '%s' must be a path inside the "
				 "role's directory",
				 keyfile);
	_cleanup_free_ char *src = gild_path_join(dir, keyfile);
	_cleanup_free_ char *text = NULL;
	size_t n;
	struct gild_loc loc = {rl->file, rl->line, 1};
	if (gild_read_file(src, &text, &n, err) < 0) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return gild_fail(err, -GILD_E_NOTFOUND, &loc,
				 "authorized key file '%s' cannot be read: %s",
				 src, msg);
	}
	_cleanup_free_ char *ssh = xasprintf("%s/.ssh", home);
	_cleanup_free_ char *keys = xasprintf("%s/.ssh/authorized_keys", home);
	if ((r = image_write_file(im, keys, text, 0600, "users and groups",
				  err)) < 0)
		return r;
	_cleanup_free_ char *hs = image_host_path(im, ssh);
	_cleanup_free_ char *hk = image_host_path(im, keys);
	if (chmod(hs, 0700) < 0 || lchown(hs, uid, gid) < 0 ||
	    lchown(hk, uid, gid) < 0)
		return gild_fail_errno(err, hk, "cannot set the owner of");
	return 0;
}

/* users: "NAME UID GROUPS HOME SHELL [KEYFILE]", GROUPS comma-separated,
 * the first the primary group (made with GID=UID when missing). */
static int role_user(struct image *im, const struct role_line *rl,
		     struct accts *users, struct accts *groups,
		     struct gild_err *err)
{
	char name[64], groupl[512], home[1024], shell[256], key[1024] = "";
	unsigned uid;
	struct gild_loc loc = {rl->file, rl->line, 1};
	int n = sscanf(rl->text, "%63s %u %511s %1023s %255s %1023s", name,
		       &uid, groupl, home, shell, key);

	if (n < 5 || home[0] != '/' || shell[0] != '/')
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "expected 'NAME UID GROUPS HOME SHELL "
				 "[KEYFILE]'");
	char *save = NULL, *g = strtok_r(groupl, ",", &save);
	if (!g)
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "user '%s' has no group", name);
	struct acct *pg = acct_find(groups, g);
	unsigned gid = pg ? pg->id : uid;
	if (!pg)
		acct_set(groups, g, gid, xasprintf("x:%u:", gid));
	for (char *o = strtok_r(NULL, ",", &save); o;
	     o = strtok_r(NULL, ",", &save)) {
		struct acct *e = acct_find(groups, o);
		if (!e)
			return gild_fail(err, -GILD_E_NOTFOUND, &loc,
					 "group '%s' of user '%s' is not in "
					 "the image",
					 o, name);
		char *old = e->rest;
		size_t len = strlen(old);
		e->rest = xasprintf(
		    "%s%s%s", old, len && old[len - 1] != ':' ? "," : "", name);
		free(old);
	}
	acct_set(users, name, uid,
		 xasprintf("x:%u:%u:%s:%s:%s", uid, gid, name, home, shell));
	return make_home(im, home, uid, gid, n == 6 ? key : NULL, rl, err);
}

/* ---- accounts of packages: sysusers.d ---------------------------------- */

/* The accounts acct-user/ and acct-group/ packages declare, as systemd's
 * sysusers.d(5) lines in /usr/lib/sysusers.d/ (what Gentoo's acct-*
 * eclasses install too):
 *   g NAME GID
 *   u NAME UID[:GROUP] "GECOS" HOME SHELL
 *   m USER GROUP
 * An account the image has already must agree on its id. */
static char *next_field(char **p)
{
	char *s = *p + strspn(*p, " \t"), *start;

	if (!*s)
		return NULL;
	if (*s == '"') {
		start = ++s;
		s = strchr(s, '"');
		if (!s)
			return NULL;
	} else {
		start = s;
		s += strcspn(s, " \t");
	}
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

/* A name passwd and group can hold: [a-z_][a-z0-9_-]* (useradd's). */
static bool valid_acct_name(const char *s)
{
	if (!*s || strlen(s) > 32 || !(islower((unsigned char)*s) || *s == '_'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

/* A field of a passwd line: no ':' to split it, no control character. */
static bool valid_acct_field(const char *s)
{
	for (; *s; s++)
		if (*s == ':' || iscntrl((unsigned char)*s))
			return false;
	return true;
}

/* A system account's id: all digits, not root's 0. */
static bool parse_acct_id(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	v = strtoul(s, &end, 10);
	if (v == 0 || v > 65533)
		return false;
	*out = (unsigned)v;
	return true;
}

static int sysusers_add(struct accts *a, const char *kind, const char *name,
			unsigned id, char *rest, const struct gild_loc *loc,
			struct gild_err *err)
{
	struct acct *e = acct_find(a, name);

	for (size_t i = 0; !e && i < a->n; i++)
		if (a->v[i].id == id) {
			free(rest);
			return gild_fail(err, -GILD_E_INVALID, loc,
					 "%s '%s' has id %u, which '%s' has "
					 "in the image already",
					 kind, name, id, a->v[i].name);
		}

	if (e && e->id != id) {
		free(rest);
		return gild_fail(err, -GILD_E_INVALID, loc,
				 "%s '%s' has id %u here but %u in the image",
				 kind, name, id, e->id);
	}
	if (e)
		free(rest);
	else
		acct_set(a, name, id, rest);
	return 0;
}

static int sysusers_member(struct accts *groups, const char *user,
			   const char *group, const struct gild_loc *loc,
			   struct gild_err *err)
{
	struct acct *g = acct_find(groups, group);
	char *old;
	size_t len;

	if (!g)
		return gild_fail(err, -GILD_E_NOTFOUND, loc,
				 "group '%s' of user '%s' is not in the image "
				 "(an acct-group package missing from "
				 "RDEPEND?)",
				 group, user);
	old = g->rest;
	len = strlen(old);
	g->rest = xasprintf("%s%s%s", old,
			    len && old[len - 1] != ':' ? "," : "", user);
	free(old);
	return 0;
}

static int sysusers_user(char *name, char *id, char *p, struct accts *users,
			 struct accts *groups, const struct gild_loc *loc,
			 struct gild_err *err)
{
	char *gecos = next_field(&p), *home = next_field(&p);
	char *shell = next_field(&p), *gname = strchr(id, ':');
	unsigned uid, gid;
	struct acct *g;
	int r;

	if (gname)
		*gname++ = '\0';
	if (!parse_acct_id(id, &uid))
		return gild_fail(err, -GILD_E_SYNTAX, loc,
				 "user '%s': '%s' is no id (1-65533)", name,
				 id);
	if ((gecos && !valid_acct_field(gecos)) ||
	    (home && !valid_acct_field(home)) ||
	    (shell && !valid_acct_field(shell)))
		return gild_fail(err, -GILD_E_SYNTAX, loc,
				 "user '%s': a field holds ':' or a control "
				 "character",
				 name);
	g = acct_find(groups, gname ? gname : name);
	if (!g && gname)
		return gild_fail(err, -GILD_E_NOTFOUND, loc,
				 "group '%s' of user '%s' is not in the image "
				 "(an acct-group package missing from "
				 "RDEPEND?)",
				 gname, name);
	gid = g ? g->id : uid;
	if (!g && (r = sysusers_add(groups, "group", name, gid,
				    xasprintf("x:%u:", gid), loc, err)) < 0)
		return r;
	return sysusers_add(
	    users, "user", name, uid,
	    xasprintf("x:%u:%u:%s:%s:%s", uid, gid, gecos ? gecos : name,
		      home && strcmp(home, "-") ? home : "/",
		      shell && strcmp(shell, "-") ? shell : "/sbin/nologin"),
	    loc, err);
}

static int sysusers_line(char *line, struct accts *users, struct accts *groups,
			 const struct gild_loc *loc, struct gild_err *err)
{
	char *p = line, *type = next_field(&p), *name = next_field(&p);
	char *id = next_field(&p);

	if (!type || *type == '#')
		return 0;
	if (name && !valid_acct_name(name))
		return gild_fail(err, -GILD_E_SYNTAX, loc,
				 "'%s' is no account name ([a-z_][a-z0-9_-]*)",
				 name);
	if (!name || !id || strlen(type) != 1 ||
	    (*type != 'm' && strspn(id, "0123456789") == 0))
		return gild_fail(err, -GILD_E_SYNTAX, loc,
				 "expected 'g NAME GID', 'u NAME "
				 "UID[:GROUP] \"GECOS\" HOME SHELL' or 'm "
				 "USER GROUP'");
	switch (*type) {
	case 'g': {
		unsigned gid;
		if (!parse_acct_id(id, &gid))
			return gild_fail(err, -GILD_E_SYNTAX, loc,
					 "group '%s': '%s' is no id (1-65533)",
					 name, id);
		return sysusers_add(groups, "group", name, gid,
				    xasprintf("x:%u:", gid), loc, err);
	}
	case 'u':
		return sysusers_user(name, id, p, users, groups, loc, err);
	case 'm':
		return sysusers_member(groups, name, id, loc, err);
	}
	return gild_fail(err, -GILD_E_SYNTAX, loc,
			 "unknown sysusers.d line type '%s'", type);
}

static int sysusers_file(struct image *im, const char *name,
			 struct accts *users, struct accts *groups,
			 struct gild_err *err)
{
	_cleanup_free_ char *rel = xasprintf("/usr/lib/sysusers.d/%s", name);
	_cleanup_free_ char *h = image_host_path(im, rel);
	_cleanup_free_ char *text = NULL;
	size_t n;
	unsigned lineno = 0;
	struct stat st;
	int r;

	/* a package's file, read as root: never through a link of the
	 * image (it could name a host file or /dev/zero) */
	if (lstat(h, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' of the image is no regular file of at "
				 "most 1 MiB",
				 rel);
	if ((r = gild_read_file(h, &text, &n, err)) < 0)
		return r;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct gild_loc loc = {rel, ++lineno, 1};
		if ((r = sysusers_line(line, users, groups, &loc, err)) < 0)
			return r;
	}
	return 0;
}

static int sysusers(struct image *im, struct accts *users, struct accts *groups,
		    struct gild_err *err)
{
	_cleanup_free_ char *dir = image_host_path(im, "/usr/lib/sysusers.d");
	struct dirent **names = NULL;
	struct stat st;
	int n, r = 0;

	if (lstat(dir, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "/usr/lib/sysusers.d of the image is no "
				 "directory (a link?)");
	n = scandir(dir, &names, NULL, alphasort);

	/* groups first: a user's line may name a group of a later file */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n && r == 0; i++)
			if (gild_endswith(names[i]->d_name, ".conf") &&
			    (pass == 0) ==
				gild_startswith(names[i]->d_name, "acct-group"))
				r = sysusers_file(im, names[i]->d_name, users,
						  groups, err);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int write_shadow(struct image *im, struct accts *users,
			struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;

	/* No password works: '*' (not '!', which dropbear takes for a
	 * locked account and then refuses keys too). */
	for (size_t i = 0; i < users->n; i++)
		gild_buf_printf(&b, "%s:*:%lld:0:::::\n", users->v[i].name,
				(long long)(im->sde / 86400));
	return image_write_file(im, "/etc/shadow", gild_buf_str(&b), 0600,
				"users and groups", err);
}

static int users_and_groups(struct image *im, struct gild_err *err)
{
	_cleanup_(role_lines_release) struct role_lines l = {0};
	_cleanup_(accts_releasep) struct accts users = {0};
	_cleanup_(accts_releasep) struct accts groups = {0};
	int r;

	if ((r = read_accts(im, "/etc/passwd", &users, err)) < 0 ||
	    (r = read_accts(im, "/etc/group", &groups, err)) < 0 ||
	    (r = sysusers(im, &users, &groups, err)) < 0 ||
	    (r = role_groups(im, &groups, err)) < 0 ||
	    (r = image_role_lines(im, "users", &l, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++)
		if ((r = role_user(im, &l.v[i], &users, &groups, err)) < 0)
			return r;
	for (size_t i = 0; i < users.n; i++)
		gild_strv_add(&im->users, users.v[i].name);
	if (users.n &&
	    ((r = write_accts(im, "/etc/passwd", &users, 0644, err)) < 0 ||
	     (r = write_shadow(im, &users, err)) < 0))
		return r;
	if (groups.n &&
	    (r = write_accts(im, "/etc/group", &groups, 0644, err)) < 0)
		return r;
	return 0;
}

/* ---- services -------------------------------------------------------- */

/* busybox init starts runsvdir on /etc/service (baselayout's inittab);
 * runsv keeps its state in supervise/, which must be writable on a
 * read-only root: it is a link into /run, made at boot. */
static int enable_service(struct image *im, const struct role_line *rl,
			  struct gild_err *err)
{
	_cleanup_free_ char *run = xasprintf("/etc/sv/%s/run", rl->text);
	_cleanup_free_ char *hrun = image_host_path(im, run);
	_cleanup_free_ char *link = xasprintf("/etc/service/%s", rl->text);
	_cleanup_free_ char *hlink = image_host_path(im, link);
	_cleanup_free_ char *sup = xasprintf("/etc/sv/%s/supervise", rl->text);
	_cleanup_free_ char *hsup = image_host_path(im, sup);
	_cleanup_free_ char *target = xasprintf("/etc/sv/%s", rl->text);
	_cleanup_free_ char *runtarget =
	    xasprintf("/run/runit/supervise.%s", rl->text);
	struct gild_loc loc = {rl->file, rl->line, 1};

	_cleanup_free_ char *hsv = image_host_path(im, target);
	struct stat st;
	int r;

	if ((r = image_check_parents(im, link, err)) < 0 ||
	    (r = image_check_parents(im, sup, err)) < 0)
		return r;
	if (lstat(hsv, &st) == 0 && !S_ISDIR(st.st_mode))
		return gild_fail(err, -GILD_E_INVALID, &loc,
				 "service '%s': /etc/sv/%s is not a directory",
				 rl->text, rl->text);
	if (strchr(rl->text, '/') || strchr(rl->text, ' ') ||
	    access(hrun, X_OK) < 0)
		return gild_fail(err, -GILD_E_NOTFOUND, &loc,
				 "service '%s' has no executable "
				 "/etc/sv/%s/run in the image (no package "
				 "of the role ships it)",
				 rl->text, rl->text);
	(void)unlink(hlink);
	(void)unlink(hsup);
	if (symlink(target, hlink) < 0)
		return gild_fail_errno(err, hlink, "cannot create link");
	if (symlink(runtarget, hsup) < 0)
		return gild_fail_errno(err, hsup, "cannot create link");
	image_step_file(im, link, "services");
	image_step_file(im, sup, "services");
	gild_strv_add(&im->services, rl->text);
	return 0;
}

static int services(struct image *im, struct gild_err *err)
{
	_cleanup_(role_lines_release) struct role_lines l = {0};
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	int r;

	if ((r = image_role_lines(im, "services", &l, err)) < 0 ||
	    (r = image_mkdirs(im, "/etc/service", 0755, "services", err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++)
		if ((r = enable_service(im, &l.v[i], err)) < 0)
			return r;
	gild_buf_adds(&b, "#!/bin/sh\n# made by gild image: the state "
			  "directories runsv needs, on /run\n");
	for (size_t i = 0; i < im->services.n; i++)
		gild_buf_printf(&b, "mkdir -p /run/runit/supervise.%s\n",
				im->services.v[i]);
	return image_write_file(im, "/etc/init.d/20runit", gild_buf_str(&b),
				0755, "services", err);
}

/* ---- sysctl, fstab, hostname, machine-id ------------------------------ */

/* sysctl.conf over the stack: "key = value", a later node's key wins. */
static int sysctls(struct image *im, struct gild_err *err)
{
	_cleanup_(role_lines_release) struct role_lines l = {0};
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv keys = GILD_STRV_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv vals = GILD_STRV_INIT;
	int r;

	if ((r = image_role_lines(im, "sysctl.conf", &l, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		char *eq = strchr(l.v[i].text, '=');
		struct gild_loc loc = {l.v[i].file, l.v[i].line, 1};
		if (!eq)
			return gild_fail(err, -GILD_E_SYNTAX, &loc,
					 "expected 'key = value'");
		_cleanup_free_ char *k =
		    xstrndup(l.v[i].text, eq - l.v[i].text);
		char *v = eq + 1;
		k[strcspn(k, " \t")] = '\0';
		v += strspn(v, " \t");
		size_t at = keys.n;
		for (size_t j = 0; j < keys.n; j++)
			if (!strcmp(keys.v[j], k))
				at = j;
		if (at == keys.n) {
			gild_strv_add(&keys, k);
			gild_strv_add(&vals, v);
		} else {
			free(vals.v[at]);
			vals.v[at] = xstrdup(v);
		}
	}
	if (!keys.n)
		return 0;
	gild_buf_adds(&b, "# the role's sysctls (gild image), applied at "
			  "boot by /etc/init.d/10sysctl\n");
	for (size_t i = 0; i < keys.n; i++) {
		gild_buf_printf(&b, "%s = %s\n", keys.v[i], vals.v[i]);
		gild_strv_push(&im->hardening, xasprintf("sysctl: %s = %s",
							 keys.v[i], vals.v[i]));
	}
	if ((r = image_write_file(im, "/etc/sysctl.conf", gild_buf_str(&b),
				  0644, "sysctl", err)) < 0)
		return r;
	return image_write_file(
	    im, "/etc/init.d/10sysctl",
	    "#!/bin/sh\nexec sysctl -q -p /etc/sysctl.conf\n", 0755, "sysctl",
	    err);
}

/* A role file copied as it is over the package's (fstab, hostname). */
static int role_copy(struct image *im, const char *name, const char *dest,
		     struct gild_err *err)
{
	_cleanup_free_ char *src = image_role_file(im, name);
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r;

	if (!src)
		return 0;
	if ((r = gild_read_file(src, &text, &n, err)) < 0)
		return r;
	return image_write_file(im, dest, text, 0644, name, err);
}

/* glibc reads /etc/ld.so.cache, written by its ldconfig; musl searches
 * /lib and /usr/lib itself and needs nothing (its /etc/ld-musl-*.path
 * only for other directories). */
static int loader_cache(struct image *im, struct gild_err *err)
{
	_cleanup_free_ char *conf = image_host_path(im, "/etc/ld.so.conf");
	_cleanup_free_ char *ldc = image_host_path(im, "/sbin/ldconfig");
	_cleanup_free_ char *log = gild_path_join(im->workdir, "ldconfig.log");
	int r;

	if (access(ldc, X_OK) < 0 && access(conf, F_OK) < 0) {
		gild_strv_add(&im->hardening,
			      "loader: no cache (the libc searches /lib and "
			      "/usr/lib itself)");
		return 0;
	}
	/* -X: the cache only; the soname links are the packages' to ship */
	const char *argv[] = {"ldconfig", "-X", "-r", im->root, NULL};
	if ((r = image_run_tool(argv, NULL, "libc-bin", log, err)) < 0)
		return r;
	image_step_file(im, "/etc/ld.so.cache", "ldconfig");
	return 0;
}

int image_steps(struct image *im, struct gild_err *err)
{
	int r;

	/* users first: files.list and services name their accounts */
	if ((r = users_and_groups(im, err)) < 0 ||
	    (r = role_files(im, err)) < 0 ||
	    (r = apply_files_list(im, err)) < 0 ||
	    (r = services(im, err)) < 0 || (r = sysctls(im, err)) < 0 ||
	    (r = role_copy(im, "fstab", "/etc/fstab", err)) < 0 ||
	    (r = role_copy(im, "hostname", "/etc/hostname", err)) < 0)
		return r;
	/* systemd and dbus readers take an empty file for "generate at
	 * first boot": no two machines share an id */
	if ((r = image_write_file(im, "/etc/machine-id", "", 0444, "machine-id",
				  err)) < 0)
		return r;
	if ((r = loader_cache(im, err)) < 0)
		return r;
	return image_kernel_modules(im, err);
}
