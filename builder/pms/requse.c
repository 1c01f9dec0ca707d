/* requse.c: REQUIRED_USE verdicts in words (PMS 8.2; EAPI 7 made empty
 * || and ^^ groups unsatisfied). */
#include "pms/pms.h"

/* The conditions around the node being checked, innermost first, so that a
 * failure can say "when 'a' is enabled". */
struct cond_frame {
	const struct dep_node *cond;
	const struct cond_frame *outer;
};

struct requse {
	depstr_use_fn use;
	void *ud;
	struct gild_buf *why;
};

static bool cond_active(const struct requse *rq, const struct dep_node *n)
{
	return rq->use(rq->ud, n->flag) != n->negated;
}

/* Members of ||, ^^ and ??: a conditional whose condition is false does not
 * count (PMS 8.2.3-8.2.5). */
static bool is_member(const struct requse *rq, const struct dep_node *n)
{
	return n->kind != DEP_USE_COND || cond_active(rq, n);
}

static bool holds(const struct requse *rq, const struct dep_node *n);

static size_t count_holding(const struct requse *rq, const struct dep_node *g,
			    size_t *members)
{
	size_t c = 0;

	*members = 0;
	for (size_t i = 0; i < g->n_kids; i++) {
		if (!is_member(rq, &g->kids[i]))
			continue;
		++*members;
		c += holds(rq, &g->kids[i]);
	}
	return c;
}

static bool all_hold(const struct requse *rq, const struct dep_node *g)
{
	for (size_t i = 0; i < g->n_kids; i++)
		if (!holds(rq, &g->kids[i]))
			return false;
	return true;
}

static bool holds(const struct requse *rq, const struct dep_node *n)
{
	size_t members, c;

	switch (n->kind) {
	case DEP_TEXT:
		return rq->use(rq->ud, n->text) != n->negated;
	case DEP_USE_COND:
		return !cond_active(rq, n) || all_hold(rq, n);
	case DEP_ANY:
		return count_holding(rq, n, &members) >= 1;
	case DEP_EXACTLY_ONE:
		return count_holding(rq, n, &members) == 1;
	case DEP_AT_MOST_ONE:
		c = count_holding(rq, n, &members);
		return c <= 1;
	default:
		return all_hold(rq, n);
	}
}

/* ---- words ----------------------------------------------------------------
 */

/* Outermost condition first, as they read in the string. */
static void add_conditions(struct gild_buf *b, const struct cond_frame *f)
{
	if (!f)
		return;
	add_conditions(b, f->outer);
	gild_buf_printf(b, "%s'%s' is %s", f->outer ? " and " : " when ",
			f->cond->flag,
			f->cond->negated ? "disabled" : "enabled");
}

static void quote_member(struct gild_buf *b, const struct dep_node *n)
{
	gild_buf_addc(b, '\'');
	if (n->kind == DEP_USE_COND) {
		/* an active conditional stands for its children */
		for (size_t i = 0; i < n->n_kids; i++) {
			if (i)
				gild_buf_addc(b, ' ');
			depstr_format(&n->kids[i], b);
		}
	} else {
		depstr_format(n, b);
	}
	gild_buf_addc(b, '\'');
}

static bool plain_flag(const struct dep_node *n)
{
	return n->kind == DEP_TEXT && !n->negated;
}

/* Whether every member is a flag that must be enabled (an active
 * conditional stands for its children), so the words can say "enabled". */
static bool plain_flags(const struct requse *rq, const struct dep_node *g)
{
	for (size_t i = 0; i < g->n_kids; i++) {
		const struct dep_node *k = &g->kids[i];
		if (!is_member(rq, k))
			continue;
		if (k->kind == DEP_USE_COND && !plain_flags(rq, k))
			return false;
		if (k->kind != DEP_USE_COND && !plain_flag(k))
			return false;
	}
	return true;
}

static void list_members(struct gild_buf *b, const struct requse *rq,
			 const struct dep_node *g, bool only_holding)
{
	bool first = true;

	for (size_t i = 0; i < g->n_kids; i++) {
		const struct dep_node *k = &g->kids[i];
		if (!is_member(rq, k) || (only_holding && !holds(rq, k)))
			continue;
		if (!first)
			gild_buf_adds(b, ", ");
		quote_member(b, k);
		first = false;
	}
}

/* "exactly one of 'a', 'b' must be enabled, but both are" */
static void describe_choice(const struct requse *rq, const struct dep_node *g,
			    size_t c, size_t members)
{
	struct gild_buf *b = rq->why;
	bool plain = plain_flags(rq, g);
	const char *verb = plain ? "enabled" : "satisfied";

	if (!members) {
		gild_buf_adds(b, "'");
		depstr_format(g, b);
		gild_buf_adds(
		    b, "' has no enabled member, so it is not satisfied");
		return;
	}
	gild_buf_adds(b, g->kind == DEP_ANY	      ? "at least one of "
			 : g->kind == DEP_EXACTLY_ONE ? "exactly one of "
						      : "at most one of ");
	list_members(b, rq, g, false);
	gild_buf_printf(b, " %s %s",
			g->kind == DEP_AT_MOST_ONE ? "may be" : "must be",
			verb);
	if (g->kind == DEP_ANY)
		return;
	if (c == 0)
		gild_buf_adds(b, ", but none is");
	else if (c == 2 && members == 2)
		gild_buf_adds(b, ", but both are");
	else {
		gild_buf_adds(b, ", but ");
		list_members(b, rq, g, true);
		gild_buf_adds(b, " are");
	}
}

static void describe_flag(const struct requse *rq, const struct dep_node *n)
{
	gild_buf_printf(rq->why, "'%s' must be %s", n->text,
			n->negated ? "disabled" : "enabled");
}

/* ---- the check ------------------------------------------------------------
 */

static bool check_node(const struct requse *rq, const struct dep_node *n,
		       const struct cond_frame *conds);

static bool check_kids(const struct requse *rq, const struct dep_node *g,
		       const struct cond_frame *conds)
{
	for (size_t i = 0; i < g->n_kids; i++)
		if (!check_node(rq, &g->kids[i], conds))
			return false;
	return true;
}

static bool check_node(const struct requse *rq, const struct dep_node *n,
		       const struct cond_frame *conds)
{
	struct cond_frame f = {n, conds};
	size_t members, c;

	switch (n->kind) {
	case DEP_USE_COND:
		return !cond_active(rq, n) || check_kids(rq, n, &f);
	case DEP_ALL:
		return check_kids(rq, n, conds);
	default:
		break;
	}
	if (holds(rq, n))
		return true;
	if (!rq->why)
		return false;
	if (n->kind == DEP_TEXT) {
		describe_flag(rq, n);
	} else {
		c = count_holding(rq, n, &members);
		describe_choice(rq, n, c, members);
	}
	add_conditions(rq->why, conds);
	return false;
}

int requse_check(const struct dep_node *node, depstr_use_fn use, void *ud,
		 struct gild_buf *why)
{
	struct requse rq = {use, ud, why};

	return check_node(&rq, node, NULL) ? 1 : 0;
}

int depstr_foreach_flag(const struct dep_node *node,
			int (*fn)(void *ud, const char *flag,
				  const struct dep_node *where),
			void *ud)
{
	int r = 0;

	if (node->kind == DEP_USE_COND)
		r = fn(ud, node->flag, node);
	else if (node->kind == DEP_TEXT)
		r = fn(ud, node->text, node);
	for (size_t i = 0; !r && i < node->n_kids; i++)
		r = depstr_foreach_flag(&node->kids[i], fn, ud);
	return r;
}
