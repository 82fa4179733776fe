/*
 * store_pg_blobs.c - photo files as blobs in PostgreSQL (store_media.h):
 * bytes passed and read in binary, never as escaped text.
 */
#include "store/pg/pg_int.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_BLOB_PUT[] =
	"INSERT INTO media_blobs(hash, data) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING";
static const char SQL_BLOB_GET[] = "SELECT data FROM media_blobs WHERE hash = $1";
static const char SQL_BLOB_DELETE[] = "DELETE FROM media_blobs WHERE hash = $1";
static const char SQL_ALL_HASHES[] =
	"SELECT hash, format FROM photo_variants UNION "
	"SELECT avatar_hash, 'jpeg' FROM profiles WHERE avatar_hash <> '' UNION "
	"SELECT value, 'jpeg' FROM settings WHERE key = 'site_logo' AND value <> '' ORDER BY 1";

enum store_err pg_blob_put(struct store *s, const char *hash, const void *data, size_t len)
{
	if (len > 0x7fffffff)
		return STORE_ERROR;
	const char *values[2] = {hash, data};
	int lengths[2] = {0, (int)len};
	int formats[2] = {0, 1};
	PGresult *r = pg_run_binary(s, SQL_BLOB_PUT, 2, values, lengths, formats, 0);
	if (!r)
		return STORE_ERROR;
	PQclear(r);
	pg_count_write(s);
	return STORE_OK;
}

enum store_err pg_blob_get(struct store *s, const char *hash, unsigned char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	const char *values[1] = {hash};
	PGresult *r = pg_run_binary(s, SQL_BLOB_GET, 1, values, NULL, NULL, 1);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		*len = (size_t)PQgetlength(r, 0, 0);
		*data = malloc(*len ? *len : 1);
		if (*data) {
			memcpy(*data, PQgetvalue(r, 0, 0), *len);
			e = STORE_OK;
		} else {
			e = STORE_ERROR;
		}
	}
	PQclear(r);
	return e;
}

enum store_err pg_blob_delete(struct store *s, const char *hash)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	return pg_write(s, SQL_BLOB_DELETE, &p, NULL);
}

enum store_err pg_variant_hashes(struct store *s, bool (*row)(void *ctx, const char *hash, const char *format),
				 void *ctx)
{
	PGresult *r = pg_run(s, SQL_ALL_HASHES, NULL);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_OK;
	for (int i = 0; i < PQntuples(r) && !e; i++)
		if (!row(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)))
			e = STORE_ERROR;
	PQclear(r);
	return e;
}
