-- 025_fed_writer_choices: federation (issue 20): the servers (domains) a
-- writer blocked. Nothing from an actor there is taken in for her, its
-- follows of her are removed and nothing is delivered there for her; a
-- domain covers its subdomains.
CREATE TABLE fed_blocked_domains (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	domain     TEXT NOT NULL,     -- lower case, as fed_domain_normalise() gives it
	created_at INTEGER NOT NULL,
	PRIMARY KEY (writer_id, domain)
) WITHOUT ROWID;

-- Her choices for the fediverse (a row only once she chose): whether a
-- Follow waits for her approval.
CREATE TABLE fed_settings (
	writer_id         TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	approve_followers INTEGER NOT NULL
) WITHOUT ROWID;

-- Follows that wait for her approval (the twin of fed_followers).
CREATE TABLE fed_follow_requests (
	writer_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	actor_id     TEXT NOT NULL,
	follow_id    TEXT NOT NULL,
	inbox        TEXT NOT NULL,
	shared_inbox TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (writer_id, actor_id)
) WITHOUT ROWID;

-- Likes and boosts (Announce) of her stories from the fediverse: one of
-- each kind per actor and story, for counts shown to her.
CREATE TABLE fed_reactions (
	story_id    TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	actor_id    TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('like', 'announce')),
	activity_id TEXT NOT NULL,   -- the Like or Announce (an Undo names it)
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (story_id, actor_id, kind)
) WITHOUT ROWID;
CREATE INDEX fed_reactions_actor ON fed_reactions(actor_id, activity_id);
