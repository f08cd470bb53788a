#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Side-by-side benchmark: a 20-point grid over C (log-spaced 1e-4..100) for
logistic regression with standard scaling and 5-fold stratified CV on
breast_cancer, scored by ROC AUC.

tunefold: whole-process time of `tunefold run` on a fresh database.
scikit-learn: GridSearchCV(Pipeline(StandardScaler, LogisticRegression), n_jobs=1),
timed two ways: the .fit() call alone (the number the issue quotes, 0.60 s),
and the whole process (python start, imports, CSV read, fit).

Reported as ratios tunefold / scikit-learn (lower is better) plus both best
AUCs.  Usage: bench/bench_grid_logistic.py [--repeats N]; run from the project root
after `make`.  Needs Debian's python3-sklearn (bench/run.sh installs it)."""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDY = os.path.join(ROOT, "bench/studies/grid_logistic.json")
BIN = os.path.join(ROOT, "bin/tunefold")

SKLEARN_SCRIPT = r"""
import sys, time, json
t0 = time.perf_counter()
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
X, y = d[:, :-1], d[:, -1].astype(int)
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=100, tol=1e-4))
grid = {"logisticregression__C": np.logspace(-4, 2, 20)}
cv = StratifiedKFold(5, shuffle=True, random_state=0)
gs = GridSearchCV(pipe, grid, cv=cv, scoring="roc_auc", n_jobs=1)
t1 = time.perf_counter()
gs.fit(X, y)
t2 = time.perf_counter()
print(json.dumps({"fit": t2 - t1, "best_auc": gs.best_score_,
                  "best_C": gs.best_params_["logisticregression__C"]}))
"""


def time_tunefold():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "b.db")
        t0 = time.perf_counter()
        subprocess.run([BIN, "run", STUDY, "--db", db, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        t1 = time.perf_counter()
        best = json.loads(subprocess.run([BIN, "best", "--db", db, "--format", "json"],
                                         check=True, capture_output=True).stdout)
    return t1 - t0, best["value"], best["params"]["C"]


def time_sklearn():
    data = os.path.join(ROOT, "data/breast_cancer.csv")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    t0 = time.perf_counter()
    out = subprocess.run(["/usr/bin/python3", "-c", SKLEARN_SCRIPT, data], check=True,
                         capture_output=True, env=env).stdout
    t1 = time.perf_counter()
    r = json.loads(out)
    return t1 - t0, r["fit"], r["best_auc"], r["best_C"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    a = ap.parse_args()
    tf, sk_proc, sk_fit = [], [], []
    for _ in range(a.repeats):  # interleaved, so machine noise hits both alike
        t, tf_auc, tf_c = time_tunefold()
        tf.append(t)
        p, f, sk_auc, sk_c = time_sklearn()
        sk_proc.append(p)
        sk_fit.append(f)
    med = statistics.median
    print(f"grid_logistic: 20-point C grid, 5-fold stratified CV, breast_cancer "
          f"({a.repeats} runs each, medians)")
    print(f"  tunefold run (whole process)      {med(tf):8.3f} s   best AUC {tf_auc:.5f} "
          f"at C={tf_c:.4g}")
    print(f"  sklearn GridSearchCV.fit          {med(sk_fit):8.3f} s   best AUC {sk_auc:.5f} "
          f"at C={sk_c:.4g}")
    print(f"  sklearn whole process             {med(sk_proc):8.3f} s")
    print(f"  ratio tunefold / sklearn fit      {med(tf) / med(sk_fit):8.3f}   (target <= 0.2)")
    print(f"  ratio tunefold / sklearn process  {med(tf) / med(sk_proc):8.3f}")
    print(f"  best AUC difference               {abs(tf_auc - sk_auc):8.5f}   (target <= 0.002)")
    ok = med(tf) / med(sk_fit) <= 0.2 and abs(tf_auc - sk_auc) <= 0.002
    print("  verdict:", "target met" if ok else "TARGET MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
