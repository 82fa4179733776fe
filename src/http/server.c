/*
 * server.c - libmicrohttpd glue: reads a request completely (within
 * limits) into a struct http_req, calls the application, and queues its
 * response. Runs MHD's internal thread pool in poll mode; see DESIGN.md
 * for why poll and not epoll, and why the response is queued only once
 * the whole request has been read (never on the first callback).
 */
#include "http/http.h"
#include "core/mem.h"
#include "http/spool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct thread_state {
	struct thread_state *next;
	void *state;
};

/* Open connections per client address, when the per-address limit is
 * ours rather than libmicrohttpd's (trusted proxies are set, and they
 * must not count). Open addressing, linear probing, deletion by backward
 * shift; at most max_conns live entries in twice as many slots. */
struct ip_slot {
	struct net_addr addr;
	unsigned n; /* 0: empty */
};
struct ip_counts {
	pthread_mutex_t lock;
	struct ip_slot *slots;
	size_t mask;
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_server_config cfg;
	pthread_mutex_t lock;
	struct thread_state *states;
	atomic_int inflight;
	atomic_int suspended;   /* deferred requests waiting for http_req_resume */
	uint16_t port;
	struct ip_counts ips;
};

struct conn_req {
	struct http_req req;
	struct buf body;
	int early_status;       /* nonzero: answer this instead of calling app */
	const char *early_msg;
	bool counted;
	bool drain;             /* read and discard the body, then answer */
	unsigned long long drained;
	struct spool *spool;    /* body streamed to a file (http_spool_fn) */
	struct timespec start;  /* first byte of the request, for the log */
	int status;             /* answered status, 0 if none was queued */
	uint64_t bytes;         /* response body size */
	/* A deferred answer (http_req_defer); the flags under defer_lock. */
	http_resume_fn defer_fn;
	void *defer_ctx;
	bool suspended, resumed;
};

/* Guards the suspended/resumed flags of every conn_req: taken only for a
 * few instructions per deferred request. */
static pthread_mutex_t defer_lock = PTHREAD_MUTEX_INITIALIZER;

/* Bodies announced over the limit but below this are read and thrown
 * away so that clients which send the whole body before reading (most
 * HTTP libraries) still see the 413; larger ones are cut off at once. */
#define DRAIN_MAX ((unsigned long long)32 << 20)

static _Thread_local void *tls_state;

