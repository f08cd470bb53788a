/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stores/postgres.c — the PostgreSQL store (exports tune_store_postgres):
 * many machines on one study.  Same contract as stores/sqlite.c, method by
 * method (include/tunefold/store.h); the conformance suite
 * (tests/test_store.c) runs the same tests against both.
 *
 * Connecting.  The URL ("postgresql://user@host:port/db", "postgres://...")
 * goes to libpq as it is, so every libpq URL parameter works (sslmode,
 * options=-csearch_path%3Dschema to keep a study in its own schema ...).  A
 * password in the URL is refused: it would end up in shell history, process
 * lists and the study's attributes.  libpq reads it from ~/.pgpass or
 * PGPASSWORD instead; the store never sees, keeps or prints it, so the URL
 * can name the database in every message.
 *
 * Transactions and order.  Every change of a study's trials (claim, params,
 * finish, release, recovery, abandon) starts with
 *     UPDATE studies SET changes = changes + 1 WHERE id = $1 RETURNING ...
 * at READ COMMITTED.  That row lock is held to COMMIT, so the changes of one
 * study are serialised, and the stamp each takes is handed out in commit
 * order: a transaction that got stamp k commits before anyone can take k+1
 * (a rolled-back one gives its stamp back).  Every statement after the lock
 * takes a fresh snapshot (READ COMMITTED), which includes whatever the
 * previous holder committed, so read-check-write sequences (the budget, "is
 * it RUNNING?", the next number) are as safe as SQLite's BEGIN IMMEDIATE.  A
 * reader sees a stamp and the rows it covers in one snapshot (one statement
 * for trial_changes; REPEATABLE READ for pages), so a reader that saw stamp
 * k has seen every change up to k.  Heartbeats and intermediate values
 * touch one trial row and take no study lock; a concurrent recovery waits on
 * that row and re-checks the heartbeat (READ COMMITTED's re-evaluation of
 * the updated row), so a heartbeat that landed first is respected.
 *
 * Claims: row lock, not SKIP LOCKED, not serializable retries.  SKIP LOCKED
 * serves queues of rows made in advance; a claim here makes a new row whose
 * number and seq depend on every earlier claim, and the change stamp needs
 * one serialisation point per study anyway.  Serializable isolation would
 * abort and retry claims that collide on that same point (the counter row)
 * instead of letting them queue, doing the same work several times;
 * bench/bench_store_pg.sh measures the lock's cost (a claim holds it for
 * four round trips, well under a millisecond on one machine).  Transactions
 * that fail with a serialization failure or deadlock are retried anyway.
 *
 * Time is the server's: t_start, t_end, heartbeats and the staleness test
 * all use now() in SQL, so a worker whose clock is off by minutes cannot
 * make healthy trials look stale.  Nothing is marked stale during the first
 * max_age seconds after the server started: workers cut off by a restart
 * get the whole stale window to reconnect and stamp their trials again.
 *
 * Losing the connection (server restart, network drop).  Each method is one
 * transaction function, run by run_tx(): when the connection is lost (or the
 * server says it is shutting down) the transaction is re-run on a new
 * connection, reconnecting with exponential backoff (50 ms doubling to 5 s,
 * jittered) for up to TUNEFOLD_PG_RETRY_SECONDS (default 60 s) in all.  A
 * COMMIT whose answer was lost may or may not have landed, so every
 * transaction is written to be safe to run twice (s->replay tells it that a
 * previous attempt may have committed):
 *   - finish: a trial already finished with the identical result is the
 *     earlier attempt's commit: success, written once;
 *   - release: already released with the same reason: success;
 *   - abandon: the number gone, or taken by another worker: success, and a
 *     claim of another worker is never deleted (the row must be ours);
 *   - params, intermediate values, artifacts, attributes, heartbeats,
 *     recovery: idempotent writes;
 *   - a claim whose commit was lost may leave one RUNNING trial nobody
 *     works on: it goes stale and is recovered like a dead worker's, and
 *     its seq is retried, so nothing is lost or run twice as COMPLETE.
 *
 * Doubles travel as text with 17 significant digits and come back in
 * PostgreSQL's shortest exact form, so they round-trip bit for bit; NaN is
 * stored as NULL like in SQLite (PostgreSQL would sort a stored NaN above
 * every number, breaking best-by-index).  Text must be UTF-8 in a UTF-8
 * database: bytes that are not valid UTF-8 (an external program's error
 * output) are stored as '?' rather than refusing the result.
 *
 * Schema versions: meta('schema_version'), migrated step by step in
 * ensure_schema() under an advisory lock; a newer version is refused; a
 * schema (search_path's first) that has tables but no tunefold meta belongs
 * to someone else and is refused, never added to.  Tables live in the
 * current schema, with the same names and columns as the SQLite store's. */
#include "tunefold/store.h"
#include "tunefold/text.h"

#include <cJSON.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA_VERSION 3
/* the error code run_tx() retries on: never returned to callers */
#define PG_AGAIN (-1)
#define NOW_SQL "EXTRACT(EPOCH FROM now())::float8"

enum stmt_id {
    ST_STUDY_FIND,
    ST_STUDY_INSERT,
    ST_STUDY_LIST,
    ST_BUMP,
    ST_CLAIM,
    ST_TRIAL_FIND,
    ST_SET_PARAMS,
    ST_PARAMS_DELETE,
    ST_PARAMS_INSERT,
    ST_TRIAL_DELETE,
    ST_GONE_INSERT,
    ST_BUDGET_ADD,
    ST_FINISH,
    ST_FINISH_ROWS,
    ST_STALE_COUNT,
    ST_RECOVER,
    ST_RELEASE,
    ST_ARTIFACT_SAVE,
    ST_ARTIFACT_LOAD,
    ST_INTERMEDIATE_INSERT,
    ST_INTERMEDIATE_LIST,
    ST_HEARTBEAT,
    ST_ATTR_SET,
    ST_ATTR_GET,
    ST_CHANGES,
    ST_TRIAL_PAGE,
    ST_METRIC_PAGE,
    ST_BEST_MAX,
    ST_BEST_MIN,
    ST_PROGRESS,
    ST_STUDY_MAXIMIZE,
    ST_STUDY_EXISTS,
    ST_BLOB_DELETE,
    ST_BLOB_HEAD_INSERT,
    ST_BLOB_CHUNK_INSERT,
    ST_BLOB_HEAD_SET,
    ST_BLOB_HEAD,
    ST_BLOB_CHUNK,
    ST_BLOB_LIST,
    ST_ATTR_LIST,
    ST_ARTIFACT_LIST,
    ST_TRIAL_IMPORT,
    ST_VALUES_AT,
    ST_COUNT
};

/* Recovery's test, shared by the count and the update: heartbeat older than
 * $2 seconds by the server's clock, and the server up for at least $2. */
#define STALE_SQL                                                                        \
    " study_id = $1 AND state = 'RUNNING' AND heartbeat <= " NOW_SQL " - $2::float8"     \
    " AND EXTRACT(EPOCH FROM now() - pg_postmaster_start_time())::float8 >= $2::float8"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_STUDY_FIND] = "SELECT id, name, config_json, metric, maximize::int, created"
                      " FROM studies WHERE name = $1",
    [ST_STUDY_INSERT] = "INSERT INTO studies(name, config_json, metric, maximize, created)"
                        " VALUES ($1, $2, $3, $4::int <> 0, COALESCE($5::float8, " NOW_SQL "))"
                        " ON CONFLICT (name) DO NOTHING RETURNING id, created",
    [ST_STUDY_LIST] = "SELECT id, name, config_json, metric, maximize::int, created"
                      " FROM studies ORDER BY id",
    /* The study's next change stamp and its row lock (see the header);
     * $2 moves the budget count (studies.n_search, the search trials that
     * are not lost) in the same write; the count before it comes back. */
    [ST_BUMP] = "UPDATE studies SET changes = changes + 1, n_search = n_search + $2::int"
                " WHERE id = $1 RETURNING changes, n_search - $2::int",
    /* The next number; the next seq retries the smallest seq whose every
     * trial was lost, else continues (manual trials have seq -1, below any
     * search seq, so MAX over all trials is MAX over search trials). */
    [ST_CLAIM] = "WITH n AS (SELECT"
                 "  (SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = $1) AS number,"
                 "  CASE WHEN $3::text = 'SEARCH' THEN COALESCE("
                 "    (SELECT MIN(t.seq) FROM trials t WHERE t.study_id = $1 AND t.lost"
                 "       AND t.origin = 'SEARCH' AND NOT EXISTS (SELECT 1 FROM trials u"
                 "         WHERE u.study_id = $1 AND u.seq = t.seq AND u.origin = 'SEARCH'"
                 "           AND NOT u.lost)),"
                 "    (SELECT COALESCE(MAX(seq), -1) + 1 FROM trials WHERE study_id = $1))"
                 "  ELSE -1 END AS seq),"
                 " g AS (DELETE FROM trial_gone WHERE study_id = $1"
                 "       AND number = (SELECT number FROM n))"
                 " INSERT INTO trials(study_id, number, seq, origin, state, t_start, heartbeat,"
                 "   worker, changed)"
                 " SELECT $1::bigint, n.number, n.seq, $3::text, 'RUNNING', " NOW_SQL ", " NOW_SQL ","
                 "   $4::text, $2::bigint"
                 " FROM n RETURNING number, seq, id",
    [ST_TRIAL_FIND] = "SELECT id, state, lost::int, origin, worker FROM trials"
                      " WHERE study_id = $1 AND number = $2",
    [ST_SET_PARAMS] = "UPDATE trials SET params_json = $2, heartbeat = " NOW_SQL ","
                      " changed = $3 WHERE id = $1",
    [ST_PARAMS_DELETE] = "DELETE FROM trial_params WHERE trial_id = $1",
    [ST_PARAMS_INSERT] = "INSERT INTO trial_params(trial_id, name, value_json)"
                         " SELECT $1::bigint, u.* FROM unnest($2::text[], $3::text[]) AS u",
    [ST_TRIAL_DELETE] = "DELETE FROM trials WHERE id = $1",
    [ST_GONE_INSERT] = "INSERT INTO trial_gone(study_id, number, changed) VALUES ($1, $2, $3)"
                       " ON CONFLICT (study_id, number) DO UPDATE SET changed = excluded.changed",
    [ST_BUDGET_ADD] = "UPDATE studies SET n_search = n_search + $2::int WHERE id = $1",
    [ST_FINISH] = "UPDATE trials SET state = $3, value = $4, value_std = $5, t_end = " NOW_SQL ","
                  " heartbeat = " NOW_SQL ", fit_seconds = $6, predict_seconds = $7, error = $8,"
                  " changed = $9, pruned_at = $10::bigint, violation = $11"
                  " WHERE study_id = $1 AND number = $2 AND state = 'RUNNING' RETURNING id",
    /* Metrics, their folds and intermediate values in one statement (the
     * folds' foreign key is checked at its end, after both inserts). */
    [ST_FINISH_ROWS] =
        "WITH m AS (INSERT INTO trial_metrics(trial_id, name, mean, std)"
        "   SELECT $1::bigint, u.* FROM unnest($2::text[], $3::float8[], $4::float8[]) AS u),"
        " f AS (INSERT INTO trial_metric_folds(trial_id, name, fold, value)"
        "   SELECT $1::bigint, u.* FROM unnest($5::text[], $6::int[], $7::float8[]) AS u)"
        " INSERT INTO trial_intermediate(trial_id, fold, step, value)"
        " SELECT $1::bigint, u.* FROM unnest($8::int[], $9::bigint[], $10::float8[]) AS u"
        " ON CONFLICT (trial_id, fold, step) DO UPDATE SET value = excluded.value",
    [ST_STALE_COUNT] = "SELECT COUNT(*) FROM trials WHERE" STALE_SQL,
    /* ($3: the change stamp) the lost search trials leave the budget count */
    [ST_RECOVER] = "WITH r AS (UPDATE trials SET state = 'FAILED', error = 'worker lost',"
                   "   lost = true, t_end = " NOW_SQL ", changed = $3 WHERE" STALE_SQL
                   "   RETURNING origin)"
                   " UPDATE studies SET n_search = n_search"
                   "   - (SELECT COUNT(*) FROM r WHERE origin = 'SEARCH')"
                   " WHERE id = $1 RETURNING (SELECT COUNT(*) FROM r)",
    [ST_RELEASE] = "UPDATE trials SET state = 'FAILED', error = $2, lost = true,"
                   " t_end = " NOW_SQL ", changed = $3 WHERE id = $1 AND state = 'RUNNING'",
    [ST_ARTIFACT_SAVE] = "INSERT INTO artifacts(trial_id, name, data) VALUES ($1, $2, $3)"
                         " ON CONFLICT (trial_id, name) DO UPDATE SET data = excluded.data",
    [ST_ARTIFACT_LOAD] = "SELECT a.data FROM artifacts a JOIN trials t ON t.id = a.trial_id"
                         " WHERE t.study_id = $1 AND t.number = $2 AND a.name = $3",
    /* One statement: stamp the heartbeat of the RUNNING trial and add its
     * values; no row back means it is not RUNNING (or not there). */
    [ST_INTERMEDIATE_INSERT] =
        "WITH t AS (UPDATE trials SET heartbeat = " NOW_SQL
        "   WHERE study_id = $1 AND number = $2 AND state = 'RUNNING' RETURNING id),"
        " i AS (INSERT INTO trial_intermediate(trial_id, fold, step, value)"
        "   SELECT t.id, u.* FROM t, unnest($3::int[], $4::bigint[], $5::float8[]) AS u"
        "   ON CONFLICT (trial_id, fold, step) DO UPDATE SET value = excluded.value)"
        " SELECT id FROM t",
    [ST_INTERMEDIATE_LIST] = "SELECT i.fold, i.step, i.value FROM trial_intermediate i"
                             " JOIN trials t ON t.id = i.trial_id"
                             " WHERE t.study_id = $1 AND t.number = $2 ORDER BY i.fold, i.step",
    [ST_HEARTBEAT] = "UPDATE trials SET heartbeat = " NOW_SQL
                     " WHERE study_id = $1 AND number = $2 AND state = 'RUNNING'",
    [ST_ATTR_SET] = "INSERT INTO study_attrs(study_id, key, value) VALUES ($1, $2, $3)"
                    " ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value",
    [ST_ATTR_GET] = "SELECT value FROM study_attrs WHERE study_id = $1 AND key = $2",
    /* One statement, one snapshot: the stamp row ('S'), the withdrawn
     * numbers ('G') and the changed trials ('T'), by number. */
    /* One statement, one snapshot: the stamp row (kind 0), the changed
     * trials (1) and the withdrawn numbers (2), each by number. */
    [ST_CHANGES] = "SELECT 0, 0, 0, NULL, NULL, 0, NULL::float8, NULL::float8,"
                   "   NULL::float8, NULL::float8, NULL, NULL, changes, NULL::float8"
                   " FROM studies WHERE id = $1"
                   " UNION ALL SELECT 1, number, seq, origin, state, lost::int, value,"
                   "   value_std, t_start, t_end, params_json, error, 0, violation"
                   " FROM trials WHERE study_id = $1 AND changed > $2"
                   " UNION ALL SELECT 2, number, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL,"
                   "   NULL, NULL, 0, NULL FROM trial_gone WHERE study_id = $1 AND changed > $2"
                   "   AND $2 >= 0"
                   " ORDER BY 1, 2",
    [ST_TRIAL_PAGE] = "SELECT id, number, seq, origin, state, params_json, value, value_std,"
                      " t_start, t_end, fit_seconds, predict_seconds, error, lost::int, worker,"
                      " pruned_at, violation FROM trials WHERE study_id = $1 AND number >= $2"
                      " ORDER BY number LIMIT $3",
    [ST_METRIC_PAGE] = "SELECT t.number, m.name, m.mean, m.std, f.fold, f.value"
                       " FROM trials t JOIN trial_metrics m ON m.trial_id = t.id"
                       " LEFT JOIN trial_metric_folds f"
                       "   ON f.trial_id = m.trial_id AND f.name = m.name"
                       " WHERE t.study_id = $1 AND t.number BETWEEN $2 AND $3"
                       " ORDER BY t.number, m.name COLLATE \"C\", f.fold",
    /* among the trials that kept the constraints (violation NULL) */
    [ST_BEST_MAX] = "SELECT number, value FROM trials WHERE study_id = $1 AND state = 'COMPLETE'"
                    " AND violation IS NULL"
                    " AND value = (SELECT MAX(value) FROM trials WHERE study_id = $1"
                    "              AND state = 'COMPLETE' AND violation IS NULL)"
                    " ORDER BY number LIMIT 1",
    [ST_BEST_MIN] = "SELECT number, value FROM trials WHERE study_id = $1 AND state = 'COMPLETE'"
                    " AND violation IS NULL"
                    " AND value = (SELECT MIN(value) FROM trials WHERE study_id = $1"
                    "              AND state = 'COMPLETE' AND violation IS NULL)"
                    " ORDER BY number LIMIT 1",
    [ST_PROGRESS] =
        "SELECT"
        " COUNT(*) FILTER (WHERE origin = 'SEARCH' AND NOT lost AND state <> 'RUNNING'),"
        " COUNT(*) FILTER (WHERE origin = 'SEARCH' AND NOT lost AND state = 'RUNNING'),"
        " COUNT(*) FILTER (WHERE origin = 'SEARCH' AND NOT lost AND state = 'COMPLETE'),"
        " COUNT(*) FILTER (WHERE origin = 'SEARCH' AND NOT lost AND state = 'FAILED'),"
        " COUNT(*) FILTER (WHERE origin = 'SEARCH' AND NOT lost AND state = 'PRUNED'),"
        " COUNT(*) FILTER (WHERE origin = 'SEARCH' AND lost),"
        " MIN(value) FILTER (WHERE state = 'COMPLETE'),"
        " MAX(value) FILTER (WHERE state = 'COMPLETE')"
        " FROM trials WHERE study_id = $1",
    [ST_STUDY_MAXIMIZE] = "SELECT maximize::int, name FROM studies WHERE id = $1",
    [ST_STUDY_EXISTS] = "SELECT 1 FROM studies WHERE id = $1",
    [ST_BLOB_DELETE] = "DELETE FROM study_blobs WHERE study_id = $1 AND name = $2",
    [ST_BLOB_HEAD_INSERT] = "INSERT INTO study_blobs(study_id, name, len, chunks, checksum)"
                            " VALUES ($1, $2, $3, $4, $5)",
    [ST_BLOB_CHUNK_INSERT] = "INSERT INTO study_blob_chunks(study_id, name, chunk, data)"
                             " VALUES ($1, $2, $3, $4)",
    [ST_BLOB_HEAD_SET] = "UPDATE study_blobs SET len = $3, chunks = $4, checksum = $5"
                         " WHERE study_id = $1 AND name = $2",
    [ST_BLOB_HEAD] = "SELECT len, chunks, checksum FROM study_blobs"
                     " WHERE study_id = $1 AND name = $2",
    [ST_BLOB_CHUNK] = "SELECT data FROM study_blob_chunks"
                      " WHERE study_id = $1 AND name = $2 AND chunk = $3",
    [ST_BLOB_LIST] = "SELECT name, NULL FROM study_blobs WHERE study_id = $1"
                     " ORDER BY name COLLATE \"C\"",
    [ST_ATTR_LIST] = "SELECT key, value FROM study_attrs WHERE study_id = $1"
                     " ORDER BY key COLLATE \"C\"",
    [ST_ARTIFACT_LIST] = "SELECT a.name, NULL FROM artifacts a JOIN trials t ON t.id = a.trial_id"
                         " WHERE t.study_id = $1 AND t.number = $2::int"
                         " ORDER BY a.name COLLATE \"C\"",
    [ST_TRIAL_IMPORT] = "WITH g AS (DELETE FROM trial_gone WHERE study_id = $1 AND number = $2)"
                        " INSERT INTO trials(study_id, number, seq, origin, state, params_json,"
                        " value, value_std, t_start, t_end, heartbeat, fit_seconds,"
                        " predict_seconds, error, lost, worker, changed, pruned_at, violation)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
                        " $15::int <> 0, $16, $17, $18::bigint, $19) RETURNING id",
    /* Each trial's value at its first step >= $3 in fold $2 (the primary
     * key (trial_id, fold, step) serves both the MIN and the row). */
    [ST_VALUES_AT] = "SELECT t.number, t.seq, t.state, t.lost::int, i.step, i.value"
                     " FROM trials t JOIN trial_intermediate i ON i.trial_id = t.id"
                     " AND i.fold = $2 AND i.step = (SELECT MIN(j.step) FROM"
                     " trial_intermediate j WHERE j.trial_id = t.id AND j.fold = $2"
                     " AND j.step >= $3)"
                     " WHERE t.study_id = $1 ORDER BY t.number",
};

