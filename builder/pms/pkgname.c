/* pkgname.c: one way from a name a user typed ("zlib") to a package
 * ("sys-libs/zlib"), with one message for each way it can fail: every
 * command that takes a package name (query, deps, info, fetch, build,
 * pretend, why) goes through pkgname_pick, whatever it reads the
 * candidates from (the tree, the resolver's cache, category
 * directories). */
#include "pms/pms.h"

/* Levenshtein distance, capped: names further apart than cap are not
 * suggested anyway. */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t na = strlen(a), nb = strlen(b);
	_cleanup_free_ size_t *row = xcalloc(nb + 1, sizeof(size_t));

	if ((na > nb ? na - nb : nb - na) > cap)
		return cap + 1;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t sub = diag + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins)
					   : (del < ins ? del : ins);
			diag = up;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[nb];
}

/* The name part of "cat/pn". */
static const char *pn_of(const char *cpn)
{
	const char *s = strrchr(cpn, '/');

	return s ? s + 1 : cpn;
}

/* git's "did you mean": the closest names, at most 3 edits away (fewer
 * for short names), or names that start with what was typed. */
static void suggest(const char *name, const struct gild_strv *all,
		    struct gild_buf *out)
{
	const char *want = pn_of(name);
	size_t cap = strlen(want) < 3 ? 1 : strlen(want) < 8 ? 2 : 3;
	size_t best = cap + 1, n = 0;

	for (size_t i = 0; all && i < all->n; i++) {
		size_t d = distance(want, pn_of(all->v[i]), cap);
		if (d < best)
			best = d;
	}
	for (size_t i = 0; all && i < all->n && n < 5; i++) {
		const char *pn = pn_of(all->v[i]);
		if ((best <= cap && distance(want, pn, cap) == best) ||
		    (strlen(want) >= 3 && gild_startswith(pn, want))) {
			gild_buf_printf(out, "%s'%s'", n++ ? ", " : "",
					all->v[i]);
		}
	}
}

int pkgname_pick(const char *name, const struct gild_strv *matches,
		 const struct gild_strv *all, size_t *pick,
		 struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;

	if (matches->n == 1) {
		*pick = 0;
		return 0;
	}
	if (matches->n > 1) {
		for (size_t i = 0; i < matches->n; i++)
			gild_buf_printf(&b, "%s'%s'", i ? ", " : "",
					matches->v[i]);
		return gild_fail(err, -GILD_E_AMBIGUOUS, NULL,
				 "'%s' is ambiguous: %s (give the category)",
				 name, b.p);
	}
	suggest(name, all, &b);
	if (b.n)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no package named '%s' in the tree; did you "
				 "mean %s?",
				 name, b.p);
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "no package named '%s' in the tree", name);
}

int pkgname_no_version(const char *cpn, const char *atom,
		       const struct gild_strv *versions, struct gild_err *err)
{
	_cleanup_(gild_buf_releasep) struct gild_buf b = GILD_BUF_INIT;

	for (size_t i = 0; i < versions->n; i++)
		gild_buf_printf(&b, "%s%s", i ? ", " : "", versions->v[i]);
	if (!versions->n)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "no version of %s matches '%s'; it has no "
				 "recipe",
				 cpn, atom);
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "no version of %s matches '%s'; there %s %s", cpn,
			 atom, versions->n == 1 ? "is" : "are", b.p);
}

void pkgname_tree_names(const struct tree *t, struct gild_strv *out)
{
	for (size_t i = 0; i < tree_npkgs(t); i++) {
		const struct tree_pkg *p = tree_pkg_at(t, i);
		gild_strv_push(out, xasprintf("%s/%s", p->category, p->pn));
	}
}

int pkgname_no_version_in_tree(const struct tree_pkg *p, const char *atom,
			       struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv v = GILD_STRV_INIT;
	_cleanup_free_ char *cpn = xasprintf("%s/%s", p->category, p->pn);

	for (size_t i = 0; i < p->n_versions; i++)
		gild_strv_add(&v, p->versions[i]->pvr);
	return pkgname_no_version(cpn, atom, &v, err);
}

int pkgname_in_tree(const struct tree *t, const char *name, char **cpn,
		    struct gild_err *err)
{
	_cleanup_(gild_strv_releasep) struct gild_strv m = GILD_STRV_INIT;
	_cleanup_(gild_strv_releasep) struct gild_strv all = GILD_STRV_INIT;
	struct tree_pkg *pk[16];
	size_t n = tree_find_pn(t, name, pk, 16), pick;
	int r;

	for (size_t i = 0; i < n && i < 16; i++)
		gild_strv_push(&m,
			       xasprintf("%s/%s", pk[i]->category, pk[i]->pn));
	if (!m.n)
		pkgname_tree_names(t, &all);
	if ((r = pkgname_pick(name, &m, &all, &pick, err)) < 0)
		return r;
	*cpn = xstrdup(m.v[pick]);
	return 0;
}
