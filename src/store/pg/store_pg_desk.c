/*
 * store_pg_desk.c - the writing desk's rows (PostgreSQL): revisions,
 * publication schedule, trash and a published story's pending draft. The
 * twin of sqlite/store_desk.c, held to the same answers by
 * tests/unit/test_store_desk.c; the rules (when a revision is kept,
 * coalescing, conflicts, the trash window) live in stories/desk.h.
 *
 * What only this backend has to do: several app servers share the
 * database, so store_schedule_due() claims what it returns (see
 * pg_schedule_due below and store.h).
 */
#include "store/pg/pg_int.h"

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
	"restored_from, created_at, saved_at) VALUES ($1, $2, (SELECT COALESCE(max(seq), 0) + 1 "
	"FROM revisions WHERE story_id = $2), $3, $4, $5, $6, $7, NULLIF($8, ''), $9, $10)";
static const char SQL_REV_REWRITE[] =
	"UPDATE revisions SET id = $2, title = $3, subtitle = $4, body = $5, word_count = $6, "
	"saved_at = $7, kind = $8, restored_from = NULLIF($9, '') WHERE id = $1";
static const char SQL_REV_CURRENT[] =
	"SELECT " REV_COLS " FROM revisions WHERE story_id = $1 AND kind <> 'conflict' "
	"ORDER BY seq DESC LIMIT 1";
static const char SQL_REV_GET[] = "SELECT " REV_COLS " FROM revisions WHERE id = $1";
static const char SQL_REV_LIST[] =
	"SELECT " REV_COLS_NOBODY " FROM revisions WHERE story_id = $1 ORDER BY seq DESC LIMIT 1000";

static void read_rev(struct arena *a, const PGresult *r, int row, struct revision_row *out)
{
	pg_id(out->id, r, row, 0);
	pg_id(out->story_id, r, row, 1);
	out->seq = pg_int(r, row, 2);
	out->kind = pg_text(a, r, row, 3);
	out->title = pg_text(a, r, row, 4);
	out->subtitle = pg_text(a, r, row, 5);
	out->body = pg_text(a, r, row, 6);
	out->word_count = pg_int(r, row, 7);
	pg_id(out->restored_from, r, row, 8);
	out->created_at = pg_int(r, row, 9);
	out->saved_at = pg_int(r, row, 10);
}

enum store_err pg_revision_add(struct store *s, const struct revision_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, r->id);
	pp_text(&p, r->story_id);
	pp_text(&p, r->kind);
	pp_text(&p, r->title);
	pp_text(&p, r->subtitle ? r->subtitle : "");
	pp_text(&p, r->body ? r->body : "");
	pp_int(&p, r->word_count);
	pp_text(&p, r->restored_from);
	pp_int(&p, r->created_at);
	pp_int(&p, r->saved_at ? r->saved_at : r->created_at);
	return pg_write(s, SQL_REV_ADD, &p, NULL);
}

enum store_err pg_revision_rewrite(struct store *s, const char *old_id,
				   const struct revision_row *r)
{
	struct pg_params p = {0};
	pp_text(&p, old_id);
	pp_text(&p, r->id);
	pp_text(&p, r->title);
	pp_text(&p, r->subtitle ? r->subtitle : "");
	pp_text(&p, r->body ? r->body : "");
	pp_int(&p, r->word_count);
	pp_int(&p, r->saved_at);
	pp_text(&p, r->kind);
	pp_text(&p, r->restored_from);
	return pg_write_one(s, SQL_REV_REWRITE, &p);
}

