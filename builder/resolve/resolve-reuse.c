/* resolve-reuse.c: binary and installed versions in a plan (packages
 * already in the binary repository or in an installed root are reused),
 * the way emerge --usepkg --newuse treats them:
 *  - a binary or installed version whose USE or IUSE differs from what
 *    the configuration now gives the same version in the tree is not
 *    reused (--newuse): the tree version replaces it, its changed flags
 *    marked '*' (and '%' for IUSE changes) as emerge -pv does;
 *  - a binary version whose run-time dependencies (reduced under its USE,
 *    `:=` slots stripped) differ from the tree's for the same version is
 *    not reused either (emerge's --binpkg-changed-deps, on by default):
 *    its recorded dependencies would be planned, not the recipe's;
 *  - one built against a sub-slot (`:=`, PMS 8.3.3 "the package manager
 *    records the slot and sub-slot the dependency was built against")
 *    that the plan changes is rebuilt; an installed one is added to the
 *    plan even when no target needs it, since it would break;
 *  - every entry of the plan gets emerge's letters against the installed
 *    root: N new, NS new slot, R the same version, U upgrade, UD
 *    downgrade (portage's resolver/output.py).
 */
#include "resolve-input-impl.h"

#include "pms/pms.h"

static bool has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Flags of IUSE in both whose state differs, into changed; flags in one
 * IUSE only, into iuse_changed (emerge's '*' and '%'). */
static void use_changes(const struct rs_recipe *now,
			const struct rs_recipe *built,
			struct gild_strv *changed,
			struct gild_strv *iuse_changed)
{
	for (size_t i = 0; i < now->n_iuse; i++) {
		const char *f = now->iuse[i];
		if (!has(built->iuse, built->n_iuse, f))
			gild_strv_add(iuse_changed, f);
		else if (has(now->use, now->n_use, f) !=
			 has(built->use, built->n_use, f))
			gild_strv_add(changed, f);
	}
	for (size_t i = 0; i < built->n_iuse; i++)
		if (!has(now->iuse, now->n_iuse, built->iuse[i]))
			gild_strv_add(iuse_changed, built->iuse[i]);
}

static void add_refusal(struct entry *e, char *reason)
{
	struct rs_recipe *c = &e->rec;
	char **v =
	    xrealloc((char **)c->refused, (c->n_refused + 2) * sizeof(*v));

	v[c->n_refused++] = reason;
	v[c->n_refused] = NULL;
	c->refused = (const char *const *)v;
}

/* The tree's entry of the same package version, or NULL. */
static struct entry *tree_twin(struct rs_input *in, const struct entry *e)
{
	size_t first, end;

	rs_input_cpn_range(in, e->rec.category, e->rec.pn, &first, &end);
	for (size_t i = first; i < end; i++) {
		struct entry *t = &in->v[in->by_cpn[i]];
		if (t->rec.origin == RS_TREE &&
		    !strcmp(t->rec.pvr, e->rec.pvr)) {
			rs_input_materialize(in, t);
			return t;
		}
	}
	return NULL;
}

static char *join(const struct gild_strv *v)
{
	struct gild_buf b = GILD_BUF_INIT;

	for (size_t i = 0; i < v->n; i++)
		gild_buf_printf(&b, "%s%s", i ? " " : "", v->v[i]);
	return gild_buf_steal(&b);
}

/* "cat/pn:SLOT/SUB=" and "cat/pn:SLOT=" as ":=": a binary records the
 * slot it was built against where the recipe says `:=` (Portage's
 * strip_slots before it compares). In place. */
static void strip_slot_ops(char *s)
{
	char *out = s;

	while (*s) {
		char *colon = *s == ':' ? s : NULL;
		size_t n = colon ? strcspn(s, " =[") : 0;
		if (colon && s[n] == '=') {
			*out++ = ':';
			s += n;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* The first run-time dependency class (what a binary package is used
 * for; its build-time ones no longer matter) whose reduced text differs
 * between the tree's version and a binary of it, or -1. */
static int changed_deps(const struct rs_recipe *now,
			const struct rs_recipe *built)
{
	static const int runtime[] = {DEP_RDEPEND, DEP_PDEPEND, DEP_IDEPEND};

	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *a = rs_input_reduced_deps(now, runtime[i]);
		_cleanup_free_ char *b =
		    rs_input_reduced_deps(built, runtime[i]);
		strip_slot_ops(a);
		strip_slot_ops(b);
		if (strcmp(a, b))
			return runtime[i];
	}
	return -1;
}

/* --newuse: compare with the tree's version; a binary of a version the
 * configuration does not accept is not used either (an installed one
 * stays: emerge keeps installed masked packages). */
static void check_one(struct rs_input *in, struct entry *e)
{
	struct gild_strv changed = GILD_STRV_INIT, iuse = GILD_STRV_INIT;
	struct entry *t = tree_twin(in, e);
	const char *what = e->rec.origin == RS_BINARY ? "built" : "installed";

	if (!t)
		return;
	if (e->rec.origin == RS_BINARY && t->rec.n_refused)
		add_refusal(e, xasprintf("binary package of a version that is "
					 "not visible: %s",
					 t->rec.refused[0]));
	if (t->rec.n_refused)
		return; /* no rebuild of a version that may not be built */
	use_changes(&t->rec, &e->rec, &changed, &iuse);
	if (changed.n) {
		_cleanup_free_ char *s = join(&changed);
		add_refusal(
		    e, xasprintf("%s with USE flags that changed since: %s",
				 what, s));
	} else if (iuse.n) {
		_cleanup_free_ char *s = join(&iuse);
		add_refusal(e, xasprintf("%s with another IUSE: %s", what, s));
	} else if (e->rec.origin == RS_BINARY) {
		int cls = changed_deps(&t->rec, &e->rec);
		if (cls >= 0)
			add_refusal(e, xasprintf("built with other %s than the "
						 "recipe's now",
						 dep_class_name(cls)));
	}
	gild_strv_release(&changed);
	gild_strv_release(&iuse);
}

void rs_reuse_forget(struct rs_input *in, const char *cpn)
{
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->v[i];
		if ((e->rec.origin != RS_BINARY &&
		     e->rec.origin != RS_INSTALLED) ||
		    !e->reuse_checked || strcmp(e->cpn, cpn))
			continue;
		for (size_t k = 0; k < e->rec.n_refused; k++)
			free((char *)e->rec.refused[k]);
		free((char **)e->rec.refused);
		e->rec.refused = NULL;
		e->rec.n_refused = 0;
		e->reuse_checked = false;
	}
}

void rs_reuse_check_use(struct rs_input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->v[i];
		if ((e->rec.origin != RS_BINARY &&
		     e->rec.origin != RS_INSTALLED) ||
		    e->reuse_checked)
			continue;
		e->reuse_checked = true;
		check_one(in, e);
	}
}

/* ---- := sub-slots -----------------------------------------------------------
 */

/* The plan entry holding cpn in slot, or NULL. */
static const struct plan_entry *plan_slot(const struct rs_input *in,
					  const struct plan *p, const char *cpn,
					  size_t ncpn, const char *slot,
					  size_t nslot)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rs_pkg *k = resolver_pkg(in->r, p->v[i].pkg);
		if (strlen(k->cpn) == ncpn && !memcmp(k->cpn, cpn, ncpn) &&
		    strlen(k->slot) == nslot && !memcmp(k->slot, slot, nslot))
			return &p->v[i];
	}
	return NULL;
}

