/*
 * store_reach.c - follows, tags and full-text search (SQLite FTS5). The
 * reader's query becomes FTS5 syntax here (fts5_query()), so that nothing
 * above the store knows it.
 */
#include "store/sqlite/store_int.h"
#include "core/buf.h"

#include <string.h>

static const char SQL_FOLLOW_ADD[] =
	"INSERT INTO follows(follower_id, writer_id, created_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT DO NOTHING";
static const char SQL_FOLLOW_REMOVE[] = "DELETE FROM follows WHERE follower_id = ?1 AND writer_id = ?2";
static const char SQL_FOLLOW_CHECK[] = "SELECT 1 FROM follows WHERE follower_id = ?1 AND writer_id = ?2";
static const char SQL_FOLLOWING[] =
	"SELECT u.id, u.handle, u.name, f.created_at FROM follows f JOIN users u ON "
	"u.id = f.writer_id WHERE f.follower_id = ?1 ORDER BY u.handle LIMIT 5000";
static const char SQL_FOLLOWERS[] =
	"SELECT u.id, u.handle, u.name, f.created_at FROM follows f JOIN users u ON "
	"u.id = f.follower_id WHERE f.writer_id = ?1 ORDER BY u.handle LIMIT 5000";
static const char SQL_TAGS_GET[] =
	"SELECT tag FROM story_tags WHERE story_id = ?1 ORDER BY tag";
static const char SQL_TAGS_CLEAR[] = "DELETE FROM story_tags WHERE story_id = ?1";
static const char SQL_TAGS_ADD[] =
	"INSERT INTO story_tags(story_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
/* Column weights of the ranking (title, subtitle, body, tags): the title
 * above the subtitle and tags above the body, as store.h promises. */
#define FTS_WEIGHTS "10.0, 4.0, 1.0, 4.0"
static const char SQL_SEARCH[] =
	"SELECT " STORY_COLS ", snippet(stories_fts, -1, char(2), char(3), '…', 16) "
	"FROM stories_fts JOIN stories s ON s.rowid = stories_fts.rowid "
	"JOIN users u ON u.id = s.author_id "
	"WHERE stories_fts MATCH :q AND s.status = 'published' AND " AUDIENCE_SQL
	/* Ranked among the newest 2000 stories that match (store.h): a word
	 * in most of a million stories took 11 s to rank, 40 ms so. */
	" AND stories_fts.rowid >= COALESCE((SELECT rowid FROM stories_fts WHERE stories_fts "
	"MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET 1999), 0)"
	" ORDER BY bm25(stories_fts, " FTS_WEIGHTS "), COALESCE(s.published_at, s.created_at) DESC, "
	"s.id DESC LIMIT :limit";

static const char SQL_FTS_DELETE[] =
	"DELETE FROM stories_fts WHERE rowid = (SELECT rowid FROM stories WHERE id = ?1)";
/* The snippet markers (char(2), char(3)) are taken out of the indexed
 * text, so that in a snippet they only ever mark matches. */
#define NO_MARKS(x) "replace(replace(" x ", char(2), ''), char(3), '')"
static const char SQL_FTS_INSERT[] =
	"INSERT INTO stories_fts(rowid, title, subtitle, body, tags) SELECT rowid, "
	NO_MARKS("title") ", " NO_MARKS("subtitle") ", " NO_MARKS("COALESCE(search_text, '')") ", "
	"COALESCE((SELECT group_concat(tag, ' ') FROM story_tags WHERE story_id = ?1), '') "
	"FROM stories WHERE id = ?1";

enum store_err store_fts_refresh(struct store *s, const char *story_id)
{
	sqlite3_stmt *d = stmt_cached(s, SQL_FTS_DELETE), *i = stmt_cached(s, SQL_FTS_INSERT);
	if (!d || !i)
		return STORE_ERROR;
	bind_text(d, 1, story_id);
	bind_text(i, 1, story_id);
	enum store_err e = exec_write(s, d);
	return e ? e : exec_write(s, i);
}

