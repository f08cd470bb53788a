#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Known answers for tests/test_tree.c and tests/test_forest.c, from
scikit-learn 1.2's DecisionTreeClassifier / DecisionTreeRegressor.

One seeded data set without ties: 40 rows, 3 columns of uniform reals, 3
classes, plus a regression target.  For each configuration the script checks
that 10 random_states give the very same tree (so no two splits tie and the
answer does not depend on the feature draw order: deeper trees on these rows
do tie, so the configurations stop at depth 3 or 3 rows a leaf), then prints the tree's
predictions on 25 probe points as C arrays.  It also prints each tree's
thresholds, for reading.

Run: /usr/bin/python3 bench/reference/trees_ref.py
"""
import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

rng = np.random.RandomState(2024)
n = 40
X = np.round(rng.uniform(-3, 3, size=(n, 3)), 4)
y = (X[:, 0] + 0.8 * X[:, 1] > 0).astype(int) + (X[:, 2] > 1.2).astype(int)
flip = rng.choice(n, 5, replace=False)
y[flip] = (y[flip] + 1) % 3
yr = np.round(2.5 * X[:, 0] - 1.5 * X[:, 1] ** 2 + rng.normal(0, 0.3, n), 4)
P = np.round(rng.uniform(-3, 3, size=(25, 3)), 4)


def carr(name, a, fmt="%.17g"):
    a = np.asarray(a).ravel()
    body = ",\n    ".join(", ".join(fmt % v for v in a[i:i + 4]) for i in range(0, len(a), 4))
    return f"static const double {name}[{len(a)}] = {{\n    {body},\n}};"


def check(make, Xf, yf, P):
    outs = []
    for rs in range(10):
        m = make(rs).fit(Xf, yf)
        outs.append(m.predict_proba(P) if hasattr(m, "predict_proba") else m.predict(P))
    for o in outs[1:]:
        # Leaf means may differ in the last bit (summation order), never more.
        assert np.allclose(o, outs[0], rtol=1e-12, atol=1e-12), \
            "a tie: the tree depends on random_state"
    return m, outs[0]


print("/* data: column-major x (40 x 3), class y, regression yr; probes column-major */")
print(carr("tx", X.T))
print(carr("ty", y, "%d"))
print(carr("tyr", yr))
print(carr("tprobe", P.T))
configs = [
    ("gini_d2", lambda rs: DecisionTreeClassifier(max_depth=2, random_state=rs), y),
    ("entropy_d3", lambda rs: DecisionTreeClassifier(criterion="entropy", max_depth=3,
                                                     random_state=rs), y),
    ("balanced_d2", lambda rs: DecisionTreeClassifier(max_depth=2, class_weight="balanced",
                                                      random_state=rs), y),
    ("reg_d2", lambda rs: DecisionTreeRegressor(max_depth=2, random_state=rs), yr),
    ("reg_leaf3", lambda rs: DecisionTreeRegressor(min_samples_leaf=3, random_state=rs), yr),
]
for name, make, target in configs:
    m, out = check(make, X, target, P)
    t = m.tree_
    inner = t.children_left >= 0
    print(f"/* {name}: {t.node_count} nodes, {int((~inner).sum())} leaves, depth "
          f"{m.get_depth()}; splits (feature, threshold): "
          + ", ".join(f"({f}, {th:.6g})" for f, th in zip(t.feature[inner], t.threshold[inner]))
          + " */")
    print(carr(f"{name}_out", out))
    print(carr(f"{name}_importance", m.feature_importances_))
