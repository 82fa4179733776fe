/*
 * pg_int.h - private to the PostgreSQL backend: the connection struct and
 * the helpers every store_pg_*.c file uses to run statements and read rows.
 *
 * Statements are static const strings with $1, $2, ... parameters, all
 * passed as text (PostgreSQL casts them to the column types). pg_run()
 * prepares each once per connection (keyed by the string's address) and
 * executes the prepared statement afterwards: one round trip per call.
 * Parameters are collected in a struct pg_params:
 *
 *	struct pg_params p = {0};
 *	pp_text(&p, id);
 *	pp_int(&p, now);
 *	PGresult *r = pg_run(s, SQL_X, &p);
 *	if (!r)
 *		return STORE_ERROR;
 *	... pg_text(a, r, 0, 0) ...
 *	PQclear(r);
 *
 * pg_write() runs a statement that returns no rows and maps a unique
 * violation to STORE_CONFLICT. A lost connection is reset before the
 * next statement outside a transaction (prepared statements are prepared
 * again); inside one, the transaction fails and the caller's rollback
 * ends it.
 */
#ifndef QUIRE_STORE_PG_PG_INT_H
#define QUIRE_STORE_PG_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/backend.h"
#include "store/pg/pq_dl.h"

#define PG_STMT_CACHE 256

/* Advisory lock keys (one 64-bit key, or two 32-bit ones), each named
 * here so that none is taken twice by accident:
 *  7150        every explicit transaction (pg_begin: one writer at a time)
 *  7151        schema migrations (store_pg.c)
 *  7152, id    a story's schedule being claimed (store_pg_desk.c): the
 *              only session-level locks; every other lock is taken for a
 *              transaction, since pg_schedule_due() releases all of the
 *              session's locks
 *  7160-7162   sign-in counts, circle joins (store_pg_signin.c,
 *              store_pg_circles.c; taken inside a transaction) */
#define PG_LOCK_WRITER "7150"
#define PG_MAX_PARAMS 24

struct pg_store {
	struct store base; /* first: a struct store * is a struct pg_store * */
	PGconn *conn;
	char *url;
	int version;
	struct {
		const char *sql;
		char name[12];
	} prep[PG_STMT_CACHE];
	size_t nprep;
	int txn_depth;        /* store_begin() .. store_commit()/store_rollback() */
	bool txn_failed;      /* a statement in the open transaction failed */
	int64_t own;          /* this connection's committed writes */
	int64_t heard;        /* change notifications received */
	bool listening;       /* LISTEN quire_change holds on this connection */
	int64_t heard_ms;     /* when notifications were last read (monotonic) */
	int64_t retry_ms;     /* a broken connection is tried again from then */
	char state[6];        /* SQLSTATE of the last failed statement */
	char *columns[64];    /* store_pg_dump.c: ",col,col," of each store_tables entry */
};

static inline struct pg_store *PG(struct store *s)
{
	return (struct pg_store *)s;
}

/* The backend's side of every store function (store_fns.h): pg_NAME. */
#define STORE_FN(ret, name, params, args) ret pg_##name params;
#define STORE_FN_VOID(name, params, args) void pg_##name params;
#define STORE_FN_OWN STORE_FN
#include "store/store_fns.h"
#undef STORE_FN
#undef STORE_FN_VOID
#undef STORE_FN_OWN
enum store_err pg_open(const char *url, struct store **out, char *err, size_t errlen);
void pg_close(struct store *s);

