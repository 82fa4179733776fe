/*
 * store_fed.c - the SQLite side of store_fed.h: federation (issue 20),
 * each writer's key pair.
 */
#include "store/sqlite/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_FED_KEY_GET[] =
	"SELECT public_pem, private_pem FROM fed_keys WHERE user_id = ?1";
/* First writer wins: a pair that is there already stays. */
static const char SQL_FED_KEY_INIT[] =
	"INSERT INTO fed_keys(user_id, public_pem, private_pem, created_at) "
	"VALUES (?1, ?2, ?3, ?4) ON CONFLICT(user_id) DO NOTHING";

enum store_err sq_fed_key_get(struct store *s, struct arena *a, const char *user_id,
			      const char **public_pem, const char **private_pem)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FED_KEY_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*public_pem = col_text(a, st, 0);
		*private_pem = col_text(a, st, 1);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_fed_key_init(struct store *s, struct arena *a, const char *user_id,
			       const char *proposed_public, const char *proposed_private,
			       int64_t now, const char **public_pem, const char **private_pem)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FED_KEY_INIT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, proposed_public);
	bind_text(st, 3, proposed_private);
	sqlite3_bind_int64(st, 4, now);
	enum store_err e = exec_write(s, st);
	if (e)
		return e;
	return sq_fed_key_get(s, a, user_id, public_pem, private_pem);
}

static const char SQL_FED_COUNTS[] =
	"SELECT (SELECT count(*) FROM users WHERE suspended_at = 0), "
	"(SELECT count(*) FROM stories s JOIN users u ON u.id = s.author_id "
	"WHERE s.deleted_at IS NULL AND s.status = 'published' AND s.audience = 'public' AND "
	"u.suspended_at = 0 AND (?1 = '' OR s.author_id = ?1))";

enum store_err sq_fed_counts(struct store *s, const char *author_id, int64_t *users,
			     int64_t *public_stories)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FED_COUNTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id ? author_id : "");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (users)
			*users = sqlite3_column_int64(st, 0);
		if (public_stories)
			*public_stories = sqlite3_column_int64(st, 1);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

/* A statement that must touch a row: NOT_FOUND when it touched none. */
static enum store_err write_one(struct store *s, sqlite3_stmt *st)
{
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

/* ---- remote actors ---- */
#define ACTOR_COLS "id, key_id, public_pem, inbox, shared_inbox, handle, name, fetched_at"
static const char SQL_ACTOR_DROP_KEY[] = "DELETE FROM fed_actors WHERE key_id = ?2 AND id <> ?1";
static const char SQL_ACTOR_PUT[] =
	"INSERT INTO fed_actors(" ACTOR_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	"ON CONFLICT(id) DO UPDATE SET key_id = excluded.key_id, public_pem = excluded.public_pem, "
	"inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, handle = excluded.handle, "
	"name = excluded.name, fetched_at = excluded.fetched_at";
static const char SQL_ACTOR_GET[] = "SELECT " ACTOR_COLS " FROM fed_actors WHERE id = ?1";
static const char SQL_ACTOR_BY_KEY[] = "SELECT " ACTOR_COLS " FROM fed_actors WHERE key_id = ?1";

enum store_err sq_fed_actor_put(struct store *s, const struct fed_actor_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_ACTOR_DROP_KEY);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->key_id);
	enum store_err e = exec_write(s, st);
	if (e)
		return e;
	if (!(st = stmt_cached(s, SQL_ACTOR_PUT)))
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->key_id);
	bind_text(st, 3, r->public_pem);
	bind_text(st, 4, r->inbox);
	bind_text(st, 5, r->shared_inbox ? r->shared_inbox : "");
	bind_text(st, 6, r->handle ? r->handle : "");
	bind_text(st, 7, r->name ? r->name : "");
	sqlite3_bind_int64(st, 8, r->fetched_at);
	return exec_write(s, st);
}

