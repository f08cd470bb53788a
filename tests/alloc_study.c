/* SPDX-License-Identifier: GPL-3.0-or-later */
/* alloc_study.c — a whole study with one of the library's allocations made
 * to fail, for tests/test_alloc_faults.c.
 *
 *     alloc_study STUDY.json DB N    run the study in DB with allocation N
 *                                    failing (0: none)
 *
 * Prints "status S allocations A: message" and exits with the library's
 * status S (a crash is a signal; under `make asan` a leak makes
 * LeakSanitizer fail the exit).  Linked with -Wl,--wrap=malloc,calloc,
 * realloc,strdup: only tunefold's own calls are counted and failed, not
 * those inside SQLite, cJSON or GSL.  A RUNNING trial left behind by an
 * earlier failed run is recovered at once (one worker). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunefold/tunefold.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static unsigned long n_allocs, fail_at;

static int fails(void)
{
    n_allocs++;
    return fail_at && n_allocs == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fails() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fails() ? NULL : __real_strdup(s);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: alloc_study STUDY.json DB N\n");
        return 99;
    }
    tune_init();
    fail_at = strtoul(argv[3], NULL, 10);
    struct tune_error err = {0};
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_run_options o;
    struct tune_run_result res;
    struct tune_trial best = {0};
    int rc = tune_config_load(argv[1], &cfg, &err);
    if (!rc)
        rc = tune_store_open(argv[2], &store, &err);
    if (!rc)
        rc = tune_study_open(cfg, store, &study, &err);
    if (!rc) {
        tune_run_options_init(&o, study);
        o.stale_seconds = 1e-3;
        rc = tune_study_run(study, &o, &res, &err);
    }
    if (!rc)
        rc = tune_store_trial_best(store, tune_study_get_info(study)->id, &best, &err);
    tune_trial_release(&best);
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    printf("status %d allocations %lu: %s\n", rc, n_allocs, err.msg);
    return rc;
}
