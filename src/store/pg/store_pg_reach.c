/*
 * store_pg_reach.c - follows, tags and the share-card photo (PostgreSQL).
 * The twin of sqlite/store_reach.c, held to the same answers by
 * tests/unit/test_store_media.c; search is in store_pg_search.c.
 *
 * Text is ordered byte by byte (COLLATE "C"), as SQLite orders it,
 * whatever the database's collation.
 */
#include "store/pg/pg_int.h"

static const char SQL_FOLLOW_ADD[] =
	"INSERT INTO follows(follower_id, writer_id, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_FOLLOW_REMOVE[] =
	"DELETE FROM follows WHERE follower_id = $1 AND writer_id = $2";
static const char SQL_FOLLOW_CHECK[] =
	"SELECT 1 FROM follows WHERE follower_id = $1 AND writer_id = $2";
static const char SQL_FOLLOWING[] =
	"SELECT u.id, u.handle, u.name, f.created_at FROM follows f JOIN users u ON "
	"u.id = f.writer_id WHERE f.follower_id = $1 ORDER BY u.handle COLLATE \"C\" LIMIT 5000";
static const char SQL_FOLLOWERS[] =
	"SELECT u.id, u.handle, u.name, f.created_at FROM follows f JOIN users u ON "
	"u.id = f.follower_id WHERE f.writer_id = $1 ORDER BY u.handle COLLATE \"C\" LIMIT 5000";
/* At most 8 tags, as the SQLite backend reads (the rules keep fewer). */
static const char SQL_TAGS_GET[] =
	"SELECT tag FROM story_tags WHERE story_id = $1 ORDER BY tag COLLATE \"C\" LIMIT 8";
static const char SQL_TAGS_CLEAR[] = "DELETE FROM story_tags WHERE story_id = $1";
static const char SQL_TAGS_ADD[] =
	"INSERT INTO story_tags(story_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING";
static const char SQL_SHARE_PHOTO[] =
	"SELECT p.id, max(v.width) FROM photos p JOIN photo_variants v ON v.photo_id = p.id "
	"AND v.format = 'jpeg' AND v.width <= $2 WHERE p.story_id = $1 AND NOT p.sensitive "
	"AND " PG_PHOTO_FOR_ALL_SQL " GROUP BY p.id ORDER BY p.created_at, p.id COLLATE \"C\" "
	"LIMIT 1";

enum store_err pg_story_share_photo(struct store *s, const char *story_id, int64_t max_width,
				    char photo_id[17], int64_t *width)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	pp_int(&p, max_width);
	PGresult *r = pg_run(s, SQL_SHARE_PHOTO, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		pg_id(photo_id, r, 0, 0);
		*width = pg_int(r, 0, 1);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_follow_add(struct store *s, const char *follower_id, const char *writer_id,
			     int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, follower_id);
	pp_text(&p, writer_id);
	pp_int(&p, now);
	return pg_write(s, SQL_FOLLOW_ADD, &p, NULL);
}

enum store_err pg_follow_remove(struct store *s, const char *follower_id, const char *writer_id)
{
	struct pg_params p = {0};
	pp_text(&p, follower_id);
	pp_text(&p, writer_id);
	return pg_write_one(s, SQL_FOLLOW_REMOVE, &p);
}

enum store_err pg_follow_check(struct store *s, const char *follower_id, const char *writer_id,
			       bool *follows)
{
	struct pg_params p = {0};
	pp_text(&p, follower_id);
	pp_text(&p, writer_id);
	PGresult *r = pg_run(s, SQL_FOLLOW_CHECK, &p);
	if (!r)
		return STORE_ERROR;
	*follows = PQntuples(r) > 0;
	PQclear(r);
	return STORE_OK;
}

static enum store_err people(struct store *s, struct arena *a, const char *sql, const char *id,
			     struct member_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, sql, &p);
	if (!r)
		return STORE_ERROR;
	pg_read_members(a, r, rows, n);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_following(struct store *s, struct arena *a, const char *user_id,
			    struct member_row **rows, size_t *n)
{
	return people(s, a, SQL_FOLLOWING, user_id, rows, n);
}

enum store_err pg_followers(struct store *s, struct arena *a, const char *writer_id,
			    struct member_row **rows, size_t *n)
{
	return people(s, a, SQL_FOLLOWERS, writer_id, rows, n);
}

enum store_err pg_tags_get(struct store *s, struct arena *a, const char *story_id,
			   const char ***tags, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	PGresult *r = pg_run(s, SQL_TAGS_GET, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*tags = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**tags));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++)
		(*tags)[i] = pg_text(a, r, i, 0);
	PQclear(r);
	return STORE_OK;
}

/* Inside the caller's transaction when one is open (story_update()),
 * else in its own: the tags and the search document change together. */
