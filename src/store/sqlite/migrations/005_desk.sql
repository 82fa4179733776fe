-- 005_desk: the writing desk - revisions, scheduled publishing, trash.
--
-- Every kept state of a story's text is a revision. The story's current
-- revision is its newest revision that is not a refused ("conflict") save.
-- A burst of autosaves is one revision, rewritten in place under a new id
-- each time, so that a revision id always names one exact text and
-- conflict checks stay exact.
--
-- A scheduled story stays status 'draft' with publish_at set here; the
-- scheduler publishes it at that time. Trash is stories.deleted_at (set
-- by a delete); the scheduler purges rows older than the trash window.
-- deleted_at = 1 marks a story being purged right now (its photos are
-- collected, then the row goes).

CREATE TABLE revisions (
	id            TEXT PRIMARY KEY,
	story_id      TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	seq           INTEGER NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('create', 'save', 'autosave', 'publish',
	                                            'restore', 'conflict', 'scheduled')),
	title         TEXT NOT NULL,
	subtitle      TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	word_count    INTEGER NOT NULL DEFAULT 0,
	restored_from TEXT,
	created_at    INTEGER NOT NULL,
	saved_at      INTEGER NOT NULL, -- last rewrite of a coalesced autosave
	UNIQUE (story_id, seq)
);

CREATE TABLE story_schedule (
	story_id   TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
	publish_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX story_schedule_due ON story_schedule(publish_at);

CREATE INDEX stories_trash ON stories(deleted_at) WHERE deleted_at IS NOT NULL;

-- Stories written before the desk existed start with one revision.
INSERT INTO revisions(id, story_id, seq, kind, title, subtitle, body, word_count, created_at,
                      saved_at)
	SELECT lower(hex(randomblob(8))), id, 1, 'create', title, subtitle, body, word_count,
	       updated_at, updated_at
	FROM stories;
