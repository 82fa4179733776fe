/*
 * story_pages.c - the HTML side of stories: home, writer profile, story
 * page, the editor (new, edit, preview, publish, unpublish, delete) and
 * the writer's own list. Every page that shows a story asks audience/.
 */
#include "accounts/accounts.h"
#include "accounts/follows.h"
#include "audience/audience.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "media/media.h"
#include "render/render.h"
#include "feeds/feeds.h"
#include "porting/book.h"
#include "responses/responses_web.h"
#include "store/store_fed.h"
#include "web/slot_page.h"
#include "web/web.h"
#include "stories/stories_web.h"
#include "stories/markdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 10

/* Parse "?before=AT-ID" into a query; false if malformed. */
static bool parse_cursor(struct http_req *req, struct story_query *q)
{
	return web_cursor_parse(http_req_query(req, "before"), &q->before_at, &q->before_id);
}

static json_t *story_list_json(struct http_req *req, const struct story_list *l,
			       const char *base_path, json_t *ctx)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, story_view(req, &l->items[i], false));
	if (l->more && l->n) {
		const struct story_row *last = &l->items[l->n - 1];
		int64_t at = last->published_at ? last->published_at : last->created_at;
		size_t bl = strlen(base_path);
		const char *sep = bl && base_path[bl - 1] == '&' ? "" : "?";
		json_object_set_new(ctx, "next_url",
				    json_string(arena_printf(&req->arena, "%s%sbefore=%lld-%s",
							     base_path, sep, (long long)at, last->id)));
	}
	return arr;
}

void page_home(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	struct story_query q = {.viewer_id = v->signed_in ? v->user.id : NULL,
				.published_only = true, .public_only = true, .limit = PAGE_SIZE};
	if (!parse_cursor(req, &q)) {
		web_error(req, res, 400, "That page link is malformed.");
		return;
	}
	/* A signed-in reader who follows writers gets their stories first
	 * (what she may see, circle stories included); ?latest=1 shows the
	 * site's latest public stories instead. */
	const char *latest = http_req_query(req, "latest");
	bool timeline = false;
	if (v->signed_in && !latest) {
		struct member_row *rows;
		size_t n = 0;
		if (store_following(web_store(req), &req->arena, v->user.id, &rows, &n) == STORE_OK && n) {
			timeline = true;
			q.public_only = false;
			q.followed_by = v->user.id;
		}
	}
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_error(req, res, 500, "Could not read stories.");
		return;
	}
	json_t *ctx = web_page_context(req, NULL);
	json_object_set_new(ctx, "stories", story_list_json(req, &l, latest ? "/?latest=1&" : "/", ctx));
	json_object_set_new(ctx, "timeline", json_boolean(timeline));
	json_object_set_new(ctx, "has_stories", json_boolean(l.n > 0));
	json_object_set_new(ctx, "is_first_page", json_boolean(q.before_at == 0));
	/* Circle invitations waiting for her answer (circles.h). */
	struct circle_row *inv;
	size_t ninv = 0;
	if (v->signed_in &&
	    store_circle_invitations_for(web_store(req), &req->arena, v->user.id, &inv, &ninv) == STORE_OK &&
	    ninv)
		json_object_set_new(ctx, "invitations_waiting",
				    json_string(ninv == 1 ? "You have an invitation into a circle." :
						arena_printf(&req->arena,
							     "You have %zu invitations into circles.", ninv)));
	web_page_render(req, res, 200, "home", ctx);
}

