/*
 * feeds.c - Atom feeds, tag pages, sitemap, robots.txt and share previews.
 * Feeds answer conditional GETs (ETag / Last-Modified) with 304.
 */
#include "feeds/feeds.h"
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "core/text.h"
#include "render/render.h"
#include "store/store_mail.h"
#include "web/page_cache.h"
#include "web/web.h"
#include "stories/stories_web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0.0.0"
#endif

static const char *host_of(struct arena *a)
{
	const char *b = web_cfg->base_url;
	const char *p = strstr(b, "://");
	p = p ? p + 3 : b;
	size_t n = strcspn(p, "/:");
	return arena_strndup(a, p, n);
}

static const char *http_date(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char out[64];
	strftime(out, sizeof(out), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return arena_strdup(a, out);
}

/* Answer 304 when the client has this version; true if answered. */
static bool not_modified(struct http_req *req, struct http_res *res, const char *etag,
			 int64_t last_modified)
{
	http_res_header(req, res, "ETag", etag);
	if (last_modified)
		http_res_header(req, res, "Last-Modified", http_date(&req->arena, last_modified));
	const char *inm = http_req_header(req, "If-None-Match");
	bool fresh = false;
	if (inm)
		fresh = strstr(inm, etag) != NULL || strcmp(inm, "*") == 0;
	else {
		const char *ims = http_req_header(req, "If-Modified-Since");
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		if (ims && last_modified && strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm))
			fresh = (int64_t)timegm(&tm) >= last_modified;
	}
	if (fresh) {
		res->status = 304;
		buf_reset(&res->body);
	}
	return fresh;
}

/* reader NULL: a public feed, what an anonymous reader may see, the same
 * for everyone. Else reader's private feed: the circle stories she may
 * read, for her alone. */
static void render_feed(struct http_req *req, struct http_res *res, const char *title,
			const char *self_path, const char *alt_path, const struct story_query *q_in,
			const struct user_row *reader)
{
	struct story_query q = *q_in;
	q.viewer_id = reader ? reader->id : NULL;
	q.public_only = !reader;
	q.circle_only = reader != NULL;
	q.published_only = true;
	q.limit = FEED_ENTRIES;
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_error(req, res, 500, "Could not read stories.");
		return;
	}
	/* The same for everyone: kept with the pages, which then answer
	 * conditional requests for it. */
	bool cached = !reader && page_cache_allow(req);
	struct arena *a = &req->arena;
	const char *host = host_of(a);
	int64_t updated = 0;
	json_t *entries = json_array();
	for (size_t i = 0; i < l.n; i++) {
		const struct story_row *s = &l.items[i];
		int64_t u = s->edited_at > s->published_at ? s->edited_at : s->published_at;
		if (u > updated)
			updated = u;
		const char *url = web_url(req, story_path(a, s));
		json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "e_title", s->title,
				      "e_id", arena_printf(a, "tag:%s,2026:story:%s", host, s->id),
				      "e_url", url, "e_published", web_fmt_rfc3339(a, s->published_at),
				      "e_updated", web_fmt_rfc3339(a, u), "e_author", s->author_name,
				      "e_author_url", web_url(req, arena_printf(a, "/@%s", s->author_handle)),
				      "e_content_html", render_story_html(req, s, RENDER_FEED));
		if (s->subtitle[0])
			json_object_set_new(e, "e_summary", json_string(s->subtitle));
		json_t *tags = story_tags_json(req, s), *cats = json_array();
		for (size_t k = 0; k < json_array_size(tags); k++)
			json_array_append_new(cats, json_pack("{s:O}", "term", json_array_get(tags, k)));
		json_decref(tags);
		json_object_set_new(e, "categories", cats);
		json_array_append_new(entries, e);
	}
	json_t *ctx = json_object();
	json_object_set_new(ctx, "feed_title", json_string(title));
	json_object_set_new(ctx, "feed_id", json_string(web_url(req, self_path)));
	json_object_set_new(ctx, "self_url", json_string(web_url(req, self_path)));
	json_object_set_new(ctx, "alt_url", json_string(web_url(req, alt_path)));
	json_object_set_new(ctx, "base_url", json_string(web_cfg->base_url));
	json_object_set_new(ctx, "updated", json_string(web_fmt_rfc3339(a, updated ? updated : 0)));
	json_object_set_new(ctx, "entries", entries);
	json_object_set_new(ctx, "generator_version", json_string(QUIRE_VERSION));
	struct buf body;
	buf_init(&body, 64 << 20);
	bool ok = web_render(req, "feed", ctx, &body);
	json_decref(ctx);
	if (!ok) {
		buf_release(&body);
		web_error(req, res, 500, "Could not build the feed.");
		return;
	}
	/* Rows stored before text checks refused such characters (U+FFFF in
	 * a title) must not make the feed ill-formed XML. */
	if (body.data)
		body.len = text_xml_clean(body.data, body.len);
	char h[65];
	hash_token(buf_str(&body), body.len, h);
	h[20] = '\0';
	const char *etag = arena_printf(a, "\"%s\"", h);
	res->status = 200;
	res->content_type = "application/atom+xml; charset=utf-8";
	http_res_header(req, res, "Cache-Control", reader ? "private, max-age=300" : "public, max-age=300");
	if (reader)
		http_res_header(req, res, "X-Robots-Tag", "noindex");
	http_res_header(req, res, "X-Content-Type-Options", "nosniff");
	if (cached) {
		if (updated)
			http_res_header(req, res, "Last-Modified", http_date(a, updated));
		buf_add(&res->body, buf_str(&body), body.len);
	} else if (!not_modified(req, res, etag, updated)) {
		buf_add(&res->body, buf_str(&body), body.len);
	}
	buf_release(&body);
}

