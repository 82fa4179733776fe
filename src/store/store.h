/*
 * store.h - the backend-neutral storage interface. Rows are plain structs;
 * there are no product rules here (who may see what is decided by
 * audience/, which supplies the viewer; the SQL form of that rule lives in
 * each backend, once, and every listing query uses it).
 *
 * Backends (store_open(url) picks one; store/backend.h): SQLite in
 * sqlite/, PostgreSQL in pg/. Rules that must be written in SQL, because
 * listings filter with them, are written once per backend, named, and
 * held to their C forms by the conformance suite (tests/unit/test_store*):
 *  - the audience rule of listings and search: AUDIENCE_SQL (SQLite),
 *    PG_AUDIENCE_SQL (PostgreSQL); C form audience_may_see_story();
 *  - the share-card photo choice: PHOTO_FOR_ALL_SQL, PG_PHOTO_FOR_ALL_SQL;
 *    C form audience_may_see_photo() for nobody in particular;
 *  - which responses readers see (store_responses_for_story with
 *    everything false): visible, author not blocked, parent visible;
 *  - deleting a circle makes its stories private (store_circle_delete).
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
	STORE_CONFLICT, /* a constraint: handle or slug taken, a reference to nothing */
	STORE_ERROR,    /* I/O, corruption, busy beyond the timeout */
};
const char *store_strerror(enum store_err e);

struct store;

/* Open (creating if needed) the database at path and apply pending
 * migrations. On failure *out is NULL and err holds a message. */
/* ---- imports (issue 19): a post of another platform, by its own id ---- */
/* The story user_id imported from source's post source_id; NOT_FOUND. */
enum store_err store_import_source_get(struct store *s, const char *user_id, const char *source,
				       const char *source_id, char story_id[17])
	__attribute__((warn_unused_result));
enum store_err store_import_source_add(struct store *s, const char *user_id, const char *source,
				       const char *source_id, const char *story_id, int64_t now)
	__attribute__((warn_unused_result));

/* A photo of an imported story that could not be fetched: the body names
 * it as photo:ID already; the row says where it was and why it failed. */
struct import_photo_row {
	char id[17], story_id[17], user_id[17];
	const char *url, *alt, *caption, *error;
	int64_t tries, created_at;
};
/* Insert it, or (same id) update its error and tries. */
enum store_err store_import_photo_put(struct store *s, const struct import_photo_row *p)
	__attribute__((warn_unused_result));
/* NOT_FOUND when id is no missing photo (fetched since, or never). */
enum store_err store_import_photo_get(struct store *s, struct arena *a, const char *id,
				      struct import_photo_row *out) __attribute__((warn_unused_result));
/* user_id's missing photos (NULL: everyone's), oldest first, at most max. */
enum store_err store_import_photo_list(struct store *s, struct arena *a, const char *user_id,
				       size_t max, struct import_photo_row **rows, size_t *n)
	__attribute__((warn_unused_result));
enum store_err store_import_photo_delete(struct store *s, const char *id)
	__attribute__((warn_unused_result));

/* An import started from the settings page: a durable queue. A worker
 * claims a job with a lease (claimed_by, lease_until); a job whose worker
 * died is claimed again when the lease runs out. */
struct import_job_row {
	char id[17], user_id[17];
	const char *kind;       /* "medium" | "substack" | "wordpress" | "quire" | "photos" */
	const char *file;       /* the upload, relative to the data directory; "" for photos */
	const char *name;       /* the uploaded file's name as sent */
	bool responses;         /* medium: responses become stories too */
	const char *status;     /* "queued" | "running" | "done" | "failed" */
	int64_t done, total;    /* posts handled, posts in the export (0 until read) */
	const char *report;
	const char *claimed_by;
	int64_t lease_until, created_at, started_at, finished_at;
};
/* Queue it (j->status, done, total, report, claim and times other than
 * created_at are ignored: queued, nothing done). */
enum store_err store_import_job_add(struct store *s, const struct import_job_row *j)
	__attribute__((warn_unused_result));
enum store_err store_import_job_get(struct store *s, struct arena *a, const char *id,
				    struct import_job_row *out) __attribute__((warn_unused_result));
