/*
 * store_fed.h - rows and storage functions for federation (issue 20;
 * schema in sqlite/migrations/020_fed_keys.sql, pg/migrations/
 * 011_fed_keys.sql): each writer's key pair for HTTP Signatures. Same
 * conventions as store.h: strings in returned rows live in the caller's
 * arena; a write is durable when the call returns STORE_OK. No product
 * rules here (when a key is made, and how, is fed/'s business); the PEM
 * text arrives already made by fed/keys.c. The follow side (schema in
 * sqlite/migrations/021_fed_follow.sql, pg/012_fed_follow.sql): remote
 * actors and their keys, a writer's followers elsewhere, activity ids
 * seen, and the delivery queue.
 */
#ifndef QUIRE_STORE_STORE_FED_H
#define QUIRE_STORE_STORE_FED_H

#include "store/store.h"

/* ---- a writer's key pair ---- */
/* user_id's key pair (PEM text); NOT_FOUND when she has none yet. */
enum store_err store_fed_key_get(struct store *s, struct arena *a, const char *user_id,
				 const char **public_pem, const char **private_pem)
	__attribute__((warn_unused_result));
/* Keep the proposed pair for user_id unless she has one already (first
 * writer wins, whichever connection or app server it is), then read back
 * the pair that is kept into *public_pem and *private_pem: two callers
 * racing with different pairs both get the same one. CONFLICT when
 * user_id is no account. */
enum store_err store_fed_key_init(struct store *s, struct arena *a, const char *user_id,
				  const char *proposed_public, const char *proposed_private,
				  int64_t now, const char **public_pem, const char **private_pem)
	__attribute__((warn_unused_result));

/* ---- what the fediverse may count (NodeInfo, an outbox) ---- */
/* *users: accounts not suspended; *public_stories: published public
 * stories (not deleted) of writers not suspended, only author_id's when
 * it is not NULL. Either pointer may be NULL. */
enum store_err store_fed_counts(struct store *s, const char *author_id, int64_t *users,
				int64_t *public_stories) __attribute__((warn_unused_result));

/* ---- remote actors (a cache of what their servers said) ---- */
struct fed_actor_row {
	const char *id;           /* the actor's URL */
	const char *key_id;
	const char *public_pem;
	const char *inbox;
	const char *shared_inbox; /* "" when none */
	const char *handle, *name;
	int64_t fetched_at;
};
/* Insert, or replace every column of the actor with r->id (a key id is
 * one actor's: another actor holding it loses it). */
enum store_err store_fed_actor_put(struct store *s, const struct fed_actor_row *r)
	__attribute__((warn_unused_result));
/* By the actor's URL, or by a key id; NOT_FOUND when not cached. */
enum store_err store_fed_actor_get(struct store *s, struct arena *a, const char *id,
				   struct fed_actor_row *out) __attribute__((warn_unused_result));
enum store_err store_fed_actor_by_key(struct store *s, struct arena *a, const char *key_id,
				      struct fed_actor_row *out) __attribute__((warn_unused_result));

/* ---- a writer's followers elsewhere ---- */
struct fed_follower_row {
	char writer_id[17];
	const char *actor_id;
	const char *follow_id;
	const char *inbox, *shared_inbox;
	int64_t created_at;
};
/* Add r, or (the same writer and actor) replace its follow_id and
 * inboxes, keeping created_at. */
enum store_err store_fed_follower_add(struct store *s, const struct fed_follower_row *r)
	__attribute__((warn_unused_result));
/* Remove actor_id's follow of writer_id; with follow_id (not NULL) only
 * when it is that Follow. NOT_FOUND when there was none. */
enum store_err store_fed_follower_remove(struct store *s, const char *writer_id,
					 const char *actor_id, const char *follow_id)
	__attribute__((warn_unused_result));
/* writer_id's followers, newest first, at most max; and how many. */
enum store_err store_fed_followers(struct store *s, struct arena *a, const char *writer_id,
				   size_t max, struct fed_follower_row **rows, size_t *n)
	__attribute__((warn_unused_result));
enum store_err store_fed_follower_count(struct store *s, const char *writer_id, int64_t *n)
	__attribute__((warn_unused_result));

/* ---- what remote actors made (their replies are responses with
 * remote_actor set, store.h) ---- */
/* Delete actor_id's responses (and their replies): only the one made by
 * its Note note_id when note_id is not NULL. *n (may be NULL) counts the
 * responses deleted (not their replies). */
enum store_err store_fed_responses_delete(struct store *s, const char *actor_id,
					  const char *note_id, int64_t *n)
	__attribute__((warn_unused_result));
