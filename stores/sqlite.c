/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stores/sqlite.c — the embedded SQLite store (exports tune_store_sqlite).
 *
 * Several worker processes share one database file, so:
 *   - the file is in WAL mode (readers never block the one writer), with
 *     synchronous=NORMAL (a WAL commit survives a process crash; only a power
 *     loss can take back the last commits) and a 30 s busy timeout;
 *   - every state change is one transaction.  Writes start with BEGIN
 *     IMMEDIATE: a deferred transaction that reads and then writes can hit
 *     SQLITE_BUSY when it upgrades its lock, and the busy handler is not
 *     called in that case, so read-check-write (budget, "is it RUNNING?")
 *     must hold the write lock from the start.  Any failure rolls back, so
 *     nothing already stored changes unless the whole change lands;
 *   - trial_list reads inside one (deferred) transaction so trials and their
 *     metrics come from the same snapshot.
 *
 * SQL is fixed text prepared once at open; values are always bound.
 *
 * Doubles are stored as REAL, which is an IEEE double, so values round-trip
 * bit for bit.  SQLite stores NaN as NULL, so every NULL REAL reads back as
 * NAN ("undefined"), which is what the structs use for "none".
 *
 * Schema versions: PRAGMA user_version and meta('schema_version') both hold
 * the version (5; 1 to 4 are migrated).  A database with a newer version is refused rather than
 * half-understood.  A version-0 file with no tables is new and gets the
 * schema; a SQLite file that has tables but no `meta` belongs to someone else
 * and is refused, so we never add tables to another program's database.
 * Future migrations go in ensure_schema(), one transaction per step.
 *
 * Trial numbering: number = max(number)+1 within the study; the search
 * sequence seq = max(seq)+1 over search trials, which is the count of search
 * trials ever claimed (lost ones included) as long as none were abandoned,
 * and stays unique when an older claim is abandoned by one worker while
 * another worker holds a newer one.  Lost trials (recover_stale) stay in the
 * table with lost=1: they keep their seq but no longer count toward the
 * budget, so the budget frees a slot for a replacement. */
#include "tunefold/store.h"
#include "tunefold/text.h"

#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#define SCHEMA_VERSION 5
#define BLOB_CHUNK (1u << 20) /* study blobs are written and read 1 MiB at a time */
#define BUSY_TIMEOUT_MS 30000

/* Waiting for the write lock.  SQLite's own busy timeout sleeps 1, 2, 5 ...
 * then 100 ms at a time; our transactions hold the lock for well under a
 * millisecond, so under contention most of that sleep is idle (measured with
 * bench/bench_store.sh: 8 workers spent 5.4 ms per trial waiting).  Instead:
 * short sleeps that grow from 20 us to 2 ms, with jitter so that waiting
 * workers do not wake in lock step, for up to BUSY_TIMEOUT_MS in all. */
static int busy_wait(void *arg, int attempt)
{
    (void)arg;
    static const long cap_us = 2000;
    long base = 20L << (attempt < 7 ? attempt : 7);
    if (base > cap_us)
        base = cap_us;
    /* the attempt count bounds the total: at most cap_us per attempt after
     * the first few, so BUSY_TIMEOUT_MS / 2 ms attempts */
    if ((long)attempt > 8 + BUSY_TIMEOUT_MS * 1000L / cap_us)
        return 0;
    /* jitter from the clock's low bits: no shared generator state */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long us = base / 2 + (long)((unsigned long)now.tv_nsec % (unsigned long)(base / 2 + 1));
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
    return 1;
}

enum stmt_id {
    ST_BEGIN_IMMEDIATE,
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_STUDY_FIND,
    ST_STUDY_EXISTS,
    ST_STUDY_INSERT,
    ST_STUDY_LIST,
    ST_COUNT_BUDGET,
    ST_NEXT_NUMBERS,
    ST_TRIAL_INSERT,
    ST_TRIAL_FIND,
    ST_TRIAL_SET_PARAMS,
    ST_PARAMS_DELETE,
    ST_PARAM_INSERT,
    ST_TRIAL_DELETE,
    ST_TRIAL_FINISH,
    ST_METRICS_DELETE,
    ST_RECOVER,
    ST_ARTIFACT_SAVE,
    ST_ARTIFACT_LOAD,
    ST_ARTIFACT_ROWID,
    ST_INTERMEDIATE_LIST,
    ST_HEARTBEAT,
    ST_ATTR_SET,
    ST_ATTR_GET,
    ST_BUMP,
    ST_BUDGET_ADD,
    ST_GONE_INSERT,
    ST_GONE_DELETE,
    ST_CHANGES,
    ST_GONE_LIST,
    ST_STAMP,
    ST_STALE_COUNT,
    ST_RELEASE,
    ST_TRIAL_PAGE,
    ST_METRIC_PAGE,
    ST_BEST_MAX,
    ST_BEST_MIN,
    ST_PROGRESS,
    ST_STUDY_MAXIMIZE,
    ST_TRIAL_VALUE,
    ST_BLOB_DELETE,
    ST_BLOB_HEAD_INSERT,
    ST_BLOB_CHUNK_INSERT,
    ST_BLOB_HEAD_SET,
    ST_BLOB_HEAD,
    ST_BLOB_CHUNK,
    ST_BLOB_LIST,
    ST_ATTR_LIST,
    ST_ARTIFACT_LIST,
    ST_STUDY_IMPORT,
    ST_TRIAL_IMPORT,
    ST_VALUES_AT,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [ST_BEGIN] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_STUDY_FIND] = "SELECT id, name, config_json, metric, maximize, created"
                      " FROM studies WHERE name = ?1",
    [ST_STUDY_EXISTS] = "SELECT 1 FROM studies WHERE id = ?1",
    [ST_STUDY_INSERT] = "INSERT INTO studies(name, config_json, metric, maximize, created)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_STUDY_LIST] = "SELECT id, name, config_json, metric, maximize, created"
                      " FROM studies ORDER BY id",
    /* studies.n_search counts the search trials that are not lost: kept by
     * every write that adds, loses or withdraws one, so a claim's budget
     * check is one row, not a count over the study. */
    [ST_COUNT_BUDGET] = "SELECT n_search FROM studies WHERE id = ?1",
    /* The next seq retries the smallest seq whose every trial was lost (the
     * point a dead worker never finished), else continues the sequence. */
    [ST_NEXT_NUMBERS] = "SELECT COALESCE(MAX(number) + 1, 0),"
                        " COALESCE((SELECT MIN(t.seq) FROM trials t"
                        "           WHERE t.study_id = ?1 AND t.origin = 'SEARCH' AND t.lost = 1"
                        "             AND NOT EXISTS (SELECT 1 FROM trials u"
                        "                 WHERE u.study_id = ?1 AND u.seq = t.seq"
                        "                   AND u.origin = 'SEARCH' AND u.lost = 0)),"
                        "          (SELECT MAX(seq) + 1 FROM trials"
                        "           WHERE study_id = ?1 AND origin = 'SEARCH'), 0)"
                        " FROM trials WHERE study_id = ?1",
    [ST_TRIAL_INSERT] = "INSERT INTO trials(study_id, number, seq, origin, state, t_start,"
                        " heartbeat, worker, changed)"
                        " VALUES (?1, ?2, ?3, ?4, 'RUNNING', ?5, ?5, ?6, ?7)",
    [ST_TRIAL_FIND] = "SELECT id, state, lost, origin FROM trials"
                      " WHERE study_id = ?1 AND number = ?2",
    [ST_TRIAL_SET_PARAMS] = "UPDATE trials SET params_json = ?2, heartbeat = ?3, changed = ?4"
                            " WHERE id = ?1",
    [ST_PARAMS_DELETE] = "DELETE FROM trial_params WHERE trial_id = ?1",
    [ST_PARAM_INSERT] = "INSERT INTO trial_params(trial_id, name, value_json)"
                        " VALUES (?1, ?2, ?3)",
    [ST_TRIAL_DELETE] = "DELETE FROM trials WHERE id = ?1",
    [ST_TRIAL_FINISH] = "UPDATE trials SET state = ?2, value = ?3, value_std = ?4, t_end = ?5,"
                        " heartbeat = ?5, fit_seconds = ?6, predict_seconds = ?7, error = ?8,"
                        " changed = ?9, pruned_at = ?10, violation = ?11"
                        " WHERE id = ?1 AND state = 'RUNNING'",
    [ST_METRICS_DELETE] = "DELETE FROM trial_metrics WHERE trial_id = ?1",
    /* ?4: the change stamp.  Search trials that become lost leave n_search:
     * the caller subtracts them (ST_STALE_COUNT, in the same transaction). */
    [ST_RECOVER] = "UPDATE trials SET state = 'FAILED', error = 'worker lost', lost = 1,"
                   " t_end = ?2, changed = ?4"
                   " WHERE study_id = ?1 AND state = 'RUNNING' AND heartbeat <= ?3",
    [ST_ARTIFACT_SAVE] = "INSERT INTO artifacts(trial_id, name, data) VALUES (?1, ?2, ?3)"
                         " ON CONFLICT(trial_id, name) DO UPDATE SET data = excluded.data",
    [ST_ARTIFACT_LOAD] = "SELECT a.data FROM artifacts a JOIN trials t ON t.id = a.trial_id"
                         " WHERE t.study_id = ?1 AND t.number = ?2 AND a.name = ?3",
    [ST_ARTIFACT_ROWID] = "SELECT rowid FROM artifacts WHERE trial_id = ?1 AND name = ?2",
    [ST_INTERMEDIATE_LIST] = "SELECT i.fold, i.step, i.value FROM trial_intermediate i"
                             " JOIN trials t ON t.id = i.trial_id"
                             " WHERE t.study_id = ?1 AND t.number = ?2 ORDER BY i.fold, i.step",
    [ST_HEARTBEAT] = "UPDATE trials SET heartbeat = ?2 WHERE id = ?1 AND state = 'RUNNING'",
    [ST_ATTR_SET] = "INSERT INTO study_attrs(study_id, key, value) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT(study_id, key) DO UPDATE SET value = excluded.value",
    [ST_ATTR_GET] = "SELECT value FROM study_attrs WHERE study_id = ?1 AND key = ?2",
    /* The study's next change stamp.  The row lock it takes orders every
     * change of the study: stamps are handed out in commit order, so a
     * reader that saw stamp k has seen every change up to k. */
    [ST_BUMP] = "UPDATE studies SET changes = changes + 1 WHERE id = ?1 RETURNING changes",
    [ST_BUDGET_ADD] = "UPDATE studies SET n_search = n_search + ?2 WHERE id = ?1",
    [ST_GONE_INSERT] = "INSERT INTO trial_gone(study_id, number, changed) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT(study_id, number) DO UPDATE SET changed = excluded.changed",
    [ST_GONE_DELETE] = "DELETE FROM trial_gone WHERE study_id = ?1 AND number = ?2",
    [ST_CHANGES] = "SELECT number, seq, origin, state, lost, value, value_std, t_start, t_end,"
                   " params_json, error, violation FROM trials WHERE study_id = ?1"
                   " AND changed > ?2 ORDER BY number",
    [ST_GONE_LIST] = "SELECT number FROM trial_gone WHERE study_id = ?1 AND changed > ?2"
                     " ORDER BY number",
    [ST_STAMP] = "SELECT changes FROM studies WHERE id = ?1",
    /* (all RUNNING trials due, the search ones among them) */
    [ST_STALE_COUNT] = "SELECT COUNT(*), COALESCE(SUM(origin = 'SEARCH' AND lost = 0), 0)"
                       " FROM trials WHERE study_id = ?1 AND state = 'RUNNING'"
                       " AND heartbeat <= ?2",
    [ST_RELEASE] = "UPDATE trials SET state = 'FAILED', error = ?2, lost = 1, t_end = ?3,"
                   " changed = ?4 WHERE id = ?1 AND state = 'RUNNING'",
    [ST_TRIAL_PAGE] = "SELECT id, number, seq, origin, state, params_json, value, value_std,"
                      " t_start, t_end, fit_seconds, predict_seconds, error, lost, worker,"
                      " pruned_at, violation FROM trials WHERE study_id = ?1 AND number >= ?2"
                      " ORDER BY number LIMIT ?3",
    [ST_METRIC_PAGE] = "SELECT t.number, m.name, m.mean, m.std, f.fold, f.value"
                       " FROM trials t JOIN trial_metrics m ON m.trial_id = t.id"
                       " LEFT JOIN trial_metric_folds f"
                       "   ON f.trial_id = m.trial_id AND f.name = m.name"
                       " WHERE t.study_id = ?1 AND t.number BETWEEN ?2 AND ?3"
                       " ORDER BY t.number, m.name, f.fold",
    /* Both walk trials_feasible (study, state, violation NULL, value,
     * number): the extreme value of the trials that kept the constraints,
     * then its lowest number. */
    [ST_BEST_MAX] = "SELECT number FROM trials WHERE study_id = ?1 AND state = 'COMPLETE'"
                    " AND violation IS NULL"
                    " AND value = (SELECT MAX(value) FROM trials WHERE study_id = ?1"
                    "              AND state = 'COMPLETE' AND violation IS NULL)"
                    " ORDER BY number LIMIT 1",
    [ST_BEST_MIN] = "SELECT number FROM trials WHERE study_id = ?1 AND state = 'COMPLETE'"
                    " AND violation IS NULL"
                    " AND value = (SELECT MIN(value) FROM trials WHERE study_id = ?1"
                    "              AND state = 'COMPLETE' AND violation IS NULL"
                    "              AND value IS NOT NULL)"
                    " ORDER BY number LIMIT 1",
    [ST_PROGRESS] = "SELECT"
                    " COALESCE(SUM(origin = 'SEARCH' AND lost = 0 AND state <> 'RUNNING'), 0),"
                    " COALESCE(SUM(origin = 'SEARCH' AND lost = 0 AND state = 'RUNNING'), 0),"
                    " COALESCE(SUM(origin = 'SEARCH' AND lost = 0 AND state = 'COMPLETE'), 0),"
                    " COALESCE(SUM(origin = 'SEARCH' AND lost = 0 AND state = 'FAILED'), 0),"
                    " COALESCE(SUM(origin = 'SEARCH' AND lost = 0 AND state = 'PRUNED'), 0),"
                    " COALESCE(SUM(origin = 'SEARCH' AND lost = 1), 0),"
                    " MIN(CASE WHEN state = 'COMPLETE' THEN value END),"
                    " MAX(CASE WHEN state = 'COMPLETE' THEN value END),"
                    " (SELECT maximize FROM studies WHERE id = ?1)"
                    " FROM trials WHERE study_id = ?1",
    [ST_STUDY_MAXIMIZE] = "SELECT maximize, name FROM studies WHERE id = ?1",
    [ST_TRIAL_VALUE] = "SELECT value FROM trials WHERE study_id = ?1 AND number = ?2",
    [ST_BLOB_DELETE] = "DELETE FROM study_blobs WHERE study_id = ?1 AND name = ?2",
    [ST_BLOB_HEAD_INSERT] = "INSERT INTO study_blobs(study_id, name, len, chunks, checksum)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_BLOB_CHUNK_INSERT] = "INSERT INTO study_blob_chunks(study_id, name, chunk, data)"
                             " VALUES (?1, ?2, ?3, ?4)",
    [ST_BLOB_HEAD_SET] = "UPDATE study_blobs SET len = ?3, chunks = ?4, checksum = ?5"
                         " WHERE study_id = ?1 AND name = ?2",
    [ST_BLOB_HEAD] = "SELECT len, chunks, checksum FROM study_blobs"
                     " WHERE study_id = ?1 AND name = ?2",
    [ST_BLOB_CHUNK] = "SELECT data FROM study_blob_chunks"
                      " WHERE study_id = ?1 AND name = ?2 AND chunk = ?3",
    [ST_BLOB_LIST] = "SELECT name FROM study_blobs WHERE study_id = ?1 ORDER BY name",
    [ST_ATTR_LIST] = "SELECT key, value FROM study_attrs WHERE study_id = ?1 ORDER BY key",
    [ST_ARTIFACT_LIST] = "SELECT a.name FROM artifacts a JOIN trials t ON t.id = a.trial_id"
                         " WHERE t.study_id = ?1 AND t.number = ?2 ORDER BY a.name",
    [ST_STUDY_IMPORT] = "INSERT INTO studies(name, config_json, metric, maximize, created)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_TRIAL_IMPORT] = "INSERT INTO trials(study_id, number, seq, origin, state, params_json,"
                        " value, value_std, t_start, t_end, heartbeat, fit_seconds,"
                        " predict_seconds, error, lost, worker, changed, pruned_at, violation)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                        " ?15, ?16, ?17, ?18, ?19)",
    /* Each trial's value at its first step >= ?3 in fold ?2: per trial of the
     * study (trials' UNIQUE (study_id, number)), one seek of the primary key
     * (trial_id, fold, step) for the step and one for the row. */
    [ST_VALUES_AT] = "SELECT t.number, t.seq, t.state, t.lost, i.step, i.value"
                     " FROM trials t JOIN trial_intermediate i ON i.trial_id = t.id"
                     " AND i.fold = ?2 AND i.step = (SELECT MIN(j.step) FROM"
                     " trial_intermediate j WHERE j.trial_id = t.id AND j.fold = ?2"
                     " AND j.step >= ?3)"
                     " WHERE t.study_id = ?1 ORDER BY t.number",
};