/* user_id's jobs, newest first, at most max. */
enum store_err store_import_job_list(struct store *s, struct arena *a, const char *user_id,
				     size_t max, struct import_job_row **rows, size_t *n)
	__attribute__((warn_unused_result));
/* Claim the oldest job that is queued, or running under a lease that ran
 * out before now, for worker who until lease_until: status running,
 * started_at now (kept when claimed again). NOT_FOUND when there is none.
 * Safe with several workers (PostgreSQL: FOR UPDATE SKIP LOCKED). */
enum store_err store_import_job_claim(struct store *s, struct arena *a, const char *who,
				      int64_t now, int64_t lease_until, struct import_job_row *out)
	__attribute__((warn_unused_result));
/* Progress of a job who holds, its lease extended to lease_until;
 * NOT_FOUND when who no longer holds it. */
enum store_err store_import_job_progress(struct store *s, const char *id, const char *who,
					 int64_t done, int64_t total, int64_t lease_until)
	__attribute__((warn_unused_result));
/* Give a job who holds back to the queue (a worker stopping mid-way):
 * queued again, its progress kept. NOT_FOUND when who does not hold it. */
enum store_err store_import_job_release(struct store *s, const char *id, const char *who)
	__attribute__((warn_unused_result));
/* The end of a job who holds: status "done" or "failed", the report, the
 * claim released. NOT_FOUND when who no longer holds it. */
enum store_err store_import_job_finish(struct store *s, const char *id, const char *who,
				       const char *status, const char *report, int64_t now)
	__attribute__((warn_unused_result));

/* What a writer's profile shows besides her name and bio (issue 17). */
struct profile_row {
	char user_id[17];
	char avatar_hash[65];   /* "" when she has none */
	int64_t avatar_width, avatar_height;
	const char *links;      /* one address a line (at most three), or "" */
	int64_t updated_at;
};
/* NOT_FOUND when she never set either. */
enum store_err store_profile_get(struct store *s, struct arena *a, const char *user_id,
				 struct profile_row *out) __attribute__((warn_unused_result));
/* Her avatar (hash "" removes it); old gets the hash it replaced, or "". */
enum store_err store_profile_avatar_set(struct store *s, const char *user_id, const char *hash,
					int64_t width, int64_t height, int64_t now, char old[65])
	__attribute__((warn_unused_result));
enum store_err store_profile_links_set(struct store *s, const char *user_id, const char *links,
				       int64_t now) __attribute__((warn_unused_result));

/* Whether url names a backend this binary has (a bare path is SQLite). */
bool store_url_known(const char *url);
enum store_err store_open(const char *path, struct store **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void store_close(struct store *s);
/* "SQLite 3.40.1, libpq 15.x" (the libraries' own versions at run time),
 * into out; for quire --version. Not a connection function. */
void store_lib_versions(char *out, size_t n);
/* Schema version after migrations. */
int store_schema_version(struct store *s);
/* Cheap round trip for health checks. */
enum store_err store_ping(struct store *s) __attribute__((warn_unused_result));

/* A change stamp, for caches of things derived from the database (the
 * page cache in web/page_cache.h). Two stamps taken on the same
 * connection are equal only if nothing was committed in between by this
 * process (any connection, any thread); commits by another process (a CLI
 * command, an import) show within STORE_STAMP_RECHECK_MS. A cache must
 * take the stamp *before* reading what it stores, so that a stored item is
 * never older than its stamp. Cheap: no query on most calls. Implemented
 * in sqlite/store_stamp.c. */
#define STORE_STAMP_RECHECK_MS 100
struct store_stamp {
	int64_t commits;  /* commits by this process's connections */
	int64_t external; /* commits by other processes, as last checked */
	int64_t own;      /* rows changed by this connection */
};
enum store_err store_change_stamp(struct store *s, struct store_stamp *out)
	__attribute__((warn_unused_result));

/* Explicit transactions for multi-step writes. */
/*
 * One read snapshot for a run of reads (a GET request): after
 * store_read_begin(), the first read opens a transaction that the later
 * reads share, so a page is read from one consistent state, and taking
 * the database's locks once instead of per statement made a signed-in
 * story view much cheaper. Any write, or store_begin(), ends the snapshot
 * first and runs as usual. store_read_end() ends it; both are cheap when
 * nothing was read.
 */
void store_read_begin(struct store *s);
void store_read_end(struct store *s);

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
	const char *time_zone; /* IANA name, or "" when not chosen */
	int64_t suspended_at;  /* when an administrator suspended it; 0 if not */
};

