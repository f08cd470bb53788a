/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pareto.c — the values a trial scores on several objectives and
 * constraints, non-dominated sets, 2-D hypervolume, and the Pareto set of
 * a stored study (see tunefold/pareto.h).
 *
 * Non-domination is decided pairwise (O(n^2 k)): a study has at most some
 * thousands of trials and the set is computed once per command, so the
 * simple rule is kept over a sort-based one.  The 2-D hypervolume sorts the
 * points by the first column and sweeps: each point of the front adds the
 * rectangle between it, the previous point's second column and ref. */
#include "tunefold/pareto.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double tune_trial_metric(const struct tune_trial *t, const char *metric)
{
    if (strcmp(metric, "fit_seconds") == 0)
        return t->fit_seconds;
    if (strcmp(metric, "predict_seconds") == 0)
        return t->predict_seconds;
    for (size_t m = 0; m < t->n_metrics; m++)
        if (strcmp(t->metrics[m].name, metric) == 0)
            return t->metrics[m].mean;
    return NAN;
}

double tune_constraint_slack(const struct tune_constraint *c, double v)
{
    if (isnan(v))
        return INFINITY;
    double below = c->min - v, above = v - c->max; /* -inf for a missing bound */
    return below > above ? below : above;
}

double tune_constraints_violation(const struct tune_constraint *c, size_t n,
                                  const double *values)
{
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        double s = tune_constraint_slack(&c[i], values[i]);
        if (!(s > 0))
            continue;
        double bound = s == c[i].min - values[i] ? c[i].min : c[i].max;
        double scale = isfinite(bound) && bound != 0 ? fabs(bound) : 1;
        total += s / scale;
    }
    return total;
}

/* Does row a dominate row b (no worse anywhere, better somewhere)? */
static int dominates(const double *a, const double *b, size_t k)
{
    int better = 0;
    for (size_t j = 0; j < k; j++) {
        if (a[j] > b[j])
            return 0;
        better |= a[j] < b[j];
    }
    return better;
}

static int has_nan(const double *row, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (isnan(row[j]))
            return 1;
    return 0;
}

size_t tune_pareto_indices(const double *loss, size_t n, size_t k, size_t *idx)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *a = &loss[i * k];
        if (has_nan(a, k))
            continue;
        int keep = 1;
        for (size_t j = 0; j < n && keep; j++) {
            const double *b = &loss[j * k];
            if (j == i || has_nan(b, k))
                continue;
            if (dominates(b, a, k) || (j < i && memcmp(a, b, k * sizeof *a) == 0))
                keep = 0;
        }
        if (keep)
            idx[m++] = i;
    }
    return m;
}

struct xy {
    double x, y;
};

static int by_x(const void *pa, const void *pb)
{
    const struct xy *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

double tune_hypervolume_2d(const double *loss, size_t n, const double ref[2])
{
    struct xy *p = malloc((n + 1) * sizeof *p);
    size_t m = 0;
    if (!p)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (loss[2 * i] < ref[0] && loss[2 * i + 1] < ref[1])
            p[m++] = (struct xy){loss[2 * i], loss[2 * i + 1]};
    qsort(p, m, sizeof *p, by_x);
    double hv = 0, y_prev = ref[1];
    for (size_t i = 0; i < m; i++)
        if (p[i].y < y_prev) {
            hv += (ref[0] - p[i].x) * (y_prev - p[i].y);
            y_prev = p[i].y;
        }
    free(p);
    return hv;
}

void tune_objectives_free(struct tune_objective *o, size_t n)
{
    for (size_t i = 0; o && i < n; i++)
        free(o[i].metric);
    free(o);
}

int tune_study_objectives(const struct tune_study_info *info, struct tune_objective **out,
                          size_t *n, struct tune_error *err)
{
    *out = NULL;
    *n = 0;
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg, "objectives");
    size_t k = cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
    struct tune_objective *o = calloc(k ? k : 1, sizeof *o);
    if (!o) {
        cJSON_Delete(cfg);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    if (k == 0) {
        o[0].metric = strdup(info->metric ? info->metric : "objective");
        o[0].maximize = info->maximize;
        k = 1;
    }
    size_t i = 0;
    for (const cJSON *e = k > 1 || cJSON_IsArray(list) ? list->child : NULL; e; e = e->next, i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "metric");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "direction");
        o[i].metric = strdup(cJSON_IsString(m) ? m->valuestring : "?");
        o[i].maximize = cJSON_IsString(d) && strcmp(d->valuestring, "maximize") == 0;
    }
    cJSON_Delete(cfg);
    for (i = 0; i < k; i++)
        if (!o[i].metric) {
            tune_objectives_free(o, k);
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        }
    *out = o;
    *n = k;
    return TUNE_OK;
}

