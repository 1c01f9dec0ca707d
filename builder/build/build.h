/* build.h: building one recipe version into a binary package.
 *
 * The flow of one build (build_recipe), each step a function in build*.c:
 *   1. effective USE, REQUIRED_USE                       (build.c)
 *   2. build-time dependencies from the binary repo      (build-deps.c)
 *   3. distfiles fetched and verified                    (build-fetch.c)
 *   4. the build-id: a hash of every input               (build-id.c)
 *      -> already in the repository: done, nothing built
 *   5. a fresh work directory; distfiles unpacked        (build.c)
 *   6. phases in the sandbox, logged                     (build-phase.c)
 *   7. QA checks, INSTALL_MASK, strip on ${D}            (build-qa.c)
 *   8. a GPKG into PKGDIR, index rewritten               (build.c)
 *
 * Inside the sandbox every build sees the same fixed paths, so nothing
 * about the host's work directory leaks into the output:
 *   /gild/ebuild.sh, /gild/phase.sh, /gild/helpers/ (the same for every
 *   build: build_shared_lib_dir), /gild/pkg/recipe, /gild/pkg/classes/
 *   /build/work (WORKDIR), /build/image (D), /build/temp (T),
 *   /build/distdir (DISTDIR, read-only), /build/files (FILESDIR, read-only),
 *   /build/deps (the build-time dependencies' images, read-only),
 *   /build/libc (the profile's libc from the tree, read-only).
 * and the dependencies' images are also laid over the stage's own
 * directories (build-root.c), so /usr/lib/libz.so of a dependency is in
 * /usr/lib, where compilers and the loader look.
 */
#ifndef GILD_BUILD_H
#define GILD_BUILD_H

#include "config/config.h"
#include "ctx/ctx.h"
#include "pms/pms.h"

#include "repo/repo.h"

struct build_opts {
	bool keep_work;		/* keep the work directory after success */
	bool rebuild;		/* build even if the build-id is in the repo */
	bool fetch_only;	/* stop after fetching */
	unsigned phase_timeout; /* seconds per phase (0: 3 hours) */
	/* A plan's scheduling (build-sched.c): packages built at once (0:
	 * GILD_JOBS, else the number of CPUs); no new start while the load
	 * average is above load_average (0: no limit); keep_going builds
	 * everything a failure does not hold back. */
	unsigned jobs;
	double load_average;
	bool keep_going;
	/* build every package a second time (another work area, time,
	 * umask, TZ, locale) and compare the two GPKGs (build-repro.c) */
	bool verify_reproducible;
	/* write the package here, outside PKGDIR and its index (the second
	 * build of verify_reproducible); NULL: PKGDIR */
	const char *output_pkgdir;
	const char *makeopts; /* instead of MAKEOPTS (not in the build-id) */
	/* PKGDIR's index is not rewritten after the package: the scheduler
	 * writes it once at the end of the plan (one rewrite per package
	 * is quadratic in PKGDIR's size; readers find a stale index by its
	 * directories' times) */
	bool defer_index;
};

/* Everything a run of `gild build` shares between packages. */
/* The inside uid of the build user, and the host range the sandbox maps
 * inside ids 0..65535 onto when gild runs as root. */
#define BUILD_UID 1000
#define BUILD_HOST_ID_BASE 100000