enum store_err store_user_insert(struct store *s, const struct user_row *u)
	__attribute__((warn_unused_result));
enum store_err store_user_by_handle(struct store *s, struct arena *a, const char *handle,
				    struct user_row *out) __attribute__((warn_unused_result));
enum store_err store_user_by_id(struct store *s, struct arena *a, const char *id,
				struct user_row *out) __attribute__((warn_unused_result));
enum store_err store_user_count(struct store *s, int64_t *n) __attribute__((warn_unused_result));
/* Set the user's time zone (an IANA name checked by the caller, or ""). */
enum store_err store_user_set_time_zone(struct store *s, const char *id, const char *zone)
	__attribute__((warn_unused_result));
enum store_err store_user_update_profile(struct store *s, const char *id, const char *name,
					 const char *bio) __attribute__((warn_unused_result));
/* sqlite/store_signin.c: a new password hash; NOT_FOUND if no such user. */
enum store_err store_user_set_password(struct store *s, const char *id, const char *hash)
	__attribute__((warn_unused_result));
/* sqlite/store_book.c: whether she lets readers download a public story
 * of hers as a book (EPUB; off for a new writer). NOT_FOUND if no such
 * user, *on then false. */
enum store_err store_user_book_share_get(struct store *s, const char *id, bool *on)
	__attribute__((warn_unused_result));
enum store_err store_user_book_share_set(struct store *s, const char *id, bool on)
	__attribute__((warn_unused_result));

/* ---- sessions and API tokens (stored by hash only) ---- */
struct session_row {
	const char *user_id;
	const char *kind; /* "web" or "api" */
	int64_t created_at, last_seen, expires_at;
};
enum store_err store_session_insert(struct store *s, const char *token_hash, const char *user_id,
				    const char *kind, int64_t now, int64_t expires_at)
	__attribute__((warn_unused_result));
/* token_hash is always the 64 hex characters of a SHA-256 (hash_token()).
 * The session with token_hash and its user, in one read. Answers are
 * remembered per connection until the next write anywhere
 * (store_change_stamp()), so a signed-in request costs no query here. */
enum store_err store_session_user(struct store *s, struct arena *a, const char *token_hash,
				  struct session_row *sess, struct user_row *user)
	__attribute__((warn_unused_result));
enum store_err store_session_touch(struct store *s, const char *token_hash, int64_t now)
	__attribute__((warn_unused_result));
enum store_err store_session_delete(struct store *s, const char *token_hash)
	__attribute__((warn_unused_result));
enum store_err store_session_prune(struct store *s, int64_t now)
	__attribute__((warn_unused_result));
/* sqlite/store_signin.c: delete user_id's sessions and tokens but the one
 * with hash keep (NULL: all). */
enum store_err store_session_delete_others(struct store *s, const char *user_id, const char *keep)
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

/* ---- sign-in attempts (sqlite/store_signin.c) ----
 * One row per password verification, keyed by the handle tried and the
 * client address. The rules (limits, windows) are the caller's; run
 * store_signin_counts() and store_signin_add() inside one store_begin()
 * transaction so that no other attempt slips in between. */
struct signin_counts {
	int64_t pair, pair_oldest; /* not-'ok' rows for (handle, addr) at or after since */
	int64_t addr, addr_oldest; /* not-'ok' rows from addr at or after since */
	int64_t account;           /* not-'ok' rows for handle at or after slow_since */
	int64_t account_addrs;     /* ... from that many distinct addresses */
	int64_t account_last;      /* the newest of them (0: none) */
	bool known;                /* an 'ok' row for (handle, addr) at or after known_since */
};
enum store_err store_signin_counts(struct store *s, const char *handle, const char *addr,
				   int64_t since, int64_t slow_since, int64_t known_since,
				   struct signin_counts *out) __attribute__((warn_unused_result));
