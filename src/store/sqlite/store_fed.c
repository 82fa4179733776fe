/*
 * store_fed.c - the SQLite side of store_fed.h: federation (issue 20),
 * each writer's key pair.
 */
#include "store/sqlite/store_int.h"

#include <string.h>

static const char SQL_FED_KEY_GET[] =
	"SELECT public_pem, private_pem FROM fed_keys WHERE user_id = ?1";
/* First writer wins: a pair that is there already stays. */
static const char SQL_FED_KEY_INIT[] =
	"INSERT INTO fed_keys(user_id, public_pem, private_pem, created_at) "
	"VALUES (?1, ?2, ?3, ?4) ON CONFLICT(user_id) DO NOTHING";

enum store_err sq_fed_key_get(struct store *s, struct arena *a, const char *user_id,
			      const char **public_pem, const char **private_pem)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FED_KEY_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*public_pem = col_text(a, st, 0);
		*private_pem = col_text(a, st, 1);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_fed_key_init(struct store *s, struct arena *a, const char *user_id,
			       const char *proposed_public, const char *proposed_private,
			       int64_t now, const char **public_pem, const char **private_pem)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FED_KEY_INIT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, proposed_public);
	bind_text(st, 3, proposed_private);
	sqlite3_bind_int64(st, 4, now);
	enum store_err e = exec_write(s, st);
	if (e)
		return e;
	return sq_fed_key_get(s, a, user_id, public_pem, private_pem);
}

static const char SQL_FED_COUNTS[] =
	"SELECT (SELECT count(*) FROM users WHERE suspended_at = 0), "
	"(SELECT count(*) FROM stories s JOIN users u ON u.id = s.author_id "
	"WHERE s.deleted_at IS NULL AND s.status = 'published' AND s.audience = 'public' AND "
	"u.suspended_at = 0 AND (?1 = '' OR s.author_id = ?1))";

enum store_err sq_fed_counts(struct store *s, const char *author_id, int64_t *users,
			     int64_t *public_stories)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FED_COUNTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id ? author_id : "");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (users)
			*users = sqlite3_column_int64(st, 0);
		if (public_stories)
			*public_stories = sqlite3_column_int64(st, 1);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}
