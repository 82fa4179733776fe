-- 001_init.sql - the PostgreSQL schema: the same tables and columns as the
-- SQLite backend's migrations 001-011 (so that a site moves between the two
-- row by row), in PostgreSQL's types. Times are Unix seconds (BIGINT), ids
-- 16-character text. Search is a tsvector column kept by the backend
-- (pg_fts_refresh in store_pg_reach.c), indexed with GIN.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE users (
	id                 TEXT PRIMARY KEY,
	handle             TEXT NOT NULL UNIQUE,
	name               TEXT NOT NULL,
	bio                TEXT NOT NULL DEFAULT '',
	password_hash      TEXT NOT NULL,
	is_admin           BOOLEAN NOT NULL DEFAULT false,
	created_at         BIGINT NOT NULL,
	default_responses  TEXT NOT NULL DEFAULT 'open',
	default_responders TEXT NOT NULL DEFAULT 'signed_in',
	time_zone          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('web', 'api')),
	created_at BIGINT NOT NULL,
	last_seen  BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE invites (
	token_hash TEXT PRIMARY KEY,
	created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
	used_at    BIGINT
);

CREATE TABLE stories (
	id           TEXT PRIMARY KEY,
	author_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	slug         TEXT NOT NULL,
	title        TEXT NOT NULL,
	subtitle     TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	body_html    TEXT NOT NULL DEFAULT '',
	excerpt      TEXT NOT NULL DEFAULT '',
	word_count   BIGINT NOT NULL DEFAULT 0,
	status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
	published_at BIGINT,
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	edited_at    BIGINT,
	deleted_at   BIGINT,
	audience     TEXT NOT NULL DEFAULT 'public'
		CHECK (audience IN ('public', 'unlisted', 'circle', 'private')),
	circle_id    TEXT,
	content_note TEXT NOT NULL DEFAULT '',
	share_key    TEXT,
	responses    TEXT NOT NULL DEFAULT 'open' CHECK (responses IN ('open', 'approval', 'off')),
	responders   TEXT NOT NULL DEFAULT 'signed_in' CHECK (responders IN ('signed_in', 'circle')),
	search_text  TEXT,
	search_doc   TSVECTOR,
	UNIQUE (author_id, slug)
);
CREATE INDEX stories_public ON stories(published_at DESC, id DESC)
	WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX stories_recent ON stories((COALESCE(published_at, created_at)) DESC, id DESC);
CREATE INDEX stories_author_recent
	ON stories(author_id, (COALESCE(published_at, created_at)) DESC, id DESC);
