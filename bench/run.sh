#!/bin/sh
# bench/run.sh — every benchmark, side by side with the reference tools in the
# same run (ratios, never absolute targets in tests).  `make bench` calls it.
# Installs Debian's python3-sklearn and python3-pandas for the comparisons when run
# as root.
set -eu
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import sklearn, pandas" 2>/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y -qq python3-sklearn python3-pandas >/dev/null
    else
        echo "bench: scikit-learn or pandas missing; as root: apt-get install -y python3-sklearn python3-pandas" >&2
    fi
fi
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
    /usr/bin/python3 bench/grid_logistic.py
else
    echo "bench: skipping grid_logistic (no scikit-learn)"
fi
sh bench/csv_load.sh
