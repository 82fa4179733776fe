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

/* Her followers from elsewhere, for her followers page: a JSON array of
 * {f_actor, f_name, f_handle} (main.c wires federation's). NULL: none. */
typedef json_t *(*follow_remote_fn)(struct http_req *req, const char *writer_id);
void follow_set_remote_followers(follow_remote_fn fn);

/* Follow state and counts for a writer's profile page (and whether she
 * shows who follows her: followers_shown). */
void follow_profile_context(struct http_req *req, const struct user_row *writer, json_t *ctx);

void page_follow_post(struct http_req *req, struct http_res *res);
void page_following(struct http_req *req, struct http_res *res);
/* GET /@{handle}/followers, and its API twin: who follows her, here and
 * from elsewhere, only when she shows them (store_fed_show_followers_get)
 * or to herself; 404 otherwise. */
void page_followers(struct http_req *req, struct http_res *res);

void api_follows_add(struct http_req *req, struct http_res *res);
void api_follows_remove(struct http_req *req, struct http_res *res);
void api_follows_list(struct http_req *req, struct http_res *res);
void api_followers(struct http_req *req, struct http_res *res);
void api_timeline(struct http_req *req, struct http_res *res);

#endif
