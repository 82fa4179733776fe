/*
 * store_pg_fed.c - the PostgreSQL side of store_fed.h: federation (issue
 * 20), each writer's key pair.
 */
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
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

/* ---- remote actors ---- */
#define ACTOR_COLS "id, key_id, public_pem, inbox, shared_inbox, handle, name, fetched_at"
static const char SQL_ACTOR_DROP_KEY[] = "DELETE FROM fed_actors WHERE key_id = $2 AND id <> $1";
static const char SQL_ACTOR_PUT[] =
	"INSERT INTO fed_actors(" ACTOR_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	"ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, public_pem = excluded.public_pem, "
	"inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, handle = excluded.handle, "
	"name = excluded.name, fetched_at = excluded.fetched_at";
static const char SQL_ACTOR_GET[] = "SELECT " ACTOR_COLS " FROM fed_actors WHERE id = $1";
static const char SQL_ACTOR_BY_KEY[] = "SELECT " ACTOR_COLS " FROM fed_actors WHERE key_id = $1";

enum store_err pg_fed_actor_put(struct store *s, const struct fed_actor_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->id);
	pp_text(&p, r->key_id);
	enum store_err e = pg_write(s, SQL_ACTOR_DROP_KEY, &p, NULL);
	if (e)
		return e;
	pp_text(&p, r->public_pem);
	pp_text(&p, r->inbox);
	pp_text(&p, r->shared_inbox ? r->shared_inbox : "");
	pp_text(&p, r->handle ? r->handle : "");
	pp_text(&p, r->name ? r->name : "");
	pp_int(&p, r->fetched_at);
	return pg_write(s, SQL_ACTOR_PUT, &p, NULL);
}

static enum store_err actor_one(struct store *s, struct arena *a, const char *sql, const char *v,
				struct fed_actor_row *o)
{
	struct pg_params p = {0};
	pp_text(&p, v);
	PGresult *r = pg_run(s, sql, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		o->id = pg_text(a, r, 0, 0);
		o->key_id = pg_text(a, r, 0, 1);
		o->public_pem = pg_text(a, r, 0, 2);
		o->inbox = pg_text(a, r, 0, 3);
		o->shared_inbox = pg_text(a, r, 0, 4);
		o->handle = pg_text(a, r, 0, 5);
		o->name = pg_text(a, r, 0, 6);
		o->fetched_at = pg_int(r, 0, 7);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_fed_actor_get(struct store *s, struct arena *a, const char *id,
				struct fed_actor_row *out)
{
	return actor_one(s, a, SQL_ACTOR_GET, id, out);
}

enum store_err pg_fed_actor_by_key(struct store *s, struct arena *a, const char *key_id,
				   struct fed_actor_row *out)
{
	return actor_one(s, a, SQL_ACTOR_BY_KEY, key_id, out);
}

/* ---- followers ---- */
static const char SQL_FOLLOWER_ADD[] =
	"INSERT INTO fed_followers(writer_id, actor_id, follow_id, inbox, shared_inbox, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (writer_id, actor_id) DO UPDATE SET "
	"follow_id = excluded.follow_id, inbox = excluded.inbox, "
	"shared_inbox = excluded.shared_inbox";
static const char SQL_FOLLOWER_REMOVE[] =
	"DELETE FROM fed_followers WHERE writer_id = $1 AND actor_id = $2 AND "
	"($3 = '' OR follow_id = $3)";
static const char SQL_FOLLOWERS[] =
	"SELECT writer_id, actor_id, follow_id, inbox, shared_inbox, created_at FROM fed_followers "
	"WHERE writer_id = $1 ORDER BY created_at DESC, actor_id LIMIT $2";
static const char SQL_FOLLOWER_COUNT[] = "SELECT count(*) FROM fed_followers WHERE writer_id = $1";

enum store_err pg_fed_follower_add(struct store *s, const struct fed_follower_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->writer_id);
	pp_text(&p, r->actor_id);
	pp_text(&p, r->follow_id);
	pp_text(&p, r->inbox);
	pp_text(&p, r->shared_inbox ? r->shared_inbox : "");
	pp_int(&p, r->created_at);
	return pg_write(s, SQL_FOLLOWER_ADD, &p, NULL);
}

enum store_err pg_fed_follower_remove(struct store *s, const char *writer_id, const char *actor_id,
				      const char *follow_id)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, actor_id);
	pp_text(&p, follow_id ? follow_id : "");
	return pg_write_one(s, SQL_FOLLOWER_REMOVE, &p);
}