/* Remove actor_id's follows of every writer, and its Follows waiting for
 * a writer's approval; *n (may be NULL) counts the follows. Call it in a
 * transaction for both to go together. */
enum store_err store_fed_follows_remove_actor(struct store *s, const char *actor_id, int64_t *n)
	__attribute__((warn_unused_result));

/* ---- servers a writer blocked (schema in sqlite/migrations/
 * 025_fed_blocked_servers.sql, pg/016) ---- */
/* Block domain (already normalised) for writer_id; OK when it was
 * already; CONFLICT when writer_id is no account. */
enum store_err store_fed_domain_block_add(struct store *s, const char *writer_id,
					  const char *domain, int64_t now)
	__attribute__((warn_unused_result));
/* NOT_FOUND when it was not blocked. */
enum store_err store_fed_domain_block_remove(struct store *s, const char *writer_id,
					     const char *domain) __attribute__((warn_unused_result));
/* writer_id's blocked domains, in byte order, at most 5000. */
enum store_err store_fed_domain_blocks(struct store *s, struct arena *a, const char *writer_id,
				       const char ***domains, size_t *n)
	__attribute__((warn_unused_result));
/* Whether writer_id blocked host (lower case, with or without its
 * ":port"): a blocked domain equal to host, to host without its port,
 * or of which host without its port is a subdomain. */
enum store_err store_fed_domain_blocked(struct store *s, const char *writer_id, const char *host,
					bool *blocked) __attribute__((warn_unused_result));

/* ---- single actors a writer blocked (schema in sqlite/migrations/
 * 027_fed_blocked_actors.sql, pg/018) ---- */
/* Block actor_id (its URL) for writer_id; OK when it was already;
 * CONFLICT when writer_id is no account. */
enum store_err store_fed_actor_block_add(struct store *s, const char *writer_id,
					 const char *actor_id, int64_t now)
	__attribute__((warn_unused_result));
/* NOT_FOUND when it was not blocked. */
enum store_err store_fed_actor_block_remove(struct store *s, const char *writer_id,
					    const char *actor_id) __attribute__((warn_unused_result));
/* writer_id's blocked actors, in byte order, at most 5000. */
enum store_err store_fed_actor_blocks(struct store *s, struct arena *a, const char *writer_id,
				      const char ***actors, size_t *n)
	__attribute__((warn_unused_result));
/* Whether writer_id blocked the actor url, or the cached actor
 * (store_fed_actor_put) whose own inbox url is. */
enum store_err store_fed_actor_blocked(struct store *s, const char *writer_id, const char *url,
				       bool *blocked) __attribute__((warn_unused_result));

/* ---- follows waiting for her approval (same schema file) ---- */
/* Whether writer_id approves her followers first (false until set). */
enum store_err store_fed_approve_get(struct store *s, const char *writer_id, bool *on)
	__attribute__((warn_unused_result));
/* CONFLICT when writer_id is no account. */
enum store_err store_fed_approve_set(struct store *s, const char *writer_id, bool on)
	__attribute__((warn_unused_result));
/* Whether writer_id shows who follows her (her followers page, her
 * ActivityPub followers collection; schema in sqlite/migrations/
 * 026_fed_show_followers.sql, pg/017): false until set. Setting one
 * choice keeps the other. CONFLICT when writer_id is no account. */
enum store_err store_fed_show_followers_get(struct store *s, const char *writer_id, bool *on)
	__attribute__((warn_unused_result));
enum store_err store_fed_show_followers_set(struct store *s, const char *writer_id, bool on)
	__attribute__((warn_unused_result));
/* Keep the request r, or (the same writer and actor) replace its
 * follow_id and inboxes, keeping created_at. */
enum store_err store_fed_request_add(struct store *s, const struct fed_follower_row *r)
	__attribute__((warn_unused_result));
/* actor_id's request to follow writer_id; NOT_FOUND when none. */
enum store_err store_fed_request_get(struct store *s, struct arena *a, const char *writer_id,
				     const char *actor_id, struct fed_follower_row *out)
	__attribute__((warn_unused_result));
/* Remove it (with follow_id not NULL: only when it is that Follow);
 * NOT_FOUND when there was none. */
enum store_err store_fed_request_remove(struct store *s, const char *writer_id,
					const char *actor_id, const char *follow_id)
	__attribute__((warn_unused_result));
/* writer_id's requests, oldest first, at most max. */
enum store_err store_fed_requests(struct store *s, struct arena *a, const char *writer_id,
				  size_t max, struct fed_follower_row **rows, size_t *n)
	__attribute__((warn_unused_result));

