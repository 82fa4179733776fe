/*
 * desk_api.c - the JSON side of the writing desk: revision history and
 * restore, restore from trash, the trash list, and the desk fields of
 * story objects and story requests (revision_id, base_revision,
 * "scheduled" + publish_at). Only the writer sees revisions and trash;
 * to everyone else they do not exist (404).
 */
#include "stories/stories_web.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "web/web.h"

#include <string.h>

/* Scheduled times may be this far in the past (a slow client, a clock a
 * little behind): they publish at once. Further back is a mistake. */
#define DESK_PAST_SLACK 300

void desk_story_json(struct http_req *req, const struct story_row *s, json_t *o)
{
	struct store *st = web_store(req);
	struct revision_row cur;
	bool have = store_revision_current(st, &req->arena, s->id, &cur) == STORE_OK;
	json_object_set_new(o, "revision_id", have ? json_string(cur.id) : json_null());
	int64_t at = 0;
	if (s->status == STATUS_DRAFT && store_schedule_get(st, s->id, &at) != STORE_OK)
		at = 0;
	json_object_set_new(o, "publish_at", at ? json_string(web_fmt_rfc3339(&req->arena, at)) : json_null());
	if (at)
		json_object_set_new(o, "status", json_string("scheduled"));
	/* The pending draft is the writer's alone. */
	const struct viewer *v = web_viewer(req);
	if (v->signed_in && audience_may_edit_story(v->user.id, s)) {
		struct story_draft_row d;
		bool has = false;
		if (story_draft_get(st, &req->arena, s, &d, &has) == STORY_OK && has)
			json_object_set_new(o, "draft", desk_draft_json(req, &d));
		else
			json_object_set_new(o, "draft", json_null());
	}
}

json_t *desk_draft_json(struct http_req *req, const struct story_draft_row *d)
{
	json_t *tags = json_array();
	for (size_t i = 0; i < d->ntags; i++)
		json_array_append_new(tags, json_string(d->tags[i]));
	json_t *o = json_object();
	json_object_set_new(o, "title", json_string(d->title));
	json_object_set_new(o, "subtitle", json_string(d->subtitle));
	json_object_set_new(o, "body", json_string(d->body));
	json_object_set_new(o, "audience", json_string(d->audience));
	json_object_set_new(o, "circle_id", d->circle_id[0] ? json_string(d->circle_id) : json_null());
	json_object_set_new(o, "content_note", json_string(d->content_note));
	json_object_set_new(o, "responses", json_string(d->responses));
	json_object_set_new(o, "responders", json_string(d->responders));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "updated_at", json_string(web_fmt_rfc3339(&req->arena, d->updated_at)));
	json_object_set_new(o, "revision_id", d->revision_id[0] ? json_string(d->revision_id) : json_null());
	json_object_set_new(o, "preview_url", json_string(web_url(req, arena_printf(
		&req->arena, "/edit/%s/preview", d->story_id))));
	return o;
}

const char *desk_input_from_json(struct arena *a, json_t *body, struct story_input *in,
				 struct desk_save *ds)
{
	json_t *v = json_object_get(body, "base_revision");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || !id_valid(json_string_value(v)))
			return "\"base_revision\" is a revision id (16 hex characters).";
		ds->base_revision = arena_strdup(a, json_string_value(v));
	}
	v = json_object_get(body, "publish_at");
	bool scheduled = in->status && strcmp(in->status, "scheduled") == 0;
	if (v && !json_is_null(v) && !scheduled)
		return "\"publish_at\" goes with \"status\":\"scheduled\".";
	if (scheduled) {
		if (!v || !json_is_string(v))
			return "\"status\":\"scheduled\" needs \"publish_at\" (RFC 3339, e.g. "
			       "\"2026-05-01T09:00:00+02:00\").";
		int64_t at = desk_parse_rfc3339(json_string_value(v));
		if (at < 0)
			return "\"publish_at\" is an RFC 3339 time, e.g. \"2026-05-01T09:00:00+02:00\".";
		if (at < clock_now() - DESK_PAST_SLACK)
			return "\"publish_at\" is in the past.";
		in->status = "draft";
		ds->set_schedule = true;
		ds->publish_at = at;
	} else if (in->status) {
		ds->set_schedule = true; /* draft or published: no schedule */
		ds->publish_at = 0;
	}
	return NULL;
}

bool desk_read_json(struct http_req *req, struct http_res *res, json_t *body,
		    struct story_input *in, struct desk_save *ds)
{
	const char *err = desk_input_from_json(&req->arena, body, in, ds);
	if (err)
		web_json_error(req, res, 422, "invalid", err);
	return !err;
}

