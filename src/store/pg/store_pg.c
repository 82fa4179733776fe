/*
 * store_pg.c - the PostgreSQL backend of store.h: connection, migrations,
 * transactions, settings, users, sessions, invitations and stories.
 *
 * One connection per thread (as with SQLite). Every write is acknowledged
 * only after PostgreSQL committed it with synchronous_commit = on (set
 * for each connection, whatever the server's default). Statements are
 * static strings prepared once per connection (pg_int.h); values are
 * always parameters, never spliced.
 *
 * The visibility rule for listings lives here once, as PG_AUDIENCE_SQL
 * (pg_int.h); the conformance suite checks it against
 * audience_may_see_story().
 */
#include "store/pg/pg_int.h"
#include "core/embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- connection and migrations ---- */

static int migration_number(const char *name)
{
	char *end;
	long n = strtol(name, &end, 10);
	return (end != name && *end == '_' && n > 0 && n < 100000) ? (int)n : -1;
}

/* Run a migration script (several statements): the simple protocol. */
static bool run_script(struct pg_store *q, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(q->conn, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
	PQclear(r);
	return ok;
}

static int schema_version(struct pg_store *q)
{
	PGresult *r = PQexec(q->conn, "SELECT max(version) FROM schema_version");
	int v = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
			!PQgetisnull(r, 0, 0) ?
		(int)strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return v;
}

/* Apply pending migrations in number order, each in its own transaction
 * under an advisory lock, so that app servers starting together migrate
 * once. */
static enum store_err migrate(struct pg_store *q, char *err, size_t errlen)
{
	if (!run_script(q, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
			   "applied_at BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint)",
			err, errlen))
		return STORE_ERROR;
	int version = schema_version(q);
	for (int want = version + 1;; want++) {
		const struct embedded_file *m = NULL;
		for (unsigned long i = 0; i < embedded_pg_migrations_count; i++)
			if (migration_number(embedded_pg_migrations[i].name) == want)
				m = &embedded_pg_migrations[i];
		if (!m)
			break;
		if (!run_script(q, "BEGIN; SELECT pg_advisory_xact_lock(7151)", err, errlen))
			return STORE_ERROR;
		int now = schema_version(q);
		if (now >= want) {
			version = now;
			if (!run_script(q, "COMMIT", err, errlen))
				return STORE_ERROR;
			want = now;
			continue;
		}
		char mark[96];
		snprintf(mark, sizeof(mark), "INSERT INTO schema_version(version) VALUES (%d)", want);
		if (!run_script(q, (const char *)m->data, err, errlen) ||
		    !run_script(q, mark, err, errlen) || !run_script(q, "COMMIT", err, errlen)) {
			char tmp[512];
			snprintf(tmp, sizeof(tmp), "migration %s: %s", m->name, err);
			snprintf(err, errlen, "%s", tmp);
			PQclear(PQexec(q->conn, "ROLLBACK"));
			return STORE_ERROR;
		}
		version = want;
	}
	q->version = version;
	return STORE_OK;
}

/* libpq prints server notices (e.g. "relation already exists, skipping")
 * on stderr by default; they are not errors. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

enum store_err pg_open(const char *url, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	struct pg_store *q = calloc(1, sizeof(*q));
	if (!q || !(q->url = strdup(url))) {
		free(q);
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	q->base.be = &store_pg_backend;
	if (!pq_dl_open(err, errlen)) {
		free(q->url);
		free(q);
		return STORE_ERROR;
	}
	/* A database that does not answer must not hold a worker forever:
	 * a connect timeout unless the URL sets its own (later keywords win,
	 * and the URL is expanded last). */
	const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *const vals[] = {"5", "quire", url, NULL};
	q->conn = PQconnectdbParams(keys, vals, 1);
	if (!q->conn || PQstatus(q->conn) != CONNECTION_OK) {
		const char *m = q->conn ? PQerrorMessage(q->conn) : "out of memory";
		snprintf(err, errlen, "cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"), m);
		pg_close(&q->base);
		return STORE_ERROR;
	}
	PQsetNoticeProcessor(q->conn, quiet_notice, NULL);
	/* The durability promise of the SQLite backend (synchronous = FULL):
	 * a commit returns only once it is on disk. */
	if (!run_script(q, "SET synchronous_commit = on; SET client_encoding = 'UTF8'; "
			   "SET TIME ZONE 'UTC'; SET statement_timeout = '30s'; "
			   "SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s'",
			err, errlen) ||
	    migrate(q, err, errlen) || pg_listen(&q->base)) {
		if (!*err)
			snprintf(err, errlen, "cannot prepare the connection");
		pg_close(&q->base);
		return STORE_ERROR;
	}
	*out = &q->base;
	return STORE_OK;
}

