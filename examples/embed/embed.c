/* SPDX-License-Identifier: GPL-3.0-or-later */
/* embed.c — tunefold inside a C program: open a study file, work the study
 * until it stops, print the best trial.  Build against an installed copy:
 *
 *     cc -o embed embed.c $(pkg-config --cflags --libs tunefold)
 *     ./embed ../breast_cancer_logistic.json /tmp/embed.db
 */
#include <stdio.h>
#include <tunefold/tunefold.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s STUDY.json DATABASE\n", argv[0]);
        return 2;
    }
    struct tune_error err = {0};
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_run_options opts;
    struct tune_run_result result;
    struct tune_trial best = {0};
    int rc;

    tune_init();
    if ((rc = tune_config_load(argv[1], &cfg, &err)) ||
        (rc = tune_store_open(argv[2], &store, &err)) ||
        (rc = tune_study_open(cfg, store, &study, &err)))
        goto done;
    tune_run_options_init(&opts, study);
    if ((rc = tune_study_run(study, &opts, &result, &err)))
        goto done;
    const struct tune_study_info *info = tune_study_get_info(study);
    if ((rc = tune_store_trial_best(store, info->id, &best, &err)))
        goto done;
    printf("%s: %s after %zu trials; best trial #%d: %s = %.6g, params %s\n", info->name,
           tune_stop_str(result.stop), result.ran, best.number, info->metric, best.value,
           best.params_json);
done:
    if (rc)
        fprintf(stderr, "embed: %s\n", err.msg);
    tune_trial_release(&best);
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc == TUNE_OK ? 0 : rc == TUNE_EINVAL ? 2 : 1;
}