/* Schema version 1, as first released: a new file gets it and is then
 * migrated step by step like an old one (migrations[] below), so there is
 * one way to reach the current schema.  Every statement is idempotent;
 * ensure_schema() runs them in one transaction.  Child rows cascade from their trial so that
 * trial_abandon removes a claim with everything hung on it. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS studies ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  config_json TEXT NOT NULL,"
    "  metric TEXT NOT NULL,"
    "  maximize INTEGER NOT NULL CHECK (maximize IN (0, 1)),"
    "  created REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS trials ("
    "  id INTEGER PRIMARY KEY,"
    "  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  number INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  origin TEXT NOT NULL CHECK (origin IN ('SEARCH', 'MANUAL')),"
    "  state TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'PRUNED')),"
    "  params_json TEXT,"
    "  value REAL,"
    "  value_std REAL,"
    "  t_start REAL NOT NULL,"
    "  t_end REAL,"
    "  heartbeat REAL NOT NULL,"
    "  fit_seconds REAL,"
    "  predict_seconds REAL,"
    "  error TEXT,"
    "  lost INTEGER NOT NULL DEFAULT 0 CHECK (lost IN (0, 1)),"
    "  worker TEXT,"
    "  UNIQUE (study_id, number));"
    "CREATE INDEX IF NOT EXISTS trials_by_state ON trials(study_id, state);"
    "CREATE INDEX IF NOT EXISTS trials_by_seq ON trials(study_id, seq);"
    "CREATE TABLE IF NOT EXISTS study_attrs ("
    "  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (study_id, key));"
    "CREATE TABLE IF NOT EXISTS trial_params ("
    "  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  value_json TEXT NOT NULL,"
    "  PRIMARY KEY (trial_id, name));"
    "CREATE TABLE IF NOT EXISTS trial_metrics ("
    "  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  mean REAL,"
    "  std REAL,"
    "  PRIMARY KEY (trial_id, name));"
    "CREATE TABLE IF NOT EXISTS trial_metric_folds ("
    "  trial_id INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  fold INTEGER NOT NULL CHECK (fold >= 0),"
    "  value REAL,"
    "  PRIMARY KEY (trial_id, name, fold),"
    "  FOREIGN KEY (trial_id, name) REFERENCES trial_metrics(trial_id, name)"
    "    ON DELETE CASCADE);"
    "CREATE TABLE IF NOT EXISTS artifacts ("
    "  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  data BLOB NOT NULL,"
    "  UNIQUE (trial_id, name));"
    "CREATE TABLE IF NOT EXISTS trial_intermediate ("
    "  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  fold INTEGER NOT NULL,"
    "  step INTEGER NOT NULL,"
    "  value REAL,"
    "  PRIMARY KEY (trial_id, fold, step));"
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');"
    "PRAGMA user_version = 1;";

/* Version 2: reads proportional to what changed.
 *   - studies.changes, the change stamp; trials.changed, the stamp of a
 *     trial's last change; trial_gone, withdrawn claims (their rows are
 *     deleted) with the stamp of the withdrawal: trial_changes reads only
 *     the rows past a reader's stamp through trials_changed;
 *   - studies.n_search, the budget count, filled here from the trials;
 *   - trials_by_value serves the best trial; trials_lost (partial) the
 *     claim's search for a seq to retry, which scanned the study before. */
static const char migrate_2_sql[] =
    "ALTER TABLE studies ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE studies ADD COLUMN n_search INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE trials ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
    "UPDATE studies SET n_search = (SELECT COUNT(*) FROM trials t"
    "  WHERE t.study_id = studies.id AND t.origin = 'SEARCH' AND t.lost = 0);"
    "CREATE TABLE trial_gone ("
    "  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  number INTEGER NOT NULL,"
    "  changed INTEGER NOT NULL,"
    "  PRIMARY KEY (study_id, number));"
    "CREATE INDEX trials_changed ON trials(study_id, changed);"
    "CREATE INDEX trials_by_value ON trials(study_id, state, value, number);"
    "CREATE INDEX trials_lost ON trials(study_id, seq) WHERE lost = 1;"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';"
    "PRAGMA user_version = 2;";

/* Version 3: named study blobs (vtable version 3), written in chunks so
 * that a large one is never held twice; checksum: FNV-1a 64 of the whole,
 * as 16 hex digits, verified on load. */
static const char migrate_3_sql[] =
    "CREATE TABLE study_blobs ("
    "  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  chunks INTEGER NOT NULL,"
    "  checksum TEXT NOT NULL,"
    "  PRIMARY KEY (study_id, name));"
    "CREATE TABLE study_blob_chunks ("
    "  study_id INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  chunk INTEGER NOT NULL,"
    "  data BLOB NOT NULL,"
    "  PRIMARY KEY (study_id, name, chunk),"
    "  FOREIGN KEY (study_id, name) REFERENCES study_blobs(study_id, name) ON DELETE CASCADE);"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';"
    "PRAGMA user_version = 3;";

/* Version 4: early stopping.  trials.pruned_at, where a PRUNED trial was
 * stopped (its last step, or the folds it ran); NULL for every other trial,
 * which is also what the trials stored before have. */
static const char migrate_4_sql[] =
    "ALTER TABLE trials ADD COLUMN pruned_at INTEGER;"
    "UPDATE meta SET value = '4' WHERE key = 'schema_version';"
    "PRAGMA user_version = 4;";

/* Version 5: constraints (vtable version 5).  trials.violation, how far a
 * complete trial broke the study's constraints (NULL: it kept them, which
 * every trial stored before did); trials_feasible serves the best trial
 * among those that kept them. */
static const char migrate_5_sql[] =
    "ALTER TABLE trials ADD COLUMN violation REAL;"
    "CREATE INDEX trials_feasible ON trials(study_id, state, violation, value, number);"
    "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
    "PRAGMA user_version = 5;";

/* migrations[v] takes a version-v file to version v+1. */
static const char *const migrations[SCHEMA_VERSION] = {[1] = migrate_2_sql,
                                                       [2] = migrate_3_sql,
                                                       [3] = migrate_4_sql,
                                                       [4] = migrate_5_sql};

/* Rows a trial's result writes many of (every metric of every fold, every
 * intermediate value) go in multi-row INSERTs of 16, 4 and 1 rows (insert_rows):
 * one statement run per 16 rows instead of one per row.  On near-free trials
 * of 26 metrics and 2 folds (78 rows) the finish was half of a study's time,
 * most of it running a statement per row. */
enum rows_id { ROWS_METRIC, ROWS_FOLD, ROWS_INTERMEDIATE, ROWS_COUNT };
#define ROWS_SIZES 3
static const size_t rows_size[ROWS_SIZES] = {16, 4, 1};
static const struct {
    const char *head, *tail; /* head VALUES (?, ...), ... tail */
    int cols;
} rows_sql[ROWS_COUNT] = {
    [ROWS_METRIC] = {"INSERT INTO trial_metrics(trial_id, name, mean, std) VALUES ", "", 4},
    [ROWS_FOLD] = {"INSERT INTO trial_metric_folds(trial_id, name, fold, value) VALUES ", "", 4},
    [ROWS_INTERMEDIATE] = {"INSERT INTO trial_intermediate(trial_id, fold, step, value) VALUES ",
                           " ON CONFLICT(trial_id, fold, step) DO UPDATE SET value = "
                           "excluded.value",
                           4},
};

struct sq_store {
    struct tune_store base; /* first: the generic handle points here */
    sqlite3 *db;
    char *path;
    char worker[300];       /* "host:pid" of the process that opened it */
    sqlite3_stmt *st[ST_COUNT];
    sqlite3_stmt *rows_st[ROWS_COUNT][ROWS_SIZES]; /* multi-row inserts, made when first used */
    int ckpt_at;            /* the WAL's length in frames after our last checkpoint */
};

static struct sq_store *sq(struct tune_store *s)
{
    return (struct sq_store *)s;
}

static double now_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (double)time(NULL);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Record the current SQLite error of the connection, naming the database.
 * Call before any reset or rollback, which overwrite the message. */
static int sq_err(struct sq_store *s, const char *what, struct tune_error *err)
{
    return tune_error_set(err, TUNE_ESTORE, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int sq_oom(struct sq_store *s, struct tune_error *err)
{
    return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", s->path);
}

/* A statement ready to bind: reset from its last use, old bindings gone. */
static sqlite3_stmt *use(struct sq_store *s, enum stmt_id id)
{
    sqlite3_reset(s->st[id]);
    sqlite3_clear_bindings(s->st[id]);
    return s->st[id];
}

static void reset_all(struct sq_store *s)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (s->st[i])
            sqlite3_reset(s->st[i]);
    for (int i = 0; i < ROWS_COUNT; i++)
        for (int k = 0; k < ROWS_SIZES; k++)
            if (s->rows_st[i][k])
                sqlite3_reset(s->rows_st[i][k]);
}

/* NaN becomes NULL either way; binding NULL says so explicitly. */
static int bind_real(sqlite3_stmt *st, int i, double v)
{
    return isnan(v) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, v);
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Copy a TEXT column; NULL stays NULL.  Returns -1 only when out of memory. */
static int col_strdup(sqlite3_stmt *st, int i, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return 0;
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return -1;
    *out = strdup((const char *)t);
    return *out ? 0 : -1;
}

/* Run a statement that returns no rows (already bound). */
static int step_done(struct sq_store *s, sqlite3_stmt *st, const char *what,
                     struct tune_error *err)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        int code = sq_err(s, what, err);
        sqlite3_reset(st);
        return code;
    }
    sqlite3_reset(st);
    return TUNE_OK;
}

