-- 025_fed_blocked_servers: federation (issue 20): the servers (domains) a
-- writer blocked. Nothing from an actor there is taken in for her, its
-- follows of her are removed and nothing is delivered there for her; a
-- domain covers its subdomains.
CREATE TABLE fed_blocked_domains (
	writer_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	domain     TEXT NOT NULL,     -- lower case, as fed_domain_normalise() gives it
	created_at INTEGER NOT NULL,
	PRIMARY KEY (writer_id, domain)
) WITHOUT ROWID;