void page_profile(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	/* A suspended writer's profile is gone while she is. */
	if (!h || store_user_by_handle(web_store(req), &req->arena, h, &u) || u.suspended_at) {
		web_error(req, res, 404, "There is no writer by that name here.");
		return;
	}
	if (strcmp(h, http_req_param(req, "handle")) != 0) {
		http_res_redirect(req, res, 301, arena_printf(&req->arena, "/@%s", h));
		return;
	}
	const struct viewer *v = web_viewer(req);
	struct story_query q = {.viewer_id = v->signed_in ? v->user.id : NULL,
				.author_id = u.id, .published_only = true, .limit = PAGE_SIZE};
	if (!parse_cursor(req, &q)) {
		web_error(req, res, 400, "That page link is malformed.");
		return;
	}
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_error(req, res, 500, "Could not read stories.");
		return;
	}
	json_t *ctx = web_page_context(req, u.name);
	json_t *w = json_pack("{s:s,s:s,s:s,s:s}", "handle", u.handle, "name", u.name, "bio", u.bio,
			      "since", web_fmt_date(&req->arena, u.created_at));
	json_t *extras = profile_extras(req, &u);
	json_object_update(w, extras);
	json_decref(extras);
	json_object_set_new(ctx, "writer", w);
	json_object_set_new(ctx, "feed_alt", json_string(arena_printf(&req->arena, "/@%s/feed.atom", u.handle)));
	json_object_set_new(ctx, "feed_alt_title", json_string(u.name));
	follow_profile_context(req, &u, ctx);
	if (web_cfg->mail)
		json_object_set_new(ctx, "mail_subscribe", json_pack("{s:s,s:s}", "handle", u.handle,
								     "name", u.name));
	json_object_set_new(ctx, "stories",
			    story_list_json(req, &l, arena_printf(&req->arena, "/@%s", u.handle), ctx));
	json_object_set_new(ctx, "has_stories", json_boolean(l.n > 0));
	json_object_set_new(ctx, "is_self", json_boolean(v->signed_in && strcmp(v->user.id, u.id) == 0));
	web_page_render(req, res, 200, "profile", ctx);
}

static void not_found_story(struct http_req *req, struct http_res *res)
{
	web_error(req, res, 404, "This story does not exist, or it is not shared with you.");
}

/* The end of a story page: a card for its writer (name, bio, profile)
 * and a few of her other stories that this viewer may read, from the
 * one listing query with its audience rule (never a query of its own). */
#define MORE_FROM 3
static void story_author_context(struct http_req *req, const struct story_row *s, json_t *ctx)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	struct user_row u;
	if (store_user_by_id(st, &req->arena, s->author_id, &u))
		return;
	json_t *card = json_pack("{s:s,s:s,s:s}", "name", u.name, "handle", u.handle, "url",
				 arena_printf(&req->arena, "/@%s", u.handle));
	if (u.bio && u.bio[0])
		json_object_set_new(card, "bio", json_string(u.bio));
	json_t *extras = profile_extras(req, &u);
	json_object_update(card, extras);
	json_decref(extras);
	struct story_query q = {.viewer_id = v->signed_in ? v->user.id : NULL,
				.author_id = s->author_id, .published_only = true,
				.limit = MORE_FROM + 1};
	struct story_list l;
	json_t *more = json_array();
	if (store_story_list(st, &req->arena, &q, &l) == STORE_OK)
		for (size_t i = 0; i < l.n && json_array_size(more) < MORE_FROM; i++)
			if (strcmp(l.items[i].id, s->id) != 0)
				json_array_append_new(more, story_view(req, &l.items[i], false));
	json_object_set_new(card, "has_more", json_boolean(json_array_size(more) > 0));
	json_object_set_new(card, "more", more);
	if (web_cfg->mail)
		json_object_set_new(card, "mail_subscribe",
				    json_pack("{s:s,s:s}", "handle", s->author_handle, "name",
					      s->author_name));
	json_object_set_new(ctx, "author_card", card);
}

/* A signed-in reader's class for a writer's story pages: readers with no
 * tie to her (audience_reader_is_stranger) share one rendering, admins
 * (whose header differs) another; anyone else gets her own. */
static const char *reader_class(struct http_req *req, const char *writer_id)
{
	const struct viewer *v = web_viewer(req);
	if (!audience_reader_is_stranger(web_store(req), v->user.id, writer_id))
		return NULL;
	return v->user.is_admin ? "admin" : "reader";
}

