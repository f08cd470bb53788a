/* SPDX-License-Identifier: GPL-3.0-or-later */
/* store_bench.c — N worker processes x M trials of a trivial objective on one
 * store (a SQLite file or a postgresql:// URL), each trial as the study loop
 * makes it: recover stale trials, claim, read the history's changes, set
 * params, three intermediate values, finish (one metric, five folds).
 * Reports the store's overhead per trial (wall time over the trials; and
 * per worker: wall x workers / trials) and checks through the store that
 * no trial was lost or duplicated.  Built and run by bench/bench_store.sh
 * and bench/bench_store_pg.sh. */
#include "tunefold/store.h"

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
    int64_t stamp = -1;
    if (tune_store_open(db, &s, &err) ||
        tune_store_study_create_or_load(s, "bench", "{}", "value", 0, &info, &created, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (;;) {
        int number, seq;
        size_t marked, n;
        struct tune_trial_brief *changes;
        if (tune_store_trial_recover_stale(s, info.id, TUNE_STALE_SECONDS, &marked, &err)) {
            fprintf(stderr, "recover: %s\n", err.msg);
            return 1;
        }
        int rc = tune_store_trial_claim(s, info.id, TUNE_ORIGIN_SEARCH, budget, &number, &seq, &err);
        if (rc == TUNE_EBUDGET)
            break;
        if (rc || tune_store_trial_changes(s, info.id, stamp, &changes, &n, &stamp, &err)) {
            fprintf(stderr, "claim: %s\n", err.msg);
            return 1;
        }
        tune_trial_briefs_free(changes, n);
        char params[64];
        double x = (double)seq * 0.001;
        snprintf(params, sizeof params, "{\"x\": %.17g}", x);
        double folds[5] = {x * x, x * x + 1e-3, x * x - 1e-3, x * x, x * x};
        struct tune_metric_summary m = {"value", x * x, 7e-4, 5, folds};
        struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE,
                                        .value = x * x,
                                        .value_std = 7e-4,
                                        .fit_seconds = 1e-6,
                                        .predict_seconds = 1e-7,
                                        .n_metrics = 1,
                                        .metrics = &m};
        if (tune_store_trial_set_params(s, info.id, number, params, &err)) {
            fprintf(stderr, "trial %d: %s\n", number, err.msg);
            return 1;
        }
        for (size_t step = 1; step <= 3; step++) {
            struct tune_intermediate iv = {-1, step, x * x + 1.0 / (double)step};
            if (tune_store_trial_add_intermediate(s, info.id, number, &iv, 1, &err)) {
                fprintf(stderr, "trial %d: %s\n", number, err.msg);
                return 1;
            }
        }
        if (tune_store_trial_finish(s, info.id, number, &res, &err)) {
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

    /* the check, through the store: every trial once, complete, its folds */
    struct tune_store *s;
    struct tune_error err;
    struct tune_study_info info;
    struct tune_trial *t = NULL;
    size_t n = 0;
    if (tune_store_open(db, &s, &err) || tune_store_study_find(s, "bench", &info, &err) ||
        tune_store_trial_list(s, info.id, &t, &n, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    char *seen_number = calloc(budget + 1, 1), *seen_seq = calloc(budget + 1, 1);
    size_t numbers = 0, seqs = 0, complete = 0, folds = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].number >= 0 && (size_t)t[i].number < budget && !seen_number[t[i].number]++)
            numbers++;
        if (t[i].seq >= 0 && (size_t)t[i].seq < budget && !seen_seq[t[i].seq]++)
            seqs++;
        complete += t[i].state == TUNE_TRIAL_COMPLETE;
        folds += t[i].n_metrics ? t[i].metrics[0].n_folds : 0;
    }
    int ok = !failed && n == budget && numbers == n && seqs == n && complete == n &&
             folds == budget * 5;
    printf("  %zu workers x %zu trials: %zu stored, %zu distinct numbers, %zu distinct seqs, "
           "%zu complete\n",
           workers, per, n, numbers, seqs, complete);
    printf("  %.3f s in all, %.3f ms of store work per trial (%.0f trials/s), %.3f ms per "
           "trial per worker  %s\n",
           secs, secs / (double)budget * 1e3, (double)budget / secs,
           secs * (double)workers / (double)budget * 1e3, ok ? "ok" : "LOST OR DUPLICATED");
    /* one line for scripts */
    printf("RESULT workers=%zu trials=%zu seconds=%.6f ok=%d\n", workers, budget, secs, ok);
    free(seen_number);
    free(seen_seq);
    tune_trials_free(t, n);
    tune_study_info_release(&info);
    tune_store_close(s);
    return ok ? 0 : 1;
}
