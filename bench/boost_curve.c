/* SPDX-License-Identifier: GPL-3.0-or-later */
/* boost_curve.c — tunefold's boosting trainer on a study's holdout split, as
 * an external program for Optuna (bench/bench_pruning.py): the same data,
 * split, preprocessing, fold seed and trainer that `tunefold run` uses for
 * the study, so both tools see the same learning curve for the same
 * parameters, and the steps each runs are comparable.
 *
 *   boost_curve STUDY.json SEED PARAMS_JSON
 *       prints {"step": round, "value": holdout loss} as boosting reports
 *       them (trainers/boosting.c: every ceil(n_estimators / 100) rounds),
 *       then {"objective": V}, V the study's metric on the holdout rows.
 * Killed part-way (pruned), it has printed the steps it ran. */
#include "tunefold/config.h"
#include "tunefold/cv.h"
#include "tunefold/dataset.h"
#include "tunefold/metrics.h"
#include "tunefold/tunefold.h"
#include "src/crossval.h"
#include "src/seed.h"

#include <stdio.h>
#include <stdlib.h>

static int print_step(void *arg, size_t step, double value)
{
    (void)arg;
    printf("{\"step\": %zu, \"value\": %.17g}\n", step, value);
    fflush(stdout);
    return 0;
}

static int fail(const struct tune_error *err)
{
    fprintf(stderr, "boost_curve: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: boost_curve STUDY.json SEED PARAMS_JSON\n");
        return 2;
    }
    struct tune_error err = {0};
    struct tune_study_config *cfg = NULL;
    struct tune_dataset *ds = NULL;
    struct tune_splits *sp = NULL;
    struct tune_fold fold;
    tune_init();
    if (tune_config_load(argv[1], &cfg, &err) ||
        tune_config_set_seed(cfg, strtoull(argv[2], NULL, 10), &err))
        return fail(&err);
    double *values = calloc(cfg->trainer->n_hparams + 1, sizeof *values);
    if (tune_config_resolve_params(cfg, argv[3], "params", values, &err) ||
        tune_dataset_load(cfg->data_path, cfg->target, cfg->task, &ds, &err) ||
        tune_cv_split(&cfg->cv, ds->n_rows, ds->y, ds->n_classes, cfg->seed, &sp, &err) ||
        tune_fold_prepare(ds, &sp->splits[0], &cfg->prep, &fold, &err))
        return fail(&err);
    const struct tune_trainer_type *tr = cfg->trainer;
    const char *names[64], *strings[64];
    for (size_t i = 0; i < tr->n_hparams; i++) {
        names[i] = tr->hparams[i].name;
        strings[i] = tr->hparams[i].type == TUNE_PARAM_CATEGORICAL
                         ? tr->hparams[i].choices[(size_t)values[i]]
                         : NULL;
    }
    struct tune_params params = {tr->n_hparams, names, values, strings};
    /* the study's context for fold 0 (src/crossval.c), threads as a study
     * with one worker has them */
    struct tune_fit_ctx ctx = {.task = ds->task,
                               .n_classes = ds->n_classes,
                               .seed = tune_fold_seed(cfg->seed, 0),
                               .report = print_step,
                               .x_valid = &fold.xva,
                               .y_valid = fold.yva,
                               .n_threads = 2,
                               .type = tr,
                               .trial = 0,
                               .fold = 0};
    void *model = NULL;
    struct tune_predictions pred = {0};
    int cls = ds->task == TUNE_TASK_BINARY || ds->task == TUNE_TASK_MULTICLASS;
    if (tr->fit(&fold.xtr, fold.ytr, &ctx, &params, &model, &err) ||
        tune_predictions_init(&pred, ds->task, fold.xva.n_rows, ds->n_classes, cls, &err) ||
        tr->predict(model, &fold.xva, &pred, &err))
        return fail(&err);
    const struct tune_metric_def *m = tune_metric_find(cfg->metric);
    printf("{\"objective\": %.17g}\n", m->compute(fold.yva, &pred));
    tr->free_model(model);
    tune_predictions_release(&pred);
    tune_fold_release(&fold);
    tune_splits_free(sp);
    tune_dataset_free(ds);
    free(values);
    tune_config_free(cfg);
    return 0;
}
