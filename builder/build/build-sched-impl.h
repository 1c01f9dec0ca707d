/* build-sched-impl.h: the plan as a graph, shared by the scheduler
 * (build-sched.c) and the prediction of what it will do for `gild
 * pretend` (build-predict.c). */
#ifndef GILD_BUILD_SCHED_IMPL_H
#define GILD_BUILD_SCHED_IMPL_H

#include <signal.h>
#include <sys/types.h>

#include "build/build.h"

enum sp_state { SP_WAITING, SP_RUNNING, SP_DONE, SP_FAILED, SP_SKIPPED };

/* One entry of the plan. */
struct sp {
	size_t *pre, n_pre;   /* entries it is built against */
	size_t *post, n_post; /* entries built against it */
	size_t waiting;	      /* of pre, how many are not done */
	enum sp_state state;
	const struct recipe *rc; /* NULL: nothing to build */
	double weight, prio;	 /* seconds; longest path to the end */
	bool timed;		 /* weight is a recorded time */
	pid_t pid;
	int fd;		    /* the child's report pipe, or -1 */
	struct gild_buf in; /* what the child wrote, not yet a line */
	char *phase;
	double started;
	char *result; /* the child's last line: "D ..." or "E ..." */
	struct build_done done;
	/* done ("D" came), its slot given back, while the process still
	 * removes its work directory and exits */
	bool tail;
};

/* Recorded build times, "cat/pf seconds" per line, in the work area. */
struct times {
	char *path;
	struct gild_strv keys;
	double *secs;
};

struct sched {
	struct build_env *env;
	const struct build_opts *o;
	const struct plan *p;
	struct build_result *res;
	build_report_fn report;
	void *ud;
	struct sp *v;
	size_t n;
	unsigned jobs;
	size_t n_running;
	size_t n_tail; /* processes of entries done, still ending */
	struct build_running *running;
	struct build_progress prog;
	struct times times;
	double t0;
	bool stop;	 /* no new starts */
	bool repo_stale; /* a child added a package since the last read */
	pid_t parent;
	bool stop_reading; /* poll failed: reap the children now */
	sigset_t mask;	   /* the parent's signal mask, restored after fork */
	struct gild_err first;
	struct gild_strv failed;     /* cpvs */
	struct gild_strv plan_names; /* "cat/pn" of every entry, sorted */
};

/* Entry i's prerequisites (pre) and dependents (post) among the plan's
 * entries. */
void link_prerequisites(struct sched *s);
void sched_release(struct sched *s);

#endif
