/* SPDX-License-Identifier: GPL-3.0-or-later */
/* liblinear.c — the `liblinear` trainer: large linear models from LIBLINEAR
 * 2.3.0 (Fan, Chang, Hsieh, Wang & Lin, "LIBLINEAR: A library for large
 * linear classification", JMLR 2008; Debian's liblinear-dev), in process.
 *
 * Solvers, by LIBLINEAR's names (liblinear-train's -s number in brackets):
 * L2-regularised logistic regression, primal (l2r_lr, 0) or dual
 * (l2r_lr_dual, 7); L2-regularised L2-loss SVC, dual (l2r_l2loss_svc_dual, 1)
 * or primal (l2r_l2loss_svc, 2); L2-regularised L1-loss SVC, dual
 * (l2r_l1loss_svc_dual, 3); Crammer and Singer's multiclass SVC (mcsvm_cs, 4);
 * L1-regularised L2-loss SVC (l1r_l2loss_svc, 5) and logistic regression
 * (l1r_lr, 6); and for regression L2-regularised L2-loss SVR, primal
 * (l2r_l2loss_svr, 11) or dual (l2r_l2loss_svr_dual, 12), and L1-loss SVR,
 * dual (l2r_l1loss_svr_dual, 13).  `auto` is l2r_lr for classification (what
 * scikit-learn's LogisticRegression(solver="liblinear") runs) and
 * l2r_l1loss_svr_dual for regression (LinearSVR's default).  Multiclass is
 * LIBLINEAR's one-vs-rest, except mcsvm_cs.
 *
 * `eps` 0 takes liblinear-train's default for the solver (0.01 for the
 * primal and L1 solvers, 0.001 for l2r_l2loss_svr, 0.1 for the dual ones);
 * scikit-learn passes its tol (1e-4) instead.  `bias` >= 0 appends a
 * constant feature of that value, whose weight is the intercept (and, in
 * this version of LIBLINEAR, is regularised like the others: scikit-learn's
 * intercept_scaling); < 0 fits no intercept.
 *
 * Data: the training matrix becomes LIBLINEAR's (index, value) nodes once
 * per fit (zeros left out: LIBLINEAR's sums skip them the same way), plus
 * the bias node, freed as soon as LIBLINEAR has its weights.  Rows are
 * handed over grouped by class in ascending code, so LIBLINEAR's classes
 * come in the order scikit-learn's copy of it sorts them into.
 *
 * Scores.  The logistic solvers give probabilities (LIBLINEAR's
 * predict_probability: the sigmoid, normalised over the one-vs-rest models
 * for multiclass).  The others give decision values: binary, oriented so
 * that positive means class 1 (proba[2i+1]; proba[2i] = 1 - it, a score
 * column's convention); multiclass, one column per class (a class absent
 * from the training fold scores -DBL_MAX).  Labels are LIBLINEAR's.
 *
 * Randomness and printing.  The dual and L1 solvers visit rows in an order
 * drawn from the C library's rand(); each fit calls srand() with the trial's
 * seed first (process-wide: see svm.c).  LIBLINEAR's progress lines are
 * dropped (set_print_string_function).  check_parameter's refusals become
 * TUNE_EINVAL errors naming the hyperparameter. */
#include "tunefold/trainer.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <linear.h>

enum { HP_SOLVER, HP_C, HP_EPS, HP_BIAS, HP_EPSILON, HP_CLASS_WEIGHT, HP_COUNT };
enum { CW_NONE, CW_BALANCED };

static const char *const solver_choices[] = {
    "auto", "l2r_lr", "l2r_l2loss_svc_dual", "l2r_l2loss_svc", "l2r_l1loss_svc_dual",
    "mcsvm_cs", "l1r_l2loss_svc", "l1r_lr", "l2r_lr_dual", "l2r_l2loss_svr",
    "l2r_l2loss_svr_dual", "l2r_l1loss_svr_dual", NULL};
/* LIBLINEAR's solver_type of each choice after "auto". */
static const int solver_code[] = {
    -1, L2R_LR, L2R_L2LOSS_SVC_DUAL, L2R_L2LOSS_SVC, L2R_L1LOSS_SVC_DUAL, MCSVM_CS,
    L1R_L2LOSS_SVC, L1R_LR, L2R_LR_DUAL, L2R_L2LOSS_SVR, L2R_L2LOSS_SVR_DUAL,
    L2R_L1LOSS_SVR_DUAL};
