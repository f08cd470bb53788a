/* SPDX-License-Identifier: GPL-3.0-or-later */
/* preprocess.c — imputation, scaling and one-hot encoding fitted on training
 * rows only (see tunefold/preprocess.h).
 *
 * Fit computes one `prep_col` per input feature and never looks at rows it
 * was not given, so validation rows cannot leak into the parameters.
 * Transform maps input feature j to output columns [out, out + width):
 *   numeric:      width 1, value (x - center) / scale after imputation;
 *   categorical:  one-hot: width = number of levels present in training, in
 *                 code order; slot[code] is the column within that block or
 *                 -1 for a level unseen in training (all zeros);
 *                 no one-hot: width 1, the imputed level code, unscaled.
 * Numeric outputs come first in file order, then the categorical blocks in
 * file order, with or without one-hot.
 *
 * Choices where scikit-learn differs or is silent:
 *   - a numeric column with no non-missing training value is imputed with 0
 *     (SimpleImputer would drop it, which would change the column count
 *     between folds); a categorical one with level code 0;
 *   - most_frequent takes the smallest value among ties, as SimpleImputer;
 *     a categorical column always imputes its most frequent level (smallest
 *     code among ties), whatever the numeric strategy, because a mean of codes
 *     is not a level;
 *   - a constant training column (standard: std 0; minmax: range 0) gets scale
 *     1, as StandardScaler and MinMaxScaler do, and is centred on that exact
 *     constant so the training rows map to exactly 0 rather than to rounding
 *     noise around a computed mean. */
#include "tunefold/preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct prep_col {
    enum tune_col_kind kind;
    double fill;       /* imputation value: a number, or a level code */
    double center;     /* numeric: subtracted after imputation */
    double scale;      /* numeric: divided by after centring; never 0 */
    size_t out;        /* first output column */
    size_t width;      /* output columns of this feature */
    size_t n_levels;   /* categorical: levels known at fit time */
    long *slot;        /* one-hot: n_levels entries into the shared block */
};

struct tune_prep {
    struct tune_prep_config cfg;
    size_t n_in, n_out;
    struct prep_col *cols;
    long *slots;       /* every categorical column's slot table, one block */
};

static const char *const impute_names[] = {"none", "mean", "median", "most_frequent"};
static const char *const scale_names[] = {"none", "standard", "minmax"};

#define N_IMPUTE (sizeof impute_names / sizeof impute_names[0])
#define N_SCALE (sizeof scale_names / sizeof scale_names[0])

const char *tune_impute_name(enum tune_impute v)
{
    return (unsigned)v < N_IMPUTE ? impute_names[v] : "unknown";
}

const char *tune_scale_name(enum tune_scale v)
{
    return (unsigned)v < N_SCALE ? scale_names[v] : "unknown";
}

int tune_impute_parse(const char *s)
{
    for (size_t i = 0; s && i < N_IMPUTE; i++)
        if (strcmp(s, impute_names[i]) == 0)
            return (int)i;
    return -1;
}

int tune_scale_parse(const char *s)
{
    for (size_t i = 0; s && i < N_SCALE; i++)
        if (strcmp(s, scale_names[i]) == 0)
            return (int)i;
    return -1;
}

void tune_prep_free(struct tune_prep *p)
{
    if (!p)
        return;
    free(p->slots);
    free(p->cols);
    free(p);
}

size_t tune_prep_n_out(const struct tune_prep *p)
{
    return p->n_out;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int check_rows(const struct tune_dataset *ds, const size_t *rows, size_t n,
                      struct tune_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= ds->n_rows)
            return tune_error_set(err, TUNE_EINVAL,
                                  "preprocess: row index %zu out of range (%zu rows)", rows[i],
                                  ds->n_rows);
    return TUNE_OK;
}

static const char *col_name(const struct tune_dataset *ds, size_t j)
{
    return ds->features[j].name ? ds->features[j].name : "?";
}

static int missing_error(const struct tune_dataset *ds, size_t j, struct tune_error *err)
{
    return tune_error_set(err, TUNE_EINVAL,
                          "column '%s' has missing values; set preprocess.impute",
                          col_name(ds, j));
}

/* Imputation value of a numeric column from its `m` non-missing training
 * values in `v` (sorted in place for median and most_frequent). */
