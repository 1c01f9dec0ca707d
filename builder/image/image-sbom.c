/* image-sbom.c: sbom.cdx.xml, a CycloneDX 1.6 bill of materials written
 * with libxml2: the image as the metadata component, gild as the tool,
 * one component per package (name, version, purl, licences as SPDX ids or
 * an expression, distfiles with their URLs and hashes, the build-id, USE
 * and slot as properties) and the runtime dependency graph. Element order
 * follows bom-1.6.xsd, which the tests validate against. */
#include "fetch/fetch.h"
#include "image-impl.h"
#include "pms/pms.h"

#include <libxml/xmlwriter.h>
#include <time.h>

#define CDX_NS "http://cyclonedx.org/schema/bom/1.6"

struct sbom {
	xmlTextWriterPtr w;
	struct image *im; /* NULL for a medium's boot packages */
	struct build_env *env;
	struct gild_strv map_from, map_to; /* Gentoo -> SPDX licence names */
};

static void el(struct sbom *s, const char *name, const char *text)
{
	xmlTextWriterWriteElement(s->w, BAD_CAST name, BAD_CAST text);
}

static void start(struct sbom *s, const char *name)
{
	xmlTextWriterStartElement(s->w, BAD_CAST name);
}

static void attr(struct sbom *s, const char *name, const char *value)
{
	xmlTextWriterWriteAttribute(s->w, BAD_CAST name, BAD_CAST value);
}

static void end(struct sbom *s)
{
	xmlTextWriterEndElement(s->w);
}

static void property(struct sbom *s, const char *name, const char *value)
{
	start(s, "property");
	attr(s, "name", name);
	xmlTextWriterWriteString(s->w, BAD_CAST(value ? value : ""));
	end(s);
}

static void hash(struct sbom *s, const char *alg, const char *hex)
{
	start(s, "hash");
	attr(s, "alg", alg);
	xmlTextWriterWriteString(s->w, BAD_CAST hex);
	end(s);
}

/* ---- licences ----------------------------------------------------------- */

/* metadata/license-mapping.conf, as Gentoo's: "[spdx]" then
 * "GENTOO-NAME = SPDX-ID" lines. */
static void load_license_map(struct sbom *s)
{
	_cleanup_free_ char *path =
	    gild_path_join(s->env->cfg->tree, "metadata/license-mapping.conf");
	_cleanup_free_ char *text = NULL;
	size_t n;
	bool in_spdx = false;

	if (gild_read_file(path, &text, &n, NULL) < 0)
		return;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char a[128], b[128];
		if (line[0] == '[')
			in_spdx = !strncmp(line, "[spdx]", 6);
		else if (in_spdx && sscanf(line, "%127s = %127s", a, b) == 2 &&
			 a[0] != '#') {
			gild_strv_add(&s->map_from, a);
			gild_strv_add(&s->map_to, b);
		}
	}
}

static const char *spdx_id(const struct sbom *s, const char *gentoo)
{
	for (size_t i = 0; i < s->map_from.n; i++)
		if (!strcmp(s->map_from.v[i], gentoo))
			return s->map_to.v[i];
	return NULL;
}

/* A LICENSE string as an SPDX expression: items AND, `|| ( )` OR, USE
 * conditionals' groups kept (the packaged value is already reduced);
 * a licence without an SPDX id becomes LicenseRef-gentoo-NAME. Sets
 * *single when it is one licence. */
static void spdx_expr(const struct sbom *s, char **tok, size_t *i, size_t n,
		      bool or, struct gild_buf *out, size_t *count)
{
	size_t items = 0;

	while (*i < n && strcmp(tok[*i], ")")) {
		const char *t = tok[(*i)++];
		if (items++)
			gild_buf_adds(out, or ? " OR " : " AND ");
		if (!strcmp(t, "||") || gild_endswith(t, "?")) {
			bool sub_or = !strcmp(t, "||");
			(*i)++; /* "(" */
			gild_buf_addc(out, '(');
			spdx_expr(s, tok, i, n, sub_or, out, count);
			gild_buf_addc(out, ')');
			(*i)++; /* ")" */
			continue;
		}
		if (!strcmp(t, "(")) {
			gild_buf_addc(out, '(');
			spdx_expr(s, tok, i, n, false, out, count);
			gild_buf_addc(out, ')');
			(*i)++;
			continue;
		}
		const char *id = spdx_id(s, t);
		if (id)
			gild_buf_adds(out, id);
		else
			gild_buf_printf(out, "LicenseRef-gentoo-%s", t);
		(*count)++;
	}
}