static void render_story(struct http_req *req, struct http_res *res, const struct story_row *s)
{
	/* The same page for every stranger: a published public or unlisted
	 * story (a circle story is for its members, each her own). */
	if (web_viewer(req)->signed_in && s->status == STATUS_PUBLISHED && !s->author_suspended &&
	    (s->audience == AUDIENCE_PUBLIC || s->audience == AUDIENCE_UNLISTED))
		slot_page_offer(req, s->author_id, reader_class);
	json_t *ctx = web_page_context(req, s->title);
	json_t *sv = story_view(req, s, true);
	json_t *parts = render_story_parts(req, s, NULL, RENDER_PAGE, http_req_query(req, "show"));
	if (render_parts_gated(parts))
		json_object_set_new(ctx, "photos_js_url", json_string(web_static_url("photos.js")));
	json_object_set_new(sv, "body_parts", parts);
	json_object_set_new(ctx, "story", sv);
	if (audience_is_listed(s)) {
		/* An imported story points where it was first published. */
		json_object_set_new(ctx, "canonical",
				    json_string(s->canonical_url && s->canonical_url[0] ?
							s->canonical_url :
							web_url(req, story_path(&req->arena, s))));
		json_object_set_new(ctx, "description",
				    json_string(s->subtitle[0] ? s->subtitle : s->excerpt));
		json_object_set_new(ctx, "cacheable", json_true());
	} else {
		/* Not for search engines, shared caches or link previews. */
		json_object_set_new(ctx, "noindex", json_true());
		json_object_set_new(ctx, "cache_private", json_true());
	}
	story_author_context(req, s, ctx);
	if (book_story_offered(web_store(req), s))
		json_object_set_new(ctx, "book_url", json_string(arena_printf(&req->arena, "%s/book.epub",
									      story_path(&req->arena, s))));
	responses_page_context(req, s, ctx);
	/* Link previews are read by crawlers, which are never signed in. */
	if (!web_viewer(req)->signed_in)
		feeds_share_preview(req, s, ctx);
	if (audience_is_listed(s)) {
		json_object_set_new(ctx, "feed_alt", json_string(arena_printf(&req->arena, "/@%s/feed.atom",
										   s->author_handle)));
		json_object_set_new(ctx, "feed_alt_title", json_string(s->author_name));
	}
	web_page_render(req, res, 200, "story", ctx);
}

void page_story(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	const char *vid = v->signed_in ? v->user.id : NULL;
	struct user_row u;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	if (!h || store_user_by_handle(st, &req->arena, h, &u)) {
		not_found_story(req, res);
		return;
	}
	const char *slug = http_req_param(req, "slug");
	struct story_row s;
	enum store_err e = store_story_by_slug(st, &req->arena, u.id, slug, &s);
	if (e == STORE_NOT_FOUND) {
		char id[17];
		if (store_story_old_slug(st, u.id, slug, id) == STORE_OK &&
		    store_story_get(st, &req->arena, id, &s) == STORE_OK &&
		    audience_may_see_story(st, vid, &s)) {
			http_res_redirect(req, res, 301, story_path(&req->arena, &s));
			return;
		}
		not_found_story(req, res);
		return;
	}
	if (e) {
		web_error(req, res, 500, "Could not read the story.");
		return;
	}
	if (!audience_may_see_story(st, vid, &s)) {
		not_found_story(req, res);
		return;
	}
	if (strcmp(h, http_req_param(req, "handle")) != 0) {
		http_res_redirect(req, res, 301, story_path(&req->arena, &s));
		return;
	}
	render_story(req, res, &s);
}

void page_unlisted(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	const char *key = http_req_param(req, "key");
	struct story_row s;
	if (!id_valid(key) || store_story_by_share_key(st, &req->arena, key, &s) ||
	    !audience_may_see_story_key(st, v->signed_in ? v->user.id : NULL, &s, key)) {
		not_found_story(req, res);
		return;
	}
	/* A story that is no longer unlisted lives at its ordinary address;
	 * the old link only leads there for those who may see it. */
	if (s.audience != AUDIENCE_UNLISTED) {
		http_res_redirect(req, res, 302, story_path(&req->arena, &s));
		return;
	}
	render_story(req, res, &s);
}

