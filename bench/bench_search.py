#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Search power (issue 20), side by side in one run; writes bench/RESULTS_search.md.

    /usr/bin/python3 bench/bench_search.py             # everything (about 1-2 hours)
    /usr/bin/python3 bench/bench_search.py --quick     # fewer seeds and data sets
    bench/run.sh search                                # the same as the first line

1. Model selection: on the shipped data sets and a synthetic one, five seeds
   each (--quick: three small sets and two seeds of the synthetic one), one
   bayes study of 60 trials across logistic, knn, forest and boosting
   ("trainers") against four separate 20-trial studies of each trainer alone
   (random and bayes), 3-fold CV, all through `tunefold run`: best CV score,
   and where the 60 trials went.  The 60-trial study runs three ways: the
   default, per-choice models ("conditional": "split"), and the acquisition
   over the whole space ("trainer_choice": "model", as before).
   --cash-only writes this table alone, to bench/RESULTS_search_cash.md.
2. A synthetic conditional problem (bench/search_bench.c "cond": four
   "trainers" of 2, 3, 4 and 1 parameters): regret after 40 trials, 10
   seeds, bayes per-choice and imputed (each with the branch chosen by its
   own acquisition, the default, and over the whole space, as before),
   random, and Optuna TPE (which handles define-by-run spaces).
   --cond-only writes this table alone, to bench/RESULTS_search_cond.md.
3. Two objectives: ZDT1 with 4 inputs, and boosting on breast_cancer trading
   ROC AUC for fit seconds: hypervolume after 40 trials, 10 seeds (ZDT1) and 5
   (boosting), bayes ParEGO and EHVI, random, Optuna NSGA-II (its default
   population of 50, and 10) and MOTPE.  The boosting trials of Optuna's
   samplers are evaluated by `tunefold evaluate` on the same folds.
4. Constraints: constrained Branin and Gardner et al.'s toy problem: the
   regret of the best feasible trial after 40 trials, 10 seeds, bayes,
   random and Optuna TPE with constraints_func.
Optuna runs are skipped when /usr/bin/python3 cannot import optuna
(apt-get install python3-optuna).
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = os.path.join(ROOT, "build", "bench", "search_bench")
TF = os.path.join(ROOT, "bin", "tunefold")
BUDGET = 40


def build():
    subprocess.run(["make", "-s", "all"], cwd=ROOT, check=True)
    pc = os.environ.get("PKG_CONFIG", "pkg-config")
    cc = os.environ.get("CC", "cc")
    pkgs = ["gsl", "nlopt", "libcjson"]
    libs = subprocess.run([pc, "--libs"] + pkgs, check=True, capture_output=True,
                          text=True).stdout.replace("-lgslcblas", "").split()
    cflags = subprocess.run([pc, "--cflags"] + pkgs, check=True, capture_output=True,
                            text=True).stdout.split()
    arch = subprocess.run([cc, "-print-multiarch"], capture_output=True, text=True).stdout.strip()
    blas = "/usr/lib/%s/openblas-serial" % arch
    libs += ["-L" + blas, "-Wl,-rpath," + blas, "-lopenblas"]
    os.makedirs(os.path.dirname(PROG), exist_ok=True)
    subprocess.run([cc, "-std=c11", "-O2", "-Iinclude", "-I.", "-D_POSIX_C_SOURCE=200809L"] +
                   cflags + ["bench/search_bench.c", "lib/libtunefold.a"] + libs +
                   ["-lm", "-lpthread", "-o", PROG], cwd=ROOT, check=True)


def median_iqr(v):
    v = sorted(v)
    if not v:
        return "–"
    q = statistics.quantiles(v, n=4) if len(v) > 1 else [v[0], v[0], v[0]]
    return "%s [%s, %s]" % (fmt(statistics.median(v)), fmt(q[0]), fmt(q[2]))


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if x == 0:
        return "0"
    a = abs(x)
    return "%.3g" % x if 1e-3 <= a < 1e4 else "%.2e" % x


def hypervolume(points, ref):
    """2-D hypervolume of minimized points below ref."""
    pts = sorted((p for p in points if p[0] < ref[0] and p[1] < ref[1]))
    hv, y_prev = 0.0, ref[1]
    for x, y in pts:
        if y < y_prev:
            hv += (ref[0] - x) * (y_prev - y)
            y_prev = y
    return hv