void tune_pareto_release(struct tune_pareto *p)
{
    if (!p)
        return;
    tune_objectives_free(p->objectives, p->n_objectives);
    for (size_t i = 0; i < p->n; i++) {
        free(p->points[i].values);
        free(p->points[i].params_json);
    }
    free(p->points);
    memset(p, 0, sizeof *p);
}

struct ranked {
    double key;
    int number;
    size_t row;
};

static int by_key(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->number > b->number) - (a->number < b->number);
}

/* Trials are read a page at a time with their metrics, and only the
 * feasible complete ones are kept (their values and params). */
#define PAGE 1000

int tune_study_pareto(struct tune_store *store, const struct tune_study_info *info,
                      struct tune_pareto *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = tune_study_objectives(info, &out->objectives, &out->n_objectives, err);
    if (rc)
        return rc;
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    out->n_constraints = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cfg,
                                                                                 "constraints"));
    cJSON_Delete(cfg);
    size_t k = out->n_objectives, n = 0, cap = 0;
    double *loss = NULL;
    int *numbers = NULL;
    char **params = NULL;
    size_t *idx = NULL;
    struct ranked *rank = NULL;
    for (int first = 0;;) {
        struct tune_trial *t = NULL;
        size_t got = 0;
        if ((rc = tune_store_trial_page(store, info->id, first, PAGE, 1, &t, &got, err)))
            goto done;
        for (size_t i = 0; i < got && !rc; i++) {
            if (t[i].state != TUNE_TRIAL_COMPLETE)
                continue;
            out->n_complete++;
            if (t[i].violation > 0)
                continue;
            if (n == cap) {
                size_t c = cap ? 2 * cap : 64;
                double *l = realloc(loss, c * k * sizeof *l);
                if (l)
                    loss = l;
                int *nb = l ? realloc(numbers, c * sizeof *nb) : NULL;
                if (nb)
                    numbers = nb;
                char **pj = nb ? realloc(params, c * sizeof *pj) : NULL;
                if (!pj) {
                    rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                    break;
                }
                params = pj;
                cap = c;
            }
            int ok = 1;
            for (size_t j = 0; j < k; j++) {
                double v = j == 0 ? t[i].value : tune_trial_metric(&t[i], out->objectives[j].metric);
                ok &= !isnan(v);
                loss[n * k + j] = out->objectives[j].maximize ? -v : v;
            }
            if (!ok)
                continue;
            numbers[n] = t[i].number;
            params[n] = t[i].params_json;
            t[i].params_json = NULL;
            n++;
        }
        if (got)
            first = t[got - 1].number + 1;
        tune_trials_free(t, got);
        if (rc || got < PAGE)
            break;
    }
    if (rc)
        goto done;
    out->n_feasible = n;
    idx = malloc((n + 1) * sizeof *idx);
    rank = malloc((n + 1) * sizeof *rank);
    if (!idx || !rank) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    size_t m = tune_pareto_indices(loss, n, k, idx);
    for (size_t i = 0; i < m; i++)
        rank[i] = (struct ranked){loss[idx[i] * k], numbers[idx[i]], idx[i]};
    qsort(rank, m, sizeof *rank, by_key);
    if (!(out->points = calloc(m + 1, sizeof *out->points))) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        struct tune_pareto_point *p = &out->points[i];
        size_t r = rank[i].row;
        p->number = numbers[r];
        p->params_json = params[r];
        params[r] = NULL;
        if (!(p->values = malloc(k * sizeof *p->values))) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t j = 0; j < k; j++)
            p->values[j] = out->objectives[j].maximize ? -loss[r * k + j] : loss[r * k + j];
        out->n = i + 1;
    }
done:
    for (size_t i = 0; params && i < n; i++)
        free(params[i]);
    free(params);
    free(loss);
    free(numbers);
    free(idx);
    free(rank);
    if (rc)
        tune_pareto_release(out);
    return rc;
}
