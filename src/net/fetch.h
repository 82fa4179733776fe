/*
 * fetch.h - one HTTP(S) GET of an outside URL, guarded against SSRF.
 *
 * For anything Quire fetches on a writer's behalf (photos named by an
 * imported export; remote actors and their keys, and deliveries to their
 * inboxes, for federation). It is not a general HTTP client: GET, and
 * POST of a body the caller made (fetch_post), no cookies, no proxy, no
 * credentials, no schemes but http and https.
 *
 * The guard: fetch_get() parses the URL itself, resolves the host itself
 * (getaddrinfo), and refuses the fetch if ANY address the name resolves to
 * is not a public unicast address (fetch_addr_classify()). The checked
 * address is then pinned for libcurl (CURLOPT_RESOLVE), so a second DNS
 * answer cannot swap it ("DNS rebinding"), and every socket libcurl opens
 * is checked once more just before connect. Redirects are followed here,
 * not by libcurl, and each hop goes through the same checks. The whole
 * call (all hops) is bounded by opts->timeout_ms and the body by
 * opts->max_bytes.
 *
 * allow_private turns the address check off (tests serve images from
 * 127.0.0.1; `quire import --allow-private-fetch`); the scheme check stays.
 *
 * Thread-safe: no shared state except libcurl's one-time global init.
 */
#ifndef QUIRE_NET_FETCH_H
#define QUIRE_NET_FETCH_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

enum fetch_err {
	FETCH_OK = 0,
	FETCH_BAD_URL,        /* not a URL we can parse, or no host */
	FETCH_SCHEME,         /* scheme other than http/https (file:, ftp:, ...) */
	FETCH_RESOLVE,        /* the host name does not resolve */
	FETCH_BLOCKED,        /* resolves to a private/loopback/... address */
	FETCH_CONNECT,        /* could not connect, TLS failed, transfer broke */
	FETCH_TIMEOUT,        /* opts->timeout_ms passed */
	FETCH_TOO_LARGE,      /* body longer than opts->max_bytes */
	FETCH_REDIRECTS,      /* more than opts->max_redirects hops, or a bad Location */
	FETCH_HTTP_STATUS,    /* final status not 2xx (see result->status) */
};

/* Why an address is refused; FETCH_ADDR_PUBLIC is the only one allowed. */
enum fetch_addr_class {
	FETCH_ADDR_PUBLIC = 0,
	FETCH_ADDR_UNSPECIFIED,   /* 0.0.0.0/8, :: */
	FETCH_ADDR_LOOPBACK,      /* 127/8, ::1 */
	FETCH_ADDR_PRIVATE,       /* 10/8, 172.16/12, 192.168/16 */
	FETCH_ADDR_CGNAT,         /* 100.64/10 */
	FETCH_ADDR_LINK_LOCAL,    /* 169.254/16, fe80::/10 */
	FETCH_ADDR_METADATA,      /* 169.254.169.254, fd00:ec2::254 (cloud metadata) */
	FETCH_ADDR_MULTICAST,     /* 224/4, ff00::/8, 255.255.255.255 */
	FETCH_ADDR_RESERVED,      /* 240/4, 192.0.0/24, benchmarking, documentation, fec0::/10 */
	FETCH_ADDR_ULA,           /* fc00::/7 */
	FETCH_ADDR_MAPPED,        /* ::ffff:0:0/96, ::/96 compatible, 64:ff9b::/96, 2002::/16, Teredo */
	FETCH_ADDR_UNKNOWN_FAMILY,
};

struct fetch_opts {
	size_t max_bytes;      /* 0: 20 MiB */
	long timeout_ms;       /* whole call, all hops; 0: 30 s */
	int max_redirects;     /* 0: 5; -1: none followed */
	bool allow_private;    /* skip the address check (tests only) */
	const char *user_agent; /* NULL: "Quire/<version>" */
	/* More request headers, "Name: value" each, NULL-terminated (NULL:
	 * none). A Host header given here is sent as given (it must name the
	 * URL's host: signatures cover it). */
	const char *const *headers;
};

struct fetch_result {
	struct buf body;          /* the response body (max opts->max_bytes) */
	long status;              /* last HTTP status seen, 0 if none */
	char content_type[128];   /* Content-Type without parameters, lower case; "" if none */
	char final_url[2048];     /* the URL of the last hop */
	char error[256];          /* a sentence for reports when the call failed */
};

/* Sets up *r (empty); always pair with fetch_result_release(). */
void fetch_result_init(struct fetch_result *r);
void fetch_result_release(struct fetch_result *r);

/*
 * GET url. opts may be NULL (defaults). On FETCH_OK, r->body holds the
 * body, r->status is 2xx, r->content_type and r->final_url are set. On any
 * error, r->error says what happened (naming the refused address class
 * when blocked), r->body may hold a partial body (ignore it), and the
 * caller still calls fetch_result_release().
 */
enum fetch_err fetch_get(const char *url, const struct fetch_opts *opts, struct fetch_result *r)
	__attribute__((warn_unused_result));

/*
 * POST body[0..len) to url, with the same guard as fetch_get() (scheme,
 * every address, the connection itself, size and time limits). Redirects
 * are never followed: a 3xx is FETCH_REDIRECTS, any other status outside
 * 2xx FETCH_HTTP_STATUS (r->status says which). The response body, if
 * any, is in r->body.
 */
enum fetch_err fetch_post(const char *url, const struct fetch_opts *opts, const void *body,
			  size_t len, struct fetch_result *r) __attribute__((warn_unused_result));

const char *fetch_strerror(enum fetch_err e);

/* The class of one socket address (AF_INET or AF_INET6). */
enum fetch_addr_class fetch_addr_classify(const struct sockaddr *sa);
/* The class of a numeric address string ("10.0.0.1", "::1"); parse errors -> UNKNOWN_FAMILY. */
enum fetch_addr_class fetch_addr_classify_str(const char *numeric);
const char *fetch_addr_class_name(enum fetch_addr_class c);

#endif
