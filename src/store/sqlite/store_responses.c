/*
 * store_responses.c - responses, reports, blocks, muted words, response
 * defaults and rate events (SQLite). The "what may readers see" filter for
 * responses lives here once, as READER_VISIBLE.
 */
#include "store/sqlite/store_int.h"

#include <string.h>

#define RESPONSE_COLS \
	"r.id, r.story_id, COALESCE(r.author_id, ''), COALESCE(r.parent_id, ''), r.body, " \
	"r.body_html, r.status, r.held_for, r.created_at, COALESCE(r.edited_at, 0), r.reports, " \
	"COALESCE(u.handle, r.remote_handle), COALESCE(u.name, r.remote_name), EXISTS (SELECT 1 " \
	"FROM blocks b WHERE b.writer_id = s.author_id AND b.blocked_id = r.author_id), s.title, " \
	"COALESCE(u.suspended_at, 0), r.remote_actor, r.remote_note"

#define RESPONSE_FROM \
	" FROM responses r LEFT JOIN users u ON u.id = r.author_id JOIN stories s ON s.id = r.story_id "

/* A response readers may see: visible, its author neither blocked by the
 * writer nor suspended, and its parent (if any) so too. */
#define NOT_SUSPENDED(R) \
	"NOT EXISTS (SELECT 1 FROM users su WHERE su.id = " R ".author_id AND su.suspended_at > 0)"
#define READER_VISIBLE \
	"(r.status = 'visible' AND " NOT_SUSPENDED("r") " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.writer_id = " \
	"?2 AND b.blocked_id = r.author_id) AND (r.parent_id IS NULL OR EXISTS (SELECT 1 FROM " \
	"responses p WHERE p.id = r.parent_id AND p.status = 'visible' AND " NOT_SUSPENDED("p") \
	" AND NOT EXISTS (SELECT 1 " \
	"FROM blocks b2 WHERE b2.writer_id = ?2 AND b2.blocked_id = p.author_id))))"

static const char SQL_INSERT[] =
	"INSERT INTO responses(id, story_id, author_id, parent_id, body, body_html, status, "
	"held_for, created_at, remote_actor, remote_handle, remote_name, remote_note) VALUES (?1, "
	"?2, NULLIF(?3, ''), NULLIF(?4, ''), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char SQL_GET[] = "SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE r.id = ?1";
static const char SQL_EDIT[] =
	"UPDATE responses SET body = ?2, body_html = ?3, status = ?4, held_for = ?5, "
	"edited_at = ?6 WHERE id = ?1";
static const char SQL_STATUS[] =
	"UPDATE responses SET status = ?2, held_for = CASE WHEN ?2 = 'pending' THEN held_for "
	"ELSE '' END WHERE id = ?1";
static const char SQL_DELETE[] = "DELETE FROM responses WHERE id = ?1";
static const char SQL_FOR_STORY_ALL[] =
	"SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE r.story_id = ?1 AND ?2 IS NOT NULL "
	"ORDER BY r.created_at, r.id LIMIT 2000";
static const char SQL_FOR_STORY_READERS[] =
	"SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE r.story_id = ?1 AND " READER_VISIBLE
	" ORDER BY r.created_at, r.id LIMIT 2000";
static const char SQL_COUNT_VISIBLE[] =
	"SELECT count(*) FROM responses r WHERE r.story_id = ?1 AND " READER_VISIBLE;
static const char SQL_QUEUE[] =
	"SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE s.author_id = ?1 AND s.deleted_at IS NULL "
	"AND (r.status <> 'visible' OR r.reports > 0) ORDER BY r.created_at DESC, r.id DESC "
	"LIMIT 500";
static const char SQL_REPORT[] =
	"INSERT INTO response_reports(response_id, reporter_id, created_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_REPORT_COUNT[] =
	"UPDATE responses SET reports = (SELECT count(*) FROM response_reports WHERE "
	"response_id = ?1) WHERE id = ?1";
static const char SQL_BLOCK_ADD[] =
	"INSERT INTO blocks(writer_id, blocked_id, created_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_BLOCK_REMOVE[] = "DELETE FROM blocks WHERE writer_id = ?1 AND blocked_id = ?2";
static const char SQL_BLOCK_CHECK[] = "SELECT 1 FROM blocks WHERE writer_id = ?1 AND blocked_id = ?2";
static const char SQL_READER_TIES[] =
	"SELECT EXISTS (SELECT 1 FROM circle_members m JOIN circles c ON c.id = m.circle_id"
	"               WHERE m.user_id = ?1 AND c.owner_id = ?2),"
	"       EXISTS (SELECT 1 FROM blocks WHERE writer_id = ?2 AND blocked_id = ?1),"
	"       EXISTS (SELECT 1 FROM responses r JOIN stories s ON s.id = r.story_id"
	"               WHERE r.author_id = ?1 AND s.author_id = ?2)";
