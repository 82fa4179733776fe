/*
 * store_pg_backup.c - backup and restore for the PostgreSQL backend.
 */
#include "store/pg/pg_int.h"

#include <stdio.h>

enum store_err pg_restore(const char *backup_path, const char *url, const char *media_dir,
			  unsigned long *files, char *err, size_t errlen)
{
	(void)backup_path;
	(void)url;
	(void)media_dir;
	*files = 0;
	snprintf(err, errlen, "restoring into PostgreSQL is not written yet");
	return STORE_ERROR;
}
