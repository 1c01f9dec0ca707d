/* version.c: PMS 3.2 version syntax and the 3.3 comparison algorithm.
 *
 * Everything works on (pointer, length) views of the version text: numbers
 * are compared as digit strings, so they may be of any length, and nothing
 * is allocated (40,000 recipes get sorted on every tree load). */
#include "pms/pms.h"

#include <ctype.h>

/* The parts of a valid version, as views into its text. */
struct vparts {
	const char *num, *num_end; /* "1.2.3": the numeric components */
	char letter;		   /* 0 when there is none */
	const char *suf, *suf_end; /* "_alpha1_p": all suffixes */
	const char *rev, *rev_end; /* the digits of -rN; empty when none */
};

/* Suffix types in the order PMS 3.3 (algorithm 3.6) ranks them. */
static const char *const suffix_names[] = {"alpha", "beta", "pre", "rc", "p"};
enum { SUFFIX_P = 4 };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_digits(const char *p, const char *end)
{
	while (p < end && is_digit(*p))
		p++;
	return p;
}

/* Read one "_name[N]" suffix at *p; on success advance *p and give the type
 * and the digits. "pre" is tried before "p" so "_pre" is not "_p" + "re". */
static bool next_suffix(const char **p, const char *end, int *type,
			const char **num, size_t *numlen)
{
	const char *s = *p + 1, *d;

	if (*p >= end || **p != '_')
		return false;
	for (int t = 0; t < (int)GILD_ARRAY_SIZE(suffix_names); t++) {
		size_t l = strlen(suffix_names[t]);
		if ((size_t)(end - s) < l || memcmp(s, suffix_names[t], l) != 0)
			continue;
		d = skip_digits(s + l, end);
		if (d < end && *d != '_' && *d != '-')
			continue; /* "_pfoo", or "_p" that was really "_pre" */
		*num = s + l;
		*numlen = (size_t)(d - *num);
		*type = t;
		*p = d;
		return true;
	}
	return false;
}

static bool parse_numbers(const char **p, const char *end)
{
	const char *s = *p;

	for (;;) {
		const char *d = skip_digits(s, end);
		if (d == s)
			return false;
		s = d;
		if (s + 1 < end && *s == '.' && is_digit(s[1]))
			s++;
		else
			break;
	}
	*p = s;
	return true;
}

static bool version_split(const char *s, size_t n, struct vparts *vp)
{
	const char *p = s, *end = s + n, *num;
	size_t numlen;
	int type;

	vp->num = p;
	if (!parse_numbers(&p, end))
		return false;
	vp->num_end = p;
	vp->letter = 0;
	if (p < end && *p >= 'a' && *p <= 'z')
		vp->letter = *p++;
	vp->suf = p;
	while (next_suffix(&p, end, &type, &num, &numlen))
		;
	vp->suf_end = p;
	vp->rev = vp->rev_end = end;
	if (p == end)
		return true;
	if (end - p < 3 || p[0] != '-' || p[1] != 'r')
		return false;
	vp->rev = p + 2;
	return skip_digits(vp->rev, end) == end;
}

bool version_valid(const char *s, size_t n)
{
	struct vparts vp;

	return version_split(s, n, &vp);
}

size_t version_rev_offset(const char *s, size_t n)
{
	struct vparts vp;

	if (!version_split(s, n, &vp) || vp.rev == s + n)
		return n;
	return (size_t)(vp.rev - 2 - s);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* Integer comparison of two digit strings of any length. */
static int int_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an && *a == '0')
		a++, an--;
	while (bn && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	return an ? sign(memcmp(a, b, an)) : 0;
}

/* ASCII stringwise comparison: a proper prefix sorts first. */
static int str_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return sign(c);
	return an < bn ? -1 : an > bn;
}

/* Algorithm 3.3: a component with a leading zero compares as a decimal
 * fraction would, by its digits with trailing zeros removed. */
