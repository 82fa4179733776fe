/*
 * slot_page.c - signed-in pages shared between readers of one class, with
 * slots for the reader's own strings; see slot_page.h.
 *
 * Three kinds of entry live in the thread's page cache, apart from the
 * anonymous pages by a first byte no path has:
 *   "\1O" key            the path's owner (16 hex) and her class function
 *   "\1C" reader owner   the reader's class for that owner ("" for none)
 *   "\1P" class "\n" key the marked page, with its type and headers
 * All of them belong to the stamp they were made under.
 */
#include "web/slot_page.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/metrics.h"
#include "store/store.h"
#include "web/page_cache.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_LEN 12
/* "\1" token kind */
#define MARK_LEN (1 + TOKEN_LEN + 1)

static char token[TOKEN_LEN + 1];
static char marks[3][MARK_LEN + 1];
static bool check_mode;

struct slot_ticket {
	struct store_stamp stamp;
	const char *key; /* page_cache_key() */
	size_t klen;
};

void slot_page_init(void)
{
	random_hex(token, TOKEN_LEN / 2);
	const char kinds[3] = {SLOT_CSRF, SLOT_HANDLE, SLOT_NAME};
	for (int i = 0; i < 3; i++)
		snprintf(marks[i], sizeof(marks[i]), "\1%s%c", token, kinds[i]);
	const char *c = getenv("QUIRE_SLOT_CHECK");
	check_mode = c && strcmp(c, "1") == 0;
}

const char *slot_page_marker(struct http_req *req, enum slot_kind kind)
{
	if (!web_req(req)->slot_class)
		return NULL;
	switch (kind) {
	case SLOT_CSRF: return marks[0];
	case SLOT_HANDLE: return marks[1];
	case SLOT_NAME: return marks[2];
	}
	return NULL;
}

/* prefix, then the parts, in req's arena */
static char *entry_key(struct http_req *req, char kind, const char *a, size_t alen, const char *b,
		       size_t blen, size_t *klen)
{
	size_t n = 2 + alen + blen;
	char *k = arena_alloc(&req->arena, n + 1);
	k[0] = '\1';
	k[1] = kind;
	memcpy(k + 2, a, alen);
	memcpy(k + 2 + alen, b, blen);
	k[n] = '\0';
	*klen = n;
	return k;
}

/* The reader's class for owner_id: remembered for the stamp. */
static const char *class_for(struct http_req *req, struct page_cache *pc,
			     const struct slot_ticket *t, const char *owner_id, slot_class_fn fn)
{
	const char *rid = web_viewer(req)->user.id;
	size_t klen;
	char *k = entry_key(req, 'C', rid, strlen(rid), owner_id, strlen(owner_id), &klen);
	const struct page_entry *e = page_cache_get(pc, k, klen);
	if (e)
		return e->len ? arena_strndup(&req->arena, e->body, e->len) : NULL;
	const char *cls = fn(req, owner_id);
	if (cls && !cls[0])
		cls = NULL;
	page_cache_put_plain(pc, &t->stamp, k, klen, "", NULL, 0, cls ? cls : "",
			     cls ? strlen(cls) : 0);
	return cls;
}

static char *page_key(struct http_req *req, const char *cls, const struct slot_ticket *t,
		      size_t *klen)
{
	size_t cl = strlen(cls);
	char *c = arena_alloc(&req->arena, cl + 1);
	memcpy(c, cls, cl);
	c[cl] = '\n';
	return entry_key(req, 'P', c, cl + 1, t->key, t->klen, klen);
}

/* body with its slots filled for this reader, into out */
static void fill(struct http_req *req, const char *body, size_t len, struct buf *out)
{
	const struct viewer *v = web_viewer(req);
	buf_reserve(out, len + 256);
	const char *p = body, *end = body + len;
	while (p < end) {
		const char *m = memchr(p, '\1', (size_t)(end - p));
		if (!m || (size_t)(end - m) < MARK_LEN || memcmp(m + 1, token, TOKEN_LEN) != 0) {
			size_t n = m ? (size_t)(m - p) + 1 : (size_t)(end - p);
			buf_add(out, p, n);
			p += n;
			continue;
		}
		buf_add(out, p, (size_t)(m - p));
		const char *val = "";
		switch (m[1 + TOKEN_LEN]) {
		case SLOT_CSRF: val = v->csrf; break;
		case SLOT_HANDLE: val = v->user.handle; break;
		case SLOT_NAME: val = v->user.name; break;
		default: break;
		}
		buf_add_html(out, val, strlen(val));
		p = m + MARK_LEN;
	}
}

