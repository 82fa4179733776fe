/* pg_int.c - running statements and reading rows; see pg_int.h. */
#include "store/pg/pg_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void pp_text(struct pg_params *p, const char *v)
{
	if (p->n < PG_MAX_PARAMS)
		p->v[p->n] = v;
	p->n++;
}

void pp_opt(struct pg_params *p, const char *v)
{
	pp_text(p, v && *v ? v : NULL);
}

void pp_int(struct pg_params *p, int64_t v)
{
	if (p->n < PG_MAX_PARAMS) {
		snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, v);
		p->v[p->n] = p->num[p->n];
	}
	p->n++;
}

void pp_bool(struct pg_params *p, bool v)
{
	pp_text(p, v ? "t" : "f");
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool pg_ready(struct store *s)
{
	struct pg_store *q = PG(s);
	if (PQstatus(q->conn) == CONNECTION_OK)
		return true;
	if (q->txn_depth > 0)
		return false; /* the transaction is lost: the caller rolls back */
	int64_t now = now_ms();
	if (now < q->retry_ms)
		return false;
	PQreset(q->conn);
	if (PQstatus(q->conn) != CONNECTION_OK) {
		q->retry_ms = now + 1000;
		return false;
	}
	fprintf(stderr, "quire: store: reconnected to PostgreSQL\n");
	q->retry_ms = 0;
	q->nprep = 0;
	q->listening = false;
	return pg_listen(s) == STORE_OK;
}

static void log_error(struct store *s, const char *what, const PGresult *r, const char *sql)
{
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(PG(s)->conn);
	fprintf(stderr, "quire: store: %s: %s%s%.200s\n", what, msg && *msg ? msg : "failed\n",
		sql ? "  " : "", sql ? sql : "");
}

/* The name of sql's prepared statement, preparing it first if needed. */
static const char *prepared(struct store *s, const char *sql, int nparams)
{
	struct pg_store *q = PG(s);
	for (size_t i = 0; i < q->nprep; i++)
		if (q->prep[i].sql == sql)
			return q->prep[i].name;
	if (q->nprep == PG_STMT_CACHE) {
		fprintf(stderr, "quire: store: statement cache full\n");
		return NULL;
	}
	char *name = q->prep[q->nprep].name;
	snprintf(name, sizeof(q->prep[q->nprep].name), "q%zu", q->nprep);
	PGresult *r = PQprepare(q->conn, name, sql, nparams, NULL);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_error(s, "cannot prepare", r, sql);
	PQclear(r);
	if (!ok)
		return NULL;
	q->prep[q->nprep].sql = sql;
	return q->prep[q->nprep++].name;
}

/* A statement that only reads, so running it twice is harmless. */
static bool reads_only(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	return !strncasecmp(sql, "SELECT", 6);
}

static PGresult *run_once(struct store *s, const char *sql, int n, const char *const *values,
			  const int *lengths, const int *formats, int result_format);

/* A connection that died while idle (the server restarted) is found out
 * only by the next statement, which fails. Outside a transaction a read
 * is run once more on a new connection, so the first request after a
 * restart is answered; a write is not, since it may have been applied. */
static PGresult *run(struct store *s, const char *sql, int n, const char *const *values,
		     const int *lengths, const int *formats, int result_format)
{
	struct pg_store *q = PG(s);
	bool was_ok = PQstatus(q->conn) == CONNECTION_OK;
	PGresult *r = run_once(s, sql, n, values, lengths, formats, result_format);
	if (!r && was_ok && q->txn_depth == 0 && PQstatus(q->conn) == CONNECTION_BAD &&
	    reads_only(sql))
		r = run_once(s, sql, n, values, lengths, formats, result_format);
	return r;
}

static PGresult *run_once(struct store *s, const char *sql, int n, const char *const *values,
			  const int *lengths, const int *formats, int result_format)
{
	struct pg_store *q = PG(s);
	char *last_state = q->state;
	last_state[0] = '\0';
	if (n > PG_MAX_PARAMS) {
		fprintf(stderr, "quire: store: too many parameters\n  %.200s\n", sql);
		return NULL;
	}
	if (!pg_ready(s)) {
		log_error(s, "no connection", NULL, NULL);
		if (q->txn_depth > 0)
			q->txn_failed = true;
		return NULL;
	}
	const char *name = prepared(s, sql, n);
	if (!name) {
		if (q->txn_depth > 0)
			q->txn_failed = true;
		return NULL;
	}
	PGresult *r = PQexecPrepared(q->conn, name, n, values, lengths, formats, result_format);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return r;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(last_state, sizeof(q->state), "%s", state ? state : "");
	/* A constraint violation is an answer (CONFLICT), not a fault to log. */
	if (strncmp(last_state, "23", 2) != 0)
		log_error(s, "statement failed", r, sql);
	if (q->txn_depth > 0)
		q->txn_failed = true;
	PQclear(r);
	return NULL;
}

PGresult *pg_run(struct store *s, const char *sql, const struct pg_params *p)
{
	return run(s, sql, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
}

PGresult *pg_run_binary(struct store *s, const char *sql, int n, const char *const *values,
			const int *lengths, const int *formats, int result_format)
{
	return run(s, sql, n, values, lengths, formats, result_format);
}

const char *pg_last_state(struct store *s)
{
	return PG(s)->state;
}

enum store_err pg_write(struct store *s, const char *sql, const struct pg_params *p,
			int64_t *changed)
{
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		/* Any integrity constraint (class 23: unique, foreign key, not
		 * null, check), as SQLite's SQLITE_CONSTRAINT is. */
		return strncmp(PG(s)->state, "23", 2) == 0 ? STORE_CONFLICT : STORE_ERROR;
	if (changed) {
		const char *t = PQcmdTuples(r);
		*changed = t && *t ? strtoll(t, NULL, 10) : 0;
	}
	PQclear(r);
	pg_count_write(s);
	return STORE_OK;
}

enum store_err pg_write_one(struct store *s, const char *sql, const struct pg_params *p)
{
	int64_t n = 0;
	enum store_err e = pg_write(s, sql, p, &n);
	return e ? e : n ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err pg_exec(struct store *s, const char *sql)
{
	if (!pg_ready(s))
		return STORE_ERROR;
	PGresult *r = PQexec(PG(s)->conn, sql);
	bool ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK ||
			PQresultStatus(r) == PGRES_TUPLES_OK);
	if (!ok)
		log_error(s, "statement failed", r, sql);
	PQclear(r);
	return ok ? STORE_OK : STORE_ERROR;
}

const char *pg_text(struct arena *a, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return arena_strdup(a, "");
	return arena_strdup(a, PQgetvalue(r, row, col));
}

enum store_err pg_texts(struct store *s, struct arena *a, const char *sql,
			const struct pg_params *p, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	const char **v = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(*v));
	for (int i = 0; i < nt; i++)
		v[i] = pg_text(a, r, i, 0);
	PQclear(r);
	*out = v;
	*n = (size_t)nt;
	return STORE_OK;
}

int64_t pg_int(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool pg_bool(const PGresult *r, int row, int col)
{
	const char *v = PQgetvalue(r, row, col);
	return v[0] == 't' || v[0] == '1';
}

void pg_id(char out[17], const PGresult *r, int row, int col)
{
	snprintf(out, 17, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

void pg_read_user(struct arena *a, const PGresult *r, int row, int first, struct user_row *out)
{
	pg_id(out->id, r, row, first);
	out->handle = pg_text(a, r, row, first + 1);
	out->name = pg_text(a, r, row, first + 2);
	out->bio = pg_text(a, r, row, first + 3);
	out->password_hash = pg_text(a, r, row, first + 4);
	out->is_admin = pg_bool(r, row, first + 5);
	out->created_at = pg_int(r, row, first + 6);
	out->time_zone = pg_text(a, r, row, first + 7);
	out->suspended_at = pg_int(r, row, first + 8);
}

void pg_read_story(struct arena *a, const PGresult *r, int row, struct story_row *out)
{
	memset(out, 0, sizeof(*out));
	pg_id(out->id, r, row, 0);
	pg_id(out->author_id, r, row, 1);
	out->slug = pg_text(a, r, row, 2);
	out->title = pg_text(a, r, row, 3);
	out->subtitle = pg_text(a, r, row, 4);
	out->body = pg_text(a, r, row, 5);
	out->body_html = pg_text(a, r, row, 6);
	out->excerpt = pg_text(a, r, row, 7);
	out->word_count = pg_int(r, row, 8);
	if (!story_status_parse(PQgetvalue(r, row, 9), &out->status))
		out->status = STATUS_DRAFT;
	out->published_at = pg_int(r, row, 10);
	out->created_at = pg_int(r, row, 11);
	out->updated_at = pg_int(r, row, 12);
	out->edited_at = pg_int(r, row, 13);
	out->author_handle = pg_text(a, r, row, 14);
	out->author_name = pg_text(a, r, row, 15);
	if (!story_audience_parse(PQgetvalue(r, row, 16), &out->audience))
		out->audience = AUDIENCE_PRIVATE;
	pg_id(out->circle_id, r, row, 17);
	out->content_note = pg_text(a, r, row, 18);
	pg_id(out->share_key, r, row, 19);
	out->responses = pg_text(a, r, row, 20);
	out->responders = pg_text(a, r, row, 21);
	out->author_suspended = pg_int(r, row, 22) != 0;
	out->canonical_url = pg_text(a, r, row, 23);
}

void pg_read_members(struct arena *a, const PGresult *r, struct member_row **rows, size_t *n)
{
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++) {
		struct member_row *m = &(*rows)[i];
		pg_id(m->user_id, r, i, 0);
		m->handle = pg_text(a, r, i, 1);
		m->name = pg_text(a, r, i, 2);
		m->joined_at = pg_int(r, i, 3);
	}
}
