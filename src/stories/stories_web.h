/*
 * stories_web.h - the web side of stories/ (pages, the JSON API, view data
 * shared by pages, feeds and the API): included by the route table in
 * main.c and by other web code. The rules are in stories.h and desk.h,
 * which include no web code.
 */
#ifndef QUIRE_STORIES_STORIES_WEB_H
#define QUIRE_STORIES_STORIES_WEB_H

#include "http/http.h"
#include "stories/desk.h"
#include "stories/stories.h"

/* The editor form's comma-separated "tags" field into in (absent: in
 * unchanged; more than anyone may have: validation refuses it). */
void story_form_tags(struct http_req *req, struct story_input *in);
/* The editor's "Email it to subscribers" box into in->email. */
void story_form_email(struct http_req *req, struct story_input *in);
/* ---- view data (story_view.c), shared by pages, feeds and the API ---- */
/* The story's tags as a JSON array of strings. New reference. */
json_t *story_tags_json(struct http_req *req, const struct story_row *s);
/* Template data for a story (list item or full page). New reference. */
json_t *story_view(struct http_req *req, const struct story_row *s, bool full);

/* Pages. */
void page_home(struct http_req *req, struct http_res *res);
void page_profile(struct http_req *req, struct http_res *res);
void page_story(struct http_req *req, struct http_res *res);
void page_unlisted(struct http_req *req, struct http_res *res);
void page_write(struct http_req *req, struct http_res *res);
void page_write_post(struct http_req *req, struct http_res *res);
void page_edit(struct http_req *req, struct http_res *res);
void page_edit_post(struct http_req *req, struct http_res *res);
void page_my_stories(struct http_req *req, struct http_res *res);

/* Answer 200 {"stories":[story objects], "next_cursor": "AT-ID"|null}. */
void api_story_list_reply(struct http_req *req, struct http_res *res, const struct story_list *l);
/* The API's story object. New reference. */
json_t *story_json(struct http_req *req, const struct story_row *s);

/* Search: /search?q= and GET /api/v1/search?q=. */
void page_search(struct http_req *req, struct http_res *res);
void api_search(struct http_req *req, struct http_res *res);

/* JSON API. */
void api_stories_create(struct http_req *req, struct http_res *res);
void api_stories_list(struct http_req *req, struct http_res *res);
void api_story_get(struct http_req *req, struct http_res *res);
void api_story_patch(struct http_req *req, struct http_res *res);
void api_story_delete(struct http_req *req, struct http_res *res);
/* POST /api/v1/stories/{id}/unlisted-link: a new key for an unlisted
 * story (the old link stops working); the story object. unlisted.c. */
void api_story_unlisted_link(struct http_req *req, struct http_res *res);


/* ---- the writing desk's web side ---- */
/* desk_input_from_json(), answering 422 and returning false on error. */
bool desk_read_json(struct http_req *req, struct http_res *res, json_t *body,
		    struct story_input *in, struct desk_save *ds);
/* Answer 409: {"error":{...}, "revision":{current, with text},
 * "conflict_revision": id of the kept refused text}. */
void desk_conflict_reply(struct http_req *req, struct http_res *res, const struct story_row *s,
			 const struct desk_result *dr);
/* After a save that returned e: answer its failure (409 with the
 * conflict, or the mapped error) and return true; false when e is
 * STORY_OK and the caller answers. */
bool desk_save_failed(struct http_req *req, struct http_res *res, const struct story_row *s,
		      enum story_err e, const struct desk_result *dr);
/* Add revision_id, publish_at and status "scheduled" to a story object. */
void desk_story_json(struct http_req *req, const struct story_row *s, json_t *o);
/* Read "base_revision", "publish_at" and "status":"scheduled" from a JSON
 * request into ds (and in->status). NULL, or the error message. */
const char *desk_input_from_json(struct arena *a, json_t *body, struct story_input *in,
				 struct desk_save *ds);
/* Editor template data: base revision, autosave and history links,
 * schedule, the script. */
void desk_editor_context(struct http_req *req, json_t *ed, const struct story_row *s);

/* "1 May 2026, 14:02 (Europe/Paris)" when story_id is scheduled to
 * publish (in the signed-in writer's zone), else NULL. */
const char *desk_schedule_label(struct http_req *req, const char *story_id);

/* Desk fields of an editor form post: base_revision, and for action
 * "schedule"/"unschedule" the schedule (publish_at from a datetime-local
 * field plus tz_offset). NULL, or a message for the writer. */
const char *desk_form_input(struct http_req *req, const char *action, struct desk_save *ds);

/* ---- pages and API ---- */
void page_autosave(struct http_req *req, struct http_res *res);
void page_write_autosave(struct http_req *req, struct http_res *res);
void page_history(struct http_req *req, struct http_res *res);
void page_revision(struct http_req *req, struct http_res *res);
void page_revision_restore(struct http_req *req, struct http_res *res);
void page_trash(struct http_req *req, struct http_res *res);
void page_trash_post(struct http_req *req, struct http_res *res);
void api_story_revisions(struct http_req *req, struct http_res *res);
void api_revision_get(struct http_req *req, struct http_res *res);
void api_revision_restore(struct http_req *req, struct http_res *res);
void api_story_restore(struct http_req *req, struct http_res *res);
void api_trash_list(struct http_req *req, struct http_res *res);
/* Held edits: GET|PUT|DELETE /api/v1/stories/{id}/draft and
 * POST /api/v1/stories/{id}/draft/publish; the editor's preview of them. */
void api_story_draft_get(struct http_req *req, struct http_res *res);
void api_story_draft_put(struct http_req *req, struct http_res *res);
void api_story_draft_delete(struct http_req *req, struct http_res *res);
void api_story_draft_publish(struct http_req *req, struct http_res *res);
void page_draft_preview(struct http_req *req, struct http_res *res);
/* The API's draft object. New reference. */
json_t *desk_draft_json(struct http_req *req, const struct story_draft_row *d);

#endif
