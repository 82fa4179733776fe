-- 010_hostile_users: sign-in attempts, and unlisted keys that outlived
-- their audience (issue 14).
--
-- Every password verification is one row, written *before* the hash is
-- checked ('pending') in the same transaction that counted the earlier
-- ones, so concurrent attempts can never overshoot a limit; it becomes
-- 'failed' or 'ok' afterwards. handle is the normalised handle tried
-- ('-' when it is not a handle), addr the client address as counted
-- (site_client_key()). 'ok' rows mark addresses the owner signed in from.
CREATE TABLE signin_attempts (
	handle TEXT NOT NULL,
	addr   TEXT NOT NULL,
	at     INTEGER NOT NULL,
	state  TEXT NOT NULL CHECK (state IN ('pending', 'failed', 'ok'))
);
CREATE INDEX signin_attempts_handle ON signin_attempts(handle, at);
CREATE INDEX signin_attempts_addr ON signin_attempts(addr, at);

-- Replaced by signin_attempts.
DROP TABLE auth_failures;

-- Leaving "unlisted" now retires the link's key; keys kept by stories
-- that left before would otherwise revive when they return.
UPDATE stories SET share_key = NULL WHERE audience <> 'unlisted';
