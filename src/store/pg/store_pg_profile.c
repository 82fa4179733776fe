/*
 * store_pg_profile.c - the PostgreSQL side of profiles (store.h): a
 * writer's avatar and links (profiles, migration 012).
 */
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

static const char SQL_PROFILE_GET[] =
	"SELECT user_id, avatar_hash, avatar_width, avatar_height, links, updated_at "
	"FROM profiles WHERE user_id = $1";
/* The old hash and the new row in one statement: the row is locked. */
static const char SQL_PROFILE_AVATAR_SET[] =
	"WITH old AS (SELECT avatar_hash FROM profiles WHERE user_id = $1 FOR UPDATE), "
	"up AS (INSERT INTO profiles(user_id, avatar_hash, avatar_width, avatar_height, links, "
	"updated_at) VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT (user_id) DO UPDATE SET "
	"avatar_hash = excluded.avatar_hash, avatar_width = excluded.avatar_width, "
	"avatar_height = excluded.avatar_height, updated_at = excluded.updated_at RETURNING 1) "
	"SELECT (SELECT avatar_hash FROM old), (SELECT count(*) FROM up)";
static const char SQL_PROFILE_LINKS_SET[] =
	"INSERT INTO profiles(user_id, avatar_hash, avatar_width, avatar_height, links, updated_at) "
	"VALUES ($1, '', 0, 0, $2, $3) ON CONFLICT (user_id) DO UPDATE SET "
	"links = excluded.links, updated_at = excluded.updated_at";

enum store_err pg_profile_get(struct store *s, struct arena *a, const char *user_id,
			      struct profile_row *out)
{
	memset(out, 0, sizeof(*out));
	struct pg_params p = {0};
	pp_text(&p, user_id);
	PGresult *r = pg_run(s, SQL_PROFILE_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		pg_id(out->user_id, r, 0, 0);
		snprintf(out->avatar_hash, sizeof(out->avatar_hash), "%s", PQgetvalue(r, 0, 1));
		out->avatar_width = pg_int(r, 0, 2);
		out->avatar_height = pg_int(r, 0, 3);
		out->links = pg_text(a, r, 0, 4);
		out->updated_at = pg_int(r, 0, 5);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_profile_avatar_set(struct store *s, const char *user_id, const char *hash,
				     int64_t width, int64_t height, int64_t now, char old[65])
{
	old[0] = '\0';
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, hash);
	pp_int(&p, width);
	pp_int(&p, height);
	pp_int(&p, now);
	PGresult *r = pg_run(s, SQL_PROFILE_AVATAR_SET, &p);
	if (!r)
		return STORE_ERROR;
	if (PQntuples(r) && !PQgetisnull(r, 0, 0))
		snprintf(old, 65, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	pg_count_write(s);
	return STORE_OK;
}

enum store_err pg_profile_links_set(struct store *s, const char *user_id, const char *links,
				    int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, links);
	pp_int(&p, now);
	return pg_write(s, SQL_PROFILE_LINKS_SET, &p, NULL);
}
