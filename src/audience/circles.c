/*
 * circles.c - circles of invited readers: rules, pages and JSON API.
 * Only a circle's owner sees or manages it; anyone else gets 404.
 */
#include "audience/circles.h"
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "core/text.h"
#include "site/site.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rules ---- */

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n > 0 && utf8_valid(name, n) && !text_has_controls(name, n, false) &&
	       utf8_count(name, n) <= CIRCLE_NAME_MAX;
}

/* Invitation tokens are 32 lowercase hex digits (random_hex); anything
 * else is refused before it reaches a hash, a page or a header. */
static bool token_ok(const char *t)
{
	if (!t || strlen(t) != 32)
		return false;
	for (size_t i = 0; i < 32; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return true;
}

bool circle_invite_live(struct store *st, struct arena *a, const char *token,
			struct circle_row *c)
{
	if (!token_ok(token))
		return false;
	char hash[65];
	hash_token(token, 32, hash);
	struct circle_invite_row inv;
	if (store_circle_invite_get(st, a, hash, &inv) || inv.revoked ||
	    inv.expires_at <= site_now() || inv.uses_left == 0)
		return false;
	return store_circle_get(st, a, inv.circle_id, c) == STORE_OK;
}

bool circle_invite_accept(struct store *st, struct arena *a, const char *token,
			  const char *user_id, struct circle_row *c)
{
	if (!circle_invite_live(st, a, token, c))
		return false;
	if (strcmp(c->owner_id, user_id) == 0)
		return true;
	char hash[65];
	hash_token(token, 32, hash);
	/* One transaction decides: already a member (no use spent), or spend
	 * a use and join - never a use spent twice, never two joins on a
	 * single-use link, however many arrive at once. */
	if (store_begin(st))
		return false;
	bool member = false;
	if (store_circle_is_member(st, c->id, user_id, &member)) {
		store_rollback(st);
		return false;
	}
	if (member) {
		store_rollback(st);
		return true;
	}
	if (store_circle_invite_use(st, hash, site_now()) ||
	    store_circle_member_add(st, c->id, user_id, site_now()) || store_commit(st)) {
		store_rollback(st);
		return false;
	}
	return true;
}

static enum store_err circle_create(struct store *st, const char *owner, const char *name,
				    struct circle_row *out)
{
	memset(out, 0, sizeof(*out));
	id_new(out->id);
	snprintf(out->owner_id, sizeof(out->owner_id), "%s", owner);
	out->name = name;
	out->created_at = site_now();
	return store_circle_insert(st, out);
}

/* Create an invitation: uses < 0 unlimited. *token gets the raw token. */
static enum store_err invite_create(struct store *st, struct arena *a, const char *circle_id,
				    int64_t uses, int64_t expires_in, const char **token)
{
	char raw[33], hash[65];
	random_hex(raw, 16);
	hash_token(raw, 32, hash);
	struct circle_invite_row r = {0};
	r.token_hash = hash;
	snprintf(r.circle_id, sizeof(r.circle_id), "%s", circle_id);
	r.token_tail = raw + 26;
	r.uses_left = uses < 0 ? -1 : uses;
	r.created_at = site_now();
	r.expires_at = r.created_at + expires_in;
	*token = arena_strdup(a, raw);
	return store_circle_invite_insert(st, &r);
}

/* The viewer's own circle {id}, or answer 404/401 and return false. */
static bool own_circle(struct http_req *req, struct http_res *res, struct circle_row *c, bool api)
{
	const struct viewer *v = site_viewer(req);
	if (!v->signed_in) {
		if (api)
			json_error(req, res, 401, "unauthorized", "Sign in first.");
		else
			http_res_redirect(req, res, 303,
					  arena_printf(&req->arena, "/login?return_to=%s", req->path));
		return false;
	}
	const char *id = http_req_param(req, "id");
	if (!id_valid(id) || store_circle_get(site_store(req), &req->arena, id, c) ||
	    !audience_may_manage_circle(v->user.id, c)) {
		if (api)
			json_error(req, res, 404, "not_found", "No such circle.");
		else
			site_error(req, res, 404, "No such circle.");
		return false;
	}
	return true;
}

/* ---- pages ---- */

static void render_circles(struct http_req *req, struct http_res *res, int status, const char *error)
{
	struct circle_row *cs;
	size_t n = 0;
	if (store_circle_list(site_store(req), &req->arena, site_viewer(req)->user.id, &cs, &n)) {
		site_error(req, res, 500, "Could not read your circles.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "id", cs[i].id, "name", cs[i].name,
						     "member_count", (json_int_t)cs[i].member_count));
	json_t *ctx = page_context(req, "Your circles");
	json_object_set_new(ctx, "circles", arr);
	json_object_set_new(ctx, "has_circles", json_boolean(n > 0));
	json_object_set_new(ctx, "name_max", json_integer(CIRCLE_NAME_MAX));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "noindex", json_true());
	page_render(req, res, status, "circles", ctx);
}

