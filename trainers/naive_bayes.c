/* SPDX-License-Identifier: GPL-3.0-or-later */
/* naive_bayes.c — the built-in `naive_bayes` trainer: Gaussian naive Bayes,
 * the model scikit-learn 1.2's GaussianNB fits.
 *
 * Model.  Each class c present in the training rows gets a prior p_c, and per
 * feature j a mean theta_cj and a variance s_cj (population variance of the
 * class's rows, two passes: mean, then mean squared deviation) plus
 * epsilon = var_smoothing * max_j var(X_j), the largest feature variance over
 * all training rows — scikit-learn's smoothing, which keeps every variance
 * positive.  A row's joint log-likelihood is
 *     jll_c = log p_c - 0.5 sum_j [log(2 pi s_cj) + (x_j - theta_cj)^2 / s_cj]
 * and the predicted probabilities are softmax(jll) over the present classes
 * (log-sum-exp), the label its first maximum; a class absent from training
 * gets probability 0, as in the logistic trainer.
 *
 * Priors.  "empirical": class frequencies of the training rows (GaussianNB's
 * default); "uniform": 1 / (classes present), GaussianNB(priors=[1/k]*k).
 *
 * Degenerate features.  A feature constant over the training rows adds the
 * same term to every class (its mean is that constant in every class and its
 * variance epsilon), so it is left out: the probabilities are GaussianNB's,
 * without its overflow when a new row differs from the constant.  With
 * var_smoothing 0 a class whose rows share one value of a varying feature has
 * a zero variance, floored at DBL_MIN (a near point mass).  If every class
 * then has log-likelihood -inf, the row gets the priors.
 *
 * One pass over the data per statistic; no threads.  The model is a plain
 * struct freed by free_model. */
#include "tunefold/trainer.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { HP_VAR_SMOOTHING, HP_PRIORS, HP_COUNT };
enum { PRIORS_EMPIRICAL = 0, PRIORS_UNIFORM = 1 };

static const char *const priors_choices[] = {"empirical", "uniform", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_VAR_SMOOTHING] = {"var_smoothing", TUNE_PARAM_FLOAT, 1e-9, 0, INFINITY, NULL,
                          "share of the largest feature variance added to every variance"},
    [HP_PRIORS] = {"priors", TUNE_PARAM_CATEGORICAL, PRIORS_EMPIRICAL, 0, 1, priors_choices,
                   "class priors: empirical (training frequencies) or uniform"},
};

struct nb_model {
    size_t d;           /* input columns */
    size_t n_classes;   /* class codes 0..n_classes-1 */
    size_t n_present;
    size_t *code;       /* n_present class codes, ascending */
    size_t n_used;      /* features not constant in training */
    size_t *used;       /* their column indices */
    double *theta;      /* n_present x n_used means */
    double *inv_var;    /* n_present x n_used: 1 / s_cj */
    double *base;       /* n_present: log p_c - 0.5 sum_j log(2 pi s_cj) */
    double *prior;      /* n_present: p_c */
};

#define TWO_PI 6.283185307179586476925286766559

