#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_report.c: the Kneedle knee of convex
decreasing curves (Satopaa, Albrecht, Irwin & Raghavan 2011), offline,
without smoothing, sensitivity S = 1, written independently of
reports/elbow.c with numpy:

  x, y normalized to [0, 1]; difference curve d = 1 - x_n - y_n;
  knee = the first local maximum i of d such that, before the next local
  maximum, some d[j] < d[i] - S * mean(diff(x_n)).

(The kneed package, which follows the same paper, could not be installed
here: only Debian's and npm's registries are reachable.)

Run: /usr/bin/python3 bench/reference/kneedle_reference.py
"""
import numpy as np


def kneedle(x, y, S=1.0):
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return -1
    xn = (x - x.min()) / np.ptp(x)
    yn = (y - y.min()) / np.ptp(y)
    d = 1 - xn - yn
    n = len(d)
    maxima = [i for i in range(1, n - 1) if d[i] > d[i - 1] and d[i] > d[i + 1]]
    step = np.diff(xn).mean()
    for a, i in enumerate(maxima):
        threshold = d[i] - S * step
        stop = maxima[a + 1] if a + 1 < len(maxima) else n
        if any(d[j] < threshold for j in range(i + 1, stop)):
            return i
    return -1


CASES = {
    "four_blobs": [1000, 500, 200, 50, 45, 40, 36, 33, 30, 28],
    # inertia of standardized iris, k = 1..10 (tunefold elbow --data data/iris.csv --drop target)
    "iris": [600, 222.362, 139.82, 114.092, 90.8073, 80.805, 71.0478, 62.2875, 55.1034, 47.3177],
    "straight_line": [10, 8, 6, 4, 2],
    "first_maximum_too_shallow": [100, 60, 55, 20, 18, 17, 16, 15],
    "first_maximum_deep_enough": [100, 40, 38, 36, 10, 9, 8.5, 8],
}

if __name__ == "__main__":
    for name, y in CASES.items():
        print(f"{name}: index {kneedle(range(1, len(y) + 1), y)}")
