/*
 * desk_pages.c - the HTML side of the writing desk: the autosave
 * endpoints the editor script calls (JSON answers, CSRF-checked), the
 * editor's desk fields (base revision, schedule, history link), the
 * history page with diffs, one revision, restore, and the trash.
 * Everything here is the writer's own: others get 404.
 */
#include "stories/stories_web.h"
#include "audience/audience.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/tz.h"
#include "web/web.h"
#include "stories/markdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the editor ---- */

/* The signed-in writer's time zone, loaded into *z; NULL when she has not
 * chosen one (or it is gone from the system). */
static const char *writer_zone(struct http_req *req, struct tz *z)
{
	const char *name = web_viewer(req)->user.time_zone;
	if (!name || !*name || !tz_load(&req->arena, name, z))
		return NULL;
	return name;
}

/* at as wall-clock time in zone z (UTC without one), through strftime(fmt). */
static const char *local_fmt(struct arena *a, const struct tz *z, int64_t at, const char *fmt)
{
	time_t t = (time_t)(at + (z ? tz_offset_at(z, at) : 0));
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), fmt, &tm);
	return arena_strdup(a, buf);
}

/* "1 May 2026, 14:02 (Europe/Paris)", or in UTC without a zone. */
static const char *local_label(struct arena *a, const struct tz *z, const char *zone, int64_t at)
{
	const char *d = local_fmt(a, z, at, "%d %B %Y, %H:%M");
	return arena_printf(a, "%s (%s)", d[0] == '0' ? d + 1 : d, zone ? zone : "UTC");
}

/* The value of a datetime-local field for at: "2026-05-01T14:02". */
static const char *local_field(struct arena *a, const struct tz *z, int64_t at)
{
	return local_fmt(a, z, at, "%Y-%m-%dT%H:%M");
}

void desk_editor_context(struct http_req *req, json_t *ed, const struct story_row *s)
{
	struct arena *a = &req->arena;
	json_object_set_new(ed, "editor_js", json_string(web_static_url("editor.js")));
	json_object_set_new(ed, "rich_js", json_string(web_static_url("rich.js")));
	json_object_set_new(ed, "editor_css", json_string(web_static_url("editor.css")));
	if (!s) {
		json_object_set_new(ed, "autosave_url", json_string("/write/autosave"));
		return;
	}
	struct store *st = web_store(req);
	struct revision_row cur;
	if (store_revision_current(st, a, s->id, &cur) == STORE_OK)
		json_object_set_new(ed, "base_revision", json_string(cur.id));
	json_object_set_new(ed, "autosave_url", json_string(arena_printf(a, "/edit/%s/autosave", s->id)));
	json_object_set_new(ed, "history_url", json_string(arena_printf(a, "/edit/%s/history", s->id)));
	json_object_set_new(ed, "last_saved_iso", json_string(web_fmt_rfc3339(a, s->updated_at)));
	int64_t at = 0;
	bool draft = s->status == STATUS_DRAFT;
	json_object_set_new(ed, "can_schedule", json_boolean(draft));
	struct tz z;
	const char *zone = writer_zone(req, &z);
	if (zone)
		json_object_set_new(ed, "time_zone", json_string(zone));
	if (draft && store_schedule_get(st, s->id, &at) == STORE_OK && at) {
		json_object_set_new(ed, "scheduled_iso", json_string(web_fmt_rfc3339(a, at)));
		json_object_set_new(ed, "scheduled_label", json_string(local_label(a, zone ? &z : NULL, zone, at)));
		json_object_set_new(ed, "scheduled_local", json_string(local_field(a, zone ? &z : NULL, at)));
	}
}

const char *desk_schedule_label(struct http_req *req, const char *story_id)
{
	int64_t at = 0;
	if (store_schedule_get(web_store(req), story_id, &at) != STORE_OK || !at)
		return NULL;
	struct tz z;
	const char *zone = writer_zone(req, &z);
	return local_label(&req->arena, zone ? &z : NULL, zone, at);
}

