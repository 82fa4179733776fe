/*
 * store_int.h - private to the SQLite backend: the connection struct and
 * the helpers every store_*.c file uses to prepare, bind and read.
 *
 * Statements are static const strings; stmt_cached() prepares each once
 * per connection (keyed by the string's address) and hands back the same
 * prepared statement afterwards. Callers bind, step, and finish with
 * done() (reset + clear bindings), never finalize.
 */
#ifndef QUIRE_STORE_SQLITE_STORE_INT_H
#define QUIRE_STORE_SQLITE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/backend.h"

#define STORE_STMT_CACHE 256

struct sqlite_store {
	struct store base; /* first: a struct store * is a struct sqlite_store * */
	sqlite3 *db;
	int version;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STORE_STMT_CACHE];
	size_t ncache;
	bool read_wanted;        /* sq_read_begin(): reads share one snapshot ... */
	bool reading;            /* ... and this connection's BEGIN for it is open */
	int64_t data_version;    /* store_stamp.c: PRAGMA data_version ... */
	int64_t data_version_ms; /* ... and when it was read (monotonic ms) */
};

static inline struct sqlite_store *SQ(struct store *s)
{
	return (struct sqlite_store *)s;
}

/* The backend's side of every store function (store_fns.h): sq_NAME. */
#define STORE_FN(ret, name, params, args) ret sq_##name params;
#define STORE_FN_VOID(name, params, args) void sq_##name params;
#define STORE_FN_OWN STORE_FN
#include "store/store_fns.h"
#undef STORE_FN
#undef STORE_FN_VOID
#undef STORE_FN_OWN
enum store_err sq_open(const char *path, struct store **out, char *err, size_t errlen);
enum store_err sq_restore(const char *backup_path, const char *db_path, const char *media_dir,
			  unsigned long *files, char *err, size_t errlen);
void sq_close(struct store *s);

/* store_stamp.c: count this connection's commits for sq_change_stamp();
 * called once by sq_open(). */
void stamp_watch(struct store *s);

/*
 * The audience rule for listings, the SQL twin of audience_may_see_story():
 * the writer sees all her own stories; others see published stories that
 * are public, or circle stories of a circle they belong to. Unlisted and
 * private stories are never listed for anyone but their writer; a reader
 * the writer blocked sees none of her circle stories. Deleted
 * stories are never seen. An anonymous :viewer is bound as ''.
 */
#define AUDIENCE_SQL \
	"(s.deleted_at IS NULL AND (s.author_id = :viewer OR (s.status = 'published' AND " \
	"u.suspended_at = 0 AND " \
	"(s.audience = 'public' OR (s.audience = 'circle' AND EXISTS (SELECT 1 FROM " \
	"circle_members cm WHERE cm.circle_id = s.circle_id AND cm.user_id = :viewer) AND " \
	"NOT EXISTS (SELECT 1 FROM blocks b WHERE b.writer_id = s.author_id AND " \
	"b.blocked_id = :viewer))))))"

/*
 * The photo rule in SQL, for a reader the story reaches who is nobody in
 * particular (share cards): only photos for the story's whole audience.
 * The C form, for a known viewer, is audience_may_see_photo().
 */
#define PHOTO_FOR_ALL_SQL "(p.audience = 'story')"

#define STORY_COLS \
	"s.id, s.author_id, s.slug, s.title, s.subtitle, s.body, s.body_html, s.excerpt, " \
	"s.word_count, s.status, COALESCE(s.published_at, 0), s.created_at, s.updated_at, " \
	"COALESCE(s.edited_at, 0), u.handle, u.name, s.audience, COALESCE(s.circle_id, ''), " \
	"s.content_note, COALESCE(s.share_key, ''), s.responses, s.responders, u.suspended_at, " \
	"s.canonical_url"

/* Fill r from a row selected with STORY_COLS (arena-owned strings). */
void read_story(struct arena *a, sqlite3_stmt *st, struct story_row *r);

/* Re-index one story for full-text search (store_reach.c). */
enum store_err store_fts_refresh(struct store *s, const char *story_id);

/* Prepared statement for sql (a static string); NULL after logging. */
sqlite3_stmt *stmt_cached(struct store *s, const char *sql);
void done(sqlite3_stmt *st);
void bind_text(sqlite3_stmt *st, int i, const char *v);
void bind_named_text(sqlite3_stmt *st, const char *name, const char *v);
void bind_named_int(sqlite3_stmt *st, const char *name, int64_t v);
const char *col_text(struct arena *a, sqlite3_stmt *st, int i);
void col_id(char out[17], sqlite3_stmt *st, int i);
/* USER_COLS, read from column first on: the same order in every query. */
#define USER_COLS(u) u ".id, " u ".handle, " u ".name, " u ".bio, " u ".password_hash, " \
	u ".is_admin, " u ".created_at, " u ".time_zone, " u ".suspended_at"
void read_user(struct arena *a, sqlite3_stmt *st, int first, struct user_row *out);
enum store_err err_of(struct store *s, int rc);
/* Step st (already bound) to the end, reading rows of (user id, handle,
 * name, time) into *rows (arena); then done(). */
enum store_err collect_members(struct store *s, struct arena *a, sqlite3_stmt *st,
			       struct member_row **rows, size_t *n);
/* Step a write to completion, then done(). */
enum store_err exec_write(struct store *s, sqlite3_stmt *st);
/* Step st (already bound) to the end, reading column 0 of every row as
 * text into *out (arena; never NULL on OK); then done(). */
enum store_err collect_texts(struct store *s, struct arena *a, sqlite3_stmt *st,
			     const char ***out, size_t *n);

#endif
