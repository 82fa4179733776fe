-- 018_import_photos: photos of imported stories that could not be fetched
-- (issue 19). The story's body already names each as photo:ID; the row
-- keeps where it was and why it failed, so that its writer sees a
-- placeholder (readers see nothing) and `quire import --retry-photos`
-- can fetch it again under the same id, without touching the body.
CREATE TABLE import_photos (
	id         TEXT PRIMARY KEY,  -- the photo id the body names
	story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	url        TEXT NOT NULL,
	alt        TEXT NOT NULL,
	caption    TEXT NOT NULL,
	error      TEXT NOT NULL,     -- the last attempt's reason, a sentence
	tries      INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX import_photos_user ON import_photos(user_id, created_at);
