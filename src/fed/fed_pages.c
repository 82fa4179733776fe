/*
 * fed_pages.c - the GET side of federation (fed_web.h): WebFinger,
 * NodeInfo, a writer's actor, outbox and collections, a story's
 * Article. Handlers are thin: find the writer or story, ask whether it
 * may leave the site, build the object (fed_objects.c).
 */
#include "fed/fed_web.h"

#include "accounts/accounts.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "fed/fed_int.h"
#include "store/store_fed.h"
#include "store/store_mail.h"
#include "stories/stories.h"
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0.0.0"
#endif

#define OUTBOX_PAGE 20

bool fed_wants_ap(struct http_req *req)
{
	return fed_accept_wants_ap(http_req_header(req, "Accept"));
}

/* The writer the route's {handle} names, not suspended; false when it
 * answered (404, or 301 to the handle as stored). */
static bool writer_of(struct http_req *req, struct http_res *res, struct user_row *u)
{
	const char *raw = http_req_param(req, "handle");
	const char *h = handle_normalise(&req->arena, raw);
	if (!h || store_user_by_handle(web_store(req), &req->arena, h, u) || u->suspended_at) {
		fed_error(req, res, 404, "There is no writer by that name here.");
		return false;
	}
	return true;
}

void fed_actor(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	if (!writer_of(req, res, &u))
		return;
	if (strcmp(u.handle, http_req_param(req, "handle")) != 0) {
		http_res_redirect(req, res, 301, fed_actor_url(req, u.handle));
		return;
	}
	json_t *p = fed_person(req, &u);
	if (!p) {
		fed_error(req, res, 500, "The writer's key could not be read.");
		return;
	}
	fed_reply(req, res, p);
}

static void article_reply(struct http_req *req, struct http_res *res, const struct story_row *s)
{
	if (!fed_story_is_public(req, s)) {
		fed_error(req, res, 404, "There is nothing at this address.");
		return;
	}
	fed_reply(req, res, fed_article_json(req, s, true));
}

void fed_story_object(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	struct user_row u;
	if (!writer_of(req, res, &u))
		return;
	const char *slug = http_req_param(req, "slug");
	struct story_row s;
	enum store_err e = store_story_by_slug(st, &req->arena, u.id, slug, &s);
	if (e == STORE_NOT_FOUND) {
		char id[17];
		if (store_story_old_slug(st, u.id, slug, id) == STORE_OK &&
		    store_story_get(st, &req->arena, id, &s) == STORE_OK && fed_story_is_public(req, &s)) {
			http_res_redirect(req, res, 301, web_url(req, story_path(&req->arena, &s)));
			return;
		}
	}
	if (e && e != STORE_NOT_FOUND) {
		fed_error(req, res, 500, "Could not read the story.");
		return;
	}
	if (e) {
		fed_error(req, res, 404, "There is nothing at this address.");
		return;
	}
	article_reply(req, res, &s);
}

void fed_article(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	const char *id = http_req_param(req, "id");
	enum store_err e = STORE_NOT_FOUND;
	if (id_valid(id))
		e = store_story_get(web_store(req), &req->arena, id, &s);
	if (e) {
		fed_error(req, res, e == STORE_NOT_FOUND ? 404 : 500,
			  e == STORE_NOT_FOUND ? "There is nothing at this address." :
			  "Could not read the story.");
		return;
	}
	article_reply(req, res, &s);
}

static json_t *collection(const char *id, int64_t total)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "@context", FED_AS_CONTEXT, "id", id, "type",
			      "OrderedCollection");
	if (total >= 0)
		json_object_set_new(o, "totalItems", json_integer(total));
	return o;
}

