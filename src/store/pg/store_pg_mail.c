/*
 * store_pg_mail.c - email rows (store_mail.h) in PostgreSQL, the twin of
 * the SQLite backend's store_mail.c. Several app servers may send: a
 * claim takes due rows with FOR UPDATE SKIP LOCKED and leases them in one
 * statement, so no two senders hold the same message.
 */
#include "store/pg/pg_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- addresses ---- */
static const char SQL_EMAIL_SET[] =
	"INSERT INTO user_emails(user_id, email, verified_at) VALUES ($1, $2, $3) "
	"ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, "
	"verified_at = excluded.verified_at";
static const char SQL_EMAIL_GET[] = "SELECT email FROM user_emails WHERE user_id = $1";
static const char SQL_BY_EMAIL[] =
	"SELECT " PG_USER_COLS("u") " FROM user_emails e JOIN users u ON u.id = e.user_id "
	"WHERE e.email = $1";

enum store_err pg_user_email_set(struct store *s, const char *user_id, const char *email,
				 int64_t verified_at)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, email);
	pp_int(&p, verified_at);
	return pg_write(s, SQL_EMAIL_SET, &p, NULL);
}

enum store_err pg_user_email_get(struct store *s, struct arena *a, const char *user_id,
				 const char **email)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	PGresult *r = pg_run(s, SQL_EMAIL_GET, &p);
	if (!r)
		return STORE_ERROR;
	*email = PQntuples(r) ? pg_text(a, r, 0, 0) : "";
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_user_by_email(struct store *s, struct arena *a, const char *email,
				struct user_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, email);
	PGresult *r = pg_run(s, SQL_BY_EMAIL, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		pg_read_user(a, r, 0, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

/* ---- subscribers ---- */
#define SUB_COLS "id, writer_id, email, status, created_at, confirmed_at, asked_at, source"
static const char SQL_SUB_INSERT[] =
	"INSERT INTO subscribers(id, writer_id, email, status, created_at, confirmed_at, "
	"asked_at, source, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char SQL_SUB_GET[] =
	"SELECT " SUB_COLS " FROM subscribers WHERE writer_id = $1 AND email = $2";
static const char SQL_SUB_BY_ID[] = "SELECT " SUB_COLS " FROM subscribers WHERE id = $1";
static const char SQL_SUB_BY_TOKEN[] =
	"SELECT " SUB_COLS " FROM subscribers WHERE token_hash = $1";
static const char SQL_SUB_SET[] =
	"UPDATE subscribers SET status = $2::text, "
	"confirmed_at = CASE WHEN $2::text = 'confirmed' THEN $3::bigint ELSE confirmed_at END, "
	"token_hash = CASE WHEN $2::text = 'confirmed' THEN NULL WHEN $4::text IS NOT NULL "
	"THEN $4::text ELSE token_hash END, "
	"asked_at = CASE WHEN $5::bigint > 0 THEN $5::bigint ELSE asked_at END WHERE id = $1";
static const char SQL_SUB_DELETE[] = "DELETE FROM subscribers WHERE id = $1";
static const char SQL_SUBS_OF[] =
	"SELECT " SUB_COLS " FROM subscribers WHERE writer_id = $1 "
	"ORDER BY created_at DESC, id DESC LIMIT $2";
static const char SQL_SUB_COUNT[] =
	"SELECT count(*) FROM subscribers WHERE writer_id = $1 AND status = $2";

static void read_sub(struct arena *a, const PGresult *r, int i, struct subscriber_row *o)
{
	pg_id(o->id, r, i, 0);
	pg_id(o->writer_id, r, i, 1);
	o->email = pg_text(a, r, i, 2);
	o->status = pg_text(a, r, i, 3);
	o->created_at = pg_int(r, i, 4);
	o->confirmed_at = pg_int(r, i, 5);
	o->asked_at = pg_int(r, i, 6);
	o->source = pg_text(a, r, i, 7);
}

enum store_err pg_subscriber_insert(struct store *s, const struct subscriber_row *r,
				    const char *token_hash)
{
	struct pg_params p = {0};
	pp_text(&p, r->id);
	pp_text(&p, r->writer_id);
	pp_text(&p, r->email);
	pp_text(&p, r->status);
	pp_int(&p, r->created_at);
	pp_int(&p, r->confirmed_at);
	pp_int(&p, r->asked_at);
	pp_text(&p, r->source && r->source[0] ? r->source : "form");
	pp_text(&p, token_hash);
	return pg_write(s, SQL_SUB_INSERT, &p, NULL);
}

static enum store_err sub_one(struct store *s, struct arena *a, const char *sql, const char *p1,
			      const char *p2, struct subscriber_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, p1);
	if (p2)
		pp_text(&p, p2);
	PGresult *r = pg_run(s, sql, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		read_sub(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_subscriber_get(struct store *s, struct arena *a, const char *writer_id,
				 const char *email, struct subscriber_row *out)
{
	return sub_one(s, a, SQL_SUB_GET, writer_id, email, out);
}

enum store_err pg_subscriber_by_id(struct store *s, struct arena *a, const char *id,
				   struct subscriber_row *out)
{
	return sub_one(s, a, SQL_SUB_BY_ID, id, NULL, out);
}

enum store_err pg_subscriber_by_token(struct store *s, struct arena *a, const char *token_hash,
				      struct subscriber_row *out)
{
	return sub_one(s, a, SQL_SUB_BY_TOKEN, token_hash, NULL, out);
}

enum store_err pg_subscriber_set(struct store *s, const char *id, const char *status,
				 int64_t now, const char *token_hash, int64_t asked_at)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, status);
	pp_int(&p, now);
	pp_text(&p, token_hash);
	pp_int(&p, asked_at);
	return pg_write_one(s, SQL_SUB_SET, &p);
}

enum store_err pg_subscriber_delete(struct store *s, const char *id)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	return pg_write_one(s, SQL_SUB_DELETE, &p);
}

enum store_err pg_subscribers_of(struct store *s, struct arena *a, const char *writer_id,
				 size_t max, struct subscriber_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_SUBS_OF, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt; i++)
		read_sub(a, r, i, &(*rows)[i]);
	*n = (size_t)nt;
	PQclear(r);
	return STORE_OK;
}

