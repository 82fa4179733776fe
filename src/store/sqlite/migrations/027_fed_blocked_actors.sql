-- 027_fed_blocked_actors: federation (issue 20): single remote actors a
-- writer blocked (beside whole servers, 025). Nothing from the actor is
-- taken in for her, its follow of her is removed, and nothing is
-- delivered to its inbox for her.
CREATE TABLE fed_blocked_actors (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	actor_id   TEXT NOT NULL,     -- the actor's URL
	created_at INTEGER NOT NULL,
	PRIMARY KEY (writer_id, actor_id)
) WITHOUT ROWID;
CREATE INDEX fed_actors_inbox ON fed_actors(inbox);
