/*
 * response_api.c - JSON API for responses, blocks and muted words.
 */
#include "responses/responses_int.h"
#include "responses/responses_web.h"
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "core/text.h"
#include "responses/muted.h"
#include "web/web.h"

#include <string.h>

static json_t *response_json(struct http_req *req, const struct response_row *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "story_id", json_string(r->story_id));
	json_object_set_new(o, "parent_id", r->parent_id[0] ? json_string(r->parent_id) : json_null());
	json_object_set_new(o, "body", json_string(r->body));
	json_object_set_new(o, "html", json_string(r->body_html));
	json_object_set_new(o, "status", json_string(response_status_name(r->status)));
	json_object_set_new(o, "created_at", json_string(web_fmt_rfc3339(&req->arena, r->created_at)));
	json_object_set_new(o, "edited_at", r->edited_at ?
			    json_string(web_fmt_rfc3339(&req->arena, r->edited_at)) : json_null());
	json_object_set_new(o, "author", json_pack("{s:s,s:s}", "handle", r->author_handle, "name",
						   r->author_name));
	return o;
}

static int status_of(enum resp_err e)
{
	switch (e) {
	case RESP_NOT_FOUND: return 404;
	case RESP_SIGN_IN: return 401;
	case RESP_CLOSED: case RESP_NOT_ALLOWED: return 403;
	case RESP_RATE_LIMITED: return 429;
	case RESP_STORE: return 500;
	case RESP_TOO_LONG: return 413;
	default: return 422;
	}
}

static const char *code_of(enum resp_err e)
{
	switch (e) {
	case RESP_NOT_FOUND: return "not_found";
	case RESP_SIGN_IN: return "unauthorized";
	case RESP_CLOSED: return "responses_off";
	case RESP_NOT_ALLOWED: return "forbidden";
	case RESP_RATE_LIMITED: return "rate_limited";
	case RESP_STORE: return "internal";
	case RESP_TOO_LONG: return "too_large";
	default: return "invalid";
	}
}

static bool story_for(struct http_req *req, struct http_res *res, struct story_row *s)
{
	const struct viewer *v = web_viewer(req);
	const char *id = http_req_param(req, "id");
	if (!id_valid(id) || store_story_get(web_store(req), &req->arena, id, s) ||
	    !audience_may_see_story(web_store(req), v->signed_in ? v->user.id : NULL, s)) {
		web_json_error(req, res, 404, "not_found", "No such story.");
		return false;
	}
	return true;
}

