/* SPDX-License-Identifier: GPL-3.0-or-later */
/* forest.c — the built-in `forest` trainer: a random forest (Breiman,
 * "Random Forests", Machine Learning 45, 2001) of CART trees (cart.c) for
 * classification or regression, as scikit-learn's RandomForestClassifier /
 * RandomForestRegressor build it.
 *
 * Each tree is grown on a bootstrap draw of round(max_samples * n) rows with
 * replacement (a row drawn c times weighs c; bootstrap false: every row once)
 * and draws max_features columns per split.  Tree t takes every random draw
 * from its own generator, seeded from the fit seed and t, so a forest is the
 * same whichever thread grows which tree: n_threads changes the speed, never
 * the model.  The columns are ranked once per fit and the ranks shared by
 * all trees; each node sorts only the columns it draws (cart.c), so a
 * thread growing a tree needs O(rows) memory, not O(rows x columns).
 *
 * Predictions average the trees' leaf class distributions (label: the most
 * probable class) or leaf means.  Importances: each tree's impurity decrease
 * per column, normalised to sum 1, averaged over the trees, normalised again
 * (sklearn's feature_importances_).
 *
 * Intermediate values, every 10 trees and after the last: with oob_score,
 * the out-of-bag error (1 - accuracy, or the mean squared error, over the
 * rows some tree left out: sklearn's oob_score_ as a loss); otherwise, when
 * the fit context has a validation fold, its log-loss (probabilities clipped
 * to [1e-15, 1], as sklearn's log_loss) or mean squared error.  Lower is
 * better for both.  Trees are grown in batches; when report asks to stop, the
 * model keeps the trees reported so far.  The fit context's cancel flag is
 * checked between batches (the fit then fails: "interrupted"). */
#include "tree_common.h"
#include "trainers/forest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    HP_N_ESTIMATORS, HP_CRITERION, HP_MAX_DEPTH, HP_MIN_SAMPLES_SPLIT, HP_MIN_SAMPLES_LEAF,
    HP_MAX_FEATURES, HP_MAX_FEATURES_FRACTION, HP_BOOTSTRAP, HP_MAX_SAMPLES, HP_OOB_SCORE,
    HP_N_THREADS, HP_COUNT
};

static const char *const max_features_choices[] = {"auto", "sqrt", "log2", "all", "fraction",
                                                   NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_N_ESTIMATORS] = {"n_estimators", TUNE_PARAM_INT, 100, 1, 100000, NULL,
                         "trees in the forest"},
    [HP_CRITERION] = {"criterion", TUNE_PARAM_CATEGORICAL, 0, 0, 3, tune_cart_criterion_choices,
                      "split quality: auto (gini for classification, squared_error for "
                      "regression), gini, entropy or squared_error"},
    [HP_MAX_DEPTH] = {"max_depth", TUNE_PARAM_INT, 0, 0, 100000, NULL,
                      "maximum depth of each tree; 0: unlimited"},
    [HP_MIN_SAMPLES_SPLIT] = {"min_samples_split", TUNE_PARAM_INT, 2, 2, 1e9, NULL,
                              "rows a node needs to be split"},
    [HP_MIN_SAMPLES_LEAF] = {"min_samples_leaf", TUNE_PARAM_INT, 1, 1, 1e9, NULL,
                             "rows each child of a split must keep"},
    [HP_MAX_FEATURES] = {"max_features", TUNE_PARAM_CATEGORICAL, 0, 0, 4, max_features_choices,
                         "columns drawn per split: auto (sqrt for classification, all for "
                         "regression), sqrt, log2, all, or fraction (max_features_fraction)"},
    [HP_MAX_FEATURES_FRACTION] = {"max_features_fraction", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0,
                                  NULL, "share of the columns drawn per split when "
                                  "max_features is fraction"},
    [HP_BOOTSTRAP] = {"bootstrap", TUNE_PARAM_BOOL, 1, 0, 1, NULL,
                      "grow each tree on a bootstrap draw (else on every row)"},
    [HP_MAX_SAMPLES] = {"max_samples", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0, NULL,
                        "rows per bootstrap draw, as a share of the training rows"},
    [HP_OOB_SCORE] = {"oob_score", TUNE_PARAM_BOOL, 0, 0, 1, NULL,
                      "report the out-of-bag error every 10 trees (needs bootstrap)"},
    [HP_N_THREADS] = {"n_threads", TUNE_PARAM_INT, 0, 0, 4096, NULL,
                      "threads growing trees; 0: the study's share of the cores"},
};

