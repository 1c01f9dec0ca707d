/* profile-lines.c: line-based profile and configuration files.
 *
 * portage(5): one entry per line, `#` starts a comment, blank lines are
 * ignored; with the portage-2 layout (metadata/layout.conf
 * profile-formats) and in the user configuration an entry may be a
 * directory whose files are read in sorted order, skipping hidden files
 * and editor backups.
 */
#include "config/config.h"

#include <dirent.h>
#include <sys/stat.h>

void pline_release(struct pline *l)
{
	for (size_t i = 0; i < l->nw; i++)
		free(l->w[i]);
	free(l->w);
	free(l->col);
}

void pline_copy(struct pline *to, const struct pline *from)
{
	*to = *from;
	to->w = xcalloc(from->nw + 1, sizeof(*to->w));
	to->col = xcalloc(from->nw + 1, sizeof(*to->col));
	for (size_t i = 0; i < from->nw; i++) {
		to->w[i] = xstrdup(from->w[i]);
		to->col[i] = from->col[i];
	}
}

void plines_release(struct plines *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		pline_release(&pl->v[i]);
	free(pl->v);
	*pl = (struct plines){0};
}

static void pline_add_word(struct pline *l, const char *s, size_t n,
			   unsigned col)
{
	l->w = xrealloc(l->w, (l->nw + 2) * sizeof(*l->w));
	l->col = xrealloc(l->col, (l->nw + 1) * sizeof(*l->col));
	l->w[l->nw] = xstrndup(s, n);
	l->col[l->nw] = col;
	l->w[++l->nw] = NULL;
}

/* Split one line (without its newline) into words, dropping a comment. */
static void parse_line(const char *s, size_t len, const char *file,
		       unsigned lineno, struct plines *out)
{
	struct pline l = {.file = file, .line = lineno};
	size_t i = 0;

	while (i < len) {
		size_t start;
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		pline_add_word(&l, s + start, i - start, (unsigned)start + 1);
	}
	if (!l.nw)
		return;
	gild_grow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	out->v[out->n++] = l;
}

static int read_one_file(const char *path, const char *display,
			 struct gild_strv *files, struct plines *out,
			 struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	const char *file, *p;
	unsigned lineno = 1;
	int r;

	if ((r = gild_read_file(path, &text, NULL, err)) < 0)
		return r;
	gild_strv_add(files, display);
	file = files->v[files->n - 1];
	for (p = text; *p; lineno++) {
		size_t n = strcspn(p, "\n");
		parse_line(p, n, file, lineno, out);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static bool skip_name(const char *name)
{
	return name[0] == '.' || gild_endswith(name, "~");
}

static int read_dir(const char *path, const char *display,
		    struct gild_strv *files, struct plines *out,
		    struct gild_err *err)
{
	struct dirent **names = NULL;
	int n = scandir(path, &names, NULL, alphasort), r = 0;

	if (n < 0)
		return gild_fail_errno(err, display, "cannot read directory");
	for (int i = 0; i < n; i++) {
		if (r == 0 && !skip_name(names[i]->d_name)) {
			_cleanup_free_ char *sub =
			    gild_path_join(path, names[i]->d_name);
			_cleanup_free_ char *subd =
			    gild_path_join(display, names[i]->d_name);
			r = plines_read(sub, subd, files, out, err);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int plines_read(const char *path, const char *display, struct gild_strv *files,
		struct plines *out, struct gild_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return gild_fail_errno(err, display, "cannot open");
	}
	if (S_ISDIR(st.st_mode))
		return read_dir(path, display, files, out, err);
	return read_one_file(path, display, files, out, err);
}
