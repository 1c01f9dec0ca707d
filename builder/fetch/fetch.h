/* fetch.h: distfiles (fetching, Manifest checks) and unpacking.  The one
 * public header of builder/fetch/. */
#ifndef GILD_FETCH_H
#define GILD_FETCH_H

#include "base/base.h"
#include "ctx/ctx.h"
#include "pms/pms.h"

/* ---- unpack ----
 * extracting distfiles into a work directory with libarchive.
 *
 * Formats: tar (plain, gz, bz2, xz, zstd, lz, lzma), zip, and .deb (the
 * data.tar.* member of the ar archive is what gets extracted, as Portage's
 * unpacker does for .deb).  Extraction is refused, naming the archive and
 * the member, for: absolute paths, `..` components, symlinks whose target
 * leaves the destination directory, hard links to outside it, and device
 * nodes. setuid/setgid bits are dropped; other modes and mtimes are kept.
 * A member is never written through a symlink the archive created earlier
 * (ARCHIVE_EXTRACT_SECURE_SYMLINKS): `lib -> lib64` then `lib/x` fails,
 * where GNU tar would follow the link; source tarballs do not do that.
 * The destination is made canonical (realpath) first, so extraction needs
 * no chdir and threads may unpack side by side.
 */

/* Extract the archive at path into destdir (which must exist).
 * Returns 0; -GILD_E_INVALID "'ARCHIVE': member 'M' ..." for a refused
 * member (members before it stay extracted); -GILD_E_UNSUPPORTED for a
 * file libarchive cannot read; -errno for local errors. */
int unpack_file(const char *path, const char *destdir, struct gild_err *err);

enum {
	/* A root filesystem (a stage tarball): symlink targets are not
	 * checked, since absolute and climbing links are normal there and
	 * are resolved inside the root when used (nothing is ever written
	 * through a symlink while extracting); device nodes are skipped. */
	UNPACK_ROOTFS = 1 << 0,
};

/* unpack_file with flags (UNPACK_*). */
int unpack_file_flags(const char *path, const char *destdir, unsigned flags,
		      struct gild_err *err);

/* Whether a symlink at member path `member` with target `target` stays
 * inside the extraction root (lexically, with `..` only allowed as leading
 * components of the target: see unpack.c). Exposed for the unit tests. */
bool unpack_symlink_is_safe(const char *member, const char *target);

/* ---- fetch ----
 * getting distfiles into DISTDIR, verified against a Manifest.
 *
 * Sources of one distfile, tried in order ("Fetch and verify"):
 *   1. DISTDIR/NAME when it is already there and verifies;
 *   2. each GILD_MIRRORS entry (file://, http://, https://) in Gentoo's
 *      distfiles layout: MIRROR/distfiles/NAME (flat) or the GLEP 75
 *      filename-hash layout its distfiles/layout.conf names;
 *   3. the upstream URLs from SRC_URI, mirror://NAME/ expanded from
 *      profiles/thirdpartymirrors.
 * Downloads go to DISTDIR/NAME.__download__ (Portage's partial name), are
 * resumed with a Range request after a cut transfer, verified, and only
 * then renamed to DISTDIR/NAME. A file that fails verification is moved to
 * DISTDIR/.bad/ and the next source is tried.
 */

struct fetch_opts {
	long connect_timeout; /* seconds to connect */
	long timeout;	      /* seconds without any data before giving up */
	long max_redirects;
	int retries;   /* resumes of one URL after a cut transfer */
	bool progress; /* print a progress line for long transfers */
	FILE *progress_out;
};

#define FETCH_OPTS_INIT                                                        \
	{                                                                      \
		30, 60, 10, 3, false, NULL                                     \
	}

/* One failed source: what was tried and why it failed. */
struct fetch_attempt {
	char *url;
	char *why; /* "HTTP 404", "connection refused", "timed out", ... */
};

struct fetch_log {
	struct fetch_attempt *v;
	size_t n, cap;
	char *got_from; /* the URL that worked; NULL: it was in DISTDIR */
};

#define FETCH_LOG_INIT                                                         \
	{                                                                      \
		NULL, 0, 0, NULL                                               \
	}
void fetch_log_release(struct fetch_log *log);
/* Append one failed source (takes both strings). */
void fetch_log_add(struct fetch_log *log, char *url, char *why);
static inline void fetch_log_releasep(struct fetch_log *l)
{
	fetch_log_release(l);
}

