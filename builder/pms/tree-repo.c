/* tree-repo.c: repository files (portage(5): repo_name, categories,
 * arch.list, use.desc, desc/NAME.desc, thirdpartymirrors; layout.conf). */
#include "tree-impl.h"

#include <dirent.h>
#include <fcntl.h>

int tree_read_optional(struct tree *t, const char *rel, struct gild_buf *b,
		       bool *exists, struct gild_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = gild_read_file_at(t->rootfd, rel, &buf, &len, err);

	gild_buf_reset(b);
	*exists = r == 0;
	if (r == -ENOENT || r == -ENOTDIR) {
		gild_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	gild_buf_add(b, buf, len);
	free(buf);
	return 0;
}

/* The next line of *s without its newline, blanks trimmed; lines that are
 * empty or comments are skipped. Returns false at the end. */
static bool next_line(gild_str *s, gild_str *line)
{
	while (s->n) {
		const char *nl = memchr(s->p, '\n', s->n);
		size_t n = nl ? (size_t)(nl - s->p) : s->n;
		gild_str l = {s->p, n};
		s->p += nl ? n + 1 : n;
		s->n -= nl ? n + 1 : n;
		while (l.n && strchr(" \t\r", l.p[0])) {
			l.p++;
			l.n--;
		}
		while (l.n && strchr(" \t\r", l.p[l.n - 1]))
			l.n--;
		if (l.n && l.p[0] != '#') {
			*line = l;
			return true;
		}
	}
	return false;
}

static gild_str buf_view(const struct gild_buf *b)
{
	return (gild_str){b->p ? b->p : "", b->n};
}

static void read_word_list(const struct gild_buf *b, struct gild_strv *out)
{
	gild_str s = buf_view(b), line;
	while (next_line(&s, &line))
		gild_strv_push(out, gild_str_dup(line));
}

/* "key = value" lines (metadata/layout.conf). */
static void read_layout(const struct gild_buf *b, struct gild_strv *out)
{
	gild_str s = buf_view(b), line;
	while (next_line(&s, &line)) {
		const char *eq = memchr(line.p, '=', line.n);
		if (!eq)
			continue;
		gild_str k = {line.p, (size_t)(eq - line.p)};
		gild_str v = {eq + 1, line.n - k.n - 1};
		while (k.n && strchr(" \t", k.p[k.n - 1]))
			k.n--;
		while (v.n && strchr(" \t", v.p[0])) {
			v.p++;
			v.n--;
		}
		gild_strv_push(out, gild_str_dup(k));
		gild_strv_push(out, gild_str_dup(v));
	}
}

/* "flag - description" lines; prefix "python_targets_" for desc/ files. */
static void read_descs(struct tree *t, const struct gild_buf *b,
		       const char *prefix)
{
	gild_str s = buf_view(b), line;
	while (next_line(&s, &line)) {
		const char *sep = NULL;
		for (size_t i = 0; i + 2 < line.n && !sep; i++)
			if (line.p[i] == ' ' && line.p[i + 1] == '-' &&
			    line.p[i + 2] == ' ')
				sep = line.p + i;
		if (!sep)
			continue;
		gild_grow(&t->descs, &t->desccap, t->ndescs + 1,
			  sizeof(*t->descs));
		struct tree_desc *d = &t->descs[t->ndescs++];
		d->flag =
		    xasprintf("%s%.*s", prefix, (int)(sep - line.p), line.p);
		d->desc =
		    xstrndup(sep + 3, line.n - (size_t)(sep + 3 - line.p));
	}
}

static int read_expand_descs(struct tree *t, struct gild_buf *b,
			     struct gild_err *err)
{
	int dfd = openat(t->rootfd, "profiles/desc",
			 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return gild_fail_errno(err, "profiles/desc", "cannot read");
	}
	struct gild_strv names = GILD_STRV_INIT;
	for (struct dirent *e; (e = readdir(d));)
		if (gild_endswith(e->d_name, ".desc") && e->d_name[0] != '.')
			gild_strv_add(&names, e->d_name);
	closedir(d);
	gild_strv_sort(&names);
	int r = 0;
	for (size_t i = 0; i < names.n && r == 0; i++) {
		char *rel = xasprintf("profiles/desc/%s", names.v[i]);
		char *prefix = xasprintf("%.*s_", (int)(strlen(names.v[i]) - 5),
					 names.v[i]);
		bool exists;
		if ((r = tree_read_optional(t, rel, b, &exists, err)) == 0)
			read_descs(t, b, prefix);
		free(rel);
		free(prefix);
	}
	gild_strv_release(&names);
	return r;
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(((const struct tree_desc *)a)->flag,
		      ((const struct tree_desc *)b)->flag);
}

/* "name url url ..." lines. */
static void read_mirrors(struct tree *t, const struct gild_buf *b)
{
	gild_str s = buf_view(b), line;
	while (next_line(&s, &line)) {
		gild_grow(&t->mirrors, &t->mirrorcap, t->nmirrors + 1,
			  sizeof(*t->mirrors));
		struct tree_mirror *m = &t->mirrors[t->nmirrors++];
		*m = (struct tree_mirror){NULL, GILD_STRV_INIT};
		size_t i = 0;
		while (i < line.n) {
			while (i < line.n && strchr(" \t", line.p[i]))
				i++;
			size_t st = i;
			while (i < line.n && !strchr(" \t", line.p[i]))
				i++;
			char *w = xstrndup(line.p + st, i - st);
			if (!m->name)
				m->name = w;
			else
				gild_strv_push(&m->urls, w);
		}
	}
}

int tree_read_repo_files(struct tree *t, struct gild_err *err)
{
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	bool exists;
	int r;

	if ((r = tree_read_optional(t, "profiles/repo_name", &b, &exists,
				    err)) < 0)
		return r;
	gild_str s = buf_view(&b), line = {"", 0};
	next_line(&s, &line);
	t->repo_name = gild_str_dup(line);
	if ((r = tree_read_optional(t, "metadata/layout.conf", &b, &exists,
				    err)) < 0)
		return r;
	read_layout(&b, &t->layout);
	if ((r = tree_read_optional(t, "profiles/arch.list", &b, &exists,
				    err)) < 0)
		return r;
	read_word_list(&b, &t->arches);
	if ((r = tree_read_optional(t, "profiles/use.desc", &b, &exists, err)) <
	    0)
		return r;
	read_descs(t, &b, "");
	if ((r = read_expand_descs(t, &b, err)) < 0)
		return r;
	if (t->ndescs) /* qsort(NULL, 0) is undefined */
		qsort(t->descs, t->ndescs, sizeof(*t->descs), cmp_desc);
	if ((r = tree_read_optional(t, "profiles/thirdpartymirrors", &b,
				    &exists, err)) < 0)
		return r;
	read_mirrors(t, &b);
	return 0;
}

void tree_release_repo_files(struct tree *t)
{
	free(t->repo_name);
	gild_strv_release(&t->categories);
	gild_strv_release(&t->arches);
	gild_strv_release(&t->layout);
	for (size_t i = 0; i < t->ndescs; i++) {
		free(t->descs[i].flag);
		free(t->descs[i].desc);
	}
	free(t->descs);
	for (size_t i = 0; i < t->nmirrors; i++) {
		free(t->mirrors[i].name);
		gild_strv_release(&t->mirrors[i].urls);
	}
	free(t->mirrors);
}

const char *tree_use_desc(const struct tree *t, const char *flag)
{
	struct tree_desc key = {(char *)flag, NULL};
	const struct tree_desc *d =
	    bsearch(&key, t->descs, t->ndescs, sizeof(*t->descs), cmp_desc);
	return d ? d->desc : NULL;
}

const struct gild_strv *tree_mirror(const struct tree *t, const char *name)
{
	for (size_t i = 0; i < t->nmirrors; i++)
		if (strcmp(t->mirrors[i].name, name) == 0)
			return &t->mirrors[i].urls;
	return NULL;
}

const char *tree_layout(const struct tree *t, const char *key)
{
	for (size_t i = 0; i + 1 < t->layout.n; i += 2)
		if (strcmp(t->layout.v[i], key) == 0)
			return t->layout.v[i + 1];
	return NULL;
}
