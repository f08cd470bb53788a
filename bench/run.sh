#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run.sh — every benchmark, side by side with the reference tools in the
# same run (ratios, never absolute targets in tests).  `make bench` calls it.
# Each benchmark is one file bench/bench_*.sh or bench/bench_*.py; pass names
# to run only some:  bench/run.sh grid_logistic csv_load
# Installs Debian's python3-sklearn and python3-pandas for the comparisons when
# run as root (a benchmark whose reference tool is missing says so and skips it).
set -eu
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import sklearn, pandas" 2>/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y -qq python3-sklearn python3-pandas >/dev/null || true
    else
        echo "bench: as root, apt-get install -y python3-sklearn python3-pandas" \
             "adds the scikit-learn and pandas comparisons" >&2
    fi
fi
status=0
for b in bench/bench_*; do
    name=$(basename "$b"); name=${name#bench_}; name=${name%.*}
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    echo "== $name"
    case "$b" in
        *.py) /usr/bin/python3 "$b" || status=1 ;;
        *.sh) sh "$b" || status=1 ;;
    esac
done
exit $status
