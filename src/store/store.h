/*
 * store.h - the backend-neutral storage interface. Rows are plain structs;
 * there are no product rules here (who may see what is decided by
 * audience/, which supplies the viewer; the SQL form of that rule lives in
 * each backend, once, and every listing query uses it).
 *
 * A struct store is one database connection and belongs to one thread.
 * Strings in returned rows are allocated from the arena the caller passes
 * and live as long as it. Functions return STORE_OK or an error; after an
 * error, output rows are unspecified and nothing has been written (each
 * write is a single statement or its own transaction, and is durable when
 * the call returns OK).
 */
#ifndef QUIRE_STORE_STORE_H
#define QUIRE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

enum store_err {
	STORE_OK = 0,
	STORE_NOT_FOUND,
	STORE_CONFLICT, /* unique constraint: handle or slug taken */
	STORE_ERROR,    /* I/O, corruption, busy beyond the timeout */
};
const char *store_strerror(enum store_err e);

struct store;

/* Open (creating if needed) the database at path and apply pending
 * migrations. On failure *out is NULL and err holds a message. */
enum store_err store_open(const char *path, struct store **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void store_close(struct store *s);
/* Schema version after migrations. */
int store_schema_version(struct store *s);
/* Cheap round trip for health checks. */
enum store_err store_ping(struct store *s) __attribute__((warn_unused_result));

/* A change stamp, for caches of things derived from the database (the
 * page cache in site/page_cache.h). Two stamps taken on the same
 * connection are equal only if nothing was committed in between, by this
 * connection or by any other (another thread or another process). Taken
 * outside a transaction; cheap (no disk I/O in WAL mode). A cache must
 * take the stamp *before* reading what it stores, so that a stored item
 * is never older than its stamp. Implemented in sqlite/store_stamp.c. */
struct store_stamp {
	int64_t external; /* changes committed by other connections */
	int64_t own;      /* rows changed by this connection */
};
enum store_err store_change_stamp(struct store *s, struct store_stamp *out)
	__attribute__((warn_unused_result));

/* Explicit transactions for multi-step writes. */
enum store_err store_begin(struct store *s) __attribute__((warn_unused_result));
enum store_err store_commit(struct store *s) __attribute__((warn_unused_result));
void store_rollback(struct store *s);

/* ---- settings ---- */
enum store_err store_setting_get(struct store *s, struct arena *a, const char *key, char **val)
	__attribute__((warn_unused_result));
enum store_err store_setting_set(struct store *s, const char *key, const char *val)
	__attribute__((warn_unused_result));
/* Set only if absent (first writer wins); *val gets the stored value. */
enum store_err store_setting_init(struct store *s, struct arena *a, const char *key,
				  const char *proposed, char **val)
	__attribute__((warn_unused_result));

/* ---- users ---- */
struct user_row {
	char id[17];
	const char *handle;
	const char *name;
	const char *bio;
	const char *password_hash;
	bool is_admin;
	int64_t created_at;
};

enum store_err store_user_insert(struct store *s, const struct user_row *u)
	__attribute__((warn_unused_result));
enum store_err store_user_by_handle(struct store *s, struct arena *a, const char *handle,
				    struct user_row *out) __attribute__((warn_unused_result));
enum store_err store_user_by_id(struct store *s, struct arena *a, const char *id,
				struct user_row *out) __attribute__((warn_unused_result));
enum store_err store_user_count(struct store *s, int64_t *n) __attribute__((warn_unused_result));
enum store_err store_user_update_profile(struct store *s, const char *id, const char *name,
					 const char *bio) __attribute__((warn_unused_result));

/* ---- sessions and API tokens (stored by hash only) ---- */
struct session_row {
	const char *user_id;
	const char *kind; /* "web" or "api" */
	int64_t created_at, last_seen, expires_at;
};
enum store_err store_session_insert(struct store *s, const char *token_hash, const char *user_id,
				    const char *kind, int64_t now, int64_t expires_at)
	__attribute__((warn_unused_result));
enum store_err store_session_get(struct store *s, struct arena *a, const char *token_hash,
				 struct session_row *out) __attribute__((warn_unused_result));
enum store_err store_session_touch(struct store *s, const char *token_hash, int64_t now)
	__attribute__((warn_unused_result));
enum store_err store_session_delete(struct store *s, const char *token_hash)
	__attribute__((warn_unused_result));
enum store_err store_session_prune(struct store *s, int64_t now)
	__attribute__((warn_unused_result));

/* ---- sign-up invitations ---- */
enum store_err store_invite_insert(struct store *s, const char *token_hash, const char *by,
				   int64_t now, int64_t expires_at)
	__attribute__((warn_unused_result));
/* NOT_FOUND unless the invite exists, is unused and unexpired. */
enum store_err store_invite_check(struct store *s, const char *token_hash, int64_t now)
	__attribute__((warn_unused_result));
/* Marks it used; NOT_FOUND if it was used or expired meanwhile. */
enum store_err store_invite_use(struct store *s, const char *token_hash, const char *user_id,
				int64_t now) __attribute__((warn_unused_result));

/* ---- failed sign-in attempts ---- */
enum store_err store_auth_fail_add(struct store *s, const char *scope, int64_t now)
	__attribute__((warn_unused_result));
/* Failures for scope at or after since; *oldest is the earliest of them. */
enum store_err store_auth_fail_count(struct store *s, const char *scope, int64_t since,
				     int64_t *count, int64_t *oldest)
	__attribute__((warn_unused_result));
enum store_err store_auth_fail_prune(struct store *s, int64_t before)
	__attribute__((warn_unused_result));

/* ---- stories ---- */
struct story_row {
	char id[17];
	char author_id[17];
	const char *slug;
	const char *title;
	const char *subtitle;
	const char *body;
	const char *body_html;
	const char *excerpt;
	int64_t word_count;
	const char *status; /* "draft" or "published" */
	int64_t published_at; /* 0 when never published */
	int64_t created_at, updated_at;
	int64_t edited_at; /* last content change after first publication, or 0 */
	const char *audience;     /* "public" | "unlisted" | "circle" | "private" */
	char circle_id[17];       /* for "circle"; empty otherwise */
	const char *content_note; /* "" when none */
	char share_key[17];       /* unlisted link secret; empty when none */
	/* Joined from users on reads. */
	const char *author_handle;
	const char *author_name;
};

enum store_err store_story_insert(struct store *s, const struct story_row *r)
	__attribute__((warn_unused_result));
/* Overwrites every mutable column of the story with id r->id. */
enum store_err store_story_update(struct store *s, const struct story_row *r)
	__attribute__((warn_unused_result));
enum store_err store_story_get(struct store *s, struct arena *a, const char *id,
			       struct story_row *out) __attribute__((warn_unused_result));
enum store_err store_story_by_slug(struct store *s, struct arena *a, const char *author_id,
				   const char *slug, struct story_row *out)
	__attribute__((warn_unused_result));
/* A former slug of one of author's stories: the story id, or NOT_FOUND. */
enum store_err store_story_old_slug(struct store *s, const char *author_id, const char *slug,
				    char story_id[17]) __attribute__((warn_unused_result));
/* Whether slug is in use (current or former) by a story other than except_id. */
enum store_err store_story_slug_taken(struct store *s, const char *author_id, const char *slug,
				      const char *except_id, bool *taken)
	__attribute__((warn_unused_result));
enum store_err store_story_slug_remember(struct store *s, const char *author_id,
					 const char *slug, const char *story_id)
	__attribute__((warn_unused_result));
/* The story whose unlisted link carries key (any audience; callers ask
 * audience/ whether the key grants access). */
enum store_err store_story_by_share_key(struct store *s, struct arena *a, const char *key,
					struct story_row *out) __attribute__((warn_unused_result));
/* Soft delete: the story disappears from every read. */
enum store_err store_story_delete(struct store *s, const char *id, int64_t now)
	__attribute__((warn_unused_result));

/*
 * Listings, newest first by (COALESCE(published_at, created_at), id), keyset
 * paginated: pass the last row's key as the cursor to get the next page.
 * Only stories the viewer may see are returned (viewer_id NULL means an
 * anonymous reader); published_only additionally drops the viewer's own
 * drafts.
 */
struct story_query {
	const char *viewer_id;
	const char *author_id; /* NULL: all writers */
	bool published_only;
	bool public_only;      /* only audience "public" (home, feeds, sitemap) */
	int64_t before_at;     /* cursor; 0: from the newest */
	const char *before_id;
	int limit;             /* rows wanted; at most 100 */
};
struct story_list {
	struct story_row *items;
	size_t n;
	bool more; /* another page exists */
};
enum store_err store_story_list(struct store *s, struct arena *a, const struct story_query *q,
				struct story_list *out) __attribute__((warn_unused_result));

/* ---- circles: a writer's named groups of invited readers ---- */
struct circle_row {
	char id[17];
	char owner_id[17];
	const char *name;
	int64_t created_at;
	int64_t member_count;
};
struct member_row {
	char user_id[17];
	const char *handle;
	const char *name;
	int64_t joined_at;
};
struct circle_invite_row {
	const char *token_hash;
	char circle_id[17];
	const char *token_tail;
	int64_t uses_left; /* -1: unlimited */
	int64_t expires_at;
	bool revoked;
	int64_t created_at;
};

enum store_err store_circle_insert(struct store *s, const struct circle_row *c)
	__attribute__((warn_unused_result));
enum store_err store_circle_get(struct store *s, struct arena *a, const char *id,
				struct circle_row *out) __attribute__((warn_unused_result));
enum store_err store_circle_list(struct store *s, struct arena *a, const char *owner_id,
				 struct circle_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* Deletes the circle, its members and invitations; its stories become
 * private (nobody but the writer keeps access). One transaction. */
enum store_err store_circle_delete(struct store *s, const char *id)
	__attribute__((warn_unused_result));
enum store_err store_circle_member_add(struct store *s, const char *circle_id,
				       const char *user_id, int64_t now)
	__attribute__((warn_unused_result));
/* NOT_FOUND if the user was not a member. */
enum store_err store_circle_member_remove(struct store *s, const char *circle_id,
					  const char *user_id) __attribute__((warn_unused_result));
enum store_err store_circle_members(struct store *s, struct arena *a, const char *circle_id,
				    struct member_row **rows, size_t *n)
	__attribute__((warn_unused_result));
enum store_err store_circle_is_member(struct store *s, const char *circle_id,
				      const char *user_id, bool *member)
	__attribute__((warn_unused_result));
enum store_err store_circle_invite_insert(struct store *s, const struct circle_invite_row *r)
	__attribute__((warn_unused_result));
enum store_err store_circle_invite_get(struct store *s, struct arena *a, const char *token_hash,
				       struct circle_invite_row *out)
	__attribute__((warn_unused_result));
/* Consume one use if the invitation is live; NOT_FOUND otherwise. */
enum store_err store_circle_invite_use(struct store *s, const char *token_hash, int64_t now)
	__attribute__((warn_unused_result));
enum store_err store_circle_invite_revoke(struct store *s, const char *circle_id,
					  const char *token_hash) __attribute__((warn_unused_result));
enum store_err store_circle_invites(struct store *s, struct arena *a, const char *circle_id,
				    struct circle_invite_row **rows, size_t *n)
	__attribute__((warn_unused_result));

#endif
