/* build-attrs.c: owners and modes the recipe asked for with fowners and
 * fperms ("owner and group recorded by name and number as the
 * recipe set them"). The build user cannot chown, and the sandbox refuses
 * setuid/setgid bits, so ebuild.sh writes each request to
 * ${T}/.gild-attrs:
 *
 *   user NAME PATH     group NAME PATH     mode OCTAL PATH
 *   setuid-allowed - PATH      (the recipe's QA_SETUID_ALLOWED)
 *
 * Here the requests are merged per path (the last one wins, as repeated
 * chown/chmod calls would), names are turned into numbers through the
 * /etc/passwd and /etc/group of the image itself, of the build-time
 * dependencies (baselayout) and of the stage, and the result goes to the
 * GPKG writer (struct gpkg_attr), which records it in the image archive
 * and in CONTENTS. QA (build-qa.c) checks the setuid/setgid requests. */
#include "build/build.h"

#include <errno.h>

#include "repo/repo.h"

static struct gpkg_attr *attr_for(struct build_job *j, const char *path)
{
	struct gpkg_attr *a;

	for (size_t i = 0; i < j->n_attrs; i++)
		if (!strcmp(j->attrs[i].path, path))
			return &j->attrs[i];
	gild_grow(&j->attrs, &j->cap_attrs, j->n_attrs + 1, sizeof(*j->attrs));
	a = &j->attrs[j->n_attrs++];
	*a = (struct gpkg_attr){.path = xstrdup(path), .mode = -1};
	return a;
}

/* The id of NAME in an /etc/passwd or /etc/group file (the third field in
 * both), or -1. With a numeric NAME, *found_name gets the entry's name. */
static long id_in_file(const char *file, const char *name, char **found_name)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	bool numeric = name[strspn(name, "0123456789")] == '\0';

	if (gild_read_file(file, &text, NULL, NULL) < 0)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {line, NULL, NULL, NULL};
		for (int k = 1; k < 4 && f[k - 1]; k++) {
			char *c = strchr(f[k - 1], ':');
			if (c) {
				*c = '\0';
				f[k] = c + 1;
			}
		}
		if (!f[2])
			continue;
		if (numeric ? !strcmp(f[2], name) : !strcmp(f[0], name)) {
			if (found_name)
				*found_name = xstrdup(f[0]);
			return strtol(f[2], NULL, 10);
		}
	}
	return -1;
}

/* NAME (a user or group, or a number) to its number and its name, looked
 * up in <root>/etc/FILE for the image, the dependencies and the stage. */
static int resolve_id(struct build_job *j, const char *file, const char *kind,
		      const char *name, const char *path, unsigned *id,
		      char **out_name, struct gild_err *err)
{
	_cleanup_free_ char *image = gild_path_join(j->workroot, "image");
	_cleanup_free_ char *deps = gild_path_join(j->workroot, "deps");
	const char *roots[] = {image, deps, j->env->stage_root};
	bool numeric = name[0] && name[strspn(name, "0123456789")] == '\0';

	if (!strcmp(name, "root") || !strcmp(name, "0")) {
		*id = 0;
		*out_name = xstrdup("root");
		return 0;
	}
	for (size_t i = 0; i < GILD_ARRAY_SIZE(roots); i++) {
		_cleanup_free_ char *p = NULL;
		char *found = NULL;
		long v;
		if (!roots[i])
			continue;
		p = xasprintf("%s/etc/%s", roots[i], file);
		if ((v = id_in_file(p, name, &found)) >= 0) {
			*id = (unsigned)v;
			*out_name = found;
			return 0;
		}
	}
	if (numeric) {
		*id = (unsigned)strtoul(name, NULL, 10);
		*out_name = xstrdup(name);
		return 0;
	}
	return gild_fail(
	    err, -GILD_E_INVALID, NULL,
	    "'%s/%s': fowners: %s '%s' of '%s' is in no /etc/%s of "
	    "the image, the build-time dependencies or the stage",
	    j->r->category, j->r->pf, kind, name, path, file);
}

static int apply_line(struct build_job *j, const char *key, const char *value,
		      const char *path, struct gild_err *err)
{
	struct gpkg_attr *a;
	char *end, *name = NULL;
	unsigned id = 0;
	long mode;
	int r;

	if (!strcmp(key, "setuid-allowed")) {
		gild_strv_add(&j->setuid_allowed, path);
		return 0;
	}
	a = attr_for(j, path);
	if (!strcmp(key, "mode")) {
		errno = 0;
		mode = strtol(value, &end, 8);
		if (*end || errno || mode < 0 || mode > 07777)
			return gild_fail(
			    err, -GILD_E_INVALID, NULL,
			    "'%s/%s': fperms: bad mode '%s' for '%s'",
			    j->r->category, j->r->pf, value, path);
		a->mode = (int)mode;
		return 0;
	}
	if (strcmp(key, "user") && strcmp(key, "group"))
		return gild_fail(
		    err, -GILD_E_INVALID, NULL,
		    "'%s/%s': unknown attribute request '%s' for '%s'",
		    j->r->category, j->r->pf, key, path);
	bool user = !strcmp(key, "user");
	if ((r = resolve_id(j, user ? "passwd" : "group", key, value, path, &id,
			    &name, err)) < 0)
		return r;
	if (user) {
		free((char *)a->user);
		a->user = name;
		a->uid = id;
	} else {
		free((char *)a->group);
		a->group = name;
		a->gid = id;
	}
	return 0;
}

static int cmp_attr(const void *x, const void *y)
{
	return strcmp(((const struct gpkg_attr *)x)->path,
		      ((const struct gpkg_attr *)y)->path);
}

int build_job_load_attrs(struct build_job *j, struct gild_err *err)
{
	_cleanup_free_ char *file =
	    gild_path_join(j->workroot, "temp/.gild-attrs");
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int r;

	if (access(file, F_OK) != 0)
		return 0;
	if ((r = gild_read_file(file, &text, NULL, err)) < 0)
		return r;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *value = strchr(line, ' ');
		char *path = value ? strchr(value + 1, ' ') : NULL;
		if (!path || path[1] != '/')
			return gild_fail(err, -GILD_E_INVALID, NULL,
					 "'%s/%s': bad attribute request '%s'",
					 j->r->category, j->r->pf, line);
		*value++ = '\0';
		*path++ = '\0';
		if ((r = apply_line(j, line, value, path, err)) < 0)
			return r;
	}
	if (j->n_attrs) /* qsort(NULL, 0) is undefined */
		qsort(j->attrs, j->n_attrs, sizeof(*j->attrs), cmp_attr);
	return 0;
}

/* The mode fperms asked for path, or -1. */
int build_job_attr_mode(const struct build_job *j, const char *path)
{
	for (size_t i = 0; i < j->n_attrs; i++)
		if (!strcmp(j->attrs[i].path, path))
			return j->attrs[i].mode;
	return -1;
}

void build_job_free_attrs(struct build_job *j)
{
	for (size_t i = 0; i < j->n_attrs; i++) {
		free((char *)j->attrs[i].path);
		free((char *)j->attrs[i].user);
		free((char *)j->attrs[i].group);
	}
	free(j->attrs);
	gild_strv_release(&j->setuid_allowed);
}
