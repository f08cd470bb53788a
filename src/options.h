/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.h — reading a strategy type's own options: one reader for the
 * "search" section's searchers and the "pruning" section's pruners.
 *
 * A section of the study file holds the keys every strategy of it shares
 * (read by config.c) and the chosen strategy's own options, which config.c
 * hands to the type's init as JSON text without looking at them.  The init
 * parses that text with tune_options_parse, which refuses any key the type
 * does not declare, then reads each option with the getters below.  Every
 * message names "SECTION.KEY" ("search.xi", "pruning.min_steps") in the
 * words config.c uses for the keys it reads itself.  searchers/options.h
 * and pruners/options.h give each folder its section's names. */
#ifndef TUNEFOLD_SRC_OPTIONS_H
#define TUNEFOLD_SRC_OPTIONS_H

#include <cJSON.h>
#include <stddef.h>
#include "tunefold/error.h"

/* A strategy type as the reader sees it. */
struct tune_option_owner {
    const char *name;              /* "bayes", "asha" */
    const char *const *options;    /* its own keys, NULL-terminated; NULL for none */
};

/* A section: its name, the keys config.c reads for every strategy, and the
 * registered types (at(i) fills *out and returns 1, or returns 0 past the
 * end) so that a key of another type is named as such. */
struct tune_option_section {
    const char *name;                              /* "search", "pruning" */
    const char *const *common;                     /* NULL-terminated */
    int (*at)(size_t i, struct tune_option_owner *out);
};

/* Parse `json` (NULL or empty: no options) into *out (caller frees with
 * cJSON_Delete; NULL on failure).  A key `type` does not declare is refused;
 * when other types of the section declare it the message names them
 * ("search.xi: only for the bayes strategy (strategy is random)"), otherwise
 * it lists the keys that are accepted. */
int tune_options_parse(const struct tune_option_section *section,
                       const struct tune_option_owner *type, const char *json, cJSON **out,
                       struct tune_error *err);

/* opts[key] as a finite number in [lo, hi] (an integer when `integer`) into
 * *out; absent: TUNE_OK with *out untouched.  *present (may be NULL) says
 * whether the key was given. */
int tune_option_number(const char *section, const cJSON *opts, const char *key, double lo,
                       double hi, int integer, double *out, int *present,
                       struct tune_error *err);

/* opts[key] as one of the NULL-terminated `choices`: its index into *index;
 * absent: TUNE_OK with *index untouched. */
int tune_option_choice(const char *section, const cJSON *opts, const char *key,
                       const char *const *choices, size_t *index, struct tune_error *err);

#endif
