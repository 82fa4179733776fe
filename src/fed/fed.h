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

#include "core/arena.h"
#include "store/store.h"

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

#endif
