#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Side-by-side benchmark of the trainers that wrap the field's libraries —
tunefold's svm, liblinear and xgboost against scikit-learn's SVC/SVR,
LogisticRegression(solver="liblinear")/LinearSVC/LinearSVR and the Python
XGBoost 1.7 package, and LIBSVM's grid.py — in one run (issue 19).

1. Same folds, same parameters: every configuration of
   bench/reference/libtrainers_ref.py (breast_cancer, wine, diabetes,
   standardised; fold f = rows i with i % 5 == f), tunefold through
   bench/libtrainers_bench.c and the reference in this process: the largest
   difference of any fold's accuracy / ROC AUC (r2 / mse, relative above 1)
   must be <= 1e-6; the summed fit seconds of the five folds side by side.

2. grid.py's task: data/breast_cancer.csv scaled (grid.py: svm-scale to
   [-1, 1] over all rows, examples/trainers/libsvm_data.sh; tunefold: minmax
   fitted on each training fold), 5-fold CV, the 110-point grid log2 C in
   -5..15 step 2 by log2 gamma in 3..-15 step -2.  Wall seconds of
   `svm-grid` (Debian's /usr/bin/svm-grid is grid.py; one local worker, its
   default) and of `tunefold run examples/breast_cancer_svm_grid.json` with 1
   and 2 workers, repeated --repeats times interleaved (the machine is
   shared: medians), and the CPU seconds of each.  Target: tunefold's grid
   at most half of grid.py's wall time.  Then
   examples/breast_cancer_svm_bayes.json (bayes, 30 trials): the first
   trial whose 5-fold accuracy reaches grid.py's best.  The two use
   different folds (svm-train -v draws its own), so the same comparison is
   also made with tunefold's own grid, on the same folds.

3. XGBoost on 100,000 x 20 (make_classification(100000, 20,
   n_informative=10, random_state=0)), 3 folds (i % 3), the same parameters
   (100 rounds, hist, max_depth 6, 256 bins, seed 0) on --threads threads:
   wall and CPU seconds per fold of tunefold's xgboost trainer and of
   XGBClassifier.fit + predict_proba, without and with the validation fold
   evaluated every round (tunefold: the fit context's report, as in a study;
   Python: eval_set), interleaved, medians.  Target: tunefold's wall per fold
   at most Python's.  And the ways to hand the matrix to XGBoost
   (libtrainers_bench dmatrix): in place by strides (what the trainer does)
   against a float32 or a double row-major copy.