/* "YYYY-MM-DDTHH:MM" from a datetime-local field, in the writer's zone:
 * her chosen time zone if she has one; else tz_offset, JavaScript's
 * getTimezoneOffset() (minutes, UTC - local) that the editor script fills
 * in; else UTC. */
static int64_t local_time(struct http_req *req, const char *v, const char *tz_offset)
{
	if (!v || strlen(v) < 16)
		return -1;
	char buf[40];
	snprintf(buf, sizeof(buf), "%.19sZ", v);
	if (strlen(v) == 16)
		snprintf(buf, sizeof(buf), "%.16s:00Z", v);
	int64_t t = desk_parse_rfc3339(buf);
	if (t < 0)
		return -1;
	struct tz z;
	if (writer_zone(req, &z))
		return tz_to_utc(&z, t);
	if (tz_offset && *tz_offset) {
		char *end;
		long off = strtol(tz_offset, &end, 10);
		if (*end || off < -18 * 60 || off > 18 * 60)
			return -1;
		t += (int64_t)off * 60;
	}
	return t;
}

const char *desk_form_input(struct http_req *req, const char *action, struct desk_save *ds)
{
	const char *base = http_req_form(req, "base_revision");
	if (base && *base) {
		if (!id_valid(base))
			return "The form is damaged; please reload the page.";
		ds->base_revision = base;
	}
	if (action && strcmp(action, "schedule") == 0) {
		int64_t at = local_time(req, http_req_form(req, "publish_at"),
					http_req_form(req, "tz_offset"));
		if (at < 0)
			return "Choose a date and time to publish.";
		if (at <= clock_now())
			return "That time has passed; choose a time in the future.";
		ds->set_schedule = true;
		ds->publish_at = at;
	} else if (action && strcmp(action, "unschedule") == 0) {
		ds->set_schedule = true;
		ds->publish_at = 0;
	}
	return NULL;
}

/* ---- autosave (JSON for editor.js) ---- */

static bool autosave_auth(struct http_req *req, struct http_res *res)
{
	web_req(req)->api = true;
	if (!web_viewer(req)->signed_in) {
		web_json_error(req, res, 401, "unauthorized", "You were signed out. Sign in again in "
							  "another tab, then save.");
		return false;
	}
	if (!web_csrf_ok(req)) {
		web_json_error(req, res, 403, "csrf", "This page expired. Copy your text, then reload.");
		return false;
	}
	return true;
}

static void saved_reply(struct http_req *req, struct http_res *res, int status,
			const struct story_row *s, const char *revision_id)
{
	struct arena *a = &req->arena;
	json_t *o = json_object();
	/* Held: saved in the pending draft, readers still have the
	 * published version (editor.js says so). */
	struct story_draft_row d;
	bool held = false;
	if (s->status == STATUS_PUBLISHED &&
	    story_draft_get(web_store(req), a, s, &d, &held))
		held = false;
	json_object_set_new(o, "held", json_boolean(held));
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "revision_id", json_string(revision_id));
	json_object_set_new(o, "saved_at", json_string(web_fmt_rfc3339(a, s->updated_at)));
	json_object_set_new(o, "edit_url", json_string(arena_printf(a, "/edit/%s", s->id)));
	json_object_set_new(o, "autosave_url", json_string(arena_printf(a, "/edit/%s/autosave", s->id)));
	json_object_set_new(o, "history_url", json_string(arena_printf(a, "/edit/%s/history", s->id)));
	web_json_reply(req, res, status, o);
}

