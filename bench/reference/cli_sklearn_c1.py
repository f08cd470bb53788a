#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for tests/test_cli.c (c1_l2_matches_scikit_learn_within_fold_noise).

Run from the project root with Debian's python3 (scikit-learn 1.2):
    /usr/bin/python3 bench/reference/cli_sklearn_c1.py
5-fold stratified CV of StandardScaler + LogisticRegression(C=1, l2) on
data/breast_cancer.csv.  random_state=0 gives the pinned numbers
(roc_auc 0.99546, accuracy 0.97892); the other seeds show how much the
choice of folds alone moves them, which sets the test's tolerances.
"""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = np.loadtxt("data/breast_cancer.csv", delimiter=",", skiprows=1)
x, y = data[:, :-1], data[:, -1].astype(int)
for seed in (0, 1, 2, 42):
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=10000))
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    r = cross_validate(model, x, y, cv=cv, scoring=["roc_auc", "accuracy"])
    print("random_state %2d: roc_auc %.7f accuracy %.7f"
          % (seed, r["test_roc_auc"].mean(), r["test_accuracy"].mean()))
