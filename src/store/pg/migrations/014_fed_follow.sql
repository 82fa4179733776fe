-- 014_fed_follow: the twin of SQLite's 023 (federation, issue 20): who follows a writer from
-- elsewhere, the remote actors whose keys signed what reached us (a
-- cache: fetched again when it runs out or a signature fails), the
-- activity ids already taken in (a replayed one is refused), and the
-- durable queue of deliveries, a row written in the same transaction as
-- the event that causes it and claimed by a sender with a lease.
CREATE TABLE fed_actors (
	id           TEXT PRIMARY KEY,  -- the actor's URL
	key_id       TEXT NOT NULL,     -- its key's id, as signatures name it
	public_pem   TEXT NOT NULL,
	inbox        TEXT NOT NULL,
	shared_inbox TEXT NOT NULL,     -- '' when it offers none
	handle       TEXT NOT NULL,     -- preferredUsername, or ''
	name         TEXT NOT NULL,
	fetched_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX fed_actors_key ON fed_actors(key_id);

CREATE TABLE fed_followers (
	writer_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	actor_id     TEXT NOT NULL,     -- the follower's actor URL
	follow_id    TEXT NOT NULL,     -- the id of her Follow (Accept and Undo name it)
	inbox        TEXT NOT NULL,
	shared_inbox TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (writer_id, actor_id)
);

CREATE TABLE fed_seen (
	activity_id  TEXT PRIMARY KEY,
	seen_at      BIGINT NOT NULL
);
CREATE INDEX fed_seen_at ON fed_seen(seen_at);

CREATE TABLE fed_deliveries (
	id           TEXT PRIMARY KEY,
	writer_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,     -- accept|create|update|delete
	story_id     TEXT NOT NULL,     -- or ''
	inbox        TEXT NOT NULL,
	domain       TEXT NOT NULL,     -- the inbox's host, for per-server limits
	payload      TEXT NOT NULL,     -- JSON the activity needs, or ''
	status       TEXT NOT NULL,     -- queued|sent|failed
	attempts     BIGINT NOT NULL,
	next_at      BIGINT NOT NULL,
	claimed_by   TEXT NOT NULL,
	lease_until  BIGINT NOT NULL,
	created_at   BIGINT NOT NULL,
	sent_at      BIGINT NOT NULL,
	last_error   TEXT NOT NULL
);
CREATE INDEX fed_deliveries_due ON fed_deliveries(status, next_at);