void page_autosave(struct http_req *req, struct http_res *res)
{
	if (!autosave_auth(req, res))
		return;
	struct story_row s;
	const char *id = http_req_param(req, "id");
	const struct viewer *v = web_viewer(req);
	if (!id_valid(id) || store_story_get(web_store(req), &req->arena, id, &s) ||
	    !audience_may_edit_story(v->user.id, &s)) {
		web_json_error(req, res, 404, "not_found", "This story is gone (deleted?).");
		return;
	}
	struct story_input in = {0};
	in.title = http_req_form(req, "title");
	if (in.title && !*in.title)
		in.title = NULL; /* an untitled moment keeps the old title */
	in.subtitle = http_req_form(req, "subtitle");
	in.body = http_req_form(req, "body");
	/* Every field of the editor, so leaving the page loses nothing. */
	in.audience = http_req_form(req, "audience");
	in.circle_id = http_req_form(req, "circle_id");
	in.content_note = http_req_form(req, "content_note");
	in.responses = http_req_form(req, "responses");
	in.responders = http_req_form(req, "responders");
	story_form_tags(req, &in);
	story_form_email(req, &in);
	const char *explicit_save = http_req_form(req, "explicit");
	struct desk_save ds = {0};
	ds.autosave = !(explicit_save && strcmp(explicit_save, "1") == 0);
	ds.held = true; /* a published story's edits wait for Update */
	const char *err = desk_form_input(req, NULL, &ds);
	if (err) {
		web_json_error(req, res, 422, "invalid", err);
		return;
	}
	struct desk_result dr = {0};
	enum story_err e = story_save(web_store(req), &req->arena, &s, &in, &ds, &dr);
	if (desk_save_failed(req, res, &s, e, &dr))
		return;
	saved_reply(req, res, 200, &s, dr.revision_id);
}

void page_write_autosave(struct http_req *req, struct http_res *res)
{
	if (!autosave_auth(req, res))
		return;
	struct story_input in = {0};
	in.title = http_req_form(req, "title");
	if (!in.title || !*in.title)
		in.title = "Untitled draft";
	in.subtitle = http_req_form(req, "subtitle");
	in.body = http_req_form(req, "body");
	in.audience = http_req_form(req, "audience");
	in.circle_id = http_req_form(req, "circle_id");
	in.content_note = http_req_form(req, "content_note");
	in.responses = http_req_form(req, "responses");
	in.responders = http_req_form(req, "responders");
	story_form_tags(req, &in);
	story_form_email(req, &in);
	in.status = "draft";
	struct story_row s;
	enum story_err e = story_create(web_store(req), &req->arena, &web_viewer(req)->user, &in, &s);
	if (e) {
		web_json_error(req, res, story_err_status(e), story_err_code(e), story_strerror(e));
		return;
	}
	struct revision_row cur;
	const char *rid = "";
	if (store_revision_current(web_store(req), &req->arena, s.id, &cur) == STORE_OK)
		rid = cur.id;
	saved_reply(req, res, 201, &s, rid);
}

/* ---- history ---- */

static bool require_writer(struct http_req *req, struct http_res *res)
{
	if (web_viewer(req)->signed_in)
		return true;
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/login?return_to=%s", req->path));
	return false;
}

static bool own_story(struct http_req *req, struct http_res *res, const char *id,
		      struct story_row *s)
{
	if (!id_valid(id) || store_story_get(web_store(req), &req->arena, id, s) ||
	    !audience_may_edit_story(web_viewer(req)->user.id, s)) {
		web_error(req, res, 404, "This story does not exist, or it is not yours.");
		return false;
	}
	return true;
}

static const char *kind_label(const char *kind)
{
	static const char *const k[][2] = {
		{"create", "Started"},	{"save", "Saved"},	  {"autosave", "Autosaved"},
		{"publish", "Published"}, {"restore", "Restored"},
		{"conflict", "Not saved: changed elsewhere meanwhile (kept here)"},
		{"scheduled", "Scheduled"},
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(k[i][0], kind) == 0)
			return k[i][1];
	return kind;
}

static const char *when_label(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%d %b %Y, %H:%M:%S UTC", &tm);
	return arena_strdup(a, buf);
}

static json_t *rev_view(struct http_req *req, const struct revision_row *r, const char *cur_id)
{
	struct arena *a = &req->arena;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "kind_label", json_string(kind_label(r->kind)));
	json_object_set_new(o, "is_conflict", json_boolean(strcmp(r->kind, "conflict") == 0));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "word_count", json_integer(r->word_count));
	json_object_set_new(o, "when", json_string(when_label(a, r->saved_at)));
	json_object_set_new(o, "when_iso", json_string(web_fmt_rfc3339(a, r->saved_at)));
	json_object_set_new(o, "url", json_string(arena_printf(a, "/revisions/%s", r->id)));
	json_object_set_new(o, "is_current", json_boolean(cur_id && strcmp(cur_id, r->id) == 0));
	return o;
}