/* The viewer's own (live) story id, or answer 404. */
static bool own_story(struct http_req *req, struct http_res *res, const char *id,
		      struct story_row *s)
{
	const struct viewer *v = web_viewer(req);
	if (!id_valid(id) || store_story_get(web_store(req), &req->arena, id, s) ||
	    !audience_may_edit_story(v->user.id, s)) {
		web_json_error(req, res, 404, "not_found", "No such story.");
		return false;
	}
	return true;
}

static json_t *revision_json(struct http_req *req, const struct revision_row *r,
			     const char *current_id, bool full)
{
	struct arena *a = &req->arena;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "story_id", json_string(r->story_id));
	json_object_set_new(o, "created_at", json_string(web_fmt_rfc3339(a, r->created_at)));
	json_object_set_new(o, "saved_at", json_string(web_fmt_rfc3339(a, r->saved_at)));
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "word_count", json_integer(r->word_count));
	json_object_set_new(o, "current", json_boolean(current_id && !strcmp(current_id, r->id)));
	json_object_set_new(o, "restored_from",
			    r->restored_from[0] ? json_string(r->restored_from) : json_null());
	if (full) {
		json_object_set_new(o, "subtitle", json_string(r->subtitle));
		json_object_set_new(o, "body", json_string(r->body));
	}
	return o;
}

void desk_conflict_reply(struct http_req *req, struct http_res *res, const struct story_row *s,
			 const struct desk_result *dr)
{
	struct revision_row cur;
	json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", "conflict", "message",
			      story_strerror(STORY_CONFLICT));
	if (store_revision_current(web_store(req), &req->arena, s->id, &cur) == STORE_OK)
		json_object_set_new(o, "revision", revision_json(req, &cur, cur.id, true));
	json_object_set_new(o, "revision_id", json_string(dr->revision_id));
	json_object_set_new(o, "conflict_revision",
			    dr->conflict_revision[0] ? json_string(dr->conflict_revision) : json_null());
	web_json_reply(req, res, 409, o);
}

bool desk_save_failed(struct http_req *req, struct http_res *res, const struct story_row *s,
		      enum story_err e, const struct desk_result *dr)
{
	if (e == STORY_CONFLICT)
		desk_conflict_reply(req, res, s, dr);
	else if (e)
		web_json_error(req, res, story_err_status(e), story_err_code(e), story_strerror(e));
	return e != STORY_OK;
}

void api_story_revisions(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct story_row s;
	if (!own_story(req, res, http_req_param(req, "id"), &s))
		return;
	struct revision_row *rows, cur;
	size_t n;
	struct store *st = web_store(req);
	if (store_revision_list(st, &req->arena, s.id, &rows, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read the history.");
		return;
	}
	const char *cid = store_revision_current(st, &req->arena, s.id, &cur) ? NULL : cur.id;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, revision_json(req, &rows[i], cid, false));
	web_json_reply(req, res, 200, arr);
}

/* The revision named by {id}, of one of the viewer's live stories. */
static bool own_revision(struct http_req *req, struct http_res *res, struct revision_row *r,
			 struct story_row *s)
{
	const char *id = http_req_param(req, "id");
	if (!id_valid(id) || store_revision_get(web_store(req), &req->arena, id, r)) {
		web_json_error(req, res, 404, "not_found", "No such revision.");
		return false;
	}
	if (!own_story(req, res, r->story_id, s))
		return false;
	return true;
}

void api_revision_get(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct revision_row r, cur;
	struct story_row s;
	if (!own_revision(req, res, &r, &s))
		return;
	const char *cid =
		store_revision_current(web_store(req), &req->arena, s.id, &cur) ? NULL : cur.id;
	web_json_reply(req, res, 200, revision_json(req, &r, cid, true));
}

void api_revision_restore(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct revision_row r;
	struct story_row s;
	if (!own_revision(req, res, &r, &s))
		return;
	/* The body is optional: {"base_revision"} makes the restore refuse
	 * to overwrite a story that changed since the caller looked. */
	const char *base = NULL;
	if (req->body && req->body_len) {
		json_t *body = web_json_body(req, res);
		if (!body)
			return;
		json_t *b = json_object_get(body, "base_revision");
		if (b && !json_is_null(b) && (!json_is_string(b) || !id_valid(json_string_value(b)))) {
			json_decref(body);
			web_json_error(req, res, 422, "invalid", "\"base_revision\" is a revision id.");
			return;
		}
		base = b && json_is_string(b) ? arena_strdup(&req->arena, json_string_value(b)) : NULL;
		json_decref(body);
	}
	struct desk_result dr = {0};
	enum story_err e = desk_restore(web_store(req), &req->arena, &s, &r, base, &dr);
	if (desk_save_failed(req, res, &s, e, &dr))
		return;
	web_json_reply(req, res, 200, story_json(req, &s));
}