struct pg_params {
	int n;
	const char *v[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};
/* Append a parameter: text (NULL is SQL NULL), an integer, a boolean. */
void pp_text(struct pg_params *p, const char *v);
void pp_int(struct pg_params *p, int64_t v);
void pp_bool(struct pg_params *p, bool v);
/* "" as NULL (optional ids such as circle_id, parent_id). */
void pp_opt(struct pg_params *p, const char *v);

/* Run sql (static string) with p (NULL: none); the result (rows or
 * command status), or NULL after logging the error. The caller PQclear()s. */
PGresult *pg_run(struct store *s, const char *sql, const struct pg_params *p);
/* pg_run with parameters given as libpq takes them (formats[i] 1:
 * binary, with lengths[i]), and results in binary when result_format is
 * 1: for bytes (photo blobs). */
PGresult *pg_run_binary(struct store *s, const char *sql, int n, const char *const *values,
			const int *lengths, const int *formats, int result_format);
/* Run a statement without result rows: OK, CONFLICT on a unique
 * violation, ERROR otherwise. *changed (may be NULL) gets the row count. */
enum store_err pg_write(struct store *s, const char *sql, const struct pg_params *p,
			int64_t *changed);
/* pg_write of a statement that must touch a row: NOT_FOUND when none. */
enum store_err pg_write_one(struct store *s, const char *sql, const struct pg_params *p);
/* Run sql with p, reading column 0 of every row as text into *out
 * (arena; never NULL on OK). */
enum store_err pg_texts(struct store *s, struct arena *a, const char *sql,
			const struct pg_params *p, const char ***out, size_t *n);
/* A plain statement with no parameters, not prepared (BEGIN, LISTEN...). */
enum store_err pg_exec(struct store *s, const char *sql);

/* Column readers: text into a (a NULL reads as ""), integers (NULL: 0),
 * booleans, and a 16-character id into out. */
const char *pg_text(struct arena *a, const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
bool pg_bool(const PGresult *r, int row, int col);
void pg_id(char out[17], const PGresult *r, int row, int col);

/* The SQL state of the last failed statement ("" when none). */
const char *pg_last_state(struct store *s);

/* USER_COLS, read from column first on: the same order in every query. */
#define PG_USER_COLS(u) u ".id, " u ".handle, " u ".name, " u ".bio, " u ".password_hash, " \
	u ".is_admin, " u ".created_at, " u ".time_zone, " u ".suspended_at"
void pg_read_user(struct arena *a, const PGresult *r, int row, int first, struct user_row *out);

#define PG_STORY_COLS \
	"s.id, s.author_id, s.slug, s.title, s.subtitle, s.body, s.body_html, s.excerpt, " \
	"s.word_count, s.status, COALESCE(s.published_at, 0), s.created_at, s.updated_at, " \
	"COALESCE(s.edited_at, 0), u.handle, u.name, s.audience, COALESCE(s.circle_id, ''), " \
	"s.content_note, COALESCE(s.share_key, ''), s.responses, s.responders, u.suspended_at, " \
	"s.canonical_url"
/* Fill out from row of a result selected with PG_STORY_COLS first. */
void pg_read_story(struct arena *a, const PGresult *r, int row, struct story_row *out);

/* Rows of (user id, handle, name, time) into *rows (arena). */
void pg_read_members(struct arena *a, const PGresult *r, struct member_row **rows, size_t *n);

/*
 * The audience rule for listings, the SQL twin of audience_may_see_story()
 * (see the SQLite backend's AUDIENCE_SQL, which it must equal; the
 * conformance suite checks both against the C predicate). The viewer is
 * the parameter named by VIEWER, '' for an anonymous reader.
 */
#define PG_AUDIENCE_SQL(VIEWER) \
	"(s.deleted_at IS NULL AND (s.author_id = " VIEWER " OR (s.status = 'published' AND " \
	"u.suspended_at = 0 AND " \
	"(s.audience = 'public' OR (s.audience = 'circle' AND EXISTS (SELECT 1 FROM " \
	"circle_members cm WHERE cm.circle_id = s.circle_id AND cm.user_id = " VIEWER ") AND " \
	"NOT EXISTS (SELECT 1 FROM blocks b WHERE b.writer_id = s.author_id AND " \
	"b.blocked_id = " VIEWER "))))))"

/* The photo rule for a reader who is nobody in particular (share cards). */
#define PG_PHOTO_FOR_ALL_SQL "(p.audience = 'story')"

/* Re-index one story for full-text search (store_pg_search.c). */
enum store_err pg_fts_refresh(struct store *s, const char *story_id);

/* Whether the connection can run a statement now: a broken one is reset
 * (at most once a second, so a database that is down costs requests no
 * wait), prepared statements forgotten and LISTEN renewed. Never inside a
 * transaction: that one is lost and the caller rolls it back. */
bool pg_ready(struct store *s);

/* store_pg_stamp.c: start listening for changes (called by pg_open and
 * after a reconnect), and count a committed write of this connection. */
enum store_err pg_listen(struct store *s);
void pg_count_write(struct store *s);

#endif
