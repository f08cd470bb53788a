#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_kmeans.c, from scikit-learn.

Run from the project root with Debian's python3 (scikit-learn 1.2):
    /usr/bin/python3 bench/reference/kmeans_ref.py
It prints the C literals pasted into tests/test_kmeans.c.

Runs from given initial centres (init=array, n_init=1) follow the same
deterministic Lloyd iterations in any implementation, so their iteration
counts, centres and inertia are exact known answers; runs from k-means++
are compared only where the optimum is unambiguous (separated blobs) or
where ten restarts reach the well-known optimum (iris, inertia 78.85).
"""
import warnings

import numpy as np
from sklearn.cluster import KMeans

warnings.simplefilter("ignore")


def c_array(name, values, fmt="%.17g", per_line=4, ctype="double"):
    vals = [fmt % v for v in np.ravel(values)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "static const %s %s[%d] = {\n    %s,\n};" % (ctype, name, len(vals),
                                                     ",\n    ".join(lines))


def sorted_centers(m):
    return m.cluster_centers_[np.lexsort(m.cluster_centers_.T[::-1])]


def main():
    rng = np.random.default_rng(3)
    means = np.array([[-4.0, 1.0], [3.5, 4.0], [2.0, -5.0]])
    blobs = np.round(np.vstack([mu + rng.normal(scale=0.6, size=(10, 2)) for mu in means]), 6)
    m = KMeans(3, n_init=10, random_state=0).fit(blobs)
    print("/* three blobs of 10 rows (rows 0-9, 10-19, 20-29), column-major */")
    print(c_array("blobs_x", blobs.T, "%.6f", 6))
    print("/* KMeans(3, n_init=10): centres sorted by first column, inertia */")
    print(c_array("blobs_centers", sorted_centers(m)))
    print("static const double blobs_inertia = %.17g;" % m.inertia_)

    d = np.loadtxt("data/iris.csv", delimiter=",", skiprows=1)[:, :-1]
    m = KMeans(3, n_init=10, random_state=0).fit(d)
    print("/* iris, KMeans(3, n_init=10): centres sorted by first column */")
    print(c_array("iris_centers", sorted_centers(m)))
    print("static const double iris_inertia = %.17g;" % m.inertia_)
    init = d[[0, 1, 2]]
    for algo in ("lloyd", "elkan"):
        m = KMeans(3, init=init, n_init=1, algorithm=algo, tol=1e-4).fit(d)
        print("/* iris from rows 0, 1, 2 as centres, %s, tol 1e-4: n_iter %d */" % (algo, m.n_iter_))
        print("static const size_t iris_from_rows_%s_iter = %d;" % (algo, m.n_iter_))
        print(c_array("iris_from_rows_%s_centers" % algo, m.cluster_centers_))
        print("static const double iris_from_rows_%s_inertia = %.17g;" % (algo, m.inertia_))

    # an empty cluster: no row is nearest to the centre at (50, 50)
    e = np.round(np.vstack([rng.normal(size=(12, 2)), rng.normal(size=(12, 2)) + [6, 0]]), 6)
    init = np.array([[0.0, 0.0], [6.0, 0.0], [50.0, 50.0]])
    m = KMeans(3, init=init, n_init=1, tol=0).fit(e)
    print("/* 24 rows in two groups, centres (0,0), (6,0), (50,50): the third is empty at the "
          "first update; KMeans(init, tol=0): n_iter %d */" % m.n_iter_)
    print(c_array("empty_x", e.T, "%.6f", 6))
    print(c_array("empty_centers", m.cluster_centers_))
    print("static const double empty_inertia = %.17g;" % m.inertia_)


if __name__ == "__main__":
    main()