static const char SQL_BLOCK_LIST[] =
	"SELECT u.id, u.handle, u.name, b.created_at FROM blocks b JOIN users u ON "
	"u.id = b.blocked_id WHERE b.writer_id = ?1 ORDER BY u.handle LIMIT 5000";
static const char SQL_MUTED_GET[] =
	"SELECT phrase FROM muted_words WHERE writer_id = ?1 ORDER BY phrase LIMIT 1000";
static const char SQL_MUTED_CLEAR[] = "DELETE FROM muted_words WHERE writer_id = ?1";
static const char SQL_MUTED_ADD[] =
	"INSERT INTO muted_words(writer_id, phrase) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
static const char SQL_DEFAULTS[] =
	"SELECT default_responses, default_responders FROM users WHERE id = ?1";
static const char SQL_DEFAULTS_SET[] =
	"UPDATE users SET default_responses = ?2, default_responders = ?3 WHERE id = ?1";
static const char SQL_RATE_ADD[] = "INSERT INTO rate_events(scope, at) VALUES (?1, ?2)";
static const char SQL_RATE_COUNT[] =
	"SELECT count(*), COALESCE(min(at), 0) FROM rate_events WHERE scope = ?1 AND at >= ?2";
static const char SQL_RATE_PRUNE[] = "DELETE FROM rate_events WHERE at < ?1";

static void read_response(struct arena *a, sqlite3_stmt *st, struct response_row *r)
{
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
	r->author_blocked = sqlite3_column_int(st, 13) != 0;
	r->story_title = col_text(a, st, 14);
	r->author_suspended = sqlite3_column_int64(st, 15) != 0;
	r->remote_actor = col_text(a, st, 16);
	r->remote_note = col_text(a, st, 17);
}

static enum store_err read_list(struct store *s, struct arena *a, sqlite3_stmt *st,
				struct response_list *out)
{
	size_t cap = 16;
	out->items = arena_alloc(a, cap * sizeof(*out->items));
	out->n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			struct response_row *ni = arena_alloc(a, 2 * cap * sizeof(*ni));
			memcpy(ni, out->items, cap * sizeof(*ni));
			out->items = ni;
			cap *= 2;
		}
		read_response(a, st, &out->items[out->n++]);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_response_insert(struct store *s, const struct response_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->story_id);
	bind_text(st, 3, r->author_id);
	bind_text(st, 4, r->parent_id);
	bind_text(st, 5, r->body);
	bind_text(st, 6, r->body_html);
	bind_text(st, 7, response_status_name(r->status));
	bind_text(st, 8, r->held_for ? r->held_for : "");
	sqlite3_bind_int64(st, 9, r->created_at);
	bind_text(st, 10, r->remote_actor ? r->remote_actor : "");
	bind_text(st, 11, r->remote_actor && *r->remote_actor ? r->author_handle : "");
	bind_text(st, 12, r->remote_actor && *r->remote_actor ? r->author_name : "");
	bind_text(st, 13, r->remote_note ? r->remote_note : "");
	return exec_write(s, st);
}

enum store_err sq_response_get(struct store *s, struct arena *a, const char *id,
				  struct response_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		read_response(a, st, out);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

static enum store_err changed_one(struct store *s, enum store_err e)
{
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		return STORE_NOT_FOUND;
	return e;
}

enum store_err sq_response_edit(struct store *s, const char *id, const char *body,
				   const char *html, enum response_status status, const char *held_for,
				   int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_EDIT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, body);
	bind_text(st, 3, html);
	bind_text(st, 4, response_status_name(status));
	bind_text(st, 5, held_for ? held_for : "");
	sqlite3_bind_int64(st, 6, now);
	return changed_one(s, exec_write(s, st));
}

enum store_err sq_response_set_status(struct store *s, const char *id,
				      enum response_status status)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_STATUS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, response_status_name(status));
	return changed_one(s, exec_write(s, st));
}

enum store_err sq_response_delete(struct store *s, const char *id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	return changed_one(s, exec_write(s, st));
}

