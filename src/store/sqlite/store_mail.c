/*
 * store_mail.c - email rows (store_mail.h) in SQLite: addresses,
 * subscribers, the outbox, mailed links, a story's mailing, preferences.
 * One process writes (SQLite has one writer), so a claim needs no lock
 * beyond the statement's own.
 */
#include "store/sqlite/store_int.h"

#include <string.h>

/* ---- addresses ---- */
static const char SQL_EMAIL_SET[] =
	"INSERT INTO user_emails(user_id, email, verified_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, "
	"verified_at = excluded.verified_at";
static const char SQL_EMAIL_GET[] = "SELECT email FROM user_emails WHERE user_id = ?1";
static const char SQL_BY_EMAIL[] =
	"SELECT " USER_COLS("u") " FROM user_emails e JOIN users u ON u.id = e.user_id "
	"WHERE e.email = ?1";

enum store_err sq_user_email_set(struct store *s, const char *user_id, const char *email,
				 int64_t verified_at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_EMAIL_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, email);
	sqlite3_bind_int64(st, 3, verified_at);
	return exec_write(s, st);
}

enum store_err sq_user_email_get(struct store *s, struct arena *a, const char *user_id,
				 const char **email)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_EMAIL_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	*email = rc == SQLITE_ROW ? col_text(a, st, 0) : "";
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

enum store_err sq_user_by_email(struct store *s, struct arena *a, const char *email,
				struct user_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_BY_EMAIL);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, email);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_user(a, st, 0, out);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

/* ---- subscribers ---- */
#define SUB_COLS "id, writer_id, email, status, created_at, confirmed_at, asked_at, source"
static const char SQL_SUB_INSERT[] =
	"INSERT INTO subscribers(id, writer_id, email, status, created_at, confirmed_at, "
	"asked_at, source, token_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_SUB_GET[] =
	"SELECT " SUB_COLS " FROM subscribers WHERE writer_id = ?1 AND email = ?2";
static const char SQL_SUB_BY_ID[] = "SELECT " SUB_COLS " FROM subscribers WHERE id = ?1";
static const char SQL_SUB_BY_TOKEN[] =
	"SELECT " SUB_COLS " FROM subscribers WHERE token_hash = ?1";
static const char SQL_SUB_SET[] =
	"UPDATE subscribers SET status = ?2, "
	"confirmed_at = CASE WHEN ?2 = 'confirmed' THEN ?3 ELSE confirmed_at END, "
	"token_hash = CASE WHEN ?2 = 'confirmed' THEN NULL WHEN ?4 IS NOT NULL THEN ?4 "
	"ELSE token_hash END, "
	"asked_at = CASE WHEN ?5 > 0 THEN ?5 ELSE asked_at END WHERE id = ?1";
static const char SQL_SUB_DELETE[] = "DELETE FROM subscribers WHERE id = ?1";
static const char SQL_SUBS_OF[] =
	"SELECT " SUB_COLS " FROM subscribers WHERE writer_id = ?1 "
	"ORDER BY created_at DESC, id DESC LIMIT ?2";
static const char SQL_SUB_COUNT[] =
	"SELECT count(*) FROM subscribers WHERE writer_id = ?1 AND status = ?2";

static void read_sub(struct arena *a, sqlite3_stmt *st, struct subscriber_row *r)
{
	col_id(r->id, st, 0);
	col_id(r->writer_id, st, 1);
	r->email = col_text(a, st, 2);
	r->status = col_text(a, st, 3);
	r->created_at = sqlite3_column_int64(st, 4);
	r->confirmed_at = sqlite3_column_int64(st, 5);
	r->asked_at = sqlite3_column_int64(st, 6);
	r->source = col_text(a, st, 7);
}

enum store_err sq_subscriber_insert(struct store *s, const struct subscriber_row *r,
				    const char *token_hash)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SUB_INSERT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->writer_id);
	bind_text(st, 3, r->email);
	bind_text(st, 4, r->status);
	sqlite3_bind_int64(st, 5, r->created_at);
	sqlite3_bind_int64(st, 6, r->confirmed_at);
	sqlite3_bind_int64(st, 7, r->asked_at);
	bind_text(st, 8, r->source && r->source[0] ? r->source : "form");
	bind_text(st, 9, token_hash);
	return exec_write(s, st);
}

