#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Optuna's fANOVA importances of a study stored by tunefold — the reference
for reports/param_importance.c (bench/bench_report.py runs it).

Reads the study's search space (the stored canonical config) and its
COMPLETE trials straight from the tunefold SQLite database, puts them into
an in-memory Optuna study with the matching distributions (float/int with
log=True for a log scale, categorical choices, bool as the choices
[False, True]; a parameter with one allowed value is left out, as both
tools do), and runs optuna.importance.FanovaImportanceEvaluator (Optuna 3.1:
64 trees, max_depth 64, scikit-learn's RandomForestRegressor).

Two figures per parameter:
  optuna           the evaluator as it is.  Optuna 3.1 transforms the space
                   with transform_log=False: a log-scale parameter is taken
                   uniform in its own units, not in its logarithm, and a
                   categorical is one-hot encoded (each choice a 0/1 column).
  optuna_log       the same evaluator with every log-scale parameter given
                   as log10 of its value over [log10 low, log10 high] — the
                   measure tunefold uses — so that the difference the
                   transform makes is seen apart from the rest.

Usage: fanova_ref.py DB STUDY [--seed N] [--plain]
Prints one JSON object: {"optuna": {param: importance}, "optuna_log": {...}
(not with --plain), "trials": n, "seconds": s (of the plain evaluator)}.
Needs Debian's python3-optuna and python3-sklearn, run with /usr/bin/python3.
"""
import argparse, json, math, sqlite3, sys, time

import optuna
from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                  IntDistribution)
from optuna.importance import FanovaImportanceEvaluator


def load(db, study):
    con = sqlite3.connect(db)
    row = con.execute("SELECT id, config_json FROM studies WHERE name = ?", (study,)).fetchone()
    if row is None:
        sys.exit(f"fanova_ref: no study {study!r} in {db}")
    sid, cfg = row
    space = json.loads(cfg).get("space", {})
    trials = [(json.loads(p), v) for p, v in con.execute(
        "SELECT params_json, value FROM trials WHERE study_id = ? AND state = 'COMPLETE' "
        "AND value IS NOT NULL ORDER BY number", (sid,))]
    return space, trials


def distributions(space, log_space):
    """name -> (distribution, to_value) for every parameter with more than one value."""
    out = {}
    for name, p in space.items():
        ty = p.get("type", "float")
        log = p.get("scale") == "log"
        if ty == "categorical":
            values = p["values"]
            if len(values) < 2:
                continue
            out[name] = (CategoricalDistribution(values), lambda v: v)
        elif ty == "bool":
            out[name] = (CategoricalDistribution([False, True]), lambda v: bool(v))
        elif p["high"] > p["low"]:
            if log and log_space:
                out[name] = (FloatDistribution(math.log10(p["low"]), math.log10(p["high"])),
                             lambda v: math.log10(v))
            elif ty == "int":
                out[name] = (IntDistribution(int(p["low"]), int(p["high"]), log=log),
                             lambda v: int(v))
            else:
                out[name] = (FloatDistribution(p["low"], p["high"], log=log),
                             lambda v: float(v))
    return out


def importances(space, trials, log_space, seed):
    dists = distributions(space, log_space)
    st = optuna.create_study()
    for params, value in trials:
        if not all(k in params for k in dists):
            continue
        st.add_trial(optuna.trial.create_trial(
            params={k: f(params[k]) for k, (d, f) in dists.items()},
            distributions={k: d for k, (d, f) in dists.items()}, value=value))
    t0 = time.perf_counter()
    imp = optuna.importance.get_param_importances(
        st, evaluator=FanovaImportanceEvaluator(seed=seed))
    return {k: float(v) for k, v in imp.items()}, time.perf_counter() - t0, len(st.trials)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("study")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plain", action="store_true", help="the evaluator as it is only")
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space, trials = load(a.db, a.study)
    plain, seconds, n = importances(space, trials, False, a.seed)
    out = {"optuna": plain, "trials": n, "seconds": seconds}
    if not a.plain:
        out["optuna_log"] = importances(space, trials, True, a.seed)[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
