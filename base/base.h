/* base.h: the shared vocabulary of gild.
 *
 * The only header every subsystem (builder, sandbox, repo, iso) may include:
 * errors (struct gild_err), cleanup attributes, string views, x-allocators,
 * a growable string buffer, atomic files and a tiny JSON writer.
 *
 * Conventions (see shared/STYLE.md):
 *  - fallible functions return 0 or a negative code (-errno or -GILD_E_*)
 *    and take `struct gild_err *err` last;
 *  - library code never prints; builder/cli/main.c prints an error once;
 *  - every destructor accepts NULL.
 */
#ifndef GILD_BASE_H
#define GILD_BASE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- errors ------------------------------------------------------------ */

/* Own error codes start at 1024 so that they share an int space with errno
 * (apk-tools does the same); functions return -code. */
enum gild_errcode {
	GILD_E_BASE = 1024,
	GILD_E_SYNTAX,	    /* malformed input text */
	GILD_E_INVALID,	    /* well-formed but not allowed (bad value) */
	GILD_E_NOTFOUND,    /* a named thing does not exist */
	GILD_E_AMBIGUOUS,   /* a name matches more than one thing */
	GILD_E_CYCLE,	    /* a dependency or inheritance cycle */
	GILD_E_MANIFEST,    /* checksum or Manifest problem */
	GILD_E_UNSUPPORTED, /* a feature (EAPI, format) gild does not support */
	GILD_E_NOSOLUTION,  /* the resolver found no plan */
	GILD_E_BUILD,	    /* a build phase failed */
	GILD_E_FETCH,	    /* no source could be fetched */
	GILD_E_SANDBOX,	    /* the sandbox could not be set up */
	GILD_E_TIMEOUT,	    /* a time limit was reached */
	GILD_E_LIMIT,	    /* a resource limit was reached */
	GILD_E_USAGE,	    /* bad command-line usage (exit 2) */
	GILD_E_MAX
};

struct gild_loc {
	const char *file; /* not owned: must outlive the error */
	unsigned line, col;
};

struct gild_err {
	int code;	/* 0, -errno or -GILD_E_* */
	char file[256]; /* copied from loc.file so the error outlives it */
	unsigned line, col;
	char msg[512];
};

#define GILD_ERR_INIT                                                          \
	{                                                                      \
		0                                                              \
	}

/* Fill err (code, location, formatted message) and return code.
 * loc may be NULL. err may be NULL (then only the code is returned). */
int gild_fail(struct gild_err *err, int code, const struct gild_loc *loc,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Like gild_fail for a failed syscall: saves errno first, uses -errno as the
 * code and appends "'path': strerror". path may be NULL. */
int gild_fail_errno(struct gild_err *err, const char *path, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* Prefix context once on the way up: "building foo-1: <old message>". */
void gild_err_wrap(struct gild_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void gild_err_clear(struct gild_err *err);

/* Name of a code: strerror for -errno, a phrase for -GILD_E_*. */
const char *gild_strerror(int code);

/* Print "file:line:col: error: msg" (GCC form) or "gild: error: msg".
 * Only main() and command front ends call this. */
void gild_err_print(FILE *f, const struct gild_err *err);

/* Exit status for an error code: 2 for bad input/usage, 1 otherwise. */
int gild_err_exit_status(int code);

#define GILD_BUG(...) gild_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void gild_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- cleanup (bubblewrap/systemd style) -------------------------------- */

static inline void gild_freep(void *p)
{
	free(*(void **)p);
}
static inline void gild_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void gild_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _cleanup_free_ _cleanup_(gild_freep)
#define _cleanup_close_ _cleanup_(gild_closep)
#define _cleanup_fclose_ _cleanup_(gild_fclosep)

/* GILD_DEFINE_CLEANUP(struct recipe *, recipe_free) defines recipe_freep. */
#define GILD_DEFINE_CLEANUP(type, fn)                                          \
	static inline void fn##p(type *p)                                      \
	{                                                                      \
		if (*p)                                                        \
			fn(*p);                                                \
	}

#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _tp = (p);                                       \
		(p) = NULL;                                                    \
		_tp;                                                           \
	})
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _tf = (fd);                                                \
		(fd) = -1;                                                     \
		_tf;                                                           \
	})

#define GILD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation: abort on OOM ------------------------------------------ */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (of *cap elements of size elsize) to hold at least need. */
void gild_grow(void *arrp, size_t *cap, size_t need, size_t elsize);

/* ---- string views ------------------------------------------------------ */

typedef struct {
	const char *p;
	size_t n;
} gild_str;

#define GILD_STR_ARG(s) (int)(s).n, (s).p
#define GILD_STR_C(cstr) ((gild_str){(cstr), strlen(cstr)})

static inline bool gild_str_eq(gild_str a, const char *b)
{
	size_t n = strlen(b);
	return a.n == n && memcmp(a.p, b, n) == 0;
}
static inline char *gild_str_dup(gild_str s)
{
	return xstrndup(s.p, s.n);
}

bool gild_startswith(const char *s, const char *prefix);
/* Whether a whitespace-separated list (may be NULL) holds word:
 * FEATURES, RESTRICT, QA_FATAL, USE as a string. */
bool gild_has_word(const char *list, const char *word);
bool gild_endswith(const char *s, const char *suffix);
/* A whole decimal number (no sign, no spaces, not empty), with an optional
 * k, m or g suffix (binary multiples: "64m" is 64 MiB) when suffixes is
 * true. 0, or -1 on bad syntax or overflow. */
int gild_parse_u64(const char *s, bool suffixes, uint64_t *out);

