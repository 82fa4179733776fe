-- 015_fed_replies: the twin of SQLite's 024 (federation, issue 20): a
-- reply from the fediverse is a response whose author is a remote actor,
-- not an account: author_id becomes optional and the actor (its URL,
-- handle@domain and name) and its Note's id are kept on the response.
ALTER TABLE responses ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE responses ADD COLUMN remote_actor TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN remote_handle TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN remote_name TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN remote_note TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD CONSTRAINT responses_one_author
	CHECK ((author_id IS NULL) = (remote_actor <> ''));
CREATE INDEX responses_remote ON responses(remote_actor, remote_note) WHERE remote_actor <> '';
