/* resolve-case.h: run a resolver case file (see resolve-case.c). */
#ifndef GILD_RESOLVE_CASE_H
#define GILD_RESOLVE_CASE_H

#include "resolve.h"

enum { V_SLOT, V_IUSE, V_KEYWORDS, V_REQUIRED_USE, V_EAPI, V_DEPS,
       V_USE = V_DEPS + 5, V_NVARS };

/* Run the case at path; print a diff of expected and actual output to out
 * when they differ. With update, rewrite the file's expect lines instead.
 * Returns 0 when the output matched (or was updated), 1 when it did not,
 * or a negative code with err at the case file's line. */
int resolve_case_run(const char *path, bool update, FILE *out,
		     struct gild_err *err);

/* The output a case compares: the plan as `gild pretend` prints it, then
 * every problem. */
void resolve_report(FILE *f, const struct plan *p, const struct resolver *r);

#endif
