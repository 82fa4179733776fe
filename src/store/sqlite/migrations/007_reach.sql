-- 007_reach: follows, tags, full-text search.

CREATE TABLE follows (
	follower_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	writer_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (follower_id, writer_id)
) WITHOUT ROWID;
CREATE INDEX follows_writer ON follows(writer_id, follower_id);

CREATE TABLE story_tags (
	story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	tag      TEXT NOT NULL,
	PRIMARY KEY (story_id, tag)
) WITHOUT ROWID;
CREATE INDEX story_tags_tag ON story_tags(tag, story_id);

-- Search index over every story, rowid = stories.rowid; the audience rule
-- filters results at query time (AUDIENCE_SQL), so the index may hold
-- everything.
CREATE VIRTUAL TABLE stories_fts USING fts5(
	title, subtitle, body, tags,
	tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Kept current by the store's C code (store_fts_refresh), not by
-- triggers: the connection runs with trusted_schema=OFF, which forbids
-- virtual tables in triggers.

INSERT INTO stories_fts(rowid, title, subtitle, body, tags)
	SELECT rowid, title, subtitle, body, '' FROM stories;