/* Full text of a revision as one string for diffing. */
static const char *rev_text(struct arena *a, const struct revision_row *r)
{
	return arena_printf(a, "# %s\n%s%s\n%s", r->title, r->subtitle[0] ? r->subtitle : "",
			    r->subtitle[0] ? "\n" : "", r->body);
}

void page_history(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct story_row s;
	if (!own_story(req, res, http_req_param(req, "id"), &s))
		return;
	struct store *st = web_store(req);
	struct revision_row *rows, cur;
	size_t n;
	if (store_revision_list(st, &req->arena, s.id, &rows, &n)) {
		web_error(req, res, 500, "Could not read the history.");
		return;
	}
	const char *cid = store_revision_current(st, &req->arena, s.id, &cur) ? NULL : cur.id;
	json_t *ctx = web_page_context(req, "History");
	json_t *arr = json_array();
	const char *from = http_req_query(req, "from"), *to = http_req_query(req, "to");
	for (size_t i = 0; i < n; i++) {
		json_t *o = rev_view(req, &rows[i], cid);
		json_object_set_new(o, "from_checked",
				    json_boolean(from ? !strcmp(from, rows[i].id) : i == 1));
		json_object_set_new(o, "to_checked", json_boolean(to ? !strcmp(to, rows[i].id) : i == 0));
		json_array_append_new(arr, o);
	}
	json_object_set_new(ctx, "revisions", arr);
	json_object_set_new(ctx, "story", story_view(req, &s, false));
	json_object_set_new(ctx, "can_compare", json_boolean(n > 1));
	if (from && to) {
		struct revision_row ra, rb;
		if (!id_valid(from) || !id_valid(to) || store_revision_get(st, &req->arena, from, &ra) ||
		    store_revision_get(st, &req->arena, to, &rb) || strcmp(ra.story_id, s.id) ||
		    strcmp(rb.story_id, s.id)) {
			json_decref(ctx);
			web_error(req, res, 404, "No such revisions of this story.");
			return;
		}
		json_t *diff = json_object();
		json_object_set_new(diff, "from", rev_view(req, &ra, cid));
		json_object_set_new(diff, "to", rev_view(req, &rb, cid));
		json_object_set_new(diff, "lines",
				    desk_diff(rev_text(&req->arena, &ra), rev_text(&req->arena, &rb)));
		json_object_set_new(ctx, "diff", diff);
	}
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "history", ctx);
}

static bool own_revision(struct http_req *req, struct http_res *res, struct revision_row *r,
			 struct story_row *s)
{
	const char *id = http_req_param(req, "id");
	if (!id_valid(id) || store_revision_get(web_store(req), &req->arena, id, r)) {
		web_error(req, res, 404, "There is no such revision.");
		return false;
	}
	return own_story(req, res, r->story_id, s);
}

void page_revision(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct revision_row r, cur;
	struct story_row s;
	if (!own_revision(req, res, &r, &s))
		return;
	const char *cid =
		store_revision_current(web_store(req), &req->arena, s.id, &cur) ? NULL : cur.id;
	json_t *ctx = web_page_context(req, "Revision");
	json_t *rv = rev_view(req, &r, cid);
	json_object_set_new(rv, "subtitle", json_string(r.subtitle));
	json_object_set_new(rv, "body", json_string(r.body));
	struct buf html;
	buf_init(&html, 8 * MD_MAX_BYTES);
	if (md_render(r.body, strlen(r.body), &html) == MD_OK)
		json_object_set_new(rv, "body_html", json_string(buf_str(&html)));
	buf_release(&html);
	json_object_set_new(rv, "base_revision", json_string(cid ? cid : ""));
	json_object_set_new(ctx, "revision", rv);
	json_object_set_new(ctx, "story", story_view(req, &s, false));
	json_object_set_new(ctx, "history_url",
			    json_string(arena_printf(&req->arena, "/edit/%s/history", s.id)));
	if (cid && strcmp(cid, r.id) != 0)
		json_object_set_new(ctx, "compare_url",
				    json_string(arena_printf(&req->arena, "/edit/%s/history?from=%s&to=%s",
							     s.id, r.id, cid)));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "revision", ctx);
}

