/*
 * parse.h - decoders for bytes that arrive from the network: percent
 * encoding, application/x-www-form-urlencoded bodies and query strings,
 * Cookie headers, request paths. Pure functions over an arena; no I/O,
 * no libmicrohttpd, so each one has a fuzz target (fuzz/fuzz_parse.c).
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

/* First value of key in list, or NULL. */
const char *kv_get(const struct kvlist *l, const char *key);
const struct kv *kv_find(const struct kvlist *l, const char *key);

#endif