static int tx_begin(struct sq_store *s, int immediate, struct tune_error *err)
{
    return step_done(s, use(s, immediate ? ST_BEGIN_IMMEDIATE : ST_BEGIN),
                     "cannot start a transaction", err);
}

static int tx_commit(struct sq_store *s, struct tune_error *err)
{
    reset_all(s);
    return step_done(s, use(s, ST_COMMIT), "cannot commit", err);
}

/* Undo the open transaction, if SQLite has not already rolled it back
 * itself (it does on some errors, e.g. SQLITE_FULL). */
static void tx_rollback(struct sq_store *s)
{
    reset_all(s);
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_step(s->st[ST_ROLLBACK]);
        sqlite3_reset(s->st[ST_ROLLBACK]);
    }
}

/* Checkpoints.  SQLite's own rule checkpoints (PASSIVE) on every commit
 * once the WAL holds 1,000 frames, and the WAL starts over only when a
 * writer finds it all copied back and no reader in it.  With several
 * workers some reader always is: the WAL never started over (a 1,200-trial
 * study by 4 workers left an 80 MB WAL, and it grows with the study), and
 * every commit past 1,000 frames checkpointed again (two fdatasyncs each:
 * 2.8 a trial, against 0.09 with one worker).  Here a connection
 * checkpoints when 1,000 frames were added since its own last checkpoint;
 * and when the WAL holds 4,000 frames, it waits for the readers (RESTART,
 * at most RESTART_WAIT_MS) so that the WAL starts over. */
#define CHECKPOINT_FRAMES 1000
#define RESTART_FRAMES 4000

/* The busy handler while a RESTART waits for readers: it holds the write
 * lock meanwhile, so it gives up after about RESTART_WAIT_MS (a reader
 * such as a long `tunefold report` must not stall every worker). */
#define RESTART_WAIT_MS 50

static int restart_wait(void *arg, int attempt)
{
    (void)arg;
    if (attempt >= RESTART_WAIT_MS)
        return 0;
    struct timespec ts = {0, 1000000L};
    nanosleep(&ts, NULL);
    return 1;
}

static int checkpoint_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct sq_store *s = arg;
    if (frames < s->ckpt_at)
        s->ckpt_at = 0; /* the WAL started over */
    if (frames - s->ckpt_at >= CHECKPOINT_FRAMES) {
        int log = 0, done = 0, rc;
        /* what a checkpoint cannot do now (BUSY), a later one does */
        if (frames >= RESTART_FRAMES) {
            sqlite3_busy_handler(db, restart_wait, NULL);
            rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, &log, &done);
            sqlite3_busy_handler(db, busy_wait, NULL);
            if (rc == SQLITE_OK) {
                s->ckpt_at = 0;
                return SQLITE_OK;
            }
        } else {
            sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        }
        s->ckpt_at = log > 0 ? log : frames;
    }
    return SQLITE_OK;
}

/* ---- open / close ---------------------------------------------------------- */

static void sq_close(struct tune_store *base)
{
    struct sq_store *s = sq(base);
    if (!s)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    for (int i = 0; i < ROWS_COUNT; i++)
        for (int k = 0; k < ROWS_SIZES; k++)
            sqlite3_finalize(s->rows_st[i][k]);
    sqlite3_close(s->db); /* every statement is finalized, so this cannot be BUSY */
    free(s->path);
    free(s);
}

/* One integer from a constant query (no values, so nothing to bind). */
static int query_int(struct sq_store *s, const char *sql, sqlite3_int64 *out,
                     struct tune_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_err(s, "cannot read the database", err);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        int code = sq_err(s, "cannot read the database", err);
        sqlite3_finalize(st);
        return code;
    }
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return TUNE_OK;
}

static int ensure_schema(struct sq_store *s, struct tune_error *err)
{
    sqlite3_int64 user_version, n_tables, has_meta, meta_version = 0;
    /* The first read of the file: a file that is not a database fails here.
     * That, another program's database and a newer tunefold's are all the
     * user's choice of --db (bad input, TUNE_EINVAL), not a failing store. */
    int rc = query_int(s, "PRAGMA user_version", &user_version, err);
    if (rc) {
        if (sqlite3_errcode(s->db) == SQLITE_NOTADB)
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: is not a tunefold database (file is not a database); "
                                  "use another --db",
                                  s->path);
        return rc;
    }
    if (user_version > SCHEMA_VERSION)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: database schema version %lld is newer than this tunefold "
                              "understands (%d); use a newer tunefold",
                              s->path, (long long)user_version, SCHEMA_VERSION);
    if ((rc = query_int(s, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", &n_tables,
                        err)) ||
        (rc = query_int(s,
                        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                        &has_meta, err)))
        return rc;
    if (!has_meta && n_tables > 0)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: is a SQLite database but not a tunefold store (no meta table); "
                              "use another --db",
                              s->path);
    if (has_meta) {
        rc = query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'",
                       &meta_version, err);
        if (rc)
            return rc;
        if (meta_version > SCHEMA_VERSION)
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: database schema version %lld is newer than this tunefold "
                                  "understands (%d); use a newer tunefold",
                                  s->path, (long long)meta_version, SCHEMA_VERSION);
    }
    if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        return sq_err(s, "cannot switch to WAL mode", err);
    if (sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        return sq_err(s, "cannot set synchronous mode", err);
    /* Already current: no write at all, so a read-only file can be reported on. */
    if (user_version == SCHEMA_VERSION && meta_version == SCHEMA_VERSION)
        return TUNE_OK;
    /* Two processes may create or migrate the same file at once; BEGIN
     * IMMEDIATE serialises them, and each step re-reads the version inside
     * its transaction, so the second finds the work done. */
    for (;;) {
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return sq_err(s, "cannot create the schema", err);
        if ((rc = query_int(s, "PRAGMA user_version", &user_version, err))) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        if (user_version >= SCHEMA_VERSION) {
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
            return TUNE_OK;
        }
        const char *step = user_version == 0 ? schema_sql : migrations[user_version];
        if (sqlite3_exec(s->db, step, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            rc = tune_error_set(err, TUNE_ESTORE, "%s: cannot %s: %s", s->path,
                                user_version == 0 ? "create the schema"
                                                  : "upgrade the schema",
                                sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
}

static int sq_open(const char *location, struct tune_store **out, struct tune_error *err)
{
    *out = NULL;
    if (!location || !*location)
        return tune_error_set(err, TUNE_EINVAL, "store path is empty");
    struct sq_store *s = calloc(1, sizeof *s);
    if (!s)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", location);
    s->base.type = &tune_store_sqlite;
    s->path = strdup(location);
    if (!s->path) {
        free(s);
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", location);
    }
    /* Claims name the process that made them: which worker ran what. A
     * connection never crosses fork(), so the pid stays right. */
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "?");
    snprintf(s->worker, sizeof s->worker, "%s:%ld", host, (long)getpid());
    int rc;
    if (sqlite3_open_v2(location, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = s->db ? sq_err(s, "cannot open", err)
                   : tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", location);
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_handler(s->db, busy_wait, NULL);
    if (sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sq_err(s, "cannot enable foreign keys", err);
        goto fail;
    }
    if ((rc = ensure_schema(s, err)))
        goto fail;
    sqlite3_wal_hook(s->db, checkpoint_hook, s);
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            rc = sq_err(s, "cannot prepare a statement", err);
            goto fail;
        }
    }
    *out = &s->base;
    return TUNE_OK;
fail:
    sq_close(&s->base);
    return rc;
}

/* ---- studies --------------------------------------------------------------- */

/* Columns: id, name, config_json, metric, maximize, created. */
static int read_study(sqlite3_stmt *st, struct tune_study_info *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->maximize = sqlite3_column_int(st, 4) != 0;
    out->created = col_real(st, 5);
    if (col_strdup(st, 1, &out->name) || col_strdup(st, 2, &out->config_json) ||
        col_strdup(st, 3, &out->metric)) {
        tune_study_info_release(out);
        return -1;
    }
    return 0;
}

/* Look a study up by name inside the caller's transaction (or none).
 * Returns TUNE_OK with *found set, or an error. */
static int find_study(struct sq_store *s, const char *name, struct tune_study_info *out,
                      int *found, struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_STUDY_FIND);
    *found = 0;
    if (bind_text(st, 1, name) != SQLITE_OK)
        return sq_err(s, "cannot look up a study", err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (read_study(st, out)) {
            sqlite3_reset(st);
            return sq_oom(s, err);
        }
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot look up a study", err);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    return TUNE_OK;
}

static int sq_study_create_or_load(struct tune_store *base, const char *name,
                                   const char *config_json, const char *metric, int maximize,
                                   struct tune_study_info *out, int *created,
                                   struct tune_error *err)
{
    struct sq_store *s = sq(base);
    memset(out, 0, sizeof *out);
    *created = 0;
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study needs a non-empty name", s->path);
    if (!config_json || !metric)
        return tune_error_set(err, TUNE_EINVAL, "%s: study '%s' needs a config and a metric",
                              s->path, name);
    int found, rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    if ((rc = find_study(s, name, out, &found, err)))
        goto fail;
    if (found) {
        if (strcmp(out->config_json, config_json) != 0) {
            rc = tune_error_set(err, TUNE_ECONFLICT,
                                "study '%s' already exists in %s with a different configuration; "
                                "choose a new \"name\" in the study file or use another --db",
                                name, s->path);
            goto fail;
        }
    } else {
        double now = now_seconds();
        sqlite3_stmt *st = use(s, ST_STUDY_INSERT);
        if (bind_text(st, 1, name) || bind_text(st, 2, config_json) || bind_text(st, 3, metric) ||
            sqlite3_bind_int(st, 4, maximize != 0) || bind_real(st, 5, now)) {
            rc = sq_err(s, "cannot create a study", err);
            goto fail;
        }
        if ((rc = step_done(s, st, "cannot create a study", err)))
            goto fail;
        out->id = sqlite3_last_insert_rowid(s->db);
        out->maximize = maximize != 0;
        out->created = now;
        out->name = strdup(name);
        out->config_json = strdup(config_json);
        out->metric = strdup(metric);
        if (!out->name || !out->config_json || !out->metric) {
            rc = sq_oom(s, err);
            goto fail;
        }
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    *created = !found;
    return TUNE_OK;
fail:
    tx_rollback(s);
    tune_study_info_release(out);
    return rc;
}

static int sq_study_find(struct tune_store *base, const char *name, struct tune_study_info *out,
                         struct tune_error *err)
{
    struct sq_store *s = sq(base);
    memset(out, 0, sizeof *out);
    if (!name)
        return tune_error_set(err, TUNE_EINVAL, "%s: no study name given", s->path);
    int found, rc = find_study(s, name, out, &found, err);
    if (rc)
        return rc;
    if (!found)
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no study named '%s'", s->path, name);
    return TUNE_OK;
}

static int sq_study_list(struct tune_store *base, struct tune_study_info **out, size_t *n,
                         struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct tune_study_info *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = use(s, ST_STUDY_LIST);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            struct tune_study_info *nv = realloc(v, ncap * sizeof *nv);
            if (!nv)
                goto oom;
            v = nv;
            cap = ncap;
        }
        if (read_study(st, &v[len]))
            goto oom;
        len++;
    }
    if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot list studies", err);
        sqlite3_reset(st);
        tune_study_infos_free(v, len);
        return rc;
    }
    sqlite3_reset(st);
    *out = v;
    *n = len;
    return TUNE_OK;
oom:
    sqlite3_reset(st);
    tune_study_infos_free(v, len);
    return sq_oom(s, err);
}

/* ---- trials ---------------------------------------------------------------- */

struct trial_row {
    sqlite3_int64 id;
    enum tune_trial_state state;
    int lost;
    int search;       /* origin SEARCH */
};

/* Find trial `number` of the study inside the caller's transaction;
 * TUNE_ENOTFOUND when absent. */
static int find_trial(struct sq_store *s, int64_t study_id, int number, struct trial_row *row,
                      struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_TRIAL_FIND);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, number))
        return sq_err(s, "cannot look up a trial", err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no trial %d in study %lld", s->path,
                              number, (long long)study_id);
    }
    if (rc != SQLITE_ROW) {
        rc = sq_err(s, "cannot look up a trial", err);
        sqlite3_reset(st);
        return rc;
    }
    row->id = sqlite3_column_int64(st, 0);
    int state = tune_trial_state_parse((const char *)sqlite3_column_text(st, 1));
    row->lost = sqlite3_column_int(st, 2) != 0;
    const unsigned char *origin = sqlite3_column_text(st, 3);
    row->search = origin && strcmp((const char *)origin, "SEARCH") == 0;
    sqlite3_reset(st);
    if (state < 0)
        return tune_error_set(err, TUNE_ESTORE, "%s: trial %d of study %lld has an unknown state",
                              s->path, number, (long long)study_id);
    row->state = (enum tune_trial_state)state;
    return TUNE_OK;
}

