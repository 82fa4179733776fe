/*
 * store_pg_media.c - photos and their variant files (PostgreSQL); see
 * store/store_media.h. The twin of sqlite/store_media.c, held to the same
 * answers by tests/unit/test_store_media.c. The files themselves are
 * media/'s.
 *
 * A photo is read with its variants in one statement (a LEFT JOIN, one
 * row per variant), so a story's photos cost one round trip.
 */
#include "store/store_media.h"
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

#define PHOTO_COLS \
	"p.id, p.story_id, p.alt, p.caption, p.sensitive, p.note, p.width, p.height, " \
	"p.preview, p.created_at, p.audience, p.circle_id, " \
	"v.format, v.width, v.height, v.hash, v.bytes"

static const char SQL_PHOTO_INSERT[] =
	"INSERT INTO photos(id, story_id, alt, caption, sensitive, note, width, height, preview, "
	"created_at, audience, circle_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
static const char SQL_VARIANT_INSERT[] =
	"INSERT INTO photo_variants(photo_id, format, width, height, hash, bytes) "
	"VALUES ($1, $2, $3, $4, $5, $6)";
/* Variants in the order of store_media.h (format, then width). */
static const char SQL_PHOTO_GET[] =
	"SELECT " PHOTO_COLS " FROM photos p LEFT JOIN photo_variants v ON v.photo_id = p.id "
	"WHERE p.id = $1 ORDER BY v.format COLLATE \"C\", v.width";
static const char SQL_PHOTO_LIST[] =
	"SELECT " PHOTO_COLS " FROM (SELECT * FROM photos WHERE story_id = $1 "
	"ORDER BY created_at, id COLLATE \"C\" LIMIT $2) p "
	"LEFT JOIN photo_variants v ON v.photo_id = p.id "
	"ORDER BY p.created_at, p.id COLLATE \"C\", v.format COLLATE \"C\", v.width";
static const char SQL_PHOTO_COUNT[] = "SELECT count(*) FROM photos WHERE story_id = $1";
static const char SQL_PHOTO_UPDATE[] =
	"UPDATE photos SET alt = $2, caption = $3, sensitive = $4, note = $5, audience = $6, "
	"circle_id = $7 WHERE id = $1";
/* Deleting the photo deletes its variants (ON DELETE CASCADE); the
 * hashes they named come back from the same statement. */
static const char SQL_PHOTO_DELETE[] =
	"WITH v AS (DELETE FROM photo_variants WHERE photo_id = $1 RETURNING hash), "
	"p AS (DELETE FROM photos WHERE id = $1 RETURNING id) "
	"SELECT (SELECT count(*) FROM p), h.hash FROM (SELECT DISTINCT hash FROM v) h "
	"UNION ALL SELECT (SELECT count(*) FROM p), NULL";
static const char SQL_PHOTO_ORPHAN[] =
	"SELECT p.id FROM photos p WHERE NOT EXISTS (SELECT 1 FROM stories s "
	"WHERE s.id = p.story_id AND (s.deleted_at IS NULL OR s.deleted_at > 1)) LIMIT 1";
static const char SQL_HASH_USED[] =
	"SELECT 1 FROM photo_variants WHERE hash = $1 "
	"UNION ALL SELECT 1 FROM profiles WHERE avatar_hash = $1 "
	"UNION ALL SELECT 1 FROM settings WHERE key = 'site_logo' AND value = $1 LIMIT 1";

enum store_err pg_photo_insert(struct store *s, const struct photo_row *p)
{
	bool own = PG(s)->txn_depth == 0;
	if (own && pg_begin(s))
		return STORE_ERROR;
	struct pg_params q = {0};
	pp_text(&q, p->id);
	pp_text(&q, p->story_id);
	pp_text(&q, p->alt);
	pp_text(&q, p->caption);
	pp_bool(&q, p->sensitive);
	pp_text(&q, p->note);
	pp_int(&q, p->width);
	pp_int(&q, p->height);
	pp_text(&q, p->preview);
	pp_int(&q, p->created_at);
	pp_text(&q, p->audience ? p->audience : "story");
	pp_text(&q, p->circle_id);
	enum store_err e = pg_write(s, SQL_PHOTO_INSERT, &q, NULL);
	for (size_t i = 0; !e && i < p->nvariants; i++) {
		const struct photo_variant_row *v = &p->variants[i];
		struct pg_params w = {0};
		pp_text(&w, p->id);
		pp_text(&w, v->format);
		pp_int(&w, v->width);
		pp_int(&w, v->height);
		pp_text(&w, v->hash);
		pp_int(&w, v->bytes);
		e = pg_write(s, SQL_VARIANT_INSERT, &w, NULL);
	}
	if (!own)
		return e;
	if (e) {
		pg_rollback(s);
		return e;
	}
	return pg_commit(s);
}

