/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_store.c — the store conformance suite: one set of tests run against
 * every backend (SQLite, and PostgreSQL when TUNEFOLD_TEST_PG_URL names a
 * server: scripts/pg-test-server start prints one, `make test-pg` runs the
 * suite against a throwaway one).  Schema, studies, claims against a budget
 * (several processes at once), params, exact round trip of results,
 * stale-trial recovery, artifacts, reopening, refusal of foreign databases,
 * rollback when a write fails, changes, pages, best and progress.  Tests of
 * one backend's own matters (SQLite files, WAL, integrity_check, the
 * version-1 migration; PostgreSQL URLs, passwords, schemas) are its alone.
 * Every SQLite test ends with PRAGMA integrity_check on the file it used;
 * every PostgreSQL test works in a schema of its own, dropped at the end. */
#include "testutil.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>

#include "tunefold/store.h"

#define CONFIG_A "{\"name\":\"iris-knn\",\"seed\":42,\"trials\":7}"
#define CONFIG_B "{\"name\":\"iris-knn\",\"seed\":43,\"trials\":7}"

struct backend {
    const char *name;
    int pg;
};
static const struct backend sqlite_backend = {"sqlite", 0};
static const struct backend pg_backend = {"postgres", 1};

/* One test body, run as a test of each backend: "suite" on SQLite and
 * "suite_pg" on PostgreSQL (skipped, saying why, without a server). */
static void pg_require(void);
#define CONFORMANCE(suite, name)                                  \
    static void name(const struct backend *be);                   \
    Test(suite, name) { name(&sqlite_backend); }                  \
    Test(suite##_pg, name) { pg_require(); name(&pg_backend); }   \
    static void name(const struct backend *be)

struct fixture {
    const struct backend *be;
    char *dir;      /* SQLite: the test's folder */
    char *path;     /* SQLite: the file; PostgreSQL: the URL of the test's schema */
    char *schema;   /* PostgreSQL */
    struct tune_store *store;
    struct tune_study_info info;
};

/* ---- PostgreSQL: the server, a schema per test ---------------------------------- */

static const char *pg_url(void)
{
    const char *u = getenv("TUNEFOLD_TEST_PG_URL");
    return u && *u ? u : NULL;
}

static void pg_require(void)
{
    if (!pg_url())
        cr_skip_test("PostgreSQL tests skipped: TUNEFOLD_TEST_PG_URL is not set (`make test-pg` "
                     "starts a throwaway server; scripts/pg-test-server start prints a URL)");
}

static PGconn *pg_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s: %s", url, PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = 'warning'"));
    return c;
}

static void pg_exec(const char *url, const char *sql)
{
    PGconn *c = pg_connect(url);
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
              "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static char *pg_text(const char *url, const char *sql)
{
    PGconn *c = pg_connect(url);
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
    char *out = strdup(PQntuples(r) == 0 || PQgetisnull(r, 0, 0) ? "(none)" : PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return out;
}

/* A new schema of its own, and the URL that puts the store in it. */
static void pg_new_schema(char **schema, char **url)
{
    static int counter;
    char name[48], sql[160];
    snprintf(name, sizeof name, "tf_test_%ld_%d", (long)getpid(), counter++);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", name, name);
    pg_exec(pg_url(), sql);
    const char *base = pg_url();
    size_t len = strlen(base) + strlen(name) + 64;
    *url = malloc(len);
    snprintf(*url, len, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?",
             name);
    *schema = strdup(name);
}

static void pg_drop_schema(const char *schema)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    pg_exec(pg_url(), sql);
}

/* ---- SQL on the store's database, with no store involved ---------------------- */

/* Run one query on a SQLite file and return the first column of the first
 * row as a malloc'ed string. */
static char *sq_text(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    int rc = sqlite3_step(st);
    cr_assert(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
    const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    char *out = strdup(t ? (const char *)t : "(none)");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static void sq_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                 SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

static void sq_assert(const char *path, const char *sql, const char *expected)
{
    char *got = sq_text(path, sql);
    cr_assert_str_eq(got, expected, "%s -> '%s', expected '%s'", sql, got, expected);
    free(got);
}

/* The same on the fixture's database, whichever backend: the SQL must be
 * understood by both (CAST(lost AS INTEGER), not lost; (1 = 0), not 0). */
static void sql_exec(const struct fixture *fx, const char *sql)
{
    if (fx->be->pg)
        pg_exec(fx->path, sql);
    else
        sq_exec(fx->path, sql);
}

static void assert_sql(const struct fixture *fx, const char *sql, const char *expected)
{
    char *got = fx->be->pg ? pg_text(fx->path, sql) : sq_text(fx->path, sql);
    cr_assert_str_eq(got, expected, "%s: %s -> '%s', expected '%s'", fx->be->name, sql, got,
                     expected);
    free(got);
}

/* ---- the fixture ------------------------------------------------------------ */

static void fx_open(struct fixture *fx)
{
    struct tune_error err = {0};
    int rc = tune_store_open(fx->path, &fx->store, &err);
    cr_assert_eq(rc, TUNE_OK, "open %s: %s", fx->path, err.msg);
}

static void fx_close(struct fixture *fx)
{
    tune_store_close(fx->store);
    fx->store = NULL;
}

/* An empty database of the backend, not opened. */
static struct fixture fx_empty(const struct backend *be)
{
    struct fixture fx = {0};
    fx.be = be;
    if (be->pg) {
        pg_new_schema(&fx.schema, &fx.path);
    } else {
        fx.dir = tu_tmpdir();
        size_t len = strlen(fx.dir) + 16;
        fx.path = malloc(len);
        snprintf(fx.path, len, "%s/tune.db", fx.dir);
    }
    return fx;
}

/* A fresh database with one study "iris-knn" (metric accuracy, maximize). */
static struct fixture fx_new(const struct backend *be)
{
    struct fixture fx = fx_empty(be);
    struct tune_error err = {0};
    int created = -1;
    fx_open(&fx);
    int rc = tune_store_study_create_or_load(fx.store, "iris-knn", CONFIG_A, "accuracy", 1,
                                             &fx.info, &created, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    cr_assert_eq(created, 1);
    return fx;
}

static void fx_free(struct fixture *fx)
{
    fx_close(fx);
    if (fx->be->pg) {
        pg_drop_schema(fx->schema);
        free(fx->schema);
    } else {
        sq_assert(fx->path, "PRAGMA integrity_check", "ok");
        sq_assert(fx->path, "PRAGMA foreign_key_check", "(none)");
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
        cr_assert_eq(system(cmd), 0);
        free(fx->dir);
    }
    tune_study_info_release(&fx->info);
    free(fx->path);
}

static int claim(struct fixture *fx, enum tune_trial_origin origin, size_t budget, int *number,
                 int *seq, struct tune_error *err)
{
    return tune_store_trial_claim(fx->store, fx->info.id, origin, budget, number, seq, err);
}

static void claim_ok(struct fixture *fx, enum tune_trial_origin origin, size_t budget,
                     int want_number, int want_seq)
{
    struct tune_error err = {0};
    int number = -7, seq = -7;
    int rc = claim(fx, origin, budget, &number, &seq, &err);
    cr_assert_eq(rc, TUNE_OK, "claim: %s", err.msg);
    cr_assert_eq(number, want_number);
    cr_assert_eq(seq, want_seq);
}

static void claim_over_budget(struct fixture *fx, size_t budget)
{
    struct tune_error err = {0};
    int number = -7, seq = -7;
    cr_assert_eq(claim(fx, TUNE_ORIGIN_SEARCH, budget, &number, &seq, &err), TUNE_EBUDGET,
                 "%s", err.msg);
    cr_assert_eq(number, -7, "a refused claim returns no number");
}

static void finish_simple(struct fixture *fx, int number, double value)
{
    struct tune_error err = {0};
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = value,
                                    .value_std = 0.0125, .fit_seconds = 0.5,
                                    .predict_seconds = 0.25};
    int rc = tune_store_trial_finish(fx->store, fx->info.id, number, &res, &err);
    cr_assert_eq(rc, TUNE_OK, "finish %d: %s", number, err.msg);
}

static void list(struct fixture *fx, struct tune_trial **trials, size_t *n)
{
    struct tune_error err = {0};
    int rc = tune_store_trial_list(fx->store, fx->info.id, trials, n, &err);
    cr_assert_eq(rc, TUNE_OK, "list: %s", err.msg);
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* ---- helpers of store.c ------------------------------------------------------ */

Test(store, trial_states_have_names_that_parse_back)
{
    for (int s = TUNE_TRIAL_RUNNING; s <= TUNE_TRIAL_PRUNED; s++)
        cr_assert_eq(tune_trial_state_parse(tune_trial_state_name((enum tune_trial_state)s)), s);
    cr_assert_str_eq(tune_trial_state_name(TUNE_TRIAL_PRUNED), "PRUNED");
    cr_assert_eq(tune_trial_state_parse("running"), -1, "names are case-sensitive");
    cr_assert_eq(tune_trial_state_parse(NULL), -1);
}

Test(store, mean_std_is_population_std_ignoring_nans)
{
    /* By hand: mean = 3.545 / 4 = 0.88625; deviations -0.07375, 0.05125, -0.0425,
     * 0.065 square-sum to 0.014096875, so the population variance (ddof 0,
     * NAN skipped) is 0.00352421875. */
    double v[] = {0.8125, NAN, 0.9375, 0.84375, 0.95125};
    double mean, std;
    tune_mean_std(v, 5, &mean, &std);
    assert_close(mean, 0.88625, 1e-15);
    assert_close(std, sqrt(0.00352421875), 1e-14);
    double none[] = {NAN, NAN};
    tune_mean_std(none, 2, &mean, &std);
    cr_assert(isnan(mean) && isnan(std));
    tune_mean_std(NULL, 0, &mean, &std);
    cr_assert(isnan(mean) && isnan(std));
}

Test(store, close_and_release_accept_null)
{
    tune_store_close(NULL);
    tune_study_info_release(NULL);
    tune_study_infos_free(NULL, 3);
    tune_trial_release(NULL);
    tune_trials_free(NULL, 3);
    tune_metric_summary_release(NULL);
}

Test(store, url_with_sqlite_scheme_opens_and_unknown_scheme_is_refused)
{
    char *dir = tu_tmpdir();
    char url[600];
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    snprintf(url, sizeof url, "sqlite:%s/a.db", dir);
    cr_assert_eq(tune_store_open(url, &s, &err), TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(s->type->name, "sqlite");
    cr_assert_eq(s->type->version, 7);
    tune_store_close(s);
    snprintf(url, sizeof url, "%s/a.db", dir);
    sq_assert(url, "PRAGMA user_version", "5");

    cr_assert_eq(tune_store_open("mysql://db.example/tune", &s, &err), TUNE_EINVAL);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "mysql://db.example/tune"), "%s", err.msg);
    cr_assert_eq(tune_store_open("", &s, &err), TUNE_EINVAL);
    cr_assert_eq(tune_store_open("sqlite:", &s, &err), TUNE_EINVAL);

    snprintf(url, sizeof url, "%s/no/such/dir/a.db", dir);
    cr_assert_eq(tune_store_open(url, &s, &err), TUNE_ESTORE);
    cr_assert(strstr(err.msg, url), "message names the path: %s", err.msg);
    cr_assert_null(strchr(err.msg, '\n'));
    snprintf(url, sizeof url, "rm -rf '%s'", dir);
    cr_assert_eq(system(url), 0);
    free(dir);
}

/* ---- schema ---------------------------------------------------------------- */

Test(store, fresh_database_is_wal_with_schema_version_4)
{
    struct fixture fx = fx_new(&sqlite_backend);
    assert_sql(&fx, "PRAGMA journal_mode", "wal");
    assert_sql(&fx, "PRAGMA user_version", "5");
    assert_sql(&fx, "SELECT value FROM meta WHERE key = 'schema_version'", "5");
    assert_sql(&fx,
               "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master"
               " WHERE type = 'table' ORDER BY name)",
               "artifacts,meta,studies,study_attrs,study_blob_chunks,study_blobs,trial_gone,"
               "trial_intermediate,trial_metric_folds,trial_metrics,trial_params,trials");
    /* Opening again runs the (idempotent) schema check without changing anything. */
    fx_close(&fx);
    fx_open(&fx);
    assert_sql(&fx, "SELECT COUNT(*) FROM meta", "1");
    fx_free(&fx);
}

Test(store, non_database_file_is_refused_with_its_path)
{
    char *dir = tu_tmpdir();
    char *path = tu_write(dir, "notes.txt",
                          "This is a plain text file with more than a hundred bytes in it, so "
                          "SQLite reads a header and finds it is not a database at all.\n");
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(path, &s, &err), TUNE_EINVAL);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, path), "message names the path: %s", err.msg);
    cr_assert(strstr(err.msg, "not a database"), "%s", err.msg);
    cr_assert_null(strchr(err.msg, '\n'));
    FILE *f = fopen(path, "rb");
    char head[5] = {0};
    cr_assert_eq(fread(head, 1, 4, f), 4);
    fclose(f);
    cr_assert_str_eq(head, "This", "the file is left untouched");
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

Test(store, newer_schema_version_is_refused)
{
    char *dir = tu_tmpdir();
    char path[600];
    snprintf(path, sizeof path, "%s/new.db", dir);
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(path, &s, &err), TUNE_OK, "%s", err.msg);
    tune_store_close(s);
    sq_exec(path, "PRAGMA user_version = 6");
    cr_assert_eq(tune_store_open(path, &s, &err), TUNE_EINVAL);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    cr_assert(strstr(err.msg, "version 6 is newer"), "%s", err.msg);

    sq_exec(path, "PRAGMA user_version = 5; UPDATE meta SET value = '6'");
    cr_assert_eq(tune_store_open(path, &s, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "version 6 is newer"), "%s", err.msg);
    sq_assert(path, "PRAGMA integrity_check", "ok");
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    cr_assert_eq(system(path), 0);
    free(dir);
}

