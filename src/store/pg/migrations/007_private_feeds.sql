-- 007_private_feeds: the twin of SQLite's 016. A reader's private feed
-- (issue 18), one per account, by hash only.
CREATE TABLE feed_tokens (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL
);
