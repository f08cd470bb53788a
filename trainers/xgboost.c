/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xgboost.c — the `xgboost` trainer: gradient-boosted trees from XGBoost 1.7
 * (Chen & Guestrin, "XGBoost: A Scalable Tree Boosting System", KDD 2016;
 * Debian's libxgboost-dev), through its C API (xgboost/c_api.h), in process.
 *
 * Objectives by task: binary:logistic, multi:softprob (num_class = the
 * task's classes), reg:squarederror — what the Python package's
 * XGBClassifier and XGBRegressor use.  Hyperparameters keep the Python
 * package's names and XGBoost's defaults and pass straight through
 * (learning_rate is eta, reg_lambda lambda, reg_alpha alpha, n_threads
 * nthread); each is first checked against its declared range.  What XGBoost
 * still refuses (a matrix without columns, a setting it rejects when it
 * configures the booster) comes back with XGBoost's own words
 * (XGBGetLastError, without its time stamp, source line and stack trace):
 * TUNE_EINVAL naming the hyperparameter when the message names one, else
 * TUNE_ETRAINER.  tree_method defaults to hist (XGBoost 1.7's "auto" picks
 * exact or approx by size).
 *
 * Data, as the Python package hands a numpy array over.  For hist (the
 * default) a QuantileDMatrix: XGBoost bins the study's column-major doubles
 * read in place (an __array_interface__ with strides (8, 8 n), through a
 * one-batch iterator), so neither side makes a copy of the values, only
 * XGBoost's one-byte bin index; a validation fold shares the training
 * fold's bins.  For approx and exact a DMatrix, which XGBoost always fills
 * with its own float32 pages: from a float32 row-major block made for it
 * and freed at once, the fastest of the ways measured (in place by strides
 * 0.09 s, a float32 copy 0.03 s, a double row-major copy 0.10 s for
 * 100,000 x 20: bench/RESULTS_libtrainers.md).  Labels go in by their
 * array interface (XGDMatrixSetInfoFromInterface).  Prediction is in place
 * too (XGBoosterPredictFromDense over the strided doubles), no DMatrix.
 *
 * Intermediate values: with a validation fold in the fit context, XGBoost's
 * default metric of the objective on it (logloss, mlogloss, rmse: lower is
 * better), read from the line XGBoosterEvalOneIter prints (the text the
 * Python package's evals_result parses, so the two agree exactly), after
 * every round when n_estimators <= 100, else every ceil(n_estimators / 100)
 * rounds, and after the last.  A non-zero return from report stops the fit
 * with the rounds so far; the cancel flag, checked every round, fails it.
 *
 * Importances: XGBoost's "gain" (the mean gain of a feature's splits, the
 * Python package's feature_importances_), normalised to sum 1.
 *
 * Threads: n_threads (0: the study's share of the cores, ctx->n_threads)
 * for building the matrix, training and prediction.  Seeds: the trial's
 * seed, folded to 31 bits, is XGBoost's `seed` (row and column sampling).
 * Printing: XGBoost's verbosity is set to 0 (a thread-local global of
 * XGBoost's), so warnings never reach the terminal. */
#include "tunefold/trainer.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

enum {
    HP_N_ESTIMATORS, HP_LEARNING_RATE, HP_MAX_DEPTH, HP_MAX_LEAVES, HP_GROW_POLICY,
    HP_MIN_CHILD_WEIGHT, HP_SUBSAMPLE, HP_COLSAMPLE_BYTREE, HP_REG_LAMBDA, HP_REG_ALPHA,
    HP_GAMMA, HP_MAX_BIN, HP_TREE_METHOD, HP_N_THREADS, HP_COUNT
};

static const char *const grow_policy_choices[] = {"depthwise", "lossguide", NULL};
static const char *const tree_method_choices[] = {"hist", "approx", "exact", NULL};
enum { TREE_HIST, TREE_APPROX, TREE_EXACT };

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_N_ESTIMATORS] = {"n_estimators", TUNE_PARAM_INT, 100, 1, 100000, NULL,
                         "boosting rounds"},
    [HP_LEARNING_RATE] = {"learning_rate", TUNE_PARAM_FLOAT, 0.3, 0.0, 1.0, NULL,
                          "shrinkage of every leaf value (eta)"},
    [HP_MAX_DEPTH] = {"max_depth", TUNE_PARAM_INT, 6, 0, 64, NULL,
                      "maximum depth of a tree; 0: unlimited (lossguide only)"},
    [HP_MAX_LEAVES] = {"max_leaves", TUNE_PARAM_INT, 0, 0, 1 << 20, NULL,
                       "maximum leaves of a tree; 0: unlimited"},
    [HP_GROW_POLICY] = {"grow_policy", TUNE_PARAM_CATEGORICAL, 0, 0, 1, grow_policy_choices,
                        "depthwise: split the nodes closest to the root; lossguide: the "
                        "largest loss reduction next (hist and approx)"},
    [HP_MIN_CHILD_WEIGHT] = {"min_child_weight", TUNE_PARAM_FLOAT, 1.0, 0.0, 1e12, NULL,
                             "minimum hessian sum in each child of a split"},
    [HP_SUBSAMPLE] = {"subsample", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0, NULL,
                      "share of the rows drawn for each tree"},
    [HP_COLSAMPLE_BYTREE] = {"colsample_bytree", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0, NULL,
                             "share of the columns drawn for each tree"},
    [HP_REG_LAMBDA] = {"reg_lambda", TUNE_PARAM_FLOAT, 1.0, 0.0, 1e12, NULL,
                       "L2 penalty on leaf values (lambda)"},
    [HP_REG_ALPHA] = {"reg_alpha", TUNE_PARAM_FLOAT, 0.0, 0.0, 1e12, NULL,
                      "L1 penalty on leaf values (alpha)"},
    [HP_GAMMA] = {"gamma", TUNE_PARAM_FLOAT, 0.0, 0.0, 1e12, NULL,
                  "minimum loss reduction of a split (min_split_loss)"},
    [HP_MAX_BIN] = {"max_bin", TUNE_PARAM_INT, 256, 2, 65536, NULL,
                    "histogram bins per column (hist, approx)"},
    [HP_TREE_METHOD] = {"tree_method", TUNE_PARAM_CATEGORICAL, 0, 0, 2, tree_method_choices,
                        "split finding: hist (binned), approx (binned per round), exact"},
    [HP_N_THREADS] = {"n_threads", TUNE_PARAM_INT, 0, 0, 4096, NULL,
                      "XGBoost's threads (nthread); 0: the study's share of the cores"},
};

/* XGBoost's name of each hyperparameter it receives (NULL: not a booster
 * parameter), to name ours in XGBoost's error messages. */
static const char *const xgb_name[HP_COUNT] = {
    [HP_N_ESTIMATORS] = NULL,          [HP_LEARNING_RATE] = "eta",
    [HP_MAX_DEPTH] = "max_depth",      [HP_MAX_LEAVES] = "max_leaves",
    [HP_GROW_POLICY] = "grow_policy",  [HP_MIN_CHILD_WEIGHT] = "min_child_weight",
    [HP_SUBSAMPLE] = "subsample",      [HP_COLSAMPLE_BYTREE] = "colsample_bytree",
    [HP_REG_LAMBDA] = "lambda",        [HP_REG_ALPHA] = "alpha",
    [HP_GAMMA] = "gamma",              [HP_MAX_BIN] = "max_bin",
    [HP_TREE_METHOD] = "tree_method",  [HP_N_THREADS] = "nthread",
};

struct xgb_fit {
    BoosterHandle booster;
    size_t d, k;                 /* columns; classes (0: regression) */
    enum tune_task task;
};

static void free_model(void *model)
{
    struct xgb_fit *m = model;
    if (!m)
        return;
    if (m->booster)
        XGBoosterFree(m->booster);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("xgboost", hparams, HP_COUNT, params, err);
}

/* XGBGetLastError() without its "[hh:mm:ss] /path/file.cc:line: " prefix
 * and without the stack trace that may follow, into buf. */
static const char *last_error(char *buf, size_t len)
{
    const char *msg = XGBGetLastError();
    if (!msg || !*msg)
        msg = "unknown error";
    const char *p = msg;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        const char *colon = close ? strstr(close, ": ") : NULL;
        if (colon)
            p = colon + 2;
    }
    size_t n = strcspn(p, "\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
        n--;
    snprintf(buf, len, "%.*s", (int)n, p);
    return buf;
}

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Whether `word` occurs in msg as a whole word ("eta" is not in "meta"). */
static int has_word(const char *msg, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = strstr(msg, word); p; p = strstr(p + 1, word))
        if ((p == msg || !is_word_char(p[-1])) && !is_word_char(p[len]))
            return 1;
    return 0;
}

/* The hyperparameter that an XGBoost message names (by XGBoost's name or
 * ours), or NULL. */
static const char *param_in_message(const char *msg)
{
    for (size_t i = 0; i < HP_COUNT; i++)
        if ((xgb_name[i] && has_word(msg, xgb_name[i])) || has_word(msg, hparams[i].name))
            return hparams[i].name;
    return NULL;
}

/* A failed XGBoost call: TUNE_EINVAL naming the hyperparameter when the
 * message names one (a refused configuration), else TUNE_ETRAINER. */
static int xgb_error(struct tune_error *err, const char *what)
{
    char msg[400];
    last_error(msg, sizeof msg);
    const char *param = param_in_message(msg);
    if (param)
        return tune_error_set(err, TUNE_EINVAL, "xgboost: %s: %s (XGBoost, %s)", param, msg,
                              what);
    return tune_error_set(err, TUNE_ETRAINER, "xgboost: %s: %s", what, msg);
}

/* The __array_interface__ of a column-major n x d double matrix. */
static void matrix_interface(const struct tune_matrix *x, char *buf, size_t len)
{
    snprintf(buf, len,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %zu], \"strides\": [%zu, %zu], "
             "\"typestr\": \"<f8\", \"version\": 3}",
             (uintptr_t)x->data, x->n_rows, x->n_cols, sizeof(double),
             sizeof(double) * x->n_rows);
}

