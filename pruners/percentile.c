/* SPDX-License-Identifier: GPL-3.0-or-later */
/* percentile.c — stop a trial whose best value so far is outside the best
 * `percentile` percent of the complete trials' values at the same step
 * (Optuna's PercentilePruner; rules.c's percentile rule).  "percentile": 25
 * keeps a trial only while it is within the best quarter.
 *
 * Options: percentile (25, in (0, 100)), and those of median.c:
 * startup_trials (5), warmup_steps (0), interval_steps (1), direction.
 * tune_prune_percentile_init reads them for both types. */
#include "tunefold/pruner.h"
#include "pruners/options.h"
#include "pruners/rules.h"

#include <cJSON.h>

static const char *const percentile_options[] = {"percentile", "startup_trials", "warmup_steps",
                                                 "interval_steps", "direction", NULL};

int tune_prune_percentile_init(struct tune_percentile_rule *r, const struct tune_pruner_type *type,
                               const struct tune_prune_options *opts, int with_percentile,
                               struct tune_error *err)
{
    cJSON *o;
    int rc = tune_prune_options_parse(type, opts->json, &o, err);
    if (rc)
        return rc;
    double p = with_percentile ? 25 : 50, startup = 5, warmup = 0, interval = 1;
    if ((with_percentile &&
         (rc = tune_prune_option_number(o, "percentile", 0, 100, 0, &p, NULL, err))) ||
        (rc = tune_prune_option_number(o, "startup_trials", 0, 1e9, 1, &startup, NULL, err)) ||
        (rc = tune_prune_option_number(o, "warmup_steps", 0, 1e15, 1, &warmup, NULL, err)) ||
        (rc = tune_prune_option_number(o, "interval_steps", 1, 1e15, 1, &interval, NULL, err)) ||
        (rc = tune_prune_option_direction(o, &r->direction, err))) {
        cJSON_Delete(o);
        return rc;
    }
    cJSON_Delete(o);
    if (with_percentile && (p <= 0 || p >= 100))
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.percentile: must be between 0 and 100 (exclusive), got %g",
                              p);
    r->percentile = p;
    r->startup_trials = (size_t)startup;
    r->warmup_steps = (size_t)warmup;
    r->interval_steps = (size_t)interval;
    return TUNE_OK;
}

static int percentile_init(void *state, const struct tune_prune_options *opts,
                           struct tune_error *err)
{
    return tune_prune_percentile_init(state, &tune_pruner_percentile, opts, 1, err);
}

static int percentile_at_step(void *state, const struct tune_prune_env *env,
                              const struct tune_prune_trial *t, struct tune_prune_decision *d,
                              struct tune_error *err)
{
    return tune_prune_percentile_rule(state, env, t, d, err);
}

const struct tune_pruner_type tune_pruner_percentile = {
    .version = TUNE_PRUNER_VERSION,
    .name = "percentile",
    .summary = "stop when the best value so far is outside the best `percentile` percent of "
               "the complete trials at the same step",
    .options = percentile_options,
    .state_size = sizeof(struct tune_percentile_rule),
    .init = percentile_init,
    .at_step = percentile_at_step,
};