void feed_site(struct http_req *req, struct http_res *res)
{
	struct story_query q = {0};
	render_feed(req, res, web_site(req)->name, "/feed.atom", "/", &q, NULL);
}

void feed_writer(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	if (!h || store_user_by_handle(web_store(req), &req->arena, h, &u) || u.suspended_at) {
		web_error(req, res, 404, "There is no writer by that name here.");
		return;
	}
	struct story_query q = {.author_id = u.id};
	render_feed(req, res, arena_printf(&req->arena, "%s · %s", u.name, web_site(req)->name),
		    arena_printf(&req->arena, "/@%s/feed.atom", u.handle),
		    arena_printf(&req->arena, "/@%s", u.handle), &q, NULL);
}

void feed_private(struct http_req *req, struct http_res *res)
{
	const char *file = http_req_param(req, "file");
	size_t n = file ? strlen(file) : 0;
	struct user_row u;
	char hash[65];
	if (n != 37 || strcmp(file + 32, ".atom") != 0 || strspn(file, "0123456789abcdef") != 32) {
		web_error(req, res, 404, "There is no feed at this address.");
		return;
	}
	hash_token(file, 32, hash);
	enum store_err e = store_feed_token_user(web_store(req), &req->arena, hash, &u);
	if (e || u.suspended_at) {
		web_error(req, res, e && e != STORE_NOT_FOUND ? 503 : 404,
			  e && e != STORE_NOT_FOUND ? "Please try again." :
						      "There is no feed at this address (any more).");
		return;
	}
	struct story_query q = {0};
	web_req(req)->photo_reader = arena_strdup(&req->arena, u.id);
	render_feed(req, res,
		    arena_printf(&req->arena, "Circle stories for %s · %s", u.name, web_site(req)->name),
		    arena_printf(&req->arena, "/feed/%s", file), "/", &q, &u);
}

static const char *tag_param(struct http_req *req)
{
	const char *t = tag_normalise(&req->arena, http_req_param(req, "name"));
	return t && strcmp(t, http_req_param(req, "name")) == 0 ? t : NULL;
}

void feed_tag(struct http_req *req, struct http_res *res)
{
	const char *t = tag_param(req);
	if (!t) {
		web_error(req, res, 404, "No such tag.");
		return;
	}
	struct story_query q = {.tag = t};
	render_feed(req, res, arena_printf(&req->arena, "#%s · %s", t, web_site(req)->name),
		    arena_printf(&req->arena, "/tag/%s/feed.atom", t),
		    arena_printf(&req->arena, "/tag/%s", t), &q, NULL);
}

