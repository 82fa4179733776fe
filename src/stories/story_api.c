/*
 * story_api.c - /api/v1/stories: JSON in, JSON out. Same rules as the
 * pages (stories.c for validity, audience/ for who sees what).
 */
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "stories/stories_web.h"
#include "web/web.h"

#include <stdlib.h>
#include <string.h>


/* Read optional string field name from body into *out; NULL, or the
 * error message if present with another type or holding NUL. */
static const char *str_field(struct arena *a, json_t *body, const char *name, const char **out)
{
	json_t *v = json_object_get(body, name);
	*out = NULL;
	if (!v)
		return NULL;
	if (!json_is_string(v))
		return arena_printf(a, "\"%s\" must be a string.", name);
	*out = arena_strndup(a, json_string_value(v), json_string_length(v));
	if (strlen(*out) != json_string_length(v))
		return arena_printf(a, "\"%s\" may not contain NUL characters.", name);
	return NULL;
}

const char *story_input_from_json(struct arena *a, json_t *body, struct story_input *in)
{
	const char *err;
	if ((err = str_field(a, body, "title", &in->title)) ||
	    (err = str_field(a, body, "subtitle", &in->subtitle)) ||
	    (err = str_field(a, body, "body", &in->body)) ||
	    (err = str_field(a, body, "status", &in->status)) ||
	    (err = str_field(a, body, "audience", &in->audience)) ||
	    (err = str_field(a, body, "content_note", &in->content_note)) ||
	    (err = str_field(a, body, "responses", &in->responses)) ||
	    (err = str_field(a, body, "responders", &in->responders)))
		return err;
	/* "email": false keeps a story out of its subscribers' mailboxes. */
	json_t *je = json_object_get(body, "email");
	if (je && !json_is_boolean(je))
		return "\"email\" must be true or false.";
	if (je)
		in->email = json_is_true(je) ? 1 : -1;
	/* circle_id may be null, meaning "no circle". */
	if (json_is_null(json_object_get(body, "circle_id")))
		in->circle_id = "";
	else if ((err = str_field(a, body, "circle_id", &in->circle_id)))
		return err;
	json_t *jt = json_object_get(body, "tags");
	if (jt) {
		if (!json_is_array(jt) || json_array_size(jt) > 64)
			return "\"tags\" must be an array of strings.";
		size_t n = json_array_size(jt);
		const char **tags = arena_alloc(a, (n ? n : 1) * sizeof(*tags));
		for (size_t i = 0; i < n; i++) {
			json_t *t = json_array_get(jt, i);
			if (!json_is_string(t) || strlen(json_string_value(t)) != json_string_length(t))
				return "\"tags\" must be an array of strings.";
			tags[i] = arena_strdup(a, json_string_value(t));
		}
		in->tags = tags;
		in->ntags = n;
	}
	return NULL;
}

static bool read_input(struct http_req *req, struct http_res *res, json_t *body,
		       struct story_input *in)
{
	const char *err = story_input_from_json(&req->arena, body, in);
	if (err)
		web_json_error(req, res, 422, "invalid", err);
	return !err;
}

int story_err_status(enum story_err e)
{
	switch (e) {
	case STORY_OK: return 200;
	case STORY_BODY_TOO_LARGE: return 413;
	case STORY_CONFLICT: return 409;
	case STORY_STORE: return 500;
	default: return 422;
	}
}

const char *story_err_code(enum story_err e)
{
	return e == STORY_BODY_TOO_LARGE ? "too_large" : e == STORY_STORE ? "internal" :
	       e == STORY_CONFLICT ? "conflict" : "invalid";
}

