/*
 * story_view.c - a story as data for others to show: template data for
 * pages (story_view), the API's story object (story_json) and its tags.
 * Used by several handlers, so it lives here, not in a page file. What
 * of the content a viewer gets is render/'s decision.
 */
#include "audience/audience.h"
#include "render/render.h"
#include "responses/responses_web.h"
#include "web/web.h"
#include "stories/stories_web.h"

#include <string.h>

json_t *story_tags_json(struct http_req *req, const struct story_row *s)
{
	const char **tags;
	size_t n = 0;
	json_t *arr = json_array();
	if (store_tags_get(web_store(req), &req->arena, s->id, &tags, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, json_string(tags[i]));
	return arr;
}

json_t *story_view(struct http_req *req, const struct story_row *s, bool full)
{
	struct arena *a = &req->arena;
	const struct viewer *v = web_viewer(req);
	json_t *o = json_object();
	int64_t when = s->published_at ? s->published_at : s->created_at;
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "title", json_string(s->title));
	json_object_set_new(o, "subtitle", json_string(s->subtitle));
	json_object_set_new(o, "url", json_string(story_path(a, s)));
	json_object_set_new(o, "author_handle", json_string(s->author_handle));
	json_object_set_new(o, "author_name", json_string(s->author_name));
	json_object_set_new(o, "author_url", json_string(arena_printf(a, "/@%s", s->author_handle)));
	json_object_set_new(o, "date", json_string(web_fmt_date(a, when)));
	json_object_set_new(o, "date_iso", json_string(web_fmt_rfc3339(a, when)));
	json_object_set_new(o, "reading_minutes", json_integer(story_reading_minutes(s->word_count)));
	json_object_set_new(o, "word_count", json_integer(s->word_count));
	json_object_set_new(o, "excerpt", json_string(s->excerpt));
	if (!full) {
		const char *thumb = render_list_thumb(req, s);
		if (thumb)
			json_object_set_new(o, "thumb", json_string(thumb));
	}
	json_object_set_new(o, "is_draft", json_boolean(s->status == STATUS_DRAFT));
	json_object_set_new(o, "audience", json_string(story_audience_name(s->audience)));
	json_object_set_new(o, "is_public", json_boolean(s->audience == AUDIENCE_PUBLIC));
	if (s->audience != AUDIENCE_PUBLIC) {
		const char *label = s->audience == AUDIENCE_UNLISTED ? "Unlisted: anyone with the link" :
				    s->audience == AUDIENCE_CIRCLE ? "Circle: invited readers only" :
				    "Private: only you";
		json_object_set_new(o, "audience_label", json_string(label));
	}
	if (s->content_note[0])
		json_object_set_new(o, "content_note", json_string(s->content_note));
	if (s->edited_at) {
		json_object_set_new(o, "edited_date", json_string(web_fmt_date(a, s->edited_at)));
		json_object_set_new(o, "edited_iso", json_string(web_fmt_rfc3339(a, s->edited_at)));
	}
	if (v->signed_in && audience_may_edit_story(v->user.id, s)) {
		json_object_set_new(o, "can_edit", json_true());
		json_object_set_new(o, "edit_url", json_string(arena_printf(a, "/edit/%s", s->id)));
		/* In her own lists the writer sees at a glance who each story
		 * is for; nobody else gets these badges. */
		json_t *badges = json_array();
		if (s->status == STATUS_DRAFT)
			json_array_append_new(badges, json_pack("{s:s,s:s}", "badge", "Draft", "kind", "draft"));
		if (s->audience != AUDIENCE_PUBLIC)
			json_array_append_new(badges, json_pack(
				"{s:s,s:s}", "badge",
				s->audience == AUDIENCE_UNLISTED ? "Unlisted" :
				s->audience == AUDIENCE_CIRCLE ? "Circle" : "Private",
				"kind", story_audience_name(s->audience)));
		json_object_set_new(o, "has_badges", json_boolean(json_array_size(badges) > 0));
		json_object_set_new(o, "badges", badges);
	}
	if (full) {
		/* Stored HTML came from our renderer: valid UTF-8, no need to re-check. */
		json_object_set_new(o, "body_html", json_stringn_nocheck(s->body_html, strlen(s->body_html)));
		json_t *tags = story_tags_json(req, s), *tv = json_array();
		for (size_t i = 0; i < json_array_size(tags); i++)
			json_array_append_new(tv, json_pack("{s:O}", "tag", json_array_get(tags, i)));
		json_object_set_new(o, "tag_list", tv);
		json_object_set_new(o, "has_tags", json_boolean(json_array_size(tags) > 0));
		json_decref(tags);
	}
	return o;
}

json_t *story_json(struct http_req *req, const struct story_row *s)
{
	struct arena *a = &req->arena;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "slug", json_string(s->slug));
	json_object_set_new(o, "url", json_string(web_url(req, story_path(a, s))));
	json_object_set_new(o, "title", json_string(s->title));
	json_object_set_new(o, "subtitle", json_string(s->subtitle));
	json_object_set_new(o, "body", json_string(render_story_source(req, s)));
	json_object_set_new(o, "html", json_string(render_story_html(req, s, RENDER_API)));
	json_object_set_new(o, "excerpt", json_string(s->excerpt));
	json_object_set_new(o, "status", json_string(story_status_name(s->status)));
	json_object_set_new(o, "published_at",
			    s->published_at ? json_string(web_fmt_rfc3339(a, s->published_at)) : json_null());
	json_object_set_new(o, "created_at", json_string(web_fmt_rfc3339(a, s->created_at)));
	json_object_set_new(o, "updated_at", json_string(web_fmt_rfc3339(a, s->updated_at)));
	json_object_set_new(o, "edited_at",
			    s->edited_at ? json_string(web_fmt_rfc3339(a, s->edited_at)) : json_null());
	json_object_set_new(o, "word_count", json_integer(s->word_count));
	json_object_set_new(o, "reading_minutes", json_integer(story_reading_minutes(s->word_count)));
	json_object_set_new(o, "audience", json_string(story_audience_name(s->audience)));
	json_object_set_new(o, "circle_id", s->circle_id[0] ? json_string(s->circle_id) : json_null());
	json_object_set_new(o, "content_note", json_string(s->content_note));
	json_object_set_new(o, "tags", story_tags_json(req, s));
	json_object_set_new(o, "responses", json_string(s->responses));
	json_object_set_new(o, "responders", json_string(s->responders));
	json_object_set_new(o, "response_count", json_integer(responses_count(web_store(req), s)));
	json_object_set_new(o, "author", json_pack("{s:s,s:s}", "handle", s->author_handle, "name",
						   s->author_name));
	json_object_set_new(o, "canonical_url", s->canonical_url && s->canonical_url[0] ?
							json_string(s->canonical_url) : json_null());
	desk_story_json(req, s, o);
	return o;
}