static enum store_err count_of(struct store *s, const char *sql, struct pg_params *p, int64_t *n)
{
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		return STORE_ERROR;
	*n = PQntuples(r) ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_subscriber_count(struct store *s, const char *writer_id, const char *status,
				   int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, status);
	return count_of(s, SQL_SUB_COUNT, &p, n);
}

/* ---- the outbox ---- */
#define OUT_COLS \
	"id, kind, to_addr, domain, COALESCE(writer_id, ''), COALESCE(story_id, ''), " \
	"COALESCE(ref_id, ''), COALESCE(payload, ''), status, attempts, next_at, created_at, " \
	"sent_at, last_error"
/* A new 16-hex-digit id in SQL (gen_random_uuid is built in since 13). */
#define PG_NEW_ID "substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)"
static const char SQL_OUT_ADD[] =
	"INSERT INTO outbox(id, kind, to_addr, domain, writer_id, story_id, ref_id, payload, "
	"status, next_at, created_at) VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), "
	"NULLIF($7, ''), NULLIF($8, ''), 'queued', $9, $10)";
static const char SQL_OUT_FAN_SUBS[] =
	"INSERT INTO outbox(id, kind, to_addr, domain, writer_id, story_id, ref_id, status, "
	"next_at, created_at) SELECT " PG_NEW_ID ", $1, b.email, "
	"split_part(b.email, '@', 2), $3, $2, b.id, 'queued', $4, $4 "
	"FROM subscribers b WHERE b.writer_id = $3 AND b.status = 'confirmed'";
static const char SQL_OUT_FAN_CIRCLE[] =
	"INSERT INTO outbox(id, kind, to_addr, domain, writer_id, story_id, ref_id, status, "
	"next_at, created_at) SELECT " PG_NEW_ID ", $1, e.email, "
	"split_part(e.email, '@', 2), $3, $2, m.user_id, 'queued', $4, $4 "
	"FROM circle_members m JOIN user_emails e ON e.user_id = m.user_id "
	"WHERE m.circle_id = $5 AND m.user_id <> $3 "
	"AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.writer_id = $3 AND b.blocked_id = m.user_id) "
	"AND NOT EXISTS (SELECT 1 FROM mail_prefs p WHERE p.user_id = m.user_id AND "
	"p.name = 'circle_mail' AND p.value = '0')";
static const char SQL_OUT_CLAIM[] =
	"UPDATE outbox o SET claimed_until = $2, claimed_by = $4 FROM (SELECT id FROM outbox WHERE "
	"status = 'queued' AND next_at <= $1 AND claimed_until <= $1 "
	"ORDER BY next_at, created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) d WHERE o.id = d.id "
	"RETURNING o.id, o.kind, o.to_addr, o.domain, COALESCE(o.writer_id, ''), "
	"COALESCE(o.story_id, ''), COALESCE(o.ref_id, ''), COALESCE(o.payload, ''), o.status, "
	"o.attempts, o.next_at, o.created_at, o.sent_at, o.last_error";
