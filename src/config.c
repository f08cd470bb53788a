/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.c — parse and validate a study file (see tunefold/config.h).
 *
 * Strict by design: every key is known, every value has the right type and
 * range, and each problem is reported as "FILE: key.path: what is wrong" so a
 * user can fix it without reading code.  All checks happen here, before any
 * data is read or any trial runs.  The canonical JSON written at the end is
 * what identifies a study in the store: same canonical text, same study. */
#include "tunefold/config.h"
#include "tunefold/external.h"
#include "tunefold/metrics.h"
#include "tunefold/text.h"
#include "src/csv.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_TRIALS 20

/* Every error names the file first: "FILE: key.path: what is wrong". */
#define FAIL(...) config_fail(err, file, __VA_ARGS__)

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int config_fail(struct tune_error *err, const char *file, const char *fmt, ...)
{
    if (err) {
        char msg[TUNE_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        tune_error_set(err, TUNE_EINVAL, "%s", msg);
        if (*file)
            tune_error_prefix(err, "%s", file);
    }
    return TUNE_EINVAL;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* Reject keys of `obj` that are not in the NULL-terminated `allowed`. */
/* cJSON keeps both copies of a repeated key and lookups see the first:
 * refuse repeats so nothing in the file is silently ignored. */
static int check_duplicates(const char *file, const cJSON *obj, const char *path,
                            struct tune_error *err)
{
    for (const cJSON *it = obj->child; it; it = it->next)
        for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
            if (strcmp(prev->string, it->string) == 0)
                return FAIL("%s%s%s: duplicate key", path, *path ? "." : "", it->string);
    return TUNE_OK;
}

static int check_keys(const char *file, const cJSON *obj, const char *path,
                      const char *const *allowed, struct tune_error *err)
{
    int rc = check_duplicates(file, obj, path, err);
    if (rc)
        return rc;
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            ok |= strcmp(it->string, allowed[i]) == 0;
        if (!ok) {
            char list[256] = "";
            for (size_t i = 0; allowed[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            return FAIL("%s%s%s: unknown key (expected one of: %s)", path, *path ? "." : "",
                        it->string, list);
        }
    }
    return TUNE_OK;
}

static const cJSON *get_object(const char *file, const cJSON *obj, const char *key,
                               const char *path, int required, int *rc, struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *rc = TUNE_OK;
    if (!v) {
        if (required)
            *rc = FAIL("%s%s%s: missing (required object)", path, *path ? "." : "", key);
        return NULL;
    }
    if (!cJSON_IsObject(v)) {
        *rc = FAIL("%s%s%s: must be an object", path, *path ? "." : "", key);
        return NULL;
    }
    return v;
}

/* Optional string: *out stays unchanged when absent. */
static int get_string(const char *file, const cJSON *obj, const char *key, const char *path,
                      int required, const char **out, struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return required ? FAIL("%s%s%s: missing (required string)", path, *path ? "." : "", key)
                        : TUNE_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return FAIL("%s%s%s: must be a non-empty string", path, *path ? "." : "", key);
    *out = v->valuestring;
    return TUNE_OK;
}

static int get_number(const char *file, const cJSON *obj, const char *key, const char *path,
                      int *present, double *out, struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *present = v != NULL;
    if (!v)
        return TUNE_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return FAIL("%s%s%s: must be a number", path, *path ? "." : "", key);
    *out = v->valuedouble;
    return TUNE_OK;
}

/* Optional integer within [lo, hi]. */
static int get_count(const char *file, const cJSON *obj, const char *key, const char *path,
                     double lo, double hi, int *present, double *out, struct tune_error *err)
{
    int rc = get_number(file, obj, key, path, present, out, err);
    if (rc || !*present)
        return rc;
    if (*out != floor(*out) || *out < lo || *out > hi)
        return FAIL("%s%s%s: must be an integer in [%.0f, %.0f], got %g", path, *path ? "." : "",
                    key, lo, hi, *out);
    return TUNE_OK;
}

static int get_bool(const char *file, const cJSON *obj, const char *key, const char *path,
                    int *out, struct tune_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return TUNE_OK;
    if (!cJSON_IsBool(v))
        return FAIL("%s%s%s: must be true or false", path, *path ? "." : "", key);
    *out = cJSON_IsTrue(v);
    return TUNE_OK;
}

static size_t n_choices(const struct tune_hparam *h)
{
    size_t n = 0;
    while (h->choices && h->choices[n])
        n++;
    return n;
}

static long choice_index(const struct tune_hparam *h, const char *s)
{
    for (size_t i = 0; h->choices && h->choices[i]; i++)
        if (strcmp(h->choices[i], s) == 0)
            return (long)i;
    return -1;
}

static void choices_list(const struct tune_hparam *h, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; h->choices && h->choices[i]; i++) {
        strncat(buf, i ? ", " : "", len - strlen(buf) - 1);
        strncat(buf, h->choices[i], len - strlen(buf) - 1);
    }
}

/* The trainer's parameter names, comma-separated, cut to fit `len`. */
static void hparam_names(const struct tune_trainer_type *tr, char *list, size_t len)
{
    list[0] = '\0';
    for (size_t i = 0; i < tr->n_hparams; i++) {
        strncat(list, i ? ", " : "", len - strlen(list) - 1);
        strncat(list, tr->hparams[i].name, len - strlen(list) - 1);
    }
}

/* A fixed trainer parameter "WHERE.NAME": value of the declared type. */
static int parse_value(const char *file, const char *where, const struct tune_hparam *h,
                       const cJSON *v, double *out, struct tune_error *err)
{
    char list[256];
    switch (h->type) {
    case TUNE_PARAM_BOOL:
        if (!cJSON_IsBool(v))
            return FAIL("%s%s%s: must be true or false", where, *where ? "." : "", h->name);
        *out = cJSON_IsTrue(v);
        return TUNE_OK;
    case TUNE_PARAM_CATEGORICAL: {
        long idx = cJSON_IsString(v) ? choice_index(h, v->valuestring) : -1;
        if (idx < 0) {
            choices_list(h, list, sizeof list);
            return FAIL("%s%s%s: must be one of: %s", where, *where ? "." : "", h->name, list);
        }
        *out = (double)idx;
        return TUNE_OK;
    }
    case TUNE_PARAM_INT:
    case TUNE_PARAM_FLOAT:
        if (!cJSON_IsNumber(v))
            return FAIL("%s%s%s: must be a number", where, *where ? "." : "", h->name);
        if (!tune_hparam_accepts(h, v->valuedouble))
            return FAIL("%s%s%s: %g is out of range [%g, %g]%s", where, *where ? "." : "", h->name,
                        v->valuedouble, h->low, h->high,
                        h->type == TUNE_PARAM_INT ? " (an integer)" : "");
        *out = v->valuedouble;
        return TUNE_OK;
    }
    return FAIL("%s%s%s: unsupported type", where, *where ? "." : "", h->name);
}

/* One entry of a space object (at `where`: "space", or
 * "trainers.LABEL.space"), checked against the trainer's declaration.  Its
 * "when" is read afterwards by parse_conditions, once every parameter of
 * the space is known. */
static int parse_param(const char *file, const char *where, const struct tune_trainer_type *tr,
                       const cJSON *e, struct tune_param *p, struct tune_error *err)
{
    static const char *const keys[] = {"type", "low", "high", "scale", "step", "grid_points",
                                       "values", "when", NULL};
    char path[300];
    snprintf(path, sizeof path, "%s.%s", where, e->string);
    if (!cJSON_IsObject(e))
        return FAIL("%s: must be an object like {\"type\": \"float\", \"low\": 0.1, "
                    "\"high\": 10}",
                    path);
    int rc = check_keys(file, e, path, keys, err);
    if (rc)
        return rc;
    /* A built-in trainer declares its parameters; an external program takes
     * whatever the space names (tr == NULL): `any` accepts every value. */
    struct tune_hparam any = {.name = e->string, .low = -INFINITY, .high = INFINITY};
    const struct tune_hparam *h = &any;
    if (tr) {
        long hi_idx = tune_trainer_hparam_index(tr, e->string);
        if (hi_idx < 0) {
            char list[512];
            hparam_names(tr, list, sizeof list);
            return FAIL("%s: trainer '%s' has no parameter '%s' (it has: %s)", path, tr->name,
                        e->string, list);
        }
        h = &tr->hparams[hi_idx];
    }
    p->name = xstrdup(e->string);
    if (!p->name)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");

    const char *type = NULL;
    if ((rc = get_string(file, e, "type", path, 1, &type, err)))
        return rc;
    if (strcmp(type, "float") == 0)
        p->type = TUNE_PARAM_FLOAT;
    else if (strcmp(type, "int") == 0)
        p->type = TUNE_PARAM_INT;
    else if (strcmp(type, "categorical") == 0)
        p->type = TUNE_PARAM_CATEGORICAL;
    else if (strcmp(type, "bool") == 0)
        p->type = TUNE_PARAM_BOOL;
    else
        return FAIL("%s.type: must be one of: float, int, categorical, bool (got \"%s\")", path,
                    type);
    any.type = p->type;

    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
        static const char *const num_keys[] = {"low", "high", "scale", "step", "grid_points",
                                               NULL};
        for (size_t i = 0; num_keys[i]; i++)
            if (cJSON_GetObjectItemCaseSensitive(e, num_keys[i]))
                return FAIL("%s.%s: not allowed for a %s parameter", path, num_keys[i], type);
    }
    if (p->type == TUNE_PARAM_BOOL) {
        if (cJSON_GetObjectItemCaseSensitive(e, "values"))
            return FAIL("%s.values: not allowed for a bool parameter", path);
        if (h->type != TUNE_PARAM_BOOL)
            return FAIL("%s.type: '%s' is a %s parameter of trainer '%s', not bool", path,
                        h->name, tune_param_type_name(h->type), tr->name);
        return TUNE_OK;
    }
    if (p->type == TUNE_PARAM_CATEGORICAL && h->type == TUNE_PARAM_BOOL)
        return FAIL("%s.type: '%s' is a bool parameter; use \"type\": \"bool\"", path,
                    h->name);
    if (p->type == TUNE_PARAM_CATEGORICAL) {
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(e, "values");
        if (!vals || !cJSON_IsArray(vals) || cJSON_GetArraySize(vals) < 1)
            return FAIL("%s.values: a categorical parameter needs a non-empty array of values",
                        path);
        size_t n = (size_t)cJSON_GetArraySize(vals);
        p->values = calloc(n, sizeof *p->values);
        if (!p->values)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        const cJSON *v;
        size_t k = 0;
        cJSON_ArrayForEach(v, vals) {
            char num[64];
            const char *text = NULL;
            if (cJSON_IsString(v)) {
                text = v->valuestring;
                if (tr && h->type == TUNE_PARAM_CATEGORICAL && choice_index(h, text) < 0) {
                    char list[256];
                    choices_list(h, list, sizeof list);
                    return FAIL("%s.values[%zu]: \"%s\" is not a choice of '%s' (choices: %s)",
                                path, k, text, h->name, list);
                }
                if (h->type != TUNE_PARAM_CATEGORICAL)
                    return FAIL("%s.values[%zu]: '%s' takes numbers, not text", path, k,
                                h->name);
            } else if (cJSON_IsNumber(v) && (!tr || h->type == TUNE_PARAM_FLOAT ||
                                             h->type == TUNE_PARAM_INT)) {
                if (tr && !tune_hparam_accepts(h, v->valuedouble))
                    return FAIL("%s.values[%zu]: %g is out of range [%g, %g] of '%s'", path, k,
                                v->valuedouble, h->low, h->high, h->name);
                tune_format_double(v->valuedouble, num, sizeof num);
                text = num;
            } else {
                return FAIL("%s.values[%zu]: must be %s", path, k,
                            h->type == TUNE_PARAM_CATEGORICAL ? "a string" : "a number");
            }
            for (size_t j = 0; j < k; j++)
                if (strcmp(p->values[j], text) == 0)
                    return FAIL("%s.values[%zu]: duplicate value \"%s\"", path, k, text);
            if (!(p->values[k] = xstrdup(text)))
                return tune_error_set(err, TUNE_ENOMEM, "out of memory");
            p->n_values = ++k;
        }
        return TUNE_OK;
    }

    /* float or int */
    if (h->type != TUNE_PARAM_FLOAT && h->type != TUNE_PARAM_INT)
        return FAIL("%s.type: '%s' is a %s parameter of trainer '%s'; use \"type\": \"%s\"",
                    path, h->name, tune_param_type_name(h->type), tr->name,
                    tune_param_type_name(h->type));
    if (h->type == TUNE_PARAM_INT && p->type == TUNE_PARAM_FLOAT)
        return FAIL("%s.type: '%s' is an integer parameter; use \"type\": \"int\"", path,
                    h->name);
    if (cJSON_GetObjectItemCaseSensitive(e, "values"))
        return FAIL("%s.values: only for categorical parameters (use low/high)", path);
    int present;
    if ((rc = get_number(file, e, "low", path, &present, &p->low, err)))
        return rc;
    if (!present)
        return FAIL("%s.low: missing (required number)", path);
    if ((rc = get_number(file, e, "high", path, &present, &p->high, err)))
        return rc;
    if (!present)
        return FAIL("%s.high: missing (required number)", path);
    if (p->type == TUNE_PARAM_INT && (p->low != floor(p->low) || p->high != floor(p->high)))
        return FAIL("%s: low and high of an int parameter must be integers", path);
    /* Past 2^53 not every integer is a double: rounding, grids and the text
     * given to programs would no longer be exact. */
    if (p->type == TUNE_PARAM_INT && (fabs(p->low) > 9007199254740992.0 ||
                                      fabs(p->high) > 9007199254740992.0))
        return FAIL("%s: an int parameter's low and high must lie within +-2^53 "
                    "(9007199254740992), got [%g, %g]; use \"type\": \"float\" for a wider range",
                    path, p->low, p->high);
    if (!(p->low < p->high))
        return FAIL("%s: empty range: low (%g) must be < high (%g)", path, p->low, p->high);
    const char *scale = "linear";
    if ((rc = get_string(file, e, "scale", path, 0, &scale, err)))
        return rc;
    if (strcmp(scale, "log") == 0)
        p->log = 1;
    else if (strcmp(scale, "linear") != 0)
        return FAIL("%s.scale: must be \"linear\" or \"log\" (got \"%s\")", path, scale);
    if (p->log && p->low <= 0)
        return FAIL("%s.low: must be > 0 for a log scale (got %g)", path, p->low);
    if ((rc = get_number(file, e, "step", path, &present, &p->step, err)))
        return rc;
    if (present) {
        if (!(p->step > 0) || p->step > p->high - p->low)
            return FAIL("%s.step: must be > 0 and at most high - low", path);
        if (p->type == TUNE_PARAM_INT && p->step != floor(p->step))
            return FAIL("%s.step: must be an integer for an int parameter", path);
        if (p->log)
            return FAIL("%s.step: not allowed with a log scale", path);
    }
    double gp;
    if ((rc = get_count(file, e, "grid_points", path, 1, 100000, &present, &gp, err)))
        return rc;
    p->grid_points = present ? (size_t)gp : 0;
    if (!tune_hparam_accepts(h, p->low) || !tune_hparam_accepts(h, p->high))
        return FAIL("%s: range [%g, %g] is outside '%s''s valid range [%g, %g]", path, p->low,
                    p->high, h->name, h->low, h->high);
    return TUNE_OK;
}


/* The value of parameter q named by JSON item v (a choice's text, a number
 * standing for its text, or true/false for a bool): its index, or -1. */
static long condition_value(const struct tune_param *q, const cJSON *v)
{
    if (q->type == TUNE_PARAM_BOOL)
        return cJSON_IsBool(v) ? (long)cJSON_IsTrue(v) : -1;
    char num[64];
    const char *text = cJSON_IsString(v) ? v->valuestring : NULL;
    if (cJSON_IsNumber(v)) {
        tune_format_double(v->valuedouble, num, sizeof num);
        text = num;
    }
    for (size_t k = 0; text && k < q->n_values; k++)
        if (strcmp(q->values[k], text) == 0)
            return (long)k;
    return -1;
}

/* The "when" of the entries of space object `obj` (at `where`), whose
 * parameters are sp->params[first .. first + n) in the object's order:
 * {"NAME": VALUE} or {"NAME": [VALUE, ...]}, NAME another parameter of the
 * same object, a categorical or a bool. */
static int parse_conditions(const char *file, const char *where, const cJSON *obj,
                            struct tune_space *sp, size_t first, size_t n,
                            struct tune_error *err)
{
    size_t i = first;
    for (const cJSON *e = obj->child; e; e = e->next, i++) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(e, "when");
        if (!w)
            continue;
        struct tune_param *p = &sp->params[i];
        if (!cJSON_IsObject(w) || cJSON_GetArraySize(w) != 1)
            return FAIL("%s.%s.when: must name one parameter and its value or values, e.g. "
                        "{\"penalty\": \"elasticnet\"} or {\"penalty\": [\"l1\", \"elasticnet\"]}",
                        where, e->string);
        const cJSON *cond = w->child;
        long up = -1;
        for (size_t j = first; j < first + n; j++)
            if (strcmp(tune_param_key(&sp->params[j]), cond->string) == 0)
                up = (long)j;
        if (up < 0 || (size_t)up == i) {
            char list[512] = "";
            for (size_t j = first, k = 0; j < first + n; j++)
                if (j != i) {
                    strncat(list, k++ ? ", " : "", sizeof list - strlen(list) - 1);
                    strncat(list, tune_param_key(&sp->params[j]), sizeof list - strlen(list) - 1);
                }
            return FAIL("%s.%s.when: %s '%s'%s%s%s", where, e->string,
                        up < 0 ? "unknown parameter" : "a parameter cannot depend on itself:",
                        cond->string, up < 0 ? " (parameters of this space: " : "",
                        up < 0 ? (list[0] ? list : "none") : "", up < 0 ? ")" : "");
        }
        const struct tune_param *q = &sp->params[up];
        if (q->type != TUNE_PARAM_CATEGORICAL && q->type != TUNE_PARAM_BOOL)
            return FAIL("%s.%s.when.%s: '%s' is a %s parameter; a condition names a categorical "
                        "or bool parameter",
                        where, e->string, cond->string, cond->string,
                        tune_param_type_name(q->type));
        size_t nv = cJSON_IsArray(cond) ? (size_t)cJSON_GetArraySize(cond) : 1;
        if (nv == 0)
            return FAIL("%s.%s.when.%s: an empty list: give one value or more", where,
                        e->string, cond->string);
        if (!(p->when_values = calloc(nv, sizeof *p->when_values)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        const cJSON *v = cJSON_IsArray(cond) ? cond->child : cond;
        for (size_t k = 0; k < nv; k++, v = v->next) {
            long idx = condition_value(q, v);
            if (idx < 0) {
                char list[256] = "", *text = cJSON_PrintUnformatted(v);
                if (q->type == TUNE_PARAM_BOOL)
                    snprintf(list, sizeof list, "true, false");
                for (size_t m = 0; q->type == TUNE_PARAM_CATEGORICAL && m < q->n_values; m++) {
                    strncat(list, m ? ", " : "", sizeof list - strlen(list) - 1);
                    strncat(list, q->values[m], sizeof list - strlen(list) - 1);
                }
                int rc = FAIL("%s.%s.when.%s: %s is not a value of '%s' (its values: %s)", where,
                              e->string, cond->string, text ? text : "this", cond->string, list);
                free(text);
                return rc;
            }
            for (size_t m = 0; m < k; m++)
                if (p->when_values[m] == (double)idx)
                    return FAIL("%s.%s.when.%s: value %s given twice", where, e->string,
                                cond->string,
                                q->type == TUNE_PARAM_BOOL ? (idx ? "true" : "false")
                                                           : q->values[idx]);
            p->when_values[k] = (double)idx;
        }
        p->when_param = (size_t)up;
        p->n_when = nv;
    }
    /* no circles: following the parents from any parameter leaves the space */
    for (i = first; i < first + n; i++) {
        size_t j = i, steps = 0;
        while (sp->params[j].n_when && sp->params[j].when_param >= first &&
               sp->params[j].when_param < first + n && steps++ <= n)
            j = sp->params[j].when_param;
        if (steps > n)
            return FAIL("%s.%s.when: the conditions go round in a circle back to '%s'", where,
                        tune_param_key(&sp->params[i]), tune_param_key(&sp->params[i]));
    }
    return TUNE_OK;
}

static int parse_space(const char *file, const cJSON *root, struct tune_study_config *c,
                       struct tune_error *err)
{
    int rc;
    const cJSON *space = get_object(file, root, "space", "", 0, &rc, err);
    if (rc || !space)
        return rc;
    if ((rc = check_duplicates(file, space, "space", err)))
        return rc;
    size_t n = (size_t)cJSON_GetArraySize(space);
    if (n == 0)
        return TUNE_OK;
    c->space.params = calloc(n, sizeof *c->space.params);
    if (!c->space.params)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (const cJSON *e = space->child; e; e = e->next) {
        struct tune_param *p = &c->space.params[c->space.n++];
        if ((rc = parse_param(file, "space", c->trainer, e, p, err)))
            return rc;
        /* an external program is given every parameter, so none may be off */
        if (!c->trainer && !c->ask_tell && cJSON_GetObjectItemCaseSensitive(e, "when"))
            return FAIL("space.%s.when: conditions are for built-in trainers and ask/tell "
                        "studies; an external program is given every parameter",
                        e->string);
        int fixed;
        if (c->trainer) {
            fixed = c->is_fixed[tune_trainer_hparam_index(c->trainer, e->string)];
        } else { /* external: the fixed params are not declared anywhere */
            const cJSON *tr = cJSON_GetObjectItemCaseSensitive(root, "trainer");
            fixed = cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(tr, "params"), e->string) != NULL;
        }
        if (fixed)
            return FAIL("space.%s: also set in trainer.params; a parameter is either fixed or "
                        "searched",
                        e->string);
    }
    return parse_conditions(file, "space", space, &c->space, 0, c->space.n, err);
}

/* "trainer": {"exec": [...], ...}: an external program (trainers/external.c).
 * Its hyperparameters are the space's plus the fixed "params", so the type
 * is made after the space is parsed (build_external). */
static int parse_exec(const char *file, const cJSON *tr, struct tune_study_config *c,
                      struct tune_external *ext, struct tune_error *err)
{
    static const char *const keys[] = {"exec",     "mode",
                                       "params_as", "timeout",
                                       "grace",    "objective_regex",
                                       "intermediate_regex", "max_failures",
                                       "keep_workdir", "params",
                                       NULL};
    int rc, present;
    double v;
    if (cJSON_GetObjectItemCaseSensitive(tr, "name"))
        return FAIL("trainer: give either \"name\" (a built-in trainer) or \"exec\" (a "
                    "program), not both");
    if ((rc = check_keys(file, tr, "trainer", keys, err)))
        return rc;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(tr, "exec");
    if (!cJSON_IsArray(ex) || cJSON_GetArraySize(ex) < 1)
        return FAIL("trainer.exec: must be a non-empty array of strings, e.g. [\"python3\", "
                    "\"train.py\"]");
    size_t n = (size_t)cJSON_GetArraySize(ex);
    ext->argv = calloc(n + 1, sizeof *ext->argv);
    if (!ext->argv)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    size_t k = 0;
    for (const cJSON *a = ex->child; a; a = a->next, k++) {
        if (!cJSON_IsString(a) || (k == 0 && !a->valuestring[0]))
            return FAIL("trainer.exec[%zu]: must be a%s string", k, k == 0 ? " non-empty" : "");
        if (!(ext->argv[k] = xstrdup(a->valuestring)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    const char *text = NULL;
    if ((rc = get_string(file, tr, "mode", "trainer", 0, &text, err)))
        return rc;
    if (text && strcmp(text, "score") == 0)
        ext->mode = TUNE_EXTERNAL_SCORE;
    else if (text && strcmp(text, "predict") != 0)
        return FAIL("trainer.mode: must be \"predict\" or \"score\" (got \"%s\")", text);
    text = NULL;
    if ((rc = get_string(file, tr, "params_as", "trainer", 0, &text, err)))
        return rc;
    if (text && strcmp(text, "env") == 0)
        ext->params_as_env = 1;
    else if (text && strcmp(text, "args") != 0)
        return FAIL("trainer.params_as: must be \"args\" or \"env\" (got \"%s\")", text);
    if ((rc = get_number(file, tr, "timeout", "trainer", &present, &v, err)))
        return rc;
    if (present && !(v > 0))
        return FAIL("trainer.timeout: must be > 0 seconds");
    ext->timeout = present ? v : 0;
    if ((rc = get_number(file, tr, "grace", "trainer", &present, &v, err)))
        return rc;
    if (present && !(v > 0))
        return FAIL("trainer.grace: must be > 0 seconds");
    ext->grace = present ? v : 0;
    const char *re = NULL;
    if ((rc = get_string(file, tr, "objective_regex", "trainer", 0, &re, err)))
        return rc;
    if (re && ext->mode != TUNE_EXTERNAL_SCORE)
        return FAIL("trainer.objective_regex: only for \"mode\": \"score\"");
    if (re && !(ext->objective_regex = xstrdup(re)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    re = NULL;
    if ((rc = get_string(file, tr, "intermediate_regex", "trainer", 0, &re, err)))
        return rc;
    if (re && !(ext->intermediate_regex = xstrdup(re)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if ((rc = get_bool(file, tr, "keep_workdir", "trainer", &ext->keep_workdir, err)))
        return rc;
    /* the program runs in the study file's folder: "exec": ["./train"] works
     * from anywhere */
    const char *slash = strrchr(file, '/');
    ext->cwd = slash ? malloc((size_t)(slash - file) + 2) : xstrdup(".");
    if (!ext->cwd)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (slash) {
        memcpy(ext->cwd, file, (size_t)(slash - file) + 1);
        ext->cwd[slash - file + (slash == file)] = '\0';
    }
    const cJSON *params = get_object(file, tr, "params", "trainer", 0, &rc, err);
    if (rc || (params && (rc = check_duplicates(file, params, "trainer.params", err))))
        return rc;
    for (const cJSON *p = params ? params->child : NULL; p; p = p->next)
        if (!cJSON_IsNumber(p) && !cJSON_IsString(p) && !cJSON_IsBool(p))
            return FAIL("trainer.params.%s: must be a number, a string or true/false",
                        p->string);
    c->score_mode = ext->mode == TUNE_EXTERNAL_SCORE;
    return TUNE_OK;
}

/* Make the external trainer type: the space's parameters, then the fixed
 * params, each with the type and range the study gives it. */
static int build_external(const char *file, const cJSON *root, struct tune_study_config *c,
                          struct tune_external *ext, struct tune_error *err)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "trainer"), "params");
    size_t n_fixed = (size_t)cJSON_GetArraySize(params), n = c->space.n + n_fixed;
    struct tune_hparam *h = calloc(n + 1, sizeof *h);
    const char **one = calloc(n_fixed + 1, sizeof *one); /* a fixed text's only choice */
    const char ***choices = calloc(n + 1, sizeof *choices);
    int rc = TUNE_OK;
    if (!h || !one || !choices) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c->space.n && !rc; i++) {
        const struct tune_param *p = &c->space.params[i];
        h[i] = (struct tune_hparam){.name = p->name, .type = p->type, .def = p->low,
                                    .low = p->low, .high = p->high};
        if (p->type == TUNE_PARAM_CATEGORICAL) {
            choices[i] = calloc(p->n_values + 1, sizeof *choices[i]);
            if (!choices[i]) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                break;
            }
            for (size_t k = 0; k < p->n_values; k++)
                choices[i][k] = p->values[k];
            h[i].choices = choices[i];
            h[i].def = 0;
        }
        if (p->type == TUNE_PARAM_BOOL)
            h[i].def = 0;
    }
    size_t j = c->space.n;
    for (const cJSON *p = params ? params->child : NULL; p && !rc; p = p->next, j++) {
        h[j].name = p->string;
        if (cJSON_IsBool(p)) {
            h[j].type = TUNE_PARAM_BOOL;
            h[j].def = cJSON_IsTrue(p);
        } else if (cJSON_IsString(p)) {
            h[j].type = TUNE_PARAM_CATEGORICAL;
            one[j - c->space.n] = p->valuestring;
            choices[j] = calloc(2, sizeof *choices[j]);
            if (!choices[j]) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                break;
            }
            choices[j][0] = p->valuestring;
            h[j].choices = choices[j];
        } else {
            double v = p->valuedouble;
            h[j].type = v == floor(v) && fabs(v) < 9e15 ? TUNE_PARAM_INT : TUNE_PARAM_FLOAT;
            h[j].def = h[j].low = h[j].high = v;
        }
    }
    struct tune_trainer_type *t = NULL;
    if (!rc) {
        unsigned tasks = c->score_mode ? 0 : (unsigned)c->task;
        rc = tune_external_type_new(ext, h, n, tasks, &t, err);
        if (rc == TUNE_EINVAL)
            tune_error_prefix(err, "%s", file);
    }
    if (!rc) {
        c->owned_trainer = t;
        c->trainer = t;
        c->fixed = calloc(n + 1, sizeof *c->fixed);
        c->is_fixed = calloc(n + 1, 1);
        if (!c->fixed || !c->is_fixed)
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < n; i++) {
            c->fixed[i] = t->hparams[i].def;
            c->is_fixed[i] = i >= c->space.n;
        }
    }
done:
    for (size_t i = 0; choices && i < n; i++)
        free(choices[i]);
    free(choices);
    free(one);
    free(h);
    return rc;
}

/* A trainer's fixed values (`params` at `where`, may be NULL) on top of its
 * defaults, checked by the trainer; *fixed and *is_fixed are calloc'ed
 * (n_hparams values, at least one). */
static int parse_fixed(const char *file, const char *where, const struct tune_trainer_type *tr,
                       const cJSON *params, double **fixed, unsigned char **is_fixed,
                       struct tune_error *err)
{
    int rc;
    size_t n = tr->n_hparams;
    *fixed = calloc(n ? n : 1, sizeof **fixed);
    *is_fixed = calloc(n ? n : 1, 1);
    if (!*fixed || !*is_fixed)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        (*fixed)[i] = tr->hparams[i].def;
    if (params && (rc = check_duplicates(file, params, where, err)))
        return rc;
    for (const cJSON *v = params ? params->child : NULL; v; v = v->next) {
        long idx = tune_trainer_hparam_index(tr, v->string);
        if (idx < 0) {
            char list[512];
            hparam_names(tr, list, sizeof list);
            return FAIL("%s.%s: trainer '%s' has no such parameter (it has: %s)", where,
                        v->string, tr->name, list);
        }
        if ((rc = parse_value(file, where, &tr->hparams[idx], v, &(*fixed)[idx], err)))
            return rc;
        (*is_fixed)[idx] = 1;
    }
    if (tr->check && n <= 64) {
        const char *names[64], *strings[64];
        for (size_t i = 0; i < n; i++) {
            const struct tune_hparam *h = &tr->hparams[i];
            names[i] = h->name;
            strings[i] = h->type == TUNE_PARAM_CATEGORICAL && (*fixed)[i] < (double)n_choices(h)
                             ? h->choices[(size_t)(*fixed)[i]]
                             : NULL;
        }
        struct tune_params p = {n, names, *fixed, strings};
        if ((rc = tr->check(&p, err)))
            return tune_error_prefix(err, "%s: %s", file, where);
    }
    return TUNE_OK;
}

/* A built-in trainer by name, for the task; errors at `where`. */
static int find_trainer(const char *file, const char *where, const char *name,
                        const struct tune_study_config *c,
                        const struct tune_trainer_type **out, struct tune_error *err)
{
    *out = tune_trainer_find(name);
    if (!*out) {
        char list[256] = "";
        const struct tune_trainer_type *t;
        for (size_t i = 0; (t = tune_trainer_at(i)); i++) {
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, t->name, sizeof list - strlen(list) - 1);
        }
        return FAIL("%s: unknown trainer \"%s\" (available: %s)", where, name, list);
    }
    if (!((*out)->tasks & c->task))
        return FAIL("%s: trainer '%s' does not support the %s task", where, name,
                    tune_task_name(c->task));
    return TUNE_OK;
}

