/* atom.c: PMS 3.1 names and PMS 8.3 package dependency specifications. */
#include "pms/pms.h"

/* ---- names (PMS 3.1) ------------------------------------------------------
 */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Offset of the first character that may not appear in a name whose first
 * character is alphanumeric or in `first`, and the others alphanumeric or in
 * `rest`; n when all are fine, 0 for an empty name. */
static size_t name_bad_char(const char *s, size_t n, const char *first,
			    const char *rest)
{
	if (!n || !(is_alnum(s[0]) || strchr(first, s[0])) || !s[0])
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && (!s[i] || !strchr(rest, s[i])))
			return i;
	return n;
}

#define CATEGORY_FIRST "_"
#define CATEGORY_REST "+_.-"
#define PACKAGE_FIRST "_"
#define PACKAGE_REST "+_-"
#define USE_FIRST ""
#define USE_REST "+_@-"

bool category_valid(const char *s, size_t n)
{
	return n && name_bad_char(s, n, CATEGORY_FIRST, CATEGORY_REST) == n;
}

bool slot_name_valid(const char *s, size_t n)
{
	return category_valid(s, n); /* PMS 3.1.3: the same characters */
}

bool license_name_valid(const char *s, size_t n)
{
	return category_valid(s, n); /* PMS 3.1.7: the same characters */
}

bool use_flag_valid(const char *s, size_t n)
{
	return n && name_bad_char(s, n, USE_FIRST, USE_REST) == n;
}

/* PMS 3.1.2: a package name "must not end in a hyphen followed by anything
 * matching the version syntax". */
static bool ends_in_version(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '-' && version_valid(s + i + 1, n - i - 1))
			return true;
	return false;
}

bool package_name_valid(const char *s, size_t n)
{
	return n && name_bad_char(s, n, PACKAGE_FIRST, PACKAGE_REST) == n &&
	       !ends_in_version(s, n);
}

/* ---- category/package-version ------------------------------------------- */

/* The first hyphen followed by a valid version splits PN from PVR; PN may
 * itself hold hyphens ("font-util-1.0"). Returns n when there is none. */
static size_t version_hyphen(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '-' && version_valid(s + i + 1, n - i - 1))
			return i;
	return n;
}

static void cpv_fill_version(struct cpv *c, const char *v, size_t n)
{
	size_t r = version_rev_offset(v, n);

	c->pvr = (gild_str){v, n};
	c->version = (gild_str){v, r};
	c->revision =
	    r < n ? (gild_str){v + r + 2, n - r - 2} : (gild_str){v + n, 0};
}

int cpv_split_pf(const char *s, size_t n, struct cpv *out, struct gild_err *err)
{
	size_t h = version_hyphen(s, n);

	memset(out, 0, sizeof(*out));
	out->category = (gild_str){s, 0};
	if (h == n)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "no version in '%.*s'", (int)n, s);
	if (!package_name_valid(s, h))
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "invalid package name '%.*s'", (int)h, s);
	out->package = (gild_str){s, h};
	cpv_fill_version(out, s + h + 1, n - h - 1);
	return 0;
}

int cpv_split(const char *s, size_t n, struct cpv *out, struct gild_err *err)
{
	const char *slash = memchr(s, '/', n);
	size_t cn;
	int r;

	if (!slash)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "no category in '%.*s'", (int)n, s);
	cn = (size_t)(slash - s);
	if (!category_valid(s, cn))
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "invalid category '%.*s'", (int)cn, s);
	r = cpv_split_pf(slash + 1, n - cn - 1, out, err);
	out->category = (gild_str){s, cn};
	return r;
}

/* ---- atoms: one allocation ------------------------------------------------
 */

/* The struct, then the USE dependencies, then every string. */
static struct atom *atom_alloc(size_t n, size_t n_use, char **area)
{
	size_t head = sizeof(struct atom) + n_use * sizeof(struct use_dep);
	/* text + category + package + version + pvr + slot + subslot (each at
	 * most n) and per USE dependency its flag and text */
	size_t strings = 7 * (n + 1) + 2 * (n + n_use);
	/* only the header needs zeroing; the strings are written as copied */
	struct atom *a = xmalloc(head + strings);