/* The recorded "cat/pn:SLOT/SUB" that the plan changes, with the new
 * sub-slot, or NULL. A binary counts against whatever the plan holds (a
 * kept installed version too); an installed one only against what the
 * plan merges anew (an installed dependency that already differs is the
 * root's business). */
static const char *changed_slotdep(const struct rs_input *in,
				   const struct plan *p, const struct entry *e,
				   const char **newsub)
{
	for (size_t i = 0; i < e->rec.n_slotdeps; i++) {
		const char *d = e->rec.slotdeps[i];
		const char *colon = strchr(d, ':'), *slash;
		const struct plan_entry *pe;
		const struct rs_pkg *k;
		if (!colon || !(slash = strchr(colon, '/')))
			continue;
		pe = plan_slot(in, p, d, (size_t)(colon - d), colon + 1,
			       (size_t)(slash - colon - 1));
		if (!pe ||
		    (e->rec.origin == RS_INSTALLED && pe->action == PLAN_KEEP))
			continue;
		k = resolver_pkg(in->r, pe->pkg);
		if (strcmp(k->subslot, slash + 1)) {
			*newsub = k->subslot;
			return d;
		}
	}
	return NULL;
}

/* An installed version that must be rebuilt becomes a target: the same
 * version when the tree still has it, else the best of its slot. */
