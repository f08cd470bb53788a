/* store_bench.c — N worker processes x M trials of a trivial objective on one
 * SQLite database: claim, set params, finish (one metric, five folds), as the
 * study loop does.  Reports the store's overhead per trial and checks that no
 * trial was lost or duplicated.  Built and run by bench/bench_store.sh. */
#include "tunefold/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int worker(const char *db, size_t budget)
{
    struct tune_store *s;
    struct tune_error err;
    struct tune_study_info info;
    int created;
    if (tune_store_open(db, &s, &err) ||
        tune_store_study_create_or_load(s, "bench", "{}", "value", 0, &info, &created, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (;;) {
        int number, seq;
        int rc = tune_store_trial_claim(s, info.id, TUNE_ORIGIN_SEARCH, budget, &number, &seq, &err);
        if (rc == TUNE_EBUDGET)
            break;
        if (rc) {
            fprintf(stderr, "claim: %s\n", err.msg);
            return 1;
        }
        char params[64];
        double x = (double)seq * 0.001;
        snprintf(params, sizeof params, "{\"x\": %.17g}", x);
        double folds[5] = {x * x, x * x + 1e-3, x * x - 1e-3, x * x, x * x};
        struct tune_metric_summary m = {"value", x * x, 7e-4, 5, folds};
        struct tune_trial_result res = {TUNE_TRIAL_COMPLETE, x * x, 7e-4, 1e-6, 1e-7, NULL, 1, &m};
        if (tune_store_trial_set_params(s, info.id, number, params, &err) ||
            tune_store_trial_finish(s, info.id, number, &res, &err)) {
            fprintf(stderr, "trial %d: %s\n", number, err.msg);
            return 1;
        }
    }
    tune_study_info_release(&info);
    tune_store_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: store_bench DB WORKERS TRIALS_PER_WORKER\n");
        return 2;
    }
    const char *db = argv[1];
    size_t workers = strtoul(argv[2], NULL, 10), per = strtoul(argv[3], NULL, 10);
    size_t budget = workers * per;
    double t0 = now();
    for (size_t w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(worker(db, budget));
    }
    int failed = 0, st;
    while (wait(&st) > 0)
        failed |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    double secs = now() - t0;

    sqlite3 *h;
    sqlite3_stmt *q;
    sqlite3_open(db, &h);
    sqlite3_prepare_v2(h,
                       "SELECT count(*), count(DISTINCT number), count(DISTINCT seq),"
                       " sum(state = 'COMPLETE'), (SELECT count(*) FROM trial_metric_folds),"
                       " (SELECT integrity_check FROM pragma_integrity_check)"
                       " FROM trials",
                       -1, &q, NULL);
    sqlite3_step(q);
    long n = sqlite3_column_int64(q, 0), numbers = sqlite3_column_int64(q, 1),
         seqs = sqlite3_column_int64(q, 2), complete = sqlite3_column_int64(q, 3),
         folds = sqlite3_column_int64(q, 4);
    const char *integrity = (const char *)sqlite3_column_text(q, 5);
    int ok = !failed && (size_t)n == budget && n == numbers && n == seqs && n == complete &&
             (size_t)folds == budget * 5 && strcmp(integrity, "ok") == 0;
    printf("  %zu workers x %zu trials: %ld stored, %ld distinct numbers, %ld distinct seqs, "
           "%ld complete, integrity %s\n",
           workers, per, n, numbers, seqs, complete, integrity);
    printf("  %.3f s in all, %.3f ms of store work per trial (%.0f trials/s)  %s\n", secs,
           secs / (double)budget * 1e3, (double)budget / secs, ok ? "ok" : "LOST OR DUPLICATED");
    sqlite3_finalize(q);
    sqlite3_close(h);
    return ok ? 0 : 1;
}