#define REPORT_EVERY 10
/* Rows per predict task: each task walks every tree over its rows, so a
 * tree's nodes are loaded once per task.  At 512 rows a 100-tree forest of
 * depth 16 (100 MB of nodes) was streamed from memory every 512 rows; 8192
 * rows halve the time of `tunefold predict` (bench/RESULTS_predict.md) and
 * still give a validation fold several tasks to share between threads.  The
 * sums per row are in tree order either way: the same predictions. */
#define PREDICT_BLOCK 8192

struct forest_model {
    size_t d, k;               /* columns; classes (0: regression) */
    size_t n_trees;
    struct tune_tree *trees;
    double *importance;        /* d, normalised */
    size_t n_threads;          /* for predict */
};

static void free_model(void *model)
{
    struct forest_model *m = model;
    if (!m)
        return;
    for (size_t t = 0; m->trees && t < m->n_trees; t++)
        tune_tree_release(&m->trees[t]);
    free(m->trees);
    free(m->importance);
    free(m);
}

/* The read-only view of forest.h: reports walk the trees (fANOVA). */
size_t tune_forest_tree_count(const void *model)
{
    return ((const struct forest_model *)model)->n_trees;
}

const struct tune_tree *tune_forest_tree_at(const void *model, size_t t)
{
    return &((const struct forest_model *)model)->trees[t];
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    int rc = tune_trainer_check_params("forest", hparams, HP_COUNT, params, err);
    if (rc)
        return rc;
    if (params->values[HP_OOB_SCORE] != 0 && params->values[HP_BOOTSTRAP] == 0)
        return tune_error_set(err, TUNE_EINVAL,
                              "forest: oob_score needs bootstrap (without it no row is out of "
                              "bag)");
    return TUNE_OK;
}

/* Everything the tree tasks of one fit share. */
struct grow_job {
    const struct tune_cart_data *data;
    const struct tune_cart_params *cp;
    uint64_t seed;
    int bootstrap;
    size_t n_draw;             /* rows per bootstrap draw */
    size_t first;              /* tree number of task 0 */
    struct tune_tree *trees;   /* all n_estimators */
    double *imp;               /* n_estimators x d, raw */
    uint8_t *in_bag;           /* batch x n: drawn at least once (oob_score only) */
    struct tune_cart_work **work;   /* per thread */
    uint32_t **count;          /* per thread: n */
    int *rc;                   /* per task */
};

static void grow_task(void *arg, size_t task, size_t thread)
{
    struct grow_job *job = arg;
    size_t t = job->first + task, n = job->data->n, d = job->data->d;
    uint32_t *w = job->count[thread];
    gsl_rng *rng = tune_tree_rng(job->seed, t + 1);
    if (!rng) {
        job->rc[task] = TUNE_ENOMEM;
        return;
    }
    if (job->bootstrap) {
        memset(w, 0, n * sizeof *w);
        for (size_t i = 0; i < job->n_draw; i++)
            w[gsl_rng_uniform_int(rng, (unsigned long)n)]++;
    } else {
        for (size_t i = 0; i < n; i++)
            w[i] = 1;
    }
    if (job->in_bag) {
        uint8_t *bag = job->in_bag + task * n;
        for (size_t i = 0; i < n; i++)
            bag[i] = w[i] > 0;
    }
    job->rc[task] = tune_cart_grow(job->data, job->cp, w, rng, job->work[thread],
                                   &job->trees[t], job->imp + t * d);
    gsl_rng_free(rng);
}

/* Sum of the leaf values of trees [t0, t1) for rows [i0, i1) of x. */
struct predict_job {
    const struct tune_tree *trees;
    size_t t0, t1, n_out;
    const struct tune_matrix *x;
    double *acc;               /* n_rows x n_out, added to */
};