/* ---- editor ---- */

static bool require_writer(struct http_req *req, struct http_res *res)
{
	if (web_viewer(req)->signed_in)
		return true;
	http_res_redirect(req, res, 303,
			  arena_printf(&req->arena, "/login?return_to=%s", req->path));
	return false;
}

/* The editor's "Email it to subscribers" box into in->email (only when
 * the editor showed it: an unchecked box sends nothing). */
void story_form_email(struct http_req *req, struct story_input *in)
{
	if (http_req_form(req, "email_shown"))
		in->email = http_req_form(req, "email") ? 1 : -1;
}

/* The editor's comma-separated "tags" field into in (absent: unchanged). */
void story_form_tags(struct http_req *req, struct story_input *in)
{
	const char *t = http_req_form(req, "tags");
	if (!t)
		return;
	size_t cap = 16, n = 0;
	const char **list = arena_alloc(&req->arena, cap * sizeof(*list));
	const char *p = t;
	while (*p && n < cap) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *piece = arena_strndup(&req->arena, p, len);
		size_t b = 0, l = len;
		while (l && (piece[b] == ' ' || piece[b] == '\t')) {
			b++;
			l--;
		}
		while (l && (piece[b + l - 1] == ' ' || piece[b + l - 1] == '\t'))
			l--;
		if (l)
			list[n++] = arena_strndup(&req->arena, piece + b, l);
		p += len + (e ? 1 : 0);
	}
	if (*p)
		n = cap; /* more than anyone may have: let validation refuse it */
	in->tags = list;
	in->ntags = n;
}