	memset(a, 0, sizeof(*a));

	a->use = (struct use_dep *)(a + 1);
	*area = (char *)a + head;
	return a;
}

static const char *area_put(char **area, const char *s, size_t n)
{
	char *p = *area;

	memcpy(p, s, n);
	p[n] = '\0';
	*area = p + n + 1;
	return p;
}

void atom_free(struct atom *a)
{
	free(a);
}

/* ---- atoms: parsing ----------------------------------------------------- */

struct atom_parser {
	const char *s;
	size_t n;
	const struct gild_loc *start; /* NULL: put the column in the message */
	struct gild_err *err;
	struct atom *a;
	char *area;
};

static int atom_fail(struct atom_parser *ps, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int atom_fail(struct atom_parser *ps, size_t off, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	unsigned col = (unsigned)off + 1;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ps->start && ps->start->file) {
		struct gild_loc loc = *ps->start;
		loc.col += (unsigned)off;
		return gild_fail(ps->err, -GILD_E_SYNTAX, &loc,
				 "invalid atom '%.*s': %s", (int)ps->n, ps->s,
				 why);
	}
	/* no file: a string from the command line; say where in words */
	if (ps->start)
		col += ps->start->col - 1;
	if (ps->start && ps->start->line > 1)
		return gild_fail(
		    ps->err, -GILD_E_SYNTAX, NULL,
		    "invalid atom '%.*s': %s at line %u, column %u", (int)ps->n,
		    ps->s, why, ps->start->line, col);
	return gild_fail(ps->err, -GILD_E_SYNTAX, NULL,
			 "invalid atom '%.*s': %s at column %u", (int)ps->n,
			 ps->s, why, col);
}

static const struct {
	const char *text;
	enum atom_op op;
} atom_ops[] = {
    /* two-character operators first */
    {"<=", ATOM_OP_LE}, {">=", ATOM_OP_GE}, {"<", ATOM_OP_LT},
    {">", ATOM_OP_GT},	{"=", ATOM_OP_EQ},  {"~", ATOM_OP_TILDE},
};

const char *atom_op_str(enum atom_op op)
{
	if (op == ATOM_OP_GLOB)
		return "=*";
	for (size_t i = 0; i < GILD_ARRAY_SIZE(atom_ops); i++)
		if (atom_ops[i].op == op)
			return atom_ops[i].text;
	return "";
}

static size_t parse_prefix(struct atom_parser *ps)
{
	const char *s = ps->s;
	size_t pos = 0;

	if (pos < ps->n && s[pos] == '!')
		ps->a->blocker = 1, pos++;
	if (pos < ps->n && s[pos] == '!')
		ps->a->blocker = 2, pos++;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(atom_ops); i++) {
		size_t l = strlen(atom_ops[i].text);
		if (ps->n - pos >= l &&
		    memcmp(s + pos, atom_ops[i].text, l) == 0) {
			ps->a->op = atom_ops[i].op;
			return pos + l;
		}
	}
	return pos;
}

static int check_name(struct atom_parser *ps, size_t off, size_t n,
		      const char *what, const char *first, const char *rest)
{
	size_t bad = name_bad_char(ps->s + off, n, first, rest);

	if (!n)
		return atom_fail(ps, off, "empty %s", what);
	if (bad < n)
		return atom_fail(ps, off + bad,
				 "invalid character '%c' in %s '%.*s'",
				 ps->s[off + bad], what, (int)n, ps->s + off);
	return 0;
}

static int set_version(struct atom_parser *ps, size_t off, size_t n)
{
	const char *v = ps->s + off;
	size_t r = version_rev_offset(v, n);
	unsigned long long rev = 0;

	/* PMS 3.2 sets no limit on a component's length: a huge revision
	 * stays exact in pvr and saturates only in this convenience field */
	for (size_t i = r + 2; i < n; i++)
		rev = rev > (~0ULL - 9) / 10
			  ? ~0ULL
			  : rev * 10 + (unsigned)(v[i] - '0');
	ps->a->revision = rev;
	ps->a->pvr = area_put(&ps->area, v, n);
	ps->a->version = area_put(&ps->area, v, r);
	return 0;
}

