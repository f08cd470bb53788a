#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_linear.c, from scikit-learn.

Run from the project root with Debian's python3 (scikit-learn 1.2):
    /usr/bin/python3 bench/reference/linear_ref.py
It prints the C literals pasted into tests/test_linear.c.

The data are printed with 6 decimals and the fits use those rounded values,
so the test sees exactly the reference's data.  Lasso and ElasticNet are run
with tol=1e-12 and max_iter=1e6, and each line says the fit's duality gap
relative to ||y - mean y||^2, so every number's distance to the optimum is
visible.  The least-squares references come from LinearRegression (LAPACK
gelsd: the minimum-norm solution when X is rank-deficient).
"""
import warnings

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

warnings.simplefilter("ignore")


def c_array(name, values, fmt="%.17g", per_line=4):
    vals = [fmt % v for v in np.ravel(values)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "static const double %s[%d] = {\n    %s,\n};" % (name, len(vals), ",\n    ".join(lines))


def enet_gap(m, x, y, alpha, rho):
    """Duality gap of sklearn's scaled objective, relative to ||yc||^2."""
    n = len(y)
    xm, ym = (x.mean(0), y.mean()) if m.fit_intercept else (0, 0)
    xc, yc = x - xm, y - ym
    w = m.coef_
    r = yc - xc @ w
    l1, l2 = alpha * rho * n, alpha * (1 - rho) * n
    xta = xc.T @ r - l2 * w
    dn = np.abs(xta).max()
    c = min(1.0, l1 / dn) if dn > 0 else 1.0
    rn = r @ r
    gap = 0.5 * (rn + rn * c * c) if dn > l1 else rn
    gap += l1 * np.abs(w).sum() - c * (r @ yc) + 0.5 * l2 * (1 + c * c) * (w @ w)
    return gap / (yc @ yc)


def show(tag, m, note=""):
    print("/* %s%s */" % (tag, note))
    print(c_array(tag + "_coef", m.coef_))
    print("static const double %s_intercept = %.17g;" % (tag, m.intercept_))


def main():
    rng = np.random.default_rng(20240611)
    n, d = 30, 5
    x = np.round(rng.normal(size=(n, d)) * [1.0, 2.5, 0.7, 1.3, 3.1] + [0.4, -1.2, 2.0, 0, 5], 6)
    w_true = np.array([1.7, -0.35, 0.0, 2.2, 0.05])
    y = np.round(x @ w_true + 3.1 + rng.normal(scale=0.8, size=n), 6)
    print("/* small set: %d rows, %d columns, column-major */" % (n, d))
    print(c_array("small_x", x.T, "%.6f", 5))
    print(c_array("small_y", y, "%.6f", 5))
    show("ols", LinearRegression().fit(x, y))
    show("ols_no_intercept", LinearRegression(fit_intercept=False).fit(x, y))
    show("ridge", Ridge(alpha=2.385).fit(x, y), ": Ridge(alpha=2.385)")
    show("ridge_no_intercept", Ridge(alpha=0.7, fit_intercept=False).fit(x, y),
         ": Ridge(alpha=0.7, fit_intercept=False)")
    m = Lasso(alpha=0.0713, tol=1e-12, max_iter=1000000).fit(x, y)
    show("lasso", m, ": Lasso(alpha=0.0713), n_iter %d, rel gap %.1e"
         % (m.n_iter_, enet_gap(m, x, y, 0.0713, 1.0)))
    m = Lasso(alpha=0.9, tol=1e-12, max_iter=1000000).fit(x, y)
    show("lasso_big", m, ": Lasso(alpha=0.9), n_iter %d, rel gap %.1e"
         % (m.n_iter_, enet_gap(m, x, y, 0.9, 1.0)))
    m = ElasticNet(alpha=0.0531, l1_ratio=0.37, tol=1e-12, max_iter=1000000).fit(x, y)
    show("enet", m, ": ElasticNet(alpha=0.0531, l1_ratio=0.37), n_iter %d, rel gap %.1e"
         % (m.n_iter_, enet_gap(m, x, y, 0.0531, 0.37)))

    # rank-deficient: column 2 is exactly twice column 0
    xr = x.copy()
    xr[:, 2] = 2 * xr[:, 0]
    show("ols_rank_deficient", LinearRegression().fit(xr, y),
         ": column 2 = 2 * column 0, minimum-norm solution")

    # wide: 8 rows, 12 columns
    xw = np.round(rng.normal(size=(8, 12)), 6)
    yw = np.round(xw[:, 0] * 1.3 - xw[:, 5] * 0.6 + rng.normal(scale=0.3, size=8), 6)
    print("/* wide set: 8 rows, 12 columns, column-major */")
    print(c_array("wide_x", xw.T, "%.6f", 6))
    print(c_array("wide_y", yw, "%.6f", 4))
    show("wide_ols", LinearRegression().fit(xw, yw), ": minimum-norm solution")
    show("wide_ridge", Ridge(alpha=0.45).fit(xw, yw), ": Ridge(alpha=0.45)")
    m = Lasso(alpha=0.05, tol=1e-12, max_iter=1000000).fit(xw, yw)
    show("wide_lasso", m, ": Lasso(alpha=0.05), n_iter %d, rel gap %.1e"
         % (m.n_iter_, enet_gap(m, xw, yw, 0.05, 1.0)))

    # diabetes, as shipped
    dd = np.loadtxt("data/diabetes.csv", delimiter=",", skiprows=1)
    xd, yd = dd[:, :-1], dd[:, -1]
    m = Lasso(alpha=0.1, tol=1e-12, max_iter=1000000).fit(xd, yd)
    show("diabetes_lasso", m, ": Lasso(alpha=0.1) on data/diabetes.csv, n_iter %d, rel gap %.1e"
         % (m.n_iter_, enet_gap(m, xd, yd, 0.1, 1.0)))
    m = ElasticNet(alpha=0.002, l1_ratio=0.6, tol=1e-12, max_iter=1000000).fit(xd, yd)
    show("diabetes_enet", m, ": ElasticNet(alpha=0.002, l1_ratio=0.6), n_iter %d, rel gap %.1e"
         % (m.n_iter_, enet_gap(m, xd, yd, 0.002, 0.6)))
    show("diabetes_ridge", Ridge(alpha=0.31).fit(xd, yd), ": Ridge(alpha=0.31)")


if __name__ == "__main__":
    main()
