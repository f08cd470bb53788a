/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mlp_net.c — forward pass, loss and backpropagated gradient of a
 * multi-layer perceptron (see mlp_net.h for the layout and the losses).
 *
 * Every product is one BLAS dgemm on row-major blocks (rows x units): the
 * layer input times W_l for the forward pass, input^T times deltas for the
 * weight gradient, deltas times W_l^T for the deltas of the layer below.
 * Called from one thread only (Debian's serial OpenBLAS is not safe to
 * call from several at once). */
#include "mlp_net.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cblas.h>

size_t tune_mlp_weight_offset(const struct mlp_net *net, size_t l)
{
    size_t off = 0;
    for (size_t k = 1; k < l; k++)
        off += net->units[k - 1] * net->units[k] + net->units[k];
    return off;
}

size_t tune_mlp_bias_offset(const struct mlp_net *net, size_t l)
{
    return tune_mlp_weight_offset(net, l) + net->units[l - 1] * net->units[l];
}

int tune_mlp_work_init(struct mlp_work *w, const struct mlp_net *net, size_t rows)
{
    memset(w, 0, sizeof *w);
    w->rows = rows;
    for (size_t l = 0; l <= net->n_layers; l++) {
        size_t cells = rows * net->units[l] + 1;
        if (l > 0) {
            w->act[l] = malloc(cells * sizeof *w->act[l]);
            if (!w->act[l])
                return 0;
        }
        w->delta[l] = malloc(cells * sizeof *w->delta[l]);
        w->mask[l] = malloc(cells);
        if (!w->delta[l] || !w->mask[l])
            return 0;
    }
    return 1;
}

void tune_mlp_work_release(struct mlp_work *w)
{
    for (size_t l = 0; l <= MLP_MAX_LAYERS; l++) {
        free(w->act[l]);
        free(w->delta[l]);
        free(w->mask[l]);
    }
    memset(w, 0, sizeof *w);
}

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

static void activate(enum mlp_activation f, double *a, size_t n)
{
    switch (f) {
    case MLP_RELU:
        for (size_t i = 0; i < n; i++)
            a[i] = a[i] > 0 ? a[i] : 0.0;
        break;
    case MLP_TANH:
        for (size_t i = 0; i < n; i++)
            a[i] = tanh(a[i]);
        break;
    case MLP_SIGMOID:
        for (size_t i = 0; i < n; i++)
            a[i] = sigmoid(a[i]);
        break;
    }
}

/* out (b x units[l]) = in (b x units[l-1]) W_l + b_l */
static void affine(const struct mlp_net *net, size_t l, const double *in, size_t b, double *out)
{
    size_t fin = net->units[l - 1], fout = net->units[l];
    const double *wl = net->params + tune_mlp_weight_offset(net, l);
    const double *bl = net->params + tune_mlp_bias_offset(net, l);
    for (size_t i = 0; i < b; i++)
        memcpy(out + i * fout, bl, fout * sizeof *out);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)fout, (int)fin, 1.0, in,
                (int)fin, wl, (int)fout, 1.0, out, (int)fout);
}

static void output(enum mlp_output f, double *a, size_t b, size_t k)
{
    if (f == MLP_OUT_LOGISTIC) {
        for (size_t i = 0; i < b * k; i++)
            a[i] = sigmoid(a[i]);
    } else if (f == MLP_OUT_SOFTMAX) {
        for (size_t i = 0; i < b; i++) {
            double *z = a + i * k, zmax = z[0], sum = 0;
            for (size_t c = 1; c < k; c++)
                zmax = z[c] > zmax ? z[c] : zmax;
            for (size_t c = 0; c < k; c++)
                sum += z[c] = exp(z[c] - zmax);
            for (size_t c = 0; c < k; c++)
                z[c] /= sum;
        }
    }
}

