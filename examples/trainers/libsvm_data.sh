#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# libsvm_data.sh — the data of the svm-train example: data/breast_cancer.csv
# in LIBSVM's sparse format ("LABEL 1:V1 2:V2 ..."), every feature scaled
# to [-1, 1] by LIBSVM's own svm-scale, as LIBSVM's guide recommends
# (Hsu, Chang & Lin, "A Practical Guide to Support Vector Classification").
#
#   ./libsvm_data.sh [CSV [OUT]]
#
# CSV (default ../../data/breast_cancer.csv, next to this script) has a
# header row and numeric columns, the class in the column named "target";
# OUT (default breast_cancer.scale next to this script) is written.
# svm-scale comes with svm-train (Debian: apt-get install libsvm-tools).
set -eu

here=$(dirname "$0")
csv=${1:-$here/../../data/breast_cancer.csv}
out=${2:-$here/breast_cancer.scale}
if ! command -v svm-scale >/dev/null 2>&1; then
    echo "libsvm_data.sh: svm-scale not found (apt-get install libsvm-tools)" >&2
    exit 1
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# Every feature written, zeros too; the label first, then 1-based indices
# in the CSV's column order without the target.
LC_ALL=C awk -F, '
NR == 1 {
    for (i = 1; i <= NF; i++) if ($i == "target") t = i
    if (!t) { print "libsvm_data.sh: no column named target" > "/dev/stderr"; exit 2 }
    next
}
{
    line = $t; k = 0
    for (i = 1; i <= NF; i++) if (i != t) line = line " " (++k) ":" $i
    print line
}' "$csv" > "$tmp"
svm-scale -l -1 -u 1 "$tmp" > "$out"
