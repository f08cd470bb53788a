/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mlp.c — the built-in `mlp` trainer: a multi-layer perceptron for
 * classification (a logistic output unit for binary tasks, softmax over the
 * classes otherwise) and regression (identity output, squared loss), the
 * model scikit-learn 1.2 fits as MLPClassifier / MLPRegressor, plus dropout
 * and He initialisation.  The arithmetic is in mlp_net.c.
 *
 * Training (scikit-learn's _fit_stochastic):
 *   - weights: xavier draws W and b uniform in +-sqrt(f / (fan_in +
 *     fan_out)), f = 2 for sigmoid hidden units and 6 otherwise (Glorot &
 *     Bengio 2010, scikit-learn's _init_coef); he draws W uniform in
 *     +-sqrt(6 / fan_in) with zero biases (He et al. 2015), the usual choice
 *     for relu;
 *   - each epoch visits the rows in a fresh random order, in batches of
 *     batch_size rows (the last one shorter; batch_size above the rows
 *     means one batch);
 *   - adam (Kingma & Ba 2015; beta1 0.9, beta2 0.999, epsilon 1e-8, step
 *     learning_rate sqrt(1 - beta2^t) / (1 - beta1^t)) or sgd with momentum
 *     (Nesterov's when nesterov is true), constant learning rate;
 *   - l2 is scikit-learn's alpha: the penalty (l2 / 2B) ||W||^2 per batch;
 *   - stopping: after `epochs` epochs, or once the epoch's training loss
 *     (early_stopping false) or the accuracy / R^2 on a held-out
 *     validation_fraction of the training rows, stratified by class
 *     (early_stopping true), has failed to improve by tol for more than
 *     n_iter_no_change epochs in a row; with early stopping the weights of
 *     the best validation score are kept.
 * Every random draw (weights, row orders, the validation split, dropout
 * masks) comes from one GSL mt19937 seeded with ctx->seed, so a fit is
 * reproducible.  One thread: the products are small serial BLAS calls.
 *
 * Intermediate values: after each epoch, when ctx->report is set, the loss
 * on ctx->x_valid / y_valid — the mean log-loss (classification) or mean
 * squared error (regression), lower is better — or, without a validation
 * fold, the epoch's training loss.  The validation fold is only evaluated,
 * never fitted.  A non-zero return from report stops training there; the
 * context's cancel flag (Ctrl-C), checked every epoch, makes the fit fail.
 *
 * hidden_layers is a categorical of layouts ("64,32": two hidden layers,
 * 64 then 32 units): the hyperparameter system has no list type, and a
 * fixed menu of common shapes is what a search can explore. */
#include "tunefold/trainer.h"
#include "mlp_net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

enum {
    HP_HIDDEN, HP_ACTIVATION, HP_OPTIMIZER, HP_LEARNING_RATE, HP_MOMENTUM, HP_NESTEROV,
    HP_BATCH_SIZE, HP_EPOCHS, HP_L2, HP_DROPOUT, HP_INIT, HP_EARLY_STOPPING,
    HP_VALIDATION_FRACTION, HP_N_ITER_NO_CHANGE, HP_TOL, HP_COUNT
};
enum { OPT_ADAM = 0, OPT_SGD = 1 };
enum { INIT_XAVIER = 0, INIT_HE = 1 };

static const char *const hidden_choices[] = {
    "100", "16", "32", "64", "128", "256", "512",
    "32,16", "64,32", "100,50", "128,64", "256,128", "64,64", "128,128",
    "64,64,64", "100,100,100", "128,64,32", "256,128,64", NULL,
};
#define HIDDEN_COUNT 18
static const char *const activation_choices[] = {"relu", "tanh", "sigmoid", NULL};
static const char *const optimizer_choices[] = {"adam", "sgd", NULL};
static const char *const init_choices[] = {"xavier", "he", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_HIDDEN] = {"hidden_layers", TUNE_PARAM_CATEGORICAL, 0, 0, HIDDEN_COUNT - 1,
                   hidden_choices, "units per hidden layer, comma-separated (e.g. 64,32)"},
    [HP_ACTIVATION] = {"activation", TUNE_PARAM_CATEGORICAL, MLP_RELU, 0, 2, activation_choices,
                       "hidden activation: relu, tanh or sigmoid"},
    [HP_OPTIMIZER] = {"optimizer", TUNE_PARAM_CATEGORICAL, OPT_ADAM, 0, 1, optimizer_choices,
                      "adam, or sgd with momentum"},
    [HP_LEARNING_RATE] = {"learning_rate", TUNE_PARAM_FLOAT, 1e-3, 1e-7, 10, NULL,
                          "step size (adam's alpha, sgd's constant rate)"},
    [HP_MOMENTUM] = {"momentum", TUNE_PARAM_FLOAT, 0.9, 0, 0.999, NULL, "sgd: momentum"},
    [HP_NESTEROV] = {"nesterov", TUNE_PARAM_BOOL, 1, 0, 1, NULL, "sgd: Nesterov's momentum"},
    [HP_BATCH_SIZE] = {"batch_size", TUNE_PARAM_INT, 200, 1, 1e7, NULL,
                       "rows per gradient step (at most the training rows)"},
    [HP_EPOCHS] = {"epochs", TUNE_PARAM_INT, 200, 1, 1e5, NULL, "passes over the data at most"},
    [HP_L2] = {"l2", TUNE_PARAM_FLOAT, 1e-4, 0, INFINITY, NULL,
               "weight penalty, scikit-learn's alpha: (l2 / 2B) ||W||^2 per batch of B"},
    [HP_DROPOUT] = {"dropout", TUNE_PARAM_FLOAT, 0, 0, 0.9, NULL,
                    "share of hidden units dropped at each step while training"},
    [HP_INIT] = {"init", TUNE_PARAM_CATEGORICAL, INIT_XAVIER, 0, 1, init_choices,
                 "initial weights: xavier (scikit-learn's) or he"},
    [HP_EARLY_STOPPING] = {"early_stopping", TUNE_PARAM_BOOL, 0, 0, 1, NULL,
                           "stop on a held-out validation_fraction of the training rows"},
    [HP_VALIDATION_FRACTION] = {"validation_fraction", TUNE_PARAM_FLOAT, 0.1, 0.01, 0.5, NULL,
                                "early_stopping: share of training rows held out"},
    [HP_N_ITER_NO_CHANGE] = {"n_iter_no_change", TUNE_PARAM_INT, 10, 1, 1e5, NULL,
                             "epochs without an improvement of tol before stopping"},
    [HP_TOL] = {"tol", TUNE_PARAM_FLOAT, 1e-4, 0, INFINITY, NULL,
                "least improvement of the loss (or validation score) that counts"},
};

#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS 1e-8
/* Rows per forward pass when predicting or scoring. */
#define CHUNK 1024

struct mlp_model {
    struct mlp_net net;
    enum tune_task task;
    size_t n_classes;
    size_t epochs_run;
};

static void free_model(void *model)
{
    struct mlp_model *m = model;
    if (!m)
        return;
    free(m->net.params);
    free(m);
}

/* Parse a layout like "64,32" into units[1..]; returns the hidden layers. */
static size_t parse_layout(const char *s, size_t *units)
{
    size_t n = 0;
    while (*s && n < MLP_MAX_LAYERS - 1) {
        char *end;
        units[++n] = strtoul(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    if (!params || params->n < HP_COUNT)
        return tune_error_set(err, TUNE_EINVAL, "mlp: expected %d hyperparameters, got %zu",
                              HP_COUNT, params ? params->n : (size_t)0);
    for (size_t i = 0; i < HP_COUNT; i++)
        if (!tune_hparam_accepts(&hparams[i], params->values[i]))
            return tune_error_set(err, TUNE_EINVAL, "mlp: %s: value %.17g is out of range",
                                  hparams[i].name, params->values[i]);
    return TUNE_OK;
}

static int is_classification(enum tune_task t)
{
    return t == TUNE_TASK_BINARY || t == TUNE_TASK_MULTICLASS;
}

/* Targets of the given rows as the output layer wants them. */
static void targets(const struct mlp_net *net, enum tune_task task, const double *y,
                    const size_t *rows, size_t b, double *out)
{
    size_t k = net->units[net->n_layers];
    if (task == TUNE_TASK_MULTICLASS) {
        memset(out, 0, b * k * sizeof *out);
        for (size_t i = 0; i < b; i++)
            out[i * k + (size_t)y[rows[i]]] = 1.0;
    } else {
        for (size_t i = 0; i < b; i++)
            out[i] = y[rows[i]];
    }
}

/* Rows of the row-major xr gathered into a batch. */
static void gather(const double *xr, size_t d, const size_t *rows, size_t b, double *out)
{
    for (size_t i = 0; i < b; i++)
        memcpy(out + i * d, xr + rows[i] * d, d * sizeof *out);
}

/* A column-major matrix's rows [i0, i0 + b) as a row-major batch. */
static void rows_of(const struct tune_matrix *x, size_t i0, size_t b, double *out)
{
    size_t n = x->n_rows, d = x->n_cols;
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < b; i++)
            out[i * d + j] = x->data[j * n + i0 + i];
}

/* Score of the net on rows (of xr, row-major) or on the column-major x:
 * the validation loss (log-loss or MSE) in *loss and the score (accuracy or
 * R^2) in *score.  Either xr+rows or x is given. */
static void evaluate(const struct mlp_net *net, enum tune_task task, const double *xr,
                     const size_t *rows, const struct tune_matrix *x, const double *y, size_t n,
                     struct mlp_work *w, double *batch, double *loss, double *score)
{
    size_t L = net->n_layers, k = net->units[L], d = net->units[0];
    double sum_loss = 0, right = 0, ss_res = 0, mean = 0, ss_tot = 0;
    for (size_t i0 = 0; i0 < n; i0 += w->rows) {
        size_t b = n - i0 < w->rows ? n - i0 : w->rows;
        if (x)
            rows_of(x, i0, b, batch);
        else
            gather(xr, d, rows + i0, b, batch);
        tune_mlp_forward(net, batch, b, w);
        const double *p = w->act[L];
        for (size_t i = 0; i < b; i++) {
            double t = x ? y[i0 + i] : y[rows[i0 + i]];
            if (task == TUNE_TASK_REGRESSION) {
                double e = t - p[i];
                ss_res += e * e;
                mean += t;
            } else if (task == TUNE_TASK_BINARY) {
                double q = fmin(fmax(p[i], 1e-15), 1 - 1e-15);
                sum_loss -= t == 1 ? log(q) : log(1 - q);
                right += (p[i] > 0.5) == (t == 1);
            } else {
                const double *pr = p + i * k;
                size_t best = 0;
                for (size_t c = 1; c < k; c++)
                    best = pr[c] > pr[best] ? c : best;
                right += best == (size_t)t;
                sum_loss -= log(fmax(pr[(size_t)t], 1e-15));
            }
        }
    }
    if (task == TUNE_TASK_REGRESSION) {
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double t = x ? y[i] : y[rows[i]];
            ss_tot += (t - mean) * (t - mean);
        }
        *loss = ss_res / (double)n;
        *score = ss_tot > 0 ? 1 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
    } else {
        *loss = sum_loss / (double)n;
        *score = right / (double)n;
    }
}

/* Weights drawn as described at the top. */
static void init_weights(struct mlp_net *net, int he, gsl_rng *rng)
{
    for (size_t l = 1; l <= net->n_layers; l++) {
        size_t fin = net->units[l - 1], fout = net->units[l];
        double *wl = net->params + tune_mlp_weight_offset(net, l);
        double *bl = net->params + tune_mlp_bias_offset(net, l);
        double bound = he ? sqrt(6.0 / (double)fin)
                          : sqrt((net->activation == MLP_SIGMOID ? 2.0 : 6.0) /
                                 (double)(fin + fout));
        for (size_t i = 0; i < fin * fout; i++)
            wl[i] = gsl_ran_flat(rng, -bound, bound);
        for (size_t j = 0; j < fout; j++)
            bl[j] = he ? 0.0 : gsl_ran_flat(rng, -bound, bound);
    }
}

/* Training rows and held-out rows for early stopping: a shuffled split,
 * stratified by class for classification (round(frac * class count) rows of
 * each class, at least one row always left for training). */
static void split_rows(const double *y, size_t n, enum tune_task task, size_t n_classes,
                       double frac, gsl_rng *rng, size_t *order, size_t *n_train)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    gsl_ran_shuffle(rng, order, n, sizeof *order);
    size_t groups = is_classification(task) ? n_classes : 1;
    /* stable partition: validation rows of each class go to the end */
    size_t *tmp = order + n;   /* caller gave 2n slots */
    size_t nt = 0, nv = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            count += groups == 1 || (size_t)y[order[i]] == g;
        size_t want = (size_t)floor(frac * (double)count + 0.5), seen = 0;
        for (size_t i = 0; i < n; i++) {
            if (groups > 1 && (size_t)y[order[i]] != g)
                continue;
            if (seen++ < want)
                tmp[n - 1 - nv++] = order[i];
            else
                tmp[nt++] = order[i];
        }
    }
    if (nt == 0) {   /* keep one row to train on */
        tmp[nt++] = tmp[n - nv];
        nv--;
    }
    memcpy(order, tmp, n * sizeof *order);
    *n_train = nt;
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols;
    int rc;
    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    enum tune_task task = ctx->task;
    if ((rc = tune_trainer_check_data("mlp", tune_trainer_mlp.tasks, x, y, ctx, err)))
        return rc;
    if (d == 0)
        return tune_error_set(err, TUNE_EINVAL, "mlp: no feature columns");

    const char *layout = hidden_choices[(size_t)params->values[HP_HIDDEN]];
    int optimizer = (int)params->values[HP_OPTIMIZER];
    double lr = params->values[HP_LEARNING_RATE];
    double momentum = params->values[HP_MOMENTUM];
    int nesterov = params->values[HP_NESTEROV] != 0;
    size_t batch = (size_t)params->values[HP_BATCH_SIZE];
    size_t epochs = (size_t)params->values[HP_EPOCHS];
    double l2 = params->values[HP_L2], dropout = params->values[HP_DROPOUT];
    int he = (int)params->values[HP_INIT] == INIT_HE;
    int early = params->values[HP_EARLY_STOPPING] != 0;
    double frac = params->values[HP_VALIDATION_FRACTION];
    size_t patience = (size_t)params->values[HP_N_ITER_NO_CHANGE];
    double tol = params->values[HP_TOL];

    struct mlp_model *m = calloc(1, sizeof *m);
    struct mlp_work w = {0}, wv = {0};
    double *xr = NULL, *grad = NULL, *mom = NULL, *vel = NULL, *best = NULL;
    double *xb = NULL, *yb = NULL;
    size_t *order = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!m || !rng)
        goto nomem;
    m->task = task;
    m->n_classes = is_classification(task) ? ctx->n_classes : 0;
    struct mlp_net *net = &m->net;
    net->units[0] = d;
    net->n_layers = parse_layout(layout, net->units) + 1;
    net->units[net->n_layers] = task == TUNE_TASK_MULTICLASS ? ctx->n_classes : 1;
    net->activation = (enum mlp_activation)(int)params->values[HP_ACTIVATION];
    net->output = task == TUNE_TASK_REGRESSION ? MLP_OUT_IDENTITY
                  : task == TUNE_TASK_BINARY   ? MLP_OUT_LOGISTIC
                                               : MLP_OUT_SOFTMAX;
    net->n_params = tune_mlp_weight_offset(net, net->n_layers + 1);
    size_t p = net->n_params, kout = net->units[net->n_layers];
    net->params = malloc(p * sizeof *net->params);
    grad = malloc(p * sizeof *grad);
    mom = calloc(p, sizeof *mom);
    vel = calloc(p, sizeof *vel);
    xr = malloc(n * d * sizeof *xr);
    order = malloc(2 * n * sizeof *order);
    if (!net->params || !grad || !mom || !vel || !xr || !order)
        goto nomem;
    gsl_rng_set(rng, (unsigned long)ctx->seed);

    /* The held-out rows (early stopping) go to the end of `order`. */
    size_t n_train = n;
    if (early)
        split_rows(y, n, task, m->n_classes, frac, rng, order, &n_train);
    else
        for (size_t i = 0; i < n; i++)
            order[i] = i;
    size_t n_val = n - n_train;
    if (batch > n_train)
        batch = n_train;
    if (!tune_mlp_work_init(&w, net, batch) || !tune_mlp_work_init(&wv, net, CHUNK))
        goto nomem;
    xb = malloc((CHUNK > batch ? CHUNK : batch) * d * sizeof *xb);
    yb = malloc(batch * kout * sizeof *yb);
    if (early)
        best = malloc(p * sizeof *best);
    if (!xb || !yb || (early && !best))
        goto nomem;
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < n; i++)
            xr[i * d + j] = x->data[j * n + i];
    init_weights(net, he, rng);
    if (early)
        memcpy(best, net->params, p * sizeof *best);

    double best_loss = INFINITY, best_score = -INFINITY;
    size_t stale = 0, t = 0;
    for (size_t ep = 0; ep < epochs; ep++) {
        if (ctx->cancel && *ctx->cancel) {
            rc = tune_error_set(err, TUNE_ETRAINER, "mlp: interrupted after %zu epochs", ep);
            goto fail;
        }
        gsl_ran_shuffle(rng, order, n_train, sizeof *order);
        double total = 0;
        for (size_t b0 = 0; b0 < n_train; b0 += batch) {
            size_t b = n_train - b0 < batch ? n_train - b0 : batch;
            gather(xr, d, order + b0, b, xb);
            targets(net, task, y, order + b0, b, yb);
            if (dropout > 0)
                for (size_t l = 1; l < net->n_layers; l++)
                    for (size_t i = 0; i < b * net->units[l]; i++)
                        w.mask[l][i] = gsl_rng_uniform(rng) >= dropout;
            total += tune_mlp_loss_grad(net, xb, yb, b, l2, dropout, &w, grad) * (double)b;
            t++;
            if (optimizer == OPT_ADAM) {
                double step = lr * sqrt(1 - pow(ADAM_BETA2, (double)t)) /
                              (1 - pow(ADAM_BETA1, (double)t));
                for (size_t i = 0; i < p; i++) {
                    mom[i] = ADAM_BETA1 * mom[i] + (1 - ADAM_BETA1) * grad[i];
                    vel[i] = ADAM_BETA2 * vel[i] + (1 - ADAM_BETA2) * grad[i] * grad[i];
                    net->params[i] -= step * mom[i] / (sqrt(vel[i]) + ADAM_EPS);
                }
            } else {
                for (size_t i = 0; i < p; i++) {
                    vel[i] = momentum * vel[i] - lr * grad[i];
                    net->params[i] += nesterov ? momentum * vel[i] - lr * grad[i] : vel[i];
                }
            }
        }
        double loss = total / (double)n_train;
        m->epochs_run = ep + 1;
        if (!isfinite(loss)) {
            rc = tune_error_set(err, TUNE_ENUMERIC,
                                "mlp: the loss diverged at epoch %zu (learning_rate %g is "
                                "too large?)", ep + 1, lr);
            goto fail;
        }
        /* intermediate value: the validation fold's loss, else the training loss */
        if (ctx->report) {
            double vloss = loss, vscore;
            if (ctx->x_valid && ctx->y_valid && ctx->x_valid->n_rows > 0 &&
                ctx->x_valid->n_cols == d)
                evaluate(net, task, NULL, NULL, ctx->x_valid, ctx->y_valid,
                         ctx->x_valid->n_rows, &wv, xb, &vloss, &vscore);
            if (ctx->report(ctx->report_arg, ep + 1, vloss))
                break;
        }
        /* scikit-learn's _update_no_improvement_count */
        if (early && n_val > 0) {
            double vl, score;
            evaluate(net, task, xr, order + n_train, NULL, y, n_val, &wv, xb, &vl, &score);
            stale = score < best_score + tol ? stale + 1 : 0;
            if (score > best_score) {
                best_score = score;
                memcpy(best, net->params, p * sizeof *best);
            }
        } else {
            stale = loss > best_loss - tol ? stale + 1 : 0;
            if (loss < best_loss)
                best_loss = loss;
        }
        if (stale > patience)
            break;
    }
    if (early && n_val > 0)
        memcpy(net->params, best, p * sizeof *best);
    rc = TUNE_OK;
    *model = m;
    m = NULL;
    goto done;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "mlp: out of memory (%zu rows, %zu columns)", n, d);
