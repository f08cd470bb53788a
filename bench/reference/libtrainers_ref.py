#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Known answers for tests/test_svm.c, tests/test_liblinear.c and
tests/test_xgboost.c: the cross-validated scores of scikit-learn's SVC / NuSVC
/ SVR / NuSVR (its copy of LIBSVM), LogisticRegression(solver="liblinear") /
LinearSVC / LinearSVR (its copy of LIBLINEAR) and the Python XGBoost 1.7
package (the same libxgboost), on the very folds and inputs the tests use.

Inputs: data/breast_cancer.csv (binary), data/wine.csv (multiclass) and
data/diabetes.csv (regression), every feature column standardised over all
rows with its mean and population standard deviation, summed left to right
as tests/trainer_testutil.h's tt_standardise does (so both sides hold the same
doubles bit for bit).  Folds: row i is in fold i % 5; each fold is scored by a
model fitted on the other four.

Scores per fold: accuracy and ROC AUC for classification (binary: the AUC of
the class-1 score; multiclass: the unweighted mean of the one-vs-rest AUCs of
the per-class score columns), r2 and mse for regression.  The class scores
are what tunefold's trainers put in their predictions: SVC.decision_function
(binary, and the "ovr" shape for multiclass), LinearSVC.decision_function,
predict_proba for the logistic and XGBoost models.