/* A 'pending' row; *id names it for store_signin_finish(). */
enum store_err store_signin_add(struct store *s, const char *handle, const char *addr, int64_t now,
				int64_t *id) __attribute__((warn_unused_result));
/* state "failed" or "ok"; NULL deletes the row (nothing was verified). */
enum store_err store_signin_finish(struct store *s, int64_t id, const char *state)
	__attribute__((warn_unused_result));
/* Drop rows other than 'ok' from before failed_before, and 'ok' rows
 * from before ok_before. */
enum store_err store_signin_prune(struct store *s, int64_t failed_before, int64_t ok_before)
	__attribute__((warn_unused_result));

/* ---- stories ---- */
/* A story's status and audience: enums in C, their names only at the
 * edges (SQL, JSON, forms, templates). parse() is false for any other
 * name; a stored name a backend does not know reads as the most careful
 * value (draft, private). */
enum story_status { STATUS_DRAFT, STATUS_PUBLISHED };
enum story_audience { AUDIENCE_PUBLIC, AUDIENCE_UNLISTED, AUDIENCE_CIRCLE, AUDIENCE_PRIVATE };
const char *story_status_name(enum story_status st);
bool story_status_parse(const char *name, enum story_status *out);
const char *story_audience_name(enum story_audience a);
bool story_audience_parse(const char *name, enum story_audience *out);

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
	enum story_status status;
	int64_t published_at; /* 0 when never published */
	int64_t created_at, updated_at;
	int64_t edited_at; /* last content change after first publication, or 0 */
	enum story_audience audience;
	char circle_id[17];       /* for AUDIENCE_CIRCLE; empty otherwise */
	const char *content_note; /* "" when none */
	char share_key[17];       /* unlisted link secret; empty when none */
	const char *responses;    /* "open" | "approval" | "off" */
	const char *responders;   /* "signed_in" | "circle" */
	/* The body as plain text for search (md_text()); written by insert
	 * and update, never read back: NULL on reads, and an update with
	 * NULL keeps the stored text. */
	const char *search_text;
	/* Joined from users on reads. */
	const char *author_handle;
	const char *author_name;
	bool author_suspended; /* shown to nobody else while so */
	/* Where it was first published, for an imported story ("" else):
	 * written by insert only. */
	const char *canonical_url;
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
/* A new unlisted-link key for author's live unlisted story id; NOT_FOUND
 * if there is no such story (any more). */
enum store_err store_story_share_key_set(struct store *s, const char *id, const char *author_id,
					 const char *key) __attribute__((warn_unused_result));
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
	const char *tag;       /* only stories with this tag; NULL: any */
	const char *followed_by; /* only writers this user follows; NULL: any */
	bool circle_only;      /* only circle stories, of writers other than the viewer */
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
/* Invitations by handle (a pending invitation of one account into one
 * circle; she joins only when she accepts). Adding an invitation that
 * exists is OK and keeps its first time. Remove is NOT_FOUND when there
 * was none. The circle's invitees come as member_row (joined_at = when
 * invited), ordered by handle; a user's invitations as circle_row (the
 * inviting circles, member_count filled), newest first. */
enum store_err store_circle_invitee_add(struct store *s, const char *circle_id,
					const char *user_id, int64_t now)
	__attribute__((warn_unused_result));
enum store_err store_circle_invitee_remove(struct store *s, const char *circle_id,
					   const char *user_id) __attribute__((warn_unused_result));
enum store_err store_circle_invitees(struct store *s, struct arena *a, const char *circle_id,
				     struct member_row **rows, size_t *n)
	__attribute__((warn_unused_result));
enum store_err store_circle_invitations_for(struct store *s, struct arena *a, const char *user_id,
					    struct circle_row **rows, size_t *n)
	__attribute__((warn_unused_result));

