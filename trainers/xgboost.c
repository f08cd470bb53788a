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

const struct tune_trainer_type tune_trainer_xgboost = {
    .version = 1,
    .name = "xgboost",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = check_params,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .importances = importances,
};
