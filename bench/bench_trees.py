#!/usr/bin/python3
"""Side-by-side speed benchmark of the tree trainers: tunefold's tree, forest
and boosting against scikit-learn's DecisionTreeClassifier,
RandomForestClassifier and HistGradientBoostingClassifier, and XGBoost when
/usr/bin/python3 can import it (Debian's python3-xgboost), on the very same
CSV in the same run.

Data: bench/trees_bench.c's make_classification-like generator (seeded,
written once per run): 125,000 rows x 20 columns, binary; every fit trains on
the first 100,000 rows and is scored (accuracy, ROC AUC) on the last 25,000.
Models: tree (max_depth 10), forest (100 trees, 2 threads), boosting (100
rounds, max_depth 6, 256 bins, learning rate 0.3 = XGBoost's default, 2
threads).  scikit-learn: DecisionTreeClassifier(max_depth=10),
RandomForestClassifier(100, n_jobs=2), HistGradientBoostingClassifier(
max_iter=100, early_stopping=False) (its defaults otherwise: 31 leaves,
learning rate 0.1, 255 bins); XGBoost: XGBClassifier(100 rounds, depth 6,
hist, 256 bins, 2 threads).

Figures per model: the median fit seconds (wall) of --repeats fits, the CPU
seconds, the held-out accuracy, and the growth of peak resident memory during
the fits (kB, each library in its own process) next to the training data's
size as doubles; then tunefold / reference time ratios (below 1: tunefold is
faster).  Usage: bench/bench_trees.py [--repeats N] [--only tree,forest,boosting]
(run from anywhere; builds lib/libtunefold.a and the C driver).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS, TRAIN, COLS, SEED = 125000, 100000, 20, 42


def build_driver(out_dir):
    """Build lib/libtunefold.a and bench/trees_bench.c into out_dir; return the path."""
    subprocess.run(["make", "-s", "lib/libtunefold.a"], cwd=ROOT, check=True)
    pkgs = "gsl nlopt sqlite3 libcjson openblas"
    cflags = subprocess.run(["pkg-config", "--cflags"] + pkgs.split(), check=True,
                            capture_output=True, text=True).stdout.split()
    libs = [l for l in subprocess.run(["pkg-config", "--libs"] + pkgs.split(), check=True,
                                      capture_output=True, text=True).stdout.split()
            if l != "-lgslcblas"]
    exe = os.path.join(out_dir, "trees_bench")
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-Iinclude",
                    "-D_POSIX_C_SOURCE=200809L"] + cflags +
                   ["bench/trees_bench.c", "lib/libtunefold.a"] + libs +
                   ["-lm", "-lpthread", "-o", exe], cwd=ROOT, check=True)
    return exe


REFERENCE = r"""
import json, resource, statistics, sys, time
import numpy as np
kind, path, train, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = np.loadtxt(path, delimiter=",", skiprows=1)
X, y = d[:, :-1], d[:, -1].astype(int)
Xtr, ytr, Xte, yte = X[:train], y[:train], X[train:], y[train:]
if kind == "xgboost":
    import xgboost
    make = lambda: xgboost.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3,
                                         tree_method="hist", max_bin=256, n_jobs=2)
else:
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier
    make = {"tree": lambda: DecisionTreeClassifier(max_depth=10, random_state=0),
            "forest": lambda: RandomForestClassifier(n_estimators=100, n_jobs=2,
                                                     random_state=0),
            "hgb": lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False,
                                                          random_state=0)}[kind]
from sklearn.metrics import roc_auc_score
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
walls, cpus = [], []
for _ in range(repeats):
    m = make()
    t0, c0 = time.perf_counter(), time.process_time()
    m.fit(Xtr, ytr)
    walls.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
p = m.predict_proba(Xte)
print(json.dumps({"fit_seconds": statistics.median(walls), "fit_cpu_seconds": statistics.mean(cpus),
                  "score": float((p.argmax(1) == yte).mean()), "auc": float(roc_auc_score(yte, p[:, 1])),
                  "peak_kb_before_fit": rss0, "peak_kb": rss1}))
"""

MODELS = [  # (name, tunefold params, reference kinds)
    ("tree", ["max_depth=10"], ["tree"]),
    ("forest", ["n_estimators=100", "n_threads=2"], ["forest"]),
    ("boosting", ["n_estimators=100", "max_depth=6", "max_bins=256", "learning_rate=0.3",
                  "n_threads=2"], ["hgb", "xgboost"]),
]
REF_NAMES = {"tree": "sklearn DecisionTree", "forest": "sklearn RandomForest",
             "hgb": "sklearn HistGradientBoosting", "xgboost": "XGBoost"}


def importable(module):
    return subprocess.run(["/usr/bin/python3", "-c", "import " + module],
                          capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", default="tree,forest,boosting")
    a = ap.parse_args()
    only = set(a.only.split(","))
    have = {"sklearn": importable("sklearn"), "xgboost": importable("xgboost")}
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="1",
               TREES_TRAIN_ROWS=str(TRAIN), TREES_THREADS="2")
    with tempfile.TemporaryDirectory(prefix="tunefold-trees-") as tmp:
        exe = build_driver(tmp)
        csv = os.path.join(tmp, "synthetic.csv")
        subprocess.run([exe, "gen", str(ROWS), str(COLS), str(SEED), csv], check=True)
        print(f"trees: {TRAIN:,} training rows x {COLS} columns (make_classification-like, "
              f"seed {SEED}), scored on {ROWS - TRAIN:,} more; median of {a.repeats} fits")
        print(f"  {'model':34s} {'fit s':>8s} {'cpu s':>8s} {'accuracy':>9s} {'AUC':>7s} "
              f"{'+peak MB':>9s}")
        data_mb = TRAIN * COLS * 8 / 2**20
        for name, params, refs in MODELS:
            if name not in only:
                continue
            out = subprocess.run([exe, "fit", csv, "binary", name, str(a.repeats), "0"] + params,
                                 check=True, capture_output=True, text=True, env=env).stdout
            ours = json.loads(out)
            rows = [(f"tunefold {name}", ours)]
            for ref in refs:
                module = "xgboost" if ref == "xgboost" else "sklearn"
                if not have[module]:
                    print(f"  ({REF_NAMES[ref]}: {module} is not importable by /usr/bin/python3; "
                          f"skipped)")
                    continue
                out = subprocess.run(["/usr/bin/python3", "-c", REFERENCE, ref, csv, str(TRAIN),
                                      str(a.repeats)], check=True, capture_output=True,
                                     text=True, env=env).stdout
                rows.append((REF_NAMES[ref], json.loads(out)))
            for label, r in rows:
                grow = max(0, r["peak_kb"] - r["peak_kb_before_fit"]) / 1024
                print(f"  {label:34s} {r['fit_seconds']:8.3f} {r['fit_cpu_seconds']:8.3f} "
                      f"{r['score']:9.4f} {r['auc']:7.4f} {grow:9.1f}")
            for label, r in rows[1:]:
                print(f"  ratio tunefold/{label}: time {ours['fit_seconds'] / r['fit_seconds']:.2f}"
                      f", accuracy {100 * (ours['score'] - r['score']):+.2f} points")
        print(f"  (training data as doubles: {data_mb:.1f} MB)")


if __name__ == "__main__":
    sys.exit(main())