static void vector_interface(const double *y, size_t n, char *buf, size_t len)
{
    snprintf(buf, len,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu], \"typestr\": \"<f8\", "
             "\"version\": 3}",
             (uintptr_t)y, n);
}

/* Rows of the column-major x as a float32 row-major block (XGBoost keeps
 * float32 values, so the conversion is the one it would make), in blocks
 * of rows so that the columns read stay in cache.  Caller frees. */
static float *rowmajor_f32(const struct tune_matrix *x)
{
    size_t n = x->n_rows, d = x->n_cols;
    float *rm = malloc((n * d + 1) * sizeof *rm);
    if (!rm)
        return NULL;
    for (size_t i0 = 0; i0 < n; i0 += 64) {
        size_t i1 = i0 + 64 < n ? i0 + 64 : n;
        for (size_t j = 0; j < d; j++) {
            const double *col = x->data + j * n;
            for (size_t i = i0; i < i1; i++)
                rm[i * d + j] = (float)col[i];
        }
    }
    return rm;
}

/* A DMatrix (approx, exact): XGBoost copies the values into its own
 * float32 pages; from a float32 row-major block that is its fastest path
 * (bench/RESULTS_libtrainers.md), and the block is freed at once. */
static int make_dmatrix(const struct tune_matrix *x, const double *y, size_t threads,
                        DMatrixHandle *out, struct tune_error *err)
{
    float *rm = rowmajor_f32(x);
    if (!rm)
        return tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory (%zu rows, %zu columns)",
                              x->n_rows, x->n_cols);
    int bad = XGDMatrixCreateFromMat_omp(rm, x->n_rows, x->n_cols, NAN, out, (int)threads);
    free(rm);
    if (bad)
        return xgb_error(err, "building the matrix");
    char ai[256];
    vector_interface(y, x->n_rows, ai, sizeof ai);
    if (XGDMatrixSetInfoFromInterface(*out, "label", ai)) {
        int rc = xgb_error(err, "setting the labels");
        XGDMatrixFree(*out);
        *out = NULL;
        return rc;
    }
    return TUNE_OK;
}

