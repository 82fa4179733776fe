-- 024_fed_replies: federation (issue 20): a reply from the fediverse is a
-- response whose author is a remote actor, not an account: author_id
-- becomes optional and the actor (its URL, handle@domain and name) and
-- its Note's id are kept on the response. SQLite cannot drop NOT NULL, so
-- the table is rebuilt; its reports are set aside first (dropping the old
-- table would cascade into them) and put back after.
CREATE TABLE response_reports_keep AS SELECT * FROM response_reports;
DROP TABLE response_reports;

CREATE TABLE responses_new (
	id            TEXT PRIMARY KEY,
	story_id      TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	author_id     TEXT REFERENCES users(id) ON DELETE CASCADE, -- NULL: a remote author
	parent_id     TEXT REFERENCES responses_new(id) ON DELETE CASCADE,
	body          TEXT NOT NULL,
	body_html     TEXT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('visible', 'pending', 'hidden')),
	held_for      TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	edited_at     INTEGER,
	reports       INTEGER NOT NULL DEFAULT 0,
	remote_actor  TEXT NOT NULL DEFAULT '', -- the actor's URL, or ''
	remote_handle TEXT NOT NULL DEFAULT '', -- user@domain
	remote_name   TEXT NOT NULL DEFAULT '',
	remote_note   TEXT NOT NULL DEFAULT '', -- the id of its Note
	CHECK ((author_id IS NULL) = (remote_actor <> ''))
);
INSERT INTO responses_new(id, story_id, author_id, parent_id, body, body_html, status,
	held_for, created_at, edited_at, reports)
	SELECT id, story_id, author_id, parent_id, body, body_html, status, held_for,
	created_at, edited_at, reports FROM responses ORDER BY parent_id IS NOT NULL;
DROP TABLE responses;
ALTER TABLE responses_new RENAME TO responses;
CREATE INDEX responses_story ON responses(story_id, created_at);
CREATE INDEX responses_author ON responses(author_id, created_at);
CREATE INDEX responses_remote ON responses(remote_actor, remote_note) WHERE remote_actor <> '';

CREATE TABLE response_reports (
	response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
	reporter_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (response_id, reporter_id)
) WITHOUT ROWID;
INSERT INTO response_reports SELECT response_id, reporter_id, created_at FROM response_reports_keep;
DROP TABLE response_reports_keep;
