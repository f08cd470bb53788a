/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.c — reading a strategy type's own options (see options.h). */
#include "src/options.h"

#include <math.h>
#include <string.h>

static int declares(const struct tune_option_owner *t, const char *key)
{
    for (size_t i = 0; t->options && t->options[i]; i++)
        if (strcmp(t->options[i], key) == 0)
            return 1;
    return 0;
}

static void append(char *list, size_t len, const char *sep, const char *word)
{
    strncat(list, sep, len - strlen(list) - 1);
    strncat(list, word, len - strlen(list) - 1);
}

static int unknown_key(const struct tune_option_section *sec,
                       const struct tune_option_owner *type, const char *key,
                       struct tune_error *err)
{
    char others[256] = "";
    size_t n_others = 0;
    struct tune_option_owner t;
    for (size_t i = 0; sec->at(i, &t); i++)
        if (strcmp(t.name, type->name) != 0 && declares(&t, key))
            append(others, sizeof others, n_others++ ? " and " : "", t.name);
    if (n_others)
        return tune_error_set(err, TUNE_EINVAL, "%s.%s: only for the %s strateg%s "
                                                "(strategy is %s)",
                              sec->name, key, others, n_others == 1 ? "y" : "ies", type->name);
    char list[256] = "";
    for (size_t i = 0; sec->common && sec->common[i]; i++)
        append(list, sizeof list, i ? ", " : "", sec->common[i]);
    for (size_t i = 0; type->options && type->options[i]; i++)
        append(list, sizeof list, list[0] ? ", " : "", type->options[i]);
    return tune_error_set(err, TUNE_EINVAL, "%s.%s: unknown key (expected one of: %s)",
                          sec->name, key, list);
}

int tune_options_parse(const struct tune_option_section *section,
                       const struct tune_option_owner *type, const char *json, cJSON **out,
                       struct tune_error *err)
{
    *out = NULL;
    cJSON *o = json && *json ? cJSON_Parse(json) : cJSON_CreateObject();
    if (!o)
        return json && *json
                   ? tune_error_set(err, TUNE_EINVAL, "%s: the %s options are not a JSON "
                                                      "object: %.60s",
                                    section->name, type->name, json)
                   : tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return tune_error_set(err, TUNE_EINVAL, "%s: the %s options must be a JSON object",
                              section->name, type->name);
    }
    for (const cJSON *it = o->child; it; it = it->next)
        if (!declares(type, it->string)) {
            int rc = unknown_key(section, type, it->string, err);
            cJSON_Delete(o);
            return rc;
        }
    *out = o;
    return TUNE_OK;
}

int tune_option_number(const char *section, const cJSON *opts, const char *key, double lo,
                       double hi, int integer, double *out, int *present,
                       struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(opts, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return TUNE_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return tune_error_set(err, TUNE_EINVAL, "%s.%s: must be a number", section, key);
    double x = v->valuedouble;
    if (integer && (x != floor(x) || x < lo || x > hi))
        return tune_error_set(err, TUNE_EINVAL, "%s.%s: must be an integer in [%.0f, %.0f], "
                                                "got %g",
                              section, key, lo, hi, x);
    if (x < lo && isinf(hi))
        return tune_error_set(err, TUNE_EINVAL, "%s.%s: must be >= %g", section, key, lo);
    if (x < lo || x > hi)
        return tune_error_set(err, TUNE_EINVAL, "%s.%s: must be in [%g, %g], got %g", section,
                              key, lo, hi, x);
    *out = x;
    return TUNE_OK;
}

int tune_option_choice(const char *section, const cJSON *opts, const char *key,
                       const char *const *choices, size_t *index, struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(opts, key);
    if (!v)
        return TUNE_OK;
    char list[256] = "";
    for (size_t i = 0; choices[i]; i++) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, choices[i]) == 0) {
            *index = i;
            return TUNE_OK;
        }
        append(list, sizeof list, i ? ", " : "", choices[i]);
    }
    if (!cJSON_IsString(v))
        return tune_error_set(err, TUNE_EINVAL, "%s.%s: must be one of: %s", section, key, list);
    return tune_error_set(err, TUNE_EINVAL, "%s.%s: must be one of: %s (got \"%s\")", section,
                          key, list, v->valuestring);
}
