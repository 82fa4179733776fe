-- 017_fed_show_followers: the twin of SQLite's 026 (federation, issue
-- 20): whether a writer shows who follows her; off until she chooses.
ALTER TABLE fed_settings ADD COLUMN show_followers BOOLEAN NOT NULL DEFAULT false;
