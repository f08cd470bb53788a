#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bayes on bench/search_bench.c's conditional problem `cond` over many
seeds, for several model options at once: the tool behind the design-size
table of bench/RESULTS_search_cond.md.  The outcome of one seed is bimodal
(the run finds branch c, regret near 0, or stays on branch b's optimum,
regret 0.1), so it counts the seeds solved (regret < 0.01) as well as the
median regret after the budget.

    /usr/bin/python3 bench/cond_sweep.py --seeds 30 - choice=model "choice=model,init=12"

Each argument is search_bench's MODEL string ("-" for the defaults)."""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_search as B  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=40)
    ap.add_argument("--perm", default="0123",
                    help="comma-separated orders of the branches on the choice's values "
                         "(SEARCH_BENCH_PERM), e.g. 0123,2013")
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    B.build()
    for model in a.models:
        for perm in a.perm.split(","):
            args = [B.PROG, "run", "cond", "bayes", str(a.first_seed), str(a.seeds),
                    str(a.budget)]
            if model != "-":
                args.append(model)
            env = dict(os.environ, SEARCH_BENCH_PERM=perm)
            out = subprocess.run(args, capture_output=True, text=True, check=True,
                                 env=env).stdout
            regrets = []
            for line in out.splitlines():
                if line.startswith("seed"):
                    vals = [float(t.split(";")[0].split(",")[0]) for t in line.split()[4:]]
                    regrets.append(min(vals[:a.budget]))  # the optimum is 0
            print("%-26s branches %s  median regret %.3g  solved (< 0.01) %d of %d" % (
                model if model != "-" else "defaults", perm, statistics.median(regrets),
                sum(r < 0.01 for r in regrets), len(regrets)), flush=True)


if __name__ == "__main__":
    main()
