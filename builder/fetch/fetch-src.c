/* fetch-src.c: SRC_URI lists, thirdpartymirrors and mirror layouts
 * (see fetch.h). */
#include "fetch/fetch.h"
#include "pms/pms.h"
#include "repo/repo.h"

void fetch_log_release(struct fetch_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		free(log->v[i].url);
		free(log->v[i].why);
	}
	free(log->v);
	free(log->got_from);
	*log = (struct fetch_log)FETCH_LOG_INIT;
}

void fetch_srclist_release(struct fetch_srclist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		gild_strv_release(&l->v[i].uris);
	}
	free(l->v);
	*l = (struct fetch_srclist)FETCH_SRCLIST_INIT;
}

/* PMS 8.2: without `->`, the distfile name is the URI's last component. */
static char *uri_basename(const char *uri)
{
	const char *slash = strrchr(uri, '/');

	return xstrdup(slash ? slash + 1 : uri);
}

static struct fetch_src *src_find_or_add(struct fetch_srclist *l, char **name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, *name) == 0)
			return &l->v[i];
	gild_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n] = (struct fetch_src){TAKE_PTR(*name), GILD_STRV_INIT};
	return &l->v[l->n++];
}

int fetch_srclist_add(struct fetch_srclist *l, const char *uri,
		      const char *name, struct gild_err *err)
{
	_cleanup_free_ char *n = name ? xstrdup(name) : uri_basename(uri);
	struct fetch_src *s;

	if (!*n || strchr(n, '/') || strcmp(n, ".") == 0 ||
	    strcmp(n, "..") == 0)
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "bad distfile name '%s' for '%s'", n,
				 uri ? uri : n);
	s = src_find_or_add(l, &n);
	if (uri && !gild_strv_contains(&s->uris, uri))
		gild_strv_add(&s->uris, uri);
	return 0;
}

int fetch_srclist_add_tree(struct fetch_srclist *l, const struct dep_node *node,
			   struct gild_err *err)
{
	int r;

	if (node->kind == DEP_TEXT) {
		_cleanup_free_ char *uri = gild_str_dup(depstr_uri(node));
		_cleanup_free_ char *name = gild_str_dup(depstr_distfile(node));
		bool is_uri = strstr(uri, "://") != NULL;
		return fetch_srclist_add(l, is_uri ? uri : NULL, name, err);
	}
	for (size_t i = 0; i < node->n_kids; i++)
		if ((r = fetch_srclist_add_tree(l, &node->kids[i], err)) < 0)
			return r;
	return 0;
}

/* ---- thirdpartymirrors ----------------------------------------------------
 */

void fetch_tpm_free(struct fetch_tpm *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->names.n; i++)
		gild_strv_release(&t->urls[i]);
	free(t->urls);
	gild_strv_release(&t->names);
	free(t);
}

static void tpm_add_line(struct fetch_tpm *t, char *line)
{
	char *save = NULL, *name = strtok_r(line, " \t", &save);
	size_t cap = t->names.n;

	if (!name || name[0] == '#')
		return;
	gild_strv_add(&t->names, name);
	t->urls = xrealloc(t->urls, (cap + 1) * sizeof(*t->urls));
	t->urls[cap] = (struct gild_strv)GILD_STRV_INIT;
	for (char *u = strtok_r(NULL, " \t", &save); u;
	     u = strtok_r(NULL, " \t", &save))
		gild_strv_add(&t->urls[cap], u);
}

int fetch_tpm_load(const char *path, struct fetch_tpm **out,
		   struct gild_err *err)
{
	_cleanup_(fetch_tpm_freep) struct fetch_tpm *t = xcalloc(1, sizeof(*t));
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int r = gild_read_file(path, &text, NULL, err);

	if (r == -ENOENT) {
		gild_err_clear(err);
		*out = TAKE_PTR(t);
		return 0;
	}
	if (r < 0)
		return r;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		tpm_add_line(t, line);
	*out = TAKE_PTR(t);
	return 0;
}

int fetch_expand_uri(const struct fetch_tpm *tpm, const char *uri,
		     struct gild_strv *out, struct gild_err *err)
{
	const char *rest, *slash;

	if (!gild_startswith(uri, "mirror://")) {
		gild_strv_add(out, uri);
		return 0;
	}
	rest = uri + strlen("mirror://");
	if (!(slash = strchr(rest, '/')))
		return gild_fail(err, -GILD_E_SYNTAX, NULL,
				 "'%s' has no path after the mirror name", uri);
	for (size_t i = 0; tpm && i < tpm->names.n; i++) {
		if (strlen(tpm->names.v[i]) != (size_t)(slash - rest) ||
		    strncmp(tpm->names.v[i], rest, (size_t)(slash - rest)))
			continue;
		for (size_t u = 0; u < tpm->urls[i].n; u++) {
			const char *base = tpm->urls[i].v[u];
			size_t bn = strlen(base);
			while (bn && base[bn - 1] == '/')
				bn--;
			gild_strv_push(
			    out, xasprintf("%.*s%s", (int)bn, base, slash));
		}
		return 0;
	}
	return gild_fail(err, -GILD_E_NOTFOUND, NULL,
			 "unknown mirror '%.*s' in '%s' (not in "
			 "profiles/thirdpartymirrors)",
			 (int)(slash - rest), rest, uri);
}