/* The forward pass; with dropout > 0 the hidden layers apply w->mask. */
static void forward(const struct mlp_net *net, const double *x, size_t b, double dropout,
                    struct mlp_work *w)
{
    size_t L = net->n_layers;
    const double *in = x;
    double scale = dropout > 0 ? 1.0 / (1.0 - dropout) : 1.0;
    for (size_t l = 1; l <= L; l++) {
        size_t n = b * net->units[l];
        affine(net, l, in, b, w->act[l]);
        if (l < L) {
            activate(net->activation, w->act[l], n);
            if (dropout > 0)
                for (size_t i = 0; i < n; i++)
                    w->act[l][i] = w->mask[l][i] ? w->act[l][i] * scale : 0.0;
        } else {
            output(net->output, w->act[l], b, net->units[l]);
        }
        in = w->act[l];
    }
}

void tune_mlp_forward(const struct mlp_net *net, const double *x, size_t b, struct mlp_work *w)
{
    forward(net, x, b, 0.0, w);
}

/* Mean loss of the outputs p against y (clipped as scikit-learn). */
static double data_loss(enum mlp_output f, const double *p, const double *y, size_t b, size_t k)
{
    double s = 0, eps = DBL_EPSILON;
    for (size_t i = 0; i < b * k; i++) {
        double q = p[i];
        if (f == MLP_OUT_IDENTITY) {
            double e = y[i] - q;
            s += 0.5 * e * e;
            continue;
        }
        q = q < eps ? eps : q > 1 - eps ? 1 - eps : q;
        if (y[i] != 0)
            s -= y[i] * log(q);
        if (f == MLP_OUT_LOGISTIC && y[i] != 1)
            s -= (1 - y[i]) * log(1 - q);
    }
    return s / (double)b;
}

double tune_mlp_loss_grad(const struct mlp_net *net, const double *x, const double *y, size_t b,
                          double l2, double dropout, struct mlp_work *w, double *grad)
{
    size_t L = net->n_layers, kout = net->units[L];
    forward(net, x, b, dropout, w);
    double loss = data_loss(net->output, w->act[L], y, b, kout);

    /* output deltas: p - y for each loss with its matching output */
    double *dl = w->delta[L];
    for (size_t i = 0; i < b * kout; i++)
        dl[i] = w->act[L][i] - y[i];
    double inv_b = 1.0 / (double)b, scale = dropout > 0 ? 1.0 / (1.0 - dropout) : 1.0;
    for (size_t l = L; l >= 1; l--) {
        size_t fin = net->units[l - 1], fout = net->units[l];
        const double *in = l == 1 ? x : w->act[l - 1];
        const double *wl = net->params + tune_mlp_weight_offset(net, l);
        double *gw = grad + tune_mlp_weight_offset(net, l);
        double *gb = grad + tune_mlp_bias_offset(net, l);
        const double *d = w->delta[l];
        /* gW = (in^T delta + l2 W) / b */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)fin, (int)fout, (int)b, inv_b,
                    in, (int)fin, d, (int)fout, 0.0, gw, (int)fout);
        double sq = 0;
        for (size_t i = 0; i < fin * fout; i++) {
            gw[i] += l2 * inv_b * wl[i];
            sq += wl[i] * wl[i];
        }
        loss += 0.5 * l2 * inv_b * sq;
        for (size_t j = 0; j < fout; j++)
            gb[j] = 0;
        for (size_t i = 0; i < b; i++)
            for (size_t j = 0; j < fout; j++)
                gb[j] += d[i * fout + j];
        for (size_t j = 0; j < fout; j++)
            gb[j] *= inv_b;
        if (l == 1)
            break;
        /* delta below = (delta W^T) * f'(a), a the activation before dropout */
        double *db = w->delta[l - 1];
        const double *a = w->act[l - 1];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)fin, (int)fout, 1.0, d,
                    (int)fout, wl, (int)fout, 0.0, db, (int)fin);
        for (size_t i = 0; i < b * fin; i++) {
            double ai = a[i];
            if (dropout > 0) {
                if (!w->mask[l - 1][i]) {
                    db[i] = 0;
                    continue;
                }
                ai /= scale;   /* undo the inverted-dropout scaling */
                db[i] *= scale;
            }
            switch (net->activation) {
            case MLP_RELU:
                db[i] = ai > 0 ? db[i] : 0.0;
                break;
            case MLP_TANH:
                db[i] *= 1.0 - ai * ai;
                break;
            case MLP_SIGMOID:
                db[i] *= ai * (1.0 - ai);
                break;
            }
        }
    }
    return loss;
}
