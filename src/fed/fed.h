/*
 * fed.h - federation (issue 20), the rules: what a Quire writer is to the
 * fediverse (ActivityPub, with the protocol details of Mastodon's
 * implementation). Rules take the store and the clock and return data;
 * they never include web code. The web side (WebFinger, NodeInfo, the
 * actor, outbox, inbox) is fed_pages.c, declared in fed_web.h; keys and
 * signatures are fed/keys.h and fed/sig.h.
 */
#ifndef QUIRE_FED_FED_H
#define QUIRE_FED_FED_H

#include <stdbool.h>

#include "core/arena.h"
#include "store/store.h"

/* The media types of ActivityPub objects. */
#define FED_AP_TYPE "application/activity+json"
#define FED_AS_CONTEXT "https://www.w3.org/ns/activitystreams"
#define FED_PUBLIC FED_AS_CONTEXT "#Public"

enum fed_err {
	FED_OK = 0,
	FED_STORE,  /* the database failed */
	FED_CRYPTO, /* a key could not be made or read */
};
const char *fed_strerror(enum fed_err e);

/*
 * A writer's key pair (PEM, in a), made the first time it is needed and
 * kept in the store for good. Requests racing for a writer who has none
 * yet get one and the same pair: in this process they take turns to
 * make it, and across app servers the store keeps the first pair saved
 * (store_fed_key_init). Writes when the key is new (so it ends a read
 * snapshot). On error nothing is kept.
 */
enum fed_err fed_key_for(struct store *st, struct arena *a, const char *user_id,
			 const char **public_pem, const char **private_pem)
	__attribute__((warn_unused_result));

/* ---- discovery: pure parsers of what a request carries ---- */

/*
 * Whether an Accept header asks for an ActivityPub object rather than a
 * page: it names application/activity+json, or application/ld+json (with
 * or without the Activity Streams profile), at a quality above 0 and at
 * least that of text/html and application/xhtml+xml. A browser's Accept
 * (text/html, "*" "/" "*") never does; NULL never does. Pure; fuzzed.
 */
bool fed_accept_wants_ap(const char *accept);

/*
 * The handle a WebFinger resource names on this site, into a, or NULL:
 * "acct:HANDLE@HOST" where HOST is base_url's host (with its port, or
 * without it), case-insensitive; or the actor's own URL, base_url +
 * "/@HANDLE". The handle is returned as written (at most 64 bytes of
 * a-z, A-Z, 0-9 and _): the caller normalises and looks it up. Pure;
 * fuzzed.
 */
const char *fed_resource_handle(struct arena *a, const char *resource, const char *base_url);

#endif