struct build_env {
	struct gild_ctx *ctx;
	struct config *cfg;
	struct use_env *use;
	struct tree *tree;
	struct binrepo *repo;
	char *pkgdir, *distdir, *tmpdir;
	/* <tmpdir>/lib, where the builds' shared /gild is: fixed when a
	 * second build (verify_reproducible) moves tmpdir elsewhere */
	char *libroot;
	/* a shared flock on <tmpdir>/.area.lock while the environment is
	 * open, so that `gild clean` knows another gild uses the work area
	 * (-1: it could not be opened) */
	int area_lock;
	char *stage_root; /* the toolchain stage root, NULL: the host's */
	char *stage_id;	  /* its identity (recorded in every package) */
	char *stage_desc; /* human-readable identity */
	/* Sandbox limits per phase, from gild.conf or the environment (see
	 * build-env.c for the defaults): seconds, bytes, processes, bytes. */
	uint64_t phase_timeout, mem, nproc, fsize;
	struct gild_strv verified; /* PKGDIR/.gild-verified, once read */
	bool verified_read;
	uint64_t jobs; /* GILD_JOBS, else the number of CPUs */
	/* Building a plan's package: of the packages the plan has
	 * (plan_names: "cat/pn", sorted), its build may see only the builds
	 * the plan made before it (visible: relpaths, sorted), so that its
	 * inputs (and build-id) depend neither on older builds in PKGDIR nor
	 * on the order parallel builds finish in. Packages the plan does not
	 * have are taken from PKGDIR as they are. NULL: every package (`gild
	 * build --nodeps`). */
	const struct gild_strv *visible;
	const struct gild_strv *plan_names;
	/* Called as each phase starts (the scheduler's progress). */
	void (*on_phase)(void *ud, const char *phase);
	void *on_phase_ud;
	/* Called with on_phase_ud once a built package is in PKGDIR, before
	 * the work directory is removed (the scheduler frees the slot):
	 * nothing after it may fail the build. */
	void (*on_packaged)(void *ud, const char *pkg_path);
};

/* The name (a hash) of this gild's shared /gild under env->libroot. */
char *build_lib_name(void);
/* <libroot>/NAME, written if it is not there yet: what every sandbox that
 * runs phase.sh mounts read-only at /gild, the package's own recipe and
 * classes at /gild/pkg. */
int build_shared_lib_dir(const struct build_env *env, char **out,
			 struct gild_err *err);

int build_env_open(struct gild_ctx *ctx, struct build_env **out,
		   struct gild_err *err);
void build_env_free(struct build_env *e);
GILD_DEFINE_CLEANUP(struct build_env *, build_env_free)

/* Reload the binary repository (after a package was added). */
int build_env_reload_repo(struct build_env *e, struct gild_err *err);

/* One build, in progress: what the steps pass on to each other. */
struct build_job {
	struct build_env *env;
	struct gild_err *tests_err; /* where decide_tests' callback reports */
	const struct recipe *r;
	const struct build_opts *opts;
	struct use_state use;
	struct gild_strv use_flags;  /* enabled flags, sorted (USE) */
	struct gild_strv iuse_flags; /* IUSE, sorted */
	struct gild_strv deps;	     /* build-time dep packages (relpaths) */
	struct gild_strv dep_ids;    /* their build-ids, same order */
	/* of deps, the profile's libc (GILD_IMPLICIT_BDEPEND): at
	 * /build/libc only, never laid over the stage, whose own compiler
	 * (HOSTCC) must keep its own C library's headers */
	struct gild_strv libc;
	struct gild_strv distfiles;    /* names, in SRC_URI order (A) */
	char *evaluated[RECIPE_NVARS]; /* USE-reduced dependency strings */
	char *build_id;		       /* hex sha256 */
	int64_t sde;		       /* SOURCE_DATE_EPOCH of the build */
	bool run_tests;		       /* FEATURES=test and not restricted */
	struct gpkg_attr *attrs;       /* fowners/fperms requests, by path */
	size_t n_attrs, cap_attrs;
	struct gild_strv setuid_allowed; /* the recipe's QA_SETUID_ALLOWED */
	char *workroot;			 /* var/tmp/gild/<cat>/<PF> */
	char *log_path;
	FILE *log;
	int lock_fd;	  /* flock on the work directory */
	const char *step; /* the step running, for timings and progress */
	double step_started;
};

/* Step s of job j begins (NULL: the last one ended): reported to the
 * progress display (build_env.on_phase) and, with -v, the time of the
 * step before it. */