static enum store_err rev_one(struct store *s, const char *sql, struct arena *a, const char *key,
			      struct revision_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, key);
	PGresult *r = pg_run(s, sql, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		read_rev(a, r, 0, out);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_revision_current(struct store *s, struct arena *a, const char *story_id,
				   struct revision_row *out)
{
	return rev_one(s, SQL_REV_CURRENT, a, story_id, out);
}

enum store_err pg_revision_get(struct store *s, struct arena *a, const char *id,
			       struct revision_row *out)
{
	return rev_one(s, SQL_REV_GET, a, id, out);
}

enum store_err pg_revision_list(struct store *s, struct arena *a, const char *story_id,
				struct revision_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	PGresult *r = pg_run(s, SQL_REV_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++)
		read_rev(a, r, i, &(*rows)[i]);
	PQclear(r);
	return STORE_OK;
}

/* ---- schedule ---- */

static const char SQL_SCHED_SET[] =
	"INSERT INTO story_schedule(story_id, publish_at) VALUES ($1, $2) "
	"ON CONFLICT (story_id) DO UPDATE SET publish_at = excluded.publish_at";
static const char SQL_SCHED_CLEAR[] = "DELETE FROM story_schedule WHERE story_id = $1";
static const char SQL_SCHED_GET[] = "SELECT publish_at FROM story_schedule WHERE story_id = $1";
static const char SQL_SCHED_NEXT[] =
	"SELECT COALESCE(min(ss.publish_at), 0) FROM story_schedule ss JOIN stories s ON "
	"s.id = ss.story_id WHERE s.status = 'draft' AND s.deleted_at IS NULL";

/*
 * Claiming due stories, so that of several app servers exactly one
 * publishes each. The publication itself (story_update) is its own
 * transaction, opened by the rules after this call, so a row lock taken
 * here would be gone before it mattered. The claim is a session-level
 * advisory lock per story instead (key space 7152, the story id hashed),
 * held by this connection from the call that returned the story until
 * its next store_schedule_due() call (by which time the scheduler has
 * published it) or until the connection ends (a node that dies mid-way
 * releases its claims and another node publishes what it left).
 *
 * SQL_SCHED_RELEASE drops the claims of the previous call (all of the
 * session's advisory locks: the others are transaction locks, pg_int.h,
 * and this way a key taken twice, two ids hashing alike, is let go
 * whole). A reconnect (pg_int.c) drops them too: if the scheduler's
 * connection breaks between a claim and the publication's commit,
 * another node may claim and publish the same story in that moment (rare;
 * not guarded here). SQL_SCHED_CLAIM
 * takes the first max due stories (in a subquery, so that no lock is
 * taken on a row the LIMIT then drops) and locks those no other
 * connection holds. A claim taken while another node was committing its
 * publication could rest on an old snapshot, so SQL_SCHED_RECHECK reads
 * the claimed stories again in a new statement: the other node released
 * its lock only after its commit, so this statement sees it.
 */
static const char SQL_SCHED_RELEASE[] = "SELECT pg_advisory_unlock_all()";
static const char SQL_SCHED_CLAIM[] =
	"SELECT d.story_id FROM (SELECT ss.story_id, ss.publish_at FROM story_schedule ss "
	"JOIN stories s ON s.id = ss.story_id WHERE ss.publish_at <= $1 AND s.status = 'draft' "
	"AND s.deleted_at IS NULL ORDER BY ss.publish_at, ss.story_id LIMIT $2) d "
	"WHERE pg_try_advisory_lock(7152, hashtext(d.story_id)) ORDER BY d.publish_at, d.story_id";
static const char SQL_SCHED_RECHECK[] =
	"SELECT ss.story_id FROM story_schedule ss JOIN stories s ON s.id = ss.story_id "
	"WHERE ss.story_id = ANY($1::text[]) AND ss.publish_at <= $2 AND s.status = 'draft' "
	"AND s.deleted_at IS NULL ORDER BY ss.publish_at, ss.story_id";

enum store_err pg_schedule_set(struct store *s, const char *story_id, int64_t publish_at)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	if (publish_at)
		pp_int(&p, publish_at);
	return pg_write(s, publish_at ? SQL_SCHED_SET : SQL_SCHED_CLEAR, &p, NULL);
}

static enum store_err one_int(struct store *s, const char *sql, const struct pg_params *p,
			      int64_t *out)
{
	PGresult *r = pg_run(s, sql, p);
	if (!r)
		return STORE_ERROR;
	*out = PQntuples(r) == 1 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_schedule_get(struct store *s, const char *story_id, int64_t *publish_at)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	return one_int(s, SQL_SCHED_GET, &p, publish_at);
}