/* ---- SRC_URI ------------------------------------------------------------- */

/* One distfile of a recipe and its upstream URIs (mirror:// unexpanded). */
struct fetch_src {
	char *name;
	struct gild_strv uris;
};

struct fetch_srclist {
	struct fetch_src *v;
	size_t n, cap;
};

#define FETCH_SRCLIST_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void fetch_srclist_release(struct fetch_srclist *l);
static inline void fetch_srclist_releasep(struct fetch_srclist *l)
{
	fetch_srclist_release(l);
}

/* Add a distfile with one more upstream URI (uri NULL: a bare file name,
 * fetched from mirrors only; name NULL: the URI's last path component,
 * PMS 8.2). URIs naming the same distfile are merged, in order.
 * Returns -GILD_E_SYNTAX for an empty name or one with a '/'. */
int fetch_srclist_add(struct fetch_srclist *l, const char *uri,
		      const char *name, struct gild_err *err);

struct dep_node;
/* Add every URI of a SRC_URI tree already reduced under USE
 * (depstr_reduce), "fetch+"/"mirror+" prefixes (EAPI 8) removed. */
int fetch_srclist_add_tree(struct fetch_srclist *l,
			   const struct dep_node *reduced,
			   struct gild_err *err);

/* ---- mirrors ------------------------------------------------------------- */

/* profiles/thirdpartymirrors: `NAME URL...` lines. */
struct fetch_tpm {
	struct gild_strv names;
	struct gild_strv *urls; /* urls[i] belongs to names.v[i] */
};

/* A missing file gives an empty table. */
int fetch_tpm_load(const char *path, struct fetch_tpm **out,
		   struct gild_err *err);
void fetch_tpm_free(struct fetch_tpm *t);
GILD_DEFINE_CLEANUP(struct fetch_tpm *, fetch_tpm_free)

/* Append the URLs for uri to out: mirror://NAME/PATH becomes one URL per
 * mirror of NAME (-GILD_E_NOTFOUND for an unknown NAME); other URIs are
 * copied. */
int fetch_expand_uri(const struct fetch_tpm *tpm, const char *uri,
		     struct gild_strv *out, struct gild_err *err);

/* GILD_MIRRORS entries with the layouts each one's distfiles/layout.conf
 * lists (GLEP 75: `[structure]`, `0=filename-hash BLAKE2B 8`, `1=flat`).
 * A mirror without a readable layout.conf is flat. */
struct fetch_mirror {
	char *base;		  /* without trailing '/' */
	struct gild_strv layouts; /* "flat", "filename-hash BLAKE2B 8", ... */
	bool loaded;		  /* layouts read (on first use) */
	char *timed_out;	  /* why the layout.conf probe timed out */
};

struct fetch_mirrors {
	struct fetch_mirror *v;
	size_t n, cap;
};

#define FETCH_MIRRORS_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void fetch_mirrors_release(struct fetch_mirrors *ms);
static inline void fetch_mirrors_releasep(struct fetch_mirrors *m)
{
	fetch_mirrors_release(m);
}

/* Split a space-separated GILD_MIRRORS value. */
void fetch_mirrors_load(const char *list, struct fetch_mirrors *out);

/* Append the mirror's URLs for distfile name, one per layout it has, in
 * its order (layouts gild does not know are skipped). The first call reads
 * the mirror's layout.conf (file:// directly, http(s):// with one small
 * request); o may be NULL to skip that (flat, unless layouts are set).
 * The probe and the file are one source under one timeout: a mirror whose
 * probe timed out gets no URL; its flat URL goes to log (which may be
 * NULL) with that reason, so that GILD_FETCH_TIMEOUT=N against a server
 * that never answers costs N seconds, not twice that. */
void fetch_mirror_urls(const struct fetch_opts *o, struct fetch_mirror *m,
		       const char *name, struct gild_strv *out,
		       struct fetch_log *log);

/* Download a small file (at most max bytes) into out. Returns 0,
 * -GILD_E_TIMEOUT when the server sent less than 1 KiB/s for o->timeout
 * seconds (or did not connect in time), or -GILD_E_FETCH; the reason in
 * err. */
int fetch_to_memory(const struct fetch_opts *o, const char *url, size_t max,
		    struct gild_buf *out, struct gild_err *err);

/* The GLEP 75 filename-hash directory of name ("filename-hash BLAKE2B 8"
 * gives "ab/"), or NULL for an algorithm or cutoff gild cannot do. */
