-- 003_translation_memory.sql: the translation memory (agents/tm.h).
-- One row per function of a succeeded job, written by the Package stage
-- (staged with committed = 0, committed with the job's artifacts, dropped if
-- the job does not succeed), deleted with its job (ON DELETE CASCADE).

CREATE TABLE tm_functions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- row order of the search index; ties rank by id
  job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  file        TEXT NOT NULL,                   -- upload path of the module
  name        TEXT NOT NULL,                   -- qualified name ("Shape.area", "f.<locals>.g")
  line        INTEGER NOT NULL,
  end_line    INTEGER NOT NULL,
  ast_hash    TEXT NOT NULL,                   -- sha256 of the normalised AST (identifiers alpha-renamed, docstrings dropped)
  python      TEXT NOT NULL,                   -- the def's source
  rust        TEXT NOT NULL,                   -- generated Rust (unboxed twin and dynamic fn)
  translation TEXT NOT NULL CHECK (translation IN ('static','dynamic')),
  signature   TEXT NOT NULL,                   -- inferred: "gcd(a: i64, b: i64) -> i64", or the parameters
  embedding   BLOB NOT NULL,                   -- 256 little-endian int16, component = value / 2048 (tm_embed.c)
  committed   INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE INDEX tm_functions_job ON tm_functions(job_id);
CREATE INDEX tm_functions_hash ON tm_functions(ast_hash);
