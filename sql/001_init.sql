-- 001_init.sql: the job store. Applied at start when PRAGMA user_version < 1.
-- Times are milliseconds since the epoch (UTC).

CREATE TABLE tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  hash        TEXT NOT NULL UNIQUE,          -- sha256 hex of the secret; the secret itself is never stored
  read_only   INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at  INTEGER
);

CREATE TABLE jobs (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- submission order, pagination cursor
  id          TEXT NOT NULL UNIQUE,            -- public id (random hex)
  owner       INTEGER REFERENCES tokens(id),   -- NULL: made without a token
  state       TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','canceled','timed_out','error')),
  stage       TEXT,                            -- stage running now or where it stopped
  reason      TEXT,                            -- failure reason code
  message     TEXT,
  entry       TEXT NOT NULL,
  options     TEXT NOT NULL DEFAULT '{}',      -- JSON: vectors, skip_test
  attempts    INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  version     INTEGER NOT NULL DEFAULT 1,      -- bumped on every visible change (ETag, long-poll)
  upload_size INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
);
CREATE INDEX jobs_state ON jobs(state, seq);
CREATE INDEX jobs_owner ON jobs(owner, seq);

CREATE TABLE stages (
  job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  name        TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'pending',
  started_at  INTEGER,
  finished_at INTEGER,
  message     TEXT,
  PRIMARY KEY (job_id, idx)
);

CREATE TABLE files (
  job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  path        TEXT NOT NULL,
  data        BLOB NOT NULL,
  PRIMARY KEY (job_id, path)
);

CREATE TABLE artifacts (
  job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  mime        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  sha256      TEXT NOT NULL,
  data        BLOB NOT NULL,
  committed   INTEGER NOT NULL DEFAULT 0,      -- visible only once the job ends (atomic with the state)
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (job_id, name)
);

CREATE TABLE diagnostics (
  job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  severity    TEXT NOT NULL,
  file        TEXT,
  line        INTEGER,
  col         INTEGER,
  message     TEXT NOT NULL,
  source_line TEXT,
  PRIMARY KEY (job_id, seq)
);

-- Everything a client may stream: state changes, stage changes, log lines,
-- diagnostics. The id is the SSE event id (resumable with Last-Event-ID).
CREATE TABLE events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  data        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX events_job ON events(job_id, id);