enum store_err pg_schedule_next(struct store *s, int64_t *at)
{
	return one_int(s, SQL_SCHED_NEXT, NULL, at);
}

enum store_err pg_schedule_due(struct store *s, int64_t now, char (*ids)[17], size_t max,
			       size_t *n)
{
	*n = 0;
	PGresult *r = pg_run(s, SQL_SCHED_RELEASE, NULL);
	if (!r)
		return STORE_ERROR;
	PQclear(r);
	if (max == 0)
		return STORE_OK;
	struct pg_params p = {0};
	pp_int(&p, now);
	pp_int(&p, (int64_t)max);
	if (!(r = pg_run(s, SQL_SCHED_CLAIM, &p)))
		return STORE_ERROR;
	int nt = PQntuples(r);
	if (nt == 0) {
		PQclear(r);
		return STORE_OK;
	}
	/* The claimed ids as a text[] literal: ids are 16 letters and
	 * digits (id_new()), so they need no quoting. */
	char *arr = malloc((size_t)nt * 18 + 3), *o = arr;
	if (!arr) {
		PQclear(r);
		return STORE_ERROR;
	}
	*o++ = '{';
	for (int i = 0; i < nt; i++) {
		if (i)
			*o++ = ',';
		const char *id = PQgetvalue(r, i, 0);
		size_t len = strnlen(id, 16);
		memcpy(o, id, len);
		o += len;
	}
	*o++ = '}';
	*o = '\0';
	PQclear(r);
	struct pg_params q = {0};
	pp_text(&q, arr);
	pp_int(&q, now);
	r = pg_run(s, SQL_SCHED_RECHECK, &q);
	free(arr);
	if (!r)
		return STORE_ERROR;
	for (int i = 0; i < PQntuples(r) && *n < max; i++)
		pg_id(ids[(*n)++], r, i, 0);
	PQclear(r);
	return STORE_OK;
}

/* ---- trash ---- */

static const char SQL_TRASH_LIST[] =
	"SELECT id, title, status, word_count, deleted_at FROM stories WHERE author_id = $1 AND "
	"deleted_at > 1 ORDER BY deleted_at DESC, id LIMIT 500";
static const char SQL_TRASH_RESTORE[] =
	"UPDATE stories SET deleted_at = NULL WHERE id = $1 AND author_id = $2 AND deleted_at > 1";
static const char SQL_TRASH_OLDEST[] =
	"SELECT COALESCE(min(deleted_at), 0) FROM stories WHERE deleted_at > 1";
static const char SQL_TRASH_MARK[] =
	"UPDATE stories SET deleted_at = 1 WHERE deleted_at > 1 AND deleted_at <= $1 AND "
	"($2::text IS NULL OR author_id = $2) AND ($3::text IS NULL OR id = $3)";
static const char SQL_TRASH_DROP[] = "DELETE FROM stories WHERE deleted_at = 1";

enum store_err pg_trash_list(struct store *s, struct arena *a, const char *author_id,
			     struct trash_row **rows, size_t *n)
{
	struct pg_params p = {0};
	pp_text(&p, author_id);
	PGresult *r = pg_run(s, SQL_TRASH_LIST, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	*rows = arena_alloc(a, (size_t)(nt ? nt : 1) * sizeof(**rows));
	*n = (size_t)nt;
	for (int i = 0; i < nt; i++) {
		struct trash_row *t = &(*rows)[i];
		pg_id(t->id, r, i, 0);
		t->title = pg_text(a, r, i, 1);
		t->status = pg_text(a, r, i, 2);
		t->word_count = pg_int(r, i, 3);
		t->deleted_at = pg_int(r, i, 4);
	}
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_trash_restore(struct store *s, const char *id, const char *author_id)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, author_id);
	return pg_write_one(s, SQL_TRASH_RESTORE, &p);
}

enum store_err pg_trash_oldest(struct store *s, int64_t *at)
{
	return one_int(s, SQL_TRASH_OLDEST, NULL, at);
}

