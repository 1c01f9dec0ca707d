/* curl-lazy.c: libcurl, loaded the first time gild fetches.
 *
 * libcurl pulls in some thirty shared libraries (TLS, Kerberos, LDAP,
 * ...). Linking it made every gild command, `gild sandbox` included, pay
 * for mapping them at start-up: about 4 ms of the 6.7 ms a bare
 * `gild version` took (bench/sandbox-start). Only fetching needs it, so
 * the few entry points gild uses are looked up with dlopen on first use.
 * A missing library is reported by the call that needed it. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>

#include "base/base.h"

static struct {
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
} lc;

static pthread_once_t lc_once = PTHREAD_ONCE_INIT;

static void lc_load(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "gild: error: cannot load libcurl: %s\n",
			dlerror());
		return;
	}
	lc.easy_init = (CURL * (*)(void)) dlsym(h, "curl_easy_init");
	lc.easy_cleanup = (void (*)(CURL *))dlsym(h, "curl_easy_cleanup");
	lc.easy_perform = (CURLcode(*)(CURL *))dlsym(h, "curl_easy_perform");
	lc.easy_setopt =
	    (CURLcode(*)(CURL *, CURLoption, ...))dlsym(h, "curl_easy_setopt");
	lc.easy_getinfo =
	    (CURLcode(*)(CURL *, CURLINFO, ...))dlsym(h, "curl_easy_getinfo");
	lc.easy_strerror =
	    (const char *(*)(CURLcode))dlsym(h, "curl_easy_strerror");
}

static bool lc_ready(void)
{
	pthread_once(&lc_once, lc_load);
	return lc.easy_init && lc.easy_cleanup && lc.easy_perform &&
	       lc.easy_setopt && lc.easy_getinfo && lc.easy_strerror;
}

CURL *curl_easy_init(void)
{
	return lc_ready() ? lc.easy_init() : NULL;
}

void curl_easy_cleanup(CURL *c)
{
	if (c && lc_ready())
		lc.easy_cleanup(c);
}

CURLcode curl_easy_perform(CURL *c)
{
	return lc_ready() ? lc.easy_perform(c) : CURLE_FAILED_INIT;
}

/* Every option value gild passes is a long, a pointer, a curl_off_t or a
 * function pointer: on x86-64 (and every LP64 ABI gild builds for) each
 * travels in one integer register or stack slot, so one 64-bit word
 * forwards any of them unchanged. */
CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, opt);
	arg = va_arg(ap, void *);
	va_end(ap);
	return lc_ready() ? lc.easy_setopt(c, opt, arg) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, info);
	arg = va_arg(ap, void *);
	va_end(ap);
	return lc_ready() ? lc.easy_getinfo(c, info, arg) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode rc)
{
	return lc_ready() ? lc.easy_strerror(rc)
			  : "libcurl could not be loaded";
}