static const char *const class_weight_choices[] = {"none", "balanced", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_SOLVER] = {"solver", TUNE_PARAM_CATEGORICAL, 0, 0, 11, solver_choices,
                   "LIBLINEAR's solver; auto: l2r_lr for classification, l2r_l1loss_svr_dual "
                   "for regression"},
    [HP_C] = {"C", TUNE_PARAM_FLOAT, 1.0, 1e-12, 1e12, NULL,
              "cost of the loss against the regulariser (larger: weaker penalty)"},
    [HP_EPS] = {"eps", TUNE_PARAM_FLOAT, 0.0, 0.0, 1e3, NULL,
                "stopping tolerance; 0: liblinear-train's default for the solver"},
    [HP_BIAS] = {"bias", TUNE_PARAM_FLOAT, 1.0, -1.0, 1e6, NULL,
                 "value of the constant feature whose weight is the intercept; < 0: none"},
    [HP_EPSILON] = {"epsilon", TUNE_PARAM_FLOAT, 0.1, 0.0, 1e12, NULL,
                    "SVR solvers: half-width of the insensitive tube (liblinear-train's -p)"},
    [HP_CLASS_WEIGHT] = {"class_weight", TUNE_PARAM_CATEGORICAL, CW_NONE, 0, 1,
                         class_weight_choices,
                         "none, or balanced: C of class c times n / (classes x n_c)"},
};

struct linear_fit {
    size_t d, k;              /* columns; classes (0: regression) */
    int regression;
    int probability;          /* logistic: proba holds probabilities */
    int constant;             /* one class in training: always that class */
    int constant_code;
    struct model *model;
    int nr_class, nr_w;
    int *code_at;             /* model label index -> class code */
};

static void quiet(const char *s)
{
    (void)s;
}

static void liblinear_free(void *model)
{
    struct linear_fit *m = model;
    if (!m)
        return;
    if (m->model) {
        /* The weights were ours, freed after training. */
        m->model->param.weight_label = NULL;
        m->model->param.weight = NULL;
        m->model->param.nr_weight = 0;
        free_and_destroy_model(&m->model);
    }
    free(m->code_at);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("liblinear", hparams, HP_COUNT, params, err);
}

static int is_svr(int solver)
{
    return solver == L2R_L2LOSS_SVR || solver == L2R_L2LOSS_SVR_DUAL ||
           solver == L2R_L1LOSS_SVR_DUAL;
}

/* liblinear-train's default tolerance of each solver. */
static double default_eps(int solver)
{
    switch (solver) {
    case L2R_LR:
    case L2R_L2LOSS_SVC:
    case L1R_L2LOSS_SVC:
    case L1R_LR:
        return 0.01;
    case L2R_L2LOSS_SVR:
        return 0.001;
    default:
        return 0.1;
    }
}

static const char *param_of_message(const char *msg)
{
    if (strncmp(msg, "eps", 3) == 0)
        return "eps";
    if (strncmp(msg, "C <= 0", 6) == 0)
        return "C";
    if (strncmp(msg, "p < 0", 5) == 0)
        return "epsilon";
    return "solver";
}

