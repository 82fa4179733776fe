/*
 * pool.c - the photo queue: uploads waiting for a photo worker, and the
 * threads that hand them to workers (see media_int.h for the interface).
 *
 * Why a queue of its own: decoding one upload takes a worker process up
 * to QUIRE_PHOTO_TIMEOUT seconds. The request that brought it is
 * suspended meanwhile (http_req_defer), so no request thread waits; the
 * queue bounds how many such requests, spooled files and workers exist at
 * once, and says no early and honestly when it is full (503, or 429 for
 * one writer's share) instead of letting work pile up.
 *
 * The queue is in memory, not in the store: nothing in it has been
 * acknowledged (the upload's 201 comes after the photo is stored), so a
 * restart loses no promise; the client sees its connection close and
 * sends again, and the spooled files are anonymous and vanish with the
 * process. Nothing is left half-done to recover.
 *
 * Threads: limits.ingests runners, each with its own database connection,
 * take the oldest waiting job; one janitor gives up jobs that waited
 * longer than limits.queue_wait (503 + Retry-After), so every request has
 * a deadline even while all runners are busy. The lock guards only list
 * operations; nothing blocks while holding it, and request threads take
 * it with a deadline.
 */
#include "media/media_int.h"
#include "web/web.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define POOL_MAX_RUNNERS 64
/* A request thread gives up on the queue's lock after this long (503). */
#define POOL_LOCK_MS 2000

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;    /* a job is waiting, or stopping */
	pthread_cond_t tick;    /* the janitor: waiting jobs changed, or stopping */
	struct media_job *head, *tail; /* waiting, oldest first */
	size_t waiting;
	struct media_job *running[POOL_MAX_RUNNERS];
	size_t nrunning;
	bool started, stopping;
	pthread_t runners[POOL_MAX_RUNNERS];
	size_t nrunners;
	pthread_t janitor;
	double avg_secs;        /* recent job durations, for Retry-After */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .avg_secs = 2.0};

void media_stats(struct media_stats *out)
{
	pthread_mutex_lock(&pool.lock);
	out->waiting = pool.waiting;
	out->running = pool.nrunning;
	out->workers = pool.nrunners;
	pthread_mutex_unlock(&pool.lock);
	out->worker_deaths = atomic_load_explicit(&media_worker_deaths, memory_order_relaxed);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timespec mono_at(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	return ts;
}

/* Seconds until a worker is likely free for one more job; lock held. */
static unsigned estimate(void)
{
	size_t ahead = pool.waiting + pool.nrunning;
	double per = pool.nrunners ? (double)ahead / (double)pool.nrunners : (double)ahead;
	double s = pool.avg_secs * (per > 1 ? per : 1) + 0.999;
	return s < 1 ? 1 : s > 300 ? 300 : (unsigned)s;
}

static size_t user_jobs(const char *user_id)
{
	size_t n = 0;
	for (struct media_job *j = pool.head; j; j = j->next)
		n += strcmp(j->user_id, user_id) == 0;
	for (size_t i = 0; i < pool.nrunning; i++)
		n += strcmp(pool.running[i]->user_id, user_id) == 0;
	return n;
}

int media_pool_submit(struct media_job *j, unsigned *retry_after)
{
	const struct media_limits *lim = media_limits();
	*retry_after = 5;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += POOL_LOCK_MS / 1000;
	if (pthread_mutex_timedlock(&pool.lock, &until) != 0)
		return 503;
	int status = 0;
	if (!pool.started || pool.stopping) {
		status = 503;
	} else if (user_jobs(j->user_id) >= lim->per_user) {
		status = 429;
		*retry_after = estimate();
	} else if (pool.waiting + pool.nrunning >= pool.nrunners + lim->queue) {
		status = 503;
		*retry_after = estimate();
	} else {
		j->next = NULL;
		j->refused = 0;
		atomic_init(&j->cancel, false);
		j->deadline_ms = mono_ms() + (int64_t)lim->queue_wait * 1000;
		if (pool.tail)
			pool.tail->next = j;
		else
			pool.head = j;
		pool.tail = j;
		pool.waiting++;
		fprintf(stderr, "quire: photo queued: %zu waiting, %zu being decoded\n", pool.waiting,
			pool.nrunning);
		pthread_cond_signal(&pool.work);
		pthread_cond_signal(&pool.tick);
	}
	pthread_mutex_unlock(&pool.lock);
	return status;
}

/* Unlink j from the waiting list; lock held. */
static void unqueue(struct media_job *j)
{
	struct media_job **pp = &pool.head, *prev = NULL;
	while (*pp && *pp != j) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = j->next;
	if (pool.tail == j)
		pool.tail = prev;
	j->next = NULL;
	pool.waiting--;
}

static void *runner(void *arg)
{
	(void)arg;
	struct store *st = NULL;
	char err[256];
	if (store_open(web_cfg->db_url, &st, err, sizeof(err))) {
		fprintf(stderr, "quire: photo queue cannot open the database: %s\n", err);
		st = NULL;
	}
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (!pool.stopping && !pool.head)
			pthread_cond_wait(&pool.work, &pool.lock);
		if (pool.stopping)
			break;
		struct media_job *j = pool.head;
		unqueue(j);
		pool.running[pool.nrunning++] = j;
		fprintf(stderr, "quire: photo job started: %zu waiting, %zu being decoded\n",
			pool.waiting, pool.nrunning);
		pthread_cond_signal(&pool.tick);
		pthread_mutex_unlock(&pool.lock);

		int64_t t0 = mono_ms();
		j->run(j, st);
		double secs = (double)(mono_ms() - t0) / 1000.0;

		pthread_mutex_lock(&pool.lock);
		for (size_t i = 0; i < pool.nrunning; i++)
			if (pool.running[i] == j) {
				pool.running[i] = pool.running[--pool.nrunning];
				break;
			}
		pool.avg_secs = 0.7 * pool.avg_secs + 0.3 * secs;
		pthread_mutex_unlock(&pool.lock);
		j->end(j); /* j belongs to its request from here on */
		pthread_mutex_lock(&pool.lock);
	}
	pthread_mutex_unlock(&pool.lock);
	if (st)
		store_close(st);
	return NULL;
}

