/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_pg_cli.c — the command line on a PostgreSQL store, end to end
 * against a real server (TUNEFOLD_TEST_PG_URL; skipped without one):
 * `tunefold run --workers N --db postgresql://...` stores every budgeted
 * trial exactly once, `tunefold worker --study NAME --db URL` joins a running
 * study from another folder, and the reading commands and `copy` take the
 * URL.  (Server restarts are in test_pg_faults.c, alone in their binary.) */
#define _XOPEN_SOURCE 700 /* realpath */
#include "pgutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

TestSuite(pg_cli, .init = tu_watchdog);

#define FAST "tests/data/studies/workers_fast.json"
#define SLOW "tests/data/studies/workers_slow.json"

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Start the CLI in the background in folder `cwd` (NULL: here). */
static pid_t start_in(const char *cwd, const char *const *argv)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

static void wait_finished(const char *url, int n, double timeout)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) >= %d FROM trials WHERE state <> 'RUNNING'", n);
    for (double t = 0; t < timeout; t += 0.1) {
        char *v = tpg_query(url, "SELECT count(*) FROM pg_tables WHERE"
                                 " schemaname = current_schema() AND tablename = 'trials'");
        int exists = strcmp(v, "1") == 0;
        free(v);
        v = exists ? tpg_query(url, sql) : strdup("");
        int done = strcmp(v, "t") == 0;
        free(v);
        if (done)
            return;
        sleep_s(0.1);
    }
    cr_assert_fail("no %d finished trials after %g s", n, timeout);
}

Test(pg_cli, run_with_four_workers_stores_every_budgeted_trial_once_and_reads_back)
{
    tpg_require();
    char schema[64], cmd[4096], *out = NULL, *err = NULL;
    char *url = tpg_schema("cli", schema, sizeof schema);
    snprintf(cmd, sizeof cmd, "%s run %s --db '%s' --quiet --workers 4 --trials 24", tu_bin(),
             FAST, url);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "24/24 stored"), "%s", out);
    free(out);
    free(err);
    tpg_assert(url,
               "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || count(DISTINCT number)"
               " || ' ' || min(seq) || ' ' || max(seq) FROM trials WHERE state = 'COMPLETE'",
               "24 24 24 0 23");
    tpg_assert(url, "SELECT count(*) FROM trials WHERE state <> 'COMPLETE'", "0");
    tpg_assert(url, "SELECT count(DISTINCT worker) > 1 FROM trials", "t");
    /* the reading commands take the URL */
    snprintf(cmd, sizeof cmd, "%s trials --db '%s' --format csv", tu_bin(), url);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 25, "a header and 24 trials: %s", out);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "%s best --db '%s' --study workers-fast", tu_bin(), url);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "study 'workers-fast': best trial #"), "%s", out);
    free(out);
    free(err);
    /* a study that is not there: bad usage, naming the URL */
    snprintf(cmd, sizeof cmd, "%s trials --db '%s' --study nope", tu_bin(), url);
    cr_assert_eq(tu_run(cmd, &out, &err), 2);
    cr_assert(strstr(err, "no study 'nope'"), "%s", err);
    free(out);
    free(err);
    tpg_drop(schema);
    free(url);
}

/* search.batch on PostgreSQL: three workers there store the points one
 * worker stores in SQLite, trial by trial. */
Test(pg_cli, a_bayes_batch_on_three_workers_stores_the_one_worker_sqlite_study)
{
    tpg_require();
    char schema[64], cmd[4096];
    char *url = tpg_schema("batch", schema, sizeof schema), *d = tu_tmpdir();
    snprintf(cmd, sizeof cmd, "%s run %s --db %s/one.db --quiet", tu_bin(),
             "tests/data/studies/workers_batch.json", d);
    cr_assert_eq(tu_run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s run %s --db '%s' --quiet --workers 3", tu_bin(),
             "tests/data/studies/workers_batch.json", url);
    cr_assert_eq(tu_run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s/one.db", d);
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(cmd, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT group_concat(number || ' ' || params_json, ';') "
                                    "FROM (SELECT * FROM trials ORDER BY number)",
                                    -1, &st, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    char *want = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    cr_assert(strlen(want) > 8 * 20, "%s", want);
    tpg_assert(url, "SELECT string_agg(number || ' ' || params_json, ';' ORDER BY number) "
                    "FROM trials", want);
    tpg_assert(url, "SELECT count(DISTINCT worker) > 1 FROM trials", "t");
    free(want);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
    tpg_drop(schema);
    free(url);
}

Test(pg_cli, a_worker_in_another_folder_joins_a_running_study_by_name_and_url)
{
    tpg_require();
    char schema[64], cmd[4096], *out = NULL, *err = NULL;
    char *url = tpg_schema("join", schema, sizeof schema);
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", url, "--quiet", NULL};
    char bin[1024];
    cr_assert_not_null(realpath(tu_bin(), bin));
    argv[0] = bin;
    pid_t run_pid = start_in(NULL, argv);
    wait_finished(url, 1, 60);
    char *elsewhere = tu_tmpdir();
    snprintf(cmd, sizeof cmd, "cd %s && %s worker --study workers-slow --db '%s' --quiet",
             elsewhere, bin, url);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "study 'workers-slow'"), "%s", out);
    free(out);
    free(err);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run status %d", status);
    tpg_assert(url,
               "SELECT count(*) || ' ' || count(DISTINCT seq) FROM trials"
               " WHERE state = 'COMPLETE'",
               "6 6");
    tpg_assert(url, "SELECT count(DISTINCT worker) FROM trials", "2");
    rmdir(elsewhere);
    free(elsewhere);
    tpg_drop(schema);
    free(url);
}

Test(pg_cli, copy_moves_a_study_to_postgres_and_back_and_the_copies_agree)
{
    tpg_require();
    char schema[64], cmd[4096], *out = NULL, *err = NULL;
    char *url = tpg_schema("copy", schema, sizeof schema);
    char *d = tu_tmpdir();
    snprintf(cmd, sizeof cmd, "%s run %s --db %s/a.db --quiet --trials 5", tu_bin(), FAST, d);
    cr_assert_eq(tu_run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s copy --from %s/a.db --to '%s'", tu_bin(), d, url);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "study 'workers-fast': copied 5 trials"), "%s", out);
    free(out);
    free(err);
    /* the study goes on on PostgreSQL, then comes back */
    snprintf(cmd, sizeof cmd, "%s run %s --db '%s' --quiet --trials 8 --workers 2", tu_bin(),
             FAST, url);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "%s copy --from '%s' --to %s/b.db --study workers-fast", tu_bin(),
             url, d);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "copied 8 trials"), "%s", out);
    free(out);
    free(err);
    char *a = NULL, *b = NULL;
    snprintf(cmd, sizeof cmd, "%s trials --db '%s' --format json", tu_bin(), url);
    cr_assert_eq(tu_run(cmd, &a, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s trials --db %s/b.db --format json", tu_bin(), d);
    cr_assert_eq(tu_run(cmd, &b, NULL), 0);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
    tpg_drop(schema);
    free(url);
}
