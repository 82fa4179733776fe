/*
 * store_backup.c - restoring the backups of earlier versions, which were
 * SQLite files (backups are now backend-neutral: store/archive.c).
 *
 * Such a backup is a SQLite database: a snapshot of quire.db plus one
 * extra table, quire_backup_files, holding every file under the data
 * directory's media/ folder. Restoring writes the files back and copies
 * the database without that table.
 *
 * A backup holds password hashes, session-token hashes and the server
 * key: the file is created 0600 before SQLite opens it (SQLite creates
 * its journal with the same mode), and a restore writes files 0600 and
 * directories 0700, whatever the umask.
 */
#include "store/sqlite/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_TABLE "quire_backup_files"

/* Create path as a new, empty file readable by its owner only. */
static bool create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	bool ok = fchmod(fd, 0600) == 0; /* the umask may have taken bits */
	return close(fd) == 0 && ok;
}

static enum store_err copy_db(sqlite3 *from, sqlite3 *to, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	if (!b) {
		snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(to));
		return STORE_ERROR;
	}
	int rc;
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "copy failed: %s", sqlite3_errstr(rc));
		return STORE_ERROR;
	}
	return STORE_OK;
}

static bool integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool ok = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
		  sqlite3_step(st) == SQLITE_ROW &&
		  sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

/* mkdir -p for the directories of path (not the last component). */
static bool make_parents(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) == 0) {
			if (chmod(buf, 0700) != 0) /* the umask may have taken bits */
				return false;
		} else if (errno != EEXIST) {
			return false;
		}
		*p = '/';
	}
	return true;
}

enum store_err sq_restore(const char *backup_path, const char *db_path, const char *media_dir,
			     unsigned long *files, char *err, size_t errlen)
{
	*files = 0;
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *st = NULL;
	enum store_err e = STORE_ERROR;
	if (sqlite3_open_v2(backup_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s", backup_path);
		goto out;
	}
	if (!integrity_ok(src) ||
	    sqlite3_prepare_v2(src, "SELECT path, data FROM " FILES_TABLE, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s is not a Quire backup (or it is damaged)", backup_path);
		goto out;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rel = (const char *)sqlite3_column_text(st, 0);
		/* Names come from the file: never let one climb out of media/. */
		if (!rel || rel[0] == '/' || strstr(rel, "..")) {
			snprintf(err, errlen, "the backup holds a bad file name");
			goto out;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", media_dir, rel);
		const void *data = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		int fd = make_parents(path) ?
			 open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
		FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (fd >= 0 && !f)
			close(fd);
		bool ok = f && fchmod(fd, 0600) == 0 && fwrite(data, 1, len, f) == len &&
			  fflush(f) == 0 && fsync(fd) == 0;
		if (f && fclose(f) != 0)
			ok = false;
		if (!ok) {
			snprintf(err, errlen, "cannot write %s", path);
			goto out;
		}
		(*files)++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read the backup: %s", sqlite3_errmsg(src));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!create_private(db_path) ||
	    sqlite3_open_v2(db_path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot create %s", db_path);
		goto out;
	}
	if (copy_db(src, dst, err, errlen))
		goto out;
	if (sqlite3_exec(dst, "DROP TABLE " FILES_TABLE "; VACUUM;", NULL, NULL, NULL) != SQLITE_OK ||
	    !integrity_ok(dst)) {
		snprintf(err, errlen, "the restored database failed its check");
		goto out;
	}
	e = STORE_OK;
out:
	sqlite3_finalize(st);
	if (src)
		sqlite3_close(src);
	if (dst && sqlite3_close(dst) != SQLITE_OK)
		e = STORE_ERROR;
	return e;
}
