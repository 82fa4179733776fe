-- 028_stories_text_missing: performance (issue 22). Every start looks
-- for stories whose search text was never made (story_backfill_text);
-- without an index that is a scan of the whole stories table (over 30 s
-- on a site of a million stories). The partial index holds only those
-- rows, so it is empty, and the look free, once the backfill is done.
-- (IF NOT EXISTS: a test takes the schema back to version 12 and keeps
-- the tables it had, indexes included.)
CREATE INDEX IF NOT EXISTS stories_text_missing ON stories(id) WHERE search_text IS NULL;
