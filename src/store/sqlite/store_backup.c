/*
 * store_backup.c - a consistent copy of the database while it is in use,
 * with SQLite's online backup API. In WAL mode readers and writers keep
 * going while the copy is taken; the copy is a snapshot of one moment.
 */
#include "store/sqlite/store_int.h"

#include <stdio.h>

enum store_err store_backup(struct store *s, const char *dest_path, char *err, size_t errlen)
{
	sqlite3 *dst = NULL;
	if (sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot create %s: %s", dest_path,
			 dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return STORE_ERROR;
	}
	sqlite3_busy_timeout(dst, 5000);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
	if (!b) {
		snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return STORE_ERROR;
	}
	int rc;
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	enum store_err e = STORE_OK;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(rc));
		e = STORE_ERROR;
	} else {
		/* The copy is a plain rollback-journal database, checked whole. */
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW ||
		    sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
			snprintf(err, errlen, "the copy failed its integrity check");
			e = STORE_ERROR;
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_close(dst) != SQLITE_OK && !e) {
		snprintf(err, errlen, "cannot close the copy");
		e = STORE_ERROR;
	}
	return e;
}