/* ---- responses, blocks, muted words, rate events ---- */
enum response_status { RESPONSE_VISIBLE, RESPONSE_PENDING, RESPONSE_HIDDEN };
const char *response_status_name(enum response_status st);
bool response_status_parse(const char *name, enum response_status *out);

struct response_row {
	char id[17];
	char story_id[17];
	char author_id[17];
	char parent_id[17];   /* empty for a top-level response */
	const char *body;
	const char *body_html;
	enum response_status status;
	const char *held_for; /* "", "approval" or "muted" */
	int64_t created_at;
	int64_t edited_at;    /* 0 if never edited */
	int64_t reports;
	/* Joined on reads. */
	const char *author_handle;
	const char *author_name;
	bool author_blocked;  /* blocked by the story's writer */
	bool author_suspended; /* by an administrator: readers do not see it */
	const char *story_title;
	/* A reply from the fediverse (author_id ""): its actor's URL and
	 * its Note's id ("" for a local response); author_handle is then
	 * user@domain and author_name the actor's name. */
	const char *remote_actor, *remote_note;
};
struct response_list {
	struct response_row *items;
	size_t n;
};

enum store_err store_response_insert(struct store *s, const struct response_row *r)
	__attribute__((warn_unused_result));
enum store_err store_response_get(struct store *s, struct arena *a, const char *id,
				  struct response_row *out) __attribute__((warn_unused_result));
enum store_err store_response_edit(struct store *s, const char *id, const char *body,
				   const char *html, enum response_status status, const char *held_for,
				   int64_t now) __attribute__((warn_unused_result));
enum store_err store_response_set_status(struct store *s, const char *id,
					 enum response_status status)
	__attribute__((warn_unused_result));
/* Deletes the response and its replies. */
enum store_err store_response_delete(struct store *s, const char *id)
	__attribute__((warn_unused_result));
/*
 * A story's responses, oldest first. With everything false: only what
 * readers may see - visible responses whose author is not blocked by
 * writer_id and whose parent (if any) is visible too. With everything
 * true: all of them (for the writer).
 */
enum store_err store_responses_for_story(struct store *s, struct arena *a, const char *story_id,
					 const char *writer_id, bool everything,
					 struct response_list *out) __attribute__((warn_unused_result));
enum store_err store_response_count_visible(struct store *s, const char *story_id,
					    const char *writer_id, int64_t *n)
	__attribute__((warn_unused_result));
/* Pending, hidden and reported responses on writer_id's stories, newest first. */
enum store_err store_moderation_queue(struct store *s, struct arena *a, const char *writer_id,
				      struct response_list *out) __attribute__((warn_unused_result));
enum store_err store_response_report(struct store *s, const char *id, const char *reporter_id,
				     int64_t now) __attribute__((warn_unused_result));

enum store_err store_block_add(struct store *s, const char *writer_id, const char *blocked_id,
			       int64_t now) __attribute__((warn_unused_result));
enum store_err store_block_remove(struct store *s, const char *writer_id, const char *blocked_id)
	__attribute__((warn_unused_result));
enum store_err store_block_check(struct store *s, const char *writer_id, const char *blocked_id,
				 bool *blocked) __attribute__((warn_unused_result));
enum store_err store_block_list(struct store *s, struct arena *a, const char *writer_id,
				struct member_row **rows, size_t *n) __attribute__((warn_unused_result));

/* What ties a signed-in reader to a writer, beyond what any signed-in
 * stranger has: she is in one of the writer's circles, the writer blocked
 * her, or she has written a response (of any status) to one of the
 * writer's stories. A reader with none of them sees the writer's public
 * and unlisted stories exactly as any other such reader does (the web
 * layer shares their rendering between such readers: web/slot_page.h). */
struct reader_ties {
	bool member;
	bool blocked;
	bool responded;
};
enum store_err store_reader_ties(struct store *s, const char *reader_id, const char *writer_id,
				 struct reader_ties *out) __attribute__((warn_unused_result));

/* The writer's muted phrases (as she typed them). */
enum store_err store_muted_get(struct store *s, struct arena *a, const char *writer_id,
			       const char ***phrases, size_t *n) __attribute__((warn_unused_result));
