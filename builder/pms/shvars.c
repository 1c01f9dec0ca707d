/* shvars.c: the static bash-metadata lexer (see shvars.h).
 *
 * The quoting rules follow bash(1) "QUOTING" and "PARAMETER EXPANSION";
 * PMS 7.1 ("Ebuild-defined variables") says metadata variables must be
 * static, which is what lets gild read them without a shell. Everything
 * here works on offsets into the file buffer; line and column are only
 * computed when a callback or an error needs them.
 */
#include "pms/pms.h"

struct shvars_seg {
	size_t voff;   /* offset in the value */
	size_t src;    /* offset in the file */
	bool verbatim; /* value[voff..] == file[src..] byte for byte */
};

struct parser {
	const char *buf;
	size_t len, pos;
	const char *file;
	const struct shvars_ops *ops;
	void *ud;
	struct gild_err *err;
	/* line cache for loc_at(): offsets only move forward in practice */
	size_t lc_off, lc_bol;
	unsigned lc_line;
	/* the value being built, reused for every assignment */
	struct gild_buf val;
	struct shvars_seg *segs;
	size_t nsegs, segcap;
};

/* Characters that end an unquoted word at top level (bash metacharacters). */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}
static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

bool shvars_is_name(gild_str s)
{
	if (s.n == 0 || !is_name_start(s.p[0]))
		return false;
	for (size_t i = 1; i < s.n; i++)
		if (!is_name_char(s.p[i]))
			return false;
	return true;
}

/* ---- locations ----------------------------------------------------------- */

static void loc_from(const char *buf, size_t off, size_t *c_off,
		     unsigned *c_line, size_t *c_bol, struct gild_loc *out)
{
	if (off < *c_off) {
		*c_off = 0;
		*c_line = 1;
		*c_bol = 0;
	}
	const char *p = buf + *c_off, *end = buf + off;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		(*c_line)++;
		*c_bol = (size_t)(nl + 1 - buf);
		p = nl + 1;
	}
	*c_off = off;
	out->line = *c_line;
	out->col = (unsigned)(off - *c_bol + 1);
}

static struct gild_loc loc_at(struct parser *p, size_t off)
{
	struct gild_loc loc = {.file = p->file};
	loc_from(p->buf, off, &p->lc_off, &p->lc_line, &p->lc_bol, &loc);
	return loc;
}

void shvars_value_loc(const struct shvars_assign *a, size_t off,
		      struct gild_loc *out)
{
	size_t src = 0, c_off = 0, c_bol = 0;
	unsigned c_line = 1;

	for (size_t i = 0; i < a->nsegs; i++) {
		if (a->segs[i].voff > off && i > 0)
			break;
		src = a->segs[i].src;
		if (a->segs[i].verbatim && off >= a->segs[i].voff)
			src += off - a->segs[i].voff;
	}
	if (a->nsegs == 0) {
		*out = a->loc;
		return;
	}
	/* count from the value's own start: its loc is known */
	const char *base = a->src_start - (a->loc.col - 1);
	c_off = 0;
	loc_from(base, (size_t)(a->src_start - base) + src, &c_off, &c_line,
		 &c_bol, out);
	out->line += a->loc.line - 1;
	out->file = a->loc.file;
}

