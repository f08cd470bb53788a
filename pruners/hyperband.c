/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hyperband.c — Hyperband (Li et al., "Hyperband: A Novel Bandit-Based
 * Approach to Hyperparameter Optimization", JMLR 2018) as brackets of
 * asynchronous successive halving, the way Optuna's HyperbandPruner runs
 * it: bracket b = 0 .. B-1, B = floor(log_eta(max_steps / min_steps)) + 1,
 * halves from rung min_steps * eta^b, so bracket 0 is the most aggressive
 * and bracket B-1 runs every trial in full.  A trial competes only with the
 * trials of its own bracket.
 *
 * The bracket of a trial is a function of its searcher sequence number
 * alone, so it needs no state: a hash of seq picks a bracket with
 * probability proportional to the trials Hyperband gives it,
 * n_b = ceil(B * eta^s / (s + 1)), s = B - 1 - b (the paper's Algorithm 1
 * with the rounds interleaved, as Optuna allocates them).  Every worker and
 * every resume puts trial seq in the same bracket.
 *
 * Options: min_steps (1), max_steps (required: a full run's steps),
 * reduction (3), direction (the values' direction; default: pruner.h). */
#include "tunefold/pruner.h"
#include "pruners/options.h"
#include "pruners/rules.h"
#include "src/seed.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>

#define MAX_BRACKETS 64

struct hyperband_state {
    size_t min_steps, max_steps;
    double reduction;
    int direction;
    size_t n_brackets;
    size_t budget[MAX_BRACKETS];   /* n_b */
    size_t total;
};

static const char *const hyperband_options[] = {"min_steps", "max_steps", "reduction",
                                                "direction", NULL};

static int hyperband_init(void *state, const struct tune_prune_options *opts,
                          struct tune_error *err)
{
    struct hyperband_state *st = state;
    cJSON *o;
    int rc = tune_prune_options_parse(&tune_pruner_hyperband, opts->json, &o, err);
    if (rc)
        return rc;
    double min_steps = 1, reduction = 3, max_steps = 0;
    int has_max;
    if ((rc = tune_prune_option_number(o, "min_steps", 1, 1e15, 1, &min_steps, NULL, err)) ||
        (rc = tune_prune_option_number(o, "reduction", 2, 1e6, 0, &reduction, NULL, err)) ||
        (rc = tune_prune_option_number(o, "max_steps", 1, 1e15, 1, &max_steps, &has_max, err)) ||
        (rc = tune_prune_option_direction(o, &st->direction, err))) {
        cJSON_Delete(o);
        return rc;
    }
    cJSON_Delete(o);
    if (!has_max)
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.max_steps: required by hyperband (the steps of a full "
                              "run, e.g. the boosting rounds)");
    if (max_steps <= min_steps)
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.max_steps: must be larger than min_steps (%g), got %g",
                              min_steps, max_steps);
    st->min_steps = (size_t)min_steps;
    st->max_steps = (size_t)max_steps;
    st->reduction = reduction;
    /* B = floor(log_eta(max / min)) + 1, counted in integers */
    size_t b = 1;
    for (double r = min_steps * reduction; r <= max_steps && b < MAX_BRACKETS; r *= reduction)
        b++;
    st->n_brackets = b;
    st->total = 0;
    for (size_t i = 0; i < b; i++) {
        size_t s = b - 1 - i;
        st->budget[i] = (size_t)ceil((double)b * pow(reduction, (double)s) / (double)(s + 1));
        st->total += st->budget[i];
    }
    return TUNE_OK;
}

static size_t bracket_of(const struct hyperband_state *st, int seq)
{
    uint64_t h = tune_mix64((uint64_t)(int64_t)seq ^ 0x4879706572ull) % st->total;
    for (size_t i = 0; i < st->n_brackets; i++) {
        if (h < st->budget[i])
            return i;
        h -= st->budget[i];
    }
    return st->n_brackets - 1;
}

struct same_bracket {
    const struct hyperband_state *st;
    size_t bracket;
};

static int in_bracket(const struct tune_step_value *v, void *arg)
{
    const struct same_bracket *sb = arg;
    return bracket_of(sb->st, v->seq) == sb->bracket;
}

static int hyperband_at_step(void *state, const struct tune_prune_env *env,
                             const struct tune_prune_trial *t, struct tune_prune_decision *d,
                             struct tune_error *err)
{
    const struct hyperband_state *st = state;
    struct same_bracket sb = {st, bracket_of(st, t->seq)};
    char group[48];
    snprintf(group, sizeof group, "bracket %zu of %zu", sb.bracket, st->n_brackets);
    struct tune_halving_rule r = {.min_steps = st->min_steps,
                                  .reduction = st->reduction,
                                  .max_steps = st->max_steps,
                                  .rate = sb.bracket,
                                  .direction = st->direction,
                                  .keep = in_bracket,
                                  .keep_arg = &sb,
                                  .group = group};
    return tune_prune_halving_rule(&r, env, t, d, err);
}

const struct tune_pruner_type tune_pruner_hyperband = {
    .version = TUNE_PRUNER_VERSION,
    .name = "hyperband",
    .summary = "brackets of asynchronous successive halving from different first rungs; a "
               "trial's bracket follows from its sequence number",
    .options = hyperband_options,
    .state_size = sizeof(struct hyperband_state),
    .init = hyperband_init,
    .at_step = hyperband_at_step,
};