fail:
done:
    free_model(m);
    tune_mlp_work_release(&w);
    tune_mlp_work_release(&wv);
    free(xr);
    free(grad);
    free(mom);
    free(vel);
    free(best);
    free(xb);
    free(yb);
    free(order);
    gsl_rng_free(rng);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct mlp_model *m = model;
    const struct mlp_net *net = &m->net;
    size_t n = x->n_rows, d = net->units[0], L = net->n_layers, k = net->units[L];
    if (x->n_cols != d)
        return tune_error_set(err, TUNE_EINVAL, "mlp: %zu columns to predict, model has %zu",
                              x->n_cols, d);
    if (is_classification(m->task) ? (out->n != n || out->n_classes != m->n_classes || !out->label)
                                   : (out->n != n || !out->value))
        return tune_error_set(err, TUNE_EINVAL,
                              "mlp: predictions are not sized for %zu rows of this task", n);
    struct mlp_work w = {0};
    double *xb = malloc(CHUNK * d * sizeof *xb);
    if (!xb || !tune_mlp_work_init(&w, net, CHUNK)) {
        free(xb);
        tune_mlp_work_release(&w);
        return tune_error_set(err, TUNE_ENOMEM, "mlp: out of memory predicting %zu rows", n);
    }
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t b = n - i0 < CHUNK ? n - i0 : CHUNK;
        rows_of(x, i0, b, xb);
        tune_mlp_forward(net, xb, b, &w);
        const double *p = w.act[L];
        for (size_t i = 0; i < b; i++) {
            size_t r = i0 + i;
            if (m->task == TUNE_TASK_REGRESSION) {
                out->value[r] = p[i];
            } else if (m->task == TUNE_TASK_BINARY) {
                out->label[r] = p[i] > 0.5;
                if (out->proba) {
                    out->proba[r * 2] = 1 - p[i];
                    out->proba[r * 2 + 1] = p[i];
                }
            } else {
                size_t best = 0;
                for (size_t c = 1; c < k; c++)
                    best = p[i * k + c] > p[i * k + best] ? c : best;
                out->label[r] = (int)best;
                if (out->proba)
                    memcpy(out->proba + r * k, p + i * k, k * sizeof *p);
            }
        }
    }
    free(xb);
    tune_mlp_work_release(&w);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define MLP_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct mlp_model *m = model;
    const struct mlp_net *net = &m->net;
    int rc;
    if ((rc = tune_model_put_u32(w, MLP_MODEL_VERSION)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->task)) ||
        (rc = tune_model_put_u64(w, m->n_classes)) || (rc = tune_model_put_u64(w, m->epochs_run)) ||
        (rc = tune_model_put_u64(w, net->n_layers)))
        return rc;
    for (size_t l = 0; l <= net->n_layers; l++)
        if ((rc = tune_model_put_u64(w, net->units[l])))
            return rc;
    if ((rc = tune_model_put_u32(w, (uint32_t)net->activation)) ||
        (rc = tune_model_put_u64(w, net->n_params)))
        return rc;
    return tune_model_put_f64s(w, net->params, net->n_params);
}