static const char SQL_SHARE_PHOTO[] =
	"SELECT p.id, max(v.width) FROM photos p JOIN photo_variants v ON v.photo_id = p.id "
	"AND v.format = 'jpeg' AND v.width <= ?2 WHERE p.story_id = ?1 AND p.sensitive = 0 "
	"AND " PHOTO_FOR_ALL_SQL " GROUP BY p.id ORDER BY p.created_at, p.id LIMIT 1";

enum store_err sq_story_share_photo(struct store *s, const char *story_id, int64_t max_width,
				    char photo_id[17], int64_t *width)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SHARE_PHOTO);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	sqlite3_bind_int64(st, 2, max_width);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		col_id(photo_id, st, 0);
		*width = sqlite3_column_int64(st, 1);
	} else {
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	}
	done(st);
	return e;
}

enum store_err sq_follow_add(struct store *s, const char *follower_id, const char *writer_id,
				int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOW_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, follower_id);
	bind_text(st, 2, writer_id);
	sqlite3_bind_int64(st, 3, now);
	return exec_write(s, st);
}

enum store_err sq_follow_remove(struct store *s, const char *follower_id,
				   const char *writer_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOW_REMOVE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, follower_id);
	bind_text(st, 2, writer_id);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_follow_check(struct store *s, const char *follower_id,
				  const char *writer_id, bool *follows)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_FOLLOW_CHECK);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, follower_id);
	bind_text(st, 2, writer_id);
	int rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_of(s, rc);
	*follows = rc == SQLITE_ROW;
	return STORE_OK;
}

static enum store_err people(struct store *s, struct arena *a, const char *sql, const char *id,
			     struct member_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	return collect_members(s, a, st, rows, n);
}

enum store_err sq_following(struct store *s, struct arena *a, const char *user_id,
			       struct member_row **rows, size_t *n)
{
	return people(s, a, SQL_FOLLOWING, user_id, rows, n);
}

enum store_err sq_followers(struct store *s, struct arena *a, const char *writer_id,
			       struct member_row **rows, size_t *n)
{
	return people(s, a, SQL_FOLLOWERS, writer_id, rows, n);
}

enum store_err sq_tags_get(struct store *s, struct arena *a, const char *story_id,
			      const char ***tags, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TAGS_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	size_t cap = 8;
	*tags = arena_alloc(a, cap * sizeof(**tags));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
		(*tags)[(*n)++] = col_text(a, st, 0);
	enum store_err e = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_tags_set(struct store *s, const char *story_id, const char *const *tags,
			      size_t n)
{
	sqlite3_stmt *clr = stmt_cached(s, SQL_TAGS_CLEAR), *add = stmt_cached(s, SQL_TAGS_ADD);
	if (!clr || !add)
		return STORE_ERROR;
	bool own = sqlite3_get_autocommit(SQ(s)->db) != 0;
	if (own && sq_begin(s))
		return STORE_ERROR;
	bind_text(clr, 1, story_id);
	if (exec_write(s, clr))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		bind_text(add, 1, story_id);
		bind_text(add, 2, tags[i]);
		if (exec_write(s, add))
			goto fail;
	}
	if (store_fts_refresh(s, story_id))
		goto fail;
	if (own && sq_commit(s))
		return STORE_ERROR;
	return STORE_OK;
fail:
	if (own)
		sq_rollback(s);
	return STORE_ERROR;
}

#define FTS_MAX_TERMS 12

/* The reader's query as FTS5 syntax: each word and each "quoted phrase"
 * quoted for FTS5 (so that no operator, column filter or prefix of hers
 * reaches FTS5), all required; at most FTS_MAX_TERMS of them. Terms
 * without a letter or digit are dropped. NULL when nothing remains. */
