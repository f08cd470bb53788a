/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_workers.c — several workers on one study, and crash safety: kill -9 of
 * a worker or of the whole run, SIGINT; each test checks the exact set of
 * stored trials and an intact database. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

/* A hung test fails instead of hanging the suite (Criterion's own .timeout
 * leaks under LeakSanitizer). */
TestSuite(workers, .init = tu_watchdog);

#define FAST "tests/data/studies/workers_fast.json"
#define SLOW "tests/data/studies/workers_slow.json"

static char *db_in(const char *dir)
{
    char *p = malloc(strlen(dir) + 16);
    sprintf(p, "%s/w.db", dir);
    return p;
}

/* One value of a query (malloc'ed text, "" for NULL). */
static char *q(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    char *out = strdup("");
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        free(out);
        out = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

/* The first column of the first row as an int, or -1 (no table yet...). */
static int q_try(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(h);
        return -1;
    }
    sqlite3_busy_timeout(h, 1000);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return v;
}

static void assert_q(const char *db, const char *sql, const char *want)
{
    char *got = q(db, sql);
    cr_assert_str_eq(got, want, "%s\n  -> '%s', expected '%s'", sql, got, want);
    free(got);
}

static void assert_intact(const char *db)
{
    assert_q(db, "PRAGMA integrity_check", "ok");
}

/* Run the CLI to completion with extra environment; returns the exit code. */
static int run(const char *env, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s %s", env, tu_bin(), args);
    return tu_run(cmd, NULL, NULL);
}

/* Start the CLI in the background, in its own process group. */
static pid_t start(const char *stale, const char *const *argv)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        if (stale)
            setenv("TUNEFOLD_STALE_SECONDS", stale, 1);
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(tu_bin(), (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Wait until the database holds at least n finished trials (or time out). */
static void wait_finished(const char *db, int n, double timeout)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) >= %d FROM trials WHERE state != 'RUNNING'", n);
    for (double t = 0; t < timeout; t += 0.05) {
        if (access(db, F_OK) == 0 && q_try(db, sql) == 1) {
            return;
        }
        sleep_s(0.05);
    }
    cr_assert_fail("no %d finished trials in %s after %g s", n, db, timeout);
}

/* Run `file` with one worker and with n; both stores must hold the same
 * trials, `key` (seq or number) by `key`, and `complete` complete ones. */
static void assert_same_study(const char *file, int n, const char *key, const char *complete)
{
    char *d = tu_tmpdir(), *db1 = db_in(d), args[1024], sql[512];
    char *dbn = malloc(strlen(d) + 16);
    sprintf(dbn, "%s/n.db", d);
    snprintf(args, sizeof args, "run %s --db %s --quiet", file, db1);
    cr_assert_eq(run("", args), 0);
    snprintf(args, sizeof args, "run %s --db %s --quiet --workers %d", file, dbn, n);
    cr_assert_eq(run("", args), 0);
    snprintf(sql, sizeof sql,
             "SELECT group_concat(number || ' ' || seq || ' ' || params_json || ' ' || value, "
             "';') FROM (SELECT * FROM trials ORDER BY %s)",
             key);
    char *a = q(db1, sql), *b = q(dbn, sql);
    cr_assert_str_eq(a, b);
    /* every point a new one, and the work shared */
    assert_q(dbn, "SELECT count(*) || ' ' || count(DISTINCT params_json) FROM trials WHERE state "
                  "= 'COMPLETE'",
             complete);
    char *workers = q(dbn, "SELECT count(DISTINCT worker) FROM trials");
    cr_assert(atoi(workers) >= 2, "%s workers ran trials", workers);
    assert_intact(dbn);
    free(workers);
    free(a);
    free(b);
    free(db1);
    free(dbn);
    free(d);
}

Test(workers, two_workers_store_the_same_trials_as_one)
{
    assert_same_study(FAST, 2, "seq", "30 30");
}

#define BATCH "tests/data/studies/workers_batch.json"
#define BATCH_SLOW "tests/data/studies/workers_batch_slow.json"