/* Replace the whole list in one transaction. */
enum store_err store_muted_set(struct store *s, const char *writer_id, const char *const *phrases,
			       size_t n) __attribute__((warn_unused_result));

enum store_err store_response_defaults(struct store *s, struct arena *a, const char *user_id,
				       const char **responses, const char **responders)
	__attribute__((warn_unused_result));
enum store_err store_response_defaults_set(struct store *s, const char *user_id,
					   const char *responses, const char *responders)
	__attribute__((warn_unused_result));

enum store_err store_rate_add(struct store *s, const char *scope, int64_t now)
	__attribute__((warn_unused_result));
enum store_err store_rate_count(struct store *s, const char *scope, int64_t since,
				int64_t *count, int64_t *oldest) __attribute__((warn_unused_result));

/* ---- the writing desk: revisions, schedule, trash (sqlite/store_desk.c,
 * schema in migrations/005_desk.sql; rules in stories/desk.h) ---- */
struct revision_row {
	char id[17];
	char story_id[17];
	int64_t seq;           /* order within the story, from 1 */
	const char *kind;      /* create|save|autosave|publish|restore|conflict|scheduled */
	const char *title;
	const char *subtitle;
	const char *body;      /* "" in listings */
	int64_t word_count;
	char restored_from[17]; /* empty unless kind is "restore" */
	int64_t created_at;
	int64_t saved_at;      /* last rewrite of a coalesced autosave */
};
/* Append r as the story's newest revision (r->seq is chosen here). */
enum store_err store_revision_add(struct store *s, const struct revision_row *r)
	__attribute__((warn_unused_result));
/* Rewrite revision old_id in place with r's id, kind, text, restored_from
 * and saved_at (a coalesced autosave). NOT_FOUND if old_id is gone. */
enum store_err store_revision_rewrite(struct store *s, const char *old_id,
				      const struct revision_row *r) __attribute__((warn_unused_result));
/* The story's newest revision that is not a refused save; NOT_FOUND if none. */
enum store_err store_revision_current(struct store *s, struct arena *a, const char *story_id,
				      struct revision_row *out) __attribute__((warn_unused_result));
enum store_err store_revision_get(struct store *s, struct arena *a, const char *id,
				  struct revision_row *out) __attribute__((warn_unused_result));
/* A story's revisions, newest first, bodies left empty; at most 1000. */
enum store_err store_revision_list(struct store *s, struct arena *a, const char *story_id,
				   struct revision_row **rows, size_t *n)
	__attribute__((warn_unused_result));

/* publish_at 0 clears the story's schedule. */
enum store_err store_schedule_set(struct store *s, const char *story_id, int64_t publish_at)
	__attribute__((warn_unused_result));
/* *publish_at is 0 when the story is not scheduled. */
enum store_err store_schedule_get(struct store *s, const char *story_id, int64_t *publish_at)
	__attribute__((warn_unused_result));
/* Earliest publish_at of a live draft; *at is 0 when none. */
enum store_err store_schedule_next(struct store *s, int64_t *at)
	__attribute__((warn_unused_result));
/* Live drafts due at or before now, at most max ids, earliest first.
 * Each is claimed for this connection: where several app servers share
 * the database (PostgreSQL), no other connection's store_schedule_due()
 * returns a story this one returned until this connection calls
 * store_schedule_due() again or closes, so that a scheduler that
 * publishes what it got before asking again publishes each story exactly
 * once. (SQLite has one server process and one scheduler: nothing to
 * claim.) */
enum store_err store_schedule_due(struct store *s, int64_t now, char (*ids)[17], size_t max,
				  size_t *n) __attribute__((warn_unused_result));

struct trash_row {
	char id[17];
	const char *title;
	const char *status;
	int64_t word_count;
	int64_t deleted_at;
};
/* author's deleted stories, most recently deleted first; at most 500. */
enum store_err store_trash_list(struct store *s, struct arena *a, const char *author_id,
				struct trash_row **rows, size_t *n) __attribute__((warn_unused_result));
/* Undelete; NOT_FOUND unless the story is author's and in the trash. */
enum store_err store_trash_restore(struct store *s, const char *id, const char *author_id)
	__attribute__((warn_unused_result));