static enum store_err sub_one(struct store *s, struct arena *a, const char *sql, const char *p1,
			      const char *p2, struct subscriber_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, p1);
	if (p2)
		bind_text(st, 2, p2);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_sub(a, st, out);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_subscriber_get(struct store *s, struct arena *a, const char *writer_id,
				 const char *email, struct subscriber_row *out)
{
	return sub_one(s, a, SQL_SUB_GET, writer_id, email, out);
}

enum store_err sq_subscriber_by_id(struct store *s, struct arena *a, const char *id,
				   struct subscriber_row *out)
{
	return sub_one(s, a, SQL_SUB_BY_ID, id, NULL, out);
}

enum store_err sq_subscriber_by_token(struct store *s, struct arena *a, const char *token_hash,
				      struct subscriber_row *out)
{
	return sub_one(s, a, SQL_SUB_BY_TOKEN, token_hash, NULL, out);
}

static enum store_err write_one(struct store *s, sqlite3_stmt *st)
{
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_subscriber_set(struct store *s, const char *id, const char *status,
				 int64_t now, const char *token_hash, int64_t asked_at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SUB_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, now);
	bind_text(st, 4, token_hash);
	sqlite3_bind_int64(st, 5, asked_at);
	return write_one(s, st);
}

enum store_err sq_subscriber_delete(struct store *s, const char *id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SUB_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	return write_one(s, st);
}

enum store_err sq_subscribers_of(struct store *s, struct arena *a, const char *writer_id,
				 size_t max, struct subscriber_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SUBS_OF);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	size_t cap = 16, k = 0;
	struct subscriber_row *v = arena_alloc(a, cap * sizeof(*v));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			struct subscriber_row *w = arena_alloc(a, 2 * cap * sizeof(*v));
			memcpy(w, v, cap * sizeof(*v));
			v = w;
			cap *= 2;
		}
		read_sub(a, st, &v[k++]);
	}
	done(st);
	*rows = v;
	*n = k;
	return rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

static enum store_err count_of(struct store *s, const char *sql, const char *p1, const char *p2,
			       int64_t p3, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, p1);
	bind_text(st, 2, p2);
	if (p3 >= 0)
		sqlite3_bind_int64(st, 3, p3);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

enum store_err sq_subscriber_count(struct store *s, const char *writer_id, const char *status,
				   int64_t *n)
{
	return count_of(s, SQL_SUB_COUNT, writer_id, status, -1, n);
}

/* ---- the outbox ---- */
#define OUT_COLS \
	"id, kind, to_addr, domain, COALESCE(writer_id, ''), COALESCE(story_id, ''), " \
	"COALESCE(ref_id, ''), COALESCE(payload, ''), status, attempts, next_at, created_at, " \
	"sent_at, last_error"
static const char SQL_OUT_ADD[] =
	"INSERT INTO outbox(id, kind, to_addr, domain, writer_id, story_id, ref_id, payload, "
	"status, next_at, created_at) VALUES (?1, ?2, ?3, ?4, NULLIF(?5, ''), NULLIF(?6, ''), "
	"NULLIF(?7, ''), NULLIF(?8, ''), 'queued', ?9, ?10)";
static const char SQL_OUT_FAN_SUBS[] =
	"INSERT INTO outbox(id, kind, to_addr, domain, writer_id, story_id, ref_id, status, "
	"next_at, created_at) SELECT lower(hex(randomblob(8))), ?1, b.email, "
	"substr(b.email, instr(b.email, '@') + 1), ?3, ?2, b.id, 'queued', ?4, ?4 "
	"FROM subscribers b WHERE b.writer_id = ?3 AND b.status = 'confirmed'";
static const char SQL_OUT_FAN_CIRCLE[] =
	"INSERT INTO outbox(id, kind, to_addr, domain, writer_id, story_id, ref_id, status, "
	"next_at, created_at) SELECT lower(hex(randomblob(8))), ?1, e.email, "
	"substr(e.email, instr(e.email, '@') + 1), ?3, ?2, m.user_id, 'queued', ?4, ?4 "
	"FROM circle_members m JOIN user_emails e ON e.user_id = m.user_id "
	"WHERE m.circle_id = ?5 AND m.user_id <> ?3 "
	"AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.writer_id = ?3 AND b.blocked_id = m.user_id) "
	"AND NOT EXISTS (SELECT 1 FROM mail_prefs p WHERE p.user_id = m.user_id AND "
	"p.name = 'circle_mail' AND p.value = '0')";
