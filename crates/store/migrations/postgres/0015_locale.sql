-- Languages and time zones: the language and time zone a person chose for pages, emails and
-- SMS (NULL: their browser's, else the deployment's default and UTC).
-- Kept in lockstep with ../sqlite/0015_locale.sql.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'de'));
ALTER TABLE users ADD COLUMN time_zone TEXT;