static int parse_trainer(const char *file, const cJSON *root, struct tune_study_config *c,
                         struct tune_error *err)
{
    static const char *const keys[] = {"name", "params", "max_failures", NULL};
    int rc, present;
    double mf;
    const cJSON *tr = get_object(file, root, "trainer", "", 1, &rc, err);
    if (rc)
        return rc;
    c->max_failures = 10;
    if ((rc = get_count(file, tr, "max_failures", "trainer", 1, 1e9, &present, &mf, err)))
        return rc;
    if (present)
        c->max_failures = (size_t)mf;
    if (cJSON_GetObjectItemCaseSensitive(tr, "exec"))
        return TUNE_OK; /* parse_exec, before this */
    if ((rc = check_keys(file, tr, "trainer", keys, err)))
        return rc;
    const char *name = NULL;
    if ((rc = get_string(file, tr, "name", "trainer", 1, &name, err)) ||
        (rc = find_trainer(file, "trainer.name", name, c, &c->trainer, err)))
        return rc;
    const cJSON *params = get_object(file, tr, "params", "trainer", 0, &rc, err);
    if (rc)
        return rc;
    return parse_fixed(file, "trainer.params", c->trainer, params, &c->fixed, &c->is_fixed, err);
}

/* "trainers": {"LABEL": {"name": ..., "params": {...}, "space": {...}}, ...}:
 * the study chooses a trainer per trial.  The space is one: the choice
 * "trainer" (values: the labels), then each trainer's parameters, named
 * "LABEL.KEY" with key KEY, active when the choice is that trainer; a
 * parameter's own "when" names another of its trainer's parameters, which
 * leads back to the choice. */
