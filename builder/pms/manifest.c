/* manifest.c: parse, verify and write Gentoo Manifests (see manifest.h). */
#include "pms/pms.h"
#include "repo/repo.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

static const char *const entry_types[] = {"AUX",    "DATA",	"DIST",
					  "EBUILD", "MANIFEST", "MISC"};

static void entry_release(struct manifest_entry *e)
{
	free(e->type);
	free(e->name);
	for (size_t i = 0; i < e->nhashes; i++) {
		free(e->hashes[i].name);
		free(e->hashes[i].hex);
	}
	free(e->hashes);
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		entry_release(&m->v[i]);
	free(m->v);
	free(m->path);
	free(m);
}

static bool known_type(const char *t)
{
	for (size_t i = 0; i < GILD_ARRAY_SIZE(entry_types); i++)
		if (strcmp(entry_types[i], t) == 0)
			return true;
	return false;
}

static bool is_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return false;
	return true;
}

static char *lower_dup(const char *s)
{
	char *r = xstrdup(s);

	for (char *p = r; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

/* Split a line on blanks, in place; returns the number of words. */
static size_t split_words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static struct manifest_entry *entry_push(struct manifest *m)
{
	gild_grow(&m->v, &m->cap, m->n + 1, sizeof(*m->v));
	memset(&m->v[m->n], 0, sizeof(m->v[0]));
	return &m->v[m->n++];
}

static int parse_line(struct manifest *m, char *line, unsigned lineno,
		      struct gild_err *err)
{
	struct gild_loc loc = {m->path, lineno, 0};
	char *w[64];
	size_t n = split_words(line, w, GILD_ARRAY_SIZE(w));
	struct manifest_entry *e;
	uint64_t size;

	if (n == 0)
		return 0;
	if (!known_type(w[0]))
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "unknown Manifest entry type '%s'", w[0]);
	if (n < 5 || n > GILD_ARRAY_SIZE(w) || (n - 3) % 2 != 0)
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "malformed %s entry: expected 'NAME SIZE "
				 "HASH VALUE...'",
				 w[0]);
	if (gild_parse_u64(w[2], false, &size) < 0)
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "bad size '%s' for '%s'", w[2], w[1]);
	if (manifest_find(m, w[0], w[1]))
		return gild_fail(err, -GILD_E_SYNTAX, &loc,
				 "duplicate %s entry for '%s'", w[0], w[1]);
	for (size_t i = 4; i < n; i += 2)
		if (!is_hex(w[i]))
			return gild_fail(err, -GILD_E_SYNTAX, &loc,
					 "bad %s value for '%s'", w[i - 1],
					 w[1]);
	e = entry_push(m);
	e->type = xstrdup(w[0]);
	e->name = xstrdup(w[1]);
	e->size = size;
	e->line = lineno;
	e->nhashes = (n - 3) / 2;
	e->hashes = xcalloc(e->nhashes, sizeof(*e->hashes));
	for (size_t i = 0; i < e->nhashes; i++) {
		e->hashes[i].name = xstrdup(w[3 + 2 * i]);
		e->hashes[i].hex = lower_dup(w[4 + 2 * i]);
	}
	return 0;
}

int manifest_parse(const char *path, const char *text, size_t len,
		   struct manifest **out, struct gild_err *err)
{
	_cleanup_(manifest_freep) struct manifest *m = xcalloc(1, sizeof(*m));
	_cleanup_free_ char *copy = xstrndup(text, len);
	char *line = copy, *nl;
	unsigned lineno = 0;
	int r;

	m->path = xstrdup(path);
	for (; line; line = nl) {
		lineno++;
		if ((nl = strchr(line, '\n')))
			*nl++ = '\0';
		if ((r = parse_line(m, line, lineno, err)) < 0)
			return r;
	}
	*out = TAKE_PTR(m);
	return 0;
}

int manifest_load(const char *path, bool missing_ok, struct manifest **out,
		  struct gild_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = gild_read_file(path, &text, &len, err);

	if (r == -ENOENT && missing_ok) {
		gild_err_clear(err);
		return manifest_parse(path, "", 0, out, err);
	}
	if (r < 0)
		return r;
	return manifest_parse(path, text, len, out, err);
}

const struct manifest_entry *manifest_find(const struct manifest *m,
					   const char *type, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].type, type) == 0 &&
		    strcmp(m->v[i].name, name) == 0)
			return &m->v[i];
	return NULL;
}

void manifest_set_dist(struct manifest *m, const char *name,
		       const struct manifest_digest *d)
{
	struct manifest_entry *e =
	    (struct manifest_entry *)manifest_find(m, "DIST", name);

	if (e)
		entry_release(e);
	else
		e = entry_push(m);
	memset(e, 0, sizeof(*e));
	e->type = xstrdup("DIST");
	e->name = xstrdup(name);
	e->size = d->size;
	e->nhashes = 2;
	e->hashes = xcalloc(2, sizeof(*e->hashes));
	e->hashes[0].name = xstrdup("BLAKE2B");
	e->hashes[0].hex = xstrdup(d->blake2b);
	e->hashes[1].name = xstrdup("SHA512");
	e->hashes[1].hex = xstrdup(d->sha512);
}