/* Schema version 1.  Child rows cascade from their trial so that
 * trial_abandon removes a claim with everything hung on it.  The indexes
 * are those of the SQLite store's version 2, for the same queries. */
static const char schema_sql[] =
    "CREATE TABLE meta ("
    "  key text PRIMARY KEY,"
    "  value text NOT NULL);"
    "CREATE TABLE studies ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  name text NOT NULL UNIQUE,"
    "  config_json text NOT NULL,"
    "  metric text NOT NULL,"
    "  maximize boolean NOT NULL,"
    "  created float8 NOT NULL,"
    "  changes bigint NOT NULL DEFAULT 0,"
    "  n_search integer NOT NULL DEFAULT 0);"
    "CREATE TABLE trials ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  study_id bigint NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  number integer NOT NULL,"
    "  seq integer NOT NULL,"
    "  origin text NOT NULL CHECK (origin IN ('SEARCH', 'MANUAL')),"
    "  state text NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED', 'PRUNED')),"
    "  params_json text,"
    "  value float8,"
    "  value_std float8,"
    "  t_start float8 NOT NULL,"
    "  t_end float8,"
    "  heartbeat float8 NOT NULL,"
    "  fit_seconds float8,"
    "  predict_seconds float8,"
    "  error text,"
    "  lost boolean NOT NULL DEFAULT false,"
    "  worker text,"
    "  changed bigint NOT NULL DEFAULT 0,"
    "  UNIQUE (study_id, number));"
    "CREATE INDEX trials_by_state ON trials(study_id, state);"
    "CREATE INDEX trials_by_seq ON trials(study_id, seq);"
    "CREATE INDEX trials_changed ON trials(study_id, changed);"
    "CREATE INDEX trials_by_value ON trials(study_id, state, value, number);"
    "CREATE INDEX trials_lost ON trials(study_id, seq) WHERE lost;"
    "CREATE TABLE study_attrs ("
    "  study_id bigint NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  key text NOT NULL,"
    "  value text NOT NULL,"
    "  PRIMARY KEY (study_id, key));"
    "CREATE TABLE trial_params ("
    "  trial_id bigint NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name text NOT NULL,"
    "  value_json text NOT NULL,"
    "  PRIMARY KEY (trial_id, name));"
    "CREATE TABLE trial_metrics ("
    "  trial_id bigint NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name text NOT NULL,"
    "  mean float8,"
    "  std float8,"
    "  PRIMARY KEY (trial_id, name));"
    "CREATE TABLE trial_metric_folds ("
    "  trial_id bigint NOT NULL,"
    "  name text NOT NULL,"
    "  fold integer NOT NULL CHECK (fold >= 0),"
    "  value float8,"
    "  PRIMARY KEY (trial_id, name, fold),"
    "  FOREIGN KEY (trial_id, name) REFERENCES trial_metrics(trial_id, name)"
    "    ON DELETE CASCADE);"
    "CREATE TABLE artifacts ("
    "  trial_id bigint NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  name text NOT NULL,"
    "  data bytea NOT NULL,"
    "  UNIQUE (trial_id, name));"
    "CREATE TABLE trial_intermediate ("
    "  trial_id bigint NOT NULL REFERENCES trials(id) ON DELETE CASCADE,"
    "  fold integer NOT NULL,"
    "  step bigint NOT NULL,"
    "  value float8,"
    "  PRIMARY KEY (trial_id, fold, step));"
    "CREATE TABLE trial_gone ("
    "  study_id bigint NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  number integer NOT NULL,"
    "  changed bigint NOT NULL,"
    "  PRIMARY KEY (study_id, number));"
    /* named study blobs in 1 MiB bytea chunks (see study_blob_save) */
    "CREATE TABLE study_blobs ("
    "  study_id bigint NOT NULL REFERENCES studies(id) ON DELETE CASCADE,"
    "  name text NOT NULL,"
    "  len bigint NOT NULL,"
    "  chunks integer NOT NULL,"
    "  checksum text NOT NULL,"
    "  PRIMARY KEY (study_id, name));"
    "CREATE TABLE study_blob_chunks ("
    "  study_id bigint NOT NULL,"
    "  name text NOT NULL,"
    "  chunk integer NOT NULL,"
    "  data bytea NOT NULL,"
    "  PRIMARY KEY (study_id, name, chunk),"
    "  FOREIGN KEY (study_id, name) REFERENCES study_blobs(study_id, name) ON DELETE CASCADE);"
    "INSERT INTO meta(key, value) VALUES ('schema_version', '1');";

/* Version 2: early stopping (store vtable version 4): trials.pruned_at,
 * where a PRUNED trial was stopped; NULL for every other trial. */
static const char migrate_2_sql[] =
    "ALTER TABLE trials ADD COLUMN pruned_at bigint;"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';";

/* Version 3: constraints (vtable version 5), as the SQLite store's version
 * 5: trials.violation (NULL: the trial kept the study's constraints) and
 * trials_feasible for the best trial among those that kept them. */
static const char migrate_3_sql[] =
    "ALTER TABLE trials ADD COLUMN violation float8;"
    "CREATE INDEX trials_feasible ON trials(study_id, state, violation, value, number);"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';";

/* migrations[v] takes a version-v schema to version v+1 (0: none yet). */
static const char *const migrations[SCHEMA_VERSION + 1] = {[0] = schema_sql,
                                                           [1] = migrate_2_sql,
                                                           [2] = migrate_3_sql};

struct pg_store {
    struct tune_store base; /* first: the generic handle points here */
    PGconn *conn;
    char *url;              /* as given; holds no password (refused at open) */
    char worker[300];       /* "host:pid" of the process that opened it */
    unsigned char prepared[ST_COUNT];
    double retry_seconds;   /* reconnecting gives up after this long */
    int replay;             /* a previous attempt of this transaction may have committed */
    int lost;               /* the last failure lost the connection */
};

static struct pg_store *pg(struct tune_store *s)
{
    return (struct pg_store *)s;
}

static double mono_now(void)
{
    return tune_clock_seconds();
}

static void sleep_seconds(double t)
{
    if (t <= 0)
        return;
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* libpq's messages end in a newline and may span lines: one line for ours. */
static const char *one_line(const char *msg, char *buf, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; msg && msg[i] && j + 1 < size; i++)
        buf[j++] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
    while (j > 0 && buf[j - 1] == ' ')
        j--;
    buf[j] = '\0';
    return buf;
}

static int pg_oom(struct pg_store *s, struct tune_error *err)
{
    return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", s->url);
}

/* ---- parameters ------------------------------------------------------------ */

#define MAX_PARAMS 24

/* The values of one statement.  Text values are borrowed (or owned when a
 * copy had to be made: numbers, cleaned text, array literals). */
struct params {
    int n;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    char *owned[MAX_PARAMS];
    int oom;
};

static void params_free(struct params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->owned[i]);
    memset(p, 0, sizeof *p);
}

/* Room for one more parameter; a statement given too many (a programming
 * error) fails as out of memory rather than writing past the arrays. */
static int p_room(struct params *p)
{
    if (p->n < MAX_PARAMS)
        return 1;
    p->oom = 1;
    return 0;
}

static void p_own(struct params *p, char *text)
{
    if (!p_room(p)) {
        free(text);
        return;
    }
    if (!text)
        p->oom = 1;
    p->owned[p->n] = text;
    p->v[p->n++] = text;
}

static void p_int(struct params *p, long long x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", x);
    p_own(p, strdup(buf));
}

