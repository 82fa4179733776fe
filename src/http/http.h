/*
 * http.h - the HTTP layer: requests, responses, routing and the server.
 *
 * This is the only module that talks to libmicrohttpd. It knows nothing
 * of the product: the application hands it one callback (http_app_fn)
 * that receives a fully read, size-checked request and fills a response.
 *
 * Ownership: a request owns an arena (req->arena) that lives from the
 * first byte until the response has been queued; everything reachable
 * from the request and response is allocated there, except the response
 * body buffer, which the server hands to libmicrohttpd without copying.
 *
 * Threading: the server runs a pool of worker threads in poll mode; each
 * request is handled entirely on one worker (a deferred one, see
 * http_req_defer, holds none while it waits). Per-thread application state
 * (a database connection, caches) is created lazily with the thread_init
 * callback and released with thread_done when the server stops.
 */
#ifndef QUIRE_HTTP_HTTP_H
#define QUIRE_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/parse.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

struct http_header {
	const char *name;
	const char *value;
};

/*
 * The file part of a multipart/form-data body that the application asked
 * to have streamed to disk (see http_spool_fn). fd is an anonymous
 * temporary file (already unlinked, so nothing is left behind whatever
 * happens), positioned at 0, or -1 when the body held no such part. The
 * server closes it when the request completes; the application may read
 * it, never close it. filename and content_type are the client's claims,
 * for display only: never trust them.
 */
struct http_upload {
	int fd;
	uint64_t size;
	const char *filename;
	const char *content_type;
};

struct http_req {
	struct arena arena;
	enum http_method method;
	const char *method_name;
	const char *path;         /* raw, undecoded */
	char **segs;              /* decoded path segments */
	size_t nsegs;
	bool trailing_slash;
	struct kvlist query;      /* decoded query arguments */
	struct kvlist cookies;
	struct kvlist form;       /* urlencoded body, when that is the type */
	const char *body;         /* raw body bytes (NUL-terminated), or NULL */
	size_t body_len;
	const char *remote_addr;  /* the client's address (text): the socket peer, or
				   * behind a trusted proxy what its Forwarded /
				   * X-Forwarded-For header says (forwarded_client()) */
	const char *peer_addr;    /* the socket peer's address (text) */
	struct kvlist params;     /* route parameters, filled by the router */
	void *conn;               /* server private */
	void *thread;             /* application's per-thread state */
	void *app;                /* application's per-request state */
	struct http_upload upload; /* spooled file part (multipart routes only) */
};

struct http_shared;

struct http_res {
	int status;
	const char *content_type;
	struct buf body;
	struct http_header *headers;
	size_t nheaders, cap_headers;
	int file_fd;              /* >= 0: send this file instead of body */
	uint64_t file_size;
	struct http_shared *shared; /* set: answer with it (http_res_shared) */
};

/*
 * A response built once and sent many times without copying (the page
 * cache's pages): the status, content type, headers and body of res as
 * they stand, copied once. Its owner frees it with http_shared_free();
 * connections still sending it keep it alive until they are done.
 * NULL if it cannot be made.
 */
struct http_shared *http_shared_new(const struct http_res *res);
/* The same for a file response (http_res_file): the shared response takes
 * res's descriptor (res->file_fd becomes -1) and closes it when its last
 * connection is done. NULL (res unchanged) if it cannot be made. */
struct http_shared *http_shared_new_file(struct http_res *res);
void http_shared_free(struct http_shared *sh);
/* Answer with sh; res's own status, headers and body are not sent. */
void http_res_shared(struct http_res *res, struct http_shared *sh);

/* Answer with the open file fd (size bytes from offset 0) instead of
 * res->body, sent with sendfile where the platform allows. The response
 * takes ownership of fd and closes it, also when it is never sent. */
void http_res_file(struct http_res *res, int fd, uint64_t size);

/* Header value (case-insensitive name) or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
const char *http_req_query(const struct http_req *req, const char *key);
const char *http_req_form(const struct http_req *req, const char *key);
const char *http_req_cookie(const struct http_req *req, const char *key);
const char *http_req_param(const struct http_req *req, const char *key);

/* Add a response header; name and value are copied into the arena. */
void http_res_header(struct http_req *req, struct http_res *res, const char *name,
		     const char *value);
/* Redirect (303 See Other unless status says otherwise). */
void http_res_redirect(struct http_req *req, struct http_res *res, int status,
		       const char *location);

/*
 * Deferred answers, for work that must not hold a worker thread (photo
 * decoding). A handler calls http_req_defer(req, fn, ctx), hands the work
 * to another thread and returns without filling res (nothing of it is
 * sent). The connection is then suspended: it holds no thread, and
 * libmicrohttpd neither times it out nor notices the client leaving, so
 * the application owns the deadline. When the work is done (or given up)
 * that thread calls http_req_resume(req) exactly once, and must not touch
 * req afterwards; fn(req, res, ctx) then runs on the connection's own
 * worker thread (its thread state, its database connection) and fills res
 * like a handler. Every deferral must be resumed before
 * http_server_stop(). ctx is the application's; the server never frees
 * it.
 */
