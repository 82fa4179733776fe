/*
 * sig.h - HTTP Signatures as Mastodon uses them
 * (draft-cavage-http-signatures-12): a signer for the requests Quire
 * sends and a verifier for the ones it receives. Pure apart from the RSA
 * arithmetic of fed/keys.h: no store, no network, no clock (the caller
 * passes now).
 *
 * What is signed: the signing string, one line "name: value" per
 * covered header, in the order the Signature header lists them, joined
 * by "\n"; "(request-target)" is the lowercase method, a space and the
 * path with its query. Quire signs POST with
 * headers="(request-target) host date digest" (Digest: SHA-256=BASE64 of
 * the body) and GET with "(request-target) host date", algorithm
 * "rsa-sha256", keyId the writer's key (fed_web.h).
 *
 * What a received signature must show (sig_verify): algorithm
 * "rsa-sha256" or "hs2019" with an RSA key; (request-target), host and
 * date covered, and digest too for a request with a body; a Date within
 * SIG_MAX_SKEW of now (either way) and before any expires; a Digest that
 * is the SHA-256 of the body as received; and the signature checking
 * out with the key. Anything else is refused, with the reason.
 */
#ifndef QUIRE_FED_SIG_H
#define QUIRE_FED_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "fed/keys.h"

/* Mastodon's window: a Date more than 12 hours away is stale. */
#define SIG_MAX_SKEW (12 * 3600)
/* Longest Signature header read, and longest keyId. */
#define SIG_HEADER_MAX 8192
#define SIG_KEY_ID_MAX 2048

enum sig_err {
	SIG_OK = 0,
	SIG_MALFORMED,   /* no Signature header, or one that does not parse */
	SIG_ALGORITHM,   /* an algorithm other than rsa-sha256 / hs2019 */
	SIG_UNCOVERED,   /* a header that must be signed is not among headers= */
	SIG_MISSING,     /* a covered header is not in the request */
	SIG_STALE,       /* Date too far from now, unreadable, or expired */
	SIG_DIGEST,      /* no Digest, or not the body's SHA-256 */
	SIG_BAD,         /* the signature does not check out with the key */
};
const char *sig_strerror(enum sig_err e);

/* A parsed Signature header; strings in the arena. */
struct sig_header {
	const char *key_id;
	const char *algorithm;   /* as given, lowercase; "" when absent */
	const char *headers;     /* lowercase names, one space apart; "date" when absent */
	unsigned char sig[FED_SIG_MAX];
	size_t siglen;
	int64_t created, expires; /* 0 when absent */
};

/*
 * Parse a Signature header's value (comma-separated name="value" pairs;
 * created and expires may be bare integers): keyId and signature are
 * required, signature base64 of at most FED_SIG_MAX bytes; a parameter
 * given twice, an unterminated quote or a value over its limit is
 * SIG_MALFORMED; unknown parameters are ignored. Pure; fuzzed.
 */
enum sig_err sig_parse(struct arena *a, const char *value, struct sig_header *out)
	__attribute__((warn_unused_result));

/* A received request, as sig_verify needs it. */
struct sig_request {
	const char *method;   /* "POST", "GET" */
	const char *target;   /* the path and query as sent */
	/* The value of a header (name in lowercase), or NULL when absent. */
	const char *(*header)(void *ctx, const char *name);
	void *ctx;
	const void *body;     /* NULL: a request without one */
	size_t body_len;
	int64_t now;
};

/* Everything sig_verify() checks but the signature itself (algorithm,
 * covered headers, Date, Digest): cheap, for refusing a request before
 * its key is fetched. */
enum sig_err sig_precheck(const struct sig_header *h, const struct sig_request *r)
	__attribute__((warn_unused_result));
/* Check h (from sig_parse) on request r with public_pem, the key h's
 * keyId names (fetched by the caller). SIG_OK or why not. */
enum sig_err sig_verify(struct arena *a, const struct sig_header *h, const struct sig_request *r,
			const char *public_pem) __attribute__((warn_unused_result));

/* The headers to send with a signed request. */
struct sig_out {
	const char *host;      /* the authority of url: host, and port when it has one */
	const char *date;      /* IMF-fixdate of now */
	const char *digest;    /* "SHA-256=..." of the body; NULL without one */
	const char *signature; /* the Signature header's value */
};

/* Sign method url (http or https) with body (NULL: none, e.g. a GET)
 * as key_id with priv_pem at now. False when url has no host or the
 * key cannot sign. Strings in a. */
bool sig_sign(struct arena *a, const char *key_id, const char *priv_pem, const char *method,
	      const char *url, const void *body, size_t body_len, int64_t now, struct sig_out *out)
	__attribute__((warn_unused_result));

/* ---- pieces, exposed for tests and the fuzzer ---- */
/* "Sun, 06 Nov 1994 08:49:37 GMT" of t, into a. */
const char *sig_http_date(struct arena *a, int64_t t);
/* The time an IMF-fixdate names; false when s is not one. */
bool sig_parse_http_date(const char *s, int64_t *t);
/* "SHA-256=BASE64" of body, into a. */
const char *sig_digest(struct arena *a, const void *body, size_t len);
/* Whether a Digest header's value holds SHA-256=BASE64 of body (among
 * other algorithms, comma-separated; the name case-insensitive). */
bool sig_digest_matches(const char *header, const void *body, size_t len);
/* Standard base64 with padding: encode into a; decode into out (at most
 * max bytes; false when s is not base64 or does not fit). */
const char *sig_base64(struct arena *a, const unsigned char *p, size_t n);
bool sig_unbase64(const char *s, size_t len, unsigned char *out, size_t max, size_t *n);

#endif
