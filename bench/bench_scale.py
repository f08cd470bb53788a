#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Constant cost per trial (issue 17), side by side with Optuna in one run.

A study of near-free trials: naive Bayes on a 37-row CSV (every 4th row of
iris), 2-fold stratified CV, random search over var_smoothing, one worker,
SQLite.  Optuna's side does the same work per trial: ask (RandomSampler,
SQLite storage), GaussianNB cross-validated on the same rows by
scikit-learn, tell.

Measured:
  1. tunefold, 1,000 and 10,000 trials (flat cost: 10,000 within 10x of 1,000);
  2. Optuna, 2,000 trials (target: tunefold's 2,000 at most 0.1x of it);
  3. tunefold with 4 workers against one, 1,000 and 10,000 trials (per trial
     no worse than one worker): --repeats runs of each, interleaved, medians;
  4. `tunefold trials --format json` and `tunefold best` on a study of N
     trials (default 100,000; target under 2 s each), and `report`.

Results go to bench/RESULTS_scale.md.  Usage:
  /usr/bin/python3 bench/bench_scale.py [--big N] [--optuna-trials N] [--repeats N]
                                        [--workers-only]
Needs Debian's python3-optuna and python3-sklearn (apt-get install -y ...).
Times are wall-clock on a shared machine: ratios in one run are what count."""
import argparse, csv, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bin/tunefold")

STUDY = {
    "name": "scale-nb",
    "data": {"path": "tiny.csv", "target": "target"},
    "task": "multiclass",
    "trainer": {"name": "naive_bayes"},
    "space": {"var_smoothing": {"type": "float", "low": 1e-12, "high": 1, "scale": "log"}},
    "search": {"strategy": "random", "trials": 1000, "seed": 1},
    "cv": {"folds": 2, "stratified": True},
    "objective": "accuracy",
}

OPTUNA = r"""
import sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, optuna
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.naive_bayes import GaussianNB
optuna.logging.set_verbosity(optuna.logging.WARNING)
d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
X, y = d[:, :-1], d[:, -1].astype(int)
n = int(sys.argv[3])
t0 = time.perf_counter()
study = optuna.create_study(storage="sqlite:///" + sys.argv[2], study_name="s",
                            sampler=optuna.samplers.RandomSampler(seed=1), direction="maximize")
cv = StratifiedKFold(2, shuffle=True, random_state=0)
for i in range(n):
    t = study.ask()
    v = t.suggest_float("var_smoothing", 1e-12, 1, log=True)
    s = cross_val_score(GaussianNB(var_smoothing=v), X, y, cv=cv).mean()
    study.tell(t, s)
print(time.perf_counter() - t0)
"""


def tiny_csv(path):
    with open(os.path.join(ROOT, "data/iris.csv")) as f:
        rows = list(csv.reader(f))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0])
        for i, r in enumerate(rows[1:]):
            if i % 4 == 0:
                w.writerow(r)


def run_tunefold(d, trials, workers=1, name="scale-nb"):
    study = dict(STUDY, name=name)
    path = os.path.join(d, name + ".json")
    with open(path, "w") as f:
        json.dump(study, f)
    db = os.path.join(d, name + ".db")
    t0 = time.perf_counter()
    subprocess.run([BIN, "run", path, "--db", db, "--trials", str(trials), "--workers",
                    str(workers), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, db


def workers_table(d, repeats):
    """One worker against four, interleaved so that a busy moment of the
    shared machine hits both; the median of `repeats` runs of each."""
    lines = ["| trials | 1 worker, s | 4 workers, s | 4 workers / 1, per trial |",
             "|---:|---:|---:|---:|"]
    ratios, med = {}, {}
    for n in (1000, 10000):
        one, four = [], []
        for r in range(repeats):
            one.append(run_tunefold(d, n, name=f"w1-{n}-{r}")[0])
            four.append(run_tunefold(d, n, workers=4, name=f"w4-{n}-{r}")[0])
        m1, m4 = statistics.median(one), statistics.median(four)
        ratios[n], med[n] = m4 / m1, (m1, m4)
        lines.append(f"| {n:,} | {m1:.2f} | {m4:.2f} | {m4 / m1:.2f} |")
    # The cost of a trial without the study's fixed costs (starting the
    # workers, opening the file, the last trials' wait): the 9,000 trials
    # between the two sizes.
    d1 = (med[10000][0] - med[1000][0]) / 9000 * 1000
    d4 = (med[10000][1] - med[1000][1]) / 9000 * 1000
    ratios["marginal"] = d4 / d1
    lines.append(f"| 1,000 to 10,000, ms a trial | {d1:.3f} | {d4:.3f} | {d4 / d1:.2f} |")
    return lines, ratios


def timed(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=100000)
    ap.add_argument("--optuna-trials", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--workers-only", action="store_true",
                    help="only one worker against four; print, write no file")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tiny_csv(os.path.join(d, "tiny.csv"))
        wlines, wratios = workers_table(d, a.repeats)
        if a.workers_only:
            print("\n".join(wlines))
            return
        t1k, _ = run_tunefold(d, 1000, name="t1k")
        t2k, _ = run_tunefold(d, 2000, name="t2k")
        t10k, _ = run_tunefold(d, 10000, name="t10k")
        rows.append(("tunefold, 1,000 trials", t1k, t1k / 1000))
        rows.append(("tunefold, 2,000 trials", t2k, t2k / 2000))
        rows.append(("tunefold, 10,000 trials", t10k, t10k / 10000))
        opt = None
        try:
            out = subprocess.run([sys.executable, "-c", OPTUNA, os.path.join(d, "tiny.csv"),
                                  os.path.join(d, "optuna.db"), str(a.optuna_trials)],
                                 check=True, capture_output=True, text=True)
            opt = float(out.stdout.strip().splitlines()[-1])
            rows.append((f"Optuna {a.optuna_trials:,} trials (SQLite, RandomSampler, ask/tell)",
                         opt, opt / a.optuna_trials))
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            print("optuna: skipped (" + str(e) + ")", file=sys.stderr)
        tbig, big_db = run_tunefold(d, a.big, name="big")
        tr = timed([BIN, "trials", "--db", big_db, "--format", "json"])
        tb = timed([BIN, "best", "--db", big_db])
        trep = timed([BIN, "report", "--db", big_db, "--out", os.path.join(d, "rep")])
        lines = ["# Constant cost per trial (bench/bench_scale.py)", "",
                 "Near-free trials: naive Bayes on a 37-row CSV (every 4th row of iris), "
                 "2-fold stratified CV, random search, SQLite, this project's shared 2-core "
                 "machine; whole-process wall time.", "",
                 "| run | seconds | ms per trial |", "|---|---:|---:|"]
        for name, s, per in rows:
            lines.append(f"| {name} | {s:.2f} | {per * 1000:.2f} |")
        lines += ["", f"- 10,000 trials / 1,000 trials: {t10k / t1k:.1f}x the time "
                      f"(target at most 10x)"]
        if opt:
            lines.append(f"- tunefold 2,000 trials / Optuna {a.optuna_trials:,}: "
                         f"{t2k / opt * a.optuna_trials / 2000:.3f} per trial "
                         f"(target at most 0.1)")
        lines += ["", f"One worker against four (SQLite, the median of {a.repeats} runs of "
                      "each, interleaved):", ""] + wlines
        lines.append(f"- 4 workers / 1 worker, per trial: {wratios[1000]:.2f} at 1,000 trials, "
                     f"{wratios[10000]:.2f} at 10,000, {wratios['marginal']:.2f} for the "
                     f"trials between (target at most 1)")
        lines += ["", f"A study of {a.big:,} trials (built in {tbig:.0f} s):", "",
                  "| command | seconds |", "|---|---:|",
                  f"| `trials --format json` | {tr:.2f} |", f"| `best` | {tb:.2f} |",
                  f"| `report` | {trep:.2f} |"]
        text = "\n".join(lines) + "\n"
        print(text)
        with open(os.path.join(ROOT, "bench/RESULTS_scale.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
