/* hash.c: message digests for Manifests and CONTENTS (OpenSSL libcrypto). */
#include "repo-impl.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

struct gpkg_hash {
	EVP_MD_CTX *ctx;
};

/* The one place that maps a digest's name to OpenSSL's. */
static const EVP_MD *lookup(const char *name)
{
	if (strcmp(name, "SHA256") == 0)
		return EVP_sha256();
	if (strcmp(name, "SHA512") == 0)
		return EVP_sha512();
	if (strcmp(name, "BLAKE2B") == 0)
		return EVP_blake2b512();
	if (strcmp(name, "MD5") == 0)
		return EVP_md5();
	return NULL;
}

static const EVP_MD *digest_by_name(const char *name)
{
	const EVP_MD *md = lookup(name);

	if (!md)
		GILD_BUG("unknown digest '%s'", name);
	return md;
}

bool gpkg_hash_known(const char *name)
{
	return lookup(name) != NULL;
}

void gpkg_hash_mem(const char *name, const void *data, size_t n, char *out,
		   size_t outsz)
{
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *h = gpkg_hash_new(name);

	gpkg_hash_update(h, data, n);
	gpkg_hash_hex(h, out, outsz);
}

struct gpkg_hash *gpkg_hash_new(const char *name)
{
	struct gpkg_hash *h = xcalloc(1, sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx ||
	    EVP_DigestInit_ex(h->ctx, digest_by_name(name), NULL) != 1)
		GILD_BUG("cannot initialise digest '%s'", name);
	return h;
}

void gpkg_hash_update(struct gpkg_hash *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->ctx, p, n);
}

void gpkg_hash_hex(struct gpkg_hash *h, char *out, size_t outsz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	if (outsz < 2 * (size_t)n + 1)
		GILD_BUG("digest buffer too small");
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * n] = '\0';
}

void gpkg_hash_free(struct gpkg_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int gpkg_hash_file(const char *name, const char *path, char *out, size_t outsz,
		   uint64_t *size, struct gild_err *err)
{
	_cleanup_(gpkg_hash_freep) struct gpkg_hash *h = gpkg_hash_new(name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	static _Thread_local char buf[1 << 16];
	uint64_t total = 0;
	ssize_t n;

	if (fd < 0)
		return gild_fail_errno(err, path, "cannot open");
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		gpkg_hash_update(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0)
		return gild_fail_errno(err, path, "cannot read");
	gpkg_hash_hex(h, out, outsz);
	if (size)
		*size = total;
	return 0;
}
