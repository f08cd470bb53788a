#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_gp.c: a Gaussian-process posterior, its log
marginal likelihood, log-EI, log Phi and the Yeo-Johnson lambda.

Run from the project root with Debian's python3 (numpy, scipy, mpmath):
    /usr/bin/python3 bench/reference/gp_ref.py
It prints the C literals pasted into tests/test_gp.c.

The GP is written out here from the textbook formulas (Rasmussen & Williams,
eq. 2.25-2.26 and 2.30) with numpy's dense solve, independently of the C code
(which uses a Cholesky factor): kernel matrix K = Kf + diag(noise + extra),
mean = k*' K^-1 y, var = k(x*, x*) - k*' K^-1 k*,
lml = -y' K^-1 y / 2 - log det K / 2 - n log(2 pi) / 2.
Column 2 of X is a categorical index compared by equality (Hamming), column 0
is warped by the Kumaraswamy CDF 1 - (1 - u^a)^b in the warped case; the
additive case mixes in the mean of the one-column kernels with weight RHO.
log h(z) = log(z Phi(z) + phi(z)) and log Phi(z) come from mpmath at 50 digits.
"""
import mpmath
import numpy as np
from scipy import stats

mpmath.mp.dps = 50

X = np.array([[0.12, 0.85, 0], [0.47, 0.33, 1], [0.91, 0.64, 2],
              [0.28, 0.07, 1], [0.66, 0.52, 0], [0.05, 0.41, 2]], dtype=float)
Y = np.array([1.23, -0.48, 0.91, -1.37, 0.35, 0.62])
EXTRA = np.array([0, 0.02, 0, 0.05, 0, 0])
XS = np.array([[0.5, 0.5, 1], [0.95, 0.1, 2]], dtype=float)
ELL = np.array([0.3, 0.7, 1.3])
S2, SN2 = 1.7, 0.013
A, B = 0.7, 1.8
RHO = 0.35


def warp(x, warped):
    x = x.copy()
    if warped:
        u = np.clip(x[:, 0], 1e-6, 1 - 1e-6)
        x[:, 0] = 1 - (1 - u ** A) ** B
    return x


def shares(a, b):
    d = a[:, None, :] - b[None, :, :]
    d[:, :, 2] = (d[:, :, 2] != 0)
    return d ** 2 / ELL ** 2


def unit(kind, rr):
    if kind == "rbf":
        return np.exp(-0.5 * rr)
    r = np.sqrt(rr)
    return (1 + np.sqrt(5) * r + 5 * rr / 3) * np.exp(-np.sqrt(5) * r)


def kern(kind, a, b, additive=False):
    sh = shares(a, b)
    full = unit(kind, np.sum(sh, axis=2))
    if not additive:
        return S2 * full
    add = np.mean([unit(kind, sh[:, :, c]) for c in range(sh.shape[2])], axis=0)
    return S2 * ((1 - RHO) * full + RHO * add)


def case(kind, warped, extra, additive=False):
    x, xs = warp(X, warped), warp(XS, warped)
    K = kern(kind, x, x, additive) + np.diag(SN2 + extra)
    ks = kern(kind, xs, x, additive)
    mean = ks @ np.linalg.solve(K, Y)
    var = S2 - np.sum(ks * np.linalg.solve(K, ks.T).T, axis=1)
    sign, logdet = np.linalg.slogdet(K)
    lml = -0.5 * Y @ np.linalg.solve(K, Y) - 0.5 * logdet - 0.5 * len(Y) * np.log(2 * np.pi)
    return mean, var, lml


def c_array(name, values):
    print("static const double %s[] = {%s};" % (name, ", ".join("%.17g" % v for v in values)))


for kind, warped, extra, add, tag in [("matern", False, np.zeros(6), False, "matern"),
                                      ("rbf", False, np.zeros(6), False, "rbf"),
                                      ("matern", False, EXTRA, False, "matern_extra"),
                                      ("matern", True, np.zeros(6), False, "matern_warp"),
                                      ("matern", False, np.zeros(6), True, "matern_additive")]:
    mean, var, lml = case(kind, warped, extra, add)
    c_array("%s_mean" % tag, mean)
    c_array("%s_var" % tag, var)
    print("static const double %s_lml = %.17g;" % (tag, lml))

zs = [2.5, 0.0, -0.7, -1.0, -3.3, -12.0, -45.0, -80.0, -1e3, -1e6]
logh, dlogh = [], []
for z in zs:
    z = mpmath.mpf(z)
    h = z * mpmath.ncdf(z) + mpmath.npdf(z)
    logh.append(float(mpmath.log(h)))
    dlogh.append(float(mpmath.ncdf(z) / h))
c_array("logh_z", zs)
c_array("logh_ref", logh)
c_array("dlogh_ref", dlogh)
zc = [3.0, 0.4, -2.0, -10.0, -40.0, -300.0]
c_array("logcdf_z", zc)
c_array("logcdf_ref", [float(mpmath.log(mpmath.ncdf(mpmath.mpf(z)))) for z in zc])

yj = np.array([0.3, 1.7, -0.4, 5.2, 2.2, 0.9, 11.5, -1.3, 3.3, 0.1, 27.0, 1.1])
c_array("yj_data", yj)
print("static const double yj_lambda = %.17g;" % stats.yeojohnson_normmax(yj))