/* NaN is NULL (see the header); every other double with 17 digits. */
static void p_real(struct params *p, double x)
{
    if (isnan(x)) {
        if (p_room(p))
            p->v[p->n++] = NULL;
        return;
    }
    char buf[40];
    if (isinf(x))
        snprintf(buf, sizeof buf, "%s", x > 0 ? "Infinity" : "-Infinity");
    else
        tune_format_double(x, buf, sizeof buf);
    p_own(p, strdup(buf));
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    uint32_t cp = n == 2 ? (uint32_t)(s[0] & 0x1f) : n == 3 ? (uint32_t)(s[0] & 0x0f)
                                                           : (uint32_t)(s[0] & 0x07);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (uint32_t)(s[i] & 0x3f);
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

static int utf8_valid(const char *t)
{
    const unsigned char *s = (const unsigned char *)t;
    while (*s) {
        size_t k = utf8_seq(s);
        if (!k)
            return 0;
        s += k;
    }
    return 1;
}

/* A copy of t with every byte that starts no valid UTF-8 sequence as '?'. */
static char *utf8_clean(const char *t)
{
    char *out = strdup(t);
    if (!out)
        return NULL;
    unsigned char *s = (unsigned char *)out;
    while (*s) {
        size_t k = utf8_seq(s);
        if (!k) {
            *s++ = '?';
            continue;
        }
        s += k;
    }
    return out;
}

static void p_text(struct params *p, const char *t)
{
    if (!t || utf8_valid(t)) {
        if (p_room(p))
            p->v[p->n++] = t;
        return;
    }
    p_own(p, utf8_clean(t));
}

static void p_blob(struct params *p, const void *data, size_t len)
{
    if (!p_room(p))
        return;
    p->v[p->n] = len ? data : "";
    p->len[p->n] = (int)len;
    p->fmt[p->n] = 1;
    p->n++;
}

/* ---- array literals (for unnest) -------------------------------------------- */

struct text_buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void buf_put(struct text_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(struct text_buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void arr_sep(struct text_buf *b)
{
    buf_str(b, b->len == 0 ? "{" : ",");
}

/* An element of a text[] literal: quoted, with \ and " escaped. */
static void arr_text(struct text_buf *b, const char *t)
{
    arr_sep(b);
    char *clean = utf8_valid(t) ? NULL : utf8_clean(t);
    const char *s = clean ? clean : t;
    buf_put(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_put(b, "\\", 1);
        buf_put(b, s, 1);
    }
    buf_put(b, "\"", 1);
    free(clean);
}

static void arr_real(struct text_buf *b, double x)
{
    char num[40];
    arr_sep(b);
    if (isnan(x))
        snprintf(num, sizeof num, "NULL");
    else if (isinf(x))
        snprintf(num, sizeof num, "%s", x > 0 ? "Infinity" : "-Infinity");
    else
        tune_format_double(x, num, sizeof num);
    buf_str(b, num);
}

static void arr_int(struct text_buf *b, long long x)
{
    char num[32];
    arr_sep(b);
    snprintf(num, sizeof num, "%lld", x);
    buf_str(b, num);
}

/* Close the literal and hand it to p (an empty array is "{}"). */
static void p_array(struct params *p, struct text_buf *b)
{
    if (b->len == 0)
        buf_str(b, "{");
    buf_str(b, "}");
    if (b->oom) {
        free(b->p);
        p_own(p, NULL);
    } else {
        p_own(p, b->p);
    }
    memset(b, 0, sizeof *b);
}

/* ---- running statements ------------------------------------------------------ */

/* Did the connection go (or is the server going): worth a reconnect? */
static int conn_lost(struct pg_store *s, const PGresult *r)
{
    if (PQstatus(s->conn) != CONNECTION_OK)
        return 1;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return r == NULL || PQresultStatus(r) == PGRES_FATAL_ERROR;
    return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
           strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* A transaction that should simply run again (no reconnect). */
static int tx_conflict(const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
}

/* Translate a failed result: PG_AGAIN when it is worth another attempt,
 * else TUNE_ESTORE with the server's message. */
static int pg_fail(struct pg_store *s, PGresult *r, const char *what, struct tune_error *err)
{
    char line[400];
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(s->conn);
    if (conn_lost(s, r))
        s->lost = 1;
    int again = s->lost || tx_conflict(r);
    tune_error_set(err, TUNE_ESTORE, "%s: %s: %s", s->url, what, one_line(msg, line, sizeof line));
    PQclear(r);
    return again ? PG_AGAIN : TUNE_ESTORE;
}

/* Run prepared statement `id` with p's values; on success *out holds the
 * result (PQclear it), rows or not.  binary_result: results in binary
 * format (bytea columns). */
static int run(struct pg_store *s, enum stmt_id id, struct params *p, int binary_result,
               PGresult **out, const char *what, struct tune_error *err)
{
    *out = NULL;
    if (p && p->oom) {
        params_free(p);
        return pg_oom(s, err);
    }
    char name[16];
    snprintf(name, sizeof name, "tf%d", (int)id);
    if (!s->prepared[id]) {
        PGresult *r = PQprepare(s->conn, name, stmt_sql[id], 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (p)
                params_free(p);
            return pg_fail(s, r, what, err);
        }
        PQclear(r);
        s->prepared[id] = 1;
    }
    PGresult *r = PQexecPrepared(s->conn, name, p ? p->n : 0, p ? p->v : NULL,
                                 p ? p->len : NULL, p ? p->fmt : NULL, binary_result);
    if (p)
        params_free(p);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pg_fail(s, r, what, err);
    *out = r;
    return TUNE_OK;
}

/* run() for a statement whose rows are not wanted. */
static int run_done(struct pg_store *s, enum stmt_id id, struct params *p, const char *what,
                    struct tune_error *err)
{
    PGresult *r;
    int rc = run(s, id, p, 0, &r, what, err);
    PQclear(r);
    return rc;
}

static int exec_plain(struct pg_store *s, const char *sql, const char *what,
                      struct tune_error *err)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pg_fail(s, r, what, err);
    PQclear(r);
    return TUNE_OK;
}

static int tx_begin(struct pg_store *s, struct tune_error *err)
{
    return exec_plain(s, "BEGIN", "cannot start a transaction", err);
}

/* One snapshot for several reads. */
static int tx_begin_read(struct pg_store *s, struct tune_error *err)
{
    return exec_plain(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                      "cannot start a transaction", err);
}

static int tx_commit(struct pg_store *s, struct tune_error *err)
{
    return exec_plain(s, "COMMIT", "cannot commit", err);
}

/* Undo the open transaction, if there is one and a connection to say it on. */
static void tx_rollback(struct pg_store *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

static long long get_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static double get_real(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NAN : strtod(PQgetvalue(r, row, col), NULL);
}

/* Copy a text column; NULL stays NULL.  -1 only when out of memory. */
static int get_strdup(const PGresult *r, int row, int col, char **out)
{
    *out = NULL;
    if (PQgetisnull(r, row, col))
        return 0;
    *out = strdup(PQgetvalue(r, row, col));
    return *out ? 0 : -1;
}

/* ---- connecting and retrying ----------------------------------------------- */

static int prepare_session(struct pg_store *s, struct tune_error *err);

/* A new connection after a lost one, with backoff until `deadline`
 * (monotonic seconds).  TUNE_OK, or TUNE_ESTORE naming the last failure. */
static int reconnect(struct pg_store *s, double deadline, struct tune_error *err)
{
    double wait = 0.05;
    for (;;) {
        memset(s->prepared, 0, sizeof s->prepared);
        PQreset(s->conn);
        if (PQstatus(s->conn) == CONNECTION_OK) {
            struct tune_error e2 = {0};
            if (prepare_session(s, &e2) == TUNE_OK)
                return TUNE_OK;
        }
        double now = mono_now();
        if (now >= deadline) {
            char line[400];
            return tune_error_set(err, TUNE_ESTORE,
                                  "%s: lost the connection and could not reconnect within %g s: %s",
                                  s->url, s->retry_seconds,
                                  one_line(PQerrorMessage(s->conn), line, sizeof line));
        }
        /* jitter: workers cut off together do not knock together */
        double jitter = 0.5 + (double)((unsigned long)(now * 1e6) % 1000) / 1000.0;
        double t = wait * jitter;
        if (now + t > deadline)
            t = deadline - now;
        sleep_seconds(t);
        wait = wait * 2 > 5.0 ? 5.0 : wait * 2;
    }
}

typedef int (*tx_fn)(struct pg_store *s, void *ctx, struct tune_error *err);

/* Run one transaction function until it succeeds, fails for good, or the
 * connection cannot be had back within retry_seconds.  fn rolls back what
 * it began when it fails; s->replay is set on every attempt after one that
 * lost the connection (its COMMIT may have landed). */
static int run_tx(struct pg_store *s, tx_fn fn, void *ctx, struct tune_error *err)
{
    double deadline = mono_now() + s->retry_seconds;
    int conflicts = 0;
    s->replay = 0;
    for (;;) {
        s->lost = 0;
        int rc = fn(s, ctx, err);
        if (rc != PG_AGAIN) {
            s->replay = 0;
            return rc;
        }
        tx_rollback(s);
        if (!s->lost && PQstatus(s->conn) == CONNECTION_OK && conflicts < 100) {
            /* serialization failure or deadlock: run it again at once */
            conflicts++;
            continue;
        }
        s->replay = 1;
        if (mono_now() >= deadline || (rc = reconnect(s, deadline, err)) != TUNE_OK) {
            s->replay = 0;
            return TUNE_ESTORE;
        }
    }
}

/* ---- open / close ------------------------------------------------------------ */

static void pg_close(struct tune_store *base)
{
    struct pg_store *s = pg(base);
    if (!s)
        return;
    PQfinish(s->conn);
    free(s->url);
    free(s);
}

/* Session settings, on every (re)connection. */
static int prepare_session(struct pg_store *s, struct tune_error *err)
{
    /* Not a worker's transaction that hangs forever on a lock: a claim
     * waits behind others for well under a second, so a minute means
     * something is wrong. */
    return exec_plain(s,
                      "SET client_encoding = 'UTF8'; SET lock_timeout = '60s';"
                      " SET client_min_messages = 'warning'",
                      "cannot set up the session", err);
}

static int query_scalar(struct pg_store *s, const char *sql, char **out, struct tune_error *err)
{
    *out = NULL;
    PGresult *r = PQexec(s->conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_fail(s, r, "cannot read the database", err);
    int rc = TUNE_OK;
    if (PQntuples(r) > 0 && get_strdup(r, 0, 0, out))
        rc = pg_oom(s, err);
    PQclear(r);
    return rc;
}

/* Read the schema version: 0 for an empty schema; refuses another
 * program's tables and a newer tunefold's schema. */
static int schema_version(struct pg_store *s, long *version, struct tune_error *err)
{
    char *n_tables = NULL, *has_meta = NULL, *v = NULL;
    int rc;
    *version = 0;
    if ((rc = query_scalar(s,
                           "SELECT COUNT(*) FROM pg_catalog.pg_tables"
                           " WHERE schemaname = current_schema()",
                           &n_tables, err)) ||
        (rc = query_scalar(s,
                           "SELECT COUNT(*) FROM pg_catalog.pg_tables"
                           " WHERE schemaname = current_schema() AND tablename = 'meta'",
                           &has_meta, err)))
        goto done;
    if (!n_tables || !has_meta) {
        rc = tune_error_set(err, TUNE_EINVAL,
                            "%s: no schema to keep tables in (search_path is empty)", s->url);
        goto done;
    }
    if (strcmp(has_meta, "0") == 0) {
        if (strcmp(n_tables, "0") != 0)
            rc = tune_error_set(err, TUNE_EINVAL,
                                "%s: the database has tables but is not a tunefold store (no "
                                "meta table); use another database or schema",
                                s->url);
        goto done;
    }
    PGresult *r = PQexec(s->conn, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        rc = tune_error_set(err, TUNE_EINVAL,
                            "%s: the database has a meta table but is not a tunefold store; "
                            "use another database or schema",
                            s->url);
        goto done;
    }
    *version = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (*version > SCHEMA_VERSION)
        rc = tune_error_set(err, TUNE_EINVAL,
                            "%s: database schema version %ld is newer than this tunefold "
                            "understands (%d); use a newer tunefold",
                            s->url, *version, SCHEMA_VERSION);
    else if (*version < 1)
        rc = tune_error_set(err, TUNE_EINVAL,
                            "%s: the database's tunefold schema version is unreadable", s->url);
done:
    free(n_tables);
    free(has_meta);
    free(v);
    return rc;
}

/* Create or migrate the schema.  Two processes may do it at once: a
 * transaction-scoped advisory lock serialises them, and the version is read
 * again under it, so the second finds the work done.  DDL is transactional
 * in PostgreSQL, so a step lands whole or not at all. */
static int ensure_schema(struct pg_store *s, struct tune_error *err)
{
    long version;
    int rc = schema_version(s, &version, err);
    if (rc || version == SCHEMA_VERSION)
        return rc;
    for (;;) {
        if ((rc = exec_plain(s, "BEGIN", "cannot create the schema", err)) ||
            (rc = exec_plain(s, "SELECT pg_advisory_xact_lock(7504131651)",
                             "cannot create the schema", err)) ||
            (rc = schema_version(s, &version, err)))
            break;
        if (version >= SCHEMA_VERSION)
            return exec_plain(s, "COMMIT", "cannot create the schema", err);
        if ((rc = exec_plain(s, migrations[version],
                             version == 0 ? "cannot create the schema"
                                          : "cannot upgrade the schema",
                             err)) ||
            (rc = exec_plain(s, "COMMIT", "cannot create the schema", err)))
            break;
    }
    tx_rollback(s);
    return rc == PG_AGAIN ? TUNE_ESTORE : rc;
}

static int pg_open(const char *url, struct tune_store **out, struct tune_error *err)
{
    *out = NULL;
    if (!url || !*url)
        return tune_error_set(err, TUNE_EINVAL, "store URL is empty");
    /* The password never goes through us: refuse one in the URL. */
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    if (!opts) {
        char line[300];
        int rc = perr ? tune_error_set(err, TUNE_EINVAL, "store URL is not a valid PostgreSQL "
                                                         "URL: %s",
                                       one_line(perr, line, sizeof line))
                      : tune_error_set(err, TUNE_ENOMEM, "out of memory");
        PQfreemem(perr);
        return rc;
    }
    int has_password = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            has_password = 1;
    PQconninfoFree(opts);
    if (has_password)
        return tune_error_set(err, TUNE_EINVAL,
                              "the store URL holds a password; put it in ~/.pgpass or "
                              "PGPASSWORD instead, never on the command line or in a study file");

    struct pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", url);
    s->base.type = &tune_store_postgres;
    if (!(s->url = strdup(url))) {
        free(s);
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", url);
    }
    s->retry_seconds = 60;
    const char *env = getenv("TUNEFOLD_PG_RETRY_SECONDS");
    if (env && *env) {
        char *end;
        double v = strtod(env, &end);
        if (*end == '\0' && v >= 0 && v <= 86400)
            s->retry_seconds = v;
    }
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "?");
    snprintf(s->worker, sizeof s->worker, "%s:%ld", host, (long)getpid());

    /* Defaults before the URL, so that the URL's own settings win. */
    const char *keys[] = {"application_name", "connect_timeout", "dbname", NULL};
    const char *vals[] = {"tunefold", "10", url, NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    int rc;
    if (!s->conn) {
        rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", url);
        goto fail;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char line[400];
        rc = tune_error_set(err, TUNE_ESTORE, "%s: cannot connect: %s", url,
                            one_line(PQerrorMessage(s->conn), line, sizeof line));
        goto fail;
    }
    if ((rc = prepare_session(s, err)) || (rc = ensure_schema(s, err))) {
        if (rc == PG_AGAIN)
            rc = TUNE_ESTORE;
        goto fail;
    }
    *out = &s->base;
    return TUNE_OK;
fail:
    pg_close(&s->base);
    return rc;
}

/* ---- studies ----------------------------------------------------------------- */

/* Columns: id, name, config_json, metric, maximize, created. */
static int read_study(const PGresult *r, int row, struct tune_study_info *out)
{
    memset(out, 0, sizeof *out);
    out->id = get_int(r, row, 0);
    out->maximize = get_int(r, row, 4) != 0;
    out->created = get_real(r, row, 5);
    if (get_strdup(r, row, 1, &out->name) || get_strdup(r, row, 2, &out->config_json) ||
        get_strdup(r, row, 3, &out->metric)) {
        tune_study_info_release(out);
        return -1;
    }
    return 0;
}

static int find_study(struct pg_store *s, const char *name, struct tune_study_info *out,
                      int *found, struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    *found = 0;
    p_text(&p, name);
    int rc = run(s, ST_STUDY_FIND, &p, 0, &r, "cannot look up a study", err);
    if (rc)
        return rc;
    if (PQntuples(r) > 0) {
        if (read_study(r, 0, out)) {
            PQclear(r);
            return pg_oom(s, err);
        }
        *found = 1;
    }
    PQclear(r);
    return TUNE_OK;
}

struct study_ctx {
    const char *name, *config_json, *metric;
    int maximize;
    double created;            /* NAN: now */
    int exclusive;             /* an existing study is a conflict whatever its config */
    struct tune_study_info *out;
    int *created_flag;
};

static int study_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct study_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    tune_study_info_release(c->out);
    p_text(&p, c->name);
    p_text(&p, c->config_json);
    p_text(&p, c->metric);
    p_int(&p, c->maximize != 0);
    p_real(&p, c->created);
    int rc = run(s, ST_STUDY_INSERT, &p, 0, &r, "cannot create a study", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        struct tune_study_info *o = c->out;
        o->id = get_int(r, 0, 0);
        o->created = get_real(r, 0, 1);
        PQclear(r);
        o->maximize = c->maximize != 0;
        o->name = strdup(c->name);
        o->config_json = strdup(c->config_json);
        o->metric = strdup(c->metric);
        if (!o->name || !o->config_json || !o->metric) {
            tune_study_info_release(o);
            return pg_oom(s, err);
        }
        *c->created_flag = 1;
        return TUNE_OK;
    }
    PQclear(r);
    int found;
    if ((rc = find_study(s, c->name, c->out, &found, err)))
        return rc;
    if (!found) /* deleted between the two statements: try again */
        return tune_error_set(err, TUNE_ESTORE, "%s: study '%s' vanished", s->url, c->name),
               PG_AGAIN;
    if (c->exclusive && !s->replay) {
        tune_study_info_release(c->out);
        return tune_error_set(err, TUNE_ECONFLICT, "study '%s' already exists in %s", c->name,
                              s->url);
    }
    if (strcmp(c->out->config_json, c->config_json) != 0) {
        tune_study_info_release(c->out);
        return tune_error_set(err, TUNE_ECONFLICT,
                              "study '%s' already exists in %s with a different configuration; "
                              "choose a new \"name\" in the study file or use another --db",
                              c->name, s->url);
    }
    return TUNE_OK;
}

static int pg_study_create_or_load(struct tune_store *base, const char *name,
                                   const char *config_json, const char *metric, int maximize,
                                   struct tune_study_info *out, int *created,
                                   struct tune_error *err)
{
    struct pg_store *s = pg(base);
    memset(out, 0, sizeof *out);
    *created = 0;
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study needs a non-empty name", s->url);
    if (!config_json || !metric)
        return tune_error_set(err, TUNE_EINVAL, "%s: study '%s' needs a config and a metric",
                              s->url, name);
    struct study_ctx c = {name, config_json, metric, maximize, NAN, 0, out, created};
    return run_tx(s, study_tx, &c, err);
}

struct find_ctx {
    const char *name;
    struct tune_study_info *out;
    int found;
};

static int find_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct find_ctx *c = arg;
    tune_study_info_release(c->out);
    return find_study(s, c->name, c->out, &c->found, err);
}

static int pg_study_find(struct tune_store *base, const char *name, struct tune_study_info *out,
                         struct tune_error *err)
{
    struct pg_store *s = pg(base);
    memset(out, 0, sizeof *out);
    if (!name)
        return tune_error_set(err, TUNE_EINVAL, "%s: no study name given", s->url);
    struct find_ctx c = {name, out, 0};
    int rc = run_tx(s, find_tx, &c, err);
    if (rc)
        return rc;
    if (!c.found)
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no study named '%s'", s->url, name);
    return TUNE_OK;
}

struct list_ctx {
    struct tune_study_info *v;
    size_t n;
};

static int list_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct list_ctx *c = arg;
    PGresult *r;
    int rc = run(s, ST_STUDY_LIST, NULL, 0, &r, "cannot list studies", err);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    c->v = calloc(rows ? (size_t)rows : 1, sizeof *c->v);
    if (!c->v) {
        PQclear(r);
        return pg_oom(s, err);
    }
    for (c->n = 0; c->n < (size_t)rows; c->n++) {
        if (read_study(r, (int)c->n, &c->v[c->n])) {
            PQclear(r);
            tune_study_infos_free(c->v, c->n);
            c->v = NULL;
            c->n = 0;
            return pg_oom(s, err);
        }
    }
    PQclear(r);
    return TUNE_OK;
}

static int pg_study_list(struct tune_store *base, struct tune_study_info **out, size_t *n,
                         struct tune_error *err)
{
    struct list_ctx c = {0};
    *out = NULL;
    *n = 0;
    int rc = run_tx(pg(base), list_tx, &c, err);
    if (rc)
        return rc;
    *out = c.v;
    *n = c.n;
    return TUNE_OK;
}

/* ---- trials ------------------------------------------------------------------ */

struct trial_row {
    int64_t id;
    enum tune_trial_state state;
    int lost;
    int search;
    int ours;      /* claimed by this process */
};

static int find_trial(struct pg_store *s, int64_t study_id, int number, struct trial_row *row,
                      struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_int(&p, study_id);
    p_int(&p, number);
    int rc = run(s, ST_TRIAL_FIND, &p, 0, &r, "cannot look up a trial", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no trial %d in study %lld", s->url,
                              number, (long long)study_id);
    }
    row->id = get_int(r, 0, 0);
    int state = tune_trial_state_parse(PQgetvalue(r, 0, 1));
    row->lost = get_int(r, 0, 2) != 0;
    row->search = strcmp(PQgetvalue(r, 0, 3), "SEARCH") == 0;
    row->ours = !PQgetisnull(r, 0, 4) && strcmp(PQgetvalue(r, 0, 4), s->worker) == 0;
    PQclear(r);
    if (state < 0)
        return tune_error_set(err, TUNE_ESTORE, "%s: trial %d of study %lld has an unknown state",
                              s->url, number, (long long)study_id);
    row->state = (enum tune_trial_state)state;
    return TUNE_OK;
}

static int not_running(struct pg_store *s, int64_t study_id, int number,
                       const struct trial_row *row, const char *verb, struct tune_error *err)
{
    if (row->lost)
        return tune_error_set(err, TUNE_ECONFLICT,
                              "%s: trial %d of study %lld cannot be %s: it was marked lost "
                              "(worker lost) and is %s; only a RUNNING trial can be %s",
                              s->url, number, (long long)study_id, verb,
                              tune_trial_state_name(row->state), verb);
    return tune_error_set(err, TUNE_ECONFLICT,
                          "%s: trial %d of study %lld cannot be %s: it is already %s; only a "
                          "RUNNING trial can be %s",
                          s->url, number, (long long)study_id, verb,
                          tune_trial_state_name(row->state), verb);
}

static int find_running(struct pg_store *s, int64_t study_id, int number, const char *verb,
                        struct trial_row *row, struct tune_error *err)
{
    int rc = find_trial(s, study_id, number, row, err);
    if (rc == TUNE_OK && row->state != TUNE_TRIAL_RUNNING)
        rc = not_running(s, study_id, number, row, verb, err);
    return rc;
}

/* Take the study's lock and next change stamp, moving the budget count by
 * delta; *used_before: the count before.  TUNE_ENOTFOUND for no study. */
static int bump(struct pg_store *s, int64_t study_id, int delta, int64_t *stamp,
                long long *used_before, struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_int(&p, study_id);
    p_int(&p, delta);
    int rc = run(s, ST_BUMP, &p, 0, &r, "cannot stamp a change", err);
    if (rc)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld", s->url,
                              (long long)study_id);
    }
    *stamp = get_int(r, 0, 0);
    if (used_before)
        *used_before = get_int(r, 0, 1);
    PQclear(r);
    return TUNE_OK;
}