static double numeric_fill(enum tune_impute how, double *v, size_t m)
{
    if (m == 0)
        return 0.0;
    if (how == TUNE_IMPUTE_MEAN) {
        double sum = 0;
        for (size_t i = 0; i < m; i++)
            sum += v[i];
        double mean = sum / (double)m, corr = 0;
        /* Second pass: the mean of the residuals corrects most of the
         * rounding of the first sum (Higham, "Accuracy and Stability of
         * Numerical Algorithms", 1.9). */
        for (size_t i = 0; i < m; i++)
            corr += v[i] - mean;
        return mean + corr / (double)m;
    }
    qsort(v, m, sizeof *v, cmp_double);
    if (how == TUNE_IMPUTE_MEDIAN)
        return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    /* most_frequent: the first longest run of the sorted values is the
     * smallest mode. */
    double best = v[0];
    size_t best_len = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && v[j] == v[i])
            j++;
        if (j - i > best_len) {
            best_len = j - i;
            best = v[i];
        }
        i = j;
    }
    return best;
}

/* Centre and scale of a numeric column from its imputed training values. */
static void numeric_scaling(enum tune_scale how, const double *v, size_t n, double *center,
                            double *scale)
{
    *center = 0;
    *scale = 1;
    if (how == TUNE_SCALE_NONE || n == 0)
        return;
    double lo = v[0], hi = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < lo)
            lo = v[i];
        if (v[i] > hi)
            hi = v[i];
    }
    if (lo == hi) {
        *center = lo;
        return;
    }
    if (how == TUNE_SCALE_MINMAX) {
        *center = lo;
        *scale = hi - lo;
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n, corr = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - mean;
        corr += d;
        ss += d * d;
    }
    /* Corrected two-pass variance (Chan, Golub & LeVeque 1983), ddof 0 as
     * StandardScaler. */
    double var = (ss - corr * corr / (double)n) / (double)n;
    *center = mean + corr / (double)n;
    *scale = var > 0 ? sqrt(var) : 1.0;
}

/* Fit one categorical column: mode for imputation, and (one-hot) the slot of
 * every level present in training.  `count` has room for n_levels. */
static int fit_categorical(const struct tune_prep_config *cfg, const struct tune_dataset *ds,
                           size_t j, const size_t *rows, size_t n, size_t *count,
                           struct prep_col *c, struct tune_error *err)
{
    const double *col = ds->x + j * ds->n_rows;
    size_t L = c->n_levels;
    memset(count, 0, L * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        double v = col[rows[i]];
        if (isnan(v)) {
            if (cfg->impute == TUNE_IMPUTE_NONE)
                return missing_error(ds, j, err);
            continue;
        }
        if (!(v >= 0 && v < (double)L) || v != floor(v))
            return tune_error_set(err, TUNE_EINVAL,
                                  "column '%s': level code %g of row %zu outside 0..%zu",
                                  col_name(ds, j), v, rows[i], L ? L - 1 : 0);
        count[(size_t)v]++;
    }
    size_t best = 0;
    for (size_t l = 1; l < L; l++)
        if (count[l] > count[best])
            best = l;
    c->fill = (double)best;
    if (!cfg->one_hot) {
        c->width = 1;
        return TUNE_OK;
    }
    c->width = 0;
    for (size_t l = 0; l < L; l++)
        c->slot[l] = count[l] ? (long)c->width++ : -1;
    return TUNE_OK;
}