void api_story_restore(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	const char *id = http_req_param(req, "id");
	enum store_err e = id_valid(id) ? story_untrash(web_store(req), &req->arena, id,
							web_viewer(req)->user.id) :
					  STORE_NOT_FOUND;
	if (e) {
		web_json_error(req, res, e == STORE_NOT_FOUND ? 404 : 500,
			   e == STORE_NOT_FOUND ? "not_found" : "internal",
			   e == STORE_NOT_FOUND ? "No such story in your trash." :
						  "Could not restore the story.");
		return;
	}
	desk_scheduler_poke();
	struct story_row s;
	if (store_story_get(web_store(req), &req->arena, id, &s)) {
		web_json_error(req, res, 500, "internal", "Could not read the story.");
		return;
	}
	web_json_reply(req, res, 200, story_json(req, &s));
}

void api_trash_list(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct trash_row *rows;
	size_t n;
	if (store_trash_list(web_store(req), &req->arena, web_viewer(req)->user.id, &rows, &n)) {
		web_json_error(req, res, 500, "internal", "Could not read the trash.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct trash_row *t = &rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(t->id));
		json_object_set_new(o, "title", json_string(t->title));
		json_object_set_new(o, "status", json_string(t->status));
		json_object_set_new(o, "word_count", json_integer(t->word_count));
		json_object_set_new(o, "deleted_at", json_string(web_fmt_rfc3339(&req->arena, t->deleted_at)));
		json_object_set_new(o, "purge_at", json_string(web_fmt_rfc3339(
								   &req->arena, t->deleted_at + desk_trash_window())));
		json_array_append_new(arr, o);
	}
	json_t *out = json_object();
	json_object_set_new(out, "stories", arr);
	web_json_reply(req, res, 200, out);
}

/* ---- held edits: /api/v1/stories/{id}/draft ---- */

void api_story_draft_get(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!web_api_require_viewer(req, res) || !own_story(req, res, http_req_param(req, "id"), &s))
		return;
	struct story_draft_row d;
	bool has = false;
	if (story_draft_get(web_store(req), &req->arena, &s, &d, &has)) {
		web_json_error(req, res, 500, "internal", "Could not read the draft.");
		return;
	}
	if (!has) {
		web_json_error(req, res, 404, "not_found",
			   "This story has no pending draft: its published version is current.");
		return;
	}
	web_json_reply(req, res, 200, desk_draft_json(req, &d));
}

void api_story_draft_put(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!web_api_require_viewer(req, res) || !own_story(req, res, http_req_param(req, "id"), &s))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	struct story_input in = {0};
	struct desk_save ds = {0};
	const char *err = story_input_from_json(&req->arena, body, &in);
	if (!err && in.status)
		err = "A draft has no status: publish it with POST /api/v1/stories/{id}/draft/publish.";
	if (!err)
		err = desk_input_from_json(&req->arena, body, &in, &ds);
	json_decref(body);
	if (err) {
		web_json_error(req, res, 422, "invalid", err);
		return;
	}
	/* An unpublished story is all draft: saved as it is, nobody sees it. */
	ds.held = true;
	struct desk_result dr = {0};
	enum story_err e = story_save(web_store(req), &req->arena, &s, &in, &ds, &dr);
	if (desk_save_failed(req, res, &s, e, &dr))
		return;
	web_json_reply(req, res, 200, story_json(req, &s));
}

void api_story_draft_delete(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!web_api_require_viewer(req, res) || !own_story(req, res, http_req_param(req, "id"), &s))
		return;
	if (story_draft_discard(web_store(req), &req->arena, &s, NULL)) {
		web_json_error(req, res, 500, "internal", "Could not discard the draft.");
		return;
	}
	res->status = 204;
	res->content_type = NULL;
	web_security_headers(req, res);
}

void api_story_draft_publish(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!web_api_require_viewer(req, res) || !own_story(req, res, http_req_param(req, "id"), &s))
		return;
	const char *base = NULL;
	if (req->body && req->body_len) {
		json_t *body = web_json_body(req, res);
		if (!body)
			return;
		struct story_input ignored = {0};
		struct desk_save ds = {0};
		const char *err = desk_input_from_json(&req->arena, body, &ignored, &ds);
		json_decref(body);
		if (err) {
			web_json_error(req, res, 422, "invalid", err);
			return;
		}
		base = ds.base_revision;
	}
	struct desk_result dr = {0};
	enum story_err e = story_draft_publish(web_store(req), &req->arena, &s, base, &dr);
	if (desk_save_failed(req, res, &s, e, &dr))
		return;
	web_json_reply(req, res, 200, story_json(req, &s));
}