static const char *fts5_query(struct arena *a, const char *q)
{
	struct buf out;
	buf_init(&out, 4096);
	size_t terms = 0;
	const char *p = q;
	while (*p && terms < FTS_MAX_TERMS) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		const char *start, *end;
		if (*p == '"') {
			start = ++p;
			end = strchr(p, '"');
			if (!end)
				end = p + strlen(p);
			p = *end ? end + 1 : end;
		} else {
			start = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '"')
				p++;
			end = p;
		}
		bool word = false;
		for (const char *c = start; c < end; c++)
			if ((unsigned char)*c >= 0x80 || (*c >= 'a' && *c <= 'z') ||
			    (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
				word = true;
		if (!word)
			continue;
		if (terms)
			buf_addch(&out, ' ');
		buf_addch(&out, '"');
		for (const char *c = start; c < end; c++) {
			if (*c == '"')
				buf_addch(&out, '"');
			buf_addch(&out, *c);
		}
		buf_addch(&out, '"');
		terms++;
	}
	const char *r = terms ? arena_strndup(a, buf_str(&out), out.len) : NULL;
	buf_release(&out);
	return r;
}

enum store_err sq_search(struct store *s, struct arena *a, const char *viewer_id,
			    const char *query, int limit, struct story_list *out,
			    const char ***snippets)
{
	out->items = NULL;
	out->n = 0;
	out->more = false;
	*snippets = NULL;
	if (limit < 1 || limit > 100)
		limit = 20;
	const char *fts_query = query ? fts5_query(a, query) : NULL;
	if (!fts_query)
		return STORE_OK;
	sqlite3_stmt *st = stmt_cached(s, SQL_SEARCH);
	if (!st)
		return STORE_ERROR;
	bind_named_text(st, ":q", fts_query);
	bind_named_text(st, ":viewer", viewer_id ? viewer_id : "");
	bind_named_int(st, ":limit", limit);
	out->items = arena_alloc(a, (size_t)limit * sizeof(*out->items));
	*snippets = arena_alloc(a, (size_t)limit * sizeof(**snippets));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < (size_t)limit) {
		read_story(a, st, &out->items[out->n]);
		(*snippets)[out->n] = col_text(a, st, sqlite3_column_count(st) - 1);
		out->n++;
	}
	/* A malformed MATCH expression is the caller's problem, not an I/O
	 * error: report it as "nothing found". */
	enum store_err e = STORE_OK;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (rc == SQLITE_ERROR) {
			out->n = 0;
		} else {
			e = err_of(s, rc);
		}
	}
	done(st);
	return e;
}

/* ---- imports ---- */
static const char SQL_IMPORT_GET[] =
	"SELECT story_id FROM import_sources WHERE user_id = ?1 AND source = ?2 AND source_id = ?3";
static const char SQL_IMPORT_ADD[] =
	"INSERT INTO import_sources(user_id, source, source_id, story_id, imported_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";