/* The message for "this trial is no longer RUNNING", shared by every verb
 * that may only touch a running trial. */
static int not_running(struct sq_store *s, int64_t study_id, int number,
                       const struct trial_row *row, const char *verb, struct tune_error *err)
{
    if (row->lost)
        return tune_error_set(err, TUNE_ECONFLICT,
                              "%s: trial %d of study %lld cannot be %s: it was marked lost "
                              "(worker lost) and is %s; only a RUNNING trial can be %s",
                              s->path, number, (long long)study_id, verb,
                              tune_trial_state_name(row->state), verb);
    return tune_error_set(err, TUNE_ECONFLICT,
                          "%s: trial %d of study %lld cannot be %s: it is already %s; only a "
                          "RUNNING trial can be %s",
                          s->path, number, (long long)study_id, verb,
                          tune_trial_state_name(row->state), verb);
}

/* find_trial, then insist that it is RUNNING. */
static int find_running(struct sq_store *s, int64_t study_id, int number, const char *verb,
                        struct trial_row *row, struct tune_error *err)
{
    int rc = find_trial(s, study_id, number, row, err);
    if (rc == TUNE_OK && row->state != TUNE_TRIAL_RUNNING)
        rc = not_running(s, study_id, number, row, verb, err);
    return rc;
}

/* The study's next change stamp, inside the caller's write transaction. */
static int bump(struct sq_store *s, int64_t study_id, sqlite3_int64 *stamp,
                struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_BUMP);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_step(st) != SQLITE_ROW) {
        int rc = sq_err(s, "cannot stamp a change", err);
        sqlite3_reset(st);
        return rc;
    }
    *stamp = sqlite3_column_int64(st, 0);
    /* RETURNING: the update is done only once the statement has run out */
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TUNE_OK : sq_err(s, "cannot stamp a change", err);
}

/* n_search += delta, inside the caller's write transaction. */
static int budget_add(struct sq_store *s, int64_t study_id, sqlite3_int64 delta,
                      struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_BUDGET_ADD);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int64(st, 2, delta))
        return sq_err(s, "cannot count a trial", err);
    return step_done(s, st, "cannot count a trial", err);
}

/* The claim itself, inside the caller's write transaction (which it
 * leaves open, whatever happens). */
static int claim_in_tx(struct sq_store *s, int64_t study_id, enum tune_trial_origin origin,
                       size_t budget, int *number, int *seq, struct tune_error *err)
{
    int rc;
    sqlite3_stmt *st = use(s, ST_STUDY_EXISTS);
    if (sqlite3_bind_int64(st, 1, study_id)) {
        rc = sq_err(s, "cannot claim a trial", err);
        goto fail;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld", s->path,
                            (long long)study_id);
        goto fail;
    }
    if (rc != SQLITE_ROW) {
        rc = sq_err(s, "cannot claim a trial", err);
        goto fail;
    }
    sqlite3_reset(st);

    if (origin == TUNE_ORIGIN_SEARCH) {
        st = use(s, ST_COUNT_BUDGET);
        if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_step(st) != SQLITE_ROW) {
            rc = sq_err(s, "cannot count trials", err);
            goto fail;
        }
        sqlite3_int64 used = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if ((unsigned long long)used >= (unsigned long long)budget) {
            rc = tune_error_set(err, TUNE_EBUDGET,
                                "%s: study %lld has used its budget of %zu search trials",
                                s->path, (long long)study_id, budget);
            goto fail;
        }
    }

    st = use(s, ST_NEXT_NUMBERS);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_err(s, "cannot number a trial", err);
        goto fail;
    }
    sqlite3_int64 next_number = sqlite3_column_int64(st, 0);
    sqlite3_int64 next_seq = origin == TUNE_ORIGIN_SEARCH ? sqlite3_column_int64(st, 1) : -1;
    sqlite3_reset(st);
    if (next_number > INT_MAX || next_seq > INT_MAX) {
        rc = tune_error_set(err, TUNE_ESTORE, "%s: study %lld has too many trials", s->path,
                            (long long)study_id);
        goto fail;
    }

    sqlite3_int64 stamp;
    if ((rc = bump(s, study_id, &stamp, err)) ||
        (origin == TUNE_ORIGIN_SEARCH && (rc = budget_add(s, study_id, 1, err))))
        goto fail;
    st = use(s, ST_GONE_DELETE); /* a withdrawn number taken again */
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int64(st, 2, next_number)) {
        rc = sq_err(s, "cannot claim a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot claim a trial", err)))
        goto fail;
    st = use(s, ST_TRIAL_INSERT);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int64(st, 2, next_number) ||
        sqlite3_bind_int64(st, 3, next_seq) ||
        bind_text(st, 4, origin == TUNE_ORIGIN_SEARCH ? "SEARCH" : "MANUAL") ||
        bind_real(st, 5, now_seconds()) || bind_text(st, 6, s->worker) ||
        sqlite3_bind_int64(st, 7, stamp)) {
        rc = sq_err(s, "cannot claim a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot claim a trial", err)))
        goto fail;
    *number = (int)next_number;
    *seq = (int)next_seq;
    return TUNE_OK;
fail:
    return rc;
}

static int check_origin(struct sq_store *s, enum tune_trial_origin origin,
                        struct tune_error *err)
{
    if (origin != TUNE_ORIGIN_SEARCH && origin != TUNE_ORIGIN_MANUAL)
        return tune_error_set(err, TUNE_EINVAL, "%s: unknown trial origin %d", s->path,
                              (int)origin);
    return TUNE_OK;
}

static int sq_trial_claim(struct tune_store *base, int64_t study_id, enum tune_trial_origin origin,
                          size_t budget, int *number, int *seq, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    int rc = check_origin(s, origin, err);
    if (rc || (rc = tx_begin(s, 1, err)))
        return rc;
    if ((rc = claim_in_tx(s, study_id, origin, budget, number, seq, err)) ||
        (rc = tx_commit(s, err)))
        tx_rollback(s);
    return rc;
}

/* ---- JSON text of one parameter value ------------------------------------- */

struct text_buf {
    char *p;
    size_t len, cap;
};

static int buf_put(struct text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* A string (or key) as JSON, escaped by cJSON itself. */
static int put_json_string(struct text_buf *b, const char *s)
{
    cJSON *tmp = cJSON_CreateString(s);
    char *text = tmp ? cJSON_PrintUnformatted(tmp) : NULL;
    int rc = text ? buf_put(b, text, strlen(text)) : -1;
    cJSON_free(text);
    cJSON_Delete(tmp);
    return rc;
}

/* cJSON prints a number with %.15g and keeps it when it reads back within a
 * relative DBL_EPSILON, so it can move a double by one ulp
 * (0.0031622776601683794 comes out as 0.00316227766016838).  Stored params
 * must be exact, so numbers get the shortest of %.15g/%.16g/%.17g that reads
 * back bit for bit (%.17g always does): tune_format_double. */
static int put_json(struct text_buf *b, const cJSON *item)
{
    if (cJSON_IsNumber(item)) {
        char num[40];
        double d = item->valuedouble;
        if (!isfinite(d))
            return buf_put(b, "null", 4);
        tune_format_double(d, num, sizeof num);
        return buf_put(b, num, strlen(num));
    }
    if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
        int is_obj = cJSON_IsObject(item);
        if (buf_put(b, is_obj ? "{" : "[", 1))
            return -1;
        for (const cJSON *c = item->child; c; c = c->next) {
            if (c != item->child && buf_put(b, ",", 1))
                return -1;
            if (is_obj && (put_json_string(b, c->string) || buf_put(b, ":", 1)))
                return -1;
            if (put_json(b, c))
                return -1;
        }
        return buf_put(b, is_obj ? "}" : "]", 1);
    }
    if (cJSON_IsString(item))
        return put_json_string(b, item->valuestring);
    if (cJSON_IsTrue(item))
        return buf_put(b, "true", 4);
    if (cJSON_IsFalse(item))
        return buf_put(b, "false", 5);
    return buf_put(b, "null", 4);
}

/* ---- params ---------------------------------------------------------------- */

/* Parse and check params before touching the database: an object, no key
 * twice (trial_params has one row per key). */
static int parse_params(struct sq_store *s, int number, const char *params_json, cJSON **out,
                        struct tune_error *err)
{
    const char *end = NULL;
    *out = NULL;
    if (!params_json)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: no params given", s->path, number);
    cJSON *root = cJSON_ParseWithOpts(params_json, &end, 1);
    if (!root) {
        size_t at = end ? (size_t)(end - params_json) : 0;
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: trial %d: params are not valid JSON (byte %zu)", s->path,
                              number, at);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: params are not a JSON object",
                              s->path, number);
    }
    for (const cJSON *a = root->child; a; a = a->next) {
        for (const cJSON *b = a->next; b; b = b->next) {
            if (strcmp(a->string, b->string) == 0) {
                int rc = tune_error_set(err, TUNE_EINVAL,
                                        "%s: trial %d: params repeat the key '%s'", s->path,
                                        number, a->string);
                cJSON_Delete(root);
                return rc;
            }
        }
    }
    *out = root;
    return TUNE_OK;
}

/* The params of a RUNNING trial (parsed by parse_params), inside the
 * caller's write transaction. */
static int params_in_tx(struct sq_store *s, int64_t study_id, int number,
                        const char *params_json, const cJSON *root, struct tune_error *err)
{
    struct text_buf text = {0};
    struct trial_row row;
    sqlite3_int64 stamp;
    int rc;
    if ((rc = find_running(s, study_id, number, "given params", &row, err)) ||
        (rc = bump(s, study_id, &stamp, err)))
        return rc;
    sqlite3_stmt *st = use(s, ST_TRIAL_SET_PARAMS);
    if (sqlite3_bind_int64(st, 1, row.id) || bind_text(st, 2, params_json) ||
        bind_real(st, 3, now_seconds()) || sqlite3_bind_int64(st, 4, stamp))
        return sq_err(s, "cannot store params", err);
    if ((rc = step_done(s, st, "cannot store params", err)))
        return rc;
    st = use(s, ST_PARAMS_DELETE);
    if (sqlite3_bind_int64(st, 1, row.id))
        return sq_err(s, "cannot store params", err);
    if ((rc = step_done(s, st, "cannot store params", err)))
        return rc;
    for (const cJSON *item = root->child; item; item = item->next) {
        text.len = 0;
        if (put_json(&text, item)) {
            rc = sq_oom(s, err);
            break;
        }
        st = use(s, ST_PARAM_INSERT);
        if (sqlite3_bind_int64(st, 1, row.id) || bind_text(st, 2, item->string) ||
            bind_text(st, 3, text.p)) {
            rc = sq_err(s, "cannot store params", err);
            break;
        }
        if ((rc = step_done(s, st, "cannot store params", err)))
            break;
    }
    free(text.p);
    return rc;
}

static int sq_trial_set_params(struct tune_store *base, int64_t study_id, int number,
                               const char *params_json, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    cJSON *root;
    int rc = parse_params(s, number, params_json, &root, err);
    if (rc)
        return rc;
    if (!(rc = tx_begin(s, 1, err)) &&
        ((rc = params_in_tx(s, study_id, number, params_json, root, err)) ||
         (rc = tx_commit(s, err))))
        tx_rollback(s);
    cJSON_Delete(root);
    return rc;
}

static int sq_trial_claim_point(struct tune_store *base, int64_t study_id,
                                enum tune_trial_origin origin, size_t budget, tune_point_fn point,
                                void *arg, int *number, int *seq, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    cJSON *root = NULL;
    const char *params_json = NULL;
    int n = -1, q = -1;
    int rc = check_origin(s, origin, err);
    if (rc || (rc = tx_begin(s, 1, err)))
        return rc;
    if ((rc = claim_in_tx(s, study_id, origin, budget, &n, &q, err)) ||
        (rc = point(arg, n, q, &params_json, err)) ||
        (rc = parse_params(s, n, params_json, &root, err)) ||
        (rc = params_in_tx(s, study_id, n, params_json, root, err)) ||
        (rc = tx_commit(s, err)))
        tx_rollback(s);
    cJSON_Delete(root);
    if (rc == TUNE_OK) {
        *number = n;
        *seq = q;
    }
    return rc;
}

