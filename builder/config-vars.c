/* config-vars.c: make.conf-style assignment files and incremental stacking.
 *
 * make.defaults (PMS 5.2.4) and gild.conf are lists of shell assignments
 * with bash quoting; only literal values and ${VAR} expansion are allowed,
 * so they are read without a shell. Incremental variables stack as
 * make.conf(5) "incremental variables" describes.
 */
#include "config.h"

#include <ctype.h>

/* ---- varlist ------------------------------------------------------------- */

void varlist_release(struct varlist *vl)
{
	for (size_t i = 0; i < vl->n; i++) {
		free(vl->v[i].name);
		free(vl->v[i].value);
	}
	free(vl->v);
	*vl = (struct varlist){0};
}

static struct var *varlist_find(const struct varlist *vl, const char *name)
{
	for (size_t i = vl->n; i-- > 0;)
		if (strcmp(vl->v[i].name, name) == 0)
			return &vl->v[i];
	return NULL;
}

const char *varlist_get(const struct varlist *vl, const char *name)
{
	const struct var *v = vl ? varlist_find(vl, name) : NULL;
	return v ? v->value : NULL;
}

void varlist_set(struct varlist *vl, const char *name, const char *value,
		 const char *file, unsigned line)
{
	struct var *v = varlist_find(vl, name);

	if (!v) {
		gild_grow(&vl->v, &vl->cap, vl->n + 1, sizeof(*vl->v));
		v = &vl->v[vl->n++];
		v->name = xstrdup(name);
	} else {
		free(v->value);
	}
	v->value = xstrdup(value);
	v->file = file;
	v->line = line;
}

/* ---- the assignment parser ----------------------------------------------- */

struct vscan {
	const char *p;
	const char *file;
	unsigned line, col;
	const struct varlist *scope, *out;
	struct gild_err *err;
};

static void vs_next(struct vscan *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else {
		s->col++;
	}
	s->p++;
}

static int vs_fail(struct vscan *s, const char *fmt, const char *what)
{
	struct gild_loc loc = {s->file, s->line, s->col};
	return gild_fail(s->err, -GILD_E_SYNTAX, &loc, fmt, what);
}

static bool is_name_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool is_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static const char *vs_lookup(struct vscan *s, const char *name)
{
	const char *v = varlist_get(s->out, name);
	if (!v)
		v = varlist_get(s->scope, name);
	return v ? v : "";
}

/* $NAME or ${NAME}; anything needing a shell ($(...), ${X:-y}) is an error. */
static int vs_expand(struct vscan *s, struct gild_buf *b)
{
	_cleanup_free_ char *name = NULL;
	bool braced;
	const char *start;

	vs_next(s); /* '$' */
	braced = *s->p == '{';
	if (braced)
		vs_next(s);
	if (!is_name_start(*s->p))
		return vs_fail(s, "unsupported expansion '$%.1s' (only ${VAR} is allowed)",
			       s->p);
	start = s->p;
	while (is_name_char(*s->p))
		vs_next(s);
	name = xstrndup(start, s->p - start);
	if (braced) {
		if (*s->p != '}')
			return vs_fail(s, "unsupported expansion in '${%s' (only ${VAR} is allowed)",
				       name);
		vs_next(s);
	}
	gild_buf_adds(b, vs_lookup(s, name));
	return 0;
}

static int vs_single_quoted(struct vscan *s, struct gild_buf *b)
{
	struct gild_loc open = {s->file, s->line, s->col};

	vs_next(s);
	while (*s->p && *s->p != '\'') {
		gild_buf_addc(b, *s->p);
		vs_next(s);
	}
	if (!*s->p)
		return gild_fail(s->err, -GILD_E_SYNTAX, &open,
				 "unterminated single quote");
	vs_next(s);
	return 0;
}

static int vs_double_quoted(struct vscan *s, struct gild_buf *b)
{
	struct gild_loc open = {s->file, s->line, s->col};
	int r;

	vs_next(s);
	while (*s->p && *s->p != '"') {
		if (*s->p == '\\' && strchr("\\\"$`\n", s->p[1])) {
			vs_next(s);
			if (*s->p != '\n')
				gild_buf_addc(b, *s->p);
			vs_next(s);
		} else if (*s->p == '$') {
			if ((r = vs_expand(s, b)) < 0)
				return r;
		} else if (*s->p == '`') {
			return vs_fail(s, "command substitution '%s' is not supported", "`");
		} else {
			gild_buf_addc(b, *s->p);
			vs_next(s);
		}
	}
	if (!*s->p)
		return gild_fail(s->err, -GILD_E_SYNTAX, &open,
				 "unterminated double quote");
	vs_next(s);
	return 0;
}

/* The word after NAME=, up to unquoted blank, newline or end. */
static int vs_value(struct vscan *s, struct gild_buf *b)
{
	int r = 0;

	gild_buf_adds(b, "");
	while (*s->p && !strchr(" \t\n", *s->p) && r == 0) {
		switch (*s->p) {
		case '\'':
			r = vs_single_quoted(s, b);
			break;
		case '"':
			r = vs_double_quoted(s, b);
			break;
		case '$':
			r = vs_expand(s, b);
			break;
		case '`':
		case '(':
		case ')':
		case ';':
		case '&':
		case '|':
		case '<':
		case '>':
			return vs_fail(s, "unexpected '%.1s' in a value (quote it)", s->p);
		case '\\':
			vs_next(s);
			if (*s->p && *s->p != '\n')
				gild_buf_addc(b, *s->p);
			if (*s->p)
				vs_next(s);
			break;
		default:
			gild_buf_addc(b, *s->p);
			vs_next(s);
		}
	}
	return r;
}

