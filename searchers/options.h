/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.h — reading a strategy's own options (internal to searchers/).
 *
 * A study file's "search" section holds the keys every strategy shares
 * (TUNE_SEARCH_COMMON_KEYS, read by config.c) and the strategy's own
 * options, which config.c hands to the searcher's init as JSON text without
 * looking at them.  The init parses that text with tune_search_options_parse,
 * which refuses any key the searcher type does not declare in its `options`
 * list, then reads each option with the getters below.  Every message names
 * "search.KEY" in the words config.c uses for the common keys; the reading
 * itself is src/options.c, shared with the pruners. */
#ifndef TUNEFOLD_SEARCH_OPTIONS_H
#define TUNEFOLD_SEARCH_OPTIONS_H

#include <cJSON.h>
#include <stddef.h>
#include "tunefold/searcher.h"

/* Parse `json` (NULL or empty: no options) into *out (caller frees with
 * cJSON_Delete; NULL on failure).  A key that `type` does not declare is
 * refused, and when another registered strategy declares it the message
 * says which ("search.xi: only for the bayes strategy (strategy is
 * random)"). */
int tune_search_options_parse(const struct tune_searcher_type *type, const char *json,
                              cJSON **out, struct tune_error *err);

/* Option `key` of `opts` when present: a string among the NULL-terminated
 * `choices`, whose index goes to *index (left unchanged when absent). */
int tune_search_option_choice(const cJSON *opts, const char *key, const char *const *choices,
                              size_t *index, struct tune_error *err);

/* Option `key` when present: a finite number in [lo, hi] (an integer when
 * `integer`) into *out (left unchanged when absent); *present (may be NULL)
 * says whether it was given. */
int tune_search_option_number(const cJSON *opts, const char *key, double lo, double hi,
                              int integer, double *out, int *present, struct tune_error *err);

#endif
