#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The model-selection table's 60-trial study alone, with other bayes
options, against the "best of 8 x 20" column of bench/RESULTS_search_cash.md:
a four-minute check of a change to how a study of several trainers spends
its trials, before the 45-minute `bench_search.py --cash-only` that makes
the table.  The column is printed to 4 decimals, so "equal or better" here
compares at 4 decimals (the table compares at full precision); with no
options it gives the table's own count for the default (20 of 25 when this
was written).

    /usr/bin/python3 bench/cash_rule.py '{"trainer_choice": "model"}'
    /usr/bin/python3 bench/cash_rule.py '{}' 5   # seeds 5-9, against
                                                 # RESULTS_search_cash_seeds5.md

Environment variables reach the tunefold processes, for a scratch build
that reads one."""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_search as B  # noqa: E402


def main():
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    table = {}
    with open(os.path.join(B.ROOT, "bench", "RESULTS_search_cash%s.md" % (
            "_seeds%d" % first if first else ""))) as f:
        for line in f:
            m = re.match(r"\| (.+?) \| (\d) \| ([0-9.]+) \(", line)
            if m:
                table[(m.group(1), int(m.group(2)))] = float(m.group(3))
    B.build()
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, "cash.db")
    wins = n = 0
    for label, data, task, metric, seeds in B.data_sets(tmp, False):
        for seed in range(first, first + seeds):
            name = "%s-s%d" % (label.split()[0], seed)
            search = {"strategy": "bayes", "trials": 60, "seed": seed}
            search.update(options)
            path = B.study_file(tmp, name, data, task, metric, search,
                                trainers={k: dict(v) for k, v in B.SPACES.items()})
            B.tf("run", path, "--db", db, "--quiet")
            tt = B.trials(db, name)
            best = max(t["value"] for t in tt if t["value"] is not None)
            where = {}
            for t in tt:
                where[t["params"]["trainer"]] = where.get(t["params"]["trainer"], 0) + 1
            ref = table[(label, seed)]
            ok = round(best, 4) >= ref
            wins += ok
            n += 1
            print("%-42s %d  %.4f  best of 8 x 20 %.4f %s  %s" % (
                label, seed, best, ref, "*" if ok else " ",
                ", ".join("%s %d" % kv for kv in sorted(where.items()))), flush=True)
    print("equal or better (at 4 decimals): %d of %d" % (wins, n))


if __name__ == "__main__":
    main()