struct claim_ctx {
    int64_t study_id;
    enum tune_trial_origin origin;
    size_t budget;
    int number, seq;
};

/* The claim itself, inside the caller's transaction: c->number, c->seq,
 * the new row's id and the change stamp it took. */
static int claim_in_tx(struct pg_store *s, struct claim_ctx *c, int64_t *id, int64_t *stamp,
                       struct tune_error *err)
{
    int search = c->origin == TUNE_ORIGIN_SEARCH;
    long long used;
    struct params p = {0};
    PGresult *r;
    int rc = bump(s, c->study_id, search, stamp, &used, err);
    if (rc)
        return rc;
    if (search && (unsigned long long)used >= (unsigned long long)c->budget)
        return tune_error_set(err, TUNE_EBUDGET,
                              "%s: study %lld has used its budget of %zu search trials", s->url,
                              (long long)c->study_id, c->budget);
    p_int(&p, c->study_id);
    p_int(&p, *stamp);
    p_text(&p, search ? "SEARCH" : "MANUAL");
    p_text(&p, s->worker);
    if ((rc = run(s, ST_CLAIM, &p, 0, &r, "cannot claim a trial", err)))
        return rc;
    long long number = PQntuples(r) == 1 ? get_int(r, 0, 0) : -1;
    long long seq = PQntuples(r) == 1 ? get_int(r, 0, 1) : -1;
    *id = PQntuples(r) == 1 ? get_int(r, 0, 2) : -1;
    PQclear(r);
    if (number < 0 || number >= INT_MAX || seq >= INT_MAX)
        return tune_error_set(err, TUNE_ESTORE, "%s: study %lld has too many trials", s->url,
                              (long long)c->study_id);
    c->number = (int)number;
    c->seq = (int)seq;
    return TUNE_OK;
}

static int claim_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    int64_t id, stamp;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = claim_in_tx(s, arg, &id, &stamp, err)) || (rc = tx_commit(s, err)))
        tx_rollback(s);
    return rc;
}

static int check_origin(struct pg_store *s, enum tune_trial_origin origin,
                        struct tune_error *err)
{
    if (origin != TUNE_ORIGIN_SEARCH && origin != TUNE_ORIGIN_MANUAL)
        return tune_error_set(err, TUNE_EINVAL, "%s: unknown trial origin %d", s->url,
                              (int)origin);
    return TUNE_OK;
}

static int pg_trial_claim(struct tune_store *base, int64_t study_id, enum tune_trial_origin origin,
                          size_t budget, int *number, int *seq, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    int rc = check_origin(s, origin, err);
    if (rc)
        return rc;
    struct claim_ctx c = {study_id, origin, budget, -1, -1};
    rc = run_tx(s, claim_tx, &c, err);
    if (rc)
        return rc;
    *number = c.number;
    *seq = c.seq;
    return TUNE_OK;
}

/* ---- params -------------------------------------------------------------------- */

/* The exact JSON text of one value (see stores/sqlite.c: cJSON's printer
 * can move a double by one ulp; we print the shortest text that reads back
 * bit for bit). */

static void put_json(struct text_buf *b, const cJSON *item);

static void put_json_string(struct text_buf *b, const char *str)
{
    cJSON *tmp = cJSON_CreateString(str);
    char *text = tmp ? cJSON_PrintUnformatted(tmp) : NULL;
    if (text)
        buf_str(b, text);
    else
        b->oom = 1;
    cJSON_free(text);
    cJSON_Delete(tmp);
}

static void put_json(struct text_buf *b, const cJSON *item)
{
    if (cJSON_IsNumber(item)) {
        char num[40];
        double d = item->valuedouble;
        if (!isfinite(d)) {
            buf_str(b, "null");
            return;
        }
        tune_format_double(d, num, sizeof num);
        buf_str(b, num);
    } else if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
        int is_obj = cJSON_IsObject(item);
        buf_str(b, is_obj ? "{" : "[");
        for (const cJSON *c = item->child; c; c = c->next) {
            if (c != item->child)
                buf_str(b, ",");
            if (is_obj) {
                put_json_string(b, c->string);
                buf_str(b, ":");
            }
            put_json(b, c);
        }
        buf_str(b, is_obj ? "}" : "]");
    } else if (cJSON_IsString(item)) {
        put_json_string(b, item->valuestring);
    } else if (cJSON_IsTrue(item)) {
        buf_str(b, "true");
    } else if (cJSON_IsFalse(item)) {
        buf_str(b, "false");
    } else {
        buf_str(b, "null");
    }
}