enum store_err sq_import_source_get(struct store *s, const char *user_id, const char *source,
				    const char *source_id, char story_id[17])
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, source);
	bind_text(st, 3, source_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		col_id(story_id, st, 0);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_import_source_add(struct store *s, const char *user_id, const char *source,
				    const char *source_id, const char *story_id, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	bind_text(st, 2, source);
	bind_text(st, 3, source_id);
	bind_text(st, 4, story_id);
	sqlite3_bind_int64(st, 5, now);
	return exec_write(s, st);
}

/* ---- photos of imports not fetched yet ---- */
#define IMPORT_PHOTO_COLS "id, story_id, user_id, url, alt, caption, error, tries, created_at"
static const char SQL_IMPORT_PHOTO_PUT[] =
	"INSERT INTO import_photos(" IMPORT_PHOTO_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	"ON CONFLICT(id) DO UPDATE SET error = excluded.error, tries = excluded.tries";
static const char SQL_IMPORT_PHOTO_GET[] =
	"SELECT " IMPORT_PHOTO_COLS " FROM import_photos WHERE id = ?1";
static const char SQL_IMPORT_PHOTO_LIST[] =
	"SELECT " IMPORT_PHOTO_COLS " FROM import_photos WHERE (?1 IS NULL OR user_id = ?1) "
	"ORDER BY created_at, id LIMIT ?2";
static const char SQL_IMPORT_PHOTO_DELETE[] = "DELETE FROM import_photos WHERE id = ?1";

enum store_err sq_import_photo_put(struct store *s, const struct import_photo_row *p)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_PHOTO_PUT);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, p->id);
	bind_text(st, 2, p->story_id);
	bind_text(st, 3, p->user_id);
	bind_text(st, 4, p->url);
	bind_text(st, 5, p->alt);
	bind_text(st, 6, p->caption);
	bind_text(st, 7, p->error);
	sqlite3_bind_int64(st, 8, p->tries);
	sqlite3_bind_int64(st, 9, p->created_at);
	return exec_write(s, st);
}

static void import_photo_row(struct arena *a, sqlite3_stmt *st, struct import_photo_row *o)
{
	col_id(o->id, st, 0);
	col_id(o->story_id, st, 1);
	col_id(o->user_id, st, 2);
	o->url = col_text(a, st, 3);
	o->alt = col_text(a, st, 4);
	o->caption = col_text(a, st, 5);
	o->error = col_text(a, st, 6);
	o->tries = sqlite3_column_int64(st, 7);
	o->created_at = sqlite3_column_int64(st, 8);
}

enum store_err sq_import_photo_get(struct store *s, struct arena *a, const char *id,
				   struct import_photo_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_PHOTO_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		import_photo_row(a, st, out);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_import_photo_list(struct store *s, struct arena *a, const char *user_id,
				    size_t max, struct import_photo_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_PHOTO_LIST);
	if (!st)
		return STORE_ERROR;
	if (user_id)
		bind_text(st, 1, user_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		import_photo_row(a, st, &(*rows)[(*n)++]);
	if (*n < max && rc != SQLITE_DONE) {
		done(st);
		return err_of(s, rc);
	}
	done(st);
	return STORE_OK;
}

enum store_err sq_import_photo_delete(struct store *s, const char *id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_PHOTO_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	return exec_write(s, st);
}

/* ---- imports from the settings page: a queue with leases ---- */
#define IMPORT_JOB_COLS                                                                            \
	"id, user_id, kind, file, name, responses, status, done, total, report, claimed_by, "     \
	"lease_until, created_at, started_at, finished_at"
static const char SQL_IMPORT_JOB_ADD[] =
	"INSERT INTO import_jobs(" IMPORT_JOB_COLS ") "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', 0, 0, '', '', 0, ?7, 0, 0)";
static const char SQL_IMPORT_JOB_GET[] =
	"SELECT " IMPORT_JOB_COLS " FROM import_jobs WHERE id = ?1";
static const char SQL_IMPORT_JOB_LIST[] =
	"SELECT " IMPORT_JOB_COLS " FROM import_jobs WHERE user_id = ?1 "
	"ORDER BY created_at DESC, id DESC LIMIT ?2";
/* One writer at a time on SQLite: the select and the update are one
 * statement, so no two workers claim the same job. */
static const char SQL_IMPORT_JOB_CLAIM[] =
	"UPDATE import_jobs SET status = 'running', claimed_by = ?1, lease_until = ?3, "
	"started_at = CASE WHEN started_at = 0 THEN ?2 ELSE started_at END "
	"WHERE id = (SELECT id FROM import_jobs WHERE status = 'queued' "
	"OR (status = 'running' AND lease_until < ?2) ORDER BY created_at, id LIMIT 1) "
	"RETURNING " IMPORT_JOB_COLS;
static const char SQL_IMPORT_JOB_PROGRESS[] =
	"UPDATE import_jobs SET done = ?3, total = ?4, lease_until = ?5 "
	"WHERE id = ?1 AND claimed_by = ?2 AND status = 'running'";
static const char SQL_IMPORT_JOB_RELEASE[] =
	"UPDATE import_jobs SET status = 'queued', claimed_by = '', lease_until = 0 "
	"WHERE id = ?1 AND claimed_by = ?2 AND status = 'running'";
static const char SQL_IMPORT_JOB_FINISH[] =
	"UPDATE import_jobs SET status = ?3, report = ?4, finished_at = ?5, claimed_by = '', "
	"lease_until = 0 WHERE id = ?1 AND claimed_by = ?2 AND status = 'running'";

static void import_job_row(struct arena *a, sqlite3_stmt *st, struct import_job_row *o)
{
	col_id(o->id, st, 0);
	col_id(o->user_id, st, 1);
	o->kind = col_text(a, st, 2);
	o->file = col_text(a, st, 3);
	o->name = col_text(a, st, 4);
	o->responses = sqlite3_column_int64(st, 5) != 0;
	o->status = col_text(a, st, 6);
	o->done = sqlite3_column_int64(st, 7);
	o->total = sqlite3_column_int64(st, 8);
	o->report = col_text(a, st, 9);
	o->claimed_by = col_text(a, st, 10);
	o->lease_until = sqlite3_column_int64(st, 11);
	o->created_at = sqlite3_column_int64(st, 12);
	o->started_at = sqlite3_column_int64(st, 13);
	o->finished_at = sqlite3_column_int64(st, 14);
}

enum store_err sq_import_job_add(struct store *s, const struct import_job_row *j)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, j->id);
	bind_text(st, 2, j->user_id);
	bind_text(st, 3, j->kind);
	bind_text(st, 4, j->file ? j->file : "");
	bind_text(st, 5, j->name ? j->name : "");
	sqlite3_bind_int64(st, 6, j->responses ? 1 : 0);
	sqlite3_bind_int64(st, 7, j->created_at);
	return exec_write(s, st);
}

