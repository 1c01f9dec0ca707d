/* metadata.c: metadata.xml through libxml2 (see metadata.h). */
#include "pms/pms.h"

#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The text of a node (markup dropped), whitespace folded and trimmed. */
static char *node_text(const xmlNode *n)
{
	xmlChar *raw = xmlNodeGetContent(n);
	const char *s = raw ? (const char *)raw : "";
	struct gild_buf b = GILD_BUF_INIT;
	bool space = false;

	for (; *s; s++) {
		if (strchr(" \t\r\n", *s)) {
			space = b.n > 0;
			continue;
		}
		if (space)
			gild_buf_addc(&b, ' ');
		space = false;
		gild_buf_addc(&b, *s);
	}
	xmlFree(raw);
	return gild_buf_steal(&b);
}

static char *node_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = xstrdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

/* English or untagged text (GLEP 68: lang defaults to "en"). */
static bool is_english(const xmlNode *n)
{
	xmlChar *lang = xmlGetProp(n, (const xmlChar *)"lang");
	bool en = !lang || strcmp((const char *)lang, "en") == 0;
	xmlFree(lang);
	return en;
}

static void set_once(char **dst, const xmlNode *n)
{
	if (!*dst)
		*dst = node_text(n);
}

static void add_maintainer(struct metadata *md, const xmlNode *n)
{
	md->maintainers =
	    xrealloc(md->maintainers,
		     (md->n_maintainers + 1) * sizeof(*md->maintainers));
	struct metadata_maintainer *m = &md->maintainers[md->n_maintainers++];
	*m = (struct metadata_maintainer){node_attr(n, "type"), NULL, NULL,
					  NULL};
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is_elem(c, "email"))
			set_once(&m->email, c);
		else if (is_elem(c, "name"))
			set_once(&m->name, c);
		else if (is_elem(c, "description") && is_english(c))
			set_once(&m->description, c);
	}
}

static void read_upstream(struct metadata *md, const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is_elem(c, "remote-id")) {
			md->remote_ids = xrealloc(md->remote_ids,
						  (md->n_remote_ids + 1) *
						      sizeof(*md->remote_ids));
			md->remote_ids[md->n_remote_ids++] =
			    (struct metadata_remote_id){node_attr(c, "type"),
							node_text(c)};
		} else if (is_elem(c, "bugs-to")) {
			set_once(&md->bugs_to, c);
		} else if (is_elem(c, "doc") && is_english(c)) {
			set_once(&md->doc, c);
		} else if (is_elem(c, "changelog")) {
			set_once(&md->changelog, c);
		}
	}
}

static void read_use(struct metadata *md, const xmlNode *n)
{
	if (!is_english(n))
		return;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!is_elem(c, "flag"))
			continue;
		md->flags =
		    xrealloc(md->flags, (md->n_flags + 1) * sizeof(*md->flags));
		md->flags[md->n_flags++] =
		    (struct metadata_flag){node_attr(c, "name"), node_text(c)};
	}
}

static void read_root(struct metadata *md, const xmlNode *root)
{
	for (const xmlNode *c = root->children; c; c = c->next) {
		if (is_elem(c, "maintainer"))
			add_maintainer(md, c);
		else if (is_elem(c, "longdescription") && is_english(c))
			set_once(&md->longdescription, c);
		else if (is_elem(c, "upstream"))
			read_upstream(md, c);
		else if (is_elem(c, "use"))
			read_use(md, c);
	}
}

static int fail_xml(const char *display, struct gild_err *err)
{
	const xmlError *e = xmlGetLastError();
	struct gild_loc loc = {display, e ? (unsigned)e->line : 0, 0};
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "");
	size_t n = strlen(msg);
	while (n && strchr("\n .", msg[n - 1]))
		msg[--n] = '\0';
	return gild_fail(err, -GILD_E_SYNTAX, &loc,
			 "malformed metadata.xml: %s", msg);
}

int metadata_parse(const char *buf, size_t len, const char *display,
		   struct metadata **out, struct gild_err *err)
{
	/* no network, no DTD fetch, no entity expansion surprises */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	xmlResetLastError();
	xmlDoc *doc = xmlReadMemory(buf, (int)len, display, NULL, opts);

	if (!doc)
		return fail_xml(display, err);
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !is_elem(root, "pkgmetadata")) {
		xmlFreeDoc(doc);
		struct gild_loc loc = {display, 0, 0};
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "the root element is not 'pkgmetadata'");
	}
	struct metadata *md = xcalloc(1, sizeof(*md));
	read_root(md, root);
	xmlFreeDoc(doc);
	*out = md;
	return 0;
}

int metadata_load_at(int dirfd, const char *path, struct metadata **out,
		     struct gild_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = gild_read_file_at(dirfd, path, &buf, &len, err);

	*out = NULL;
	if (r == -ENOENT) {
		gild_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	if (len > INT32_MAX)
		return gild_fail(err, -GILD_E_LIMIT, NULL, "'%s' is too big",
				 path);
	return metadata_parse(buf, len, path, out, err);
}

void metadata_free(struct metadata *md)
{
	if (!md)
		return;
	free(md->longdescription);
	for (size_t i = 0; i < md->n_maintainers; i++) {
		free(md->maintainers[i].type);
		free(md->maintainers[i].email);
		free(md->maintainers[i].name);
		free(md->maintainers[i].description);
	}
	free(md->maintainers);
	for (size_t i = 0; i < md->n_remote_ids; i++) {
		free(md->remote_ids[i].type);
		free(md->remote_ids[i].id);
	}
	free(md->remote_ids);
	free(md->bugs_to);
	free(md->doc);
	free(md->changelog);
	for (size_t i = 0; i < md->n_flags; i++) {
		free(md->flags[i].name);
		free(md->flags[i].desc);
	}
	free(md->flags);
	free(md);
}

const char *metadata_flag_desc(const struct metadata *md, const char *flag)
{
	for (size_t i = 0; md && i < md->n_flags; i++)
		if (strcmp(md->flags[i].name, flag) == 0)
			return md->flags[i].desc;
	return NULL;
}
