/* tree-load: time loading, parsing and USE-evaluating a whole tree.
 *
 *   tree-load [--cold] [--runs N] [--load-only] DIR
 *
 * One run = tree_load() of DIR (every recipe and class read and parsed,
 * dependency strings checked where written), then for every recipe the
 * dependency strings parsed into trees and reduced under the IUSE defaults
 * (depstr_reduce) and REQUIRED_USE checked (requse_check). --cold drops
 * the page cache first (needs root: `echo 3 > /proc/sys/vm/drop_caches`),
 * then the remaining runs are warm. Peak RSS comes from getrusage. */
#include "pms/pms.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process (user + system): the machine is shared, so
 * wall time alone says little. */
static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static bool iuse_default(void *ud, const char *flag)
{
	const struct recipe_iuse *u = recipe_iuse_find(ud, flag);
	return u && u->def > 0;
}

struct eval_stats {
	size_t nodes, unsatisfied;
	int err;
	struct gild_err e;
};

static const enum recipe_var dep_vars[] = {RECIPE_DEPEND, RECIPE_BDEPEND,
					   RECIPE_RDEPEND, RECIPE_PDEPEND,
					   RECIPE_IDEPEND};

static int eval_recipe(const struct recipe *r, void *ud)
{
	struct eval_stats *st = ud;
	struct dep_node *n;

	/* parsed, reduced and dropped: keeping 30,000 recipes' trees
	 * would cost ~300 MB */
	for (size_t i = 0; i < GILD_ARRAY_SIZE(dep_vars); i++) {
		if ((st->err = recipe_deps_parse(r, dep_vars[i], &n, &st->e)) <
		    0)
			return 1;
		struct dep_node *red =
		    depstr_reduce(n, iuse_default, (void *)r);
		st->nodes += red->n_kids;
		dep_node_free(red);
		dep_node_free(n);
	}
	if (!r->vars[RECIPE_REQUIRED_USE][0])
		return 0;
	if ((st->err = recipe_deps_parse(r, RECIPE_REQUIRED_USE, &n, &st->e)) <
	    0)
		return 1;
	if (requse_check(n, iuse_default, (void *)r, NULL) == 0)
		st->unsatisfied++;
	dep_node_free(n);
	return 0;
}

static int drop_caches(void)
{
	sync();
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return -1;
	bool ok = write(fd, "3\n", 2) == 2;
	close(fd);
	return ok ? 0 : -1;
}

static bool load_only;

static int one_run(const char *dir, const char *label)
{
	struct gild_err err = GILD_ERR_INIT;
	struct tree *t = NULL;
	struct eval_stats st = {0};

	double c0 = cpu_now(), t0 = now();
	if (tree_load(dir, 0, &t, &err) < 0) {
		gild_err_print(stderr, &err);
		return 1;
	}
	double t1 = now();
	if (!load_only)
		tree_foreach_recipe(t, eval_recipe, &st);
	double t2 = now(), c2 = cpu_now();
	if (st.err < 0) {
		gild_err_print(stderr, &st.e);
		tree_free(t);
		return 1;
	}
	size_t n = tree_nrecipes(t), np = tree_npkgs(t);
	tree_free(t);
	double t3 = now();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf(
	    "%-5s recipes %zu packages %zu  load+parse %.3f s  evaluate %.3f s"
	    "  total %.3f s (cpu %.3f s)  (free %.3f s)  peak RSS %.1f MB"
	    "  [%zu top-level deps, %zu REQUIRED_USE unsatisfied]\n",
	    label, n, np, t1 - t0, t2 - t1, t2 - t0, c2 - c0, t3 - t2,
	    (double)ru.ru_maxrss / 1024.0, st.nodes, st.unsatisfied);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"cold", no_argument, NULL, 'c'},
	    {"runs", required_argument, NULL, 'r'},
	    {"load-only", no_argument, NULL, 'l'},
	    {0}};
	bool cold = false;
	int runs = 3, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			cold = true;
		else if (c == 'l')
			load_only = true;
		else if (c == 'r')
			runs = atoi(optarg);
		else
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: tree-load [--cold] [--runs N] DIR\n");
		return 2;
	}
	const char *dir = argv[optind];
	if (cold) {
		if (drop_caches() < 0) {
			fprintf(stderr,
				"tree-load: cannot drop the page cache "
				"(not root?): this is a warm-only run\n");
		} else if (one_run(dir, "cold")) {
			return 1;
		}
	}
	for (int i = 0; i < runs; i++)
		if (one_run(dir, "warm"))
			return 1;
	return 0;
}
