/*
 * parse.h - decoders for bytes that arrive from the network: percent
 * encoding, application/x-www-form-urlencoded bodies and query strings,
 * Cookie headers, request paths, and the client address behind trusted
 * proxies (Forwarded / X-Forwarded-For). Pure functions over an arena;
 * no I/O, no libmicrohttpd, so each one has a fuzz target
 * (fuzz/fuzz_parse.c).
 *
 * All decoded text is checked to be valid UTF-8 without NUL bytes; input
 * that is not gets PARSE_BAD_ENCODING and nothing is returned.
 */
#ifndef QUIRE_HTTP_PARSE_H
#define QUIRE_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum parse_err {
	PARSE_OK = 0,
	PARSE_BAD_ENCODING, /* bad %XX, invalid UTF-8 or NUL */
	PARSE_TOO_MANY,     /* more fields than allowed */
	PARSE_BAD_PATH,     /* "..", empty segment, not starting with '/' */
};
const char *parse_strerror(enum parse_err e);

struct kv {
	const char *key;
	const char *val;
	size_t val_len;
};

struct kvlist {
	struct kv *items;
	size_t n;
};

#define PARSE_MAX_FIELDS 256
#define PATH_MAX_SEGMENTS 16

/* Percent-decode s[0..n) (plus '+' to space when plus_space). Result is
 * NUL-terminated in the arena, length in *out_len. */
enum parse_err pct_decode(struct arena *a, const char *s, size_t n, bool plus_space,
			  char **out, size_t *out_len) __attribute__((warn_unused_result));

/* Parse "a=1&b=2" into out (arena-owned). Empty pieces are skipped; a key
 * without '=' has an empty value. */
enum parse_err form_parse(struct arena *a, const char *s, size_t n, struct kvlist *out)
	__attribute__((warn_unused_result));

/* Parse a Cookie header "a=1; b=2". Values are taken literally (no
 * percent-decoding); malformed pieces are skipped, never fatal, but the
 * number of cookies is capped. */
enum parse_err cookie_parse(struct arena *a, const char *s, size_t n, struct kvlist *out)
	__attribute__((warn_unused_result));

/* Split an undecoded request path into decoded segments. "/" has zero
 * segments. A decoded segment may not contain '/', be "." or "..", or be
 * empty except for one trailing slash, which sets *trailing_slash. */
enum parse_err path_split(struct arena *a, const char *path, size_t n, char ***segs,
			  size_t *nsegs, bool *trailing_slash) __attribute__((warn_unused_result));

/* ---- client addresses ---- */

/* An IP address as 16 bytes: IPv6, or IPv4 as ::ffff:a.b.c.d. */
struct net_addr {
	unsigned char b[16];
};
struct net_cidr {
	struct net_addr net; /* host bits cleared */
	unsigned bits;       /* prefix length over the 16 bytes: 96 + n for IPv4 /n */
};
struct net_list {
	const struct net_cidr *items;
	size_t n;
};
/* Longest text net_addr_format() writes, with its NUL. */
#define NET_ADDR_STRLEN 46

/* A bare textual address s[0..n) ("192.0.2.7", "2001:db8::1", no
 * brackets or port); false if it is not one. */
bool net_addr_parse(const char *s, size_t n, struct net_addr *out);
/* Canonical text: dotted quad for IPv4 (also IPv4-mapped IPv6), RFC 5952
 * for IPv6. */
void net_addr_format(const struct net_addr *a, char out[NET_ADDR_STRLEN]);
bool net_addr_equal(const struct net_addr *x, const struct net_addr *y);
bool net_addr_is_v4(const struct net_addr *a);
/* "203.0.113.0/24,2001:db8::/32,10.1.2.3" (a bare address is /32 or
 * /128; spaces around commas allowed) into out, arena-owned. False on the
 * first malformed item, with *bad pointing at it. */
bool net_list_parse(struct arena *a, const char *spec, struct net_list *out, const char **bad);
bool net_list_contains(const struct net_list *l, const struct net_addr *x);

/*
 * The client of a request that reached us from peer, per the proxies'
 * headers: forwarded is the Forwarded header (RFC 7239), xff the
 * X-Forwarded-For header, each the comma-joined values of all its lines
 * in order, or NULL. Only when peer is in trusted are the headers read at
 * all. Each header is a list of hops, the nearest last; it is walked from
 * the right past trusted proxies, and the first hop that is not one (the
 * rightmost untrusted hop) is the client - what a client wrote further
 * left is never believed. A hop that is not an address ("unknown",
 * "_hidden", garbage) stops the walk at the proxy that reported it. When
 * both headers are present and name different clients, neither is
 * believed (one of them was written by the client, and which one depends
 * on the proxy): the client is then the peer. Returns whether the result
 * came from a header.
 */
bool forwarded_client(struct arena *a, const struct net_addr *peer, const struct net_list *trusted,
		      const char *forwarded, const char *xff, struct net_addr *client);

/* First value of key in list, or NULL. */
const char *kv_get(const struct kvlist *l, const char *key);
const struct kv *kv_find(const struct kvlist *l, const char *key);

#endif