char *fetch_filename_hash_dir(const char *name, const char *algo,
			      const char *cutoffs);

/* ---- RESTRICT="fetch" ---------------------------------------------------- */

/* Whether a (USE-reduced) RESTRICT value holds word (PMS 7.3.6: "fetch",
 * "mirror"). */
bool fetch_restrict_has(const char *restrict_value, const char *word);

/* The user-facing text of a pkg_nofetch body, without running a shell:
 * the messages of its einfo/elog/ewarn/eerror/echo lines, quotes removed
 * and ${VAR}/$VAR expanded through lookup (unknown: empty), one per line.
 * Other lines are not shown. Returns an allocated string ("" if none). */
char *fetch_nofetch_text(const char *body,
			 const char *(*lookup)(void *ud, const char *name),
			 void *ud);

/* ---- a recipe's sources ----------------------------------------------------
 */

struct recipe;
struct use_env;

enum {
	FETCH_RESTRICT_FETCH = 1 << 0,	/* RESTRICT="fetch": by hand only */
	FETCH_RESTRICT_MIRROR = 1 << 1, /* RESTRICT="mirror": no GILD_MIRRORS */
};

/* The distfiles of a recipe under its effective USE, and its RESTRICT
 * words that concern fetching. Without a configuration (env NULL) USE is
 * the IUSE defaults with use_over (a USE value, may be NULL) on top.
 * Returns 0, or the error of parsing SRC_URI or RESTRICT (located in the
 * recipe) or of a bad distfile name. */
int fetch_recipe_sources(const struct recipe *r, struct use_env *env,
			 const char *use_over, struct fetch_srclist *out,
			 unsigned *restrict_flags, struct gild_err *err);

/* Whether the version is visible under the configuration (masks,
 * keywords, licenses: use_visible); always true without one (env NULL). */
bool fetch_recipe_visible(const struct recipe *r, struct use_env *env);

/* ---- settings -------------------------------------------------------------
 */

/* Where and how to fetch, from the effective configuration (gild.conf over
 * the profile's make.defaults, then the environment): DISTDIR,
 * GILD_MIRRORS, GILD_FETCH_TIMEOUT and GILD_FETCH_CONNECT_TIMEOUT (seconds).
 */
struct fetch_settings {
	char *distdir;
	char *mirrors;		       /* space separated, may be "" */
	long timeout, connect_timeout; /* 0: the fetch_opts default */
};

/* Load the settings of ctx's run (its configuration, config_for_ctx).
 * When the configuration cannot be loaded and the user did not ask for one
 * (no --profile, no <config dir>/gild.conf), fall back to the environment's
 * DISTDIR, GILD_MIRRORS and fetch timeouts (a bad timeout is still an error)
 * and the default DISTDIR, tree/var/distfiles; otherwise return config_load's
 * error. */
struct config;
/* GILD_FETCH_TIMEOUT and GILD_FETCH_CONNECT_TIMEOUT of a configuration,
 * seconds (0: not set). One parser for `gild fetch` and `gild build`:
 * a bad value is an error naming it (-GILD_E_SYNTAX/-GILD_E_INVALID). */
int fetch_timeouts_from_config(const struct config *c, uint64_t *timeout,
			       uint64_t *connect_timeout, struct gild_err *err);

/* cfg_out (may be NULL) receives the run's configuration (borrowed from
 * ctx), or NULL after the fallback. */
int fetch_settings_load(struct gild_ctx *ctx, struct fetch_settings *fs,
			struct config **cfg_out, struct gild_err *err);
void fetch_settings_release(struct fetch_settings *fs);

/* ---- fetching -------------------------------------------------------------
 */

/* Make DISTDIR/NAME present and verified against m, trying urls in order
 * (the caller puts mirrors first, see fetch_mirror_urls). log may already
 * hold sources the caller gave up on (a mirror that timed out): they count
 * as tried.
 * Returns 0; -GILD_E_NOTFOUND when m has no DIST entry for name (nothing
 * is downloaded); -GILD_E_MANIFEST (located at the Manifest line) when
 * every failure was or included a checksum mismatch; -GILD_E_FETCH when no
 * source worked. Every failed source is appended to log. */
int fetch_distfile(const struct fetch_opts *o, const char *distdir,
		   const struct manifest *m, const char *name,
		   const struct gild_strv *urls, struct fetch_log *log,
		   struct gild_err *err);

#endif /* GILD_FETCH_H */