static void licenses(struct sbom *s, const char *license)
{
	_cleanup_(gild_strv_releasep) struct gild_strv tok = GILD_STRV_INIT;
	_cleanup_(gild_buf_releasep) struct gild_buf e = GILD_BUF_INIT;
	size_t i = 0, count = 0;

	gild_split_words(license ? license : "", &tok);
	if (!tok.n)
		return;
	start(s, "licenses");
	if (tok.n == 1) {
		const char *id = spdx_id(s, tok.v[0]);
		start(s, "license");
		el(s, id ? "id" : "name", id ? id : tok.v[0]);
		end(s);
	} else {
		spdx_expr(s, tok.v, &i, tok.n, false, &e, &count);
		el(s, "expression", gild_buf_str(&e));
	}
	end(s);
}

/* ---- components ---------------------------------------------------------- */

/* The distfiles of a package's recipe, with their URLs, the Manifest's
 * SHA-512 and BLAKE2b, and the SHA-256 of the file when DISTDIR has it. */
static void distfiles(struct sbom *s, const char *category, const char *pf,
		      const struct gpkg_meta *meta)
{
	_cleanup_free_ char *pn = NULL, *pvr = NULL;
	_cleanup_(fetch_srclist_releasep) struct fetch_srclist l =
	    FETCH_SRCLIST_INIT;
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	struct gild_err e = {0};
	const struct recipe *r;
	unsigned rf = 0;

	if (gpkg_split_pf(pf, &pn, &pvr, &e) < 0 ||
	    !(r = tree_find_recipe(s->env->tree, category, pn, pvr)) ||
	    fetch_recipe_sources(r, s->env->use, gpkg_meta_get(meta, "USE"), &l,
				 &rf, &e) < 0 ||
	    !l.n)
		return;
	_cleanup_free_ char *mf = xasprintf("%s/recipes/%s/%s/Manifest",
					    s->env->cfg->tree, category, pn);
	(void)manifest_load(mf, true, &m, &e);
	start(s, "externalReferences");
	for (size_t i = 0; i < l.n; i++) {
		const struct manifest_entry *me =
		    m ? manifest_find(m, "DIST", l.v[i].name) : NULL;
		start(s, "reference");
		attr(s, "type", "distribution");
		el(s, "url", l.v[i].uris.n ? l.v[i].uris.v[0] : l.v[i].name);
		el(s, "comment", l.v[i].name);
		/* the Manifest's only: whether DISTDIR has the file must
		 * not change the SBOM */
		start(s, "hashes");
		for (size_t k = 0; me && k < me->nhashes; k++) {
			if (!strcmp(me->hashes[k].name, "SHA512"))
				hash(s, "SHA-512", me->hashes[k].hex);
			else if (!strcmp(me->hashes[k].name, "BLAKE2B"))
				hash(s, "BLAKE2b-512", me->hashes[k].hex);
		}
		end(s);
		end(s);
	}
	end(s);
}

static bool is_library(const char *category)
{
	return gild_endswith(category, "-libs");
}

static void component(struct sbom *s, const char *cpv, const char *category,
		      const char *pf, const struct gpkg_meta *meta)
{
	_cleanup_free_ char *pn = NULL, *pvr = NULL;
	struct gild_err e = {0};
	const char *v;

	if (gpkg_split_pf(pf, &pn, &pvr, &e) < 0)
		return;
	_cleanup_free_ char *purl =
	    xasprintf("pkg:ebuild/%s/%s@%s", category, pn, pvr);
	start(s, "component");
	attr(s, "type", is_library(category) ? "library" : "application");
	attr(s, "bom-ref", cpv);
	el(s, "group", category);
	el(s, "name", pn);
	el(s, "version", pvr);
	if ((v = gpkg_meta_get(meta, "DESCRIPTION")) && *v)
		el(s, "description", v);
	licenses(s, gpkg_meta_get(meta, "LICENSE"));
	el(s, "purl", purl);
	distfiles(s, category, pf, meta);
	start(s, "properties");
	property(s, "gild:build-id", gpkg_build_id(meta));
	property(s, "gild:slot", gpkg_meta_get(meta, "SLOT"));
	property(s, "gild:use", gpkg_meta_get(meta, "USE"));
	property(s, "gild:cflags", gpkg_meta_get(meta, "CFLAGS"));
	end(s);
	end(s);
}

int image_sbom_package(void *writer, struct build_env *env,
		       const char *gpkg_path, char **cpv, struct gild_err *err)
{
	_cleanup_(gpkg_meta_releasep) struct gpkg_meta meta = {0};
	struct sbom s = {.w = writer, .env = env};
	const char *cat, *pf;
	int r;

	if ((r = gpkg_read_meta(gpkg_path, &meta, err)) < 0)
		return r;
	cat = gpkg_meta_get(&meta, "CATEGORY");
	pf = gpkg_meta_get(&meta, "PF");
	if (!cat || !pf)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' has no CATEGORY or PF", gpkg_path);
	*cpv = xasprintf("%s/%s", cat, pf);
	load_license_map(&s);
	component(&s, *cpv, cat, pf, &meta);
	gild_strv_release(&s.map_from);
	gild_strv_release(&s.map_to);
	return 0;
}

