-- 016_fed_writer_choices: the twin of SQLite's 025 (federation, issue
-- 20): the servers (domains) a writer blocked; a domain covers its
-- subdomains.
CREATE TABLE fed_blocked_domains (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	domain     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (writer_id, domain)
);

CREATE TABLE fed_settings (
	writer_id         TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	approve_followers BOOLEAN NOT NULL
);

CREATE TABLE fed_follow_requests (
	writer_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	actor_id     TEXT NOT NULL,
	follow_id    TEXT NOT NULL,
	inbox        TEXT NOT NULL,
	shared_inbox TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (writer_id, actor_id)
);

CREATE TABLE fed_reactions (
	story_id    TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	actor_id    TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('like', 'announce')),
	activity_id TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	PRIMARY KEY (story_id, actor_id, kind)
);
CREATE INDEX fed_reactions_actor ON fed_reactions(actor_id, activity_id);
