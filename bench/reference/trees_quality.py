#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quality of the tree trainers against the reference implementations on the
same folds: breast_cancer (binary), wine and digits (multiclass) from data/,
5-fold stratified CV (sklearn's StratifiedKFold(5, shuffle=True,
random_state=0), written to a fold file the C driver reads), mean accuracy and
ROC AUC (binary: of class 1; multiclass: one-vs-rest, macro), each averaged
over 5 seeds (random_state / fit seed 0..4).

Pairs compared, with the same hyperparameters:
  tree      DecisionTreeClassifier()            tree (defaults)
  forest    RandomForestClassifier()            forest (defaults: 100 trees, sqrt)
  boosting  HistGradientBoostingClassifier(learning_rate=0.1, max_iter=100,
            max_leaf_nodes=31, min_samples_leaf=1, l2_regularization=0,
            max_bins=255, early_stopping=False)
                                                boosting (learning_rate=0.1,
            n_estimators=100, max_leaves=31, max_depth=0, min_child_weight=1e-3
            (sklearn's fixed min_hessian_to_split), reg_lambda=0, max_bins=255)
  boosting  XGBClassifier(n_estimators=100, tree_method="hist", max_bin=256)
            with XGBoost's defaults     boosting (defaults: the same names and values)
            (when /usr/bin/python3 can import xgboost)

Prints one table; the differences are tunefold minus reference, in
percentage points.  bench/bench_trees.py runs the same comparison (quality())
and writes it to bench/RESULTS_trees.md.  Usage: /usr/bin/python3 bench/reference/trees_quality.py
[--seeds N] [--datasets breast_cancer,wine,digits].  Builds the C driver with
bench/bench_trees.py's build_driver.
"""
import argparse, json, os, subprocess, sys, tempfile

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench_trees import build_driver  # noqa: E402

try:
    import xgboost
except ImportError:
    xgboost = None

HGB = dict(learning_rate=0.1, max_iter=100, max_leaf_nodes=31, min_samples_leaf=1,
           l2_regularization=0.0, max_bins=255, early_stopping=False)
OURS_HGB = ["learning_rate=0.1", "n_estimators=100", "max_leaves=31", "max_depth=0",
            "min_child_weight=0.001", "reg_lambda=0", "max_bins=255"]

PAIRS = [  # label, tunefold trainer, its params, reference factory, randomized
    ("tree", "tree", [], lambda s: DecisionTreeClassifier(random_state=s), True),
    ("forest", "forest", [], lambda s: RandomForestClassifier(random_state=s, n_jobs=2), True),
    ("boosting vs HGB", "boosting", OURS_HGB,
     lambda s: HistGradientBoostingClassifier(random_state=s, **HGB), False),
]
if xgboost is not None:
    PAIRS.append(("boosting vs XGBoost", "boosting", [],
                  lambda s: xgboost.XGBClassifier(n_estimators=100, tree_method="hist",
                                                  max_bin=256, n_jobs=2, random_state=s),
                  False))


def auc(y, p):
    return roc_auc_score(y, p[:, 1]) if p.shape[1] == 2 else \
        roc_auc_score(y, p, multi_class="ovr", average="macro")


def quality(exe, tmp, seeds=5, datasets=("breast_cancer", "wine", "digits"), env=None):
    """Rows (dataset, label, acc ours, acc ref, auc ours, auc ref), printed as they come."""
    env = env or dict(os.environ, TREES_THREADS="2", OMP_NUM_THREADS="2")
    rows = []
    for name in datasets:
        path = os.path.join(ROOT, "data", name + ".csv")
        d = np.loadtxt(path, delimiter=",", skiprows=1)
        X, y = d[:, :-1], d[:, -1].astype(int)
        task = "binary" if len(np.unique(y)) == 2 else "multiclass"
        fold = np.zeros(len(y), dtype=int)
        for k, (_, va) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0)
                                    .split(X, y)):
            fold[va] = k
        fpath = os.path.join(tmp, name + ".folds")
        np.savetxt(fpath, fold, fmt="%d")
        for label, trainer, params, make, randomized in PAIRS:
            ours_acc, ours_auc, ref_acc, ref_auc = [], [], [], []
            for s in range(seeds if randomized else 1):
                out = subprocess.run([exe, "cv", path, task, trainer, fpath, str(s)] + params,
                                     check=True, capture_output=True, text=True,
                                     env=env).stdout
                r = json.loads(out)
                ours_acc.append(np.mean(r["acc"]))
                ours_auc.append(np.mean(r["auc"]))
                accs, aucs = [], []
                for k in range(5):
                    tr, va = fold != k, fold == k
                    m = make(s).fit(X[tr], y[tr])
                    p = m.predict_proba(X[va])
                    accs.append(accuracy_score(y[va], p.argmax(1)))
                    aucs.append(auc(y[va], p))
                ref_acc.append(np.mean(accs))
                ref_auc.append(np.mean(aucs))
            row = (name, label) + tuple(float(np.mean(v)) for v in
                                        (ours_acc, ref_acc, ours_auc, ref_auc))
            rows.append(row)
            oa, ra, ou, ru = row[2:]
            print(f"{name:14s} {label:22s} {oa:9.4f} {ra:8.4f} {100 * (oa - ra):+6.2f} "
                  f"{ou:9.4f} {ru:8.4f} {100 * (ou - ru):+6.2f}", flush=True)
    return rows


def print_header(seeds):
    print(f"5-fold stratified CV, means over {seeds} seeds (deterministic fits: 1); "
          "difference = tunefold - reference, in points")
    print(f"{'dataset':14s} {'model':22s} {'acc ours':>9s} {'acc ref':>8s} {'diff':>6s} "
          f"{'auc ours':>9s} {'auc ref':>8s} {'diff':>6s}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--datasets", default="breast_cancer,wine,digits")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tunefold-treesq-") as tmp:
        exe = build_driver(tmp)
        print_header(a.seeds)
        quality(exe, tmp, a.seeds, a.datasets.split(","))


if __name__ == "__main__":
    sys.exit(main())
