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
	FED_BAD,    /* outside JSON that is not what it must be */
	FED_REPLAY, /* an activity id taken in before */
	FED_KEY_DOC, /* fed_actor_parse: a key document; fetch its owner */
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

/* ---- what arrives from elsewhere (pure parsers; fuzzed) ---- */

/* Largest activity or actor document read. */
#define FED_DOC_MAX (256 * 1024)

/* An activity as it arrived: strings in the arena, "" when absent. */
struct fed_activity {
	const char *id, *type, *actor; /* actor: a URL, or the id of an embedded actor */
	const char *object_id;         /* the object: a URL, or the id of an embedded one */
	const char *object_type;       /* an embedded object's type, else "" */
	const char *object_actor;      /* ... its actor (an Undo's Follow) */
	const char *object_object;     /* ... its object, as a URL or an embedded id */
	/* An embedded Note (a reply): what it answers (a URL), who made it,
	 * its content (HTML, at most FED_CONTENT_MAX bytes), and whether it
	 * is addressed to the public (its to or cc names as:Public). */
	const char *object_in_reply_to, *object_attributed_to, *object_content;
	bool object_public;
};
#define FED_CONTENT_MAX (64 * 1024)
/* Parse body[0..len): a JSON object (at most FED_DOC_MAX bytes, no
 * duplicate keys) with string id, type and actor, each at most 2048
 * bytes. FED_BAD otherwise. */
enum fed_err fed_activity_parse(struct arena *a, const char *body, size_t len,
				struct fed_activity *out) __attribute__((warn_unused_result));

/* A remote actor as its document says, for store_fed_actor_put(). */
struct fed_remote_actor {
	const char *id, *key_id, *public_pem, *inbox, *shared_inbox, *handle, *name;
};
/*
 * Parse an actor document (body[0..len)) for the key key_id: its id, its
 * publicKey (an object, or the first of an array) whose id is key_id and
 * whose owner is the actor, the PEM, inbox, endpoints.sharedInbox ("" if
 * none), preferredUsername and name. A document that is the key itself
 * (with owner and publicKeyPem, and id key_id) gives FED_KEY_DOC with
 * out->id set to its owner: fetch that and parse again. FED_BAD for
 * anything else, including an actor whose id is not on key_id's origin.
 */
enum fed_err fed_actor_parse(struct arena *a, const char *body, size_t len, const char *key_id,
			     struct fed_remote_actor *out) __attribute__((warn_unused_result));

/* Whether two URLs have the same origin (scheme, host, port). */
bool fed_same_origin(const char *a, const char *b);
/* Whether Quire may fetch from (or deliver to) url: https, or http too
 * when allow_private (the allow-private-fetch setting, for tests). The
 * address check is the fetcher's (net/fetch.h). */
bool fed_url_allowed(const char *url, bool allow_private);
/* url without its fragment, into a. */
const char *fed_url_defrag(struct arena *a, const char *url);
/* The host (and port) of url, into a; "" when it has none. */
const char *fed_url_host(struct arena *a, const char *url);

/* ---- servers a writer blocked ---- */

/* A server's domain as a writer types it ("social.example", "https://
 * social.example/@x", "@x@social.example", upper case or not) into a,
 * lower case, or NULL when it is none: letters, digits, dots and
 * hyphens, with an optional ":port", at most 253 bytes, no empty label.
 * Pure; fuzzed with the activity parser. */
const char *fed_domain_normalise(struct arena *a, const char *in);
/* Block domain for writer_id (in one transaction: the block kept, and
 * every follower of hers on that server or under it removed, *removed
 * counting them, and every Follow from there waiting for her approval). What was queued for her there is not sent (the sender
 * asks fed_blocked()). */
enum fed_err fed_block_domain(struct store *st, struct arena *a, const char *writer_id,
			      const char *domain, int64_t now, int64_t *removed)
	__attribute__((warn_unused_result));
/* An actor's URL as a writer pastes it (https://server/users/name, or
 * http:// for tests), into a: no blanks inside, at most 2048 bytes, its
 * scheme and host (a server's name, fed_domain_normalise) lower case,
 * without a #fragment; NULL when it is none. Pure; fuzzed with the
 * activity parser. */
const char *fed_actor_normalise(struct arena *a, const char *in);
/* Block the actor actor_id (normalised) for writer_id, in one
 * transaction: the block kept, its follow of her removed (*removed, may
 * be NULL, counts it) and its Follow waiting for her approval. Nothing
 * from it is taken in for her after, nor delivered to its inbox
 * (fed_blocked). FED_BAD when writer_id is no account. */
enum fed_err fed_block_actor(struct store *st, const char *writer_id, const char *actor_id,
			     int64_t now, int64_t *removed) __attribute__((warn_unused_result));
/* Whether url (an actor, an inbox) is on a server writer_id blocked, or
 * is an actor she blocked or its own inbox; true too when the store
 * cannot say. */
bool fed_blocked(struct store *st, struct arena *a, const char *writer_id, const char *url);

/* ---- taking in what arrived (after its signature checked out) ---- */

/*
 * A Follow of writer_id by actor: in one transaction, the activity id
 * remembered (FED_REPLAY if it was seen), and, when she approves her
 * followers first (store_fed_approve_get), the request kept (*held set,
 * nothing sent); else the follower kept (or her Follow id and inboxes
 * renewed) and an Accept queued to her inbox, due now. held may be NULL.
 * On error nothing is written.
 */