enum store_err pg_fed_followers(struct store *s, struct arena *a, const char *writer_id,
				size_t max, struct fed_follower_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_FOLLOWERS, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++) {
		struct fed_follower_row *o = &(*rows)[(*n)++];
		pg_id(o->writer_id, r, i, 0);
		o->actor_id = pg_text(a, r, i, 1);
		o->follow_id = pg_text(a, r, i, 2);
		o->inbox = pg_text(a, r, i, 3);
		o->shared_inbox = pg_text(a, r, i, 4);
		o->created_at = pg_int(r, i, 5);
	}
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_fed_follower_count(struct store *s, const char *writer_id, int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_FOLLOWER_COUNT, &p);
	if (!r)
		return STORE_ERROR;
	*n = PQntuples(r) ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return STORE_OK;
}

/* ---- activities seen ---- */
static const char SQL_SEEN_ADD[] = "INSERT INTO fed_seen(activity_id, seen_at) VALUES ($1, $2)";
static const char SQL_SEEN_PRUNE[] = "DELETE FROM fed_seen WHERE seen_at < $1";

enum store_err pg_fed_seen_add(struct store *s, const char *activity_id, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, activity_id);
	pp_int(&p, now);
	return pg_write(s, SQL_SEEN_ADD, &p, NULL);
}

enum store_err pg_fed_seen_prune(struct store *s, int64_t before)
{
	struct pg_params p = {0};
	pp_int(&p, before);
	return pg_write(s, SQL_SEEN_PRUNE, &p, NULL);
}

/* ---- deliveries ---- */
#define DLV_COLS \
	"id, writer_id, kind, story_id, inbox, domain, payload, status, attempts, next_at, " \
	"created_at, sent_at, last_error"
#define PG_NEW_ID "substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)"
static const char SQL_DLV_ADD[] =
	"INSERT INTO fed_deliveries(" DLV_COLS ", claimed_by, lease_until) VALUES ($1, $2, $3, $4, "
	"$5, $6, $7, 'queued', 0, $8, $9, 0, '', '', 0)";
static const char SQL_DLV_FANOUT[] =
	"INSERT INTO fed_deliveries(" DLV_COLS ", claimed_by, lease_until) "
	"SELECT " PG_NEW_ID ", $1, $2, $3, t.inbox, split_part(split_part(t.inbox, '://', 2), '/', 1), "
	"$4, 'queued', 0, $5, $5, 0, '', '', 0 FROM (SELECT DISTINCT CASE WHEN shared_inbox <> '' "
	"THEN shared_inbox ELSE inbox END AS inbox FROM fed_followers WHERE writer_id = $1) t";
/* Several app servers: a row another sender is claiming is skipped, not
 * waited for. */
/* $5 per host (0: no limit), as SQLite's: a due row is claimed only
 * while its rank among its host's due rows plus the host's rows held
 * (leased, still queued) stays within it. FOR UPDATE cannot sit beside
 * a window, so the ranks are a subquery and the rows are locked
 * outside it; the count is right only if no other claim runs between
 * its snapshot and its commit, hence the explicit transaction (and its
 * writer lock) around it in pg_fed_delivery_claim. */
