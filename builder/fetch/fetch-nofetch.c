/* fetch-nofetch.c: RESTRICT words and pkg_nofetch messages (see fetch.h).
 *
 * Fetching runs outside the build sandbox, so gild does not run recipe
 * code there: a pkg_nofetch body is read for its message lines instead. */
#include "fetch/fetch.h"

#include <ctype.h>

bool fetch_restrict_has(const char *restrict_value, const char *word)
{
	return gild_has_word(restrict_value, word);
}

static const char *const message_cmds[] = {"einfo", "elog", "ewarn", "eerror",
					   "echo"};

/* The message part of a line, or NULL when the line prints nothing. */
static const char *message_of(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	for (size_t i = 0; i < GILD_ARRAY_SIZE(message_cmds); i++) {
		size_t n = strlen(message_cmds[i]);
		if (strncmp(line, message_cmds[i], n) == 0 &&
		    (line[n] == '\0' || isspace((unsigned char)line[n]))) {
			line += n;
			while (isspace((unsigned char)*line))
				line++;
			return line;
		}
	}
	return NULL;
}

/* Append one variable reference at *s (just after '$'); returns the
 * number of characters consumed. */
static size_t expand_var(const char *s,
			 const char *(*lookup)(void *, const char *), void *ud,
			 struct gild_buf *out)
{
	bool braced = *s == '{';
	const char *p = s + braced, *v;
	size_t n = 0;
	_cleanup_free_ char *name = NULL;

	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	if (!n || (braced && p[n] != '}')) {
		gild_buf_addc(out, '$');
		return 0;
	}
	name = xstrndup(p, n);
	if ((v = lookup ? lookup(ud, name) : NULL))
		gild_buf_adds(out, v);
	return n + (braced ? 2 : 0);
}

static void add_message(const char *msg,
			const char *(*lookup)(void *, const char *), void *ud,
			struct gild_buf *out)
{
	char quote = 0;

	for (const char *s = msg; *s; s++) {
		if (!quote && (*s == '"' || *s == '\'')) {
			quote = *s;
			continue;
		}
		if (quote && *s == quote) {
			quote = 0;
			continue;
		}
		if (*s == '\\' && quote != '\'' && s[1]) {
			gild_buf_addc(out, *++s);
			continue;
		}
		if (*s == '$' && quote != '\'') {
			s += expand_var(s + 1, lookup, ud, out);
			continue;
		}
		gild_buf_addc(out, *s);
	}
	gild_buf_addc(out, '\n');
}

char *fetch_nofetch_text(const char *body,
			 const char *(*lookup)(void *ud, const char *name),
			 void *ud)
{
	_cleanup_free_ char *copy = xstrdup(body ? body : "");
	struct gild_buf out = GILD_BUF_INIT;
	char *line = copy, *nl;

	for (; line; line = nl) {
		const char *msg;
		if ((nl = strchr(line, '\n')))
			*nl++ = '\0';
		if ((msg = message_of(line)))
			add_message(msg, lookup, ud, &out);
	}
	return gild_buf_steal(&out);
}