bool slot_page_serve(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	struct page_cache *pc = web_page_cache(req);
	if (!pc || sr->api || !sr->viewer.signed_in || sr->viewer.via_token ||
	    !(req->method & (HTTP_GET | HTTP_HEAD)) || web_flash_pending(req))
		return false;
	struct slot_ticket *t = arena_alloc(&req->arena, sizeof(*t));
	if (store_change_stamp(web_store(req), &t->stamp))
		return false;
	page_cache_sync(pc, &t->stamp);
	t->key = page_cache_key(req, &t->klen);
	sr->slot_ticket = t;

	size_t klen;
	char *k = entry_key(req, 'O', t->key, t->klen, "", 0, &klen);
	const struct page_entry *o = page_cache_get(pc, k, klen);
	slot_class_fn fn;
	if (!o || o->len != 16 + sizeof(fn)) {
		metrics_slot(false);
		return false;
	}
	char owner[17];
	memcpy(owner, o->body, 16);
	owner[16] = '\0';
	memcpy(&fn, o->body + 16, sizeof(fn));
	const char *cls = class_for(req, pc, t, owner, fn);
	if (!cls) {
		metrics_slot(false);
		return false;
	}
	k = page_key(req, cls, t, &klen);
	const struct page_entry *e = page_cache_get(pc, k, klen);
	metrics_slot(e != NULL);
	if (!e)
		return false;
	res->status = 200;
	res->content_type = e->content_type;
	res->nheaders = 0;
	for (size_t i = 0; i < e->nheaders; i++)
		http_res_header(req, res, e->headers[i].name, e->headers[i].value);
	buf_reset(&res->body);
	fill(req, e->body, e->len, &res->body);
	sr->route = page_cache_route(e);
	if (!check_mode)
		return true;
	/* Render it in full as well; slot_page_rendered() compares. */
	sr->slot_expect = arena_strndup(&req->arena, buf_str(&res->body), res->body.len);
	sr->slot_expect_len = res->body.len;
	res->status = 0;
	res->content_type = NULL;
	res->nheaders = 0;
	buf_reset(&res->body);
	sr->route = 0;
	return false;
}

void slot_page_offer(struct http_req *req, const char *owner_id, slot_class_fn class_of)
{
	struct web_req *sr = web_req(req);
	struct slot_ticket *t = sr->slot_ticket;
	struct page_cache *pc = web_page_cache(req);
	if (!t || !pc || strlen(owner_id) != 16)
		return;
	char body[16 + sizeof(class_of)];
	memcpy(body, owner_id, 16);
	memcpy(body + 16, &class_of, sizeof(class_of));
	size_t klen;
	char *k = entry_key(req, 'O', t->key, t->klen, "", 0, &klen);
	page_cache_put_plain(pc, &t->stamp, k, klen, "", NULL, 0, body, sizeof(body));
	const char *cls = class_for(req, pc, t, owner_id, class_of);
	/* Under QUIRE_SLOT_CHECK a hit renders in full, for the comparison. */
	if (cls && !sr->slot_expect)
		sr->slot_class = cls;
}

static void check(struct http_req *req, const struct http_res *res)
{
	struct web_req *sr = web_req(req);
	const char *got = buf_str(&res->body);
	size_t n = res->body.len;
	if (n == sr->slot_expect_len && memcmp(got, sr->slot_expect, n) == 0)
		return;
	size_t i = 0;
	while (i < n && i < sr->slot_expect_len && got[i] == sr->slot_expect[i])
		i++;
	size_t from = i > 80 ? i - 80 : 0;
	fprintf(stderr,
		"quire: QUIRE_SLOT_CHECK: the shared page for %s differs from its full rendering "
		"at byte %zu\n  shared: %.*s\n  full:   %.*s\n",
		req->path, i, (int)(sr->slot_expect_len > from + 240 ? 240 : sr->slot_expect_len - from),
		sr->slot_expect + from, (int)(n > from + 240 ? 240 : n - from), got + from);
	abort();
}

void slot_page_rendered(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	if (sr->slot_expect) {
		if (res->status == 200)
			check(req, res);
		sr->slot_expect = NULL;
		return;
	}
	const char *cls = sr->slot_class;
	if (!cls)
		return;
	sr->slot_class = NULL;
	struct slot_ticket *t = sr->slot_ticket;
	struct page_cache *pc = web_page_cache(req);
	bool keep = t && pc && res->status == 200 && res->content_type && !sr->flash_clear &&
		    !buf_failed(&res->body);
	for (size_t i = 0; keep && i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, "Set-Cookie") == 0)
			keep = false;
	if (keep) {
		size_t klen;
		char *k = page_key(req, cls, t, &klen);
		const struct page_entry *e =
			page_cache_put_plain(pc, &t->stamp, k, klen, res->content_type, res->headers,
					     res->nheaders, buf_str(&res->body), res->body.len);
		page_cache_set_route(e, sr->route);
	}
	struct buf out;
	buf_init(&out, 0);
	fill(req, buf_str(&res->body), res->body.len, &out);
	buf_reset(&res->body);
	buf_add(&res->body, buf_str(&out), out.len);
	buf_release(&out);
}
