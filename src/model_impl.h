/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model_impl.h — the inside of a struct tune_model, shared by the files that
 * make, read and use one (src/model.c, src/model_fit.c, src/model_csv.c);
 * internal to the library.  The public contract is tunefold/model.h. */
#ifndef TUNEFOLD_SRC_MODEL_IMPL_H
#define TUNEFOLD_SRC_MODEL_IMPL_H

#include "tunefold/model.h"

/* Level text -> code for one categorical input: open addressing, FNV-1a. */
struct level_index {
    size_t n_slots;     /* a power of two, at least twice the levels */
    long *slot;         /* level code, or -1 when empty */
};

struct tune_model {
    char *name;                   /* the file it was loaded from, for messages */
    /* where it came from (the META section) */
    unsigned format;
    char *tunefold_version;
    double created;
    enum tune_task task;
    char *trainer_name;
    char *trainer_detail;
    char *study;
    int trial;
    char *params_json;
    char *metric;
    int maximize;
    double value, value_std;
    char *data_path;
    char data_sha256[65];
    size_t n_rows;
    char *target;
    double fit_seconds;
    /* the trainer's parameters (PARM): names and values as text */
    size_t n_params;
    char **param_names;
    char **param_texts;
    /* the input columns (COLS) and their level indexes */
    size_t n_inputs;
    struct tune_column *inputs;
    struct level_index *index;    /* n_inputs; empty for numeric columns */
    /* the fitted preprocessing (PREP) and its output names */
    struct tune_prep *prep;
    size_t n_features;
    char **feature_names;
    /* classes (CLAS) */
    size_t n_classes;
    char **class_names;
    /* cross-validated metrics (METR) */
    size_t n_metrics;
    struct tune_model_metric *metrics;
    /* the trainer's model (MODL) */
    const struct tune_trainer_type *type;
    struct tune_trainer_type *owned_type;   /* an external trainer's, made at load */
    void *model;
    int allow_exec;
};

/* Build the derived parts of a model whose inputs, preprocessing and
 * classes are set: level indexes and feature names. */
int tune_model_finish(struct tune_model *m, struct tune_error *err);

/* Predict a column-major block already preprocessed (n_features columns),
 * serializing trainers whose predict is not parallel-safe. */
int tune_model_predict_features(const struct tune_model *m, const struct tune_matrix *x,
                                struct tune_predictions *out, struct tune_error *err);

/* Preprocess n raw rows held column-major in raw (n x n_inputs: numbers,
 * NAN, level codes or -1 for unseen) into *out (allocated). */
int tune_model_transform(const struct tune_model *m, const double *raw, size_t n,
                         struct tune_matrix *out, struct tune_error *err);

/* The level code of text[0..len) in input j, or -1. */
long tune_model_level_lookup(const struct tune_model *m, size_t j, const char *text, size_t len);

#endif