void page_circles(struct http_req *req, struct http_res *res)
{
	if (!site_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/circles");
		return;
	}
	render_circles(req, res, 200, NULL);
}

void page_circles_post(struct http_req *req, struct http_res *res)
{
	if (!site_viewer(req)->signed_in) {
		site_error(req, res, 401, "Please sign in first.");
		return;
	}
	if (!csrf_ok(req)) {
		render_circles(req, res, 403, "This form expired. Please try again.");
		return;
	}
	const char *name = http_req_form(req, "name");
	if (!name_ok(name)) {
		render_circles(req, res, 422, "A circle's name is 1 to 80 characters, on one line.");
		return;
	}
	struct circle_row c;
	if (circle_create(site_store(req), site_viewer(req)->user.id, name, &c)) {
		site_error(req, res, 500, "Could not create the circle.");
		return;
	}
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/circles/%s", c.id));
}

static void render_circle(struct http_req *req, struct http_res *res, int status,
			  const struct circle_row *c, const char *new_link, const char *notice)
{
	struct store *st = site_store(req);
	struct member_row *ms;
	struct circle_invite_row *is;
	size_t nm = 0, ni = 0;
	if (store_circle_members(st, &req->arena, c->id, &ms, &nm) ||
	    store_circle_invites(st, &req->arena, c->id, &is, &ni)) {
		site_error(req, res, 500, "Could not read the circle.");
		return;
	}
	json_t *members = json_array();
	for (size_t i = 0; i < nm; i++)
		json_array_append_new(members, json_pack("{s:s,s:s,s:s}", "handle", ms[i].handle, "name",
							 ms[i].name, "joined",
							 fmt_date(&req->arena, ms[i].joined_at)));
	json_t *invites = json_array();
	int64_t now = site_now();
	for (size_t i = 0; i < ni; i++) {
		bool live = !is[i].revoked && is[i].expires_at > now && is[i].uses_left != 0;
		if (!live)
			continue;
		json_array_append_new(invites, json_pack(
			"{s:s,s:s,s:s,s:s}", "tail", is[i].token_tail, "hash", is[i].token_hash,
			"uses", is[i].uses_left < 0 ? "unlimited uses" :
				arena_printf(&req->arena, "%lld use%s left", (long long)is[i].uses_left,
					     is[i].uses_left == 1 ? "" : "s"),
			"expires", fmt_date(&req->arena, is[i].expires_at)));
	}
	json_t *ctx = page_context(req, c->name);
	json_object_set_new(ctx, "circle", json_pack("{s:s,s:s}", "id", c->id, "name", c->name));
	json_object_set_new(ctx, "members", members);
	json_object_set_new(ctx, "has_members", json_boolean(nm > 0));
	json_object_set_new(ctx, "invites", invites);
	json_object_set_new(ctx, "has_invites", json_boolean(json_array_size(invites) > 0));
	if (new_link)
		json_object_set_new(ctx, "new_link", json_string(new_link));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	json_object_set_new(ctx, "noindex", json_true());
	page_render(req, res, status, "circle", ctx);
}

void page_circle(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (own_circle(req, res, &c, false))
		render_circle(req, res, 200, &c, NULL, NULL);
}

