/*
 * store_circles.c - circles, their members and invitation links (SQLite).
 */
#include "store/sqlite/store_int.h"

#include <string.h>

static const char SQL_CIRCLE_INSERT[] =
	"INSERT INTO circles(id, owner_id, name, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_CIRCLE_GET[] =
	"SELECT c.id, c.owner_id, c.name, c.created_at, "
	"(SELECT count(*) FROM circle_members m WHERE m.circle_id = c.id) "
	"FROM circles c WHERE c.id = ?1";
static const char SQL_CIRCLE_LIST[] =
	"SELECT c.id, c.owner_id, c.name, c.created_at, "
	"(SELECT count(*) FROM circle_members m WHERE m.circle_id = c.id) "
	"FROM circles c WHERE c.owner_id = ?1 ORDER BY c.created_at, c.id LIMIT 500";
static const char SQL_CIRCLE_STORIES_PRIVATE[] =
	"UPDATE stories SET audience = 'private', circle_id = NULL WHERE circle_id = ?1";
static const char SQL_CIRCLE_DELETE[] = "DELETE FROM circles WHERE id = ?1";
static const char SQL_MEMBER_ADD[] =
	"INSERT INTO circle_members(circle_id, user_id, joined_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_MEMBER_REMOVE[] =
	"DELETE FROM circle_members WHERE circle_id = ?1 AND user_id = ?2";
static const char SQL_MEMBERS[] =
	"SELECT u.id, u.handle, u.name, m.joined_at FROM circle_members m JOIN users u ON "
	"u.id = m.user_id WHERE m.circle_id = ?1 ORDER BY u.handle LIMIT 5000";
static const char SQL_IS_MEMBER[] =
	"SELECT 1 FROM circle_members WHERE circle_id = ?1 AND user_id = ?2";
static const char SQL_INVITE_INSERT[] =
	"INSERT INTO circle_invites(token_hash, circle_id, token_tail, uses_left, expires_at, "
	"created_at) VALUES (?1, ?2, ?3, NULLIF(?4, -1), ?5, ?6)";
static const char SQL_INVITE_GET[] =
	"SELECT token_hash, circle_id, token_tail, COALESCE(uses_left, -1), expires_at, revoked, "
	"created_at FROM circle_invites WHERE token_hash = ?1";
static const char SQL_INVITE_USE[] =
	"UPDATE circle_invites SET uses_left = uses_left - 1 WHERE token_hash = ?1 AND "
	"revoked = 0 AND expires_at > ?2 AND (uses_left IS NULL OR uses_left > 0)";
static const char SQL_INVITE_REVOKE[] =
	"UPDATE circle_invites SET revoked = 1 WHERE circle_id = ?1 AND token_hash = ?2";
static const char SQL_INVITES[] =
	"SELECT token_hash, circle_id, token_tail, COALESCE(uses_left, -1), expires_at, revoked, "
	"created_at FROM circle_invites WHERE circle_id = ?1 ORDER BY created_at DESC LIMIT 200";

static void read_circle(struct arena *a, sqlite3_stmt *st, struct circle_row *c)
{
	col_id(c->id, st, 0);
	col_id(c->owner_id, st, 1);
	c->name = col_text(a, st, 2);
	c->created_at = sqlite3_column_int64(st, 3);
	c->member_count = sqlite3_column_int64(st, 4);
}

static void read_invite(struct arena *a, sqlite3_stmt *st, struct circle_invite_row *r)
{
	r->token_hash = col_text(a, st, 0);
	col_id(r->circle_id, st, 1);
	r->token_tail = col_text(a, st, 2);
	r->uses_left = sqlite3_column_int64(st, 3);
	r->expires_at = sqlite3_column_int64(st, 4);
	r->revoked = sqlite3_column_int(st, 5) != 0;
	r->created_at = sqlite3_column_int64(st, 6);
}

enum store_err sq_circle_insert(struct store *s, const struct circle_row *c)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_CIRCLE_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->owner_id);
	bind_text(st, 3, c->name);
	sqlite3_bind_int64(st, 4, c->created_at);
	return exec_write(s, st);
}

