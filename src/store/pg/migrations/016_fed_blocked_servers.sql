-- 016_fed_blocked_servers: the twin of SQLite's 025 (federation, issue
-- 20): the servers (domains) a writer blocked; a domain covers its
-- subdomains.
CREATE TABLE fed_blocked_domains (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	domain     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (writer_id, domain)
);