static int fail_at(struct parser *p, size_t off, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(struct parser *p, size_t off, int code, const char *fmt, ...)
{
	struct gild_loc loc = loc_at(p, off);
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gild_fail(p->err, code, &loc, "%s", msg);
}

/* "X needs a shell; <hint>" */
static int fail_shell(struct parser *p, size_t off, const char *what, int n,
		      const char *s)
{
	char buf[200];
	snprintf(buf, sizeof(buf), what, n, s);
	return fail_at(p, off, -GILD_E_INVALID, "%s needs a shell; %s", buf,
		       SHVARS_STATIC_HINT);
}

/* ---- building values ----------------------------------------------------- */

static void push_seg(struct parser *p, size_t src, bool verbatim)
{
	gild_grow(&p->segs, &p->segcap, p->nsegs + 1, sizeof(*p->segs));
	p->segs[p->nsegs++] = (struct shvars_seg){p->val.n, src, verbatim};
}

/* Append file bytes [src, src+n) to the value. */
static void emit_src(struct parser *p, size_t src, size_t n)
{
	struct shvars_seg *last = p->nsegs ? &p->segs[p->nsegs - 1] : NULL;

	if (n == 0)
		return;
	if (!last || !last->verbatim ||
	    last->src + (p->val.n - last->voff) != src)
		push_seg(p, src, true);
	gild_buf_add(&p->val, p->buf + src, n);
}

/* A value may not grow past this: `X="$X$X"` thirty times would ask for
 * gigabytes and take every command on the tree down with it. Metadata
 * values of real trees stay far below (Portage's md5-cache lines are a
 * few KiB). */
#define SHVARS_MAX_VALUE (1u << 20)

/* Append expanded text that came from the `$` at src. */
static int emit_exp(struct parser *p, size_t src, gild_str s)
{
	if (p->val.n + s.n > SHVARS_MAX_VALUE)
		return fail_at(p, src, -GILD_E_LIMIT,
			       "this expansion makes a value larger than %u "
			       "bytes (gild's limit for a variable)",
			       SHVARS_MAX_VALUE);
	push_seg(p, src, false);
	gild_buf_add(&p->val, s.p, s.n);
	return 0;
}

static void value_reset(struct parser *p)
{
	gild_buf_reset(&p->val);
	gild_buf_add(&p->val, "", 0); /* NUL-terminated even when empty */
	p->nsegs = 0;
}

/* ---- expansions ---------------------------------------------------------- */

static int expand_braced(struct parser *p, size_t dollar)
{
	size_t i = dollar + 2, start = i;

	while (i < p->len && is_name_char(p->buf[i]))
		i++;
	if (i >= p->len)
		return fail_at(p, dollar, -GILD_E_SYNTAX, "unterminated '${'");
	gild_str name = {p->buf + start, i - start};
	if (name.n == 0 || !is_name_start(name.p[0]))
		return fail_shell(p, dollar, "'${%.*s' (special expansion)", 1,
				  p->buf + start);
	if (p->buf[i] != '}') {
		int n = (p->buf[i] == ':' && i + 1 < p->len) ? 2 : 1;
		return fail_shell(p, i, "expansion operator '%.*s'", n,
				  p->buf + i);
	}
	gild_str v = {"", 0};
	if (p->ops->lookup && !p->ops->lookup(p->ud, name, &v))
		v = (gild_str){"", 0};
	int r = emit_exp(p, dollar, v);
	if (r < 0)
		return r;
	p->pos = i + 1;
	return 0;
}

/* At a `$` in an unquoted or double-quoted word. */
static int expand_dollar(struct parser *p, bool in_dquote)
{
	size_t dollar = p->pos;
	char c = dollar + 1 < p->len ? p->buf[dollar + 1] : '\0';

	if (c == '{')
		return expand_braced(p, dollar);
	if (c == '(') {
		bool arith = dollar + 2 < p->len && p->buf[dollar + 2] == '(';
		return fail_shell(p, dollar,
				  arith ? "arithmetic expansion '%.*s'"
					: "command substitution '%.*s'",
				  arith ? 3 : 2, p->buf + dollar);
	}
	if (c == '[')
		return fail_shell(p, dollar, "arithmetic expansion '%.*s'", 2,
				  p->buf + dollar);
	if (is_name_start(c)) {
		size_t i = dollar + 1;
		while (i < p->len && is_name_char(p->buf[i]))
			i++;
		gild_str name = {p->buf + dollar + 1, i - dollar - 1},
			 v = {"", 0};
		if (p->ops->lookup && !p->ops->lookup(p->ud, name, &v))
			v = (gild_str){"", 0};
		int r = emit_exp(p, dollar, v);
		if (r < 0)
			return r;
		p->pos = i;
		return 0;
	}
	if ((c >= '0' && c <= '9') || (c && strchr("@*#?$!-", c)))
		return fail_shell(p, dollar, "special parameter '%.*s'", 2,
				  p->buf + dollar);
	if (!in_dquote && (c == '\'' || c == '"'))
		return fail_shell(p, dollar, "'%.*s' quoting", 2,
				  p->buf + dollar);
	emit_src(p, dollar, 1); /* a lone `$` is literal */
	p->pos++;
	return 0;
}

/* ---- quoting ------------------------------------------------------------- */

static int word_squote(struct parser *p)
{
	size_t open = p->pos;
	const char *end = memchr(p->buf + open + 1, '\'', p->len - open - 1);

	if (!end)
		return fail_at(p, open, -GILD_E_SYNTAX,
			       "unterminated single quote");
	emit_src(p, open + 1, (size_t)(end - p->buf) - open - 1);
	p->pos = (size_t)(end - p->buf) + 1;
	return 0;
}

static int word_dquote(struct parser *p)
{
	size_t open = p->pos;
	int r;

	p->pos++;
	for (;;) {
		size_t run = p->pos;
		while (p->pos < p->len && !strchr("\"\\$`", p->buf[p->pos]))
			p->pos++;
		emit_src(p, run, p->pos - run);
		if (p->pos >= p->len)
			return fail_at(p, open, -GILD_E_SYNTAX,
				       "unterminated double quote");
		char c = p->buf[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c == '`')
			return fail_shell(
			    p, p->pos, "command substitution '%.*s'", 1, "`");
		if (c == '$') {
			if ((r = expand_dollar(p, true)) < 0)
				return r;
			continue;
		}
		/* backslash: bash keeps it unless it escapes one of $ ` " \ or
		 * a newline (which disappears with it) */
		char n = p->pos + 1 < p->len ? p->buf[p->pos + 1] : '\0';
		if (n == '\n') {
			p->pos += 2;
		} else if (n && strchr("$`\"\\", n)) {
			emit_src(p, p->pos + 1, 1);
			p->pos += 2;
		} else {
			emit_src(p, p->pos, 1);
			p->pos++;
		}
	}
}

/* Does c end an unquoted word? in_array: `)` closes the array. */
static bool ends_word(char c, bool in_array)
{
	return is_blank(c) || c == '\n' || c == ';' || (in_array && c == ')');
}

/* One word (an assignment value or an array element) into p->val. */
static int parse_word(struct parser *p, bool in_array)
{
	int r;

	while (p->pos < p->len) {
		size_t run = p->pos;
		while (p->pos < p->len &&
		       !strchr("'\"\\$` \t\n;&|<>()", p->buf[p->pos]))
			p->pos++;
		emit_src(p, run, p->pos - run);
		if (p->pos >= p->len)
			break;
		char c = p->buf[p->pos];
		if (ends_word(c, in_array))
			break;
		if (c == '\'')
			r = word_squote(p);
		else if (c == '"')
			r = word_dquote(p);
		else if (c == '$')
			r = expand_dollar(p, false);
		else if (c == '`')
			r = fail_shell(p, p->pos, "command substitution '%.*s'",
				       1, "`");
		else if (c == '\\') {
			if (p->pos + 1 < p->len && p->buf[p->pos + 1] != '\n')
				emit_src(p, p->pos + 1, 1);
			p->pos = p->pos + 2 > p->len ? p->len : p->pos + 2;
			r = 0;
		} else
			r = fail_at(p, p->pos, -GILD_E_SYNTAX,
				    "unexpected '%c' in a value (quote it)", c);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- top level ----------------------------------------------------------- */

/* Skip blanks and backslash-newline continuations. */
static void skip_blanks(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->buf[p->pos];
		if (is_blank(c))
			p->pos++;
		else if (c == '\\' && p->pos + 1 < p->len &&
			 p->buf[p->pos + 1] == '\n')
			p->pos += 2;
		else
			break;
	}
}

static void skip_comment(struct parser *p)
{
	const char *nl = memchr(p->buf + p->pos, '\n', p->len - p->pos);
	p->pos = nl ? (size_t)(nl - p->buf) : p->len;
}

/* After a statement: only blanks, a comment, `;` or a newline may follow
 * on the line (another assignment is also fine: `A=1 B=2`). */
static bool at_statement_end(struct parser *p)
{
	return p->pos >= p->len || is_blank(p->buf[p->pos]) ||
	       p->buf[p->pos] == '\n' || p->buf[p->pos] == ';';
}

static int parse_array(struct parser *p)
{
	int r;

	p->pos++; /* ( */
	for (size_t n = 0;; n++) {
		for (;;) {
			skip_blanks(p);
			if (p->pos < p->len && p->buf[p->pos] == '\n')
				p->pos++;
			else if (p->pos < p->len && p->buf[p->pos] == '#')
				skip_comment(p);
			else
				break;
		}
		if (p->pos >= p->len)
			return fail_at(p, p->pos, -GILD_E_SYNTAX,
				       "unterminated array: missing ')'");
		if (p->buf[p->pos] == ')') {
			p->pos++;
			return 0;
		}
		if (n > 0)
			gild_buf_addc(&p->val, '\n');
		size_t start = p->pos;
		if ((r = parse_word(p, true)) < 0)
			return r;
		if (p->pos == start) /* `;` cannot be in an array */
			return fail_at(p, p->pos, -GILD_E_SYNTAX,
				       "unexpected '%c' in an array",
				       p->buf[p->pos]);
	}
}

/* At NAME=, NAME+= (name is [start, name_end)). */
static int parse_assignment(struct parser *p, size_t start, size_t name_end,
			    bool exported)
{
	struct shvars_assign a = {.exported = exported};
	int r;

	a.name = (gild_str){p->buf + start, name_end - start};
	a.append = p->buf[name_end] == '+';
	p->pos = name_end + (a.append ? 2 : 1);
	value_reset(p);
	a.loc = loc_at(p, p->pos);
	a.src_start = p->buf + p->pos;
	if (p->pos < p->len && p->buf[p->pos] == '(') {
		a.array = true;
		a.src_start++;
		a.loc.col++;
		r = parse_array(p);
	} else {
		r = parse_word(p, false);
	}
	if (r < 0)
		return r;
	if (!at_statement_end(p))
		return fail_at(p, p->pos, -GILD_E_SYNTAX,
			       "unexpected '%c' after the value of '%.*s'",
			       p->buf[p->pos], GILD_STR_ARG(a.name));
	/* segments are relative to the value's start */
	size_t base = (size_t)(a.src_start - p->buf);
	for (size_t i = 0; i < p->nsegs; i++)
		p->segs[i].src -= base;
	a.value = (gild_str){gild_buf_str(&p->val), p->val.n};
	a.segs = p->segs;
	a.nsegs = p->nsegs;
	return p->ops->assign ? p->ops->assign(p->ud, &a, p->err) : 0;
}

/* Scan a name at p->pos; returns its end (== p->pos when none). */
static size_t scan_name(struct parser *p)
{
	size_t i = p->pos;
	if (i < p->len && is_name_start(p->buf[i]))
		while (i < p->len && is_name_char(p->buf[i]))
			i++;
	return i;
}

static bool is_assignment_at(struct parser *p, size_t name_end)
{
	if (name_end == p->pos || name_end >= p->len)
		return false;
	return p->buf[name_end] == '=' ||
	       (p->buf[name_end] == '+' && name_end + 1 < p->len &&
		p->buf[name_end + 1] == '=');
}

/* export NAME=value [NAME=value...]; `export NAME` alone is accepted. */
static int parse_export(struct parser *p)
{
	int r;

	for (;;) {
		skip_blanks(p);
		if (p->pos >= p->len || strchr("\n;#", p->buf[p->pos]))
			return 0;
		size_t end = scan_name(p);
		if (is_assignment_at(p, end)) {
			if ((r = parse_assignment(p, p->pos, end, true)) < 0)
				return r;
		} else if (end > p->pos &&
			   (end >= p->len || ends_word(p->buf[end], false))) {
			p->pos = end;
		} else {
			return fail_at(p, p->pos, -GILD_E_SYNTAX,
				       "'export' takes NAME=value assignments");
		}
	}
}

static bool is_class_char(char c)
{
	return is_name_char(c) || c == '-' || c == '.' || c == '+';
}

static int parse_inherit(struct parser *p)
{
	int r;

	for (;;) {
		skip_blanks(p);
		if (p->pos >= p->len || strchr("\n;", p->buf[p->pos]))
			return 0;
		if (p->buf[p->pos] == '#') {
			skip_comment(p);
			return 0;
		}
		size_t start = p->pos;
		while (p->pos < p->len && is_class_char(p->buf[p->pos]))
			p->pos++;
		if (p->pos == start || !at_statement_end(p))
			return fail_at(p, p->pos == start ? start : p->pos,
				       -GILD_E_INVALID,
				       "'inherit' takes class names written "
				       "literally; %s",
				       SHVARS_STATIC_HINT);
		struct gild_loc loc = loc_at(p, start);
		gild_str name = {p->buf + start, p->pos - start};
		if (p->ops->inherit &&
		    (r = p->ops->inherit(p->ud, name, &loc, p->err)) < 0)
			return r;
	}
}

/* ---- function bodies ----------------------------------------------------- */

/* Brace matching for opaque phase-function bodies. It follows enough of
 * bash's grammar for real ebuild bodies: quotes, $( ), ${ }, backticks,
 * comments, here-documents, and `{`/`}` only as reserved words (at a word
 * start and followed by a blank), so brace expansion {a,b} is not counted. */
struct body_scan {
	const char *buf;
	size_t len, pos;
	size_t err_off;
	const char *what;
	/* here-documents opened on the current line */
	struct {
		size_t off, n;
		bool strip_tabs;
	} heredoc[8];
	size_t nheredoc;
	size_t heredoc_at;
};

static int body_fail(struct body_scan *s, size_t off, const char *what)
{
	s->err_off = off;
	s->what = what;
	return -1;
}

static int skip_dquote(struct body_scan *s);
static int skip_parens(struct body_scan *s);
static int skip_param(struct body_scan *s);

static int skip_squote(struct body_scan *s)
{
	const char *e = memchr(s->buf + s->pos + 1, '\'', s->len - s->pos - 1);
	if (!e)
		return body_fail(s, s->pos, "unterminated single quote");
	s->pos = (size_t)(e - s->buf) + 1;
	return 0;
}

/* From an opening quote to its closing one, backslash escapes skipped:
 * $'...' (\' included) and `...`. */
static int skip_escaped(struct body_scan *s, char close, const char *what)
{
	size_t open = s->pos;
	for (s->pos++; s->pos < s->len; s->pos++) {
		if (s->buf[s->pos] == '\\')
			s->pos++;
		else if (s->buf[s->pos] == close) {
			s->pos++;
			return 0;
		}
	}
	return body_fail(s, open, what);
}

static int skip_ansi_quote(struct body_scan *s)
{
	return skip_escaped(s, '\'', "unterminated $'...' quote");
}

static int skip_backtick(struct body_scan *s)
{
	return skip_escaped(s, '`', "unterminated backquote");
}

/* At a `$`: skip the expansion it starts, if any. */
static int skip_dollar(struct body_scan *s)
{
	char c = s->pos + 1 < s->len ? s->buf[s->pos + 1] : '\0';
	s->pos++;
	if (c == '(')
		return skip_parens(s);
	if (c == '{')
		return skip_param(s);
	if (c == '\'')
		return skip_ansi_quote(s);
	return 0;
}

/* A quote or expansion at s->pos, shared by every context; returns 1 if
 * the character was none of those. */
static int skip_quoted(struct body_scan *s)
{
	switch (s->buf[s->pos]) {
	case '\\':
		s->pos = s->pos + 2 > s->len ? s->len : s->pos + 2;
		return 0;
	case '\'':
		return skip_squote(s);
	case '"':
		return skip_dquote(s);
	case '`':
		return skip_backtick(s);
	case '$':
		return skip_dollar(s);
	}
	return 1;
}

static int skip_dquote(struct body_scan *s)
{
	size_t open = s->pos;
	int r;

	for (s->pos++; s->pos < s->len;) {
		char c = s->buf[s->pos];
		if (c == '"') {
			s->pos++;
			return 0;
		}
		if (c == '\'' || (c == '$' && s->pos + 1 < s->len &&
				  s->buf[s->pos + 1] == '\'')) {
			s->pos++;
			continue;
		}
		if ((r = skip_quoted(s)) < 0)
			return r;
		if (r > 0)
			s->pos++;
	}
	return body_fail(s, open, "unterminated double quote");
}

/* After `$(`, `$((` or `${`: to the bracket that closes it, counting
 * nested pairs and skipping quoted text. */
static int skip_nested(struct body_scan *s, char openc, char closec,
		       const char *what)
{
	size_t open = s->pos - 1;
	unsigned depth = 0;
	int r;

	while (s->pos < s->len) {
		char c = s->buf[s->pos];
		if (c == openc)
			depth++;
		else if (c == closec && --depth == 0) {
			s->pos++;
			return 0;
		}
		if (c == openc || c == closec) {
			s->pos++;
			continue;
		}
		if ((r = skip_quoted(s)) < 0)
			return r;
		if (r > 0)
			s->pos++;
	}
	return body_fail(s, open, what);
}

static int skip_parens(struct body_scan *s)
{
	return skip_nested(s, '(', ')', "unterminated '$('");
}

static int skip_param(struct body_scan *s)
{
	return skip_nested(s, '{', '}', "unterminated '${'");
}

/* At `<<` (not `<<<`): note the delimiter; the body starts on the next
 * line (bash "Here Documents"). */
static int note_heredoc(struct body_scan *s)
{
	size_t at = s->pos;
	bool strip = false;

	s->pos += 2;
	if (s->pos < s->len && s->buf[s->pos] == '-') {
		strip = true;
		s->pos++;
	}
	while (s->pos < s->len && is_blank(s->buf[s->pos]))
		s->pos++;
	char q = s->pos < s->len ? s->buf[s->pos] : '\0';
	if (q == '\'' || q == '"' || q == '\\')
		s->pos++;
	size_t start = s->pos;
	while (s->pos < s->len && (is_name_char(s->buf[s->pos]) ||
				   strchr("-.:+/@", s->buf[s->pos])))
		s->pos++;
	size_t n = s->pos - start;
	if ((q == '\'' || q == '"') && s->pos < s->len && s->buf[s->pos] == q)
		s->pos++;
	if (n == 0)
		return body_fail(s, at, "here-document without a delimiter");
	if (s->nheredoc == GILD_ARRAY_SIZE(s->heredoc))
		return body_fail(s, at, "too many here-documents on one line");
	if (s->nheredoc == 0)
		s->heredoc_at = at;
	s->heredoc[s->nheredoc].off = start;
	s->heredoc[s->nheredoc].n = n;
	s->heredoc[s->nheredoc].strip_tabs = strip;
	s->nheredoc++;
	return 0;
}

/* At the start of a line after one that opened here-documents. */
static int skip_heredocs(struct body_scan *s)
{
	for (size_t i = 0; i < s->nheredoc; i++) {
		const char *d = s->buf + s->heredoc[i].off;
		size_t dn = s->heredoc[i].n;
		for (;;) {
			if (s->pos >= s->len)
				return body_fail(s, s->heredoc_at,
						 "unterminated here-document");
			size_t b = s->pos;
			const char *nl = memchr(s->buf + b, '\n', s->len - b);
			size_t e = nl ? (size_t)(nl - s->buf) : s->len;
			s->pos = nl ? e + 1 : s->len;
			if (s->heredoc[i].strip_tabs)
				while (b < e && s->buf[b] == '\t')
					b++;
			if (e - b == dn && memcmp(s->buf + b, d, dn) == 0)
				break;
		}
	}
	s->nheredoc = 0;
	return 0;
}

static bool ends_reserved(struct body_scan *s, size_t i)
{
	return i >= s->len || strchr(" \t\n;&|)<>", s->buf[i]);
}

static int scan_body(struct body_scan *s, size_t *close)
{
	size_t open = s->pos;
	unsigned depth = 0;
	bool word_start = true;
	int r;

	while (s->pos < s->len) {
		char c = s->buf[s->pos];
		switch (c) {
		case '\n':
			s->pos++;
			word_start = true;
			if (s->nheredoc && (r = skip_heredocs(s)) < 0)
				return r;
			continue;
		case ' ':
		case '\t':
		case ';':
		case '&':
		case '|':
		case '(':
		case ')':
			s->pos++;
			word_start = true;
			continue;
		case '#':
			if (word_start) {
				const char *nl = memchr(s->buf + s->pos, '\n',
							s->len - s->pos);
				s->pos = nl ? (size_t)(nl - s->buf) : s->len;
				continue;
			}
			break;
		case '{':
			if (word_start && ends_reserved(s, s->pos + 1))
				depth++;
			break;
		case '}':
			if (word_start && ends_reserved(s, s->pos + 1) &&
			    --depth == 0) {
				*close = s->pos;
				return 0;
			}
			break;
		case '<':
			if (s->pos + 2 < s->len && s->buf[s->pos + 1] == '<' &&
			    s->buf[s->pos + 2] != '<') {
				if ((r = note_heredoc(s)) < 0)
					return r;
				word_start = true;
				continue;
			}
			s->pos++;
			word_start = true;
			if (s->pos < s->len && s->buf[s->pos] == '<')
				s->pos++;
			continue;
		default:
			if ((r = skip_quoted(s)) < 0)
				return r;
			if (r == 0) {
				word_start = false;
				continue;
			}
		}
		s->pos++;
		word_start = false;
	}
	return body_fail(s, open, "missing '}'");
}

static int shvars_skip_body(const char *buf, size_t len, size_t open,
			    size_t *close, size_t *err_off, const char **what)
{
	struct body_scan s = {.buf = buf, .len = len, .pos = open};
	int r = scan_body(&s, close);
	*err_off = s.err_off;
	*what = s.what;
	return r;
}

static int parse_function(struct parser *p, size_t name_start, size_t name_end)
{
	size_t close, err_off;
	const char *what;
	int r;

	/* the body is a `{ ... }` group, possibly on the next line */
	for (;;) {
		skip_blanks(p);
		if (p->pos < p->len && p->buf[p->pos] == '\n')
			p->pos++;
		else if (p->pos < p->len && p->buf[p->pos] == '#')
			skip_comment(p);
		else
			break;
	}
	gild_str name = {p->buf + name_start, name_end - name_start};
	if (p->pos >= p->len || p->buf[p->pos] != '{')
		return fail_at(p, p->pos, -GILD_E_SYNTAX,
			       "function '%.*s' needs a '{ ... }' body",
			       GILD_STR_ARG(name));
	if (shvars_skip_body(p->buf, p->len, p->pos, &close, &err_off, &what) <
	    0)
		return fail_at(p, err_off, -GILD_E_SYNTAX,
			       "%s in function '%.*s'", what,
			       GILD_STR_ARG(name));
	struct gild_loc loc = loc_at(p, name_start);
	gild_str body = {p->buf + p->pos + 1, close - p->pos - 1};
	p->pos = close + 1;
	if (p->ops->function &&
	    (r = p->ops->function(p->ud, name, body, &loc, p->err)) < 0)
		return r;
	return 0;
}

/* After a name: `()` makes it a function definition. */
static bool try_parens(struct parser *p)
{
	size_t save = p->pos;

	skip_blanks(p);
	if (p->pos < p->len && p->buf[p->pos] == '(') {
		p->pos++;
		skip_blanks(p);
		if (p->pos < p->len && p->buf[p->pos] == ')') {
			p->pos++;
			return true;
		}
	}
	p->pos = save;
	return false;
}

static bool is_func_char(char c)
{
	return is_name_char(c) || c == '-' || c == ':' || c == '.';
}

static size_t scan_func_name(struct parser *p)
{
	size_t i = p->pos;
	while (i < p->len && is_func_char(p->buf[i]))
		i++;
	return i;
}

static int parse_function_keyword(struct parser *p)
{
	skip_blanks(p);
	size_t start = p->pos, end = scan_func_name(p);
	if (end == start)
		return fail_at(p, p->pos, -GILD_E_SYNTAX,
			       "'function' needs a name");
	p->pos = end;
	try_parens(p);
	return parse_function(p, start, end);
}

static const char *const shell_keywords[] = {
    "if",    "then",  "elif", "else", "fi",	"case", "esac",	  "for",
    "while", "until", "do",   "done", "select", "time", "coproc", NULL};

static bool is_keyword(gild_str w)
{
	for (size_t i = 0; shell_keywords[i]; i++)
		if (gild_str_eq(w, shell_keywords[i]))
			return true;
	return false;
}

/* A statement that is not an assignment, inherit or function. */
static int reject_command(struct parser *p, size_t start)
{
	size_t end = start;
	while (end < p->len && !is_blank(p->buf[end]) && p->buf[end] != '\n' &&
	       p->buf[end] != ';' && end - start < 40)
		end++;
	gild_str w = {p->buf + start, end - start};
	if (is_keyword(w) || gild_str_eq(w, "[[") || gild_str_eq(w, "[") ||
	    gild_str_eq(w, "((") || gild_str_eq(w, "{") || gild_str_eq(w, "!"))
		return fail_shell(p, start, "'%.*s' at top level",
				  GILD_STR_ARG(w));
	if (w.n && p->buf[start] == '}')
		return fail_at(p, start, -GILD_E_SYNTAX, "unexpected '}'");
	return fail_shell(p, start, "command '%.*s' at top level",
			  GILD_STR_ARG(w));
}

static int parse_statement(struct parser *p)
{
	size_t start = p->pos, end = scan_name(p);

	if (is_assignment_at(p, end))
		return parse_assignment(p, start, end, false);
	if (end > start && (end >= p->len || ends_word(p->buf[end], false))) {
		gild_str w = {p->buf + start, end - start};
		p->pos = end;
		if (gild_str_eq(w, "export"))
			return parse_export(p);
		if (gild_str_eq(w, "inherit"))
			return parse_inherit(p);
		if (gild_str_eq(w, "function"))
			return parse_function_keyword(p);
		p->pos = start;
	}
	size_t fend = scan_func_name(p);
	if (fend > start &&
	    !is_keyword((gild_str){p->buf + start, fend - start})) {
		p->pos = fend;
		if (try_parens(p))
			return parse_function(p, start, fend);
		p->pos = start;
	}
	return reject_command(p, start);
}

int shvars_parse(const char *buf, size_t len, const char *file,
		 const struct shvars_ops *ops, void *ud, struct gild_err *err)
{
	struct parser p = {.buf = buf,
			   .len = len,
			   .file = file,
			   .ops = ops,
			   .ud = ud,
			   .err = err,
			   .lc_line = 1};
	int r = 0;

	while (r == 0) {
		skip_blanks(&p);
		if (p.pos >= p.len)
			break;
		char c = buf[p.pos];
		if (c == '\n' || c == ';')
			p.pos++;
		else if (c == '#')
			skip_comment(&p);
		else
			r = parse_statement(&p);
	}
	gild_buf_release(&p.val);
	free(p.segs);
	return r;
}
