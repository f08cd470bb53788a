#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench_csv_memory.sh — peak memory and time of loading a 1,000,000 x 20
# numeric CSV (about 390 MB of %.17g values), tunefold against pandas.
#
# Generates the file with awk (seeded: the same awk gives the same bytes),
# builds bench/csv_load.c against lib/libtunefold.a, then for each reader
# runs a fresh process under /usr/bin/time -v: its "Maximum resident set
# size" is the peak, and the load time is the best of REPEATS loads in that
# process (each freed before the next, so the peak is one load's); the
# readers take turns ROUNDS times (3) and each keeps its best.  Readers:
#   tunefold table    tune_table_read_csv (the CSV reader alone)
#   tunefold dataset  tune_dataset_load (what a study does: table + split)
#   base table        the reader of git revision $BASE, when BASE is set
#                     (e.g. BASE=fac7959, the whole-file reader before
#                     streaming), built from that revision's src/dataset.c
#   pandas            pandas.read_csv, run by /usr/bin/python3 (Debian's
#                     python3-pandas); its idle peak (interpreter + pandas
#                     imported, no file) is measured too, and shown apart
# Ratios are against tunefold table, in the same run.  With OUT=FILE the
# table is also written there as Markdown (bench/RESULTS_csv.md).
#
# Usage: bench/bench_csv_memory.sh    (ROWS, COLS, SEED, REPEATS, ROUNDS, BASE, OUT)
set -eu
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
COLS=${COLS:-20}
SEED=${SEED:-42}
REPEATS=${REPEATS:-3}
BASE=${BASE:-}
OUT=${OUT:-}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

if [ ! -x /usr/bin/time ]; then
    echo "bench_csv_memory: needs GNU time (/usr/bin/time): apt-get install -y time" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tunefold-csvmem-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

make -s lib/libtunefold.a
libs=$($PKG_CONFIG --libs gsl nlopt sqlite3 libcjson openblas | sed 's/-lgslcblas//')
cflags=$($PKG_CONFIG --cflags gsl nlopt sqlite3 libcjson openblas)
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -O2 -Iinclude -D_POSIX_C_SOURCE=200809L $cflags \
    bench/csv_load.c lib/libtunefold.a $libs -lm -lpthread -o "$tmp/csv_load"
if [ -n "$BASE" ]; then
    mkdir "$tmp/base"
    git archive "$BASE" include src/dataset.c src/error.c | tar -x -C "$tmp/base"
    ${CC:-cc} -std=c11 -O2 -I"$tmp/base/include" -D_POSIX_C_SOURCE=200809L bench/csv_load.c \
        "$tmp/base/src/dataset.c" "$tmp/base/src/error.c" -lm -o "$tmp/csv_load_base"
fi

awk -v rows="$ROWS" -v cols="$COLS" -v seed="$SEED" 'BEGIN {
    srand(seed)
    for (j = 1; j <= cols; j++) printf "%sx%d", (j > 1 ? "," : ""), j
    printf "\n"
    for (i = 0; i < rows; i++) {
        for (j = 1; j <= cols; j++) printf (j > 1 ? "," : "") "%.17g", rand() * 200 - 100
        printf "\n"
    }
}' >"$tmp/data.csv"
bytes=$(wc -c <"$tmp/data.csv")
doubles_mb=$(awk -v r="$ROWS" -v c="$COLS" 'BEGIN { printf "%.0f", r * c * 8 / 1e6 }')

# measure NAME COMMAND...: "NAME SECONDS PEAK_MB" from the command's own
# seconds= line and GNU time's peak resident set size.
measure() {
    name=$1
    shift
    /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || {
        cat "$tmp/out" "$tmp/time" >&2
        exit 1
    }
    secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$tmp/out")
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
    echo "$name $secs $(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1000 }')"
}

have_pandas=no
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    have_pandas=yes
    pandas_version=$(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)')
    cat >"$tmp/pd.py" <<'PY'
import sys, time
import pandas
path, repeats = sys.argv[1], int(sys.argv[2])
best = None
for _ in range(repeats):
    t0 = time.perf_counter()
    df = pandas.read_csv(path) if path != "-" else None
    dt = time.perf_counter() - t0
    best = dt if best is None or dt < best else best
    del df
print(f"seconds={best:.4f}")
PY
else
    echo "pandas not importable by /usr/bin/python3: apt-get install -y python3-pandas" >&2
    pandas_version=
fi

# The readers take turns, ROUNDS times, so a busy spell of the shared
# machine does not land on one of them; each keeps its best time.
results=$tmp/results
: >"$results"
round=0
while [ "$round" -lt "${ROUNDS:-3}" ]; do
    round=$((round + 1))
    measure "tunefold_table" "$tmp/csv_load" "$tmp/data.csv" "$REPEATS" >>"$results"
    measure "tunefold_dataset" "$tmp/csv_load" "$tmp/data.csv" "$REPEATS" "x$COLS" >>"$results"
    if [ -n "$BASE" ]; then
        measure "base_table($BASE)" "$tmp/csv_load_base" "$tmp/data.csv" "$REPEATS" >>"$results"
    fi
    if [ "$have_pandas" = yes ]; then
        measure "pandas.read_csv" /usr/bin/python3 "$tmp/pd.py" "$tmp/data.csv" "$REPEATS" \
            >>"$results"
        [ "$round" -gt 1 ] || measure "pandas_idle" /usr/bin/python3 "$tmp/pd.py" - 1 >>"$results"
    fi
done

awk -v bytes="$bytes" -v rows="$ROWS" -v cols="$COLS" -v dmb="$doubles_mb" \
    -v pv="$pandas_version" -v reps="$REPEATS" -v rounds="${ROUNDS:-3}" '
    !($1 in secs) { name[++n] = $1; secs[$1] = $2; mb[$1] = $3 }
    $2 < secs[$1] { secs[$1] = $2 }
    $3 > mb[$1] { mb[$1] = $3 }
    $1 == "pandas_idle" { idle = $3 }
    END {
        ts = secs["tunefold_table"]; tm = mb["tunefold_table"]
        printf "%s x %s CSV, %.0f MB (%%.17g values); parsed doubles %s MB; best of %s loads " \
               "in each of %s rounds\n\n", rows, cols, bytes / 1e6, dmb, reps, rounds
        printf "| reader | seconds | peak RSS (MB) | time / tunefold | peak / tunefold |\n"
        printf "|---|---|---|---|---|\n"
        for (i = 1; i <= n; i++) {
            k = name[i]
            if (k == "pandas_idle") continue
            printf "| %s | %.3f | %d | %.2f | %.2f |\n", k, secs[k], mb[k], secs[k] / ts,
                mb[k] / tm
        }
        if (idle != "")
            printf "\npandas %s: %d MB of the pandas peak is the interpreter with pandas " \
                   "imported and no file read.\n", pv, idle
    }' "$results" >"$tmp/table.md"
# Times swing with the shared machine's load; say what it was.
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
[ -z "$load" ] || printf '\nLoad average (1, 5, 15 min) at the end of the run: %s.\n' "$load" \
    >>"$tmp/table.md"
cat "$tmp/table.md"
if [ -n "$OUT" ]; then
    {
        echo "# CSV loading: peak memory and time"
        echo
        echo "Regenerate: \`BASE=fac7959 OUT=bench/RESULTS_csv.md sh bench/bench_csv_memory.sh\`"
        echo "(BASE: the revision whose reader to compare; fac7959 read the whole file into"
        echo "memory before parsing). Shared 2-core machine: compare the ratios."
        echo
        cat "$tmp/table.md"
    } >"$OUT"
fi