static enum store_err actor_one(struct store *s, struct arena *a, const char *sql, const char *v,
				struct fed_actor_row *o)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, v);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		o->id = col_text(a, st, 0);
		o->key_id = col_text(a, st, 1);
		o->public_pem = col_text(a, st, 2);
		o->inbox = col_text(a, st, 3);
		o->shared_inbox = col_text(a, st, 4);
		o->handle = col_text(a, st, 5);
		o->name = col_text(a, st, 6);
		o->fetched_at = sqlite3_column_int64(st, 7);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_fed_actor_get(struct store *s, struct arena *a, const char *id,
				struct fed_actor_row *out)
{
	return actor_one(s, a, SQL_ACTOR_GET, id, out);
}

enum store_err sq_fed_actor_by_key(struct store *s, struct arena *a, const char *key_id,
				   struct fed_actor_row *out)
{
	return actor_one(s, a, SQL_ACTOR_BY_KEY, key_id, out);
}

/* ---- followers ---- */
static const char SQL_FOLLOWER_ADD[] =
	"INSERT INTO fed_followers(writer_id, actor_id, follow_id, inbox, shared_inbox, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(writer_id, actor_id) DO UPDATE SET "
	"follow_id = excluded.follow_id, inbox = excluded.inbox, "
	"shared_inbox = excluded.shared_inbox";
static const char SQL_FOLLOWER_REMOVE[] =
	"DELETE FROM fed_followers WHERE writer_id = ?1 AND actor_id = ?2 AND "
	"(?3 = '' OR follow_id = ?3)";
static const char SQL_FOLLOWERS[] =
	"SELECT writer_id, actor_id, follow_id, inbox, shared_inbox, created_at FROM fed_followers "
	"WHERE writer_id = ?1 ORDER BY created_at DESC, actor_id LIMIT ?2";
static const char SQL_FOLLOWER_COUNT[] = "SELECT count(*) FROM fed_followers WHERE writer_id = ?1";

enum store_err sq_fed_follower_add(struct store *s, const struct fed_follower_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOWER_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->writer_id);
	bind_text(st, 2, r->actor_id);
	bind_text(st, 3, r->follow_id);
	bind_text(st, 4, r->inbox);
	bind_text(st, 5, r->shared_inbox ? r->shared_inbox : "");
	sqlite3_bind_int64(st, 6, r->created_at);
	return exec_write(s, st);
}

enum store_err sq_fed_follower_remove(struct store *s, const char *writer_id, const char *actor_id,
				      const char *follow_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOWER_REMOVE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, actor_id);
	bind_text(st, 3, follow_id ? follow_id : "");
	return write_one(s, st);
}

enum store_err sq_fed_followers(struct store *s, struct arena *a, const char *writer_id,
				size_t max, struct fed_follower_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOWERS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fed_follower_row *o = &(*rows)[(*n)++];
		col_id(o->writer_id, st, 0);
		o->actor_id = col_text(a, st, 1);
		o->follow_id = col_text(a, st, 2);
		o->inbox = col_text(a, st, 3);
		o->shared_inbox = col_text(a, st, 4);
		o->created_at = sqlite3_column_int64(st, 5);
	}
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

static enum store_err count_of(struct store *s, const char *sql, const char *v, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	if (v)
		bind_text(st, 1, v);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

enum store_err sq_fed_follower_count(struct store *s, const char *writer_id, int64_t *n)
{
	return count_of(s, SQL_FOLLOWER_COUNT, writer_id, n);
}

/* ---- activities seen ---- */
static const char SQL_SEEN_ADD[] = "INSERT INTO fed_seen(activity_id, seen_at) VALUES (?1, ?2)";
static const char SQL_SEEN_PRUNE[] = "DELETE FROM fed_seen WHERE seen_at < ?1";

enum store_err sq_fed_seen_add(struct store *s, const char *activity_id, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SEEN_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, activity_id);
	sqlite3_bind_int64(st, 2, now);
	return exec_write(s, st);
}

enum store_err sq_fed_seen_prune(struct store *s, int64_t before)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SEEN_PRUNE);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, before);
	return exec_write(s, st);
}

/* ---- deliveries ---- */
#define DLV_COLS \
	"id, writer_id, kind, story_id, inbox, domain, payload, status, attempts, next_at, " \
	"created_at, sent_at, last_error"