static int sq_trial_abandon(struct tune_store *base, int64_t study_id, int number,
                            struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    sqlite3_int64 stamp;
    if ((rc = find_running(s, study_id, number, "abandoned", &row, err)) ||
        (rc = bump(s, study_id, &stamp, err)) ||
        (row.search && (rc = budget_add(s, study_id, -1, err))))
        goto fail;
    sqlite3_stmt *st = use(s, ST_TRIAL_DELETE);
    if (sqlite3_bind_int64(st, 1, row.id)) {
        rc = sq_err(s, "cannot abandon a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot abandon a trial", err)))
        goto fail;
    st = use(s, ST_GONE_INSERT);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, number) ||
        sqlite3_bind_int64(st, 3, stamp)) {
        rc = sq_err(s, "cannot abandon a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot abandon a trial", err)) || (rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int insert_intermediate(struct sq_store *s, sqlite3_int64 trial_id,
                               const struct tune_intermediate *values, size_t n,
                               struct tune_error *err);
static int insert_artifact(struct sq_store *s, sqlite3_int64 trial_id, const char *name,
                           const void *data, size_t len, struct tune_error *err);

static int check_result(struct sq_store *s, int number, const struct tune_trial_result *res,
                        struct tune_error *err)
{
    if (!res)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: no result given", s->path, number);
    if (res->state != TUNE_TRIAL_COMPLETE && res->state != TUNE_TRIAL_FAILED &&
        res->state != TUNE_TRIAL_PRUNED)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: trial %d: a finished trial must be COMPLETE, FAILED or PRUNED, "
                              "not %s",
                              s->path, number, tune_trial_state_name(res->state));
    if (res->n_metrics && !res->metrics)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: %zu metrics but no array", s->path,
                              number, res->n_metrics);
    for (size_t i = 0; i < res->n_metrics; i++) {
        const struct tune_metric_summary *m = &res->metrics[i];
        if (!m->name || !*m->name)
            return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: metric %zu has no name",
                                  s->path, number, i);
        if (m->n_folds && !m->folds)
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: trial %d: metric '%s' has %zu folds but no values",
                                  s->path, number, m->name, m->n_folds);
        for (size_t j = 0; j < i; j++)
            if (strcmp(res->metrics[j].name, m->name) == 0)
                return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: metric '%s' given twice",
                                      s->path, number, m->name);
    }
    if ((res->n_intermediate && !res->intermediate) || (res->n_artifacts && !res->artifacts))
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: trial %d: intermediate values or artifacts counted but not "
                              "given",
                              s->path, number);
    for (size_t i = 0; i < res->n_artifacts; i++)
        if (!res->artifacts[i].name || !*res->artifacts[i].name ||
            (res->artifacts[i].len && !res->artifacts[i].data))
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: trial %d: artifact %zu has no name or no data", s->path,
                                  number, i);
    return TUNE_OK;
}

/* *out: the multi-row statement of `size_index` for `id`, reset and
 * unbound; prepared on first use (a failure is reported as `what`). */
static int rows_use(struct sq_store *s, enum rows_id id, int size_index, const char *what,
                    sqlite3_stmt **out, struct tune_error *err)
{
    sqlite3_stmt **st = &s->rows_st[id][size_index];
    if (!*st) {
        size_t n = rows_size[size_index], cols = (size_t)rows_sql[id].cols;
        /* a row is "(?, ?, ...)" and ", ": 3 cols + 2 characters */
        size_t cap = strlen(rows_sql[id].head) + strlen(rows_sql[id].tail) + n * (4 * cols + 4);
        char *sql = malloc(cap), *p = sql;
        if (!sql)
            return sq_oom(s, err);
        p += sprintf(p, "%s", rows_sql[id].head);
        for (size_t r = 0; r < n; r++) {
            p += sprintf(p, "%s(", r ? ", " : "");
            for (size_t c = 0; c < cols; c++)
                p += sprintf(p, "%s?", c ? ", " : "");
            p += sprintf(p, ")");
        }
        sprintf(p, "%s", rows_sql[id].tail);
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
        free(sql);
        if (rc != SQLITE_OK) {
            *st = NULL;
            return sq_err(s, what, err);
        }
    }
    sqlite3_reset(*st);
    sqlite3_clear_bindings(*st);
    *out = *st;
    return TUNE_OK;
}

/* Bind row `row` of a batch at parameter base + 1 ... (the row's columns). */
typedef int (*bind_row_fn)(sqlite3_stmt *st, int base, size_t row, const void *arg);

/* n rows into the table of `id`, 16 at a time, then 4, then 1 (inside the
 * caller's transaction; the same rows in the same order as one INSERT each). */
static int insert_rows(struct sq_store *s, enum rows_id id, size_t n, bind_row_fn bind,
                       const void *arg, const char *what, struct tune_error *err)
{
    size_t done = 0;
    for (int k = 0; k < ROWS_SIZES; k++)
        while (n - done >= rows_size[k]) {
            sqlite3_stmt *st = NULL;
            int rc = rows_use(s, id, k, what, &st, err);
            if (rc)
                return rc;
            for (size_t r = 0; r < rows_size[k]; r++)
                if (bind(st, (int)r * rows_sql[id].cols, done + r, arg))
                    return sq_err(s, what, err);
            if ((rc = step_done(s, st, what, err)))
                return rc;
            done += rows_size[k];
        }
    return TUNE_OK;
}

struct metric_rows {
    sqlite3_int64 trial_id;
    const struct tune_metric_summary *metrics;
    size_t *first;   /* per metric: its first fold's row (n + 1 entries) */
    size_t n;
};

static int bind_metric_row(sqlite3_stmt *st, int base, size_t row, const void *arg)
{
    const struct metric_rows *m = arg;
    const struct tune_metric_summary *x = &m->metrics[row];
    return sqlite3_bind_int64(st, base + 1, m->trial_id) || bind_text(st, base + 2, x->name) ||
           bind_real(st, base + 3, x->mean) || bind_real(st, base + 4, x->std);
}

static int bind_fold_row(sqlite3_stmt *st, int base, size_t row, const void *arg)
{
    const struct metric_rows *m = arg;
    size_t lo = 0, hi = m->n; /* the metric whose folds hold `row` */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (m->first[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    const struct tune_metric_summary *x = &m->metrics[lo];
    size_t f = row - m->first[lo];
    return sqlite3_bind_int64(st, base + 1, m->trial_id) || bind_text(st, base + 2, x->name) ||
           sqlite3_bind_int64(st, base + 3, (sqlite3_int64)f) ||
           bind_real(st, base + 4, x->folds[f]);
}

/* A trial's metrics and their folds, inside the caller's transaction. */
static int insert_metrics(struct sq_store *s, sqlite3_int64 trial_id,
                          const struct tune_metric_summary *metrics, size_t n,
                          struct tune_error *err)
{
    if (n == 0)
        return TUNE_OK;
    struct metric_rows m = {trial_id, metrics, malloc((n + 1) * sizeof *m.first), n};
    if (!m.first)
        return sq_oom(s, err);
    m.first[0] = 0;
    for (size_t i = 0; i < n; i++)
        m.first[i + 1] = m.first[i] + metrics[i].n_folds;
    int rc = insert_rows(s, ROWS_METRIC, n, bind_metric_row, &m, "cannot store a metric", err);
    if (!rc)
        rc = insert_rows(s, ROWS_FOLD, m.first[n], bind_fold_row, &m,
                         "cannot store a metric fold", err);
    free(m.first);
    return rc;
}

static int sq_trial_finish(struct tune_store *base, int64_t study_id, int number,
                           const struct tune_trial_result *res, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    int rc = check_result(s, number, res, err);
    if (rc)
        return rc;
    if ((rc = tx_begin(s, 1, err)))
        return rc;
    sqlite3_int64 stamp;
    if ((rc = find_running(s, study_id, number, "finished", &row, err)) ||
        (rc = bump(s, study_id, &stamp, err)))
        goto fail;
    sqlite3_stmt *st = use(s, ST_TRIAL_FINISH);
    if (sqlite3_bind_int64(st, 1, row.id) || bind_text(st, 2, tune_trial_state_name(res->state)) ||
        bind_real(st, 3, res->value) || bind_real(st, 4, res->value_std) ||
        bind_real(st, 5, now_seconds()) || bind_real(st, 6, res->fit_seconds) ||
        bind_real(st, 7, res->predict_seconds) || bind_text(st, 8, res->error) ||
        sqlite3_bind_int64(st, 9, stamp) ||
        (res->state == TUNE_TRIAL_PRUNED && res->pruned_at >= 0
             ? sqlite3_bind_int64(st, 10, (sqlite3_int64)res->pruned_at)
             : sqlite3_bind_null(st, 10)) ||
        bind_real(st, 11, res->violation > 0 ? res->violation : NAN)) {
        rc = sq_err(s, "cannot finish a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot finish a trial", err)))
        goto fail;
    st = use(s, ST_METRICS_DELETE);
    if (sqlite3_bind_int64(st, 1, row.id)) {
        rc = sq_err(s, "cannot finish a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot finish a trial", err)))
        goto fail;
    if ((rc = insert_metrics(s, row.id, res->metrics, res->n_metrics, err)))
        goto fail;
    if (res->n_intermediate &&
        (rc = insert_intermediate(s, row.id, res->intermediate, res->n_intermediate, err)))
        goto fail;
    for (size_t i = 0; i < res->n_artifacts; i++)
        if ((rc = insert_artifact(s, row.id, res->artifacts[i].name, res->artifacts[i].data,
                                  res->artifacts[i].len, err)))
            goto fail;
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

/* Columns of ST_TRIAL_PAGE into *t (zeroed first). */
static int read_trial(struct sq_store *s, sqlite3_stmt *st, struct tune_trial *t,
                      struct tune_error *err)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->number = sqlite3_column_int(st, 1);
    t->seq = sqlite3_column_int(st, 2);
    const char *origin = (const char *)sqlite3_column_text(st, 3);
    int state = tune_trial_state_parse((const char *)sqlite3_column_text(st, 4));
    if (!origin || state < 0)
        return tune_error_set(err, TUNE_ESTORE, "%s: trial %d has an unreadable origin or state",
                              s->path, t->number);
    t->origin = strcmp(origin, "MANUAL") == 0 ? TUNE_ORIGIN_MANUAL : TUNE_ORIGIN_SEARCH;
    t->state = (enum tune_trial_state)state;
    t->value = col_real(st, 6);
    t->value_std = col_real(st, 7);
    t->t_start = col_real(st, 8);
    t->t_end = col_real(st, 9);
    t->fit_seconds = col_real(st, 10);
    t->predict_seconds = col_real(st, 11);
    t->lost = sqlite3_column_int(st, 13) != 0;
    t->pruned_at = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1
                                                              : sqlite3_column_int64(st, 15);
    t->violation = col_real(st, 16);
    if (col_strdup(st, 14, &t->worker))
        return sq_oom(s, err);
    if (col_strdup(st, 5, &t->params_json) || col_strdup(st, 12, &t->error))
        return sq_oom(s, err);
    return TUNE_OK;
}

/* Rows of ST_METRIC_PAGE come ordered by (trial number, metric name, fold),
 * the same order as the trials array, so one forward walk attaches every
 * metric and fold; a metric without folds comes as one row with fold NULL. */
static int attach_metrics(struct sq_store *s, int64_t study_id, struct tune_trial *v, size_t n,
                          struct tune_error *err)
{
    if (n == 0)
        return TUNE_OK;
    sqlite3_stmt *st = use(s, ST_METRIC_PAGE); /* the numbers the page holds */
    size_t ti = 0;
    int rc;
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, v[0].number) ||
        sqlite3_bind_int(st, 3, v[n - 1].number))
        return sq_err(s, "cannot list metrics", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int number = sqlite3_column_int(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!name)
            return sq_oom(s, err);
        while (ti < n && v[ti].number < number)
            ti++;
        if (ti == n || v[ti].number != number)
            return tune_error_set(err, TUNE_ESTORE, "%s: metrics of trial %d have no trial",
                                  s->path, number);
        struct tune_trial *t = &v[ti];
        struct tune_metric_summary *m =
            t->n_metrics ? &t->metrics[t->n_metrics - 1] : NULL;
        if (!m || strcmp(m->name, name) != 0) {
            struct tune_metric_summary *nm =
                realloc(t->metrics, (t->n_metrics + 1) * sizeof *nm);
            if (!nm)
                return sq_oom(s, err);
            t->metrics = nm;
            m = &t->metrics[t->n_metrics];
            memset(m, 0, sizeof *m);
            t->n_metrics++;
            m->mean = col_real(st, 2);
            m->std = col_real(st, 3);
            if (!(m->name = strdup(name)))
                return sq_oom(s, err);
        }
        if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
            double *nf = realloc(m->folds, (m->n_folds + 1) * sizeof *nf);
            if (!nf)
                return sq_oom(s, err);
            m->folds = nf;
            m->folds[m->n_folds++] = col_real(st, 5);
        }
    }
    if (rc != SQLITE_DONE)
        return sq_err(s, "cannot list metrics", err);
    sqlite3_reset(st);
    return TUNE_OK;
}

/* Trials with number >= first, at most max (SIZE_MAX: all), in one read
 * transaction so trials and metrics come from the same snapshot. */
