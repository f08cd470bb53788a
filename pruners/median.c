/* SPDX-License-Identifier: GPL-3.0-or-later */
/* median.c — stop a trial whose best value so far is worse than the median
 * of the complete trials' values at the same step (Optuna's MedianPruner;
 * the rule is rules.c's percentile rule at 50).
 *
 * Options: startup_trials (5: complete trials with a value at the step
 * before anything stops), warmup_steps (0: no stop before this step),
 * interval_steps (1: judge once per this many steps), direction (the
 * values' direction; default: rules.h). */
#include "tunefold/pruner.h"
#include "pruners/options.h"
#include "pruners/rules.h"

#include <cJSON.h>

static const char *const median_options[] = {"startup_trials", "warmup_steps", "interval_steps",
                                             "direction", NULL};

static int median_init(void *state, const struct tune_prune_options *opts,
                       struct tune_error *err)
{
    return tune_prune_percentile_init(state, &tune_pruner_median, opts, 0, err);
}

static int median_at_step(void *state, const struct tune_prune_env *env,
                          const struct tune_prune_trial *t, struct tune_prune_decision *d,
                          struct tune_error *err)
{
    return tune_prune_percentile_rule(state, env, t, d, err);
}

const struct tune_pruner_type tune_pruner_median = {
    .version = TUNE_PRUNER_VERSION,
    .name = "median",
    .summary = "stop when the best value so far is worse than the median of the complete "
               "trials at the same step",
    .options = median_options,
    .state_size = sizeof(struct tune_percentile_rule),
    .init = median_init,
    .at_step = median_at_step,
};
