/* sq_version.c - the SQLite library's version, for store_lib_versions(). */
#include "store/backend.h"

#include <sqlite3.h>

const char *sq_lib_version(void)
{
	return sqlite3_libversion();
}