static int liblinear_fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k = ctx->n_classes;
    struct linear_fit *m = NULL;
    size_t *count = NULL, *order = NULL;
    struct feature_node *nodes = NULL, **rows = NULL;
    double *yl = NULL;
    int *weight_label = NULL;
    double *weight = NULL;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)))
        return rc;
    if ((rc = tune_trainer_check_data("liblinear", tune_trainer_liblinear.tasks, x, y, ctx,
                                      err)))
        return rc;
    if (n > (size_t)INT_MAX || d >= (size_t)INT_MAX - 1)
        return tune_error_set(err, TUNE_EINVAL, "liblinear: %zu rows x %zu columns is more "
                              "than LIBLINEAR's int indices hold", n, d);
    const double *v = params->values;
    int regression = ctx->task == TUNE_TASK_REGRESSION;
    int choice = (int)v[HP_SOLVER];
    int solver = choice == 0 ? (regression ? L2R_L1LOSS_SVR_DUAL : L2R_LR) : solver_code[choice];
    if (is_svr(solver) != regression)
        return tune_error_set(err, TUNE_EINVAL, "liblinear: solver: %s is %s, the task is %s",
                              solver_choices[choice],
                              regression ? "a classifier" : "a regression",
                              tune_task_name(ctx->task));
    if (ctx->cancel && *ctx->cancel)
        return tune_error_set(err, TUNE_ETRAINER, "liblinear: cancelled");

    m = calloc(1, sizeof *m);
    yl = malloc((n + 1) * sizeof *yl);
    order = malloc((n + 1) * sizeof *order);
    if (!m || !yl || !order)
        goto nomem;
    m->d = d;
    m->k = regression ? 0 : k;
    m->regression = regression;

    size_t present = 0;
    if (!regression) {
        count = calloc(k + 1, sizeof *count);
        size_t *start = calloc(k + 1, sizeof *start);
        if (!count || !start) {
            free(start);
            goto nomem;
        }
        for (size_t i = 0; i < n; i++)
            count[(size_t)y[i]]++;
        for (size_t c = 0; c < k; c++) {
            present += count[c] > 0;
            start[c + 1] = start[c] + count[c];
            if (count[c])
                m->constant_code = (int)c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t c = (size_t)y[i];
            yl[start[c]] = y[i];
            order[start[c]++] = i;
        }
        free(start);
        if (present == 1) {
            m->constant = 1;
            goto done;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            yl[i] = y[i];
            order[i] = i;
        }
    }

    double bias = v[HP_BIAS] >= 0 ? v[HP_BIAS] : -1.0;
    size_t nnz = 0;
    for (size_t t = 0; t < n * d; t++)
        nnz += x->data[t] != 0.0;
    size_t per_row_extra = bias >= 0 ? 2 : 1;
    nodes = malloc((nnz + per_row_extra * n) * sizeof *nodes);
    rows = malloc((n + 1) * sizeof *rows);
    if (!nodes || !rows)
        goto nomem;
    struct feature_node *p = nodes;
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r];
        rows[r] = p;
        for (size_t j = 0; j < d; j++) {
            double val = x->data[j * n + i];
            if (val != 0.0)
                *p++ = (struct feature_node){(int)j + 1, val};
        }
        if (bias >= 0)
            *p++ = (struct feature_node){(int)d + 1, bias};
        *p++ = (struct feature_node){-1, 0.0};
    }

    struct parameter param = {0};
    param.solver_type = solver;
    param.eps = v[HP_EPS] > 0 ? v[HP_EPS] : default_eps(solver);
    param.C = v[HP_C];
    param.p = v[HP_EPSILON];
    param.init_sol = NULL;
    if (!regression && (int)v[HP_CLASS_WEIGHT] == CW_BALANCED) {
        weight_label = malloc(present * sizeof *weight_label);
        weight = malloc(present * sizeof *weight);
        if (!weight_label || !weight)
            goto nomem;
        for (size_t c = 0; c < k; c++)
            if (count[c]) {
                weight_label[param.nr_weight] = (int)c;
                weight[param.nr_weight++] = (double)n / ((double)present * (double)count[c]);
            }
        param.weight_label = weight_label;
        param.weight = weight;
    }
    struct problem prob = {(int)n, (int)d + (bias >= 0), yl, rows, bias};
    const char *bad = check_parameter(&prob, &param);
    if (bad) {
        rc = tune_error_set(err, TUNE_EINVAL, "liblinear: %s: %s (LIBLINEAR)",
                            param_of_message(bad), bad);
        goto fail;
    }
    set_print_string_function(quiet);
    srand((unsigned)(ctx->seed ^ (ctx->seed >> 32)));
    m->model = train(&prob, &param);
    if (!m->model)
        goto nomem;
    m->model->param.weight_label = NULL;
    m->model->param.weight = NULL;
    m->model->param.nr_weight = 0;
    m->probability = check_probability_model(m->model);
    if (!regression) {
        m->nr_class = get_nr_class(m->model);
        m->nr_w = m->nr_class == 2 && solver != MCSVM_CS ? 1 : m->nr_class;
        m->code_at = malloc((size_t)m->nr_class * sizeof *m->code_at);
        if (!m->code_at)
            goto nomem;
        get_labels(m->model, m->code_at);
    }

done:
    free(count);
    free(order);
    free(nodes);
    free(rows);
    free(yl);
    free(weight_label);
    free(weight);
    *model = m;
    return TUNE_OK;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "liblinear: out of memory (%zu rows, %zu columns)", n,
                        d);
fail:
    free(count);
    free(order);
    free(nodes);
    free(rows);
    free(yl);
    free(weight_label);
    free(weight);
    liblinear_free(m);
    return rc;
}

