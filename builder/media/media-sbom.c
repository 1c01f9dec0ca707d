/* media-sbom.c: the SBOM of a boot medium, <role>.<kind>.cdx.xml beside
 * it (CycloneDX 1.6, as the image's sbom.cdx.xml): the medium as the
 * metadata component; the boot packages (kernel, GRUB) as the image lists
 * its packages; every file the medium boots from as a "file" component
 * with its SHA-256 and where it came from; the root file system as a file
 * whose nested components are the image's packages, copied from the
 * image's own SBOM. So every byte the firmware and the kernel load is
 * accounted for. */
#include "media-impl.h"

#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#define CDX_NS "http://cyclonedx.org/schema/bom/1.6"

static void el(xmlTextWriterPtr w, const char *name, const char *text)
{
	xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static void start(xmlTextWriterPtr w, const char *name)
{
	xmlTextWriterStartElement(w, BAD_CAST name);
}

static void end(xmlTextWriterPtr w)
{
	xmlTextWriterEndElement(w);
}

static void property(xmlTextWriterPtr w, const char *name, const char *value)
{
	start(w, "property");
	attr(w, "name", name);
	xmlTextWriterWriteString(w, BAD_CAST value);
	end(w);
}

static void sha256(xmlTextWriterPtr w, const char *hex)
{
	start(w, "hashes");
	start(w, "hash");
	attr(w, "alg", "SHA-256");
	xmlTextWriterWriteString(w, BAD_CAST hex);
	end(w);
	end(w);
}

/* A file on the medium: path there, its bytes, where it came from. */
struct media_file {
	const char *ref, *name, *host, *origin;
};

static int file_component(xmlTextWriterPtr w, const struct media_file *f,
			  xmlNodePtr nested, struct gild_err *err)
{
	char hex[65];
	int r;

	if ((r = gpkg_hash_file("SHA256", f->host, hex, sizeof(hex), NULL,
				err)) < 0)
		return r;
	start(w, "component");
	attr(w, "type", "file");
	attr(w, "bom-ref", f->ref);
	el(w, "name", f->name);
	sha256(w, hex);
	start(w, "properties");
	property(w, "gild:origin", f->origin);
	end(w);
	if (nested) {
		/* the image's packages, as its own SBOM writes them */
		xmlBufferPtr b = xmlBufferCreate();
		start(w, "components");
		for (xmlNodePtr c = nested->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE) {
				xmlBufferEmpty(b);
				xmlNodeDump(b, c->doc, c, 0, 0);
				xmlTextWriterWriteRaw(w, xmlBufferContent(b));
			}
		end(w);
		xmlBufferFree(b);
	}
	end(w);
	return 0;
}

/* The first child element of node named name, or NULL. */
static xmlNodePtr child(xmlNodePtr node, const char *name)
{
	for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !xmlStrcmp(c->name, BAD_CAST name))
			return c;
	return NULL;
}

static void metadata(xmlTextWriterPtr w, const struct media *m,
		     const struct media_result *res)
{
	start(w, "metadata");
	image_sbom_head(w, m->sde);
	start(w, "component");
	attr(w, "type", "operating-system");
	attr(w, "bom-ref", "medium");
	_cleanup_free_ char *name =
	    xasprintf("gild-%s-%s", m->img.role, m->kind);
	el(w, "name", name);
	_cleanup_free_ char *ver = xstrndup(m->img.image_id, 12);
	el(w, "version", ver);
	_cleanup_free_ char *desc =
	    xasprintf("%s of role %s (profile %s)",
		      strcmp(m->kind, "iso") ? "GPT disk image" : "live ISO",
		      m->img.role, m->img.profile);
	el(w, "description", desc);
	if (res->nout)
		sha256(w, res->out[0].sha256);
	start(w, "properties");
	property(w, "gild:image-id", m->img.image_id);
	property(w, "gild:profile", m->img.profile);
	property(w, "gild:kernel-cmdline", m->cmdline);
	for (size_t i = 0; i < res->nout; i++) {
		const char *base = strrchr(res->out[i].path, '/');
		_cleanup_free_ char *k = xasprintf(
		    "gild:output:%s", base ? base + 1 : res->out[i].path);
		property(w, k, res->out[i].sha256);
	}
	end(w);
	end(w);
	end(w);
}

/* The image's dependency graph, its "image" node renamed "rootfs"; then
 * the medium's own node. */