# ---- the C problems -------------------------------------------------------------------

def run_c(problem, strategy, seeds, budget=BUDGET, model=""):
    args = [PROG, "run", problem, strategy, "0", str(seeds), str(budget)]
    if model:
        args.append(model)
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    runs = []
    for line in out.splitlines():
        parts = line.split()
        ms = float(parts[3])
        trials = []
        for t in parts[4:]:
            obj, _, slack = t.partition(";")
            trials.append(([float(v) for v in obj.split(",")],
                           [float(v) for v in slack.split(";")] if slack else []))
        runs.append({"ms": ms, "trials": trials})
    return runs


def branin(x1, x2):
    a = x2 - 5.1 / (4 * math.pi ** 2) * x1 * x1 + 5 / math.pi * x1 - 6
    return a * a + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def zdt1(x):
    g = 1 + 9 * (x[1] + x[2] + x[3]) / 3
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def cbranin(x):
    return [branin(x[0], x[1])], [(x[0] - 2.5) ** 2 + (x[1] - 7.5) ** 2 - 50]


def gardner(x):
    return ([math.cos(2 * x[0]) * math.cos(x[1]) + math.sin(x[0])],
            [math.cos(x[0]) * math.cos(x[1]) - math.sin(x[0]) * math.sin(x[1]) - 0.5])


def cond(m, x):
    c = [0.2, 0.8, 0.5, 0.3]
    if m == "a":
        return branin(-5 + 15 * x[0], 15 * x[1]) / 50 + 0.2
    if m == "b":
        return 0.1 + sum((v - 0.3) ** 2 for v in x)
    if m == "c":
        return 2 * sum((v - ci) ** 2 for v, ci in zip(x, c))
    return (x[0] - 0.8) ** 2 + 0.3


def check_copies():
    """The Python copies against the C problems at a few points."""
    import random
    rng = random.Random(5)
    for _ in range(5):
        x = [rng.random() for _ in range(4)]
        c = [float(v) for v in subprocess.run([PROG, "eval", "zdt1"] + ["%.17g" % v for v in x],
                                              capture_output=True, text=True).stdout.split()]
        assert all(abs(a - b) < 1e-12 for a, b in zip(c, zdt1(x))), (x, c)
        x = [-5 + 15 * rng.random(), 15 * rng.random()]
        out = subprocess.run([PROG, "eval", "cbranin"] + ["%.17g" % v for v in x],
                             capture_output=True, text=True).stdout.split("|")
        f, s = cbranin(x)
        assert abs(float(out[0]) - f[0]) < 1e-9 and abs(float(out[1]) - s[0]) < 1e-9


def gardner_optimum():
    """The best feasible value of Gardner's problem: a dense grid, then SLSQP."""
    import numpy as np
    from scipy.optimize import minimize
    g = np.linspace(0, 6, 2001)
    x1, x2 = np.meshgrid(g, g)
    f = np.cos(2 * x1) * np.cos(x2) + np.sin(x1)
    c = np.cos(x1) * np.cos(x2) - np.sin(x1) * np.sin(x2)
    f[c > 0.5] = np.inf
    idx = np.argsort(f, axis=None)[:20]
    best = float(f.flat[idx[0]])
    for i in idx:
        x0 = [x1.flat[i], x2.flat[i]]
        r = minimize(lambda x: math.cos(2 * x[0]) * math.cos(x[1]) + math.sin(x[0]), x0,
                     method="SLSQP", bounds=[(0, 6), (0, 6)],
                     constraints=[{"type": "ineq", "fun": lambda x: 0.5 - (
                         math.cos(x[0]) * math.cos(x[1]) - math.sin(x[0]) * math.sin(x[1]))}])
        if r.success and gardner(r.x)[1][0] <= 1e-9:
            best = min(best, float(r.fun))
    return best


# ---- Optuna on the C problems' Python copies -------------------------------------------