enum store_err sq_circle_get(struct store *s, struct arena *a, const char *id,
				struct circle_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_CIRCLE_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		read_circle(a, st, out);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_circle_list(struct store *s, struct arena *a, const char *owner_id,
				 struct circle_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_CIRCLE_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, owner_id);
	size_t cap = 8;
	*rows = arena_alloc(a, cap * sizeof(**rows));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct circle_row *nr = arena_alloc(a, 2 * cap * sizeof(*nr));
			memcpy(nr, *rows, cap * sizeof(*nr));
			*rows = nr;
			cap *= 2;
		}
		read_circle(a, st, &(*rows)[(*n)++]);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_circle_delete(struct store *s, const char *id)
{
	if (sq_begin(s))
		return STORE_ERROR;
	sqlite3_stmt *a = stmt_cached(s, SQL_CIRCLE_STORIES_PRIVATE);
	sqlite3_stmt *b = stmt_cached(s, SQL_CIRCLE_DELETE);
	if (!a || !b) {
		sq_rollback(s);
		return STORE_ERROR;
	}
	bind_text(a, 1, id);
	bind_text(b, 1, id);
	if (exec_write(s, a) || exec_write(s, b)) {
		sq_rollback(s);
		return STORE_ERROR;
	}
	bool gone = sqlite3_changes(SQ(s)->db) > 0;
	if (sq_commit(s))
		return STORE_ERROR;
	return gone ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err sq_circle_member_add(struct store *s, const char *circle_id,
				       const char *user_id, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_MEMBER_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	bind_text(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}

enum store_err sq_circle_member_remove(struct store *s, const char *circle_id,
					  const char *user_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_MEMBER_REMOVE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	bind_text(st, 2, user_id);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_circle_members(struct store *s, struct arena *a, const char *circle_id,
				    struct member_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_MEMBERS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	return collect_members(s, a, st, rows, n);
}

enum store_err sq_circle_is_member(struct store *s, const char *circle_id,
				      const char *user_id, bool *member)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IS_MEMBER);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	bind_text(st, 2, user_id);
	int rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_of(s, rc);
	*member = rc == SQLITE_ROW;
	return STORE_OK;
}

enum store_err sq_circle_invite_insert(struct store *s, const struct circle_invite_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITE_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->token_hash);
	bind_text(st, 2, r->circle_id);
	bind_text(st, 3, r->token_tail);
	sqlite3_bind_int64(st, 4, r->uses_left);
	sqlite3_bind_int64(st, 5, r->expires_at);
	sqlite3_bind_int64(st, 6, r->created_at);
	return exec_write(s, st);
}

enum store_err sq_circle_invite_get(struct store *s, struct arena *a, const char *token_hash,
				       struct circle_invite_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITE_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		read_invite(a, st, out);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_circle_invite_use(struct store *s, const char *token_hash, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITE_USE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, now);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_circle_invite_revoke(struct store *s, const char *circle_id,
					  const char *token_hash)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITE_REVOKE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	bind_text(st, 2, token_hash);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_circle_invites(struct store *s, struct arena *a, const char *circle_id,
				    struct circle_invite_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITES);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	size_t cap = 8;
	*rows = arena_alloc(a, cap * sizeof(**rows));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct circle_invite_row *nr = arena_alloc(a, 2 * cap * sizeof(*nr));
			memcpy(nr, *rows, cap * sizeof(*nr));
			*rows = nr;
			cap *= 2;
		}
		read_invite(a, st, &(*rows)[(*n)++]);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

/* ---- invitations by handle (012_circle_invitations) ---- */

static const char SQL_INVITEE_ADD[] =
	"INSERT INTO circle_invitations(circle_id, user_id, invited_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_INVITEE_REMOVE[] =
	"DELETE FROM circle_invitations WHERE circle_id = ?1 AND user_id = ?2";
static const char SQL_INVITEES[] =
	"SELECT u.id, u.handle, u.name, i.invited_at FROM circle_invitations i JOIN users u ON "
	"u.id = i.user_id WHERE i.circle_id = ?1 ORDER BY u.handle LIMIT 5000";
static const char SQL_INVITATIONS_FOR[] =
	"SELECT c.id, c.owner_id, c.name, c.created_at, "
	"(SELECT count(*) FROM circle_members m WHERE m.circle_id = c.id) "
	"FROM circle_invitations i JOIN circles c ON c.id = i.circle_id "
	"WHERE i.user_id = ?1 ORDER BY i.invited_at DESC, c.id LIMIT 500";

enum store_err sq_circle_invitee_add(struct store *s, const char *circle_id,
					const char *user_id, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITEE_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	bind_text(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}

enum store_err sq_circle_invitee_remove(struct store *s, const char *circle_id,
					   const char *user_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITEE_REMOVE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	bind_text(st, 2, user_id);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_circle_invitees(struct store *s, struct arena *a, const char *circle_id,
				     struct member_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITEES);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, circle_id);
	return collect_members(s, a, st, rows, n);
}

enum store_err sq_circle_invitations_for(struct store *s, struct arena *a, const char *user_id,
					    struct circle_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITATIONS_FOR);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	size_t cap = 8;
	*rows = arena_alloc(a, cap * sizeof(**rows));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct circle_row *nr = arena_alloc(a, 2 * cap * sizeof(*nr));
			memcpy(nr, *rows, cap * sizeof(*nr));
			*rows = nr;
			cap *= 2;
		}
		read_circle(a, st, &(*rows)[(*n)++]);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}
