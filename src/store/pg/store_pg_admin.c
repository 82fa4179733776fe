/*
 * store_pg_admin.c - running the site (store_admin.h) in PostgreSQL, the
 * twin of the SQLite backend's store_admin.c. Handles order byte by byte
 * (COLLATE "C"), as SQLite does; a search matches either case (ILIKE, as
 * SQLite's LIKE does for ASCII).
 */
#include "store/pg/pg_int.h"

#include <string.h>

/* ---- accounts ---- */
#define USER_MATCH \
	"($1 = '' OR u.handle ILIKE '%' || $1 || '%' ESCAPE '\\' OR " \
	"u.name ILIKE '%' || $1 || '%' ESCAPE '\\')"
static const char SQL_USERS[] =
	"SELECT " PG_USER_COLS("u") ", "
	"(SELECT count(*) FROM stories s WHERE s.author_id = u.id AND s.deleted_at IS NULL), "
	"(SELECT count(*) FROM responses r WHERE r.author_id = u.id), "
	"COALESCE((SELECT max(x.last_seen) FROM sessions x WHERE x.user_id = u.id), 0) "
	"FROM users u WHERE " USER_MATCH " AND u.handle COLLATE \"C\" >= $2 "
	"ORDER BY u.handle COLLATE \"C\" LIMIT $3";
static const char SQL_SUSPEND[] = "UPDATE users SET suspended_at = $2 WHERE id = $1";
static const char SQL_END_SESSIONS[] = "DELETE FROM sessions WHERE user_id = $1";
static const char SQL_PURGE[] = "UPDATE stories SET deleted_at = 1 WHERE author_id = $1";
static const char SQL_USER_DELETE[] = "DELETE FROM users WHERE id = $1";
static const char SQL_ADMINS[] = "SELECT count(*) FROM users WHERE is_admin AND suspended_at = 0";

static const char *const SQL_HAND_OVER[] = {
	"UPDATE stories SET slug = slug || '-' || substr(id, 1, 6) WHERE author_id = $1 AND "
	"(EXISTS (SELECT 1 FROM stories o WHERE o.author_id = $2 AND o.slug = stories.slug) OR "
	"EXISTS (SELECT 1 FROM story_slugs f WHERE f.author_id = $2 AND f.slug = stories.slug))",
	"DELETE FROM story_slugs WHERE author_id = $1 AND (slug IN (SELECT slug FROM story_slugs "
	"WHERE author_id = $2) OR slug IN (SELECT slug FROM stories WHERE author_id = $2))",
	"UPDATE stories SET author_id = $2 WHERE author_id = $1",
	"UPDATE story_slugs SET author_id = $2 WHERE author_id = $1",
	"UPDATE circles SET owner_id = $2 WHERE owner_id = $1",
	"INSERT INTO blocks(writer_id, blocked_id, created_at) "
	"SELECT $2, blocked_id, created_at FROM blocks WHERE writer_id = $1 AND blocked_id <> $2 "
	"ON CONFLICT DO NOTHING",
};

enum store_err pg_admin_users(struct store *s, struct arena *a, const char *query,
			      const char *from, size_t max, struct admin_user_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	size_t ql = strlen(query);
	char *q = arena_alloc(a, 2 * ql + 1), *w = q;
	for (size_t i = 0; i < ql; i++) {
		if (query[i] == '%' || query[i] == '_' || query[i] == '\\')
			*w++ = '\\';
		*w++ = query[i];
	}
	*w = '\0';
	struct pg_params p = {0};
	pp_text(&p, q);
	pp_text(&p, from ? from : "");
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_USERS, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++) {
		struct admin_user_row *o = &(*rows)[(*n)++];
		pg_read_user(a, r, i, 0, &o->u);
		o->stories = pg_int(r, i, 9);
		o->responses = pg_int(r, i, 10);
		o->last_seen = pg_int(r, i, 11);
	}
	PQclear(r);
	return STORE_OK;
}

static enum store_err write_ids(struct store *s, const char *sql, const char *id,
				const char *id2, int64_t *changed)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	if (id2)
		pp_text(&p, id2);
	return pg_write(s, sql, &p, changed);
}

