-- 006_perf: the home page and every other all-writers listing order by
-- COALESCE(published_at, created_at) DESC, id DESC (store_story_list).
-- Without an index on that expression each listing scanned and sorted
-- every story: 0.4 s per home page at 100k stories (docs/performance.md).
-- With it, a page reads the index in order and stops after LIMIT rows.
CREATE INDEX stories_recent ON stories(COALESCE(published_at, created_at) DESC, id DESC);
