#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Side-by-side benchmark: roc_auc and average_precision on 10 million scores.

tunefold: tune_metric_roc_auc / tune_metric_average_precision, called from a
small C driver (bench/ranking.c) built against lib/libtunefold.a; the driver
draws the rows (seeded SplitMix64) and dumps them, so scikit-learn's
roc_auc_score and average_precision_score are timed on the very same rows.
Two score sets: full-precision scores (almost no ties) and scores rounded to
three decimals (every score tied with thousands of others).

Times are the best of --repeats calls each (default 3), the metric call
alone (no data loading, no process start).  Reported as ratios tunefold /
scikit-learn (lower is better; target: below 1), with both values, which
must agree to 1e-12 relative.  scikit-learn is skipped, with a note, when
/usr/bin/python3 cannot import it.

Usage: bench/bench_ranking.py [--rows N] [--repeats N]   (from anywhere;
builds lib/libtunefold.a with make if needed)."""
import argparse, os, shlex, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(tmp):
    subprocess.run(["make", "-s", "lib/libtunefold.a"], cwd=ROOT, check=True)
    pc = os.environ.get("PKG_CONFIG", "pkg-config")
    pkgs = ["gsl", "nlopt", "sqlite3", "libcjson", "openblas"]
    cflags = subprocess.run([pc, "--cflags"] + pkgs, capture_output=True, text=True,
                            check=True).stdout.split()
    libs = [x for x in subprocess.run([pc, "--libs"] + pkgs, capture_output=True, text=True,
                                      check=True).stdout.split() if x != "-lgslcblas"]
    exe = os.path.join(tmp, "ranking")
    cmd = ([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-Iinclude",
            "-D_POSIX_C_SOURCE=200809L"] + cflags +
           ["bench/ranking.c", "lib/libtunefold.a"] + libs + ["-lm", "-lpthread", "-o", exe])
    subprocess.run(cmd, cwd=ROOT, check=True)
    return exe


def run_tunefold(exe, rows, repeats, kind, dump):
    out = subprocess.run([exe, str(rows), str(repeats), kind, dump], capture_output=True,
                         text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        name, value, seconds = line.split()
        res[name] = (float(value.split("=")[1]), float(seconds.split("=")[1]))
    return res


def run_sklearn(dump, repeats):
    import numpy as np
    from sklearn.metrics import average_precision_score, roc_auc_score
    y = np.fromfile(dump + ".y", dtype=np.int32)
    s = np.fromfile(dump + ".s", dtype=np.float64)
    res = {}
    for name, fn in (("roc_auc", roc_auc_score), ("average_precision",
                                                  average_precision_score)):
        best, value = None, None
        for _ in range(repeats):
            t0 = time.perf_counter()
            value = fn(y, s)
            dt = time.perf_counter() - t0
            best = dt if best is None or dt < best else best
        res[name] = (float(value), best)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
        have_sklearn = True
    except ImportError:
        have_sklearn = False
    print(f"ranking: roc_auc and average_precision on {a.rows:,} scores "
          f"(best of {a.repeats} calls each)")
    if not have_sklearn:
        print("  scikit-learn not importable by /usr/bin/python3: tunefold times only")
    ok = True
    with tempfile.TemporaryDirectory(prefix="tunefold-rankbench-") as tmp:
        exe = build(tmp)
        for kind, label in (("full", "full-precision scores"), ("tied", "scores to 3 decimals")):
            dump = os.path.join(tmp, "rows")
            ours = run_tunefold(exe, a.rows, a.repeats, kind, dump)
            ref = run_sklearn(dump, a.repeats) if have_sklearn else None
            print(f"  {label}:")
            for name in ("roc_auc", "average_precision"):
                v, t = ours[name]
                line = f"    {name:18s} tunefold {t:7.3f} s"
                if ref:
                    rv, rt = ref[name]
                    agree = abs(v - rv) <= 1e-12 * abs(rv)
                    ok = ok and agree and t < rt
                    line += (f"   sklearn {rt:7.3f} s   ratio {t / rt:6.3f}   "
                             f"values {'agree' if agree else f'DIFFER ({v!r} vs {rv!r})'}")
                print(line)
            for ext in ("y", "s"):
                os.unlink(f"{dump}.{ext}")
    if have_sklearn:
        print("  verdict:", "target met (faster, same values)" if ok else "TARGET MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