/* search.batch 3: bayes's trial k sees the results of trials 0..k-3 only,
 * so three workers store exactly one worker's study, point and value by
 * trial number (without batch they differ from run to run). */
Test(workers, bayes_with_a_batch_stores_the_same_study_for_one_worker_and_three)
{
    assert_same_study(BATCH, 3, "number", "8 8");
}

/* Several workers on bayes without a batch: run says the study depends on
 * timing and how to make it reproducible; with a batch it says nothing. */
Test(workers, bayes_on_several_workers_without_a_batch_says_how_to_make_it_reproducible)
{
    char *d = tu_tmpdir(), *db = db_in(d), cmd[2048], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s run tests/data/studies/workers_bayes.json --db %s --workers 2",
             tu_bin(), db);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(err, "tunefold run: note: bayes on 2 workers suggests from whatever has "
                          "finished, so this study depends on timing; \"batch\": 2 in "
                          "\"search\" makes it reproducible"),
              "%s", err);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "%s run %s --db %s/b.db --workers 2 --trials 4", tu_bin(), BATCH,
             d);
    cr_assert_eq(tu_run(cmd, &out, &err), 0, "%s", err);
    cr_assert_null(strstr(err, "note:"), "%s", err);
    free(out);
    free(err);
    free(db);
    free(d);
}

/* Kill -9 the worker of the oldest running trial of the run `run_pid`. */
static void kill_a_running_worker(const char *db, pid_t run_pid)
{
    pid_t worker = 0;
    for (double t = 0; t < 30 && worker <= 0; t += 0.02) {
        char *w = q(db, "SELECT worker FROM trials WHERE state = 'RUNNING' ORDER BY number "
                        "LIMIT 1");
        char *colon = strrchr(w, ':');
        worker = colon ? (pid_t)atoi(colon + 1) : 0;
        free(w);
        if (worker <= 0)
            sleep_s(0.02);
    }
    cr_assert(worker > 0 && worker != run_pid, "no running worker found");
    cr_assert_eq(kill(worker, SIGKILL), 0);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run status %d", status);
}

/* Run `file` (6 trials) on two workers, trials stale after `stale` s; once
 * `finished` trials are stored, kill -9 a worker mid-trial.  The budget
 * completes: seqs 0..5 once each, and the lost trial recorded. */
static void kill_one_worker_and_finish(const char *file, const char *stale, int finished)
{
    char *d = tu_tmpdir(), *db = db_in(d);
    const char *argv[] = {tu_bin(), "run", file, "--db", db, "--quiet", "--workers", "2", NULL};
    pid_t run_pid = start(stale, argv);
    wait_finished(db, finished, 60);
    kill_a_running_worker(db, run_pid);
    assert_q(db,
             "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || max(seq) FROM trials "
             "WHERE lost = 0 AND state = 'COMPLETE'",
             "6 6 5");
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'RUNNING'", "0");
    assert_q(db, "SELECT count(*) FROM trials WHERE lost = 1 AND error = 'worker lost'", "1");
    assert_intact(db);
    free(db);
    free(d);
}

/* A worker killed while the others wait for its trial (batch 2): the wait
 * finds the trial stale, counts it as failed, and the budget completes. */
Test(workers, a_worker_killed_while_a_batch_waits_for_it_does_not_hold_up_the_study)
{
    kill_one_worker_and_finish(BATCH_SLOW, "1", 2);
}

Test(workers, eight_workers_lose_nothing_and_duplicate_nothing)
{
    char *d = tu_tmpdir(), *db = db_in(d), args[1024];
    snprintf(args, sizeof args, "run %s --db %s --quiet --workers 8 --trials 60", FAST, db);
    cr_assert_eq(run("", args), 0);
    assert_q(db,
             "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || count(DISTINCT number) || "
             "' ' || min(seq) || ' ' || max(seq) FROM trials",
             "60 60 60 0 59");
    assert_q(db, "SELECT count(*) FROM trials WHERE state != 'COMPLETE'", "0");
    assert_intact(db);
    free(db);
    free(d);
}