CREATE UNIQUE INDEX stories_share_key ON stories(share_key) WHERE share_key IS NOT NULL;
CREATE INDEX stories_trash ON stories(deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX stories_search ON stories USING GIN (search_doc);

CREATE TABLE story_slugs (
	author_id TEXT NOT NULL,
	slug      TEXT NOT NULL,
	story_id  TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	PRIMARY KEY (author_id, slug)
);

CREATE TABLE circles (
	id         TEXT PRIMARY KEY,
	owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX circles_owner ON circles(owner_id, created_at);

CREATE TABLE circle_members (
	circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
	user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	joined_at BIGINT NOT NULL,
	PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX circle_members_user ON circle_members(user_id, circle_id);

CREATE TABLE circle_invites (
	token_hash TEXT PRIMARY KEY,
	circle_id  TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
	token_tail TEXT NOT NULL, -- last 6 characters, to tell links apart in lists
	uses_left  BIGINT,
	expires_at BIGINT NOT NULL,
	revoked    BOOLEAN NOT NULL DEFAULT false,
	created_at BIGINT NOT NULL
);
CREATE INDEX circle_invites_circle ON circle_invites(circle_id);

CREATE TABLE photos (
	id         TEXT PRIMARY KEY,
	story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	alt        TEXT NOT NULL,
	caption    TEXT NOT NULL DEFAULT '',
	sensitive  BOOLEAN NOT NULL DEFAULT false,
	note       TEXT NOT NULL DEFAULT '',
	width      BIGINT NOT NULL,
	height     BIGINT NOT NULL,
	preview    TEXT NOT NULL DEFAULT '', -- tiny blurred JPEG as a data: URI
	created_at BIGINT NOT NULL,
	audience   TEXT NOT NULL DEFAULT 'story' CHECK (audience IN ('story', 'circle', 'private')),
	circle_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX photos_story ON photos(story_id, created_at);

CREATE TABLE photo_variants (
	photo_id TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	format   TEXT NOT NULL CHECK (format IN ('webp', 'jpeg')),
	width    BIGINT NOT NULL,
	height   BIGINT NOT NULL,
	hash     TEXT NOT NULL,
	bytes    BIGINT NOT NULL,
	PRIMARY KEY (photo_id, format, width)
);
CREATE INDEX photo_variants_hash ON photo_variants(hash);

CREATE TABLE responses (
	id         TEXT PRIMARY KEY,
	story_id   TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	author_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	parent_id  TEXT REFERENCES responses(id) ON DELETE CASCADE,
	body       TEXT NOT NULL,
	body_html  TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('visible', 'pending', 'hidden')),
	held_for   TEXT NOT NULL DEFAULT '', -- why it is pending: 'approval', 'muted'
	created_at BIGINT NOT NULL,
	edited_at  BIGINT,
	reports    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX responses_story ON responses(story_id, created_at);
CREATE INDEX responses_author ON responses(author_id, created_at);

CREATE TABLE response_reports (
	response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
	reporter_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at  BIGINT NOT NULL,
	PRIMARY KEY (response_id, reporter_id)
);

CREATE TABLE blocks (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	blocked_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (writer_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks(blocked_id, writer_id);

CREATE TABLE muted_words (
	writer_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	phrase    TEXT NOT NULL,
	PRIMARY KEY (writer_id, phrase)
);

CREATE TABLE rate_events (
	scope TEXT NOT NULL,
	at    BIGINT NOT NULL
);
CREATE INDEX rate_events_scope ON rate_events(scope, at);

CREATE TABLE revisions (
	id            TEXT PRIMARY KEY,
	story_id      TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	seq           BIGINT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('create', 'save', 'autosave', 'publish',
	                                            'restore', 'conflict', 'scheduled')),
	title         TEXT NOT NULL,
	subtitle      TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL DEFAULT '',
	word_count    BIGINT NOT NULL DEFAULT 0,
	restored_from TEXT,
	created_at    BIGINT NOT NULL,
	saved_at      BIGINT NOT NULL, -- last rewrite of a coalesced autosave
	UNIQUE (story_id, seq)
);

CREATE TABLE story_schedule (
	story_id   TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
	publish_at BIGINT NOT NULL
);
CREATE INDEX story_schedule_due ON story_schedule(publish_at);

CREATE TABLE follows (
	follower_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	writer_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at  BIGINT NOT NULL,
	PRIMARY KEY (follower_id, writer_id)
);
CREATE INDEX follows_writer ON follows(writer_id, follower_id);

CREATE TABLE story_tags (
	story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	tag      TEXT NOT NULL,
	PRIMARY KEY (story_id, tag)
);
CREATE INDEX story_tags_tag ON story_tags(tag, story_id);

CREATE TABLE story_drafts (
	story_id     TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	subtitle     TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	audience     TEXT NOT NULL,
	circle_id    TEXT NOT NULL DEFAULT '',
	content_note TEXT NOT NULL DEFAULT '',
	responses    TEXT NOT NULL,
	responders   TEXT NOT NULL,
	tags         TEXT NOT NULL DEFAULT '', -- newline-separated, normalised
	revision_id  TEXT NOT NULL DEFAULT '',
	updated_at   BIGINT NOT NULL
);

CREATE TABLE signin_attempts (
	id     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	handle TEXT NOT NULL,
	addr   TEXT NOT NULL,
	at     BIGINT NOT NULL,
	state  TEXT NOT NULL CHECK (state IN ('pending', 'failed', 'ok'))
);
CREATE INDEX signin_attempts_handle ON signin_attempts(handle, at);
CREATE INDEX signin_attempts_addr ON signin_attempts(addr, at);

-- Every committed change tells every listening connection (each app
-- server's workers), so that caches of derived pages drop on every node:
-- the change stamp of store_pg_stamp.c. One notification per statement,
-- folded by PostgreSQL within a transaction.
CREATE FUNCTION quire_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('quire_change', '');
	RETURN NULL;
END $$;
DO $$
DECLARE t TEXT;
BEGIN
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
		AND tablename NOT IN ('signin_attempts', 'rate_events', 'schema_version') LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
			       'ON %I FOR EACH STATEMENT EXECUTE FUNCTION quire_changed()',
			       t || '_changed', t);
	END LOOP;
END $$;