enum store_err pg_tags_set(struct store *s, const char *story_id, const char *const *tags,
			   size_t n)
{
	bool own = PG(s)->txn_depth == 0;
	if (own && pg_begin(s))
		return STORE_ERROR;
	struct pg_params p = {0};
	pp_text(&p, story_id);
	enum store_err e = pg_write(s, SQL_TAGS_CLEAR, &p, NULL);
	for (size_t i = 0; !e && i < n; i++) {
		struct pg_params t = {0};
		pp_text(&t, story_id);
		pp_text(&t, tags[i]);
		e = pg_write(s, SQL_TAGS_ADD, &t, NULL);
	}
	if (!e)
		e = pg_fts_refresh(s, story_id);
	if (!own)
		return e ? STORE_ERROR : STORE_OK;
	if (e) {
		pg_rollback(s);
		return STORE_ERROR;
	}
	return pg_commit(s);
}

/* ---- imports ---- */
static const char SQL_IMPORT_GET[] =
	"SELECT story_id FROM import_sources WHERE user_id = $1 AND source = $2 AND source_id = $3";
static const char SQL_IMPORT_ADD[] =
	"INSERT INTO import_sources(user_id, source, source_id, story_id, imported_at) "
	"VALUES ($1, $2, $3, $4, $5)";

