-- 026_fed_show_followers: federation (issue 20): whether a writer shows
-- who follows her (here and in the fediverse) on her followers page and
-- in her ActivityPub followers collection. Off until she chooses.
ALTER TABLE fed_settings ADD COLUMN show_followers INTEGER NOT NULL DEFAULT 0;
