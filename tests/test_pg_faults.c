/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_pg_faults.c — faults survived on PostgreSQL, against the throwaway
 * server of scripts/pg-test-server (restarted here with pg_ctl restart -m
 * fast, so this binary holds one test and nothing runs beside it):
 *   - a store call cut off by a restart reconnects and lands;
 *   - a finish whose commit landed but whose answer was lost is written
 *     once (the identical result again is success, a different one is not);
 *   - right after a restart, no trial is marked stale before the stale
 *     window has passed on the server's clock: workers get time to return;
 *   - the fault run: three worker processes on one study (one `run`, two
 *     `tunefold worker` in folders of their own), one killed with SIGKILL
 *     mid-trial, the server restarted mid-run: every budgeted trial COMPLETE
 *     exactly once, no number or seq twice, nothing left RUNNING. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "pgutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "tunefold/store.h"

TestSuite(pg_faults, .init = tu_watchdog);

#define FAULT "tests/data/studies/pg_fault.json"

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void restart_server(void)
{
    cr_assert_eq(system("scripts/pg-test-server restart"), 0, "pg_ctl restart failed");
}

static struct tune_store *open_store(const char *url)
{
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(url, &s, &err), TUNE_OK, "%s", err.msg);
    return s;
}

/* Cut every tunefold connection but the caller's (as a network drop would). */
static void drop_connections(const char *url)
{
    free(tpg_query(url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = 'tunefold' AND pid <> pg_backend_pid()"));
}

static void store_level_faults(void)
{
    char schema[64];
    char *url = tpg_schema("fault", schema, sizeof schema);
    struct tune_store *s = open_store(url), *s2 = open_store(url);
    struct tune_error err = {0};
    struct tune_study_info info;
    int created, number, seq;
    cr_assert_eq(tune_store_study_create_or_load(s, "f", "{}", "m", 1, &info, &created, &err), 0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(tune_store_trial_claim(s, info.id, TUNE_ORIGIN_SEARCH, 10, &number, &seq,
                                            &err),
                     TUNE_OK, "%s", err.msg);
    struct tune_trial_result r = {.state = TUNE_TRIAL_COMPLETE, .value = 0.8125,
                                  .value_std = NAN, .fit_seconds = 1.5, .predict_seconds = NAN};

    /* a restart between two calls: the next one reconnects and lands */
    restart_server();
    cr_assert_eq(tune_store_trial_finish(s, info.id, 0, &r, &err), TUNE_OK, "%s", err.msg);
    tpg_assert(url, "SELECT state FROM trials WHERE number = 0", "COMPLETE");

    /* the commit landed, the answer did not: the same process finds its
     * own identical result and succeeds; a different result is refused */
    cr_assert_eq(tune_store_trial_finish(s2, info.id, 1, &r, &err), TUNE_OK, "%s", err.msg);
    drop_connections(url);
    cr_assert_eq(tune_store_trial_finish(s, info.id, 1, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_trial_finish(s2, info.id, 2, &r, &err), TUNE_OK, "%s", err.msg);
    drop_connections(url);
    struct tune_trial_result other = r;
    other.value = 0.5;
    cr_assert_eq(tune_store_trial_finish(s, info.id, 2, &other, &err), TUNE_ECONFLICT);
    /* without a lost connection, finishing twice is refused as ever */
    cr_assert_eq(tune_store_trial_finish(s, info.id, 1, &r, &err), TUNE_ECONFLICT);
    tpg_assert(url, "SELECT count(*) || ' ' || sum(value) FROM trials WHERE state = 'COMPLETE'",
               "3 2.4375");

    /* stale on the server's clock, and not before the window has passed
     * since the server started */
    free(tpg_query(url, "UPDATE trials SET heartbeat = heartbeat - 100 WHERE number = 3"));
    restart_server();
    double t0 = now_s();
    size_t marked = 99;
    cr_assert_eq(tune_store_trial_recover_stale(s, info.id, 4.0, &marked, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(marked, 0, "marked stale %.1f s after a restart", now_s() - t0);
    sleep_s(4.5 - (now_s() - t0));
    cr_assert_eq(tune_store_trial_recover_stale(s, info.id, 4.0, &marked, &err), TUNE_OK);
    cr_assert_eq(marked, 1);
    tune_study_info_release(&info);
    tune_store_close(s);
    tune_store_close(s2);
    tpg_drop(schema);
    free(url);
}

static pid_t start_in(const char *cwd, const char *const *argv)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        setenv("TUNEFOLD_STALE_SECONDS", "2", 1);
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

static int count(const char *url, const char *sql)
{
    char *v = tpg_query(url, sql);
    int n = atoi(v);
    free(v);
    return n;
}

static void wait_count(const char *url, const char *sql, int n, double timeout)
{
    for (double t0 = now_s(); now_s() - t0 < timeout; sleep_s(0.05))
        if (count(url, sql) >= n)
            return;
    cr_assert_fail("%s: not %d after %g s", sql, n, timeout);
}

static void fault_run(void)
{
    char schema[64], bin[1024], study[1024];
    char *url = tpg_schema("run", schema, sizeof schema);
    cr_assert_not_null(realpath(tu_bin(), bin));
    cr_assert_not_null(realpath(FAULT, study));
    const char *run_argv[] = {bin, "run", study, "--db", url, "--quiet", NULL};
    const char *worker_argv[] = {bin, "worker", "--study", "pg-fault", "--db", url, "--quiet",
                                 NULL};
    char *dirs[3] = {tu_tmpdir(), tu_tmpdir(), tu_tmpdir()};
    pid_t pids[3];
    pids[0] = start_in(dirs[0], run_argv);
    /* the study exists once the run has claimed its first trial */
    wait_count(url,
               "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
               " AND tablename = 'trials'",
               1, 30);
    sleep_s(0.2); /* the schema is made in one transaction: its tables are all there */
    wait_count(url, "SELECT count(*) FROM trials", 1, 30);
    pids[1] = start_in(dirs[1], worker_argv);
    pids[2] = start_in(dirs[2], worker_argv);
    /* kill worker 2 in the middle of a trial of its own: one it has held
     * for 0.3 s and still holds (a trial may end within the wait, and with
     * the budget all claimed the worker then holds none: nothing to lose) */
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT min(number) FROM trials WHERE state = 'RUNNING' AND worker LIKE '%%:%ld'",
             (long)pids[2]);
    for (double t0 = now_s();; sleep_s(0.05)) {
        cr_assert_lt(now_s() - t0, 60, "worker 2 never held a trial for 0.3 s");
        char *held = tpg_query(url, sql);
        int still = 0;
        if (*held) {
            sleep_s(0.3);
            char *now = tpg_query(url, sql);
            still = strcmp(held, now) == 0;
            free(now);
        }
        free(held);
        if (still)
            break;
    }
    cr_assert_eq(kill(pids[2], SIGKILL), 0);
    int status;
    cr_assert_eq(waitpid(pids[2], &status, 0), pids[2]);
    /* the server goes down and comes back mid-run */
    wait_count(url, "SELECT count(*) FROM trials WHERE state = 'COMPLETE'", 4, 60);
    restart_server();
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "process %d: status %d", i,
                  status);
    }
    /* every budgeted trial COMPLETE exactly once */
    tpg_assert(url,
               "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' ||"
               " max(seq) FROM trials WHERE state = 'COMPLETE' AND NOT lost",
               "12 12 0 11");
    tpg_assert(url, "SELECT count(*) = count(DISTINCT number) FROM trials", "t");
    tpg_assert(url, "SELECT count(*) FROM trials WHERE state = 'RUNNING'", "0");
    tpg_assert(url, "SELECT count(*) >= 1 FROM trials WHERE lost AND error = 'worker lost'", "t");
    /* the killed worker's trial was run again by another */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM trials t WHERE t.worker LIKE '%%:%ld' AND t.lost AND"
             " EXISTS (SELECT 1 FROM trials u WHERE u.seq = t.seq AND u.state = 'COMPLETE')",
             (long)pids[2]);
    tpg_assert(url, sql, "1");
    tpg_assert(url, "SELECT count(DISTINCT worker) >= 3 FROM trials", "t");
    tpg_assert(url, "SELECT value FROM study_attrs WHERE key = 'budget'", "12");
    for (int i = 0; i < 3; i++) {
        rmdir(dirs[i]);
        free(dirs[i]);
    }
    tpg_drop(schema);
    free(url);
}

Test(pg_faults, restarts_drops_and_a_killed_worker_lose_nothing_and_write_nothing_twice)
{
    tpg_require();
    /* the restarts need the throwaway server of this worktree */
    char *out = NULL;
    if (tu_run("scripts/pg-test-server url", &out, NULL) != 0 ||
        strncmp(out, tpg_url(), strlen(out) - 1) != 0) {
        free(out);
        cr_skip_test("PostgreSQL fault tests skipped: TUNEFOLD_TEST_PG_URL is not the server of "
                     "scripts/pg-test-server, which they restart");
    }
    free(out);
    store_level_faults();
    fault_run();
}