/* The host of an inbox URL, in SQL: between "://" and the next "/". */
#define HOST_OF(u) \
	"substr(substr(" u ", instr(" u ", '://') + 3), 1, " \
	"instr(substr(" u ", instr(" u ", '://') + 3) || '/', '/') - 1)"
static const char SQL_DLV_ADD[] =
	"INSERT INTO fed_deliveries(" DLV_COLS ", claimed_by, lease_until) VALUES (?1, ?2, ?3, ?4, "
	"?5, ?6, ?7, 'queued', 0, ?8, ?9, 0, '', '', 0)";
static const char SQL_DLV_FANOUT[] =
	"INSERT INTO fed_deliveries(" DLV_COLS ", claimed_by, lease_until) "
	"SELECT lower(hex(randomblob(8))), ?1, ?2, ?3, t.inbox, " HOST_OF("t.inbox") ", ?4, "
	"'queued', 0, ?5, ?5, 0, '', '', 0 FROM (SELECT DISTINCT CASE WHEN shared_inbox <> '' "
	"THEN shared_inbox ELSE inbox END AS inbox FROM fed_followers WHERE writer_id = ?1) t";
/* One writer at a time on SQLite: choosing and claiming in one statement
 * leaves no gap for another sender. */
/* ?5 per host (0: no limit): a due row is the rn-th of its host's due
 * rows, and is claimed only while rn plus the host's rows other
 * senders hold (leased, still queued) stays within it. SQLite's one
 * writer makes the count and the claim one step. */
static const char SQL_DLV_CLAIM[] =
	"WITH held AS (SELECT domain, count(*) AS n FROM fed_deliveries WHERE status = 'queued' "
	"AND lease_until > ?2 GROUP BY domain), "
	"due AS (SELECT id, domain, next_at, created_at, row_number() OVER (PARTITION BY domain "
	"ORDER BY next_at, created_at, id) AS rn FROM fed_deliveries WHERE status = 'queued' AND "
	"next_at <= ?2 AND lease_until <= ?2) "
	"UPDATE fed_deliveries SET claimed_by = ?1, lease_until = ?3 WHERE id IN (SELECT due.id "
	"FROM due LEFT JOIN held ON held.domain = due.domain WHERE ?5 = 0 OR "
	"due.rn + COALESCE(held.n, 0) <= ?5 ORDER BY due.next_at, due.created_at, due.id "
	"LIMIT ?4) RETURNING " DLV_COLS;
static const char SQL_DLV_RELEASE[] =
	"UPDATE fed_deliveries SET lease_until = 0, claimed_by = '' WHERE claimed_by = ?1 AND "
	"status = 'queued'";
static const char SQL_DLV_SENT[] =
	"UPDATE fed_deliveries SET status = 'sent', sent_at = ?2, payload = '', lease_until = 0, "
	"claimed_by = '', last_error = '' WHERE id = ?1";
static const char SQL_DLV_RETRY[] =
	"UPDATE fed_deliveries SET attempts = attempts + 1, next_at = ?2, last_error = ?3, "
	"lease_until = 0, claimed_by = '' WHERE id = ?1 AND status = 'queued'";
static const char SQL_DLV_FAIL[] =
	"UPDATE fed_deliveries SET status = 'failed', attempts = attempts + 1, sent_at = ?2, "
	"last_error = ?3, payload = '', lease_until = 0, claimed_by = '' WHERE id = ?1";
static const char SQL_DLV_LIST[] =
	"SELECT " DLV_COLS " FROM fed_deliveries WHERE (?1 = '' OR writer_id = ?1) "
	"ORDER BY created_at DESC, id DESC LIMIT ?2";
static const char SQL_DLV_COUNTS[] =
	"SELECT COALESCE(sum(status = 'queued'), 0), COALESCE(sum(status = 'sent'), 0), "
	"COALESCE(sum(status = 'failed'), 0) FROM fed_deliveries";

