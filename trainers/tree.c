/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tree.c — the built-in `tree` trainer: one CART decision tree for
 * classification (gini or entropy) or regression (squared error), the model
 * scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor fit.  The
 * grower is cart.c (method, split rule and missing-value handling there).
 *
 * Hyperparameters follow sklearn's names and defaults; where sklearn takes
 * None the value 0 stands for it (max_depth 0: unlimited).  max_features is a
 * categorical ("all", "sqrt", "log2", "fraction") plus max_features_fraction,
 * read only when max_features is "fraction": floor(fraction * columns)
 * columns, at least 1.  Categorical columns arrive one-hot encoded by the
 * preprocessing.  Missing values (NaN, when the study imputes none) are
 * routed as cart.c describes.
 *
 * The model is the tree plus its normalised impurity importances; predict
 * gives the leaf's class distribution as probabilities (label: the most
 * probable class, the lowest on ties) or the leaf mean. */
#include "tree_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    HP_CRITERION, HP_MAX_DEPTH, HP_MIN_SAMPLES_SPLIT, HP_MIN_SAMPLES_LEAF, HP_MAX_FEATURES,
    HP_MAX_FEATURES_FRACTION, HP_MIN_IMPURITY_DECREASE, HP_CLASS_WEIGHT, HP_COUNT
};

static const char *const max_features_choices[] = {"all", "sqrt", "log2", "fraction", NULL};
static const char *const class_weight_choices[] = {"none", "balanced", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_CRITERION] = {"criterion", TUNE_PARAM_CATEGORICAL, 0, 0, 3, tune_cart_criterion_choices,
                      "split quality: auto (gini for classification, squared_error for "
                      "regression), gini, entropy or squared_error"},
    [HP_MAX_DEPTH] = {"max_depth", TUNE_PARAM_INT, 0, 0, 100000, NULL,
                      "maximum depth of the tree; 0: unlimited"},
    [HP_MIN_SAMPLES_SPLIT] = {"min_samples_split", TUNE_PARAM_INT, 2, 2, 1e9, NULL,
                              "rows a node needs to be split"},
    [HP_MIN_SAMPLES_LEAF] = {"min_samples_leaf", TUNE_PARAM_INT, 1, 1, 1e9, NULL,
                             "rows each child of a split must keep"},
    [HP_MAX_FEATURES] = {"max_features", TUNE_PARAM_CATEGORICAL, 0, 0, 3, max_features_choices,
                         "columns drawn per split: all, sqrt, log2, or fraction "
                         "(max_features_fraction of them)"},
    [HP_MAX_FEATURES_FRACTION] = {"max_features_fraction", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0,
                                  NULL, "share of the columns drawn per split when "
                                  "max_features is fraction"},
    [HP_MIN_IMPURITY_DECREASE] = {"min_impurity_decrease", TUNE_PARAM_FLOAT, 0.0, 0.0,
                                  INFINITY, NULL, "split only when the weighted impurity "
                                  "decrease is at least this"},
    [HP_CLASS_WEIGHT] = {"class_weight", TUNE_PARAM_CATEGORICAL, 0, 0, 1, class_weight_choices,
                         "none, or balanced: weight rows by n / (classes * class count)"},
};

struct tree_model {
    size_t d, k;              /* columns; classes (0: regression) */
    struct tune_tree tree;
    double *importance;       /* d, normalised */
};

