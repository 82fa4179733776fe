/*
 * store_sqlite.c - the SQLite backend of store.h.
 *
 * One connection per thread, WAL journal, synchronous=FULL so that an
 * acknowledged write survives power loss. Statements are static strings
 * prepared once per connection (persistent) and reset after each use;
 * values are always bound, never spliced.
 *
 * The visibility rule for listings lives here once, as AUDIENCE_SQL; it
 * is the SQL twin of audience_may_see_story() and the access-matrix test
 * checks that the two agree.
 */
#include "store/sqlite/store_int.h"
#include "core/embed.h"

#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

enum stmt_id {
	ST_SETTING_GET, ST_SETTING_SET, ST_SETTING_INIT,
	ST_USER_INSERT, ST_USER_BY_HANDLE, ST_USER_BY_ID, ST_USER_COUNT, ST_USER_PROFILE,
	ST_USER_TIME_ZONE,
	ST_SESSION_INSERT, ST_SESSION_TOUCH, ST_SESSION_DELETE, ST_SESSION_PRUNE,
	ST_INVITE_INSERT, ST_INVITE_CHECK, ST_INVITE_USE,
	ST_STORY_INSERT, ST_STORY_UPDATE, ST_STORY_GET, ST_STORY_BY_SLUG, ST_STORY_OLD_SLUG,
	ST_STORY_SLUG_TAKEN, ST_STORY_SLUG_REMEMBER, ST_STORY_DELETE,
	ST_STORY_LIST, ST_STORY_LIST_AUTHOR, ST_STORY_BY_KEY,
	ST_PING,
	ST__COUNT
};

/* Every listing: the audience rule, then optional filters, newest first,
 * keyset-paginated. who narrows it to one writer or to anyone. */
#define STORY_LIST_SQL(who)                                                                    \
	"SELECT " STORY_COLS " FROM stories s JOIN users u ON u.id = s.author_id WHERE "       \
	AUDIENCE_SQL " AND (" who ")"                                                          \
	" AND (:published_only = 0 OR s.status = 'published')"                                 \
	" AND (:public_only = 0 OR (s.audience = 'public' AND s.status = 'published'))"        \
	" AND (:circle_only = 0 OR (s.audience = 'circle' AND s.author_id <> :viewer))"        \
	" AND (:tag IS NULL OR EXISTS (SELECT 1 FROM story_tags t WHERE t.story_id = s.id"     \
	" AND t.tag = :tag))"                                                                  \
	" AND (:followed_by IS NULL OR s.author_id IN (SELECT f.writer_id FROM follows f"      \
	" WHERE f.follower_id = :followed_by))"                                                \
	" AND (:before_at = 0 OR COALESCE(s.published_at, s.created_at) < :before_at"          \
	" OR (COALESCE(s.published_at, s.created_at) = :before_at AND s.id < :before_id))"     \
	" ORDER BY COALESCE(s.published_at, s.created_at) DESC, s.id DESC"                     \
	" LIMIT :limit"

