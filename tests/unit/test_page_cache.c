/* test_page_cache.c - the per-thread page cache: hit, miss, replacement,
 * LRU eviction by count and by bytes, gzip and ETags, Accept-Encoding and
 * If-None-Match parsing, and invalidation through store change stamps
 * (another connection's write, this connection's own write). */
#include "web/page_cache.c"

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static bool stamp_eq(const struct store_stamp *a, const struct store_stamp *b)
{
	return a->commits == b->commits && a->external == b->external && a->own == b->own;
}

static const struct http_header HDRS[] = {
	{"X-Content-Type-Options", "nosniff"},
	{"Cache-Control", "no-cache"},
};

static const struct page_entry *put(struct page_cache *pc, const struct store_stamp *st,
				    const char *key, const char *body)
{
	return page_cache_put(pc, st, key, strlen(key), "text/html; charset=utf-8", HDRS, 2, body,
			      strlen(body));
}

static const struct page_entry *get(struct page_cache *pc, const char *key)
{
	return page_cache_get(pc, key, strlen(key));
}

static void test_hit_miss_replace(void)
{
	struct page_cache *pc = page_cache_new(1 << 20, 16);
	struct store_stamp s0 = {1, 0, 0};
	page_cache_sync(pc, &s0);
	ok(get(pc, "/a") == NULL, "miss on an empty cache");
	const struct page_entry *e = put(pc, &s0, "/a", "<p>first</p>");
	ok(e && e->len == 12 && memcmp(e->body, "<p>first</p>", 12) == 0, "put returns the page");
	e = get(pc, "/a");
	ok(e && strcmp(e->body, "<p>first</p>") == 0, "hit returns the stored body");
	ok(e && e->nheaders == 2 && strcmp(e->headers[1].name, "Cache-Control") == 0 &&
	   strcmp(e->headers[1].value, "no-cache") == 0, "headers are kept");
	is_str(e ? e->content_type : NULL, "text/html; charset=utf-8", "content type kept");
	ok(e && strlen(e->etag) == 22 && e->etag[0] == '"' && e->etag[21] == '"', "strong ETag");
	ok(get(pc, "/b") == NULL && get(pc, "/a\n1:x1:y") == NULL, "other keys miss");
	char etag1[32];
	snprintf(etag1, sizeof(etag1), "%s", e->etag);
	put(pc, &s0, "/a", "<p>second</p>");
	e = get(pc, "/a");
	ok(e && strcmp(e->body, "<p>second</p>") == 0 && page_cache_count(pc) == 1,
	   "put replaces the page under the same key");
	ok(e && strcmp(e->etag, etag1) != 0, "a different body has a different ETag");
	page_cache_free(pc);
}

static void test_eviction(void)
{
	struct page_cache *pc = page_cache_new(1 << 20, 3);
	struct store_stamp s = {7, 7, 7};
	put(pc, &s, "/1", "one");
	put(pc, &s, "/2", "two");
	put(pc, &s, "/3", "three");
	ok(get(pc, "/1") != NULL, "touch /1 so /2 is least recently used");
	put(pc, &s, "/4", "four");
	ok(page_cache_count(pc) == 3, "never more than max_entries");
	ok(get(pc, "/2") == NULL, "least recently used page evicted");
	ok(get(pc, "/1") && get(pc, "/3") && get(pc, "/4"), "the others stay");
	page_cache_free(pc);

	/* By bytes: each 4 KB page costs a bit more than 4 KB. */
	pc = page_cache_new(10000, 100);
	char big[4097];
	memset(big, 'x', 4096);
	big[4096] = '\0';
	put(pc, &s, "/x", big);
	put(pc, &s, "/y", big);
	put(pc, &s, "/z", big);
	ok(page_cache_bytes(pc) <= 10000, "never more than max_bytes (%zu)", page_cache_bytes(pc));
	ok(get(pc, "/x") == NULL && get(pc, "/z") != NULL, "oldest evicted to make room");
	char *huge = malloc(PAGE_CACHE_MAX_PAGE + 2);
	memset(huge, 'y', PAGE_CACHE_MAX_PAGE + 1);
	huge[PAGE_CACHE_MAX_PAGE + 1] = '\0';
	struct page_cache *pc2 = page_cache_new((size_t)4 << 20, 10);
	ok(put(pc2, &s, "/huge", huge) == NULL && page_cache_count(pc2) == 0,
	   "pages over PAGE_CACHE_MAX_PAGE are not stored");
	ok(put(pc, &s, "/tiny-cache", big) != NULL, "a page that fits is stored");
	free(huge);
	page_cache_free(pc2);
	page_cache_free(pc);
}

static void test_gzip(void)
{
	struct page_cache *pc = page_cache_new(1 << 20, 16);
	struct store_stamp s = {0, 0, 0};
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 200; i++)
		buf_addf(&b, "<p>Paragraph %d of a story that repeats itself.</p>\n", i);
	const struct page_entry *e = put(pc, &s, "/long", buf_str(&b));
	ok(e && e->gz && e->gz_len < b.len / 4, "long page gets a gzip copy (%zu -> %zu)", b.len,
	   e ? e->gz_len : 0);
	if (e && e->gz) {
		char *out = malloc(b.len + 1);
		z_stream z;
		memset(&z, 0, sizeof(z));
		inflateInit2(&z, 15 + 16);
		z.next_in = (Bytef *)(uintptr_t)e->gz;
		z.avail_in = (uInt)e->gz_len;
		z.next_out = (Bytef *)out;
		z.avail_out = (uInt)b.len + 1;
		int rc = inflate(&z, Z_FINISH);
		ok(rc == Z_STREAM_END && z.total_out == b.len && memcmp(out, buf_str(&b), b.len) == 0,
		   "gzip copy inflates to the body");
		inflateEnd(&z);
		free(out);
	}
	ok(e && strncmp(e->etag, e->etag_gz, 21) == 0 && strcmp(e->etag, e->etag_gz) != 0,
	   "gzip copy has its own ETag");
	e = put(pc, &s, "/short", "<p>hi</p>");
	ok(e && !e->gz, "short page: no gzip copy");
	buf_release(&b);
	page_cache_free(pc);
}

