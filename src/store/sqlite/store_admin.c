/*
 * store_admin.c - running the site (store_admin.h) in SQLite: accounts
 * listed, suspended, handed over and deleted; open invitations; reported
 * responses; storage; the audit log.
 */
#include "store/sqlite/store_int.h"

#include <string.h>

/* ---- accounts ---- */

/* LIKE with '\' as its escape: query's own '%', '_' and '\' match
 * themselves. */
#define USER_MATCH \
	"(?1 = '' OR u.handle LIKE '%' || ?1 || '%' ESCAPE '\\' OR " \
	"u.name LIKE '%' || ?1 || '%' ESCAPE '\\')"
static const char SQL_USERS[] =
	"SELECT " USER_COLS("u") ", "
	"(SELECT count(*) FROM stories s WHERE s.author_id = u.id AND s.deleted_at IS NULL), "
	"(SELECT count(*) FROM responses r WHERE r.author_id = u.id), "
	"COALESCE((SELECT max(x.last_seen) FROM sessions x WHERE x.user_id = u.id), 0) "
	"FROM users u WHERE " USER_MATCH " AND u.handle >= ?2 ORDER BY u.handle LIMIT ?3";
static const char SQL_SUSPEND[] = "UPDATE users SET suspended_at = ?2 WHERE id = ?1";
static const char SQL_END_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?1";
static const char SQL_PURGE[] = "UPDATE stories SET deleted_at = 1 WHERE author_id = ?1";
static const char SQL_USER_DELETE[] = "DELETE FROM users WHERE id = ?1";
static const char SQL_ADMINS[] = "SELECT count(*) FROM users WHERE is_admin AND suspended_at = 0";

/* Handing over, in order: slugs the heir uses get a suffix, former slugs
 * she holds are forgotten, then stories, former slugs, circles and blocks
 * change hands. ?1 the account handed over, ?2 the heir. */
static const char *const SQL_HAND_OVER[] = {
	"UPDATE stories SET slug = slug || '-' || substr(id, 1, 6) WHERE author_id = ?1 AND "
	"(EXISTS (SELECT 1 FROM stories o WHERE o.author_id = ?2 AND o.slug = stories.slug) OR "
	"EXISTS (SELECT 1 FROM story_slugs f WHERE f.author_id = ?2 AND f.slug = stories.slug))",
	"DELETE FROM story_slugs WHERE author_id = ?1 AND (slug IN (SELECT slug FROM story_slugs "
	"WHERE author_id = ?2) OR slug IN (SELECT slug FROM stories WHERE author_id = ?2))",
	"UPDATE stories SET author_id = ?2 WHERE author_id = ?1",
	"UPDATE story_slugs SET author_id = ?2 WHERE author_id = ?1",
	"UPDATE circles SET owner_id = ?2 WHERE owner_id = ?1",
	"INSERT OR IGNORE INTO blocks(writer_id, blocked_id, created_at) "
	"SELECT ?2, blocked_id, created_at FROM blocks WHERE writer_id = ?1 AND blocked_id <> ?2",
};

enum store_err sq_admin_users(struct store *s, struct arena *a, const char *query,
			      const char *from, size_t max, struct admin_user_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_USERS);
	if (!st)
		return STORE_ERROR;
	/* The query, with LIKE's wildcards escaped. */
	size_t ql = strlen(query);
	char *q = arena_alloc(a, 2 * ql + 1), *w = q;
	for (size_t i = 0; i < ql; i++) {
		if (query[i] == '%' || query[i] == '_' || query[i] == '\\')
			*w++ = '\\';
		*w++ = query[i];
	}
	*w = '\0';
	bind_text(st, 1, q);
	bind_text(st, 2, from ? from : "");
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct admin_user_row *r = &(*rows)[(*n)++];
		read_user(a, st, 0, &r->u);
		r->stories = sqlite3_column_int64(st, 9);
		r->responses = sqlite3_column_int64(st, 10);
		r->last_seen = sqlite3_column_int64(st, 11);
	}
	done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

static enum store_err write_id(struct store *s, const char *sql, const char *id,
			       const char *id2, int64_t *changed)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	if (id2)
		bind_text(st, 2, id2);
	enum store_err e = exec_write(s, st);
	if (!e && changed)
		*changed = sqlite3_changes(SQ(s)->db);
	return e;
}

enum store_err sq_user_set_suspended(struct store *s, const char *id, int64_t at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SUSPEND);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		return STORE_NOT_FOUND;
	if (!e && at > 0)
		e = write_id(s, SQL_END_SESSIONS, id, NULL, NULL);
	return e;
}

enum store_err sq_user_stories_purge(struct store *s, const char *id, int64_t *n)
{
	return write_id(s, SQL_PURGE, id, NULL, n);
}

enum store_err sq_user_hand_over(struct store *s, const char *from, const char *to)
{
	enum store_err e = STORE_OK;
	for (size_t i = 0; !e && i < sizeof(SQL_HAND_OVER) / sizeof(SQL_HAND_OVER[0]); i++)
		e = write_id(s, SQL_HAND_OVER[i], from, to, NULL);
	return e;
}