Output: tests/data/libtrainers_ref.txt, one line per configuration and
metric:  TRAINER DATASET PARAMS METRIC V0 V1 V2 V3 V4  where PARAMS are the
tunefold hyperparameters (name=value, comma-separated; "-" for the defaults)
of the model the line's reference estimator equals.  For XGBoost two more
lines per configuration: "importances" (feature_importances_ of a model
fitted on every row, one value per column) and "intermediate" (on fold 0, the
validation fold's default metric after each round, evals_result()).  XGBoost runs on one
thread with random_state 7 (the tests fit with seed 7, which the trainer
passes on unchanged); the other models draw nothing at random here.

Run from the project root: /usr/bin/python3 bench/reference/libtrainers_ref.py
(Debian 12: python3-sklearn 1.2.1, python3-xgboost 1.7.4).
"""
import math, os, sys, warnings

import numpy as np
import sklearn
import xgboost
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score, roc_auc_score
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR, NuSVC, NuSVR

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDS = 5
SEED = 7
TASK = {"breast_cancer": "binary", "wine": "multiclass", "diabetes": "regression"}


def load(name):
    """Features standardised exactly as tt_standardise does, and the target."""
    with open(os.path.join(ROOT, "data", name + ".csv")) as fh:
        next(fh)
        rows = [[float(v) for v in line.split(",")] for line in fh if line.strip()]
    n, d = len(rows), len(rows[0]) - 1
    cols = [[r[j] for r in rows] for j in range(d)]
    for c in cols:
        mean = 0.0
        for v in c:
            mean += v
        mean /= n
        var = 0.0
        for v in c:
            var += (v - mean) * (v - mean)
        sd = math.sqrt(var / n)
        for i in range(n):
            c[i] = (c[i] - mean) / sd if sd > 0 else 0.0
    X = np.array(cols, dtype=np.float64).T.copy()
    y = np.array([r[d] for r in rows])
    return X, y


def ovr_auc(y, scores):
    return float(np.mean([roc_auc_score(y == c, scores[:, c]) for c in range(scores.shape[1])]))


def class_scores(model, X):
    """The scores tunefold's trainer gives for the classes."""
    if isinstance(model, (SVC, NuSVC, LinearSVC)):
        return model.decision_function(X)
    return model.predict_proba(X)


def fold_scores(make, X, y, task):
    out = {}
    idx = np.arange(len(y))
    for f in range(FOLDS):
        tr, va = idx % FOLDS != f, idx % FOLDS == f
        yt = y[tr].astype(int) if task != "regression" else y[tr]
        m = make().fit(X[tr], yt)
        if task == "regression":
            p = m.predict(X[va])
            out.setdefault("r2", []).append(r2_score(y[va], p))
            out.setdefault("mse", []).append(mean_squared_error(y[va], p))
            continue
        yv = y[va].astype(int)
        out.setdefault("accuracy", []).append(accuracy_score(yv, m.predict(X[va])))
        s = class_scores(m, X[va])
        if task == "binary":
            auc = roc_auc_score(yv, s if s.ndim == 1 else s[:, 1])
        else:
            auc = ovr_auc(yv, s)
        out.setdefault("roc_auc", []).append(auc)
    return out


# LIBLINEAR 2.3.0's own iteration caps; the row order of the dual solvers is
# drawn from random_state in scikit-learn, from rand() in LIBLINEAR: with the
# tolerances below both reach the same optimum whatever the order.
LR = dict(solver="liblinear", max_iter=1000, random_state=0)
SV = dict(max_iter=1000, random_state=0)
XGB = dict(n_jobs=1, random_state=SEED)

CONFIGS = [  # (trainer, dataset, tunefold params, reference factory)
    # svm
    ("svm", "breast_cancer", "-", lambda: SVC()),
    ("svm", "breast_cancer", "kernel=linear,C=0.0625", lambda: SVC(kernel="linear", C=0.0625)),
    ("svm", "breast_cancer", "kernel=poly,degree=2,gamma_mode=auto,coef0=1.5,C=2.5",
     lambda: SVC(kernel="poly", degree=2, gamma="auto", coef0=1.5, C=2.5)),
    ("svm", "breast_cancer", "kernel=sigmoid,gamma=0.0078125,coef0=-0.25,C=4",
     lambda: SVC(kernel="sigmoid", gamma=0.0078125, coef0=-0.25, C=4)),
    ("svm", "breast_cancer", "svm_type=nu_svc,nu=0.3", lambda: NuSVC(nu=0.3)),
    ("svm", "breast_cancer", "class_weight=balanced,C=3.7,gamma=0.02,shrinking=0,tol=1e-05",
     lambda: SVC(C=3.7, gamma=0.02, class_weight="balanced", shrinking=False, tol=1e-5)),
    ("svm", "wine", "C=2.385", lambda: SVC(C=2.385)),
    ("svm", "wine", "svm_type=nu_svc,nu=0.2,kernel=poly,gamma_mode=auto",
     lambda: NuSVC(nu=0.2, kernel="poly", gamma="auto")),
    ("svm", "wine", "kernel=linear,class_weight=balanced,C=0.3",
     lambda: SVC(kernel="linear", class_weight="balanced", C=0.3)),
    ("svm", "diabetes", "C=100,epsilon=10", lambda: SVR(C=100, epsilon=10)),
    ("svm", "diabetes", "svm_type=nu_svr,nu=0.4,C=80,kernel=linear",
     lambda: NuSVR(nu=0.4, C=80, kernel="linear")),
    ("svm", "diabetes", "kernel=poly,degree=2,C=50,epsilon=5,coef0=1",
     lambda: SVR(kernel="poly", degree=2, C=50, epsilon=5, coef0=1)),
    # liblinear
    ("liblinear", "breast_cancer", "-", lambda: LogisticRegression(tol=0.01, **LR)),
    ("liblinear", "breast_cancer", "solver=l2r_lr,C=0.05,eps=1e-06",
     lambda: LogisticRegression(C=0.05, tol=1e-6, **LR)),
    ("liblinear", "breast_cancer", "solver=l1r_lr,C=0.5,eps=1e-06",
     lambda: LogisticRegression(penalty="l1", C=0.5, tol=1e-6, **LR)),
    ("liblinear", "breast_cancer", "solver=l2r_lr_dual,C=2,eps=1e-06",
     lambda: LogisticRegression(dual=True, C=2, tol=1e-6, **LR)),
    ("liblinear", "breast_cancer", "solver=l2r_l2loss_svc_dual,C=0.1,eps=1e-06",
     lambda: LinearSVC(C=0.1, tol=1e-6, **SV)),
    ("liblinear", "breast_cancer", "solver=l2r_l2loss_svc,eps=1e-06",
     lambda: LinearSVC(dual=False, tol=1e-6, **SV)),
    ("liblinear", "breast_cancer", "solver=l2r_l1loss_svc_dual,C=0.3,eps=0.0001",
     lambda: LinearSVC(loss="hinge", C=0.3, tol=1e-4, **SV)),
    ("liblinear", "breast_cancer", "solver=l1r_l2loss_svc,C=0.2,eps=1e-06",
     lambda: LinearSVC(penalty="l1", dual=False, C=0.2, tol=1e-6, **SV)),
    ("liblinear", "breast_cancer", "class_weight=balanced,C=0.7,eps=1e-06,bias=2.5",
     lambda: LogisticRegression(class_weight="balanced", C=0.7, tol=1e-6, intercept_scaling=2.5,
                                **LR)),
    ("liblinear", "breast_cancer", "bias=-1,eps=1e-06",
     lambda: LogisticRegression(fit_intercept=False, tol=1e-6, **LR)),
    ("liblinear", "wine", "C=0.5,eps=1e-06", lambda: LogisticRegression(C=0.5, tol=1e-6, **LR)),
    ("liblinear", "wine", "solver=mcsvm_cs,C=0.2,eps=0.0001",  # LIBLINEAR's cap for CS: 1e5
     lambda: LinearSVC(multi_class="crammer_singer", C=0.2, tol=1e-4, max_iter=100000,
                       random_state=0)),
    ("liblinear", "wine", "solver=l2r_l2loss_svc_dual,eps=1e-06", lambda: LinearSVC(tol=1e-6, **SV)),
    # The L1-loss dual stops at a tolerance relative to its start, and where
    # it stops depends on the row order drawn: with epsilon 30 and C 0.01 the
    # optimum is reached whatever the order (scikit-learn's random_state 0,
    # 1, 2 agree to 1e-15; with C 0.1, epsilon 0 they differ by 5e-5 in r2).
    ("liblinear", "diabetes", "C=0.01,epsilon=30,bias=30,eps=1e-06",
     lambda: LinearSVR(C=0.01, epsilon=30, intercept_scaling=30, tol=1e-6, **SV)),
    ("liblinear", "diabetes", "solver=l2r_l2loss_svr,epsilon=5,C=2,eps=1e-09",
     lambda: LinearSVR(loss="squared_epsilon_insensitive", dual=False, epsilon=5, C=2, tol=1e-9,
                       **SV)),
    ("liblinear", "diabetes", "solver=l2r_l2loss_svr_dual,epsilon=2,C=1,eps=1e-06",
     lambda: LinearSVR(loss="squared_epsilon_insensitive", dual=True, epsilon=2, C=1, tol=1e-6,
                       **SV)),
    # xgboost
    ("xgboost", "breast_cancer", "n_estimators=50",
     lambda: xgboost.XGBClassifier(n_estimators=50, tree_method="hist", **XGB)),
    ("xgboost", "breast_cancer",
     "n_estimators=40,max_depth=3,learning_rate=0.1,subsample=0.8,colsample_bytree=0.7,"
     "reg_alpha=0.5,gamma=0.2,min_child_weight=2.5",
     lambda: xgboost.XGBClassifier(n_estimators=40, max_depth=3, learning_rate=0.1, subsample=0.8,
                                   colsample_bytree=0.7, reg_alpha=0.5, gamma=0.2,
                                   min_child_weight=2.5, tree_method="hist", **XGB)),
    ("xgboost", "breast_cancer", "tree_method=exact,n_estimators=30,max_depth=4",
     lambda: xgboost.XGBClassifier(tree_method="exact", n_estimators=30, max_depth=4, **XGB)),
    ("xgboost", "breast_cancer", "tree_method=approx,n_estimators=30,max_bin=64",
     lambda: xgboost.XGBClassifier(tree_method="approx", n_estimators=30, max_bin=64, **XGB)),
    ("xgboost", "breast_cancer",
     "grow_policy=lossguide,max_leaves=8,max_depth=0,n_estimators=30,reg_lambda=2.385",
     lambda: xgboost.XGBClassifier(grow_policy="lossguide", max_leaves=8, max_depth=0,
                                   n_estimators=30, reg_lambda=2.385, tree_method="hist", **XGB)),
    ("xgboost", "wine", "n_estimators=30,max_depth=3",
     lambda: xgboost.XGBClassifier(n_estimators=30, max_depth=3, tree_method="hist", **XGB)),
    ("xgboost", "wine", "n_estimators=20,subsample=0.7,colsample_bytree=0.6,tree_method=approx",
     lambda: xgboost.XGBClassifier(n_estimators=20, subsample=0.7, colsample_bytree=0.6,
                                   tree_method="approx", **XGB)),
    ("xgboost", "diabetes", "n_estimators=50,learning_rate=0.1,max_depth=3",
     lambda: xgboost.XGBRegressor(n_estimators=50, learning_rate=0.1, max_depth=3,
                                  tree_method="hist", **XGB)),
    ("xgboost", "diabetes", "n_estimators=30,tree_method=exact,reg_alpha=1.5,min_child_weight=3",
     lambda: xgboost.XGBRegressor(n_estimators=30, tree_method="exact", reg_alpha=1.5,
                                  min_child_weight=3, **XGB)),
]


def xgb_extras(make, X, y, task):
    """Lines beyond the fold scores for an XGBoost model: its feature
    importances fitted on every row (feature_importances_: mean gain,
    normalised), and the validation fold's default metric after each round
    on fold 0 (evals_result, parsed from the text XGBoost prints, as the
    trainer reads it)."""
    yt = y if task == "regression" else y.astype(int)
    imp = make().fit(X, yt).feature_importances_
    idx = np.arange(len(y))
    tr, va = idx % FOLDS != 0, idx % FOLDS == 0
    m = make().fit(X[tr], yt[tr], eval_set=[(X[va], yt[va])], verbose=False)
    res = m.evals_result()["validation_0"]
    (metric, values), = res.items()
    return {"importances": list(imp), "intermediate": list(values)}


def main():
    data = {name: load(name) for name in TASK}
    out_path = os.path.join(ROOT, "tests", "data", "libtrainers_ref.txt")
    lines = ["# Known answers for tests/test_{svm,liblinear,xgboost}.c, written by",
             "# bench/reference/libtrainers_ref.py (scikit-learn %s, xgboost %s): do not edit."
             % (sklearn.__version__, xgboost.__version__),
             "# TRAINER DATASET PARAMS METRIC V0..V4 (fold f: rows i with i % 5 == f);",
             "# xgboost also: importances (fitted on every row, one per column) and",
             "# intermediate (fold 0's validation metric after each round)"]
    failed = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for trainer, name, params, make in CONFIGS:
            X, y = data[name]
            try:
                with warnings.catch_warnings():
                    if "mcsvm_cs" in params:
                        # scikit-learn 1.2 can return an uninitialised n_iter_
                        # for crammer_singer (486673648 here), so its warning
                        # says nothing: every fold converges in < 1000 passes.
                        warnings.simplefilter("ignore", ConvergenceWarning)
                    scores = fold_scores(make, X, y, TASK[name])
                    if trainer == "xgboost":
                        scores.update(xgb_extras(make, X, y, TASK[name]))
            except ConvergenceWarning as w:
                failed.append("%s %s %s: the reference did not converge (%s)"
                              % (trainer, name, params, w))
                continue
            for metric, vals in scores.items():
                lines.append("%s %s %s %s %s" % (trainer, name, params, metric,
                                                 " ".join("%.17g" % v for v in vals)))
                print("%-9s %-13s %-40.40s %-12s mean %.6f" % (trainer, name, params, metric,
                                                              np.mean(vals)))
    if failed:
        sys.exit("\n".join(failed))
    with open(out_path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote", os.path.relpath(out_path, ROOT))


if __name__ == "__main__":
    main()
