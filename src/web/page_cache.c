/*
 * page_cache.c - per-thread cache of rendered anonymous pages; see
 * page_cache.h for what is cached and why invalidation is correct.
 *
 * A hash table (chained, power-of-two buckets) over a doubly linked LRU
 * list. Each entry is one malloc'd block: the struct, the header array,
 * then key, body, gzip copy, ETags and header strings, so that freeing a
 * page is one free(). The gzip copy is made by web_gzip() (compress.c).
 */
#include "web/page_cache.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "web/web.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct entry {
	struct page_entry pub;
	struct http_shared *shared[2]; /* built at the first answer: plain, gzip */
	struct entry *lru_prev, *lru_next; /* head: most recently used */
	struct entry *chain;
	int route;              /* web_req.route of the request that stored it */
	bool file;              /* a file answer (page_cache_keep_file) in shared[0] */
	uint64_t hash;
	const char *key;
	size_t klen;
	size_t bytes;
};

struct page_cache {
	struct entry **buckets;
	size_t nbuckets; /* power of two */
	struct entry *lru_head, *lru_tail;
	size_t n, bytes;
	size_t nfiles;          /* file answers, each holding a descriptor */
	size_t max_bytes, max_entries;
	struct store_stamp stamp;
	bool has_stamp;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct page_cache *page_cache_new(size_t max_bytes, size_t max_entries)
{
	struct page_cache *pc = xcalloc(1, sizeof(*pc));
	pc->max_bytes = max_bytes;
	pc->max_entries = max_entries ? max_entries : 1;
	pc->nbuckets = 64;
	while (pc->nbuckets < pc->max_entries)
		pc->nbuckets *= 2;
	pc->buckets = xcalloc(pc->nbuckets, sizeof(*pc->buckets));
	return pc;
}

static void lru_unlink(struct page_cache *pc, struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		pc->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		pc->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct page_cache *pc, struct entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = pc->lru_head;
	if (pc->lru_head)
		pc->lru_head->lru_prev = e;
	pc->lru_head = e;
	if (!pc->lru_tail)
		pc->lru_tail = e;
}

static void entry_remove(struct page_cache *pc, struct entry *e)
{
	struct entry **pp = &pc->buckets[e->hash & (pc->nbuckets - 1)];
	while (*pp && *pp != e)
		pp = &(*pp)->chain;
	if (*pp)
		*pp = e->chain;
	lru_unlink(pc, e);
	pc->n--;
	if (e->file)
		pc->nfiles--;
	pc->bytes -= e->bytes;
	http_shared_free(e->shared[0]);
	http_shared_free(e->shared[1]);
	free(e);
}

static void clear(struct page_cache *pc)
{
	while (pc->lru_head)
		entry_remove(pc, pc->lru_head);
}

void page_cache_free(struct page_cache *pc)
{
	if (!pc)
		return;
	clear(pc);
	free(pc->buckets);
	free(pc);
}

void page_cache_sync(struct page_cache *pc, const struct store_stamp *stamp)
{
	if (pc->has_stamp && pc->stamp.commits == stamp->commits &&
	    pc->stamp.external == stamp->external && pc->stamp.own == stamp->own)
		return;
	clear(pc);
	pc->stamp = *stamp;
	pc->has_stamp = true;
}

static struct entry *find(struct page_cache *pc, uint64_t h, const char *key, size_t klen)
{
	for (struct entry *e = pc->buckets[h & (pc->nbuckets - 1)]; e; e = e->chain)
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
	return NULL;
}

const struct page_entry *page_cache_get(struct page_cache *pc, const char *key, size_t klen)
{
	struct entry *e = find(pc, fnv1a(key, klen), key, klen);
	if (!e)
		return NULL;
	if (pc->lru_head != e) {
		lru_unlink(pc, e);
		lru_push_front(pc, e);
	}
	return &e->pub;
}

/* gzip of body into out (malloc'd), or NULL when it does not pay. */
static char *gzip_of(const char *body, size_t len, size_t *out_len)
{
	return len < 512 ? NULL : web_gzip(body, len, 6, out_len);
}

static const struct page_entry *put_entry(struct page_cache *pc, const struct store_stamp *stamp,
					  const char *key, size_t klen, const char *content_type,
					  const struct http_header *headers, size_t nheaders,
					  const char *body, size_t len, bool with_gzip)
{
	page_cache_sync(pc, stamp);
	if (len > PAGE_CACHE_MAX_PAGE)
		return NULL;
	uint64_t h = fnv1a(key, klen);
	struct entry *old = find(pc, h, key, klen);
	if (old)
		entry_remove(pc, old);

	char hash[65];
	hash_token(body, len, hash);
	size_t gz_len = 0;
	char *gz = with_gzip ? gzip_of(body, len, &gz_len) : NULL;
	size_t ctl = strlen(content_type) + 1;
	size_t need = sizeof(struct entry) + nheaders * sizeof(struct http_header) + klen + 1 +
		      len + 1 + gz_len + ctl + 2 * 32;
	for (size_t i = 0; i < nheaders; i++)
		need += strlen(headers[i].name) + strlen(headers[i].value) + 2;
	if (need > pc->max_bytes) {
		free(gz);
		return NULL;
	}
	while (pc->lru_tail && (pc->bytes + need > pc->max_bytes || pc->n >= pc->max_entries))
		entry_remove(pc, pc->lru_tail);

	struct entry *e = xmalloc(need);
	memset(e, 0, sizeof(*e));
	struct http_header *hs = (struct http_header *)(void *)(e + 1);
	char *p = (char *)(hs + nheaders);
#define PUT(dst, src, n)                 \
	do {                             \
		memcpy(p, (src), (n));   \
		p[n] = '\0';             \
		(dst) = p;               \
		p += (n) + 1;            \
	} while (0)
	PUT(e->key, key, klen);
	PUT(e->pub.body, body, len);
	PUT(e->pub.content_type, content_type, ctl - 1);
	for (size_t i = 0; i < nheaders; i++) {
		PUT(hs[i].name, headers[i].name, strlen(headers[i].name));
		PUT(hs[i].value, headers[i].value, strlen(headers[i].value));
	}
#undef PUT
	char *etag = p;
	memcpy(etag, "\"", 1);
	memcpy(etag + 1, hash, 20);
	memcpy(etag + 21, "\"", 2); /* quote and NUL */
	p += 32;
	char *etag_gz = p;
	memcpy(etag_gz, "\"", 1);
	memcpy(etag_gz + 1, hash, 20);
	memcpy(etag_gz + 21, "-gz\"", 5);
	p += 32;
	if (gz) {
		memcpy(p, gz, gz_len);
		e->pub.gz = p;
		e->pub.gz_len = gz_len;
		free(gz);
	}
	e->pub.len = len;
	e->pub.etag = etag;
	e->pub.etag_gz = etag_gz;
	e->pub.headers = hs;
	e->pub.nheaders = nheaders;
	e->hash = h;
	e->klen = klen;
	e->bytes = need;
	size_t b = h & (pc->nbuckets - 1);
	e->chain = pc->buckets[b];
	pc->buckets[b] = e;
	lru_push_front(pc, e);
	pc->n++;
	pc->bytes += need;
	return &e->pub;
}

const struct page_entry *page_cache_put(struct page_cache *pc, const struct store_stamp *stamp,
					const char *key, size_t klen, const char *content_type,
					const struct http_header *headers, size_t nheaders,
					const char *body, size_t len)
{
	return put_entry(pc, stamp, key, klen, content_type, headers, nheaders, body, len, true);
}

const struct page_entry *page_cache_put_plain(struct page_cache *pc, const struct store_stamp *stamp,
					      const char *key, size_t klen, const char *content_type,
					      const struct http_header *headers, size_t nheaders,
					      const char *body, size_t len)
{
	return put_entry(pc, stamp, key, klen, content_type, headers, nheaders, body, len, false);
}

void page_cache_set_route(const struct page_entry *e, int route)
{
	if (e)
		((struct entry *)(void *)e)->route = route;
}

int page_cache_route(const struct page_entry *e)
{
	return ((const struct entry *)(const void *)e)->route;
}

size_t page_cache_count(const struct page_cache *pc)
{
	return pc->n;
}

size_t page_cache_bytes(const struct page_cache *pc)
{
	return pc->bytes;
}

/* ---- request glue ---- */

struct ticket {
	struct store_stamp stamp;
	const char *key;
	size_t klen;
};

/* Raw path, then each decoded query argument, length-prefixed so that
 * no two different requests share a key. */
const char *page_cache_key(struct http_req *req, size_t *klen)
{
	if (!req->query.n) {
		/* The common case: the path is the key (the arena's copy). */
		*klen = strlen(req->path);
		return req->path;
	}
	struct buf k;
	buf_init(&k, 0);
	buf_adds(&k, req->path);
	for (size_t i = 0; i < req->query.n; i++) {
		const struct kv *kv = &req->query.items[i];
		size_t kl = strlen(kv->key);
		buf_addf(&k, "\n%zu:", kl);
		buf_add(&k, kv->key, kl);
		buf_addf(&k, "%zu:", kv->val_len);
		buf_add(&k, kv->val, kv->val_len);
	}
	size_t n;
	char *raw = buf_detach(&k, &n);
	char *out = arena_strndup(&req->arena, raw ? raw : "", n);
	free(raw);
	*klen = n;
	return out;
}

/* Whether If-None-Match lists etag (weak comparison, as RFC 9110 asks). */
static bool etag_listed(const char *inm, const char *etag)
{
	if (!inm)
		return false;
	size_t el = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		const char *t = p;
		if (*p == '"') {
			p++;
			while (*p && *p != '"')
				p++;
			if (*p == '"')
				p++;
		}
		if ((size_t)(p - t) == el && memcmp(t, etag, el) == 0)
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

/* If-Modified-Since at or after the page's Last-Modified, if it has one
 * (feeds do). Only consulted without If-None-Match (RFC 9110 13.2.2). */
static bool not_modified_since(struct http_req *req, const struct page_entry *e)
{
	const char *ims = http_req_header(req, "If-Modified-Since");
	const char *lm = NULL;
	for (size_t i = 0; ims && i < e->nheaders; i++)
		if (strcasecmp(e->headers[i].name, "Last-Modified") == 0)
			lm = e->headers[i].value;
	if (!lm)
		return false;
	struct tm a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	const char *fmt = "%a, %d %b %Y %H:%M:%S GMT";
	const char *ea = strptime(ims, fmt, &a), *eb = strptime(lm, fmt, &b);
	return ea && !*ea && eb && !*eb && timegm(&a) >= timegm(&b);
}

static void answer_from(struct http_req *req, struct http_res *res, const struct page_entry *pe)
{
	/* The page's own entry: pub is its first member. */
	struct entry *own = (struct entry *)(void *)pe;
	const struct page_entry *e = pe;
	bool gz = e->gz && web_accepts_coding(http_req_header(req, "Accept-Encoding"), "gzip");
	const char *etag = gz ? e->etag_gz : e->etag;
	const char *inm = http_req_header(req, "If-None-Match");
	bool not_modified = inm ? etag_listed(inm, etag) : not_modified_since(req, e);
	/* Every 200 for this copy is the same bytes: the response, headers
	 * and all, is built once and sent as it is (no per-request copy). */
	struct http_shared **sh = &own->shared[gz ? 1 : 0];
	if (!not_modified && *sh && !(req->method & HTTP_HEAD)) {
		http_res_shared(res, *sh);
		return;
	}
	res->status = 200;
	res->content_type = e->content_type;
	res->nheaders = 0;
	buf_reset(&res->body);
	for (size_t i = 0; i < e->nheaders; i++)
		http_res_header(req, res, e->headers[i].name, e->headers[i].value);
	http_res_header(req, res, "ETag", etag);
	if (e->gz)
		http_res_header(req, res, "Vary", "Accept-Encoding");
	if (not_modified) {
		res->status = 304;
		return;
	}
	if (gz) {
		http_res_header(req, res, "Content-Encoding", "gzip");
		buf_add(&res->body, e->gz, e->gz_len);
	} else {
		buf_add(&res->body, e->body, e->len);
	}
	if (!*sh && !(req->method & HTTP_HEAD))
		*sh = http_shared_new(res);
}

bool page_cache_serve(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	struct page_cache *pc = web_page_cache(req);
	if (!pc || sr->api || sr->viewer.signed_in || !(req->method & (HTTP_GET | HTTP_HEAD)) ||
	    http_req_header(req, "Cookie") || http_req_header(req, "Authorization"))
		return false;
	struct ticket *t = arena_alloc(&req->arena, sizeof(*t));
	if (store_change_stamp(web_store(req), &t->stamp))
		return false;
	page_cache_sync(pc, &t->stamp);
	t->key = page_cache_key(req, &t->klen);
	const struct page_entry *e = page_cache_get(pc, t->key, t->klen);
	if (e) {
		sr->route = ((const struct entry *)(const void *)e)->route;
		answer_from(req, res, e);
		return true;
	}
	sr->page_ticket = t;
	return false;
}

void page_cache_skip(struct http_req *req)
{
	web_req(req)->page_skip = true;
}

bool page_cache_allow(struct http_req *req)
{
	struct web_req *sr = web_req(req);
	sr->page_rendered = true;
	return sr->page_ticket != NULL && !sr->page_skip && !sr->viewer.signed_in;
}

void page_cache_store(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	struct ticket *t = sr->page_ticket;
	struct page_cache *pc = web_page_cache(req);
	if (!t || !pc || !sr->page_rendered || sr->page_skip || sr->viewer.signed_in ||
	    sr->set_pre_cookie || res->status != 200 || !res->content_type ||
	    buf_failed(&res->body))
		return;
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, "Set-Cookie") == 0 ||
		    strcasecmp(res->headers[i].name, "ETag") == 0)
			return;
	const struct page_entry *e =
		page_cache_put(pc, &t->stamp, t->key, t->klen, res->content_type, res->headers,
			       res->nheaders, buf_str(&res->body), res->body.len);
	if (e) {
		((struct entry *)(void *)e)->route = sr->route;
		answer_from(req, res, e);
	}
}

