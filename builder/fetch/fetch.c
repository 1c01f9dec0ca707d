/* fetch.c: download one distfile with libcurl, resume, verify, rename
 * (see fetch.h). */
#include "fetch/fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <time.h>

/* State of one transfer into the partial file. */
struct download {
	const struct fetch_opts *o;
	const char *name;
	int fd;
	uint64_t start; /* bytes already in the partial file */
	uint64_t got;	/* bytes written by this transfer */
	uint64_t limit; /* the Manifest's size: no byte beyond it (0: none) */
	bool write_failed;
	bool too_big; /* the server sent more than limit */
	double last_print, began;
	bool printed;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct download *dl = arg;
	size_t n = size * nmemb, done = 0;

	/* a body longer than the Manifest says is not the distfile: stop
	 * before it fills DISTDIR */
	if (dl->limit && dl->start + dl->got + n > dl->limit) {
		dl->too_big = true;
		return 0;
	}
	while (done < n) {
		ssize_t w = write(dl->fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			dl->write_failed = true;
			return 0;
		}
		done += (size_t)w;
	}
	dl->got += n;
	return n;
}

static void human(double v, char *buf, size_t n)
{
	const char *units[] = {"B", "KiB", "MiB", "GiB"};
	unsigned u = 0;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* A progress line once a transfer has run for a second, refreshed four
 * times a second on a terminal (every 2 s otherwise, with -v). */
static int progress_cb(void *arg, curl_off_t total, curl_off_t now,
		       curl_off_t ut, curl_off_t un)
{
	struct download *dl = arg;
	bool tty = isatty(fileno(dl->o->progress_out));
	double t = now_seconds(), every = tty ? 0.25 : 2.0;
	char have[32], all[32], rate[32];

	if (t - dl->began < 1.0 || t - dl->last_print < every)
		return 0;
	dl->last_print = t;
	dl->printed = true;
	human((double)(dl->start + (uint64_t)now), have, sizeof(have));
	human((double)(dl->start + (uint64_t)total), all, sizeof(all));
	human((double)now / (t - dl->began), rate, sizeof(rate));
	fprintf(dl->o->progress_out, "%s%s: %s / %s, %s/s%s", tty ? "\r" : "",
		dl->name, have, total ? all : "?", rate, tty ? "\033[K" : "\n");
	fflush(dl->o->progress_out);
	return 0;
}

static void curl_cleanupp(CURL **c)
{
	if (*c)
		curl_easy_cleanup(*c);
}

static void setup_curl(CURL *c, struct download *dl, const char *url,
		       char *errbuf)
{
	const struct fetch_opts *o = dl->o;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirects);
	/* a redirect must never reach a local file */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	/* "timed out" means below 1 KiB/s for o->timeout seconds: a big
	 * download on a slow but working link still finishes, a server
	 * trickling a byte now and then does not hold the build forever */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->timeout);
	/* a server that ignores Range sends the whole file: the announced
	 * size may be the full limit, not the rest (write_cb checks exactly) */
	if (dl->limit)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)dl->limit);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "gild/0.1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, dl);
	if (dl->start > 0)
		curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE,
				 (curl_off_t)dl->start);
	if (o->progress && o->progress_out) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, dl);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
}

/* Why a transfer failed, in the words the attempt list uses. */
static char *failure_reason(CURL *c, CURLcode rc, const struct download *dl,
			    const char *errbuf)
{
	long code = 0, oserr = 0;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_HTTP_RETURNED_ERROR:
		return xasprintf("HTTP %ld", code);
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			return xstrdup("connection refused");
		return xasprintf("cannot connect: %s",
				 oserr ? strerror((int)oserr) : errbuf);
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf("timed out (below 1 KiB/s for %ld s)",
				 dl->o->timeout);
	case CURLE_FILESIZE_EXCEEDED:
		return xasprintf("larger than the Manifest's %" PRIu64 " bytes",
				 dl->limit);
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
		return xasprintf("transfer cut short after %" PRIu64 " bytes",
				 dl->start + dl->got);
	case CURLE_RANGE_ERROR:
		return xstrdup("cut short, and the server cannot resume "
			       "(no Range support)");
	case CURLE_FILE_COULDNT_READ_FILE:
		return xstrdup("no such file");
	case CURLE_TOO_MANY_REDIRECTS:
		return xasprintf("more than %ld redirects",
				 dl->o->max_redirects);
	case CURLE_COULDNT_RESOLVE_HOST:
		return xstrdup("cannot resolve host");
	case CURLE_UNSUPPORTED_PROTOCOL:
		return xstrdup("unsupported protocol");
	case CURLE_WRITE_ERROR:
		if (dl->too_big)
			return xasprintf(
			    "sent more than the Manifest's %" PRIu64
			    " bytes; stopped there",
			    dl->limit);
		if (dl->write_failed)
			return xasprintf("cannot write the partial file: %s",
					 strerror(errno));
		break;
	default:
		break;
	}
	return xstrdup(errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

/* One transfer of url, appended to the partial file fd.
 * Returns 0, or 1 with *why set; *resumable says a retry of the same URL
 * can pick up where this one stopped, *restart that the server cannot
 * continue the partial file (416, or no Range support), so a retry must
 * start it over. */
static int download_once(const struct fetch_opts *o, const char *name,
			 const char *url, int fd, uint64_t limit, char **why,
			 bool *resumable, bool *restart)
{
	_cleanup_(curl_cleanupp) CURL *c = curl_easy_init();
	char errbuf[CURL_ERROR_SIZE] = "";
	struct download dl = {.o = o, .name = name, .fd = fd, .limit = limit};
	struct stat st;
	long code = 0;
	CURLcode rc;

	*resumable = *restart = false;
	if (!c) {
		*why = xstrdup("cannot set up libcurl");
		return 1;
	}
	if (fstat(fd, &st) == 0)
		dl.start = (uint64_t)st.st_size;
	lseek(fd, 0, SEEK_END);
	setup_curl(c, &dl, url, errbuf);
	dl.began = now_seconds();
	rc = curl_easy_perform(c);
	if (dl.printed)
		fputc('\n', o->progress_out);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK)
		return 0;
	*restart = dl.start > 0 && (code == 416 || rc == CURLE_RANGE_ERROR);
	/* what a too long body left is not a prefix of the distfile */
	if (dl.too_big || rc == CURLE_FILESIZE_EXCEEDED)
		(void)ftruncate(fd, 0);
	*why = failure_reason(c, rc, &dl, errbuf);
	*resumable =
	    dl.got > 0 && (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR ||
			   rc == CURLE_OPERATION_TIMEDOUT);
	return 1;
}