static const char SQL_DLV_CLAIM[] =
	"UPDATE fed_deliveries d SET claimed_by = $1, lease_until = $3 FROM (SELECT id FROM "
	"fed_deliveries WHERE id IN (SELECT due.id FROM (SELECT id, domain, row_number() OVER "
	"(PARTITION BY domain ORDER BY next_at, created_at, id) AS rn FROM fed_deliveries WHERE "
	"status = 'queued' AND next_at <= $2 AND lease_until <= $2) due LEFT JOIN (SELECT domain, "
	"count(*) AS n FROM fed_deliveries WHERE status = 'queued' AND lease_until > $2 GROUP BY "
	"domain) held ON held.domain = due.domain WHERE $5::bigint = 0 OR "
	"due.rn + COALESCE(held.n, 0) <= $5::bigint) "
	"ORDER BY next_at, created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) c WHERE d.id = c.id "
	"RETURNING d.id, d.writer_id, d.kind, d.story_id, d.inbox, d.domain, d.payload, d.status, "
	"d.attempts, d.next_at, d.created_at, d.sent_at, d.last_error";
static const char SQL_DLV_RELEASE[] =
	"UPDATE fed_deliveries SET lease_until = 0, claimed_by = '' WHERE claimed_by = $1 AND "
	"status = 'queued'";
static const char SQL_DLV_SENT[] =
	"UPDATE fed_deliveries SET status = 'sent', sent_at = $2, payload = '', lease_until = 0, "
	"claimed_by = '', last_error = '' WHERE id = $1";
static const char SQL_DLV_RETRY[] =
	"UPDATE fed_deliveries SET attempts = attempts + 1, next_at = $2, last_error = $3, "
	"lease_until = 0, claimed_by = '' WHERE id = $1 AND status = 'queued'";
static const char SQL_DLV_FAIL[] =
	"UPDATE fed_deliveries SET status = 'failed', attempts = attempts + 1, sent_at = $2, "
	"last_error = $3, payload = '', lease_until = 0, claimed_by = '' WHERE id = $1";
static const char SQL_DLV_LIST[] =
	"SELECT " DLV_COLS " FROM fed_deliveries WHERE ($1 = '' OR writer_id = $1) "
	"ORDER BY created_at DESC, id DESC LIMIT $2";
static const char SQL_DLV_COUNTS[] =
	"SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = "
	"'sent'), count(*) FILTER (WHERE status = 'failed') FROM fed_deliveries";

static void read_dlv(struct arena *a, const PGresult *r, int i, struct fed_delivery_row *o)
{
	pg_id(o->id, r, i, 0);
	pg_id(o->writer_id, r, i, 1);
	o->kind = pg_text(a, r, i, 2);
	pg_id(o->story_id, r, i, 3);
	o->inbox = pg_text(a, r, i, 4);
	o->domain = pg_text(a, r, i, 5);
	o->payload = pg_text(a, r, i, 6);
	o->status = pg_text(a, r, i, 7);
	o->attempts = pg_int(r, i, 8);
	o->next_at = pg_int(r, i, 9);
	o->created_at = pg_int(r, i, 10);
	o->sent_at = pg_int(r, i, 11);
	o->last_error = pg_text(a, r, i, 12);
}

enum store_err pg_fed_delivery_add(struct store *s, const struct fed_delivery_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->id);
	pp_text(&p, r->writer_id);
	pp_text(&p, r->kind);
	pp_text(&p, r->story_id);
	pp_text(&p, r->inbox);
	pp_text(&p, r->domain);
	pp_text(&p, r->payload ? r->payload : "");
	pp_int(&p, r->next_at);
	pp_int(&p, r->created_at);
	return pg_write(s, SQL_DLV_ADD, &p, NULL);
}

enum store_err pg_fed_delivery_fanout(struct store *s, const char *writer_id, const char *kind,
				      const char *story_id, const char *payload, int64_t now,
				      int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, kind);
	pp_text(&p, story_id ? story_id : "");
	pp_text(&p, payload ? payload : "");
	pp_int(&p, now);
	*n = 0;
	return pg_write(s, SQL_DLV_FANOUT, &p, n);
}

