/*
 * store_pg_circles.c - circles, their members and invitation links
 * (PostgreSQL); the twin of sqlite/store_circles.c. Members and
 * invitations go with their circle (ON DELETE CASCADE); its stories are
 * made private in the same transaction. Text is ordered byte by byte
 * (COLLATE "C"), as SQLite does, whatever the database's locale.
 *
 * Joining (circles.c) is one transaction: already a member, or spend a
 * use and join. SQLite's single writer keeps two joins of the same
 * reader apart; on PostgreSQL, circle_is_member() inside a transaction
 * first takes an advisory lock on (circle, reader) (key 7161, hashed),
 * held to the end of the transaction, so the second join waits, then
 * sees the first and spends nothing. A single-use link joined by two
 * readers at once needs no lock: the use is one conditional UPDATE.
 */
#include "store/pg/pg_int.h"

#define CIRCLE_COLS \
	"c.id, c.owner_id, c.name, c.created_at, " \
	"(SELECT count(*) FROM circle_members m WHERE m.circle_id = c.id)"
#define INVITE_COLS \
	"token_hash, circle_id, token_tail, COALESCE(uses_left, -1), expires_at, revoked, created_at"

static const char SQL_CIRCLE_INSERT[] =
	"INSERT INTO circles(id, owner_id, name, created_at) VALUES ($1, $2, $3, $4)";
static const char SQL_CIRCLE_GET[] = "SELECT " CIRCLE_COLS " FROM circles c WHERE c.id = $1";
static const char SQL_CIRCLE_LIST[] =
	"SELECT " CIRCLE_COLS " FROM circles c WHERE c.owner_id = $1 "
	"ORDER BY c.created_at, c.id LIMIT 500";
static const char SQL_CIRCLE_STORIES_PRIVATE[] =
	"UPDATE stories SET audience = 'private', circle_id = NULL WHERE circle_id = $1";
static const char SQL_CIRCLE_DELETE[] = "DELETE FROM circles WHERE id = $1";
static const char SQL_MEMBER_ADD[] =
	"INSERT INTO circle_members(circle_id, user_id, joined_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_MEMBER_REMOVE[] =
	"DELETE FROM circle_members WHERE circle_id = $1 AND user_id = $2";
static const char SQL_MEMBERS[] =
	"SELECT u.id, u.handle, u.name, m.joined_at FROM circle_members m JOIN users u ON "
	"u.id = m.user_id WHERE m.circle_id = $1 ORDER BY u.handle COLLATE \"C\" LIMIT 5000";
static const char SQL_JOIN_LOCK[] =
	"SELECT pg_advisory_xact_lock(7161, hashtext($1::text || ' ' || $2::text))";
static const char SQL_IS_MEMBER[] =
	"SELECT 1 FROM circle_members WHERE circle_id = $1 AND user_id = $2";
/* uses_left -1 is stored as NULL: unlimited. */
static const char SQL_INVITE_INSERT[] =
	"INSERT INTO circle_invites(token_hash, circle_id, token_tail, uses_left, expires_at, "
	"created_at) VALUES ($1, $2, $3, NULLIF($4::bigint, -1), $5, $6)";
static const char SQL_INVITE_GET[] =
	"SELECT " INVITE_COLS " FROM circle_invites WHERE token_hash = $1";
static const char SQL_INVITE_USE[] =
	"UPDATE circle_invites SET uses_left = uses_left - 1 WHERE token_hash = $1 AND "
	"NOT revoked AND expires_at > $2 AND (uses_left IS NULL OR uses_left > 0)";
static const char SQL_INVITE_REVOKE[] =
	"UPDATE circle_invites SET revoked = true WHERE circle_id = $1 AND token_hash = $2";
static const char SQL_INVITES[] =
	"SELECT " INVITE_COLS " FROM circle_invites WHERE circle_id = $1 "
	"ORDER BY created_at DESC LIMIT 200";

static void read_circle(struct arena *a, const PGresult *r, int row, struct circle_row *c)
{
	pg_id(c->id, r, row, 0);
	pg_id(c->owner_id, r, row, 1);
	c->name = pg_text(a, r, row, 2);
	c->created_at = pg_int(r, row, 3);
	c->member_count = pg_int(r, row, 4);
}

static void read_invite(struct arena *a, const PGresult *r, int row, struct circle_invite_row *v)
{
	v->token_hash = pg_text(a, r, row, 0);
	pg_id(v->circle_id, r, row, 1);
	v->token_tail = pg_text(a, r, row, 2);
	v->uses_left = pg_int(r, row, 3);
	v->expires_at = pg_int(r, row, 4);
	v->revoked = pg_bool(r, row, 5);
	v->created_at = pg_int(r, row, 6);
}

enum store_err pg_circle_insert(struct store *s, const struct circle_row *c)
{
	struct pg_params p = {0};
	pp_text(&p, c->id);
	pp_text(&p, c->owner_id);
	pp_text(&p, c->name);
	pp_int(&p, c->created_at);
	return pg_write(s, SQL_CIRCLE_INSERT, &p, NULL);
}