static void read_dlv(struct arena *a, sqlite3_stmt *st, struct fed_delivery_row *r)
{
	col_id(r->id, st, 0);
	col_id(r->writer_id, st, 1);
	r->kind = col_text(a, st, 2);
	col_id(r->story_id, st, 3);
	r->inbox = col_text(a, st, 4);
	r->domain = col_text(a, st, 5);
	r->payload = col_text(a, st, 6);
	r->status = col_text(a, st, 7);
	r->attempts = sqlite3_column_int64(st, 8);
	r->next_at = sqlite3_column_int64(st, 9);
	r->created_at = sqlite3_column_int64(st, 10);
	r->sent_at = sqlite3_column_int64(st, 11);
	r->last_error = col_text(a, st, 12);
}

enum store_err sq_fed_delivery_add(struct store *s, const struct fed_delivery_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DLV_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->writer_id);
	bind_text(st, 3, r->kind);
	bind_text(st, 4, r->story_id);
	bind_text(st, 5, r->inbox);
	bind_text(st, 6, r->domain);
	bind_text(st, 7, r->payload ? r->payload : "");
	sqlite3_bind_int64(st, 8, r->next_at);
	sqlite3_bind_int64(st, 9, r->created_at);
	return exec_write(s, st);
}

enum store_err sq_fed_delivery_fanout(struct store *s, const char *writer_id, const char *kind,
				      const char *story_id, const char *payload, int64_t now,
				      int64_t *n)
{
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_DLV_FANOUT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, kind);
	bind_text(st, 3, story_id ? story_id : "");
	bind_text(st, 4, payload ? payload : "");
	sqlite3_bind_int64(st, 5, now);
	enum store_err e = exec_write(s, st);
	if (!e)
		*n = sqlite3_changes(SQ(s)->db);
	return e;
}

/* Oldest first, as claim promises (RETURNING keeps no order). */
static int dlv_order(const void *x, const void *y)
{
	const struct fed_delivery_row *a = x, *b = y;
	if (a->next_at != b->next_at)
		return a->next_at < b->next_at ? -1 : 1;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

enum store_err sq_fed_delivery_claim(struct store *s, struct arena *a, const char *who,
				     int64_t now, int64_t lease_until, size_t max, size_t per_domain,
				     struct fed_delivery_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!max)
		return STORE_OK;
	sqlite3_stmt *st = stmt_cached(s, SQL_DLV_CLAIM);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, who);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, lease_until);
	sqlite3_bind_int64(st, 4, (int64_t)max);
	sqlite3_bind_int64(st, 5, (int64_t)per_domain);
	struct fed_delivery_row *v = arena_alloc(a, max * sizeof(*v));
	size_t k = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (k < max)
			read_dlv(a, st, &v[k++]);
	done(st);
	if (rc != SQLITE_DONE)
		return err_of(s, rc);
	qsort(v, k, sizeof(*v), dlv_order);
	*rows = v;
	*n = k;
	return STORE_OK;
}

enum store_err sq_fed_delivery_release(struct store *s, const char *who)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DLV_RELEASE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, who);
	return exec_write(s, st);
}

static enum store_err dlv_write(struct store *s, const char *sql, const char *id, int64_t t,
				const char *error)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, t);
	if (error)
		bind_text(st, 3, error);
	return write_one(s, st);
}

enum store_err sq_fed_delivery_sent(struct store *s, const char *id, int64_t now)
{
	return dlv_write(s, SQL_DLV_SENT, id, now, NULL);
}

enum store_err sq_fed_delivery_retry(struct store *s, const char *id, int64_t next_at,
				     const char *error)
{
	return dlv_write(s, SQL_DLV_RETRY, id, next_at, error ? error : "");
}

enum store_err sq_fed_delivery_fail(struct store *s, const char *id, int64_t now,
				    const char *error)
{
	return dlv_write(s, SQL_DLV_FAIL, id, now, error ? error : "");
}

enum store_err sq_fed_deliveries(struct store *s, struct arena *a, const char *writer_id,
				 size_t max, struct fed_delivery_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_DLV_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id ? writer_id : "");
	sqlite3_bind_int64(st, 2, (int64_t)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_dlv(a, st, &(*rows)[(*n)++]);
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

enum store_err sq_fed_delivery_counts(struct store *s, int64_t *queued, int64_t *sent,
				      int64_t *failed)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DLV_COUNTS);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (queued)
			*queued = sqlite3_column_int64(st, 0);
		if (sent)
			*sent = sqlite3_column_int64(st, 1);
		if (failed)
			*failed = sqlite3_column_int64(st, 2);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

