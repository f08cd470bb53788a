-- The SQLite store's schema version 1, as the first release created it:
-- tests/test_store.c builds a version-1 file from it to test the migration.
CREATE TABLE IF NOT EXISTS meta (  key TEXT PRIMARY KEY,  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS studies (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL UNIQUE,  config_json TEXT NOT NULL,  metric TEXT NOT NULL,  maximize INTEGER NOT NULL CHECK (maximize IN (0, 1)),  created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trials (  id INTEGER PRIMARY KEY,  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,  number INTEGER NOT NULL,  seq INTEGER NOT NULL,  origin TEXT NOT NULL CHECK (origin IN ('SEARCH', 'MANUAL')),  state TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'PRUNED')),  params_json TEXT,  value REAL,  value_std REAL,  t_start REAL NOT NULL,  t_end REAL,  heartbeat REAL NOT NULL,  fit_seconds REAL,  predict_seconds REAL,  error TEXT,  lost INTEGER NOT NULL DEFAULT 0 CHECK (lost IN (0, 1)),  worker TEXT,  UNIQUE (study_id, number));
CREATE INDEX IF NOT EXISTS trials_by_state ON trials(study_id, state);
CREATE INDEX IF NOT EXISTS trials_by_seq ON trials(study_id, seq);
CREATE TABLE IF NOT EXISTS study_attrs (  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,  key TEXT NOT NULL,  value TEXT NOT NULL,  PRIMARY KEY (study_id, key));
CREATE TABLE IF NOT EXISTS trial_params (  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,  name TEXT NOT NULL,  value_json TEXT NOT NULL,  PRIMARY KEY (trial_id, name));
CREATE TABLE IF NOT EXISTS trial_metrics (  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,  name TEXT NOT NULL,  mean REAL,  std REAL,  PRIMARY KEY (trial_id, name));
CREATE TABLE IF NOT EXISTS trial_metric_folds (  trial_id INTEGER NOT NULL,  name TEXT NOT NULL,  fold INTEGER NOT NULL CHECK (fold >= 0),  value REAL,  PRIMARY KEY (trial_id, name, fold),  FOREIGN KEY (trial_id, name) REFERENCES trial_metrics(trial_id, name)    ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS artifacts (  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,  name TEXT NOT NULL,  data BLOB NOT NULL,  UNIQUE (trial_id, name));
CREATE TABLE IF NOT EXISTS trial_intermediate (  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,  fold INTEGER NOT NULL,  step INTEGER NOT NULL,  value REAL,  PRIMARY KEY (trial_id, fold, step));
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
PRAGMA user_version = 1;
