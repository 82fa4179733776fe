/*
 * metrics.c - per-thread counter blocks and the Prometheus text
 * rendering of their sums. See metrics.h.
 */
#include "core/metrics.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Statuses with a counter of their own; anything else counts as the
 * last slot, labelled "other". */
static const int statuses[] = {0,   200, 201, 204, 206, 301, 302, 303, 304, 400, 401, 403,
			       404, 405, 409, 410, 413, 415, 422, 429, 431, 500, 501, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)
/* Latency bucket bounds in seconds, then +Inf. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))
#define NBUCKETS (NBOUNDS + 1)

struct route_counts {
	_Atomic uint64_t status[NSTATUS];
	_Atomic uint64_t bucket[NBUCKETS];
	_Atomic uint64_t sum_us;
};

struct block {
	struct block *next;
	_Atomic uint64_t cache_hit, cache_miss, slot_hit, slot_miss, early, db_calls, db_ns;
	struct route_counts routes[]; /* nroutes + 2: none, early */
};

static const char *const *route_names;
static size_t nroutes;
static unsigned char status_slot[600];
static metrics_extra_fn extra;

static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block *_Atomic blocks;
static _Thread_local struct block *mine;
_Thread_local unsigned metrics_db_depth;

void metrics_init(const char *const *names, size_t n)
{
	route_names = names;
	nroutes = n;
	for (size_t i = 0; i < sizeof(status_slot); i++)
		status_slot[i] = (unsigned char)(NSTATUS - 1);
	for (size_t i = 0; i < NSTATUS - 1; i++)
		status_slot[statuses[i]] = (unsigned char)i;
}

void metrics_set_extra(metrics_extra_fn fn)
{
	extra = fn;
}

static struct block *block_of_thread(void)
{
	if (mine)
		return mine;
	struct block *b = xcalloc(1, sizeof(*b) + (nroutes + 2) * sizeof(struct route_counts));
	pthread_mutex_lock(&blocks_lock);
	b->next = atomic_load(&blocks);
	atomic_store(&blocks, b);
	pthread_mutex_unlock(&blocks_lock);
	mine = b;
	return b;
}

/* Only this thread writes its counters: no read-modify-write needed. */
static inline void bump(_Atomic uint64_t *c, uint64_t by)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
			      memory_order_relaxed);
}

void metrics_request(int route, int status, double ms)
{
	size_t r = route >= 0 ? (size_t)route : nroutes + (route == METRICS_ROUTE_NONE ? 0 : 1);
	if (route >= 0 && (size_t)route >= nroutes)
		return;
	struct route_counts *rc = &block_of_thread()->routes[r];
	bump(&rc->status[status >= 0 && status < 600 ? status_slot[status] : NSTATUS - 1], 1);
	double s = ms / 1000.0;
	size_t bk = 0;
	while (bk < NBOUNDS && s > bounds[bk])
		bk++;
	bump(&rc->bucket[bk], 1);
	bump(&rc->sum_us, ms > 0 ? (uint64_t)(ms * 1000.0) : 0);
}

void metrics_cache(bool hit)
{
	struct block *b = block_of_thread();
	bump(hit ? &b->cache_hit : &b->cache_miss, 1);
}

void metrics_early(void)
{
	bump(&block_of_thread()->early, 1);
}

void metrics_slot(bool hit)
{
	struct block *b = block_of_thread();
	bump(hit ? &b->slot_hit : &b->slot_miss, 1);
}

void metrics_db_add(uint64_t ns)
{
	struct block *b = block_of_thread();
	bump(&b->db_calls, 1);
	bump(&b->db_ns, ns);
}