static int parse_trainers(const char *file, const cJSON *root, struct tune_study_config *c,
                          struct tune_error *err)
{
    static const char *const keys[] = {"name", "params", "space", NULL};
    int rc;
    const cJSON *trs = get_object(file, root, "trainers", "", 1, &rc, err);
    if (rc || (rc = check_duplicates(file, trs, "trainers", err)))
        return rc;
    static const char *const alone[] = {"trainer", "space", NULL};
    for (size_t i = 0; alone[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(root, alone[i]))
            return FAIL("%s: not with \"trainers\", where each trainer has its %s", alone[i],
                        i == 0 ? "entry (\"trainers\": {\"NAME\": {\"params\": {...}, \"space\": "
                                 "{...}}})"
                               : "own \"space\"");
    size_t n = (size_t)cJSON_GetArraySize(trs), total = 1;
    if (n == 0)
        return FAIL("trainers: must name at least one trainer, e.g. {\"logistic\": {\"space\": "
                    "{...}}}");
    for (const cJSON *e = trs->child; e; e = e->next) {
        const cJSON *sp = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "space") : NULL;
        total += cJSON_IsObject(sp) ? (size_t)cJSON_GetArraySize(sp) : 0;
    }
    c->max_failures = 10;
    c->choose_trainer = 1;
    c->choices = calloc(n, sizeof *c->choices);
    c->space.params = calloc(total, sizeof *c->space.params);
    struct tune_param *choice = c->space.params;
    if (!c->choices || !choice || !(choice->values = calloc(n, sizeof *choice->values)) ||
        !(choice->name = xstrdup("trainer")))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    choice->type = TUNE_PARAM_CATEGORICAL;
    c->space.n = 1;
    for (const cJSON *e = trs->child; e; e = e->next) {
        size_t k = c->n_choices++;
        struct tune_trainer_choice *ch = &c->choices[k];
        char where[300], pwhere[320];
        snprintf(where, sizeof where, "trainers.%s", e->string);
        if (!(ch->label = xstrdup(e->string)) || !(choice->values[k] = xstrdup(e->string)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        choice->n_values = k + 1;
        if (!cJSON_IsObject(e))
            return FAIL("%s: must be an object like {\"params\": {...}, \"space\": {...}}", where);
        if ((rc = check_keys(file, e, where, keys, err)))
            return rc;
        const char *name = e->string;
        if ((rc = get_string(file, e, "name", where, 0, &name, err)))
            return rc;
        snprintf(pwhere, sizeof pwhere, "%s%s", where,
                 cJSON_GetObjectItemCaseSensitive(e, "name") ? ".name" : "");
        if ((rc = find_trainer(file, pwhere, name, c, &ch->trainer, err)))
            return rc;
        c->max_hparams = ch->trainer->n_hparams > c->max_hparams ? ch->trainer->n_hparams
                                                                 : c->max_hparams;
        const cJSON *params = get_object(file, e, "params", where, 0, &rc, err);
        snprintf(pwhere, sizeof pwhere, "%s.params", where);
        if (rc || (rc = parse_fixed(file, pwhere, ch->trainer, params, &ch->fixed,
                                    &ch->is_fixed, err)))
            return rc;
        const cJSON *space = get_object(file, e, "space", where, 0, &rc, err);
        snprintf(pwhere, sizeof pwhere, "%s.space", where);
        if (rc || (space && (rc = check_duplicates(file, space, pwhere, err))))
            return rc;
        ch->first = c->space.n;
        for (const cJSON *se = space ? space->child : NULL; se; se = se->next) {
            struct tune_param *p = &c->space.params[c->space.n++];
            if ((rc = parse_param(file, pwhere, ch->trainer, se, p, err)))
                return rc;
            ch->n++;
            if (ch->is_fixed[tune_trainer_hparam_index(ch->trainer, se->string)])
                return FAIL("%s.%s: also set in %s.params; a parameter is either fixed or "
                            "searched",
                            pwhere, se->string, where);
            size_t len = strlen(e->string) + strlen(se->string) + 2;
            char *qualified = malloc(len);
            if (!qualified || !(p->key = xstrdup(se->string))) {
                free(qualified);
                return tune_error_set(err, TUNE_ENOMEM, "out of memory");
            }
            snprintf(qualified, len, "%s.%s", e->string, se->string);
            free(p->name);
            p->name = qualified;
        }
        if (space && (rc = parse_conditions(file, pwhere, space, &c->space, ch->first, ch->n,
                                            err)))
            return rc;
        /* the parameters without a condition of their own hang on the choice */
        for (size_t i = ch->first; i < ch->first + ch->n; i++) {
            struct tune_param *p = &c->space.params[i];
            if (p->n_when)
                continue;
            if (!(p->when_values = malloc(sizeof *p->when_values)))
                return tune_error_set(err, TUNE_ENOMEM, "out of memory");
            p->when_values[0] = (double)k;
            p->n_when = 1;
            p->when_param = 0;
        }
    }
    if ((rc = tune_space_check(&c->space, err)))
        return tune_error_prefix(err, "%s", file);
    return TUNE_OK;
}

/* search.enqueue: points (params objects) run before the strategy's own,
 * each checked against the space as a person wrote it. */
static int parse_enqueue(const char *file, const cJSON *s, struct tune_study_config *c,
                         struct tune_error *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "enqueue");
    if (!list)
        return TUNE_OK;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1)
        return FAIL("search.enqueue: must be a non-empty array of params objects, e.g. "
                    "[{\"C\": 1.0, \"penalty\": \"l2\"}]");
    if (c->searcher->exhaustive)
        return FAIL("search.enqueue: not with the %s strategy, which runs every point anyway",
                    c->searcher->name);
    size_t n = (size_t)cJSON_GetArraySize(list), d = c->space.n;
    if (!(c->enqueue = calloc(n * d + 1, sizeof *c->enqueue)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    size_t k = 0;
    for (const cJSON *e = list->child; e; e = e->next, k++) {
        double *pt = &c->enqueue[k * d];
        char *text = cJSON_PrintUnformatted(e);
        struct tune_error perr = {0};
        int rc = text ? tune_space_point_parse(&c->space, text, pt, &perr) : TUNE_ENOMEM;
        free(text);
        if (rc == TUNE_ENOMEM)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        if (rc)
            return FAIL("search.enqueue[%zu]: %s", k, perr.msg);
        for (size_t j = 0; j < k; j++) {
            int same = 1;
            for (size_t i = 0; i < d; i++)
                same &= c->enqueue[j * d + i] == pt[i] ||
                        (isnan(c->enqueue[j * d + i]) && isnan(pt[i]));
            if (same)
                return FAIL("search.enqueue[%zu]: the same point as search.enqueue[%zu]", k, j);
        }
        c->n_enqueue = k + 1;
    }
    return TUNE_OK;
}

/* search.warm_start: other studies of the store whose complete trials bayes
 * takes as prior observations. */
static int parse_warm_start(const char *file, const cJSON *s, struct tune_study_config *c,
                            struct tune_error *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "warm_start");
    if (!list)
        return TUNE_OK;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1)
        return FAIL("search.warm_start: must be a non-empty array of study names");
    if (c->searcher != &tune_searcher_bayes)
        return FAIL("search.warm_start: only the bayes strategy uses prior observations "
                    "(strategy is %s)",
                    c->searcher->name);
    size_t n = (size_t)cJSON_GetArraySize(list), k = 0;
    if (!(c->warm_start = calloc(n, sizeof *c->warm_start)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (const cJSON *e = list->child; e; e = e->next, k++) {
        if (!cJSON_IsString(e) || !e->valuestring[0])
            return FAIL("search.warm_start[%zu]: must be a study name", k);
        if (strcmp(e->valuestring, c->name) == 0)
            return FAIL("search.warm_start[%zu]: \"%s\" is this study itself", k, c->name);
        for (size_t j = 0; j < k; j++)
            if (strcmp(c->warm_start[j], e->valuestring) == 0)
                return FAIL("search.warm_start[%zu]: \"%s\" is already search.warm_start[%zu]",
                            k, e->valuestring, j);
        if (!(c->warm_start[k] = xstrdup(e->valuestring)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        c->n_warm_start = k + 1;
    }
    return TUNE_OK;
}

/* The "search" section: the keys every strategy shares are read here; the
 * rest are the strategy's own options, handed as JSON text to its searcher,
 * which checks them (its init runs once here, so a bad option is found
 * before any work starts). */
static int parse_search(const char *file, const cJSON *root, struct tune_study_config *c,
                        struct tune_error *err)
{
    static const char *const common[] = {TUNE_SEARCH_COMMON_KEYS, NULL};
    int rc, present;
    double v;
    c->searcher = &tune_searcher_random;
    c->trials = DEFAULT_TRIALS;
    c->workers = 1;
    const cJSON *s = get_object(file, root, "search", "", 0, &rc, err);
    if (rc)
        return rc;
    cJSON *own = cJSON_CreateObject();
    if (!own)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (s) {
        const char *strategy = NULL;
        if ((rc = check_duplicates(file, s, "search", err)) ||
            (rc = get_string(file, s, "strategy", "search", 0, &strategy, err)))
            goto done;
        if (strategy && !(c->searcher = tune_searcher_find(strategy))) {
            char list[256] = "";
            const struct tune_searcher_type *t;
            for (size_t i = 0; (t = tune_searcher_at(i)); i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, t->name, sizeof list - strlen(list) - 1);
            }
            rc = FAIL("search.strategy: unknown strategy \"%s\" (available: %s)", strategy,
                      list);
            goto done;
        }
        if ((rc = get_count(file, s, "trials", "search", 1, 1e9, &present, &v, err)))
            goto done;
        if (present) {
            c->trials = (size_t)v;
            c->trials_given = 1;
        }
        if ((rc = get_count(file, s, "seed", "search", 0, 9007199254740992.0, &present, &v, err)))
            goto done;
        if (present)
            c->seed = (uint64_t)v;
        if ((rc = get_count(file, s, "workers", "search", 1, 1024, &present, &v, err)))
            goto done;
        if (present)
            c->workers = (size_t)v;
        if ((rc = get_count(file, s, "batch", "search", 1, 1024, &present, &v, err)))
            goto done;
        if (present && c->searcher->ignores_history) {
            rc = FAIL("search.batch: only for a strategy that learns from the finished trials "
                      "(bayes); %s's points follow from the seed alone, whatever the workers",
                      c->searcher->name);
            goto done;
        }
        if (present)
            c->batch = (size_t)v;
        /* the study's stop rules (tune_study_run) */
        if ((rc = get_number(file, s, "max_seconds", "search", &present, &v, err)))
            goto done;
        if (present && !(v > 0)) {
            rc = FAIL("search.max_seconds: must be a number of seconds > 0, got %g", v);
            goto done;
        }
        if (present)
            c->max_seconds = v;
        if ((rc = get_number(file, s, "target", "search", &present, &v, err)))
            goto done;
        if (present) {
            c->target_given = 1;
            c->target_value = v;
        }
        if ((rc = get_count(file, s, "patience", "search", 1, 1e9, &present, &v, err)))
            goto done;
        if (present)
            c->patience = (size_t)v;
        for (const cJSON *it = s->child; it; it = it->next) {
            int is_common = 0;
            for (size_t i = 0; common[i]; i++)
                is_common |= strcmp(it->string, common[i]) == 0;
            cJSON *copy = is_common ? NULL : cJSON_Duplicate(it, 1);
            if (!is_common && (!copy || !cJSON_AddItemToObject(own, it->string, copy))) {
                cJSON_Delete(copy);
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
    if (!(c->search_options = cJSON_PrintUnformatted(own))) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    c->search_opts.json = c->search_options;
    c->search_opts.seed = c->seed;
    struct tune_searcher *probe;
    if ((rc = tune_searcher_new(c->searcher, &c->space, &c->search_opts, &probe, err))) {
        if (*file)
            tune_error_prefix(err, "%s", file);
        goto done;
    }
    tune_searcher_free(probe);
    /* The budget: capped at the most points the strategy can give; an
     * exhaustive strategy (grid) runs them all unless told otherwise. */
    size_t max = c->searcher->max_points ? c->searcher->max_points(&c->space) : 0;
    if (max == SIZE_MAX) {
        rc = FAIL("space: the grid has too many points; lower grid_points");
        goto done;
    }
    if (max > 0 && ((c->searcher->exhaustive && !c->trials_given) || c->trials > max))
        c->trials = max;
    if (s && ((rc = parse_enqueue(file, s, c, err)) || (rc = parse_warm_start(file, s, c, err))))
        goto done;
done:
    cJSON_Delete(own);
    return rc;
}

static int parse_cv(const char *file, const cJSON *root, struct tune_study_config *c,
                    struct tune_error *err)
{
    static const char *const keys[] = {"folds", "stratified", "repeats", "holdout", "shuffle",
                                       NULL};
    int rc, present, classification = c->task == TUNE_TASK_BINARY ||
                                      c->task == TUNE_TASK_MULTICLASS;
    double v;
    c->cv.folds = 5;
    c->cv.stratified = classification;
    c->cv.repeats = 1;
    c->cv.holdout = 0;
    c->cv.shuffle = 1;
    const cJSON *cv = get_object(file, root, "cv", "", 0, &rc, err);
    if (rc || !cv)
        return rc;
    if ((rc = check_keys(file, cv, "cv", keys, err)))
        return rc;
    if ((rc = get_count(file, cv, "folds", "cv", 2, 1e6, &present, &v, err)))
        return rc;
    if (present)
        c->cv.folds = (size_t)v;
    if ((rc = get_count(file, cv, "repeats", "cv", 1, 1e4, &present, &v, err)))
        return rc;
    if (present)
        c->cv.repeats = (size_t)v;
    if ((rc = get_bool(file, cv, "stratified", "cv", &c->cv.stratified, err)))
        return rc;
    if (c->cv.stratified && !classification)
        return FAIL("cv.stratified: only for classification tasks (this study's task is %s)",
                    tune_task_name(c->task));
    if ((rc = get_bool(file, cv, "shuffle", "cv", &c->cv.shuffle, err)))
        return rc;
    if ((rc = get_number(file, cv, "holdout", "cv", &present, &v, err)))
        return rc;
    if (present) {
        if (!(v > 0 && v < 1))
            return FAIL("cv.holdout: must be a fraction in (0, 1), got %g", v);
        if (cJSON_GetObjectItemCaseSensitive(cv, "folds"))
            return FAIL("cv.holdout: give either folds or holdout, not both");
        c->cv.holdout = v;
    }
    return TUNE_OK;
}

static int parse_preprocess(const char *file, const cJSON *root, struct tune_study_config *c,
                            struct tune_error *err)
{
    static const char *const keys[] = {"impute", "scale", "one_hot", NULL};
    int rc;
    c->prep.impute = TUNE_IMPUTE_MEAN;
    c->prep.scale = TUNE_SCALE_NONE;
    c->prep.one_hot = 1;
    const cJSON *p = get_object(file, root, "preprocess", "", 0, &rc, err);
    if (rc || !p)
        return rc;
    if ((rc = check_keys(file, p, "preprocess", keys, err)))
        return rc;
    const char *s = NULL;
    if ((rc = get_string(file, p, "impute", "preprocess", 0, &s, err)))
        return rc;
    if (s) {
        int v = tune_impute_parse(s);
        if (v < 0)
            return FAIL("preprocess.impute: must be one of: none, mean, median, most_frequent "
                        "(got \"%s\")",
                        s);
        c->prep.impute = (enum tune_impute)v;
    }
    s = NULL;
    if ((rc = get_string(file, p, "scale", "preprocess", 0, &s, err)))
        return rc;
    if (s) {
        int v = tune_scale_parse(s);
        if (v < 0)
            return FAIL("preprocess.scale: must be one of: none, standard, minmax (got \"%s\")",
                        s);
        c->prep.scale = (enum tune_scale)v;
    }
    return get_bool(file, p, "one_hot", "preprocess", &c->prep.one_hot, err);
}

int tune_metric_is_timing(const char *metric)
{
    return strcmp(metric, "fit_seconds") == 0 || strcmp(metric, "predict_seconds") == 0;
}

/* The metric at `path` (an objective's or a constraint's): one of the
 * task's metrics or a timing, or in score mode any name (a key of what the
 * program prints or the trial is told).  *natural receives its direction:
 * 1 maximize, 0 minimize, -1 the user's to give (score mode). */
static int check_metric(const char *file, const char *path, const struct tune_study_config *c,
                        const char *metric, int *natural, struct tune_error *err)
{
    if (tune_metric_is_timing(metric)) {
        *natural = 0;
        return TUNE_OK;
    }
    if (c->score_mode) {
        *natural = -1;
        return TUNE_OK;
    }
    const struct tune_metric_def *m = tune_metric_find(metric);
    if (!m || !(m->tasks & c->task)) {
        char list[600] = "";
        const struct tune_metric_def *d;
        for (size_t i = 0, k = 0; (d = tune_metric_at(i)); i++)
            if (d->tasks & c->task) {
                strncat(list, k++ ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, d->name, sizeof list - strlen(list) - 1);
            }
        strncat(list, ", fit_seconds, predict_seconds", sizeof list - strlen(list) - 1);
        return FAIL("%s: \"%s\" %s (metrics for %s: %s)", path, metric,
                    m ? "does not fit this task" : "is not a known metric",
                    tune_task_name(c->task), list);
    }
    *natural = m->maximize;
    return TUNE_OK;
}

/* One objective at `path` ("objective", "objectives[1]"): a metric name (its
 * own direction) or {"metric": ..., "direction": ...}.  A study of one
 * objective may leave the metric out: the task's default, or in score mode
 * the program's "objective"; with several, each names its metric. */
static int parse_one_objective(const char *file, const char *path, const cJSON *item,
                               const struct tune_study_config *c, int several,
                               struct tune_objective *out, struct tune_error *err)
{
    static const char *const keys[] = {"metric", "direction", NULL};
    int rc, natural;
    char mpath[64], dpath[64];
    snprintf(mpath, sizeof mpath, "%s.metric", path);
    snprintf(dpath, sizeof dpath, "%s.direction", path);
    const char *metric = several ? NULL : c->score_mode ? "objective" : tune_metric_default(c->task);
    const char *direction = NULL;
    if (c->score_mode && (!item || !cJSON_IsObject(item)))
        return c->ask_tell ? FAIL("%s: a study without a trainer needs {\"direction\": "
                                  "\"minimize\"} or \"maximize\"",
                                  path)
                           : FAIL("%s: a score-mode study needs {\"direction\": \"minimize\"} "
                                  "or \"maximize\"",
                                  path);
    if (!item) {
        /* the task's default metric */
    } else if (cJSON_IsString(item)) {
        /* "objective": "roc_auc" is {"metric": "roc_auc"}: the metric's own direction */
        metric = item->valuestring;
    } else if (cJSON_IsObject(item)) {
        if ((rc = check_keys(file, item, path, keys, err)) ||
            (rc = get_string(file, item, "metric", path, several, &metric, err)) ||
            (rc = get_string(file, item, "direction", path, c->score_mode, &direction, err)))
            return rc;
    } else {
        return FAIL("%s: must be a metric name or an object like {\"metric\": \"roc_auc\", "
                    "\"direction\": \"maximize\"}",
                    path);
    }
    if (!metric[0])
        return FAIL("%s: must be a non-empty string", mpath);
    if ((rc = check_metric(file, mpath, c, metric, &natural, err)))
        return rc;
    int want = !direction ? natural
               : strcmp(direction, "maximize") == 0 ? 1
               : strcmp(direction, "minimize") == 0 ? 0
                                                    : -2;
    if (want == -2)
        return FAIL("%s: must be \"maximize\" or \"minimize\" (got \"%s\")", dpath, direction);
    if (natural >= 0 && want != natural)
        return FAIL("%s: %s is always %s; remove \"direction\" or choose another metric", dpath,
                    metric, natural ? "maximized" : "minimized");
    out->maximize = want;
    out->metric = xstrdup(metric);
    return out->metric ? TUNE_OK : tune_error_set(err, TUNE_ENOMEM, "out of memory");
}

/* "objective" (one), or "objectives" (several: the study's result is then
 * its Pareto set).  The first is the study's metric, the value each trial
 * stores. */
static int parse_objectives(const char *file, const cJSON *root, struct tune_study_config *c,
                            struct tune_error *err)
{
    int rc;
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(root, "objective");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "objectives");
    if (one && list)
        return FAIL("objectives: give either \"objective\" or \"objectives\", not both");
    if (list && (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1))
        return FAIL("objectives: must be a non-empty array like [{\"metric\": \"roc_auc\"}, "
                    "{\"metric\": \"fit_seconds\", \"direction\": \"minimize\"}]");
    size_t n = list ? (size_t)cJSON_GetArraySize(list) : 1;
    if (n > 8)
        return FAIL("objectives: at most 8 objectives (got %zu)", n);
    if (!(c->objectives = calloc(n, sizeof *c->objectives)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    const cJSON *item = list ? list->child : one;
    for (size_t k = 0; k < n; k++, item = item ? item->next : NULL) {
        char path[40];
        snprintf(path, sizeof path, list ? "objectives[%zu]" : "objective", k);
        if ((rc = parse_one_objective(file, path, item, c, list != NULL,
                                      &c->objectives[k], err)))
            return rc;
        c->n_objectives = k + 1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(c->objectives[j].metric, c->objectives[k].metric) == 0)
                return FAIL("%s.metric: \"%s\" is already objectives[%zu]", path,
                            c->objectives[k].metric, j);
    }
    c->maximize = c->objectives[0].maximize;
    if (!(c->metric = xstrdup(c->objectives[0].metric)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    /* a program's objective is a key of its "metrics" unless it is its own */
    if (c->score_mode && strcmp(c->metric, "objective") != 0 &&
        !tune_metric_is_timing(c->metric)) {
        struct tune_external *e = (struct tune_external *)tune_external_of(c->trainer);
        if (!(e->metric_key = xstrdup(c->metric)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    return TUNE_OK;
}

/* "constraints": [{"metric": NAME, "min": X, "max": Y}, ...]: a trial whose
 * metric is outside [min, max] is infeasible. */
static int parse_constraints(const char *file, const cJSON *root, struct tune_study_config *c,
                             struct tune_error *err)
{
    static const char *const keys[] = {"metric", "min", "max", NULL};
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "constraints");
    if (!list)
        return TUNE_OK;
    if (!cJSON_IsArray(list))
        return FAIL("constraints: must be an array like [{\"metric\": \"fit_seconds\", \"max\": "
                    "0.05}, {\"metric\": \"recall\", \"min\": 0.9}]");
    size_t n = (size_t)cJSON_GetArraySize(list);
    if (n && !(c->constraints = calloc(n, sizeof *c->constraints)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    size_t k = 0;
    for (const cJSON *e = list->child; e; e = e->next, k++) {
        char path[40], mpath[48];
        int rc, natural, has_min, has_max;
        snprintf(path, sizeof path, "constraints[%zu]", k);
        snprintf(mpath, sizeof mpath, "%s.metric", path);
        if (!cJSON_IsObject(e))
            return FAIL("%s: must be an object like {\"metric\": \"recall\", \"min\": 0.9}", path);
        struct tune_constraint *ct = &c->constraints[k];
        const char *metric = NULL;
        ct->min = -INFINITY;
        ct->max = INFINITY;
        if ((rc = check_keys(file, e, path, keys, err)) ||
            (rc = get_string(file, e, "metric", path, 1, &metric, err)) ||
            (rc = check_metric(file, mpath, c, metric, &natural, err)) ||
            (rc = get_number(file, e, "min", path, &has_min, &ct->min, err)) ||
            (rc = get_number(file, e, "max", path, &has_max, &ct->max, err)))
            return rc;
        if (!(ct->metric = xstrdup(metric)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        c->n_constraints = k + 1;
        if (!has_min && !has_max)
            return FAIL("%s: give \"min\", \"max\" or both", path);
        if (has_min && has_max && !(ct->min <= ct->max))
            return FAIL("%s: min (%g) must be <= max (%g)", path, ct->min, ct->max);
    }
    return TUNE_OK;
}

/* data.path is relative to the study file's folder, so a study file can be
 * run from anywhere. */
static char *resolve_path(const char *study_file, const char *path)
{
    const char *slash = strrchr(study_file, '/');
    if (path[0] == '/' || !slash)
        return xstrdup(path);
    size_t dlen = (size_t)(slash - study_file) + 1, plen = strlen(path) + 1;
    char *out = malloc(dlen + plen);
    if (!out)
        return NULL;
    memcpy(out, study_file, dlen);
    memcpy(out + dlen, path, plen);
    return out;
}

/* How the data file is read: data.delimiter (one character, ',' by
 * default) and data.bad_numbers (a column numeric but for a few cells:
 * "error", the default, "missing" or "text"). */
static int parse_data_reading(const char *file, const cJSON *data, struct tune_study_config *c,
                              struct tune_error *err)
{
    const char *delim = ",", *bad = "error";
    int rc = get_string(file, data, "delimiter", "data", 0, &delim, err);
    if (rc)
        return rc;
    if (delim[1] || !tune_csv_delimiter_ok((unsigned char)delim[0]))
        return FAIL("data.delimiter: must be one character, a tab or ASCII punctuation other "
                    "than '\"', '.', '+', '-' (got \"%s\")",
                    delim);
    c->csv.delimiter = delim[0];
    if ((rc = get_string(file, data, "bad_numbers", "data", 0, &bad, err)))
        return rc;
    if (strcmp(bad, "error") == 0)
        c->csv.bad_numbers = TUNE_BAD_NUMBERS_ERROR;
    else if (strcmp(bad, "missing") == 0)
        c->csv.bad_numbers = TUNE_BAD_NUMBERS_MISSING;
    else if (strcmp(bad, "text") == 0)
        c->csv.bad_numbers = TUNE_BAD_NUMBERS_TEXT;
    else
        return FAIL("data.bad_numbers: must be one of: error, missing, text (got \"%s\")", bad);
    return TUNE_OK;
}

/* A trainer's fixed params as the canonical text lists them. */
static void canonical_fixed(cJSON *fixed, const struct tune_trainer_type *t, const double *values,
                            const unsigned char *is_fixed)
{
    for (size_t i = 0; fixed && i < t->n_hparams; i++) {
        const struct tune_hparam *h = &t->hparams[i];
        if (!is_fixed[i])
            continue;
        if (h->type == TUNE_PARAM_CATEGORICAL)
            cJSON_AddStringToObject(fixed, h->name, h->choices[(size_t)values[i]]);
        else if (h->type == TUNE_PARAM_BOOL)
            cJSON_AddBoolToObject(fixed, h->name, values[i] != 0);
        else
            cJSON_AddNumberToObject(fixed, h->name, values[i]);
    }
}

/* Parameters first .. first + n of a space, by key, every field written
 * out; "when" only for a condition within them (one on a parameter before
 * `first`, the choice of trainer, is implied by where the entry sits). */
static void canonical_space(cJSON *sp, const struct tune_space *space, size_t first, size_t n)
{
    for (size_t i = first; sp && i < first + n; i++) {
        const struct tune_param *p = &space->params[i];
        cJSON *e = cJSON_AddObjectToObject(sp, tune_param_key(p));
        cJSON_AddStringToObject(e, "type", tune_param_type_name(p->type));
        if (p->type == TUNE_PARAM_FLOAT || p->type == TUNE_PARAM_INT) {
            cJSON_AddNumberToObject(e, "low", p->low);
            cJSON_AddNumberToObject(e, "high", p->high);
            cJSON_AddStringToObject(e, "scale", p->log ? "log" : "linear");
            cJSON_AddNumberToObject(e, "step", p->step);
            cJSON_AddNumberToObject(e, "grid_points", (double)(p->grid_points
                                                                   ? p->grid_points
                                                                   : TUNE_GRID_POINTS_DEFAULT));
        } else if (p->type == TUNE_PARAM_CATEGORICAL) {
            cJSON *vals = cJSON_AddArrayToObject(e, "values");
            for (size_t k = 0; k < p->n_values; k++)
                cJSON_AddItemToArray(vals, cJSON_CreateString(p->values[k]));
        }
        if (p->n_when && p->when_param >= first && p->when_param < first + n) {
            const struct tune_param *up = &space->params[p->when_param];
            cJSON *w = cJSON_AddObjectToObject(e, "when");
            cJSON *vals = cJSON_AddArrayToObject(w, tune_param_key(up));
            for (size_t k = 0; k < p->n_when; k++) {
                size_t v = (size_t)p->when_values[k];
                cJSON_AddItemToArray(vals, up->type == TUNE_PARAM_BOOL
                                               ? cJSON_CreateBool(v != 0)
                                               : cJSON_CreateString(up->values[v]));
            }
        }
    }
}

/* "pruning": {"strategy": NAME, ...the strategy's own options}.  The
 * strategy checks its options itself (pruners/), as a searcher does, so a
 * probe pruner is made here: every problem is found before any work. */
static int parse_pruning(const char *file, const cJSON *root, struct tune_study_config *c,
                         struct tune_error *err)
{
    int rc;
    c->pruner = &tune_pruner_none;
    c->n_folds = c->score_mode ? 0 : c->cv.holdout > 0 ? c->cv.repeats
                                                        : c->cv.folds * c->cv.repeats;
    const cJSON *p = get_object(file, root, "pruning", "", 0, &rc, err);
    if (rc)
        return rc;
    cJSON *own = cJSON_CreateObject();
    if (!own)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (p) {
        const char *strategy = NULL;
        if ((rc = check_duplicates(file, p, "pruning", err)) ||
            (rc = get_string(file, p, "strategy", "pruning", 1, &strategy, err)))
            goto done;
        if (!(c->pruner = tune_pruner_find(strategy))) {
            char list[256] = "";
            const struct tune_pruner_type *t;
            for (size_t i = 0; (t = tune_pruner_at(i)); i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, t->name, sizeof list - strlen(list) - 1);
            }
            rc = FAIL("pruning.strategy: unknown strategy \"%s\" (available: %s)", strategy,
                      list);
            goto done;
        }
        for (const cJSON *it = p->child; it; it = it->next) {
            if (strcmp(it->string, "strategy") == 0)
                continue;
            cJSON *copy = cJSON_Duplicate(it, 1);
            if (!copy || !cJSON_AddItemToObject(own, it->string, copy)) {
                cJSON_Delete(copy);
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
    if (!(c->pruning_options = cJSON_PrintUnformatted(own))) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    struct tune_prune_options po = {c->pruning_options, c->n_folds};
    struct tune_pruner *probe;
    if ((rc = tune_pruner_new(c->pruner, &po, &probe, err))) {
        if (*file)
            tune_error_prefix(err, "%s", file);
        goto done;
    }
    tune_pruner_free(probe);
done:
    cJSON_Delete(own);
    return rc;
}

static int build_canonical(struct tune_study_config *c, struct tune_error *err)
{
    cJSON *can = cJSON_CreateObject();
    if (!can)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (!c->score_mode) {
        cJSON *data = cJSON_AddObjectToObject(can, "data");
        cJSON_AddStringToObject(data, "path", c->data_path_given);
        cJSON_AddStringToObject(data, "target", c->target);
        /* only what differs from the default, so stored studies keep their text */
        if (c->csv.delimiter != ',') {
            char d[2] = {c->csv.delimiter, '\0'};
            cJSON_AddStringToObject(data, "delimiter", d);
        }
        if (c->csv.bad_numbers != TUNE_BAD_NUMBERS_ERROR)
            cJSON_AddStringToObject(data, "bad_numbers", c->csv.bad_numbers ==
                                                             TUNE_BAD_NUMBERS_MISSING
                                                             ? "missing"
                                                             : "text");
        cJSON_AddStringToObject(can, "task", tune_task_name(c->task));
    }
    cJSON *tr = c->ask_tell || c->choose_trainer ? NULL : cJSON_AddObjectToObject(can, "trainer");
    const struct tune_external *ext = c->trainer ? tune_external_of(c->trainer) : NULL;
    if (c->choose_trainer) {
        /* each trainer with its fixed params and its part of the space */
        cJSON *all = cJSON_AddObjectToObject(can, "trainers");
        for (size_t k = 0; all && k < c->n_choices; k++) {
            const struct tune_trainer_choice *ch = &c->choices[k];
            cJSON *one = cJSON_AddObjectToObject(all, ch->label);
            cJSON_AddStringToObject(one, "name", ch->trainer->name);
            canonical_fixed(cJSON_AddObjectToObject(one, "params"), ch->trainer, ch->fixed,
                            ch->is_fixed);
            canonical_space(cJSON_AddObjectToObject(one, "space"), &c->space, ch->first, ch->n);
        }
    } else if (c->ask_tell) {
        /* no trainer: trials are asked for and told by someone else */
        cJSON_AddStringToObject(can, "evaluation", "ask/tell");
    } else if (ext) {
        /* what decides the results; not timeout, grace, keep_workdir */
        cJSON *argv = cJSON_AddArrayToObject(tr, "exec");
        for (size_t i = 0; ext->argv[i]; i++)
            cJSON_AddItemToArray(argv, cJSON_CreateString(ext->argv[i]));
        cJSON_AddStringToObject(tr, "mode",
                                ext->mode == TUNE_EXTERNAL_SCORE ? "score" : "predict");
        cJSON_AddStringToObject(tr, "params_as", ext->params_as_env ? "env" : "args");
        if (ext->objective_regex)
            cJSON_AddStringToObject(tr, "objective_regex", ext->objective_regex);
        if (ext->intermediate_regex)
            cJSON_AddStringToObject(tr, "intermediate_regex", ext->intermediate_regex);
    } else {
        cJSON_AddStringToObject(tr, "name", c->trainer->name);
    }
    if (tr)
        canonical_fixed(cJSON_AddObjectToObject(tr, "params"), c->trainer, c->fixed,
                        c->is_fixed);
    if (!c->choose_trainer)
        canonical_space(cJSON_AddObjectToObject(can, "space"), &c->space, 0, c->space.n);
    cJSON *s = cJSON_AddObjectToObject(can, "search");
    cJSON_AddStringToObject(s, "strategy", c->searcher->name);
    cJSON_AddNumberToObject(s, "seed", (double)c->seed);
    /* the strategy's own options as given, in the order it declares them */
    cJSON *own = c->search_options ? cJSON_Parse(c->search_options) : NULL;
    for (size_t i = 0; own && c->searcher->options && c->searcher->options[i]; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(own, c->searcher->options[i]);
        if (v)
            cJSON_AddItemToObject(s, c->searcher->options[i], v);
    }
    cJSON_Delete(own);
    /* new keys only when given, so that stored studies keep their text */
    cJSON *eq = c->n_enqueue ? cJSON_AddArrayToObject(s, "enqueue") : NULL;
    for (size_t k = 0; eq && k < c->n_enqueue; k++) {
        char *text = tune_space_point_json(&c->space, &c->enqueue[k * c->space.n]);
        cJSON_AddItemToArray(eq, text ? cJSON_Parse(text) : NULL);
        free(text);
    }
    if (c->batch)
        cJSON_AddNumberToObject(s, "batch", (double)c->batch);
    cJSON *ws = c->n_warm_start ? cJSON_AddArrayToObject(s, "warm_start") : NULL;
    for (size_t k = 0; ws && k < c->n_warm_start; k++)
        cJSON_AddItemToArray(ws, cJSON_CreateString(c->warm_start[k]));
    if (!c->score_mode) {
        cJSON *cv = cJSON_AddObjectToObject(can, "cv");
        cJSON_AddNumberToObject(cv, "folds", (double)c->cv.folds);
        cJSON_AddBoolToObject(cv, "stratified", c->cv.stratified);
        cJSON_AddNumberToObject(cv, "repeats", (double)c->cv.repeats);
        cJSON_AddNumberToObject(cv, "holdout", c->cv.holdout);
        cJSON_AddBoolToObject(cv, "shuffle", c->cv.shuffle);
        cJSON *pp = cJSON_AddObjectToObject(can, "preprocess");
        cJSON_AddStringToObject(pp, "impute", tune_impute_name(c->prep.impute));
        cJSON_AddStringToObject(pp, "scale", tune_scale_name(c->prep.scale));
        cJSON_AddBoolToObject(pp, "one_hot", c->prep.one_hot);
    }
    if (c->n_objectives > 1) {
        cJSON *obs = cJSON_AddArrayToObject(can, "objectives");
        for (size_t k = 0; obs && k < c->n_objectives; k++) {
            cJSON *ob = cJSON_CreateObject();
            cJSON_AddStringToObject(ob, "metric", c->objectives[k].metric);
            cJSON_AddStringToObject(ob, "direction",
                                    c->objectives[k].maximize ? "maximize" : "minimize");
            cJSON_AddItemToArray(obs, ob);
        }
    } else {
        cJSON *ob = cJSON_AddObjectToObject(can, "objective");
        cJSON_AddStringToObject(ob, "metric", c->metric);
        cJSON_AddStringToObject(ob, "direction", c->maximize ? "maximize" : "minimize");
    }
    cJSON *cons = c->n_constraints ? cJSON_AddArrayToObject(can, "constraints") : NULL;
    for (size_t k = 0; cons && k < c->n_constraints; k++) {
        const struct tune_constraint *ct = &c->constraints[k];
        cJSON *one = cJSON_CreateObject();
        cJSON_AddStringToObject(one, "metric", ct->metric);
        if (isfinite(ct->min))
            cJSON_AddNumberToObject(one, "min", ct->min);
        if (isfinite(ct->max))
            cJSON_AddNumberToObject(one, "max", ct->max);
        cJSON_AddItemToArray(cons, one);
    }
    /* Early stopping decides which trials end PRUNED: part of the study.
     * Absent for "none", so the studies stored before pruning existed keep
     * their identity. */
    if (c->pruner && c->pruner != &tune_pruner_none) {
        cJSON *pr = cJSON_AddObjectToObject(can, "pruning");
        cJSON_AddStringToObject(pr, "strategy", c->pruner->name);
        cJSON *po = c->pruning_options ? cJSON_Parse(c->pruning_options) : NULL;
        for (size_t i = 0; po && c->pruner->options && c->pruner->options[i]; i++) {
            cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(po, c->pruner->options[i]);
            if (v)
                cJSON_AddItemToObject(pr, c->pruner->options[i], v);
        }
        cJSON_Delete(po);
    }
    free(c->canonical);
    c->canonical = cJSON_PrintUnformatted(can);
    cJSON_Delete(can);
    return c->canonical ? TUNE_OK : tune_error_set(err, TUNE_ENOMEM, "out of memory");
}

/* One "trainer" (built-in or a program): choices[0] views it, so that
 * code for any study reads choices[]. */
static int single_choice(struct tune_study_config *c, struct tune_error *err)
{
    if (c->choose_trainer || !c->trainer)
        return TUNE_OK;
    if (!(c->choices = calloc(1, sizeof *c->choices)) ||
        !(c->choices[0].label = xstrdup(c->trainer->name)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    c->n_choices = 1;
    c->choices[0].trainer = c->trainer;
    c->choices[0].fixed = c->fixed;
    c->choices[0].is_fixed = c->is_fixed;
    c->choices[0].n = c->space.n;
    c->max_hparams = c->trainer->n_hparams;
    return TUNE_OK;
}

static int parse_root(const char *file, const cJSON *root, struct tune_study_config *c,
                      struct tune_error *err)
{
    static const char *const keys[] = {"name",       "data",        "task",       "trainer",
                                       "trainers",   "space",       "preprocess", "search",
                                       "cv",         "objective",   "objectives", "constraints",
                                       "pruning",    "storage",     NULL};
    static const char *const data_keys[] = {"path", "target", "bad_numbers", "delimiter",
                                            NULL};
    int rc;
    if (!cJSON_IsObject(root))
        return FAIL("the study file must be a JSON object");
    if ((rc = check_keys(file, root, "", keys, err)))
        return rc;
    const char *s = NULL;
    if ((rc = get_string(file, root, "name", "", 1, &s, err)))
        return rc;
    for (const char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20)
            return FAIL("name: must not contain control characters");
    if (!(c->name = xstrdup(s)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");

    /* An external program in score mode evaluates itself: no data, task,
     * folds or preprocessing.  Neither has a study without a trainer, whose
     * trials someone else evaluates (`tunefold ask` / `tell`): it is made
     * like a score-mode study whose program is never run. */
    struct tune_external ext = {0};
    const cJSON *trj = cJSON_GetObjectItemCaseSensitive(root, "trainer");
    int is_exec = cJSON_IsObject(trj) && cJSON_GetObjectItemCaseSensitive(trj, "exec");
    int several = cJSON_GetObjectItemCaseSensitive(root, "trainers") != NULL;
    if (several) {
        is_exec = 0; /* parse_trainers refuses "trainer" beside "trainers" */
    } else if (!trj) {
        c->ask_tell = c->score_mode = 1;
        ext.mode = TUNE_EXTERNAL_SCORE;
        is_exec = 1;
    } else if (is_exec && (rc = parse_exec(file, trj, c, &ext, err))) {
        goto fail;
    }
    if (c->score_mode) {
        static const char *const unused[] = {"task", "data", "cv", "preprocess", NULL};
        for (size_t i = 0; unused[i]; i++)
            if (cJSON_GetObjectItemCaseSensitive(root, unused[i])) {
                rc = c->ask_tell ? FAIL("trainer: missing; without one, a study is "
                                        "evaluated through tunefold ask/tell and \"%s\" is "
                                        "not used by it (add a \"trainer\", or remove "
                                        "\"%s\")",
                                        unused[i], unused[i])
                                 : FAIL("%s: not used by a score-mode trainer, which evaluates "
                                        "itself; remove it",
                                        unused[i]);
                goto fail;
            }
    } else {
        const char *task = NULL;
        if ((rc = get_string(file, root, "task", "", 1, &task, err)))
            goto fail;
        c->task = tune_task_parse(task);
        if (c->task != TUNE_TASK_BINARY && c->task != TUNE_TASK_MULTICLASS &&
            c->task != TUNE_TASK_REGRESSION && c->task != TUNE_TASK_CLUSTERING) {
            rc = FAIL("task: must be one of: binary, multiclass, regression, clustering (got "
                      "\"%s\")",
                      task);
            goto fail;
        }
        const cJSON *data = get_object(file, root, "data", "", 1, &rc, err);
        if (rc || (rc = check_keys(file, data, "data", data_keys, err)))
            goto fail;
        /* clustering: no target unless one is named (it is then kept out of
         * the features, as labels to compare with) */
        const char *path = NULL, *target = c->task == TUNE_TASK_CLUSTERING ? "" : "target";
        if ((rc = get_string(file, data, "path", "data", 1, &path, err)) ||
            (rc = get_string(file, data, "target", "data", 0, &target, err)))
            goto fail;
        if (!(c->data_path = resolve_path(file, path)) || !(c->target = xstrdup(target)) ||
            !(c->data_path_given = xstrdup(path))) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto fail;
        }
        if ((rc = parse_data_reading(file, data, c, err)))
            goto fail;
    }
    if (c->ask_tell)
        c->max_failures = 0; /* nothing runs trials here, so nothing stops */
    if (several ? (rc = parse_trainers(file, root, c, err))
                : ((!c->ask_tell && (rc = parse_trainer(file, root, c, err))) ||
                   (rc = parse_space(file, root, c, err))))
        goto fail;
    if (is_exec && (rc = build_external(file, root, c, &ext, err)))
        return rc; /* ext was taken over */
    if ((rc = single_choice(c, err)) || (rc = parse_search(file, root, c, err)) ||
        (!c->score_mode && ((rc = parse_cv(file, root, c, err)) ||
                            (rc = parse_preprocess(file, root, c, err)))) ||
        (rc = parse_objectives(file, root, c, err)) ||
        (rc = parse_constraints(file, root, c, err)) ||
        (rc = parse_pruning(file, root, c, err)))
        return rc;

    const char *storage = "tunefold.db";
    if ((rc = get_string(file, root, "storage", "", 0, &storage, err)))
        return rc;
    if (!(c->storage = xstrdup(storage)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    return build_canonical(c, err);
fail:
    if (is_exec) { /* not yet taken over by a trainer type */
        for (size_t i = 0; ext.argv && ext.argv[i]; i++)
            free(ext.argv[i]);
        free(ext.argv);
        free(ext.objective_regex);
        free(ext.intermediate_regex);
        free(ext.cwd);
        free(ext.metric_key);
    }
    return rc;
}

/* Line and column of byte offset `off` in text, for JSON syntax errors. */
static void locate(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int tune_config_parse(const char *path, const char *text, struct tune_study_config **out,
                      struct tune_error *err)
{
    const char *file = path;
    *out = NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
    if (root && end && end[strspn(end, " \t\r\n")] != '\0') {
        /* text after the object: the file is not one JSON value */
        cJSON_Delete(root);
        root = NULL;
        end += strspn(end, " \t\r\n");
    }
    if (!root) {
        size_t line, col, off = end ? (size_t)(end - text) : 0;
        locate(text, off, &line, &col);
        if (!text[0] || strspn(text, " \t\r\n") == strlen(text))
            return tune_error_set(err, TUNE_EINVAL, "%s: empty file (expected a JSON object)",
                                  path);
        return tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: invalid JSON", path, line, col);
    }
    struct tune_study_config *c = calloc(1, sizeof *c);
    if (!c) {
        cJSON_Delete(root);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    c->file = xstrdup(path);
    int rc = c->file ? parse_root(file, root, c, err)
                     : tune_error_set(err, TUNE_ENOMEM, "out of memory");
    cJSON_Delete(root);
    if (rc) {
        tune_config_free(c);
        return rc;
    }
    *out = c;
    return TUNE_OK;
}

int tune_config_load(const char *path, struct tune_study_config **out, struct tune_error *err)
{
    *out = NULL;
    /* A file that cannot be opened (missing, a folder, no permission) is
     * bad input; only a read failing half-way is an I/O error. */
    FILE *f = fopen(path, "rb");
    struct stat st;
    int e = !f ? errno : fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        if (f)
            fclose(f);
        int bad = e == ENOENT || e == ENOTDIR || e == EACCES || e == EPERM || e == ELOOP ||
                  e == ENAMETOOLONG || e == EISDIR;
        return tune_error_set(err, bad ? TUNE_EINVAL : TUNE_EIO, "%s: %s", path, strerror(e));
    }
    size_t cap = 1 << 14, len = 0, got;
    int too_large = 0;
    char *text = malloc(cap);
    while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            too_large = cap >= (64u << 20);
            char *bigger = too_large ? NULL : realloc(text, cap * 2);
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
    }
    int rerr = ferror(f);
    fclose(f);
    if (!text)
        return too_large
                   ? tune_error_set(err, TUNE_EINVAL, "%s: too large for a study file", path)
                   : tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
    if (rerr) {
        free(text);
        return tune_error_set(err, TUNE_EIO, "%s: read error", path);
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        return tune_error_set(err, TUNE_EINVAL, "%s: contains a NUL byte; not a JSON text",
                              path);
    }
    int rc = tune_config_parse(path, text, out, err);
    free(text);
    return rc;
}

void tune_config_free(struct tune_study_config *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->file);
    free(c->data_path);
    free(c->target);
    for (size_t k = 0; k < c->n_choices; k++) {
        free(c->choices[k].label);
        if (c->choose_trainer) { /* else they are c->fixed and c->is_fixed */
            free(c->choices[k].fixed);
            free(c->choices[k].is_fixed);
        }
    }
    free(c->choices);
    free(c->fixed);
    free(c->is_fixed);
    for (size_t k = 0; k < c->n_objectives; k++)
        free(c->objectives[k].metric);
    free(c->objectives);
    for (size_t k = 0; k < c->n_constraints; k++)
        free(c->constraints[k].metric);
    free(c->constraints);
    free(c->enqueue);
    for (size_t k = 0; k < c->n_warm_start; k++)
        free(c->warm_start[k]);
    free(c->warm_start);
    tune_space_release(&c->space);
    tune_external_type_free(c->owned_trainer);
    free(c->metric);
    free(c->storage);
    free(c->canonical);
    free(c->data_path_given);
    free(c->search_options);
    free(c->pruning_options);
    free(c);
}

/* A trainer's values: `fixed`, then the keys of `obj` (may be NULL) but
 * "trainer" on top. */
static int resolve_into(const struct tune_trainer_type *tr, const double *fixed, const cJSON *obj,
                        const char *where, double *values, struct tune_error *err)
{
    const char *file = ""; /* messages name WHERE.NAME alone */
    int rc = TUNE_OK;
    memcpy(values, fixed, tr->n_hparams * sizeof *values);
    for (const cJSON *v = obj ? obj->child : NULL; v && !rc; v = v->next) {
        if (strcmp(v->string, "trainer") == 0)
            continue;
        long idx = tune_trainer_hparam_index(tr, v->string);
        if (idx < 0) {
            char list[512];
            hparam_names(tr, list, sizeof list);
            rc = tune_error_set(err, TUNE_EINVAL,
                                "%s.%s: trainer '%s' has no such parameter (it has: %s)", where,
                                v->string, tr->name, list);
        } else {
            rc = parse_value(file, where, &tr->hparams[idx], v, &values[idx], err);
        }
    }
    return rc;
}

static int parse_params_object(const char *params_json, const char *where, cJSON **out,
                               struct tune_error *err)
{
    *out = NULL;
    if (!params_json)
        return TUNE_OK;
    cJSON *obj = cJSON_Parse(params_json);
    if (!obj || !cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: must be a JSON object such as '{\"C\": 0.5}'", where);
    }
    *out = obj;
    return TUNE_OK;
}

int tune_config_resolve_params(const struct tune_study_config *c, const char *params_json,
                               const char *where, double *values, struct tune_error *err)
{
    if (c->choose_trainer)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: study '%s' chooses among several trainers: resolve a "
                              "configuration with its trainer",
                              where, c->name);
    size_t choice;
    return tune_config_resolve_choice(c, params_json, where, &choice, values, err);
}

int tune_config_resolve_choice(const struct tune_study_config *c, const char *params_json,
                               const char *where, size_t *choice, double *values,
                               struct tune_error *err)
{
    cJSON *obj;
    int rc = parse_params_object(params_json, where, &obj, err);
    if (rc)
        return rc;
    size_t k = 0;
    if (c->choose_trainer) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "trainer");
        char list[512] = "";
        for (size_t i = 0; i < c->n_choices; i++) {
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, c->choices[i].label, sizeof list - strlen(list) - 1);
        }
        for (k = 0; cJSON_IsString(t) && k < c->n_choices; k++)
            if (strcmp(c->choices[k].label, t->valuestring) == 0)
                break;
        if (!t || !cJSON_IsString(t) || k == c->n_choices) {
            rc = !t ? tune_error_set(err, TUNE_EINVAL,
                                     "%s.trainer: missing: study '%s' chooses among trainers "
                                     "(%s); name one",
                                     where, c->name, list)
                    : tune_error_set(err, TUNE_EINVAL,
                                     "%s.trainer: must be one of the study's trainers: %s",
                                     where, list);
            cJSON_Delete(obj);
            return rc;
        }
    } else if (cJSON_GetObjectItemCaseSensitive(obj, "trainer") &&
               tune_trainer_hparam_index(c->trainer, "trainer") < 0) {
        cJSON_Delete(obj);
        return tune_error_set(err, TUNE_EINVAL,
                              "%s.trainer: study '%s' has one trainer ('%s'); leave \"trainer\" "
                              "out",
                              where, c->name, c->trainer->name);
    }
    *choice = k;
    /* one trainer: the config's own (a program may have set it by hand) */
    rc = c->choose_trainer
             ? resolve_into(c->choices[k].trainer, c->choices[k].fixed, obj, where, values, err)
             : resolve_into(c->trainer, c->fixed, obj, where, values, err);
    cJSON_Delete(obj);
    return rc;
}

int tune_config_tracked_metrics(const struct tune_study_config *c, const char ***names,
                                size_t *n, struct tune_error *err)
{
    size_t cap = c->n_objectives + c->n_constraints + 1, m = 0;
    const char **v = malloc(cap * sizeof *v);
    if (!v)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t k = 1; k < c->n_objectives + c->n_constraints; k++) {
        const char *name = k < c->n_objectives ? c->objectives[k].metric
                                               : c->constraints[k - c->n_objectives].metric;
        size_t j = 0;
        while (j < m && strcmp(v[j], name) != 0)
            j++;
        if (j == m)
            v[m++] = name;
    }
    *names = v;
    *n = m;
    return TUNE_OK;
}

int tune_config_set_seed(struct tune_study_config *c, uint64_t seed, struct tune_error *err)
{
    c->seed = seed;
    c->search_opts.seed = seed;
    return build_canonical(c, err);
}