static int dlv_order(const void *x, const void *y)
{
	const struct fed_delivery_row *a = x, *b = y;
	if (a->next_at != b->next_at)
		return a->next_at < b->next_at ? -1 : 1;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

enum store_err pg_fed_delivery_claim(struct store *s, struct arena *a, const char *who,
				     int64_t now, int64_t lease_until, size_t max, size_t per_domain,
				     struct fed_delivery_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!max)
		return STORE_OK;
	/* Its own transaction unless the caller's: two claims must not both
	 * count the same held rows (READ COMMITTED), and pg_begin's lock
	 * makes them take turns. */
	bool own = PG(s)->txn_depth == 0;
	if (own && pg_begin(s))
		return STORE_ERROR;
	struct pg_params p = {0};
	pp_text(&p, who);
	pp_int(&p, now);
	pp_int(&p, lease_until);
	pp_int(&p, (int64_t)max);
	pp_int(&p, (int64_t)per_domain);
	PGresult *r = pg_run(s, SQL_DLV_CLAIM, &p);
	if (!r) {
		if (own)
			pg_rollback(s);
		return STORE_ERROR;
	}
	if (own && pg_commit(s)) {
		PQclear(r);
		return STORE_ERROR;
	}
	int nt = PQntuples(r);
	struct fed_delivery_row *v = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(*v));
	for (int i = 0; i < nt; i++)
		read_dlv(a, r, i, &v[i]);
	PQclear(r);
	qsort(v, (size_t)nt, sizeof(*v), dlv_order);
	*rows = v;
	*n = (size_t)nt;
	return STORE_OK;
}

enum store_err pg_fed_delivery_release(struct store *s, const char *who)
{
	struct pg_params p = {0};
	pp_text(&p, who);
	return pg_write(s, SQL_DLV_RELEASE, &p, NULL);
}

static enum store_err dlv_write(struct store *s, const char *sql, const char *id, int64_t t,
				const char *error)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_int(&p, t);
	if (error)
		pp_text(&p, error);
	return pg_write_one(s, sql, &p);
}

enum store_err pg_fed_delivery_sent(struct store *s, const char *id, int64_t now)
{
	return dlv_write(s, SQL_DLV_SENT, id, now, NULL);
}

enum store_err pg_fed_delivery_retry(struct store *s, const char *id, int64_t next_at,
				     const char *error)
{
	return dlv_write(s, SQL_DLV_RETRY, id, next_at, error ? error : "");
}

enum store_err pg_fed_delivery_fail(struct store *s, const char *id, int64_t now,
				    const char *error)
{
	return dlv_write(s, SQL_DLV_FAIL, id, now, error ? error : "");
}

enum store_err pg_fed_deliveries(struct store *s, struct arena *a, const char *writer_id,
				 size_t max, struct fed_delivery_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, writer_id ? writer_id : "");
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_DLV_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++)
		read_dlv(a, r, i, &(*rows)[(*n)++]);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_fed_delivery_counts(struct store *s, int64_t *queued, int64_t *sent,
				      int64_t *failed)
{
	PGresult *r = pg_run(s, SQL_DLV_COUNTS, NULL);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_ERROR;
	if (PQntuples(r)) {
		if (queued)
			*queued = pg_int(r, 0, 0);
		if (sent)
			*sent = pg_int(r, 0, 1);
		if (failed)
			*failed = pg_int(r, 0, 2);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

static const char SQL_RESPONSES_DELETE[] =
	"DELETE FROM responses WHERE remote_actor = $1 AND remote_actor <> '' AND "
	"($2::text IS NULL OR remote_note = $2::text)";
static const char SQL_FOLLOWS_REMOVE_ACTOR[] = "DELETE FROM fed_followers WHERE actor_id = $1";
static const char SQL_REQUESTS_REMOVE_ACTOR[] = "DELETE FROM fed_follow_requests WHERE actor_id = $1";

enum store_err pg_fed_responses_delete(struct store *s, const char *actor_id, const char *note_id,
				       int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, actor_id);
	pp_text(&p, note_id);
	int64_t k = 0;
	enum store_err e = pg_write(s, SQL_RESPONSES_DELETE, &p, &k);
	if (n)
		*n = e ? 0 : k;
	return e;
}

enum store_err pg_fed_follows_remove_actor(struct store *s, const char *actor_id, int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, actor_id);
	int64_t k = 0;
	enum store_err e = pg_write(s, SQL_FOLLOWS_REMOVE_ACTOR, &p, &k);
	if (n)
		*n = e ? 0 : k;
	return e ? e : pg_write(s, SQL_REQUESTS_REMOVE_ACTOR, &p, NULL);
}