static void predict_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    struct predict_job *job = arg;
    size_t n = job->x->n_rows, i0 = block * PREDICT_BLOCK;
    size_t i1 = i0 + PREDICT_BLOCK < n ? i0 + PREDICT_BLOCK : n;
    uint32_t leaf[TUNE_TREE_BLOCK];
    for (size_t t = job->t0; t < job->t1; t++) {
        const struct tune_tree *tr = &job->trees[t];
        for (size_t b0 = i0; b0 < i1; b0 += TUNE_TREE_BLOCK) {
            size_t len = i1 - b0 < TUNE_TREE_BLOCK ? i1 - b0 : TUNE_TREE_BLOCK;
            tune_tree_leaves(tr, job->x->data, n, b0, len, leaf);
            for (size_t r = 0; r < len; r++) {
                const double *v = tr->value + leaf[r];
                for (size_t c = 0; c < job->n_out; c++)
                    job->acc[(b0 + r) * job->n_out + c] += v[c];
            }
        }
    }
}

static void add_predictions(struct tune_pool *pool, const struct tune_tree *trees, size_t t0,
                            size_t t1, size_t n_out, const struct tune_matrix *x, double *acc)
{
    struct predict_job job = {trees, t0, t1, n_out, x, acc};
    tune_pool_run(pool, (x->n_rows + PREDICT_BLOCK - 1) / PREDICT_BLOCK, predict_task, &job);
}

/* Loss of averaged predictions sum / count against truth y (rows with
 * count 0 skipped); NAN when no row counts. */
