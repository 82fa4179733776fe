/* pg_version.c - libpq's version, for store_lib_versions(). */
#include "store/backend.h"
#include "store/pg/pq_dl.h"

int pg_lib_version(void)
{
	char err[256];
	return pq_dl_open(err, sizeof(err)) ? PQlibVersion() : 0;
}
