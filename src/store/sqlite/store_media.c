/*
 * store_media.c - photos and their variant files (SQLite). See
 * store/store_media.h. The files themselves are handled by media/.
 */
#include "store/store_media.h"
#include "store/sqlite/store_int.h"

#include <stdio.h>
#include <string.h>

static const char SQL_PHOTO_INSERT[] =
	"INSERT INTO photos(id, story_id, alt, caption, sensitive, note, width, height, preview, "
	"created_at, audience, circle_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_VARIANT_INSERT[] =
	"INSERT INTO photo_variants(photo_id, format, width, height, hash, bytes) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_PHOTO_GET[] =
	"SELECT id, story_id, alt, caption, sensitive, note, width, height, preview, created_at, "
	"audience, circle_id "
	"FROM photos WHERE id = ?1";
static const char SQL_PHOTO_LIST[] =
	"SELECT id, story_id, alt, caption, sensitive, note, width, height, preview, created_at, "
	"audience, circle_id "
	"FROM photos WHERE story_id = ?1 ORDER BY created_at, id LIMIT ?2";
static const char SQL_PHOTO_COUNT[] = "SELECT count(*) FROM photos WHERE story_id = ?1";
static const char SQL_VARIANTS[] =
	"SELECT format, width, height, hash, bytes FROM photo_variants WHERE photo_id = ?1 "
	"ORDER BY format, width LIMIT 12";
static const char SQL_PHOTO_UPDATE[] =
	"UPDATE photos SET alt = ?2, caption = ?3, sensitive = ?4, note = ?5, audience = ?6, "
	"circle_id = ?7 WHERE id = ?1";
static const char SQL_VARIANT_HASHES[] =
	"SELECT DISTINCT hash FROM photo_variants WHERE photo_id = ?1";
static const char SQL_PHOTO_DELETE[] = "DELETE FROM photos WHERE id = ?1";
static const char SQL_VARIANTS_DELETE[] = "DELETE FROM photo_variants WHERE photo_id = ?1";
static const char SQL_PHOTO_ORPHAN[] =
	"SELECT p.id FROM photos p WHERE NOT EXISTS (SELECT 1 FROM stories s "
	"WHERE s.id = p.story_id AND (s.deleted_at IS NULL OR s.deleted_at > 1)) LIMIT 1";
static const char SQL_HASH_USED[] =
	"SELECT 1 FROM photo_variants WHERE hash = ?1 "
	"UNION ALL SELECT 1 FROM profiles WHERE avatar_hash = ?1 "
	"UNION ALL SELECT 1 FROM settings WHERE key = 'site_logo' AND value = ?1 LIMIT 1";

enum store_err sq_photo_insert(struct store *s, const struct photo_row *p)
{
	if (sq_begin(s))
		return STORE_ERROR;
	sqlite3_stmt *st = stmt_cached(s, SQL_PHOTO_INSERT);
	if (!st)
		goto fail;
	bind_text(st, 1, p->id);
	bind_text(st, 2, p->story_id);
	bind_text(st, 3, p->alt);
	bind_text(st, 4, p->caption);
	sqlite3_bind_int(st, 5, p->sensitive);
	bind_text(st, 6, p->note);
	sqlite3_bind_int64(st, 7, p->width);
	sqlite3_bind_int64(st, 8, p->height);
	bind_text(st, 9, p->preview);
	sqlite3_bind_int64(st, 10, p->created_at);
	bind_text(st, 11, p->audience ? p->audience : "story");
	bind_text(st, 12, p->circle_id);
	enum store_err e = exec_write(s, st);
	for (size_t i = 0; !e && i < p->nvariants; i++) {
		const struct photo_variant_row *v = &p->variants[i];
		st = stmt_cached(s, SQL_VARIANT_INSERT);
		if (!st)
			goto fail;
		bind_text(st, 1, p->id);
		bind_text(st, 2, v->format);
		sqlite3_bind_int64(st, 3, v->width);
		sqlite3_bind_int64(st, 4, v->height);
		bind_text(st, 5, v->hash);
		sqlite3_bind_int64(st, 6, v->bytes);
		e = exec_write(s, st);
	}
	if (e) {
		sq_rollback(s);
		return e;
	}
	return sq_commit(s);
fail:
	sq_rollback(s);
	return STORE_ERROR;
}

static void read_photo(struct arena *a, sqlite3_stmt *st, struct photo_row *out)
{
	memset(out, 0, sizeof(*out));
	col_id(out->id, st, 0);
	col_id(out->story_id, st, 1);
	out->alt = col_text(a, st, 2);
	out->caption = col_text(a, st, 3);
	out->sensitive = sqlite3_column_int(st, 4) != 0;
	out->note = col_text(a, st, 5);
	out->width = sqlite3_column_int64(st, 6);
	out->height = sqlite3_column_int64(st, 7);
	out->preview = col_text(a, st, 8);
	out->created_at = sqlite3_column_int64(st, 9);
	out->audience = col_text(a, st, 10);
	col_id(out->circle_id, st, 11);
}