/* The one Accept-Encoding rule of the web layer (compress.c). */
#define accepts_gzip(ae) web_accepts_coding((ae), "gzip")

static void test_headers_parsing(void)
{
	ok(web_accepts_coding("gzip, deflate, br", "br"), "br listed");
	ok(!web_accepts_coding("gzip, br;q=0", "br"), "br;q=0 refuses");
	ok(web_accepts_coding("*", "br") && !web_accepts_coding("*;q=0", "br") &&
	   !web_accepts_coding("br;q=0, *", "br"), "* for codings not named");
	ok(!web_accepts_coding("brotli, gzip", "br"), "no br");
	ok(accepts_gzip("gzip, deflate, br"), "gzip, deflate, br");
	ok(accepts_gzip("deflate, GZIP;q=0.5"), "GZIP;q=0.5");
	ok(accepts_gzip("x-gzip"), "x-gzip");
	ok(!accepts_gzip("gzip;q=0"), "gzip;q=0 refuses");
	ok(!accepts_gzip("gzip; q=0.000, br"), "gzip; q=0.000 refuses");
	ok(accepts_gzip("gzip;q=0.001"), "q=0.001 accepts");
	ok(!accepts_gzip("identity") && !accepts_gzip("") && !accepts_gzip(NULL) &&
	   !accepts_gzip("gzipped, xgzip"), "no gzip");
	ok(etag_listed("\"abc\"", "\"abc\""), "INM exact");
	ok(etag_listed("\"x\", W/\"abc\"", "\"abc\""), "INM list with a weak tag");
	ok(etag_listed("*", "\"abc\""), "INM *");
	ok(!etag_listed("\"abcd\"", "\"abc\"") && !etag_listed("", "\"abc\"") &&
	   !etag_listed(NULL, "\"abc\""), "INM mismatch");
}

static void test_stamps(void)
{
	char dir[] = "/tmp/quire-pc-XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	char path[256], err[256];
	snprintf(path, sizeof(path), "%s/quire.db", dir);
	struct store *a, *b;
	ok(store_open(path, &a, err, sizeof(err)) == STORE_OK, "open connection a");
	ok(store_open(path, &b, err, sizeof(err)) == STORE_OK, "open connection b");
	struct store_stamp s1, s2, s3, s4;
	ok(store_change_stamp(a, &s1) == STORE_OK && store_change_stamp(a, &s2) == STORE_OK &&
	   stamp_eq(&s1, &s2), "no write: same stamp");

	struct page_cache *pc = page_cache_new(1 << 20, 16);
	page_cache_sync(pc, &s1);
	put(pc, &s1, "/@ann/story", "<h1>Old title</h1>");
	ok(get(pc, "/@ann/story") != NULL, "stored under the first stamp");

	/* Another connection (another worker thread, or `quire user add`). */
	ok(store_setting_set(b, "probe", "1") == STORE_OK, "connection b writes");
	ok(store_change_stamp(a, &s3) == STORE_OK && !stamp_eq(&s3, &s1),
	   "a sees b's commit in its stamp at once");
	page_cache_sync(pc, &s3);
	ok(get(pc, "/@ann/story") == NULL && page_cache_count(pc) == 0,
	   "another connection's write drops the cache");

	put(pc, &s3, "/@ann/story", "<h1>New title</h1>");
	ok(store_setting_set(a, "probe", "2") == STORE_OK, "connection a writes");
	ok(store_change_stamp(a, &s4) == STORE_OK && s4.own != s3.own && !stamp_eq(&s4, &s3),
	   "a sees its own write at once");
	page_cache_sync(pc, &s4);
	ok(get(pc, "/@ann/story") == NULL, "own write drops the cache");

	/* A page rendered under an older stamp than the cache's is not kept
	 * next to newer pages: put re-syncs. */
	put(pc, &s4, "/new", "new");
	put(pc, &s3, "/old", "old");
	ok(get(pc, "/new") == NULL && get(pc, "/old") != NULL && page_cache_count(pc) == 1,
	   "put with another stamp drops pages of the other stamp");

	/* Another process (a CLI command): seen within STORE_STAMP_RECHECK_MS. */
	struct store_stamp s5, s6;
	ok(store_change_stamp(a, &s5) == STORE_OK, "stamp before the other process");
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		struct store *c;
		char cerr[256];
		int rc = store_open(path, &c, cerr, sizeof(cerr)) == STORE_OK &&
			 store_setting_set(c, "probe", "3") == STORE_OK ? 0 : 1;
		if (rc == 0)
			store_close(c);
		_exit(rc);
	}
	int status = 1;
	waitpid(child, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "another process wrote");
	struct timespec pause = {0, (STORE_STAMP_RECHECK_MS + 50) * 1000000L};
	nanosleep(&pause, NULL);
	ok(store_change_stamp(a, &s6) == STORE_OK && !stamp_eq(&s5, &s6) &&
	   s6.external != s5.external, "another process's write shows within the recheck interval");

	page_cache_free(pc);
	store_close(a);
	store_close(b);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "cleanup");
}

int main(void)
{
	test_hit_miss_replace();
	test_eviction();
	test_gzip();
	test_headers_parsing();
	test_stamps();
	return tap_done();
}