void build_job_step(struct build_job *j, const char *s);

enum build_outcome {
	BUILD_BUILT,   /* a new package is in the repository */
	BUILD_REUSED,  /* the build-id was already there */
	BUILD_FETCHED, /* fetch_only */
};

/* Build r. Returns 0 with *outcome and *pkg_path (allocated, may be NULL),
 * or: -GILD_E_BUILD (a phase failed: err names the phase and the log; the
 * last lines of the log were written to ctx->diag), -GILD_E_NOTFOUND (a
 * build-time dependency is not in the binary repository: err names each),
 * -GILD_E_INVALID (REQUIRED_USE, a QA error), -GILD_E_FETCH/-GILD_E_MANIFEST
 * (sources), -GILD_E_SANDBOX, -errno. */
int build_recipe(struct build_env *e, const struct recipe *r,
		 const struct build_opts *opts, enum build_outcome *outcome,
		 char **pkg_path, struct gild_err *err);

/* What building r would give, without building it: its build-id, the
 * binary packages it would be built against (relpaths) and the metadata
 * its package would have for packages built against it. For `gild
 * pretend`, which says [binary] only when that build-id is there. */
struct build_forecast {
	char *build_id;
	struct gild_strv deps;
	struct gpkg_meta meta;
};
int build_recipe_forecast(struct build_env *e, const struct recipe *r,
			  const struct build_opts *opts,
			  struct build_forecast *out, struct gild_err *err);
void build_forecast_release(struct build_forecast *f);

/* build-repro.c: r built again as build_opts.verify_reproducible says
 * and compared with first (its package). 0 when the bytes are the same;
 * -GILD_E_BUILD naming the package and the first difference. */
int build_verify_reproducible(struct build_env *e, const struct recipe *r,
			      const struct build_opts *opts, const char *first,
			      struct gild_err *err);
/* Two packages of cpv compared: 0 the same bytes, else -GILD_E_BUILD
 * naming the metadata key, the image's file and offset, or the GPKG
 * member and offset. scratch is a directory to extract them in. */
int build_compare_packages(const char *cpv, const char *a, const char *b,
			   const char *scratch, struct gild_err *err);

/* The best visible version matching atom text (PMS: highest version; a
 * masked match is an error that says why). */
int build_find_recipe(struct build_env *e, const char *atom_text,
		      const struct recipe **out, struct gild_err *err);

/* ---- a whole plan (build-plan.c) ----------------------------------------- */

/* One package of a plan, once built or reused. */
struct build_done {
	char *cpv;		     /* "cat/pf" */
	const struct recipe *recipe; /* NULL: a binary package only */
	enum build_outcome outcome;
	char *pkg_path;	  /* its binary package */
	const char *note; /* why it was built again, or NULL */
};

/* What a plan's build is doing, for a progress display: one entry per
 * package being built. Times are seconds since the build started. */
struct build_running {
	const char *cpv;
	const char *phase; /* "" before the first phase */
	double started;
};
struct build_progress {
	size_t total;	/* packages of the plan to build or reuse */
	size_t done;	/* built or reused */
	size_t started; /* builds started (not counting reuse) */
	size_t built, reused, fetched, failed, skipped;
	unsigned jobs;
	const struct build_running *running;
	size_t n_running;
	double elapsed;
	/* what is left, from earlier builds' times: < 0 unknown; with
	 * eta_partial, some packages have no recorded time yet */
	double eta;
	bool eta_partial;
	double busy; /* the packages' build times added up, for slot use */
};