static const char SQL_DOMAIN_BLOCK_ADD[] =
	"INSERT INTO fed_blocked_domains(writer_id, domain, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_DOMAIN_BLOCK_REMOVE[] =
	"DELETE FROM fed_blocked_domains WHERE writer_id = $1 AND domain = $2";
static const char SQL_DOMAIN_BLOCKS[] =
	"SELECT domain FROM fed_blocked_domains WHERE writer_id = $1 ORDER BY domain COLLATE \"C\" "
	"LIMIT 5000";
static const char SQL_DOMAIN_BLOCKED[] =
	"SELECT 1 FROM fed_blocked_domains WHERE writer_id = $1 AND (domain = $2 OR domain = $3 "
	"OR right($3::text, length(domain) + 1) = '.' || domain) LIMIT 1";

/* A writer's blocks, of a domain or of an actor: one (writer, key) row
 * each, added, removed and listed alike. */
static enum store_err block_add(struct store *s, const char *sql, const char *writer_id,
				const char *key, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, key);
	pp_int(&p, now);
	return pg_write(s, sql, &p, NULL);
}

static enum store_err block_remove(struct store *s, const char *sql, const char *writer_id,
				   const char *key)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, key);
	return pg_write_one(s, sql, &p);
}

static enum store_err block_list(struct store *s, struct arena *a, const char *sql,
				 const char *writer_id, const char ***keys, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	return pg_texts(s, a, sql, &p, keys, n);
}

enum store_err pg_fed_domain_block_add(struct store *s, const char *writer_id, const char *domain,
				       int64_t now)
{
	return block_add(s, SQL_DOMAIN_BLOCK_ADD, writer_id, domain, now);
}

enum store_err pg_fed_domain_block_remove(struct store *s, const char *writer_id,
					  const char *domain)
{
	return block_remove(s, SQL_DOMAIN_BLOCK_REMOVE, writer_id, domain);
}

enum store_err pg_fed_domain_blocks(struct store *s, struct arena *a, const char *writer_id,
				    const char ***domains, size_t *n)
{
	return block_list(s, a, SQL_DOMAIN_BLOCKS, writer_id, domains, n);
}

enum store_err pg_fed_domain_blocked(struct store *s, const char *writer_id, const char *host,
				     bool *blocked)
{
	*blocked = false;
	char bare[256];
	snprintf(bare, sizeof(bare), "%s", host ? host : "");
	char *colon = strrchr(bare, ':');
	if (colon && !strchr(bare, ']'))
		*colon = 0;
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, host ? host : "");
	pp_text(&p, bare);
	PGresult *r = pg_run(s, SQL_DOMAIN_BLOCKED, &p);
	if (!r)
		return STORE_ERROR;
	*blocked = PQntuples(r) > 0;
	PQclear(r);
	return STORE_OK;
}

static const char SQL_ACTOR_BLOCK_ADD[] =
	"INSERT INTO fed_blocked_actors(writer_id, actor_id, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_ACTOR_BLOCK_REMOVE[] =
	"DELETE FROM fed_blocked_actors WHERE writer_id = $1 AND actor_id = $2";
