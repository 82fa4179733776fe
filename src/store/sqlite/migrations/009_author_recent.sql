-- 009_author_recent: a writer's own listing (profile page, her feed, the
-- API's ?author=) in the listing order. With only stories_recent, a
-- profile walked the whole site's index until it found a page of hers:
-- 15-20 ms at 100k stories and 1,000 writers, more for a quiet writer.
CREATE INDEX stories_author_recent
	ON stories(author_id, COALESCE(published_at, created_at) DESC, id DESC);
