/*
 * circles.h - a writer's circles of invited readers: creating them,
 * invitation links (single- or multi-use, expiring, revocable), joining,
 * removing members; and the pages and API routes for all of it.
 *
 * Invitation tokens are 128 random bits; only their SHA-256 is stored.
 * Removing a member or deleting a circle takes effect on the next
 * request: access is looked up per request, never cached in a session.
 */
#ifndef QUIRE_AUDIENCE_CIRCLES_H
#define QUIRE_AUDIENCE_CIRCLES_H

#include <stdbool.h>

#include "http/http.h"
#include "store/store.h"

#define CIRCLE_NAME_MAX 80
#define CIRCLE_INVITE_MAX_DAYS 365

/* Is token a live circle invitation? Fills *c (its circle) if so. */
bool circle_invite_live(struct store *st, struct arena *a, const char *token,
			struct circle_row *c);
/* Join the invitation's circle as user_id, consuming one use. The
 * circle's owner joining her own circle is a no-op success. */
bool circle_invite_accept(struct store *st, struct arena *a, const char *token,
			  const char *user_id, struct circle_row *c)
	__attribute__((warn_unused_result));

void page_circles(struct http_req *req, struct http_res *res);
void page_circles_post(struct http_req *req, struct http_res *res);
void page_circle(struct http_req *req, struct http_res *res);
void page_circle_post(struct http_req *req, struct http_res *res);
void page_invite(struct http_req *req, struct http_res *res);
void page_invite_post(struct http_req *req, struct http_res *res);

void api_circles_create(struct http_req *req, struct http_res *res);
void api_circles_list(struct http_req *req, struct http_res *res);
void api_circle_delete(struct http_req *req, struct http_res *res);
void api_circle_members(struct http_req *req, struct http_res *res);
void api_circle_member_remove(struct http_req *req, struct http_res *res);
void api_circle_invite_create(struct http_req *req, struct http_res *res);
void api_circle_invite_revoke(struct http_req *req, struct http_res *res);
void api_invite_accept(struct http_req *req, struct http_res *res);

#endif