Writes bench/RESULTS_libtrainers.md (--out).  Usage:
bench/bench_libtrainers.py [--repeats N] [--threads 1,2] [--only quality|grid|xgboost]
Needs python3-sklearn, python3-xgboost and libsvm-tools (installed when run
as root).
"""
import argparse, datetime, json, os, platform, shutil, statistics, subprocess, sys, tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "reference"))


def ensure_tools():
    need = []
    try:
        import sklearn, xgboost  # noqa: F401
    except ImportError:
        need += ["python3-sklearn", "python3-xgboost"]
    if not shutil.which("svm-grid"):
        need.append("libsvm-tools")
    if need and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq"] + need, check=False,
                       stdout=subprocess.DEVNULL)
    elif need:
        sys.exit("bench_libtrainers: apt-get install -y " + " ".join(need))


def build_driver(out_dir):
    subprocess.run(["make", "-s", "lib/libtunefold.a", "bin/tunefold"], cwd=ROOT, check=True)
    libs = subprocess.run(["make", "-s", "--no-print-directory", "print-libs"], cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout.split()
    exe = os.path.join(out_dir, "libtrainers_bench")
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-Iinclude",
                    "-D_POSIX_C_SOURCE=200809L", "bench/libtrainers_bench.c",
                    "lib/libtunefold.a"] + libs + ["-o", exe], cwd=ROOT, check=True)
    return exe


def run_json(cmd, **kw):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True,
                                     **kw).stdout)


# ---- 1. quality --------------------------------------------------------------

def quality(exe, tmp):
    import numpy as np
    import libtrainers_ref as ref
    paths, data = {}, {}
    for name in ref.TASK:
        X, y = ref.load(name)
        data[name] = (X, y)
        paths[name] = os.path.join(tmp, name + ".csv")
        header = ",".join(["x%d" % j for j in range(X.shape[1])] + ["target"])
        np.savetxt(paths[name], np.column_stack([X, y]), delimiter=",", fmt="%.17g",
                   header=header, comments="")
    rows = []
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    for trainer, name, params, make in ref.CONFIGS:
        X, y = data[name]
        task = ref.TASK[name]
        args = [] if params == "-" else params.split(",")
        ours = run_json([exe, "cv", paths[name], task, trainer, "5", str(ref.SEED), "1", "1",
                         "0"] + args)["folds"]
        idx = np.arange(len(y))
        diff, ref_fit = 0.0, 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for f in range(5):
                tr, va = idx % 5 != f, idx % 5 == f
                yt = y[tr] if task == "regression" else y[tr].astype(int)
                t0 = time.perf_counter()
                m = make().fit(X[tr], yt)
                ref_fit += time.perf_counter() - t0
                if task == "regression":
                    from sklearn.metrics import mean_squared_error, r2_score
                    p = m.predict(X[va])
                    pairs = [(ours[f]["r2"], r2_score(y[va], p)),
                             (ours[f]["mse"], mean_squared_error(y[va], p))]
                else:
                    from sklearn.metrics import accuracy_score, roc_auc_score
                    yv = y[va].astype(int)
                    s = ref.class_scores(m, X[va])
                    auc = (roc_auc_score(yv, s if s.ndim == 1 else s[:, 1]) if task == "binary"
                           else ref.ovr_auc(yv, s))
                    pairs = [(ours[f]["accuracy"], accuracy_score(yv, m.predict(X[va]))),
                             (ours[f]["roc_auc"], auc)]
                for a, b in pairs:
                    diff = max(diff, abs(a - b) / max(1.0, abs(b)))
        our_fit = sum(f["fit_s"] for f in ours)
        metric = "r2" if task == "regression" else "accuracy"
        mean = statistics.mean(f[metric] for f in ours)
        rows.append((trainer, name, params, metric, mean, diff, our_fit, ref_fit))
        print("%-9s %-13s %-48.48s %s %.4f  max diff %.1e  fit %.4f s vs %.4f s"
              % (trainer, name, params, metric, mean, diff, our_fit, ref_fit), flush=True)
    return rows


# ---- 2. grid.py's task -------------------------------------------------------

def timed(cmd, **kw):
    t0 = time.perf_counter()
    r0 = os.times()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    r1 = os.times()
    cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    return time.perf_counter() - t0, cpu, out


def study_trials(db, study):
    return run_json([os.path.join(ROOT, "bin", "tunefold"), "trials", "--db", db, "--study",
                     study, "--format", "json"])


def grid_task(tmp, repeats):
    scaled = os.path.join(tmp, "breast_cancer.scale")
    subprocess.run(["sh", os.path.join(ROOT, "examples", "trainers", "libsvm_data.sh"),
                    os.path.join(ROOT, "data", "breast_cancer.csv"), scaled], check=True)
    tf = os.path.join(ROOT, "bin", "tunefold")
    ex = os.path.join(ROOT, "examples")
    runs = {"grid.py": [], "tunefold grid, 1 worker": [], "tunefold grid, 2 workers": []}
    gp_best = tf_best = None
    for r in range(repeats):
        wall, cpu, out = timed(["/usr/bin/python3", "/usr/bin/svm-grid", "-svmtrain",
                                "/usr/bin/svm-train", "-gnuplot", "null", "-out", "null",
                                scaled], cwd=tmp)
        runs["grid.py"].append((wall, cpu))
        c, g, acc = out.strip().splitlines()[-1].split()
        gp_best = (float(acc) / 100, float(c), float(g))
        for w in (1, 2):
            db = os.path.join(tmp, "grid%d_%d.db" % (w, r))
            wall, cpu, _ = timed([tf, "run", "breast_cancer_svm_grid.json", "--db", db,
                                  "--quiet", "--workers", str(w)], cwd=ex)
            runs["tunefold grid, %d worker%s" % (w, "s" if w > 1 else "")].append((wall, cpu))
        trials = study_trials(db, "breast-cancer-svm-grid")
        best = max(trials, key=lambda t: t["value"])
        tf_best = (best["value"], best["params"]["C"], best["params"]["gamma"], len(trials))
        print("grid run %d: %s" % (r + 1, {k: "%.2f s" % v[-1][0] for k, v in runs.items()}),
              flush=True)
    db = os.path.join(tmp, "bayes.db")
    timed([tf, "run", "breast_cancer_svm_bayes.json", "--db", db, "--quiet"], cwd=ex)
    trials = sorted(study_trials(db, "breast-cancer-svm-bayes"), key=lambda t: t["number"])

    def first_reaching(target):
        for t in trials:
            if t["value"] is not None and t["value"] >= target - 1e-12:
                return t["number"] + 1
        return None

    bb = max(trials, key=lambda t: t["value"])
    bayes = {"best": (bb["value"], bb["params"]["C"], bb["params"]["gamma"], bb["number"] + 1),
             "reach_gridpy": first_reaching(gp_best[0]), "reach_tf_grid": first_reaching(tf_best[0]),
             "trials": len(trials)}
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in runs.items()}
    return med, gp_best, tf_best, bayes


# ---- 3. XGBoost at 100,000 x 20 ----------------------------------------------

PY_XGB = r"""
import json, sys, time
import numpy as np, xgboost
path, threads, evals = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = np.loadtxt(path, delimiter=",", skiprows=1)
X, y = d[:, :-1], d[:, -1].astype(int)
idx = np.arange(len(y))
out = []
from sklearn.metrics import roc_auc_score
for f in range(3):
    tr, va = idx % 3 != f, idx % 3 == f
    Xt, yt, Xv, yv = X[tr], y[tr], X[va], y[va]
    m = xgboost.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3,
                              tree_method="hist", max_bin=256, n_jobs=threads, random_state=0)
    c0, t0 = time.process_time(), time.perf_counter()
    if evals:
        m.fit(Xt, yt, eval_set=[(Xv, yv)], verbose=False)
    else:
        m.fit(Xt, yt)
    t1 = time.perf_counter()
    p = m.predict_proba(Xv)[:, 1]
    t2, c2 = time.perf_counter(), time.process_time()
    out.append({"fit_s": t1 - t0, "predict_s": t2 - t1, "cpu_s": c2 - c0,
                "roc_auc": roc_auc_score(yv, p)})
