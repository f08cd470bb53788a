#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many seeds of bench_pruning.py's learning-curve study (bench/lc_curve.c,
bayes, 120 trials) for a list of pruning sections, tunefold only: the tool
behind the 30-seed table of bench/RESULTS_pruning_notes.md.  The outcome of
one seed is bimodal (a run finds the good basin or not), so compare
configurations over many seeds, not 5.

    /usr/bin/python3 bench/pruning_sweep.py --seeds 30 \\
        '[{"strategy": "hyperband", "min_steps": 2, "reduction": 3, "max_steps": 81}]'

A section may carry a "search" object of bayes options for its study (e.g.
{"initial_points": 24}); the rest is the pruning section.  A section
{"optuna": "hyperband", "min_resource": 1} (or "median", or "none" with
"trials": 40) runs Optuna TPE with that pruner instead, as bench_pruning.py
does (needs Debian's python3-optuna).  Prints, per
pruning section: the median steps over 40 unpruned trials' 3240,
the median regret, and how many seeds reach 0.1023 (the unpruned study's
median regret in RESULTS_pruning.md) or better.  Builds with `make` first;
databases go to build/bench/pruning-sweep/."""
import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_pruning as B  # noqa: E402

TARGET = 0.1023


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--trials", type=int, default=120)
    ap.add_argument("configs", help="a JSON list of pruning sections")
    a = ap.parse_args()
    B.OUT = os.path.join(B.ROOT, "build", "bench", "pruning-sweep")
    os.makedirs(B.OUT, exist_ok=True)
    B.sh(["make", "-s", "-j2", "all"], cwd=B.ROOT)
    prog = os.path.join(B.OUT, "lc_curve")
    B.sh([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-D_POSIX_C_SOURCE=200809L",
          "-D_DEFAULT_SOURCE", os.path.join(B.ROOT, "bench", "lc_curve.c"), "-lm", "-o", prog])
    opt = float(B.sh([prog, "--optimum"]).stdout.split()[0])
    space = B.lc_space()

    def argv_of(p):
        return B.lc_argv(prog, p)

    for i, cfg in enumerate(json.loads(a.configs)):
        cfg = dict(cfg)
        if "optuna" in cfg:  # Optuna TPE, as bench_pruning.py runs it
            import optuna
            kind = cfg["optuna"]
            steps, regrets = [], []
            for seed in range(a.first_seed, a.first_seed + a.seeds):
                if kind == "hyperband":
                    pr = optuna.pruners.HyperbandPruner(
                        min_resource=cfg.get("min_resource", 1), max_resource=B.LC_STEPS,
                        reduction_factor=cfg.get("reduction_factor", 3))
                elif kind == "median":
                    pr = optuna.pruners.MedianPruner(n_startup_trials=5)
                else:
                    pr = None
                r = B.optuna_run(argv_of, B.lc_suggest, cfg.get("trials", a.trials), seed, pr)
                steps.append(r["steps"])
                regrets.append(r["best"] - opt)
            print("%s  steps / 3240 %.2f  median regret %.4g  seeds <= %g: %d of %d  per seed: %s"
                  % (json.dumps(cfg), statistics.median(steps) / (40 * B.LC_STEPS),
                     statistics.median(regrets), TARGET, sum(x <= TARGET for x in regrets),
                     a.seeds, " ".join("%.3f" % x for x in regrets)), flush=True)
            continue
        search = {"strategy": "bayes"}
        search.update(cfg.pop("search", {}))  # e.g. {"initial_points": 24}
        study = {"name": "sweep-%d" % i, "trainer": {"exec": [prog], "mode": "score"},
                 "space": space, "search": search,
                 "objective": {"direction": "minimize"}, "pruning": cfg}
        path = os.path.join(B.OUT, "sweep-%d.json" % i)
        B.write_study(path, study)
        steps, regrets = [], []
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            r = B.tf_run(path, os.path.join(B.OUT, "sweep-%d-%d.db" % (i, seed)), a.trials, seed)
            steps.append(r["steps"])
            regrets.append(r["best"] - opt)
        print("%s  steps / 3240 %.2f  median regret %.4g  seeds <= %g: %d of %d  per seed: %s" % (
            json.dumps(cfg), statistics.median(steps) / (40 * B.LC_STEPS),
            statistics.median(regrets), TARGET, sum(x <= TARGET for x in regrets), a.seeds,
            " ".join("%.3f" % x for x in regrets)), flush=True)


if __name__ == "__main__":
    main()
