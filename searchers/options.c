/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.c — a searcher's own "search" options: the section's names for
 * src/options.c, which reads them (see options.h). */
#include "searchers/options.h"

#include "src/options.h"

static int searcher_at(size_t i, struct tune_option_owner *out)
{
    const struct tune_searcher_type *t = tune_searcher_at(i);
    if (!t)
        return 0;
    out->name = t->name;
    out->options = t->version >= 2 ? t->options : NULL;
    return 1;
}

int tune_search_options_parse(const struct tune_searcher_type *type, const char *json,
                              cJSON **out, struct tune_error *err)
{
    static const char *const common[] = {TUNE_SEARCH_COMMON_KEYS, NULL};
    static const struct tune_option_section section = {"search", common, searcher_at};
    struct tune_option_owner owner = {type->name, type->version >= 2 ? type->options : NULL};
    return tune_options_parse(&section, &owner, json, out, err);
}

int tune_search_option_choice(const cJSON *opts, const char *key, const char *const *choices,
                              size_t *index, struct tune_error *err)
{
    return tune_option_choice("search", opts, key, choices, index, err);
}

int tune_search_option_number(const cJSON *opts, const char *key, double lo, double hi,
                              int integer, double *out, int *present, struct tune_error *err)
{
    return tune_option_number("search", opts, key, lo, hi, integer, out, present, err);
}
