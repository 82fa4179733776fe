-- Held edits, photo audiences and search over what readers see.

-- A published story's pending draft: every field the editor saves, held
-- until the writer publishes it (stories/drafts.c). At most one per story.
CREATE TABLE story_drafts (
	story_id     TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	subtitle     TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	audience     TEXT NOT NULL,
	circle_id    TEXT NOT NULL DEFAULT '',
	content_note TEXT NOT NULL DEFAULT '',
	responses    TEXT NOT NULL,
	responders   TEXT NOT NULL,
	tags         TEXT NOT NULL DEFAULT '',  -- newline-separated, normalised
	revision_id  TEXT NOT NULL DEFAULT '',
	updated_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- A photo may be for fewer people than its story (audience/audience.h).
ALTER TABLE photos ADD COLUMN audience TEXT NOT NULL DEFAULT 'story'
	CHECK (audience IN ('story', 'circle', 'private'));
ALTER TABLE photos ADD COLUMN circle_id TEXT NOT NULL DEFAULT '';

-- The body as plain text without photos (no alt text, no Markdown): what
-- full-text search indexes and snippets quote. NULL until the stories
-- module fills it at start (story_backfill_text) for stories saved before.
ALTER TABLE stories ADD COLUMN search_text TEXT;