void pg_close(struct store *s)
{
	if (!s)
		return;
	PQfinish(PG(s)->conn);
	for (size_t i = 0; i < sizeof(PG(s)->columns) / sizeof(PG(s)->columns[0]); i++)
		free(PG(s)->columns[i]);
	free(PG(s)->url);
	free(PG(s));
}

int pg_schema_version(struct store *s)
{
	return PG(s)->version;
}

static const char SQL_PING[] = "SELECT 1";

enum store_err pg_ping(struct store *s)
{
	PGresult *r = pg_run(s, SQL_PING, NULL);
	PQclear(r);
	return r ? STORE_OK : STORE_ERROR;
}

/* Reads of one request run on autocommit snapshots: each statement sees
 * everything committed before it, and a page costs no BEGIN/COMMIT round
 * trips. */
void pg_read_begin(struct store *s)
{
	(void)s;
}

void pg_read_end(struct store *s)
{
	(void)s;
}

enum store_err pg_begin(struct store *s)
{
	struct pg_store *q = PG(s);
	if (q->txn_depth > 0) {
		fprintf(stderr, "quire: store: nested transaction\n");
		return STORE_ERROR;
	}
	/* The rules were written for SQLite's one writer at a time: a
	 * transaction that reads, then writes, sees nothing slip in between.
	 * One transaction-level advisory lock gives every explicit
	 * transaction the same, across every app server (autocommit
	 * statements do not take it). One round trip. */
	if (pg_exec(s, "BEGIN; SELECT pg_advisory_xact_lock(" PG_LOCK_WRITER ")"))
		return STORE_ERROR;
	q->txn_depth = 1;
	q->txn_failed = false;
	return STORE_OK;
}

