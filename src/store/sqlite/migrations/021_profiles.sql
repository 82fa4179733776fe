-- 021_profiles: what a writer's profile shows besides her name and bio
-- (issue 17): her avatar (a JPEG made by the photo pipeline, metadata
-- stripped, content-addressed like photo variants: the hash names its
-- file and blob) and up to three links of her own.
CREATE TABLE profiles (
	user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	avatar_hash   TEXT NOT NULL,     -- '' when none
	avatar_width  INTEGER NOT NULL,
	avatar_height INTEGER NOT NULL,
	links         TEXT NOT NULL,     -- one address a line, at most three
	updated_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX profiles_avatar ON profiles(avatar_hash);
