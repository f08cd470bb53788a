#!/bin/bash
# ab_binaries.sh — two tunefold binaries side by side on the same studies,
# interleaved (A, B, A, B, ...) so that a shared machine's load falls on both.
#
#   bench/ab_binaries.sh OLD_BIN NEW_BIN REPEATS STUDY.json...
#
# Prints "STUDY old|new SECONDS" (whole-process wall time, a fresh SQLite
# file per run).  To build the binary of an earlier commit beside this tree:
#   git worktree add /tmp/old HEAD~1 && make -C /tmp/old -j2
# (the "Folds side by side" rows of bench/RESULTS_study.md were taken so).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 OLD_BIN NEW_BIN REPEATS STUDY.json..." >&2; exit 2; }
old=$1 new=$2 repeats=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for study in "$@"; do
    for ((i = 0; i < repeats; i++)); do
        for side in old new; do
            bin=$old
            [ "$side" = new ] && bin=$new
            rm -f "$dir"/ab.db*
            TIMEFORMAT=%R
            secs=$( { time "$bin" run "$study" --db "$dir/ab.db" --quiet > /dev/null 2>&1; } 2>&1)
            echo "$(basename "$study") $side $secs"
        done
    done
done
