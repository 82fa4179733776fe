/*
 * store_pg_responses.c - responses, the moderation queue, reports,
 * blocks, muted words, response defaults and rate events (PostgreSQL);
 * the twin of sqlite/store_responses.c.
 *
 * The "what may readers see" rule for responses is written here once, as
 * PG_RESPONSE_VISIBLE_SQL: the PostgreSQL form of the SQLite backend's
 * READER_VISIBLE, and the SQL twin of the C rule in responses/
 * (response_visible_to() on the response and on its parent). Every query
 * that shows or counts responses to readers uses it; the conformance
 * suite (tests/unit/test_store_people.c) checks it against the C rule.
 * Text is ordered byte by byte (COLLATE "C"), as SQLite does.
 *
 * The two transactions here read what they then write, which SQLite's
 * single writer keeps whole; PostgreSQL's READ COMMITTED would not, so
 * each first locks what it is about: a report locks the response's row
 * (then its count includes every report committed before), replacing
 * muted words takes an advisory lock on the writer (key 7162, hashed),
 * so that two replacements at once leave one list, not their union.
 */
#include "store/pg/pg_int.h"

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
 * writer (the parameter WRITER, a text) nor suspended, and its parent,
 * for a reply, so too. */
#define PG_NOT_SUSPENDED(R) \
	"NOT EXISTS (SELECT 1 FROM users su WHERE su.id = " R ".author_id AND su.suspended_at > 0)"
#define PG_RESPONSE_VISIBLE_SQL(WRITER) \
	"(r.status = 'visible' AND " PG_NOT_SUSPENDED("r") " AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.writer_id = " \
	WRITER " AND b.blocked_id = r.author_id) AND (r.parent_id IS NULL OR EXISTS (SELECT 1 " \
	"FROM responses p WHERE p.id = r.parent_id AND p.status = 'visible' AND " \
	PG_NOT_SUSPENDED("p") " AND NOT EXISTS " \
	"(SELECT 1 FROM blocks b2 WHERE b2.writer_id = " WRITER " AND b2.blocked_id = " \
	"p.author_id))))"

static const char SQL_INSERT[] =
	"INSERT INTO responses(id, story_id, author_id, parent_id, body, body_html, status, "
	"held_for, created_at, remote_actor, remote_handle, remote_name, remote_note) VALUES ($1, "
	"$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
static const char SQL_GET[] = "SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE r.id = $1";
static const char SQL_EDIT[] =
	"UPDATE responses SET body = $2, body_html = $3, status = $4, held_for = $5, "
	"edited_at = $6 WHERE id = $1";
static const char SQL_STATUS[] =
	"UPDATE responses SET status = $2, held_for = CASE WHEN $2 = 'pending' THEN held_for "
	"ELSE '' END WHERE id = $1";
static const char SQL_DELETE[] = "DELETE FROM responses WHERE id = $1";
/* Everything, for the writer: nothing when no writer is named. */
static const char SQL_FOR_STORY_ALL[] =
	"SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE r.story_id = $1 AND $2::text IS NOT NULL "
	"ORDER BY r.created_at, r.id LIMIT 2000";
static const char SQL_FOR_STORY_READERS[] =
	"SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE r.story_id = $1 AND "
	PG_RESPONSE_VISIBLE_SQL("$2::text") " ORDER BY r.created_at, r.id LIMIT 2000";
static const char SQL_COUNT_VISIBLE[] =
	"SELECT count(*) FROM responses r WHERE r.story_id = $1 AND "
	PG_RESPONSE_VISIBLE_SQL("$2::text");
static const char SQL_QUEUE[] =
	"SELECT " RESPONSE_COLS RESPONSE_FROM "WHERE s.author_id = $1 AND s.deleted_at IS NULL "
	"AND (r.status <> 'visible' OR r.reports > 0) ORDER BY r.created_at DESC, r.id DESC "
	"LIMIT 500";