int tune_prep_fit(const struct tune_prep_config *cfg, const struct tune_dataset *ds,
                  const size_t *rows, size_t n, struct tune_prep **out,
                  struct tune_error *err)
{
    *out = NULL;
    if ((unsigned)cfg->impute >= N_IMPUTE)
        return tune_error_set(err, TUNE_EINVAL, "preprocess.impute: unknown strategy %d",
                              (int)cfg->impute);
    if ((unsigned)cfg->scale >= N_SCALE)
        return tune_error_set(err, TUNE_EINVAL, "preprocess.scale: unknown method %d",
                              (int)cfg->scale);
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "preprocess: cannot fit on 0 training rows");
    int rc = check_rows(ds, rows, n, err);
    if (rc)
        return rc;

    size_t d = ds->n_features, total_levels = 0, max_levels = 0;
    for (size_t j = 0; j < d; j++) {
        if (ds->features[j].kind != TUNE_COL_CATEGORICAL)
            continue;
        total_levels += ds->features[j].n_levels;
        if (ds->features[j].n_levels > max_levels)
            max_levels = ds->features[j].n_levels;
    }

    double *work = NULL;
    size_t *count = NULL;
    struct tune_prep *p = calloc(1, sizeof *p);
    if (p) {
        p->cols = calloc(d ? d : 1, sizeof *p->cols);
        p->slots = malloc((total_levels ? total_levels : 1) * sizeof *p->slots);
    }
    work = malloc(n * sizeof *work);
    count = malloc((max_levels ? max_levels : 1) * sizeof *count);
    if (!p || !p->cols || !p->slots || !work || !count) {
        rc = tune_error_set(err, TUNE_ENOMEM, "preprocess: out of memory for %zu rows", n);
        goto fail;
    }
    p->cfg = *cfg;
    p->n_in = d;

    long *next_slot = p->slots;
    for (size_t j = 0; j < d; j++) {
        struct prep_col *c = &p->cols[j];
        c->kind = ds->features[j].kind;
        c->center = 0;
        c->scale = 1;
        if (c->kind == TUNE_COL_CATEGORICAL) {
            c->n_levels = ds->features[j].n_levels;
            c->slot = next_slot;
            next_slot += c->n_levels;
            rc = fit_categorical(cfg, ds, j, rows, n, count, c, err);
            if (rc)
                goto fail;
            continue;
        }
        const double *col = ds->x + j * ds->n_rows;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double v = col[rows[i]];
            if (!isnan(v))
                work[m++] = v;
        }
        if (m < n && cfg->impute == TUNE_IMPUTE_NONE) {
            rc = missing_error(ds, j, err);
            goto fail;
        }
        c->width = 1;
        c->fill = cfg->impute == TUNE_IMPUTE_NONE ? 0.0 : numeric_fill(cfg->impute, work, m);
        if (cfg->scale == TUNE_SCALE_NONE)
            continue;
        /* Scaling sees the imputed column, in row order. */
        for (size_t i = 0; i < n; i++) {
            double v = col[rows[i]];
            work[i] = isnan(v) ? c->fill : v;
        }
        numeric_scaling(cfg->scale, work, n, &c->center, &c->scale);
    }

    size_t o = 0;
    for (size_t j = 0; j < d; j++)
        if (p->cols[j].kind != TUNE_COL_CATEGORICAL)
            p->cols[j].out = o++;
    for (size_t j = 0; j < d; j++)
        if (p->cols[j].kind == TUNE_COL_CATEGORICAL) {
            p->cols[j].out = o;
            o += p->cols[j].width;
        }
    p->n_out = o;
    free(count);
    free(work);
    *out = p;
    return TUNE_OK;
fail:
    free(count);
    free(work);
    tune_prep_free(p);
    return rc;
}