/* The one-batch iterator a QuantileDMatrix is built from: XGBoost calls
 * next (twice over, with a reset between: sketch, then bin index), which
 * hands it the matrix in place through the proxy.  The labels go to the
 * built matrix, not the proxy: a proxy has no thread setting, and setting
 * its labels starts OpenMP's default number of threads. */
struct one_batch {
    DMatrixHandle proxy;
    const char *data;
    int done, failed;
};

static int one_batch_next(DataIterHandle handle)
{
    struct one_batch *it = handle;
    if (it->done)
        return 0;
    it->done = 1;
    if (XGProxyDMatrixSetDataDense(it->proxy, it->data)) {
        it->failed = 1;
        return 0;
    }
    return 1;
}

static void one_batch_reset(DataIterHandle handle)
{
    ((struct one_batch *)handle)->done = 0;
}

/* A QuantileDMatrix (hist), what the Python package builds for hist: the
 * values binned straight from the study's doubles, read in place by
 * strides, without the float32 pages of a DMatrix.  ref: the training
 * matrix whose bins a validation matrix shares, or NULL. */
static int make_quantile(const struct tune_matrix *x, const double *y, size_t threads,
                         size_t max_bin, DMatrixHandle ref, DMatrixHandle *out,
                         struct tune_error *err)
{
    char ai[256], yi[160], config[128];
    matrix_interface(x, ai, sizeof ai);
    vector_interface(y, x->n_rows, yi, sizeof yi);
    snprintf(config, sizeof config, "{\"missing\": NaN, \"nthread\": %zu, \"max_bin\": %zu}",
             threads, max_bin);
    struct one_batch it = {NULL, ai, 0, 0};
    if (XGProxyDMatrixCreate(&it.proxy))
        return xgb_error(err, "building the matrix");
    *out = NULL;
    int bad = XGQuantileDMatrixCreateFromCallback(&it, it.proxy, ref, one_batch_reset,
                                                  one_batch_next, config, out);
    int rc = bad || it.failed ? xgb_error(err, "building the matrix") : TUNE_OK;
    XGDMatrixFree(it.proxy);
    if (!rc && XGDMatrixSetInfoFromInterface(*out, "label", yi))
        rc = xgb_error(err, "setting the labels");
    if (rc && *out) {
        XGDMatrixFree(*out);
        *out = NULL;
    }
    return rc;
}

static int set_param(BoosterHandle b, const char *name, const char *value,
                     struct tune_error *err)
{
    if (XGBoosterSetParam(b, name, value) == 0)
        return TUNE_OK;
    char what[96];
    snprintf(what, sizeof what, "setting %s", name);
    return xgb_error(err, what);
}

static int set_params(BoosterHandle b, const double *v, const struct tune_fit_ctx *ctx,
                      size_t threads, struct tune_error *err)
{
    char buf[64];
    int rc;
    if ((rc = set_param(b, "verbosity", "0", err)))
        return rc;
    if (ctx->task == TUNE_TASK_REGRESSION) {
        rc = set_param(b, "objective", "reg:squarederror", err);
    } else if (ctx->task == TUNE_TASK_BINARY) {
        rc = set_param(b, "objective", "binary:logistic", err);
    } else {
        snprintf(buf, sizeof buf, "%zu", ctx->n_classes);
        if (!(rc = set_param(b, "objective", "multi:softprob", err)))
            rc = set_param(b, "num_class", buf, err);
    }
    if (rc)
        return rc;
    for (size_t i = 0; i < HP_COUNT; i++) {
        if (!xgb_name[i] || i == HP_N_THREADS)
            continue;
        if (hparams[i].type == TUNE_PARAM_CATEGORICAL)
            snprintf(buf, sizeof buf, "%s", hparams[i].choices[(size_t)v[i]]);
        else
            snprintf(buf, sizeof buf, "%.17g", v[i]);
        if ((rc = set_param(b, xgb_name[i], buf, err)))
            return rc;
    }
    snprintf(buf, sizeof buf, "%zu", threads);
    if ((rc = set_param(b, "nthread", buf, err)))
        return rc;
    snprintf(buf, sizeof buf, "%" PRIu64, (ctx->seed ^ (ctx->seed >> 32)) & 0x7fffffffu);
    return set_param(b, "seed", buf, err);
}

/* The value after the last ':' of XGBoosterEvalOneIter's line
 * "[i]\tvalid-logloss:0.123". */
