#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# csv_load.sh — how fast the CSV reader loads a 100,000 x 20 numeric file.
#
# Generates the file with awk (seeded, so the same awk gives the same bytes),
# builds bench/csv_load.c against lib/libtunefold.a and prints rows, cols and
# the best of 5 load times.  Two files: short decimals (%.6f, the reader's
# exact fast path) and full-precision %.17g values (17 significant digits,
# which go through strtod).  If /usr/bin/python3 can import pandas, the same
# files are timed with pandas.read_csv and the ratio pandas/tunefold printed.
#
# Usage: bench/bench_csv_load.sh            (from anywhere; ROWS, COLS, SEED override)
set -eu
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
COLS=${COLS:-20}
SEED=${SEED:-42}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tunefold-csvbench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

make -s lib/libtunefold.a
libs=$($PKG_CONFIG --libs gsl nlopt sqlite3 libcjson openblas | sed 's/-lgslcblas//')
cflags=$($PKG_CONFIG --cflags gsl nlopt sqlite3 libcjson openblas)
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -O2 -Iinclude -D_POSIX_C_SOURCE=200809L $cflags \
    bench/csv_load.c lib/libtunefold.a $libs -lm -lpthread -o "$tmp/csv_load"

gen() { # gen FORMAT OUT
    awk -v rows="$ROWS" -v cols="$COLS" -v seed="$SEED" -v fmt="$1" 'BEGIN {
        srand(seed)
        for (j = 1; j <= cols; j++) printf "%sx%d", (j > 1 ? "," : ""), j
        printf "\n"
        for (i = 0; i < rows; i++) {
            for (j = 1; j <= cols; j++) printf (j > 1 ? "," : "") fmt, rand() * 200 - 100
            printf "\n"
        }
    }' >"$2"
}

have_pandas=no
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then have_pandas=yes; fi

for fmt in '%.6f' '%.17g'; do
    gen "$fmt" "$tmp/data.csv"
    bytes=$(wc -c <"$tmp/data.csv")
    line=$("$tmp/csv_load" "$tmp/data.csv" 5)
    echo "tunefold $fmt ($bytes bytes): $line"
    if [ "$have_pandas" = yes ]; then
        ours=${line##*seconds=}
        /usr/bin/python3 - "$tmp/data.csv" "$ours" <<'PY'
import sys, time
import pandas
path, ours = sys.argv[1], float(sys.argv[2])
best = None
for _ in range(5):
    t0 = time.perf_counter()
    df = pandas.read_csv(path)
    dt = time.perf_counter() - t0
    best = dt if best is None or dt < best else best
print(f"pandas  rows={df.shape[0]} cols={df.shape[1]} seconds={best:.4f} "
      f"ratio pandas/tunefold={best / ours:.2f}")
PY
    fi
done
if [ "$have_pandas" = no ]; then
    echo "pandas not importable by /usr/bin/python3: comparison skipped"
fi