/* ---- likes and boosts of her stories (same schema file) ---- */
/* actor_id's kind ("like" | "announce") of story_id by activity_id: kept
 * once per actor, story and kind (again: its activity id replaced).
 * CONFLICT when story_id is no story or kind is neither. */
enum store_err store_fed_reaction_add(struct store *s, const char *story_id, const char *actor_id,
				      const char *kind, const char *activity_id, int64_t now)
	__attribute__((warn_unused_result));
/* Remove actor_id's reaction made by activity_id (NULL: all of the
 * actor's); *n (may be NULL) counts them. */
enum store_err store_fed_reaction_remove(struct store *s, const char *actor_id,
					 const char *activity_id, int64_t *n)
	__attribute__((warn_unused_result));
/* How many actors liked and boosted story_id (either may be NULL). */
enum store_err store_fed_reaction_counts(struct store *s, const char *story_id, int64_t *likes,
					 int64_t *announces) __attribute__((warn_unused_result));

/* ---- activities taken in ---- */
/* Remember activity_id; CONFLICT when it was seen before (a replay). */
enum store_err store_fed_seen_add(struct store *s, const char *activity_id, int64_t now)
	__attribute__((warn_unused_result));
/* Forget ids seen before before (older ones are stale by their Date). */
enum store_err store_fed_seen_prune(struct store *s, int64_t before)
	__attribute__((warn_unused_result));

/* ---- the delivery queue ---- */
struct fed_delivery_row {
	char id[17];
	char writer_id[17];
	const char *kind;       /* "accept" | "create" | "update" | "delete" */
	char story_id[17];      /* or "" */
	const char *inbox;
	const char *domain;
	const char *payload;    /* "" or JSON */
	const char *status;     /* "queued" | "sent" | "failed" */
	int64_t attempts, next_at, created_at, sent_at;
	const char *last_error;
};
/* Queue one delivery (r->status, attempts, sent_at, last_error are
 * ignored: queued, due at r->next_at). */
enum store_err store_fed_delivery_add(struct store *s, const struct fed_delivery_row *r)
	__attribute__((warn_unused_result));
/* Queue kind of story_id (may be "") with payload (NULL: "") to every
 * follower of writer_id, once per inbox: a follower's shared inbox where
 * she has one, else her own. *n counts the rows queued. Ids are made by
 * the store. */
enum store_err store_fed_delivery_fanout(struct store *s, const char *writer_id, const char *kind,
					 const char *story_id, const char *payload, int64_t now,
					 int64_t *n) __attribute__((warn_unused_result));
/* Claim up to max queued deliveries due at now that no sender holds (a
 * claim lasts until lease_until) for sender who, oldest first (next_at,
 * then created_at); with per_domain (0: no limit) never so many that
 * more than per_domain of one inbox host (domain) are held at once,
 * counting what every sender holds (claimed, lease not run out, still
 * queued). Safe with several senders (PostgreSQL: FOR UPDATE SKIP
 * LOCKED, in a transaction of its own unless the caller's; SQLite: one
 * statement). */
enum store_err store_fed_delivery_claim(struct store *s, struct arena *a, const char *who,
					int64_t now, int64_t lease_until, size_t max,
					size_t per_domain, struct fed_delivery_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* Release every claim of sender who (due again at once). */
enum store_err store_fed_delivery_release(struct store *s, const char *who)
	__attribute__((warn_unused_result));
/* Delivered: status sent, payload cleared. NOT_FOUND when no such row. */
enum store_err store_fed_delivery_sent(struct store *s, const char *id, int64_t now)
	__attribute__((warn_unused_result));
/* Not yet: attempts + 1, due again at next_at, the claim released. */
enum store_err store_fed_delivery_retry(struct store *s, const char *id, int64_t next_at,
					const char *error) __attribute__((warn_unused_result));
/* Given up: status failed, payload cleared. */
enum store_err store_fed_delivery_fail(struct store *s, const char *id, int64_t now,
				       const char *error) __attribute__((warn_unused_result));
/* writer_id's deliveries (NULL: everyone's), newest first, at most max. */
enum store_err store_fed_deliveries(struct store *s, struct arena *a, const char *writer_id,
				    size_t max, struct fed_delivery_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* Counts by status (any pointer may be NULL). */
enum store_err store_fed_delivery_counts(struct store *s, int64_t *queued, int64_t *sent,
					 int64_t *failed) __attribute__((warn_unused_result));

#endif
