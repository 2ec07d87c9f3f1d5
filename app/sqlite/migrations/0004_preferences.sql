-- What each person chose on the settings page: their language ('' follows
-- the browser's) and IANA time zone ('' is UTC).

ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
