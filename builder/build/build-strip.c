/* build-strip.c: FEATURES=strip, between src_install and the QA checks.
 *
 * gild walks the image itself and picks the ELF files (by their magic) and
 * static archives; those without their owner's write bit get it for the
 * strip (which writes a new file, and refuses a file it could not write)
 * and their own mode back after it. Only then,
 * and only when there is something to strip, binutils run in the sandbox
 * over that list: they parse what the build produced, which is untrusted.
 * One sandbox and one strip per file, no other process: the shell's
 * per-file test of the magic (head | od | tr) cost more than the strip. */
#include "build/build.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include "sandbox/sandbox.h"

/* The list comes as NUL-separated pairs, "e" or "a" then the path from
 * /build/image. .comment goes (compiler versions); the GNU build-id note
 * stays: it is an allocated section, and taking it out of a shared
 * library shifts the section numbers its .dynsym records (strip cannot
 * rewrite .dynsym), so the linker no longer sees a data symbol (musl's
 * optarg) as data and makes text relocations instead of copy relocations:
 * programs that musl then refuses to run. It is a hash of what the build
 * wrote, reproducible with the build. An archive that strip cannot read
 * stays as it is. */
const char build_strip_sh[] =
    "cd /build/image || exit 1\n"
    "while IFS= read -r -d '' k && IFS= read -r -d '' f; do\n"
    "  if [ \"$k\" = a ]; then strip -g -D \"$f\"; continue; fi\n"
    "  if [ -n \"$SPLITDEBUG\" ]; then\n"
    "    mkdir -p \"usr/lib/debug/${f%/*}\" && objcopy --only-keep-debug "
    "\"$f\" \"usr/lib/debug/$f.debug\" &&\n"
    "    objcopy --add-gnu-debuglink=\"usr/lib/debug/$f.debug\" \"$f\" || exit "
    "1\n"
    "  fi\n"
    "  strip --strip-unneeded -R .comment -D \"$f\" || exit 1\n"
    "done </gild-strip.list\n";

/* nftw keeps no user pointer: the walk's state for strip_entry. */
struct strip_walk {
	struct gild_strv list;	  /* "e./path" or "a./path" */
	struct gild_strv restore; /* "MODE /abs/path": read-only files */
	size_t image_len;
};
static struct strip_walk *cur_walk;

static bool is_elf(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	bool elf;

	if (fd < 0)
		return false;
	elf = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return elf;
}

static int strip_entry(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	struct strip_walk *w = cur_walk;
	size_t n = strlen(path);
	char kind;

	(void)flag;
	(void)ftw;
	if (!S_ISREG(st->st_mode))
		return 0;
	if (is_elf(path))
		kind = 'e';
	else if (n > 2 && !strcmp(path + n - 2, ".a"))
		kind = 'a';
	else
		return 0;
	if (!(st->st_mode & S_IWUSR)) {
		if (chmod(path, (st->st_mode & 07777) | S_IWUSR) < 0)
			return 0;
		gild_strv_push(&w->restore,
			       xasprintf("%o %s", st->st_mode & 07777, path));
	}
	gild_strv_push(&w->list, xasprintf("%c.%s", kind, path + w->image_len));
	return 0;
}

/* The read-only files' own modes, back after the strip (a regular file
 * still: the build's processes have all ended, nothing else writes
 * there). */
static void restore_modes(const struct gild_strv *restore)
{
	for (size_t i = 0; i < restore->n; i++) {
		char *end;
		unsigned long mode = strtoul(restore->v[i], &end, 8);
		struct stat st;
		if (lstat(end + 1, &st) == 0 && S_ISREG(st.st_mode))
			(void)chmod(end + 1, (mode_t)mode);
	}
}

static int cmp_path(const void *a, const void *b)
{
	/* the kind is one letter before the path */
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* The files to strip, sorted by path, written as the script reads them. */
static int write_strip_list(struct strip_walk *w, const char *image,
			    const char *list_path, struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	struct gild_strv *files = &w->list;
	int r;

	cur_walk = w;
	w->image_len = strlen(image);
	(void)nftw(image, strip_entry, 16, FTW_PHYS);
	cur_walk = NULL;
	if (files->n == 0)
		return 0;
	qsort(files->v, files->n, sizeof(char *), cmp_path);
	if ((r = gild_atomic_open(&af, AT_FDCWD, list_path, 0644, err)) < 0)
		return r;
	for (size_t i = 0; i < files->n; i++) {
		fputc(files->v[i][0], af.f);
		fputc('\0', af.f);
		fputs(files->v[i] + 1, af.f);
		fputc('\0', af.f);
	}
	return gild_atomic_commit(&af, err);
}

static bool strip_wanted(const struct build_job *j)
{
	const char *features = config_get(j->env->cfg, "FEATURES");
	const char *restrict_ = j->evaluated[RECIPE_RESTRICT];

	return gild_has_word(features, "strip") &&
	       !gild_has_word(restrict_ ? restrict_ : "", "strip");
}

static int strip_spec(struct build_job *j, struct sandbox_spec *s,
		      const char *image, const char *list, struct gild_err *err)
{
	const char *features = config_get(j->env->cfg, "FEATURES");
	static const char *const argv[] = {"bash", "-c", build_strip_sh, NULL};
	int rc;

	if ((rc = sandbox_spec_add_rw(s, image, "/build/image", err)) < 0 ||
	    (rc = sandbox_spec_add_ro(s, list, "/gild-strip.list", err)) < 0 ||
	    (rc = sandbox_spec_setenv(
		 s, "SPLITDEBUG",
		 gild_has_word(features, "splitdebug") ? "1" : "", err)) < 0)
		return rc;
	if (j->env->stage_root)
		sandbox_spec_set_root(s, j->env->stage_root);
	if (geteuid() == 0)
		sandbox_spec_set_host_range(s, BUILD_HOST_ID_BASE,
					    BUILD_HOST_ID_BASE, 65536);
	sandbox_spec_set_inside_ids(s, BUILD_UID, BUILD_UID);
	sandbox_spec_set_stdio(s, fileno(j->log), fileno(j->log));
	sandbox_spec_set_argv(s, argv);
	return 0;
}

int build_job_strip(struct build_job *j, struct gild_err *err)
{
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s = NULL;
	_cleanup_free_ char *image = gild_path_join(j->workroot, "image");
	_cleanup_free_ char *list = gild_path_join(j->workroot, "strip.list");
	struct strip_walk w = {GILD_STRV_INIT, GILD_STRV_INIT, 0};
	struct sandbox_status st;
	size_t count;
	int rc;

	if (!strip_wanted(j))
		return 0;
	rc = write_strip_list(&w, image, list, err);
	count = w.list.n;
	gild_strv_release(&w.list);
	if (rc == 0 && count > 0) {
		fprintf(j->log, ">>> Stripping /build/image (%zu file%s)\n",
			count, count == 1 ? "" : "s");
		fflush(j->log);
		s = sandbox_spec_new();
		if ((rc = strip_spec(j, s, image, list, err)) == 0)
			rc = sandbox_run(s, &st, err);
	}
	restore_modes(&w.restore);
	gild_strv_release(&w.restore);
	if (rc < 0 || count == 0)
		return rc;
	if (st.status != 0)
		return gild_fail(
		    err, -GILD_E_BUILD, NULL,
		    "'%s/%s': stripping failed (status %d); log: %s",
		    j->r->category, j->r->pf, st.status, j->log_path);
	return 0;
}