Test(store, another_programs_sqlite_database_is_left_alone)
{
    char *dir = tu_tmpdir();
    char path[600];
    snprintf(path, sizeof path, "%s/other.db", dir);
    sq_exec(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT);"
                   "INSERT INTO photos(file) VALUES ('cat.jpg')");
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(path, &s, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    cr_assert(strstr(err.msg, "not a tunefold store"), "%s", err.msg);
    sq_assert(path, "SELECT COUNT(*) FROM sqlite_master", "1");
    sq_assert(path, "PRAGMA journal_mode", "delete");
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    cr_assert_eq(system(path), 0);
    free(dir);
}

/* ---- PostgreSQL's own: URLs, passwords, schemas --------------------------------- */

Test(store_pg, a_password_in_the_url_is_refused_without_being_repeated)
{
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open("postgresql://ann:s3cr3t@127.0.0.1:1/tune", &s, &err),
                 TUNE_EINVAL);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "~/.pgpass") && strstr(err.msg, "PGPASSWORD"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "s3cr3t"), "the password is never printed: %s", err.msg);
    cr_assert_eq(tune_store_open("postgres://ann@127.0.0.1:1/tune?password=s3cr3t", &s, &err),
                 TUNE_EINVAL);
    cr_assert_null(strstr(err.msg, "s3cr3t"), "%s", err.msg);
    /* nobody listens on port 1: a store error naming the URL, at once */
    cr_assert_eq(tune_store_open("postgresql://ann@127.0.0.1:1/tune", &s, &err), TUNE_ESTORE);
    cr_assert(strstr(err.msg, "postgresql://ann@127.0.0.1:1/tune") &&
                  strstr(err.msg, "cannot connect"),
              "%s", err.msg);
    cr_assert_null(strchr(err.msg, '\n'));
    cr_assert_eq(tune_store_open("postgresql://[bad", &s, &err), TUNE_EINVAL);
}

Test(store_pg, a_fresh_schema_gets_every_table_and_the_current_version_once)
{
    pg_require();
    struct fixture fx = fx_new(&pg_backend);
    cr_assert_str_eq(fx.store->type->name, "postgres");
    cr_assert_eq(fx.store->type->version, 7);
    assert_sql(&fx, "SELECT value FROM meta WHERE key = 'schema_version'", "3");
    assert_sql(&fx,
               "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables"
               " WHERE schemaname = current_schema()",
               "artifacts,meta,studies,study_attrs,study_blob_chunks,study_blobs,trial_gone,"
               "trial_intermediate,trial_metric_folds,trial_metrics,trial_params,trials");
    fx_close(&fx);
    fx_open(&fx);
    assert_sql(&fx, "SELECT COUNT(*) FROM meta", "1");
    /* times are the server's: the study was created by its clock */
    assert_sql(&fx, "SELECT abs(created - EXTRACT(EPOCH FROM now())) < 60 FROM studies", "t");
    fx_free(&fx);
}

Test(store_pg, a_newer_schema_and_another_programs_tables_are_refused_and_left_alone)
{
    pg_require();
    struct fixture fx = fx_new(&pg_backend);
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    fx_close(&fx);
    sql_exec(&fx, "UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    cr_assert_eq(tune_store_open(fx.path, &s, &err), TUNE_EINVAL);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "version 5 is newer") && strstr(err.msg, fx.path), "%s", err.msg);
    fx_free(&fx);

    fx = fx_empty(&pg_backend);
    sql_exec(&fx, "CREATE TABLE photos (id serial PRIMARY KEY, file text);"
                  "INSERT INTO photos(file) VALUES ('cat.jpg')");
    cr_assert_eq(tune_store_open(fx.path, &s, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "not a tunefold store") && strstr(err.msg, fx.path), "%s",
              err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()", "1");
    /* a meta table of someone else's is no tunefold store either */
    sql_exec(&fx, "CREATE TABLE meta (id int)");
    cr_assert_eq(tune_store_open(fx.path, &s, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "not a tunefold store"), "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()", "2");
    fx.info.name = NULL;
    fx_free(&fx);
}

Test(store_pg, several_processes_opening_an_empty_schema_at_once_create_it_once)
{
    pg_require();
    struct fixture fx = fx_empty(&pg_backend);
    enum { N = 6 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        cr_assert_neq(pids[i], -1);
        if (pids[i] == 0) {
            struct tune_store *s = NULL;
            struct tune_error err = {0};
            _exit(tune_store_open(fx.path, &s, &err) == TUNE_OK ? 0 : 1);
        }
    }
    for (int i = 0; i < N; i++) {
        int st = 0;
        cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    assert_sql(&fx, "SELECT COUNT(*) FROM meta", "1");
    fx_free(&fx);
}

Test(store_pg, text_that_is_not_utf8_is_stored_with_question_marks)
{
    pg_require();
    struct fixture fx = fx_new(&pg_backend);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    struct tune_trial_result res = {.state = TUNE_TRIAL_FAILED, .value = NAN, .value_std = NAN,
                                    .fit_seconds = NAN, .predict_seconds = NAN,
                                    .error = "bad \xff\xfe byte, caf\xc3\xa9 ok"};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_OK, "%s",
                 err.msg);
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 0, &t, &err), TUNE_OK);
    cr_assert_str_eq(t.error, "bad ?? byte, caf\xc3\xa9 ok");
    tune_trial_release(&t);
    fx_free(&fx);
}

/* ---- studies --------------------------------------------------------------- */

CONFORMANCE(store, study_is_created_then_reloaded_and_a_different_config_conflicts)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    struct tune_study_info again = {0};
    int created = -1;
    cr_assert_str_eq(fx.info.name, "iris-knn");
    cr_assert_str_eq(fx.info.config_json, CONFIG_A);
    cr_assert_str_eq(fx.info.metric, "accuracy");
    cr_assert_eq(fx.info.maximize, 1);
    cr_assert(fx.info.created > 1.6e9, "created is Unix seconds: %f", fx.info.created);

    int rc = tune_store_study_create_or_load(fx.store, "iris-knn", CONFIG_A, "accuracy", 1,
                                                  &again, &created, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    cr_assert_eq(created, 0);
    cr_assert_eq(again.id, fx.info.id);
    cr_assert(same_double(again.created, fx.info.created));
    cr_assert_str_eq(again.config_json, CONFIG_A);
    tune_study_info_release(&again);

    rc = tune_store_study_create_or_load(fx.store, "iris-knn", CONFIG_B, "accuracy", 1,
                                              &again, &created, &err);
    cr_assert_eq(rc, TUNE_ECONFLICT);
    char want[1024];
    snprintf(want, sizeof want,
             "study 'iris-knn' already exists in %s with a different configuration; choose a new "
             "\"name\" in the study file or use another --db",
             fx.path);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(again.name);
    assert_sql(&fx, "SELECT config_json FROM studies", CONFIG_A);

    /* A second study, listed after the first; find by name; unknown name. */
    rc = tune_store_study_create_or_load(fx.store, "wine-svm", CONFIG_B, "log_loss", 0,
                                              &again, &created, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    cr_assert_eq(created, 1);
    tune_study_info_release(&again);
    struct tune_study_info *all = NULL;
    size_t n = 0;
    cr_assert_eq(tune_store_study_list(fx.store, &all, &n, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(all[0].name, "iris-knn");
    cr_assert_str_eq(all[1].name, "wine-svm");
    cr_assert_eq(all[1].maximize, 0);
    cr_assert_str_eq(all[1].metric, "log_loss");
    tune_study_infos_free(all, n);
    cr_assert_eq(tune_store_study_find(fx.store, "wine-svm", &again, &err), TUNE_OK);
    cr_assert_str_eq(again.config_json, CONFIG_B);
    tune_study_info_release(&again);
    cr_assert_eq(tune_store_study_find(fx.store, "boston", &again, &err), TUNE_ENOTFOUND);
    cr_assert(strstr(err.msg, "'boston'") && strstr(err.msg, fx.path), "%s", err.msg);
    fx_free(&fx);
}

/* ---- claims and the budget ------------------------------------------------- */

CONFORMANCE(store, search_claims_stop_at_the_budget_and_manual_claims_take_no_seq)
{
    struct fixture fx = fx_new(be);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_MANUAL, 3, 1, -1);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 2, 1);
    finish_simple(&fx, 0, 0.9123);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 3, 2);
    claim_over_budget(&fx, 3);
    claim_over_budget(&fx, 3);
    assert_sql(&fx, "SELECT COUNT(*) FROM trials", "4");
    /* The budget binds search trials only. */
    claim_ok(&fx, TUNE_ORIGIN_MANUAL, 0, 4, -1);
    /* A larger budget lets the search continue where it stopped. */
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 4, 5, 3);

    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_eq(n, 6);
    int want_seq[] = {0, -1, 1, 2, -1, 3};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t[i].number, (int)i);
        cr_assert_eq(t[i].seq, want_seq[i]);
        cr_assert_eq(t[i].origin, want_seq[i] < 0 ? TUNE_ORIGIN_MANUAL : TUNE_ORIGIN_SEARCH);
        cr_assert_eq(t[i].state, i == 0 ? TUNE_TRIAL_COMPLETE : TUNE_TRIAL_RUNNING);
        cr_assert_null(t[i].params_json);
        cr_assert(t[i].t_start > 1.6e9);
        cr_assert_eq(i == 0, !isnan(t[i].t_end), "t_end is NAN while running");
    }
    tune_trials_free(t, n);
    /* claim sets the heartbeat to its start time */
    assert_sql(&fx, "SELECT COUNT(*) FROM trials WHERE heartbeat IS NULL", "0");

    struct tune_error err = {0};
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(fx.store, fx.info.id + 99, TUNE_ORIGIN_SEARCH, 10,
                                             &number, &seq, &err),
                 TUNE_ENOTFOUND);
    fx_free(&fx);
}

CONFORMANCE(store, abandoned_claim_is_removed_and_gives_its_slot_back)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 1, 1);
    claim_over_budget(&fx, 2);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 1, "{\"k\":7}", &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 1, "log", "x", 1, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_trial_abandon(fx.store, fx.info.id, 1, &err), TUNE_OK, "%s",
                 err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_params", "0");
    assert_sql(&fx, "SELECT COUNT(*) FROM artifacts", "0");
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 1, 1);

    finish_simple(&fx, 0, 0.75);
    cr_assert_eq(tune_store_trial_abandon(fx.store, fx.info.id, 0, &err), TUNE_ECONFLICT);
    cr_assert(strstr(err.msg, "already COMPLETE"), "%s", err.msg);
    cr_assert_eq(tune_store_trial_abandon(fx.store, fx.info.id, 17, &err), TUNE_ENOTFOUND);
    assert_sql(&fx, "SELECT COUNT(*) FROM trials", "2");
    fx_free(&fx);
}