enum fed_err fed_take_follow(struct store *st, struct arena *a, const char *writer_id,
			     const struct fed_activity *act, const struct fed_remote_actor *actor,
			     int64_t now, bool *held) __attribute__((warn_unused_result));
/* She approves actor_id's waiting Follow: in one transaction the
 * follower kept, the request gone, an Accept queued. Or she rejects it:
 * the request gone, a Reject queued. FED_BAD when there is no such
 * request. */
enum fed_err fed_approve_follower(struct store *st, struct arena *a, const char *writer_id,
				  const char *actor_id, int64_t now) __attribute__((warn_unused_result));
enum fed_err fed_reject_follower(struct store *st, struct arena *a, const char *writer_id,
				 const char *actor_id, int64_t now) __attribute__((warn_unused_result));
/* An Undo of actor's Follow of writer_id (follow_id: the Follow's id,
 * or NULL for any): the id remembered, the follower (or her waiting
 * request) removed. OK also when
 * she was not following. */
enum fed_err fed_take_undo_follow(struct store *st, const char *writer_id,
				  const struct fed_activity *act, const char *follow_id,
				  int64_t now) __attribute__((warn_unused_result));
/* Remember act's id only (FED_REPLAY if it was seen), for an activity
 * whose effect the caller then has made by the rules elsewhere (a reply
 * goes through responses/). */
enum fed_err fed_take_seen(struct store *st, const struct fed_activity *act, int64_t now)
	__attribute__((warn_unused_result));
/*
 * A Delete by act->actor: of the actor itself (the object is the actor),
 * everything it made here goes (its replies, its follows of every writer
 * and its Follows waiting for approval, its likes and boosts); of
 * anything else (a Note, or its Tombstone), the responses made by that
 * Note of that actor. The id remembered; OK when there was
 * nothing to delete. *removed (may be NULL) counts what went.
 */
enum fed_err fed_take_delete(struct store *st, const struct fed_activity *act, int64_t now,
			     int64_t *removed) __attribute__((warn_unused_result));
/* A Like or Announce (kind "like" | "announce") by act->actor of her
 * public story story_id: the id remembered, the reaction kept once per
 * actor, story and kind. */
enum fed_err fed_take_reaction(struct store *st, const struct fed_activity *act,
			       const char *story_id, const char *kind, int64_t now)
	__attribute__((warn_unused_result));
/* An Undo of anything but a Follow: the id remembered, act->actor's
 * reaction made by act->object_id removed (OK when there was none). */
enum fed_err fed_take_undo_reaction(struct store *st, const struct fed_activity *act, int64_t now)
	__attribute__((warn_unused_result));
/* Anything else: only its id remembered (FED_REPLAY if it was seen). */
enum fed_err fed_take_other(struct store *st, const struct fed_activity *act, int64_t now)
	__attribute__((warn_unused_result));

/* ---- what leaves: a writer's public stories, and nothing else ---- */

/* Whether story s is out in the fediverse as it stands: published and
 * public (unlisted, circle, private and drafts never are). */
bool fed_story_out(const struct story_row *s);
/*
 * What a save of a story (before: NULL for a new one) sends her
 * followers: "create" when it comes out (published public, and was not),
 * "update" when it was out and stays out with its text changed (title,
 * subtitle, body, content note, address), "delete" when it was out and
 * no longer is (unpublished, or its audience lowered: never an Update of
 * a story that is no longer public); NULL when nothing is sent. Pure.
 */
const char *fed_story_change(const struct story_row *before, const struct story_row *after);
/* The save hook's rule (inside the save's transaction): queue
 * fed_story_change()'s activity to every follower's inbox (a shared one
 * once). *queued counts the deliveries. */
enum fed_err fed_on_story_save(struct store *st, const struct story_row *before,
			       const struct story_row *after, int64_t now, int64_t *queued)
	__attribute__((warn_unused_result));
/* The delete hook's rule: a story that was out is deleted for her
 * followers. */
enum fed_err fed_on_story_delete(struct store *st, const struct story_row *s, int64_t now,
				 int64_t *queued) __attribute__((warn_unused_result));
/* The restore hook's rule: a story taken out of the trash that is out
 * (published, public) is created again for her followers. */
enum fed_err fed_on_story_restore(struct store *st, const struct story_row *s, int64_t now,
				  int64_t *queued) __attribute__((warn_unused_result));
/* The retag hook's rule: a story out before and after a save that
 * changed its tags gets an Update, unless fed_story_change() sent one
 * (or anything) already. */
enum fed_err fed_on_story_retag(struct store *st, const struct story_row *before,
				const struct story_row *after, int64_t now, int64_t *queued)
	__attribute__((warn_unused_result));
/* The suspend hook's rule (inside its transaction): suspending writer_id
 * (on) deletes every story of hers that is out for her followers;
 * unsuspending creates them again. The sender delivers a suspended
 * writer's Deletes only. */
enum fed_err fed_on_writer_suspend(struct store *st, struct arena *a, const char *writer_id,
				   bool on, int64_t now, int64_t *queued)
	__attribute__((warn_unused_result));

#endif