struct membuf {
	struct gild_buf *b;
	size_t max;
};

static size_t mem_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct membuf *m = arg;
	size_t n = size * nmemb;

	if (m->b->n + n > m->max)
		return 0; /* too big: fail the transfer */
	gild_buf_add(m->b, data, n);
	return n;
}

int fetch_to_memory(const struct fetch_opts *o, const char *url, size_t max,
		    struct gild_buf *out, struct gild_err *err)
{
	_cleanup_(curl_cleanupp) CURL *c = curl_easy_init();
	char errbuf[CURL_ERROR_SIZE] = "";
	struct download dl = {.o = o};
	struct membuf m = {out, max};
	_cleanup_free_ char *why = NULL;
	CURLcode rc;

	if (!c)
		return gild_fail(err, -GILD_E_FETCH, NULL,
				 "cannot set up libcurl");
	setup_curl(c, &dl, url, errbuf);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	if ((rc = curl_easy_perform(c)) == CURLE_OK)
		return 0;
	why = failure_reason(c, rc, &dl, errbuf);
	/* only the reason: fetch_mirror_urls logs it under the file's URL */
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return gild_fail(err, -GILD_E_TIMEOUT, NULL, "%s", why);
	return gild_fail(err, -GILD_E_FETCH, NULL, "cannot fetch '%s': %s", url,
			 why);
}

void fetch_log_add(struct fetch_log *log, char *url, char *why)
{
	gild_grow(&log->v, &log->cap, log->n + 1, sizeof(*log->v));
	log->v[log->n++] = (struct fetch_attempt){url, why};
}

static void log_add(struct fetch_log *log, const char *url, char *why)
{
	fetch_log_add(log, xstrdup(url), why);
}

/* The state one distfile's fetch carries from source to source. */
struct job {
	const struct fetch_opts *o;
	const char *distdir;
	const struct manifest *m;
	const char *name;
	char *final;   /* DISTDIR/NAME */
	char *partial; /* DISTDIR/NAME.__download__ */
	uint64_t size; /* from the Manifest */
	struct fetch_log *log;
	struct gild_err first_bad; /* the first checksum failure */
};

/* Verify path; if it is bad, move it aside and log why. Returns 0 when it
 * verified, 1 when it was bad, <0 on a local error. */
static int verify_or_move_aside(struct job *j, const char *path,
				const char *source, struct gild_err *err)
{
	struct gild_err verr = GILD_ERR_INIT;
	_cleanup_free_ char *moved = NULL;
	int r = manifest_verify_file(j->m, j->name, path, &verr);

	if (r == 0)
		return 0;
	if (r != -GILD_E_MANIFEST) {
		*err = verr;
		return r;
	}
	if ((r = manifest_move_aside(j->distdir, path, j->name, &moved, err)) <
	    0)
		return r;
	if (!j->first_bad.code)
		j->first_bad = verr;
	log_add(j->log, source,
		xasprintf("%s (moved to '%s')", verr.msg, moved));
	return 1;
}

/* Drop a partial file that cannot be a prefix of the distfile: longer
 * than the Manifest size. One of exactly that size is verified as is. */