void fed_outbox(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	struct user_row u;
	if (!writer_of(req, res, &u))
		return;
	const char *id = fed_collection_url(req, u.handle, "outbox");
	const char *page = http_req_query(req, "page");
	if (!page) {
		int64_t n = 0;
		if (store_fed_counts(st, u.id, NULL, &n)) {
			fed_error(req, res, 500, "Could not count the stories.");
			return;
		}
		json_t *o = collection(id, n);
		json_object_set_new(o, "first", json_string(arena_printf(&req->arena, "%s?page=1", id)));
		fed_reply(req, res, o);
		return;
	}
	struct story_query q = {.viewer_id = NULL, .author_id = u.id, .published_only = true,
				.public_only = true, .limit = OUTBOX_PAGE};
	const char *cursor = http_req_query(req, "cursor");
	if (!web_cursor_parse(cursor, &q.before_at, &q.before_id)) {
		fed_error(req, res, 400, "That page link is malformed.");
		return;
	}
	struct story_list l;
	if (store_story_list(st, &req->arena, &q, &l)) {
		fed_error(req, res, 500, "Could not read the stories.");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < l.n; i++)
		if (fed_story_is_public(req, &l.items[i]))
			json_array_append_new(items, fed_create_json(req, &l.items[i]));
	const char *self = cursor && *cursor ?
			   arena_printf(&req->arena, "%s?page=1&cursor=%s", id, cursor) :
			   arena_printf(&req->arena, "%s?page=1", id);
	json_t *o = json_pack("{s:[s,{s:s,s:s}],s:s,s:s,s:s,s:o}", "@context", FED_AS_CONTEXT,
			      "sensitive", "as:sensitive", "Hashtag", "as:Hashtag", "id", self, "type",
			      "OrderedCollectionPage", "partOf", id, "orderedItems", items);
	if (l.more && l.n) {
		const struct story_row *last = &l.items[l.n - 1];
		int64_t at = last->published_at ? last->published_at : last->created_at;
		json_object_set_new(o, "next", json_string(arena_printf(&req->arena,
				    "%s?page=1&cursor=%lld-%s", id, (long long)at, last->id)));
	}
	fed_reply(req, res, o);
}

void fed_followers(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	if (!writer_of(req, res, &u))
		return;
	/* How many, as every server shows; who they are is hers to show
	 * (as Mastodon's "hide your network": the count, no items). */
	int64_t n = 0;
	bool show = false;
	struct fed_follower_row *rows = NULL;
	size_t nf = 0;
	if (store_fed_follower_count(web_store(req), u.id, &n) ||
	    store_fed_show_followers_get(web_store(req), u.id, &show) ||
	    (show && store_fed_followers(web_store(req), &req->arena, u.id, FOLLOWERS_SHOWN, &rows,
					 &nf))) {
		fed_error(req, res, 500, "Could not count the followers.");
		return;
	}
	json_t *o = collection(fed_collection_url(req, u.handle, "followers"), n);
	if (show) {
		json_t *items = json_array();
		for (size_t i = 0; i < nf; i++)
			json_array_append_new(items, json_string(rows[i].actor_id));
		json_object_set_new(o, "orderedItems", items);
	}
	fed_reply(req, res, o);
}

void fed_following(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	if (!writer_of(req, res, &u))
		return;
	/* A Quire writer follows nobody elsewhere. */
	json_t *o = collection(fed_collection_url(req, u.handle, "following"), 0);
	json_object_set_new(o, "orderedItems", json_array());
	fed_reply(req, res, o);
}

/* The site's host as acct: addresses carry it: base_url's host and port. */
static const char *site_host(struct http_req *req)
{
	const char *h = strstr(web_cfg->base_url, "://");
	h = h ? h + 3 : web_cfg->base_url;
	return arena_strndup(&req->arena, h, strcspn(h, "/"));
}

static void json_as(struct http_req *req, struct http_res *res, const char *type, json_t *obj)
{
	res->status = 200;
	res->content_type = type;
	buf_reset(&res->body);
	web_security_headers(req, res);
	/* Discovery is read by web clients of other origins too. */
	http_res_header(req, res, "Access-Control-Allow-Origin", "*");
	http_res_header(req, res, "Cache-Control", "max-age=60");
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		buf_adds(&res->body, s);
		free(s);
	}
	json_decref(obj);
}

