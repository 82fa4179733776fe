/*
 * porting_web.h - the web side of porting/ (issue 19), for the route
 * table: a writer downloads the book of her stories, a reader a public
 * story as a book where its writer lets readers (book.h).
 */
#ifndef QUIRE_PORTING_PORTING_WEB_H
#define QUIRE_PORTING_PORTING_WEB_H

#include "http/http.h"

/* GET /me/book.epub: the signed-in writer's book, everything she
 * published (BOOK_ALL); signed out: to the sign-in page; nothing
 * published: 404. */
void page_my_book(struct http_req *req, struct http_res *res);
/* GET /@{handle}/{slug}/book.epub: one public story as a book, for
 * anyone, when book_story_offered(); 404 otherwise. */
void page_story_book(struct http_req *req, struct http_res *res);
/* POST /settings/book: share=1 lets readers download her public stories
 * as books, anything else stops it; back to /settings. */
void page_book_settings_post(struct http_req *req, struct http_res *res);

#endif
