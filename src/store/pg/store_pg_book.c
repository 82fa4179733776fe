/*
 * store_pg_book.c - the PostgreSQL side of books (store.h): whether a
 * writer lets readers download a public story of hers as a book
 * (users.book_share, migration 011).
 */
#include "store/pg/pg_int.h"

static const char SQL_BOOK_SHARE_GET[] = "SELECT book_share FROM users WHERE id = $1";
static const char SQL_BOOK_SHARE_SET[] = "UPDATE users SET book_share = $2 WHERE id = $1";

enum store_err pg_user_book_share_get(struct store *s, const char *id, bool *on)
{
	*on = false;
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, SQL_BOOK_SHARE_GET, &p);
	if (!r)
		return STORE_ERROR;
	bool found = PQntuples(r) == 1;
	if (found)
		*on = pg_bool(r, 0, 0);
	PQclear(r);
	return found ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err pg_user_book_share_set(struct store *s, const char *id, bool on)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_bool(&p, on);
	return pg_write_one(s, SQL_BOOK_SHARE_SET, &p);
}
