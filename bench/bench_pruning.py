#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Early stopping, side by side with Optuna in one run.  Writes
bench/RESULTS_pruning.md (raw numbers in build/bench/pruning/results.json).

    /usr/bin/python3 bench/bench_pruning.py                 # every part, 5 seeds
    /usr/bin/python3 bench/bench_pruning.py lc folds        # some parts
    /usr/bin/python3 bench/bench_pruning.py --seeds 3 lc    # fewer seeds
    /usr/bin/python3 bench/bench_pruning.py --seeds 30 --first-seed 60 lc
                                                            # seeds 60-89
    bench/run.sh pruning                                    # the same as the first line

Parts:
  lc     the learning-curve benchmark: bench/lc_curve.c, an external program
         in score mode whose curves cross (fast starters plateau higher), 81
         steps, 10 parameters.  tunefold's bayes searcher without pruning (40
         trials) and with each step strategy (120 trials: median, percentile,
         asha, hyperband), against Optuna's TPE without pruning (40) and with
         its MedianPruner and HyperbandPruner (120), running the same program
         (killed when pruned).  Regret: the best objective found minus the
         optimum (lc_curve --optimum).
  boost  the real one: the built-in boosting trainer, 300 rounds, on
         100,000 rows of Hastie et al.'s problem 10.2 (generated here by
         scikit-learn, random_state 0), holdout 20%, log-loss; 4 parameters.
         The same runs as lc (min_steps 3: boosting reports every 3 rounds of
         300).  Optuna runs bench/boost_curve.c, the same trainer on the same
         split, preprocessing and fold seed as the tunefold study (so equal
         parameters give equal curves).  Regret: against the best log-loss
         any run of that seed found.
  folds  fold pruning: random search, 40 trials of logistic C (1e-4..1e3,
         log) with 10-fold CV on breast_cancer, 7 seeds: fold fits run (of
         400) and the best configuration, with and without pruning.
  bayes  what pruned trials teach bayes: bench/bayes_bench.c's test
         functions with a median rule pruning the trials worse than the
         median of the complete ones, read as censored (the default), as
         failures, or dropped (missing); 20 seeds, 60 trials.

