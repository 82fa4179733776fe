/* store_int.c - statement cache and bind/read helpers; see store_int.h. */
#include "store/sqlite/store_int.h"

#include <stdio.h>
#include <string.h>

static const char SQL_READ_BEGIN[] = "BEGIN";
static const char SQL_READ_END[] = "COMMIT";

static sqlite3_stmt *find_or_prepare(struct store *s, const char *sql);

static void step_once(struct store *s, const char *sql)
{
	sqlite3_stmt *st = find_or_prepare(s, sql);
	if (st) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
}

void sq_read_end(struct store *s)
{
	SQ(s)->read_wanted = false;
	if (SQ(s)->reading) {
		SQ(s)->reading = false;
		if (!sqlite3_get_autocommit(SQ(s)->db))
			step_once(s, SQL_READ_END);
	}
}

void sq_read_begin(struct store *s)
{
	sq_read_end(s);
	SQ(s)->read_wanted = true;
}

/* Inside sq_read_begin() .. sq_read_end(): the first read opens the
 * transaction that later reads share; a write closes it first, so it runs
 * as it would have (its own transaction, never an upgraded snapshot). */
static void read_guard(struct store *s, sqlite3_stmt *st)
{
	if (!SQ(s)->read_wanted)
		return;
	if (!sqlite3_stmt_readonly(st)) {
		sq_read_end(s);
		return;
	}
	if (!SQ(s)->reading && sqlite3_get_autocommit(SQ(s)->db)) {
		step_once(s, SQL_READ_BEGIN);
		SQ(s)->reading = !sqlite3_get_autocommit(SQ(s)->db);
	}
}

sqlite3_stmt *stmt_cached(struct store *s, const char *sql)
{
	sqlite3_stmt *st = find_or_prepare(s, sql);
	if (st)
		read_guard(s, st);
	return st;
}

static sqlite3_stmt *find_or_prepare(struct store *s, const char *sql)
{
	for (size_t i = 0; i < SQ(s)->ncache; i++)
		if (SQ(s)->cache[i].sql == sql)
			return SQ(s)->cache[i].st;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(SQ(s)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "quire: store: cannot prepare: %s\n  %s\n", sqlite3_errmsg(SQ(s)->db), sql);
		return NULL;
	}
	if (SQ(s)->ncache == STORE_STMT_CACHE) {
		/* Not expected: the statement set is static. Still correct,
		 * just not cached: the caller's done() would leak it, so refuse. */
		fprintf(stderr, "quire: store: statement cache full\n");
		sqlite3_finalize(st);
		return NULL;
	}
	SQ(s)->cache[SQ(s)->ncache].sql = sql;
	SQ(s)->cache[SQ(s)->ncache].st = st;
	SQ(s)->ncache++;
	return st;
}

void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i)
		bind_text(st, i, v);
}

void bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i)
		sqlite3_bind_int64(st, i, v);
}

const char *col_text(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	return arena_strndup(a, t ? (const char *)t : "", (size_t)n);
}

enum store_err collect_texts(struct store *s, struct arena *a, sqlite3_stmt *st,
			     const char ***out, size_t *n)
{
	size_t cap = 16;
	const char **v = arena_alloc(a, cap * sizeof(*v));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			const char **bigger = arena_alloc(a, 2 * cap * sizeof(*bigger));
			memcpy(bigger, v, cap * sizeof(*bigger));
			v = bigger;
			cap *= 2;
		}
		v[(*n)++] = col_text(a, st, 0);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	*out = v;
	return e;
}

void col_id(char out[17], sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, 17, "%s", t ? (const char *)t : "");
}

enum store_err err_of(struct store *s, int rc)
{
	if (rc == SQLITE_CONSTRAINT)
		return STORE_CONFLICT;
	fprintf(stderr, "quire: store: %s\n", sqlite3_errmsg(SQ(s)->db));
	return STORE_ERROR;
}

void read_user(struct arena *a, sqlite3_stmt *st, int first, struct user_row *out)
{
	col_id(out->id, st, first);
	out->handle = col_text(a, st, first + 1);
	out->name = col_text(a, st, first + 2);
	out->bio = col_text(a, st, first + 3);
	out->password_hash = col_text(a, st, first + 4);
	out->is_admin = sqlite3_column_int(st, first + 5) != 0;
	out->created_at = sqlite3_column_int64(st, first + 6);
	out->time_zone = col_text(a, st, first + 7);
	out->suspended_at = sqlite3_column_int64(st, first + 8);
}

enum store_err exec_write(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc != SQLITE_DONE)
		e = err_of(s, sqlite3_extended_errcode(SQ(s)->db) & 0xff);
	done(st);
	return e;
}

enum store_err collect_members(struct store *s, struct arena *a, sqlite3_stmt *st,
			       struct member_row **rows, size_t *n)
{
	size_t cap = 16;
	*rows = arena_alloc(a, cap * sizeof(**rows));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct member_row *nr = arena_alloc(a, 2 * cap * sizeof(*nr));
			memcpy(nr, *rows, cap * sizeof(*nr));
			*rows = nr;
			cap *= 2;
		}
		struct member_row *m = &(*rows)[(*n)++];
		col_id(m->user_id, st, 0);
		m->handle = col_text(a, st, 1);
		m->name = col_text(a, st, 2);
		m->joined_at = sqlite3_column_int64(st, 3);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}