bool manifest_remove(struct manifest *m, const char *type, const char *name)
{
	struct manifest_entry *e =
	    (struct manifest_entry *)manifest_find(m, type, name);

	if (!e)
		return false;
	entry_release(e);
	memmove(e, e + 1, (size_t)(&m->v[m->n] - (e + 1)) * sizeof(*e));
	m->n--;
	return true;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct manifest_entry *x = a, *y = b;
	int c = strcmp(x->type, y->type);

	return c ? c : strcmp(x->name, y->name);
}

int manifest_write(const struct manifest *m, const char *path,
		   struct gild_err *err)
{
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	_cleanup_free_ struct manifest_entry *sorted = NULL;
	int r;

	if ((r = gild_atomic_open(&af, AT_FDCWD, path, 0644, err)) < 0)
		return r;
	sorted = xcalloc(m->n ? m->n : 1, sizeof(*sorted));
	if (m->n)
		memcpy(sorted, m->v, m->n * sizeof(*sorted));
	qsort(sorted, m->n, sizeof(*sorted), entry_cmp);
	for (size_t i = 0; i < m->n; i++) {
		const struct manifest_entry *e = &sorted[i];
		fprintf(af.f, "%s %s %" PRIu64, e->type, e->name, e->size);
		for (size_t h = 0; h < e->nhashes; h++)
			fprintf(af.f, " %s %s", e->hashes[h].name,
				e->hashes[h].hex);
		fputc('\n', af.f);
	}
	return gild_atomic_commit(&af, err);
}

/* ---- digests ------------------------------------------------------------ */

/* BLAKE2B and SHA512 in one pass over the file. */
static int digest_fd(int fd, const char *path, struct manifest_digest *d,
		     struct gild_err *err)
{
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *b2 =
	    gpkg_hash_new("BLAKE2B");
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *s5 =
	    gpkg_hash_new("SHA512");
	unsigned char buf[65536];
	ssize_t n;

	d->size = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gild_fail_errno(err, path, "cannot read");
		gpkg_hash_update(b2, buf, (size_t)n);
		gpkg_hash_update(s5, buf, (size_t)n);
		d->size += (uint64_t)n;
	}
	gpkg_hash_hex(b2, d->blake2b, sizeof(d->blake2b));
	gpkg_hash_hex(s5, d->sha512, sizeof(d->sha512));
	return 0;
}

int manifest_digest_file(const char *path, struct manifest_digest *d,
			 struct gild_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return gild_fail_errno(err, path, "cannot open");
	return digest_fd(fd, path, d, err);
}

/* The value gild computed for a Manifest hash name, or NULL when gild
 * does not compute that hash (it is then kept but not checked). */
static const char *digest_value(const struct manifest_digest *d,
				const char *hashname)
{
	if (strcmp(hashname, "BLAKE2B") == 0)
		return d->blake2b;
	if (strcmp(hashname, "SHA512") == 0)
		return d->sha512;
	return NULL;
}

static int check_entry(const struct manifest *m, const struct manifest_entry *e,
		       const struct manifest_digest *d, struct gild_err *err)
{
	struct gild_loc loc = {m->path, e->line, 0};
	bool checked = false;

	if (d->size != e->size)
		return gild_fail(err, -GILD_E_MANIFEST, &loc,
				 "size mismatch for '%s': expected %" PRIu64
				 ", got %" PRIu64,
				 e->name, e->size, d->size);
	for (size_t i = 0; i < e->nhashes; i++) {
		const char *got = digest_value(d, e->hashes[i].name);
		if (!got)
			continue;
		checked = true;
		if (strcmp(got, e->hashes[i].hex) != 0)
			return gild_fail(err, -GILD_E_MANIFEST, &loc,
					 "%s mismatch for '%s': expected %s, "
					 "got %s",
					 e->hashes[i].name, e->name,
					 e->hashes[i].hex, got);
	}
	if (!checked)
		return gild_fail(err, -GILD_E_MANIFEST, &loc,
				 "no BLAKE2B or SHA512 hash for '%s'", e->name);
	return 0;
}

int manifest_verify_file(const struct manifest *m, const char *name,
			 const char *path, struct gild_err *err)
{
	const struct manifest_entry *e = manifest_find(m, "DIST", name);
	struct gild_loc loc = {m->path, 0, 0};
	struct manifest_digest d;
	int r;

	if (!e)
		return gild_fail(err, -GILD_E_NOTFOUND, &loc,
				 "no DIST entry for '%s'", name);
	if ((r = manifest_digest_file(path, &d, err)) < 0)
		return r;
	return check_entry(m, e, &d, err);
}

int manifest_move_aside(const char *distdir, const char *path, const char *name,
			char **moved_to, struct gild_err *err)
{
	_cleanup_free_ char *bad = gild_path_join(distdir, ".bad");
	int r;

	if ((r = gild_mkdir_p(bad, 0755, err)) < 0)
		return r;
	for (unsigned n = 1; n < 10000; n++) {
		_cleanup_free_ char *to = xasprintf("%s/%s.%u", bad, name, n);
		/* link+unlink instead of rename: never replaces an older
		 * bad copy even if two fetches race */
		if (link(path, to) == 0) {
			if (unlink(path) < 0)
				return gild_fail_errno(err, path,
						       "cannot remove");
			if (moved_to)
				*moved_to = TAKE_PTR(to);
			return 0;
		}
		if (errno != EEXIST)
			return gild_fail_errno(err, to, "cannot move '%s' to",
					       path);
	}
	return gild_fail(err, -GILD_E_LIMIT, NULL,
			 "too many bad copies of '%s' in '%s'", name, bad);
}