/* Earliest deleted_at in the trash; *at is 0 when the trash is empty. */
enum store_err store_trash_oldest(struct store *s, int64_t *at) __attribute__((warn_unused_result));
/* Mark trashed stories as being purged (deleted_at = 1): those deleted at
 * or before cutoff, limited to author_id and only_id when not NULL. *n is
 * how many were marked. store_trash_drop() then deletes the marked rows
 * (after their photos were collected). */
enum store_err store_trash_mark(struct store *s, int64_t cutoff, const char *author_id,
				const char *only_id, int64_t *n) __attribute__((warn_unused_result));
enum store_err store_trash_drop(struct store *s) __attribute__((warn_unused_result));
/*
 * A published story's pending draft (held edits, stories/desk.h): every
 * field the editor saves, kept apart from the live row until the writer
 * publishes it. tags is the normalised set; revision_id the revision the
 * last save of the draft made.
 */
struct story_draft_row {
	char story_id[17];
	const char *title;
	const char *subtitle;
	const char *body;
	const char *audience;
	char circle_id[17];
	const char *content_note;
	const char *responses;
	const char *responders;
	const char *const *tags;
	size_t ntags;
	char revision_id[17];
	int64_t updated_at;
};
/* NOT_FOUND when the story has no pending draft. */
enum store_err store_draft_get(struct store *s, struct arena *a, const char *story_id,
			       struct story_draft_row *out) __attribute__((warn_unused_result));
/* Insert or replace the story's draft. */
enum store_err store_draft_put(struct store *s, const struct story_draft_row *d)
	__attribute__((warn_unused_result));
/* Remove it; OK (not NOT_FOUND) when there was none. */
enum store_err store_draft_delete(struct store *s, const char *story_id)
	__attribute__((warn_unused_result));
/* ---- end of the writing desk ---- */

/* Stories saved before search_text existed (deleted ones too): up to max
 * ids and bodies whose text is missing, and setting it (re-indexes the
 * story for search). */
enum store_err store_story_text_missing(struct store *s, struct arena *a, char (*ids)[17],
				       const char **bodies, size_t max, size_t *n)
	__attribute__((warn_unused_result));
enum store_err store_story_text_set(struct store *s, const char *id, const char *text)
	__attribute__((warn_unused_result));

/* ---- follows, tags, search ---- */
enum store_err store_follow_add(struct store *s, const char *follower_id, const char *writer_id,
				int64_t now) __attribute__((warn_unused_result));
/* NOT_FOUND if she did not follow. */
enum store_err store_follow_remove(struct store *s, const char *follower_id,
				   const char *writer_id) __attribute__((warn_unused_result));
enum store_err store_follow_check(struct store *s, const char *follower_id,
				  const char *writer_id, bool *follows)
	__attribute__((warn_unused_result));
/* Whom user_id follows / who follows writer_id (joined_at = since). */
enum store_err store_following(struct store *s, struct arena *a, const char *user_id,
			       struct member_row **rows, size_t *n) __attribute__((warn_unused_result));
enum store_err store_followers(struct store *s, struct arena *a, const char *writer_id,
			       struct member_row **rows, size_t *n) __attribute__((warn_unused_result));

/* The story's first photo that is not sensitive and is for the story's
 * whole audience (PHOTO_FOR_ALL_SQL), with the width of its largest JPEG
 * variant up to max_width px (1600 for share previews, 480 for the
 * thumbnails of lists). */
enum store_err store_story_share_photo(struct store *s, const char *story_id, int64_t max_width,
				       char photo_id[17], int64_t *width)
	__attribute__((warn_unused_result));

enum store_err store_tags_get(struct store *s, struct arena *a, const char *story_id,
			      const char ***tags, size_t *n) __attribute__((warn_unused_result));
/* Replace the story's tags (one transaction). */
enum store_err store_tags_set(struct store *s, const char *story_id, const char *const *tags,
			      size_t n) __attribute__((warn_unused_result));

