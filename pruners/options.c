/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.c — a pruner's own "pruning" options: the section's names for
 * src/options.c, which reads them (see options.h). */
#include "pruners/options.h"

#include "src/options.h"

static int pruner_at(size_t i, struct tune_option_owner *out)
{
    const struct tune_pruner_type *t = tune_pruner_at(i);
    if (!t)
        return 0;
    out->name = t->name;
    out->options = t->options;
    return 1;
}

int tune_prune_options_parse(const struct tune_pruner_type *type, const char *json, cJSON **out,
                             struct tune_error *err)
{
    static const char *const common[] = {TUNE_PRUNING_COMMON_KEYS, NULL};
    static const struct tune_option_section section = {"pruning", common, pruner_at};
    struct tune_option_owner owner = {type->name, type->options};
    return tune_options_parse(&section, &owner, json, out, err);
}

int tune_prune_option_number(const cJSON *opts, const char *key, double lo, double hi,
                             int integer, double *out, int *present, struct tune_error *err)
{
    return tune_option_number("pruning", opts, key, lo, hi, integer, out, present, err);
}

int tune_prune_option_choice(const cJSON *opts, const char *key, const char *const *choices,
                             size_t *index, struct tune_error *err)
{
    return tune_option_choice("pruning", opts, key, choices, index, err);
}

int tune_prune_option_direction(const cJSON *opts, int *direction, struct tune_error *err)
{
    static const char *const dirs[] = {"minimize", "maximize", NULL};
    size_t i = 2;
    int rc = tune_prune_option_choice(opts, "direction", dirs, &i, err);
    *direction = i == 2 ? -1 : (int)i;
    return rc;
}