Test(workers, a_worker_killed_mid_trial_is_replaced_and_the_budget_completes)
{
    /* the store names the process ("host:pid") that claimed each trial */
    kill_one_worker_and_finish(SLOW, "2", 1);
}

Test(workers, killing_the_whole_run_keeps_every_complete_trial_and_a_rerun_finishes)
{
    char *d = tu_tmpdir(), *db = db_in(d), args[1024];
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", db, "--quiet", NULL};
    pid_t run_pid = start(NULL, argv);
    wait_finished(db, 2, 60);
    cr_assert_eq(kill(-run_pid, SIGKILL), 0);
    waitpid(run_pid, NULL, 0);
    assert_intact(db);
    const char *snap = "SELECT group_concat(number || ' ' || params_json || ' ' || value, ';') "
                       "FROM (SELECT * FROM trials WHERE state = 'COMPLETE' ORDER BY number)";
    char *before = q(db, snap);
    cr_assert(strlen(before) > 0);

    snprintf(args, sizeof args, "run %s --db %s --quiet", SLOW, db);
    cr_assert_eq(run("TUNEFOLD_STALE_SECONDS=2", args), 0);
    char *after = q(db, snap);
    /* every trial complete before the kill is still there, unchanged */
    cr_assert(strncmp(after, before, strlen(before)) == 0, "before: %s\nafter: %s", before,
              after);
    assert_q(db,
             "SELECT count(*) || ' ' || count(DISTINCT seq) FROM trials WHERE state = "
             "'COMPLETE'",
             "6 6");
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'RUNNING'", "0");
    assert_intact(db);
    free(before);
    free(after);
    free(db);
    free(d);
}

Test(workers, sigint_stores_the_running_trials_and_exits_cleanly)
{
    char *d = tu_tmpdir(), *db = db_in(d), args[1024];
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", db, "--quiet", "--workers", "2", NULL};
    pid_t run_pid = start(NULL, argv);
    wait_finished(db, 1, 60);
    /* Ctrl-C on a terminal reaches the whole process group */
    cr_assert_eq(kill(-run_pid, SIGINT), 0);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status), "the run must exit, not die (status %d)", status);
    cr_assert_eq(WEXITSTATUS(status), 1, "interrupted runs exit 1");
    /* and no worker is left behind in the run's process group */
    cr_assert_eq(kill(-run_pid, 0), -1, "a worker outlived its run");
    /* nothing left running, nothing lost: the running trials were finished */
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'RUNNING' OR lost = 1", "0");
    char *n = q(db, "SELECT count(*) FROM trials");
    cr_assert(atoi(n) >= 1 && atoi(n) < 6, "%s trials after an early Ctrl-C", n);
    free(n);
    assert_intact(db);
    snprintf(args, sizeof args, "run %s --db %s --quiet", SLOW, db);
    cr_assert_eq(run("", args), 0);
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'COMPLETE'", "6");
    free(db);
    free(d);
}

Test(workers, a_worker_joins_a_running_study_by_name)
{
    char *d = tu_tmpdir(), *db = db_in(d), args[1024], *out = NULL;
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", db, "--quiet", NULL};
    pid_t run_pid = start(NULL, argv);
    wait_finished(db, 1, 60);
    snprintf(args, sizeof args, "%s worker --study workers-slow --db %s --quiet", tu_bin(), db);
    cr_assert_eq(tu_run(args, &out, NULL), 0);
    cr_assert(strstr(out, "study 'workers-slow'") != NULL, "%s", out);
    free(out);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_q(db,
             "SELECT count(*) || ' ' || count(DISTINCT seq) FROM trials WHERE state = "
             "'COMPLETE'",
             "6 6");
    assert_intact(db);
    free(db);
    free(d);
}

Test(workers, a_worker_for_an_unknown_study_is_bad_usage)
{
    char *d = tu_tmpdir(), *db = db_in(d), args[1024], *err = NULL;
    snprintf(args, sizeof args, "run %s --db %s --quiet --trials 1", FAST, db);
    cr_assert_eq(run("", args), 0);
    snprintf(args, sizeof args, "%s worker --study nope --db %s", tu_bin(), db);
    cr_assert_eq(tu_run(args, NULL, &err), 2);
    cr_assert(strstr(err, "no study 'nope'") != NULL, "%s", err);
    free(err);
    free(db);
    free(d);
}

