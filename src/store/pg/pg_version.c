/* pg_version.c - libpq's version, for store_lib_versions(). */
#include "store/backend.h"

#include <libpq-fe.h>

int pg_lib_version(void)
{
	return PQlibVersion();
}