void fed_webfinger(struct http_req *req, struct http_res *res)
{
	const char *resource = http_req_query(req, "resource");
	if (!resource || !*resource) {
		fed_error(req, res, 400, "Say which account: ?resource=acct:handle@host.");
		return;
	}
	const char *raw = fed_resource_handle(&req->arena, resource, web_cfg->base_url);
	const char *h = raw ? handle_normalise(&req->arena, raw) : NULL;
	struct user_row u;
	if (!h || store_user_by_handle(web_store(req), &req->arena, h, &u) || u.suspended_at) {
		fed_error(req, res, 404, "There is no writer by that name here.");
		return;
	}
	const char *actor = fed_actor_url(req, u.handle);
	json_t *o = json_pack("{s:s,s:[s],s:[{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "subject",
			      arena_printf(&req->arena, "acct:%s@%s", u.handle, site_host(req)),
			      "aliases", actor, "links", "rel", "self", "type", FED_AP_TYPE, "href",
			      actor, "rel", "http://webfinger.net/rel/profile-page", "type",
			      "text/html", "href", actor);
	json_as(req, res, "application/jrd+json; charset=utf-8", o);
}

#define NODEINFO_21 "http://nodeinfo.diaspora.software/ns/schema/2.1"

void fed_nodeinfo_links(struct http_req *req, struct http_res *res)
{
	json_t *o = json_pack("{s:[{s:s,s:s}]}", "links", "rel", NODEINFO_21, "href",
			      web_url(req, "/nodeinfo/2.1"));
	json_as(req, res, "application/json; charset=utf-8", o);
}

void fed_nodeinfo(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	int64_t users = 0, stories = 0;
	if (store_fed_counts(st, NULL, &users, &stories)) {
		fed_error(req, res, 500, "Could not count.");
		return;
	}
	char *mode = NULL;
	bool open = store_setting_get(st, &req->arena, "signup_mode", &mode) == STORE_OK && mode &&
		    strcmp(mode, "open") == 0;
	json_t *o = json_pack(
		"{s:s,s:{s:s,s:s},s:[s],s:{s:[],s:[s]},s:b,s:{s:{s:I},s:I},s:{s:s}}", "version",
		"2.1", "software", "name", "quire", "version", QUIRE_VERSION, "protocols",
		"activitypub", "services", "inbound", "outbound", "atom1.0", "openRegistrations", open, "usage", "users", "total", (json_int_t)users,
		"localPosts", (json_int_t)stories, "metadata", "nodeName", web_site(req)->name);
	json_as(req, res, "application/json; profile=\"" NODEINFO_21 "#\"; charset=utf-8", o);
}

/* One remote actor for her lists: its URL, and what its server said of
 * it when it last signed something (name, user@server). */
static json_t *remote_view(struct http_req *req, const char *actor_id)
{
	struct fed_actor_row ar;
	const char *name = "", *handle = "";
	const char *host = fed_url_host(&req->arena, actor_id);
	if (store_fed_actor_get(web_store(req), &req->arena, actor_id, &ar) == STORE_OK) {
		name = ar.name;
		if (ar.handle[0])
			handle = arena_printf(&req->arena, "%s@%s", ar.handle, host);
	}
	return json_pack("{s:s,s:s,s:s}", "f_actor", actor_id, "f_name", name[0] ? name : actor_id,
			 "f_handle", handle);
}

json_t *fed_remote_followers_json(struct http_req *req, const char *writer_id)
{
	struct fed_follower_row *rows;
	size_t n = 0;
	json_t *out = json_array();
	if (store_fed_followers(web_store(req), &req->arena, writer_id, FOLLOWERS_SHOWN, &rows, &n))
		return out;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, remote_view(req, rows[i].actor_id));
	return out;
}

