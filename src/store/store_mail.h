/*
 * store_mail.h - rows and storage functions for email (issue 18; schema
 * in sqlite/migrations/014_mail.sql, pg/migrations/005_mail.sql): the
 * addresses of accounts, a writer's subscribers, the outbox, single-use
 * mailed links and mail preferences. Same conventions as store.h: strings
 * in returned rows live in the caller's arena; a write is durable when
 * the call returns STORE_OK. No product rules here (who is mailed what is
 * decided in mail/); addresses arrive already checked and lowercased.
 */
#ifndef QUIRE_STORE_STORE_MAIL_H
#define QUIRE_STORE_STORE_MAIL_H

#include "store/store.h"

/* ---- an account's verified address ---- */
/* Set (or replace) user_id's address; CONFLICT when another account has
 * it. */
enum store_err store_user_email_set(struct store *s, const char *user_id, const char *email,
				    int64_t verified_at) __attribute__((warn_unused_result));
/* The address ("" and OK when she has none). */
enum store_err store_user_email_get(struct store *s, struct arena *a, const char *user_id,
				    const char **email) __attribute__((warn_unused_result));
/* The account with this address; NOT_FOUND when none. */
enum store_err store_user_by_email(struct store *s, struct arena *a, const char *email,
				   struct user_row *out) __attribute__((warn_unused_result));

/* ---- subscribers ---- */
struct subscriber_row {
	char id[17];
	char writer_id[17];
	const char *email;
	const char *status; /* "pending" | "confirmed" | "unsubscribed" */
	int64_t created_at, confirmed_at, asked_at;
	const char *source; /* "form" | "import" */
};
/* Insert r (r->id new); CONFLICT when writer already has that address. */
enum store_err store_subscriber_insert(struct store *s, const struct subscriber_row *r,
				       const char *token_hash) __attribute__((warn_unused_result));
enum store_err store_subscriber_get(struct store *s, struct arena *a, const char *writer_id,
				    const char *email, struct subscriber_row *out)
	__attribute__((warn_unused_result));
enum store_err store_subscriber_by_id(struct store *s, struct arena *a, const char *id,
				      struct subscriber_row *out) __attribute__((warn_unused_result));
/* The subscriber whose pending confirmation link hashes to token_hash. */
enum store_err store_subscriber_by_token(struct store *s, struct arena *a, const char *token_hash,
					 struct subscriber_row *out)
	__attribute__((warn_unused_result));
/* Set status; confirmed_at is set when status is "confirmed" (and the
 * token forgotten); token_hash (NULL: kept) and asked_at (0: kept) when
 * a new confirmation is asked for. NOT_FOUND when no such row. */
enum store_err store_subscriber_set(struct store *s, const char *id, const char *status,
				    int64_t now, const char *token_hash, int64_t asked_at)
	__attribute__((warn_unused_result));
enum store_err store_subscriber_delete(struct store *s, const char *id)
	__attribute__((warn_unused_result));