/* Four processes claim from one file at once: the budget is never exceeded
 * and no number or seq is handed out twice. */
CONFORMANCE(store, concurrent_workers_never_exceed_the_budget_or_share_a_number)
{
    struct fixture fx = fx_new(be);
    fx_close(&fx);
    enum { WORKERS = 4, BUDGET = 37 };
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        cr_assert_neq(pids[w], -1);
        if (pids[w] == 0) {
            struct tune_store *s = NULL;
            struct tune_error err = {0};
            int number, seq, rc = 0;
            if (tune_store_open(fx.path, &s, &err))
                _exit(10);
            while ((rc = tune_store_trial_claim(s, fx.info.id, TUNE_ORIGIN_SEARCH, BUDGET,
                                              &number, &seq, &err)) == TUNE_OK) {
                struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE,
                                                .value = 0.5 + seq / 1024.0, .value_std = NAN,
                                                .fit_seconds = NAN, .predict_seconds = NAN};
                if (tune_store_trial_finish(s, fx.info.id, number, &res, &err))
                    _exit(11);
            }
            tune_store_close(s);
            _exit(rc == TUNE_EBUDGET ? 0 : 12);
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        int st = 0;
        cr_assert_eq(waitpid(pids[w], &st, 0), pids[w]);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d: status %d", w, st);
    }
    fx_open(&fx);
    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_eq(n, BUDGET);
    int seen[BUDGET] = {0};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t[i].number, (int)i);
        cr_assert(t[i].seq >= 0 && t[i].seq < BUDGET);
        cr_assert_eq(seen[t[i].seq]++, 0, "seq %d handed out twice", t[i].seq);
        cr_assert_eq(t[i].state, TUNE_TRIAL_COMPLETE);
        cr_assert(same_double(t[i].value, 0.5 + t[i].seq / 1024.0));
    }
    tune_trials_free(t, n);
    fx_free(&fx);
}

/* ---- params ---------------------------------------------------------------- */

CONFORMANCE(store, params_are_stored_whole_and_one_row_per_key)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    /* cJSON's own printer would turn C into 0.00316227766016838, one ulp off. */
    const char *params = "{\"C\":0.0031622776601683794,\"penalty\":\"l1\",\"max_iter\":237,"
                         "\"fit_intercept\":true,\"layers\":[64,1.5e-300,\"a\\\"b\"]}";
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    int rc = tune_store_trial_set_params(fx.store, fx.info.id, 0, params, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_params", "5");
    assert_sql(&fx, "SELECT value_json FROM trial_params WHERE name = 'layers'",
               "[64,1.5e-300,\"a\\\"b\"]");
    assert_sql(&fx, "SELECT params_json FROM trials", params);
    assert_sql(&fx, "SELECT value_json FROM trial_params WHERE name = 'C'",
               "0.0031622776601683794");
    assert_sql(&fx, "SELECT value_json FROM trial_params WHERE name = 'penalty'", "\"l1\"");
    assert_sql(&fx, "SELECT value_json FROM trial_params WHERE name = 'max_iter'", "237");
    assert_sql(&fx, "SELECT value_json FROM trial_params WHERE name = 'fit_intercept'",
               "true");
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_params WHERE trial_id <>"
                    " (SELECT id FROM trials WHERE number = 0)",
               "0");

    /* Setting again replaces every row. */
    rc = tune_store_trial_set_params(fx.store, fx.info.id, 0, "{\"C\":12.5}", &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_params", "1");
    assert_sql(&fx, "SELECT name || '=' || value_json FROM trial_params", "C=12.5");

    /* Bad input changes nothing. */
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 0, "[1,2]", &err),
                 TUNE_EINVAL);
    cr_assert(strstr(err.msg, "not a JSON object"), "%s", err.msg);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 0, "{\"C\":", &err),
                 TUNE_EINVAL);
    cr_assert(strstr(err.msg, "not valid JSON"), "%s", err.msg);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 0,
                                                  "{\"C\":1,\"C\":2}", &err),
                 TUNE_EINVAL);
    cr_assert(strstr(err.msg, "'C'"), "%s", err.msg);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 9, "{}", &err),
                 TUNE_ENOTFOUND);
    assert_sql(&fx, "SELECT params_json FROM trials", "{\"C\":12.5}");

    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_str_eq(t[0].params_json, "{\"C\":12.5}");
    tune_trials_free(t, n);

    /* A finished trial's params are history: they cannot change. */
    finish_simple(&fx, 0, 0.5);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 0, "{\"C\":1}", &err),
                 TUNE_ECONFLICT);
    assert_sql(&fx, "SELECT params_json FROM trials", "{\"C\":12.5}");
    fx_free(&fx);
}

/* ---- results --------------------------------------------------------------- */

static const double acc_folds[5] = {0.98765432101234567, 0.91234567890123456, NAN,
                                    0.93333333333333335, 0.90000000000000002};
static const double auc_folds[5] = {0.99173553719008267, 0.97520661157024791,
                                    0.96694214876033058, 1.0, 0.98347107438016534};

static void finish_two_metrics(struct fixture *fx, int number)
{
    struct tune_error err = {0};
    struct tune_metric_summary m[2] = {
        /* given out of name order: the store returns metrics by name */
        {.name = "roc_auc", .mean = 0.98347107438016523, .std = 0.011353786845710041,
         .n_folds = 5, .folds = (double *)auc_folds},
        {.name = "accuracy", .mean = 0.93333333330697838, .std = NAN, .n_folds = 5,
         .folds = (double *)acc_folds},
    };
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE,
                                    .value = 0.93333333330697838,
                                    .value_std = 0.031180478223795413,
                                    .fit_seconds = 0.0123456789012345678,
                                    .predict_seconds = 1.2345678901234567e-05,
                                    .n_metrics = 2,
                                    .metrics = m};
    int rc = tune_store_trial_finish(fx->store, fx->info.id, number, &res, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
}

static void check_two_metrics(const struct tune_trial *t)
{
    cr_assert_eq(t->state, TUNE_TRIAL_COMPLETE);
    cr_assert(same_double(t->value, 0.93333333330697838));
    cr_assert(same_double(t->value_std, 0.031180478223795413));
    cr_assert(same_double(t->fit_seconds, 0.0123456789012345678));
    cr_assert(same_double(t->predict_seconds, 1.2345678901234567e-05));
    cr_assert(t->t_end >= t->t_start);
    cr_assert_null(t->error);
    cr_assert_eq(t->n_metrics, 2);
    cr_assert_str_eq(t->metrics[0].name, "accuracy");
    cr_assert_str_eq(t->metrics[1].name, "roc_auc");
    cr_assert(same_double(t->metrics[0].mean, 0.93333333330697838));
    cr_assert(isnan(t->metrics[0].std), "NAN round-trips");
    cr_assert(same_double(t->metrics[1].mean, 0.98347107438016523));
    cr_assert(same_double(t->metrics[1].std, 0.011353786845710041));
    for (int k = 0; k < 2; k++) {
        const double *want = k == 0 ? acc_folds : auc_folds;
        cr_assert_eq(t->metrics[k].n_folds, 5);
        for (int f = 0; f < 5; f++)
            cr_assert(same_double(t->metrics[k].folds[f], want[f]),
                      "metric %d fold %d: %.17g vs %.17g", k, f, t->metrics[k].folds[f], want[f]);
    }
}

CONFORMANCE(store, finished_trial_reads_back_exact_doubles_and_nan)
{
    struct fixture fx = fx_new(be);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 1, 1);
    finish_two_metrics(&fx, 0);
    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_eq(n, 2);
    check_two_metrics(&t[0]);
    cr_assert_eq(t[1].state, TUNE_TRIAL_RUNNING);
    cr_assert_eq(t[1].n_metrics, 0);
    cr_assert(isnan(t[1].value) && isnan(t[1].t_end));
    tune_trials_free(t, n);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_metric_folds", "10");
    assert_sql(&fx, "SELECT state FROM trials WHERE number = 0", "COMPLETE");

    /* A FAILED trial keeps its message; a metric without folds has none. */
    struct tune_error err = {0};
    struct tune_metric_summary m = {.name = "accuracy", .mean = NAN, .std = NAN};
    struct tune_trial_result res = {.state = TUNE_TRIAL_FAILED, .value = NAN, .value_std = NAN,
                                    .fit_seconds = 0.375, .predict_seconds = NAN,
                                    .error = "fold 3: solver diverged", .n_metrics = 1,
                                    .metrics = &m};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &res, &err), TUNE_OK,
                 "%s", err.msg);
    list(&fx, &t, &n);
    cr_assert_eq(t[1].state, TUNE_TRIAL_FAILED);
    cr_assert_str_eq(t[1].error, "fold 3: solver diverged");
    cr_assert(same_double(t[1].fit_seconds, 0.375));
    cr_assert_eq(t[1].n_metrics, 1);
    cr_assert_eq(t[1].metrics[0].n_folds, 0);
    cr_assert_null(t[1].metrics[0].folds);
    cr_assert(isnan(t[1].metrics[0].mean));
    tune_trials_free(t, n);
    fx_free(&fx);
}

CONFORMANCE(store, finishing_twice_fails_and_keeps_the_first_result)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    finish_two_metrics(&fx, 0);
    struct tune_trial_result res = {.state = TUNE_TRIAL_PRUNED, .value = 0.25};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err),
                 TUNE_ECONFLICT);
    cr_assert(strstr(err.msg, "trial 0") && strstr(err.msg, "already COMPLETE") &&
                  strstr(err.msg, fx.path),
              "%s", err.msg);
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 5, &res, &err),
                 TUNE_ENOTFOUND);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 1, 1);
    res.state = TUNE_TRIAL_RUNNING;
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &res, &err), TUNE_EINVAL);
    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    check_two_metrics(&t[0]);
    cr_assert_eq(t[1].state, TUNE_TRIAL_RUNNING);
    tune_trials_free(t, n);
    fx_free(&fx);
}

/* Fault injection: a trigger makes the 4th fold insert fail half-way through
 * trial_finish; the transaction must roll back completely. */
CONFORMANCE(store, a_failure_half_way_through_finish_rolls_everything_back)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    if (be->pg)
        sql_exec(&fx, "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$"
                      " BEGIN IF NEW.fold = 3 AND NEW.name = 'roc_auc' THEN"
                      " RAISE EXCEPTION 'injected disk failure'; END IF; RETURN NEW; END $$;"
                      "CREATE TRIGGER boom BEFORE INSERT ON trial_metric_folds"
                      " FOR EACH ROW EXECUTE FUNCTION boom()");
    else
        sql_exec(&fx, "CREATE TRIGGER boom BEFORE INSERT ON trial_metric_folds"
                      " WHEN NEW.fold = 3 AND NEW.name = 'roc_auc'"
                      " BEGIN SELECT RAISE(ABORT, 'injected disk failure'); END");
    struct tune_metric_summary m = {.name = "roc_auc", .mean = 0.875, .std = 0.0625,
                                    .n_folds = 5, .folds = (double *)auc_folds};
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.875,
                                    .value_std = 0.0625, .n_metrics = 1, .metrics = &m};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_ESTORE);
    cr_assert(strstr(err.msg, "injected disk failure") && strstr(err.msg, fx.path), "%s",
              err.msg);
    assert_sql(&fx, "SELECT state FROM trials", "RUNNING");
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_metrics", "0");
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_metric_folds", "0");

    /* The store is still usable, and the trial can be finished once the fault is gone. */
    sql_exec(&fx, be->pg ? "DROP TRIGGER boom ON trial_metric_folds" : "DROP TRIGGER boom");
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_OK,
                 "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_metric_folds", "5");
    fx_free(&fx);
}

/* ---- stale trials ---------------------------------------------------------- */

