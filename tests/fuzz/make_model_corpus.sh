#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make_model_corpus.sh — regenerate the seed corpus of the model file fuzz
# target (tests/fuzz/corpus/model/): one small real model per built-in
# trainer and task family, an external program's model, and a few damaged
# files.  Run from the project root after `make`; needs nothing else.
set -eu
bin=${TUNEFOLD_BIN:-bin/tunefold}
out=tests/fuzz/corpus/model
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$(pwd)/data" "$tmp/data" # paths in the models stay relative

study() { # name task trainer-json space-json data target
    cat > "$tmp/$1.json" <<JSON
{"name": "$1", "data": {"path": "$5", "target": "$6"}, "task": "$2",
 "trainer": $3, "space": $4,
 "preprocess": {"impute": "mean", "scale": "standard", "one_hot": true},
 "search": {"strategy": "random", "trials": 2, "seed": 1}, "cv": {"folds": 3},
 "storage": "$tmp/$1.db"}
JSON
    "$bin" run "$tmp/$1.json" --quiet
    "$bin" fit "$tmp/$1.json" --out "$out/$1.tfm" > /dev/null
}

study logistic binary '{"name": "logistic"}' \
    '{"C": {"type": "float", "low": 0.1, "high": 10, "scale": "log"}}' data/breast_cancer.csv target
study linear regression '{"name": "linear"}' \
    '{"alpha": {"type": "float", "low": 0.01, "high": 1, "scale": "log"}}' data/diabetes.csv target
study naive_bayes multiclass '{"name": "naive_bayes"}' \
    '{"var_smoothing": {"type": "float", "low": 1e-9, "high": 1e-6, "scale": "log"}}' data/iris.csv target
study knn multiclass '{"name": "knn", "params": {"algorithm": "kd_tree", "leaf_size": 5}}' \
    '{"n_neighbors": {"type": "int", "low": 3, "high": 7}}' data/iris.csv target
study tree multiclass '{"name": "tree"}' \
    '{"max_depth": {"type": "int", "low": 2, "high": 4}}' data/iris.csv target
study forest binary '{"name": "forest", "params": {"n_estimators": 4}}' \
    '{"max_depth": {"type": "int", "low": 2, "high": 4}}' data/breast_cancer.csv target
study boosting multiclass '{"name": "boosting", "params": {"n_estimators": 4}}' \
    '{"max_depth": {"type": "int", "low": 2, "high": 3}}' data/iris.csv target
study mlp regression '{"name": "mlp", "params": {"hidden_layers": "16", "epochs": 5}}' \
    '{"l2": {"type": "float", "low": 1e-5, "high": 1e-3, "scale": "log"}}' data/diabetes.csv target
study kmeans clustering '{"name": "kmeans"}' \
    '{"n_clusters": {"type": "int", "low": 2, "high": 4}}' data/iris.csv target
study svm binary '{"name": "svm", "params": {"probability": true}}' \
    '{"C": {"type": "float", "low": 0.5, "high": 2, "scale": "log"}}' data/breast_cancer.csv target
study liblinear multiclass '{"name": "liblinear"}' \
    '{"C": {"type": "float", "low": 0.1, "high": 10, "scale": "log"}}' data/iris.csv target
study xgboost multiclass '{"name": "xgboost", "params": {"n_estimators": 3, "n_threads": 1}}' \
    '{"max_depth": {"type": "int", "low": 2, "high": 3}}' data/iris.csv target

# text columns (one-hot levels), missing values: the model the predict_csv
# fuzz target predicts with
{
    echo 'x,kind,size,y'
    i=0
    while [ $i -lt 60 ]; do
        k=$(( i % 3 )); s=$(( (i * 7) % 11 ))
        case $k in 0) kind=red;; 1) kind='"b,lue"';; *) kind=green;; esac
        [ $(( i % 13 )) -eq 0 ] && s=NA
        echo "$i.5,$kind,$s,$(( (i + k) % 2 ))"
        i=$((i + 1))
    done
} > "$tmp/text.csv"
study text binary '{"name": "tree"}' \
    '{"max_depth": {"type": "int", "low": 2, "high": 3}}' text.csv y

# an external program's model (the saved files travel in the model)
cc -std=c11 -O1 -o "$tmp/knn" examples/trainers/knn.c -lm
study external multiclass '{"exec": ["./knn"], "params_as": "env"}' \
    '{"k": {"type": "int", "low": 3, "high": 5}}' data/iris.csv target

# damaged copies
head -c 300 "$out/logistic.tfm" > "$out/truncated.tfm"
cp "$out/tree.tfm" "$out/badcrc.tfm"
printf 'Z' | dd of="$out/badcrc.tfm" bs=1 seek=100 conv=notrunc 2>/dev/null
head -c 44 "$out/kmeans.tfm" > "$out/header_only.tfm"
echo "$(ls "$out" | wc -l) files in $out"