static const char SQL_OUT_RELEASE[] =
	"UPDATE outbox SET claimed_until = 0, claimed_by = '' WHERE claimed_by = $1 AND "
	"status = 'queued'";
static const char SQL_OUT_SENT[] =
	"UPDATE outbox SET status = 'sent', sent_at = $2, payload = NULL, claimed_until = 0, "
	"last_error = '' WHERE id = $1";
static const char SQL_OUT_RETRY[] =
	"UPDATE outbox SET attempts = attempts + 1, next_at = $2, last_error = $3, "
	"claimed_until = 0 WHERE id = $1 AND status = 'queued'";
static const char SQL_OUT_FAIL[] =
	"UPDATE outbox SET status = 'failed', attempts = attempts + 1, sent_at = $2, "
	"last_error = $3, payload = NULL, claimed_until = 0 WHERE id = $1";
static const char SQL_OUT_COUNTS[] =
	"SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = "
	"'sent'), count(*) FILTER (WHERE status = 'failed') FROM outbox";
static const char SQL_OUT_NEXT[] =
	"SELECT COALESCE(min(greatest(next_at, claimed_until)), 0) FROM outbox "
	"WHERE status = 'queued'";
static const char SQL_OUT_OF[] =
	"SELECT " OUT_COLS " FROM outbox WHERE writer_id = $1 AND status = $2 "
	"ORDER BY created_at DESC, id DESC LIMIT $3";

static void read_out(struct arena *a, const PGresult *r, int i, struct outbox_row *o)
{
	pg_id(o->id, r, i, 0);
	o->kind = pg_text(a, r, i, 1);
	o->to_addr = pg_text(a, r, i, 2);
	o->domain = pg_text(a, r, i, 3);
	pg_id(o->writer_id, r, i, 4);
	pg_id(o->story_id, r, i, 5);
	pg_id(o->ref_id, r, i, 6);
	o->payload = pg_text(a, r, i, 7);
	o->status = pg_text(a, r, i, 8);
	o->attempts = pg_int(r, i, 9);
	o->next_at = pg_int(r, i, 10);
	o->created_at = pg_int(r, i, 11);
	o->sent_at = pg_int(r, i, 12);
	o->last_error = pg_text(a, r, i, 13);
}

static void read_outs(struct arena *a, const PGresult *r, struct outbox_row **rows, size_t *n)
{
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt; i++)
		read_out(a, r, i, &(*rows)[i]);
	*n = (size_t)nt;
}

enum store_err pg_outbox_add(struct store *s, const struct outbox_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->id);
	pp_text(&p, r->kind);
	pp_text(&p, r->to_addr);
	pp_text(&p, r->domain);
	pp_text(&p, r->writer_id);
	pp_text(&p, r->story_id);
	pp_text(&p, r->ref_id);
	pp_text(&p, r->payload ? r->payload : "");
	pp_int(&p, r->next_at);
	pp_int(&p, r->created_at);
	return pg_write(s, SQL_OUT_ADD, &p, NULL);
}

enum store_err pg_outbox_fanout(struct store *s, const char *kind, const char *story_id,
				const char *writer_id, const char *circle_id, int64_t now,
				int64_t *n)
{
	bool circle = circle_id && circle_id[0];
	struct pg_params p = {0};
	pp_text(&p, kind);
	pp_text(&p, story_id);
	pp_text(&p, writer_id);
	pp_int(&p, now);
	if (circle)
		pp_text(&p, circle_id);
	*n = 0;
	return pg_write(s, circle ? SQL_OUT_FAN_CIRCLE : SQL_OUT_FAN_SUBS, &p, n);
}

/* The claimed rows come back in no particular order: oldest first. */
static int out_cmp(const void *x, const void *y)
{
	const struct outbox_row *a = x, *b = y;
	if (a->next_at != b->next_at)
		return a->next_at < b->next_at ? -1 : 1;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

enum store_err pg_outbox_release(struct store *s, const char *who)
{
	struct pg_params p = {0};
	pp_text(&p, who);
	return pg_write(s, SQL_OUT_RELEASE, &p, NULL);
}

enum store_err pg_outbox_claim(struct store *s, struct arena *a, const char *who, int64_t now,
			       int64_t lease_until, size_t max, struct outbox_row **rows,
			       size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!max)
		return STORE_OK;
	struct pg_params p = {0};
	pp_int(&p, now);
	pp_int(&p, lease_until);
	pp_int(&p, (int64_t)max);
	pp_text(&p, who);
	PGresult *r = pg_run(s, SQL_OUT_CLAIM, &p);
	if (!r)
		return STORE_ERROR;
	read_outs(a, r, rows, n);
	PQclear(r);
	qsort(*rows, *n, sizeof(**rows), out_cmp);
	return STORE_OK;
}