Steps are counted the same way for both tools: a trial ran, in each fold,
its last reported step (for a pruned one, where it was stopped).
"""
import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench", "pruning")
BIN = os.path.join(ROOT, "bin", "tunefold")
RESULTS = os.path.join(OUT, "results.json")
MD = os.path.join(ROOT, "bench", "RESULTS_pruning.md")

LC_STEPS = 81
BOOST_ROUNDS = 300


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def build():
    os.makedirs(OUT, exist_ok=True)
    sh(["make", "-s", "-j2", "all"], cwd=ROOT)
    cc = os.environ.get("CC", "cc")
    sh([cc, "-std=c11", "-O2", "-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE",
        "bench/lc_curve.c", "-lm", "-o", os.path.join(OUT, "lc_curve")], cwd=ROOT)
    pkgs = ["gsl", "nlopt", "sqlite3", "libcjson"]
    cflags = sh(["pkg-config", "--cflags"] + pkgs).stdout.split()
    # every library the archive may pull in (the stores, the trainers): the Makefile's
    libs = sh(["make", "-s", "--no-print-directory", "print-libs"], cwd=ROOT).stdout.split()
    for prog in ("boost_curve", "bayes_bench"):
        sh([cc, "-std=c11", "-O2", "-Iinclude", "-I.", "-D_POSIX_C_SOURCE=200809L"] + cflags +
           ["bench/%s.c" % prog, "lib/libtunefold.a"] + libs + ["-o", os.path.join(OUT, prog)],
           cwd=ROOT)


def load():
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            return json.load(f)
    return {}


def save(res):
    with open(RESULTS, "w") as f:
        json.dump(res, f, indent=1)


# ---- tunefold side ---------------------------------------------------------------

def tf_run(study, db, trials, seed):
    if os.path.exists(db):
        os.remove(db)
    t0 = time.time()
    sh([BIN, "run", study, "--db", db, "--trials", str(trials), "--seed", str(seed),
        "--quiet"])
    secs = time.time() - t0
    con = sqlite3.connect(db)
    rows = con.execute("SELECT t.id, t.state, t.value FROM trials t").fetchall()
    steps = 0
    for tid, state, value in rows:
        # each fold's last step
        for (last,) in con.execute("SELECT MAX(step) FROM trial_intermediate WHERE trial_id = ?"
                                   " GROUP BY fold", (tid,)):
            steps += last
    best = min(v for _, s, v in rows if s == "COMPLETE" and v is not None)
    pruned = sum(1 for _, s, _ in rows if s == "PRUNED")
    con.close()
    return {"steps": steps, "best": best, "pruned": pruned, "trials": len(rows),
            "seconds": secs}


def write_study(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


# ---- Optuna side -------------------------------------------------------------------

def optuna_run(argv_of, suggest, trials, seed, pruner):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler,
                                pruner=pruner or optuna.pruners.NopPruner())
    steps = [0]

    def objective(trial):
        params = suggest(trial)
        proc = subprocess.Popen(argv_of(params), stdout=subprocess.PIPE, text=True, bufsize=1)
        obj, last = None, 0
        try:
            for line in proc.stdout:
                d = json.loads(line)
                if "step" in d:
                    last = d["step"]
                    trial.report(d["value"], d["step"])
                    if trial.should_prune():
                        steps[0] += last
                        raise optuna.TrialPruned()
                elif "objective" in d:
                    obj = d["objective"]
        finally:
            proc.kill()
            proc.wait()
        steps[0] += last
        return obj

    t0 = time.time()
    study.optimize(objective, n_trials=trials)
    secs = time.time() - t0
    complete = [t.value for t in study.trials if t.state.name == "COMPLETE"]
    pruned = sum(1 for t in study.trials if t.state.name == "PRUNED")
    return {"steps": steps[0], "best": min(complete), "pruned": pruned,
            "trials": len(study.trials), "seconds": secs}


def have_optuna():
    try:
        import optuna  # noqa: F401
        return True
    except ImportError:
        return False


# ---- the two step benchmarks ---------------------------------------------------------



# The learning-curve program's parameters: lr (log) and nine in [0, 1], as a
# tunefold space, as the program's argv, and as Optuna's suggestions.
LC_NAMES = ["batch", "width", "dropout", "h1", "h2", "h3", "h4", "h5", "h6"]


def lc_space():
    space = {"lr": {"type": "float", "low": 0.001, "high": 1, "scale": "log"}}
    for n in LC_NAMES:
        space[n] = {"type": "float", "low": 0, "high": 1}
    return space


def lc_argv(prog, p):
    return [prog] + ["--%s=%.17g" % (k, p[k]) for k in ["lr"] + LC_NAMES]


def lc_suggest(t):
    p = {"lr": t.suggest_float("lr", 0.001, 1, log=True)}
    for n in LC_NAMES:
        p[n] = t.suggest_float(n, 0, 1)
    return p


def run_lc(seeds, res):
    prog = os.path.join(OUT, "lc_curve")
    opt = float(sh([prog, "--optimum"]).stdout.split()[0])
    res["lc_optimum"] = opt
    space = lc_space()
    base = {"trainer": {"exec": [prog], "mode": "score"},
            "space": space,
            "search": {"strategy": "bayes"},
            "objective": {"direction": "minimize"}}
    methods = [
        ("tunefold bayes, no pruning", None, 40),
        ("tunefold bayes + median", {"strategy": "median", "startup_trials": 5}, 120),
        ("tunefold bayes + percentile 25",
         {"strategy": "percentile", "percentile": 25, "startup_trials": 5}, 120),
        ("tunefold bayes + asha (min_steps 3)",
         {"strategy": "asha", "min_steps": 3, "reduction": 3, "max_steps": LC_STEPS}, 120),
        ("tunefold bayes + hyperband (min_steps 3)",
         {"strategy": "hyperband", "min_steps": 3, "reduction": 3, "max_steps": LC_STEPS}, 120),
        ("tunefold bayes + hyperband (min_steps 1)",
         {"strategy": "hyperband", "min_steps": 1, "reduction": 3, "max_steps": LC_STEPS}, 120),
        ("tunefold bayes + hyperband (min_steps 2)",
         {"strategy": "hyperband", "min_steps": 2, "reduction": 3, "max_steps": LC_STEPS}, 120),
        ("tunefold bayes + hyperband (min_steps 2, reduction 3.75)",
         {"strategy": "hyperband", "min_steps": 2, "reduction": 3.75, "max_steps": LC_STEPS},
         120),
        ("tunefold bayes + asha (min_steps 9)",
         {"strategy": "asha", "min_steps": 9, "reduction": 3, "max_steps": LC_STEPS}, 120),
        ("tunefold bayes + hyperband (min_steps 9)",
         {"strategy": "hyperband", "min_steps": 9, "reduction": 3, "max_steps": LC_STEPS}, 120)]

    def argv_of(p):
        return lc_argv(prog, p)

    suggest = lc_suggest
    pruners = [
        ("Optuna TPE, no pruning", None, 40),
        ("Optuna TPE + MedianPruner", lambda o: o.pruners.MedianPruner(n_startup_trials=5), 120),
        ("Optuna TPE + HyperbandPruner (min_resource 3)",
         lambda o: o.pruners.HyperbandPruner(min_resource=3, max_resource=LC_STEPS,
                                             reduction_factor=3), 120),
        ("Optuna TPE + HyperbandPruner (min_resource 1)",
         lambda o: o.pruners.HyperbandPruner(min_resource=1, max_resource=LC_STEPS,
                                             reduction_factor=3), 120),
        ("Optuna TPE + HyperbandPruner (min_resource 2)",
         lambda o: o.pruners.HyperbandPruner(min_resource=2, max_resource=LC_STEPS,
                                             reduction_factor=3), 120),
        ("Optuna TPE + HyperbandPruner (min_resource 9)",
         lambda o: o.pruners.HyperbandPruner(min_resource=9, max_resource=LC_STEPS,
                                             reduction_factor=3), 120)]
    print("== learning curves (optimum %.9g)" % opt, flush=True)
    step_bench("lc", base, methods, argv_of, suggest, pruners, seeds, [0], res)


def hastie():
    path = os.path.join(OUT, "hastie_100k.csv")
    if not os.path.exists(path):
        from sklearn.datasets import make_hastie_10_2
        import numpy as np
        x, y = make_hastie_10_2(n_samples=100000, random_state=0)
        head = ",".join(["x%d" % i for i in range(10)] + ["target"])
        np.savetxt(path, np.column_stack([x, (y > 0).astype(int)]), delimiter=",", header=head,
                   comments="", fmt=["%.6f"] * 10 + ["%d"])
    return path


def run_boost(seeds, res):
    data = hastie()
    prog = os.path.join(OUT, "boost_curve")
    base = {"data": {"path": data, "target": "target"}, "task": "binary",
            "trainer": {"name": "boosting", "params": {"n_estimators": BOOST_ROUNDS}},
            "space": {"learning_rate": {"type": "float", "low": 0.01, "high": 1, "scale": "log"},
                      "max_depth": {"type": "int", "low": 1, "high": 8},
                      "min_child_weight": {"type": "float", "low": 0.1, "high": 100,
                                           "scale": "log"},
                      "subsample": {"type": "float", "low": 0.5, "high": 1}},
            "search": {"strategy": "bayes"},
            "cv": {"holdout": 0.2},
            "objective": {"metric": "log_loss"}}
    methods = [
        ("tunefold bayes, no pruning", None, 40),
        ("tunefold bayes + median", {"strategy": "median", "startup_trials": 5}, 120),
        ("tunefold bayes + percentile 25",
         {"strategy": "percentile", "percentile": 25, "startup_trials": 5}, 120),
        ("tunefold bayes + asha",
         {"strategy": "asha", "min_steps": 3, "reduction": 3, "max_steps": BOOST_ROUNDS}, 120),
        ("tunefold bayes + hyperband",
         {"strategy": "hyperband", "min_steps": 3, "reduction": 3, "max_steps": BOOST_ROUNDS},
         120),
        # the learning curves' setting (first rung at 2 of 81 steps, reduction
        # 3.75) scaled to 300 rounds: rungs at 7, 27 and 99
        ("tunefold bayes + hyperband (min_steps 7, reduction 3.75)",
         {"strategy": "hyperband", "min_steps": 7, "reduction": 3.75,
          "max_steps": BOOST_ROUNDS}, 120)]
    study_for_optuna = os.path.join(OUT, "boost-optuna.json")
    write_study(study_for_optuna, dict(base, name="boost-optuna"))
    seed_now = [0]

    def argv_of(p):
        return [prog, study_for_optuna, str(seed_now[0]), json.dumps(p)]

    def suggest(t):
        return {"learning_rate": t.suggest_float("learning_rate", 0.01, 1, log=True),
                "max_depth": t.suggest_int("max_depth", 1, 8),
                "min_child_weight": t.suggest_float("min_child_weight", 0.1, 100, log=True),
                "subsample": t.suggest_float("subsample", 0.5, 1)}

    pruners = [
        ("Optuna TPE, no pruning", None, 40),
        ("Optuna TPE + MedianPruner", lambda o: o.pruners.MedianPruner(n_startup_trials=5), 120),
        ("Optuna TPE + HyperbandPruner",
         lambda o: o.pruners.HyperbandPruner(min_resource=3, max_resource=BOOST_ROUNDS,
                                             reduction_factor=3), 120)]
    print("== boosting, %d rounds, 100,000 rows" % BOOST_ROUNDS, flush=True)
    step_bench("boost", base, methods, argv_of, suggest, pruners, seeds, seed_now, res)


def step_bench(name, base, methods, argv_of, suggest, pruners, seeds, seed_now, res):
    """Every method over seeds: res[name][label] = one dict per seed.  methods:
    (label, pruning section or None, trials); pruners: (label, make(optuna) or
    None, trials).  seed_now[0] tells argv_of the seed of the Optuna run
    (boost_curve splits by it)."""
    part = res.setdefault(name, {})
    for i, (label, pruning, trials) in enumerate(methods):
        runs = []
        for seed in seeds:
            study = dict(base)
            study["name"] = "%s-%d" % (name, i)
            if pruning:
                study["pruning"] = pruning
            path = os.path.join(OUT, "%s-%d.json" % (name, i))
            write_study(path, study)
            r = tf_run(path, os.path.join(OUT, "%s-%d-%d.db" % (name, i, seed)), trials, seed)
            r["seed"] = seed
            runs.append(r)
            print("  %-44s seed %d: %5d steps, best %.6g, %3d pruned, %.0f s" %
                  (label, seed, r["steps"], r["best"], r["pruned"], r["seconds"]), flush=True)
        part[label] = runs
        save(res)
    if not have_optuna():
        print("  optuna is missing (apt-get install python3-optuna): no comparison")
        return
    import optuna
    for label, make, trials in pruners:
        runs = []
        for seed in seeds:
            seed_now[0] = seed
            r = optuna_run(argv_of, suggest, trials, seed, make(optuna) if make else None)
            r["seed"] = seed
            runs.append(r)
            print("  %-44s seed %d: %5d steps, best %.6g, %3d pruned, %.0f s" %
                  (label, seed, r["steps"], r["best"], r["pruned"], r["seconds"]), flush=True)
        part[label] = runs
        save(res)


# ---- fold pruning ----------------------------------------------------------------------

def run_folds(res):
    study = {"name": "folds", "data": {"path": os.path.join(ROOT, "data", "breast_cancer.csv"),
                                       "target": "target"},
             "task": "binary", "trainer": {"name": "logistic"},
             "space": {"C": {"type": "float", "low": 1e-4, "high": 1e3, "scale": "log"}},
             "preprocess": {"scale": "standard"},
             "search": {"strategy": "random"},
             "cv": {"folds": 10, "stratified": True},
             "objective": {"metric": "roc_auc"}}
    variants = [("no pruning", None),
                ("folds, defaults (ttest, p 0.1, min_folds 2)", {"strategy": "folds"}),
                ("folds, p_threshold 0.2, margin 0.0005",
                 {"strategy": "folds", "p_threshold": 0.2, "margin": 0.0005}),
                ("folds, wilcoxon, p 0.1", {"strategy": "folds", "test": "wilcoxon"})]
    part = res.setdefault("folds", {})
    print("== fold pruning", flush=True)
    for label, pruning in variants:
        runs = []
        for seed in range(1, 8):
            s = dict(study)
            if pruning:
                s["pruning"] = pruning
            path = os.path.join(OUT, "folds.json")
            write_study(path, s)
            db = os.path.join(OUT, "folds-%d.db" % seed)
            if os.path.exists(db):
                os.remove(db)
            sh([BIN, "run", path, "--db", db, "--trials", "40", "--seed", str(seed), "--quiet"])
            con = sqlite3.connect(db)
            rows = con.execute("SELECT number, state, value, pruned_at, params_json FROM trials"
                               " ORDER BY number").fetchall()
            con.close()
            fits = sum(10 if st != "PRUNED" else pa for _, st, _, pa, _ in rows)
            best = max((r for r in rows if r[1] == "COMPLETE"), key=lambda r: (r[2], -r[0]))
            runs.append({"seed": seed, "fits": fits, "best": best[2], "best_trial": best[0],
                         "best_C": json.loads(best[4])["C"],
                         "pruned": sum(1 for r in rows if r[1] == "PRUNED")})
            print("  %-44s seed %d: %d fold fits, best #%d roc_auc %.6f" %
                  (label, seed, fits, best[0], best[2]), flush=True)
        part[label] = runs
        save(res)


# ---- bayes and pruned trials -------------------------------------------------------------

def run_bayes(res, seeds=20, budget=60):
    prog = os.path.join(OUT, "bayes_bench")
    funcs = {}
    for line in sh([prog, "functions"]).stdout.splitlines():
        f, _, opt = line.split()
        funcs[f] = float(opt)
    part = res.setdefault("bayes", {})
    print("== bayes with pruned trials", flush=True)
    for f in ["branin", "hartmann6", "rosenbrock4", "ackley5", "levy6", "styblinski_tang4"]:
        row = {}
        for label, model in [("no pruning", ""),
                             ("estimate, else censored (default)", "prune=median,pruned=2"),
                             ("censored", "prune=median,pruned=1"),
                             ("as failed (worst)", "prune=median,pruned=0"),
                             ("dropped (missing)", "prune=drop")]:
            out = sh([prog, "run", f, "bayes-ei", "0", str(seeds), str(budget)] +
                     ([model] if model else [])).stdout
            row[label] = [float(l.split()[-1]) - funcs[f] for l in out.splitlines()]
        part[f] = row
        print("  %-18s %s" % (f, "  ".join("%s %.3g" % (k, statistics.median(v))
                                          for k, v in row.items())), flush=True)
        save(res)


# ---- the results file --------------------------------------------------------------------

def med(v):
    return statistics.median(v)


def q(v):
    s = sorted(v)
    n = len(s)
    lo = s[(n - 1) // 4]
    hi = s[(3 * (n - 1) + 3) // 4] if n > 1 else s[0]
    return lo, hi


def step_table(part, ref_best):
    """ref_best(seed, run) -> regret."""
    lines = ["| method | trials | pruned | steps run (median) | steps / 40 unpruned | "
             "median regret [quartiles] | median best | seconds |",
             "|---|---|---|---|---|---|---|---|"]
    base = part.get("tunefold bayes, no pruning")
    base_steps = med([r["steps"] for r in base]) if base else None
    for label, runs in part.items():
        steps = [r["steps"] for r in runs]
        regrets = [ref_best(r) for r in runs]
        lo, hi = q(regrets)
        lines.append("| %s | %d | %.0f | %.0f | %s | %.4g [%.3g, %.3g] | %.6g | %.0f |" % (
            label, runs[0]["trials"], med([r["pruned"] for r in runs]), med(steps),
            "%.2f" % (med(steps) / base_steps) if base_steps else "-",
            med(regrets), lo, hi, med([r["best"] for r in runs]),
            med([r["seconds"] for r in runs])))
    return "\n".join(lines)


def write_md(res):
    out = ["# Early stopping: tunefold's pruners side by side with Optuna's",
           "",
           "Written by `bench/bench_pruning.py` (`bench/run.sh pruning`); raw numbers in "
           "build/bench/pruning/results.json.  Machine: %s, %s, %d cores; Optuna %s." % (
               platform.machine(), platform.platform(), os.cpu_count(), optuna_version()),
           "",
           "Steps are counted alike for both tools: each trial's last reported step in each "
           "fold (a pruned trial's is where it was stopped).  Regret is the best objective a "
           "run found minus the reference; medians and quartiles over seeds.",
           ""]
    if "lc" in res:
        opt = res["lc_optimum"]
        seeds = sorted({r["seed"] for runs in res["lc"].values() for r in runs})
        out += ["## Learning curves that cross (bench/lc_curve.c, %d steps, %d seeds: %d-%d)" % (
                    LC_STEPS, len(seeds), seeds[0], seeds[-1]),
                "",
                "An external program in score mode, 10 parameters; fast starters lead early and "
                "plateau higher.  40 unpruned trials run %d steps.  Optimum %.9g." % (
                    40 * LC_STEPS, opt),
                "",
                step_table(res["lc"], lambda r: r["best"] - opt), ""]
    if "boost" in res:
        part = res["boost"]
        seeds = sorted({r["seed"] for runs in part.values() for r in runs})
        ref = {s: min(r["best"] for runs in part.values() for r in runs if r["seed"] == s)
               for s in seeds}
        out += ["## Boosting, %d rounds, 100,000 rows (Hastie 10.2), holdout 20%%, %d seeds" % (
                    BOOST_ROUNDS, len(seeds)),
                "",
                "Regret against the best log-loss any method found on that seed (its split).  "
                "40 unpruned trials run %d steps (rounds)." % (40 * BOOST_ROUNDS),
                "",
                step_table(part, lambda r: r["best"] - ref[r["seed"]]), ""]
    if "folds" in res:
        part = res["folds"]
        base = {r["seed"]: r for r in part["no pruning"]}
        out += ["## Fold pruning (logistic C, 10-fold CV, breast_cancer, 40 random trials)",
                "",
                "| variant | fold fits (median, max) of 400 | per seed | best trial the same "
                "as without pruning | largest AUC shortfall |",
                "|---|---|---|---|---|"]
        for label, runs in part.items():
            fits = [r["fits"] for r in runs]
            same = sum(1 for r in runs if r["best_trial"] == base[r["seed"]]["best_trial"])
            short = max(base[r["seed"]]["best"] - r["best"] for r in runs)
            out.append("| %s | %.0f, %d | %s | %d of %d | %.5f |" % (
                label, med(fits), max(fits), " ".join(str(f) for f in fits), same, len(runs),
                short))
        out.append("")
    if "bayes" in res:
        part = res["bayes"]
        labels = list(next(iter(part.values())).keys())
        out += ["## Bayes and pruned trials (bench/bayes_bench.c, 60 trials, 20 seeds)",
                "",
                "A median rule prunes every trial whose early look (its value plus noise) is "
                "worse than the median of the complete ones (after 5); the searcher reads a "
                "pruned trial at its estimate (the complete value at the rank of its early "
                "look: the default, searchers/bayes.c), as censored (at least the median), as "
                "a failed one (the worst value), or never hears of it.  Median regret after "
                "60 trials:",
                "",
                "| function | " + " | ".join(labels) + " |",
                "|---|" + "---|" * len(labels)]
        for f, row in part.items():
            out.append("| %s | %s |" % (f, " | ".join("%.3g" % med(row[l]) for l in labels)))
        out.append("")
    notes = os.path.join(ROOT, "bench", "RESULTS_pruning_notes.md")
    if os.path.exists(notes):  # the reading of the figures, written by hand
        with open(notes) as f:
            out += ["", f.read()]
    with open(MD, "w") as f:
        f.write("\n".join(out))
    print("wrote", MD)


def optuna_version():
    try:
        import optuna
        return optuna.__version__
    except ImportError:
        return "missing"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--report", action="store_true", help="only rewrite the results file")
    ap.add_argument("parts", nargs="*", default=["lc", "boost", "folds", "bayes"])
    a = ap.parse_args()
    res = load()
    if not a.report:
        build()
        seeds = list(range(a.first_seed, a.first_seed + a.seeds))
        for p in a.parts:
            if p == "lc":
                run_lc(seeds, res)
            elif p == "boost":
                run_boost(seeds, res)
            elif p == "folds":
                run_folds(res)
            elif p == "bayes":
                run_bayes(res)
            else:
                sys.exit("unknown part %s" % p)
    write_md(res)


if __name__ == "__main__":
    main()