/* The audience choices for the editor, with the current one selected. */
static void editor_audience(struct http_req *req, json_t *ed, const char *audience,
			    const char *circle_id, const char *note)
{
	if (!audience || !audience_valid(audience))
		audience = "public";
	static const char *const kinds[][2] = {
		{"public", "Public: anyone, listed on the site and in feeds"},
		{"unlisted", "Unlisted: anyone with the link, listed nowhere"},
		{"circle", "Circle: only the readers you invited"},
		{"private", "Private: only you"},
	};
	json_t *opts = json_array();
	for (size_t i = 0; i < 4; i++)
		json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", kinds[i][0], "label",
						      kinds[i][1], "selected",
						      strcmp(kinds[i][0], audience) == 0));
	json_object_set_new(ed, "audiences", opts);
	struct circle_row *cs;
	size_t n = 0;
	json_t *circles = json_array();
	if (store_circle_list(web_store(req), &req->arena, web_viewer(req)->user.id, &cs, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(circles, json_pack("{s:s,s:s,s:b}", "id", cs[i].id, "name",
								 cs[i].name, "selected",
								 circle_id && !strcmp(circle_id, cs[i].id)));
	json_object_set_new(ed, "has_circles", json_boolean(n > 0));
	json_object_set_new(ed, "circles", circles);
	json_object_set_new(ed, "content_note", json_string(note ? note : ""));
	json_object_set_new(ed, "note_max", json_integer(NOTE_MAX_CHARS));
}

static void render_editor(struct http_req *req, struct http_res *res, int status,
			  const struct story_row *s, const char *title, const char *subtitle,
			  const char *body, const char *error, const char *notice, bool preview)
{
	json_t *ctx = web_page_context(req, s ? "Edit story" : "New story");
	json_t *ed = json_object();
	json_object_set_new(ed, "heading",
			    json_string(s ? arena_printf(&req->arena, "Edit “%s”", s->title) :
					"Write a new story"));
	/* A published story with held edits: the editor shows the draft. */
	struct story_draft_row draft;
	bool has_draft = false;
	struct story_row shown;
	if (s && story_draft_get(web_store(req), &req->arena, s, &draft, &has_draft))
		has_draft = false;
	const struct story_row *live = s;
	if (has_draft) {
		shown = story_draft_view(s, &draft);
		s = &shown;
	}
	const char *aud = http_req_form(req, "audience");
	const char *cid = http_req_form(req, "circle_id");
	const char *note = http_req_form(req, "content_note");
	editor_audience(req, ed, aud ? aud : s ? story_audience_name(s->audience) : NULL,
			cid ? cid : s ? s->circle_id : NULL, note ? note : s ? s->content_note : NULL);
	const char *tf = http_req_form(req, "tags");
	if (!tf && s) {
		json_t *tags = story_tags_json(req, s);
		struct buf tb;
		buf_init(&tb, 4096);
		size_t nt = has_draft ? draft.ntags : json_array_size(tags);
		for (size_t i = 0; i < nt; i++) {
			if (i)
				buf_adds(&tb, ", ");
			buf_adds(&tb, has_draft ? draft.tags[i] :
				  json_string_value(json_array_get(tags, i)));
		}
		tf = arena_strdup(&req->arena, buf_str(&tb));
		buf_release(&tb);
		json_decref(tags);
	}
	json_object_set_new(ed, "tags", json_string(tf ? tf : ""));
	const char *rp = http_req_form(req, "responses");
	const char *rd = http_req_form(req, "responders");
	if (!rp || !rd) {
		const char *dr = "open", *dd = "signed_in";
		if (s) {
			dr = s->responses;
			dd = s->responders;
		} else if (store_response_defaults(web_store(req), &req->arena,
						   web_viewer(req)->user.id, &dr, &dd)) {
			dr = "open";
			dd = "signed_in";
		}
		rp = rp ? rp : dr;
		rd = rd ? rd : dd;
	}
	json_object_set_new(ed, "resp_open", json_boolean(!strcmp(rp, "open")));
	json_object_set_new(ed, "resp_approval", json_boolean(!strcmp(rp, "approval")));
	json_object_set_new(ed, "resp_off", json_boolean(!strcmp(rp, "off")));
	json_object_set_new(ed, "resp_circle", json_boolean(!strcmp(rd, "circle")));
	json_object_set_new(ed, "title", json_string(title ? title : ""));
	json_object_set_new(ed, "subtitle", json_string(subtitle ? subtitle : ""));
	json_object_set_new(ed, "body", json_string(body ? body : ""));
	json_object_set_new(ed, "action",
			    json_string(s ? arena_printf(&req->arena, "/edit/%s", s->id) : "/write"));
	json_object_set_new(ed, "title_max", json_integer(TITLE_MAX_CHARS));
	json_object_set_new(ed, "subtitle_max", json_integer(SUBTITLE_MAX_CHARS));
	desk_editor_context(req, ed, live);
	if (web_cfg->mail && (!s || s->status != STATUS_PUBLISHED)) {
		const char *choice = http_req_form(req, "email_shown") ? http_req_form(req, "email") :
			"1";
		json_object_set_new(ed, "mail_offer", json_true());
		json_object_set_new(ed, "mail_checked", json_boolean(choice != NULL));
	}
	if (s) {
		json_object_set_new(ed, "story", story_view(req, live, false));
		json_object_set_new(ed, "photos", media_editor_photos(req, s->id));
		json_object_set_new(ed, "photo_upload_url",
				    json_string(arena_printf(&req->arena, "/edit/%s/photos", s->id)));
		json_object_set_new(ed, "photo_api_url",
				    json_string(arena_printf(&req->arena, "/api/v1/stories/%s/photos", s->id)));
		json_object_set_new(ctx, "photos_js_url", json_string(web_static_url("photos.js")));
		json_object_set_new(ed, "is_published", json_boolean(s->status == STATUS_PUBLISHED));
		json_object_set_new(ed, "has_draft", json_boolean(has_draft));
		json_object_set_new(ed, "preview_url",
				    json_string(arena_printf(&req->arena, "/edit/%s/preview", s->id)));
		if (has_draft && !notice && !json_object_get(ctx, "flash"))
			notice = "Changes saved, not yet published: readers still see the "
				 "published version until you press Update.";
	}
	if (preview && body) {
		struct buf html;
		buf_init(&html, 8 * MD_MAX_BYTES);
		if (md_render(body, strlen(body), &html) == MD_OK) {
			/* The story page's own parts: a sensitive photo is gated in
			 * the preview as readers will see it. */
			struct story_row blank = {.audience = AUDIENCE_PRIVATE, .status = STATUS_DRAFT};
			if (!s)
				memcpy(blank.author_id, web_viewer(req)->user.id, sizeof(blank.author_id));
			json_t *parts = render_story_parts(req, s ? s : &blank, buf_str(&html),
							   RENDER_PREVIEW, NULL);
			json_object_set_new(ed, "preview_parts", parts);
			json_object_set_new(ed, "has_preview", json_true());
			json_object_set_new(ed, "preview_title", json_string(title ? title : ""));
			json_object_set_new(ed, "preview_subtitle", json_string(subtitle ? subtitle : ""));
		}
		buf_release(&html);
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	json_object_set_new(ctx, "editor", ed);
	/* Focus mode: the title and the words, nothing else on screen. */
	const char *focus = http_req_query(req, "focus");
	if (focus && strcmp(focus, "1") == 0)
		json_object_set_new(ctx, "focus", json_true());
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, status, "editor", ctx);
}

void page_write(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	render_editor(req, res, 200, NULL, NULL, NULL, NULL, NULL, NULL, false);
}

void page_write_post(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	const char *title = http_req_form(req, "title");
	const char *subtitle = http_req_form(req, "subtitle");
	const char *body = http_req_form(req, "body");
	const char *action = http_req_form(req, "action");
	if (!web_csrf_ok(req)) {
		render_editor(req, res, 403, NULL, title, subtitle, body,
			      "This form expired. Your text is still here; please save again.", NULL, false);
		return;
	}
	if (action && strcmp(action, "preview") == 0) {
		render_editor(req, res, 200, NULL, title, subtitle, body, NULL, NULL, true);
		return;
	}
	struct story_input in = {title ? title : "", subtitle, body,
				 action && strcmp(action, "publish") == 0 ? "published" : "draft",
				 http_req_form(req, "audience"), http_req_form(req, "circle_id"),
				 http_req_form(req, "content_note"), http_req_form(req, "responses"),
				 http_req_form(req, "responders"), NULL, 0, 0, NULL};
	story_form_tags(req, &in);
	story_form_email(req, &in);
	struct story_row s;
	enum story_err e = story_create(web_store(req), &req->arena, &web_viewer(req)->user, &in, &s);
	if (e) {
		render_editor(req, res, story_err_status(e), NULL, title, subtitle, body,
			      story_strerror(e), NULL, false);
		return;
	}
	web_flash(req, res, s.status == STATUS_PUBLISHED ? WEB_FLASH_PUBLISHED : WEB_FLASH_SAVED, NULL);
	if (s.status == STATUS_PUBLISHED)
		http_res_redirect(req, res, 303, story_path(&req->arena, &s));
	else
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/edit/%s", s.id));
}

/* Load the story named by {id} for editing by the viewer, or answer. */
static bool load_own_story(struct http_req *req, struct http_res *res, struct story_row *s)
{
	const char *id = http_req_param(req, "id");
	const struct viewer *v = web_viewer(req);
	if (!id_valid(id) || store_story_get(web_store(req), &req->arena, id, s) ||
	    !audience_may_see_story(web_store(req), v->user.id, s) || !audience_may_edit_story(v->user.id, s)) {
		not_found_story(req, res);
		return false;
	}
	return true;
}

void page_edit(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct story_row s;
	if (!load_own_story(req, res, &s))
		return;
	struct story_draft_row d;
	bool has = false;
	if (story_draft_get(web_store(req), &req->arena, &s, &d, &has)) {
		web_error(req, res, 500, "Could not read the story.");
		return;
	}
	render_editor(req, res, 200, &s, has ? d.title : s.title, has ? d.subtitle : s.subtitle,
		      has ? d.body : s.body, NULL, NULL, false);
}

static void render_delete_confirm(struct http_req *req, struct http_res *res,
				  const struct story_row *s)
{
	json_t *ctx = web_page_context(req, "Delete story");
	json_object_set_new(ctx, "story", story_view(req, s, false));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "delete", ctx);
}