/* ---- file answers: the same for every viewer ---- */

static char *file_key(struct http_req *req, size_t *klen)
{
	size_t n;
	const char *k = page_cache_key(req, &n);
	char *out = arena_alloc(&req->arena, n + 3);
	out[0] = '\1';
	out[1] = 'F';
	memcpy(out + 2, k, n);
	out[n + 2] = '\0';
	*klen = n + 2;
	return out;
}

bool page_cache_serve_file(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	struct page_cache *pc = web_page_cache(req);
	if (!pc || req->method != HTTP_GET)
		return false;
	struct ticket *t = arena_alloc(&req->arena, sizeof(*t));
	if (store_change_stamp(web_store(req), &t->stamp))
		return false;
	page_cache_sync(pc, &t->stamp);
	t->key = file_key(req, &t->klen);
	sr->file_ticket = t;
	struct entry *e = find(pc, fnv1a(t->key, t->klen), t->key, t->klen);
	if (!e || !e->file || !e->shared[0])
		return false;
	if (pc->lru_head != e) {
		lru_unlink(pc, e);
		lru_push_front(pc, e);
	}
	sr->route = e->route;
	const char *etag = NULL;
	for (size_t i = 0; i < e->pub.nheaders; i++)
		if (strcasecmp(e->pub.headers[i].name, "ETag") == 0)
			etag = e->pub.headers[i].value;
	if (etag && etag_listed(http_req_header(req, "If-None-Match"), etag)) {
		res->status = 304;
		res->content_type = e->pub.content_type;
		res->nheaders = 0;
		for (size_t i = 0; i < e->pub.nheaders; i++)
			http_res_header(req, res, e->pub.headers[i].name, e->pub.headers[i].value);
		return true;
	}
	http_res_shared(res, e->shared[0]);
	return true;
}