static void followers_page(struct http_req *req, struct http_res *res, int status,
			   const char *error)
{
	const struct viewer *v = web_viewer(req);
	struct store *st = web_store(req);
	struct arena *a = &req->arena;
	bool approve = false, show = false;
	struct fed_follower_row *reqs, *fols;
	size_t nr = 0, nf = 0, nl = 0;
	int64_t total = 0, subscribers = 0;
	struct member_row *local;
	if (store_fed_approve_get(st, v->user.id, &approve) ||
	    store_fed_show_followers_get(st, v->user.id, &show) ||
	    store_fed_requests(st, a, v->user.id, 500, &reqs, &nr) ||
	    store_fed_followers(st, a, v->user.id, 500, &fols, &nf) ||
	    store_fed_follower_count(st, v->user.id, &total) ||
	    store_followers(st, a, v->user.id, &local, &nl) ||
	    store_subscriber_count(st, v->user.id, "confirmed", &subscribers)) {
		web_error(req, res, 500, "Could not read your followers.");
		return;
	}
	json_t *rl = json_array(), *fl = json_array();
	for (size_t i = 0; i < nr; i++)
		json_array_append_new(rl, remote_view(req, reqs[i].actor_id));
	for (size_t i = 0; i < nf; i++)
		json_array_append_new(fl, remote_view(req, fols[i].actor_id));
	json_t *ctx = web_page_context(req, "Your followers");
	json_object_set_new(ctx, "approve_followers", json_boolean(approve));
	json_object_set_new(ctx, "show_followers", json_boolean(show));
	json_object_set_new(ctx, "requests", rl);
	json_object_set_new(ctx, "has_requests", json_boolean(nr > 0));
	json_object_set_new(ctx, "fed_followers", fl);
	json_object_set_new(ctx, "has_fed_followers", json_boolean(nf > 0));
	json_object_set_new(ctx, "fed_total", json_integer(total));
	json_object_set_new(ctx, "local_total", json_integer((json_int_t)nl));
	json_object_set_new(ctx, "subscriber_total", json_integer(subscribers));
	json_object_set_new(ctx, "my_handle", json_string(v->user.handle));
	json_object_set_new(ctx, "noindex", json_true());
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	web_page_render(req, res, status, "fed_followers", ctx);
}

void fed_followers_settings(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/settings/followers");
		return;
	}
	followers_page(req, res, 200, NULL);
}

void fed_followers_settings_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_error(req, res, 401, "Please sign in first.");
		return;
	}
	if (!web_csrf_ok(req)) {
		followers_page(req, res, 403, "This form expired. Please try again.");
		return;
	}
	struct store *st = web_store(req);
	const char *action = http_req_form(req, "action");
	const char *actor = http_req_form(req, "actor");
	enum fed_err fe = FED_OK;
	enum web_flash done = WEB_FLASH_SETTINGS_SAVED;
	if (action && !strcmp(action, "approval")) {
		const char *on = http_req_form(req, "approve_followers");
		if (store_fed_approve_set(st, v->user.id, on && !strcmp(on, "1")))
			fe = FED_STORE;
	} else if (action && !strcmp(action, "visibility")) {
		const char *on = http_req_form(req, "show_followers");
		if (store_fed_show_followers_set(st, v->user.id, on && !strcmp(on, "1")))
			fe = FED_STORE;
	} else if (action && actor && !strcmp(action, "approve")) {
		fe = fed_approve_follower(st, &req->arena, v->user.id, actor, clock_now());
		done = WEB_FLASH_FOLLOWER_APPROVED;
	} else if (action && actor && !strcmp(action, "reject")) {
		fe = fed_reject_follower(st, &req->arena, v->user.id, actor, clock_now());
		done = WEB_FLASH_FOLLOWER_REJECTED;
	} else {
		followers_page(req, res, 422, "Choose what to do.");
		return;
	}
	if (fe == FED_BAD) {
		followers_page(req, res, 404, "Nobody by that address is waiting to follow you.");
		return;
	}
	if (fe) {
		web_error(req, res, 500, "Could not save that. Please try again.");
		return;
	}
	if (done != WEB_FLASH_SETTINGS_SAVED)
		fed_sender_poke();
	web_flash(req, res, done, NULL);
	http_res_redirect(req, res, 303, "/settings/followers");
}