enum store_err pg_circle_get(struct store *s, struct arena *a, const char *id,
			     struct circle_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, SQL_CIRCLE_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		read_circle(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_circle_list(struct store *s, struct arena *a, const char *owner_id,
			      struct circle_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, owner_id);
	PGresult *r = pg_run(s, SQL_CIRCLE_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++)
		read_circle(a, r, i, &(*rows)[i]);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_circle_delete(struct store *s, const char *id)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	if (pg_begin(s))
		return STORE_ERROR;
	int64_t gone = 0;
	if (pg_write(s, SQL_CIRCLE_STORIES_PRIVATE, &p, NULL) ||
	    pg_write(s, SQL_CIRCLE_DELETE, &p, &gone)) {
		pg_rollback(s);
		return STORE_ERROR;
	}
	if (pg_commit(s))
		return STORE_ERROR;
	return gone ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err pg_circle_member_add(struct store *s, const char *circle_id, const char *user_id,
				    int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	pp_text(&p, user_id);
	pp_int(&p, now);
	return pg_write(s, SQL_MEMBER_ADD, &p, NULL);
}

enum store_err pg_circle_member_remove(struct store *s, const char *circle_id,
				       const char *user_id)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	pp_text(&p, user_id);
	return pg_write_one(s, SQL_MEMBER_REMOVE, &p);
}

enum store_err pg_circle_members(struct store *s, struct arena *a, const char *circle_id,
				 struct member_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	PGresult *r = pg_run(s, SQL_MEMBERS, &p);
	if (!r)
		return STORE_ERROR;
	pg_read_members(a, r, rows, n);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_circle_is_member(struct store *s, const char *circle_id, const char *user_id,
				   bool *member)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	pp_text(&p, user_id);
	if (PG(s)->txn_depth > 0) {
		PGresult *l = pg_run(s, SQL_JOIN_LOCK, &p);
		if (!l)
			return STORE_ERROR;
		PQclear(l);
	}
	PGresult *r = pg_run(s, SQL_IS_MEMBER, &p);
	if (!r)
		return STORE_ERROR;
	*member = PQntuples(r) > 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_circle_invite_insert(struct store *s, const struct circle_invite_row *v)
{
	struct pg_params p = {0};
	pp_text(&p, v->token_hash);
	pp_text(&p, v->circle_id);
	pp_text(&p, v->token_tail);
	pp_int(&p, v->uses_left);
	pp_int(&p, v->expires_at);
	pp_int(&p, v->created_at);
	return pg_write(s, SQL_INVITE_INSERT, &p, NULL);
}

enum store_err pg_circle_invite_get(struct store *s, struct arena *a, const char *token_hash,
				    struct circle_invite_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	PGresult *r = pg_run(s, SQL_INVITE_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		read_invite(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_circle_invite_use(struct store *s, const char *token_hash, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	pp_int(&p, now);
	return pg_write_one(s, SQL_INVITE_USE, &p);
}

enum store_err pg_circle_invite_revoke(struct store *s, const char *circle_id,
				       const char *token_hash)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	pp_text(&p, token_hash);
	return pg_write_one(s, SQL_INVITE_REVOKE, &p);
}

enum store_err pg_circle_invites(struct store *s, struct arena *a, const char *circle_id,
				 struct circle_invite_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	PGresult *r = pg_run(s, SQL_INVITES, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++)
		read_invite(a, r, i, &(*rows)[i]);
	PQclear(r);
	return STORE_OK;
}

/* ---- invitations by handle (003_circle_invitations) ---- */

static const char SQL_INVITEE_ADD[] =
	"INSERT INTO circle_invitations(circle_id, user_id, invited_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_INVITEE_REMOVE[] =
	"DELETE FROM circle_invitations WHERE circle_id = $1 AND user_id = $2";
static const char SQL_INVITEES[] =
	"SELECT u.id, u.handle, u.name, i.invited_at FROM circle_invitations i JOIN users u ON "
	"u.id = i.user_id WHERE i.circle_id = $1 ORDER BY u.handle COLLATE \"C\" LIMIT 5000";
static const char SQL_INVITATIONS_FOR[] =
	"SELECT " CIRCLE_COLS " FROM circle_invitations i JOIN circles c ON c.id = i.circle_id "
	"WHERE i.user_id = $1 ORDER BY i.invited_at DESC, c.id COLLATE \"C\" LIMIT 500";

enum store_err pg_circle_invitee_add(struct store *s, const char *circle_id, const char *user_id,
				     int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	pp_text(&p, user_id);
	pp_int(&p, now);
	return pg_write(s, SQL_INVITEE_ADD, &p, NULL);
}

enum store_err pg_circle_invitee_remove(struct store *s, const char *circle_id,
					const char *user_id)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	pp_text(&p, user_id);
	return pg_write_one(s, SQL_INVITEE_REMOVE, &p);
}

enum store_err pg_circle_invitees(struct store *s, struct arena *a, const char *circle_id,
				  struct member_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, circle_id);
	PGresult *r = pg_run(s, SQL_INVITEES, &p);
	if (!r)
		return STORE_ERROR;
	pg_read_members(a, r, rows, n);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_circle_invitations_for(struct store *s, struct arena *a, const char *user_id,
					 struct circle_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	PGresult *r = pg_run(s, SQL_INVITATIONS_FOR, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++)
		read_circle(a, r, i, &(*rows)[i]);
	PQclear(r);
	return STORE_OK;
}
