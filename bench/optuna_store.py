#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""optuna_store.py URL WORKERS TRIALS_PER_WORKER — Optuna's RDB storage under
the same load as bench/store_bench.c: WORKERS processes ask for trivial
trials on one study (RandomSampler: no sampler cost), suggest one float,
report three intermediate values and tell, until WORKERS x TRIALS trials
exist.  Prints the wall time per trial and checks every trial is COMPLETE
once.  Run by bench/bench_store_pg.sh (Debian: python3-optuna,
python3-sqlalchemy, python3-psycopg2)."""
import multiprocessing as mp
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def work(url, name, per, barrier):
    storage = optuna.storages.RDBStorage(url)
    study = optuna.load_study(study_name=name, storage=storage,
                              sampler=optuna.samplers.RandomSampler(seed=1))
    barrier.wait()
    for _ in range(per):
        trial = study.ask()
        x = trial.suggest_float("x", -10, 10)
        for step in (1, 2, 3):
            trial.report(x * x + 1.0 / step, step)
        study.tell(trial, x * x)


def main():
    url, workers, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    name = "bench-%d-%d" % (workers, time.time_ns())
    optuna.create_study(study_name=name, storage=url)
    barrier = mp.Barrier(workers + 1)
    procs = [mp.Process(target=work, args=(url, name, per, barrier)) for _ in range(workers)]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    for p in procs:
        p.join()
    secs = time.perf_counter() - t0
    study = optuna.load_study(study_name=name, storage=url)
    trials = study.get_trials(deepcopy=False)
    complete = sum(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    numbers = len({t.number for t in trials})
    budget = workers * per
    ok = all(p.exitcode == 0 for p in procs) and complete == budget and numbers == budget
    print("  %d workers x %d trials: %d stored, %d complete" % (workers, per, len(trials),
                                                               complete))
    print("  %.3f s in all, %.3f ms of store work per trial (%.0f trials/s), %.3f ms per trial "
          "per worker  %s" % (secs, secs / budget * 1e3, budget / secs,
                              secs * workers / budget * 1e3, "ok" if ok else "LOST"))
    print("RESULT workers=%d trials=%d seconds=%.6f ok=%d" % (workers, budget, secs, ok))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
