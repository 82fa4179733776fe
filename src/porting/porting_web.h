/*
 * porting_web.h - the web side of porting/ (issue 19): the import page
 * at /settings/import, where a signed-in writer uploads an export and
 * watches it come in, and the worker that runs those imports off the
 * request threads. Only the route table (main.c) includes this.
 *
 * An upload is kept under the data directory (imports/) and queued in
 * the store (store_import_job_add) in the request that received it; a
 * worker thread per process claims queued jobs with a lease, runs them
 * through import_export() and writes the report back. A process that
 * dies mid-import leaves its job to be claimed again when the lease runs
 * out: imports are idempotent, so nothing comes in twice.
 *
 * And the books (book.h): a writer downloads the book of her stories, a
 * reader a public story as a book where its writer lets readers; and the
 * settings page's "Download everything" (export.h).
 */
#ifndef QUIRE_PORTING_PORTING_WEB_H
#define QUIRE_PORTING_PORTING_WEB_H

#include "http/http.h"

#include <stdbool.h>

/* Whether req's body is an export upload to stream to a file (sp set). */
bool import_spool(const struct http_req *req, struct http_spool *sp);

void page_import(struct http_req *req, struct http_res *res);            /* GET /settings/import */
void page_import_post(struct http_req *req, struct http_res *res);       /* POST /settings/import */
void page_import_photos_post(struct http_req *req, struct http_res *res); /* POST /settings/import/photos */
void page_import_job(struct http_req *req, struct http_res *res);        /* GET /settings/import/{id} */

/* The workers: n threads (at most IMPORT_WORKERS_MAX; 0: this server
 * queues uploads and another app server imports them), started before
 * serving, stopped after (each finishes the post it is on and leaves the
 * rest of its job for the next start). allow_private lets imports fetch
 * images from private addresses (tests). False: not all n started (those
 * that did run). */
#define IMPORT_WORKERS_MAX 8
bool import_worker_start(unsigned n, bool allow_private);
void import_worker_stop(void);

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

/* POST /settings/export (csrf): the signed-in account's own export as a
 * zip attachment; 401 for anyone else, 403 without the form's token. */
void page_settings_export_post(struct http_req *req, struct http_res *res);

#endif