int tune_prep_transform(const struct tune_prep *p, const struct tune_dataset *ds,
                        const size_t *rows, size_t n, struct tune_matrix *out,
                        struct tune_error *err)
{
    out->n_rows = 0;
    out->n_cols = 0;
    out->data = NULL;
    if (ds->n_features != p->n_in)
        return tune_error_set(err, TUNE_EINVAL,
                              "preprocess: dataset has %zu features, fitted on %zu",
                              ds->n_features, p->n_in);
    for (size_t j = 0; j < p->n_in; j++)
        if (ds->features[j].kind != p->cols[j].kind)
            return tune_error_set(err, TUNE_EINVAL,
                                  "preprocess: column '%s' changed kind since the fit",
                                  col_name(ds, j));
    int rc = check_rows(ds, rows, n, err);
    if (rc)
        return rc;
    size_t cells = n * p->n_out;
    double *data = calloc(cells ? cells : 1, sizeof *data);
    if (!data)
        return tune_error_set(err, TUNE_ENOMEM, "preprocess: out of memory for %zu x %zu",
                              n, p->n_out);
    int no_impute = p->cfg.impute == TUNE_IMPUTE_NONE;
    for (size_t j = 0; j < p->n_in; j++) {
        const struct prep_col *c = &p->cols[j];
        const double *col = ds->x + j * ds->n_rows;
        double *dst = data + c->out * n;
        if (c->kind != TUNE_COL_CATEGORICAL || !p->cfg.one_hot) {
            double fill = c->fill, center = c->center, scale = c->scale;
            for (size_t i = 0; i < n; i++) {
                double v = col[rows[i]];
                if (isnan(v)) {
                    if (no_impute)
                        goto missing;
                    v = fill;
                }
                dst[i] = (v - center) / scale;
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            double v = col[rows[i]];
            if (isnan(v)) {
                if (no_impute)
                    goto missing;
                v = c->fill;
            }
            /* A code outside the fitted levels (or negative) is unseen. */
            if (!(v >= 0 && v < (double)c->n_levels))
                continue;
            long s = c->slot[(size_t)v];
            if (s >= 0)
                dst[(size_t)s * n + i] = 1.0;
        }
        continue;
    missing:
        free(data);
        return missing_error(ds, j, err);
    }
    out->n_rows = n;
    out->n_cols = p->n_out;
    out->data = data;
    return TUNE_OK;
}

void tune_prep_out_name(const struct tune_prep *p, const struct tune_dataset *ds, size_t j,
                        char *buf, size_t len)
{
    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t f = 0; f < p->n_in; f++) {
        const struct prep_col *c = &p->cols[f];
        if (j < c->out || j >= c->out + c->width)
            continue;
        const struct tune_column *col = &ds->features[f];
        if (c->kind == TUNE_COL_CATEGORICAL && p->cfg.one_hot) {
            for (size_t lv = 0; lv < c->n_levels; lv++)
                if (c->slot[lv] == (long)(j - c->out)) {
                    snprintf(buf, len, "%s=%s", col->name,
                             lv < col->n_levels ? col->levels[lv] : "?");
                    return;
                }
        }
        snprintf(buf, len, "%s", col->name);
        return;
    }
}

const struct tune_prep_config *tune_prep_config_of(const struct tune_prep *p)
{
    return &p->cfg;
}

/* ---- in a model file ------------------------------------------------------ */

#define PREP_VERSION 1
#define NO_SLOT UINT64_MAX

int tune_prep_save(const struct tune_prep *p, struct tune_model_writer *w)
{
    int rc;
    if ((rc = tune_model_put_u32(w, PREP_VERSION)) ||
        (rc = tune_model_put_u32(w, (uint32_t)p->cfg.impute)) ||
        (rc = tune_model_put_u32(w, (uint32_t)p->cfg.scale)) ||
        (rc = tune_model_put_u32(w, p->cfg.one_hot ? 1u : 0u)) ||
        (rc = tune_model_put_u64(w, p->n_in)))
        return rc;
    for (size_t j = 0; j < p->n_in; j++) {
        const struct prep_col *c = &p->cols[j];
        int one_hot = c->kind == TUNE_COL_CATEGORICAL && p->cfg.one_hot;
        if ((rc = tune_model_put_u32(w, (uint32_t)c->kind)) ||
            (rc = tune_model_put_f64(w, c->fill)) || (rc = tune_model_put_f64(w, c->center)) ||
            (rc = tune_model_put_f64(w, c->scale)) || (rc = tune_model_put_u64(w, c->n_levels)))
            return rc;
        for (size_t l = 0; one_hot && l < c->n_levels; l++)
            if ((rc = tune_model_put_u64(w, c->slot[l] < 0 ? NO_SLOT : (uint64_t)c->slot[l])))
                return rc;
    }
    return TUNE_OK;
}

