-- 002_audience: who a story is for; circles of invited readers.

ALTER TABLE stories ADD COLUMN audience TEXT NOT NULL DEFAULT 'public'
	CHECK (audience IN ('public', 'unlisted', 'circle', 'private'));
ALTER TABLE stories ADD COLUMN circle_id TEXT;
ALTER TABLE stories ADD COLUMN content_note TEXT NOT NULL DEFAULT '';
-- 64 random bits in hex; the secret part of an unlisted story's link.
ALTER TABLE stories ADD COLUMN share_key TEXT;
CREATE UNIQUE INDEX stories_share_key ON stories(share_key) WHERE share_key IS NOT NULL;

CREATE TABLE circles (
	id         TEXT PRIMARY KEY,
	owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX circles_owner ON circles(owner_id, created_at);

CREATE TABLE circle_members (
	circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
	user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	joined_at INTEGER NOT NULL,
	PRIMARY KEY (circle_id, user_id)
) WITHOUT ROWID;
CREATE INDEX circle_members_user ON circle_members(user_id, circle_id);

-- Invitation links into a circle. uses_left NULL means unlimited.
CREATE TABLE circle_invites (
	token_hash TEXT PRIMARY KEY,
	circle_id  TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
	token_tail TEXT NOT NULL,  -- last 6 characters, to tell links apart in lists
	uses_left  INTEGER,
	expires_at INTEGER NOT NULL,
	revoked    INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX circle_invites_circle ON circle_invites(circle_id);
