#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench_store_pg.sh — the store's overhead per trial with 1, 4 and 8 worker
# processes: tunefold on SQLite, tunefold on PostgreSQL, and Optuna's RDB
# storage on the same PostgreSQL server, in one run.  A trial is what the
# study loop does around a trivial objective: claim (after the stale-trial
# check), read the history's changes, params, three intermediate values,
# finish (bench/store_bench.c); for Optuna: ask, suggest_float, three
# report()s, tell (bench/optuna_store.py, RandomSampler).  Target: tunefold's
# PostgreSQL overhead at most a quarter of Optuna's at 4 and 8 workers.
#
# The server: TUNEFOLD_BENCH_PG_URL if set (with a matching OPTUNA URL
# derived from it), else the throwaway one of scripts/pg-test-server
# (fsync off: both tools see the same server).  Optuna comes from Debian
# (python3-optuna python3-sqlalchemy python3-psycopg2; installed when run as
# root); without it that column is skipped.  TRIALS: trials per worker.
set -eu
cd "$(dirname "$0")/.."
TRIALS=${TRIALS:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tunefold-storebench-XXXXXX")
started=0
cleanup() {
    rm -rf "$tmp"
    if [ "$started" = 1 ]; then scripts/pg-test-server stop; fi
}
trap cleanup EXIT INT TERM

if ! /usr/bin/python3 -c "import optuna, sqlalchemy, psycopg2" 2>/dev/null && [ "$(id -u)" -eq 0 ]; then
    apt-get install -y -qq python3-optuna python3-sqlalchemy python3-psycopg2 >/dev/null || true
fi
url=${TUNEFOLD_BENCH_PG_URL:-}
if [ -z "$url" ]; then
    if scripts/pg-test-server url >/dev/null 2>&1; then
        url=$(scripts/pg-test-server url)
    else
        url=$(scripts/pg-test-server start)
        started=1
    fi
fi

make -s lib/libtunefold.a
libs=$(pkg-config --libs gsl nlopt sqlite3 libcjson libpq | sed 's/-lgslcblas//')
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -O2 -Iinclude -D_POSIX_C_SOURCE=200809L $(pkg-config --cflags libcjson) \
    bench/store_bench.c lib/libtunefold.a $libs \
    -L/usr/lib/"$(${CC:-cc} -print-multiarch)"/openblas-serial -lopenblas -lm -lpthread \
    -o "$tmp/store_bench"

# A database of its own per run: psql-free, through the server's template.
newdb() {
    name=$1
    /usr/bin/python3 - "$url" "$name" <<'PY'
import sys, psycopg2
url, name = sys.argv[1], sys.argv[2]
c = psycopg2.connect(url)
c.autocommit = True
c.cursor().execute('DROP DATABASE IF EXISTS "%s"' % name)
c.cursor().execute('CREATE DATABASE "%s"' % name)
PY
    echo "$url" | sed "s|/[^/?]*\(?.*\)\{0,1\}$|/$name\1|"
}

seconds() { sed -n 's/^RESULT .*seconds=\([0-9.]*\).*/\1/p' "$1"; }

echo "store overhead per trial, $TRIALS trials per worker; wall ms per trial (ms per trial per worker)"
printf '%-8s %-22s %-22s %-22s %s\n' workers "tunefold sqlite" "tunefold postgres" "optuna postgres" "optuna/tunefold-pg"
for w in 1 4 8; do
    "$tmp/store_bench" "$tmp/w$w.db" "$w" "$TRIALS" >"$tmp/sq$w" || { cat "$tmp/sq$w"; exit 1; }
    pgurl=$(newdb "tf_bench_$w")
    "$tmp/store_bench" "$pgurl" "$w" "$TRIALS" >"$tmp/pg$w" || { cat "$tmp/pg$w"; exit 1; }
    sq=$(seconds "$tmp/sq$w"); pg=$(seconds "$tmp/pg$w"); op=""
    if /usr/bin/python3 -c "import optuna, sqlalchemy, psycopg2" 2>/dev/null; then
        opurl=$(newdb "optuna_bench_$w" | sed 's|^postgres\(ql\)\{0,1\}://|postgresql+psycopg2://|')
        /usr/bin/python3 bench/optuna_store.py "$opurl" "$w" "$TRIALS" >"$tmp/op$w" ||
            { cat "$tmp/op$w"; exit 1; }
        op=$(seconds "$tmp/op$w")
    fi
    /usr/bin/python3 - "$w" "$TRIALS" "$sq" "$pg" "$op" <<'PY'
import sys
w, per = int(sys.argv[1]), int(sys.argv[2])
n = w * per
def cell(s):
    if not s:
        return "-"
    s = float(s)
    return "%.3f (%.3f)" % (s / n * 1e3, s * w / n * 1e3)
sq, pg, op = sys.argv[3], sys.argv[4], sys.argv[5]
ratio = "%.1fx" % (float(op) / float(pg)) if op else "-"
print("%-8d %-22s %-22s %-22s %s" % (w, cell(sq), cell(pg), cell(op), ratio))
PY
done
