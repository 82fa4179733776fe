-- 013_fed_keys: the twin of SQLite's 022 (federation, issue 20): each
-- writer's RSA key pair for HTTP Signatures, first writer wins.
CREATE TABLE fed_keys (
	user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	public_pem  TEXT NOT NULL,
	private_pem TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);
