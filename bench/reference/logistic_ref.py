#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_logistic.c, from scikit-learn.

Run from the project root with Debian's python3 (scikit-learn 1.2):
    /usr/bin/python3 bench/reference/logistic_ref.py
It prints the C literals pasted into tests/test_logistic.c and writes
tests/data/logistic_iris_proba.csv and tests/data/logistic_breast_cancer_proba.csv.

Every reference is a fit run to full convergence.  sklearn's lbfgs does not
get there even with tol=1e-10: scipy's L-BFGS-B also stops when the objective
changes by less than 64 machine epsilons, which on iris leaves coefficients
2e-4 away from the optimum.  So l2 and unpenalised references come from
solver="newton-cg" (tol 1e-12), and each comment prints "lbfgs dev", how far
sklearn's lbfgs (tol 1e-10, max_iter 10000) lands from it.  l1 references come
from solver="saga" (tol 1e-12, max_iter 1e6); liblinear would penalise the
intercept.  "kkt" is the largest violation of the optimality conditions of
sum(w_i loss_i) + penalty / C at the printed point (the (sub)gradient), so
every number's distance to the true optimum is visible.
"""
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

warnings.simplefilter("ignore")


def c_array(name, values, fmt="%.17g", per_line=4):
    vals = [fmt % v for v in np.ravel(values)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "static const double %s[%d] = {\n    %s,\n};" % (name, len(vals), ",\n    ".join(lines))


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1].astype(int)


def standardise(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)  # population std, as the test does


def kkt(model, x, y, c, penalty, sample_weight=None):
    """Largest violation of the optimality conditions of
    sum(w_i loss_i) + penalty(W) / C, binary or multinomial."""
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    p = model.predict_proba(x)
    classes = model.classes_
    if len(classes) == 2:
        r = sw * (p[:, 1] - (y == classes[1]))
        gw, gb, w = x.T @ r, np.array([r.sum()]), model.coef_[0]
    else:
        onehot = (y[:, None] == classes[None, :]).astype(float)
        r = sw[:, None] * (p - onehot)
        gw, gb, w = (r.T @ x).ravel(), r.sum(axis=0), model.coef_.ravel()
    if penalty == "l2":
        viol = np.abs(gw + w / c)
    elif penalty == "l1":
        viol = np.where(w != 0, np.abs(gw + np.sign(w) / c), np.maximum(np.abs(gw) - 1 / c, 0))
    else:
        viol = np.abs(gw)
    if model.fit_intercept:
        viol = np.concatenate([viol, np.abs(gb)])
    return viol.max()


def reference(x, y, **kw):
    """The converged fit and a note on its accuracy (see the module comment)."""
    sw = balanced_weights(y) if kw.get("class_weight") == "balanced" else None
    pen, c = kw.get("penalty", "l2"), kw.get("C", 1.0)
    if pen == "l1":
        m = LogisticRegression(solver="saga", tol=1e-12, max_iter=1000000, random_state=0,
                               **kw).fit(x, y)
        return m, "saga, n_iter %d, kkt %.1e" % (m.n_iter_[0], kkt(m, x, y, c, pen, sw))
    m = LogisticRegression(solver="newton-cg", tol=1e-12, max_iter=10000, **kw).fit(x, y)
    lb = LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10000, **kw).fit(x, y)
    dev = max(np.abs(lb.coef_ - m.coef_).max(), np.abs(lb.intercept_ - m.intercept_).max())
    return m, "newton-cg, kkt %.1e, lbfgs dev %.1e" % (kkt(m, x, y, c, pen, sw), dev)


def balanced_weights(y):
    classes, counts = np.unique(y, return_counts=True)
    w = len(y) / (len(classes) * counts)
    return w[np.searchsorted(classes, y)]


def main():
    # (1) a small binary set: 40 rows x 3 features, label noise so no
    # hyperplane separates it (the unpenalised fit has a finite optimum).
    rng = np.random.default_rng(20240611)
    x = rng.normal(size=(40, 3)) * [1.3, 0.8, 2.1] + [0.4, -1.1, 0.25]
    x = np.round(x, 6)  # exactly what the C literals say
    logit = 0.9 * x[:, 0] - 1.7 * x[:, 1] + 0.05 * x[:, 2] - 0.6
    y = (rng.random(40) < 1 / (1 + np.exp(-logit))).astype(int)
    print("/* binary set: %d rows, %d of class 1 */" % (len(y), y.sum()))
    print(c_array("small_x", x.T, fmt="%.6f"), "  /* column-major */")
    print(c_array("small_y", y, fmt="%d", per_line=20))

    cases = [
        ("l2", dict(penalty="l2", C=0.7)),
        ("l2_no_intercept", dict(penalty="l2", C=0.7, fit_intercept=False)),
        ("none", dict(penalty=None)),
        ("balanced", dict(penalty="l2", C=0.7, class_weight="balanced")),
        ("l1", dict(penalty="l1", C=0.25)),
    ]
    for name, kw in cases:
        m, note = reference(x, y, **kw)
        print("/* %s: %s; %s */" % (name, kw, note))
        print(c_array("small_%s_coef" % name, m.coef_[0]))
        print("static const double small_%s_intercept = %.17g;" % (name, m.intercept_[0]))
        if name == "l2":
            print("static const size_t small_l2_correct = %d;  /* rows predicted right */"
                  % (m.predict(x) == y).sum())

    # (2) iris, standardised over all rows, multinomial l2.
    xi, yi = load("data/iris.csv")
    xi = standardise(xi)
    m, note = reference(xi, yi, C=2.5)
    print("/* iris multinomial l2, C=2.5; %s */" % note)
    print(c_array("iris_coef", m.coef_))
    print(c_array("iris_intercept", m.intercept_))
    np.savetxt("tests/data/logistic_iris_proba.csv", m.predict_proba(xi), fmt="%.17g",
               delimiter=",", header="p0,p1,p2", comments="")

    # iris, multinomial l1 (saga).
    m, note = reference(xi, yi, C=0.08, penalty="l1")
    print("/* iris multinomial l1, C=0.08; %s */" % note)
    print(c_array("iris_l1_coef", m.coef_))
    print(c_array("iris_l1_intercept", m.intercept_))

    # wine, standardised, multinomial l2 with balanced class weights.
    xw, yw = load("data/wine.csv")
    xw = standardise(xw)
    m, note = reference(xw, yw, C=0.35, class_weight="balanced")
    print("/* wine multinomial l2 balanced, C=0.35, classes %s; %s */"
          % (np.bincount(yw).tolist(), note))
    print(c_array("wine_coef", m.coef_))
    print(c_array("wine_intercept", m.intercept_))

    # (6) breast cancer, standardised over all rows, C=1.
    xb, yb = load("data/breast_cancer.csv")
    xb = standardise(xb)
    m, note = reference(xb, yb, C=1.0)
    p = m.predict_proba(xb)
    print("/* breast cancer l2, C=1; %s */" % note)
    print("static const double bc_intercept = %.17g;" % m.intercept_[0])
    print("static const double bc_auc = %.17g;" % roc_auc_score(yb, p[:, 1]))
    np.savetxt("tests/data/logistic_breast_cancer_proba.csv", p, fmt="%.17g",
               delimiter=",", header="p0,p1", comments="")


if __name__ == "__main__":
    main()
