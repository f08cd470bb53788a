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

/* What a score-mode run reported. */
struct tune_external_score {
    double objective;
    size_t n_metrics;
    char **metric_names;         /* the program's "metrics" object, numbers only */
    double *metric_values;
    double seconds;
};
void tune_external_score_release(struct tune_external_score *s);

/* Score mode: run the program once for a trial with `params`.  Intermediate
 * values go to ctx->report (in either mode, a non-zero answer — the trial
 * is pruned — stops the program as a timeout does, and the run fails with
 * "stopped by the caller"), the stderr tail to ctx->attach.  A program that
 * fails (exit status, signal, timeout, no or non-finite objective) is
 * TUNE_ETRAINER with a one-line reason. */
int tune_external_score(const struct tune_trainer_type *t, const struct tune_fit_ctx *ctx,
                        const struct tune_params *params, struct tune_external_score *out,
                        struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