/* A writer's subscribers, newest first (at most max). */
enum store_err store_subscribers_of(struct store *s, struct arena *a, const char *writer_id,
				    size_t max, struct subscriber_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* How many of a writer's subscribers have status. */
enum store_err store_subscriber_count(struct store *s, const char *writer_id, const char *status,
				      int64_t *n) __attribute__((warn_unused_result));

/* ---- the outbox ---- */
struct outbox_row {
	char id[17];
	const char *kind;    /* "story", "confirm", "signin", ... (mail/mail.h) */
	const char *to_addr;
	const char *domain;  /* the recipient's domain, for rate limits */
	char writer_id[17];  /* the writer it is sent for, or "" */
	char story_id[17];   /* or "" */
	char ref_id[17];     /* a subscriber or user id, or "" */
	const char *payload; /* JSON, or "" (cleared when sent) */
	const char *status;  /* "queued" | "sent" | "failed" */
	int64_t attempts, next_at, created_at, sent_at;
	const char *last_error;
};
/* Queue one message (r->status is ignored: queued). */
enum store_err store_outbox_add(struct store *s, const struct outbox_row *r)
	__attribute__((warn_unused_result));
/* Queue kind for story_id to every confirmed subscriber of writer_id (a
 * public story; ref_id the subscriber) or, with circle_id, to every
 * member of that circle with an address whose preference "circle_mail"
 * is not "0", who is not the writer and whom she has not blocked (ref_id
 * the member). *n counts the rows queued. Ids are made by the store. */
enum store_err store_outbox_fanout(struct store *s, const char *kind, const char *story_id,
				   const char *writer_id, const char *circle_id, int64_t now,
				   int64_t *n) __attribute__((warn_unused_result));
/* Claim up to max queued messages due at now that no sender holds (a
 * claim lasts until lease_until) for the sender named who; oldest first.
 * Safe with several senders (PostgreSQL: FOR UPDATE SKIP LOCKED). */
enum store_err store_outbox_claim(struct store *s, struct arena *a, const char *who,
				  int64_t now, int64_t lease_until, size_t max,
				  struct outbox_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* Release every claim of sender who (a sender starting again: what its
 * earlier self held when it died is due again at once). */
enum store_err store_outbox_release(struct store *s, const char *who)
	__attribute__((warn_unused_result));
/* Accepted by the server: status sent, payload cleared. */
enum store_err store_outbox_sent(struct store *s, const char *id, int64_t now)
	__attribute__((warn_unused_result));
/* Not yet: attempts + 1, due again at next_at, the claim released. */
enum store_err store_outbox_retry(struct store *s, const char *id, int64_t next_at,
				  const char *error) __attribute__((warn_unused_result));
/* Refused for good: status failed, payload cleared. */
enum store_err store_outbox_fail(struct store *s, const char *id, int64_t now, const char *error)
	__attribute__((warn_unused_result));
/* Counts by status (any pointer may be NULL). */
enum store_err store_outbox_counts(struct store *s, int64_t *queued, int64_t *sent,
				   int64_t *failed) __attribute__((warn_unused_result));
/* The earliest next_at of a queued message (0 when none). */
enum store_err store_outbox_next(struct store *s, int64_t *at)
	__attribute__((warn_unused_result));
/* The messages for writer_id with this status, newest first (at most max). */
/* writer_id's queued messages of kind, oldest first; at most max. */
enum store_err store_outbox_queued_kind(struct store *s, struct arena *a, const char *writer_id,
					const char *kind, size_t max, struct outbox_row **rows,
					size_t *n) __attribute__((warn_unused_result));
enum store_err store_outbox_of(struct store *s, struct arena *a, const char *writer_id,
			       const char *status, size_t max, struct outbox_row **rows,
			       size_t *n) __attribute__((warn_unused_result));

/* ---- single-use mailed links ---- */
struct mail_token_row {
	const char *kind;   /* "signin" | "reset" | "verify" | "invite" */
	char user_id[17];   /* or "" */
	const char *email;
	char ref_id[17];    /* e.g. the circle of an invitation, or "" */
	int64_t created_at, expires_at, used_at;
};
enum store_err store_mail_token_add(struct store *s, const char *hash,
				    const struct mail_token_row *r)
	__attribute__((warn_unused_result));
/* The live (unused, unexpired at now) token of kind; NOT_FOUND else. */
enum store_err store_mail_token_get(struct store *s, struct arena *a, const char *hash,
				    const char *kind, int64_t now, struct mail_token_row *out)
	__attribute__((warn_unused_result));
/* Use it: NOT_FOUND unless it was live, so only one caller ever wins. */
enum store_err store_mail_token_use(struct store *s, const char *hash, const char *kind,
				    int64_t now) __attribute__((warn_unused_result));
/* Links of kind sent to email since since (for rate limits). */
enum store_err store_mail_token_count(struct store *s, const char *kind, const char *email,
				      int64_t since, int64_t *n) __attribute__((warn_unused_result));

/* ---- a story's mailing ---- */
/* Record that story_id is mailed now; *first is false when it was
 * mailed (or skipped) before, and then nothing changes. */
enum store_err store_story_mail_mark(struct store *s, const char *story_id, int64_t now,
				     bool *first) __attribute__((warn_unused_result));
/* The writer's choice for a story not yet mailed: skip it or not. */
enum store_err store_story_mail_skip(struct store *s, const char *story_id, bool skip)
	__attribute__((warn_unused_result));

/* ---- mail preferences ---- */
/* The value of name for user_id, or def ("" allowed) when unset. */
enum store_err store_mail_pref_get(struct store *s, struct arena *a, const char *user_id,
				   const char *name, const char *def, const char **val)
	__attribute__((warn_unused_result));
enum store_err store_mail_pref_set(struct store *s, const char *user_id, const char *name,
				   const char *val) __attribute__((warn_unused_result));

/* ---- a reader's private feed (/feed/TOKEN.atom), by hash only ---- */
/* Set user_id's feed token (replacing any). */
enum store_err store_feed_token_set(struct store *s, const char *user_id, const char *hash,
				    int64_t now) __attribute__((warn_unused_result));
/* The account whose feed token hashes to hash; NOT_FOUND if none. */
enum store_err store_feed_token_user(struct store *s, struct arena *a, const char *hash,
				     struct user_row *out) __attribute__((warn_unused_result));
/* When user_id's feed token was made; *at 0 when she has none. */
enum store_err store_feed_token_made(struct store *s, const char *user_id, int64_t *at)
	__attribute__((warn_unused_result));
/* Revoke it; NOT_FOUND if there was none. */
enum store_err store_feed_token_delete(struct store *s, const char *user_id)
	__attribute__((warn_unused_result));

#endif
