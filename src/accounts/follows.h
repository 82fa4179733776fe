/*
 * follows.h - readers following writers: the follow button, following
 * and followers lists, the signed-in home timeline and the API.
 * The timeline is an ordinary story listing (store_story_list with
 * followed_by), so it shows exactly what the reader may see, circle
 * stories included.
 */
#ifndef QUIRE_ACCOUNTS_FOLLOWS_H
#define QUIRE_ACCOUNTS_FOLLOWS_H

#include <jansson.h>

#include "http/http.h"
#include "store/store.h"

/* Follow state and counts for a writer's profile page. */
void follow_profile_context(struct http_req *req, const struct user_row *writer, json_t *ctx);

void page_follow_post(struct http_req *req, struct http_res *res);
void page_following(struct http_req *req, struct http_res *res);
void page_followers(struct http_req *req, struct http_res *res);

void api_follows_add(struct http_req *req, struct http_res *res);
void api_follows_remove(struct http_req *req, struct http_res *res);
void api_follows_list(struct http_req *req, struct http_res *res);
void api_followers(struct http_req *req, struct http_res *res);
void api_timeline(struct http_req *req, struct http_res *res);

#endif