static const char *const SQL[ST__COUNT] = {
	[ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
	[ST_SETTING_SET] = "INSERT INTO settings(key, value) VALUES (?1, ?2) "
			   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[ST_SETTING_INIT] = "INSERT INTO settings(key, value) VALUES (?1, ?2) "
			    "ON CONFLICT(key) DO NOTHING",
	[ST_USER_INSERT] = "INSERT INTO users(id, handle, name, bio, password_hash, is_admin, "
			   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_USER_BY_HANDLE] = "SELECT " USER_COLS("u") " FROM users u WHERE u.handle = ?1",
	[ST_USER_BY_ID] = "SELECT " USER_COLS("u") " FROM users u WHERE u.id = ?1",
	[ST_USER_COUNT] = "SELECT count(*) FROM users",
	[ST_USER_PROFILE] = "UPDATE users SET name = ?2, bio = ?3 WHERE id = ?1",
	[ST_USER_TIME_ZONE] = "UPDATE users SET time_zone = ?2 WHERE id = ?1",
	[ST_SESSION_INSERT] = "INSERT INTO sessions(token_hash, user_id, kind, created_at, "
			      "last_seen, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
	[ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
	[ST_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[ST_SESSION_PRUNE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[ST_INVITE_INSERT] = "INSERT INTO invites(token_hash, created_by, created_at, expires_at) "
			     "VALUES (?1, ?2, ?3, ?4)",
	[ST_INVITE_CHECK] = "SELECT 1 FROM invites WHERE token_hash = ?1 AND used_at IS NULL "
			    "AND expires_at > ?2",
	[ST_INVITE_USE] = "UPDATE invites SET used_by = ?2, used_at = ?3 WHERE token_hash = ?1 "
			  "AND used_at IS NULL AND expires_at > ?3",
	[ST_STORY_INSERT] = "INSERT INTO stories(id, author_id, slug, title, subtitle, body, "
			    "body_html, excerpt, word_count, status, published_at, created_at, "
			    "updated_at, edited_at, audience, circle_id, content_note, share_key, "
			    "responses, responders, search_text, canonical_url) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULLIF(?11, 0), ?12, ?13, "
			    "NULLIF(?14, 0), ?15, NULLIF(?16, ''), ?17, NULLIF(?18, ''), ?19, ?20, ?21, "
			    "?22)",
	[ST_STORY_UPDATE] = "UPDATE stories SET slug = ?3, title = ?4, subtitle = ?5, body = ?6, "
			    "body_html = ?7, excerpt = ?8, word_count = ?9, status = ?10, "
			    "published_at = NULLIF(?11, 0), updated_at = ?13, "
			    "edited_at = NULLIF(?14, 0), audience = ?15, circle_id = NULLIF(?16, ''), "
			    "content_note = ?17, share_key = NULLIF(?18, ''), responses = ?19, "
			    "responders = ?20, search_text = COALESCE(?21, search_text) "
			    "WHERE id = ?1 AND author_id = ?2 "
			    "AND deleted_at IS NULL",
	[ST_STORY_GET] = "SELECT " STORY_COLS " FROM stories s JOIN users u ON u.id = s.author_id "
			 "WHERE s.id = ?1 AND s.deleted_at IS NULL",
	[ST_STORY_BY_SLUG] = "SELECT " STORY_COLS " FROM stories s JOIN users u ON "
			     "u.id = s.author_id WHERE s.author_id = ?1 AND s.slug = ?2 "
			     "AND s.deleted_at IS NULL",
	[ST_STORY_OLD_SLUG] = "SELECT ss.story_id FROM story_slugs ss JOIN stories s ON "
			      "s.id = ss.story_id WHERE ss.author_id = ?1 AND ss.slug = ?2 "
			      "AND s.deleted_at IS NULL",
	[ST_STORY_SLUG_TAKEN] = "SELECT EXISTS (SELECT 1 FROM stories WHERE author_id = ?1 AND "
				"slug = ?2 AND id <> ?3) OR EXISTS (SELECT 1 FROM story_slugs "
				"WHERE author_id = ?1 AND slug = ?2 AND story_id <> ?3)",
	[ST_STORY_SLUG_REMEMBER] = "INSERT INTO story_slugs(author_id, slug, story_id) "
				   "VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET "
				   "story_id = excluded.story_id",
	[ST_STORY_DELETE] = "UPDATE stories SET deleted_at = ?2 WHERE id = ?1 AND "
			    "deleted_at IS NULL",
	[ST_STORY_LIST] = STORY_LIST_SQL(":author IS NULL"),
	/* One writer's: its own statement, so that the planner can use
	 * stories_author_recent (an OR on :author hides it). */
	[ST_STORY_LIST_AUTHOR] = STORY_LIST_SQL("s.author_id = :author"),
	[ST_STORY_BY_KEY] = "SELECT " STORY_COLS " FROM stories s JOIN users u ON "
			    "u.id = s.author_id WHERE s.share_key = ?1 AND s.deleted_at IS NULL",
	[ST_PING] = "SELECT 1",
};


static sqlite3_stmt *stmt(struct store *s, enum stmt_id id)
{
	return stmt_cached(s, SQL[id]);
}

static enum store_err exec_sql(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(SQ(s)->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : "unknown error");
		sqlite3_free(msg);
		return STORE_ERROR;
	}
	return STORE_OK;
}

static int migration_number(const char *name)
{
	char *end;
	long n = strtol(name, &end, 10);
	return (end != name && *end == '_' && n > 0 && n < 100000) ? (int)n : -1;
}

static enum store_err migrate(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(SQ(s)->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(SQ(s)->db));
		return STORE_ERROR;
	}
	int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);

	/* Apply in number order; the embed order is the sorted file list. */
	for (int want = version + 1;; want++) {
		const struct embedded_file *m = NULL;
		for (unsigned long i = 0; i < embedded_migrations_count; i++)
			if (migration_number(embedded_migrations[i].name) == want)
				m = &embedded_migrations[i];
		if (!m)
			break;
		char buf[64];
		if (exec_sql(s, "BEGIN IMMEDIATE", err, errlen))
			return STORE_ERROR;
		/* Another process may have migrated while we waited for the lock. */
		int now = 0;
		if (sqlite3_prepare_v2(SQ(s)->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
			now = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
			sqlite3_finalize(st);
		}
		if (now >= want) {
			if (exec_sql(s, "COMMIT", err, errlen))
				return STORE_ERROR;
			version = now;
			continue;
		}
		if (exec_sql(s, (const char *)m->data, err, errlen)) {
			char tmp[512];
			snprintf(tmp, sizeof(tmp), "migration %s: %s", m->name, err);
			snprintf(err, errlen, "%s", tmp);
			sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
			return STORE_ERROR;
		}
		snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", want);
		if (exec_sql(s, buf, err, errlen) || exec_sql(s, "COMMIT", err, errlen)) {
			sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
			return STORE_ERROR;
		}
		version = want;
	}
	SQ(s)->version = version;
	return STORE_OK;
}

/* SQLite's memory statistics take one process-wide mutex on every
 * allocation: the worker threads queued on it. Nothing reads them. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum store_err sq_open(const char *path, struct store **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_configure);
	*out = NULL;
	struct sqlite_store *q = calloc(1, sizeof(*q));
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	q->base.be = &store_sqlite_backend;
	struct store *s = &q->base;
	/* sqlite:DIR names a data directory: its quire.db. */
	char in_dir[4096];
	struct stat dst;
	if (stat(path, &dst) == 0 && S_ISDIR(dst.st_mode)) {
		snprintf(in_dir, sizeof(in_dir), "%s/quire.db", path);
		path = in_dir;
	}
	/* A new database holds password hashes and the server key: create it
	 * readable by its owner only (SQLite gives its journal the same mode). */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) != 0)
			fprintf(stderr, "quire: cannot make %s private\n", path);
		close(fd);
	}
	int rc = sqlite3_open_v2(path, &q->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 q->db ? sqlite3_errmsg(q->db) : "out of memory");
		sqlite3_close(q->db);
		free(q);
		return STORE_ERROR;
	}
	sqlite3_busy_timeout(SQ(s)->db, 5000);
	sqlite3_extended_result_codes(SQ(s)->db, 1);
	if (exec_sql(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
			"PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;",
		     err, errlen) ||
	    migrate(s, err, errlen)) {
		sq_close(s);
		return STORE_ERROR;
	}
	stamp_watch(s);
	*out = s;
	return STORE_OK;
}