CONFORMANCE(store, stale_running_trial_is_marked_lost_and_frees_a_budget_slot)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    size_t marked = 99;
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 1, 1);
    finish_simple(&fx, 0, 0.8125);
    claim_over_budget(&fx, 2);

    /* An hour is not stale yet. */
    cr_assert_eq(tune_store_trial_recover_stale(fx.store, fx.info.id, 3600.0, &marked, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(marked, 0);
    cr_assert_eq(tune_store_trial_recover_stale(fx.store, fx.info.id, 0.0, &marked, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(marked, 1);
    assert_sql(&fx, "SELECT CAST(lost AS INTEGER) FROM trials WHERE number = 1", "1");
    assert_sql(&fx, "SELECT CAST(lost AS INTEGER) FROM trials WHERE number = 0", "0");

    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_eq(t[0].state, TUNE_TRIAL_COMPLETE, "finished trials are never touched");
    cr_assert_eq(t[1].state, TUNE_TRIAL_FAILED);
    cr_assert_str_eq(t[1].error, "worker lost");
    cr_assert(!isnan(t[1].t_end));
    cr_assert(t[1].lost && !t[0].lost, "the list says which trial was lost");
    tune_trials_free(t, n);

    /* The lost trial keeps its seq; its budget slot goes to a new claim,
     * which retries the lost seq (the point the dead worker never finished). */
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 2, 1);
    claim_over_budget(&fx, 2);

    /* The lost worker coming back cannot overwrite the verdict. */
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.99};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &res, &err),
                 TUNE_ECONFLICT);
    cr_assert(strstr(err.msg, "lost"), "%s", err.msg);
    cr_assert_eq(tune_store_trial_recover_stale(fx.store, fx.info.id, -1.0, &marked, &err),
                 TUNE_EINVAL);
    fx_free(&fx);
}

/* ---- artifacts ------------------------------------------------------------- */

CONFORMANCE(store, artifact_save_replace_and_load_round_trip_binary_data)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    finish_simple(&fx, 0, 0.625);
    const unsigned char first[] = {'r', 'o', 'w', 0, 0xff, 0x80, '\n', 7};
    const char *second = "row,fold,label\n0,2,1\n1,0,0\n";
    void *data = NULL;
    size_t len = 0;

    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "oof.csv", first,
                                               sizeof first, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "oof.csv", &data, &len,
                                               &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(len, sizeof first);
    cr_assert_eq(memcmp(data, first, len), 0);
    cr_assert_eq(((char *)data)[len], '\0');
    free(data);

    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "oof.csv", second,
                                               strlen(second), &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "oof.csv", &data, &len,
                                               &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(len, strlen(second));
    cr_assert_str_eq(data, second);
    free(data);
    assert_sql(&fx, "SELECT COUNT(*) FROM artifacts", "1");

    /* Empty artifacts are empty, not missing. */
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "empty", NULL, 0, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "empty", &data, &len,
                                               &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(data, "");
    free(data);

    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "model.bin", &data, &len,
                                               &err),
                 TUNE_ENOTFOUND);
    cr_assert_null(data);
    cr_assert(strstr(err.msg, "'model.bin'"), "%s", err.msg);
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 4, "x", "y", 1, &err),
                 TUNE_ENOTFOUND);
    fx_free(&fx);
}

/* Bytes that tell any two offsets apart (zeros among them), from a seed. */
static unsigned char *pattern(size_t len, unsigned seed)
{
    unsigned char *p = malloc(len + 1);
    cr_assert_not_null(p);
    uint64_t x = 0x9e3779b97f4a7c15ULL * (seed + 1);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = i % 251 == 0 ? 0 : (unsigned char)(x >> 24);
    }
    return p;
}

static void artifact_is(struct fixture *fx, int number, const char *name, const void *want,
                        size_t want_len)
{
    struct tune_error err = {0};
    void *data = NULL;
    size_t len = 0;
    cr_assert_eq(tune_store_artifact_load(fx->store, fx->info.id, number, name, &data, &len,
                                          &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(len, want_len, "%s: %zu bytes, not %zu", name, len, want_len);
    cr_assert_eq(memcmp(data, want, len), 0, "%s: the bytes differ", name);
    cr_assert_eq(((char *)data)[len], '\0');
    free(data);
}

/* Artifacts beyond one 1 MiB chunk take another way into SQLite (a zeroblob
 * filled by incremental blob I/O): the same bytes come back, whether saved
 * alone or with a trial's result, new or replacing a smaller or larger one. */
CONFORMANCE(store, artifacts_larger_than_a_chunk_round_trip_bit_for_bit)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    const size_t mib = (size_t)1 << 20;
    size_t big_len = 3 * mib + 17, exact_len = mib + 1, small_len = 1000;
    unsigned char *big = pattern(big_len, 1), *exact = pattern(exact_len, 2),
                  *small = pattern(small_len, 3), *other = pattern(big_len + mib, 4);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    const struct tune_artifact art[] = {{"oof.csv", big, big_len},
                                        {"chunk+1", exact, exact_len},
                                        {"small", small, small_len}};
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.5, .value_std = 0,
                                    .n_artifacts = 3, .artifacts = art};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_OK, "%s",
                 err.msg);
    artifact_is(&fx, 0, "oof.csv", big, big_len);
    artifact_is(&fx, 0, "chunk+1", exact, exact_len);
    artifact_is(&fx, 0, "small", small, small_len);
    /* replaced: large by larger, larger by small, small by large */
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "oof.csv", other,
                                          big_len + mib, &err),
                 TUNE_OK, "%s", err.msg);
    artifact_is(&fx, 0, "oof.csv", other, big_len + mib);
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "oof.csv", small, small_len,
                                          &err),
                 TUNE_OK, "%s", err.msg);
    artifact_is(&fx, 0, "oof.csv", small, small_len);
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "small", big, big_len, &err),
                 TUNE_OK, "%s", err.msg);
    artifact_is(&fx, 0, "small", big, big_len);
    artifact_is(&fx, 0, "chunk+1", exact, exact_len);
    assert_sql(&fx, "SELECT COUNT(*) FROM artifacts", "3");
    /* and after reopening */
    fx_close(&fx);
    fx_open(&fx);
    artifact_is(&fx, 0, "small", big, big_len);
    free(big);
    free(exact);
    free(small);
    free(other);
    fx_free(&fx);
}

/* ---- persistence ----------------------------------------------------------- */

CONFORMANCE(store, reopened_database_returns_everything_stored)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    size_t marked;
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 0, 0);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 0,
                                                  "{\"k\":13,\"weights\":\"distance\"}", &err),
                 TUNE_OK, "%s", err.msg);
    finish_two_metrics(&fx, 0);
    claim_ok(&fx, TUNE_ORIGIN_MANUAL, 3, 1, -1);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 2, 1);
    cr_assert_eq(tune_store_trial_recover_stale(fx.store, fx.info.id, 0, &marked, &err),
                 TUNE_OK);
    cr_assert_eq(marked, 2);
    const char blob[] = "a\0b";
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "oof.csv", blob, 3, &err),
                 TUNE_OK);
    fx_close(&fx);

    fx_open(&fx);
    struct tune_study_info info = {0};
    int created = -1;
    cr_assert_eq(tune_store_study_create_or_load(fx.store, "iris-knn", CONFIG_A, "accuracy",
                                                      1, &info, &created, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(created, 0);
    cr_assert_eq(info.id, fx.info.id);
    cr_assert(same_double(info.created, fx.info.created));
    tune_study_info_release(&info);

    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_eq(n, 3);
    check_two_metrics(&t[0]);
    cr_assert_str_eq(t[0].params_json, "{\"k\":13,\"weights\":\"distance\"}");
    cr_assert_eq(t[1].origin, TUNE_ORIGIN_MANUAL);
    cr_assert_eq(t[1].state, TUNE_TRIAL_FAILED);
    cr_assert_str_eq(t[2].error, "worker lost");
    tune_trials_free(t, n);

    void *data = NULL;
    size_t len = 0;
    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "oof.csv", &data, &len,
                                               &err),
                 TUNE_OK);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(data, blob, 3), 0);
    free(data);
    /* the lost seq 1 is retried first; the budget counts only live ones. */
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 3, 1);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 4, 2);
    claim_over_budget(&fx, 3);
    fx_free(&fx);
}

CONFORMANCE(store, study_attributes_are_set_replaced_and_read)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    char *v = NULL;
    cr_assert_eq(tune_store_study_get_attr(fx.store, fx.info.id, "source", &v, &err),
                 TUNE_ENOTFOUND);
    cr_assert_null(v);
    cr_assert_eq(tune_store_study_set_attr(fx.store, fx.info.id, "source", "/a/b.json",
                                                &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_set_attr(fx.store, fx.info.id, "source", "/c/d.json",
                                                &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_get_attr(fx.store, fx.info.id, "source", &v, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(v, "/c/d.json");
    free(v);
    fx_free(&fx);
}

/* ---- the tune_store_* wrappers ---------------------------------------------- */

struct trace_log {
    char methods[8][40];
    int status[8];
    size_t n;
};

static void trace_call(void *arg, const char *method, int status, double seconds)
{
    struct trace_log *log = arg;
    cr_assert(seconds >= 0);
    if (log->n < 8) {
        snprintf(log->methods[log->n], sizeof log->methods[0], "%s", method);
        log->status[log->n++] = status;
    }
}

CONFORMANCE(store_wrappers, fail_at_fails_the_nth_call_and_every_later_one_without_reaching_the_store)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    int number, seq;
    tune_store_fail_at(fx.store, 2);
    cr_assert_eq(tune_store_trial_claim(fx.store, fx.info.id, TUNE_ORIGIN_SEARCH, 10, &number,
                                        &seq, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, number, "{\"k\": 3}", &err),
                 TUNE_ESTORE);
    cr_assert(strstr(err.msg, "trial_set_params") && strstr(err.msg, "injected"), "%s",
              err.msg);
    cr_assert_eq(tune_store_trial_heartbeat(fx.store, fx.info.id, number, &err), TUNE_ESTORE);
    /* nothing reached the database: the claimed trial has no params */
    assert_sql(&fx, "SELECT COALESCE(params_json, 'none') FROM trials", "none");
    tune_store_fail_at(fx.store, 0);
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, number, "{\"k\": 3}", &err),
                 TUNE_OK, "%s", err.msg);
    fx_free(&fx);
}

CONFORMANCE(store_wrappers, the_trace_hook_sees_every_call_with_its_status)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    struct trace_log log = {0};
    struct tune_study_info info = {0};
    tune_store_set_trace(fx.store, trace_call, &log);
    cr_assert_eq(tune_store_study_find(fx.store, "iris-knn", &info, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_find(fx.store, "nope", &info, &err), TUNE_ENOTFOUND);
    tune_store_set_trace(fx.store, NULL, NULL);
    cr_assert_eq(tune_store_study_list(fx.store, &(struct tune_study_info *){NULL}, &(size_t){0},
                                       &err),
                 TUNE_OK);
    cr_assert_eq(log.n, 2);
    cr_assert_str_eq(log.methods[0], "study_find");
    cr_assert_eq(log.status[0], TUNE_OK);
    cr_assert_eq(log.status[1], TUNE_ENOTFOUND);
    tune_study_info_release(&info);
    fx_free(&fx);
}

CONFORMANCE(store_wrappers, a_method_newer_than_the_vtable_or_missing_is_unsupported_not_a_crash)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    const struct tune_store_type *real = fx.store->type;
    struct tune_store_type old = *real;
    old.version = 0; /* older than every method */
    fx.store->type = &old;
    cr_assert_eq(tune_store_trial_heartbeat(fx.store, fx.info.id, 0, &err), TUNE_EUNSUPPORTED);
    cr_assert(strstr(err.msg, "trial_heartbeat") && strstr(err.msg, "version 0"), "%s", err.msg);
    old.version = real->version;
    old.study_get_attr = NULL;
    char *v = NULL;
    cr_assert_eq(tune_store_study_get_attr(fx.store, fx.info.id, "k", &v, &err),
                 TUNE_EUNSUPPORTED);
    cr_assert_null(v);
    fx.store->type = real;
    fx_free(&fx);
}

/* ---- version 2: changes, release, best, pages, progress, migration ------------ */

/* Read the changes since *stamp, check the numbers and states they name
 * ("3:RUNNING,4:gone"), and move *stamp on. */
static void expect_changes(struct fixture *fx, int64_t *stamp, const char *want)
{
    struct tune_error err = {0};
    struct tune_trial_brief *v = NULL;
    size_t n = 0;
    int64_t next = -7;
    cr_assert_eq(tune_store_trial_changes(fx->store, fx->info.id, *stamp, &v, &n, &next, &err),
                 TUNE_OK, "%s", err.msg);
    char got[512] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d:%s%s", i ? "," : "",
                 v[i].number, v[i].gone ? "gone" : tune_trial_state_name(v[i].state),
                 v[i].lost ? "(lost)" : "");
    cr_assert_str_eq(got, want, "changes since %lld: '%s', expected '%s'", (long long)*stamp,
                     got, want);
    cr_assert(next >= *stamp);
    *stamp = next;
    tune_trial_briefs_free(v, n);
}