static int parse_params(struct pg_store *s, int number, const char *params_json, cJSON **out,
                        struct tune_error *err)
{
    const char *end = NULL;
    *out = NULL;
    if (!params_json)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: no params given", s->url, number);
    cJSON *root = cJSON_ParseWithOpts(params_json, &end, 1);
    if (!root) {
        size_t at = end ? (size_t)(end - params_json) : 0;
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: trial %d: params are not valid JSON (byte %zu)", s->url,
                              number, at);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: params are not a JSON object",
                              s->url, number);
    }
    for (const cJSON *a = root->child; a; a = a->next) {
        for (const cJSON *b = a->next; b; b = b->next) {
            if (strcmp(a->string, b->string) == 0) {
                int rc = tune_error_set(err, TUNE_EINVAL,
                                        "%s: trial %d: params repeat the key '%s'", s->url,
                                        number, a->string);
                cJSON_Delete(root);
                return rc;
            }
        }
    }
    *out = root;
    return TUNE_OK;
}

struct params_ctx {
    int64_t study_id;
    int number;
    const char *params_json;
    const cJSON *root;
};

/* Trial row `id`'s params (parsed as root), stamped `stamp`, inside the
 * caller's transaction; `replace`: delete the rows it had. */
static int params_in_tx(struct pg_store *s, int64_t id, int64_t stamp, const char *params_json,
                        const cJSON *root, int replace, struct tune_error *err)
{
    struct params p = {0};
    int rc;
    p_int(&p, id);
    p_text(&p, params_json);
    p_int(&p, stamp);
    if ((rc = run_done(s, ST_SET_PARAMS, &p, "cannot store params", err)))
        return rc;
    if (replace) {
        p_int(&p, id);
        if ((rc = run_done(s, ST_PARAMS_DELETE, &p, "cannot store params", err)))
            return rc;
    }
    struct text_buf names = {0}, values = {0};
    for (const cJSON *item = root->child; item; item = item->next) {
        struct text_buf one = {0};
        put_json(&one, item);
        arr_text(&names, item->string);
        if (one.p)
            arr_text(&values, one.p);
        values.oom |= one.oom || !one.p;
        free(one.p);
    }
    p_int(&p, id);
    p_array(&p, &names);
    p_array(&p, &values);
    return run_done(s, ST_PARAMS_INSERT, &p, "cannot store params", err);
}

static int params_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct params_ctx *c = arg;
    struct trial_row row;
    int64_t stamp;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = bump(s, c->study_id, 0, &stamp, NULL, err)) ||
        (rc = find_running(s, c->study_id, c->number, "given params", &row, err)) ||
        (rc = params_in_tx(s, row.id, stamp, c->params_json, c->root, 1, err)) ||
        (rc = tx_commit(s, err)))
        tx_rollback(s);
    return rc;
}

static int pg_trial_set_params(struct tune_store *base, int64_t study_id, int number,
                               const char *params_json, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    cJSON *root;
    int rc = parse_params(s, number, params_json, &root, err);
    if (rc)
        return rc;
    struct params_ctx c = {study_id, number, params_json, root};
    rc = run_tx(s, params_tx, &c, err);
    cJSON_Delete(root);
    return rc;
}

struct claim_point_ctx {
    struct claim_ctx claim;
    tune_point_fn point;
    void *arg;
};

/* A claim and its point in one transaction (vtable version 7): 6 round
 * trips where a claim and then its params took 11.  A transaction run
 * again (a serialization failure, a lost connection) asks for the point
 * again, of the seq it then takes. */
static int claim_point_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct claim_point_ctx *c = arg;
    int64_t id, stamp;
    cJSON *root = NULL;
    const char *params_json = NULL;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = claim_in_tx(s, &c->claim, &id, &stamp, err)) ||
        (rc = c->point(c->arg, c->claim.number, c->claim.seq, &params_json, err)) ||
        (rc = parse_params(s, c->claim.number, params_json, &root, err)) ||
        (rc = params_in_tx(s, id, stamp, params_json, root, 0, err)) ||
        (rc = tx_commit(s, err)))
        tx_rollback(s);
    cJSON_Delete(root);
    return rc;
}

static int pg_trial_claim_point(struct tune_store *base, int64_t study_id,
                                enum tune_trial_origin origin, size_t budget, tune_point_fn point,
                                void *arg, int *number, int *seq, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    int rc = check_origin(s, origin, err);
    if (rc)
        return rc;
    struct claim_point_ctx c = {{study_id, origin, budget, -1, -1}, point, arg};
    rc = run_tx(s, claim_point_tx, &c, err);
    if (rc)
        return rc;
    *number = c.claim.number;
    *seq = c.claim.seq;
    return TUNE_OK;
}

struct number_ctx {
    int64_t study_id;
    int number;
    const char *reason;
};

static int abandon_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct number_ctx *c = arg;
    struct trial_row row;
    struct params p = {0};
    int64_t stamp;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = bump(s, c->study_id, 0, &stamp, NULL, err)))
        goto fail;
    rc = find_trial(s, c->study_id, c->number, &row, err);
    /* after a lost commit: the number withdrawn already, or taken again by
     * another worker's claim (never ours to delete) */
    if (s->replay && (rc == TUNE_ENOTFOUND || (rc == TUNE_OK && !row.ours))) {
        tx_rollback(s);
        return TUNE_OK;
    }
    if (rc)
        goto fail;
    if (row.state != TUNE_TRIAL_RUNNING) {
        rc = not_running(s, c->study_id, c->number, &row, "abandoned", err);
        goto fail;
    }
    if (row.search) {
        p_int(&p, c->study_id);
        p_int(&p, -1);
        if ((rc = run_done(s, ST_BUDGET_ADD, &p, "cannot abandon a trial", err)))
            goto fail;
    }
    p_int(&p, row.id);
    if ((rc = run_done(s, ST_TRIAL_DELETE, &p, "cannot abandon a trial", err)))
        goto fail;
    p_int(&p, c->study_id);
    p_int(&p, c->number);
    p_int(&p, stamp);
    if ((rc = run_done(s, ST_GONE_INSERT, &p, "cannot abandon a trial", err)) ||
        (rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int pg_trial_abandon(struct tune_store *base, int64_t study_id, int number,
                            struct tune_error *err)
{
    struct number_ctx c = {study_id, number, NULL};
    return run_tx(pg(base), abandon_tx, &c, err);
}

static int check_result(struct pg_store *s, int number, const struct tune_trial_result *res,
                        struct tune_error *err)
{
    if (!res)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: no result given", s->url, number);
    if (res->state != TUNE_TRIAL_COMPLETE && res->state != TUNE_TRIAL_FAILED &&
        res->state != TUNE_TRIAL_PRUNED)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: trial %d: a finished trial must be COMPLETE, FAILED or PRUNED, "
                              "not %s",
                              s->url, number, tune_trial_state_name(res->state));
    if (res->n_metrics && !res->metrics)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: %zu metrics but no array", s->url,
                              number, res->n_metrics);
    for (size_t i = 0; i < res->n_metrics; i++) {
        const struct tune_metric_summary *m = &res->metrics[i];
        if (!m->name || !*m->name)
            return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: metric %zu has no name",
                                  s->url, number, i);
        if (m->n_folds && !m->folds)
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: trial %d: metric '%s' has %zu folds but no values",
                                  s->url, number, m->name, m->n_folds);
        for (size_t j = 0; j < i; j++)
            if (strcmp(res->metrics[j].name, m->name) == 0)
                return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: metric '%s' given twice",
                                      s->url, number, m->name);
    }
    if ((res->n_intermediate && !res->intermediate) || (res->n_artifacts && !res->artifacts))
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: trial %d: intermediate values or artifacts counted but not "
                              "given",
                              s->url, number);
    for (size_t i = 0; i < res->n_artifacts; i++)
        if (!res->artifacts[i].name || !*res->artifacts[i].name ||
            (res->artifacts[i].len && !res->artifacts[i].data))
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: trial %d: artifact %zu has no name or no data", s->url,
                                  number, i);
    return TUNE_OK;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int page_tx_inner(struct pg_store *s, int64_t study_id, int first, size_t max,
                         int with_metrics, struct tune_trial **out, size_t *n,
                         struct tune_error *err);

/* Is the stored (finished) trial t the outcome res describes?  Metrics are
 * compared by name (the store returns them sorted). */
static int same_result(const struct tune_trial *t, const struct tune_trial_result *res)
{
    if (t->state != res->state || !same_double(t->value, res->value) ||
        !same_double(t->value_std, res->value_std) ||
        !same_double(t->fit_seconds, res->fit_seconds) ||
        !same_double(t->predict_seconds, res->predict_seconds) || !same_text(t->error, res->error) ||
        !same_double(t->violation, res->violation > 0 ? res->violation : NAN) ||
        t->n_metrics != res->n_metrics)
        return 0;
    for (size_t i = 0; i < res->n_metrics; i++) {
        const struct tune_metric_summary *m = &res->metrics[i], *k = NULL;
        for (size_t j = 0; j < t->n_metrics && !k; j++)
            if (strcmp(t->metrics[j].name, m->name) == 0)
                k = &t->metrics[j];
        if (!k || !same_double(k->mean, m->mean) || !same_double(k->std, m->std) ||
            k->n_folds != m->n_folds)
            return 0;
        for (size_t f = 0; f < m->n_folds; f++)
            if (!same_double(k->folds[f], m->folds[f]))
                return 0;
    }
    return 1;
}

static int insert_artifact(struct pg_store *s, int64_t trial_id, const char *name,
                           const void *data, size_t len, struct tune_error *err)
{
    struct params p = {0};
    if (len > (size_t)INT_MAX)
        return tune_error_set(err, TUNE_EINVAL, "%s: artifact '%s' is larger than 2 GB", s->url,
                              name);
    p_int(&p, trial_id);
    p_text(&p, name);
    p_blob(&p, data, len);
    return run_done(s, ST_ARTIFACT_SAVE, &p, "cannot save an artifact", err);
}

/* Intermediate values as three array literals, a repeated (fold, step)
 * keeping its last value (one INSERT cannot touch a row twice). */
static void intermediate_arrays(struct params *p, const struct tune_intermediate *v, size_t n)
{
    struct text_buf folds = {0}, steps = {0}, values = {0};
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1;
        while (j < n && !(v[j].fold == v[i].fold && v[j].step == v[i].step))
            j++;
        if (j < n)
            continue; /* a later one replaces it */
        arr_int(&folds, v[i].fold);
        arr_int(&steps, (long long)v[i].step);
        arr_real(&values, v[i].value);
    }
    p_array(p, &folds);
    p_array(p, &steps);
    p_array(p, &values);
}

struct finish_ctx {
    int64_t study_id;
    int number;
    const struct tune_trial_result *res;
};

static int finish_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct finish_ctx *c = arg;
    const struct tune_trial_result *res = c->res;
    struct params p = {0};
    PGresult *r;
    int64_t stamp;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = bump(s, c->study_id, 0, &stamp, NULL, err)))
        goto fail;
    p_int(&p, c->study_id);
    p_int(&p, c->number);
    p_text(&p, tune_trial_state_name(res->state));
    p_real(&p, res->value);
    p_real(&p, res->value_std);
    p_real(&p, res->fit_seconds);
    p_real(&p, res->predict_seconds);
    p_text(&p, res->error);
    p_int(&p, stamp);
    char at[32];
    snprintf(at, sizeof at, "%lld", (long long)res->pruned_at);
    p_text(&p, res->state == TUNE_TRIAL_PRUNED && res->pruned_at >= 0 ? at : NULL);
    p_real(&p, res->violation > 0 ? res->violation : NAN);
    if ((rc = run(s, ST_FINISH, &p, 0, &r, "cannot finish a trial", err)))
        goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        struct trial_row row;
        if ((rc = find_trial(s, c->study_id, c->number, &row, err)))
            goto fail;
        tx_rollback(s);
        if (s->replay && !row.lost) {
            /* our earlier attempt's COMMIT landed: written once, not twice */
            struct tune_trial *t = NULL;
            size_t n = 0;
            if ((rc = page_tx_inner(s, c->study_id, c->number, 1, 1, &t, &n, err)))
                return rc;
            int same = n == 1 && t[0].number == c->number && same_result(&t[0], res);
            tune_trials_free(t, n);
            if (same)
                return TUNE_OK;
        }
        return not_running(s, c->study_id, c->number, &row, "finished", err);
    }
    int64_t trial_id = get_int(r, 0, 0);
    PQclear(r);
    struct text_buf names = {0}, means = {0}, stds = {0}, fnames = {0}, folds = {0},
                    fvalues = {0};
    for (size_t i = 0; i < res->n_metrics; i++) {
        const struct tune_metric_summary *m = &res->metrics[i];
        arr_text(&names, m->name);
        arr_real(&means, m->mean);
        arr_real(&stds, m->std);
        for (size_t f = 0; f < m->n_folds; f++) {
            arr_text(&fnames, m->name);
            arr_int(&folds, (long long)f);
            arr_real(&fvalues, m->folds[f]);
        }
    }
    if (res->n_metrics || res->n_intermediate) {
        p_int(&p, trial_id);
        p_array(&p, &names);
        p_array(&p, &means);
        p_array(&p, &stds);
        p_array(&p, &fnames);
        p_array(&p, &folds);
        p_array(&p, &fvalues);
        intermediate_arrays(&p, res->intermediate, res->n_intermediate);
        if ((rc = run_done(s, ST_FINISH_ROWS, &p, "cannot store the metrics", err)))
            goto fail;
    } else {
        free(names.p);
        free(means.p);
        free(stds.p);
        free(fnames.p);
        free(folds.p);
        free(fvalues.p);
    }
    for (size_t i = 0; i < res->n_artifacts; i++)
        if ((rc = insert_artifact(s, trial_id, res->artifacts[i].name, res->artifacts[i].data,
                                  res->artifacts[i].len, err)))
            goto fail;
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int pg_trial_finish(struct tune_store *base, int64_t study_id, int number,
                           const struct tune_trial_result *res, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    int rc = check_result(s, number, res, err);
    if (rc)
        return rc;
    struct finish_ctx c = {study_id, number, res};
    return run_tx(s, finish_tx, &c, err);
}

