-- 019_stories_text_missing: the twin of SQLite's 028 (performance, issue
-- 22): a partial index of the stories whose search text is still to be
-- made, so the look at every start is not a scan of the stories table.
CREATE INDEX IF NOT EXISTS stories_text_missing ON stories(id) WHERE search_text IS NULL;
