-- 005_mail: the twin of SQLite's 014. Email (issue 18). Addresses, subscriptions, the outbox, the
-- single-use links mailed to readers, and per-account mail preferences.
--
-- An account's verified address; one account per address.
CREATE TABLE user_emails (
	user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	email       TEXT NOT NULL UNIQUE,
	verified_at BIGINT NOT NULL
);
-- Subscribers of a writer by email: 'pending' until the confirmation
-- link's button is pressed (double opt-in), then 'confirmed';
-- 'unsubscribed' keeps the address from being mailed again.
CREATE TABLE subscribers (
	id           TEXT PRIMARY KEY,
	writer_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	email        TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
	created_at   BIGINT NOT NULL,
	confirmed_at BIGINT NOT NULL DEFAULT 0,
	token_hash   TEXT,            -- the pending confirmation link, hashed
	asked_at     BIGINT NOT NULL DEFAULT 0, -- when a confirmation was last queued
	source       TEXT NOT NULL DEFAULT 'form',
	UNIQUE (writer_id, email)
);
CREATE INDEX subscribers_token ON subscribers(token_hash);
-- The outbox: one row per message, written in the transaction of the
-- event that causes it; the sender renders it when it sends it.
-- payload: JSON the message needs (a link's token until it is sent).
CREATE TABLE outbox (
	id            TEXT PRIMARY KEY,
	kind          TEXT NOT NULL,
	to_addr       TEXT NOT NULL,
	domain        TEXT NOT NULL,
	writer_id     TEXT,
	story_id      TEXT,
	ref_id        TEXT,
	payload       TEXT,
	status        TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
	attempts      BIGINT NOT NULL DEFAULT 0,
	next_at       BIGINT NOT NULL,
	claimed_until BIGINT NOT NULL DEFAULT 0,
	claimed_by    TEXT NOT NULL DEFAULT '', -- the sender holding the claim
	last_error    TEXT NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL,
	sent_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_writer ON outbox(writer_id, status);
-- Single-use links (sign-in, password reset, address verification,
-- circle invitation by email), by hash only.
CREATE TABLE mail_tokens (
	hash       TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	user_id    TEXT,
	email      TEXT NOT NULL,
	ref_id     TEXT,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT NOT NULL DEFAULT 0
);
-- A story's mailing: written once when it is mailed (never again), or
-- with skip = 1 when the writer chose not to mail it.
CREATE TABLE story_mail (
	story_id  TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
	skip      BIGINT NOT NULL DEFAULT 0,
	mailed_at BIGINT NOT NULL DEFAULT 0
);
-- Per-account mail preferences (name -> "1"/"0" or a number).
CREATE TABLE mail_prefs (
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name    TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (user_id, name)
);