static int sq_trial_page(struct tune_store *base, int64_t study_id, int first, size_t max,
                         int with_metrics, struct tune_trial **out, size_t *n,
                         struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct tune_trial *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    int rc = tx_begin(s, 0, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = use(s, ST_TRIAL_PAGE);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, first) ||
        sqlite3_bind_int64(st, 3, max > (size_t)INT64_MAX ? -1 : (sqlite3_int64)max)) {
        rc = sq_err(s, "cannot list trials", err);
        goto fail;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            struct tune_trial *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                rc = sq_oom(s, err);
                goto fail;
            }
            v = nv;
            cap = ncap;
        }
        /* Counted before reading, so a half-read trial is released too. */
        if ((rc = read_trial(s, st, &v[len++], err)))
            goto fail;
    }
    if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot list trials", err);
        goto fail;
    }
    sqlite3_reset(st);
    if ((with_metrics && (rc = attach_metrics(s, study_id, v, len, err))) ||
        (rc = tx_commit(s, err)))
        goto fail;
    *out = v;
    *n = len;
    return TUNE_OK;
fail:
    tx_rollback(s);
    tune_trials_free(v, len);
    return rc;
}

static int sq_trial_list(struct tune_store *base, int64_t study_id, struct tune_trial **out,
                         size_t *n, struct tune_error *err)
{
    return sq_trial_page(base, study_id, 0, SIZE_MAX, 1, out, n, err);
}

static int sq_trial_get(struct tune_store *base, int64_t study_id, int number,
                        struct tune_trial *out, struct tune_error *err)
{
    struct tune_trial *v = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    int rc = sq_trial_page(base, study_id, number, 1, 1, &v, &n, err);
    if (rc)
        return rc;
    if (n == 0 || v[0].number != number) {
        tune_trials_free(v, n);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no trial %d in study %lld",
                              sq(base)->path, number, (long long)study_id);
    }
    *out = v[0];
    free(v);
    return TUNE_OK;
}

/* The number of the study's best complete trial, or -1. */
static int best_number(struct sq_store *s, int64_t study_id, int *number, char *name,
                       size_t name_size, struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_STUDY_MAXIMIZE);
    *number = -1;
    if (sqlite3_bind_int64(st, 1, study_id))
        return sq_err(s, "cannot find the best trial", err);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld",
                                                s->path, (long long)study_id)
                               : sq_err(s, "cannot find the best trial", err);
        sqlite3_reset(st);
        return rc;
    }
    int maximize = sqlite3_column_int(st, 0) != 0;
    const unsigned char *nm = sqlite3_column_text(st, 1);
    if (name)
        snprintf(name, name_size, "%s", nm ? (const char *)nm : "?");
    sqlite3_reset(st);
    st = use(s, maximize ? ST_BEST_MAX : ST_BEST_MIN);
    if (sqlite3_bind_int64(st, 1, study_id))
        return sq_err(s, "cannot find the best trial", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *number = sqlite3_column_int(st, 0);
    else if (rc != SQLITE_DONE)
        rc = sq_err(s, "cannot find the best trial", err);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TUNE_OK : rc;
}

static int sq_trial_best(struct tune_store *base, int64_t study_id, struct tune_trial *out,
                         struct tune_error *err)
{
    struct sq_store *s = sq(base);
    int number;
    char name[256];
    memset(out, 0, sizeof *out);
    int rc = best_number(s, study_id, &number, name, sizeof name, err);
    if (rc)
        return rc;
    if (number < 0)
        return tune_error_set(err, TUNE_ENOTFOUND, "study '%s' has no complete trial yet", name);
    return sq_trial_get(base, study_id, number, out, err);
}

static int sq_study_progress(struct tune_store *base, int64_t study_id,
                             struct tune_progress *out, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    memset(out, 0, sizeof *out);
    out->best_value = out->worst_value = NAN;
    out->best_number = -1;
    int rc = tx_begin(s, 0, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = use(s, ST_PROGRESS);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_err(s, "cannot count trials", err);
        goto fail;
    }
    out->finished = (size_t)sqlite3_column_int64(st, 0);
    out->running = (size_t)sqlite3_column_int64(st, 1);
    out->complete = (size_t)sqlite3_column_int64(st, 2);
    out->failed = (size_t)sqlite3_column_int64(st, 3);
    out->pruned = (size_t)sqlite3_column_int64(st, 4);
    out->lost = (size_t)sqlite3_column_int64(st, 5);
    out->worst_value = col_real(st, sqlite3_column_int(st, 8) ? 6 : 7);
    sqlite3_reset(st);
    int number;
    if ((rc = best_number(s, study_id, &number, NULL, 0, err)))
        goto fail;
    if (number >= 0) {
        st = use(s, ST_TRIAL_VALUE);
        if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, number) ||
            sqlite3_step(st) != SQLITE_ROW) {
            rc = sq_err(s, "cannot read the best trial", err);
            goto fail;
        }
        out->best_number = number;
        out->best_value = col_real(st, 0);
        sqlite3_reset(st);
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int sq_trial_recover_stale(struct tune_store *base, int64_t study_id, double max_age,
                                  size_t *n_marked, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    *n_marked = 0;
    if (!(max_age >= 0))
        return tune_error_set(err, TUNE_EINVAL, "%s: stale-trial age must be >= 0 seconds, not %g",
                              s->path, max_age);
    /* Every worker asks before every claim, and almost always nothing is
     * stale: a plain read first (trials_by_state), the write lock only when
     * there is something to mark.  Inside the write transaction the count is
     * taken again, so a heartbeat that slipped in between is respected.
     * "<=" so that max_age 0 means "every RUNNING trial", whatever the
     * clock's grain. */
    double now = now_seconds();
    sqlite3_stmt *st = use(s, ST_STALE_COUNT);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_real(st, 2, now - max_age) ||
        sqlite3_step(st) != SQLITE_ROW) {
        int rc = sq_err(s, "cannot recover stale trials", err);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_int64 due = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (due == 0)
        return TUNE_OK;
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    st = use(s, ST_STALE_COUNT);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_real(st, 2, now - max_age) ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_err(s, "cannot recover stale trials", err);
        goto fail;
    }
    due = sqlite3_column_int64(st, 0);
    sqlite3_int64 search = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (due > 0) {
        sqlite3_int64 stamp;
        if ((rc = bump(s, study_id, &stamp, err)) ||
            (search && (rc = budget_add(s, study_id, -search, err))))
            goto fail;
        st = use(s, ST_RECOVER);
        if (sqlite3_bind_int64(st, 1, study_id) || bind_real(st, 2, now) ||
            bind_real(st, 3, now - max_age) || sqlite3_bind_int64(st, 4, stamp)) {
            rc = sq_err(s, "cannot recover stale trials", err);
            goto fail;
        }
        if ((rc = step_done(s, st, "cannot recover stale trials", err)))
            goto fail;
        *n_marked = (size_t)sqlite3_changes(s->db);
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    *n_marked = 0;
    tx_rollback(s);
    return rc;
}

static int sq_trial_release(struct tune_store *base, int64_t study_id, int number,
                            const char *reason, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    sqlite3_int64 stamp;
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    if ((rc = find_running(s, study_id, number, "released", &row, err)) ||
        (rc = bump(s, study_id, &stamp, err)) ||
        (row.search && (rc = budget_add(s, study_id, -1, err))))
        goto fail;
    sqlite3_stmt *st = use(s, ST_RELEASE);
    if (sqlite3_bind_int64(st, 1, row.id) || bind_text(st, 2, reason ? reason : "released") ||
        bind_real(st, 3, now_seconds()) || sqlite3_bind_int64(st, 4, stamp)) {
        rc = sq_err(s, "cannot release a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot release a trial", err)) || (rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

/* Growable array of briefs for trial_changes. */
static int brief_push(struct tune_trial_brief **v, size_t *len, size_t *cap)
{
    if (*len == *cap) {
        size_t ncap = *cap ? 2 * *cap : 16;
        struct tune_trial_brief *nv = realloc(*v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    memset(&(*v)[*len], 0, sizeof **v);
    (*len)++;
    return 0;
}

static int sq_trial_changes(struct tune_store *base, int64_t study_id, int64_t since,
                            struct tune_trial_brief **out, size_t *n, int64_t *stamp,
                            struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct tune_trial_brief *v = NULL;
    size_t len = 0, cap = 0;
    int *gone = NULL;
    size_t n_gone = 0, gone_cap = 0;
    *out = NULL;
    *n = 0;
    int rc = tx_begin(s, 0, err); /* one snapshot: rows and stamp agree */
    if (rc)
        return rc;
    sqlite3_stmt *st = use(s, ST_STAMP);
    if (sqlite3_bind_int64(st, 1, study_id)) {
        rc = sq_err(s, "cannot read changes", err);
        goto fail;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld",
                                                s->path, (long long)study_id)
                               : sq_err(s, "cannot read changes", err);
        goto fail;
    }
    *stamp = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (since >= 0) {
        st = use(s, ST_GONE_LIST);
        if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int64(st, 2, since)) {
            rc = sq_err(s, "cannot read changes", err);
            goto fail;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (n_gone == gone_cap) {
                size_t ncap = gone_cap ? 2 * gone_cap : 8;
                int *ng = realloc(gone, ncap * sizeof *ng);
                if (!ng) {
                    rc = sq_oom(s, err);
                    goto fail;
                }
                gone = ng;
                gone_cap = ncap;
            }
            gone[n_gone++] = sqlite3_column_int(st, 0);
        }
        if (rc != SQLITE_DONE) {
            rc = sq_err(s, "cannot read changes", err);
            goto fail;
        }
        sqlite3_reset(st);
    }
    st = use(s, ST_CHANGES);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int64(st, 2, since)) {
        rc = sq_err(s, "cannot read changes", err);
        goto fail;
    }
    size_t gi = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int number = sqlite3_column_int(st, 0);
        /* withdrawn numbers below this one, in number order (a number both
         * withdrawn and claimed again has no gone row: the claim removed it) */
        for (; gi < n_gone && gone[gi] < number; gi++) {
            if (brief_push(&v, &len, &cap)) {
                rc = sq_oom(s, err);
                goto fail;
            }
            v[len - 1].number = gone[gi];
            v[len - 1].gone = 1;
            v[len - 1].value = v[len - 1].value_std = NAN;
        }
        if (brief_push(&v, &len, &cap)) {
            rc = sq_oom(s, err);
            goto fail;
        }
        struct tune_trial_brief *b = &v[len - 1];
        b->number = number;
        b->seq = sqlite3_column_int(st, 1);
        const char *origin = (const char *)sqlite3_column_text(st, 2);
        int state = tune_trial_state_parse((const char *)sqlite3_column_text(st, 3));
        if (!origin || state < 0) {
            rc = tune_error_set(err, TUNE_ESTORE, "%s: trial %d has an unreadable origin or state",
                                s->path, number);
            goto fail;
        }
        b->origin = strcmp(origin, "MANUAL") == 0 ? TUNE_ORIGIN_MANUAL : TUNE_ORIGIN_SEARCH;
        b->state = (enum tune_trial_state)state;
        b->lost = sqlite3_column_int(st, 4) != 0;
        b->value = col_real(st, 5);
        b->value_std = col_real(st, 6);
        b->t_start = col_real(st, 7);
        b->t_end = col_real(st, 8);
        b->violation = col_real(st, 11);
        if (col_strdup(st, 9, &b->params_json) || col_strdup(st, 10, &b->error)) {
            rc = sq_oom(s, err);
            goto fail;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot read changes", err);
        goto fail;
    }
    sqlite3_reset(st);
    for (; gi < n_gone; gi++) {
        if (brief_push(&v, &len, &cap)) {
            rc = sq_oom(s, err);
            goto fail;
        }
        v[len - 1].number = gone[gi];
        v[len - 1].gone = 1;
        v[len - 1].value = v[len - 1].value_std = NAN;
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    free(gone);
    *out = v;
    *n = len;
    return TUNE_OK;
fail:
    tx_rollback(s);
    free(gone);
    tune_trial_briefs_free(v, len);
    return rc;
}

/* ---- artifacts ------------------------------------------------------------- */

static int sq_artifact_save(struct tune_store *base, int64_t study_id, int number,
                            const char *name, const void *data, size_t len,
                            struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: an artifact needs a name", s->path,
                              number);
    if (len && !data)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: artifact '%s' has no data",
                              s->path, number, name);
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    if ((rc = find_trial(s, study_id, number, &row, err)) ||
        (rc = insert_artifact(s, row.id, name, data, len, err)) || (rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

/* Store or replace one artifact of a trial, inside the caller's transaction.
 *
 * An artifact larger than a blob chunk (the out-of-fold predictions of a
 * million rows are some 50 MB) is written as a zero-filled blob of its size,
 * then filled a chunk at a time by incremental blob I/O: bound whole,
 * SQLite would copy it once for the binding and once more to build the row,
 * two copies beside the caller's.  A zeroblob costs no memory, and
 * sqlite3_blob_write goes straight to the row's pages. */
static int insert_artifact(struct sq_store *s, sqlite3_int64 trial_id, const char *name,
                           const void *data, size_t len, struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_ARTIFACT_SAVE);
    int big = len > BLOB_CHUNK;
    /* A NULL pointer would bind SQL NULL; an empty artifact is a zero-length
     * blob, hence the "" for len 0. */
    if (sqlite3_bind_int64(st, 1, trial_id) || bind_text(st, 2, name) ||
        (big ? sqlite3_bind_zeroblob64(st, 3, (sqlite3_uint64)len)
             : sqlite3_bind_blob64(st, 3, len ? data : "", (sqlite3_uint64)len,
                                   SQLITE_TRANSIENT)))
        return sq_err(s, "cannot save an artifact", err);
    int rc = step_done(s, st, "cannot save an artifact", err);
    if (rc || !big)
        return rc;
    st = use(s, ST_ARTIFACT_ROWID);
    if (sqlite3_bind_int64(st, 1, trial_id) || bind_text(st, 2, name) ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_err(s, "cannot save an artifact", err);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_blob *b = NULL;
    if (sqlite3_blob_open(s->db, "main", "artifacts", "data", rowid, 1, &b) != SQLITE_OK) {
        rc = sq_err(s, "cannot save an artifact", err);
        sqlite3_blob_close(b);
        return rc;
    }
    for (size_t off = 0; off < len; off += BLOB_CHUNK) {
        size_t n = len - off < BLOB_CHUNK ? len - off : BLOB_CHUNK;
        if (sqlite3_blob_write(b, (const char *)data + off, (int)n, (int)off) != SQLITE_OK) {
            rc = sq_err(s, "cannot save an artifact", err);
            break;
        }
    }
    if (sqlite3_blob_close(b) != SQLITE_OK && !rc)
        rc = sq_err(s, "cannot save an artifact", err);
    return rc;
}

static int sq_artifact_load(struct tune_store *base, int64_t study_id, int number,
                            const char *name, void **data, size_t *len, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    *data = NULL;
    *len = 0;
    if (!name)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: no artifact name given", s->path,
                              number);
    sqlite3_stmt *st = use(s, ST_ARTIFACT_LOAD);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, number) ||
        bind_text(st, 3, name))
        return sq_err(s, "cannot load an artifact", err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return tune_error_set(err, TUNE_ENOTFOUND,
                              "%s: no artifact '%s' for trial %d of study %lld", s->path, name,
                              number, (long long)study_id);
    }
    if (rc != SQLITE_ROW) {
        rc = sq_err(s, "cannot load an artifact", err);
        sqlite3_reset(st);
        return rc;
    }
    const void *blob = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    char *buf = malloc(n + 1);
    if (!buf) {
        sqlite3_reset(st);
        return sq_oom(s, err);
    }
    if (n)
        memcpy(buf, blob, n);
    buf[n] = '\0';
    sqlite3_reset(st);
    *data = buf;
    *len = n;
    return TUNE_OK;
}