static void vs_skip_blank_and_comment(struct vscan *s)
{
	while (*s->p == ' ' || *s->p == '\t' ||
	       (*s->p == '\\' && s->p[1] == '\n')) {
		if (*s->p == '\\')
			vs_next(s);
		vs_next(s);
	}
	if (*s->p == '#')
		while (*s->p && *s->p != '\n')
			vs_next(s);
}

static int vs_assignment(struct vscan *s, struct varlist *out)
{
	_cleanup_buf_ struct gild_buf val = GILD_BUF_INIT;
	_cleanup_free_ char *name = NULL;
	unsigned line = s->line;
	const char *start;
	int r;

	if (strncmp(s->p, "export", 6) == 0 && (s->p[6] == ' ' || s->p[6] == '\t')) {
		for (int i = 0; i < 6; i++)
			vs_next(s);
		vs_skip_blank_and_comment(s);
	}
	if (!is_name_start(*s->p))
		return vs_fail(s, "expected an assignment NAME=value, found '%.1s'", s->p);
	start = s->p;
	while (is_name_char(*s->p))
		vs_next(s);
	name = xstrndup(start, s->p - start);
	if (*s->p != '=')
		return vs_fail(s, "expected '=' after '%s'", name);
	vs_next(s);
	if ((r = vs_value(s, &val)) < 0)
		return r;
	vs_skip_blank_and_comment(s);
	if (*s->p && *s->p != '\n')
		return vs_fail(s, "unexpected '%.1s' after the value (quote it)", s->p);
	varlist_set(out, name, gild_buf_str(&val), s->file, line);
	return 0;
}

int vars_parse(const char *text, const char *file, const struct varlist *scope,
	       struct varlist *out, struct gild_err *err)
{
	struct vscan s = {text, file, 1, 1, scope, out, err};
	int r;

	for (;;) {
		while (*s.p == ' ' || *s.p == '\t' || *s.p == '\n')
			vs_next(&s);
		vs_skip_blank_and_comment(&s);
		if (!*s.p)
			return 0;
		if (*s.p == '\n')
			continue;
		if ((r = vs_assignment(&s, out)) < 0)
			return r;
	}
}

/* ---- incremental variables ----------------------------------------------- */

/* make.conf(5): "USE, USE_EXPAND, USE_EXPAND_HIDDEN, CONFIG_PROTECT*,
 * FEATURES, ACCEPT_KEYWORDS, ACCEPT_LICENSE, ..." plus every USE_EXPAND
 * variable. */
static const char *const incrementals[] = {
	"USE", "USE_EXPAND", "USE_EXPAND_HIDDEN", "USE_EXPAND_IMPLICIT",
	"USE_EXPAND_UNPREFIXED", "IUSE_IMPLICIT", "FEATURES",
	"ACCEPT_KEYWORDS", "ACCEPT_LICENSE", "ACCEPT_PROPERTIES",
	"ACCEPT_RESTRICT", "CONFIG_PROTECT", "CONFIG_PROTECT_MASK",
	"PROFILE_ONLY_VARIABLES", "ENV_UNSET", "INSTALL_MASK",
	"PKG_INSTALL_MASK", "GILD_MIRRORS",
};

bool var_is_incremental(const char *name, const struct gild_strv *use_expand)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(incrementals); i++)
		if (strcmp(name, incrementals[i]) == 0)
			return true;
	return use_expand && gild_strv_contains(use_expand, name);
}

static void ops_remove(struct gild_strv *ops, const char *tok)
{
	size_t j = 0;

	for (size_t i = 0; i < ops->n; i++) {
		const char *o = ops->v[i];
		const char *bare = o[0] == '-' ? o + 1 : o;
		if (strcmp(bare, tok) == 0)
			free(ops->v[i]);
		else
			ops->v[j++] = ops->v[i];
	}
	ops->n = j;
	if (ops->v)
		ops->v[j] = NULL;
}

static void ops_split(const char *s, struct gild_strv *out)
{
	while (s && *s) {
		size_t n;
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n)
			gild_strv_push(out, xstrndup(s, n));
		s += n;
	}
}

void incr_stack(char **acc, const char *value)
{
	_cleanup_strv_ struct gild_strv ops = GILD_STRV_INIT;
	_cleanup_strv_ struct gild_strv add = GILD_STRV_INIT;
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;

	ops_split(*acc, &ops);
	ops_split(value, &add);
	for (size_t i = 0; i < add.n; i++) {
		const char *t = add.v[i];
		if (strcmp(t, "-*") == 0) {
			gild_strv_release(&ops);
			gild_strv_add(&ops, "-*");
			continue;
		}
		ops_remove(&ops, t[0] == '-' ? t + 1 : t);
		gild_strv_add(&ops, t);
	}
	for (size_t i = 0; i < ops.n; i++) {
		if (i)
			gild_buf_addc(&b, ' ');
		gild_buf_adds(&b, ops.v[i]);
	}
	free(*acc);
	*acc = gild_buf_steal(&b);
}

void incr_positive(const char *ops, struct gild_strv *out)
{
	_cleanup_strv_ struct gild_strv v = GILD_STRV_INIT;

	ops_split(ops, &v);
	for (size_t i = 0; i < v.n; i++)
		if (v.v[i][0] != '-')
			gild_strv_add(out, v.v[i]);
}