static double loss(const double *sum, const double *count, double count_all, const double *y,
                   size_t n, size_t k, int oob)
{
    double total = 0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        double c = count ? count[i] : count_all;
        if (!(c > 0))
            continue;
        used++;
        if (k == 0) {
            double e = sum[i] / c - y[i];
            total += e * e;
        } else if (oob) {
            total += tune_tree_argmax(sum + i * k, k) != (int)y[i];
        } else {
            double p = sum[i * k + (size_t)y[i]] / c;
            total -= log(p < 1e-15 ? 1e-15 : p > 1 ? 1 : p);
        }
    }
    return used ? total / (double)used : NAN;
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k = 0;
    uint16_t *cls = NULL;
    uint32_t *rank = NULL;
    struct tune_pool *pool = NULL;
    struct forest_model *m = NULL;
    struct grow_job job = {0};
    double *oob_sum = NULL, *oob_count = NULL, *val_sum = NULL;
    size_t threads = 1, batch = 0;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    const double *v = params->values;
    size_t n_est = (size_t)v[HP_N_ESTIMATORS];
    int mf = (int)v[HP_MAX_FEATURES];
    const char *mf_name = mf == 0 ? (ctx->task == TUNE_TASK_REGRESSION ? "all" : "sqrt")
                                  : max_features_choices[mf];
    struct tune_cart_params cp = {
        .max_depth = (size_t)v[HP_MAX_DEPTH],
        .min_samples_split = (size_t)v[HP_MIN_SAMPLES_SPLIT],
        .min_samples_leaf = (size_t)v[HP_MIN_SAMPLES_LEAF],
        .max_features = tune_cart_max_features(mf_name, v[HP_MAX_FEATURES_FRACTION], d),
        .min_impurity_decrease = 0.0,
    };
    if ((rc = tune_cart_criterion_for("forest", v[HP_CRITERION], ctx->task, &cp.criterion,
                                      err)))
        return rc;
    if ((rc = tune_tree_targets("forest", x, y, ctx, &k, &cls, err)))
        return rc;
    int oob = v[HP_OOB_SCORE] != 0;
    const struct tune_matrix *xv = ctx->x_valid;
    int validate = !oob && ctx->report && xv && ctx->y_valid && xv->n_cols == d;
    size_t n_out = k ? k : 1;

    m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->d = d;
    m->k = k;
    m->trees = calloc(n_est, sizeof *m->trees);
    m->importance = calloc(d + 1, sizeof *m->importance);
    if (!m->trees || !m->importance)
        goto nomem;
    threads = tune_tree_threads(v[HP_N_THREADS], ctx);
    m->n_threads = threads;
    pool = tune_pool_new(threads);
    if (!pool || !(rank = tune_cart_rank(pool, x->data, n, d)))
        goto nomem;
    threads = tune_pool_threads(pool);
    struct tune_cart_data data = {n, d, k, x->data, y, cls, NULL, rank};

    /* Batches of whole reporting groups, enough to keep every thread busy. */
    batch = REPORT_EVERY * ((2 * threads + REPORT_EVERY - 1) / REPORT_EVERY);
    job.data = &data;
    job.cp = &cp;
    job.seed = ctx->seed;
    job.bootstrap = v[HP_BOOTSTRAP] != 0;
    double draw = round(v[HP_MAX_SAMPLES] * (double)n);
    job.n_draw = draw < 1 ? 1 : (size_t)draw;
    job.trees = m->trees;
    job.imp = calloc(n_est * d + 1, sizeof *job.imp);
    if (oob && ctx->report && !(job.in_bag = malloc(batch * n)))
        goto nomem;
    job.work = calloc(threads, sizeof *job.work);
    job.count = calloc(threads, sizeof *job.count);
    job.rc = calloc(batch, sizeof *job.rc);
    if (!job.imp || !job.work || !job.count || !job.rc)
        goto nomem;
    for (size_t t = 0; t < threads; t++) {
        job.work[t] = tune_cart_work_new(&data);
        job.count[t] = malloc((n + 1) * sizeof *job.count[t]);
        if (!job.work[t] || !job.count[t])
            goto nomem;
    }
    if (oob && ctx->report) {
        oob_sum = calloc(n * n_out, sizeof *oob_sum);
        oob_count = calloc(n, sizeof *oob_count);
        if (!oob_sum || !oob_count)
            goto nomem;
    }
    if (validate && !(val_sum = calloc(xv->n_rows * n_out + 1, sizeof *val_sum)))
        goto nomem;

    size_t done = 0;
    int stop = 0;
    while (done < n_est && !stop) {
        if (ctx->cancel && *ctx->cancel) {
            rc = tune_error_set(err, TUNE_ETRAINER, "forest: interrupted after %zu trees", done);
            goto done;
        }
        size_t nb = n_est - done < batch ? n_est - done : batch;
        job.first = done;
        tune_pool_run(pool, nb, grow_task, &job);
        for (size_t t = 0; t < nb; t++) {
            if (job.rc[t] == TUNE_EINVAL) {
                rc = tune_error_set(err, TUNE_ETRAINER,
                                    "forest: tree %zu drew a row more than 65535 times",
                                    done + t);
                goto done;
            }
            if (job.rc[t])
                goto nomem;
        }
        /* Report, in tree order, every REPORT_EVERY trees and after the last. */
        size_t t_end = done + nb;
        while (done < t_end && !stop) {
            size_t g = done + REPORT_EVERY < t_end ? done + REPORT_EVERY : t_end;
            double value = NAN;
            if (oob_sum) {
                for (size_t t = done; t < g; t++) {
                    const uint8_t *bag = job.in_bag + (t - job.first) * n;
                    for (size_t i = 0; i < n; i++) {
                        if (bag[i])
                            continue;
                        const double *lv = tune_tree_leaf(&m->trees[t], x->data, n, i);
                        for (size_t c = 0; c < n_out; c++)
                            oob_sum[i * n_out + c] += lv[c];
                        oob_count[i] += 1;
                    }
                }
                value = loss(oob_sum, oob_count, 0, y, n, k, 1);
            } else if (val_sum) {
                add_predictions(pool, m->trees, done, g, n_out, xv, val_sum);
                value = loss(val_sum, NULL, (double)g, ctx->y_valid, xv->n_rows, k, 0);
            }
            done = g;
            if ((oob_sum || val_sum) && ctx->report(ctx->report_arg, done, value))
                stop = 1;
        }
        /* Trees grown past a stop request are dropped. */
        for (size_t t = done; t < t_end; t++)
            tune_tree_release(&m->trees[t]);
    }
    m->n_trees = done;
    for (size_t t = 0; t < done; t++) {
        double *it = job.imp + t * d;
        tune_tree_normalise(it, it, d);
        for (size_t j = 0; j < d; j++)
            m->importance[j] += it[j];
    }
    tune_tree_normalise(m->importance, m->importance, d);
    *model = m;
    m = NULL;
    rc = TUNE_OK;
    goto done;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "forest: out of memory (%zu rows, %zu columns, %zu "
                        "trees)", n, d, n_est);