CONFORMANCE(store_v2, changes_name_exactly_the_trials_touched_since_a_stamp)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    int64_t stamp = -1;
    expect_changes(&fx, &stamp, "");
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 1, 1);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 2, 2);
    expect_changes(&fx, &stamp, "0:RUNNING,1:RUNNING,2:RUNNING");
    expect_changes(&fx, &stamp, "");
    finish_simple(&fx, 1, 0.75);
    cr_assert_eq(tune_store_trial_heartbeat(fx.store, fx.info.id, 0, &err), TUNE_OK);
    expect_changes(&fx, &stamp, "1:COMPLETE"); /* heartbeats are not changes */
    cr_assert_eq(tune_store_trial_set_params(fx.store, fx.info.id, 0, "{\"k\": 3}", &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_trial_abandon(fx.store, fx.info.id, 2, &err), TUNE_OK, "%s",
                 err.msg);
    expect_changes(&fx, &stamp, "0:RUNNING,2:gone");
    /* the withdrawn number is taken again: a row, not a tombstone */
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 2, 2);
    cr_assert_eq(tune_store_trial_release(fx.store, fx.info.id, 0, "interrupted", &err),
                 TUNE_OK, "%s", err.msg);
    expect_changes(&fx, &stamp, "0:FAILED(lost),2:RUNNING");
    size_t marked = 0;
    cr_assert_eq(tune_store_trial_recover_stale(fx.store, fx.info.id, 0, &marked, &err), TUNE_OK);
    cr_assert_eq(marked, 1);
    expect_changes(&fx, &stamp, "2:FAILED(lost)");
    /* a reader from the start sees each trial once, as it is now */
    int64_t all = -1;
    expect_changes(&fx, &all, "0:FAILED(lost),1:COMPLETE,2:FAILED(lost)");
    cr_assert_eq(all, stamp);
    fx_free(&fx);
}

CONFORMANCE(store_v2, release_frees_the_budget_slot_and_the_seq_is_retried)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 1, 1);
    claim_over_budget(&fx, 2);
    cr_assert_eq(tune_store_trial_release(fx.store, fx.info.id, 0, "interrupted", &err),
                 TUNE_OK, "%s", err.msg);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 2, 2, 0); /* seq 0 again */
    claim_over_budget(&fx, 2);
    cr_assert_eq(tune_store_trial_release(fx.store, fx.info.id, 0, "again", &err),
                 TUNE_ECONFLICT);
    assert_sql(&fx, "SELECT error || '/' || CAST(lost AS INTEGER) FROM trials WHERE number = 0",
               "interrupted/1");
    assert_sql(&fx, "SELECT n_search FROM studies", "2");
    fx_free(&fx);
}

CONFORMANCE(store_v2, best_is_the_extreme_value_and_the_lowest_number_among_ties)
{
    struct fixture fx = fx_new(be); /* maximize */
    struct tune_error err = {0};
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_ENOTFOUND);
    for (int i = 0; i < 5; i++) {
        claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, i, i);
        finish_two_metrics(&fx, i);
    }
    /* finish_two_metrics stores one value; give the trials their own */
    sql_exec(&fx, "UPDATE trials SET value = CASE number WHEN 0 THEN 0.5 WHEN 1 THEN 0.875"
                      " WHEN 2 THEN NULL WHEN 3 THEN 0.875 ELSE 0.25 END");
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(t.number, 1);
    cr_assert_eq(t.value, 0.875);
    cr_assert_eq(t.n_metrics, 2); /* with its metrics */
    cr_assert_eq(t.metrics[1].folds[3], 1.0);
    tune_trial_release(&t);
    struct tune_progress p;
    cr_assert_eq(tune_store_study_progress(fx.store, fx.info.id, &p, &err), TUNE_OK);
    cr_assert_eq(p.best_number, 1);
    cr_assert_eq(p.best_value, 0.875);
    cr_assert_eq(p.complete, 5);
    cr_assert_eq(p.finished, 5);
    /* minimize: the smallest value */
    sql_exec(&fx, "UPDATE studies SET maximize = (1 = 0)");
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(t.number, 4);
    tune_trial_release(&t);
    fx_free(&fx);
}

CONFORMANCE(store_v2, pages_cover_the_study_in_order_and_progress_counts_states)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    for (int i = 0; i < 7; i++)
        claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, i, i);
    claim_ok(&fx, TUNE_ORIGIN_MANUAL, 0, 7, -1);
    for (int i = 0; i < 4; i++)
        finish_two_metrics(&fx, i);
    struct tune_trial_result failed = {.state = TUNE_TRIAL_FAILED, .value = NAN,
                                       .value_std = NAN, .error = "boom"};
    struct tune_trial_result pruned = {.state = TUNE_TRIAL_PRUNED, .value = NAN,
                                       .value_std = NAN};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 4, &failed, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 5, &pruned, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_release(fx.store, fx.info.id, 6, "gone", &err), TUNE_OK);
    struct tune_progress p;
    cr_assert_eq(tune_store_study_progress(fx.store, fx.info.id, &p, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(p.finished, 6);
    cr_assert_eq(p.complete, 4);
    cr_assert_eq(p.failed, 1);
    cr_assert_eq(p.pruned, 1);
    cr_assert_eq(p.running, 0); /* the manual trial is not a search trial */
    cr_assert_eq(p.lost, 1);
    int first = 0, seen = 0;
    for (;;) {
        struct tune_trial *v = NULL;
        size_t n = 0;
        cr_assert_eq(tune_store_trial_page(fx.store, fx.info.id, first, 3, 1, &v, &n, &err),
                     TUNE_OK, "%s", err.msg);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(v[i].number, seen++);
            cr_assert_eq(v[i].n_metrics, v[i].number < 4 ? 2u : 0u);
            if (v[i].number < 4)
                check_two_metrics(&v[i]);
        }
        first = v[n - 1].number + 1;
        tune_trials_free(v, n);
    }
    cr_assert_eq(seen, 8);
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 4, &t, &err), TUNE_OK);
    cr_assert_str_eq(t.error, "boom");
    tune_trial_release(&t);
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 99, &t, &err), TUNE_ENOTFOUND);
    fx_free(&fx);
}

CONFORMANCE(store_v2, finish_writes_intermediate_values_and_artifacts_in_the_same_transaction)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    const struct tune_intermediate iv[] = {{0, 1, 0.625}, {0, 2, 0.5}, {1, 1, 0.6875}};
    const struct tune_artifact art[] = {{"oof.csv", "row\n0\n", 6}, {"empty", NULL, 0}};
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.5, .value_std = 0,
                                    .n_intermediate = 3, .intermediate = iv,
                                    .n_artifacts = 2, .artifacts = art};
    /* a bad artifact refuses the whole result */
    const struct tune_artifact bad[] = {{"ok", "x", 1}, {"", "y", 1}};
    struct tune_trial_result broken = res;
    broken.artifacts = bad;
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &broken, &err), TUNE_EINVAL);
    assert_sql(&fx, "SELECT state FROM trials", "RUNNING");
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_OK, "%s",
                 err.msg);
    struct tune_intermediate *got = NULL;
    size_t n = 0;
    cr_assert_eq(tune_store_trial_list_intermediate(fx.store, fx.info.id, 0, &got, &n, &err),
                 TUNE_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(got[1].step, 2);
    cr_assert_eq(got[1].value, 0.5);
    cr_assert_eq(got[2].fold, 1);
    free(got);
    void *data = NULL;
    size_t len = 0;
    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "oof.csv", &data, &len, &err),
                 TUNE_OK);
    cr_assert_eq(len, 6);
    cr_assert_eq(memcmp(data, "row\n0\n", 6), 0);
    free(data);
    cr_assert_eq(tune_store_artifact_load(fx.store, fx.info.id, 0, "empty", &data, &len, &err),
                 TUNE_OK);
    cr_assert_eq(len, 0);
    free(data);
    fx_free(&fx);
}

/* 37 metrics of 3 folds (but every sixth, the last among them, of none: 90
 * fold rows) and 43 intermediate values: more rows than one batch of a
 * multi-row insert holds, a tail of each size, and a metric's folds split
 * across batches. */
static double many_fold(size_t i, size_t f)
{
    return (i + f) % 7 == 0 ? NAN : (double)(i * 10 + f) + 0.125;
}

CONFORMANCE(store_v2, many_metrics_and_intermediate_values_read_back_in_order)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    enum { NM = 37, NF = 3, NI = 43 };
    struct tune_metric_summary m[NM];
    char names[NM][8];
    double folds[NM][NF];
    for (size_t i = 0; i < NM; i++) {
        snprintf(names[i], sizeof names[i], "m%02zu", i);
        for (size_t f = 0; f < NF; f++)
            folds[i][f] = many_fold(i, f);
        int none = i % 6 == 0 || i == NM - 1;
        m[i] = (struct tune_metric_summary){.name = names[i], .mean = (double)i + 0.25,
                                            .std = i % 5 == 0 ? NAN : 0.5,
                                            .folds = none ? NULL : folds[i],
                                            .n_folds = none ? 0 : NF};
    }
    struct tune_intermediate iv[NI];
    for (size_t i = 0; i < NI; i++)
        iv[i] = (struct tune_intermediate){(int)(i % 2), i + 1, 1.0 / (double)(i + 1)};
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.5, .value_std = 0,
                                    .n_metrics = NM, .metrics = m,
                                    .n_intermediate = NI, .intermediate = iv};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_OK, "%s",
                 err.msg);
    struct tune_trial *t = NULL;
    size_t n = 0;
    list(&fx, &t, &n);
    cr_assert_eq(t[0].n_metrics, NM);
    for (size_t i = 0; i < NM; i++) {
        const struct tune_metric_summary *g = &t[0].metrics[i];
        cr_assert_str_eq(g->name, names[i], "metric %zu in its place", i);
        cr_assert(same_double(g->mean, m[i].mean) && same_double(g->std, m[i].std), "%s",
                  names[i]);
        cr_assert_eq(g->n_folds, m[i].n_folds, "%s", names[i]);
        for (size_t f = 0; f < m[i].n_folds; f++)
            cr_assert(same_double(g->folds[f], folds[i][f]), "%s fold %zu", names[i], f);
    }
    tune_trials_free(t, n);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_metric_folds", "90");
    struct tune_intermediate *got = NULL;
    cr_assert_eq(tune_store_trial_list_intermediate(fx.store, fx.info.id, 0, &got, &n, &err),
                 TUNE_OK);
    cr_assert_eq(n, NI);
    for (size_t i = 0; i < NI; i++) {
        int found = 0;
        for (size_t k = 0; k < n; k++)
            found |= got[k].fold == iv[i].fold && got[k].step == iv[i].step &&
                     same_double(got[k].value, iv[i].value);
        cr_assert(found, "intermediate value %zu", i);
    }
    free(got);
    fx_free(&fx);
}

Test(store, a_step_reported_twice_in_one_result_keeps_the_last_value_across_batches)
{
    /* 20 values, the step of value 15 again as value 16 (the two sides of a
     * 16-row batch), value 3's as value 19 and value 2's as value 5 (one
     * statement): the later report wins, as it did with one INSERT a row. */
    struct fixture fx = fx_new(&sqlite_backend);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    struct tune_intermediate iv[20];
    for (size_t i = 0; i < 20; i++)
        iv[i] = (struct tune_intermediate){0, i + 1, (double)i};
    iv[16].step = iv[15].step;
    iv[19].step = iv[3].step;
    iv[5].step = iv[2].step; /* and twice within one 16-row statement */
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.5, .value_std = 0,
                                    .n_intermediate = 20, .intermediate = iv};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &res, &err), TUNE_OK, "%s",
                 err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_intermediate", "17");
    assert_sql(&fx, "SELECT value FROM trial_intermediate WHERE step = 16", "16.0");
    assert_sql(&fx, "SELECT value FROM trial_intermediate WHERE step = 4", "19.0");
    assert_sql(&fx, "SELECT value FROM trial_intermediate WHERE step = 3", "5.0");
    fx_free(&fx);
}

