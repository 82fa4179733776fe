-- 002_blobs.sql - photo files as content-addressed blobs, the source of
-- truth for every app server (store_media.h). One row per file, named by
-- the SHA-256 hex of its bytes; a file is at most a few megabytes (the
-- largest variant of a photo), well within one bytea.
CREATE TABLE media_blobs (
	hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),
	data       BYTEA NOT NULL,
	created_at BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint
);
ALTER TABLE media_blobs ALTER COLUMN data SET STORAGE EXTERNAL; -- already compressed
