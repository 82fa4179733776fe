/*
 * responses.h - readers' responses to a story, on the writer's terms:
 * per-story policy (open / held for approval / off; any signed-in reader
 * or circle members only), approval, hiding, deletion, blocking, muted
 * words, reports and rate limits; the pages and JSON API for all of it.
 *
 * Who sees a response: the story's writer sees every response on her
 * stories. Everyone else sees a response only when they may see the story
 * (audience/), it is visible (not pending or hidden), its author is not
 * blocked by the writer, and its parent, for a reply, passes the same
 * test. Counts follow the same rule.
 */
#ifndef QUIRE_RESPONSES_RESPONSES_H
#define QUIRE_RESPONSES_RESPONSES_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"
#include "store/store.h"

#define RESPONSE_MAX_CHARS 5000
#define RESPONSE_MAX_BYTES 20000

enum resp_err {
	RESP_OK = 0,
	RESP_NOT_FOUND,    /* no such story/response for this viewer */
	RESP_SIGN_IN,      /* responding needs an account */
	RESP_CLOSED,       /* the writer turned responses off */
	RESP_NOT_ALLOWED,  /* circle members only, or blocked */
	RESP_EMPTY,
	RESP_TOO_LONG,
	RESP_BAD_TEXT,
	RESP_BAD_PARENT,   /* parent missing, on another story, or itself a reply */
	RESP_RATE_LIMITED,
	RESP_STORE,
};
const char *resp_strerror(enum resp_err e);

bool responses_policy_valid(const char *responses, const char *responders);

/* Whether viewer may respond to story s at all (not counting rate limits). */
enum resp_err response_may_post(struct store *st, const struct user_row *viewer,
				const struct story_row *s);

/* Add the story page's responses section (visible list, form, counts) to ctx. */
void responses_page_context(struct http_req *req, const struct story_row *s, json_t *ctx);
/* Visible responses on s for counts in lists and the API. */
int64_t responses_count(struct store *st, const struct story_row *s);

void page_response_post(struct http_req *req, struct http_res *res);
void page_response_action(struct http_req *req, struct http_res *res);
void page_response_edit(struct http_req *req, struct http_res *res);
void page_moderation(struct http_req *req, struct http_res *res);
void page_response_settings(struct http_req *req, struct http_res *res);
void page_response_settings_post(struct http_req *req, struct http_res *res);

void api_story_responses(struct http_req *req, struct http_res *res);
void api_story_respond(struct http_req *req, struct http_res *res);
void api_response_patch(struct http_req *req, struct http_res *res);
void api_response_delete(struct http_req *req, struct http_res *res);
void api_response_approve(struct http_req *req, struct http_res *res);
void api_response_hide(struct http_req *req, struct http_res *res);
void api_response_unhide(struct http_req *req, struct http_res *res);
void api_response_report(struct http_req *req, struct http_res *res);
void api_blocks_list(struct http_req *req, struct http_res *res);
void api_blocks_add(struct http_req *req, struct http_res *res);
void api_blocks_remove(struct http_req *req, struct http_res *res);
void api_muted_get(struct http_req *req, struct http_res *res);
void api_muted_put(struct http_req *req, struct http_res *res);

#endif