enum store_err pg_import_source_get(struct store *s, const char *user_id, const char *source,
				    const char *source_id, char story_id[17])
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, source);
	pp_text(&p, source_id);
	PGresult *r = pg_run(s, SQL_IMPORT_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		pg_id(story_id, r, 0, 0);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_import_source_add(struct store *s, const char *user_id, const char *source,
				    const char *source_id, const char *story_id, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_text(&p, source);
	pp_text(&p, source_id);
	pp_text(&p, story_id);
	pp_int(&p, now);
	return pg_write(s, SQL_IMPORT_ADD, &p, NULL);
}

/* ---- photos of imports not fetched yet ---- */
#define IMPORT_PHOTO_COLS "id, story_id, user_id, url, alt, caption, error, tries, created_at"
static const char SQL_IMPORT_PHOTO_PUT[] =
	"INSERT INTO import_photos(" IMPORT_PHOTO_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
	"ON CONFLICT(id) DO UPDATE SET error = excluded.error, tries = excluded.tries";
static const char SQL_IMPORT_PHOTO_GET[] =
	"SELECT " IMPORT_PHOTO_COLS " FROM import_photos WHERE id = $1";
static const char SQL_IMPORT_PHOTO_LIST[] =
	"SELECT " IMPORT_PHOTO_COLS " FROM import_photos WHERE ($1::text IS NULL OR user_id = $1) "
	"ORDER BY created_at, id LIMIT $2";
static const char SQL_IMPORT_PHOTO_DELETE[] = "DELETE FROM import_photos WHERE id = $1";

enum store_err pg_import_photo_put(struct store *s, const struct import_photo_row *ph)
{
	struct pg_params p = {0};
	pp_text(&p, ph->id);
	pp_text(&p, ph->story_id);
	pp_text(&p, ph->user_id);
	pp_text(&p, ph->url);
	pp_text(&p, ph->alt);
	pp_text(&p, ph->caption);
	pp_text(&p, ph->error);
	pp_int(&p, ph->tries);
	pp_int(&p, ph->created_at);
	return pg_write(s, SQL_IMPORT_PHOTO_PUT, &p, NULL);
}

static void import_photo_row(struct arena *a, const PGresult *r, int i, struct import_photo_row *o)
{
	pg_id(o->id, r, i, 0);
	pg_id(o->story_id, r, i, 1);
	pg_id(o->user_id, r, i, 2);
	o->url = pg_text(a, r, i, 3);
	o->alt = pg_text(a, r, i, 4);
	o->caption = pg_text(a, r, i, 5);
	o->error = pg_text(a, r, i, 6);
	o->tries = pg_int(r, i, 7);
	o->created_at = pg_int(r, i, 8);
}

enum store_err pg_import_photo_get(struct store *s, struct arena *a, const char *id,
				   struct import_photo_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	PGresult *r = pg_run(s, SQL_IMPORT_PHOTO_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		import_photo_row(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_import_photo_list(struct store *s, struct arena *a, const char *user_id,
				    size_t max, struct import_photo_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, user_id); /* NULL: everyone's */
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_IMPORT_PHOTO_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++)
		import_photo_row(a, r, i, &(*rows)[(*n)++]);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_import_photo_delete(struct store *s, const char *id)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	return pg_write(s, SQL_IMPORT_PHOTO_DELETE, &p, NULL);
}

/* ---- imports from the settings page: a queue with leases ---- */
#define IMPORT_JOB_COLS                                                                            \
	"id, user_id, kind, file, name, responses, status, done, total, report, claimed_by, "     \
	"lease_until, created_at, started_at, finished_at"
static const char SQL_IMPORT_JOB_ADD[] =
	"INSERT INTO import_jobs(" IMPORT_JOB_COLS ") "
	"VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, 0, '', '', 0, $7, 0, 0)";
static const char SQL_IMPORT_JOB_GET[] =
	"SELECT " IMPORT_JOB_COLS " FROM import_jobs WHERE id = $1";
static const char SQL_IMPORT_JOB_LIST[] =
	"SELECT " IMPORT_JOB_COLS " FROM import_jobs WHERE user_id = $1 "
	"ORDER BY created_at DESC, id DESC LIMIT $2";
/* Several app servers: a job another worker is claiming is skipped, not
 * waited for. */
static const char SQL_IMPORT_JOB_CLAIM[] =
	"UPDATE import_jobs SET status = 'running', claimed_by = $1, lease_until = $3, "
	"started_at = CASE WHEN started_at = 0 THEN $2 ELSE started_at END "
	"WHERE id = (SELECT id FROM import_jobs WHERE status = 'queued' "
	"OR (status = 'running' AND lease_until < $2) ORDER BY created_at, id LIMIT 1 "
	"FOR UPDATE SKIP LOCKED) RETURNING " IMPORT_JOB_COLS;
static const char SQL_IMPORT_JOB_PROGRESS[] =
	"UPDATE import_jobs SET done = $3, total = $4, lease_until = $5 "
	"WHERE id = $1 AND claimed_by = $2 AND status = 'running'";
static const char SQL_IMPORT_JOB_RELEASE[] =
	"UPDATE import_jobs SET status = 'queued', claimed_by = '', lease_until = 0 "
	"WHERE id = $1 AND claimed_by = $2 AND status = 'running'";
static const char SQL_IMPORT_JOB_FINISH[] =
	"UPDATE import_jobs SET status = $3, report = $4, finished_at = $5, claimed_by = '', "
	"lease_until = 0 WHERE id = $1 AND claimed_by = $2 AND status = 'running'";

static void import_job_row(struct arena *a, const PGresult *r, int i, struct import_job_row *o)
{
	pg_id(o->id, r, i, 0);
	pg_id(o->user_id, r, i, 1);
	o->kind = pg_text(a, r, i, 2);
	o->file = pg_text(a, r, i, 3);
	o->name = pg_text(a, r, i, 4);
	o->responses = pg_int(r, i, 5) != 0;
	o->status = pg_text(a, r, i, 6);
	o->done = pg_int(r, i, 7);
	o->total = pg_int(r, i, 8);
	o->report = pg_text(a, r, i, 9);
	o->claimed_by = pg_text(a, r, i, 10);
	o->lease_until = pg_int(r, i, 11);
	o->created_at = pg_int(r, i, 12);
	o->started_at = pg_int(r, i, 13);
	o->finished_at = pg_int(r, i, 14);
}

enum store_err pg_import_job_add(struct store *s, const struct import_job_row *j)
{
	struct pg_params p = {0};
	pp_text(&p, j->id);
	pp_text(&p, j->user_id);
	pp_text(&p, j->kind);
	pp_text(&p, j->file ? j->file : "");
	pp_text(&p, j->name ? j->name : "");
	pp_int(&p, j->responses ? 1 : 0);
	pp_int(&p, j->created_at);
	return pg_write(s, SQL_IMPORT_JOB_ADD, &p, NULL);
}

/* The first row of sql's result into out: OK, NOT_FOUND or ERROR. */
static enum store_err import_job_one(struct store *s, struct arena *a, const char *sql,
				     const struct pg_params *p, struct import_job_row *out)
{
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r)) {
		import_job_row(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_import_job_get(struct store *s, struct arena *a, const char *id,
				 struct import_job_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	return import_job_one(s, a, SQL_IMPORT_JOB_GET, &p, out);
}

enum store_err pg_import_job_list(struct store *s, struct arena *a, const char *user_id,
				  size_t max, struct import_job_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct pg_params p = {0};
	pp_text(&p, user_id);
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_IMPORT_JOB_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (nt ? (size_t)nt : 1) * sizeof(**rows));
	for (int i = 0; i < nt && *n < max; i++)
		import_job_row(a, r, i, &(*rows)[(*n)++]);
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_import_job_claim(struct store *s, struct arena *a, const char *who, int64_t now,
				   int64_t lease_until, struct import_job_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, who);
	pp_int(&p, now);
	pp_int(&p, lease_until);
	return import_job_one(s, a, SQL_IMPORT_JOB_CLAIM, &p, out);
}

enum store_err pg_import_job_progress(struct store *s, const char *id, const char *who,
				      int64_t done, int64_t total, int64_t lease_until)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, who);
	pp_int(&p, done);
	pp_int(&p, total);
	pp_int(&p, lease_until);
	return pg_write_one(s, SQL_IMPORT_JOB_PROGRESS, &p);
}

enum store_err pg_import_job_finish(struct store *s, const char *id, const char *who,
				    const char *status, const char *report, int64_t now)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, who);
	pp_text(&p, status);
	pp_text(&p, report);
	pp_int(&p, now);
	return pg_write_one(s, SQL_IMPORT_JOB_FINISH, &p);
}

enum store_err pg_import_job_release(struct store *s, const char *id, const char *who)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, who);
	return pg_write_one(s, SQL_IMPORT_JOB_RELEASE, &p);
}