/* "pn-ver" after an operator; off..off+n excludes a trailing '*'. */
static int parse_versioned(struct atom_parser *ps, size_t off, size_t n)
{
	size_t h = version_hyphen(ps->s + off, n);
	int r;

	if (h == n)
		return atom_fail(
		    ps, off, "operator '%s' needs a valid version",
		    ps->a->op == ATOM_OP_GLOB ? "=" : atom_op_str(ps->a->op));
	if ((r = check_name(ps, off, h, "package name", PACKAGE_FIRST,
			    PACKAGE_REST)) < 0)
		return r;
	if (ends_in_version(ps->s + off, h))
		return atom_fail(ps, off,
				 "package name '%.*s' ends in a version",
				 (int)h, ps->s + off);
	ps->a->package = area_put(&ps->area, ps->s + off, h);
	return set_version(ps, off + h + 1, n - h - 1);
}

static int parse_unversioned(struct atom_parser *ps, size_t off, size_t n)
{
	size_t h = version_hyphen(ps->s + off, n);

	/* "cat/foo-1.0": the usual mistake, worth its own message */
	if (h < n && package_name_valid(ps->s + off, h))
		return atom_fail(ps, off,
				 "package name '%.*s' ends in a version (a "
				 "version needs an operator such as '=')",
				 (int)n, ps->s + off);
	if (check_name(ps, off, n, "package name", PACKAGE_FIRST,
		       PACKAGE_REST) < 0)
		return -GILD_E_SYNTAX;
	if (ends_in_version(ps->s + off, n))
		return atom_fail(ps, off,
				 "package name '%.*s' ends in a version",
				 (int)n, ps->s + off);
	ps->a->package = area_put(&ps->area, ps->s + off, n);
	return 0;
}

/* "category/package[-version][*]" in s[off..end). */
static int parse_name(struct atom_parser *ps, size_t off, size_t end)
{
	const char *s = ps->s, *slash = memchr(s + off, '/', end - off);
	size_t cat_n, p, pn;
	int r;

	if (off == end || !slash)
		return atom_fail(ps, off, "expected 'category/package'");
	cat_n = (size_t)(slash - (s + off));
	if ((r = check_name(ps, off, cat_n, "category", CATEGORY_FIRST,
			    CATEGORY_REST)) < 0)
		return r;
	ps->a->category = area_put(&ps->area, s + off, cat_n);
	p = off + cat_n + 1;
	pn = end - p;
	if (pn && s[end - 1] == '*') {
		if (ps->a->op != ATOM_OP_EQ)
			return atom_fail(
			    ps, end - 1,
			    "'*' is only allowed after '=' versions");
		ps->a->op = ATOM_OP_GLOB;
		pn--;
	}
	if (ps->a->op == ATOM_OP_NONE)
		return parse_unversioned(ps, p, pn);
	return parse_versioned(ps, p, pn);
}

/* ":slot", ":slot/sub", ":*", ":=", ":slot=", ":slot/sub=" in
 * s[off..end), off at the ':' (PMS 8.3.3). */
static int parse_slot(struct atom_parser *ps, size_t off, size_t end)
{
	const char *s = ps->s;
	size_t p = off + 1, n = end - p;
	const char *sub;
	int r;

	if (n && s[p] == ':')
		return atom_fail(
		    ps, off, "repository dependencies ('::') are not allowed");
	if (n == 1 && (s[p] == '*' || s[p] == '='))
		return ps->a->slot_op =
			   s[p] == '*' ? ATOM_SLOT_OP_STAR : ATOM_SLOT_OP_EQ,
		       0;
	if (n && s[end - 1] == '=')
		ps->a->slot_op = ATOM_SLOT_OP_EQ, n--;
	sub = memchr(s + p, '/', n);
	if ((r = check_name(ps, p, sub ? (size_t)(sub - (s + p)) : n, "slot",
			    CATEGORY_FIRST, CATEGORY_REST)) < 0)
		return r;
	if (!sub) {
		ps->a->slot = area_put(&ps->area, s + p, n);
		return 0;
	}
	ps->a->slot = area_put(&ps->area, s + p, (size_t)(sub - (s + p)));
	p = (size_t)(sub - s) + 1;
	n = end - p - (ps->a->slot_op == ATOM_SLOT_OP_EQ);
	if ((r = check_name(ps, p, n, "sub-slot", CATEGORY_FIRST,
			    CATEGORY_REST)) < 0)
		return r;
	ps->a->subslot = area_put(&ps->area, s + p, n);
	return 0;
}

