/*
 * store_pg_fed.c - the PostgreSQL side of store_fed.h: federation (issue
 * 20), each writer's key pair.
 */
#include "store/pg/pg_int.h"

#include <string.h>

static const char SQL_FED_KEY_GET[] =
	"SELECT public_pem, private_pem FROM fed_keys WHERE user_id = $1";
/* First writer wins: a second inserter waits for the first's commit on
 * the primary key, then inserts nothing and reads the first's pair. */
static const char SQL_FED_KEY_INIT[] =
	"INSERT INTO fed_keys(user_id, public_pem, private_pem, created_at) "
	"VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING";

enum store_err pg_fed_key_get(struct store *s, struct arena *a, const char *user_id,
			      const char **public_pem, const char **private_pem)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	PGresult *r = pg_run(s, SQL_FED_KEY_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		*public_pem = pg_text(a, r, 0, 0);
		*private_pem = pg_text(a, r, 0, 1);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_fed_key_init(struct store *s, struct arena *a, const char *user_id,
			       const char *proposed_public, const char *proposed_private,
			       int64_t now, const char **public_pem, const char **private_pem)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, proposed_public);
	pp_text(&p, proposed_private);
	pp_int(&p, now);
	enum store_err e = pg_write(s, SQL_FED_KEY_INIT, &p, NULL);
	if (e)
		return e;
	return pg_fed_key_get(s, a, user_id, public_pem, private_pem);
}

static const char SQL_FED_COUNTS[] =
	"SELECT (SELECT count(*) FROM users WHERE suspended_at = 0), "
	"(SELECT count(*) FROM stories s JOIN users u ON u.id = s.author_id "
	"WHERE s.deleted_at IS NULL AND s.status = 'published' AND s.audience = 'public' AND "
	"u.suspended_at = 0 AND ($1 = '' OR s.author_id = $1))";

enum store_err pg_fed_counts(struct store *s, const char *author_id, int64_t *users,
			     int64_t *public_stories)
{
	struct pg_params p = {0};
	pp_text(&p, author_id ? author_id : "");
	PGresult *r = pg_run(s, SQL_FED_COUNTS, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_ERROR;
	if (PQntuples(r)) {
		if (users)
			*users = pg_int(r, 0, 0);
		if (public_stories)
			*public_stories = pg_int(r, 0, 1);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}