static uint64_t rd(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static const char *label_of(size_t r)
{
	if (r < nroutes)
		return route_names[r];
	return r == nroutes ? "method=\"\",route=\"(unmatched)\"" : "method=\"\",route=\"(rejected)\"";
}

void metrics_render(struct buf *out)
{
	size_t nr = nroutes + 2;
	struct route_counts *sum = xcalloc(nr, sizeof(*sum));
	uint64_t hit = 0, miss = 0, shit = 0, smiss = 0, early = 0, calls = 0, ns = 0;
	pthread_mutex_lock(&blocks_lock);
	for (struct block *b = atomic_load(&blocks); b; b = b->next) {
		hit += rd(&b->cache_hit);
		miss += rd(&b->cache_miss);
		shit += rd(&b->slot_hit);
		smiss += rd(&b->slot_miss);
		early += rd(&b->early);
		calls += rd(&b->db_calls);
		ns += rd(&b->db_ns);
		for (size_t r = 0; r < nr; r++) {
			for (size_t i = 0; i < NSTATUS; i++)
				sum[r].status[i] += rd(&b->routes[r].status[i]);
			for (size_t i = 0; i < NBUCKETS; i++)
				sum[r].bucket[i] += rd(&b->routes[r].bucket[i]);
			sum[r].sum_us += rd(&b->routes[r].sum_us);
		}
	}
	pthread_mutex_unlock(&blocks_lock);

	buf_adds(out, "# HELP quire_http_requests_total HTTP requests answered, by route pattern "
		      "and status.\n# TYPE quire_http_requests_total counter\n");
	for (size_t r = 0; r < nr; r++)
		for (size_t i = 0; i < NSTATUS; i++) {
			uint64_t v = sum[r].status[i];
			if (!v)
				continue;
			if (i < NSTATUS - 1)
				buf_addf(out, "quire_http_requests_total{%s,status=\"%d\"} %llu\n",
					 label_of(r), statuses[i], (unsigned long long)v);
			else
				buf_addf(out, "quire_http_requests_total{%s,status=\"other\"} %llu\n",
					 label_of(r), (unsigned long long)v);
		}
	buf_adds(out, "# HELP quire_http_request_duration_seconds Time from the first byte of a "
		      "request to the end of its answer, by route pattern.\n"
		      "# TYPE quire_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r < nr; r++) {
		uint64_t count = 0;
		for (size_t i = 0; i < NBUCKETS; i++)
			count += sum[r].bucket[i];
		if (!count)
			continue;
		uint64_t cum = 0;
		for (size_t i = 0; i < NBUCKETS; i++) {
			cum += sum[r].bucket[i];
			if (i < NBOUNDS)
				buf_addf(out, "quire_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
					 label_of(r), bounds[i], (unsigned long long)cum);
			else
				buf_addf(out, "quire_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
					 label_of(r), (unsigned long long)cum);
		}
		buf_addf(out, "quire_http_request_duration_seconds_sum{%s} %.6f\n", label_of(r),
			 (double)sum[r].sum_us / 1e6);
		buf_addf(out, "quire_http_request_duration_seconds_count{%s} %llu\n", label_of(r),
			 (unsigned long long)count);
	}
	free(sum);
	buf_addf(out, "# HELP quire_page_cache_hits_total Anonymous pages answered from the page "
		      "cache.\n# TYPE quire_page_cache_hits_total counter\n"
		      "quire_page_cache_hits_total %llu\n"
		      "# HELP quire_page_cache_misses_total Anonymous GET and HEAD requests looked "
		      "up in the page cache and not found.\n# TYPE quire_page_cache_misses_total counter\n"
		      "quire_page_cache_misses_total %llu\n",
		 (unsigned long long)hit, (unsigned long long)miss);
	buf_addf(out, "# HELP quire_early_answers_total Requests answered before they were parsed "
		      "(a stored page or a kept photo file, the same for everyone).\n"
		      "# TYPE quire_early_answers_total counter\nquire_early_answers_total %llu\n",
		 (unsigned long long)early);
	buf_addf(out, "# HELP quire_slot_page_hits_total Signed-in pages answered from a rendering "
		      "shared between readers.\n# TYPE quire_slot_page_hits_total counter\n"
		      "quire_slot_page_hits_total %llu\n"
		      "# HELP quire_slot_page_misses_total Signed-in GET and HEAD requests looked up "
		      "among shared renderings and not found.\n"
		      "# TYPE quire_slot_page_misses_total counter\nquire_slot_page_misses_total %llu\n",
		 (unsigned long long)shit, (unsigned long long)smiss);
	buf_addf(out, "# HELP quire_db_calls_total Calls into the store (outermost calls).\n"
		      "# TYPE quire_db_calls_total counter\nquire_db_calls_total %llu\n"
		      "# HELP quire_db_seconds_total Time spent in store calls.\n"
		      "# TYPE quire_db_seconds_total counter\nquire_db_seconds_total %.6f\n",
		 (unsigned long long)calls, (double)ns / 1e9);
	if (extra)
		extra(out);
}