void page_edit_post(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct story_row s;
	if (!load_own_story(req, res, &s))
		return;
	const char *title = http_req_form(req, "title");
	const char *subtitle = http_req_form(req, "subtitle");
	const char *body = http_req_form(req, "body");
	const char *action = http_req_form(req, "action");
	if (!action)
		action = "save";
	if (!web_csrf_ok(req)) {
		render_editor(req, res, 403, &s, title ? title : s.title, subtitle, body,
			      "This form expired. Your text is still here; please save again.", NULL, false);
		return;
	}
	if (strcmp(action, "preview") == 0) {
		render_editor(req, res, 200, &s, title, subtitle, body, NULL, NULL, true);
		return;
	}
	if (strcmp(action, "delete") == 0) {
		render_delete_confirm(req, res, &s);
		return;
	}
	if (strcmp(action, "delete_confirmed") == 0) {
		if (story_trash(web_store(req), &req->arena, &s)) {
			web_error(req, res, 500, "Could not delete the story.");
			return;
		}
		desk_scheduler_poke(); /* the trash changed */
		web_flash(req, res, WEB_FLASH_DELETED, NULL);
		http_res_redirect(req, res, 303, "/me/stories");
		return;
	}
	struct story_input in = {title, subtitle, body, NULL, http_req_form(req, "audience"),
				 http_req_form(req, "circle_id"), http_req_form(req, "content_note"),
				 http_req_form(req, "responses"), http_req_form(req, "responders"), NULL, 0, 0, NULL};
	story_form_tags(req, &in);
	story_form_email(req, &in);
	if (strcmp(action, "discard") == 0) {
		if (!web_confirmed(req)) {
			const char *fields[] = {"action", "discard"};
			web_confirm_render(req, res, "Discard your changes?",
					   "Everything saved since this story was last published goes; "
					   "readers keep the published version, and the editor shows it "
					   "again. The discarded text stays in the story's history.",
					   arena_printf(&req->arena, "/edit/%s", s.id), fields, 1,
					   "Discard the changes",
					   arena_printf(&req->arena, "/edit/%s", s.id));
			return;
		}
		if (story_draft_discard(web_store(req), &req->arena, &s, NULL)) {
			web_error(req, res, 500, "Could not discard the changes.");
			return;
		}
		web_flash(req, res, WEB_FLASH_DISCARDED, NULL);
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/edit/%s", s.id));
		return;
	}
	if (strcmp(action, "publish") == 0)
		in.status = "published";
	else if (strcmp(action, "unpublish") == 0)
		in.status = "draft";
	else if (strcmp(action, "save") != 0 && strcmp(action, "schedule") != 0 &&
		 strcmp(action, "unschedule") != 0) {
		render_editor(req, res, 400, &s, title, subtitle, body, "Unknown action.", NULL, false);
		return;
	}
	struct desk_save ds = {0};
	const char *derr = desk_form_input(req, action, &ds);
	if (derr) {
		render_editor(req, res, 422, &s, title, subtitle, body, derr, NULL, false);
		return;
	}
	/* Save and Schedule of a published story are held in its draft; Update
	 * and Unpublish send every field, which then replaces the draft. */
	bool live = s.status == STATUS_PUBLISHED;
	ds.held = true;
	ds.drop_draft = in.status != NULL;
	enum story_err e = story_save(web_store(req), &req->arena, &s, &in, &ds, NULL);
	if (e) {
		render_editor(req, res, story_err_status(e), &s, title, subtitle, body,
			      e == STORY_CONFLICT ?
				      arena_printf(&req->arena, "%s Save again to make the text below "
						   "the current version.", story_strerror(e)) :
				      story_strerror(e),
			      NULL, false);
		return;
	}
	enum web_flash f = WEB_FLASH_SAVED;
	if (strcmp(action, "publish") == 0)
		f = live ? WEB_FLASH_UPDATED : WEB_FLASH_PUBLISHED;
	else if (strcmp(action, "unpublish") == 0)
		f = live ? WEB_FLASH_UNPUBLISHED : WEB_FLASH_SAVED;
	else if (strcmp(action, "schedule") == 0)
		f = WEB_FLASH_SCHEDULED;
	else if (strcmp(action, "unschedule") == 0)
		f = WEB_FLASH_UNSCHEDULED;
	else if (live && !in.status)
		f = WEB_FLASH_HELD;
	web_flash(req, res, f, NULL);
	if (strcmp(action, "publish") == 0)
		http_res_redirect(req, res, 303, story_path(&req->arena, &s));
	else
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/edit/%s", s.id));
}