print(json.dumps(out))
"""


def xgboost_speed(exe, tmp, repeats, threads_list):
    import numpy as np
    from sklearn.datasets import make_classification
    X, y = make_classification(100000, 20, n_informative=10, random_state=0)
    path = os.path.join(tmp, "xgb100k.csv")
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g",
               header=",".join(["x%d" % j for j in range(20)] + ["target"]), comments="")
    script = os.path.join(tmp, "py_xgb.py")
    with open(script, "w") as fh:
        fh.write(PY_XGB)
    results = []
    params = ["n_estimators=100", "max_depth=6", "learning_rate=0.3", "tree_method=hist",
              "max_bin=256"]
    for threads in threads_list:
        for evals in (0, 1):
            ours, py = [], []
            for r in range(repeats):
                o = run_json([exe, "cv", path, "binary", "xgboost", "3", "0", str(threads), "1",
                              str(evals)] + params)["folds"]
                ours.append([(f["fit_s"] + f["predict_s"], f["fit_cpu_s"], f["roc_auc"])
                             for f in o])
                p = run_json(["/usr/bin/python3", script, path, str(threads), str(evals)])
                py.append([(f["fit_s"] + f["predict_s"], f["cpu_s"], f["roc_auc"]) for f in p])
                print("xgboost threads %d evals %d run %d: ours %s python %s" % (
                    threads, evals, r + 1, ["%.2f" % w for w, _, _ in ours[-1]],
                    ["%.2f" % w for w, _, _ in py[-1]]), flush=True)
            med = lambda runs, k: statistics.median(  # noqa: E731
                statistics.mean(f[k] for f in run) for run in runs)
            auc_diff = max(abs(a[2] - b[2]) for a, b in zip(ours[0], py[0]))
            results.append((threads, evals, med(ours, 0), med(py, 0), med(ours, 1), med(py, 1),
                            auc_diff))
    dm = run_json([exe, "dmatrix", path, str(max(threads_list)), "5"])
    return results, dm


def machine():
    load = os.getloadavg()
    return "%s, %d cores, load %.1f/%.1f/%.1f at the start" % (
        platform.processor() or platform.machine(), os.cpu_count(), *load)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", choices=["quality", "grid", "xgboost"])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS_libtrainers.md"))
    a = ap.parse_args()
    ensure_tools()
    import sklearn, xgboost
    tmp = tempfile.mkdtemp(prefix="bench-libtrainers-")
    exe = build_driver(tmp)
    md = ["# svm, liblinear, xgboost against their reference packages",
          "",
          "`/usr/bin/python3 bench/bench_libtrainers.py --repeats %d --threads %s` on %s, %s; "
          "scikit-learn %s, xgboost %s, LIBSVM 3.24, LIBLINEAR 2.3.0.  The machine is shared "
          "with other jobs: wall times are medians of interleaved runs, CPU seconds beside "
          "them." % (a.repeats, a.threads, datetime.date.today().isoformat(), machine(),
                     sklearn.__version__, xgboost.__version__), ""]
    if a.only in (None, "quality"):
        rows = quality(exe, tmp)
        worst = max(r[5] for r in rows)
        md += ["## 1. Same folds, same parameters", "",
               "Fold f = rows i with i %% 5 == f, features standardised; each fold's accuracy "
               "and ROC AUC (r2 and mse) compared.  Largest difference over every fold and "
               "metric: **%.1e** (target <= 1e-6: %s)." % (worst, "met" if worst <= 1e-6
                                                           else "NOT met"), "",
               "| trainer | data | tunefold params | mean | max diff | fit s (5 folds) tunefold | reference |",
               "|---|---|---|---|---|---|---|"]
        for t, n, p, m, mean, diff, of, rf in rows:
            md.append("| %s | %s | `%s` | %s %.4f | %.1e | %.4f | %.4f |" % (
                t, n, p, m, mean, diff, of, rf))
        md.append("")
    if a.only in (None, "grid"):
        med, gp, tg, bayes = grid_task(tmp, a.repeats)
        w_gp = med["grid.py"][0]
        md += ["## 2. grid.py's task (breast_cancer, 110 points, 5-fold)", "",
               "| run | wall s (median) | CPU s | wall / grid.py's |", "|---|---|---|---|"]
        for k, (w, c) in med.items():
            md.append("| %s | %.2f | %.2f | %.2f |" % (k, w, c, w / w_gp))
        md += ["",
               "Target: tunefold's grid at most half of grid.py's wall time, on one core "
               "as grid.py runs (its default of one local worker): 1 worker %.2f (%s); "
               "2 workers %.2f." % (
                   med["tunefold grid, 1 worker"][0] / w_gp,
                   "met" if med["tunefold grid, 1 worker"][0] <= w_gp / 2 else "NOT met",
                   med["tunefold grid, 2 workers"][0] / w_gp), "",
               "Best 5-fold accuracy: grid.py %.4f%% at C = %g, gamma = %g (svm-train's folds); "
               "tunefold's grid %.4f%% at C = %g, gamma = %g (%d trials, its folds); bayes "
               "(30 trials) %.4f%% at C = %.4g, gamma = %.4g (trial %d)." % (
                   100 * gp[0], gp[1], gp[2], 100 * tg[0], tg[1], tg[2], tg[3],
                   100 * bayes["best"][0], bayes["best"][1], bayes["best"][2],
                   bayes["best"][3]), "",
               "Bayes reached grid.py's best accuracy at trial %s, tunefold's grid's best (same "
               "folds) at trial %s, of %d (target: within 30)." % (
                   bayes["reach_gridpy"], bayes["reach_tf_grid"], bayes["trials"]), ""]
    if a.only in (None, "xgboost"):
        threads = [int(t) for t in a.threads.split(",")]
        res, dm = xgboost_speed(exe, tmp, a.repeats, threads)
        md += ["## 3. xgboost vs Python XGBoost, 100,000 x 20, 3 folds", "",
               "Per fold (66,667 training rows, 33,333 predicted), 100 rounds, hist, depth 6, "
               "256 bins; medians over %d interleaved runs of the mean over the folds." %
               a.repeats, "",
               "| threads | validation metric each round | wall s tunefold | wall s Python | ratio | CPU s tunefold | CPU s Python | max AUC diff |",
               "|---|---|---|---|---|---|---|---|"]
        for th, ev, wo, wp, co, cp, ad in res:
            md.append("| %d | %s | %.3f | %.3f | %.2f | %.3f | %.3f | %.1e |" % (
                th, "yes" if ev else "no", wo, wp, wo / wp, co, cp, ad))
        md += ["", "Handing the 100,000 x 20 matrix to XGBoost (median of 5, to a built "
               "DMatrix; all three give the same values):", "",
               "| way | seconds | bytes tunefold copies |", "|---|---|---|"]
        for k, v in dm.items():
            md.append("| %s | %.4f | %d |" % (k, v["seconds"], v["copy_bytes"]))
        md.append("")
    text = "\n".join(md) + "\n"
    print(text)
    with open(a.out, "w") as fh:
        fh.write(text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
