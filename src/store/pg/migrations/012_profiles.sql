-- 012_profiles: the twin of SQLite's 021. A writer's avatar (content-
-- addressed JPEG) and her links.
CREATE TABLE profiles (
	user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	avatar_hash   TEXT NOT NULL,
	avatar_width  BIGINT NOT NULL,
	avatar_height BIGINT NOT NULL,
	links         TEXT NOT NULL,
	updated_at    BIGINT NOT NULL
);
CREATE INDEX profiles_avatar ON profiles(avatar_hash);
