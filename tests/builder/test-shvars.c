/* test-shvars.c: the static bash-metadata lexer.
 *
 * Each case parses a text and compares a transcript of the callbacks (or
 * the error as "line:col: message") with the expected one. */
#include "pms/pms.h"
#include "tap.h"

/* A tiny variable store: the transcript's assignments, last one wins. */
struct rec {
	struct gild_buf log;
	struct gild_strv names, values;
};

static bool rec_lookup(void *ud, gild_str name, gild_str *val)
{
	struct rec *r = ud;
	for (size_t i = r->names.n; i-- > 0;)
		if (gild_str_eq(name, r->names.v[i])) {
			*val = GILD_STR_C(r->values.v[i]);
			return true;
		}
	if (gild_str_eq(name, "PN")) {
		*val = GILD_STR_C("foo");
		return true;
	}
	return false;
}

static int rec_assign(void *ud, const struct shvars_assign *a,
		      struct gild_err *err)
{
	struct rec *r = ud;
	gild_str old = {"", 0};
	char *v;

	if (a->append)
		rec_lookup(ud, a->name, &old);
	v = xasprintf("%.*s%.*s", GILD_STR_ARG(old), GILD_STR_ARG(a->value));
	gild_strv_push(&r->names, gild_str_dup(a->name));
	gild_strv_push(&r->values, v);
	gild_buf_printf(&r->log, "%s%.*s%s%s[%.*s]@%u:%u\n",
			a->exported ? "export " : "", GILD_STR_ARG(a->name),
			a->append ? "+=" : "=", a->array ? "array" : "",
			GILD_STR_ARG(a->value), a->loc.line, a->loc.col);
	return 0;
}

static int rec_inherit(void *ud, gild_str name, const struct gild_loc *loc,
		       struct gild_err *err)
{
	struct rec *r = ud;
	gild_buf_printf(&r->log, "inherit %.*s@%u:%u\n", GILD_STR_ARG(name),
			loc->line, loc->col);
	return 0;
}

static int rec_function(void *ud, gild_str name, gild_str body,
			const struct gild_loc *loc, struct gild_err *err)
{
	struct rec *r = ud;
	gild_buf_printf(&r->log, "%.*s()@%u:%u{%.*s}\n", GILD_STR_ARG(name),
			loc->line, loc->col, GILD_STR_ARG(body));
	return 0;
}

static const struct shvars_ops rec_ops = {rec_assign, rec_inherit, rec_function,
					  rec_lookup};

/* The transcript, or "L:C: message" on error. Caller frees. */
static char *parse(const char *text)
{
	struct rec r = {GILD_BUF_INIT, GILD_STRV_INIT, GILD_STRV_INIT};
	struct gild_err err = GILD_ERR_INIT;
	char *out;

	if (shvars_parse(text, strlen(text), "t.recipe", &rec_ops, &r, &err) <
	    0)
		out = xasprintf("%u:%u: %s", err.line, err.col, err.msg);
	else
		out = gild_buf_steal(&r.log);
	gild_buf_release(&r.log);
	gild_strv_release(&r.names);
	gild_strv_release(&r.values);
	return out;
}

static void check_parse(const char *text, const char *want, int line)
{
	char *got = parse(text);
	if (!tap_check_str(got, want, text, __FILE__, line))
		tap_note("input: %s", text);
	free(got);
}
#define CHECK_PARSE(text, want) check_parse(text, want, __LINE__)

#define H "; " SHVARS_STATIC_HINT

TEST(shvars_reads_plain_assignments_comments_and_blank_lines)
{
	CHECK_PARSE("# c\n\nA=1\nB=two # c\n", "A=[1]@3:3\nB=[two]@4:3\n");
	CHECK_PARSE("A=", "A=[]@1:3\n");
	CHECK_PARSE("A=1 B=2; C=3", "A=[1]@1:3\nB=[2]@1:7\nC=[3]@1:12\n");
	CHECK_PARSE("A=a#b", "A=[a#b]@1:3\n");
	CHECK_PARSE("export A=1 B", "export A=[1]@1:10\n");
	CHECK_PARSE("A+=x", "A+=[x]@1:4\n");
}