enum store_err pg_commit(struct store *s)
{
	struct pg_store *q = PG(s);
	if (q->txn_depth == 0)
		return STORE_ERROR;
	q->txn_depth = 0;
	if (q->txn_failed) {
		pg_exec(s, "ROLLBACK");
		return STORE_ERROR;
	}
	PGresult *r = PQexec(q->conn, "COMMIT");
	/* COMMIT of a failed transaction answers ROLLBACK, not an error. */
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK &&
		  strcmp(PQcmdStatus(r), "COMMIT") == 0;
	if (!ok)
		fprintf(stderr, "quire: store: commit failed: %s",
			r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
	PQclear(r);
	if (ok)
		pg_count_write(s);
	return ok ? STORE_OK : STORE_ERROR;
}

void pg_rollback(struct store *s)
{
	struct pg_store *q = PG(s);
	if (q->txn_depth == 0)
		return;
	q->txn_depth = 0;
	q->txn_failed = false;
	if (PQstatus(q->conn) == CONNECTION_OK)
		PQclear(PQexec(q->conn, "ROLLBACK"));
}

/* ---- settings ---- */

static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE key = $1";
static const char SQL_SETTING_SET[] =
	"INSERT INTO settings(key, value) VALUES ($1, $2) "
	"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_SETTING_INIT[] =
	"INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

enum store_err pg_setting_get(struct store *s, struct arena *a, const char *key, char **val)
{
	struct pg_params p = {0};
	pp_text(&p, key);
	PGresult *r = pg_run(s, SQL_SETTING_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		*val = (char *)pg_text(a, r, 0, 0);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_setting_set(struct store *s, const char *key, const char *val)
{
	struct pg_params p = {0};
	pp_text(&p, key);
	pp_text(&p, val);
	return pg_write(s, SQL_SETTING_SET, &p, NULL);
}

enum store_err pg_setting_init(struct store *s, struct arena *a, const char *key,
			       const char *proposed, char **val)
{
	struct pg_params p = {0};
	pp_text(&p, key);
	pp_text(&p, proposed);
	enum store_err e = pg_write(s, SQL_SETTING_INIT, &p, NULL);
	return e ? e : pg_setting_get(s, a, key, val);
}

/* ---- users ---- */

static const char SQL_USER_INSERT[] =
	"INSERT INTO users(id, handle, name, bio, password_hash, is_admin, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_USER_BY_HANDLE[] =
	"SELECT " PG_USER_COLS("u") " FROM users u WHERE u.handle = $1";
static const char SQL_USER_BY_ID[] = "SELECT " PG_USER_COLS("u") " FROM users u WHERE u.id = $1";
static const char SQL_USER_COUNT[] = "SELECT count(*) FROM users";
static const char SQL_USER_PROFILE[] = "UPDATE users SET name = $2, bio = $3 WHERE id = $1";
static const char SQL_USER_TIME_ZONE[] = "UPDATE users SET time_zone = $2 WHERE id = $1";

enum store_err pg_user_insert(struct store *s, const struct user_row *u)
{
	struct pg_params p = {0};
	pp_text(&p, u->id);
	pp_text(&p, u->handle);
	pp_text(&p, u->name);
	pp_text(&p, u->bio ? u->bio : "");
	pp_text(&p, u->password_hash);
	pp_bool(&p, u->is_admin);
	pp_int(&p, u->created_at);
	return pg_write(s, SQL_USER_INSERT, &p, NULL);
}

static enum store_err user_read(struct store *s, struct arena *a, const char *sql,
				const char *key, struct user_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, key);
	PGresult *r = pg_run(s, sql, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		pg_read_user(a, r, 0, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_user_by_handle(struct store *s, struct arena *a, const char *handle,
				 struct user_row *out)
{
	return user_read(s, a, SQL_USER_BY_HANDLE, handle, out);
}

enum store_err pg_user_by_id(struct store *s, struct arena *a, const char *id,
			     struct user_row *out)
{
	return user_read(s, a, SQL_USER_BY_ID, id, out);
}

enum store_err pg_user_count(struct store *s, int64_t *n)
{
	PGresult *r = pg_run(s, SQL_USER_COUNT, NULL);
	if (!r)
		return STORE_ERROR;
	*n = pg_int(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_user_update_profile(struct store *s, const char *id, const char *name,
				      const char *bio)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, name);
	pp_text(&p, bio);
	return pg_write(s, SQL_USER_PROFILE, &p, NULL);
}

enum store_err pg_user_set_time_zone(struct store *s, const char *id, const char *zone)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, zone);
	return pg_write(s, SQL_USER_TIME_ZONE, &p, NULL);
}

/* ---- sessions ---- */

static const char SQL_SESSION_INSERT[] =
	"INSERT INTO sessions(token_hash, user_id, kind, created_at, last_seen, expires_at) "
	"VALUES ($1, $2, $3, $4, $4, $5)";
static const char SQL_SESSION_USER[] =
	"SELECT s.user_id, s.kind, s.created_at, s.last_seen, s.expires_at, " PG_USER_COLS("u")
	" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE token_hash = $1";
static const char SQL_SESSION_PRUNE[] = "DELETE FROM sessions WHERE expires_at <= $1";

enum store_err pg_session_insert(struct store *s, const char *token_hash, const char *user_id,
				 const char *kind, int64_t now, int64_t expires_at)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	pp_text(&p, user_id);
	pp_text(&p, kind);
	pp_int(&p, now);
	pp_int(&p, expires_at);
	return pg_write(s, SQL_SESSION_INSERT, &p, NULL);
}

enum store_err pg_session_user(struct store *s, struct arena *a, const char *token_hash,
			       struct session_row *sess, struct user_row *user)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	PGresult *r = pg_run(s, SQL_SESSION_USER, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		sess->user_id = pg_text(a, r, 0, 0);
		sess->kind = pg_text(a, r, 0, 1);
		sess->created_at = pg_int(r, 0, 2);
		sess->last_seen = pg_int(r, 0, 3);
		sess->expires_at = pg_int(r, 0, 4);
		pg_read_user(a, r, 0, 5, user);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_session_touch(struct store *s, const char *token_hash, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	pp_int(&p, now);
	return pg_write(s, SQL_SESSION_TOUCH, &p, NULL);
}

enum store_err pg_session_delete(struct store *s, const char *token_hash)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	return pg_write(s, SQL_SESSION_DELETE, &p, NULL);
}

enum store_err pg_session_prune(struct store *s, int64_t now)
{
	struct pg_params p = {0};
	pp_int(&p, now);
	return pg_write(s, SQL_SESSION_PRUNE, &p, NULL);
}

/* ---- invites ---- */

static const char SQL_INVITE_INSERT[] =
	"INSERT INTO invites(token_hash, created_by, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4)";
static const char SQL_INVITE_CHECK[] =
	"SELECT 1 FROM invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
static const char SQL_INVITE_USE[] =
	"UPDATE invites SET used_by = $2, used_at = $3 WHERE token_hash = $1 "
	"AND used_at IS NULL AND expires_at > $3";

enum store_err pg_invite_insert(struct store *s, const char *token_hash, const char *by,
				int64_t now, int64_t expires_at)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	pp_text(&p, by);
	pp_int(&p, now);
	pp_int(&p, expires_at);
	return pg_write(s, SQL_INVITE_INSERT, &p, NULL);
}

enum store_err pg_invite_check(struct store *s, const char *token_hash, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	pp_int(&p, now);
	PGresult *r = pg_run(s, SQL_INVITE_CHECK, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = PQntuples(r) ? STORE_OK : STORE_NOT_FOUND;
	PQclear(r);
	return e;
}

enum store_err pg_invite_use(struct store *s, const char *token_hash, const char *user_id,
			     int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, token_hash);
	pp_text(&p, user_id);
	pp_int(&p, now);
	return pg_write_one(s, SQL_INVITE_USE, &p);
}

/* ---- stories ---- */

static const char SQL_STORY_INSERT[] =
	"INSERT INTO stories(id, author_id, slug, title, subtitle, body, body_html, excerpt, "
	"word_count, status, published_at, created_at, updated_at, edited_at, audience, "
	"circle_id, content_note, share_key, responses, responders, search_text, canonical_url) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULLIF($11::bigint, 0), $12, $13, "
	"NULLIF($14::bigint, 0), $15, NULLIF($16, ''), $17, NULLIF($18, ''), $19, $20, $21, $22)";
/* The insert's parameters; $12 (created_at) is not written, only named
 * so that PostgreSQL knows every parameter's type. */
static const char SQL_STORY_UPDATE[] =
	"UPDATE stories SET slug = $3, title = $4, subtitle = $5, body = $6, body_html = $7, "
	"excerpt = $8, word_count = $9, status = $10, published_at = NULLIF($11::bigint, 0), "
	"updated_at = $13, edited_at = NULLIF($14::bigint, 0), audience = $15, "
	"circle_id = NULLIF($16, ''), content_note = $17, share_key = NULLIF($18, ''), "
	"responses = $19, responders = $20, search_text = COALESCE($21, search_text) "
	"WHERE id = $1 AND author_id = $2 AND deleted_at IS NULL AND $12::bigint IS NOT NULL";
static const char SQL_STORY_GET[] =
	"SELECT " PG_STORY_COLS " FROM stories s JOIN users u ON u.id = s.author_id "
	"WHERE s.id = $1 AND s.deleted_at IS NULL";
static const char SQL_STORY_BY_SLUG[] =
	"SELECT " PG_STORY_COLS " FROM stories s JOIN users u ON u.id = s.author_id "
	"WHERE s.author_id = $1 AND s.slug = $2 AND s.deleted_at IS NULL";
static const char SQL_STORY_OLD_SLUG[] =
	"SELECT ss.story_id FROM story_slugs ss JOIN stories s ON s.id = ss.story_id "
	"WHERE ss.author_id = $1 AND ss.slug = $2 AND s.deleted_at IS NULL";
static const char SQL_STORY_SLUG_TAKEN[] =
	"SELECT EXISTS (SELECT 1 FROM stories WHERE author_id = $1 AND slug = $2 AND id <> $3) "
	"OR EXISTS (SELECT 1 FROM story_slugs WHERE author_id = $1 AND slug = $2 "
	"AND story_id <> $3)";
static const char SQL_STORY_SLUG_REMEMBER[] =
	"INSERT INTO story_slugs(author_id, slug, story_id) VALUES ($1, $2, $3) "
	"ON CONFLICT (author_id, slug) DO UPDATE SET story_id = excluded.story_id";
static const char SQL_STORY_BY_KEY[] =
	"SELECT " PG_STORY_COLS " FROM stories s JOIN users u ON u.id = s.author_id "
	"WHERE s.share_key = $1 AND s.deleted_at IS NULL";
static const char SQL_STORY_DELETE[] =
	"UPDATE stories SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL";
static const char SQL_SHARE_KEY_SET[] =
	"UPDATE stories SET share_key = $3 WHERE id = $1 AND author_id = $2 AND "
	"audience = 'unlisted' AND deleted_at IS NULL";

/* Every listing: the audience rule, then optional filters, newest first,
 * keyset-paginated. who narrows it to one writer or to anyone. $1 viewer
 * ('' anonymous), $2 author, $3 published only, $4 public only, $5 tag,
 * $6 followed by, $7 before_at, $8 before_id, $9 limit, $10 circle stories only. */
#define STORY_LIST_SQL(who)                                                                    \
	"SELECT " PG_STORY_COLS " FROM stories s JOIN users u ON u.id = s.author_id WHERE "    \
	PG_AUDIENCE_SQL("$1::text") " AND (" who ")"                                           \
	" AND (NOT $3::boolean OR s.status = 'published')"                                     \
	" AND (NOT $4::boolean OR (s.audience = 'public' AND s.status = 'published'))"         \
	" AND (NOT $10::boolean OR (s.audience = 'circle' AND s.author_id <> $1::text))"       \
	" AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM story_tags t WHERE t.story_id = s.id" \
	" AND t.tag = $5))"                                                                    \
	" AND ($6::text IS NULL OR s.author_id IN (SELECT f.writer_id FROM follows f"          \
	" WHERE f.follower_id = $6))"                                                          \
	" AND ($7::bigint = 0 OR COALESCE(s.published_at, s.created_at) < $7"                  \
	" OR (COALESCE(s.published_at, s.created_at) = $7 AND s.id < $8::text))"               \
	" ORDER BY COALESCE(s.published_at, s.created_at) DESC, s.id DESC"                     \
	" LIMIT $9"
static const char SQL_STORY_LIST[] = STORY_LIST_SQL("$2::text IS NULL");
static const char SQL_STORY_LIST_AUTHOR[] = STORY_LIST_SQL("s.author_id = $2::text");

static void story_params(struct pg_params *p, const struct story_row *r)
{
	pp_text(p, r->id);
	pp_text(p, r->author_id);
	pp_text(p, r->slug);
	pp_text(p, r->title);
	pp_text(p, r->subtitle ? r->subtitle : "");
	pp_text(p, r->body ? r->body : "");
	pp_text(p, r->body_html ? r->body_html : "");
	pp_text(p, r->excerpt ? r->excerpt : "");
	pp_int(p, r->word_count);
	pp_text(p, story_status_name(r->status));
	pp_int(p, r->published_at);
	pp_int(p, r->created_at);
	pp_int(p, r->updated_at);
	pp_int(p, r->edited_at);
	pp_text(p, story_audience_name(r->audience));
	pp_text(p, r->circle_id);
	pp_text(p, r->content_note ? r->content_note : "");
	pp_text(p, r->share_key);
	pp_text(p, r->responses ? r->responses : "open");
	pp_text(p, r->responders ? r->responders : "signed_in");
	pp_text(p, r->search_text); /* NULL: an update keeps the stored text */
}

enum store_err pg_story_insert(struct store *s, const struct story_row *r)
{
	struct pg_params p = {0};
	story_params(&p, r);
	pp_text(&p, r->canonical_url ? r->canonical_url : "");
	enum store_err e = pg_write(s, SQL_STORY_INSERT, &p, NULL);
	return e ? e : pg_fts_refresh(s, r->id);
}

enum store_err pg_story_update(struct store *s, const struct story_row *r)
{
	struct pg_params p = {0};
	story_params(&p, r);
	int64_t n = 0;
	enum store_err e = pg_write(s, SQL_STORY_UPDATE, &p, &n);
	if (!e && n == 0)
		e = STORE_NOT_FOUND;
	return e ? e : pg_fts_refresh(s, r->id);
}

static enum store_err story_one(struct store *s, const char *sql, struct pg_params *p,
				struct arena *a, struct story_row *out)
{
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		pg_read_story(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_story_get(struct store *s, struct arena *a, const char *id,
			    struct story_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	return story_one(s, SQL_STORY_GET, &p, a, out);
}

enum store_err pg_story_by_slug(struct store *s, struct arena *a, const char *author_id,
				const char *slug, struct story_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, author_id);
	pp_text(&p, slug);
	return story_one(s, SQL_STORY_BY_SLUG, &p, a, out);
}

enum store_err pg_story_by_share_key(struct store *s, struct arena *a, const char *key,
				     struct story_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, key);
	return story_one(s, SQL_STORY_BY_KEY, &p, a, out);
}

enum store_err pg_story_old_slug(struct store *s, const char *author_id, const char *slug,
				 char story_id[17])
{
	struct pg_params p = {0};
	pp_text(&p, author_id);
	pp_text(&p, slug);
	PGresult *r = pg_run(s, SQL_STORY_OLD_SLUG, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		pg_id(story_id, r, 0, 0);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_story_slug_taken(struct store *s, const char *author_id, const char *slug,
				   const char *except_id, bool *taken)
{
	struct pg_params p = {0};
	pp_text(&p, author_id);
	pp_text(&p, slug);
	pp_text(&p, except_id ? except_id : "");
	PGresult *r = pg_run(s, SQL_STORY_SLUG_TAKEN, &p);
	if (!r)
		return STORE_ERROR;
	*taken = pg_bool(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_story_slug_remember(struct store *s, const char *author_id, const char *slug,
				      const char *story_id)
{
	struct pg_params p = {0};
	pp_text(&p, author_id);
	pp_text(&p, slug);
	pp_text(&p, story_id);
	return pg_write(s, SQL_STORY_SLUG_REMEMBER, &p, NULL);
}

enum store_err pg_story_share_key_set(struct store *s, const char *id, const char *author_id,
				      const char *key)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, author_id);
	pp_text(&p, key);
	return pg_write_one(s, SQL_SHARE_KEY_SET, &p);
}

enum store_err pg_story_delete(struct store *s, const char *id, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_int(&p, now);
	return pg_write_one(s, SQL_STORY_DELETE, &p);
}

enum store_err pg_story_list(struct store *s, struct arena *a, const struct story_query *q,
			     struct story_list *out)
{
	out->items = NULL;
	out->n = 0;
	out->more = false;
	int limit = q->limit < 1 ? 20 : q->limit > 100 ? 100 : q->limit;
	struct pg_params p = {0};
	pp_text(&p, q->viewer_id ? q->viewer_id : "");
	pp_text(&p, q->author_id);
	pp_bool(&p, q->published_only);
	pp_bool(&p, q->public_only);
	pp_text(&p, q->tag);
	pp_text(&p, q->followed_by);
	pp_int(&p, q->before_at);
	pp_text(&p, q->before_id ? q->before_id : "");
	pp_int(&p, limit + 1);
	pp_bool(&p, q->circle_only);
	PGresult *r = pg_run(s, q->author_id ? SQL_STORY_LIST_AUTHOR : SQL_STORY_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	out->items = arena_alloc(a, (size_t)(limit + 1) * sizeof(*out->items));
	for (int i = 0; i < nt; i++) {
		if (out->n == (size_t)limit) {
			out->more = true;
			break;
		}
		pg_read_story(a, r, i, &out->items[out->n++]);
	}
	PQclear(r);
	return STORE_OK;
}

/* ---- the backend ---- */

const struct store_backend store_pg_backend = {
	.scheme = "postgres",
	.open = pg_open,
	.close = pg_close,
#define STORE_FN(ret, name, params, args) .name = pg_##name,
#define STORE_FN_VOID(name, params, args) .name = pg_##name,
#define STORE_FN_OWN STORE_FN
#include "store/store_fns.h"
#undef STORE_FN
#undef STORE_FN_VOID
#undef STORE_FN_OWN
};
