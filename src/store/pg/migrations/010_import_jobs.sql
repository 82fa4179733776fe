-- 010_import_jobs: the twin of SQLite's 019. Imports started from the
-- settings page, claimed by a worker with a lease (FOR UPDATE SKIP LOCKED).
CREATE TABLE import_jobs (
	id          TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	file        TEXT NOT NULL,
	name        TEXT NOT NULL,
	responses   BIGINT NOT NULL,
	status      TEXT NOT NULL,
	done        BIGINT NOT NULL,
	total       BIGINT NOT NULL,
	report      TEXT NOT NULL,
	claimed_by  TEXT NOT NULL,
	lease_until BIGINT NOT NULL,
	created_at  BIGINT NOT NULL,
	started_at  BIGINT NOT NULL,
	finished_at BIGINT NOT NULL
);
CREATE INDEX import_jobs_user ON import_jobs(user_id, created_at);
CREATE INDEX import_jobs_due ON import_jobs(status, created_at);
