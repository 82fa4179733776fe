/*
 * circle_api.c - /api/v1/circles and /api/v1/invites: JSON in, JSON out,
 * the same rules as the pages (circles.c), owner only, 404 for others.
 */
#include "circles/circles.h"
#include "circles/circles_web.h"
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "core/text.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *circle_json(struct http_req *req, const struct circle_row *c)
{
	return json_pack("{s:s,s:s,s:I,s:s}", "id", c->id, "name", c->name, "member_count",
			 (json_int_t)c->member_count, "created_at", web_fmt_rfc3339(&req->arena, c->created_at));
}

void api_circles_create(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jn = json_object_get(body, "name");
	const char *name = json_is_string(jn) ? arena_strdup(&req->arena, json_string_value(jn)) : NULL;
	bool nul = json_is_string(jn) && strlen(name) != json_string_length(jn);
	json_decref(body);
	if (!name || nul || !circle_name_ok(name)) {
		web_json_error(req, res, 422, "invalid", "\"name\" is a string of 1 to 80 characters, on one line.");
		return;
	}
	struct circle_row c;
	if (circle_create(web_store(req), web_viewer(req)->user.id, name, clock_now(), &c)) {
		web_json_error(req, res, 500, "internal", "Could not create the circle.");
		return;
	}
	web_json_reply(req, res, 201, circle_json(req, &c));
}

void api_circles_list(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct circle_row *cs;
	size_t n = 0;
	if (store_circle_list(web_store(req), &req->arena, web_viewer(req)->user.id, &cs, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read circles.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, circle_json(req, &cs[i]));
	web_json_reply(req, res, 200, json_pack("{s:o}", "circles", arr));
}

static void no_content(struct http_req *req, struct http_res *res)
{
	res->status = 204;
	res->content_type = NULL;
	web_security_headers(req, res);
}

void api_circle_delete(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	if (store_circle_delete(web_store(req), c.id)) {
		web_json_error(req, res, 500, "internal", "Could not delete the circle.");
		return;
	}
	no_content(req, res);
}

void api_circle_members(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	struct member_row *ms;
	size_t n = 0;
	if (store_circle_members(web_store(req), &req->arena, c.id, &ms, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read members.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "handle", ms[i].handle, "name",
						     ms[i].name, "joined_at",
						     web_fmt_rfc3339(&req->arena, ms[i].joined_at)));
	web_json_reply(req, res, 200, json_pack("{s:o}", "members", arr));
}

void api_circle_member_remove(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	struct store *st = web_store(req);
	struct user_row u;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
	    store_circle_member_remove(st, c.id, u.id)) {
		web_json_error(req, res, 404, "not_found", "That reader is not in this circle.");
		return;
	}
	no_content(req, res);
}

void api_circle_invite_create(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	int64_t uses = 1, expires_in = 7 * 86400;
	if (req->body_len) {
		json_t *body = web_json_body(req, res);
		if (!body)
			return;
		json_t *ju = json_object_get(body, "uses"), *je = json_object_get(body, "expires_in");
		bool bad = false;
		if (ju && json_is_null(ju))
			uses = -1;
		else if (ju && json_is_integer(ju) && json_integer_value(ju) >= 1 &&
			 json_integer_value(ju) <= 100000)
			uses = json_integer_value(ju);
		else if (ju)
			bad = true;
		if (je && json_is_integer(je) && json_integer_value(je) >= 60 &&
		    json_integer_value(je) <= (json_int_t)CIRCLE_INVITE_MAX_DAYS * 86400)
			expires_in = json_integer_value(je);
		else if (je)
			bad = true;
		json_decref(body);
		if (bad) {
			web_json_error(req, res, 422, "invalid",
				   "\"uses\" is 1 to 100000 or null (unlimited); \"expires_in\" is 60 "
				   "seconds to 365 days, in seconds.");
			return;
		}
	}
	const char *token;
	if (circle_invite_create(web_store(req), &req->arena, c.id, uses, expires_in, clock_now(), &token)) {
		web_json_error(req, res, 500, "internal", "Could not create the invitation.");
		return;
	}
	json_t *o = json_pack("{s:s,s:s,s:s}", "url",
			      web_url(req, arena_printf(&req->arena, "/c/%s", token)), "token", token,
			      "expires_at", web_fmt_rfc3339(&req->arena, clock_now() + expires_in));
	json_object_set_new(o, "uses", uses < 0 ? json_null() : json_integer(uses));
	web_json_reply(req, res, 201, o);
}

void api_circle_invite_revoke(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	const char *token = http_req_param(req, "token");
	char hash[65];
	hash_token(token, strlen(token), hash);
	if (store_circle_invite_revoke(web_store(req), c.id, hash)) {
		web_json_error(req, res, 404, "not_found", "No such invitation in this circle.");
		return;
	}
	no_content(req, res);
}

void api_invite_accept(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct circle_row c;
	if (!circle_invite_accept(web_store(req), &req->arena, http_req_param(req, "token"),
				  web_viewer(req)->user.id, clock_now(), &c)) {
		web_json_error(req, res, 404, "not_found", "This invitation is not valid (any more).");
		return;
	}
	struct user_row owner;
	const char *oh = "";
	if (store_user_by_id(web_store(req), &req->arena, c.owner_id, &owner) == STORE_OK)
		oh = owner.handle;
	web_json_reply(req, res, 200, json_pack("{s:{s:s,s:s},s:{s:s}}", "circle", "id", c.id, "name",
					     c.name, "owner", "handle", oh));
}