static const char SQL_OUT_DUE[] =
	"SELECT " OUT_COLS " FROM outbox WHERE status = 'queued' AND next_at <= ?1 AND "
	"claimed_until <= ?1 ORDER BY next_at, created_at, id LIMIT ?2";
static const char SQL_OUT_CLAIM[] =
	"UPDATE outbox SET claimed_until = ?2, claimed_by = ?3 WHERE id = ?1";
static const char SQL_OUT_RELEASE[] =
	"UPDATE outbox SET claimed_until = 0, claimed_by = '' WHERE claimed_by = ?1 AND "
	"status = 'queued'";
static const char SQL_OUT_SENT[] =
	"UPDATE outbox SET status = 'sent', sent_at = ?2, payload = NULL, claimed_until = 0, "
	"last_error = '' WHERE id = ?1";
static const char SQL_OUT_RETRY[] =
	"UPDATE outbox SET attempts = attempts + 1, next_at = ?2, last_error = ?3, "
	"claimed_until = 0 WHERE id = ?1 AND status = 'queued'";
static const char SQL_OUT_FAIL[] =
	"UPDATE outbox SET status = 'failed', attempts = attempts + 1, sent_at = ?2, "
	"last_error = ?3, payload = NULL, claimed_until = 0 WHERE id = ?1";
static const char SQL_OUT_COUNTS[] =
	"SELECT COALESCE(sum(status = 'queued'), 0), COALESCE(sum(status = 'sent'), 0), "
	"COALESCE(sum(status = 'failed'), 0) FROM outbox";
static const char SQL_OUT_NEXT[] =
	"SELECT COALESCE(min(max(next_at, claimed_until)), 0) FROM outbox WHERE status = 'queued'";
static const char SQL_OUT_OF[] =
	"SELECT " OUT_COLS " FROM outbox WHERE writer_id = ?1 AND status = ?2 "
	"ORDER BY created_at DESC, id DESC LIMIT ?3";

static void read_out(struct arena *a, sqlite3_stmt *st, struct outbox_row *r)
{
	col_id(r->id, st, 0);
	r->kind = col_text(a, st, 1);
	r->to_addr = col_text(a, st, 2);
	r->domain = col_text(a, st, 3);
	col_id(r->writer_id, st, 4);
	col_id(r->story_id, st, 5);
	col_id(r->ref_id, st, 6);
	r->payload = col_text(a, st, 7);
	r->status = col_text(a, st, 8);
	r->attempts = sqlite3_column_int64(st, 9);
	r->next_at = sqlite3_column_int64(st, 10);
	r->created_at = sqlite3_column_int64(st, 11);
	r->sent_at = sqlite3_column_int64(st, 12);
	r->last_error = col_text(a, st, 13);
}

enum store_err sq_outbox_add(struct store *s, const struct outbox_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->kind);
	bind_text(st, 3, r->to_addr);
	bind_text(st, 4, r->domain);
	bind_text(st, 5, r->writer_id);
	bind_text(st, 6, r->story_id);
	bind_text(st, 7, r->ref_id);
	bind_text(st, 8, r->payload ? r->payload : "");
	sqlite3_bind_int64(st, 9, r->next_at);
	sqlite3_bind_int64(st, 10, r->created_at);
	return exec_write(s, st);
}

enum store_err sq_outbox_fanout(struct store *s, const char *kind, const char *story_id,
				const char *writer_id, const char *circle_id, int64_t now,
				int64_t *n)
{
	bool circle = circle_id && circle_id[0];
	sqlite3_stmt *st = stmt_cached(s, circle ? SQL_OUT_FAN_CIRCLE : SQL_OUT_FAN_SUBS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, kind);
	bind_text(st, 2, story_id);
	bind_text(st, 3, writer_id);
	sqlite3_bind_int64(st, 4, now);
	if (circle)
		bind_text(st, 5, circle_id);
	enum store_err e = exec_write(s, st);
	*n = e ? 0 : sqlite3_changes(SQ(s)->db);
	return e;
}

enum store_err sq_outbox_release(struct store *s, const char *who)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_RELEASE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, who);
	return exec_write(s, st);
}