int tune_prep_load(struct tune_model_reader *r, const struct tune_column *cols, size_t n_cols,
                   struct tune_prep **out, struct tune_error *err)
{
    uint32_t version, impute, scale, one_hot, kind;
    size_t n_in, total_levels = 0;
    int rc;
    *out = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != PREP_VERSION)
        return tune_model_reader_fail(r, "preprocessing version %u is not %d (written by a "
                                      "newer tunefold?)", version, PREP_VERSION);
    if ((rc = tune_model_get_u32(r, &impute)) || (rc = tune_model_get_u32(r, &scale)) ||
        (rc = tune_model_get_u32(r, &one_hot)) ||
        (rc = tune_model_get_size(r, "input columns", n_cols, 36, &n_in)))
        return rc;
    if (impute >= N_IMPUTE || scale >= N_SCALE || one_hot > 1 || n_in != n_cols)
        return tune_model_reader_fail(r, "settings out of range (impute %u, scale %u, one_hot "
                                      "%u, %zu columns for %zu)", impute, scale, one_hot, n_in,
                                      n_cols);
    for (size_t j = 0; j < n_cols; j++)
        if (cols[j].kind == TUNE_COL_CATEGORICAL)
            total_levels += cols[j].n_levels;
    struct tune_prep *p = calloc(1, sizeof *p);
    if (p) {
        p->cols = calloc(n_in ? n_in : 1, sizeof *p->cols);
        p->slots = malloc((total_levels ? total_levels : 1) * sizeof *p->slots);
    }
    if (!p || !p->cols || !p->slots) {
        tune_prep_free(p);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory loading the preprocessing");
    }
    p->cfg = (struct tune_prep_config){(enum tune_impute)impute, (enum tune_scale)scale,
                                       (int)one_hot};
    p->n_in = n_in;
    long *next_slot = p->slots;
    for (size_t j = 0; j < n_in; j++) {
        struct prep_col *c = &p->cols[j];
        if ((rc = tune_model_get_u32(r, &kind)) || (rc = tune_model_get_f64(r, &c->fill)) ||
            (rc = tune_model_get_f64(r, &c->center)) || (rc = tune_model_get_f64(r, &c->scale)) ||
            (rc = tune_model_get_size(r, "levels", SIZE_MAX, 0, &c->n_levels)))
            goto fail;
        c->kind = (enum tune_col_kind)kind;
        if (kind != (uint32_t)cols[j].kind ||
            (kind == TUNE_COL_CATEGORICAL && c->n_levels != cols[j].n_levels) ||
            (kind == TUNE_COL_NUMERIC && c->n_levels != 0)) {
            rc = tune_model_reader_fail(r, "column '%s' is %s with %zu levels in the "
                                        "preprocessing, %s with %zu in the model",
                                        cols[j].name, kind ? "text" : "numeric", c->n_levels,
                                        cols[j].kind ? "text" : "numeric", cols[j].n_levels);
            goto fail;
        }
        int finite = isfinite(c->fill) && isfinite(c->center) && isfinite(c->scale) &&
                     c->scale != 0;
        if (kind == TUNE_COL_CATEGORICAL)
            finite = finite && c->center == 0 && c->scale == 1 &&
                     (c->n_levels == 0 ? c->fill == 0
                                       : c->fill >= 0 && c->fill < (double)c->n_levels &&
                                             c->fill == floor(c->fill));
        if (!finite) {
            rc = tune_model_reader_fail(r, "column '%s': imputation %g, centre %g, scale %g",
                                        cols[j].name, c->fill, c->center, c->scale);
            goto fail;
        }
        c->width = 1;
        if (kind != TUNE_COL_CATEGORICAL || !one_hot)
            continue;
        c->slot = next_slot;
        next_slot += c->n_levels;
        c->width = 0;
        for (size_t l = 0; l < c->n_levels; l++) {
            uint64_t s;
            if ((rc = tune_model_get_u64(r, &s)))
                goto fail;
            if (s != NO_SLOT && s != c->width) {
                rc = tune_model_reader_fail(r, "column '%s': level %zu has one-hot slot %llu, "
                                            "expected %zu", cols[j].name, l,
                                            (unsigned long long)s, c->width);
                goto fail;
            }
            c->slot[l] = s == NO_SLOT ? -1 : (long)c->width++;
        }
    }
    /* the output layout, as tune_prep_fit makes it */
    size_t o = 0;
    for (size_t j = 0; j < n_in; j++)
        if (p->cols[j].kind != TUNE_COL_CATEGORICAL)
            p->cols[j].out = o++;
    for (size_t j = 0; j < n_in; j++)
        if (p->cols[j].kind == TUNE_COL_CATEGORICAL) {
            p->cols[j].out = o;
            o += p->cols[j].width;
        }
    p->n_out = o;
    *out = p;
    return TUNE_OK;
fail:
    tune_prep_free(p);
    return rc;
}
