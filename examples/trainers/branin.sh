#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# branin.sh — a score-mode tunefold trainer in plain sh + awk: it evaluates
# the Branin test function at the point given as --x1=VALUE --x2=VALUE
# ("params_as": "args", the default) and prints the result as the JSON
# objective line tunefold reads, with one extra metric.
#
# Branin, on x1 in [-5, 10], x2 in [0, 15]:
#   f = (x2 - b x1^2 + c x1 - 6)^2 + 10 (1 - t) cos(x1) + 10,
#   b = 5.1 / (4 pi^2), c = 5 / pi, t = 1 / (8 pi);
# global minimum 0.397887357729738 at (-pi, 12.275), (pi, 2.275) and
# (9.42478, 2.475).  (Dixon & Szegő 1978; Surjanovic & Bingham's Virtual
# Library of Simulation Experiments.)
#
# Try it by hand:  ./branin.sh --x1=3.14159 --x2=2.275
set -eu

x1= x2=
for arg in "$@"; do
    case $arg in
    --x1=*) x1=${arg#--x1=} ;;
    --x2=*) x2=${arg#--x2=} ;;
    *) ;; # tunefold may pass other parameters: ignore what is not ours
    esac
done
if [ -z "$x1" ] || [ -z "$x2" ]; then
    echo "branin.sh: need --x1=VALUE and --x2=VALUE" >&2
    exit 2
fi

# Progress goes to stderr (tunefold keeps its last 4 KiB for failed trials);
# stdout is for the protocol lines only.
echo "branin.sh: evaluating x1=$x1 x2=$x2 (trial ${TUNEFOLD_TRIAL:-?})" >&2

# The values are passed with -v, never pasted into the program text.
LC_ALL=C awk -v x1="$x1" -v x2="$x2" '
function is_number(s) { return s ~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/ }
BEGIN {
    if (!is_number(x1) || !is_number(x2)) {
        print "branin.sh: x1 and x2 must be numbers, got \"" x1 "\" and \"" x2 "\"" > "/dev/stderr"
        exit 2
    }
    x1 += 0; x2 += 0
    pi = atan2(0, -1)
    b = 5.1 / (4 * pi * pi); c = 5 / pi; t = 1 / (8 * pi)
    f = (x2 - b * x1 * x1 + c * x1 - 6) ^ 2 + 10 * (1 - t) * cos(x1) + 10
    # distance to the nearest of the three minimisers
    d = 1e300
    split("-3.141592653589793 12.275 3.141592653589793 2.275 9.42477796076938 2.475", m, " ")
    for (i = 1; i <= 5; i += 2) {
        e = sqrt((x1 - m[i]) ^ 2 + (x2 - m[i + 1]) ^ 2)
        if (e < d) d = e
    }
    printf "{\"objective\": %.17g, \"metrics\": {\"distance_to_minimum\": %.17g}}\n", f, d
}'