static const char SQL_RESPONSES_DELETE[] =
	"DELETE FROM responses WHERE remote_actor = ?1 AND remote_actor <> '' AND "
	"(?2 IS NULL OR remote_note = ?2)";
static const char SQL_FOLLOWS_REMOVE_ACTOR[] = "DELETE FROM fed_followers WHERE actor_id = ?1";
static const char SQL_REQUESTS_REMOVE_ACTOR[] = "DELETE FROM fed_follow_requests WHERE actor_id = ?1";

enum store_err sq_fed_responses_delete(struct store *s, const char *actor_id, const char *note_id,
				       int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_RESPONSES_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, actor_id);
	if (note_id)
		bind_text(st, 2, note_id);
	else
		sqlite3_bind_null(st, 2);
	enum store_err e = exec_write(s, st);
	if (n)
		*n = e ? 0 : sqlite3_changes(SQ(s)->db);
	return e;
}

enum store_err sq_fed_follows_remove_actor(struct store *s, const char *actor_id, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOWS_REMOVE_ACTOR);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, actor_id);
	enum store_err e = exec_write(s, st);
	if (n)
		*n = e ? 0 : sqlite3_changes(SQ(s)->db);
	if (e)
		return e;
	if (!(st = stmt_cached(s, SQL_REQUESTS_REMOVE_ACTOR)))
		return STORE_ERROR;
	bind_text(st, 1, actor_id);
	return exec_write(s, st);
}

static const char SQL_DOMAIN_BLOCK_ADD[] =
	"INSERT INTO fed_blocked_domains(writer_id, domain, created_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_DOMAIN_BLOCK_REMOVE[] =
	"DELETE FROM fed_blocked_domains WHERE writer_id = ?1 AND domain = ?2";
static const char SQL_DOMAIN_BLOCKS[] =
	"SELECT domain FROM fed_blocked_domains WHERE writer_id = ?1 ORDER BY domain LIMIT 5000";
static const char SQL_DOMAIN_BLOCKED[] =
	"SELECT 1 FROM fed_blocked_domains WHERE writer_id = ?1 AND (domain = ?2 OR domain = ?3 "
	"OR substr(?3, -length(domain) - 1) = '.' || domain) LIMIT 1";

/* A writer's blocks, of a domain or of an actor: one (writer, key) row
 * each, added, removed and listed alike. */
static enum store_err block_add(struct store *s, const char *sql, const char *writer_id,
				const char *key, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}

static enum store_err block_remove(struct store *s, const char *sql, const char *writer_id,
				   const char *key)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, key);
	return write_one(s, st);
}

static enum store_err block_list(struct store *s, struct arena *a, const char *sql,
				 const char *writer_id, const char ***keys, size_t *n)
{
	*keys = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	return collect_texts(s, a, st, keys, n);
}

enum store_err sq_fed_domain_block_add(struct store *s, const char *writer_id, const char *domain,
				       int64_t now)
{
	return block_add(s, SQL_DOMAIN_BLOCK_ADD, writer_id, domain, now);
}

enum store_err sq_fed_domain_block_remove(struct store *s, const char *writer_id,
					  const char *domain)
{
	return block_remove(s, SQL_DOMAIN_BLOCK_REMOVE, writer_id, domain);
}

enum store_err sq_fed_domain_blocks(struct store *s, struct arena *a, const char *writer_id,
				    const char ***domains, size_t *n)
{
	return block_list(s, a, SQL_DOMAIN_BLOCKS, writer_id, domains, n);
}

enum store_err sq_fed_domain_blocked(struct store *s, const char *writer_id, const char *host,
				     bool *blocked)
{
	*blocked = false;
	char bare[256];
	snprintf(bare, sizeof(bare), "%s", host ? host : "");
	char *colon = strrchr(bare, ':');
	if (colon && !strchr(bare, ']'))
		*colon = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_DOMAIN_BLOCKED);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, host ? host : "");
	bind_text(st, 3, bare);
	int rc = sqlite3_step(st);
	*blocked = rc == SQLITE_ROW;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

