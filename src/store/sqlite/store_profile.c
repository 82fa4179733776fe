/*
 * store_profile.c - the SQLite side of profiles (store.h): a writer's
 * avatar and links (profiles, migration 021).
 */
#include "store/sqlite/store_int.h"

#include <stdio.h>
#include <string.h>

static const char SQL_PROFILE_GET[] =
	"SELECT user_id, avatar_hash, avatar_width, avatar_height, links, updated_at "
	"FROM profiles WHERE user_id = ?1";
static const char SQL_PROFILE_AVATAR_OLD[] = "SELECT avatar_hash FROM profiles WHERE user_id = ?1";
static const char SQL_PROFILE_AVATAR_SET[] =
	"INSERT INTO profiles(user_id, avatar_hash, avatar_width, avatar_height, links, updated_at) "
	"VALUES (?1, ?2, ?3, ?4, '', ?5) ON CONFLICT(user_id) DO UPDATE SET "
	"avatar_hash = excluded.avatar_hash, avatar_width = excluded.avatar_width, "
	"avatar_height = excluded.avatar_height, updated_at = excluded.updated_at";
static const char SQL_PROFILE_LINKS_SET[] =
	"INSERT INTO profiles(user_id, avatar_hash, avatar_width, avatar_height, links, updated_at) "
	"VALUES (?1, '', 0, 0, ?2, ?3) ON CONFLICT(user_id) DO UPDATE SET "
	"links = excluded.links, updated_at = excluded.updated_at";

enum store_err sq_profile_get(struct store *s, struct arena *a, const char *user_id,
			      struct profile_row *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = stmt_cached(s, SQL_PROFILE_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_id(out->user_id, st, 0);
		const char *h = (const char *)sqlite3_column_text(st, 1);
		snprintf(out->avatar_hash, sizeof(out->avatar_hash), "%s", h ? h : "");
		out->avatar_width = sqlite3_column_int64(st, 2);
		out->avatar_height = sqlite3_column_int64(st, 3);
		out->links = col_text(a, st, 4);
		out->updated_at = sqlite3_column_int64(st, 5);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_profile_avatar_set(struct store *s, const char *user_id, const char *hash,
				     int64_t width, int64_t height, int64_t now, char old[65])
{
	old[0] = '\0';
	if (sq_begin(s))
		return STORE_ERROR;
	sqlite3_stmt *st = stmt_cached(s, SQL_PROFILE_AVATAR_OLD);
	if (!st) {
		sq_rollback(s);
		return STORE_ERROR;
	}
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		snprintf(old, 65, "%s", h ? h : "");
	}
	done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_rollback(s);
		return err_of(s, rc);
	}
	st = stmt_cached(s, SQL_PROFILE_AVATAR_SET);
	if (!st) {
		sq_rollback(s);
		return STORE_ERROR;
	}
	bind_text(st, 1, user_id);
	bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, width);
	sqlite3_bind_int64(st, 4, height);
	sqlite3_bind_int64(st, 5, now);
	enum store_err e = exec_write(s, st);
	if (e) {
		sq_rollback(s);
		return e;
	}
	return sq_commit(s);
}

enum store_err sq_profile_links_set(struct store *s, const char *user_id, const char *links,
				    int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PROFILE_LINKS_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, links);
	sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}
