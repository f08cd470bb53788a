#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_knn.c, from scikit-learn.

Run from the project root with Debian's python3 (scikit-learn 1.2):
    /usr/bin/python3 bench/reference/knn_ref.py
It prints the C literals pasted into tests/test_knn.c.

The data are continuous values printed with 6 decimals (the fits use the
rounded values), checked to have no distance tie at any k-th neighbour, so
scikit-learn's neighbours are unique and any correct search must find them;
ties, whose order scikit-learn does not define, are tested separately in C
against tunefold's documented rule.
"""
import numpy as np
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors


def c_array(name, values, fmt="%.17g", per_line=4, ctype="double"):
    vals = [fmt % v for v in np.ravel(values)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "static const %s %s[%d] = {\n    %s,\n};" % (ctype, name, len(vals),
                                                     ",\n    ".join(lines))


def main():
    rng = np.random.default_rng(8)
    n, m, d = 60, 12, 3
    x = np.round(rng.normal(size=(n, d)) * [1.0, 2.0, 0.5], 6)
    y = (x[:, 0] + x[:, 1] * 0.5 + rng.normal(scale=0.7, size=n) > 0).astype(int) + \
        (x[:, 2] > 0.4).astype(int)                       # classes 0, 1, 2
    yr = np.round(x @ [1.5, -0.7, 2.2] + rng.normal(scale=0.3, size=n), 6)
    q = np.round(rng.normal(size=(m, d)) * [1.0, 2.0, 0.5], 6)
    for metric, p in (("euclidean", 2), ("manhattan", 1), ("minkowski", 3)):
        dist, _ = NearestNeighbors(n_neighbors=8, metric="minkowski", p=p).fit(x).kneighbors(q)
        assert np.all(np.diff(dist, axis=1) > 1e-9), "a tie among the first 8 neighbours"
    print("/* %d training rows, %d columns, column-major; classes 0..2 */" % (n, d))
    print(c_array("train_x", x.T, "%.6f", 6))
    print(c_array("train_y", y, "%d", 20))
    print(c_array("train_yr", yr, "%.6f", 6))
    print("/* %d query rows, column-major */" % m)
    print(c_array("query_x", q.T, "%.6f", 6))
    for weights in ("uniform", "distance"):
        for metric, p in (("euclidean", 2), ("manhattan", 1), ("minkowski", 3)):
            tag = "%s_%s" % (weights, metric)
            c = KNeighborsClassifier(n_neighbors=5, weights=weights, p=p).fit(x, y)
            print("/* KNeighborsClassifier(5, weights=%s, p=%d) */" % (weights, p))
            print(c_array(tag + "_proba", c.predict_proba(q), per_line=3))
            r = KNeighborsRegressor(n_neighbors=7, weights=weights, p=p).fit(x, yr)
            print("/* KNeighborsRegressor(7, weights=%s, p=%d) */" % (weights, p))
            print(c_array(tag + "_value", r.predict(q)))
    _, idx = NearestNeighbors(n_neighbors=6).fit(x).kneighbors(q)
    print("/* the 6 nearest training rows of each query (euclidean), nearest first */")
    print(c_array("query_neighbours", idx, "%d", 6, "size_t"))


if __name__ == "__main__":
    main()