/*
 * Full-text search for what a reader typed (query: valid UTF-8, its
 * length bounded by the caller), the same contract on every backend:
 *  - every word must match, in any order and any column (title,
 *    subtitle, tags, the body's search text; never photo text), after
 *    stemming ("walk" finds "walking"); "a quoted phrase" matches those
 *    words in that order. Anything else in the query is taken as words
 *    (a backend may understand more of a search syntax, e.g. OR, but
 *    nothing relies on it); a query with nothing searchable finds
 *    nothing, and no query is an error.
 *  - only published stories the viewer may see (AUDIENCE_SQL; viewer_id
 *    NULL: an anonymous reader).
 *  - best match first: a match in the title ranks above one in the
 *    subtitle or tags, which ranks above one in the body; ties newest
 *    first. At most limit rows (1..100; otherwise 20). A backend may
 *    rank only the 2000 most recently added stories that match (SQLite
 *    does: ranking every match of a word found in most of a million
 *    stories took seconds); fewer matches are all ranked.
 * snippets[i] is a short plain-text extract (not HTML) of items[i] around
 * its matches, where each match is wrapped in STORE_MARK_OPEN ...
 * STORE_MARK_CLOSE (neither byte appears in a snippet otherwise); '…'
 * shows where the extract cuts its text.
 */
#define STORE_MARK_OPEN '\x02'
#define STORE_MARK_CLOSE '\x03'
enum store_err store_search(struct store *s, struct arena *a, const char *viewer_id,
			    const char *query, int limit, struct story_list *out,
			    const char ***snippets) __attribute__((warn_unused_result));

/*
 * The whole site as rows, for backups and for moving between backends
 * (store/archive.c). store_tables lists the schema's tables, the same in
 * every backend with the same columns, in an order that loads (a row's
 * references come before it); derived data (search indexes) is not in
 * them and is rebuilt by store_load_done().
 *
 * store_dump calls row(ctx, table, json) for every row of every table in
 * that order, read from one consistent snapshot while others keep writing;
 * json is one object {"column": value} with numbers, strings and null
 * (flags as 0/1 or true/false). It stops with STORE_ERROR when row
 * returns false. store_load_row inserts one such row (a known table and
 * known columns only: a dump is outside input); run loads inside
 * store_begin(). store_table_count counts a table's rows (NOT_FOUND for a
 * name not in store_tables).
 */
extern const char *const store_tables[];
enum store_err store_dump(struct store *s, bool (*row)(void *ctx, const char *table,
						       const char *json),
			  void *ctx) __attribute__((warn_unused_result));
enum store_err store_load_row(struct store *s, const char *table, const char *json)
	__attribute__((warn_unused_result));
enum store_err store_load_done(struct store *s) __attribute__((warn_unused_result));
enum store_err store_table_count(struct store *s, const char *table, int64_t *n)
	__attribute__((warn_unused_result));

/*
 * Backups are one file (store/archive.c): a gzip stream of JSON lines, the
 * rows of store_dump() and then every file under media_dir, with a
 * header naming the format and a closing line with the counts, so that a
 * cut file is refused. It restores into any backend. store_backup writes
 * dest_path atomically (a .part file renamed into place, 0600); *files
 * counts the media files stored. store_restore loads one into the
 * database at url, which must be empty (a new SQLite path, or a new
 * PostgreSQL database), and writes the media files under media_dir; it
 * also reads the backups of earlier versions (a SQLite file) into SQLite.
 * STORE_CONFLICT when the database already holds a site (nothing
 * written). On error err holds a message.
 */
enum store_err store_backup(struct store *s, const char *dest_path, const char *media_dir,
			    unsigned long *files, char *err, size_t errlen)
	__attribute__((warn_unused_result));
enum store_err store_restore(const char *backup_path, const char *url, const char *media_dir,
			     unsigned long *files, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Copy every row of from into to (empty), in one transaction of to, then
 * read to back and compare each table's row count and checksum (the same
 * whichever backend wrote it). *rows counts the rows moved.
 * STORE_CONFLICT when to already holds a site (nothing written). */
enum store_err store_copy(struct store *from, struct store *to, int64_t *rows, char *err,
			  size_t errlen) __attribute__((warn_unused_result));

#endif
