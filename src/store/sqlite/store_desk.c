/*
 * store_desk.c - the writing desk's rows (SQLite): revisions, publication
 * schedule, trash. Schema in migrations/005_desk.sql; the rules (when a
 * revision is kept, coalescing, conflicts, the trash window) live in
 * stories/desk.h, not here.
 */
#include "store/sqlite/store_int.h"

#include <stdlib.h>
#include <string.h>

#define REV_COLS \
	"id, story_id, seq, kind, title, subtitle, body, word_count, " \
	"COALESCE(restored_from, ''), created_at, saved_at"
#define REV_COLS_NOBODY \
	"id, story_id, seq, kind, title, subtitle, '', word_count, " \
	"COALESCE(restored_from, ''), created_at, saved_at"

static const char SQL_REV_ADD[] =
	"INSERT INTO revisions(id, story_id, seq, kind, title, subtitle, body, word_count, "
	"restored_from, created_at, saved_at) VALUES (?1, ?2, (SELECT COALESCE(max(seq), 0) + 1 "
	"FROM revisions WHERE story_id = ?2), ?3, ?4, ?5, ?6, ?7, NULLIF(?8, ''), ?9, ?10)";
static const char SQL_REV_REWRITE[] =
	"UPDATE revisions SET id = ?2, title = ?3, subtitle = ?4, body = ?5, word_count = ?6, "
	"saved_at = ?7, kind = ?8, restored_from = NULLIF(?9, '') WHERE id = ?1";
static const char SQL_REV_CURRENT[] =
	"SELECT " REV_COLS " FROM revisions WHERE story_id = ?1 AND kind <> 'conflict' "
	"ORDER BY seq DESC LIMIT 1";
static const char SQL_REV_GET[] = "SELECT " REV_COLS " FROM revisions WHERE id = ?1";
static const char SQL_REV_LIST[] =
	"SELECT " REV_COLS_NOBODY " FROM revisions WHERE story_id = ?1 ORDER BY seq DESC LIMIT 1000";

static const char SQL_SCHED_SET[] =
	"INSERT INTO story_schedule(story_id, publish_at) VALUES (?1, ?2) "
	"ON CONFLICT(story_id) DO UPDATE SET publish_at = excluded.publish_at";
static const char SQL_SCHED_CLEAR[] = "DELETE FROM story_schedule WHERE story_id = ?1";
static const char SQL_SCHED_GET[] = "SELECT publish_at FROM story_schedule WHERE story_id = ?1";
static const char SQL_SCHED_NEXT[] =
	"SELECT COALESCE(min(ss.publish_at), 0) FROM story_schedule ss JOIN stories s ON "
	"s.id = ss.story_id WHERE s.status = 'draft' AND s.deleted_at IS NULL";
static const char SQL_SCHED_DUE[] =
	"SELECT ss.story_id FROM story_schedule ss JOIN stories s ON s.id = ss.story_id "
	"WHERE ss.publish_at <= ?1 AND s.status = 'draft' AND s.deleted_at IS NULL "
	"ORDER BY ss.publish_at LIMIT ?2";

static const char SQL_TRASH_LIST[] =
	"SELECT id, title, status, word_count, deleted_at FROM stories WHERE author_id = ?1 AND "
	"deleted_at > 1 ORDER BY deleted_at DESC, id LIMIT 500";
static const char SQL_TRASH_RESTORE[] =
	"UPDATE stories SET deleted_at = NULL WHERE id = ?1 AND author_id = ?2 AND deleted_at > 1";
static const char SQL_TRASH_OLDEST[] =
	"SELECT COALESCE(min(deleted_at), 0) FROM stories WHERE deleted_at > 1";
static const char SQL_TRASH_MARK[] =
	"UPDATE stories SET deleted_at = 1 WHERE deleted_at > 1 AND deleted_at <= ?1 AND "
	"(?2 IS NULL OR author_id = ?2) AND (?3 IS NULL OR id = ?3)";
static const char SQL_TRASH_DROP[] = "DELETE FROM stories WHERE deleted_at = 1";

static void read_rev(struct arena *a, sqlite3_stmt *st, struct revision_row *r)
{
	col_id(r->id, st, 0);
	col_id(r->story_id, st, 1);
	r->seq = sqlite3_column_int64(st, 2);
	r->kind = col_text(a, st, 3);
	r->title = col_text(a, st, 4);
	r->subtitle = col_text(a, st, 5);
	r->body = col_text(a, st, 6);
	r->word_count = sqlite3_column_int64(st, 7);
	col_id(r->restored_from, st, 8);
	r->created_at = sqlite3_column_int64(st, 9);
	r->saved_at = sqlite3_column_int64(st, 10);
}