static void free_model(void *model)
{
    struct nb_model *m = model;
    if (!m)
        return;
    free(m->code);
    free(m->used);
    free(m->theta);
    free(m->inv_var);
    free(m->base);
    free(m->prior);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("naive_bayes", hparams, HP_COUNT, params, err);
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k_all = ctx->n_classes;
    struct nb_model *m = NULL;
    size_t *count = NULL, *index = NULL;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    if ((rc = tune_trainer_check_data("naive_bayes", tune_trainer_naive_bayes.tasks, x, y, ctx,
                                      err)))
        return rc;

    double smoothing = params->values[HP_VAR_SMOOTHING];
    int uniform = (int)params->values[HP_PRIORS] == PRIORS_UNIFORM;

    count = calloc(k_all, sizeof *count);
    index = malloc(k_all * sizeof *index);
    m = calloc(1, sizeof *m);
    if (!count || !index || !m)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        count[(size_t)y[i]]++;
    for (size_t k = 0; k < k_all; k++)
        if (count[k])
            index[k] = m->n_present++;
    size_t kp = m->n_present;
    m->d = d;
    m->n_classes = k_all;
    m->code = malloc(kp * sizeof *m->code);
    m->used = malloc((d + 1) * sizeof *m->used);
    m->base = calloc(kp, sizeof *m->base);
    m->prior = calloc(kp, sizeof *m->prior);
    m->theta = calloc(kp * d + 1, sizeof *m->theta);
    m->inv_var = calloc(kp * d + 1, sizeof *m->inv_var);
    if (!m->code || !m->used || !m->base || !m->prior || !m->theta || !m->inv_var)
        goto nomem;
    for (size_t k = 0; k < k_all; k++)
        if (count[k])
            m->code[index[k]] = k;

    /* epsilon from the variance of every column; constant columns dropped. */
    double max_var = 0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        double mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += col[i];
        mean /= (double)n;
        int constant = 1;
        for (size_t i = 0; i < n; i++) {
            var += (col[i] - mean) * (col[i] - mean);
            constant &= col[i] == col[0];
        }
        max_var = fmax(max_var, var / (double)n);
        if (!constant)
            m->used[m->n_used++] = j;
    }
    double epsilon = smoothing * max_var;

    /* Per class and feature: mean, then mean squared deviation (theta holds
     * sums first, inv_var squared deviations). */
    size_t nu = m->n_used;
    for (size_t u = 0; u < nu; u++) {
        const double *col = x->data + m->used[u] * n;
        for (size_t i = 0; i < n; i++)
            m->theta[index[(size_t)y[i]] * nu + u] += col[i];
        for (size_t c = 0; c < kp; c++)
            m->theta[c * nu + u] /= (double)count[m->code[c]];
        for (size_t i = 0; i < n; i++) {
            size_t c = index[(size_t)y[i]];
            double dv = col[i] - m->theta[c * nu + u];
            m->inv_var[c * nu + u] += dv * dv;
        }
    }
    for (size_t c = 0; c < kp; c++) {
        double prior = uniform ? 1.0 / (double)kp : (double)count[m->code[c]] / (double)n;
        m->prior[c] = prior;
        double b = log(prior);
        for (size_t u = 0; u < nu; u++) {
            double s = m->inv_var[c * nu + u] / (double)count[m->code[c]] + epsilon;
            if (!(s >= DBL_MIN))
                s = DBL_MIN;
            b -= 0.5 * log(TWO_PI * s);
            m->inv_var[c * nu + u] = 1.0 / s;
        }
        m->base[c] = b;
    }
    free(count);
    free(index);
    *model = m;
    return TUNE_OK;

nomem:
    free(count);
    free(index);
    free_model(m);
    return tune_error_set(err, TUNE_ENOMEM, "naive_bayes: out of memory (%zu rows, %zu columns)",
                          n, d);
}

