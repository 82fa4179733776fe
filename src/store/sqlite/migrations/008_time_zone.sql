-- 008_time_zone: each writer's time zone (an IANA name such as
-- "Europe/Paris"; empty: not chosen), for scheduling and the editor's times.

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