static const char SQL_ACTOR_BLOCKS[] =
	"SELECT actor_id FROM fed_blocked_actors WHERE writer_id = $1 ORDER BY actor_id COLLATE "
	"\"C\" LIMIT 5000";
static const char SQL_ACTOR_BLOCKED[] =
	"SELECT 1 FROM fed_blocked_actors b WHERE b.writer_id = $1 AND (b.actor_id = $2 OR "
	"b.actor_id IN (SELECT id FROM fed_actors WHERE inbox = $2)) LIMIT 1";

enum store_err pg_fed_actor_block_add(struct store *s, const char *writer_id, const char *actor_id,
				      int64_t now)
{
	return block_add(s, SQL_ACTOR_BLOCK_ADD, writer_id, actor_id, now);
}

enum store_err pg_fed_actor_block_remove(struct store *s, const char *writer_id,
					 const char *actor_id)
{
	return block_remove(s, SQL_ACTOR_BLOCK_REMOVE, writer_id, actor_id);
}

enum store_err pg_fed_actor_blocks(struct store *s, struct arena *a, const char *writer_id,
				   const char ***actors, size_t *n)
{
	return block_list(s, a, SQL_ACTOR_BLOCKS, writer_id, actors, n);
}

enum store_err pg_fed_actor_blocked(struct store *s, const char *writer_id, const char *url,
				    bool *blocked)
{
	*blocked = false;
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, url ? url : "");
	PGresult *r = pg_run(s, SQL_ACTOR_BLOCKED, &p);
	if (!r)
		return STORE_ERROR;
	*blocked = PQntuples(r) > 0;
	PQclear(r);
	return STORE_OK;
}

static const char SQL_APPROVE_GET[] = "SELECT approve_followers FROM fed_settings WHERE writer_id = $1";
static const char SQL_APPROVE_SET[] =
	"INSERT INTO fed_settings(writer_id, approve_followers) VALUES ($1, $2::boolean) "
	"ON CONFLICT (writer_id) DO UPDATE SET approve_followers = excluded.approve_followers";
static const char SQL_REQUEST_ADD[] =
	"INSERT INTO fed_follow_requests(writer_id, actor_id, follow_id, inbox, shared_inbox, "
	"created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (writer_id, actor_id) DO UPDATE SET "
	"follow_id = excluded.follow_id, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox";
static const char SQL_REQUEST_GET[] =
	"SELECT writer_id, actor_id, follow_id, inbox, shared_inbox, created_at FROM "
	"fed_follow_requests WHERE writer_id = $1 AND actor_id = $2";
static const char SQL_REQUEST_REMOVE[] =
	"DELETE FROM fed_follow_requests WHERE writer_id = $1 AND actor_id = $2 AND "
	"($3 = '' OR follow_id = $3)";
static const char SQL_REQUESTS[] =
	"SELECT writer_id, actor_id, follow_id, inbox, shared_inbox, created_at FROM "
	"fed_follow_requests WHERE writer_id = $1 ORDER BY created_at, actor_id COLLATE \"C\" "
	"LIMIT $2";

enum store_err pg_fed_approve_get(struct store *s, const char *writer_id, bool *on)
{
	*on = false;
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_APPROVE_GET, &p);
	if (!r)
		return STORE_ERROR;
	if (PQntuples(r) == 1)
		*on = pg_bool(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_fed_approve_set(struct store *s, const char *writer_id, bool on)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, on ? "true" : "false");
	return pg_write(s, SQL_APPROVE_SET, &p, NULL);
}

static const char SQL_SHOW_GET[] = "SELECT show_followers FROM fed_settings WHERE writer_id = $1";
static const char SQL_SHOW_SET[] =
	"INSERT INTO fed_settings(writer_id, approve_followers, show_followers) VALUES ($1, false, "
	"$2::boolean) ON CONFLICT (writer_id) DO UPDATE SET show_followers = excluded.show_followers";

