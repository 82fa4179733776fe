/*
 * store_pg_search.c - full-text search for the PostgreSQL backend: the
 * stories' search_doc tsvector, kept here on every write of a story or
 * its tags, and the search itself (store.h's contract, the same as the
 * SQLite backend's FTS5 one; tests/unit/test_store_media.c holds both).
 *
 * The document weighs the title (A) over the subtitle and tags (B) over
 * the body's plain text (search_text, C), with the 'english'
 * configuration: stemming as FTS5's porter tokenizer does. The reader's
 * query goes to websearch_to_tsquery() as she typed it: words, "quoted
 * phrases" (and OR, -word), never a syntax error.
 */
#include "store/pg/pg_int.h"


static const char SQL_FTS_REFRESH[] =
	"UPDATE stories s SET search_doc = "
	"setweight(to_tsvector('english', s.title), 'A') || "
	"setweight(to_tsvector('english', s.subtitle), 'B') || "
	"setweight(to_tsvector('english', COALESCE((SELECT string_agg(t.tag, ' ') "
	"FROM story_tags t WHERE t.story_id = s.id), '')), 'B') || "
	"setweight(to_tsvector('english', COALESCE(s.search_text, '')), 'C') "
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

/* ---- search ---- */

/*
 * $1 viewer ('' anonymous), $2 the reader's query, $3 limit. The best
 * matches are chosen first (hits: ts_rank_cd over search_doc, whose
 * weights rank A over B over C), and snippets made for those rows only.
 *
 * A snippet is ts_headline() of one field, as FTS5's snippet() picks one
 * column: the body's search text if a match is marked in it, else the
 * title, the subtitle, the tags, in that order (else the body's first
 * words). A field of at most 16 words is shown whole; a longer one as
 * 12 to 16 words centred on the best match (MaxFragments=1), or, when
 * no part of the field holds the whole query (an OR, or words spread
 * over several fields), from the first word of it that it holds. The
 * marker bytes are taken out of the text first (store.h: they only ever
 * mark matches), and '…' is added on each side where the extract leaves
 * words of its text out.
 */
#define HL_MARKS "'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', ' || "
#define HL_WHOLE HL_MARKS "'HighlightAll=true'"
#define HL_CENTRED HL_MARKS "'MaxWords=16, MinWords=12, MaxFragments=1'"
#define HL_WORDS HL_MARKS "'MaxWords=16, MinWords=12'"
#define HL_FIELD(x) "translate(" x ", chr(2) || chr(3), '')"
static const char SQL_SEARCH[] =
	"WITH q AS (SELECT websearch_to_tsquery('english', $2::text) AS q), "
	"hits AS (SELECT s.id, ts_rank_cd(s.search_doc, q.q) AS rank, "
	"COALESCE(s.published_at, s.created_at) AS at FROM stories s JOIN users u ON u.id = s.author_id, q "
	"WHERE s.search_doc @@ q.q AND s.status = 'published' AND " PG_AUDIENCE_SQL("$1::text")
	" ORDER BY rank DESC, at DESC, s.id COLLATE \"C\" DESC LIMIT $3) "
	"SELECT " PG_STORY_COLS ", CASE WHEN x.pos > 1 AND left(x.txt, x.pos - 1) ~ '[[:alnum:]]' "
	"THEN '…' ELSE '' END || x.h || CASE WHEN x.pos > 0 AND "
	"substr(x.txt, x.pos + length(x.plain)) ~ '[[:alnum:]]' THEN '…' ELSE '' END "
	"FROM hits JOIN stories s ON s.id = hits.id JOIN users u ON u.id = s.author_id CROSS JOIN q "
	"CROSS JOIN LATERAL ("
	/* the fields */
	"WITH v(k, txt) AS (VALUES (1, " HL_FIELD("COALESCE(s.search_text, '')") "), "
	"(2, " HL_FIELD("s.title") "), (3, " HL_FIELD("s.subtitle") "), "
	"(4, " HL_FIELD("COALESCE((SELECT string_agg(t.tag, ' ' ORDER BY t.tag COLLATE \"C\") "
	"FROM story_tags t WHERE t.story_id = s.id), '')") ")), "
	/* short enough to show whole? */
	"w AS (SELECT v.k, v.txt, length(v.txt) <= 400 AND "
	"cardinality(regexp_split_to_array(btrim(v.txt), '\\s+')) <= 16 AS whole FROM v), "
	"c AS (SELECT w.k, w.txt, w.whole, ts_headline('english', w.txt, q.q, CASE WHEN w.whole "
	"THEN " HL_WHOLE " ELSE " HL_CENTRED " END) AS h FROM w), "
	"g AS (SELECT c.k, c.txt, CASE WHEN c.whole OR strpos(c.h, chr(2)) > 0 THEN c.h "
	"ELSE ts_headline('english', c.txt, q.q, " HL_WORDS ") END AS h FROM c), "
	"f AS (SELECT g.k, g.txt, g.h, replace(replace(g.h, chr(2), ''), chr(3), '') AS plain "
	"FROM g) "
	"SELECT f.txt, f.h, f.plain, strpos(f.txt, f.plain) AS pos FROM f "
	"ORDER BY strpos(f.h, chr(2)) > 0 DESC, f.k LIMIT 1) x "
	"ORDER BY hits.rank DESC, hits.at DESC, s.id COLLATE \"C\" DESC";

enum store_err pg_search(struct store *s, struct arena *a, const char *viewer_id,
			 const char *query, int limit, struct story_list *out,
			 const char ***snippets)
{
	out->items = NULL;
	out->n = 0;
	out->more = false;
	*snippets = NULL;
	if (limit < 1 || limit > 100)
		limit = 20;
	if (!query || !*query)
		return STORE_OK;
	struct pg_params p = {0};
	pp_text(&p, viewer_id ? viewer_id : "");
	pp_text(&p, query);
	pp_int(&p, limit);
	PGresult *r = pg_run(s, SQL_SEARCH, &p);
	if (!r)
		return STORE_ERROR;
	int nt = PQntuples(r);
	out->items = arena_alloc(a, (size_t)limit * sizeof(*out->items));
	*snippets = arena_alloc(a, (size_t)limit * sizeof(**snippets));
	for (int i = 0; i < nt && out->n < (size_t)limit; i++) {
		pg_read_story(a, r, i, &out->items[out->n]);
		(*snippets)[out->n] = pg_text(a, r, i, PQnfields(r) - 1);
		out->n++;
	}
	PQclear(r);
	return STORE_OK;
}