/* Rows of PHOTO_COLS into out (room for max photos): a new photo starts
 * where the id changes; a photo without variants has NULL variant
 * columns. */
static size_t read_photos(struct arena *a, const PGresult *r, struct photo_row *out, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		if (n == 0 || strcmp(out[n - 1].id, PQgetvalue(r, i, 0)) != 0) {
			if (n == max)
				break;
			struct photo_row *p = &out[n++];
			memset(p, 0, sizeof(*p));
			pg_id(p->id, r, i, 0);
			pg_id(p->story_id, r, i, 1);
			p->alt = pg_text(a, r, i, 2);
			p->caption = pg_text(a, r, i, 3);
			p->sensitive = pg_bool(r, i, 4);
			p->note = pg_text(a, r, i, 5);
			p->width = pg_int(r, i, 6);
			p->height = pg_int(r, i, 7);
			p->preview = pg_text(a, r, i, 8);
			p->created_at = pg_int(r, i, 9);
			p->audience = pg_text(a, r, i, 10);
			pg_id(p->circle_id, r, i, 11);
		}
		struct photo_row *p = &out[n - 1];
		if (PQgetisnull(r, i, 12) || p->nvariants == PHOTO_MAX_VARIANTS)
			continue;
		struct photo_variant_row *v = &p->variants[p->nvariants++];
		v->format = pg_text(a, r, i, 12);
		v->width = pg_int(r, i, 13);
		v->height = pg_int(r, i, 14);
		snprintf(v->hash, sizeof(v->hash), "%s", PQgetvalue(r, i, 15));
		v->bytes = pg_int(r, i, 16);
	}
	return n;
}

enum store_err pg_photo_get(struct store *s, struct arena *a, const char *id,
			    struct photo_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, SQL_PHOTO_GET, &p);
	if (!r)
		return STORE_ERROR;
	size_t n = read_photos(a, r, out, 1);
	PQclear(r);
	return n ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err pg_photo_list(struct store *s, struct arena *a, const char *story_id,
			     struct photo_row *out, size_t max, size_t *n)
{
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_PHOTO_LIST, &p);
	if (!r)
		return STORE_ERROR;
	*n = read_photos(a, r, out, max);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_photo_count(struct store *s, const char *story_id, int64_t *n)
{
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, story_id);
	PGresult *r = pg_run(s, SQL_PHOTO_COUNT, &p);
	if (!r)
		return STORE_ERROR;
	*n = pg_int(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_photo_update(struct store *s, const struct photo_row *p)
{
	struct pg_params q = {0};
	pp_text(&q, p->id);
	pp_text(&q, p->alt);
	pp_text(&q, p->caption);
	pp_bool(&q, p->sensitive);
	pp_text(&q, p->note);
	pp_text(&q, p->audience ? p->audience : "story");
	pp_text(&q, p->circle_id);
	return pg_write_one(s, SQL_PHOTO_UPDATE, &q);
}

enum store_err pg_photo_delete(struct store *s, const char *id, char (*hashes)[65], size_t max,
			       size_t *n)
{
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, SQL_PHOTO_DELETE, &p);
	if (!r)
		return STORE_ERROR;
	/* The last row (hash NULL) is always there and carries the count. */
	int nt = PQntuples(r);
	bool deleted = nt > 0 && pg_int(r, nt - 1, 0) > 0;
	for (int i = 0; deleted && i < nt; i++)
		if (!PQgetisnull(r, i, 1) && *n < max)
			snprintf(hashes[(*n)++], 65, "%s", PQgetvalue(r, i, 1));
	PQclear(r);
	pg_count_write(s);
	return deleted ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err pg_photo_orphan(struct store *s, char id[17])
{
	PGresult *r = pg_run(s, SQL_PHOTO_ORPHAN, NULL);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		pg_id(id, r, 0, 0);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_hash_unused(struct store *s, const char *hash, bool *unused)
{
	struct pg_params p = {0};
	pp_text(&p, hash);
	PGresult *r = pg_run(s, SQL_HASH_USED, &p);
	if (!r)
		return STORE_ERROR;
	*unused = PQntuples(r) == 0;
	PQclear(r);
	return STORE_OK;
}
