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
#include "mail/mail.h"
#include "mail/mail_web.h"
#include "mail/mime.h"
#include "core/clock.h"
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

/* Most addresses one request may invite. */
#define INVITE_EMAILS_MAX 50

/* {"emails": [...]}: a single-use link to each address, by mail, each in
 * a transaction of its own; the answer names those sent and those that
 * are no address. */
static void invite_by_email(struct http_req *req, struct http_res *res, const struct circle_row *c,
			    json_t *emails)
{
	if (!mail_enabled()) {
		web_json_error(req, res, 422, "mail_off", "This site sends no email.");
		return;
	}
	size_t n = json_array_size(emails);
	if (!json_is_array(emails) || n == 0 || n > INVITE_EMAILS_MAX) {
		web_json_error(req, res, 422, "invalid", "\"emails\" is a list of 1 to 50 addresses.");
		return;
	}
	struct store *st = web_store(req);
	json_t *sent = json_array(), *bad = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *e = json_string_value(json_array_get(emails, i));
		const char *norm = e ? mail_addr_normalise(&req->arena, e, strlen(e)) : NULL;
		if (!norm) {
			json_array_append_new(bad, e ? json_string(e) : json_null());
			continue;
		}
		if (circle_invite_by_mail(st, &req->arena, c, norm)) {
			json_decref(sent);
			json_decref(bad);
			web_json_error(req, res, 503, "unavailable", "Please try again.");
			return;
		}
		json_array_append_new(sent, json_string(norm));
	}
	mail_sender_poke();
	web_json_reply(req, res, 202, json_pack("{s:o,s:o}", "invited", sent, "invalid", bad));
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
		json_t *emails = json_object_get(body, "emails");
		if (emails) {
			invite_by_email(req, res, &c, emails);
			json_decref(body);
			return;
		}
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

/* ---- invitations by handle: pending until the reader accepts ---- */

void api_circle_invitations(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	struct member_row *iv;
	size_t n = 0;
	if (store_circle_invitees(web_store(req), &req->arena, c.id, &iv, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read the invitations.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "handle", iv[i].handle, "name",
						     iv[i].name, "invited_at",
						     web_fmt_rfc3339(&req->arena, iv[i].joined_at)));
	web_json_reply(req, res, 200, json_pack("{s:o}", "invitations", arr));
}

void api_circle_invitation_create(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jh = json_object_get(body, "handle");
	const char *h = json_is_string(jh) ? handle_normalise(&req->arena, json_string_value(jh)) : NULL;
	json_decref(body);
	struct user_row who;
	switch (h ? circle_invite_handle(web_store(req), &req->arena, &c, h, clock_now(), &who) :
		    CIRCLE_NO_SUCH_READER) {
	case CIRCLE_INVITED:
		web_json_reply(req, res, 201, json_pack("{s:s,s:s,s:s}", "handle", who.handle, "name",
							who.name, "status", "invited"));
		return;
	case CIRCLE_NO_SUCH_READER:
		web_json_error(req, res, 404, "not_found", "There is no reader with that \"handle\".");
		return;
	case CIRCLE_IS_OWNER:
		web_json_error(req, res, 422, "invalid", "You cannot invite yourself.");
		return;
	case CIRCLE_IS_MEMBER:
		web_json_error(req, res, 409, "already_member", "That reader is already in this circle.");
		return;
	case CIRCLE_INVITE_FAILED:
		break;
	}
	web_json_error(req, res, 500, "internal", "Could not save the invitation.");
}

void api_circle_invitation_withdraw(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!web_api_require_viewer(req, res) || !circle_own(req, res, &c, true))
		return;
	struct store *st = web_store(req);
	struct user_row u;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
	    store_circle_invitee_remove(st, c.id, u.id)) {
		web_json_error(req, res, 404, "not_found", "That reader has no invitation to this circle.");
		return;
	}
	no_content(req, res);
}

void api_my_invitations(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct store *st = web_store(req);
	struct circle_row *cs;
	size_t n = 0;
	if (store_circle_invitations_for(st, &req->arena, web_viewer(req)->user.id, &cs, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read your invitations.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct user_row ow;
		if (store_user_by_id(st, &req->arena, cs[i].owner_id, &ow))
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:{s:s,s:s}}", "circle_id", cs[i].id,
						     "circle_name", cs[i].name, "writer", "handle",
						     ow.handle, "name", ow.name));
	}
	web_json_reply(req, res, 200, json_pack("{s:o}", "invitations", arr));
}

void api_my_invitation_answer(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct store *st = web_store(req);
	const char *cid = http_req_param(req, "id");
	const char *answer = http_req_param(req, "answer");
	const char *me = web_viewer(req)->user.id;
	if (!id_valid(cid)) {
		web_json_error(req, res, 404, "not_found", "No such invitation.");
		return;
	}
	if (!strcmp(answer, "decline")) {
		if (store_circle_invitee_remove(st, cid, me)) {
			web_json_error(req, res, 404, "not_found", "No such invitation.");
			return;
		}
		no_content(req, res);
		return;
	}
	struct circle_row c;
	struct user_row ow;
	if (strcmp(answer, "accept") != 0) {
		web_json_error(req, res, 404, "not_found", "Answer with /accept or /decline.");
		return;
	}
	if (!circle_invitation_accept(st, &req->arena, cid, me, clock_now(), &c) ||
	    store_user_by_id(st, &req->arena, c.owner_id, &ow)) {
		web_json_error(req, res, 404, "not_found", "No such invitation.");
		return;
	}
	web_json_reply(req, res, 200, json_pack("{s:{s:s,s:s},s:{s:s},s:b}", "circle", "id", c.id,
						"name", c.name, "owner", "handle", ow.handle,
						"following", 1));
}