/* ---- intermediate values and heartbeats --------------------------------------- */

/* Stamp the heartbeat of the RUNNING trial `row` (inside a transaction). */
static int stamp_heartbeat(struct sq_store *s, int64_t trial_id, struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_HEARTBEAT);
    if (sqlite3_bind_int64(st, 1, trial_id) || sqlite3_bind_double(st, 2, now_seconds()))
        return sq_err(s, "cannot stamp a heartbeat", err);
    return step_done(s, st, "cannot stamp a heartbeat", err);
}

static int sq_trial_add_intermediate(struct tune_store *base, int64_t study_id, int number,
                                     const struct tune_intermediate *values, size_t n,
                                     struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    if ((rc = find_running(s, study_id, number, "given intermediate values", &row, err)) ||
        (rc = insert_intermediate(s, row.id, values, n, err)) ||
        (rc = stamp_heartbeat(s, row.id, err)) || (rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

/* Intermediate values of a trial, inside the caller's transaction; a
 * repeated (fold, step) replaces the old value. */
struct intermediate_rows {
    sqlite3_int64 trial_id;
    const struct tune_intermediate *values;
};

static int bind_intermediate_row(sqlite3_stmt *st, int base, size_t row, const void *arg)
{
    const struct intermediate_rows *m = arg;
    const struct tune_intermediate *v = &m->values[row];
    return sqlite3_bind_int64(st, base + 1, m->trial_id) ||
           sqlite3_bind_int(st, base + 2, v->fold) ||
           sqlite3_bind_int64(st, base + 3, (sqlite3_int64)v->step) ||
           bind_real(st, base + 4, v->value);
}

static int insert_intermediate(struct sq_store *s, sqlite3_int64 trial_id,
                               const struct tune_intermediate *values, size_t n,
                               struct tune_error *err)
{
    struct intermediate_rows rows = {trial_id, values};
    return insert_rows(s, ROWS_INTERMEDIATE, n, bind_intermediate_row, &rows,
                       "cannot store an intermediate value", err);
}

static int sq_trial_list_intermediate(struct tune_store *base, int64_t study_id, int number,
                                      struct tune_intermediate **out, size_t *n,
                                      struct tune_error *err)
{
    struct sq_store *s = sq(base);
    size_t cap = 64, len = 0;
    struct tune_intermediate *v = malloc(cap * sizeof *v);
    *out = NULL;
    *n = 0;
    if (!v)
        return sq_oom(s, err);
    sqlite3_stmt *st = use(s, ST_INTERMEDIATE_LIST);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, number)) {
        free(v);
        return sq_err(s, "cannot list intermediate values", err);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            struct tune_intermediate *bigger = realloc(v, 2 * cap * sizeof *v);
            if (!bigger) {
                sqlite3_reset(st);
                free(v);
                return sq_oom(s, err);
            }
            v = bigger;
            cap *= 2;
        }
        v[len].fold = sqlite3_column_int(st, 0);
        v[len].step = (size_t)sqlite3_column_int64(st, 1);
        v[len].value = col_real(st, 2);
        len++;
    }
    if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot list intermediate values", err);
        sqlite3_reset(st);
        free(v);
        return rc;
    }
    sqlite3_reset(st);
    *out = v;
    *n = len;
    return TUNE_OK;
}

static int sq_trial_heartbeat(struct tune_store *base, int64_t study_id, int number,
                              struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    if ((rc = find_running(s, study_id, number, "given a heartbeat", &row, err)) ||
        (rc = stamp_heartbeat(s, row.id, err)) || (rc = tx_commit(s, err))) {
        tx_rollback(s);
        return rc;
    }
    return TUNE_OK;
}

/* ---- study attributes ---------------------------------------------------------- */

static int sq_study_set_attr(struct tune_store *base, int64_t study_id, const char *key,
                             const char *value, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = use(s, ST_ATTR_SET);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, key) || bind_text(st, 3, value)) {
        rc = sq_err(s, "cannot store a study attribute", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot store a study attribute", err)) ||
        (rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int sq_study_get_attr(struct tune_store *base, int64_t study_id, const char *key,
                             char **value, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    *value = NULL;
    sqlite3_stmt *st = use(s, ST_ATTR_GET);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, key))
        return sq_err(s, "cannot read a study attribute", err);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: study %lld has no attribute '%s'",
                              s->path, (long long)study_id, key);
    }
    if (rc != SQLITE_ROW) {
        rc = sq_err(s, "cannot read a study attribute", err);
        sqlite3_reset(st);
        return rc;
    }
    rc = col_strdup(st, 0, value) ? sq_oom(s, err) : TUNE_OK;
    sqlite3_reset(st);
    return rc;
}

/* ---- version 3: study blobs, lists, imports ---------------------------------------- */

/* FNV-1a, 64 bits: a blob's checksum (damage, not tampering), fed a piece
 * at a time from FNV_START. */
#define FNV_START 1469598103934665603ULL

static unsigned long long fnv_add(unsigned long long h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void blob_checksum(const void *data, size_t len, char out[17])
{
    snprintf(out, 17, "%016llx", fnv_add(FNV_START, data, len));
}

static int study_exists(struct sq_store *s, int64_t study_id, struct tune_error *err)
{
    sqlite3_stmt *st = use(s, ST_STUDY_EXISTS);
    if (sqlite3_bind_int64(st, 1, study_id))
        return sq_err(s, "cannot look up a study", err);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TUNE_OK;
    if (rc == SQLITE_DONE)
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld", s->path,
                              (long long)study_id);
    return sq_err(s, "cannot look up a study", err);
}

/* The next at most BLOB_CHUNK bytes of src into chunk (*n of them; fewer
 * only at the end, *end then set). */
static int fill_chunk(const struct tune_blob_source *src, char *chunk, size_t *n, int *end,
                      struct tune_error *err)
{
    *n = 0;
    while (*n < BLOB_CHUNK && !*end) {
        size_t got = 0;
        int rc = src->read(src->arg, chunk + *n, BLOB_CHUNK - *n, &got, err);
        if (rc)
            return rc;
        if (got > BLOB_CHUNK - *n)
            return tune_error_set(err, TUNE_EINVAL, "a blob source gave %zu bytes for %zu",
                                  got, BLOB_CHUNK - *n);
        *end = got == 0;
        *n += got;
    }
    return TUNE_OK;
}

/* Save blob `name` from src, a chunk at a time, in one transaction: the
 * head first (the chunks refer to it), its length, count and checksum set
 * once the last chunk is in. */
static int blob_save_from(struct sq_store *s, int64_t study_id, const char *name,
                          const struct tune_blob_source *src, struct tune_error *err)
{
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study blob needs a name", s->path);
    char *chunk = malloc(BLOB_CHUNK);
    if (!chunk)
        return sq_oom(s, err);
    int rc = src->rewind(src->arg, err);
    if (rc || (rc = tx_begin(s, 1, err))) {
        free(chunk);
        return rc;
    }
    if ((rc = study_exists(s, study_id, err)))
        goto fail;
    sqlite3_stmt *st = use(s, ST_BLOB_DELETE);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, name)) {
        rc = sq_err(s, "cannot save a study blob", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot save a study blob", err)))
        goto fail;
    st = use(s, ST_BLOB_HEAD_INSERT);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, name) ||
        sqlite3_bind_int64(st, 3, 0) || sqlite3_bind_int64(st, 4, 0) || bind_text(st, 5, "")) {
        rc = sq_err(s, "cannot save a study blob", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot save a study blob", err)))
        goto fail;
    unsigned long long h = FNV_START;
    sqlite3_int64 len = 0, chunks = 0;
    for (int end = 0; !end; chunks++) {
        size_t n;
        if ((rc = fill_chunk(src, chunk, &n, &end, err)))
            goto fail;
        if (n == 0)
            break;
        h = fnv_add(h, chunk, n);
        len += (sqlite3_int64)n;
        st = use(s, ST_BLOB_CHUNK_INSERT);
        /* SQLITE_STATIC: SQLite reads the chunk buffer, no copy */
        if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, name) ||
            sqlite3_bind_int64(st, 3, chunks) ||
            sqlite3_bind_blob64(st, 4, chunk, n, SQLITE_STATIC)) {
            rc = sq_err(s, "cannot save a study blob", err);
            goto fail;
        }
        if ((rc = step_done(s, st, "cannot save a study blob", err)))
            goto fail;
    }
    char sum[17];
    snprintf(sum, sizeof sum, "%016llx", h);
    st = use(s, ST_BLOB_HEAD_SET);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, name) ||
        sqlite3_bind_int64(st, 3, len) || sqlite3_bind_int64(st, 4, chunks) ||
        bind_text(st, 5, sum)) {
        rc = sq_err(s, "cannot save a study blob", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot save a study blob", err)) || (rc = tx_commit(s, err)))
        goto fail;
    free(chunk);
    return TUNE_OK;
fail:
    tx_rollback(s);
    free(chunk);
    return rc;
}

/* A caller's buffer as a blob source. */
struct mem_source {
    const char *data;
    size_t len, at;
};

static int mem_read(void *arg, void *buf, size_t cap, size_t *got, struct tune_error *err)
{
    (void)err;
    struct mem_source *m = arg;
    *got = m->len - m->at < cap ? m->len - m->at : cap;
    if (*got)
        memcpy(buf, m->data + m->at, *got);
    m->at += *got;
    return TUNE_OK;
}

static int mem_rewind(void *arg, struct tune_error *err)
{
    (void)err;
    ((struct mem_source *)arg)->at = 0;
    return TUNE_OK;
}

static int sq_study_blob_save(struct tune_store *base, int64_t study_id, const char *name,
                              const void *data, size_t len, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study blob needs a name", s->path);
    if (len && !data)
        return tune_error_set(err, TUNE_EINVAL, "%s: study blob '%s' has no data", s->path, name);
    struct mem_source m = {data, len, 0};
    struct tune_blob_source src = {mem_read, mem_rewind, &m};
    return blob_save_from(s, study_id, name, &src, err);
}

static int sq_study_blob_save_from(struct tune_store *base, int64_t study_id, const char *name,
                                   const struct tune_blob_source *src, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    if (!src || !src->read || !src->rewind)
        return tune_error_set(err, TUNE_EINVAL, "%s: study blob '%s' has no source", s->path,
                              name ? name : "");
    return blob_save_from(s, study_id, name, src, err);
}

static int sq_study_blob_load(struct tune_store *base, int64_t study_id, const char *name,
                              void **data, size_t *len, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    char *buf = NULL;
    *data = NULL;
    *len = 0;
    if (!name)
        return tune_error_set(err, TUNE_EINVAL, "%s: no study blob name given", s->path);
    int rc = tx_begin(s, 0, err); /* one snapshot: no half-replaced blob */
    if (rc)
        return rc;
    sqlite3_stmt *st = use(s, ST_BLOB_HEAD);
    if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, name)) {
        rc = sq_err(s, "cannot load a study blob", err);
        goto fail;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? tune_error_set(err, TUNE_ENOTFOUND,
                                                "%s: study %lld has no blob '%s'", s->path,
                                                (long long)study_id, name)
                               : sq_err(s, "cannot load a study blob", err);
        goto fail;
    }
    sqlite3_int64 total = sqlite3_column_int64(st, 0), chunks = sqlite3_column_int64(st, 1);
    char want[17] = "", got[17];
    const unsigned char *sum = sqlite3_column_text(st, 2);
    snprintf(want, sizeof want, "%s", sum ? (const char *)sum : "");
    sqlite3_reset(st);
    if (total < 0 || (uint64_t)total >= SIZE_MAX || !(buf = malloc((size_t)total + 1))) {
        rc = sq_oom(s, err);
        goto fail;
    }
    size_t at = 0;
    for (sqlite3_int64 c = 0; c < chunks; c++) {
        st = use(s, ST_BLOB_CHUNK);
        if (sqlite3_bind_int64(st, 1, study_id) || bind_text(st, 2, name) ||
            sqlite3_bind_int64(st, 3, c) || sqlite3_step(st) != SQLITE_ROW) {
            rc = tune_error_set(err, TUNE_ESTORE, "%s: study blob '%s' is damaged (chunk %lld "
                                                  "missing)",
                                s->path, name, (long long)c);
            goto fail;
        }
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (at + n > (size_t)total) {
            rc = tune_error_set(err, TUNE_ESTORE, "%s: study blob '%s' is damaged (too long)",
                                s->path, name);
            goto fail;
        }
        if (n)
            memcpy(buf + at, sqlite3_column_blob(st, 0), n);
        at += n;
        sqlite3_reset(st);
    }
    buf[at] = '\0';
    blob_checksum(buf, at, got);
    if (at != (size_t)total || strcmp(got, want) != 0) {
        rc = tune_error_set(err, TUNE_ESTORE,
                            "%s: study blob '%s' is damaged (checksum or length differs)",
                            s->path, name);
        goto fail;
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    *data = buf;
    *len = at;
    return TUNE_OK;
fail:
    tx_rollback(s);
    free(buf);
    return rc;
}

