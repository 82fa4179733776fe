/*
 * store_int.h - private to the SQLite backend: the connection struct and
 * the helpers every store_*.c file uses to prepare, bind and read.
 *
 * Statements are static const strings; stmt_cached() prepares each once
 * per connection (keyed by the string's address) and hands back the same
 * prepared statement afterwards. Callers bind, step, and finish with
 * done() (reset + clear bindings), never finalize.
 */
#ifndef QUIRE_STORE_SQLITE_STORE_INT_H
#define QUIRE_STORE_SQLITE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_STMT_CACHE 256

struct store {
	sqlite3 *db;
	int version;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STORE_STMT_CACHE];
	size_t ncache;
};

/* Prepared statement for sql (a static string); NULL after logging. */
sqlite3_stmt *stmt_cached(struct store *s, const char *sql);
void done(sqlite3_stmt *st);
void bind_text(sqlite3_stmt *st, int i, const char *v);
void bind_named_text(sqlite3_stmt *st, const char *name, const char *v);
void bind_named_int(sqlite3_stmt *st, const char *name, int64_t v);
const char *col_text(struct arena *a, sqlite3_stmt *st, int i);
void col_id(char out[17], sqlite3_stmt *st, int i);
enum store_err err_of(struct store *s, int rc);
/* Step a write to completion, then done(). */
enum store_err exec_write(struct store *s, sqlite3_stmt *st);

#endif