static double eval_value(const char *line)
{
    const char *colon = line ? strrchr(line, ':') : NULL;
    return colon ? strtod(colon + 1, NULL) : NAN;
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    struct xgb_fit *m = NULL;
    DMatrixHandle dtrain = NULL, dvalid = NULL;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)))
        return rc;
    if ((rc = tune_trainer_check_data("xgboost", tune_trainer_xgboost.tasks, x, y, ctx, err)))
        return rc;
    const double *v = params->values;
    size_t rounds = (size_t)v[HP_N_ESTIMATORS];
    size_t threads = v[HP_N_THREADS] >= 1 ? (size_t)v[HP_N_THREADS]
                     : ctx->n_threads > 0 ? ctx->n_threads : 1;
    const struct tune_matrix *xv = ctx->x_valid;
    int validate = ctx->report && xv && ctx->y_valid && xv->n_cols == x->n_cols &&
                   xv->n_rows > 0;
    size_t every = rounds <= 100 ? 1 : (rounds + 99) / 100;

    /* XGBoost's global verbosity (thread-local in XGBoost): no warnings
     * printed, whatever the booster's configuration says later. */
    XGBSetGlobalConfig("{\"verbosity\": 0}");
    m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory");
    m->d = x->n_cols;
    m->task = ctx->task;
    m->k = ctx->task == TUNE_TASK_REGRESSION ? 0 : ctx->n_classes;
    if ((int)v[HP_TREE_METHOD] == TREE_HIST) {
        size_t max_bin = (size_t)v[HP_MAX_BIN];
        if ((rc = make_quantile(x, y, threads, max_bin, NULL, &dtrain, err)))
            goto fail;
        if (validate &&
            (rc = make_quantile(xv, ctx->y_valid, threads, max_bin, dtrain, &dvalid, err)))
            goto fail;
    } else {
        if ((rc = make_dmatrix(x, y, threads, &dtrain, err)))
            goto fail;
        if (validate && (rc = make_dmatrix(xv, ctx->y_valid, threads, &dvalid, err)))
            goto fail;
    }
    DMatrixHandle cache[2] = {dtrain, dvalid};
    if (XGBoosterCreate(cache, validate ? 2 : 1, &m->booster)) {
        rc = xgb_error(err, "creating the booster");
        goto fail;
    }
    if ((rc = set_params(m->booster, v, ctx, threads, err)))
        goto fail;
    for (size_t r = 0; r < rounds; r++) {
        if (ctx->cancel && *ctx->cancel) {
            rc = tune_error_set(err, TUNE_ETRAINER, "xgboost: interrupted after %zu rounds", r);
            goto fail;
        }
        if (XGBoosterUpdateOneIter(m->booster, (int)r, dtrain)) {
            rc = xgb_error(err, r == 0 ? "configuring the booster" : "boosting");
            goto fail;
        }
        size_t done = r + 1;
        if (validate && (done % every == 0 || done == rounds)) {
            const char *names[1] = {"valid"};
            const char *line = NULL;
            if (XGBoosterEvalOneIter(m->booster, (int)r, &dvalid, names, 1, &line)) {
                rc = xgb_error(err, "evaluating the validation fold");
                goto fail;
            }
            if (ctx->report(ctx->report_arg, done, eval_value(line)))
                break;
        }
    }
    XGDMatrixFree(dtrain);
    if (dvalid)
        XGDMatrixFree(dvalid);
    *model = m;
    return TUNE_OK;
fail:
    if (dtrain)
        XGDMatrixFree(dtrain);
    if (dvalid)
        XGDMatrixFree(dvalid);
    free_model(m);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct xgb_fit *m = model;
    size_t n = x->n_rows, k = m->k;
    int regression = m->task == TUNE_TASK_REGRESSION;
    if (x->n_cols != m->d)
        return tune_error_set(err, TUNE_EINVAL, "xgboost: %zu columns to predict, model has %zu",
                              x->n_cols, m->d);
    if (out->n != n || (!regression && (out->n_classes != k || !out->label)) ||
        (regression && !out->value))
        return tune_error_set(err, TUNE_EINVAL, "xgboost: predictions sized for %zu rows of %zu "
                              "classes, need %zu rows of %zu", out->n, out->n_classes, n, k);
    if (n == 0)
        return TUNE_OK;
    char ai[256];
    matrix_interface(x, ai, sizeof ai);
    static const char config[] = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
                                 "\"iteration_end\": 0, \"strict_shape\": false, "
                                 "\"missing\": NaN, \"cache_id\": 0}";
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *res = NULL;
    if (XGBoosterPredictFromDense(m->booster, ai, config, NULL, &shape, &dim, &res))
        return xgb_error(err, "predicting");
    size_t per_row = m->task == TUNE_TASK_MULTICLASS ? k : 1;
    size_t total = 1;
    for (bst_ulong i = 0; i < dim; i++)
        total *= (size_t)shape[i];
    if (total != n * per_row)
        return tune_error_set(err, TUNE_ETRAINER, "xgboost: %zu predictions for %zu rows of %zu",
                              total, n, per_row);
    for (size_t i = 0; i < n; i++) {
        if (regression) {
            out->value[i] = res[i];
        } else if (m->task == TUNE_TASK_BINARY) {
            /* XGBClassifier.predict: class 1 when its probability > 0.5. */
            double p = res[i];
            out->label[i] = p > 0.5;
            if (out->proba) {
                out->proba[2 * i] = 1.0 - p;
                out->proba[2 * i + 1] = p;
            }
        } else {
            const float *r = res + i * k;
            size_t best = 0;
            for (size_t c = 1; c < k; c++)
                if (r[c] > r[best])
                    best = c;
            out->label[i] = (int)best;
            for (size_t c = 0; out->proba && c < k; c++)
                out->proba[i * k + c] = r[c];
        }
    }
    return TUNE_OK;
}

static int importances(const void *model, double *out, size_t n_features, struct tune_error *err)
{
    const struct xgb_fit *m = model;
    if (n_features != m->d)
        return tune_error_set(err, TUNE_EINVAL, "xgboost: %zu importances asked, model has %zu "
                              "columns", n_features, m->d);
    bst_ulong n_names = 0, dim = 0;
    const char **names = NULL;
    const bst_ulong *shape = NULL;
    const float *scores = NULL;
    if (XGBoosterFeatureScore(m->booster, "{\"importance_type\": \"gain\"}", &n_names, &names,
                              &dim, &shape, &scores))
        return xgb_error(err, "feature importances");
    for (size_t j = 0; j < n_features; j++)
        out[j] = 0;
    double sum = 0;
    for (bst_ulong i = 0; i < n_names; i++) {
        /* Without feature names XGBoost calls column j "fj". */
        char *end;
        unsigned long j = names[i][0] == 'f' ? strtoul(names[i] + 1, &end, 10) : ULONG_MAX;
        if (j < n_features && names[i][1] != '\0' && *end == '\0') {
            out[j] = scores[i];
            sum += scores[i];
        }
    }
    if (sum > 0)
        for (size_t j = 0; j < n_features; j++)
            out[j] /= sum;
    return TUNE_OK;
}