/* Columns of ST_TRIAL_PAGE into *t (zeroed first). */
static int read_trial(struct pg_store *s, const PGresult *r, int row, struct tune_trial *t,
                      struct tune_error *err)
{
    memset(t, 0, sizeof *t);
    t->id = get_int(r, row, 0);
    t->number = (int)get_int(r, row, 1);
    t->seq = (int)get_int(r, row, 2);
    const char *origin = PQgetvalue(r, row, 3);
    int state = tune_trial_state_parse(PQgetvalue(r, row, 4));
    if (state < 0)
        return tune_error_set(err, TUNE_ESTORE, "%s: trial %d has an unreadable origin or state",
                              s->url, t->number);
    t->origin = strcmp(origin, "MANUAL") == 0 ? TUNE_ORIGIN_MANUAL : TUNE_ORIGIN_SEARCH;
    t->state = (enum tune_trial_state)state;
    t->value = get_real(r, row, 6);
    t->value_std = get_real(r, row, 7);
    t->t_start = get_real(r, row, 8);
    t->t_end = get_real(r, row, 9);
    t->fit_seconds = get_real(r, row, 10);
    t->predict_seconds = get_real(r, row, 11);
    t->lost = get_int(r, row, 13) != 0;
    t->pruned_at = PQnfields(r) > 15 && !PQgetisnull(r, row, 15) ? get_int(r, row, 15) : -1;
    t->violation = PQnfields(r) > 16 ? get_real(r, row, 16) : NAN;
    if (get_strdup(r, row, 14, &t->worker) || get_strdup(r, row, 5, &t->params_json) ||
        get_strdup(r, row, 12, &t->error))
        return pg_oom(s, err);
    return TUNE_OK;
}

/* Rows come ordered by (trial number, metric name, fold), the order of the
 * trials array and of strcmp (COLLATE "C"), so one forward walk attaches
 * every metric and fold; a metric without folds is one row, fold NULL. */
static int attach_metrics(struct pg_store *s, int64_t study_id, struct tune_trial *v, size_t n,
                          struct tune_error *err)
{
    if (n == 0)
        return TUNE_OK;
    struct params p = {0};
    PGresult *r;
    p_int(&p, study_id);
    p_int(&p, v[0].number);
    p_int(&p, v[n - 1].number);
    int rc = run(s, ST_METRIC_PAGE, &p, 0, &r, "cannot list metrics", err);
    if (rc)
        return rc;
    size_t ti = 0;
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        int number = (int)get_int(r, i, 0);
        const char *name = PQgetvalue(r, i, 1);
        while (ti < n && v[ti].number < number)
            ti++;
        if (ti == n || v[ti].number != number) {
            PQclear(r);
            return tune_error_set(err, TUNE_ESTORE, "%s: metrics of trial %d have no trial",
                                  s->url, number);
        }
        struct tune_trial *t = &v[ti];
        struct tune_metric_summary *m = t->n_metrics ? &t->metrics[t->n_metrics - 1] : NULL;
        if (!m || strcmp(m->name, name) != 0) {
            struct tune_metric_summary *nm = realloc(t->metrics, (t->n_metrics + 1) * sizeof *nm);
            if (!nm)
                goto oom;
            t->metrics = nm;
            m = &t->metrics[t->n_metrics];
            memset(m, 0, sizeof *m);
            t->n_metrics++;
            m->mean = get_real(r, i, 2);
            m->std = get_real(r, i, 3);
            if (!(m->name = strdup(name)))
                goto oom;
        }
        if (!PQgetisnull(r, i, 4)) {
            double *nf = realloc(m->folds, (m->n_folds + 1) * sizeof *nf);
            if (!nf)
                goto oom;
            m->folds = nf;
            m->folds[m->n_folds++] = get_real(r, i, 5);
        }
    }
    PQclear(r);
    return TUNE_OK;
oom:
    PQclear(r);
    return pg_oom(s, err);
}

/* Trials from `first`, at most max, read inside the caller's transaction. */
static int page_tx_inner(struct pg_store *s, int64_t study_id, int first, size_t max,
                         int with_metrics, struct tune_trial **out, size_t *n,
                         struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    *out = NULL;
    *n = 0;
    p_int(&p, study_id);
    p_int(&p, first);
    if (max > (size_t)INT64_MAX)
        p.v[p.n++] = NULL; /* LIMIT NULL: no limit */
    else
        p_int(&p, (long long)max);
    int rc = run(s, ST_TRIAL_PAGE, &p, 0, &r, "cannot list trials", err);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    struct tune_trial *v = calloc(rows ? (size_t)rows : 1, sizeof *v);
    if (!v) {
        PQclear(r);
        return pg_oom(s, err);
    }
    size_t len = 0;
    for (; len < (size_t)rows; len++)
        if ((rc = read_trial(s, r, (int)len, &v[len], err))) {
            len++;
            break;
        }
    PQclear(r);
    if (!rc && with_metrics)
        rc = attach_metrics(s, study_id, v, len, err);
    if (rc) {
        tune_trials_free(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return TUNE_OK;
}

struct page_ctx {
    int64_t study_id;
    int first;
    size_t max;
    int with_metrics;
    struct tune_trial *v;
    size_t n;
};

static int page_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct page_ctx *c = arg;
    tune_trials_free(c->v, c->n);
    c->v = NULL;
    c->n = 0;
    int rc = c->with_metrics ? tx_begin_read(s, err) : TUNE_OK;
    if (rc)
        return rc;
    if ((rc = page_tx_inner(s, c->study_id, c->first, c->max, c->with_metrics, &c->v, &c->n,
                            err)) ||
        (c->with_metrics && (rc = tx_commit(s, err)))) {
        tx_rollback(s);
        tune_trials_free(c->v, c->n);
        c->v = NULL;
        c->n = 0;
        return rc;
    }
    return TUNE_OK;
}

static int pg_trial_page(struct tune_store *base, int64_t study_id, int first, size_t max,
                         int with_metrics, struct tune_trial **out, size_t *n,
                         struct tune_error *err)
{
    struct page_ctx c = {study_id, first, max, with_metrics, NULL, 0};
    *out = NULL;
    *n = 0;
    int rc = run_tx(pg(base), page_tx, &c, err);
    if (rc)
        return rc;
    *out = c.v;
    *n = c.n;
    return TUNE_OK;
}

static int pg_trial_list(struct tune_store *base, int64_t study_id, struct tune_trial **out,
                         size_t *n, struct tune_error *err)
{
    return pg_trial_page(base, study_id, 0, SIZE_MAX, 1, out, n, err);
}

static int pg_trial_get(struct tune_store *base, int64_t study_id, int number,
                        struct tune_trial *out, struct tune_error *err)
{
    struct tune_trial *v = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    int rc = pg_trial_page(base, study_id, number, 1, 1, &v, &n, err);
    if (rc)
        return rc;
    if (n == 0 || v[0].number != number) {
        tune_trials_free(v, n);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no trial %d in study %lld",
                              pg(base)->url, number, (long long)study_id);
    }
    *out = v[0];
    free(v);
    return TUNE_OK;
}

/* The study's best complete trial: number and value (-1 / NAN if none);
 * its name into `name`.  Inside the caller's transaction, if any. */
static int best_number(struct pg_store *s, int64_t study_id, int *number, double *value,
                       int *maximize_out, char *name, size_t name_size, struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    *number = -1;
    *value = NAN;
    p_int(&p, study_id);
    int rc = run(s, ST_STUDY_MAXIMIZE, &p, 0, &r, "cannot find the best trial", err);
    if (rc)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld", s->url,
                              (long long)study_id);
    }
    int maximize = get_int(r, 0, 0) != 0;
    *maximize_out = maximize;
    if (name)
        snprintf(name, name_size, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    p_int(&p, study_id);
    if ((rc = run(s, maximize ? ST_BEST_MAX : ST_BEST_MIN, &p, 0, &r,
                  "cannot find the best trial", err)))
        return rc;
    if (PQntuples(r) == 1) {
        *number = (int)get_int(r, 0, 0);
        *value = get_real(r, 0, 1);
    }
    PQclear(r);
    return TUNE_OK;
}

struct best_ctx {
    int64_t study_id;
    int number;
    char name[256];
};

static int best_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct best_ctx *c = arg;
    double value;
    int maximize;
    return best_number(s, c->study_id, &c->number, &value, &maximize, c->name, sizeof c->name,
                       err);
}

static int pg_trial_best(struct tune_store *base, int64_t study_id, struct tune_trial *out,
                         struct tune_error *err)
{
    struct pg_store *s = pg(base);
    struct best_ctx c = {study_id, -1, ""};
    memset(out, 0, sizeof *out);
    int rc = run_tx(s, best_tx, &c, err);
    if (rc)
        return rc;
    if (c.number < 0)
        return tune_error_set(err, TUNE_ENOTFOUND, "study '%s' has no complete trial yet",
                              c.name);
    return pg_trial_get(base, study_id, c.number, out, err);
}

struct progress_ctx {
    int64_t study_id;
    struct tune_progress *out;
};

static int progress_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct progress_ctx *c = arg;
    struct tune_progress *out = c->out;
    struct params p = {0};
    PGresult *r;
    int rc = tx_begin_read(s, err);
    if (rc)
        return rc;
    p_int(&p, c->study_id);
    if ((rc = run(s, ST_PROGRESS, &p, 0, &r, "cannot count trials", err)))
        goto fail;
    out->finished = (size_t)get_int(r, 0, 0);
    out->running = (size_t)get_int(r, 0, 1);
    out->complete = (size_t)get_int(r, 0, 2);
    out->failed = (size_t)get_int(r, 0, 3);
    out->pruned = (size_t)get_int(r, 0, 4);
    out->lost = (size_t)get_int(r, 0, 5);
    double lo = get_real(r, 0, 6), hi = get_real(r, 0, 7);
    PQclear(r);
    int number, maximize;
    double value;
    if ((rc = best_number(s, c->study_id, &number, &value, &maximize, NULL, 0, err)) ||
        (rc = tx_commit(s, err)))
        goto fail;
    out->best_number = number;
    out->best_value = value;
    out->worst_value = maximize ? lo : hi;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int pg_study_progress(struct tune_store *base, int64_t study_id,
                             struct tune_progress *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    out->best_value = out->worst_value = NAN;
    out->best_number = -1;
    struct progress_ctx c = {study_id, out};
    return run_tx(pg(base), progress_tx, &c, err);
}

struct stale_ctx {
    int64_t study_id;
    double max_age;
    size_t marked;
};

static int stale_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct stale_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    c->marked = 0;
    /* Almost always nothing is stale: one plain read first, the study
     * lock only when there is something to mark (then tested again). */
    p_int(&p, c->study_id);
    p_real(&p, c->max_age);
    int rc = run(s, ST_STALE_COUNT, &p, 0, &r, "cannot recover stale trials", err);
    if (rc)
        return rc;
    long long due = get_int(r, 0, 0);
    PQclear(r);
    if (due == 0)
        return TUNE_OK;
    int64_t stamp;
    if ((rc = tx_begin(s, err)) || (rc = bump(s, c->study_id, 0, &stamp, NULL, err)))
        goto fail;
    p_int(&p, c->study_id);
    p_real(&p, c->max_age);
    p_int(&p, stamp);
    if ((rc = run(s, ST_RECOVER, &p, 0, &r, "cannot recover stale trials", err)))
        goto fail;
    long long marked = PQntuples(r) == 1 ? get_int(r, 0, 0) : 0;
    PQclear(r);
    if (marked == 0) { /* a heartbeat came in between: give the stamp back */
        tx_rollback(s);
        return TUNE_OK;
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    c->marked = (size_t)marked;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int pg_trial_recover_stale(struct tune_store *base, int64_t study_id, double max_age,
                                  size_t *n_marked, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    *n_marked = 0;
    if (!(max_age >= 0))
        return tune_error_set(err, TUNE_EINVAL, "%s: stale-trial age must be >= 0 seconds, not %g",
                              s->url, max_age);
    struct stale_ctx c = {study_id, max_age, 0};
    int rc = run_tx(s, stale_tx, &c, err);
    *n_marked = rc ? 0 : c.marked;
    return rc;
}

static int release_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct number_ctx *c = arg;
    struct trial_row row;
    struct params p = {0};
    PGresult *r;
    int64_t stamp;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = bump(s, c->study_id, 0, &stamp, NULL, err)) ||
        (rc = find_trial(s, c->study_id, c->number, &row, err)))
        goto fail;
    if (row.state != TUNE_TRIAL_RUNNING) {
        if (s->replay && row.lost && row.state == TUNE_TRIAL_FAILED) {
            tx_rollback(s); /* our release landed before the connection went */
            return TUNE_OK;
        }
        rc = not_running(s, c->study_id, c->number, &row, "released", err);
        goto fail;
    }
    if (row.search) {
        p_int(&p, c->study_id);
        p_int(&p, -1);
        if ((rc = run_done(s, ST_BUDGET_ADD, &p, "cannot release a trial", err)))
            goto fail;
    }
    p_int(&p, row.id);
    p_text(&p, c->reason ? c->reason : "released");
    p_int(&p, stamp);
    if ((rc = run(s, ST_RELEASE, &p, 0, &r, "cannot release a trial", err)))
        goto fail;
    PQclear(r);
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int pg_trial_release(struct tune_store *base, int64_t study_id, int number,
                            const char *reason, struct tune_error *err)
{
    struct number_ctx c = {study_id, number, reason};
    return run_tx(pg(base), release_tx, &c, err);
}

/* ---- changes ------------------------------------------------------------------- */

struct changes_ctx {
    int64_t study_id, since;
    struct tune_trial_brief *v;
    size_t n;
    int64_t stamp;
};

