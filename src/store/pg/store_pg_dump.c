/*
 * store_pg_dump.c - the PostgreSQL side of the whole-site dump (store.h:
 * dump, load_row, load_done, table_count): rows as JSON objects, read in
 * one REPEATABLE READ snapshot; loaded with the columns a row names, each
 * checked against the table's own.
 */
#include "store/pg/pg_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23

/* Derived columns, rebuilt by pg_load_done(), and PostgreSQL's own. */
static bool derived(const char *table, const char *col)
{
	return strcmp(table, "stories") == 0 && strcmp(col, "search_doc") == 0;
}

static bool known_table(const char *name)
{
	for (size_t t = 0; store_tables[t]; t++)
		if (strcmp(store_tables[t], name) == 0)
			return true;
	return false;
}

static json_t *row_json(const char *table, const PGresult *r, int row)
{
	json_t *o = json_object();
	for (int c = 0; c < PQnfields(r); c++) {
		const char *name = PQfname(r, c);
		if (derived(table, name))
			continue;
		json_t *v;
		if (PQgetisnull(r, row, c)) {
			v = json_null();
		} else {
			const char *t = PQgetvalue(r, row, c);
			switch (PQftype(r, c)) {
			case OID_BOOL: v = json_integer(t[0] == 't'); break;
			case OID_INT2:
			case OID_INT4:
			case OID_INT8: v = json_integer(strtoll(t, NULL, 10)); break;
			default: v = json_stringn(t, (size_t)PQgetlength(r, row, c));
			}
		}
		json_object_set_new(o, name, v ? v : json_null());
	}
	return o;
}

enum store_err pg_dump(struct store *s, bool (*row)(void *ctx, const char *table, const char *json),
		       void *ctx)
{
	struct pg_store *q = PG(s);
	if (pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return STORE_ERROR;
	enum store_err e = STORE_OK;
	for (size_t t = 0; !e && store_tables[t]; t++) {
		char sql[192];
		/* Parents before replies, so that a reply's parent_id loads. */
		snprintf(sql, sizeof(sql), "SELECT * FROM %s%s", store_tables[t],
			 strcmp(store_tables[t], "responses") == 0 ?
			 " ORDER BY parent_id IS NOT NULL, created_at, id" : "");
		PGresult *r = PQexec(q->conn, sql);
		if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "quire: store: dump of %s: %s", store_tables[t],
				PQerrorMessage(q->conn));
			PQclear(r);
			e = STORE_ERROR;
			break;
		}
		for (int i = 0; i < PQntuples(r) && !e; i++) {
			json_t *o = row_json(store_tables[t], r, i);
			char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
			json_decref(o);
			if (!line || !row(ctx, store_tables[t], line))
				e = STORE_ERROR;
			free(line);
		}
		PQclear(r);
	}
	PQclear(PQexec(q->conn, "COMMIT"));
	return e;
}

/* Whether col is a column of table (store_tables entry t), from the
 * catalogue, read once per connection. */
static bool has_column(struct store *s, size_t t, const char *col)
{
	static const char SQL_COLUMNS[] =
		"SELECT ',' || string_agg(column_name::text, ',') || ',' FROM information_schema.columns "
		"WHERE table_schema = current_schema() AND table_name = $1";
	struct pg_store *q = PG(s);
	if (t >= sizeof(q->columns) / sizeof(q->columns[0]))
		return false;
	if (!q->columns[t]) {
		struct pg_params p = {0};
		pp_text(&p, store_tables[t]);
		PGresult *r = pg_run(s, SQL_COLUMNS, &p);
		if (r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
			q->columns[t] = strdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (!q->columns[t])
			return false;
	}
	/* Only plain names can be columns (and be quoted safely below). */
	size_t n = strspn(col, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (n == 0 || n != strlen(col) || n >= 64)
		return false;
	char want[80];
	snprintf(want, sizeof(want), ",%s,", col);
	return strstr(q->columns[t], want) != NULL;
}

static size_t table_index(const char *name)
{
	size_t t = 0;
	while (store_tables[t] && strcmp(store_tables[t], name) != 0)
		t++;
	return t;
}

enum store_err pg_load_row(struct store *s, const char *table, const char *json)
{
	if (!known_table(table))
		return STORE_NOT_FOUND;
	size_t ti = table_index(table);
	json_error_t jerr;
	json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o) || json_object_size(o) == 0 ||
	    json_object_size(o) > PG_MAX_PARAMS) {
		json_decref(o);
		return STORE_ERROR;
	}
	char sql[4096];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s(", table);
	struct pg_params p = {0};
	const char *key;
	json_t *v;
	bool ok = true;
	json_object_foreach(o, key, v) {
		if (!has_column(s, ti, key) || derived(table, key)) {
			fprintf(stderr, "quire: store: %s has no column %.64s\n", table, key);
			ok = false;
			break;
		}
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s\"%s\"", p.n ? ", " : "", key);
		if (json_is_null(v)) {
			pp_text(&p, NULL);
		} else if (json_is_string(v)) {
			pp_text(&p, json_string_value(v));
		} else if (json_is_integer(v)) {
			pp_int(&p, json_integer_value(v));
		} else if (json_is_boolean(v)) {
			pp_bool(&p, json_is_true(v));
		} else {
			ok = false;
			break;
		}
	}
	if (ok) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") VALUES (");
		for (int k = 0; k < p.n; k++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s$%d", k ? ", " : "", k + 1);
		snprintf(sql + n, sizeof(sql) - n, ")");
	}
	enum store_err e = STORE_ERROR;
	if (ok) {
		/* Not prepared: the statement differs from row to row. */
		PGresult *r = PQexecParams(PG(s)->conn, sql, p.n, NULL, p.v, NULL, NULL, 0);
		if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
			e = STORE_OK;
		} else {
			fprintf(stderr, "quire: store: cannot load a row of %s: %s", table,
				r ? PQresultErrorMessage(r) : PQerrorMessage(PG(s)->conn));
			const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
			if (state && strcmp(state, "23505") == 0)
				e = STORE_CONFLICT;
			if (PG(s)->txn_depth > 0)
				PG(s)->txn_failed = true;
		}
		PQclear(r);
	}
	json_decref(o);
	return e;
}

enum store_err pg_load_done(struct store *s)
{
	static const char SQL_IDS[] = "SELECT id FROM stories";
	PGresult *r = pg_run(s, SQL_IDS, NULL);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_OK;
	for (int i = 0; i < PQntuples(r) && !e; i++)
		e = pg_fts_refresh(s, PQgetvalue(r, i, 0));
	PQclear(r);
	/* Rows came with their ids: the audit log's next one follows them. */
	static const char SQL_AUDIT_SEQ[] =
		"SELECT setval(pg_get_serial_sequence('audit_log', 'id'), "
		"GREATEST((SELECT max(id) FROM audit_log), 1), "
		"(SELECT max(id) FROM audit_log) IS NOT NULL)";
	if (!e) {
		r = pg_run(s, SQL_AUDIT_SEQ, NULL);
		e = r ? STORE_OK : STORE_ERROR;
		PQclear(r);
	}
	return e;
}

enum store_err pg_table_count(struct store *s, const char *table, int64_t *n)
{
	if (!known_table(table))
		return STORE_NOT_FOUND;
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	PGresult *r = PQexec(PG(s)->conn, sql);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return STORE_ERROR;
	}
	*n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return STORE_OK;
}
