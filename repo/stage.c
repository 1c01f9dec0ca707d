/* stage.c: a worker thread that consumes buffers in order (see repo-int.h).
 *
 * `tar -c | zstd` runs archiving and compression as two processes at once;
 * stages give gild's writer the same pipelining inside one process (zstd
 * itself stays single-threaded, so its output does not depend on timing).
 */
#include "repo-impl.h"

#include <pthread.h>

#define STAGE_DEPTH 8
/* Hysteresis: a sleeping worker is woken once this many buffers wait, a
 * producer that found the queue full once this many slots are free. Each
 * side then runs for several buffers, instead of the two trading the CPU
 * for every buffer (which, on a busy machine, hands the compression
 * thread's time slices to the others). */
#define STAGE_BATCH (STAGE_DEPTH / 2)

struct stage_buf {
	char *p;
	size_t n, cap;
};

struct stage {
	stage_fn fn;
	void *ud;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct stage_buf q[STAGE_DEPTH]; /* ring of filled buffers */
	size_t head, count;
	bool worker_asleep, producer_asleep;
	bool done;  /* no more input (finish or abort) */
	bool abort; /* drop queued input */
	int rc;	    /* first error of fn */
	struct gild_err err;
};

static bool stage_take(struct stage *s, struct stage_buf *out)
{
	bool got;

	pthread_mutex_lock(&s->lock);
	if (!s->count && !s->done) {
		s->worker_asleep = true;
		while (s->count < STAGE_BATCH && !s->done)
			pthread_cond_wait(&s->cond, &s->lock);
		s->worker_asleep = false;
	}
	got = s->count > 0 && !s->abort;
	if (got) {
		*out = s->q[s->head];
		s->q[s->head] = (struct stage_buf){0};
	}
	pthread_mutex_unlock(&s->lock);
	return got;
}

static void stage_release_slot(struct stage *s, struct stage_buf b)
{
	pthread_mutex_lock(&s->lock);
	/* Hand the allocation back for reuse by the producer. */
	s->q[s->head] = (struct stage_buf){b.p, 0, b.cap};
	s->head = (s->head + 1) % STAGE_DEPTH;
	s->count--;
	if (s->producer_asleep && s->count <= STAGE_DEPTH - STAGE_BATCH)
		pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void stage_set_rc(struct stage *s, int rc)
{
	pthread_mutex_lock(&s->lock);
	s->rc = rc;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void *stage_main(void *arg)
{
	struct stage *s = arg;
	struct stage_buf b;

	int rc = 0;

	while (stage_take(s, &b)) {
		if (rc == 0 && (rc = s->fn(s->ud, b.p, b.n, &s->err)) < 0)
			stage_set_rc(s, rc);
		stage_release_slot(s, b);
	}
	/* End of input: let fn flush (NULL, 0), unless aborted or failed. */
	if (rc == 0 && !s->abort && (rc = s->fn(s->ud, NULL, 0, &s->err)) < 0)
		stage_set_rc(s, rc);
	return NULL;
}

struct stage *stage_try_new(stage_fn fn, void *ud)
{
	struct stage *s = xcalloc(1, sizeof(*s));

	s->fn = fn;
	s->ud = ud;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, stage_main, s) != 0) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

struct stage *stage_new(stage_fn fn, void *ud)
{
	struct stage *s = stage_try_new(fn, ud);

	if (!s)
		GILD_BUG("cannot start a worker thread");
	return s;
}

/* With the lock held: wait while the queue is full, then until a batch
 * of slots is free (or the worker failed). */
static void stage_wait_room(struct stage *s)
{
	if (s->count < STAGE_DEPTH || s->rc < 0)
		return;
	s->producer_asleep = true;
	while (s->count > STAGE_DEPTH - STAGE_BATCH && s->rc == 0)
		pthread_cond_wait(&s->cond, &s->lock);
	s->producer_asleep = false;
}

/* With the lock held: one more buffer is queued. */
static void stage_filled(struct stage *s)
{
	s->count++;
	if (s->worker_asleep && s->count >= STAGE_BATCH)
		pthread_cond_broadcast(&s->cond);
}

/* Wait for a free slot and return it with s->lock held, or the worker's
 * error (lock released). */
static int stage_reserve(struct stage *s, struct stage_buf **slot,
			 struct gild_err *err)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	stage_wait_room(s);
	if ((rc = s->rc) < 0) {
		pthread_mutex_unlock(&s->lock);
		if (err)
			*err = s->err;
		return rc;
	}
	*slot = &s->q[(s->head + s->count) % STAGE_DEPTH];
	return 0;
}

int stage_push(struct stage *s, const void *buf, size_t n, struct gild_err *err)
{
	struct stage_buf *slot;
	int rc;

	if ((rc = stage_reserve(s, &slot, err)) < 0)
		return rc;
	pthread_mutex_unlock(&s->lock);
	/* The slot is ours until count is raised: the worker never looks
	 * past head + count. */
	if (slot->cap < n)
		gild_grow(&slot->p, &slot->cap, n, 1);
	memcpy(slot->p, buf, n);
	slot->n = n;
	pthread_mutex_lock(&s->lock);
	stage_filled(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int stage_push_swap(struct stage *s, char **buf, size_t *cap, size_t n,
		    struct gild_err *err)
{
	struct stage_buf *slot, mine = {*buf, n, *cap};
	int rc;

	if ((rc = stage_reserve(s, &slot, err)) < 0)
		return rc;
	/* Trade the caller's filled buffer for the slot's spare one: no
	 * copy of the data. */
	*buf = slot->p;
	*cap = slot->cap;
	*slot = mine;
	stage_filled(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void stage_join(struct stage *s, bool abort)
{
	pthread_mutex_lock(&s->lock);
	s->done = true;
	s->abort = abort;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
}

static void stage_destroy(struct stage *s)
{
	for (size_t i = 0; i < STAGE_DEPTH; i++)
		free(s->q[i].p);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

int stage_finish(struct stage *s, struct gild_err *err)
{
	int rc;

	stage_join(s, false);
	rc = s->rc;
	if (rc < 0 && err)
		*err = s->err;
	stage_destroy(s);
	return rc;
}

void stage_free(struct stage *s)
{
	if (!s)
		return;
	stage_join(s, true);
	stage_destroy(s);
}