enum store_err sq_revision_add(struct store *s, const struct revision_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REV_ADD);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->story_id);
	bind_text(st, 3, r->kind);
	bind_text(st, 4, r->title);
	bind_text(st, 5, r->subtitle ? r->subtitle : "");
	bind_text(st, 6, r->body ? r->body : "");
	sqlite3_bind_int64(st, 7, r->word_count);
	bind_text(st, 8, r->restored_from);
	sqlite3_bind_int64(st, 9, r->created_at);
	sqlite3_bind_int64(st, 10, r->saved_at ? r->saved_at : r->created_at);
	return exec_write(s, st);
}

enum store_err sq_revision_rewrite(struct store *s, const char *old_id,
				      const struct revision_row *r)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REV_REWRITE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, old_id);
	bind_text(st, 2, r->id);
	bind_text(st, 3, r->title);
	bind_text(st, 4, r->subtitle ? r->subtitle : "");
	bind_text(st, 5, r->body ? r->body : "");
	sqlite3_bind_int64(st, 6, r->word_count);
	sqlite3_bind_int64(st, 7, r->saved_at);
	bind_text(st, 8, r->kind);
	bind_text(st, 9, r->restored_from);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

static enum store_err rev_one(struct store *s, const char *sql, struct arena *a, const char *key,
			      struct revision_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, sql);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		read_rev(a, st, out);
	else
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_revision_current(struct store *s, struct arena *a, const char *story_id,
				      struct revision_row *out)
{
	return rev_one(s, SQL_REV_CURRENT, a, story_id, out);
}

enum store_err sq_revision_get(struct store *s, struct arena *a, const char *id,
				  struct revision_row *out)
{
	return rev_one(s, SQL_REV_GET, a, id, out);
}

enum store_err sq_revision_list(struct store *s, struct arena *a, const char *story_id,
				   struct revision_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_REV_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	size_t cap = 16;
	*rows = arena_alloc(a, cap * sizeof(**rows));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct revision_row *nr = arena_alloc(a, 2 * cap * sizeof(*nr));
			memcpy(nr, *rows, cap * sizeof(*nr));
			*rows = nr;
			cap *= 2;
		}
		read_rev(a, st, &(*rows)[(*n)++]);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

/* ---- schedule ---- */

enum store_err sq_schedule_set(struct store *s, const char *story_id, int64_t publish_at)
{
	sqlite3_stmt *st = stmt_cached(s, publish_at ? SQL_SCHED_SET : SQL_SCHED_CLEAR);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	if (publish_at)
		sqlite3_bind_int64(st, 2, publish_at);
	return exec_write(s, st);
}

static enum store_err one_int(struct store *s, sqlite3_stmt *st, int64_t *out, bool none_ok)
{
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE && none_ok)
		*out = 0;
	else
		e = err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_schedule_get(struct store *s, const char *story_id, int64_t *publish_at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SCHED_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	return one_int(s, st, publish_at, true);
}

enum store_err sq_schedule_next(struct store *s, int64_t *at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SCHED_NEXT);
	if (!st)
		return STORE_ERROR;
	return one_int(s, st, at, false);
}

enum store_err sq_schedule_due(struct store *s, int64_t now, char (*ids)[17], size_t max,
				  size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_SCHED_DUE);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		col_id(ids[(*n)++], st, 0);
	enum store_err e = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

/* ---- trash ---- */

enum store_err sq_trash_list(struct store *s, struct arena *a, const char *author_id,
				struct trash_row **rows, size_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TRASH_LIST);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, author_id);
	size_t cap = 16;
	*rows = arena_alloc(a, cap * sizeof(**rows));
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct trash_row *nr = arena_alloc(a, 2 * cap * sizeof(*nr));
			memcpy(nr, *rows, cap * sizeof(*nr));
			*rows = nr;
			cap *= 2;
		}
		struct trash_row *r = &(*rows)[(*n)++];
		col_id(r->id, st, 0);
		r->title = col_text(a, st, 1);
		r->status = col_text(a, st, 2);
		r->word_count = sqlite3_column_int64(st, 3);
		r->deleted_at = sqlite3_column_int64(st, 4);
	}
	enum store_err e = rc == SQLITE_DONE ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_trash_restore(struct store *s, const char *id, const char *author_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TRASH_RESTORE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, author_id);
	enum store_err e = exec_write(s, st);
	if (!e && sqlite3_changes(SQ(s)->db) == 0)
		e = STORE_NOT_FOUND;
	return e;
}

enum store_err sq_trash_oldest(struct store *s, int64_t *at)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TRASH_OLDEST);
	if (!st)
		return STORE_ERROR;
	return one_int(s, st, at, false);
}

enum store_err sq_trash_mark(struct store *s, int64_t cutoff, const char *author_id,
				const char *only_id, int64_t *n)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TRASH_MARK);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, cutoff);
	bind_text(st, 2, author_id);
	bind_text(st, 3, only_id);
	enum store_err e = exec_write(s, st);
	*n = e ? 0 : sqlite3_changes(SQ(s)->db);
	return e;
}