/* ---- saving and loading (trainer.h) ----
 *
 * XGBoost's own model bytes are not stored as they are: its loader trusts
 * them (a child or parent index out of range, a split on a column past the
 * end, reads out of bounds; XGBoost 1.7's RegTree::LoadModel checks array
 * sizes only).  So save asks XGBoost for the model as UBJSON (binary floats,
 * exact) and keeps the numbers prediction depends on: the base score (the
 * text XGBoost wrote), the tree of each output group (tree_info), and per
 * tree its nodes (children, split column, condition or leaf value, default
 * direction, and the statistics: base weight, loss change, hessian sum, for
 * importances).  Floats travel as their 32-bit patterns.  load checks every
 * index (children after their parent, each node reached once, columns
 * inside the model), requires finite values, then writes the model back as
 * XGBoost's JSON document (floats as %.9e: 10 significant digits, which read
 * back to the same float) and hands that to XGBoosterLoadModelFromBuffer.
 * The objective follows from the task, as in fit. */

#define XGB_MODEL_VERSION 1
#define XGB_MAX_CLASSES 65535
#define XGB_MAX_TREES (1u << 24)
#define XGB_MAX_NODES (1u << 30)

/* A cursor over UBJSON bytes (what XGBoost 1.7 writes; big-endian). */
struct ub {
    const unsigned char *p, *end;
};

static size_t ub_elem_size(unsigned char t)
{
    switch (t) {
    case 'i': case 'U': case 'C': return 1;
    case 'I': return 2;
    case 'l': case 'd': return 4;
    case 'L': case 'D': return 8;
    default: return 0;
    }
}

/* The integer of marker t at u->p. */
static int ub_int_of(struct ub *u, unsigned char t, int64_t *v)
{
    size_t size = ub_elem_size(t);
    if (!size || t == 'd' || t == 'D' || (size_t)(u->end - u->p) < size)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < size; i++)
        x = x << 8 | u->p[i];
    u->p += size;
    if (t == 'U' || t == 'C')
        *v = (int64_t)x;
    else if (size == 1)
        *v = (int8_t)x;
    else if (size == 2)
        *v = (int16_t)x;
    else if (size == 4)
        *v = (int32_t)x;
    else
        *v = (int64_t)x;
    return 0;
}

static int ub_len(struct ub *u, size_t *n)
{
    int64_t v;
    if (u->p >= u->end || ub_int_of(&(struct ub){u->p + 1, u->end}, *u->p, &v))
        return -1;
    unsigned char t = *u->p++;
    u->p += ub_elem_size(t);
    if (v < 0 || (uint64_t)v > (uint64_t)(u->end - u->p) * 8 + 8)
        return -1;
    *n = (size_t)v;
    return 0;
}

static int ub_skip_as(struct ub *u, unsigned char t, int depth);

static int ub_skip(struct ub *u, int depth)
{
    if (u->p >= u->end)
        return -1;
    unsigned char t = *u->p++;
    return ub_skip_as(u, t, depth);
}

static int ub_skip_as(struct ub *u, unsigned char t, int depth)
{
    size_t n, size = ub_elem_size(t);
    if (depth > 32)
        return -1;
    if (size) {
        if ((size_t)(u->end - u->p) < size)
            return -1;
        u->p += size;
        return 0;
    }
    switch (t) {
    case 'T': case 'F': case 'Z': case 'N':
        return 0;
    case 'S': case 'H':
        if (ub_len(u, &n) || (size_t)(u->end - u->p) < n)
            return -1;
        u->p += n;
        return 0;
    case '{':
        while (u->p < u->end && *u->p != '}') {
            if (ub_len(u, &n) || (size_t)(u->end - u->p) < n)
                return -1;
            u->p += n;
            if (ub_skip(u, depth + 1))
                return -1;
        }
        return u->p < u->end ? (u->p++, 0) : -1;
    case '[':
        if (u->p < u->end && *u->p == '$') {
            if (u->end - u->p < 3 || u->p[2] != '#')
                return -1;
            unsigned char et = u->p[1];
            u->p += 3;
            if (ub_len(u, &n))
                return -1;
            size_t es = ub_elem_size(et);
            if (es) {
                if (n > (size_t)(u->end - u->p) / es)
                    return -1;
                u->p += n * es;
                return 0;
            }
            for (size_t i = 0; i < n; i++)
                if (ub_skip_as(u, et, depth + 1))
                    return -1;
            return 0;
        }
        if (u->p < u->end && *u->p == '#') {
            u->p++;
            if (ub_len(u, &n))
                return -1;
            for (size_t i = 0; i < n; i++)
                if (ub_skip(u, depth + 1))
                    return -1;
            return 0;
        }
        while (u->p < u->end && *u->p != ']')
            if (ub_skip(u, depth + 1))
                return -1;
        return u->p < u->end ? (u->p++, 0) : -1;
    default:
        return -1;
    }
}

/* The value of member `key` of the object at obj.p, in *val. */
static int ub_get(struct ub obj, const char *key, struct ub *val)
{
    size_t klen = strlen(key), n;
    if (obj.p >= obj.end || *obj.p++ != '{')
        return -1;
    while (obj.p < obj.end && *obj.p != '}') {
        if (ub_len(&obj, &n) || (size_t)(obj.end - obj.p) < n)
            return -1;
        int match = n == klen && memcmp(obj.p, key, n) == 0;
        obj.p += n;
        if (match) {
            *val = obj;
            return 0;
        }
        if (ub_skip(&obj, 1))
            return -1;
    }
    return -1;
}