void page_revision_restore(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct revision_row r;
	struct story_row s;
	if (!own_revision(req, res, &r, &s))
		return;
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	const char *base = http_req_form(req, "base_revision");
	enum story_err e = desk_restore(web_store(req), &req->arena, &s, &r,
					base && *base ? base : NULL, NULL);
	if (e == STORY_CONFLICT) {
		web_error(req, res, 409,
			   "The story changed since you opened this page (in another tab or "
			   "device). Nothing was restored: look at the history again and choose.");
		return;
	}
	if (e) {
		web_error(req, res, e == STORY_STORE ? 500 : 422, story_strerror(e));
		return;
	}
	web_flash(req, res, WEB_FLASH_REVISION_RESTORED, NULL);
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/edit/%s", s.id));
}

/* ---- trash ---- */

void page_trash(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	struct trash_row *rows;
	size_t n;
	if (store_trash_list(web_store(req), &req->arena, web_viewer(req)->user.id, &rows, &n)) {
		web_error(req, res, 500, "Could not read the trash.");
		return;
	}
	json_t *ctx = web_page_context(req, "Trash");
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(rows[i].id));
		json_object_set_new(o, "title", json_string(rows[i].title));
		json_object_set_new(o, "word_count", json_integer(rows[i].word_count));
		json_object_set_new(o, "deleted", json_string(web_fmt_date(&req->arena, rows[i].deleted_at)));
		json_object_set_new(o, "purge", json_string(web_fmt_date(
							 &req->arena, rows[i].deleted_at + desk_trash_window())));
		json_array_append_new(arr, o);
	}
	json_object_set_new(ctx, "stories", arr);
	json_object_set_new(ctx, "has_stories", json_boolean(n > 0));
	json_object_set_new(ctx, "days", json_integer((json_int_t)(desk_trash_window() / 86400)));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "trash", ctx);
}

void page_trash_post(struct http_req *req, struct http_res *res)
{
	if (!require_writer(req, res))
		return;
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	const char *action = http_req_form(req, "action");
	const char *id = http_req_form(req, "id");
	const char *me = web_viewer(req)->user.id;
	struct store *st = web_store(req);
	if (action && !strcmp(action, "restore") && id && id_valid(id)) {
		enum store_err e = story_untrash(st, &req->arena, id, me);
		if (e) {
			web_error(req, res, e == STORE_NOT_FOUND ? 404 : 500,
				   "That story is not in your trash.");
			return;
		}
		desk_scheduler_poke();
		web_flash(req, res, WEB_FLASH_RESTORED, NULL);
		http_res_redirect(req, res, 303, "/me/trash");
		return;
	}
	bool all = action && !strcmp(action, "empty");
	if ((action && !strcmp(action, "purge") && id && id_valid(id)) || all) {
		if (!web_confirmed(req)) {
			const char *fields[] = {"action", action, "id", id ? id : ""};
			web_confirm_render(req, res, all ? "Empty the trash?" : "Delete this story for good?",
					   all ? "Every story in the trash, with its photos and history, is "
						 "deleted for good. This cannot be undone." :
						 "The story, its photos and its history are deleted for "
						 "good. This cannot be undone.",
					   "/me/trash", fields, all ? 1 : 2,
					   all ? "Empty the trash" : "Delete for good", "/me/trash");
			return;
		}
		if (desk_trash_purge(st, INT64_MAX, me, all ? NULL : id)) {
			web_error(req, res, 500, "Could not empty the trash.");
			return;
		}
		web_flash(req, res, WEB_FLASH_PURGED, NULL);
		http_res_redirect(req, res, 303, "/me/trash");
		return;
	}
	web_error(req, res, 400, "Unknown action.");
}
