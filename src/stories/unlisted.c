/*
 * unlisted.c - revoking an unlisted story's link (issue 14):
 * POST /api/v1/stories/{id}/unlisted-link gives the story a new key, so
 * the old /u/KEY (and the photo URLs that carry it) answer 404 from the
 * next request on. Leaving "unlisted" retires the key as well
 * (apply_audience() in stories.c), so unlisted -> private -> unlisted
 * never brings an old link back.
 */
#include "audience/audience.h"
#include "core/crypto.h"
#include "web/web.h"
#include "stories/stories_web.h"

#include <string.h>

void api_story_unlisted_link(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	const struct viewer *v = web_viewer(req);
	const char *id = http_req_param(req, "id");
	struct store *st = web_store(req);
	struct story_row s;
	/* Someone else's story is not there at all, as everywhere else. */
	if (!id_valid(id) || store_story_get(st, &req->arena, id, &s) ||
	    !audience_may_edit_story(v->user.id, &s)) {
		web_json_error(req, res, 404, "not_found", "No such story.");
		return;
	}
	if (s.audience != AUDIENCE_UNLISTED) {
		web_json_error(req, res, 409, "not_unlisted",
			   "This story is not unlisted, so it has no link to replace.");
		return;
	}
	char key[17];
	id_new(key);
	enum store_err e = store_story_share_key_set(st, s.id, s.author_id, key);
	if (e == STORE_NOT_FOUND) { /* deleted or made listed meanwhile */
		web_json_error(req, res, 409, "not_unlisted",
			   "This story is not unlisted, so it has no link to replace.");
		return;
	}
	if (e) {
		web_json_error(req, res, 500, "internal", "Could not replace the link.");
		return;
	}
	memcpy(s.share_key, key, sizeof(s.share_key));
	web_json_reply(req, res, 200, story_json(req, &s));
}
