-- 016_private_feeds: a reader's private feed (issue 18), /feed/TOKEN.atom,
-- with the circle stories she may read. One per account, by hash only:
-- re-issuing replaces it (the old address stops working), revoking
-- deletes it.
CREATE TABLE feed_tokens (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