enum store_err sq_responses_for_story(struct store *s, struct arena *a, const char *story_id,
					 const char *writer_id, bool everything,
					 struct response_list *out)
{
	sqlite3_stmt *st = stmt_cached(s, everything ? SQL_FOR_STORY_ALL : SQL_FOR_STORY_READERS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	bind_text(st, 2, writer_id);
	return read_list(s, a, st, out);
}

enum store_err sq_response_count_visible(struct store *s, const char *story_id,
					    const char *writer_id, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_COUNT_VISIBLE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	bind_text(st, 2, writer_id);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		e = err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_moderation_queue(struct store *s, struct arena *a, const char *writer_id,
				      struct response_list *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_QUEUE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	return read_list(s, a, st, out);
}

enum store_err sq_response_report(struct store *s, const char *id, const char *reporter_id,
				     int64_t now)
{
	sqlite3_stmt *a = stmt_cached(s, SQL_REPORT), *b = stmt_cached(s, SQL_REPORT_COUNT);
	if (!a || !b)
		return STORE_ERROR;
	if (sq_begin(s))
		return STORE_ERROR;
	bind_text(a, 1, id);
	bind_text(a, 2, reporter_id);
	sqlite3_bind_int64(a, 3, now);
	bind_text(b, 1, id);
	if (exec_write(s, a) || exec_write(s, b) || sq_commit(s)) {
		sq_rollback(s);
		return STORE_ERROR;
	}
	return STORE_OK;
}

static enum store_err pair_write(struct store *s, const char *sql, const char *x, const char *y,
				 int64_t now, bool with_now)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, x);
	bind_text(st, 2, y);
	if (with_now)
		sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}

enum store_err sq_block_add(struct store *s, const char *writer_id, const char *blocked_id,
			       int64_t now)
{
	return pair_write(s, SQL_BLOCK_ADD, writer_id, blocked_id, now, true);
}

enum store_err sq_block_remove(struct store *s, const char *writer_id, const char *blocked_id)
{
	return changed_one(s, pair_write(s, SQL_BLOCK_REMOVE, writer_id, blocked_id, 0, false));
}

enum store_err sq_block_check(struct store *s, const char *writer_id, const char *blocked_id,
				 bool *blocked)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_BLOCK_CHECK);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, blocked_id);
	int rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_of(s, rc);
	*blocked = rc == SQLITE_ROW;
	return STORE_OK;
}

enum store_err sq_reader_ties(struct store *s, const char *reader_id, const char *writer_id,
			      struct reader_ties *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_READER_TIES);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, reader_id);
	bind_text(st, 2, writer_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->member = sqlite3_column_int(st, 0) != 0;
		out->blocked = sqlite3_column_int(st, 1) != 0;
		out->responded = sqlite3_column_int(st, 2) != 0;
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

enum store_err sq_block_list(struct store *s, struct arena *a, const char *writer_id,
				struct member_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_BLOCK_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	return collect_members(s, a, st, rows, n);
}

enum store_err sq_muted_get(struct store *s, struct arena *a, const char *writer_id,
			       const char ***phrases, size_t *n)
{
	*phrases = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_MUTED_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	return collect_texts(s, a, st, phrases, n);
}

enum store_err sq_muted_set(struct store *s, const char *writer_id, const char *const *phrases,
			       size_t n)
{
	sqlite3_stmt *clr = stmt_cached(s, SQL_MUTED_CLEAR), *add = stmt_cached(s, SQL_MUTED_ADD);
	if (!clr || !add || sq_begin(s))
		return STORE_ERROR;
	bind_text(clr, 1, writer_id);
	if (exec_write(s, clr))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		bind_text(add, 1, writer_id);
		bind_text(add, 2, phrases[i]);
		if (exec_write(s, add))
			goto fail;
	}
	if (sq_commit(s))
		return STORE_ERROR;
	return STORE_OK;
fail:
	sq_rollback(s);
	return STORE_ERROR;
}

enum store_err sq_response_defaults(struct store *s, struct arena *a, const char *user_id,
				       const char **responses, const char **responders)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DEFAULTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		*responses = col_text(a, st, 0);
		*responders = col_text(a, st, 1);
	} else {
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	}
	done(st);
	return e;
}

enum store_err sq_response_defaults_set(struct store *s, const char *user_id,
					   const char *responses, const char *responders)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DEFAULTS_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, responses);
	bind_text(st, 3, responders);
	return exec_write(s, st);
}

enum store_err sq_rate_add(struct store *s, const char *scope, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_RATE_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, scope);
	sqlite3_bind_int64(st, 2, now);
	enum store_err e = exec_write(s, st);
	if (!e && (now % 97) == 0) {
		sqlite3_stmt *p = stmt_cached(s, SQL_RATE_PRUNE);
		if (p) {
			sqlite3_bind_int64(p, 1, now - 86400);
			e = exec_write(s, p);
		}
	}
	return e;
}

enum store_err sq_rate_count(struct store *s, const char *scope, int64_t since,
				int64_t *count, int64_t *oldest)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_RATE_COUNT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, scope);
	sqlite3_bind_int64(st, 2, since);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*oldest = sqlite3_column_int64(st, 1);
	} else {
		e = err_of(s, rc);
	}
	done(st);
	return e;
}
