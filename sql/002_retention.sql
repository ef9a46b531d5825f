-- 002_retention.sql: job retention. A finished job carries the time it
-- expires (finished_at + --retain-days); a periodic sweep deletes expired
-- jobs with everything they own and leaves a tombstone, so the API answers
-- 410 Gone (not 404) for an id that existed.

ALTER TABLE jobs ADD COLUMN expires_at INTEGER;   -- ms since the epoch; NULL while active
CREATE INDEX jobs_expires ON jobs(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE expired_jobs (
  id          TEXT PRIMARY KEY,
  owner       INTEGER,                          -- as jobs.owner
  expired_at  INTEGER NOT NULL
);
