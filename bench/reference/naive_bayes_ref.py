#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_naive_bayes.c, from scikit-learn.

Run from the project root with Debian's python3 (scikit-learn 1.2):
    /usr/bin/python3 bench/reference/naive_bayes_ref.py
It prints the C literals pasted into tests/test_naive_bayes.c: GaussianNB
class probabilities for chosen rows of the shipped datasets, the model
fitted on the rows before them (or on every row where said).
"""
import numpy as np
from sklearn.naive_bayes import GaussianNB


def c_array(name, values, fmt="%.17g", per_line=3):
    vals = [fmt % v for v in np.ravel(values)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "static const double %s[%d] = {\n    %s,\n};" % (name, len(vals), ",\n    ".join(lines))


def load(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1].astype(int)


def main():
    x, y = load("data/iris.csv")
    rows = [0, 50, 100, 70, 77, 83, 106, 119, 133, 138]
    print("static const size_t iris_rows[%d] = {%s};" % (len(rows), ", ".join(map(str, rows))))
    m = GaussianNB().fit(x, y)
    print("/* iris, GaussianNB() fitted on all 150 rows */")
    print(c_array("iris_proba", m.predict_proba(x[rows])))
    m = GaussianNB(var_smoothing=0.0371, priors=[1 / 3] * 3).fit(x, y)
    print("/* iris, GaussianNB(var_smoothing=0.0371, priors=[1/3]*3) on all rows */")
    print(c_array("iris_uniform_proba", m.predict_proba(x[rows])))
    # unequal class sizes make the priors matter: rows 0..119 hold 50/50/20
    m = GaussianNB().fit(x[:120], y[:120])
    print("/* iris rows 0..119 (50, 50, 20 per class), GaussianNB(): rows 120..129 */")
    print(c_array("iris_head_proba", m.predict_proba(x[120:130])))
    m = GaussianNB(priors=[1 / 3] * 3).fit(x[:120], y[:120])
    print("/* same, priors=[1/3]*3 */")
    print(c_array("iris_head_uniform_proba", m.predict_proba(x[120:130])))

    x, y = load("data/breast_cancer.csv")
    m = GaussianNB().fit(x[:400], y[:400])
    p = m.predict_proba(x[400:])
    print("/* breast cancer rows 0..399, GaussianNB(): class-1 probability of rows 400..408, "
          "accuracy on 400..568 */")
    print(c_array("bc_p1", p[:9, 1]))
    print("static const size_t bc_correct = %d;  /* of 169 */" % (m.predict(x[400:]) == y[400:]).sum())

    x, y = load("data/digits.csv")
    m = GaussianNB().fit(x[:1500], y[:1500])
    const = np.where(x[:1500].std(0) == 0)[0]
    rows = [r for r in range(1500, 1797) if np.all(x[r, const] == x[0, const])][:6]
    print("/* digits rows 0..1499, GaussianNB() (%d constant columns): rows %s */"
          % (len(const), rows))
    print("static const size_t digits_rows[%d] = {%s};" % (len(rows), ", ".join(map(str, rows))))
    print(c_array("digits_proba", m.predict_proba(x[rows]), per_line=5))
    print("static const size_t digits_correct = %d;  /* of 297 */"
          % (m.predict(x[1500:]) == y[1500:]).sum())


if __name__ == "__main__":
    main()
