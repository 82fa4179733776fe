/*
 * page_cache.h - an in-memory cache of rendered pages for anonymous
 * readers, one per worker thread, with no locks.
 *
 * What is cached: a GET or HEAD without Cookie or Authorization header,
 * answered 200 by web_page_render() (an HTML page from a template) for a
 * viewer who is not signed in, with no Set-Cookie. The key is the raw path
 * and the decoded query arguments, so such a page must be a function of
 * the path, the query and the database alone; a handler whose anonymous
 * page depends on anything else calls page_cache_skip(). Signed-in pages,
 * JSON, static assets, redirects and errors are never stored.
 *
 * Invalidation is exact and coarse: every stored page carries the store
 * change stamp (store.h) taken before the page was rendered; when the
 * thread's connection sees any commit since (its own or another thread's
 * at once, another process's within STORE_STAMP_RECHECK_MS), the whole
 * cache of that thread is dropped. Pages therefore reflect every edit,
 * unpublish, audience change, response or rename from the next request
 * on, and nothing needs to know which page a write affects. Writes are
 * rare next to reads on a publishing site.
 *
 * Each stored page keeps its response headers, a strong ETag (a hash of
 * the body) and, when it pays, a gzip copy. Served pages, from the cache
 * or freshly rendered, answer If-None-Match with 304 and send the gzip
 * copy (with Vary: Accept-Encoding) to clients that accept it.
 *
 * Memory: at most PAGE_CACHE_BYTES per thread (bodies, gzip copies, keys
 * and headers), least recently used pages evicted first; pages larger
 * than PAGE_CACHE_MAX_PAGE are not stored. Everything is malloc'd by the
 * cache and freed by it; lookups return pointers valid until the next
 * call on the same cache.
 */
#ifndef QUIRE_WEB_PAGE_CACHE_H
#define QUIRE_WEB_PAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"
#include "store/store.h"

#define PAGE_CACHE_BYTES ((size_t)8 << 20)
#define PAGE_CACHE_ENTRIES 4096
#define PAGE_CACHE_MAX_PAGE ((size_t)1 << 20)

struct page_cache;

/* A stored page; owned by the cache. */
struct page_entry {
	const char *body;
	size_t len;
	const char *gz;         /* gzip of body, or NULL when it did not pay */
	size_t gz_len;
	const char *content_type;
	const char *etag;       /* "\"<20 hex>\"" */
	const char *etag_gz;    /* "\"<20 hex>-gz\"" */
	const struct http_header *headers; /* as the handler set them */
	size_t nheaders;
};

/* ---- the cache itself (no HTTP, no site): unit-tested directly ---- */

/* A new, empty cache holding at most max_bytes in at most max_entries
 * pages. Never NULL (aborts on out-of-memory). */
struct page_cache *page_cache_new(size_t max_bytes, size_t max_entries);
/* Free the cache and every page. NULL is allowed. */
void page_cache_free(struct page_cache *pc);
/* Drop every page if stamp differs from the stamp of the stored pages;
 * afterwards the cache belongs to stamp. */
void page_cache_sync(struct page_cache *pc, const struct store_stamp *stamp);
/* The page stored under key (klen bytes), or NULL. Marks it recently used. */
const struct page_entry *page_cache_get(struct page_cache *pc, const char *key, size_t klen);
/* Store a page rendered after stamp was taken (replacing one with the same
 * key), evicting the least recently used to make room. Returns the stored
 * entry, or NULL when the page is too large to keep. headers are copied. */
const struct page_entry *page_cache_put(struct page_cache *pc, const struct store_stamp *stamp,
					const char *key, size_t klen, const char *content_type,
					const struct http_header *headers, size_t nheaders,
					const char *body, size_t len);
/* page_cache_put() without the gzip copy: for what is not sent as is
 * (web/slot_page.c keeps pages with slots, and small notes, here). */
const struct page_entry *page_cache_put_plain(struct page_cache *pc, const struct store_stamp *stamp,
					      const char *key, size_t klen, const char *content_type,
					      const struct http_header *headers, size_t nheaders,
					      const char *body, size_t len);
/* The route (web_req.route) an entry answers for, for /metrics. */
void page_cache_set_route(const struct page_entry *e, int route);
int page_cache_route(const struct page_entry *e);
/* Pages stored and bytes used, for tests and diagnostics. */
size_t page_cache_count(const struct page_cache *pc);
size_t page_cache_bytes(const struct page_cache *pc);

/* ---- request glue, called by the application (main.c app()) ---- */

/* Before routing: for a request that may be served from the cache, look it
 * up; on a hit fill res completely and return true (the caller answers
 * with res). On a miss remember the key and stamp for page_cache_store(). */
bool page_cache_serve(struct http_req *req, struct http_res *res);
/* After the handler: if res is a storable anonymous page, store it and
 * answer from the stored copy (ETag, 304, gzip) exactly as a hit would. */
void page_cache_store(struct http_req *req, struct http_res *res);
/* The cache key of a request: its raw path and each decoded query
 * argument, length-prefixed (no two different requests share one); in
 * req's arena (the path itself when there is no query). */
const char *page_cache_key(struct http_req *req, size_t *klen);
/* A handler's anonymous page depends on more than path, query and
 * database: do not store this response. */
void page_cache_skip(struct http_req *req);
/* A handler that answers without web_page_render() (an Atom feed, a sitemap)
 * declares its anonymous 200 response a function of path, query and
 * database, so that it may be stored like a page. True when the response
 * will be stored: the cache then sets its ETag and answers conditional
 * requests (If-None-Match, and If-Modified-Since against the handler's
 * Last-Modified), so the handler must set no ETag of its own. */
bool page_cache_allow(struct http_req *req);

/* ---- file answers, the same for every viewer (a public photo) ----
 *
 * A GET answered 200 with a file (http_res_file) whose response depends on
 * nothing but the path, the query and the database (not the viewer, not
 * her cookies) may be kept: the handler calls page_cache_keep_file() once
 * it has set the file, the headers and the type. The kept answer holds the
 * file open and its response (headers precomputed) is sent to every later
 * request for the same path and query, before the session is even read,
 * until the store's change stamp moves (as pages). If-None-Match is
 * answered 304 against the ETag the handler set. At most
 * PAGE_CACHE_FILES per thread (each is an open descriptor). */
#define PAGE_CACHE_FILES 256
/* Before anything else (main.c app()): true when res is complete. */
bool page_cache_serve_file(struct http_req *req, struct http_res *res);
/* The handler's 200 file answer is the same for everyone: keep it (and
 * answer this request from the kept copy). */
void page_cache_keep_file(struct http_req *req, struct http_res *res);

/* ---- early answers (http.h, http_server_config.early) ----
 *
 * For a GET with no query and no body, before the request is parsed: the
 * response a stored page would be answered 200 with (page_cache_serve()),
 * when the request has no Cookie, Authorization, If-None-Match or
 * If-Modified-Since header; or the kept answer of a file
 * (page_cache_serve_file()) without If-None-Match. NULL otherwise: the
 * request then goes the whole way and is answered the same. Whether the
 * request wants the page at all (not ActivityPub JSON) is the caller's. */
struct http_shared *page_cache_early(struct http_req *req);
struct http_shared *page_cache_early_file(struct http_req *req);

#endif
