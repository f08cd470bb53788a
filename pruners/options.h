/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.h — reading a pruning strategy's own options (internal to
 * pruners/).
 *
 * A study file's "pruning" section holds "strategy" (read by config.c) and
 * the strategy's own options, which config.c hands to the pruner's init as
 * JSON text.  The init parses that text with tune_prune_options_parse, which
 * refuses any key the type does not declare, then reads each option with
 * the getters below.  Every message names "pruning.KEY"; the reading itself
 * is src/options.c, shared with the searchers. */
#ifndef TUNEFOLD_PRUNE_OPTIONS_H
#define TUNEFOLD_PRUNE_OPTIONS_H

#include <cJSON.h>
#include <stddef.h>
#include "tunefold/pruner.h"

/* Parse `json` (NULL or empty: no options) into *out (caller frees with
 * cJSON_Delete; NULL on failure).  A key that `type` does not declare is
 * refused; when another registered strategy declares it the message says
 * which ("pruning.reduction: only for the asha and hyperband strategies
 * (strategy is median)"). */
int tune_prune_options_parse(const struct tune_pruner_type *type, const char *json, cJSON **out,
                             struct tune_error *err);

/* Option `key` when present: a finite number in [lo, hi] (an integer when
 * `integer`) into *out (left unchanged when absent); *present (may be NULL)
 * says whether it was given. */
int tune_prune_option_number(const cJSON *opts, const char *key, double lo, double hi,
                             int integer, double *out, int *present, struct tune_error *err);

/* Option `key` when present: a string among the NULL-terminated `choices`,
 * whose index goes to *index (left unchanged when absent). */
int tune_prune_option_choice(const cJSON *opts, const char *key, const char *const *choices,
                             size_t *index, struct tune_error *err);

/* The "direction" option: -1 when absent (the environment's default), 0
 * minimize, 1 maximize. */
int tune_prune_option_direction(const cJSON *opts, int *direction, struct tune_error *err);

#endif