static enum store_err read_variants(struct store *s, struct arena *a, struct photo_row *p)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_VARIANTS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, p->id);
	int rc;
	p->nvariants = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && p->nvariants < PHOTO_MAX_VARIANTS) {
		struct photo_variant_row *v = &p->variants[p->nvariants++];
		v->format = col_text(a, st, 0);
		v->width = sqlite3_column_int64(st, 1);
		v->height = sqlite3_column_int64(st, 2);
		const unsigned char *h = sqlite3_column_text(st, 3);
		snprintf(v->hash, sizeof(v->hash), "%s", h ? (const char *)h : "");
		v->bytes = sqlite3_column_int64(st, 4);
	}
	enum store_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_photo_get(struct store *s, struct arena *a, const char *id,
			       struct photo_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PHOTO_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		read_photo(a, st, out);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e ? e : read_variants(s, a, out);
}

enum store_err sq_photo_list(struct store *s, struct arena *a, const char *story_id,
				struct photo_row *out, size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_PHOTO_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		read_photo(a, st, &out[(*n)++]);
	enum store_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? STORE_OK : err_of(s, rc);
	done(st);
	for (size_t i = 0; !e && i < *n; i++)
		e = read_variants(s, a, &out[i]);
	return e;
}

enum store_err sq_photo_count(struct store *s, const char *story_id, int64_t *n)
{
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_PHOTO_COUNT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	enum store_err e = rc == SQLITE_ROW ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_photo_update(struct store *s, const struct photo_row *p)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PHOTO_UPDATE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, p->id);
	bind_text(st, 2, p->alt);
	bind_text(st, 3, p->caption);
	sqlite3_bind_int(st, 4, p->sensitive);
	bind_text(st, 5, p->note);
	bind_text(st, 6, p->audience ? p->audience : "story");
	bind_text(st, 7, p->circle_id);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_photo_delete(struct store *s, const char *id, char (*hashes)[65],
				  size_t max, size_t *n)
{
	*n = 0;
	if (sq_begin(s))
		return STORE_ERROR;
	sqlite3_stmt *st = stmt_cached(s, SQL_VARIANT_HASHES);
	if (!st)
		goto fail;
	bind_text(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 0);
		if (*n < max)
			snprintf(hashes[(*n)++], 65, "%s", h ? (const char *)h : "");
	}
	done(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (!(st = stmt_cached(s, SQL_VARIANTS_DELETE)))
		goto fail;
	bind_text(st, 1, id);
	if (exec_write(s, st))
		goto fail;
	if (!(st = stmt_cached(s, SQL_PHOTO_DELETE)))
		goto fail;
	bind_text(st, 1, id);
	if (exec_write(s, st))
		goto fail;
	if (sqlite3_changes(SQ(s)->db) == 0) {
		sq_rollback(s);
		*n = 0;
		return STORE_NOT_FOUND;
	}
	return sq_commit(s);
fail:
	sq_rollback(s);
	*n = 0;
	return STORE_ERROR;
}

enum store_err sq_photo_orphan(struct store *s, char id[17])
{
	sqlite3_stmt *st = stmt_cached(s, SQL_PHOTO_ORPHAN);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		col_id(id, st, 0);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_hash_unused(struct store *s, const char *hash, bool *unused)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_HASH_USED);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, hash);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*unused = false;
	else if (rc == SQLITE_DONE)
		*unused = true;
	else
		e = err_of(s, rc);
	done(st);
	return e;
}

/* ---- blobs: the SQLite backend keeps none (store_media.h) ---- */

enum store_err sq_blob_put(struct store *s, const char *hash, const void *data, size_t len)
{
	(void)s;
	(void)hash;
	(void)data;
	(void)len;
	return STORE_OK;
}

enum store_err sq_blob_get(struct store *s, const char *hash, unsigned char **data, size_t *len)
{
	(void)s;
	(void)hash;
	*data = NULL;
	*len = 0;
	return STORE_NOT_FOUND;
}

enum store_err sq_blob_delete(struct store *s, const char *hash)
{
	(void)s;
	(void)hash;
	return STORE_OK;
}

static const char SQL_ALL_HASHES[] =
	"SELECT hash, format FROM photo_variants UNION "
	"SELECT avatar_hash, 'jpeg' FROM profiles WHERE avatar_hash <> '' UNION "
	"SELECT value, 'jpeg' FROM settings WHERE key = 'site_logo' AND value <> '' ORDER BY 1";

enum store_err sq_variant_hashes(struct store *s, bool (*row)(void *ctx, const char *hash, const char *format),
				 void *ctx)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_ALL_HASHES);
	if (!st)
		return STORE_ERROR;
	int rc;
	enum store_err e = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!row(ctx, (const char *)sqlite3_column_text(st, 0),
			 (const char *)sqlite3_column_text(st, 1))) {
			e = STORE_ERROR;
			break;
		}
	if (!e && rc != SQLITE_DONE)
		e = err_of(s, rc);
	done(st);
	return e;
}
