/*
 * admin_web.h - the administrator's pages (/admin; admin_pages.c and,
 * for the site's identity and sign-up, account_pages.c).
 */
#ifndef QUIRE_ACCOUNTS_ADMIN_WEB_H
#define QUIRE_ACCOUNTS_ADMIN_WEB_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"

/* Whether the viewer is a signed-in administrator; else it answered
 * (303 to sign in, or 403). */
bool admin_page_allowed(struct http_req *req, struct http_res *res);
/* The parts of /admin that admin_pages.c fills: open invitations,
 * storage, the outbox, and the sections' links. */
void admin_overview_context(struct http_req *req, json_t *ctx);

void page_admin_users(struct http_req *req, struct http_res *res);
void page_admin_user(struct http_req *req, struct http_res *res);
void page_admin_user_post(struct http_req *req, struct http_res *res);
void page_admin_reports(struct http_req *req, struct http_res *res);
void page_admin_reports_post(struct http_req *req, struct http_res *res);
void page_admin_audit(struct http_req *req, struct http_res *res);

#endif