void api_stories_create(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	struct story_input in = {0};
	struct desk_save ds = {0};
	bool ok = read_input(req, res, body, &in) && desk_read_json(req, res, body, &in, &ds);
	json_decref(body);
	if (!ok)
		return;
	if (!in.title) {
		web_json_error(req, res, 422, "invalid", "\"title\" is required.");
		return;
	}
	struct story_row s;
	enum story_err e = story_create_desk(web_store(req), &req->arena, &web_viewer(req)->user,
					     &in, &ds, &s);
	if (e) {
		web_json_error(req, res, story_err_status(e), story_err_code(e), story_strerror(e));
		return;
	}
	http_res_header(req, res, "Location", arena_printf(&req->arena, "/api/v1/stories/%s", s.id));
	web_json_reply(req, res, 201, story_json(req, &s));
}

static bool load_story(struct http_req *req, struct http_res *res, struct story_row *s)
{
	const char *id = http_req_param(req, "id");
	const struct viewer *v = web_viewer(req);
	if (!id_valid(id) || store_story_get(web_store(req), &req->arena, id, s) ||
	    !audience_may_see_story(web_store(req), v->signed_in ? v->user.id : NULL, s)) {
		web_json_error(req, res, 404, "not_found", "No such story.");
		return false;
	}
	return true;
}

void api_story_get(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (load_story(req, res, &s))
		web_json_reply(req, res, 200, story_json(req, &s));
}

void api_story_patch(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct story_row s;
	if (!load_story(req, res, &s))
		return;
	if (!audience_may_edit_story(web_viewer(req)->user.id, &s)) {
		web_json_error(req, res, 403, "forbidden", "Only the writer can change this story.");
		return;
	}
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	struct story_input in = {0};
	struct desk_save ds = {0};
	bool ok = read_input(req, res, body, &in) && desk_read_json(req, res, body, &in, &ds);
	json_decref(body);
	if (!ok)
		return;
	struct desk_result dr;
	enum story_err e = story_save(web_store(req), &req->arena, &s, &in, &ds, &dr);
	if (desk_save_failed(req, res, &s, e, &dr))
		return;
	web_json_reply(req, res, 200, story_json(req, &s));
}

void api_story_delete(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct story_row s;
	if (!load_story(req, res, &s))
		return;
	if (!audience_may_edit_story(web_viewer(req)->user.id, &s)) {
		web_json_error(req, res, 403, "forbidden", "Only the writer can delete this story.");
		return;
	}
	if (story_trash(web_store(req), &req->arena, &s)) {
		web_json_error(req, res, 500, "internal", "Could not delete the story.");
		return;
	}
	desk_scheduler_poke(); /* the trash changed: its purge time may be sooner */
	res->status = 204;
	res->content_type = NULL;
	web_security_headers(req, res);
}

void api_stories_list(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	struct story_query q = {.viewer_id = v->signed_in ? v->user.id : NULL, .limit = 20};
	const char *author = http_req_query(req, "author");
	struct user_row u;
	if (author) {
		const char *h = handle_normalise(&req->arena, author);
		if (!h || store_user_by_handle(web_store(req), &req->arena, h, &u)) {
			web_json_error(req, res, 404, "not_found", "No writer with that handle.");
			return;
		}
		q.author_id = u.id;
	}
	if (!web_api_page_params(req, res, &q))
		return;
	struct story_list l;
	if (store_story_list(web_store(req), &req->arena, &q, &l)) {
		web_json_error(req, res, 500, "internal", "Could not read stories.");
		return;
	}
	api_story_list_reply(req, res, &l);
}

void api_story_list_reply(struct http_req *req, struct http_res *res, const struct story_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, story_json(req, &l->items[i]));
	json_t *out = json_object();
	json_object_set_new(out, "stories", arr);
	if (l->more && l->n) {
		const struct story_row *last = &l->items[l->n - 1];
		int64_t at = last->published_at ? last->published_at : last->created_at;
		json_object_set_new(out, "next_cursor",
				    json_string(arena_printf(&req->arena, "%lld-%s", (long long)at, last->id)));
	} else {
		json_object_set_new(out, "next_cursor", json_null());
	}
	web_json_reply(req, res, 200, out);
}