void page_circle_post(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!own_circle(req, res, &c, false))
		return;
	if (!csrf_ok(req)) {
		site_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	struct store *st = site_store(req);
	const char *action = http_req_form(req, "action");
	if (!action)
		action = "";
	if (strcmp(action, "invite") == 0) {
		const char *uses = http_req_form(req, "uses");
		const char *days = http_req_form(req, "days");
		long d = days ? strtol(days, NULL, 10) : 7;
		if (d < 1 || d > CIRCLE_INVITE_MAX_DAYS)
			d = 7;
		int64_t u = uses && strcmp(uses, "many") == 0 ? -1 : 1;
		const char *token;
		if (invite_create(st, &req->arena, c.id, u, (int64_t)d * 86400, &token)) {
			site_error(req, res, 500, "Could not create the invitation.");
			return;
		}
		render_circle(req, res, 200, &c,
			      site_url(req, arena_printf(&req->arena, "/c/%s", token)), NULL);
		return;
	}
	if (strcmp(action, "revoke") == 0) {
		const char *hash = http_req_form(req, "invite");
		if (!hash || store_circle_invite_revoke(st, c.id, hash)) {
			site_error(req, res, 404, "No such invitation.");
			return;
		}
		render_circle(req, res, 200, &c, NULL, "The invitation link no longer works.");
		return;
	}
	if (strcmp(action, "remove") == 0) {
		struct user_row u;
		const char *h = handle_normalise(&req->arena, http_req_form(req, "handle"));
		if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
		    store_circle_member_remove(st, c.id, u.id)) {
			site_error(req, res, 404, "That reader is not in this circle.");
			return;
		}
		render_circle(req, res, 200, &c, NULL,
			      arena_printf(&req->arena, "@%s can no longer read this circle's stories.", h));
		return;
	}
	if (strcmp(action, "delete") == 0) {
		if (store_circle_delete(st, c.id)) {
			site_error(req, res, 500, "Could not delete the circle.");
			return;
		}
		http_res_redirect(req, res, 303, "/circles");
		return;
	}
	site_error(req, res, 400, "Unknown action.");
}