static int liblinear_predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct linear_fit *m = model;
    size_t n = x->n_rows, d = m->d, k = m->k;
    if (x->n_cols != d)
        return tune_error_set(err, TUNE_EINVAL, "liblinear: %zu columns to predict, model has "
                              "%zu", x->n_cols, d);
    if (out->n != n || (!m->regression && (out->n_classes != k || !out->label)) ||
        (m->regression && !out->value))
        return tune_error_set(err, TUNE_EINVAL, "liblinear: predictions sized for %zu rows of "
                              "%zu classes, need %zu rows of %zu", out->n, out->n_classes, n, k);
    if (m->constant) {
        for (size_t i = 0; i < n; i++) {
            out->label[i] = m->constant_code;
            for (size_t c = 0; out->proba && c < k; c++)
                out->proba[i * k + c] = (int)c == m->constant_code;
        }
        return TUNE_OK;
    }
    struct feature_node *buf = malloc((d + 2) * sizeof *buf);
    double *dec = malloc(((size_t)m->nr_class + 1) * sizeof *dec);
    if (!buf || !dec) {
        free(buf);
        free(dec);
        return tune_error_set(err, TUNE_ENOMEM, "liblinear: out of memory (%zu columns)", d);
    }
    double bias = m->model->bias;
    for (size_t i = 0; i < n; i++) {
        size_t q = 0;
        for (size_t j = 0; j < d; j++) {
            double val = x->data[j * n + i];
            if (val != 0.0)
                buf[q++] = (struct feature_node){(int)j + 1, val};
        }
        if (bias >= 0)
            buf[q++] = (struct feature_node){(int)d + 1, bias};
        buf[q] = (struct feature_node){-1, 0.0};
        if (m->regression) {
            out->value[i] = predict_values(m->model, buf, dec);
            continue;
        }
        double *pr = out->proba ? out->proba + i * k : NULL;
        if (m->probability) {
            out->label[i] = (int)predict_probability(m->model, buf, dec);
            if (pr) {
                for (size_t c = 0; c < k; c++)
                    pr[c] = 0;
                for (int c = 0; c < m->nr_class; c++)
                    pr[m->code_at[c]] = dec[c];
            }
            continue;
        }
        out->label[i] = (int)predict_values(m->model, buf, dec);
        if (!pr)
            continue;
        if (k == 2) {
            /* One weight vector, positive for the model's first class; or
             * (mcsvm_cs) one per class. */
            double s = m->nr_w == 1 ? (m->code_at[0] == 1 ? dec[0] : -dec[0])
                                    : (m->code_at[0] == 1 ? dec[0] - dec[1] : dec[1] - dec[0]);
            pr[1] = s;
            pr[0] = 1 - s;
        } else {
            for (size_t c = 0; c < k; c++)
                pr[c] = -DBL_MAX;
            if (m->nr_w == 1) {
                /* Two of the classes in training: one vector for both. */
                pr[m->code_at[0]] = dec[0];
                pr[m->code_at[1]] = -dec[0];
            } else {
                for (int c = 0; c < m->nr_class; c++)
                    pr[m->code_at[c]] = dec[c];
            }
        }
    }
    free(buf);
    free(dec);
    return TUNE_OK;
}


/* ---- saving and loading (trainer.h) ----
 *
 * The fitted numbers, not LIBLINEAR's text format (load_model trusts its
 * file): the solver, the classes, the bias and the weights, nr_w per
 * feature as save_model writes them (nr_w = 1 for two classes except
 * mcsvm_cs, else one per class; regression one).  load rebuilds a struct
 * model with malloc, as load_model does, so free_and_destroy_model frees it. */

#define LIBLINEAR_MODEL_VERSION 1
#define LIBLINEAR_MAX_CLASSES 65535

static int liblinear_save(const void *model, struct tune_model_writer *w,
                          struct tune_error *err)
{
    (void)err;
    const struct linear_fit *m = model;
    int rc;
    if ((rc = tune_model_put_u32(w, LIBLINEAR_MODEL_VERSION)) ||
        (rc = tune_model_put_u64(w, m->d)) || (rc = tune_model_put_u64(w, m->k)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->regression)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->constant)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->constant_code)))
        return rc;
    if (m->constant)
        return TUNE_OK;
    const struct model *lm = m->model;
    if ((rc = tune_model_put_u32(w, (uint32_t)lm->param.solver_type)) ||
        (rc = tune_model_put_u64(w, (uint64_t)lm->nr_class)) ||
        (rc = tune_model_put_f64(w, lm->bias)))
        return rc;
    if (!m->regression)
        for (int c = 0; c < lm->nr_class; c++)
            if ((rc = tune_model_put_u32(w, (uint32_t)lm->label[c])))
                return rc;
    size_t nr_w = m->regression ? 1 : (size_t)m->nr_w;
    size_t n = m->d + (lm->bias >= 0);
    return tune_model_put_f64s(w, lm->w, n * nr_w);
}