static void *thread_state(struct http_server *s)
{
	if (tls_state || !s->cfg.thread_init)
		return tls_state;
	tls_state = s->cfg.thread_init();
	struct thread_state *ts = xmalloc(sizeof(*ts));
	ts->state = tls_state;
	pthread_mutex_lock(&s->lock);
	ts->next = s->states;
	s->states = ts;
	pthread_mutex_unlock(&s->lock);
	return tls_state;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(const struct http_req *req, const char *key)
{
	return kv_get(&req->query, key);
}

const char *http_req_form(const struct http_req *req, const char *key)
{
	return kv_get(&req->form, key);
}

const char *http_req_cookie(const struct http_req *req, const char *key)
{
	return kv_get(&req->cookies, key);
}

const char *http_req_param(const struct http_req *req, const char *key)
{
	return kv_get(&req->params, key);
}

void http_res_header(struct http_req *req, struct http_res *res, const char *name,
		     const char *value)
{
	if (res->nheaders == res->cap_headers) {
		size_t ncap = res->cap_headers ? res->cap_headers * 2 : 8;
		struct http_header *nh = arena_alloc(&req->arena, ncap * sizeof(*nh));
		if (res->nheaders)
			memcpy(nh, res->headers, res->nheaders * sizeof(*nh));
		res->headers = nh;
		res->cap_headers = ncap;
	}
	res->headers[res->nheaders++] = (struct http_header){
		arena_strdup(&req->arena, name), arena_strdup(&req->arena, value)};
}

void http_res_redirect(struct http_req *req, struct http_res *res, int status,
		       const char *location)
{
	res->status = status ? status : 303;
	http_res_header(req, res, "Location", location);
	buf_reset(&res->body);
	res->content_type = "text/plain; charset=utf-8";
	buf_adds(&res->body, "Redirecting\n");
}

static enum http_method method_of(const char *m)
{
	static const struct { const char *name; enum http_method m; } map[] = {
		{"GET", HTTP_GET}, {"HEAD", HTTP_HEAD}, {"POST", HTTP_POST},
		{"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
		{"OPTIONS", HTTP_OPTIONS},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(m, map[i].name) == 0)
			return map[i].m;
	return HTTP_OTHER;
}

/* Keep the path and query raw: we decode them ourselves, strictly. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

struct query_walk {
	struct http_req *req;
	size_t cap;
	bool bad;
};

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	(void)kind;
	struct query_walk *w = cls;
	struct http_req *req = w->req;
	char *k, *v;
	size_t kl, vl;
	if (req->query.n >= PARSE_MAX_FIELDS ||
	    pct_decode(&req->arena, key, strlen(key), true, &k, &kl) ||
	    pct_decode(&req->arena, value ? value : "", value ? strlen(value) : 0, true, &v, &vl)) {
		w->bad = true;
		return MHD_NO;
	}
	if (req->query.n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		struct kv *ni = arena_alloc(&req->arena, w->cap * sizeof(*ni));
		if (req->query.n)
			memcpy(ni, req->query.items, req->query.n * sizeof(*ni));
		req->query.items = ni;
	}
	req->query.items[req->query.n++] = (struct kv){k, v, vl};
	return MHD_YES;
}

void http_res_file(struct http_res *res, int fd, uint64_t size)
{
	if (res->file_fd >= 0)
		close(res->file_fd);
	res->file_fd = fd;
	res->file_size = size;
}

static void add_headers(struct MHD_Response *r, const struct http_res *res);

/* A file response (http_res_file): MHD sends it with sendfile and closes
 * the descriptor when the response is destroyed. */
static void queue_file(struct MHD_Connection *c, struct http_res *res)
{
	struct MHD_Response *r = MHD_create_response_from_fd(res->file_size, res->file_fd);
	res->file_fd = -1;
	if (!r)
		return;
	add_headers(r, res);
	MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
}

struct http_shared {
	struct MHD_Response *r;
	unsigned status;
	size_t len;
};

static void add_headers(struct MHD_Response *r, const struct http_res *res)
{
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	for (size_t i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
}

struct http_shared *http_shared_new_file(struct http_res *res)
{
	if (res->file_fd < 0)
		return NULL;
	struct http_shared *sh = malloc(sizeof(*sh));
	if (!sh)
		return NULL;
	/* MHD sends an fd response with sendfile() or pread() at its own
	 * offset for each connection: one response serves many at once. */
	sh->r = MHD_create_response_from_fd(res->file_size, res->file_fd);
	if (!sh->r) {
		free(sh);
		return NULL;
	}
	res->file_fd = -1;
	add_headers(sh->r, res);
	sh->status = (unsigned)res->status;
	sh->len = (size_t)res->file_size;
	return sh;
}

/*
 * A shared body is a buffer, whatever its size: libmicrohttpd sends
 * headers and body in one writev(). From a file (or a memfd) 0.9.75
 * sends the headers alone, pushed, and the body with sendfile() after:
 * two segments and an extra ACK per answer, measured 10% slower for the
 * 47 KB feed and 17% for a 400 KB page, against the one copy a buffer
 * costs (docs/performance.md, fifth round).
 */
struct http_shared *http_shared_new(const struct http_res *res)
{
	if (res->file_fd >= 0 || buf_failed(&res->body))
		return NULL;
	struct http_shared *sh = malloc(sizeof(*sh));
	char *copy = malloc(res->body.len ? res->body.len : 1);
	if (!sh || !copy) {
		free(sh);
		free(copy);
		return NULL;
	}
	memcpy(copy, buf_str(&res->body), res->body.len);
	/* The response owns the copy: freed with its last reference. */
	sh->r = MHD_create_response_from_buffer_with_free_callback(res->body.len, copy, free);
	if (!sh->r) {
		free(copy);
		free(sh);
		return NULL;
	}
	add_headers(sh->r, res);
	sh->status = (unsigned)res->status;
	sh->len = res->body.len;
	return sh;
}

void http_shared_free(struct http_shared *sh)
{
	if (!sh)
		return;
	MHD_destroy_response(sh->r);
	free(sh);
}

void http_res_shared(struct http_res *res, struct http_shared *sh)
{
	res->shared = sh;
}

static void queue(struct http_server *s, struct MHD_Connection *c, struct http_req *req,
		  struct http_res *res)
{
	(void)s;
	/* req is the first member of its conn_req: record what we answer. */
	struct conn_req *cr = (struct conn_req *)(void *)req;
	if (res->shared) {
		cr->status = (int)res->shared->status;
		cr->bytes = res->shared->len;
		MHD_queue_response(c, res->shared->status, res->shared->r);
		return;
	}
	cr->status = res->status;
	cr->bytes = res->file_fd >= 0 && res->status == 200 ? res->file_size : res->body.len;
	if (res->file_fd >= 0) {
		if (res->status == 200) {
			queue_file(c, res);
			return;
		}
		close(res->file_fd); /* 304 and errors carry no file */
		res->file_fd = -1;
	}
	size_t len;
	char *data = buf_detach(&res->body, &len);
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, data, free);
	if (!r) {
		free(data);
		return;
	}
	add_headers(r, res);
	(void)req;
	MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
}

static void res_init(struct http_res *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	res->file_fd = -1;
	buf_init(&res->body, 0);
}

static void answer_error(struct http_server *s, struct MHD_Connection *c, struct conn_req *cr,
			 int status, const char *msg)
{
	struct http_res res;
	res_init(&res);
	if (s->cfg.error) {
		cr->req.thread = thread_state(s);
		s->cfg.error(&cr->req, &res, status, msg);
	} else {
		res.status = status;
		res.content_type = "text/plain; charset=utf-8";
		buf_adds(&res.body, msg);
	}
	queue(s, c, &cr->req, &res);
	buf_release(&res.body);
}

void http_req_defer(struct http_req *req, http_resume_fn fn, void *ctx)
{
	struct conn_req *cr = (struct conn_req *)(void *)req;
	cr->defer_fn = fn;
	cr->defer_ctx = ctx;
}

void http_req_resume(struct http_req *req)
{
	struct conn_req *cr = (struct conn_req *)(void *)req;
	pthread_mutex_lock(&defer_lock);
	cr->resumed = true;
	bool suspended = cr->suspended;
	pthread_mutex_unlock(&defer_lock);
	/* Not suspended yet: the handler's thread sees resumed and answers at
	 * once. Otherwise wake the connection (outside our lock, so that it
	 * never nests inside libmicrohttpd's); its thread calls on_request
	 * again, which answers. cr stays valid until then. */
	if (suspended)
		MHD_resume_connection(req->conn);
}

/* The deferred work is done: let the application fill the answer, on
 * this connection's own thread, and queue it. */
static void answer_deferred(struct http_server *s, struct MHD_Connection *c, struct conn_req *cr)
{
	struct http_res res;
	res_init(&res);
	http_resume_fn fn = cr->defer_fn;
	cr->defer_fn = NULL;
	fn(&cr->req, &res, cr->defer_ctx);
	queue(s, c, &cr->req, &res);
	buf_release(&res.body);
}

struct framing {
	int content_length, transfer_encoding;
	bool chunked_only, nul;
};

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct framing *f = cls;
	if (strlen(key) != key_size || (value && strlen(value) != value_size))
		f->nul = true;
	if (strcasecmp(key, "Content-Length") == 0)
		f->content_length++;
	if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->transfer_encoding++;
		f->chunked_only = value && strcasecmp(value, "chunked") == 0;
	}
	return MHD_YES;
}

