/*
 * slot_page.h - a signed-in page rendered once and shared between the
 * readers it is the same for, with the strings that name the reader (her
 * CSRF token, handle and name) left as slots filled in per request.
 *
 * A handler offers its page with slot_page_offer(): "this page is the
 * same for every signed-in reader of one class for its owner (a story's
 * writer); class_of tells a reader's class, NULL when she would see
 * something of her own". While the offered page renders,
 * web_page_context() puts markers where the reader's strings go, and
 * web_page_render() keeps the marked rendering in the thread's page cache
 * and fills its slots for this reader. The next request for the same path
 * and query, by a reader of the same class, is answered before routing
 * by slot_page_serve(), with no query at all: the path's owner, the
 * reader's class for that owner (asked once per change stamp) and the
 * marked page all come from the cache.
 *
 * Invalidation is the page cache's (web/page_cache.h): every entry
 * belongs to the store change stamp it was made under, so any commit (an
 * edit, a response, a block, a new circle member: whatever could change
 * a page or a reader's class) drops them all on the thread's next
 * request. Requests carrying a flash message, API requests and bearer
 * tokens never take part.
 *
 * The markers hold a random token drawn at start (no one can type one
 * into a story) and are filled with the HTML-escaped value, exactly what
 * the template would have written.
 *
 * QUIRE_SLOT_CHECK=1 in the environment (the test suite sets it): every
 * hit is also rendered in full, and the two must be byte-identical; a
 * difference is printed and aborts the server. A page that depends on the
 * reader in a way her class does not capture fails whichever test meets it.
 */
#ifndef QUIRE_WEB_SLOT_PAGE_H
#define QUIRE_WEB_SLOT_PAGE_H

#include <stdbool.h>

#include "http/http.h"

/* The reader's class for owner_id (the request's viewer is signed in), in
 * static storage or req's arena; NULL: render this page for her alone. */
typedef const char *(*slot_class_fn)(struct http_req *req, const char *owner_id);

enum slot_kind { SLOT_CSRF = 'c', SLOT_HANDLE = 'h', SLOT_NAME = 'n' };

/* Draw the marker token; reads QUIRE_SLOT_CHECK. Once, at start. */
void slot_page_init(void);
/* Before routing (main.c app()): answer from a shared page; true when res
 * is complete. Otherwise the request may offer its page. */
bool slot_page_serve(struct http_req *req, struct http_res *res);
/* The handler: the page about to be rendered with web_page_render() is
 * the same for every reader of one class for owner_id (16 hex). */
void slot_page_offer(struct http_req *req, const char *owner_id, slot_class_fn class_of);
/* For web_page_context(): the marker for kind when this request renders
 * a page to share, else NULL. */
const char *slot_page_marker(struct http_req *req, enum slot_kind kind);
/* For web_page_render(), after the template: keep the marked page and
 * fill its slots in res->body (or, under QUIRE_SLOT_CHECK, compare). */
void slot_page_rendered(struct http_req *req, struct http_res *res);

#endif
