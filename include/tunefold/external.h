/* SPDX-License-Identifier: GPL-3.0-or-later */
/* external.h — trainers that are programs: tune and evaluate any training
 * executable through the protocol documented in README.md ("External
 * trainers").
 *
 * A study file's "trainer": {"exec": [...]} becomes a trainer type made at
 * run time: its hyperparameters are the study's space plus its fixed
 * params, and its fit runs the program (predict mode: once per fold, the
 * program writes predictions that tunefold scores), or the study calls
 * tune_external_score (score mode: once per trial, the program prints its
 * own objective).  Programs run through the safe runner of process.h. */
#ifndef TUNEFOLD_EXTERNAL_H
#define TUNEFOLD_EXTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_external_mode { TUNE_EXTERNAL_PREDICT = 0, TUNE_EXTERNAL_SCORE = 1 };

/* The settings of one external trainer (all strings owned). */
struct tune_external {
    /* NULL-terminated: "exec".  Each element is a template: "{name}" is
     * replaced by the value of hyperparameter `name` as text, "{{" and "}}"
     * by a brace.  When any element holds a placeholder, no "--name=value"
     * arguments are appended. */
    char **argv;
    enum tune_external_mode mode;
    int params_as_env;           /* 0: --name=value arguments (unless argv has
                                    placeholders); 1: TUNEFOLD_P_<NAME> variables
                                    (argv's placeholders are filled either way) */
    double timeout;              /* seconds per run; 0: none */
    double grace;                /* SIGTERM to SIGKILL; 0: the runner's default */
    char *objective_regex;       /* score mode: first group of the last match */
    char *intermediate_regex;    /* two groups: step and value */
    int keep_workdir;            /* keep each run's TUNEFOLD_WORKDIR */
    char *cwd;                   /* the program's working directory */
    char *metric_key;            /* score mode: a key of "metrics" as objective */
};

/* Make a trainer type for `ext` (taken over, even on failure) with the given
 * hyperparameters (copied, names and choices too) for `tasks`.  Free with
 * tune_external_type_free().  TUNE_EINVAL for a bad template in ext->argv,
 * naming the element: "trainer.exec[7]: unknown parameter 'gama' in
 * '{gama}' (parameters: C, gamma)", a '{' or '}' without its pair, "{}". */
int tune_external_type_new(struct tune_external *ext, const struct tune_hparam *hparams,
                           size_t n_hparams, unsigned tasks, struct tune_trainer_type **out,
                           struct tune_error *err);
void tune_external_type_free(struct tune_trainer_type *t);
/* The settings behind a type made by tune_external_type_new, else NULL. */
const struct tune_external *tune_external_of(const struct tune_trainer_type *t);

/* Score mode (the type's `score` method): run the program once for a trial
 * with `params`; ctx->type is the type.  Intermediate values go to
 * ctx->report (in either mode, a non-zero answer — the trial is pruned —
 * stops the program as a timeout does, and the run fails with "stopped by
 * the caller"), the stderr tail to ctx->attach; the program's "metrics"
 * object (numbers only) fills out->metric_names/values.  A program that
 * fails (exit status, signal, timeout, no or non-finite objective) is
 * TUNE_ETRAINER with a one-line reason. */
int tune_external_score(const struct tune_fit_ctx *ctx, const struct tune_params *params,
                        struct tune_score_result *out, struct tune_error *err);

/* ---- saved models (tunefold/model.h) ----
 * A predict-mode program takes part in `tunefold fit` when it saves its
 * model: the final fit runs it once on every row with TUNEFOLD_MODEL_DIR
 * naming an empty folder, and whatever files it leaves there go into the
 * model file with the program's settings.  To predict, tunefold writes those
 * files back into a fresh TUNEFOLD_MODEL_DIR and runs the program without
 * TUNEFOLD_TRAIN (README: "Saving a model").  A program that leaves the
 * folder empty cannot predict later: the fit is TUNE_EUNSUPPORTED. */

/* Rebuild an external trainer's type and fitted model from the trained-model
 * part of a model file (what the type's save wrote).  Free *model with
 * (*type)->free_model, then *type with tune_external_type_free. */
struct tune_model_reader;
int tune_external_model_load(struct tune_model_reader *r, struct tune_trainer_type **type,
                             void **model, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