static int open_partial(struct job *j, struct gild_err *err)
{
	int fd = open(j->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0)
		return gild_fail_errno(err, j->partial, "cannot open");
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > j->size &&
	    ftruncate(fd, 0) < 0) {
		close(fd);
		return gild_fail_errno(err, j->partial, "cannot truncate");
	}
	return fd;
}

/* A failed attempt that got nothing leaves no empty NAME.__download__. */
static void drop_if_empty(struct job *j, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && st.st_size == 0)
		(void)unlink(j->partial);
}

static int partial_size_is_complete(struct job *j)
{
	struct stat st;

	return stat(j->partial, &st) == 0 && (uint64_t)st.st_size == j->size &&
	       j->size > 0;
}

/* Try one URL, resuming a cut transfer up to o->retries times.
 * Returns 0 when the file is now in place, 1 to go on with the next
 * source, <0 on a local error. */
static int try_url(struct job *j, const char *url, struct gild_err *err)
{
	for (int attempt = 0;; attempt++) {
		_cleanup_close_ int fd = -1;
		char *why = NULL;
		bool resumable, restart;
		int r;

		if (access(j->final, F_OK) == 0 &&
		    manifest_verify_file(j->m, j->name, j->final, NULL) == 0)
			return 0;

		if (!partial_size_is_complete(j)) {
			if ((fd = open_partial(j, err)) < 0)
				return fd;
			if (download_once(j->o, j->name, url, fd, j->size, &why,
					  &resumable, &restart)) {
				if (restart && ftruncate(fd, 0) == 0 &&
				    attempt < j->o->retries) {
					free(why); /* stale partial: restart */
					continue;
				}
				if (resumable && attempt < j->o->retries) {
					free(why);
					continue;
				}
				log_add(j->log, url, why);
				drop_if_empty(j, fd);
				return 1;
			}
		}
		r = verify_or_move_aside(j, j->partial, url, err);
		if (r == -ENOENT && attempt < j->o->retries) {
			/* the partial file went away under us: another fetcher
			 * finished (or dropped) it; look again */
			gild_err_clear(err);
			continue;
		}
		if (r != 0)
			return r;
		/* distfiles are public data: readable whatever the umask */
		(void)chmod(j->partial, 0644);
		if (rename(j->partial, j->final) < 0)
			return gild_fail_errno(
			    err, j->final, "cannot rename '%s' to", j->partial);
		free(j->log->got_from);
		j->log->got_from = xstrdup(url);
		return 0;
	}
}

static void job_release(struct job *j)
{
	free(j->final);
	free(j->partial);
}

static int all_failed(struct job *j, size_t tried, struct gild_err *err)
{
	if (j->first_bad.code) {
		*err = j->first_bad;
		return err->code;
	}
	return gild_fail(err, -GILD_E_FETCH, NULL,
			 "cannot fetch '%s': %zu source%s tried, none worked",
			 j->name, tried, tried == 1 ? "" : "s");
}

/* Two gild processes fetching the same distfile would write one partial
 * file: the second waits on DISTDIR/.locks/NAME, then finds the file in
 * place and verified. The lock files stay (they are empty). */
static int lock_distfile(const char *distdir, const char *name,
			 struct gild_err *err)
{
	_cleanup_free_ char *dir = gild_path_join(distdir, ".locks");
	_cleanup_free_ char *path = gild_path_join(dir, name);
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = gild_mkdir_p(dir, 0755, err)) < 0)
		return r;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return gild_fail_errno(err, path, "cannot open");
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	while (fcntl(fd, F_OFD_SETLKW, &fl) < 0)
		if (errno != EINTR)
			return gild_fail_errno(err, path, "cannot lock");
	return TAKE_FD(fd);
}

int fetch_distfile(const struct fetch_opts *o, const char *distdir,
		   const struct manifest *m, const char *name,
		   const struct gild_strv *urls, struct fetch_log *log,
		   struct gild_err *err)
{
	_cleanup_(job_release) struct job j = {
	    .o = o, .distdir = distdir, .m = m, .name = name, .log = log};
	const struct manifest_entry *e = manifest_find(m, "DIST", name);
	struct gild_loc loc = {m->path, 0, 0};
	_cleanup_close_ int lock = -1;
	size_t given_up = log->n; /* sources the caller did not try again */
	int r;

	if (!e)
		return gild_fail(err, -GILD_E_NOTFOUND, &loc,
				 "no DIST entry for '%s'", name);
	j.size = e->size;
	j.final = gild_path_join(distdir, name);
	j.partial = xasprintf("%s.__download__", j.final);
	if ((r = gild_mkdir_p(distdir, 0755, err)) < 0)
		return r;
	if ((lock = lock_distfile(distdir, name, err)) < 0)
		return lock;
	if (access(j.final, F_OK) == 0 &&
	    (r = verify_or_move_aside(&j, j.final, j.final, err)) <= 0)
		return r;
	for (size_t i = 0; i < urls->n; i++)
		if ((r = try_url(&j, urls->v[i], err)) <= 0)
			return r;
	return all_failed(&j, given_up + urls->n, err);
}
