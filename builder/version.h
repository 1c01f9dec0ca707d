/* version.h: package versions as PMS chapter 3 defines them.
 *
 * Syntax (PMS 3.2): one or more numeric components separated by '.', an
 * optional letter [a-z], zero or more suffixes _alpha _beta _pre _rc _p each
 * with an optional number, and an optional revision -rN.  Numbers may have
 * any length: comparison never converts them to machine integers, so
 * nothing overflows and nothing is allocated.
 */
#ifndef GILD_VERSION_H
#define GILD_VERSION_H

#include "base.h"

/* Whether s[0..n) is a valid version, revision included (PMS 3.2). */
bool version_valid(const char *s, size_t n);

/* Length of the version without its revision: the offset of "-rN" in a valid
 * version s[0..n), or n when there is none. */
size_t version_rev_offset(const char *s, size_t n);

/* Compare two valid versions by PMS 3.3 (algorithms 3.1-3.7).  Returns <0,
 * 0 or >0.  Invalid input gives an unspecified but consistent order. */
int version_cmp(const char *a, const char *b);
int version_cmp_n(const char *a, size_t an, const char *b, size_t bn);

/* The same ignoring the revisions (the '~' operator, PMS 8.3.1). */
int version_cmp_norev(const char *a, const char *b);

/* The '=VER*' match of PMS 8.3.1: v (with or without revision) matches when
 * it begins with pattern (without the '*') and the match ends at a
 * component boundary, so "1.2" matches 1.2, 1.2.3, 1.2a, 1.2_rc1 and
 * 1.2-r1 but not 1.20 (Portage's reading, Gentoo bug 560466).  Leading
 * zeros of the first component do not count. */
bool version_glob_match(const char *pattern, const char *v);

#endif /* GILD_VERSION_H */