static const char *use_dep_text_ok(const char *t, size_t m, size_t *flag_end,
				   struct use_dep *u)
{
	size_t q = 0, f;
	bool bang = false, minus = false;

	if (t[0] == '!')
		bang = true, q = 1;
	else if (t[0] == '-')
		minus = true, q = 1;
	f = q;
	while (q < m && (is_alnum(t[q]) || strchr(USE_REST, t[q])) && t[q])
		q++;
	*flag_end = q;
	if (!use_flag_valid(t + f, q - f))
		return "invalid USE flag name";
	u->def = USE_DEFAULT_NONE;
	if (m - q >= 3 && t[q] == '(' && t[q + 2] == ')' &&
	    (t[q + 1] == '+' || t[q + 1] == '-')) {
		u->def = t[q + 1] == '+' ? USE_DEFAULT_PLUS : USE_DEFAULT_MINUS;
		q += 3;
	}
	u->kind = minus ? USE_DEP_DISABLED : USE_DEP_ENABLED;
	if (q < m && (t[q] == '?' || t[q] == '=')) {
		if (minus)
			return "'-flag' cannot take '?' or '='";
		u->kind = t[q] == '?' ? (bang ? USE_DEP_IF_NOT : USE_DEP_IF)
				      : (bang ? USE_DEP_NEQ : USE_DEP_EQ);
		q++;
	} else if (bang)
		return "'!flag' needs '?' or '='";
	if (q != m)
		return "unexpected text after the flag";
	return NULL;
}

static int parse_use_dep(struct atom_parser *ps, size_t off, size_t m)
{
	const char *t = ps->s + off, *why;
	struct use_dep *u = &ps->a->use[ps->a->n_use];
	size_t flag_end, f;

	if (!m)
		return atom_fail(ps, off, "empty USE dependency");
	why = use_dep_text_ok(t, m, &flag_end, u);
	if (why)
		return atom_fail(ps, off, "%s in USE dependency '%.*s'", why,
				 (int)m, t);
	f = (t[0] == '!' || t[0] == '-');
	u->flag = area_put(&ps->area, t + f, flag_end - f);
	u->text = area_put(&ps->area, t, m);
	ps->a->n_use++;
	return 0;
}

/* "[a,-b,c?]" from off (at '[') to the end of the atom (PMS 8.3.4). */
static int parse_use(struct atom_parser *ps, size_t off)
{
	const char *s = ps->s, *close = memchr(s + off, ']', ps->n - off);
	size_t p = off + 1, end;
	int r;

	if (!close)
		return atom_fail(ps, off, "missing ']'");
	end = (size_t)(close - s);
	if (end + 1 < ps->n)
		return atom_fail(ps, end + 1, "unexpected text after ']'");
	for (;;) {
		const char *comma = memchr(s + p, ',', end - p);
		size_t e = comma ? (size_t)(comma - s) : end;
		if ((r = parse_use_dep(ps, p, e - p)) < 0)
			return r;
		if (!comma)
			return 0;
		p = e + 1;
	}
}

static size_t count_use_slots(const char *s, size_t n)
{
	size_t c = 1;

	for (size_t i = 0; i < n; i++)
		c += s[i] == ',';
	return c;
}

static size_t span_until(const char *s, size_t from, size_t n,
			 const char *stops)
{
	while (from < n && !strchr(stops, s[from]))
		from++;
	return from;
}