TEST(shvars_follows_bash_quoting)
{
	CHECK_PARSE("A='a \"b\" $c \\d'", "A=[a \"b\" $c \\d]@1:3\n");
	CHECK_PARSE("A=\"a \\\" \\$ \\` \\\\ \\d\"",
		    "A=[a \" $ ` \\ \\d]@1:3\n");
	CHECK_PARSE("A=\"x\ny\"", "A=[x\ny]@1:3\n");
	CHECK_PARSE("A=\"x\\\ny\"", "A=[xy]@1:3\n");
	CHECK_PARSE("A=a\\ b\\\"c", "A=[a b\"c]@1:3\n");
	CHECK_PARSE("A=a\\\nb", "A=[ab]@1:3\n");
	CHECK_PARSE("A='x'\"y\"z", "A=[xyz]@1:3\n");
	CHECK_PARSE("A=\"$\" B=a$", "A=[$]@1:3\nB=[a$]@1:9\n");
	CHECK_PARSE("A=*.[ch]", "A=[*.[ch]]@1:3\n");
}

TEST(shvars_expands_variables_through_lookup)
{
	CHECK_PARSE("A=x\nB=\"${A}-$A.$PN\"", "A=[x]@1:3\nB=[x-x.foo]@2:3\n");
	CHECK_PARSE("B=${UNSET}y", "B=[y]@1:3\n");
	CHECK_PARSE("A=a\nA=\"${A} b\"", "A=[a]@1:3\nA=[a b]@2:3\n");
	CHECK_PARSE("A='${PN}'", "A=[${PN}]@1:3\n");
}

TEST(shvars_reads_arrays)
{
	CHECK_PARSE("PATCHES=(\n\t\"a b\" # c\n\tc\n)",
		    "PATCHES=array[a b\nc]@1:10\n");
	CHECK_PARSE("A=()", "A=array[]@1:4\n");
	CHECK_PARSE("A=(x", "1:5: unterminated array: missing ')'");
	CHECK_PARSE("A=(a;b)", "1:5: unexpected ';' in an array");
}

TEST(shvars_reads_inherit_lines)
{
	CHECK_PARSE(
	    "inherit a b-c \\\n d # x\nA=1",
	    "inherit a@1:9\ninherit b-c@1:11\ninherit d@2:2\nA=[1]@3:3\n");
	CHECK_PARSE("inherit ${X}", "1:9: 'inherit' takes class names written "
				    "literally; " SHVARS_STATIC_HINT);
}

TEST(shvars_keeps_function_bodies_opaque)
{
	CHECK_PARSE("src_compile() {\n\temake\n}\nA=1",
		    "src_compile()@1:1{\n\temake\n}\nA=[1]@4:3\n");
	CHECK_PARSE("function f {\n:\n}", "f()@1:10{\n:\n}\n");
	CHECK_PARSE("f ( )\n{ a; }", "f()@1:1{ a; }\n");
	/* braces inside quotes, expansions, comments and brace expansion */
	CHECK_PARSE("f() { echo \"}\" '}' ${x} $(echo }) {a,b} # }\n}",
		    "f()@1:1{ echo \"}\" '}' ${x} $(echo }) {a,b} # }\n}\n");
	CHECK_PARSE("f() { if x; then { y; }; fi; }",
		    "f()@1:1{ if x; then { y; }; fi; }\n");
	CHECK_PARSE("f() { cat <<-EOF >x\n\t}\n\tEOF\n}",
		    "f()@1:1{ cat <<-EOF >x\n\t}\n\tEOF\n}\n");
	CHECK_PARSE("f() { cat <<'E'\n}\nE\n}",
		    "f()@1:1{ cat <<'E'\n}\nE\n}\n");
	CHECK_PARSE("f() { x=\"$(a \"}\")\" `b }`; }",
		    "f()@1:1{ x=\"$(a \"}\")\" `b }`; }\n");
	CHECK_PARSE("f() { echo $'\\''; }", "f()@1:1{ echo $'\\''; }\n");
}

TEST(shvars_rejects_unterminated_function_bodies)
{
	CHECK_PARSE("f() {\n echo\n", "1:5: missing '}' in function 'f'");
	CHECK_PARSE("f() {\n echo '}\n}",
		    "2:7: unterminated single quote in function 'f'");
	CHECK_PARSE("f() {\n cat <<E\n}\n",
		    "2:6: unterminated here-document in function 'f'");
	CHECK_PARSE("f()\nA=1", "2:1: function 'f' needs a '{ ... }' body");
}