static void add_rebuild_target(struct rs_input *in, struct entry *e)
{
	struct entry *t = tree_twin(in, e);
	_cleanup_free_ char *target =
	    t && !t->rec.n_refused ? xasprintf("=%s-%s", e->cpn, e->rec.pvr)
				   : xasprintf("%s:%s", e->cpn, e->rec.slot);

	if (!gild_strv_contains(&in->targets, target)) {
		gild_strv_add(&in->targets, target);
		gild_strv_add(&in->rebuild_targets, target);
	}
}

bool rs_reuse_check_slots(struct rs_input *in, const struct plan *p)
{
	bool again = false;

	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->v[i];
		const char *d, *sub = NULL;
		if ((e->rec.origin != RS_BINARY &&
		     e->rec.origin != RS_INSTALLED) ||
		    e->rec.n_refused || !e->rec.n_slotdeps)
			continue;
		if (e->rec.origin == RS_BINARY &&
		    (e->cand < 0 || plan_find(p, e->cand) < 0))
			continue; /* not used: nothing to rebuild */
		if (!(d = changed_slotdep(in, p, e, &sub)))
			continue;
		add_refusal(e, xasprintf("built against %s", d));
		free(e->rebuild);
		e->rebuild = xasprintf("rebuild for %.*s/%s (sub-slot changed)",
				       (int)(strrchr(d, '/') - d), d, sub);
		if (e->rec.origin == RS_INSTALLED)
			add_rebuild_target(in, e);
		again = true;
	}
	return again;
}

/* ---- annotating the plan
 * ------------------------------------------------------ */

/* The installed entry of the same slot (or, with none, whether any slot
 * of the package is installed), and a binary of the same version that was
 * not reused. */
struct previous {
	const struct entry *inst;
	bool any_installed;
	const struct entry *stale_binary;
};

static void find_previous(struct rs_input *in, const struct entry *me,
			  struct previous *prev)
{
	size_t first, end;

	*prev = (struct previous){0};
	rs_input_cpn_range(in, me->rec.category, me->rec.pn, &first, &end);
	for (size_t i = first; i < end; i++) {
		const struct entry *o = &in->v[in->by_cpn[i]];
		if (o->rec.origin == RS_INSTALLED) {
			prev->any_installed = true;
			if (!strcmp(o->rec.slot, me->rec.slot))
				prev->inst = o;
		} else if (o->rec.origin == RS_BINARY && o->rec.n_refused &&
			   !strcmp(o->rec.pvr, me->rec.pvr) &&
			   !prev->stale_binary) {
			prev->stale_binary = o;
		}
	}
}

/* Whether reason ("target 'TEXT'") names a target added for a rebuild. */
static bool injected_target(const struct rs_input *in, const char *reason)
{
	for (size_t i = 0; i < in->rebuild_targets.n; i++) {
		const char *t = in->rebuild_targets.v[i];
		size_t n = strlen(t);
		if (!strncmp(reason, "target '", 8) &&
		    !strncmp(reason + 8, t, n) && !strcmp(reason + 8 + n, "'"))
			return true;
	}
	return false;
}