static int liblinear_load_model(struct tune_model_reader *r, struct linear_fit *m,
                                struct tune_error *err)
{
    uint32_t solver;
    size_t nr;
    double bias;
    int rc;
    if ((rc = tune_model_get_u32(r, &solver)) ||
        (rc = tune_model_get_size(r, "classes", LIBLINEAR_MAX_CLASSES, 0, &nr)) ||
        (rc = tune_model_get_f64(r, &bias)))
        return rc;
    int known = solver <= L2R_LR_DUAL || (solver >= L2R_L2LOSS_SVR && solver <= L2R_L1LOSS_SVR_DUAL);
    if (!known || is_svr((int)solver) != m->regression)
        return tune_model_reader_fail(r, "solver %u is not one of this task's", solver);
    if (m->regression ? nr != 2 : (nr < 2 || nr > m->k))
        return tune_model_reader_fail(r, "%zu classes in a model of %zu", nr, m->k);
    if (!isfinite(bias) || (bias < 0 && bias != -1.0))
        return tune_model_reader_fail(r, "bias %g", bias);
    struct model *lm = calloc(1, sizeof *lm);
    if (!lm)
        return tune_error_set(err, TUNE_ENOMEM, "liblinear: out of memory");
    m->model = lm;
    lm->param.solver_type = (int)solver;
    lm->nr_class = (int)nr;
    lm->nr_feature = (int)m->d;
    lm->bias = bias;
    m->nr_class = (int)nr;
    m->nr_w = nr == 2 && solver != MCSVM_CS ? 1 : (int)nr;
    if (!m->regression) {
        lm->label = malloc(nr * sizeof *lm->label);
        m->code_at = malloc(nr * sizeof *m->code_at);
        if (!lm->label || !m->code_at)
            return tune_error_set(err, TUNE_ENOMEM, "liblinear: out of memory");
        for (size_t c = 0; c < nr; c++) {
            uint32_t label;
            if ((rc = tune_model_get_u32(r, &label)))
                return rc;
            if (label >= m->k)
                return tune_model_reader_fail(r, "class %u of %zu", label, m->k);
            for (size_t b = 0; b < c; b++)
                if (lm->label[b] == (int)label)
                    return tune_model_reader_fail(r, "class %u twice", label);
            lm->label[c] = m->code_at[c] = (int)label;
        }
    }
    m->probability = check_probability_model(lm);
    size_t nr_w = m->regression ? 1 : (size_t)m->nr_w;
    size_t n = m->d + (bias >= 0);
    if (n > tune_model_reader_left(r) / 8 / nr_w)
        return tune_model_reader_fail(r, "%zu x %zu weights, %zu bytes left", n, nr_w,
                                      tune_model_reader_left(r));
    if ((rc = tune_model_get_f64_array(r, n * nr_w, &lm->w)))
        return rc;
    for (size_t i = 0; i < n * nr_w; i++)
        if (!isfinite(lm->w[i]))
            return tune_model_reader_fail(r, "weight %zu is not finite", i);
    return TUNE_OK;
}

static int liblinear_load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version, regression, constant, code;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != LIBLINEAR_MODEL_VERSION)
        return tune_model_reader_fail(r, "liblinear model version %u is not %d (written by a "
                                      "newer tunefold?)", version, LIBLINEAR_MODEL_VERSION);
    struct linear_fit *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "liblinear: out of memory");
    if ((rc = tune_model_get_size(r, "columns", INT_MAX - 2, 0, &m->d)) ||
        (rc = tune_model_get_size(r, "classes", LIBLINEAR_MAX_CLASSES, 0, &m->k)) ||
        (rc = tune_model_get_u32(r, &regression)) || (rc = tune_model_get_u32(r, &constant)) ||
        (rc = tune_model_get_u32(r, &code)))
        goto fail;
    if (regression > 1 || constant > 1 || (regression ? m->k != 0 || constant : m->k < 2) ||
        (code != 0 && code >= m->k)) {
        rc = tune_model_reader_fail(r, "task flags %u %u, %zu classes, class %u", regression,
                                    constant, m->k, code);
        goto fail;
    }
    m->regression = (int)regression;
    m->constant = (int)constant;
    m->constant_code = (int)code;
    if (!constant && (rc = liblinear_load_model(r, m, err)))
        goto fail;
    *model = m;
    return TUNE_OK;
fail:
    liblinear_free(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_liblinear = {
    .version = 2,
    .name = "liblinear",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = check_params,
    .fit = liblinear_fit,
    .predict = liblinear_predict,
    .free_model = liblinear_free,
    .save = liblinear_save,
    .load = liblinear_load,
};