enum store_err pg_user_set_suspended(struct store *s, const char *id, int64_t at)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_int(&p, at);
	enum store_err e = pg_write_one(s, SQL_SUSPEND, &p);
	if (!e && at > 0)
		e = write_ids(s, SQL_END_SESSIONS, id, NULL, NULL);
	return e;
}

enum store_err pg_user_stories_purge(struct store *s, const char *id, int64_t *n)
{
	return write_ids(s, SQL_PURGE, id, NULL, n);
}

enum store_err pg_user_hand_over(struct store *s, const char *from, const char *to)
{
	enum store_err e = STORE_OK;
	for (size_t i = 0; !e && i < sizeof(SQL_HAND_OVER) / sizeof(SQL_HAND_OVER[0]); i++)
		e = write_ids(s, SQL_HAND_OVER[i], from, to, NULL);
	return e;
}

enum store_err pg_user_delete(struct store *s, const char *id)
{
	int64_t n = 0;
	enum store_err e = write_ids(s, SQL_USER_DELETE, id, NULL, &n);
	return e ? e : n ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_err count(struct store *s, const char *sql, int64_t *n)
{
	PGresult *r = pg_run(s, sql, NULL);
	if (!r)
		return STORE_ERROR;
	*n = PQntuples(r) ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_admin_count(struct store *s, int64_t *n)
{
	return count(s, SQL_ADMINS, n);
}

/* ---- invitations ---- */
static const char SQL_INVITES_OPEN[] =
	"SELECT i.token_hash, COALESCE(u.handle, ''), i.created_at, i.expires_at, "
	"COALESCE(i.link, '') FROM invites i LEFT JOIN users u ON u.id = i.created_by "
	"WHERE i.used_at IS NULL AND i.expires_at > $1 "
	"ORDER BY i.created_at DESC, i.token_hash COLLATE \"C\" LIMIT 200";
static const char SQL_INVITE_KEEP[] = "UPDATE invites SET link = $2 WHERE token_hash = $1";
static const char SQL_INVITE_REVOKE[] =
	"DELETE FROM invites WHERE token_hash = $1 AND used_at IS NULL";

enum store_err pg_invites_open(struct store *s, struct arena *a, int64_t now,
			       struct invite_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_int(&p, now);
	PGresult *r = pg_run(s, SQL_INVITES_OPEN, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt; i++) {
		struct invite_row *o = &(*rows)[(*n)++];
		o->token_hash = pg_text(a, r, i, 0);
		o->created_by = pg_text(a, r, i, 1);
		o->created_at = pg_int(r, i, 2);
		o->expires_at = pg_int(r, i, 3);
		o->link = pg_text(a, r, i, 4);
	}
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_invite_keep_link(struct store *s, const char *token_hash, const char *token)
{
	return write_ids(s, SQL_INVITE_KEEP, token_hash, token, NULL);
}

enum store_err pg_invite_revoke(struct store *s, const char *token_hash)
{
	int64_t n = 0;
	enum store_err e = write_ids(s, SQL_INVITE_REVOKE, token_hash, NULL, &n);
	return e ? e : n ? STORE_OK : STORE_NOT_FOUND;
}

/* ---- reported responses ---- */
static const char SQL_REPORTS[] =
	"SELECT r.id, r.story_id, COALESCE(r.author_id, ''), COALESCE(r.parent_id, ''), r.body, "
	"r.body_html, r.status, r.held_for, r.created_at, COALESCE(r.edited_at, 0), r.reports, "
	"COALESCE(u.handle, r.remote_handle), COALESCE(u.name, r.remote_name), "
	"COALESCE(u.suspended_at, 0), s.title, s.slug, w.handle, "
	"(SELECT max(x.created_at) FROM response_reports x WHERE x.response_id = r.id) AS last, "
	"r.remote_actor, r.remote_note "
	"FROM responses r LEFT JOIN users u ON u.id = r.author_id "
	"JOIN stories s ON s.id = r.story_id "
	"JOIN users w ON w.id = s.author_id WHERE r.reports > 0 AND r.status <> 'hidden' "
	"AND s.deleted_at IS NULL ORDER BY r.reports DESC, last DESC, r.id COLLATE \"C\" "
	"LIMIT $1";

enum store_err pg_reports_open(struct store *s, struct arena *a, size_t max,
			       struct report_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_int(&p, (int64_t)max);
	PGresult *res = pg_run(s, SQL_REPORTS, &p);
	if (!res)
		return STORE_ERROR;
	int nt = PQntuples(res);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++) {
		struct report_row *o = &(*rows)[(*n)++];
		memset(o, 0, sizeof(*o));
		struct response_row *r = &o->r;
		pg_id(r->id, res, i, 0);
		pg_id(r->story_id, res, i, 1);
		pg_id(r->author_id, res, i, 2);
		pg_id(r->parent_id, res, i, 3);
		r->body = pg_text(a, res, i, 4);
		r->body_html = pg_text(a, res, i, 5);
		if (!response_status_parse(PQgetvalue(res, i, 6), &r->status))
			r->status = RESPONSE_HIDDEN;
		r->held_for = pg_text(a, res, i, 7);
		r->created_at = pg_int(res, i, 8);
		r->edited_at = pg_int(res, i, 9);
		r->reports = pg_int(res, i, 10);
		r->author_handle = pg_text(a, res, i, 11);
		r->author_name = pg_text(a, res, i, 12);
		r->author_suspended = pg_int(res, i, 13) != 0;
		r->story_title = pg_text(a, res, i, 14);
		o->story_slug = pg_text(a, res, i, 15);
		o->story_author = pg_text(a, res, i, 16);
		o->last_report = pg_int(res, i, 17);
		r->remote_actor = pg_text(a, res, i, 18);
		r->remote_note = pg_text(a, res, i, 19);
	}
	PQclear(res);
	return STORE_OK;
}

/* ---- storage ---- */
static const char SQL_PHOTO_COUNT[] = "SELECT count(*) FROM photos";
static const char SQL_PHOTO_BYTES[] =
	"SELECT COALESCE(sum(b), 0) FROM (SELECT max(bytes) AS b FROM photo_variants "
	"GROUP BY hash, format) f";
static const char SQL_DB_BYTES[] = "SELECT pg_database_size(current_database())";

enum store_err pg_storage(struct store *s, struct storage_row *out)
{
	memset(out, 0, sizeof(*out));
	enum store_err e = count(s, SQL_PHOTO_COUNT, &out->photos);
	if (!e)
		e = count(s, SQL_PHOTO_BYTES, &out->photo_bytes);
	if (!e)
		e = count(s, SQL_DB_BYTES, &out->database_bytes);
	return e;
}

/* ---- the audit log ---- */
static const char SQL_AUDIT_ADD[] =
	"INSERT INTO audit_log(at, actor_id, actor_handle, action, target, detail) "
	"VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_AUDIT_LIST[] =
	"SELECT id, at, actor_id, actor_handle, action, target, detail FROM audit_log "
	"WHERE $1 = 0 OR id < $1 ORDER BY id DESC LIMIT $2";

enum store_err pg_audit_add(struct store *s, const struct audit_row *r)
{
	struct pg_params p = {0};
	pp_int(&p, r->at);
	pp_text(&p, r->actor_id ? r->actor_id : "");
	pp_text(&p, r->actor_handle ? r->actor_handle : "");
	pp_text(&p, r->action);
	pp_text(&p, r->target ? r->target : "");
	pp_text(&p, r->detail ? r->detail : "");
	return pg_write(s, SQL_AUDIT_ADD, &p, NULL);
}

enum store_err pg_audit_list(struct store *s, struct arena *a, int64_t before, size_t max,
			     struct audit_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_int(&p, before);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_AUDIT_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++) {
		struct audit_row *o = &(*rows)[(*n)++];
		o->id = pg_int(r, i, 0);
		o->at = pg_int(r, i, 1);
		o->actor_id = pg_text(a, r, i, 2);
		o->actor_handle = pg_text(a, r, i, 3);
		o->action = pg_text(a, r, i, 4);
		o->target = pg_text(a, r, i, 5);
		o->detail = pg_text(a, r, i, 6);
	}
	PQclear(r);
	return STORE_OK;
}