enum build_event_kind {
	BUILD_EV_START,	  /* a package is being built (not reused) */
	BUILD_EV_PHASE,	  /* it entered a phase (ev->phase) */
	BUILD_EV_MESSAGE, /* a message of its build (ev->text) */
	BUILD_EV_DONE,	  /* built or reused (ev->done, ev->seconds) */
	BUILD_EV_FAILED,  /* ev->err, ev->log (may be NULL) */
	BUILD_EV_SKIPPED, /* held back by the failure of ev->text */
	BUILD_EV_TICK,	  /* nothing new; time passed (redraw) */
	BUILD_EV_END,	  /* the plan's build is over */
};
struct build_event {
	enum build_event_kind kind;
	const char *cpv;
	const char *phase;
	const char *text;
	const char *log;
	const struct build_done *done;
	const struct gild_err *err;
	double seconds;
	const struct build_progress *progress;
};
typedef void (*build_report_fn)(void *ud, const struct build_event *ev);

/* The plan's packages in build order, each with its binary package and
 * its runtime dependencies (RDEPEND, PDEPEND, IDEPEND) as indices into v. */
struct build_pkg {
	char *cpv;
	char *pkg_path; /* NULL when provided (package.provided, installed) */
	bool target;	/* named by a target (not pulled in) */
	bool provided;
	size_t *rdeps, n_rdeps;
};
struct build_result {
	struct build_pkg *v;
	size_t n;
};
void build_result_free(struct build_result *res);
GILD_DEFINE_CLEANUP(struct build_result *, build_result_free)

/* Resolve targets (atoms, names, @sets) against the tree and the binary
 * repository and build the plan, o->jobs packages at once, each as soon
 * as what it is built against is there, reusing every package whose
 * build-id is there; report (may be NULL) gets every event. Returns 0 and
 * *out, -GILD_E_NOSOLUTION (no plan: the problems were written to
 * ctx->diag), -GILD_E_BUILD when a package failed (err: the first one;
 * each was reported), or -EINTR after SIGINT or SIGTERM (the running
 * builds were stopped; build_interrupted() says which signal). */
int build_plan(struct build_env *env, char **targets, int n,
	       const struct build_opts *o, build_report_fn report, void *ud,
	       struct build_result **out, struct gild_err *err);
int build_interrupted(void);

/* What `gild build` of the plan p (solved by rs) would do, for `gild
 * pretend`: each entry's build-id computed as the build will, [binary]
 * (PLAN_BINARY) only when that build-id is in the repository, else
 * PLAN_BUILD with entry->rebuild saying why in words when a package of
 * the same version is there. */
struct plan;
struct resolver;
int build_predict_plan(struct build_env *env, struct plan *p,
		       const struct resolver *rs, struct gild_err *err);

/* The scheduler (build-sched.c): the plan p built as a graph. res has an
 * entry per plan entry (cpv, provided; pkg_path for a binary package
 * whose recipe is gone); recipes[i] is entry i's recipe, NULL when there
 * is nothing to build. Fills res's pkg_path; returns as build_plan. */
struct plan;
int build_sched_predict(struct build_env *env, const struct build_opts *o,
			struct plan *p, const struct recipe *const *recipes,
			struct build_result *res, struct gild_err *err);
int build_sched_run(struct build_env *env, const struct build_opts *o,
		    const struct plan *p, const struct recipe *const *recipes,
		    build_report_fn report, void *ud, struct build_result *res,
		    struct gild_err *err);

/* ---- cleaning up (build-clean.c) ------------------------------------------
 * What `gild clean` removes: work directories of builds, images and media
 * that are not running, and stale temporaries (index and package
 * writers', partial downloads, half-unpacked stages); with
 * CLEAN_DISTFILES also distfiles no Manifest of the tree lists, with
 * CLEAN_PACKAGES binary packages whose recipe file is gone. Each item
 * says how a gild using it would be seen (the lock it holds). */
