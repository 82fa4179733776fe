/*
 * store_book.c - the SQLite side of books (store.h): whether a writer
 * lets readers download a public story of hers as a book (users.book_share,
 * migration 020).
 */
#include "store/sqlite/store_int.h"

static const char SQL_BOOK_SHARE_GET[] = "SELECT book_share FROM users WHERE id = ?1";
static const char SQL_BOOK_SHARE_SET[] = "UPDATE users SET book_share = ?2 WHERE id = ?1";

enum store_err sq_user_book_share_get(struct store *s, const char *id, bool *on)
{
	*on = false;
	sqlite3_stmt *st = stmt_cached(s, SQL_BOOK_SHARE_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*on = sqlite3_column_int64(st, 0) != 0;
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_user_book_share_set(struct store *s, const char *id, bool on)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_BOOK_SHARE_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, on ? 1 : 0);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}