void page_tag(struct http_req *req, struct http_res *res)
{
	const char *t = tag_param(req);
	if (!t) {
		web_error(req, res, 404, "No such tag.");
		return;
	}
	struct story_query q = {.viewer_id = NULL, .public_only = true, .published_only = true,
				.tag = t, .limit = 20};
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_error(req, res, 500, "Could not read stories.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, story_view(req, &l.items[i], false));
	json_t *ctx = web_page_context(req, arena_printf(&req->arena, "#%s", t));
	json_object_set_new(ctx, "tag", json_string(t));
	json_object_set_new(ctx, "stories", arr);
	json_object_set_new(ctx, "has_stories", json_boolean(l.n > 0));
	json_object_set_new(ctx, "feed_url", json_string(arena_printf(&req->arena, "/tag/%s/feed.atom", t)));
	web_page_render(req, res, 200, "tag", ctx);
}

void page_sitemap(struct http_req *req, struct http_res *res)
{
	struct arena *a = &req->arena;
	struct buf *b = &res->body;
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	buf_adds(b, "<url><loc>");
	buf_add_html(b, web_cfg->base_url, strlen(web_cfg->base_url));
	buf_adds(b, "/</loc></url>\n");
	struct story_query q = {.public_only = true, .published_only = true, .limit = 100};
	size_t total = 0;
	for (;;) {
		struct story_list l;
		if (store_story_list(web_store(req), a, &q, &l)) {
			web_error(req, res, 500, "Could not read stories.");
			return;
		}
		for (size_t i = 0; i < l.n; i++) {
			const struct story_row *s = &l.items[i];
			const char *url = web_url(req, story_path(a, s));
			int64_t u = s->edited_at > s->published_at ? s->edited_at : s->published_at;
			buf_adds(b, "<url><loc>");
			buf_add_html(b, url, strlen(url));
			buf_addf(b, "</loc><lastmod>%s</lastmod></url>\n", web_fmt_rfc3339(a, u));
		}
		total += l.n;
		if (!l.more || !l.n || total >= SITEMAP_MAX)
			break;
		const struct story_row *last = &l.items[l.n - 1];
		q.before_at = last->published_at ? last->published_at : last->created_at;
		q.before_id = arena_strdup(a, last->id);
	}
	buf_adds(b, "</urlset>\n");
	if (b->data)
		b->len = text_xml_clean(b->data, b->len);
	res->content_type = "application/xml; charset=utf-8";
	http_res_header(req, res, "Cache-Control", "public, max-age=600");
}

void page_robots(struct http_req *req, struct http_res *res)
{
	res->content_type = "text/plain; charset=utf-8";
	http_res_header(req, res, "Cache-Control", "public, max-age=3600");
	buf_addf(&res->body,
		 "User-agent: *\n"
		 "Disallow: /u/\n"
		 "Disallow: /c/\n"
		 "Disallow: /api/\n"
		 "Disallow: /edit/\n"
		 "Disallow: /me/\n"
		 "Disallow: /search\n"
		 "Allow: /\n"
		 "\n"
		 "Sitemap: %s/sitemap.xml\n", web_cfg->base_url);
}

void feeds_share_preview(struct http_req *req, const struct story_row *s, json_t *ctx)
{
	if (!audience_is_listed(s))
		return;
	struct arena *a = &req->arena;
	json_t *og = json_pack("{s:s,s:s,s:s,s:s,s:s}", "og_title", s->title, "og_description",
			       s->subtitle[0] ? s->subtitle : s->excerpt, "og_url",
			       web_url(req, story_path(a, s)), "og_site", web_site(req)->name,
			       "og_published", web_fmt_rfc3339(a, s->published_at));
	const char *img = render_card_image(req, s);
	if (img) {
		json_object_set_new(og, "og_image", json_string(img));
		json_object_set_new(og, "og_card", json_string("summary_large_image"));
	} else {
		json_object_set_new(og, "og_card", json_string("summary"));
	}
	json_object_set_new(ctx, "og", og);
}