static const char SQL_REPORT_LOCK[] =
	"SELECT 1 FROM responses WHERE id = $1 FOR NO KEY UPDATE";
static const char SQL_REPORT[] =
	"INSERT INTO response_reports(response_id, reporter_id, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_REPORT_COUNT[] =
	"UPDATE responses SET reports = (SELECT count(*) FROM response_reports WHERE "
	"response_id = $1) WHERE id = $1";
static const char SQL_BLOCK_ADD[] =
	"INSERT INTO blocks(writer_id, blocked_id, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_BLOCK_REMOVE[] = "DELETE FROM blocks WHERE writer_id = $1 AND blocked_id = $2";
static const char SQL_BLOCK_CHECK[] = "SELECT 1 FROM blocks WHERE writer_id = $1 AND blocked_id = $2";
static const char SQL_READER_TIES[] =
	"SELECT EXISTS (SELECT 1 FROM circle_members m JOIN circles c ON c.id = m.circle_id"
	"               WHERE m.user_id = $1 AND c.owner_id = $2)::int,"
	"       EXISTS (SELECT 1 FROM blocks WHERE writer_id = $2 AND blocked_id = $1)::int,"
	"       EXISTS (SELECT 1 FROM responses r JOIN stories s ON s.id = r.story_id"
	"               WHERE r.author_id = $1 AND s.author_id = $2)::int";
static const char SQL_BLOCK_LIST[] =
	"SELECT u.id, u.handle, u.name, b.created_at FROM blocks b JOIN users u ON "
	"u.id = b.blocked_id WHERE b.writer_id = $1 ORDER BY u.handle COLLATE \"C\" LIMIT 5000";
static const char SQL_MUTED_GET[] =
	"SELECT phrase FROM muted_words WHERE writer_id = $1 ORDER BY phrase COLLATE \"C\" "
	"LIMIT 1000";
static const char SQL_MUTED_LOCK[] = "SELECT pg_advisory_xact_lock(7162, hashtext($1::text))";
static const char SQL_MUTED_CLEAR[] = "DELETE FROM muted_words WHERE writer_id = $1";
static const char SQL_MUTED_ADD[] =
	"INSERT INTO muted_words(writer_id, phrase) VALUES ($1, $2) ON CONFLICT DO NOTHING";
static const char SQL_DEFAULTS[] =
	"SELECT default_responses, default_responders FROM users WHERE id = $1";
static const char SQL_DEFAULTS_SET[] =
	"UPDATE users SET default_responses = $2, default_responders = $3 WHERE id = $1";
static const char SQL_RATE_ADD[] = "INSERT INTO rate_events(scope, at) VALUES ($1, $2)";
static const char SQL_RATE_COUNT[] =
	"SELECT count(*), COALESCE(min(at), 0) FROM rate_events WHERE scope = $1 AND at >= $2";
static const char SQL_RATE_PRUNE[] = "DELETE FROM rate_events WHERE at < $1";

static void read_response(struct arena *a, const PGresult *r, int row, struct response_row *o)
{
	pg_id(o->id, r, row, 0);
	pg_id(o->story_id, r, row, 1);
	pg_id(o->author_id, r, row, 2);
	pg_id(o->parent_id, r, row, 3);
	o->body = pg_text(a, r, row, 4);
	o->body_html = pg_text(a, r, row, 5);
	if (!response_status_parse(PQgetvalue(r, row, 6), &o->status))
		o->status = RESPONSE_HIDDEN;
	o->held_for = pg_text(a, r, row, 7);
	o->created_at = pg_int(r, row, 8);
	o->edited_at = pg_int(r, row, 9);
	o->reports = pg_int(r, row, 10);
	o->author_handle = pg_text(a, r, row, 11);
	o->author_name = pg_text(a, r, row, 12);
	o->author_blocked = pg_bool(r, row, 13);
	o->author_suspended = pg_int(r, row, 15) != 0;
	o->story_title = pg_text(a, r, row, 14);
	o->remote_actor = pg_text(a, r, row, 16);
	o->remote_note = pg_text(a, r, row, 17);
}

