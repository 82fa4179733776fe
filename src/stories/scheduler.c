/*
 * scheduler.c - the thread that publishes scheduled stories on time and
 * purges the trash (see desk.h).
 *
 * It sleeps on a condition variable until the earliest due time (a
 * scheduled publication, or the oldest trashed story leaving the trash
 * window), so a story goes public within a second of its time without a
 * request arriving. desk_scheduler_poke() wakes it when a schedule or the
 * trash changes in this process; changes made by another process are
 * seen within DESK_MAX_SLEEP seconds. It owns its own database
 * connection, so its commits invalidate every worker's page cache like
 * any other write (web/page_cache.h).
 */
#include "stories/desk.h"
#include "core/clock.h"
#include "core/wake.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DESK_MAX_SLEEP 60
#define DESK_DUE_BATCH 32

/* The one scheduler of the process: its bell and its thread (started:
 * only touched by start and stop, on the main thread). */
static struct {
	struct wake wake;
	pthread_t thread;
	bool started;
} sched = {.wake = WAKE_INIT};

/* Publish every due story; false on a store error. */
static bool publish_due(struct store *st, int64_t now)
{
	for (;;) {
		char ids[DESK_DUE_BATCH][17];
		size_t n = 0;
		if (store_schedule_due(st, now, ids, DESK_DUE_BATCH, &n))
			return false;
		if (n == 0)
			return true;
		for (size_t i = 0; i < n; i++) {
			struct arena a;
			arena_init(&a);
			struct story_row s;
			struct story_input in = {0};
			in.status = "published";
			enum story_err e = STORY_STORE;
			int64_t at = 0;
			if (store_story_get(st, &a, ids[i], &s) == STORE_OK &&
			    store_schedule_get(st, ids[i], &at) == STORE_OK) {
				/* Its date is the one the writer chose, not the
				 * moment this thread woke up. */
				if (at > 0 && at <= now)
					s.published_at = at;
				e = story_update(st, &a, &s, &in);
			}
			if (e == STORY_OK)
				fprintf(stderr, "quire: published scheduled story %s\n", s.id);
			arena_release(&a);
			if (e == STORY_STORE)
				return false;
			/* Invalid now (e.g. its circle is gone): stop trying. */
			if (e && store_schedule_set(st, ids[i], 0))
				return false;
		}
	}
}

/* Purge expired trash; the next time something leaves the trash (0: none). */
static bool purge_trash(struct store *st, int64_t now, int64_t *next)
{
	int64_t oldest = 0, window = desk_trash_window();
	*next = 0;
	if (store_trash_oldest(st, &oldest))
		return false;
	if (oldest && oldest + window <= now) {
		if (desk_trash_purge(st, now - window, NULL, NULL))
			return false;
		if (store_trash_oldest(st, &oldest))
			return false;
	}
	if (oldest)
		*next = oldest + window;
	return true;
}

static void *sched_main(void *arg)
{
	struct store *st = arg;
	uint64_t seen;
	while (wake_running(&sched.wake, &seen)) {
		int64_t now = clock_now(), next = 0, trash_next = 0, wake;
		bool ok = publish_due(st, now) && purge_trash(st, now, &trash_next) &&
			  store_schedule_next(st, &next) == STORE_OK;
		if (!ok) {
			wake = now + 1; /* busy or failing: try again shortly */
		} else {
			wake = now + DESK_MAX_SLEEP;
			if (next && next < wake)
				wake = next;
			if (trash_next && trash_next < wake)
				wake = trash_next;
			if (wake <= now)
				wake = now + 1;
		}
		wake_sleep_until(&sched.wake, seen, wake);
	}
	store_close(st);
	return NULL;
}

bool desk_scheduler_start(const char *db_url)
{
	struct store *st;
	char err[256];
	if (store_open(db_url, &st, err, sizeof(err))) {
		fprintf(stderr, "quire: scheduler cannot open database: %s\n", err);
		return false;
	}
	wake_start(&sched.wake);
	if (pthread_create(&sched.thread, NULL, sched_main, st) != 0) {
		wake_stop(&sched.wake);
		store_close(st);
		fprintf(stderr, "quire: cannot start the scheduler thread\n");
		return false;
	}
	sched.started = true;
	return true;
}

void desk_scheduler_poke(void)
{
	wake_poke(&sched.wake);
}

void desk_scheduler_stop(void)
{
	wake_stop(&sched.wake);
	if (sched.started)
		pthread_join(sched.thread, NULL);
	sched.started = false;
}
