#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Side-by-side benchmark of the tree trainers — tunefold's tree, forest and
boosting against scikit-learn's DecisionTreeClassifier,
RandomForestClassifier and HistGradientBoostingClassifier, and XGBoost when
/usr/bin/python3 can import it (Debian's python3-xgboost; LightGBM is not
packaged by Debian and is not compared) — quality and speed in one run.

Quality (bench/reference/trees_quality.py's quality()): breast_cancer, wine
and digits, 5-fold stratified CV on the very same folds, the same
hyperparameters, mean accuracy and ROC AUC, averaged over 5 seeds for the
randomized models.  Target (issue 7): within 1 percentage point.

Speed: bench/trees_bench.c's make_classification-like generator (seeded,
written once per run): 125,000 rows x 20 columns, binary; every fit trains on
the first 100,000 rows and is scored (accuracy, ROC AUC) on the last 25,000.
Models: tree (max_depth 10), forest (100 trees, 2 threads), boosting (100
rounds, max_depth 6, 256 bins, learning rate 0.3 = XGBoost's default, 2
threads).  scikit-learn: DecisionTreeClassifier(max_depth=10),
RandomForestClassifier(100, n_jobs=2), HistGradientBoostingClassifier(
max_iter=100, early_stopping=False) (its defaults otherwise: 31 leaves,
learning rate 0.1, 255 bins); XGBoost: XGBClassifier(100 rounds, depth 6,
hist, 256 bins, 2 threads).  Figures per model: the median fit seconds
(wall) of --repeats fits, their mean CPU seconds, the held-out accuracy and
AUC, and the peak resident memory during the fits above the resident size
just before them (each library in its own process, freed heap pages returned
to the system and the peak restarted — /proc/self/clear_refs — just before
the fits; tunefold's includes the model), next to the training data's size
as doubles; then tunefold / reference time ratios (below 1: tunefold is
faster).  Targets (issue 7): ratio <= 1.0, accuracy within 1 point, memory at
most twice the data.

The tables are printed and written to bench/RESULTS_trees.md (--out).
Usage: bench/bench_trees.py [--repeats N] [--seeds N] [--only quality|speed]
[--out FILE] (from anywhere; builds lib/libtunefold.a and the C driver).
"""
import argparse, datetime, json, os, platform, subprocess, sys, tempfile

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
    # The registry links the trainers that wrap LIBSVM, LIBLINEAR and XGBoost.
    libs += ["-lsvm", "-llinear", "-lxgboost"]
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


def status_kb(key):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


# As the C driver: return freed heap pages, restart the peak, measure from here.
import ctypes, gc
gc.collect()
try:
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
except OSError:
    pass
rss0 = status_kb("VmRSS")
walls, cpus = [], []
for _ in range(repeats):
    m = make()
    t0, c0 = time.perf_counter(), time.process_time()
    m.fit(Xtr, ytr)
    walls.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
rss1 = status_kb("VmHWM")
if rss0 < 0 or rss1 < 0:
    rss0, rss1 = 0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
REF_NAMES = {"tree": "scikit-learn DecisionTree", "forest": "scikit-learn RandomForest",
             "hgb": "scikit-learn HistGradientBoosting", "xgboost": "XGBoost"}


def importable(module):
    return subprocess.run(["/usr/bin/python3", "-c", "import " + module],
                          capture_output=True).returncode == 0


def version(module):
    out = subprocess.run(["/usr/bin/python3", "-c",
                          f"import {module}; print({module}.__version__)"],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def grow_mb(r):
    return max(0, r["peak_kb"] - r["peak_kb_before_fit"]) / 1024


def speed(exe, tmp, repeats, have):
    """Rows (model, label, figures, ours) for every fit, printed as they come."""
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="1",
               TREES_TRAIN_ROWS=str(TRAIN), TREES_THREADS="2")
    csv = os.path.join(tmp, "synthetic.csv")
    subprocess.run([exe, "gen", str(ROWS), str(COLS), str(SEED), csv], check=True)
    print(f"speed: {TRAIN:,} training rows x {COLS} columns (make_classification-like, "
          f"seed {SEED}), scored on {ROWS - TRAIN:,} more; median of {repeats} fits")
    print(f"  {'model':34s} {'fit s':>8s} {'cpu s':>8s} {'accuracy':>9s} {'AUC':>7s} "
          f"{'+peak MB':>9s}")
    rows = []
    for name, params, refs in MODELS:
        out = subprocess.run([exe, "fit", csv, "binary", name, str(repeats), "0"] + params,
                             check=True, capture_output=True, text=True, env=env).stdout
        ours = json.loads(out)
        got = [(f"tunefold {name}", ours)]
        for ref in refs:
            module = "xgboost" if ref == "xgboost" else "sklearn"
            if not have[module]:
                print(f"  ({REF_NAMES[ref]}: {module} is not importable by /usr/bin/python3; "
                      f"skipped)")
                continue
            out = subprocess.run(["/usr/bin/python3", "-c", REFERENCE, ref, csv, str(TRAIN),
                                  str(repeats)], check=True, capture_output=True, text=True,
                                 env=env).stdout
            got.append((REF_NAMES[ref], json.loads(out)))
        for label, r in got:
            print(f"  {label:34s} {r['fit_seconds']:8.3f} {r['fit_cpu_seconds']:8.3f} "
                  f"{r['score']:9.4f} {r['auc']:7.4f} {grow_mb(r):9.1f}", flush=True)
            rows.append((name, label, r, ours))
        for label, r in got[1:]:
            print(f"  ratio tunefold/{label}: time {ours['fit_seconds'] / r['fit_seconds']:.2f}"
                  f", accuracy {100 * (ours['score'] - r['score']):+.2f} points")
    print(f"  (training data as doubles: {TRAIN * COLS * 8 / 2**20:.1f} MB)")
    return rows


def write_report(path, qrows, srows, repeats, seeds):
    data_mb = TRAIN * COLS * 8 / 2**20
    vs = ", ".join(f"{m} {v}" for m, v in (("scikit-learn", version("sklearn")),
                                           ("XGBoost", version("xgboost"))) if v)
    L = ["# Tree trainers against scikit-learn and XGBoost", "",
         f"Written by `bench/bench_trees.py` ({datetime.date.today()}, {platform.machine()}, "
         f"{os.cpu_count()} cores; {vs}).  Regenerate: `/usr/bin/python3 bench/bench_trees.py` "
         "(about 20 minutes).  The machine is shared: compare the ratios, measured in the same "
         "run, rather than the absolute times.", ""]
    if qrows:
        L += ["## Quality: 5-fold stratified CV on the shipped datasets, the same folds", "",
              f"Mean validation accuracy and ROC AUC (binary: of class 1; multiclass: "
              f"one-vs-rest, macro); tree and forest averaged over {seeds} seeds (tunefold's "
              "seed s, the reference's random_state s), boosting deterministic.  Pairs, with "
              "the same hyperparameters: `tree` defaults / DecisionTreeClassifier(); `forest` "
              "defaults / RandomForestClassifier(); `boosting` with learning_rate 0.1, "
              "n_estimators 100, max_leaves 31, max_depth 0, min_child_weight 0.001, "
              "reg_lambda 0, max_bins 255 / HistGradientBoostingClassifier(the same, "
              "min_samples_leaf=1, early_stopping=False); `boosting` defaults / "
              "XGBClassifier(n_estimators=100, tree_method=\"hist\", max_bin=256) (XGBoost's "
              "defaults are tunefold's).  Target: within 1 percentage point.", "",
              "| dataset | tunefold | reference | accuracy | reference | difference | ROC AUC "
              "| reference | difference | target |",
              "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
        for name, label, oa, ra, ou, ru in qrows:
            model, _, ref = label.partition(" vs ")
            ref = ref or {"tree": "DecisionTree", "forest": "RandomForest"}.get(model, "")
            met = "met" if abs(oa - ra) <= 0.01 and abs(ou - ru) <= 0.01 else "missed"
            L.append(f"| {name} | {model} | {ref} | {oa:.4f} | {ra:.4f} | "
                     f"{100 * (oa - ra):+.2f} pp | {ou:.4f} | {ru:.4f} | "
                     f"{100 * (ou - ru):+.2f} pp | {met} |")
        L.append("")
    if srows:
        L += ["## Speed and memory: 100,000 x 20 binary, fit on 2 threads", "",
              f"Median fit time (wall) of {repeats} fits, mean CPU seconds, accuracy and AUC on "
              f"{ROWS - TRAIN:,} held-out rows, and the peak resident memory of the fits above "
              f"the resident size just before them (freed heap returned and the peak restarted "
              f"first; tunefold's includes the model it returns).  The training data as doubles: "
              f"{data_mb:.1f} MB.  Models: tree max_depth 10; forest 100 trees; boosting 100 "
              "rounds, max_depth 6, 256 bins, learning rate 0.3 against "
              "HistGradientBoosting(max_iter=100, early_stopping=False; 31 leaves, learning "
              "rate 0.1) and XGBoost(100 rounds, depth 6, hist, 256 bins).  Targets: time ratio "
              "<= 1.0, accuracy within 1 point, memory at most twice the data "
              f"({2 * data_mb:.1f} MB).", "",
              "| model | implementation | fit s | CPU s | accuracy | ROC AUC | + peak MB | "
              "time ratio tunefold / it | accuracy difference |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, label, r, ours in srows:
            mine = label.startswith("tunefold")
            ratio = "" if mine else f"{ours['fit_seconds'] / r['fit_seconds']:.2f}"
            diff = "" if mine else f"{100 * (ours['score'] - r['score']):+.2f} pp"
            L.append(f"| {name} | {label} | {r['fit_seconds']:.3f} | {r['fit_cpu_seconds']:.3f} "
                     f"| {r['score']:.4f} | {r['auc']:.4f} | {grow_mb(r):.1f} | {ratio} | "
                     f"{diff} |")
        L.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(L))
    print(f"written to {path}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--only", choices=["quality", "speed"])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS_trees.md"))
    a = ap.parse_args()
    have = {"sklearn": importable("sklearn"), "xgboost": importable("xgboost")}
    with tempfile.TemporaryDirectory(prefix="tunefold-trees-") as tmp:
        exe = build_driver(tmp)
        qrows = srows = []
        if a.only != "speed":
            if have["sklearn"]:
                sys.path.insert(0, os.path.join(ROOT, "bench", "reference"))
                import trees_quality
                trees_quality.print_header(a.seeds)
                qrows = trees_quality.quality(exe, tmp, a.seeds)
            else:
                print("quality: scikit-learn is not importable by /usr/bin/python3; skipped")
        if a.only != "quality":
            srows = speed(exe, tmp, a.repeats, have)
        write_report(a.out, qrows, srows, a.repeats, a.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