static int parse_atom_body(struct atom_parser *ps)
{
	size_t pos = parse_prefix(ps);
	size_t name_end = span_until(ps->s, pos, ps->n, ":[");
	size_t slot_end;
	int r;

	if ((r = parse_name(ps, pos, name_end)) < 0)
		return r;
	if (name_end < ps->n && ps->s[name_end] == ':') {
		slot_end = span_until(ps->s, name_end, ps->n, "[");
		if ((r = parse_slot(ps, name_end, slot_end)) < 0)
			return r;
		/* ":=" records what a package was built against (PMS 8.3.3);
		 * there is nothing to record for a package that must be absent
		 */
		if (ps->a->blocker && ps->a->slot_op == ATOM_SLOT_OP_EQ)
			return atom_fail(
			    ps, name_end,
			    "a blocker cannot have the ':=' slot operator");
		name_end = slot_end;
	}
	if (name_end < ps->n)
		return parse_use(ps, name_end);
	return 0;
}

int atom_parse_at(const char *s, size_t n, int eapi,
		  const struct gild_loc *start, struct atom **out,
		  struct gild_err *err)
{
	_cleanup_(atom_freep) struct atom *a = NULL;
	struct atom_parser ps = {s, n, start, err, NULL, NULL};
	int r;

	if (eapi != 7 && eapi != 8)
		return gild_fail(err, -GILD_E_UNSUPPORTED, start,
				 "unsupported EAPI '%d'", eapi);
	if (memchr(s, '\0', n))
		return atom_fail(&ps,
				 (size_t)((const char *)memchr(s, '\0', n) - s),
				 "NUL character");
	a = atom_alloc(n, count_use_slots(s, n), &ps.area);
	ps.a = a;
	a->text = area_put(&ps.area, s, n);
	if ((r = parse_atom_body(&ps)) < 0)
		return r;
	*out = TAKE_PTR(a);
	return 0;
}

int atom_parse(const char *s, size_t n, int eapi, struct atom **out,
	       struct gild_err *err)
{
	return atom_parse_at(s, n, eapi, NULL, out, err);
}

/* ---- matching and printing ---------------------------------------------- */

static bool version_op_match(const struct atom *a, const char *pvr)
{
	switch (a->op) {
	case ATOM_OP_NONE:
		return true;
	case ATOM_OP_GLOB:
		return version_glob_match(a->pvr, pvr);
	case ATOM_OP_TILDE:
		return version_cmp_norev(pvr, a->version) == 0;
	default:
		break;
	}
	int c = version_cmp(pvr, a->pvr);
	switch (a->op) {
	case ATOM_OP_LT:
		return c < 0;
	case ATOM_OP_LE:
		return c <= 0;
	case ATOM_OP_EQ:
		return c == 0;
	case ATOM_OP_GE:
		return c >= 0;
	case ATOM_OP_GT:
		return c > 0;
	default:
		return false;
	}
}

bool atom_match_cpv(const struct atom *a, const char *cat, const char *pn,
		    const char *pvr)
{
	return strcmp(a->category, cat) == 0 && strcmp(a->package, pn) == 0 &&
	       version_op_match(a, pvr);
}

bool atom_match_slot(const struct atom *a, const char *slot,
		     const char *subslot)
{
	if (!a->slot)
		return true;
	if (!slot || strcmp(a->slot, slot) != 0)
		return false;
	return !a->subslot || strcmp(a->subslot, subslot ? subslot : slot) == 0;
}

void atom_format(const struct atom *a, struct gild_buf *out)
{
	gild_buf_adds(out, a->blocker == 2 ? "!!" : a->blocker ? "!" : "");
	gild_buf_adds(out, a->op == ATOM_OP_GLOB ? "=" : atom_op_str(a->op));
	gild_buf_printf(out, "%s/%s", a->category, a->package);
	if (a->pvr)
		gild_buf_printf(out, "-%s%s", a->pvr,
				a->op == ATOM_OP_GLOB ? "*" : "");
	if (a->slot || a->slot_op)
		gild_buf_addc(out, ':');
	if (a->slot)
		gild_buf_adds(out, a->slot);
	if (a->subslot)
		gild_buf_printf(out, "/%s", a->subslot);
	if (a->slot_op)
		gild_buf_addc(out, a->slot_op == ATOM_SLOT_OP_EQ ? '=' : '*');
	for (size_t i = 0; i < a->n_use; i++)
		gild_buf_printf(out, "%c%s", i ? ',' : '[', a->use[i].text);
	if (a->n_use)
		gild_buf_addc(out, ']');
}