Test(store_v2, a_version_1_file_is_migrated_to_5_with_its_trials_and_budget_count)
{
    char *dir = tu_tmpdir();
    char path[600];
    snprintf(path, sizeof path, "%s/v1.db", dir);
    FILE *f = fopen("tests/data/store_v1_schema.sql", "r");
    cr_assert_not_null(f);
    char schema[8192];
    size_t len = fread(schema, 1, sizeof schema - 1, f);
    schema[len] = '\0';
    fclose(f);
    sq_exec(path, schema);
    sq_exec(path,
             "INSERT INTO studies VALUES (1, 'old', '{}', 'accuracy', 1, 0);"
             "INSERT INTO trials(study_id, number, seq, origin, state, params_json, value,"
             " t_start, heartbeat, lost) VALUES"
             " (1, 0, 0, 'SEARCH', 'COMPLETE', '{\"k\":1}', 0.5, 0, 0, 0),"
             " (1, 1, 1, 'SEARCH', 'FAILED', '{\"k\":2}', NULL, 0, 0, 1),"
             " (1, 2, -1, 'MANUAL', 'COMPLETE', '{\"k\":3}', 0.75, 0, 0, 0),"
             " (1, 3, 2, 'SEARCH', 'COMPLETE', '{\"k\":4}', 0.625, 0, 0, 0);");
    struct fixture fx = {0};
    fx.be = &sqlite_backend;
    fx.dir = dir;
    fx.path = strdup(path);
    fx_open(&fx);
    sq_assert(path, "PRAGMA user_version", "5");
    sq_assert(path, "SELECT value FROM meta WHERE key = 'schema_version'", "5");
    sq_assert(path, "SELECT n_search FROM studies", "2");
    sq_assert(path, "SELECT COUNT(*) FROM trials WHERE violation IS NULL", "4");
    sq_assert(path, "SELECT COUNT(*) FROM study_blobs", "0");
    struct tune_error err = {0};
    cr_assert_eq(tune_store_study_find(fx.store, "old", &fx.info, &err), TUNE_OK);
    int64_t stamp = -1;
    expect_changes(&fx, &stamp, "0:COMPLETE,1:FAILED(lost),2:COMPLETE,3:COMPLETE");
    /* the lost seq 1 is retried, and the budget counts what was there */
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 3, 4, 1);
    claim_over_budget(&fx, 3);
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_OK);
    cr_assert_eq(t.number, 2);
    cr_assert_eq(t.pruned_at, -1, "a trial stored before version 4 was not pruned");
    tune_trial_release(&t);
    expect_changes(&fx, &stamp, "4:RUNNING");
    fx_free(&fx);
}

/* ---- version 3: study blobs, lists, imports ---------------------------------------- */

CONFORMANCE(store_v3, a_study_blob_round_trips_in_chunks_and_is_replaced_whole)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    /* 2.5 MiB: three chunks of 1 MiB, the last one half full; bytes that
     * are not text (0, 0xff) and a pattern that shows a chunk out of place */
    size_t len = (5u << 20) / 2;
    unsigned char *big = malloc(len);
    for (size_t i = 0; i < len; i++)
        big[i] = (unsigned char)((i * 2654435761u) >> 13);
    big[0] = 0;
    big[len - 1] = 0xff;
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "data.csv.gz", big, len, &err),
                 TUNE_OK, "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM study_blob_chunks", "3");
    void *got = NULL;
    size_t got_len = 0;
    cr_assert_eq(tune_store_study_blob_load(fx.store, fx.info.id, "data.csv.gz", &got, &got_len,
                                            &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(got_len, len);
    cr_assert_eq(memcmp(got, big, len), 0);
    cr_assert_eq(((char *)got)[len], '\0');
    free(got);
    /* replaced whole by a shorter one; an empty blob is empty, not missing */
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "data.csv.gz", "abc", 3, &err),
                 TUNE_OK, "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM study_blob_chunks", "1");
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "empty", NULL, 0, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_blob_load(fx.store, fx.info.id, "empty", &got, &got_len, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(got_len, 0);
    free(got);
    char **names = NULL;
    size_t n = 0;
    cr_assert_eq(tune_store_study_blob_list(fx.store, fx.info.id, &names, &n, &err), TUNE_OK);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(names[0], "data.csv.gz");
    cr_assert_str_eq(names[1], "empty");
    tune_names_free(names, n);
    /* absent, no study, no name */
    cr_assert_eq(tune_store_study_blob_load(fx.store, fx.info.id, "nope", &got, &got_len, &err),
                 TUNE_ENOTFOUND);
    cr_assert(strstr(err.msg, "'nope'"), "%s", err.msg);
    cr_assert_null(got);
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id + 99, "x", "y", 1, &err),
                 TUNE_ENOTFOUND);
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "", "y", 1, &err),
                 TUNE_EINVAL);
    /* a damaged chunk is caught by the checksum, never handed out */
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "data.csv.gz", big, len, &err),
                 TUNE_OK, "%s", err.msg);
    sql_exec(&fx, be->pg ? "UPDATE study_blob_chunks SET data = overlay(data placing '\\x00'::bytea"
                           " from 100 for 1) WHERE chunk = 1"
                         : "UPDATE study_blob_chunks SET data = substr(data, 1, 99) || x'00' ||"
                           " substr(data, 101) WHERE chunk = 1");
    cr_assert_eq(tune_store_study_blob_load(fx.store, fx.info.id, "data.csv.gz", &got, &got_len,
                                            &err),
                 TUNE_ESTORE);
    cr_assert(strstr(err.msg, "damaged") && strstr(err.msg, "data.csv.gz"), "%s", err.msg);
    cr_assert_null(got);
    free(big);
    fx_free(&fx);
}

/* ---- version 6: blobs saved from a source ------------------------------------------- */

/* Bytes of `data` handed out at most `piece` at a time (fewer than asked,
 * like a pipe), failing with TUNE_EIO once `fail_at` bytes are out. */
struct piece_source {
    const unsigned char *data;
    size_t len, at, piece, fail_at;
    int rewinds, reads_before_rewind;
};

static int piece_read(void *arg, void *buf, size_t cap, size_t *got, struct tune_error *err)
{
    struct piece_source *p = arg;
    if (p->rewinds == 0)
        p->reads_before_rewind++;
    if (p->fail_at && p->at >= p->fail_at)
        return tune_error_set(err, TUNE_EIO, "the source broke at byte %zu", p->at);
    size_t n = p->len - p->at;
    n = n < cap ? n : cap;
    n = n < p->piece ? n : p->piece;
    memcpy(buf, p->data + p->at, n);
    p->at += n;
    *got = n;
    return TUNE_OK;
}

static int piece_rewind(void *arg, struct tune_error *err)
{
    (void)err;
    struct piece_source *p = arg;
    p->at = 0;
    p->rewinds++;
    return TUNE_OK;
}

static void blob_head_is(const struct fixture *fx, const char *a, const char *b)
{
    char sql[256], *want;
    snprintf(sql, sizeof sql,
             "SELECT len || ',' || chunks || ',' || checksum FROM study_blobs WHERE name = '%s'",
             a);
    want = fx->be->pg ? pg_text(fx->path, sql) : sq_text(fx->path, sql);
    cr_assert_neq(strlen(want), 0, "blob %s has a head", a);
    snprintf(sql, sizeof sql,
             "SELECT len || ',' || chunks || ',' || checksum FROM study_blobs WHERE name = '%s'",
             b);
    assert_sql(fx, sql, want);
    free(want);
}

