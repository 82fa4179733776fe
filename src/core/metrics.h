/*
 * metrics.h - the server's counters, for /metrics (Prometheus text
 * exposition format 0.0.4).
 *
 * No lock on the hot path: every thread that counts has its own block of
 * counters, made at its first count (under a mutex, once per thread) and
 * never freed, so a counter only ever grows; only its thread writes it
 * (a relaxed load and store, no locked instruction), and metrics_render()
 * reads every block with relaxed loads and sums them. A sum may be a few
 * requests behind the truth, never torn.
 *
 * What is counted: requests by route pattern and status, with a latency
 * histogram per route; page-cache hits and misses; store calls and the
 * time spent in them (outermost calls only, from store.c's dispatch).
 * Gauges that are not counters (the photo queue) come from a callback at
 * render time.
 */
#ifndef QUIRE_CORE_METRICS_H
#define QUIRE_CORE_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"

/* Requests that matched no route (404 from the router), and requests
 * answered before routing (malformed, too large, database down). */
#define METRICS_ROUTE_NONE (-1)
#define METRICS_ROUTE_EARLY (-2)

/* The route table's labels ("GET /@{handle}/{slug}"): call once before
 * any thread counts a request; names must outlive the process. */
void metrics_init(const char *const *route_names, size_t nroutes);

/* One finished request: route index into the names (or a METRICS_ROUTE_
 * value), its status (0: none was sent) and how long it took. */
void metrics_request(int route, int status, double ms);
void metrics_cache(bool hit);
/* A request answered early (http.h), before it was parsed; also a
 * cache hit. */
void metrics_early(void);
/* A signed-in page shared between readers (web/slot_page.h): hit or miss. */
void metrics_slot(bool hit);

/* Extra lines at render time (gauges, counters kept elsewhere). */
typedef void (*metrics_extra_fn)(struct buf *out);
void metrics_set_extra(metrics_extra_fn fn);

/* The whole exposition into out. */
void metrics_render(struct buf *out);

/* ---- store time, from store.c's dispatch ---- */
extern _Thread_local unsigned metrics_db_depth;
void metrics_db_add(uint64_t ns);

static inline uint64_t metrics_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Around a store call: only the outermost call of a thread is timed. */
static inline uint64_t metrics_db_begin(void)
{
	return metrics_db_depth++ == 0 ? metrics_now_ns() : 0;
}

static inline void metrics_db_end(uint64_t start)
{
	if (--metrics_db_depth == 0)
		metrics_db_add(metrics_now_ns() - start);
}

#endif
