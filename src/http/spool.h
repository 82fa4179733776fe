/*
 * spool.h - private to src/http/: streams a multipart/form-data body into
 * an anonymous temporary file (the one file part) and the request's form
 * (every other part), with the caps of a struct http_spool. The parsing
 * is libmicrohttpd's post processor; this module adds the caps, the file
 * and the error statuses. Not for use outside src/http/server.c.
 *
 * Errors are HTTP statuses with a short English message: 415 for a body
 * that is not multipart/form-data, 400 for a missing boundary or a
 * malformed body, 413 past a cap, 500 when the temporary file cannot be
 * made or written. After an error the spool stays valid and only
 * spool_free() is useful.
 */
#ifndef QUIRE_HTTP_SPOOL_H
#define QUIRE_HTTP_SPOOL_H

#include "http/http.h"

struct spool;

/* Start spooling req's body. On success returns the spool; on failure
 * NULL with *status and *msg set. conn is the MHD connection. */
struct spool *spool_begin(struct http_req *req, void *conn, const struct http_spool *sp,
			  int *status, const char **msg);
/* Feed n body bytes; 0, or an error status with *msg set. */
int spool_feed(struct spool *s, const char *data, size_t n, const char **msg);
/* The body is complete: fill req->form and req->upload. 0 or a status. */
int spool_finish(struct spool *s, struct http_req *req, const char **msg);
/* Close the file and free everything; NULL is ignored. */
void spool_free(struct spool *s);

#endif