void page_cache_keep_file(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	struct ticket *t = sr->file_ticket;
	struct page_cache *pc = web_page_cache(req);
	if (!t || !pc || res->status != 200 || res->file_fd < 0 || !res->content_type)
		return;
	/* Each kept answer holds its file open: keep the newest few. */
	for (struct entry *e = pc->lru_tail; e && pc->nfiles >= PAGE_CACHE_FILES;) {
		struct entry *prev = e->lru_prev;
		if (e->file)
			entry_remove(pc, e);
		e = prev;
	}
	const struct page_entry *pe = put_entry(pc, &t->stamp, t->key, t->klen, res->content_type,
						res->headers, res->nheaders, "", 0, false);
	if (!pe)
		return;
	struct entry *e = (struct entry *)(void *)pe;
	e->shared[0] = http_shared_new_file(res);
	if (!e->shared[0]) {
		entry_remove(pc, e);
		return;
	}
	e->file = true;
	e->route = sr->route;
	pc->nfiles++;
	http_res_shared(res, e->shared[0]);
}

/* ---- early answers (http_server_config.early) ---- */

/* The thread's cache, in step with the store; NULL when there is none or
 * the store cannot say what changed. */
static struct page_cache *early_cache(struct http_req *req)
{
	struct page_cache *pc = web_page_cache(req);
	struct store *st = web_store(req);
	struct store_stamp stamp;
	if (!pc || !st || store_change_stamp(st, &stamp))
		return NULL;
	page_cache_sync(pc, &stamp);
	return pc;
}