enum store_err sq_user_delete(struct store *s, const char *id)
{
	int64_t n = 0;
	enum store_err e = write_id(s, SQL_USER_DELETE, id, NULL, &n);
	return e ? e : n ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_err count(struct store *s, const char *sql, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

enum store_err sq_admin_count(struct store *s, int64_t *n)
{
	return count(s, SQL_ADMINS, n);
}

/* ---- invitations ---- */
static const char SQL_INVITES_OPEN[] =
	"SELECT i.token_hash, COALESCE(u.handle, ''), i.created_at, i.expires_at, "
	"COALESCE(i.link, '') FROM invites i LEFT JOIN users u ON u.id = i.created_by "
	"WHERE i.used_at IS NULL AND i.expires_at > ?1 "
	"ORDER BY i.created_at DESC, i.token_hash LIMIT 200";
static const char SQL_INVITE_KEEP[] = "UPDATE invites SET link = ?2 WHERE token_hash = ?1";
static const char SQL_INVITE_REVOKE[] =
	"DELETE FROM invites WHERE token_hash = ?1 AND used_at IS NULL";

enum store_err sq_invites_open(struct store *s, struct arena *a, int64_t now,
			       struct invite_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_INVITES_OPEN);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	*rows = arena_alloc(a, 200 * sizeof(**rows));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < 200) {
		struct invite_row *r = &(*rows)[(*n)++];
		r->token_hash = col_text(a, st, 0);
		r->created_by = col_text(a, st, 1);
		r->created_at = sqlite3_column_int64(st, 2);
		r->expires_at = sqlite3_column_int64(st, 3);
		r->link = col_text(a, st, 4);
	}
	done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

enum store_err sq_invite_keep_link(struct store *s, const char *token_hash, const char *token)
{
	return write_id(s, SQL_INVITE_KEEP, token_hash, token, NULL);
}

enum store_err sq_invite_revoke(struct store *s, const char *token_hash)
{
	int64_t n = 0;
	enum store_err e = write_id(s, SQL_INVITE_REVOKE, token_hash, NULL, &n);
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
	"AND s.deleted_at IS NULL ORDER BY r.reports DESC, last DESC, r.id LIMIT ?1";

enum store_err sq_reports_open(struct store *s, struct arena *a, size_t max,
			       struct report_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_REPORTS);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct report_row *o = &(*rows)[(*n)++];
		memset(o, 0, sizeof(*o));
		struct response_row *r = &o->r;
		col_id(r->id, st, 0);
		col_id(r->story_id, st, 1);
		col_id(r->author_id, st, 2);
		col_id(r->parent_id, st, 3);
		r->body = col_text(a, st, 4);
		r->body_html = col_text(a, st, 5);
		if (!response_status_parse((const char *)sqlite3_column_text(st, 6), &r->status))
			r->status = RESPONSE_HIDDEN;
		r->held_for = col_text(a, st, 7);
		r->created_at = sqlite3_column_int64(st, 8);
		r->edited_at = sqlite3_column_int64(st, 9);
		r->reports = sqlite3_column_int64(st, 10);
		r->author_handle = col_text(a, st, 11);
		r->author_name = col_text(a, st, 12);
		r->author_suspended = sqlite3_column_int64(st, 13) != 0;
		r->story_title = col_text(a, st, 14);
		o->story_slug = col_text(a, st, 15);
		o->story_author = col_text(a, st, 16);
		o->last_report = sqlite3_column_int64(st, 17);
		r->remote_actor = col_text(a, st, 18);
		r->remote_note = col_text(a, st, 19);
	}
	done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

/* ---- storage ---- */
static const char SQL_PHOTO_COUNT[] = "SELECT count(*) FROM photos";
/* A file is shared by every variant row naming its hash: count it once. */
static const char SQL_PHOTO_BYTES[] =
	"SELECT COALESCE(sum(b), 0) FROM (SELECT max(bytes) AS b FROM photo_variants "
	"GROUP BY hash, format)";
static const char SQL_DB_BYTES[] =
	"SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";

enum store_err sq_storage(struct store *s, struct storage_row *out)
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
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_AUDIT_LIST[] =
	"SELECT id, at, actor_id, actor_handle, action, target, detail FROM audit_log "
	"WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2";

enum store_err sq_audit_add(struct store *s, const struct audit_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_AUDIT_ADD);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, r->at);
	bind_text(st, 2, r->actor_id ? r->actor_id : "");
	bind_text(st, 3, r->actor_handle ? r->actor_handle : "");
	bind_text(st, 4, r->action);
	bind_text(st, 5, r->target ? r->target : "");
	bind_text(st, 6, r->detail ? r->detail : "");
	return exec_write(s, st);
}

enum store_err sq_audit_list(struct store *s, struct arena *a, int64_t before, size_t max,
			     struct audit_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_AUDIT_LIST);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct audit_row *r = &(*rows)[(*n)++];
		r->id = sqlite3_column_int64(st, 0);
		r->at = sqlite3_column_int64(st, 1);
		r->actor_id = col_text(a, st, 2);
		r->actor_handle = col_text(a, st, 3);
		r->action = col_text(a, st, 4);
		r->target = col_text(a, st, 5);
		r->detail = col_text(a, st, 6);
	}
	done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}