def optuna_runs(optuna, problem, sampler_name, seeds, budget=BUDGET):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    runs = []
    for seed in range(seeds):
        constraints = None
        if problem in ("cbranin", "gardner"):
            def constraints(trial):
                return trial.user_attrs["slack"]
        if sampler_name == "tpe":
            sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=constraints)
        elif sampler_name == "tpe-multivariate":
            sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True,
                                                 constraints_func=constraints)
        elif sampler_name == "nsga2":
            sampler = optuna.samplers.NSGAIISampler(seed=seed)
        elif sampler_name == "nsga2-10":
            sampler = optuna.samplers.NSGAIISampler(seed=seed, population_size=10)
        elif sampler_name == "motpe":
            sampler = optuna.samplers.MOTPESampler(seed=seed)
        else:
            raise ValueError(sampler_name)
        directions = ["minimize", "minimize"] if problem == "zdt1" else ["minimize"]
        study = optuna.create_study(directions=directions, sampler=sampler)
        trials = []
        t0 = time.time()

        def objective(trial):
            if problem == "zdt1":
                x = [trial.suggest_float("x%d" % i, 0, 1) for i in range(1, 5)]
                f = zdt1(x)
                trials.append((f, []))
                return tuple(f)
            if problem == "cbranin":
                f, s = cbranin([trial.suggest_float("x1", -5, 10), trial.suggest_float("x2", 0, 15)])
            elif problem == "gardner":
                f, s = gardner([trial.suggest_float("x1", 0, 6), trial.suggest_float("x2", 0, 6)])
            else:  # cond: define-by-run
                m = trial.suggest_categorical("m", ["a", "b", "c", "d"])
                n = {"a": 2, "b": 3, "c": 4, "d": 1}[m]
                f, s = [cond(m, [trial.suggest_float("%s%d" % (m, i), 0, 1)
                                 for i in range(1, n + 1)])], []
            trial.set_user_attr("slack", s)
            trials.append((f, s))
            return f[0]
        study.optimize(objective, n_trials=budget)
        runs.append({"ms": 1e3 * (time.time() - t0) / budget, "trials": trials})
    return runs


def best_feasible(trials, upto):
    b = math.inf
    for f, s in trials[:upto]:
        if all(v <= 0 for v in s):
            b = min(b, f[0])
    return b


# ---- real studies through the command line --------------------------------------------

SPACES = {
    "logistic": {"params": {"max_iter": 300}, "space": {
        "C": {"type": "float", "low": 1e-3, "high": 1e3, "scale": "log"},
        "penalty": {"type": "categorical", "values": ["l1", "l2"]}}},
    "knn": {"space": {
        "n_neighbors": {"type": "int", "low": 1, "high": 50, "scale": "log"},
        "weights": {"type": "categorical", "values": ["uniform", "distance"]},
        "p": {"type": "float", "low": 1, "high": 2}}},
    "forest": {"params": {"n_threads": 1}, "space": {
        "n_estimators": {"type": "int", "low": 20, "high": 100, "scale": "log"},
        "max_depth": {"type": "int", "low": 2, "high": 20},
        "max_features": {"type": "categorical", "values": ["sqrt", "log2", "fraction"]},
        "max_features_fraction": {"type": "float", "low": 0.1, "high": 1,
                                  "when": {"max_features": "fraction"}},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "scale": "log"}}},
    "boosting": {"params": {"n_threads": 1}, "space": {
        "n_estimators": {"type": "int", "low": 20, "high": 100, "scale": "log"},
        "learning_rate": {"type": "float", "low": 0.01, "high": 0.5, "scale": "log"},
        "max_depth": {"type": "int", "low": 2, "high": 8},
        "subsample": {"type": "float", "low": 0.5, "high": 1},
        "colsample_bytree": {"type": "float", "low": 0.3, "high": 1},
        "reg_lambda": {"type": "float", "low": 1e-3, "high": 10, "scale": "log"}}},
}


def study_file(tmp, name, data, task, metric, search, trainers=None, trainer=None,
               objectives=None):
    s = {"name": name, "data": {"path": data, "target": "target"}, "task": task,
         "preprocess": {"impute": "median", "scale": "standard", "one_hot": True},
         "search": search, "cv": {"folds": 3}}
    if trainers:
        s["trainers"] = trainers
    else:
        s["trainer"] = {"name": trainer, "params": SPACES[trainer].get("params", {})}
        s["space"] = SPACES[trainer]["space"]
    if objectives:
        s["objectives"] = objectives
    else:
        s["objective"] = {"metric": metric}
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(s, f)
    return path