void sq_close(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < SQ(s)->ncache; i++)
		sqlite3_finalize(SQ(s)->cache[i].st);
	sqlite3_close(SQ(s)->db);
	free(s);
}

int sq_schema_version(struct store *s)
{
	return SQ(s)->version;
}

enum store_err sq_ping(struct store *s)
{
	sqlite3_stmt *st = stmt(s, ST_PING);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

enum store_err sq_begin(struct store *s)
{
	char err[128];
	sq_read_end(s); /* a write never runs on a read snapshot */
	return exec_sql(s, "BEGIN IMMEDIATE", err, sizeof(err));
}

enum store_err sq_commit(struct store *s)
{
	char err[128];
	if (exec_sql(s, "COMMIT", err, sizeof(err))) {
		fprintf(stderr, "quire: store: commit failed: %s\n", err);
		sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
		return STORE_ERROR;
	}
	return STORE_OK;
}

void sq_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(SQ(s)->db))
		sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- settings ---- */

enum store_err sq_setting_get(struct store *s, struct arena *a, const char *key, char **val)
{
	sqlite3_stmt *st = stmt(s, ST_SETTING_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*val = (char *)col_text(a, st, 0);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_setting_set(struct store *s, const char *key, const char *val)
{
	sqlite3_stmt *st = stmt(s, ST_SETTING_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, key);
	bind_text(st, 2, val);
	return exec_write(s, st);
}

enum store_err sq_setting_init(struct store *s, struct arena *a, const char *key,
				  const char *proposed, char **val)
{
	sqlite3_stmt *st = stmt(s, ST_SETTING_INIT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, key);
	bind_text(st, 2, proposed);
	enum store_err e = exec_write(s, st);
	if (e)
		return e;
	return sq_setting_get(s, a, key, val);
}

/* ---- users ---- */

enum store_err sq_user_insert(struct store *s, const struct user_row *u)
{
	sqlite3_stmt *st = stmt(s, ST_USER_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, u->id);
	bind_text(st, 2, u->handle);
	bind_text(st, 3, u->name);
	bind_text(st, 4, u->bio ? u->bio : "");
	bind_text(st, 5, u->password_hash);
	sqlite3_bind_int(st, 6, u->is_admin);
	sqlite3_bind_int64(st, 7, u->created_at);
	return exec_write(s, st);
}

static enum store_err user_read(struct store *s, struct arena *a, enum stmt_id id,
				const char *key, struct user_row *out)
{
	sqlite3_stmt *st = stmt(s, id);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		read_user(a, st, 0, out);
	} else {
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	}
	done(st);
	return e;
}

enum store_err sq_user_by_handle(struct store *s, struct arena *a, const char *handle,
				    struct user_row *out)
{
	return user_read(s, a, ST_USER_BY_HANDLE, handle, out);
}

enum store_err sq_user_by_id(struct store *s, struct arena *a, const char *id,
				struct user_row *out)
{
	return user_read(s, a, ST_USER_BY_ID, id, out);
}

enum store_err sq_user_count(struct store *s, int64_t *n)
{
	sqlite3_stmt *st = stmt(s, ST_USER_COUNT);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		e = err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_user_update_profile(struct store *s, const char *id, const char *name,
					 const char *bio)
{
	sqlite3_stmt *st = stmt(s, ST_USER_PROFILE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, name);
	bind_text(st, 3, bio);
	return exec_write(s, st);
}

enum store_err sq_user_set_time_zone(struct store *s, const char *id, const char *zone)
{
	sqlite3_stmt *st = stmt(s, ST_USER_TIME_ZONE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, zone);
	return exec_write(s, st);
}

/* ---- sessions ---- */

enum store_err sq_session_insert(struct store *s, const char *token_hash, const char *user_id,
				    const char *kind, int64_t now, int64_t expires_at)
{
	sqlite3_stmt *st = stmt(s, ST_SESSION_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	bind_text(st, 2, user_id);
	bind_text(st, 3, kind);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, expires_at);
	return exec_write(s, st);
}

static enum store_err write_key_int(struct store *s, enum stmt_id id, const char *key,
				    int64_t v, bool has_int)
{
	sqlite3_stmt *st = stmt(s, id);
	if (!st)
		return STORE_ERROR;
	if (key)
		bind_text(st, 1, key);
	if (has_int)
		sqlite3_bind_int64(st, key ? 2 : 1, v);
	return exec_write(s, st);
}

enum store_err sq_session_touch(struct store *s, const char *token_hash, int64_t now)
{
	return write_key_int(s, ST_SESSION_TOUCH, token_hash, now, true);
}

enum store_err sq_session_delete(struct store *s, const char *token_hash)
{
	return write_key_int(s, ST_SESSION_DELETE, token_hash, 0, false);
}

enum store_err sq_session_prune(struct store *s, int64_t now)
{
	return write_key_int(s, ST_SESSION_PRUNE, NULL, now, true);
}

/* ---- invites ---- */

enum store_err sq_invite_insert(struct store *s, const char *token_hash, const char *by,
				   int64_t now, int64_t expires_at)
{
	sqlite3_stmt *st = stmt(s, ST_INVITE_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	bind_text(st, 2, by);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	return exec_write(s, st);
}

enum store_err sq_invite_check(struct store *s, const char *token_hash, int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_INVITE_CHECK);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	done(st);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_invite_use(struct store *s, const char *token_hash, const char *user_id,
				int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_INVITE_USE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	bind_text(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

/* ---- stories ---- */

static const char SQL_SHARE_KEY_SET[] =
	"UPDATE stories SET share_key = ?3 WHERE id = ?1 AND author_id = ?2 AND "
	"audience = 'unlisted' AND deleted_at IS NULL";

enum store_err sq_story_share_key_set(struct store *s, const char *id, const char *author_id,
					 const char *key)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SHARE_KEY_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, author_id);
	bind_text(st, 3, key);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

static void bind_story(sqlite3_stmt *st, const struct story_row *r)
{
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->author_id);
	bind_text(st, 3, r->slug);
	bind_text(st, 4, r->title);
	bind_text(st, 5, r->subtitle ? r->subtitle : "");
	bind_text(st, 6, r->body ? r->body : "");
	bind_text(st, 7, r->body_html ? r->body_html : "");
	bind_text(st, 8, r->excerpt ? r->excerpt : "");
	sqlite3_bind_int64(st, 9, r->word_count);
	bind_text(st, 10, story_status_name(r->status));
	sqlite3_bind_int64(st, 11, r->published_at);
	sqlite3_bind_int64(st, 12, r->created_at);
	sqlite3_bind_int64(st, 13, r->updated_at);
	sqlite3_bind_int64(st, 14, r->edited_at);
	bind_text(st, 15, story_audience_name(r->audience));
	bind_text(st, 16, r->circle_id);
	bind_text(st, 17, r->content_note ? r->content_note : "");
	bind_text(st, 18, r->share_key);
	bind_text(st, 19, r->responses ? r->responses : "open");
	bind_text(st, 20, r->responders ? r->responders : "signed_in");
	if (r->search_text)
		bind_text(st, 21, r->search_text);
	else
		sqlite3_bind_null(st, 21); /* an update keeps the stored text */
}

void read_story(struct arena *a, sqlite3_stmt *st, struct story_row *r)
{
	col_id(r->id, st, 0);
	col_id(r->author_id, st, 1);
	r->slug = col_text(a, st, 2);
	r->title = col_text(a, st, 3);
	r->subtitle = col_text(a, st, 4);
	r->body = col_text(a, st, 5);
	r->body_html = col_text(a, st, 6);
	r->excerpt = col_text(a, st, 7);
	r->word_count = sqlite3_column_int64(st, 8);
	if (!story_status_parse((const char *)sqlite3_column_text(st, 9), &r->status))
		r->status = STATUS_DRAFT;
	r->published_at = sqlite3_column_int64(st, 10);
	r->created_at = sqlite3_column_int64(st, 11);
	r->updated_at = sqlite3_column_int64(st, 12);
	r->edited_at = sqlite3_column_int64(st, 13);
	r->author_handle = col_text(a, st, 14);
	r->author_name = col_text(a, st, 15);
	if (!story_audience_parse((const char *)sqlite3_column_text(st, 16), &r->audience))
		r->audience = AUDIENCE_PRIVATE;
	col_id(r->circle_id, st, 17);
	r->content_note = col_text(a, st, 18);
	col_id(r->share_key, st, 19);
	r->responses = col_text(a, st, 20);
	r->responders = col_text(a, st, 21);
	r->author_suspended = sqlite3_column_int64(st, 22) != 0;
	r->canonical_url = col_text(a, st, 23);
	r->search_text = NULL; /* never read back: an update keeps it */
}

enum store_err sq_story_insert(struct store *s, const struct story_row *r)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_story(st, r);
	bind_text(st, 22, r->canonical_url ? r->canonical_url : "");
	enum store_err e = exec_write(s, st);
	return e ? e : store_fts_refresh(s, r->id);
}

enum store_err sq_story_update(struct store *s, const struct story_row *r)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_UPDATE);
	if (!st)
		return STORE_ERROR;
	bind_story(st, r);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e ? e : store_fts_refresh(s, r->id);
}

