#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How well a trial's value at a step ranks its end: Spearman's rho, over
the complete trials of bench_pruning.py's unpruned studies, between each
trial's first value at or past the step and its objective.  A rung at a
step where rho is low prunes by noise.

    /usr/bin/python3 bench/pruning_rho.py                  # boost, then lc
    /usr/bin/python3 bench/pruning_rho.py boost 7 27 99 201
    /usr/bin/python3 bench/pruning_rho.py --db study.db 10 50 100   # a store of one study

Reads build/bench/pruning/{boost,lc}-0-SEED.db (the "no pruning" method of
bench_pruning.py, run first)."""
import glob
import os
import re
import sqlite3
import sys

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "build", "bench", "pruning")
STEPS = {"boost": [3, 7, 27, 99, 150, 201, 270], "lc": [1, 2, 3, 8, 9, 27, 54]}


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):  # ties share their mean rank
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    n = len(x)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else float("nan")


def main():
    args = sys.argv[1:]
    given = [int(a) for a in args if a.isdigit()]
    if args[:1] == ["--db"] and len(args) > 1:
        if not given:
            sys.exit("--db needs the steps to look at, e.g. --db study.db 10 50 100")
        if not os.path.exists(args[1]):
            sys.exit("%s: no such store" % args[1])
        jobs = [(args[1], [args[1]])]
    else:
        jobs = []
        for part in [a for a in args if not a.isdigit()] or ["boost", "lc"]:
            dbs = sorted(glob.glob(os.path.join(OUT, "%s-0-*.db" % part)),
                         key=lambda p: int(re.findall(r"-(\d+)\.db$", p)[0]))
            if not dbs:
                sys.exit("no %s-0-*.db under %s: run bench_pruning.py %s first" % (
                    part, OUT, part))
            jobs.append((part, dbs))
    for part, dbs in jobs:
        steps = given or STEPS[part]
        print("%s: Spearman's rho between the value at a step and the objective" % part)
        print("  seed  " + "".join("%9s" % ("step %d" % s) for s in steps))
        for db in dbs:
            con = sqlite3.connect(db)
            final = dict(con.execute("SELECT id, value FROM trials WHERE state = 'COMPLETE'"))
            row = []
            for s in steps:
                xs, ys = [], []
                for tid, v in final.items():
                    r = con.execute("SELECT value FROM trial_intermediate WHERE trial_id = ? AND "
                                    "step >= ? ORDER BY step LIMIT 1", (tid, s)).fetchone()
                    if r:
                        xs.append(r[0])
                        ys.append(v)
                row.append(spearman(xs, ys) if len(xs) > 2 else float("nan"))
            seed = (re.findall(r"-(\d+)\.db$", db) or ["-"])[0]
            print("  %4s  " % seed + "".join("%9.2f" % r for r in row))


if __name__ == "__main__":
    main()
