#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench_store.sh — the SQLite store under contention: 1, 2 and 8 worker
# processes claiming and finishing trials of a trivial objective on one
# database (8 x 500 as the parallel-workers issue asks).  Reports the store's
# overhead per trial and fails if any trial is lost or duplicated.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tunefold-storebench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
make -s lib/libtunefold.a
libs=$(pkg-config --libs gsl nlopt sqlite3 libcjson libpq | sed 's/-lgslcblas//')
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -O2 -Iinclude -D_POSIX_C_SOURCE=200809L $(pkg-config --cflags libcjson) \
    bench/store_bench.c lib/libtunefold.a $libs \
    -L/usr/lib/"$(${CC:-cc} -print-multiarch)"/openblas-serial -lopenblas -lm -lpthread \
    -o "$tmp/store_bench"
for spec in "1 500" "2 500" "8 500"; do
    set -- $spec
    "$tmp/store_bench" "$tmp/w$1.db" "$1" "$2"
done