enum store_err sq_trash_drop(struct store *s)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TRASH_DROP);
	if (!st)
		return STORE_ERROR;
	return exec_write(s, st);
}

/* ---- held edits: a published story's pending draft ---- */

static const char SQL_DRAFT_GET[] =
	"SELECT story_id, title, subtitle, body, audience, circle_id, content_note, responses, "
	"responders, tags, revision_id, updated_at FROM story_drafts WHERE story_id = ?1";
static const char SQL_DRAFT_PUT[] =
	"INSERT OR REPLACE INTO story_drafts(story_id, title, subtitle, body, audience, circle_id, "
	"content_note, responses, responders, tags, revision_id, updated_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_DRAFT_DELETE[] = "DELETE FROM story_drafts WHERE story_id = ?1";

/* "a\nb\nc" into an arena array of strings. */
static void split_tags(struct arena *a, const char *joined, const char *const **tags, size_t *n)
{
	size_t cap = 1;
	for (const char *p = joined; *p; p++)
		cap += *p == '\n';
	const char **out = arena_alloc(a, cap * sizeof(*out));
	size_t k = 0;
	const char *p = joined;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len)
			out[k++] = arena_strndup(a, p, len);
		p += len + (e ? 1 : 0);
	}
	*tags = out;
	*n = k;
}

enum store_err sq_draft_get(struct store *s, struct arena *a, const char *story_id,
			       struct story_draft_row *out)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DRAFT_GET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		col_id(out->story_id, st, 0);
		out->title = col_text(a, st, 1);
		out->subtitle = col_text(a, st, 2);
		out->body = col_text(a, st, 3);
		out->audience = col_text(a, st, 4);
		col_id(out->circle_id, st, 5);
		out->content_note = col_text(a, st, 6);
		out->responses = col_text(a, st, 7);
		out->responders = col_text(a, st, 8);
		split_tags(a, col_text(a, st, 9), &out->tags, &out->ntags);
		col_id(out->revision_id, st, 10);
		out->updated_at = sqlite3_column_int64(st, 11);
	} else {
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	}
	done(st);
	return e;
}

enum store_err sq_draft_put(struct store *s, const struct story_draft_row *d)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DRAFT_PUT);
	if (!st)
		return STORE_ERROR;
	size_t len = 1;
	for (size_t i = 0; i < d->ntags; i++)
		len += strlen(d->tags[i]) + 1;
	char *joined = malloc(len), *o = joined;
	if (!joined) {
		done(st);
		return STORE_ERROR;
	}
	for (size_t i = 0; i < d->ntags; i++) {
		size_t n = strlen(d->tags[i]);
		if (i)
			*o++ = '\n';
		memcpy(o, d->tags[i], n);
		o += n;
	}
	*o = '\0';
	bind_text(st, 1, d->story_id);
	bind_text(st, 2, d->title);
	bind_text(st, 3, d->subtitle ? d->subtitle : "");
	bind_text(st, 4, d->body ? d->body : "");
	bind_text(st, 5, d->audience);
	bind_text(st, 6, d->circle_id);
	bind_text(st, 7, d->content_note ? d->content_note : "");
	bind_text(st, 8, d->responses);
	bind_text(st, 9, d->responders);
	sqlite3_bind_text(st, 10, joined, -1, SQLITE_TRANSIENT);
	bind_text(st, 11, d->revision_id);
	sqlite3_bind_int64(st, 12, d->updated_at);
	free(joined);
	return exec_write(s, st);
}

enum store_err sq_draft_delete(struct store *s, const char *story_id)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_DRAFT_DELETE);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, story_id);
	return exec_write(s, st);
}

/* ---- search text of stories saved before it existed ---- */

static const char SQL_TEXT_MISSING[] =
	"SELECT id, body FROM stories WHERE search_text IS NULL LIMIT ?1";
static const char SQL_TEXT_SET[] = "UPDATE stories SET search_text = ?2 WHERE id = ?1";

enum store_err sq_story_text_missing(struct store *s, struct arena *a, char (*ids)[17],
				       const char **bodies, size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = stmt_cached(s, SQL_TEXT_MISSING);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		col_id(ids[*n], st, 0);
		bodies[(*n)++] = col_text(a, st, 1);
	}
	enum store_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? STORE_OK : err_of(s, rc);
	done(st);
	return e;
}

enum store_err sq_story_text_set(struct store *s, const char *id, const char *text)
{
	sqlite3_stmt *st = stmt_cached(s, SQL_TEXT_SET);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, id);
	bind_text(st, 2, text);
	enum store_err e = exec_write(s, st);
	return e ? e : store_fts_refresh(s, id);
}
