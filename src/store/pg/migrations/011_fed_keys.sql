-- 011_fed_keys: the twin of SQLite's 020 (federation, issue 20): each
-- writer's RSA key pair for HTTP Signatures, first writer wins.
-- NOTE: to be renumbered 013 at merge (011/012 are taken on main).
CREATE TABLE fed_keys (
	user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	public_pem  TEXT NOT NULL,
	private_pem TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);