static void blob_is(struct fixture *fx, const char *name, const void *want, size_t want_len)
{
    struct tune_error err = {0};
    void *got = NULL;
    size_t len = 0;
    cr_assert_eq(tune_store_study_blob_load(fx->store, fx->info.id, name, &got, &len, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(len, want_len, "%s: %zu bytes, not %zu", name, len, want_len);
    cr_assert_eq(memcmp(got, want, len), 0, "%s: the bytes differ", name);
    free(got);
}

/* A blob saved from a source that hands out odd pieces is the blob
 * study_blob_save makes of the same bytes (length, chunks of 1 MiB,
 * checksum), read from the first byte whatever state the source was in; a
 * source that fails part-way leaves the old blob of that name whole. */
CONFORMANCE(store_v6, a_blob_saved_from_a_source_is_the_blob_saved_from_a_buffer)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    size_t len = (5u << 20) / 2 + 5;
    unsigned char *big = pattern(len, 7);
    struct piece_source ps = {big, len, 12345, 7777, 0, 0, 0};
    struct tune_blob_source src = {piece_read, piece_rewind, &ps};
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "buffer", big, len, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_blob_save_from(fx.store, fx.info.id, "source", &src, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(ps.reads_before_rewind, 0, "rewound before the first read");
    cr_assert_eq(ps.at, len, "read to the end");
    blob_head_is(&fx, "buffer", "source");
    assert_sql(&fx, "SELECT chunks FROM study_blobs WHERE name = 'source'", "3");
    assert_sql(&fx, "SELECT COUNT(*) FROM study_blob_chunks WHERE name = 'source'", "3");
    blob_is(&fx, "source", big, len);

    /* broken after 1.5 MiB: an error, and the old blob stays as it was */
    unsigned char *other = pattern(len, 8);
    struct piece_source bad = {other, len, 0, 1 << 20, (3u << 20) / 2, 0, 0};
    struct tune_blob_source bad_src = {piece_read, piece_rewind, &bad};
    cr_assert_eq(tune_store_study_blob_save_from(fx.store, fx.info.id, "source", &bad_src, &err),
                 TUNE_EIO);
    cr_assert(strstr(err.msg, "broke"), "%s", err.msg);
    blob_is(&fx, "source", big, len);
    blob_head_is(&fx, "buffer", "source");

    /* empty */
    struct piece_source none = {big, 0, 0, 10, 0, 0, 0};
    struct tune_blob_source none_src = {piece_read, piece_rewind, &none};
    cr_assert_eq(tune_store_study_blob_save_from(fx.store, fx.info.id, "empty", &none_src, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "empty0", NULL, 0, &err),
                 TUNE_OK, "%s", err.msg);
    blob_head_is(&fx, "empty0", "empty");
    blob_is(&fx, "empty", "", 0);
    /* no study, no name */
    ps.at = 0;
    cr_assert_eq(tune_store_study_blob_save_from(fx.store, fx.info.id + 99, "x", &src, &err),
                 TUNE_ENOTFOUND);
    cr_assert_eq(tune_store_study_blob_save_from(fx.store, fx.info.id, "", &src, &err),
                 TUNE_EINVAL);
    free(big);
    free(other);
    fx_free(&fx);
}

/* A store older than version 6 gets the source's bytes gathered and saved
 * whole: the same blob. */
Test(store_v6, a_store_without_save_from_gets_the_bytes_whole)
{
    struct fixture fx = fx_new(&sqlite_backend);
    struct tune_error err = {0};
    size_t len = (3u << 20) + 1;
    unsigned char *big = pattern(len, 9);
    const struct tune_store_type *type = fx.store->type;
    struct tune_store_type older = *type;
    older.version = 5;
    older.study_blob_save_from = NULL;
    fx.store->type = &older;
    struct piece_source ps = {big, len, 99, 100000, 0, 0, 0};
    struct tune_blob_source src = {piece_read, piece_rewind, &ps};
    cr_assert_eq(tune_store_study_blob_save_from(fx.store, fx.info.id, "source", &src, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(ps.reads_before_rewind, 0);
    fx.store->type = type;
    cr_assert_eq(tune_store_study_blob_save(fx.store, fx.info.id, "buffer", big, len, &err),
                 TUNE_OK, "%s", err.msg);
    blob_head_is(&fx, "buffer", "source");
    blob_is(&fx, "source", big, len);
    free(big);
    fx_free(&fx);
}

CONFORMANCE(store_v3, attributes_and_artifacts_are_listed_by_name)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    char **keys = NULL, **values = NULL;
    size_t n = 9;
    cr_assert_eq(tune_store_study_attr_list(fx.store, fx.info.id, &keys, &values, &n, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(n, 0);
    tune_names_free(keys, n);
    tune_names_free(values, n);
    cr_assert_eq(tune_store_study_set_attr(fx.store, fx.info.id, "source", "/a.json", &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_study_set_attr(fx.store, fx.info.id, "budget", "40", &err), TUNE_OK);
    cr_assert_eq(tune_store_study_set_attr(fx.store, fx.info.id, "Zeta", "z", &err), TUNE_OK);
    cr_assert_eq(tune_store_study_attr_list(fx.store, fx.info.id, &keys, &values, &n, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(n, 3);
    /* byte order, as strcmp: capitals first */
    cr_assert_str_eq(keys[0], "Zeta");
    cr_assert_str_eq(keys[1], "budget");
    cr_assert_str_eq(values[1], "40");
    cr_assert_str_eq(keys[2], "source");
    tune_names_free(keys, n);
    tune_names_free(values, n);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 5, 0, 0);
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "oof.csv", "a", 1, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_artifact_save(fx.store, fx.info.id, 0, "model.bin", "b", 1, &err),
                 TUNE_OK);
    char **names = NULL;
    cr_assert_eq(tune_store_artifact_list(fx.store, fx.info.id, 0, &names, &n, &err), TUNE_OK);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(names[0], "model.bin");
    cr_assert_str_eq(names[1], "oof.csv");
    tune_names_free(names, n);
    cr_assert_eq(tune_store_artifact_list(fx.store, fx.info.id, 7, &names, &n, &err), TUNE_OK);
    cr_assert_eq(n, 0);
    tune_names_free(names, n);
    fx_free(&fx);
}

CONFORMANCE(store_v3, imported_studies_and_trials_keep_every_field_and_count_in_the_budget)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    struct tune_study_info info = {.name = "imported", .config_json = CONFIG_B,
                                   .metric = "log_loss", .maximize = 0,
                                   .created = 1234567890.0625};
    int64_t id = -1;
    cr_assert_eq(tune_store_study_import(fx.store, &info, &id, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_import(fx.store, &info, &id, &err), TUNE_ECONFLICT);
    struct tune_study_info back = {0};
    cr_assert_eq(tune_store_study_find(fx.store, "imported", &back, &err), TUNE_OK);
    cr_assert_eq(back.created, 1234567890.0625);
    cr_assert_eq(back.maximize, 0);
    cr_assert_eq(back.id, id);
    tune_study_info_release(&back);

    double folds[3] = {0.25, NAN, 0.125};
    struct tune_metric_summary m = {.name = "log_loss", .mean = 0.1875, .std = NAN, .n_folds = 3,
                                    .folds = folds};
    struct tune_trial t = {.number = 4, .seq = 2, .origin = TUNE_ORIGIN_SEARCH,
                           .state = TUNE_TRIAL_COMPLETE, .params_json = "{\"k\":3}",
                           .value = 0.1875, .value_std = NAN, .t_start = 1600000000.5,
                           .t_end = 1600000002.25, .fit_seconds = 0.015625,
                           .predict_seconds = NAN, .n_metrics = 1, .metrics = &m,
                           .worker = "node7:4242"};
    const struct tune_intermediate iv[] = {{0, 1, 0.5}, {0, 2, NAN}};
    cr_assert_eq(tune_store_trial_import(fx.store, id, &t, iv, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_trial_import(fx.store, id, &t, iv, 2, &err), TUNE_ECONFLICT);
    struct tune_trial lost = t;
    lost.number = 5;
    lost.state = TUNE_TRIAL_FAILED;
    lost.lost = 1;
    lost.error = "worker lost";
    lost.n_metrics = 0;
    cr_assert_eq(tune_store_trial_import(fx.store, id, &lost, NULL, 0, &err), TUNE_OK, "%s",
                 err.msg);
    struct tune_trial got;
    cr_assert_eq(tune_store_trial_get(fx.store, id, 4, &got, &err), TUNE_OK);
    cr_assert_eq(got.seq, 2);
    cr_assert_str_eq(got.params_json, "{\"k\":3}");
    cr_assert_str_eq(got.worker, "node7:4242");
    cr_assert(same_double(got.t_start, 1600000000.5) && same_double(got.t_end, 1600000002.25));
    cr_assert(isnan(got.value_std) && isnan(got.predict_seconds));
    cr_assert_eq(got.metrics[0].n_folds, 3);
    cr_assert(isnan(got.metrics[0].folds[1]));
    tune_trial_release(&got);
    struct tune_intermediate *giv = NULL;
    size_t n = 0;
    cr_assert_eq(tune_store_trial_list_intermediate(fx.store, id, 4, &giv, &n, &err), TUNE_OK);
    cr_assert_eq(n, 2);
    cr_assert(isnan(giv[1].value));
    free(giv);
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_params", "2"); /* trials 4 and 5 */
    /* the complete search trial counts toward the budget, the lost one not;
     * the lost seq is retried first */
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(fx.store, id, TUNE_ORIGIN_SEARCH, 2, &number, &seq, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(number, 6);
    cr_assert_eq(seq, 3);
    cr_assert_eq(tune_store_trial_claim(fx.store, id, TUNE_ORIGIN_SEARCH, 2, &number, &seq, &err),
                 TUNE_EBUDGET);
    /* and a reader of changes sees the imported trials */
    int64_t stamp = -1;
    struct tune_trial_brief *v = NULL;
    cr_assert_eq(tune_store_trial_changes(fx.store, id, -1, &v, &n, &stamp, &err), TUNE_OK);
    cr_assert_eq(n, 3);
    tune_trial_briefs_free(v, n);
    fx_free(&fx);
}

/* ---- version 4: pruned trials and the values pruners read ----------------------- */

/* "number:step=value" for each row, by number. */
static void expect_values_at(struct fixture *fx, int fold, size_t step, const char *want)
{
    struct tune_error err = {0};
    struct tune_step_value *v = NULL;
    size_t n = 7;
    cr_assert_eq(tune_store_trial_values_at(fx->store, fx->info.id, fold, step, &v, &n, &err),
                 TUNE_OK, "%s", err.msg);
    char got[512] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d:%s%s:%zu=%g", i ? "," : "",
                 v[i].number, tune_trial_state_name(v[i].state), v[i].lost ? "(lost)" : "",
                 v[i].step, v[i].value);
    cr_assert_str_eq(got, want, "fold %d step %zu: '%s', expected '%s'", fold, step, got, want);
    free(v);
}

CONFORMANCE(store_v4, values_at_a_step_are_each_trials_first_report_at_or_past_it)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    /* trial 0 reports every step 1..4 in fold 0 and 1..2 in fold 1; trial 1
     * every other step (2, 4, 6); trial 2 stops at step 1 (pruned); trial 3
     * runs, its rung value written as it goes; trial 4 is lost */
    for (int i = 0; i < 5; i++)
        claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, i, i);
    struct tune_intermediate v0[] = {{0, 1, 0.875}, {0, 2, 0.625}, {0, 3, 0.5}, {0, 4, 0.375},
                                     {1, 1, 0.9375}, {1, 2, 0.8125}};
    struct tune_intermediate v1[] = {{0, 2, 0.75}, {0, 4, 0.25}, {0, 6, 0.125}};
    struct tune_intermediate v2[] = {{0, 1, 1.5}};
    struct tune_intermediate v3[] = {{0, 1, 0.3125}};
    struct tune_intermediate v4[] = {{0, 1, 0.0625}, {0, 2, 0.03125}};
    struct tune_trial_result r0 = {.state = TUNE_TRIAL_COMPLETE, .value = 0.375,
                                   .n_intermediate = 6, .intermediate = v0};
    struct tune_trial_result r1 = {.state = TUNE_TRIAL_COMPLETE, .value = 0.125,
                                   .n_intermediate = 3, .intermediate = v1};
    struct tune_trial_result r2 = {.state = TUNE_TRIAL_PRUNED, .value = NAN,
                                   .error = "step 1: worse than the median",
                                   .n_intermediate = 1, .intermediate = v2, .pruned_at = 1};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &r0, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &r1, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 2, &r2, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_add_intermediate(fx.store, fx.info.id, 3, v3, 1, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_add_intermediate(fx.store, fx.info.id, 4, v4, 2, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_release(fx.store, fx.info.id, 4, "interrupted", &err),
                 TUNE_OK);

    expect_values_at(&fx, 0, 1,
                     "0:COMPLETE:1=0.875,1:COMPLETE:2=0.75,2:PRUNED:1=1.5,3:RUNNING:1=0.3125,"
                     "4:FAILED(lost):1=0.0625");
    expect_values_at(&fx, 0, 3, "0:COMPLETE:3=0.5,1:COMPLETE:4=0.25");
    expect_values_at(&fx, 0, 5, "1:COMPLETE:6=0.125");
    expect_values_at(&fx, 0, 7, "");
    expect_values_at(&fx, 1, 2, "0:COMPLETE:2=0.8125");
    expect_values_at(&fx, -1, 0, "");

    /* the pruned trial keeps where it stopped and why */
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 2, &t, &err), TUNE_OK);
    cr_assert_eq(t.state, TUNE_TRIAL_PRUNED);
    cr_assert_eq(t.pruned_at, 1);
    cr_assert_str_eq(t.error, "step 1: worse than the median");
    tune_trial_release(&t);
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 0, &t, &err), TUNE_OK);
    cr_assert_eq(t.pruned_at, -1, "a complete trial has no pruned_at");
    tune_trial_release(&t);
    fx_free(&fx);
}

CONFORMANCE(store_v4, pruned_at_is_recorded_only_for_a_pruned_trial_and_survives_reopening)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 1, 1);
    struct tune_trial_result pr = {.state = TUNE_TRIAL_PRUNED, .value = 0.9125,
                                   .error = "after 3 of 10 folds", .pruned_at = 3};
    struct tune_trial_result ok = {.state = TUNE_TRIAL_COMPLETE, .value = 0.95, .pruned_at = 9};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 0, &pr, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &ok, &err), TUNE_OK);
    fx_close(&fx);
    fx_open(&fx);
    struct tune_trial *t;
    size_t n;
    list(&fx, &t, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(t[0].pruned_at, 3);
    cr_assert_eq(t[0].value, 0.9125);
    cr_assert_eq(t[1].pruned_at, -1);
    tune_trials_free(t, n);
    assert_sql(&fx, "SELECT COUNT(*) FROM trials WHERE pruned_at IS NULL", "1");
    fx_free(&fx);
}

CONFORMANCE(store_v4, a_version_3_store_has_no_values_at)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    const struct tune_store_type *real = fx.store->type;
    struct tune_store_type old = *real;
    old.version = 3;
    fx.store->type = &old;
    struct tune_step_value *v = (void *)&err;
    size_t n = 5;
    cr_assert_eq(tune_store_trial_values_at(fx.store, fx.info.id, 0, 1, &v, &n, &err),
                 TUNE_EUNSUPPORTED);
    cr_assert_null(v);
    cr_assert_eq(n, 0);
    cr_assert(strstr(err.msg, "trial_values_at"), "%s", err.msg);
    fx.store->type = real;
    fx_free(&fx);
}

/* ---- version 5: constraints ---------------------------------------------------- */

static void finish_violating(struct fixture *fx, int number, double value, double violation)
{
    struct tune_error err = {0};
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = value,
                                    .value_std = NAN, .fit_seconds = 0.5,
                                    .predict_seconds = 0.25, .violation = violation};
    cr_assert_eq(tune_store_trial_finish(fx->store, fx->info.id, number, &res, &err), TUNE_OK,
                 "finish %d: %s", number, err.msg);
}

CONFORMANCE(store_v5, a_violating_trial_keeps_its_values_but_is_never_best)
{
    struct fixture fx = fx_new(be); /* maximize */
    struct tune_error err = {0};
    for (int i = 0; i < 4; i++)
        claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, i, i);
    finish_violating(&fx, 0, 0.90625, 0.25);
    finish_violating(&fx, 1, 0.8125, 0);   /* kept them */
    finish_violating(&fx, 2, 0.84375, NAN); /* kept them */
    finish_violating(&fx, 3, 0.96875, 2.5);
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(t.number, 2);
    cr_assert(isnan(t.violation));
    tune_trial_release(&t);
    struct tune_progress p;
    cr_assert_eq(tune_store_study_progress(fx.store, fx.info.id, &p, &err), TUNE_OK);
    cr_assert_eq(p.best_number, 2);
    cr_assert_eq(p.best_value, 0.84375);
    cr_assert_eq(p.complete, 4);
    /* the values and the violation are kept */
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 3, &t, &err), TUNE_OK);
    cr_assert_eq(t.value, 0.96875);
    cr_assert_eq(t.violation, 2.5);
    tune_trial_release(&t);
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 1, &t, &err), TUNE_OK);
    cr_assert(isnan(t.violation), "0 is stored as kept (NULL): %g", t.violation);
    tune_trial_release(&t);
    struct tune_trial_brief *v = NULL;
    size_t n = 0;
    int64_t stamp;
    cr_assert_eq(tune_store_trial_changes(fx.store, fx.info.id, -1, &v, &n, &stamp, &err),
                 TUNE_OK);
    cr_assert_eq(n, 4);
    cr_assert(v[0].violation == 0.25 && isnan(v[1].violation) && isnan(v[2].violation) &&
              v[3].violation == 2.5);
    tune_trial_briefs_free(v, n);
    /* minimize: 0.8125 of the two that kept them */
    sql_exec(&fx, "UPDATE studies SET maximize = (1 = 0)");
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_OK);
    cr_assert_eq(t.number, 1);
    tune_trial_release(&t);
    /* none kept them: no best at all */
    sql_exec(&fx, "UPDATE trials SET violation = 1");
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_ENOTFOUND);
    cr_assert_eq(tune_store_study_progress(fx.store, fx.info.id, &p, &err), TUNE_OK);
    cr_assert_eq(p.best_number, -1);
    fx_free(&fx);
}

