/*
 * circles_web.h - the pages and JSON API of circles (circle_pages.c,
 * circle_api.c), for the route table.
 */
#ifndef QUIRE_CIRCLES_CIRCLES_WEB_H
#define QUIRE_CIRCLES_CIRCLES_WEB_H

#include <stdbool.h>

#include "http/http.h"
#include "store/store.h"

/* The viewer's own circle {id} into *c, or answer (401/303 when signed
 * out, 404 for anyone but its owner; JSON when api) and return false. */
bool circle_own(struct http_req *req, struct http_res *res, struct circle_row *c, bool api);

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
/* Invitations by handle (circles.h): the writer's side, then the reader's
 * (POST /api/v1/invitations/{id}/{answer}, answer accept or decline). */
void api_circle_invitations(struct http_req *req, struct http_res *res);
void api_circle_invitation_create(struct http_req *req, struct http_res *res);
void api_circle_invitation_withdraw(struct http_req *req, struct http_res *res);
void api_my_invitations(struct http_req *req, struct http_res *res);
void api_my_invitation_answer(struct http_req *req, struct http_res *res);

#endif
