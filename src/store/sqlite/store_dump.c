/*
 * store_dump.c - the SQLite side of the whole-site dump (store.h: dump,
 * load_row, load_done, table_count): rows as JSON objects, one snapshot.
 */
#include "store/sqlite/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Parents before replies, so that a reply's parent_id always loads. */
static const char *order_of(const char *table)
{
	if (strcmp(table, "responses") == 0)
		return " ORDER BY parent_id IS NOT NULL, created_at, rowid";
	return " ORDER BY rowid";
}

static bool without_rowid(const char *table)
{
	/* Tables declared WITHOUT ROWID order by their primary key. */
	static const char *const t[] = {"settings", "sessions", "invites", "story_slugs",
					"circle_members", "circle_invites", "circle_invitations", "photo_variants",
					"response_reports", "blocks", "muted_words", "story_schedule",
					"follows", "story_tags", "story_drafts", "user_emails",
					"mail_tokens", "story_mail", "mail_prefs", "feed_tokens", "import_sources",
					"import_photos", "import_jobs", "profiles", "fed_keys",
					"fed_actors", "fed_followers", "fed_seen", "fed_deliveries", "fed_blocked_domains",
	"fed_settings", "fed_follow_requests", "fed_reactions", "fed_blocked_actors",
					NULL};
	for (size_t i = 0; t[i]; i++)
		if (strcmp(t[i], table) == 0)
			return true;
	return false;
}

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++) {
		json_t *v;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
		case SQLITE_NULL: v = json_null(); break;
		case SQLITE_FLOAT: v = json_real(sqlite3_column_double(st, i)); break;
		default: v = json_stringn((const char *)sqlite3_column_text(st, i),
					  (size_t)sqlite3_column_bytes(st, i));
		}
		json_object_set_new(o, sqlite3_column_name(st, i), v ? v : json_null());
	}
	return o;
}

enum store_err sq_dump(struct store *s, bool (*row)(void *ctx, const char *table, const char *json),
		       void *ctx)
{
	sqlite3 *db = SQ(s)->db;
	sq_read_end(s);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return err_of(s, SQLITE_ERROR);
	enum store_err e = STORE_OK;
	for (size_t t = 0; !e && store_tables[t]; t++) {
		char sql[160];
		snprintf(sql, sizeof(sql), "SELECT * FROM %s%s", store_tables[t],
			 without_rowid(store_tables[t]) ? "" : order_of(store_tables[t]));
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			e = err_of(s, SQLITE_ERROR);
			break;
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			json_t *o = row_json(st);
			char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
			json_decref(o);
			bool ok = line && row(ctx, store_tables[t], line);
			free(line);
			if (!ok) {
				e = STORE_ERROR;
				break;
			}
		}
		if (!e && rc != SQLITE_DONE)
			e = err_of(s, rc);
		sqlite3_finalize(st);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return e;
}

/* Whether name is one of store_tables (what a backup may name). */
static bool known_table(const char *name)
{
	for (size_t t = 0; store_tables[t]; t++)
		if (strcmp(store_tables[t], name) == 0)
			return true;
	return false;
}

static bool plain_name(const char *s)
{
	if (!*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_' || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

enum store_err sq_load_row(struct store *s, const char *table, const char *json)
{
	if (!known_table(table))
		return STORE_NOT_FOUND;
	json_error_t jerr;
	json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o) || json_object_size(o) == 0 || json_object_size(o) > 64) {
		json_decref(o);
		return STORE_ERROR;
	}
	char sql[4096];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s(", table);
	const char *key;
	json_t *v;
	size_t i = 0;
	json_object_foreach(o, key, v) {
		if (!plain_name(key)) {
			json_decref(o);
			return STORE_ERROR;
		}
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s\"%s\"", i++ ? ", " : "", key);
	}
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") VALUES (");
	for (size_t k = 0; k < i; k++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s?", k ? ", " : "");
	snprintf(sql + n, sizeof(sql) - n, ")");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL) != SQLITE_OK) {
		/* An unknown column: a backup from another schema. */
		fprintf(stderr, "quire: store: cannot load a row of %s: %s\n", table,
			sqlite3_errmsg(SQ(s)->db));
		json_decref(o);
		return STORE_ERROR;
	}
	int col = 1;
	json_object_foreach(o, key, v) {
		if (json_is_integer(v))
			sqlite3_bind_int64(st, col, json_integer_value(v));
		else if (json_is_true(v) || json_is_false(v))
			sqlite3_bind_int(st, col, json_is_true(v));
		else if (json_is_string(v))
			sqlite3_bind_text(st, col, json_string_value(v), (int)json_string_length(v),
					  SQLITE_TRANSIENT);
		else if (json_is_real(v))
			sqlite3_bind_double(st, col, json_real_value(v));
		else
			sqlite3_bind_null(st, col);
		col++;
	}
	int rc = sqlite3_step(st);
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	sqlite3_finalize(st);
	json_decref(o);
	return e;
}

enum store_err sq_load_done(struct store *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(SQ(s)->db, "SELECT id FROM stories", -1, &st, NULL) != SQLITE_OK)
		return err_of(s, SQLITE_ERROR);
	enum store_err e = STORE_OK;
	int rc;
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char id[17];
		col_id(id, st, 0);
		e = store_fts_refresh(s, id);
	}
	sqlite3_finalize(st);
	return e;
}

enum store_err sq_table_count(struct store *s, const char *table, int64_t *n)
{
	if (!known_table(table))
		return STORE_NOT_FOUND;
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL) != SQLITE_OK)
		return err_of(s, SQLITE_ERROR);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
}
