/*
 * store_session.c - sq_session_user(): who a request's session token
 * belongs to, in one query (remembered above the backends, in
 * store/session_memo.c).
 */
#include "store/sqlite/store_int.h"

static const char SQL_SESSION_USER[] =
	"SELECT s.user_id, s.kind, s.created_at, s.last_seen, s.expires_at, " USER_COLS("u")
	" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1";

enum store_err sq_session_user(struct store *s, struct arena *a, const char *token_hash,
			       struct session_row *sess, struct user_row *user)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SESSION_USER);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		sess->user_id = col_text(a, st, 0);
		sess->kind = col_text(a, st, 1);
		sess->created_at = sqlite3_column_int64(st, 2);
		sess->last_seen = sqlite3_column_int64(st, 3);
		sess->expires_at = sqlite3_column_int64(st, 4);
		read_user(a, st, 5, user);
	} else {
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	}
	done(st);
	return e;
}