static enum store_err story_one(struct store *s, sqlite3_stmt *st, struct arena *a,
				struct story_row *out)
{
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		read_story(a, st, out);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_story_get(struct store *s, struct arena *a, const char *id,
			       struct story_row *out)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	return story_one(s, st, a, out);
}

enum store_err sq_story_by_slug(struct store *s, struct arena *a, const char *author_id,
				   const char *slug, struct story_row *out)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_BY_SLUG);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id);
	bind_text(st, 2, slug);
	return story_one(s, st, a, out);
}

enum store_err sq_story_old_slug(struct store *s, const char *author_id, const char *slug,
				    char story_id[17])
{
	sqlite3_stmt *st = stmt(s, ST_STORY_OLD_SLUG);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id);
	bind_text(st, 2, slug);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		col_id(story_id, st, 0);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_story_slug_taken(struct store *s, const char *author_id, const char *slug,
				      const char *except_id, bool *taken)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_SLUG_TAKEN);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id);
	bind_text(st, 2, slug);
	bind_text(st, 3, except_id ? except_id : "");
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*taken = sqlite3_column_int(st, 0) != 0;
	else
		e = err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_story_slug_remember(struct store *s, const char *author_id,
					 const char *slug, const char *story_id)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_SLUG_REMEMBER);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id);
	bind_text(st, 2, slug);
	bind_text(st, 3, story_id);
	return exec_write(s, st);
}

