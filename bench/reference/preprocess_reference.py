#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference values for tests/test_preprocess.c, computed with scikit-learn.

Run: /usr/bin/python3 bench/reference/preprocess_reference.py
It prints C initialisers for the expected transformed matrices (row-major
here: one line per row, columns in tunefold's output order: numeric columns
in file order, then each categorical column's one-hot block).

The table is the one built by hand in tests/test_preprocess.c (make_table):
columns age (numeric), color (categorical, 4 levels), income (numeric),
score (numeric), grade (categorical, 3 levels); categorical cells hold level
codes.  The fit uses the training rows 0..5 only; rows 6..8 are validation.
"""
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

nan = np.nan
age = [23.7, nan, 41.25, 35.9, 23.7, 58.13, nan, 17.4, 29.05]
color = [2, 0, nan, 2, 1, 0, 3, 2, 1]
income = [1520.5, 2870.25, 990.75, nan, nan, 1204.6, 2205.35, 4410.9, 3310.0]
score = [4.75, 9.5, 9.5, 4.75, 7.25, nan, 6.0, 9.5, 11.125]
grade = [1, 1, 0, 2, nan, 1, 0, 1, 2]
X = np.column_stack([age, color, income, score, grade])
train, rows = list(range(6)), list(range(9))
numeric, categorical = [0, 2, 3], [1, 4]


def pipeline(strategy, scaler):
    num_steps = [("impute", SimpleImputer(strategy=strategy))]
    if scaler is not None:
        num_steps.append(("scale", scaler))
    cat = Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                    ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))])
    return ColumnTransformer([("num", Pipeline(num_steps), numeric),
                              ("cat", cat, categorical)])


def emit(name, strategy, scaler):
    ct = pipeline(strategy, scaler).fit(X[train])
    out = ct.transform(X[rows])
    print(f"/* {name}: impute {strategy}, scale {type(scaler).__name__ if scaler else 'none'} */")
    print(f"static const double {name}[9][9] = {{")
    for r in out:
        print("    {" + ", ".join("%.17g" % v for v in r) + "},")
    print("};")
    imp = ct.named_transformers_["num"].named_steps["impute"].statistics_
    print(f"/* imputation values (age, income, score): {', '.join('%.17g' % v for v in imp)} */")


emit("want_mean_standard", "mean", StandardScaler())
emit("want_median_minmax", "median", MinMaxScaler())
emit("want_mostfreq_none", "most_frequent", None)