static void annotate_entry(struct rs_input *in, struct plan_entry *pe,
			   const struct entry *me)
{
	struct previous prev;
	const struct entry *ref;
	int c;

	find_previous(in, me, &prev);
	if (!prev.any_installed)
		pe->op = PLAN_OP_NEW;
	else if (!prev.inst)
		pe->op = PLAN_OP_NEW_SLOT;
	else if (!(c = version_cmp(me->rec.pvr, prev.inst->rec.pvr)))
		pe->op = PLAN_OP_REPLACE;
	else
		pe->op = c > 0 ? PLAN_OP_UPGRADE : PLAN_OP_DOWNGRADE;
	if (prev.inst && pe->op != PLAN_OP_REPLACE)
		pe->old_pvr = xstrdup(prev.inst->rec.pvr);
	ref = prev.inst;
	if (!ref && pe->action == PLAN_BUILD)
		ref = prev.stale_binary;
	if (!ref)
		return;
	use_changes(&me->rec, &ref->rec, &pe->changed, &pe->iuse_changed);
	if (ref->rebuild)
		pe->rebuild = xstrdup(ref->rebuild);
	if (ref->rebuild && pe->parent < 0 && injected_target(in, pe->reason)) {
		free(pe->reason); /* no one asked for it: the rebuild is why */
		pe->reason = xstrdup(ref->rebuild);
	} else if (ref == prev.inst && prev.stale_binary &&
		   prev.stale_binary->rebuild && pe->action == PLAN_BUILD)
		pe->rebuild = xstrdup(prev.stale_binary->rebuild);
}

void rs_reuse_annotate(struct rs_input *in, struct plan *p)
{
	_cleanup_free_ size_t *entry_of =
	    xmalloc((resolver_npkgs(in->r) + 1) * sizeof(size_t));

	for (size_t i = 0; i < in->n; i++)
		if (in->v[i].cand >= 0)
			entry_of[in->v[i].cand] = i;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].action != PLAN_KEEP)
			annotate_entry(in, &p->v[i],
				       &in->v[entry_of[p->v[i].pkg]]);
}

/* ---- recorded := dependencies
 * ------------------------------------------------- */

/* tok without the "/SUB" of its ":SLOT/SUB=". */
static void add_without_subslot(struct gild_buf *out, const char *tok, size_t n)
{
	const char *colon = memchr(tok, ':', n);
	const char *slash =
	    colon ? memchr(colon, '/', n - (size_t)(colon - tok)) : NULL;
	const char *eq =
	    slash ? memchr(slash, '=', n - (size_t)(slash - tok)) : NULL;

	if (!eq) {
		gild_buf_add(out, tok, n);
		return;
	}
	gild_buf_add(out, tok, (size_t)(slash - tok));
	gild_buf_add(out, eq, n - (size_t)(eq - tok));
}

void rs_slotdeps_split(const char *deps, struct gild_buf *out,
		       struct gild_strv *slotdeps)
{
	const char *s = deps ? deps : "";

	gild_buf_reset(out);
	while (*s) {
		_cleanup_(atom_freep) struct atom *a = NULL;
		struct gild_err err = GILD_ERR_INIT;
		size_t n;
		s += strspn(s, " \t\n");
		if (!*s)
			break;
		n = strcspn(s, " \t\n");
		if (out->n)
			gild_buf_addc(out, ' ');
		if (atom_parse(s, n, 8, &a, &err) == 0 && !a->blocker &&
		    a->slot_op == ATOM_SLOT_OP_EQ && a->slot && a->subslot) {
			gild_strv_push(slotdeps,
				       xasprintf("%s/%s:%s/%s", a->category,
						 a->package, a->slot,
						 a->subslot));
			add_without_subslot(out, s, n);
		} else {
			gild_buf_add(out, s, n);
		}
		s += n;
	}
}
