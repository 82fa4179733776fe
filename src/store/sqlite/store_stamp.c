/*
 * store_stamp.c - store_change_stamp() for the SQLite backend: what
 * changed since the last look, without reading any table.
 *
 * PRAGMA data_version changes when another connection (thread or
 * process) commits; it does not see this connection's own commits, which
 * sqlite3_total_changes64() counts. Together they cover every write. The
 * pragma starts a read transaction, so its value is current, not the one
 * cached from this connection's previous read.
 */
#include "store/sqlite/store_int.h"

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

enum store_err store_change_stamp(struct store *s, struct store_stamp *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DATA_VERSION);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		done(st);
		return err_of(s, rc);
	}
	out->external = sqlite3_column_int64(st, 0);
	done(st);
	out->own = (int64_t)sqlite3_total_changes64(s->db);
	return STORE_OK;
}
