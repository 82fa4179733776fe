-- 008_import: the twin of SQLite's 017. Stories brought from other
-- platforms (issue 19): where each was first published, and each imported
-- post by its source's own id (importing again changes nothing).
ALTER TABLE stories ADD COLUMN canonical_url TEXT NOT NULL DEFAULT '';
CREATE TABLE import_sources (
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	source      TEXT NOT NULL,
	source_id   TEXT NOT NULL,
	story_id    TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	imported_at BIGINT NOT NULL,
	PRIMARY KEY (user_id, source, source_id)
);