/* The pending draft (or the story) exactly as readers will get it, for
 * its writer only: the story page with the draft's text. */
void page_draft_preview(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct story_row s;
	if (!load_own_story(req, res, &s))
		return;
	struct story_draft_row d;
	bool has = false;
	if (story_draft_get(web_store(req), &req->arena, &s, &d, &has)) {
		web_error(req, res, 500, "Could not read the story.");
		return;
	}
	struct story_row v = has ? story_draft_view(&s, &d) : s;
	struct buf html;
	buf_init(&html, MD_HTML_MAX);
	if (md_render(v.body, strlen(v.body), &html) != MD_OK) {
		buf_release(&html);
		web_error(req, res, 422, "This text cannot be previewed.");
		return;
	}
	json_t *ctx = web_page_context(req, v.title);
	json_t *sv = story_view(req, &v, true);
	json_t *parts = render_story_parts(req, &v, buf_str(&html), RENDER_PREVIEW,
					   http_req_query(req, "show"));
	buf_release(&html);
	if (render_parts_gated(parts))
		json_object_set_new(ctx, "photos_js_url", json_string(web_static_url("photos.js")));
	json_object_set_new(sv, "body_parts", parts);
	json_object_set_new(ctx, "story", sv);
	json_object_set_new(ctx, "preview_banner",
			    json_string(has ? "Preview of your changes: not published yet. Readers "
					      "still see the published version." :
					      s.status == STATUS_PUBLISHED ?
					      "Preview: this is the published version." :
					      "Preview: this draft is not published."));
	json_object_set_new(ctx, "back_url", json_string(arena_printf(&req->arena, "/edit/%s", s.id)));
	json_object_set_new(ctx, "noindex", json_true());
	json_object_set_new(ctx, "cache_private", json_true());
	web_page_render(req, res, 200, "story", ctx);
}

