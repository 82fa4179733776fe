/*
 * wake.c - see wake.h.
 */
#include "core/wake.h"

#include <time.h>

void wake_start(struct wake *w)
{
	pthread_mutex_lock(&w->mu);
	w->running = true;
	pthread_mutex_unlock(&w->mu);
}

bool wake_running(struct wake *w, uint64_t *seen)
{
	pthread_mutex_lock(&w->mu);
	bool r = w->running;
	if (seen)
		*seen = w->pokes;
	pthread_mutex_unlock(&w->mu);
	return r;
}

/* Under w->mu: wait for a poke after seen, the stop, or the deadline. */
static void sleep_locked(struct wake *w, uint64_t seen, const struct timespec *until)
{
	while (w->running && w->pokes == seen) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > until->tv_sec ||
		    (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec))
			break;
		pthread_cond_timedwait(&w->cv, &w->mu, until);
	}
}

void wake_sleep(struct wake *w, uint64_t seen, unsigned secs)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += secs;
	pthread_mutex_lock(&w->mu);
	sleep_locked(w, seen, &until);
	pthread_mutex_unlock(&w->mu);
}

void wake_sleep_until(struct wake *w, uint64_t seen, int64_t until)
{
	/* time() and CLOCK_REALTIME agree: this wakes at the due second. */
	struct timespec ts = {.tv_sec = (time_t)until, .tv_nsec = 0};
	pthread_mutex_lock(&w->mu);
	sleep_locked(w, seen, &ts);
	pthread_mutex_unlock(&w->mu);
}

void wake_poke(struct wake *w)
{
	pthread_mutex_lock(&w->mu);
	w->pokes++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void wake_stop(struct wake *w)
{
	pthread_mutex_lock(&w->mu);
	w->running = false;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}
