/* image-role.c: the role's text, read from the role profiles of the stack
 * (profiles/roles/<name>/, parents first): make.defaults' IMAGE_* and
 * INSTALL_MASK through the configuration, the image files (users,
 * services, sysctl.conf, fstab, hostname, files/, files.list) from the
 * node directories. */
#include "image-impl.h"

#include <sys/stat.h>

#define ROLE_PREFIX "profiles/roles/"

void image_role_release(struct image_role *r)
{
	free(r->name);
	free(r->profile);
	free(r->base_profile);
	gild_strv_release(&r->nodes);
	gild_strv_release(&r->formats);
	gild_strv_release(&r->install_mask);
	gild_strv_release(&r->setuid_allowed);
	*r = (struct image_role){0};
}

/* Words of a variable; "-word" removes an earlier "word" (Portage's
 * INSTALL_MASK unmasking). */
static void var_words(const struct config *cfg, const char *name,
		      struct gild_strv *out)
{
	_cleanup_(gild_strv_releasep) struct gild_strv w = GILD_STRV_INIT;
	const char *v = config_get(cfg, name);

	gild_split_words(v ? v : "", &w);
	for (size_t i = 0; i < w.n; i++) {
		if (w.v[i][0] != '-') {
			if (!gild_strv_contains(out, w.v[i]))
				gild_strv_add(out, w.v[i]);
			continue;
		}
		for (size_t k = 0; k < out->n; k++)
			if (!strcmp(out->v[k], w.v[i] + 1)) {
				free(out->v[k]);
				memmove(&out->v[k], &out->v[k + 1],
					(out->n - k) * sizeof(char *));
				out->n--;
				break;
			}
	}
}

static bool var_yes(const struct config *cfg, const char *name, bool dflt)
{
	const char *v = config_get(cfg, name);

	if (!v || !*v)
		return dflt;
	return !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true");
}

static int role_vars(struct image *im, struct gild_err *err)
{
	const struct config *cfg = im->env->cfg;
	const char *size = config_get(cfg, "IMAGE_SIZE");

	var_words(cfg, "IMAGE_FORMATS", &im->role.formats);
	/* INSTALL_MASK applies to packages as they are built (the build
	 * does it); IMAGE_INSTALL_MASK only to the image, so that headers
	 * and static libraries stay in the packages other builds need */
	var_words(cfg, "INSTALL_MASK", &im->role.install_mask);
	var_words(cfg, "IMAGE_INSTALL_MASK", &im->role.install_mask);
	var_words(cfg, "IMAGE_SETUID_ALLOWED", &im->role.setuid_allowed);
	im->role.vdb = var_yes(cfg, "IMAGE_VDB", true);
	im->role.strip = var_yes(cfg, "IMAGE_STRIP", true);
	if (size && *size && gild_parse_u64(size, true, &im->role.size) < 0)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "IMAGE_SIZE '%s' is not a size (bytes with "
				 "an optional k, m or g)",
				 size);
	return 0;
}

int image_role_load(struct image *im, struct gild_err *err)
{
	const struct profile *p = im->env->cfg->profile;
	const char *last_base = NULL, *last_role = NULL;

	for (size_t i = 0; i < p->nodes.n; i++) {
		const char *n = p->nodes.v[i];
		if (gild_startswith(n, ROLE_PREFIX)) {
			gild_strv_push(&im->role.nodes,
				       gild_path_join(im->env->cfg->tree, n));
			last_role = n;
		} else if (!last_role) {
			last_base = n;
		}
	}
	if (!last_role)
		return gild_fail(err, -GILD_E_NOTFOUND, NULL,
				 "profile '%s' is not a role (no profile "
				 "under profiles/roles/ in its stack)",
				 p->name);
	im->role.profile = xstrdup(p->name);
	im->role.name = xstrdup(strrchr(last_role, '/') + 1);
	im->role.base_profile =
	    xstrdup(last_base && gild_startswith(last_base, "profiles/")
			? last_base + strlen("profiles/")
			: "none");
	return role_vars(im, err);
}

void role_lines_release(struct role_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		free(l->v[i].file);
	}
	free(l->v);
	*l = (struct role_lines){0};
}

static void add_lines(const char *file, char *text, struct role_lines *out)
{
	unsigned lineno = 0;

	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
			     line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		gild_grow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = (struct role_line){.text = xstrdup(line),
						      .file = xstrdup(file),
						      .line = lineno};
	}
}

int image_role_lines(const struct image *im, const char *name,
		     struct role_lines *out, struct gild_err *err)
{
	for (size_t i = 0; i < im->role.nodes.n; i++) {
		_cleanup_free_ char *path =
		    gild_path_join(im->role.nodes.v[i], name);
		_cleanup_free_ char *text = NULL;
		size_t n;
		int r = gild_read_file(path, &text, &n, err);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		add_lines(path, text, out);
	}
	gild_err_clear(err);
	return 0;
}

char *image_role_file(const struct image *im, const char *name)
{
	for (size_t i = im->role.nodes.n; i > 0; i--) {
		char *path = gild_path_join(im->role.nodes.v[i - 1], name);
		struct stat st;
		if (stat(path, &st) == 0)
			return path;
		free(path);
	}
	return NULL;
}
