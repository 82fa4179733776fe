/*
 * store_fed.h - rows and storage functions for federation (issue 20;
 * schema in sqlite/migrations/020_fed_keys.sql, pg/migrations/
 * 011_fed_keys.sql): each writer's key pair for HTTP Signatures. Same
 * conventions as store.h: strings in returned rows live in the caller's
 * arena; a write is durable when the call returns STORE_OK. No product
 * rules here (when a key is made, and how, is fed/'s business); the PEM
 * text arrives already made by fed/keys.c.
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

#endif
