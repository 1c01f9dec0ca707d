/* tap.c: the runner behind tap.h. */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

static struct tap_test *tests;
static size_t ntests, cap;
static bool cur_failed, cur_skipped;
static const char *skip_reason;

void tap_register(const char *name, void (*fn)(void))
{
	if (ntests == cap) {
		cap = cap ? cap * 2 : 64;
		tests = realloc(tests, cap * sizeof(*tests));
		if (!tests)
			abort();
	}
	tests[ntests++] = (struct tap_test){name, fn};
}

bool tap_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		cur_failed = true;
		printf("# %s:%d: check failed: %s\n", file, line, expr);
	}
	return ok;
}

bool tap_check_str(const char *got, const char *want, const char *expr,
		   const char *file, int line)
{
	if (got && want && strcmp(got, want) == 0)
		return true;
	if (!got && !want)
		return true;
	cur_failed = true;
	printf("# %s:%d: %s\n#   got:  %s%s%s\n#   want: %s%s%s\n", file, line,
	       expr, got ? "'" : "", got ? got : "NULL", got ? "'" : "",
	       want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return false;
}

bool tap_check_int(long long got, long long want, const char *expr,
		   const char *file, int line)
{
	if (got == want)
		return true;
	cur_failed = true;
	printf("# %s:%d: %s\n#   got:  %lld\n#   want: %lld\n", file, line,
	       expr, got, want);
	return false;
}

void tap_skip(const char *reason)
{
	cur_skipped = true;
	skip_reason = reason;
}

void tap_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int main(int argc, char **argv)
{
	int failed = 0;

	/* With an argument, run only the tests whose name contains it. */
	const char *only = argc > 1 ? argv[1] : NULL;
	size_t n = 0;

	for (size_t i = 0; i < ntests; i++)
		if (!only || strstr(tests[i].name, only))
			n++;
	printf("1..%zu\n", n);
	n = 0;
	for (size_t i = 0; i < ntests; i++) {
		if (only && !strstr(tests[i].name, only))
			continue;
		cur_failed = cur_skipped = false;
		fflush(stdout);
		tests[i].fn();
		n++;
		if (cur_skipped && !cur_failed)
			printf("ok %zu - %s # SKIP %s\n", n, tests[i].name,
			       skip_reason);
		else
			printf("%sok %zu - %s\n", cur_failed ? "not " : "", n,
			       tests[i].name);
		failed += cur_failed;
	}
	free(tests);
	return failed ? 1 : 0;
}
