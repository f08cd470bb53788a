/* options.c — parsing and checking a pruning strategy's own options (see
 * options.h).  The words are those config.c and searchers/options.c use, so
 * a study file's errors read alike whoever checks them. */
#include "pruners/options.h"

#include <math.h>
#include <string.h>

static int declares(const struct tune_pruner_type *t, const char *key)
{
    for (size_t i = 0; t->options && t->options[i]; i++)
        if (strcmp(t->options[i], key) == 0)
            return 1;
    return 0;
}

static int unknown_key(const struct tune_pruner_type *type, const char *key,
                       struct tune_error *err)
{
    char others[256] = "";
    size_t n_others = 0;
    const struct tune_pruner_type *t;
    for (size_t i = 0; (t = tune_pruner_at(i)); i++)
        if (t != type && declares(t, key)) {
            strncat(others, n_others ? " and " : "", sizeof others - strlen(others) - 1);
            strncat(others, t->name, sizeof others - strlen(others) - 1);
            n_others++;
        }
    if (n_others)
        return tune_error_set(err, TUNE_EINVAL, "pruning.%s: only for the %s strateg%s "
                                                "(strategy is %s)",
                              key, others, n_others == 1 ? "y" : "ies", type->name);
    static const char *const common[] = {TUNE_PRUNING_COMMON_KEYS, NULL};
    char list[256] = "";
    for (size_t i = 0; common[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, common[i], sizeof list - strlen(list) - 1);
    }
    for (size_t i = 0; type->options && type->options[i]; i++) {
        strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, type->options[i], sizeof list - strlen(list) - 1);
    }
    return tune_error_set(err, TUNE_EINVAL, "pruning.%s: unknown key (expected one of: %s)", key,
                          list);
}

int tune_prune_options_parse(const struct tune_pruner_type *type, const char *json, cJSON **out,
                             struct tune_error *err)
{
    *out = NULL;
    cJSON *o = json && *json ? cJSON_Parse(json) : cJSON_CreateObject();
    if (!o)
        return json && *json
                   ? tune_error_set(err, TUNE_EINVAL,
                                    "pruning: the %s options are not a JSON object: %.60s",
                                    type->name, json)
                   : tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return tune_error_set(err, TUNE_EINVAL, "pruning: the %s options must be a JSON object",
                              type->name);
    }
    for (const cJSON *it = o->child; it; it = it->next)
        if (!declares(type, it->string)) {
            int rc = unknown_key(type, it->string, err);
            cJSON_Delete(o);
            return rc;
        }
    *out = o;
    return TUNE_OK;
}

int tune_prune_option_number(const cJSON *opts, const char *key, double lo, double hi,
                             int integer, double *out, int *present, struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(opts, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return TUNE_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return tune_error_set(err, TUNE_EINVAL, "pruning.%s: must be a number", key);
    double x = v->valuedouble;
    if (integer && (x != floor(x) || x < lo || x > hi))
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.%s: must be an integer in [%.0f, %.0f], got %g", key, lo,
                              hi, x);
    if (x < lo || x > hi)
        return tune_error_set(err, TUNE_EINVAL, "pruning.%s: must be in [%g, %g], got %g", key,
                              lo, hi, x);
    *out = x;
    return TUNE_OK;
}

int tune_prune_option_choice(const cJSON *opts, const char *key, const char *const *choices,
                             size_t *index, struct tune_error *err)
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
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    if (!cJSON_IsString(v))
        return tune_error_set(err, TUNE_EINVAL, "pruning.%s: must be one of: %s", key, list);
    return tune_error_set(err, TUNE_EINVAL, "pruning.%s: must be one of: %s (got \"%s\")", key,
                          list, v->valuestring);
}

int tune_prune_option_direction(const cJSON *opts, int *direction, struct tune_error *err)
{
    static const char *const dirs[] = {"minimize", "maximize", NULL};
    size_t i = 2;
    int rc = tune_prune_option_choice(opts, "direction", dirs, &i, err);
    *direction = i == 2 ? -1 : (int)i;
    return rc;
}
