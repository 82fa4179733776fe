-- 003_media: photos in stories and their stored variants.
-- A photo belongs to one story; it is visible exactly when the story is.
-- Variant files are content-addressed (hash = SHA-256 of the file) under
-- DATA/media/, so two variants may share a file; a file is removed when
-- no row names its hash any more.

CREATE TABLE photos (
	id         TEXT PRIMARY KEY,
	story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	alt        TEXT NOT NULL,
	caption    TEXT NOT NULL DEFAULT '',
	sensitive  INTEGER NOT NULL DEFAULT 0,
	note       TEXT NOT NULL DEFAULT '',
	width      INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	preview    TEXT NOT NULL DEFAULT '',  -- tiny blurred JPEG as a data: URI
	created_at INTEGER NOT NULL
);
CREATE INDEX photos_story ON photos(story_id, created_at);

CREATE TABLE photo_variants (
	photo_id TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	format   TEXT NOT NULL CHECK (format IN ('webp', 'jpeg')),
	width    INTEGER NOT NULL,
	height   INTEGER NOT NULL,
	hash     TEXT NOT NULL,
	bytes    INTEGER NOT NULL,
	PRIMARY KEY (photo_id, format, width)
) WITHOUT ROWID;
CREATE INDEX photo_variants_hash ON photo_variants(hash);