static enum store_err out_write(struct store *s, const char *sql, const char *id, int64_t t,
				const char *error)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_int(&p, t);
	if (error)
		pp_text(&p, error);
	return pg_write_one(s, sql, &p);
}

enum store_err pg_outbox_sent(struct store *s, const char *id, int64_t now)
{
	return out_write(s, SQL_OUT_SENT, id, now, NULL);
}

enum store_err pg_outbox_retry(struct store *s, const char *id, int64_t next_at,
			       const char *error)
{
	return out_write(s, SQL_OUT_RETRY, id, next_at, error ? error : "");
}

enum store_err pg_outbox_fail(struct store *s, const char *id, int64_t now, const char *error)
{
	return out_write(s, SQL_OUT_FAIL, id, now, error ? error : "");
}

enum store_err pg_outbox_counts(struct store *s, int64_t *queued, int64_t *sent,
				int64_t *failed)
{
	PGresult *r = pg_run(s, SQL_OUT_COUNTS, NULL);
	if (!r)
		return STORE_ERROR;
	if (queued)
		*queued = pg_int(r, 0, 0);
	if (sent)
		*sent = pg_int(r, 0, 1);
	if (failed)
		*failed = pg_int(r, 0, 2);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_outbox_next(struct store *s, int64_t *at)
{
	PGresult *r = pg_run(s, SQL_OUT_NEXT, NULL);
	if (!r)
		return STORE_ERROR;
	*at = pg_int(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_outbox_of(struct store *s, struct arena *a, const char *writer_id,
			    const char *status, size_t max, struct outbox_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, status);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_OUT_OF, &p);
	if (!r)
		return STORE_ERROR;
	read_outs(a, r, rows, n);
	PQclear(r);
	return STORE_OK;
}

static const char SQL_OUT_KIND[] =
	"SELECT " OUT_COLS " FROM outbox WHERE writer_id = $1 AND kind = $2 AND status = 'queued' "
	"ORDER BY created_at, id COLLATE \"C\" LIMIT $3";

enum store_err pg_outbox_queued_kind(struct store *s, struct arena *a, const char *writer_id,
				     const char *kind, size_t max, struct outbox_row **rows,
				     size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, writer_id);
	pp_text(&p, kind);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_OUT_KIND, &p);
	if (!r)
		return STORE_ERROR;
	read_outs(a, r, rows, n);
	PQclear(r);
	return STORE_OK;
}

/* ---- mailed links ---- */
static const char SQL_TOK_ADD[] =
	"INSERT INTO mail_tokens(hash, kind, user_id, email, ref_id, created_at, expires_at) "
	"VALUES ($1, $2, NULLIF($3, ''), $4, NULLIF($5, ''), $6, $7)";
static const char SQL_TOK_GET[] =
	"SELECT kind, COALESCE(user_id, ''), email, COALESCE(ref_id, ''), created_at, "
	"expires_at, used_at FROM mail_tokens WHERE hash = $1 AND kind = $2 AND used_at = 0 AND "
	"expires_at > $3";
static const char SQL_TOK_USE[] =
	"UPDATE mail_tokens SET used_at = $3 WHERE hash = $1 AND kind = $2 AND used_at = 0 AND "
	"expires_at > $3";
static const char SQL_TOK_COUNT[] =
	"SELECT count(*) FROM mail_tokens WHERE kind = $1 AND email = $2 AND created_at >= $3";

enum store_err pg_mail_token_add(struct store *s, const char *hash, const struct mail_token_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	pp_text(&p, r->kind);
	pp_text(&p, r->user_id);
	pp_text(&p, r->email);
	pp_text(&p, r->ref_id);
	pp_int(&p, r->created_at);
	pp_int(&p, r->expires_at);
	return pg_write(s, SQL_TOK_ADD, &p, NULL);
}

