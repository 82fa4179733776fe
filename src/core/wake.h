/*
 * wake.h - the bell of a background thread that works a queue (imports,
 * mail, deliveries, scheduled stories): whether it should go on, and a
 * sleep that ends early when a request pokes it (it queued work) or the
 * thread is told to stop.
 *
 * Pokes are counted, not flagged: a thread notes the count before it
 * looks for work and sleeps only if no poke came since, so work queued
 * while it was busy is never slept past, with any number of threads.
 *
 *	uint64_t seen;
 *	while (wake_running(&w, &seen)) {
 *		if (take_work())
 *			continue;
 *		wake_sleep(&w, seen, 1);
 *	}
 */
#ifndef QUIRE_CORE_WAKE_H
#define QUIRE_CORE_WAKE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct wake {
	pthread_mutex_t mu; /* may guard the owner's own state too */
	pthread_cond_t cv;
	bool running;
	uint64_t pokes;
};

#define WAKE_INIT {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER}

/* Before the threads start: wake_running() is true until wake_stop(). */
void wake_start(struct wake *w);
/* Whether w still runs; *seen (may be NULL) gets the pokes so far. */
bool wake_running(struct wake *w, uint64_t *seen);
/* Sleep until w is poked after seen, stopped, or secs seconds pass. */
void wake_sleep(struct wake *w, uint64_t seen, unsigned secs);
/* The same until the wall clock (time()) reaches the second until. */
void wake_sleep_until(struct wake *w, uint64_t seen, int64_t until);
/* Wake every sleeper: there is work. */
void wake_poke(struct wake *w);
/* Wake every sleeper for good: wake_running() is false from now on. */
void wake_stop(struct wake *w);

#endif
