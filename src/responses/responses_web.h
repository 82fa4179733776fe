/*
 * responses_web.h - the web side of responses/: the story page's responses
 * section, the pages and the JSON API (response_pages.c, response_api.c).
 * Included by the route table and the story pages; the rules are in
 * responses.h, which includes no web code.
 */
#ifndef QUIRE_RESPONSES_RESPONSES_WEB_H
#define QUIRE_RESPONSES_RESPONSES_WEB_H

#include <jansson.h>

#include "http/http.h"
#include "responses/responses.h"

/* Add the story page's responses section (visible list, form, counts) to ctx. */
void responses_page_context(struct http_req *req, const struct story_row *s, json_t *ctx);
/* Load response {id} and its story, both visible to the request's viewer
 * (response_pages.c; shared with the API). */
enum resp_err response_load(struct http_req *req, const char *id, struct response_row *r,
			    struct story_row *s);

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