static void dependencies(xmlTextWriterPtr w, xmlNodePtr deps,
			 const struct gild_strv *refs)
{
	start(w, "dependencies");
	start(w, "dependency");
	attr(w, "ref", "medium");
	for (size_t i = 0; i < refs->n; i++) {
		start(w, "dependency");
		attr(w, "ref", refs->v[i]);
		end(w);
	}
	end(w);
	for (xmlNodePtr d = deps ? deps->children : NULL; d; d = d->next) {
		if (d->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *ref = xmlGetProp(d, BAD_CAST "ref");
		start(w, "dependency");
		attr(w, "ref",
		     xmlStrcmp(ref, BAD_CAST "image") ? (const char *)ref
						      : "rootfs");
		xmlFree(ref);
		for (xmlNodePtr c = d->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			xmlChar *cref = xmlGetProp(c, BAD_CAST "ref");
			start(w, "dependency");
			attr(w, "ref", (const char *)cref);
			end(w);
			xmlFree(cref);
		}
		end(w);
	}
	end(w);
}

static void doc_freep(xmlDocPtr *d)
{
	if (*d)
		xmlFreeDoc(*d);
}

static int components(xmlTextWriterPtr w, struct media *m,
		      const struct media_file *files, size_t nfiles,
		      xmlNodePtr image_components, struct gild_strv *refs,
		      struct gild_err *err)
{
	int r;

	start(w, "components");
	for (size_t i = 0; i < m->sbom_pkgs.n; i++) {
		char *cpv = NULL;
		if ((r = image_sbom_package(w, m->env, m->sbom_pkgs.v[i], &cpv,
					    err)) < 0)
			return r;
		gild_strv_push(refs, cpv);
	}
	for (size_t i = 0; i < nfiles; i++) {
		bool root = !strcmp(files[i].ref, "rootfs");
		if ((r = file_component(w, &files[i],
					root ? image_components : NULL, err)) <
		    0)
			return r;
		gild_strv_add(refs, files[i].ref);
	}
	end(w);
	return 0;
}

/* What the medium boots from, with the package (or gild step) each came
 * from. */
static size_t medium_files(const struct media *m, struct media_file *v,
			   const char *rootfs, const char *initramfs)
{
	size_t n = 0;

	v[n++] = (struct media_file){"kernel", MEDIA_KERNEL, m->kernel,
				     "sys-kernel/gild-kernel (BOOT_PACKAGES)"};
	if (initramfs)
		v[n++] = (struct media_file){
		    "initramfs", MEDIA_INITRAMFS, initramfs,
		    "gild iso: the image's /bin/busybox and gild's /init"};
	v[n++] = (struct media_file){"grub-efi", "EFI/BOOT/BOOTX64.EFI", m->efi,
				     "sys-boot/grub (BOOT_PACKAGES)"};
	if (initramfs)
		v[n++] = (struct media_file){
		    "grub-eltorito", "boot/grub/i386-pc/eltorito.img",
		    m->eltorito, "sys-boot/grub (BOOT_PACKAGES)"};
	else
		v[n++] = (struct media_file){
		    "grub-core", "BIOS boot partition (core.img)", m->coreimg,
		    "sys-boot/grub (BOOT_PACKAGES), block list set by gild"};
	v[n++] = (struct media_file){"grub-cfg", MEDIA_GRUBCFG, m->grubcfg,
				     "gild: the role's BOOT_CMDLINE"};
	v[n++] = (struct media_file){"esp", "EFI System Partition", m->esp,
				     "gild: a FAT image made with mtools"};
	v[n++] = (struct media_file){"rootfs", rootfs, rootfs,
				     "gild image: the role's golden image"};
	return n;
}

int media_write_sbom(struct media *m, const char *dir, struct media_result *res,
		     const char *initramfs, struct gild_err *err)
{
	_cleanup_free_ char *image_sbom =
	    gild_path_join(m->img.outdir, "sbom.cdx.xml");
	_cleanup_free_ char *rootfs = gild_path_join(m->img.outdir, m->rootfs);
	_cleanup_free_ char *out =
	    xasprintf("%s/%s.%s.cdx.xml", dir, m->img.role, m->kind);
	__attribute__((cleanup(doc_freep))) xmlDocPtr doc = NULL;
	_cleanup_(gild_strv_releasep) struct gild_strv refs = {0};
	_cleanup_(gild_atomic_release) struct gild_atomic af = GILD_ATOMIC_INIT;
	struct media_file files[8];
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	xmlNodePtr root;
	int r;

	if (!(doc = xmlReadFile(image_sbom, NULL, XML_PARSE_NONET)))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "cannot read the image's SBOM '%s'",
				 image_sbom);
	root = xmlDocGetRootElement(doc);
	buf = xmlBufferCreate();
	if (!(w = xmlNewTextWriterMemory(buf, 0)))
		GILD_BUG("cannot create an XML writer");
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
	start(w, "bom");
	attr(w, "xmlns", CDX_NS);
	char uuid[37];
	media_uuid(m, strcmp(m->kind, "iso") ? 10 : 9, uuid);
	_cleanup_free_ char *serial = xasprintf("urn:uuid:%s", uuid);
	attr(w, "serialNumber", serial);
	attr(w, "version", "1");
	metadata(w, m, res);
	r = components(w, m, files, medium_files(m, files, rootfs, initramfs),
		       child(root, "components"), &refs, err);
	if (r == 0) {
		dependencies(w, child(root, "dependencies"), &refs);
		end(w);
		xmlTextWriterEndDocument(w);
	}
	xmlFreeTextWriter(w);
	if (r == 0 &&
	    (r = gild_atomic_open(&af, AT_FDCWD, out, 0644, err)) == 0) {
		fputs((const char *)xmlBufferContent(buf), af.f);
		r = gild_atomic_commit(&af, err);
	}
	xmlBufferFree(buf);
	return r < 0 ? r : media_add_output(res, out, err);
}
