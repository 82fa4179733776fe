/*
 * follows.c - following writers; see follows.h.
 */
#include "accounts/follows.h"
#include "accounts/accounts.h"
#include "core/crypto.h"
#include "web/web.h"
#include "stories/stories_web.h"
#include "store/store_fed.h"

#include <stdlib.h>
#include <string.h>

/* Set once at start, before any thread reads it. */
static follow_remote_fn remote_followers;

void follow_set_remote_followers(follow_remote_fn fn)
{
	remote_followers = fn;
}

/* Whether the viewer may see who follows u: she shows them, or it is
 * she. -1 when the store cannot say. */
static int followers_visible(struct http_req *req, const struct user_row *u, bool *own)
{
	const struct viewer *v = web_viewer(req);
	*own = v->signed_in && strcmp(v->user.id, u->id) == 0;
	bool show = false;
	if (store_fed_show_followers_get(web_store(req), u->id, &show))
		return -1;
	return show || *own;
}

static bool writer_param(struct http_req *req, struct user_row *u)
{
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	return h && store_user_by_handle(web_store(req), &req->arena, h, u) == STORE_OK;
}

void follow_profile_context(struct http_req *req, const struct user_row *writer, json_t *ctx)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	struct member_row *rows;
	size_t following = 0, followers = 0;
	if (store_following(st, &req->arena, writer->id, &rows, &following) ||
	    store_followers(st, &req->arena, writer->id, &rows, &followers))
		return;
	json_object_set_new(ctx, "following_count", json_integer((json_int_t)following));
	json_object_set_new(ctx, "followers_count", json_integer((json_int_t)followers));
	bool show = false;
	if (store_fed_show_followers_get(st, writer->id, &show) == STORE_OK && show)
		json_object_set_new(ctx, "followers_shown", json_true());
	if (v->signed_in && strcmp(v->user.id, writer->id) != 0) {
		bool f = false;
		if (store_follow_check(st, v->user.id, writer->id, &f) == STORE_OK)
			json_object_set_new(ctx, f ? "is_following" : "can_follow", json_true());
	}
}

void page_follow_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	struct user_row u;
	if (!writer_param(req, &u)) {
		web_error(req, res, 404, "There is no writer by that name here.");
		return;
	}
	if (!v->signed_in) {
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/login?return_to=/@%s", u.handle));
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	const char *action = http_req_form(req, "action");
	struct store *st = web_store(req);
	enum store_err e = STORE_OK;
	if (action && strcmp(action, "unfollow") == 0)
		e = store_follow_remove(st, v->user.id, u.id);
	else if (strcmp(v->user.id, u.id) != 0)
		e = store_follow_add(st, v->user.id, u.id, clock_now());
	if (e && e != STORE_NOT_FOUND) {
		web_error(req, res, 500, "Could not save that. Please try again.");
		return;
	}
	if (strcmp(v->user.id, u.id) != 0)
		web_flash(req, res, action && strcmp(action, "unfollow") == 0 ? WEB_FLASH_UNFOLLOWED :
			  WEB_FLASH_FOLLOWED, u.handle);
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/@%s", u.handle));
}

static json_t *people_json(struct http_req *req, const struct member_row *rows, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "handle", rows[i].handle, "name",
						     rows[i].name, "since",
						     web_fmt_rfc3339(&req->arena, rows[i].joined_at)));
	return arr;
}

