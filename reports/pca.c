/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pca.c — the first two principal components of a set of rows, for the
 * clustering report's projection (a picture, so two components).
 *
 * Method: centre every column, then take the eigenvectors of the smaller of
 * the two scatter matrices (GSL's symmetric eigensolver, BLAS syrk for the
 * products): with d <= n columns the d x d covariance C = Xcᵀ Xc / n, whose
 * top eigenvectors v are the loadings and Xc v the coordinates; with more
 * columns than rows the n x n Gram matrix G = Xc Xcᵀ / n, whose top
 * eigenvectors u give the coordinates sqrt(n λ) u and the loadings
 * Xcᵀ u / sqrt(n λ) (the same components: C and G share their non-zero
 * eigenvalues).  Either way the cost is cubic in min(n, d) only.
 *
 * Signs are arbitrary in an eigensolver; each component's sign is fixed so
 * that its loading of largest magnitude is positive, which does not depend
 * on the order of the rows.  The share of the variance is λ / trace(C). */
#include "tunefold/report.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int tune_report_pca2(const struct tune_matrix *x, double *coords, double ratio[2],
                     struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols;
    if (n < 2 || d < 1)
        return tune_error_set(err, TUNE_EINVAL,
                              "principal components need 2 rows and a column, not %zu x %zu", n,
                              d);
    int dual = d > n;
    size_t s = dual ? n : d; /* the side of the eigenproblem */
    gsl_matrix *a = gsl_matrix_alloc(d, n); /* row j = column j of X, centred */
    gsl_matrix *c = gsl_matrix_calloc(s, s), *vecs = gsl_matrix_alloc(s, s);
    gsl_vector *vals = gsl_vector_alloc(s);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(s);
    double *load = malloc(2 * d * sizeof *load);
    int rc = TUNE_OK;
    if (!a || !c || !vecs || !vals || !w || !load) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the principal components");
        goto done;
    }
    double total = 0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        double mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += col[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double e = col[i] - mean;
            gsl_matrix_set(a, j, i, e);
            total += e * e;
        }
    }
    total /= (double)n;
    if (!isfinite(total)) {
        rc = tune_error_set(err, TUNE_EINVAL, "principal components of values that are not "
                                              "finite");
        goto done;
    }
    /* C = A Aᵀ / n (d x d) or G = Aᵀ A / n (n x n), upper triangle */
    gsl_blas_dsyrk(CblasUpper, dual ? CblasTrans : CblasNoTrans, 1.0 / (double)n, a, 0.0, c);
    for (size_t i = 0; i < s; i++)
        for (size_t j = i + 1; j < s; j++)
            gsl_matrix_set(c, j, i, gsl_matrix_get(c, i, j));
    if (gsl_eigen_symmv(c, vals, vecs, w)) {
        rc = tune_error_set(err, TUNE_ENUMERIC, "the principal components did not converge");
        goto done;
    }
    gsl_eigen_symmv_sort(vals, vecs, GSL_EIGEN_SORT_VAL_DESC);
    for (size_t k = 0; k < 2; k++) {
        double lambda = k < s ? fmax(gsl_vector_get(vals, k), 0.0) : 0.0;
        ratio[k] = total > 0 ? lambda / total : 0.0;
        /* the loadings of component k (zero when it carries no variance) */
        for (size_t j = 0; j < d; j++) {
            double v = 0;
            if (k < s && lambda > 0 && !dual) {
                v = gsl_matrix_get(vecs, j, k);
            } else if (k < s && lambda > 0) {
                for (size_t i = 0; i < n; i++)
                    v += gsl_matrix_get(a, j, i) * gsl_matrix_get(vecs, i, k);
                v /= sqrt((double)n * lambda);
            }
            load[k * d + j] = v;
        }
        size_t big = 0;
        for (size_t j = 1; j < d; j++)
            if (fabs(load[k * d + j]) > fabs(load[k * d + big]))
                big = j;
        if (load[k * d + big] < 0)
            for (size_t j = 0; j < d; j++)
                load[k * d + j] = -load[k * d + j];
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 2; k++) {
            double v = 0;
            for (size_t j = 0; j < d; j++)
                v += gsl_matrix_get(a, j, i) * load[k * d + j];
            coords[2 * i + k] = v;
        }
done:
    gsl_matrix_free(a);
    gsl_matrix_free(c);
    gsl_matrix_free(vecs);
    gsl_vector_free(vals);
    if (w)
        gsl_eigen_symmv_free(w);
    free(load);
    return rc;
}