/* A message for the status in *status when the request's framing is one
 * that proxies and servers may read differently (RFC 9112 6.1, 6.3): both
 * Content-Length and Transfer-Encoding, Content-Length twice, a transfer
 * coding other than plain "chunked"; or a header holding NUL. NULL when
 * the request is fine. */
static const char *framing_problem(struct MHD_Connection *c, int *status)
{
	struct framing f = {0, 0, false, false};
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, framing_header, &f);
	*status = 400;
	if (f.nul)
		return "A request header holds a NUL byte.";
	if (f.content_length > 1)
		return "More than one Content-Length.";
	if (f.content_length && f.transfer_encoding)
		return "Both Content-Length and Transfer-Encoding.";
	if (f.transfer_encoding > 1 || (f.transfer_encoding && !f.chunked_only)) {
		*status = 501;
		return "Only the chunked transfer coding is supported.";
	}
	return NULL;
}

static bool sockaddr_addr(const struct sockaddr *sa, struct net_addr *out)
{
	if (sa->sa_family == AF_INET) {
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		memcpy(out->b, mapped, 12);
		memcpy(out->b + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* The socket peer of connection c; false if it is not an IP peer. */
static bool peer_of(struct MHD_Connection *c, struct net_addr *out)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci && ci->client_addr && sockaddr_addr(ci->client_addr, out);
}

struct fwd_headers {
	struct buf forwarded, xff;
};

static enum MHD_Result fwd_header(void *cls, enum MHD_ValueKind kind, const char *key,
				  size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	(void)key_size;
	struct fwd_headers *h = cls;
	struct buf *b = strcasecmp(key, "Forwarded") == 0 ? &h->forwarded :
			strcasecmp(key, "X-Forwarded-For") == 0 ? &h->xff : NULL;
	if (b && value) {
		/* Several lines of one header are one list, in order. */
		if (b->len)
			buf_adds(b, ", ");
		buf_add(b, value, value_size);
	}
	return MHD_YES;
}

/* Fill req->peer_addr and req->remote_addr: the client is the peer, or,
 * when the peer is a trusted proxy, whom its headers name. */
static void client_of(struct http_server *s, struct MHD_Connection *c, struct http_req *req)
{
	struct net_addr peer, client;
	char text[NET_ADDR_STRLEN];
	if (!peer_of(c, &peer)) {
		req->peer_addr = req->remote_addr = "unknown";
		return;
	}
	net_addr_format(&peer, text);
	req->peer_addr = arena_strdup(&req->arena, text);
	req->remote_addr = req->peer_addr;
	const struct net_list *trusted = &s->cfg.limits.trusted_proxies;
	if (!trusted->n || !net_list_contains(trusted, &peer))
		return;
	struct fwd_headers h;
	buf_init(&h.forwarded, 64 * 1024);
	buf_init(&h.xff, 64 * 1024);
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, fwd_header, &h);
	if (forwarded_client(&req->arena, &peer, trusted,
			     h.forwarded.len ? buf_str(&h.forwarded) : NULL,
			     h.xff.len ? buf_str(&h.xff) : NULL, &client)) {
		net_addr_format(&client, text);
		req->remote_addr = arena_strdup(&req->arena, text);
	}
	buf_release(&h.forwarded);
	buf_release(&h.xff);
}

/* con_cls of a request that may be answered early (the first call saw
 * a GET with no query and no body), and of one that was: no conn_req is
 * made for either. libmicrohttpd closes the connection after a response
 * queued before the whole request is read, so the answer waits for the
 * second call. */
static char early_pending, early_done;

static bool early_candidate(struct MHD_Connection *c, const char *method)
{
	if (strcmp(method, "GET") != 0 ||
	    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL) != 0)
		return false;
	struct framing f = {0, 0, false, false};
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, framing_header, &f);
	return !f.nul && !f.content_length && !f.transfer_encoding;
}