/* A string value into buf (at most cap - 1 bytes). */
static int ub_str(struct ub v, char *buf, size_t cap)
{
    size_t n;
    if (v.p >= v.end || *v.p++ != 'S' || ub_len(&v, &n) || n >= cap ||
        (size_t)(v.end - v.p) < n)
        return -1;
    memcpy(buf, v.p, n);
    buf[n] = '\0';
    return 0;
}

/* A string holding a count, as XGBoost writes its parameters. */
static int ub_count(struct ub v, size_t *out)
{
    char buf[32], *end;
    if (ub_str(v, buf, sizeof buf) || !buf[0])
        return -1;
    unsigned long long x = strtoull(buf, &end, 10);
    if (*end || buf[0] == '-')
        return -1;
    *out = (size_t)x;
    return 0;
}

/* An array of n numbers at v.p into out as 32-bit words: integers (typed
 * or not) as int32, floats ('d', typed) as their bit patterns. */
static int ub_words(struct ub v, int floats, size_t n, uint32_t *out)
{
    size_t count;
    if (v.p >= v.end || *v.p++ != '[')
        return -1;
    if (v.p < v.end && *v.p == '$') {
        if (v.end - v.p < 3 || v.p[2] != '#')
            return -1;
        unsigned char et = v.p[1];
        v.p += 3;
        if (ub_len(&v, &count) || count != n || (floats != (et == 'd')))
            return -1;
        size_t es = ub_elem_size(et);
        if (!es || n > (size_t)(v.end - v.p) / es)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (floats) {
                const unsigned char *b = v.p + 4 * i;
                out[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
            } else {
                int64_t x;
                if (ub_int_of(&v, et, &x))
                    return -1;
                out[i] = (uint32_t)(int32_t)x;
            }
        }
        return 0;
    }
    if (floats || v.p >= v.end || *v.p++ != '#' || ub_len(&v, &count) || count != n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int64_t x;
        if (v.p >= v.end)
            return -1;
        unsigned char t = *v.p++;
        if (ub_int_of(&v, t, &x))
            return -1;
        out[i] = (uint32_t)(int32_t)x;
    }
    return 0;
}

/* The tree fields, in the order they are saved. */
enum { TF_LEFT, TF_RIGHT, TF_SPLIT, TF_DEFAULT_LEFT, TF_COND, TF_WEIGHT, TF_LOSS, TF_HESS,
       TF_COUNT };
static const char *const tree_field[TF_COUNT] = {
    "left_children", "right_children", "split_indices", "default_left",
    "split_conditions", "base_weights", "loss_changes", "sum_hessian"};

static int save_tree(struct ub tree, struct tune_model_writer *w, struct tune_error *err)
{
    struct ub v, param;
    size_t n, deleted;
    if (ub_get(tree, "tree_param", &param) || ub_get(param, "num_nodes", &v) ||
        ub_count(v, &n) || n == 0 || n > XGB_MAX_NODES || ub_get(param, "num_deleted", &v) ||
        ub_count(v, &deleted) || deleted != 0)
        return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: a tree's parameters are not "
                              "as XGBoost 1.7 writes them");
    uint32_t *words = malloc(n * sizeof *words);
    if (!words)
        return tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory (%zu nodes)", n);
    int rc = tune_model_put_u64(w, n);
    for (size_t f = 0; !rc && f < TF_COUNT; f++) {
        if (ub_get(tree, tree_field[f], &v) || ub_words(v, f >= TF_COND, n, words)) {
            rc = tune_error_set(err, TUNE_ETRAINER, "xgboost: save: a tree's %s are not as "
                                "XGBoost 1.7 writes them", tree_field[f]);
            break;
        }
        rc = tune_model_put_u32s(w, words, n);
    }
    /* categorical splits are never made (tunefold hands numbers over) */
    if (!rc && (ub_get(tree, "split_type", &v) || ub_words(v, 0, n, words)))
        rc = tune_error_set(err, TUNE_ETRAINER, "xgboost: save: no split types");
    for (size_t i = 0; !rc && i < n; i++)
        if (words[i] != 0)
            rc = tune_error_set(err, TUNE_ETRAINER, "xgboost: save: a categorical split");
    free(words);
    return rc;
}

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    const struct xgb_fit *m = model;
    bst_ulong len = 0;
    const char *bytes = NULL;
    if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\": \"ubj\"}", &len, &bytes))
        return xgb_error(err, "saving the model");
    struct ub root = {(const unsigned char *)bytes, (const unsigned char *)bytes + len};
    struct ub learner, lmp, gb, gbm, gmp, v, trees;
    char base_score[40], name[32];
    size_t n_trees, parallel, n_feature;
    if (ub_get(root, "learner", &learner) || ub_get(learner, "learner_model_param", &lmp) ||
        ub_get(lmp, "base_score", &v) || ub_str(v, base_score, sizeof base_score) ||
        ub_get(lmp, "num_feature", &v) || ub_count(v, &n_feature) || n_feature != m->d ||
        ub_get(learner, "gradient_booster", &gb) || ub_get(gb, "name", &v) ||
        ub_str(v, name, sizeof name) || strcmp(name, "gbtree") != 0 ||
        ub_get(gb, "model", &gbm) || ub_get(gbm, "gbtree_model_param", &gmp) ||
        ub_get(gmp, "num_trees", &v) || ub_count(v, &n_trees) || n_trees > XGB_MAX_TREES ||
        ub_get(gmp, "num_parallel_tree", &v) || ub_count(v, &parallel) || parallel != 1 ||
        ub_get(gbm, "trees", &trees))
        return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: the model is not as XGBoost "
                              "1.7 writes it");
    uint32_t *info = malloc((n_trees + 1) * sizeof *info);
    if (!info)
        return tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory (%zu trees)", n_trees);
    int rc;
    if (ub_get(gbm, "tree_info", &v) || ub_words(v, 0, n_trees, info)) {
        free(info);
        return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: no tree_info");
    }
    if ((rc = tune_model_put_u32(w, XGB_MODEL_VERSION)) || (rc = tune_model_put_u64(w, m->d)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->task)) || (rc = tune_model_put_u64(w, m->k)) ||
        (rc = tune_model_put_str(w, base_score)) || (rc = tune_model_put_u64(w, n_trees)) ||
        (rc = tune_model_put_u32s(w, info, n_trees))) {
        free(info);
        return rc;
    }
    free(info);
    /* the trees: an array "[#" n of objects, or "[" ... "]" */
    struct ub t = trees;
    size_t count = 0;
    if (t.p >= t.end || *t.p++ != '[')
        return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: no trees");
    int counted = t.p < t.end && *t.p == '#';
    if (counted && (t.p++, ub_len(&t, &count) || count != n_trees))
        return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: %zu trees", count);
    for (size_t i = 0; i < n_trees; i++) {
        if (t.p >= t.end || *t.p != '{')
            return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: tree %zu missing", i);
        if ((rc = save_tree(t, w, err)))
            return rc;
        if (ub_skip(&t, 1))
            return tune_error_set(err, TUNE_ETRAINER, "xgboost: save: tree %zu", i);
    }
    return TUNE_OK;
}