def tf(*args, env=None):
    r = subprocess.run([TF] + list(args), capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("tunefold %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def trials(db, name):
    return json.loads(tf("trials", "--db", db, "--study", name, "--format", "json"))


def cash(tmp, label, data, task, metric, seed):
    db = os.path.join(tmp, "cash.db")
    out = {}
    env = None
    # one 60-trial study across the four trainers: the imputed model (the
    # default) and per-choice models, each trainer chosen by its own
    # acquisition (the default); and, as before issue 20's item 3 was
    # closed, the imputed model's acquisition over the whole space
    for key, options in (("cash1", {"conditional": "split"}), ("cash0", {}),
                         ("before", {"trainer_choice": "model"})):
        name = "%s-%s-s%d" % (label, key, seed)
        search = {"strategy": "bayes", "trials": 60, "seed": seed}
        search.update(options)
        path = study_file(tmp, name, data, task, metric, search,
                          trainers={k: dict(v) for k, v in SPACES.items()})
        t0 = time.time()
        tf("run", path, "--db", db, "--quiet", env=env)
        tt = trials(db, name)
        where = {}
        for t in tt:
            tr = t["params"]["trainer"]
            w = where.setdefault(tr, [0, -math.inf])
            w[0] += 1
            if t["value"] is not None:
                w[1] = max(w[1], t["value"])
        out[key] = {"best": max(t["value"] for t in tt if t["value"] is not None),
                    "where": where, "seconds": time.time() - t0}
    for strategy in ("random", "bayes"):
        per = {}
        t0 = time.time()
        for tr in SPACES:
            name = "%s-%s-%s-s%d" % (label, tr, strategy, seed)
            path = study_file(tmp, name, data, task, metric,
                              {"strategy": strategy, "trials": 20, "seed": seed}, trainer=tr)
            tf("run", path, "--db", db, "--quiet", env=env)
            per[tr] = max(t["value"] for t in trials(db, name) if t["value"] is not None)
        out[strategy] = {"per": per, "best": max(per.values()), "seconds": time.time() - t0}
    return out


def data_sets(tmp, quick):
    """(label, path, task, metric, seeds): five seeds of each set; with --quick
    (about 15 minutes on two shared cores) the three small sets and two seeds of
    the synthetic one, whose trials take seconds."""
    sets = [("breast_cancer", os.path.join(ROOT, "data", "breast_cancer.csv"), "binary",
             "roc_auc", 5),
            ("wine", os.path.join(ROOT, "data", "wine.csv"), "multiclass", "accuracy", 5),
            ("iris", os.path.join(ROOT, "data", "iris.csv"), "multiclass", "accuracy", 5)]
    if not quick:
        sets.append(("digits", os.path.join(ROOT, "data", "digits.csv"), "multiclass",
                     "accuracy", 5))
    try:
        from sklearn.datasets import make_classification
        x, y = make_classification(n_samples=1500, n_features=20, n_informative=6,
                                   n_redundant=4, flip_y=0.03, class_sep=0.8, random_state=7)
        path = os.path.join(tmp, "synthetic.csv")
        with open(path, "w") as f:
            f.write(",".join("x%d" % i for i in range(20)) + ",target\n")
            for row, t in zip(x, y):
                f.write(",".join("%.17g" % v for v in row) + ",%d\n" % t)
        sets.insert(0, ("synthetic (make_classification 1500 x 20)", path, "binary", "roc_auc",
                        2 if quick else 5))
    except ImportError:
        print("  (scikit-learn missing: no synthetic data set)")
    return sets


def boosting_tradeoff(tmp, seeds, optuna):
    """ROC AUC against fit seconds of boosting on breast_cancer."""
    data = os.path.join(ROOT, "data", "breast_cancer.csv")
    space = {"n_estimators": {"type": "int", "low": 10, "high": 300, "scale": "log"},
             "max_depth": {"type": "int", "low": 1, "high": 8},
             "learning_rate": {"type": "float", "low": 0.01, "high": 0.5, "scale": "log"}}
    db = os.path.join(tmp, "mo.db")
    objectives = [{"metric": "roc_auc"}, {"metric": "fit_seconds", "direction": "minimize"}]
    results = {}

    def base(name, search):
        s = {"name": name, "data": {"path": data, "target": "target"}, "task": "binary",
             "trainer": {"name": "boosting", "params": {"n_threads": 1}}, "space": space,
             "search": search, "cv": {"folds": 3}, "objectives": objectives}
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(s, f)
        return path

    for method in ("parego", "ehvi"):
        runs = []
        for seed in range(seeds):
            name = "mo-%s-%d" % (method, seed)
            path = base(name, {"strategy": "bayes", "trials": BUDGET, "seed": seed,
                               "multi_objective": method})
            tf("run", path, "--db", db, "--quiet")
            runs.append([(-t["value"], t["fit_seconds"]) for t in trials(db, name)
                         if t["value"] is not None])
        results["tunefold bayes " + method] = runs
    runs = []
    for seed in range(seeds):
        name = "mo-random-%d" % seed
        tf("run", base(name, {"strategy": "random", "trials": BUDGET, "seed": seed}), "--db", db,
           "--quiet")
        runs.append([(-t["value"], t["fit_seconds"]) for t in trials(db, name)
                     if t["value"] is not None])
    results["tunefold random"] = runs
    if optuna:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        path = base("mo-eval", {"strategy": "random", "trials": 1, "seed": 0})
        for label, make in (("Optuna NSGA-II (population 50)",
                             lambda s: optuna.samplers.NSGAIISampler(seed=s)),
                            ("Optuna NSGA-II (population 10)",
                             lambda s: optuna.samplers.NSGAIISampler(seed=s, population_size=10)),
                            ("Optuna MOTPE", lambda s: optuna.samplers.MOTPESampler(seed=s))):
            runs = []
            for seed in range(seeds):
                pts = []

                def objective(trial):
                    params = {"n_estimators": trial.suggest_int("n_estimators", 10, 300, log=True),
                              "max_depth": trial.suggest_int("max_depth", 1, 8),
                              "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.5,
                                                                   log=True)}
                    r = json.loads(tf("evaluate", path, "--db", db, "--params",
                                      json.dumps(params), "--format", "json"))
                    auc, fit = r["metrics"]["roc_auc"]["mean"], r["fit_seconds"]
                    pts.append((-auc, fit))
                    return auc, fit
                study = optuna.create_study(directions=["maximize", "minimize"],
                                            sampler=make(seed))
                study.optimize(objective, n_trials=BUDGET)
                runs.append(pts)
            results[label] = runs
    # one reference point for all: 10% beyond the worst of every point seen
    allp = [p for runs in results.values() for r in runs for p in r]
    lo = [min(p[i] for p in allp) for i in range(2)]
    hi = [max(p[i] for p in allp) for i in range(2)]
    ref = [hi[i] + 0.1 * (hi[i] - lo[i]) for i in range(2)]
    return results, ref


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-cash", action="store_true")
    ap.add_argument("--cash-only", action="store_true",
                    help="only the model-selection table, into RESULTS_search_cash.md")
    ap.add_argument("--first-seed", type=int, default=0,
                    help="the model-selection table's first seed (five from it); with "
                    "--cash-only and S > 0 the table goes to RESULTS_search_cash_seedsS.md")
    ap.add_argument("--cond-only", action="store_true",
                    help="only the conditional problem's table, into RESULTS_search_cond.md")
    args = ap.parse_args()
    seeds = 3 if args.quick else 10
    build()
    check_copies()
    try:
        import optuna
    except ImportError:
        optuna = None
        print("Optuna missing (apt-get install python3-optuna): its columns are skipped")
    lines = ["# Search power: several trainers, conditions, objectives, constraints",
             "",
             "`/usr/bin/python3 bench/bench_search.py%s` (this file is its output%s); %s, %s, "
             "load %.1f at the start; Optuna %s." % (
                 "".join(" " + a for a in sys.argv[1:]),
                 "" if args.cash_only else ": %d seeds" % seeds if args.cond_only else
                 ": %d seeds%s" % (seeds, ", no model-selection table" if args.skip_cash
                                   else "") if args.quick or args.skip_cash else "",
                 platform.machine(), platform.python_version(), os.getloadavg()[0],
                 optuna.__version__ if optuna else "missing"), ""]

    def out(*ls):
        for s in ls:
            print(s)
            lines.append(s)

    if not args.cash_only:
        # ---- 2. the conditional synthetic problem
        out("## A conditional space: four \"trainers\" of 2, 3, 4 and 1 parameters", "",
            "bench/search_bench.c `cond`: branches a (Branin / 50 + 0.2), b (a 3-D bowl + 0.1), c "
            "(a 4-D bowl, the optimum 0) and d (a 1-D bowl + 0.3).  Regret of the best trial, "
            "median [quartiles] over %d seeds." % seeds,
            "", "| strategy | after 20 | after 40 | ms / suggestion |", "|---|---|---|---|")
        conds = [("bayes, one imputed model (the default)", run_c("cond", "bayes", seeds,
                                                                model="split=0")),
                 ("bayes, per-choice models (\"conditional\": \"split\")",
                  run_c("cond", "bayes", seeds, model="split=1")),
                 ("bayes, one imputed model, the acquisition over the whole space "
                  "(\"trainer_choice\": \"model\", before)",
                  run_c("cond", "bayes", seeds, model="split=0,choice=model")),
                 ("bayes, per-choice models, over the whole space (before)",
                  run_c("cond", "bayes", seeds, model="split=1,choice=model")),
                 ("random", run_c("cond", "random", seeds))]
        if optuna:
            conds.append(("Optuna TPE (define-by-run)", optuna_runs(optuna, "cond", "tpe", seeds)))
        for label, runs in conds:
            r20 = [min(t[0][0] for t in r["trials"][:20]) for r in runs]
            r40 = [min(t[0][0] for t in r["trials"][:40]) for r in runs]
            out("| %s | %s | %s | %.1f |" % (label, median_iqr(r20), median_iqr(r40),
                                             statistics.median(r["ms"] for r in runs)))
        out("")
        if args.cond_only:
            # the hand-written sections after the table (other orders of the
            # branches, the rules tried) are kept in their own file
            notes = os.path.join(ROOT, "bench", "RESULTS_search_cond_notes.md")
            if os.path.exists(notes):
                with open(notes) as f:
                    lines.append(f.read().rstrip("\n"))
            with open(os.path.join(ROOT, "bench", "RESULTS_search_cond.md"), "w") as f:
                f.write("\n".join(lines) + "\n")
            return

        # ---- 4. constraints
        opt = {"cbranin": 0.39788735772973816, "gardner": gardner_optimum()}
        out("## Constraints: regret of the best feasible trial after 40 trials", "",
            "Constrained Branin: Branin on [-5, 10] x [0, 15] with (x1 - 2.5)^2 + (x2 - 7.5)^2 <= 50 "
            "(two of its three minima lie outside; optimum 0.397887).  Gardner et al. 2014, 4.1: "
            "cos(2 x1) cos(x2) + sin(x1) on [0, 6]^2 with cos(x1) cos(x2) - sin(x1) sin(x2) <= 0.5 "
            "(optimum %.6f, dense grid and SLSQP).  Median [quartiles] over %d seeds; in brackets "
            "after it, the median number of feasible trials of 40." % (opt["gardner"], seeds), "",
            "| strategy | constrained Branin | Gardner |", "|---|---|---|")
        cons = {p: [("bayes (EI x P(feasible))", run_c(p, "bayes", seeds)),
                    ("random", run_c(p, "random", seeds))] for p in opt}
        if optuna:
            for p in opt:
                cons[p].append(("Optuna TPE, constraints_func", optuna_runs(optuna, p, "tpe", seeds)))
                cons[p].append(("Optuna TPE multivariate, constraints_func",
                                optuna_runs(optuna, p, "tpe-multivariate", seeds)))
        for i, (label, _) in enumerate(cons["cbranin"]):
            cells = []
            for p in opt:
                runs = cons[p][i][1]
                reg = [best_feasible(r["trials"], 40) - opt[p] for r in runs]
                feas = [sum(all(v <= 0 for v in t[1]) for t in r["trials"][:40]) for r in runs]
                cells.append("%s (%d)" % (median_iqr(reg), statistics.median(feas)))
            out("| %s | %s |" % (label, " | ".join(cells)))
        out("")

        # ---- 3. two objectives: ZDT1
        out("## Two objectives: ZDT1 with 4 inputs, hypervolume after 40 trials", "",
            "Median [quartiles] over %d seeds (larger is better); reference points (1.1, 1.1), "
            "where only good points count, and (1.1, 11), where every point does." % seeds, "",
            "| strategy | HV to (1.1, 1.1) | HV to (1.1, 11) | ms / suggestion |", "|---|---|---|---|")
        zd = [("bayes, ParEGO (the default)", run_c("zdt1", "bayes", seeds, model="ehvi=0")),
              ("bayes, ParEGO normalized by rank", run_c("zdt1", "bayes", seeds,
                                                         model="ehvi=0,rank=1")),
              ("bayes, EHVI", run_c("zdt1", "bayes", seeds, model="ehvi=1")),
              ("random", run_c("zdt1", "random", seeds))]
        if optuna:
            zd += [("Optuna NSGA-II (population 50, its default)",
                    optuna_runs(optuna, "zdt1", "nsga2", seeds)),
                   ("Optuna NSGA-II (population 10)", optuna_runs(optuna, "zdt1", "nsga2-10", seeds)),
                   ("Optuna MOTPE", optuna_runs(optuna, "zdt1", "motpe", seeds))]
        for label, runs in zd:
            h1 = [hypervolume([t[0] for t in r["trials"]], (1.1, 1.1)) for r in runs]
            h2 = [hypervolume([t[0] for t in r["trials"]], (1.1, 11)) for r in runs]
            out("| %s | %s | %s | %.1f |" % (label, median_iqr(h1), median_iqr(h2),
                                             statistics.median(r["ms"] for r in runs)))
        out("")

    with tempfile.TemporaryDirectory() as tmp:
        if not args.cash_only:
            # ---- 3b. the real trade-off
            mo_seeds = 3 if args.quick else 5
            res, ref = boosting_tradeoff(tmp, mo_seeds, optuna)
            out("## Two objectives: ROC AUC against fit seconds, boosting on breast_cancer", "",
                "n_estimators 10..300 (log), max_depth 1..8, learning_rate 0.01..0.5 (log); 3-fold "
                "CV; fit seconds per fold as measured (a shared machine: noisy).  Hypervolume of "
                "(1 - AUC, fit seconds) after 40 trials to the reference (%.4g, %.4g), 10%% beyond "
                "the worst of every point of every run; median [quartiles] over %d seeds, and the "
                "median size of the Pareto set." % (ref[0] + 1, ref[1], mo_seeds), "",
                "| strategy | hypervolume | Pareto points |", "|---|---|---|")
            for label, runs in res.items():
                hv = [hypervolume(r, ref) for r in runs]
                sizes = []
                for r in runs:
                    front = [p for p in r if not any(q[0] <= p[0] and q[1] <= p[1] and q != p
                                                     for q in r)]
                    sizes.append(len(front))
                out("| %s | %s | %d |" % (label, median_iqr(hv), statistics.median(sizes)))
            out("")

        # ---- 1. model selection
        if not args.skip_cash:
            sets = data_sets(tmp, args.quick)
            out("## Model selection: one 60-trial study across four trainers, or four of 20", "",
                "logistic (C, penalty), knn (n_neighbors, weights, p), forest (n_estimators "
                "20..100, max_depth, max_features, max_features_fraction when fraction, "
                "min_samples_leaf), boosting (n_estimators 20..100, learning_rate, max_depth, "
                "subsample, colsample_bytree, reg_lambda); 3-fold CV, one thread.  Best CV "
                "score (ROC AUC for the binary sets, accuracy otherwise) of the best of the "
                "eight 20-trial studies of each trainer alone (bayes and random; the trainer and "
                "strategy of the best in brackets), and of one 60-trial bayes study across the "
                "four trainers: before (`\"trainer_choice\": \"model\"`, the imputed model's "
                "acquisition over the whole space, as 0.2.0 had it until issue 20's item 3), and "
                "after (the default: a design of at least 3 points per trainer, then each "
                "trainer's best acquisition), with the imputed model (the default) and with "
                "per-choice models (`\"conditional\": \"split\"`).  A * marks a 60-trial "
                "study equal to or better than the best of the eight (compared at full "
                "precision); one line per seed.", "",
                "| data set | seed | best of 8 x 20 | before | after (the default) | after, "
                "per-choice models | trials per trainer before: count / best | after |",
                "|---|---|---|---|---|---|---|---|")
            keys = ("before", "cash0", "cash1")
            wins = {m: 0 for m in keys}
            # the issue's own reading: four separate studies of one strategy
            wins_of = {(m, st): 0 for m in keys for st in ("bayes", "random")}
            raw = []
            per_set = []
            for label, path, task, metric, cseeds in sets:
                set_wins = {m: 0 for m in keys}
                for seed in range(args.first_seed, args.first_seed + cseeds):
                    r = cash(tmp, label.split()[0], path, task, metric, seed)
                    raw.append({"set": label, "seed": seed, "result": r})
                    for m in keys:
                        for st in ("bayes", "random"):
                            wins_of[(m, st)] += r[m]["best"] >= r[st]["best"]
                    top = max(r["bayes"]["best"], r["random"]["best"])
                    strat = "bayes" if r["bayes"]["best"] >= r["random"]["best"] else "random"
                    cells = []
                    for m in keys:
                        ok = r[m]["best"] >= top
                        wins[m] += ok
                        set_wins[m] += ok
                        cells.append("%.4f%s" % (r[m]["best"], " *" if ok else ""))
                    where = [", ".join("%s %d / %.4f" % (k, v[0], v[1])
                                       for k, v in sorted(r[m]["where"].items()))
                             for m in ("before", "cash0")]
                    out("| %s | %d | %.4f (%s, %s) | %s | %s |" % (
                        label, seed, top, max(r[strat]["per"], key=r[strat]["per"].get), strat,
                        " | ".join(cells), " | ".join(where)))
                    sys.stdout.flush()
                per_set.append((label.split()[0], cseeds, set_wins))
            n_runs = sum(x[4] for x in sets)
            out("", "The 60-trial study matched or beat the best of the eight 20-trial studies "
                "in %d of %d runs before, %d of %d after (the default), %d of %d after with "
                "per-choice models.  By data set (before / after / after, per-choice): %s." % (
                    wins["before"], n_runs, wins["cash0"], n_runs, wins["cash1"], n_runs,
                    "; ".join("%s %d / %d / %d of %d" % (lb, w["before"], w["cash0"], w["cash1"],
                                                         n) for lb, n, w in per_set)),
                "", "Against the best of the four bayes studies alone (80 trials): %s; "
                "against the best of the four random ones: %s (before / after / after, "
                "per-choice, of %d runs)." % (
                    " / ".join(str(wins_of[(m, "bayes")]) for m in keys),
                    " / ".join(str(wins_of[(m, "random")]) for m in keys), n_runs), "")
            # per data set, the median over its seeds (each a 60-trial study
            # against the best of four 20-trial bayes studies)
            meds = []
            for lb, n, _ in per_set:
                rs = [x["result"] for x in raw if x["set"].split()[0] == lb]
                meds.append("%s %.4f against %.4f" % (
                    lb, statistics.median(r["cash0"]["best"] for r in rs),
                    statistics.median(r["bayes"]["best"] for r in rs)))
            out("Median over each data set's seeds, the default against the four bayes "
                "studies: %s." % "; ".join(meds), "")
            os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
            with open(os.path.join(ROOT, "build", "bench", "search_cash%s.json" % (
                    "_seeds%d" % args.first_seed if args.first_seed else "")), "w") as f:
                json.dump(raw, f, indent=1)
    name = "RESULTS_search_cash.md" if args.cash_only else "RESULTS_search.md"
    if args.cash_only and args.first_seed:
        name = "RESULTS_search_cash_seeds%d.md" % args.first_seed
    elif args.cash_only:
        # the hand-written notes after the table (other seeds, rules tried)
        notes = os.path.join(ROOT, "bench", "RESULTS_search_cash_notes.md")
        if os.path.exists(notes):
            with open(notes) as f:
                lines.append(f.read().rstrip("\n"))
    with open(os.path.join(ROOT, "bench", name), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
