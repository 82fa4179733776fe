-- 022_fed_keys: federation (issue 20). Each writer's RSA key pair for
-- HTTP Signatures, made the first time it is needed and kept for good
-- (her followers' servers cache the public half under its key id). One
-- row per writer: the first writer of the row wins, so two requests that
-- both made a key at once keep one (store_fed_key_init).
CREATE TABLE fed_keys (
	user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	public_pem  TEXT NOT NULL,  -- SubjectPublicKeyInfo, PEM
	private_pem TEXT NOT NULL,  -- PKCS#8, PEM, unencrypted (as safe as the database)
	created_at  INTEGER NOT NULL
) WITHOUT ROWID;