/* ---- load: check the numbers, write XGBoost's JSON, load it ---- */

struct json_buf {
    char *s;
    size_t len, cap;
    int failed;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void jb_printf(struct json_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static float word_float(uint32_t w)
{
    float f;
    memcpy(&f, &w, sizeof f);
    return f;
}

/* One tree's nodes (fields[f][i]), checked: node 0 is the root; a split's
 * two children come after it, each node is some node's child once; a
 * split's column is below d; default_left 0 or 1; every float finite. */
static int check_tree(struct tune_model_reader *r, size_t t, size_t n, uint32_t *const *fields,
                      size_t d, int32_t *parent)
{
    for (size_t i = 0; i < n; i++)
        parent[i] = -1;
    for (size_t i = 0; i < n; i++) {
        int32_t left = (int32_t)fields[TF_LEFT][i], right = (int32_t)fields[TF_RIGHT][i];
        if (fields[TF_DEFAULT_LEFT][i] > 1)
            return tune_model_reader_fail(r, "tree %zu node %zu: default_left %u", t, i,
                                          fields[TF_DEFAULT_LEFT][i]);
        for (size_t f = TF_COND; f < TF_COUNT; f++)
            if (!isfinite(word_float(fields[f][i])))
                return tune_model_reader_fail(r, "tree %zu node %zu: %s not finite", t, i,
                                              tree_field[f]);
        if (left == -1 && right == -1)
            continue;
        if (left <= (int32_t)i || right <= (int32_t)i || (size_t)left >= n ||
            (size_t)right >= n || left == right || parent[left] != -1 || parent[right] != -1)
            return tune_model_reader_fail(r, "tree %zu node %zu: children %d, %d of %zu nodes",
                                          t, i, left, right, n);
        if (fields[TF_SPLIT][i] >= d)
            return tune_model_reader_fail(r, "tree %zu node %zu: column %u of %zu", t, i,
                                          fields[TF_SPLIT][i], d);
        parent[left] = parent[right] = (int32_t)i;
    }
    for (size_t i = 1; i < n; i++)
        if (parent[i] == -1)
            return tune_model_reader_fail(r, "tree %zu node %zu: no parent", t, i);
    return TUNE_OK;
}

static void json_tree(struct json_buf *b, size_t t, size_t n, size_t d, uint32_t *const *fields,
                      const int32_t *parent)
{
    jb_printf(b, "%s{\"tree_param\": {\"num_deleted\": \"0\", \"num_feature\": \"%zu\", "
              "\"num_nodes\": \"%zu\", \"size_leaf_vector\": \"0\"}, \"id\": %zu, "
              "\"categories\": [], \"categories_nodes\": [], \"categories_segments\": [], "
              "\"categories_sizes\": []", t ? ", " : "", d, n, t);
    for (size_t f = 0; f < TF_COUNT; f++) {
        jb_printf(b, ", \"%s\": [", tree_field[f]);
        for (size_t i = 0; i < n; i++) {
            const char *sep = i ? ", " : "";
            if (f >= TF_COND)
                jb_printf(b, "%s%.9e", sep, (double)word_float(fields[f][i]));
            else if (f == TF_SPLIT || f == TF_DEFAULT_LEFT)
                jb_printf(b, "%s%u", sep, fields[f][i]);
            else
                jb_printf(b, "%s%d", sep, (int32_t)fields[f][i]);
        }
        jb_printf(b, "]");
    }
    jb_printf(b, ", \"parents\": [");
    for (size_t i = 0; i < n; i++)
        jb_printf(b, "%s%d", i ? ", " : "", i ? parent[i] : INT32_MAX);
    jb_printf(b, "], \"split_type\": [");
    for (size_t i = 0; i < n; i++)
        jb_printf(b, "%s0", i ? ", " : "");
    jb_printf(b, "]}");
}

/* The base score: a number as XGBoost writes it ("5E-1"), finite. */
static int base_score_ok(const char *s)
{
    if (!*s || strlen(s) > 32 || strspn(s, "0123456789.eE+-") != strlen(s))
        return 0;
    char *end;
    double v = strtod(s, &end);
    return *end == '\0' && isfinite(v);
}

static int load_trees(struct tune_model_reader *r, struct xgb_fit *m, struct json_buf *b,
                      struct tune_error *err)
{
    size_t n_trees;
    uint32_t *info = NULL, *fields[TF_COUNT] = {0};
    int32_t *parent = NULL;
    int rc;
    size_t groups = m->task == TUNE_TASK_MULTICLASS ? m->k : 1;
    if ((rc = tune_model_get_size(r, "trees", XGB_MAX_TREES, 4, &n_trees)))
        return rc;
    info = malloc((n_trees + 1) * sizeof *info);
    if (!info)
        return tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory");
    if ((rc = tune_model_get_u32s(r, info, n_trees)))
        goto done;
    jb_printf(b, "\"gbtree_model_param\": {\"num_parallel_tree\": \"1\", \"num_trees\": "
              "\"%zu\", \"size_leaf_vector\": \"0\"}, \"tree_info\": [", n_trees);
    for (size_t t = 0; t < n_trees; t++) {
        if (info[t] >= groups) {
            rc = tune_model_reader_fail(r, "tree %zu: output group %u of %zu", t, info[t],
                                        groups);
            goto done;
        }
        jb_printf(b, "%s%u", t ? ", " : "", info[t]);
    }
    jb_printf(b, "], \"trees\": [");
    for (size_t t = 0; t < n_trees; t++) {
        size_t n;
        if ((rc = tune_model_get_size(r, "tree nodes", XGB_MAX_NODES, 4 * TF_COUNT, &n)))
            goto done;
        if (n == 0) {
            rc = tune_model_reader_fail(r, "tree %zu has no nodes", t);
            goto done;
        }
        for (size_t f = 0; f < TF_COUNT; f++) {
            free(fields[f]);
            if (!(fields[f] = malloc(n * sizeof *fields[f]))) {
                rc = tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory");
                goto done;
            }
            if ((rc = tune_model_get_u32s(r, fields[f], n)))
                goto done;
        }
        free(parent);
        if (!(parent = malloc(n * sizeof *parent))) {
            rc = tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory");
            goto done;
        }
        if ((rc = check_tree(r, t, n, fields, m->d, parent)))
            goto done;
        json_tree(b, t, n, m->d, fields, parent);
    }
    jb_printf(b, "]");
done:
    free(info);
    free(parent);
    for (size_t f = 0; f < TF_COUNT; f++)
        free(fields[f]);
    return rc;
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version, task;
    char *base_score = NULL;
    struct json_buf b = {0};
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != XGB_MODEL_VERSION)
        return tune_model_reader_fail(r, "xgboost model version %u is not %d (written by a "
                                      "newer tunefold?)", version, XGB_MODEL_VERSION);
    struct xgb_fit *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory");
    if ((rc = tune_model_get_size(r, "columns", INT32_MAX, 0, &m->d)) ||
        (rc = tune_model_get_u32(r, &task)) ||
        (rc = tune_model_get_size(r, "classes", XGB_MAX_CLASSES, 0, &m->k)) ||
        (rc = tune_model_get_str(r, &base_score)))
        goto fail;
    m->task = (enum tune_task)task;
    if ((task != TUNE_TASK_BINARY && task != TUNE_TASK_MULTICLASS &&
         task != TUNE_TASK_REGRESSION) || m->d == 0 ||
        (task == TUNE_TASK_REGRESSION ? m->k != 0
         : task == TUNE_TASK_BINARY ? m->k != 2 : m->k < 2)) {
        rc = tune_model_reader_fail(r, "task %u with %zu classes and %zu columns", task, m->k,
                                    m->d);
        goto fail;
    }
    if (!base_score_ok(base_score)) {
        rc = tune_model_reader_fail(r, "base score \"%s\"", base_score);
        goto fail;
    }
    const char *objective = task == TUNE_TASK_REGRESSION ? "reg:squarederror"
                            : task == TUNE_TASK_BINARY ? "binary:logistic" : "multi:softprob";
    size_t num_class = task == TUNE_TASK_MULTICLASS ? m->k : 0;
    jb_printf(&b, "{\"version\": [1, 7, 4], \"learner\": {\"attributes\": {}, "
              "\"feature_names\": [], \"feature_types\": [], \"learner_model_param\": "
              "{\"base_score\": \"%s\", \"boost_from_average\": \"1\", \"num_class\": \"%zu\", "
              "\"num_feature\": \"%zu\", \"num_target\": \"1\"}, \"objective\": {\"name\": "
              "\"%s\", ", base_score, num_class, m->d, objective);
    if (num_class)
        jb_printf(&b, "\"softmax_multiclass_param\": {\"num_class\": \"%zu\"}}", num_class);
    else
        jb_printf(&b, "\"reg_loss_param\": {\"scale_pos_weight\": \"1\"}}");
    jb_printf(&b, ", \"gradient_booster\": {\"name\": \"gbtree\", \"model\": {");
    if ((rc = load_trees(r, m, &b, err)))
        goto fail;
    jb_printf(&b, "}}}}");
    if (b.failed) {
        rc = tune_error_set(err, TUNE_ENOMEM, "xgboost: out of memory");
        goto fail;
    }
    char threads[32];
    snprintf(threads, sizeof threads, "%zu", tune_model_reader_threads(r));
    XGBSetGlobalConfig("{\"verbosity\": 0}");
    if (XGBoosterCreate(NULL, 0, &m->booster)) {
        rc = xgb_error(err, "creating the booster");
        goto fail;
    }
    if (XGBoosterLoadModelFromBuffer(m->booster, b.s, (bst_ulong)b.len)) {
        char msg[400];
        rc = tune_model_reader_fail(r, "XGBoost refuses the model: %s",
                                    last_error(msg, sizeof msg));
        goto fail;
    }
    if ((rc = set_param(m->booster, "verbosity", "0", err)) ||
        (rc = set_param(m->booster, "nthread", threads, err)))
        goto fail;
    *model = m;
    free(base_score);
    free(b.s);
    return rc;
fail:
    free(base_score);
    free(b.s);
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_xgboost = {
    .version = 2,
    .name = "xgboost",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = check_params,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .importances = importances,
    .save = save,
    .load = load,
};