TEST(shvars_rejects_what_needs_a_shell)
{
	CHECK_PARSE("A=$(date)",
		    "1:3: command substitution '$(' needs a shell" H);
	CHECK_PARSE("A=\"x`date`\"",
		    "1:5: command substitution '`' needs a shell" H);
	CHECK_PARSE("A=$((1+2))",
		    "1:3: arithmetic expansion '$((' needs a shell" H);
	CHECK_PARSE("A=${B:-x}",
		    "1:6: expansion operator ':-' needs a shell" H);
	CHECK_PARSE("A=${B/x/y}",
		    "1:6: expansion operator '/' needs a shell" H);
	CHECK_PARSE("A=${#B}",
		    "1:3: '${#' (special expansion) needs a shell" H);
	CHECK_PARSE("A=$1", "1:3: special parameter '$1' needs a shell" H);
	CHECK_PARSE("A=1\nif true; then A=2; fi",
		    "2:1: 'if' at top level needs a shell" H);
	CHECK_PARSE("  [[ x ]] && A=1",
		    "1:3: '[[' at top level needs a shell" H);
	CHECK_PARSE("case x in esac",
		    "1:1: 'case' at top level needs a shell" H);
	CHECK_PARSE("echo hi",
		    "1:1: command 'echo' at top level needs a shell" H);
	CHECK_PARSE("A=1 make",
		    "1:5: command 'make' at top level needs a shell" H);
	CHECK_PARSE("local A=1",
		    "1:1: command 'local' at top level needs a shell" H);
}

TEST(shvars_rejects_malformed_text)
{
	CHECK_PARSE("A=1\nB='x", "2:3: unterminated single quote");
	CHECK_PARSE("A=\"x\n\ny", "1:3: unterminated double quote");
	CHECK_PARSE("A=${B", "1:3: unterminated '${'");
	CHECK_PARSE("A=a|b", "1:4: unexpected '|' in a value (quote it)");
	CHECK_PARSE("A=a>b", "1:4: unexpected '>' in a value (quote it)");
	CHECK_PARSE("}", "1:1: unexpected '}'");
}

/* The location of a byte of a value maps back into the file. */
static int loc_assign(void *ud, const struct shvars_assign *a,
		      struct gild_err *err)
{
	struct gild_buf *b = ud;
	const char *x = strchr(a->value.p, 'X');
	struct gild_loc loc;

	if (!x)
		return 0;
	shvars_value_loc(a, (size_t)(x - a->value.p), &loc);
	gild_buf_printf(b, "%s:%u:%u ", loc.file, loc.line, loc.col);
	return 0;
}

static bool loc_lookup(void *ud, gild_str name, gild_str *val)
{
	*val = GILD_STR_C("vvvvvvvvvvvvvvvvvv");
	return true;
}

TEST(shvars_value_loc_points_into_the_file)
{
	static const struct shvars_ops ops = {.assign = loc_assign,
					      .lookup = loc_lookup};
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"DEPEND=\"a\n\tb X\"", "f:2:4 "},
	    {"  DEPEND=X", "f:1:10 "},
	    {"A=\"${V}\\$\\\\\"'q'X", "f:1:16 "},
	    {"A=\"$V\nX\"", "f:2:1 "},
	    {"A=(\n a\n  bX)", "f:3:4 "},
	    {"A=1\nB=\"\n\n  ${V} X\"", "f:4:8 "},
	};
	for (size_t i = 0; i < GILD_ARRAY_SIZE(cases); i++) {
		struct gild_buf b = GILD_BUF_INIT;
		struct gild_err err = GILD_ERR_INIT;
		CHECK_INTEQ(shvars_parse(cases[i].text, strlen(cases[i].text),
					 "f", &ops, &b, &err),
			    0);
		CHECK_STREQ(gild_buf_str(&b), cases[i].want);
		gild_buf_release(&b);
	}
}

TEST(shvars_is_name_checks_shell_names)
{
	CHECK(shvars_is_name(GILD_STR_C("_A1")));
	CHECK(!shvars_is_name(GILD_STR_C("1A")));
	CHECK(!shvars_is_name(GILD_STR_C("")));
	CHECK(!shvars_is_name(GILD_STR_C("a-b")));
}