static int changes_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct changes_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    tune_trial_briefs_free(c->v, c->n);
    c->v = NULL;
    c->n = 0;
    p_int(&p, c->study_id);
    p_int(&p, c->since);
    int rc = run(s, ST_CHANGES, &p, 0, &r, "cannot read changes", err);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    if (rows == 0 || get_int(r, 0, 0) != 0) {
        PQclear(r);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld", s->url,
                              (long long)c->study_id);
    }
    c->stamp = get_int(r, 0, 12);
    /* Trials by number, then withdrawn numbers by number: merge the two
     * into one list by number. */
    int first_g = 1;
    while (first_g < rows && get_int(r, first_g, 0) == 1)
        first_g++;
    c->v = calloc((size_t)rows, sizeof *c->v);
    if (!c->v) {
        PQclear(r);
        return pg_oom(s, err);
    }
    int ti = 1, gi = first_g;
    while (ti < first_g || gi < rows) {
        int take_t = gi >= rows || (ti < first_g && get_int(r, ti, 1) < get_int(r, gi, 1));
        struct tune_trial_brief *b = &c->v[c->n++];
        if (!take_t) {
            b->number = (int)get_int(r, gi++, 1);
            b->gone = 1;
            b->value = b->value_std = NAN;
            continue;
        }
        int i = ti++;
        b->number = (int)get_int(r, i, 1);
        b->seq = (int)get_int(r, i, 2);
        int state = tune_trial_state_parse(PQgetvalue(r, i, 4));
        if (state < 0) {
            PQclear(r);
            return tune_error_set(err, TUNE_ESTORE,
                                  "%s: trial %d has an unreadable origin or state", s->url,
                                  b->number);
        }
        b->origin = strcmp(PQgetvalue(r, i, 3), "MANUAL") == 0 ? TUNE_ORIGIN_MANUAL
                                                               : TUNE_ORIGIN_SEARCH;
        b->state = (enum tune_trial_state)state;
        b->lost = get_int(r, i, 5) != 0;
        b->value = get_real(r, i, 6);
        b->value_std = get_real(r, i, 7);
        b->t_start = get_real(r, i, 8);
        b->t_end = get_real(r, i, 9);
        b->violation = get_real(r, i, 13);
        if (get_strdup(r, i, 10, &b->params_json) || get_strdup(r, i, 11, &b->error)) {
            PQclear(r);
            return pg_oom(s, err);
        }
    }
    PQclear(r);
    return TUNE_OK;
}

static int pg_trial_changes(struct tune_store *base, int64_t study_id, int64_t since,
                            struct tune_trial_brief **out, size_t *n, int64_t *stamp,
                            struct tune_error *err)
{
    struct changes_ctx c = {study_id, since, NULL, 0, 0};
    *out = NULL;
    *n = 0;
    int rc = run_tx(pg(base), changes_tx, &c, err);
    if (rc) {
        tune_trial_briefs_free(c.v, c.n);
        return rc;
    }
    *out = c.v;
    *n = c.n;
    *stamp = c.stamp;
    return TUNE_OK;
}

/* ---- artifacts ------------------------------------------------------------------- */

struct artifact_ctx {
    int64_t study_id;
    int number;
    const char *name;
    const void *data;
    size_t len;
    void *out;
    size_t out_len;
};

static int artifact_save_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct artifact_ctx *c = arg;
    struct trial_row row;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = find_trial(s, c->study_id, c->number, &row, err)) ||
        (rc = insert_artifact(s, row.id, c->name, c->data, c->len, err)) ||
        (rc = tx_commit(s, err))) {
        tx_rollback(s);
        return rc;
    }
    return TUNE_OK;
}

static int pg_artifact_save(struct tune_store *base, int64_t study_id, int number,
                            const char *name, const void *data, size_t len,
                            struct tune_error *err)
{
    struct pg_store *s = pg(base);
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: an artifact needs a name", s->url,
                              number);
    if (len && !data)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: artifact '%s' has no data",
                              s->url, number, name);
    struct artifact_ctx c = {study_id, number, name, data, len, NULL, 0};
    return run_tx(s, artifact_save_tx, &c, err);
}

static int artifact_load_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct artifact_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    p_int(&p, c->study_id);
    p_int(&p, c->number);
    p_text(&p, c->name);
    int rc = run(s, ST_ARTIFACT_LOAD, &p, 1, &r, "cannot load an artifact", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return tune_error_set(err, TUNE_ENOTFOUND,
                              "%s: no artifact '%s' for trial %d of study %lld", s->url, c->name,
                              c->number, (long long)c->study_id);
    }
    size_t n = (size_t)PQgetlength(r, 0, 0);
    char *buf = malloc(n + 1);
    if (!buf) {
        PQclear(r);
        return pg_oom(s, err);
    }
    if (n)
        memcpy(buf, PQgetvalue(r, 0, 0), n);
    buf[n] = '\0';
    PQclear(r);
    c->out = buf;
    c->out_len = n;
    return TUNE_OK;
}

static int pg_artifact_load(struct tune_store *base, int64_t study_id, int number,
                            const char *name, void **data, size_t *len, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    *data = NULL;
    *len = 0;
    if (!name)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: no artifact name given", s->url,
                              number);
    struct artifact_ctx c = {study_id, number, name, NULL, 0, NULL, 0};
    int rc = run_tx(s, artifact_load_tx, &c, err);
    if (rc)
        return rc;
    *data = c.out;
    *len = c.out_len;
    return TUNE_OK;
}

/* ---- intermediate values and heartbeats ------------------------------------------ */

struct inter_ctx {
    int64_t study_id;
    int number;
    const struct tune_intermediate *values;
    size_t n;
    struct tune_intermediate *out;
};

static int heartbeat_once(struct pg_store *s, int64_t study_id, int number, const char *verb,
                          struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_int(&p, study_id);
    p_int(&p, number);
    int rc = run(s, ST_HEARTBEAT, &p, 0, &r, "cannot stamp a heartbeat", err);
    if (rc)
        return rc;
    int hit = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (hit)
        return TUNE_OK;
    struct trial_row row;
    rc = find_running(s, study_id, number, verb, &row, err);
    return rc ? rc : TUNE_OK;
}

static int inter_add_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct inter_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    p_int(&p, c->study_id);
    p_int(&p, c->number);
    intermediate_arrays(&p, c->values, c->n);
    int rc = run(s, ST_INTERMEDIATE_INSERT, &p, 0, &r, "cannot store an intermediate value", err);
    if (rc)
        return rc;
    int hit = PQntuples(r) == 1;
    PQclear(r);
    if (hit)
        return TUNE_OK;
    struct trial_row row;
    rc = find_running(s, c->study_id, c->number, "given intermediate values", &row, err);
    return rc ? rc : TUNE_OK;
}

static int pg_trial_add_intermediate(struct tune_store *base, int64_t study_id, int number,
                                     const struct tune_intermediate *values, size_t n,
                                     struct tune_error *err)
{
    struct pg_store *s = pg(base);
    if (n && !values)
        return tune_error_set(err, TUNE_EINVAL, "%s: trial %d: %zu intermediate values but no "
                                                "array",
                              s->url, number, n);
    struct inter_ctx c = {study_id, number, values, n, NULL};
    return run_tx(s, inter_add_tx, &c, err);
}

static int inter_list_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct inter_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    p_int(&p, c->study_id);
    p_int(&p, c->number);
    int rc = run(s, ST_INTERMEDIATE_LIST, &p, 0, &r, "cannot list intermediate values", err);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    free(c->out);
    c->out = malloc((rows ? (size_t)rows : 1) * sizeof *c->out);
    if (!c->out) {
        PQclear(r);
        return pg_oom(s, err);
    }
    for (int i = 0; i < rows; i++) {
        c->out[i].fold = (int)get_int(r, i, 0);
        c->out[i].step = (size_t)get_int(r, i, 1);
        c->out[i].value = get_real(r, i, 2);
    }
    c->n = (size_t)rows;
    PQclear(r);
    return TUNE_OK;
}

static int pg_trial_list_intermediate(struct tune_store *base, int64_t study_id, int number,
                                      struct tune_intermediate **out, size_t *n,
                                      struct tune_error *err)
{
    struct inter_ctx c = {study_id, number, NULL, 0, NULL};
    *out = NULL;
    *n = 0;
    int rc = run_tx(pg(base), inter_list_tx, &c, err);
    if (rc) {
        free(c.out);
        return rc;
    }
    *out = c.out;
    *n = c.n;
    return TUNE_OK;
}

/* ---- what pruners read (version 4) ------------------------------------------------ */

struct values_at_ctx {
    int64_t study_id;
    int fold;
    size_t step;
    struct tune_step_value *out;
    size_t n;
};

static int values_at_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct values_at_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    p_int(&p, c->study_id);
    p_int(&p, c->fold);
    p_int(&p, c->step > (size_t)INT64_MAX ? INT64_MAX : (long long)c->step);
    int rc = run(s, ST_VALUES_AT, &p, 0, &r, "cannot read intermediate values", err);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    free(c->out);
    c->out = malloc((rows ? (size_t)rows : 1) * sizeof *c->out);
    if (!c->out) {
        PQclear(r);
        return pg_oom(s, err);
    }
    for (int i = 0; i < rows; i++) {
        int state = tune_trial_state_parse(PQgetvalue(r, i, 2));
        c->out[i].number = (int)get_int(r, i, 0);
        c->out[i].seq = (int)get_int(r, i, 1);
        c->out[i].state = state < 0 ? TUNE_TRIAL_FAILED : (enum tune_trial_state)state;
        c->out[i].lost = get_int(r, i, 3) != 0;
        c->out[i].step = (size_t)get_int(r, i, 4);
        c->out[i].value = get_real(r, i, 5);
    }
    c->n = (size_t)rows;
    PQclear(r);
    return TUNE_OK;
}

static int pg_trial_values_at(struct tune_store *base, int64_t study_id, int fold, size_t step,
                              struct tune_step_value **out, size_t *n, struct tune_error *err)
{
    struct values_at_ctx c = {study_id, fold, step, NULL, 0};
    *out = NULL;
    *n = 0;
    int rc = run_tx(pg(base), values_at_tx, &c, err);
    if (rc) {
        free(c.out);
        return rc;
    }
    *out = c.out;
    *n = c.n;
    return TUNE_OK;
}

static int heartbeat_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct number_ctx *c = arg;
    return heartbeat_once(s, c->study_id, c->number, "given a heartbeat", err);
}

static int pg_trial_heartbeat(struct tune_store *base, int64_t study_id, int number,
                              struct tune_error *err)
{
    struct number_ctx c = {study_id, number, NULL};
    return run_tx(pg(base), heartbeat_tx, &c, err);
}

/* ---- study attributes ------------------------------------------------------------- */

struct attr_ctx {
    int64_t study_id;
    const char *key, *value;
    char *out;
};

static int attr_set_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct attr_ctx *c = arg;
    struct params p = {0};
    p_int(&p, c->study_id);
    p_text(&p, c->key);
    p_text(&p, c->value);
    return run_done(s, ST_ATTR_SET, &p, "cannot store a study attribute", err);
}

static int pg_study_set_attr(struct tune_store *base, int64_t study_id, const char *key,
                             const char *value, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    if (!key || !value)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study attribute needs a key and a value",
                              s->url);
    struct attr_ctx c = {study_id, key, value, NULL};
    return run_tx(s, attr_set_tx, &c, err);
}

static int attr_get_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct attr_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    p_int(&p, c->study_id);
    p_text(&p, c->key);
    int rc = run(s, ST_ATTR_GET, &p, 0, &r, "cannot read a study attribute", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return tune_error_set(err, TUNE_ENOTFOUND, "%s: study %lld has no attribute '%s'",
                              s->url, (long long)c->study_id, c->key);
    }
    free(c->out);
    rc = get_strdup(r, 0, 0, &c->out) ? pg_oom(s, err) : TUNE_OK;
    PQclear(r);
    return rc;
}

static int pg_study_get_attr(struct tune_store *base, int64_t study_id, const char *key,
                             char **value, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    *value = NULL;
    if (!key)
        return tune_error_set(err, TUNE_EINVAL, "%s: no attribute name given", s->url);
    struct attr_ctx c = {study_id, key, NULL, NULL};
    int rc = run_tx(s, attr_get_tx, &c, err);
    if (rc) {
        free(c.out);
        return rc;
    }
    *value = c.out;
    return TUNE_OK;
}

/* ---- version 3: study blobs, lists, imports -------------------------------------------
 *
 * Blobs are bytea chunks of 1 MiB in an ordinary table, not large objects:
 * chunks go with their study (ON DELETE CASCADE, pg_dump of the schema,
 * tunefold copy), need no lo_unlink or vacuumlo, and each statement carries
 * one chunk, so libpq never holds more than a chunk beside the caller's
 * buffer.  A save is one transaction (a reader never sees half a blob); a
 * load reads every chunk in one REPEATABLE READ snapshot straight into the
 * caller-sized buffer, then checks length and checksum (FNV-1a 64). */

#define BLOB_CHUNK (1u << 20)

/* FNV-1a 64, fed a piece at a time from FNV_START. */
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

static int study_exists(struct pg_store *s, int64_t study_id, struct tune_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_int(&p, study_id);
    int rc = run(s, ST_STUDY_EXISTS, &p, 0, &r, "cannot look up a study", err);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    PQclear(r);
    return found ? TUNE_OK
                 : tune_error_set(err, TUNE_ENOTFOUND, "%s: no study with id %lld", s->url,
                                  (long long)study_id);
}

struct blob_ctx {
    int64_t study_id;
    const char *name;
    const struct tune_blob_source *src; /* save */
    char *out;                          /* load */
    size_t out_len;
};

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

/* One attempt: the source from its first byte, the head first (the chunks
 * refer to it), its length, count and checksum set after the last chunk. */
static int blob_save_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct blob_ctx *c = arg;
    struct params p = {0};
    char *chunk = malloc(BLOB_CHUNK);
    if (!chunk)
        return pg_oom(s, err);
    int rc = c->src->rewind(c->src->arg, err);
    if (rc || (rc = tx_begin(s, err))) {
        free(chunk);
        return rc;
    }
    if ((rc = study_exists(s, c->study_id, err)))
        goto fail;
    p_int(&p, c->study_id);
    p_text(&p, c->name);
    if ((rc = run_done(s, ST_BLOB_DELETE, &p, "cannot save a study blob", err)))
        goto fail;
    p_int(&p, c->study_id);
    p_text(&p, c->name);
    p_int(&p, 0);
    p_int(&p, 0);
    p_text(&p, "");
    if ((rc = run_done(s, ST_BLOB_HEAD_INSERT, &p, "cannot save a study blob", err)))
        goto fail;
    unsigned long long h = FNV_START;
    long long len = 0, k = 0;
    for (int end = 0; !end; k++) {
        size_t n;
        if ((rc = fill_chunk(c->src, chunk, &n, &end, err)))
            goto fail;
        if (n == 0)
            break;
        h = fnv_add(h, chunk, n);
        len += (long long)n;
        p_int(&p, c->study_id);
        p_text(&p, c->name);
        p_int(&p, k);
        p_blob(&p, chunk, n);
        if ((rc = run_done(s, ST_BLOB_CHUNK_INSERT, &p, "cannot save a study blob", err)))
            goto fail;
    }
    char sum[17];
    snprintf(sum, sizeof sum, "%016llx", h);
    p_int(&p, c->study_id);
    p_text(&p, c->name);
    p_int(&p, len);
    p_int(&p, k);
    p_text(&p, sum);
    if ((rc = run_done(s, ST_BLOB_HEAD_SET, &p, "cannot save a study blob", err)) ||
        (rc = tx_commit(s, err)))
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

