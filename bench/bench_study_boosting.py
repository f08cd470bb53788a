#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole studies and big folds with boosting: tunefold against Optuna and
scikit-learn / XGBoost, whole-process wall time, side by side in one run
(issue 17, items 5 and 6).  Writes bench/RESULTS_study.md (--out).

1. study (item 5).  make_classification(100000, 20, n_informative=10,
   random_state=0) written to a CSV (%.17g).  20 trials of learning_rate
   (0.03-0.3, log), max_leaves (8-64), reg_lambda (1e-3-10, log); 100
   rounds, max_depth 6, 3-fold stratified ROC AUC, seed 0:
     - tunefold run (bayes): with its default workers (one process, the
       trainer on both cores), with --workers 2 (two processes, one core
       each), and with --workers 2 and search.batch 2 (the same study for
       any number of workers);
     - Optuna TPE (seed 0) + XGBClassifier(tree_method="hist",
       grow_policy="lossguide", max_depth 6, 256 bins, all cores);
     - Optuna TPE + HistGradientBoostingClassifier(max_depth 6,
       early_stopping=False, all cores);
   each in a fresh process reading the CSV (pandas for Python), the runs
   interleaved --repeats times (the machine is shared: medians).  Target:
   tunefold's time at most half of the faster Optuna pair's, at a best AUC
   within 0.0005 of it.
2. rows (item 6).  make_classification(1000000, 20, n_informative=10,
   random_state=0), about 400 MB of CSV; one boosting configuration
   (100 rounds, 31 leaves, learning rate 0.1, no depth limit), 3-fold
   stratified: `tunefold evaluate` against Python + pandas +
   HistGradientBoostingClassifier (the same configuration, max_bins 255,
   early_stopping=False) over StratifiedKFold(3), whole process, peak
   resident memory (GNU time -v) and wall time.  Targets: peak at most 0.6x
   Python's, time at most 0.5x.