CONFORMANCE(store_v5, an_imported_trial_keeps_its_violation_and_an_old_store_refuses_one)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    struct tune_trial t = {.number = 0, .seq = 0, .origin = TUNE_ORIGIN_SEARCH,
                           .state = TUNE_TRIAL_COMPLETE, .params_json = "{\"k\":3}",
                           .value = 0.75, .value_std = NAN, .t_start = 1600000000.5,
                           .t_end = 1600000002.25, .fit_seconds = 0.5, .predict_seconds = NAN,
                           .violation = 0.0625};
    cr_assert_eq(tune_store_trial_import(fx.store, fx.info.id, &t, NULL, 0, &err), TUNE_OK,
                 "%s", err.msg);
    struct tune_trial got;
    cr_assert_eq(tune_store_trial_get(fx.store, fx.info.id, 0, &got, &err), TUNE_OK);
    cr_assert_eq(got.violation, 0.0625);
    tune_trial_release(&got);
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &got, &err), TUNE_ENOTFOUND);
    /* a store of vtable version 4 would make a violating trial the best */
    const struct tune_store_type *real = fx.store->type;
    struct tune_store_type old = *real;
    old.version = 4;
    fx.store->type = &old;
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 1, 1);
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.5,
                                    .value_std = NAN, .violation = 1};
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &res, &err), TUNE_EUNSUPPORTED);
    res.violation = 0;
    cr_assert_eq(tune_store_trial_finish(fx.store, fx.info.id, 1, &res, &err), TUNE_OK, "%s",
                 err.msg);
    fx.store->type = real;
    fx_free(&fx);
}

Test(store_v5, a_version_4_file_gains_the_violation_column_and_keeps_its_best)
{
    struct fixture fx = fx_new(&sqlite_backend);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    finish_simple(&fx, 0, 0.5);
    fx_close(&fx);
    /* what a version-3 file looks like */
    sq_exec(fx.path, "DROP INDEX trials_feasible; ALTER TABLE trials DROP COLUMN violation;"
                     "UPDATE meta SET value = '4' WHERE key = 'schema_version';"
                     "PRAGMA user_version = 4;");
    fx_open(&fx);
    sq_assert(fx.path, "PRAGMA user_version", "5");
    sq_assert(fx.path, "SELECT COUNT(*) FROM trials WHERE violation IS NULL", "1");
    sq_assert(fx.path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'trials_feasible'", "1");
    struct tune_trial t;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_best(fx.store, fx.info.id, &t, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(t.number, 0);
    tune_trial_release(&t);
    fx_free(&fx);
}

Test(store_pg, a_version_2_schema_gains_the_violation_column)
{
    pg_require();
    struct fixture fx = fx_new(&pg_backend);
    claim_ok(&fx, TUNE_ORIGIN_SEARCH, 10, 0, 0);
    finish_simple(&fx, 0, 0.5);
    fx_close(&fx);
    pg_exec(fx.path, "DROP INDEX trials_feasible; ALTER TABLE trials DROP COLUMN violation;"
                     "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    fx_open(&fx);
    assert_sql(&fx, "SELECT value FROM meta WHERE key = 'schema_version'", "3");
    assert_sql(&fx, "SELECT COUNT(*) FROM trials WHERE violation IS NULL", "1");
    fx_free(&fx);
}

/* ---- version 7: a claim and its point in one transaction --------------------- */

struct point_log {
    int calls, number, seq;
    const char *give; /* NULL: the point is {"k":seq} */
    int fail;         /* the point fails with TUNE_EINVAL */
    char buf[64];
};

static int log_point(void *arg, int number, int seq, const char **params_json,
                     struct tune_error *err)
{
    struct point_log *p = arg;
    p->calls++;
    p->number = number;
    p->seq = seq;
    if (p->fail)
        return tune_error_set(err, TUNE_EINVAL, "no point for seq %d", seq);
    snprintf(p->buf, sizeof p->buf, "{\"k\":%d}", seq);
    *params_json = p->give ? p->give : p->buf;
    return TUNE_OK;
}

/* The same answers from the store's own method and from the wrappers'
 * three calls for an older store (`old_store`). */
static void claim_point_case(const struct backend *be, int old_store)
{
    struct fixture fx = fx_new(be);
    struct tune_error err = {0};
    const struct tune_store_type *real = fx.store->type;
    struct tune_store_type old = *real;
    old.version = 6;
    if (old_store)
        fx.store->type = &old;
    struct point_log p = {0};
    int number = -7, seq = -7;
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(tune_store_trial_claim_point(fx.store, fx.info.id, TUNE_ORIGIN_SEARCH, 3,
                                                  log_point, &p, &number, &seq, &err),
                     TUNE_OK, "%s", err.msg);
        cr_assert_eq(number, i);
        cr_assert_eq(seq, i);
        cr_assert_eq(p.number, i);
        cr_assert_eq(p.seq, i);
    }
    cr_assert_eq(p.calls, 2);
    assert_sql(&fx, "SELECT params_json FROM trials WHERE number = 1", "{\"k\":1}");
    assert_sql(&fx, "SELECT value_json FROM trial_params WHERE name = 'k' ORDER BY trial_id",
               "0");

    /* a failing point, or params that are no JSON object: nothing stays,
     * and the slot is still free */
    p.fail = 1;
    number = seq = -7;
    cr_assert_eq(tune_store_trial_claim_point(fx.store, fx.info.id, TUNE_ORIGIN_SEARCH, 3,
                                              log_point, &p, &number, &seq, &err),
                 TUNE_EINVAL);
    cr_assert(strstr(err.msg, "no point for seq 2"), "%s", err.msg);
    p.fail = 0;
    p.give = "[1]";
    cr_assert_eq(tune_store_trial_claim_point(fx.store, fx.info.id, TUNE_ORIGIN_SEARCH, 3,
                                              log_point, &p, &number, &seq, &err),
                 TUNE_EINVAL);
    cr_assert(strstr(err.msg, "not a JSON object"), "%s", err.msg);
    assert_sql(&fx, "SELECT COUNT(*) FROM trials", "2");
    assert_sql(&fx, "SELECT COUNT(*) FROM trial_params", "2");
    p.give = NULL;
    cr_assert_eq(tune_store_trial_claim_point(fx.store, fx.info.id, TUNE_ORIGIN_SEARCH, 3,
                                              log_point, &p, &number, &seq, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(number, 2);
    cr_assert_eq(seq, 2);
    assert_sql(&fx, "SELECT params_json FROM trials WHERE number = 2", "{\"k\":2}");

    /* the budget is met: the point is not even asked for */
    int calls = p.calls;
    cr_assert_eq(tune_store_trial_claim_point(fx.store, fx.info.id, TUNE_ORIGIN_SEARCH, 3,
                                              log_point, &p, &number, &seq, &err),
                 TUNE_EBUDGET, "%s", err.msg);
    cr_assert_eq(p.calls, calls);
    /* a manual trial takes no seq */
    cr_assert_eq(tune_store_trial_claim_point(fx.store, fx.info.id, TUNE_ORIGIN_MANUAL, 0,
                                              log_point, &p, &number, &seq, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(number, 3);
    cr_assert_eq(p.seq, -1);
    assert_sql(&fx, "SELECT params_json FROM trials WHERE number = 3", "{\"k\":-1}");
    fx.store->type = real;
    fx_free(&fx);
}

CONFORMANCE(store_v7, a_claim_takes_its_point_in_the_same_write_and_a_failed_point_leaves_nothing)
{
    claim_point_case(be, 0);
}

CONFORMANCE(store_v7, an_older_store_gets_the_claim_and_its_point_in_three_calls)
{
    claim_point_case(be, 1);
}

/* Four worker processes claim and finish BUDGET trials, each also
 * reading the study's progress after every trial; with `hold_reader` this
 * process keeps a read transaction open on the file meanwhile.  The
 * largest size the -wal file reached. */
enum { WAL_WORKERS = 4, WAL_BUDGET = 1200 };

static off_t run_wal_workers(const struct fixture *fx, int hold_reader)
{
    pid_t pids[WAL_WORKERS];
    for (int w = 0; w < WAL_WORKERS; w++) {
        pids[w] = fork();
        cr_assert_neq(pids[w], -1);
        if (pids[w] == 0) {
            struct tune_store *s = NULL;
            struct tune_error err = {0};
            struct point_log p = {0};
            struct tune_progress prog;
            int number, seq, rc = 0;
            if (tune_store_open(fx->path, &s, &err))
                _exit(10);
            while ((rc = tune_store_trial_claim_point(s, fx->info.id, TUNE_ORIGIN_SEARCH,
                                                      WAL_BUDGET, log_point, &p, &number, &seq,
                                                      &err)) == TUNE_OK) {
                struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = seq,
                                                .value_std = NAN, .fit_seconds = NAN,
                                                .predict_seconds = NAN};
                if (tune_store_trial_finish(s, fx->info.id, number, &res, &err) ||
                    tune_store_study_progress(s, fx->info.id, &prog, &err))
                    _exit(11);
            }
            tune_store_close(s);
            _exit(rc == TUNE_EBUDGET ? 0 : 12);
        }
    }
    sqlite3 *reader = NULL;
    if (hold_reader) {
        cr_assert_eq(sqlite3_open(fx->path, &reader), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM trials", NULL, NULL,
                                  NULL),
                     SQLITE_OK, "%s", sqlite3_errmsg(reader));
    }
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", fx->path);
    off_t largest = 0;
    for (int done = 0; done < WAL_WORKERS;) {
        struct stat sb;
        if (stat(wal, &sb) == 0 && sb.st_size > largest)
            largest = sb.st_size;
        int st = 0;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid > 0) {
            cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a worker: status %d", st);
            done++;
        } else {
            nanosleep(&(struct timespec){0, 2000000}, NULL);
        }
    }
    if (reader) {
        sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(reader);
    }
    return largest;
}

/* Four workers keep writing while each also reads: the WAL is still
 * copied back and started over, so it stays near 4,000 frames instead of
 * growing with the study (SQLite's own rule let it reach 80 MB here). */
Test(store_v7, the_wal_stays_bounded_while_several_workers_write)
{
    struct fixture fx = fx_new(&sqlite_backend);
    fx_close(&fx);
    off_t largest = run_wal_workers(&fx, 0);
    fx_open(&fx);
    assert_sql(&fx, "SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'", "1200");
    /* a frame is a page and its 24-byte header; 4,000 frames and what the
     * commits in flight add, with room for a restart that waited a while */
    cr_assert_lt(largest, (off_t)6000 * (4096 + 24), "the WAL reached %lld bytes",
                 (long long)largest);
    fx_free(&fx);
}

/* A reader that holds the WAL (a long `report`, say) keeps it from
 * starting over; the writers' attempt to wait for it gives up after
 * RESTART_WAIT_MS each time, so they carry on (waiting out SQLite's 30 s
 * busy timeout at every attempt would take this test past its limit). */
Test(store_v7, a_reader_holding_the_wal_does_not_stall_the_writers, .timeout = 60)
{
    struct fixture fx = fx_new(&sqlite_backend);
    fx_close(&fx);
    off_t largest = run_wal_workers(&fx, 1);
    fx_open(&fx);
    assert_sql(&fx, "SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'", "1200");
    cr_assert_gt(largest, (off_t)6000 * (4096 + 24),
                 "a WAL held by a reader cannot start over (%lld bytes)", (long long)largest);
    fx_free(&fx);
}