/* ---- growable string buffer -------------------------------------------- */

struct gild_buf {
	char *p; /* always NUL-terminated once anything was added */
	size_t n, cap;
};

#define GILD_BUF_INIT                                                          \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void gild_buf_add(struct gild_buf *b, const void *data, size_t n);
void gild_buf_adds(struct gild_buf *b, const char *s);
void gild_buf_addc(struct gild_buf *b, char c);
void gild_buf_printf(struct gild_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The content as a C string ("" when empty); stays owned by the buffer. */
const char *gild_buf_str(struct gild_buf *b);
/* Hand the content to the caller (never NULL); the buffer is reset. */
char *gild_buf_steal(struct gild_buf *b);
void gild_buf_reset(struct gild_buf *b); /* keep the allocation */
void gild_buf_release(struct gild_buf *b);
static inline void gild_buf_releasep(struct gild_buf *b)
{
	gild_buf_release(b);
}
#define _cleanup_buf_ _cleanup_(gild_buf_releasep)

/* ---- string vectors (NULL-terminated char **) --------------------------- */

struct gild_strv {
	char **v; /* NULL-terminated once anything was added */
	size_t n, cap;
};

#define GILD_STRV_INIT                                                         \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void gild_strv_push(struct gild_strv *sv, char *owned);
void gild_strv_add(struct gild_strv *sv, const char *s); /* copies */
bool gild_strv_contains(const struct gild_strv *sv, const char *s);
void gild_strv_sort(struct gild_strv *sv);
void gild_strv_release(struct gild_strv *sv);
static inline void gild_strv_releasep(struct gild_strv *sv)
{
	gild_strv_release(sv);
}
#define _cleanup_strv_ _cleanup_(gild_strv_releasep)

/* ---- files ------------------------------------------------------------- */

/* Read a whole file; *out is NUL-terminated (the NUL is not counted in
 * *len). Returns 0, or -errno with err naming the path. */
int gild_read_file(const char *path, char **out, size_t *len,
		   struct gild_err *err);

/* Like gild_read_file relative to dirfd (AT_FDCWD allowed). */
int gild_read_file_at(int dirfd, const char *path, char **out, size_t *len,
		      struct gild_err *err);

/* mkdir -p; mode for the directories created. */
int gild_mkdir_p(const char *path, unsigned mode, struct gild_err *err);

/* rm -rf PATH (read-only directories made writable first); a missing
 * PATH is no error. Returns 0, or -errno with err naming the path. */
int gild_rm_rf(const char *path, struct gild_err *err);

/* Give the directory tmp, filled in private, the name final (a cache
 * entry made once, by whichever process gets there first): when final
 * exists already, another made it, and tmp is removed. Returns 1 when
 * tmp became final, 0 when another's stays, or -errno (tmp removed). */
int gild_publish_dir(const char *tmp, const char *final, struct gild_err *err);

/* Join two path parts with one '/' (b absolute: returns a copy of a/b
 * anyway; callers decide what absolute means). Always allocates. */
char *gild_path_join(const char *a, const char *b);

/* Atomic output: write to a temporary name in the same directory, then
 * fsync and rename over the final name on commit. If never committed, the
 * cleanup unlinks the temporary, so early returns leave nothing
 * half-written.
 *
 *   _cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
 *   if ((r = gild_atomic_open(&af, AT_FDCWD, "out/Packages", 0644, err)) < 0)
 *           return r;
 *   fprintf(af.f, ...);
 *   return gild_atomic_commit(&af, err);
 */
struct gild_atomic {
	int dirfd;     /* owned: the directory of the final file */
	char *name;    /* final name (basename) */
	char *tmpname; /* temporary basename */
	char *display; /* the path as given, for messages */
	int fd;
	FILE *f;      /* stdio stream over fd */
	bool no_sync; /* a scratch tree (an image's staging root): rename
			 without fsync; durability comes from the outputs */
};

#define GILD_ATOMIC_INIT                                                       \
	{                                                                      \
		-1, NULL, NULL, NULL, -1, NULL, false                          \
	}

int gild_atomic_open(struct gild_atomic *af, int dirfd, const char *path,
		     unsigned mode, struct gild_err *err);
/* Flush, fsync, rename, fsync the directory. On failure the temporary is
 * removed and -errno returned. */
int gild_atomic_commit(struct gild_atomic *af, struct gild_err *err);
void gild_atomic_release(struct gild_atomic *af); /* unlinks if uncommitted */

/* ---- JSON output --------------------------------------------------------- */

/* Write s as a JSON string literal (with quotes), escaping as RFC 8259
 * requires. n may be (size_t)-1 for a NUL-terminated s. */
void gild_json_str(FILE *f, const char *s, size_t n);

/* Split s at blanks (space, tab, newline) and append each word to out. */
void gild_split_words(const char *s, struct gild_strv *out);

/* Seconds on the monotonic clock, for timing steps. */
double gild_now(void);

/* ---- ELF files (elf.c, libelf) ------------------------------------------ */

struct gild_elf {
	bool is_elf;
	bool has_symtab;
	bool relocatable;	 /* ET_REL: an object file, a kernel module */
	char *interp;		 /* PT_INTERP, or NULL */
	char *runpath;		 /* DT_RUNPATH (else DT_RPATH), or NULL */
	struct gild_strv needed; /* DT_NEEDED */
};
/* Read path; a file that is not ELF gives is_elf false and 0. */
int gild_elf_read(const char *path, struct gild_elf *out, struct gild_err *err);
void gild_elf_release(struct gild_elf *e);

#endif /* GILD_BASE_H */
