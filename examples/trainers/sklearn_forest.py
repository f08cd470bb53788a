#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""sklearn_forest.py -- a scikit-learn random forest as an external tunefold
trainer (predict mode, hyperparameters as --name=value arguments).

tunefold runs this once per cross-validation fold with, in the environment:
  TUNEFOLD_TRAIN        CSV: header, the feature columns, the target last
  TUNEFOLD_VALID        CSV: header, the same feature columns, no target
  TUNEFOLD_PREDICTIONS  where to write one prediction row per validation row
  TUNEFOLD_TASK         binary | multiclass | regression
  TUNEFOLD_CLASSES      classification: the class labels in tunefold's order,
                        comma-separated (if absent: the sorted labels of the
                        training fold)
  TUNEFOLD_SEED         seed for this fold
and the trial's hyperparameters as arguments, e.g. --n_estimators=200
--max_depth=8 (also in the JSON file named by TUNEFOLD_PARAMS).

It writes, by task (the predictions format of `tunefold score`):
  binary      score,label            score = P(the last class)
  multiclass  proba_<class>...,label
  regression  prediction
tunefold computes every metric itself from that file.

Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn, for
/usr/bin/python3).  Run by hand on any CSV split with the same variables set
to try it outside tunefold.
"""
import argparse
import csv
import os
import sys


def fail(message):
    # One line on stderr and a non-zero status: tunefold stores the trial as
    # FAILED with the reason and the last 4 KiB of stderr.
    print("sklearn_forest.py: " + message, file=sys.stderr)
    sys.exit(1)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail(name + " is not set (run me from tunefold)")
    return value


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        fail(path + " is empty")
    return rows[0], [r for r in rows[1:] if r]


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def class_order(train_labels):
    """tunefold's class order: numeric order when every label is a number,
    else byte order.  TUNEFOLD_CLASSES, when set, is authoritative (a
    training fold may miss a rare class)."""
    given = os.environ.get("TUNEFOLD_CLASSES")
    if given:
        return next(csv.reader([given]))
    labels = set(train_labels)
    if all(is_number(s) for s in labels):
        return sorted(labels, key=float)
    return sorted(labels, key=lambda s: s.encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n_estimators", type=int, default=100)
    parser.add_argument("--max_depth", type=int, default=0, help="0: unlimited")
    parser.add_argument("--min_samples_leaf", type=int, default=1)
    parser.add_argument("--max_features", type=float, default=1.0,
                        help="fraction of the features tried at each split")
    parser.add_argument("--criterion", default=None,
                        help="gini|entropy|log_loss (classification), "
                             "squared_error|absolute_error (regression)")
    # tunefold passes every searched parameter; unknown ones are an error
    # here, so a typo in the study's "space" fails loudly on the first run.
    args = parser.parse_args()

    import numpy as np
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    task = env("TUNEFOLD_TASK")
    header, train = read_csv(env("TUNEFOLD_TRAIN"))
    valid_header, valid = read_csv(env("TUNEFOLD_VALID"))
    if valid_header != header[:-1]:
        fail("the validation columns differ from the training features")
    try:
        x_train = np.array([[float(v) for v in r[:-1]] for r in train], dtype=float)
        x_valid = np.array([[float(v) for v in r] for r in valid], dtype=float)
    except ValueError as e:
        fail("non-numeric feature cell (%s): one-hot encode text columns in the study" % e)
    x_train = x_train.reshape(len(train), len(header) - 1)
    x_valid = x_valid.reshape(len(valid), len(header) - 1)
    y_text = [r[-1] for r in train]

    common = dict(
        n_estimators=args.n_estimators,
        max_depth=args.max_depth or None,
        min_samples_leaf=args.min_samples_leaf,
        max_features=args.max_features,
        random_state=int(os.environ.get("TUNEFOLD_SEED", "0")) % 2**32,
        n_jobs=1,  # tunefold's workers are the parallelism
    )
    if task == "regression":
        model = RandomForestRegressor(criterion=args.criterion or "squared_error", **common)
        model.fit(x_train, np.array([float(v) for v in y_text]))
        rows = [["prediction"]] + [[repr(float(v))] for v in model.predict(x_valid)]
    elif task in ("binary", "multiclass"):
        classes = class_order(y_text)
        # numeric labels are matched by value ("1" and "1.0" are one class)
        key = float if all(is_number(c) for c in classes) else str
        index = {key(c): i for i, c in enumerate(classes)}
        try:
            y = np.array([index[key(v)] for v in y_text])
        except (KeyError, ValueError) as e:
            fail("training label %s is not among the classes %s" % (e, classes))
        model = RandomForestClassifier(criterion=args.criterion or "gini", **common)
        model.fit(x_train, y)
        # predict_proba's columns follow model.classes_, which may lack a
        # class absent from this training fold: spread them into place.
        proba = np.zeros((len(valid), len(classes)))
        proba[:, model.classes_] = model.predict_proba(x_valid)
        labels = [classes[i] for i in proba.argmax(axis=1)]
        if task == "binary":
            if len(classes) != 2:
                fail("a binary task with %d classes" % len(classes))
            rows = [["score", "label"]] + [[repr(float(p)), label]
                                           for p, label in zip(proba[:, 1], labels)]
        else:
            rows = [["proba_" + c for c in classes] + ["label"]] + [
                [repr(float(p)) for p in row] + [label] for row, label in zip(proba, labels)]
    else:
        fail("unsupported task " + repr(task))

    with open(env("TUNEFOLD_PREDICTIONS"), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    print("sklearn_forest.py: %d predictions from %d training rows"
          % (len(valid), len(train)), file=sys.stderr)


if __name__ == "__main__":
    main()