/* Every row of a one- or two-column text query, bound to (study_id[, number]). */
static int list_texts(struct sq_store *s, enum stmt_id id, int64_t study_id, int number,
                      char ***first, char ***second, size_t *n, struct tune_error *err)
{
    size_t len = 0, cap = 0;
    char **a = NULL, **b = NULL;
    int rc;
    *first = NULL;
    if (second)
        *second = NULL;
    *n = 0;
    sqlite3_stmt *st = use(s, id);
    if (sqlite3_bind_int64(st, 1, study_id) ||
        (id == ST_ARTIFACT_LIST && sqlite3_bind_int(st, 2, number)))
        return sq_err(s, "cannot list names", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            char **na = realloc(a, ncap * sizeof *na), **nb = NULL;
            if (na)
                a = na;
            if (!na || (second && !(nb = realloc(b, ncap * sizeof *nb))))
                goto oom;
            if (second)
                b = nb;
            cap = ncap;
        }
        a[len] = NULL;
        if (second)
            b[len] = NULL;
        len++;
        if (col_strdup(st, 0, &a[len - 1]) || (second && col_strdup(st, 1, &b[len - 1])))
            goto oom;
    }
    if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot list names", err);
        sqlite3_reset(st);
        tune_names_free(a, len);
        tune_names_free(b, second ? len : 0);
        return rc;
    }
    sqlite3_reset(st);
    *first = a;
    if (second)
        *second = b;
    *n = len;
    return TUNE_OK;
oom:
    sqlite3_reset(st);
    tune_names_free(a, len);
    tune_names_free(b, second ? len : 0);
    return sq_oom(s, err);
}

static int sq_study_blob_list(struct tune_store *base, int64_t study_id, char ***names,
                              size_t *n, struct tune_error *err)
{
    return list_texts(sq(base), ST_BLOB_LIST, study_id, 0, names, NULL, n, err);
}

static int sq_study_attr_list(struct tune_store *base, int64_t study_id, char ***keys,
                              char ***values, size_t *n, struct tune_error *err)
{
    return list_texts(sq(base), ST_ATTR_LIST, study_id, 0, keys, values, n, err);
}

static int sq_artifact_list(struct tune_store *base, int64_t study_id, int number,
                            char ***names, size_t *n, struct tune_error *err)
{
    return list_texts(sq(base), ST_ARTIFACT_LIST, study_id, number, names, NULL, n, err);
}

static int sq_study_import(struct tune_store *base, const struct tune_study_info *info,
                           int64_t *id, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct tune_study_info old = {0};
    int found;
    if (!info || !info->name || !*info->name || !info->config_json || !info->metric)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study needs a name, a config and a metric",
                              s->path);
    int rc = tx_begin(s, 1, err);
    if (rc)
        return rc;
    if ((rc = find_study(s, info->name, &old, &found, err)))
        goto fail;
    if (found) {
        tune_study_info_release(&old);
        rc = tune_error_set(err, TUNE_ECONFLICT, "study '%s' already exists in %s", info->name,
                            s->path);
        goto fail;
    }
    sqlite3_stmt *st = use(s, ST_STUDY_IMPORT);
    if (bind_text(st, 1, info->name) || bind_text(st, 2, info->config_json) ||
        bind_text(st, 3, info->metric) || sqlite3_bind_int(st, 4, info->maximize != 0) ||
        bind_real(st, 5, info->created)) {
        rc = sq_err(s, "cannot create a study", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot create a study", err)))
        goto fail;
    *id = sqlite3_last_insert_rowid(s->db);
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int sq_trial_import(struct tune_store *base, int64_t study_id, const struct tune_trial *t,
                           const struct tune_intermediate *intermediate, size_t n_intermediate,
                           struct tune_error *err)
{
    struct sq_store *s = sq(base);
    struct trial_row row;
    cJSON *root = NULL;
    struct text_buf text = {0};
    if (!t || (n_intermediate && !intermediate))
        return tune_error_set(err, TUNE_EINVAL, "%s: no trial given", s->path);
    if (t->params_json) {
        int prc = parse_params(s, t->number, t->params_json, &root, err);
        if (prc)
            return prc;
    }
    int rc = tx_begin(s, 1, err);
    if (rc) {
        cJSON_Delete(root);
        return rc;
    }
    if ((rc = study_exists(s, study_id, err)))
        goto fail;
    rc = find_trial(s, study_id, t->number, &row, err);
    if (rc == TUNE_OK) {
        rc = tune_error_set(err, TUNE_ECONFLICT, "%s: study %lld already has a trial %d",
                            s->path, (long long)study_id, t->number);
        goto fail;
    }
    if (rc != TUNE_ENOTFOUND)
        goto fail;
    int search = t->origin == TUNE_ORIGIN_SEARCH;
    sqlite3_int64 stamp;
    if ((rc = bump(s, study_id, &stamp, err)) ||
        (search && !t->lost && (rc = budget_add(s, study_id, 1, err))))
        goto fail;
    sqlite3_stmt *st = use(s, ST_GONE_DELETE);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int64(st, 2, t->number)) {
        rc = sq_err(s, "cannot import a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot import a trial", err)))
        goto fail;
    st = use(s, ST_TRIAL_IMPORT);
    double heartbeat = isnan(t->t_end) ? t->t_start : t->t_end;
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, t->number) ||
        sqlite3_bind_int(st, 3, t->seq) || bind_text(st, 4, search ? "SEARCH" : "MANUAL") ||
        bind_text(st, 5, tune_trial_state_name(t->state)) || bind_text(st, 6, t->params_json) ||
        bind_real(st, 7, t->value) || bind_real(st, 8, t->value_std) ||
        bind_real(st, 9, t->t_start) || bind_real(st, 10, t->t_end) ||
        bind_real(st, 11, heartbeat) || bind_real(st, 12, t->fit_seconds) ||
        bind_real(st, 13, t->predict_seconds) || bind_text(st, 14, t->error) ||
        sqlite3_bind_int(st, 15, t->lost != 0) || bind_text(st, 16, t->worker) ||
        sqlite3_bind_int64(st, 17, stamp) ||
        (t->state == TUNE_TRIAL_PRUNED && t->pruned_at >= 0
             ? sqlite3_bind_int64(st, 18, (sqlite3_int64)t->pruned_at)
             : sqlite3_bind_null(st, 18)) ||
        bind_real(st, 19, t->violation > 0 ? t->violation : NAN)) {
        rc = sq_err(s, "cannot import a trial", err);
        goto fail;
    }
    if ((rc = step_done(s, st, "cannot import a trial", err)))
        goto fail;
    sqlite3_int64 trial_id = sqlite3_last_insert_rowid(s->db);
    for (const cJSON *item = root ? root->child : NULL; item; item = item->next) {
        text.len = 0;
        if (put_json(&text, item)) {
            rc = sq_oom(s, err);
            goto fail;
        }
        st = use(s, ST_PARAM_INSERT);
        if (sqlite3_bind_int64(st, 1, trial_id) || bind_text(st, 2, item->string) ||
            bind_text(st, 3, text.p)) {
            rc = sq_err(s, "cannot import a trial", err);
            goto fail;
        }
        if ((rc = step_done(s, st, "cannot import a trial", err)))
            goto fail;
    }
    if ((rc = insert_metrics(s, trial_id, t->metrics, t->n_metrics, err)) ||
        (n_intermediate &&
         (rc = insert_intermediate(s, trial_id, intermediate, n_intermediate, err))) ||
        (rc = tx_commit(s, err)))
        goto fail;
    free(text.p);
    cJSON_Delete(root);
    return TUNE_OK;
fail:
    tx_rollback(s);
    free(text.p);
    cJSON_Delete(root);
    return rc;
}

/* ---- what pruners read (version 4) ------------------------------------------- */

static int sq_trial_values_at(struct tune_store *base, int64_t study_id, int fold, size_t step,
                              struct tune_step_value **out, size_t *n, struct tune_error *err)
{
    struct sq_store *s = sq(base);
    size_t len = 0, cap = 16;
    struct tune_step_value *v = malloc(cap * sizeof *v);
    *out = NULL;
    *n = 0;
    if (!v)
        return sq_oom(s, err);
    sqlite3_stmt *st = use(s, ST_VALUES_AT);
    if (sqlite3_bind_int64(st, 1, study_id) || sqlite3_bind_int(st, 2, fold) ||
        sqlite3_bind_int64(st, 3, step > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)step)) {
        free(v);
        return sq_err(s, "cannot read intermediate values", err);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            struct tune_step_value *bigger = realloc(v, 2 * cap * sizeof *v);
            if (!bigger) {
                sqlite3_reset(st);
                free(v);
                return sq_oom(s, err);
            }
            v = bigger;
            cap *= 2;
        }
        int state = tune_trial_state_parse((const char *)sqlite3_column_text(st, 2));
        v[len].number = sqlite3_column_int(st, 0);
        v[len].seq = sqlite3_column_int(st, 1);
        v[len].state = state < 0 ? TUNE_TRIAL_FAILED : (enum tune_trial_state)state;
        v[len].lost = sqlite3_column_int(st, 3) != 0;
        v[len].step = (size_t)sqlite3_column_int64(st, 4);
        v[len].value = col_real(st, 5);
        len++;
    }
    if (rc != SQLITE_DONE) {
        rc = sq_err(s, "cannot read intermediate values", err);
        sqlite3_reset(st);
        free(v);
        return rc;
    }
    sqlite3_reset(st);
    *out = v;
    *n = len;
    return TUNE_OK;
}

const struct tune_store_type tune_store_sqlite = {
    .version = 7,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .study_create_or_load = sq_study_create_or_load,
    .study_find = sq_study_find,
    .study_list = sq_study_list,
    .trial_claim = sq_trial_claim,
    .trial_set_params = sq_trial_set_params,
    .trial_abandon = sq_trial_abandon,
    .trial_finish = sq_trial_finish,
    .trial_list = sq_trial_list,
    .trial_recover_stale = sq_trial_recover_stale,
    .artifact_save = sq_artifact_save,
    .artifact_load = sq_artifact_load,
    .trial_add_intermediate = sq_trial_add_intermediate,
    .trial_list_intermediate = sq_trial_list_intermediate,
    .trial_heartbeat = sq_trial_heartbeat,
    .study_set_attr = sq_study_set_attr,
    .study_get_attr = sq_study_get_attr,
    .trial_changes = sq_trial_changes,
    .trial_release = sq_trial_release,
    .trial_get = sq_trial_get,
    .trial_best = sq_trial_best,
    .trial_page = sq_trial_page,
    .study_progress = sq_study_progress,
    .study_blob_save = sq_study_blob_save,
    .study_blob_load = sq_study_blob_load,
    .study_blob_list = sq_study_blob_list,
    .study_attr_list = sq_study_attr_list,
    .artifact_list = sq_artifact_list,
    .study_import = sq_study_import,
    .trial_import = sq_trial_import,
    .trial_values_at = sq_trial_values_at,
    .study_blob_save_from = sq_study_blob_save_from,
    .trial_claim_point = sq_trial_claim_point,
};