void page_invite(struct http_req *req, struct http_res *res)
{
	struct store *st = site_store(req);
	const char *token = http_req_param(req, "token");
	struct circle_row c;
	if (!circle_invite_live(st, &req->arena, token, &c)) {
		site_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	struct user_row owner;
	if (store_user_by_id(st, &req->arena, c.owner_id, &owner)) {
		site_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	json_t *ctx = page_context(req, "An invitation");
	json_object_set_new(ctx, "circle_name", json_string(c.name));
	json_object_set_new(ctx, "owner_name", json_string(owner.name));
	json_object_set_new(ctx, "owner_handle", json_string(owner.handle));
	json_object_set_new(ctx, "token", json_string(token));
	json_object_set_new(ctx, "noindex", json_true());
	json_object_set_new(ctx, "cache_private", json_true());
	page_render(req, res, 200, "invite", ctx);
}

void page_invite_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = site_viewer(req);
	const char *token = http_req_param(req, "token");
	if (!token_ok(token)) {
		/* The decoded token would go into Location: only ever hex. */
		site_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	if (!v->signed_in) {
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/login?return_to=/c/%s", token));
		return;
	}
	if (!csrf_ok(req)) {
		site_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	struct circle_row c;
	if (!circle_invite_accept(site_store(req), &req->arena, token, v->user.id, &c)) {
		site_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	struct user_row owner;
	const char *to = "/";
	if (store_user_by_id(site_store(req), &req->arena, c.owner_id, &owner) == STORE_OK)
		to = arena_printf(&req->arena, "/@%s", owner.handle);
	http_res_redirect(req, res, 303, to);
}

/* ---- JSON API ---- */

static json_t *circle_json(struct http_req *req, const struct circle_row *c)
{
	return json_pack("{s:s,s:s,s:I,s:s}", "id", c->id, "name", c->name, "member_count",
			 (json_int_t)c->member_count, "created_at", fmt_rfc3339(&req->arena, c->created_at));
}

void api_circles_create(struct http_req *req, struct http_res *res)
{
	if (!api_require_viewer(req, res))
		return;
	json_t *body = json_body(req, res);
	if (!body)
		return;
	json_t *jn = json_object_get(body, "name");
	const char *name = json_is_string(jn) ? arena_strdup(&req->arena, json_string_value(jn)) : NULL;
	bool nul = json_is_string(jn) && strlen(name) != json_string_length(jn);
	json_decref(body);
	if (!name || nul || !name_ok(name)) {
		json_error(req, res, 422, "invalid", "\"name\" is a string of 1 to 80 characters, on one line.");
		return;
	}
	struct circle_row c;
	if (circle_create(site_store(req), site_viewer(req)->user.id, name, &c)) {
		json_error(req, res, 500, "internal", "Could not create the circle.");
		return;
	}
	json_reply(req, res, 201, circle_json(req, &c));
}

void api_circles_list(struct http_req *req, struct http_res *res)
{
	if (!api_require_viewer(req, res))
		return;
	struct circle_row *cs;
	size_t n = 0;
	if (store_circle_list(site_store(req), &req->arena, site_viewer(req)->user.id, &cs, &n)) {
		json_error(req, res, 500, "internal", "Could not read circles.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, circle_json(req, &cs[i]));
	json_reply(req, res, 200, json_pack("{s:o}", "circles", arr));
}

static void no_content(struct http_req *req, struct http_res *res)
{
	res->status = 204;
	res->content_type = NULL;
	site_security_headers(req, res);
}

void api_circle_delete(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!api_require_viewer(req, res) || !own_circle(req, res, &c, true))
		return;
	if (store_circle_delete(site_store(req), c.id)) {
		json_error(req, res, 500, "internal", "Could not delete the circle.");
		return;
	}
	no_content(req, res);
}

void api_circle_members(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!api_require_viewer(req, res) || !own_circle(req, res, &c, true))
		return;
	struct member_row *ms;
	size_t n = 0;
	if (store_circle_members(site_store(req), &req->arena, c.id, &ms, &n)) {
		json_error(req, res, 500, "internal", "Could not read members.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "handle", ms[i].handle, "name",
						     ms[i].name, "joined_at",
						     fmt_rfc3339(&req->arena, ms[i].joined_at)));
	json_reply(req, res, 200, json_pack("{s:o}", "members", arr));
}

void api_circle_member_remove(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!api_require_viewer(req, res) || !own_circle(req, res, &c, true))
		return;
	struct store *st = site_store(req);
	struct user_row u;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
	    store_circle_member_remove(st, c.id, u.id)) {
		json_error(req, res, 404, "not_found", "That reader is not in this circle.");
		return;
	}
	no_content(req, res);
}

void api_circle_invite_create(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!api_require_viewer(req, res) || !own_circle(req, res, &c, true))
		return;
	int64_t uses = 1, expires_in = 7 * 86400;
	if (req->body_len) {
		json_t *body = json_body(req, res);
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
			json_error(req, res, 422, "invalid",
				   "\"uses\" is 1 to 100000 or null (unlimited); \"expires_in\" is 60 "
				   "seconds to 365 days, in seconds.");
			return;
		}
	}
	const char *token;
	if (invite_create(site_store(req), &req->arena, c.id, uses, expires_in, &token)) {
		json_error(req, res, 500, "internal", "Could not create the invitation.");
		return;
	}
	json_t *o = json_pack("{s:s,s:s,s:s}", "url",
			      site_url(req, arena_printf(&req->arena, "/c/%s", token)), "token", token,
			      "expires_at", fmt_rfc3339(&req->arena, site_now() + expires_in));
	json_object_set_new(o, "uses", uses < 0 ? json_null() : json_integer(uses));
	json_reply(req, res, 201, o);
}

void api_circle_invite_revoke(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!api_require_viewer(req, res) || !own_circle(req, res, &c, true))
		return;
	const char *token = http_req_param(req, "token");
	char hash[65];
	hash_token(token, strlen(token), hash);
	if (store_circle_invite_revoke(site_store(req), c.id, hash)) {
		json_error(req, res, 404, "not_found", "No such invitation in this circle.");
		return;
	}
	no_content(req, res);
}

void api_invite_accept(struct http_req *req, struct http_res *res)
{
	if (!api_require_viewer(req, res))
		return;
	struct circle_row c;
	if (!circle_invite_accept(site_store(req), &req->arena, http_req_param(req, "token"),
				  site_viewer(req)->user.id, &c)) {
		json_error(req, res, 404, "not_found", "This invitation is not valid (any more).");
		return;
	}
	struct user_row owner;
	const char *oh = "";
	if (store_user_by_id(site_store(req), &req->arena, c.owner_id, &owner) == STORE_OK)
		oh = owner.handle;
	json_reply(req, res, 200, json_pack("{s:{s:s,s:s},s:{s:s}}", "circle", "id", c.id, "name",
					     c.name, "owner", "handle", oh));
}