enum store_err pg_trash_mark(struct store *s, int64_t cutoff, const char *author_id,
			     const char *only_id, int64_t *n)
{
	struct pg_params p = {0};
	pp_int(&p, cutoff);
	pp_text(&p, author_id);
	pp_text(&p, only_id);
	*n = 0;
	enum store_err e = pg_write(s, SQL_TRASH_MARK, &p, n);
	if (e)
		*n = 0;
	return e;
}

enum store_err pg_trash_drop(struct store *s)
{
	return pg_write(s, SQL_TRASH_DROP, NULL, NULL);
}

/* ---- held edits: a published story's pending draft ---- */

static const char SQL_DRAFT_GET[] =
	"SELECT story_id, title, subtitle, body, audience, circle_id, content_note, responses, "
	"responders, tags, revision_id, updated_at FROM story_drafts WHERE story_id = $1";
static const char SQL_DRAFT_PUT[] =
	"INSERT INTO story_drafts(story_id, title, subtitle, body, audience, circle_id, "
	"content_note, responses, responders, tags, revision_id, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
	"ON CONFLICT (story_id) DO UPDATE SET title = excluded.title, "
	"subtitle = excluded.subtitle, body = excluded.body, audience = excluded.audience, "
	"circle_id = excluded.circle_id, content_note = excluded.content_note, "
	"responses = excluded.responses, responders = excluded.responders, tags = excluded.tags, "
	"revision_id = excluded.revision_id, updated_at = excluded.updated_at";
static const char SQL_DRAFT_DELETE[] = "DELETE FROM story_drafts WHERE story_id = $1";

/* "a\nb\nc" (the stored form of the tag set) into an arena array. */
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

enum store_err pg_draft_get(struct store *s, struct arena *a, const char *story_id,
			    struct story_draft_row *out)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	PGresult *r = pg_run(s, SQL_DRAFT_GET, &p);
	if (!r)
		return STORE_ERROR;
	enum store_err e = STORE_NOT_FOUND;
	if (PQntuples(r) == 1) {
		memset(out, 0, sizeof(*out));
		pg_id(out->story_id, r, 0, 0);
		out->title = pg_text(a, r, 0, 1);
		out->subtitle = pg_text(a, r, 0, 2);
		out->body = pg_text(a, r, 0, 3);
		out->audience = pg_text(a, r, 0, 4);
		pg_id(out->circle_id, r, 0, 5);
		out->content_note = pg_text(a, r, 0, 6);
		out->responses = pg_text(a, r, 0, 7);
		out->responders = pg_text(a, r, 0, 8);
		split_tags(a, pg_text(a, r, 0, 9), &out->tags, &out->ntags);
		pg_id(out->revision_id, r, 0, 10);
		out->updated_at = pg_int(r, 0, 11);
		e = STORE_OK;
	}
	PQclear(r);
	return e;
}

enum store_err pg_draft_put(struct store *s, const struct story_draft_row *d)
{
	size_t len = 1;
	for (size_t i = 0; i < d->ntags; i++)
		len += strlen(d->tags[i]) + 1;
	char *joined = malloc(len), *o = joined;
	if (!joined)
		return STORE_ERROR;
	for (size_t i = 0; i < d->ntags; i++) {
		size_t k = strlen(d->tags[i]);
		if (i)
			*o++ = '\n';
		memcpy(o, d->tags[i], k);
		o += k;
	}
	*o = '\0';
	struct pg_params p = {0};
	pp_text(&p, d->story_id);
	pp_text(&p, d->title);
	pp_text(&p, d->subtitle ? d->subtitle : "");
	pp_text(&p, d->body ? d->body : "");
	pp_text(&p, d->audience);
	pp_text(&p, d->circle_id);
	pp_text(&p, d->content_note ? d->content_note : "");
	pp_text(&p, d->responses);
	pp_text(&p, d->responders);
	pp_text(&p, joined);
	pp_text(&p, d->revision_id);
	pp_int(&p, d->updated_at);
	enum store_err e = pg_write(s, SQL_DRAFT_PUT, &p, NULL);
	free(joined);
	return e;
}

enum store_err pg_draft_delete(struct store *s, const char *story_id)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	return pg_write(s, SQL_DRAFT_DELETE, &p, NULL);
}