Usage: bench/bench_study_boosting.py [--part study|rows|all] [--repeats N]
Needs python3-sklearn, python3-optuna, python3-xgboost, python3-pandas and
GNU time; builds bin/tunefold with make.
"""
import argparse, datetime, json, os, platform, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bin", "tunefold")
TRIALS = 20

# One Optuna study (argv: csv, "xgb" | "hgb", trials), printing
# "best <auc>" last.  Run in a fresh interpreter: its imports count.
OPTUNA = r'''
import sys, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd, optuna
from sklearn.model_selection import StratifiedKFold
from sklearn.metrics import roc_auc_score
optuna.logging.set_verbosity(optuna.logging.WARNING)
path, kind, trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_csv(path)
y = df.pop("target").to_numpy()
X = df.to_numpy(dtype=np.float64)
folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
if kind == "xgb":
    from xgboost import XGBClassifier
    def make(lr, leaves, lam):
        return XGBClassifier(n_estimators=100, learning_rate=lr, max_leaves=leaves,
                             reg_lambda=lam, max_depth=6, tree_method="hist",
                             grow_policy="lossguide", max_bin=256, random_state=0)
else:
    from sklearn.ensemble import HistGradientBoostingClassifier
    def make(lr, leaves, lam):
        return HistGradientBoostingClassifier(max_iter=100, learning_rate=lr,
                                              max_leaf_nodes=leaves, l2_regularization=lam,
                                              max_depth=6, early_stopping=False,
                                              random_state=0)
def objective(trial):
    lr = trial.suggest_float("learning_rate", 0.03, 0.3, log=True)
    leaves = trial.suggest_int("max_leaves", 8, 64)
    lam = trial.suggest_float("reg_lambda", 1e-3, 10, log=True)
    aucs = []
    for tr, va in folds:
        m = make(lr, leaves, lam).fit(X[tr], y[tr])
        aucs.append(roc_auc_score(y[va], m.predict_proba(X[va])[:, 1]))
    return float(np.mean(aucs))
study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=trials)
print("best %.17g" % study.best_value)
'''

# One HistGradientBoosting configuration over 3 stratified folds (argv: csv).
ROWS_PY = r'''
import sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.metrics import roc_auc_score
from sklearn.ensemble import HistGradientBoostingClassifier
df = pd.read_csv(sys.argv[1])
y = df.pop("target").to_numpy()
X = df.to_numpy(dtype=np.float64)
del df
aucs = []
for tr, va in StratifiedKFold(3, shuffle=True, random_state=0).split(X, y):
    m = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31,
                                       max_bins=255, early_stopping=False, random_state=0)
    m.fit(X[tr], y[tr])
    aucs.append(roc_auc_score(y[va], m.predict_proba(X[va])[:, 1]))
print("auc %.17g" % np.mean(aucs))
'''


def write_csv(path, rows):
    from sklearn.datasets import make_classification
    X, y = make_classification(rows, 20, n_informative=10, random_state=0)
    with open(path, "w") as f:
        f.write(",".join("x%d" % i for i in range(20)) + ",target\n")
        for r, t in zip(X, y):
            f.write(",".join("%.17g" % v for v in r) + ",%d\n" % t)


def timed(cmd, cwd=None):
    """Wall seconds, CPU seconds (user + system of the process tree), peak
    resident MB (GNU time), stdout."""
    tfile = tempfile.NamedTemporaryFile(delete=False)
    tfile.close()
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", tfile.name] + cmd, cwd=cwd,
                       capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    info = {}
    with open(tfile.name) as f:
        for line in f:
            k, _, v = line.strip().rpartition(": ")
            info[k] = v
    os.unlink(tfile.name)
    cpu = float(info["User time (seconds)"]) + float(info["System time (seconds)"])
    peak = int(info["Maximum resident set size (kbytes)"]) / 1000.0
    return wall, cpu, peak, p.stdout


def study_json(path, csv, name, batch=None):
    search = {"strategy": "bayes", "trials": TRIALS, "seed": 0}
    if batch:
        search["batch"] = batch
    with open(path, "w") as f:
        json.dump({"name": name, "data": {"path": csv, "target": "target"}, "task": "binary",
                   "trainer": {"name": "boosting",
                               "params": {"n_estimators": 100, "max_depth": 6}},
                   "space": {"learning_rate": {"type": "float", "low": 0.03, "high": 0.3,
                                               "scale": "log"},
                             "max_leaves": {"type": "int", "low": 8, "high": 64},
                             "reg_lambda": {"type": "float", "low": 1e-3, "high": 10,
                                            "scale": "log"}},
                   "search": search,
                   "cv": {"folds": 3, "stratified": True},
                   "objective": {"metric": "roc_auc", "direction": "maximize"}}, f, indent=1)


def tunefold_best(db):
    out = subprocess.run([BIN, "best", "--db", db, "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["value"]


def part_study(tmp, repeats, log):
    csv = os.path.join(tmp, "study100k.csv")
    write_csv(csv, 100000)
    study = os.path.join(tmp, "study.json")
    study_json(study, csv, "bench-study")
    batched = os.path.join(tmp, "study-batch2.json")
    study_json(batched, csv, "bench-study-batch2", batch=2)
    variants = [("tunefold bayes, default (1 worker, folds side by side)", study, []),
                ("tunefold bayes, --workers 2 (1 thread each)", study, ["--workers", "2"]),
                ("tunefold bayes, batch 2, --workers 2", batched, ["--workers", "2"])]
    pythons = [("Optuna TPE + XGBoost hist", "xgb"),
               ("Optuna TPE + HistGradientBoosting", "hgb")]
    res = {name: [] for name, *_ in variants + pythons}
    for r in range(repeats):
        for v, (name, path, extra) in enumerate(variants):
            db = os.path.join(tmp, "study-%d-%d.db" % (r, v))  # a fresh study each
            wall, cpu, peak, _ = timed([BIN, "run", path, "--db", db, "--quiet"] + extra)
            res[name].append((wall, cpu, peak, tunefold_best(db)))
            log("%-46s %6.1f s wall %6.1f s CPU %5.0f MB  best AUC %.5f" %
                ((name,) + res[name][-1]))
        for name, kind in pythons:
            wall, cpu, peak, out = timed([sys.executable, "-c", OPTUNA, csv, kind, str(TRIALS)])
            best = float(out.split()[-1])
            res[name].append((wall, cpu, peak, best))
            log("%-46s %6.1f s wall %6.1f s CPU %5.0f MB  best AUC %.5f" %
                ((name,) + res[name][-1]))
    return res


def part_rows(tmp, repeats, log):
    csv = os.path.join(tmp, "rows1m.csv")
    write_csv(csv, 1000000)
    mb = os.path.getsize(csv) / 1e6
    study = os.path.join(tmp, "rows.json")
    with open(study, "w") as f:
        json.dump({"name": "bench-rows", "data": {"path": csv, "target": "target"},
                   "task": "binary",
                   "trainer": {"name": "boosting",
                               "params": {"n_estimators": 100, "max_leaves": 31,
                                          "max_depth": 0, "learning_rate": 0.1,
                                          "max_bins": 255}},
                   "cv": {"folds": 3, "stratified": True},
                   "objective": {"metric": "roc_auc", "direction": "maximize"}}, f, indent=1)
    res = {"tunefold evaluate": [], "Python + pandas + HistGradientBoosting": []}
    for r in range(repeats):
        db = os.path.join(tmp, "rows-%d.db" % r)
        wall, cpu, peak, out = timed([BIN, "evaluate", study, "--db", db, "--format", "json"])
        auc = json.loads(out)["metrics"]["roc_auc"]["mean"]
        res["tunefold evaluate"].append((wall, cpu, peak, auc))
        log("%-46s %6.1f s wall %6.1f s CPU %5.0f MB  AUC %.5f" %
            (("tunefold evaluate",) + res["tunefold evaluate"][-1]))
        wall, cpu, peak, out = timed([sys.executable, "-c", ROWS_PY, csv])
        name = "Python + pandas + HistGradientBoosting"
        res[name].append((wall, cpu, peak, float(out.split()[-1])))
        log("%-46s %6.1f s wall %6.1f s CPU %5.0f MB  AUC %.5f" % ((name,) + res[name][-1]))
    return res, mb


def med(v, i):
    return statistics.median(x[i] for x in v)


def table(res, ref_names, value_label):
    ref = min(ref_names, key=lambda n: med(res[n], 0))
    lines = ["| run | wall s (median) | CPU s | peak MB | %s | wall / %s |" %
             (value_label, ref), "|---|---:|---:|---:|---:|---:|"]
    for name, v in res.items():
        lines.append("| %s | %.1f | %.1f | %.0f | %.5f | %.2f |" %
                     (name, med(v, 0), med(v, 1), med(v, 2), max(x[3] for x in v),
                      med(v, 0) / med(res[ref], 0)))
    return lines, ref


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["study", "rows", "all"], default="all")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS_study.md"))
    args = ap.parse_args()
    subprocess.run(["make", "-s", "-j2", "bin/tunefold"], cwd=ROOT, check=True)
    t_start = time.time()
    log = lambda s: print(s, flush=True)
    md = ["# Whole studies and big folds: tunefold against Optuna, scikit-learn and XGBoost",
          "",
          "Written by `bench/bench_study_boosting.py --part %s --repeats %d` (%s, %s, %d cores; "
          "Python %s)." % (args.part, args.repeats, datetime.date.today().isoformat(),
                           platform.machine(), os.cpu_count(), platform.python_version()),
          "Whole-process wall time and peak resident memory (GNU time), CPU = user + system "
          "of the process tree; the runs of each round interleaved, medians over rounds. "
          "The machine is shared: compare ratios from the same run.", ""]
    with tempfile.TemporaryDirectory(prefix="tunefold-study-") as tmp:
        if args.part in ("study", "all"):
            res = part_study(tmp, args.repeats, log)
            lines, ref = table(res, ["Optuna TPE + XGBoost hist",
                                     "Optuna TPE + HistGradientBoosting"], "best AUC")
            md += ["## 1. A whole study: boosting, 100,000 x 20, 20 bayes/TPE trials, 3 folds",
                   ""] + lines + [""]
        if args.part in ("rows", "all"):
            res, mb = part_rows(tmp, args.repeats, log)
            lines, ref = table(res, ["Python + pandas + HistGradientBoosting"], "mean AUC")
            md += ["## 2. One boosting configuration on 1,000,000 x 20 (%.0f MB of CSV), "
                   "3 folds" % mb, ""] + lines + [""]
    md += ["Load average (1, 5, 15 min) at the end: %s; %.0f s in all." %
           (" ".join("%.2f" % x for x in os.getloadavg()), time.time() - t_start), ""]
    with open(args.out, "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