enum store_err sq_story_by_share_key(struct store *s, struct arena *a, const char *key,
					struct story_row *out)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_BY_KEY);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, key);
	return story_one(s, st, a, out);
}

enum store_err sq_story_delete(struct store *s, const char *id, int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_STORY_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_story_list(struct store *s, struct arena *a, const struct story_query *q,
				struct story_list *out)
{
	out->items = NULL;
	out->n = 0;
	out->more = false;
	int limit = q->limit < 1 ? 20 : q->limit > 100 ? 100 : q->limit;
	sqlite3_stmt *st = stmt(s, q->author_id ? ST_STORY_LIST_AUTHOR : ST_STORY_LIST);
	if (!st)
		return STORE_ERROR;
	/* An anonymous viewer is bound as a value no author id can equal. */
	bind_named_text(st, ":viewer", q->viewer_id ? q->viewer_id : "");
	bind_named_text(st, ":author", q->author_id);
	bind_named_int(st, ":published_only", q->published_only);
	bind_named_int(st, ":public_only", q->public_only);
	bind_named_int(st, ":circle_only", q->circle_only);
	bind_named_text(st, ":tag", q->tag);
	bind_named_text(st, ":followed_by", q->followed_by);
	bind_named_int(st, ":before_at", q->before_at);
	bind_named_text(st, ":before_id", q->before_id ? q->before_id : "");
	bind_named_int(st, ":limit", limit + 1);
	out->items = arena_alloc(a, (size_t)(limit + 1) * sizeof(*out->items));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == (size_t)limit) {
			out->more = true;
			break;
		}
		read_story(a, st, &out->items[out->n++]);
	}
	enum store_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

const struct store_backend store_sqlite_backend = {
	.scheme = "sqlite",
	.open = sq_open,
	.restore_sqlite_file = sq_restore,
	.close = sq_close,
#define STORE_FN(ret, name, params, args) .name = sq_##name,
#define STORE_FN_VOID(name, params, args) .name = sq_##name,
#define STORE_FN_OWN STORE_FN
#include "store/store_fns.h"
#undef STORE_FN
#undef STORE_FN_VOID
#undef STORE_FN_OWN
};