static void free_model(void *model)
{
    struct tree_model *m = model;
    if (!m)
        return;
    tune_tree_release(&m->tree);
    free(m->importance);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("tree", hparams, HP_COUNT, params, err);
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k = 0;
    uint16_t *cls = NULL;
    uint32_t *rank = NULL;
    double *class_weight = NULL;
    struct tune_cart_work *work = NULL;
    struct tune_pool *pool = NULL;
    gsl_rng *rng = NULL;
    struct tree_model *m = NULL;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    const double *v = params->values;
    struct tune_cart_params cp = {
        .max_depth = (size_t)v[HP_MAX_DEPTH],
        .min_samples_split = (size_t)v[HP_MIN_SAMPLES_SPLIT],
        .min_samples_leaf = (size_t)v[HP_MIN_SAMPLES_LEAF],
        .max_features = tune_cart_max_features(max_features_choices[(int)v[HP_MAX_FEATURES]],
                                               v[HP_MAX_FEATURES_FRACTION], d),
        .min_impurity_decrease = v[HP_MIN_IMPURITY_DECREASE],
    };
    if ((rc = tune_cart_criterion_for("tree", v[HP_CRITERION], ctx->task, &cp.criterion, err)))
        return rc;
    if ((rc = tune_tree_targets("tree", x, y, ctx, &k, &cls, err)))
        return rc;
    int balanced = (int)v[HP_CLASS_WEIGHT] == 1;

    m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->d = d;
    m->k = k;
    m->importance = calloc(d + 1, sizeof *m->importance);
    if (!m->importance)
        goto nomem;
    if (balanced && k) {
        /* sklearn's compute_class_weight("balanced") over the classes present. */
        size_t *count = calloc(k, sizeof *count), present = 0;
        class_weight = malloc(k * sizeof *class_weight);
        if (!count || !class_weight) {
            free(count);
            goto nomem;
        }
        for (size_t i = 0; i < n; i++)
            count[cls[i]]++;
        for (size_t c = 0; c < k; c++)
            present += count[c] > 0;
        for (size_t c = 0; c < k; c++)
            class_weight[c] = count[c] ? (double)n / ((double)present * (double)count[c]) : 0.0;
        free(count);
    }
    pool = tune_pool_new(tune_tree_threads(0, ctx));
    if (!pool || !(rank = tune_cart_rank(pool, x->data, n, d)))
        goto nomem;
    tune_pool_free(pool);
    pool = NULL;
    struct tune_cart_data data = {n, d, k, x->data, y, cls, class_weight, rank};
    work = tune_cart_work_new(&data);
    rng = tune_tree_rng(ctx->seed, 0);
    if (!work || !rng)
        goto nomem;
    if ((rc = tune_cart_grow(&data, &cp, NULL, rng, work, &m->tree, m->importance)))
        goto nomem;
    tune_tree_normalise(m->importance, m->importance, d);
    rc = TUNE_OK;
    *model = m;
    m = NULL;
    goto done;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "tree: out of memory (%zu rows, %zu columns)", n, d);
done:
    free_model(m);
    free(cls);
    free(rank);
    free(class_weight);
    tune_cart_work_free(work);
    tune_pool_free(pool);
    if (rng)
        gsl_rng_free(rng);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x,
                   struct tune_predictions *out, struct tune_error *err)
{
    const struct tree_model *m = model;
    int rc = tune_tree_check_predict("tree", m->d, m->k, x, out, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < x->n_rows; i++) {
        const double *leaf = tune_tree_leaf(&m->tree, x->data, x->n_rows, i);
        if (m->k == 0) {
            out->value[i] = leaf[0];
            continue;
        }
        out->label[i] = tune_tree_argmax(leaf, m->k);
        if (out->proba)
            memcpy(out->proba + i * m->k, leaf, m->k * sizeof *leaf);
    }
    return TUNE_OK;
}

static int importances(const void *model, double *out, size_t n_features, struct tune_error *err)
{
    const struct tree_model *m = model;
    if (n_features != m->d)
        return tune_error_set(err, TUNE_EINVAL, "tree: %zu importances asked, model has %zu "
                              "columns", n_features, m->d);
    memcpy(out, m->importance, m->d * sizeof *out);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define TREE_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct tree_model *m = model;
    int rc;
    if ((rc = tune_model_put_u32(w, TREE_MODEL_VERSION)) || (rc = tune_model_put_u64(w, m->d)) ||
        (rc = tune_model_put_u64(w, m->k)) || (rc = tune_model_put_f64s(w, m->importance, m->d)))
        return rc;
    return tune_tree_save(&m->tree, w);
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != TREE_MODEL_VERSION)
        return tune_model_reader_fail(r, "tree model version %u is not %d (written by a newer "
                                      "tunefold?)", version, TREE_MODEL_VERSION);
    struct tree_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "tree: out of memory");
    if ((rc = tune_model_get_size(r, "columns", UINT32_MAX, 8, &m->d)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &m->k)))
        goto fail;
    if (m->k == 1) {
        rc = tune_model_reader_fail(r, "a tree of 1 class");
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, m->d, &m->importance)) ||
        (rc = tune_tree_load(r, m->d, m->k ? m->k : 1, &m->tree, err)))
        goto fail;
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_tree = {
    .version = 2,
    .name = "tree",
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
    .flags = TUNE_TRAINER_PREDICT_PARALLEL | TUNE_TRAINER_FIT_PARALLEL,
};
