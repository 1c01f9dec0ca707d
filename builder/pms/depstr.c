/* depstr.c: parse dependency specifications (PMS 8.2) into a tree, reduce
 * them under USE and print them. */
#include "pms/pms.h"

/* Groups deeper than this are refused: they only come from fuzzers, and the
 * parser, reducer and printer recurse. */
#define DEPSTR_MAX_DEPTH 200

struct token {
	const char *p;
	size_t n;
	struct gild_loc loc;
};

struct depstr_parser {
	const char *s, *end, *pos;
	struct gild_loc loc; /* of pos */
	enum depstr_kind kind;
	int eapi;
	struct gild_err *err;
	unsigned in_any;     /* how many || groups enclose the current item */
	bool strict;	     /* DEPSTR_STRICT */
	bool reduced;	     /* DEPSTR_REDUCED */
	struct gild_err *qa; /* the first leniency used, or NULL */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void advance(struct depstr_parser *ps)
{
	if (*ps->pos == '\n')
		ps->loc.line++, ps->loc.col = 1;
	else
		ps->loc.col++;
	ps->pos++;
}

/* The next whitespace-separated token; false at the end. */
static bool next_token(struct depstr_parser *ps, struct token *t)
{
	while (ps->pos < ps->end && is_space(*ps->pos))
		advance(ps);
	if (ps->pos == ps->end)
		return false;
	t->p = ps->pos;
	t->loc = ps->loc;
	while (ps->pos < ps->end && !is_space(*ps->pos))
		advance(ps);
	t->n = (size_t)(ps->pos - t->p);
	return true;
}

static bool tok_is(const struct token *t, const char *s)
{
	return t->n == strlen(s) && memcmp(t->p, s, t->n) == 0;
}

/* An error at loc: file:line:col when there is a file, else the position
 * goes into the message (a string typed on the command line). */
static int depstr_fail(struct depstr_parser *ps, const struct gild_loc *loc,
		       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int depstr_fail(struct depstr_parser *ps, const struct gild_loc *loc,
		       const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (loc->file)
		return gild_fail(ps->err, -GILD_E_SYNTAX, loc, "%s", why);
	if (loc->line > 1)
		return gild_fail(ps->err, -GILD_E_SYNTAX, NULL,
				 "%s at line %u, column %u", why, loc->line,
				 loc->col);
	return gild_fail(ps->err, -GILD_E_SYNTAX, NULL, "%s at column %u", why,
			 loc->col);
}

/* Something PMS's grammar refuses but Portage loads: an error when
 * strict, else noted once in ps->qa and accepted (returns 0). */
static int depstr_lenient(struct depstr_parser *ps, const struct gild_loc *loc,
			  const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int depstr_lenient(struct depstr_parser *ps, const struct gild_loc *loc,
			  const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ps->strict)
		return depstr_fail(ps, loc, "%s", why);
	if (ps->qa && !ps->qa->code)
		gild_fail(ps->qa, -GILD_E_SYNTAX, loc->file ? loc : NULL, "%s",
			  why);
	return 0;
}

/* ---- nodes ----------------------------------------------------------------
 */

static void node_release(struct dep_node *n)
{
	for (size_t i = 0; i < n->n_kids; i++)
		node_release(&n->kids[i]);
	free(n->kids);
	if (n->borrowed)
		return;
	free(n->flag);
	free(n->text);
	free(n->rename);
	atom_free(n->atom);
}

void dep_node_free(struct dep_node *node)
{
	if (!node)
		return;
	node_release(node);
	free(node);
}

static struct dep_node *add_kid(struct dep_node *parent, enum dep_kind kind,
				const struct gild_loc *loc)
{
	struct dep_node *k;

	/* most groups hold one to three items: start small, then double */
	if (parent->n_kids == parent->cap_kids) {
		parent->cap_kids = parent->cap_kids ? 2 * parent->cap_kids : 2;
		parent->kids = xrealloc(
		    parent->kids, parent->cap_kids * sizeof(*parent->kids));
	}
	k = &parent->kids[parent->n_kids++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->loc = *loc;
	return k;
}

/* ---- leaves ---------------------------------------------------------------
 */

static bool has_uri_scheme(const struct token *t)
{
	for (size_t i = 0; i + 2 < t->n; i++)
		if (t->p[i] == ':' && t->p[i + 1] == '/' && t->p[i + 2] == '/')
			return i > 0;
	return false;
}

static bool tok_startswith(const struct token *t, const char *prefix)
{
	size_t l = strlen(prefix);
	return t->n >= l && memcmp(t->p, prefix, l) == 0;
}

/* SRC_URI: a URI or a flat file name (PMS 8.2); EAPI 8 adds "fetch+" and
 * "mirror+" before a URI (PMS, SRC_URI in the ebuild variables chapter). */
static int check_src_uri(struct depstr_parser *ps, const struct token *t)
{
	gild_str name, path;

	if ((tok_startswith(t, "fetch+") || tok_startswith(t, "mirror+")) &&
	    ps->eapi < 8)
		return depstr_fail(
		    ps, &t->loc,
		    "'%.*s': URI prefixes 'fetch+' and 'mirror+' need EAPI 8",
		    (int)t->n, t->p);
	if (!has_uri_scheme(t)) {
		if (memchr(t->p, '/', t->n))
			return depstr_lenient(
			    ps, &t->loc,
			    "SRC_URI file name '%.*s' holds a '/' (its "
			    "distfile is the part after the last '/')",
			    (int)t->n, t->p);
		return 0;
	}
	if (tok_startswith(t, "mirror://") &&
	    !src_uri_mirror((gild_str){t->p, t->n}, &name, &path))
		return depstr_fail(ps, &t->loc,
				   "'%.*s': expected 'mirror://NAME/path'",
				   (int)t->n, t->p);
	return 0;
}

static int check_text(struct depstr_parser *ps, const struct token *t,
		      bool *negated)
{
	const char *p = t->p;
	size_t n = t->n;

	*negated = false;
	switch (ps->kind) {
	case DEPSTR_SRC_URI:
		return check_src_uri(ps, t);
	case DEPSTR_LICENSE:
		if (!license_name_valid(p, n))
			return depstr_fail(ps, &t->loc,
					   "invalid license name '%.*s'",
					   (int)n, p);
		return 0;
	case DEPSTR_REQUIRED_USE:
		if (n && p[0] == '!')
			*negated = true, p++, n--;
		if (!use_flag_valid(p, n))
			return depstr_fail(ps, &t->loc,
					   "invalid USE flag name '%.*s'",
					   (int)t->n, t->p);
		return 0;
	default: /* RESTRICT, PROPERTIES: any word but a stray parenthesis */
		if (memchr(p, '(', n) || memchr(p, ')', n))
			return depstr_fail(ps, &t->loc, "unexpected '%.*s'",
					   (int)n, p);
		return 0;
	}
}

static int add_leaf(struct depstr_parser *ps, struct dep_node *parent,
		    const struct token *t)
{
	struct dep_node *k;
	struct atom *a;
	bool negated;
	int r;

	if (ps->kind == DEPSTR_DEPEND) {
		if ((r = atom_parse_at(t->p, t->n, ps->eapi, &t->loc, &a,
				       ps->err)) < 0)
			return r;
		/* PMS 8.3.3: "invalid to use the equals slot operator ...
		 * inside any-of dependency specifications" */
		if (a->slot_op == ATOM_SLOT_OP_EQ && ps->in_any &&
		    (r = depstr_lenient(ps, &t->loc,
					"'%.*s': the ':=' slot operator is "
					"not allowed inside '|| ( )'",
					(int)t->n, t->p)) < 0) {
			atom_free(a);
			return r;
		}
		add_kid(parent, DEP_ATOM, &t->loc)->atom = a;
		return 0;
	}
	if ((r = check_text(ps, t, &negated)) < 0)
		return r;
	k = add_kid(parent, DEP_TEXT, &t->loc);
	k->negated = negated;
	k->text = negated ? xstrndup(t->p + 1, t->n - 1) : xstrndup(t->p, t->n);
	return 0;
}

/* "URI -> name" (PMS 8.2, SRC_URI arrows): the previous item must be a URI
 * without a rename, and the name a simple file name. */
static int add_rename(struct depstr_parser *ps, struct dep_node *parent,
		      const struct token *arrow)
{
	struct dep_node *prev =
	    parent->n_kids ? &parent->kids[parent->n_kids - 1] : NULL;
	struct token name;

	if (ps->kind != DEPSTR_SRC_URI || !prev || prev->kind != DEP_TEXT ||
	    prev->rename || !strstr(prev->text, "://"))
		return depstr_fail(ps, &arrow->loc, "unexpected '->'");
	if (!next_token(ps, &name) || tok_is(&name, "(") ||
	    tok_is(&name, ")") || memchr(name.p, '/', name.n) ||
	    tok_is(&name, "->"))
		return depstr_fail(ps, &arrow->loc,
				   "expected a file name after '->'");
	prev->rename = xstrndup(name.p, name.n);
	return 0;
}

/* ---- groups ---------------------------------------------------------------
 */

static int parse_items(struct depstr_parser *ps, struct dep_node *group,
		       const struct token *opener, int depth);

static bool group_allowed(enum depstr_kind kind, enum dep_kind g)
{
	switch (g) {
	case DEP_ANY:
		return kind == DEPSTR_DEPEND || kind == DEPSTR_LICENSE ||
		       kind == DEPSTR_REQUIRED_USE;
	case DEP_EXACTLY_ONE:
	case DEP_AT_MOST_ONE:
		return kind == DEPSTR_REQUIRED_USE;
	default:
		return true;
	}
}

static const char *const kind_names[] = {
    [DEPSTR_DEPEND] = "a dependency string",
    [DEPSTR_SRC_URI] = "SRC_URI",
    [DEPSTR_LICENSE] = "LICENSE",
    [DEPSTR_RESTRICT] = "RESTRICT or PROPERTIES",
    [DEPSTR_REQUIRED_USE] = "REQUIRED_USE",
};

/* After "||", "^^", "??" or "flag?": the "(" and the group's items. */
static int parse_group(struct depstr_parser *ps, struct dep_node *k,
		       const struct token *opener, int depth)
{
	struct token paren;

	if (depth >= DEPSTR_MAX_DEPTH)
		return depstr_fail(ps, &opener->loc,
				   "groups nested too deeply");
	int r;

	if (k->kind != DEP_ALL && !tok_is(opener, "(") &&
	    (!next_token(ps, &paren) || !tok_is(&paren, "(")))
		return depstr_fail(ps, &opener->loc,
				   "expected '(' after '%.*s'", (int)opener->n,
				   opener->p);
	ps->in_any += k->kind == DEP_ANY;
	r = parse_items(ps, k, opener, depth + 1);
	ps->in_any -= k->kind == DEP_ANY;
	return r;
}

static enum dep_kind group_kind(const struct token *t)
{
	if (tok_is(t, "||"))
		return DEP_ANY;
	if (tok_is(t, "^^"))
		return DEP_EXACTLY_ONE;
	if (tok_is(t, "??"))
		return DEP_AT_MOST_ONE;
	if (tok_is(t, "("))
		return DEP_ALL;
	if (t->n && t->p[t->n - 1] == '?')
		return DEP_USE_COND;
	return DEP_TEXT;
}

static int add_group(struct depstr_parser *ps, struct dep_node *parent,
		     const struct token *t, enum dep_kind g, int depth)
{
	struct dep_node *k;
	size_t bang = t->n && t->p[0] == '!';

	if (!group_allowed(ps->kind, g))
		return depstr_fail(ps, &t->loc, "'%.*s' is not allowed in %s",
				   (int)t->n, t->p, kind_names[ps->kind]);
	if (g == DEP_USE_COND && !use_flag_valid(t->p + bang, t->n - bang - 1))
		return depstr_fail(ps, &t->loc,
				   "invalid USE flag name in '%.*s'", (int)t->n,
				   t->p);
	k = add_kid(parent, g, &t->loc);
	if (g == DEP_USE_COND) {
		k->negated = bang;
		k->flag = xstrndup(t->p + bang, t->n - bang - 1);
	}
	return parse_group(ps, k, t, depth);
}

static int parse_item(struct depstr_parser *ps, struct dep_node *group,
		      const struct token *t, int depth)
{
	enum dep_kind g = group_kind(t);

	if (tok_is(t, "->"))
		return add_rename(ps, group, t);
	if (g != DEP_TEXT)
		return add_group(ps, group, t, g, depth);
	return add_leaf(ps, group, t);
}

/* The group's text for "empty group" errors: "|| ( )", "a? ( )", "( )".
 * PMS's grammar refuses it everywhere; Portage loads it in REQUIRED_USE
 * only (check_required_use; its use_reduce refuses "( )" in every other
 * string), so only there is it accepted unless strict (see pms.h). */
static int empty_group(struct depstr_parser *ps, struct dep_node *group,
		       const struct token *opener)
{
	int r;

	if (ps->reduced && tok_is(opener, "||"))
		return 0; /* an any-of reduced to nothing: kept */
	if (ps->kind != DEPSTR_REQUIRED_USE && tok_is(opener, "("))
		return depstr_fail(ps, &opener->loc, "empty group '( )'");
	if (ps->kind != DEPSTR_REQUIRED_USE)
		return depstr_fail(ps, &opener->loc, "empty group '%.*s ( )'",
				   (int)opener->n, opener->p);
	if (tok_is(opener, "("))
		r = depstr_lenient(ps, &opener->loc, "empty group '( )'");
	else
		r = depstr_lenient(ps, &opener->loc, "empty group '%.*s ( )'",
				   (int)opener->n, opener->p);
	(void)group;
	return r;
}

/* Items up to the ")" closing opener (or to the end when opener is NULL). */
static int parse_items(struct depstr_parser *ps, struct dep_node *group,
		       const struct token *opener, int depth)
{
	struct token t;
	int r;

	while (next_token(ps, &t)) {
		if (tok_is(&t, ")")) {
			if (!opener)
				return depstr_fail(ps, &t.loc,
						   "unexpected ')'");
			if (!group->n_kids)
				return empty_group(ps, group, opener);
			return 0;
		}
		if ((r = parse_item(ps, group, &t, depth)) < 0)
			return r;
	}
	if (opener)
		return depstr_fail(ps, &opener->loc, "missing ')' for '%.*s'",
				   (int)opener->n, opener->p);
	return 0;
}

int depstr_parse(const char *s, size_t n, int kind, int eapi,
		 const struct gild_loc *start, struct dep_node **out,
		 struct gild_err *err)
{
	return depstr_parse_qa(s, n, kind, eapi, start, out, NULL, err);
}

int depstr_parse_qa(const char *s, size_t n, int kind_flags, int eapi,
		    const struct gild_loc *start, struct dep_node **out,
		    struct gild_err *qa, struct gild_err *err)
{
	_cleanup_(dep_node_freep) struct dep_node *root = NULL;
	struct gild_loc loc0 = start ? *start : (struct gild_loc){NULL, 1, 1};
	enum depstr_kind kind = kind_flags & ~(DEPSTR_STRICT | DEPSTR_REDUCED);
	struct depstr_parser ps = {.s = s,
				   .end = s + n,
				   .pos = s,
				   .loc = loc0,
				   .kind = kind,
				   .eapi = eapi,
				   .err = err,
				   .strict = (kind_flags & DEPSTR_STRICT) != 0,
				   .reduced =
				       (kind_flags & DEPSTR_REDUCED) != 0,
				   .qa = qa};
	int r;

	if (eapi != 7 && eapi != 8)
		return gild_fail(err, -GILD_E_UNSUPPORTED, start,
				 "unsupported EAPI '%d'", eapi);
	if (memchr(s, '\0', n))
		return gild_fail(err, -GILD_E_SYNTAX, start,
				 "NUL character in %s", kind_names[kind]);
	root = xcalloc(1, sizeof(*root));
	root->kind = DEP_ALL;
	root->top = true;
	root->loc = loc0;
	if ((r = parse_items(&ps, root, NULL, 0)) < 0)
		return r;
	*out = TAKE_PTR(root);
	return 0;
}

/* ---- reduction ------------------------------------------------------------
 */

static bool cond_true(const struct dep_node *n, depstr_use_fn use, void *ud)
{
	return use(ud, n->flag) != n->negated;
}

static void reduce_into(struct dep_node *dst, const struct dep_node *src,
			bool in_choice, depstr_use_fn use, void *ud);

/* A leaf of the reduced tree borrows the source's strings and atom. */
static void borrow_leaf(struct dep_node *dst, const struct dep_node *src)
{
	struct dep_node *k = add_kid(dst, src->kind, &src->loc);

	k->borrowed = true;
	k->negated = src->negated;
	k->atom = src->atom;
	k->text = src->text;
	k->rename = src->rename;
}

static void reduce_cond(struct dep_node *dst, const struct dep_node *src,
			bool in_choice, depstr_use_fn use, void *ud)
{
	struct dep_node tmp = {.kind = DEP_ALL, .loc = src->loc};

	if (!cond_true(src, use, ud))
		return;
	for (size_t i = 0; i < src->n_kids; i++)
		reduce_into(&tmp, &src->kids[i], false, use, ud);
	if (in_choice && tmp.n_kids > 1) {
		/* one member of the choice, not several */
		*add_kid(dst, DEP_ALL, &src->loc) = tmp;
		return;
	}
	for (size_t i = 0; i < tmp.n_kids; i++)
		*add_kid(dst, tmp.kids[i].kind, &tmp.kids[i].loc) = tmp.kids[i];
	free(tmp.kids);
}

static void reduce_group(struct dep_node *dst, const struct dep_node *src,
			 depstr_use_fn use, void *ud)
{
	struct dep_node tmp = {.kind = src->kind, .loc = src->loc};
	bool choice = src->kind != DEP_ALL;

	for (size_t i = 0; i < src->n_kids; i++)
		reduce_into(&tmp, &src->kids[i], choice, use, ud);
	if (!choice && !tmp.n_kids)
		return; /* an all-of group left empty goes; || ( ) stays */
	*add_kid(dst, src->kind, &src->loc) = tmp;
}

static void reduce_into(struct dep_node *dst, const struct dep_node *src,
			bool in_choice, depstr_use_fn use, void *ud)
{
	switch (src->kind) {
	case DEP_USE_COND:
		reduce_cond(dst, src, in_choice, use, ud);
		return;
	case DEP_ATOM:
	case DEP_TEXT:
		borrow_leaf(dst, src);
		return;
	default:
		reduce_group(dst, src, use, ud);
	}
}

struct dep_node *depstr_reduce(const struct dep_node *node, depstr_use_fn use,
			       void *ud)
{
	struct dep_node *root = xcalloc(1, sizeof(*root));

	root->kind = DEP_ALL;
	root->top = true;
	root->loc = node->loc;
	if (node->kind == DEP_ALL) {
		for (size_t i = 0; i < node->n_kids; i++)
			reduce_into(root, &node->kids[i], false, use, ud);
	} else {
		reduce_into(root, node, false, use, ud);
	}
	return root;
}

/* ---- printing -------------------------------------------------------------
 */

static void format_kids(const struct dep_node *n, struct gild_buf *out)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		if (i)
			gild_buf_addc(out, ' ');
		depstr_format(&n->kids[i], out);
	}
}

static void format_group(const char *head, const struct dep_node *n,
			 struct gild_buf *out)
{
	gild_buf_adds(out, head);
	gild_buf_adds(out, "( ");
	format_kids(n, out);
	gild_buf_adds(out, n->n_kids ? " )" : ")");
}

void depstr_format(const struct dep_node *node, struct gild_buf *out)
{
	switch (node->kind) {
	case DEP_ALL:
		if (node->top)
			format_kids(node, out);
		else
			format_group("", node, out);
		break;
	case DEP_ANY:
		format_group("|| ", node, out);
		break;
	case DEP_EXACTLY_ONE:
		format_group("^^ ", node, out);
		break;
	case DEP_AT_MOST_ONE:
		format_group("?? ", node, out);
		break;
	case DEP_USE_COND:
		gild_buf_printf(out, "%s%s? ", node->negated ? "!" : "",
				node->flag);
		format_group("", node, out);
		break;
	case DEP_ATOM:
		gild_buf_adds(out, node->atom->text);
		break;
	case DEP_TEXT:
		gild_buf_printf(out, "%s%s", node->negated ? "!" : "",
				node->text);
		if (node->rename)
			gild_buf_printf(out, " -> %s", node->rename);
		break;
	}
}

/* ---- SRC_URI --------------------------------------------------------------
 */

gild_str depstr_uri(const struct dep_node *node)
{
	gild_str u = GILD_STR_C(node->text);

	if (strstr(node->text, "://")) {
		if (gild_startswith(node->text, "fetch+"))
			u.p += 6, u.n -= 6;
		else if (gild_startswith(node->text, "mirror+"))
			u.p += 7, u.n -= 7;
	}
	return u;
}

gild_str depstr_distfile(const struct dep_node *node)
{
	const char *slash;

	if (node->rename)
		return GILD_STR_C(node->rename);
	slash = strrchr(node->text, '/');
	return GILD_STR_C(slash ? slash + 1 : node->text);
}

bool src_uri_mirror(gild_str uri, gild_str *name, gild_str *path)
{
	static const char scheme[] = "mirror://";
	const size_t l = sizeof(scheme) - 1;
	const char *slash;

	if (uri.n <= l || memcmp(uri.p, scheme, l) != 0)
		return false;
	slash = memchr(uri.p + l, '/', uri.n - l);
	if (!slash || slash == uri.p + l || slash + 1 == uri.p + uri.n)
		return false;
	*name = (gild_str){uri.p + l, (size_t)(slash - uri.p - l)};
	*path = (gild_str){slash + 1, (size_t)(uri.p + uri.n - slash - 1)};
	return true;
}

bool depstr_use_in_list(void *ud, const char *flag)
{
	return gild_strv_contains(ud, flag);
}
