-- 015_admin: running the site (issue 21). A suspended account (at
-- suspended_at, 0 when not) cannot sign in, and what it wrote is shown
-- to nobody until it is unsuspended; nothing of it is changed. The
-- audit log keeps every administrator's action, written in the same
-- transaction as the action. An invitation made on /admin keeps its link
-- so that an administrator can copy it again (older ones: NULL).
ALTER TABLE users ADD COLUMN suspended_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invites ADD COLUMN link TEXT;
CREATE TABLE audit_log (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	at           INTEGER NOT NULL,
	actor_id     TEXT NOT NULL,
	actor_handle TEXT NOT NULL,
	action       TEXT NOT NULL,
	target       TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT ''
);
