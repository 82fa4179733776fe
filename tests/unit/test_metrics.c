/* test_metrics.c - per-thread counters summed into the Prometheus text
 * (core/metrics.h): counts from several threads add up, histograms are
 * cumulative, unknown statuses and unmatched routes have their series. */
#include "core/metrics.h"
#include "tap.h"

#include <pthread.h>
#include <string.h>

static const char *const labels[] = {"method=\"GET\",route=\"/\"",
				     "method=\"GET\",route=\"/@{handle}/{slug}\""};

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		metrics_request(0, 200, 0.3);
		metrics_cache(i % 4 != 0);
	}
	metrics_request(1, 404, 30.0);
	metrics_request(METRICS_ROUTE_NONE, 404, 1.0);
	metrics_request(METRICS_ROUTE_EARLY, 299, 1.0);
	uint64_t t = metrics_db_begin();
	uint64_t inner = metrics_db_begin(); /* nested: not counted twice */
	metrics_db_end(inner);
	metrics_db_end(t);
	return NULL;
}

static void extra(struct buf *out)
{
	buf_adds(out, "# TYPE quire_extra gauge\nquire_extra 7\n");
}

int main(void)
{
	metrics_init(labels, 2);
	metrics_set_extra(extra);
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	struct buf b;
	buf_init(&b, 0);
	metrics_render(&b);
	const char *t = buf_str(&b);
	ok(strstr(t, "quire_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 3000\n") != NULL,
	   "three threads' counts summed");
	ok(strstr(t, "quire_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"0.0005\"} 3000\n") != NULL,
	   "0.3 ms in the first bucket");
	ok(strstr(t, "quire_http_request_duration_seconds_bucket{method=\"GET\",route=\"/@{handle}/{slug}\",le=\"0.025\"} 0\n") &&
	   strstr(t, "quire_http_request_duration_seconds_bucket{method=\"GET\",route=\"/@{handle}/{slug}\",le=\"0.05\"} 3\n") &&
	   strstr(t, "quire_http_request_duration_seconds_bucket{method=\"GET\",route=\"/@{handle}/{slug}\",le=\"+Inf\"} 3\n"),
	   "cumulative buckets");
	ok(strstr(t, "quire_http_request_duration_seconds_sum{method=\"GET\",route=\"/\"} 0.900000\n") != NULL,
	   "sum of durations");
	ok(strstr(t, "route=\"(unmatched)\",status=\"404\"} 3\n") != NULL, "unmatched routes");
	ok(strstr(t, "route=\"(rejected)\",status=\"other\"} 3\n") != NULL, "other statuses");
	ok(strstr(t, "quire_page_cache_hits_total 2250\n") && strstr(t, "quire_page_cache_misses_total 750\n"),
	   "cache hits and misses");
	ok(strstr(t, "quire_db_calls_total 3\n") != NULL, "outermost store calls only");
	ok(strstr(t, "quire_extra 7\n") != NULL, "extra lines");
	ok(!strstr(t, "status=\"201\""), "no series for what never happened");
	buf_release(&b);
	return tap_done();
}