/* The server of this thread's current early answer, for
 * http_req_addresses(). */
static _Thread_local struct http_server *tls_server;

void http_req_addresses(struct http_req *req)
{
	if (!req->remote_addr && tls_server)
		client_of(tls_server, req->conn, req);
}

/* The application's early answer (http_server_config.early) for a
 * candidate: true when it answered. */
static bool early_answer(struct http_server *s, struct MHD_Connection *c, const char *url,
			 const char *method, void **con_cls)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.arena);
	req.conn = c;
	req.method = HTTP_GET;
	req.method_name = method;
	req.path = url;
	req.upload.fd = -1;
	req.thread = thread_state(s);
	tls_server = s;
	struct http_shared *sh = s->cfg.early(&req);
	if (sh) {
		/* Counted like any request, so that a stop lets it finish. */
		atomic_fetch_add(&s->inflight, 1);
		*con_cls = &early_done;
		MHD_queue_response(c, sh->status, sh->r);
		if (s->cfg.log) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
			s->cfg.log(&req, (int)sh->status, sh->len, ms, true);
		}
	}
	arena_release(&req.arena);
	return sh != NULL;
}

/* The first call for a request: its state, and what can be refused
 * before any body byte is read (answered at once). */
static void request_start(struct http_server *s, struct MHD_Connection *c, const char *url,
			  const char *method, void **con_cls)
{
	struct conn_req *cr = xcalloc(1, sizeof(*cr));
	clock_gettime(CLOCK_MONOTONIC, &cr->start);
	*con_cls = cr;
	atomic_fetch_add(&s->inflight, 1);
	cr->counted = true;
	struct http_req *req = &cr->req;
	arena_init(&req->arena);
	req->conn = c;
	req->method_name = arena_strdup(&req->arena, method);
	req->method = method_of(method);
	req->path = arena_strdup(&req->arena, url);
	buf_init(&cr->body, s->cfg.limits.max_body);

	client_of(s, c, req);
	req->upload.fd = -1;

	int fst = 0;
	const char *fmsg = framing_problem(c, &fst);
	if (fmsg) {
		/* Never guess where an ambiguous body ends (request
		 * smuggling): answer at once, and libmicrohttpd closes the
		 * connection instead of reading on. */
		cr->early_status = fst;
		cr->body.too_large = true;
		answer_error(s, c, cr, fst, fmsg);
		return;
	}

	/* The application may have this body streamed to a file, with
	 * its own cap instead of max_body. */
	unsigned long long limit = s->cfg.limits.max_body;
	struct http_spool sp;
	if (s->cfg.spool && req->method == HTTP_POST && s->cfg.spool(req, &sp)) {
		limit = sp.max_file + sp.max_fields + 64 * 1024;
		int st = 0;
		const char *msg = NULL;
		cr->spool = spool_begin(req, c, &sp, &st, &msg);
		if (!cr->spool) {
			cr->early_status = st;
			cr->early_msg = msg;
			cr->drain = true;
		}
	}

	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || *end || end == cl) {
			cr->early_status = 400;
			cr->early_msg = "Malformed Content-Length.";
		} else if (n > limit) {
			cr->early_status = 413;
			cr->early_msg = "The request body is larger than this server accepts.";
			cr->drain = n <= DRAIN_MAX;
		}
	}
	if (cr->early_status == 413 && !cr->drain) {
		/* Far too large to read: answer now; libmicrohttpd then
		 * closes the connection instead of reading the body. */
		cr->body.too_large = true;
		answer_error(s, c, cr, 413, cr->early_msg);
		return;
	}
	if (req->method == HTTP_OTHER && !cr->early_status) {
		cr->early_status = 501;
		cr->early_msg = "This method is not supported.";
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct http_server *s = cls;
	if (*con_cls == &early_done)
		return MHD_YES;
	if (*con_cls == &early_pending) {
		/* The whole request is in. */
		*con_cls = NULL;
		if (early_answer(s, c, url, method, con_cls))
			return MHD_YES;
		/* Not for the early answer: the whole way. Nothing in the
		 * start can be refused for such a request. */
		request_start(s, c, url, method, con_cls);
	} else if (!*con_cls) {
		if (s->cfg.early && early_candidate(c, method))
			*con_cls = &early_pending;
		else
			request_start(s, c, url, method, con_cls);
		return MHD_YES;
	}
	struct conn_req *cr = *con_cls;

	if (cr->defer_fn) {
		/* Called again after http_req_resume(). */
		pthread_mutex_lock(&defer_lock);
		bool ready = cr->resumed;
		pthread_mutex_unlock(&defer_lock);
		if (ready) {
			answer_deferred(s, c, cr);
			atomic_fetch_sub(&s->suspended, 1);
		}
		return MHD_YES;
	}

	if (*upload_data_size) {
		if (cr->early_status == 413 && !cr->drain) {
			/* Refuse now rather than read a body we will not keep. */
			*upload_data_size = 0;
			if (!cr->body.too_large) {
				cr->body.too_large = true;
				answer_error(s, c, cr, 413, cr->early_msg);
			}
			return MHD_YES;
		}
		if (cr->spool && !cr->early_status) {
			const char *msg = NULL;
			int st = spool_feed(cr->spool, upload_data, *upload_data_size, &msg);
			if (st) {
				/* Keep reading (and dropping) a bounded amount so
				 * that the client sees the answer. */
				cr->early_status = st;
				cr->early_msg = msg;
				cr->drain = true;
				cr->drained = 0;
			}
		} else if (!cr->early_status) {
			buf_add(&cr->body, upload_data, *upload_data_size);
			if (buf_failed(&cr->body) && !cr->drain) {
				/* Chunked body past the limit: no announced size, so
				 * drain up to DRAIN_MAX like an announced one. */
				buf_release(&cr->body);
				cr->drained = 0;
				cr->drain = true;
				cr->early_status = 413;
				cr->early_msg = "The request body is larger than this server accepts.";
			}
		} else if (cr->drain) {
			cr->drained += *upload_data_size;
			if (cr->drained > DRAIN_MAX && !cr->body.too_large) {
				cr->body.too_large = true;
				cr->early_status = 413;
				cr->early_msg = "The request body is larger than this server accepts.";
				answer_error(s, c, cr, 413, cr->early_msg);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (cr->body.too_large)
		return MHD_YES; /* already answered */

	struct http_req *req = &cr->req;
	req->thread = thread_state(s);
	if (cr->early_status) {
		answer_error(s, c, cr, cr->early_status, cr->early_msg);
		return MHD_YES;
	}

	/* Path and query. */
	enum parse_err pe = path_split(&req->arena, req->path, strlen(req->path), &req->segs,
				       &req->nsegs, &req->trailing_slash);
	if (pe) {
		answer_error(s, c, cr, pe == PARSE_BAD_PATH ? 404 : 400,
			     pe == PARSE_BAD_PATH ? "No such page." : parse_strerror(pe));
		return MHD_YES;
	}
	struct query_walk qw = {req, 0, false};
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &qw);
	if (qw.bad) {
		answer_error(s, c, cr, 400, "Malformed query string.");
		return MHD_YES;
	}
	const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	if (cookie && cookie_parse(&req->arena, cookie, strlen(cookie), &req->cookies)) {
		answer_error(s, c, cr, 400, "Too many cookies.");
		return MHD_YES;
	}
	if (cr->spool) {
		const char *msg = NULL;
		int st = spool_finish(cr->spool, req, &msg);
		if (st) {
			answer_error(s, c, cr, st, msg);
			return MHD_YES;
		}
	} else if (cr->body.len) {
		req->body = arena_strndup(&req->arena, buf_str(&cr->body), cr->body.len);
		req->body_len = cr->body.len;
		buf_release(&cr->body);
		const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
		if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
			pe = form_parse(&req->arena, req->body, req->body_len, &req->form);
			if (pe) {
				answer_error(s, c, cr, 400, parse_strerror(pe));
				return MHD_YES;
			}
		}
	}

	struct http_res res;
	res_init(&res);
	s->cfg.app(req, &res);
	if (cr->defer_fn) {
		/* The answer comes from another thread: nothing of res is sent. */
		if (res.file_fd >= 0)
			close(res.file_fd);
		buf_release(&res.body);
		pthread_mutex_lock(&defer_lock);
		bool done = cr->resumed;
		if (!done) {
			MHD_suspend_connection(c);
			cr->suspended = true;
			atomic_fetch_add(&s->suspended, 1);
		}
		pthread_mutex_unlock(&defer_lock);
		if (done)
			answer_deferred(s, c, cr);
		return MHD_YES;
	}
	queue(s, c, req, &res);
	buf_release(&res.body);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)c;
	(void)toe;
	struct http_server *s = cls;
	if (*con_cls == &early_done || *con_cls == &early_pending) {
		/* Answered early, and logged then; or gone before all of it
		 * came in. */
		if (*con_cls == &early_done)
			atomic_fetch_sub(&s->inflight, 1);
		*con_cls = NULL;
		return;
	}
	struct conn_req *cr = *con_cls;
	if (!cr)
		return;
	if (s->cfg.log) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double ms = (double)(now.tv_sec - cr->start.tv_sec) * 1e3 +
			    (double)(now.tv_nsec - cr->start.tv_nsec) / 1e6;
		s->cfg.log(&cr->req, cr->status, cr->bytes, ms,
			   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	}
	buf_release(&cr->body);
	arena_release(&cr->req.arena);
	spool_free(cr->spool);
	if (cr->counted)
		atomic_fetch_sub(&s->inflight, 1);
	free(cr);
	*con_cls = NULL;
}

