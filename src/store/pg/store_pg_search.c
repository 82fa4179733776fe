/*
 * store_pg_search.c - full-text search for the PostgreSQL backend: the
 * stories' search_doc tsvector, kept here on every write of a story or
 * its tags, and the search itself.
 *
 * The document weighs the title (A) over the subtitle and tags (B) over
 * the body's plain text (search_text, C), with the 'english'
 * configuration: stemming as FTS5's porter tokenizer does.
 */
#include "store/pg/pg_int.h"

static const char SQL_FTS_REFRESH[] =
	"UPDATE stories s SET search_doc = "
	"setweight(to_tsvector('english', s.title), 'A') || "
	"setweight(to_tsvector('english', s.subtitle), 'B') || "
	"setweight(to_tsvector('english', COALESCE((SELECT string_agg(t.tag, ' ') "
	"FROM story_tags t WHERE t.story_id = s.id), '')), 'B') || "
	"setweight(to_tsvector('english', COALESCE(s.search_text, s.body)), 'C') "
	"WHERE s.id = $1";

enum store_err pg_fts_refresh(struct store *s, const char *story_id)
{
	struct pg_params p = {0};
	pp_text(&p, story_id);
	return pg_write(s, SQL_FTS_REFRESH, &p, NULL);
}

/* ---- search text of stories saved before it existed ---- */

static const char SQL_TEXT_MISSING[] =
	"SELECT id, body FROM stories WHERE search_text IS NULL LIMIT $1";
static const char SQL_TEXT_SET[] = "UPDATE stories SET search_text = $2 WHERE id = $1";

enum store_err pg_story_text_missing(struct store *s, struct arena *a, char (*ids)[17],
				     const char **bodies, size_t max, size_t *n)
{
	*n = 0;
	struct pg_params p = {0};
	pp_int(&p, (int64_t)max);
	PGresult *r = pg_run(s, SQL_TEXT_MISSING, &p);
	if (!r)
		return STORE_ERROR;
	for (int i = 0; i < PQntuples(r) && *n < max; i++) {
		pg_id(ids[*n], r, i, 0);
		bodies[(*n)++] = pg_text(a, r, i, 1);
	}
	PQclear(r);
	return STORE_OK;
}

enum store_err pg_story_text_set(struct store *s, const char *id, const char *text)
{
	struct pg_params p = {0};
	pp_text(&p, id);
	pp_text(&p, text);
	enum store_err e = pg_write(s, SQL_TEXT_SET, &p, NULL);
	return e ? e : pg_fts_refresh(s, id);
}