enum store_err pg_fed_show_followers_get(struct store *s, const char *writer_id, bool *on)
{
	*on = false;
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_SHOW_GET, &p);
	if (!r)
		return STORE_ERROR;
	if (PQntuples(r) == 1)
		*on = pg_bool(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_fed_show_followers_set(struct store *s, const char *writer_id, bool on)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, on ? "true" : "false");
	return pg_write(s, SQL_SHOW_SET, &p, NULL);
}

enum store_err pg_fed_request_add(struct store *s, const struct fed_follower_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->writer_id);
	pp_text(&p, r->actor_id);
	pp_text(&p, r->follow_id);
	pp_text(&p, r->inbox);
	pp_text(&p, r->shared_inbox ? r->shared_inbox : "");
	pp_int(&p, r->created_at);
	return pg_write(s, SQL_REQUEST_ADD, &p, NULL);
}

static void read_request(struct arena *a, const PGresult *r, int i, struct fed_follower_row *o)
{
	pg_id(o->writer_id, r, i, 0);
	o->actor_id = pg_text(a, r, i, 1);
	o->follow_id = pg_text(a, r, i, 2);
	o->inbox = pg_text(a, r, i, 3);
	o->shared_inbox = pg_text(a, r, i, 4);
	o->created_at = pg_int(r, i, 5);
}

enum store_err pg_fed_request_get(struct store *s, struct arena *a, const char *writer_id,
				  const char *actor_id, struct fed_follower_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, actor_id);
	PGresult *r = pg_run(s, SQL_REQUEST_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		read_request(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_fed_request_remove(struct store *s, const char *writer_id, const char *actor_id,
				     const char *follow_id)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, actor_id);
	pp_text(&p, follow_id ? follow_id : "");
	return pg_write_one(s, SQL_REQUEST_REMOVE, &p);
}

enum store_err pg_fed_requests(struct store *s, struct arena *a, const char *writer_id, size_t max,
			       struct fed_follower_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_REQUESTS, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++)
		read_request(a, r, i, &(*rows)[(*n)++]);
	PQclear(r);
	return STORE_OK;
}

static const char SQL_REACTION_ADD[] =
	"INSERT INTO fed_reactions(story_id, actor_id, kind, activity_id, created_at) VALUES "
	"($1, $2, $3, $4, $5) ON CONFLICT (story_id, actor_id, kind) DO UPDATE SET "
	"activity_id = excluded.activity_id";
static const char SQL_REACTION_REMOVE[] =
	"DELETE FROM fed_reactions WHERE actor_id = $1 AND ($2::text IS NULL OR activity_id = $2::text)";
static const char SQL_REACTION_COUNTS[] =
	"SELECT count(*) FILTER (WHERE kind = 'like'), count(*) FILTER (WHERE kind = 'announce') "
	"FROM fed_reactions WHERE story_id = $1";

enum store_err pg_fed_reaction_add(struct store *s, const char *story_id, const char *actor_id,
				   const char *kind, const char *activity_id, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_text(&p, actor_id);
	pp_text(&p, kind);
	pp_text(&p, activity_id);
	pp_int(&p, now);
	return pg_write(s, SQL_REACTION_ADD, &p, NULL);
}

enum store_err pg_fed_reaction_remove(struct store *s, const char *actor_id,
				      const char *activity_id, int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, actor_id);
	pp_text(&p, activity_id);
	int64_t k = 0;
	enum store_err e = pg_write(s, SQL_REACTION_REMOVE, &p, &k);
	if (n)
		*n = e ? 0 : k;
	return e;
}

enum store_err pg_fed_reaction_counts(struct store *s, const char *story_id, int64_t *likes,
				      int64_t *announces)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	PGresult *r = pg_run(s, SQL_REACTION_COUNTS, &p);
	if (!r)
		return STORE_ERROR;
	if (PQntuples(r) == 1) {
		if (likes)
			*likes = pg_int(r, 0, 0);
		if (announces)
			*announces = pg_int(r, 0, 1);
	}
	PQclear(r);
	return STORE_OK;
}