static void dependencies(struct sbom *s)
{
	start(s, "dependencies");
	start(s, "dependency");
	attr(s, "ref", "image");
	for (size_t i = 0; i < s->im->npkgs; i++) {
		start(s, "dependency");
		attr(s, "ref", s->im->pkgs[i].cpv);
		end(s);
	}
	end(s);
	for (size_t i = 0; i < s->im->npkgs; i++) {
		const struct image_pkg *p = &s->im->pkgs[i];
		start(s, "dependency");
		attr(s, "ref", p->cpv);
		for (size_t k = 0; k < p->ndeps; k++) {
			start(s, "dependency");
			attr(s, "ref", p->deps[k]);
			end(s);
		}
		end(s);
	}
	end(s);
}

/* ---- the document -----------------------------------------------------------
 */

void image_sbom_head(void *writer, int64_t sde)
{
	struct sbom s = {.w = writer};
	char ts[32];
	time_t t = (time_t)sde;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	el(&s, "timestamp", ts);
	start(&s, "tools");
	start(&s, "components");
	start(&s, "component");
	attr(&s, "type", "application");
	el(&s, "name", "gild");
	el(&s, "version", GILD_VERSION);
	end(&s);
	end(&s);
	end(&s);
}

static void metadata(struct sbom *s, const struct image_result *res)
{
	start(s, "metadata");
	image_sbom_head(s->w, s->im->sde);
	start(s, "component");
	attr(s, "type", "operating-system");
	attr(s, "bom-ref", "image");
	_cleanup_free_ char *name = xasprintf("gild-%s", s->im->role.name);
	el(s, "name", name);
	_cleanup_free_ char *ver = xstrndup(s->im->image_id, 12);
	el(s, "version", ver);
	_cleanup_free_ char *desc =
	    xasprintf("golden image of role %s (profile %s)", s->im->role.name,
		      s->im->role.profile);
	el(s, "description", desc);
	start(s, "hashes");
	for (size_t i = 0; i < res->nout; i++)
		if (!res->out[i].skipped) {
			hash(s, "SHA-256", res->out[i].sha256);
			break;
		}
	end(s);
	start(s, "properties");
	property(s, "gild:image-id", s->im->image_id);
	property(s, "gild:profile", s->im->role.profile);
	for (size_t i = 0; i < res->nout; i++)
		if (!res->out[i].skipped) {
			_cleanup_free_ char *k =
			    xasprintf("gild:output:%s", res->out[i].name);
			property(s, k, res->out[i].sha256);
		}
	end(s);
	end(s);
	end(s);
}

/* urn:uuid from the image-id: the same image, the same serial number. */
static char *serial(const struct image *im)
{
	const char *h = im->image_id;

	return xasprintf("urn:uuid:%.8s-%.4s-5%.3s-8%.3s-%.12s", h, h + 8,
			 h + 13, h + 17, h + 20);
}

int image_write_sbom(struct image *im, const char *dir,
		     const struct image_result *res, struct gild_err *err)
{
	struct sbom s = {.im = im, .env = im->env};
	xmlBufferPtr buf = xmlBufferCreate();
	_cleanup_free_ char *sn = serial(im);
	int r;

	s.w = xmlNewTextWriterMemory(buf, 0);
	if (!s.w)
		GILD_BUG("cannot create an XML writer");
	load_license_map(&s);
	xmlTextWriterSetIndent(s.w, 1);
	xmlTextWriterSetIndentString(s.w, BAD_CAST "  ");
	xmlTextWriterStartDocument(s.w, "1.0", "UTF-8", NULL);
	start(&s, "bom");
	attr(&s, "xmlns", CDX_NS);
	attr(&s, "serialNumber", sn);
	attr(&s, "version", "1");
	metadata(&s, res);
	start(&s, "components");
	for (size_t i = 0; i < im->npkgs; i++)
		component(&s, im->pkgs[i].cpv, im->pkgs[i].category,
			  im->pkgs[i].pf, &im->pkgs[i].meta);
	end(&s);
	dependencies(&s);
	end(&s);
	xmlTextWriterEndDocument(s.w);
	xmlFreeTextWriter(s.w);
	r = image_put_text(dir, "sbom.cdx.xml", (const char *)buf->content,
			   err);
	xmlBufferFree(buf);
	gild_strv_release(&s.map_from);
	gild_strv_release(&s.map_to);
	return r;
}