enum store_err sq_import_job_get(struct store *s, struct arena *a, const char *id,
				 struct import_job_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		import_job_row(a, st, out);
	done(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
}

enum store_err sq_import_job_list(struct store *s, struct arena *a, const char *user_id,
				  size_t max, struct import_job_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, user_id);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	*rows = arena_alloc(a, (max ? max : 1) * sizeof(**rows));
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		import_job_row(a, st, &(*rows)[(*n)++]);
	if (*n < max && rc != SQLITE_DONE) {
		done(st);
		return err_of(s, rc);
	}
	done(st);
	return STORE_OK;
}

enum store_err sq_import_job_claim(struct store *s, struct arena *a, const char *who, int64_t now,
				   int64_t lease_until, struct import_job_row *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_CLAIM);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, who);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, lease_until);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		import_job_row(a, st, out);
		rc = sqlite3_step(st);
	}
	bool got = out->id[0] != 0;
	done(st);
	if (rc != SQLITE_DONE)
		return err_of(s, rc);
	return got ? STORE_OK : STORE_NOT_FOUND;
}

enum store_err sq_import_job_progress(struct store *s, const char *id, const char *who,
				      int64_t done_, int64_t total, int64_t lease_until)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_PROGRESS);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, who);
	sqlite3_bind_int64(st, 3, done_);
	sqlite3_bind_int64(st, 4, total);
	sqlite3_bind_int64(st, 5, lease_until);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_import_job_finish(struct store *s, const char *id, const char *who,
				    const char *status, const char *report, int64_t now)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_FINISH);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, who);
	bind_text(st, 3, status);
	bind_text(st, 4, report);
	sqlite3_bind_int64(st, 5, now);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_import_job_release(struct store *s, const char *id, const char *who)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_IMPORT_JOB_RELEASE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, who);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}
