/*
 * store_admin.h - rows and storage functions for running the site
 * (issue 21; schema: SQLite 015_admin, PostgreSQL 006_admin): accounts
 * listed and suspended, an account deleted with what it wrote or handed
 * to another writer, the sign-up invitations still open, responses
 * readers reported, storage used, and the audit log of what
 * administrators did. Same conventions as store.h: strings in rows are
 * arena-owned, a write outside a transaction is one on its own.
 *
 * The rules (who may do what, and that every action is logged) are
 * accounts/admin.c's.
 */
#ifndef QUIRE_STORE_STORE_ADMIN_H
#define QUIRE_STORE_STORE_ADMIN_H

#include "store/store.h"

/* An account as /admin lists it. */
struct admin_user_row {
	struct user_row u;
	int64_t stories;     /* not deleted, any status */
	int64_t responses;   /* written by it */
	int64_t last_seen;   /* latest session activity, 0 if none */
};
/* Accounts whose handle or name contains query (case-insensitive; ""
 * for all), by handle, from handle from on ("" from the first); at most
 * max. */
enum store_err store_admin_users(struct store *s, struct arena *a, const char *query,
				 const char *from, size_t max, struct admin_user_row **rows,
				 size_t *n) __attribute__((warn_unused_result));
/* Suspend the account at at (> 0), or unsuspend it (0). NOT_FOUND if
 * there is no such account. Suspending also ends its sessions and API
 * tokens (in the same statement group; call in a transaction). */
enum store_err store_user_set_suspended(struct store *s, const char *id, int64_t at)
	__attribute__((warn_unused_result));
/* Mark every story of the account as being purged (deleted_at = 1, as
 * store_trash_mark does), so that media_collect() removes their photos
 * and store_trash_drop() the rows; *n how many. */
enum store_err store_user_stories_purge(struct store *s, const char *id, int64_t *n)
	__attribute__((warn_unused_result));
/* Give every story (with its photos, revisions, drafts, schedule and
 * former slugs), circle and block of account from to account to; a slug
 * to already uses gets "-" and the story id's first 6 characters
 * appended. Call in a transaction, then delete from. */
enum store_err store_user_hand_over(struct store *s, const char *from, const char *to)
	__attribute__((warn_unused_result));
/* Delete the account and, by the schema's cascades, everything else that
 * is its own (sessions, responses, follows, subscribers, mail). NOT_FOUND
 * if there is no such account. Purge its stories first. */
enum store_err store_user_delete(struct store *s, const char *id)
	__attribute__((warn_unused_result));
/* Accounts that are administrators and not suspended. */
enum store_err store_admin_count(struct store *s, int64_t *n) __attribute__((warn_unused_result));

/* ---- sign-up invitations ---- */
struct invite_row {
	const char *token_hash;
	const char *created_by; /* handle, or "" when that account is gone */
	int64_t created_at, expires_at;
	const char *link;       /* the token, or "" when not kept */
};
/* Unused, unexpired invitations, newest first; at most 200. */
enum store_err store_invites_open(struct store *s, struct arena *a, int64_t now,
				  struct invite_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* Keep the token of the invitation with token_hash, for copying. */
enum store_err store_invite_keep_link(struct store *s, const char *token_hash,
				      const char *token) __attribute__((warn_unused_result));
/* Revoke an unused invitation; NOT_FOUND if none such is open. */
enum store_err store_invite_revoke(struct store *s, const char *token_hash)
	__attribute__((warn_unused_result));

/* ---- reported responses, site-wide ---- */
struct report_row {
	struct response_row r;
	const char *story_slug;
	const char *story_author; /* the story's writer's handle */
	int64_t last_report;      /* when it was last reported */
};
/* Responses with at least one report that are not hidden, most reported
 * first, then most recently reported; at most max. A remote actor's
 * (author_id "") as store_response_get() reads it: its handle@domain,
 * name, remote_actor and remote_note. */
enum store_err store_reports_open(struct store *s, struct arena *a, size_t max,
				  struct report_row **rows, size_t *n)
	__attribute__((warn_unused_result));

/* ---- storage ---- */
struct storage_row {
	int64_t photos;         /* photos kept */
	int64_t photo_bytes;    /* bytes of every variant file */
	int64_t database_bytes; /* the database's size as the backend reports it */
};
enum store_err store_storage(struct store *s, struct storage_row *out)
	__attribute__((warn_unused_result));

/* ---- the audit log ---- */
struct audit_row {
	int64_t id;
	int64_t at;
	const char *actor_id, *actor_handle;
	const char *action; /* e.g. "suspend", "delete", "invite" */
	const char *target; /* e.g. the account's handle, or "" */
	const char *detail; /* free text, or "" */
};
enum store_err store_audit_add(struct store *s, const struct audit_row *r)
	__attribute__((warn_unused_result));
/* Newest first, those with id < before (0: from the newest); at most max. */
enum store_err store_audit_list(struct store *s, struct arena *a, int64_t before, size_t max,
				struct audit_row **rows, size_t *n)
	__attribute__((warn_unused_result));

#endif
