-- 001_init: accounts, sessions, invitations, settings, stories.
-- Times are Unix seconds (UTC). Ids exposed to the outside are 16 random
-- hex characters, never row numbers.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	handle        TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	bio           TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	is_admin      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('web', 'api')),
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE invites (
	token_hash TEXT PRIMARY KEY,
	created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
	used_at    INTEGER
) WITHOUT ROWID;

-- Failed sign-in attempts; scope is 'acct:HANDLE' or 'addr:ADDRESS'.
CREATE TABLE auth_failures (
	scope TEXT NOT NULL,
	at    INTEGER NOT NULL
);
CREATE INDEX auth_failures_scope ON auth_failures(scope, at);

CREATE TABLE stories (
	id           TEXT PRIMARY KEY,
	author_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	slug         TEXT NOT NULL,
	title        TEXT NOT NULL,
	subtitle     TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	body_html    TEXT NOT NULL DEFAULT '',
	excerpt      TEXT NOT NULL DEFAULT '',
	word_count   INTEGER NOT NULL DEFAULT 0,
	status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
	published_at INTEGER,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	edited_at    INTEGER,
	deleted_at   INTEGER,
	UNIQUE (author_id, slug)
);
CREATE INDEX stories_public ON stories(published_at DESC, id DESC)
	WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX stories_author ON stories(author_id, COALESCE(published_at, created_at) DESC, id DESC);

-- Earlier slugs of a story, so that old links keep working (301).
CREATE TABLE story_slugs (
	author_id TEXT NOT NULL,
	slug      TEXT NOT NULL,
	story_id  TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	PRIMARY KEY (author_id, slug)
) WITHOUT ROWID;