/* ---- mirror layouts (GLEP 75) ----------------------------------------------
 */

char *fetch_filename_hash_dir(const char *name, const char *algo,
			      const char *cutoffs)
{
	char hex[129];
	unsigned len, pos = 0;
	struct gild_buf b = GILD_BUF_INIT;
	const char *c = cutoffs;

	if (!gpkg_hash_known(algo) || !strcmp(algo, "MD5"))
		return NULL;
	gpkg_hash_mem(algo, name, strlen(name), hex, sizeof(hex));
	len = (unsigned)strlen(hex) / 2;
	/* each cutoff takes that many leading bits (a multiple of 4) of the
	 * hex digest, after the ones used by the cutoffs before it */
	while (*c) {
		char *end;
		long bits = strtol(c, &end, 10);
		if (end == c || bits <= 0 || bits % 4 ||
		    pos + bits / 4 > 2 * len)
			return gild_buf_release(&b), NULL;
		gild_buf_printf(&b, "%.*s/", (int)(bits / 4), hex + pos);
		pos += (unsigned)(bits / 4);
		c = *end == ':' ? end + 1 : end;
		if (*end && *end != ':')
			return gild_buf_release(&b), NULL;
	}
	return gild_buf_steal(&b);
}

/* The layouts of [structure] in a distfiles/layout.conf, in order. */
static void read_layouts(const char *text, struct gild_strv *layouts)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;
	bool in_structure = false;

	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *eq;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '[') {
			in_structure = gild_startswith(l, "[structure]");
			continue;
		}
		if (in_structure && (eq = strchr(l, '='))) {
			size_t n = strlen(eq + 1);
			while (n && strchr(" \t\r", eq[n]))
				n--;
			gild_strv_push(layouts, xstrndup(eq + 1, n));
		}
	}
}

static void add_layout_url(const char *base, const char *layout,
			   const char *name, struct gild_strv *out)
{
	char algo[32], cut[64];
	_cleanup_free_ char *dir = NULL;

	if (strcmp(layout, "flat") == 0) {
		gild_strv_push(out, xasprintf("%s/distfiles/%s", base, name));
		return;
	}
	if (sscanf(layout, "filename-hash %31s %63s", algo, cut) != 2 ||
	    !(dir = fetch_filename_hash_dir(name, algo, cut)))
		return; /* a layout gild does not know: skip it */
	gild_strv_push(out, xasprintf("%s/distfiles/%s%s", base, dir, name));
}

static void read_layout_conf(const struct fetch_opts *o,
			     struct fetch_mirror *m);

void fetch_mirror_urls(const struct fetch_opts *o, struct fetch_mirror *m,
		       const char *name, struct gild_strv *out,
		       struct fetch_log *log)
{
	size_t before = out->n;

	if (!m->loaded && o)
		read_layout_conf(o, m);
	m->loaded = true;

	if (m->timed_out) {
		/* the probe already waited the whole timeout for this
		 * server: asking it for the file would wait as long again */
		if (log)
			fetch_log_add(
			    log, xasprintf("%s/distfiles/%s", m->base, name),
			    xstrdup(m->timed_out));
		return;
	}
	for (size_t i = 0; i < m->layouts.n; i++)
		add_layout_url(m->base, m->layouts.v[i], name, out);
	if (out->n == before)
		add_layout_url(m->base, "flat", name, out);
}

void fetch_mirrors_release(struct fetch_mirrors *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		free(ms->v[i].base);
		free(ms->v[i].timed_out);
		gild_strv_release(&ms->v[i].layouts);
	}
	free(ms->v);
	*ms = (struct fetch_mirrors)FETCH_MIRRORS_INIT;
}

static void read_layout_conf(const struct fetch_opts *o, struct fetch_mirror *m)
{
	_cleanup_free_ char *url =
	    xasprintf("%s/distfiles/layout.conf", m->base);
	_cleanup_buf_ struct gild_buf b = GILD_BUF_INIT;
	_cleanup_free_ char *text = NULL;
	struct gild_err err = GILD_ERR_INIT;
	int r;

	if (gild_startswith(url, "file://")) {
		if (gild_read_file(url + 7, &text, NULL, NULL) == 0)
			read_layouts(text, &m->layouts);
		return;
	}
	if ((r = fetch_to_memory(o, url, 65536, &b, &err)) == 0)
		read_layouts(gild_buf_str(&b), &m->layouts);
	else if (r == -GILD_E_TIMEOUT)
		m->timed_out = xstrdup(err.msg);
}

void fetch_mirrors_load(const char *list, struct fetch_mirrors *out)
{
	_cleanup_free_ char *copy = xstrdup(list ? list : "");
	char *save = NULL;

	for (char *t = strtok_r(copy, " \t\n", &save); t;
	     t = strtok_r(NULL, " \t\n", &save)) {
		struct fetch_mirror *m;
		size_t n = strlen(t);
		while (n && t[n - 1] == '/')
			n--;
		gild_grow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		m = &out->v[out->n++];
		*m = (struct fetch_mirror){xstrndup(t, n), GILD_STRV_INIT,
					   false, NULL};
	}
}
