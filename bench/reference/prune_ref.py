#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""prune_ref.py — reference values for tests/test_pruner.c, from scipy and
numpy, for the decisions of pruners/ on hand-made histories.

  - the folds strategy's "ttest": the chance that a trial ends ahead of the
    best, P = T_{k-1}(K m / (s sqrt((K-k) + (K-k)^2 (1/k + r)))) (pruners/folds.c),
    d = trial - best - margin on the folds run;
  - the folds strategy's "wilcoxon": scipy's one-sided signed-rank p-value;
  - numpy's linear percentiles used by the median and percentile rules.

Run: /usr/bin/python3 bench/reference/prune_ref.py
"""
import numpy as np
from scipy import stats


def win_chance(trial, best, K, r, margin=0.0):
    d = np.asarray(trial) - np.asarray(best) - margin
    k = len(d)
    m, s = d.mean(), d.std(ddof=1)
    rem = K - k
    z = K * m / (s * np.sqrt(rem + rem * rem * (1.0 / k + r)))
    return stats.t.cdf(z, k - 1)


# the case of test_pruner.c: best trial's roc_auc by fold, the trial's on the
# three hardest folds of the best (2, 0, 3), 5 folds, r = 1/4
best = [0.9, 0.95, 0.85, 0.9, 0.92]
trial = [0.8125, 0.875, 0.8625]
folds = [2, 0, 3]
b = [best[f] for f in folds]
print("ttest p (3 of 5 folds, r = 1/4): %.17g" % win_chance(trial, b, 5, 0.25))
print("ttest p (2 of 5 folds, r = 1/4): %.17g" % win_chance(trial[:2], b[:2], 5, 0.25))
trial2 = [0.84, 0.91, 0.885]
print("ttest p close trial: %.17g" % win_chance(trial2, b, 5, 0.25))
print("ttest p close trial, margin 0.01: %.17g" % win_chance(trial2, b, 5, 0.25, 0.01))
# wilcoxon, one-sided "less": 4 pairs, all worse; 3 pairs all worse
print("wilcoxon 4 worse: %.17g" % stats.wilcoxon([-0.01, -0.03, -0.02, -0.04],
                                                 alternative="less").pvalue)
print("wilcoxon 3 worse: %.17g" % stats.wilcoxon([-0.01, -0.03, -0.02],
                                                 alternative="less").pvalue)
v = [0.25, 0.5, 0.375, 0.625, 0.75]
for q in (25, 50, 75):
    print("percentile %d of %s: %.17g" % (q, v, np.percentile(v, q)))
