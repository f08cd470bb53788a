/* SPDX-License-Identifier: GPL-3.0-or-later */
/* asha.c — asynchronous successive halving (Li et al., "A System for
 * Massively Parallel Hyperparameter Tuning", MLSys 2020): rungs at steps
 * min_steps * reduction^k; at each rung a trial goes on only while it is
 * among the best 1/reduction of the trials that reached it, judged at once
 * on what the rung holds (rules.c), so no worker ever waits for a rung to
 * fill.
 *
 * Options: min_steps (1), reduction (3, a number >= 2), max_steps (0: no
 * limit; a rung at or past it is not judged: the trial has run in full),
 * direction (the values' direction; default: pruner.h). */
#include "tunefold/pruner.h"
#include "pruners/options.h"
#include "pruners/rules.h"

#include <cJSON.h>

static const char *const asha_options[] = {"min_steps", "reduction", "max_steps", "direction",
                                           NULL};

static int asha_init(void *state, const struct tune_prune_options *opts, struct tune_error *err)
{
    struct tune_halving_rule *r = state;
    cJSON *o;
    int rc = tune_prune_options_parse(&tune_pruner_asha, opts->json, &o, err);
    if (rc)
        return rc;
    double min_steps = 1, reduction = 3, max_steps = 0;
    if ((rc = tune_prune_option_number(o, "min_steps", 1, 1e15, 1, &min_steps, NULL, err)) ||
        (rc = tune_prune_option_number(o, "reduction", 2, 1e6, 0, &reduction, NULL, err)) ||
        (rc = tune_prune_option_number(o, "max_steps", 0, 1e15, 1, &max_steps, NULL, err)) ||
        (rc = tune_prune_option_direction(o, &r->direction, err))) {
        cJSON_Delete(o);
        return rc;
    }
    cJSON_Delete(o);
    if (max_steps > 0 && max_steps <= min_steps)
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.max_steps: must be larger than min_steps (%g), got %g",
                              min_steps, max_steps);
    r->min_steps = (size_t)min_steps;
    r->reduction = reduction;
    r->max_steps = (size_t)max_steps;
    return TUNE_OK;
}

static int asha_at_step(void *state, const struct tune_prune_env *env,
                        const struct tune_prune_trial *t, struct tune_prune_decision *d,
                        struct tune_error *err)
{
    return tune_prune_halving_rule(state, env, t, d, err);
}

const struct tune_pruner_type tune_pruner_asha = {
    .version = TUNE_PRUNER_VERSION,
    .name = "asha",
    .summary = "asynchronous successive halving: at rungs min_steps * reduction^k, go on only "
               "among the best 1/reduction",
    .options = asha_options,
    .state_size = sizeof(struct tune_halving_rule),
    .init = asha_init,
    .at_step = asha_at_step,
};