/* Gives up jobs that waited past their deadline. */
static void *janitor(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool.lock);
	while (!pool.stopping) {
		int64_t now = mono_ms(), next = now + 3600 * 1000;
		struct media_job *late = NULL;
		for (struct media_job *j = pool.head, *nx; j; j = nx) {
			nx = j->next;
			if (j->deadline_ms <= now) {
				unqueue(j);
				j->refused = 503;
				j->next = late;
				late = j;
			} else if (j->deadline_ms < next) {
				next = j->deadline_ms;
			}
		}
		if (late) {
			unsigned ra = estimate();
			fprintf(stderr, "quire: photo queue: gave up uploads that waited %u s\n",
				media_limits()->queue_wait);
			pthread_mutex_unlock(&pool.lock);
			for (struct media_job *j = late, *nx; j; j = nx) {
				nx = j->next;
				j->retry_after = ra;
				j->end(j);
			}
			pthread_mutex_lock(&pool.lock);
			continue;
		}
		struct timespec at = mono_at(next);
		pthread_cond_timedwait(&pool.tick, &pool.lock, &at);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

bool media_pool_start(void)
{
	unsigned n = media_limits()->ingests;
	if (n > POOL_MAX_RUNNERS)
		n = POOL_MAX_RUNNERS;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pool.work, &ca);
	pthread_cond_init(&pool.tick, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&pool.lock);
	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&pool.runners[pool.nrunners], NULL, runner, NULL) == 0)
			pool.nrunners++;
	bool ok = pool.nrunners > 0 && pthread_create(&pool.janitor, NULL, janitor, NULL) == 0;
	pool.started = ok;
	if (!ok)
		pool.stopping = true;
	pthread_mutex_unlock(&pool.lock);
	if (!ok) {
		fprintf(stderr, "quire: cannot start the photo queue; uploads will be refused\n");
		pthread_cond_broadcast(&pool.work);
		for (size_t i = 0; i < pool.nrunners; i++)
			pthread_join(pool.runners[i], NULL);
		pool.nrunners = 0;
	}
	return ok;
}

void media_pool_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	if (!pool.started || pool.stopping) {
		pthread_mutex_unlock(&pool.lock);
		return;
	}
	pool.stopping = true;
	struct media_job *waiting = pool.head;
	pool.head = pool.tail = NULL;
	pool.waiting = 0;
	for (size_t i = 0; i < pool.nrunning; i++)
		atomic_store(&pool.running[i]->cancel, true);
	pthread_cond_broadcast(&pool.work);
	pthread_cond_broadcast(&pool.tick);
	pthread_mutex_unlock(&pool.lock);
	for (struct media_job *j = waiting, *nx; j; j = nx) {
		nx = j->next;
		j->refused = 503;
		j->retry_after = 5;
		j->end(j);
	}
	/* Runners finish their job (its worker killed within 100 ms), answer
	 * it, then see stopping. */
	for (size_t i = 0; i < pool.nrunners; i++)
		pthread_join(pool.runners[i], NULL);
	pthread_join(pool.janitor, NULL);
}