typedef void (*http_resume_fn)(struct http_req *req, struct http_res *res, void *ctx);
void http_req_defer(struct http_req *req, http_resume_fn fn, void *ctx);
void http_req_resume(struct http_req *req);

/* ---- router ---- */

typedef void (*http_handler_fn)(struct http_req *req, struct http_res *res);

/*
 * A route pattern is a path of segments: literal text, "{name}" (any one
 * segment, captured as param name), or "@{name}" (a segment that starts
 * with '@', the rest captured). Example: "/@{handle}/{slug}".
 */
struct http_route {
	unsigned methods; /* mask of enum http_method; GET implies HEAD */
	const char *pattern;
	http_handler_fn fn;
};

enum http_match {
	HTTP_MATCH_OK = 0,
	HTTP_MATCH_NONE,   /* no pattern fits: 404 */
	HTTP_MATCH_METHOD, /* a pattern fits but not this method: 405 */
};

/* Match req against routes[0..n); on OK *out is the route and req->params
 * holds the captures. On HTTP_MATCH_METHOD, *allow is the union of the
 * methods that would have matched. */
enum http_match http_route_match(struct http_req *req, const struct http_route *routes,
				 size_t n, const struct http_route **out, unsigned *allow);

/* "GET, HEAD, POST" for an Allow header, into the arena. */
const char *http_methods_str(struct arena *a, unsigned mask);

/* ---- server ---- */

typedef void (*http_app_fn)(struct http_req *req, struct http_res *res);

struct http_limits {
	size_t max_body;         /* bytes; larger bodies get 413 */
	size_t max_header_bytes; /* per-connection memory for headers */
	unsigned conn_timeout;   /* seconds idle before a connection is closed */
	unsigned max_conns;
	unsigned max_conns_per_ip; /* 0: none. Counted per socket peer, never for
				    * a trusted proxy (a connection is counted
				    * before any header arrives) */
	unsigned threads;
	/* Peers whose Forwarded / X-Forwarded-For headers name the client
	 * (http_req.remote_addr); empty: no peer is believed. The items must
	 * outlive the server. */
	struct net_list trusted_proxies;
};

/*
 * Streaming uploads. For most requests the server reads the body into
 * memory, up to limits.max_body. When the application's spool callback
 * returns true for a request (it sees the method, path and headers, before
 * any body byte), the body must instead be multipart/form-data: the part
 * named field is written to an anonymous temporary file in dir, at most
 * max_file bytes of it, and the other parts become req->form (at most
 * max_fields bytes in all). Errors are answered before the application
 * runs: 415 for another Content-Type, 400 for a missing boundary or a
 * malformed body, 413 past either cap (announced or actual).
 */
struct http_spool {
	const char *dir;
	const char *field;
	uint64_t max_file;
	size_t max_fields;
};
typedef bool (*http_spool_fn)(const struct http_req *req, struct http_spool *sp);

struct http_server_config {
	const char *listen;      /* "127.0.0.1:8080" or "[::1]:8080" */
	struct http_limits limits;
	http_app_fn app;
	void *(*thread_init)(void);     /* per-thread state for req->thread */
	void (*thread_done)(void *);
	/* Called for requests rejected before they reach app (bad path,
	 * too large...), so the application renders its own error page. */
	void (*error)(struct http_req *req, struct http_res *res, int status,
		      const char *message);
	http_spool_fn spool;     /* optional: which bodies stream to a file */
	/* Optional: called once per request when it ends (the arena is still
	 * valid). status is 0 if nothing was answered; complete is false when
	 * the client went away or the connection failed mid-way. */
	void (*log)(struct http_req *req, int status, uint64_t bytes, double ms, bool complete);
	/* Optional: the early answer. For a GET with no query, no body and
	 * no NUL in its headers, called before anything is parsed or
	 * allocated for the request: req has its method, raw path, thread
	 * and an empty arena, http_req_header() works, and the client's
	 * address is there once http_req_addresses() is called; nothing else
	 * is filled. A response returned is sent as it
	 * is (and logged like any other); NULL: the request goes the whole
	 * way (app). For answers that are the same bytes for everyone, such
	 * as the page cache's. */
	struct http_shared *(*early)(struct http_req *req);
};

struct http_server;

/* Fill req->remote_addr and req->peer_addr if they are not yet (an early
 * answer's request, see http_server_config.early). */
void http_req_addresses(struct http_req *req);

/* libmicrohttpd's version ("0.9.75"), for quire --version. */
const char *http_lib_version(void);

/* Start listening; NULL with a message on stderr on failure. */
struct http_server *http_server_start(const struct http_server_config *cfg);
/* Actual bound port (useful with port 0). */
uint16_t http_server_port(const struct http_server *s);
/* Stop accepting, finish in-flight requests, free everything. */
void http_server_stop(struct http_server *s);

#endif