static enum store_err read_list(struct store *s, struct arena *a, const char *sql,
				const struct pg_params *p, struct response_list *out)
{
	out->items = NULL;
	out->n = 0;
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	out->items = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(*out->items));
	for (int i = 0; i < nt; i++)
		read_response(a, r, i, &out->items[out->n++]);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_response_insert(struct store *s, const struct response_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->id);
	pp_text(&p, r->story_id);
	pp_opt(&p, r->author_id);
	pp_opt(&p, r->parent_id);
	pp_text(&p, r->body);
	pp_text(&p, r->body_html);
	pp_text(&p, response_status_name(r->status));
	pp_text(&p, r->held_for ? r->held_for : "");
	pp_int(&p, r->created_at);
	pp_text(&p, r->remote_actor ? r->remote_actor : "");
	pp_text(&p, r->remote_actor && *r->remote_actor ? r->author_handle : "");
	pp_text(&p, r->remote_actor && *r->remote_actor ? r->author_name : "");
	pp_text(&p, r->remote_note ? r->remote_note : "");
	return pg_write(s, SQL_INSERT, &p, NULL);
}

enum store_err pg_response_get(struct store *s, struct arena *a, const char *id,
			       struct response_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, SQL_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		read_response(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_response_edit(struct store *s, const char *id, const char *body,
				const char *html, enum response_status status, const char *held_for,
				int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, body);
	pp_text(&p, html);
	pp_text(&p, response_status_name(status));
	pp_text(&p, held_for ? held_for : "");
	pp_int(&p, now);
	return pg_write_one(s, SQL_EDIT, &p);
}

enum store_err pg_response_set_status(struct store *s, const char *id,
				      enum response_status status)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, response_status_name(status));
	return pg_write_one(s, SQL_STATUS, &p);
}

enum store_err pg_response_delete(struct store *s, const char *id)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	return pg_write_one(s, SQL_DELETE, &p);
}

enum store_err pg_responses_for_story(struct store *s, struct arena *a, const char *story_id,
				      const char *writer_id, bool everything,
				      struct response_list *out)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_text(&p, writer_id);
	return read_list(s, a, everything ? SQL_FOR_STORY_ALL : SQL_FOR_STORY_READERS, &p, out);
}

enum store_err pg_response_count_visible(struct store *s, const char *story_id,
					 const char *writer_id, int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_COUNT_VISIBLE, &p);
	if (!r)
		return STORE_ERROR;
	*n = pg_int(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_moderation_queue(struct store *s, struct arena *a, const char *writer_id,
				   struct response_list *out)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	return read_list(s, a, SQL_QUEUE, &p, out);
}

enum store_err pg_response_report(struct store *s, const char *id, const char *reporter_id,
				  int64_t now)
{
	struct pg_params a = {0}, b = {0};
	pp_text(&a, id);
	pp_text(&a, reporter_id);
	pp_int(&a, now);
	pp_text(&b, id);
	if (pg_begin(s))
		return STORE_ERROR;
	PGresult *l = pg_run(s, SQL_REPORT_LOCK, &b);
	PQclear(l);
	if (!l || pg_write(s, SQL_REPORT, &a, NULL) || pg_write(s, SQL_REPORT_COUNT, &b, NULL)) {
		pg_rollback(s);
		return STORE_ERROR;
	}
	return pg_commit(s);
}

static enum store_err pair_write(struct store *s, const char *sql, const char *x, const char *y,
				 int64_t now, bool with_now, int64_t *changed)
{
	struct pg_params p = {0};
	pp_text(&p, x);
	pp_text(&p, y);
	if (with_now)
		pp_int(&p, now);
	return pg_write(s, sql, &p, changed);
}

enum store_err pg_block_add(struct store *s, const char *writer_id, const char *blocked_id,
			    int64_t now)
{
	return pair_write(s, SQL_BLOCK_ADD, writer_id, blocked_id, now, true, NULL);
}