void page_my_stories(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	const struct viewer *v = web_viewer(req);
	struct story_query q = {.viewer_id = v->user.id, .author_id = v->user.id, .limit = 100};
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_error(req, res, 500, "Could not read your stories.");
		return;
	}
	json_t *drafts = json_array(), *published = json_array();
	for (size_t i = 0; i < l.n; i++) {
		bool draft = l.items[i].status == STATUS_DRAFT;
		json_t *o = story_view(req, &l.items[i], false);
		const char *when = draft ? desk_schedule_label(req, l.items[i].id) : NULL;
		if (when)
			json_object_set_new(o, "scheduled_label", json_string(when));
		int64_t likes = 0, boosts = 0;
		if (!draft && store_fed_reaction_counts(web_store(req), l.items[i].id, &likes, &boosts) == STORE_OK &&
		    (likes || boosts)) {
			json_object_set_new(o, "fed_likes", json_integer(likes));
			json_object_set_new(o, "fed_boosts", json_integer(boosts));
			json_object_set_new(o, "fed_reacted", json_true());
		}
		json_array_append_new(draft ? drafts : published, o);
	}
	json_t *ctx = web_page_context(req, "Your stories");
	json_object_set_new(ctx, "has_drafts", json_boolean(json_array_size(drafts) > 0));
	json_object_set_new(ctx, "has_published", json_boolean(json_array_size(published) > 0));
	json_object_set_new(ctx, "drafts", drafts);
	json_object_set_new(ctx, "published", published);
	json_object_set_new(ctx, "trash_days", json_integer(desk_trash_window() / 86400));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "mine", ctx);
}