static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct nb_model *m = model;
    size_t n = x->n_rows, kp = m->n_present, k_all = m->n_classes, nu = m->n_used;
    if (x->n_cols != m->d)
        return tune_error_set(err, TUNE_EINVAL,
                              "naive_bayes: %zu columns to predict, model has %zu", x->n_cols,
                              m->d);
    if (out->n != n || out->n_classes != k_all || !out->label)
        return tune_error_set(err, TUNE_EINVAL,
                              "naive_bayes: predictions sized for %zu rows of %zu classes, "
                              "need %zu rows of %zu", out->n, out->n_classes, n, k_all);
    double *jll = malloc((kp * n + 1) * sizeof *jll);
    if (!jll)
        return tune_error_set(err, TUNE_ENOMEM, "naive_bayes: out of memory (%zu rows)", n);
    /* Column by column, so the column-major x streams once per class. */
    for (size_t c = 0; c < kp; c++) {
        double *z = jll + c * n;
        for (size_t i = 0; i < n; i++)
            z[i] = 0;
        for (size_t u = 0; u < nu; u++) {
            const double *col = x->data + m->used[u] * n;
            double t = m->theta[c * nu + u], iv = m->inv_var[c * nu + u];
            for (size_t i = 0; i < n; i++) {
                double dv = col[i] - t;
                z[i] += dv * dv * iv;
            }
        }
        for (size_t i = 0; i < n; i++)
            z[i] = m->base[c] - 0.5 * z[i];
    }
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        double zmax = jll[i];
        for (size_t c = 1; c < kp; c++)
            if (jll[c * n + i] > zmax) {
                zmax = jll[c * n + i];
                best = c;
            }
        /* Every class impossible (zero variances): fall back on the priors. */
        int impossible = !(zmax > -INFINITY);
        for (size_t c = 1; impossible && c < kp; c++)
            if (m->prior[c] > m->prior[best])
                best = c;
        out->label[i] = (int)m->code[best];
        if (!out->proba)
            continue;
        double *pr = out->proba + i * k_all;
        for (size_t k = 0; k < k_all; k++)
            pr[k] = 0;
        if (impossible) {
            for (size_t c = 0; c < kp; c++)
                pr[m->code[c]] = m->prior[c];
            continue;
        }
        double sum = 0;
        for (size_t c = 0; c < kp; c++)
            sum += exp(jll[c * n + i] - zmax);
        double lse = zmax + log(sum);
        for (size_t c = 0; c < kp; c++)
            pr[m->code[c]] = exp(jll[c * n + i] - lse);
    }
    free(jll);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define NB_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct nb_model *m = model;
    size_t kp = m->n_present, nu = m->n_used;
    int rc;
    if ((rc = tune_model_put_u32(w, NB_MODEL_VERSION)) || (rc = tune_model_put_u64(w, m->d)) ||
        (rc = tune_model_put_u64(w, m->n_classes)) || (rc = tune_model_put_u64(w, kp)) ||
        (rc = tune_model_put_u64(w, nu)))
        return rc;
    for (size_t c = 0; c < kp; c++)
        if ((rc = tune_model_put_u64(w, m->code[c])))
            return rc;
    for (size_t u = 0; u < nu; u++)
        if ((rc = tune_model_put_u64(w, m->used[u])))
            return rc;
    if ((rc = tune_model_put_f64s(w, m->theta, kp * nu)) ||
        (rc = tune_model_put_f64s(w, m->inv_var, kp * nu)) ||
        (rc = tune_model_put_f64s(w, m->base, kp)))
        return rc;
    return tune_model_put_f64s(w, m->prior, kp);
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != NB_MODEL_VERSION)
        return tune_model_reader_fail(r, "naive_bayes model version %u is not %d (written by a "
                                      "newer tunefold?)", version, NB_MODEL_VERSION);
    struct nb_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "naive_bayes: out of memory");
    if ((rc = tune_model_get_size(r, "columns", UINT32_MAX, 0, &m->d)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &m->n_classes)) ||
        (rc = tune_model_get_size(r, "classes present", m->n_classes, 24, &m->n_present)) ||
        (rc = tune_model_get_size(r, "columns used", m->d, 8, &m->n_used)))
        goto fail;
    size_t kp = m->n_present, nu = m->n_used;
    if (m->n_classes < 2 || kp < 1) {
        rc = tune_model_reader_fail(r, "%zu classes, %zu present", m->n_classes, kp);
        goto fail;
    }
    m->code = malloc(kp * sizeof *m->code);
    m->used = malloc((nu + 1) * sizeof *m->used);
    if (!m->code || !m->used) {
        rc = tune_error_set(err, TUNE_ENOMEM, "naive_bayes: out of memory");
        goto fail;
    }
    for (size_t c = 0; c < kp; c++) {
        uint64_t v;
        if ((rc = tune_model_get_u64(r, &v)))
            goto fail;
        if (v >= m->n_classes || (c > 0 && v <= m->code[c - 1])) {
            rc = tune_model_reader_fail(r, "class code %llu out of order or range",
                                        (unsigned long long)v);
            goto fail;
        }
        m->code[c] = (size_t)v;
    }
    for (size_t u = 0; u < nu; u++) {
        uint64_t v;
        if ((rc = tune_model_get_u64(r, &v)))
            goto fail;
        if (v >= m->d) {
            rc = tune_model_reader_fail(r, "column %llu of %zu", (unsigned long long)v, m->d);
            goto fail;
        }
        m->used[u] = (size_t)v;
    }
    if (nu > 0 && kp > tune_model_reader_left(r) / 16 / nu) {
        rc = tune_model_reader_fail(r, "%zu x %zu means, %zu bytes left", kp, nu,
                                    tune_model_reader_left(r));
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, kp * nu, &m->theta)) ||
        (rc = tune_model_get_f64_array(r, kp * nu, &m->inv_var)) ||
        (rc = tune_model_get_f64_array(r, kp, &m->base)) ||
        (rc = tune_model_get_f64_array(r, kp, &m->prior)))
        goto fail;
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_naive_bayes = {
    .version = 2,
    .name = "naive_bayes",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = NULL,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .save = save,
    .load = load,
    .flags = TUNE_TRAINER_PREDICT_PARALLEL | TUNE_TRAINER_FIT_PARALLEL,
};
