-- 019_import_jobs: imports started from the settings page (issue 19), a
-- durable queue: the upload is kept under the data directory until its
-- job ends; a worker claims a job with a lease, so one that dies with it
-- is taken again when the lease runs out (imports are idempotent: a post
-- imported before is skipped, so running one again harms nothing).
CREATE TABLE import_jobs (
	id          TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,     -- medium|substack|wordpress|quire|photos
	file        TEXT NOT NULL,     -- the upload, under the data directory; '' for photos
	name        TEXT NOT NULL,     -- the uploaded file's name, as sent
	responses   INTEGER NOT NULL,  -- medium: responses become stories too
	status      TEXT NOT NULL,     -- queued|running|done|failed
	done        INTEGER NOT NULL,  -- posts handled so far
	total       INTEGER NOT NULL,  -- posts in the export (0 until read)
	report      TEXT NOT NULL,
	claimed_by  TEXT NOT NULL,
	lease_until INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX import_jobs_user ON import_jobs(user_id, created_at);
CREATE INDEX import_jobs_due ON import_jobs(status, created_at);
