/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_alloc_faults.c — out of memory, everywhere: a whole study (config,
 * store, data, folds, searcher, trainer, metrics, the trial's result) is run
 * once per allocation point of tunefold's own code with that allocation
 * failing (tests/alloc_study.c, a program linked with the allocator
 * wrapped).  Every run must end in a clean status — TUNE_OK or an error,
 * never a crash or an abort — and the store must stay intact: its file
 * passes SQLite's integrity check and a normal run on it afterwards
 * completes the study.  Under `make asan` the program is built with the
 * sanitizers, so a leak on any of these paths fails its run too. */
#include "testutil.h"

#include <sqlite3.h>

#include "tunefold/error.h"

#ifndef TU_ALLOC_STUDY
#define TU_ALLOC_STUDY "build/alloc_study"
#endif
#define STUDY "tests/data/studies/alloc_faults.json"

static void long_watchdog(void)
{
    alarm(900); /* several hundred runs, slower under the sanitizers */
}

TestSuite(alloc_faults, .init = long_watchdog);

/* Run alloc_study on `db` with allocation `at` failing; the exit status
 * (-1: killed, e.g. by a sanitizer's abort) and its one-line report. */
static int run(const char *db, unsigned long at, char **report)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s " STUDY " '%s' %lu", TU_ALLOC_STUDY, db, at);
    char *errs = NULL;
    int rc = tu_run(cmd, report, &errs);
    if (errs && *errs && rc >= 0 && rc < 20) {
        /* a sanitizer's report on stderr is a failure whatever the status */
        fprintf(stderr, "%s", errs);
        rc = 98;
    }
    free(errs);
    return rc;
}

static void assert_intact(const char *db)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok", "%s", db);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

Test(alloc_faults, every_allocation_that_fails_ends_in_a_clean_error_and_an_intact_store)
{
    char *dir = tu_tmpdir(), db[600], *report = NULL, cmd[2400];
    snprintf(db, sizeof db, "%s/clean.db", dir);
    cr_assert_eq(run(db, 0, &report), TUNE_OK, "the study itself must run: %s", report);
    unsigned long total = 0;
    cr_assert_eq(sscanf(report, "status 0 allocations %lu", &total), 1, "%s", report);
    free(report);
    cr_assert(total > 300, "only %lu allocations", total);
    size_t tried = 0, errors = 0;
    for (unsigned long at = 1; at <= total; at++) {
        char path[700];
        snprintf(path, sizeof path, "%s/f.db", dir);
        int rc = run(path, at, &report);
        cr_assert(rc >= 0 && rc < 20, "allocation %lu of %lu failing: exit %d (%s)", at, total,
                  rc, report);
        cr_assert(rc == TUNE_OK || rc == TUNE_ENOMEM || rc == TUNE_ESTORE || rc == TUNE_EIO ||
                      rc == TUNE_ETRAINER,
                  "allocation %lu failing: %s", at, report);
        free(report);
        errors += rc != TUNE_OK;
        if (access(path, F_OK) == 0) {
            assert_intact(path);
            /* the store is still usable: a normal run completes the study */
            if (rc != TUNE_OK) {
                cr_assert_eq(run(path, 0, &report), TUNE_OK,
                             "after allocation %lu failed the study cannot be completed: %s",
                             at, report);
                free(report);
            }
            snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", path, path, path);
            cr_assert_eq(system(cmd), 0);
        }
        tried++;
    }
    cr_assert(errors > tried / 2, "%zu of %zu runs saw the failure", errors, tried);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}