/* The output unit follows from the task, and the parameter count from the
 * layer sizes, as in fit. */
static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version, task, act;
    size_t n_params;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != MLP_MODEL_VERSION)
        return tune_model_reader_fail(r, "mlp model version %u is not %d (written by a newer "
                                      "tunefold?)", version, MLP_MODEL_VERSION);
    struct mlp_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "mlp: out of memory");
    struct mlp_net *net = &m->net;
    if ((rc = tune_model_get_u32(r, &task)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &m->n_classes)) ||
        (rc = tune_model_get_size(r, "epochs", SIZE_MAX, 0, &m->epochs_run)) ||
        (rc = tune_model_get_size(r, "layers", MLP_MAX_LAYERS, 0, &net->n_layers)))
        goto fail;
    m->task = (enum tune_task)task;
    size_t L = net->n_layers, total = 0;
    /* each layer's weights are on file, so its sizes are bounded by the bytes left */
    size_t cap = tune_model_reader_left(r) / 8;
    for (size_t l = 0; l <= L && !rc; l++)
        rc = tune_model_get_size(r, "units", cap, 0, &net->units[l]);
    if (!rc)
        rc = tune_model_get_u32(r, &act);
    if (!rc)
        rc = tune_model_get_size(r, "parameters", SIZE_MAX, 8, &n_params);
    if (rc)
        goto fail;
    for (size_t l = 1; l <= L; l++) {
        size_t fin = net->units[l - 1], fout = net->units[l];
        if (fin == 0 || fout == 0 || fin > cap / fout || total > cap - fin * fout - fout) {
            rc = tune_model_reader_fail(r, "layer %zu of %zu x %zu units", l, fin, fout);
            goto fail;
        }
        total += fin * fout + fout;
    }
    net->activation = (enum mlp_activation)act;
    int classes = is_classification(m->task);
    size_t k_out = m->task == TUNE_TASK_MULTICLASS ? m->n_classes : 1;
    if (L < 1 || act > MLP_SIGMOID || (task != TUNE_TASK_BINARY && task != TUNE_TASK_MULTICLASS && task != TUNE_TASK_REGRESSION) ||
        (classes ? m->n_classes < 2 : m->n_classes != 0) ||
        (m->task == TUNE_TASK_BINARY && m->n_classes != 2) || net->units[L] != k_out ||
        n_params != total) {
        rc = tune_model_reader_fail(r, "settings out of range (task %u, %zu classes, %zu "
                                    "layers, %zu outputs, %zu parameters)", task, m->n_classes,
                                    L, net->units[L], n_params);
        goto fail;
    }
    net->output = m->task == TUNE_TASK_REGRESSION ? MLP_OUT_IDENTITY
                  : m->task == TUNE_TASK_BINARY   ? MLP_OUT_LOGISTIC
                                                  : MLP_OUT_SOFTMAX;
    net->n_params = n_params;
    if ((rc = tune_model_get_f64_array(r, n_params, &net->params)))
        goto fail;
    for (size_t i = 0; i < n_params; i++)
        if (!isfinite(net->params[i])) {
            rc = tune_model_reader_fail(r, "a weight is not finite");
            goto fail;
        }
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_mlp = {
    .version = 2,
    .name = "mlp",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = NULL,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .save = save,
    .load = load,
};