enum store_err sq_outbox_claim(struct store *s, struct arena *a, const char *who, int64_t now,
			       int64_t lease_until, size_t max, struct outbox_row **rows,
			       size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!max)
		return STORE_OK;
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_DUE);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	struct outbox_row *v = arena_alloc(a, max * sizeof(*v));
	size_t k = 0;
	int rc = SQLITE_DONE;
	while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_out(a, st, &v[k++]);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		done(st);
		return err_of(s, rc);
	}
	done(st);
	for (size_t i = 0; i < k; i++) {
		sqlite3_stmt *c = stmt_cached(s, SQL_OUT_CLAIM);
		if (!c)
			return STORE_ERROR;
		bind_text(c, 1, v[i].id);
		sqlite3_bind_int64(c, 2, lease_until);
		bind_text(c, 3, who);
		enum store_err e = exec_write(s, c);
		if (e)
			return e;
	}
	*rows = v;
	*n = k;
	return STORE_OK;
}

static enum store_err out_write(struct store *s, const char *sql, const char *id, int64_t t,
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

enum store_err sq_outbox_sent(struct store *s, const char *id, int64_t now)
{
	return out_write(s, SQL_OUT_SENT, id, now, NULL);
}

enum store_err sq_outbox_retry(struct store *s, const char *id, int64_t next_at,
			       const char *error)
{
	return out_write(s, SQL_OUT_RETRY, id, next_at, error ? error : "");
}

enum store_err sq_outbox_fail(struct store *s, const char *id, int64_t now, const char *error)
{
	return out_write(s, SQL_OUT_FAIL, id, now, error ? error : "");
}

enum store_err sq_outbox_counts(struct store *s, int64_t *queued, int64_t *sent,
				int64_t *failed)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_COUNTS);
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

enum store_err sq_outbox_next(struct store *s, int64_t *at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_NEXT);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	*at = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

enum store_err sq_outbox_of(struct store *s, struct arena *a, const char *writer_id,
			    const char *status, size_t max, struct outbox_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_OF);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	struct outbox_row *v = arena_alloc(a, (max ? max : 1) * sizeof(*v));
	size_t k = 0;
	int rc = SQLITE_DONE;
	while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_out(a, st, &v[k++]);
	done(st);
	*rows = v;
	*n = k;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

static const char SQL_OUT_KIND[] =
	"SELECT " OUT_COLS " FROM outbox WHERE writer_id = ?1 AND kind = ?2 AND status = 'queued' "
	"ORDER BY created_at, id LIMIT ?3";

enum store_err sq_outbox_queued_kind(struct store *s, struct arena *a, const char *writer_id,
				     const char *kind, size_t max, struct outbox_row **rows,
				     size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_OUT_KIND);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, writer_id);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	struct outbox_row *v = arena_alloc(a, (max ? max : 1) * sizeof(*v));
	size_t k = 0;
	int rc = SQLITE_DONE;
	while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_out(a, st, &v[k++]);
	done(st);
	*rows = v;
	*n = k;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}

/* ---- mailed links ---- */
static const char SQL_TOK_ADD[] =
	"INSERT INTO mail_tokens(hash, kind, user_id, email, ref_id, created_at, expires_at) "
	"VALUES (?1, ?2, NULLIF(?3, ''), ?4, NULLIF(?5, ''), ?6, ?7)";
static const char SQL_TOK_GET[] =
	"SELECT kind, COALESCE(user_id, ''), email, COALESCE(ref_id, ''), created_at, "
	"expires_at, used_at FROM mail_tokens WHERE hash = ?1 AND kind = ?2 AND used_at = 0 AND "
	"expires_at > ?3";
static const char SQL_TOK_USE[] =
	"UPDATE mail_tokens SET used_at = ?3 WHERE hash = ?1 AND kind = ?2 AND used_at = 0 AND "
	"expires_at > ?3";
static const char SQL_TOK_COUNT[] =
	"SELECT count(*) FROM mail_tokens WHERE kind = ?1 AND email = ?2 AND created_at >= ?3";

enum store_err sq_mail_token_add(struct store *s, const char *hash, const struct mail_token_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TOK_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, hash);
	bind_text(st, 2, r->kind);
	bind_text(st, 3, r->user_id);
	bind_text(st, 4, r->email);
	bind_text(st, 5, r->ref_id);
	sqlite3_bind_int64(st, 6, r->created_at);
	sqlite3_bind_int64(st, 7, r->expires_at);
	return exec_write(s, st);
}

