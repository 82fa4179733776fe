-- 018_fed_blocked_actors: the twin of SQLite's 027 (federation, issue
-- 20): single remote actors a writer blocked.
CREATE TABLE fed_blocked_actors (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	actor_id   TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (writer_id, actor_id)
);
CREATE INDEX fed_actors_inbox ON fed_actors(inbox);
