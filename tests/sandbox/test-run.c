/* test-run.c: sandbox_run called from C the way the builder calls it,
 * including from several threads at once. */
#include "tap.h"

#include "sandbox/sandbox.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct job {
	const char *seconds; /* for sleep */
	double start_delay, elapsed;
	int rc, status;
};

static void *run_job(void *p)
{
	struct job *j = p;
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	struct sandbox_spec *s = sandbox_spec_new();
	struct timespec d = {0, (long)(j->start_delay * 1e9)};
	double t0;

	nanosleep(&d, NULL);
	sandbox_spec_set_argv(s, (const char *[]){"sleep", j->seconds, NULL});
	t0 = now();
	j->rc = sandbox_run(s, &st, &err);
	j->elapsed = now() - t0;
	j->status = st.status;
	sandbox_spec_free(s);
	return NULL;
}

static bool sandbox_works(void)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();

	sandbox_spec_set_argv(s, (const char *[]){"true", NULL});
	return sandbox_run(s, &st, &err) == 0 && st.status == 0;
}

/* Two threads: the child of one clone must not wait for locks or setxid
 * acknowledgements of the other thread (glibc's setresuid and fork do, so
 * the child uses raw calls), nor keep the other run's pipes open. */
TEST(concurrent_runs_from_two_threads_both_finish)
{
	struct job shortj = {"0.3", 0, 0, -1, -1},
		   longj = {"2", 0.1, 0, -1, -1};
	pthread_t a, b;

	if (!sandbox_works()) {
		tap_skip("gild's sandbox cannot run here");
		return;
	}
	pthread_create(&a, NULL, run_job, &shortj);
	pthread_create(&b, NULL, run_job, &longj);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK_INTEQ(shortj.rc, 0);
	CHECK_INTEQ(longj.rc, 0);
	CHECK_INTEQ(shortj.status, 0);
	CHECK_INTEQ(longj.status, 0);
	if (!CHECK(shortj.elapsed < 1.2))
		tap_note("the short run took %.2f s", shortj.elapsed);
}

TEST(status_and_reason_reach_the_caller)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();

	if (!sandbox_works()) {
		tap_skip("gild's sandbox cannot run here");
		return;
	}
	sandbox_spec_set_timeout(s, 1);
	sandbox_spec_set_argv(s, (const char *[]){"sleep", "5", NULL});
	CHECK_INTEQ(sandbox_run(s, &st, &err), 0);
	CHECK_INTEQ(st.status, 137);
	CHECK_INTEQ(st.end, SANDBOX_END_TIMEOUT);
	CHECK_STREQ(
	    st.message,
	    "timed out after 1 s; every process in the sandbox was killed");
	sandbox_spec_set_timeout(s, 0);
	sandbox_spec_set_argv(s, (const char *[]){"sh", "-c", "exit 3", NULL});
	CHECK_INTEQ(sandbox_run(s, &st, &err), 0);
	CHECK_INTEQ(st.status, 3);
	CHECK_INTEQ(st.end, SANDBOX_END_EXIT);
	CHECK_STREQ(st.message, "");
}

/* What the report channel handed over. */
struct reports {
	char lines[8][64];
	size_t longest[8];
	size_t n;
};

static void collect(void *ud, const char *line)
{
	struct reports *r = ud;

	if (r->n < 8) {
		snprintf(r->lines[r->n], sizeof(r->lines[0]), "%s", line);
		r->longest[r->n] = strlen(line);
	}
	r->n++;
}

static int run_reporting(const char *script, struct reports *r,
			 struct sandbox_status *st)
{
	struct gild_err err = GILD_ERR_INIT;
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();

	memset(r, 0, sizeof(*r));
	sandbox_spec_set_report(s, collect, r);
	sandbox_spec_set_argv(s, (const char *[]){"sh", "-c", script, NULL});
	return sandbox_run(s, st, &err);
}

TEST(the_report_channel_hands_over_lines_cuts_long_ones_and_may_stay_silent)
{
	struct sandbox_status st;
	struct reports r;

	if (!sandbox_works()) {
		tap_skip("gild's sandbox cannot run here");
		return;
	}
	/* nothing written, the channel closed by the command */
	CHECK_INTEQ(run_reporting("exec 3>&-; exit 4", &r, &st), 0);
	CHECK_INTEQ(st.status, 4);
	CHECK_INTEQ(r.n, 0);
	/* two lines, the last without its newline */
	CHECK_INTEQ(run_reporting("printf 'one\\ntwo' >&3", &r, &st), 0);
	CHECK_INTEQ(st.status, 0);
	CHECK_INTEQ(r.n, 2);
	CHECK_STREQ(r.lines[0], "one");
	CHECK_STREQ(r.lines[1], "two");
	/* 10,000 bytes in one line: 4096 of them, the rest is no line */
	CHECK_INTEQ(run_reporting("head -c 10000 /dev/zero | tr '\\0' x >&3; "
				  "printf '\\nafter\\n' >&3",
				  &r, &st),
		    0);
	CHECK_INTEQ(r.n, 2);
	CHECK_INTEQ(r.longest[0], 4096);
	CHECK_STREQ(r.lines[1], "after");
}

/* Each whole line restarts the timeout; silence does not. */
TEST(a_reported_line_restarts_the_timeout)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	struct reports r = {0};
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();

	if (!sandbox_works()) {
		tap_skip("gild's sandbox cannot run here");
		return;
	}
	sandbox_spec_set_report(s, collect, &r);
	sandbox_spec_set_timeout(s, 2);
	sandbox_spec_set_argv(
	    s, (const char *[]){"sh", "-c",
				"for i in 1 2 3; do sleep 1.2; echo step >&3; "
				"done; sleep 3",
				NULL});
	CHECK_INTEQ(sandbox_run(s, &st, &err), 0);
	CHECK_INTEQ(r.n, 3);
	CHECK_INTEQ(st.end, SANDBOX_END_TIMEOUT);
}

/* A layer's path is written into overlayfs' options: a link on the way to
 * a directory whose name holds ',' must not get past the check. */
TEST(a_layer_that_resolves_to_a_comma_is_refused)
{
	struct gild_err err = GILD_ERR_INIT;
	struct sandbox_status st;
	_cleanup_(sandbox_spec_freep) struct sandbox_spec *s =
	    sandbox_spec_new();
	char base[] = "/tmp/gild-layer.XXXXXX", dir[64], link[64];

	CHECK(mkdtemp(base) != NULL);
	snprintf(dir, sizeof(dir), "%s/a,upperdir=x", base);
	snprintf(link, sizeof(link), "%s/plain", base);
	CHECK_INTEQ(mkdir(dir, 0755), 0);
	CHECK_INTEQ(symlink(dir, link), 0);
	CHECK_INTEQ(sandbox_spec_add_layer(s, link, "/usr", &err), 0);
	sandbox_spec_set_argv(s, (const char *[]){"true", NULL});
	CHECK_INTEQ(sandbox_run(s, &st, &err), -GILD_E_SANDBOX);
	CHECK(strstr(err.msg, "resolves to") != NULL);
	CHECK(strstr(err.msg, "a,upperdir=x") != NULL);
	unlink(link);
	rmdir(dir);
	rmdir(base);
}