enum store_err sq_mail_token_get(struct store *s, struct arena *a, const char *hash,
				 const char *kind, int64_t now, struct mail_token_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TOK_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, hash);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->kind = col_text(a, st, 0);
		col_id(out->user_id, st, 1);
		out->email = col_text(a, st, 2);
		col_id(out->ref_id, st, 3);
		out->created_at = sqlite3_column_int64(st, 4);
		out->expires_at = sqlite3_column_int64(st, 5);
		out->used_at = sqlite3_column_int64(st, 6);
	}
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_mail_token_use(struct store *s, const char *hash, const char *kind, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TOK_USE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, hash);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, now);
	return write_one(s, st);
}

enum store_err sq_mail_token_count(struct store *s, const char *kind, const char *email,
				   int64_t since, int64_t *n)
{
	return count_of(s, SQL_TOK_COUNT, kind, email, since, n);
}

/* ---- a story's mailing ---- */
static const char SQL_SMAIL_GET[] = "SELECT skip, mailed_at FROM story_mail WHERE story_id = ?1";
static const char SQL_SMAIL_MARK[] =
	"INSERT INTO story_mail(story_id, skip, mailed_at) VALUES (?1, 0, ?2)";
static const char SQL_SMAIL_SKIP[] =
	"INSERT INTO story_mail(story_id, skip, mailed_at) VALUES (?1, ?2, 0) "
	"ON CONFLICT(story_id) DO UPDATE SET skip = excluded.skip WHERE story_mail.mailed_at = 0";

enum store_err sq_story_mail_mark(struct store *s, const char *story_id, int64_t now, bool *first)
{
	*first = false;
	sqlite3_stmt *st = stmt_cached(s, SQL_SMAIL_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	int rc = sqlite3_step(st);
	done(st);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc != SQLITE_DONE)
		return err_of(s, rc);
	st = stmt_cached(s, SQL_SMAIL_MARK);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	sqlite3_bind_int64(st, 2, now);
	enum store_err e = exec_write(s, st);
	*first = e == STORE_OK;
	return e;
}

enum store_err sq_story_mail_skip(struct store *s, const char *story_id, bool skip)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SMAIL_SKIP);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	sqlite3_bind_int(st, 2, skip ? 1 : 0);
	return exec_write(s, st);
}

/* ---- preferences ---- */
static const char SQL_PREF_GET[] =
	"SELECT value FROM mail_prefs WHERE user_id = ?1 AND name = ?2";
static const char SQL_PREF_SET[] =
	"INSERT INTO mail_prefs(user_id, name, value) VALUES (?1, ?2, ?3) "
	"ON CONFLICT(user_id, name) DO UPDATE SET value = excluded.value";

enum store_err sq_mail_pref_get(struct store *s, struct arena *a, const char *user_id,
				const char *name, const char *def, const char **val)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PREF_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, name);
	int rc = sqlite3_step(st);
	*val = rc == SQLITE_ROW ? col_text(a, st, 0) : def;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

enum store_err sq_mail_pref_set(struct store *s, const char *user_id, const char *name,
				const char *val)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PREF_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, name);
	bind_text(st, 3, val);
	return exec_write(s, st);
}

/* ---- private feeds ---- */
static const char SQL_FEED_SET[] =
	"INSERT INTO feed_tokens(token_hash, user_id, created_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT(user_id) DO UPDATE SET token_hash = excluded.token_hash, "
	"created_at = excluded.created_at";
static const char SQL_FEED_USER[] =
	"SELECT " USER_COLS("u") " FROM feed_tokens f JOIN users u ON u.id = f.user_id "
	"WHERE f.token_hash = ?1";
static const char SQL_FEED_MADE[] = "SELECT created_at FROM feed_tokens WHERE user_id = ?1";
static const char SQL_FEED_DELETE[] = "DELETE FROM feed_tokens WHERE user_id = ?1";

enum store_err sq_feed_token_set(struct store *s, const char *user_id, const char *hash,
				 int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FEED_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, hash);
	bind_text(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}

enum store_err sq_feed_token_user(struct store *s, struct arena *a, const char *hash,
				  struct user_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FEED_USER);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, hash);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_user(a, st, 0, out);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_feed_token_made(struct store *s, const char *user_id, int64_t *at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FEED_MADE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	int rc = sqlite3_step(st);
	*at = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
}

enum store_err sq_feed_token_delete(struct store *s, const char *user_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FEED_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	enum store_err e = exec_write(s, st);
	return e ? e : sqlite3_changes(SQ(s)->db) ? STORE_OK : STORE_NOT_FOUND;
}