Test(workers, sigterm_to_the_run_alone_is_passed_on_to_its_workers)
{
    char *d = tu_tmpdir(), *db = db_in(d);
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", db, "--quiet", "--workers", "2", NULL};
    pid_t run_pid = start(NULL, argv);
    wait_finished(db, 1, 60);
    cr_assert_eq(kill(run_pid, SIGTERM), 0);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'RUNNING' OR lost = 1", "0");
    assert_intact(db);
    free(db);
    free(d);
}

/* The children of `pid` (Linux: /proc/PID/task/PID/children). */
static size_t children_of(pid_t pid, pid_t *out, size_t max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    while (f && n < max && fscanf(f, "%d", &c) == 1)
        out[n++] = (pid_t)c;
    if (f)
        fclose(f);
    return n;
}

Test(workers, every_worker_killed_at_once_is_replaced_and_the_budget_still_completes)
{
    char *d = tu_tmpdir(), *db = db_in(d);
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", db, "--quiet", "--workers", "3", NULL};
    pid_t run_pid = start("2", argv);
    wait_finished(db, 1, 60);
    /* as the OOM killer would: every worker at once, mid-trial */
    pid_t kids[16];
    size_t n = children_of(run_pid, kids, 16);
    cr_assert_eq(n, 3, "%zu workers", n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(kill(kids[i], SIGKILL), 0);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run status %d", status);
    assert_q(db,
             "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || max(seq) FROM trials "
             "WHERE lost = 0 AND state = 'COMPLETE'",
             "6 6 5");
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'RUNNING'", "0");
    assert_intact(db);
    free(db);
    free(d);
}

Test(workers, a_second_ctrl_c_stops_at_once_and_the_trial_cut_short_runs_again_on_resume)
{
    char *d = tu_tmpdir(), *db = db_in(d), args[1024];
    const char *argv[] = {tu_bin(), "run", SLOW, "--db", db, "--quiet", NULL};
    pid_t run_pid = start(NULL, argv);
    wait_finished(db, 1, 60);
    cr_assert_eq(kill(-run_pid, SIGINT), 0);
    sleep_s(0.01);
    cr_assert_eq(kill(-run_pid, SIGINT), 0);
    int status;
    cr_assert_eq(waitpid(run_pid, &status, 0), run_pid);
    cr_assert(WIFEXITED(status), "the run must exit, not die (status %d)", status);
    cr_assert_eq(WEXITSTATUS(status), 1, "interrupted runs exit 1");
    /* the trial in flight was given up as lost, not stored as a result */
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'RUNNING'", "0");
    assert_q(db, "SELECT count(*) || ' ' || min(error) FROM trials WHERE lost = 1",
             "1 interrupted");
    char *lost_params = q(db, "SELECT params_json FROM trials WHERE lost = 1");
    snprintf(args, sizeof args, "run %s --db %s --quiet", SLOW, db);
    cr_assert_eq(run("", args), 0);
    assert_q(db,
             "SELECT count(*) || ' ' || count(DISTINCT seq) FROM trials WHERE state = "
             "'COMPLETE'",
             "6 6");
    /* its point was run again */
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM trials WHERE state = 'COMPLETE' AND params_json = '%s'",
             lost_params);
    assert_q(db, sql, "1");
    free(lost_params);
    assert_intact(db);
    free(db);
    free(d);
}