static int pg_study_blob_save(struct tune_store *base, int64_t study_id, const char *name,
                              const void *data, size_t len, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study blob needs a name", s->url);
    if (len && !data)
        return tune_error_set(err, TUNE_EINVAL, "%s: study blob '%s' has no data", s->url, name);
    struct mem_source m = {data, len, 0};
    struct tune_blob_source src = {mem_read, mem_rewind, &m};
    struct blob_ctx c = {study_id, name, &src, NULL, 0};
    return run_tx(s, blob_save_tx, &c, err);
}

static int pg_study_blob_save_from(struct tune_store *base, int64_t study_id, const char *name,
                                   const struct tune_blob_source *src, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    if (!name || !*name)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study blob needs a name", s->url);
    if (!src || !src->read || !src->rewind)
        return tune_error_set(err, TUNE_EINVAL, "%s: study blob '%s' has no source", s->url,
                              name);
    struct blob_ctx c = {study_id, name, src, NULL, 0};
    return run_tx(s, blob_save_tx, &c, err);
}

static int blob_load_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct blob_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    free(c->out);
    c->out = NULL;
    int rc = tx_begin_read(s, err);
    if (rc)
        return rc;
    p_int(&p, c->study_id);
    p_text(&p, c->name);
    if ((rc = run(s, ST_BLOB_HEAD, &p, 0, &r, "cannot load a study blob", err)))
        goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        rc = tune_error_set(err, TUNE_ENOTFOUND, "%s: study %lld has no blob '%s'", s->url,
                            (long long)c->study_id, c->name);
        goto fail;
    }
    long long total = get_int(r, 0, 0), chunks = get_int(r, 0, 1);
    char want[17], got[17];
    snprintf(want, sizeof want, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    if (total < 0 || (unsigned long long)total >= SIZE_MAX ||
        !(c->out = malloc((size_t)total + 1))) {
        rc = pg_oom(s, err);
        goto fail;
    }
    size_t at = 0;
    for (long long k = 0; k < chunks; k++) {
        p_int(&p, c->study_id);
        p_text(&p, c->name);
        p_int(&p, k);
        if ((rc = run(s, ST_BLOB_CHUNK, &p, 1, &r, "cannot load a study blob", err)))
            goto fail;
        size_t n = PQntuples(r) == 1 ? (size_t)PQgetlength(r, 0, 0) : 0;
        if (PQntuples(r) != 1 || at + n > (size_t)total) {
            PQclear(r);
            rc = tune_error_set(err, TUNE_ESTORE,
                                "%s: study blob '%s' is damaged (chunk %lld missing or too long)",
                                s->url, c->name, k);
            goto fail;
        }
        if (n)
            memcpy(c->out + at, PQgetvalue(r, 0, 0), n);
        at += n;
        PQclear(r);
    }
    c->out[at] = '\0';
    blob_checksum(c->out, at, got);
    if (at != (size_t)total || strcmp(got, want) != 0) {
        rc = tune_error_set(err, TUNE_ESTORE,
                            "%s: study blob '%s' is damaged (checksum or length differs)", s->url,
                            c->name);
        goto fail;
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    c->out_len = at;
    return TUNE_OK;
fail:
    tx_rollback(s);
    free(c->out);
    c->out = NULL;
    return rc;
}

static int pg_study_blob_load(struct tune_store *base, int64_t study_id, const char *name,
                              void **data, size_t *len, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    *data = NULL;
    *len = 0;
    if (!name)
        return tune_error_set(err, TUNE_EINVAL, "%s: no study blob name given", s->url);
    struct blob_ctx c = {.study_id = study_id, .name = name};
    int rc = run_tx(s, blob_load_tx, &c, err);
    if (rc)
        return rc;
    *data = c.out;
    *len = c.out_len;
    return TUNE_OK;
}

struct names_ctx {
    enum stmt_id id;
    int64_t study_id;
    int number;
    char **a, **b;
    size_t n;
    int two;
};

static int names_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct names_ctx *c = arg;
    struct params p = {0};
    PGresult *r;
    tune_names_free(c->a, c->n);
    tune_names_free(c->b, c->two ? c->n : 0);
    c->a = c->b = NULL;
    c->n = 0;
    p_int(&p, c->study_id);
    if (c->id == ST_ARTIFACT_LIST)
        p_int(&p, c->number);
    int rc = run(s, c->id, &p, 0, &r, "cannot list names", err);
    if (rc)
        return rc;
    size_t rows = (size_t)PQntuples(r);
    c->a = calloc(rows ? rows : 1, sizeof *c->a);
    c->b = c->two ? calloc(rows ? rows : 1, sizeof *c->b) : NULL;
    if (!c->a || (c->two && !c->b)) {
        PQclear(r);
        return pg_oom(s, err);
    }
    for (; c->n < rows; c->n++)
        if (get_strdup(r, (int)c->n, 0, &c->a[c->n]) ||
            (c->two && get_strdup(r, (int)c->n, 1, &c->b[c->n]))) {
            c->n++;
            PQclear(r);
            return pg_oom(s, err);
        }
    PQclear(r);
    return TUNE_OK;
}

static int list_names(struct pg_store *s, struct names_ctx *c, char ***a, char ***b, size_t *n,
                      struct tune_error *err)
{
    int rc = run_tx(s, names_tx, c, err);
    if (rc) {
        tune_names_free(c->a, c->n);
        tune_names_free(c->b, c->two ? c->n : 0);
        return rc;
    }
    *a = c->a;
    if (b)
        *b = c->b;
    *n = c->n;
    return TUNE_OK;
}

static int pg_study_blob_list(struct tune_store *base, int64_t study_id, char ***names,
                              size_t *n, struct tune_error *err)
{
    struct names_ctx c = {ST_BLOB_LIST, study_id, 0, NULL, NULL, 0, 0};
    return list_names(pg(base), &c, names, NULL, n, err);
}

static int pg_study_attr_list(struct tune_store *base, int64_t study_id, char ***keys,
                              char ***values, size_t *n, struct tune_error *err)
{
    struct names_ctx c = {ST_ATTR_LIST, study_id, 0, NULL, NULL, 0, 1};
    return list_names(pg(base), &c, keys, values, n, err);
}

static int pg_artifact_list(struct tune_store *base, int64_t study_id, int number,
                            char ***names, size_t *n, struct tune_error *err)
{
    struct names_ctx c = {ST_ARTIFACT_LIST, study_id, number, NULL, NULL, 0, 0};
    return list_names(pg(base), &c, names, NULL, n, err);
}

static int pg_study_import(struct tune_store *base, const struct tune_study_info *info,
                           int64_t *id, struct tune_error *err)
{
    struct pg_store *s = pg(base);
    struct tune_study_info out = {0};
    int created = 0;
    if (!info || !info->name || !*info->name || !info->config_json || !info->metric)
        return tune_error_set(err, TUNE_EINVAL, "%s: a study needs a name, a config and a metric",
                              s->url);
    struct study_ctx c = {info->name, info->config_json, info->metric, info->maximize,
                          info->created, 1, &out, &created};
    int rc = run_tx(s, study_tx, &c, err);
    if (rc == TUNE_OK)
        *id = out.id;
    tune_study_info_release(&out);
    return rc;
}

struct import_ctx {
    int64_t study_id;
    const struct tune_trial *t;
    const cJSON *root;
    const struct tune_intermediate *iv;
    size_t n_iv;
};

/* A trial's metrics, folds and intermediate values as ST_FINISH_ROWS's
 * values ($1: the trial's row id). */
static void finish_rows_params(struct params *p, int64_t trial_id,
                               const struct tune_metric_summary *metrics, size_t n_metrics,
                               const struct tune_intermediate *iv, size_t n_iv)
{
    struct text_buf names = {0}, means = {0}, stds = {0}, fnames = {0}, folds = {0},
                    fvalues = {0};
    for (size_t i = 0; i < n_metrics; i++) {
        const struct tune_metric_summary *m = &metrics[i];
        arr_text(&names, m->name);
        arr_real(&means, m->mean);
        arr_real(&stds, m->std);
        for (size_t f = 0; f < m->n_folds; f++) {
            arr_text(&fnames, m->name);
            arr_int(&folds, (long long)f);
            arr_real(&fvalues, m->folds[f]);
        }
    }
    p_int(p, trial_id);
    p_array(p, &names);
    p_array(p, &means);
    p_array(p, &stds);
    p_array(p, &fnames);
    p_array(p, &folds);
    p_array(p, &fvalues);
    intermediate_arrays(p, iv, n_iv);
}

static int import_tx(struct pg_store *s, void *arg, struct tune_error *err)
{
    struct import_ctx *c = arg;
    const struct tune_trial *t = c->t;
    struct trial_row row;
    struct params p = {0};
    PGresult *r;
    int search = t->origin == TUNE_ORIGIN_SEARCH;
    int64_t stamp;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    if ((rc = bump(s, c->study_id, search && !t->lost, &stamp, NULL, err)))
        goto fail;
    rc = find_trial(s, c->study_id, t->number, &row, err);
    if (rc == TUNE_OK) {
        if (s->replay) { /* our import landed before the connection went */
            tx_rollback(s);
            return TUNE_OK;
        }
        rc = tune_error_set(err, TUNE_ECONFLICT, "%s: study %lld already has a trial %d", s->url,
                            (long long)c->study_id, t->number);
        goto fail;
    }
    if (rc != TUNE_ENOTFOUND)
        goto fail;
    p_int(&p, c->study_id);
    p_int(&p, t->number);
    p_int(&p, t->seq);
    p_text(&p, search ? "SEARCH" : "MANUAL");
    p_text(&p, tune_trial_state_name(t->state));
    p_text(&p, t->params_json);
    p_real(&p, t->value);
    p_real(&p, t->value_std);
    p_real(&p, t->t_start);
    p_real(&p, t->t_end);
    p_real(&p, isnan(t->t_end) ? t->t_start : t->t_end);
    p_real(&p, t->fit_seconds);
    p_real(&p, t->predict_seconds);
    p_text(&p, t->error);
    p_int(&p, t->lost != 0);
    p_text(&p, t->worker);
    p_int(&p, stamp);
    char at[32];
    snprintf(at, sizeof at, "%lld", (long long)t->pruned_at);
    p_text(&p, t->state == TUNE_TRIAL_PRUNED && t->pruned_at >= 0 ? at : NULL);
    p_real(&p, t->violation > 0 ? t->violation : NAN);
    if ((rc = run(s, ST_TRIAL_IMPORT, &p, 0, &r, "cannot import a trial", err)))
        goto fail;
    int64_t trial_id = get_int(r, 0, 0);
    PQclear(r);
    if (c->root && c->root->child) {
        struct text_buf names = {0}, values = {0};
        for (const cJSON *item = c->root->child; item; item = item->next) {
            struct text_buf one = {0};
            put_json(&one, item);
            arr_text(&names, item->string);
            if (one.p)
                arr_text(&values, one.p);
            values.oom |= one.oom || !one.p;
            free(one.p);
        }
        p_int(&p, trial_id);
        p_array(&p, &names);
        p_array(&p, &values);
        if ((rc = run_done(s, ST_PARAMS_INSERT, &p, "cannot import a trial", err)))
            goto fail;
    }
    if (t->n_metrics || c->n_iv) {
        finish_rows_params(&p, trial_id, t->metrics, t->n_metrics, c->iv, c->n_iv);
        if ((rc = run_done(s, ST_FINISH_ROWS, &p, "cannot import a trial", err)))
            goto fail;
    }
    if ((rc = tx_commit(s, err)))
        goto fail;
    return TUNE_OK;
fail:
    tx_rollback(s);
    return rc;
}

static int pg_trial_import(struct tune_store *base, int64_t study_id, const struct tune_trial *t,
                           const struct tune_intermediate *intermediate, size_t n_intermediate,
                           struct tune_error *err)
{
    struct pg_store *s = pg(base);
    cJSON *root = NULL;
    if (!t || (n_intermediate && !intermediate))
        return tune_error_set(err, TUNE_EINVAL, "%s: no trial given", s->url);
    if (t->params_json) {
        int rc = parse_params(s, t->number, t->params_json, &root, err);
        if (rc)
            return rc;
    }
    struct import_ctx c = {study_id, t, root, intermediate, n_intermediate};
    int rc = run_tx(s, import_tx, &c, err);
    cJSON_Delete(root);
    return rc;
}

const struct tune_store_type tune_store_postgres = {
    .version = 7,

    .name = "postgres",
    .open = pg_open,
    .close = pg_close,
    .study_create_or_load = pg_study_create_or_load,
    .study_find = pg_study_find,
    .study_list = pg_study_list,
    .trial_claim = pg_trial_claim,
    .trial_set_params = pg_trial_set_params,
    .trial_abandon = pg_trial_abandon,
    .trial_finish = pg_trial_finish,
    .trial_list = pg_trial_list,
    .trial_recover_stale = pg_trial_recover_stale,
    .artifact_save = pg_artifact_save,
    .artifact_load = pg_artifact_load,
    .trial_add_intermediate = pg_trial_add_intermediate,
    .trial_list_intermediate = pg_trial_list_intermediate,
    .trial_heartbeat = pg_trial_heartbeat,
    .study_set_attr = pg_study_set_attr,
    .study_get_attr = pg_study_get_attr,
    .trial_changes = pg_trial_changes,
    .trial_release = pg_trial_release,
    .trial_get = pg_trial_get,
    .trial_best = pg_trial_best,
    .trial_page = pg_trial_page,
    .study_progress = pg_study_progress,
    .study_blob_save = pg_study_blob_save,
    .study_blob_load = pg_study_blob_load,
    .study_blob_list = pg_study_blob_list,
    .study_attr_list = pg_study_attr_list,
    .artifact_list = pg_artifact_list,
    .study_import = pg_study_import,
    .trial_import = pg_trial_import,
    .trial_values_at = pg_trial_values_at,
    .study_blob_save_from = pg_study_blob_save_from,
    .trial_claim_point = pg_trial_claim_point,
};
