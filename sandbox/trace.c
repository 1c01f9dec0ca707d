/* trace.c: step timings for `gild sandbox -v` and bench/sandbox-start
 * (the sandbox start-time goal): where the start of a sandbox goes. */
#include "sandbox-impl.h"

void sandbox_trace_start(struct sandbox_trace *t, int fd)
{
	t->fd = fd;
	clock_gettime(CLOCK_MONOTONIC, &t->t0);
}

void sandbox_trace_step(const struct sandbox_trace *t, const char *who,
			const char *step)
{
	struct timespec now;
	char line[160];
	long us;
	int n;

	if (!t || t->fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (now.tv_sec - t->t0.tv_sec) * 1000000 +
	     (now.tv_nsec - t->t0.tv_nsec) / 1000;
	n = snprintf(line, sizeof(line), "sandbox: %4ld.%03ld ms %-4s %s\n",
		     us / 1000, us % 1000, who, step);
	if (n > 0 && write(t->fd, line, (size_t)n) < 0)
		return; /* a lost timing line is not worth failing for */
}