Test(workers, a_worker_needs_only_the_store_not_the_study_file_or_its_data)
{
    char *d = tu_tmpdir(), db[600], cmd[2400], *out = NULL, *errs = NULL;
    snprintf(db, sizeof db, "%s/w.db", d);
    /* a study whose file and data live in a folder of their own */
    snprintf(cmd, sizeof cmd,
             "mkdir '%s/proj' && cp data/iris.csv '%s/proj/iris.csv' && "
             "printf '%%s' '{\"name\": \"moved\", \"data\": {\"path\": \"iris.csv\"},"
             " \"task\": \"multiclass\", \"trainer\": {\"name\": \"knn\"},"
             " \"space\": {\"n_neighbors\": {\"type\": \"int\", \"low\": 1, \"high\": 30}},"
             " \"search\": {\"trials\": 6, \"seed\": 4}, \"cv\": {\"folds\": 3}}' "
             "> '%s/proj/study.json'",
             d, d, d);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s run '%s/proj/study.json' --db '%s' --trials 2 --quiet",
             tu_bin(), d, db);
    cr_assert_eq(tu_run(cmd, NULL, &errs), 0, "%s", errs);
    free(errs);
    errs = NULL;
    /* two trials stored; the budget the workers follow is raised to 6 (as
     * a run --trials 6 elsewhere would), and the project removed: this
     * "other machine" has neither the study file nor the data */
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'COMPLETE'", "2");
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "UPDATE study_attrs SET value = '6' WHERE key = 'budget'",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(h);
    char *bin = realpath(tu_bin(), NULL);
    snprintf(cmd, sizeof cmd, "rm -rf '%s/proj' && cd / && '%s' worker --study moved --db '%s'",
             d, bin, db);
    int rc = tu_run(cmd, &out, &errs);
    cr_assert_eq(rc, 0, "worker: %s%s", out, errs);
    cr_assert(strstr(out, "study 'moved': 4 trials run now (4 complete"), "%s", out);
    free(out);
    free(errs);
    assert_q(db, "SELECT count(*) || ' ' || count(DISTINCT seq) FROM trials WHERE state = "
                 "'COMPLETE'",
             "6 6");
    assert_intact(db);
    free(bin);
    free(d);
}

Test(workers, a_worker_that_cannot_start_the_program_leaves_the_trial_to_others)
{
    char *d = tu_tmpdir(), db[600], cmd[2400], *out = NULL, *errs = NULL;
    snprintf(db, sizeof db, "%s/w.db", d);
    char *prog = tu_program("trainer_score", d);
    snprintf(cmd, sizeof cmd,
             "printf '%%s' '{\"name\": \"ext\", \"trainer\": {\"exec\": [\"./trainer_score\"],"
             " \"mode\": \"score\", \"params\": {\"y\": 0}}, \"space\": {\"x\": {\"type\":"
             " \"float\", \"low\": 0, \"high\": 1}}, \"search\": {\"trials\": 3},"
             " \"objective\": {\"direction\": \"minimize\"}}' > '%s/s.json'",
             d);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s run '%s/s.json' --db '%s' --trials 1 --quiet", tu_bin(), d, db);
    cr_assert_eq(tu_run(cmd, NULL, &errs), 0, "%s", errs);
    free(errs);
    errs = NULL;
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "UPDATE study_attrs SET value = '3' WHERE key = 'budget'", NULL,
                              NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(h);
    /* a machine without the program */
    cr_assert_eq(unlink(prog), 0);
    snprintf(cmd, sizeof cmd, "%s worker --study ext --db '%s' --quiet", tu_bin(), db);
    int rc = tu_run(cmd, &out, &errs);
    cr_assert_eq(rc, 1, "%s%s", out, errs);
    cr_assert(strstr(errs, "this machine cannot run trial 1 (left to other workers)") &&
                  strstr(errs, "trainer_score") && strstr(errs, "No such file"),
              "%s", errs);
    free(out);
    free(errs);
    assert_q(db, "SELECT state || ' ' || lost || ' ' || substr(error, 1, 21) FROM trials "
                 "WHERE number = 1",
             "FAILED 1 left to other workers");
    /* a machine with it takes the trial */
    free(tu_program("trainer_score", d));
    cr_assert_eq(tu_run(cmd, NULL, NULL), 0);
    assert_q(db, "SELECT count(*) FROM trials WHERE state = 'COMPLETE'", "3");
    free(prog);
    free(d);
}