static int component_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (*a != '0' && *b != '0')
		return int_cmp(a, an, b, bn);
	while (an && a[an - 1] == '0')
		an--;
	while (bn && b[bn - 1] == '0')
		bn--;
	return str_cmp(a, an, b, bn);
}

static size_t component_len(const char *p, const char *end)
{
	return (size_t)(skip_digits(p, end) - p);
}

/* Algorithm 3.2: the first component as an integer, the others by 3.3,
 * then the version with more components is the greater. */
static int numbers_cmp(const struct vparts *a, const struct vparts *b)
{
	const char *pa = a->num, *pb = b->num;
	size_t la = component_len(pa, a->num_end),
	       lb = component_len(pb, b->num_end);
	int c = int_cmp(pa, la, pb, lb);

	while (!c) {
		pa += la, pb += lb;
		if (pa == a->num_end || pb == b->num_end)
			return (pa != a->num_end) - (pb != b->num_end);
		pa++, pb++; /* the '.' */
		la = component_len(pa, a->num_end);
		lb = component_len(pb, b->num_end);
		c = component_cmp(pa, la, pb, lb);
	}
	return c;
}

/* Algorithms 3.5 and 3.6: suffixes pairwise; when one version has more,
 * its next suffix decides: _p makes it greater, anything else smaller. */
static int suffixes_cmp(const struct vparts *a, const struct vparts *b)
{
	const char *pa = a->suf, *pb = b->suf, *na, *nb;
	size_t la, lb;
	int ta, tb;
	bool ha, hb;

	for (;;) {
		ha = next_suffix(&pa, a->suf_end, &ta, &na, &la);
		hb = next_suffix(&pb, b->suf_end, &tb, &nb, &lb);
		if (!ha || !hb)
			break;
		if (ta != tb)
			return ta < tb ? -1 : 1;
		int c = int_cmp(na, la, nb, lb);
		if (c)
			return c;
	}
	if (ha)
		return ta == SUFFIX_P ? 1 : -1;
	if (hb)
		return tb == SUFFIX_P ? -1 : 1;
	return 0;
}

static int parts_cmp(const struct vparts *a, const struct vparts *b,
		     bool revision)
{
	int c = numbers_cmp(a, b);

	if (!c && a->letter != b->letter)
		c = (unsigned char)a->letter < (unsigned char)b->letter ? -1
									: 1;
	if (!c)
		c = suffixes_cmp(a, b);
	if (!c && revision)
		c = int_cmp(a->rev, (size_t)(a->rev_end - a->rev), b->rev,
			    (size_t)(b->rev_end - b->rev));
	return c;
}

static int cmp_views(const char *a, size_t an, const char *b, size_t bn,
		     bool revision)
{
	struct vparts va, vb;
	bool oka = version_split(a, an, &va), okb = version_split(b, bn, &vb);

	if (!oka ||
	    !okb) /* invalid ones sort last, among themselves bytewise */
		return oka != okb ? (oka ? -1 : 1) : str_cmp(a, an, b, bn);
	return parts_cmp(&va, &vb, revision);
}

int version_cmp_n(const char *a, size_t an, const char *b, size_t bn)
{
	return cmp_views(a, an, b, bn, true);
}

int version_cmp(const char *a, const char *b)
{
	return cmp_views(a, strlen(a), b, strlen(b), true);
}

int version_cmp_norev(const char *a, const char *b)
{
	return cmp_views(a, strlen(a), b, strlen(b), false);
}

/* "007.1" and "7.1" glob alike: Portage strips the first component's
 * leading zeros before its prefix match. */
static const char *skip_leading_zeros(const char *s)
{
	while (s[0] == '0' && is_digit(s[1]))
		s++;
	return s;
}

bool version_glob_match(const char *pattern, const char *v)
{
	const char *p = skip_leading_zeros(pattern), *s = skip_leading_zeros(v);
	size_t n = strlen(p);
	char next;

	if (!n || strncmp(p, s, n) != 0)
		return false;
	next = s[n];
	return !next || next == '.' || next == '_' || next == '-' ||
	       is_digit(p[n - 1]) != is_digit(next);
}
