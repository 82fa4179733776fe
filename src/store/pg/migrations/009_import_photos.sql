-- 009_import_photos: the twin of SQLite's 018. Photos of imported stories
-- that could not be fetched, under the id the body already names.
CREATE TABLE import_photos (
	id         TEXT PRIMARY KEY,
	story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	url        TEXT NOT NULL,
	alt        TEXT NOT NULL,
	caption    TEXT NOT NULL,
	error      TEXT NOT NULL,
	tries      BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX import_photos_user ON import_photos(user_id, created_at);