/* ---- connections per address, with trusted proxies exempt ---- */

static size_t ip_hash(const struct net_addr *a)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (int i = 0; i < 16; i++)
		h = (h ^ a->b[i]) * 1099511628211ULL;
	return (size_t)h;
}

static struct ip_slot *ip_find(struct ip_counts *t, const struct net_addr *a)
{
	for (size_t i = ip_hash(a) & t->mask;; i = (i + 1) & t->mask)
		if (!t->slots[i].n || net_addr_equal(&t->slots[i].addr, a))
			return &t->slots[i];
}

static void ip_remove(struct ip_counts *t, struct ip_slot *gone)
{
	size_t i = (size_t)(gone - t->slots);
	t->slots[i].n = 0;
	/* Backward shift: move later entries of the run into the hole. */
	for (size_t j = (i + 1) & t->mask; t->slots[j].n; j = (j + 1) & t->mask) {
		size_t home = ip_hash(&t->slots[j].addr) & t->mask;
		bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			t->slots[i] = t->slots[j];
			t->slots[j].n = 0;
			i = j;
		}
	}
}

/* libmicrohttpd asks before it takes a connection: refuse an address
 * that already holds its share. Counting happens when the connection
 * starts, so the threads accepting at the same moment can each let one
 * more in: at most threads - 1 over the limit. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)addrlen;
	struct http_server *s = cls;
	struct net_addr a;
	if (!sockaddr_addr(addr, &a) || net_list_contains(&s->cfg.limits.trusted_proxies, &a))
		return MHD_YES;
	pthread_mutex_lock(&s->ips.lock);
	unsigned n = ip_find(&s->ips, &a)->n;
	pthread_mutex_unlock(&s->ips.lock);
	return n < s->cfg.limits.max_conns_per_ip ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	static char counted; /* its address marks a connection we counted */
	struct net_addr a;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if (!peer_of(c, &a) || net_list_contains(&s->cfg.limits.trusted_proxies, &a))
			return;
		pthread_mutex_lock(&s->ips.lock);
		struct ip_slot *slot = ip_find(&s->ips, &a);
		slot->addr = a;
		slot->n++;
		pthread_mutex_unlock(&s->ips.lock);
		*socket_context = &counted;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context == &counted) {
		*socket_context = NULL;
		if (!peer_of(c, &a))
			return;
		pthread_mutex_lock(&s->ips.lock);
		struct ip_slot *slot = ip_find(&s->ips, &a);
		if (slot->n && --slot->n == 0)
			ip_remove(&s->ips, slot);
		pthread_mutex_unlock(&s->ips.lock);
	}
}

