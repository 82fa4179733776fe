/*
 * store_signin.c - sign-in attempts (SQLite): the counts the sign-in
 * throttle decides on, and the rows it writes; and a password change
 * (new hash, other sessions ended). Schema in
 * migrations/011_hostile_users.sql; rules in accounts/accounts.c.
 */
#include "store/sqlite/store_int.h"

static const char SQL_COUNTS[] =
	"SELECT "
	"(SELECT count(*) FROM signin_attempts WHERE handle = ?1 AND addr = ?2 AND at >= ?3 "
	"AND state <> 'ok'), "
	"(SELECT COALESCE(min(at), 0) FROM signin_attempts WHERE handle = ?1 AND addr = ?2 "
	"AND at >= ?3 AND state <> 'ok'), "
	"(SELECT count(*) FROM signin_attempts WHERE addr = ?2 AND at >= ?3 AND state <> 'ok'), "
	"(SELECT COALESCE(min(at), 0) FROM signin_attempts WHERE addr = ?2 AND at >= ?3 "
	"AND state <> 'ok'), "
	"(SELECT count(*) FROM signin_attempts WHERE handle = ?1 AND at >= ?4 AND state <> 'ok'), "
	"(SELECT count(DISTINCT addr) FROM signin_attempts WHERE handle = ?1 AND at >= ?4 "
	"AND state <> 'ok'), "
	"(SELECT COALESCE(max(at), 0) FROM signin_attempts WHERE handle = ?1 AND at >= ?4 "
	"AND state <> 'ok'), "
	"EXISTS (SELECT 1 FROM signin_attempts WHERE handle = ?1 AND addr = ?2 AND at >= ?5 "
	"AND state = 'ok')";
static const char SQL_ADD[] =
	"INSERT INTO signin_attempts(handle, addr, at, state) VALUES (?1, ?2, ?3, 'pending')";
static const char SQL_FINISH[] = "UPDATE signin_attempts SET state = ?2 WHERE rowid = ?1";
static const char SQL_DROP[] = "DELETE FROM signin_attempts WHERE rowid = ?1";
static const char SQL_PRUNE[] =
	"DELETE FROM signin_attempts WHERE (state <> 'ok' AND at < ?1) OR (state = 'ok' AND at < ?2)";

enum store_err sq_signin_counts(struct store *s, const char *handle, const char *addr,
				   int64_t since, int64_t slow_since, int64_t known_since,
				   struct signin_counts *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_COUNTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, handle);
	bind_text(st, 2, addr);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, slow_since);
	sqlite3_bind_int64(st, 5, known_since);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		out->pair = sqlite3_column_int64(st, 0);
		out->pair_oldest = sqlite3_column_int64(st, 1);
		out->addr = sqlite3_column_int64(st, 2);
		out->addr_oldest = sqlite3_column_int64(st, 3);
		out->account = sqlite3_column_int64(st, 4);
		out->account_addrs = sqlite3_column_int64(st, 5);
		out->account_last = sqlite3_column_int64(st, 6);
		out->known = sqlite3_column_int(st, 7) != 0;
	} else {
		e = err_of(s, rc);
	}
	done(st);
	return e;
}

enum store_err sq_signin_add(struct store *s, const char *handle, const char *addr, int64_t now,
				int64_t *id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, handle);
	bind_text(st, 2, addr);
	sqlite3_bind_int64(st, 3, now);
	enum store_err e = exec_write(s, st);
	if (!e)
		*id = sqlite3_last_insert_rowid(SQ(s)->db);
	return e;
}

enum store_err sq_signin_finish(struct store *s, int64_t id, const char *state)
{
	sqlite3_stmt *st = stmt_cached(s, state ? SQL_FINISH : SQL_DROP);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if (state)
		bind_text(st, 2, state);
	return exec_write(s, st);
}

enum store_err sq_signin_prune(struct store *s, int64_t failed_before, int64_t ok_before)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PRUNE);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, failed_before);
	sqlite3_bind_int64(st, 2, ok_before);
	return exec_write(s, st);
}

static const char SQL_SET_PASSWORD[] = "UPDATE users SET password_hash = ?2 WHERE id = ?1";
static const char SQL_SESSIONS_OTHERS[] =
	"DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> COALESCE(?2, '')";

enum store_err sq_user_set_password(struct store *s, const char *id, const char *hash)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SET_PASSWORD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, hash);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_session_delete_others(struct store *s, const char *user_id, const char *keep)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SESSIONS_OTHERS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	if (keep)
		bind_text(st, 2, keep);
	return exec_write(s, st);
}