static const char SQL_ACTOR_BLOCK_ADD[] =
	"INSERT INTO fed_blocked_actors(writer_id, actor_id, created_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_ACTOR_BLOCK_REMOVE[] =
	"DELETE FROM fed_blocked_actors WHERE writer_id = ?1 AND actor_id = ?2";
static const char SQL_ACTOR_BLOCKS[] =
	"SELECT actor_id FROM fed_blocked_actors WHERE writer_id = ?1 ORDER BY actor_id LIMIT 5000";
static const char SQL_ACTOR_BLOCKED[] =
	"SELECT 1 FROM fed_blocked_actors b WHERE b.writer_id = ?1 AND (b.actor_id = ?2 OR "
	"b.actor_id IN (SELECT id FROM fed_actors WHERE inbox = ?2)) LIMIT 1";

enum store_err sq_fed_actor_block_add(struct store *s, const char *writer_id, const char *actor_id,
				      int64_t now)
{
	return block_add(s, SQL_ACTOR_BLOCK_ADD, writer_id, actor_id, now);
}

enum store_err sq_fed_actor_block_remove(struct store *s, const char *writer_id,
					 const char *actor_id)
{
	return block_remove(s, SQL_ACTOR_BLOCK_REMOVE, writer_id, actor_id);
}

enum store_err sq_fed_actor_blocks(struct store *s, struct arena *a, const char *writer_id,
				   const char ***actors, size_t *n)
{
	return block_list(s, a, SQL_ACTOR_BLOCKS, writer_id, actors, n);
}

enum store_err sq_fed_actor_blocked(struct store *s, const char *writer_id, const char *url,
				    bool *blocked)
{
	*blocked = false;
	sqlite3_stmt *st = stmt_cached(s, SQL_ACTOR_BLOCKED);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, url ? url : "");
	int rc = sqlite3_step(st);
	*blocked = rc == SQLITE_ROW;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

static const char SQL_APPROVE_GET[] = "SELECT approve_followers FROM fed_settings WHERE writer_id = ?1";
static const char SQL_APPROVE_SET[] =
	"INSERT INTO fed_settings(writer_id, approve_followers) VALUES (?1, ?2) "
	"ON CONFLICT(writer_id) DO UPDATE SET approve_followers = excluded.approve_followers";
static const char SQL_REQUEST_ADD[] =
	"INSERT INTO fed_follow_requests(writer_id, actor_id, follow_id, inbox, shared_inbox, "
	"created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(writer_id, actor_id) DO UPDATE SET "
	"follow_id = excluded.follow_id, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox";
static const char SQL_REQUEST_GET[] =
	"SELECT writer_id, actor_id, follow_id, inbox, shared_inbox, created_at FROM "
	"fed_follow_requests WHERE writer_id = ?1 AND actor_id = ?2";
static const char SQL_REQUEST_REMOVE[] =
	"DELETE FROM fed_follow_requests WHERE writer_id = ?1 AND actor_id = ?2 AND "
	"(?3 = '' OR follow_id = ?3)";
static const char SQL_REQUESTS[] =
	"SELECT writer_id, actor_id, follow_id, inbox, shared_inbox, created_at FROM "
	"fed_follow_requests WHERE writer_id = ?1 ORDER BY created_at, actor_id LIMIT ?2";