void api_story_responses(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!story_for(req, res, &s))
		return;
	const struct viewer *v = web_viewer(req);
	bool writer = response_is_writer(v->signed_in ? v->user.id : NULL, &s);
	struct response_list l;
	if (store_responses_for_story(web_store(req), &req->arena, s.id, s.author_id, writer, &l)) {
		web_json_error(req, res, 500, "internal", "Could not read responses.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, response_json(req, &l.items[i]));
	web_json_reply(req, res, 200, json_pack("{s:o}", "responses", arr));
}

void api_story_respond(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct story_row s;
	if (!story_for(req, res, &s))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jb = json_object_get(body, "body"), *jp = json_object_get(body, "parent_id");
	if (!json_is_string(jb) || (jp && !json_is_null(jp) && !json_is_string(jp)) ||
	    strlen(json_string_value(jb)) != json_string_length(jb)) {
		json_decref(body);
		web_json_error(req, res, 422, "invalid", "Send \"body\" as a string and \"parent_id\" as a string or null.");
		return;
	}
	const char *text = arena_strdup(&req->arena, json_string_value(jb));
	const char *parent = json_is_string(jp) ? arena_strdup(&req->arena, json_string_value(jp)) : NULL;
	json_decref(body);
	struct response_row r;
	int64_t retry = 0;
	enum resp_err e = response_create(web_store(req), &req->arena, &web_viewer(req)->user, &s,
					  text, parent, web_client_key(req), &r, &retry);
	if (e == RESP_RATE_LIMITED)
		http_res_header(req, res, "Retry-After", arena_printf(&req->arena, "%lld", (long long)retry));
	if (e) {
		web_json_error(req, res, status_of(e), code_of(e), resp_strerror(e));
		return;
	}
	web_json_reply(req, res, 201, response_json(req, &r));
}

/* Load response {id} for a write by the signed-in viewer. */
static bool load(struct http_req *req, struct http_res *res, struct response_row *r,
		 struct story_row *s)
{
	if (!web_api_require_viewer(req, res))
		return false;
	if (response_load(req, http_req_param(req, "id"), r, s)) {
		web_json_error(req, res, 404, "not_found", "No such response.");
		return false;
	}
	return true;
}

void api_response_patch(struct http_req *req, struct http_res *res)
{
	struct response_row r;
	struct story_row s;
	if (!load(req, res, &r, &s))
		return;
	if (strcmp(r.author_id, web_viewer(req)->user.id) != 0) {
		web_json_error(req, res, 403, "forbidden", "Only its author can edit a response.");
		return;
	}
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jb = json_object_get(body, "body");
	if (!json_is_string(jb) || strlen(json_string_value(jb)) != json_string_length(jb)) {
		json_decref(body);
		web_json_error(req, res, 422, "invalid", "Send \"body\" as a string.");
		return;
	}
	const char *text = arena_strdup(&req->arena, json_string_value(jb));
	json_decref(body);
	enum resp_err e = response_edit(web_store(req), &req->arena, &s, &r, text);
	if (e) {
		web_json_error(req, res, status_of(e), code_of(e), resp_strerror(e));
		return;
	}
	web_json_reply(req, res, 200, response_json(req, &r));
}

static void no_content(struct http_req *req, struct http_res *res)
{
	res->status = 204;
	res->content_type = NULL;
	web_security_headers(req, res);
}

void api_response_delete(struct http_req *req, struct http_res *res)
{
	struct response_row r;
	struct story_row s;
	if (!load(req, res, &r, &s))
		return;
	const struct viewer *v = web_viewer(req);
	if (strcmp(r.author_id, v->user.id) != 0 && !response_may_moderate(&v->user, &s)) {
		web_json_error(req, res, 403, "forbidden", "Only its author or the writer can delete a response.");
		return;
	}
	if (store_response_delete(web_store(req), r.id)) {
		web_json_error(req, res, 500, "internal", "Could not delete the response.");
		return;
	}
	no_content(req, res);
}

static void set_status(struct http_req *req, struct http_res *res, enum response_status status)
{
	struct response_row r;
	struct story_row s;
	if (!load(req, res, &r, &s))
		return;
	if (!response_may_moderate(&web_viewer(req)->user, &s)) {
		web_json_error(req, res, 403, "forbidden", "Only the writer moderates responses to her story.");
		return;
	}
	if (store_response_set_status(web_store(req), r.id, status)) {
		web_json_error(req, res, 500, "internal", "Could not change the response.");
		return;
	}
	r.status = status;
	web_json_reply(req, res, 200, response_json(req, &r));
}

void api_response_approve(struct http_req *req, struct http_res *res)
{
	set_status(req, res, RESPONSE_VISIBLE);
}

void api_response_hide(struct http_req *req, struct http_res *res)
{
	set_status(req, res, RESPONSE_HIDDEN);
}

void api_response_unhide(struct http_req *req, struct http_res *res)
{
	set_status(req, res, RESPONSE_VISIBLE);
}

void api_response_report(struct http_req *req, struct http_res *res)
{
	struct response_row r;
	struct story_row s;
	if (!load(req, res, &r, &s))
		return;
	if (store_response_report(web_store(req), r.id, web_viewer(req)->user.id, clock_now())) {
		web_json_error(req, res, 500, "internal", "Could not record the report.");
		return;
	}
	no_content(req, res);
}

void api_blocks_list(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct member_row *rows;
	size_t n = 0;
	if (store_block_list(web_store(req), &req->arena, web_viewer(req)->user.id, &rows, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read blocks.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "handle", rows[i].handle, "name",
						     rows[i].name, "created_at",
						     web_fmt_rfc3339(&req->arena, rows[i].joined_at)));
	web_json_reply(req, res, 200, json_pack("{s:o}", "blocks", arr));
}

/* The user named by {"handle"} in the body, or by the {handle} param. */
static bool target_user(struct http_req *req, struct http_res *res, struct user_row *u)
{
	const char *h = http_req_param(req, "handle");
	json_t *body = NULL;
	if (!h) {
		if (!(body = web_json_body(req, res)))
			return false;
		json_t *jh = json_object_get(body, "handle");
		h = json_is_string(jh) ? arena_strdup(&req->arena, json_string_value(jh)) : NULL;
		json_decref(body);
		if (!h) {
			web_json_error(req, res, 422, "invalid", "Send \"handle\" as a string.");
			return false;
		}
	}
	const char *norm = handle_normalise(&req->arena, h);
	if (!norm || store_user_by_handle(web_store(req), &req->arena, norm, u)) {
		web_json_error(req, res, 404, "not_found", "No account with that handle.");
		return false;
	}
	return true;
}

void api_blocks_add(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct user_row u;
	if (!target_user(req, res, &u))
		return;
	if (strcmp(u.id, web_viewer(req)->user.id) == 0) {
		web_json_error(req, res, 422, "invalid", "You cannot block yourself.");
		return;
	}
	if (store_block_add(web_store(req), web_viewer(req)->user.id, u.id, clock_now())) {
		web_json_error(req, res, 500, "internal", "Could not block.");
		return;
	}
	web_json_reply(req, res, 201, json_pack("{s:s,s:s}", "handle", u.handle, "name", u.name));
}

void api_blocks_remove(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct user_row u;
	if (!target_user(req, res, &u))
		return;
	if (store_block_remove(web_store(req), web_viewer(req)->user.id, u.id)) {
		web_json_error(req, res, 404, "not_found", "That reader is not blocked.");
		return;
	}
	no_content(req, res);
}

void api_muted_get(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	const char **p;
	size_t n = 0;
	if (store_muted_get(web_store(req), &req->arena, web_viewer(req)->user.id, &p, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read muted words.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(p[i]));
	web_json_reply(req, res, 200, json_pack("{s:o}", "words", arr));
}

void api_muted_put(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jw = json_object_get(body, "words");
	size_t n = json_is_array(jw) ? json_array_size(jw) : 0;
	const char **list = arena_alloc(&req->arena, (n ? n : 1) * sizeof(*list));
	size_t k = 0;
	bool ok = json_is_array(jw) && n <= MUTED_MAX_PHRASES;
	for (size_t i = 0; ok && i < n; i++) {
		json_t *w = json_array_get(jw, i);
		if (!json_is_string(w) || strlen(json_string_value(w)) != json_string_length(w)) {
			ok = false;
			break;
		}
		const char *t = json_string_value(w);
		size_t l = strlen(t);
		while (l && (t[l - 1] == ' ' || t[l - 1] == '\t'))
			l--;
		while (l && (*t == ' ' || *t == '\t')) {
			t++;
			l--;
		}
		if (l)
			list[k++] = arena_strndup(&req->arena, t, l);
	}
	json_decref(body);
	if (!ok || !muted_list_ok(list, k)) {
		web_json_error(req, res, 422, "invalid",
			   "Send {\"words\": [...]}: at most 500 strings of up to 100 characters.");
		return;
	}
	if (store_muted_set(web_store(req), web_viewer(req)->user.id, list, k)) {
		web_json_error(req, res, 500, "internal", "Could not save muted words.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < k; i++)
		json_array_append_new(arr, json_string(list[i]));
	web_json_reply(req, res, 200, json_pack("{s:o}", "words", arr));
}