static void on_panic(void *cls, const char *file, unsigned line, const char *reason)
{
	(void)cls;
	fprintf(stderr, "quire: libmicrohttpd panic at %s:%u: %s\n", file, line,
		reason ? reason : "");
	abort();
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6)
{
	memset(ss, 0, sizeof(*ss));
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return false;
	char host[64];
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return false;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return false;
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*v6 = true;
		return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*v6 = false;
	if (hl == 0)
		return inet_pton(AF_INET, "0.0.0.0", &a->sin_addr) == 1;
	return inet_pton(AF_INET, host, &a->sin_addr) == 1;
}

struct http_server *http_server_start(const struct http_server_config *cfg)
{
	struct sockaddr_storage ss;
	bool v6;
	if (!parse_listen(cfg->listen, &ss, &v6)) {
		fprintf(stderr, "quire: cannot parse listen address '%s' (want ADDR:PORT)\n",
			cfg->listen);
		return NULL;
	}
	struct http_server *s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->inflight, 0);
	atomic_init(&s->suspended, 0);
	MHD_set_panic_func(on_panic, NULL);

	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	const struct http_limits *l = &cfg->limits;
	/* With trusted proxies the per-address limit is ours, so that they
	 * are exempt; otherwise libmicrohttpd's own (exact) one. */
	bool own_ip_limit = l->trusted_proxies.n && l->max_conns_per_ip;
	if (own_ip_limit) {
		pthread_mutex_init(&s->ips.lock, NULL);
		size_t slots = 64;
		while (slots < 2 * (size_t)l->max_conns + 2)
			slots *= 2;
		s->ips.slots = xcalloc(slots, sizeof(*s->ips.slots));
		s->ips.mask = slots - 1;
	}
	s->daemon = MHD_start_daemon(
		flags, 0, own_ip_limit ? accept_policy : NULL, own_ip_limit ? s : NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		/* One thread: no pool at all (libmicrohttpd warns about a pool of
		 * one or zero), so the slot repeats the timeout instead. */
		l->threads == 1 ? MHD_OPTION_CONNECTION_TIMEOUT : MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)(l->threads == 1 ? l->conn_timeout : l->threads ? l->threads : 2),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)l->conn_timeout,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)l->max_conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, own_ip_limit ? 0u : (unsigned)l->max_conns_per_ip,
		MHD_OPTION_NOTIFY_CONNECTION, own_ip_limit ? on_connection : NULL, s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)l->max_header_bytes,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
		MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		MHD_OPTION_END);
	if (!s->daemon) {
		fprintf(stderr, "quire: cannot listen on %s: %s\n", cfg->listen,
			errno ? strerror(errno) : "libmicrohttpd refused to start");
		pthread_mutex_destroy(&s->lock);
		if (s->ips.slots)
			pthread_mutex_destroy(&s->ips.lock);
		free(s->ips.slots);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	return s;
}

const char *http_lib_version(void)
{
	return MHD_get_version();
}

uint16_t http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	/* Stop accepting, then give in-flight requests up to 10 s. */
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	for (int i = 0; i < 1000 && atomic_load(&s->inflight) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&s->suspended) > 0) {
		/* libmicrohttpd must not stop with suspended connections; the
		 * application resumes every deferral before stopping. */
		fprintf(stderr, "quire: %d deferred requests never resumed; not stopping the "
				"HTTP server cleanly\n", atomic_load(&s->suspended));
		return;
	}
	MHD_stop_daemon(s->daemon);
	struct thread_state *ts = s->states;
	while (ts) {
		struct thread_state *next = ts->next;
		if (s->cfg.thread_done)
			s->cfg.thread_done(ts->state);
		free(ts);
		ts = next;
	}
	pthread_mutex_destroy(&s->lock);
	if (s->ips.slots)
		pthread_mutex_destroy(&s->ips.lock);
	free(s->ips.slots);
	free(s);
}