done:
    if (m)
        m->n_trees = n_est; /* a failed fit: release whatever was grown */
    free_model(m);
    if (job.work)
        for (size_t t = 0; t < threads; t++)
            tune_cart_work_free(job.work[t]);
    if (job.count)
        for (size_t t = 0; t < threads; t++)
            free(job.count[t]);
    free(job.work);
    free(job.count);
    free(job.imp);
    free(job.in_bag);
    free(job.rc);
    free(oob_sum);
    free(oob_count);
    free(val_sum);
    free(cls);
    free(rank);
    tune_pool_free(pool);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x,
                   struct tune_predictions *out, struct tune_error *err)
{
    const struct forest_model *m = model;
    int rc = tune_tree_check_predict("forest", m->d, m->k, x, out, err);
    if (rc)
        return rc;
    size_t n = x->n_rows, n_out = m->k ? m->k : 1;
    double *acc = calloc(n * n_out + 1, sizeof *acc);
    struct tune_pool *pool = n > PREDICT_BLOCK ? tune_pool_new(m->n_threads) : NULL;
    if (!acc) {
        tune_pool_free(pool);
        return tune_error_set(err, TUNE_ENOMEM, "forest: out of memory (%zu rows)", n);
    }
    add_predictions(pool, m->trees, 0, m->n_trees, n_out, x, acc);
    tune_pool_free(pool);
    double scale = m->n_trees ? 1.0 / (double)m->n_trees : 0.0;
    for (size_t i = 0; i < n; i++) {
        double *a = acc + i * n_out;
        for (size_t c = 0; c < n_out; c++)
            a[c] *= scale;
        if (m->k == 0) {
            out->value[i] = a[0];
            continue;
        }
        out->label[i] = tune_tree_argmax(a, m->k);
        if (out->proba)
            memcpy(out->proba + i * m->k, a, m->k * sizeof *a);
    }
    free(acc);
    return TUNE_OK;
}

static int importances(const void *model, double *out, size_t n_features, struct tune_error *err)
{
    const struct forest_model *m = model;
    if (n_features != m->d)
        return tune_error_set(err, TUNE_EINVAL, "forest: %zu importances asked, model has %zu "
                              "columns", n_features, m->d);
    memcpy(out, m->importance, m->d * sizeof *out);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define FOREST_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct forest_model *m = model;
    int rc;
    if ((rc = tune_model_put_u32(w, FOREST_MODEL_VERSION)) ||
        (rc = tune_model_put_u64(w, m->d)) || (rc = tune_model_put_u64(w, m->k)) ||
        (rc = tune_model_put_u64(w, m->n_trees)) ||
        (rc = tune_model_put_f64s(w, m->importance, m->d)))
        return rc;
    for (size_t t = 0; t < m->n_trees; t++)
        if ((rc = tune_tree_save(&m->trees[t], w)))
            return rc;
    return TUNE_OK;
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    size_t n_trees;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != FOREST_MODEL_VERSION)
        return tune_model_reader_fail(r, "forest model version %u is not %d (written by a "
                                      "newer tunefold?)", version, FOREST_MODEL_VERSION);
    struct forest_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "forest: out of memory");
    m->n_threads = tune_model_reader_threads(r);
    /* a tree takes at least 36 bytes: its counts, root and one leaf value */
    if ((rc = tune_model_get_size(r, "columns", UINT32_MAX, 8, &m->d)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &m->k)) ||
        (rc = tune_model_get_size(r, "trees", 100000, 36, &n_trees)))
        goto fail;
    if (m->k == 1 || n_trees == 0) {
        rc = tune_model_reader_fail(r, "a forest of %zu trees and %zu classes", n_trees, m->k);
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, m->d, &m->importance)))
        goto fail;
    m->trees = calloc(n_trees, sizeof *m->trees);
    if (!m->trees) {
        rc = tune_error_set(err, TUNE_ENOMEM, "forest: out of memory for %zu trees", n_trees);
        goto fail;
    }
    m->n_trees = n_trees;
    for (size_t t = 0; t < n_trees; t++)
        if ((rc = tune_tree_load(r, m->d, m->k ? m->k : 1, &m->trees[t], err)))
            goto fail;
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_forest = {
    .version = 2,
    .name = "forest",
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
