-- 017_import: stories brought from other platforms (issue 19). A story
-- keeps where it was first published (canonical_url, "" for Quire's own),
-- and each imported post is remembered by its source's own id, so that
-- importing the same export again changes nothing.
ALTER TABLE stories ADD COLUMN canonical_url TEXT NOT NULL DEFAULT '';
CREATE TABLE import_sources (
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	source      TEXT NOT NULL,   -- "wordpress", "medium", "substack"
	source_id   TEXT NOT NULL,   -- the source's own id for the post
	story_id    TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	imported_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, source, source_id)
) WITHOUT ROWID;