static void people_page(struct http_req *req, struct http_res *res, bool followers)
{
	struct user_row u;
	if (!writer_param(req, &u)) {
		web_error(req, res, 404, "There is no writer by that name here.");
		return;
	}
	bool own = false;
	int visible = followers ? followers_visible(req, &u, &own) : 1;
	if (visible < 0) {
		web_error(req, res, 500, "Could not read the list.");
		return;
	}
	if (!visible) {
		web_error(req, res, 404, "This writer keeps who follows her to herself.");
		return;
	}
	struct member_row *rows;
	size_t n = 0;
	enum store_err e = followers ? store_followers(web_store(req), &req->arena, u.id, &rows, &n) :
				       store_following(web_store(req), &req->arena, u.id, &rows, &n);
	if (e) {
		web_error(req, res, 500, "Could not read the list.");
		return;
	}
	json_t *remote = followers && remote_followers ? remote_followers(req, u.id) : NULL;
	size_t nr = remote ? json_array_size(remote) : 0;
	json_t *ctx = web_page_context(req, arena_printf(&req->arena, "%s: %s", u.name,
						     followers ? "followers" : "following"));
	json_object_set_new(ctx, "writer", json_pack("{s:s,s:s}", "handle", u.handle, "name", u.name));
	json_object_set_new(ctx, "people", people_json(req, rows, n));
	json_object_set_new(ctx, "has_people", json_boolean(n > 0));
	json_object_set_new(ctx, "nobody", json_boolean(n == 0 && nr == 0));
	if (remote)
		json_object_set_new(ctx, "fed_people", remote);
	json_object_set_new(ctx, "has_fed_people", json_boolean(nr > 0));
	if (followers && own) {
		bool show = false;
		if (store_fed_show_followers_get(web_store(req), u.id, &show) == STORE_OK && !show)
			json_object_set_new(ctx, "only_you", json_true());
	}
	json_object_set_new(ctx, "heading", json_string(followers ? "Followers" : "Following"));
	web_page_render(req, res, 200, "people", ctx);
}

void page_following(struct http_req *req, struct http_res *res)
{
	people_page(req, res, false);
}

void page_followers(struct http_req *req, struct http_res *res)
{
	people_page(req, res, true);
}

void api_follows_add(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jh = json_object_get(body, "handle");
	const char *h = json_is_string(jh) ? handle_normalise(&req->arena, json_string_value(jh)) : NULL;
	json_decref(body);
	struct user_row u;
	if (!h) {
		web_json_error(req, res, 422, "invalid", "Send \"handle\" as a string.");
		return;
	}
	if (store_user_by_handle(web_store(req), &req->arena, h, &u)) {
		web_json_error(req, res, 404, "not_found", "No writer with that handle.");
		return;
	}
	if (strcmp(u.id, web_viewer(req)->user.id) == 0) {
		web_json_error(req, res, 422, "invalid", "You cannot follow yourself.");
		return;
	}
	if (store_follow_add(web_store(req), web_viewer(req)->user.id, u.id, clock_now())) {
		web_json_error(req, res, 500, "internal", "Could not follow.");
		return;
	}
	web_json_reply(req, res, 201, json_pack("{s:s,s:s}", "handle", u.handle, "name", u.name));
}

void api_follows_remove(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct user_row u;
	if (!writer_param(req, &u) ||
	    store_follow_remove(web_store(req), web_viewer(req)->user.id, u.id)) {
		web_json_error(req, res, 404, "not_found", "You do not follow that writer.");
		return;
	}
	res->status = 204;
	res->content_type = NULL;
	web_security_headers(req, res);
}

void api_follows_list(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct member_row *rows;
	size_t n = 0;
	if (store_following(web_store(req), &req->arena, web_viewer(req)->user.id, &rows, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read follows.");
		return;
	}
	web_json_reply(req, res, 200, json_pack("{s:o}", "follows", people_json(req, rows, n)));
}

void api_followers(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	if (!writer_param(req, &u)) {
		web_json_error(req, res, 404, "not_found", "No writer with that handle.");
		return;
	}
	bool own = false;
	int visible = followers_visible(req, &u, &own);
	if (!visible) {
		web_json_error(req, res, 404, "not_found", "This writer keeps who follows her to herself.");
		return;
	}
	struct member_row *rows;
	size_t n = 0;
	if (visible < 0 || store_followers(web_store(req), &req->arena, u.id, &rows, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read followers.");
		return;
	}
	web_json_reply(req, res, 200, json_pack("{s:o}", "followers", people_json(req, rows, n)));
}

void api_timeline(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	const struct viewer *v = web_viewer(req);
	struct story_query q = {.viewer_id = v->user.id, .followed_by = v->user.id,
				.published_only = true, .limit = 20};
	if (!web_api_page_params(req, res, &q))
		return;
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_json_error(req, res, 500, "internal", "Could not read stories.");
		return;
	}
	api_story_list_reply(req, res, &l);
}