enum store_err sq_fed_approve_get(struct store *s, const char *writer_id, bool *on)
{
	*on = false;
	sqlite3_stmt *st = stmt_cached(s, SQL_APPROVE_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*on = sqlite3_column_int(st, 0) != 0;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

enum store_err sq_fed_approve_set(struct store *s, const char *writer_id, bool on)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_APPROVE_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	sqlite3_bind_int(st, 2, on ? 1 : 0);
	return exec_write(s, st);
}

static const char SQL_SHOW_GET[] = "SELECT show_followers FROM fed_settings WHERE writer_id = ?1";
static const char SQL_SHOW_SET[] =
	"INSERT INTO fed_settings(writer_id, approve_followers, show_followers) VALUES (?1, 0, ?2) "
	"ON CONFLICT(writer_id) DO UPDATE SET show_followers = excluded.show_followers";

enum store_err sq_fed_show_followers_get(struct store *s, const char *writer_id, bool *on)
{
	*on = false;
	sqlite3_stmt *st = stmt_cached(s, SQL_SHOW_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*on = sqlite3_column_int(st, 0) != 0;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

enum store_err sq_fed_show_followers_set(struct store *s, const char *writer_id, bool on)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SHOW_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	sqlite3_bind_int(st, 2, on ? 1 : 0);
	return exec_write(s, st);
}

enum store_err sq_fed_request_add(struct store *s, const struct fed_follower_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REQUEST_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->writer_id);
	bind_text(st, 2, r->actor_id);
	bind_text(st, 3, r->follow_id);
	bind_text(st, 4, r->inbox);
	bind_text(st, 5, r->shared_inbox ? r->shared_inbox : "");
	sqlite3_bind_int64(st, 6, r->created_at);
	return exec_write(s, st);
}

static void read_request(struct arena *a, sqlite3_stmt *st, struct fed_follower_row *o)
{
	col_id(o->writer_id, st, 0);
	o->actor_id = col_text(a, st, 1);
	o->follow_id = col_text(a, st, 2);
	o->inbox = col_text(a, st, 3);
	o->shared_inbox = col_text(a, st, 4);
	o->created_at = sqlite3_column_int64(st, 5);
}

enum store_err sq_fed_request_get(struct store *s, struct arena *a, const char *writer_id,
				  const char *actor_id, struct fed_follower_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REQUEST_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, actor_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_request(a, st, out);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_fed_request_remove(struct store *s, const char *writer_id, const char *actor_id,
				     const char *follow_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REQUEST_REMOVE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, actor_id);
	bind_text(st, 3, follow_id ? follow_id : "");
	return write_one(s, st);
}

enum store_err sq_fed_requests(struct store *s, struct arena *a, const char *writer_id, size_t max,
			       struct fed_follower_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_REQUESTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_request(a, st, &(*rows)[(*n)++]);
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

static const char SQL_REACTION_ADD[] =
	"INSERT INTO fed_reactions(story_id, actor_id, kind, activity_id, created_at) VALUES "
	"(?1, ?2, ?3, ?4, ?5) ON CONFLICT(story_id, actor_id, kind) DO UPDATE SET "
	"activity_id = excluded.activity_id";
static const char SQL_REACTION_REMOVE[] =
	"DELETE FROM fed_reactions WHERE actor_id = ?1 AND (?2 IS NULL OR activity_id = ?2)";
static const char SQL_REACTION_COUNTS[] =
	"SELECT COALESCE(sum(kind = 'like'), 0), COALESCE(sum(kind = 'announce'), 0) FROM "
	"fed_reactions WHERE story_id = ?1";

enum store_err sq_fed_reaction_add(struct store *s, const char *story_id, const char *actor_id,
				   const char *kind, const char *activity_id, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REACTION_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	bind_text(st, 2, actor_id);
	bind_text(st, 3, kind);
	bind_text(st, 4, activity_id);
	sqlite3_bind_int64(st, 5, now);
	return exec_write(s, st);
}

enum store_err sq_fed_reaction_remove(struct store *s, const char *actor_id,
				      const char *activity_id, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REACTION_REMOVE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, actor_id);
	if (activity_id)
		bind_text(st, 2, activity_id);
	else
		sqlite3_bind_null(st, 2);
	enum store_err e = exec_write(s, st);
	if (n)
		*n = e ? 0 : sqlite3_changes(SQ(s)->db);
	return e;
}

enum store_err sq_fed_reaction_counts(struct store *s, const char *story_id, int64_t *likes,
				      int64_t *announces)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REACTION_COUNTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (likes)
			*likes = sqlite3_column_int64(st, 0);
		if (announces)
			*announces = sqlite3_column_int64(st, 1);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}
