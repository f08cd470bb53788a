/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mlp_net.h — the multi-layer perceptron's arithmetic (internal to
 * trainers/): forward pass, loss and its gradient by backpropagation, for
 * the `mlp` trainer (trainers/mlp.c) and for the finite-difference test.
 *
 * Layout.  A net with L weight layers has units[0] inputs, units[1..L-1]
 * hidden units and units[L] outputs.  Its parameters are one flat array,
 * layer after layer: W_l (units[l-1] x units[l], row-major: fan-in rows, as
 * scikit-learn's coefs_) then b_l (units[l]).  Batches are row-major
 * (rows x units).
 *
 * Loss of a batch of B rows (scikit-learn's MLP losses, the l2 term
 * scikit-learn's too):
 *   logistic output (binary):  -(1/B) sum [y log p + (1-y) log(1-p)]
 *   softmax output:            -(1/B) sum_i log p_i,y_i
 *   identity output:            (1/(2B)) sum (y - p)^2
 *   plus (l2 / (2B)) sum ||W_l||^2  (weights only, never biases);
 * probabilities clipped to [eps, 1 - eps] in the loss value, as
 * scikit-learn does.  Its gradient is exact for the unclipped loss: output
 * deltas p - y, hidden deltas (delta W^T) * f'(a) with f' from the
 * activation's output (relu: a > 0; tanh: 1 - a^2; sigmoid: a (1 - a)). */
#ifndef TUNEFOLD_MLP_NET_H
#define TUNEFOLD_MLP_NET_H

#include <stddef.h>
#include <stdint.h>

enum mlp_activation { MLP_RELU = 0, MLP_TANH = 1, MLP_SIGMOID = 2 };
enum mlp_output { MLP_OUT_IDENTITY = 0, MLP_OUT_LOGISTIC = 1, MLP_OUT_SOFTMAX = 2 };

struct mlp_net {
    size_t n_layers;              /* weight layers L >= 1 */
    size_t units[9];              /* units[0..L] */
    enum mlp_activation activation;
    enum mlp_output output;
    size_t n_params;
    double *params;               /* owned */
};

#define MLP_MAX_LAYERS 8

/* Offsets of W_l and b_l (l = 1..L) in the parameter array. */
size_t tune_mlp_weight_offset(const struct mlp_net *net, size_t l);
size_t tune_mlp_bias_offset(const struct mlp_net *net, size_t l);

/* Buffers for batches of up to `rows` rows. */
struct mlp_work {
    size_t rows;
    double *act[MLP_MAX_LAYERS + 1];    /* act[l]: rows x units[l] (act[0] unused) */
    double *delta[MLP_MAX_LAYERS + 1];  /* delta[l]: rows x units[l] */
    unsigned char *mask[MLP_MAX_LAYERS + 1]; /* dropout keep flags of hidden layers */
};

/* Allocate the work buffers; 0 when out of memory.  Release with
 * tune_mlp_work_release (also after a failure). */
int tune_mlp_work_init(struct mlp_work *w, const struct mlp_net *net, size_t rows);
void tune_mlp_work_release(struct mlp_work *w);

/* Outputs of the B rows of x (row-major B x units[0]) into w->act[L]
 * (probabilities for logistic and softmax outputs). */
void tune_mlp_forward(const struct mlp_net *net, const double *x, size_t b, struct mlp_work *w);

/* Dropout of the hidden units while training: each hidden unit of each row
 * is kept with probability 1 - rate (keep flags drawn by the caller into
 * w->mask, see tune_mlp_loss_grad) and the kept ones scaled by 1/(1-rate)
 * ("inverted dropout", Srivastava et al., JMLR 2014). */

/* Loss of the batch (x: B x units[0] row-major; y: B x units[L] targets,
 * 0/1 indicators for classification) and its gradient with respect to the
 * parameters into grad (n_params).  With dropout > 0 the hidden layers use
 * the keep flags in w->mask[l] (B x units[l], 1 = kept). */
double tune_mlp_loss_grad(const struct mlp_net *net, const double *x, const double *y, size_t b,
                          double l2, double dropout, struct mlp_work *w, double *grad);

#endif
