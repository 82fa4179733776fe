/*
 * store_pg_signin.c - sign-in attempts (PostgreSQL): the counts the
 * sign-in throttle decides on and the rows it writes; a password change
 * (new hash) and ending a user's other sessions. The twin of
 * sqlite/store_signin.c; the rules are in accounts/accounts.c.
 *
 * An attempt is named by signin_attempts.id, an identity column (SQLite
 * uses its rowid), which store_signin_add() returns.
 *
 * store.h has the caller run counts and add in one transaction "so that
 * no other attempt slips in between". SQLite gets that from its single
 * writer; PostgreSQL's READ COMMITTED does not (two transactions count
 * the same rows, then both add). So inside a transaction the counts
 * first take a transaction-scoped advisory lock (key 7160, 0; released
 * at commit or rollback), and the counting statement, which runs after
 * it, sees every attempt committed before. Outside a transaction there
 * is nothing to hold, and no lock is taken.
 */
#include "store/pg/pg_int.h"

/* $1 handle, $2 addr, $3 since, $4 slow_since, $5 known_since. */
static const char SQL_COUNTS[] =
	"SELECT "
	"(SELECT count(*) FROM signin_attempts WHERE handle = $1 AND addr = $2 AND at >= $3 "
	"AND state <> 'ok'), "
	"(SELECT COALESCE(min(at), 0) FROM signin_attempts WHERE handle = $1 AND addr = $2 "
	"AND at >= $3 AND state <> 'ok'), "
	"(SELECT count(*) FROM signin_attempts WHERE addr = $2 AND at >= $3 AND state <> 'ok'), "
	"(SELECT COALESCE(min(at), 0) FROM signin_attempts WHERE addr = $2 AND at >= $3 "
	"AND state <> 'ok'), "
	"(SELECT count(*) FROM signin_attempts WHERE handle = $1 AND at >= $4 AND state <> 'ok'), "
	"(SELECT count(DISTINCT addr) FROM signin_attempts WHERE handle = $1 AND at >= $4 "
	"AND state <> 'ok'), "
	"(SELECT COALESCE(max(at), 0) FROM signin_attempts WHERE handle = $1 AND at >= $4 "
	"AND state <> 'ok'), "
	"EXISTS (SELECT 1 FROM signin_attempts WHERE handle = $1 AND addr = $2 AND at >= $5 "
	"AND state = 'ok')";
static const char SQL_LOCK[] = "SELECT pg_advisory_xact_lock(7160, 0)";
static const char SQL_ADD[] =
	"INSERT INTO signin_attempts(handle, addr, at, state) VALUES ($1, $2, $3, 'pending') "
	"RETURNING id";
static const char SQL_FINISH[] = "UPDATE signin_attempts SET state = $2 WHERE id = $1";
static const char SQL_DROP[] = "DELETE FROM signin_attempts WHERE id = $1";
static const char SQL_PRUNE[] =
	"DELETE FROM signin_attempts WHERE (state <> 'ok' AND at < $1) OR (state = 'ok' AND at < $2)";

enum store_err pg_signin_counts(struct store *s, const char *handle, const char *addr,
				int64_t since, int64_t slow_since, int64_t known_since,
				struct signin_counts *out)
{
	if (PG(s)->txn_depth > 0) {
		PGresult *l = pg_run(s, SQL_LOCK, NULL);
		if (!l)
			return STORE_ERROR;
		PQclear(l);
	}
	struct pg_params p = {0};
	pp_text(&p, handle);
	pp_text(&p, addr);
	pp_int(&p, since);
	pp_int(&p, slow_since);
	pp_int(&p, known_since);
	PGresult *r = pg_run(s, SQL_COUNTS, &p);
	if (!r)
		return STORE_ERROR;
	out->pair = pg_int(r, 0, 0);
	out->pair_oldest = pg_int(r, 0, 1);
	out->addr = pg_int(r, 0, 2);
	out->addr_oldest = pg_int(r, 0, 3);
	out->account = pg_int(r, 0, 4);
	out->account_addrs = pg_int(r, 0, 5);
	out->account_last = pg_int(r, 0, 6);
	out->known = pg_bool(r, 0, 7);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_signin_add(struct store *s, const char *handle, const char *addr, int64_t now,
			     int64_t *id)
{
	struct pg_params p = {0};
	pp_text(&p, handle);
	pp_text(&p, addr);
	pp_int(&p, now);
	PGresult *r = pg_run(s, SQL_ADD, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_ERROR;
	if (PQntuples(r) == 1) {
		*id = pg_int(r, 0, 0);
		e = STORE_OK;
	}
	PQclear(r);
	if (!e)
		pg_count_write(s);
	return e;
}

enum store_err pg_signin_finish(struct store *s, int64_t id, const char *state)
{
	struct pg_params p = {0};
	pp_int(&p, id);
	if (state)
		pp_text(&p, state);
	return pg_write(s, state ? SQL_FINISH : SQL_DROP, &p, NULL);
}

enum store_err pg_signin_prune(struct store *s, int64_t failed_before, int64_t ok_before)
{
	struct pg_params p = {0};
	pp_int(&p, failed_before);
	pp_int(&p, ok_before);
	return pg_write(s, SQL_PRUNE, &p, NULL);
}

static const char SQL_SET_PASSWORD[] = "UPDATE users SET password_hash = $2 WHERE id = $1";
/* keep NULL ends every session, as no token hash is ''. */
static const char SQL_SESSIONS_OTHERS[] =
	"DELETE FROM sessions WHERE user_id = $1 AND token_hash <> COALESCE($2::text, '')";

enum store_err pg_user_set_password(struct store *s, const char *id, const char *hash)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, hash);
	return pg_write_one(s, SQL_SET_PASSWORD, &p);
}

enum store_err pg_session_delete_others(struct store *s, const char *user_id, const char *keep)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, keep);
	return pg_write(s, SQL_SESSIONS_OTHERS, &p, NULL);
}