struct http_shared *page_cache_early(struct http_req *req)
{
	/* What page_cache_serve() would answer 200 from a stored page;
	 * anything conditional goes the whole way (answer_from()). */
	if (http_req_header(req, "Cookie") || http_req_header(req, "Authorization") ||
	    http_req_header(req, "If-None-Match") || http_req_header(req, "If-Modified-Since"))
		return NULL;
	struct page_cache *pc = early_cache(req);
	if (!pc)
		return NULL;
	size_t klen = strlen(req->path);
	struct entry *e = find(pc, fnv1a(req->path, klen), req->path, klen);
	if (!e || e->file)
		return NULL;
	bool gz = e->pub.gz && web_accepts_coding(http_req_header(req, "Accept-Encoding"), "gzip");
	struct http_shared *sh = e->shared[gz ? 1 : 0];
	if (!sh)
		return NULL;
	if (pc->lru_head != e) {
		lru_unlink(pc, e);
		lru_push_front(pc, e);
	}
	web_req(req)->route = e->route;
	return sh;
}

struct http_shared *page_cache_early_file(struct http_req *req)
{
	if (http_req_header(req, "If-None-Match"))
		return NULL;
	struct page_cache *pc = early_cache(req);
	if (!pc)
		return NULL;
	size_t klen;
	const char *key = file_key(req, &klen);
	struct entry *e = find(pc, fnv1a(key, klen), key, klen);
	if (!e || !e->file || !e->shared[0])
		return NULL;
	if (pc->lru_head != e) {
		lru_unlink(pc, e);
		lru_push_front(pc, e);
	}
	web_req(req)->route = e->route;
	return e->shared[0];
}