enum store_err pg_mail_token_get(struct store *s, struct arena *a, const char *hash,
				 const char *kind, int64_t now, struct mail_token_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	pp_text(&p, kind);
	pp_int(&p, now);
	PGresult *r = pg_run(s, SQL_TOK_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		out->kind = pg_text(a, r, 0, 0);
		pg_id(out->user_id, r, 0, 1);
		out->email = pg_text(a, r, 0, 2);
		pg_id(out->ref_id, r, 0, 3);
		out->created_at = pg_int(r, 0, 4);
		out->expires_at = pg_int(r, 0, 5);
		out->used_at = pg_int(r, 0, 6);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_mail_token_use(struct store *s, const char *hash, const char *kind, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	pp_text(&p, kind);
	pp_int(&p, now);
	return pg_write_one(s, SQL_TOK_USE, &p);
}

enum store_err pg_mail_token_count(struct store *s, const char *kind, const char *email,
				   int64_t since, int64_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, kind);
	pp_text(&p, email);
	pp_int(&p, since);
	return count_of(s, SQL_TOK_COUNT, &p, n);
}

/* ---- a story's mailing ---- */
static const char SQL_SMAIL_MARK[] =
	"INSERT INTO story_mail(story_id, skip, mailed_at) VALUES ($1, 0, $2) "
	"ON CONFLICT(story_id) DO NOTHING";
static const char SQL_SMAIL_SKIP[] =
	"INSERT INTO story_mail(story_id, skip, mailed_at) VALUES ($1, $2, 0) "
	"ON CONFLICT(story_id) DO UPDATE SET skip = excluded.skip WHERE story_mail.mailed_at = 0";

enum store_err pg_story_mail_mark(struct store *s, const char *story_id, int64_t now, bool *first)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_int(&p, now);
	int64_t changed = 0;
	enum store_err e = pg_write(s, SQL_SMAIL_MARK, &p, &changed);
	*first = !e && changed == 1;
	return e;
}

enum store_err pg_story_mail_skip(struct store *s, const char *story_id, bool skip)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_int(&p, skip ? 1 : 0);
	return pg_write(s, SQL_SMAIL_SKIP, &p, NULL);
}

/* ---- preferences ---- */
static const char SQL_PREF_GET[] =
	"SELECT value FROM mail_prefs WHERE user_id = $1 AND name = $2";
static const char SQL_PREF_SET[] =
	"INSERT INTO mail_prefs(user_id, name, value) VALUES ($1, $2, $3) "
	"ON CONFLICT(user_id, name) DO UPDATE SET value = excluded.value";

enum store_err pg_mail_pref_get(struct store *s, struct arena *a, const char *user_id,
				const char *name, const char *def, const char **val)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, name);
	PGresult *r = pg_run(s, SQL_PREF_GET, &p);
	if (!r)
		return STORE_ERROR;
	*val = PQntuples(r) ? pg_text(a, r, 0, 0) : def;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_mail_pref_set(struct store *s, const char *user_id, const char *name,
				const char *val)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, name);
	pp_text(&p, val);
	return pg_write(s, SQL_PREF_SET, &p, NULL);
}

/* ---- private feeds ---- */
static const char SQL_FEED_SET[] =
	"INSERT INTO feed_tokens(token_hash, user_id, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT(user_id) DO UPDATE SET token_hash = excluded.token_hash, "
	"created_at = excluded.created_at";
static const char SQL_FEED_USER[] =
	"SELECT " PG_USER_COLS("u") " FROM feed_tokens f JOIN users u ON u.id = f.user_id "
	"WHERE f.token_hash = $1";
static const char SQL_FEED_MADE[] = "SELECT created_at FROM feed_tokens WHERE user_id = $1";
static const char SQL_FEED_DELETE[] = "DELETE FROM feed_tokens WHERE user_id = $1";

enum store_err pg_feed_token_set(struct store *s, const char *user_id, const char *hash,
				 int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	pp_text(&p, user_id);
	pp_int(&p, now);
	return pg_write(s, SQL_FEED_SET, &p, NULL);
}

enum store_err pg_feed_token_user(struct store *s, struct arena *a, const char *hash,
				  struct user_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	PGresult *r = pg_run(s, SQL_FEED_USER, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		pg_read_user(a, r, 0, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_feed_token_made(struct store *s, const char *user_id, int64_t *at)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	PGresult *r = pg_run(s, SQL_FEED_MADE, &p);
	if (!r)
		return STORE_ERROR;
	*at = PQntuples(r) ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_feed_token_delete(struct store *s, const char *user_id)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	return pg_write_one(s, SQL_FEED_DELETE, &p);
}
