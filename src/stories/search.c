/*
 * search.c - full-text search over titles, subtitles, bodies and tags:
 * the page and the API. Results pass the audience rule in SQL (the
 * store's search query uses AUDIENCE_SQL), so nobody finds a story they
 * may not read.
 */
#include "stories/stories_web.h"
#include "core/buf.h"
#include "core/text.h"
#include "web/web.h"

#include <string.h>

#define SEARCH_MAX_CHARS 200

/* What the reader typed, if it is worth asking the store: valid UTF-8 of
 * at most SEARCH_MAX_CHARS characters. The store reads it (store.h:
 * words and "quoted phrases"); its query syntax is the backend's. */
static bool query_ok(const char *q)
{
	if (!q)
		return false;
	size_t n = strlen(q);
	return n > 0 && utf8_valid(q, n) && utf8_count(q, n) <= SEARCH_MAX_CHARS;
}

/* Escape a snippet and turn its match markers (STORE_MARK_OPEN ..
 * STORE_MARK_CLOSE, store.h) into <mark>. */
static const char *snippet_html(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	for (const char *p = s; *p; p++) {
		if (*p == STORE_MARK_OPEN)
			buf_adds(&b, "<mark>");
		else if (*p == STORE_MARK_CLOSE)
			buf_adds(&b, "</mark>");
		else
			buf_add_html(&b, p, 1);
	}
	const char *r = arena_strndup(a, buf_str(&b), b.len);
	buf_release(&b);
	return r;
}

static bool run(struct http_req *req, const char *q, struct story_list *l, const char ***snips)
{
	l->n = 0;
	if (!query_ok(q))
		return true;
	const struct viewer *v = web_viewer(req);
	return store_search(web_store(req), &req->arena, v->signed_in ? v->user.id : NULL, q, 30,
			    l, snips) == STORE_OK;
}

void page_search(struct http_req *req, struct http_res *res)
{
	const char *q = http_req_query(req, "q");
	struct story_list l;
	const char **snips = NULL;
	if (!run(req, q, &l, &snips)) {
		web_error(req, res, 500, "Search is not available right now.");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < l.n; i++) {
		json_t *o = story_view(req, &l.items[i], false);
		json_object_set_new(o, "snippet_html", json_string(snippet_html(&req->arena, snips[i])));
		json_array_append_new(items, o);
	}
	json_t *ctx = web_page_context(req, q && *q ? "Search" : "Search stories");
	json_object_set_new(ctx, "q", json_string(q && utf8_valid(q, strlen(q)) ? q : ""));
	json_object_set_new(ctx, "searched", json_boolean(q && *q));
	json_object_set_new(ctx, "results", items);
	json_object_set_new(ctx, "has_results", json_boolean(l.n > 0));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "search", ctx);
}

void api_search(struct http_req *req, struct http_res *res)
{
	const char *q = http_req_query(req, "q");
	if (!q || !*q) {
		web_json_error(req, res, 400, "bad_request", "Send the words to look for as ?q=.");
		return;
	}
	struct story_list l;
	const char **snips = NULL;
	if (!run(req, q, &l, &snips)) {
		web_json_error(req, res, 500, "internal", "Search is not available right now.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < l.n; i++) {
		json_t *o = story_json(req, &l.items[i]);
		json_object_set_new(o, "snippet", json_string(snippet_html(&req->arena, snips[i])));
		json_array_append_new(arr, o);
	}
	web_json_reply(req, res, 200, json_pack("{s:o}", "stories", arr));
}
