-- 004_responses: readers' responses and the writer's controls over them.

ALTER TABLE stories ADD COLUMN responses TEXT NOT NULL DEFAULT 'open'
	CHECK (responses IN ('open', 'approval', 'off'));
ALTER TABLE stories ADD COLUMN responders TEXT NOT NULL DEFAULT 'signed_in'
	CHECK (responders IN ('signed_in', 'circle'));
ALTER TABLE users ADD COLUMN default_responses TEXT NOT NULL DEFAULT 'open';
ALTER TABLE users ADD COLUMN default_responders TEXT NOT NULL DEFAULT 'signed_in';

CREATE TABLE responses (
	id         TEXT PRIMARY KEY,
	story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	author_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	parent_id  TEXT REFERENCES responses(id) ON DELETE CASCADE,
	body       TEXT NOT NULL,
	body_html  TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('visible', 'pending', 'hidden')),
	held_for   TEXT NOT NULL DEFAULT '', -- why it is pending: 'approval', 'muted'
	created_at INTEGER NOT NULL,
	edited_at  INTEGER,
	reports    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX responses_story ON responses(story_id, created_at);
CREATE INDEX responses_author ON responses(author_id, created_at);

CREATE TABLE response_reports (
	response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
	reporter_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (response_id, reporter_id)
) WITHOUT ROWID;

CREATE TABLE blocks (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	blocked_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (writer_id, blocked_id)
) WITHOUT ROWID;
CREATE INDEX blocks_blocked ON blocks(blocked_id, writer_id);

CREATE TABLE muted_words (
	writer_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	phrase    TEXT NOT NULL,
	PRIMARY KEY (writer_id, phrase)
) WITHOUT ROWID;

-- Rate-limited actions; scope is e.g. 'resp:user:ID' or 'resp:addr:ADDR'.
CREATE TABLE rate_events (
	scope TEXT NOT NULL,
	at    INTEGER NOT NULL
);
CREATE INDEX rate_events_scope ON rate_events(scope, at);