enum store_err pg_block_remove(struct store *s, const char *writer_id, const char *blocked_id)
{
	int64_t n = 0;
	enum store_err e = pair_write(s, SQL_BLOCK_REMOVE, writer_id, blocked_id, 0, false, &n);
	return e ? e : n ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err pg_block_check(struct store *s, const char *writer_id, const char *blocked_id,
			      bool *blocked)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, blocked_id);
	PGresult *r = pg_run(s, SQL_BLOCK_CHECK, &p);
	if (!r)
		return STORE_ERROR;
	*blocked = PQntuples(r) > 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_reader_ties(struct store *s, const char *reader_id, const char *writer_id,
			      struct reader_ties *out)
{
	struct pg_params p = {0};
	pp_text(&p, reader_id);
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_READER_TIES, &p);
	if (!r)
		return STORE_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return STORE_ERROR;
	}
	out->member = strcmp(PQgetvalue(r, 0, 0), "1") == 0;
	out->blocked = strcmp(PQgetvalue(r, 0, 1), "1") == 0;
	out->responded = strcmp(PQgetvalue(r, 0, 2), "1") == 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_block_list(struct store *s, struct arena *a, const char *writer_id,
			     struct member_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_BLOCK_LIST, &p);
	if (!r)
		return STORE_ERROR;
	pg_read_members(a, r, rows, n);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_muted_get(struct store *s, struct arena *a, const char *writer_id,
			    const char ***phrases, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	return pg_texts(s, a, SQL_MUTED_GET, &p, phrases, n);
}

enum store_err pg_muted_set(struct store *s, const char *writer_id, const char *const *phrases,
			    size_t n)
{
	struct pg_params clr = {0};
	pp_text(&clr, writer_id);
	if (pg_begin(s))
		return STORE_ERROR;
	PGresult *l = pg_run(s, SQL_MUTED_LOCK, &clr);
	PQclear(l);
	if (!l || pg_write(s, SQL_MUTED_CLEAR, &clr, NULL))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct pg_params add = {0};
		pp_text(&add, writer_id);
		pp_text(&add, phrases[i]);
		if (pg_write(s, SQL_MUTED_ADD, &add, NULL))
			goto fail;
	}
	return pg_commit(s);
fail:
	pg_rollback(s);
	return STORE_ERROR;
}

enum store_err pg_response_defaults(struct store *s, struct arena *a, const char *user_id,
				    const char **responses, const char **responders)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	PGresult *r = pg_run(s, SQL_DEFAULTS, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		*responses = pg_text(a, r, 0, 0);
		*responders = pg_text(a, r, 0, 1);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_response_defaults_set(struct store *s, const char *user_id,
					const char *responses, const char *responders)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, responses);
	pp_text(&p, responders);
	return pg_write(s, SQL_DEFAULTS_SET, &p, NULL);
}

/* Old events are dropped now and then (about one add in 97, as SQLite
 * does), so the table stays a day long. */
enum store_err pg_rate_add(struct store *s, const char *scope, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, scope);
	pp_int(&p, now);
	enum store_err e = pg_write(s, SQL_RATE_ADD, &p, NULL);
	if (!e && (now % 97) == 0) {
		struct pg_params q = {0};
		pp_int(&q, now - 86400);
		e = pg_write(s, SQL_RATE_PRUNE, &q, NULL);
	}
	return e;
}

enum store_err pg_rate_count(struct store *s, const char *scope, int64_t since, int64_t *count,
			     int64_t *oldest)
{
	struct pg_params p = {0};
	pp_text(&p, scope);
	pp_int(&p, since);
	PGresult *r = pg_run(s, SQL_RATE_COUNT, &p);
	if (!r)
		return STORE_ERROR;
	*count = pg_int(r, 0, 0);
	*oldest = pg_int(r, 0, 1);
	PQclear(r);
	return STORE_OK;
}