enum {
	CLEAN_DISTFILES = 1 << 0,
	CLEAN_PACKAGES = 1 << 1,
};
enum clean_lock {
	CLEAN_LOCK_NONE,
	CLEAN_LOCK_FLOCK, /* lock: a file its user flocks */
	CLEAN_LOCK_OFD,	  /* lock: a file its user locks with F_OFD_SETLK */
	CLEAN_LOCK_AREA,  /* no lock of its own: only while no other gild
			     holds the work area (build_env.area_lock) */
};
struct clean_item {
	char *path;
	const char *what; /* "build work directory", ... */
	uint64_t bytes;	  /* the disk space it takes (0 when in use) */
	enum clean_lock lock_kind;
	char *lock;
	const char *in_use;  /* why it stays, or NULL */
	bool keep_lock_file; /* a directory whose ".lock" stays */
	bool package;	     /* a binary package: the index is rewritten */
};
struct clean_plan {
	struct clean_item *v;
	size_t n, cap;
	bool area_exclusive; /* no other gild holds the work area */
};
/* What may go, in the work area, DISTDIR, PKGDIR order; touches nothing.
 * Returns 0, or the error of a Manifest that cannot be read (CLEAN_
 * DISTFILES: its distfiles would look unlisted). */
int build_clean_plan(struct build_env *e, unsigned what, struct clean_plan *out,
		     struct gild_err *err);
/* Remove one item of the plan, its lock taken again first (a build may
 * have started since). Returns 0 removed, 1 in use now (it->in_use says
 * so), or -errno when it cannot be removed. */
int build_clean_remove(struct clean_item *it, struct gild_err *err);
void clean_plan_release(struct clean_plan *p);
static inline void clean_plan_releasep(struct clean_plan *p)
{
	clean_plan_release(p);
}

/* ---- steps (build-*.c) -------------------------------------------------- */
int build_job_eval_use(struct build_job *j, struct gild_err *err);
int build_job_reduce(struct build_job *j, enum recipe_var v,
		     struct dep_node **orig, struct dep_node **red,
		     struct gild_err *err);
int build_job_find_deps(struct build_job *j, struct gild_err *err);
/* The binary packages (relpaths, added to out) the job's package needs at
 * run time: its RDEPEND followed through, and the profile's libc. */
int build_job_runtime_pkgs(struct build_job *j, struct gild_strv *out,
			   struct gild_err *err);
/* build-elfdeps.c: QA "elf-deps": every ELF file of the image finds its
 * interpreter and libraries in the package or in what it needs at run
 * time. Each finding is added to out as "PATH\tWHAT". */
int build_job_elf_deps(struct build_job *j, struct gild_strv *out,
		       struct gild_err *err);
/* The distfiles' names (j->distfiles) without fetching: the build-id
 * needs only their Manifest digests, so a package already built is
 * reused without its sources. */
int build_job_list_distfiles(struct build_job *j, struct gild_err *err);
int build_job_fetch(struct build_job *j, struct gild_err *err);
int build_job_compute_id(struct build_job *j, struct gild_err *err);
int build_job_run_phases(struct build_job *j, struct gild_err *err);
/* build-root.c: the dependencies' images unpacked into <work>/deps and
 * folded onto the stage's layout; then laid over the stage's directories. */
struct sandbox_spec;
int build_job_install_deps(struct build_job *j, struct gild_err *err);
int build_job_add_layers(struct build_job *j, struct sandbox_spec *s,
			 struct gild_err *err);
int build_job_qa(struct build_job *j, struct gild_err *err);
/* build-attrs.c: the recipe's fowners/fperms requests (${T}/.gild-attrs)
 * read into j->attrs, names resolved to numbers; the mode asked for a
 * path (-1: none). */
int build_job_load_attrs(struct build_job *j, struct gild_err *err);
int build_job_attr_mode(const struct build_job *j, const char *path);
void build_job_free_attrs(struct build_job *j);
bool build_job_use_fn(void *ud, const char *flag);

/* The embedded builder/ebuild.sh (NUL-terminated), and the scripts the
 * driver runs around it: all shape the output, so all are in the
 * build-id. */
extern const char gild_ebuild_sh[];
extern const char build_phase_sh[];

#endif /* GILD_BUILD_H */
